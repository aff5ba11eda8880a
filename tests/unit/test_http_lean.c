/*
 * test_http_lean.c - the response parser as a build with chunked decoding,
 * 1xx skipping and header lookup left out has it (tests/unit/http_lean/
 * kg_config.h; the parser is compiled into this test). A reply that needs a
 * left-out feature is KG_ERR_HTTP_UNSUPPORTED, found as soon as its status
 * line or Transfer-Encoding header arrives, whatever the split; every other
 * reply parses as in the full build, and no header takes buffer room.
 */
#include <stdlib.h>

#include "kg_http_response.c"
#include "kg_test.h"
#include "test_http_reply.h"

_Static_assert(!KG_HTTP_CHUNKED && !KG_HTTP_INTERIM && !KG_HTTP_HEADER_LOOKUP,
               "built with the features off");

#define CAP 1024

typedef struct {
    const char *name;
    const char *reply;
    bool eof;         /* the peer closes after the last byte */
    kg_err_t err;     /* of the feeds (or of the eof) */
    size_t err_at;    /* KG_ERR_HTTP_UNSUPPORTED: the reply's bytes needed to know */
    const char *body; /* when err is KG_OK */
    bool keep_alive;
} lean_case_t;

static const lean_case_t cases[] = {
    {.name = "the reference reply (chunked)",
     .reply = TOKEN_REPLY,
     .err = KG_ERR_HTTP_UNSUPPORTED,
     .err_at = sizeof("HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Fri, 27 Nov 2026 11:00:00 GMT\r\n"
                      "Content-Type: application/json; charset=utf-8\r\n"
                      "Transfer-Encoding: chunked\r\n") -
               1},
    {.name = "chunked after Content-Length",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
              "5\r\nhello\r\n0\r\n\r\n",
     .err = KG_ERR_HTTP_UNSUPPORTED,
     .err_at =
         sizeof("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n") - 1},
    {.name = "a coding other than chunked stays a syntax error",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "100 Continue before the reply",
     .reply = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
     .err = KG_ERR_HTTP_UNSUPPORTED,
     .err_at = sizeof("HTTP/1.1 100 Continue\r\n") - 1},
    {.name = "103 Early Hints",
     .reply = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
     .err = KG_ERR_HTTP_UNSUPPORTED,
     .err_at = sizeof("HTTP/1.1 103 Early Hints\r\n") - 1},
    {.name = "Content-Length, with headers a full build would keep",
     .reply = "HTTP/1.1 200 OK\r\nDate: Fri, 27 Nov 2026 11:00:00 GMT\r\nRetry-After: 5\r\n"
              "Content-Length: "
              "23"
              "\r\n\r\n{\"error_code\":0,\"a\":12}",
     .body = "{\"error_code\":0,\"a\":12}",
     .keep_alive = true},
    {.name = "HTTP/1.0, delimited by the close",
     .reply = "HTTP/1.0 200 OK\r\nDate: Fri, 27 Nov 2026 11:00:00 GMT\r\n\r\n{}",
     .eof = true,
     .body = "{}"},
    {.name = "204, no body",
     .reply = "HTTP/1.1 204 No Content\r\n\r\n",
     .body = "",
     .keep_alive = true},
};

static const char *const kept[] = {"Date", "Retry-After", NULL};

typedef struct {
    kg_err_t err;
    size_t fed;   /* bytes fed when the error came */
    size_t piece; /* where the last piece fed began */
    char body[CAP];
    size_t body_len;
    bool keep_alive;
    bool no_header; /* kg_http_resp_header() found nothing, and no header took room */
} outcome_t;

/* Feed c->reply in pieces of step bytes (0: two pieces, cut at cut). */
static void parse(const lean_case_t *c, size_t step, size_t cut, outcome_t *o)
{
    size_t len = strlen(c->reply), off = 0, n = 0;
    char *buf = malloc(CAP); /* exactly CAP, so the sanitizers see any overrun */
    kg_http_resp_t r;
    memset(o, 0, sizeof(*o));
    kg_http_resp_init(&r, buf, CAP, false);
    kg_http_resp_keep(&r, kept);
    while (o->err == KG_OK && off < len) {
        n = step ? step : (off < cut ? cut : len - off);
        if (n > len - off) n = len - off;
        memcpy(kg_http_resp_space(&r, &(size_t){0}), c->reply + off, n);
        o->err = kg_http_resp_feed(&r, n);
        o->piece = off;
        off += n;
    }
    o->fed = off;
    if (o->err == KG_OK && c->eof) o->err = kg_http_resp_eof(&r);
    if (o->err == KG_OK) {
        char *body = kg_http_resp_body(&r, &o->body_len);
        memcpy(o->body, body, o->body_len);
        o->keep_alive = r.keep_alive && r.done;
        o->no_header = r.head_len == 0 && kg_http_resp_header(&r, "Date", &n) == NULL;
    }
    free(buf);
}

static void check_outcome(const lean_case_t *c, const outcome_t *o, size_t step, size_t cut)
{
    bool ok = o->err == c->err;
    if (c->err == KG_ERR_HTTP_UNSUPPORTED) /* found within the piece that completed it */
        ok = ok && o->piece < c->err_at && o->fed >= c->err_at;
    if (c->err == KG_OK)
        ok = ok && o->body_len == strlen(c->body) && memcmp(o->body, c->body, o->body_len) == 0 &&
             o->keep_alive == c->keep_alive && o->no_header;
    if (!ok)
        printf("  %s: step %zu cut %zu: %s after %zu bytes\n", c->name, step, cut,
               kg_err_name(o->err), o->fed);
    KG_CHECK(ok);
}

/* Every case whole, a byte at a time, and in two pieces cut at every offset. */
static void test_every_split(void)
{
    outcome_t o;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const lean_case_t *c = &cases[i];
        size_t len = strlen(c->reply);
        parse(c, len, 0, &o);
        check_outcome(c, &o, len, 0);
        parse(c, 1, 0, &o);
        check_outcome(c, &o, 1, 0);
        for (size_t cut = 1; cut < len; cut++) {
            parse(c, 0, cut, &o);
            check_outcome(c, &o, 0, cut);
        }
    }
}

int main(void)
{
    KG_RUN(test_every_split);
    return kg_test_summary();
}
