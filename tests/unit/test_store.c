/*
 * test_store.c - kg_store's format and API, and the posix flash emulation
 * it is tested on: CRC-32, set-up checks, round trips, saves that change
 * nothing, secrets apart from tokens, blank / foreign / garbage regions,
 * bit flips caught by the CRC, torn data never programmed over, a damaged
 * copy that must not cost the only good one, and the emulation's NOR
 * semantics, power cut and file backing.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kg_flash_file.h"
#include "kg_store.h"
#include "kg_store_priv.h"
#include "kg_test.h"

#define REGION_MAX (4 * 4096)

static uint8_t image[REGION_MAX], saved_image[REGION_MAX];
static kg_flash_file_t ff;
static kg_store_t st;
static uint32_t g_size, g_count, g_unit;

static size_t region(void)
{
    return (size_t)g_size * g_count;
}

/* Power on over the image as it stands (strict: a program that would set a
 * bit fails, so any attempt shows). */
static void boot(void)
{
    KG_CHECK_ERR(kg_flash_file_init(&ff, image, g_size, g_count, g_unit, NULL), KG_OK);
    KG_CHECK_ERR(kg_store_init(&st, &ff.flash), KG_OK);
    ff.strict = true;
}

/* A blank part of this geometry, booted. */
static void blank(uint32_t size, uint32_t count, uint32_t unit)
{
    g_size = size;
    g_count = count;
    g_unit = unit;
    memset(image, 0xFF, sizeof image);
    boot();
}

static void make_tokens(kg_tokens_t *t, int n)
{
    memset(t, 0, sizeof *t);
    snprintf(t->app_token, sizeof t->app_token, "APPTOK-%d-abcdefghijklmnopqrstuvwxyz", n);
    snprintf(t->app_refresh_token, sizeof t->app_refresh_token, "APPREF-%d", n);
    snprintf(t->access_token, sizeof t->access_token, "ACCTOK-%d-0123456789abcdef0123456789", n);
    snprintf(t->refresh_token, sizeof t->refresh_token, "REFTOK-%d-fedcba9876543210", n);
    snprintf(t->openid, sizeof t->openid, "OPENID-%d", n);
    snprintf(t->unionid, sizeof t->unionid, "UNIONID-%d", n);
    snprintf(t->scope, sizeof t->scope, "user_info,song_list");
    t->app_expires_at = 1795777200 + n;
    t->expires_at = 1795784400 + n;
    t->time_base = KG_TIME_BASE_PORT;
}

static bool tokens_are(const kg_tokens_t *want)
{
    kg_tokens_t got;
    kg_err_t err = kg_store_load_tokens(&st, &got);
    if (err != KG_OK) fprintf(stderr, "  load: %s\n", kg_err_name(err));
    return err == KG_OK && memcmp(&got, want, sizeof got) == 0;
}

static void make_secrets(kg_secrets_t *s, int n)
{
    memset(s, 0, sizeof *s);
    snprintf(s->secret, sizeof s->secret, "SECRET-%d-5ec7e7", n);
    snprintf(s->appkey, sizeof s->appkey, "APPKEY-%d", n);
}

static bool secrets_are(const kg_secrets_t *want)
{
    kg_secrets_t got;
    return kg_store_load_secrets(&st, &got) == KG_OK && memcmp(&got, want, sizeof got) == 0;
}

/* Bytes that differ between saved_image and image: [*first, *last]. */
static bool changed_range(size_t *first, size_t *last)
{
    bool any = false;
    for (size_t i = 0; i < region(); i++) {
        if (image[i] == saved_image[i]) continue;
        if (!any) *first = i;
        *last = i;
        any = true;
    }
    return any;
}

/* ---- CRC and set-up ---- */

