/*
 * example_min.c - the smallest complete program on kgiot: a device that
 * signs a user in by QR code through the vendor's broker and makes one
 * authorised call, on the POSIX port. CI builds it three ways (in the tree,
 * through find_package(kgiot) and through pkg-config) and runs it against
 * the bundled mock. The README's "The API in short" is the code between
 * the README markers below; a test keeps the two identical.
 *
 *   example_min https://localhost:8443 ca.pem demo-app
 */
#include <stdio.h>

#include "kg_port_posix.h"
#include "kg_session.h"

static uint8_t ca_pem[256 * 1024]; /* the broker's CA: PEM with its NUL, or DER */

/* README-BEGIN */
static kg_session_t s; /* all state, static: no heap */

static void on_event(void *ctx, const kg_event_t *ev)
{
    (void)ctx;
    if (ev->type == KG_EVENT_QR_READY) printf("scan: %s\n", ev->qr_content); /* or kg_qr */
    if (ev->type == KG_EVENT_RETRY) printf("retry: %s\n", kg_err_name(ev->err));
    if (ev->type == KG_EVENT_LOGGED_IN) printf("logged in\n");
}

static int run(const kg_http_url_t *url, const char *appid, size_t ca_len)
{
    static kg_port_t port;
    kg_port_posix_init(&port, KG_LOG_WARN); /* on a device: your port, or port/lwip */
    kg_tls_pool_init();                     /* mbedTLS's static pool, once */
    const kg_session_config_t cfg = {
        .host = url->host,
        .port = url->port,
        .env_prefix = url->prefix,
        .appid = appid,
        .mode = KG_MODE_BROKER, /* the vendor's backend adds the secret */
        .ca = ca_pem,
        .ca_len = ca_len,
        .on_event = on_event,
        .store = NULL, /* a kg_token_store_t (kg_store on flash) keeps the login */
        .qr_renewals = -1,
    };
    static kg_call_reply_t reply;
    kg_err_t err = kg_session_init(&s, &cfg, &port);
    if (err == KG_OK && kg_session_resume(&s) == KG_ERR_LOGIN_REQUIRED)
        err = kg_login(&s, 0); /* or kg_login_step() from a super-loop */
    if (err == KG_OK) err = kg_call(&s, "/api/v2/user/echo", "{\"k\":1}", &reply);
    if (err == KG_OK) printf("reply: %.*s\n", (int)reply.body_len, reply.body);
    if (err != KG_OK) printf("failed: %s %d\n", kg_err_name(err), (int)reply.error_code);
    kg_session_free(&s);
    return err == KG_OK ? 0 : 1;
}
/* README-END */

/* The CA file as mbedTLS wants it: PEM with its NUL counted, or DER. */
static size_t load_ca(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(ca_pem, 1, sizeof ca_pem - 1, f) : 0;
    if (f) fclose(f);
    ca_pem[n] = '\0';
    return n && ca_pem[0] == '-' ? n + 1 : n;
}

int main(int argc, char **argv)
{
    static kg_http_url_t url;
    bool tls = false;
    if (argc != 4 || kg_http_parse_url(argv[1], &url, &tls) != KG_OK || !tls) {
        fprintf(stderr, "usage: example_min https://HOST[:PORT][/PREFIX] CA.pem APPID\n");
        return 2;
    }
    const size_t ca_len = load_ca(argv[2]);
    if (!ca_len) {
        fprintf(stderr, "example_min: cannot read %s\n", argv[2]);
        return 2;
    }
    return run(&url, argv[3], ca_len);
}
