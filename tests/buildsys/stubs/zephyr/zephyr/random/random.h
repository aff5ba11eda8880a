/* Stand-in for Zephyr's <zephyr/random/random.h>. */
#ifndef KG_STUB_ZEPHYR_RANDOM_H
#define KG_STUB_ZEPHYR_RANDOM_H

#include <stddef.h>

int sys_csrand_get(void *dst, size_t len);

#endif
