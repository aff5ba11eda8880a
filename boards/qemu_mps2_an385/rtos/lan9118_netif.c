/*
 * lan9118_netif.c - the LAN9118 driver for lwIP (see lan9118_netif.h).
 * Register names and bits follow the SMSC LAN9118 data sheet.
 */
#include "lan9118_netif.h"

#include <string.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

/* ---- registers -------------------------------------------------------------- */

#define RX_DATA_FIFO   0x00u
#define TX_DATA_FIFO   0x20u
#define RX_STATUS_FIFO 0x40u
#define TX_STATUS_FIFO 0x48u
#define IRQ_CFG        0x54u
#define INT_STS        0x58u
#define INT_EN         0x5Cu
#define BYTE_TEST      0x64u
#define FIFO_INT       0x68u
#define TX_CFG         0x70u
#define HW_CFG         0x74u
#define RX_DP_CTRL     0x78u
#define RX_FIFO_INF    0x7Cu
#define TX_FIFO_INF    0x80u
#define PMT_CTRL       0x84u
#define MAC_CSR_CMD    0xA4u
#define MAC_CSR_DATA   0xA8u

#define BYTE_TEST_VALUE   0x87654321u
#define PMT_READY         (1u << 0)
#define HW_CFG_SRST       (1u << 0)
#define IRQ_CFG_ACTIVE_HI ((1u << 8) | (1u << 4) | (1u << 0)) /* enable, high, push-pull */
#define INT_RSFL          (1u << 3)
#define INT_PHY           (1u << 18)
#define TX_CFG_TX_ON      (1u << 1)
#define RX_DP_FFWD        (1u << 31)
#define RX_STS_ERROR      (1u << 15)
#define TX_CMD_A_FIRST    (1u << 13)
#define TX_CMD_A_LAST     (1u << 12)
#define CSR_BUSY          (1u << 31)
#define CSR_READ          (1u << 30)

/* MAC registers behind MAC_CSR_CMD/DATA, and the PHY behind MII_ACC. */
#define MAC_CR         1u
#define MAC_ADDRH      2u
#define MAC_ADDRL      3u
#define MAC_MII_ACC    6u
#define MAC_MII_DATA   7u
#define MAC_CR_TXEN    (1u << 3)
#define MAC_CR_RXEN    (1u << 2)
#define MAC_CR_FDPX    (1u << 20)
#define MII_PHY_ADDR   (1u << 11)
#define MII_WRITE      (1u << 1)
#define MII_BUSY       (1u << 0)
#define PHY_BSR        1u
#define PHY_BSR_LINK   (1u << 2)
#define PHY_INT_SOURCE 29u
#define PHY_INT_MASK   30u
#define PHY_INT_EVENTS 0xD0u /* energy on, auto-negotiation done, link down */

/* Bounded waits: register handshakes finish within microseconds on the
 * chip; the transmit FIFO drains at wire speed (a full frame in 120 us at
 * 100 Mbit/s). Past these counts the chip is considered gone. */
#define SPIN_LIMIT 100000u
#define TX_WAIT_MS 20u

#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NVIC_IPR   ((volatile uint8_t *)0xE000E400u)
#define ETH_IRQ    13u

static lan9118_t *active; /* the instance the interrupt wakes */

static volatile uint32_t *reg(const lan9118_t *eth, uint32_t off)
{
    return (volatile uint32_t *)(eth->base + off);
}

static uint32_t rd(const lan9118_t *eth, uint32_t off)
{
    return *reg(eth, off);
}

static void wr(const lan9118_t *eth, uint32_t off, uint32_t v)
{
    *reg(eth, off) = v;
}

/* Wait until (register & mask) == want; false after SPIN_LIMIT reads. */
static bool wait_bits(const lan9118_t *eth, uint32_t off, uint32_t mask, uint32_t want)
{
    for (uint32_t i = 0; i < SPIN_LIMIT; i++)
        if ((rd(eth, off) & mask) == want) return true;
    return false;
}

static bool mac_write(const lan9118_t *eth, uint32_t index, uint32_t v)
{
    wr(eth, MAC_CSR_DATA, v);
    wr(eth, MAC_CSR_CMD, CSR_BUSY | index);
    return wait_bits(eth, MAC_CSR_CMD, CSR_BUSY, 0);
}

static bool mac_read(const lan9118_t *eth, uint32_t index, uint32_t *v)
{
    wr(eth, MAC_CSR_CMD, CSR_BUSY | CSR_READ | index);
    if (!wait_bits(eth, MAC_CSR_CMD, CSR_BUSY, 0)) return false;
    *v = rd(eth, MAC_CSR_DATA);
    return true;
}

