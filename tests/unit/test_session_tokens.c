/*
 * test_session_tokens.c - after the login: refresh before expiry, a refresh
 * token the platform refuses, resume at boot, authorised calls, broker and
 * direct mode, set-up checks, and logs free of secrets.
 */
#include "fake_platform.h"
#include "kg_test.h"

#define P_APP     CONFIG_KGIOT_PATH_APP_TOKEN
#define P_USER    CONFIG_KGIOT_PATH_USER_TOKEN
#define P_REFRESH CONFIG_KGIOT_PATH_REFRESH
#define P_API     "/v1/playlist"
#define STR_(x)   #x
#define STR(x)    STR_(x)
#define EXPIRED_BODY                                                                               \
    "{\"error_code\":" STR(CONFIG_KGIOT_CODE_TOKEN_EXPIRED) ",\"error_msg\":\"token expired\"}"

static kg_session_t s;
static kg_session_config_t cfg;
static kg_call_reply_t reply;

static void prepare(kg_mode_t mode)
{
    fp_reset();
    fp_config(&cfg, mode, &s);
}

static void start(void)
{
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport), KG_OK);
}

/* A logged-in session (tokens ACCTOK-1 / REFTOK-1), events cleared. */
static void logged_in(kg_mode_t mode)
{
    prepare(mode);
    start();
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    fp.n_events = 0;
}

static bool body_has(const char *needle)
{
    return reply.body && strstr(reply.body, needle) != NULL;
}

/* ---- Refresh ---- */

static void test_refresh_before_expiry(void)
{
    char v[64];
    int64_t ts = 0;
    logged_in(KG_MODE_DIRECT);
    const int64_t expires_at = s.tokens.expires_at;
    KG_CHECK_EQ(expires_at, fp_unix_now() + 7200);
    /* One second before the margin: nothing. */
    fp.now_ms = (uint64_t)(expires_at - CONFIG_KGIOT_REFRESH_MARGIN_S - 1 - FP_UNIX_BASE) * 1000;
    const size_t before = fp.n_reqs;
    KG_CHECK_ERR(kg_session_keep_alive(&s), KG_OK);
    KG_CHECK_EQ(fp.n_reqs, before);
    /* At the margin: refreshed, signed, saved before anyone hears of it. */
    fp.now_ms += 1000;
    KG_CHECK_ERR(kg_session_keep_alive(&s), KG_OK);
    KG_CHECK_EQ(fp.refreshes, 1);
    const fp_request_t *r = fp_nth(P_REFRESH, 0);
    KG_CHECK(r != NULL);
    if (!r) return;
    KG_CHECK(fp_body_str(r, "appid", v, sizeof v) && strcmp(v, FP_APPID) == 0);
    KG_CHECK(fp_body_str(r, "openid", v, sizeof v) && strcmp(v, FP_OPENID) == 0);
    KG_CHECK(fp_body_str(r, "refresh_token", v, sizeof v) && strcmp(v, "REFTOK-1") == 0);
    KG_CHECK(fp_body_int(r, "ts", &ts));
    KG_CHECK_EQ(ts, fp_unix_now());
    char want_sign[33];
    KG_CHECK_ERR(kg_auth_refresh_sign(FP_APPID, ts, FP_SECRET, want_sign), KG_OK);
    KG_CHECK(fp_body_str(r, "sign", v, sizeof v) && strcmp(v, want_sign) == 0);
    KG_CHECK(!fp_body_str(r, "secret", v, sizeof v)); /* the sign, never the secret */
    KG_CHECK_STR(s.tokens.access_token, "ACCTOK-2");
    KG_CHECK_STR(s.tokens.refresh_token, "REFTOK-1"); /* no new one in the reply: kept */
    KG_CHECK_EQ(s.tokens.expires_at, fp_unix_now() + 7200);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_TOKEN_REFRESHED));
    KG_CHECK(fp.events[0].saved_current);
    KG_CHECK_STR(fp.saved.refresh_token, "REFTOK-1");
    KG_CHECK_EQ(s.refreshes, 1);
    /* A reply with a new refresh token: taken. */
    fp.refresh_new_rt = true;
    KG_CHECK_ERR(kg_session_refresh(&s), KG_OK);
    KG_CHECK_STR(s.tokens.refresh_token, "REFTOK-3");
    KG_CHECK_STR(fp.saved.refresh_token, "REFTOK-3");
    KG_CHECK_ERR(kg_call(&s, P_API, NULL, &reply), KG_OK);
    KG_CHECK_EQ(fp.opens, 1); /* still the login's connection */
}

