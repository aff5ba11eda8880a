/*
 * test_session_time.c - the HTTP Date parser, and the session's clock when
 * the port has none (the platform's Date header sets it).
 */
#include "fake_platform.h"
#include "kg_test.h"

static kg_session_t s;
static kg_session_config_t cfg;

static kg_err_t parse(const char *text, int64_t *out)
{
    return kg_session_parse_http_date(text, strlen(text), out);
}

static void test_date_valid(void)
{
    static const struct {
        const char *text;
        int64_t unix_s;
    } cases[] = {
        {"Fri, 27 Nov 2026 11:00:00 GMT", 1795777200},
        {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
        {"Tue, 29 Feb 2000 00:00:00 GMT", 951782400}, /* 400-year leap */
        {"Wed, 01 Mar 2000 00:00:00 GMT", 951868800},
        {"Tue, 29 Feb 2028 23:59:59 GMT", 1835481599},
        {"Mon, 01 Mar 2100 00:00:00 GMT", 4107542400},
        {"Fri, 31 Dec 9999 23:59:59 GMT", 253402300799},
        {"Thu, 31 Dec 2026 23:59:60 GMT", 1798761600}, /* a leap second */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = -1;
        KG_CHECK_ERR(parse(cases[i].text, &t), KG_OK);
        KG_CHECK_EQ(t, cases[i].unix_s);
    }
    /* Only len bytes are read: no NUL needed. */
    int64_t t = 0;
    KG_CHECK_ERR(kg_session_parse_http_date("Fri, 27 Nov 2026 11:00:00 GMTxyz", 29, &t), KG_OK);
    KG_CHECK_EQ(t, 1795777200);
}

static void test_date_invalid(void)
{
    static const char *const bad[] = {
        "",
        "Fri, 27 Nov 2026 11:00:00",         /* short */
        "Fri, 27 Nov 2026 11:00:00 GMT ",    /* long */
        "Fri, 27 Nov 2026 11:00:00 UTC",     /* zone */
        "Fri, 27 Nov 2026 11:00:00 gmt",     /* case */
        "fri, 27 Nov 2026 11:00:00 GMT",     /* weekday case */
        "Sat, 27 Nov 2026 11:00:00 GMT",     /* wrong weekday */
        "Fry, 27 Nov 2026 11:00:00 GMT",     /* no weekday */
        "Fri, 27 Nox 2026 11:00:00 GMT",     /* no month */
        "Fri, 27 nov 2026 11:00:00 GMT",     /* month case */
        "Thu, 29 Feb 2027 00:00:00 GMT",     /* not a leap year */
        "Fri, 29 Feb 2100 00:00:00 GMT",     /* a century is not */
        "Thu, 31 Apr 2026 00:00:00 GMT",     /* April has 30 */
        "Wed, 00 Jan 2026 00:00:00 GMT",     /* day 0 */
        "Sat, 32 Jan 2026 00:00:00 GMT",     /* day 32 */
        "Fri, 27 Nov 2026 24:00:00 GMT",     /* hour */
        "Fri, 27 Nov 2026 11:60:00 GMT",     /* minute */
        "Fri, 27 Nov 2026 11:00:61 GMT",     /* second */
        "Wed, 31 Dec 1969 23:59:59 GMT",     /* before 1970 */
        "Fri, 2x Nov 2026 11:00:00 GMT",     /* not digits */
        "Fri, +7 Nov 2026 11:00:00 GMT",     /* a sign */
        "Fri, 27 Nov 20 6 11:00:00 GMT",     /* a blank */
        "Fri, 27-Nov-2026 11:00:00 GMT",     /* punctuation */
        "Fri,  27 Nov 2026 11:00:00 GMT",    /* spacing */
        "Fri, 27 Nov 2026 11.00.00 GMT",     /* separators */
        "Friday, 27-Nov-26 11:00:00 GMT",    /* RFC 850: not accepted */
        "Fri Nov 27 11:00:00 2026",          /* asctime: not accepted */
        "Fri, 27 Nov 2026 11:00:00 GMT\r\n", /* line end included */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 12345;
        kg_err_t err = parse(bad[i], &t);
        KG_CHECK_ERR(err, KG_ERR_HTTP_SYNTAX);
        if (err != KG_ERR_HTTP_SYNTAX) fprintf(stderr, "  accepted: \"%s\"\n", bad[i]);
        KG_CHECK_EQ(t, 12345); /* untouched */
    }
    int64_t t;
    KG_CHECK_ERR(kg_session_parse_http_date(NULL, 29, &t), KG_ERR_ARG);
    KG_CHECK_ERR(parse("Fri, 27 Nov 2026 11:00:00 GMT", NULL), KG_ERR_ARG);
}

static void prepare(kg_mode_t mode, const kg_port_t *port)
{
    fp_reset();
    fp_config(&cfg, mode, &s);
    fp.wall_clock = false; /* the port cannot tell */
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, port, &fp_transport), KG_OK);
}

