/*
 * kg_port_posix.c - the host port: clock_gettime, nanosleep, getrandom,
 * non-blocking sockets driven by poll() so every wait honours a timeout,
 * and level-filtered logging to stderr.
 *
 * Test hooks (environment): KGIOT_FAKE_WALL_TIME=<unix seconds> pins the wall
 * clock; KGIOT_NO_WALL_CLOCK=1 makes wall_time() report KG_ERR_NO_CLOCK.
 */
#include "kg_port_posix.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- time ------------------------------------------------------------- */

static uint64_t posix_now_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Parses the whole of s as a decimal integer; false on anything else. */
static bool parse_i64(const char *s, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') return false;
    *out = (int64_t)v;
    return true;
}

static kg_err_t posix_wall_time(void *ctx, int64_t *unix_s)
{
    (void)ctx;
    const char *no_clock = getenv("KGIOT_NO_WALL_CLOCK");
    if (no_clock && strcmp(no_clock, "1") == 0) return KG_ERR_NO_CLOCK;
    const char *fake = getenv("KGIOT_FAKE_WALL_TIME");
    if (fake) return parse_i64(fake, unix_s) ? KG_OK : KG_ERR_NO_CLOCK;
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return KG_ERR_NO_CLOCK;
    *unix_s = (int64_t)ts.tv_sec;
    return KG_OK;
}

static void posix_sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    struct timespec req = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};
    struct timespec rem;
    /* A signal cuts nanosleep short: sleep the remainder. */
    while (nanosleep(&req, &rem) != 0 && errno == EINTR)
        req = rem;
}

/* ---- randomness --------------------------------------------------------- */

static kg_err_t posix_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return KG_ERR_IO;
        buf += n;
        len -= (size_t)n;
    }
    return KG_OK;
}

/* ---- sockets ------------------------------------------------------------ */

static uint32_t ms_left(uint64_t deadline)
{
    uint64_t now = posix_now_ms(NULL);
    if (now >= deadline) return 0;
    uint64_t left = deadline - now;
    return left > INT32_MAX ? INT32_MAX : (uint32_t)left;
}

/* Wait until fd is ready for events or the deadline passes; EINTR resumes
 * the wait with what is left of the timeout. */
static kg_err_t wait_fd(int fd, short events, uint64_t deadline)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events, .revents = 0};
        int n = poll(&p, 1, (int)ms_left(deadline));
        if (n > 0) return KG_OK;
        if (n == 0) return KG_ERR_TIMEOUT;
        if (errno != EINTR) return KG_ERR_IO;
    }
}

static kg_err_t connect_errno(int err)
{
    if (err == ETIMEDOUT) return KG_ERR_TIMEOUT;
    return KG_ERR_CONNECT;
}

static kg_err_t finish_connect(int fd, uint64_t deadline)
{
    kg_err_t err = wait_fd(fd, POLLOUT, deadline);
    if (err != KG_OK) return err;
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) return KG_ERR_CONNECT;
    return so_error == 0 ? KG_OK : connect_errno(so_error);
}

