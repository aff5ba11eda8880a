/*
 * kg_session.c - set-up, resume at boot, refresh, and the token set.
 *
 * The login state machine is in kg_session_login.c, business calls in
 * kg_session_call.c, time in kg_session_time.c.
 */
#include <stddef.h>
#include <string.h>

#include "kg_session_priv.h"

/* ---- Logs and events ---- */

/* Decimal of v into the end of buf[0..cap); returns where it starts. */
static char *u64_text(char *buf, size_t cap, uint64_t v)
{
    char *p = buf + cap - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v && p > buf);
    return p;
}

/* Append " src" to dst (length *len, capacity cap), cutting what does not fit. */
static void append_word(char *dst, size_t cap, size_t *len, const char *src)
{
    if (*len + 1 < cap) dst[(*len)++] = ' ';
    while (*src && *len + 1 < cap)
        dst[(*len)++] = *src++;
    dst[*len] = '\0';
}

void kgs_log(const kg_session_t *s, kg_log_level_t level, const char *msg, const char *detail,
             int64_t num)
{
    const kg_port_t *p = s->port;
    char line[96], digits_buf[24];
    if (!p->log || (int)level > CONFIG_KGIOT_LOG_LEVEL) return;
    size_t len = 0;
    line[0] = '\0';
    append_word(line, sizeof line, &len, msg);
    if (detail) append_word(line, sizeof line, &len, detail);
    if (num >= 0)
        append_word(line, sizeof line, &len,
                    u64_text(digits_buf, sizeof digits_buf, (uint64_t)num));
    p->log(p->ctx, level, line + 1); /* without the leading blank */
}

void kgs_emit(kg_session_t *s, kg_event_type_t type, kg_err_t err, int32_t platform_code)
{
    if (!s->cfg.on_event) return;
    const uint64_t now = kgs_now_ms(s);
    const uint64_t wait = s->next_step_at > now ? s->next_step_at - now : 0;
    const kg_event_t ev = {
        .type = type,
        .err = err,
        .cause = type == KG_EVENT_ERROR && err == KG_ERR_TIMEOUT ? s->last_err : KG_OK,
        .retry_in_ms = wait > UINT32_MAX ? UINT32_MAX : (uint32_t)wait, /* read for RETRY only */
        .platform_code = platform_code,
        .qr_content = type == KG_EVENT_QR_READY ? s->qr_content : NULL,
        .qr_expires_in = type == KG_EVENT_QR_READY ? s->qr_expires_in : 0,
        .openid = s->tokens.openid[0] ? s->tokens.openid : NULL,
    };
    s->cfg.on_event(s->cfg.event_ctx, &ev);
}

/* ---- The token set ---- */

void kgs_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    kg_auth_wipe(dst + n, cap - n);
}

void kgs_wipe_token_reply(kg_token_reply_t *r)
{
    /* The token strings and the user's ids come first in the struct. */
    kg_auth_wipe(r, offsetof(kg_token_reply_t, expires_in));
}

/* FNV-1a over s, its NUL included. */
static uint32_t fnv1a(uint32_t h, const char *s)
{
    do {
        h = (h ^ (uint8_t)*s) * 16777619u;
    } while (*s++);
    return h;
}

/* What a saved set is bound to: the appid, host, port and prefix. Never 0. */
static uint32_t binding(const kg_session_t *s)
{
    char port[8];
    uint32_t h = fnv1a(2166136261u, s->cfg.appid);
    h = fnv1a(h, s->cfg.host);
    h = fnv1a(h, u64_text(port, sizeof port, s->cfg.port));
    h = fnv1a(h, s->cfg.env_prefix);
    return h ? h : 1;
}

kg_err_t kgs_save(kg_session_t *s)
{
    const kg_token_store_t *st = s->cfg.store;
    if (!st) return KG_OK;
    if (s->store_foreign) { /* another appid's login stays until one of ours completes */
        kgs_log(s, KG_LOG_INFO, "store: holds another appid's or host's tokens: not saved", NULL,
                -1);
        return KG_OK;
    }
    s->tokens.binding = binding(s);
    kg_err_t err = st->save(st->ctx, &s->tokens);
    if (err == KG_OK) {
        s->saves++;
        return KG_OK;
    }
    s->save_err = KG_ERR_STORE;
    kgs_log(s, KG_LOG_ERROR, "store: save failed:", kg_err_name(err), -1);
    kgs_emit(s, KG_EVENT_ERROR, KG_ERR_STORE, 0);
    return KG_ERR_STORE;
}

