/*
 * kg_auth_codec.c - request bodies and reply decoding for every endpoint.
 * No I/O: kg_auth.c moves the bytes.
 */
#include "kg_auth_codec.h"

#include <string.h>

/* ---- Reply tables ---- */

typedef kg_token_reply_t tr_t;
static const kg_json_field_t token_fields[] = {
    KG_JSON_FIELD_STR(tr_t, access_token, "access_token", 0),
    KG_JSON_FIELD_I64(tr_t, expires_in, "expires_in", 0),
    KG_JSON_FIELD_STR(tr_t, refresh_token, "refresh_token", 0),
    KG_JSON_FIELD_STR(tr_t, openid, "openid", 0),
    KG_JSON_FIELD_STR(tr_t, unionid, "unionid", 0),
    KG_JSON_FIELD_STR(tr_t, scope, "scope", 0),
    KG_JSON_FIELD_I32(tr_t, orig_acnt_type, "orig_acnt_type", 0),
    KG_JSON_FIELD_I32(tr_t, error_code, "error_code", 0),
    KG_JSON_FIELD_STR(tr_t, error_msg, "error_msg", 0),
};

typedef kg_qr_reply_t qr_t;
static const kg_json_field_t qr_fields[] = {
    KG_JSON_FIELD_STR(qr_t, qr_content, CONFIG_KGIOT_QR_FIELD_CONTENT, 0),
    KG_JSON_FIELD_STR(qr_t, qr_id, CONFIG_KGIOT_QR_FIELD_ID, 0),
    KG_JSON_FIELD_I64(qr_t, expires_in, "expires_in", 0),
    KG_JSON_FIELD_I32(qr_t, error_code, "error_code", 0),
    KG_JSON_FIELD_STR(qr_t, error_msg, "error_msg", 0),
};

typedef kg_qr_status_reply_t qs_t;
static const kg_json_field_t qr_status_fields[] = {
    KG_JSON_FIELD_I32(qs_t, status, CONFIG_KGIOT_QR_FIELD_STATUS, 0),
    KG_JSON_FIELD_STR(qs_t, code, CONFIG_KGIOT_QR_FIELD_CODE, 0),
    KG_JSON_FIELD_I32(qs_t, interval, CONFIG_KGIOT_QR_FIELD_INTERVAL, 0),
    KG_JSON_FIELD_I32(qs_t, error_code, "error_code", 0),
    KG_JSON_FIELD_STR(qs_t, error_msg, "error_msg", 0),
};

typedef kg_status_reply_t st_t;
static const kg_json_field_t status_fields[] = {
    KG_JSON_FIELD_I32(st_t, status, "status", 0),
    KG_JSON_FIELD_I32(st_t, error_code, "error_code", 0),
    KG_JSON_FIELD_STR(st_t, error_msg, "error_msg", 0),
};

#define FIELDS(t) (t), sizeof(t) / sizeof((t)[0])

/* ---- Reply decoding ---- */

static bool status_ok(int status)
{
    return status >= 200 && status < 300;
}

/* The platform's verdict first (error_code), then HTTP's. A body that is not
 * JSON on an HTTP error is that HTTP error, not a JSON one. */
static kg_err_t verdict(kg_err_t decoded, int http_status, int32_t error_code)
{
    if (decoded != KG_OK) return status_ok(http_status) ? decoded : KG_ERR_HTTP_STATUS;
    if (error_code != 0) return KG_ERR_API;
    return status_ok(http_status) ? KG_OK : KG_ERR_HTTP_STATUS;
}

kg_err_t kg_auth_decode_token(kg_json_doc_t *doc, int http_status, char *body, size_t len,
                              kg_token_reply_t *out)
{
    memset(out, 0, sizeof *out);
    out->http_status = http_status;
    kg_err_t err = kg_json_decode(doc, body, len, FIELDS(token_fields), out, NULL);
    err = verdict(err, http_status, out->error_code);
    if (err == KG_OK && !out->access_token[0]) err = KG_ERR_JSON_MISSING;
    return err;
}

kg_err_t kg_auth_decode_qr(kg_json_doc_t *doc, int http_status, char *body, size_t len,
                           kg_qr_reply_t *out)
{
    memset(out, 0, sizeof *out);
    out->http_status = http_status;
    kg_err_t err = kg_json_decode(doc, body, len, FIELDS(qr_fields), out, NULL);
    err = verdict(err, http_status, out->error_code);
    if (err == KG_OK && (!out->qr_content[0] || !out->qr_id[0])) err = KG_ERR_JSON_MISSING;
    return err;
}

static kg_qr_state_t qr_state(int32_t status)
{
    static const struct {
        int32_t value;
        kg_qr_state_t state;
    } map[] = {
        {CONFIG_KGIOT_QR_STATUS_WAITING, KG_QR_WAITING},
        {CONFIG_KGIOT_QR_STATUS_SCANNED, KG_QR_SCANNED},
        {CONFIG_KGIOT_QR_STATUS_CONFIRMED, KG_QR_CONFIRMED},
        {CONFIG_KGIOT_QR_STATUS_EXPIRED, KG_QR_EXPIRED},
        {CONFIG_KGIOT_QR_STATUS_CANCELLED, KG_QR_CANCELLED},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].value == status) return map[i].state;
    return KG_QR_UNKNOWN;
}

