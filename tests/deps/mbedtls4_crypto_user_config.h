/*
 * kgiot: TF-PSA-Crypto 1.0 (the cryptography of Mbed TLS 4.0) user
 * configuration overlay for the host test suite. tests/deps/mbedtls4.sh
 * builds the library with it (-DTF_PSA_CRYPTO_USER_CONFIG_FILE); consumers
 * compile with the same define (components/external.cmake adds it).
 *
 * Against the default psa/crypto_config.h of TF-PSA-Crypto 1.0.0:
 *   off by default, on here: MBEDTLS_PLATFORM_MEMORY,
 *       MBEDTLS_MEMORY_BUFFER_ALLOC_C, MBEDTLS_MEMORY_DEBUG (the static pool
 *       and its peak counter, as in the 3.6 build)
 *   on by default, kept: MBEDTLS_PSA_CRYPTO_C, PSA_WANT_ALG_MD5 (the refresh
 *       signature), MBEDTLS_PSA_BUILTIN_GET_ENTROPY (getrandom on Linux)
 *   off by default, kept off: MBEDTLS_THREADING_C
 *   on by default, off here: MBEDTLS_PSA_CRYPTO_STORAGE_C and
 *       MBEDTLS_PSA_ITS_FILE_C: kgiot keeps no persistent keys, and the file
 *       backend would write key files into the working directory.
 */
#ifndef KGIOT_MBEDTLS4_CRYPTO_USER_CONFIG_H
#define KGIOT_MBEDTLS4_CRYPTO_USER_CONFIG_H

#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
#define MBEDTLS_MEMORY_DEBUG

/* Pool blocks aligned for 64-bit hosts (UBSan checks alignment). */
#if !defined(MBEDTLS_MEMORY_ALIGN_MULTIPLE) && defined(__SIZEOF_POINTER__) && __SIZEOF_POINTER__ > 4
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 8
#endif

/* Every buffer kgiot hands PSA is its own (one address space, no memory
 * shared with another party): without this, PSA copies each TLS record in
 * and out through the allocator, so a 16 KB record (a gateway's cookies)
 * needs another 32 KB of pool at the worst moment. */
#define MBEDTLS_PSA_ASSUME_EXCLUSIVE_BUFFERS

#undef MBEDTLS_THREADING_C
#undef MBEDTLS_THREADING_PTHREAD
#undef MBEDTLS_MEMORY_BACKTRACE
#undef MBEDTLS_PSA_CRYPTO_STORAGE_C
#undef MBEDTLS_PSA_ITS_FILE_C

#if !defined(MBEDTLS_PSA_CRYPTO_C) || !defined(PSA_WANT_ALG_MD5)
#error "kgiot: MBEDTLS_PSA_CRYPTO_C and PSA_WANT_ALG_MD5 expected on in the default config"
#endif

#endif /* KGIOT_MBEDTLS4_CRYPTO_USER_CONFIG_H */
