/*
 * kg_json.h - read a JSON reply in place, write a JSON request body.
 *
 * Reading: the body is tokenized with jsmn (zero copy: tokens are offsets into
 * the caller's buffer). Strings are unescaped in place, \uXXXX and surrogate
 * pairs become UTF-8, and each decoded string is NUL-terminated inside the
 * buffer (the closing quote makes room), so lookups hand out plain C strings
 * that point into the body. Integers are accepted as JSON numbers or numeric
 * strings ("7200"), overflow is an error. Unknown fields are ignored.
 * A key spelled with escapes ("access\u005Ftoken") matches its plain
 * spelling (keys up to 47 bytes decoded). A duplicated key: the last one wins, in lookups and
 * decoding.
 *
 * Decoding into a struct: describe the fields once in a kg_json_field_t
 * table and call kg_json_decode(); one pass over the object's keys fills in
 * every known field. Strings are copied into caller-sized char arrays; a value
 * longer than its array is KG_ERR_JSON_TOO_LONG, never a truncation.
 *
 * Writing: kg_json_writer_t appends to a bounded buffer with correct escaping;
 * the first error sticks and is returned by kg_json_end().
 *
 * No I/O, no heap. Sizes come from Kconfig (CONFIG_KGIOT_JSON_TOKENS).
 */
#ifndef KG_JSON_H
#define KG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kg_config.h"
#include "kg_err.h"

/* Every token records its parent: jsmn then closes a member in one step
 * instead of searching back through the tokens (about 840 of ~9,300 x86-64
 * instructions on the reference reply, and ~100 bytes less code), for 4 more
 * bytes per token. Whoever includes jsmn.h must agree on this. */
#ifndef JSMN_PARENT_LINKS
#define JSMN_PARENT_LINKS
#endif
#define JSMN_HEADER
#include <jsmn.h>

_Static_assert(sizeof(jsmntok_t) == 5 * sizeof(int),
               "jsmn.h was included without JSMN_PARENT_LINKS before kg_json.h");

/* A tokenized document; the text stays in the caller's buffer. */
typedef struct {
    char *text;
    size_t len;
    int count; /* tokens used; tok[0] is the root */
    jsmntok_t tok[CONFIG_KGIOT_JSON_TOKENS];
} kg_json_doc_t;

/* Tokenize text[0..len). The text must be one JSON object as RFC 8259's
 * grammar has it, nested values included (no trailing or doubled comma, one
 * colon per member, string keys, only true/false/null and JSON numbers as
 * bare values), with nothing but whitespace around it (a NUL counts as
 * junk). Not checked: raw control bytes and UTF-8 inside strings. On error
 * doc->count is 0. Errors: KG_ERR_ARG (NULL, or len > INT_MAX),
 * KG_ERR_JSON_SYNTAX (also for truncated text), KG_ERR_JSON_TOKENS. */
kg_err_t kg_json_parse(kg_json_doc_t *doc, char *text, size_t len);

/* Token index of the value of key in object token obj (0 is the root), or -1.
 * Only obj's own members are searched, never objects nested in them. A key
 * already decoded by kg_json_string() is compared as it now reads. */
int kg_json_find(const kg_json_doc_t *doc, int obj, const char *key);

/* The string at token t, unescaped in place and NUL-terminated; *out points
 * into the document; out_len may be NULL. Idempotent (a second call returns
 * the same string). A string that fails is left as it was.
 * Errors: KG_ERR_ARG (bad t), KG_ERR_JSON_TYPE (not a string),
 * KG_ERR_JSON_ESCAPE (bad escape, lone surrogate, or \u0000). */
kg_err_t kg_json_string(kg_json_doc_t *doc, int t, const char **out, size_t *out_len);

/* The integer at token t: a JSON integer or a string holding one ("-12"),
 * decimal digits with an optional '-'. Does not modify the text.
 * Errors: KG_ERR_ARG (bad t), KG_ERR_JSON_TYPE (object/array/bool/null),
 * KG_ERR_JSON_RANGE (empty, fraction, exponent, junk or overflow of int64_t). */
