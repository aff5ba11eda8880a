/*
 * test_session_login.c - the QR login against the in-memory platform
 * (fake_platform.h): events, polling pace, QR renewal, backoff, deadline.
 */
#include "fake_platform.h"
#include "kg_test.h"

#define WAITING   CONFIG_KGIOT_QR_STATUS_WAITING
#define SCANNED   CONFIG_KGIOT_QR_STATUS_SCANNED
#define CONFIRMED CONFIG_KGIOT_QR_STATUS_CONFIRMED
#define EXPIRED   CONFIG_KGIOT_QR_STATUS_EXPIRED
#define CANCELLED CONFIG_KGIOT_QR_STATUS_CANCELLED

#define P_APP   CONFIG_KGIOT_PATH_APP_TOKEN
#define P_QR    CONFIG_KGIOT_PATH_QR
#define P_STAT  CONFIG_KGIOT_PATH_QR_STATUS
#define P_USER  CONFIG_KGIOT_PATH_USER_TOKEN
#define STR_(x) #x
#define STR(x)  STR_(x)

static kg_session_t s;
static kg_session_config_t cfg;

/* Reset the fake and configure (cfg may be changed before start()). */
static void prepare(kg_mode_t mode)
{
    fp_reset();
    fp_config(&cfg, mode, &s);
}

static void start(void)
{
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport), KG_OK);
}

#define SCRIPT(...)                                                                                \
    do {                                                                                           \
        static const int script_[] = {__VA_ARGS__};                                                \
        fp_set_qr_script(script_, sizeof script_ / sizeof script_[0]);                             \
    } while (0)

/* Milliseconds between the n-th and the (n+1)-th request on path. */
static long long gap(const char *path, size_t n)
{
    const fp_request_t *a = fp_nth(path, n), *b = fp_nth(path, n + 1);
    return a && b ? (long long)(b->at_ms - a->at_ms) : -1;
}

static void test_happy_path(void)
{
    prepare(KG_MODE_BROKER);
    start();
    SCRIPT(WAITING, SCANNED, CONFIRMED);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_QR_READY, KG_EVENT_QR_SCANNED, KG_EVENT_QR_CONFIRMED,
                           KG_EVENT_LOGGED_IN));
    KG_CHECK_STR(fp.events[0].qr_content, "https://kg.qq.com/qrlogin?n=1");
    KG_CHECK_EQ(fp.events[0].qr_expires_in, 120);
    /* Saved before the application hears of it. */
    KG_CHECK(fp.events[3].saves_before >= 1 && fp.events[3].saved_current);
    KG_CHECK_STR(fp.events[3].openid, FP_OPENID);
    KG_CHECK_STR(fp.saved.access_token, "ACCTOK-1");
    KG_CHECK_STR(fp.saved.refresh_token, "REFTOK-1");
    /* The order of the exchanges, under the environment prefix. */
    KG_CHECK_EQ(fp.n_reqs, 6);
    KG_CHECK_STR(fp.reqs[0].path, "/test" P_APP);
    KG_CHECK_STR(fp.reqs[1].path, "/test" P_QR);
    KG_CHECK_STR(fp.reqs[2].path, "/test" P_STAT);
    KG_CHECK_STR(fp.reqs[5].path, "/test" P_USER);
    KG_CHECK_EQ(s.polls, 3);
    /* A poll every configured interval, the first one interval after the QR. */
    KG_CHECK_EQ(fp_nth(P_STAT, 0)->at_ms - fp_nth(P_QR, 0)->at_ms, CONFIG_KGIOT_POLL_INTERVAL_MS);
    KG_CHECK_EQ(gap(P_STAT, 0), CONFIG_KGIOT_POLL_INTERVAL_MS);
    KG_CHECK_EQ(gap(P_STAT, 1), CONFIG_KGIOT_POLL_INTERVAL_MS);
    KG_CHECK_EQ(fp.sleeps, 3);
    /* Tokens, expiry, state. */
    KG_CHECK_STR(s.tokens.access_token, "ACCTOK-1");
    KG_CHECK_STR(s.tokens.openid, FP_OPENID);
    KG_CHECK_STR(s.tokens.unionid, "UNION-1");
    KG_CHECK_EQ(s.tokens.expires_at, fp_unix_now() + 7200);
    KG_CHECK_STR(s.tokens.app_token, "APPTOK-1");
    KG_CHECK(s.logged_in && s.state == KG_LOGIN_DONE);
    /* One connection for the whole login. */
    KG_CHECK_EQ(fp.opens, 1);
    KG_CHECK_EQ(fp.misuse, 0);
    kg_session_free(&s);
}

