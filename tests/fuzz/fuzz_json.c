/*
 * fuzz_json.c - libFuzzer target for kg_json: decode any bytes with a
 * token-reply field table, then read every token as a string and as an
 * integer, and round-trip the input through the writer. Aborts on any broken
 * promise of kg_json.h; the sanitizers catch the rest.
 *
 * kg_json_parse() must agree with a reference reader written from RFC 8259's
 * grammar (below) on every input that fits the token budget: a document one
 * accepts and the other refuses is a parser differential. The reference
 * allows what kg_json documents as unchecked: any byte but NUL in strings.
 *
 * The input is copied to the END of a static array, so a read past len is a
 * global-buffer-overflow that ASan reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kg_json.h"

#define TEXT_MAX 4096

typedef struct {
    char access_token[160];
    char refresh_token[160];
    char openid[64];
    char unionid[64];
    char scope[16]; /* small, so TOO_LONG is easy to reach */
    int64_t expires_in;
    int32_t orig_acnt_type;
    int32_t error_code;
    char error_msg[128];
} reply_t;

static const kg_json_field_t fields[] = {
    KG_JSON_FIELD_STR(reply_t, access_token, "access_token", 1),
    KG_JSON_FIELD_I64(reply_t, expires_in, "expires_in", 1),
    KG_JSON_FIELD_STR(reply_t, refresh_token, "refresh_token", 0),
    KG_JSON_FIELD_STR(reply_t, openid, "openid", 0),
    KG_JSON_FIELD_STR(reply_t, unionid, "unionid", 0),
    KG_JSON_FIELD_STR(reply_t, scope, "scope", 0),
    KG_JSON_FIELD_I32(reply_t, orig_acnt_type, "orig_acnt_type", 0),
    KG_JSON_FIELD_I32(reply_t, error_code, "error_code", 1),
    KG_JSON_FIELD_STR(reply_t, error_msg, "error_msg", 0),
};
#define NFIELDS ((int)(sizeof fields / sizeof fields[0]))

static kg_json_doc_t doc;
static char text_area[TEXT_MAX];
static char write_area[6 * TEXT_MAX + 64];

static void check(int ok)
{
    if (!ok) abort();
}

/* ---- The reference reader: recursive descent over RFC 8259 ---- */

typedef struct {
    const char *s;
    size_t n, i;
} ref_t;

static int ref_value(ref_t *r, int depth);

static void ref_ws(ref_t *r)
{
    while (r->i < r->n && strchr(" \t\r\n", r->s[r->i]) != NULL && r->s[r->i] != '\0')
        r->i++;
}

static int ref_eat(ref_t *r, char c)
{
    ref_ws(r);
    if (r->i >= r->n || r->s[r->i] != c) return 0;
    r->i++;
    return 1;
}

static int ref_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int ref_string(ref_t *r)
{
    if (!ref_eat(r, '"')) return 0;
    while (r->i < r->n && r->s[r->i] != '"') {
        char c = r->s[r->i++];
        if (c == '\0') return 0;
        if (c != '\\') continue;
        if (r->i >= r->n) return 0;
        c = r->s[r->i++];
        if (c == 'u') {
            for (int k = 0; k < 4; k++, r->i++)
                if (r->i >= r->n || !ref_hex(r->s[r->i])) return 0;
        } else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
            return 0;
        }
    }
    return r->i++ < r->n;
}

static size_t ref_digits(ref_t *r)
{
    size_t from = r->i;
    while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9')
        r->i++;
    return r->i - from;
}

static int ref_number(ref_t *r)
{
    size_t first;
    if (r->i < r->n && r->s[r->i] == '-') r->i++;
    first = r->i;
    if (ref_digits(r) == 0 || (r->s[first] == '0' && r->i > first + 1)) return 0;
    if (r->i < r->n && r->s[r->i] == '.') {
        r->i++;
        if (ref_digits(r) == 0) return 0;
    }
    if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
        r->i++;
        if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-')) r->i++;
        if (ref_digits(r) == 0) return 0;
    }
    return 1;
}

static int ref_word(ref_t *r, const char *w)
{
    size_t k = strlen(w);
    if (r->n - r->i < k || memcmp(r->s + r->i, w, k) != 0) return 0;
    r->i += k;
    return 1;
}

/* Members or elements up to close, separated by commas. */
static int ref_items(ref_t *r, char close, int depth)
{
    if (ref_eat(r, close)) return 1;
    do {
        if (close == '}' && (!ref_string(r) || !ref_eat(r, ':'))) return 0;
        if (!ref_value(r, depth + 1)) return 0;
    } while (ref_eat(r, ','));
    return ref_eat(r, close);
}

