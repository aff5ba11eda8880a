/*
 * kg_store.h - the token set and the provisioned secrets, kept power-safely
 * on the port's flash region (kg_flash_t of kg_port.h).
 *
 *   static kg_store_t store;                      all state, caller-owned
 *   kg_store_init(&store, port.flash);
 *   static const kg_token_store_t ts = {&store, kg_store_load_tokens, kg_store_save_tokens};
 *   cfg.store = &ts;                              kg_session loads and saves through it
 *
 * Direct mode keeps its secret and appkey in a record of their own
 * (kg_store_save_secrets / kg_store_load_secrets), never in the token set.
 *
 * ---- Why a log, not A/B slots ----
 * A/B slots erase a sector on every save. Here every sector of the region is
 * one segment of an append-only log: a save appends a record behind the
 * last one, and only when the sector is full does the log move on to the
 * next sector in a ring, erasing it first. A 4 KB sector holds about 11
 * token records of real size (360 bytes: 64-byte tokens) or 4 of the
 * largest (944 bytes with the defaults), so a save costs 0.09 to 0.25
 * erases instead of 1 (measured by test_store_power; 1 KB sectors: 0.5 to
 * 1). The erases are spread evenly over the sectors, each erased once per
 * lap of the ring: more sectors do not lower the erases per save, they
 * spread them wider (and keep more history).
 *
 * ---- The record ----
 * Little-endian, at an offset aligned to the program unit:
 *    0  'k' 'g'          magic
 *    2  u8  version      KG_STORE_FORMAT_VERSION (the body's layout)
 *    3  u8  kind         1 token set, 2 secrets
 *    4  u16 length       of the body
 *    6  u16 flags        bit 0: a copy (see below); other bits 0
 *    8  u32 seq          sequence number, 1 to 0xFFFFFFFE, one per saved content
 *   12  u32 header CRC   CRC-32 of bytes 0..11
 *   16  body             (the layouts are in kg_store_codec.c)
 *   16+length u32 CRC    CRC-32 of header and body
 *   then 0xFF up to a multiple of the program unit.
 * The first 16 bytes keep this shape in every format version, so a record
 * of another version is still recognised as one (KG_ERR_STORE_VERSION).
 * Every header field read from flash is range-checked before use: a record
 * of this version with a kind other than 1 or 2, a sequence number 0 or
 * 0xFFFFFFFF, an unknown flag bit or a body longer than its kind's largest
 * is not one of ours and is stepped over; sequence numbers of foreign
 * records do not count towards the next save's, and a damaged record
 * holding the last number does not block saves.
 * A record is programmed in one call; the CRC covers all of it, so a write
 * torn anywhere fails the check and the record is ignored. The header's own
 * CRC makes the length trustworthy, so a scan can step over a damaged body
 * and find the records behind it; a header that is neither blank nor
 * well-framed ends the log in its sector (nothing more is appended there
 * until it is erased). A save programs only bytes it has just read as
 * 0xFF, so it never programs over the remains of a torn write, and reads
 * every record back after programming it.
 *
 * ---- Which record wins ----
 * Every call scans the region: it reads every record header, and the
 * bodies of the records that may be the newest (the CRC of the others is
 * never needed). Nothing is cached between calls, so what a call sees is
 * exactly what a reboot would see. Of each kind, the valid record with the
 * highest sequence number wins. A save appends to the sector holding the
 * newest record ("head"), preceded by copies of the other kinds' newest
 * records if the head lacks them. When the head is full, the next sector in
 * the ring that is not needed is erased and receives copies of the other
 * kinds' newest records, then the new record. Copies keep their sequence
 * number (and carry the copy flag), so an interrupted move leaves only
 * duplicates behind. A sector is erased only when another sector holds the
 * newest record of every kind; so at every instant the newest complete set
 * survives, and at every cut the old or the new content loads. (Only after
 * corruption, when a damaged copy leaves no such sector, is a sector that
 * is no kind's only home erased instead; when every sector is one, the one
 * good record of a kind is carried across the erase in RAM, and a cut in
 * that window loses it. The saved kind's own record counts as carried then
 * too: the new content replaces it from RAM.)
 *
 * Records of another format version are not converted: loads ignore them
 * (KG_ERR_STORE_VERSION while nothing else is there), the next save writes
 * this format, and the old records vanish as their sectors are reused.
 *
 * Requirements: sector_count 2 to KG_STORE_SECTORS_MAX; program_unit 1, 2,
 * 4, 8 or 16; a sector must hold the largest token record (about 16 + 17 +
 * 14 + 4 * (CONFIG_KGIOT_TOKEN_MAX - 1) + 2 * (CONFIG_KGIOT_ID_MAX - 1) +
 * CONFIG_KGIOT_SCOPE_MAX - 1 + 4 (the binding) + 4 bytes, padded: 944 with the
 * defaults), and,
 * to keep secrets too, the largest token record plus the largest secrets
 * record (about 1.1 KB with the defaults: use 2 KB or larger sectors, or
 * let the port pair 1 KB pages into one sector). A record is one program
 * call of up to that size: a port whose part programs in pages splits it.
 *
 * No heap, no platform code: the region is reached only through kg_flash_t.
 * One call at a time per store.
 */
