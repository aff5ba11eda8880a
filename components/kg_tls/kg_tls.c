/*
 * kg_tls.c - kg_transport_t over another kg_transport_t with Mbed TLS
 * (2.28, 3.6 or 4.x): verification required, SNI, session resumption, one
 * deadline per call shared by every record it takes. What differs between
 * the versions (randomness, allocation error codes) stays in this file.
 */
#include "kg_tls.h"

#include <string.h>

#include "kg_tls_hello.h"

#include <mbedtls/version.h>
#if MBEDTLS_VERSION_MAJOR >= 3
#include <mbedtls/build_info.h>
#elif !defined(MBEDTLS_CONFIG_FILE)
#include <mbedtls/config.h>
#endif /* else 2.28's version.h has already included MBEDTLS_CONFIG_FILE */

#include <mbedtls/net_sockets.h> /* only for the MBEDTLS_ERR_NET_* codes the bio returns */
#include <mbedtls/x509.h>
#if MBEDTLS_VERSION_MAJOR < 4 /* 4.x: every *_ALLOC_FAILED is PSA_ERROR_INSUFFICIENT_MEMORY */
#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/cipher.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#define KG_TLS_SPLIT_ERROR_CODES 1
#endif
#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
#include <mbedtls/memory_buffer_alloc.h>
#endif

/* TLS 1.3 (3.x) runs on PSA; 2.28 only needs it when told to use it. */
#if defined(MBEDTLS_PSA_CRYPTO_C) && (MBEDTLS_VERSION_MAJOR >= 3 || defined(MBEDTLS_USE_PSA_CRYPTO))
#define KG_TLS_NEEDS_PSA 1
#include <psa/crypto.h>
#endif
#if defined(KG_TLS_PSA_RNG) && MBEDTLS_VERSION_MAJOR < 4
#include <mbedtls/psa_util.h> /* mbedtls_psa_get_random */
#endif

/* 2.28 has no private-member markers. */
#if !defined(MBEDTLS_PRIVATE)
#define MBEDTLS_PRIVATE(member) member
#endif

/* Input records below TLS's 16 KB need the server's promise to send no
 * bigger ones: the largest max-fragment-length that fits. */
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH) && MBEDTLS_SSL_IN_CONTENT_LEN < 16384
#define KG_TLS_MFL_CODE                                                                            \
    (MBEDTLS_SSL_IN_CONTENT_LEN >= 4096   ? MBEDTLS_SSL_MAX_FRAG_LEN_4096                          \
     : MBEDTLS_SSL_IN_CONTENT_LEN >= 2048 ? MBEDTLS_SSL_MAX_FRAG_LEN_2048                          \
     : MBEDTLS_SSL_IN_CONTENT_LEN >= 1024 ? MBEDTLS_SSL_MAX_FRAG_LEN_1024                          \
                                          : MBEDTLS_SSL_MAX_FRAG_LEN_512)
#endif

/* close_notify is a courtesy: a dead link must not stall close(). */
#define KG_TLS_CLOSE_NOTIFY_MS 200u

/* ---- logging ------------------------------------------------------------ */

/* Appends s to line[*n..cap - 1), keeping room for the NUL. */
static void put(char *line, size_t cap, size_t *n, const char *s)
{
    while (*s && *n + 1 < cap)
        line[(*n)++] = *s++;
}

/* "tls: <what>: -0x2700": the code only, never key material or data. Built
 * by hand: snprintf would pull newlib's printf engine (and its malloc) into
 * a firmware image for one log line. */
static void tls_log(const kg_tls_t *t, kg_log_level_t level, const char *what, int code)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!t->port->log || (int)level > CONFIG_KGIOT_LOG_LEVEL) return;
    char line[80], digits[9];
    size_t n = 0, d = sizeof digits - 1;
    unsigned long magnitude = code < 0 ? 0ul - (unsigned long)code : (unsigned long)code;
    digits[d] = '\0';
    do {
        digits[--d] = hex[magnitude & 15];
        magnitude >>= 4;
    } while ((magnitude || d > sizeof digits - 5) && d > 0);
    put(line, sizeof line, &n, "tls: ");
    put(line, sizeof line, &n, what);
    put(line, sizeof line, &n, code < 0 ? ": -0x" : ": 0x");
    put(line, sizeof line, &n, digits + d);
    line[n] = '\0';
    t->port->log(t->port->ctx, level, line);
}

/* ---- error mapping ------------------------------------------------------ */

