/*
 * kg_session_time.c - what time it is, and when tokens expire.
 *
 * Token lifetimes come as "expires_in" seconds, and the refresh signature
 * needs Unix seconds, so the session needs wall-clock time. The port's clock
 * (RTC, SNTP) wins; a port without one still works, because every reply of
 * the platform carries a Date header: the session keeps the offset between
 * that date and its monotonic clock, and so needs no libc time functions.
 */
#include <string.h>

#include "kg_session_priv.h"

/* ---- The Date header ---- */

#define IMF_FIXDATE_LEN 29

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil: years start in March so that the leap
 * day is the last day of the year). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

/* The n digits at p as a number, or -1. */
static int digits(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* Index of the 3-letter name at p in names ("JanFeb..."), or -1. */
static int name_index(const char *p, const char *names)
{
    for (int i = 0; names[3 * i]; i++)
        if (memcmp(p, names + 3 * i, 3) == 0) return i;
    return -1;
}

/* Everything but the fields matches "www, dd mmm yyyy hh:mm:ss GMT". */
static bool fixed_parts_match(const char *t)
{
    static const char form[] = "www, dd mmm yyyy hh:mm:ss GMT";
    for (size_t i = 0; i < IMF_FIXDATE_LEN; i++)
        if (!strchr("wdmyhs", form[i]) && t[i] != form[i]) return false;
    return true;
}

typedef struct {
    int wday, day, month, year, hour, min, sec;
} date_fields_t;

static void read_fields(const char *t, date_fields_t *f)
{
    f->wday = name_index(t, "SunMonTueWedThuFriSat");
    f->day = digits(t + 5, 2);
    f->month = name_index(t + 8, "JanFebMarAprMayJunJulAugSepOctNovDec") + 1;
    f->year = digits(t + 12, 4);
    f->hour = digits(t + 17, 2);
    f->min = digits(t + 20, 2);
    f->sec = digits(t + 23, 2); /* 60: a leap second, as RFC 5322 allows */
}

static bool fields_valid(const date_fields_t *f)
{
    if (f->month < 1 || f->year < 1970 || f->hour < 0 || f->hour > 23) return false;
    if (f->min < 0 || f->min > 59 || f->sec < 0 || f->sec > 60) return false;
    return f->day >= 1 && f->day <= days_in_month(f->year, f->month);
}

kg_err_t kg_session_parse_http_date(const char *text, size_t len, int64_t *unix_s)
{
    date_fields_t f;
    if (!text || !unix_s) return KG_ERR_ARG;
    if (len != IMF_FIXDATE_LEN || !fixed_parts_match(text)) return KG_ERR_HTTP_SYNTAX;
    read_fields(text, &f);
    if (!fields_valid(&f)) return KG_ERR_HTTP_SYNTAX;
    const int64_t days = days_from_civil(f.year, f.month, f.day);
    if ((days + 4) % 7 != f.wday) return KG_ERR_HTTP_SYNTAX; /* 1970-01-01 was a Thursday */
    *unix_s = days * 86400 + f.hour * 3600 + f.min * 60 + f.sec;
    return KG_OK;
}

/* ---- The clock ---- */

uint64_t kgs_now_ms(const kg_session_t *s)
{
    return s->port->now_ms(s->port->ctx);
}

int64_t kgs_add_sat(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b) return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b) return INT64_MIN;
    return a + b;
}

uint64_t kgs_after_ms(const kg_session_t *s, uint64_t ms)
{
    const uint64_t now = kgs_now_ms(s);
    return now > UINT64_MAX - ms ? UINT64_MAX : now + ms;
}

/* Whole seconds of the monotonic clock (below 2^54: fits int64_t). */
static int64_t mono_s(const kg_session_t *s)
{
    return (int64_t)(kgs_now_ms(s) / 1000);
}

/* Unix seconds now, and which clock said so. */
static kg_time_base_t time_now(kg_session_t *s, int64_t *unix_s)
{
    const kg_port_t *p = s->port;
    if (p->wall_time && p->wall_time(p->ctx, unix_s) == KG_OK) return KG_TIME_BASE_PORT;
    if (!s->wall_known) return KG_TIME_BASE_UNKNOWN;
    *unix_s = kgs_add_sat(mono_s(s), s->wall_offset);
    return KG_TIME_BASE_SERVER;
}

kg_err_t kg_session_time(kg_session_t *s, int64_t *unix_s)
{
    if (!s || !unix_s) return KG_ERR_ARG;
    return time_now(s, unix_s) == KG_TIME_BASE_UNKNOWN ? KG_ERR_NO_CLOCK : KG_OK;
}

/* Also records in the token set which clock the expiry was computed with,
 * so a device that boots without its clock knows how far to trust it. */
int64_t kgs_expiry(kg_session_t *s, int64_t expires_in)
{
    int64_t now;
    kg_time_base_t base = time_now(s, &now);
    if (expires_in <= 0 || base == KG_TIME_BASE_UNKNOWN) return 0;
    s->tokens.time_base = (uint8_t)base;
    return kgs_add_sat(now, expires_in);
}

bool kgs_expiring(kg_session_t *s, int64_t expires_at)
{
    int64_t now;
    if (expires_at == 0 || kg_session_time(s, &now) != KG_OK) return false;
    return kgs_add_sat(now, (int64_t)s->cfg.refresh_margin_s) >= expires_at;
}

/* Keep the offset between the reply's Date and the monotonic clock. Taken
 * from every reply (cheap), used only when the port has no clock. */
static void note_date(kg_session_t *s)
{
    size_t len = 0;
    int64_t date;
    const char *v = kg_http_resp_header(&s->auth.http.resp, "Date", &len);
    if (!v || kg_session_parse_http_date(v, len, &date) != KG_OK) return;
    s->wall_offset = kgs_add_sat(date, -mono_s(s));
    s->wall_known = true;
}

/* ---- One exchange ---- */

kg_err_t kgs_exchange_begin(kg_session_t *s, uint32_t *requests)
{
    *requests = s->auth.http.requests;
    s->auth.cfg.timeout_ms = s->call_timeout_ms;
    if (s->deadline == 0) return KG_OK;
    const uint64_t now = kgs_now_ms(s);
    if (now >= s->deadline) return KG_ERR_TIMEOUT;
    if (s->deadline - now < s->call_timeout_ms)
        s->auth.cfg.timeout_ms = (uint32_t)(s->deadline - now);
    return KG_OK;
}

void kgs_exchange_end(kg_session_t *s, uint32_t requests)
{
    s->auth.cfg.timeout_ms = s->call_timeout_ms;
    /* The client counts a request once it is written, and starts a fresh
     * reply then: an unchanged count means the reply buffer still holds an
     * older reply whose Date must not be taken again. */
    if (s->auth.http.requests != requests) note_date(s);
}

int kgs_http_status(const kg_session_t *s)
{
    return s->auth.http.resp.head_done ? s->auth.http.resp.status : 0;
}
