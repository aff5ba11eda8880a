/*
 * board_flash.c - NOR flash emulated in RAM through kg_port.h's kg_flash_t:
 * erase sets a sector to 0xFF, program can only clear bits, and a power cut
 * can be armed to interrupt the n-th program or erase part-way (as
 * littlefs's test block device does), so that kg_store's power safety can
 * be tested on the target.
 */
#include <string.h>

#include "board_port.h"

#define FLASH_SIZE (BOARD_FLASH_SECTOR_SIZE * BOARD_FLASH_SECTORS)

static struct {
    uint8_t mem[FLASH_SIZE];
    uint32_t cut_in; /* operations until the cut; 0: none armed */
    size_t cut_keep;
    bool off;
    bool made; /* left the factory: erased once */
    uint32_t programs, erases;
} fl;

/* A new part comes erased; .bss starts it at 0x00. */
static void factory_state(void)
{
    if (!fl.made) board_flash_erase_all();
}

static bool in_range(uint32_t addr, size_t len)
{
    return addr <= FLASH_SIZE && len <= FLASH_SIZE - addr;
}

/* How many bytes of an operation of len bytes happen: all of them, or the
 * prefix kept by the power cut armed for this one. */
static size_t bytes_done(size_t len)
{
    if (fl.cut_in == 0 || --fl.cut_in > 0) return len;
    fl.off = true;
    return fl.cut_keep < len ? fl.cut_keep : len;
}

static kg_err_t fl_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (!buf || !in_range(addr, len)) return KG_ERR_ARG;
    factory_state();
    if (fl.off) return KG_ERR_FLASH;
    memcpy(buf, fl.mem + addr, len);
    return KG_OK;
}

static kg_err_t fl_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx;
    if (!buf || !in_range(addr, len)) return KG_ERR_ARG;
    if (addr % BOARD_FLASH_PROGRAM_UNIT || len % BOARD_FLASH_PROGRAM_UNIT) return KG_ERR_ARG;
    factory_state();
    if (fl.off) return KG_ERR_FLASH;
    fl.programs++;
    size_t n = bytes_done(len);
    const uint8_t *src = buf;
    for (size_t i = 0; i < n; i++)
        fl.mem[addr + i] &= src[i]; /* NOR: bits only go from 1 to 0 */
    return n == len ? KG_OK : KG_ERR_FLASH;
}

static kg_err_t fl_erase(void *ctx, uint32_t sector)
{
    (void)ctx;
    if (sector >= BOARD_FLASH_SECTORS) return KG_ERR_ARG;
    factory_state();
    if (fl.off) return KG_ERR_FLASH;
    fl.erases++;
    size_t n = bytes_done(BOARD_FLASH_SECTOR_SIZE);
    memset(fl.mem + sector * BOARD_FLASH_SECTOR_SIZE, 0xFF, n);
    return n == BOARD_FLASH_SECTOR_SIZE ? KG_OK : KG_ERR_FLASH;
}

const kg_flash_t board_flash = {
    .ctx = NULL,
    .sector_size = BOARD_FLASH_SECTOR_SIZE,
    .sector_count = BOARD_FLASH_SECTORS,
    .program_unit = BOARD_FLASH_PROGRAM_UNIT,
    .read = fl_read,
    .program = fl_program,
    .erase = fl_erase,
};

void board_flash_erase_all(void)
{
    memset(&fl, 0, sizeof fl);
    memset(fl.mem, 0xFF, sizeof fl.mem);
    fl.made = true;
}

void board_flash_cut_at(uint32_t n, size_t keep)
{
    fl.cut_in = n;
    fl.cut_keep = keep;
}

void board_flash_power_on(void)
{
    fl.off = false;
    fl.cut_in = 0;
}

bool board_flash_power_lost(void)
{
    return fl.off;
}

uint32_t board_flash_programs(void)
{
    return fl.programs;
}

uint32_t board_flash_erases(void)
{
    return fl.erases;
}