#if defined(KG_TLS_SPLIT_ERROR_CODES)
/* mbedTLS codes add a high-level part (bits 7..14) and a low-level part
 * (bits 0..6); an allocation failure may sit in either. */
static bool is_high_alloc_failure(int high)
{
    return high == MBEDTLS_ERR_SSL_ALLOC_FAILED || high == MBEDTLS_ERR_X509_ALLOC_FAILED ||
           high == MBEDTLS_ERR_PK_ALLOC_FAILED || high == MBEDTLS_ERR_ECP_ALLOC_FAILED ||
           high == MBEDTLS_ERR_MD_ALLOC_FAILED || high == MBEDTLS_ERR_CIPHER_ALLOC_FAILED;
}

static bool is_alloc_failure(int code)
{
#if defined(KG_TLS_NEEDS_PSA)
    if (code == PSA_ERROR_INSUFFICIENT_MEMORY) return true;
#endif
    int magnitude = -code;
    if (magnitude >= 0x80 && magnitude <= 0xFF) return false; /* PSA's range: not split */
    int low = -(magnitude & 0x007F);
    return is_high_alloc_failure(-(magnitude & 0x7F80)) || low == MBEDTLS_ERR_MPI_ALLOC_FAILED ||
           low == MBEDTLS_ERR_ASN1_ALLOC_FAILED;
}
#else
static bool is_alloc_failure(int code)
{
    return code == PSA_ERROR_INSUFFICIENT_MEMORY;
}
#endif

static bool is_peer_close(int code)
{
    return code == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || code == MBEDTLS_ERR_SSL_CONN_EOF ||
           code == MBEDTLS_ERR_NET_CONN_RESET;
}

/* The mappings shared by the handshake and the data phase; KG_OK if none. */
static kg_err_t common_error(int code)
{
    if (code == MBEDTLS_ERR_SSL_TIMEOUT) return KG_ERR_TIMEOUT;
    if (is_peer_close(code)) return KG_ERR_CLOSED;
    if (code == MBEDTLS_ERR_NET_SEND_FAILED || code == MBEDTLS_ERR_NET_RECV_FAILED)
        return KG_ERR_IO;
    if (is_alloc_failure(code)) return KG_ERR_NO_MEMORY;
    return KG_OK;
}

static kg_err_t setup_error(int code)
{
    return is_alloc_failure(code) ? KG_ERR_NO_MEMORY : KG_ERR_TLS_SETUP;
}

/* A chain that verifies but names another host is a name mismatch; any
 * other flag (not trusted, expired, ...) means the chain itself failed. */
static kg_err_t verify_error(uint32_t flags)
{
    uint32_t name = MBEDTLS_X509_BADCERT_CN_MISMATCH;
    return (flags & name) && !(flags & ~name) ? KG_ERR_TLS_NAME_MISMATCH : KG_ERR_TLS_UNTRUSTED;
}

static kg_err_t handshake_error(int code, uint32_t verify_flags)
{
    kg_err_t err = common_error(code);
    if (err != KG_OK) return err;
    /* Pool exhaustion during chain verification also ends up here (as
     * "not trusted"): size the pool before believing a verify error. */
    if (code == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) return verify_error(verify_flags);
    return KG_ERR_TLS_HANDSHAKE;
}

static kg_err_t data_error(int code)
{
    kg_err_t err = common_error(code);
    return err != KG_OK ? err : KG_ERR_TLS_IO;
}

/* Record the raw code, log it, hand back the kgiot error. */
static kg_err_t fail(kg_tls_t *t, const char *what, int code, kg_err_t err)
{
    t->last_mbedtls_err = code;
    tls_log(t, err == KG_ERR_CLOSED ? KG_LOG_DEBUG : KG_LOG_WARN, what, code);
    return err;
}

/* ---- deadline and the bio callbacks -------------------------------------- */

static void start_deadline(kg_tls_t *t, uint32_t timeout_ms)
{
    const uint64_t now = t->port->now_ms(t->port->ctx); /* any origin: saturate, never wrap */
    t->deadline_ms = now > UINT64_MAX - timeout_ms ? UINT64_MAX : now + timeout_ms;
}

