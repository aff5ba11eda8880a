/*
 * test_tls_pair.c - kg_tls as the client (on kg_tls's static pool) against
 * an mbedTLS server in the same image, joined by an in-memory pipe, the
 * server's certificate checked against the test CA and the host name. The
 * whole login runs over it: kg_session -> kg_http -> kg_tls -> pipe ->
 * server -> the scripted platform (fake_platform.c).
 *
 * Also: after the server closes an idle connection the next call resumes
 * the session (ticket); a wrong host name and an unknown CA are refused;
 * TLS 1.2 as well as 1.3 (when built); max-fragment-length 4096 in the
 * build with 4 KB input records. The server runs on a stack of its own, so
 * the painted main stack is the client's. Prints "FIGURE name value" lines
 * for footprint.sh.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>

#include "board.h"
#include "board_port.h"
#include "fake_platform.h"
#include "kg_store.h"
#include "kg_test.h"
#include "peer_stack.h"
#include "test_certs.h"
#include "tls_server.h"

#define API "/v1/playlist"
/* memory_buffer_alloc's header in front of every block (32-bit target). */
#define POOL_HEADER 32u
/* The pool default (Kconfig) is the default configuration's measured peak
 * with block headers (TLS 1.3, 16 KB input records, a full record
 * included: 28,168 B with Mbed TLS 4.0) plus at least this margin, for the
 * allocator's fragmentation and peaks that move by ~50 B from run to run
 * (ECC blinding). A peak that eats into the margin fails the suite, in
 * every configuration it runs: a change that needs more pool must raise
 * the default (or its configuration's pool). */
#define POOL_MARGIN 4096u
/* What a whole login may take with 4 KB records (max-fragment-length 4096). */
#define LOGIN_RAM_MAX_4K 32768u

static kg_tls_t tls;
static kg_transport_t pipe_tr, tls_tr;
static kg_session_t s;
static bool session_up;
static kg_session_config_t cfg;
static kg_call_reply_t reply;
static kg_port_t quiet_port; /* the board's port without log: stack figures */

/* The server with the "localhost" leaf, or with the leaf for another name. */
static tls_server_config_t server_config(bool right_name, bool tls12_only)
{
    tls_server_config_t c = {test_server_pem,
                             test_server_pem_len,
                             test_server_key,
                             test_server_key_len,
                             tls12_only,
                             false,
                             false};
    if (!right_name) {
        c.cert = test_wrongname_pem;
        c.cert_len = test_wrongname_pem_len;
        c.key = test_wrongname_key;
        c.key_len = test_wrongname_key_len;
    }
    return c;
}

static const int confirm_now[] = {CONFIG_KGIOT_QR_STATUS_CONFIRMED};

static void teardown(void)
{
    if (session_up) kg_session_free(&s);
    session_up = false;
    kg_tls_free(&tls);
    tls_server_stop();
}

/* The server up, a client over the pipe trusting ca, a session over it. */
static kg_err_t connect_session(const tls_server_config_t *server, const char *ca, size_t ca_len)
{
    teardown();
    if (tls_server_start(server, &fp_transport) != 0) return KG_ERR_TLS_SETUP;
    fp_reset();
    mbedtls_memory_buffer_alloc_max_reset();
    const kg_tls_config_t tc = {.ca = (const uint8_t *)ca, .ca_len = ca_len};
    kg_err_t err = kg_tls_init(&tls, &tc, &quiet_port, &pipe_tr, &tls_tr);
    if (err != KG_OK) return err; /* kg_tls asks for max-fragment-length itself */
    fp_config(&cfg, KG_MODE_BROKER, &s);
    cfg.host = "localhost"; /* the name in the test server's certificate */
    cfg.poll_interval_ms = 50;
    err = kg_session_init_transport(&s, &cfg, &quiet_port, &tls_tr);
    session_up = err == KG_OK;
    return err;
}

static const char *version_name(void)
{
    return tls_server_stats.version == MBEDTLS_SSL_VERSION_TLS1_3 ? "tls13" : "tls12";
}

