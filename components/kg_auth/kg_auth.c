/*
 * kg_auth.c - the platform's auth endpoints: each builds its body
 * (kg_auth_codec.c), POSTs it to prefix + path over the kept-alive
 * connection, and decodes the reply (kg_auth_codec.c). Only post() does I/O.
 */
#include "kg_auth.h"

#include <mbedtls/platform_util.h>
#include <string.h>

#include "kg_auth_codec.h"

#define KG_HTTPS_PORT 443

static void log_line(const kg_auth_t *a, kg_log_level_t level, const char *msg)
{
    const kg_port_t *p = a->http.port;
    if (p->log && (int)level <= CONFIG_KGIOT_LOG_LEVEL) p->log(p->ctx, level, msg);
}

/* dst = a + b, or KG_ERR_NO_SPACE. */
static kg_err_t join2(char *dst, size_t cap, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb + 1 > cap) return KG_ERR_NO_SPACE;
    memcpy(dst, a, la);
    memcpy(dst + la, b, lb + 1);
    return KG_OK;
}

/* Host header: "host" on the default port, else "host:port". */
static kg_err_t make_host_header(kg_auth_t *a)
{
    char suffix[22] = "";
    if (a->cfg.port != KG_HTTPS_PORT) {
        suffix[0] = ':';
        suffix[1 + kg_auth_format_i64(a->cfg.port, suffix + 1)] = '\0';
    }
    return join2(a->host_header, sizeof a->host_header, a->cfg.host, suffix);
}

static const char *or_default(const char *value, const char *fallback)
{
    return value ? value : fallback;
}

static void apply_defaults(kg_auth_config_t *c)
{
    c->env_prefix = or_default(c->env_prefix, "");
    c->path_app_token = or_default(c->path_app_token, CONFIG_KGIOT_PATH_APP_TOKEN);
    c->path_user_token = or_default(c->path_user_token, CONFIG_KGIOT_PATH_USER_TOKEN);
    c->path_qr = or_default(c->path_qr, CONFIG_KGIOT_PATH_QR);
    c->path_qr_status = or_default(c->path_qr_status, CONFIG_KGIOT_PATH_QR_STATUS);
    c->path_refresh = or_default(c->path_refresh, CONFIG_KGIOT_PATH_REFRESH);
    c->path_virtual_unbind = or_default(c->path_virtual_unbind, CONFIG_KGIOT_PATH_VIRTUAL_UNBIND);
    c->path_virtual_bind_info =
        or_default(c->path_virtual_bind_info, CONFIG_KGIOT_PATH_VIRTUAL_BIND_INFO);
    if (!c->port) c->port = KG_HTTPS_PORT;
    if (!c->timeout_ms) c->timeout_ms = CONFIG_KGIOT_REQUEST_TIMEOUT_MS;
}

static bool filled(const char *s)
{
    return s && s[0];
}

kg_err_t kg_auth_init(kg_auth_t *a, const kg_auth_config_t *cfg, const kg_port_t *port,
                      const kg_transport_t *transport)
{
    if (!a) return KG_ERR_ARG;
    memset(a, 0, sizeof *a); /* a failed init leaves a that kg_auth_close ignores */
    if (!cfg || !port || !transport || !filled(cfg->host) || !filled(cfg->appid)) return KG_ERR_ARG;
    a->cfg = *cfg;
    apply_defaults(&a->cfg);
    kg_err_t err = make_host_header(a);
    if (err != KG_OK) return err;
    kg_http_client_init(&a->http, port, transport, a->cfg.host, a->cfg.port, a->tx, sizeof a->tx,
                        a->rx, sizeof a->rx);
    return KG_OK;
}

void kg_auth_wipe(void *p, size_t n)
{
    mbedtls_platform_zeroize(p, n);
}

void kg_auth_close(kg_auth_t *a)
{
    if (!a) return;
    kg_http_client_close(&a->http);
    kg_auth_wipe(a->tx, sizeof a->tx);
    kg_auth_wipe(a->rx, sizeof a->rx);
    kg_auth_wipe(a->body, sizeof a->body);
}

/* The reply's body, decoded: the kept header lines before it (Date,
 * Retry-After: the session reads them next) stay. */
static void wipe_reply_body(kg_auth_t *a)
{
    size_t head = a->http.resp.head_len <= sizeof a->rx ? a->http.resp.head_len : 0;
    kg_auth_wipe(a->rx + head, sizeof a->rx - head);
}

/* ---- I/O ---- */

kg_err_t kg_auth_post(kg_auth_t *a, const char *path, const char *body, size_t len,
                      const kg_http_header_t *headers, size_t header_count, kg_http_resp_t **resp)
{
    kg_err_t err = join2(a->path, sizeof a->path, a->cfg.env_prefix, path);
    if (err != KG_OK) return err;
    const kg_http_request_t req = {
        .method = "POST",
        .host = a->host_header,
        .path = a->path,
        .content_type = "application/json",
        .body = (const uint8_t *)body,
        .body_len = len,
        .headers = headers,
        .header_count = header_count,
    };
    kg_auth_wipe(a->rx, sizeof a->rx); /* the last reply, held for the caller until now */
    err = kg_http_client_request(&a->http, &req, a->cfg.timeout_ms, resp);
    /* Sent (or never to be): the request and its body carried the secret,
     * a token or the signature. */
    kg_auth_wipe(a->tx, sizeof a->tx);
    kg_auth_wipe(a->body, sizeof a->body);
    /* The path names the endpoint; no body, token or header value is logged. */
    log_line(a, err == KG_OK ? KG_LOG_DEBUG : KG_LOG_WARN, a->path);
    return err;
}

