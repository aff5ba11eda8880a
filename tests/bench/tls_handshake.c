/*
 * tls_handshake - the client's cost of a TLS handshake through kg_tls, for
 * callgrind (tests/bench/tls_handshake_cost.sh counts the instructions
 * inside mbedtls_ssl_handshake). Gets the app token twice from the mock
 * platform, closing the connection in between, so that the second handshake
 * resumes the first one's session; callgrind dumps its counts after each
 * (valgrind's callgrind.h: a no-op outside valgrind).
 *   tls_handshake BASE_URL CA_FILE APPID SECRET [tls12]
 * tls12 caps the client at TLS 1.2 through kg_tls's configure hook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kg_auth.h"
#include "kg_port_posix.h"
#include "kg_tcp.h"
#include "kg_tls.h"

#include <valgrind/callgrind.h>

static kg_port_t port;
static kg_tcp_t tcp;
static kg_tls_t tls;
static kg_auth_t auth;
static kg_transport_t tcp_tr, tls_tr;
static kg_http_url_t url;
static kg_token_reply_t reply;
static uint8_t ca[65536];

static kg_err_t cap_tls12(void *ctx, mbedtls_ssl_config *conf)
{
    (void)ctx;
#if MBEDTLS_VERSION_MAJOR >= 3
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    (void)conf; /* 2.28 speaks nothing newer */
#endif
    return KG_OK;
}

int main(int argc, char **argv)
{
    bool is_tls;
    if (argc < 5) return 2;
    FILE *f = fopen(argv[2], "rb");
    if (!f) return 2;
    size_t n = fread(ca, 1, sizeof ca - 1, f);
    fclose(f);
    kg_tls_config_t tls_cfg = {.ca = ca, .ca_len = n + 1};
    if (argc > 5 && strcmp(argv[5], "tls12") == 0) tls_cfg.configure = cap_tls12;
    kg_port_posix_init(&port, KG_LOG_WARN);
    kg_tcp_init(&tcp, &port, &tcp_tr);
    kg_err_t err = kg_http_parse_url(argv[1], &url, &is_tls);
    if (err == KG_OK) err = kg_tls_pool_init();
    if (err == KG_OK) err = kg_tls_init(&tls, &tls_cfg, &port, &tcp_tr, &tls_tr);
    kg_auth_config_t cfg = {
        .host = url.host, .port = url.port, .appid = argv[3], .secret = argv[4]};
    if (err == KG_OK) err = kg_auth_init(&auth, &cfg, &port, &tls_tr);
    if (err == KG_OK) err = kg_auth_app_token(&auth, &reply);
    kg_auth_close(&auth); /* the next call connects again: a resumed handshake */
    CALLGRIND_DUMP_STATS_AT("full");
    if (err == KG_OK) err = kg_auth_app_token(&auth, &reply);
    kg_auth_close(&auth);
    CALLGRIND_DUMP_STATS_AT("resumed");
    printf("%s %s full=%u resumed=%u\n", kg_err_name(err), MBEDTLS_VERSION_STRING,
           (unsigned)tls.handshakes_full, (unsigned)tls.handshakes_resumed);
    kg_tls_free(&tls);
    return err == KG_OK ? 0 : 1;
}
