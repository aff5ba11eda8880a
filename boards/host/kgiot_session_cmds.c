/*
 * kgiot_session_cmds.c - the commands that run a kg_session: login (the
 * whole QR flow, printing each event and rendering the QR code in the
 * terminal) and call (an authorised business call with the stored session).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kg_qr.h"
#include "kgiot.h"

#define DEFAULT_STATE "kgiot-session.json"

static kg_session_t session;
static kg_token_store_t store;
static kg_qr_t qr;
static char qr_text[KG_QR_TEXT_MAX];
static int32_t last_platform_code; /* of the last error event, for the error line */

static cli_result_t result(kg_err_t err)
{
    cli_result_t r = {err, 0, NULL, 0};
    return r;
}

static void print_qr(const char *content)
{
    size_t len;
    kg_err_t err = kg_qr_encode(&qr, content);
    if (err == KG_OK) err = kg_qr_render_text(&qr, true, qr_text, sizeof qr_text, &len);
    if (err == KG_OK)
        fputs(qr_text, stdout);
    else
        printf("(QR code not rendered: %s)\n", kg_err_name(err));
}

/* One line per event, as it happens; the QR code right after its content. */
static void on_event(void *ctx, const kg_event_t *ev)
{
    (void)ctx;
    switch (ev->type) {
    case KG_EVENT_QR_READY:
        printf("event: qr_ready %s (valid %llds)\n", ev->qr_content, (long long)ev->qr_expires_in);
        print_qr(ev->qr_content);
        break;
    case KG_EVENT_QR_SCANNED: printf("event: scanned\n"); break;
    case KG_EVENT_QR_CONFIRMED: printf("event: confirmed\n"); break;
    case KG_EVENT_LOGGED_IN: printf("event: logged_in openid=%s\n", ev->openid); break;
    case KG_EVENT_TOKEN_REFRESHED: printf("event: token_refreshed\n"); break;
    case KG_EVENT_LOGIN_REQUIRED: printf("event: login_required\n"); break;
    case KG_EVENT_ERROR:
        printf("event: error %s %d\n", kg_err_name(ev->err), (int)ev->platform_code);
        last_platform_code = ev->platform_code;
        break;
    }
    fflush(stdout);
}

static uint32_t number(const char *text)
{
    return text ? (uint32_t)strtoul(text, NULL, 10) : 0;
}

static kg_err_t open_session(const cli_args_t *a)
{
    kg_tls_config_t tls_cfg = {0}; /* no configure hook */
    if (!a->secret && !a->broker) return KG_ERR_ARG;
    kg_err_t err = cli_prepare(a, &tls_cfg);
    if (err != KG_OK) return err;
    cli_file_store_init(&store, a->state ? a->state : DEFAULT_STATE);
    const kg_session_config_t cfg = {
        .host = cli_url.host,
        .port = cli_url.port,
        .env_prefix = cli_url.prefix,
        .appid = a->appid,
        .mode = a->broker ? KG_MODE_BROKER : KG_MODE_DIRECT,
        .secret = a->secret,
        .appkey = a->appkey,
        .ca = tls_cfg.ca,
        .ca_len = tls_cfg.ca_len,
        .on_event = on_event,
        .store = &store,
        .poll_interval_ms = number(a->poll_ms),
        .qr_renewals = -1,
    };
    return kg_session_init(&session, &cfg, &cli_port);
}

cli_result_t cli_login(const cli_args_t *a)
{
    kg_err_t err = open_session(a);
    if (err == KG_OK) err = kg_login(&session, number(a->timeout_ms));
    kg_session_free(&session);
    cli_result_t r = result(err);
    r.error_code = last_platform_code;
    return r;
}

cli_result_t cli_call(const cli_args_t *a)
{
    static kg_call_reply_t reply;
    const char *body = a->body ? a->body : "{}";
    if (!a->path) return result(KG_ERR_ARG);
    kg_err_t err = open_session(a);
    if (err == KG_OK && !a->guest) err = kg_session_resume(&session);
    if (err == KG_OK)
        err = a->guest ? kg_call_guest(&session, a->path, body, &reply)
                       : kg_call(&session, a->path, body, &reply);
    if (reply.body) printf("%.*s\n", (int)reply.body_len, reply.body);
    kg_session_free(&session);
    cli_result_t r = result(err);
    r.error_code = reply.error_code;
    r.http_status = reply.http_status;
    return r;
}