static kg_err_t connect_one(const struct addrinfo *ai, uint64_t deadline, int *out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) return KG_ERR_CONNECT;
    kg_err_t err = KG_OK;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
        err = (errno == EINPROGRESS) ? finish_connect(fd, deadline) : connect_errno(errno);
    if (err != KG_OK) {
        close(fd);
        return err;
    }
    /* Requests are written whole: no point waiting for Nagle. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *out = fd;
    return KG_OK;
}

static kg_err_t posix_sock_connect(void *ctx, kg_sock_t *out, const char *host, uint16_t port,
                                   uint32_t timeout_ms)
{
    (void)ctx;
    if (!out || !host || !*host) return KG_ERR_ARG;
    uint64_t deadline = posix_now_ms(NULL) + timeout_ms;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints = {0}, *list = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host, service, &hints, &list) != 0) return KG_ERR_DNS;
    kg_err_t err = KG_ERR_CONNECT;
    for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        err = connect_one(ai, deadline, out);
        if (err == KG_OK || ms_left(deadline) == 0) break;
    }
    freeaddrinfo(list);
    return err;
}

static kg_err_t io_errno(int err)
{
    if (err == ECONNRESET || err == EPIPE) return KG_ERR_CLOSED;
    return KG_ERR_IO;
}

static bool retry_errno(int err)
{
    return err == EINTR || err == EAGAIN || err == EWOULDBLOCK;
}

static kg_err_t posix_sock_send(void *ctx, kg_sock_t s, const uint8_t *buf, size_t len,
                                size_t *sent, uint32_t timeout_ms)
{
    (void)ctx;
    if (len == 0) return KG_ERR_ARG; /* send() of 0 bytes would spin */
    uint64_t deadline = posix_now_ms(NULL) + timeout_ms;
    for (;;) {
        kg_err_t err = wait_fd(s, POLLOUT, deadline);
        if (err != KG_OK) return err;
        ssize_t n = send(s, buf, len, MSG_NOSIGNAL);
        if (n > 0) {
            *sent = (size_t)n;
            return KG_OK;
        }
        if (n < 0 && !retry_errno(errno)) return io_errno(errno);
    }
}

static kg_err_t posix_sock_recv(void *ctx, kg_sock_t s, uint8_t *buf, size_t cap, size_t *got,
                                uint32_t timeout_ms)
{
    (void)ctx;
    if (cap == 0) return KG_ERR_ARG; /* recv() of 0 bytes looks like a close */
    uint64_t deadline = posix_now_ms(NULL) + timeout_ms;
    for (;;) {
        kg_err_t err = wait_fd(s, POLLIN, deadline);
        if (err != KG_OK) return err;
        ssize_t n = recv(s, buf, cap, 0);
        if (n > 0) {
            *got = (size_t)n;
            return KG_OK;
        }
        if (n == 0) return KG_ERR_CLOSED;
        if (!retry_errno(errno)) return io_errno(errno);
    }
}

static void posix_sock_close(void *ctx, kg_sock_t s)
{
    (void)ctx;
    if (s != KG_SOCK_INVALID) close(s);
}

/* ---- logging ------------------------------------------------------------ */

/* One cell per level so ctx can point at the port's threshold without
 * allocating; the cells are never written. */
static kg_log_level_t log_thresholds[] = {0, KG_LOG_ERROR, KG_LOG_WARN, KG_LOG_INFO, KG_LOG_DEBUG};

static const char *level_prefix(kg_log_level_t level)
{
    switch (level) {
    case KG_LOG_ERROR: return "E";
    case KG_LOG_WARN: return "W";
    case KG_LOG_INFO: return "I";
    default: return "D";
    }
}

static void posix_log(void *ctx, kg_log_level_t level, const char *msg)
{
    const kg_log_level_t *threshold = ctx;
    if (level > *threshold) return;
    fprintf(stderr, "kgiot %s: %s\n", level_prefix(level), msg);
}

void kg_port_posix_init(kg_port_t *port, kg_log_level_t log_level)
{
    size_t cell = (size_t)log_level;
    if (cell >= sizeof log_thresholds / sizeof log_thresholds[0])
        cell = sizeof log_thresholds / sizeof log_thresholds[0] - 1;
    memset(port, 0, sizeof *port);
    port->ctx = &log_thresholds[cell];
    port->now_ms = posix_now_ms;
    port->wall_time = posix_wall_time;
    port->sleep_ms = posix_sleep_ms;
    port->random = posix_random;
    port->sock_connect = posix_sock_connect;
    port->sock_send = posix_sock_send;
    port->sock_recv = posix_sock_recv;
    port->sock_close = posix_sock_close;
    port->log = posix_log;
    port->flash = NULL;
}