/* A reply as the decoders take it. */
typedef struct {
    int status;
    char *body;
    size_t len;
} reply_t;

/* POST a->body (built as `built` reported) and hand back the reply. */
static kg_err_t exchange(kg_auth_t *a, const char *path, kg_err_t built, size_t len, reply_t *r)
{
    kg_http_resp_t *resp;
    if (built != KG_OK) return built;
    kg_err_t err = kg_auth_post(a, path, a->body, len, NULL, 0, &resp);
    if (err != KG_OK) return err;
    r->status = resp->status;
    r->body = kg_http_resp_body(resp, &r->len);
    return KG_OK;
}

/* The end of every endpoint call: its reply is decoded (or refused). */
static kg_err_t logged(kg_auth_t *a, kg_err_t err)
{
    wipe_reply_body(a);
    if (err == KG_ERR_API) log_line(a, KG_LOG_WARN, "platform error_code != 0");
    return err;
}

/* ---- Endpoints ---- */

/* Runs one token endpoint: the body is already in a->body. */
static kg_err_t token_call(kg_auth_t *a, const char *path, kg_err_t built, size_t len,
                           kg_token_reply_t *out)
{
    reply_t r;
    memset(out, 0, sizeof *out);
    kg_err_t err = exchange(a, path, built, len, &r);
    if (err == KG_OK) err = kg_auth_decode_token(&a->doc, r.status, r.body, r.len, out);
    return logged(a, err);
}

kg_err_t kg_auth_app_token(kg_auth_t *a, kg_token_reply_t *out)
{
    size_t len = 0;
    kg_err_t built = kg_auth_body_app_token(&a->cfg, a->body, sizeof a->body, &len);
    return token_call(a, a->cfg.path_app_token, built, len, out);
}

kg_err_t kg_auth_user_token(kg_auth_t *a, const char *code, kg_token_reply_t *out)
{
    size_t len = 0;
    if (!filled(code)) return KG_ERR_ARG;
    kg_err_t built = kg_auth_body_user_token(&a->cfg, code, a->body, sizeof a->body, &len);
    return token_call(a, a->cfg.path_user_token, built, len, out);
}

kg_err_t kg_auth_refresh(kg_auth_t *a, const char *openid, const char *refresh_token, int64_t ts,
                         kg_token_reply_t *out)
{
    size_t len = 0;
    if (!filled(refresh_token)) return KG_ERR_ARG;
    kg_err_t built =
        kg_auth_body_refresh(&a->cfg, openid, refresh_token, ts, a->body, sizeof a->body, &len);
    return token_call(a, a->cfg.path_refresh, built, len, out);
}

kg_err_t kg_auth_qr(kg_auth_t *a, const char *app_token, kg_qr_reply_t *out)
{
    reply_t r;
    size_t len = 0;
    if (!filled(app_token)) return KG_ERR_ARG;
    kg_err_t built = kg_auth_body_qr(&a->cfg, app_token, a->body, sizeof a->body, &len);
    kg_err_t err = exchange(a, a->cfg.path_qr, built, len, &r);
    if (err == KG_OK) err = kg_auth_decode_qr(&a->doc, r.status, r.body, r.len, out);
    return logged(a, err);
}

kg_err_t kg_auth_qr_status(kg_auth_t *a, const char *qr_id, kg_qr_status_reply_t *out)
{
    reply_t r;
    size_t len = 0;
    if (!filled(qr_id)) return KG_ERR_ARG;
    kg_err_t built = kg_auth_body_qr_status(&a->cfg, qr_id, a->body, sizeof a->body, &len);
    kg_err_t err = exchange(a, a->cfg.path_qr_status, built, len, &r);
    if (err == KG_OK) err = kg_auth_decode_qr_status(&a->doc, r.status, r.body, r.len, out);
    return logged(a, err);
}

static kg_err_t status_call(kg_auth_t *a, const char *path, kg_err_t built, size_t len,
                            kg_status_reply_t *out)
{
    reply_t r;
    kg_err_t err = exchange(a, path, built, len, &r);
    if (err == KG_OK) err = kg_auth_decode_status(&a->doc, r.status, r.body, r.len, out);
    return logged(a, err);
}

kg_err_t kg_auth_virtual_unbind(kg_auth_t *a, const char *openid, const char *access_token,
                                const char *vendor_token, kg_status_reply_t *out)
{
    size_t len = 0;
    if (!filled(openid) || !filled(access_token) || !filled(vendor_token)) return KG_ERR_ARG;
    kg_err_t built = kg_auth_body_virtual_unbind(&a->cfg, openid, access_token, vendor_token,
                                                 a->body, sizeof a->body, &len);
    return status_call(a, a->cfg.path_virtual_unbind, built, len, out);
}

kg_err_t kg_auth_virtual_bind_info(kg_auth_t *a, const char *virtual_openid, const char *app_token,
                                   kg_status_reply_t *out)
{
    size_t len = 0;
    if (!filled(virtual_openid) || !filled(app_token)) return KG_ERR_ARG;
    kg_err_t built = kg_auth_body_virtual_bind_info(&a->cfg, virtual_openid, app_token, a->body,
                                                    sizeof a->body, &len);
    return status_call(a, a->cfg.path_virtual_bind_info, built, len, out);
}
