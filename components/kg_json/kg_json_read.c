/*
 * kg_json_read.c - tokenize a body with jsmn, look values up by key, decode
 * strings (\uXXXX to UTF-8) and integers, and decode a flat object into a
 * struct in one pass over its keys.
 *
 * jsmn is compiled into this file (static) so the compiler can inline it,
 * with parent links (see kg_json.h). jsmn, even with JSMN_STRICT, lets
 * malformed objects through (trailing or doubled commas, a doubled colon, a
 * missing value, a non-string key, a bare word as a value), and a device
 * that reads a reply differently from a gateway is a parser-differential
 * hole. So JSMN_STRICT stays off and one pass over the tokens checks the
 * text between them against RFC 8259's grammar, and every bare word
 * against its literals and number syntax, in ignored fields too. What is
 * not checked: raw control characters and UTF-8 inside strings (a scan of
 * every string byte), and lone surrogates until a string is decoded.
 */
#define JSMN_STATIC
#define JSMN_PARENT_LINKS /* as kg_json.h has it */
#include <jsmn.h>

#include "kg_json.h"

#include <limits.h>
#include <string.h>

/* int64_t magnitude limit / 10: below it, mag * 10 + 9 cannot wrap. */
#define MAG_DIV10 UINT64_C(922337203685477580)

/* Longest key spelled with escapes that can still be matched. */
#define ESCAPED_KEY_MAX 48

/* ---- Tokens ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- Strictness: what jsmn leaves out ----
 * Tokens come in preorder; a member's value is the one child of its key.
 * A walk keeps pos, the first byte not yet accounted for, and cur, the
 * innermost container still open. Before each key or element the text must
 * be whitespace, the one separator its place calls for, and whitespace; a
 * container that ends before it must close right there. A member is
 * checked key and value together. */

typedef struct {
    const char *s;
    const jsmntok_t *tok;
    int pos;
    int cur;
    char sep; /* before the next key or element: NUL first in a container, then ',' */
} walk_t;

static int skip_ws(const char *s, int i)
{
    while (is_space(s[i]))
        i++;
    return i;
}

static bool is_container(const jsmntok_t *t)
{
    return t->type == JSMN_OBJECT || t->type == JSMN_ARRAY;
}

/* Closes every open token up to parent p (an ancestor: jsmn only ever
 * attaches a token under the previous one or one of its ancestors). A key
 * closes with its value. The root never closes here: strict_ok() checks
 * its end. */
static bool close_to(walk_t *w, int p)
{
    while (w->cur != p) {
        const jsmntok_t *t = &w->tok[w->cur];
        if (is_container(t)) {
            w->pos = skip_ws(w->s, w->pos);
            if (w->pos != t->end - 1) return false;
            w->pos = t->end;
        }
        w->cur = t->parent;
        w->sep = ',';
        if (w->cur < 0) return false;
    }
    return true;
}

static size_t digits(const char *s, size_t n, size_t i)
{
    while (i < n && (unsigned)(unsigned char)s[i] - '0' <= 9u)
        i++;
    return i;
}

/* After an integer part ending at i: an optional fraction, an optional
 * exponent, then nothing. */
