/*
 * lan9118_netif.h - an lwIP network interface for the SMSC LAN9118 /
 * LAN9220 Ethernet controller of the mps2-an385 board (qemu models a
 * LAN9118 at 0x40200000 on interrupt 13).
 *
 * Receive is interrupt driven: the interrupt only wakes the driver's task,
 * which moves every waiting frame out of the chip's FIFO into a pool pbuf
 * and hands it to lwIP (tcpip_input). Transmit copies a frame into the
 * chip's FIFO from lwIP's thread; it waits a bounded time for FIFO room and
 * drops the frame (counted) when there is none. The PHY's link state is
 * followed through its interrupt (and checked again every
 * LAN9118_LINK_POLL_MS) and becomes lwIP's netif link state.
 *
 * Usage, with the tcpip thread running:
 *   static lan9118_t eth = {.base = LAN9118_MPS2_BASE};
 *   LOCK_TCPIP_CORE();
 *   netif_add(&netif, &ip, &mask, &gw, &eth, lan9118_netif_init, tcpip_input);
 *   netif_set_default(&netif); netif_set_up(&netif);
 *   UNLOCK_TCPIP_CORE();
 *   lan9118_start(&eth);            // the receive task and the interrupt
 */
#ifndef LAN9118_NETIF_H
#define LAN9118_NETIF_H

#include <stdbool.h>
#include <stdint.h>

#include "FreeRTOS.h"
#include "lwip/netif.h"
#include "task.h"

#define LAN9118_MPS2_BASE    0x40200000u
#define LAN9118_FRAME_MAX    1514u /* without the CRC */
#define LAN9118_LINK_POLL_MS 500u
#define LAN9118_RX_STACK     256u /* words */

typedef struct {
    uint32_t base; /* register block */
    struct netif *netif;
    TaskHandle_t rx_task;
    StaticTask_t rx_tcb;
    StackType_t rx_stack[LAN9118_RX_STACK];
    uint32_t frame[(LAN9118_FRAME_MAX + 4u + 3u) / 4u]; /* one frame in words (rx) */
    uint32_t tx_frame[(LAN9118_FRAME_MAX + 3u) / 4u];   /* one frame in words (tx) */
    bool link_up;
    volatile uint32_t irq_events; /* INT_STS bits seen by the interrupt, not yet handled */
    /* Counters, for the figures and the tests. */
    uint32_t rx_frames, rx_dropped, tx_frames, tx_dropped, link_changes, interrupts;
} lan9118_t;

/* lwIP's netif init callback (netif->state is the lan9118_t): checks the
 * chip is there (BYTE_TEST), resets it, takes its MAC address, enables
 * transmit and receive. ERR_IF when the chip does not answer. */
err_t lan9118_netif_init(struct netif *netif);

/* Start the receive task and enable the interrupt (after netif_add). */
bool lan9118_start(lan9118_t *eth);

/* The board's interrupt vector (startup.c's ETH_IRQHandler). */
void ETH_IRQHandler(void);

#endif
