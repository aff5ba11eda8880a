/*
 * kg_session.h - the façade: sign a user in by QR code and keep them signed in.
 *
 *   static kg_session_t s;                       all state, statically allocated
 *   kg_session_init(&s, &cfg, &port);
 *   if (kg_session_resume(&s) == KG_ERR_LOGIN_REQUIRED)
 *       kg_login(&s, 0);                         app token -> QR -> poll -> user token -> save
 *   kg_call(&s, "/some/business/api", "{}", &reply);
 *
 * Events reach the application through one callback (QR ready with the
 * content to render, scanned, confirmed, logged in, token refreshed, login
 * required, error). Firmware without a task to block drives the login with
 * kg_login_step() instead of kg_login().
 *
 * One connection (kg_tls over kg_tcp, kept alive, resumed on reconnect)
 * carries the whole login and every call after it. Tokens are saved through
 * the store callbacks before they are used or announced.
 *
 * Time: token expiry is tracked in wall-clock seconds from the port; when
 * the port has no clock, the platform's HTTP Date header sets it.
 *
 * Modes (PLATFORM.md, security): in broker mode (the default) the host is
 * the vendor's backend, the device never holds the secret and never sends a
 * secret, a sign or a ts; in direct mode the device talks to the platform
 * with a secret provisioned at run time.
 *
 * Logs (port->log) name steps and errors, never a token, secret, code or
 * QR id. One call at a time on a session; event callbacks must not call
 * back into the session.
 */
#ifndef KG_SESSION_H
#define KG_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "kg_auth.h"
#include "kg_config.h"
#include "kg_err.h"
#include "kg_port.h"
#include "kg_store.h"
#include "kg_tcp.h"
#include "kg_tls.h"

/* ---- Events ---- */

typedef enum {
    KG_EVENT_QR_READY,        /* qr_content: render it; qr_expires_in: seconds it lives */
    KG_EVENT_QR_SCANNED,      /* the user scanned the code (once per code) */
    KG_EVENT_QR_CONFIRMED,    /* the user confirmed on the phone (once per code) */
    KG_EVENT_LOGGED_IN,       /* openid: the user; tokens are saved */
    KG_EVENT_TOKEN_REFRESHED, /* a new access token is saved */
    KG_EVENT_LOGIN_REQUIRED,  /* no valid user token remains; it is forgotten */
    KG_EVENT_ERROR,           /* err (and platform_code when err is KG_ERR_API) */
    KG_EVENT_RETRY,           /* a login step failed (err) and runs again in retry_in_ms */
} kg_event_type_t;

typedef struct {
    kg_event_type_t type;
    kg_err_t err;          /* KG_EVENT_ERROR: a login that failed, or KG_ERR_STORE;
                            * KG_EVENT_RETRY: what the step met */
    kg_err_t cause;        /* KG_EVENT_ERROR with KG_ERR_TIMEOUT: the last error retried */
    uint32_t retry_in_ms;  /* KG_EVENT_RETRY (other events: undefined) */
    int32_t platform_code; /* KG_EVENT_ERROR with KG_ERR_API: the reply's error_code */
    /* KG_EVENT_QR_READY: the text to encode as a QR code. Owned by the
     * session, valid until the next QR_READY or kg_session_free. */
    const char *qr_content;
    int64_t qr_expires_in; /* seconds; 0 unknown */
    const char *openid;    /* LOGGED_IN, TOKEN_REFRESHED */
} kg_event_t;

typedef void (*kg_event_cb_t)(void *ctx, const kg_event_t *event);

/* ---- What is persisted ---- */

/* kg_tokens_t, the token set, is the content of kg_store's record: it is
 * defined in kg_store.h. */

/* Where tokens live between boots (kg_store on flash, a file on the host).
 * The session saves the whole set whenever a token changes: a new app token,
 * a login, a refresh, and the set without user tokens when they die.
 * On the port's flash, kg_store provides both callbacks:
 *   static kg_store_t store;
 *   kg_store_init(&store, port.flash);
 *   static const kg_token_store_t ts = {&store, kg_store_load_tokens, kg_store_save_tokens};
 *   cfg.store = &ts; */
typedef struct {
    void *ctx;
    /* KG_ERR_NOT_FOUND when nothing was saved; KG_ERR_STORE (or kg_store's
     * KG_ERR_FLASH, KG_ERR_STORE_VERSION) on failure: a login is needed. */
    kg_err_t (*load)(void *ctx, kg_tokens_t *out);
    /* Must be power-safe: afterwards the old or the new set is loadable. */
    kg_err_t (*save)(void *ctx, const kg_tokens_t *tokens);
} kg_token_store_t;

