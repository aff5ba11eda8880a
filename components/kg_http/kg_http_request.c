/*
 * kg_http_request.c - format an HTTP/1.1 request into a caller's buffer.
 *
 * A tiny appender and a decimal formatter instead of snprintf: much less code
 * on a Cortex-M, and every caller-supplied field is checked for CR/LF
 * (header injection) as it is copied.
 */
#include <string.h>

#include "kg_http.h"

typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    kg_err_t err; /* the first failure; later appends do nothing */
} writer_t;

/* What a field may not contain. Values may be empty; the others may not. */
static const char bad_in_value[] = "\r\n";
static const char bad_in_target[] = "\r\n "; /* method and path: they sit in the request line */
static const char bad_in_name[] = "\r\n :";

static void put_n(writer_t *w, const void *s, size_t n)
{
    if (w->err != KG_OK || n == 0) return; /* s may be NULL when n is 0 */
    if (n > w->cap - w->len) {
        w->err = KG_ERR_NO_SPACE;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* Append the C string s; bad: NULL for our own text, else the characters a
 * caller's field may not hold (KG_ERR_ARG, whatever the buffer). */
static void put(writer_t *w, const char *s, const char *bad)
{
    if (bad != NULL &&
        (s == NULL || s[strcspn(s, bad)] != '\0' || (*s == '\0' && bad != bad_in_value))) {
        w->err = KG_ERR_ARG;
        return;
    }
    put_n(w, s, strlen(s));
}

static void put_header(writer_t *w, const char *name, const char *value)
{
    put(w, name, bad_in_name);
    put(w, ": ", NULL);
    put(w, value, bad_in_value);
    put(w, "\r\n", NULL);
}

static void put_content_length(writer_t *w, size_t v)
{
    char digits[24];
    char *p = digits + sizeof(digits) - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put_header(w, "Content-Length", p);
}

kg_err_t kg_http_write_request(const kg_http_request_t *req, char *buf, size_t cap, size_t *out_len)
{
    writer_t w = {buf, cap, 0, KG_OK};
    if (req == NULL || req->method == NULL || (req->body == NULL && req->body_len > 0) ||
        (req->headers == NULL && req->header_count > 0))
        return KG_ERR_ARG;
    put(&w, req->method, bad_in_target);
    put(&w, " ", NULL);
    put(&w, req->path, bad_in_target);
    put(&w, " HTTP/1.1\r\n", NULL);
    put_header(&w, "Host", req->host);
    put(&w, "User-Agent: " CONFIG_KGIOT_USER_AGENT "\r\nConnection: keep-alive\r\n", NULL);
    if (req->content_type != NULL) put_header(&w, "Content-Type", req->content_type);
    /* POST, PUT and PATCH always say how long their body is, even if 0. */
    if (req->body_len > 0 || req->method[0] == 'P') put_content_length(&w, req->body_len);
    for (size_t i = 0; i < req->header_count; i++)
        put_header(&w, req->headers[i].name, req->headers[i].value);
    put(&w, "\r\n", NULL);
    put_n(&w, req->body, req->body_len);
    *out_len = w.err == KG_OK ? w.len : 0;
    return w.err;
}
