/* Stand-in for ESP-IDF's esp_crt_bundle.h (component mbedtls), the
 * declaration port/esp_idf uses, as in port/esp_idf/README.md's table. */
#ifndef KG_STUB_ESP_CRT_BUNDLE_H
#define KG_STUB_ESP_CRT_BUNDLE_H

#include "esp_err.h"

esp_err_t esp_crt_bundle_attach(void *conf);

#endif
