/*
 * kg_port_lwip.c - the FreeRTOS + lwIP port (see kg_port_lwip.h).
 *
 * Only lwIP's socket API and the integrator's OS hooks: no POSIX call, so
 * the same file builds for a microcontroller and, with Debian's lwIP unix
 * port, for the host test (tests/lwip).
 *
 * Sockets are made non-blocking right after lwip_socket(), and every wait
 * is bounded by the caller's deadline: a blocking lwip_connect() would wait
 * as long as TCP's SYN retries take, and SO_RCVTIMEO is optional in lwIP.
 * With lwip_poll() a wait ends as soon as the socket is ready. Without it
 * (many firmware lwipopts set LWIP_SOCKET_POLL 0) the port retries the
 * non-blocking call every KG_PORT_LWIP_RETRY_MS, sleeping through the RTOS
 * hook in between, and learns that a connect has finished by calling
 * lwip_connect() again (EISCONN), as BSD sockets allow.
 */
#include "kg_port_lwip.h"

#include <stdbool.h>
#include <string.h>

#include "lwip/opt.h"
#include "lwip/def.h"
#include "lwip/errno.h"
#include "lwip/ip_addr.h"
#include "lwip/sockets.h"
#if LWIP_DNS
#include "lwip/netdb.h"
#endif

/* Written as "defined && !value" so that static analysers without the lwIP
 * headers do not stop here; with the headers opt.h defines them. */
#if defined(LWIP_SOCKET) && !LWIP_SOCKET
#error "kg_port_lwip needs LWIP_SOCKET 1 in lwipopts.h"
#endif
#if defined(LWIP_TCP) && !LWIP_TCP
#error "kg_port_lwip needs LWIP_TCP 1 in lwipopts.h"
#endif

/* 1: wait in lwip_poll(); 0: retry every KG_PORT_LWIP_RETRY_MS. Follows
 * LWIP_SOCKET_POLL unless the build sets it (lwIP before 2.1 has no poll). */
#ifndef KG_PORT_LWIP_USE_POLL
#define KG_PORT_LWIP_USE_POLL LWIP_SOCKET_POLL
#endif
#if KG_PORT_LWIP_USE_POLL && defined(LWIP_SOCKET_POLL) && !LWIP_SOCKET_POLL
#error "KG_PORT_LWIP_USE_POLL 1 needs LWIP_SOCKET_POLL 1 in lwipopts.h"
#endif
#ifndef KG_PORT_LWIP_RETRY_MS
#define KG_PORT_LWIP_RETRY_MS 10
#endif

#if LWIP_DNS
#define NOT_RESOLVED_MSG "lwip: host name not in the resolve hook"
#else
#define NOT_RESOLVED_MSG "lwip: this lwIP has no DNS: a host name needs the resolve hook"
#endif

/* Any socket address this lwIP build can connect to. */
typedef union {
    struct sockaddr sa;
#if LWIP_IPV4
    struct sockaddr_in in4;
#endif
#if LWIP_IPV6
    struct sockaddr_in6 in6;
#endif
} addr_t;

static uint64_t now(const kg_port_lwip_t *lw)
{
    return lw->os.now_ms(lw->os.ctx);
}

static void note(const kg_port_lwip_t *lw, kg_log_level_t level, const char *msg)
{
    if (lw->os.log) lw->os.log(lw->os.ctx, level, msg);
}

/* ---- time, entropy, log: the RTOS hooks under the port's own ctx ------- */

static uint64_t port_now_ms(void *ctx)
{
    return now(ctx);
}

static void port_sleep_ms(void *ctx, uint32_t ms)
{
    const kg_port_lwip_t *lw = ctx;
    lw->os.sleep_ms(lw->os.ctx, ms);
}

static kg_err_t port_random(void *ctx, uint8_t *buf, size_t len)
{
    const kg_port_lwip_t *lw = ctx;
    return lw->os.random(lw->os.ctx, buf, len);
}

static kg_err_t port_wall_time(void *ctx, int64_t *unix_s)
{
    const kg_port_lwip_t *lw = ctx;
    return lw->os.wall_time(lw->os.ctx, unix_s);
}

static void port_log(void *ctx, kg_log_level_t level, const char *msg)
{
    note(ctx, level, msg);
}

/* ---- addresses ---------------------------------------------------------- */

