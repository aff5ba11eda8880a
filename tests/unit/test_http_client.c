/*
 * test_http_client.c - the client over a scripted in-memory transport.
 *
 * The double plays a server: each recv() serves the next scripted event
 * (reply bytes, a close, a reset, a stall), at most max_chunk bytes at a
 * time, and advances a fake clock that the client reads through its port.
 * Everything the client sends is recorded and compared byte for byte.
 */
#include "kg_http.h"
#include "kg_test.h"
#include "test_http_reply.h"

typedef enum { EV_DATA, EV_CLOSED, EV_IO, EV_STALL } ev_kind_t;

typedef struct {
    ev_kind_t kind;
    const char *data; /* EV_DATA */
    uint32_t ms;      /* the clock advances this much on each recv serving the event */
} ev_t;

typedef struct {
    uint64_t now;
    bool open;
    int opens, closes, sends, misuse;
    kg_err_t open_errs[4]; /* result of the n-th open (KG_OK when unset) */
    kg_err_t send_errs[8]; /* result of the n-th send */
    const ev_t *script;
    size_t n_ev, ev, ev_off;
    size_t max_chunk;
    uint32_t open_timeouts[4], recv_timeouts[64];
    int recvs;
    char sent[8192];
    size_t sent_len;
} fake_t;

static fake_t fake;

static uint64_t fake_now(void *ctx)
{
    return ((fake_t *)ctx)->now;
}

static kg_err_t fake_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    fake_t *f = ctx;
    if (f->open || strcmp(host, "api.kg.qq.com") != 0 || port != 443) f->misuse++;
    if (f->opens < 4) f->open_timeouts[f->opens] = timeout_ms;
    kg_err_t err = f->opens < 4 ? f->open_errs[f->opens] : KG_OK;
    f->opens++;
    f->open = err == KG_OK;
    return err;
}

static kg_err_t fake_send(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    fake_t *f = ctx;
    (void)timeout_ms;
    if (!f->open) f->misuse++;
    kg_err_t err = f->sends < 8 ? f->send_errs[f->sends] : KG_OK;
    f->sends++;
    if (err != KG_OK) return err;
    if (len > sizeof(f->sent) - f->sent_len) return KG_ERR_IO;
    memcpy(f->sent + f->sent_len, buf, len);
    f->sent_len += len;
    return KG_OK;
}

static kg_err_t fake_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    fake_t *f = ctx;
    if (!f->open || cap == 0) f->misuse++;
    if (f->recvs < 64) f->recv_timeouts[f->recvs] = timeout_ms;
    f->recvs++;
    if (f->ev == f->n_ev) { /* nothing more scripted: wait out the timeout */
        f->now += timeout_ms;
        return KG_ERR_TIMEOUT;
    }
    const ev_t *e = &f->script[f->ev];
    f->now += e->ms;
    if (e->kind != EV_DATA) {
        f->ev++;
        if (e->kind == EV_STALL) f->now += timeout_ms;
        return e->kind == EV_STALL    ? KG_ERR_TIMEOUT
               : e->kind == EV_CLOSED ? KG_ERR_CLOSED
                                      : KG_ERR_IO;
    }
    size_t left = strlen(e->data) - f->ev_off;
    size_t k = left < cap ? left : cap;
    if (f->max_chunk && k > f->max_chunk) k = f->max_chunk;
    memcpy(buf, e->data + f->ev_off, k);
    f->ev_off += k;
    if (f->ev_off == strlen(e->data)) {
        f->ev++;
        f->ev_off = 0;
    }
    *got = k;
    return KG_OK;
}

static void fake_close(void *ctx)
{
    fake_t *f = ctx;
    if (f->open) f->closes++;
    f->open = false;
}

static const kg_port_t port = {.ctx = &fake, .now_ms = fake_now};
static const kg_transport_t transport = {&fake, fake_open, fake_send, fake_recv, fake_close};

static char tx[CONFIG_KGIOT_HTTP_TX_BUF], rx[CONFIG_KGIOT_HTTP_RX_BUF];
static kg_http_client_t client;