/* ---- Configuration ---- */

typedef enum {
    KG_MODE_BROKER, /* host is the vendor's backend, which adds the secret (default) */
    KG_MODE_DIRECT, /* host is the platform; secret provisioned at run time */
} kg_mode_t;

/* Copied by kg_session_init; the strings must outlive the session.
 * Numbers left 0 take their Kconfig default, except qr_renewals (0: none). */
typedef struct {
    const char *host;       /* NULL: CONFIG_KGIOT_HOST */
    uint16_t port;          /* 0: CONFIG_KGIOT_PORT */
    const char *env_prefix; /* NULL: CONFIG_KGIOT_ENV_PREFIX */
    const char *appid;
    kg_mode_t mode;
    const char *secret; /* direct mode only; must be NULL or "" in broker mode */
    const char *appkey; /* refresh signing key, direct mode only; NULL: the secret */
    const uint8_t *ca;  /* trusted CA: PEM incl. NUL, or DER (kg_session_init only) */
    size_t ca_len;      /* ca may be NULL/0 when tls_configure installs trust */
    /* kg_tls's configure hook (kg_tls_config_t.configure, kg_tls.h), e.g. a
     * port attaching ESP-IDF's certificate bundle; NULL: none. */
    kg_err_t (*tls_configure)(void *ctx, mbedtls_ssl_config *conf);
    void *tls_configure_ctx;
    kg_event_cb_t on_event; /* may be NULL */
    void *event_ctx;
    const kg_token_store_t *store; /* NULL: nothing survives a reboot */
    uint32_t poll_interval_ms;     /* CONFIG_KGIOT_POLL_INTERVAL_MS */
    uint32_t poll_interval_max_ms; /* CONFIG_KGIOT_POLL_INTERVAL_MAX_MS */
    uint32_t refresh_margin_s;     /* CONFIG_KGIOT_REFRESH_MARGIN_S */
    int32_t qr_renewals;           /* fresh codes after expiry; < 0: CONFIG_KGIOT_QR_RENEWALS */
    uint32_t timeout_ms;           /* per HTTP call: CONFIG_KGIOT_REQUEST_TIMEOUT_MS */
    /* Paths; NULL: the CONFIG_KGIOT_PATH_* default. */
    const char *path_app_token, *path_user_token, *path_qr, *path_qr_status, *path_refresh;
    const char *path_virtual_unbind, *path_virtual_bind_info;
} kg_session_config_t;

/* ---- The session ---- */

typedef enum {
    KG_LOGIN_IDLE,       /* no login started */
    KG_LOGIN_APP_TOKEN,  /* next: fetch the app-level token */
    KG_LOGIN_QR,         /* next: fetch a QR code */
    KG_LOGIN_POLL,       /* next: ask what the user did with it */
    KG_LOGIN_USER_TOKEN, /* next: exchange the code for the user token */
    KG_LOGIN_DONE,       /* logged in */
    KG_LOGIN_FAILED,     /* ended with an error */
} kg_login_state_t;

/* The application may read tokens (strings "" when absent), logged_in,
 * state and the diagnostics at the end; everything else is private. */
typedef struct {
    kg_session_config_t cfg;
    const kg_port_t *port;
    /* Connection: kg_tls over kg_tcp, or the caller's transport. */
    kg_tcp_t tcp;
    kg_tls_t tls;
    kg_transport_t tcp_tr, tls_tr;
    bool tls_ready;
    kg_auth_t auth;
    uint32_t call_timeout_ms;
    kg_tokens_t tokens;
    bool logged_in;
    bool loaded;        /* the store was read: a save keeps what it held */
    bool store_foreign; /* the store holds another appid's or host's set: no save but a login's */
    /* Clock from the Date header: Unix s = now_ms / 1000 + wall_offset. */
    bool wall_known;
    int64_t wall_offset;
    /* Login state machine. */
    kg_login_state_t state;
    uint64_t next_step_at; /* monotonic ms: the next step may run then */
    uint64_t deadline;     /* kg_login's (monotonic ms); 0 none */
    uint32_t poll_interval_ms;
    uint8_t backoff_step;
    bool app_token_retried; /* a rejected app token is fetched again once per login */
    int32_t qr_renewals_left;
    kg_qr_state_t qr_state; /* furthest state reported for the current code */
    int64_t qr_expires_in;
    char qr_content[CONFIG_KGIOT_QR_CONTENT_MAX];
    char qr_id[CONFIG_KGIOT_QR_ID_MAX];
    char code[CONFIG_KGIOT_CODE_MAX];
    /* Scratch replies (large; kept here, not on the stack). */
    union {
        kg_token_reply_t token;
        kg_qr_reply_t qr;
        kg_qr_status_reply_t qr_status;
    } reply;
    /* Diagnostics and counters, for the application, tests and benchmarks. */
    kg_err_t last_err; /* the last error a login step met (retried or not) */
    kg_err_t save_err; /* KG_ERR_STORE: a save failed in the current login, call or resume */
    uint32_t polls;
    uint32_t refreshes;
    uint32_t saves;
} kg_session_t;

