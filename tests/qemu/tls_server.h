/*
 * tls_server.h - an mbedTLS server inside the test image, for kg_tls to
 * talk to over an in-memory pipe. It decrypts what the client sends and
 * forwards the plain bytes to an application transport (the scripted
 * platform of fake_platform.c), and encrypts that transport's answers.
 *
 * Single-threaded: the server moves only when the client's end of the pipe
 * needs it to (a recv finding nothing to read pumps the server). It
 * allocates from the libc heap, never from kg_tls's pool, so the pool's
 * counters measure the client alone (see tls_server.c).
 */
#ifndef TLS_SERVER_H
#define TLS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kg_transport.h"

typedef struct {
    const char *cert; /* PEM, NUL counted in the length */
    size_t cert_len;
    const char *key;
    size_t key_len;
    bool tls12_only; /* cap the server at TLS 1.2 */
    /* A server that ignores the client's max-fragment-length (TLS 1.2): it
     * answers without the extension. */
    bool ignore_mfl;
    /* After each handshake, a 16 KB application record (a full-size
     * AES-GCM record: header, then 16,408 zero bytes), as a server sends one
     * for a large reply, or one that ignored max-fragment-length. A client
     * with 4 KB input records refuses it at its header; one with 16 KB reads
     * it whole and fails at the tag. This image's server cannot encrypt
     * records over its own 4 KB output length. */
    bool oversized_record;
} tls_server_config_t;

typedef struct {
    int last_err;        /* mbedTLS code that ended the last connection; 0 none */
    uint32_t handshakes; /* completed */
    int version;         /* mbedtls_ssl_protocol_version of the last handshake */
    int mfl_code;        /* max-fragment-length the client negotiated (0 none) */
} tls_server_stats_t;

extern tls_server_stats_t tls_server_stats;

/* The client's end of the pipe: open() is a new TCP connection to the server. */
extern const kg_transport_t tls_server_pipe;

/* Set the server up behind app (which must outlive it). 0 or an mbedTLS code. */
int tls_server_start(const tls_server_config_t *cfg, const kg_transport_t *app);
void tls_server_stop(void);

/* Close the connection from the server's side (close_notify), as a server
 * does with an idle keep-alive connection. */
void tls_server_close_idle(void);

#endif
