/*
 * fake_platform.c - see fake_platform.h. Test code: plain libc is fine here
 * (snprintf, gmtime_r), the component under test uses none of it.
 */
#define _POSIX_C_SOURCE 200809L
#include "fake_platform.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kg_json.h"

fp_t fp;

/* ---- port ---- */

static uint64_t p_now(void *ctx)
{
    (void)ctx;
    return fp.now_ms;
}

int64_t fp_unix_now(void)
{
    return FP_UNIX_BASE + (int64_t)(fp.now_ms / 1000);
}

static kg_err_t p_wall(void *ctx, int64_t *unix_s)
{
    (void)ctx;
    if (!fp.wall_clock) return KG_ERR_NO_CLOCK;
    *unix_s = fp_unix_now();
    return KG_OK;
}

static void p_sleep(void *ctx, uint32_t ms)
{
    (void)ctx;
    fp.sleeps++;
    fp.now_ms += ms;
    fp.latest_wake = fp.now_ms;
}

static kg_err_t p_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = fp.random_value;
        if (!fp.random_fixed) {
            fp.rng = fp.rng * 1664525u + 1013904223u;
            v = fp.rng;
        }
        size_t n = len - i < 4 ? len - i : 4;
        memcpy(buf + i, &v, n);
    }
    return KG_OK;
}

static void p_log(void *ctx, kg_log_level_t level, const char *msg)
{
    (void)ctx;
    int n = snprintf(fp.log + fp.log_len, sizeof fp.log - fp.log_len, "%d %s\n", (int)level, msg);
    if (n > 0 && (size_t)n < sizeof fp.log - fp.log_len) fp.log_len += (size_t)n;
}

const kg_port_t fp_port = {
    .now_ms = p_now,
    .wall_time = p_wall,
    .sleep_ms = p_sleep,
    .random = p_random,
    .log = p_log,
};

/* ---- token store ---- */

static kg_err_t s_load(void *ctx, kg_tokens_t *out)
{
    (void)ctx;
    fp.loads++;
    if (fp.load_err != KG_OK) return fp.load_err;
    if (!fp.has_saved) return KG_ERR_NOT_FOUND;
    *out = fp.saved;
    return KG_OK;
}

static kg_err_t s_save(void *ctx, const kg_tokens_t *t)
{
    (void)ctx;
    if (fp.save_err != KG_OK) return fp.save_err;
    fp.saves++;
    fp.saved = *t;
    fp.has_saved = true;
    fp.reqs_at_save = fp.n_reqs;
    return KG_OK;
}

const kg_token_store_t fp_store = {.load = s_load, .save = s_save};

/* ---- the application ---- */

void fp_on_event(void *ctx, const kg_event_t *e)
{
    const kg_session_t *s = ctx;
    fp_event_t *r = &fp.events[fp.n_events < 63 ? fp.n_events++ : 63];
    r->type = e->type;
    r->err = e->err;
    r->cause = e->cause;
    r->retry_in_ms = e->retry_in_ms;
    r->platform_code = e->platform_code;
    snprintf(r->qr_content, sizeof r->qr_content, "%s", e->qr_content ? e->qr_content : "");
    r->qr_expires_in = e->qr_expires_in;
    snprintf(r->openid, sizeof r->openid, "%s", e->openid ? e->openid : "");
    r->at_ms = fp.now_ms;
    r->saves_before = fp.saves;
    r->saved_current = fp.has_saved && strcmp(fp.saved.access_token, s->tokens.access_token) == 0;
}

bool fp_events_are(const kg_event_type_t *want, size_t n)
{
    bool same = fp.n_events == n;
    for (size_t i = 0; same && i < n; i++)
        same = fp.events[i].type == want[i];
    if (!same) {
        fprintf(stderr, "  events:");
        for (size_t i = 0; i < fp.n_events; i++)
            fprintf(stderr, " %d(%s)", (int)fp.events[i].type, kg_err_name(fp.events[i].err));
        fprintf(stderr, "\n");
    }
    return same;
}