static void check_forgotten(void)
{
    KG_CHECK(!s.logged_in);
    KG_CHECK_STR(s.tokens.access_token, "");
    KG_CHECK_STR(s.tokens.refresh_token, "");
    KG_CHECK_STR(s.tokens.openid, "");
    KG_CHECK_STR(fp.saved.access_token, "");
    KG_CHECK_STR(fp.saved.refresh_token, "");
    KG_CHECK_STR(fp.saved.openid, "");
    KG_CHECK_EQ(fp.saved.expires_at, 0);
    KG_CHECK_STR(fp.saved.app_token, "APPTOK-1"); /* still good */
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_LOGIN_REQUIRED));
}

static void test_refresh_token_refused(void)
{
    logged_in(KG_MODE_BROKER);
    fp_push(P_REFRESH, 200, EXPIRED_BODY);
    int saves = fp.saves;
    KG_CHECK_ERR(kg_session_refresh(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK_EQ(fp.saves, saves + 1);
    check_forgotten();
    const size_t before = fp.n_reqs;
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK_ERR(kg_session_keep_alive(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK_EQ(fp.n_reqs, before);

    logged_in(KG_MODE_BROKER);
    fp_push(P_REFRESH, 401, "<html>unauthorized</html>");
    KG_CHECK_ERR(kg_session_refresh(&s), KG_ERR_LOGIN_REQUIRED);
    check_forgotten();

    logged_in(KG_MODE_BROKER);
    fp_push(P_REFRESH, 403, "{\"error_code\":3003}");
    KG_CHECK_ERR(kg_session_refresh(&s), KG_ERR_LOGIN_REQUIRED);
    check_forgotten();
}

static void test_refresh_other_failures_keep_tokens(void)
{
    logged_in(KG_MODE_BROKER);
    fp_push(P_REFRESH, 500, "oops");
    KG_CHECK_ERR(kg_session_refresh(&s), KG_ERR_HTTP_STATUS);
    fp_push(P_REFRESH, FP_NET_FAIL, NULL);
    kg_err_t err = kg_session_refresh(&s);
    KG_CHECK(err == KG_ERR_IO || err == KG_ERR_CONNECT);
    fp_push(P_REFRESH, 200, "{\"error_code\":1001,\"error_msg\":\"system error\"}");
    KG_CHECK_ERR(kg_session_refresh(&s), KG_ERR_API);
    KG_CHECK(s.logged_in);
    KG_CHECK_STR(s.tokens.access_token, "ACCTOK-1");
    KG_CHECK_STR(s.tokens.refresh_token, "REFTOK-1");
    KG_CHECK_EQ(fp.n_events, 0);
    KG_CHECK_ERR(kg_session_refresh(&s), KG_OK);
    KG_CHECK_STR(s.tokens.access_token, "ACCTOK-2");
}

/* ---- Calls ---- */

static void test_call_headers(void)
{
    char v[64];
    logged_in(KG_MODE_BROKER);
    KG_CHECK_ERR(kg_call(&s, P_API, "{\"n\":1}", &reply), KG_OK);
    const fp_request_t *r = fp_nth(P_API, 0);
    KG_CHECK(r != NULL);
    if (!r) return;
    KG_CHECK_STR(r->path, "/test" P_API);
    KG_CHECK_STR(r->method, "POST");
    KG_CHECK_STR(r->body, "{\"n\":1}");
    KG_CHECK(fp_header(r, CONFIG_KGIOT_CALL_APPID_HEADER, v, sizeof v) && !strcmp(v, FP_APPID));
    KG_CHECK(fp_header(r, CONFIG_KGIOT_CALL_TOKEN_HEADER, v, sizeof v) && !strcmp(v, "ACCTOK-1"));
    KG_CHECK(fp_header(r, CONFIG_KGIOT_CALL_OPENID_HEADER, v, sizeof v) && !strcmp(v, FP_OPENID));
    KG_CHECK(fp_header(r, "Content-Type", v, sizeof v) && !strcmp(v, "application/json"));
    KG_CHECK_EQ(reply.http_status, 200);
    KG_CHECK_EQ(reply.error_code, 0);
    KG_CHECK(body_has("\"who\":\"user\"") && reply.body_len == strlen(reply.body));

    KG_CHECK_ERR(kg_call_guest(&s, P_API, NULL, &reply), KG_OK);
    r = fp_nth(P_API, 1);
    KG_CHECK(fp_header(r, CONFIG_KGIOT_CALL_TOKEN_HEADER, v, sizeof v) && !strcmp(v, "APPTOK-1"));
    KG_CHECK(fp_header(r, CONFIG_KGIOT_CALL_APPID_HEADER, v, sizeof v) && !strcmp(v, FP_APPID));
    KG_CHECK(!fp_header(r, CONFIG_KGIOT_CALL_OPENID_HEADER, v, sizeof v)); /* absent, not empty */
    KG_CHECK_STR(r->body, "{}");
    KG_CHECK(body_has("\"who\":\"guest\""));
    KG_CHECK_EQ(fp.opens, 1);
}

/* A call that needed a refresh works, but a refreshed token that could
 * not be saved is reported: the next boot would need a login. */
static void test_call_reports_a_failed_save(void)
{
    logged_in(KG_MODE_BROKER);
    fp_expire_access_token();
    fp.save_err = KG_ERR_FLASH;
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_ERR_STORE);
    KG_CHECK(body_has("\"who\":\"user\""));
    KG_CHECK(s.logged_in);
    KG_CHECK_STR(s.tokens.access_token, "ACCTOK-2");
    /* The next call needs no save, and says nothing of the last one's. */
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    /* A refresh due at resume that cannot be saved. */
    KG_CHECK_ERR(kg_session_refresh(&s), KG_ERR_STORE);
    KG_CHECK_EQ(fp.refreshes, 2);
}

static void test_call_refreshes_once_on_expired_token(void)
{
    char v[64];
    logged_in(KG_MODE_BROKER);
    fp_expire_access_token();
    KG_CHECK_ERR(kg_call(&s, P_API, "{\"n\":2}", &reply), KG_OK);
    KG_CHECK_EQ(fp_count(P_API), 2);
    KG_CHECK_EQ(fp.refreshes, 1);
    const fp_request_t *retry = fp_nth(P_API, 1);
    KG_CHECK(fp_header(retry, CONFIG_KGIOT_CALL_TOKEN_HEADER, v, sizeof v) &&
             !strcmp(v, "ACCTOK-2"));
    KG_CHECK_STR(retry->body, "{\"n\":2}");
    KG_CHECK(retry == &fp.reqs[fp.n_reqs - 1] && fp.reqs_at_save == fp.n_reqs - 1);
    KG_CHECK_STR(fp.saved.access_token, "ACCTOK-2"); /* saved before the retry used it */
    KG_CHECK(body_has("\"who\":\"user\""));
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_TOKEN_REFRESHED));

    /* HTTP 401 means the same. */
    fp_push(P_API, 401, "");
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(fp.refreshes, 2);
    KG_CHECK_EQ(fp_count(P_API), 4);

    /* Refused again after the refresh: once only, the platform's word returned. */
    fp_push(P_API, 200, EXPIRED_BODY);
    fp_push(P_API, 200, EXPIRED_BODY);
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_ERR_API);
    KG_CHECK_EQ(reply.error_code, CONFIG_KGIOT_CODE_TOKEN_EXPIRED);
    KG_CHECK_EQ(fp.refreshes, 3);
    KG_CHECK_EQ(fp_count(P_API), 6);
    KG_CHECK(s.logged_in);

    /* The refresh itself refused: login required, reply emptied. */
    fp_expire_access_token();
    fp_push(P_REFRESH, 200, EXPIRED_BODY);
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK(reply.body == NULL && reply.http_status == 0);
    KG_CHECK(!s.logged_in);
}