kg_err_t kg_json_int(kg_json_doc_t *doc, int t, int64_t *out);

/* ---- Decoding a flat object into a struct ---- */

typedef enum {
    KG_JSON_STR, /* char[cap] at offset: NUL-terminated copy */
    KG_JSON_I64, /* int64_t at offset */
    KG_JSON_I32, /* int32_t at offset (range-checked) */
} kg_json_kind_t;

/* Build tables with the macros below: they also store the key's length,
 * which the one-pass decoder compares before any bytes. The key must be a
 * string literal (anything else does not compile). */
typedef struct {
    const char *key;
    uint8_t kind;     /* kg_json_kind_t */
    uint8_t required; /* absent -> KG_ERR_JSON_MISSING */
    uint16_t offset;  /* offsetof(struct, member) */
    uint16_t cap;     /* sizeof the char array (KG_JSON_STR only) */
    uint16_t key_len; /* strlen(key) */
} kg_json_field_t;

/* clang-format 14 would break these initializers apart. */
/* clang-format off */
#define KG_JSON_KEY_LEN_(key) (uint16_t)(sizeof("" key) - 1)
#define KG_JSON_FIELD_STR(type, member, key, req)                                                  \
    {(key), KG_JSON_STR, (req), (uint16_t)offsetof(type, member),                                  \
     (uint16_t)sizeof(((type *)0)->member), KG_JSON_KEY_LEN_(key)}
#define KG_JSON_FIELD_I64(type, member, key, req)                                                  \
    {(key), KG_JSON_I64, (req), (uint16_t)offsetof(type, member), 0, KG_JSON_KEY_LEN_(key)}
#define KG_JSON_FIELD_I32(type, member, key, req)                                                  \
    {(key), KG_JSON_I32, (req), (uint16_t)offsetof(type, member), 0, KG_JSON_KEY_LEN_(key)}
/* clang-format on */

/* Parse text as one object and fill out from the fields table (at most 32
 * fields). Only the root's own members are matched. Fields that are absent
 * keep what out held (so zero out first); null counts as absent. The text is
 * not modified (strings are decoded straight into out), and doc keeps the
 * tokens for further kg_json_find() calls. A string field is "" after a
 * failed decode; other fields may already be filled.
 * On error *bad_field (when not NULL) is the index of the field at fault, or -1.
 * Errors: KG_ERR_ARG, those of kg_json_parse(), KG_ERR_JSON_TYPE (a number
 * for a string field too), KG_ERR_JSON_RANGE (also an I32 out of range),
 * KG_ERR_JSON_ESCAPE, KG_ERR_JSON_TOO_LONG (string longer than cap - 1 bytes
 * after unescaping), KG_ERR_JSON_MISSING (a required field absent or null). */
kg_err_t kg_json_decode(kg_json_doc_t *doc, char *text, size_t len, const kg_json_field_t *fields,
                        size_t nfields, void *out, int *bad_field);

/* ---- Writing ---- */

typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    bool need_comma;
    kg_err_t err; /* first error, sticky */
} kg_json_writer_t;

/* Start an object "{" in buf[0..cap). A NULL buf is KG_ERR_ARG at the end,
 * as is a NULL key or value below. */
void kg_json_begin(kg_json_writer_t *w, char *buf, size_t cap);
/* "key":"escaped value": '"', '\\' and control characters are escaped (in
 * the key too); other bytes, UTF-8 included, are copied as they are. */
void kg_json_add_str(kg_json_writer_t *w, const char *key, const char *value);
/* "key":<value> */
void kg_json_add_int(kg_json_writer_t *w, const char *key, int64_t value);
/* Close the object "}" and NUL-terminate; *len (may be NULL) excludes the NUL.
 * Returns KG_ERR_NO_SPACE if anything did not fit; nothing is truncated
 * silently, and buf then holds "" (when cap > 0) and *len is 0. */
kg_err_t kg_json_end(kg_json_writer_t *w, size_t *len);

#endif
