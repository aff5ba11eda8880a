/*
 * kg_http_response.c - incremental HTTP/1.x response parser; no I/O.
 *
 * Buffer layout while parsing (all offsets into r->buf):
 *   [0, head_len)                     the kept header lines, "name: value\n" each
 *   [head_len, head_len + body_len)   the decoded body, contiguous
 *   [pos, used)                       raw input not yet consumed
 * The header block streams through: the status line and the framing headers
 * are read whole and acted on, the headers the caller asked to keep are
 * copied down to the kept lines, and every other header is dropped as it
 * arrives (at most r->window bytes of its name are ever held). So a proxy's
 * kilobytes of cookies need no room; CONFIG_KGIOT_HTTP_HEAD_MAX bounds the
 * block. Input left unconsumed at the end of a feed (an unfinished line) is
 * moved down to the end of the kept lines or the decoded body, so the buffer
 * needs room for the body, the kept lines and one unfinished line.
 * Lines are found with memchr from r->scan, which remembers where the last
 * search stopped: feeding one byte at a time stays linear.
 */
#include <string.h>

#include "kg_http.h"

enum {
    ST_STATUS,     /* status line */
    ST_FIELD,      /* the start of a header line, or the blank line */
    ST_FIELD_READ, /* a header read whole: a framing or a kept one */
    ST_FIELD_SKIP, /* a header dropped as it streams, up to its line end */
    ST_BODY,       /* Content-Length body, close-delimited body or chunk data */
    ST_CHUNK_SIZE, /* chunk-size [; extensions] line */
    ST_TRAILERS,   /* trailer lines after the last chunk */
    ST_CHUNK_END,  /* the line end after a chunk's data */
    ST_DONE,
};

enum {
    F_NO_BODY = 1,     /* reply to HEAD */
    F_CLOSE = 2,       /* Connection: close */
    F_KEEP_ALIVE = 4,  /* Connection: keep-alive */
    F_NEED_COLON = 8,  /* a dropped header that could be a framing one, before its colon */
    F_PREV_BLANK = 16, /* ... and the last byte dropped of it was a blank */
};

/* The headers that frame the reply: read whatever the keep list says. */
enum { FIELD_KEPT, FIELD_CONTENT_LENGTH, FIELD_TRANSFER_ENCODING, FIELD_CONNECTION };
#define CONTENT_LENGTH    "Content-Length"
#define TRANSFER_ENCODING "Transfer-Encoding"
#define CONNECTION        "Connection"
#define LEN(lit)          (sizeof(lit) - 1)
static const uint8_t framing_len[] = {0, LEN(CONTENT_LENGTH), LEN(TRANSFER_ENCODING),
                                      LEN(CONNECTION)};
#define FRAMING_WINDOW (LEN(TRANSFER_ENCODING) + 1) /* the longest name and its colon */

/* step() results besides a (negative) kg_err_t. */
#define WAIT 0 /* more input needed */
#define GO   1 /* parse on */

void kg_http_resp_init(kg_http_resp_t *r, char *buf, size_t cap, bool no_body)
{
    memset(r, 0, sizeof(*r));
    r->buf = buf;
    r->cap = cap;
    r->flags = no_body ? F_NO_BODY : 0;
    r->window = FRAMING_WINDOW;
}

void kg_http_resp_keep(kg_http_resp_t *r, const char *const *names)
{
    if (!KG_HTTP_HEADER_LOOKUP) return;
    r->keep = names;
    r->window = FRAMING_WINDOW;
    for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
        size_t n = strlen(names[i]) + 1; /* and the colon */
        if (n > r->window) r->window = n;
    }
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
static inline bool same_ci(const char *s, size_t n, const char *word, size_t word_len)
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

/* The next complete line at r->pos, ending before end, without its LF or
 * CRLF. Consumes it and returns its length with the line end; 0 if its end
 * has not arrived yet. */
static inline size_t next_line(kg_http_resp_t *r, size_t end, const char **line, size_t *len)
{
    const char *start = r->buf + r->pos;
    const char *lf = memchr(r->buf + r->scan, '\n', end - r->scan);
    if (lf == NULL) {
        r->scan = end;
        return 0;
    }
    size_t n = (size_t)(lf - start);
    *line = start;
    *len = (n > 0 && start[n - 1] == '\r') ? n - 1 : n;
    r->pos = r->scan = (size_t)(lf - r->buf) + 1;
    return n + 1;
}