void fp_config(kg_session_config_t *cfg, kg_mode_t mode, kg_session_t *s)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->host = "api.kg.qq.com";
    cfg->env_prefix = "/test";
    cfg->appid = FP_APPID;
    cfg->mode = mode;
    cfg->secret = mode == KG_MODE_DIRECT ? FP_SECRET : NULL;
    cfg->store = &fp_store;
    cfg->on_event = fp_on_event;
    cfg->event_ctx = s;
    fp.direct = mode == KG_MODE_DIRECT;
}

/* ---- set-up ---- */

static const int confirm_at_once[] = {2};

void fp_reset(void)
{
    memset(&fp, 0, sizeof fp);
    fp.now_ms = 5000000;
    fp.wall_clock = true;
    fp.rng = 12345;
    fp.date_header = true;
    fp.qr_script = confirm_at_once;
    fp.qr_script_len = 1;
    fp.qr_expires_in = 120;
    fp.app_expires_in = 7200;
    fp.user_expires_in = 7200;
}

void fp_push(const char *suffix, int status, const char *body)
{
    if (fp.n_overrides == FP_MAX_OVERRIDES) {
        fp.misuse++;
        return;
    }
    fp.overrides[fp.n_overrides++] = (fp_override_t){suffix, status, body};
}

void fp_set_qr_script(const int *states, size_t n)
{
    fp.qr_script = states;
    fp.qr_script_len = n;
    fp.qr_polls = 0;
}

void fp_expire_access_token(void)
{
    strcat(fp.access_token, "-dead");
}

/* ---- recorded requests ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

size_t fp_count(const char *suffix)
{
    size_t n = 0;
    for (size_t i = 0; i < fp.n_reqs; i++)
        if (!suffix || ends_with(fp.reqs[i].path, suffix)) n++;
    return n;
}

const fp_request_t *fp_nth(const char *suffix, size_t n)
{
    for (size_t i = 0; i < fp.n_reqs; i++)
        if (!suffix || ends_with(fp.reqs[i].path, suffix))
            if (n-- == 0) return &fp.reqs[i];
    return NULL;
}

bool fp_header(const fp_request_t *r, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    out[0] = '\0';
    for (const char *line = r->head; *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end) break;
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            snprintf(out, cap, "%.*s", (int)(end - v), v);
            return true;
        }
        line = end + 2;
    }
    return false;
}

static int body_field(const fp_request_t *r, kg_json_doc_t *doc, char *copy, size_t cap,
                      const char *key)
{
    snprintf(copy, cap, "%s", r->body);
    if (kg_json_parse(doc, copy, strlen(copy)) != KG_OK) return -1;
    return kg_json_find(doc, 0, key);
}

bool fp_body_str(const fp_request_t *r, const char *key, char *out, size_t cap)
{
    static kg_json_doc_t doc;
    static char copy[sizeof r->body];
    const char *v;
    out[0] = '\0';
    int t = body_field(r, &doc, copy, sizeof copy, key);
    if (t < 0 || kg_json_string(&doc, t, &v, NULL) != KG_OK) return false;
    snprintf(out, cap, "%s", v);
    return true;
}

bool fp_body_int(const fp_request_t *r, const char *key, int64_t *out)
{
    static kg_json_doc_t doc;
    static char copy[sizeof r->body];
    int t = body_field(r, &doc, copy, sizeof copy, key);
    return t >= 0 && kg_json_int(&doc, t, out) == KG_OK;
}

bool fp_any_body_has(const char *key)
{
    static kg_json_doc_t doc;
    static char copy[sizeof fp.reqs[0].body];
    for (size_t i = 0; i < fp.n_reqs; i++)
        if (body_field(&fp.reqs[i], &doc, copy, sizeof copy, key) >= 0) return true;
    return false;
}

/* ---- the platform ---- */

typedef struct {
    int status;
    char body[768];
} answer_t;

static void say(answer_t *a, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    a->status = status;
    vsnprintf(a->body, sizeof a->body, fmt, ap);
    va_end(ap);
}

static void api_error(answer_t *a, int status, int code, const char *msg)
{
    say(a, status, "{\"error_code\":%d,\"error_msg\":\"%s\"}", code, msg);
}

