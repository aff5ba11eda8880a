/*
 * kg_tcp.h - a kg_transport_t over the port's plain TCP sockets.
 *
 * kg_tls sits on top of this one. Used alone only for tests against a local
 * plain-HTTP peer: kgiot never talks to the platform without TLS.
 */
#ifndef KG_TCP_H
#define KG_TCP_H

#include <stdbool.h>

#include "kg_port.h"
#include "kg_transport.h"

typedef struct {
    const kg_port_t *port;
    kg_sock_t sock;
    bool open;
} kg_tcp_t;

/* Prepare t (not yet connected) and fill *tr with its transport interface. */
void kg_tcp_init(kg_tcp_t *t, const kg_port_t *port, kg_transport_t *tr);

#endif
