/*
 * startup.c - reset, vector table, SysTick clock, faults, and the few
 * system calls newlib's rdimon library leaves to the board (exit status,
 * heap bounds). Linked with -nostartfiles: this replaces rdimon-crt0.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "board.h"

/* From mps2_an385.ld. */
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start__[], __bss_end__[];
extern uint32_t __stack_bottom[], __stack_top[];
extern char __heap_start[], __heap_end[];

int main(void);
void initialise_monitor_handles(void); /* newlib rdimon: opens the semihosting console */
void board_reset(void);
void _exit(int status);
void *_sbrk(ptrdiff_t incr);

/* ---- semihosting ------------------------------------------------------- */

#define SEMI_SYS_WRITE0           0x04
#define SEMI_SYS_EXIT_EXTENDED    0x20
#define SEMI_ADP_APPLICATION_EXIT 0x20026

/* qemu traps "bkpt 0xab" and performs op with the argument block in r1. */
static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* newlib's exit() flushes stdio, then lands here. SYS_EXIT_EXTENDED (not
 * plain SYS_EXIT) because only it carries the status to qemu's exit code. */
void _exit(int status)
{
    const uint32_t block[2] = {SEMI_ADP_APPLICATION_EXIT, (uint32_t)status};
    for (;;)
        semihost(SEMI_SYS_EXIT_EXTENDED, block);
}

/* Linker symbols are distinct objects to C (and to cppcheck): do address
 * arithmetic between them on integers. */
static uintptr_t addr(const void *p)
{
    return (uintptr_t)p;
}

/* The libc heap (test code's; kgiot never allocates) ends where the stack
 * begins: fail with ENOMEM instead of growing into it. */
void *_sbrk(ptrdiff_t incr)
{
    static uintptr_t brk;
    if (brk == 0) brk = addr(__heap_start);
    uintptr_t next = brk + (uintptr_t)incr;
    if (next > addr(__heap_end) || next < addr(__heap_start)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    uintptr_t old = brk;
    brk = next;
    return (void *)old;
}

/* ---- faults -------------------------------------------------------------- */

#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)

static void hex32(char *out, uint32_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 4)
        out[i] = "0123456789abcdef"[v & 0xFu];
}

/* Any unexpected exception: say which registers tell why, and end the run
 * with status 99 so that the test fails instead of hanging. stdio is not
 * trusted here: the text goes straight to the semihosting console. */
static void fault(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    char msg[] = "\nFAULT exception xxxxxxxx CFSR xxxxxxxx HFSR xxxxxxxx\n";
    hex32(msg + 17, ipsr);
    hex32(msg + 31, SCB_CFSR);
    hex32(msg + 45, SCB_HFSR);
    semihost(SEMI_SYS_WRITE0, msg);
    _exit(99);
}

/* ---- SysTick: the millisecond clock ---------------------------------------- */

#define SYST_CSR                       (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR                       (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR                       (*(volatile uint32_t *)0xE000E018u)
#define SYST_CSR_ENABLE_TICKINT_CPUCLK 7u

static volatile uint64_t ticks_ms;

void board_tick(void)
{
    ticks_ms++;
}

static void systick_start(void)
{
    SYST_RVR = BOARD_CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE_TICKINT_CPUCLK;
}

/* A 64-bit read is two loads: keep the tick from landing between them. */
uint64_t board_now_ms(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    uint64_t now = ticks_ms;
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
    return now;
}

void board_sleep_ms(uint32_t ms)
{
    uint64_t until = board_now_ms() + ms;
    while (board_now_ms() < until)
        __asm__ volatile("wfi");
}

/* ---- stack painting -------------------------------------------------------- */

#define STACK_PAINT 0xC5C5C5C5u
/* Left unpainted just below the caller: the painting code's own frame. */
#define STACK_PAINT_MARGIN_WORDS 16u

static uint32_t *watch_top;