static bool credentials_ok(const fp_request_t *r)
{
    char appid[64], secret[64];
    fp_body_str(r, "appid", appid, sizeof appid);
    bool has_secret = fp_body_str(r, "secret", secret, sizeof secret);
    if (strcmp(appid, FP_APPID) != 0) return false;
    return fp.direct ? has_secret && strcmp(secret, FP_SECRET) == 0 : !has_secret;
}

static void on_app_token(const fp_request_t *r, answer_t *a)
{
    if (!credentials_ok(r)) return api_error(a, 200, 3003, "bad credentials");
    fp.app_tokens++;
    snprintf(fp.app_token, sizeof fp.app_token, "APPTOK-%d", fp.app_tokens);
    say(a, 200,
        "{\"access_token\":\"%s\",\"expires_in\":%" PRId64
        ",\"refresh_token\":\"APPREFTOK-%d\",\"error_code\":0,\"error_msg\":\"\"}",
        fp.app_token, fp.app_expires_in, fp.app_tokens);
}

static void on_qr(const fp_request_t *r, answer_t *a)
{
    char tok[64];
    fp_body_str(r, "access_token", tok, sizeof tok);
    if (!fp.app_token[0] || strcmp(tok, fp.app_token) != 0)
        return api_error(a, 200, 1003, "app token expired");
    fp.qrs++;
    snprintf(fp.qr_id, sizeof fp.qr_id, "QRID-%d", fp.qrs);
    say(a, 200,
        "{\"qr_url\":\"https://kg.qq.com/qrlogin?n=%d\",\"qr_id\":\"%s\",\"expires_in\":%" PRId64
        ",\"error_code\":0}",
        fp.qrs, fp.qr_id, fp.qr_expires_in);
}

static void on_qr_status(const fp_request_t *r, answer_t *a)
{
    char id[64], extra[96] = "";
    fp_body_str(r, CONFIG_KGIOT_QR_FIELD_ID, id, sizeof id);
    if (strcmp(id, fp.qr_id) != 0) return api_error(a, 200, 1002, "unknown qr");
    size_t i = fp.qr_polls < fp.qr_script_len ? fp.qr_polls : fp.qr_script_len - 1;
    fp.qr_polls++;
    int st = fp.qr_script[i];
    if (st == CONFIG_KGIOT_QR_STATUS_CONFIRMED) {
        fp.codes++;
        snprintf(fp.code, sizeof fp.code, "AUTHCODE-%d", fp.codes);
        snprintf(extra, sizeof extra, ",\"code\":\"%s\"", fp.code);
    }
    if (fp.interval_s)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra), ",\"interval\":%d",
                 (int)fp.interval_s);
    say(a, 200, "{\"status\":%d%s,\"error_code\":0}", st, extra);
}

static void issue_user_token(answer_t *a, bool with_rt)
{
    fp.user_tokens++;
    snprintf(fp.access_token, sizeof fp.access_token, "ACCTOK-%d", fp.user_tokens);
    char rt[80] = "";
    if (with_rt) {
        snprintf(fp.refresh_token, sizeof fp.refresh_token, "REFTOK-%d", fp.user_tokens);
        snprintf(rt, sizeof rt, "\"refresh_token\":\"%s\",", fp.refresh_token);
    }
    say(a, 200,
        "{\"access_token\":\"%s\",\"expires_in\":%" PRId64 ",%s\"openid\":\"" FP_OPENID
        "\",\"unionid\":\"UNION-1\",\"scope\":\"user_info\",\"error_code\":0,\"error_msg\":\"\"}",
        fp.access_token, fp.user_expires_in, rt);
}

static void on_user_token(const fp_request_t *r, answer_t *a)
{
    char code[64];
    fp_body_str(r, "code", code, sizeof code);
    if (!credentials_ok(r)) return api_error(a, 200, 3003, "bad credentials");
    if (!fp.code[0] || strcmp(code, fp.code) != 0) return api_error(a, 200, 1002, "bad code");
    fp.code[0] = '\0'; /* one use */
    issue_user_token(a, true);
}

