/*
 * test_tls.c - kg_tls over kg_tcp over the POSIX port, against real TLS
 * peers on loopback (tests/unit/tls_peer.py starts them and runs this
 * program with their ports in KG_TLS_PORT_* and the test PKI in KG_TLS_CERTS).
 */
#include <stdlib.h>

#include <mbedtls/version.h>

#include "kg_port_posix.h"
#include "kg_tcp.h"
#include "kg_test.h"
#include "kg_tls.h"

#if defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h> /* the test parses certificates before kg_tls starts PSA */
#endif
#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C) && defined(MBEDTLS_MEMORY_DEBUG)
#include <mbedtls/memory_buffer_alloc.h>
#define POOL_STATS 1
#endif

static kg_port_t port;
static kg_tcp_t tcp;
static kg_transport_t tcp_tr;
static kg_tls_t tls;
static kg_transport_t tls_tr;

static uint8_t ca_pem[8192], other_ca_pem[8192], ca_der[4096];
static size_t ca_pem_len, other_ca_pem_len, ca_der_len;

static uint16_t env_port(const char *name)
{
    const char *v = getenv(name);
    if (!v) {
        fprintf(stderr, "%s not set: run me through tls_peer.py\n", name);
        exit(2);
    }
    return (uint16_t)atoi(v);
}

/* Reads CERTS/name; a PEM gets its NUL counted in the length, as mbedTLS wants. */
static size_t load(const char *name, uint8_t *buf, size_t cap, int pem)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", getenv("KG_TLS_CERTS"), name);
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    if (f) fclose(f);
    if (n == 0) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf[n] = 0;
    return pem ? n + 1 : n;
}

static kg_err_t setup(const uint8_t *ca, size_t ca_len)
{
    kg_tls_config_t cfg = {.ca = ca, .ca_len = ca_len};
    kg_tcp_init(&tcp, &port, &tcp_tr);
    return kg_tls_init(&tls, &cfg, &port, &tcp_tr, &tls_tr);
}

/* setup() expected to succeed; on failure the test stops (tls_tr is unset). */
static int setup_ok(const uint8_t *ca, size_t ca_len)
{
    kg_err_t err = setup(ca, ca_len);
    KG_CHECK_ERR(err, KG_OK);
    return err == KG_OK;
}

/* One request, the whole reply (up to the peer's END marker) into reply. */
static kg_err_t exchange(const char *path, char *reply, size_t cap)
{
    char req[128];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
    kg_err_t err = tls_tr.send(tls_tr.ctx, (const uint8_t *)req, (size_t)n, 2000);
    size_t used = 0;
    reply[0] = 0;
    while (err == KG_OK && !strstr(reply, "\nEND\n")) {
        size_t got = 0;
        err = tls_tr.recv(tls_tr.ctx, (uint8_t *)reply + used, cap - 1 - used, &got, 2000);
        used += (err == KG_OK) ? got : 0;
        reply[used] = 0;
    }
    return err;
}

static void test_echo_with_pem_ca(void)
{
    char reply[1024];
    if (!setup_ok(ca_pem, ca_pem_len)) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_ECHO"), 3000), KG_OK);
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_ECHO"), 3000),
                 KG_ERR_STATE);
    KG_CHECK_ERR(exchange("/echo/me?x=1", reply, sizeof reply), KG_OK);
    KG_CHECK(strstr(reply, "HTTP/1.1 200 OK\r\n") == reply);
    KG_CHECK(strstr(reply, "\nGET /echo/me?x=1 HTTP/1.1\n") != NULL);
    KG_CHECK(strstr(reply, "reused=0\n") != NULL);
    KG_CHECK(strstr(reply, "sni=localhost\n") != NULL); /* SNI was sent */
    KG_CHECK_EQ(tls.verify_flags, 0);
    KG_CHECK_EQ(tls.handshakes_full, 1);
    KG_CHECK_EQ(tls.handshakes_resumed, 0);
    tls_tr.close(tls_tr.ctx);
    tls_tr.close(tls_tr.ctx); /* twice is harmless */
    kg_tls_free(&tls);
}

static void test_echo_with_der_ca(void)
{
    char reply[1024];
    if (!setup_ok(ca_der, ca_der_len)) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_ECHO"), 3000), KG_OK);
    KG_CHECK_ERR(exchange("/der", reply, sizeof reply), KG_OK);
    KG_CHECK(strstr(reply, "\nGET /der HTTP/1.1\n") != NULL);
    kg_tls_free(&tls);
}

/* Close and reopen: the second and third handshakes resume, and the server
 * says so too. */
