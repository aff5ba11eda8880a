/*
 * lwip_login.c - the whole kgiot login over a real lwIP stack.
 *
 * Brings up Debian's lwIP (unix port: tcpip thread, sockets) on a tap
 * device through tap_netif, builds the kg_port_t with port/lwip, and runs
 * against the mock platform on the kernel side of the tap:
 *   - port checks: a name nobody knows (KG_ERR_DNS), a refused connect,
 *     IPv6 (with --server-ip6: a listener on --port6, a refusal on port 9),
 *     a connect that times out
 *     (nobody answers ARP), a receive timeout and an orderly close seen by
 *     recv;
 *   - kg_login (app token -> QR -> polls -> user token) and a kg_call, over
 *     kg_tls + kg_tcp on lwIP sockets, the server certificate verified for
 *     its DNS name, resolved by the port's hosts-table hook.
 * Meant to run inside the network namespace tests/lwip/test_lwip.py makes.
 *
 * usage: lwip_login --tap IF --lwip-ip A --gateway A --server-name N
 *                   --server-ip A --port P --ca FILE [--absent-ip A]
 *                   [--lwip-ip6 A --server-ip6 A --port6 P] [-v]
 * Exit status 0 when every check passed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

#include "kg_port_lwip.h"
#include "kg_session.h"
#include "tap_netif.h"

#define CA_MAX (64 * 1024)

typedef struct {
    const char *tap, *lwip_ip, *gateway, *server_name, *server_ip, *absent_ip, *ca_file;
    const char *lwip_ip6, *server_ip6;
    uint16_t port, port6;
    bool verbose;
} args_t;

static args_t args;
static int failures;

static void check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(ok ? "ok   " : "FAIL ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
    if (!ok) failures++;
}

/* ---- the RTOS hooks, as a host stands in for FreeRTOS ------------------- */

static uint64_t host_now_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void host_sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    struct timespec req = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&req, &req) != 0) {
    }
}

static kg_err_t host_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);
        if (n <= 0) return KG_ERR_IO;
        buf += n;
        len -= (size_t)n;
    }
    return KG_OK;
}

static void host_log(void *ctx, kg_log_level_t level, const char *msg)
{
    (void)ctx;
    if (level <= KG_LOG_WARN || args.verbose) fprintf(stderr, "kgiot %d: %s\n", (int)level, msg);
}

static kg_err_t host_wall_time(void *ctx, int64_t *unix_s)
{
    (void)ctx;
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return KG_ERR_NO_CLOCK;
    *unix_s = (int64_t)ts.tv_sec;
    return KG_OK;
}

static kg_lwip_host_t hosts[1];
static kg_lwip_hosts_t host_table = {hosts, 1};
static kg_port_lwip_t lwip_port = {
    .os = {.now_ms = host_now_ms,
           .sleep_ms = host_sleep_ms,
           .random = host_random,
           .log = host_log,
           .wall_time = host_wall_time},
    .resolve = kg_lwip_hosts_resolve,
    .resolve_ctx = &host_table,
};
static kg_port_t port;

/* ---- lwIP on the tap ------------------------------------------------------ */

static struct netif netif;
static tap_netif_t tap = {.fd = -1};

static void tcpip_ready(void *arg)
{
    sys_sem_signal((sys_sem_t *)arg);
}

static bool start_tcpip(void)
{
    /* lwIP picks local ports with rand(): without a seed every run reuses them. */
    unsigned seed = 0;
    host_random(NULL, (uint8_t *)&seed, sizeof seed);
    srand(seed);
    sys_sem_t ready;
    if (sys_sem_new(&ready, 0) != ERR_OK) return false;
    tcpip_init(tcpip_ready, &ready);
    bool ok = sys_arch_sem_wait(&ready, 10000) != SYS_ARCH_TIMEOUT;
    sys_sem_free(&ready);
    return ok;
}

/* A static IPv6 address, marked preferred at once: duplicate address
 * detection would only add a second of waiting on a link with one peer. */
static bool add_ip6(struct netif *n)
{
    ip6_addr_t a;
    s8_t idx = -1;
    if (!ip6addr_aton(args.lwip_ip6, &a)) return false;
    if (netif_add_ip6_address(n, &a, &idx) != ERR_OK) return false;
    netif_ip6_addr_set_state(n, idx, IP6_ADDR_PREFERRED);
    return true;
}