static void test_login_step_drives_the_same_flow(void)
{
    bool done = true;
    uint32_t wait = 99;
    prepare(KG_MODE_BROKER);
    start();
    SCRIPT(WAITING, SCANNED, CONFIRMED);
    KG_CHECK_ERR(kg_login_step(&s, &done, &wait), KG_OK); /* app token */
    KG_CHECK(!done && wait == 0 && fp.n_reqs == 1);
    KG_CHECK_ERR(kg_login_step(&s, &done, &wait), KG_OK); /* QR */
    KG_CHECK(!done && wait == CONFIG_KGIOT_POLL_INTERVAL_MS);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_QR_READY));
    /* Too early: nothing happens, the rest of the wait comes back. */
    fp.now_ms += 500;
    KG_CHECK_ERR(kg_login_step(&s, &done, &wait), KG_OK);
    KG_CHECK(!done && wait == CONFIG_KGIOT_POLL_INTERVAL_MS - 500 && fp.n_reqs == 2);
    for (int i = 0; i < 10 && !done; i++) {
        fp.now_ms += wait;
        KG_CHECK_ERR(kg_login_step(&s, &done, &wait), KG_OK);
    }
    KG_CHECK(done && wait == 0);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_QR_READY, KG_EVENT_QR_SCANNED, KG_EVENT_QR_CONFIRMED,
                           KG_EVENT_LOGGED_IN));
    KG_CHECK_EQ(s.polls, 3);
    KG_CHECK_EQ(fp.sleeps, 0);
    KG_CHECK(s.logged_in);
}

static void test_scanned_and_confirmed_once_per_code(void)
{
    prepare(KG_MODE_BROKER);
    cfg.qr_renewals = 1;
    start();
    /* Scanned twice, back to waiting (the user backed out), scanned again,
     * then the code expires and the second code jumps straight to confirmed. */
    SCRIPT(SCANNED, SCANNED, WAITING, SCANNED, EXPIRED, CONFIRMED);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_QR_READY, KG_EVENT_QR_SCANNED, KG_EVENT_QR_READY,
                           KG_EVENT_QR_SCANNED, KG_EVENT_QR_CONFIRMED, KG_EVENT_LOGGED_IN));
}

static void test_expired_code_is_renewed(void)
{
    prepare(KG_MODE_BROKER);
    cfg.qr_renewals = 1;
    start();
    SCRIPT(WAITING, EXPIRED, WAITING, CONFIRMED);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_QR_READY, KG_EVENT_QR_READY, KG_EVENT_QR_SCANNED,
                           KG_EVENT_QR_CONFIRMED, KG_EVENT_LOGGED_IN));
    KG_CHECK_STR(fp.events[1].qr_content, "https://kg.qq.com/qrlogin?n=2");
    KG_CHECK_EQ(fp.qrs, 2);
    /* The fresh code is fetched at once; its polls go by the new id. */
    KG_CHECK_EQ(fp_nth(P_QR, 1)->at_ms, fp_nth(P_STAT, 1)->at_ms);
    char id[48];
    KG_CHECK(fp_body_str(fp_nth(P_STAT, 2), CONFIG_KGIOT_QR_FIELD_ID, id, sizeof id));
    KG_CHECK_STR(id, "QRID-2");
}