static void test_crc32(void)
{
    KG_CHECK_EQ(kg_store_crc32(0, "123456789", 9), 0xCBF43926u);
    KG_CHECK_EQ(kg_store_crc32(0, "", 0), 0);
    KG_CHECK_EQ(kg_store_crc32(kg_store_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

/* The body carries the binding last; a body written before bindings
 * existed ends after scope and decodes unbound; anything else fails. */
static void test_binding_in_the_body(void)
{
    static kg_tokens_t t, got;
    static uint8_t body[KG_STORE_TOKENS_BODY_MAX];
    memset(&t, 0, sizeof t);
    snprintf(t.access_token, sizeof t.access_token, "A");
    t.binding = 0xA1B2C3D4u;
    const uint32_t len = kgst_encode_tokens(body, &t);
    KG_CHECK(kgst_decode_tokens(body, len, &got));
    KG_CHECK_EQ(got.binding, 0xA1B2C3D4u);
    KG_CHECK_STR(got.access_token, "A");
    KG_CHECK(kgst_decode_tokens(body, len - 4, &got)); /* an older record */
    KG_CHECK_EQ(got.binding, 0);
    KG_CHECK_STR(got.access_token, "A");
    for (uint32_t cut = 1; cut < 4; cut++)
        KG_CHECK(!kgst_decode_tokens(body, len - cut, &got));
}

static void test_init_checks(void)
{
    blank(1024, 2, 1);
    kg_flash_t f = ff.flash;
    KG_CHECK_ERR(kg_store_init(NULL, &f), KG_ERR_ARG);
    KG_CHECK_ERR(kg_store_init(&st, NULL), KG_ERR_ARG);
    f.erase = NULL;
    KG_CHECK_ERR(kg_store_init(&st, &f), KG_ERR_ARG);
    f = ff.flash;
    f.sector_count = 1;
    KG_CHECK_ERR(kg_store_init(&st, &f), KG_ERR_ARG);
    f.sector_count = KG_STORE_SECTORS_MAX + 1;
    KG_CHECK_ERR(kg_store_init(&st, &f), KG_ERR_ARG);
    f = ff.flash;
    f.program_unit = 3;
    KG_CHECK_ERR(kg_store_init(&st, &f), KG_ERR_ARG);
    f.program_unit = 16;
    f.sector_size = 1000; /* not a multiple of 16 */
    KG_CHECK_ERR(kg_store_init(&st, &f), KG_ERR_ARG);
    f = ff.flash;
    f.sector_size = 512; /* the largest token record does not fit */
    KG_CHECK_ERR(kg_store_init(&st, &f), KG_ERR_ARG);
    f = ff.flash;
    f.read = NULL;
    KG_CHECK_ERR(kg_store_init(&st, &f), KG_ERR_ARG);
    f = ff.flash;
    f.program = NULL;
    KG_CHECK_ERR(kg_store_init(&st, &f), KG_ERR_ARG);
    f = ff.flash;
    f.sector_size = 0x80000000u; /* the region's size would not fit 32 bits */
    f.sector_count = 4;
    KG_CHECK_ERR(kg_store_init(&st, &f), KG_ERR_ARG);
    static kg_store_t never_initialised;
    kg_tokens_t t;
    kg_secrets_t sec;
    memset(&t, 0, sizeof t);
    memset(&sec, 0, sizeof sec);
    KG_CHECK_ERR(kg_store_load_tokens(&never_initialised, &t), KG_ERR_ARG);
    KG_CHECK_ERR(kg_store_save_tokens(&never_initialised, &t), KG_ERR_ARG);
    KG_CHECK_ERR(kg_store_save_tokens(NULL, &t), KG_ERR_ARG);
    KG_CHECK_ERR(kg_store_load_secrets(&never_initialised, &sec), KG_ERR_ARG);
    KG_CHECK_ERR(kg_store_save_secrets(&never_initialised, &sec), KG_ERR_ARG);
    KG_CHECK_ERR(kg_store_save_secrets(NULL, &sec), KG_ERR_ARG);
    KG_CHECK_ERR(kg_store_save_secrets(&st, NULL), KG_ERR_ARG);
    KG_CHECK_ERR(kg_store_init(&st, &ff.flash), KG_OK);
    KG_CHECK_ERR(kg_store_load_tokens(NULL, NULL), KG_ERR_ARG);
    KG_CHECK_ERR(kg_store_save_tokens(&st, NULL), KG_ERR_ARG);
    KG_CHECK_ERR(kg_store_load_secrets(&st, NULL), KG_ERR_ARG);
    printf(
        "     largest records: tokens %u + 20 bytes, secrets %u + 20 bytes; kg_store_t %u bytes\n",
        (unsigned)KG_STORE_TOKENS_BODY_MAX, (unsigned)KG_STORE_SECRETS_BODY_MAX,
        (unsigned)sizeof(kg_store_t));
}

/* ---- Round trips ---- */

static void test_blank_is_not_found(void)
{
    kg_tokens_t t;
    kg_secrets_t s;
    blank(1024, 2, 1);
    KG_CHECK_ERR(kg_store_load_tokens(&st, &t), KG_ERR_NOT_FOUND);
    KG_CHECK_ERR(kg_store_load_secrets(&st, &s), KG_ERR_NOT_FOUND);
    KG_CHECK_EQ(ff.ops, 0); /* loading writes nothing */
    KG_CHECK_EQ(st.damaged, 0);
}

static void test_round_trip(void)
{
    kg_tokens_t t;
    blank(4096, 2, 8);
    make_tokens(&t, 1);
    t.app_expires_at = -5; /* any int64 survives */
    t.expires_at = INT64_MAX;
    t.time_base = KG_TIME_BASE_SERVER;
    memset(t.access_token, 'a', sizeof t.access_token - 1); /* at capacity */
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    KG_CHECK_EQ(ff.misuse, 0);
    KG_CHECK_EQ(ff.bit_sets, 0);
    KG_CHECK_EQ(ff.bytes_programmed % 8, 0);
    boot(); /* reboot: the image is all there is */
    KG_CHECK(tokens_are(&t));
    /* A string without its NUL is cut at capacity - 1. */
    kg_tokens_t raw = t, want = t;
    memset(raw.scope, 's', sizeof raw.scope);
    memset(want.scope, 's', sizeof want.scope - 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &raw), KG_OK);
    KG_CHECK(tokens_are(&want));
}

static void test_same_content_writes_nothing(void)
{
    kg_tokens_t t;
    blank(1024, 4, 1);
    make_tokens(&t, 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    const uint32_t ops = ff.ops;
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    boot();
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK); /* after a reboot too */
    KG_CHECK_EQ(ff.ops, 0);
    KG_CHECK_EQ(st.unchanged, 1);
    KG_CHECK(ops >= 1);
    t.expires_at++; /* one field changed: written */
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    KG_CHECK_EQ(ff.programs, 1);
    KG_CHECK(tokens_are(&t));
}

/* Secrets live in their own record: saving tokens never touches them,
 * across many moves from sector to sector, and the other way round. */
static void test_secrets_apart(void)
{
    kg_tokens_t t;
    kg_secrets_t s1, s2;
    blank(4096, 2, 8);
    make_secrets(&s1, 1);
    make_tokens(&t, 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    KG_CHECK_ERR(kg_store_save_secrets(&st, &s1), KG_OK);
    for (int i = 2; i < 100; i++) {
        make_tokens(&t, i);
        KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    }
    KG_CHECK(ff.erases >= 4);
    boot();
    KG_CHECK(secrets_are(&s1));
    KG_CHECK(tokens_are(&t));
    make_secrets(&s2, 2);
    KG_CHECK_ERR(kg_store_save_secrets(&st, &s2), KG_OK);
    KG_CHECK(secrets_are(&s2));
    KG_CHECK(tokens_are(&t));
    const uint32_t ops = ff.ops;
    KG_CHECK_ERR(kg_store_save_secrets(&st, &s2), KG_OK);
    KG_CHECK_EQ(ff.ops, ops);
    /* The secrets never appear in the token record's bytes: only one
     * record (with its copies) holds them. */
    KG_CHECK_EQ(ff.bit_sets, 0);
    /* 1 KB sectors cannot hold the largest token record beside secrets. */
    blank(1024, 4, 1);
    KG_CHECK_ERR(kg_store_save_secrets(&st, &s1), KG_ERR_NO_SPACE);
    KG_CHECK_EQ(ff.ops, 0);
}

/* ---- Regions that hold something else ---- */

/* A record with these header fields and body (CRCs right), programmed at
 * addr; its slot size. Also writes records no build of ours writes. */
typedef struct {
    uint8_t version, kind, flags, zero;
    uint16_t len;
    uint32_t seq;
} hdr_t;

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t put_record(uint32_t addr, hdr_t h, const uint8_t *body)
{
    static uint8_t r[4096];
    const uint32_t raw = 16 + (uint32_t)h.len + 4;
    const uint32_t slot = (raw + g_unit - 1) / g_unit * g_unit;
    memset(r, 0xFF, sizeof r);
    const uint8_t head[12] = {
        'k', 'g', h.version, h.kind, (uint8_t)h.len, (uint8_t)(h.len >> 8), h.flags, h.zero};
    memcpy(r, head, sizeof head);
    put_le32(r + 8, h.seq);
    put_le32(r + 12, kg_store_crc32(0, r, 12));
    if (h.len) memcpy(r + 16, body, h.len);
    put_le32(r + 16 + h.len, kg_store_crc32(0, r, 16 + (uint32_t)h.len));
    KG_CHECK_ERR(ff.flash.program(ff.flash.ctx, addr, r, slot), KG_OK);
    return slot;
}

/* A well-framed record of format version 2, programmed at addr. */
static void put_foreign(uint32_t addr)
{
    put_record(addr, (hdr_t){2, 1, 0, 0, 8, 7}, (const uint8_t *)"v2-body!");
}

static void test_other_version(void)
{
    kg_tokens_t t, got;
    blank(1024, 2, 8);
    put_foreign(0);
    boot();
    KG_CHECK_ERR(kg_store_load_tokens(&st, &got), KG_ERR_STORE_VERSION);
    KG_CHECK_EQ(st.foreign, 1);
    make_tokens(&t, 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    KG_CHECK(tokens_are(&t));
    KG_CHECK_EQ(ff.bit_sets, 0);
}

/* ---- Every header field is range-checked before use ---- */

/* The body this build writes for t (learnt on a scratch part); its length. */
static uint16_t body_of(const kg_tokens_t *t, uint8_t *body)
{
    blank(1024, 2, 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, t), KG_OK);
    const uint16_t len = (uint16_t)(image[4] | image[5] << 8);
    memcpy(body, image + 16, len);
    return len;
}

/* t saved on a blank 1 KB x 2 part (into sector 0), then the record h
 * with this body put at the start of sector 1, then a reboot. */
static void t_and_record(const kg_tokens_t *t, hdr_t h, const uint8_t *body)
{
    blank(1024, 2, 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, t), KG_OK);
    put_record(1024, h, body);
    boot();
}

/* t loads, the store's state is intact, and the next save works and loads
 * after a reboot. */
static bool still_works(const kg_tokens_t *t, const kg_tokens_t *next)
{
    bool ok = tokens_are(t) && st.flash == &ff.flash;
    ok = ok && kg_store_save_tokens(&st, next) == KG_OK && tokens_are(next);
    boot();
    return ok && tokens_are(next) && ff.bit_sets == 0;
}

/* Defect (issue 11): a well-framed record of kind 0, or of a kind above
 * KG_STORE_KINDS, indexed the scan's arrays with kind - 1 and wrote
 * outside them (over st->flash: a fault at every boot). Any kind, any
 * sequence number, any length: ignored. */
static void test_kind_checked(void)
{
    static const uint8_t kinds[] = {0, 3, 0x80, 0xFF};
    static const uint32_t seqs[] = {1, 2, 5, 0x7FFFFFFF, 0xFFFFFFFE, 0xFFFFFFFF};
    static uint8_t body[KG_STORE_BODY_MAX];
    kg_tokens_t t, t2;
    make_tokens(&t, 1);
    make_tokens(&t2, 2);
    const uint16_t lens[] = {0, body_of(&t2, body)};
    int bad = 0;
    for (size_t k = 0; k < sizeof kinds; k++)
        for (size_t q = 0; q < sizeof seqs / sizeof seqs[0]; q++)
            for (size_t l = 0; l < 2; l++) {
                t_and_record(&t, (hdr_t){1, kinds[k], 0, 0, lens[l], seqs[q]}, body);
                bad += !still_works(&t, &t2);
            }
    KG_CHECK_EQ(bad, 0);
}

/* Defect (issue 11): a record of another format version (or any
 * well-framed header) carrying sequence number 0xFFFFFFFF made every later
 * save fail with KG_ERR_STORE, and nothing ever erased it. Only records
 * this build can load count towards the next sequence number. */
static void test_foreign_seq_does_not_block(void)
{
    static const uint8_t versions[] = {0, 2, 0xFF};
    kg_tokens_t t, t2;
    make_tokens(&t, 1);
    make_tokens(&t2, 2);
    for (size_t v = 0; v < sizeof versions; v++) {
        t_and_record(&t, (hdr_t){versions[v], 1, 0, 0, 8, 0xFFFFFFFF}, (const uint8_t *)"v2-body!");
        KG_CHECK(still_works(&t, &t2));
    }
    /* A record of ours with that number whose body is damaged: the same. */
    static uint8_t body[KG_STORE_BODY_MAX];
    const uint16_t len = body_of(&t2, body);
    t_and_record(&t, (hdr_t){1, 1, 0, 0, len, 0xFFFFFFFE}, body);
    image[1024 + 20] ^= 1;
    boot();
    KG_CHECK(still_works(&t, &t2));
    /* Below the last number, a damaged record's number still counts: the
     * next save outranks it (a body misread once must not cost a save). */
    t_and_record(&t, (hdr_t){1, 1, 0, 0, len, 100}, body);
    image[1024 + 20] ^= 1;
    boot();
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t2), KG_OK);
    KG_CHECK(tokens_are(&t2));
    KG_CHECK_EQ(st.scan.newest[0].seq, 101);
}