static void setup(const ev_t *script, size_t n_ev)
{
    memset(&fake, 0, sizeof(fake));
    fake.now = 1000000;
    fake.script = script;
    fake.n_ev = n_ev;
    kg_http_client_init(&client, &port, &transport, "api.kg.qq.com", 443, tx, sizeof(tx), rx,
                        sizeof(rx));
}

#define SETUP(script) setup(script, sizeof(script) / sizeof(script[0]))

#define BODY1 "{\"appid\":\"x\"}"
static const kg_http_request_t req1 = {.method = "POST",
                                       .host = "api.kg.qq.com",
                                       .path = "/test/oauth/v2/access_token",
                                       .content_type = "application/json",
                                       .body = (const uint8_t *)BODY1,
                                       .body_len = sizeof(BODY1) - 1};
static const char req1_bytes[] = "POST /test/oauth/v2/access_token HTTP/1.1\r\n"
                                 "Host: api.kg.qq.com\r\n"
                                 "User-Agent: " CONFIG_KGIOT_USER_AGENT "\r\n"
                                 "Connection: keep-alive\r\n"
                                 "Content-Type: application/json\r\n"
                                 "Content-Length: 13\r\n"
                                 "\r\n" BODY1;
#define REQ1_LEN (sizeof(req1_bytes) - 1)

static const kg_http_request_t req2 = {.method = "GET", .path = "/ping"}; /* host from client */
static const char req2_bytes[] = "GET /ping HTTP/1.1\r\n"
                                 "Host: api.kg.qq.com\r\n"
                                 "User-Agent: " CONFIG_KGIOT_USER_AGENT "\r\n"
                                 "Connection: keep-alive\r\n"
                                 "\r\n";
#define REQ2_LEN (sizeof(req2_bytes) - 1)

#define REPLY_OK    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
#define REPLY_CLOSE "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye"

/* The client's last reply has status 200 and body want. */
static bool reply_is(const kg_http_resp_t *r, const char *want)
{
    size_t n;
    char *body = kg_http_resp_body((kg_http_resp_t *)r, &n);
    return r->done && r->status == 200 && n == strlen(want) && memcmp(body, want, n) == 0;
}

/* The bytes sent so far are exactly the concatenation of the given requests. */
static bool sent_is(const char *a, size_t alen, const char *b, size_t blen, const char *c,
                    size_t clen)
{
    return fake.sent_len == alen + blen + clen && memcmp(fake.sent, a, alen) == 0 &&
           memcmp(fake.sent + alen, b, blen) == 0 && memcmp(fake.sent + alen + blen, c, clen) == 0;
}

static void test_two_requests_one_connection(void)
{
    static const ev_t script[] = {{EV_DATA, REPLY_OK, 0}, {EV_DATA, TOKEN_REPLY, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req1, 5000, &resp), KG_OK);
    KG_CHECK(resp == &client.resp && reply_is(resp, "ok"));
    KG_CHECK(client.connected);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK(reply_is(resp, TOKEN_BODY));
    KG_CHECK_EQ(client.connects, 1);
    KG_CHECK_EQ(fake.opens, 1);
    KG_CHECK_EQ(fake.closes, 0);
    KG_CHECK_EQ(client.requests, 2);
    KG_CHECK(sent_is(req1_bytes, REQ1_LEN, req2_bytes, REQ2_LEN, "", 0));
    KG_CHECK_EQ(client.bytes_sent, REQ1_LEN + REQ2_LEN);
    KG_CHECK_EQ(client.bytes_received, strlen(REPLY_OK) + strlen(TOKEN_REPLY));
    KG_CHECK_EQ(fake.misuse, 0);
}

static void test_server_closed_idle_connection_retried(void)
{
    static const ev_t script[] = {
        {EV_DATA, REPLY_OK, 0}, {EV_CLOSED, NULL, 0}, {EV_DATA, REPLY_OK, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req1, 5000, &resp), KG_OK);
    KG_CHECK_ERR(kg_http_client_request(&client, &req1, 5000, &resp), KG_OK);
    KG_CHECK(reply_is(resp, "ok"));
    KG_CHECK_EQ(client.connects, 2);
    KG_CHECK_EQ(fake.sends, 3); /* the second request went out twice */
    KG_CHECK(sent_is(req1_bytes, REQ1_LEN, req1_bytes, REQ1_LEN, req1_bytes, REQ1_LEN));
    KG_CHECK_EQ(client.requests, 2);
    KG_CHECK(client.connected);
    KG_CHECK_EQ(fake.misuse, 0);
}

