/*
 * fake_platform.h - the WeSing platform, a port and a token store, all in
 * memory, for kg_session's unit tests.
 *
 * The transport plays the server: every request the HTTP client sends is
 * parsed (method, path, headers, JSON body) and recorded, then answered the
 * way the platform would: tokens are issued and checked, a QR code's state
 * follows a script (one entry per poll), and scripted deviations
 * (fp_push: an HTTP status, a body, a network failure, a stall) replace the
 * answer to the next request on a given path. The port's clock is fake:
 * sleep_ms advances it, the server answers in zero time unless told, and
 * random is deterministic.
 *
 * Issued values have recognisable prefixes (APPTOK-, ACCTOK-, REFTOK-,
 * AUTHCODE-, QRID-) so that tests can check no log line contains one.
 */
#ifndef FAKE_PLATFORM_H
#define FAKE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kg_session.h"

#define FP_MAX_REQS      160
#define FP_MAX_OVERRIDES 24
#define FP_APPID         "app-1001"
#define FP_SECRET        "SECRET-5ec7e7"
#define FP_OPENID        "OPENID-user-1"
#define FP_UNIX_BASE     1795777200 /* Fri, 27 Nov 2026 11:00:00 GMT at now_ms == 0 */

/* How a scripted deviation answers. */
enum {
    FP_NET_FAIL = 0, /* the connection breaks: the client sees KG_ERR_IO / KG_ERR_CONNECT */
    FP_STALL = -1,   /* no answer: recv waits out its timeout (KG_ERR_TIMEOUT) */
};

typedef struct {
    uint64_t at_ms; /* fake clock when the request arrived */
    char method[8];
    char path[128];
    char head[1024]; /* header lines as sent */
    char body[768];
    int status; /* the answer's HTTP status; FP_NET_FAIL / FP_STALL */
} fp_request_t;

typedef struct {
    const char *path_suffix; /* matches the next request whose path ends with it */
    int status;              /* HTTP status, or FP_NET_FAIL, FP_STALL */
    const char *body;        /* NULL: an empty body */
} fp_override_t;

/* An event as the application saw it, with what the store held then. */
typedef struct {
    kg_event_type_t type;
    kg_err_t err;
    kg_err_t cause;
    uint32_t retry_in_ms;
    int32_t platform_code;
    char qr_content[CONFIG_KGIOT_QR_CONTENT_MAX];
    int64_t qr_expires_in;
    char openid[CONFIG_KGIOT_ID_MAX];
    uint64_t at_ms;
    int saves_before;   /* successful saves so far */
    bool saved_current; /* the store holds the session's current access token */
} fp_event_t;

typedef struct {
    /* ---- port ---- */
    uint64_t now_ms;
    bool wall_clock;   /* the port knows Unix time (FP_UNIX_BASE + now_ms / 1000) */
    bool random_fixed; /* random() gives random_value every time ... */
    uint32_t random_value;
    uint32_t rng; /* ... else an LCG from this seed */
    int sleeps;
    uint64_t latest_wake; /* the clock after the last sleep */
    char log[16384];
    size_t log_len;

    /* ---- platform model ---- */
    bool direct;             /* expect the secret in token requests */
    bool date_header;        /* answers carry Date */
    const char *date_text;   /* ... this one instead of the true date, when set */
    const char *retry_after; /* answers with status 429 or 503 carry Retry-After: this */
    const int *qr_script;    /* status per poll; the last repeats */
    size_t qr_script_len, qr_polls;
    int32_t interval_s; /* the status reply's interval field; 0: absent */
    int64_t qr_expires_in, app_expires_in, user_expires_in;
    bool refresh_new_rt; /* a refresh hands out a new refresh token too */
    int app_tokens, qrs, codes, user_tokens, refreshes, calls;
    char app_token[48], qr_id[48], code[48], access_token[48], refresh_token[48];
    fp_override_t overrides[FP_MAX_OVERRIDES];
    size_t n_overrides;

    /* ---- transport ---- */
    bool open;
    int opens, closes, misuse;
    int served_on_conn;
    bool fail_next_open;
    kg_err_t pending_err;
    char in[4096];
    size_t in_len;
    char out[4096];
    size_t out_len, out_pos;
    fp_request_t reqs[FP_MAX_REQS];
    size_t n_reqs;

    /* ---- token store ---- */
    kg_tokens_t saved;
    bool has_saved;
    int saves, loads;
    kg_err_t save_err, load_err;
    size_t reqs_at_save; /* requests the platform had seen at the last save */

    /* ---- the application ---- */
    fp_event_t events[64];
    size_t n_events;
} fp_t;

extern fp_t fp;
extern const kg_port_t fp_port; /* with wall_time (answers per fp.wall_clock) */
extern const kg_transport_t fp_transport;
extern const kg_token_store_t fp_store;

/* The event callback; ctx is the kg_session_t. */
void fp_on_event(void *ctx, const kg_event_t *e);

/* Does the event list read exactly want[0..n)? Prints it when not. */
bool fp_events_are(const kg_event_type_t *want, size_t n);
#define FP_EVENTS_ARE(...)                                                                         \
    fp_events_are((const kg_event_type_t[]){__VA_ARGS__},                                          \
                  sizeof((const kg_event_type_t[]){__VA_ARGS__}) / sizeof(kg_event_type_t))

/* A session configuration against the fake: host, "/test" prefix, appid,
 * mode (with the secret in direct mode), fp_store, fp_on_event with s. */
void fp_config(kg_session_config_t *cfg, kg_mode_t mode, kg_session_t *s);

/* Everything back to a clean platform with defaults: wall clock on, Date
 * headers on, QR script "confirmed at the first poll", lifetimes 7200 s
 * (tokens) and 120 s (QR codes), LCG random. */
void fp_reset(void);

/* The next request whose path ends with suffix gets this answer instead. */
void fp_push(const char *suffix, int status, const char *body);

void fp_set_qr_script(const int *states, size_t n);

/* Requests recorded so far whose path ends with suffix (NULL: all). */
size_t fp_count(const char *suffix);
/* The n-th (0-based) of them, or NULL. */
const fp_request_t *fp_nth(const char *suffix, size_t n);

/* Header value of a recorded request into out[cap] ("" and false when absent). */
bool fp_header(const fp_request_t *r, const char *name, char *out, size_t cap);
/* String or integer field of a recorded request's JSON body. */
bool fp_body_str(const fp_request_t *r, const char *key, char *out, size_t cap);
bool fp_body_int(const fp_request_t *r, const char *key, int64_t *out);
/* Does any recorded request's body have this key? */
bool fp_any_body_has(const char *key);

/* Unix seconds the platform believes it is. */
int64_t fp_unix_now(void);

/* Make the platform forget the current access token (as if it expired). */
void fp_expire_access_token(void);

#endif
