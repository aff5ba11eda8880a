/*
 * kg_flash_file.c - NOR flash emulated in memory, optionally backed by a
 * file, with power-cut injection (see kg_flash_file.h for the model).
 */
#include "kg_flash_file.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t region_size(const kg_flash_file_t *ff)
{
    return (size_t)ff->flash.sector_size * ff->flash.sector_count;
}

/* ---- The backing file ---- */

static bool write_all(int fd, const uint8_t *p, size_t len, off_t at)
{
    while (len) {
        ssize_t n = pwrite(fd, p, len, at);
        if (n <= 0) return false;
        p += n;
        at += n;
        len -= (size_t)n;
    }
    return true;
}

static bool read_all(int fd, uint8_t *p, size_t len)
{
    off_t at = 0;
    while (len) {
        ssize_t n = pread(fd, p, len, at);
        if (n <= 0) return false;
        p += n;
        at += n;
        len -= (size_t)n;
    }
    return true;
}

/* Write [addr, addr + len) of the image through to the file. */
static kg_err_t sync_range(const kg_flash_file_t *ff, uint32_t addr, size_t len)
{
    if (!ff->has_file) return KG_OK;
    return write_all(ff->fd, ff->image + addr, len, (off_t)addr) ? KG_OK : KG_ERR_FLASH;
}

static kg_err_t open_file(kg_flash_file_t *ff, const char *path)
{
    struct stat sb;
    const size_t size = region_size(ff);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0) return KG_ERR_FLASH;
    ff->fd = fd;
    ff->has_file = true;
    if (fstat(fd, &sb) == 0 && (size_t)sb.st_size == size && read_all(fd, ff->image, size))
        return KG_OK;
    memset(ff->image, 0xFF, size); /* a new part comes erased */
    if (ftruncate(fd, 0) == 0 && sync_range(ff, 0, size) == KG_OK) return KG_OK;
    kg_flash_file_close(ff);
    return KG_ERR_FLASH;
}

/* ---- Operations ---- */

static bool in_range(const kg_flash_file_t *ff, uint32_t addr, size_t len)
{
    const size_t size = region_size(ff);
    return addr <= size && len <= size - addr;
}

/* Counts the operation; true when the power goes during it. */
static bool begin_op(kg_flash_file_t *ff, bool erase, uint32_t addr, size_t len)
{
    ff->ops++;
    if (ff->on_op) ff->on_op(ff->on_op_ctx, ff->ops, erase, addr, len);
    return ff->cut_op != 0 && ff->ops == ff->cut_op;
}

static bool sets_a_bit(const uint8_t *old, const uint8_t *new_bytes, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (new_bytes[i] & ~old[i]) return true;
    return false;
}

static kg_err_t ff_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    kg_flash_file_t *ff = ctx;
    if (ff->powered_off) return KG_ERR_FLASH;
    if (!buf || !in_range(ff, addr, len)) {
        ff->misuse++;
        return KG_ERR_ARG;
    }
    ff->reads++;
    ff->bytes_read += len;
    memcpy(buf, ff->image + addr, len);
    return KG_OK;
}

static bool program_valid(const kg_flash_file_t *ff, uint32_t addr, const void *buf, size_t len)
{
    const uint32_t unit = ff->flash.program_unit;
    return buf && in_range(ff, addr, len) && addr % unit == 0 && len % unit == 0;
}

static kg_err_t ff_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    kg_flash_file_t *ff = ctx;
    const uint8_t *src = buf;
    if (ff->powered_off) return KG_ERR_FLASH;
    if (!program_valid(ff, addr, buf, len)) {
        ff->misuse++;
        return KG_ERR_ARG;
    }
    const bool cut = begin_op(ff, false, addr, len);
    const bool sets = sets_a_bit(ff->image + addr, src, len);
    ff->bit_sets += sets;
    if (sets && ff->strict) {
        ff->powered_off = cut;
        return KG_ERR_FLASH;
    }
    const size_t n = cut && ff->cut_bytes < len ? ff->cut_bytes : len;
    for (size_t i = 0; i < n; i++)
        ff->image[addr + i] &= src[i];
    ff->programs++;
    ff->bytes_programmed += n;
    kg_err_t err = sync_range(ff, addr, n);
    ff->powered_off = cut;
    return cut ? KG_ERR_FLASH : err;
}

static kg_err_t ff_erase(void *ctx, uint32_t sector)
{
    kg_flash_file_t *ff = ctx;
    const uint32_t size = ff->flash.sector_size;
    if (ff->powered_off) return KG_ERR_FLASH;
    if (sector >= ff->flash.sector_count) {
        ff->misuse++;
        return KG_ERR_ARG;
    }
    const uint32_t addr = sector * size;
    const bool cut = begin_op(ff, true, addr, size);
    const uint32_t n = cut && ff->cut_bytes < size ? ff->cut_bytes : size;
    const bool zeroed = cut && ff->cut_erase == KG_FLASH_CUT_ZEROED;
    memset(ff->image + addr, zeroed ? 0x00 : 0xFF, n);
    ff->erases++;
    ff->wear[sector]++;
    kg_err_t err = sync_range(ff, addr, n);
    ff->powered_off = cut;
    return cut ? KG_ERR_FLASH : err;
}

/* ---- Set-up ---- */

static bool geometry_valid(uint32_t sector_size, uint32_t sector_count, uint32_t unit)
{
    const bool unit_ok = unit == 1 || unit == 2 || unit == 4 || unit == 8 || unit == 16;
    if (!unit_ok || !sector_size || sector_size % unit) return false;
    return sector_count >= 1 && sector_count <= KG_FLASH_FILE_SECTORS_MAX &&
           sector_size <= UINT32_MAX / sector_count;
}

kg_err_t kg_flash_file_init(kg_flash_file_t *ff, uint8_t *image, uint32_t sector_size,
                            uint32_t sector_count, uint32_t program_unit, const char *path)
{
    if (!ff) return KG_ERR_ARG;
    memset(ff, 0, sizeof *ff); /* a failed init leaves ff that kg_flash_file_close ignores */
    ff->fd = -1;
    if (!image || !geometry_valid(sector_size, sector_count, program_unit)) return KG_ERR_ARG;
    ff->flash = (kg_flash_t){
        .ctx = ff,
        .sector_size = sector_size,
        .sector_count = sector_count,
        .program_unit = program_unit,
        .read = ff_read,
        .program = ff_program,
        .erase = ff_erase,
    };
    ff->image = image;
    ff->fd = -1;
    return path ? open_file(ff, path) : KG_OK;
}

void kg_flash_file_close(kg_flash_file_t *ff)
{
    if (!ff || !ff->has_file) return; /* zero-filled: fd 0 is not ours */
    close(ff->fd);
    ff->fd = -1;
    ff->has_file = false;
}
