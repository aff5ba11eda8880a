/*
 * test_qr.c - kg_qr's API: encoding limits and errors, module access, and
 * both renderings checked module for module against kg_qr_module, with
 * canaries after every too-small buffer. That a decoder can read the codes
 * is test_qr_zbar's job.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kg_err.h"
#include "kg_qr.h"
#include "kg_test.h"

#define LOGIN_URL "https://kg.qq.com/m/login?qr=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c"
#define CANARY    0xA5

static kg_qr_t qr;
static char text[KG_QR_TEXT_MAX + 16];
static uint8_t fb[16384];
static char long_text[1024];

/* n copies of c, NUL-terminated, in long_text. */
static const char *repeat(char c, size_t n)
{
    memset(long_text, c, n);
    long_text[n] = '\0';
    return long_text;
}

static bool untouched(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != CANARY) return false;
    }
    return true;
}

/* ---- encoding ---- */

static void test_encode_args(void)
{
    KG_CHECK_ERR(kg_qr_encode(NULL, "x"), KG_ERR_ARG);
    KG_CHECK_ERR(kg_qr_encode(&qr, "x"), KG_OK);
    KG_CHECK_ERR(kg_qr_encode(&qr, NULL), KG_ERR_ARG);
    KG_CHECK_EQ(qr.size, 0); /* the earlier code is gone */
    KG_CHECK_ERR(kg_qr_encode(&qr, "x"), KG_OK);
    KG_CHECK_ERR(kg_qr_encode(&qr, ""), KG_ERR_ARG);
    KG_CHECK_EQ(qr.size, 0);
}

static void test_encode_versions(void)
{
    KG_CHECK_ERR(kg_qr_encode(&qr, "k"), KG_OK);
    KG_CHECK_EQ(qr.size, 21); /* version 1 */
    KG_CHECK_ERR(kg_qr_encode(&qr, LOGIN_URL), KG_OK);
    KG_CHECK_EQ(qr.size, 37); /* 77 bytes: version 5 at ECC M */
    /* Version 15 at ECC M: 412 bytes in byte mode, 991 digits in numeric. */
    KG_CHECK_ERR(kg_qr_encode(&qr, repeat('a', 412)), KG_OK);
    KG_CHECK_EQ(qr.size, KG_QR_SIZE_MAX);
    KG_CHECK_ERR(kg_qr_encode(&qr, repeat('7', 991)), KG_OK);
    KG_CHECK_EQ(qr.size, KG_QR_SIZE_MAX);
    KG_CHECK_ERR(kg_qr_encode(&qr, repeat('7', 992)), KG_ERR_NO_SPACE);
    KG_CHECK_ERR(kg_qr_encode(&qr, "k"), KG_OK);
    KG_CHECK_ERR(kg_qr_encode(&qr, repeat('a', 413)), KG_ERR_NO_SPACE);
    KG_CHECK_EQ(qr.size, 0);
    /* A failed encode leaves nothing to render. */
    size_t len = 1;
    KG_CHECK_ERR(kg_qr_render_text(&qr, false, text, sizeof text, &len), KG_ERR_STATE);
    KG_CHECK_EQ(len, 1);
    int side = 1;
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, 1, fb, sizeof fb, 32, &side), KG_ERR_STATE);
    KG_CHECK_EQ(side, 0);
}

