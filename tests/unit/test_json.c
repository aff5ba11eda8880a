/* test_json.c - kg_json: tokenizing, lookups, unescaping, integers, decoding
 * into a struct, and the writer. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "kg_json.h"
#include "kg_test.h"

static kg_json_doc_t doc; /* large: keep it off the stack */

/* The body of /work/shared/bench/token_response.http, de-chunked. */
static const char reference_reply[] =
    "{\"access_token\":\"AT_9f8e7d6c5b4a39281706f5e4d3c2b1a0_abcdefghijklmnop\","
    "\"expires_in\":7200,"
    "\"refresh_token\":\"RT_0a1b2c3d4e5f60718293a4b5c6d7e8f9_qrstuvwxyz012345\","
    "\"openid\":\"oK9x2mZ7pQ4rT1vW8yB3nC6dF0gH5jL\","
    "\"unionid\":\"uN7b3kQ9sX2wE5rT8yU1iO4pA6dG0hJ\","
    "\"scope\":\"user_info,song_play\","
    "\"orig_acnt_type\":2,\"error_code\":0,"
    "\"error_msg\":\"\\u6210\\u529f ok\"}";

/* Shaped like kg_auth's token reply, in struct order (not the reply's). */
typedef struct {
    char access_token[160];
    char refresh_token[160];
    char openid[64];
    char unionid[64];
    char scope[128];
    int64_t expires_in;
    int32_t orig_acnt_type;
    int32_t error_code;
    char error_msg[128];
} reply_t;

static const kg_json_field_t reply_fields[] = {
    KG_JSON_FIELD_STR(reply_t, access_token, "access_token", 1),
    KG_JSON_FIELD_STR(reply_t, refresh_token, "refresh_token", 0),
    KG_JSON_FIELD_STR(reply_t, openid, "openid", 0),
    KG_JSON_FIELD_STR(reply_t, unionid, "unionid", 0),
    KG_JSON_FIELD_STR(reply_t, scope, "scope", 0),
    KG_JSON_FIELD_I64(reply_t, expires_in, "expires_in", 1),
    KG_JSON_FIELD_I32(reply_t, orig_acnt_type, "orig_acnt_type", 0),
    KG_JSON_FIELD_I32(reply_t, error_code, "error_code", 1),
    KG_JSON_FIELD_STR(reply_t, error_msg, "error_msg", 0),
};
#define NFIELDS (sizeof reply_fields / sizeof reply_fields[0])
enum { F_ACCESS, F_REFRESH, F_OPENID, F_UNIONID, F_SCOPE, F_EXPIRES, F_ACNT, F_CODE, F_MSG };

/* A small table for the narrower tests. */
typedef struct {
    char s[8];
    int64_t i;
    int32_t n;
} small_t;

static const kg_json_field_t small_fields[] = {
    KG_JSON_FIELD_STR(small_t, s, "s", 0),
    KG_JSON_FIELD_I64(small_t, i, "i", 0),
    KG_JSON_FIELD_I32(small_t, n, "n", 0),
};

static char text[4096];

/* Copies src into the shared mutable text buffer. */
static size_t load(const char *src)
{
    size_t n = strlen(src);
    memcpy(text, src, n + 1);
    return n;
}

static kg_err_t parse(const char *src)
{
    return kg_json_parse(&doc, text, load(src));
}

static kg_err_t decode_small(const char *src, small_t *out, int *bad)
{
    memset(out, 0, sizeof *out);
    return kg_json_decode(&doc, text, load(src), small_fields, 3, out, bad);
}

/* The int at key "i" of a one-member document, through kg_json_int. */
static kg_err_t int_of(const char *src, int64_t *v)
{
    kg_err_t err = parse(src);
    return err != KG_OK ? err : kg_json_int(&doc, kg_json_find(&doc, 0, "i"), v);
}

static void test_reference_reply(void)
{
    reply_t r;
    int bad = 99;
    size_t n = load(reference_reply);

    memset(&r, 0, sizeof r);
    KG_CHECK_ERR(kg_json_decode(&doc, text, n, reply_fields, NFIELDS, &r, &bad), KG_OK);
    KG_CHECK_EQ(bad, -1);
    KG_CHECK_STR(r.access_token, "AT_9f8e7d6c5b4a39281706f5e4d3c2b1a0_abcdefghijklmnop");
    KG_CHECK_STR(r.refresh_token, "RT_0a1b2c3d4e5f60718293a4b5c6d7e8f9_qrstuvwxyz012345");
    KG_CHECK_STR(r.openid, "oK9x2mZ7pQ4rT1vW8yB3nC6dF0gH5jL");
    KG_CHECK_STR(r.unionid, "uN7b3kQ9sX2wE5rT8yU1iO4pA6dG0hJ");
    KG_CHECK_STR(r.scope, "user_info,song_play");
    KG_CHECK_EQ(r.expires_in, 7200);
    KG_CHECK_EQ(r.orig_acnt_type, 2);
    KG_CHECK_EQ(r.error_code, 0);
    KG_CHECK_STR(r.error_msg, "\xE6\x88\x90\xE5\x8A\x9F\x20\x6F\x6B");
    /* Decoding leaves the body as it was and the tokens usable. */
    KG_CHECK(memcmp(text, reference_reply, sizeof reference_reply) == 0);
    KG_CHECK(kg_json_find(&doc, 0, "scope") > 0);
}

static void test_numeric_strings(void)
{
    reply_t r;
    char body[] = "{\"access_token\":\"a\",\"expires_in\":\"7200\",\"error_code\":\"-12\","
                  "\"orig_acnt_type\":\"2\"}";

    memset(&r, 0, sizeof r);
    KG_CHECK_ERR(kg_json_decode(&doc, body, strlen(body), reply_fields, NFIELDS, &r, NULL), KG_OK);
    KG_CHECK_EQ(r.expires_in, 7200);
    KG_CHECK_EQ(r.error_code, -12);
    KG_CHECK_EQ(r.orig_acnt_type, 2);
}

