/*
 * test_store_power.c - kg_store against power loss, exhaustively, in the
 * manner of littlefs's emulated block device.
 *
 * For a sequence of saves (the first on blank flash, token sets of many
 * sizes, secrets where the geometry holds them, a save that changes
 * nothing, and enough saves to go round the ring of sectors twice), every
 * save is first run once to learn its flash operations; then, from the
 * image as it stood before the save, power is cut at every program and
 * erase, and inside every program after every byte (inside erases at a few
 * byte counts, both erase models). After each cut the store is re-initialised
 * from the image alone ("reboot") and must load the last completed content
 * or the one being written, never garbage and never NOT_FOUND once
 * something was saved; one sector on its own must load the same (the
 * invariant that makes erasing any other safe); no record may have needed
 * carrying through RAM; then a fresh save must work and load (the store
 * recovers from whatever the cut left). The emulation runs in strict mode:
 * no program ever tries to set a bit, no call is misaligned.
 *
 * Geometries: program unit 1 and 8, sectors of 1024 and 4096 bytes, 2 and 4
 * sectors. Prints the cut points tested per geometry and the sector erases
 * per save over long runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kg_flash_file.h"
#include "kg_store.h"
#include "kg_test.h"

#define REGION_MAX (4 * 4096)
#define OPS_MAX    16

typedef struct {
    uint32_t size, count, unit;
} geo_t;

static const geo_t geos[] = {
    {1024, 2, 1}, {1024, 2, 8}, {1024, 4, 1}, {1024, 4, 8},
    {4096, 2, 1}, {4096, 2, 8}, {4096, 4, 1}, {4096, 4, 8},
};

static uint8_t image[REGION_MAX], before[REGION_MAX];
static kg_flash_file_t ff;
static kg_store_t st;
static geo_t geo;

/* ---- Contents ---- */

/* A string of exactly len characters, distinct per (tag, n). */
static void fill(char *dst, size_t cap, const char *tag, int n, size_t len)
{
    if (len >= cap) len = cap - 1;
    int w = snprintf(dst, cap, "%s%d-", tag, n);
    for (size_t i = (size_t)w; i < len; i++)
        dst[i] = (char)('a' + (i * 7 + (size_t)n) % 26);
    dst[len < (size_t)w ? (size_t)w : len] = '\0';
}

/* Token set number n; its size cycles between short, real and maximal sets. */
static void make_tokens(kg_tokens_t *t, int n)
{
    static const size_t tok_len[] = {40, 96, 159, 64, 128, 20, 159};
    const size_t tl = tok_len[(size_t)n % (sizeof tok_len / sizeof tok_len[0])];
    memset(t, 0, sizeof *t);
    fill(t->app_token, sizeof t->app_token, "APP", n, tl);
    fill(t->app_refresh_token, sizeof t->app_refresh_token, "APPR", n, tl / 2 + 10);
    fill(t->access_token, sizeof t->access_token, "ACC", n, tl);
    fill(t->refresh_token, sizeof t->refresh_token, "REF", n, tl);
    fill(t->openid, sizeof t->openid, "OPENID", n, 28 + (size_t)n % 36);
    fill(t->unionid, sizeof t->unionid, "UNION", n, 28 + (size_t)n % 36);
    fill(t->scope, sizeof t->scope, "scope", n, 10 + (size_t)n % 118);
    t->app_expires_at = 1795777200 + n;
    t->expires_at = 1795777200 + 7200 + n;
    t->time_base = (uint8_t)(n % 3);
}

/* Every string at its capacity: the largest record there is. */
static void make_max_tokens(kg_tokens_t *t, int n)
{
    make_tokens(t, n);
    fill(t->app_token, sizeof t->app_token, "APP", n, sizeof t->app_token);
    fill(t->app_refresh_token, sizeof t->app_refresh_token, "APPR", n, sizeof t->app_token);
    fill(t->access_token, sizeof t->access_token, "ACC", n, sizeof t->access_token);
    fill(t->refresh_token, sizeof t->refresh_token, "REF", n, sizeof t->refresh_token);
    fill(t->openid, sizeof t->openid, "OPENID", n, sizeof t->openid);
    fill(t->unionid, sizeof t->unionid, "UNION", n, sizeof t->unionid);
    fill(t->scope, sizeof t->scope, "scope", n, sizeof t->scope);
}

static void make_secrets(kg_secrets_t *s, int n)
{
    memset(s, 0, sizeof *s);
    fill(s->secret, sizeof s->secret, "SECRET", n, 32 + (size_t)n % 31);
    fill(s->appkey, sizeof s->appkey, "APPKEY", n, 20 + (size_t)n % 43);
}

