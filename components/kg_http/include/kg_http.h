/*
 * kg_http.h - a small HTTP/1.1 client in three parts a newcomer can read apart:
 *
 *  1. kg_http_write_request(): formats a request head + body into a buffer.
 *  2. kg_http_resp_t: an incremental response parser. No I/O: the caller
 *     writes received bytes into the space the parser offers and tells it
 *     how many arrived. Headers stream through: only the framing ones and
 *     those the caller asks to keep are held, so a header block far larger
 *     than the buffer is read. It handles the status line, case-insensitive
 *     headers,
 *     Content-Length, Transfer-Encoding: chunked (decoded in place, chunk
 *     extensions and trailers tolerated), interim 1xx replies (skipped),
 *     bodiless statuses (204, 304), Connection: close and HTTP/1.0 replies.
 *     Anything that does not fit is a named error, never a truncation.
 *  3. kg_http_client_t: drives a kg_transport_t with a deadline, keeps the
 *     connection alive for the next request, and retries a request once on a
 *     fresh connection when a reused one fails before any reply byte arrives.
 *
 * No heap: every buffer is the caller's. Limits come from Kconfig, and so
 * do three features a build can leave out (KG_HTTP_CHUNKED and the others
 * below); a reply that needs one of them is KG_ERR_HTTP_UNSUPPORTED then.
 */
#ifndef KG_HTTP_H
#define KG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kg_config.h"
#include "kg_err.h"
#include "kg_port.h"
#include "kg_transport.h"

/* The features this build parses, each 1 or 0 (Kconfig, menu "HTTP features").
 * Code is written with them as constants, not #ifdef: what is left out is
 * still compiled and checked, then dropped as dead code. */
#ifdef CONFIG_KGIOT_HTTP_CHUNKED
#define KG_HTTP_CHUNKED 1 /* Transfer-Encoding: chunked is decoded */
#else
#define KG_HTTP_CHUNKED 0
#endif
#ifdef CONFIG_KGIOT_HTTP_INTERIM
#define KG_HTTP_INTERIM 1 /* interim 1xx replies are skipped */
#else
#define KG_HTTP_INTERIM 0
#endif
#ifdef CONFIG_KGIOT_HTTP_HEADER_LOOKUP
#define KG_HTTP_HEADER_LOOKUP 1 /* kg_http_resp_keep() and kg_http_resp_header() work */
#else
#define KG_HTTP_HEADER_LOOKUP 0
#endif

/* ---- 1. Requests ---- */

typedef struct {
    const char *name;
    const char *value;
} kg_http_header_t;

typedef struct {
    const char *method;       /* "POST", "GET" */
    const char *host;         /* Host header value (add ":port" yourself if not default);
                                 NULL in kg_http_client_request(): the client's host */
    const char *path;         /* origin-form, e.g. "/test/oauth/v2/access_token" */
    const char *content_type; /* NULL: no Content-Type header */
    const uint8_t *body;      /* NULL with body_len 0: no body */
    size_t body_len;
    const kg_http_header_t *headers; /* extra headers, may be NULL */
    size_t header_count;
} kg_http_request_t;

/* Write the request (head with Host, User-Agent CONFIG_KGIOT_USER_AGENT,
 * Connection: keep-alive, Content-Type, Content-Length and the extra
 * headers, then the body) to buf[0..cap). *out_len is its length.
 * Content-Length is sent when there is a body, and always for POST, PUT
 * and PATCH ("Content-Length: 0"). Never truncates.
 * Errors: KG_ERR_ARG (a field NULL or empty, where it may not be; CR or LF
 * in any field, a space in method or path, a space or ':' in a header name:
 * header injection), KG_ERR_NO_SPACE. */
kg_err_t kg_http_write_request(const kg_http_request_t *req, char *buf, size_t cap,
                               size_t *out_len);

/* ---- 2. Responses ---- */