/* Set up s (no I/O) with kg_tls over kg_tcp on the port's sockets.
 * Errors: KG_ERR_ARG (missing appid or CA, a secret or appkey in broker
 * mode, no secret in direct mode, a store without load or save, a port
 * without now_ms), those of kg_tls_init and kg_auth_init. */
kg_err_t kg_session_init(kg_session_t *s, const kg_session_config_t *cfg, const kg_port_t *port);

/* The same over the caller's transport instead (which must outlive s): for
 * modems that run TLS themselves, and for tests. cfg->ca is not used. */
kg_err_t kg_session_init_transport(kg_session_t *s, const kg_session_config_t *cfg,
                                   const kg_port_t *port, const kg_transport_t *transport);

/* At boot: load the saved tokens and refresh them when they expire within
 * the margin. KG_OK: logged in. KG_ERR_LOGIN_REQUIRED (and the event) when
 * nothing valid remains: nothing saved (KG_ERR_NOT_FOUND), a store that
 * fails to load, no user token, or a refresh the platform refuses. Transport
 * errors of the refresh are returned as they are (the tokens are kept, the
 * session counts as logged in, kg_call retries the refresh). When the time
 * is not known yet (no port clock, no reply seen) the saved token is
 * trusted until the platform rejects it. KG_ERR_STORE: refreshed and logged
 * in, but the new token could not be saved. */
kg_err_t kg_session_resume(kg_session_t *s);

/* The whole login, blocking, within timeout_ms (0: CONFIG_KGIOT_LOGIN_TIMEOUT_MS):
 * the app token (when missing or expired), a QR code (KG_EVENT_QR_READY),
 * polls (SCANNED, CONFIRMED), the user token, saved, then LOGGED_IN.
 * Sleeps through port->sleep_ms between steps, never past the deadline;
 * each HTTP call's timeout is cut to what is left of it.
 * Polls come every poll interval, never faster than the reply's `interval`
 * (seconds); a slow-down reply to a poll (CONFIG_KGIOT_CODE_SLOW_DOWN or
 * HTTP 429) doubles the interval up to the configured maximum. Network
 * errors, timeouts, HTTP 5xx (with or without an error_code) and slow-downs
 * on the other steps are retried after 1, 2, 4, 10, 30, 60, 60... s (each
 * ±50 % jitter from port->random; back to 1 s after a success; never sooner
 * than a Retry-After header) until the deadline.
 * An expired code is replaced (a new QR_READY) up to qr_renewals times.
 * Each retry is a KG_EVENT_RETRY (the error met, the wait), for a UI to show.
 * Errors (each also a KG_EVENT_ERROR): KG_ERR_TIMEOUT (the deadline; the
 * last retried error is the event's cause and s->last_err), KG_ERR_QR_EXPIRED, KG_ERR_LOGIN_DENIED
 * (cancelled on the phone), KG_ERR_API (platform_code in the event),
 * KG_ERR_HTTP_STATUS (4xx), KG_ERR_TLS_UNTRUSTED, KG_ERR_TLS_NAME_MISMATCH
 * and other errors that a retry cannot mend, KG_ERR_ARG (the port has no sleep_ms).
 * KG_ERR_STORE: the login completed (logged_in, LOGGED_IN sent) but a save
 * failed: the session works until the next reboot, the store does not hold
 * the login. */
kg_err_t kg_login(kg_session_t *s, uint32_t timeout_ms);

