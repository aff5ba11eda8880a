/*
 * fuzz_store.h - the input of fuzz_store: an 8-byte prelude, then the flash
 * image (padded with 0xFF, as erased flash reads). Shared with the seed
 * generator, which writes inputs in this shape.
 *
 *   0     program unit: 1, 2, 4, 8, 16 (byte % 5)
 *   1     sector count: byte % 10 (0 and 1: kg_store_init refuses them)
 *   2..3  sector size: 768 + (u16 % 3400), rounded up to the program unit
 *   4     bit 0: recompute the CRCs of every well-placed 'kg' header and its
 *         body, so that mutations of header fields reach the checks behind
 *         the CRC; bit 1: save secrets too
 *   5     power cut at this flash operation of the first save (0: none)
 *   6     power cut after this many bytes of it (times 16)
 *   7     size class of the token set that is saved
 */
#ifndef FUZZ_STORE_H
#define FUZZ_STORE_H

#include <stdint.h>

#define FS_PRELUDE    8
#define FS_REGION_MAX (9u * 4176u)

static inline uint32_t fs_unit(const uint8_t *p)
{
    static const uint8_t units[5] = {1, 2, 4, 8, 16};
    return units[p[0] % 5];
}

static inline uint32_t fs_count(const uint8_t *p)
{
    return p[1] % 10u;
}

static inline uint32_t fs_size(const uint8_t *p)
{
    const uint32_t u = fs_unit(p), raw = 768u + (uint32_t)(p[2] | p[3] << 8) % 3400u;
    return (raw + u - 1) / u * u;
}

#endif