static void test_call_refreshes_first_near_expiry(void)
{
    logged_in(KG_MODE_BROKER);
    fp.now_ms += (7200 - CONFIG_KGIOT_REFRESH_MARGIN_S) * 1000ull;
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(fp.refreshes, 1);
    KG_CHECK_EQ(fp_count(P_API), 1);
    /* A refresh failing on the network does not stop a call whose token may still work. */
    fp.now_ms += (7200 - CONFIG_KGIOT_REFRESH_MARGIN_S) * 1000ull;
    fp_push(P_REFRESH, 503, "");
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(fp_count(P_API), 2);
}

static void test_call_replies(void)
{
    logged_in(KG_MODE_BROKER);
    fp_push(P_API, 200, "[1,2,3]"); /* not an object: no error_code */
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK(reply.error_code == 0 && body_has("[1,2,3]"));
    fp_push(P_API, 200, "plain text");
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(reply.body_len, 10);
    fp_push(P_API, 200, "{\"error_code\":\"5001\",\"error_msg\":\"no such song\"}");
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_ERR_API);
    KG_CHECK_EQ(reply.error_code, 5001);
    KG_CHECK_EQ(reply.http_status, 200);
    KG_CHECK(body_has("no such song"));
    fp_push(P_API, 500, "<html>down</html>");
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_ERR_HTTP_STATUS);
    KG_CHECK_EQ(reply.http_status, 500);
    KG_CHECK(body_has("down"));
    fp_push(P_API, 204, NULL);
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(reply.body_len, 0);
    fp_push(P_API, FP_NET_FAIL, NULL);
    kg_err_t err = kg_call(&s, P_API, "{}", &reply);
    KG_CHECK(err == KG_ERR_IO || err == KG_ERR_CONNECT);
    KG_CHECK(reply.body == NULL);
    KG_CHECK_ERR(kg_call(&s, "no-slash", "{}", &reply), KG_ERR_ARG);
    KG_CHECK_ERR(kg_call(&s, NULL, "{}", &reply), KG_ERR_ARG);
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", NULL), KG_ERR_ARG);
    KG_CHECK_EQ(fp.refreshes, 0);
}

