/*
 * kg_store.c - the API, and where a save goes.
 *
 * A save appends to the head sector when the new record (and copies of the
 * other kinds' newest records, when the head lacks them) fit in its blank
 * tail; otherwise it moves on to the next sector in the ring that may be
 * erased. kg_store.h explains why this keeps the old or the new content
 * loadable at every instant; the scan and the record frames are in
 * kg_store_log.c.
 */
#include <string.h>

#include "kg_store_priv.h"

/* What one save writes. */
typedef struct {
    uint8_t kind;
    kgst_encode_fn encode;
    const void *src;
    uint32_t len; /* of the encoded body */
    uint32_t seq;
} item_t;

/* ---- Set-up ---- */

static bool unit_valid(uint32_t u)
{
    return u == 1 || u == 2 || u == 4 || u == 8 || u == 16;
}

static bool geometry_valid(const kg_flash_t *f)
{
    if (!f->read || !f->program || !f->erase || !unit_valid(f->program_unit)) return false;
    if (f->sector_count < 2 || f->sector_count > KG_STORE_SECTORS_MAX) return false;
    if (f->sector_size % f->program_unit || f->sector_size > UINT32_MAX / f->sector_count)
        return false;
    const uint32_t largest = KG_STORE_HEADER_SIZE + KG_STORE_TOKENS_BODY_MAX + KG_STORE_CRC_SIZE;
    return (largest + f->program_unit - 1) / f->program_unit * f->program_unit <= f->sector_size;
}

kg_err_t kg_store_init(kg_store_t *st, const kg_flash_t *flash)
{
    if (!st || !flash || !geometry_valid(flash)) return KG_ERR_ARG;
    memset(st, 0, sizeof *st);
    st->flash = flash;
    return KG_OK;
}

/* ---- Which sectors hold what ---- */

static uint32_t bit(uint32_t s)
{
    return 1u << s;
}

/* Sectors holding the newest record of every kind (all of them while
 * nothing is stored): erasing any other sector loses nothing. */
static uint32_t complete_sectors(const kg_store_t *st)
{
    uint32_t m = UINT32_MAX;
    for (int k = 0; k < KG_STORE_KINDS; k++)
        if (st->scan.newest[k].seq) m &= st->scan.newest[k].sectors;
    return m;
}

/* Must sector s receive a copy of kind index k's newest record before a
 * record of `kind` joins it? Yes when such a record exists elsewhere only. */
static bool needs_copy(const kg_store_t *st, int k, uint32_t s, uint8_t kind)
{
    const kg_store_newest_t *nw = &st->scan.newest[k];
    return k + 1 != kind && nw->seq && !(nw->sectors & bit(s));
}

static uint32_t copies_size(const kg_store_t *st, uint32_t s, uint8_t kind)
{
    uint32_t n = 0;
    for (int k = 0; k < KG_STORE_KINDS; k++)
        if (needs_copy(st, k, s, kind)) n += kgst_slot(st, st->scan.newest[k].len);
    return n;
}

/* ---- Writing ---- */

/* Copy kind index k's newest record, from a sector other than s, to addr
 * (in s), keeping its sequence number. */
static kg_err_t copy_one(kg_store_t *st, int k, uint32_t s, uint32_t addr)
{
    const kg_store_newest_t *nw = &st->scan.newest[k];
    const bool first_in_s = nw->addr[0] / st->flash->sector_size == s;
    const kgst_frame_t f = {KG_STORE_FORMAT_VERSION, (uint8_t)(k + 1), KGST_FLAG_COPY, nw->len,
                            nw->seq};
    kg_err_t err = kgst_read_record(st, nw->addr[first_in_s ? 1 : 0], nw->len);
    return err == KG_OK ? kgst_write(st, addr, &f) : err;
}

/* The copies sector s needs, from *addr on (advanced past them). */
static kg_err_t write_copies(kg_store_t *st, uint32_t s, uint8_t kind, uint32_t *addr)
{
    for (int k = 0; k < KG_STORE_KINDS; k++) {
        if (!needs_copy(st, k, s, kind)) continue;
        kg_err_t err = copy_one(st, k, s, *addr);
        if (err != KG_OK) return err;
        *addr += kgst_slot(st, st->scan.newest[k].len);
    }
    return KG_OK;
}