static void test_find_and_string(void)
{
    const char *s, *s2;
    size_t len = 0, len2 = 0;
    int t;

    KG_CHECK_ERR(parse("{\"a\":\"x\\ty\",\"o\":{\"a\":1},\"b\":[1,{\"c\":2}],\"c\":3}"), KG_OK);
    t = kg_json_find(&doc, 0, "a");
    KG_CHECK_ERR(kg_json_string(&doc, t, &s, &len), KG_OK);
    KG_CHECK_STR(s, "x\ty");
    KG_CHECK_EQ(len, 3);
    KG_CHECK(s >= text && s < text + sizeof text); /* zero copy */
    /* Idempotent: the same bytes come back, not a second unescape of them. */
    KG_CHECK_ERR(kg_json_string(&doc, t, &s2, &len2), KG_OK);
    KG_CHECK(s2 == s);
    KG_CHECK_EQ(len2, 3);
    KG_CHECK_STR(s2, "x\ty");
    /* Only the object's own members. */
    KG_CHECK_EQ(kg_json_find(&doc, 0, "c"), doc.count - 1);
    t = kg_json_find(&doc, 0, "o");
    KG_CHECK(t > 0);
    KG_CHECK_EQ(kg_json_find(&doc, t, "a"), t + 2);
    KG_CHECK_EQ(kg_json_find(&doc, t, "c"), -1);
    KG_CHECK_EQ(kg_json_find(&doc, 0, "missing"), -1);
    KG_CHECK_EQ(kg_json_find(&doc, 0, ""), -1);
    KG_CHECK_EQ(kg_json_find(&doc, 0, "A"), -1);
    /* Not an object, out of range, NULL. */
    KG_CHECK_EQ(kg_json_find(&doc, kg_json_find(&doc, 0, "b"), "c"), -1);
    KG_CHECK_EQ(kg_json_find(&doc, -1, "a"), -1);
    KG_CHECK_EQ(kg_json_find(&doc, doc.count, "a"), -1);
    KG_CHECK_EQ(kg_json_find(&doc, 0, NULL), -1);
    KG_CHECK_EQ(kg_json_find(NULL, 0, "a"), -1);
    /* Strings only. */
    KG_CHECK_ERR(kg_json_string(&doc, kg_json_find(&doc, 0, "c"), &s, NULL), KG_ERR_JSON_TYPE);
    KG_CHECK_ERR(kg_json_string(&doc, kg_json_find(&doc, 0, "o"), &s, NULL), KG_ERR_JSON_TYPE);
    KG_CHECK_ERR(kg_json_string(&doc, doc.count, &s, NULL), KG_ERR_ARG);
    KG_CHECK_ERR(kg_json_string(&doc, 1, NULL, NULL), KG_ERR_ARG);
}

static void test_empty_key_and_string(void)
{
    const char *s = NULL;
    size_t len = 9;

    KG_CHECK_ERR(parse("{\"\":\"\"}"), KG_OK);
    KG_CHECK_EQ(kg_json_find(&doc, 0, ""), 2);
    KG_CHECK_ERR(kg_json_string(&doc, 2, &s, &len), KG_OK);
    KG_CHECK_STR(s, "");
    KG_CHECK_EQ(len, 0);
    KG_CHECK_ERR(kg_json_string(&doc, 2, &s, &len), KG_OK);
    KG_CHECK_STR(s, "");
}

static void test_every_escape(void)
{
    const char *s;
    size_t len;
    static const char want[] = "\"\\/\b\f\n\r\tA\xC3\xA9\xE4\xB8\xAD\xEF\xBF\xBF"
                               "\xF0\x9F\x8E\xA4\xF4\x8F\xBF\xBF-\xC2\x80";

    KG_CHECK_ERR(parse("{\"k\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00E9\\u4e2d\\uFFFF"
                       "\\ud83c\\udfa4\\uDBFF\\uDFFF-\\u0080\"}"),
                 KG_OK);
    KG_CHECK_ERR(kg_json_string(&doc, 2, &s, &len), KG_OK);
    KG_CHECK_STR(s, want);
    KG_CHECK_EQ(len, sizeof want - 1);
    /* The reference's \u6210\u529f and the surrogate pair of the brief. */
    KG_CHECK_ERR(parse("{\"k\":\"\\u6210\\u529f\",\"m\":\"\\ud83c\\udfa4\"}"), KG_OK);
    KG_CHECK_ERR(kg_json_string(&doc, 2, &s, NULL), KG_OK);
    KG_CHECK_STR(s, "\xE6\x88\x90\xE5\x8A\x9F");
    KG_CHECK_ERR(kg_json_string(&doc, 4, &s, &len), KG_OK);
    KG_CHECK_STR(s, "\xF0\x9F\x8E\xA4");
    KG_CHECK_EQ(len, 4);
}

static void test_bad_escapes(void)
{
    static const char *const bad[] = {
        "{\"k\":\"\\ud83c\"}",        /* lone high surrogate */
        "{\"k\":\"\\ud83cx\"}",       /* high surrogate, then a plain byte */
        "{\"k\":\"\\ud83c\\n\"}",     /* high surrogate, then another escape */
        "{\"k\":\"\\ud83c\\u0041\"}", /* high surrogate, then no low one */
        "{\"k\":\"\\ud83c\\ud83c\"}", /* two high surrogates */
        "{\"k\":\"\\udfa4\"}",        /* lone low surrogate */
        "{\"k\":\"a\\u0000b\"}",      /* NUL cannot live in a C string */
        "{\"k\":\"\\ud83c\\udfa\"}",  /* short low half */
    };
    const char *s;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kg_err_t err = parse(bad[i]);
        if (err != KG_OK) { /* jsmn itself may refuse the text: fine, not OK */
            KG_CHECK_ERR(err, KG_ERR_JSON_SYNTAX);
            continue;
        }
        KG_CHECK_ERR(kg_json_string(&doc, 2, &s, NULL), KG_ERR_JSON_ESCAPE);
        /* A failed string is left alone: the same error again, text intact. */
        KG_CHECK_ERR(kg_json_string(&doc, 2, &s, NULL), KG_ERR_JSON_ESCAPE);
        KG_CHECK(strcmp(text, bad[i]) == 0);
    }
    /* jsmn refuses bad hex and unknown escapes outright. */
    KG_CHECK_ERR(parse("{\"k\":\"\\u12g4\"}"), KG_ERR_JSON_SYNTAX);
    KG_CHECK_ERR(parse("{\"k\":\"\\x41\"}"), KG_ERR_JSON_SYNTAX);
    KG_CHECK_ERR(parse("{\"k\":\"\\u12\"}"), KG_ERR_JSON_SYNTAX);
}