/* Versions other than ours are never loaded; they are counted, and only
 * they make an empty load KG_ERR_STORE_VERSION. */
static void test_version_checked(void)
{
    static const uint8_t versions[] = {0, 2, 0x7F, 0xFF};
    static uint8_t body[KG_STORE_BODY_MAX];
    kg_tokens_t t, t2, got;
    make_tokens(&t, 1);
    make_tokens(&t2, 2);
    const uint16_t len = body_of(&t2, body);
    for (size_t v = 0; v < sizeof versions; v++) {
        t_and_record(&t, (hdr_t){versions[v], 1, 0, 0, len, 100}, body);
        KG_CHECK(tokens_are(&t));
        KG_CHECK_EQ(st.foreign, 1);
        blank(1024, 2, 1);
        put_record(0, (hdr_t){versions[v], 1, 0, 0, len, 100}, body);
        boot();
        KG_CHECK_ERR(kg_store_load_tokens(&st, &got), KG_ERR_STORE_VERSION);
    }
}

/* A length above its kind's largest body is not ours (the record is
 * stepped over); one that runs past the sector ends the sector's log. */
static void test_length_checked(void)
{
    static uint8_t body[1024];
    kg_tokens_t t, t2, got;
    make_tokens(&t, 1);
    make_tokens(&t2, 2);
    memset(body, 0, sizeof body);
    t_and_record(&t, (hdr_t){1, 1, 0, 0, KG_STORE_TOKENS_BODY_MAX + 1, 100}, body);
    KG_CHECK(still_works(&t, &t2));
    t_and_record(&t, (hdr_t){1, 2, 0, 0, KG_STORE_SECRETS_BODY_MAX + 1, 100}, body);
    kg_secrets_t s;
    KG_CHECK_ERR(kg_store_load_secrets(&st, &s), KG_ERR_NOT_FOUND);
    KG_CHECK(still_works(&t, &t2));
    /* Past the sector's end: the header is not well-framed. */
    blank(1024, 2, 1);
    uint8_t h[16];
    memset(h, 0xFF, sizeof h);
    const uint8_t head[8] = {'k', 'g', 1, 1, 0xF0, 0x03, 0, 0}; /* 1008 bytes of body */
    memcpy(h, head, sizeof head);
    put_le32(h + 8, 1);
    put_le32(h + 12, kg_store_crc32(0, h, 12));
    KG_CHECK_ERR(ff.flash.program(ff.flash.ctx, 0, h, sizeof h), KG_OK);
    boot();
    KG_CHECK_ERR(kg_store_load_tokens(&st, &got), KG_ERR_NOT_FOUND);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    KG_CHECK(tokens_are(&t));
    KG_CHECK_EQ(ff.bit_sets, 0);
}

