/* test_port_posix.c - the host port against the real OS: clocks, entropy,
 * and sockets over loopback (a listener the test owns). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kg_port_posix.h"
#include "kg_test.h"

static kg_port_t port;

/* A loopback listener on an ephemeral port; returns its fd, sets *port_out. */
static int listen_loopback(uint16_t *port_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        fprintf(stderr, "cannot listen on loopback\n");
        exit(2);
    }
    *port_out = ntohs(a.sin_port);
    return fd;
}

/* A port number nobody listens on: bound then released. */
static uint16_t closed_port(void)
{
    uint16_t p = 0;
    int fd = listen_loopback(&p);
    close(fd);
    return p;
}

static void test_monotonic_increases(void)
{
    uint64_t a = port.now_ms(port.ctx);
    port.sleep_ms(port.ctx, 20);
    uint64_t b = port.now_ms(port.ctx);
    KG_CHECK(b > a);
}

static void test_sleep_duration(void)
{
    uint64_t a = port.now_ms(port.ctx);
    port.sleep_ms(port.ctx, 120);
    uint64_t took = port.now_ms(port.ctx) - a;
    KG_CHECK(took >= 120);
    KG_CHECK(took < 400);
}

static void test_random_differs(void)
{
    uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};
    KG_CHECK_ERR(port.random(port.ctx, a, sizeof a), KG_OK);
    KG_CHECK_ERR(port.random(port.ctx, b, sizeof b), KG_OK);
    KG_CHECK(memcmp(a, b, sizeof a) != 0);
    KG_CHECK(memcmp(a, zero, sizeof a) != 0);
}

static void test_wall_clock(void)
{
    int64_t t = 0;
    unsetenv("KGIOT_FAKE_WALL_TIME");
    unsetenv("KGIOT_NO_WALL_CLOCK");
    KG_CHECK_ERR(port.wall_time(port.ctx, &t), KG_OK);
    KG_CHECK(t > 1577836800); /* after 2020-01-01 */

    setenv("KGIOT_FAKE_WALL_TIME", "1700000000", 1);
    KG_CHECK_ERR(port.wall_time(port.ctx, &t), KG_OK);
    KG_CHECK_EQ(t, 1700000000);

    setenv("KGIOT_FAKE_WALL_TIME", "17x", 1);
    KG_CHECK_ERR(port.wall_time(port.ctx, &t), KG_ERR_NO_CLOCK);
    unsetenv("KGIOT_FAKE_WALL_TIME");

    setenv("KGIOT_NO_WALL_CLOCK", "1", 1);
    KG_CHECK_ERR(port.wall_time(port.ctx, &t), KG_ERR_NO_CLOCK);
    unsetenv("KGIOT_NO_WALL_CLOCK");
}

static void test_connect_closed_port(void)
{
    kg_sock_t s = KG_SOCK_INVALID;
    KG_CHECK_ERR(port.sock_connect(port.ctx, &s, "127.0.0.1", closed_port(), 1000), KG_ERR_CONNECT);
}

static void test_dns_failure(void)
{
    kg_sock_t s = KG_SOCK_INVALID;
    uint64_t a = port.now_ms(port.ctx);
    KG_CHECK_ERR(port.sock_connect(port.ctx, &s, "nonexistent.invalid", 443, 1000), KG_ERR_DNS);
    KG_CHECK(port.now_ms(port.ctx) - a < 5000);
}

