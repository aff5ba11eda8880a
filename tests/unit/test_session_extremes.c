/*
 * test_session_extremes.c - time arithmetic saturates, and no integer from the
 * platform overflows anything.
 *
 * Every integer field of every reply decoder gets the extremes (0, -1,
 * INT32_MIN/MAX and one past, INT64_MIN/MAX and one past, 20 and 30 digit
 * strings), as a number and as a numeric string: the field holds the exact
 * value when its type has it, and the decoder says KG_ERR_JSON_RANGE when
 * not. Then sessions run with token lifetimes at the extremes against a
 * port whose wall clock sits at the extremes (Unix 0, -1, INT64_MIN,
 * INT64_MAX and near it): expiry times saturate at INT64_MAX instead of
 * wrapping (issue 11, defect 3: now + expires_in near INT64_MAX was
 * undefined behaviour, in practice a negative expiry), and the monotonic
 * clock at the end of its range neither wraps nor stalls the session.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"
#include "kg_auth_codec.h"
#include "kg_test.h"

static const char *const extremes[] = {
    "0",
    "-1",
    "1",
    "2147483647",
    "-2147483648",
    "2147483648",
    "-2147483649",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999",
    "-99999999999999999999",
    "123456789012345678901234567890",
};
#define N_EXTREMES (sizeof extremes / sizeof extremes[0])

/* ---- Decoders ---- */

static kg_json_doc_t doc;
static char body[512];
static union {
    kg_token_reply_t token;
    kg_qr_reply_t qr;
    kg_qr_status_reply_t qr_status;
    kg_status_reply_t status;
} reply;

typedef kg_err_t (*decode_fn)(void);

static kg_err_t dec_token(void)
{
    return kg_auth_decode_token(&doc, 200, body, strlen(body), &reply.token);
}
static kg_err_t dec_qr(void)
{
    return kg_auth_decode_qr(&doc, 200, body, strlen(body), &reply.qr);
}
static kg_err_t dec_qr_status(void)
{
    return kg_auth_decode_qr_status(&doc, 200, body, strlen(body), &reply.qr_status);
}
static kg_err_t dec_status(void)
{
    return kg_auth_decode_status(&doc, 200, body, strlen(body), &reply.status);
}

typedef struct {
    const char *what;
    decode_fn decode;
    const char *rest; /* the other fields of a well-formed reply */
    const char *key;
    void *field; /* in reply */
    bool wide;   /* int64_t, else int32_t */
} int_field_t;

#define QR_REST   "\"" CONFIG_KGIOT_QR_FIELD_CONTENT "\":\"u\",\"" CONFIG_KGIOT_QR_FIELD_ID "\":\"i\""
#define QS_REST   "\"" CONFIG_KGIOT_QR_FIELD_CODE "\":\"C\""
#define QS_STATUS CONFIG_KGIOT_QR_FIELD_STATUS
#define QS_INTVL  CONFIG_KGIOT_QR_FIELD_INTERVAL

static const int_field_t int_fields[] = {
    {"token", dec_token, "\"access_token\":\"A\"", "expires_in", &reply.token.expires_in, true},
    {"token", dec_token, "\"access_token\":\"A\"", "orig_acnt_type", &reply.token.orig_acnt_type,
     false},
    {"token", dec_token, "\"access_token\":\"A\"", "error_code", &reply.token.error_code, false},
    {"qr", dec_qr, QR_REST, "expires_in", &reply.qr.expires_in, true},
    {"qr", dec_qr, QR_REST, "error_code", &reply.qr.error_code, false},
    {"qr_status", dec_qr_status, QS_REST, QS_STATUS, &reply.qr_status.status, false},
    {"qr_status", dec_qr_status, QS_REST, QS_INTVL, &reply.qr_status.interval, false},
    {"qr_status", dec_qr_status, QS_REST, "error_code", &reply.qr_status.error_code, false},
    {"status", dec_status, "\"error_msg\":\"\"", "status", &reply.status.status, false},
    {"status", dec_status, "\"error_msg\":\"\"", "error_code", &reply.status.error_code, false},
};

/* The literal's value, and whether int64_t holds it (libc's word for it). */
static bool value_of(const char *lit, long long *v)
{
    errno = 0;
    *v = strtoll(lit, NULL, 10);
    return errno == 0;
}

static long long field_value(const int_field_t *f)
{
    if (f->wide) return (long long)*(int64_t *)f->field;
    return (long long)*(int32_t *)f->field;
}

static void one_extreme(const int_field_t *f, const char *lit, bool quoted)
{
    long long v;
    const char *q = quoted ? "\"" : "";
    snprintf(body, sizeof body, "{%s,\"%s\":%s%s%s}", f->rest, f->key, q, lit, q);
    const kg_err_t err = f->decode();
    bool fits = value_of(lit, &v);
    if (!f->wide) fits = fits && v >= INT32_MIN && v <= INT32_MAX;
    if (fits && err != KG_ERR_JSON_RANGE && field_value(f) == v) return;
    if (!fits && err == KG_ERR_JSON_RANGE) return;
    kg_test_failed_checks++;
    fprintf(stderr, "  %s.%s = %s%s%s: %s, field %lld\n", f->what, f->key, q, lit, q,
            kg_err_name(err), field_value(f));
}

static void test_every_integer_field(void)
{
    for (size_t f = 0; f < sizeof int_fields / sizeof int_fields[0]; f++)
        for (size_t i = 0; i < N_EXTREMES; i++) {
            one_extreme(&int_fields[f], extremes[i], false);
            one_extreme(&int_fields[f], extremes[i], true);
        }
}

