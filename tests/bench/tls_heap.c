/*
 * tls_heap - peak memory mbedTLS uses for one TLS handshake + user-token
 * exchange through kg_auth/kg_tls. Heap via calloc/free wrappers (linked
 * with -Wl,--wrap=calloc,--wrap=free against static mbedTLS), or the static
 * pool's own peak counter when mbedTLS has a buffer allocator with debug.
 *   tls_heap BASE_URL CA_FILE APPID SECRET CODE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kg_auth.h"
#include "kg_port_posix.h"
#include "kg_tcp.h"
#include "kg_tls.h"

#include <mbedtls/version.h>

#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C) && defined(MBEDTLS_MEMORY_DEBUG)
#include <mbedtls/memory_buffer_alloc.h>
#define HAVE_POOL_STATS 1
#endif

void *__real_calloc(size_t n, size_t size);
void __real_free(void *p);
void *__wrap_calloc(size_t n, size_t size);
void __wrap_free(void *p);

static size_t live, peak, count;

/* A size header in front of every block lets free() account for it. */
void *__wrap_calloc(size_t n, size_t size)
{
    size_t bytes = n * size;
    size_t *p = __real_calloc(1, bytes + sizeof(size_t) * 2);
    if (!p) return NULL;
    p[0] = bytes;
    live += bytes;
    count++;
    if (live > peak) peak = live;
    return p + 2;
}

void __wrap_free(void *ptr)
{
    if (!ptr) return;
    size_t *p = (size_t *)ptr - 2;
    live -= p[0];
    __real_free(p);
}

static kg_port_t port;
static kg_tcp_t tcp;
static kg_tls_t tls;
static kg_auth_t auth;
static kg_transport_t tcp_tr, tls_tr;
static kg_http_url_t url;
static kg_token_reply_t reply;
static uint8_t ca[65536];

int main(int argc, char **argv)
{
    bool is_tls;
    if (argc != 6) return 2;
    FILE *f = fopen(argv[2], "rb");
    if (!f) return 2;
    size_t n = fread(ca, 1, sizeof ca - 1, f);
    fclose(f);
    kg_tls_config_t tls_cfg = {.ca = ca, .ca_len = n + 1};
    kg_port_posix_init(&port, KG_LOG_WARN);
    kg_tcp_init(&tcp, &port, &tcp_tr);
    kg_err_t err = kg_http_parse_url(argv[1], &url, &is_tls);
    if (err == KG_OK) err = kg_tls_pool_init();
    if (err == KG_OK) err = kg_tls_init(&tls, &tls_cfg, &port, &tcp_tr, &tls_tr);
    kg_auth_config_t cfg = {
        .host = url.host, .port = url.port, .appid = argv[3], .secret = argv[4]};
    if (err == KG_OK) err = kg_auth_init(&auth, &cfg, &port, &tls_tr);
    if (err == KG_OK) err = kg_auth_user_token(&auth, argv[5], &reply);
    printf("result: %s\n", kg_err_name(err));
    printf("mbedTLS version: %s\n", MBEDTLS_VERSION_STRING);
    printf("heap (calloc) peak: %zu bytes in %zu allocations\n", peak, count);
#ifdef HAVE_POOL_STATS
    size_t pool_peak, pool_blocks;
    mbedtls_memory_buffer_alloc_max_get(&pool_peak, &pool_blocks);
    printf("static pool peak: %zu bytes in %zu blocks (pool %d bytes)\n", pool_peak, pool_blocks,
           CONFIG_KGIOT_TLS_POOL_SIZE);
#endif
    kg_auth_close(&auth);
    kg_tls_free(&tls);
    return err == KG_OK ? 0 : 1;
}
