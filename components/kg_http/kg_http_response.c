/*
 * kg_http_response.c - incremental HTTP/1.x response parser; no I/O.
 *
 * Buffer layout while parsing (all offsets into r->buf):
 *   [0, head_len)                     the final reply's status line and headers
 *   [head_len, head_len + body_len)   the decoded body, contiguous
 *   [pos, used)                       raw input not yet consumed
 * Chunk data is moved down to the end of the decoded body as it arrives, and
 * an unfinished line left at the end of a feed is moved down after it, so a
 * chunked body needs only its own size plus one unfinished line of room.
 * Lines are found with memchr from r->scan, which remembers where the last
 * search stopped: feeding one byte at a time stays linear.
 */
#include <string.h>

#include "kg_http.h"

enum {
    ST_STATUS,     /* status line */
    ST_HEADERS,    /* header lines up to the blank line */
    ST_BODY,       /* Content-Length body, close-delimited body or chunk data */
    ST_CHUNK_SIZE, /* chunk-size [; extensions] line */
    ST_TRAILERS,   /* trailer lines after the last chunk */
    ST_CHUNK_END,  /* the line end after a chunk's data */
    ST_DONE,
};

enum {
    F_NO_BODY = 1,    /* reply to HEAD */
    F_CLOSE = 2,      /* Connection: close */
    F_KEEP_ALIVE = 4, /* Connection: keep-alive */
};

/* step() results besides a (negative) kg_err_t. */
#define WAIT 0 /* more input needed */
#define GO   1 /* parse on */

void kg_http_resp_init(kg_http_resp_t *r, char *buf, size_t cap, bool no_body)
{
    memset(r, 0, sizeof(*r));
    r->buf = buf;
    r->cap = cap;
    r->flags = no_body ? F_NO_BODY : 0;
}

char *kg_http_resp_space(kg_http_resp_t *r, size_t *space)
{
    *space = r->cap - r->used;
    return r->buf + r->used;
}

/* ---- lexical helpers ---- */

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Blanks around values; a stray CR counts as one. */
static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Case-insensitive equality of s[0..n) with word[0..word_len). Servers
 * mostly send the canonical spelling, so an exact match is tried first. */
static bool same_ci(const char *s, size_t n, const char *word, size_t word_len)
{
    if (n != word_len) return false;
    if (memcmp(s, word, n) == 0) return true;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != lower(word[i])) return false;
    return true;
}

/* s[0..n) is the string literal lit, ignoring case. */
#define IS_WORD(s, n, lit) same_ci(s, n, lit, sizeof(lit) - 1)

static inline void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_blank((*s)[*n - 1]))
        (*n)--;
}

/* "name: value" -> name length and the trimmed value. No name, a blank
 * before the colon, or a leading blank (obs-fold) make it invalid. */
static inline bool split_field(const char *s, size_t n, size_t *name_len, const char **v,
                               size_t *vn)
{
    const char *colon = memchr(s, ':', n);
    if (colon == NULL || colon == s || is_blank(s[0]) || is_blank(colon[-1])) return false;
    *name_len = (size_t)(colon - s);
    *v = colon + 1;
    *vn = n - *name_len - 1;
    return true;
}

static unsigned digit_value(char c)
{
    if (is_digit(c)) return (unsigned)(c - '0');
    c = (char)(c | 0x20); /* 'A'..'F' -> 'a'..'f' */
    return (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10) : 99;
}

/* The digits (base 10 or 16) leading s[0..n) -> *v; returns how many there
 * are, 0 also when the value may not fit in a size_t. */
static inline size_t parse_number(const char *s, size_t n, unsigned base, size_t *v)
{
    size_t i = 0, x = 0;
    unsigned d;
    while (i < n && (d = digit_value(s[i])) < base) {
        if (x > SIZE_MAX / 16) return 0; /* x * base + d still fits */
        x = x * base + d;
        i++;
    }
    *v = x;
    return i;
}

