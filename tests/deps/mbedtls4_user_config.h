/*
 * kgiot: Mbed TLS 4.0 (TLS part) user configuration overlay for the host
 * test suite. tests/deps/mbedtls4.sh builds the library with it
 * (-DMBEDTLS_USER_CONFIG_FILE); every consumer must compile with the same
 * define (components/external.cmake adds it when it finds this file in the
 * prefix). The cryptography options (static pool, PSA) live in
 * mbedtls4_crypto_user_config.h, TF-PSA-Crypto's own overlay.
 */
#ifndef KGIOT_MBEDTLS4_USER_CONFIG_H
#define KGIOT_MBEDTLS4_USER_CONFIG_H

/* ---- must stay on (all on in the 4.0 default config) ------------------- */

#if !defined(MBEDTLS_SSL_PROTO_TLS1_2) || !defined(MBEDTLS_SSL_PROTO_TLS1_3)
#error "kgiot: TLS 1.2 and 1.3 expected on in the default config"
#endif
#if !defined(MBEDTLS_SSL_SESSION_TICKETS) || !defined(MBEDTLS_SSL_TICKET_C)
#error "kgiot: session tickets expected on in the default config"
#endif
#if !defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
#error "kgiot: MBEDTLS_SSL_MAX_FRAGMENT_LENGTH expected on in the default config"
#endif
#if !defined(MBEDTLS_SSL_SERVER_NAME_INDICATION)
#error "kgiot: MBEDTLS_SSL_SERVER_NAME_INDICATION expected on in the default config"
#endif

/* As for 3.6: a device sends small requests, so a 4 KB output record; input
 * stays 16 KB because the server picks its record size. */
#undef MBEDTLS_SSL_OUT_CONTENT_LEN
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

#endif /* KGIOT_MBEDTLS4_USER_CONFIG_H */
