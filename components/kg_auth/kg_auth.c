/*
 * kg_auth.c - the platform's auth endpoints over kg_http + kg_json.
 *
 * Every call is: build the JSON body, POST it to prefix + path, decode the
 * reply into a fixed struct. Building and decoding are separate functions
 * with no I/O; only post_json() talks to the network.
 */
#include "kg_auth.h"

#include <string.h>

#define KG_HTTPS_PORT 443

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
    char port_txt[8];
    size_t n = sizeof port_txt - 1;
    unsigned v = a->cfg.port;
    port_txt[n] = '\0';
    do {
        port_txt[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    port_txt[--n] = ':';
    const char *suffix = a->cfg.port == KG_HTTPS_PORT ? "" : port_txt + n;
    return join2(a->host_header, sizeof a->host_header, a->cfg.host, suffix);
}

static void apply_defaults(kg_auth_config_t *c)
{
    if (!c->env_prefix) c->env_prefix = "";
    if (!c->port) c->port = KG_HTTPS_PORT;
    if (!c->path_app_token) c->path_app_token = CONFIG_KGIOT_PATH_APP_TOKEN;
    if (!c->path_user_token) c->path_user_token = CONFIG_KGIOT_PATH_USER_TOKEN;
    if (!c->timeout_ms) c->timeout_ms = CONFIG_KGIOT_REQUEST_TIMEOUT_MS;
}

kg_err_t kg_auth_init(kg_auth_t *a, const kg_auth_config_t *cfg, const kg_port_t *port,
                      const kg_transport_t *transport)
{
    if (!a || !cfg || !port || !transport || !cfg->host || !cfg->host[0] || !cfg->appid ||
        !cfg->appid[0])
        return KG_ERR_ARG;
    memset(a, 0, sizeof *a);
    a->cfg = *cfg;
    apply_defaults(&a->cfg);
    kg_err_t err = make_host_header(a);
    if (err != KG_OK) return err;
    kg_http_client_init(&a->http, port, transport, a->cfg.host, a->cfg.port, a->tx, sizeof a->tx,
                        a->rx, sizeof a->rx);
    return KG_OK;
}

void kg_auth_close(kg_auth_t *a)
{
    kg_http_client_close(&a->http);
}

/* ---- Request bodies (no I/O) ---- */

/* The secret travels only in direct mode; in broker mode the vendor's
 * backend adds it, so the device never holds it. */
static void add_credentials(kg_json_writer_t *w, const kg_auth_config_t *c)
{
    kg_json_add_str(w, "appid", c->appid);
    if (c->secret && c->secret[0]) kg_json_add_str(w, "secret", c->secret);
}

static kg_err_t build_app_token_body(kg_auth_t *a, size_t *len)
{
    kg_json_writer_t w;
    kg_json_begin(&w, a->body, sizeof a->body);
    add_credentials(&w, &a->cfg);
    kg_json_add_str(&w, "grant_type", "client_credential");
    return kg_json_end(&w, len);
}

static kg_err_t build_user_token_body(kg_auth_t *a, const char *code, size_t *len)
{
    kg_json_writer_t w;
    kg_json_begin(&w, a->body, sizeof a->body);
    add_credentials(&w, &a->cfg);
    kg_json_add_str(&w, "code", code);
    kg_json_add_str(&w, "grant_type", "authorization_code");
    return kg_json_end(&w, len);
}

/* ---- Reply decoding (no I/O) ---- */

static int status_ok(int status)
{
    return status >= 200 && status < 300;
}

/* The platform's verdict first (error_code), then HTTP's, then completeness. */
kg_err_t kg_auth_decode_token(kg_json_doc_t *doc, int http_status, char *body, size_t len,
                              kg_token_reply_t *out)
{
    memset(out, 0, sizeof *out);
    out->http_status = http_status;
    kg_err_t err = kg_json_decode(doc, body, len, token_fields,
                                  sizeof token_fields / sizeof token_fields[0], out, NULL);
    if (err != KG_OK) return status_ok(http_status) ? err : KG_ERR_HTTP_STATUS;
    if (out->error_code != 0) return KG_ERR_API;
    if (!status_ok(http_status)) return KG_ERR_HTTP_STATUS;
    return out->access_token[0] ? KG_OK : KG_ERR_JSON_MISSING;
}

/* ---- I/O ---- */

static kg_err_t post_json(kg_auth_t *a, const char *path, size_t body_len, kg_http_resp_t **resp)
{
    kg_err_t err = join2(a->path, sizeof a->path, a->cfg.env_prefix, path);
    if (err != KG_OK) return err;
    const kg_http_request_t req = {
        .method = "POST",
        .host = a->host_header,
        .path = a->path,
        .content_type = "application/json",
        .body = (const uint8_t *)a->body,
        .body_len = body_len,
    };
    err = kg_http_client_request(&a->http, &req, a->cfg.timeout_ms, resp);
    log_line(a, err == KG_OK ? KG_LOG_INFO : KG_LOG_WARN, a->path);
    return err;
}

static kg_err_t token_call(kg_auth_t *a, const char *path, kg_err_t built, size_t len, tr_t *out)
{
    kg_http_resp_t *resp;
    if (built != KG_OK) return built;
    kg_err_t err = post_json(a, path, len, &resp);
    if (err != KG_OK) return err;
    size_t body_len;
    char *body = kg_http_resp_body(resp, &body_len);
    err = kg_auth_decode_token(&a->doc, resp->status, body, body_len, out);
    if (err == KG_ERR_API) log_line(a, KG_LOG_WARN, "platform error_code != 0");
    return err;
}

kg_err_t kg_auth_app_token(kg_auth_t *a, kg_token_reply_t *out)
{
    size_t len = 0;
    kg_err_t built = build_app_token_body(a, &len);
    return token_call(a, a->cfg.path_app_token, built, len, out);
}

kg_err_t kg_auth_user_token(kg_auth_t *a, const char *code, kg_token_reply_t *out)
{
    if (!code || !code[0]) return KG_ERR_ARG;
    size_t len = 0;
    kg_err_t built = build_user_token_body(a, code, &len);
    return token_call(a, a->cfg.path_user_token, built, len, out);
}
