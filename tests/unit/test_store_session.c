/*
 * test_store_session.c - kg_session on kg_store over the flash emulation,
 * against the fake platform: a login survives a reboot; and power cut
 * during the save of a refreshed token, at every program and erase and
 * after every byte of each program, then a reboot: the store loads the old
 * or the new set, kg_session_resume works with it, and an authorised call
 * goes through.
 */
#include <stdlib.h>

#include "fake_platform.h"
#include "kg_flash_file.h"
#include "kg_store.h"
#include "kg_test.h"

#define P_API   "/v1/playlist"
#define OPS_MAX 16

static uint8_t image[2 * 4096];
static kg_flash_file_t ff;
static kg_store_t store;
static const kg_token_store_t ts = {&store, kg_store_load_tokens, kg_store_save_tokens};
static kg_session_t s;
static kg_session_config_t cfg;
static kg_call_reply_t reply;
static uint32_t g_size, g_unit;

/* Power on: the flash as the image holds it, the store over it. */
static void power_on(void)
{
    if (kg_flash_file_init(&ff, image, g_size, 2, g_unit, NULL) != KG_OK ||
        kg_store_init(&store, &ff.flash) != KG_OK) {
        fprintf(stderr, "power_on failed\n");
        exit(2);
    }
    ff.strict = true;
}

/* The application starting: a session on the store (fake platform and
 * transport; the platform keeps its state across the device's reboots). */
static void start_session(void)
{
    fp_config(&cfg, KG_MODE_BROKER, &s);
    cfg.store = &ts;
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport), KG_OK);
}

static void reboot(void)
{
    kg_session_free(&s); /* the connection dies with the device */
    power_on();
    start_session();
    fp.n_events = 0;
}

/* Blank flash, a fresh platform, the user logged in (tokens saved). */
static void logged_in(uint32_t size, uint32_t unit)
{
    g_size = size;
    g_unit = unit;
    memset(image, 0xFF, sizeof image);
    fp_reset();
    power_on();
    start_session();
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK_ERR(kg_login(&s, 0), KG_OK);
}

/* Move the clock to the refresh margin of the current user token. */
static void near_expiry(void)
{
    const int64_t at = s.tokens.expires_at - CONFIG_KGIOT_REFRESH_MARGIN_S;
    fp.now_ms = (uint64_t)(at - FP_UNIX_BASE) * 1000;
}

static void test_login_survives_reboot(void)
{
    logged_in(4096, 8);
    KG_CHECK(fp.saves == 0);     /* the fake's own store is not used */
    KG_CHECK_EQ(store.saves, 2); /* the app token, then the user token */
    reboot();
    KG_CHECK_ERR(kg_session_resume(&s), KG_OK);
    KG_CHECK_STR(s.tokens.access_token, "ACCTOK-1");
    KG_CHECK_STR(s.tokens.openid, FP_OPENID);
    KG_CHECK_ERR(kg_call(&s, P_API, "{}", &reply), KG_OK);
    /* Logout is saved too: after a reboot a login is required. */
    KG_CHECK_ERR(kg_logout(&s), KG_OK);
    reboot();
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED);
    KG_CHECK(s.tokens.app_token[0] != '\0'); /* the app token stays */
    KG_CHECK_EQ(ff.bit_sets, 0);
}

/* ---- Power cut in the refresh's save ---- */

typedef struct {
    bool erase;
    size_t len;
} op_t;

static op_t ops[OPS_MAX];
static uint32_t first_op, n_ops;

static void trace(void *ctx, uint32_t op, bool erase, uint32_t addr, size_t len)
{
    (void)ctx;
    (void)addr;
    if (op - first_op < OPS_MAX) ops[op - first_op] = (op_t){erase, len};
    n_ops = op - first_op + 1;
}

/* Logged in, then `pre` refreshes (each saved), then near expiry again. */
static void before_refresh(uint32_t size, uint32_t unit, int pre)
{
    logged_in(size, unit);
    for (int i = 0; i < pre; i++) {
        near_expiry();
        KG_CHECK_ERR(kg_session_keep_alive(&s), KG_OK);
    }
    near_expiry();
}