static bool tokens_equal(const kg_tokens_t *a, const kg_tokens_t *b)
{
    return memcmp(a, b, sizeof *a) == 0; /* decode zeroes the set; make_tokens too */
}

/* ---- The emulated part ---- */

static size_t region(void)
{
    return (size_t)geo.size * geo.count;
}

/* Power on over the image as it stands, strict, with a cut (0: none). */
static void boot(uint32_t cut_op, uint32_t cut_bytes, kg_flash_cut_erase_t mode)
{
    kg_err_t err = kg_flash_file_init(&ff, image, geo.size, geo.count, geo.unit, NULL);
    if (err == KG_OK) err = kg_store_init(&st, &ff.flash);
    if (err != KG_OK) {
        fprintf(stderr, "boot: %s\n", kg_err_name(err));
        exit(2);
    }
    ff.strict = true;
    ff.cut_op = cut_op;
    ff.cut_bytes = cut_bytes;
    ff.cut_erase = mode;
}

typedef struct {
    bool erase;
    size_t len;
} op_t;

static op_t ops[OPS_MAX];
static uint32_t n_ops;

static void trace(void *ctx, uint32_t op, bool erase, uint32_t addr, size_t len)
{
    (void)ctx;
    (void)addr;
    if (op <= OPS_MAX) ops[op - 1] = (op_t){erase, len};
    n_ops = op;
}

/* ---- What must load ---- */

typedef struct {
    bool has_tokens, has_secrets;
    kg_tokens_t tokens;
    kg_secrets_t secrets;
} content_t;

/* One save of the sequence: a token set or a secrets record. */
typedef struct {
    bool secrets;
    int n;
} step_t;

static kg_err_t do_save(const step_t *s)
{
    if (s->secrets) {
        kg_secrets_t sec;
        make_secrets(&sec, s->n);
        return kg_store_save_secrets(&st, &sec);
    }
    kg_tokens_t t;
    make_tokens(&t, s->n);
    return kg_store_save_tokens(&st, &t);
}

/* After a reboot: the token set loads as old or new (old may be "none"
 * only while nothing was ever saved). *got, *err: what loaded. */
static bool tokens_ok(const content_t *old, const content_t *new_content, kg_tokens_t *got,
                      kg_err_t *err)
{
    *err = kg_store_load_tokens(&st, got);
    if (*err == KG_ERR_NOT_FOUND) return !old->has_tokens;
    if (*err != KG_OK) return false;
    if (old->has_tokens && tokens_equal(got, &old->tokens)) return true;
    return new_content->has_tokens && tokens_equal(got, &new_content->tokens);
}

/* The same for the secrets. */
static bool secrets_ok(const content_t *old, const content_t *new_content, kg_secrets_t *got,
                       kg_err_t *err)
{
    *err = kg_store_load_secrets(&st, got);
    if (*err == KG_ERR_NOT_FOUND) return !old->has_secrets;
    if (*err != KG_OK) return false;
    if (old->has_secrets && memcmp(got, &old->secrets, sizeof *got) == 0) return true;
    return new_content->has_secrets && memcmp(got, &new_content->secrets, sizeof *got) == 0;
}

/* After the check: a fresh token set saves and loads, the secrets stay. */
static bool recovers(const kg_secrets_t *sec, bool has_secrets)
{
    kg_tokens_t t, got;
    kg_secrets_t sgot;
    make_tokens(&t, 100000);
    if (kg_store_save_tokens(&st, &t) != KG_OK) return false;
    if (kg_store_load_tokens(&st, &got) != KG_OK || !tokens_equal(&got, &t)) return false;
    if (!has_secrets) return true;
    return kg_store_load_secrets(&st, &sgot) == KG_OK && memcmp(&sgot, sec, sizeof sgot) == 0;
}

/* The store's invariant: at every instant one sector on its own (the
 * others blanked) loads exactly what the whole region loads, so that
 * erasing any other sector loses nothing. */
static uint8_t whole[REGION_MAX];

static bool loads_same(const kg_tokens_t *t, kg_err_t te, const kg_secrets_t *sec, kg_err_t se)
{
    kg_tokens_t t2;
    kg_secrets_t s2;
    if (kg_store_load_tokens(&st, &t2) != te || kg_store_load_secrets(&st, &s2) != se) return false;
    if (te == KG_OK && !tokens_equal(t, &t2)) return false;
    return se != KG_OK || memcmp(sec, &s2, sizeof s2) == 0;
}

/* t / te and sec / se: what the whole region loads. The sector found last
 * time is tried first (it rarely changes). */
