/*
 * kg_json_read.c - tokenize a body with jsmn, look values up by key, decode
 * strings (\uXXXX to UTF-8) and integers, and decode a flat object into a
 * struct in one pass over its keys.
 *
 * jsmn is compiled into this file (static) so the compiler can inline it.
 * JSMN_STRICT is left off: on the reference reply it costs 270 of ~7,550
 * x86-64 instructions per decode, which the budget does not have. What it
 * would catch is checked here where it matters: the root's keys must be
 * strings with one value each, and a bare word in a decoded field is a
 * type or range error. Bare words inside ignored fields pass unnoticed.
 */
#define JSMN_STATIC
#include <jsmn.h>

#include "kg_json.h"

#include <limits.h>
#include <string.h>

/* int64_t magnitude limit, split so the overflow check needs no division. */
#define MAG_DIV10 UINT64_C(922337203685477580) /* INT64_MAX / 10 */
#define MAG_LAST  7u                           /* INT64_MAX % 10; one more when negative */

/* Longest key spelled with escapes that can still be matched. */
#define ESCAPED_KEY_MAX 48

/* ---- Tokens ---- */

static bool only_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return false;
    }
    return true;
}

/* jsmn, then the checks it leaves out: one root, an object, nothing after it. */
static kg_err_t tokenize(kg_json_doc_t *doc, char *text, size_t len)
{
    jsmn_parser p;
    int n;

    doc->count = 0;
    if (text == NULL || len > INT_MAX) /* jsmn keeps positions in ints */
        return KG_ERR_ARG;
    jsmn_init(&p);
    n = jsmn_parse(&p, text, len, doc->tok, CONFIG_KGIOT_JSON_TOKENS);
    if (n == JSMN_ERROR_NOMEM) return KG_ERR_JSON_TOKENS;
    if (n < 1 || doc->tok[0].type != JSMN_OBJECT) return KG_ERR_JSON_SYNTAX;
    /* jsmn happily reads several roots, and stops at a NUL: both are junk here. */
    if (!only_space(text + doc->tok[0].end, len - (size_t)doc->tok[0].end))
        return KG_ERR_JSON_SYNTAX;
    doc->text = text;
    doc->len = len;
    doc->count = n;
    return KG_OK;
}

/* The token after the subtree rooted at t. jsmn lays tokens out in preorder
 * and a token's size is its number of children, so counting is enough. */
static int skip(const kg_json_doc_t *doc, int t)
{
    int pending = 1;

    while (pending > 0 && t < doc->count) {
        pending += doc->tok[t].size - 1;
        t++;
    }
    return t;
}

/* A well-formed member: a string key with exactly one value, which is a
 * container or has no children. jsmn lets {"a"}, {a:1}, {"a":1 "b":2} and
 * {"a":1,:2} through; this catches them. key[1] exists when key->size is 1. */
static bool is_member(const jsmntok_t *key)
{
    return key->type == JSMN_STRING && key->size == 1 &&
           (key[1].size == 0 || key[1].type == JSMN_OBJECT || key[1].type == JSMN_ARRAY);
}

static bool valid_token(const kg_json_doc_t *doc, int t)
{
    return doc != NULL && t >= 0 && t < doc->count;
}

static kg_err_t check_members(const kg_json_doc_t *doc)
{
    int t = 1;

    for (int m = 0; m < doc->tok[0].size; m++) {
        if (t >= doc->count || !is_member(&doc->tok[t])) return KG_ERR_JSON_SYNTAX;
        t = skip(doc, t);
    }
    return KG_OK;
}

kg_err_t kg_json_parse(kg_json_doc_t *doc, char *text, size_t len)
{
    kg_err_t err;

    if (doc == NULL) return KG_ERR_ARG;
    err = tokenize(doc, text, len);
    if (err == KG_OK) err = check_members(doc);
    if (err != KG_OK) doc->count = 0;
    return err;
}

static bool escaped_key_is(const char *s, size_t n, const char *key, size_t key_len);

/* Compared as written, and decoded when written with escapes. */
static bool key_is(const kg_json_doc_t *doc, const jsmntok_t *k, const char *key, size_t key_len)
{
    const char *s = doc->text + k->start;
    size_t n = (size_t)(k->end - k->start);

    if (n == key_len && memcmp(s, key, key_len) == 0) return true;
    return n > key_len && escaped_key_is(s, n, key, key_len);
}

int kg_json_find(const kg_json_doc_t *doc, int obj, const char *key)
{
    int found = -1;
    int t = obj + 1;
    size_t key_len;

    if (!valid_token(doc, obj) || key == NULL || doc->tok[obj].type != JSMN_OBJECT) return -1;
    key_len = strlen(key);
    for (int m = 0; m < doc->tok[obj].size && t < doc->count; m++) {
        if (is_member(&doc->tok[t]) && key_is(doc, &doc->tok[t], key, key_len))
            found = t + 1; /* keep going: the last duplicate wins, as in decode */
        t = skip(doc, t);
    }
    return found;
}