/* netif_add and friends assert unless the core lock is held. */
static bool add_netif(void)
{
    ip4_addr_t ip, mask, gw;
    if (!ip4addr_aton(args.lwip_ip, &ip) || !ip4addr_aton(args.gateway, &gw)) return false;
    IP4_ADDR(&mask, 255, 255, 255, 0);
    tap.ifname = args.tap;
    LOCK_TCPIP_CORE();
    struct netif *n = netif_add(&netif, &ip, &mask, &gw, &tap, tap_netif_init, tcpip_input);
    bool ok = n != NULL;
    if (ok) {
        netif_set_default(n);
        netif_set_link_up(n);
        netif_set_up(n);
        if (args.lwip_ip6) ok = add_ip6(n);
    }
    UNLOCK_TCPIP_CORE();
    return ok;
}

static bool stack_up(void)
{
    if (!start_tcpip()) return false;
    if (!add_netif()) return false;
    return tap_netif_start(&tap);
}

/* ---- port checks ------------------------------------------------------------ */

static kg_err_t timed_connect(const char *host, uint16_t p, uint32_t timeout_ms, kg_sock_t *s,
                              uint64_t *took)
{
    uint64_t t0 = host_now_ms(NULL);
    kg_err_t err = port.sock_connect(port.ctx, s, host, p, timeout_ms);
    *took = host_now_ms(NULL) - t0;
    return err;
}

/* An IPv6 literal: a listener (--port6) accepts, port 9 refuses. */
static void check_ip6(void)
{
    kg_sock_t s = KG_SOCK_INVALID;
    uint64_t took;
    kg_err_t err = timed_connect(args.server_ip6, args.port6, 5000, &s, &took);
    check(err == KG_OK, "connect over IPv6 to [%s]:%u: %s in %llu ms", args.server_ip6,
          (unsigned)args.port6, kg_err_name(err), (unsigned long long)took);
    if (err == KG_OK) port.sock_close(port.ctx, s);
    err = timed_connect(args.server_ip6, 9, 5000, &s, &took);
    check(err == KG_ERR_CONNECT && took < 3000, "refused connect over IPv6: %s in %llu ms",
          kg_err_name(err), (unsigned long long)took);
    if (err == KG_OK) port.sock_close(port.ctx, s);
}

static void check_connect_errors(void)
{
    kg_sock_t s = KG_SOCK_INVALID;
    uint64_t took;
    kg_err_t err = timed_connect("nosuch.lwip", args.port, 2000, &s, &took);
    check(err == KG_ERR_DNS, "unknown name: %s (KG_ERR_DNS expected)", kg_err_name(err));
    /* Port 9 (discard): nothing listens there, the kernel answers RST. */
    err = timed_connect(args.server_ip, 9, 5000, &s, &took);
    check(err == KG_ERR_CONNECT && took < 3000, "refused connect: %s in %llu ms", kg_err_name(err),
          (unsigned long long)took);
    if (err == KG_OK) port.sock_close(port.ctx, s);
    if (args.server_ip6) check_ip6();
    /* Nobody has this address: ARP goes unanswered until the deadline. */
    err = timed_connect(args.absent_ip, args.port, 700, &s, &took);
    check(err == KG_ERR_TIMEOUT && took >= 650 && took < 3000,
          "connect to an absent host: %s after %llu ms (700 ms timeout)", kg_err_name(err),
          (unsigned long long)took);
    if (err == KG_OK) port.sock_close(port.ctx, s);
}

/* Plain TCP to the TLS server: it waits for a ClientHello (so a recv times
 * out), and closes when it gets something else (so recv sees the close). */
