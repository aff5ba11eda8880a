/*
 * kg_port_posix.h - the host port: POSIX sockets with timeouts, clock_gettime,
 * getrandom, stderr logging. For the host build, tools and tests.
 */
#ifndef KG_PORT_POSIX_H
#define KG_PORT_POSIX_H

#include "kg_port.h"

/* Fill *port with the POSIX callbacks. log_level: messages above it are dropped. */
void kg_port_posix_init(kg_port_t *port, kg_log_level_t log_level);

#endif
