/*
 * kg_store_codec.c - the bodies of the records (format version 1).
 *
 * Token set:  u8 time_base, i64 app_expires_at, i64 expires_at, then
 *             app_token, app_refresh_token, access_token, refresh_token,
 *             openid, unionid, scope, each as a u16 length and its bytes;
 *             then u32 binding (a record written before bindings existed
 *             ends after scope and loads unbound, binding 0).
 * Secrets:    secret, appkey, each as a u16 length and its bytes.
 * Little-endian; strings without their NUL. Written byte by byte, never as
 * a memcpy of a struct, so the layout does not depend on the compiler.
 */
#include <string.h>

#include "kg_store_priv.h"

/* ---- Writing ---- */

typedef struct {
    uint8_t *p;
    uint32_t n;
} writer_t;

static void put_u8(writer_t *w, uint8_t v)
{
    w->p[w->n++] = v;
}

static void put_uint(writer_t *w, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        put_u8(w, (uint8_t)(v >> (8 * i)));
}

/* The string up to its NUL, at most cap - 1 bytes. */
static void put_str(writer_t *w, const char *s, size_t cap)
{
    uint32_t n = 0;
    while (n + 1 < cap && s[n])
        n++;
    put_uint(w, n, 2);
    memcpy(w->p + w->n, s, n);
    w->n += n;
}

#define PUT_STR(w, field) put_str(w, field, sizeof field)

uint32_t kgst_encode_tokens(uint8_t *body, const void *tokens)
{
    const kg_tokens_t *t = tokens;
    writer_t w = {body, 0};
    put_u8(&w, t->time_base);
    put_uint(&w, (uint64_t)t->app_expires_at, 8);
    put_uint(&w, (uint64_t)t->expires_at, 8);
    PUT_STR(&w, t->app_token);
    PUT_STR(&w, t->app_refresh_token);
    PUT_STR(&w, t->access_token);
    PUT_STR(&w, t->refresh_token);
    PUT_STR(&w, t->openid);
    PUT_STR(&w, t->unionid);
    PUT_STR(&w, t->scope);
    put_uint(&w, t->binding, 4);
    return w.n;
}

uint32_t kgst_encode_secrets(uint8_t *body, const void *secrets)
{
    const kg_secrets_t *s = secrets;
    writer_t w = {body, 0};
    PUT_STR(&w, s->secret);
    PUT_STR(&w, s->appkey);
    return w.n;
}

/* ---- Reading ---- */

typedef struct {
    const uint8_t *p;
    uint32_t len, pos;
    bool ok; /* false once anything ran past the end or did not fit */
} reader_t;

static uint64_t get_uint(reader_t *r, int bytes)
{
    uint64_t v = 0;
    if (r->len - r->pos < (uint32_t)bytes) {
        r->ok = false;
        return 0;
    }
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->pos++] << (8 * i);
    return v;
}

/* A stored string must fit its array with the NUL (dst is zeroed). */
static void get_str(reader_t *r, char *dst, size_t cap)
{
    const uint32_t n = (uint32_t)get_uint(r, 2);
    if (!r->ok || n >= cap || r->len - r->pos < n) {
        r->ok = false;
        return;
    }
    memcpy(dst, r->p + r->pos, n);
    r->pos += n;
}

#define GET_STR(r, field) get_str(r, field, sizeof field)

/* The body must be used up exactly. */
static bool finished(const reader_t *r)
{
    return r->ok && r->pos == r->len;
}

bool kgst_decode_tokens(const uint8_t *body, uint32_t len, void *tokens)
{
    kg_tokens_t *t = tokens;
    reader_t r = {body, len, 0, true};
    memset(t, 0, sizeof *t);
    t->time_base = (uint8_t)get_uint(&r, 1);
    t->app_expires_at = (int64_t)get_uint(&r, 8);
    t->expires_at = (int64_t)get_uint(&r, 8);
    GET_STR(&r, t->app_token);
    GET_STR(&r, t->app_refresh_token);
    GET_STR(&r, t->access_token);
    GET_STR(&r, t->refresh_token);
    GET_STR(&r, t->openid);
    GET_STR(&r, t->unionid);
    GET_STR(&r, t->scope);
    if (r.ok && r.pos == r.len) return true; /* unbound: written before bindings */
    t->binding = (uint32_t)get_uint(&r, 4);
    return finished(&r);
}

bool kgst_decode_secrets(const uint8_t *body, uint32_t len, void *secrets)
{
    kg_secrets_t *s = secrets;
    reader_t r = {body, len, 0, true};
    memset(s, 0, sizeof *s);
    GET_STR(&r, s->secret);
    GET_STR(&r, s->appkey);
    return finished(&r);
}