static socklen_t addr_len(const addr_t *a)
{
#if LWIP_IPV6
    if (a->sa.sa_family == AF_INET6) return (socklen_t)sizeof a->in6;
#endif
#if LWIP_IPV4
    return (socklen_t)sizeof a->in4;
#else
    return (socklen_t)sizeof a->in6;
#endif
}

static void set_port(addr_t *a, uint16_t port)
{
#if LWIP_IPV6
    if (a->sa.sa_family == AF_INET6) {
        a->in6.sin6_port = lwip_htons(port);
        return;
    }
#endif
#if LWIP_IPV4
    a->in4.sin_port = lwip_htons(port);
#endif
}

/* text as an IPv4 or IPv6 literal (whichever this lwIP has); false when
 * it is not one. */
static bool literal_addr(const char *text, uint16_t port, addr_t *out)
{
    ip_addr_t ip;
    if (!ipaddr_aton(text, &ip)) return false;
    memset(out, 0, sizeof *out);
#if LWIP_IPV6
    if (IP_IS_V6(&ip)) {
        out->in6.sin6_family = AF_INET6;
        inet6_addr_from_ip6addr(&out->in6.sin6_addr, ip_2_ip6(&ip));
    }
#endif
#if LWIP_IPV4
    if (!IP_IS_V6(&ip)) {
        out->in4.sin_family = AF_INET;
        inet_addr_from_ip4addr(&out->in4.sin_addr, ip_2_ip4(&ip));
    }
#endif
    set_port(out, port);
    return true;
}

/* host as a literal, else through the resolve hook. KG_ERR_NOT_FOUND when
 * neither knows it. */
static kg_err_t resolve_local(const kg_port_lwip_t *lw, const char *host, uint16_t port,
                              addr_t *out)
{
    if (literal_addr(host, port, out)) return KG_OK;
    if (!lw->resolve) return KG_ERR_NOT_FOUND;
    char ip[KG_LWIP_IP_TEXT_MAX];
    ip[0] = '\0';
    kg_err_t err = lw->resolve(lw->resolve_ctx, host, ip, sizeof ip);
    if (err != KG_OK) return err == KG_ERR_NOT_FOUND ? err : KG_ERR_DNS;
    ip[sizeof ip - 1] = '\0'; /* a hook that filled the buffer must not run us off it */
    if (literal_addr(ip, port, out)) return KG_OK;
    note(lw, KG_LOG_ERROR, "lwip: the resolve hook gave something other than an IP literal");
    return KG_ERR_DNS;
}

#if LWIP_DNS
/* lwIP's resolver; it returns one address. */
static kg_err_t resolve_dns(const char *host, uint16_t port, addr_t *out)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (lwip_getaddrinfo(host, NULL, &hints, &res) != 0 || !res) return KG_ERR_DNS;
    kg_err_t err = KG_ERR_DNS;
    if (res->ai_addr && res->ai_addrlen <= sizeof *out) {
        memset(out, 0, sizeof *out);
        memcpy(out, res->ai_addr, res->ai_addrlen);
        set_port(out, port);
        err = KG_OK;
    }
    lwip_freeaddrinfo(res);
    return err;
}
#endif

static kg_err_t resolve(const kg_port_lwip_t *lw, const char *host, uint16_t port, addr_t *out)
{
    kg_err_t err = resolve_local(lw, host, port, out);
#if LWIP_DNS
    if (err == KG_ERR_NOT_FOUND) err = resolve_dns(host, port, out);
#endif
    if (err == KG_OK) return KG_OK;
    if (err == KG_ERR_NOT_FOUND) note(lw, KG_LOG_WARN, NOT_RESOLVED_MSG);
    return KG_ERR_DNS;
}

/* ---- sockets ------------------------------------------------------------ */

/* What is left until deadline, as lwip_poll's int timeout (0: none). */
static int ms_left(const kg_port_lwip_t *lw, uint64_t deadline)
{
    uint64_t t = now(lw);
    if (t >= deadline) return 0;
    uint64_t left = deadline - t;
    return left > INT32_MAX ? INT32_MAX : (int)left;
}

typedef enum { WAIT_READ, WAIT_WRITE } wait_for_t;

/* Wait until s may be ready (without poll: one retry interval). Timeout
 * once the deadline has passed, also when poll keeps saying "ready" while
 * the call it was for still would block. */
