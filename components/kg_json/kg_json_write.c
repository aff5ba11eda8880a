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

/* "s" with '"', '\\' and control characters escaped, byte by byte (request
 * bodies are short): UTF-8 passes through unchanged. */
static void put_string(kg_json_writer_t *w, const char *s)
{
    static const char from[] = "\"\\\b\f\n\r\t";
    static const char to[] = "\"\\bfnrt";
    static const char hex[] = "0123456789abcdef";

    put(w, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        const char *hit = memchr(from, c, sizeof from - 1);
        char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        if (hit != NULL) {
            e[1] = to[hit - from];
            put(w, e, 2);
        } else {
            put(w, c < 0x20 ? e : s, c < 0x20 ? sizeof e : 1);
        }
    }
    put(w, "\"", 1);
}

/* ,"key": -- also where a NULL key or value becomes KG_ERR_ARG (unless an
 * earlier error stuck). */
static void put_key(kg_json_writer_t *w, const char *key, bool value_ok)
{
    if (w->err == KG_OK && (key == NULL || !value_ok)) w->err = KG_ERR_ARG;
    if (w->err != KG_OK) return;
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
    put_key(w, key, value != NULL);
    if (w->err == KG_OK) put_string(w, value);
}

/* The magnitude is divided by 10 as 32 + 16 + 16 bits, each step's
 * remainder carried into the next: a 32-bit core needs no 64-bit division
 * routine (__aeabi_uldivmod). */
void kg_json_add_int(kg_json_writer_t *w, const char *key, int64_t value)
{
    char d[20]; /* "-9223372036854775808" */
    size_t i = sizeof d;
    /* Unsigned arithmetic: the magnitude of INT64_MIN does not fit in int64_t. */
    uint64_t mag = value < 0 ? 0u - (uint64_t)value : (uint64_t)value;
    uint32_t hi = (uint32_t)(mag >> 32), lo = (uint32_t)mag;

    if (w == NULL) return;
    put_key(w, key, true);
    do {
        uint32_t x = (hi % 10) << 16 | lo >> 16;
        uint32_t y = (x % 10) << 16 | (lo & 0xFFFF);
        hi /= 10;
        lo = (x / 10) << 16 | y / 10;
        d[--i] = (char)('0' + y % 10);
    } while ((hi | lo) != 0);
    if (value < 0) d[--i] = '-';
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
