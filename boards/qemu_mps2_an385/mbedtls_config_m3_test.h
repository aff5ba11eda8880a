/*
 * mbedtls_config_m3_test.h - what the TEST images add to mbedtls_config_m3.h
 * (included by it when KGIOT_M3_TEST is set): an in-image TLS server for
 * kg_tls to talk to, and the pool's peak counters. Never in a product build.
 */
#ifndef KGIOT_MBEDTLS_CONFIG_M3_TEST_H
#define KGIOT_MBEDTLS_CONFIG_M3_TEST_H

#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_TICKET_C /* the server issues session tickets */
/* mbedtls_memory_buffer_alloc_max_get(): the pool figures of footprint.sh. */
#define MBEDTLS_MEMORY_DEBUG

#endif
