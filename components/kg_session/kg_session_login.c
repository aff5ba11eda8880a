/*
 * kg_session_login.c - the QR login as a table of small steps.
 *
 *   APP_TOKEN -> QR -> POLL -> USER_TOKEN -> DONE
 *                 ^     | expired (renewals left)
 *                 +-----+
 *
 * Each step makes at most one HTTP exchange, moves s->state on and says
 * when the next step may run (s->next_step_at). kg_login_step() runs one
 * step when it is due; kg_login() is kg_login_step() plus port->sleep_ms()
 * and a deadline. Both share run_step(), which decides what an error means:
 * a step handles its own expected replies (slow down, expired code); the
 * network failing is retried with backoff; anything else ends the login.
 */
#include <string.h>

#include "kg_session_priv.h"

/* ---- Waiting ---- */

static void wait_then(kg_session_t *s, uint32_t ms)
{
    s->next_step_at = kgs_after_ms(s, ms);
}

/* Like Amazon's AVS device SDK: 1, 2, 4, 10, 30, 60, 60... seconds, each
 * spread ±50 % at random so that devices that lost the network together
 * do not come back in step. */
static uint32_t backoff_ms(kg_session_t *s)
{
    static const uint8_t steps_s[] = {1, 2, 4, 10, 30, 60};
    const uint8_t last = sizeof steps_s - 1;
    const uint32_t base = steps_s[s->backoff_step < last ? s->backoff_step : last] * 1000u;
    uint32_t r = 0;
    if (s->backoff_step < last) s->backoff_step++;
    const kg_port_t *p = s->port;
    if (!p->random || p->random(p->ctx, (uint8_t *)&r, sizeof r) != KG_OK) return base;
    return base / 2 + r % (base + 1);
}

static bool slow_down(kg_session_t *s, kg_err_t err, int32_t code)
{
    if (err == KG_ERR_API && code == CONFIG_KGIOT_CODE_SLOW_DOWN) return true;
    return (err == KG_ERR_API || err == KG_ERR_HTTP_STATUS) && kgs_http_status(s) == 429;
}

/* Errors a later try can mend: the network, the server's own trouble (5xx,
 * whatever error_code comes with it), and "too many requests" outside the
 * poll (which slows its interval down instead). */
static bool transient(kg_session_t *s, kg_err_t err, int32_t code)
{
    switch (err) {
    case KG_ERR_TIMEOUT:
    case KG_ERR_DNS:
    case KG_ERR_CONNECT:
    case KG_ERR_IO:
    case KG_ERR_CLOSED:
    case KG_ERR_TLS_IO:
    case KG_ERR_TLS_HANDSHAKE: return true;
    case KG_ERR_HTTP_STATUS:
    case KG_ERR_API: return kgs_http_status(s) >= 500 || slow_down(s, err, code);
    default: return false;
    }
}

/* The reply's Retry-After in ms (delta-seconds only, capped at an hour); 0
 * when absent. The HTTP-date form is rare on APIs and is ignored. */
