/* Stand-in for ESP-IDF's freertos/FreeRTOS.h (component freertos): the tick
 * type (portmacro.h, 32 bits on ESP chips) and pdMS_TO_TICKS (projdefs.h, in
 * ESP-IDF's 64-bit form). configTICK_RATE_HZ is CONFIG_FREERTOS_HZ upstream. */
#ifndef KG_STUB_FREERTOS_H
#define KG_STUB_FREERTOS_H

#include <stdint.h>

typedef uint32_t TickType_t;

#define configTICK_RATE_HZ 100

#define pdMS_TO_TICKS(xTimeInMs)                                                                   \
    ((TickType_t)(((uint64_t)(xTimeInMs) * (uint64_t)configTICK_RATE_HZ) / (uint64_t)1000U))

#endif
