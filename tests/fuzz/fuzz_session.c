/*
 * fuzz_session.c - libFuzzer target for kg_session's state machine, driven
 * by the scripted platform of the unit tests (tests/unit/fake_platform.c)
 * whose replies the fuzzer picks.
 *
 * Input: byte 0 sets the scene (bit 0 direct mode, bit 1 the port has no
 * clock, bit 2 no Date header, bit 3 a saved session to resume, bits 4-5
 * the QR script); then records, each replacing the platform's answer to
 * the next request on one endpoint:
 *   byte  bits 0-2: the endpoint (app token, QR, QR status, user token,
 *         refresh, a business call); bits 3-7: the answer's HTTP status,
 *         a broken connection or a stall (from a table)
 *   byte  n, then n bytes: the answer's body (up to a NUL)
 * Without records the platform answers as it should, so the fuzzer starts
 * from a whole login and explores deviations from it.
 *
 * The session resumes, logs in step by step (a bounded number of steps on
 * the fake clock), calls, refreshes, calls as a guest, logs out and is
 * freed. Aborts on an error without a name, a transport misused (a send
 * on a closed connection, a second open), a logged-in session without an
 * access token, a token set whose strings lack their NUL, a step that
 * asks to wait longer than the backoff's maximum, or tokens left after
 * kg_session_free.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"

static const char *const paths[8] = {CONFIG_KGIOT_PATH_APP_TOKEN,
                                     CONFIG_KGIOT_PATH_QR,
                                     CONFIG_KGIOT_PATH_QR_STATUS,
                                     CONFIG_KGIOT_PATH_USER_TOKEN,
                                     CONFIG_KGIOT_PATH_REFRESH,
                                     "/v1/playlist",
                                     "/v1/charts",
                                     CONFIG_KGIOT_PATH_QR_STATUS};
static const int statuses[32] = {200, 200, 200, 200, 200, 200, 200,         200,      200, 200, 201,
                                 204, 301, 400, 401, 403, 404, 429,         429,      500, 502, 503,
                                 503, 504, 200, 200, 200, 200, FP_NET_FAIL, FP_STALL, 418, 200};
static const int scripts[4][4] = {
    {CONFIG_KGIOT_QR_STATUS_CONFIRMED},
    {CONFIG_KGIOT_QR_STATUS_WAITING, CONFIG_KGIOT_QR_STATUS_SCANNED,
     CONFIG_KGIOT_QR_STATUS_CONFIRMED},
    {CONFIG_KGIOT_QR_STATUS_EXPIRED, CONFIG_KGIOT_QR_STATUS_CONFIRMED},
    {CONFIG_KGIOT_QR_STATUS_CANCELLED}};
static const size_t script_lens[4] = {1, 3, 2, 1};

static kg_session_t s;
static kg_session_config_t cfg;
static char bodies[FP_MAX_OVERRIDES][256];

static void check(int ok)
{
    if (!ok) abort();
}

static void check_err(kg_err_t err)
{
    check(kg_err_name(err) != NULL);
    check(fp.misuse == 0);
}

static int terminated(const char *p, size_t cap)
{
    return memchr(p, '\0', cap) != NULL;
}

static void check_tokens(void)
{
    const kg_tokens_t *t = &s.tokens;
    check(terminated(t->app_token, sizeof t->app_token) &&
          terminated(t->access_token, sizeof t->access_token) &&
          terminated(t->refresh_token, sizeof t->refresh_token) &&
          terminated(t->openid, sizeof t->openid));
    if (s.logged_in) check(t->access_token[0] != '\0');
}

/* The scene, then the records as fp_push overrides; returns the scene byte. */
static uint8_t script(const uint8_t *data, size_t size)
{
    uint8_t scene = size > 0 ? data[0] : 0;
    fp_reset();
    fp.direct = (scene & 1) != 0;
    fp.wall_clock = (scene & 2) == 0;
    fp.date_header = (scene & 4) == 0;
    fp_set_qr_script(scripts[(scene >> 4) & 3], script_lens[(scene >> 4) & 3]);
    size_t i = 1;
    for (size_t k = 0; k < FP_MAX_OVERRIDES && i + 1 < size; k++) {
        size_t n = data[i + 1];
        if (n > size - i - 2) n = size - i - 2;
        memcpy(bodies[k], data + i + 2, n);
        bodies[k][n] = '\0';
        fp_push(paths[data[i] & 7], statuses[data[i] >> 3], bodies[k]);
        i += 2 + n;
    }
    return scene;
}

static void saved_session(void)
{
    memset(&fp.saved, 0, sizeof fp.saved);
    strcpy(fp.saved.access_token, "ACCTOK-0");
    strcpy(fp.saved.refresh_token, "REFTOK-0");
    strcpy(fp.saved.openid, FP_OPENID);
    strcpy(fp.access_token, "ACCTOK-0");
    strcpy(fp.refresh_token, "REFTOK-0");
    fp.saved.expires_at = fp_unix_now() + 10;
    fp.has_saved = true;
}

static void login(void)
{
    bool done = false;
    uint32_t wait = 0;
    for (int i = 0; i < 40 && !done; i++) {
        kg_err_t err = kg_login_step(&s, &done, &wait);
        check_err(err);
        check_tokens();
        if (err != KG_OK) return;
        check(wait <= CONFIG_KGIOT_POLL_INTERVAL_MAX_MS + 120000u);
        fp.now_ms += wait;
    }
}

static void after_login(void)
{
    kg_call_reply_t reply;
    check_err(kg_call(&s, "/v1/playlist", "{\"k\":1}", &reply));
    check_tokens();
    if (reply.body) check(reply.body_len < CONFIG_KGIOT_HTTP_RX_BUF);
    fp.now_ms += 7200u * 1000u;
    check_err(kg_session_keep_alive(&s));
    check_err(kg_session_refresh(&s));
    check_tokens();
    check_err(kg_call_guest(&s, "/v1/charts", NULL, &reply));
    check_err(kg_logout(&s));
    check(!s.logged_in && s.tokens.access_token[0] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t scene = script(data, size);
    fp_config(&cfg, (scene & 1) ? KG_MODE_DIRECT : KG_MODE_BROKER, &s);
    check(kg_session_init_transport(&s, &cfg, &fp_port, &fp_transport) == KG_OK);
    if (scene & 8) saved_session();
    check_err(kg_session_resume(&s));
    check_tokens();
    if (!s.logged_in) login();
    after_login();
    kg_session_free(&s);
    static const kg_tokens_t zero;
    check(memcmp(&s.tokens, &zero, sizeof zero) == 0);
    return 0;
}
