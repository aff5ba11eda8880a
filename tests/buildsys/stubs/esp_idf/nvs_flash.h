/* Stand-in for ESP-IDF's nvs_flash.h (component nvs_flash), for the example. */
#ifndef KG_STUB_NVS_FLASH_H
#define KG_STUB_NVS_FLASH_H

#include "nvs.h"

#define ESP_ERR_NVS_NO_FREE_PAGES     (ESP_ERR_NVS_BASE + 0x0d)
#define ESP_ERR_NVS_NEW_VERSION_FOUND (ESP_ERR_NVS_BASE + 0x10)

esp_err_t nvs_flash_init(void);
esp_err_t nvs_flash_erase(void);

#endif
