/*
 * test_http_response.c - the incremental response parser.
 *
 * Every reply in the table is parsed whole, one byte at a time, and in two
 * pieces split at every offset; all must give the same outcome (error,
 * status, keep-alive, body bytes, header values). Each parse gets a heap
 * buffer of exactly cap bytes so the sanitizers catch any overrun. Headers
 * not in `kept` are dropped as they stream through, so a header block far
 * larger than the buffer parses.
 */
#include <stdlib.h>
#include <stdint.h>

#include "kg_http.h"
#include "kg_test.h"
#include "test_http_reply.h"

#define LINE_MAX_ CONFIG_KGIOT_HTTP_LINE_MAX
#define HEAD_MAX_ CONFIG_KGIOT_HTTP_HEAD_MAX

typedef struct {
    const char *name;
    const char *reply;
    size_t len; /* 0: strlen(reply) */
    size_t cap; /* 0: 2048 */
    bool no_body;
    bool eof; /* the peer closes after the last byte */
    kg_err_t err;
    int status;
    bool keep_alive;
    bool done;
    const char *body; /* expected decoded body when err is KG_OK */
    const char *date; /* expected Date value when err is KG_OK; NULL: not checked */
    size_t stride;    /* 0: cut at every offset; else at every offset of the first
                         and last EDGE bytes and every stride-th between */
} reply_case_t;

/* The 64 KB cases would take minutes under QEMU if cut everywhere; their
 * middles are one kind of line over and over. */
#define EDGE 2048

/* The headers every parse keeps. */
static const char *const kept[] = {"Content-Type", "x-request-id", "CONTENT-LENGTH", "connection",
                                   "Link",         "X-Trailer",    "Date",           NULL};

/* Header values recorded in every outcome ("-" when absent or not kept). */
static const char *const lookups[] = {"Content-Type", "x-request-id", "CONTENT-LENGTH",
                                      "connection",   "Link",         "X-Trailer",
                                      "Date",         "Server",       "Set-Cookie"};
#define N_LOOKUPS (sizeof(lookups) / sizeof(lookups[0]))
enum { DATE = 6, SERVER = 7 }; /* their places in lookups */

typedef struct {
    kg_err_t err;
    int status;
    bool keep_alive, done, head_done;
    size_t body_len;
    char body[4096];
    char headers[N_LOOKUPS][128];
} outcome_t;

static size_t reply_len(const reply_case_t *c)
{
    return c->len ? c->len : strlen(c->reply);
}

static void record(kg_http_resp_t *r, kg_err_t err, outcome_t *o)
{
    memset(o, 0, sizeof(*o));
    o->err = err;
    if (err != KG_OK) return; /* after an error only the error is defined */
    o->status = r->status;
    o->keep_alive = r->keep_alive;
    o->done = r->done;
    o->head_done = r->head_done;
    char *body = kg_http_resp_body(r, &o->body_len);
    if (o->body_len < sizeof(o->body)) memcpy(o->body, body, o->body_len);
    for (size_t i = 0; i < N_LOOKUPS && r->head_done; i++) {
        size_t n = 0;
        const char *v = kg_http_resp_header(r, lookups[i], &n);
        snprintf(o->headers[i], sizeof(o->headers[i]), "%.*s", v ? (int)n : 1, v ? v : "-");
    }
}

/* Write data[0..len) through kg_http_resp_space/feed, as much as fits each time. */
static kg_err_t feed_piece(kg_http_resp_t *r, const char *data, size_t len)
{
    while (len > 0) {
        size_t space;
        char *at = kg_http_resp_space(r, &space);
        if (space == 0) return kg_http_resp_feed(r, 0);
        size_t k = len < space ? len : space;
        memcpy(at, data, k);
        kg_err_t err = kg_http_resp_feed(r, k);
        if (err != KG_OK) return err;
        data += k;
        len -= k;
    }
    return KG_OK;
}

/* Parse c in pieces of step bytes (step 0: two pieces cut at cut). */
static void parse(const reply_case_t *c, size_t step, size_t cut, outcome_t *o)
{
    size_t len = reply_len(c), cap = c->cap ? c->cap : 2048, off = 0;
    char *buf = malloc(cap);
    kg_http_resp_t r;
    kg_err_t err = KG_OK;
    kg_http_resp_init(&r, buf, cap, c->no_body);
    kg_http_resp_keep(&r, kept);
    while (err == KG_OK && off < len) {
        size_t n = step ? step : (off < cut ? cut : len - off);
        if (n > len - off) n = len - off;
        err = feed_piece(&r, c->reply + off, n);
        off += n;
    }
    if (err == KG_OK && c->eof) err = kg_http_resp_eof(&r);
    record(&r, err, o);
    free(buf);
}

