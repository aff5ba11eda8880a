/* kg_tcp.c - kg_transport_t over the port's sockets: loops partial sends. */
#include "kg_tcp.h"

static kg_err_t tcp_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    kg_tcp_t *t = ctx;
    if (t->open) return KG_ERR_STATE;
    kg_err_t err = t->port->sock_connect(t->port->ctx, &t->sock, host, port, timeout_ms);
    t->open = (err == KG_OK);
    return err;
}

static kg_err_t tcp_send(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    kg_tcp_t *t = ctx;
    if (!t->open) return KG_ERR_STATE;
    while (len > 0) {
        size_t sent = 0;
        kg_err_t err = t->port->sock_send(t->port->ctx, t->sock, buf, len, &sent, timeout_ms);
        if (err != KG_OK) return err;
        buf += sent;
        len -= sent;
    }
    return KG_OK;
}

static kg_err_t tcp_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    kg_tcp_t *t = ctx;
    if (!t->open) return KG_ERR_STATE;
    return t->port->sock_recv(t->port->ctx, t->sock, buf, cap, got, timeout_ms);
}

static void tcp_close(void *ctx)
{
    kg_tcp_t *t = ctx;
    if (t->open) t->port->sock_close(t->port->ctx, t->sock);
    t->open = false;
    t->sock = KG_SOCK_INVALID;
}

void kg_tcp_init(kg_tcp_t *t, const kg_port_t *port, kg_transport_t *tr)
{
    t->port = port;
    t->sock = KG_SOCK_INVALID;
    t->open = false;
    tr->ctx = t;
    tr->open = tcp_open;
    tr->send = tcp_send;
    tr->recv = tcp_recv;
    tr->close = tcp_close;
}
