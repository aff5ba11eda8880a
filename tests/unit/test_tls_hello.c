/*
 * test_tls_hello.c - kg_tls's reader of the server's first record: does the
 * ServerHello carry max_fragment_length? Every record is fed whole, byte by
 * byte, and split in two at every boundary; the verdict must not change.
 */
#include <string.h>

#include "kg_test.h"
#include "kg_tls_hello.h"

/* A TLS 1.2 ServerHello record: 32-byte session id, ECDHE-ECDSA-AES128-GCM,
 * then the extensions given, then the start of the next handshake message
 * (in the same record, as servers send it): the reader must stop before it. */
static size_t server_hello(uint8_t *out, const uint8_t *ext, size_t ext_len, int with_ext_block)
{
    static const uint8_t next_msg[] = {0x0b, 0x00, 0x01, 0x00, 0xAA, 0xBB};
    size_t body = 2 + 32 + 1 + 32 + 3 + (with_ext_block ? 2 + ext_len : 0);
    size_t n = 0, rec = 4 + body + sizeof next_msg;
    uint8_t head[] = {
        22, 3, 3, (uint8_t)(rec >> 8), (uint8_t)rec, 2, 0, (uint8_t)(body >> 8), (uint8_t)body,
        3,  3};
    memcpy(out, head, sizeof head);
    n = sizeof head;
    memset(out + n, 0x5A, 32); /* random */
    n += 32;
    out[n++] = 32; /* session id */
    memset(out + n, 0x11, 32);
    n += 32;
    out[n++] = 0xC0, out[n++] = 0x2B, out[n++] = 0; /* suite, compression */
    if (with_ext_block) {
        out[n++] = (uint8_t)(ext_len >> 8), out[n++] = (uint8_t)ext_len;
        memcpy(out + n, ext, ext_len);
        n += ext_len;
    }
    memcpy(out + n, next_msg, sizeof next_msg);
    return n + sizeof next_msg;
}

static kg_tls_hello_verdict_t read_split(const uint8_t *p, size_t n, size_t cut)
{
    kg_tls_hello_t h;
    kg_tls_hello_start(&h);
    kg_tls_hello_feed(&h, p, cut);
    kg_tls_hello_feed(&h, p + cut, n - cut);
    return kg_tls_hello_verdict(&h);
}

static kg_tls_hello_verdict_t read_bytewise(const uint8_t *p, size_t n)
{
    kg_tls_hello_t h;
    kg_tls_hello_start(&h);
    for (size_t i = 0; i < n; i++)
        kg_tls_hello_feed(&h, p + i, 1);
    return kg_tls_hello_verdict(&h);
}

/* The verdict, the same however the record is cut; n = 0: checks nothing. */
static void check_everywhere(const uint8_t *p, size_t n, kg_tls_hello_verdict_t want)
{
    KG_CHECK_EQ(read_bytewise(p, n), want);
    int same = 1;
    for (size_t cut = 0; cut <= n; cut++)
        same &= read_split(p, n, cut) == want;
    KG_CHECK(same);
}

static const uint8_t ext_reneg[] = {0xFF, 0x01, 0x00, 0x01, 0x00};
static const uint8_t ext_mfl[] = {0x00, 0x01, 0x00, 0x01, 0x04};
static const uint8_t ext_ems[] = {0x00, 0x17, 0x00, 0x00};
static const uint8_t none[1] = {0}; /* an empty piece (memcpy wants a pointer) */

static size_t join(uint8_t *out, const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                   const uint8_t *c, size_t nc)
{
    memcpy(out, a, na);
    memcpy(out + na, b, nb);
    memcpy(out + na + nb, c, nc);
    return na + nb + nc;
}

