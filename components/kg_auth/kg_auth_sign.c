/* kg_auth_sign.c - the refresh signature: md5("KG_" appid "_" ts "_" appkey), lowercase hex. */
#include "kg_auth.h"
#include "kg_auth_codec.h"

#include <mbedtls/md5.h>
#include <mbedtls/version.h>
#include <string.h>

/* 2.28 names the streaming calls *_ret; 3.x renamed them back. */
#if MBEDTLS_VERSION_MAJOR >= 3
#define md5_starts mbedtls_md5_starts
#define md5_update mbedtls_md5_update
#define md5_finish mbedtls_md5_finish
#else
#define md5_starts mbedtls_md5_starts_ret
#define md5_update mbedtls_md5_update_ret
#define md5_finish mbedtls_md5_finish_ret
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

static int update_str(mbedtls_md5_context *ctx, const char *s, size_t n)
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
    mbedtls_md5_context ctx;
    mbedtls_md5_init(&ctx);
    int rc = md5_starts(&ctx);
    if (rc == 0) rc = update_str(&ctx, "KG_", 3);
    if (rc == 0) rc = update_str(&ctx, appid, strlen(appid));
    if (rc == 0) rc = update_str(&ctx, "_", 1);
    if (rc == 0) rc = update_str(&ctx, ts_text, ts_len);
    if (rc == 0) rc = update_str(&ctx, "_", 1);
    if (rc == 0) rc = update_str(&ctx, appkey, strlen(appkey));
    if (rc == 0) rc = md5_finish(&ctx, digest);
    mbedtls_md5_free(&ctx); /* wipes the state that saw the appkey */
    return rc;
}

kg_err_t kg_auth_refresh_sign(const char *appid, int64_t ts, const char *appkey, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char digest[16];
    if (!appid || !appkey || !out) return KG_ERR_ARG;
    if (md5_of_message(appid, ts, appkey, digest) != 0) return KG_ERR_TLS_SETUP;
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[32] = '\0';
    return KG_OK;
}
