/*
 * kg_tls.h - a kg_transport_t that runs TLS (Mbed TLS 2.28, 3.6 or 4.x)
 * over another kg_transport_t (normally kg_tcp).
 *
 * The server certificate is always verified against the configured CA and
 * the host name (SNI is sent with it); there is no switch to turn that off.
 * The CA is a PEM (NUL-terminated, length including the NUL, as mbedTLS
 * wants) or a DER buffer. A port may instead install trust itself through
 * the configure hook (ESP-IDF's certificate bundle, esp_crt_bundle_attach):
 * the CA is then optional, and verification is still required. The session of the last connection
 * is kept, and the next open() to the same host offers it for resumption, so a reconnect costs an
 * abbreviated handshake instead of a full one (TLS 1.3 tickets arrive after the handshake and are
 * picked up by recv()).
 *
 * Errors of open(): KG_ERR_STATE (already open), KG_ERR_ARG (host empty or
 * longer than CONFIG_KGIOT_HOST_MAX - 1), the lower transport's errors
 * (KG_ERR_DNS, KG_ERR_CONNECT, KG_ERR_TIMEOUT, KG_ERR_CLOSED, KG_ERR_IO),
 * KG_ERR_TLS_UNTRUSTED (the chain does not verify against the CA: wrong
 * CA, expired, ...), KG_ERR_TLS_NAME_MISMATCH (the chain verifies but the
 * certificate is for another host), KG_ERR_NO_MEMORY, KG_ERR_TLS_HANDSHAKE.
 * send()/recv(): KG_ERR_STATE (not open), KG_ERR_TIMEOUT, KG_ERR_CLOSED
 * (close_notify or EOF from the peer), KG_ERR_IO, KG_ERR_NO_MEMORY,
 * KG_ERR_TLS_IO. The deadline covers the whole call, however many records
 * it takes. On any error the raw mbedTLS code is in last_mbedtls_err.
 *
 * Memory: when mbedTLS is built with MBEDTLS_MEMORY_BUFFER_ALLOC_C,
 * kg_tls_pool_init() gives it a static pool of CONFIG_KGIOT_TLS_POOL_SIZE
 * bytes; kgiot itself never allocates.
 */
#ifndef KG_TLS_H
#define KG_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

/* Randomness. Mbed TLS 4.x has only PSA's generator, and a 3.6 built with
 * PSA uses it too: it is seeded by the entropy source the mbedTLS build is
 * configured with (the OS's, or a board's mbedtls_hardware_poll() /
 * mbedtls_platform_get_entropy()), and kg_tls does not call port->random.
 * 2.28, and 3.6 without PSA, get a CTR-DRBG of kg_tls's own seeded from
 * port->random. */
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_PSA_CRYPTO_C)
#define KG_TLS_PSA_RNG 1
#else
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#endif

#include "kg_config.h"
#include "kg_err.h"
#include "kg_port.h"
#include "kg_transport.h"

/* Zero it before filling it in ({0} or designated initializers): a field
 * left unset must read as "none". */
typedef struct {
    const uint8_t *ca; /* PEM (incl. the terminating NUL in ca_len) or DER */
    size_t ca_len;     /* NULL/0 allowed only with a configure hook */
    /* Optional: called by kg_tls_init() after kg_tls has set its defaults
     * (client, verification required, its CA if given, tickets) and before
     * mbedtls_ssl_setup(), to install trust (a certificate bundle) or tune
     * the configuration. It may set its own verify callback: kg_tls keeps
     * calling it, from its own. Its error is kg_tls_init()'s. Verification
     * stays required whatever it sets. */
    kg_err_t (*configure)(void *ctx, mbedtls_ssl_config *conf);
    void *configure_ctx;
} kg_tls_config_t;

/* Internal: kg_tls_hello.c's reader of the server's first record. */
typedef struct {
    uint8_t step, verdict;
    uint16_t ext_type;
    uint32_t left, value, msg_left, ext_left;
} kg_tls_hello_t;

/* A verify callback as mbedtls_ssl_conf_verify() takes it. */
typedef int (*kg_tls_verify_fn)(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags);

typedef struct {
    const kg_port_t *port;
    const kg_transport_t *lower;
    char hostname[CONFIG_KGIOT_HOST_MAX];
    bool open;
    bool have_session;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
#if !defined(KG_TLS_PSA_RNG)
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
#endif
    kg_tls_verify_fn hook_verify; /* a verify callback the configure hook set, chained */
    void *hook_verify_ctx;
    mbedtls_ssl_session session; /* kept for resumption, valid when have_session */
    uint64_t deadline_ms;        /* of the operation in progress (port->now_ms clock) */
    bool cert_seen;              /* the server sent a certificate: a full handshake */
    int last_mbedtls_err;        /* raw mbedTLS code of the last failure, for diagnostics */
    uint32_t verify_flags;       /* of the last handshake (MBEDTLS_X509_BADCERT_*) */
    /* Counters, for tests and benchmarks. A handshake is "resumed" when the
     * server accepted the offered session and so sent no certificate. */
    uint32_t handshakes_full;
    uint32_t handshakes_resumed;
    /* When mbedTLS's input records are smaller than TLS's 16 KB
     * (MBEDTLS_SSL_IN_CONTENT_LEN), kg_tls asks for max-fragment-length (the
     * largest of 512..4096 that fits) and counts TLS 1.2 handshakes whose
     * server agreed or ignored it (logged too). A server that ignored it may
     * send records the input buffer cannot take: the read then fails
     * (KG_ERR_TLS_IO). TLS 1.3 answers in encrypted messages: not counted. */
    uint32_t mfl_agreed;
    uint32_t mfl_ignored;
    kg_tls_hello_t hello; /* during a handshake that asks for it */
} kg_tls_t;

/* Give mbedTLS its static pool (once, before any kg_tls_init). A no-op
 * returning KG_OK when mbedTLS was built without a buffer allocator (it then
 * uses the platform's calloc, as Debian's host build does). */
kg_err_t kg_tls_pool_init(void);

/* Prepare t over lower and fill *tr with its transport interface. Parses the
 * CA (if given), seeds the random generator, runs cfg->configure (if set).
 * Errors: KG_ERR_ARG (no CA and no hook, ...), KG_ERR_TLS_CA, KG_ERR_TLS_SETUP,
 * KG_ERR_NO_MEMORY, or the hook's error. */
kg_err_t kg_tls_init(kg_tls_t *t, const kg_tls_config_t *cfg, const kg_port_t *port,
                     const kg_transport_t *lower, kg_transport_t *tr);

/* Release everything mbedTLS holds for t (closing the connection first).
 * Safe on NULL, on a zero-filled t, after a failed kg_tls_init and twice. */
void kg_tls_free(kg_tls_t *t);

#endif
