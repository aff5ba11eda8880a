/*
 * crypto_config_m3.h - TF-PSA-Crypto 1.0 (the cryptography of Mbed TLS 4.0)
 * for kgiot on a Cortex-M3: what the TLS client of mbedtls4_config_m3.h and
 * kg_auth's MD5 need, and nothing else. A complete configuration
 * (TF_PSA_CRYPTO_CONFIG_FILE) that mirrors mbedtls_config_m3.h's choices for
 * 3.6: same curves, ciphers, hashes, table sizes and static pool.
 *
 * The board supplies (boards/qemu_mps2_an385/board_port.c does):
 *   mbedtls_ms_time()               MBEDTLS_PLATFORM_MS_TIME_ALT
 *   mbedtls_platform_set_time()     at start-up (MBEDTLS_PLATFORM_TIME_ALT)
 *   mbedtls_platform_get_entropy()  MBEDTLS_PSA_DRIVER_GET_ENTROPY: PSA's
 *                                   generator (the only one TLS uses in 4.x)
 */
#ifndef KGIOT_CRYPTO_CONFIG_M3_H
#define KGIOT_CRYPTO_CONFIG_M3_H

#include <stdio.h> /* MBEDTLS_PLATFORM_SNPRINTF_MACRO below */

#define TF_PSA_CRYPTO_CONFIG_VERSION 0x01000000

/* ---- mechanisms (PSA_WANT_*) ----------------------------------------------- */

#define PSA_WANT_ALG_ECDH                       1
#define PSA_WANT_ALG_ECDSA                      1
#define PSA_WANT_ALG_GCM                        1
#define PSA_WANT_ALG_HMAC                       1
#define PSA_WANT_ALG_MD5                        1 /* kg_auth: the refresh signature */
#define PSA_WANT_ALG_RSA_PKCS1V15_SIGN          1
#define PSA_WANT_ALG_SHA_256                    1
#define PSA_WANT_ALG_SHA_384                    1 /* *-GCM-SHA384 suites and P-384 chains */
#define PSA_WANT_ALG_TLS12_PRF                  1
#define PSA_WANT_ECC_SECP_R1_256                1
#define PSA_WANT_ECC_SECP_R1_384                1
#define PSA_WANT_ECC_MONTGOMERY_255             1 /* X25519, the usual ECDHE choice */
#define PSA_WANT_KEY_TYPE_AES                   1
#define PSA_WANT_KEY_TYPE_DERIVE                1
#define PSA_WANT_KEY_TYPE_HMAC                  1
#define PSA_WANT_KEY_TYPE_RAW_DATA              1
#define PSA_WANT_KEY_TYPE_ECC_PUBLIC_KEY        1
#define PSA_WANT_KEY_TYPE_RSA_PUBLIC_KEY        1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_BASIC    1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_IMPORT   1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_EXPORT   1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_GENERATE 1 /* ephemeral ECDHE keys */
/* Asked for by 4.0's check_config for ECDHE-RSA (and for RSA-PSS in X.509)
 * though a client only verifies: the linker drops what is not called. */
#define PSA_WANT_KEY_TYPE_RSA_KEY_PAIR_BASIC 1
#define PSA_WANT_ALG_RSA_PKCS1V15_CRYPT      1
#if !defined(KGIOT_M3_TLS12_ONLY)
#define PSA_WANT_ALG_HKDF         1 /* TLS 1.3 key schedule */
#define PSA_WANT_ALG_HKDF_EXTRACT 1
#define PSA_WANT_ALG_HKDF_EXPAND  1
#define PSA_WANT_ALG_RSA_PSS      1
#define PSA_WANT_ALG_RSA_OAEP     1 /* check_config, for MBEDTLS_X509_RSASSA_PSS_SUPPORT */
#endif

/* ---- platform and memory ----------------------------------------------------- */

#define MBEDTLS_HAVE_ASM /* Thumb-2 multiply-accumulate for bignum */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS /* no libc calloc/free/time() linked */
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO   snprintf
#define MBEDTLS_PLATFORM_FPRINTF_MACRO    fprintf
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* Relative time only, no calendar (mbedtls_config_m3.h says why). */
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_PLATFORM_TIME_ALT
#define MBEDTLS_PLATFORM_MS_TIME_ALT

/* ---- PSA core and its generator ---------------------------------------------- */

#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_DRIVER_GET_ENTROPY /* the board's mbedtls_platform_get_entropy() */
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_PSA_KEY_SLOT_COUNT 16 /* a handshake holds a handful of keys */
/* Every buffer kgiot hands PSA is its own (one address space): without
 * this, PSA copies each record in and out through the pool, and a full
 * 16 KB record fails with MBEDTLS_ERR_SSL_ALLOC_FAILED in the default pool
 * (test_tls_pair). */
#define MBEDTLS_PSA_ASSUME_EXCLUSIVE_BUFFERS

/* ---- what X.509 and TLS parse ------------------------------------------------- */

#define MBEDTLS_MD_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C /* the CA may be given as PEM */

/* ---- sizes over speed, as for 3.6 ----------------------------------------------- */

#define MBEDTLS_AES_ROM_TABLES   /* tables in flash, not 8 KB of RAM */
#define MBEDTLS_AES_FEWER_TABLES /* 2 KB of tables instead of 8 KB */
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_SMALLER
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_WINDOW_SIZE       2   /* RAM over speed */
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0   /* no precomputed tables */
#define MBEDTLS_MPI_MAX_SIZE          512 /* RSA up to 4096 bits in a CA chain */

#if defined(KGIOT_M3_TEST)
#define MBEDTLS_MEMORY_DEBUG /* mbedtls_memory_buffer_alloc_max_get(): the pool figures */
#endif

#endif