static void test_module(void)
{
    KG_CHECK_ERR(kg_qr_encode(&qr, LOGIN_URL), KG_OK);
    int n = qr.size;
    /* Finder patterns: dark corners and ring, light separator. */
    KG_CHECK(kg_qr_module(&qr, 0, 0));
    KG_CHECK(kg_qr_module(&qr, 6, 6));
    KG_CHECK(!kg_qr_module(&qr, 7, 7));
    KG_CHECK(kg_qr_module(&qr, n - 1, 0));
    KG_CHECK(kg_qr_module(&qr, 0, n - 1));
    KG_CHECK(!kg_qr_module(&qr, n - 8, n - 8)); /* no finder bottom right: data area */
    /* Timing pattern on row 6: dark on even x. */
    for (int x = 8; x < n - 8; x++)
        KG_CHECK_EQ(kg_qr_module(&qr, x, 6), x % 2 == 0);
    /* Outside the code: light, however far. */
    KG_CHECK(!kg_qr_module(&qr, -1, 0));
    KG_CHECK(!kg_qr_module(&qr, 0, -1));
    KG_CHECK(!kg_qr_module(&qr, n, 0));
    KG_CHECK(!kg_qr_module(&qr, 0, n));
    KG_CHECK(!kg_qr_module(&qr, INT_MIN, INT_MAX));
    KG_CHECK(!kg_qr_module(NULL, 0, 0));
    static const kg_qr_t blank; /* never encoded */
    KG_CHECK(!kg_qr_module(&blank, 0, 0));
}

/* ---- text ---- */

/* Checks a text rendering against kg_qr_module: the size + 4 columns and
 * lines of half blocks show dark modules as ink, or light ones if invert. */
static void check_text(const char *s, size_t len, bool invert)
{
    static const char *const glyph[4] = {" ", "\u2580", "\u2584", "\u2588"};
    int width = qr.size + 2 * KG_QR_QUIET_TEXT;
    int lines = 0;
    const char *p = s;

    KG_CHECK_EQ(strlen(s), len);
    for (int y = 0; y < width; y += 2, lines++) {
        for (int x = 0; x < width; x++) {
            int mx = x - KG_QR_QUIET_TEXT, my = y - KG_QR_QUIET_TEXT;
            int g = (kg_qr_module(&qr, mx, my) != invert) |
                    (kg_qr_module(&qr, mx, my + 1) != invert) << 1;
            size_t n = strlen(glyph[g]);
            if (strncmp(p, glyph[g], n) != 0) {
                KG_CHECK_EQ(x, -1); /* reports where */
                KG_CHECK_EQ(y, -1);
                return;
            }
            p += n;
        }
        KG_CHECK_EQ(*p++, '\n');
    }
    KG_CHECK_EQ(lines, (width + 1) / 2);
    KG_CHECK_EQ(p - s, len);
}

static void test_text_modules(void)
{
    static const char *const contents[] = {"k", LOGIN_URL, "全民K歌"};
    for (size_t i = 0; i < sizeof contents / sizeof contents[0]; i++) {
        KG_CHECK_ERR(kg_qr_encode(&qr, contents[i]), KG_OK);
        for (int invert = 0; invert < 2; invert++) {
            size_t len = 0;
            KG_CHECK_ERR(kg_qr_render_text(&qr, invert, text, sizeof text, &len), KG_OK);
            check_text(text, len, invert);
        }
    }
    /* invert: the quiet zone is ink, so the first line is all full blocks. */
    KG_CHECK_ERR(kg_qr_render_text(&qr, true, text, sizeof text, NULL), KG_OK);
    KG_CHECK(strncmp(text, "\u2588\u2588\u2588\u2588", 12) == 0);
    KG_CHECK_ERR(kg_qr_render_text(&qr, false, text, sizeof text, NULL), KG_OK);
    KG_CHECK(strncmp(text, "    ", 4) == 0);
}

static void test_text_max(void)
{
    /* KG_QR_TEXT_MAX counts 3 bytes for every column of the largest code,
     * so any of its renderings fits; spaces make the real one shorter. */
    KG_CHECK_EQ(KG_QR_TEXT_MAX, 10005);
    KG_CHECK_ERR(kg_qr_encode(&qr, repeat('a', 412)), KG_OK);
    size_t len = 0;
    KG_CHECK_ERR(kg_qr_render_text(&qr, true, text, KG_QR_TEXT_MAX, &len), KG_OK);
    KG_CHECK(len < KG_QR_TEXT_MAX);
    check_text(text, len, true);
}