static void test_agreed(void)
{
    uint8_t ext[32], rec[256];
    size_t e =
        join(ext, ext_reneg, sizeof ext_reneg, ext_mfl, sizeof ext_mfl, ext_ems, sizeof ext_ems);
    check_everywhere(rec, server_hello(rec, ext, e, 1), KG_TLS_HELLO_AGREED);
    e = join(ext, ext_mfl, sizeof ext_mfl, none, 0, none, 0); /* first and only */
    check_everywhere(rec, server_hello(rec, ext, e, 1), KG_TLS_HELLO_AGREED);
    e = join(ext, ext_ems, sizeof ext_ems, ext_reneg, sizeof ext_reneg, ext_mfl,
             sizeof ext_mfl); /* after an empty extension, last */
    check_everywhere(rec, server_hello(rec, ext, e, 1), KG_TLS_HELLO_AGREED);
}

static void test_absent(void)
{
    uint8_t ext[32], rec[256];
    size_t e = join(ext, ext_reneg, sizeof ext_reneg, ext_ems, sizeof ext_ems, none, 0);
    check_everywhere(rec, server_hello(rec, ext, e, 1), KG_TLS_HELLO_ABSENT);
    check_everywhere(rec, server_hello(rec, ext, 0, 1), KG_TLS_HELLO_ABSENT); /* empty block */
    check_everywhere(rec, server_hello(rec, ext, 0, 0), KG_TLS_HELLO_ABSENT); /* no block */
    /* max_fragment_length's number inside another extension's body is not it */
    static const uint8_t decoy[] = {0xFF, 0x01, 0x00, 0x04, 0x00, 0x01, 0x00, 0x01};
    check_everywhere(rec, server_hello(rec, decoy, sizeof decoy, 1), KG_TLS_HELLO_ABSENT);
}

static void test_not_a_server_hello(void)
{
    uint8_t rec[256];
    size_t n = server_hello(rec, ext_mfl, sizeof ext_mfl, 1);
    uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
    check_everywhere(alert, sizeof alert, KG_TLS_HELLO_UNKNOWN);
    rec[5] = 1; /* a ClientHello */
    check_everywhere(rec, n, KG_TLS_HELLO_UNKNOWN);
    rec[5] = 2;
    rec[4] = 20; /* the record ends inside the ServerHello */
    check_everywhere(rec, n, KG_TLS_HELLO_UNKNOWN);
}

static void test_malformed_lengths(void)
{
    uint8_t ext[32], rec[256];
    size_t e = join(ext, ext_reneg, sizeof ext_reneg, ext_mfl, sizeof ext_mfl, none, 0);
    size_t n = server_hello(rec, ext, e, 1);
    size_t ext_len_at = 5 + 4 + 2 + 32 + 1 + 32 + 3;
    rec[ext_len_at + 1] = 3; /* the extension block ends inside the first extension */
    check_everywhere(rec, n, KG_TLS_HELLO_UNKNOWN);
    rec[ext_len_at + 1] = (uint8_t)e;
    rec[ext_len_at + 2 + 3] = 0xF0; /* the first extension runs past the message */
    check_everywhere(rec, n, KG_TLS_HELLO_UNKNOWN);
    rec[ext_len_at + 2 + 3] = 1;
    rec[5 + 4 + 2 + 32] = 0xFF; /* a session id longer than the message */
    check_everywhere(rec, n, KG_TLS_HELLO_UNKNOWN);
}

/* Nothing but the start: the verdict waits. */
static void test_pending_until_complete(void)
{
    uint8_t rec[256];
    size_t n = server_hello(rec, ext_ems, sizeof ext_ems, 1);
    kg_tls_hello_t h;
    kg_tls_hello_start(&h);
    kg_tls_hello_feed(&h, rec, n - 7); /* all but the last extension byte */
    KG_CHECK_EQ(kg_tls_hello_verdict(&h), KG_TLS_HELLO_PENDING);
    kg_tls_hello_feed(&h, rec + n - 7, 7);
    KG_CHECK_EQ(kg_tls_hello_verdict(&h), KG_TLS_HELLO_ABSENT);
}

int main(void)
{
    KG_RUN(test_agreed);
    KG_RUN(test_absent);
    KG_RUN(test_not_a_server_hello);
    KG_RUN(test_malformed_lengths);
    KG_RUN(test_pending_until_complete);
    return kg_test_summary();
}