static void test_escape_in_decode(void)
{
    small_t o;
    int bad;

    KG_CHECK_ERR(decode_small("{\"s\":\"\\udfa4\"}", &o, &bad), KG_ERR_JSON_ESCAPE);
    KG_CHECK_EQ(bad, 0);
    KG_CHECK_STR(o.s, "");
    KG_CHECK_ERR(decode_small("{\"s\":\"a\\u0000\"}", &o, &bad), KG_ERR_JSON_ESCAPE);
    KG_CHECK_STR(o.s, "");
    KG_CHECK_ERR(decode_small("{\"s\":\"\\ud83c\\udfa4\\n\"}", &o, &bad), KG_OK);
    KG_CHECK_STR(o.s, "\xF0\x9F\x8E\xA4\n");
}

/* Integers as numbers and numeric strings: what parses, and how the rest fails. */
static const struct {
    const char *json;
    kg_err_t err;
    int64_t v;
} int_cases[] = {
    {"{\"i\":0}", KG_OK, 0},
    {"{\"i\":-0}", KG_OK, 0},
    {"{\"i\":7200}", KG_OK, 7200},
    {"{\"i\":-12}", KG_OK, -12},
    {"{\"i\":\"-12\"}", KG_OK, -12},
    {"{\"i\":\"007\"}", KG_OK, 7},
    {"{\"i\":9223372036854775807}", KG_OK, INT64_MAX},
    {"{\"i\":\"9223372036854775807\"}", KG_OK, INT64_MAX},
    {"{\"i\":-9223372036854775808}", KG_OK, INT64_MIN},
    {"{\"i\":9223372036854775808}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":9223372036854775810}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":-9223372036854775809}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":99999999999999999999}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":\"18446744073709551616\"}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":1.5}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":1.0}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":1e3}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":1E3}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":-}", KG_ERR_JSON_SYNTAX, 0}, /* not a JSON number */
    {"{\"i\":\"\"}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":\"-\"}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":\"+1\"}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":\" 1\"}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":\"1 \"}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":\"12a\"}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":\"0x10\"}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":\"1.5\"}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":\"\\u0031\"}", KG_ERR_JSON_RANGE, 0},
    {"{\"i\":true}", KG_ERR_JSON_TYPE, 0},
    {"{\"i\":false}", KG_ERR_JSON_TYPE, 0},
    {"{\"i\":null}", KG_ERR_JSON_TYPE, 0},
    {"{\"i\":{}}", KG_ERR_JSON_TYPE, 0},
    {"{\"i\":[1]}", KG_ERR_JSON_TYPE, 0},
};

static void test_integers(void)
{
    for (size_t c = 0; c < sizeof int_cases / sizeof int_cases[0]; c++) {
        int64_t v = 12345;
        kg_err_t err = int_of(int_cases[c].json, &v);
        if (err != int_cases[c].err) fprintf(stderr, "  case %s\n", int_cases[c].json);
        KG_CHECK_ERR(err, int_cases[c].err);
        KG_CHECK_EQ(v, int_cases[c].err == KG_OK ? int_cases[c].v : 12345);
    }
    KG_CHECK_ERR(kg_json_int(&doc, doc.count, &(int64_t){0}), KG_ERR_ARG);
    KG_CHECK_ERR(kg_json_int(&doc, 0, NULL), KG_ERR_ARG);
}

static void test_int_after_string(void)
{
    const char *s;
    int64_t v = 0;

    /* A numeric string already decoded in place still reads as a number. */
    KG_CHECK_ERR(parse("{\"i\":\"42\"}"), KG_OK);
    KG_CHECK_ERR(kg_json_string(&doc, 2, &s, NULL), KG_OK);
    KG_CHECK_ERR(kg_json_int(&doc, 2, &v), KG_OK);
    KG_CHECK_EQ(v, 42);
}

static void test_i32_range(void)
{
    small_t o;
    int bad;

    KG_CHECK_ERR(decode_small("{\"n\":2147483647}", &o, &bad), KG_OK);
    KG_CHECK_EQ(o.n, INT32_MAX);
    KG_CHECK_ERR(decode_small("{\"n\":-2147483648}", &o, &bad), KG_OK);
    KG_CHECK_EQ(o.n, INT32_MIN);
    KG_CHECK_ERR(decode_small("{\"n\":2147483648}", &o, &bad), KG_ERR_JSON_RANGE);
    KG_CHECK_EQ(bad, 2);
    KG_CHECK_EQ(o.n, 0);
    KG_CHECK_ERR(decode_small("{\"n\":\"-2147483649\"}", &o, &bad), KG_ERR_JSON_RANGE);
    KG_CHECK_EQ(bad, 2);
    KG_CHECK_ERR(decode_small("{\"i\":2147483648}", &o, &bad), KG_OK);
    KG_CHECK_EQ(o.i, 2147483648LL);
}

static void test_unknown_fields_of_every_type(void)
{
    reply_t r;
    int bad = 99;
    /* Nested objects and arrays carry the same key names: never matched. */
    char body[] = "{\"x\":\"s\",\"y\":12.5e3,\"z\":true,\"w\":false,\"v\":null,"
                  "\"o\":{\"access_token\":\"NESTED\",\"error_code\":5,"
                  "\"deep\":{\"expires_in\":1,\"a\":[{\"error_code\":6}]}},"
                  "\"a\":[\"access_token\",\"x\",{\"access_token\":\"ARR\"},[[],{}]],"
                  "\"e\":{},\"ea\":[],"
                  "\"access_token\":\"ROOT\",\"expires_in\":60,\"error_code\":0,"
                  "\"p\":{\"expires_in\":{\"expires_in\":2}}}";

    memset(&r, 0, sizeof r);
    KG_CHECK_ERR(kg_json_decode(&doc, body, strlen(body), reply_fields, NFIELDS, &r, &bad), KG_OK);
    KG_CHECK_EQ(bad, -1);
    KG_CHECK_STR(r.access_token, "ROOT");
    KG_CHECK_EQ(r.expires_in, 60);
    KG_CHECK_EQ(r.error_code, 0);
    KG_CHECK_STR(r.scope, "");
}

static void test_nested_key_does_not_satisfy_required(void)
{
    reply_t r;
    int bad = 99;
    char body[] = "{\"o\":{\"access_token\":\"NESTED\"},\"expires_in\":1,\"error_code\":0}";

    memset(&r, 0, sizeof r);
    KG_CHECK_ERR(kg_json_decode(&doc, body, strlen(body), reply_fields, NFIELDS, &r, &bad),
                 KG_ERR_JSON_MISSING);
    KG_CHECK_EQ(bad, F_ACCESS);
    KG_CHECK_STR(r.access_token, "");
}