/* ---- status line and headers ---- */

/* n bytes of the head at r->pos are done with. */
static void consume_head(kg_http_resp_t *r, size_t n)
{
    r->pos += n;
    r->scan = r->pos;
    r->head_seen += n;
}

/* "HTTP/1.x SSS[ reason]": one version digit, a status 100..599. */
static kg_err_t on_status_line(kg_http_resp_t *r, const char *s, size_t n)
{
    if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !is_digit(s[7]) || s[8] != ' ' || s[9] < '1' ||
        s[9] > '5' || !is_digit(s[10]) || !is_digit(s[11]) || (n > 12 && s[12] != ' '))
        return KG_ERR_HTTP_SYNTAX;
    r->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    r->minor_version = s[7] - '0';
    r->state = ST_FIELD;
    return KG_HTTP_INTERIM || r->status >= 200 ? KG_OK : KG_ERR_HTTP_UNSUPPORTED;
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
    return KG_HTTP_CHUNKED ? KG_OK : KG_ERR_HTTP_UNSUPPORTED;
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

/* name[0..len) is one of names (NULL-terminated; NULL: none), ignoring case. */
static bool in_list(const char *const *names, const char *name, size_t len)
{
    for (size_t i = 0; names != NULL && names[i] != NULL; i++)
        if (same_ci(name, len, names[i], strlen(names[i]))) return true;
    return false;
}

/* Copy a kept header line down to the end of the kept lines (it lies at or
 * after it, and its copy is no longer than the line was with its LF). */
static void keep_line(kg_http_resp_t *r, const char *s, size_t n)
{
    memmove(r->buf + r->head_len, s, n);
    r->buf[r->head_len + n] = '\n';
    r->head_len += n + 1;
}

/* A framing header (kind) or a kept one, whole: s[r->name_len] is its colon. */
static inline kg_err_t on_field(kg_http_resp_t *r, const char *s, size_t n, int kind)
{
    size_t len = r->name_len;
    const char *v = s + len + 1;
    size_t vn = n - len - 1;
    kg_err_t err = KG_OK;
    r->state = ST_FIELD;
    switch (kind) {
    case FIELD_CONTENT_LENGTH: err = on_content_length(r, v, vn); break;
    case FIELD_TRANSFER_ENCODING: err = on_transfer_encoding(r, v, vn); break;
    case FIELD_CONNECTION: on_connection(r, v, vn); break;
    default: break;
    }
    if (KG_HTTP_HEADER_LOOKUP && err == KG_OK && in_list(r->keep, s, len)) keep_line(r, s, n);
    return err;
}

/* The status line, or a header read whole. */
static int on_head_line(kg_http_resp_t *r, size_t end)
{
    const char *s;
    size_t n;
    size_t took = next_line(r, end, &s, &n);
    if (took == 0) return WAIT;
    r->head_seen += took;
    kg_err_t err =
        r->state == ST_STATUS ? on_status_line(r, s, n) : on_field(r, s, n, r->field_kind);
    return err != KG_OK ? (int)err : GO;
}

static int skip_field(kg_http_resp_t *r, bool need_colon)
{
    r->state = ST_FIELD_SKIP;
    if (need_colon) r->flags |= F_NEED_COLON;
    return GO;
}

static void note_prev_blank(kg_http_resp_t *r, bool blank)
{
    r->flags = (uint8_t)(blank ? (r->flags | F_PREV_BLANK) : (r->flags & ~F_PREV_BLANK));
}

/* A dropped header whose name could be a framing one's must still be
 * "name:" with no blank before the colon. Looks for the colon in p[0..avail);
 * *from: where the search for the line end may start. */