static void test_guest_call_logged_out(void)
{
    char v[64];
    prepare(KG_MODE_BROKER);
    start();
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK_ERR(kg_call_guest(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(fp.app_tokens, 1);
    KG_CHECK_STR(fp.saved.app_token, "APPTOK-1");
    KG_CHECK(!fp_header(fp_nth(P_API, 0), CONFIG_KGIOT_CALL_OPENID_HEADER, v, sizeof v));
    /* The app token is refused: another one, one retry. */
    snprintf(fp.app_token, sizeof fp.app_token, "APPTOK-gone");
    KG_CHECK_ERR(kg_call_guest(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(fp.app_tokens, 2);
    KG_CHECK_EQ(fp_count(P_API), 3);
    KG_CHECK(fp_header(fp_nth(P_API, 2), CONFIG_KGIOT_CALL_TOKEN_HEADER, v, sizeof v) &&
             !strcmp(v, "APPTOK-2"));
    /* Expired by the clock: fetched before the call. */
    fp.now_ms += 7200 * 1000ull;
    KG_CHECK_ERR(kg_call_guest(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(fp.app_tokens, 3);
    KG_CHECK_EQ(fp_count(P_API), 4);
}

/* ---- Modes ---- */

static void test_broker_mode_never_sends_the_secret(void)
{
    logged_in(KG_MODE_BROKER);
    fp.now_ms += 7200 * 1000ull;
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK); /* refreshes first */
    KG_CHECK_ERR(kg_call_guest(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(fp.refreshes, 1);
    KG_CHECK(fp_count(P_APP) == 2 && fp_count(P_USER) == 1);
    KG_CHECK(!fp_any_body_has("secret"));
    KG_CHECK(!fp_any_body_has("sign"));
    KG_CHECK(!fp_any_body_has("ts"));
    for (size_t i = 0; i < fp.n_reqs; i++)
        KG_CHECK(strstr(fp.reqs[i].head, "ecret") == NULL);
}

static void test_direct_mode_sends_secret_and_sign(void)
{
    char v[64];
    logged_in(KG_MODE_DIRECT);
    KG_CHECK(fp_body_str(fp_nth(P_APP, 0), "secret", v, sizeof v) && !strcmp(v, FP_SECRET));
    KG_CHECK(fp_body_str(fp_nth(P_USER, 0), "secret", v, sizeof v) && !strcmp(v, FP_SECRET));
    KG_CHECK_ERR(kg_session_refresh(&s), KG_OK);
    KG_CHECK(fp_body_str(fp_nth(P_REFRESH, 0), "sign", v, sizeof v) && strlen(v) == 32);
    int64_t ts;
    KG_CHECK(fp_body_int(fp_nth(P_REFRESH, 0), "ts", &ts) && ts == fp_unix_now());
    /* A separate appkey signs instead of the secret. */
    prepare(KG_MODE_DIRECT);
    cfg.appkey = "APPKEY-1";
    start();
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_ERR(kg_session_refresh(&s), KG_OK);
    char want[33];
    KG_CHECK_ERR(kg_auth_refresh_sign(FP_APPID, fp_unix_now(), "APPKEY-1", want), KG_OK);
    KG_CHECK(fp_body_str(fp_nth(P_REFRESH, 0), "sign", v, sizeof v) && !strcmp(v, want));
}

/* ---- Resume ---- */

/* The store holds a set whose access token expires in expires_in_s. */
static void saved_set(int64_t expires_in_s)
{
    memset(&fp.saved, 0, sizeof fp.saved);
    snprintf(fp.saved.app_token, sizeof fp.saved.app_token, "APPTOK-9");
    snprintf(fp.saved.access_token, sizeof fp.saved.access_token, "ACCTOK-9");
    snprintf(fp.saved.refresh_token, sizeof fp.saved.refresh_token, "REFTOK-9");
    snprintf(fp.saved.openid, sizeof fp.saved.openid, FP_OPENID);
    fp.saved.expires_at = fp_unix_now() + expires_in_s;
    fp.has_saved = true;
    /* The platform knows them. */
    snprintf(fp.app_token, sizeof fp.app_token, "APPTOK-9");
    snprintf(fp.access_token, sizeof fp.access_token, "ACCTOK-9");
    snprintf(fp.refresh_token, sizeof fp.refresh_token, "REFTOK-9");
    fp.user_tokens = 9;
}

static void test_resume_fresh(void)
{
    prepare(KG_MODE_BROKER);
    start();
    saved_set(3600);
    KG_CHECK_ERR(kg_session_resume(&s), KG_OK);
    KG_CHECK_EQ(fp.n_reqs, 0);
    KG_CHECK(s.logged_in);
    KG_CHECK_EQ(fp.n_events, 0);
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK(body_has("\"who\":\"user\""));
    KG_CHECK_ERR(kg_call_guest(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(fp.app_tokens, 0); /* the saved app token served */
}

static void test_resume_near_expiry_refreshes(void)
{
    prepare(KG_MODE_BROKER);
    start();
    saved_set(300);
    KG_CHECK_ERR(kg_session_resume(&s), KG_OK);
    KG_CHECK_EQ(fp.refreshes, 1);
    KG_CHECK_STR(s.tokens.access_token, "ACCTOK-10");
    KG_CHECK_STR(fp.saved.access_token, "ACCTOK-10");
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_TOKEN_REFRESHED));
    /* Already expired: the same. */
    prepare(KG_MODE_BROKER);
    start();
    saved_set(-60);
    KG_CHECK_ERR(kg_session_resume(&s), KG_OK);
    KG_CHECK_EQ(fp.refreshes, 1);
}

/* Issue 12 item 2: a valid saved login survives a guest call made without
 * resuming, and a login that fails; only a completed login replaces it. */
static void test_saved_login_survives_guest_call_and_failed_login(void)
{
    prepare(KG_MODE_BROKER);
    start();
    saved_set(3600);
    fp.saved.app_token[0] = '\0'; /* the guest call must fetch and save an app token */
    KG_CHECK_ERR(kg_call_guest(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(fp.app_tokens, 1);
    KG_CHECK_STR(fp.saved.access_token, "ACCTOK-9");
    KG_CHECK_STR(fp.saved.refresh_token, "REFTOK-9");
    KG_CHECK_STR(fp.saved.app_token, "APPTOK-1");

    static const int cancelled[] = {KG_QR_CANCELLED};
    prepare(KG_MODE_BROKER);
    start();
    saved_set(3600);
    fp.saved.app_token[0] = '\0';
    fp_set_qr_script(cancelled, 1);
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_LOGIN_DENIED);
    KG_CHECK_STR(fp.saved.access_token, "ACCTOK-9");
    KG_CHECK_STR(fp.saved.openid, FP_OPENID);
    KG_CHECK(fp.saves >= 1); /* the new app token was saved, beside the login */
}

/* A set saved for another appid or host is refused and kept until a login
 * of ours completes. */
static void test_foreign_set_refused_and_kept(void)
{
    prepare(KG_MODE_BROKER);
    start();
    saved_set(3600);
    fp.saved.binding = 0x12345678u;
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK(s.store_foreign && !s.logged_in);
    KG_CHECK_STR(s.tokens.access_token, "");
    KG_CHECK_ERR(kg_call_guest(&s, P_API, "{}", &reply), KG_OK); /* fetches an app token */
    KG_CHECK_EQ(fp.saves, 0);
    KG_CHECK_STR(fp.saved.access_token, "ACCTOK-9");
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(fp.saves, 1);
    KG_CHECK(fp.saved.binding != 0 && fp.saved.binding != 0x12345678u);
    KG_CHECK(strcmp(fp.saved.access_token, "ACCTOK-9") != 0);
    /* Ours now: the next boot resumes it. */
    start();
    KG_CHECK_ERR(kg_session_resume(&s), KG_OK);
    /* The same store under another appid: refused. */
    cfg.appid = "another-app";
    start();
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK(s.store_foreign);
}

static void test_resume_nothing_saved(void)
{
    prepare(KG_MODE_BROKER);
    start();
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_LOGIN_REQUIRED));
    KG_CHECK_EQ(fp.saves, 0);
    KG_CHECK(!s.logged_in);

    /* A set with an app token only: kept for guest calls, login required. */
    prepare(KG_MODE_BROKER);
    start();
    saved_set(3600);
    fp.saved.access_token[0] = '\0';
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK_STR(s.tokens.app_token, "APPTOK-9");

    /* A store that fails to load. */
    prepare(KG_MODE_BROKER);
    start();
    saved_set(3600);
    fp.load_err = KG_ERR_STORE;
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_LOGIN_REQUIRED));

    /* No store at all. */
    prepare(KG_MODE_BROKER);
    cfg.store = NULL;
    start();
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED);
}

static void test_resume_refresh_refused(void)
{
    prepare(KG_MODE_BROKER);
    start();
    saved_set(300);
    snprintf(fp.refresh_token, sizeof fp.refresh_token, "REFTOK-other"); /* ours is dead */
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_LOGIN_REQUIRED));
    KG_CHECK_STR(fp.saved.access_token, "");
    KG_CHECK_STR(fp.saved.app_token, "APPTOK-9");
    KG_CHECK(!s.logged_in);
}

static void test_resume_network_down_keeps_tokens(void)
{
    prepare(KG_MODE_BROKER);
    start();
    saved_set(300);
    fp_push(P_REFRESH, FP_NET_FAIL, NULL);
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_IO);
    KG_CHECK(s.logged_in);
    KG_CHECK_STR(s.tokens.refresh_token, "REFTOK-9");
    KG_CHECK_EQ(fp.n_events, 0);
    KG_CHECK_EQ(fp.saves, 0);
    /* Later the call refreshes first and goes through. */
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_EQ(fp.refreshes, 1);
}