/* The next complete line at r->pos, without its LF or CRLF; false if its
 * end has not arrived yet. Consumes the line. */
static bool next_line(kg_http_resp_t *r, const char **line, size_t *len)
{
    const char *start = r->buf + r->pos;
    const char *lf = memchr(r->buf + r->scan, '\n', r->used - r->scan);
    if (lf == NULL) {
        r->scan = r->used;
        return false;
    }
    size_t n = (size_t)(lf - start);
    if (n > 0 && start[n - 1] == '\r') n--;
    *line = start;
    *len = n;
    r->pos = r->scan = (size_t)(lf - r->buf) + 1;
    return true;
}

/* ---- status line and headers ---- */

/* "HTTP/1.x SSS[ reason]": one version digit, a status 100..599. */
static kg_err_t on_status_line(kg_http_resp_t *r, const char *s, size_t n)
{
    if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !is_digit(s[7]) || s[8] != ' ' || s[9] < '1' ||
        s[9] > '5' || !is_digit(s[10]) || !is_digit(s[11]) || (n > 12 && s[12] != ' '))
        return KG_ERR_HTTP_SYNTAX;
    r->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    r->minor_version = s[7] - '0';
    r->state = ST_HEADERS;
    return KG_OK;
}

/* Digits only; equal duplicates are allowed, differing ones are not. */
static kg_err_t on_content_length(kg_http_resp_t *r, const char *v, size_t n)
{
    size_t len;
    trim(&v, &n);
    if (n == 0 || parse_number(v, n, 10, &len) != n ||
        (r->has_content_length && len != r->content_length))
        return KG_ERR_HTTP_SYNTAX;
    r->has_content_length = true;
    r->content_length = len;
    return KG_OK;
}

/* Only chunked can be decoded, and only once. */
static kg_err_t on_transfer_encoding(kg_http_resp_t *r, const char *v, size_t n)
{
    trim(&v, &n);
    if (r->chunked || !IS_WORD(v, n, "chunked")) return KG_ERR_HTTP_SYNTAX;
    r->chunked = true;
    return KG_OK;
}

/* A comma-separated token list: note "close" and "keep-alive". */
static void on_connection(kg_http_resp_t *r, const char *v, size_t n)
{
    while (n > 0) {
        const char *comma = memchr(v, ',', n);
        size_t k = comma ? (size_t)(comma - v) : n;
        const char *tok = v;
        size_t len = k;
        trim(&tok, &len);
        if (IS_WORD(tok, len, "close")) r->flags |= F_CLOSE;
        if (IS_WORD(tok, len, "keep-alive")) r->flags |= F_KEEP_ALIVE;
        k += k < n; /* the comma */
        v += k;
        n -= k;
    }
}

/* s starts with name (len bytes) and a colon. */
static bool is_name(const char *s, size_t n, const char *name, size_t len)
{
    return n > len && s[len] == ':' && same_ci(s, len, name, len);
}

/* Only the three headers that frame the reply are looked at now. Lines that
 * could be one of them (initial C or T) must be well-formed; the others are
 * only checked for obs-fold and stay in the block for kg_http_resp_header(). */
static kg_err_t on_header_line(kg_http_resp_t *r, const char *s, size_t n)
{
    size_t name_len, vn;
    const char *v;
    char initial = lower(s[0]);
    if (is_blank(s[0])) return KG_ERR_HTTP_SYNTAX;
    if (initial != 'c' && initial != 't') return KG_OK;
    if (is_name(s, n, "Content-Length", 14)) return on_content_length(r, s + 15, n - 15);
    if (is_name(s, n, "Transfer-Encoding", 17)) return on_transfer_encoding(r, s + 18, n - 18);
    if (is_name(s, n, "Connection", 10)) on_connection(r, s + 11, n - 11);
    return split_field(s, n, &name_len, &v, &vn) ? KG_OK : KG_ERR_HTTP_SYNTAX;
}