static int check_colon(kg_http_resp_t *r, const char *p, size_t avail, size_t *from)
{
    size_t i = 0;
    while (i < avail && p[i] != ':' && p[i] != '\n')
        i++;
    *from = i;
    if (i == avail) { /* not here yet */
        if (avail > 0) note_prev_blank(r, is_blank(p[avail - 1]));
        return GO;
    }
    bool blank = i > 0 ? is_blank(p[i - 1]) : (r->flags & F_PREV_BLANK) != 0;
    if (p[i] == '\n' || blank) return KG_ERR_HTTP_SYNTAX;
    r->flags &= (uint8_t)~F_NEED_COLON;
    return GO;
}

/* Drop what has arrived of a header nobody reads, up to its line end. */
static int on_field_skip(kg_http_resp_t *r, size_t end)
{
    const char *p = r->buf + r->pos;
    size_t avail = end - r->pos, from = 0;
    if (r->flags & F_NEED_COLON) {
        int rc = check_colon(r, p, avail, &from);
        if (rc != GO) return rc;
    }
    const char *lf = memchr(p + from, '\n', avail - from);
    consume_head(r, lf != NULL ? (size_t)(lf - p) + 1 : avail);
    if (lf == NULL) return WAIT;
    r->state = ST_FIELD;
    return GO;
}

/* Initial C or T, either case: setting bit 5 turns no other byte into them. */
static bool could_frame(char initial)
{
    initial = (char)(initial | 0x20);
    return initial == 'c' || initial == 't';
}

/* s[0..n) starts with the header name word[0..len) and its colon. */
static bool starts_field(const char *s, size_t n, const char *word, size_t len)
{
    return n > len && s[len] == ':' && same_ci(s, len, word, len);
}

/* The framing header the line s[0..n) is, by its name; FIELD_KEPT: none.
 * Constant lengths: one byte test rejects most lines. */
static int framing_kind(const char *s, size_t n, bool ct)
{
    if (!ct) return FIELD_KEPT;
    if (starts_field(s, n, CONTENT_LENGTH, LEN(CONTENT_LENGTH))) return FIELD_CONTENT_LENGTH;
    if (starts_field(s, n, TRANSFER_ENCODING, LEN(TRANSFER_ENCODING)))
        return FIELD_TRANSFER_ENCODING;
    return starts_field(s, n, CONNECTION, LEN(CONNECTION)) ? FIELD_CONNECTION : FIELD_KEPT;
}

/* The line s[0..n) is a header read whole: its kind (FIELD_KEPT for a kept
 * one), -1 if it is dropped; r->name_len is its name's length. Names are
 * compared where they would end, so no colon needs looking for. */
static inline int read_kind(kg_http_resp_t *r, const char *s, size_t n, bool ct)
{
    const char *const *keep = KG_HTTP_HEADER_LOOKUP ? r->keep : NULL;
    int kind = framing_kind(s, n, ct);
    r->name_len = framing_len[kind];
    if (kind != FIELD_KEPT) return kind;
    for (size_t i = 0; keep != NULL && keep[i] != NULL; i++) {
        r->name_len = strlen(keep[i]);
        if (r->name_len != 0 && starts_field(s, n, keep[i], r->name_len)) return FIELD_KEPT;
    }
    return -1;
}

/* Read the header at p whole or drop it, by its name: the bytes up to its
 * colon, which for any header read come within r->window bytes. Lines that
 * could be a framing header (initial C or T) must be "name: value" with no
 * blank before the colon; other lines are not checked further. */
static int classify_field(kg_http_resp_t *r, const char *p, size_t avail)
{
    size_t w = avail < r->window ? avail : r->window, i = 0;
    while (i < w && p[i] != ':' && p[i] != '\n')
        i++;
    if (i == avail && avail < r->window) return WAIT; /* the name may still end in time */
    bool ct = could_frame(p[0]);
    if (i == w || p[i] == '\n') return skip_field(r, ct); /* too long to be read, or no colon */
    if (ct && is_blank(p[i - 1])) return KG_ERR_HTTP_SYNTAX;
    int kind = read_kind(r, p, i + 1, ct); /* the name and its colon */
    if (kind < 0) return skip_field(r, false);
    r->field_kind = (uint8_t)kind;
    r->state = ST_FIELD_READ;
    return GO;
}

static kg_err_t end_of_head(kg_http_resp_t *r);

