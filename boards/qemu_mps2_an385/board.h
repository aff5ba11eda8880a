/*
 * board.h - the qemu mps2-an385 (Cortex-M3) test board: console and exit
 * over semihosting, a millisecond clock from SysTick, and stack painting.
 *
 * main() runs after .data/.bss are set up and SysTick ticks; its return
 * value (or exit()'s argument) becomes qemu's exit status.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stddef.h>
#include <stdint.h>

/* SysTick runs from the 25 MHz CPU clock of the AN385 image. */
#define BOARD_CPU_HZ 25000000u

/* Milliseconds since reset (SysTick, 1 kHz; qemu runs it in host time). */
uint64_t board_now_ms(void);

/* One SysTick period has passed (the default SysTick handler; an RTOS
 * image calls it from its own). */
void board_tick(void);

/* Wait ms milliseconds, sleeping (WFI) between ticks. */
void board_sleep_ms(uint32_t ms);

/* Stack painting: begin() fills the unused stack below the caller's frame
 * with a pattern; end() tells how many bytes below that frame were touched
 * since (the deepest point reached, SysTick's interrupt frame included). */
void board_stack_watch_begin(void);
size_t board_stack_watch_end(void);

/* Run fn(arg) on another stack (the top of stack[0..size)), for code that
 * must not be counted on the caller's stack (a test's in-image server). */
void board_call_on_stack(void (*fn)(void *), void *arg, void *stack, size_t size);

#endif