static void test_expired_too_often(void)
{
    prepare(KG_MODE_BROKER);
    cfg.qr_renewals = 2;
    start();
    SCRIPT(EXPIRED);
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_QR_EXPIRED);
    KG_CHECK_EQ(fp.qrs, 3);
    KG_CHECK(
        FP_EVENTS_ARE(KG_EVENT_QR_READY, KG_EVENT_QR_READY, KG_EVENT_QR_READY, KG_EVENT_ERROR));
    KG_CHECK_ERR(fp.events[3].err, KG_ERR_QR_EXPIRED);
    KG_CHECK(s.state == KG_LOGIN_FAILED && !s.logged_in);

    prepare(KG_MODE_BROKER); /* 0: none */
    start();
    SCRIPT(EXPIRED);
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_QR_EXPIRED);
    KG_CHECK_EQ(fp.qrs, 1);

    prepare(KG_MODE_BROKER);
    cfg.qr_renewals = -1; /* the Kconfig default */
    start();
    SCRIPT(EXPIRED);
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_QR_EXPIRED);
    KG_CHECK_EQ(fp.qrs, 1 + CONFIG_KGIOT_QR_RENEWALS);
}

static void test_cancelled_is_denied(void)
{
    prepare(KG_MODE_BROKER);
    start();
    SCRIPT(SCANNED, CANCELLED);
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_LOGIN_DENIED);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_QR_READY, KG_EVENT_QR_SCANNED, KG_EVENT_ERROR));
    KG_CHECK_ERR(fp.events[2].err, KG_ERR_LOGIN_DENIED);
    KG_CHECK_EQ(fp_count(P_USER), 0);
    KG_CHECK_EQ(fp.saves, 1); /* the app token only */
    KG_CHECK(!s.logged_in);
}

static const char slow_down_body[] =
    "{\"error_code\":" STR(CONFIG_KGIOT_CODE_SLOW_DOWN) ",\"error_msg\":\"slow down\"}";

static void test_slow_down_and_429_grow_the_interval(void)
{
    prepare(KG_MODE_BROKER);
    start();
    SCRIPT(WAITING, WAITING, CONFIRMED);
    fp_push(P_STAT, 200, slow_down_body);
    fp_push(P_STAT, 429, "Too Many Requests"); /* not JSON */
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(s.polls, 5);
    KG_CHECK_EQ(gap(P_STAT, 0), 2 * CONFIG_KGIOT_POLL_INTERVAL_MS);
    KG_CHECK_EQ(gap(P_STAT, 1), 4 * CONFIG_KGIOT_POLL_INTERVAL_MS);
    KG_CHECK_EQ(gap(P_STAT, 2), 4 * CONFIG_KGIOT_POLL_INTERVAL_MS); /* stays slow */
    KG_CHECK_EQ(gap(P_STAT, 3), 4 * CONFIG_KGIOT_POLL_INTERVAL_MS);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_QR_READY, KG_EVENT_QR_SCANNED, KG_EVENT_QR_CONFIRMED,
                           KG_EVENT_LOGGED_IN));

    /* Capped at the configured maximum. */
    prepare(KG_MODE_BROKER);
    cfg.poll_interval_ms = 2000;
    cfg.poll_interval_max_ms = 5000;
    start();
    SCRIPT(CONFIRMED);
    for (int i = 0; i < 3; i++)
        fp_push(P_STAT, 200, slow_down_body);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(gap(P_STAT, 0), 4000);
    KG_CHECK_EQ(gap(P_STAT, 1), 5000);
    KG_CHECK_EQ(gap(P_STAT, 2), 5000);
}

