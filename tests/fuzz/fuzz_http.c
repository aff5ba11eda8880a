/*
 * fuzz_http.c - libFuzzer target for the HTTP response parser.
 *
 * Input: a reply, optionally preceded by a control prefix (first byte below
 * 0x20): bits 0-2 the number k of piece-size bytes, bit 3 "reply to HEAD",
 * bit 4 "peer closes at the end"; then a byte giving the buffer size
 * (32 + 8 * b), then the k piece sizes. Without a prefix (a raw reply such as
 * the seed token_response.http) pieces cycle through fixed sizes.
 *
 * The reply is parsed twice, in those pieces and whole, into heap buffers of
 * exactly cap bytes, keeping three headers: the sanitizers catch any overrun,
 * and the two outcomes (kept header values included) must agree (the parser
 * may not depend on how the bytes were split).
 * One exception: bytes after a complete reply clear keep_alive, and whether
 * they are seen depends on when they arrive, so keep_alive is not compared
 * when either parse had such bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kg_http.h"

typedef struct {
    const uint8_t *reply;
    size_t len, cap;
    bool no_body, eof;
    uint8_t sizes[8];
    size_t n_sizes;
} plan_t;

typedef struct {
    kg_err_t err;
    int status;
    bool keep_alive, done, trailing;
    size_t body_len;
    uint32_t body_hash, header_hash;
} outcome_t;

/* Kept in every parse: their values must not depend on the split either. */
static const char *const kept[] = {"content-type", "X", "Date", NULL};

static uint32_t hash(uint32_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = h * 31u + (uint8_t)p[i];
    return h;
}

static void read_plan(const uint8_t *data, size_t size, plan_t *p)
{
    static const uint8_t fixed[] = {1, 7, 2, 64, 3};
    memset(p, 0, sizeof(*p));
    if (size >= 2 && data[0] < 0x20 && size >= 2u + (data[0] & 7u)) {
        p->n_sizes = data[0] & 7u;
        p->no_body = (data[0] & 8u) != 0;
        p->eof = (data[0] & 16u) != 0;
        p->cap = 32 + 8 * (size_t)data[1];
        memcpy(p->sizes, data + 2, p->n_sizes);
        p->reply = data + 2 + p->n_sizes;
        p->len = size - 2 - p->n_sizes;
    } else {
        memcpy(p->sizes, fixed, sizeof(fixed));
        p->n_sizes = sizeof(fixed);
        p->cap = 2048;
        p->reply = data;
        p->len = size;
    }
}

static kg_err_t feed_piece(kg_http_resp_t *r, const uint8_t *data, size_t len, size_t *fed)
{
    while (len > 0) {
        size_t space;
        char *at = kg_http_resp_space(r, &space);
        if (space == 0) return kg_http_resp_feed(r, 0);
        size_t k = len < space ? len : space;
        memcpy(at, data, k);
        kg_err_t err = kg_http_resp_feed(r, k);
        if (err != KG_OK) return err;
        if (r->used > r->cap || r->head_len + r->body_len > r->cap) abort();
        *fed += k;
        data += k;
        len -= k;
    }
    return KG_OK;
}

static void finish(kg_http_resp_t *r, kg_err_t err, bool trailing, outcome_t *o)
{
    memset(o, 0, sizeof(*o));
    o->err = err;
    if (err != KG_OK) return;
    o->trailing = trailing;
    o->status = r->status;
    o->keep_alive = r->keep_alive;
    o->done = r->done;
    size_t n, vlen;
    const char *body = kg_http_resp_body(r, &n);
    o->body_len = n;
    o->body_hash = hash(0, body, n);
    for (size_t i = 0; kept[i] != NULL && r->head_done; i++) {
        const char *v = kg_http_resp_header(r, kept[i], &vlen);
        if (v != NULL && (v < r->buf || v + vlen > r->buf + r->head_len)) abort();
        o->header_hash = v != NULL ? hash(o->header_hash + 1, v, vlen) : o->header_hash * 7u;
    }
    if (kg_http_resp_header(r, "Server", &vlen) != NULL) abort(); /* not kept */
}

static void parse(const plan_t *p, bool whole, outcome_t *o)
{
    char *buf = malloc(p->cap);
    kg_http_resp_t r;
    kg_err_t err = KG_OK;
    size_t off = 0, i = 0, fed = 0;
    kg_http_resp_init(&r, buf, p->cap, p->no_body);
    kg_http_resp_keep(&r, kept);
    while (err == KG_OK && off < p->len) {
        size_t n = whole ? p->len : (p->n_sizes ? p->sizes[i++ % p->n_sizes] : 1);
        if (n == 0) n = 1;
        if (n > p->len - off) n = p->len - off;
        err = feed_piece(&r, p->reply + off, n, &fed);
        off += n;
    }
    if (err == KG_OK && p->eof) err = kg_http_resp_eof(&r);
    finish(&r, err, r.done && (fed < p->len || r.used > r.pos), o);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plan_t plan;
    outcome_t pieces, whole;
    read_plan(data, size, &plan);
    parse(&plan, false, &pieces);
    parse(&plan, true, &whole);
    if (pieces.trailing || whole.trailing) {
        pieces.keep_alive = whole.keep_alive = false;
        pieces.trailing = whole.trailing = false;
    }
    if (memcmp(&pieces, &whole, sizeof(whole)) != 0) abort();
    return 0;
}