static bool some_sector_complete(const kg_tokens_t *t, kg_err_t te, const kg_secrets_t *sec,
                                 kg_err_t se)
{
    static uint32_t last;
    bool found = false;
    if (te != KG_OK || se != KG_OK) return true; /* one kind: its newest record's sector */
    memcpy(whole, image, region());
    for (uint32_t i = 0; i < geo.count && !found; i++) {
        const uint32_t c = (last + i) % geo.count;
        memset(image, 0xFF, region());
        memcpy(image + c * geo.size, whole + c * geo.size, geo.size);
        boot(0, 0, KG_FLASH_CUT_PARTIAL);
        found = loads_same(t, te, sec, se);
        last = found ? c : last;
    }
    memcpy(image, whole, region());
    boot(0, 0, KG_FLASH_CUT_PARTIAL);
    return found;
}

/* The same, loading what the whole region holds first. */
static bool invariant_holds(void)
{
    kg_tokens_t t;
    kg_secrets_t sec;
    boot(0, 0, KG_FLASH_CUT_PARTIAL);
    const kg_err_t te = kg_store_load_tokens(&st, &t), se = kg_store_load_secrets(&st, &sec);
    return some_sector_complete(&t, te, &sec, se);
}

static long cut_points, failures;

/* One cut: from `before`, cut at op after k bytes, reboot, check, recover. */
static void one_cut(const step_t *s, const content_t *old, const content_t *new_content,
                    uint32_t op, uint32_t k, kg_flash_cut_erase_t mode)
{
    kg_tokens_t t;
    kg_secrets_t sec;
    kg_err_t te = KG_OK, se = KG_OK;
    memcpy(image, before, region());
    boot(op, k, mode);
    const kg_err_t save_err = do_save(s);
    const bool carried = st.carried != 0; /* never, without corruption */
    boot(0, 0, KG_FLASH_CUT_PARTIAL);
    bool ok = save_err != KG_OK && !carried && tokens_ok(old, new_content, &t, &te);
    ok = ok && secrets_ok(old, new_content, &sec, &se) && some_sector_complete(&t, te, &sec, se);
    ok = ok && recovers(&sec, se == KG_OK) && ff.bit_sets == 0 && ff.misuse == 0 && !st.carried;
    cut_points++;
    if (!ok && failures++ < 10)
        fprintf(stderr, "  cut %u/%u k=%u mode=%d step n=%d%s: save %s\n", (unsigned)op,
                (unsigned)n_ops, (unsigned)k, (int)mode, s->n, s->secrets ? " (secrets)" : "",
                kg_err_name(save_err));
}

/* Every cut point of operation op (1-based). */
static void cut_op_everywhere(const step_t *s, const content_t *old, const content_t *new_content,
                              uint32_t op)
{
    const op_t *o = &ops[op - 1];
    if (!o->erase) {
        for (uint32_t k = 0; k <= o->len; k++)
            one_cut(s, old, new_content, op, k, KG_FLASH_CUT_PARTIAL);
        return;
    }
    const uint32_t ks[] = {0, 1, geo.size / 2, geo.size - 1, geo.size};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        one_cut(s, old, new_content, op, ks[i], KG_FLASH_CUT_PARTIAL);
        if (ks[i]) one_cut(s, old, new_content, op, ks[i], KG_FLASH_CUT_ZEROED);
    }
}

/* The content once step s has completed. */
static void apply(content_t *c, const step_t *s)
{
    if (s->secrets) {
        make_secrets(&c->secrets, s->n);
        c->has_secrets = true;
    } else {
        make_tokens(&c->tokens, s->n);
        c->has_tokens = true;
    }
}

/* Run step s on the image: learn its operations, cut at each, then let it
 * complete. Returns the erases it did. */
static uint32_t run_step(const step_t *s, content_t *c)
{
    content_t next = *c;
    apply(&next, s);
    memcpy(before, image, region());
    boot(0, 0, KG_FLASH_CUT_PARTIAL);
    ff.on_op = trace;
    n_ops = 0;
    KG_CHECK_ERR(do_save(s), KG_OK);
    KG_CHECK(n_ops <= OPS_MAX);
    const uint32_t erases = ff.erases;
    for (uint32_t op = 1; op <= n_ops && op <= OPS_MAX; op++)
        cut_op_everywhere(s, c, &next, op);
    /* Complete the step for real. */
    memcpy(image, before, region());
    boot(0, 0, KG_FLASH_CUT_PARTIAL);
    KG_CHECK_ERR(do_save(s), KG_OK);
    KG_CHECK_EQ(st.carried, 0);
    KG_CHECK(invariant_holds());
    *c = next;
    return erases;
}

/* The sequence for this geometry: token sets of changing sizes, secrets
 * twice where they fit, one save that changes nothing, until the ring has
 * been gone round twice. */