static bool is_number_tail(const char *s, size_t n, size_t i)
{
    size_t j = i;

    if (j == n) return true; /* most numbers are integers */
    if (s[j] == '.') {
        j = digits(s, n, i + 1);
        if (j == i + 1) return false;
    }
    if (j < n && (s[j] | 0x20) == 'e') {
        i = j + 1;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        j = digits(s, n, i);
        if (j == i) return false;
    }
    return j == n;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? exactly, or a literal.
 * Numbers first: replies carry more of them than literals. */
static bool is_bare_value(const char *s, size_t n)
{
    size_t i = s[0] == '-', j = digits(s, n, i);

    if (j > i) return (s[i] != '0' || j == i + 1) && is_number_tail(s, n, j);
    if (n == 4) return memcmp(s, "true", 4) == 0 || memcmp(s, "null", 4) == 0;
    return n == 5 && memcmp(s, "false", 5) == 0;
}

/* Whitespace, sep (when not NUL), whitespace, then exactly next. */
static bool gap_slow(const char *s, int i, char sep, int next)
{
    i = skip_ws(s, i);
    if (sep != '\0' && s[i++] != sep) return false;
    return skip_ws(s, i) == next;
}

/* The gap before next is right; pos moves to next. Replies rarely carry
 * whitespace, so the tight form (sep directly before next) goes first; a
 * first element (no sep: no byte in the root is NUL) takes the slow way. */
static inline bool gap_ok(walk_t *w, char sep, int next)
{
    int i = w->pos;

    w->pos = next;
    return (w->s[i] == sep && i + 1 == next) || gap_slow(w->s, i, sep, next);
}

/* The value at token t after sep: a container opens (its children come
 * next), a leaf has no children and, when bare, is a literal or a number.
 * A string's token starts after its quote and ends at its closing one. */
static inline bool check_value(walk_t *w, const jsmntok_t *t, char sep)
{
    int quote = t->type == JSMN_STRING;

    if (is_container(t)) {
        w->cur = (int)(t - w->tok);
        w->sep = '\0';
        if (!gap_ok(w, sep, t->start)) return false;
        w->pos++;
        return true;
    }
    if (t->size != 0 || !gap_ok(w, sep, t->start - quote)) return false;
    w->pos = t->end + quote;
    return quote || is_bare_value(w->s + t->start, (size_t)(t->end - t->start));
}

/* A member at key token k: a string with one child, ':', its value. */
static bool check_member(walk_t *w, const jsmntok_t *k, char sep)
{
    if (k->type != JSMN_STRING || k->size != 1 || !gap_ok(w, sep, k->start - 1)) return false;
    w->pos = k->end + 1;
    return check_value(w, k + 1, ':');
}

/* Every member and element in place, then everything still open closed up
 * to the root, whose own '}' must follow. */
static bool strict_ok(const char *s, const jsmntok_t *tok, int n)
{
    walk_t w = {s, tok, tok[0].start + 1, 0, '\0'};

    for (int i = 1; i < n; i++) {
        int p = tok[i].parent;
        char sep;
        if (p != w.cur && !close_to(&w, p)) return false;
        sep = w.sep;
        w.sep = ','; /* unless the element opens a container */
        if (tok[p].type == JSMN_ARRAY) {
            if (!check_value(&w, &tok[i], sep)) return false;
        } else if (!check_member(&w, &tok[i++], sep)) {
            return false;
        }
    }
    return close_to(&w, 0) && skip_ws(s, w.pos) == tok[0].end - 1;
}

/* jsmn, then the checks it leaves out: one root, an object, nothing after
 * it, and the grammar above. */
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
    /* jsmn happily reads several roots, and stops at a NUL: both are junk
     * here; and it skips a ':' or ',' before the root. */
    for (size_t i = (size_t)doc->tok[0].end; i < len; i++) {
        if (!is_space(text[i])) return KG_ERR_JSON_SYNTAX;
    }
    if (skip_ws(text, 0) != doc->tok[0].start || !strict_ok(text, doc->tok, n))
        return KG_ERR_JSON_SYNTAX;
    doc->text = text;
    doc->len = len;
    doc->count = n;
    return KG_OK;
}

/* The token after the subtree rooted at t. jsmn lays tokens out in preorder
 * and a token's size is its number of children, so counting is enough. */
static const jsmntok_t *skip(const jsmntok_t *t, const jsmntok_t *end)
{
    int pending = 1;

    while (pending > 0 && t < end) {
        pending += t->size - 1;
        t++;
    }
    return t;
}

static bool valid_token(const kg_json_doc_t *doc, int t)
{
    return doc != NULL && t >= 0 && t < doc->count;
}

/* ---- Strings ----
 * Only raw string tokens are decoded, and jsmn has checked their escapes: a
 * backslash is followed by one of "\\/bfnrtu, and a 'u' by four hex digits,
 * all inside the token. What jsmn lets through, a lone surrogate or U+0000,
 * is caught here. A token decoded in place (it ends in a NUL) is never
 * decoded again: its bytes are no longer JSON. */

/* The value of the four hex digits at s: a digit's low nibble, plus 9 for
 * the letters (bit 6 set in both cases). */
static long hex4(const char *s)
{
    long v = 0;

    for (int i = 0; i < 4; i++) {
        unsigned c = (unsigned char)s[i];
        v = v << 4 | (long)((c & 0xF) + (c >> 6) * 9);
    }
    return v;
}

/* The escape whose backslash is at s[*r - 1], decoded; advances *r past it.
 * 0 on error: a lone surrogate, or U+0000, which a C string cannot hold.
 * Only a high surrogate looks further, at what must be a second \uXXXX. */
static long decode_escape(const char *s, size_t n, size_t *r)
{
    static const char from[] = "bfnrt";
    static const char to[] = "\b\f\n\r\t";
    const char *p = s + *r;
    const char *hit;
    long hi, lo;

    if (*p != 'u') {
        (*r)++;
        hit = memchr(from, *p, sizeof from - 1);
        return hit != NULL ? to[hit - from] : *p; /* '"', '\\' and '/' stand for themselves */
    }
    hi = hex4(p + 1);
    *r += 5;
    if ((hi & 0xF800) != 0xD800) return hi; /* not a surrogate */
    if (hi >= 0xDC00 || *r >= n || p[5] != '\\' || p[6] != 'u') return 0;
    lo = hex4(p + 7);
    if ((lo & 0xFC00) != 0xDC00) return 0;
    *r += 6;
    return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
}