/* The pool's peak with a header per block (an upper bound: the block count
 * peaks apart). */
static size_t pool_peak_with_headers(void)
{
    size_t peak, blocks;
    mbedtls_memory_buffer_alloc_max_get(&peak, &blocks);
    return peak + blocks * POOL_HEADER;
}

static void print_pool(const char *what)
{
    size_t peak, blocks, used, used_blocks;
    mbedtls_memory_buffer_alloc_max_get(&peak, &blocks);
    mbedtls_memory_buffer_alloc_cur_get(&used, &used_blocks);
    printf("FIGURE pool_peak_%s_%s_in%d %u\n", what, version_name(), MBEDTLS_SSL_IN_CONTENT_LEN,
           (unsigned)peak);
    printf("FIGURE pool_peak_with_headers_%s_%s_in%d %u\n", what, version_name(),
           MBEDTLS_SSL_IN_CONTENT_LEN, (unsigned)pool_peak_with_headers());
    printf("FIGURE pool_in_use_after_%s_%s_in%d %u\n", what, version_name(),
           MBEDTLS_SSL_IN_CONTENT_LEN, (unsigned)(used + used_blocks * POOL_HEADER));
}

/* kg_session_t field by field (README's breakdown), the large ones by name. */
#define SESSION_FIELD(f)                                                                           \
    printf("FIGURE session.%s %u\n", #f, (unsigned)sizeof(((kg_session_t *)0)->f))

static void print_session_fields(void)
{
    SESSION_FIELD(cfg);
    SESSION_FIELD(tcp);
    SESSION_FIELD(tls);
    SESSION_FIELD(auth);
    SESSION_FIELD(auth.cfg);
    SESSION_FIELD(auth.http);
    SESSION_FIELD(auth.doc);
    SESSION_FIELD(auth.tx);
    SESSION_FIELD(auth.rx);
    SESSION_FIELD(auth.body);
    SESSION_FIELD(auth.path);
    SESSION_FIELD(auth.host_header);
    SESSION_FIELD(tokens);
    SESSION_FIELD(qr_content);
    SESSION_FIELD(qr_id);
    SESSION_FIELD(code);
    SESSION_FIELD(reply);
}

/* The configured pool holds the measured peak with POOL_MARGIN to spare. */
static void check_pool_margin(void)
{
    size_t pool = pool_peak_with_headers();
    if (pool + POOL_MARGIN > CONFIG_KGIOT_TLS_POOL_SIZE)
        printf("  pool peak %u + margin %u exceeds CONFIG_KGIOT_TLS_POOL_SIZE %u\n", (unsigned)pool,
               POOL_MARGIN, (unsigned)CONFIG_KGIOT_TLS_POOL_SIZE);
    KG_CHECK(pool + POOL_MARGIN <= CONFIG_KGIOT_TLS_POOL_SIZE);
}

/* The whole login's RAM: the pool's peak with block headers, the kgiot
 * objects an application owns (kg_session_t, kg_store_t), and the client's
 * deepest stack. */
static void check_ram(size_t stack)
{
    size_t total = pool_peak_with_headers() + sizeof(kg_session_t) + sizeof(kg_store_t) + stack;
    print_session_fields();
    printf("FIGURE kg_session_t %u\nFIGURE kg_store_t %u\n", (unsigned)sizeof(kg_session_t),
           (unsigned)sizeof(kg_store_t));
    printf("FIGURE login_ram_%s_in%d %u\n", version_name(), MBEDTLS_SSL_IN_CONTENT_LEN,
           (unsigned)total);
    printf("FIGURE pool_configured_in%d %u\n", MBEDTLS_SSL_IN_CONTENT_LEN,
           (unsigned)CONFIG_KGIOT_TLS_POOL_SIZE);
    check_pool_margin();
#if MBEDTLS_SSL_IN_CONTENT_LEN <= 4096
    KG_CHECK(total <= LOGIN_RAM_MAX_4K);
#endif
}

/* One handshake and a token exchange (getToken, then a guest call), then
 * the rest of a login and a refresh on the same connection. */
static void login_over_tls(bool tls12_only)
{
    const tls_server_config_t server = server_config(true, tls12_only);
    board_stack_watch_begin();
    KG_CHECK_ERR(connect_session(&server, test_ca_pem, test_ca_pem_len), KG_OK);
    KG_CHECK_ERR(kg_call_guest(&s, API, "{}", &reply), KG_OK);
    print_pool("handshake_token");
    fp_set_qr_script(confirm_now, 1);
    KG_CHECK_ERR(kg_login(&s, 20000), KG_OK);
    fp_expire_access_token();
    KG_CHECK_ERR(kg_call(&s, API, "{}", &reply), KG_OK);
    size_t stack = board_stack_watch_end();
    print_pool("login");
    printf("FIGURE stack_client_painted_%s_in%d %u\n", version_name(), MBEDTLS_SSL_IN_CONTENT_LEN,
           (unsigned)stack);
    check_ram(stack);

    KG_CHECK(strstr(reply.body, "\"who\":\"user\"") != NULL);
    KG_CHECK_EQ(fp.refreshes, 1);
    KG_CHECK_EQ(tls.handshakes_full, 1); /* one connection carried it all */
    KG_CHECK_EQ(tls_server_stats.handshakes, 1);
    KG_CHECK_EQ(tls.verify_flags, 0);
#if MBEDTLS_SSL_IN_CONTENT_LEN < 16384
    KG_CHECK_EQ(tls_server_stats.mfl_code, MBEDTLS_SSL_MAX_FRAG_LEN_4096);
    /* TLS 1.3 answers in encrypted messages kg_tls does not read: not counted */
    KG_CHECK_EQ(tls.mfl_agreed, tls_server_stats.version == MBEDTLS_SSL_VERSION_TLS1_2 ? 1 : 0);
    KG_CHECK_EQ(tls.mfl_ignored, 0);
#else
    KG_CHECK_EQ(tls.mfl_agreed + tls.mfl_ignored, 0); /* 16 KB records: nothing asked */
#endif
}

static void test_login_over_tls(void)
{
    login_over_tls(false);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    KG_CHECK_EQ(tls_server_stats.version, MBEDTLS_SSL_VERSION_TLS1_3);
#endif
}

static void test_idle_close_resumes_session(void)
{
    uint32_t resumed = tls.handshakes_resumed;
    tls_server_close_idle(); /* the platform drops the kept-alive connection */
    KG_CHECK_ERR(kg_call(&s, API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(tls.handshakes_resumed, resumed + 1);
    KG_CHECK_EQ(tls.handshakes_full, 1);
    KG_CHECK_EQ(tls_server_stats.handshakes, 2); /* since the server started: full, resumed */
}

#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
static void test_login_over_tls12(void)
{
    login_over_tls(true);
    KG_CHECK_EQ(tls_server_stats.version, MBEDTLS_SSL_VERSION_TLS1_2);
    test_idle_close_resumes_session();
}
#endif

#if MBEDTLS_SSL_IN_CONTENT_LEN < 16384
/* A server that ignores max-fragment-length: kg_tls counts and logs it, and
 * records up to the input buffer's size still pass (the login's replies are
 * small); a 16 KB record is refused at its header (mbedTLS's
 * BAD_INPUT_DATA: more than the input buffer holds, nothing written past it)
 * and the call fails with KG_ERR_TLS_IO. */
static void test_server_ignoring_mfl(void)
{
    tls_server_config_t server = server_config(true, true);
    server.ignore_mfl = true;
    KG_CHECK_ERR(connect_session(&server, test_ca_pem, test_ca_pem_len), KG_OK);
    KG_CHECK_ERR(kg_call_guest(&s, API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(tls_server_stats.mfl_code, MBEDTLS_SSL_MAX_FRAG_LEN_NONE);
    KG_CHECK_EQ(tls.mfl_ignored, 1);
    KG_CHECK_EQ(tls.mfl_agreed, 0);

    server.oversized_record = true;
    KG_CHECK_ERR(connect_session(&server, test_ca_pem, test_ca_pem_len), KG_OK);
    KG_CHECK_ERR(kg_call_guest(&s, API, "{}", &reply), KG_ERR_TLS_IO);
    KG_CHECK_EQ(tls.last_mbedtls_err, MBEDTLS_ERR_SSL_BAD_INPUT_DATA); /* more than fits */
    KG_CHECK_EQ(tls.mfl_ignored, 1);
}
#endif

#if MBEDTLS_SSL_IN_CONTENT_LEN >= 16384
/* The largest record a server may send (a reply with a gateway's cookies):
 * the client reads all 16 KB and decrypts it in place, the pool's worst
 * moment if PSA copied records in and out (it does in 3.6 with PSA and in
 * 4.0, unless MBEDTLS_PSA_ASSUME_EXCLUSIVE_BUFFERS: without it this fails
 * with MBEDTLS_ERR_SSL_ALLOC_FAILED in the default pool). The record's
 * bytes are not a valid ciphertext (this image's server cannot encrypt
 * 16 KB), so the decryption ends at the tag, after every buffer it needs
 * was taken from the pool. */
static void full_size_record(bool tls12_only)
{
    tls_server_config_t server = server_config(true, tls12_only);
    server.oversized_record = true;
    KG_CHECK_ERR(connect_session(&server, test_ca_pem, test_ca_pem_len), KG_OK);
    KG_CHECK_ERR(kg_call_guest(&s, API, "{}", &reply), KG_ERR_TLS_IO);
    KG_CHECK_EQ(tls.last_mbedtls_err, MBEDTLS_ERR_SSL_INVALID_MAC); /* decrypted, not refused */
    print_pool("full_record");
    check_pool_margin();
}

static void test_full_size_record_fits_the_pool(void)
{
    full_size_record(false);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    full_size_record(true);
#endif
}
#endif

static void test_wrong_host_name_refused(void)
{
    const tls_server_config_t server = server_config(false, false);
    KG_CHECK_ERR(connect_session(&server, test_ca_pem, test_ca_pem_len), KG_OK);
    KG_CHECK_ERR(kg_call_guest(&s, API, "{}", &reply), KG_ERR_TLS_NAME_MISMATCH);
    KG_CHECK(tls.verify_flags & MBEDTLS_X509_BADCERT_CN_MISMATCH);
    KG_CHECK_EQ(fp.n_reqs, 0); /* nothing reached the platform */
}

static void test_unknown_ca_refused(void)
{
    const tls_server_config_t server = server_config(true, false);
    KG_CHECK_ERR(connect_session(&server, test_other_ca_pem, test_other_ca_pem_len), KG_OK);
    KG_CHECK_ERR(kg_call_guest(&s, API, "{}", &reply), KG_ERR_TLS_UNTRUSTED);
    KG_CHECK(tls.verify_flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED);
    KG_CHECK_EQ(fp.n_reqs, 0);
}

static void test_everything_given_back(void)
{
    teardown();
    size_t used, blocks;
    mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
    printf("FIGURE pool_in_use_after_free %u\n", (unsigned)used);
    KG_CHECK_EQ(used, 0);
}

int main(void)
{
    if (board_port_init() != KG_OK) return 2;
    if (kg_tls_pool_init() != KG_OK) return 2; /* before the server: see tls_server.c */
    quiet_port = board_port;
    quiet_port.log = NULL;
    peer_stack_wrap(&pipe_tr, &tls_server_pipe);
    KG_RUN(test_login_over_tls);
    KG_RUN(test_idle_close_resumes_session);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    KG_RUN(test_login_over_tls12);
#endif
#if MBEDTLS_SSL_IN_CONTENT_LEN < 16384
    KG_RUN(test_server_ignoring_mfl);
#else
    KG_RUN(test_full_size_record_fits_the_pool);
#endif
    KG_RUN(test_wrong_host_name_refused);
    KG_RUN(test_unknown_ca_refused);
    KG_RUN(test_everything_given_back);
    return kg_test_summary();
}
