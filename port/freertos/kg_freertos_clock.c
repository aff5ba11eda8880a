/*
 * kg_freertos_clock.c - the arithmetic of the FreeRTOS clock hook, apart
 * from FreeRTOS so that host tests can run it.
 */
#include "kg_port_freertos.h"

uint64_t kg_freertos_ticks64(kg_freertos_os_t *st, uint32_t now)
{
    if (now < st->last_tick) st->tick_wraps++;
    st->last_tick = now;
    return ((uint64_t)st->tick_wraps << 32) | now;
}

/* ticks * 1000 / hz, split so that the product never overflows. */
uint64_t kg_freertos_ticks_to_ms(uint64_t ticks, uint32_t tick_hz)
{
    if (tick_hz == 0) return 0;
    return ticks / tick_hz * 1000u + ticks % tick_hz * 1000u / tick_hz;
}
