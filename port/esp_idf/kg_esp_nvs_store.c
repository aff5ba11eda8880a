/*
 * kg_esp_nvs_store.c - the token set as one NVS blob (kg_token_store_t).
 *
 * Power safety is NVS's: a new value is written as a new entry before the
 * old one is erased, so a cut leaves the old or the new blob readable.
 * The blob is the record of kg_esp_nvs_store_t: a magic, a layout word
 * (the size of kg_tokens_t, which changes with the token capacities of
 * Kconfig), then the set. A blob another build wrote with other
 * capacities is refused with KG_ERR_STORE_VERSION rather than misread.
 */
#include "kg_port_esp_idf.h"

#include <string.h>

#include "nvs.h"

#define REC_MAGIC 0x6B67746Bu /* "kgtk" */
#define REC_KEY   "tokens"

static uint32_t rec_layout(void)
{
    return (uint32_t)sizeof(kg_tokens_t);
}

static void wipe(kg_esp_nvs_store_t *st)
{
    volatile uint8_t *p = (volatile uint8_t *)&st->rec;
    for (size_t i = 0; i < sizeof st->rec; i++)
        p[i] = 0;
}

static kg_err_t load_err(esp_err_t e)
{
    /* No namespace yet (never saved) or no key: nothing stored. */
    if (e == ESP_ERR_NVS_NOT_FOUND) return KG_ERR_NOT_FOUND;
    return KG_ERR_STORE;
}

static kg_err_t read_rec(kg_esp_nvs_store_t *st)
{
    nvs_handle_t h;
    esp_err_t e = nvs_open(st->ns, NVS_READONLY, &h);
    if (e != ESP_OK) return load_err(e);
    size_t len = sizeof st->rec;
    e = nvs_get_blob(h, REC_KEY, &st->rec, &len);
    nvs_close(h);
    /* A blob of another size does not fit (ESP_ERR_NVS_INVALID_LENGTH) or
     * comes back short: either way not this build's record. */
    if (e == ESP_ERR_NVS_INVALID_LENGTH || (e == ESP_OK && len != sizeof st->rec))
        return KG_ERR_STORE_VERSION;
    return e == ESP_OK ? KG_OK : load_err(e);
}

static kg_err_t nvs_store_load(void *ctx, kg_tokens_t *out)
{
    kg_esp_nvs_store_t *st = ctx;
    if (!st || !out) return KG_ERR_ARG;
    kg_err_t err = read_rec(st);
    if (err == KG_OK && (st->rec.magic != REC_MAGIC || st->rec.layout != rec_layout()))
        err = KG_ERR_STORE_VERSION;
    if (err == KG_OK) *out = st->rec.tokens;
    wipe(st);
    return err;
}

static kg_err_t write_rec(const kg_esp_nvs_store_t *st)
{
    nvs_handle_t h;
    if (nvs_open(st->ns, NVS_READWRITE, &h) != ESP_OK) return KG_ERR_STORE;
    esp_err_t e = nvs_set_blob(h, REC_KEY, &st->rec, sizeof st->rec);
    /* Only nvs_commit guarantees the value is on flash. */
    if (e == ESP_OK) e = nvs_commit(h);
    nvs_close(h);
    return e == ESP_OK ? KG_OK : KG_ERR_STORE;
}

static kg_err_t nvs_store_save(void *ctx, const kg_tokens_t *tokens)
{
    kg_esp_nvs_store_t *st = ctx;
    if (!st || !tokens) return KG_ERR_ARG;
    memset(&st->rec, 0, sizeof st->rec); /* no stale bytes in the padding */
    st->rec.magic = REC_MAGIC;
    st->rec.layout = rec_layout();
    st->rec.tokens = *tokens;
    kg_err_t err = write_rec(st);
    wipe(st);
    return err;
}

kg_err_t kg_esp_nvs_store_init(kg_esp_nvs_store_t *st, const char *ns, kg_token_store_t *out)
{
    if (!st || !ns || !*ns || !out) return KG_ERR_ARG;
    memset(st, 0, sizeof *st);
    st->ns = ns;
    out->ctx = st;
    out->load = nvs_store_load;
    out->save = nvs_store_save;
    return KG_OK;
}
