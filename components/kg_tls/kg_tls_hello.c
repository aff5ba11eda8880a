/*
 * kg_tls_hello.c - see kg_tls_hello.h. A byte-at-a-time walk over the
 * fields of the first record: each step is a big-endian number of a fixed
 * size or a skip whose size the previous number gave.
 */
#include "kg_tls_hello.h"

#include <stdbool.h>

enum {
    REC_TYPE,     /* 1: 22, handshake */
    REC_SKIP,     /* 2: record version */
    REC_LEN,      /* 2 */
    HS_TYPE,      /* 1: 2, ServerHello */
    HS_LEN,       /* 3: the message must fit in the record */
    HELLO_SKIP,   /* 34: version + random */
    SID_LEN,      /* 1 */
    SID,          /* SID_LEN */
    SUITE_COMP,   /* 3: cipher suite + compression */
    EXT_LEN,      /* 2: only if the message goes on */
    EXT_TYPE,     /* 2 */
    EXT_BODY_LEN, /* 2 */
    EXT_BODY,     /* EXT_BODY_LEN, then the next extension or the end */
};

#define EXT_MAX_FRAGMENT_LENGTH 1u

static const uint8_t field_size[] = {1, 2, 2, 1, 3, 34, 1, 0, 3, 2, 2, 2, 0};

static bool is_number(uint8_t step)
{
    return step != REC_SKIP && step != HELLO_SKIP && step != SID && step != SUITE_COMP &&
           step != EXT_BODY;
}

static void conclude(kg_tls_hello_t *h, kg_tls_hello_verdict_t v)
{
    h->verdict = (uint8_t)v;
}

static void enter(kg_tls_hello_t *h, uint8_t step, uint32_t size);

/* After an extension (or the extensions' length): the one kg_tls asked
 * about, the end of the message, or the next extension. */
static void next_extension_or_end(kg_tls_hello_t *h)
{
    if (h->ext_type == EXT_MAX_FRAGMENT_LENGTH)
        conclude(h, KG_TLS_HELLO_AGREED);
    else if (h->ext_left == 0)
        conclude(h, h->msg_left == 0 ? KG_TLS_HELLO_ABSENT : KG_TLS_HELLO_UNKNOWN);
    else
        enter(h, EXT_TYPE, field_size[EXT_TYPE]);
}

/* The record and message headers: what they must say, and the bounds. */
static void check_header(kg_tls_hello_t *h, uint32_t v)
{
    bool fits = v + 4 <= h->msg_left;
    if ((h->step == REC_TYPE && v != 22) || (h->step == HS_TYPE && v != 2))
        conclude(h, KG_TLS_HELLO_UNKNOWN);
    else if (h->step == REC_LEN)
        h->msg_left = v; /* the record, until HS_LEN narrows it to the message */
    else if (h->step == HS_LEN && !fits)
        conclude(h, KG_TLS_HELLO_UNKNOWN); /* a ServerHello split over records: not read */
    else if (h->step == HS_LEN)
        h->msg_left = v;
}

/* Where the fixed part of the message may end it, or the extensions begin. */
static bool ends_here(kg_tls_hello_t *h, uint8_t step, uint32_t v)
{
    if (step == SUITE_COMP && h->msg_left == 0) {
        conclude(h, KG_TLS_HELLO_ABSENT); /* no extensions at all */
        return true;
    }
    if (step == EXT_LEN) {
        h->ext_left = v;
        next_extension_or_end(h);
        return true;
    }
    if (step == EXT_BODY) {
        next_extension_or_end(h);
        return true;
    }
    return false;
}

static void finish_field(kg_tls_hello_t *h)
{
    uint32_t v = h->value;
    uint8_t step = h->step;
    h->value = 0;
    if (step <= HS_LEN) check_header(h, v);
    if (step == EXT_TYPE) h->ext_type = (uint16_t)v;
    if (h->verdict != KG_TLS_HELLO_PENDING || ends_here(h, step, v)) return;
    uint8_t next = (uint8_t)(step + 1);
    enter(h, next, field_size[next] ? field_size[next] : v);
}

/* A field of size 0 (no session id, an empty extension) ends at once. */
static void enter(kg_tls_hello_t *h, uint8_t step, uint32_t size)
{
    h->step = step;
    h->left = size;
    if (size == 0) finish_field(h);
}

/* Bytes of the message (and of the extension block) are counted down:
 * a field running past either end is malformed. */
static bool count_byte(kg_tls_hello_t *h)
{
    if (h->step >= HELLO_SKIP && h->msg_left-- == 0) return false;
    if (h->step >= EXT_TYPE && h->ext_left-- == 0) return false;
    return true;
}

static void eat(kg_tls_hello_t *h, uint8_t b)
{
    if (!count_byte(h)) {
        conclude(h, KG_TLS_HELLO_UNKNOWN);
        return;
    }
    if (is_number(h->step)) h->value = h->value << 8 | b;
    if (--h->left == 0) finish_field(h);
}

void kg_tls_hello_start(kg_tls_hello_t *h)
{
    h->verdict = KG_TLS_HELLO_PENDING;
    h->value = 0;
    h->msg_left = h->ext_left = 0;
    h->ext_type = 0;
    enter(h, REC_TYPE, field_size[REC_TYPE]);
}

void kg_tls_hello_feed(kg_tls_hello_t *h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && h->verdict == KG_TLS_HELLO_PENDING; i++)
        eat(h, p[i]);
}

kg_tls_hello_verdict_t kg_tls_hello_verdict(const kg_tls_hello_t *h)
{
    return (kg_tls_hello_verdict_t)h->verdict;
}