/* ---- Strings ---- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)(c | 0x20); /* fold to lower case */
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Four hex digits at s[0..4), or -1. */
static long hex4(const char *s)
{
    long v = 0;

    for (int i = 0; i < 4; i++) {
        int d = hex_digit(s[i]);
        if (d < 0) return -1;
        v = v << 4 | d;
    }
    return v;
}

/* The code point of "\uXXXX" (and its low half when it is a high surrogate)
 * at s[*r..n), where s[*r] is the 'u'; advances *r past it. 0 on error:
 * bad hex, a lone surrogate, or U+0000, which a C string cannot hold. */
static long code_point(const char *s, size_t n, size_t *r)
{
    long hi, lo;

    if (n - *r < 5 || (hi = hex4(s + *r + 1)) < 0) return 0;
    *r += 5;
    if (hi >= 0xDC00 && hi <= 0xDFFF) return 0;
    if (hi < 0xD800 || hi > 0xDBFF) return hi;
    if (n - *r < 6 || s[*r] != '\\' || s[*r + 1] != 'u') return 0;
    lo = hex4(s + *r + 2);
    if (lo < 0xDC00 || lo > 0xDFFF) return 0;
    *r += 6;
    return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
}

static size_t utf8_len(long cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Writes cp as the k bytes utf8_len(cp) gave: six bits per continuation
 * byte, from the last, and what is left under the length's lead bits. */
static void utf8_put(char *out, long cp, size_t k)
{
    static const unsigned char lead[5] = {0, 0x00, 0xC0, 0xE0, 0xF0};

    for (size_t i = k - 1; i > 0; i--) {
        out[i] = (char)(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    out[0] = (char)(lead[k] | cp);
}

/* The escape whose backslash is at s[*r], decoded; advances *r past it.
 * 0 for an invalid escape. */
static long decode_escape(const char *s, size_t n, size_t *r)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    const char *hit;

    if (++*r >= n) return 0;
    if (s[*r] == 'u') return code_point(s, n, r);
    hit = memchr(from, s[*r], sizeof from - 1);
    if (hit == NULL) return 0;
    (*r)++;
    return to[hit - from];
}

/* The slow path of unescape, from the first backslash at s[r]. Byte by byte:
 * escaped strings are mostly escapes (\u-encoded Chinese messages). */
static kg_err_t unescape_tail(const char *s, size_t n, size_t r, char *dst, size_t cap, size_t *len)
{
    size_t w = *len;

    while (r < n) {
        long cp;
        size_t k;
        if (s[r] != '\\') {
            if (w + 1 >= cap) return KG_ERR_JSON_TOO_LONG; /* keep room for the NUL */
            if (dst != NULL) dst[w] = s[r];
            w++;
            r++;
            continue;
        }
        cp = decode_escape(s, n, &r);
        if (cp == 0) return KG_ERR_JSON_ESCAPE;
        k = utf8_len(cp);
        if (k >= cap - w) return KG_ERR_JSON_TOO_LONG;
        if (dst != NULL) utf8_put(dst + w, cp, k);
        w += k;
    }
    *len = w;
    return KG_OK;
}

/* Decodes the raw string s[0..n), whose first backslash is at s[plain] (n
 * when there is none), into dst[0..cap) with a NUL; *len excludes it. dst may
 * be s itself (the output never outruns the input) or NULL to only validate.
 * On error dst holds "". Errors: KG_ERR_JSON_ESCAPE, KG_ERR_JSON_TOO_LONG. */
static kg_err_t unescape(const char *s, size_t n, size_t plain, char *dst, size_t cap, size_t *len)
{
    kg_err_t err = KG_OK;

    *len = plain;
    if (plain >= cap) return KG_ERR_JSON_TOO_LONG;
    if (dst != NULL && dst != s) memcpy(dst, s, plain);
    if (plain < n) err = unescape_tail(s, n, plain, dst, cap, len);
    if (dst != NULL) dst[err == KG_OK ? *len : 0] = '\0';
    return err;
}

/* Offset of the first backslash in s[0..n), or n. */
static size_t plain_len(const char *s, size_t n)
{
    const char *bs = memchr(s, '\\', n);

    return bs != NULL ? (size_t)(bs - s) : n;
}

static bool escaped_key_is(const char *s, size_t n, const char *key, size_t key_len)
{
    char buf[ESCAPED_KEY_MAX];
    size_t plain = plain_len(s, n);

    return plain < n && unescape(s, n, plain, buf, sizeof buf, &n) == KG_OK && n == key_len &&
           memcmp(buf, key, key_len) == 0;
}

/* A decoded string token ends in a NUL (raw ones end at their closing quote,
 * never a NUL), and its end is moved to the decoded length. Validating before
 * writing keeps a bad string's bytes, and so every later call, unchanged. */
kg_err_t kg_json_string(kg_json_doc_t *doc, int t, const char **out, size_t *out_len)
{
    jsmntok_t *tok;
    char *s;
    size_t raw, n;
    kg_err_t err;

    if (!valid_token(doc, t) || out == NULL) return KG_ERR_ARG;
    tok = &doc->tok[t];
    if (tok->type != JSMN_STRING) return KG_ERR_JSON_TYPE;
    s = doc->text + tok->start;
    raw = n = (size_t)(tok->end - tok->start);
    if (doc->text[tok->end] != '\0') {
        size_t plain = plain_len(s, raw);
        err = unescape(s, raw, plain, NULL, raw + 1, &n);
        if (err != KG_OK) return err;
        (void)unescape(s, raw, plain, s, raw + 1, &n);
        tok->end = tok->start + (int)n;
    }
    *out = s;
    if (out_len != NULL) *out_len = n;
    return KG_OK;
}

/* ---- Integers ---- */

static bool is_null(const kg_json_doc_t *doc, const jsmntok_t *tok)
{
    return tok->type == JSMN_PRIMITIVE && tok->end - tok->start == 4 &&
           memcmp(doc->text + tok->start, "null", 4) == 0;
}

/* Objects, arrays, true, false, null: not numbers of any kind. Other bare
 * words fail as junk in parse_int. */
static bool is_non_number(const kg_json_doc_t *doc, const jsmntok_t *tok)
{
    char c = doc->text[tok->start];

    return tok->type == JSMN_OBJECT || tok->type == JSMN_ARRAY ||
           (tok->type == JSMN_PRIMITIVE && (c == 't' || c == 'f' || c == 'n'));
}

/* A decimal integer filling s[0..n) exactly, with an optional '-'. */
static kg_err_t parse_int(const char *s, size_t n, int64_t *out)
{
    size_t i = (n > 0 && s[0] == '-') ? 1 : 0;
    unsigned last = MAG_LAST + (unsigned)i;
    uint64_t mag = 0;

    if (i == n) return KG_ERR_JSON_RANGE;
    for (; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || mag > MAG_DIV10 || (mag == MAG_DIV10 && d > last)) return KG_ERR_JSON_RANGE;
        mag = mag * 10 + d;
    }
    /* -(mag - 1) - 1 reaches INT64_MIN without overflowing on the way. */
    *out = s[0] == '-' ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
    return KG_OK;
}

static kg_err_t token_int(const kg_json_doc_t *doc, const jsmntok_t *tok, int64_t *out)
{
    if (is_non_number(doc, tok)) return KG_ERR_JSON_TYPE;
    return parse_int(doc->text + tok->start, (size_t)(tok->end - tok->start), out);
}

kg_err_t kg_json_int(kg_json_doc_t *doc, int t, int64_t *out)
{
    if (!valid_token(doc, t) || out == NULL) return KG_ERR_ARG;
    return token_int(doc, &doc->tok[t], out);
}

/* ---- Decoding into a struct ---- */

static uint32_t load32(const char *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof v); /* any alignment */
    return v;
}

