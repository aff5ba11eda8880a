/* tls_server.c - see tls_server.h. Test code: libc's heap is fine here. */
#include "tls_server.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/build_info.h>
#if MBEDTLS_VERSION_MAJOR < 4 /* 4.x: the server draws from PSA's generator */
#include <mbedtls/ctr_drbg.h>
#define SERVER_DRBG 1
#endif
#include <mbedtls/pk.h>
#include <mbedtls/platform.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>
#if defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif

#include "board_port.h"

tls_server_stats_t tls_server_stats;

/* ---- two allocators in one image ---------------------------------------------
 * mbedtls_memory_buffer_alloc keeps one global pool (kg_tls's). The link
 * wraps mbedtls_platform_set_calloc_free (-Wl,--wrap): when the pool's init
 * installs its allocator, the wrapper keeps it and installs a dispatcher
 * instead, which serves the server from libc's heap while the server runs
 * and frees each block to the allocator whose memory holds it. */

void __real_mbedtls_platform_set_calloc_free(void *(*c)(size_t, size_t), void (*f)(void *));
void __wrap_mbedtls_platform_set_calloc_free(void *(*c)(size_t, size_t), void (*f)(void *));
extern char __heap_start[], __heap_end[]; /* libc's heap, from mps2_an385.ld */

static void *(*pool_calloc)(size_t, size_t);
static void (*pool_free)(void *);
static bool server_running;

static void *side_calloc(size_t n, size_t size)
{
    if (server_running) return calloc(n, size);
    return pool_calloc ? pool_calloc(n, size) : NULL;
}

static void side_free(void *p)
{
    if (p >= (void *)__heap_start && p < (void *)__heap_end)
        free(p);
    else if (p && pool_free)
        pool_free(p);
}

void __wrap_mbedtls_platform_set_calloc_free(void *(*c)(size_t, size_t), void (*f)(void *))
{
    pool_calloc = c;
    pool_free = f;
    __real_mbedtls_platform_set_calloc_free(side_calloc, side_free);
}

/* ---- the server ------------------------------------------------------------------ */

static struct {
    const kg_transport_t *app;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt cert;
    mbedtls_pk_context key;
#if defined(SERVER_DRBG)
    mbedtls_ctr_drbg_context drbg;
#endif
    mbedtls_ssl_ticket_context ticket;
    bool started, open, handshaken, closing;
    bool ignore_mfl, oversized_record;
    uint8_t c2s[20 * 1024]; /* client to server, not yet read by the server */
    size_t c2s_len;
    uint8_t s2c[20 * 1024]; /* server to client, not yet read by the client */
    size_t s2c_len, s2c_pos;
} srv;

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    if (srv.s2c_pos == srv.s2c_len) srv.s2c_pos = srv.s2c_len = 0;
    size_t room = sizeof srv.s2c - srv.s2c_len;
    if (room == 0) return MBEDTLS_ERR_SSL_WANT_WRITE;
    size_t n = len < room ? len : room;
    memcpy(srv.s2c + srv.s2c_len, buf, n);
    srv.s2c_len += n;
    return (int)n;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    if (srv.c2s_len == 0) return MBEDTLS_ERR_SSL_WANT_READ;
    size_t n = len < srv.c2s_len ? len : srv.c2s_len;
    memcpy(buf, srv.c2s, n);
    memmove(srv.c2s, srv.c2s + n, srv.c2s_len - n);
    srv.c2s_len -= n;
    return (int)n;
}

/* The connection ends: with close_notify (polite) or without (a reset). */
static void drop(int err, bool polite)
{
    if (polite) (void)mbedtls_ssl_close_notify(&srv.ssl);
    tls_server_stats.last_err = err;
    srv.closing = true;
    srv.app->close(srv.app->ctx);
}

static bool is_want(int rc)
{
    return rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE;
}

/* TLS 1.2 servers answer max-fragment-length from session_negotiate's
 * code, set while the ClientHello is read: cleared after every step, the
 * ServerHello goes out without the extension. */
static int handshake(void)
{
    int rc = 0;
    if (!srv.ignore_mfl) return mbedtls_ssl_handshake(&srv.ssl);
    while (rc == 0 && !mbedtls_ssl_is_handshake_over(&srv.ssl)) {
        rc = mbedtls_ssl_handshake_step(&srv.ssl);
        if (srv.ssl.MBEDTLS_PRIVATE(session_negotiate) != NULL)
            srv.ssl.MBEDTLS_PRIVATE(session_negotiate)->MBEDTLS_PRIVATE(mfl_code) =
                MBEDTLS_SSL_MAX_FRAG_LEN_NONE;
    }
    return rc;
}

