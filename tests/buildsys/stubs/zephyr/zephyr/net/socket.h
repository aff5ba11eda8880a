/* Stand-in for Zephyr's <zephyr/net/socket.h> (and the parts of
 * <zephyr/net/net_ip.h> it includes) up to Zephyr 4.3: the zsock_* calls,
 * constants and types the kgiot Zephyr port uses. socklen_t is size_t
 * before 4.3 and uint32_t from 4.3; the port only takes sizeof into it. */
#ifndef KG_STUB_ZEPHYR_SOCKET_H
#define KG_STUB_ZEPHYR_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <zephyr/sys/fdtable.h>

typedef uint32_t socklen_t;
struct sockaddr;

#define AF_UNSPEC   0
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define SOL_SOCKET  1
#define SO_ERROR    4
#define TCP_NODELAY 1

struct zsock_pollfd {
    int fd;
    short events;
    short revents;
};

#define ZSOCK_POLLIN  1
#define ZSOCK_POLLOUT 4

struct zsock_addrinfo {
    struct zsock_addrinfo *ai_next;
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    socklen_t ai_addrlen;
    struct sockaddr *ai_addr;
    char *ai_canonname;
};

int zsock_socket(int family, int type, int proto);
int zsock_close(int sock);
int zsock_connect(int sock, const struct sockaddr *addr, socklen_t addrlen);
ssize_t zsock_send(int sock, const void *buf, size_t len, int flags);
ssize_t zsock_recv(int sock, void *buf, size_t max_len, int flags);
int zsock_fcntl(int sock, int cmd, int flags);
int zsock_poll(struct zsock_pollfd *fds, int nfds, int timeout);
int zsock_getsockopt(int sock, int level, int optname, void *optval, socklen_t *optlen);
int zsock_setsockopt(int sock, int level, int optname, const void *optval, socklen_t optlen);
int zsock_getaddrinfo(const char *host, const char *service, const struct zsock_addrinfo *hints,
                      struct zsock_addrinfo **res);
void zsock_freeaddrinfo(struct zsock_addrinfo *ai);

#endif