static void test_type_errors(void)
{
    small_t o;
    int bad;

    KG_CHECK_ERR(decode_small("{\"s\":12}", &o, &bad), KG_ERR_JSON_TYPE);
    KG_CHECK_EQ(bad, 0);
    KG_CHECK_ERR(decode_small("{\"s\":true}", &o, &bad), KG_ERR_JSON_TYPE);
    KG_CHECK_ERR(decode_small("{\"s\":{\"s\":\"x\"}}", &o, &bad), KG_ERR_JSON_TYPE);
    KG_CHECK_ERR(decode_small("{\"s\":[\"x\"]}", &o, &bad), KG_ERR_JSON_TYPE);
    KG_CHECK_ERR(decode_small("{\"i\":[1]}", &o, &bad), KG_ERR_JSON_TYPE);
    KG_CHECK_EQ(bad, 1);
    KG_CHECK_ERR(decode_small("{\"n\":false}", &o, &bad), KG_ERR_JSON_TYPE);
    KG_CHECK_EQ(bad, 2);
    KG_CHECK_ERR(decode_small("{\"i\":\"x\"}", &o, &bad), KG_ERR_JSON_RANGE);
    KG_CHECK_EQ(bad, 1);
}

static void test_null_is_absent(void)
{
    reply_t r;
    int bad = 99;
    char body[] = "{\"access_token\":\"a\",\"expires_in\":1,\"error_code\":0,"
                  "\"scope\":null,\"orig_acnt_type\":null}";
    char body2[] = "{\"access_token\":null,\"expires_in\":1,\"error_code\":0}";

    memset(&r, 0, sizeof r);
    strcpy(r.scope, "kept");
    r.orig_acnt_type = 7;
    KG_CHECK_ERR(kg_json_decode(&doc, body, strlen(body), reply_fields, NFIELDS, &r, &bad), KG_OK);
    KG_CHECK_STR(r.scope, "kept");
    KG_CHECK_EQ(r.orig_acnt_type, 7);
    KG_CHECK_ERR(kg_json_decode(&doc, body2, strlen(body2), reply_fields, NFIELDS, &r, &bad),
                 KG_ERR_JSON_MISSING);
    KG_CHECK_EQ(bad, F_ACCESS);
}

static void test_missing_required(void)
{
    reply_t r;
    int bad = 99;
    char body[] = "{\"access_token\":\"a\",\"expires_in\":1}";

    memset(&r, 0, sizeof r);
    KG_CHECK_ERR(kg_json_decode(&doc, body, strlen(body), reply_fields, NFIELDS, &r, &bad),
                 KG_ERR_JSON_MISSING);
    KG_CHECK_EQ(bad, F_CODE);
    /* Fields are still filled up to the failure. */
    KG_CHECK_STR(r.access_token, "a");
    KG_CHECK_ERR(kg_json_decode(&doc, body, strlen(body), reply_fields, NFIELDS, &r, NULL),
                 KG_ERR_JSON_MISSING);
}

static void test_too_long(void)
{
    small_t o;
    int bad;

    /* s holds 8 bytes: 7 and a NUL. */
    KG_CHECK_ERR(decode_small("{\"s\":\"1234567\"}", &o, &bad), KG_OK);
    KG_CHECK_STR(o.s, "1234567");
    KG_CHECK_ERR(decode_small("{\"s\":\"12345678\"}", &o, &bad), KG_ERR_JSON_TOO_LONG);
    KG_CHECK_EQ(bad, 0);
    KG_CHECK_EQ(o.s[0], '\0');
    /* The decoded length counts: 12 bytes of escapes decode to 6. */
    KG_CHECK_ERR(decode_small("{\"s\":\"\\u6210\\u529f\"}", &o, &bad), KG_OK);
    KG_CHECK_STR(o.s, "\xE6\x88\x90\xE5\x8A\x9F");
    KG_CHECK_ERR(decode_small("{\"s\":\"a\\u6210\\u529f\"}", &o, &bad), KG_OK);
    KG_CHECK_ERR(decode_small("{\"s\":\"ab\\u6210\\u529f\"}", &o, &bad), KG_ERR_JSON_TOO_LONG);
    KG_CHECK_STR(o.s, "");
    KG_CHECK_ERR(decode_small("{\"s\":\"1234\\u6210\\n\"}", &o, &bad), KG_ERR_JSON_TOO_LONG);
    KG_CHECK_ERR(decode_small("{\"s\":\"123456\\n\"}", &o, &bad), KG_OK);
    KG_CHECK_STR(o.s, "123456\n");
    KG_CHECK_ERR(decode_small("{\"s\":\"1234567\\n\"}", &o, &bad), KG_ERR_JSON_TOO_LONG);
}

/* Names of every length class the matcher handles (under 4 bytes, one word,
 * several words with an overlapping last one); near misses differ in the
 * first, a middle or the last byte and must be ignored. */
static void test_key_matching(void)
{
    typedef struct {
        int32_t v[9];
    } ints_t;
    static const kg_json_field_t ints_fields[] = {
        KG_JSON_FIELD_I32(ints_t, v[0], "", 0),
        KG_JSON_FIELD_I32(ints_t, v[1], "a", 0),
        KG_JSON_FIELD_I32(ints_t, v[2], "abc", 0),
        KG_JSON_FIELD_I32(ints_t, v[3], "abcd", 0),
        KG_JSON_FIELD_I32(ints_t, v[4], "abcde", 0),
        KG_JSON_FIELD_I32(ints_t, v[5], "abcdefgh", 0),
        KG_JSON_FIELD_I32(ints_t, v[6], "abcdefghi", 0),
        KG_JSON_FIELD_I32(ints_t, v[7], "abcdefghijklmnopq", 1),
        KG_JSON_FIELD_I32(ints_t, v[8], "ab", 1),
    };
    ints_t o;
    char body[] = "{\"abX\":-1,\"abcdefghijklmnopX\":-1,\"Xbcdefghi\":-1,\"abcdXfgh\":-1,"
                  "\"abcdefghijklmnopq\":7,\"abcdefghi\":6,\"abcdefgh\":5,\"abcde\":4,"
                  "\"abcd\":3,\"abc\":2,\"a\":1,\"\":0,\"ab\":8,\"abcdefghijklmnopqr\":-1,"
                  "\"b\":-1,\"abd\":-1,\"Abcd\":-1,\"abcdE\":-1}";

    memset(&o, 0x55, sizeof o);
    KG_CHECK_ERR(kg_json_decode(&doc, body, strlen(body), ints_fields, 9, &o, NULL), KG_OK);
    for (int i = 0; i < 9; i++)
        KG_CHECK_EQ(o.v[i], i);
    /* In-order and out-of-order tables agree. */
    KG_CHECK_ERR(kg_json_decode(&doc, body, strlen(body), ints_fields + 1, 8, &o, NULL), KG_OK);
}