static uint32_t retry_after_ms(const kg_session_t *s)
{
    size_t len = 0;
    uint32_t secs = 0;
    const char *v = kg_http_resp_header(&s->auth.http.resp, "Retry-After", &len);
    for (size_t i = 0; v && i < len && secs <= 3600; i++) {
        if (v[i] < '0' || v[i] > '9') return 0;
        secs = secs * 10 + (uint32_t)(v[i] - '0');
    }
    return (secs > 3600 ? 3600 : secs) * 1000u;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

/* Never poll faster than the server asks (seconds, capped at an hour so a
 * silly value cannot overflow). */
static void take_server_interval(kg_session_t *s, int32_t interval_s)
{
    const uint32_t ms = interval_s > 3600 ? 3600000u : (uint32_t)interval_s * 1000u;
    if (interval_s > 0 && ms > s->poll_interval_ms) s->poll_interval_ms = ms;
}

/* Double, capped at the maximum, never below what the server asked. */
static void grow_interval(kg_session_t *s)
{
    const uint32_t max = s->cfg.poll_interval_max_ms;
    const uint32_t doubled = s->poll_interval_ms > max / 2 ? max : s->poll_interval_ms * 2;
    if (doubled > s->poll_interval_ms) s->poll_interval_ms = doubled;
    kgs_log(s, KG_LOG_WARN, "login: slow down, poll interval ms", NULL, s->poll_interval_ms);
}

/* ---- The steps ---- */

static kg_err_t step_app_token(kg_session_t *s)
{
    kg_err_t err = kgs_app_token(s, true);
    if (err != KG_OK) return err;
    s->state = KG_LOGIN_QR;
    return KG_OK;
}

/* The app token died under us (PLATFORM.md: it expires too): fetch it once
 * more, then give up, so that a platform rejecting every token cannot spin. */
static kg_err_t app_token_rejected(kg_session_t *s, kg_err_t err)
{
    if (s->app_token_retried) return err;
    s->app_token_retried = true;
    kg_auth_wipe(s->tokens.app_token, sizeof s->tokens.app_token);
    s->state = KG_LOGIN_APP_TOKEN;
    return KG_OK;
}

static void take_qr(kg_session_t *s, const kg_qr_reply_t *r)
{
    kgs_copy(s->qr_content, sizeof s->qr_content, r->qr_content);
    kgs_copy(s->qr_id, sizeof s->qr_id, r->qr_id);
    s->qr_expires_in = r->expires_in;
    s->qr_state = KG_QR_WAITING;
}

static kg_err_t step_qr(kg_session_t *s)
{
    uint32_t mark;
    kg_qr_reply_t *r = &s->reply.qr;
    kg_err_t err = kgs_exchange_begin(s, &mark);
    if (err == KG_OK) err = kg_auth_qr(&s->auth, s->tokens.app_token, r);
    kgs_exchange_end(s, mark);
    if (kgs_rejected(err, r->error_code, kgs_http_status(s))) return app_token_rejected(s, err);
    if (err != KG_OK) return err;
    take_qr(s, r);
    s->state = KG_LOGIN_POLL;
    wait_then(s, s->poll_interval_ms); /* nobody scans within the first interval */
    kgs_log(s, KG_LOG_INFO, "login: QR ready", NULL, -1);
    kgs_emit(s, KG_EVENT_QR_READY, KG_OK, 0);
    return KG_OK;
}

/* SCANNED and CONFIRMED once each per code, in that order, even when a
 * slow poll saw the code jump from waiting straight to confirmed. Relies on
 * kg_qr_state_t listing WAITING < SCANNED < CONFIRMED first. */
static void report_progress(kg_session_t *s, kg_qr_state_t now)
{
    if (now > KG_QR_CONFIRMED) return; /* expired, cancelled, unknown: no progress */
    if (now >= KG_QR_SCANNED && s->qr_state < KG_QR_SCANNED) {
        kgs_log(s, KG_LOG_INFO, "login: QR scanned", NULL, -1);
        kgs_emit(s, KG_EVENT_QR_SCANNED, KG_OK, 0);
    }
    if (now == KG_QR_CONFIRMED && s->qr_state < KG_QR_CONFIRMED) {
        kgs_log(s, KG_LOG_INFO, "login: QR confirmed", NULL, -1);
        kgs_emit(s, KG_EVENT_QR_CONFIRMED, KG_OK, 0);
    }
    if (now > s->qr_state) s->qr_state = now;
}

static kg_err_t qr_expired(kg_session_t *s)
{
    if (s->qr_renewals_left <= 0) return KG_ERR_QR_EXPIRED;
    s->qr_renewals_left--;
    kgs_log(s, KG_LOG_INFO, "login: QR expired, a fresh one; renewals left", NULL,
            s->qr_renewals_left);
    s->state = KG_LOGIN_QR;
    return KG_OK;
}

static kg_err_t qr_confirmed(kg_session_t *s, kg_qr_status_reply_t *r)
{
    if (!r->code[0]) return KG_ERR_JSON_MISSING;
    kgs_copy(s->code, sizeof s->code, r->code);
    kg_auth_wipe(r->code, sizeof r->code); /* one copy is enough */
    s->state = KG_LOGIN_USER_TOKEN;
    return KG_OK;
}

/* What the user did with the code (waiting, scanned, unknown: poll on). */
static kg_err_t take_qr_state(kg_session_t *s, kg_qr_status_reply_t *r)
{
    report_progress(s, r->state);
    switch (r->state) {
    case KG_QR_CONFIRMED: return qr_confirmed(s, r);
    case KG_QR_EXPIRED: return qr_expired(s);
    case KG_QR_CANCELLED: return KG_ERR_LOGIN_DENIED;
    default: wait_then(s, s->poll_interval_ms); return KG_OK;
    }
}

static kg_err_t step_poll(kg_session_t *s)
{
    uint32_t mark;
    kg_qr_status_reply_t *r = &s->reply.qr_status;
    kg_err_t err = kgs_exchange_begin(s, &mark);
    if (err == KG_OK) err = kg_auth_qr_status(&s->auth, s->qr_id, r);
    kgs_exchange_end(s, mark);
    s->polls++;
    if (err == KG_OK || err == KG_ERR_API) take_server_interval(s, r->interval);
    if (slow_down(s, err, r->error_code)) {
        grow_interval(s);
        wait_then(s, max_u32(s->poll_interval_ms, retry_after_ms(s)));
        return KG_OK;
    }
    return err == KG_OK ? take_qr_state(s, r) : err;
}

static void take_user_token(kg_session_t *s, const kg_token_reply_t *r)
{
    kg_tokens_t *t = &s->tokens;
    kgs_copy(t->access_token, sizeof t->access_token, r->access_token);
    kgs_copy(t->refresh_token, sizeof t->refresh_token, r->refresh_token);
    kgs_copy(t->openid, sizeof t->openid, r->openid);
    kgs_copy(t->unionid, sizeof t->unionid, r->unionid);
    kgs_copy(t->scope, sizeof t->scope, r->scope);
    t->expires_at = kgs_expiry(s, r->expires_in);
}

static kg_err_t step_user_token(kg_session_t *s)
{
    uint32_t mark;
    kg_token_reply_t *r = &s->reply.token;
    kg_err_t err = kgs_exchange_begin(s, &mark);
    if (err == KG_OK) err = kg_auth_user_token(&s->auth, s->code, r);
    kgs_exchange_end(s, mark);
    if (err == KG_OK) take_user_token(s, r);
    kgs_wipe_token_reply(r);
    if (err != KG_OK) return err;          /* a retry sends the same code */
    kg_auth_wipe(s->code, sizeof s->code); /* used up */
    s->store_foreign = false;              /* a completed login takes the store over */
    (void)kgs_save(s);                     /* before anyone learns of the token */
    s->logged_in = true;
    s->state = KG_LOGIN_DONE;
    kgs_log(s, KG_LOG_INFO, "login: logged in", NULL, -1);
    kgs_emit(s, KG_EVENT_LOGGED_IN, KG_OK, 0);
    return KG_OK;
}

typedef kg_err_t (*step_fn_t)(kg_session_t *s);

static const step_fn_t steps[] = {
    [KG_LOGIN_APP_TOKEN] = step_app_token,
    [KG_LOGIN_QR] = step_qr,
    [KG_LOGIN_POLL] = step_poll,
    [KG_LOGIN_USER_TOKEN] = step_user_token,
};

/* ---- Driving ---- */

static bool in_progress(const kg_session_t *s)
{
    return s->state >= KG_LOGIN_APP_TOKEN && s->state <= KG_LOGIN_USER_TOKEN;
}

static void start(kg_session_t *s)
{
    s->state = KG_LOGIN_APP_TOKEN;
    s->next_step_at = 0;
    s->poll_interval_ms = s->cfg.poll_interval_ms;
    s->backoff_step = 0;
    s->app_token_retried = false;
    s->qr_renewals_left = s->cfg.qr_renewals;
    s->qr_state = KG_QR_WAITING;
    s->last_err = KG_OK;
    s->save_err = KG_OK;
    kg_auth_wipe(s->code, sizeof s->code);
    kgs_load_once(s); /* its tokens stay saved until this login completes */
    if (s->tokens.app_token[0] && !kgs_expiring(s, s->tokens.app_expires_at))
        s->state = KG_LOGIN_QR; /* the saved app token will do */
    kgs_log(s, KG_LOG_INFO, "login: start", NULL, -1);
}

static kg_err_t fail(kg_session_t *s, kg_err_t err, int32_t platform_code)
{
    s->state = KG_LOGIN_FAILED;
    kg_auth_wipe(s->code, sizeof s->code);
    kgs_log(s, KG_LOG_ERROR, "login: failed:", kg_err_name(err), -1);
    kgs_emit(s, KG_EVENT_ERROR, err, err == KG_ERR_API ? platform_code : 0);
    return err;
}

/* The error_code of the reply the failed step received. */
static int32_t platform_code(const kg_session_t *s, kg_login_state_t step)
{
    switch (step) {
    case KG_LOGIN_QR: return s->reply.qr.error_code;
    case KG_LOGIN_POLL: return s->reply.qr_status.error_code;
    default: return s->reply.token.error_code;
    }
}

/* A step that failed for a reason a retry can mend runs again after the
 * backoff, never sooner than the server's Retry-After, and a poll never
 * sooner than the poll interval. */
static kg_err_t run_step(kg_session_t *s)
{
    const kg_login_state_t step = s->state;
    kg_err_t err = steps[step](s);
    if (err == KG_OK) {
        s->backoff_step = 0;
        return KG_OK;
    }
    const int32_t code = platform_code(s, step);
    s->last_err = err;
    if (!transient(s, err, code)) return fail(s, err, code);
    uint32_t wait = max_u32(backoff_ms(s), retry_after_ms(s));
    if (step == KG_LOGIN_POLL) wait = max_u32(wait, s->poll_interval_ms);
    kgs_log(s, KG_LOG_WARN, "login: retry after", kg_err_name(err), wait);
    wait_then(s, wait);
    kgs_emit(s, KG_EVENT_RETRY, err, err == KG_ERR_API ? code : 0);
    return KG_OK;
}

static uint32_t wait_left(const kg_session_t *s)
{
    const uint64_t now = kgs_now_ms(s);
    if (now >= s->next_step_at) return 0;
    const uint64_t left = s->next_step_at - now;
    return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

kg_err_t kg_login_step(kg_session_t *s, bool *done, uint32_t *wait_ms)
{
    if (!s || !done || !wait_ms) return KG_ERR_ARG;
    if (!in_progress(s)) start(s);
    kg_err_t err = wait_left(s) == 0 ? run_step(s) : KG_OK;
    *done = s->state == KG_LOGIN_DONE;
    *wait_ms = err == KG_OK && !*done ? wait_left(s) : 0;
    /* Logged in, but the tokens would not survive a reboot: the caller must know. */
    return err == KG_OK && *done ? s->save_err : err;
}

void kg_login_cancel(kg_session_t *s)
{
    if (!s) return;
    if (in_progress(s)) kgs_log(s, KG_LOG_INFO, "login: cancelled", NULL, -1);
    s->state = KG_LOGIN_IDLE;
    kg_auth_wipe(s->code, sizeof s->code);
}

/* Step and sleep until done; fail rather than sleep past the deadline,
 * since no step may run after it. */
static kg_err_t run_until(kg_session_t *s, uint64_t deadline)
{
    bool done = false;
    uint32_t wait = 0;
    for (;;) {
        kg_err_t err = kg_login_step(s, &done, &wait);
        if (err != KG_OK || done) return err;
        if (kgs_after_ms(s, wait) >= deadline) return fail(s, KG_ERR_TIMEOUT, 0);
        if (wait) s->port->sleep_ms(s->port->ctx, wait);
    }
}

kg_err_t kg_login(kg_session_t *s, uint32_t timeout_ms)
{
    if (!s || !s->port->sleep_ms) return KG_ERR_ARG;
    const uint32_t t = timeout_ms ? timeout_ms : CONFIG_KGIOT_LOGIN_TIMEOUT_MS;
    start(s);
    s->deadline = kgs_after_ms(s, t);
    kg_err_t err = run_until(s, s->deadline);
    s->deadline = 0;
    return err;
}
