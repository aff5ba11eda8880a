/*
 * kg_zephyr_flash.c - a kg_flash_t (kg_port.h) over a Zephyr flash area, and
 * kg_store's journal on the partition labelled kgiot_partition, for
 * CONFIG_KGIOT_ZEPHYR_STORE_FLASH_AREA. flash_area_* take offsets relative
 * to the area and check its bounds.
 */
#include "kg_port_zephyr.h"
#include "kg_zephyr_priv.h"

#include <string.h>

#include <zephyr/drivers/flash.h>
#include <zephyr/storage/flash_map.h>

#if !FIXED_PARTITION_EXISTS(kgiot_partition)
/* CONFIG_KGIOT_ZEPHYR_STORE_FLASH_AREA keeps the tokens there. */
#error "kgiot: no fixed partition labelled kgiot_partition: add one in a devicetree overlay"
#endif

static kg_err_t fa_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    const kg_zephyr_flash_t *zf = ctx;
    return flash_area_read(zf->fa, (off_t)addr, buf, len) == 0 ? KG_OK : KG_ERR_FLASH;
}

static kg_err_t fa_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    const kg_zephyr_flash_t *zf = ctx;
    return flash_area_write(zf->fa, (off_t)addr, buf, len) == 0 ? KG_OK : KG_ERR_FLASH;
}

static kg_err_t fa_erase(void *ctx, uint32_t sector)
{
    const kg_zephyr_flash_t *zf = ctx;
    size_t size = zf->flash.sector_size;
    return flash_area_erase(zf->fa, (off_t)((size_t)sector * size), size) == 0 ? KG_OK
                                                                               : KG_ERR_FLASH;
}

/* The page size if the area is whole pages of one size, else 0. */
static uint32_t uniform_page_size(const struct flash_area *fa)
{
    struct flash_pages_info first;
    struct flash_pages_info last;
    const struct device *dev = fa->fa_dev;
    if (fa->fa_size == 0) return 0;
    if (flash_get_page_info_by_offs(dev, fa->fa_off, &first) != 0) return 0;
    if (flash_get_page_info_by_offs(dev, fa->fa_off + (off_t)fa->fa_size - 1, &last) != 0) return 0;
    if (first.start_offset != fa->fa_off || first.size != last.size) return 0;
    return fa->fa_size % first.size == 0 ? (uint32_t)first.size : 0;
}

kg_err_t kg_zephyr_flash_init(kg_zephyr_flash_t *zf, uint8_t area_id)
{
    const struct flash_area *fa = NULL;
    if (!zf) return KG_ERR_ARG;
    if (flash_area_open(area_id, &fa) != 0 || !fa) return KG_ERR_NOT_FOUND;
    uint32_t page = uniform_page_size(fa);
    /* kg_flash_t's erased state is 0xFF (NOR flash). */
    if (page == 0 || flash_area_erased_val(fa) != 0xFF) {
        flash_area_close(fa);
        return KG_ERR_ARG;
    }
    uint32_t pages = (uint32_t)(fa->fa_size / page);
    memset(zf, 0, sizeof *zf);
    zf->fa = fa; /* kept open for as long as the store lives */
    zf->flash.ctx = zf;
    zf->flash.sector_size = page;
    /* kg_store takes at most KG_STORE_SECTORS_MAX; the rest stays unused. */
    zf->flash.sector_count = pages > KG_STORE_SECTORS_MAX ? KG_STORE_SECTORS_MAX : pages;
    zf->flash.program_unit = flash_area_align(fa); /* kg_store_init checks 1..16 */
    zf->flash.read = fa_read;
    zf->flash.program = fa_program;
    zf->flash.erase = fa_erase;
    return KG_OK;
}

kg_err_t kg_zephyr_partition_store_init(kg_port_zephyr_t *zp, kg_token_store_t *out)
{
    kg_err_t err = kg_zephyr_flash_init(&zp->store.area.zf, FIXED_PARTITION_ID(kgiot_partition));
    if (err == KG_OK) err = kg_store_init(&zp->store.area.journal, &zp->store.area.zf.flash);
    if (err != KG_OK) return err;
    out->ctx = &zp->store.area.journal;
    out->load = kg_store_load_tokens;
    out->save = kg_store_save_tokens;
    return KG_OK;
}
