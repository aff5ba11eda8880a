/*
 * kg_port_freertos.c - port/lwip's RTOS hooks on FreeRTOS (see
 * kg_port_freertos.h).
 */
#include "kg_port_freertos.h"

#include "FreeRTOS.h"
#include "task.h"

/* The longest single vTaskDelay: keeps the ms-to-ticks product of
 * pdMS_TO_TICKS far from overflowing a 32-bit TickType_t. */
#define SLEEP_CHUNK_MS 60000u

uint64_t kg_freertos_now_ms(void *ctx)
{
    kg_freertos_os_t *st = ctx;
    taskENTER_CRITICAL();
    uint64_t ticks = kg_freertos_ticks64(st, (uint32_t)xTaskGetTickCount());
    taskEXIT_CRITICAL();
    return kg_freertos_ticks_to_ms(ticks, configTICK_RATE_HZ);
}

void kg_freertos_sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    for (; ms > SLEEP_CHUNK_MS; ms -= SLEEP_CHUNK_MS)
        vTaskDelay(pdMS_TO_TICKS(SLEEP_CHUNK_MS));
    /* +1 tick: vTaskDelay may return up to a tick early, never sleep short. */
    vTaskDelay(pdMS_TO_TICKS(ms) + 1);
}

static kg_err_t rtos_random(void *ctx, uint8_t *buf, size_t len)
{
    const kg_freertos_os_t *st = ctx;
    return st->trng(buf, len);
}

static void rtos_log(void *ctx, kg_log_level_t level, const char *msg)
{
    const kg_freertos_os_t *st = ctx;
    if (st->write_line && level <= st->log_level) st->write_line(msg);
}

kg_err_t kg_freertos_os_init(kg_lwip_os_t *os, kg_freertos_os_t *st)
{
    if (!os || !st || !st->trng) return KG_ERR_ARG;
    *os = (kg_lwip_os_t){.ctx = st,
                         .now_ms = kg_freertos_now_ms,
                         .sleep_ms = kg_freertos_sleep_ms,
                         .random = rtos_random,
                         .log = rtos_log};
    return KG_OK;
}