/* Sequence numbers run from 1 to 0xFFFFFFFE: 0 and 0xFFFFFFFF are not
 * ours, and unknown flag bits or a non-zero byte 7 are not either. */
static void test_seq_and_flags_checked(void)
{
    static uint8_t body[KG_STORE_BODY_MAX];
    kg_tokens_t t, t2, t3;
    make_tokens(&t, 1);
    make_tokens(&t2, 2);
    make_tokens(&t3, 3);
    const uint16_t len = body_of(&t2, body);
    const hdr_t bad[] = {
        {1, 1, 0, 0, len, 0},         {1, 1, 0, 0, len, 0xFFFFFFFF}, {1, 1, 0x02, 0, len, 100},
        {1, 1, 0x80, 0, len, 100},    {1, 1, 0xFF, 0, len, 100},     {1, 1, 0, 1, len, 100},
        {1, 1, 0x01, 0x80, len, 100},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t_and_record(&t, bad[i], body);
        KG_CHECK(still_works(&t, &t3));
    }
    /* The highest number is usable, and then numbers are used up: the
     * named error, and the stored content stays. */
    t_and_record(&t, (hdr_t){1, 1, 0, 0, len, 0xFFFFFFFE}, body);
    KG_CHECK(tokens_are(&t2));
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t3), KG_ERR_STORE);
    KG_CHECK(tokens_are(&t2));
}

static void test_garbage_region(void)
{
    kg_tokens_t t, got;
    blank(4096, 4, 8);
    srand(7);
    for (size_t i = 0; i < region(); i++)
        image[i] = (uint8_t)rand();
    boot();
    KG_CHECK_ERR(kg_store_load_tokens(&st, &got), KG_ERR_NOT_FOUND);
    make_tokens(&t, 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    KG_CHECK_EQ(ff.erases, 1); /* a sector is erased before use */
    KG_CHECK_EQ(ff.bit_sets, 0);
    boot();
    KG_CHECK(tokens_are(&t));
}

/* ---- Damage ---- */

/* Flip every bit of the newest record, one at a time: the previous record
 * loads, and the store carries on saving. Flips in the older record leave
 * the newest loading. */
static void flip_all(uint32_t size, uint32_t count, uint32_t unit)
{
    kg_tokens_t t1, t2, t3;
    size_t first = 0, last = 0;
    long flips = 0, bad = 0;
    blank(size, count, unit);
    make_tokens(&t1, 1);
    make_tokens(&t2, 2);
    make_tokens(&t3, 3);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t1), KG_OK);
    memcpy(saved_image, image, region());
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t2), KG_OK);
    KG_CHECK(changed_range(&first, &last));
    memcpy(saved_image, image, region());
    for (size_t i = first; i <= last; i++) {
        for (int b = 0; b < 8; b++, flips++) {
            memcpy(image, saved_image, region());
            image[i] ^= (uint8_t)(1u << b);
            boot();
            bool ok = tokens_are(&t1);
            ok = ok && kg_store_save_tokens(&st, &t3) == KG_OK && tokens_are(&t3);
            bad += !ok || ff.bit_sets != 0;
        }
    }
    KG_CHECK_EQ(bad, 0);
    /* The older record damaged: the newest is untouched. */
    memcpy(image, saved_image, region());
    image[20] ^= 0x10;
    boot();
    KG_CHECK(tokens_are(&t2));
    printf("     %u x %u, unit %u: %ld single-bit flips in the newest record, all caught\n",
           (unsigned)size, (unsigned)count, (unsigned)unit, flips);
}

static void test_bit_flips(void)
{
    flip_all(1024, 4, 1);
    flip_all(4096, 2, 8);
}

