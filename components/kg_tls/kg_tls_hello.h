/*
 * kg_tls_hello.h - kg_tls's reader of the server's first TLS record (inside
 * kg_tls; not part of its public API): does the ServerHello carry the
 * max_fragment_length extension (RFC 6066), i.e. did the server agree to
 * the smaller records kg_tls asked for? mbedTLS checks the extension but
 * does not tell. Fed the raw bytes as they arrive, in any pieces; reads
 * nothing after the ServerHello and keeps no copy. The state type is
 * kg_tls_hello_t in kg_tls.h.
 */
#ifndef KG_TLS_HELLO_H
#define KG_TLS_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "kg_tls.h"

typedef enum {
    KG_TLS_HELLO_PENDING, /* the ServerHello is not complete yet */
    KG_TLS_HELLO_AGREED,  /* it carries max_fragment_length */
    KG_TLS_HELLO_ABSENT,  /* it ends without one */
    KG_TLS_HELLO_UNKNOWN, /* not a TLS 1.2 ServerHello in one record (or malformed) */
} kg_tls_hello_verdict_t;

void kg_tls_hello_start(kg_tls_hello_t *h);
void kg_tls_hello_feed(kg_tls_hello_t *h, const uint8_t *p, size_t n);
kg_tls_hello_verdict_t kg_tls_hello_verdict(const kg_tls_hello_t *h);

#endif
