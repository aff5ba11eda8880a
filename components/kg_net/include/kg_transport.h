/*
 * kg_transport.h - the byte-stream interface the HTTP client drives.
 *
 * Implemented by the plain socket transport (kg_tcp.h) and by TLS (kg_tls.h),
 * and by in-memory doubles in tests. Like coreHTTP's TransportInterface_t:
 * a struct of callbacks plus the implementation's own context.
 * Timeouts are relative milliseconds; the caller computes them from its deadline.
 */
#ifndef KG_TRANSPORT_H
#define KG_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "kg_err.h"

typedef struct kg_transport {
    void *ctx;
    /* Open a connection to host:port. On a transport that is already open
     * this is an error (KG_ERR_STATE). */
    kg_err_t (*open)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms);
    /* Send all len bytes or fail. Errors: KG_ERR_TIMEOUT, KG_ERR_IO,
     * KG_ERR_CLOSED, KG_ERR_TLS_IO. */
    kg_err_t (*send)(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms);
    /* Receive 1..cap bytes into buf (*got > 0 on KG_OK). An orderly close by
     * the peer is KG_ERR_CLOSED. */
    kg_err_t (*recv)(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms);
    /* Close the connection; safe to call when not open. */
    void (*close)(void *ctx);
} kg_transport_t;

#endif
