/*
 * fuzz_json.c - libFuzzer target for kg_json: decode any bytes with a
 * token-reply field table, then read every token as a string and as an
 * integer, and round-trip the input through the writer. Aborts on any broken
 * promise of kg_json.h; the sanitizers catch the rest.
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

    memcpy(text, data, size);
    if (kg_json_parse(&doc, text, size) != KG_OK) return;
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
