/*
 * kg_session_priv.h - what the kg_session_*.c files share; not public.
 *
 *   kg_session.c        set-up, resume, refresh, tokens, events, logs
 *   kg_session_login.c  the login state machine (kg_login, kg_login_step)
 *   kg_session_call.c   authorised business calls (kg_call, kg_call_guest)
 *   kg_session_time.c   the clock, the Date parser, the frame of one exchange
 */
#ifndef KG_SESSION_PRIV_H
#define KG_SESSION_PRIV_H

#include "kg_session.h"

/* ---- kg_session.c ---- */

/* One log line "msg[ detail][ num]"; detail NULL and num < 0 are left out.
 * Callers pass step names and error names only, never a token or code. */
void kgs_log(const kg_session_t *s, kg_log_level_t level, const char *msg, const char *detail,
             int64_t num);

/* Tell the application (err and platform_code only for KG_EVENT_ERROR). */
void kgs_emit(kg_session_t *s, kg_event_type_t type, kg_err_t err, int32_t platform_code);

/* Save the token set. A failing store is reported (log, KG_EVENT_ERROR with
 * KG_ERR_STORE) and returned, but the caller goes on with the tokens it
 * holds: they stay valid until the next reboot, and failing the login or
 * the call would not make the flash work. */
kg_err_t kgs_save(kg_session_t *s);

/* The user token is dead: forget it, save the set without it (when save),
 * KG_EVENT_LOGIN_REQUIRED. Returns KG_ERR_LOGIN_REQUIRED. */
kg_err_t kgs_login_required(kg_session_t *s, bool save);

/* Read the store once before anything is saved, so that a save keeps the
 * user tokens it holds (a guest call, a login that fails). */
void kgs_load_once(kg_session_t *s);

/* Fetch the app token when forced, missing or expiring; saved on arrival. */
kg_err_t kgs_app_token(kg_session_t *s, bool force);

/* Did the platform refuse the token (CONFIG_KGIOT_CODE_TOKEN_EXPIRED, or
 * HTTP 401/403 in a complete reply)? */
bool kgs_rejected(kg_err_t err, int32_t code, int http_status);

/* Bounded copy into dst[cap]: the token arrays of replies and of the
 * session have the same capacity, so nothing is cut in practice. The rest
 * of dst is zeroed: a shorter value leaves no tail of the one before. */
void kgs_copy(char *dst, size_t cap, const char *src);

/* A token reply has been taken (or refused): wipe the tokens and ids it
 * carried (its error_code and message stay, for the event). */
void kgs_wipe_token_reply(kg_token_reply_t *r);

/* ---- kg_session_time.c ---- */

uint64_t kgs_now_ms(const kg_session_t *s);

/* Time arithmetic saturates: numbers from the platform or the port added
 * to a clock clamp at the end of the type instead of overflowing. */
int64_t kgs_add_sat(int64_t a, int64_t b);
/* The monotonic clock ms milliseconds from now (UINT64_MAX at most). */
uint64_t kgs_after_ms(const kg_session_t *s, uint64_t ms);

/* Unix seconds of expiry for a lifetime of expires_in seconds (INT64_MAX
 * at most); 0 when the lifetime or the time is unknown. */
int64_t kgs_expiry(kg_session_t *s, int64_t expires_in);

/* Expires within the refresh margin? False when expires_at or the time is
 * unknown: then only the platform's rejection tells. */
bool kgs_expiring(kg_session_t *s, int64_t expires_at);

/* Around every kg_auth call. begin: cuts the call's timeout to what is left
 * of kg_login's deadline (KG_ERR_TIMEOUT when nothing is) and remembers the
 * request count. end: restores the timeout, and when a reply arrived takes
 * the wall clock from its Date header. */
kg_err_t kgs_exchange_begin(kg_session_t *s, uint32_t *requests);
void kgs_exchange_end(kg_session_t *s, uint32_t requests);

/* HTTP status of the last complete reply; 0 when none. Only meaningful
 * right after a call that returned KG_ERR_API or KG_ERR_HTTP_STATUS. */
int kgs_http_status(const kg_session_t *s);

#endif
