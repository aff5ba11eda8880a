/* Stand-in for ESP-IDF's esp_timer.h (component esp_timer). */
#ifndef KG_STUB_ESP_TIMER_H
#define KG_STUB_ESP_TIMER_H

#include <stdint.h>

int64_t esp_timer_get_time(void);

#endif
