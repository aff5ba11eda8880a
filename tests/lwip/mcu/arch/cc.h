/* arch/cc.h - a bare Cortex-M + newlib lwIP architecture header, only for
 * check_port_mcu.sh. */
#ifndef KG_TEST_MCU_CC_H
#define KG_TEST_MCU_CC_H

#include <stdlib.h>

#ifndef LWIP_PROVIDE_ERRNO
#define LWIP_ERRNO_STDINCLUDE 1
#endif
#define LWIP_RAND() ((u32_t)rand())
#define LWIP_PLATFORM_DIAG(x)                                                                      \
    do {                                                                                           \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x)                                                                    \
    do {                                                                                           \
        for (;;) {                                                                                 \
        }                                                                                          \
    } while (0)

#endif