/* The blank line, k bytes, ends the head. */
static int blank_line(kg_http_resp_t *r, size_t k)
{
    consume_head(r, k);
    kg_err_t err = end_of_head(r);
    return err != KG_OK ? (int)err : GO;
}

/* A header line that has arrived whole, k bytes before its LF (a CR before
 * it included): read or dropped at once, as classify_field() and the states
 * after it would. The common case (a whole head in one read) takes this way. */
static int whole_field(kg_http_resp_t *r, const char *p, size_t k)
{
    bool ct = could_frame(p[0]);
    int kind = read_kind(r, p, k, ct);
    consume_head(r, k + 1); /* p[0..k] stays where it is until the next feed */
    if (kind >= 0) {
        kg_err_t err = on_field(r, p, p[k - 1] == '\r' ? k - 1 : k, kind);
        return err != KG_OK ? (int)err : GO;
    }
    size_t name_len, vn;
    const char *v;
    return ct && !split_field(p, k, &name_len, &v, &vn) ? KG_ERR_HTTP_SYNTAX : GO;
}

/* The start of a line that has not arrived whole. */
static int part_field(kg_http_resp_t *r, const char *p, size_t avail)
{
    if (avail == 0 || (p[0] == '\r' && avail < 2)) return WAIT;
    if (is_blank(p[0])) return KG_ERR_HTTP_SYNTAX; /* obs-fold, or a stray CR */
    r->scan = r->pos + avail;                      /* no line end before that */
    return classify_field(r, p, avail);
}

/* A header line, or the blank line that ends the head. */
static int on_field_start(kg_http_resp_t *r, size_t end)
{
    const char *p = r->buf + r->pos;
    const char *lf = memchr(p, '\n', end - r->pos);
    if (lf == NULL) return part_field(r, p, end - r->pos);
    size_t k = (size_t)(lf - p);
    if (k == 0 || (k == 1 && p[0] == '\r')) return blank_line(r, k + 1);
    if (is_blank(p[0])) return KG_ERR_HTTP_SYNTAX; /* obs-fold, or a stray CR */
    return whole_field(r, p, k);
}

/* Header lines up to end, in one loop while they come whole. (end stays
 * right: the head's limit moves with r->pos.) */
static int on_fields(kg_http_resp_t *r, size_t end)
{
    int rc = GO;
    while (rc == GO && r->state == ST_FIELD)
        rc = on_field_start(r, end);
    return rc;
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
    } else if (KG_HTTP_CHUNKED && r->chunked) {
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
    if (KG_HTTP_INTERIM && r->status < 200) { /* interim reply: drop it, parse afresh */
        size_t rest = r->used - r->pos;
        const char *const *keep = r->keep;
        memmove(r->buf, r->buf + r->pos, rest);
        kg_http_resp_init(r, r->buf, r->cap, (r->flags & F_NO_BODY) != 0);
        kg_http_resp_keep(r, keep);
        r->used = rest;
        return KG_OK;
    }
    r->head_done = true;
    r->keep_alive = !(r->flags & F_CLOSE) && (r->minor_version > 0 || (r->flags & F_KEEP_ALIVE));
    return choose_framing(r);
}

static int head_handler(kg_http_resp_t *r, size_t end)
{
    switch (r->state) {
    case ST_FIELD: return on_fields(r, end);
    case ST_FIELD_SKIP: return on_field_skip(r, end);
    default: return on_head_line(r, end); /* ST_STATUS, ST_FIELD_READ */
    }
}

/* The status line (LF included) must end within CONFIG_KGIOT_HTTP_LINE_MAX
 * bytes and the head (blank line included) within CONFIG_KGIOT_HTTP_HEAD_MAX.
 * The handlers see no byte past the limit, and a head still unfinished when
 * they have seen every byte up to it is too large: the limits trip as soon
 * as they are sure to be broken, whatever the input's split. */