static void reconnect_resumes(const char *peer)
{
    char reply[1024];
    uint16_t p = env_port(peer);
    if (!setup_ok(ca_pem, ca_pem_len)) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", p, 3000), KG_OK);
    KG_CHECK_ERR(exchange("/first", reply, sizeof reply), KG_OK);
    KG_CHECK(strstr(reply, "reused=0\n") != NULL);
    tls_tr.close(tls_tr.ctx);
    KG_CHECK(tls.have_session);

    for (int i = 0; i < 2; i++) {
        KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", p, 3000), KG_OK);
        KG_CHECK_ERR(exchange("/again", reply, sizeof reply), KG_OK);
        KG_CHECK(strstr(reply, "reused=1\n") != NULL);
        KG_CHECK(strstr(reply, "\nGET /again HTTP/1.1\n") != NULL);
        if (i == 1) printf("     resumed over %s\n", mbedtls_ssl_get_version(&tls.ssl));
        tls_tr.close(tls_tr.ctx);
    }
    KG_CHECK_EQ(tls.handshakes_full, 1);
    KG_CHECK_EQ(tls.handshakes_resumed, 2);
    printf("     full=%u resumed=%u\n", (unsigned)tls.handshakes_full,
           (unsigned)tls.handshakes_resumed);
    kg_tls_free(&tls);
}

/* TLS 1.3 where the library has it (tickets after the handshake), else 1.2. */
static void test_reconnect_resumes(void)
{
    reconnect_resumes("KG_TLS_PORT_ECHO");
}

/* TLS 1.2: ticket or session id, saved right after the handshake. */
static void test_reconnect_resumes_tls12(void)
{
    reconnect_resumes("KG_TLS_PORT_ECHO12");
}

/* A session is only offered to the host it came from: another name for the
 * same server gets a full handshake. 127.0.0.1 is in the certificate's IP
 * SAN, which 3.6 checks (handshake succeeds, not resumed) and 2.28 does not
 * (verification fails before any resumption could happen). */
static void test_session_not_offered_to_other_host(void)
{
    char reply[1024];
    uint16_t p = env_port("KG_TLS_PORT_ECHO12");
    if (!setup_ok(ca_pem, ca_pem_len)) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", p, 3000), KG_OK);
    KG_CHECK_ERR(exchange("/a", reply, sizeof reply), KG_OK);
    tls_tr.close(tls_tr.ctx);
    kg_err_t err = tls_tr.open(tls_tr.ctx, "127.0.0.1", p, 3000);
    KG_CHECK(err == KG_OK || err == KG_ERR_TLS_NAME_MISMATCH);
    if (err == KG_OK) {
        KG_CHECK_ERR(exchange("/b", reply, sizeof reply), KG_OK);
        KG_CHECK(strstr(reply, "reused=0\n") != NULL);
        KG_CHECK_EQ(tls.handshakes_full, 2);
    }
    KG_CHECK_EQ(tls.handshakes_resumed, 0);
    kg_tls_free(&tls);
}

static void test_untrusted_ca(void)
{
    if (!setup_ok(other_ca_pem, other_ca_pem_len)) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_ECHO"), 3000),
                 KG_ERR_TLS_UNTRUSTED);
    KG_CHECK(tls.verify_flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED);
    KG_CHECK_EQ(tls.last_mbedtls_err, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    KG_CHECK_EQ(tls.handshakes_full + tls.handshakes_resumed, 0);
    KG_CHECK(!tcp.open); /* the socket was closed on failure */
    kg_tls_free(&tls);
}

/* Right CA, wrong name; then the same context still works for the right peer. */
static void test_wrong_hostname_then_recovers(void)
{
    char reply[1024];
    if (!setup_ok(ca_pem, ca_pem_len)) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_WRONGNAME"), 3000),
                 KG_ERR_TLS_NAME_MISMATCH);
    KG_CHECK(tls.verify_flags & MBEDTLS_X509_BADCERT_CN_MISMATCH);
    KG_CHECK(!(tls.verify_flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED));
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_ECHO"), 3000), KG_OK);
    KG_CHECK_ERR(exchange("/after", reply, sizeof reply), KG_OK);
    KG_CHECK_EQ(tls.verify_flags, 0);
    kg_tls_free(&tls);
}

