/*
 * rtos_login.c - the device: kgiot in a FreeRTOS task on the mps2-an385
 * board, over lwIP 2.2 and the board's LAN9118, with mbedTLS, tokens in
 * kg_store on the board's flash. tests/qemu/test_rtos_login.py runs it
 * under qemu on a tap device whose other end has the mock platform
 * (192.0.2.1:4433, TLS with the test CA compiled into this image).
 *
 * The login task: app token -> QR (drawn as text on the console) -> polls
 * -> user token -> saved -> kg_call -> forced refresh -> a simulated
 * reboot (every session and store object forgotten, the flash kept) that
 * resumes the session from flash -> kg_call. Then the figures, one
 * "FIGURE name value" line each, and the verdict as the exit status
 * (0 passed, 1 a check failed, 98 an RTOS failure, 99 a fault).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "FreeRTOS.h"
#include "board.h"
#include "board_port.h"
#include "kg_port_freertos.h"
#include "kg_port_lwip.h"
#include "kg_session.h"
#include "kg_store.h"
#include "kg_tls.h"
#include "lan9118_netif.h"
#include "lwip/init.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "task.h"
#include "test_certs.h"
#if KGIOT_HAVE_QR
#include "kg_qr.h"
#endif

#define SERVER_NAME  "localhost" /* the test certificate's name */
#define SERVER_IP    "192.0.2.1"
#define SERVER_PORT  4433
#define LOGIN_STACK  2048u /* words */
#define LINK_WAIT_MS 5000u

static int failures;

static void check(bool ok, const char *what, kg_err_t err)
{
    printf("%s %s: %s\n", ok ? "ok  " : "FAIL", what, kg_err_name(err));
    if (!ok) failures++;
}

/* ---- the port: FreeRTOS hooks, lwIP sockets, hosts table, board flash ------- */

static kg_err_t board_trng(uint8_t *buf, size_t len)
{
    return board_port.random(board_port.ctx, buf, len); /* FIXED SEED: tests only */
}

static void console_line(const char *line)
{
    printf("kgiot: %s\n", line);
}

static kg_freertos_os_t rtos = {
    .trng = board_trng, .write_line = console_line, .log_level = KG_LOG_INFO};
static const kg_lwip_host_t hosts[] = {{SERVER_NAME, SERVER_IP}};
static kg_lwip_hosts_t host_table = {hosts, 1};
static kg_port_lwip_t lwip_port = {.resolve = kg_lwip_hosts_resolve, .resolve_ctx = &host_table};
static kg_port_t port;

/* ---- lwIP on the LAN9118 ---------------------------------------------------------- */

static struct netif netif;
static lan9118_t eth = {.base = LAN9118_MPS2_BASE};
static TaskHandle_t login_handle;

static void tcpip_ready(void *arg)
{
    (void)arg;
    xTaskNotifyGive(login_handle);
}

static bool network_up(void)
{
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 192, 0, 2, 2);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 192, 0, 2, 1);
    tcpip_init(tcpip_ready, NULL);
    if (ulTaskNotifyTake(pdTRUE, pdMS_TO_TICKS(5000)) == 0) return false;
    LOCK_TCPIP_CORE();
    bool ok = netif_add(&netif, &ip, &mask, &gw, &eth, lan9118_netif_init, tcpip_input) != NULL;
    if (ok) {
        netif_set_default(&netif);
        netif_set_up(&netif);
    }
    UNLOCK_TCPIP_CORE();
    if (!ok || !lan9118_start(&eth)) return false;
    uint64_t until = board_now_ms() + LINK_WAIT_MS;
    while (!netif_is_link_up(&netif) && board_now_ms() < until)
        vTaskDelay(pdMS_TO_TICKS(10));
    return netif_is_link_up(&netif);
}

/* ---- the session --------------------------------------------------------------------- */

static kg_session_t session;
static kg_store_t store;
static const kg_token_store_t flash_store = {&store, kg_store_load_tokens, kg_store_save_tokens};
static unsigned events[KG_EVENT_RETRY + 1];

#if KGIOT_HAVE_QR
static kg_qr_t qr;
static char qr_text[KG_QR_TEXT_MAX];

static void show_qr(const char *content)
{
    if (kg_qr_encode(&qr, content) == KG_OK &&
        kg_qr_render_text(&qr, true, qr_text, sizeof qr_text, NULL) == KG_OK)
        fputs(qr_text, stdout);
}
#else
static void show_qr(const char *content)
{
    (void)content;
}
#endif

static void on_event(void *ctx, const kg_event_t *ev)
{
    (void)ctx;
    events[ev->type]++;
    if (ev->type == KG_EVENT_QR_READY) {
        printf("event: qr_ready %s\n", ev->qr_content);
        show_qr(ev->qr_content);
    } else if (ev->type == KG_EVENT_ERROR) {
        printf("event: error %s %d\n", kg_err_name(ev->err), (int)ev->platform_code);
    } else {
        printf("event: %d\n", (int)ev->type);
    }
}

static kg_err_t session_up(void)
{
    const kg_session_config_t cfg = {
        .host = SERVER_NAME,
        .port = SERVER_PORT,
        .appid = "kgtest",
        .mode = KG_MODE_BROKER,
        .ca = (const uint8_t *)test_ca_pem,
        .ca_len = test_ca_pem_len,
        .on_event = on_event,
        .store = &flash_store,
        .poll_interval_ms = 500,
        .qr_renewals = 0,
        .timeout_ms = 4000,
    };
    kg_err_t err = kg_store_init(&store, &board_flash);
    return err == KG_OK ? kg_session_init(&session, &cfg, &port) : err;
}

