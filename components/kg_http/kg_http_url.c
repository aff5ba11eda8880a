/*
 * kg_http_url.c - split "https://host[:port][/prefix]" into its parts.
 *
 * Host names are letters, digits, '.', '-' and '_' (so IPv4 literals pass,
 * IPv6 brackets do not); the prefix loses its trailing slashes so that
 * prefix + "/api/..." never doubles one.
 */
#include <string.h>

#include "kg_http.h"

static bool is_host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

/* Copy s[0..n) with a NUL into out[0..cap). */
static kg_err_t copy_part(char *out, size_t cap, const char *s, size_t n)
{
    if (n >= cap) return KG_ERR_NO_SPACE;
    memcpy(out, s, n);
    out[n] = '\0';
    return KG_OK;
}

/* ":port" (1..65535) at *p if present, else the scheme's default. */
static kg_err_t parse_port(const char **p, uint16_t *port)
{
    const char *s = *p;
    uint32_t v = 0;
    if (*s != ':') return KG_OK;
    while (*++s >= '0' && *s <= '9') {
        v = v * 10 + (uint32_t)(*s - '0');
        if (v > 65535) return KG_ERR_URL;
    }
    if (v == 0) return KG_ERR_URL; /* also no digits */
    *port = (uint16_t)v;
    *p = s;
    return KG_OK;
}

/* "/prefix" up to the end, without trailing slashes; no query, fragment or blanks. */
static kg_err_t parse_prefix(const char *s, char *out)
{
    size_t n = strlen(s);
    if (n > 0 && *s != '/') return KG_ERR_URL;
    if (s[strcspn(s, "?# \t\r\n")] != '\0') return KG_ERR_URL;
    while (n > 0 && s[n - 1] == '/')
        n--;
    return copy_part(out, CONFIG_KGIOT_PREFIX_MAX, s, n);
}

kg_err_t kg_http_parse_url(const char *url, kg_http_url_t *out, bool *tls)
{
    if (url == NULL) return KG_ERR_URL;
    bool secure = strncmp(url, "https://", 8) == 0;
    if (!secure && strncmp(url, "http://", 7) != 0) return KG_ERR_URL;
    const char *host = url + (secure ? 8 : 7);
    const char *p = host;
    while (is_host_char(*p))
        p++;
    if (p == host) return KG_ERR_URL;
    kg_err_t err = copy_part(out->host, sizeof(out->host), host, (size_t)(p - host));
    out->port = secure ? 443 : 80;
    if (err == KG_OK) err = parse_port(&p, &out->port);
    if (err == KG_OK) err = parse_prefix(p, out->prefix);
    if (err == KG_OK) *tls = secure;
    return err;
}
