/*
 * kg_port_zephyr.h - kgiot on Zephyr: time from k_uptime_get, sleep with
 * k_msleep, entropy from sys_csrand_get, logs through Zephyr's log (module
 * "kgiot" at CONFIG_KGIOT_LOG_LEVEL), plain TCP through the zsock_* socket
 * API (kg_tls runs TLS on top with mbedTLS, not Zephyr's TLS sockets), and
 * the token store chosen in menuconfig (kgiot > Zephyr port): the settings
 * subsystem or a flash partition under kg_store's journal.
 *
 *   static kg_port_zephyr_t zp;                all port state, static
 *   static kg_port_t port;
 *   static kg_token_store_t store;
 *
 *   kg_port_zephyr_init(&port);
 *   if (kg_port_zephyr_store_init(&zp, &store) == KG_OK) cfg.store = &store;
 *   kg_session_init(&session, &cfg, &port);
 *
 * Kconfig the port relies on: CONFIG_NETWORKING, CONFIG_NET_TCP,
 * CONFIG_NET_SOCKETS, CONFIG_DNS_RESOLVER for host names, an entropy source
 * for sys_csrand_get (CONFIG_ENTROPY_GENERATOR, or CONFIG_TEST_RANDOM_GENERATOR
 * on emulators only), CONFIG_MBEDTLS. Run kgiot in a thread with 8 KB of
 * stack or more. There is no wall clock here: kgiot takes the time from the
 * platform's HTTP Date header.
 */
#ifndef KG_PORT_ZEPHYR_H
#define KG_PORT_ZEPHYR_H

#include <stdint.h>

#include "kg_err.h"
#include "kg_port.h"
#include "kg_session.h"
#include "kg_store.h"

struct flash_area;

/* The settings token store: the whole token set as one settings value,
 * checked by a magic and a layout word. */
typedef struct {
    const char *key; /* settings name, e.g. "kgiot/tokens" */
    kg_err_t found;  /* private: what the last load's callback saw */
    struct {
        uint32_t magic;
        uint32_t layout;
        kg_tokens_t tokens;
    } rec; /* scratch, wiped after every call */
} kg_zephyr_settings_store_t;

/* A kg_flash_t over a flash area (ctx points at this struct). */
typedef struct {
    kg_flash_t flash;
    const struct flash_area *fa;
} kg_zephyr_flash_t;

/* All state of the port's stores. Caller-owned, usually static. */
typedef struct {
    union {
        kg_zephyr_settings_store_t settings;
        struct {
            kg_zephyr_flash_t zf;
            kg_store_t journal;
        } area;
    } store;
} kg_port_zephyr_t;

/* Fill *port (port->flash stays NULL, port->wall_time NULL). */
kg_err_t kg_port_zephyr_init(kg_port_t *port);

/* The token store menuconfig selects, into *out (kept in zp):
 * CONFIG_KGIOT_ZEPHYR_STORE_SETTINGS: the settings store under
 *   CONFIG_KGIOT_ZEPHYR_SETTINGS_KEY (calls settings_subsys_init());
 * CONFIG_KGIOT_ZEPHYR_STORE_FLASH_AREA: kg_store on the devicetree partition
 *   labelled kgiot_partition;
 * CONFIG_KGIOT_ZEPHYR_STORE_NONE: KG_ERR_NOT_FOUND (nothing survives a reboot). */
kg_err_t kg_port_zephyr_store_init(kg_port_zephyr_t *zp, kg_token_store_t *out);

/* The building blocks, for a store of one's own choosing. */

/* The settings store under key (the string must outlive st). KG_ERR_STORE
 * when settings_subsys_init() fails. Needs CONFIG_KGIOT_ZEPHYR_STORE_SETTINGS. */
kg_err_t kg_zephyr_settings_store_init(kg_zephyr_settings_store_t *st, const char *key,
                                       kg_token_store_t *out);

/* A kg_flash_t over flash area area_id (FIXED_PARTITION_ID(label)): sectors
 * of the device's page size (equal pages only, at most KG_STORE_SECTORS_MAX
 * used), program unit the area's write block size, erased value 0xFF.
 * KG_ERR_NOT_FOUND when the area cannot be opened, KG_ERR_ARG for a
 * geometry kg_flash_t cannot describe. Needs CONFIG_KGIOT_ZEPHYR_STORE_FLASH_AREA. */
kg_err_t kg_zephyr_flash_init(kg_zephyr_flash_t *zf, uint8_t area_id);

#endif