/* A body flip is counted as damage; the store says so. */
static void test_damage_counted(void)
{
    kg_tokens_t t;
    blank(1024, 2, 1);
    make_tokens(&t, 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    image[40] ^= 1;
    boot();
    KG_CHECK_ERR(kg_store_load_tokens(&st, &t), KG_ERR_NOT_FOUND);
    KG_CHECK_EQ(st.damaged, 1);
}

/* Bytes programmed behind the log's end (a write torn out of order, or
 * anything else) are never programmed over: the save goes elsewhere. */
static void test_no_program_over_junk(void)
{
    kg_tokens_t t1, t2;
    blank(1024, 2, 1);
    make_tokens(&t1, 1);
    make_tokens(&t2, 2);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t1), KG_OK);
    const uint8_t junk[4] = {0x12, 0x34, 0x56, 0x78};
    KG_CHECK_ERR(ff.flash.program(ff.flash.ctx, 300, junk, sizeof junk), KG_OK); /* t1: 190 B */
    boot();
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t2), KG_OK);
    KG_CHECK_EQ(ff.bit_sets, 0);
    KG_CHECK_EQ(ff.erases, 1); /* moved on to the other sector */
    KG_CHECK(tokens_are(&t2));
}

/* Found by fuzz_store: a valid record behind a blank gap in the head (no
 * build of ours leaves one; a write torn out of order, or foreign data, can)
 * is not part of the log, but a record appended into the gap would bring it
 * back, newer sequence number and all, over the save. Appends need the
 * whole tail blank. */
static void test_record_behind_a_gap(void)
{
    static uint8_t body[KG_STORE_BODY_MAX];
    kg_tokens_t t1, t2, t3;
    make_tokens(&t1, 1);
    make_tokens(&t2, 2);
    make_tokens(&t3, 3);
    const uint16_t len = body_of(&t3, body);
    blank(1024, 2, 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t1), KG_OK);
    put_record(800 - 16 - len - 4, (hdr_t){1, 1, 0, 0, len, 50}, body);
    boot();
    KG_CHECK(tokens_are(&t1)); /* the log ends at the gap */
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t2), KG_OK);
    KG_CHECK(tokens_are(&t2));
    KG_CHECK_EQ(ff.erases, 1); /* moved on to a fresh sector */
    KG_CHECK_EQ(ff.bit_sets, 0);
    boot();
    KG_CHECK(tokens_are(&t2));
}

/* The head's copy of the secrets damaged just when the head is full: their
 * only good record is in the other sector, the one the log moves to next.
 * It must survive the move (carried across the erase). */
static void test_damaged_copy_not_lost(void)
{
    kg_tokens_t t;
    kg_secrets_t s;
    blank(4096, 2, 8);
    make_secrets(&s, 1);
    KG_CHECK_ERR(kg_store_save_secrets(&st, &s), KG_OK);
    int i = 1;
    for (; ff.erases < 2; i++) { /* until the log moves to sector 1 */
        make_tokens(&t, i);
        KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    }
    for (;; i++) { /* fill sector 1: stop before the save that would move on */
        memcpy(saved_image, image, region());
        make_tokens(&t, i);
        KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
        if (ff.erases > 2 || i > 200) break;
    }
    memcpy(image, saved_image, region());
    image[4096 + 20] ^= 0x01; /* sector 1 begins with the secrets' copy */
    boot();
    KG_CHECK(secrets_are(&s)); /* the original in sector 0 */
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    KG_CHECK_EQ(ff.erases, 1); /* moved to sector 0, the secrets' only home */
    KG_CHECK_EQ(st.carried, 1);
    KG_CHECK_EQ(ff.bit_sets, 0);
    boot();
    KG_CHECK(secrets_are(&s));
    KG_CHECK(tokens_are(&t));
}

/* split_kinds' sets: the stored t1 and s1, and t2 to save next. */
static kg_tokens_t sp_t1, sp_t2;
static kg_secrets_t sp_s1;

/* A part of 1 KB sectors where no sector holds both kinds (only damage
 * makes one): sp_t1 alone at sector `tok` (seq 1), sp_s1 alone at sector
 * `sec` (seq 2, the head) followed by junk that ends the log there (the
 * head is full), every other sector junk. */
static void split_kinds(uint32_t count, uint32_t tok, uint32_t sec)
{
    static uint8_t tb[KG_STORE_BODY_MAX], sb[KG_STORE_BODY_MAX];
    make_tokens(&sp_t1, 1);
    make_tokens(&sp_t2, 2);
    make_secrets(&sp_s1, 1);
    const uint16_t tlen = body_of(&sp_t1, tb);
    const uint16_t slen = (uint16_t)kgst_encode_secrets(sb, &sp_s1);
    blank(1024, count, 1);
    for (uint32_t c = 0; c < count; c++)
        if (c != tok && c != sec) image[c * 1024] = 0x00;
    put_record(tok * 1024, (hdr_t){1, 1, 0, 0, tlen, 1}, tb);
    const uint32_t end = sec * 1024 + put_record(sec * 1024, (hdr_t){1, 2, 0, 0, slen, 2}, sb);
    image[end] = 0x00;
    boot();
    KG_CHECK(tokens_are(&sp_t1));
    KG_CHECK(secrets_are(&sp_s1));
}

/* Two sectors, each the only home of one kind, the head full: the save
 * must erase the token set's only home, so until the new set is written
 * the content lives in RAM alone. The store counts it as carried (the
 * fuzzer found it uncounted), and the secrets survive either way. */
static void test_own_only_home_counted(void)
{
    split_kinds(2, 0, 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &sp_t2), KG_OK);
    KG_CHECK_EQ(st.carried, 1);
    boot();
    KG_CHECK(tokens_are(&sp_t2));
    KG_CHECK(secrets_are(&sp_s1));
    split_kinds(2, 0, 1);
    ff.cut_op = 2; /* right after the erase */
    KG_CHECK_ERR(kg_store_save_tokens(&st, &sp_t2), KG_ERR_FLASH);
    KG_CHECK_EQ(st.carried, 1);
    boot();
    kg_tokens_t got;
    KG_CHECK_ERR(kg_store_load_tokens(&st, &got), KG_ERR_NOT_FOUND); /* the window it counted */
    KG_CHECK(secrets_are(&sp_s1));
}

