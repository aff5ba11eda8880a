/* Stand-in for ESP-IDF's esp_netif.h (component esp_netif), for the example. */
#ifndef KG_STUB_ESP_NETIF_H
#define KG_STUB_ESP_NETIF_H

#include "esp_err.h"

esp_err_t esp_netif_init(void);

#endif