static kg_err_t wait_sock(const kg_port_lwip_t *lw, int s, wait_for_t what, uint64_t deadline)
{
    int left = ms_left(lw, deadline);
    if (left == 0) return KG_ERR_TIMEOUT;
#if KG_PORT_LWIP_USE_POLL
    struct pollfd p;
    p.fd = s;
    p.events = what == WAIT_READ ? POLLIN : POLLOUT;
    p.revents = 0;
    /* lwIP never interrupts a wait with a signal, so no EINTR loop. */
    int n = lwip_poll(&p, 1, left);
    if (n > 0) return KG_OK;
    return n == 0 ? KG_ERR_TIMEOUT : KG_ERR_IO;
#else
    (void)s;
    (void)what;
    lw->os.sleep_ms(lw->os.ctx, left < KG_PORT_LWIP_RETRY_MS ? (uint32_t)left
                                                             : (uint32_t)KG_PORT_LWIP_RETRY_MS);
    return KG_OK;
#endif
}

static kg_err_t connect_errno(int err)
{
    return err == ETIMEDOUT ? KG_ERR_TIMEOUT : KG_ERR_CONNECT;
}

/* The error lwIP keeps for a connect that failed (a refused one is
 * ECONNRESET); KG_OK when there is none. */
static kg_err_t pending_error(int s)
{
    int so_error = 0;
    socklen_t len = (socklen_t)sizeof so_error;
    if (lwip_getsockopt(s, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) return KG_ERR_CONNECT;
    return so_error == 0 ? KG_OK : connect_errno(so_error);
}

#if KG_PORT_LWIP_USE_POLL
/* The connect is in progress: wait until the socket is writable (or has
 * failed), then ask how it went. */
static kg_err_t finish_connect(const kg_port_lwip_t *lw, int s, const addr_t *a, uint64_t deadline)
{
    (void)a;
    kg_err_t err = wait_sock(lw, s, WAIT_WRITE, deadline);
    if (err != KG_OK) return err == KG_ERR_IO ? KG_ERR_CONNECT : err;
    return pending_error(s);
}
#else
/* The connect is in progress and there is no poll: ask again. lwIP answers
 * EALREADY while it runs, EISCONN once connected, anything else when it
 * failed (the cause is then in SO_ERROR). */
static kg_err_t finish_connect(const kg_port_lwip_t *lw, int s, const addr_t *a, uint64_t deadline)
{
    for (;;) {
        kg_err_t err = wait_sock(lw, s, WAIT_WRITE, deadline);
        if (err != KG_OK) return err;
        if (lwip_connect(s, &a->sa, addr_len(a)) == 0 || errno == EISCONN) return KG_OK;
        if (errno != EALREADY && errno != EINPROGRESS) break;
    }
    kg_err_t err = pending_error(s);
    return err == KG_OK ? KG_ERR_CONNECT : err;
}
#endif

static kg_err_t start_connect(const kg_port_lwip_t *lw, int s, const addr_t *a, uint64_t deadline)
{
    if (lwip_fcntl(s, F_SETFL, O_NONBLOCK) != 0) return KG_ERR_CONNECT;
    if (lwip_connect(s, &a->sa, addr_len(a)) == 0) return KG_OK;
    if (errno != EINPROGRESS) return connect_errno(errno);
    return finish_connect(lw, s, a, deadline);
}

static kg_err_t connect_addr(const kg_port_lwip_t *lw, const addr_t *a, uint64_t deadline,
                             kg_sock_t *out)
{
    int s = lwip_socket(a->sa.sa_family, SOCK_STREAM, IPPROTO_TCP);
    if (s < 0) {
        note(lw, KG_LOG_ERROR, "lwip: no free socket (MEMP_NUM_NETCONN, MEMP_NUM_TCP_PCB)");
        return KG_ERR_CONNECT;
    }
    kg_err_t err = start_connect(lw, s, a, deadline);
    if (err != KG_OK) {
        lwip_close(s);
        return err;
    }
    /* Requests are written whole: no point waiting for Nagle. */
    int one = 1;
    (void)lwip_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, (socklen_t)sizeof one);
    *out = s;
    return KG_OK;
}

