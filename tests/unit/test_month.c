/*
 * test_month.c - a month in a minute: one device, 40 simulated days.
 *
 * kg_session in direct mode on kg_store over the flash emulation (4 KB x 4,
 * strict NOR, power-cut injection) against the fake platform, with a port
 * whose clocks the test drives: every step the device idles 5 to 60
 * minutes, then something happens (a reboot, power cut armed for one of the
 * next flash operations, the wall clock jumping hours forward or back, the
 * wall clock lost at boot until "SNTP" returns, the platform unreachable
 * for hours, a slow-down reply), then the application does what it does
 * (a call, a guest call now and then, a login when one is required).
 *
 * The platform plays by the clock: access and app tokens die 2 h after
 * they were issued, a refresh token 30 days after its login (then a refresh
 * is refused: login required, and a new login). After every step the test
 * asserts the state:
 *   - a call succeeds unless the platform is down, a slow-down was sent,
 *     power was cut, or the login is required because the refresh token
 *     died (and then only then);
 *   - the session is logged in exactly when the stored set holds a user
 *     token, and it uses the stored one (saved before use);
 *   - after every reboot the store holds the last saved set or, when power
 *     was cut in a save, the one being saved;
 *   - no step makes more than a handful of requests (no storm of refreshes
 *     or app tokens after a clock jump);
 * and at the end prints the month's counts (refreshes, logins, reboots,
 * power cuts, requests, flash erases) and checks them against what the
 * clock allows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"
#include "kg_flash_file.h"
#include "kg_store.h"
#include "kg_test.h"

#define DAYS         40
#define MIN_MS       60000ull
#define TOKEN_LIFE_S 7200
#define RT_LIFE_S    (30 * 86400) /* assumed: the platform's refresh-token lifetime */
#define P_API        "/v1/playlist"

/* ---- The device ---- */

static uint8_t image[4 * 4096];
static kg_flash_file_t ff;
static kg_store_t store;
static kg_session_t s;
static kg_session_config_t cfg;

static uint64_t boot_ms;     /* true time (fp.now_ms) of the last boot */
static int64_t skew_s;       /* the device's wall clock minus true time */
static uint64_t rtc_back_ms; /* the wall clock is unknown until then */
static uint64_t down_until;  /* the platform is unreachable until then */
static uint32_t rng = 2026;

static struct {
    int steps, reboots, cuts, jumps, outages, slowdowns, rtc_losses;
    int calls, calls_ok, login_required, logins_ok;
    long requests, erases;
} n;

static uint32_t rnd(uint32_t m)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) % m;
}

static uint64_t d_now(void *ctx)
{
    (void)ctx;
    return fp.now_ms - boot_ms; /* monotonic since boot */
}

static kg_err_t d_wall(void *ctx, int64_t *unix_s)
{
    (void)ctx;
    if (fp.now_ms < rtc_back_ms) return KG_ERR_NO_CLOCK;
    *unix_s = fp_unix_now() + skew_s;
    return KG_OK;
}

static void d_sleep(void *ctx, uint32_t ms)
{
    (void)ctx;
    fp.now_ms += ms;
}

static kg_err_t d_random(void *ctx, uint8_t *buf, size_t len)
{
    return fp_port.random(ctx, buf, len);
}

static const kg_port_t port = {
    .now_ms = d_now, .wall_time = d_wall, .sleep_ms = d_sleep, .random = d_random};

/* The network: the fake platform, unless it is down or the device is. */
static bool reachable(void)
{
    return !ff.powered_off && fp.now_ms >= down_until;
}

static kg_err_t t_open(void *ctx, const char *host, uint16_t p, uint32_t timeout_ms)
{
    if (!reachable()) return KG_ERR_CONNECT;
    return fp_transport.open(ctx, host, p, timeout_ms);
}

static kg_err_t t_send(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    if (!reachable()) return KG_ERR_IO;
    return fp_transport.send(ctx, buf, len, timeout_ms);
}

static kg_err_t t_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    if (!reachable()) return KG_ERR_IO;
    return fp_transport.recv(ctx, buf, cap, got, timeout_ms);
}

static void t_close(void *ctx)
{
    fp_transport.close(ctx);
}

static const kg_transport_t transport = {NULL, t_open, t_send, t_recv, t_close};

/* The store, watched: what is durably saved, and what a save in progress
 * (cut by a power loss) may have left. */
static kg_tokens_t durable, pending;
static bool has_pending;

static kg_err_t st_load(void *ctx, kg_tokens_t *out)
{
    return kg_store_load_tokens(ctx, out);
}

static kg_err_t st_save(void *ctx, const kg_tokens_t *t)
{
    pending = *t;
    has_pending = true;
    kg_err_t err = kg_store_save_tokens(ctx, t);
    if (err == KG_OK) {
        durable = *t;
        has_pending = false;
    }
    return err;
}

static const kg_token_store_t ts = {&store, st_load, st_save};

/* ---- The platform's clock ---- */