typedef struct {
    /* Buffer owned by the caller; holds the kept header lines and then the body. */
    char *buf;
    size_t cap;
    const char *const *keep; /* names of the headers kept (kg_http_resp_keep) */
    /* Progress (private). */
    size_t used;      /* bytes of raw input held in buf */
    size_t pos;       /* first raw byte not yet consumed */
    size_t scan;      /* where the search for the next line end resumes */
    size_t head_len;  /* length of the kept header lines */
    size_t body_len;  /* decoded body bytes, at buf + head_len */
    size_t remaining; /* of Content-Length or of the current chunk; SIZE_MAX: until close */
    size_t head_seen; /* bytes of the header block consumed so far */
    size_t window;    /* bytes that decide whether a header is read: longest name + 1 */
    size_t name_len;  /* of the header being read whole */
    uint8_t state;
    uint8_t flags;      /* HEAD request, Connection: close / keep-alive seen, dropping a header */
    uint8_t field_kind; /* of the header being read whole: which framing one, or kept */
    /* Results, valid once the header block is complete. */
    int status;            /* 200, 404, ... */
    int minor_version;     /* 1 for HTTP/1.1, 0 for HTTP/1.0 */
    bool keep_alive;       /* the connection may carry another request */
    bool head_done;        /* status and headers are known */
    bool done;             /* the whole response has been received */
    size_t content_length; /* when has_content_length (larger values: KG_ERR_HTTP_SYNTAX) */
    bool has_content_length;
    bool chunked;
} kg_http_resp_t;

/* Start parsing a new response into buf[0..cap). no_body: the request was
 * HEAD, so the reply has no body whatever its headers say. Also the way to
 * start over after an error. No header is kept. */
void kg_http_resp_init(kg_http_resp_t *r, char *buf, size_t cap, bool no_body);

/* Keep the headers named in names (NULL-terminated, case-insensitive, each
 * a header name: not empty, no ':'; NULL: none) for kg_http_resp_header();
 * call after kg_http_resp_init(), before
 * the first feed. names must outlive the parse. Every other header is
 * dropped as it arrives, except that Content-Length, Transfer-Encoding and
 * Connection are always read. Kept lines take buffer room (name, value and
 * one byte each); a dropped one takes none. Without KG_HTTP_HEADER_LOOKUP
 * nothing is kept, whatever names says. */
void kg_http_resp_keep(kg_http_resp_t *r, const char *const *names);

/* Where the next received bytes go: *space is the room left (0 means the
 * reply does not fit; kg_http_resp_feed(r, 0) then reports which limit). */
char *kg_http_resp_space(kg_http_resp_t *r, size_t *space);

/* n bytes were written at the space returned by kg_http_resp_space().
 * Parses as far as it can. KG_OK with r->done false means "more please".
 * The outcome does not depend on how the input was split into feeds.
 * Interim 1xx replies are skipped; 1xx, 204, 304 and replies to HEAD end
 * with their headers. Keep-alive: HTTP/1.1 unless "Connection: close",
 * HTTP/1.0 only with "Connection: keep-alive"; never for a body delimited
 * by the close, for Content-Length together with chunked (chunked wins),
 * or when bytes were seen after the complete reply.
 * Limits, each reported as soon as it is certainly exceeded:
 *   KG_ERR_HTTP_STATUS_LINE_TOO_LONG  no line end within the first
 *                                     CONFIG_KGIOT_HTTP_LINE_MAX bytes
 *   KG_ERR_HTTP_HEADERS_TOO_LARGE     status line + headers + blank line longer
 *                                     than CONFIG_KGIOT_HTTP_HEAD_MAX, or a
 *                                     kept or framing header line (with the
 *                                     kept ones before it) longer than cap
 *   KG_ERR_HTTP_BODY_TOO_LARGE        buf is full and the reply is not complete;
 *                                     a Content-Length or chunk size that cannot
 *                                     fit is reported as soon as it is read
 * KG_ERR_HTTP_SYNTAX: a malformed status line; obs-fold; a header line
 * starting with C or T that is not "name: value"; a Content-Length that is
 * not all digits, too big for a size_t or differs from an earlier one; a
 * transfer coding other than chunked; a bad chunk size or chunk end.
 * KG_ERR_HTTP_UNSUPPORTED: a chunked reply without KG_HTTP_CHUNKED (at its
 * Transfer-Encoding header), a 1xx status line without KG_HTTP_INTERIM.
 * KG_ERR_ARG: n larger than the space. After an error, start again with
 * kg_http_resp_init(). */