/* Last one wins, in kg_json_decode and kg_json_find alike. */
static void test_duplicate_keys(void)
{
    small_t o;
    int bad;
    const char *s;

    KG_CHECK_ERR(decode_small("{\"s\":\"first\",\"i\":1,\"s\":\"last\",\"i\":2}", &o, &bad), KG_OK);
    KG_CHECK_STR(o.s, "last");
    KG_CHECK_EQ(o.i, 2);
    KG_CHECK_ERR(parse("{\"s\":\"first\",\"i\":1,\"s\":\"last\"}"), KG_OK);
    KG_CHECK_ERR(kg_json_string(&doc, kg_json_find(&doc, 0, "s"), &s, NULL), KG_OK);
    KG_CHECK_STR(s, "last");
}

static void test_syntax(void)
{
    static const char *const bad[] = {
        "",
        "   ",
        "[]",
        "[{\"a\":1}]",
        "\"s\"",
        "12",
        "null",
        "{} x",
        "{}{}",
        "{},",
        "{\"a\":1}}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1 \"b\":2}",
        "{\"a\" \"b\"}",
        "{a:1}",
        "{\"a\":1,b:2}",
        "{\"a\":1,[]:2}",
        "{\"a\":1,:2}",
        "{\"a\":\"b\":\"c\"}",
        "{\"a\":1:2}",
        "{1:2}",
        "{{}:1}",
        "{\"a\":[1}",
        "{\"a\":{]}",
        "{\"a\":\"x}",
        "{\"a\":1",
        " x{}",
        ":{}",
        " ,{}",
    };
    small_t o;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kg_err_t err = parse(bad[i]);
        if (err != KG_ERR_JSON_SYNTAX) fprintf(stderr, "  case '%s'\n", bad[i]);
        KG_CHECK_ERR(err, KG_ERR_JSON_SYNTAX);
        KG_CHECK_EQ(doc.count, 0);
        KG_CHECK_ERR(decode_small(bad[i], &o, NULL), KG_ERR_JSON_SYNTAX);
        KG_CHECK_EQ(doc.count, 0);
    }
    KG_CHECK_ERR(parse(" \r\n\t{ \"a\" : 1 } \r\n\t"), KG_OK);
    KG_CHECK_ERR(parse("{}"), KG_OK);
    KG_CHECK_EQ(doc.count, 1);
    /* A NUL inside len is junk, not an end of text. */
    memcpy(text, "{}\0", 3);
    KG_CHECK_ERR(kg_json_parse(&doc, text, 3), KG_ERR_JSON_SYNTAX);
    memcpy(text, "{\"a\":\"x\0\"}", 10);
    KG_CHECK_ERR(kg_json_parse(&doc, text, 10), KG_ERR_JSON_SYNTAX);
    KG_CHECK_ERR(kg_json_parse(NULL, text, 2), KG_ERR_ARG);
    KG_CHECK_ERR(kg_json_parse(&doc, NULL, 2), KG_ERR_ARG);
}

/* RFC 8259's grammar for objects, rule by rule, where jsmn alone lets the
 * text through (README's strictness table). Every bad case fails with
 * KG_ERR_JSON_SYNTAX at the root, in a field the decoder ignores ("x"), and
 * in a field it decodes; every good case parses, and every proper prefix of
 * it fails. */
static const struct {
    const char *rule;
    const char *value; /* stands for V in {"x":V} */
    kg_err_t want;
} strict_cases[] = {
    {"trailing comma", "{\"a\":1,}", KG_ERR_JSON_SYNTAX},
    {"trailing comma", "[1,]", KG_ERR_JSON_SYNTAX},
    {"trailing comma", "{\"a\":{},}", KG_ERR_JSON_SYNTAX},
    {"two commas", "{\"a\":1,,\"b\":2}", KG_ERR_JSON_SYNTAX},
    {"two commas", "[1,,2]", KG_ERR_JSON_SYNTAX},
    {"leading comma", "{,\"a\":1}", KG_ERR_JSON_SYNTAX},
    {"leading comma", "[,1]", KG_ERR_JSON_SYNTAX},
    {"doubled colon", "{\"a\"::1}", KG_ERR_JSON_SYNTAX},
    {"doubled colon", "{\"a\": :1}", KG_ERR_JSON_SYNTAX},
    {"missing value", "{\"a\":}", KG_ERR_JSON_SYNTAX},
    {"missing value", "{\"a\":,\"b\":1}", KG_ERR_JSON_SYNTAX},
    {"missing value", "{\"a\"}", KG_ERR_JSON_SYNTAX},
    {"missing value", "{\"a\",\"b\":1}", KG_ERR_JSON_SYNTAX},
    {"non-string key", "{a:1}", KG_ERR_JSON_SYNTAX},
    {"non-string key", "{1:2}", KG_ERR_JSON_SYNTAX},
    {"non-string key", "{true:2}", KG_ERR_JSON_SYNTAX},
    {"non-string key", "{{}:1}", KG_ERR_JSON_SYNTAX},
    {"non-string key", "{[]:1}", KG_ERR_JSON_SYNTAX},
    {"bare word", "tomato", KG_ERR_JSON_SYNTAX},
    {"bare word", "[nul]", KG_ERR_JSON_SYNTAX},
    {"bare word", "True", KG_ERR_JSON_SYNTAX},
    {"bare word", "nulll", KG_ERR_JSON_SYNTAX},
    {"bare word", "NaN", KG_ERR_JSON_SYNTAX},
    {"bare word", "'s'", KG_ERR_JSON_SYNTAX},
    {"bare word", "t\"x\"", KG_ERR_JSON_SYNTAX},
    {"bad number", "01", KG_ERR_JSON_SYNTAX},
    {"bad number", "-", KG_ERR_JSON_SYNTAX},
    {"bad number", "+1", KG_ERR_JSON_SYNTAX},
    {"bad number", "--1", KG_ERR_JSON_SYNTAX},
    {"bad number", "1.", KG_ERR_JSON_SYNTAX},
    {"bad number", ".5", KG_ERR_JSON_SYNTAX},
    {"bad number", "1e", KG_ERR_JSON_SYNTAX},
    {"bad number", "1e+", KG_ERR_JSON_SYNTAX},
    {"bad number", "1.5x", KG_ERR_JSON_SYNTAX},
    {"bad number", "0x10", KG_ERR_JSON_SYNTAX},
    {"missing comma", "{\"a\":1 \"b\":2}", KG_ERR_JSON_SYNTAX},
    {"missing comma", "[1 2]", KG_ERR_JSON_SYNTAX},
    {"missing comma", "[\"a\"\"b\"]", KG_ERR_JSON_SYNTAX},
    {"missing comma", "[{}{}]", KG_ERR_JSON_SYNTAX},
    {"missing colon", "{\"a\" 1}", KG_ERR_JSON_SYNTAX},
    {"colon out of place", "{\"a\":1:2}", KG_ERR_JSON_SYNTAX},
    {"colon out of place", "[\"a\":1]", KG_ERR_JSON_SYNTAX},
    {"colon out of place", "[1:2]", KG_ERR_JSON_SYNTAX},
    {"comma for colon", "{\"a\",1}", KG_ERR_JSON_SYNTAX},
    {"well formed", "[1,-2.5e+3,0,-0,0.0,1E9,1e-2,true,false,null,\"s\",{},[]]", KG_OK},
    {"well formed", " { \"a\" : [ 1 , { \"b\" : null } ] ,\t\"c\" :\r\n\"d\" } ", KG_OK},
    {"well formed", "{\"y\":{\"z\":[[],[{}]]},\"w\":-0.5E-07}", KG_OK},
};

