/*
 * arch/cc.h - lwIP's compiler and platform glue for the mps2-an385 image
 * (arm-none-eabi-gcc, newlib).
 */
#ifndef BOARD_LWIP_CC_H
#define BOARD_LWIP_CC_H

#include <stdint.h>

#define LWIP_ERRNO_STDINCLUDE 1 /* newlib's errno values */
#define LWIP_TIMEVAL_PRIVATE  0 /* newlib has struct timeval */
#include <sys/time.h>

/* Local ports and TCP sequence numbers: from the board's generator. */
uint32_t board_lwip_rand(void);
#define LWIP_RAND() board_lwip_rand()

/* Diagnostics go nowhere (the image prints its own figures); an assertion
 * ends the run with a message and a failing exit status. */
void board_rtos_assert(const char *file, int line);
#define LWIP_PLATFORM_DIAG(x)                                                                      \
    do {                                                                                           \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) board_rtos_assert(__FILE__, __LINE__)

#endif