/* Every cap below the needed one: KG_ERR_NO_SPACE, the length still told,
 * "" left behind, and not a byte written at or after out[cap]. */
static void check_text_caps(bool invert)
{
    int before = kg_test_failed_checks;
    size_t need = 0;
    KG_CHECK_ERR(kg_qr_render_text(&qr, invert, NULL, 0, &need), KG_ERR_NO_SPACE);
    need++; /* the NUL */
    for (size_t cap = 0; cap <= need; cap++) {
        size_t len = 0;
        memset(text, CANARY, need + 16);
        kg_err_t err = kg_qr_render_text(&qr, invert, text, cap, &len);
        KG_CHECK_ERR(err, cap < need ? KG_ERR_NO_SPACE : KG_OK);
        KG_CHECK_EQ(len, need - 1);
        KG_CHECK(untouched(text + cap, need + 16 - cap));
        KG_CHECK(cap == 0 || strlen(text) == (cap < need ? 0 : need - 1));
        if (kg_test_failed_checks != before) return; /* one report, not thousands */
    }
}

static void test_text_no_space(void)
{
    KG_CHECK_ERR(kg_qr_encode(&qr, "k"), KG_OK);
    check_text_caps(false);
    check_text_caps(true);
    KG_CHECK_ERR(kg_qr_encode(&qr, LOGIN_URL), KG_OK);
    check_text_caps(false);
    check_text_caps(true);
}

static void test_text_args(void)
{
    static const kg_qr_t blank;
    size_t len = 0;
    KG_CHECK_ERR(kg_qr_encode(&qr, "k"), KG_OK);
    KG_CHECK_ERR(kg_qr_render_text(NULL, false, text, sizeof text, &len), KG_ERR_ARG);
    KG_CHECK_ERR(kg_qr_render_text(&qr, false, NULL, 10, &len), KG_ERR_ARG);
    KG_CHECK_ERR(kg_qr_render_text(&blank, false, text, sizeof text, &len), KG_ERR_STATE);
    KG_CHECK_ERR(kg_qr_render_text(&qr, false, text, sizeof text, NULL), KG_OK);
}

/* ---- 1-bit framebuffer ---- */

/* Checks a rendering at scale with the given stride: every pixel is its
 * module, bits past the side are 0, bytes past them in the row untouched. */
static void check_1bit(int scale, size_t stride, int side)
{
    size_t row_bytes = ((size_t)side + 7) / 8;
    KG_CHECK_EQ(side, (qr.size + 2 * KG_QR_QUIET_1BIT) * scale);
    for (int y = 0; y < side; y++) {
        const uint8_t *row = fb + (size_t)y * stride;
        for (int x = 0; x < (int)row_bytes * 8; x++) {
            bool want = x < side && kg_qr_module(&qr, x / scale - KG_QR_QUIET_1BIT,
                                                 y / scale - KG_QR_QUIET_1BIT);
            bool got = (row[x / 8] >> (7 - x % 8)) & 1;
            if (got != want) {
                KG_CHECK_EQ(x, -1);
                KG_CHECK_EQ(y, -1);
                return;
            }
        }
        KG_CHECK(untouched(row + row_bytes, stride - row_bytes));
    }
}