static void test_server_interval_respected(void)
{
    prepare(KG_MODE_BROKER);
    start();
    SCRIPT(WAITING, WAITING, CONFIRMED);
    fp.interval_s = 5; /* slower than the configured 2 s */
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(fp_nth(P_STAT, 0)->at_ms - fp_nth(P_QR, 0)->at_ms, CONFIG_KGIOT_POLL_INTERVAL_MS);
    KG_CHECK_EQ(gap(P_STAT, 0), 5000);
    KG_CHECK_EQ(gap(P_STAT, 1), 5000);

    prepare(KG_MODE_BROKER);
    start();
    SCRIPT(WAITING, WAITING, CONFIRMED);
    fp.interval_s = 1; /* faster than configured: the configuration stands */
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(gap(P_STAT, 1), CONFIG_KGIOT_POLL_INTERVAL_MS);

    /* A slow-down never goes below what the server asked. */
    prepare(KG_MODE_BROKER);
    cfg.poll_interval_max_ms = 3000;
    start();
    SCRIPT(WAITING, WAITING, CONFIRMED);
    fp.interval_s = 8;
    fp_push(P_STAT, 200, "{\"interval\":8,\"status\":0,\"error_code\":0}");
    fp_push(P_STAT, 429, "");
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(gap(P_STAT, 0), 8000);
    KG_CHECK_EQ(gap(P_STAT, 1), 8000);
}

/* Each gap within ±50 % of 1, 2, 4, 10, 30, 60, 60 s; returns how many
 * differ from the plain base (so that the jitter is seen to vary). */
static int check_backoff_gaps(const char *path, size_t n)
{
    static const long long base[] = {1000, 2000, 4000, 10000, 30000, 60000, 60000};
    int jittered = 0;
    for (size_t i = 0; i < n; i++) {
        long long g = gap(path, i);
        KG_CHECK(g >= base[i] / 2 && g <= base[i] * 3 / 2);
        if (g < base[i] / 2 || g > base[i] * 3 / 2)
            fprintf(stderr, "  gap %zu: %lld ms for a base of %lld\n", i, g, base[i]);
        jittered += g != base[i];
    }
    return jittered;
}

static void test_transport_errors_back_off_with_jitter(void)
{
    prepare(KG_MODE_BROKER);
    cfg.poll_interval_ms = 100;
    start();
    SCRIPT(WAITING, CONFIRMED);
    fp_push(P_QR, FP_NET_FAIL, NULL);
    fp_push(P_QR, 503, "<html>busy</html>");
    fp_push(P_QR, FP_NET_FAIL, NULL);
    fp_push(P_QR, 502, "");
    fp_push(P_QR, 500, "{\"error\":1}");
    fp_push(P_QR, FP_NET_FAIL, NULL);
    fp_push(P_QR, 504, "");
    KG_CHECK_ERR(kg_login(&s, 1000000), KG_OK);
    KG_CHECK_EQ(fp_count(P_QR), 8);
    KG_CHECK(check_backoff_gaps(P_QR, 7) >= 5);
    /* Back to the first step after a success: a failed poll waits ~1 s. */
    KG_CHECK_EQ(fp_count(P_STAT), 2);

    prepare(KG_MODE_BROKER);
    cfg.poll_interval_ms = 100;
    start();
    SCRIPT(WAITING, WAITING, CONFIRMED);
    fp_push(P_QR, 503, "");
    fp_push(P_QR, 503, "");
    fp_push(P_STAT, FP_NET_FAIL, NULL); /* after the QR succeeded */
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    long long g = gap(P_STAT, 0);
    KG_CHECK(g >= 500 && g <= 1500);
    KG_CHECK_EQ(gap(P_STAT, 1), 100);
    /* Each retry is an event, with what the step met and the wait. */
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_RETRY, KG_EVENT_RETRY, KG_EVENT_QR_READY, KG_EVENT_RETRY,
                           KG_EVENT_QR_SCANNED, KG_EVENT_QR_CONFIRMED, KG_EVENT_LOGGED_IN));
    KG_CHECK_ERR(fp.events[0].err, KG_ERR_HTTP_STATUS);
    KG_CHECK_ERR(fp.events[3].err, KG_ERR_CONNECT);
    KG_CHECK_EQ(fp.events[3].retry_in_ms, g);
}

