/*
 * kg_flash_file.h - a kg_flash_t for the host: NOR flash emulated in memory,
 * optionally backed by a file, with power-cut injection for tests (in the
 * manner of littlefs's emulated block device).
 *
 *   static uint8_t image[4 * 4096];
 *   static kg_flash_file_t ff;
 *   kg_flash_file_init(&ff, image, 4096, 4, 8, "tokens.bin");   or NULL: memory only
 *   kg_store_init(&store, &ff.flash);
 *
 * NOR semantics: erase sets a sector to 0xFF; program ANDs the new bytes
 * into the old (it can only clear bits), as real NOR does silently. A
 * program that asks to set a bit is counted in bit_sets; with strict set it
 * fails with KG_ERR_FLASH instead and changes nothing, so tests can prove a
 * client never programs over programmed bytes. Misaligned or out-of-range
 * calls return KG_ERR_ARG and are counted in misuse.
 *
 * Power cut: set cut_op = N (counting programs and erases together, from
 * 1, since init) and cut_bytes = k. The N-th operation then does its first
 * k bytes only and the power is gone: it and every later call (reads too)
 * fail with KG_ERR_FLASH until kg_flash_file_init runs again on the same
 * image or file: that is the reboot, and the image is all that survives.
 * A program cut after k bytes leaves bytes [0, k) programmed and the rest
 * untouched (k >= len: the whole program landed, then the power went). An
 * erase cut after k bytes is modelled in one of two ways (cut_erase):
 * KG_FLASH_CUT_PARTIAL leaves [0, k) erased (0xFF) and the rest as it was,
 * as when the erase pulse stops early; KG_FLASH_CUT_ZEROED leaves [0, k)
 * at 0x00 and the rest as it was, as when the cut hits the pre-program
 * phase that many NOR parts run before erasing (every cell to 0 first, so
 * that the erase treats them evenly).
 */
#ifndef KG_FLASH_FILE_H
#define KG_FLASH_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kg_port.h"

#define KG_FLASH_FILE_SECTORS_MAX 256

typedef enum {
    KG_FLASH_CUT_PARTIAL, /* an erase cut after k bytes: [0, k) erased, the rest as before */
    KG_FLASH_CUT_ZEROED,  /* ... [0, k) zeroed by the pre-program phase, the rest as before */
} kg_flash_cut_erase_t;

typedef struct kg_flash_file {
    kg_flash_t flash; /* hand &ff->flash to kg_store; its ctx is ff */
    uint8_t *image;   /* sector_size * sector_count bytes, the caller's */
    int fd;           /* the backing file when has_file */
    bool has_file;

    /* Test knobs (init clears them). */
    bool strict;        /* a program that would set a bit fails instead of ANDing */
    uint32_t cut_op;    /* cut power at this program or erase (from 1); 0 never */
    uint32_t cut_bytes; /* ... after this many of its bytes */
    kg_flash_cut_erase_t cut_erase;
    /* Called before every program and erase with its number (cut_op counts
     * the same way); for tests that trace a client's operations. */
    void (*on_op)(void *ctx, uint32_t op, bool erase, uint32_t addr, size_t len);
    void *on_op_ctx;

    /* State and counters since init. */
    bool powered_off;
    uint32_t ops; /* programs + erases */
    uint32_t programs, erases, reads;
    uint64_t bytes_programmed, bytes_read;
    uint32_t bit_sets;                        /* programs that asked to set at least one bit */
    uint32_t misuse;                          /* misaligned or out-of-range calls */
    uint32_t wear[KG_FLASH_FILE_SECTORS_MAX]; /* erases per sector */
} kg_flash_file_t;

/* Set up ff over image (sector_size * sector_count bytes). path NULL: the
 * image is the flash as it stands (fill it with 0xFF for a blank part;
 * call again on the same image to reboot). With a path: the file's content
 * is loaded when it has the region's size; otherwise the image is set to
 * 0xFF and the file created with it; every program and erase then writes
 * through. Clears knobs, counters and the power cut. Errors: KG_ERR_ARG
 * (bad geometry: sector_count 1..KG_FLASH_FILE_SECTORS_MAX, program_unit
 * 1, 2, 4, 8 or 16 dividing sector_size), KG_ERR_FLASH (the file). */
kg_err_t kg_flash_file_init(kg_flash_file_t *ff, uint8_t *image, uint32_t sector_size,
                            uint32_t sector_count, uint32_t program_unit, const char *path);

/* Close the backing file, if any. Safe on NULL, on a zero-filled ff, after
 * a failed init and twice. */
void kg_flash_file_close(kg_flash_file_t *ff);

#endif