static kg_err_t port_connect(void *ctx, kg_sock_t *out, const char *host, uint16_t port,
                             uint32_t timeout_ms)
{
    const kg_port_lwip_t *lw = ctx;
    if (!out || !host || !*host) return KG_ERR_ARG;
    uint64_t deadline = now(lw) + timeout_ms;
    addr_t addr;
    kg_err_t err = resolve(lw, host, port, &addr);
    if (err != KG_OK) return err;
    return connect_addr(lw, &addr, deadline, out);
}

static kg_err_t io_errno(int err)
{
    /* How lwIP reports a connection the peer reset or that is gone. */
    if (err == ECONNRESET || err == ECONNABORTED || err == ENOTCONN || err == EPIPE)
        return KG_ERR_CLOSED;
    return KG_ERR_IO;
}

static bool retry_errno(int err)
{
    return err == EWOULDBLOCK || err == EAGAIN || err == EINTR;
}

static kg_err_t port_send(void *ctx, kg_sock_t s, const uint8_t *buf, size_t len, size_t *sent,
                          uint32_t timeout_ms)
{
    const kg_port_lwip_t *lw = ctx;
    if (!buf || len == 0 || !sent) return KG_ERR_ARG; /* a send of 0 bytes would spin */
    uint64_t deadline = now(lw) + timeout_ms;
    for (;;) {
        ssize_t n = lwip_send(s, buf, len, 0);
        if (n > 0) {
            *sent = (size_t)n;
            return KG_OK;
        }
        if (n < 0 && !retry_errno(errno)) return io_errno(errno);
        kg_err_t err = wait_sock(lw, s, WAIT_WRITE, deadline);
        if (err != KG_OK) return err;
    }
}

static kg_err_t port_recv(void *ctx, kg_sock_t s, uint8_t *buf, size_t cap, size_t *got,
                          uint32_t timeout_ms)
{
    const kg_port_lwip_t *lw = ctx;
    if (!buf || cap == 0 || !got) return KG_ERR_ARG; /* a recv of 0 bytes looks like a close */
    uint64_t deadline = now(lw) + timeout_ms;
    for (;;) {
        ssize_t n = lwip_recv(s, buf, cap, 0);
        if (n > 0) {
            *got = (size_t)n;
            return KG_OK;
        }
        if (n == 0) return KG_ERR_CLOSED;
        if (!retry_errno(errno)) return io_errno(errno);
        kg_err_t err = wait_sock(lw, s, WAIT_READ, deadline);
        if (err != KG_OK) return err;
    }
}

static void port_close(void *ctx, kg_sock_t s)
{
    (void)ctx;
    if (s >= 0) lwip_close(s);
}

/* ---- setup -------------------------------------------------------------- */

static bool os_complete(const kg_lwip_os_t *os)
{
    return os->now_ms && os->sleep_ms && os->random;
}

kg_err_t kg_port_lwip_init(kg_port_t *port, kg_port_lwip_t *lw)
{
    if (!port || !lw || !os_complete(&lw->os)) return KG_ERR_ARG;
    memset(port, 0, sizeof *port);
    port->ctx = lw;
    port->now_ms = port_now_ms;
    port->wall_time = lw->os.wall_time ? port_wall_time : NULL;
    port->sleep_ms = port_sleep_ms;
    port->random = port_random;
    port->sock_connect = port_connect;
    port->sock_send = port_send;
    port->sock_recv = port_recv;
    port->sock_close = port_close;
    port->log = lw->os.log ? port_log : NULL;
    port->flash = NULL;
    return KG_OK;
}

/* ---- the static hosts table --------------------------------------------- */

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Host names are case-insensitive (RFC 4343). */
static bool same_name(const char *a, const char *b)
{
    while (*a && ascii_lower(*a) == ascii_lower(*b)) {
        a++;
        b++;
    }
    return ascii_lower(*a) == ascii_lower(*b);
}

kg_err_t kg_lwip_hosts_resolve(void *ctx, const char *host, char *ip, size_t cap)
{
    const kg_lwip_hosts_t *table = ctx;
    if (!table || !host || !ip || cap == 0) return KG_ERR_ARG;
    for (size_t i = 0; i < table->count; i++) {
        const kg_lwip_host_t *h = &table->entries[i];
        if (!h->name || !h->ip || !same_name(h->name, host)) continue;
        size_t n = strlen(h->ip);
        if (n >= cap) return KG_ERR_NO_SPACE;
        memcpy(ip, h->ip, n + 1);
        return KG_OK;
    }
    return KG_ERR_NOT_FOUND;
}
