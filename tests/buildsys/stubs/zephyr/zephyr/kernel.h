/* Stand-in for Zephyr's <zephyr/kernel.h>: only what the kgiot Zephyr port
 * uses, with the upstream signatures (port/zephyr/README.md). Upstream both
 * are static inline wrappers; declarations suffice for a syntax check. */
#ifndef KG_STUB_ZEPHYR_KERNEL_H
#define KG_STUB_ZEPHYR_KERNEL_H

#include <stdint.h>

int64_t k_uptime_get(void);
int32_t k_msleep(int32_t ms);

#endif
