/* kg_auth_sign.c - the refresh signature: md5("KG_" appid "_" ts "_" appkey), lowercase hex. */
#include "kg_auth.h"
#include "kg_auth_codec.h"

#include <mbedtls/version.h>
#include <string.h>

/* MD5 through PSA on Mbed TLS 4.x, where the legacy API is private; 2.28
 * and 3.6 keep the public mbedtls_md5_* API, which needs neither the
 * allocator nor a seeded generator (psa_crypto_init() needs both: a hash
 * should not fail because the RNG cannot start). */
#if MBEDTLS_VERSION_MAJOR >= 4
#include <psa/crypto.h>
typedef psa_hash_operation_t md5_ctx_t;
#define md5_ok PSA_SUCCESS
static int md5_starts(md5_ctx_t *ctx)
{
    memset(ctx, 0, sizeof *ctx);     /* PSA's zero init, without a temporary copy on the stack */
    int rc = (int)psa_crypto_init(); /* idempotent; the signature may come before any TLS */
    return rc != PSA_SUCCESS ? rc : (int)psa_hash_setup(ctx, PSA_ALG_MD5);
}
static int md5_update(md5_ctx_t *ctx, const unsigned char *in, size_t n)
{
    return (int)psa_hash_update(ctx, in, n);
}
static int md5_finish(md5_ctx_t *ctx, unsigned char digest[16])
{
    size_t len = 0;
    int rc = (int)psa_hash_finish(ctx, digest, 16, &len);
    return rc == PSA_SUCCESS && len != 16 ? (int)PSA_ERROR_GENERIC_ERROR : rc;
}
static void md5_free(md5_ctx_t *ctx)
{
    (void)psa_hash_abort(ctx); /* wipes the state that saw the appkey */
}
#else
#include <mbedtls/md5.h>
typedef mbedtls_md5_context md5_ctx_t;
#define md5_ok 0
/* 2.28 names the streaming calls *_ret (3.x renamed them back). */
#if MBEDTLS_VERSION_MAJOR >= 3
#define md5_start_ctx mbedtls_md5_starts
#define md5_update    mbedtls_md5_update
#define md5_finish    mbedtls_md5_finish
#else
#define md5_start_ctx mbedtls_md5_starts_ret
#define md5_update    mbedtls_md5_update_ret
#define md5_finish    mbedtls_md5_finish_ret
#endif
static int md5_starts(md5_ctx_t *ctx)
{
    mbedtls_md5_init(ctx);
    return md5_start_ctx(ctx);
}
#define md5_free mbedtls_md5_free /* wipes the state that saw the appkey */
#endif

size_t kg_auth_format_i64(int64_t v, char *out)
{
    char tmp[20];
    size_t n = 0, len = 0;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (v < 0) out[len++] = '-';
    while (n)
        out[len++] = tmp[--n];
    return len;
}

static int update_str(md5_ctx_t *ctx, const char *s, size_t n)
{
    return md5_update(ctx, (const unsigned char *)s, n);
}

/* The pieces are hashed one after the other: no buffer holds the signed
 * string (which would put the appkey on the stack, and 512 bytes with it). */
static int md5_of_message(const char *appid, int64_t ts, const char *appkey,
                          unsigned char digest[16])
{
    char ts_text[21];
    size_t ts_len = kg_auth_format_i64(ts, ts_text);
    md5_ctx_t ctx;
    int rc = md5_starts(&ctx);
    if (rc == md5_ok) rc = update_str(&ctx, "KG_", 3);
    if (rc == md5_ok) rc = update_str(&ctx, appid, strlen(appid));
    if (rc == md5_ok) rc = update_str(&ctx, "_", 1);
    if (rc == md5_ok) rc = update_str(&ctx, ts_text, ts_len);
    if (rc == md5_ok) rc = update_str(&ctx, "_", 1);
    if (rc == md5_ok) rc = update_str(&ctx, appkey, strlen(appkey));
    if (rc == md5_ok) rc = md5_finish(&ctx, digest);
    md5_free(&ctx);
    return rc;
}

kg_err_t kg_auth_refresh_sign(const char *appid, int64_t ts, const char *appkey, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char digest[16];
    if (!appid || !appkey || !out) return KG_ERR_ARG;
    kg_err_t err = md5_of_message(appid, ts, appkey, digest) == md5_ok ? KG_OK : KG_ERR_TLS_SETUP;
    for (int i = 0; i < 16 && err == KG_OK; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[32] = '\0';
    kg_auth_wipe(digest, sizeof digest); /* the signature, in binary */
    return err;
}
