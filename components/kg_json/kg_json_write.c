/*
 * kg_json_write.c - append one flat JSON object to a bounded buffer.
 *
 * One byte is always kept free for the NUL kg_json_end() writes. Nothing is
 * written partially: a piece that does not fit sets KG_ERR_NO_SPACE, and
 * every later call does nothing.
 */
#include "kg_json.h"

#include <string.h>

static void put(kg_json_writer_t *w, const char *s, size_t n)
{
    if (w->err != KG_OK) return;
    if (n >= w->cap - w->len) {
        w->err = KG_ERR_NO_SPACE;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* Bytes at s that go out as they are: UTF-8 passes through unchanged. */
static size_t plain_run(const char *s)
{
    size_t n = 0;

    while ((unsigned char)s[n] >= 0x20 && s[n] != '"' && s[n] != '\\')
        n++;
    return n;
}

/* c is '"', '\\' or a control character (never NUL). */
static void put_escape(kg_json_writer_t *w, unsigned char c)
{
    static const char from[] = "\"\\\b\f\n\r\t";
    static const char to[] = "\"\\bfnrt";
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
    const char *hit = memchr(from, c, sizeof from - 1);

    if (hit != NULL) {
        e[1] = to[hit - from];
        put(w, e, 2);
    } else {
        put(w, e, sizeof e);
    }
}

static void put_string(kg_json_writer_t *w, const char *s)
{
    put(w, "\"", 1);
    while (*s != '\0') {
        size_t n = plain_run(s);
        put(w, s, n);
        s += n;
        if (*s != '\0') put_escape(w, (unsigned char)*s++);
    }
    put(w, "\"", 1);
}

/* ,"key": */
static void put_key(kg_json_writer_t *w, const char *key)
{
    if (w->need_comma) put(w, ",", 1);
    w->need_comma = true;
    put_string(w, key);
    put(w, ":", 1);
}

void kg_json_begin(kg_json_writer_t *w, char *buf, size_t cap)
{
    if (w == NULL) return;
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->need_comma = false;
    w->err = buf == NULL ? KG_ERR_ARG : KG_OK;
    put(w, "{", 1);
}

void kg_json_add_str(kg_json_writer_t *w, const char *key, const char *value)
{
    if (w == NULL) return;
    if (w->err == KG_OK && (key == NULL || value == NULL)) w->err = KG_ERR_ARG;
    if (w->err != KG_OK) return;
    put_key(w, key);
    put_string(w, value);
}

void kg_json_add_int(kg_json_writer_t *w, const char *key, int64_t value)
{
    char d[20]; /* "-9223372036854775808" */
    size_t i = sizeof d;
    /* Unsigned arithmetic: the magnitude of INT64_MIN does not fit in int64_t. */
    uint64_t mag = value < 0 ? 0u - (uint64_t)value : (uint64_t)value;

    if (w == NULL) return;
    if (w->err == KG_OK && key == NULL) w->err = KG_ERR_ARG;
    if (w->err != KG_OK) return;
    do {
        d[--i] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0);
    if (value < 0) d[--i] = '-';
    put_key(w, key);
    put(w, d + i, sizeof d - i);
}

kg_err_t kg_json_end(kg_json_writer_t *w, size_t *len)
{
    if (len != NULL) *len = 0;
    if (w == NULL) return KG_ERR_ARG;
    put(w, "}", 1);
    if (w->err == KG_OK) {
        w->buf[w->len] = '\0';
        if (len != NULL) *len = w->len;
    } else if (w->buf != NULL && w->cap > 0) {
        w->buf[0] = '\0'; /* never leave a half object that looks usable */
    }
    return w->err;
}