static bool same_outcome(const outcome_t *a, const outcome_t *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

static void check_case(const reply_case_t *c)
{
    static outcome_t whole, part;
    size_t len = reply_len(c);
    parse(c, len, 0, &whole);
    if (whole.err != c->err) {
        fprintf(stderr, "  case %s: got %s, want %s\n", c->name, kg_err_name(whole.err),
                kg_err_name(c->err));
        kg_test_failed_checks++;
        return;
    }
    if (c->err == KG_OK) {
        size_t blen = strlen(c->body);
        KG_CHECK_EQ(whole.status, c->status);
        KG_CHECK_EQ(whole.keep_alive, c->keep_alive);
        KG_CHECK_EQ(whole.done, c->done);
        KG_CHECK_EQ(whole.body_len, blen);
        KG_CHECK(memcmp(whole.body, c->body, blen) == 0);
        if (c->date) KG_CHECK_STR(whole.headers[DATE], c->date);
        KG_CHECK_STR(whole.headers[SERVER], "-"); /* not kept, so not held */
    }
    parse(c, 1, 0, &part);
    if (!same_outcome(&whole, &part)) {
        fprintf(stderr, "  case %s: byte-at-a-time differs (%s)\n", c->name, kg_err_name(part.err));
        kg_test_failed_checks++;
    }
    for (size_t cut = 0; cut <= len; cut++) {
        if (c->stride && cut > EDGE && cut + EDGE < len && cut % c->stride != 0) continue;
        parse(c, 0, cut, &part);
        if (!same_outcome(&whole, &part)) {
            fprintf(stderr, "  case %s: split at %zu differs (%s)\n", c->name, cut,
                    kg_err_name(part.err));
            kg_test_failed_checks++;
            return;
        }
    }
}

/* ---- replies that parse ---- */

/* Built by build_long_inputs(). */
static char long_status[LINE_MAX_ + 64];
static char big_headers[HEAD_MAX_ + 64];
static char over_limit[HEAD_MAX_ + 256];
static char huge_cookies[12 * 1024];
static char many_headers[8 * 1024];

static const reply_case_t good_cases[] = {
    {.name = "reference token reply",
     .reply = TOKEN_REPLY,
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = TOKEN_BODY},
    {.name = "Content-Length",
     .reply = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "hello"},
    {.name = "Content-Length 0, empty reason",
     .reply = "HTTP/1.1 201 \r\nContent-Length:0\r\n\r\n",
     .status = 201,
     .keep_alive = true,
     .done = true,
     .body = ""},
    {.name = "no reason phrase at all",
     .reply = "HTTP/1.1 404\r\nContent-Length: 2\r\n\r\nno",
     .status = 404,
     .keep_alive = true,
     .done = true,
     .body = "no"},
    {.name = "duplicate equal Content-Length",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length:  2 \r\n\r\nok",
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "ok"},
    {.name = "chunked: extensions, trailers, tiny chunks",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
              "1;a=b\r\nh\r\n1 ; x=\"y\"\r\ne\r\n0001\r\nl\r\n1\r\nl\r\n1\r\no\r\n"
              "A\r\n, world!!\n\r\n0;end\r\nX-Trailer: 1\r\nY: 2\r\n\r\n",
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "hello, world!!\n"},
    {.name = "chunked, upper-case hex, bare LF",
     .reply = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nB\nhello world\n0\n\n",
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "hello world"},
    {.name = "100 Continue and 103 Early Hints, then 200",
     .reply = "HTTP/1.1 100 Continue\r\n\r\n"
              "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\nContent-Length: 9\r\n\r\n"
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "ok"},
    {.name = "204 keep-alive",
     .reply = "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n",
     .status = 204,
     .keep_alive = true,
     .done = true,
     .body = ""},
    {.name = "304 with a Content-Length",
     .reply = "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n",
     .status = 304,
     .keep_alive = true,
     .done = true,
     .body = ""},
    {.name = "HTTP/1.0 close-delimited, peer closes",
     .reply = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until close",
     .eof = true,
     .status = 200,
     .keep_alive = false,
     .done = true,
     .body = "body until close"},
    {.name = "HTTP/1.0 close-delimited, still open",
     .reply = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody so far",
     .status = 200,
     .keep_alive = false,
     .done = false,
     .body = "body so far"},
    {.name = "HTTP/1.0 with Connection: keep-alive",
     .reply = "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx",
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "x"},
    {.name = "HTTP/1.1 without length is close-delimited",
     .reply = "HTTP/1.1 200 OK\r\n\r\nabc",
     .eof = true,
     .status = 200,
     .keep_alive = false,
     .done = true,
     .body = "abc"},
    {.name = "HEAD: no body whatever the headers say",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n",
     .no_body = true,
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = ""},
    {.name = "bare LF line ends, Connection: close",
     .reply = "HTTP/1.1 200 OK\nContent-Length: 3\nConnection: close\n\nabc",
     .status = 200,
     .keep_alive = false,
     .done = true,
     .body = "abc"},
    {.name = "Connection token list",
     .reply = "HTTP/1.1 200 OK\r\nConnection: Upgrade ,\tCLOSE\r\nContent-Length: 0\r\n\r\n",
     .status = 200,
     .keep_alive = false,
     .done = true,
     .body = ""},
    {.name = "Connection: closed is not close",
     .reply = "HTTP/1.1 200 OK\r\nConnection: closed, xclose\r\nContent-Length: 0\r\n\r\n",
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = ""},
    {.name = "Content-Length and chunked: chunked wins, no keep-alive",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
              "2\r\nok\r\n0\r\n\r\n",
     .status = 200,
     .keep_alive = false,
     .done = true,
     .body = "ok"},
    {.name = "framing names in any case, no blank after the colon, empty values",
     .reply = "HTTP/1.1 200 OK\r\ncontent-length:2\r\nCONNECTION:\r\nX-A:\r\n\r\nok",
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "ok"},
    {.name = "a chunk size line ending in two CRs",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\r\nok\r\n0\r\n\r\n",
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "ok"},
    {.name = "unknown and look-alike headers ignored",
     .reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Lengthy: 9\r\nX-Connection: close"
              "\r\nContent-Type:text/html\r\nContent-Length: 4\r\n\r\nfail",
     .status = 500,
     .keep_alive = true,
     .done = true,
     .body = "fail"},
    {.name = "a gateway's huge cookies (KBs of headers, a 2 KB buffer)",
     .reply = huge_cookies,
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = TOKEN_BODY,
     .date = "Fri, 27 Nov 2026 11:00:00 GMT"},
    {.name = "many headers",
     .reply = many_headers,
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = TOKEN_BODY,
     .date = "Fri, 27 Nov 2026 11:00:00 GMT"},
    {.name = "a dropped header longer than the buffer",
     .reply = "HTTP/1.1 200 OK\r\nX-Some-Header: 0123456789abcdef0123456789abcdef0123456789\r\n"
              "DATE:  d \r\nContent-Length: 2\r\n\r\nok",
     .cap = 48,
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "ok",
     .date = "d"},
    {.name = "long names dropped, odd lines tolerated",
     .reply = "HTTP/1.1 200 OK\r\nContent-Security-Policy-Report-Only: default-src 'self'\r\n"
              "X-A-Very-Long-Header-Name-Without-Any-Colon\r\nTransfer-Encoding-Is-Not-It: y\r\n"
              ":empty name\r\nX :blank before colon\r\nCONTENT-TYPE:\tt/p\r\n"
              "Content-Length: 2\r\n\r\nok",
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "ok",
     .date = "-"},
    {.name = "body exactly fills the buffer",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n12345678",
     .cap = 26, /* the kept "Content-Length: 8\n" and the body */
     .status = 200,
     .keep_alive = true,
     .done = true,
     .body = "12345678"},
};

/* ---- replies that fail ---- */

#define LONG_HEADER(n) "X-Big: " n "\r\n"

static const reply_case_t bad_cases[] = {
    {.name = "two-digit status", .reply = "HTTP/1.1 20 OK\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "four-digit status", .reply = "HTTP/1.1 2000 OK\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "no space after status", .reply = "HTTP/1.1 200OK\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "status 099", .reply = "HTTP/1.1 099 x\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "status 600", .reply = "HTTP/1.1 600 x\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "not HTTP", .reply = "HTTQ/1.1 200 OK\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "lower-case http", .reply = "http/1.1 200 OK\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "version 2.0", .reply = "HTTP/2.0 200 OK\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "version 1.x", .reply = "HTTP/1.x 200 OK\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "version 1.10", .reply = "HTTP/1.10 200 OK\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "empty line first", .reply = "\r\nHTTP/1.1 200 OK\r\n\r\n", .err = KG_ERR_HTTP_SYNTAX},
    {.name = "bad Content-Length",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "negative Content-Length",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "empty Content-Length",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "empty Content-Length, no blank",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "Content-Length list",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "Content-Length overflow",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "differing Content-Lengths",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "obs-fold",
     .reply = "HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\nContent-Length: 0\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "header without colon",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length 0\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "blank before colon",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "unsupported transfer coding",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "chunked twice",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "bad chunk size",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "empty chunk size",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "junk after chunk size",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "chunk size overflow",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000001\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "missing CRLF after chunk data",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "CR then junk after chunk data",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rX\r\n0\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "status line too long", .reply = long_status, .err = KG_ERR_HTTP_STATUS_LINE_TOO_LONG},
    {.name = "headers too large",
     .reply = big_headers,
     .stride = 61,
     .err = KG_ERR_HTTP_HEADERS_TOO_LARGE},
    {.name = "header block one byte over CONFIG_KGIOT_HTTP_HEAD_MAX, of many lines",
     .reply = over_limit,
     .stride = 61,
     .err = KG_ERR_HTTP_HEADERS_TOO_LARGE},
    {.name = "a kept header larger than the buffer",
     .reply = "HTTP/1.1 200 OK\r\nContent-Type: 0123456789abcdef0123456789\r\n\r\n",
     .cap = 40,
     .err = KG_ERR_HTTP_HEADERS_TOO_LARGE},
    {.name = "a framing header larger than the buffer",
     .reply = "HTTP/1.1 200 OK\r\nConnection: keep-alive, keep-alive, keep-alive\r\n\r\n",
     .cap = 48,
     .err = KG_ERR_HTTP_HEADERS_TOO_LARGE},
    {.name = "a long C name without a colon",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length-Is-Really-Quite-Long 5\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "a long T name with a blank before its colon",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding-Is-Really-Long-Too\t: x\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "a long C name with a blank before its colon, a byte at a time",
     .reply = "HTTP/1.1 200 OK\r\nConnection-But-A-Much-Longer-Name-Here : x\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "stray CR at a line start",
     .reply = "HTTP/1.1 200 OK\r\n\rX: 1\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "obs-fold after a dropped header",
     .reply = "HTTP/1.1 200 OK\r\nSet-Cookie: a=b\r\n\tc=d\r\nContent-Length: 0\r\n\r\n",
     .err = KG_ERR_HTTP_SYNTAX},
    {.name = "body too large (Content-Length)",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n123456789",
     .cap = 26,
     .err = KG_ERR_HTTP_BODY_TOO_LARGE},
    {.name = "body too large (one chunk)",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n"
              "0123456789abcdef0123456789abcdef\r\n0\r\n\r\n",
     .cap = 31,
     .err = KG_ERR_HTTP_BODY_TOO_LARGE},
    {.name = "body too large (many chunks)",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "8\r\n01234567\r\n8\r\n01234567\r\n8\r\n01234567\r\n8\r\n01234567\r\n"
              "8\r\n01234567\r\n8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n",
     .cap = 48,
     .err = KG_ERR_HTTP_BODY_TOO_LARGE},
    {.name = "body too large (close-delimited)",
     .reply = "HTTP/1.0 200 OK\r\n\r\n0123456789abcdef0123456789abcdef0123456789abcdef"
              "0123456789abcdef0123456789abcdef",
     .cap = 64,
     .eof = true,
     .err = KG_ERR_HTTP_BODY_TOO_LARGE},
    {.name = "closed inside a Content-Length body",
     .reply = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
     .eof = true,
     .err = KG_ERR_CLOSED},
    {.name = "closed inside a chunked body",
     .reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
     .eof = true,
     .err = KG_ERR_CLOSED},
    {.name = "closed inside the headers",
     .reply = "HTTP/1.1 200 OK\r\nContent-Len",
     .eof = true,
     .err = KG_ERR_CLOSED},
    {.name = "closed after a 100 Continue",
     .reply = "HTTP/1.1 100 Continue\r\n\r\n",
     .eof = true,
     .err = KG_ERR_CLOSED},
    {.name = "closed before anything", .reply = "", .eof = true, .err = KG_ERR_CLOSED},
};

static void build_long_inputs(void)
{
    /* A status line whose line end comes one byte too late. */
    memset(long_status, 'x', LINE_MAX_ + 8);
    memcpy(long_status, "HTTP/1.1 200 ", 13);
    memcpy(long_status + LINE_MAX_ - 1, "\r\n\r\n", 5);
    /* A header block one byte over the limit: one line, then many. */
    memset(big_headers, 'y', sizeof(big_headers));
    memcpy(big_headers, "HTTP/1.1 200 OK\r\nX-Big: ", 24);
    memcpy(big_headers + HEAD_MAX_ - 3, "\r\n\r\n", 5);
    size_t n = (size_t)sprintf(over_limit, "HTTP/1.1 200 OK\r\n");
    while (n < HEAD_MAX_ - 600)
        n += (size_t)sprintf(over_limit + n, "X-Trace-%05zu: %0500zu\r\n", n, n);
    memset(over_limit + n, 'p', HEAD_MAX_ - 3 - n);
    memcpy(over_limit + HEAD_MAX_ - 3, "\r\n\r\n", 5);
    /* What a CDN in front of the platform adds: three 3 KB cookies and trace
     * headers around the Date the session reads. */
    n = (size_t)sprintf(huge_cookies, "HTTP/1.1 200 OK\r\nServer: cdn\r\n");
    for (int i = 0; i < 3; i++) {
        n += (size_t)sprintf(huge_cookies + n, "Set-Cookie: c%d=", i);
        memset(huge_cookies + n, 'a' + i, 3000);
        n += 3000;
        n += (size_t)sprintf(huge_cookies + n, "; Path=/; Secure; HttpOnly\r\n");
        if (i == 1)
            n += (size_t)sprintf(huge_cookies + n, "Date: Fri, 27 Nov 2026 11:00:00 GMT\r\n");
    }
    sprintf(huge_cookies + n,
            "X-Amzn-Trace-Id: Root=1-67891233-abcdef012345678912345678\r\n"
            "Content-Length: %zu\r\n\r\n%s",
            strlen(TOKEN_BODY), TOKEN_BODY);
    /* Hundreds of short headers, the reference reply's after them. */
    n = (size_t)sprintf(many_headers, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 300; i++)
        n += (size_t)sprintf(many_headers + n, "X-Hop-%03d: v%d\r\n", i, i);
    const char *reference = TOKEN_REPLY;
    strcpy(many_headers + n, reference + strlen("HTTP/1.1 200 OK\r\n"));
}

static void test_good_replies(void)
{
    for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++)
        check_case(&good_cases[i]);
}

static void test_bad_replies(void)
{
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
        check_case(&bad_cases[i]);
}

/* ---- properties the table does not show ---- */

/* Parse text whole into buf[0..cap), keeping `kept`; returns the feed error. */
static kg_err_t parse_whole(kg_http_resp_t *r, char *buf, size_t cap, const char *text)
{
    kg_http_resp_init(r, buf, cap, false);
    kg_http_resp_keep(r, kept);
    return feed_piece(r, text, strlen(text));
}

static void test_reference_reply_details(void)
{
    static char buf[2048];
    kg_http_resp_t r;
    size_t n = 0;
    KG_CHECK_ERR(parse_whole(&r, buf, sizeof(buf), TOKEN_REPLY), KG_OK);
    KG_CHECK(r.done && r.head_done && r.chunked && !r.has_content_length);
    KG_CHECK_EQ(r.minor_version, 1);
    char *body = kg_http_resp_body(&r, &n);
    /* Decoded in place after the kept lines (the CRs dropped), nothing else held. */
    KG_CHECK_EQ(r.head_len, strlen("Date: Fri, 27 Nov 2026 11:00:00 GMT\n"
                                   "Content-Type: application/json; charset=utf-8\n"
                                   "Connection: keep-alive\n"
                                   "X-Request-Id: 7f3c2a9e0b1d4e5f\n"));
    KG_CHECK(body == buf + r.head_len);
    KG_CHECK_EQ(n, strlen(TOKEN_BODY));
    KG_CHECK_STR(body, TOKEN_BODY); /* NUL-terminated */
    const char *v = kg_http_resp_header(&r, "content-type", &n);
    KG_CHECK(v && n == 31 && memcmp(v, "application/json; charset=utf-8", n) == 0);
    v = kg_http_resp_header(&r, "Date", &n);
    KG_CHECK(v && n == 29 && memcmp(v, "Fri, 27 Nov 2026 11:00:00 GMT", n) == 0);
    KG_CHECK(kg_http_resp_header(&r, "Content", &n) == NULL);
    KG_CHECK(kg_http_resp_header(&r, "Server", &n) == NULL);            /* present, not kept */
    KG_CHECK(kg_http_resp_header(&r, "Transfer-Encoding", &n) == NULL); /* read, not kept */
    KG_CHECK(kg_http_resp_header(&r, "HTTP/1.1 200 OK", &n) == NULL);
    KG_CHECK(kg_http_resp_header(&r, "", &n) == NULL);
}

static void test_header_values_trimmed(void)
{
    static char buf[512];
    static const char *const keep[] = {"X-A", "x-empty", NULL};
    kg_http_resp_t r;
    size_t n = 0;
    const char *text = "HTTP/1.1 200 OK\r\nX-A: \t spaced out \t\r\nX-Empty:\r\n"
                       "Content-Length: 0\r\n\r\n";
    kg_http_resp_init(&r, buf, sizeof(buf), false);
    kg_http_resp_keep(&r, keep);
    KG_CHECK_ERR(feed_piece(&r, text, strlen(text)), KG_OK);
    const char *v = kg_http_resp_header(&r, "x-a", &n);
    KG_CHECK(v && n == 10 && memcmp(v, "spaced out", 10) == 0);
    v = kg_http_resp_header(&r, "X-EMPTY", &n);
    KG_CHECK(v != NULL && n == 0);
}

static void test_no_headers_before_head_done(void)
{
    static char buf[512];
    kg_http_resp_t r;
    size_t n = 0;
    KG_CHECK_ERR(parse_whole(&r, buf, sizeof(buf), "HTTP/1.1 200 OK\r\nX-A: 1\r\n"), KG_OK);
    KG_CHECK(!r.head_done);
    KG_CHECK(kg_http_resp_header(&r, "X-A", &n) == NULL);
}

static void test_status_line_limit_is_exact(void)
{
    static char buf[2048], line[LINE_MAX_ + 8];
    kg_http_resp_t r;
    /* LINE_MAX bytes including CRLF: accepted. */
    memset(line, 'r', sizeof(line));
    memcpy(line, "HTTP/1.1 200 ", 13);
    memcpy(line + LINE_MAX_ - 2, "\r\n", 3);
    kg_http_resp_init(&r, buf, sizeof(buf), false);
    KG_CHECK_ERR(feed_piece(&r, line, LINE_MAX_), KG_OK);
    KG_CHECK_ERR(feed_piece(&r, "Content-Length: 0\r\n\r\n", 21), KG_OK);
    KG_CHECK(r.done && r.status == 200);
    /* No line end in the first LINE_MAX bytes: an error at byte LINE_MAX, not later. */
    memset(line, 'r', sizeof(line));
    memcpy(line, "HTTP/1.1 200 ", 13);
    kg_http_resp_init(&r, buf, sizeof(buf), false);
    for (size_t i = 0; i < LINE_MAX_ - 1; i++)
        KG_CHECK_ERR(feed_piece(&r, line + i, 1), KG_OK);
    KG_CHECK_ERR(feed_piece(&r, line, 1), KG_ERR_HTTP_STATUS_LINE_TOO_LONG);
}

/* The limit counts every byte of the block, dropped or kept; the buffer
 * (256 bytes here) holds none of a dropped header. */
static void test_header_block_limit_is_exact(void)
{
    static char buf[256], head[HEAD_MAX_ + 8];
    kg_http_resp_t r;
    memset(head, 'v', sizeof(head));
    memcpy(head, "HTTP/1.1 204 OK\r\nX-Pad: ", 24);
    memcpy(head + HEAD_MAX_ - 4, "\r\n\r\n", 4); /* block of exactly HEAD_MAX */
    kg_http_resp_init(&r, buf, sizeof(buf), false);
    KG_CHECK_ERR(feed_piece(&r, head, HEAD_MAX_), KG_OK);
    KG_CHECK(r.done && r.status == 204 && r.head_len == 0);
    /* The same block, one byte later: an error as soon as the limit is reached. */
    kg_http_resp_init(&r, buf, sizeof(buf), false);
    KG_CHECK_ERR(feed_piece(&r, head, HEAD_MAX_ - 4), KG_OK);
    KG_CHECK_ERR(feed_piece(&r, "v\r\n\r", 4), KG_ERR_HTTP_HEADERS_TOO_LARGE);
    /* The limit is per reply: an interim 1xx head does not count. */
    kg_http_resp_init(&r, buf, sizeof(buf), false);
    KG_CHECK_ERR(feed_piece(&r, "HTTP/1.1 100 Continue\r\nX: 1\r\n\r\n", 31), KG_OK);
    KG_CHECK_ERR(feed_piece(&r, head, HEAD_MAX_), KG_OK);
    KG_CHECK(r.done && r.status == 204);
}

/* A kept header arriving in pieces (inside its name, its value, between CR
 * and LF) among dropped ones, read by read as a TLS record might cut it. */
static void test_kept_header_split_across_reads(void)
{
    static const char *const pieces[] = {"HTTP/1.1 200 OK\r\nSet-Cookie: a=",
                                         "0123456789",
                                         "\r\nDa",
                                         "te: Fri, 27 No",
                                         "v 2026 11:00:00 GMT\r",
                                         "\nSet-Cookie: b",
                                         "=1\r\nContent-Le",
                                         "ngth: 2\r\n\r",
                                         "\nok"};
    static char buf[128];
    kg_http_resp_t r;
    size_t n;
    kg_http_resp_init(&r, buf, sizeof(buf), false);
    kg_http_resp_keep(&r, kept);
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
        KG_CHECK_ERR(feed_piece(&r, pieces[i], strlen(pieces[i])), KG_OK);
    KG_CHECK(r.done && r.keep_alive);
    const char *v = kg_http_resp_header(&r, "date", &n);
    KG_CHECK(v && n == 29 && memcmp(v, "Fri, 27 Nov 2026 11:00:00 GMT", n) == 0);
    KG_CHECK(kg_http_resp_header(&r, "Set-Cookie", &n) == NULL);
    KG_CHECK_STR(kg_http_resp_body(&r, &n), "ok");
}

/* Without a keep list nothing but the framing is read, and no lookup finds anything. */
static void test_no_keep_list_keeps_nothing(void)
{
    static char buf[64];
    kg_http_resp_t r;
    size_t n;
    const char *text = "HTTP/1.1 200 OK\r\nDate: x\r\nContent-Length: 2\r\n\r\nok";
    kg_http_resp_init(&r, buf, sizeof(buf), false);
    KG_CHECK_ERR(feed_piece(&r, text, strlen(text)), KG_OK);
    KG_CHECK(r.done && r.head_len == 0);
    KG_CHECK(kg_http_resp_header(&r, "Date", &n) == NULL);
    KG_CHECK(kg_http_resp_header(&r, "Content-Length", &n) == NULL);
}

static void test_content_length_too_large_found_at_end_of_head(void)
{
    static char buf[512];
    kg_http_resp_t r;
    kg_http_resp_init(&r, buf, sizeof(buf), false);
    KG_CHECK_ERR(feed_piece(&r, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n", 39), KG_OK);
    KG_CHECK_ERR(feed_piece(&r, "\r\n", 2), KG_ERR_HTTP_BODY_TOO_LARGE);
}

static void test_chunk_too_large_found_at_its_size_line(void)
{
    static char buf[512];
    kg_http_resp_t r;
    KG_CHECK_ERR(parse_whole(&r, buf, sizeof(buf),
                             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n201"),
                 KG_OK);
    KG_CHECK_ERR(feed_piece(&r, "\r\n", 2), KG_ERR_HTTP_BODY_TOO_LARGE); /* 513 > 512 */
    KG_CHECK_ERR(parse_whole(&r, buf, sizeof(buf),
                             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n"),
                 KG_OK); /* 512 fits, exactly: the head takes no room */
}

static void test_full_buffer_names_limit(void)
{
    static char buf[64];
    kg_http_resp_t r;
    size_t space;
    kg_http_resp_init(&r, buf, sizeof(buf), false);
    kg_http_resp_space(&r, &space);
    memset(buf, 'H', sizeof(buf));
    KG_CHECK_ERR(kg_http_resp_feed(&r, space + 1), KG_ERR_ARG);
    KG_CHECK_ERR(kg_http_resp_feed(&r, space), KG_ERR_HTTP_HEADERS_TOO_LARGE);
    kg_http_resp_space(&r, &space);
    KG_CHECK_EQ(space, 0);
    KG_CHECK_ERR(kg_http_resp_feed(&r, 0), KG_ERR_HTTP_HEADERS_TOO_LARGE);
}

static void test_body_not_terminated_when_full(void)
{
    static char buf[26]; /* the kept "Content-Length: 8\n" and the body */
    kg_http_resp_t r;
    size_t n;
    KG_CHECK_ERR(
        parse_whole(&r, buf, sizeof(buf), "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n12345678"),
        KG_OK);
    char *body = kg_http_resp_body(&r, &n);
    KG_CHECK(r.done && n == 8 && memcmp(body, "12345678", 8) == 0);
    KG_CHECK_EQ(body + n, buf + sizeof(buf));
}

static void test_bytes_after_reply_end_keep_alive(void)
{
    static char buf[512];
    kg_http_resp_t r;
    KG_CHECK_ERR(
        parse_whole(&r, buf, sizeof(buf), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokX"),
        KG_OK);
    KG_CHECK(r.done && !r.keep_alive);
    KG_CHECK_ERR(
        parse_whole(&r, buf, sizeof(buf), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), KG_OK);
    KG_CHECK(r.done && r.keep_alive);
    KG_CHECK_ERR(feed_piece(&r, "HTTP", 4), KG_OK); /* unsolicited: not reusable */
    KG_CHECK(r.done && !r.keep_alive);
}

static void test_content_length_reported(void)
{
    static char buf[512];
    kg_http_resp_t r;
    kg_http_resp_init(&r, buf, sizeof(buf), true);
    const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 123456789012\r\n\r\n";
#if SIZE_MAX > 0xFFFFFFFFu
    KG_CHECK_ERR(feed_piece(&r, head, 50), KG_OK);
    KG_CHECK(r.done && r.has_content_length && r.content_length == 123456789012ULL);
    KG_CHECK_ERR(kg_http_resp_eof(&r), KG_OK); /* already complete */
#else
    /* A length a 32-bit size_t cannot hold is a syntax error, as kg_http.h says. */
    KG_CHECK_ERR(feed_piece(&r, head, 50), KG_ERR_HTTP_SYNTAX);
#endif
}

/* A long chunked body fed a byte at a time needs only the body's own room
 * plus one unfinished line: consumed framing does not pile up. */
static void test_chunked_framing_does_not_pile_up(void)
{
    static char reply[8192], buf[1024];
    const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    size_t len = strlen(head), head_len = len;
    memcpy(reply, head, len);
    for (int i = 0; i < 300; i++) {
        memcpy(reply + len, "3;ext=1234567890\r\nabc\r\n", 23);
        len += 23;
    }
    memcpy(reply + len, "0\r\n\r\n", 5);
    len += 5;
    kg_http_resp_t r;
    kg_http_resp_init(&r, buf, head_len + 900 + 20, false);
    kg_err_t err = KG_OK;
    for (size_t i = 0; i < len && err == KG_OK; i++)
        err = feed_piece(&r, reply + i, 1);
    KG_CHECK_ERR(err, KG_OK);
    KG_CHECK(r.done && r.body_len == 900);
}

int main(void)
{
    build_long_inputs();
    KG_RUN(test_good_replies);
    KG_RUN(test_bad_replies);
    KG_RUN(test_reference_reply_details);
    KG_RUN(test_header_values_trimmed);
    KG_RUN(test_no_headers_before_head_done);
    KG_RUN(test_status_line_limit_is_exact);
    KG_RUN(test_header_block_limit_is_exact);
    KG_RUN(test_kept_header_split_across_reads);
    KG_RUN(test_no_keep_list_keeps_nothing);
    KG_RUN(test_content_length_too_large_found_at_end_of_head);
    KG_RUN(test_chunk_too_large_found_at_its_size_line);
    KG_RUN(test_full_buffer_names_limit);
    KG_RUN(test_body_not_terminated_when_full);
    KG_RUN(test_bytes_after_reply_end_keep_alive);
    KG_RUN(test_content_length_reported);
    KG_RUN(test_chunked_framing_does_not_pile_up);
    return kg_test_summary();
}
