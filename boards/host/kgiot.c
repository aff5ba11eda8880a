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
 * `kgiot --help` and `kgiot COMMAND --help` describe every option
 * (kgiot_args.c).
 *
 * Exit status: 0 success, 1 the call failed (one line on stderr naming the
 * error, and the file or option at fault), 2 usage (one line naming the
 * argument that is wrong).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kgiot.h"

kg_port_t cli_port;
kg_http_url_t cli_url;

static struct {
    const char *option, *value, *reason;
    int sys_errno;
} blame;

void cli_blame(const char *option, const char *value, int sys_errno, const char *reason)
{
    blame.option = option;
    blame.value = value;
    blame.sys_errno = sys_errno;
    blame.reason = reason;
}

/* All of f, of any size (the system bundle is 220 KB), plus a NUL: the
 * host tool may use the heap, the library never does. 0 or an errno. */
static int slurp(FILE *f, uint8_t **out, size_t *len)
{
    size_t cap = 0, n = 0, got = 1;
    uint8_t *buf = NULL;
    errno = 0;
    while (got > 0) {
        if (n + 1 >= cap) {
            uint8_t *bigger = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!bigger) break;
            buf = bigger;
        }
        n += got = fread(buf + n, 1, cap - n - 1, f);
    }
    *out = buf;
    *len = n;
    if (!buf || got > 0) return ENOMEM;
    buf[n] = 0;
    return ferror(f) ? (errno ? errno : EIO) : 0;
}

static kg_err_t read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    int e = f ? slurp(f, out, len) : errno;
    if (f) fclose(f);
    if (e)
        cli_blame("--ca", path, e, NULL);
    else if (*len == 0)
        cli_blame("--ca", path, 0, "KG_ERR_TLS_CA (the file is empty)");
    return e || *len == 0 ? KG_ERR_TLS_CA : KG_OK;
}

/* The CA as mbedTLS wants it: PEM with its terminating NUL counted, or DER. */
static kg_err_t load_ca(const char *path, kg_tls_config_t *cfg)
{
    static uint8_t *ca; /* lives as long as the process */
    size_t n = 0;
    free(ca);
    ca = NULL;
    kg_err_t err = read_file(path, &ca, &n);
    if (err != KG_OK) return err;
    cfg->ca = ca;
    cfg->ca_len = strstr((const char *)ca, "-----BEGIN") ? n + 1 : n;
    cli_blame("--ca", path, 0, NULL); /* a CA that does not parse is this file's fault */
    return KG_OK;
}

kg_err_t cli_prepare(const cli_args_t *a, kg_tls_config_t *tls_cfg)
{
    bool is_tls = false;
    /* Silent unless -v: the one error line comes from main(). */
    kg_port_posix_init(&cli_port, a->verbose ? KG_LOG_DEBUG : (kg_log_level_t)0);
    kg_err_t err = kg_http_parse_url(a->base, &cli_url, &is_tls);
    if (err == KG_OK && !is_tls) {
        cli_blame("--base", a->base, 0, "KG_ERR_URL (only https:// is supported)");
        return KG_ERR_URL; /* the platform is only ever spoken to over TLS */
    }
    if (err != KG_OK) {
        cli_blame("--base", a->base, 0, NULL);
        return err;
    }
    /* No kg_tls_pool_init(): the tool leaves mbedTLS on the process heap,
     * so that a CA bundle of any size parses (the system's needs ~300 KB
     * parsed); firmware gives it the static pool. */
    return load_ca(a->ca_file, tls_cfg);
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
    fputs("kgiot: ", stderr);
    if (blame.option) fprintf(stderr, "%s %s: ", blame.option, blame.value);
    if (blame.reason || blame.sys_errno) {
        fprintf(stderr, "%s%s%s\n", blame.reason ? blame.reason : "",
                blame.reason && blame.sys_errno ? ": " : "",
                blame.sys_errno ? strerror(blame.sys_errno) : "");
    } else if (r->err == KG_ERR_API)
        fprintf(stderr, "KG_ERR_API %d%s%s\n", (int)r->error_code,
                r->error_msg && r->error_msg[0] ? " " : "", r->error_msg ? r->error_msg : "");
    else if (r->err == KG_ERR_HTTP_STATUS)
        fprintf(stderr, "KG_ERR_HTTP_STATUS %d\n", r->http_status);
    else if (r->cause != KG_OK)
        fprintf(stderr, "%s (%s); last: %s (%s)\n", kg_err_name(r->err), kg_err_text(r->err),
                kg_err_name(r->cause), kg_err_text(r->cause));
    else
        fprintf(stderr, "%s (%s)\n", kg_err_name(r->err), kg_err_text(r->err));
}

int main(int argc, char **argv)
{
    cli_args_t a;
    cli_run_t run = NULL;
    int status = cli_parse(argc, argv, &a, &run);
    if (status >= 0) return status;
    cli_result_t r = run(&a);
    if (r.err == KG_OK) return 0;
    /* load_ca names the file for a CA that mbedTLS refuses later; not for other errors. */
    if (blame.option && !blame.sys_errno && !blame.reason && r.err != KG_ERR_TLS_CA)
        cli_blame(NULL, NULL, 0, NULL);
    report_error(&r);
    return 1;
}
