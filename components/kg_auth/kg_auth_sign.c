/* kg_auth_sign.c - the refresh signature: md5("KG_" appid "_" ts "_" appkey), lowercase hex. */
#include "kg_auth.h"

#include <mbedtls/md5.h>
#include <mbedtls/version.h>
#include <string.h>

/* Appends s to buf[*len..cap); false when it does not fit. */
static bool append(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    if (n > cap - *len) return false;
    memcpy(buf + *len, s, n);
    *len += n;
    return true;
}

/* Decimal text of v into out (at least 21 bytes); returns its length. */
static size_t format_i64(int64_t v, char *out)
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

static int md5(const unsigned char *in, size_t len, unsigned char digest[16])
{
    /* 2.28 names it mbedtls_md5_ret; 3.x renamed it back to mbedtls_md5. */
#if MBEDTLS_VERSION_MAJOR >= 3
    return mbedtls_md5(in, len, digest);
#else
    return mbedtls_md5_ret(in, len, digest);
#endif
}

kg_err_t kg_auth_refresh_sign(const char *appid, int64_t ts, const char *appkey, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    char msg[CONFIG_KGIOT_JSON_BODY_MAX];
    char ts_text[21];
    unsigned char digest[16];
    size_t len = 0;
    if (!appid || !appkey || !out) return KG_ERR_ARG;
    size_t ts_len = format_i64(ts, ts_text);
    bool fits = append(msg, sizeof msg, &len, "KG_", 3) &&
                append(msg, sizeof msg, &len, appid, strlen(appid)) &&
                append(msg, sizeof msg, &len, "_", 1) &&
                append(msg, sizeof msg, &len, ts_text, ts_len) &&
                append(msg, sizeof msg, &len, "_", 1) &&
                append(msg, sizeof msg, &len, appkey, strlen(appkey));
    if (!fits) return KG_ERR_NO_SPACE;
    if (md5((const unsigned char *)msg, len, digest) != 0) return KG_ERR_TLS_SETUP;
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[32] = '\0';
    memset(msg, 0, sizeof msg); /* the appkey was in it */
    return KG_OK;
}
