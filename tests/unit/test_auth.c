/*
 * test_auth.c - kg_auth without I/O: the refresh signature against vectors
 * computed independently (python3 hashlib.md5), every request body in
 * direct and broker mode, and every reply decoder's verdicts.
 */
#include <string.h>

#include "kg_auth_codec.h"
#include "kg_test.h"

static kg_json_doc_t doc;
static char buf[CONFIG_KGIOT_JSON_BODY_MAX];

static const kg_auth_config_t direct = {.host = "h", .appid = "kgtest", .secret = "kgsecret"};
static const kg_auth_config_t broker = {.host = "h", .appid = "kgtest"};

/* Vectors from: python3 -c 'import hashlib;
 * print(hashlib.md5(b"KG_kgtest_1700000000_kgsecret").hexdigest())' */
static void test_refresh_sign_vectors(void)
{
    char sign[33];
    KG_CHECK_ERR(kg_auth_refresh_sign("kgtest", 1700000000, "kgsecret", sign), KG_OK);
    KG_CHECK_STR(sign, "33847e17133947b8ebbcb7047de2d7f3");
    KG_CHECK_ERR(kg_auth_refresh_sign("wx1234567890", 1795777200, "appkey-密钥", sign), KG_OK);
    KG_CHECK_STR(sign, "5e1b785fd14d5f671d89b1b0fb8d0eeb");
    KG_CHECK_ERR(kg_auth_refresh_sign("a", 0, "", sign), KG_OK);
    KG_CHECK_STR(sign, "98e7232931d189415b66578dc6ded470");
    KG_CHECK_ERR(kg_auth_refresh_sign("app\"id", -5, "k", sign), KG_OK);
    KG_CHECK_STR(sign, "0ca95882b94fd7a94e7df09816408bd3");
}

static void test_refresh_sign_errors_and_long_keys(void)
{
    char sign[33];
    static char long_key[513]; /* longer than any buffer: the pieces are hashed in turn */
    memset(long_key, 'k', sizeof long_key - 1);
    KG_CHECK_ERR(kg_auth_refresh_sign(NULL, 1, "k", sign), KG_ERR_ARG);
    KG_CHECK_ERR(kg_auth_refresh_sign("a", 1, NULL, sign), KG_ERR_ARG);
    /* python3 -c 'import hashlib; print(hashlib.md5(b"KG_a_1_" + b"k" * 512).hexdigest())' */
    KG_CHECK_ERR(kg_auth_refresh_sign("a", 1, long_key, sign), KG_OK);
    KG_CHECK_STR(sign, "d1dadf805a7760921f37c8c634b86e6c");
}

/* The string field key of the document parsed last, as kg_json decodes it, or NULL. */
static const char *field(const char *key)
{
    const char *s = NULL;
    int t = kg_json_find(&doc, 0, key);
    return t > 0 && kg_json_string(&doc, t, &s, NULL) == KG_OK ? s : NULL;
}

static void test_bodies_direct_mode(void)
{
    size_t len;
    KG_CHECK_ERR(kg_auth_body_user_token(&direct, "c\"o\\de", buf, sizeof buf, &len), KG_OK);
    KG_CHECK_ERR(kg_json_parse(&doc, buf, len), KG_OK);
    KG_CHECK_STR(field("secret"), "kgsecret");
    KG_CHECK_STR(field("code"), "c\"o\\de");
    KG_CHECK_STR(field("grant_type"), "authorization_code");
    KG_CHECK_ERR(kg_auth_body_app_token(&direct, buf, sizeof buf, &len), KG_OK);
    KG_CHECK_ERR(kg_json_parse(&doc, buf, len), KG_OK);
    KG_CHECK_STR(field("grant_type"), "client_credential");
    KG_CHECK_ERR(kg_auth_body_refresh(&direct, "OID", "RT", 1700000000, buf, sizeof buf, &len),
                 KG_OK);
    KG_CHECK_STR(buf, "{\"appid\":\"kgtest\",\"openid\":\"OID\",\"refresh_token\":\"RT\","
                      "\"ts\":1700000000,\"sign\":\"33847e17133947b8ebbcb7047de2d7f3\"}");
}