static void test_1bit_pixels(void)
{
    static const char *const contents[] = {"k", LOGIN_URL};
    for (size_t i = 0; i < sizeof contents / sizeof contents[0]; i++) {
        KG_CHECK_ERR(kg_qr_encode(&qr, contents[i]), KG_OK);
        for (int scale = 1; scale <= 3; scale++) {
            int side = (qr.size + 2 * KG_QR_QUIET_1BIT) * scale;
            size_t stride = ((size_t)side + 7) / 8 + 3; /* a wider framebuffer */
            size_t cap = stride * (size_t)side;
            memset(fb, CANARY, sizeof fb);
            KG_CHECK_ERR(kg_qr_render_1bit(&qr, scale, fb, cap, stride, &side), KG_OK);
            check_1bit(scale, stride, side);
            KG_CHECK(untouched(fb + cap, sizeof fb - cap));
        }
    }
    /* The largest code at scale 1 in exactly packed rows. */
    KG_CHECK_ERR(kg_qr_encode(&qr, repeat('a', 412)), KG_OK);
    int side = 0;
    size_t stride = (KG_QR_1BIT_SIDE_MAX(1) + 7) / 8;
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, 1, fb, sizeof fb, stride, &side), KG_OK);
    KG_CHECK_EQ(side, KG_QR_1BIT_SIDE_MAX(1));
    check_1bit(1, stride, side);
}

static void test_1bit_no_space(void)
{
    int before = kg_test_failed_checks;
    int side = 0, need_side = 0;
    KG_CHECK_ERR(kg_qr_encode(&qr, "k"), KG_OK);
    /* Asking for the side: fb NULL, cap 0. */
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, 2, NULL, 0, 100, &need_side), KG_ERR_NO_SPACE);
    KG_CHECK_EQ(need_side, (21 + 8) * 2);
    size_t stride = ((size_t)need_side + 7) / 8;
    size_t need = stride * (size_t)need_side;
    for (size_t cap = 0; cap < need; cap++) {
        memset(fb, CANARY, need + 16);
        KG_CHECK_ERR(kg_qr_render_1bit(&qr, 2, fb, cap, stride, &side), KG_ERR_NO_SPACE);
        KG_CHECK_EQ(side, need_side);
        KG_CHECK(untouched(fb, need + 16));
        if (kg_test_failed_checks != before) return;
    }
    memset(fb, CANARY, need + 16);
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, 2, fb, need, stride, &side), KG_OK);
    KG_CHECK(untouched(fb + need, 16));
    /* Rows narrower than the code: refused whatever cap, stride 0 included. */
    memset(fb, CANARY, sizeof fb);
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, 2, fb, sizeof fb, stride - 1, &side), KG_ERR_NO_SPACE);
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, 2, fb, sizeof fb, 0, &side), KG_ERR_NO_SPACE);
    KG_CHECK(untouched(fb, sizeof fb));
    /* A side beyond int: no space, and no side to tell. */
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, INT_MAX, fb, sizeof fb, stride, &side), KG_ERR_NO_SPACE);
    KG_CHECK_EQ(side, 0);
}

static void test_1bit_args(void)
{
    static const kg_qr_t blank;
    int side = 1;
    KG_CHECK_ERR(kg_qr_encode(&qr, "k"), KG_OK);
    KG_CHECK_ERR(kg_qr_render_1bit(NULL, 1, fb, sizeof fb, 8, &side), KG_ERR_ARG);
    KG_CHECK_EQ(side, 0);
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, 1, fb, sizeof fb, 8, NULL), KG_ERR_ARG);
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, 1, NULL, 10, 8, &side), KG_ERR_ARG);
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, 0, fb, sizeof fb, 8, &side), KG_ERR_ARG);
    KG_CHECK_ERR(kg_qr_render_1bit(&qr, -1, fb, sizeof fb, 8, &side), KG_ERR_ARG);
    KG_CHECK_ERR(kg_qr_render_1bit(&blank, 1, fb, sizeof fb, 8, &side), KG_ERR_STATE);
}

int main(void)
{
    KG_RUN(test_encode_args);
    KG_RUN(test_encode_versions);
    KG_RUN(test_module);
    KG_RUN(test_text_modules);
    KG_RUN(test_text_max);
    KG_RUN(test_text_no_space);
    KG_RUN(test_text_args);
    KG_RUN(test_1bit_pixels);
    KG_RUN(test_1bit_no_space);
    KG_RUN(test_1bit_args);
    return kg_test_summary();
}
