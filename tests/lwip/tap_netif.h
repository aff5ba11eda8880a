/*
 * tap_netif.h - a tiny lwIP netif driver over a Linux tap device, for the
 * host lwIP test only.
 *
 * Written instead of Debian's tapif because tapif copies frames into pool
 * pbufs sized for glibc's TCP_MSS of 512 (a heap overflow with any frame
 * over ~590 bytes), owns a thread that cannot be stopped and exit()s when
 * the tap goes away. This one receives each frame into a PBUF_RAM buffer of
 * exactly its size and stops on request.
 */
#ifndef TAP_NETIF_H
#define TAP_NETIF_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "lwip/netif.h"

typedef struct {
    const char *ifname; /* an existing tap device (ip tuntap add ... mode tap) */
    int fd;
    struct netif *netif;
    pthread_t reader;
    bool reader_started;
    atomic_bool stop;
    atomic_ulong frames_in, frames_out;
} tap_netif_t;

/* netif_add()'s init callback; netif->state must be a tap_netif_t with
 * ifname set. Opens the tap. Call with the tcpip core locked. */
err_t tap_netif_init(struct netif *netif);

/* Start delivering received frames to netif->input (tcpip_input). */
bool tap_netif_start(tap_netif_t *t);

/* Stop the reader thread and close the tap (after the last socket use). */
void tap_netif_stop(tap_netif_t *t);

#endif