/* The document with V as the value of x, of s (a decoded string field: a
 * syntax error comes before its type), or alone as the root. */
static kg_err_t strict_case(const char *fmt, const char *value, bool decode)
{
    char src[256];
    small_t o;
    kg_err_t err;

    snprintf(src, sizeof src, fmt, value);
    err = decode ? decode_small(src, &o, NULL) : parse(src);
    if (err == KG_ERR_JSON_SYNTAX) KG_CHECK_EQ(doc.count, 0);
    return err == KG_ERR_JSON_TYPE ? KG_OK : err; /* {"s":1} is a well-formed type error */
}

static void strict_prefixes(const char *fmt, const char *value)
{
    char src[256];
    int full = snprintf(src, sizeof src, fmt, value);

    for (int n = 0; n < full; n++) {
        char *p = malloc((size_t)n + 1);
        memcpy(p, src, (size_t)n);
        KG_CHECK(kg_json_parse(&doc, p, (size_t)n) != KG_OK);
        free(p);
    }
}

static void test_strictness_table(void)
{
    static const char *const shapes[] = {"{\"x\":%s}", "{\"i\":1,\"x\":%s,\"n\":2}", "{\"s\":%s}",
                                         "{\"o\":{\"x\":%s}}", "{\"a\":[%s]}"};

    for (size_t c = 0; c < sizeof strict_cases / sizeof strict_cases[0]; c++) {
        for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
            kg_err_t p = strict_case(shapes[k], strict_cases[c].value, false);
            kg_err_t d = strict_case(shapes[k], strict_cases[c].value, true);
            if (p != strict_cases[c].want || d != strict_cases[c].want)
                fprintf(stderr, "  %s: %s in %s\n", strict_cases[c].rule, strict_cases[c].value,
                        shapes[k]);
            KG_CHECK_ERR(p, strict_cases[c].want);
            KG_CHECK_ERR(d, strict_cases[c].want);
            if (strict_cases[c].want == KG_OK) strict_prefixes(shapes[k], strict_cases[c].value);
        }
        if (strict_cases[c].value[0] == '{') /* the object itself as the root */
            KG_CHECK_ERR(strict_case("%s", strict_cases[c].value, false), strict_cases[c].want);
    }
}

/* Literals and numbers in decoded fields: a type or range error, not a value. */
static void test_bare_words(void)
{
    small_t o;
    int bad;

    KG_CHECK_ERR(decode_small("{\"i\":true}", &o, &bad), KG_ERR_JSON_TYPE);
    KG_CHECK_EQ(bad, 1);
    KG_CHECK_ERR(decode_small("{\"i\":1.5}", &o, &bad), KG_ERR_JSON_RANGE);
    KG_CHECK_ERR(decode_small("{\"i\":1e3}", &o, &bad), KG_ERR_JSON_RANGE);
    KG_CHECK_ERR(decode_small("{\"s\":false}", &o, &bad), KG_ERR_JSON_TYPE);
    KG_CHECK_ERR(decode_small("{\"n\":null}", &o, &bad), KG_OK); /* null is absent */
    KG_CHECK_ERR(decode_small("{\"i\":abc}", &o, &bad), KG_ERR_JSON_SYNTAX);
    KG_CHECK_EQ(bad, -1);
}

/* {"a":[0,0,...]} uses 3 tokens plus one per element. */
static size_t build_array(size_t elements)
{
    size_t n = 0;

    n += (size_t)sprintf(text, "{\"a\":[");
    for (size_t i = 0; i < elements; i++)
        n += (size_t)sprintf(text + n, "%s", i ? ",0" : "0");
    n += (size_t)sprintf(text + n, "]}");
    return n;
}

static void test_too_many_tokens(void)
{
    small_t o;
    size_t n = build_array(CONFIG_KGIOT_JSON_TOKENS - 3);

    KG_CHECK_ERR(kg_json_parse(&doc, text, n), KG_OK);
    KG_CHECK_EQ(doc.count, CONFIG_KGIOT_JSON_TOKENS);
    n = build_array(CONFIG_KGIOT_JSON_TOKENS - 2);
    KG_CHECK_ERR(kg_json_parse(&doc, text, n), KG_ERR_JSON_TOKENS);
    KG_CHECK_ERR(kg_json_decode(&doc, text, n, small_fields, 3, &o, NULL), KG_ERR_JSON_TOKENS);
}

/* Every proper prefix of a valid document is an error, never OK nor a crash.
 * Each prefix sits in a buffer of exactly its size, so the sanitizer build
 * catches any read past len. */
static void test_truncated_at_every_byte(void)
{
    static const char *const docs[] = {
        reference_reply,
        "{\"s\":\"\\ud83c\\udfa4\",\"o\":{\"k\":[1,-2,true,null,{}]},\"i\":\"-9\",\"n\":1}",
    };

    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        size_t full = strlen(docs[d]);
        for (size_t n = 0; n < full; n++) {
            char *p = malloc(n ? n : 1);
            reply_t r;
            memcpy(p, docs[d], n);
            KG_CHECK(kg_json_parse(&doc, p, n) != KG_OK);
            memset(&r, 0, sizeof r);
            KG_CHECK(kg_json_decode(&doc, p, n, reply_fields, NFIELDS, &r, NULL) != KG_OK);
            free(p);
        }
    }
}