static bool mii_wait(const lan9118_t *eth)
{
    for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
        uint32_t acc;
        if (!mac_read(eth, MAC_MII_ACC, &acc)) return false;
        if ((acc & MII_BUSY) == 0) return true;
    }
    return false;
}

static bool phy_read(const lan9118_t *eth, uint32_t r, uint32_t *v)
{
    if (!mac_write(eth, MAC_MII_ACC, MII_PHY_ADDR | (r << 6) | MII_BUSY) || !mii_wait(eth))
        return false;
    return mac_read(eth, MAC_MII_DATA, v);
}

static bool phy_write(const lan9118_t *eth, uint32_t r, uint32_t v)
{
    if (!mac_write(eth, MAC_MII_DATA, v)) return false;
    return mac_write(eth, MAC_MII_ACC, MII_PHY_ADDR | (r << 6) | MII_WRITE | MII_BUSY) &&
           mii_wait(eth);
}

/* ---- transmit ------------------------------------------------------------------ */

/* Room in the transmit data FIFO, in bytes; waits (sleeping a tick at a
 * time) at most TX_WAIT_MS for `need`. Emptied status entries are
 * discarded so the status FIFO never fills and stops the transmitter. */
static bool tx_room(const lan9118_t *eth, uint32_t need)
{
    TickType_t start = xTaskGetTickCount();
    for (;;) {
        while (((rd(eth, TX_FIFO_INF) >> 16) & 0xFFu) != 0)
            (void)rd(eth, TX_STATUS_FIFO);
        if ((rd(eth, TX_FIFO_INF) & 0xFFFFu) >= need) return true;
        if (xTaskGetTickCount() - start >= pdMS_TO_TICKS(TX_WAIT_MS)) return false;
        vTaskDelay(1);
    }
}

static err_t lan9118_output(struct netif *netif, struct pbuf *p)
{
    lan9118_t *eth = netif->state;
    uint32_t len = p->tot_len;
    if (len > LAN9118_FRAME_MAX || !eth->link_up || !tx_room(eth, len + 8u)) {
        eth->tx_dropped++;
        LINK_STATS_INC(link.drop);
        return ERR_IF;
    }
    (void)pbuf_copy_partial(p, eth->tx_frame, (u16_t)len, 0);
    wr(eth, TX_DATA_FIFO, TX_CMD_A_FIRST | TX_CMD_A_LAST | len);
    wr(eth, TX_DATA_FIFO, len); /* command B: the packet length (tag 0) */
    for (uint32_t i = 0; i < (len + 3u) / 4u; i++)
        wr(eth, TX_DATA_FIFO, eth->tx_frame[i]);
    eth->tx_frames++;
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

/* ---- receive ---------------------------------------------------------------------- */

static void rx_discard(lan9118_t *eth)
{
    wr(eth, RX_DP_CTRL, RX_DP_FFWD);
    (void)wait_bits(eth, RX_DP_CTRL, RX_DP_FFWD, 0);
    eth->rx_dropped++;
    LINK_STATS_INC(link.drop);
}

/* One frame of `len` bytes (CRC included) from the FIFO into a pbuf. */
static void rx_one(lan9118_t *eth, uint32_t status)
{
    uint32_t len = (status >> 16) & 0x3FFFu;
    if ((status & RX_STS_ERROR) || len < 14u + 4u || len > LAN9118_FRAME_MAX + 4u) {
        rx_discard(eth);
        return;
    }
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)(len - 4u), PBUF_POOL);
    if (!p) {
        rx_discard(eth);
        return;
    }
    for (uint32_t i = 0; i < (len + 3u) / 4u; i++)
        eth->frame[i] = rd(eth, RX_DATA_FIFO);
    (void)pbuf_take(p, eth->frame, (u16_t)(len - 4u));
    eth->rx_frames++;
    LINK_STATS_INC(link.recv);
    if (eth->netif->input(p, eth->netif) != ERR_OK) pbuf_free(p);
}

static void rx_drain(lan9118_t *eth)
{
    while (((rd(eth, RX_FIFO_INF) >> 16) & 0xFFu) != 0)
        rx_one(eth, rd(eth, RX_STATUS_FIFO));
}

