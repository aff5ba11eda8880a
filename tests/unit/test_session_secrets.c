/*
 * test_session_secrets.c - secrets leave no trace in the session (issue 11,
 * defect 5). After a login, a refresh, a business call, a logout and
 * kg_session_free, the whole kg_session_t (the auth buffers, the HTTP
 * client and the reply scratch included) is searched for every secret,
 * signature, code and token it used: each live token may sit in the token
 * set, once; nothing else may sit anywhere.
 */
#include <ctype.h>

#include "fake_platform.h"
#include "kg_test.h"

#define P_REFRESH CONFIG_KGIOT_PATH_REFRESH

static kg_session_t s;
static kg_session_config_t cfg;

/* Places of needle in mem[0..n) at the start of a word (not right after a
 * letter, digit or '-': "REFTOK-1" is not found inside "APPREFTOK-1"). */
static size_t count_in(const void *mem, size_t n, const char *needle, size_t *first)
{
    const char *p = mem;
    size_t k = strlen(needle), hits = 0;
    for (size_t i = 0; k > 0 && i + k <= n; i++) {
        bool word = i == 0 || !(isalnum((unsigned char)p[i - 1]) || p[i - 1] == '-');
        if (word && memcmp(p + i, needle, k) == 0 && hits++ == 0) *first = i;
    }
    return hits;
}

/* needle is nowhere in the session. */
static void check_gone(const char *needle)
{
    size_t at = 0, hits = count_in(&s, sizeof s, needle, &at);
    if (hits != 0) {
        fprintf(stderr, "  %s: %zu left in kg_session_t, the first at offset %zu\n", needle, hits,
                at);
        kg_test_failed_checks++;
    }
}

/* needle is in the session exactly once, inside field[0..cap) of the token set. */
static void check_only_in(const char *needle, const char *field, size_t cap)
{
    size_t at = 0, hits = count_in(&s, sizeof s, needle, &at);
    const size_t start = (size_t)(field - (const char *)&s);
    if (hits != 1 || at != start || strlen(needle) >= cap) {
        fprintf(stderr, "  %s: %zu in kg_session_t, the first at %zu, want 1 at %zu\n", needle,
                hits, at, start);
        kg_test_failed_checks++;
    }
}

#define CHECK_ONLY_IN(needle, field) check_only_in(needle, field, sizeof(field))

static void logged_in_direct(void)
{
    fp_reset();
    fp.refresh_new_rt = true;
    fp_config(&cfg, KG_MODE_DIRECT, &s);
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport), KG_OK);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
}

static void test_after_login(void)
{
    logged_in_direct();
    check_gone(FP_SECRET);
    check_gone("AUTHCODE-1");
    CHECK_ONLY_IN("APPTOK-1", s.tokens.app_token);
    CHECK_ONLY_IN("APPREFTOK-1", s.tokens.app_refresh_token);
    CHECK_ONLY_IN("ACCTOK-1", s.tokens.access_token);
    CHECK_ONLY_IN("REFTOK-1", s.tokens.refresh_token);
}

/* The refresh's request carried the refresh token, the ts and the sign. */
static void test_after_refresh(void)
{
    char sign[64];
    logged_in_direct();
    KG_CHECK_ERR(kg_session_refresh(&s), KG_OK);
    const fp_request_t *r = fp_nth(P_REFRESH, 0);
    KG_CHECK(r != NULL && fp_body_str(r, "sign", sign, sizeof sign) && strlen(sign) == 32);
    check_gone(sign);
    check_gone(FP_SECRET);
    check_gone("ACCTOK-1"); /* the old pair, replaced */
    check_gone("REFTOK-1");
    CHECK_ONLY_IN("ACCTOK-2", s.tokens.access_token);
    CHECK_ONLY_IN("REFTOK-2", s.tokens.refresh_token);
    CHECK_ONLY_IN("APPTOK-1", s.tokens.app_token);
}

/* A business call sends the access token in a header; its reply stays for
 * the caller, its request does not. */
