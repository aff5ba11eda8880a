/*
 * fuzz_store_seeds.c - writes fuzz_store's seed inputs into a directory:
 * the flash images the store tests build (blank, one record, tokens and
 * secrets, a ring gone round, a foreign version, unknown kinds and extreme
 * sequence numbers, a damaged body, a write torn by a power cut, an erase
 * cut in both models, garbage) in several geometries, each twice: as it is
 * and with fuzz_store's CRC fix-up on, so that mutated header fields get
 * past the CRC.
 *
 *   fuzz_store_seeds <dir>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_store.h"
#include "kg_flash_file.h"
#include "kg_store.h"

static uint8_t image[FS_REGION_MAX];
static kg_flash_file_t ff;
static kg_store_t st;
static uint32_t g_size, g_count, g_unit;
static const char *dir;
static int seeds;

static void blank(uint32_t size, uint32_t count, uint32_t unit)
{
    g_size = size;
    g_count = count;
    g_unit = unit;
    memset(image, 0xFF, sizeof image);
    kg_flash_file_init(&ff, image, size, count, unit, NULL);
    kg_store_init(&st, &ff.flash);
}

static void tokens(int n)
{
    kg_tokens_t t;
    memset(&t, 0, sizeof t);
    snprintf(t.app_token, sizeof t.app_token, "APPTOK-%d-abcdefghijklmnop", n);
    snprintf(t.access_token, sizeof t.access_token, "ACCTOK-%d-0123456789abcdef", n);
    snprintf(t.refresh_token, sizeof t.refresh_token, "REFTOK-%d", n);
    snprintf(t.openid, sizeof t.openid, "OPENID-%d", n);
    snprintf(t.scope, sizeof t.scope, "user_info");
    t.expires_at = 1795784400 + n;
    t.time_base = KG_TIME_BASE_PORT;
    kg_store_save_tokens(&st, &t);
}

static void secrets(int n)
{
    kg_secrets_t s;
    memset(&s, 0, sizeof s);
    snprintf(s.secret, sizeof s.secret, "SECRET-%d", n);
    kg_store_save_secrets(&st, &s);
}

/* A record with these header fields and a short body, at addr. */
static void record(uint32_t addr, uint8_t version, uint8_t kind, uint32_t seq)
{
    uint8_t r[48];
    memset(r, 0xFF, sizeof r);
    const uint8_t head[8] = {'k', 'g', version, kind, 8, 0, 0, 0};
    memcpy(r, head, sizeof head);
    for (int i = 0; i < 4; i++)
        r[8 + i] = (uint8_t)(seq >> (8 * i));
    memcpy(r + 16, "foreign!", 8); /* CRCs: fuzz_store's fix-up sets them */
    memcpy(image + addr, r, sizeof r);
}

static void write_seed(const char *name, uint8_t flags, uint8_t cut)
{
    uint8_t prelude[FS_PRELUDE] = {0};
    static const uint8_t unit_index[17] = {[1] = 0, [2] = 1, [4] = 2, [8] = 3, [16] = 4};
    const uint32_t raw = g_size - 768;
    prelude[0] = unit_index[g_unit];
    prelude[1] = (uint8_t)g_count;
    prelude[2] = (uint8_t)raw;
    prelude[3] = (uint8_t)(raw >> 8);
    prelude[4] = flags;
    prelude[5] = cut;
    prelude[6] = 4;
    prelude[7] = (uint8_t)(seeds * 37);
    /* Trailing 0xFF need not be in the input: the target pads with it. */
    size_t len = (size_t)g_size * g_count;
    while (len && image[len - 1] == 0xFF)
        len--;
    char path[512];
    snprintf(path, sizeof path, "%s/%s-%u", dir, name, (unsigned)flags);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(prelude, 1, sizeof prelude, f) != sizeof prelude ||
        fwrite(image, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    seeds++;
}

static void both(const char *name, uint8_t cut)
{
    write_seed(name, 2, cut);
    write_seed(name, 3, cut);
}

/* A token record in sector 0, and a record with these fields in sector 1. */
static void beside_tokens(const char *name, uint8_t version, uint8_t kind, uint32_t seq)
{
    blank(1024, 2, 1);
    tokens(1);
    record(1024, version, kind, seq);
    both(name, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_store_seeds <dir>\n");
        return 2;
    }
    dir = argv[1];
    blank(1024, 2, 1);
    both("blank", 0);
    tokens(1);
    both("one", 3);
    blank(2048, 2, 8);
    tokens(1);
    secrets(1);
    tokens(2);
    both("tokens-secrets", 2);
    blank(1024, 4, 4);
    for (int i = 0; i < 40; i++)
        tokens(i);
    both("ring", 1);
    blank(4096, 3, 16);
    secrets(1);
    for (int i = 0; i < 30; i++)
        tokens(i);
    both("ring-secrets", 4);
    beside_tokens("foreign-top-seq", 2, 1, 0xFFFFFFFF);
    beside_tokens("kind0", 1, 0, 0xFFFFFFFF);
    beside_tokens("kind3", 1, 3, 7);
    blank(1024, 2, 2);
    tokens(1);
    tokens(2);
    image[300] ^= 4;
    both("damaged", 1);
    blank(1024, 2, 1);
    tokens(1);
    ff.cut_op = ff.ops + 1;
    ff.cut_bytes = 100;
    tokens(2);
    both("torn", 2);
    blank(1024, 2, 1);
    for (int i = 0; i < 8; i++)
        tokens(i);
    ff.cut_op = ff.ops + 1;
    ff.cut_bytes = 400;
    ff.cut_erase = KG_FLASH_CUT_ZEROED;
    tokens(9);
    both("erase-zeroed", 0);
    blank(1024, 3, 8);
    srand(7);
    for (size_t i = 0; i < 3072; i++)
        image[i] = (uint8_t)rand();
    both("garbage", 0);
    printf("%d seeds in %s\n", seeds, dir);
    return 0;
}