static void test_logout(void)
{
    logged_in(KG_MODE_BROKER);
    KG_CHECK_ERR(kg_logout(&s), KG_OK);
    KG_CHECK(!s.logged_in);
    KG_CHECK_STR(fp.saved.access_token, "");
    KG_CHECK_STR(fp.saved.app_token, "APPTOK-1");
    KG_CHECK_EQ(fp.n_events, 0);
}

/* ---- Set-up ---- */

/* A self-signed test CA (certificate only), for kg_tls_init to parse. */
static const char test_ca[] = "-----BEGIN CERTIFICATE-----\n"
                              "MIIBlzCCAT2gAwIBAgIUHaG/5fongzlRb7aFCPWJrjNfa8MwCgYIKoZIzj0EAwIw\n"
                              "IDEeMBwGA1UEAwwVa2dpb3Qgc2Vzc2lvbiB0ZXN0IENBMCAXDTI2MTEyNzEyNTU1\n"
                              "MloYDzIxMjYxMTAzMTI1NTUyWjAgMR4wHAYDVQQDDBVrZ2lvdCBzZXNzaW9uIHRl\n"
                              "c3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQxfC1/sn+kwndDIudARNZy\n"
                              "vY4dOFU6ZIdVIW4Qn4k7mEM/pADX4ZqZyjLDFBnJfpMQKxodvkszvz7meR5tlWYG\n"
                              "o1MwUTAdBgNVHQ4EFgQUlOK+pOm2at0FC40Zq/N/2FWIHHwwHwYDVR0jBBgwFoAU\n"
                              "lOK+pOm2at0FC40Zq/N/2FWIHHwwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD\n"
                              "AgNIADBFAiBY6Wo19XboYEvj/QKSDE6tSPykCUVMTL6mOB2A1mPULwIhAOIjmxzj\n"
                              "FDeGWqZXqCZPozZ5YX/eceFplX0sP8m4iuCv\n"
                              "-----END CERTIFICATE-----\n";