static void test_decode_args(void)
{
    small_t o;
    int bad = 99;
    kg_json_field_t many[33];

    for (size_t i = 0; i < 33; i++)
        many[i] = small_fields[0];
    load("{}");
    KG_CHECK_ERR(kg_json_decode(NULL, text, 2, small_fields, 3, &o, &bad), KG_ERR_ARG);
    KG_CHECK_EQ(bad, -1);
    KG_CHECK_ERR(kg_json_decode(&doc, text, 2, small_fields, 3, NULL, &bad), KG_ERR_ARG);
    KG_CHECK_ERR(kg_json_decode(&doc, text, 2, NULL, 3, &o, &bad), KG_ERR_ARG);
    KG_CHECK_ERR(kg_json_decode(&doc, text, 2, many, 33, &o, &bad), KG_ERR_ARG);
    KG_CHECK_ERR(kg_json_decode(&doc, text, 2, many, 32, &o, &bad), KG_OK);
    KG_CHECK_ERR(kg_json_decode(&doc, text, 2, NULL, 0, &o, &bad), KG_OK);
}

/* ---- Writer ---- */

static const char tricky[] = "a\"b\\c\nd\r\te\b\f\x01\x1f\x7f \xE6\x88\x90\xF0\x9F\x8E\xA4/";
static const char tricky_json[] = "\"a\\\"b\\\\c\\nd\\r\\te\\b\\f\\u0001\\u001f\x7f "
                                  "\xE6\x88\x90\xF0\x9F\x8E\xA4/\"";

static kg_err_t write_sample(char *buf, size_t cap, size_t *len)
{
    kg_json_writer_t w;

    kg_json_begin(&w, buf, cap);
    kg_json_add_str(&w, "appid", tricky);
    kg_json_add_int(&w, "min", INT64_MIN);
    kg_json_add_int(&w, "max", INT64_MAX);
    kg_json_add_int(&w, "zero", 0);
    kg_json_add_str(&w, "k\"ey\n", "");
    return kg_json_end(&w, len);
}

static void test_writer_output(void)
{
    char buf[256];
    char want[256];
    size_t len = 0;

    snprintf(want, sizeof want,
             "{\"appid\":%s,\"min\":-9223372036854775808,\"max\":9223372036854775807,"
             "\"zero\":0,\"k\\\"ey\\n\":\"\"}",
             tricky_json);
    KG_CHECK_ERR(write_sample(buf, sizeof buf, &len), KG_OK);
    KG_CHECK_STR(buf, want);
    KG_CHECK_EQ(len, strlen(want));
}

static void test_writer_round_trip(void)
{
    char buf[256];
    size_t len;
    const char *s;
    int64_t v;

    KG_CHECK_ERR(write_sample(buf, sizeof buf, &len), KG_OK);
    KG_CHECK_ERR(kg_json_parse(&doc, buf, len), KG_OK);
    KG_CHECK_ERR(kg_json_string(&doc, kg_json_find(&doc, 0, "appid"), &s, NULL), KG_OK);
    KG_CHECK_STR(s, tricky);
    KG_CHECK_ERR(kg_json_int(&doc, kg_json_find(&doc, 0, "min"), &v), KG_OK);
    KG_CHECK(v == INT64_MIN);
    KG_CHECK_ERR(kg_json_int(&doc, kg_json_find(&doc, 0, "max"), &v), KG_OK);
    KG_CHECK(v == INT64_MAX);
    KG_CHECK_ERR(kg_json_int(&doc, kg_json_find(&doc, 0, "zero"), &v), KG_OK);
    KG_CHECK_EQ(v, 0);
    /* A key written with escapes is found by what it means. */
    KG_CHECK_EQ(kg_json_find(&doc, 0, "k\"ey\n"), doc.count - 1);
}

static void test_writer_no_space_at_every_capacity(void)
{
    char full[256];
    size_t needed;

    KG_CHECK_ERR(write_sample(full, sizeof full, &needed), KG_OK);
    needed += 1; /* the NUL */
    for (size_t cap = 0; cap <= needed; cap++) {
        char buf[300];
        size_t len = 99;
        memset(buf, '#', sizeof buf);
        kg_err_t err = write_sample(buf, cap, &len);
        KG_CHECK_ERR(err, cap < needed ? KG_ERR_NO_SPACE : KG_OK);
        KG_CHECK_EQ(len, cap < needed ? 0 : needed - 1);
        for (size_t i = cap; i < sizeof buf; i++) {
            if (buf[i] != '#') {
                KG_CHECK_EQ(i, cap); /* reports the first overwritten byte */
                break;
            }
        }
        if (cap > 0 && cap < needed)
            KG_CHECK_EQ(buf[0], '\0'); /* no half object that looks usable */
    }
}

static void test_writer_errors_stick(void)
{
    kg_json_writer_t w;
    char buf[16];

    kg_json_begin(&w, buf, sizeof buf);
    kg_json_add_str(&w, "k", "0123456789abcdef");
    KG_CHECK_ERR(w.err, KG_ERR_NO_SPACE);
    kg_json_add_str(&w, "a", NULL); /* a later error does not replace the first */
    kg_json_add_int(&w, "i", 1);
    KG_CHECK_ERR(kg_json_end(&w, NULL), KG_ERR_NO_SPACE);

    kg_json_begin(&w, buf, sizeof buf);
    kg_json_add_str(&w, NULL, "v");
    kg_json_add_str(&w, "k", "v");
    KG_CHECK_ERR(kg_json_end(&w, NULL), KG_ERR_ARG);
    kg_json_begin(&w, buf, sizeof buf);
    kg_json_add_int(&w, NULL, 1);
    KG_CHECK_ERR(kg_json_end(&w, NULL), KG_ERR_ARG);
    kg_json_begin(&w, NULL, 10);
    KG_CHECK_ERR(kg_json_end(&w, NULL), KG_ERR_ARG);
    KG_CHECK_ERR(kg_json_end(NULL, NULL), KG_ERR_ARG);

    kg_json_begin(&w, buf, sizeof buf);
    KG_CHECK_ERR(kg_json_end(&w, NULL), KG_OK);
    KG_CHECK_STR(buf, "{}");
}

