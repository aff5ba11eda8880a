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
static kg_err_t last_cause;        /* ... and what a login that timed out kept meeting */

static cli_result_t result(kg_err_t err)
{
    cli_result_t r = {.err = err};
    return r;
}

static bool light_background;

/* COLORFGBG ("15;0": light text on black) is set by rxvt, Konsole and
 * others; its last field is the background colour: 7 or 15 is light. */
static bool terminal_is_light(void)
{
    const char *v = getenv("COLORFGBG");
    const char *bg = v ? strrchr(v, ';') : NULL;
    return bg && (strcmp(bg + 1, "7") == 0 || strcmp(bg + 1, "15") == 0);
}

static void print_qr(const char *content)
{
    size_t len;
    kg_err_t err = kg_qr_encode(&qr, content);
    if (err == KG_OK)
        err = kg_qr_render_text(&qr, !light_background, qr_text, sizeof qr_text, &len);
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
    case KG_EVENT_LOGGED_IN:
        printf("event: logged_in openid=%s\n", ev->openid ? ev->openid : "(none)");
        break;
    case KG_EVENT_TOKEN_REFRESHED: printf("event: token_refreshed\n"); break;
    case KG_EVENT_LOGIN_REQUIRED: printf("event: login_required\n"); break;
    case KG_EVENT_ERROR:
        printf("event: error %s %d\n", kg_err_name(ev->err), (int)ev->platform_code);
        last_platform_code = ev->platform_code;
        last_cause = ev->cause;
        break;
    case KG_EVENT_RETRY:
        printf("event: retry %s in %u ms\n", kg_err_name(ev->err), (unsigned)ev->retry_in_ms);
        break;
    }
    fflush(stdout);
}

static const char *state_path(const cli_args_t *a)
{
    return a->state ? a->state : DEFAULT_STATE;
}

/* Refuse before anything is spent (a QR code shown, a refresh token used)
 * when the result could not be saved. */
static kg_err_t check_state(const cli_args_t *a)
{
    int e = cli_file_store_writable(state_path(a));
    if (e == 0) return KG_OK;
    cli_blame("--state", state_path(a), e, "KG_ERR_STORE (cannot save here)");
    return KG_ERR_STORE;
}

/* A save that failed during the command names the file and the reason. */
static kg_err_t blame_save(const cli_args_t *a, kg_err_t err)
{
    if (err == KG_ERR_STORE)
        cli_blame("--state", state_path(a), cli_file_store_errno(), "KG_ERR_STORE (not saved)");
    return err;
}

static kg_err_t open_session(const cli_args_t *a)
{
    kg_tls_config_t tls_cfg = {0}; /* no configure hook */
    kg_err_t err = cli_prepare(a, &tls_cfg);
    if (err == KG_OK) err = check_state(a);
    if (err != KG_OK) return err;
    light_background = a->light || terminal_is_light();
    cli_file_store_init(&store, state_path(a));
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
        .poll_interval_ms = a->poll_ms,
        .qr_renewals = -1,
    };
    return kg_session_init(&session, &cfg, &cli_port);
}

cli_result_t cli_login(const cli_args_t *a)
{
    kg_err_t err = open_session(a);
    if (err == KG_OK) err = blame_save(a, kg_login(&session, a->timeout_ms));
    kg_session_free(&session);
    cli_result_t r = result(err);
    r.error_code = last_platform_code;
    r.cause = err == KG_ERR_TIMEOUT ? last_cause : KG_OK;
    return r;
}

typedef struct {
    char error_msg[256];
} msg_only_t;
static const kg_json_field_t msg_fields[] = {
    KG_JSON_FIELD_STR(msg_only_t, error_msg, "error_msg", 0),
};

/* The platform's error_msg for the error line, from a copy of the body
 * (decoding works in place); NULL when there is none. */
static const char *error_msg_of(const kg_call_reply_t *r)
{
    static char copy[CONFIG_KGIOT_HTTP_RX_BUF];
    static msg_only_t m;
    static kg_json_doc_t doc;
    if (!r->body || r->body_len > sizeof copy) return NULL;
    memcpy(copy, r->body, r->body_len);
    kg_err_t err = kg_json_decode(&doc, copy, r->body_len, msg_fields, 1, &m, NULL);
    return err == KG_OK && m.error_msg[0] ? m.error_msg : NULL;
}

cli_result_t cli_call(const cli_args_t *a)
{
    static kg_call_reply_t reply;
    const char *body = a->body ? a->body : "{}";
    kg_err_t err = open_session(a);
    if (err == KG_OK && !a->guest) err = blame_save(a, kg_session_resume(&session));
    if (err == KG_ERR_LOGIN_REQUIRED && session.store_foreign)
        cli_blame("--state", state_path(a), 0,
                  "KG_ERR_STORE_FOREIGN (saved for another --appid or --base: kept; log in)");
    if (err == KG_OK)
        err = blame_save(a, a->guest ? kg_call_guest(&session, a->path, body, &reply)
                                     : kg_call(&session, a->path, body, &reply));
    if (reply.body) printf("%.*s\n", (int)reply.body_len, reply.body);
    const char *msg = error_msg_of(&reply); /* before kg_session_free wipes the reply */
    kg_session_free(&session);
    cli_result_t r = result(err);
    r.error_code = reply.error_code;
    r.error_msg = msg;
    r.http_status = reply.http_status;
    return r;
}
