/* peer_stack.c - see peer_stack.h. */
#include "peer_stack.h"

#include <stdbool.h>

#include "board.h"

/* The TLS server's handshake (ECDSA signing, ECDHE) plus the scripted
 * platform's snprintf calls fit with room to spare. */
static uint64_t peer_stack[32768 / sizeof(uint64_t)];
static bool on_peer_stack;

typedef struct {
    const kg_transport_t *inner;
    enum { OP_OPEN, OP_SEND, OP_RECV, OP_CLOSE } op;
    const char *host;
    uint16_t port;
    const uint8_t *out;
    uint8_t *in;
    size_t len;
    size_t *got;
    uint32_t timeout_ms;
    kg_err_t err;
} call_t;

static void run(void *arg)
{
    call_t *c = arg;
    const kg_transport_t *t = c->inner;
    switch (c->op) {
    case OP_OPEN: c->err = t->open(t->ctx, c->host, c->port, c->timeout_ms); break;
    case OP_SEND: c->err = t->send(t->ctx, c->out, c->len, c->timeout_ms); break;
    case OP_RECV: c->err = t->recv(t->ctx, c->in, c->len, c->got, c->timeout_ms); break;
    case OP_CLOSE: t->close(t->ctx); break;
    }
}

/* A call made from the peer itself stays where it is: switching again would
 * restart the peer stack under the live frames. */
static kg_err_t forward(call_t *c)
{
    if (on_peer_stack) {
        run(c);
        return c->err;
    }
    on_peer_stack = true;
    board_call_on_stack(run, c, peer_stack, sizeof peer_stack);
    on_peer_stack = false;
    return c->err;
}

static kg_err_t w_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    call_t c = {.inner = ctx, .op = OP_OPEN, .host = host, .port = port, .timeout_ms = timeout_ms};
    return forward(&c);
}

static kg_err_t w_send(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    call_t c = {.inner = ctx, .op = OP_SEND, .out = buf, .len = len, .timeout_ms = timeout_ms};
    return forward(&c);
}

static kg_err_t w_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    call_t c = {
        .inner = ctx, .op = OP_RECV, .in = buf, .len = cap, .got = got, .timeout_ms = timeout_ms};
    return forward(&c);
}

static void w_close(void *ctx)
{
    call_t c = {.inner = ctx, .op = OP_CLOSE};
    forward(&c);
}

void peer_stack_wrap(kg_transport_t *out, const kg_transport_t *inner)
{
    out->ctx = (void *)inner;
    out->open = w_open;
    out->send = w_send;
    out->recv = w_recv;
    out->close = w_close;
}