/* One bounded step of the same login (at most one HTTP exchange), for
 * firmware without a task to block. Starts a login when none is in progress
 * (also after one ended, done or failed). KG_OK: *done tells whether the user
 * is logged in; if not, call again in *wait_ms (an earlier call does nothing
 * and returns the remaining wait). Errors that kg_login retries are retried
 * here too: they return KG_OK with the backoff as *wait_ms, for as long as
 * the caller keeps stepping (s->last_err tells what happened); the caller
 * owns the deadline and ends a login with kg_login_cancel(). Any other
 * error ends the login, as in kg_login. */
kg_err_t kg_login_step(kg_session_t *s, bool *done, uint32_t *wait_ms);

/* Abandon the login in progress (no event); the tokens are untouched. */
void kg_login_cancel(kg_session_t *s);

/* Refresh the user token now (kg_auth_refresh with the session's time as ts).
 * The new access token is saved before it is used; a reply without a new
 * refresh_token keeps the old one. On a refresh the platform refuses
 * (CONFIG_KGIOT_CODE_TOKEN_EXPIRED, HTTP 401/403) or without a refresh
 * token: the user tokens are forgotten, the set without them is saved,
 * KG_EVENT_LOGIN_REQUIRED, KG_ERR_LOGIN_REQUIRED. KG_ERR_NO_CLOCK in direct
 * mode while the time is unknown (the sign needs it). KG_ERR_STORE: refreshed
 * and usable, but not saved. Other errors are returned as they are, tokens
 * kept. */
kg_err_t kg_session_refresh(kg_session_t *s);

/* Refresh when the token expires within the margin; otherwise nothing (also
 * while the time or the expiry is unknown). KG_ERR_LOGIN_REQUIRED when not
 * logged in. Call it now and then (kg_call does it first). */
kg_err_t kg_session_keep_alive(kg_session_t *s);

/* Reply of an authorised business call. body points into the session's
 * receive buffer and stays valid until the next call on s (kg_session_free
 * included: it wipes the buffer). */
typedef struct {
    int http_status;
    int32_t error_code; /* the reply's error_code when it is a JSON object with one, else 0 */
    char *body;
    size_t body_len;
} kg_call_reply_t;

/* POST json_body (NULL: "{}") to prefix + path with the headers
 * CONFIG_KGIOT_CALL_APPID_HEADER (appid), CONFIG_KGIOT_CALL_TOKEN_HEADER
 * (user access token) and CONFIG_KGIOT_CALL_OPENID_HEADER (openid).
 * Refreshes first when near expiry; on a token-expired reply (error_code
 * CONFIG_KGIOT_CODE_TOKEN_EXPIRED or HTTP 401/403) refreshes once and
 * retries once. KG_OK: a 2xx reply with error_code 0. Otherwise, with the
 * reply filled: KG_ERR_API (error_code != 0), KG_ERR_HTTP_STATUS (non-2xx).
 * Other errors: KG_ERR_LOGIN_REQUIRED (not logged in, or the refresh was
 * refused), transport errors (reply empty or that of the first try),
 * KG_ERR_STORE (the call succeeded, reply filled, but a renewed token could
 * not be saved). */
kg_err_t kg_call(kg_session_t *s, const char *path, const char *json_body, kg_call_reply_t *reply);

/* The same with the app-level token (fetched when missing or expired, and
 * once more on a token-expired reply) and no openid header at all: the
 * platform rejects an app token that comes with one. Works logged out. */
kg_err_t kg_call_guest(kg_session_t *s, const char *path, const char *json_body,
                       kg_call_reply_t *reply);

/* Unix seconds now, from the port's clock, else from the last Date header
 * (plus the monotonic time since). KG_ERR_NO_CLOCK before either is known. */
kg_err_t kg_session_time(kg_session_t *s, int64_t *unix_s);

/* Forget the user tokens and save the set without them (the app token
 * stays). No event. */
kg_err_t kg_logout(kg_session_t *s);

/* Close the connection and release mbedTLS state. Safe on NULL, on a
 * zero-filled s (a static never initialised), after a failed
 * kg_session_init and twice. */
void kg_session_free(kg_session_t *s);

/* ---- Helper ---- */

/* An HTTP Date in IMF-fixdate form ("Fri, 27 Nov 2026 11:00:00 GMT", exactly
 * 29 bytes, the weekday matching the date, years 1970-9999) to Unix seconds.
 * No libc time functions. The obsolete RFC 850 and asctime forms are not
 * accepted. Errors: KG_ERR_ARG (NULL), KG_ERR_HTTP_SYNTAX. */
kg_err_t kg_session_parse_http_date(const char *text, size_t len, int64_t *unix_s);

#endif