static void forget_user(kg_tokens_t *t)
{
    kg_auth_wipe(t->access_token, sizeof t->access_token);
    kg_auth_wipe(t->refresh_token, sizeof t->refresh_token);
    kg_auth_wipe(t->openid, sizeof t->openid);
    kg_auth_wipe(t->unionid, sizeof t->unionid);
    kg_auth_wipe(t->scope, sizeof t->scope);
    t->expires_at = 0;
}

kg_err_t kgs_login_required(kg_session_t *s, bool save)
{
    forget_user(&s->tokens);
    s->logged_in = false;
    if (save) (void)kgs_save(s); /* a failure is reported in kgs_save */
    kgs_log(s, KG_LOG_WARN, "session: login required", NULL, -1);
    kgs_emit(s, KG_EVENT_LOGIN_REQUIRED, KG_ERR_LOGIN_REQUIRED, 0);
    return KG_ERR_LOGIN_REQUIRED;
}

bool kgs_rejected(kg_err_t err, int32_t code, int http_status)
{
    if (err == KG_ERR_API && code == CONFIG_KGIOT_CODE_TOKEN_EXPIRED) return true;
    const bool complete = err == KG_ERR_API || err == KG_ERR_HTTP_STATUS || err == KG_OK;
    return complete && (http_status == 401 || http_status == 403);
}

static bool app_token_usable(kg_session_t *s)
{
    return s->tokens.app_token[0] && !kgs_expiring(s, s->tokens.app_expires_at);
}

kg_err_t kgs_app_token(kg_session_t *s, bool force)
{
    uint32_t mark;
    if (!force && app_token_usable(s)) return KG_OK;
    kg_token_reply_t *r = &s->reply.token;
    kg_err_t err = kgs_exchange_begin(s, &mark);
    if (err == KG_OK) err = kg_auth_app_token(&s->auth, r);
    kgs_exchange_end(s, mark);
    if (err == KG_OK) {
        kgs_copy(s->tokens.app_token, sizeof s->tokens.app_token, r->access_token);
        kgs_copy(s->tokens.app_refresh_token, sizeof s->tokens.app_refresh_token, r->refresh_token);
        s->tokens.app_expires_at = kgs_expiry(s, r->expires_in);
    }
    kgs_wipe_token_reply(r);
    if (err != KG_OK) return err;
    kgs_log(s, KG_LOG_INFO, "session: app token", NULL, -1);
    (void)kgs_save(s);
    return KG_OK;
}

/* ---- Set-up ---- */

static void apply_defaults(kg_session_config_t *c)
{
    if (!c->host) c->host = CONFIG_KGIOT_HOST;
    if (!c->port) c->port = CONFIG_KGIOT_PORT;
    if (!c->env_prefix) c->env_prefix = CONFIG_KGIOT_ENV_PREFIX;
    if (!c->poll_interval_ms) c->poll_interval_ms = CONFIG_KGIOT_POLL_INTERVAL_MS;
    if (!c->poll_interval_max_ms) c->poll_interval_max_ms = CONFIG_KGIOT_POLL_INTERVAL_MAX_MS;
    if (!c->refresh_margin_s) c->refresh_margin_s = CONFIG_KGIOT_REFRESH_MARGIN_S;
    if (c->qr_renewals < 0) c->qr_renewals = CONFIG_KGIOT_QR_RENEWALS;
}

static bool has_text(const char *v)
{
    return v && v[0];
}

/* Broker mode keeps the secret off the device altogether (PLATFORM.md). */
static bool mode_valid(const kg_session_config_t *c)
{
    if (c->mode == KG_MODE_BROKER) return !has_text(c->secret) && !has_text(c->appkey);
    return c->mode == KG_MODE_DIRECT && has_text(c->secret);
}

static bool config_valid(const kg_session_config_t *c, const kg_port_t *port)
{
    if (!has_text(c->appid) || !port->now_ms || !mode_valid(c)) return false;
    return !c->store || (c->store->load && c->store->save);
}

