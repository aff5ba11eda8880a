/*
 * board_rtos.c - what FreeRTOS and lwIP ask of the mps2-an385 board: the
 * SysTick handler shared by the board's millisecond clock and the kernel,
 * the kernel's failure hooks (each ends the run with a message and status
 * 98, so a test fails instead of hanging), and lwIP's random numbers.
 */
#include <stdio.h>
#include <stdlib.h>

#include "FreeRTOS.h"
#include "board.h"
#include "task.h"

void SysTick_Handler(void);
void rtos_systick_handler(void); /* the kernel's xPortSysTickHandler, renamed */
void vApplicationStackOverflowHook(TaskHandle_t task, char *name);
void vApplicationMallocFailedHook(void);
uint32_t board_lwip_rand(void);

#define RTOS_FAILED 98

/* The board's clock ticks from reset; the kernel only once it runs. */
void SysTick_Handler(void)
{
    board_tick();
    if (xTaskGetSchedulerState() != taskSCHEDULER_NOT_STARTED) rtos_systick_handler();
}

static void die(const char *what, const char *detail, int line)
{
    taskDISABLE_INTERRUPTS();
    printf("\nRTOS FAILURE: %s %s %d\n", what, detail, line);
    exit(RTOS_FAILED);
}

void board_rtos_assert(const char *file, int line)
{
    die("assertion failed at", file, line);
}

void vApplicationStackOverflowHook(TaskHandle_t task, char *name)
{
    (void)task;
    die("stack overflow in task", name, 0);
}

void vApplicationMallocFailedHook(void)
{
    die("heap_4 exhausted", "(configTOTAL_HEAP_SIZE)", configTOTAL_HEAP_SIZE);
}

/* lwIP's local ports and initial sequence numbers: an xorshift started
 * from the boot time, not the board's DRBG, which the login task uses
 * without a lock. Predictable, as everything random on this test board. */
uint32_t board_lwip_rand(void)
{
    static uint32_t x;
    taskENTER_CRITICAL();
    if (x == 0) x = 0x9E3779B9u ^ (uint32_t)board_now_ms();
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    uint32_t r = x;
    taskEXIT_CRITICAL();
    return r;
}