static void check_recv(void)
{
    kg_sock_t s = KG_SOCK_INVALID;
    uint64_t took;
    kg_err_t err = timed_connect(args.server_name, args.port, 5000, &s, &took);
    check(err == KG_OK, "connect to %s (hosts hook): %s in %llu ms", args.server_name,
          kg_err_name(err), (unsigned long long)took);
    if (err != KG_OK) return;
    uint8_t buf[512];
    size_t got = 0, sent = 0;
    uint64_t t0 = host_now_ms(NULL);
    err = port.sock_recv(port.ctx, s, buf, sizeof buf, &got, 300);
    took = host_now_ms(NULL) - t0;
    check(err == KG_ERR_TIMEOUT && took >= 290 && took < 2000, "recv timeout: %s after %llu ms",
          kg_err_name(err), (unsigned long long)took);
    static const char junk[] = "NOT TLS\r\n\r\n";
    err = port.sock_send(port.ctx, s, (const uint8_t *)junk, sizeof junk - 1, &sent, 2000);
    check(err == KG_OK && sent > 0, "send: %s, %zu bytes", kg_err_name(err), sent);
    do
        err = port.sock_recv(port.ctx, s, buf, sizeof buf, &got, 5000);
    while (err == KG_OK);
    check(err == KG_ERR_CLOSED, "the server's close seen by recv: %s", kg_err_name(err));
    port.sock_close(port.ctx, s);
}

/* ---- the login ---------------------------------------------------------------- */

static unsigned events[KG_EVENT_RETRY + 1];

static void on_event(void *ctx, const kg_event_t *ev)
{
    (void)ctx;
    events[ev->type]++;
    if (ev->type == KG_EVENT_QR_READY) printf("     event: qr_ready %s\n", ev->qr_content);
    if (ev->type == KG_EVENT_LOGGED_IN) printf("     event: logged_in %s\n", ev->openid);
    if (ev->type == KG_EVENT_ERROR)
        printf("     event: error %s %d\n", kg_err_name(ev->err), (int)ev->platform_code);
    fflush(stdout);
}

static kg_tokens_t saved;
static unsigned save_count;

static kg_err_t ram_load(void *ctx, kg_tokens_t *out)
{
    (void)ctx;
    if (save_count == 0) return KG_ERR_NOT_FOUND;
    *out = saved;
    return KG_OK;
}

static kg_err_t ram_save(void *ctx, const kg_tokens_t *tokens)
{
    (void)ctx;
    saved = *tokens;
    save_count++;
    return KG_OK;
}

static const kg_token_store_t ram_store = {NULL, ram_load, ram_save};
static uint8_t ca_buf[CA_MAX + 1];
static kg_session_t session;

static bool load_ca(size_t *len)
{
    FILE *f = fopen(args.ca_file, "rb");
    if (!f) return false;
    size_t n = fread(ca_buf, 1, CA_MAX, f);
    fclose(f);
    ca_buf[n] = 0;
    *len = n + 1; /* PEM: mbedTLS wants the NUL counted */
    return n > 0;
}

static kg_err_t session_up(void)
{
    size_t ca_len = 0;
    if (!load_ca(&ca_len)) return KG_ERR_TLS_CA;
    kg_err_t err = kg_tls_pool_init();
    if (err != KG_OK) return err;
    const kg_session_config_t cfg = {
        .host = args.server_name,
        .port = args.port,
        .appid = "kgtest",
        .mode = KG_MODE_BROKER,
        .ca = ca_buf,
        .ca_len = ca_len,
        .on_event = on_event,
        .store = &ram_store,
        .poll_interval_ms = 300,
        .qr_renewals = 0,
        .timeout_ms = 10000,
    };
    return kg_session_init(&session, &cfg, &port);
}

static void check_login(void)
{
    uint64_t t0 = host_now_ms(NULL);
    kg_err_t err = kg_login(&session, 60000);
    uint64_t took = host_now_ms(NULL) - t0;
    check(err == KG_OK, "kg_login: %s in %llu ms (last_err %s)", kg_err_name(err),
          (unsigned long long)took, kg_err_name(session.last_err));
    check(session.logged_in && strcmp(session.tokens.openid, "OPENID_USER1") == 0,
          "logged in as %s", session.tokens.openid);
    check(events[KG_EVENT_QR_READY] == 1 && events[KG_EVENT_QR_SCANNED] == 1 &&
              events[KG_EVENT_QR_CONFIRMED] == 1 && events[KG_EVENT_LOGGED_IN] == 1 &&
              events[KG_EVENT_ERROR] == 0,
          "events: qr_ready %u scanned %u confirmed %u logged_in %u error %u",
          events[KG_EVENT_QR_READY], events[KG_EVENT_QR_SCANNED], events[KG_EVENT_QR_CONFIRMED],
          events[KG_EVENT_LOGGED_IN], events[KG_EVENT_ERROR]);
    check(session.polls == 3, "QR status polls: %u (3 expected)", (unsigned)session.polls);
    check(save_count >= 2 && saved.access_token[0] != '\0',
          "tokens saved %u times, the user token among them", save_count);
}