static kg_err_t auth_init(kg_session_t *s, const kg_transport_t *tr)
{
    const kg_session_config_t *c = &s->cfg;
    const bool direct = c->mode == KG_MODE_DIRECT;
    const kg_auth_config_t ac = {
        .host = c->host,
        .port = c->port,
        .env_prefix = c->env_prefix,
        .appid = c->appid,
        .secret = direct ? c->secret : NULL,
        .appkey = direct ? c->appkey : NULL,
        .path_app_token = c->path_app_token,
        .path_user_token = c->path_user_token,
        .path_qr = c->path_qr,
        .path_qr_status = c->path_qr_status,
        .path_refresh = c->path_refresh,
        .path_virtual_unbind = c->path_virtual_unbind,
        .path_virtual_bind_info = c->path_virtual_bind_info,
        .timeout_ms = c->timeout_ms,
    };
    /* The only reply headers the session reads (clock and backoff); every
     * other one is dropped as it arrives. */
    static const char *const kept[] = {"Date", "Retry-After", NULL};
    kg_err_t err = kg_auth_init(&s->auth, &ac, s->port, tr);
    s->auth.http.keep = kept;
    s->call_timeout_ms = s->auth.cfg.timeout_ms; /* with kg_auth's default applied */
    return err;
}

kg_err_t kg_session_init_transport(kg_session_t *s, const kg_session_config_t *cfg,
                                   const kg_port_t *port, const kg_transport_t *transport)
{
    if (!s) return KG_ERR_ARG;
    memset(s, 0, sizeof *s); /* a failed init leaves s that kg_session_free ignores */
    if (!cfg || !port || !transport || !config_valid(cfg, port)) return KG_ERR_ARG;
    s->cfg = *cfg;
    s->port = port;
    apply_defaults(&s->cfg);
    return auth_init(s, transport);
}

kg_err_t kg_session_init(kg_session_t *s, const kg_session_config_t *cfg, const kg_port_t *port)
{
    if (!s) return KG_ERR_ARG;
    memset(s, 0, sizeof *s); /* a failed init leaves s that kg_session_free ignores */
    bool trust = cfg && (cfg->ca ? cfg->ca_len > 0 : cfg->tls_configure != NULL);
    if (!port || !trust || !config_valid(cfg, port)) return KG_ERR_ARG;
    s->cfg = *cfg;
    s->port = port;
    apply_defaults(&s->cfg);
    kg_tcp_init(&s->tcp, port, &s->tcp_tr);
    const kg_tls_config_t tc = {.ca = cfg->ca,
                                .ca_len = cfg->ca_len,
                                .configure = cfg->tls_configure,
                                .configure_ctx = cfg->tls_configure_ctx};
    kg_err_t err = kg_tls_init(&s->tls, &tc, port, &s->tcp_tr, &s->tls_tr);
    if (err != KG_OK) return err;
    s->tls_ready = true;
    return auth_init(s, &s->tls_tr);
}

void kg_session_free(kg_session_t *s)
{
    if (!s) return;
    kg_auth_close(&s->auth); /* and its buffers wiped */
    if (s->tls_ready) kg_tls_free(&s->tls);
    s->tls_ready = false;
    /* The tokens are in the store (or gone for good with the session). */
    kg_auth_wipe(&s->tokens, sizeof s->tokens);
    kg_auth_wipe(&s->reply, sizeof s->reply);
    kg_auth_wipe(s->code, sizeof s->code);
    kg_auth_wipe(s->qr_id, sizeof s->qr_id);
    s->logged_in = false;
}

/* ---- Resume, refresh, logout ---- */

/* A loaded set must be usable as C strings whatever the store returned. */
static void terminate_strings(kg_tokens_t *t)
{
    t->app_token[sizeof t->app_token - 1] = '\0';
    t->app_refresh_token[sizeof t->app_refresh_token - 1] = '\0';
    t->access_token[sizeof t->access_token - 1] = '\0';
    t->refresh_token[sizeof t->refresh_token - 1] = '\0';
    t->openid[sizeof t->openid - 1] = '\0';
    t->unionid[sizeof t->unionid - 1] = '\0';
    t->scope[sizeof t->scope - 1] = '\0';
}

/* A set bound to another appid or host is not ours: neither used nor
 * overwritten (a firmware that changed host must not destroy the login). */