static uint32_t ms_left(const kg_tls_t *t)
{
    uint64_t now = t->port->now_ms(t->port->ctx);
    if (now >= t->deadline_ms) return 0;
    uint64_t left = t->deadline_ms - now;
    return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

static int lower_error(kg_err_t err, int io_failed)
{
    if (err == KG_ERR_TIMEOUT) return MBEDTLS_ERR_SSL_TIMEOUT;
    if (err == KG_ERR_CLOSED) return MBEDTLS_ERR_NET_CONN_RESET;
    return io_failed;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    kg_tls_t *t = ctx;
    uint32_t left = ms_left(t);
    if (left == 0) return MBEDTLS_ERR_SSL_TIMEOUT;
    kg_err_t err = t->lower->send(t->lower->ctx, buf, len, left);
    return err == KG_OK ? (int)len : lower_error(err, MBEDTLS_ERR_NET_SEND_FAILED);
}

/* mbedTLS's own read timeout is never configured (0): our deadline rules. */
static int bio_recv(void *ctx, unsigned char *buf, size_t len, uint32_t mbedtls_timeout_ms)
{
    (void)mbedtls_timeout_ms;
    kg_tls_t *t = ctx;
    uint32_t left = ms_left(t);
    if (left == 0) return MBEDTLS_ERR_SSL_TIMEOUT;
    size_t got = 0;
    kg_err_t err = t->lower->recv(t->lower->ctx, buf, len, &got, left);
    if (err == KG_OK) {
        if (kg_tls_hello_verdict(&t->hello) == KG_TLS_HELLO_PENDING)
            kg_tls_hello_feed(&t->hello, buf, got);
        return (int)got;
    }
    /* 0 is EOF to mbedTLS: it answers MBEDTLS_ERR_SSL_CONN_EOF. */
    return err == KG_ERR_CLOSED ? 0 : lower_error(err, MBEDTLS_ERR_NET_RECV_FAILED);
}

/* Called for every certificate of a chain the server sends; a resumed
 * handshake sends none, which is how resumption is told from a full one
 * with the public API of 2.28, 3.6 and 4.x (a resumed session carries the
 * first one's peer certificate, so its presence tells nothing). Verification
 * itself is mbedTLS's, or the configure hook's callback, called from here. */
static int note_certificate(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    kg_tls_t *t = ctx;
    t->cert_seen = true;
    return t->hook_verify ? t->hook_verify(t->hook_verify_ctx, crt, depth, flags) : 0;
}

/* ---- sessions ------------------------------------------------------------ */

static void forget_session(kg_tls_t *t)
{
    mbedtls_ssl_session_free(&t->session);
    mbedtls_ssl_session_init(&t->session);
    t->have_session = false;
}

static void take_session(kg_tls_t *t)
{
    forget_session(t);
    int rc = mbedtls_ssl_get_session(&t->ssl, &t->session);
    if (rc == 0) {
        t->have_session = true;
        return;
    }
    forget_session(t);
    tls_log(t, KG_LOG_DEBUG, "no session to keep", rc);
}

/* After a handshake: a TLS 1.2 session is ready now; a TLS 1.3 one comes
 * as tickets after the handshake (recv() takes them), and the ticket just
 * used must not be offered again. */
static void keep_session(kg_tls_t *t)
{
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    if (mbedtls_ssl_get_version_number(&t->ssl) == MBEDTLS_SSL_VERSION_TLS1_3) {
        forget_session(t);
        return;
    }
#endif
    take_session(t);
}

/* strlen that stops looking at cap. */
static size_t bounded_len(const char *s, size_t cap)
{
    size_t n = 0;
    while (n < cap && s[n] != '\0')
        n++;
    return n;
}

/* The session is only offered to the host it came from. */
static kg_err_t remember_host(kg_tls_t *t, const char *host)
{
    size_t len = host ? bounded_len(host, sizeof t->hostname) : 0;
    if (len == 0 || len == sizeof t->hostname) return KG_ERR_ARG;
    if (strcmp(host, t->hostname) == 0) return KG_OK;
    forget_session(t);
    memcpy(t->hostname, host, len + 1);
    return KG_OK;
}

static kg_err_t offer_session(kg_tls_t *t)
{
    int rc = mbedtls_ssl_set_hostname(&t->ssl, t->hostname);
    if (rc != 0) return fail(t, "set_hostname", rc, setup_error(rc));
    if (!t->have_session) return KG_OK;
    rc = mbedtls_ssl_set_session(&t->ssl, &t->session);
    if (rc != 0) { /* not fatal: a full handshake follows */
        tls_log(t, KG_LOG_WARN, "session not offered", rc);
        forget_session(t);
    }
    return KG_OK;
}

/* ---- the transport ------------------------------------------------------- */

static bool want_more(int rc)
{
    return rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE;
}

/* ---- max-fragment-length --------------------------------------------------- */

static int request_mfl(mbedtls_ssl_config *conf)
{
#if defined(KG_TLS_MFL_CODE)
    return mbedtls_ssl_conf_max_frag_len(conf, KG_TLS_MFL_CODE);
#else
    (void)conf;
    return 0;
#endif
}

static void watch_hello(kg_tls_t *t)
{
#if defined(KG_TLS_MFL_CODE)
    kg_tls_hello_start(&t->hello);
#else
    (void)t;
#endif
}

/* What the ServerHello said about the requested record size (TLS 1.2; 1.3
 * answers in encrypted messages, which kg_tls does not read). */
static void note_hello(kg_tls_t *t)
{
    kg_tls_hello_verdict_t v = kg_tls_hello_verdict(&t->hello);
    t->hello.verdict = KG_TLS_HELLO_UNKNOWN; /* read nothing more */
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    if (mbedtls_ssl_get_version_number(&t->ssl) == MBEDTLS_SSL_VERSION_TLS1_3) return;
#endif
    if (v == KG_TLS_HELLO_AGREED) {
        t->mfl_agreed++;
        tls_log(t, KG_LOG_INFO, "max-fragment-length agreed, bytes", MBEDTLS_SSL_IN_CONTENT_LEN);
    } else if (v == KG_TLS_HELLO_ABSENT) {
        t->mfl_ignored++;
        tls_log(t, KG_LOG_WARN, "server ignored max-fragment-length, bytes",
                MBEDTLS_SSL_IN_CONTENT_LEN);
    }
}

static kg_err_t handshake(kg_tls_t *t)
{
    int rc;
    t->cert_seen = false;
    watch_hello(t);
    while ((rc = mbedtls_ssl_handshake(&t->ssl)) != 0) {
        if (!want_more(rc)) break;
        if (ms_left(t) == 0) {
            rc = MBEDTLS_ERR_SSL_TIMEOUT;
            break;
        }
    }
    t->verify_flags = mbedtls_ssl_get_verify_result(&t->ssl);
    if (rc != 0) {
        t->hello.verdict = KG_TLS_HELLO_UNKNOWN; /* read nothing more */
        kg_err_t err = fail(t, "handshake", rc, handshake_error(rc, t->verify_flags));
        if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
            tls_log(t, KG_LOG_WARN, "verify flags", (int)t->verify_flags);
        return err;
    }
    note_hello(t);
    if (t->cert_seen)
        t->handshakes_full++;
    else
        t->handshakes_resumed++;
    return KG_OK;
}

static void reset_context(kg_tls_t *t)
{
    int rc = mbedtls_ssl_session_reset(&t->ssl);
    if (rc != 0) tls_log(t, KG_LOG_ERROR, "session reset", rc);
}

static kg_err_t tls_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    kg_tls_t *t = ctx;
    if (t->open) return KG_ERR_STATE;
    kg_err_t err = remember_host(t, host);
    if (err != KG_OK) return err;
    start_deadline(t, timeout_ms);
    err = t->lower->open(t->lower->ctx, host, port, timeout_ms);
    if (err != KG_OK) return err;
    err = offer_session(t);
    if (err == KG_OK) err = handshake(t);
    if (err != KG_OK) {
        t->lower->close(t->lower->ctx);
        reset_context(t);
        return err;
    }
    keep_session(t);
    t->open = true;
    return KG_OK;
}