static void run_geometry(const geo_t *g)
{
    content_t c;
    memset(&c, 0, sizeof c);
    geo = *g;
    memset(image, 0xFF, region());
    const long cuts_before = cut_points, failures_before = failures;
    const bool secrets_fit = g->size >= 2048;
    uint32_t erases = 0, saves = 0, no_change_ops = 0;
    for (int i = 1; (erases < 2 * g->count + 1 || i < 8) && i < 400; i++) {
        step_t s = {false, i};
        if (secrets_fit && (i == 3 || i == 11)) s = (step_t){true, i};
        if (i == 6) s.n = 5; /* the set saved by step 5: no change */
        erases += run_step(&s, &c);
        saves++;
        if (i == 6) no_change_ops = n_ops;
    }
    KG_CHECK(erases >= 2 * g->count + 1);
    KG_CHECK_EQ(no_change_ops, 0);
    if (!secrets_fit) {
        kg_secrets_t sec;
        make_secrets(&sec, 1);
        boot(0, 0, KG_FLASH_CUT_PARTIAL);
        KG_CHECK_ERR(kg_store_save_secrets(&st, &sec), KG_ERR_NO_SPACE);
    }
    printf("     %4u x %u sectors, unit %u: %u saves, %ld cut points, all survived: %s\n",
           (unsigned)g->size, (unsigned)g->count, (unsigned)g->unit, (unsigned)saves,
           cut_points - cuts_before, failures == failures_before ? "yes" : "NO");
}

static void test_power_cut_everywhere(void)
{
    const clock_t t0 = clock();
    for (size_t i = 0; i < sizeof geos / sizeof geos[0]; i++)
        run_geometry(&geos[i]);
    KG_CHECK_EQ(failures, 0);
    printf("     %ld cut points in all, %ld failed, %.1f s\n", cut_points, failures,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
}

/* ---- Wear ---- */

/* Erases per save over many saves of changing sets: real-size (64-byte
 * tokens, 32-byte ids) and maximal (every string at capacity); with a
 * secrets record beside them where it fits (its copy rides along on every
 * move to a new sector). */
static void wear_run(const geo_t *g, bool maximal, bool with_secrets)
{
    enum { SAVES = 2000 };
    geo = *g;
    memset(image, 0xFF, region());
    boot(0, 0, KG_FLASH_CUT_PARTIAL);
    kg_tokens_t t;
    kg_secrets_t sec;
    make_secrets(&sec, 1);
    if (with_secrets) KG_CHECK_ERR(kg_store_save_secrets(&st, &sec), KG_OK);
    for (int i = 0; i < SAVES; i++) {
        if (maximal)
            make_max_tokens(&t, 2);
        else
            make_tokens(&t, 3);                     /* 64-byte tokens */
        for (int d = 0, v = i; d < 6; d++, v /= 10) /* changes every time, same size */
            t.access_token[4 + d] = (char)('0' + v % 10);
        KG_CHECK_ERR(kg_store_save_tokens(&st, &t), KG_OK);
    }
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint32_t s = 0; s < g->count; s++) {
        lo = ff.wear[s] < lo ? ff.wear[s] : lo;
        hi = ff.wear[s] > hi ? ff.wear[s] : hi;
    }
    KG_CHECK(hi - lo <= 1); /* the ring spreads erases evenly */
    KG_CHECK_EQ(ff.bit_sets, 0);
    if (with_secrets) {
        kg_secrets_t got;
        KG_CHECK_ERR(kg_store_load_secrets(&st, &got), KG_OK);
        KG_CHECK(memcmp(&got, &sec, sizeof got) == 0);
    }
    printf("     %4u x %u, unit %u, %-9s sets%s: %.3f erases/save, %.0f bytes "
           "programmed/save, erases per sector %u..%u\n",
           (unsigned)g->size, (unsigned)g->count, (unsigned)g->unit,
           maximal ? "maximal" : "real-size", with_secrets ? " + secrets" : "",
           (double)ff.erases / SAVES, (double)ff.bytes_programmed / SAVES, (unsigned)lo,
           (unsigned)hi);
}

static void test_erases_per_save(void)
{
    for (size_t i = 0; i < sizeof geos / sizeof geos[0]; i++) {
        wear_run(&geos[i], false, false);
        wear_run(&geos[i], true, false);
        if (geos[i].size >= 2048) {
            wear_run(&geos[i], false, true);
            wear_run(&geos[i], true, true);
        }
    }
}

int main(void)
{
    KG_RUN(test_power_cut_everywhere);
    KG_RUN(test_erases_per_save);
    return kg_test_summary();
}
