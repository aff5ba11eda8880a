/*
 * kg_port_freertos.h - the RTOS hooks of port/lwip (kg_lwip_os_t) made
 * from FreeRTOS: a 64-bit millisecond clock from the tick count, sleep on
 * vTaskDelay, randomness and log lines from two board functions.
 *
 *   static kg_freertos_os_t rtos = {.trng = board_trng, .write_line = board_puts,
 *                                   .log_level = KG_LOG_INFO};
 *   static kg_port_lwip_t lw = {.resolve = kg_lwip_hosts_resolve, .resolve_ctx = &hosts};
 *   kg_freertos_os_init(&lw.os, &rtos);
 *   kg_port_lwip_init(&port, &lw);
 *
 * The clock may be read from any task: the tick count is sampled and its
 * wraps counted inside a critical section. Sleeping rounds up to whole
 * ticks plus one, so a task never wakes before the time asked for.
 * Nothing here allocates; the header includes no FreeRTOS header.
 */
#ifndef KG_PORT_FREERTOS_H
#define KG_PORT_FREERTOS_H

#include <stddef.h>
#include <stdint.h>

#include "kg_err.h"
#include "kg_port.h"
#include "kg_port_lwip.h"

typedef struct kg_freertos_os {
    /* Cryptographic-quality random bytes (the board's TRNG): required. */
    kg_err_t (*trng)(uint8_t *buf, size_t len);
    /* Write one line (no newline) to the console; may be NULL. Called from
     * the task that logs: the board serialises its console if needed. */
    void (*write_line)(const char *line);
    /* Lines above this level are dropped (KG_LOG_WARN keeps errors and warnings). */
    kg_log_level_t log_level;
    /* The clock's state: zero it (static storage does). */
    uint32_t last_tick;
    uint32_t tick_wraps;
} kg_freertos_os_t;

/* Fill os with the FreeRTOS hooks over st (os->ctx = st). KG_ERR_ARG when
 * a pointer or st->trng is NULL. */
kg_err_t kg_freertos_os_init(kg_lwip_os_t *os, kg_freertos_os_t *st);

/* The hooks themselves, for ports that fill a kg_lwip_os_t field by field
 * (ctx is the kg_freertos_os_t). */
uint64_t kg_freertos_now_ms(void *ctx);
void kg_freertos_sleep_ms(void *ctx, uint32_t ms);

/* The pure part of the clock: extend a wrapping 32-bit tick count seen at
 * `now` (called at least once per wrap) to 64 bits, updating st. */
uint64_t kg_freertos_ticks64(kg_freertos_os_t *st, uint32_t now);

/* Ticks to milliseconds without overflow for any 64-bit tick count. */
uint64_t kg_freertos_ticks_to_ms(uint64_t ticks, uint32_t tick_hz);

#endif