/* Inputs the fuzzer (tests/fuzz/fuzz_json.c) found troublesome. */
static void test_fuzz_regressions(void)
{
    small_t o;
    int bad = 99;

    /* A syntax error after a decoded field used to report that field as bad. */
    KG_CHECK_ERR(decode_small("{\"i\":1,\"x\":\"a\":\"\"}", &o, &bad), KG_ERR_JSON_SYNTAX);
    KG_CHECK_EQ(bad, -1);
    bad = 99;
    KG_CHECK_ERR(decode_small(" {\"error_code\":40001,\"error_msgrror_code\":40001,\"error_msg\":"
                              "\"invalccess_token\":\"\"}\r\n",
                              &o, &bad),
                 KG_ERR_JSON_SYNTAX);
    KG_CHECK_EQ(bad, -1);
}

/* A server may spell keys with escapes ("access\u005Ftoken"); they still name the field. */
static void test_decode_escaped_keys(void)
{
    typedef struct {
        char access_token[16];
        int64_t expires_in;
    } esc_t;
    esc_t out = {{0}, 0};
    const kg_json_field_t fields[] = {
        KG_JSON_FIELD_STR(esc_t, access_token, "access_token", 1),
        KG_JSON_FIELD_I64(esc_t, expires_in, "expires_in", 1),
    };
    char body[] = "{\"x\\u005Fy\":1,\"access\\u005Ftoken\":\"AT\",\"expires\\u005fin\":\"7200\"}";
    KG_CHECK_ERR(kg_json_decode(&doc, body, strlen(body), fields, 2, &out, NULL), KG_OK);
    KG_CHECK_STR(out.access_token, "AT");
    KG_CHECK_EQ(out.expires_in, 7200);
    KG_CHECK(kg_json_find(&doc, 0, "access_token") > 0);
    KG_CHECK_EQ(kg_json_find(&doc, 0, "x_z"), -1);
}

/* The writer's digits come from 32/16/16-bit division steps: check them
 * against printf next to every power of two and of ten. */
static void check_int_written(int64_t v)
{
    char buf[64], want[64];
    kg_json_writer_t w;

    kg_json_begin(&w, buf, sizeof buf);
    kg_json_add_int(&w, "v", v);
    KG_CHECK_ERR(kg_json_end(&w, NULL), KG_OK);
    snprintf(want, sizeof want, "{\"v\":%lld}", (long long)v);
    KG_CHECK_STR(buf, want);
}

static void test_writer_int_digits(void)
{
    int64_t ten = 1;

    for (int k = 0; k < 63; k++) {
        int64_t p = (int64_t)1 << k;
        check_int_written(p - 1);
        check_int_written(p);
        check_int_written(p + 1);
        check_int_written(-p);
        check_int_written(-p - 1);
    }
    for (;;) {
        check_int_written(ten - 1);
        check_int_written(ten);
        check_int_written(-ten);
        if (ten > INT64_MAX / 10) break;
        ten *= 10;
    }
    check_int_written(INT64_MAX - 1);
}

/* A key kg_json_string() decoded in place is compared as it now reads,
 * never decoded a second time. */
static void test_find_after_key_decoded_in_place(void)
{
    const char *s;

    KG_CHECK_ERR(parse("{\"a\\\\u0041\":1}"), KG_OK); /* the key is a\u0041 */
    KG_CHECK_EQ(kg_json_find(&doc, 0, "a\\u0041"), 2);
    KG_CHECK_ERR(kg_json_string(&doc, 1, &s, NULL), KG_OK);
    KG_CHECK_STR(s, "a\\u0041");
    KG_CHECK_EQ(kg_json_find(&doc, 0, "a\\u0041"), 2);
    KG_CHECK_EQ(kg_json_find(&doc, 0, "aA"), -1);
}

/* A string field that fails is "", even after an earlier duplicate filled it. */
static void test_failed_string_field_is_empty(void)
{
    small_t o;
    int bad;

    KG_CHECK_ERR(decode_small("{\"s\":\"ok\",\"s\":\"12345678\"}", &o, &bad), KG_ERR_JSON_TOO_LONG);
    KG_CHECK_STR(o.s, "");
    KG_CHECK_ERR(decode_small("{\"s\":\"ok\",\"s\":\"12345678\\n\"}", &o, &bad),
                 KG_ERR_JSON_TOO_LONG);
    KG_CHECK_STR(o.s, "");
    KG_CHECK_ERR(decode_small("{\"s\":\"ok\",\"s\":\"\\udfa4\"}", &o, &bad), KG_ERR_JSON_ESCAPE);
    KG_CHECK_STR(o.s, "");
    KG_CHECK_ERR(decode_small("{\"s\":\"ok\",\"s\":7}", &o, &bad), KG_ERR_JSON_TYPE);
    KG_CHECK_STR(o.s, "");
    KG_CHECK_EQ(bad, 0);
}

int main(void)
{
    KG_RUN(test_reference_reply);
    KG_RUN(test_numeric_strings);
    KG_RUN(test_find_and_string);
    KG_RUN(test_empty_key_and_string);
    KG_RUN(test_every_escape);
    KG_RUN(test_bad_escapes);
    KG_RUN(test_escape_in_decode);
    KG_RUN(test_integers);
    KG_RUN(test_int_after_string);
    KG_RUN(test_i32_range);
    KG_RUN(test_unknown_fields_of_every_type);
    KG_RUN(test_nested_key_does_not_satisfy_required);
    KG_RUN(test_type_errors);
    KG_RUN(test_null_is_absent);
    KG_RUN(test_missing_required);
    KG_RUN(test_too_long);
    KG_RUN(test_key_matching);
    KG_RUN(test_duplicate_keys);
    KG_RUN(test_syntax);
    KG_RUN(test_strictness_table);
    KG_RUN(test_bare_words);
    KG_RUN(test_too_many_tokens);
    KG_RUN(test_truncated_at_every_byte);
    KG_RUN(test_decode_args);
    KG_RUN(test_writer_output);
    KG_RUN(test_writer_round_trip);
    KG_RUN(test_writer_no_space_at_every_capacity);
    KG_RUN(test_writer_errors_stick);
    KG_RUN(test_fuzz_regressions);
    KG_RUN(test_decode_escaped_keys);
    KG_RUN(test_writer_int_digits);
    KG_RUN(test_find_after_key_decoded_in_place);
    KG_RUN(test_failed_string_field_is_empty);
    return kg_test_summary();
}
