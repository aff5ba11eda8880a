/*
 * mbedtls_config_m3.h - mbedTLS 3.6 for kgiot on a Cortex-M3: a TLS client
 * and nothing else. A complete configuration (MBEDTLS_CONFIG_FILE), not an
 * overlay of the default one, so that every option here is a decision.
 *
 * What the client must speak: TLS 1.2 and 1.3, ECDHE with ECDSA or RSA
 * certificates (whatever chain api.kg.qq.com presents), AES-GCM, SHA-256
 * and SHA-384, X.509 parsing, session tickets, max-fragment-length; MD5 for
 * kg_auth's refresh signature. Allocation only from kg_tls's static pool
 * (MBEDTLS_MEMORY_BUFFER_ALLOC_C over CONFIG_KGIOT_TLS_POOL_SIZE).
 *
 * Switches, set by the build (tests/deps/mbedtls36_m3.sh writes them into
 * kgiot_mbedtls_build.h, which includes this file):
 *   KGIOT_M3_TLS12_ONLY      no TLS 1.3 (and so no PSA crypto): ~28 KB less code
 *   KGIOT_M3_IN_CONTENT_LEN  input record size (default 16384); 4096 needs
 *                            max-fragment-length 4096 negotiated, TLS 1.2 only
 *   KGIOT_M3_TEST            adds mbedtls_config_m3_test.h (in-image server)
 *
 * The board supplies (boards/qemu_mps2_an385/board_mbedtls.c does):
 *   mbedtls_ms_time()        MBEDTLS_PLATFORM_MS_TIME_ALT
 *   mbedtls_platform_set_time(seconds) at start-up (MBEDTLS_PLATFORM_TIME_ALT)
 *   mbedtls_hardware_poll()  TLS 1.3 only: PSA's generator needs a source; with
 *                            PSA kg_tls draws from it (TLS 1.2 only: from
 *                            its own DRBG, fed by the port)
 */
#ifndef KGIOT_MBEDTLS_CONFIG_M3_H
#define KGIOT_MBEDTLS_CONFIG_M3_H

/* NO_STD_FUNCTIONS leaves mbedTLS's printf family unbound: bind snprintf
 * to newlib's (used for X.509 names), and let debug builds use fprintf. */
#include <stdio.h>

/* ---- platform ------------------------------------------------------------ */

#define MBEDTLS_HAVE_ASM /* Thumb-2 multiply-accumulate for bignum */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
/* Without it libc's calloc/free/time() are still linked (notes, trap 2). */
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO snprintf
#define MBEDTLS_PLATFORM_FPRINTF_MACRO  fprintf
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C

/* Time: relative seconds and milliseconds are enough (ticket lifetimes,
 * TLS 1.3 ticket age). No calendar: HAVE_TIME_DATE would check certificate
 * dates against a clock an MCU without RTC/SNTP does not have at the first
 * connection, and fail every handshake (ESP-IDF's default makes the same
 * choice). */
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_PLATFORM_TIME_ALT
#define MBEDTLS_PLATFORM_MS_TIME_ALT

/* Entropy: without PSA (TLS 1.2 only) kg_tls registers port->random; with
 * PSA, mbedtls_hardware_poll() feeds PSA's generator, which kg_tls uses. */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* ---- symmetric crypto and hashes -------------------------------------------- */

#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES   /* tables in flash, not 8 KB of RAM */
#define MBEDTLS_AES_FEWER_TABLES /* 2 KB of tables instead of 8 KB */
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_MD5_C /* kg_auth: the refresh signature */
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA384_C /* *-GCM-SHA384 suites and P-384 chains */
#define MBEDTLS_SHA512_C /* SHA-384's implementation */
#define MBEDTLS_SHA512_SMALLER

/* ---- public keys and certificates --------------------------------------------- */

#define MBEDTLS_BIGNUM_C
#define MBEDTLS_MPI_MAX_SIZE 512 /* RSA up to 4096 bits in a CA chain */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_WINDOW_SIZE       2 /* RAM over speed */
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0 /* no precomputed tables */
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED /* X25519, the usual ECDHE choice */
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C /* the CA may be given as PEM */
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_REMOVE_INFO /* no human-readable dumps: code and strings saved */

/* ---- TLS ------------------------------------------------------------------- */

#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
/* MBEDTLS_SSL_KEEP_PEER_CERTIFICATE stays off with TLS 1.2 only: the peer's
 * chain is verified during the handshake and not needed after it, and its
 * parsed copy would hold pool memory for the whole session. (3.6's TLS 1.3
 * code requires it.) */

#ifndef KGIOT_M3_IN_CONTENT_LEN
#define KGIOT_M3_IN_CONTENT_LEN 16384 /* the server picks the record size */
#endif
#define MBEDTLS_SSL_IN_CONTENT_LEN  KGIOT_M3_IN_CONTENT_LEN
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096 /* requests are small */

#if !defined(KGIOT_M3_TLS12_ONLY)
/* TLS 1.3 runs on PSA crypto; PSA has a generator of its own, fed by
 * mbedtls_hardware_poll(). RSA certificates are signed with PSS there. */
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE /* middleboxes expect 1.2-looking records */
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED /* ticket resumption */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_USE_PSA_CRYPTO
/* Every buffer kgiot hands PSA is its own (one address space, no memory
 * shared with another party): without this, PSA copies each record in and
 * out through the pool, and a full 16 KB record fails with
 * MBEDTLS_ERR_SSL_ALLOC_FAILED in the default pool (test_tls_pair). */
#define MBEDTLS_PSA_ASSUME_EXCLUSIVE_BUFFERS
#define MBEDTLS_HKDF_C
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#endif

#if defined(KGIOT_M3_TEST)
#include "mbedtls_config_m3_test.h"
#endif

#endif
