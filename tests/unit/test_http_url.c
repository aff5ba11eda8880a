/* test_http_url.c - splitting the configured base URL. */
#include "kg_http.h"
#include "kg_test.h"

static void check_url(const char *url, const char *host, uint16_t port, const char *prefix,
                      bool tls)
{
    kg_http_url_t u;
    bool is_tls = !tls;
    KG_CHECK_ERR(kg_http_parse_url(url, &u, &is_tls), KG_OK);
    KG_CHECK_STR(u.host, host);
    KG_CHECK_EQ(u.port, port);
    KG_CHECK_STR(u.prefix, prefix);
    KG_CHECK_EQ(is_tls, tls);
}

static void test_good_urls(void)
{
    check_url("https://api.kg.qq.com", "api.kg.qq.com", 443, "", true);
    check_url("https://api.kg.qq.com/", "api.kg.qq.com", 443, "", true);
    check_url("https://api.kg.qq.com/test", "api.kg.qq.com", 443, "/test", true);
    check_url("https://h/test/", "h", 443, "/test", true);
    check_url("https://h/a/b//", "h", 443, "/a/b", true);
    check_url("https://h:8443/test", "h", 8443, "/test", true);
    check_url("http://127.0.0.1:8080", "127.0.0.1", 8080, "", false);
    check_url("http://10.0.0.2/x", "10.0.0.2", 80, "/x", false);
    check_url("http://my_host-1.local:65535/", "my_host-1.local", 65535, "", false);
    check_url("https://h:00443", "h", 443, "", true);
}

static void check_bad(const char *url, kg_err_t want)
{
    kg_http_url_t u;
    bool tls;
    KG_CHECK_ERR(kg_http_parse_url(url, &u, &tls), want);
}

static void test_bad_urls(void)
{
    check_bad(NULL, KG_ERR_URL);
    check_bad("", KG_ERR_URL);
    check_bad("api.kg.qq.com/test", KG_ERR_URL);
    check_bad("ftp://h/", KG_ERR_URL);
    check_bad("HTTPS//h", KG_ERR_URL);
    check_bad("https://", KG_ERR_URL);
    check_bad("https:///test", KG_ERR_URL);
    check_bad("https://:443", KG_ERR_URL);
    check_bad("https://h:", KG_ERR_URL);
    check_bad("https://h:0", KG_ERR_URL);
    check_bad("https://h:65536", KG_ERR_URL);
    check_bad("https://h:99999999999", KG_ERR_URL);
    check_bad("https://h:44x", KG_ERR_URL);
    check_bad("https://h:-1", KG_ERR_URL);
    check_bad("https://user@h/", KG_ERR_URL);
    check_bad("https://[::1]/", KG_ERR_URL);
    check_bad("https://h/a b", KG_ERR_URL);
    check_bad("https://h/a?x=1", KG_ERR_URL);
    check_bad("https://h/a#f", KG_ERR_URL);
    check_bad("https://h/a\r\nX: y", KG_ERR_URL);
    check_bad("https://h?x", KG_ERR_URL);
}

static void test_capacities(void)
{
    char url[CONFIG_KGIOT_HOST_MAX + CONFIG_KGIOT_PREFIX_MAX + 32];
    kg_http_url_t u;
    bool tls;
    /* Host of HOST_MAX - 1 characters fits (with its NUL); one more does not. */
    strcpy(url, "https://");
    memset(url + 8, 'h', CONFIG_KGIOT_HOST_MAX - 1);
    url[8 + CONFIG_KGIOT_HOST_MAX - 1] = '\0';
    KG_CHECK_ERR(kg_http_parse_url(url, &u, &tls), KG_OK);
    KG_CHECK_EQ(strlen(u.host), CONFIG_KGIOT_HOST_MAX - 1);
    strcat(url, "h");
    KG_CHECK_ERR(kg_http_parse_url(url, &u, &tls), KG_ERR_NO_SPACE);
    /* Prefix likewise, trailing slash not counted. */
    strcpy(url, "https://h");
    memset(url + 9, 'p', CONFIG_KGIOT_PREFIX_MAX - 1);
    url[9] = '/';
    strcpy(url + 9 + CONFIG_KGIOT_PREFIX_MAX - 1, "/");
    KG_CHECK_ERR(kg_http_parse_url(url, &u, &tls), KG_OK);
    KG_CHECK_EQ(strlen(u.prefix), CONFIG_KGIOT_PREFIX_MAX - 1);
    strcpy(url + 9 + CONFIG_KGIOT_PREFIX_MAX - 1, "p");
    KG_CHECK_ERR(kg_http_parse_url(url, &u, &tls), KG_ERR_NO_SPACE);
}

int main(void)
{
    KG_RUN(test_good_urls);
    KG_RUN(test_bad_urls);
    KG_RUN(test_capacities);
    return kg_test_summary();
}
