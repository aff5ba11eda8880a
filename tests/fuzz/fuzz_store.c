/*
 * fuzz_store.c - libFuzzer target for kg_store: boot over any flash image
 * in a geometry the input chooses (fuzz_store.h), load both kinds, save a
 * token set with power cut at a chosen point (then reboot), save another
 * and reload, save secrets. Aborts on any broken promise of kg_store.h:
 *   - a load returns KG_OK or one of its named errors and writes nothing;
 *   - a save returns KG_OK, or KG_ERR_STORE (sequence numbers used up) /
 *     KG_ERR_NO_SPACE (secrets beside tokens do not fit); it never programs
 *     over programmed bytes (strict emulation) nor makes a misaligned or
 *     out-of-range flash call;
 *   - what a save stored loads exactly, after a reboot too;
 *   - after power is cut inside a save, the previous content or the new one
 *     loads (unless a record had to be carried through RAM, kg_store.h).
 * ASan and UBSan catch the rest (reads outside the image, overflows).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_store.h"
#include "kg_flash_file.h"
#include "kg_store.h"

static uint8_t image[FS_REGION_MAX];
static kg_flash_file_t ff;
static kg_store_t st;
static uint32_t g_size, g_count, g_unit;

typedef struct {
    kg_err_t err;
    kg_tokens_t t;
} state_t;

static void check(bool ok)
{
    if (!ok) abort();
}

static uint32_t le(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Make the CRCs of the records as a scan walks them right. */
static void fix_crcs(void)
{
    for (uint32_t s = 0; s < g_count; s++) {
        uint8_t *sec = image + (size_t)s * g_size;
        uint32_t off = 0;
        while (off + 20 <= g_size && sec[off] == 'k' && sec[off + 1] == 'g') {
            const uint32_t len = le(sec + off + 4, 2);
            if (off + 20 + len > g_size) break;
            put_le32(sec + off + 12, kg_store_crc32(0, sec + off, 12));
            put_le32(sec + off + 16 + len, kg_store_crc32(0, sec + off, 16 + len));
            off += (20 + len + g_unit - 1) / g_unit * g_unit;
        }
    }
}

static bool boot(void)
{
    if (kg_flash_file_init(&ff, image, g_size, g_count, g_unit, NULL) != KG_OK) return false;
    ff.strict = true;
    return kg_store_init(&st, &ff.flash) == KG_OK;
}

static void check_str(const char *s, size_t cap)
{
    check(memchr(s, '\0', cap) != NULL);
}

static void load(state_t *s)
{
    const uint32_t ops = ff.ops;
    memset(s, 0, sizeof *s);
    s->err = kg_store_load_tokens(&st, &s->t);
    check(s->err == KG_OK || s->err == KG_ERR_NOT_FOUND || s->err == KG_ERR_STORE_VERSION ||
          s->err == KG_ERR_STORE);
    check(ff.ops == ops && ff.misuse == 0);
    if (s->err != KG_OK) return;
    check_str(s->t.app_token, sizeof s->t.app_token);
    check_str(s->t.access_token, sizeof s->t.access_token);
    check_str(s->t.scope, sizeof s->t.scope);
}

static void load_secrets(kg_secrets_t *out, kg_err_t *err)
{
    const uint32_t ops = ff.ops;
    *err = kg_store_load_secrets(&st, out);
    check(*err == KG_OK || *err == KG_ERR_NOT_FOUND || *err == KG_ERR_STORE_VERSION ||
          *err == KG_ERR_STORE);
    check(ff.ops == ops && ff.misuse == 0);
}

static bool nothing(kg_err_t e)
{
    return e == KG_ERR_NOT_FOUND || e == KG_ERR_STORE_VERSION;
}

static bool same_state(const state_t *a, const state_t *b)
{
    if (nothing(a->err) && nothing(b->err)) return true;
    return a->err == b->err && (a->err != KG_OK || memcmp(&a->t, &b->t, sizeof a->t) == 0);
}

static bool loads(const kg_tokens_t *t)
{
    state_t s;
    load(&s);
    return s.err == KG_OK && memcmp(&s.t, t, sizeof *t) == 0;
}

static void fill(char *dst, size_t cap, char c, size_t len)
{
    memset(dst, 0, cap);
    memset(dst, c, len < cap ? len : cap - 1);
}