/* Connect, exchange bytes both ways, time out on silence, see the close. */
static void test_send_recv_close(void)
{
    uint16_t p = 0;
    int lfd = listen_loopback(&p);
    kg_sock_t s = KG_SOCK_INVALID;
    KG_CHECK_ERR(port.sock_connect(port.ctx, &s, "localhost", p, 1000), KG_OK);
    int peer = accept(lfd, NULL, NULL);
    KG_CHECK(peer >= 0);

    size_t n = 0;
    KG_CHECK_ERR(port.sock_send(port.ctx, s, (const uint8_t *)"ping", 4, &n, 1000), KG_OK);
    KG_CHECK_EQ(n, 4);
    char got[8] = {0};
    KG_CHECK_EQ(recv(peer, got, sizeof got, 0), 4);
    KG_CHECK(memcmp(got, "ping", 4) == 0);

    uint8_t buf[16];
    uint64_t a = port.now_ms(port.ctx);
    KG_CHECK_ERR(port.sock_recv(port.ctx, s, buf, sizeof buf, &n, 150), KG_ERR_TIMEOUT);
    uint64_t waited = port.now_ms(port.ctx) - a;
    KG_CHECK(waited >= 150 && waited < 1000);

    KG_CHECK_EQ(send(peer, "pong", 4, 0), 4);
    KG_CHECK_ERR(port.sock_recv(port.ctx, s, buf, sizeof buf, &n, 1000), KG_OK);
    KG_CHECK_EQ(n, 4);
    KG_CHECK(memcmp(buf, "pong", 4) == 0);

    close(peer);
    KG_CHECK_ERR(port.sock_recv(port.ctx, s, buf, sizeof buf, &n, 1000), KG_ERR_CLOSED);
    port.sock_close(port.ctx, s);
    close(lfd);
}

static void test_send_after_peer_reset(void)
{
    uint16_t p = 0;
    int lfd = listen_loopback(&p);
    kg_sock_t s = KG_SOCK_INVALID;
    KG_CHECK_ERR(port.sock_connect(port.ctx, &s, "127.0.0.1", p, 1000), KG_OK);
    int peer = accept(lfd, NULL, NULL);
    close(peer);
    close(lfd);
    /* The first send draws the RST, a later one sees it: never SIGPIPE. */
    kg_err_t err = KG_OK;
    for (int i = 0; i < 50 && err == KG_OK; i++) {
        size_t n = 0;
        err = port.sock_send(port.ctx, s, (const uint8_t *)"x", 1, &n, 200);
        port.sleep_ms(port.ctx, 5);
    }
    KG_CHECK_ERR(err, KG_ERR_CLOSED);
    port.sock_close(port.ctx, s);
}

static void test_zero_length_is_arg(void)
{
    uint8_t b[1] = {0};
    size_t n = 0;
    KG_CHECK_ERR(port.sock_send(port.ctx, 0, b, 0, &n, 10), KG_ERR_ARG);
    KG_CHECK_ERR(port.sock_recv(port.ctx, 0, b, 0, &n, 10), KG_ERR_ARG);
}

static void test_log_filter(void)
{
    /* Only checks that filtering and every level are safe to call; the
     * lines go to stderr where ctest shows them. */
    kg_port_t quiet;
    kg_port_posix_init(&quiet, KG_LOG_ERROR);
    quiet.log(quiet.ctx, KG_LOG_DEBUG, "must not appear");
    quiet.log(quiet.ctx, KG_LOG_ERROR, "test line (error level, expected)");
    KG_CHECK(*(const kg_log_level_t *)quiet.ctx == KG_LOG_ERROR);
    kg_port_posix_init(&quiet, (kg_log_level_t)0);
    KG_CHECK(*(const kg_log_level_t *)quiet.ctx == 0);
}

int main(void)
{
    kg_port_posix_init(&port, KG_LOG_WARN);
    KG_RUN(test_monotonic_increases);
    KG_RUN(test_sleep_duration);
    KG_RUN(test_random_differs);
    KG_RUN(test_wall_clock);
    KG_RUN(test_connect_closed_port);
    KG_RUN(test_dns_failure);
    KG_RUN(test_send_recv_close);
    KG_RUN(test_send_after_peer_reset);
    KG_RUN(test_zero_length_is_arg);
    KG_RUN(test_log_filter);
    return kg_test_summary();
}
