/*
 * kgiot_auth_cmds.c - the commands that call one platform endpoint through
 * kg_auth and print its decoded reply: app-token, token, refresh, qr,
 * qr-status.
 */
#include <stdio.h>
#include <string.h>

#include "kgiot.h"

#define OUT_MAX 2048

/* Everything static: the tool is built the way a device would use the library. */
static kg_tcp_t tcp;
static kg_tls_t tls;
static kg_auth_t auth;
static kg_transport_t tcp_tr, tls_tr;
static char out_buf[OUT_MAX];
static union {
    kg_token_reply_t token;
    kg_qr_reply_t qr;
    kg_qr_status_reply_t qr_status;
} reply;

static bool opened;

static kg_err_t open_auth(const cli_args_t *a)
{
    kg_tls_config_t tls_cfg = {0}; /* no configure hook */
    kg_err_t err = cli_prepare(a, &tls_cfg);
    if (err != KG_OK) return err;
    kg_tcp_init(&tcp, &cli_port, &tcp_tr);
    err = kg_tls_init(&tls, &tls_cfg, &cli_port, &tcp_tr, &tls_tr);

    const kg_auth_config_t cfg = {
        .host = cli_url.host,
        .port = cli_url.port,
        .env_prefix = cli_url.prefix,
        .appid = a->appid,
        .secret = a->secret,
        .appkey = a->appkey,
    };
    if (err == KG_OK) err = kg_auth_init(&auth, &cfg, &cli_port, &tls_tr);
    opened = err == KG_OK;
    return err;
}

/* kg_tls_free is safe on a TLS context that never initialised. */
static void close_auth(void)
{
    if (opened) kg_auth_close(&auth);
    kg_tls_free(&tls);
    opened = false;
}

static cli_result_t result(kg_err_t err, int32_t code, const char *msg, int http_status)
{
    cli_result_t r = {.err = err, .error_code = code, .error_msg = msg, .http_status = http_status};
    return r;
}

static kg_err_t print_token(const cli_args_t *a, const kg_token_reply_t *r, bool user)
{
    kg_json_writer_t w;
    kg_json_begin(&w, out_buf, sizeof out_buf);
    kg_json_add_str(&w, "access_token", cli_redact(a, r->access_token));
    kg_json_add_int(&w, "expires_in", r->expires_in);
    kg_json_add_str(&w, "refresh_token", cli_redact(a, r->refresh_token));
    if (user) {
        kg_json_add_str(&w, "openid", r->openid);
        kg_json_add_str(&w, "unionid", r->unionid);
        kg_json_add_str(&w, "scope", r->scope);
        kg_json_add_int(&w, "orig_acnt_type", r->orig_acnt_type);
    }
    kg_json_add_int(&w, "error_code", r->error_code);
    kg_json_add_str(&w, "error_msg", r->error_msg);
    return cli_print(&w);
}

static cli_result_t token_result(kg_err_t err)
{
    const kg_token_reply_t *t = &reply.token;
    return result(err, t->error_code, t->error_msg, t->http_status);
}

cli_result_t cli_token(const cli_args_t *a, bool user)
{
    if (!a->secret || (user && !a->code)) return result(KG_ERR_ARG, 0, NULL, 0);
    kg_err_t err = open_auth(a);
    if (err == KG_OK)
        err = user ? kg_auth_user_token(&auth, a->code, &reply.token)
                   : kg_auth_app_token(&auth, &reply.token);
    close_auth();
    if (err == KG_OK) err = print_token(a, &reply.token, user);
    return token_result(err);
}

/* ts comes from the host's clock, the signature from the appkey (or --secret). */
cli_result_t cli_refresh(const cli_args_t *a)
{
    int64_t now = 0;
    if (!a->refresh_token || !(a->appkey || a->secret)) return result(KG_ERR_ARG, 0, NULL, 0);
    cli_args_t direct = *a;
    if (!direct.secret) direct.secret = a->appkey; /* refresh needs no secret but the key */
    kg_err_t err = open_auth(&direct);
    if (err == KG_OK) err = cli_port.wall_time(cli_port.ctx, &now);
    if (err == KG_OK) err = kg_auth_refresh(&auth, a->openid, a->refresh_token, now, &reply.token);
    close_auth();
    if (err == KG_OK) err = print_token(a, &reply.token, false);
    return token_result(err);
}

static kg_err_t print_qr(const kg_qr_reply_t *r)
{
    kg_json_writer_t w;
    kg_json_begin(&w, out_buf, sizeof out_buf);
    kg_json_add_str(&w, "qr_url", r->qr_content);
    kg_json_add_str(&w, "qr_id", r->qr_id);
    kg_json_add_int(&w, "expires_in", r->expires_in);
    kg_json_add_int(&w, "error_code", r->error_code);
    kg_json_add_str(&w, "error_msg", r->error_msg);
    return cli_print(&w);
}

/* A QR code needs an app-level token first: two calls on one connection. */
cli_result_t cli_qr(const cli_args_t *a)
{
    if (!a->secret && !a->broker) return result(KG_ERR_ARG, 0, NULL, 0);
    kg_err_t err = open_auth(a);
    if (err == KG_OK) err = kg_auth_app_token(&auth, &reply.token);
    if (err != KG_OK) {
        close_auth();
        return token_result(err);
    }
    static char app_token[CONFIG_KGIOT_TOKEN_MAX];
    memcpy(app_token, reply.token.access_token, sizeof app_token);
    err = kg_auth_qr(&auth, app_token, &reply.qr);
    close_auth();
    if (err == KG_OK) err = print_qr(&reply.qr);
    return result(err, reply.qr.error_code, reply.qr.error_msg, reply.qr.http_status);
}

static const char *state_name(kg_qr_state_t s)
{
    static const char *const names[] = {"waiting", "scanned",   "confirmed",
                                        "expired", "cancelled", "unknown"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

static kg_err_t print_qr_status(const cli_args_t *a, const kg_qr_status_reply_t *r)
{
    kg_json_writer_t w;
    kg_json_begin(&w, out_buf, sizeof out_buf);
    kg_json_add_int(&w, "status", r->status);
    kg_json_add_str(&w, "state", state_name(r->state));
    if (r->code[0]) kg_json_add_str(&w, "code", cli_redact(a, r->code));
    kg_json_add_int(&w, "interval", r->interval);
    kg_json_add_int(&w, "error_code", r->error_code);
    kg_json_add_str(&w, "error_msg", r->error_msg);
    return cli_print(&w);
}

cli_result_t cli_qr_status(const cli_args_t *a)
{
    if (!a->qr_id) return result(KG_ERR_ARG, 0, NULL, 0);
    kg_err_t err = open_auth(a);
    if (err == KG_OK) err = kg_auth_qr_status(&auth, a->qr_id, &reply.qr_status);
    close_auth();
    if (err == KG_OK) err = print_qr_status(a, &reply.qr_status);
    const kg_qr_status_reply_t *r = &reply.qr_status;
    return result(err, r->error_code, r->error_msg, r->http_status);
}