static void test_reset_on_reused_connection_retried(void)
{
    static const ev_t script[] = {{EV_DATA, REPLY_OK, 0}, {EV_IO, NULL, 0}, {EV_DATA, REPLY_OK, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK_EQ(client.connects, 2);
    KG_CHECK(sent_is(req2_bytes, REQ2_LEN, req2_bytes, REQ2_LEN, req2_bytes, REQ2_LEN));
    KG_CHECK_EQ(fake.misuse, 0);
}

static void test_send_failure_on_reused_connection_retried(void)
{
    static const ev_t script[] = {{EV_DATA, REPLY_OK, 0}, {EV_DATA, REPLY_OK, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    fake.send_errs[1] = KG_ERR_CLOSED;
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK_ERR(kg_http_client_request(&client, &req1, 5000, &resp), KG_OK);
    KG_CHECK(reply_is(resp, "ok"));
    KG_CHECK_EQ(client.connects, 2);
    KG_CHECK_EQ(fake.sends, 3);
    KG_CHECK(sent_is(req2_bytes, REQ2_LEN, req1_bytes, REQ1_LEN, "", 0));
    KG_CHECK_EQ(client.bytes_sent, REQ2_LEN + REQ1_LEN);
    KG_CHECK_EQ(fake.misuse, 0);
}

static void test_retry_happens_only_once(void)
{
    static const ev_t script[] = {
        {EV_DATA, REPLY_OK, 0}, {EV_CLOSED, NULL, 0}, {EV_CLOSED, NULL, 0}, {EV_DATA, REPLY_OK, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_ERR_CLOSED);
    KG_CHECK_EQ(client.connects, 2);
    KG_CHECK_EQ(fake.sends, 3);
    KG_CHECK(!client.connected && !fake.open);
}

static void test_fresh_connection_failure_not_retried(void)
{
    static const ev_t closed[] = {{EV_CLOSED, NULL, 0}, {EV_DATA, REPLY_OK, 0}};
    static const ev_t reset[] = {{EV_IO, NULL, 0}, {EV_DATA, REPLY_OK, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(closed);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_ERR_CLOSED);
    KG_CHECK_EQ(fake.opens, 1);
    KG_CHECK_EQ(fake.sends, 1);
    KG_CHECK(!client.connected && !fake.open);
    SETUP(reset);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_ERR_IO);
    KG_CHECK_EQ(fake.opens, 1);
    KG_CHECK_EQ(fake.sends, 1);
    SETUP(reset);
    fake.send_errs[0] = KG_ERR_IO;
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_ERR_IO);
    KG_CHECK_EQ(fake.opens, 1);
    KG_CHECK_EQ(fake.sends, 1);
    SETUP(reset);
    fake.open_errs[0] = KG_ERR_DNS;
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_ERR_DNS);
    KG_CHECK_EQ(fake.opens, 1);
    KG_CHECK_EQ(fake.sends, 0);
    KG_CHECK_EQ(client.connects, 0);
}

static void test_failure_after_reply_began_not_retried(void)
{
    static const ev_t script[] = {
        {EV_DATA, REPLY_OK, 0}, {EV_DATA, "HTTP/1.1 200 OK\r\nCont", 0}, {EV_CLOSED, NULL, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_ERR_CLOSED);
    KG_CHECK_EQ(fake.opens, 1);
    KG_CHECK_EQ(fake.sends, 2);
    KG_CHECK(!client.connected && !fake.open);
}

static void test_connection_close_reply_reconnects(void)
{
    static const ev_t script[] = {{EV_DATA, REPLY_CLOSE, 0}, {EV_DATA, REPLY_OK, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req1, 5000, &resp), KG_OK);
    KG_CHECK(reply_is(resp, "bye") && !resp->keep_alive);
    KG_CHECK(!client.connected && !fake.open && fake.closes == 1);
    KG_CHECK_ERR(kg_http_client_request(&client, &req1, 5000, &resp), KG_OK);
    KG_CHECK(reply_is(resp, "ok"));
    KG_CHECK_EQ(client.connects, 2);
    KG_CHECK_EQ(fake.sends, 2);
    KG_CHECK_EQ(fake.misuse, 0);
}

static void test_close_delimited_reply(void)
{
    static const ev_t script[] = {{EV_DATA, "HTTP/1.0 200 OK\r\n\r\nuntil close", 0},
                                  {EV_CLOSED, NULL, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK(reply_is(resp, "until close"));
    KG_CHECK(!client.connected && !fake.open);
}

static void test_stalled_server_times_out(void)
{
    static const ev_t script[] = {{EV_DATA, "HTTP/1.1 200 OK\r\n", 250}, {EV_STALL, NULL, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_ERR_TIMEOUT);
    KG_CHECK_EQ(fake.recv_timeouts[0], 5000);
    KG_CHECK_EQ(fake.recv_timeouts[1], 4750); /* what is left of the one deadline */
    KG_CHECK(!client.connected && !fake.open);
    KG_CHECK_EQ(fake.misuse, 0);
}

static void test_trickling_reply_hits_overall_deadline(void)
{
    static const ev_t script[] = {{EV_DATA, REPLY_OK, 400}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    fake.max_chunk = 5; /* each recv brings 5 bytes and takes 400 ms */
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 1000, &resp), KG_ERR_TIMEOUT);
    KG_CHECK_EQ(fake.recvs, 3);
    KG_CHECK_EQ(fake.recv_timeouts[0], 1000);
    KG_CHECK_EQ(fake.recv_timeouts[1], 600);
    KG_CHECK_EQ(fake.recv_timeouts[2], 200);
    KG_CHECK(!client.connected && !fake.open);
}

static void test_connect_timeout_is_capped(void)
{
    static const ev_t script[] = {{EV_DATA, REPLY_CLOSE, 0}, {EV_DATA, REPLY_CLOSE, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 600000, &resp), KG_OK);
    KG_CHECK_EQ(fake.open_timeouts[0], CONFIG_KGIOT_CONNECT_TIMEOUT_MS);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 77, &resp), KG_OK);
    KG_CHECK_EQ(fake.open_timeouts[1], 77);
}

static void test_reply_in_odd_chunks(void)
{
    static const ev_t script[] = {{EV_DATA, TOKEN_REPLY, 0}};
    static const size_t chunks[] = {1, 2, 3, 7, 13, 61, 97, 559};
    kg_http_resp_t *resp = NULL;
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        SETUP(script);
        fake.max_chunk = chunks[i];
        KG_CHECK_ERR(kg_http_client_request(&client, &req1, 5000, &resp), KG_OK);
        KG_CHECK(reply_is(resp, TOKEN_BODY));
        KG_CHECK(client.connected);
        KG_CHECK_EQ(client.bytes_received, strlen(TOKEN_REPLY));
    }
}

static void test_parse_error_closes_connection(void)
{
    static const ev_t script[] = {{EV_DATA, "HTTP/1.1 2x0 OK\r\n\r\n", 0}, {EV_DATA, REPLY_OK, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_ERR_HTTP_SYNTAX);
    KG_CHECK(!client.connected && !fake.open);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK_EQ(client.connects, 2);
}

/* The head streams through a 64-byte buffer; the body cannot. */
static void test_reply_too_large_for_rx_buffer(void)
{
    static char small_rx[64];
    static const ev_t script[] = {{EV_DATA, TOKEN_REPLY, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    client.rx = small_rx;
    client.rx_cap = sizeof(small_rx);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_ERR_HTTP_BODY_TOO_LARGE);
    KG_CHECK(!client.connected && !fake.open);
    KG_CHECK_EQ(fake.misuse, 0);
}

#define COOKIE_4K "Set-Cookie: gw=" KB_ KB_ KB_ KB_ "; Path=/\r\n"
#define KB_                                                                                        \
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"   \
    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123"   \
    "456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"   \
    "ef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"   \
    "89abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01"   \
    "23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"   \
    "cdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345"   \
    "6789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"   \
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"   \
    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123"   \
    "456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"   \
    "ef0123456789abcdef0123"

/* A gateway's 12 KB of cookies around the reference reply: the client
 * keeps the header it was asked to (Date), the body arrives whole in the
 * default receive buffer, and the connection stays reusable. */
static void test_gateway_headers_stream_through(void)
{
    static const ev_t script[] = {
        {EV_DATA, "HTTP/1.1 200 OK\r\n" COOKIE_4K COOKIE_4K, 0},
        {EV_DATA, COOKIE_4K TOKEN_REPLY_FIELDS "80\r\n" TOKEN_BODY_PART1 "\r\n", 0},
        {EV_DATA, "d5\r\n" TOKEN_BODY_PART2 "\r\n0\r\n\r\n", 0}};
    static const char *const keep[] = {"Date", NULL};
    kg_http_resp_t *resp = NULL;
    size_t n = 0;
    SETUP(script);
    client.keep = keep;
    fake.max_chunk = 1460;
    KG_CHECK(sizeof(COOKIE_4K) > 4000 && sizeof(rx) < 3 * sizeof(COOKIE_4K));
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK(resp->done && resp->status == 200 && client.connected);
    KG_CHECK_STR(kg_http_resp_body(resp, &n), TOKEN_BODY);
    const char *v = kg_http_resp_header(resp, "Date", &n);
    KG_CHECK(v && n == 29 && memcmp(v, "Fri, 27 Nov 2026 11:00:00 GMT", n) == 0);
    KG_CHECK(kg_http_resp_header(resp, "Set-Cookie", &n) == NULL);
}

static void test_request_too_large_sends_nothing(void)
{
    static char small_tx[40];
    static const ev_t script[] = {{EV_DATA, REPLY_OK, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    client.tx = small_tx;
    client.tx_cap = sizeof(small_tx);
    KG_CHECK_ERR(kg_http_client_request(&client, &req1, 5000, &resp), KG_ERR_NO_SPACE);
    KG_CHECK_EQ(fake.opens, 0);
    KG_CHECK_EQ(fake.sends, 0);
}

static void test_head_request_has_no_body(void)
{
    static const ev_t script[] = {{EV_DATA, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", 0},
                                  {EV_DATA, REPLY_OK, 0}};
    static const kg_http_request_t head = {.method = "HEAD", .path = "/"};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &head, 5000, &resp), KG_OK);
    KG_CHECK(reply_is(resp, "") && resp->keep_alive && resp->content_length == 500);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK(reply_is(resp, "ok"));
    KG_CHECK_EQ(client.connects, 1);
}

static void test_explicit_close(void)
{
    static const ev_t script[] = {{EV_DATA, REPLY_OK, 0}, {EV_DATA, REPLY_OK, 0}};
    kg_http_resp_t *resp = NULL;
    SETUP(script);
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    kg_http_client_close(&client);
    KG_CHECK(!client.connected && !fake.open);
    kg_http_client_close(&client); /* twice is harmless */
    KG_CHECK_ERR(kg_http_client_request(&client, &req2, 5000, &resp), KG_OK);
    KG_CHECK_EQ(client.connects, 2);
    KG_CHECK_EQ(fake.misuse, 0);
}

int main(void)
{
    KG_RUN(test_two_requests_one_connection);
    KG_RUN(test_server_closed_idle_connection_retried);
    KG_RUN(test_reset_on_reused_connection_retried);
    KG_RUN(test_send_failure_on_reused_connection_retried);
    KG_RUN(test_retry_happens_only_once);
    KG_RUN(test_fresh_connection_failure_not_retried);
    KG_RUN(test_failure_after_reply_began_not_retried);
    KG_RUN(test_connection_close_reply_reconnects);
    KG_RUN(test_close_delimited_reply);
    KG_RUN(test_stalled_server_times_out);
    KG_RUN(test_trickling_reply_hits_overall_deadline);
    KG_RUN(test_connect_timeout_is_capped);
    KG_RUN(test_reply_in_odd_chunks);
    KG_RUN(test_parse_error_closes_connection);
    KG_RUN(test_reply_too_large_for_rx_buffer);
    KG_RUN(test_gateway_headers_stream_through);
    KG_RUN(test_request_too_large_sends_nothing);
    KG_RUN(test_head_request_has_no_body);
    KG_RUN(test_explicit_close);
    return kg_test_summary();
}
