/*
 * test_qr_zbar.c - the renderer half of the real-decoder test: encodes the
 * text read from stdin with kg_qr and writes one rendering to stdout, for
 * test_qr_zbar.py to hand to zbarimg.
 *
 *   test_qr_zbar pgm SCALE   < text > code.pgm   kg_qr_render_1bit as a PGM image
 *   test_qr_zbar text INVERT < text > code.txt   kg_qr_render_text (INVERT 0 or 1)
 *
 * stdin carries the content so that any bytes (UTF-8 included) arrive as
 * they are, without a shell or argv encoding in between.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kg_qr.h"

static kg_qr_t qr;
static char content[1024];
static uint8_t fb[KG_QR_1BIT_SIDE_MAX(8) * (KG_QR_1BIT_SIDE_MAX(8) + 7) / 8];
static char text[KG_QR_TEXT_MAX];

static int fail(const char *what, kg_err_t err)
{
    fprintf(stderr, "test_qr_zbar: %s: %s\n", what, kg_err_name(err));
    return 1;
}

/* P5: binary greyscale, 0 = black; a 1 (dark) bit becomes a black pixel. */
static int write_pgm(int scale)
{
    int side = 0;
    size_t stride = (KG_QR_1BIT_SIDE_MAX(scale) + 7) / 8;
    kg_err_t err = kg_qr_render_1bit(&qr, scale, fb, sizeof fb, stride, &side);
    if (err != KG_OK) return fail("kg_qr_render_1bit", err);
    printf("P5\n%d %d\n255\n", side, side);
    for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
            int dark = fb[(size_t)y * stride + (size_t)x / 8] & (0x80 >> (x % 8));
            putchar(dark ? 0 : 255);
        }
    }
    return 0;
}

static int write_text(int invert)
{
    size_t len = 0;
    kg_err_t err = kg_qr_render_text(&qr, invert != 0, text, sizeof text, &len);
    if (err != KG_OK) return fail("kg_qr_render_text", err);
    fwrite(text, 1, len, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "pgm") != 0 && strcmp(argv[1], "text") != 0)) {
        fprintf(stderr, "usage: test_qr_zbar pgm SCALE | text INVERT  < content\n");
        return 2;
    }
    int n = atoi(argv[2]);
    size_t got = fread(content, 1, sizeof content, stdin);
    if (got == sizeof content) {
        fprintf(stderr, "test_qr_zbar: content longer than %zu bytes\n", sizeof content - 1);
        return 2;
    }
    content[got] = '\0';

    kg_err_t err = kg_qr_encode(&qr, content);
    if (err != KG_OK) return fail("kg_qr_encode", err);
    if (strcmp(argv[1], "pgm") == 0)
        return (n >= 1 && n <= 8) ? write_pgm(n) : fail("scale 1..8", KG_ERR_ARG);
    return write_text(n);
}
