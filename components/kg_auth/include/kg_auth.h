/*
 * kg_auth.h - one function per endpoint of the platform's auth API.
 *
 * Each call builds the JSON request, sends it through the HTTP client and
 * decodes the reply into a fixed-size struct. A reply whose error_code is not
 * zero is KG_ERR_API, with the platform's code and message in the reply
 * struct. Host, port, environment prefix and every path are configuration
 * (defaults from Kconfig); PLATFORM.md marks which paths are assumptions.
 *
 * The caller provides the transport (normally kg_tls over kg_tcp).
 */
#ifndef KG_AUTH_H
#define KG_AUTH_H

#include <stdint.h>

#include "kg_config.h"
#include "kg_err.h"
#include "kg_http.h"
#include "kg_json.h"

typedef struct {
    const char *host;       /* "api.kg.qq.com" or the vendor's broker */
    uint16_t port;          /* 443 */
    const char *env_prefix; /* "" (production) or "/test" */
    const char *appid;
    const char *secret;          /* direct mode only; provisioned at run time, never compiled in */
    const char *path_app_token;  /* NULL: CONFIG_KGIOT_PATH_APP_TOKEN */
    const char *path_user_token; /* NULL: CONFIG_KGIOT_PATH_USER_TOKEN */
    uint32_t timeout_ms;         /* per call; 0: CONFIG_KGIOT_REQUEST_TIMEOUT_MS */
} kg_auth_config_t;

/* Fields of the token replies. Integers accept numbers or numeric strings. */
typedef struct {
    char access_token[CONFIG_KGIOT_TOKEN_MAX];
    char refresh_token[CONFIG_KGIOT_TOKEN_MAX];
    char openid[CONFIG_KGIOT_ID_MAX];
    char unionid[CONFIG_KGIOT_ID_MAX];
    char scope[CONFIG_KGIOT_SCOPE_MAX];
    int64_t expires_in;     /* seconds */
    int32_t orig_acnt_type; /* 1 QQ, 2 WeChat, 0 absent */
    int32_t error_code;     /* 0 on success */
    char error_msg[CONFIG_KGIOT_ERRMSG_MAX];
    int http_status;
} kg_token_reply_t;

typedef struct {
    kg_auth_config_t cfg;
    kg_http_client_t http;
    kg_json_doc_t doc;
    char tx[CONFIG_KGIOT_HTTP_TX_BUF];
    char rx[CONFIG_KGIOT_HTTP_RX_BUF];
    char body[CONFIG_KGIOT_JSON_BODY_MAX];
    char path[CONFIG_KGIOT_PATH_MAX];
    char host_header[CONFIG_KGIOT_HOST_MAX + 6]; /* "host:port" */
} kg_auth_t;

/* Bind a to cfg (copied; the strings it points to must outlive a) and to a
 * transport. Errors: KG_ERR_ARG. */
kg_err_t kg_auth_init(kg_auth_t *a, const kg_auth_config_t *cfg, const kg_port_t *port,
                      const kg_transport_t *transport);

/* getToken: the app-level token (grant_type=client_credential). */
kg_err_t kg_auth_app_token(kg_auth_t *a, kg_token_reply_t *out);

/* access_token: exchange an authorization code for the user token
 * (grant_type=authorization_code). */
kg_err_t kg_auth_user_token(kg_auth_t *a, const char *code, kg_token_reply_t *out);

/* Decode a token reply body (no I/O; for vendors who move the bytes
 * themselves). body is modified in place. KG_ERR_API when error_code != 0,
 * KG_ERR_HTTP_STATUS for a non-2xx status without a platform error,
 * KG_ERR_JSON_MISSING when a success lacks access_token, or a kg_json error. */
kg_err_t kg_auth_decode_token(kg_json_doc_t *doc, int http_status, char *body, size_t len,
                              kg_token_reply_t *out);

/* Close the kept-alive connection. */
void kg_auth_close(kg_auth_t *a);

#endif