static void check_call(void)
{
    static kg_call_reply_t reply;
    kg_err_t err = kg_call(&session, "/api/v2/user/echo", "{\"via\":\"lwip\"}", &reply);
    bool echoed = reply.body && strstr(reply.body, "lwip") && strstr(reply.body, "OPENID_USER1");
    check(err == KG_OK && reply.http_status == 200 && echoed, "kg_call: %s, HTTP %d, %.*s",
          kg_err_name(err), reply.http_status, (int)(reply.body ? reply.body_len : 0),
          reply.body ? reply.body : "");
    check(session.tls.handshakes_full >= 1, "TLS handshakes: %u full, %u resumed",
          (unsigned)session.tls.handshakes_full, (unsigned)session.tls.handshakes_resumed);
}

/* ---- main ------------------------------------------------------------------------ */

static const char **arg_slot(const char *name)
{
    static const struct {
        const char *name;
        const char **slot;
    } opts[] = {
        {"--tap", &args.tap},
        {"--lwip-ip", &args.lwip_ip},
        {"--gateway", &args.gateway},
        {"--server-name", &args.server_name},
        {"--server-ip", &args.server_ip},
        {"--absent-ip", &args.absent_ip},
        {"--ca", &args.ca_file},
        {"--lwip-ip6", &args.lwip_ip6},
        {"--server-ip6", &args.server_ip6},
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(name, opts[i].name) == 0) return opts[i].slot;
    return NULL;
}

static bool parse_args(int argc, char **argv)
{
    args.absent_ip = "192.0.2.99";
    for (int i = 1; i < argc; i++) {
        const char **slot = arg_slot(argv[i]);
        if (strcmp(argv[i], "-v") == 0)
            args.verbose = true;
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            args.port = (uint16_t)atoi(argv[++i]);
        else if (strcmp(argv[i], "--port6") == 0 && i + 1 < argc)
            args.port6 = (uint16_t)atoi(argv[++i]);
        else if (slot && i + 1 < argc)
            *slot = argv[++i];
        else
            return false;
    }
    return args.tap && args.lwip_ip && args.gateway && args.server_name && args.server_ip &&
           args.ca_file && args.port;
}

int main(int argc, char **argv)
{
    if (!parse_args(argc, argv)) {
        fputs("usage: lwip_login --tap IF --lwip-ip A --gateway A --server-name N "
              "--server-ip A --port P --ca FILE [--absent-ip A] [--lwip-ip6 A --server-ip6 A "
              "--port6 P] "
              "[-v]\n",
              stderr);
        return 2;
    }
    printf("     lwIP %s on %s as %s; server %s = %s:%u\n", LWIP_VERSION_STRING, args.tap,
           args.lwip_ip, args.server_name, args.server_ip, (unsigned)args.port);
    hosts[0].name = args.server_name;
    hosts[0].ip = args.server_ip;
    check(kg_port_lwip_init(&port, &lwip_port) == KG_OK, "kg_port_lwip_init");
    bool up = stack_up();
    check(up, "lwIP up on tap %s", args.tap);
    if (!up) return 1;
    check_connect_errors();
    check_recv();
    kg_err_t err = session_up();
    check(err == KG_OK, "kg_session_init: %s", kg_err_name(err));
    if (err == KG_OK) {
        check_login();
        check_call();
    }
    kg_session_free(&session);
    host_sleep_ms(NULL, 100); /* let the FIN leave before the tap goes */
    tap_netif_stop(&tap);
    printf("     frames: %lu in, %lu out\n", atomic_load(&tap.frames_in),
           atomic_load(&tap.frames_out));
    printf("%s: %d check(s) failed\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