static void test_busy_platform_on_any_step(void)
{
    prepare(KG_MODE_BROKER);
    start();
    fp.random_fixed = true;
    fp.random_value = 0; /* backoff 0.5 s, 1 s, 2 s */
    fp_push(P_APP, 429, "{\"error_code\":" STR(CONFIG_KGIOT_CODE_SLOW_DOWN) "}");
    fp_push(P_APP, 503, "{\"error_code\":1001,\"error_msg\":\"system error\"}");
    fp_push(P_QR, 200, slow_down_body);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(gap(P_APP, 0), 500);
    KG_CHECK_EQ(gap(P_APP, 1), 1000);
    KG_CHECK_EQ(gap(P_QR, 0), 500); /* back to the first step after the success */
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_RETRY, KG_EVENT_RETRY, KG_EVENT_RETRY, KG_EVENT_QR_READY,
                           KG_EVENT_QR_SCANNED, KG_EVENT_QR_CONFIRMED, KG_EVENT_LOGGED_IN));
    /* A 4xx with an error_code is the platform's answer: not retried. */
    prepare(KG_MODE_BROKER);
    start();
    fp_push(P_QR, 400, "{\"error_code\":1002,\"error_msg\":\"bad parameter\"}");
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_API);
    KG_CHECK_EQ(fp.events[fp.n_events - 1].platform_code, 1002);
}

static void test_retry_after_respected(void)
{
    prepare(KG_MODE_BROKER);
    start();
    fp.random_fixed = true;
    fp.random_value = 0;
    fp.retry_after = "7";
    fp_push(P_QR, 503, "");
    fp_push(P_STAT, 429, "");
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(gap(P_QR, 0), 7000);
    KG_CHECK_EQ(gap(P_STAT, 0), 7000);
    prepare(KG_MODE_BROKER);
    start();
    fp.random_fixed = true;
    fp.random_value = 0;
    fp.retry_after = "Fri, 27 Nov 2026 11:00:00 GMT"; /* the date form: ignored */
    fp_push(P_QR, 503, "");
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(gap(P_QR, 0), 500);
}

static void test_jitter_extremes(void)
{
    prepare(KG_MODE_BROKER);
    start();
    fp.random_fixed = true;
    fp.random_value = 0; /* the low end: exactly half */
    fp_push(P_APP, FP_NET_FAIL, NULL);
    fp_push(P_APP, FP_NET_FAIL, NULL);
    fp_push(P_APP, FP_NET_FAIL, NULL);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(gap(P_APP, 0), 500);
    KG_CHECK_EQ(gap(P_APP, 1), 1000);
    KG_CHECK_EQ(gap(P_APP, 2), 2000);

    prepare(KG_MODE_BROKER);
    start();
    fp.random_fixed = true;
    fp.random_value = 0xFFFFFFFFu; /* the high end stays within +50 % */
    for (int i = 0; i < 7; i++)
        fp_push(P_APP, 503, "");
    KG_CHECK_ERR(kg_login(&s, 1000000), KG_OK);
    check_backoff_gaps(P_APP, 7);
}

static void test_poll_retry_never_faster_than_the_interval(void)
{
    prepare(KG_MODE_BROKER);
    start();
    SCRIPT(CONFIRMED);
    fp.random_fixed = true;
    fp.random_value = 0; /* backoff would be 0.5 s */
    fp_push(P_STAT, 503, "");
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(gap(P_STAT, 0), CONFIG_KGIOT_POLL_INTERVAL_MS);
}