static int head_step(kg_http_resp_t *r)
{
    bool status = r->state == ST_STATUS;
    size_t limit = status ? (size_t)CONFIG_KGIOT_HTTP_LINE_MAX : (size_t)CONFIG_KGIOT_HTTP_HEAD_MAX;
    size_t room = limit > r->head_seen ? limit - r->head_seen : 0;
    size_t avail = r->used - r->pos;
    size_t end = r->pos + (avail < room ? avail : room);
    int rc = head_handler(r, end);
    if (rc != WAIT || r->head_seen + (end - r->pos) < limit) return rc;
    return status ? KG_ERR_HTTP_STATUS_LINE_TOO_LONG : KG_ERR_HTTP_HEADERS_TOO_LARGE;
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
    if (KG_HTTP_CHUNKED && r->chunked)
        r->state = ST_CHUNK_END;
    else
        finish(r);
    return GO;
}

static kg_err_t take_chunk_size(kg_http_resp_t *r, size_t size)
{
    if (size > r->cap - r->head_len - r->body_len) return KG_ERR_HTTP_BODY_TOO_LARGE;
    r->remaining = size;
    r->state = size != 0 ? ST_BODY : ST_TRAILERS;
    return KG_OK;
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
    return take_chunk_size(r, size);
}

/* A chunk-size line, or a trailer line (skipped up to the blank line). */
static inline int on_body_line(kg_http_resp_t *r)
{
    const char *s;
    size_t n;
    kg_err_t err = KG_OK;
    if (next_line(r, r->used, &s, &n) == 0) return WAIT;
    if (r->state == ST_CHUNK_SIZE)
        err = on_chunk_size(r, s, n);
    else if (n == 0)
        finish(r);
    return err != KG_OK ? (int)err : GO;
}

/* A chunk-size line that is only hex digits and CRLF, read where it lies
 * when it has arrived whole (the usual case): no line search. Any other
 * line, and one that came in pieces (r->scan moved), takes the line way. */
static int on_chunk_size_fast(kg_http_resp_t *r)
{
    const char *p = r->buf + r->pos;
    size_t avail = r->used - r->pos, size;
    size_t i = parse_number(p, avail, 16, &size);
    if (i == 0 || avail - i < 2 || p[i] != '\r' || p[i + 1] != '\n') return on_body_line(r);
    r->pos = r->scan = r->pos + i + 2;
    kg_err_t err = take_chunk_size(r, size);
    return err != KG_OK ? (int)err : GO;
}

/* The blank line that ends a reply without trailers, where it lies. */
static int on_last_line_fast(kg_http_resp_t *r)
{
    const char *p = r->buf + r->pos;
    if (r->used - r->pos < 2 || p[0] != '\r' || p[1] != '\n') return on_body_line(r);
    r->pos = r->scan = r->pos + 2;
    finish(r);
    return GO;
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

static int chunk_step(kg_http_resp_t *r)
{
    if (r->state == ST_CHUNK_END) return on_chunk_end(r);
    if (r->scan != r->pos) return on_body_line(r); /* a line that came in pieces */
    return r->state == ST_CHUNK_SIZE ? on_chunk_size_fast(r) : on_last_line_fast(r);
}

static int step(kg_http_resp_t *r)
{
    switch (r->state) {
    case ST_BODY: return on_body_bytes(r);
    case ST_CHUNK_END:
    case ST_CHUNK_SIZE:
    case ST_TRAILERS: return KG_HTTP_CHUNKED ? chunk_step(r) : WAIT; /* else never reached */
    case ST_DONE: return WAIT;
    default: return head_step(r);
    }
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
    size_t kept = r->head_len + r->body_len;
    if (r->pos > kept) {
        /* Move an unfinished line down to the end of what is kept. */
        size_t gap = r->pos - kept;
        memmove(r->buf + kept, r->buf + r->pos, r->used - r->pos);
        r->used -= gap;
        r->scan -= gap;
        r->pos -= gap;
    }
    if (r->used < r->cap) return KG_OK;
    /* Full, and more input needed: name the limit (a kept header or a head
     * line that does not fit in the buffer counts as too large). */
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

#if KG_HTTP_HEADER_LOOKUP /* else an inline stub in kg_http.h */
const char *kg_http_resp_header(const kg_http_resp_t *r, const char *name, size_t *len)
{
    const char *end = r->buf + r->head_len;
    size_t want = strlen(name);
    for (const char *p = r->buf; r->head_done && p < end;) {
        const char *lf = memchr(p, '\n', (size_t)(end - p)); /* every kept line ends with one */
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
#endif
