/*
 * kg_port_esp_idf.c - the ESP-IDF port (see kg_port_esp_idf.h): the OS hooks
 * of the generic lwIP port filled from ESP-IDF, and the choice of token store
 * made in menuconfig. The sockets are port/lwip's, over ESP-IDF's lwIP.
 */
#include "kg_port_esp_idf.h"

#include <string.h>
#include <time.h>

#include "esp_log.h"
#include "esp_random.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#if defined(CONFIG_KGIOT_ESP_TRUST_CRT_BUNDLE)
#include "esp_crt_bundle.h"
#endif

/* kg_auth's refresh signature needs MD5. ESP-IDF 6 (Mbed TLS 4) builds it
 * only with CONFIG_MBEDTLS_MD5_C, which port/esp_idf/Kconfig.port selects;
 * 5.x (Mbed TLS 3) always builds it. Caught here, by name, should the
 * option be missing anyway. */
#if MBEDTLS_VERSION_MAJOR >= 4 && !defined(CONFIG_MBEDTLS_MD5_C)
#error "kgiot needs MD5: set CONFIG_MBEDTLS_MD5_C (Component config > mbedTLS)"
#endif

static const char *const TAG = "kgiot";

/* 2024-01-01T00:00:00Z: a clock earlier than this has not been set by SNTP
 * (newlib's time() counts from 1970 at boot). */
#define WALL_CLOCK_MIN 1704067200

/* The longest single vTaskDelay: keeps the ms-to-ticks product far from
 * TickType_t's range whatever configTICK_RATE_HZ is. */
#define SLEEP_CHUNK_MS 60000u

static uint64_t esp_now_ms(void *ctx)
{
    (void)ctx;
    /* Microseconds since boot, from a 64-bit hardware timer: monotonic. */
    return (uint64_t)esp_timer_get_time() / 1000u;
}

static void esp_sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    while (ms > SLEEP_CHUNK_MS) {
        vTaskDelay(pdMS_TO_TICKS(SLEEP_CHUNK_MS));
        ms -= SLEEP_CHUNK_MS;
    }
    /* +1 tick: vTaskDelay may return up to a tick early, never sleep short. */
    vTaskDelay(pdMS_TO_TICKS(ms) + 1);
}

static kg_err_t esp_random_bytes(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    esp_fill_random(buf, len);
    return KG_OK;
}

static kg_err_t esp_wall_time(void *ctx, int64_t *unix_s)
{
    (void)ctx;
    time_t now = time(NULL);
    if (now < (time_t)WALL_CLOCK_MIN) return KG_ERR_NO_CLOCK;
    *unix_s = (int64_t)now;
    return KG_OK;
}

/* Level filtering is esp_log's (per tag, menuconfig's default level). */
static void esp_log_line(void *ctx, kg_log_level_t level, const char *msg)
{
    (void)ctx;
    switch (level) {
    case KG_LOG_ERROR: ESP_LOGE(TAG, "%s", msg); break;
    case KG_LOG_WARN: ESP_LOGW(TAG, "%s", msg); break;
    case KG_LOG_INFO: ESP_LOGI(TAG, "%s", msg); break;
    default: ESP_LOGD(TAG, "%s", msg); break;
    }
}

kg_err_t kg_port_esp_idf_init(kg_port_t *port, kg_port_esp_idf_t *esp)
{
    if (!port || !esp) return KG_ERR_ARG;
    memset(&esp->lwip, 0, sizeof esp->lwip);
    esp->lwip.os.now_ms = esp_now_ms;
    esp->lwip.os.sleep_ms = esp_sleep_ms;
    esp->lwip.os.random = esp_random_bytes;
    esp->lwip.os.log = esp_log_line;
    esp->lwip.os.wall_time = esp_wall_time;
    /* No resolve hook: ESP-IDF's lwIP has DNS (lwip_getaddrinfo). */
    return kg_port_lwip_init(port, &esp->lwip);
}

kg_err_t kg_port_esp_idf_tls_configure(void *ctx, mbedtls_ssl_config *conf)
{
    (void)ctx;
    if (!conf) return KG_ERR_ARG;
#if defined(CONFIG_KGIOT_ESP_TRUST_CRT_BUNDLE)
    /* Sets a placeholder CA chain and the bundle's verify callback, which
     * kg_tls chains from its own (kg_tls.h). */
    if (esp_crt_bundle_attach(conf) != ESP_OK) return KG_ERR_TLS_SETUP;
#endif
    return KG_OK;
}

#if defined(CONFIG_KGIOT_ESP_STORE_PARTITION)
static kg_err_t partition_store_init(kg_port_esp_idf_t *esp, kg_token_store_t *out)
{
    kg_err_t err =
        kg_esp_partition_flash_init(&esp->store.part.flash, CONFIG_KGIOT_ESP_PARTITION_LABEL);
    if (err == KG_OK) err = kg_store_init(&esp->store.part.journal, &esp->store.part.flash);
    if (err != KG_OK) return err;
    out->ctx = &esp->store.part.journal;
    out->load = kg_store_load_tokens;
    out->save = kg_store_save_tokens;
    return KG_OK;
}
#endif

kg_err_t kg_port_esp_idf_store_init(kg_port_esp_idf_t *esp, kg_token_store_t *out)
{
    if (!esp || !out) return KG_ERR_ARG;
#if defined(CONFIG_KGIOT_ESP_STORE_NVS)
    return kg_esp_nvs_store_init(&esp->store.nvs, CONFIG_KGIOT_ESP_NVS_NAMESPACE, out);
#elif defined(CONFIG_KGIOT_ESP_STORE_PARTITION)
    return partition_store_init(esp, out);
#else
    return KG_ERR_NOT_FOUND;
#endif
}