static void finish(kg_http_resp_t *r)
{
    r->done = true;
    r->state = ST_DONE;
}

/* How the body is delimited (RFC 9112 section 6.3). */
static kg_err_t choose_framing(kg_http_resp_t *r)
{
    r->state = ST_BODY;
    r->remaining = SIZE_MAX; /* until the peer closes */
    if ((r->flags & F_NO_BODY) || r->status == 204 || r->status == 304) {
        finish(r);
    } else if (r->chunked) {
        r->keep_alive = r->keep_alive && !r->has_content_length; /* a smuggling attempt? */
        r->state = ST_CHUNK_SIZE;
    } else if (r->has_content_length) {
        if (r->content_length > r->cap - r->head_len) return KG_ERR_HTTP_BODY_TOO_LARGE;
        r->remaining = r->content_length;
    } else {
        r->keep_alive = false;
    }
    return KG_OK;
}

static kg_err_t end_of_head(kg_http_resp_t *r)
{
    if (r->status < 200) { /* interim reply: drop it, parse what follows afresh */
        size_t rest = r->used - r->pos;
        memmove(r->buf, r->buf + r->pos, rest);
        kg_http_resp_init(r, r->buf, r->cap, (r->flags & F_NO_BODY) != 0);
        r->used = rest;
        return KG_OK;
    }
    r->head_len = r->pos;
    r->head_done = true;
    r->keep_alive = !(r->flags & F_CLOSE) && (r->minor_version > 0 || (r->flags & F_KEEP_ALIVE));
    return choose_framing(r);
}

/* ---- body ---- */

/* Take what has arrived of the current body run, moving chunk data down. */
static int on_body_bytes(kg_http_resp_t *r)
{
    size_t take = r->used - r->pos;
    char *end = r->buf + r->head_len + r->body_len;
    if (take > r->remaining) take = r->remaining;
    if (end != r->buf + r->pos) memmove(end, r->buf + r->pos, take);
    r->body_len += take;
    r->pos += take;
    r->scan = r->pos;
    r->remaining -= take;
    if (r->remaining != 0) return WAIT;
    if (r->chunked)
        r->state = ST_CHUNK_END;
    else
        finish(r);
    return GO;
}

/* chunk-size in hex, then optional blanks and ";extensions", ignored. */
static kg_err_t on_chunk_size(kg_http_resp_t *r, const char *s, size_t n)
{
    size_t size;
    size_t i = parse_number(s, n, 16, &size);
    if (i == 0) return KG_ERR_HTTP_SYNTAX;
    while (i < n && is_blank(s[i]))
        i++;
    if (i < n && s[i] != ';') return KG_ERR_HTTP_SYNTAX;
    if (size > r->cap - r->head_len - r->body_len) return KG_ERR_HTTP_BODY_TOO_LARGE;
    r->remaining = size;
    r->state = size != 0 ? ST_BODY : ST_TRAILERS;
    return KG_OK;
}

static kg_err_t on_line(kg_http_resp_t *r, const char *s, size_t n)
{
    switch (r->state) {
    case ST_STATUS: return on_status_line(r, s, n);
    case ST_HEADERS: return n != 0 ? on_header_line(r, s, n) : end_of_head(r);
    case ST_CHUNK_SIZE: return on_chunk_size(r, s, n);
    default: /* ST_TRAILERS: skipped up to the blank line */
        if (n == 0) finish(r);
        return KG_OK;
    }
}

/* The status line (LF included) must end within CONFIG_KGIOT_HTTP_LINE_MAX
 * bytes and the header block (blank line included) within
 * CONFIG_KGIOT_HTTP_HEADERS_MAX. min_end: the least they can end at, given
 * the input so far: checked on every byte, the limits trip as soon as they
 * are sure to be broken, whatever the input's split. */