static void on_refresh(const fp_request_t *r, answer_t *a)
{
    char rt[64], openid[64];
    fp_body_str(r, "refresh_token", rt, sizeof rt);
    fp_body_str(r, "openid", openid, sizeof openid);
    if (!fp.refresh_token[0] || strcmp(rt, fp.refresh_token) != 0)
        return api_error(a, 200, CONFIG_KGIOT_CODE_TOKEN_EXPIRED, "refresh token expired");
    if (strcmp(openid, FP_OPENID) != 0) return api_error(a, 200, 1002, "bad openid");
    fp.refreshes++;
    issue_user_token(a, fp.refresh_new_rt);
}

/* Any other path: a business API that checks the token headers. */
static void on_business(const fp_request_t *r, answer_t *a)
{
    char tok[64], openid[64], appid[64];
    bool has_openid = fp_header(r, CONFIG_KGIOT_CALL_OPENID_HEADER, openid, sizeof openid);
    fp_header(r, CONFIG_KGIOT_CALL_TOKEN_HEADER, tok, sizeof tok);
    fp_header(r, CONFIG_KGIOT_CALL_APPID_HEADER, appid, sizeof appid);
    fp.calls++;
    if (strcmp(appid, FP_APPID) != 0) return api_error(a, 200, 1002, "bad appid");
    bool user_ok = fp.access_token[0] && strcmp(tok, fp.access_token) == 0 && has_openid &&
                   strcmp(openid, FP_OPENID) == 0;
    bool guest_ok = fp.app_token[0] && strcmp(tok, fp.app_token) == 0 && !has_openid;
    if (!user_ok && !guest_ok) return api_error(a, 200, CONFIG_KGIOT_CODE_TOKEN_EXPIRED, "expired");
    say(a, 200, "{\"error_code\":0,\"data\":{\"songs\":[1,2,3]},\"who\":\"%s\"}",
        user_ok ? "user" : "guest");
}

static void route(const fp_request_t *r, answer_t *a)
{
    if (ends_with(r->path, CONFIG_KGIOT_PATH_APP_TOKEN)) return on_app_token(r, a);
    if (ends_with(r->path, CONFIG_KGIOT_PATH_QR)) return on_qr(r, a);
    if (ends_with(r->path, CONFIG_KGIOT_PATH_QR_STATUS)) return on_qr_status(r, a);
    if (ends_with(r->path, CONFIG_KGIOT_PATH_USER_TOKEN)) return on_user_token(r, a);
    if (ends_with(r->path, CONFIG_KGIOT_PATH_REFRESH)) return on_refresh(r, a);
    on_business(r, a);
}

static bool take_override(const fp_request_t *r, answer_t *a)
{
    for (size_t i = 0; i < fp.n_overrides; i++) {
        if (!ends_with(r->path, fp.overrides[i].path_suffix)) continue;
        a->status = fp.overrides[i].status;
        snprintf(a->body, sizeof a->body, "%s", fp.overrides[i].body ? fp.overrides[i].body : "");
        memmove(&fp.overrides[i], &fp.overrides[i + 1],
                (fp.n_overrides - i - 1) * sizeof fp.overrides[0]);
        fp.n_overrides--;
        return true;
    }
    return false;
}

