/*
 * kg_zephyr_settings_store.c - the token set as one settings value
 * (kg_token_store_t), for CONFIG_KGIOT_ZEPHYR_STORE_SETTINGS.
 *
 * Power safety is the settings backend's: NVS and ZMS append the new value
 * before they drop the old one, so a cut leaves the old or the new value.
 * The value is the record of kg_zephyr_settings_store_t: a magic, a layout
 * word (the size of kg_tokens_t, which changes with the token capacities of
 * Kconfig), then the set. A value another build wrote with other capacities
 * is refused with KG_ERR_STORE_VERSION rather than misread.
 */
#include "kg_port_zephyr.h"

#include <string.h>

#include <zephyr/settings/settings.h>

#define REC_MAGIC 0x6B67746Bu /* "kgtk" */

static uint32_t rec_layout(void)
{
    return (uint32_t)sizeof(kg_tokens_t);
}

static void wipe(kg_zephyr_settings_store_t *st)
{
    volatile uint8_t *p = (volatile uint8_t *)&st->rec;
    for (size_t i = 0; i < sizeof st->rec; i++)
        p[i] = 0;
}

/* Called for each value under the key; the key itself comes with an
 * empty remainder (NULL or ""). Returning non-zero ends the search. */
static int on_value(const char *rest, size_t len, settings_read_cb read_cb, void *cb_arg,
                    void *param)
{
    kg_zephyr_settings_store_t *st = param;
    if (rest && *rest) return 0; /* a value below the key, not ours */
    if (len != sizeof st->rec) {
        st->found = len == 0 ? KG_ERR_NOT_FOUND : KG_ERR_STORE_VERSION;
        return 1;
    }
    ssize_t n = read_cb(cb_arg, &st->rec, sizeof st->rec);
    if (n == 0)
        st->found = KG_ERR_NOT_FOUND; /* deleted */
    else
        st->found = n == (ssize_t)sizeof st->rec ? KG_OK : KG_ERR_STORE;
    return 1;
}

static kg_err_t settings_load_tokens(void *ctx, kg_tokens_t *out)
{
    kg_zephyr_settings_store_t *st = ctx;
    if (!st || !out) return KG_ERR_ARG;
    st->found = KG_ERR_NOT_FOUND;
    kg_err_t err = KG_ERR_STORE;
    if (settings_load_subtree_direct(st->key, on_value, st) == 0) err = st->found;
    if (err == KG_OK && (st->rec.magic != REC_MAGIC || st->rec.layout != rec_layout()))
        err = KG_ERR_STORE_VERSION;
    if (err == KG_OK) *out = st->rec.tokens;
    wipe(st);
    return err;
}

static kg_err_t settings_save_tokens(void *ctx, const kg_tokens_t *tokens)
{
    kg_zephyr_settings_store_t *st = ctx;
    if (!st || !tokens) return KG_ERR_ARG;
    memset(&st->rec, 0, sizeof st->rec); /* no stale bytes in the padding */
    st->rec.magic = REC_MAGIC;
    st->rec.layout = rec_layout();
    st->rec.tokens = *tokens;
    int rc = settings_save_one(st->key, &st->rec, sizeof st->rec);
    wipe(st);
    return rc == 0 ? KG_OK : KG_ERR_STORE;
}

kg_err_t kg_zephyr_settings_store_init(kg_zephyr_settings_store_t *st, const char *key,
                                       kg_token_store_t *out)
{
    if (!st || !key || !*key || !out) return KG_ERR_ARG;
    /* Brings up the backend; a second call does nothing. */
    if (settings_subsys_init() != 0) return KG_ERR_STORE;
    memset(st, 0, sizeof *st);
    st->key = key;
    out->ctx = st;
    out->load = settings_load_tokens;
    out->save = settings_save_tokens;
    return KG_OK;
}