static void test_garbage_ca(void)
{
    static const uint8_t junk[] = "this is not a certificate";
    static const uint8_t bad_pem[] = "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n"
                                     "-----END CERTIFICATE-----\n";
    KG_CHECK_ERR(setup(junk, sizeof junk), KG_ERR_TLS_CA);
    KG_CHECK(tls.last_mbedtls_err < 0);
    KG_CHECK_ERR(setup(bad_pem, sizeof bad_pem), KG_ERR_TLS_CA);
    KG_CHECK_ERR(setup(ca_der, ca_der_len / 2), KG_ERR_TLS_CA); /* truncated DER */
    kg_tls_free(&tls);                                          /* no-op after a failed init */
}

static void test_peer_close_notify_is_closed(void)
{
    uint8_t buf[64];
    size_t got = 0;
    static const uint8_t req[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    if (!setup_ok(ca_pem, ca_pem_len)) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_NOTIFY"), 3000), KG_OK);
    KG_CHECK_ERR(tls_tr.send(tls_tr.ctx, req, sizeof req - 1, 2000), KG_OK);
    KG_CHECK_ERR(tls_tr.recv(tls_tr.ctx, buf, sizeof buf, &got, 2000), KG_ERR_CLOSED);
    KG_CHECK_EQ(tls.last_mbedtls_err, MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY);
    kg_tls_free(&tls);
}

static void test_peer_eof_is_closed(void)
{
    uint8_t buf[64];
    size_t got = 0;
    static const uint8_t req[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    if (!setup_ok(ca_pem, ca_pem_len)) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_EOF"), 3000), KG_OK);
    KG_CHECK_ERR(tls_tr.send(tls_tr.ctx, req, sizeof req - 1, 2000), KG_OK);
    KG_CHECK_ERR(tls_tr.recv(tls_tr.ctx, buf, sizeof buf, &got, 2000), KG_ERR_CLOSED);
    KG_CHECK_EQ(tls.last_mbedtls_err, MBEDTLS_ERR_SSL_CONN_EOF); /* no close_notify came */
    kg_tls_free(&tls);
}

static void test_closed_port(void)
{
    if (!setup_ok(ca_pem, ca_pem_len)) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "127.0.0.1", env_port("KG_TLS_PORT_CLOSED"), 1000),
                 KG_ERR_CONNECT);
    kg_tls_free(&tls);
}

static void test_silent_server_times_out(void)
{
    if (!setup_ok(ca_pem, ca_pem_len)) return;
    uint64_t start = port.now_ms(port.ctx);
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_SILENT"), 300),
                 KG_ERR_TIMEOUT);
    uint64_t took = port.now_ms(port.ctx) - start;
    KG_CHECK(took >= 300);
    KG_CHECK(took < 800);
    KG_CHECK_EQ(tls.last_mbedtls_err, MBEDTLS_ERR_SSL_TIMEOUT);
    kg_tls_free(&tls);
}

static void test_state_and_args(void)
{
    uint8_t buf[8] = {0};
    size_t got = 0;
    char long_host[CONFIG_KGIOT_HOST_MAX + 1];
    memset(long_host, 'a', sizeof long_host - 1);
    long_host[sizeof long_host - 1] = 0;
    kg_tls_config_t cfg = {.ca = ca_pem, .ca_len = ca_pem_len};
    kg_tcp_init(&tcp, &port, &tcp_tr);
    KG_CHECK_ERR(kg_tls_init(NULL, &cfg, &port, &tcp_tr, &tls_tr), KG_ERR_ARG);
    KG_CHECK_ERR(kg_tls_init(&tls, NULL, &port, &tcp_tr, &tls_tr), KG_ERR_ARG);
    KG_CHECK_ERR(kg_tls_init(&tls, &cfg, &port, NULL, &tls_tr), KG_ERR_ARG);
    cfg.ca_len = 0;
    KG_CHECK_ERR(kg_tls_init(&tls, &cfg, &port, &tcp_tr, &tls_tr), KG_ERR_ARG);
    cfg.ca = NULL; /* no CA and no hook to install trust */
    KG_CHECK_ERR(kg_tls_init(&tls, &cfg, &port, &tcp_tr, &tls_tr), KG_ERR_ARG);

    if (!setup_ok(ca_pem, ca_pem_len)) return;
    KG_CHECK_ERR(tls_tr.send(tls_tr.ctx, buf, 1, 100), KG_ERR_STATE);
    KG_CHECK_ERR(tls_tr.recv(tls_tr.ctx, buf, sizeof buf, &got, 100), KG_ERR_STATE);
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "", 443, 100), KG_ERR_ARG);
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, NULL, 443, 100), KG_ERR_ARG);
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, long_host, 443, 100), KG_ERR_ARG);
    tls_tr.close(tls_tr.ctx); /* not open: harmless */
    kg_tls_free(&tls);
    kg_tls_free(&tls); /* twice: no-op */
}

