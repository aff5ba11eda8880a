/*
 * fuzz_url.c - libFuzzer target for kg_http_parse_url.
 *
 * The input, NUL-terminated in a heap buffer of exactly its size, is parsed;
 * a URL that parses must give a host of host characters only, a port from
 * 1 to 65535 (the scheme's default without one), a prefix that is empty or
 * starts with '/' and has no trailing '/', every part NUL-terminated within
 * its array; and writing the parts back as a URL must parse to the same
 * parts. Errors must be KG_ERR_URL or KG_ERR_NO_SPACE.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kg_http.h"

static void check(int ok)
{
    if (!ok) abort();
}

static int host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

/* Length of the string in s[0..cap), cap when it has no NUL there. */
static size_t len_in(const char *s, size_t cap)
{
    const char *nul = memchr(s, '\0', cap);
    return nul ? (size_t)(nul - s) : cap;
}

static void check_parts(const kg_http_url_t *u)
{
    size_t h = len_in(u->host, sizeof u->host), p = len_in(u->prefix, sizeof u->prefix);
    check(h > 0 && h < sizeof u->host && p < sizeof u->prefix);
    for (size_t i = 0; i < h; i++)
        check(host_char(u->host[i]));
    check(u->port != 0);
    check(p == 0 || (u->prefix[0] == '/' && u->prefix[p - 1] != '/'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static kg_http_url_t a, b;
    static char again[sizeof a.host + sizeof a.prefix + 32];
    bool tls = false, tls2 = false;
    char *url = malloc(size + 1);
    memcpy(url, data, size);
    url[size] = '\0';
    kg_err_t err = kg_http_parse_url(url, &a, &tls);
    check(err == KG_OK || err == KG_ERR_URL || err == KG_ERR_NO_SPACE);
    if (err == KG_OK) {
        check_parts(&a);
        snprintf(again, sizeof again, "%s://%s:%u%s", tls ? "https" : "http", a.host,
                 (unsigned)a.port, a.prefix);
        check(kg_http_parse_url(again, &b, &tls2) == KG_OK);
        check(tls2 == tls && b.port == a.port && strcmp(b.host, a.host) == 0 &&
              strcmp(b.prefix, a.prefix) == 0);
    }
    free(url);
    return 0;
}
