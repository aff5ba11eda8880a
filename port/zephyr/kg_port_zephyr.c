/*
 * kg_port_zephyr.c - the Zephyr port (see kg_port_zephyr.h): kernel time,
 * sleep and entropy, Zephyr's log, and TCP over zsock_* sockets made
 * non-blocking, every wait a zsock_poll bounded by the caller's deadline
 * (a blocking zsock_connect waits CONFIG_NET_SOCKETS_CONNECT_TIMEOUT, not
 * the caller's timeout).
 */
#include "kg_port_zephyr.h"
#include "kg_zephyr_priv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/net/socket.h>
#include <zephyr/random/random.h>

/* Zephyr's log levels are kgiot's: 0 off, 1 error, 2 warning, 3 info, 4 debug. */
LOG_MODULE_REGISTER(kgiot, CONFIG_KGIOT_LOG_LEVEL);

/* sys/fdtable.h (included by net/socket.h) names these ZVFS_* in current
 * Zephyr; older releases took F_SETFL and O_NONBLOCK from the C library,
 * with the same values. */
#ifndef ZVFS_F_SETFL
#define ZVFS_F_SETFL 4
#endif
#ifndef ZVFS_O_NONBLOCK
#define ZVFS_O_NONBLOCK 0x4000
#endif

/* ---- time, entropy, log ------------------------------------------------- */

static uint64_t z_now_ms(void *ctx)
{
    (void)ctx;
    return (uint64_t)k_uptime_get(); /* milliseconds since boot, never negative */
}

static void z_sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    /* k_msleep takes an int32_t. */
    while (ms > (uint32_t)INT32_MAX) {
        k_msleep(INT32_MAX);
        ms -= (uint32_t)INT32_MAX;
    }
    k_msleep((int32_t)ms);
}

static kg_err_t z_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    return sys_csrand_get(buf, len) == 0 ? KG_OK : KG_ERR_IO;
}

static void z_log(void *ctx, kg_log_level_t level, const char *msg)
{
    (void)ctx;
    switch (level) {
    case KG_LOG_ERROR: LOG_ERR("%s", msg); break;
    case KG_LOG_WARN: LOG_WRN("%s", msg); break;
    case KG_LOG_INFO: LOG_INF("%s", msg); break;
    default: LOG_DBG("%s", msg); break;
    }
}

/* ---- sockets ------------------------------------------------------------ */

/* What is left until deadline, as zsock_poll's int timeout (0: no wait). */
static int ms_left(uint64_t deadline)
{
    uint64_t now = z_now_ms(NULL);
    if (now >= deadline) return 0;
    uint64_t left = deadline - now;
    return left > INT32_MAX ? INT32_MAX : (int)left;
}

static kg_err_t wait_sock(int s, short events, uint64_t deadline)
{
    struct zsock_pollfd p = {.fd = s, .events = events, .revents = 0};
    int n = zsock_poll(&p, 1, ms_left(deadline));
    if (n > 0) return KG_OK;
    return n == 0 ? KG_ERR_TIMEOUT : KG_ERR_IO;
}

static kg_err_t connect_errno(int err)
{
    return err == ETIMEDOUT ? KG_ERR_TIMEOUT : KG_ERR_CONNECT;
}