static void test_refresh_uses_appkey_when_set(void)
{
    size_t len;
    kg_auth_config_t c = direct;
    c.appkey = "kgsecret"; /* same key: same sign */
    KG_CHECK_ERR(kg_auth_body_refresh(&c, NULL, "RT", 1700000000, buf, sizeof buf, &len), KG_OK);
    KG_CHECK(strstr(buf, "33847e17133947b8ebbcb7047de2d7f3") != NULL);
    KG_CHECK(strstr(buf, "openid") == NULL); /* app-token refresh: no openid */
    c.appkey = "other";
    KG_CHECK_ERR(kg_auth_body_refresh(&c, NULL, "RT", 1700000000, buf, sizeof buf, &len), KG_OK);
    KG_CHECK(strstr(buf, "33847e17133947b8ebbcb7047de2d7f3") == NULL);
}

static void test_broker_mode_never_sends_the_secret(void)
{
    size_t len;
    KG_CHECK_ERR(kg_auth_body_user_token(&broker, "C", buf, sizeof buf, &len), KG_OK);
    KG_CHECK_STR(buf,
                 "{\"appid\":\"kgtest\",\"code\":\"C\",\"grant_type\":\"authorization_code\"}");
    KG_CHECK_ERR(kg_auth_body_app_token(&broker, buf, sizeof buf, &len), KG_OK);
    KG_CHECK(strstr(buf, "secret") == NULL);
    KG_CHECK_ERR(kg_auth_body_refresh(&broker, "OID", "RT", 1700000000, buf, sizeof buf, &len),
                 KG_OK);
    KG_CHECK_STR(buf, "{\"appid\":\"kgtest\",\"openid\":\"OID\",\"refresh_token\":\"RT\"}");
}

static void test_other_bodies(void)
{
    size_t len;
    KG_CHECK_ERR(kg_auth_body_qr(&broker, "APP", buf, sizeof buf, &len), KG_OK);
    KG_CHECK_STR(buf, "{\"appid\":\"kgtest\",\"access_token\":\"APP\"}");
    KG_CHECK_ERR(kg_auth_body_qr_status(&broker, "Q1", buf, sizeof buf, &len), KG_OK);
    KG_CHECK_STR(buf, "{\"appid\":\"kgtest\",\"" CONFIG_KGIOT_QR_FIELD_ID "\":\"Q1\"}");
    KG_CHECK_ERR(kg_auth_body_virtual_unbind(&broker, "O", "A", "T", buf, sizeof buf, &len), KG_OK);
    KG_CHECK_STR(buf,
                 "{\"appid\":\"kgtest\",\"openid\":\"O\",\"access_token\":\"A\",\"token\":\"T\"}");
    KG_CHECK_ERR(kg_auth_body_virtual_bind_info(&broker, "V", "A", buf, sizeof buf, &len), KG_OK);
    KG_CHECK_STR(buf, "{\"appid\":\"kgtest\",\"virtual_openid\":\"V\",\"access_token\":\"A\"}");
    KG_CHECK_ERR(kg_auth_body_qr(&broker, "APP", buf, 10, &len), KG_ERR_NO_SPACE);
}

static kg_err_t decode_qr_status(const char *json, kg_qr_status_reply_t *out)
{
    strcpy(buf, json);
    return kg_auth_decode_qr_status(&doc, 200, buf, strlen(buf), out);
}

