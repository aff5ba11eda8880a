/*
 * kgiot: smoke test for the mbedTLS 3.6 build made by tests/deps/mbedtls36.sh.
 *
 * Build (the script does this):
 *   cc -I<prefix>/include -DMBEDTLS_USER_CONFIG_FILE='"mbedtls36_user_config.h"' \
 *      check_mbedtls36.c <prefix>/lib/libmbedtls.a <prefix>/lib/libmbedx509.a \
 *      <prefix>/lib/libmbedcrypto.a
 *
 * Prints the version, runs mbedTLS from a static 64 KB pool, computes
 * MD5("abc") through the legacy API and through PSA, and checks that every
 * pool block is returned.  Exit status 0 on success.
 */
#include <stdio.h>
#include <string.h>

#include "mbedtls/build_info.h"
#include "mbedtls/md5.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/version.h"
#include "psa/crypto.h"

/* Catch the two ways of picking up the wrong headers: the system's
 * /usr/include/mbedtls (2.28 on bookworm) or a missing user-config define. */
#if MBEDTLS_VERSION_MAJOR != 3 || MBEDTLS_VERSION_MINOR != 6
#error "expected mbedTLS 3.6 headers (is -I<prefix>/include first?)"
#endif
#if !defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C) || !defined(MBEDTLS_PLATFORM_MEMORY) ||                \
    !defined(MBEDTLS_MEMORY_DEBUG)
#error "compile with -DMBEDTLS_USER_CONFIG_FILE='\"mbedtls36_user_config.h\"'"
#endif

static unsigned char pool[64 * 1024];

static const char expected_md5[] = "900150983cd24fb0d6963f7d28e17f72";

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * n] = '\0';
}

int main(void)
{
    static const unsigned char abc[] = {'a', 'b', 'c'};
    unsigned char digest[16];
    char hex[2 * sizeof(digest) + 1];
    size_t len = 0, max_used = 0, max_blocks = 0, cur_used = 0, cur_blocks = 0;
    char runtime_version[18] = "";
    int ok = 1;

    printf("header:  MBEDTLS_VERSION_STRING %s\n", MBEDTLS_VERSION_STRING);
#if defined(MBEDTLS_VERSION_C)
    mbedtls_version_get_string(runtime_version);
    printf("library: %s\n", runtime_version);
    if (strcmp(runtime_version, MBEDTLS_VERSION_STRING) != 0) {
        printf("FAIL: header/library version mismatch\n");
        ok = 0;
    }
#endif

    /* Install the pool first so that PSA's own allocations come from it. */
    mbedtls_memory_buffer_alloc_init(pool, sizeof(pool));

    psa_status_t st = psa_crypto_init();
    printf("psa_crypto_init: %d\n", (int)st);
    if (st != PSA_SUCCESS) {
        printf("FAIL: psa_crypto_init\n");
        return 1;
    }

    int rc = mbedtls_md5(abc, sizeof(abc), digest);
    to_hex(digest, sizeof(digest), hex);
    printf("md5(\"abc\") = %s\n", hex);
    if (rc != 0 || strcmp(hex, expected_md5) != 0) {
        printf("FAIL: mbedtls_md5 (rc=%d)\n", rc);
        ok = 0;
    }

    memset(digest, 0, sizeof(digest));
    st = psa_hash_compute(PSA_ALG_MD5, abc, sizeof(abc), digest, sizeof(digest), &len);
    to_hex(digest, sizeof(digest), hex);
    printf("psa md5(\"abc\") = %s\n", hex);
    if (st != PSA_SUCCESS || len != 16 || strcmp(hex, expected_md5) != 0) {
        printf("FAIL: psa_hash_compute(PSA_ALG_MD5) status=%d\n", (int)st);
        ok = 0;
    }

    mbedtls_psa_crypto_free();

    mbedtls_memory_buffer_alloc_max_get(&max_used, &max_blocks);
    mbedtls_memory_buffer_alloc_cur_get(&cur_used, &cur_blocks);
    printf("pool: %zu bytes, peak %zu bytes in %zu blocks, now %zu bytes in %zu blocks\n",
           sizeof(pool), max_used, max_blocks, cur_used, cur_blocks);
    if (mbedtls_memory_buffer_alloc_verify() != 0) {
        printf("FAIL: pool corrupted\n");
        ok = 0;
    }
    if (cur_blocks != 0) {
        printf("FAIL: %zu blocks leaked\n", cur_blocks);
        ok = 0;
    }
    mbedtls_memory_buffer_alloc_free();

    printf("%s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
