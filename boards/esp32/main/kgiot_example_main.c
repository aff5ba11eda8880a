/*
 * kgiot_example_main.c - ESP-IDF example: bring the network up with
 * example_connect(), then sign a user in by QR code with kgiot and keep the
 * token fresh. The QR content and every kgiot event go to the log; a device
 * with a display would draw the QR content instead (kg_qr renders it).
 *
 * Broker mode: CONFIG_KGIOT_HOST is the vendor's backend, which adds the
 * platform secret; the device never holds it. The CA in main/ca.pem signs
 * that backend's certificate.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "nvs_flash.h"
#include "protocol_examples_common.h"

#include "kg_port_esp_idf.h"
#include "kg_session.h"
#if defined(CONFIG_KGIOT_QR)
#include "kg_qr.h"
#endif

static const char *const TAG = "kgiot_example";

#if defined(CONFIG_KGIOT_ESP_TRUST_CA)
/* main/ca.pem, embedded by EMBED_TXTFILES with a terminating NUL. */
extern const uint8_t ca_pem_start[] __asm__("_binary_ca_pem_start");
extern const uint8_t ca_pem_end[] __asm__("_binary_ca_pem_end");
#define EXAMPLE_CA ca_pem_start
/* Two linker symbols, not one object: subtract addresses. */
#define EXAMPLE_CA_LEN ((size_t)((uintptr_t)ca_pem_end - (uintptr_t)ca_pem_start))
#else
/* ESP-IDF's certificate bundle (kgiot > ESP-IDF port), attached by
 * kg_port_esp_idf_tls_configure: no CA of the example's own. */
#define EXAMPLE_CA     NULL
#define EXAMPLE_CA_LEN 0u
#endif

#define KEEP_ALIVE_PERIOD_MS 60000u

/* Large: static, not on the task's stack. */
static kg_port_esp_idf_t esp_port;
static kg_port_t port;
static kg_token_store_t store;
static kg_session_t session;
#if defined(CONFIG_KGIOT_QR)
static kg_qr_t qr;
static char qr_text[KG_QR_TEXT_MAX];
#endif

static void show_qr(const char *content)
{
    ESP_LOGI(TAG, "scan with the WeSing (全民K歌) app: %s", content);
#if defined(CONFIG_KGIOT_QR)
    if (kg_qr_encode(&qr, content) == KG_OK &&
        kg_qr_render_text(&qr, true, qr_text, sizeof qr_text, NULL) == KG_OK)
        printf("%s", qr_text);
#endif
}

static void on_event(void *ctx, const kg_event_t *ev)
{
    (void)ctx;
    switch (ev->type) {
    case KG_EVENT_QR_READY: show_qr(ev->qr_content); break;
    case KG_EVENT_QR_SCANNED: ESP_LOGI(TAG, "event: scanned"); break;
    case KG_EVENT_QR_CONFIRMED: ESP_LOGI(TAG, "event: confirmed"); break;
    case KG_EVENT_LOGGED_IN: ESP_LOGI(TAG, "event: logged in, openid %s", ev->openid); break;
    case KG_EVENT_TOKEN_REFRESHED: ESP_LOGI(TAG, "event: token refreshed"); break;
    case KG_EVENT_LOGIN_REQUIRED: ESP_LOGW(TAG, "event: login required"); break;
    case KG_EVENT_ERROR:
        ESP_LOGE(TAG, "event: error %s (%" PRId32 ")", kg_err_name(ev->err), ev->platform_code);
        break;
    case KG_EVENT_RETRY:
        ESP_LOGW(TAG, "event: retry after %s in %" PRIu32 " ms", kg_err_name(ev->err),
                 ev->retry_in_ms);
        break;
    }
}

static kg_err_t start_session(void)
{
    kg_err_t err = kg_tls_pool_init(); /* a no-op unless mbedTLS has a buffer allocator */
    if (err == KG_OK) err = kg_port_esp_idf_init(&port, &esp_port);
    if (err != KG_OK) return err;
    bool stored = kg_port_esp_idf_store_init(&esp_port, &store) == KG_OK;
    if (!stored) ESP_LOGW(TAG, "no token store: every boot logs in again");
    const kg_session_config_t cfg = {
        .appid = CONFIG_KGIOT_EXAMPLE_APPID,
        .mode = KG_MODE_BROKER,
        .ca = EXAMPLE_CA,
        .ca_len = EXAMPLE_CA_LEN,
        .tls_configure = kg_port_esp_idf_tls_configure, /* the trust menuconfig chose */
        .on_event = on_event,
        .store = stored ? &store : NULL,
        .qr_renewals = -1,
    };
    return kg_session_init(&session, &cfg, &port);
}

static void login_task(void *arg)
{
    (void)arg;
    kg_err_t err = start_session();
    if (err == KG_OK && kg_session_resume(&session) == KG_ERR_LOGIN_REQUIRED)
        err = kg_login(&session, 0); /* 0: CONFIG_KGIOT_LOGIN_TIMEOUT_MS */
    ESP_LOGI(TAG, "login: %s", kg_err_name(err));
    while (err == KG_OK) {
        vTaskDelay(pdMS_TO_TICKS(KEEP_ALIVE_PERIOD_MS));
        kg_err_t ka = kg_session_keep_alive(&session); /* refreshes near expiry */
        if (ka != KG_OK) ESP_LOGW(TAG, "keep alive: %s", kg_err_name(ka));
    }
    kg_session_free(&session);
    vTaskDelete(NULL);
}

/* ESP-IDF's startup code calls it; declared for -Wmissing-prototypes. */
void app_main(void);

void app_main(void)
{
    esp_err_t e = nvs_flash_init();
    if (e == ESP_ERR_NVS_NO_FREE_PAGES || e == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_ERROR_CHECK(nvs_flash_erase()); /* a partition NVS cannot use as it is */
        e = nvs_flash_init();
    }
    ESP_ERROR_CHECK(e);
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    /* Wi-Fi or Ethernet, as menuconfig's Example Connection Configuration says;
     * with the radio on, esp_fill_random() gives true random numbers. */
    ESP_ERROR_CHECK(example_connect());
    xTaskCreate(login_task, "kgiot", CONFIG_KGIOT_EXAMPLE_TASK_STACK, NULL, 5, NULL);
}
