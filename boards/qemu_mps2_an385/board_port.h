/*
 * board_port.h - kgiot's port for the qemu mps2-an385 test board.
 *
 *   time     monotonic milliseconds from SysTick; no wall clock (no RTC:
 *            the session takes the time from the platform's Date header)
 *   sleep    WFI between SysTick ticks
 *   random   a CTR-DRBG from a FIXED seed: deterministic, FOR TESTS ONLY.
 *            A product board feeds a hardware TRNG here.
 *   sockets  none: this board has no network; tests hand kgiot an in-image
 *            transport instead (kg_session_init_transport)
 *   log      one line per message on the semihosting console
 *   flash    board_flash: NOR flash emulated in RAM, with power cuts
 *
 * board_port_init() also gives mbedTLS its clock (mbedtls_platform_set_time,
 * mbedtls_ms_time) and, for TLS 1.3's PSA generator, mbedtls_hardware_poll.
 */
#ifndef BOARD_PORT_H
#define BOARD_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kg_port.h"

extern const kg_port_t board_port;

/* Seed the DRBG and hook mbedTLS's clock; call once before using the port. */
kg_err_t board_port_init(void);

/* ---- flash emulated in RAM (the kg_flash_t of board_port) ---------------- */

#define BOARD_FLASH_SECTOR_SIZE  4096u
#define BOARD_FLASH_SECTORS      4u
#define BOARD_FLASH_PROGRAM_UNIT 4u

extern const kg_flash_t board_flash;

/* Factory state: every byte 0xFF, power on, no cut armed, counters zero. */
void board_flash_erase_all(void);

/* Arm a power cut: the n-th program or erase from now (1: the next one)
 * stops after `keep` bytes (a program keeps that prefix; an erase erases
 * that prefix of its sector) and fails with KG_ERR_FLASH, and every later
 * operation fails too, until board_flash_power_on(). */
void board_flash_cut_at(uint32_t n, size_t keep);

/* The power came back (a reboot): operations work again, contents kept. */
void board_flash_power_on(void);

bool board_flash_power_lost(void);
uint32_t board_flash_programs(void);
uint32_t board_flash_erases(void);

#endif