static void test_clock_from_date_header(void)
{
    int64_t t = 0;
    prepare(KG_MODE_DIRECT, &fp_port);
    fp.now_ms = 5000400; /* not on a second */
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_ERR_NO_CLOCK);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_OK);
    KG_CHECK_EQ(t, fp_unix_now());
    KG_CHECK_EQ(s.tokens.expires_at, fp_unix_now() + 7200);
    KG_CHECK_EQ(s.tokens.time_base, KG_TIME_BASE_SERVER);
    const uint64_t app_at = fp_nth(CONFIG_KGIOT_PATH_APP_TOKEN, 0)->at_ms;
    KG_CHECK_EQ(s.tokens.app_expires_at, FP_UNIX_BASE + (int64_t)(app_at / 1000) + 7200);
    /* Later, by the monotonic clock: the margin is met and the refresh is
     * signed with the Date-derived time. */
    fp.now_ms += (7200 - CONFIG_KGIOT_REFRESH_MARGIN_S) * 1000ull;
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_OK);
    KG_CHECK_EQ(t, fp_unix_now());
    KG_CHECK_ERR(kg_session_keep_alive(&s), KG_OK);
    KG_CHECK_EQ(fp.refreshes, 1);
    int64_t ts = 0;
    KG_CHECK(fp_body_int(fp_nth(CONFIG_KGIOT_PATH_REFRESH, 0), "ts", &ts));
    KG_CHECK_EQ(ts, fp_unix_now());

    /* A port with no wall_time callback at all: the same. */
    kg_port_t bare = fp_port;
    bare.wall_time = NULL;
    prepare(KG_MODE_BROKER, &bare);
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_ERR_NO_CLOCK);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_OK);
    KG_CHECK_EQ(t, fp_unix_now());
}

static void test_port_clock_wins(void)
{
    int64_t t = 0;
    prepare(KG_MODE_BROKER, &fp_port);
    fp.wall_clock = true;
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_OK);
    KG_CHECK_EQ(t, fp_unix_now());
    fp.wall_clock = false; /* SNTP lost: the Date of the last reply carries on */
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_ERR_NO_CLOCK);
    KG_CHECK_ERR(kg_call_guest(&s, "/v1/x", "{}", &(kg_call_reply_t){0}), KG_OK);
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_OK);
    KG_CHECK_EQ(t, fp_unix_now());
    /* Expiry computed with the port's clock is recorded as such. */
    prepare(KG_MODE_BROKER, &fp_port);
    fp.wall_clock = true;
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_EQ(s.tokens.time_base, KG_TIME_BASE_PORT);
}

static void test_no_clock_at_all(void)
{
    int64_t t = 0;
    prepare(KG_MODE_DIRECT, &fp_port);
    fp.date_header = false;
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_ERR_NO_CLOCK);
    KG_CHECK_EQ(s.tokens.expires_at, 0); /* unknown */
    KG_CHECK_EQ(s.tokens.time_base, KG_TIME_BASE_UNKNOWN);
    /* Expiry unknown: keep_alive cannot tell, the platform's rejection will. */
    fp.now_ms += 100000 * 1000ull;
    KG_CHECK_ERR(kg_session_keep_alive(&s), KG_OK);
    KG_CHECK_EQ(fp.refreshes, 0);
    /* Direct mode cannot sign without the time. */
    KG_CHECK_ERR(kg_session_refresh(&s), KG_ERR_NO_CLOCK);
    KG_CHECK(s.logged_in);
    /* Broker mode can: the backend signs. */
    prepare(KG_MODE_BROKER, &fp_port);
    fp.date_header = false;
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
    KG_CHECK_ERR(kg_session_refresh(&s), KG_OK);
    KG_CHECK_EQ(fp.refreshes, 1);
}

static void test_bad_date_header_ignored(void)
{
    int64_t t = 0;
    prepare(KG_MODE_BROKER, &fp_port);
    fp.date_text = "Friday, 27-Nov-26 11:00:00 GMT";
    KG_CHECK_ERR(kg_call_guest(&s, "/v1/x", "{}", &(kg_call_reply_t){0}), KG_OK);
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_ERR_NO_CLOCK);
    KG_CHECK_EQ(s.tokens.app_expires_at, 0);
    /* A good one later sets the clock. */
    fp.date_text = NULL;
    KG_CHECK_ERR(kg_call_guest(&s, "/v1/x", "{}", &(kg_call_reply_t){0}), KG_OK);
    KG_CHECK_ERR(kg_session_time(&s, &t), KG_OK);
    KG_CHECK_EQ(t, fp_unix_now());
}

int main(void)
{
    KG_RUN(test_date_valid);
    KG_RUN(test_date_invalid);
    KG_RUN(test_clock_from_date_header);
    KG_RUN(test_port_clock_wins);
    KG_RUN(test_no_clock_at_all);
    KG_RUN(test_bad_date_header_ignored);
    return kg_test_summary();
}
