/*
 * kg_port_lwip.h - the generic FreeRTOS + lwIP port: a kg_port_t whose
 * sockets are lwIP's socket API (lwip_socket, lwip_connect, lwip_poll,
 * lwip_send, lwip_recv) and whose time, sleep, entropy and log come from
 * the RTOS through a small struct of hooks the integrator fills in.
 *
 * Nothing here includes an lwIP or RTOS header: application code includes
 * this file alone. kg_port_lwip.c is compiled with the firmware's own
 * lwipopts.h; it needs NO_SYS 0, LWIP_SOCKET and LWIP_TCP. Every wait is
 * bounded by what is left of the caller's deadline: an lwip_poll where
 * lwIP has it (LWIP_SOCKET_POLL, the default), else a retry every
 * KG_PORT_LWIP_RETRY_MS (10) with sleep_ms in between. LWIP_SO_RCVTIMEO
 * and LWIP_SO_SNDTIMEO are not needed. See port/lwip/README.md.
 *
 * Names: an IP literal ("192.0.2.1", "2001:db8::1") always works. Other
 * names go first to the optional resolve hook (for instance the static
 * hosts table below), then to lwip_getaddrinfo when the lwIP build has
 * LWIP_DNS; without either, sock_connect() returns KG_ERR_DNS. With
 * LWIP_DNS the lookup is lwIP's own: how long it waits (DNS_MAX_RETRIES)
 * is not cut to the connect timeout.
 *
 * Threads: call kgiot from one task (not the tcpip thread), after
 * tcpip_init() has finished and the netif is up.
 *
 * On FreeRTOS, port/freertos (kg_port_freertos.h) fills the OS hooks:
 *
 *   static kg_freertos_os_t rtos = {.trng = board_trng_read, .write_line = board_puts,
 *                                   .log_level = KG_LOG_WARN};
 *   static const kg_lwip_host_t hosts[] = {{"iot.example.com", "203.0.113.7"}};
 *   static kg_lwip_hosts_t host_table = {hosts, 1};
 *   static kg_port_lwip_t lwip_port = {
 *       .resolve = kg_lwip_hosts_resolve,      // optional; NULL: IP literals
 *       .resolve_ctx = &host_table,            //   (and DNS with LWIP_DNS)
 *   };
 *   static kg_port_t port;
 *
 *   kg_freertos_os_init(&lwip_port.os, &rtos);
 *   kg_port_lwip_init(&port, &lwip_port);
 *   port.flash = &my_flash;                    // optional, for kg_store
 *   kg_session_init(&session, &cfg, &port);
 */
#ifndef KG_PORT_LWIP_H
#define KG_PORT_LWIP_H

#include <stddef.h>
#include <stdint.h>

#include "kg_err.h"
#include "kg_port.h"

/* What the RTOS provides. now_ms, sleep_ms and random are required. */
typedef struct kg_lwip_os {
    void *ctx; /* passed back to every hook */
    /* Monotonic milliseconds, 64 bits: extend a wrapping tick count. */
    uint64_t (*now_ms)(void *ctx);
    /* Block the calling task for at least ms milliseconds. */
    void (*sleep_ms)(void *ctx, uint32_t ms);
    /* Cryptographic-quality random bytes (a TRNG): they seed mbedTLS. */
    kg_err_t (*random)(void *ctx, uint8_t *buf, size_t len);
    /* One log line without newline; may be NULL. Never handed a secret. */
    void (*log)(void *ctx, kg_log_level_t level, const char *msg);
    /* Unix seconds from an RTC or SNTP; may be NULL (kgiot then takes the
     * time from the platform's HTTP Date header). */
    kg_err_t (*wall_time)(void *ctx, int64_t *unix_s);
} kg_lwip_os_t;

/* Room for any IP literal the resolve hook writes, NUL included
 * (INET6_ADDRSTRLEN). */
#define KG_LWIP_IP_TEXT_MAX 46

/* Resolve host to an IP literal written into ip (cap bytes, NUL included).
 * KG_OK: ip holds the literal. KG_ERR_NOT_FOUND: this hook does not know
 * the name (DNS is tried next where lwIP has it). Anything else fails the
 * connect with KG_ERR_DNS. */
typedef kg_err_t (*kg_lwip_resolve_t)(void *ctx, const char *host, char *ip, size_t cap);

/* The port's state. The integrator fills it in (usually statically) and
 * keeps it alive as long as the kg_port_t; it becomes port->ctx. */
typedef struct kg_port_lwip {
    kg_lwip_os_t os;
    kg_lwip_resolve_t resolve; /* may be NULL */
    void *resolve_ctx;
} kg_port_lwip_t;

/* Fill *port with the lwIP port over lw (port->flash is left NULL: set it
 * afterwards if tokens are stored with kg_store). KG_ERR_ARG when a pointer
 * is NULL or a required OS hook is missing. */
kg_err_t kg_port_lwip_init(kg_port_t *port, kg_port_lwip_t *lw);

/* ---- A ready-made resolve hook: a static hosts table ---- */

typedef struct {
    const char *name; /* compared without regard to ASCII case */
    const char *ip;   /* an IP literal */
} kg_lwip_host_t;

typedef struct {
    const kg_lwip_host_t *entries;
    size_t count;
} kg_lwip_hosts_t;

/* A kg_lwip_resolve_t over a kg_lwip_hosts_t (ctx). KG_ERR_NOT_FOUND for a
 * name not in the table, KG_ERR_NO_SPACE when the literal does not fit. */
kg_err_t kg_lwip_hosts_resolve(void *ctx, const char *host, char *ip, size_t cap);

#endif