/* The PHY's link bit becomes lwIP's link state (under the core lock). */
static void link_check(lan9118_t *eth)
{
    uint32_t bsr = 0, src;
    (void)phy_read(eth, PHY_INT_SOURCE, &src); /* reading clears the PHY's interrupt */
    bool up = phy_read(eth, PHY_BSR, &bsr) && (bsr & PHY_BSR_LINK);
    if (up == eth->link_up) return;
    eth->link_up = up;
    eth->link_changes++;
    LOCK_TCPIP_CORE();
    if (up)
        netif_set_link_up(eth->netif);
    else
        netif_set_link_down(eth->netif);
    UNLOCK_TCPIP_CORE();
}

/* Woken by the interrupt, or every LAN9118_LINK_POLL_MS to look at the
 * link even if a PHY interrupt was missed. */
static void rx_task(void *arg)
{
    lan9118_t *eth = arg;
    for (;;) {
        uint32_t woken = ulTaskNotifyTake(pdTRUE, pdMS_TO_TICKS(LAN9118_LINK_POLL_MS));
        taskENTER_CRITICAL();
        uint32_t events = eth->irq_events;
        eth->irq_events = 0;
        taskEXIT_CRITICAL();
        if (woken == 0 || (events & INT_PHY)) link_check(eth);
        rx_drain(eth);
    }
}

void ETH_IRQHandler(void)
{
    BaseType_t woken = pdFALSE;
    lan9118_t *eth = active;
    uint32_t pending = rd(eth, INT_STS) & rd(eth, INT_EN);
    wr(eth, INT_STS, pending); /* write-one-to-clear: the line drops */
    eth->irq_events |= pending;
    eth->interrupts++;
    vTaskNotifyGiveFromISR(eth->rx_task, &woken);
    portYIELD_FROM_ISR(woken);
}

/* ---- bring-up ---------------------------------------------------------------------- */

static bool chip_reset(const lan9118_t *eth)
{
    if (rd(eth, BYTE_TEST) != BYTE_TEST_VALUE) return false;
    if (!wait_bits(eth, PMT_CTRL, PMT_READY, PMT_READY)) return false;
    wr(eth, HW_CFG, HW_CFG_SRST);
    return wait_bits(eth, HW_CFG, HW_CFG_SRST, 0) && wait_bits(eth, PMT_CTRL, PMT_READY, PMT_READY);
}

static bool read_mac(const lan9118_t *eth, struct netif *netif)
{
    uint32_t lo, hi;
    if (!mac_read(eth, MAC_ADDRL, &lo) || !mac_read(eth, MAC_ADDRH, &hi)) return false;
    const uint8_t mac[6] = {(uint8_t)lo,         (uint8_t)(lo >> 8), (uint8_t)(lo >> 16),
                            (uint8_t)(lo >> 24), (uint8_t)hi,        (uint8_t)(hi >> 8)};
    memcpy(netif->hwaddr, mac, sizeof mac);
    netif->hwaddr_len = sizeof mac;
    return true;
}

static bool chip_enable(const lan9118_t *eth)
{
    wr(eth, FIFO_INT, 0); /* an interrupt as soon as one receive status waits */
    wr(eth, TX_CFG, TX_CFG_TX_ON);
    wr(eth, INT_STS, 0xFFFFFFFFu);
    wr(eth, INT_EN, INT_RSFL | INT_PHY);
    wr(eth, IRQ_CFG, IRQ_CFG_ACTIVE_HI);
    return phy_write(eth, PHY_INT_MASK, PHY_INT_EVENTS) &&
           mac_write(eth, MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FDPX);
}

err_t lan9118_netif_init(struct netif *netif)
{
    lan9118_t *eth = netif->state;
    if (!eth || !chip_reset(eth) || !read_mac(eth, netif) || !chip_enable(eth)) return ERR_IF;
    eth->netif = netif;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif->output = etharp_output;
    netif->linkoutput = lan9118_output;
    return ERR_OK;
}

bool lan9118_start(lan9118_t *eth)
{
    active = eth;
    eth->irq_events = INT_PHY; /* the first wake-up reads the link state */
    eth->rx_task = xTaskCreateStatic(rx_task, "eth_rx", LAN9118_RX_STACK, eth,
                                     configMAX_PRIORITIES - 2, eth->rx_stack, &eth->rx_tcb);
    if (!eth->rx_task) return false;
    NVIC_IPR[ETH_IRQ] = BOARD_ETH_IRQ_PRIORITY;
    NVIC_ISER0 = 1u << ETH_IRQ;
    xTaskNotifyGive(eth->rx_task); /* a first look at the link and the FIFO */
    return true;
}