/* A reboot: RAM state gone, flash kept. */
static void reboot(void)
{
    kg_session_free(&session);
    memset(&session, 0, sizeof session);
    memset(&store, 0, sizeof store);
}

static uint32_t handshakes_full, handshakes_resumed;

static void count_tls(void)
{
    handshakes_full += session.tls.handshakes_full;
    handshakes_resumed += session.tls.handshakes_resumed;
}

static void login_and_call(void)
{
    static kg_call_reply_t reply;
    kg_err_t err = kg_session_resume(&session);
    check(err == KG_ERR_LOGIN_REQUIRED, "blank flash: login required", err);
    uint64_t t0 = board_now_ms();
    err = kg_login(&session, 120000);
    printf("FIGURE login_ms %u\n", (unsigned)(board_now_ms() - t0));
    printf("FIGURE login_polls %u\n", (unsigned)session.polls);
    check(err == KG_OK && events[KG_EVENT_LOGGED_IN] == 1, "kg_login", err);
    err = kg_call(&session, "/api/v2/user/echo", "{\"via\":\"freertos\"}", &reply);
    check(err == KG_OK && reply.http_status == 200, "kg_call", err);
    err = kg_session_refresh(&session);
    check(err == KG_OK && events[KG_EVENT_TOKEN_REFRESHED] == 1, "forced refresh", err);
}

static void resume_after_reboot(void)
{
    static kg_call_reply_t reply;
    count_tls();
    reboot();
    kg_err_t err = session_up();
    check(err == KG_OK, "session after reboot", err);
    err = kg_session_resume(&session);
    check(err == KG_OK && events[KG_EVENT_QR_READY] == 1, "resumed from flash, no new login", err);
    err = kg_call(&session, "/api/v2/user/echo", "{\"after\":\"reboot\"}", &reply);
    check(err == KG_OK && reply.http_status == 200, "kg_call after reboot", err);
    count_tls();
}

/* ---- figures ----------------------------------------------------------------------------- */

static void stack_figure(const char *name, TaskHandle_t t)
{
    if (t)
        printf("FIGURE stack_free_min_bytes_%s %u\n", name,
               (unsigned)(uxTaskGetStackHighWaterMark(t) * sizeof(StackType_t)));
}

static void print_figures(void)
{
    size_t peak = 0, blocks = 0;
    mbedtls_memory_buffer_alloc_max_get(&peak, &blocks);
    printf("FIGURE tls_handshakes_full %u\n", (unsigned)handshakes_full);
    printf("FIGURE tls_handshakes_resumed %u\n", (unsigned)handshakes_resumed);
    printf("FIGURE mbedtls_pool_peak %u\n", (unsigned)peak);
    printf("FIGURE rtos_heap_size %u\n", (unsigned)configTOTAL_HEAP_SIZE);
    printf("FIGURE rtos_heap_min_free %u\n", (unsigned)xPortGetMinimumEverFreeHeapSize());
    stack_figure("login", login_handle);
    stack_figure("eth_rx", eth.rx_task);
    stack_figure("tcpip", xTaskGetHandle(TCPIP_THREAD_NAME));
    stack_figure("idle", xTaskGetIdleTaskHandle());
    printf("FIGURE lwip_heap_peak %u of %u\n", (unsigned)lwip_stats.mem.max, (unsigned)MEM_SIZE);
    for (int i = 0; i < MEMP_MAX; i++)
        printf("FIGURE lwip_pool_peak_%s %u of %u\n", lwip_stats.memp[i]->name,
               (unsigned)lwip_stats.memp[i]->max, (unsigned)lwip_stats.memp[i]->avail);
    printf("FIGURE eth_rx_frames %u\nFIGURE eth_rx_dropped %u\nFIGURE eth_tx_frames %u\n"
           "FIGURE eth_tx_dropped %u\nFIGURE eth_link_changes %u\nFIGURE eth_interrupts %u\n",
           (unsigned)eth.rx_frames, (unsigned)eth.rx_dropped, (unsigned)eth.tx_frames,
           (unsigned)eth.tx_dropped, (unsigned)eth.link_changes, (unsigned)eth.interrupts);
    printf("FIGURE login_errors %u\n", events[KG_EVENT_ERROR]);
}

static void login_task(void *arg)
{
    (void)arg;
    printf("kgiot device: FreeRTOS %s, lwIP %s, mbedTLS pool %u B\n", tskKERNEL_VERSION_NUMBER,
           LWIP_VERSION_STRING, (unsigned)CONFIG_KGIOT_TLS_POOL_SIZE);
    bool up = network_up();
    check(up, "network up (192.0.2.2, link up)", up ? KG_OK : KG_ERR_IO);
    kg_err_t err = kg_freertos_os_init(&lwip_port.os, &rtos);
    if (err == KG_OK) err = kg_port_lwip_init(&port, &lwip_port);
    if (err == KG_OK) err = kg_tls_pool_init();
    if (err == KG_OK) err = session_up();
    check(up && err == KG_OK, "port and session", err);
    if (up && err == KG_OK) {
        login_and_call();
        resume_after_reboot();
    }
    print_figures();
    printf("RESULT %s (%d failed)\n", failures ? "FAIL" : "PASS", failures);
    exit(failures ? 1 : 0);
}

static StaticTask_t login_tcb;
static StackType_t login_stack[LOGIN_STACK];

int main(void)
{
    if (board_port_init() != KG_OK) return 1;
    board_flash_erase_all();
    login_handle =
        xTaskCreateStatic(login_task, "login", LOGIN_STACK, NULL, 2, login_stack, &login_tcb);
    vTaskStartScheduler();
    return 97; /* the scheduler returned: it could not start */
}