static int ref_value(ref_t *r, int depth)
{
    char c;
    ref_ws(r);
    if (r->i >= r->n || depth > 1100) return 0; /* deeper than any token budget */
    c = r->s[r->i];
    if (c == '"') return ref_string(r);
    if (c == '{' || c == '[') {
        r->i++;
        return ref_items(r, c == '{' ? '}' : ']', depth);
    }
    if (c == 't') return ref_word(r, "true");
    if (c == 'f') return ref_word(r, "false");
    if (c == 'n') return ref_word(r, "null");
    return ref_number(r);
}

/* A whole document: one object, whitespace around it. */
static int ref_document(const char *s, size_t n)
{
    ref_t r = {s, n, 0};
    ref_ws(&r);
    if (r.i >= n || s[r.i] != '{') return 0;
    if (!ref_value(&r, 0)) return 0;
    ref_ws(&r);
    return r.i == n;
}

/* Every string field holds a NUL inside its array. */
static void check_fields(const reply_t *r)
{
    for (int f = 0; f < NFIELDS; f++) {
        const char *s = (const char *)r + fields[f].offset;
        if (fields[f].kind == KG_JSON_STR) check(memchr(s, '\0', fields[f].cap) != NULL);
    }
}

static void decode(const uint8_t *data, size_t size)
{
    char *text = text_area + TEXT_MAX - size;
    reply_t r;
    int bad = 99;
    kg_err_t err;

    memcpy(text, data, size);
    memset(&r, 0, sizeof r);
    err = kg_json_decode(&doc, text, size, fields, (size_t)NFIELDS, &r, &bad);
    check(memcmp(text, data, size) == 0); /* decode never writes the text */
    /* A field's fault names the field; a document's fault names none. */
    if (err == KG_OK || err == KG_ERR_JSON_SYNTAX || err == KG_ERR_JSON_TOKENS)
        check(bad == -1);
    else
        check(bad >= 0 && bad < NFIELDS);
    check_fields(&r);
}

/* Every token as an int and as a string (twice: the second call must agree). */
static void read_tokens(const uint8_t *data, size_t size)
{
    char *text = text_area + TEXT_MAX - size;
    kg_err_t err;

    memcpy(text, data, size);
    err = kg_json_parse(&doc, text, size);
    if (err != KG_ERR_JSON_TOKENS) check((err == KG_OK) == ref_document(text, size));
    if (err != KG_OK) return;
    for (int t = 0; t < doc.count; t++) {
        const char *s, *s2;
        size_t n, n2;
        int64_t v;
        (void)kg_json_int(&doc, t, &v);
        if (doc.tok[t].type == JSMN_OBJECT) (void)kg_json_find(&doc, t, "access_token");
        if (kg_json_string(&doc, t, &s, &n) != KG_OK) continue;
        check(strlen(s) == n);
        check(kg_json_string(&doc, t, &s2, &n2) == KG_OK && s2 == s && n2 == n);
        (void)kg_json_int(&doc, t, &v);
    }
}

/* The input up to its first NUL, written as a value and read back unchanged,
 * and written again into a buffer too small by the input's first byte. */
static void round_trip(const uint8_t *data, size_t size)
{
    char value[TEXT_MAX + 1];
    kg_json_writer_t w;
    size_t len, cap;
    const char *back;

    memcpy(value, data, size);
    value[size] = '\0';
    kg_json_begin(&w, write_area, sizeof write_area);
    kg_json_add_str(&w, "k", value);
    kg_json_add_int(&w, "i", (int64_t)size - 1000);
    check(kg_json_end(&w, &len) == KG_OK && strlen(write_area) == len);
    check(kg_json_parse(&doc, write_area, len) == KG_OK);
    check(kg_json_string(&doc, kg_json_find(&doc, 0, "k"), &back, NULL) == KG_OK);
    check(strcmp(back, value) == 0);

    cap = size > 0 && (size_t)data[0] <= len ? len + 1 - data[0] : len + 1;
    kg_json_begin(&w, write_area + sizeof write_area - cap, cap); /* ends at the array's end */
    kg_json_add_str(&w, "k", value);
    kg_json_add_int(&w, "i", (int64_t)size - 1000);
    check(kg_json_end(&w, NULL) == (cap == len + 1 ? KG_OK : KG_ERR_NO_SPACE));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > TEXT_MAX) return 0;
    decode(data, size);
    read_tokens(data, size);
    round_trip(data, size);
    return 0;
}