/* An application record of a full 16 KB plaintext under AES-GCM (8-byte
 * explicit nonce, 16-byte tag), header first. */
static void send_oversized_record(void)
{
    static const unsigned char header[5] = {23, 3, 3, 16408 >> 8, 16408 & 0xFF};
    size_t room = sizeof srv.s2c - srv.s2c_len;
    if (room < sizeof header + 16408) return;
    memcpy(srv.s2c + srv.s2c_len, header, sizeof header);
    memset(srv.s2c + srv.s2c_len + sizeof header, 0, 16408);
    srv.s2c_len += sizeof header + 16408;
}

static void step_handshake(void)
{
    int rc = handshake();
    if (rc == 0) {
        if (srv.oversized_record) send_oversized_record();
        srv.handshaken = true;
        tls_server_stats.handshakes++;
        tls_server_stats.version = (int)mbedtls_ssl_get_version_number(&srv.ssl);
        /* No public getter for the negotiated code on the server side. */
        tls_server_stats.mfl_code = srv.ssl.MBEDTLS_PRIVATE(session)->MBEDTLS_PRIVATE(mfl_code);
    } else if (!is_want(rc)) {
        drop(rc, false);
    }
}

static void write_all(const uint8_t *buf, size_t len)
{
    while (len > 0 && !srv.closing) {
        int rc = mbedtls_ssl_write(&srv.ssl, buf, len);
        if (rc > 0) {
            buf += rc;
            len -= (size_t)rc;
        } else if (!is_want(rc)) {
            drop(rc, false);
        } else {
            return; /* the pipe is full: cannot happen with replies this small */
        }
    }
}

/* Requests in, to the application; its answers back out. */
static void serve(void)
{
    uint8_t buf[1024];
    int rc;
    while ((rc = mbedtls_ssl_read(&srv.ssl, buf, sizeof buf)) > 0) {
        if (srv.app->send(srv.app->ctx, buf, (size_t)rc, 0) != KG_OK) {
            drop(0, false);
            return;
        }
    }
    if (!is_want(rc)) {
        drop(rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ? 0 : rc,
             rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY);
        return;
    }
    size_t got = 0;
    kg_err_t err;
    while ((err = srv.app->recv(srv.app->ctx, buf, sizeof buf, &got, 0)) == KG_OK)
        write_all(buf, got);
    if (err != KG_ERR_TIMEOUT) drop(0, false); /* the script broke the connection */
}

static void pump(void)
{
    if (!srv.open || srv.closing) return;
    server_running = true;
    if (!srv.handshaken) step_handshake();
    if (srv.handshaken && !srv.closing) serve();
    server_running = false;
}

/* ---- the client's end of the pipe ----------------------------------------------------- */

static kg_err_t pipe_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)ctx;
    if (!srv.started) return KG_ERR_CONNECT;
    if (srv.open) return KG_ERR_STATE;
    server_running = true;
    int rc = mbedtls_ssl_session_reset(&srv.ssl);
    server_running = false;
    if (rc != 0) return KG_ERR_CONNECT;
    srv.c2s_len = srv.s2c_len = srv.s2c_pos = 0;
    srv.handshaken = srv.closing = false;
    srv.open = true;
    return srv.app->open(srv.app->ctx, host, port, timeout_ms);
}

static kg_err_t pipe_send(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    if (!srv.open) return KG_ERR_CLOSED;
    if (srv.closing) return KG_OK; /* TCP takes it; the peer is gone */
    if (len > sizeof srv.c2s - srv.c2s_len) pump();
    if (len > sizeof srv.c2s - srv.c2s_len) return KG_ERR_IO;
    memcpy(srv.c2s + srv.c2s_len, buf, len);
    srv.c2s_len += len;
    return KG_OK;
}

static kg_err_t pipe_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    if (srv.s2c_pos == srv.s2c_len) pump();
    if (srv.s2c_pos == srv.s2c_len)
        return srv.closing || !srv.open ? KG_ERR_CLOSED : KG_ERR_TIMEOUT;
    size_t n = srv.s2c_len - srv.s2c_pos;
    if (n > cap) n = cap;
    memcpy(buf, srv.s2c + srv.s2c_pos, n);
    srv.s2c_pos += n;
    *got = n;
    return KG_OK;
}

static void pipe_close(void *ctx)
{
    (void)ctx;
    if (srv.open && !srv.closing) srv.app->close(srv.app->ctx);
    srv.open = false;
}

const kg_transport_t tls_server_pipe = {NULL, pipe_open, pipe_send, pipe_recv, pipe_close};

void tls_server_close_idle(void)
{
    server_running = true;
    if (srv.open && !srv.closing) drop(0, true);
    server_running = false;
}

