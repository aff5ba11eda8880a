/*
 * kg_qr.c - QR codes for the login content, over Nayuki's qrcodegen.
 *
 * qrcodegen does all the encoding; this file only picks the parameters,
 * keeps the buffers the caller's, and turns modules into characters or bits.
 */
#include "kg_qr.h"

#include <limits.h>
#include <string.h>

#include <qrcodegen.h>

/* kg_qr_t's arrays are sized by our own formula so the public header needs
 * no qrcodegen include; the library must agree or it writes past them. */
_Static_assert(KG_QR_BUFFER_LEN == qrcodegen_BUFFER_LEN_FOR_VERSION(KG_QR_MAX_VERSION),
               "KG_QR_BUFFER_LEN must match qrcodegen_BUFFER_LEN_FOR_VERSION");
_Static_assert(KG_QR_MAX_VERSION >= qrcodegen_VERSION_MIN &&
                   KG_QR_MAX_VERSION <= qrcodegen_VERSION_MAX,
               "KG_QR_MAX_VERSION out of qrcodegen's range");

kg_err_t kg_qr_encode(kg_qr_t *qr, const char *text)
{
    if (!qr) return KG_ERR_ARG;
    qr->size = 0; /* a failed encode must not leave an old code renderable */
    if (!text || !text[0]) return KG_ERR_ARG;
    /* M (15 % of the code recoverable) survives glare on a screen at a modest
     * size; boostEcl takes a higher level when the smallest version that fits
     * has room for it, at no cost in size. The automatic mask tries all 8 and
     * keeps the most readable: slower to encode, once per login. */
    if (!qrcodegen_encodeText(text, qr->temp, qr->code, qrcodegen_Ecc_MEDIUM, qrcodegen_VERSION_MIN,
                              KG_QR_MAX_VERSION, qrcodegen_Mask_AUTO, true))
        return KG_ERR_NO_SPACE;
    qr->size = qrcodegen_getSize(qr->code);
    return KG_OK;
}

/* Whether qr holds a code: guards the renders against a failed encode and
 * against a size that would read past the arrays. */
static bool encoded(const kg_qr_t *qr)
{
    return qr->size >= qrcodegen_VERSION_MIN * 4 + 17 && qr->size <= KG_QR_SIZE_MAX;
}

bool kg_qr_module(const kg_qr_t *qr, int x, int y)
{
    /* Our own bounds check, so a code that is not encoded reads as all light. */
    if (!qr || !encoded(qr) || x < 0 || y < 0 || x >= qr->size || y >= qr->size) return false;
    return qrcodegen_getModule(qr->code, x, y);
}

/* ---- text ---- */

/* Appends to a bounded buffer but counts everything, so one pass both
 * renders and tells a caller with too small a buffer how much it needs. */
typedef struct {
    char *buf;
    size_t cap;
    size_t len;
} text_out_t;

static void put(text_out_t *o, const char *s, size_t n)
{
    /* "<" keeps one byte for the NUL; once a piece is refused, len >= cap and
     * every later piece is refused too, so what is written has no holes. */
    if (o->len + n < o->cap) memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* Whether the half cell for module (x, y) of the quiet-zoned grid shows the
 * terminal's text colour: dark modules normally, light ones when inverted. */
static bool ink(const kg_qr_t *qr, bool invert, int x, int y)
{
    return kg_qr_module(qr, x - KG_QR_QUIET_TEXT, y - KG_QR_QUIET_TEXT) != invert;
}

/* One text line: module rows y (top halves) and y + 1 (bottom halves). The
 * grid has an odd number of rows, so the last line's bottom halves lie below
 * it and read as light, like the quiet zone. */
static void text_line(const kg_qr_t *qr, bool invert, int y, text_out_t *o)
{
    /* Indexed by top | bottom << 1. */
    static const char *const glyph[4] = {" ", "\xE2\x96\x80", "\xE2\x96\x84", "\xE2\x96\x88"};
    int width = qr->size + 2 * KG_QR_QUIET_TEXT;

    for (int x = 0; x < width; x++) {
        int g = (int)ink(qr, invert, x, y) | (int)ink(qr, invert, x, y + 1) << 1;
        put(o, glyph[g], g ? 3 : 1);
    }
    put(o, "\n", 1);
}

kg_err_t kg_qr_render_text(const kg_qr_t *qr, bool invert, char *out, size_t cap, size_t *len)
{
    if (!qr || (!out && cap)) return KG_ERR_ARG;
    if (!encoded(qr)) return KG_ERR_STATE;

    text_out_t o = {out, cap, 0};
    int rows = qr->size + 2 * KG_QR_QUIET_TEXT;
    for (int y = 0; y < rows; y += 2)
        text_line(qr, invert, y, &o);
    if (len) *len = o.len;
    if (o.len >= cap) {
        if (cap) out[0] = '\0'; /* a caller ignoring the error prints nothing, not half a code */
        return KG_ERR_NO_SPACE;
    }
    out[o.len] = '\0';
    return KG_OK;
}

/* ---- 1-bit framebuffer ---- */

/* Pixel row of module row my (quiet zone included, so my may be outside the
 * code): cleared to light first, which also zeroes the bits past the side. */
static void pixel_row(const kg_qr_t *qr, int scale, int my, uint8_t *row, int side)
{
    memset(row, 0, ((size_t)side + 7) / 8);
    for (int x = 0; x < side; x++) {
        if (kg_qr_module(qr, x / scale - KG_QR_QUIET_1BIT, my))
            row[x / 8] |= (uint8_t)(0x80u >> (x % 8));
    }
}

/* Checks the arguments and sets *side; KG_OK when the rendering fits. */
static kg_err_t fit_1bit(const kg_qr_t *qr, int scale, const uint8_t *fb, size_t cap, size_t stride,
                         int *side)
{
    if (!qr || !side || (!fb && cap) || scale < 1) return KG_ERR_ARG;
    if (!encoded(qr)) return KG_ERR_STATE;
    int modules = qr->size + 2 * KG_QR_QUIET_1BIT;
    if (scale > INT_MAX / modules)
        return KG_ERR_NO_SPACE; /* no buffer holds that, and *side could not say it */
    *side = modules * scale;
    /* Checked before the division so that stride 0 is refused, not divided by;
     * cap / stride rather than stride * side, which could overflow. */
    if (stride < ((size_t)*side + 7) / 8 || cap / stride < (size_t)*side) return KG_ERR_NO_SPACE;
    return KG_OK;
}

kg_err_t kg_qr_render_1bit(const kg_qr_t *qr, int scale, uint8_t *fb, size_t cap, size_t stride,
                           int *side)
{
    if (side) *side = 0; /* until it is known */
    kg_err_t err = fit_1bit(qr, scale, fb, cap, stride, side);
    if (err != KG_OK) return err;

    size_t row_bytes = ((size_t)*side + 7) / 8;
    for (int y = 0; y < *side; y++) {
        uint8_t *row = fb + (size_t)y * stride;
        if (y % scale == 0)
            pixel_row(qr, scale, y / scale - KG_QR_QUIET_1BIT, row, *side);
        else
            memcpy(row, row - stride, row_bytes); /* same module row as the pixel row above */
    }
    return KG_OK;
}