/* Writes cp as k bytes of UTF-8: six bits per continuation byte, from the
 * last, and what is left under the length's lead bits. A raw byte is k 1. */
static void utf8_put(char *out, long cp, size_t k)
{
    static const unsigned char lead[5] = {0, 0x00, 0xC0, 0xE0, 0xF0};

    for (size_t i = k - 1; i > 0; i--) {
        out[i] = (char)(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    out[0] = (char)(lead[k] | cp);
}

/* Decodes the raw string s[0..n) into dst[0..cap) with a NUL; *len excludes
 * it. One byte at a time: only strings with escapes come here, and those
 * are mostly escapes (\u-encoded Chinese messages). dst may be s itself (the
 * output never outruns the input) or NULL to only validate. On error dst
 * holds "". Errors: KG_ERR_JSON_ESCAPE, KG_ERR_JSON_TOO_LONG. */
static kg_err_t unescape(const char *s, size_t n, char *dst, size_t cap, size_t *len)
{
    size_t r = 0, w = 0;
    kg_err_t err = KG_OK;

    while (r < n) {
        long cp = (unsigned char)s[r++];
        size_t k = 1;
        if (cp == '\\') {
            cp = decode_escape(s, n, &r);
            k = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        }
        /* k < cap - w keeps room for the NUL */
        err = cp == 0 ? KG_ERR_JSON_ESCAPE : k >= cap - w ? KG_ERR_JSON_TOO_LONG : KG_OK;
        if (err != KG_OK) {
            w = 0;
            break;
        }
        if (dst != NULL) utf8_put(dst + w, cp, k);
        w += k;
    }
    *len = w;
    if (dst != NULL) dst[w] = '\0';
    return err;
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
    if (s[raw] != '\0') {
        err = unescape(s, raw, NULL, raw + 1, &n);
        if (err != KG_OK) return err;
        (void)unescape(s, raw, s, raw + 1, &n);
        tok->end = tok->start + (int)n;
    }
    *out = s;
    if (out_len != NULL) *out_len = n;
    return KG_OK;
}

/* ---- Keys ---- */

/* The index of the field named key[0..len), or -1. Replies tend to list
 * fields in table order, so the search starts after the previous match and
 * wraps. Lengths first: most names fail there without touching their bytes. */
static int match_field(const kg_json_field_t *fields, size_t nfields, size_t hint, const char *key,
                       size_t len)
{
    size_t f = hint;

    for (size_t j = 0; j < nfields; j++, f++) {
        if (f >= nfields) f = 0;
        if (fields[f].key_len == len && memcmp(fields[f].key, key, len) == 0) return (int)f;
    }
    return -1;
}

/* The field named by key token k when its spelling matched none: a key
 * written with escapes ("access\u005Ftoken") names the same field as its
 * plain spelling, so such a key is decoded into a small buffer and looked
 * up again. */
static int match_escaped(const kg_json_doc_t *doc, const kg_json_field_t *fields, size_t nfields,
                         size_t hint, const jsmntok_t *k)
{
    const char *s = doc->text + k->start;
    size_t n = (size_t)(k->end - k->start);
    char buf[ESCAPED_KEY_MAX];

    if (s[n] == '\0' || memchr(s, '\\', n) == NULL || unescape(s, n, buf, sizeof buf, &n) != KG_OK)
        return -1;
    return match_field(fields, nfields, hint, buf, n);
}

static int match_key(const kg_json_doc_t *doc, const kg_json_field_t *fields, size_t nfields,
                     size_t hint, const jsmntok_t *k)
{
    int f = match_field(fields, nfields, hint, doc->text + k->start, (size_t)(k->end - k->start));

    return f >= 0 ? f : match_escaped(doc, fields, nfields, hint, k);
}

/* The key is looked up as a one-field table, whose 16-bit key length is
 * why a key of 64 KiB or more is never found. */
int kg_json_find(const kg_json_doc_t *doc, int obj, const char *key)
{
    kg_json_field_t field = {key, 0, 0, 0, 0, 0};
    const jsmntok_t *t, *end, *found = NULL;
    size_t key_len;

    if (!valid_token(doc, obj) || key == NULL || doc->tok[obj].type != JSMN_OBJECT) return -1;
    key_len = strlen(key);
    if (key_len > UINT16_MAX) return -1;
    field.key_len = (uint16_t)key_len;
    t = doc->tok + obj + 1;
    end = doc->tok + doc->count;
    for (int m = doc->tok[obj].size; m > 0 && t < end; m--) {
        if (match_key(doc, &field, 1, 0, t) == 0)
            found = t + 1; /* keep going: the last duplicate wins, as in decode */
        t = skip(t, end);
    }
    return found != NULL ? (int)(found - doc->tok) : -1;
}

/* ---- Integers ---- */

static bool is_null(const kg_json_doc_t *doc, const jsmntok_t *tok)
{
    return tok->type == JSMN_PRIMITIVE && tok->end - tok->start == 4 &&
           memcmp(doc->text + tok->start, "null", 4) == 0;
}

/* A decimal integer filling s[0..n) exactly, with an optional '-'. The
 * magnitude stays below 2^64 (checked before each digit), and is checked
 * against int64_t's range once, at the end. */
static kg_err_t parse_int(const char *s, size_t n, int64_t *out)
{
    size_t neg = n > 0 && s[0] == '-';
    uint64_t mag = 0;

    if (neg == n) return KG_ERR_JSON_RANGE;
    for (size_t i = neg; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || mag > MAG_DIV10) return KG_ERR_JSON_RANGE;
        mag = mag * 10 + d;
    }
    if (mag > (uint64_t)INT64_MAX + neg) return KG_ERR_JSON_RANGE;
    /* -(mag - 1) - 1 reaches INT64_MIN without overflowing on the way. */
    *out = neg ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
    return KG_OK;
}

/* Objects, arrays, true, false, null: not numbers of any kind. Other bare
 * words fail as junk in parse_int. */
static kg_err_t token_int(const kg_json_doc_t *doc, const jsmntok_t *tok, int64_t *out)
{
    const char *s = doc->text + tok->start;

    if (tok->type == JSMN_OBJECT || tok->type == JSMN_ARRAY ||
        (tok->type == JSMN_PRIMITIVE && (*s == 't' || *s == 'f' || *s == 'n')))
        return KG_ERR_JSON_TYPE;
    return parse_int(s, (size_t)(tok->end - tok->start), out);
}

kg_err_t kg_json_int(kg_json_doc_t *doc, int t, int64_t *out)
{
    if (!valid_token(doc, t) || out == NULL) return KG_ERR_ARG;
    return token_int(doc, &doc->tok[t], out);
}

/* ---- Decoding into a struct ---- */

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
    if ((uint64_t)x + UINT64_C(0x80000000) > UINT32_MAX) return KG_ERR_JSON_RANGE; /* not int32 */
    x32 = (int32_t)x;
    memcpy(dst, &x32, sizeof x32);
    return KG_OK;
}