/* Token set n; its string lengths follow the size class. */
static void make_tokens(kg_tokens_t *t, int n, uint8_t cls)
{
    const size_t len = (size_t)cls * 5u % CONFIG_KGIOT_TOKEN_MAX;
    memset(t, 0, sizeof *t);
    fill(t->app_token, sizeof t->app_token, (char)('A' + n), len);
    fill(t->access_token, sizeof t->access_token, (char)('a' + n), len / 2 + 1);
    fill(t->refresh_token, sizeof t->refresh_token, 'r', len / 3);
    fill(t->openid, sizeof t->openid, 'o', len % CONFIG_KGIOT_ID_MAX);
    fill(t->scope, sizeof t->scope, 's', len % CONFIG_KGIOT_SCOPE_MAX);
    t->expires_at = (int64_t)cls << 40 | n;
    t->time_base = KG_TIME_BASE_PORT;
}

/* A save with no power cut: it works or says why, and what it stored loads. */
static void save_and_reload(const kg_tokens_t *t, const state_t *before)
{
    const kg_err_t err = kg_store_save_tokens(&st, t);
    check(err == KG_OK || err == KG_ERR_STORE);
    check(ff.bit_sets == 0 && ff.misuse == 0);
    if (err != KG_OK) {
        state_t now;
        load(&now);
        check(same_state(&now, before));
        return;
    }
    check(loads(t));
    check(boot());
    check(loads(t));
}

/* The first save, with power cut at operation `at` (0: none). */
static void first_save(const kg_tokens_t *t, const state_t *before, uint8_t at, uint8_t bytes)
{
    ff.cut_op = at ? ff.ops + at : 0;
    ff.cut_bytes = (uint32_t)bytes * 16u;
    const kg_err_t err = kg_store_save_tokens(&st, t);
    ff.cut_op = 0;
    if (!ff.powered_off) {
        check(err == KG_OK || err == KG_ERR_STORE);
        check(ff.bit_sets == 0 && ff.misuse == 0);
        check(err != KG_OK || loads(t));
        return;
    }
    check(err == KG_ERR_FLASH);
    const uint32_t carried = st.carried;
    check(boot());
    state_t after;
    load(&after);
    if (!carried) check(same_state(&after, before) || (after.err == KG_OK && loads(t)));
}

static void secrets(const kg_tokens_t *t)
{
    kg_secrets_t s, got;
    kg_err_t err;
    memset(&s, 0, sizeof s);
    memcpy(s.secret, "SECRET-fuzz", 11);
    memcpy(s.appkey, "APPKEY", 6);
    err = kg_store_save_secrets(&st, &s);
    check(err == KG_OK || err == KG_ERR_STORE || err == KG_ERR_NO_SPACE);
    check(ff.bit_sets == 0 && ff.misuse == 0);
    if (err != KG_OK) return;
    load_secrets(&got, &err);
    check(err == KG_OK && memcmp(&got, &s, sizeof s) == 0);
    check(loads(t)); /* saving secrets leaves the token set alone */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < FS_PRELUDE) return 0;
    g_unit = fs_unit(data);
    g_count = fs_count(data);
    g_size = fs_size(data);
    const size_t region = (size_t)g_size * g_count;
    if (g_count == 0 || region > sizeof image) return 0;
    memset(image, 0xFF, region);
    memcpy(image, data + FS_PRELUDE, size - FS_PRELUDE < region ? size - FS_PRELUDE : region);
    if (data[4] & 1) fix_crcs();
    if (!boot()) {
        const uint32_t largest = 16 + KG_STORE_TOKENS_BODY_MAX + 4;
        check(g_count < 2 || g_size < largest); /* what kg_store_init refuses here */
        return 0;
    }
    state_t before;
    kg_secrets_t sec;
    kg_err_t err;
    load(&before);
    load_secrets(&sec, &err);
    kg_tokens_t a, b;
    make_tokens(&a, 1, data[7]);
    make_tokens(&b, 2, (uint8_t)(data[7] + 1));
    first_save(&a, &before, data[5], data[6]);
    load(&before);
    save_and_reload(&b, &before);
    if (data[4] & 2) secrets(&b);
    return 0;
}
