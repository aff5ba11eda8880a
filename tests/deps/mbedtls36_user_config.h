/*
 * kgiot: mbedTLS 3.6 user configuration overlay for the host test suite.
 *
 * Passed to the mbedTLS build as -DMBEDTLS_USER_CONFIG_FILE=... by
 * tests/deps/mbedtls36.sh.  mbedtls/build_info.h includes this file right
 * AFTER the default include/mbedtls/mbedtls_config.h and BEFORE the
 * config_adjust_*.h / check_config.h headers, so we may #define and #undef
 * options here and mbedTLS still validates the result.
 *
 * IMPORTANT for consumers: every translation unit that includes an mbedTLS
 * header must see the same configuration as the library was built with.
 * Compile with -I<prefix>/include -DMBEDTLS_USER_CONFIG_FILE='"mbedtls36_user_config.h"'
 * (the script installs a copy of this file as <prefix>/include/mbedtls36_user_config.h;
 * the installed CMake package MbedTLS::* also carries that define).  Without it
 * the headers describe the stock config (no PLATFORM_MEMORY, no buffer allocator)
 * and the code silently disagrees with the library.
 *
 * Checked against the default config of Debian trixie's mbedtls 3.6.6
 * (include/mbedtls/mbedtls_config.h):
 *   off by default, enabled here: MBEDTLS_MEMORY_BUFFER_ALLOC_C,
 *       MBEDTLS_PLATFORM_MEMORY, MBEDTLS_MEMORY_DEBUG
 *   on by default, kept (guarded below, not redefined):
 *       MBEDTLS_SSL_PROTO_TLS1_2, MBEDTLS_SSL_PROTO_TLS1_3,
 *       MBEDTLS_SSL_SESSION_TICKETS, MBEDTLS_SSL_TICKET_C,
 *       MBEDTLS_SSL_MAX_FRAGMENT_LENGTH, MBEDTLS_MD5_C,
 *       MBEDTLS_SSL_SERVER_NAME_INDICATION, MBEDTLS_PLATFORM_C,
 *       MBEDTLS_PSA_CRYPTO_C (TLS 1.3 requires it; call psa_crypto_init()
 *       before any handshake)
 *   off by default, kept off: MBEDTLS_THREADING_C, MBEDTLS_THREADING_PTHREAD
 *       (note: Debian's own binary package turns these ON in debian/rules;
 *       we use the upstream default, not Debian's build config),
 *       MBEDTLS_MEMORY_BACKTRACE (needs execinfo.h)
 *   no clash: MBEDTLS_PLATFORM_{STD_,}CALLOC/FREE{,_MACRO} and
 *       MBEDTLS_PLATFORM_NO_STD_FUNCTIONS are all unset in the default
 *       config, so PLATFORM_MEMORY keeps the runtime-settable
 *       mbedtls_calloc/mbedtls_free pointers that
 *       mbedtls_memory_buffer_alloc_init() installs.
 */
#ifndef KGIOT_MBEDTLS36_USER_CONFIG_H
#define KGIOT_MBEDTLS36_USER_CONFIG_H

/* ---- static-pool allocation ------------------------------------------ */

/* mbedtls_calloc/mbedtls_free become function pointers (platform.c). */
#define MBEDTLS_PLATFORM_MEMORY
/* mbedtls_memory_buffer_alloc_init(buf, len): serve all allocations from buf. */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* mbedtls_memory_buffer_alloc_{max,cur,count}_get(): peak/current usage. */
#define MBEDTLS_MEMORY_DEBUG

/*
 * The buffer allocator rounds every block (and its in-pool header, which
 * holds size_t and pointers) to MBEDTLS_MEMORY_ALIGN_MULTIPLE, default 4.
 * On a 64-bit host that hands out 4-aligned pointers and misaligned
 * headers (UBSan -fsanitize=alignment reports it).  Use 8 on 64-bit hosts;
 * 32-bit targets keep the default 4.
 */
#if !defined(MBEDTLS_MEMORY_ALIGN_MULTIPLE) && defined(__SIZEOF_POINTER__) && __SIZEOF_POINTER__ > 4
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 8
#endif

/* ---- keep off ---------------------------------------------------------- */

/* The buffer allocator would need a mutex; our code is single-threaded. */
#undef MBEDTLS_THREADING_C
#undef MBEDTLS_THREADING_PTHREAD
#undef MBEDTLS_MEMORY_BACKTRACE

/* ---- must stay on (all on in the 3.6 default config) ------------------- */

#if !defined(MBEDTLS_PLATFORM_C)
#error "kgiot: MBEDTLS_PLATFORM_C expected on in the default config"
#endif
#if !defined(MBEDTLS_SSL_PROTO_TLS1_2)
#error "kgiot: MBEDTLS_SSL_PROTO_TLS1_2 expected on in the default config"
#endif
#if !defined(MBEDTLS_SSL_PROTO_TLS1_3)
#error "kgiot: MBEDTLS_SSL_PROTO_TLS1_3 expected on in the default config"
#endif
#if !defined(MBEDTLS_PSA_CRYPTO_C)
#error "kgiot: MBEDTLS_PSA_CRYPTO_C expected on in the default config"
#endif
#if !defined(MBEDTLS_SSL_SESSION_TICKETS)
#error "kgiot: MBEDTLS_SSL_SESSION_TICKETS expected on in the default config"
#endif
#if !defined(MBEDTLS_SSL_TICKET_C)
#error "kgiot: MBEDTLS_SSL_TICKET_C expected on in the default config"
#endif
#if !defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
#error "kgiot: MBEDTLS_SSL_MAX_FRAGMENT_LENGTH expected on in the default config"
#endif
#if !defined(MBEDTLS_MD5_C)
#error "kgiot: MBEDTLS_MD5_C expected on in the default config"
#endif
#if !defined(MBEDTLS_SSL_SERVER_NAME_INDICATION)
#error "kgiot: MBEDTLS_SSL_SERVER_NAME_INDICATION expected on in the default config"
#endif

/* A device sends small requests: a 4 KB output record (as on the MCU build)
 * instead of 16 KB keeps the pool near CONFIG_KGIOT_TLS_POOL_SIZE's default.
 * Input stays 16 KB because the server decides its record size (unless
 * max-fragment-length is negotiated). */
#undef MBEDTLS_SSL_OUT_CONTENT_LEN
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

/* Every buffer kgiot hands PSA is its own (one address space, no memory
 * shared with another party): without this, PSA copies each TLS 1.3 record
 * in and out through the allocator, so a 16 KB record needs another 32 KB
 * of pool at the worst moment. */
#define MBEDTLS_PSA_ASSUME_EXCLUSIVE_BUFFERS

#endif /* KGIOT_MBEDTLS36_USER_CONFIG_H */
