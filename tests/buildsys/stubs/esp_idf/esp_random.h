/* Stand-in for ESP-IDF's esp_random.h (component esp_hw_support). */
#ifndef KG_STUB_ESP_RANDOM_H
#define KG_STUB_ESP_RANDOM_H

#include <stddef.h>
#include <stdint.h>

void esp_fill_random(void *buf, size_t len);

#endif