/* KG_OK if the call should be repeated (time permitting), else the error. */
static kg_err_t retry_or_fail(kg_tls_t *t, const char *what, int rc)
{
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
    if (rc == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
        take_session(t); /* TLS 1.3: the newest ticket is the one to resume with */
        rc = MBEDTLS_ERR_SSL_WANT_READ;
    }
#endif
    if (!want_more(rc)) return fail(t, what, rc, data_error(rc));
    if (ms_left(t) == 0) return fail(t, what, MBEDTLS_ERR_SSL_TIMEOUT, KG_ERR_TIMEOUT);
    return KG_OK;
}

static kg_err_t tls_send(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    kg_tls_t *t = ctx;
    if (!t->open) return KG_ERR_STATE;
    start_deadline(t, timeout_ms);
    while (len > 0) {
        int rc = mbedtls_ssl_write(&t->ssl, buf, len);
        if (rc > 0) {
            buf += rc;
            len -= (size_t)rc;
            continue;
        }
        kg_err_t err = retry_or_fail(t, "write", rc);
        if (err != KG_OK) return err;
    }
    return KG_OK;
}

static kg_err_t tls_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    kg_tls_t *t = ctx;
    if (!t->open) return KG_ERR_STATE;
    if (cap == 0) return KG_ERR_ARG;
    start_deadline(t, timeout_ms);
    for (;;) {
        int rc = mbedtls_ssl_read(&t->ssl, buf, cap);
        if (rc > 0) {
            *got = (size_t)rc;
            return KG_OK;
        }
        /* 0: the transport closed without close_notify. */
        if (rc == 0) return fail(t, "read", MBEDTLS_ERR_SSL_CONN_EOF, KG_ERR_CLOSED);
        kg_err_t err = retry_or_fail(t, "read", rc);
        if (err != KG_OK) return err;
    }
}