#ifndef KG_STORE_H
#define KG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kg_config.h"
#include "kg_err.h"
#include "kg_port.h"

/* ---- What is stored ---- */

/* Which clock the expiry times were computed with. They are Unix seconds
 * in every case; this tells how far to trust them after a reboot. */
typedef enum {
    KG_TIME_BASE_UNKNOWN = 0, /* not recorded */
    KG_TIME_BASE_PORT = 1,    /* the port's wall clock (RTC, SNTP) */
    KG_TIME_BASE_SERVER = 2,  /* the platform's HTTP Date header */
} kg_time_base_t;

/* The token set: what kg_session persists. Strings are NUL-terminated,
 * "" when absent. */
typedef struct {
    char app_token[CONFIG_KGIOT_TOKEN_MAX];
    char app_refresh_token[CONFIG_KGIOT_TOKEN_MAX];
    int64_t app_expires_at; /* Unix seconds; 0 unknown */
    char access_token[CONFIG_KGIOT_TOKEN_MAX];
    char refresh_token[CONFIG_KGIOT_TOKEN_MAX];
    char openid[CONFIG_KGIOT_ID_MAX];
    char unionid[CONFIG_KGIOT_ID_MAX];
    char scope[CONFIG_KGIOT_SCOPE_MAX];
    int64_t expires_at; /* Unix seconds of the user token's expiry; 0 unknown */
    uint8_t time_base;  /* kg_time_base_t of both expiry times */
    /* What the set is bound to: a 32-bit FNV-1a of the appid, host, port
     * and environment prefix, set by kg_session on every save; a set bound
     * to another is refused at load, and kept. 0: unbound (a record written
     * before bindings existed). */
    uint32_t binding;
} kg_tokens_t;

/* What direct mode is provisioned with (kg_session_config_t's secret and
 * appkey point into it). */
typedef struct {
    char secret[CONFIG_KGIOT_STORE_SECRET_MAX];
    char appkey[CONFIG_KGIOT_STORE_SECRET_MAX]; /* "": the secret signs refreshes */
} kg_secrets_t;

/* ---- Sizes ---- */

#define KG_STORE_FORMAT_VERSION 1
#define KG_STORE_SECTORS_MAX    32 /* one bit per sector in the scan's masks */
#define KG_STORE_KINDS          2  /* token set, secrets */
#define KG_STORE_HEADER_SIZE    16
#define KG_STORE_CRC_SIZE       4

/* Largest bodies: a u8, two i64, then each string as a u16 length and its bytes. */
#define KG_STORE_TOKENS_BODY_MAX                                                                   \
    (1 + 2 * 8 + 7 * 2 + 4 * (CONFIG_KGIOT_TOKEN_MAX - 1) + 2 * (CONFIG_KGIOT_ID_MAX - 1) +        \
     (CONFIG_KGIOT_SCOPE_MAX - 1) + 4)
#define KG_STORE_SECRETS_BODY_MAX (2 * 2 + 2 * (CONFIG_KGIOT_STORE_SECRET_MAX - 1))
#define KG_STORE_BODY_MAX                                                                          \
    (KG_STORE_TOKENS_BODY_MAX > KG_STORE_SECRETS_BODY_MAX ? KG_STORE_TOKENS_BODY_MAX               \
                                                          : KG_STORE_SECRETS_BODY_MAX)