/* Three sectors: the only homes of both kinds and a junk one. The save
 * erases the junk sector, whatever the ring order says, so nothing is
 * carried and a power cut at any step leaves the old set or the new. */
static void test_erase_spares_only_homes(void)
{
    for (uint32_t cut = 1; cut <= 4; cut++) {
        split_kinds(3, 0, 2); /* the ring's next after the head is sector 0 */
        ff.cut_op = cut;
        const kg_err_t err = kg_store_save_tokens(&st, &sp_t2);
        KG_CHECK_EQ(st.carried, 0);
        KG_CHECK_EQ(ff.wear[0] + ff.wear[2], 0);
        KG_CHECK(err == KG_OK || ff.powered_off);
        boot();
        KG_CHECK(tokens_are(&sp_t1) || tokens_are(&sp_t2));
        KG_CHECK(secrets_are(&sp_s1));
        KG_CHECK(err != KG_OK || tokens_are(&sp_t2));
    }
}

/* ---- Bodies that do not decode ---- */

/* A record whose CRCs are right but whose body is not a valid body of its
 * kind (only a foreign writer makes one): the load says KG_ERR_STORE, and
 * the next save replaces it. */
static void test_malformed_bodies(void)
{
    static uint8_t body[KG_STORE_BODY_MAX + 1], bad[KG_STORE_BODY_MAX + 1];
    kg_tokens_t t, t2, got;
    kg_secrets_t s;
    make_tokens(&t, 1);
    make_tokens(&t2, 2);
    const uint16_t len = body_of(&t2, body);
    struct {
        uint16_t len;
        uint16_t patch_at, patch; /* little-endian u16 put at patch_at (0xFFFF: none) */
    } cases[] = {
        {3, 0xFFFF, 0},                    /* ends inside the first i64 */
        {(uint16_t)(len - 1), 0xFFFF, 0},  /* ends inside the last string */
        {(uint16_t)(len + 1), 0xFFFF, 0},  /* one byte left over */
        {len, 17, CONFIG_KGIOT_TOKEN_MAX}, /* app_token's length: no room for the NUL */
        {len, 17, 0xFFFF},                 /* ... running past the body */
        {19, 0xFFFF, 0},                   /* ends inside a string's length */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(bad, body, sizeof bad);
        if (cases[i].patch_at != 0xFFFF) {
            bad[cases[i].patch_at] = (uint8_t)cases[i].patch;
            bad[cases[i].patch_at + 1] = (uint8_t)(cases[i].patch >> 8);
        }
        t_and_record(&t, (hdr_t){1, 1, 0, 0, cases[i].len, 100}, bad);
        KG_CHECK_ERR(kg_store_load_tokens(&st, &got), KG_ERR_STORE);
        KG_CHECK_ERR(kg_store_save_tokens(&st, &t2), KG_OK);
        KG_CHECK(tokens_are(&t2));
    }
    /* Secrets: a string longer than its array, and a body cut short. */
    blank(2048, 2, 1);
    const uint8_t long_secret[4] = {0xFF, 0x00, 'x', 'y'};
    put_record(0, (hdr_t){1, 2, 0, 0, sizeof long_secret, 5}, long_secret);
    boot();
    KG_CHECK_ERR(kg_store_load_secrets(&st, &s), KG_ERR_STORE);
    blank(2048, 2, 1);
    put_record(0, (hdr_t){1, 2, 0, 0, 1, 5}, long_secret);
    boot();
    KG_CHECK_ERR(kg_store_load_secrets(&st, &s), KG_ERR_STORE);
    /* Only foreign records: the secrets say so too. */
    blank(2048, 2, 1);
    put_record(0, (hdr_t){2, 2, 0, 0, 4, 5}, long_secret);
    boot();
    KG_CHECK_ERR(kg_store_load_secrets(&st, &s), KG_ERR_STORE_VERSION);
}

/* ---- Where copies live ---- */

/* The newest secrets copied into every sector of a ring of four, and the
 * newest record of all known only by a copy (its original damaged): both
 * load, and the log carries on from the copy's sector. */
static void test_copies_everywhere(void)
{
    kg_tokens_t t;
    kg_secrets_t sec;
    blank(2048, 4, 8);
    make_secrets(&sec, 1);
    KG_CHECK_ERR(kg_store_save_secrets(&st, &sec), KG_OK);
    for (int i = 1; i < 40; i++) {
        make_tokens(&t, i);
        KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    }
    boot();
    KG_CHECK(secrets_are(&sec));
    KG_CHECK(tokens_are(&t));
    KG_CHECK_EQ(__builtin_popcount(st.scan.newest[1].sectors), 4);

    static uint8_t body[KG_STORE_BODY_MAX];
    kg_tokens_t t2;
    make_tokens(&t2, 2);
    const uint16_t len = body_of(&t2, body);
    blank(1024, 2, 1);
    const uint32_t slot = put_record(0, (hdr_t){1, 1, 0, 0, len, 7}, body);
    put_record(1024, (hdr_t){1, 1, 0x01, 0, len, 7}, body); /* its copy */
    image[20] ^= 1;                                         /* the original damaged */
    boot();
    KG_CHECK(tokens_are(&t2));
    KG_CHECK_EQ(st.scan.head, 1);
    make_tokens(&t, 3);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    KG_CHECK(tokens_are(&t));
    KG_CHECK(slot > 0 && ff.bit_sets == 0);
}

/* ---- A flash that fails ---- */

/* Around ff: the n-th read, program or erase fails, or a read returns a
 * flipped bit, or a program says it worked and wrote nothing. */
typedef enum { FAIL_READ, FLIP_READ, FAIL_PROGRAM, LIE_PROGRAM, FAIL_ERASE, FAIL_KINDS } fail_t;
static struct {
    fail_t kind;
    uint32_t at, calls[FAIL_KINDS];
    bool hit;
} wf;