/* ---- set-up ------------------------------------------------------------------------------ */

#if defined(SERVER_DRBG)
/* The server's DRBG draws from the board's test generator (FOR TESTS ONLY). */
static int board_entropy(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    return board_port.random(NULL, out, len) == KG_OK ? 0 : -1;
}

static int setup_keys(const tls_server_config_t *cfg)
{
    static const unsigned char pers[] = "kgiot-test-server";
    int rc = mbedtls_ctr_drbg_seed(&srv.drbg, board_entropy, NULL, pers, sizeof pers - 1);
    if (rc == 0)
        rc = mbedtls_x509_crt_parse(&srv.cert, (const unsigned char *)cfg->cert, cfg->cert_len);
    if (rc == 0)
        rc = mbedtls_pk_parse_key(&srv.key, (const unsigned char *)cfg->key, cfg->key_len, NULL, 0,
                                  mbedtls_ctr_drbg_random, &srv.drbg);
    return rc;
}

static int setup_rng_and_ticket(void)
{
    mbedtls_ssl_conf_rng(&srv.conf, mbedtls_ctr_drbg_random, &srv.drbg);
    return mbedtls_ssl_ticket_setup(&srv.ticket, mbedtls_ctr_drbg_random, &srv.drbg,
                                    MBEDTLS_CIPHER_AES_256_GCM, 86400);
}
#else
static int setup_keys(const tls_server_config_t *cfg)
{
    int rc = mbedtls_x509_crt_parse(&srv.cert, (const unsigned char *)cfg->cert, cfg->cert_len);
    if (rc == 0)
        rc = mbedtls_pk_parse_key(&srv.key, (const unsigned char *)cfg->key, cfg->key_len, NULL, 0);
    return rc;
}

static int setup_rng_and_ticket(void)
{
    return mbedtls_ssl_ticket_setup(&srv.ticket, PSA_ALG_GCM, PSA_KEY_TYPE_AES, 256, 86400);
}
#endif

static int setup_ssl(const tls_server_config_t *cfg)
{
    int rc = mbedtls_ssl_config_defaults(&srv.conf, MBEDTLS_SSL_IS_SERVER,
                                         MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0) return rc;
    if (cfg->tls12_only) mbedtls_ssl_conf_max_tls_version(&srv.conf, MBEDTLS_SSL_VERSION_TLS1_2);
    srv.ignore_mfl = cfg->ignore_mfl;
    srv.oversized_record = cfg->oversized_record;
    rc = mbedtls_ssl_conf_own_cert(&srv.conf, &srv.cert, &srv.key);
    if (rc == 0) rc = setup_rng_and_ticket();
    if (rc != 0) return rc;
    mbedtls_ssl_conf_session_tickets_cb(&srv.conf, mbedtls_ssl_ticket_write,
                                        mbedtls_ssl_ticket_parse, &srv.ticket);
    rc = mbedtls_ssl_setup(&srv.ssl, &srv.conf);
    if (rc == 0) mbedtls_ssl_set_bio(&srv.ssl, NULL, bio_send, bio_recv, NULL);
    return rc;
}

int tls_server_start(const tls_server_config_t *cfg, const kg_transport_t *app)
{
    tls_server_stop();
    server_running = true;
    srv.app = app;
    mbedtls_ssl_init(&srv.ssl);
    mbedtls_ssl_config_init(&srv.conf);
    mbedtls_x509_crt_init(&srv.cert);
    mbedtls_pk_init(&srv.key);
#if defined(SERVER_DRBG)
    mbedtls_ctr_drbg_init(&srv.drbg);
#endif
    mbedtls_ssl_ticket_init(&srv.ticket);
    int rc = 0;
#if defined(MBEDTLS_PSA_CRYPTO_C)
    rc = psa_crypto_init() == PSA_SUCCESS ? 0 : -1;
#endif
    if (rc == 0) rc = setup_keys(cfg);
    if (rc == 0) rc = setup_ssl(cfg);
    srv.started = true;
    server_running = false;
    memset(&tls_server_stats, 0, sizeof tls_server_stats);
    if (rc != 0) tls_server_stop();
    return rc;
}

void tls_server_stop(void)
{
    if (!srv.started) return;
    server_running = true;
    mbedtls_ssl_free(&srv.ssl);
    mbedtls_ssl_config_free(&srv.conf);
    mbedtls_ssl_ticket_free(&srv.ticket);
    mbedtls_pk_free(&srv.key);
    mbedtls_x509_crt_free(&srv.cert);
#if defined(SERVER_DRBG)
    mbedtls_ctr_drbg_free(&srv.drbg);
#endif
    server_running = false;
    srv.started = srv.open = false;
}