/* a[0..n) == b[0..n), four bytes at a time; the last word may overlap. Keys
 * are short, and this beats a call to memcmp. */
static bool same_bytes(const char *a, const char *b, size_t n)
{
    size_t i = 0;

    if (n < 4) {
        while (i < n && a[i] == b[i])
            i++;
        return i == n;
    }
    for (; i + 4 < n; i += 4) {
        if (load32(a + i) != load32(b + i)) return false;
    }
    return load32(a + n - 4) == load32(b + n - 4);
}

/* The field named key[0..len), or NULL. Replies tend to list fields in
 * table order, so the search starts after the previous match and wraps.
 * Lengths first: most names fail there without touching their bytes. */
static const kg_json_field_t *match_field(const kg_json_field_t *fields, size_t nfields,
                                          size_t hint, const char *key, size_t len)
{
    size_t f = hint;

    for (size_t j = 0; j < nfields; j++, f++) {
        if (f >= nfields) f = 0;
        if (fields[f].key_len == len && same_bytes(fields[f].key, key, len)) return &fields[f];
    }
    return NULL;
}

/* The field named by key token k. A key written with escapes
 * ("access\u005Ftoken") names the same field as its plain spelling, so on a
 * miss such a key is decoded into a small buffer and looked up again. */
static const kg_json_field_t *match_key(const kg_json_doc_t *doc, const kg_json_field_t *fields,
                                        size_t nfields, size_t hint, const jsmntok_t *k)
{
    const char *s = doc->text + k->start;
    size_t n = (size_t)(k->end - k->start);
    char key[ESCAPED_KEY_MAX];
    const kg_json_field_t *f = match_field(fields, nfields, hint, s, n);
    size_t plain;

    if (f != NULL || (plain = plain_len(s, n)) == n) return f;
    if (unescape(s, n, plain, key, sizeof key, &n) != KG_OK) return NULL;
    return match_field(fields, nfields, hint, key, n);
}