/* Strings go straight from the body into the field: the body stays as it
 * was. Most have no escapes: one memchr and one memcpy. The field is ""
 * first, so it is "" after any failure (an earlier duplicate's value
 * included). */
static kg_err_t store_str(const kg_json_doc_t *doc, const jsmntok_t *v, const kg_json_field_t *f,
                          char *dst)
{
    const char *s = doc->text + v->start;
    size_t n = (size_t)(v->end - v->start);

    *dst = '\0';
    if (v->type != JSMN_STRING) return KG_ERR_JSON_TYPE;
    if (memchr(s, '\\', n) != NULL) return unescape(s, n, dst, f->cap, &n);
    if (n >= f->cap) return KG_ERR_JSON_TOO_LONG;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return KG_OK;
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
        int f = match_key(doc, fields, nfields, hint, k); /* tokenize() checked the member */
        if (f >= 0 && !is_null(doc, k + 1)) {
            char *dst = (char *)out + fields[f].offset;
            kg_err_t err = fields[f].kind == KG_JSON_STR ? store_str(doc, k + 1, &fields[f], dst)
                                                         : store_int(doc, k + 1, &fields[f], dst);
            if (err != KG_OK) {
                *bad = f;
                return err;
            }
            seen |= 1u << f; /* a later duplicate overwrites: the last one wins */
            hint = (size_t)f + 1;
        }
        /* Most values are leaves: the next key follows directly. */
        k = k[1].size == 0 ? k + 2 : skip(k, end);
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
    if (bad_field != NULL) *bad_field = err == KG_OK ? -1 : bad;
    return err;
}

/* Decoding with no fields checks the document and fills nothing; tokenize()
 * zeroes doc->count on its errors. */
kg_err_t kg_json_parse(kg_json_doc_t *doc, char *text, size_t len)
{
    char none;

    return kg_json_decode(doc, text, len, NULL, 0, &none, NULL);
}