/* ---- Sessions at the ends of time ---- */

static kg_session_t s;
static kg_session_config_t cfg;
static int64_t wall; /* what the port's wall clock says */

static kg_err_t wall_at(void *ctx, int64_t *unix_s)
{
    (void)ctx;
    *unix_s = wall;
    return KG_OK;
}

static int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b) return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b) return INT64_MIN;
    return a + b;
}

static void login_at(const kg_port_t *port, int64_t expires_in)
{
    fp_reset();
    fp_config(&cfg, KG_MODE_DIRECT, &s);
    fp.app_expires_in = fp.user_expires_in = expires_in;
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, port, &fp_transport), KG_OK);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
}

static void test_expiry_saturates(void)
{
    static const int64_t walls[] = {1795777200, 0, -1, INT64_MIN, INT64_MAX, INT64_MAX - 7199};
    static const int64_t lives[] = {0, -1, 1, 7200, INT32_MAX, INT64_MAX - 1, INT64_MAX, INT64_MIN};
    kg_port_t port = fp_port;
    port.wall_time = wall_at;
    for (size_t w = 0; w < sizeof walls / sizeof walls[0]; w++)
        for (size_t l = 0; l < sizeof lives / sizeof lives[0]; l++) {
            wall = walls[w];
            login_at(&port, lives[l]);
            const int64_t want = lives[l] <= 0 ? 0 : sat_add(wall, lives[l]);
            KG_CHECK_EQ(s.tokens.expires_at, want);
            KG_CHECK_EQ(s.tokens.app_expires_at, want);
            if (s.tokens.expires_at != want)
                fprintf(stderr, "  wall %lld, expires_in %lld\n", (long long)wall,
                        (long long)lives[l]);
            /* A lifetime past the end of time never reads as expired. */
            const int before = fp.app_tokens;
            if (want == INT64_MAX && wall < INT64_MAX - CONFIG_KGIOT_REFRESH_MARGIN_S) {
                KG_CHECK_ERR(kg_call(&s, "/v1/x", "{}", &(kg_call_reply_t){0}), KG_OK);
                KG_CHECK_EQ(fp.refreshes, 0);
                KG_CHECK_EQ(fp.app_tokens, before);
            }
            /* Whatever the clock: a call works or names its error. */
            kg_err_t err = kg_call(&s, "/v1/x", "{}", &(kg_call_reply_t){0});
            KG_CHECK(err == KG_OK || err == KG_ERR_NO_CLOCK);
            kg_session_free(&s);
        }
}

/* A lifetime the platform writes with more digits than int64_t has: the
 * login fails with the named error. */
static void test_expires_in_too_long(void)
{
    fp_reset();
    fp_config(&cfg, KG_MODE_DIRECT, &s);
    fp_push(CONFIG_KGIOT_PATH_APP_TOKEN, 200,
            "{\"access_token\":\"APPTOK-X\",\"expires_in\":99999999999999999999,\"error_code\":0}");
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport), KG_OK);
    KG_CHECK_ERR(kg_login(&s, 0), KG_ERR_JSON_RANGE);
    KG_CHECK_EQ(fp.app_tokens, 0);
    kg_session_free(&s);
}

/* The port's clock from the platform's Date header while the monotonic
 * clock is at the end of its range, and kg_login's deadline there: no
 * wrap-around (a wrapped deadline lies in the past, a wrapped wake-up time
 * is due at once). */
static void test_monotonic_clock_at_its_end(void)
{
    int64_t t = 0;
    fp_reset();
    fp_config(&cfg, KG_MODE_BROKER, &s);
    fp.wall_clock = false;
    fp.date_text = "Fri, 27 Nov 2026 11:00:00 GMT"; /* every reply: that second */
    fp.now_ms = UINT64_MAX - 3600000;               /* an hour of milliseconds left */
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport), KG_OK);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_OK);
    KG_CHECK(t >= FP_UNIX_BASE && t < FP_UNIX_BASE + 60);
    KG_CHECK(s.tokens.expires_at >= FP_UNIX_BASE + 7200 && s.tokens.expires_at <= t + 7200);
    kg_session_free(&s);
    /* A second left, less than a request's timeout: the HTTP client's
     * deadline clamps too (it wrapped into the past: KG_ERR_TIMEOUT). */
    fp_reset();
    fp_config(&cfg, KG_MODE_BROKER, &s);
    fp.now_ms = UINT64_MAX - 1000;
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport), KG_OK);
    KG_CHECK_ERR(kg_call_guest(&s, "/v1/x", "{}", &(kg_call_reply_t){0}), KG_OK);
    kg_session_free(&s);
    /* Less left than the login timeout: the deadline clamps. */
    fp_reset();
    fp_config(&cfg, KG_MODE_BROKER, &s);
    fp.now_ms = UINT64_MAX - 1000;
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport), KG_OK);
    kg_err_t err = kg_login(&s, 0);
    KG_CHECK(err == KG_OK || err == KG_ERR_TIMEOUT);
    KG_CHECK(fp.now_ms >= UINT64_MAX - 1000); /* never wrapped */
    kg_session_free(&s);
}

int main(void)
{
    KG_RUN(test_every_integer_field);
    KG_RUN(test_expiry_saturates);
    KG_RUN(test_expires_in_too_long);
    KG_RUN(test_monotonic_clock_at_its_end);
    return kg_test_summary();
}