#if defined(POOL_STATS)
static size_t pool_in_use(void)
{
    size_t bytes = 0, blocks = 0;
    mbedtls_memory_buffer_alloc_cur_get(&bytes, &blocks);
    return bytes;
}

/* Everything a connection takes from the static pool comes back on free. */
static void test_pool_returns_to_baseline(void)
{
    char reply[1024];
    size_t before = pool_in_use();
    if (!setup_ok(ca_pem, ca_pem_len)) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_ECHO"), 3000), KG_OK);
    KG_CHECK_ERR(exchange("/pool", reply, sizeof reply), KG_OK);
    KG_CHECK(pool_in_use() > before);
    kg_tls_free(&tls);
    KG_CHECK_EQ(pool_in_use(), before);
}
#endif

/* ---- the configure hook --------------------------------------------------- */

static mbedtls_x509_crt hook_ca; /* the test CA, parsed by the test, not by kg_tls */
static int hook_verify_calls;

static kg_err_t setup_hook(kg_err_t (*hook)(void *, mbedtls_ssl_config *), void *ctx)
{
    kg_tls_config_t cfg = {.configure = hook, .configure_ctx = ctx};
    kg_tcp_init(&tcp, &port, &tcp_tr);
    hook_verify_calls = 0;
    kg_err_t err = kg_tls_init(&tls, &cfg, &port, &tcp_tr, &tls_tr);
    KG_CHECK_ERR(err, KG_OK);
    return err;
}

/* Installs the CA itself, and tries to switch verification off. */
static kg_err_t hook_installs_ca(void *ctx, mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_ca_chain(conf, ctx, NULL);
    mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_NONE); /* kg_tls restores REQUIRED */
    return KG_OK;
}

/* Like ESP-IDF's certificate bundle: a placeholder CA chain and a verify
 * callback that decides trust itself (here: signed by the test CA). With a
 * non-NULL ctx it trusts nothing. */
static int bundle_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    (void)depth;
    hook_verify_calls++;
    uint32_t own = 0;
    if (!ctx && (*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) &&
        mbedtls_x509_crt_verify(crt, &hook_ca, NULL, NULL, &own, NULL, NULL) == 0 && own == 0)
        *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_NOT_TRUSTED;
    return 0;
}

static mbedtls_x509_crt placeholder_ca; /* the other CA: trusts nothing the peers send */

static kg_err_t hook_bundle(void *ctx, mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_ca_chain(conf, &placeholder_ca, NULL);
    mbedtls_ssl_conf_verify(conf, bundle_verify, ctx);
    return KG_OK;
}

static kg_err_t hook_fails(void *ctx, mbedtls_ssl_config *conf)
{
    (void)ctx;
    (void)conf;
    return KG_ERR_TLS_CA;
}

/* Reconnect once: the bookkeeping must still tell full from resumed. */
static void open_twice(uint16_t p)
{
    char reply[1024];
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", p, 3000), KG_OK);
    KG_CHECK_ERR(exchange("/hook", reply, sizeof reply), KG_OK);
    tls_tr.close(tls_tr.ctx);
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", p, 3000), KG_OK);
    KG_CHECK_ERR(exchange("/again", reply, sizeof reply), KG_OK);
    KG_CHECK(strstr(reply, "reused=1\n") != NULL);
    KG_CHECK_EQ(tls.handshakes_full, 1);
    KG_CHECK_EQ(tls.handshakes_resumed, 1);
    KG_CHECK_EQ(tls.verify_flags, 0);
}

static void test_hook_installs_ca(void)
{
    if (setup_hook(hook_installs_ca, &hook_ca) != KG_OK) return;
    open_twice(env_port("KG_TLS_PORT_ECHO12"));
    kg_tls_free(&tls);
    /* Verification stayed required: the other CA's hook gets no connection. */
    if (setup_hook(hook_installs_ca, &placeholder_ca) != KG_OK) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_ECHO"), 3000),
                 KG_ERR_TLS_UNTRUSTED);
    kg_tls_free(&tls);
}

