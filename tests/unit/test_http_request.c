/* test_http_request.c - the request writer: exact bytes, injection, limits. */
#include "kg_http.h"
#include "kg_test.h"

#define UA "User-Agent: " CONFIG_KGIOT_USER_AGENT "\r\nConnection: keep-alive\r\n"

static char out[1024];

static kg_err_t write(const kg_http_request_t *req, size_t cap, size_t *len)
{
    memset(out, '#', sizeof(out));
    return kg_http_write_request(req, out, cap, len);
}

static void test_post_with_body_and_headers(void)
{
    static const char body[] = "{\"appid\":\"a\"}";
    const kg_http_header_t extra[] = {{"X-Open-Id", "oK9x"}, {"Accept", ""}};
    kg_http_request_t req = {.method = "POST",
                             .host = "api.kg.qq.com",
                             .path = "/test/oauth/v2/access_token",
                             .content_type = "application/json",
                             .body = (const uint8_t *)body,
                             .body_len = sizeof(body) - 1,
                             .headers = extra,
                             .header_count = 2};
    static const char want[] = "POST /test/oauth/v2/access_token HTTP/1.1\r\n"
                               "Host: api.kg.qq.com\r\n" UA "Content-Type: application/json\r\n"
                               "Content-Length: 13\r\n"
                               "X-Open-Id: oK9x\r\n"
                               "Accept: \r\n"
                               "\r\n"
                               "{\"appid\":\"a\"}";
    size_t len = 0;
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_OK);
    KG_CHECK_EQ(len, sizeof(want) - 1);
    KG_CHECK(memcmp(out, want, sizeof(want) - 1) == 0);
    KG_CHECK_EQ(out[len], '#'); /* nothing written past the request */
    /* Exactly enough room, then one byte less. */
    KG_CHECK_ERR(write(&req, sizeof(want) - 1, &len), KG_OK);
    KG_CHECK_EQ(len, sizeof(want) - 1);
    KG_CHECK_ERR(write(&req, sizeof(want) - 2, &len), KG_ERR_NO_SPACE);
    KG_CHECK_EQ(out[sizeof(want) - 2], '#');
}

static void test_get_has_no_content_length(void)
{
    kg_http_request_t req = {.method = "GET", .host = "h:8080", .path = "/a?b=c"};
    static const char want[] = "GET /a?b=c HTTP/1.1\r\nHost: h:8080\r\n" UA "\r\n";
    size_t len = 0;
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_OK);
    KG_CHECK_EQ(len, sizeof(want) - 1);
    KG_CHECK(memcmp(out, want, sizeof(want) - 1) == 0);
}

static void test_empty_post_says_length_zero(void)
{
    kg_http_request_t req = {.method = "POST", .host = "h", .path = "/"};
    static const char want[] = "POST / HTTP/1.1\r\nHost: h\r\n" UA "Content-Length: 0\r\n"
                               "\r\n";
    size_t len = 0;
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_OK);
    KG_CHECK_EQ(len, sizeof(want) - 1);
    KG_CHECK(memcmp(out, want, sizeof(want) - 1) == 0);
}

static void test_large_content_length(void)
{
    static uint8_t body[1000];
    kg_http_request_t req = {
        .method = "PUT", .host = "h", .path = "/", .body = body, .body_len = sizeof(body)};
    static char big[1200];
    size_t len = 0;
    KG_CHECK_ERR(kg_http_write_request(&req, big, sizeof(big), &len), KG_OK);
    KG_CHECK(strstr(big, "\r\nContent-Length: 1000\r\n") != NULL);
}

static void test_header_injection_rejected(void)
{
    size_t len = 0;
    kg_http_header_t h[1];
    kg_http_request_t req = {
        .method = "POST", .host = "h", .path = "/", .headers = h, .header_count = 1};
    const char *bad_names[] = {"X-A\r\nX-B", "X-A\n", "X A", "X:A", ""};
    const char *bad_values[] = {"v\r\nX-Evil: 1", "v\n", "v\r"};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        h[0] = (kg_http_header_t){bad_names[i], "v"};
        KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    }
    for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
        h[0] = (kg_http_header_t){"X-A", bad_values[i]};
        KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    }
    h[0] = (kg_http_header_t){"X-A", "v"};
    req.path = "/a HTTP/1.1\r\nX: y";
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    req.path = "/a\n";
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    req.path = "/";
    req.method = "GET\r\n";
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    req.method = "POST";
    req.host = "h\r\nX: y";
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    req.host = "h";
    req.content_type = "text/plain\r\n";
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    /* Also when the bad field comes after the buffer ran out. */
    req.content_type = "text/plain\n";
    KG_CHECK_ERR(write(&req, 20, &len), KG_ERR_ARG);
}

static void test_missing_fields_rejected(void)
{
    size_t len = 0;
    kg_http_request_t req = {.method = "GET", .host = "h", .path = "/"};
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_OK);
    req.method = NULL;
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    req.method = "";
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    req.method = "GET";
    req.path = NULL;
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    req.path = "";
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    req.path = "/";
    req.host = NULL;
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    req.host = "h";
    req.body_len = 3; /* a length without a body */
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    req.body_len = 0;
    req.header_count = 1; /* a count without headers */
    KG_CHECK_ERR(write(&req, sizeof(out), &len), KG_ERR_ARG);
    KG_CHECK_ERR(kg_http_write_request(NULL, out, sizeof(out), &len), KG_ERR_ARG);
}

static void test_tiny_buffers_never_overrun(void)
{
    static const char body[] = "0123456789";
    kg_http_request_t req = {
        .method = "POST", .host = "h", .path = "/p", .body = (const uint8_t *)body, .body_len = 10};
    size_t full = 0, len = 0;
    KG_CHECK_ERR(write(&req, sizeof(out), &full), KG_OK);
    for (size_t cap = 0; cap < full; cap++) {
        KG_CHECK_ERR(write(&req, cap, &len), KG_ERR_NO_SPACE);
        KG_CHECK_EQ(out[cap], '#');
    }
}

int main(void)
{
    KG_RUN(test_post_with_body_and_headers);
    KG_RUN(test_get_has_no_content_length);
    KG_RUN(test_empty_post_says_length_zero);
    KG_RUN(test_large_content_length);
    KG_RUN(test_header_injection_rejected);
    KG_RUN(test_missing_fields_rejected);
    KG_RUN(test_tiny_buffers_never_overrun);
    return kg_test_summary();
}