static kg_err_t check_binding(kg_session_t *s)
{
    if (!s->tokens.binding || s->tokens.binding == binding(s)) return KG_OK;
    s->store_foreign = true;
    return KG_ERR_STORE_FOREIGN;
}

/* KG_OK when the store had a set of ours; the set is taken even without a
 * user token, for its app token. */
static kg_err_t load_tokens(kg_session_t *s)
{
    const kg_token_store_t *st = s->cfg.store;
    s->loaded = true;
    if (!st) return KG_ERR_NOT_FOUND;
    kg_auth_wipe(&s->tokens, sizeof s->tokens);
    kg_err_t err = st->load(st->ctx, &s->tokens);
    if (err == KG_OK) err = check_binding(s);
    if (err != KG_OK) {
        kg_auth_wipe(&s->tokens, sizeof s->tokens);
        kgs_log(s, KG_LOG_INFO, "session: nothing loaded:", kg_err_name(err), -1);
        return err;
    }
    terminate_strings(&s->tokens);
    return KG_OK;
}

void kgs_load_once(kg_session_t *s)
{
    if (!s->loaded) (void)load_tokens(s);
}

kg_err_t kg_session_resume(kg_session_t *s)
{
    if (!s) return KG_ERR_ARG;
    s->save_err = KG_OK;
    if (load_tokens(s) != KG_OK || !s->tokens.access_token[0]) return kgs_login_required(s, false);
    s->logged_in = true;
    kgs_log(s, KG_LOG_INFO, "session: resumed", NULL, -1);
    return kg_session_keep_alive(s);
}

/* The time for the sign; in broker mode the backend signs, so any will do. */
static kg_err_t refresh_ts(kg_session_t *s, int64_t *ts)
{
    kg_err_t err = kg_session_time(s, ts);
    if (err == KG_OK || s->cfg.mode == KG_MODE_DIRECT) return err;
    *ts = 0;
    return KG_OK;
}

static void take_refreshed(kg_session_t *s, const kg_token_reply_t *r)
{
    kgs_copy(s->tokens.access_token, sizeof s->tokens.access_token, r->access_token);
    if (r->refresh_token[0])
        kgs_copy(s->tokens.refresh_token, sizeof s->tokens.refresh_token, r->refresh_token);
    s->tokens.expires_at = kgs_expiry(s, r->expires_in);
}

kg_err_t kg_session_refresh(kg_session_t *s)
{
    int64_t ts = 0;
    uint32_t mark;
    if (!s) return KG_ERR_ARG;
    if (!s->tokens.refresh_token[0]) return kgs_login_required(s, true);
    kg_err_t err = refresh_ts(s, &ts);
    if (err == KG_OK) err = kgs_exchange_begin(s, &mark);
    if (err != KG_OK) return err;
    kg_token_reply_t *r = &s->reply.token;
    err = kg_auth_refresh(&s->auth, s->tokens.openid, s->tokens.refresh_token, ts, r);
    kgs_exchange_end(s, mark);
    if (err == KG_OK) take_refreshed(s, r);
    kgs_wipe_token_reply(r);
    if (kgs_rejected(err, r->error_code, kgs_http_status(s))) return kgs_login_required(s, true);
    if (err != KG_OK) {
        kgs_log(s, KG_LOG_WARN, "refresh: failed:", kg_err_name(err), -1);
        return err;
    }
    err = kgs_save(s); /* KG_ERR_STORE: the new token works, but only until a reboot */
    s->refreshes++;
    kgs_log(s, KG_LOG_INFO, "refresh: new access token", NULL, -1);
    kgs_emit(s, KG_EVENT_TOKEN_REFRESHED, KG_OK, 0);
    return err;
}

kg_err_t kg_session_keep_alive(kg_session_t *s)
{
    if (!s) return KG_ERR_ARG;
    if (!s->logged_in) return KG_ERR_LOGIN_REQUIRED;
    return kgs_expiring(s, s->tokens.expires_at) ? kg_session_refresh(s) : KG_OK;
}

kg_err_t kg_logout(kg_session_t *s)
{
    if (!s) return KG_ERR_ARG;
    forget_user(&s->tokens);
    s->logged_in = false;
    return kgs_save(s);
}