static bool fails_now(fail_t k1, fail_t k2)
{
    const uint32_t n = ++wf.calls[k1];
    if (k2 != k1) wf.calls[k2] = n;
    const bool now = (wf.kind == k1 || wf.kind == k2) && n == wf.at;
    wf.hit = wf.hit || now;
    return now;
}

static kg_err_t w_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx;
    const bool now = fails_now(FAIL_READ, FLIP_READ);
    if (now && wf.kind == FAIL_READ) return KG_ERR_FLASH;
    const kg_err_t err = ff.flash.read(&ff, addr, buf, len);
    if (now) ((uint8_t *)buf)[len / 2] ^= 0x20;
    return err;
}

static kg_err_t w_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx;
    if (fails_now(FAIL_PROGRAM, LIE_PROGRAM)) return wf.kind == LIE_PROGRAM ? KG_OK : KG_ERR_FLASH;
    return ff.flash.program(&ff, addr, buf, len);
}

static kg_err_t w_erase(void *ctx, uint32_t sector)
{
    (void)ctx;
    if (fails_now(FAIL_ERASE, FAIL_ERASE)) return KG_ERR_FLASH;
    return ff.flash.erase(&ff, sector);
}

typedef kg_err_t (*store_op_t)(void);
static kg_tokens_t op_old, op_new;
static kg_secrets_t op_sec;

static kg_err_t op_save(void)
{
    return kg_store_save_tokens(&st, &op_new);
}

static kg_err_t op_load(void)
{
    kg_tokens_t got;
    return kg_store_load_tokens(&st, &got);
}

static kg_err_t op_save_secrets(void)
{
    return kg_store_save_secrets(&st, &op_sec);
}

/* From the image in saved_image, op with each kind of failure at each call
 * it makes: it returns KG_OK or a named error (KG_ERR_FLASH; KG_ERR_STORE
 * or KG_ERR_NOT_FOUND when a read lied), never programs over programmed
 * bytes, and afterwards (the failure gone) the old or the new set loads
 * and a save works. Returns the failures injected. */
static long fail_everywhere(store_op_t op)
{
    long injected = 0;
    for (int k = 0; k < FAIL_KINDS; k++) {
        for (uint32_t at = 1;; at++) {
            memcpy(image, saved_image, region());
            boot();
            memset(&wf, 0, sizeof wf);
            wf.kind = (fail_t)k;
            wf.at = at;
            kg_flash_t w = ff.flash;
            w.read = w_read;
            w.program = w_program;
            w.erase = w_erase;
            KG_CHECK_ERR(kg_store_init(&st, &w), KG_OK);
            const kg_err_t err = op();
            if (!wf.hit) {
                KG_CHECK_ERR(err, KG_OK);
                break;
            }
            injected++;
            const bool lied = k == FLIP_READ || k == LIE_PROGRAM;
            if (!(err == KG_OK || err == KG_ERR_FLASH ||
                  (lied && (err == KG_ERR_STORE || err == KG_ERR_NOT_FOUND))))
                KG_CHECK_ERR(err, KG_ERR_FLASH);
            KG_CHECK(ff.bit_sets == 0 && ff.misuse == 0);
            boot();
            if (k != FLIP_READ) KG_CHECK(tokens_are(&op_old) || tokens_are(&op_new));
            KG_CHECK_ERR(kg_store_save_tokens(&st, &op_new), KG_OK);
            KG_CHECK(tokens_are(&op_new));
        }
    }
    return injected;
}

static void test_flash_failures(void)
{
    long n = 0;
    make_secrets(&op_sec, 9);
    /* A head with room: the save appends. */
    blank(2048, 2, 8);
    make_secrets(&op_sec, 1);
    KG_CHECK_ERR(kg_store_save_secrets(&st, &op_sec), KG_OK);
    make_tokens(&op_old, 1);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &op_old), KG_OK);
    make_tokens(&op_new, 2);
    memcpy(saved_image, image, region());
    n += fail_everywhere(op_save);
    n += fail_everywhere(op_load);
    make_secrets(&op_sec, 2);
    n += fail_everywhere(op_save_secrets);
    /* A full head: the save moves on, copying the secrets across. */
    memcpy(image, saved_image, region());
    boot();
    for (int i = 3; ff.erases == 0; i++) {
        memcpy(saved_image, image, region());
        op_old = op_new;
        make_tokens(&op_new, i);
        KG_CHECK_ERR(kg_store_save_tokens(&st, &op_new), KG_OK);
    }
    n += fail_everywhere(op_save);
    /* The secrets' copy in the head damaged: their only good record is
     * carried across the erase. */
    test_damaged_copy_not_lost(); /* leaves such an image in saved_image */
    memcpy(image, saved_image, region());
    image[4096 + 20] ^= 0x01;
    memcpy(saved_image, image, region());
    boot();
    KG_CHECK_ERR(kg_store_load_tokens(&st, &op_old), KG_OK);
    make_tokens(&op_new, 500);
    n += fail_everywhere(op_save);
    printf("     %ld failures injected (reads failing or flipping a bit, programs failing or "
           "lying, erases failing)\n",
           n);
}

/* ---- The emulation ---- */

