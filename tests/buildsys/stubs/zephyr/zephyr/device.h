/* Stand-in for Zephyr's <zephyr/device.h>: the device is opaque to kgiot. */
#ifndef KG_STUB_ZEPHYR_DEVICE_H
#define KG_STUB_ZEPHYR_DEVICE_H

struct device;

#endif