static void test_hook_with_own_verify_callback(void)
{
    if (setup_hook(hook_bundle, NULL) != KG_OK) return;
    open_twice(env_port("KG_TLS_PORT_ECHO12"));
    KG_CHECK(hook_verify_calls > 0); /* chained from kg_tls's callback */
    kg_tls_free(&tls);
    /* The hook's callback decides: trusting nothing refuses the server, and
     * a name mismatch it does not clear stays one. */
    static int refuse = 1;
    if (setup_hook(hook_bundle, &refuse) != KG_OK) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_ECHO"), 3000),
                 KG_ERR_TLS_UNTRUSTED);
    KG_CHECK(hook_verify_calls > 0);
    KG_CHECK_EQ(tls.handshakes_full + tls.handshakes_resumed, 0);
    kg_tls_free(&tls);
    if (setup_hook(hook_bundle, NULL) != KG_OK) return;
    KG_CHECK_ERR(tls_tr.open(tls_tr.ctx, "localhost", env_port("KG_TLS_PORT_WRONGNAME"), 3000),
                 KG_ERR_TLS_NAME_MISMATCH);
    kg_tls_free(&tls);
}

static void test_hook_error_is_init_error(void)
{
    kg_tls_config_t cfg = {.ca = ca_pem, .ca_len = ca_pem_len, .configure = hook_fails};
    kg_tcp_init(&tcp, &port, &tcp_tr);
    KG_CHECK_ERR(kg_tls_init(&tls, &cfg, &port, &tcp_tr, &tls_tr), KG_ERR_TLS_CA);
    kg_tls_free(&tls); /* no-op after a failed init */
}

/* Only where kg_tls seeds its own generator from port->random (2.28, 3.6
 * without PSA); with PSA the mbedTLS build's entropy source feeds TLS. */
#if !defined(KG_TLS_PSA_RNG)
static kg_err_t broken_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return KG_ERR_IO;
}

static void test_entropy_failure_is_setup_error(void)
{
    kg_port_t bad = port;
    bad.random = broken_random;
    kg_tls_config_t cfg = {.ca = ca_pem, .ca_len = ca_pem_len};
    kg_tcp_init(&tcp, &bad, &tcp_tr);
    KG_CHECK_ERR(kg_tls_init(&tls, &cfg, &bad, &tcp_tr, &tls_tr), KG_ERR_TLS_SETUP);
}
#endif

int main(void)
{
    kg_port_posix_init(&port, KG_LOG_WARN);
    KG_CHECK_ERR(kg_tls_pool_init(), KG_OK);
    KG_CHECK_ERR(kg_tls_pool_init(), KG_OK); /* a second call is a no-op */
    ca_pem_len = load("ca.pem", ca_pem, sizeof ca_pem, 1);
    other_ca_pem_len = load("other_ca.pem", other_ca_pem, sizeof other_ca_pem, 1);
    ca_der_len = load("ca.der", ca_der, sizeof ca_der, 0);
    printf("     mbedTLS %s\n", MBEDTLS_VERSION_STRING);
#if defined(MBEDTLS_PSA_CRYPTO_C)
    KG_CHECK_EQ(psa_crypto_init(), PSA_SUCCESS);
#endif
    mbedtls_x509_crt_init(&hook_ca);
    mbedtls_x509_crt_init(&placeholder_ca);
    KG_CHECK_EQ(mbedtls_x509_crt_parse(&hook_ca, ca_pem, ca_pem_len), 0);
    KG_CHECK_EQ(mbedtls_x509_crt_parse(&placeholder_ca, other_ca_pem, other_ca_pem_len), 0);

    KG_RUN(test_echo_with_pem_ca);
    KG_RUN(test_echo_with_der_ca);
    KG_RUN(test_reconnect_resumes);
    KG_RUN(test_reconnect_resumes_tls12);
    KG_RUN(test_session_not_offered_to_other_host);
    KG_RUN(test_untrusted_ca);
    KG_RUN(test_wrong_hostname_then_recovers);
    KG_RUN(test_garbage_ca);
    KG_RUN(test_peer_close_notify_is_closed);
    KG_RUN(test_peer_eof_is_closed);
    KG_RUN(test_closed_port);
    KG_RUN(test_silent_server_times_out);
    KG_RUN(test_state_and_args);
    KG_RUN(test_hook_installs_ca);
    KG_RUN(test_hook_with_own_verify_callback);
    KG_RUN(test_hook_error_is_init_error);
#if !defined(KG_TLS_PSA_RNG)
    KG_RUN(test_entropy_failure_is_setup_error);
#endif
#if defined(POOL_STATS)
    KG_RUN(test_pool_returns_to_baseline);
    size_t peak = 0, peak_blocks = 0;
    mbedtls_memory_buffer_alloc_max_get(&peak, &peak_blocks);
    printf("     pool peak %zu of %d bytes\n", peak, CONFIG_KGIOT_TLS_POOL_SIZE);
#endif
    return kg_test_summary();
}