static void test_after_call(void)
{
    kg_call_reply_t reply;
    logged_in_direct();
    KG_CHECK_ERR(kg_call(&s, "/v1/playlist", "{\"k\":1}", &reply), KG_OK);
    KG_CHECK(reply.body && strstr(reply.body, "songs"));
    CHECK_ONLY_IN("ACCTOK-1", s.tokens.access_token);
    KG_CHECK_ERR(kg_call_guest(&s, "/v1/charts", NULL, &reply), KG_OK);
    CHECK_ONLY_IN("APPTOK-1", s.tokens.app_token);
}

/* A shorter token after a longer one leaves no tail of the longer. */
static void test_shorter_token_leaves_no_tail(void)
{
    logged_in_direct();
    KG_CHECK(strlen(s.tokens.access_token) == 8);
    fp_push(
        P_REFRESH, 200,
        "{\"access_token\":\"AT\",\"expires_in\":7200,\"refresh_token\":\"RT\",\"error_code\":0}");
    KG_CHECK_ERR(kg_session_refresh(&s), KG_OK);
    KG_CHECK_STR(s.tokens.access_token, "AT");
    check_gone("TOK-1"); /* "ACCTOK-1" minus what "AT" overwrote */
    for (size_t i = 2; i < sizeof s.tokens.access_token; i++)
        KG_CHECK_EQ(s.tokens.access_token[i], 0);
}

static void test_after_logout(void)
{
    logged_in_direct();
    KG_CHECK_ERR(kg_logout(&s), KG_OK);
    check_gone("ACCTOK-1");
    check_gone("REFTOK-1");
    check_gone(FP_OPENID);
    CHECK_ONLY_IN("APPTOK-1", s.tokens.app_token); /* the app token stays */
}

/* A refresh the platform refuses: the user tokens die in RAM too. */
static void test_after_refused_refresh(void)
{
    logged_in_direct();
    fp.refresh_token[0] = '\0'; /* the platform forgot it */
    KG_CHECK_ERR(kg_session_refresh(&s), KG_ERR_LOGIN_REQUIRED);
    check_gone("ACCTOK-1");
    check_gone("REFTOK-1");
}

static void test_after_free(void)
{
    logged_in_direct();
    KG_CHECK_ERR(kg_session_refresh(&s), KG_OK);
    kg_session_free(&s);
    static const char *const all[] = {FP_SECRET,     "AUTHCODE-1", "APPTOK-1",
                                      "APPREFTOK-1", "ACCTOK-1",   "REFTOK-1",
                                      "ACCTOK-2",    "REFTOK-2",   "QRID-1"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        check_gone(all[i]);
    kg_session_free(&s); /* twice is harmless */
}

/* A login abandoned after the code arrived: the code goes with it. */
static void test_cancelled_login_drops_the_code(void)
{
    bool done = false;
    uint32_t wait = 0;
    fp_reset();
    fp_config(&cfg, KG_MODE_DIRECT, &s);
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport), KG_OK);
    fp_push(CONFIG_KGIOT_PATH_USER_TOKEN, FP_NET_FAIL, NULL);
    for (int i = 0; i < 8 && fp_count(CONFIG_KGIOT_PATH_USER_TOKEN) == 0; i++) {
        KG_CHECK_ERR(kg_login_step(&s, &done, &wait), KG_OK);
        fp.now_ms += wait;
    }
    KG_CHECK(fp.codes == 1 && !done);
    KG_CHECK(strcmp(s.code, "AUTHCODE-1") == 0); /* kept for the retry ... */
    kg_login_cancel(&s);
    check_gone("AUTHCODE-1"); /* ... and no longer */
}

int main(void)
{
    KG_RUN(test_after_login);
    KG_RUN(test_after_refresh);
    KG_RUN(test_after_call);
    KG_RUN(test_shorter_token_leaves_no_tail);
    KG_RUN(test_after_logout);
    KG_RUN(test_after_refused_refresh);
    KG_RUN(test_after_free);
    KG_RUN(test_cancelled_login_drops_the_code);
    return kg_test_summary();
}
