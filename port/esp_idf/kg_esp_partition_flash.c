/*
 * kg_esp_partition_flash.c - a kg_flash_t (kg_port.h) over an ESP-IDF data
 * partition, for kg_store's journal. esp_partition_* take offsets relative
 * to the partition and check the bounds; SPI NOR flash clears bits on
 * program and sets a whole erase sector to 0xFF, as kg_flash_t expects.
 */
#include "kg_port_esp_idf.h"

#include "esp_partition.h"

/* Encrypted partitions are written in 16-byte blocks (esp_partition_write). */
#define ENCRYPTED_PROGRAM_UNIT 16u

static kg_err_t part_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    const esp_partition_t *p = ctx;
    return esp_partition_read(p, addr, buf, len) == ESP_OK ? KG_OK : KG_ERR_FLASH;
}

static kg_err_t part_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    const esp_partition_t *p = ctx;
    return esp_partition_write(p, addr, buf, len) == ESP_OK ? KG_OK : KG_ERR_FLASH;
}

static kg_err_t part_erase(void *ctx, uint32_t sector)
{
    const esp_partition_t *p = ctx;
    size_t size = p->erase_size;
    return esp_partition_erase_range(p, (size_t)sector * size, size) == ESP_OK ? KG_OK
                                                                               : KG_ERR_FLASH;
}

kg_err_t kg_esp_partition_flash_init(kg_flash_t *flash, const char *label)
{
    if (!flash || !label || !*label) return KG_ERR_ARG;
    const esp_partition_t *p =
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY, label);
    if (!p) return KG_ERR_NOT_FOUND;
    if (p->erase_size == 0) return KG_ERR_ARG;
    uint32_t sectors = p->size / p->erase_size;
    flash->ctx = (void *)p; /* kg_flash_t's ctx is not const; the callbacks treat it so */
    flash->sector_size = p->erase_size;
    /* kg_store takes at most KG_STORE_SECTORS_MAX; the rest stays unused. */
    flash->sector_count = sectors > KG_STORE_SECTORS_MAX ? KG_STORE_SECTORS_MAX : sectors;
    flash->program_unit = p->encrypted ? ENCRYPTED_PROGRAM_UNIT : 1u;
    flash->read = part_read;
    flash->program = part_program;
    flash->erase = part_erase;
    return KG_OK;
}
