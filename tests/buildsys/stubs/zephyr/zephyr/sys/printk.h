/* Stand-in for Zephyr's <zephyr/sys/printk.h>, for the sample. Upstream:
 * __printf_like(1, 2), i.e. the printf format attribute. */
#ifndef KG_STUB_ZEPHYR_PRINTK_H
#define KG_STUB_ZEPHYR_PRINTK_H

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
