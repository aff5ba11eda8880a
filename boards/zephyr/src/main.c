/*
 * main.c - Zephyr sample: sign a user in by QR code with kgiot and keep the
 * token fresh. The QR content and every kgiot event go to the console; a
 * device with a display would draw the QR content instead (kg_qr renders it).
 *
 * Broker mode: CONFIG_KGIOT_HOST is the vendor's backend, which adds the
 * platform secret; the device never holds it. src/ca.pem is the CA that
 * signs that backend's certificate.
 */
#include <stdint.h>

#include <zephyr/kernel.h>
#include <zephyr/sys/printk.h>

#include "kg_port_zephyr.h"
#include "kg_session.h"

#define KEEP_ALIVE_PERIOD_MS 60000

/* src/ca.pem as bytes (generate_inc_file_for_target in CMakeLists.txt),
 * then the NUL that kgiot counts in a PEM's length. */
static const uint8_t ca_pem[] = {
#include "kgiot_ca.pem.inc"
    0x00};

/* Large: static, not on main's stack. */
static kg_port_zephyr_t zephyr_port;
static kg_port_t port;
static kg_token_store_t store;
static kg_session_t session;

static void on_event(void *ctx, const kg_event_t *ev)
{
    (void)ctx;
    switch (ev->type) {
    case KG_EVENT_QR_READY: printk("scan with the WeSing app: %s\n", ev->qr_content); break;
    case KG_EVENT_QR_SCANNED: printk("event: scanned\n"); break;
    case KG_EVENT_QR_CONFIRMED: printk("event: confirmed\n"); break;
    case KG_EVENT_LOGGED_IN: printk("event: logged in, openid %s\n", ev->openid); break;
    case KG_EVENT_TOKEN_REFRESHED: printk("event: token refreshed\n"); break;
    case KG_EVENT_LOGIN_REQUIRED: printk("event: login required\n"); break;
    case KG_EVENT_ERROR:
        printk("event: error %s (%d)\n", kg_err_name(ev->err), (int)ev->platform_code);
        break;
    case KG_EVENT_RETRY:
        printk("event: retry after %s in %u ms\n", kg_err_name(ev->err), (unsigned)ev->retry_in_ms);
        break;
    }
}

static kg_err_t start_session(void)
{
    /* No kg_tls_pool_init(): with CONFIG_MBEDTLS_ENABLE_HEAP Zephyr gives
     * mbedTLS its own static heap at boot (CONFIG_MBEDTLS_HEAP_SIZE). */
    kg_err_t err = kg_port_zephyr_init(&port);
    if (err != KG_OK) return err;
    bool stored = kg_port_zephyr_store_init(&zephyr_port, &store) == KG_OK;
    if (!stored) printk("no token store: every boot logs in again\n");
    const kg_session_config_t cfg = {
        .appid = CONFIG_KGIOT_SAMPLE_APPID,
        .mode = KG_MODE_BROKER,
        .ca = ca_pem,
        .ca_len = sizeof ca_pem,
        .on_event = on_event,
        .store = stored ? &store : NULL,
        .qr_renewals = -1,
    };
    return kg_session_init(&session, &cfg, &port);
}

int main(void)
{
    kg_err_t err = start_session();
    if (err == KG_OK && kg_session_resume(&session) == KG_ERR_LOGIN_REQUIRED)
        err = kg_login(&session, 0); /* 0: CONFIG_KGIOT_LOGIN_TIMEOUT_MS */
    printk("login: %s\n", kg_err_name(err));
    while (err == KG_OK) {
        k_msleep(KEEP_ALIVE_PERIOD_MS);
        kg_err_t ka = kg_session_keep_alive(&session); /* refreshes near expiry */
        if (ka != KG_OK) printk("keep alive: %s\n", kg_err_name(ka));
    }
    kg_session_free(&session);
    return 0;
}