/* One record, padded to the largest program unit. */
#define KG_STORE_BUF_SIZE (KG_STORE_HEADER_SIZE + KG_STORE_BODY_MAX + KG_STORE_CRC_SIZE + 15)

/* ---- The store ---- */

/* Private: the newest valid record of one kind, as the last scan found it. */
typedef struct {
    uint32_t seq;     /* 0: none */
    uint32_t addr[2]; /* one copy, and one in another sector (UINT32_MAX: none) */
    uint32_t orig;    /* the original, when it is valid (UINT32_MAX: copies only) */
    uint32_t sectors; /* bit s: sector s holds a valid copy */
    uint16_t len;     /* body length */
} kg_store_newest_t;

/* Private: what the last scan found. */
typedef struct {
    kg_store_newest_t newest[KG_STORE_KINDS];
    uint32_t max_seq;   /* highest sequence number of a record of ours (see find_head) */
    uint32_t head;      /* sector of the newest record; UINT32_MAX: none */
    uint32_t head_free; /* offset of the first unused byte in head */
} kg_store_scan_t;

/* All state; the application may read the counters. */
typedef struct {
    const kg_flash_t *flash;
    kg_store_scan_t scan;
    /* Counters since kg_store_init. */
    uint32_t saves;     /* saves that wrote a record */
    uint32_t unchanged; /* saves that found the content already stored */
    uint32_t erases;    /* sector erases */
    uint32_t programs;  /* program operations (records and copies) */
    uint32_t carried;   /* records that lived only in RAM across an erase (only after corruption) */
    /* What the last scan met: records whose body fails its CRC (only those
     * that could have been the newest are checked), and records of another
     * format version. */
    uint32_t damaged;
    uint32_t foreign;
    /* One record being written or read; wiped after every call. */
    uint8_t buf[KG_STORE_BUF_SIZE];
} kg_store_t;

/* Bind st to a flash region (no I/O). KG_ERR_ARG: NULL, a callback
 * missing, sector_count outside 2..KG_STORE_SECTORS_MAX, a program unit
 * other than 1, 2, 4, 8, 16, or a sector that is not a multiple of the
 * program unit or cannot hold the largest token record. */
kg_err_t kg_store_init(kg_store_t *st, const kg_flash_t *flash);

/* kg_token_store_t callbacks (kg_session.h); store is a kg_store_t *:
 *   kg_token_store_t ts = {&store, kg_store_load_tokens, kg_store_save_tokens};
 *
 * load: the newest token set into *out. KG_ERR_NOT_FOUND: nothing valid
 * stored (blank or never-written flash, or only damaged records);
 * KG_ERR_STORE_VERSION: none in this format, but records of another
 * format version are there;
 * KG_ERR_FLASH: a read failed; KG_ERR_STORE: the record does not decode
 * (cannot happen with records this build wrote).
 *
 * save: power-safe: once it returns KG_OK the new set loads; if power is
 * lost before, the previous set or the new one loads. A set equal to the
 * newest stored one writes nothing. Strings longer than their capacity are
 * cut at capacity - 1. Errors: KG_ERR_FLASH (a read, program or erase
 * failed, or a programmed record reads back wrong), KG_ERR_STORE (sequence
 * numbers used up, after 4 billion saves). Both: KG_ERR_ARG for NULL. */
kg_err_t kg_store_load_tokens(void *store, kg_tokens_t *out);
kg_err_t kg_store_save_tokens(void *store, const kg_tokens_t *t);

/* The same for the secrets record, which is separate from the token set:
 * saving one never alters the other. kg_store_save_secrets also returns
 * KG_ERR_NO_SPACE when a sector cannot hold the largest token record and
 * the largest secrets record side by side. Buffers that held secrets are
 * wiped before returning; older secrets records stay on the flash until
 * later saves erase their sector. */
kg_err_t kg_store_save_secrets(kg_store_t *st, const kg_secrets_t *sec);
kg_err_t kg_store_load_secrets(kg_store_t *st, kg_secrets_t *out);

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320, as zlib's crc32): continue crc
 * (0 to start) over len bytes. "123456789" gives 0xCBF43926. */
uint32_t kg_store_crc32(uint32_t crc, const void *data, size_t len);

#endif
