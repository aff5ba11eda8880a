/* Stand-in for Zephyr's <zephyr/sys/fdtable.h> (included by net/socket.h). */
#ifndef KG_STUB_ZEPHYR_FDTABLE_H
#define KG_STUB_ZEPHYR_FDTABLE_H

#define ZVFS_O_NONBLOCK 0x4000
#define ZVFS_F_SETFL    4

#endif