static void test_step_keeps_retrying_transport_errors(void)
{
    bool done = false;
    uint32_t wait = 0;
    prepare(KG_MODE_BROKER);
    start();
    for (int i = 0; i < 12; i++)
        fp_push(P_APP, FP_NET_FAIL, NULL);
    for (int i = 0; i < 12; i++) {
        KG_CHECK_ERR(kg_login_step(&s, &done, &wait), KG_OK);
        KG_CHECK(!done && wait >= 500 && wait <= 90000);
        KG_CHECK(s.last_err == KG_ERR_IO || s.last_err == KG_ERR_CONNECT);
        KG_CHECK(fp.n_events == (size_t)i + 1 && fp.events[i].type == KG_EVENT_RETRY &&
                 fp.events[i].retry_in_ms == wait && fp.events[i].err == s.last_err);
        fp.now_ms += wait;
    }
    KG_CHECK(wait >= 30000); /* the last step of the ladder, 60 s ± 50 % */
    KG_CHECK_EQ(fp.n_events, 12);
    for (int i = 0; i < 10 && !done; i++) {
        KG_CHECK_ERR(kg_login_step(&s, &done, &wait), KG_OK);
        fp.now_ms += wait;
    }
    KG_CHECK(done);
    /* Cancel: the next step starts a new login. */
    kg_login_cancel(&s);
    KG_CHECK(s.state == KG_LOGIN_IDLE && s.logged_in);
}

static void test_fatal_error_ends_the_step_login(void)
{
    bool done = true;
    uint32_t wait = 1;
    prepare(KG_MODE_BROKER);
    start();
    fp_push(P_APP, 200, "{\"error_code\":3003,\"error_msg\":\"bad secret\"}");
    KG_CHECK_ERR(kg_login_step(&s, &done, &wait), KG_ERR_API);
    KG_CHECK(!done && wait == 0 && s.state == KG_LOGIN_FAILED);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_ERROR));
    KG_CHECK_EQ(fp.events[0].platform_code, 3003);
    /* Called again: a new login. */
    KG_CHECK_ERR(kg_login_step(&s, &done, &wait), KG_OK);
    KG_CHECK(s.state == KG_LOGIN_QR);

    /* A 4xx other than 401/403/429 is not retried. */
    prepare(KG_MODE_BROKER);
    start();
    fp_push(P_QR, 404, "");
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_HTTP_STATUS);
    KG_CHECK_EQ(fp_count(P_QR), 1);
}

static void test_deadline(void)
{
    prepare(KG_MODE_BROKER);
    start();
    SCRIPT(WAITING);
    const uint64_t t0 = fp.now_ms;
    KG_CHECK_ERR(kg_login(&s, 20000), KG_ERR_TIMEOUT);
    KG_CHECK(fp.now_ms <= t0 + 20000 && fp.latest_wake <= t0 + 20000);
    KG_CHECK_EQ(s.polls, 9); /* at 2, 4 ... 18 s; the one at 20 s would be at the deadline */
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_QR_READY, KG_EVENT_ERROR));
    KG_CHECK_ERR(fp.events[1].err, KG_ERR_TIMEOUT);
    KG_CHECK(s.state == KG_LOGIN_FAILED && s.deadline == 0);

    /* A call in flight at the deadline is cut short, not given its 30 s. */
    prepare(KG_MODE_BROKER);
    start();
    SCRIPT(WAITING);
    fp_push(P_STAT, FP_STALL, NULL);
    const uint64_t t1 = fp.now_ms;
    KG_CHECK_ERR(kg_login(&s, 5000), KG_ERR_TIMEOUT);
    KG_CHECK(fp.now_ms <= t1 + 5000);
    KG_CHECK_ERR(s.last_err, KG_ERR_TIMEOUT);

    /* Transport errors until the deadline. */
    prepare(KG_MODE_BROKER);
    start();
    for (int i = 0; i < 20; i++)
        fp_push(P_APP, FP_NET_FAIL, NULL);
    const uint64_t t2 = fp.now_ms;
    KG_CHECK_ERR(kg_login(&s, 60000), KG_ERR_TIMEOUT);
    KG_CHECK(fp.now_ms <= t2 + 60000);
    KG_CHECK(s.last_err == KG_ERR_IO || s.last_err == KG_ERR_CONNECT);
    KG_CHECK(fp_count(P_APP) >= 4);
    /* The final error carries the cause that kept the login from completing. */
    const fp_event_t *last = &fp.events[fp.n_events - 1];
    KG_CHECK(last->type == KG_EVENT_ERROR && last->err == KG_ERR_TIMEOUT);
    KG_CHECK_ERR(last->cause, s.last_err);
    KG_CHECK_EQ(fp.n_events, fp_count(P_APP) + 1); /* one RETRY per failed try, then ERROR */
}

