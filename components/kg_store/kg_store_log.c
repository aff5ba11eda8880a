/*
 * kg_store_log.c - the log on flash: CRC-32, record frames, the scan that
 * finds the newest valid record of each kind, and flash I/O in small
 * chunks (so that reading never needs a second record-sized buffer).
 *
 * The record layout is described in kg_store.h.
 */
#include <string.h>

#include "kg_store_priv.h"

#define CHUNK 64 /* bytes read at a time; a multiple of every program unit */

static const uint8_t magic[2] = {'k', 'g'};

/* ---- CRC-32 ---- */

/* Four bits at a time: a 64-byte table instead of 1 KB, at a quarter of
 * the speed of the byte-wise table, which is plenty for a few KB. */
static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t kg_store_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        crc = (crc >> 4) ^ crc_nibble[crc & 15u];
        crc = (crc >> 4) ^ crc_nibble[crc & 15u];
    }
    return ~crc;
}

/* ---- Little-endian fields ---- */

static void put_le(uint8_t *p, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le(const uint8_t *p, int bytes)
{
    uint32_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

/* ---- Flash I/O ---- */

static uint32_t sector_of(const kg_store_t *st, uint32_t addr)
{
    return addr / st->flash->sector_size;
}

static kg_err_t read_flash(const kg_store_t *st, uint32_t addr, void *buf, size_t len)
{
    const kg_flash_t *f = st->flash;
    return f->read(f->ctx, addr, buf, len) == KG_OK ? KG_OK : KG_ERR_FLASH;
}

/* Continue crc over len bytes of flash at addr. */
static kg_err_t crc_flash(const kg_store_t *st, uint32_t addr, uint32_t len, uint32_t *crc)
{
    uint8_t chunk[CHUNK];
    while (len) {
        const uint32_t n = len < CHUNK ? len : CHUNK;
        if (read_flash(st, addr, chunk, n) != KG_OK) return KG_ERR_FLASH;
        *crc = kg_store_crc32(*crc, chunk, n);
        addr += n;
        len -= n;
    }
    return KG_OK;
}

/* Compare len bytes of flash at addr with mem. */
static kg_err_t equal_flash(const kg_store_t *st, uint32_t addr, const uint8_t *mem, uint32_t len,
                            bool *equal)
{
    uint8_t chunk[CHUNK];
    *equal = true;
    while (len && *equal) {
        const uint32_t n = len < CHUNK ? len : CHUNK;
        if (read_flash(st, addr, chunk, n) != KG_OK) return KG_ERR_FLASH;
        *equal = memcmp(chunk, mem, n) == 0;
        addr += n;
        mem += n;
        len -= n;
    }
    return KG_OK;
}

static bool all_ff(const uint8_t *p, size_t n)
{
    while (n && *p == 0xFF) {
        p++;
        n--;
    }
    return n == 0;
}

kg_err_t kgst_blank(kg_store_t *st, uint32_t addr, uint32_t len, bool *blank)
{
    uint8_t chunk[CHUNK];
    *blank = true;
    while (len && *blank) {
        const uint32_t n = len < CHUNK ? len : CHUNK;
        if (read_flash(st, addr, chunk, n) != KG_OK) return KG_ERR_FLASH;
        *blank = all_ff(chunk, n);
        addr += n;
        len -= n;
    }
    return KG_OK;
}

kg_err_t kgst_erase(kg_store_t *st, uint32_t s)
{
    const kg_flash_t *f = st->flash;
    st->erases++;
    return f->erase(f->ctx, s) == KG_OK ? KG_OK : KG_ERR_FLASH;
}

void kgst_wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

/* ---- Frames ---- */

uint32_t kgst_slot(const kg_store_t *st, uint32_t len)
{
    const uint32_t unit = st->flash->program_unit;
    const uint32_t raw = KG_STORE_HEADER_SIZE + len + KG_STORE_CRC_SIZE;
    return (raw + unit - 1) / unit * unit;
}

static void put_header(uint8_t *h, const kgst_frame_t *f)
{
    h[0] = magic[0];
    h[1] = magic[1];
    h[2] = f->version;
    h[3] = f->kind;
    put_le(h + 4, f->len, 2);
    put_le(h + 6, f->flags, 2);
    put_le(h + 8, f->seq, 4);
    put_le(h + 12, kg_store_crc32(0, h, 12), 4);
}

/* A well-framed header (magic, header CRC, a body that fits in room bytes)
 * into *f. Says nothing yet about the body. */
static bool parse_header(const uint8_t *h, uint32_t room, kgst_frame_t *f)
{
    if (h[0] != magic[0] || h[1] != magic[1]) return false;
    if (get_le(h + 12, 4) != kg_store_crc32(0, h, 12)) return false;
    f->version = h[2];
    f->kind = h[3];
    f->len = (uint16_t)get_le(h + 4, 2);
    f->flags = (uint16_t)get_le(h + 6, 2);
    f->seq = get_le(h + 8, 4);
    return (uint32_t)KG_STORE_HEADER_SIZE + f->len + KG_STORE_CRC_SIZE <= room;
}

kg_err_t kgst_write(kg_store_t *st, uint32_t addr, const kgst_frame_t *f)
{
    const kg_flash_t *fl = st->flash;
    uint8_t *b = st->buf;
    const uint32_t end = KG_STORE_HEADER_SIZE + f->len;
    const uint32_t slot = kgst_slot(st, f->len);
    bool same = false;
    put_header(b, f);
    put_le(b + end, kg_store_crc32(0, b, end), 4);
    memset(b + end + KG_STORE_CRC_SIZE, 0xFF, slot - end - KG_STORE_CRC_SIZE);
    st->programs++;
    if (fl->program(fl->ctx, addr, b, slot) != KG_OK) return KG_ERR_FLASH;
    kg_err_t err = equal_flash(st, addr, b, slot, &same);
    return err == KG_OK && !same ? KG_ERR_FLASH : err;
}

kg_err_t kgst_read_record(kg_store_t *st, uint32_t addr, uint32_t len)
{
    const uint32_t end = KG_STORE_HEADER_SIZE + len;
    if (end + KG_STORE_CRC_SIZE > sizeof st->buf) return KG_ERR_STORE;
    if (read_flash(st, addr, st->buf, end + KG_STORE_CRC_SIZE) != KG_OK) return KG_ERR_FLASH;
    const bool ok = get_le(st->buf + end, 4) == kg_store_crc32(0, st->buf, end);
    return ok ? KG_OK : KG_ERR_STORE;
}

kg_err_t kgst_body_equal(kg_store_t *st, uint32_t addr, uint32_t len, bool *equal)
{
    return equal_flash(st, addr + KG_STORE_HEADER_SIZE, KGST_BODY(st), len, equal);
}

/* ---- The scan ----
 *
 * Passes over the headers only (16 bytes a record) find each kind's highest
 * sequence number; only records carrying it have their body read and
 * checked. When all of them are damaged, the next lower number is tried.
 * So a scan reads every header once or twice and a few bodies, not the
 * whole region. */

typedef struct {
    uint32_t bound[KG_STORE_KINDS]; /* candidates lie below this */
    uint32_t probe[KG_STORE_KINDS]; /* the highest candidate below it; 0: none */
    bool first;                     /* the first pass also counts max_seq and foreign */
} pass_t;

typedef kg_err_t (*visit_fn)(kg_store_t *st, uint32_t addr, const uint8_t *h, const kgst_frame_t *f,
                             pass_t *p);

/* Largest body a record of this kind may have; 0 for unknown kinds. */
static uint32_t body_max(uint8_t kind)
{
    if (kind == KGST_KIND_TOKENS) return KG_STORE_TOKENS_BODY_MAX;
    return kind == KGST_KIND_SECRETS ? KG_STORE_SECRETS_BODY_MAX : 0;
}

/* Every header field of a record of ours in its range: the kind indexes
 * arrays, so it is checked before anything else looks at the record. */
static bool fields_valid(const kgst_frame_t *f)
{
    if (f->kind < 1 || f->kind > KG_STORE_KINDS) return false;
    if (f->seq < 1 || f->seq > KGST_SEQ_MAX) return false;
    return (f->flags & ~KGST_FLAG_COPY) == 0 && f->len <= body_max(f->kind);
}

/* Could this record hold content of ours, if its body checks out? */
static bool usable(const kgst_frame_t *f)
{
    return f->version == KG_STORE_FORMAT_VERSION && fields_valid(f);
}

/* Walk sector s from its start, visiting every well-framed record. The log
 * in a sector ends at the first blank header; a header that is neither
 * blank nor well-framed (a torn header, foreign data) ends it too, and
 * nothing is appended behind it. *used: where the log ends. */
static kg_err_t walk_sector(kg_store_t *st, uint32_t s, visit_fn visit, pass_t *p, uint32_t *used)
{
    uint8_t h[KG_STORE_HEADER_SIZE];
    kgst_frame_t f;
    const uint32_t size = st->flash->sector_size, base = s * size;
    uint32_t off = 0;
    while (off + KG_STORE_HEADER_SIZE + KG_STORE_CRC_SIZE <= size) {
        if (read_flash(st, base + off, h, sizeof h) != KG_OK) return KG_ERR_FLASH;
        if (all_ff(h, sizeof h)) break;
        if (!parse_header(h, size - off, &f)) {
            off = size;
            break;
        }
        if (visit(st, base + off, h, &f, p) != KG_OK) return KG_ERR_FLASH;
        off += kgst_slot(st, f.len);
    }
    *used = off;
    return KG_OK;
}

static kg_err_t walk(kg_store_t *st, visit_fn visit, pass_t *p)
{
    uint32_t used;
    for (uint32_t s = 0; s < st->flash->sector_count; s++)
        if (walk_sector(st, s, visit, p, &used) != KG_OK) return KG_ERR_FLASH;
    return KG_OK;
}

/* Pass 1: each kind's highest sequence number below its bound. */
static kg_err_t visit_seq(kg_store_t *st, uint32_t addr, const uint8_t *h, const kgst_frame_t *f,
                          pass_t *p)
{
    (void)addr;
    (void)h;
    if (p->first && f->version != KG_STORE_FORMAT_VERSION) st->foreign++;
    if (!usable(f)) return KG_OK;
    if (p->first && f->seq > st->scan.max_seq) st->scan.max_seq = f->seq;
    const int k = f->kind - 1;
    if (f->seq < p->bound[k] && f->seq > p->probe[k]) p->probe[k] = f->seq;
    return KG_OK;
}

/* Does the body of the record at addr, whose header is h, check out? */
static kg_err_t body_valid(const kg_store_t *st, uint32_t addr, const uint8_t *h,
                           const kgst_frame_t *f, bool *valid)
{
    uint8_t stored[KG_STORE_CRC_SIZE];
    uint32_t crc = kg_store_crc32(0, h, KG_STORE_HEADER_SIZE);
    const uint32_t body = addr + KG_STORE_HEADER_SIZE;
    if (crc_flash(st, body, f->len, &crc) != KG_OK) return KG_ERR_FLASH;
    if (read_flash(st, body + f->len, stored, sizeof stored) != KG_OK) return KG_ERR_FLASH;
    *valid = get_le(stored, 4) == crc;
    return KG_OK;
}

/* A valid copy of the newest record of its kind. */
static void note_newest(kg_store_t *st, uint32_t addr, const kgst_frame_t *f)
{
    kg_store_newest_t *n = &st->scan.newest[f->kind - 1];
    const uint32_t bit = 1u << sector_of(st, addr);
    if (!n->seq) {
        n->seq = f->seq;
        n->addr[0] = addr;
        n->len = f->len;
    } else if (!(n->sectors & bit) && n->addr[1] == KGST_NONE) {
        n->addr[1] = addr; /* a copy in another sector */
    }
    n->sectors |= bit;
    if (!(f->flags & KGST_FLAG_COPY)) n->orig = addr;
}

/* Pass 2: check the bodies of the records carrying a probed number. */
static kg_err_t visit_check(kg_store_t *st, uint32_t addr, const uint8_t *h, const kgst_frame_t *f,
                            pass_t *p)
{
    bool valid = false;
    if (!usable(f) || f->seq != p->probe[f->kind - 1]) return KG_OK;
    if (body_valid(st, addr, h, f, &valid) != KG_OK) return KG_ERR_FLASH;
    if (valid) note_newest(st, addr, f);
    st->damaged += !valid;
    return KG_OK;
}

/* Kinds found stop; kinds whose candidates were all damaged go lower. */
static bool next_bounds(const kg_store_t *st, pass_t *p)
{
    bool more = false;
    for (int k = 0; k < KG_STORE_KINDS; k++) {
        p->bound[k] = st->scan.newest[k].seq ? 0 : p->probe[k];
        p->probe[k] = 0;
        more = more || p->bound[k];
    }
    return more;
}

static bool probing(const pass_t *p)
{
    for (int k = 0; k < KG_STORE_KINDS; k++)
        if (p->probe[k]) return true;
    return false;
}

static kg_err_t visit_none(kg_store_t *st, uint32_t addr, const uint8_t *h, const kgst_frame_t *f,
                           pass_t *p)
{
    (void)st, (void)addr, (void)h, (void)f, (void)p;
    return KG_OK;
}

/* The head: the sector of the newest record of all (its original when that
 * survives), and where its log ends. max_seq counts the headers of every
 * record of ours, damaged ones too (a body misread once must not let the
 * next save reuse its number); but when that number is used up, only a
 * damaged record can hold it (a valid one would be the newest), and it must
 * not block every save: then the newest valid record's number counts. */
static kg_err_t find_head(kg_store_t *st, pass_t *p)
{
    kg_store_scan_t *sc = &st->scan;
    const kg_store_newest_t *top = &sc->newest[0];
    for (int k = 1; k < KG_STORE_KINDS; k++)
        if (sc->newest[k].seq > top->seq) top = &sc->newest[k];
    if (sc->max_seq >= KGST_SEQ_MAX) sc->max_seq = top->seq;
    if (!top->seq) return KG_OK;
    sc->head = sector_of(st, top->orig != KGST_NONE ? top->orig : top->addr[0]);
    return walk_sector(st, sc->head, visit_none, p, &sc->head_free);
}

kg_err_t kgst_scan(kg_store_t *st)
{
    kg_store_scan_t *sc = &st->scan;
    pass_t p = {{UINT32_MAX, UINT32_MAX}, {0, 0}, true};
    memset(sc, 0, sizeof *sc);
    sc->head = KGST_NONE;
    for (int k = 0; k < KG_STORE_KINDS; k++)
        sc->newest[k].addr[1] = sc->newest[k].orig = KGST_NONE;
    st->damaged = st->foreign = 0;
    do {
        if (walk(st, visit_seq, &p) != KG_OK) return KG_ERR_FLASH;
        p.first = false;
        if (!probing(&p)) break;
        if (walk(st, visit_check, &p) != KG_OK) return KG_ERR_FLASH;
    } while (next_bounds(st, &p));
    return find_head(st, &p);
}
