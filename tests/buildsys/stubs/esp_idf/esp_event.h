/* Stand-in for ESP-IDF's esp_event.h (component esp_event), for the example. */
#ifndef KG_STUB_ESP_EVENT_H
#define KG_STUB_ESP_EVENT_H

#include "esp_err.h"

esp_err_t esp_event_loop_create_default(void);

#endif