static struct {
    int users, apps;
    char rt[48];
    int64_t acc_born, app_born, rt_born;
    bool acc_dead, app_dead;
} pl;

/* Tokens die when their time is up (the fake platform itself has no clock). */
static void police(void)
{
    const int64_t now = fp_unix_now();
    if (fp.user_tokens != pl.users) {
        pl.users = fp.user_tokens;
        pl.acc_born = now;
        pl.acc_dead = false;
    }
    if (fp.app_tokens != pl.apps) {
        pl.apps = fp.app_tokens;
        pl.app_born = now;
        pl.app_dead = false;
    }
    if (fp.refresh_token[0] && strcmp(fp.refresh_token, pl.rt) != 0) {
        snprintf(pl.rt, sizeof pl.rt, "%s", fp.refresh_token);
        pl.rt_born = now;
    }
    if (pl.users && !pl.acc_dead && now - pl.acc_born >= TOKEN_LIFE_S) {
        fp_expire_access_token();
        pl.acc_dead = true;
    }
    if (pl.apps && !pl.app_dead && now - pl.app_born >= TOKEN_LIFE_S) {
        strcat(fp.app_token, "-dead");
        pl.app_dead = true;
    }
    if (fp.refresh_token[0] && now - pl.rt_born >= RT_LIFE_S) fp.refresh_token[0] = '\0';
}

/* ---- Events ---- */

static void on_event(void *ctx, const kg_event_t *e)
{
    (void)ctx;
    if (e->type == KG_EVENT_LOGIN_REQUIRED) n.login_required++;
}

/* ---- The state after every step ---- */

static bool same(const kg_tokens_t *a, const kg_tokens_t *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static void check_state(const char *what)
{
    const int before = kg_test_failed_checks;
    KG_CHECK_EQ(s.logged_in, durable.access_token[0] != 0);
    KG_CHECK(!s.logged_in || strcmp(s.tokens.access_token, durable.access_token) == 0);
    KG_CHECK(!s.logged_in || s.tokens.refresh_token[0]);
    KG_CHECK(ff.bit_sets == 0 && ff.misuse == 0);
    KG_CHECK(fp.n_reqs < 40); /* no storm */
    if (kg_test_failed_checks != before)
        fprintf(stderr, "  after %s, step %d, day %.2f\n", what, n.steps,
                (double)fp.now_ms / (86400 * 1000.0));
}

/* ---- What happens ---- */

static void power_on(void)
{
    n.erases += ff.erases;
    KG_CHECK_ERR(kg_flash_file_init(&ff, image, 4096, 4, 8, NULL), KG_OK);
    ff.strict = true;
    KG_CHECK_ERR(kg_store_init(&store, &ff.flash), KG_OK);
}

static bool transport_err(kg_err_t e)
{
    return e == KG_ERR_CONNECT || e == KG_ERR_IO || e == KG_ERR_TIMEOUT || e == KG_ERR_CLOSED;
}

/* A failure the circumstances explain. */
static bool excused(kg_err_t err, bool slowed)
{
    if (ff.powered_off || (transport_err(err) && !reachable())) return true;
    return slowed && (err == KG_ERR_HTTP_STATUS || err == KG_ERR_API || err == KG_ERR_TIMEOUT);
}

/* The store holds the last saved set, or the one a cut save was writing. */
static void check_store_after_boot(void)
{
    kg_tokens_t got;
    const kg_err_t err = kg_store_load_tokens(&store, &got);
    const bool empty = !durable.app_token[0] && !durable.access_token[0];
    bool ok = err == KG_OK ? same(&got, &durable) : empty && err == KG_ERR_NOT_FOUND;
    if (!ok && has_pending && err == KG_OK && same(&got, &pending)) {
        durable = pending; /* the cut save had landed */
        ok = true;
    }
    KG_CHECK(ok);
    has_pending = false;
}

static void reboot(void)
{
    n.reboots++;
    kg_session_free(&s);
    power_on();
    check_store_after_boot();
    boot_ms = fp.now_ms;
    if (rnd(4) == 0) { /* the wall clock lost, until SNTP answers */
        rtc_back_ms = fp.now_ms + (5 + rnd(60)) * MIN_MS;
        n.rtc_losses++;
    }
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &port, &transport), KG_OK);
    const bool slowed = fp.n_overrides > 0;
    const kg_err_t err = kg_session_resume(&s);
    if (err != KG_OK && err != KG_ERR_LOGIN_REQUIRED && !excused(err, slowed))
        KG_CHECK_ERR(err, KG_OK);
}

static void arm_power_cut(void)
{
    ff.cut_op = ff.ops + 1 + rnd(3);
    ff.cut_bytes = rnd(1200);
    ff.cut_erase = rnd(2) ? KG_FLASH_CUT_PARTIAL : KG_FLASH_CUT_ZEROED;
}

static void jump_clock(void)
{
    const int64_t h = 1 + (int64_t)rnd(6);
    skew_s += rnd(2) ? h * 3600 : -h * 3600;
    if (skew_s > 12 * 3600 || skew_s < -12 * 3600) skew_s = 0; /* NTP sets it right */
    n.jumps++;
}

