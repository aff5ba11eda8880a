/*
 * kg_port.h - the one contract between kgiot and the platform it runs on.
 *
 * The integrator fills in a kg_port_t (statically, usually const) and hands
 * it to kgiot. Nothing in components/ knows the OS: time, entropy, sockets,
 * logging and flash all go through these callbacks.
 * Every callback receives the port's own ctx pointer first.
 *
 * Ports shipped: port/posix (host and tests), port/lwip with port/freertos (any
 * FreeRTOS + lwIP firmware), port/esp_idf, port/zephyr.
 */
#ifndef KG_PORT_H
#define KG_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "kg_err.h"

/* A connected socket as the port knows it (a POSIX fd, an lwIP socket, a zsock). */
typedef int kg_sock_t;
#define KG_SOCK_INVALID (-1)

typedef enum {
    KG_LOG_ERROR = 1,
    KG_LOG_WARN = 2,
    KG_LOG_INFO = 3,
    KG_LOG_DEBUG = 4,
} kg_log_level_t;

/* A flash region with NOR semantics, for token storage (kg_store).
 * Addresses are offsets into the region. Erase sets a whole sector to 0xFF;
 * program can only clear bits (1 -> 0) and must be aligned to, and a
 * multiple of, program_unit bytes. A write interrupted by power loss may
 * leave any prefix of its bytes programmed. */
typedef struct kg_flash {
    void *ctx;
    uint32_t sector_size;  /* erase unit in bytes */
    uint32_t sector_count; /* at least 2 for power-safe storage */
    uint32_t program_unit; /* 1, 2, 4, 8 or 16 bytes */
    kg_err_t (*read)(void *ctx, uint32_t addr, void *buf, size_t len);
    kg_err_t (*program)(void *ctx, uint32_t addr, const void *buf, size_t len);
    kg_err_t (*erase)(void *ctx, uint32_t sector);
} kg_flash_t;

typedef struct kg_port {
    void *ctx; /* passed back to every callback */

    /* Monotonic milliseconds since an arbitrary origin; never goes backwards. */
    uint64_t (*now_ms)(void *ctx);
    /* Unix seconds from a trusted clock (RTC, SNTP). KG_ERR_NO_CLOCK when the
     * port does not know the time; kgiot then falls back to the platform's
     * HTTP Date header. May be NULL (same as always KG_ERR_NO_CLOCK). */
    kg_err_t (*wall_time)(void *ctx, int64_t *unix_s);
    /* Block the calling task for ms milliseconds. */
    void (*sleep_ms)(void *ctx, uint32_t ms);
    /* Fill buf with len bytes of cryptographic-quality randomness (feeds mbedTLS). */
    kg_err_t (*random)(void *ctx, uint8_t *buf, size_t len);

    /* Open a TCP connection to host:port (a name or an IP literal) within
     * timeout_ms. Errors: KG_ERR_DNS, KG_ERR_CONNECT, KG_ERR_TIMEOUT. */
    kg_err_t (*sock_connect)(void *ctx, kg_sock_t *out, const char *host, uint16_t port,
                             uint32_t timeout_ms);
    /* Send up to len bytes, waiting at most timeout_ms for room; *sent > 0 on
     * KG_OK. Errors: KG_ERR_TIMEOUT, KG_ERR_IO, KG_ERR_CLOSED. */
    kg_err_t (*sock_send)(void *ctx, kg_sock_t s, const uint8_t *buf, size_t len, size_t *sent,
                          uint32_t timeout_ms);
    /* Receive up to cap bytes, waiting at most timeout_ms for the first one;
     * *got > 0 on KG_OK. An orderly close by the peer is KG_ERR_CLOSED.
     * Errors: KG_ERR_TIMEOUT, KG_ERR_IO, KG_ERR_CLOSED. */
    kg_err_t (*sock_recv)(void *ctx, kg_sock_t s, uint8_t *buf, size_t cap, size_t *got,
                          uint32_t timeout_ms);
    void (*sock_close)(void *ctx, kg_sock_t s);

    /* One log line, without trailing newline. kgiot never passes a secret or
     * a token here. May be NULL (no logging). */
    void (*log)(void *ctx, kg_log_level_t level, const char *msg);

    /* The flash region tokens are stored in; NULL when the integrator
     * stores them some other way (kg_token_store_t of kg_session.h). */
    const kg_flash_t *flash;
} kg_port_t;

#endif
