/*
 * lwipopts.h - a FreeRTOS-style lwIP configuration, only for compiling
 * port/lwip/kg_port_lwip.c with arm-none-eabi-gcc against lwIP's own
 * headers (check_port_mcu.sh). Options the check varies (LWIP_DNS,
 * LWIP_IPV4, LWIP_IPV6, LWIP_COMPAT_SOCKETS, LWIP_PROVIDE_ERRNO,
 * LWIP_SOCKET_POLL) come from
 * the command line; everything else is what a firmware typically sets.
 */
#ifndef KG_TEST_MCU_LWIPOPTS_H
#define KG_TEST_MCU_LWIPOPTS_H

#define NO_SYS                  0
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_NETCONN            1
#define LWIP_SOCKET             1
#define LWIP_TCP                1
#define LWIP_UDP                1
#ifndef LWIP_SOCKET_POLL
#define LWIP_SOCKET_POLL 1
#endif
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define MEM_ALIGNMENT               4
#define MEM_SIZE                    (16 * 1024)
#define MEMP_NUM_NETCONN            4
#define TCP_MSS                     1460
#define TCP_WND                     (4 * TCP_MSS)
#define TCP_SND_BUF                 (4 * TCP_MSS)
#define TCPIP_THREAD_STACKSIZE      1024
#define TCPIP_THREAD_PRIO           3
#define TCPIP_MBOX_SIZE             8
#define DEFAULT_TCP_RECVMBOX_SIZE   8
#define DEFAULT_ACCEPTMBOX_SIZE     4
#ifndef LWIP_COMPAT_SOCKETS
#define LWIP_COMPAT_SOCKETS 0
#endif

#endif