/* The connect is in progress: wait for it, then ask how it went. */
static kg_err_t finish_connect(int s, uint64_t deadline)
{
    kg_err_t err = wait_sock(s, ZSOCK_POLLOUT, deadline);
    if (err != KG_OK) return err == KG_ERR_IO ? KG_ERR_CONNECT : err;
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (zsock_getsockopt(s, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) return KG_ERR_CONNECT;
    return so_error == 0 ? KG_OK : connect_errno(so_error);
}

static kg_err_t start_connect(int s, const struct zsock_addrinfo *ai, uint64_t deadline)
{
    if (zsock_fcntl(s, ZVFS_F_SETFL, ZVFS_O_NONBLOCK) != 0) return KG_ERR_CONNECT;
    if (zsock_connect(s, ai->ai_addr, ai->ai_addrlen) == 0) return KG_OK;
    if (errno != EINPROGRESS) return connect_errno(errno);
    return finish_connect(s, deadline);
}

static kg_err_t connect_one(const struct zsock_addrinfo *ai, uint64_t deadline, kg_sock_t *out)
{
    int s = zsock_socket(ai->ai_family, SOCK_STREAM, IPPROTO_TCP);
    if (s < 0) {
        LOG_ERR("no free socket (CONFIG_NET_MAX_CONTEXTS, CONFIG_ZVFS_OPEN_MAX)");
        return KG_ERR_CONNECT;
    }
    kg_err_t err = start_connect(s, ai, deadline);
    if (err != KG_OK) {
        zsock_close(s);
        return err;
    }
    /* Requests are written whole: no point waiting for Nagle. */
    int one = 1;
    (void)zsock_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *out = s;
    return KG_OK;
}

static kg_err_t z_connect(void *ctx, kg_sock_t *out, const char *host, uint16_t port,
                          uint32_t timeout_ms)
{
    (void)ctx;
    if (!out || !host || !*host) return KG_ERR_ARG;
    uint64_t deadline = z_now_ms(NULL) + timeout_ms;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct zsock_addrinfo hints;
    struct zsock_addrinfo *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (zsock_getaddrinfo(host, service, &hints, &list) != 0 || !list) return KG_ERR_DNS;
    kg_err_t err = KG_ERR_CONNECT;
    for (const struct zsock_addrinfo *ai = list; ai; ai = ai->ai_next) {
        err = connect_one(ai, deadline, out);
        if (err == KG_OK || ms_left(deadline) == 0) break;
    }
    zsock_freeaddrinfo(list);
    return err;
}

static kg_err_t io_errno(int err)
{
    if (err == ECONNRESET || err == ECONNABORTED || err == ENOTCONN || err == EPIPE)
        return KG_ERR_CLOSED;
    return KG_ERR_IO;
}

/* After a send or recv that had nothing to do: try again until the deadline. */
static kg_err_t after_retry(int err, uint64_t deadline)
{
    if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR) return io_errno(err);
    return ms_left(deadline) > 0 ? KG_OK : KG_ERR_TIMEOUT;
}

static kg_err_t z_send(void *ctx, kg_sock_t s, const uint8_t *buf, size_t len, size_t *sent,
                       uint32_t timeout_ms)
{
    (void)ctx;
    if (!buf || len == 0 || !sent) return KG_ERR_ARG; /* a send of 0 bytes would spin */
    uint64_t deadline = z_now_ms(NULL) + timeout_ms;
    for (;;) {
        kg_err_t err = wait_sock(s, ZSOCK_POLLOUT, deadline);
        if (err != KG_OK) return err;
        ssize_t n = zsock_send(s, buf, len, 0);
        if (n > 0) {
            *sent = (size_t)n;
            return KG_OK;
        }
        err = after_retry(n < 0 ? errno : EAGAIN, deadline);
        if (err != KG_OK) return err;
    }
}

static kg_err_t z_recv(void *ctx, kg_sock_t s, uint8_t *buf, size_t cap, size_t *got,
                       uint32_t timeout_ms)
{
    (void)ctx;
    if (!buf || cap == 0 || !got) return KG_ERR_ARG; /* a recv of 0 bytes looks like a close */
    uint64_t deadline = z_now_ms(NULL) + timeout_ms;
    for (;;) {
        kg_err_t err = wait_sock(s, ZSOCK_POLLIN, deadline);
        if (err != KG_OK) return err;
        ssize_t n = zsock_recv(s, buf, cap, 0);
        if (n > 0) {
            *got = (size_t)n;
            return KG_OK;
        }
        if (n == 0) return KG_ERR_CLOSED;
        err = after_retry(errno, deadline);
        if (err != KG_OK) return err;
    }
}

static void z_close(void *ctx, kg_sock_t s)
{
    (void)ctx;
    if (s != KG_SOCK_INVALID) zsock_close(s);
}

/* ---- setup -------------------------------------------------------------- */

kg_err_t kg_port_zephyr_init(kg_port_t *port)
{
    if (!port) return KG_ERR_ARG;
    memset(port, 0, sizeof *port);
    port->now_ms = z_now_ms;
    port->wall_time = NULL; /* no wall clock: the HTTP Date header sets it */
    port->sleep_ms = z_sleep_ms;
    port->random = z_random;
    port->sock_connect = z_connect;
    port->sock_send = z_send;
    port->sock_recv = z_recv;
    port->sock_close = z_close;
    port->log = z_log;
    port->flash = NULL;
    return KG_OK;
}

kg_err_t kg_port_zephyr_store_init(kg_port_zephyr_t *zp, kg_token_store_t *out)
{
    if (!zp || !out) return KG_ERR_ARG;
#if defined(CONFIG_KGIOT_ZEPHYR_STORE_SETTINGS)
    return kg_zephyr_settings_store_init(&zp->store.settings, CONFIG_KGIOT_ZEPHYR_SETTINGS_KEY,
                                         out);
#elif defined(CONFIG_KGIOT_ZEPHYR_STORE_FLASH_AREA)
    return kg_zephyr_partition_store_init(zp, out);
#else
    return KG_ERR_NOT_FOUND;
#endif
}