static void outage(void)
{
    down_until = fp.now_ms + (1 + rnd(6)) * 60 * MIN_MS;
    n.outages++;
}

static void slow_down(void)
{
    fp.retry_after = "120";
    fp_push("", rnd(2) ? 429 : 503, "{\"error_code\":1,\"error_msg\":\"slow down\"}");
    n.slowdowns++;
}

static void login(bool slowed)
{
    const kg_err_t err = kg_login(&s, 15 * MIN_MS);
    if (err == KG_OK) {
        n.logins_ok++;
        KG_CHECK(s.logged_in);
        return;
    }
    if (!excused(err, slowed) && !(err == KG_ERR_TIMEOUT && fp.now_ms < down_until + 15 * MIN_MS)) {
        KG_CHECK_ERR(err, KG_OK);
    }
}

static void call(bool slowed)
{
    kg_call_reply_t r;
    const bool guest = rnd(8) == 0;
    const bool rt_dead = !fp.refresh_token[0];
    const kg_err_t err = guest ? kg_call_guest(&s, P_API, "{}", &r) : kg_call(&s, P_API, "{}", &r);
    n.calls++;
    if (err == KG_OK) {
        n.calls_ok++;
        KG_CHECK(strstr(r.body, guest ? "\"guest\"" : "\"user\"") != NULL);
        return;
    }
    if (err == KG_ERR_LOGIN_REQUIRED && !guest) {
        KG_CHECK(rt_dead); /* only a dead refresh token logs the user out */
        KG_CHECK(!s.logged_in);
        return;
    }
    if (!excused(err, slowed)) KG_CHECK_ERR(err, KG_OK);
}

static void step(void)
{
    n.steps++;
    fp.now_ms += (5 + rnd(56)) * MIN_MS;
    police();
    fp.n_reqs = 0;
    const uint32_t dice = rnd(100);
    if (dice < 4)
        reboot();
    else if (dice < 8)
        arm_power_cut();
    else if (dice < 11)
        jump_clock();
    else if (dice < 13)
        outage();
    else if (dice < 18)
        slow_down();
    police();
    const int refreshes = fp.refreshes;
    const bool slowed = fp.n_overrides > 0;
    if (!ff.powered_off) {
        if (s.logged_in)
            call(slowed);
        else
            login(slowed);
    }
    n.requests += (long)fp.n_reqs;
    KG_CHECK(fp.refreshes - refreshes <= 2); /* a clock jump costs one refresh at most */
    if (!ff.powered_off) check_state("the step");
    while (ff.powered_off) { /* the device died in a save: it boots again */
        n.cuts++;
        fp.n_reqs = 0;
        reboot();
        n.requests += (long)fp.n_reqs;
        if (!ff.powered_off) check_state("a power cut");
    }
}

static void test_forty_days(void)
{
    const char *seed = getenv("KG_MONTH_SEED"); /* another month: any number */
    if (seed) rng = (uint32_t)strtoul(seed, NULL, 10);
    memset(image, 0xFF, sizeof image);
    fp_reset();
    fp_config(&cfg, KG_MODE_DIRECT, &s);
    cfg.store = &ts;
    cfg.on_event = on_event;
    cfg.event_ctx = NULL;
    power_on();
    boot_ms = fp.now_ms;
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, &port, &transport), KG_OK);
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED);
    const uint64_t end = fp.now_ms + DAYS * 86400ull * 1000;
    while (fp.now_ms < end && kg_test_failed_checks < 20)
        step();
    n.erases += ff.erases;
    kg_session_free(&s);

    const int logins = fp.user_tokens - fp.refreshes;
    printf("     %d days, %d steps: %d refreshes, %d logins, %d reboots (%d power cuts in a "
           "save, %d without a wall clock), %ld requests, %ld flash erases; %d of %d calls ok; "
           "%d clock jumps, %d outages, %d slow-downs, %d login-required\n",
           DAYS, n.steps, fp.refreshes, logins, n.reboots, n.cuts, n.rtc_losses, n.requests,
           n.erases, n.calls_ok, n.calls, n.jumps, n.outages, n.slowdowns, n.login_required);
    /* The clock allows about one refresh per token lifetime of activity. */
    KG_CHECK(fp.refreshes >= DAYS * 86400 / TOKEN_LIFE_S / 2);
    KG_CHECK(fp.refreshes <= DAYS * 86400 / TOKEN_LIFE_S * 2);
    /* The first login, one after the refresh token died on day 30, and a
     * few that power cuts in the save of a login cost. */
    KG_CHECK(logins >= 2 && n.login_required >= 1);
    KG_CHECK(logins <= 2 + n.cuts);
    KG_CHECK(n.cuts >= 5 && n.erases > 0);
    KG_CHECK(n.calls_ok > n.calls / 2); /* each failure was excused where it happened */
}

int main(void)
{
    KG_RUN(test_forty_days);
    return kg_test_summary();
}