static void test_saved_app_token_reused_and_renewed(void)
{
    prepare(KG_MODE_BROKER);
    start();
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(fp.app_tokens, 1);
    /* A second login (another user) reuses the app token. */
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(fp.app_tokens, 1);
    KG_CHECK_STR(s.tokens.access_token, "ACCTOK-2");
    /* The platform dropped it: fetched again once, the login goes on. */
    snprintf(fp.app_token, sizeof fp.app_token, "APPTOK-gone");
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(fp.app_tokens, 2);
    KG_CHECK_STR(s.tokens.app_token, "APPTOK-2");
    /* Refused again and again: a platform error, not a loop. */
    fp.n_events = 0;
    snprintf(fp.app_token, sizeof fp.app_token, "APPTOK-gone");
    fp_push(P_QR, 200, "{\"error_code\":" STR(CONFIG_KGIOT_CODE_TOKEN_EXPIRED) "}");
    fp_push(P_QR, 403, "");
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_HTTP_STATUS);
    KG_CHECK_EQ(fp.app_tokens, 3);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_ERROR));
    /* An app token past its expiry (margin included) is not used. */
    fp.n_events = 0;
    fp.now_ms += (7200 - CONFIG_KGIOT_REFRESH_MARGIN_S) * 1000ull;
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(fp.app_tokens, 4);
}

/* The login completes and the session works, but the caller learns that
 * nothing was saved (issue 12, item 3). */
static void test_store_failure_reported_login_goes_on(void)
{
    prepare(KG_MODE_BROKER);
    start();
    fp.save_err = KG_ERR_STORE;
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_STORE);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_ERROR, KG_EVENT_QR_READY, KG_EVENT_QR_SCANNED,
                           KG_EVENT_QR_CONFIRMED, KG_EVENT_ERROR, KG_EVENT_LOGGED_IN));
    KG_CHECK_ERR(fp.events[4].err, KG_ERR_STORE);
    KG_CHECK(s.logged_in);
    KG_CHECK_EQ(s.saves, 0);
}

static void test_no_sleep_in_port(void)
{
    kg_port_t p = fp_port;
    p.sleep_ms = NULL;
    prepare(KG_MODE_BROKER);
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &p, &fp_transport), KG_OK);
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_ARG);
    KG_CHECK_EQ(fp.n_reqs, 0);
}

int main(void)
{
    KG_RUN(test_happy_path);
    KG_RUN(test_login_step_drives_the_same_flow);
    KG_RUN(test_scanned_and_confirmed_once_per_code);
    KG_RUN(test_expired_code_is_renewed);
    KG_RUN(test_expired_too_often);
    KG_RUN(test_cancelled_is_denied);
    KG_RUN(test_slow_down_and_429_grow_the_interval);
    KG_RUN(test_server_interval_respected);
    KG_RUN(test_transport_errors_back_off_with_jitter);
    KG_RUN(test_busy_platform_on_any_step);
    KG_RUN(test_retry_after_respected);
    KG_RUN(test_jitter_extremes);
    KG_RUN(test_poll_retry_never_faster_than_the_interval);
    KG_RUN(test_step_keeps_retrying_transport_errors);
    KG_RUN(test_fatal_error_ends_the_step_login);
    KG_RUN(test_deadline);
    KG_RUN(test_saved_app_token_reused_and_renewed);
    KG_RUN(test_store_failure_reported_login_goes_on);
    KG_RUN(test_no_sleep_in_port);
    return kg_test_summary();
}