/* The new record itself, last, so that it never exists without the copies
 * that make its sector complete. */
static kg_err_t write_new(kg_store_t *st, const item_t *it, uint32_t addr)
{
    const kgst_frame_t f = {KG_STORE_FORMAT_VERSION, it->kind, 0, (uint16_t)it->len, it->seq};
    (void)it->encode(KGST_BODY(st), it->src); /* again: copies went through the buffer */
    return kgst_write(st, addr, &f);
}

/* Behind the head's last record, when everything fits in its blank tail. */
static kg_err_t append(kg_store_t *st, const item_t *it, bool *done)
{
    const kg_store_scan_t *sc = &st->scan;
    const uint32_t size = st->flash->sector_size;
    bool blank = false;
    *done = false;
    if (sc->head == KGST_NONE) return KG_OK;
    const uint32_t need = copies_size(st, sc->head, it->kind) + kgst_slot(st, it->len);
    if (size - sc->head_free < need) return KG_OK;
    uint32_t addr = sc->head * size + sc->head_free;
    /* The whole tail must be blank: a torn write may lie there, or records
     * behind a gap, which the scan does not see (the log ends at the first
     * blank header) but would once a record filled the gap. */
    kg_err_t err = kgst_blank(st, addr, size - sc->head_free, &blank);
    if (err != KG_OK || !blank) return err;
    *done = true;
    err = write_copies(st, sc->head, it->kind, &addr);
    return err == KG_OK ? write_new(st, it, addr) : err;
}

/* Whether sector c holds the only valid copy of the newest record of kind
 * k (0-based). */
static bool only_home(const kg_store_t *st, int k, uint32_t c)
{
    const kg_store_newest_t *nw = &st->scan.newest[k];
    return nw->seq && nw->sectors == bit(c);
}

/* Whether erasing sector c would leave some kind's newest record nowhere. */
static bool only_home_of_any(const kg_store_t *st, uint32_t c)
{
    for (int k = 0; k < KG_STORE_KINDS; k++)
        if (only_home(st, k, c)) return true;
    return false;
}

/* The first sector after the head, in ring order, that may be erased:
 * another sector holds the newest record of every kind. Only corruption
 * (a damaged copy) can leave no such sector; then the first one that is no
 * kind's only home, and failing that (every sector is: nothing can be
 * erased without carrying a record in RAM), the next one. */
static uint32_t pick_sector(const kg_store_t *st)
{
    const uint32_t n = st->flash->sector_count;
    const uint32_t start = st->scan.head == KGST_NONE ? n - 1 : st->scan.head;
    const uint32_t complete = complete_sectors(st);
    for (uint32_t i = 1; i <= n; i++) {
        const uint32_t c = (start + i) % n;
        if (complete & ~bit(c)) return c;
    }
    for (uint32_t i = 1; i <= n; i++) {
        const uint32_t c = (start + i) % n;
        if (!only_home_of_any(st, c)) return c;
    }
    return (start + 1) % n;
}

/* The other kind whose newest record exists in sector c alone (only after
 * corruption, see pick_sector); -1 when none. */
static int lone_kind(const kg_store_t *st, uint32_t c, uint8_t kind)
{
    for (int k = 0; k < KG_STORE_KINDS; k++)
        if (k + 1 != kind && only_home(st, k, c)) return k;
    return -1;
}

/* Write the record read into st->buf before the erase back as a copy. */
static kg_err_t put_back(kg_store_t *st, int k, uint32_t *addr)
{
    kg_store_newest_t *nw = &st->scan.newest[k];
    const kgst_frame_t f = {KG_STORE_FORMAT_VERSION, (uint8_t)(k + 1), KGST_FLAG_COPY, nw->len,
                            nw->seq};
    kg_err_t err = kgst_write(st, *addr, &f);
    nw->sectors = bit(*addr / st->flash->sector_size);
    *addr += kgst_slot(st, nw->len);
    return err;
}

/* Erase a sector, then copies of the other kinds' newest records, then the
 * new record. A record that lives nowhere else is carried across the erase
 * in RAM: power lost in that window loses it, which only a record already
 * damaged elsewhere risks. */
