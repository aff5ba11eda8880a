/*
 * mbedtls4_config_m3.h - Mbed TLS 4.0's TLS and X.509 part for kgiot on a
 * Cortex-M3: the same TLS client as mbedtls_config_m3.h (3.6), in 4.x's
 * names. A complete configuration (MBEDTLS_CONFIG_FILE). The cryptography
 * (PSA mechanisms, static pool, entropy) is TF-PSA-Crypto's and lives in its
 * own file, crypto_config_m3.h (TF_PSA_CRYPTO_CONFIG_FILE).
 *
 * Switches, set by the build (tests/deps/mbedtls4_m3.sh writes them into
 * kgiot_mbedtls_build.h and kgiot_crypto_build.h, which include the two
 * configurations): KGIOT_M3_TLS12_ONLY, KGIOT_M3_IN_CONTENT_LEN and
 * KGIOT_M3_TEST, as for 3.6 (mbedtls_config_m3.h says what they do).
 */
#ifndef KGIOT_MBEDTLS4_CONFIG_M3_H
#define KGIOT_MBEDTLS4_CONFIG_M3_H

#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_REMOVE_INFO /* no human-readable dumps: code and strings saved */

#ifndef KGIOT_M3_IN_CONTENT_LEN
#define KGIOT_M3_IN_CONTENT_LEN 16384 /* the server picks the record size */
#endif
#define MBEDTLS_SSL_IN_CONTENT_LEN  KGIOT_M3_IN_CONTENT_LEN
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096 /* requests are small */

#if !defined(KGIOT_M3_TLS12_ONLY)
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE /* middleboxes expect 1.2-looking records */
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED /* ticket resumption */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT                            /* TLS 1.3 signs RSA with PSS */
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#endif

#if defined(KGIOT_M3_TEST) /* the in-image server of the test images; never in a product */
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_TICKET_C
#endif

#endif
