/*
 * test_certs.h - the test PKI of tests/mock/make_certs.sh (ECDSA P-256),
 * made by openssl at build time and compiled in as PEM strings, each
 * NUL-terminated with the NUL counted in its _len (as mbedTLS wants PEM).
 * Test keys only: generated per build, never committed.
 */
#ifndef TEST_CERTS_H
#define TEST_CERTS_H

#include <stddef.h>

extern const char test_ca_pem[];     /* the CA the client trusts */
extern const char test_server_pem[]; /* leaf for "localhost", from that CA */
extern const char test_server_key[];
extern const char test_wrongname_pem[]; /* leaf for "wrong.example", same CA */
extern const char test_wrongname_key[];
extern const char test_other_ca_pem[]; /* an unrelated CA */
extern const size_t test_ca_pem_len, test_server_pem_len, test_server_key_len;
extern const size_t test_wrongname_pem_len, test_wrongname_key_len, test_other_ca_pem_len;

#endif