static kg_err_t move_on(kg_store_t *st, const item_t *it)
{
    const uint32_t c = pick_sector(st);
    const int lone = lone_kind(st, c, it->kind);
    kg_err_t err = KG_OK;
    if (lone >= 0) {
        const kg_store_newest_t *nw = &st->scan.newest[lone];
        err = kgst_read_record(st, nw->addr[0], nw->len);
        st->carried++;
    }
    /* The saved kind's previous record lives in c alone: until the new one
     * is written, the content exists only in RAM, as a carried record. */
    st->carried += only_home(st, it->kind - 1, c);
    for (int k = 0; k < KG_STORE_KINDS; k++)
        st->scan.newest[k].sectors &= ~bit(c); /* it is about to hold nothing */
    if (copies_size(st, c, it->kind) + kgst_slot(st, it->len) > st->flash->sector_size)
        return KG_ERR_NO_SPACE;
    uint32_t addr = c * st->flash->sector_size;
    if (err == KG_OK) err = kgst_erase(st, c);
    if (err == KG_OK && lone >= 0) err = put_back(st, lone, &addr);
    if (err == KG_OK) err = write_copies(st, c, it->kind, &addr);
    return err == KG_OK ? write_new(st, it, addr) : err;
}

static kg_err_t save(kg_store_t *st, item_t *it)
{
    bool same = false, done = false;
    kg_err_t err = kgst_scan(st);
    if (err != KG_OK) return err;
    it->len = it->encode(KGST_BODY(st), it->src);
    const kg_store_newest_t *nw = &st->scan.newest[it->kind - 1];
    if (nw->seq && nw->len == it->len) err = kgst_body_equal(st, nw->addr[0], nw->len, &same);
    if (err != KG_OK || same) {
        st->unchanged += same;
        return err;
    }
    if (st->scan.max_seq >= KGST_SEQ_MAX) return KG_ERR_STORE;
    it->seq = st->scan.max_seq + 1;
    err = append(st, it, &done);
    if (err == KG_OK && !done) err = move_on(st, it);
    st->saves += err == KG_OK;
    return err;
}

static kg_err_t save_kind(kg_store_t *st, uint8_t kind, kgst_encode_fn encode, const void *src)
{
    item_t it = {kind, encode, src, 0, 0};
    if (!st || !st->flash || !src) return KG_ERR_ARG;
    kg_err_t err = save(st, &it);
    kgst_wipe(st->buf, sizeof st->buf);
    return err;
}

/* ---- Reading ---- */

static kg_err_t load_kind(kg_store_t *st, uint8_t kind, kgst_decode_fn decode, void *out)
{
    if (!st || !st->flash || !out) return KG_ERR_ARG;
    kg_err_t err = kgst_scan(st);
    const kg_store_newest_t *nw = &st->scan.newest[kind - 1];
    if (err == KG_OK && !nw->seq) err = st->foreign ? KG_ERR_STORE_VERSION : KG_ERR_NOT_FOUND;
    if (err == KG_OK) err = kgst_read_record(st, nw->addr[0], nw->len);
    if (err == KG_OK && !decode(KGST_BODY(st), nw->len, out)) err = KG_ERR_STORE;
    kgst_wipe(st->buf, sizeof st->buf);
    return err;
}

/* ---- API ---- */

kg_err_t kg_store_load_tokens(void *store, kg_tokens_t *out)
{
    return load_kind(store, KGST_KIND_TOKENS, kgst_decode_tokens, out);
}

kg_err_t kg_store_save_tokens(void *store, const kg_tokens_t *t)
{
    return save_kind(store, KGST_KIND_TOKENS, kgst_encode_tokens, t);
}

kg_err_t kg_store_load_secrets(kg_store_t *st, kg_secrets_t *out)
{
    return load_kind(st, KGST_KIND_SECRETS, kgst_decode_secrets, out);
}

kg_err_t kg_store_save_secrets(kg_store_t *st, const kg_secrets_t *sec)
{
    if (!st || !st->flash || !sec) return KG_ERR_ARG;
    const uint32_t both =
        kgst_slot(st, KG_STORE_TOKENS_BODY_MAX) + kgst_slot(st, KG_STORE_SECRETS_BODY_MAX);
    if (both > st->flash->sector_size) return KG_ERR_NO_SPACE;
    return save_kind(st, KGST_KIND_SECRETS, kgst_encode_secrets, sec);
}