static kg_err_t check_head_limits(const kg_http_resp_t *r, size_t min_end)
{
    if (r->state == ST_STATUS && min_end > CONFIG_KGIOT_HTTP_LINE_MAX)
        return KG_ERR_HTTP_STATUS_LINE_TOO_LONG;
    if (r->state == ST_HEADERS && min_end > CONFIG_KGIOT_HTTP_HEADERS_MAX)
        return KG_ERR_HTTP_HEADERS_TOO_LARGE;
    return KG_OK;
}

/* The CRLF (or LF) after a chunk's data, checked byte by byte: cheaper
 * than a line search, and a wrong byte fails at once. */
static int on_chunk_end(kg_http_resp_t *r)
{
    const char *p = r->buf + r->pos;
    size_t avail = r->used - r->pos;
    if (avail == 0) return WAIT;
    size_t end = p[0] == '\r' ? 2 : 1;
    if (avail < end) return WAIT;
    if (p[end - 1] != '\n') return KG_ERR_HTTP_SYNTAX;
    r->pos = r->scan = r->pos + end;
    r->state = ST_CHUNK_SIZE;
    return GO;
}

static int step(kg_http_resp_t *r)
{
    const char *s;
    size_t n = 0;
    if (r->state == ST_BODY) return on_body_bytes(r);
    if (r->state == ST_CHUNK_END) return on_chunk_end(r);
    if (r->state == ST_DONE) return WAIT;
    bool got = next_line(r, &s, &n);
    /* A header line other than the blank one needs at least one more after it. */
    kg_err_t err =
        check_head_limits(r, got ? r->pos + (r->state == ST_HEADERS && n != 0) : r->used + 1);
    if (err == KG_OK && got) err = on_line(r, s, n);
    return err != KG_OK ? (int)err : got;
}

kg_err_t kg_http_resp_feed(kg_http_resp_t *r, size_t n)
{
    int rc;
    if (n > r->cap - r->used) return KG_ERR_ARG;
    r->used += n;
    while ((rc = step(r)) == GO)
        ;
    if (rc != WAIT) return (kg_err_t)rc;
    if (r->done) {
        if (r->used > r->pos) r->keep_alive = false; /* bytes after the reply: out of step */
        return KG_OK;
    }
    if (r->head_done && r->pos > r->head_len + r->body_len) {
        /* Move an unfinished chunk line down to the end of the decoded body. */
        size_t gap = r->pos - r->head_len - r->body_len;
        memmove(r->buf + r->pos - gap, r->buf + r->pos, r->used - r->pos);
        r->used -= gap;
        r->scan -= gap;
        r->pos -= gap;
    }
    if (r->used < r->cap) return KG_OK;
    /* Full, and more input needed: name the limit (a head that does not fit
     * in the buffer counts as too large). */
    return r->head_done ? KG_ERR_HTTP_BODY_TOO_LARGE : KG_ERR_HTTP_HEADERS_TOO_LARGE;
}

kg_err_t kg_http_resp_eof(kg_http_resp_t *r)
{
    if (r->state == ST_BODY && !r->chunked && !r->has_content_length)
        finish(r); /* close-delimited */
    return r->done ? KG_OK : KG_ERR_CLOSED;
}

char *kg_http_resp_body(kg_http_resp_t *r, size_t *len)
{
    char *body = r->buf + r->head_len;
    *len = r->body_len;
    if (r->done && r->head_len + r->body_len < r->cap) body[r->body_len] = '\0';
    return body;
}

const char *kg_http_resp_header(const kg_http_resp_t *r, const char *name, size_t *len)
{
    const char *end = r->buf + r->head_len; /* head_len is 0 until head_done */
    size_t want = strlen(name);
    for (const char *p = r->buf; p < end;) {
        const char *lf = memchr(p, '\n', (size_t)(end - p)); /* the block ends with one */
        const char *v;
        size_t name_len;
        if (split_field(p, (size_t)(lf - p), &name_len, &v, len) &&
            same_ci(p, name_len, name, want)) {
            trim(&v, len);
            return v;
        }
        p = lf + 1;
    }
    return NULL;
}
