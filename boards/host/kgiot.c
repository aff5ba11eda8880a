/*
 * kgiot - the host command-line tool: calls the platform's auth endpoints
 * through the same library a device uses (kg_auth over kg_tls over kg_tcp
 * over the POSIX port) and prints the decoded reply as one JSON object.
 *
 *   kgiot token     --base URL --ca FILE --appid A --secret S --code C [--show-secrets]
 *   kgiot app-token --base URL --ca FILE --appid A --secret S [--show-secrets]
 *
 * Exit status: 0 success, 1 the call failed (one line on stderr naming the
 * error), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kg_auth.h"
#include "kg_port_posix.h"
#include "kg_tcp.h"
#include "kg_tls.h"

#define CA_MAX  (64 * 1024)
#define OUT_MAX 2048

typedef struct {
    const char *command;
    const char *base;
    const char *ca_file;
    const char *appid;
    const char *secret;
    const char *code;
    int show_secrets;
    int verbose;
} cli_args_t;

/* Everything static: the tool is built the way a device would use the library. */
static kg_port_t port;
static kg_tcp_t tcp;
static kg_tls_t tls;
static kg_auth_t auth;
static kg_transport_t tcp_tr, tls_tr;
static kg_http_url_t url;
static uint8_t ca_buf[CA_MAX + 1];
static char out_buf[OUT_MAX];

static int usage(void)
{
    fputs("usage: kgiot token     --base URL --ca FILE --appid A --secret S --code C "
          "[--show-secrets] [-v]\n"
          "       kgiot app-token --base URL --ca FILE --appid A --secret S [--show-secrets] "
          "[-v]\n",
          stderr);
    return 2;
}

static const char **option_slot(cli_args_t *a, const char *name)
{
    static const struct {
        const char *name;
        size_t offset;
    } opts[] = {
        {"--base", offsetof(cli_args_t, base)},   {"--ca", offsetof(cli_args_t, ca_file)},
        {"--appid", offsetof(cli_args_t, appid)}, {"--secret", offsetof(cli_args_t, secret)},
        {"--code", offsetof(cli_args_t, code)},
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(name, opts[i].name) == 0) return (const char **)((char *)a + opts[i].offset);
    return NULL;
}

static int parse_args(int argc, char **argv, cli_args_t *a)
{
    memset(a, 0, sizeof *a);
    if (argc < 2) return -1;
    a->command = argv[1];
    for (int i = 2; i < argc; i++) {
        const char **slot = option_slot(a, argv[i]);
        if (slot && i + 1 < argc) {
            *slot = argv[++i];
        } else if (strcmp(argv[i], "--show-secrets") == 0) {
            a->show_secrets = 1;
        } else if (strcmp(argv[i], "-v") == 0) {
            a->verbose = 1;
        } else {
            return -1;
        }
    }
    return (a->base && a->ca_file && a->appid) ? 0 : -1;
}

/* The CA as mbedTLS wants it: PEM with its terminating NUL counted, or DER. */
static kg_err_t load_ca(const char *path, kg_tls_config_t *cfg)
{
    FILE *f = fopen(path, "rb");
    if (!f) return KG_ERR_TLS_CA;
    size_t n = fread(ca_buf, 1, CA_MAX, f);
    int too_big = !feof(f);
    fclose(f);
    if (n == 0 || too_big) return KG_ERR_TLS_CA;
    ca_buf[n] = 0;
    cfg->ca = ca_buf;
    cfg->ca_len = strstr((const char *)ca_buf, "-----BEGIN") ? n + 1 : n;
    return KG_OK;
}

static kg_err_t connect_stack(const cli_args_t *a)
{
    bool is_tls = false;
    kg_tls_config_t tls_cfg;
    kg_err_t err = kg_http_parse_url(a->base, &url, &is_tls);
    if (err == KG_OK && !is_tls)
        err = KG_ERR_URL; /* the platform is only ever spoken to over TLS */
    if (err == KG_OK) err = load_ca(a->ca_file, &tls_cfg);
    if (err == KG_OK) err = kg_tls_pool_init();
    if (err != KG_OK) return err;
    kg_port_posix_init(&port, a->verbose ? KG_LOG_DEBUG : KG_LOG_ERROR);
    kg_tcp_init(&tcp, &port, &tcp_tr);
    err = kg_tls_init(&tls, &tls_cfg, &port, &tcp_tr, &tls_tr);
    if (err != KG_OK) return err;
    const kg_auth_config_t cfg = {
        .host = url.host,
        .port = url.port,
        .env_prefix = url.prefix,
        .appid = a->appid,
        .secret = a->secret,
    };
    return kg_auth_init(&auth, &cfg, &port, &tls_tr);
}

static const char *redact(const char *token, int show)
{
    return show ? token : "***";
}

static kg_err_t print_reply(const kg_token_reply_t *r, int user, int show)
{
    kg_json_writer_t w;
    size_t len;
    kg_json_begin(&w, out_buf, sizeof out_buf);
    kg_json_add_str(&w, "access_token", redact(r->access_token, show));
    kg_json_add_int(&w, "expires_in", r->expires_in);
    kg_json_add_str(&w, "refresh_token", redact(r->refresh_token, show));
    if (user) {
        kg_json_add_str(&w, "openid", r->openid);
        kg_json_add_str(&w, "unionid", r->unionid);
        kg_json_add_str(&w, "scope", r->scope);
        kg_json_add_int(&w, "orig_acnt_type", r->orig_acnt_type);
    }
    kg_json_add_int(&w, "error_code", r->error_code);
    kg_json_add_str(&w, "error_msg", r->error_msg);
    kg_err_t err = kg_json_end(&w, &len);
    if (err == KG_OK) printf("%s\n", out_buf);
    return err;
}

static void report_error(kg_err_t err, const kg_token_reply_t *r)
{
    if (err == KG_ERR_API)
        fprintf(stderr, "kgiot: KG_ERR_API %d %s\n", (int)r->error_code, r->error_msg);
    else if (err == KG_ERR_HTTP_STATUS)
        fprintf(stderr, "kgiot: KG_ERR_HTTP_STATUS %d\n", r->http_status);
    else
        fprintf(stderr, "kgiot: %s (%s)\n", kg_err_name(err), kg_err_text(err));
}

static kg_err_t run_command(const cli_args_t *a, kg_token_reply_t *reply, int *user)
{
    *user = strcmp(a->command, "token") == 0;
    if (!a->secret || (*user && !a->code)) return KG_ERR_ARG;
    kg_err_t err = connect_stack(a);
    if (err != KG_OK) return err;
    err = *user ? kg_auth_user_token(&auth, a->code, reply) : kg_auth_app_token(&auth, reply);
    kg_auth_close(&auth);
    kg_tls_free(&tls);
    return err;
}

int main(int argc, char **argv)
{
    static kg_token_reply_t reply;
    cli_args_t a;
    int user = 0;
    if (parse_args(argc, argv, &a) != 0) return usage();
    if (strcmp(a.command, "token") != 0 && strcmp(a.command, "app-token") != 0) return usage();
    kg_err_t err = run_command(&a, &reply, &user);
    if (err == KG_ERR_ARG) return usage();
    if (err == KG_OK) err = print_reply(&reply, user, a.show_secrets);
    if (err != KG_OK) {
        report_error(err, &reply);
        return 1;
    }
    return 0;
}