static kg_err_t init_with(void)
{
    return kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport);
}

static void test_init_checks(void)
{
    kg_token_store_t half = fp_store;
    kg_port_t no_clock = fp_port;
    prepare(KG_MODE_BROKER);
    cfg.secret = FP_SECRET; /* broker mode keeps the secret off the device */
    KG_CHECK_ERR(init_with(), KG_ERR_ARG);
    prepare(KG_MODE_BROKER);
    cfg.appkey = "APPKEY";
    KG_CHECK_ERR(init_with(), KG_ERR_ARG);
    prepare(KG_MODE_BROKER);
    cfg.secret = ""; /* empty is no secret */
    KG_CHECK_ERR(init_with(), KG_OK);
    prepare(KG_MODE_DIRECT);
    cfg.secret = NULL;
    KG_CHECK_ERR(init_with(), KG_ERR_ARG);
    prepare(KG_MODE_DIRECT);
    cfg.secret = "";
    KG_CHECK_ERR(init_with(), KG_ERR_ARG);
    prepare(KG_MODE_BROKER);
    cfg.mode = (kg_mode_t)7;
    KG_CHECK_ERR(init_with(), KG_ERR_ARG);
    prepare(KG_MODE_BROKER);
    cfg.appid = "";
    KG_CHECK_ERR(init_with(), KG_ERR_ARG);
    prepare(KG_MODE_BROKER);
    half.save = NULL;
    cfg.store = &half;
    KG_CHECK_ERR(init_with(), KG_ERR_ARG);
    prepare(KG_MODE_BROKER);
    no_clock.now_ms = NULL;
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &no_clock, &fp_transport), KG_ERR_ARG);
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &fp_port, NULL), KG_ERR_ARG);
    prepare(KG_MODE_BROKER);
    cfg.host = NULL; /* defaults from Kconfig */
    cfg.env_prefix = NULL;
    KG_CHECK_ERR(init_with(), KG_OK);
    KG_CHECK_STR(s.cfg.host, CONFIG_KGIOT_HOST);
    KG_CHECK_EQ(s.cfg.poll_interval_ms, CONFIG_KGIOT_POLL_INTERVAL_MS);
    KG_CHECK_EQ(s.cfg.refresh_margin_s, CONFIG_KGIOT_REFRESH_MARGIN_S);
    KG_CHECK_EQ(s.call_timeout_ms, CONFIG_KGIOT_REQUEST_TIMEOUT_MS);
    KG_CHECK_EQ(fp.n_reqs, 0);
}

