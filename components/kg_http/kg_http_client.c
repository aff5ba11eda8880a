/*
 * kg_http_client.c - one request/reply exchange over a kg_transport_t, with
 * one overall deadline, connection reuse, and a single retry when a reused
 * connection turns out to be dead (the server closed it while idle).
 */
#include <string.h>

#include "kg_http.h"

void kg_http_client_init(kg_http_client_t *c, const kg_port_t *port,
                         const kg_transport_t *transport, const char *host, uint16_t tcp_port,
                         char *tx, size_t tx_cap, char *rx, size_t rx_cap)
{
    memset(c, 0, sizeof(*c));
    c->port = port;
    c->transport = transport;
    c->host = host;
    c->tcp_port = tcp_port;
    c->tx = tx;
    c->tx_cap = tx_cap;
    c->rx = rx;
    c->rx_cap = rx_cap;
}

void kg_http_client_close(kg_http_client_t *c)
{
    if (!c || !c->transport) return; /* never initialised (zero-filled) */
    c->transport->close(c->transport->ctx);
    c->connected = false;
}

/* Milliseconds left before the deadline, or KG_ERR_TIMEOUT when none are. */
static kg_err_t time_left(const kg_http_client_t *c, uint64_t deadline, uint32_t *left)
{
    uint64_t now = c->port->now_ms(c->port->ctx);
    if (now >= deadline) return KG_ERR_TIMEOUT;
    *left = deadline - now > UINT32_MAX ? UINT32_MAX : (uint32_t)(deadline - now);
    return KG_OK;
}

static kg_err_t connect_and_send(kg_http_client_t *c, size_t len, uint64_t deadline)
{
    const kg_transport_t *t = c->transport;
    uint32_t left = 0;
    kg_err_t err = time_left(c, deadline, &left);
    if (err == KG_OK && !c->connected) {
        err = t->open(t->ctx, c->host, c->tcp_port,
                      left < CONFIG_KGIOT_CONNECT_TIMEOUT_MS ? left
                                                             : CONFIG_KGIOT_CONNECT_TIMEOUT_MS);
        c->connected = err == KG_OK;
        c->connects += c->connected;
        if (err == KG_OK) err = time_left(c, deadline, &left);
    }
    if (err == KG_OK) err = t->send(t->ctx, (const uint8_t *)c->tx, len, left);
    if (err == KG_OK) c->bytes_sent += len;
    return err;
}

/* Receive into the parser until the reply is complete. */
static kg_err_t receive_reply(kg_http_client_t *c, uint64_t deadline)
{
    const kg_transport_t *t = c->transport;
    kg_err_t err = KG_OK;
    while (err == KG_OK && !c->resp.done) {
        size_t space, got = 0;
        uint32_t left = 0;
        char *at = kg_http_resp_space(&c->resp, &space);
        err = space != 0 ? time_left(c, deadline, &left) : kg_http_resp_feed(&c->resp, 0);
        if (err == KG_OK) err = t->recv(t->ctx, (uint8_t *)at, space, &got, left);
        if (err == KG_ERR_CLOSED) return kg_http_resp_eof(&c->resp);
        if (err == KG_OK) {
            c->bytes_received += got;
            err = kg_http_resp_feed(&c->resp, got);
        }
    }
    return err;
}

/* A close or a reset before the first reply byte: the server dropped the
 * connection (an idle one, typically) without processing the request. */
static bool dropped(kg_err_t err)
{
    return err == KG_ERR_CLOSED || err == KG_ERR_IO || err == KG_ERR_TLS_IO;
}

static kg_err_t attempt(kg_http_client_t *c, size_t len, bool no_body, uint64_t deadline)
{
    kg_http_resp_init(&c->resp, c->rx, c->rx_cap, no_body);
    kg_http_resp_keep(&c->resp, c->keep);
    kg_err_t err = connect_and_send(c, len, deadline);
    return err == KG_OK ? receive_reply(c, deadline) : err;
}

kg_err_t kg_http_client_request(kg_http_client_t *c, const kg_http_request_t *req,
                                uint32_t timeout_ms, kg_http_resp_t **resp)
{
    const uint64_t now = c->port->now_ms(c->port->ctx); /* any origin: saturate, never wrap */
    uint64_t deadline = now > UINT64_MAX - timeout_ms ? UINT64_MAX : now + timeout_ms;
    uint64_t received = c->bytes_received;
    kg_http_request_t r = *req;
    size_t len;
    int tries = c->connected ? 2 : 1; /* only a reused connection earns a retry */
    *resp = &c->resp;
    if (r.host == NULL) r.host = c->host;
    kg_err_t err = kg_http_write_request(&r, c->tx, c->tx_cap, &len);
    if (err != KG_OK) return err;
    bool no_body = strcmp(r.method, "HEAD") == 0;
    c->requests++;
    while ((err = attempt(c, len, no_body, deadline)) != KG_OK && --tries > 0 && dropped(err) &&
           c->bytes_received == received)
        kg_http_client_close(c);
    /* After an error the connection's state is unknown. */
    if (err != KG_OK || !c->resp.keep_alive) kg_http_client_close(c);
    return err;
}