static kg_err_t store_int(const kg_json_doc_t *doc, const jsmntok_t *v, const kg_json_field_t *f,
                          char *dst)
{
    int64_t x;
    int32_t x32;
    kg_err_t err = token_int(doc, v, &x);

    if (err != KG_OK || f->kind == KG_JSON_I64) {
        if (err == KG_OK) memcpy(dst, &x, sizeof x);
        return err;
    }
    if (x < INT32_MIN || x > INT32_MAX) return KG_ERR_JSON_RANGE;
    x32 = (int32_t)x;
    memcpy(dst, &x32, sizeof x32);
    return KG_OK;
}

/* Strings go straight from the body into the field: the body stays as it
 * was. Most have no escapes: one memchr and one memcpy. */
static kg_err_t store_str(const kg_json_doc_t *doc, const jsmntok_t *v, const kg_json_field_t *f,
                          char *dst)
{
    const char *s = doc->text + v->start;
    size_t n = (size_t)(v->end - v->start);
    size_t plain;

    if (v->type != JSMN_STRING) return KG_ERR_JSON_TYPE;
    plain = plain_len(s, n);
    if (plain < n) return unescape(s, n, plain, dst, f->cap, &n);
    if (n >= f->cap) return KG_ERR_JSON_TOO_LONG;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return KG_OK;
}

static kg_err_t store(const kg_json_doc_t *doc, const jsmntok_t *v, const kg_json_field_t *f,
                      void *out)
{
    char *dst = (char *)out + f->offset;

    return f->kind == KG_JSON_STR ? store_str(doc, v, f, dst) : store_int(doc, v, f, dst);
}

static kg_err_t check_required(const kg_json_field_t *fields, size_t nfields, uint32_t seen,
                               int *bad)
{
    if (seen == (uint32_t)((UINT64_C(1) << nfields) - 1)) return KG_OK; /* all there */
    for (size_t f = 0; f < nfields; f++) {
        if (fields[f].required && !(seen >> f & 1u)) {
            *bad = (int)f;
            return KG_ERR_JSON_MISSING;
        }
    }
    return KG_OK;
}

static kg_err_t decode_members(const kg_json_doc_t *doc, const kg_json_field_t *fields,
                               size_t nfields, void *out, int *bad)
{
    const jsmntok_t *k = doc->tok + 1;
    const jsmntok_t *end = doc->tok + doc->count;
    uint32_t seen = 0;
    size_t hint = 0;

    for (int m = doc->tok[0].size; m > 0; m--) {
        const kg_json_field_t *f;
        if (k + 1 >= end || !is_member(k)) return KG_ERR_JSON_SYNTAX;
        f = match_key(doc, fields, nfields, hint, k);
        if (f != NULL && !is_null(doc, k + 1)) {
            kg_err_t err = store(doc, k + 1, f, out);
            hint = (size_t)(f - fields);
            if (err != KG_OK) {
                *bad = (int)hint;
                return err;
            }
            seen |= 1u << hint; /* a later duplicate overwrites: the last one wins */
            hint++;
        }
        /* Most values are leaves: the next key follows directly. */
        k = k[1].size == 0 ? k + 2 : doc->tok + skip(doc, (int)(k - doc->tok));
    }
    return check_required(fields, nfields, seen, bad);
}

kg_err_t kg_json_decode(kg_json_doc_t *doc, char *text, size_t len, const kg_json_field_t *fields,
                        size_t nfields, void *out, int *bad_field)
{
    int bad = -1;
    kg_err_t err = KG_ERR_ARG;

    if (doc != NULL && out != NULL && (fields != NULL || nfields == 0) && nfields <= 32)
        err = tokenize(doc, text, len);
    if (err == KG_OK) err = decode_members(doc, fields, nfields, out, &bad);
    if (err == KG_ERR_JSON_SYNTAX) doc->count = 0; /* as kg_json_parse() leaves it */
    if (bad_field != NULL) *bad_field = err == KG_OK ? -1 : bad;
    return err;
}
