/*
 * itest_auth - library-level integration driver: runs a scenario of kg_auth
 * calls against a server (the mock platform) and prints one JSON line with
 * the results and the client's connection and handshake counters, which the
 * Python test compares with what the server saw.
 *
 *   itest_auth SCENARIO BASE_URL CA_FILE APPID SECRET CODE
 *   SCENARIO: two-calls   app token, then user token, on one kg_auth
 */
#include <stdio.h>
#include <string.h>

#include "kg_auth.h"
#include "kg_port_posix.h"
#include "kg_tcp.h"
#include "kg_tls.h"

static kg_port_t port;
static kg_tcp_t tcp;
static kg_tls_t tls;
static kg_auth_t auth;
static kg_transport_t tcp_tr, tls_tr;
static kg_http_url_t url;
static kg_token_reply_t app, user;
static uint8_t ca[65536];

static int load_ca(const char *path, kg_tls_config_t *cfg)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t n = fread(ca, 1, sizeof ca - 1, f);
    fclose(f);
    ca[n] = 0;
    cfg->ca = ca;
    cfg->ca_len = n + 1;
    return 0;
}

static kg_err_t setup(char **argv)
{
    bool is_tls;
    kg_tls_config_t tls_cfg = {0}; /* no configure hook */
    kg_err_t err = kg_http_parse_url(argv[2], &url, &is_tls);
    if (err != KG_OK) return err;
    if (load_ca(argv[3], &tls_cfg) != 0) return KG_ERR_TLS_CA;
    kg_port_posix_init(&port, KG_LOG_WARN);
    kg_tcp_init(&tcp, &port, &tcp_tr);
    err = kg_tls_pool_init();
    if (err == KG_OK) err = kg_tls_init(&tls, &tls_cfg, &port, &tcp_tr, &tls_tr);
    const kg_auth_config_t cfg = {
        .host = url.host,
        .port = url.port,
        .env_prefix = url.prefix,
        .appid = argv[4],
        .secret = argv[5],
    };
    if (err == KG_OK) err = kg_auth_init(&auth, &cfg, &port, &tls_tr);
    return err;
}

int main(int argc, char **argv)
{
    if (argc != 7 || strcmp(argv[1], "two-calls") != 0) {
        fprintf(stderr, "usage: itest_auth two-calls BASE CA APPID SECRET CODE\n");
        return 2;
    }
    kg_err_t err = setup(argv);
    kg_err_t e1 = err == KG_OK ? kg_auth_app_token(&auth, &app) : err;
    kg_err_t e2 = err == KG_OK ? kg_auth_user_token(&auth, argv[6], &user) : err;
    printf("{\"app\":\"%s\",\"user\":\"%s\",\"openid\":\"%s\",\"connects\":%u,\"requests\":%u,"
           "\"full\":%u,\"resumed\":%u}\n",
           kg_err_name(e1), kg_err_name(e2), user.openid, (unsigned)auth.http.connects,
           (unsigned)auth.http.requests, (unsigned)tls.handshakes_full,
           (unsigned)tls.handshakes_resumed);
    kg_auth_close(&auth);
    kg_tls_free(&tls);
    return (e1 == KG_OK && e2 == KG_OK) ? 0 : 1;
}
