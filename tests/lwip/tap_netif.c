/* tap_netif.c - see tap_netif.h. */
#include "tap_netif.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"

#define FRAME_MAX 2048 /* an Ethernet frame of MTU 1500 with room to spare */

/* Locally administered, so it cannot collide with a real NIC's address. */
static const uint8_t tap_mac[6] = {0x02, 0x00, 0x00, 0xc0, 0x00, 0x02};

static int open_tap(const char *ifname)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        perror("tap_netif: open /dev/net/tun");
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        perror("tap_netif: TUNSETIFF");
        close(fd);
        return -1;
    }
    return fd;
}

/* Called with the core locked (tcpip thread, or a socket call holding the
 * lock), so writes to the tap never interleave. */
static err_t tap_linkoutput(struct netif *netif, struct pbuf *p)
{
    tap_netif_t *t = netif->state;
    uint8_t frame[FRAME_MAX];
    if (t->fd < 0) return ERR_IF;
    if (p->tot_len > sizeof frame) return ERR_BUF;
    u16_t len = pbuf_copy_partial(p, frame, p->tot_len, 0);
    if (write(t->fd, frame, len) != (ssize_t)len) return ERR_IF;
    atomic_fetch_add(&t->frames_out, 1);
    return ERR_OK;
}

err_t tap_netif_init(struct netif *netif)
{
    tap_netif_t *t = netif->state;
    t->fd = open_tap(t->ifname);
    if (t->fd < 0) return ERR_IF;
    t->netif = netif;
    netif->name[0] = 't';
    netif->name[1] = 'p';
    netif->output = etharp_output;
#if LWIP_IPV6
    netif->output_ip6 = ethip6_output;
#endif
    netif->linkoutput = tap_linkoutput;
    netif->mtu = 1500;
    netif->hwaddr_len = sizeof tap_mac;
    memcpy(netif->hwaddr, tap_mac, sizeof tap_mac);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

/* One frame into a PBUF_RAM buffer of its own size, handed to lwIP. */
static void deliver(tap_netif_t *t, const uint8_t *frame, size_t len)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
    if (!p) return; /* out of memory: drop, as a NIC would */
    pbuf_take(p, frame, (u16_t)len);
    if (t->netif->input(p, t->netif) != ERR_OK) pbuf_free(p);
    atomic_fetch_add(&t->frames_in, 1);
}

/* Polls with a short timeout so that a stop request is seen promptly. */
static void *reader_main(void *arg)
{
    tap_netif_t *t = arg;
    static uint8_t frame[FRAME_MAX];
    while (!atomic_load(&t->stop)) {
        struct pollfd p = {.fd = t->fd, .events = POLLIN, .revents = 0};
        int n = poll(&p, 1, 50);
        if (n < 0 && errno != EINTR) break;
        if (n <= 0) continue;
        ssize_t got = read(t->fd, frame, sizeof frame);
        if (got > 0) deliver(t, frame, (size_t)got);
        if (got < 0 && errno != EINTR && errno != EAGAIN) break;
    }
    return NULL;
}

bool tap_netif_start(tap_netif_t *t)
{
    atomic_store(&t->stop, false);
    t->reader_started = pthread_create(&t->reader, NULL, reader_main, t) == 0;
    return t->reader_started;
}

void tap_netif_stop(tap_netif_t *t)
{
    atomic_store(&t->stop, true);
    if (t->reader_started) pthread_join(t->reader, NULL);
    t->reader_started = false;
    /* Under the core lock: lwIP's timers may still be sending (a FIN, a
     * retransmit) and must not write to a closed or reused descriptor. */
    LOCK_TCPIP_CORE();
    if (t->netif) netif_set_link_down(t->netif);
    if (t->fd >= 0) close(t->fd);
    t->fd = -1;
    UNLOCK_TCPIP_CORE();
}