static void tls_close(void *ctx)
{
    kg_tls_t *t = ctx;
    if (t->open) {
        start_deadline(t, KG_TLS_CLOSE_NOTIFY_MS);
        (void)mbedtls_ssl_close_notify(&t->ssl); /* best effort */
        reset_context(t);
    }
    t->lower->close(t->lower->ctx);
    t->open = false;
}

/* ---- set-up --------------------------------------------------------------- */

static kg_err_t setup_psa(kg_tls_t *t)
{
#if defined(KG_TLS_NEEDS_PSA)
    psa_status_t st = psa_crypto_init(); /* idempotent */
    if (st != PSA_SUCCESS) return fail(t, "psa_crypto_init", (int)st, setup_error((int)st));
#else
    (void)t;
#endif
    return KG_OK;
}

static kg_err_t setup_ca(kg_tls_t *t, const kg_tls_config_t *cfg)
{
    if (!cfg->ca) return KG_OK; /* the configure hook installs trust */
    int rc = mbedtls_x509_crt_parse(&t->ca, cfg->ca, cfg->ca_len);
    if (rc > 0) /* a PEM bundle where some certificates parsed and rc did not */
        tls_log(t, KG_LOG_WARN, "CA certificates skipped", rc);
    if (rc >= 0) return KG_OK;
    return fail(t, "CA parse", rc, is_alloc_failure(rc) ? KG_ERR_NO_MEMORY : KG_ERR_TLS_CA);
}

/* ---- randomness: the one place the three generations differ ----------- */

#if MBEDTLS_VERSION_MAJOR >= 4
/* TLS draws from PSA's generator by itself: nothing to set. */
static kg_err_t setup_rng(kg_tls_t *t)
{
    (void)t;
    return KG_OK;
}
#elif defined(KG_TLS_PSA_RNG)
static kg_err_t setup_rng(kg_tls_t *t)
{
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_psa_get_random, MBEDTLS_PSA_RANDOM_STATE);
    return KG_OK;
}
#else
static const char kg_tls_personalization[] = "kgiot-tls-client";

static int entropy_from_port(void *ctx, unsigned char *out, size_t len, size_t *olen)
{
    const kg_tls_t *t = ctx;
    if (t->port->random(t->port->ctx, out, len) != KG_OK) return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    *olen = len;
    return 0;
}

static kg_err_t setup_rng(kg_tls_t *t)
{
    int rc = mbedtls_entropy_add_source(&t->entropy, entropy_from_port, t,
                                        MBEDTLS_ENTROPY_BLOCK_SIZE, MBEDTLS_ENTROPY_SOURCE_STRONG);
    if (rc == 0)
        rc = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
                                   (const unsigned char *)kg_tls_personalization,
                                   sizeof kg_tls_personalization - 1);
    if (rc != 0) return fail(t, "entropy/DRBG", rc, setup_error(rc));
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    return KG_OK;
}
#endif

static void enable_tickets(mbedtls_ssl_config *conf)
{
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    mbedtls_ssl_conf_session_tickets(conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3) &&                                                           \
    defined(MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED)
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
        conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
#else
    (void)conf;
#endif
}

/* The port's hook, then what must hold whatever it did: verification
 * required, and kg_tls's callback first in line (chaining the hook's), so
 * that full and resumed handshakes are still counted. mbedTLS has no getter
 * for the configured callback: its fields are read directly. */
