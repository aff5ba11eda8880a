/*
 * test_login_flow.c - the whole login on the board: kg_session on the
 * board's port (SysTick clock, sleeping, deterministic random, console log),
 * the scripted in-image platform (fake_platform.c) as its transport, and
 * the tokens in kg_store on the board's RAM flash. A login, authorised
 * calls, a refresh the platform asks for, a reboot that resumes from flash,
 * and power cuts in the middle of a save.
 *
 * Prints "FIGURE name value" lines for footprint.sh.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "board_port.h"
#include "fake_platform.h"
#include "kg_store.h"
#include "kg_test.h"
#include "peer_stack.h"

#define WAITING   CONFIG_KGIOT_QR_STATUS_WAITING
#define SCANNED   CONFIG_KGIOT_QR_STATUS_SCANNED
#define CONFIRMED CONFIG_KGIOT_QR_STATUS_CONFIRMED
#define POLL_MS   50u /* real milliseconds on SysTick: keep the run short */
#define API       "/v1/playlist"

static kg_session_t s;
static kg_session_config_t cfg;
static kg_store_t store;
static const kg_token_store_t flash_store = {&store, kg_store_load_tokens, kg_store_save_tokens};
static kg_transport_t platform; /* fp_transport, run on the peer stack */
static kg_call_reply_t reply;
/* The board's port without its log: the stack figure then counts kgiot's
 * frames, not printf's. */
static kg_port_t quiet_port;

static const int confirm_now[] = {CONFIRMED};
static const int scan_then_confirm[] = {WAITING, SCANNED, CONFIRMED};

/* What the device does at power-on: bind the store, set up the session. */
static void boot(const kg_port_t *port)
{
    KG_CHECK_ERR(kg_store_init(&store, &board_flash), KG_OK);
    fp_config(&cfg, KG_MODE_BROKER, &s);
    cfg.store = &flash_store;
    cfg.poll_interval_ms = port == &board_port ? 1 : POLL_MS; /* 1: the power-cut loop */
    KG_CHECK_ERR(kg_session_init_transport(&s, &cfg, port, &platform), KG_OK);
}

static void reboot(const kg_port_t *port)
{
    kg_session_free(&s);
    memset(&s, 0, sizeof s);
    board_flash_power_on();
    boot(port);
}

/* A blank device and platform, logged in. */
static void fresh_login(const kg_port_t *port)
{
    fp_reset();
    board_flash_erase_all();
    boot(port);
    fp_set_qr_script(confirm_now, 1);
    KG_CHECK_ERR(kg_login(&s, 10000), KG_OK);
}

static void test_login_call_refresh(void)
{
    fp_reset();
    board_flash_erase_all();
    boot(&quiet_port);
    KG_CHECK_ERR(kg_session_resume(&s), KG_ERR_LOGIN_REQUIRED); /* blank flash */
    fp_set_qr_script(scan_then_confirm, 3);
    fp.n_events = 0;

    board_stack_watch_begin();
    uint64_t t0 = board_now_ms();
    KG_CHECK_ERR(kg_login(&s, 10000), KG_OK);
    uint64_t took = board_now_ms() - t0;
    KG_CHECK_ERR(kg_call(&s, API, "{}", &reply), KG_OK);
    fp_expire_access_token(); /* the platform asks for a refresh */
    KG_CHECK_ERR(kg_call(&s, API, "{}", &reply), KG_OK);
    size_t stack = board_stack_watch_end();

    KG_CHECK(FP_EVENTS_ARE(KG_EVENT_QR_READY, KG_EVENT_QR_SCANNED, KG_EVENT_QR_CONFIRMED,
                           KG_EVENT_LOGGED_IN, KG_EVENT_TOKEN_REFRESHED));
    KG_CHECK(took >= 3 * POLL_MS); /* three polls, slept on SysTick */
    KG_CHECK_EQ(fp.refreshes, 1);
    KG_CHECK(strstr(reply.body, "\"who\":\"user\"") != NULL);
    KG_CHECK(store.saves >= 2);
    printf("FIGURE login_ms %u\n", (unsigned)took);
    printf("FIGURE stack_session_painted %u\n", (unsigned)stack);
}

static void test_reboot_resumes_from_flash(void)
{
    char before[CONFIG_KGIOT_TOKEN_MAX];
    snprintf(before, sizeof before, "%s", s.tokens.access_token);
    int qrs = fp.qrs;
    reboot(&board_port);
    KG_CHECK_ERR(kg_session_resume(&s), KG_OK);
    KG_CHECK_STR(s.tokens.access_token, before);
    KG_CHECK_STR(s.tokens.openid, FP_OPENID);
    KG_CHECK_ERR(kg_call(&s, API, NULL, &reply), KG_OK);
    KG_CHECK_EQ(fp.qrs, qrs); /* no new login */
}

/* After `before` refreshes (the log fills its sector, so some saves move to
 * the next one: erase, copies, record), cut the power at the n-th flash
 * operation of one more refresh's save, keeping `keep` bytes of it. After
 * the reboot the old or the new token set loads and the session goes on.
 * Returns 0 (no cut: the save had fewer operations), 1 (cut), 2 (cut in a
 * save that erased a sector). */
static int cut_during_save(int before, uint32_t n, size_t keep)
{
    fresh_login(&board_port);
    for (int i = 0; i < before; i++)
        KG_CHECK_ERR(kg_session_refresh(&s), KG_OK);
    char old_token[CONFIG_KGIOT_TOKEN_MAX];
    snprintf(old_token, sizeof old_token, "%s", s.tokens.access_token);
    uint32_t erases = board_flash_erases();
    board_flash_cut_at(n, keep);
    (void)kg_session_refresh(&s); /* its save may fail: the device is dying */
    int cut = board_flash_power_lost() ? 1 + (board_flash_erases() > erases) : 0;
    reboot(&board_port);
    KG_CHECK_ERR(kg_session_resume(&s), KG_OK);
    const char *loaded = s.tokens.access_token;
    KG_CHECK(strcmp(loaded, old_token) == 0 || strcmp(loaded, fp.access_token) == 0);
    KG_CHECK_ERR(kg_call(&s, API, NULL, &reply), KG_OK); /* an old token is refreshed */
    return cut;
}

static void test_power_cut_during_save(void)
{
    static const size_t keeps[] = {0, 200};
    int cuts = 0, in_moves = 0;
    for (int before = 0; before <= 40; before++) { /* 4 KB sectors fill after ~30 */
        for (uint32_t n = 1; n <= 3; n++) {
            for (size_t k = 0; k < sizeof keeps / sizeof keeps[0]; k++) {
                int c = cut_during_save(before, n, keeps[k]);
                cuts += c > 0;
                in_moves += c == 2;
            }
        }
    }
    KG_CHECK(cuts >= 82); /* every save's first operation, at least */
    KG_CHECK(in_moves > 0);
    printf("FIGURE power_cuts %d\nFIGURE power_cuts_in_sector_moves %d\n", cuts, in_moves);
}

int main(void)
{
    if (board_port_init() != KG_OK) return 2;
    quiet_port = board_port;
    quiet_port.log = NULL;
    peer_stack_wrap(&platform, &fp_transport);
    KG_RUN(test_login_call_refresh);
    KG_RUN(test_reboot_resumes_from_flash);
    KG_RUN(test_power_cut_during_save);
    kg_session_free(&s);
    return kg_test_summary();
}