kg_err_t kg_http_resp_feed(kg_http_resp_t *r, size_t n);

/* The peer closed the connection. A body delimited by the close (HTTP/1.0
 * style, no length, no chunking) is complete then; otherwise KG_ERR_CLOSED. */
kg_err_t kg_http_resp_eof(kg_http_resp_t *r);

/* The decoded body (valid once done), NUL-terminated when room allows. */
char *kg_http_resp_body(kg_http_resp_t *r, size_t *len);

/* Value of the first header named name (case-insensitive), without leading
 * and trailing blanks, *len bytes long and not NUL-terminated; NULL if
 * absent, not kept (kg_http_resp_keep) or before head_done. Points into buf.
 * Without KG_HTTP_HEADER_LOOKUP it is always NULL, inline, so that callers'
 * code for a header's value is dropped too. */
#if KG_HTTP_HEADER_LOOKUP
const char *kg_http_resp_header(const kg_http_resp_t *r, const char *name, size_t *len);
#else
static inline const char *kg_http_resp_header(const kg_http_resp_t *r, const char *name,
                                              size_t *len)
{
    (void)r;
    (void)name;
    *len = 0;
    return NULL;
}
#endif

/* ---- URLs ---- */

typedef struct {
    char host[CONFIG_KGIOT_HOST_MAX];
    uint16_t port;
    char prefix[CONFIG_KGIOT_PREFIX_MAX]; /* "" or "/test": the path part, without a trailing '/' */
} kg_http_url_t;

/* Split "https://host[:port][/prefix]" (also "http://" for local tests).
 * *tls tells which scheme. Errors: KG_ERR_URL, KG_ERR_NO_SPACE. */
kg_err_t kg_http_parse_url(const char *url, kg_http_url_t *out, bool *tls);

/* ---- 3. Client ---- */

typedef struct {
    const kg_port_t *port; /* for the clock */
    const kg_transport_t *transport;
    const char *host; /* connect target and Host header */
    uint16_t tcp_port;
    char *tx; /* request buffer */
    size_t tx_cap;
    char *rx; /* response buffer */
    size_t rx_cap;
    bool connected;
    const char *const *keep; /* headers kept in each reply (kg_http_resp_keep); NULL: none */
    kg_http_resp_t resp;     /* the last response */
    /* Counters, for tests and benchmarks. */
    uint32_t connects; /* connections opened */
    uint32_t requests; /* requests made (a retry does not count again) */
    uint64_t bytes_sent;
    uint64_t bytes_received;
} kg_http_client_t;

/* Set up a client; nothing is sent until the first request. */
void kg_http_client_init(kg_http_client_t *c, const kg_port_t *port,
                         const kg_transport_t *transport, const char *host, uint16_t tcp_port,
                         char *tx, size_t tx_cap, char *rx, size_t rx_cap);

/* Send req and receive the whole reply within timeout_ms (overall; the
 * connect gets at most CONFIG_KGIOT_CONNECT_TIMEOUT_MS of it).
 * Connects (or reuses the open connection); a reused connection whose send
 * fails, or that is closed or reset (KG_ERR_CLOSED, KG_ERR_IO, KG_ERR_TLS_IO)
 * before the first reply byte, is closed and the request is sent once more
 * on a new one. The connection stays open after a reply with keep_alive and
 * is closed after any other reply and after any error. *resp is set to
 * &c->resp; on KG_OK it is the complete reply (any status); its body stays
 * valid until the next request. Errors: those of kg_http_write_request (then
 * nothing is sent), of the transport and of the parser, KG_ERR_TIMEOUT,
 * KG_ERR_CLOSED. */
kg_err_t kg_http_client_request(kg_http_client_t *c, const kg_http_request_t *req,
                                uint32_t timeout_ms, kg_http_resp_t **resp);

/* Close the connection (the next request reconnects). Safe on NULL and on
 * a zero-filled c. */
void kg_http_client_close(kg_http_client_t *c);

#endif