static kg_err_t run_hook(kg_tls_t *t, const kg_tls_config_t *cfg)
{
    if (!cfg->configure) return KG_OK;
    kg_err_t err = cfg->configure(cfg->configure_ctx, &t->conf);
    if (err != KG_OK) {
        tls_log(t, KG_LOG_WARN, "configure hook: kg_err", (int)err);
        return err;
    }
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    if (t->conf.MBEDTLS_PRIVATE(f_vrfy) != note_certificate) {
        t->hook_verify = t->conf.MBEDTLS_PRIVATE(f_vrfy);
        t->hook_verify_ctx = t->conf.MBEDTLS_PRIVATE(p_vrfy);
        mbedtls_ssl_conf_verify(&t->conf, note_certificate, t);
    }
    return KG_OK;
}

static kg_err_t setup_ssl(kg_tls_t *t, const kg_tls_config_t *cfg)
{
    int rc = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
                                         MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0) return fail(t, "config", rc, setup_error(rc));
    /* Verification is not optional: nothing in kgiot sets another mode. */
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    if (cfg->ca) mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_verify(&t->conf, note_certificate, t);
    enable_tickets(&t->conf);
    rc = request_mfl(&t->conf);
    if (rc != 0) return fail(t, "max-fragment-length", rc, setup_error(rc));
    kg_err_t err = setup_rng(t);
    if (err == KG_OK) err = run_hook(t, cfg);
    if (err != KG_OK) return err;
    rc = mbedtls_ssl_setup(&t->ssl, &t->conf);
    if (rc != 0) return fail(t, "ssl setup", rc, setup_error(rc));
    mbedtls_ssl_set_bio(&t->ssl, t, bio_send, NULL, bio_recv);
    return KG_OK;
}

static void init_contexts(kg_tls_t *t)
{
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_x509_crt_init(&t->ca);
#if !defined(KG_TLS_PSA_RNG)
    mbedtls_entropy_init(&t->entropy);
    mbedtls_ctr_drbg_init(&t->drbg);
#endif
    mbedtls_ssl_session_init(&t->session);
}

static void free_contexts(kg_tls_t *t)
{
    mbedtls_ssl_session_free(&t->session);
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
#if !defined(KG_TLS_PSA_RNG)
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_entropy_free(&t->entropy);
#endif
    mbedtls_x509_crt_free(&t->ca);
    t->have_session = false;
}

static bool args_ok(const kg_tls_t *t, const kg_tls_config_t *cfg, const kg_port_t *port,
                    const kg_transport_t *lower, const kg_transport_t *tr)
{
    if (!t || !cfg || !port || !lower || !tr) return false;
    bool ca_ok = cfg->ca ? cfg->ca_len > 0 : cfg->configure != NULL;
    return ca_ok && port->now_ms && port->random;
}

#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
static unsigned char kg_tls_pool[CONFIG_KGIOT_TLS_POOL_SIZE];
static bool kg_tls_pool_ready;
#endif

kg_err_t kg_tls_pool_init(void)
{
#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
    /* Once only: a second init would hand the pool out again under live blocks. */
    if (!kg_tls_pool_ready) mbedtls_memory_buffer_alloc_init(kg_tls_pool, sizeof kg_tls_pool);
    kg_tls_pool_ready = true;
#endif
    return KG_OK;
}

kg_err_t kg_tls_init(kg_tls_t *t, const kg_tls_config_t *cfg, const kg_port_t *port,
                     const kg_transport_t *lower, kg_transport_t *tr)
{
    if (!t) return KG_ERR_ARG;
    memset(t, 0, sizeof *t); /* a failed init leaves t that kg_tls_free ignores */
    if (!args_ok(t, cfg, port, lower, tr)) return KG_ERR_ARG;
    t->port = port;
    t->lower = lower;
    t->hello.verdict = KG_TLS_HELLO_UNKNOWN; /* read only during a handshake that asks */
    init_contexts(t);
    kg_err_t err = setup_psa(t);
    if (err == KG_OK) err = setup_ca(t, cfg);
    if (err == KG_OK) err = setup_ssl(t, cfg);
    if (err != KG_OK) {
        free_contexts(t);
        t->port = NULL; /* kg_tls_free() after a failed init is a no-op */
        return err;
    }
    tr->ctx = t;
    tr->open = tls_open;
    tr->send = tls_send;
    tr->recv = tls_recv;
    tr->close = tls_close;
    return KG_OK;
}

void kg_tls_free(kg_tls_t *t)
{
    if (!t || !t->port) return;
    tls_close(t);
    free_contexts(t);
    t->port = NULL; /* a second free is a no-op */
}