static void test_init_with_tls(void)
{
    prepare(KG_MODE_BROKER);
    KG_CHECK_ERR(kg_tls_pool_init(), KG_OK);
    KG_CHECK_ERR(kg_session_init(&s, &cfg, &fp_port), KG_ERR_ARG); /* no CA */
    cfg.ca = (const uint8_t *)"not a certificate";
    cfg.ca_len = sizeof "not a certificate";
    KG_CHECK_ERR(kg_session_init(&s, &cfg, &fp_port), KG_ERR_TLS_CA);
    cfg.ca = (const uint8_t *)test_ca;
    cfg.ca_len = sizeof test_ca;
    KG_CHECK_ERR(kg_session_init(&s, &cfg, &fp_port), KG_OK);
    KG_CHECK(s.tls_ready && s.auth.http.transport == &s.tls_tr);
    kg_session_free(&s);
    KG_CHECK(!s.tls_ready);
    kg_session_free(&s); /* twice is harmless */
    cfg.secret = FP_SECRET;
    KG_CHECK_ERR(kg_session_init(&s, &cfg, &fp_port), KG_ERR_ARG);
}

static int hook_calls;
static mbedtls_ssl_config *hook_conf;

static kg_err_t count_hook(void *ctx, mbedtls_ssl_config *conf)
{
    hook_calls += *(int *)ctx;
    hook_conf = conf;
    return KG_OK;
}

