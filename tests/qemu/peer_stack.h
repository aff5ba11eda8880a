/*
 * peer_stack.h - a kg_transport_t that forwards every call to another one,
 * running it on a stack of its own. The test peers (the scripted platform,
 * the in-image TLS server) then leave no frames on the main stack, and
 * painting the main stack measures kgiot (and mbedTLS's client) alone.
 */
#ifndef PEER_STACK_H
#define PEER_STACK_H

#include "kg_transport.h"

/* Fill *out to forward to inner (which must outlive it). One peer at a time:
 * all wrapped transports share the one peer stack. */
void peer_stack_wrap(kg_transport_t *out, const kg_transport_t *inner);

#endif
