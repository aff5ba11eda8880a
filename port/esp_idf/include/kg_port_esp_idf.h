/*
 * kg_port_esp_idf.h - kgiot on ESP-IDF: time from esp_timer, sleep with
 * vTaskDelay, entropy from esp_fill_random, logs through esp_log, sockets
 * through ESP-IDF's lwIP by way of the generic lwIP port (port/lwip), and the
 * token store chosen in menuconfig (kgiot > ESP-IDF port): NVS or a raw data
 * partition under kg_store's journal.
 *
 *   static kg_port_esp_idf_t esp;              all port state, static
 *   static kg_port_t port;
 *   static kg_token_store_t store;
 *
 *   ESP_ERROR_CHECK(nvs_flash_init());         the NVS store needs it
 *   ESP_ERROR_CHECK(example_connect());        network up first
 *   kg_port_esp_idf_init(&port, &esp);
 *   if (kg_port_esp_idf_store_init(&esp, &store) == KG_OK) cfg.store = &store;
 *   kg_session_init(&session, &cfg, &port);
 *
 * Call kgiot from one task with a stack of 8 KB or more (mbedTLS's handshake
 * is deep). esp_fill_random() gives true random numbers only while Wi-Fi or
 * Bluetooth is running (or bootloader_random_enable() was called): bring the
 * network up before kg_session_init(), which seeds mbedTLS.
 *
 * The wall clock is the C library's time(), which SNTP sets; before a sync
 * (a year before 2024) wall_time reports KG_ERR_NO_CLOCK and kgiot takes the
 * time from the platform's HTTP Date header.
 */
#ifndef KG_PORT_ESP_IDF_H
#define KG_PORT_ESP_IDF_H

#include <stdint.h>

#include "kg_err.h"
#include "kg_port.h"
#include "kg_port_lwip.h"
#include "kg_session.h"
#include "kg_store.h"

/* The NVS token store: the whole token set as one blob, checked by a
 * magic and a layout word so a blob of another build's layout is refused. */
typedef struct {
    const char *ns; /* NVS namespace, at most 15 characters */
    struct {
        uint32_t magic;
        uint32_t layout;
        kg_tokens_t tokens;
    } rec; /* scratch, wiped after every call */
} kg_esp_nvs_store_t;

/* All state of the port. Caller-owned, usually static; it must outlive the
 * kg_port_t it fills and the store. */
typedef struct {
    kg_port_lwip_t lwip; /* the lwIP port, with this port's OS hooks */
    union {
        kg_esp_nvs_store_t nvs;
        struct {
            kg_flash_t flash;
            kg_store_t journal;
        } part;
    } store;
} kg_port_esp_idf_t;

/* Fill *port (port->flash stays NULL). KG_ERR_ARG for NULL. */
kg_err_t kg_port_esp_idf_init(kg_port_t *port, kg_port_esp_idf_t *esp);

/* The token store menuconfig selects, into *out (kept in esp):
 * CONFIG_KGIOT_ESP_STORE_NVS: the NVS store in namespace
 *   CONFIG_KGIOT_ESP_NVS_NAMESPACE (nvs_flash_init() must have run);
 * CONFIG_KGIOT_ESP_STORE_PARTITION: kg_store on the partition labelled
 *   CONFIG_KGIOT_ESP_PARTITION_LABEL; KG_ERR_NOT_FOUND when the partition
 *   table has none, KG_ERR_ARG (from kg_store_init) for a bad geometry;
 * CONFIG_KGIOT_ESP_STORE_NONE: KG_ERR_NOT_FOUND (nothing survives a reboot). */
kg_err_t kg_port_esp_idf_store_init(kg_port_esp_idf_t *esp, kg_token_store_t *out);

/* kg_session_config_t.tls_configure for ESP-IDF: the server-certificate
 * trust chosen in menuconfig (kgiot > ESP-IDF port). With
 * CONFIG_KGIOT_ESP_TRUST_CRT_BUNDLE it attaches ESP-IDF's certificate bundle
 * (esp_crt_bundle_attach), and the session's ca/ca_len may be NULL/0; with
 * CONFIG_KGIOT_ESP_TRUST_CA (the default) it leaves conf alone and the
 * application's pinned CA (ca/ca_len) is the trust. Verification stays
 * required either way. ctx is unused. KG_ERR_TLS_SETUP when the bundle
 * cannot be attached, KG_ERR_ARG for a NULL conf. */
kg_err_t kg_port_esp_idf_tls_configure(void *ctx, mbedtls_ssl_config *conf);

/* The building blocks, for a store of one's own choosing. */

/* The NVS store over namespace ns (the string must outlive st). */
kg_err_t kg_esp_nvs_store_init(kg_esp_nvs_store_t *st, const char *ns, kg_token_store_t *out);

/* A kg_flash_t over the data partition labelled label: sectors of the
 * partition's erase size (at most KG_STORE_SECTORS_MAX of them are used),
 * program unit 1, or 16 on an encrypted partition. KG_ERR_NOT_FOUND when no
 * data partition has that label. */
kg_err_t kg_esp_partition_flash_init(kg_flash_t *flash, const char *label);

#endif
