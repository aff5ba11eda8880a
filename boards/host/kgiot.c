/*
 * kgiot - the host command-line tool. It runs the same library a device
 * uses (kg_auth / kg_session over kg_tls over kg_tcp over the POSIX port)
 * and prints each reply as one JSON object on stdout.
 *
 *   kgiot app-token  --base URL --ca FILE --appid A --secret S
 *   kgiot token      --base URL --ca FILE --appid A --secret S --code C
 *   kgiot refresh    --base URL --ca FILE --appid A --appkey K --refresh-token R [--openid O]
 *   kgiot qr         --base URL --ca FILE --appid A (--secret S | --broker)
 *   kgiot qr-status  --base URL --ca FILE --appid A --qr-id Q
 *   kgiot login      --base URL --ca FILE --appid A (--secret S | --broker) [--state FILE]
 *   kgiot call PATH  --base URL --ca FILE --appid A (--secret S | --broker) [--body JSON] [--guest]
 * Common: [--show-secrets] [-v]. Tokens print as "***" unless --show-secrets.
 *
 * Exit status: 0 success, 1 the call failed (one line on stderr naming the
 * error), 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "kgiot.h"

#define CA_MAX (64 * 1024)

kg_port_t cli_port;
kg_http_url_t cli_url;
static uint8_t ca_buf[CA_MAX + 1];

static int usage(void)
{
    fputs("usage: kgiot app-token --base URL --ca FILE --appid A --secret S\n"
          "       kgiot token     --base URL --ca FILE --appid A --secret S --code C\n"
          "       kgiot refresh   --base URL --ca FILE --appid A --appkey K --refresh-token R "
          "[--openid O]\n"
          "       kgiot qr        --base URL --ca FILE --appid A (--secret S | --broker)\n"
          "       kgiot qr-status --base URL --ca FILE --appid A --qr-id Q\n"
          "       kgiot login     --base URL --ca FILE --appid A (--secret S | --broker) "
          "[--state FILE] [--poll-ms N] [--timeout-ms N]\n"
          "       kgiot call PATH --base URL --ca FILE --appid A (--secret S | --broker) "
          "[--body JSON] [--guest] [--state FILE]\n"
          "options for all: [--show-secrets] [-v]\n",
          stderr);
    return 2;
}

#define OPT(name, member)                                                                          \
    {                                                                                              \
        name, offsetof(cli_args_t, member)                                                         \
    }
static const struct {
    const char *name;
    size_t offset;
} value_opts[] = {
    OPT("--base", base),
    OPT("--ca", ca_file),
    OPT("--appid", appid),
    OPT("--secret", secret),
    OPT("--appkey", appkey),
    OPT("--code", code),
    OPT("--openid", openid),
    OPT("--refresh-token", refresh_token),
    OPT("--qr-id", qr_id),
    OPT("--body", body),
    OPT("--state", state),
    OPT("--poll-ms", poll_ms),
    OPT("--timeout-ms", timeout_ms),
};
static const struct {
    const char *name;
    size_t offset;
} flag_opts[] = {
    OPT("--broker", broker),
    OPT("--guest", guest),
    OPT("--show-secrets", show_secrets),
    OPT("-v", verbose),
};

/* Consumes argv[*i] (and its value); false for an unknown option. */
static bool parse_option(cli_args_t *a, int argc, char **argv, int *i)
{
    for (size_t k = 0; k < sizeof value_opts / sizeof value_opts[0]; k++) {
        if (strcmp(argv[*i], value_opts[k].name) != 0) continue;
        if (*i + 1 >= argc) return false;
        *(const char **)((char *)a + value_opts[k].offset) = argv[++*i];
        return true;
    }
    for (size_t k = 0; k < sizeof flag_opts / sizeof flag_opts[0]; k++) {
        if (strcmp(argv[*i], flag_opts[k].name) != 0) continue;
        *(bool *)((char *)a + flag_opts[k].offset) = true;
        return true;
    }
    return false;
}

static bool parse_args(int argc, char **argv, cli_args_t *a)
{
    memset(a, 0, sizeof *a);
    if (argc < 2) return false;
    a->command = argv[1];
    int i = 2;
    if (strcmp(a->command, "call") == 0 && argc > 2 && argv[2][0] != '-') a->path = argv[i++];
    for (; i < argc; i++)
        if (!parse_option(a, argc, argv, &i)) return false;
    return a->base && a->ca_file && a->appid;
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

kg_err_t cli_prepare(const cli_args_t *a, kg_tls_config_t *tls_cfg)
{
    bool is_tls = false;
    kg_err_t err = kg_http_parse_url(a->base, &cli_url, &is_tls);
    if (err == KG_OK && !is_tls)
        err = KG_ERR_URL; /* the platform is only ever spoken to over TLS */
    if (err == KG_OK) err = load_ca(a->ca_file, tls_cfg);
    if (err == KG_OK) err = kg_tls_pool_init();
    kg_port_posix_init(&cli_port, a->verbose ? KG_LOG_DEBUG : KG_LOG_ERROR);
    return err;
}

const char *cli_redact(const cli_args_t *a, const char *secret)
{
    return a->show_secrets ? secret : "***";
}

kg_err_t cli_print(kg_json_writer_t *w)
{
    size_t len;
    kg_err_t err = kg_json_end(w, &len);
    if (err == KG_OK) printf("%s\n", w->buf);
    fflush(stdout);
    return err;
}

static void report_error(const cli_result_t *r)
{
    if (r->err == KG_ERR_API)
        fprintf(stderr, "kgiot: KG_ERR_API %d %s\n", (int)r->error_code,
                r->error_msg ? r->error_msg : "");
    else if (r->err == KG_ERR_HTTP_STATUS)
        fprintf(stderr, "kgiot: KG_ERR_HTTP_STATUS %d\n", r->http_status);
    else
        fprintf(stderr, "kgiot: %s (%s)\n", kg_err_name(r->err), kg_err_text(r->err));
}

static cli_result_t app_token(const cli_args_t *a)
{
    return cli_token(a, false);
}

static cli_result_t user_token(const cli_args_t *a)
{
    return cli_token(a, true);
}

static const struct {
    const char *name;
    cli_result_t (*run)(const cli_args_t *a);
} commands[] = {
    {"app-token", app_token},     {"token", user_token}, {"refresh", cli_refresh}, {"qr", cli_qr},
    {"qr-status", cli_qr_status}, {"login", cli_login},  {"call", cli_call},
};

int main(int argc, char **argv)
{
    cli_args_t a;
    if (!parse_args(argc, argv, &a)) return usage();
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(a.command, commands[i].name) != 0) continue;
        cli_result_t r = commands[i].run(&a);
        if (r.err == KG_ERR_ARG) return usage();
        if (r.err != KG_OK) report_error(&r);
        return r.err == KG_OK ? 0 : 1;
    }
    return usage();
}
