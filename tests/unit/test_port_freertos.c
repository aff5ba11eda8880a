/* test_port_freertos.c - the FreeRTOS clock hook's arithmetic: a wrapping
 * 32-bit tick count extended to 64 bits, ticks to milliseconds without
 * overflow. (The hooks themselves run in the qemu device image.) */
#include <stdint.h>

#include "kg_port_freertos.h"
#include "kg_test.h"

static void test_ticks_extend_across_wraps(void)
{
    kg_freertos_os_t st = {0};
    KG_CHECK(kg_freertos_ticks64(&st, 10) == 10u);
    KG_CHECK(kg_freertos_ticks64(&st, 10) == 10u); /* same tick twice: no wrap */
    KG_CHECK(kg_freertos_ticks64(&st, 0xFFFFFFF0u) == 0xFFFFFFF0u);
    KG_CHECK(kg_freertos_ticks64(&st, 5) == ((uint64_t)1 << 32 | 5u));
    KG_CHECK(kg_freertos_ticks64(&st, 7) == ((uint64_t)1 << 32 | 7u));
    KG_CHECK(kg_freertos_ticks64(&st, 0xFFFFFFFFu) == ((uint64_t)1 << 32 | 0xFFFFFFFFu));
    KG_CHECK(kg_freertos_ticks64(&st, 0) == ((uint64_t)2 << 32));
}

static void test_ticks_to_ms(void)
{
    KG_CHECK(kg_freertos_ticks_to_ms(12345, 1000) == 12345u);
    KG_CHECK(kg_freertos_ticks_to_ms(UINT64_MAX, 1000) == UINT64_MAX);
    KG_CHECK(kg_freertos_ticks_to_ms(7, 100) == 70u);
    KG_CHECK(kg_freertos_ticks_to_ms(1023, 1024) == 999u); /* rounds down, never ahead */
    KG_CHECK(kg_freertos_ticks_to_ms(1024, 1024) == 1000u);
    /* ticks * 1000 would overflow here; the split sum does not. */
    uint64_t big = UINT64_MAX / 1000u * 3u;
    KG_CHECK(kg_freertos_ticks_to_ms(big, 1024) ==
             big / 1024u * 1000u + big % 1024u * 1000u / 1024u);
    KG_CHECK(kg_freertos_ticks_to_ms(big, 1024) > big / 2u);
    KG_CHECK(kg_freertos_ticks_to_ms(5, 0) == 0u);
}

int main(void)
{
    KG_RUN(test_ticks_extend_across_wraps);
    KG_RUN(test_ticks_to_ms);
    return kg_test_summary();
}
