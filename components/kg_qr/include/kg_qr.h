/*
 * kg_qr.h - turn the login QR content into a code a person can scan.
 *
 * A thin layer over Nayuki's QR Code generator (qrcodegen, the encoder
 * ESP-IDF's espressif/qrcode component and LVGL use): encode into a
 * caller-owned kg_qr_t, then render either as text for a terminal or into a
 * 1-bit framebuffer a device with a display can blit. No heap. Optional:
 * devices that show the code some other way leave this component out.
 *
 *   static kg_qr_t qr;                        // ~1.5 KB: make it static
 *   static char text[KG_QR_TEXT_MAX];
 *   if (kg_qr_encode(&qr, url) == KG_OK &&
 *       kg_qr_render_text(&qr, true, text, sizeof text, NULL) == KG_OK)
 *       fputs(text, stdout);
 */
#ifndef KG_QR_H
#define KG_QR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kg_err.h"

/* Largest QR version kg_qr encodes; 15 holds 412 bytes of UTF-8 at ECC level M. */
#define KG_QR_MAX_VERSION 15
/* Modules per side of the largest code (77). */
#define KG_QR_SIZE_MAX (KG_QR_MAX_VERSION * 4 + 17)
/* Bytes an encoded code needs: qrcodegen_BUFFER_LEN_FOR_VERSION(15), checked in kg_qr.c. */
#define KG_QR_BUFFER_LEN ((KG_QR_SIZE_MAX * KG_QR_SIZE_MAX + 7) / 8 + 1)

/* Light modules around the code, per side: the standard's 4 in the
 * framebuffer; 2 in text, where columns are scarce (the largest code takes
 * 81) and scanners cope with 2. */
#define KG_QR_QUIET_1BIT 4
#define KG_QR_QUIET_TEXT 2

/* A buffer this large holds the text rendering of any code (10005 bytes):
 * each line is up to 3 bytes per column plus '\n', then one NUL. */
#define KG_QR_TEXT_COLUMNS_MAX (KG_QR_SIZE_MAX + 2 * KG_QR_QUIET_TEXT)
#define KG_QR_TEXT_MAX         ((KG_QR_TEXT_COLUMNS_MAX + 1) / 2 * (KG_QR_TEXT_COLUMNS_MAX * 3 + 1) + 1)

/* The side in pixels of the 1-bit rendering of the largest code at scale. */
#define KG_QR_1BIT_SIDE_MAX(scale) ((KG_QR_SIZE_MAX + 2 * KG_QR_QUIET_1BIT) * (scale))

typedef struct {
    uint8_t code[KG_QR_BUFFER_LEN]; /* the code, in qrcodegen's format */
    uint8_t temp[KG_QR_BUFFER_LEN]; /* qrcodegen's scratch space while encoding */
    int size;                       /* modules per side once encoded; 0 before or after a failure */
} kg_qr_t;

/* Encode text, UTF-8 without NULs, at ECC level M (raised when the chosen
 * version has room), in the smallest version from 1 to KG_QR_MAX_VERSION.
 * On any error qr->size is 0 and the render functions refuse the code.
 * Errors: KG_ERR_ARG (qr or text NULL, text empty),
 *         KG_ERR_NO_SPACE (text does not fit in version KG_QR_MAX_VERSION). */
kg_err_t kg_qr_encode(kg_qr_t *qr, const char *text);

/* Whether the module at (x, y) is dark, (0, 0) the top left corner; false
 * outside the code, for a code not encoded, and for qr NULL. */
bool kg_qr_module(const kg_qr_t *qr, int x, int y);

/* Render for a terminal: each character shows two module rows (top and
 * bottom half) with ' ', U+2580 upper half block, U+2584 lower half block or
 * U+2588 full block, inside a KG_QR_QUIET_TEXT quiet zone. Every line ends
 * with '\n'; the string is NUL-terminated.
 * The blocks are drawn in the terminal's text colour, the spaces show its
 * background, so the blocks must stand for whichever modules have the
 * colour of the text:
 *   invert = false: blocks are the dark modules, for dark text on a light
 *                   background (light terminal themes, printing);
 *   invert = true:  blocks are the light modules and the quiet zone, for
 *                   light text on a dark background, the usual terminal.
 * Either way a scanner sees dark modules on light.
 * *len (len may be NULL) receives the string's length without the NUL, also
 * on KG_ERR_NO_SPACE: then cap must be at least *len + 1. out may be NULL
 * when cap is 0, to ask for the length. Nothing is ever truncated: on
 * KG_ERR_NO_SPACE, out holds "" (if cap > 0), and nothing is written at or
 * after out[cap]. KG_QR_TEXT_MAX is always enough.
 * Errors: KG_ERR_ARG (qr NULL, out NULL with cap > 0), KG_ERR_STATE (not
 *         encoded), KG_ERR_NO_SPACE. */
kg_err_t kg_qr_render_text(const kg_qr_t *qr, bool invert, char *out, size_t cap, size_t *len);

/* Render into a 1-bit framebuffer: *side x *side pixels, where
 * *side = (size + 2 * KG_QR_QUIET_1BIT) * scale, in rows stride bytes apart,
 * MSB = leftmost pixel, 1 = dark, each module scale x scale pixels.
 * Writes bytes 0 .. (*side + 7) / 8 - 1 of each row (bits past the last
 * pixel are 0) and leaves the rest of the row alone, so stride can be the
 * width of a larger framebuffer. *side is set also on KG_ERR_NO_SPACE (0 if
 * it would not fit in an int, and on the other errors); fb may be NULL when
 * cap is 0, to ask for it. Nothing is written to fb on error.
 * Errors: KG_ERR_ARG (qr or side NULL, fb NULL with cap > 0, scale < 1),
 *         KG_ERR_STATE (not encoded), KG_ERR_NO_SPACE (stride < (*side + 7) / 8,
 *         or cap < stride * *side). */
kg_err_t kg_qr_render_1bit(const kg_qr_t *qr, int scale, uint8_t *fb, size_t cap, size_t stride,
                           int *side);

#endif