static void test_flash_nor_semantics(void)
{
    uint8_t b[8];
    blank(1024, 2, 8);
    ff.strict = false;
    const uint8_t a[8] = {0x0F, 0xF0, 0xFF, 0x00, 1, 2, 3, 4};
    const uint8_t c[8] = {0xF0, 0xF0, 0x0F, 0xFF, 1, 2, 3, 4};
    KG_CHECK_ERR(ff.flash.program(&ff, 8, a, 8), KG_OK);
    KG_CHECK_ERR(ff.flash.program(&ff, 8, c, 8), KG_OK); /* ANDs, as NOR does */
    KG_CHECK_ERR(ff.flash.read(&ff, 8, b, 8), KG_OK);
    const uint8_t and_ab[8] = {0x00, 0xF0, 0x0F, 0x00, 1, 2, 3, 4};
    KG_CHECK(memcmp(b, and_ab, 8) == 0);
    KG_CHECK_EQ(ff.bit_sets, 1);
    ff.strict = true; /* now refused, nothing changes */
    KG_CHECK_ERR(ff.flash.program(&ff, 8, a, 8), KG_ERR_FLASH);
    KG_CHECK_EQ(ff.bit_sets, 2);
    KG_CHECK_ERR(ff.flash.program(&ff, 4, a, 8), KG_ERR_ARG); /* misaligned */
    KG_CHECK_ERR(ff.flash.program(&ff, 8, a, 4), KG_ERR_ARG);
    KG_CHECK_ERR(ff.flash.read(&ff, 2040, b, 16), KG_ERR_ARG); /* past the end */
    KG_CHECK_ERR(ff.flash.erase(&ff, 2), KG_ERR_ARG);
    KG_CHECK_EQ(ff.misuse, 4);
    KG_CHECK_ERR(ff.flash.erase(&ff, 0), KG_OK);
    KG_CHECK_ERR(ff.flash.read(&ff, 8, b, 8), KG_OK);
    KG_CHECK(b[0] == 0xFF && b[1] == 0xFF);
    KG_CHECK_EQ(ff.erases, 1);
    KG_CHECK_EQ(ff.wear[0], 1);
    KG_CHECK_EQ(ff.programs, 2);
    KG_CHECK_EQ(ff.ops, 4); /* counted: 2 programs, the refused one, the erase */
}

static void test_flash_power_cut(void)
{
    uint8_t b[16];
    const uint8_t zeros[16] = {0};
    blank(1024, 2, 1);
    ff.cut_op = 2;
    ff.cut_bytes = 3;
    KG_CHECK_ERR(ff.flash.program(&ff, 0, zeros, 16), KG_OK);
    KG_CHECK_ERR(ff.flash.program(&ff, 16, zeros, 16), KG_ERR_FLASH); /* the cut */
    KG_CHECK(ff.powered_off);
    KG_CHECK_ERR(ff.flash.read(&ff, 0, b, 16), KG_ERR_FLASH);
    KG_CHECK_ERR(ff.flash.erase(&ff, 1), KG_ERR_FLASH);
    boot(); /* reboot: what was programmed is there */
    KG_CHECK_ERR(ff.flash.read(&ff, 16, b, 16), KG_OK);
    KG_CHECK(b[0] == 0 && b[2] == 0 && b[3] == 0xFF && b[15] == 0xFF);
    /* An erase cut half way, both models. */
    ff.cut_op = 1;
    ff.cut_bytes = 512;
    KG_CHECK_ERR(ff.flash.erase(&ff, 0), KG_ERR_FLASH);
    boot();
    KG_CHECK(image[0] == 0xFF && image[511] == 0xFF && image[512] == 0xFF);
    KG_CHECK_ERR(ff.flash.program(&ff, 600, zeros, 16), KG_OK);
    ff.cut_op = 2;
    ff.cut_bytes = 512;
    ff.cut_erase = KG_FLASH_CUT_ZEROED;
    KG_CHECK_ERR(ff.flash.erase(&ff, 0), KG_ERR_FLASH);
    KG_CHECK(image[0] == 0x00 && image[511] == 0x00 && image[512] == 0xFF && image[600] == 0);
}

static void test_flash_file(void)
{
    char dir[] = "/tmp/kg_flash_XXXXXX", path[64];
    static uint8_t other[2048];
    kg_tokens_t t;
    KG_CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/flash.bin", dir);
    g_size = 1024;
    g_count = 2;
    g_unit = 4;
    memset(image, 0, sizeof image);
    KG_CHECK_ERR(kg_flash_file_init(&ff, image, 1024, 2, 4, path), KG_OK);
    struct stat sb;
    KG_CHECK(stat(path, &sb) == 0 && sb.st_size == 2048);
    KG_CHECK(image[0] == 0xFF && image[2047] == 0xFF); /* created erased */
    KG_CHECK_ERR(kg_store_init(&st, &ff.flash), KG_OK);
    make_tokens(&t, 9);
    KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    kg_flash_file_close(&ff);
    /* Reboot from the file alone, into another buffer. */
    KG_CHECK_ERR(kg_flash_file_init(&ff, other, 1024, 2, 4, path), KG_OK);
    KG_CHECK(memcmp(other, image, 2048) == 0);
    KG_CHECK_ERR(kg_store_init(&st, &ff.flash), KG_OK);
    KG_CHECK(tokens_are(&t));
    kg_flash_file_close(&ff);
    /* A file of another size is replaced by a blank part. */
    KG_CHECK_ERR(kg_flash_file_init(&ff, image, 1024, 4, 4, path), KG_OK);
    KG_CHECK(stat(path, &sb) == 0 && sb.st_size == 4096 && image[0] == 0xFF);
    kg_flash_file_close(&ff);
    KG_CHECK_ERR(kg_flash_file_init(&ff, image, 1000, 2, 16, NULL), KG_ERR_ARG);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    KG_RUN(test_crc32);
    KG_RUN(test_binding_in_the_body);
    KG_RUN(test_init_checks);
    KG_RUN(test_blank_is_not_found);
    KG_RUN(test_round_trip);
    KG_RUN(test_same_content_writes_nothing);
    KG_RUN(test_secrets_apart);
    KG_RUN(test_other_version);
    KG_RUN(test_kind_checked);
    KG_RUN(test_foreign_seq_does_not_block);
    KG_RUN(test_version_checked);
    KG_RUN(test_length_checked);
    KG_RUN(test_seq_and_flags_checked);
    KG_RUN(test_garbage_region);
    KG_RUN(test_bit_flips);
    KG_RUN(test_damage_counted);
    KG_RUN(test_no_program_over_junk);
    KG_RUN(test_record_behind_a_gap);
    KG_RUN(test_damaged_copy_not_lost);
    KG_RUN(test_own_only_home_counted);
    KG_RUN(test_erase_spares_only_homes);
    KG_RUN(test_malformed_bodies);
    KG_RUN(test_copies_everywhere);
    KG_RUN(test_flash_failures);
    KG_RUN(test_flash_nor_semantics);
    KG_RUN(test_flash_power_cut);
    KG_RUN(test_flash_file);
    return kg_test_summary();
}