static void test_qr_status_states(void)
{
    kg_qr_status_reply_t r;
    KG_CHECK_ERR(decode_qr_status("{\"status\":0,\"error_code\":0}", &r), KG_OK);
    KG_CHECK_EQ(r.state, KG_QR_WAITING);
    KG_CHECK_ERR(decode_qr_status("{\"status\":\"1\",\"interval\":\"5\"}", &r), KG_OK);
    KG_CHECK_EQ(r.state, KG_QR_SCANNED);
    KG_CHECK_EQ(r.interval, 5);
    KG_CHECK_ERR(decode_qr_status("{\"status\":2,\"code\":\"C1\"}", &r), KG_OK);
    KG_CHECK_EQ(r.state, KG_QR_CONFIRMED);
    KG_CHECK_STR(r.code, "C1");
    KG_CHECK_ERR(decode_qr_status("{\"status\":2}", &r), KG_ERR_JSON_MISSING);
    KG_CHECK_ERR(decode_qr_status("{\"status\":3}", &r), KG_OK);
    KG_CHECK_EQ(r.state, KG_QR_EXPIRED);
    KG_CHECK_ERR(decode_qr_status("{\"status\":4}", &r), KG_OK);
    KG_CHECK_EQ(r.state, KG_QR_CANCELLED);
    KG_CHECK_ERR(decode_qr_status("{\"status\":77}", &r), KG_OK);
    KG_CHECK_EQ(r.state, KG_QR_UNKNOWN);
    KG_CHECK_ERR(decode_qr_status("{\"error_code\":0}", &r), KG_OK);
    KG_CHECK_EQ(r.state, KG_QR_UNKNOWN); /* absent is not "waiting" */
    KG_CHECK_ERR(decode_qr_status("{\"error_code\":\"1429\",\"error_msg\":\"slow\"}", &r),
                 KG_ERR_API);
    KG_CHECK_EQ(r.error_code, 1429);
    KG_CHECK_STR(r.error_msg, "slow");
}

static void test_qr_reply(void)
{
    kg_qr_reply_t r;
    strcpy(buf, "{\"qr_url\":\"https://kg.qq.com/m/login?qr=Q\\u0031\",\"qr_id\":\"Q1\","
                "\"expires_in\":\"120\",\"error_code\":0}");
    KG_CHECK_ERR(kg_auth_decode_qr(&doc, 200, buf, strlen(buf), &r), KG_OK);
    KG_CHECK_STR(r.qr_content, "https://kg.qq.com/m/login?qr=Q1");
    KG_CHECK_STR(r.qr_id, "Q1");
    KG_CHECK_EQ(r.expires_in, 120);
    strcpy(buf, "{\"qr_id\":\"Q1\"}");
    KG_CHECK_ERR(kg_auth_decode_qr(&doc, 200, buf, strlen(buf), &r), KG_ERR_JSON_MISSING);
}

static void test_verdicts(void)
{
    kg_token_reply_t t;
    kg_status_reply_t s;
    strcpy(buf, "<html>bad gateway</html>");
    KG_CHECK_ERR(kg_auth_decode_token(&doc, 502, buf, strlen(buf), &t), KG_ERR_HTTP_STATUS);
    KG_CHECK_EQ(t.http_status, 502);
    strcpy(buf, "<html>ok?</html>");
    KG_CHECK_ERR(kg_auth_decode_token(&doc, 200, buf, strlen(buf), &t), KG_ERR_JSON_SYNTAX);
    strcpy(buf, "{\"error_code\":1003,\"error_msg\":\"expired\"}");
    KG_CHECK_ERR(kg_auth_decode_token(&doc, 401, buf, strlen(buf), &t), KG_ERR_API);
    KG_CHECK_EQ(t.error_code, 1003);
    strcpy(buf, "{\"error_code\":0}");
    KG_CHECK_ERR(kg_auth_decode_token(&doc, 503, buf, strlen(buf), &t), KG_ERR_HTTP_STATUS);
    KG_CHECK_ERR(kg_auth_decode_token(&doc, 200, buf, strlen(buf), &t), KG_ERR_JSON_MISSING);
    strcpy(buf, "{\"status\":\"1\",\"error_code\":\"0\"}");
    KG_CHECK_ERR(kg_auth_decode_status(&doc, 200, buf, strlen(buf), &s), KG_OK);
    KG_CHECK_EQ(s.status, 1);
}

int main(void)
{
    KG_RUN(test_refresh_sign_vectors);
    KG_RUN(test_refresh_sign_errors_and_long_keys);
    KG_RUN(test_bodies_direct_mode);
    KG_RUN(test_refresh_uses_appkey_when_set);
    KG_RUN(test_broker_mode_never_sends_the_secret);
    KG_RUN(test_other_bodies);
    KG_RUN(test_qr_status_states);
    KG_RUN(test_qr_reply);
    KG_RUN(test_verdicts);
    return kg_test_summary();
}
