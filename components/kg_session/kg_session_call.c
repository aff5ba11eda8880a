/*
 * kg_session_call.c - authorised business calls over the session's
 * connection: the token in a header, one refresh and one retry when the
 * platform says the token expired.
 */
#include <string.h>

#include "kg_json.h"
#include "kg_session_priv.h"

typedef struct {
    int32_t error_code;
} code_only_t;

static const kg_json_field_t code_fields[] = {
    KG_JSON_FIELD_I32(code_only_t, error_code, "error_code", 0),
};

/* A business reply may be anything (an array, HTML from a proxy, more
 * tokens than the table holds): then it has no error_code, and the HTTP
 * status alone speaks. The body is not modified. */
static int32_t error_code_of(kg_session_t *s, char *body, size_t len)
{
    code_only_t c = {0};
    kg_err_t err = kg_json_decode(&s->auth.doc, body, len, code_fields,
                                  sizeof code_fields / sizeof code_fields[0], &c, NULL);
    return err == KG_OK ? c.error_code : 0;
}

static void take_reply(kg_session_t *s, kg_http_resp_t *resp, kg_call_reply_t *reply)
{
    reply->http_status = resp->status;
    reply->body = kg_http_resp_body(resp, &reply->body_len);
    reply->error_code = error_code_of(s, reply->body, reply->body_len);
}

/* One POST. With the app token the openid header is left out altogether:
 * the platform rejects an app token that comes with one (PLATFORM.md). */
static kg_err_t post_once(kg_session_t *s, bool guest, const char *path, const char *body,
                          kg_call_reply_t *reply)
{
    const kg_http_header_t headers[] = {
        {CONFIG_KGIOT_CALL_APPID_HEADER, s->cfg.appid},
        {CONFIG_KGIOT_CALL_TOKEN_HEADER, guest ? s->tokens.app_token : s->tokens.access_token},
        {CONFIG_KGIOT_CALL_OPENID_HEADER, s->tokens.openid},
    };
    kg_http_resp_t *resp = NULL;
    uint32_t mark;
    memset(reply, 0, sizeof *reply);
    kg_err_t err = kgs_exchange_begin(s, &mark);
    if (err == KG_OK)
        err = kg_auth_post(&s->auth, path, body, strlen(body), headers, guest ? 2 : 3, &resp);
    kgs_exchange_end(s, mark);
    if (err == KG_OK) take_reply(s, resp, reply);
    return err;
}

static bool token_refused(const kg_call_reply_t *r)
{
    return r->error_code == CONFIG_KGIOT_CODE_TOKEN_EXPIRED || r->http_status == 401 ||
           r->http_status == 403;
}

static kg_err_t verdict(kg_err_t err, const kg_call_reply_t *r)
{
    if (err != KG_OK) return err;
    if (r->error_code != 0) return KG_ERR_API;
    return r->http_status >= 200 && r->http_status < 300 ? KG_OK : KG_ERR_HTTP_STATUS;
}

static bool args_valid(const kg_session_t *s, const char *path, const kg_call_reply_t *reply)
{
    return s && reply && path && path[0] == '/';
}

/* Post; when the platform refuses the token, renew it once (refresh the
 * user token, fetch another app token) and post once more. A failed renewal
 * leaves the reply empty: its body was in the buffer the renewal reused. */
static kg_err_t post_renewing(kg_session_t *s, bool guest, const char *path, const char *body,
                              kg_call_reply_t *reply)
{
    kg_err_t err = post_once(s, guest, path, body, reply);
    if (err != KG_OK || !token_refused(reply)) return verdict(err, reply);
    kgs_log(s, KG_LOG_INFO, "call: token refused, renewing it", NULL, -1);
    err = guest ? kgs_app_token(s, true) : kg_session_refresh(s);
    if (err != KG_OK && err != KG_ERR_STORE) { /* not saved, but renewed: go on */
        memset(reply, 0, sizeof *reply);
        return err;
    }
    return verdict(post_once(s, guest, path, body, reply), reply);
}

/* A call that worked while a renewed token failed to save says so. */
static kg_err_t with_save(const kg_session_t *s, kg_err_t err)
{
    return err == KG_OK ? s->save_err : err;
}

kg_err_t kg_call(kg_session_t *s, const char *path, const char *json_body, kg_call_reply_t *reply)
{
    if (!args_valid(s, path, reply)) return KG_ERR_ARG;
    memset(reply, 0, sizeof *reply);
    s->save_err = KG_OK;
    /* A proactive refresh that fails on the network still leaves a token
     * that may work; only a refused one stops the call. */
    kg_err_t err = kg_session_keep_alive(s);
    if (err == KG_ERR_LOGIN_REQUIRED) return err;
    return with_save(s, post_renewing(s, false, path, json_body ? json_body : "{}", reply));
}

kg_err_t kg_call_guest(kg_session_t *s, const char *path, const char *json_body,
                       kg_call_reply_t *reply)
{
    if (!args_valid(s, path, reply)) return KG_ERR_ARG;
    memset(reply, 0, sizeof *reply);
    s->save_err = KG_OK;
    kgs_load_once(s); /* a saved login survives a guest call, and its app token serves */
    kg_err_t err = kgs_app_token(s, false);
    if (err != KG_OK) return err;
    return with_save(s, post_renewing(s, true, path, json_body ? json_body : "{}", reply));
}