/* The session hands its tls_configure to kg_tls, which then needs no CA. */
static void test_init_with_tls_hook(void)
{
    int step = 1;
    prepare(KG_MODE_BROKER);
    cfg.ca = NULL;
    cfg.ca_len = 0;
    cfg.tls_configure = count_hook;
    cfg.tls_configure_ctx = &step;
    hook_calls = 0;
    KG_CHECK_ERR(kg_session_init(&s, &cfg, &fp_port), KG_OK);
    KG_CHECK_EQ(hook_calls, 1);
    KG_CHECK(hook_conf == &s.tls.conf);
    kg_session_free(&s);
}

/* ---- Logs ---- */

static void test_logs_never_hold_secrets(void)
{
    logged_in(KG_MODE_DIRECT);
    fp_push(CONFIG_KGIOT_PATH_QR_STATUS, 503, "");
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_ERR(kg_session_refresh(&s), KG_OK);
    fp_expire_access_token();
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    KG_CHECK_ERR(kg_call_guest(&s, P_API, "{}", &reply), KG_OK);
    fp_push(P_REFRESH, 200, EXPIRED_BODY);
    KG_CHECK_ERR(kg_session_refresh(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK(fp.log_len > 0);
    KG_CHECK(strstr(fp.log, "login: logged in") != NULL);
    static const char *secrets[] = {"TOK-", "AUTHCODE", "QRID", FP_SECRET, "qrlogin", FP_OPENID};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        KG_CHECK(strstr(fp.log, secrets[i]) == NULL);
        if (strstr(fp.log, secrets[i])) fprintf(stderr, "  log holds %s:\n%s", secrets[i], fp.log);
    }
}

int main(void)
{
    KG_RUN(test_refresh_before_expiry);
    KG_RUN(test_refresh_token_refused);
    KG_RUN(test_refresh_other_failures_keep_tokens);
    KG_RUN(test_call_headers);
    KG_RUN(test_call_refreshes_once_on_expired_token);
    KG_RUN(test_call_reports_a_failed_save);
    KG_RUN(test_call_refreshes_first_near_expiry);
    KG_RUN(test_call_replies);
    KG_RUN(test_guest_call_logged_out);
    KG_RUN(test_broker_mode_never_sends_the_secret);
    KG_RUN(test_direct_mode_sends_secret_and_sign);
    KG_RUN(test_resume_fresh);
    KG_RUN(test_resume_near_expiry_refreshes);
    KG_RUN(test_resume_nothing_saved);
    KG_RUN(test_saved_login_survives_guest_call_and_failed_login);
    KG_RUN(test_foreign_set_refused_and_kept);
    KG_RUN(test_resume_refresh_refused);
    KG_RUN(test_resume_network_down_keeps_tokens);
    KG_RUN(test_logout);
    KG_RUN(test_init_checks);
    KG_RUN(test_init_with_tls);
    KG_RUN(test_init_with_tls_hook);
    KG_RUN(test_logs_never_hold_secrets);
    return kg_test_summary();
}
