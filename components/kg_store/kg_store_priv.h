/*
 * kg_store_priv.h - what the kg_store_*.c files share; not public.
 *
 *   kg_store.c        the API and the save policy (append, or move on to a sector)
 *   kg_store_log.c    the log on flash: CRC, record frames, the scan, flash I/O
 *   kg_store_codec.c  the bodies of the two record kinds
 */
#ifndef KG_STORE_PRIV_H
#define KG_STORE_PRIV_H

#include "kg_store.h"

enum {
    KGST_KIND_TOKENS = 1,
    KGST_KIND_SECRETS = 2,
};

#define KGST_FLAG_COPY 0x01u /* the record repeats an older one, sequence number and all */
#define KGST_SEQ_MAX   (UINT32_MAX - 1) /* highest sequence number; the scan's bounds lie above */
#define KGST_NONE      UINT32_MAX       /* no sector, no address */
#define KGST_BODY(st)  ((st)->buf + KG_STORE_HEADER_SIZE)

/* A record's header fields, as written or as read. */
typedef struct {
    uint8_t version;
    uint8_t kind;
    uint16_t flags; /* bytes 6 and 7: only KGST_FLAG_COPY is defined */
    uint16_t len;   /* of the body */
    uint32_t seq;
} kgst_frame_t;

/* ---- kg_store_log.c ---- */

/* Bytes a record with a body of len bytes takes, padded to the program unit. */
uint32_t kgst_slot(const kg_store_t *st, uint32_t len);

/* Scan the whole region into st->scan (and st->damaged, st->foreign).
 * Errors: KG_ERR_FLASH. */
kg_err_t kgst_scan(kg_store_t *st);

/* Frame the body in KGST_BODY(st) (f->len bytes) and program the record at
 * addr in one operation, then read it back. Errors: KG_ERR_FLASH. */
kg_err_t kgst_write(kg_store_t *st, uint32_t addr, const kgst_frame_t *f);

/* Read the record at addr (body of len bytes) into st->buf and check its
 * CRC. Errors: KG_ERR_FLASH; KG_ERR_STORE when it no longer checks out. */
kg_err_t kgst_read_record(kg_store_t *st, uint32_t addr, uint32_t len);

/* Does the body at addr (len bytes) equal KGST_BODY(st)? */
kg_err_t kgst_body_equal(kg_store_t *st, uint32_t addr, uint32_t len, bool *equal);

/* Is [addr, addr + len) all 0xFF? */
kg_err_t kgst_blank(kg_store_t *st, uint32_t addr, uint32_t len, bool *blank);

/* Erase sector s (and count it). Errors: KG_ERR_FLASH. */
kg_err_t kgst_erase(kg_store_t *st, uint32_t s);

/* Overwrite n bytes with zeros in a way the compiler keeps. */
void kgst_wipe(void *p, size_t n);

/* ---- kg_store_codec.c ---- */

/* Write a body into body[0..KG_STORE_BODY_MAX); returns its length. */
typedef uint32_t (*kgst_encode_fn)(uint8_t *body, const void *src);
/* Read a body of len bytes into *out; false when it is malformed. */
typedef bool (*kgst_decode_fn)(const uint8_t *body, uint32_t len, void *out);

uint32_t kgst_encode_tokens(uint8_t *body, const void *tokens);
bool kgst_decode_tokens(const uint8_t *body, uint32_t len, void *tokens);
uint32_t kgst_encode_secrets(uint8_t *body, const void *secrets);
bool kgst_decode_secrets(const uint8_t *body, uint32_t len, void *secrets);

#endif