static long cut_points, failures, loaded_old, loaded_new;

/* The device refreshes and the power goes at op (of the refresh's save)
 * after k bytes; then it boots again. */
static void one_cut(uint32_t size, uint32_t unit, int pre, uint32_t op, uint32_t k,
                    kg_flash_cut_erase_t mode)
{
    kg_tokens_t loaded;
    char old_token[CONFIG_KGIOT_TOKEN_MAX];
    before_refresh(size, unit, pre);
    snprintf(old_token, sizeof old_token, "%s", s.tokens.access_token);
    ff.cut_op = ff.ops + op;
    ff.cut_bytes = k;
    ff.cut_erase = mode;
    /* The refreshed token works; the save the power cut is reported. */
    bool ok = kg_session_keep_alive(&s) == KG_ERR_STORE;
    ok = ok && ff.powered_off;
    const char *new_token = fp.access_token; /* what the platform issued */
    reboot();
    ok = ok && kg_store_load_tokens(&store, &loaded) == KG_OK;
    loaded_old += ok && !strcmp(loaded.access_token, old_token);
    loaded_new += ok && !strcmp(loaded.access_token, new_token);
    ok = ok && (!strcmp(loaded.access_token, old_token) || !strcmp(loaded.access_token, new_token));
    ok = ok && kg_session_resume(&s) == KG_OK && s.logged_in;
    ok = ok && kg_call(&s, P_API, "{}", &reply) == KG_OK;
    ok = ok && ff.bit_sets == 0 && ff.misuse == 0 && fp.misuse == 0;
    cut_points++;
    if (!ok && failures++ < 10)
        fprintf(stderr, "  pre=%d cut op %u k=%u mode=%d: loaded %s\n", pre, (unsigned)op,
                (unsigned)k, (int)mode, loaded.access_token);
}

/* Returns whether the refresh's save erased a sector. */
static bool cut_everywhere(uint32_t size, uint32_t unit, int pre)
{
    bool any_erase = false;
    before_refresh(size, unit, pre);
    first_op = ff.ops + 1;
    n_ops = 0;
    ff.on_op = trace;
    KG_CHECK_ERR(kg_session_keep_alive(&s), KG_OK);
    KG_CHECK(n_ops >= 1 && n_ops <= OPS_MAX);
    const long before = cut_points;
    for (uint32_t op = 1; op <= n_ops && op <= OPS_MAX; op++) {
        const op_t o = ops[op - 1];
        any_erase = any_erase || o.erase;
        const uint32_t last = o.erase ? size : (uint32_t)o.len;
        const uint32_t step = o.erase ? size / 2 : 1; /* erases: 0, half, all */
        for (uint32_t k = 0; k <= last; k += step) {
            one_cut(size, unit, pre, op, k, KG_FLASH_CUT_PARTIAL);
            if (o.erase && k) one_cut(size, unit, pre, op, k, KG_FLASH_CUT_ZEROED);
        }
    }
    printf("     %u-byte sectors, unit %u, after %d refreshes: %u ops%s, %ld cut points\n",
           (unsigned)size, (unsigned)unit, pre, (unsigned)n_ops,
           any_erase ? " (a sector erase among them)" : "", cut_points - before);
    return any_erase;
}

static void test_cut_during_refresh_save(void)
{
    cut_everywhere(4096, 8, 0); /* appended behind the login's records */
    /* 1 KB sectors: records of about 120 bytes, so within 9 refreshes the
     * log fills a sector and a refresh's save moves on (an erase). */
    int moves = 0;
    for (int pre = 0; pre <= 9; pre++)
        moves += cut_everywhere(1024, 1, pre);
    KG_CHECK(moves >= 1);
    KG_CHECK_EQ(failures, 0);
    KG_CHECK(loaded_old > 0 && loaded_new > 0); /* both outcomes happen */
    printf(
        "     %ld cut points in all, %ld failed; the old set loaded after %ld, the new after %ld\n",
        cut_points, failures, loaded_old, loaded_new);
}

int main(void)
{
    KG_RUN(test_login_survives_reboot);
    KG_RUN(test_cut_during_refresh_save);
    return kg_test_summary();
}
