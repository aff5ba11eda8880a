/*
 * lwipopts.h - lwIP 2.2 on the mps2-an385 image: FreeRTOS (NO_SYS 0),
 * sockets for kgiot's port/lwip, IPv4 only with a static address, no DHCP,
 * no DNS (the port's hosts table names the server). Memory comes from
 * lwIP's own static heap and pools, never from malloc; LWIP_STATS keeps the
 * pool peaks the image reports.
 */
#ifndef BOARD_LWIPOPTS_H
#define BOARD_LWIPOPTS_H

#define NO_SYS                      0
#define SYS_LIGHTWEIGHT_PROT        1
#define LWIP_TCPIP_CORE_LOCKING     1
#define LWIP_NETCONN                1
#define LWIP_SOCKET                 1
#define LWIP_SOCKET_POLL            1
#define LWIP_COMPAT_SOCKETS         0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_NETIF_LINK_CALLBACK    1
#define LWIP_NETIF_STATUS_CALLBACK  0

#define LWIP_IPV4     1
#define LWIP_IPV6     0
#define LWIP_ARP      1
#define LWIP_ETHERNET 1
#define LWIP_ICMP     1
#define LWIP_TCP      1
#define LWIP_UDP      0
#define LWIP_RAW      0
#define LWIP_DHCP     0
#define LWIP_DNS      0
#define LWIP_IGMP     0

/* Memory: a 12 KB heap for outgoing segments, pools for the rest. */
#define MEM_LIBC_MALLOC         0
#define MEMP_MEM_MALLOC         0
#define MEM_ALIGNMENT           4
#define MEM_SIZE                (12 * 1024)
#define MEMP_NUM_NETCONN        4
#define MEMP_NUM_TCP_PCB        4
#define MEMP_NUM_TCP_PCB_LISTEN 1
#define MEMP_NUM_TCP_SEG        16
#define MEMP_NUM_PBUF           8
#define PBUF_POOL_SIZE          12
#define PBUF_POOL_BUFSIZE                                                                          \
    LWIP_MEM_ALIGN_SIZE(TCP_MSS + 40 + PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN)

#define TCP_MSS            1460
#define TCP_WND            (4 * TCP_MSS)
#define TCP_SND_BUF        (4 * TCP_MSS)
#define TCP_SND_QUEUELEN   (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_TCP_KEEPALIVE 0

/* Threads and mailboxes (lwIP's FreeRTOS sys_arch; stack sizes in bytes). */
#define TCPIP_THREAD_NAME                "tcpip"
#define TCPIP_THREAD_STACKSIZE           2048
#define TCPIP_THREAD_PRIO                5
#define TCPIP_MBOX_SIZE                  16
#define DEFAULT_TCP_RECVMBOX_SIZE        8
#define DEFAULT_ACCEPTMBOX_SIZE          2
#define DEFAULT_THREAD_STACKSIZE         1024
#define LWIP_FREERTOS_CHECK_CORE_LOCKING 1

/* Statistics: the image prints each pool's peak use. */
#define LWIP_STATS         1
#define MEM_STATS          1
#define MEMP_STATS         1
#define LWIP_STATS_DISPLAY 1 /* for the pools' names in the figures */
#define LINK_STATS         1
#define TCP_STATS          1
#define IP_STATS           0
#define ICMP_STATS         0
#define SYS_STATS          0
#define ETHARP_STATS       0

#define LWIP_NOASSERT_ON_ERROR 0

#endif