static void http_date(char *out, size_t cap)
{
    time_t t = (time_t)fp_unix_now();
    struct tm tm;
    gmtime_r(&t, &tm);
    static const char *wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    snprintf(out, cap, "%s, %02d %s %04d %02d:%02d:%02d GMT", wd[tm.tm_wday], tm.tm_mday,
             mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void frame(const answer_t *a)
{
    char date[64] = "", retry[64] = "";
    if (fp.retry_after && (a->status == 429 || a->status == 503))
        snprintf(retry, sizeof retry, "Retry-After: %s\r\n", fp.retry_after);
    if (fp.date_header) {
        char d[40];
        http_date(d, sizeof d);
        snprintf(date, sizeof date, "Date: %s\r\n", fp.date_text ? fp.date_text : d);
    }
    int n = snprintf(fp.out, sizeof fp.out,
                     "HTTP/1.1 %d X\r\nServer: fake\r\n%s%sContent-Type: application/json\r\n"
                     "Content-Length: %lu\r\n\r\n%s",
                     a->status, date, retry, (unsigned long)strlen(a->body), a->body);
    fp.out_len = n > 0 ? (size_t)n : 0;
    fp.out_pos = 0;
}

static void answer(fp_request_t *r)
{
    static answer_t a;
    memset(&a, 0, sizeof a);
    if (!take_override(r, &a)) route(r, &a);
    r->status = a.status;
    if (a.status == FP_NET_FAIL) {
        /* A reused connection is retried by the client on a new one: let
         * that fail too, so that one override is one failed exchange. */
        if (fp.served_on_conn > 0) fp.fail_next_open = true;
        fp.pending_err = KG_ERR_IO;
    } else if (a.status == FP_STALL) {
        fp.pending_err = KG_ERR_TIMEOUT;
    } else {
        frame(&a);
    }
    fp.served_on_conn++;
}

/* ---- request parsing ---- */

static size_t content_length(const char *head)
{
    const char *p = head;
    while ((p = strchr(p, '\n')) != NULL) {
        p++;
        if (strncasecmp(p, "Content-Length:", 15) == 0) return (size_t)strtoul(p + 15, NULL, 10);
    }
    return 0;
}

static void record(size_t head_len, size_t body_len)
{
    fp_request_t *r = fp.n_reqs < FP_MAX_REQS ? &fp.reqs[fp.n_reqs++] : &fp.reqs[FP_MAX_REQS - 1];
    memset(r, 0, sizeof *r);
    r->at_ms = fp.now_ms;
    sscanf(fp.in, "%7s %127s", r->method, r->path);
    const char *first = strstr(fp.in, "\r\n") + 2;
    snprintf(r->head, sizeof r->head, "%.*s", (int)(fp.in + head_len - first), first);
    snprintf(r->body, sizeof r->body, "%.*s", (int)body_len, fp.in + head_len);
    answer(r);
}

static void try_request(void)
{
    fp.in[fp.in_len] = '\0';
    char *end = strstr(fp.in, "\r\n\r\n");
    if (!end) return;
    size_t head_len = (size_t)(end + 4 - fp.in);
    size_t cl = content_length(fp.in);
    if (fp.in_len < head_len + cl) return;
    record(head_len, cl);
    size_t used = head_len + cl;
    memmove(fp.in, fp.in + used, fp.in_len - used);
    fp.in_len -= used;
}

/* ---- transport ---- */

static kg_err_t t_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)ctx, (void)host, (void)port, (void)timeout_ms;
    if (fp.open) fp.misuse++;
    fp.opens++;
    if (fp.fail_next_open) {
        fp.fail_next_open = false;
        return KG_ERR_CONNECT;
    }
    fp.open = true;
    fp.served_on_conn = 0;
    fp.in_len = 0;
    fp.out_len = fp.out_pos = 0;
    fp.pending_err = KG_OK;
    return KG_OK;
}

static kg_err_t t_send(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    if (!fp.open) {
        fp.misuse++;
        return KG_ERR_CLOSED;
    }
    if (len > sizeof fp.in - 1 - fp.in_len) return KG_ERR_IO;
    memcpy(fp.in + fp.in_len, buf, len);
    fp.in_len += len;
    try_request();
    return KG_OK;
}

static kg_err_t t_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    (void)ctx;
    if (!fp.open) fp.misuse++;
    if (fp.pending_err != KG_OK) {
        kg_err_t e = fp.pending_err;
        fp.pending_err = KG_OK;
        if (e == KG_ERR_TIMEOUT) fp.now_ms += timeout_ms;
        return e;
    }
    if (fp.out_pos == fp.out_len) { /* nothing asked, nothing to say */
        fp.now_ms += timeout_ms;
        return KG_ERR_TIMEOUT;
    }
    size_t n = fp.out_len - fp.out_pos;
    if (n > cap) n = cap;
    memcpy(buf, fp.out + fp.out_pos, n);
    fp.out_pos += n;
    *got = n;
    return KG_OK;
}

static void t_close(void *ctx)
{
    (void)ctx;
    if (fp.open) fp.closes++;
    fp.open = false;
}

const kg_transport_t fp_transport = {NULL, t_open, t_send, t_recv, t_close};