kg_err_t kg_auth_decode_qr_status(kg_json_doc_t *doc, int http_status, char *body, size_t len,
                                  kg_qr_status_reply_t *out)
{
    memset(out, 0, sizeof *out);
    out->http_status = http_status;
    out->status = -1; /* absent must not read as "waiting" */
    kg_err_t err = kg_json_decode(doc, body, len, FIELDS(qr_status_fields), out, NULL);
    err = verdict(err, http_status, out->error_code);
    out->state = qr_state(out->status);
    if (err == KG_OK && out->state == KG_QR_CONFIRMED && !out->code[0]) err = KG_ERR_JSON_MISSING;
    return err;
}

kg_err_t kg_auth_decode_status(kg_json_doc_t *doc, int http_status, char *body, size_t len,
                               kg_status_reply_t *out)
{
    memset(out, 0, sizeof *out);
    out->http_status = http_status;
    kg_err_t err = kg_json_decode(doc, body, len, FIELDS(status_fields), out, NULL);
    return verdict(err, http_status, out->error_code);
}

/* ---- Request bodies ---- */

/* The secret travels only in direct mode; in broker mode the vendor's
 * backend adds it, so the device never holds it. */
static void add_credentials(kg_json_writer_t *w, const kg_auth_config_t *c)
{
    kg_json_add_str(w, "appid", c->appid);
    if (kg_auth_direct(c)) kg_json_add_str(w, "secret", c->secret);
}

bool kg_auth_direct(const kg_auth_config_t *c)
{
    return c->secret && c->secret[0];
}

kg_err_t kg_auth_body_app_token(const kg_auth_config_t *c, char *buf, size_t cap, size_t *len)
{
    kg_json_writer_t w;
    kg_json_begin(&w, buf, cap);
    add_credentials(&w, c);
    kg_json_add_str(&w, "grant_type", "client_credential");
    return kg_json_end(&w, len);
}

kg_err_t kg_auth_body_user_token(const kg_auth_config_t *c, const char *code, char *buf, size_t cap,
                                 size_t *len)
{
    kg_json_writer_t w;
    kg_json_begin(&w, buf, cap);
    add_credentials(&w, c);
    kg_json_add_str(&w, "code", code);
    kg_json_add_str(&w, "grant_type", "authorization_code");
    return kg_json_end(&w, len);
}

kg_err_t kg_auth_body_qr(const kg_auth_config_t *c, const char *app_token, char *buf, size_t cap,
                         size_t *len)
{
    kg_json_writer_t w;
    kg_json_begin(&w, buf, cap);
    kg_json_add_str(&w, "appid", c->appid);
    kg_json_add_str(&w, "access_token", app_token);
    return kg_json_end(&w, len);
}

kg_err_t kg_auth_body_qr_status(const kg_auth_config_t *c, const char *qr_id, char *buf, size_t cap,
                                size_t *len)
{
    kg_json_writer_t w;
    kg_json_begin(&w, buf, cap);
    kg_json_add_str(&w, "appid", c->appid);
    kg_json_add_str(&w, CONFIG_KGIOT_QR_FIELD_ID, qr_id);
    return kg_json_end(&w, len);
}

/* In broker mode ts and sign are the backend's to add (it holds the appkey). */
kg_err_t kg_auth_body_refresh(const kg_auth_config_t *c, const char *openid,
                              const char *refresh_token, int64_t ts, char *buf, size_t cap,
                              size_t *len)
{
    kg_json_writer_t w;
    char sign[33];
    kg_json_begin(&w, buf, cap);
    kg_json_add_str(&w, "appid", c->appid);
    if (openid && openid[0]) kg_json_add_str(&w, "openid", openid);
    kg_json_add_str(&w, "refresh_token", refresh_token);
    if (kg_auth_direct(c)) {
        const char *key = c->appkey && c->appkey[0] ? c->appkey : c->secret;
        kg_err_t err = kg_auth_refresh_sign(c->appid, ts, key, sign);
        if (err == KG_OK) kg_json_add_int(&w, "ts", ts);
        if (err == KG_OK) kg_json_add_str(&w, "sign", sign);
        kg_auth_wipe(sign, sizeof sign);
        if (err != KG_OK) return err;
    }
    return kg_json_end(&w, len);
}

kg_err_t kg_auth_body_virtual_unbind(const kg_auth_config_t *c, const char *openid,
                                     const char *access_token, const char *vendor_token, char *buf,
                                     size_t cap, size_t *len)
{
    kg_json_writer_t w;
    kg_json_begin(&w, buf, cap);
    kg_json_add_str(&w, "appid", c->appid);
    kg_json_add_str(&w, "openid", openid);
    kg_json_add_str(&w, "access_token", access_token);
    kg_json_add_str(&w, "token", vendor_token);
    return kg_json_end(&w, len);
}

kg_err_t kg_auth_body_virtual_bind_info(const kg_auth_config_t *c, const char *virtual_openid,
                                        const char *app_token, char *buf, size_t cap, size_t *len)
{
    kg_json_writer_t w;
    kg_json_begin(&w, buf, cap);
    kg_json_add_str(&w, "appid", c->appid);
    kg_json_add_str(&w, "virtual_openid", virtual_openid);
    kg_json_add_str(&w, "access_token", app_token);
    return kg_json_end(&w, len);
}
