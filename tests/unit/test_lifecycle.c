/*
 * test_lifecycle.c - every *_free / *_close of the library and the POSIX
 * port is safe on NULL, on a zero-filled object (a static that was never
 * initialised), after a failed init on an object full of garbage, and twice.
 * An application's error path frees whatever it set up, whether or not the
 * set-up got that far: the host tool crashed (exit 139) on exactly that.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "kg_flash_file.h"
#include "kg_port_posix.h"
#include "kg_session.h"
#include "kg_test.h"

static kg_port_t port;
static const uint8_t junk_ca[] = "-----BEGIN CERTIFICATE-----\nnot base64 !\n"
                                 "-----END CERTIFICATE-----\n";

/* Objects full of garbage, as an automatic variable would be. */
static void garbage(void *p, size_t n)
{
    memset(p, 0xA5, n);
}

static kg_err_t t_open(void *ctx, const char *host, uint16_t p, uint32_t timeout_ms)
{
    (void)ctx, (void)host, (void)p, (void)timeout_ms;
    return KG_ERR_IO;
}
static kg_err_t t_send(void *ctx, const uint8_t *b, size_t n, uint32_t timeout_ms)
{
    (void)ctx, (void)b, (void)n, (void)timeout_ms;
    return KG_ERR_IO;
}
static kg_err_t t_recv(void *ctx, uint8_t *b, size_t cap, size_t *got, uint32_t timeout_ms)
{
    (void)ctx, (void)b, (void)cap, (void)got, (void)timeout_ms;
    return KG_ERR_IO;
}
static int closes;
static void t_close(void *ctx)
{
    (void)ctx;
    closes++;
}
static const kg_transport_t fake_tr = {NULL, t_open, t_send, t_recv, t_close};

static kg_session_config_t session_cfg(const char *appid)
{
    const kg_session_config_t cfg = {
        .appid = appid,
        .mode = KG_MODE_BROKER,
        .ca = junk_ca,
        .ca_len = sizeof junk_ca,
        .qr_renewals = -1,
    };
    return cfg;
}

static void test_session_free_zero_and_null(void)
{
    static kg_session_t zero; /* never initialised */
    kg_session_free(NULL);
    kg_session_free(&zero);
    kg_session_free(&zero);
    KG_CHECK(1);
}

static void test_session_free_after_failed_init(void)
{
    static kg_session_t s;
    kg_session_config_t cfg = session_cfg("");
    garbage(&s, sizeof s);
    KG_CHECK_ERR(kg_session_init(&s, &cfg, &port), KG_ERR_ARG); /* empty appid */
    kg_session_free(&s);
    cfg = session_cfg("app");
    cfg.secret = "s"; /* a secret in broker mode */
    garbage(&s, sizeof s);
    KG_CHECK_ERR(kg_session_init(&s, &cfg, &port), KG_ERR_ARG);
    kg_session_free(&s);
    cfg = session_cfg("app");
    garbage(&s, sizeof s);
    KG_CHECK(kg_session_init(&s, &cfg, &port) != KG_OK); /* the CA does not parse */
    kg_session_free(&s);
    kg_session_free(&s);
    garbage(&s, sizeof s);
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &port, NULL), KG_ERR_ARG);
    kg_session_free(&s);
}

static void test_session_free_twice_after_init(void)
{
    static kg_session_t s;
    kg_session_config_t cfg = session_cfg("app");
    closes = 0;
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &port, &fake_tr), KG_OK);
    kg_session_free(&s);
    kg_session_free(&s);
    KG_CHECK(closes >= 1);
}

static void test_auth_close(void)
{
    static kg_auth_t a;
    const kg_auth_config_t cfg = {.host = "h", .appid = ""};
    kg_auth_close(NULL);
    memset(&a, 0, sizeof a);
    kg_auth_close(&a);
    garbage(&a, sizeof a);
    KG_CHECK_ERR(kg_auth_init(&a, &cfg, &port, &fake_tr), KG_ERR_ARG);
    kg_auth_close(&a);
    kg_auth_close(&a);
}

static void test_http_client_close(void)
{
    static kg_http_client_t c;
    kg_http_client_close(NULL);
    kg_http_client_close(&c);
    KG_CHECK(!c.connected);
}

static void test_tls_free(void)
{
    static kg_tls_t t;
    static kg_tcp_t tcp;
    kg_transport_t tcp_tr, tls_tr;
    const kg_tls_config_t bad = {.ca = junk_ca, .ca_len = sizeof junk_ca};
    const kg_tls_config_t none = {.ca = NULL, .ca_len = 0};
    kg_tls_free(NULL);
    kg_tls_free(&t);
    kg_tcp_init(&tcp, &port, &tcp_tr);
    garbage(&t, sizeof t);
    KG_CHECK_ERR(kg_tls_init(&t, &none, &port, &tcp_tr, &tls_tr), KG_ERR_ARG);
    kg_tls_free(&t);
    garbage(&t, sizeof t);
    KG_CHECK(kg_tls_init(&t, &bad, &port, &tcp_tr, &tls_tr) != KG_OK);
    kg_tls_free(&t);
    kg_tls_free(&t);
}

/* fd 0 of a zero-filled kg_flash_file_t is not its file: closing it would
 * close the process's standard input. */
static void test_flash_file_close(void)
{
    static kg_flash_file_t ff;
    static uint8_t image[4096];
    if (fcntl(0, F_GETFD) == -1) (void)open("/dev/null", O_RDONLY); /* becomes fd 0 */
    kg_flash_file_close(NULL);
    kg_flash_file_close(&ff);
    KG_CHECK(fcntl(0, F_GETFD) != -1);
    garbage(&ff, sizeof ff);
    ff.fd = 0;
    KG_CHECK_ERR(kg_flash_file_init(&ff, image, 1000, 2, 3, NULL), KG_ERR_ARG);
    kg_flash_file_close(&ff);
    KG_CHECK(fcntl(0, F_GETFD) != -1);
    KG_CHECK_ERR(kg_flash_file_init(&ff, image, 1024, 4, 1, NULL), KG_OK);
    kg_flash_file_close(&ff);
    kg_flash_file_close(&ff);
    KG_CHECK(fcntl(0, F_GETFD) != -1);
}

int main(void)
{
    kg_port_posix_init(&port, KG_LOG_ERROR);
    kg_tls_pool_init();
    KG_RUN(test_session_free_zero_and_null);
    KG_RUN(test_session_free_after_failed_init);
    KG_RUN(test_session_free_twice_after_init);
    KG_RUN(test_auth_close);
    KG_RUN(test_http_client_close);
    KG_RUN(test_tls_free);
    KG_RUN(test_flash_file_close);
    return kg_test_summary();
}