static uint32_t *stack_pointer(void)
{
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* volatile: a plain loop may become a memset call, whose frame would sit in
 * the area being painted. */
static void paint_below(const uint32_t *top)
{
    size_t words = (addr(top) - addr(__stack_bottom)) / 4u - STACK_PAINT_MARGIN_WORDS;
    volatile uint32_t *p = __stack_bottom;
    for (size_t i = 0; i < words; i++)
        p[i] = STACK_PAINT;
}

void board_stack_watch_begin(void)
{
    watch_top = stack_pointer();
    paint_below(watch_top);
}

size_t board_stack_watch_end(void)
{
    size_t words = (addr(watch_top) - addr(__stack_bottom)) / 4u, i = 0;
    while (i < words && __stack_bottom[i] == STACK_PAINT)
        i++;
    return (words - i) * 4u;
}

/* r0 fn, r1 arg, r2 new stack top: switch, call, switch back. r4 (callee-
 * saved) keeps the old stack pointer; the push keeps 8-byte alignment. */
__attribute__((naked)) static void run_on_stack(void (*fn)(void *), void *arg, void *top)
{
    __asm__ volatile("push {r4, lr}\n"
                     "mov r4, sp\n"
                     "mov sp, r2\n"
                     "mov r3, r0\n"
                     "mov r0, r1\n"
                     "blx r3\n"
                     "mov sp, r4\n"
                     "pop {r4, pc}\n");
    (void)fn, (void)arg, (void)top;
}

void board_call_on_stack(void (*fn)(void *), void *arg, void *stack, size_t size)
{
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)7u; /* AAPCS: 8-aligned */
    run_on_stack(fn, arg, (void *)top);
}

/* ---- reset ------------------------------------------------------------------- */

void board_reset(void)
{
    size_t data_words = (addr(__data_end) - addr(__data_start)) / 4u;
    for (size_t i = 0; i < data_words; i++)
        __data_start[i] = __data_load[i];
    size_t bss_words = (addr(__bss_end__) - addr(__bss_start__)) / 4u;
    for (size_t i = 0; i < bss_words; i++)
        __bss_start__[i] = 0;
    board_stack_watch_begin(); /* so that a whole run's peak can be read too */
    systick_start();
    initialise_monitor_handles();
    exit(main());
}

/* Handlers an image may replace (an RTOS takes SVCall, PendSV and SysTick;
 * a driver its interrupt): weak aliases of the board's defaults. */
void SVC_Handler(void) __attribute__((weak, alias("fault")));
void PendSV_Handler(void) __attribute__((weak, alias("fault")));
void SysTick_Handler(void) __attribute__((weak, alias("board_tick")));
void ETH_IRQHandler(void) __attribute__((weak, alias("fault")));

#define IRQ_ETH   13u /* qemu's hw/arm/mps2.c: the LAN9118 on AN385 */
#define IRQ_COUNT 32u

/* Cortex-M3 vector table: initial stack pointer, the system handlers, then
 * the external interrupts (any not named above is unexpected: fault). */
typedef void (*vector_t)(void);
#define VEC_FAULT_8 fault, fault, fault, fault, fault, fault, fault, fault
__attribute__((section(".vectors"), used)) static const vector_t vectors[16 + IRQ_COUNT] = {
    (vector_t)(uintptr_t)__stack_top,
    board_reset,
    fault, /* NMI */
    fault, /* HardFault */
    fault, /* MemManage */
    fault, /* BusFault */
    fault, /* UsageFault */
    0,
    0,
    0,
    0,
    SVC_Handler,
    fault, /* DebugMonitor */
    0,
    PendSV_Handler,
    SysTick_Handler,
    VEC_FAULT_8,
    fault,
    fault,
    fault,
    fault,
    fault,
    ETH_IRQHandler, /* IRQ_ETH */
    fault,
    fault,
    VEC_FAULT_8,
    VEC_FAULT_8,
};
