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
 *
 * Modes (PLATFORM.md, security): in direct mode the device holds the secret
 * (provisioned at run time) and signs refreshes with the appkey; in broker
 * mode (secret NULL) the device talks to the vendor's backend with the same
 * shapes but never sends a secret, a sign or a ts: the backend adds them.
 *
 * Endpoints 2, 3, 6, 7 and the refresh path are ASSUMED in PLATFORM.md: their
 * paths and QR field names are Kconfig options (CONFIG_KGIOT_PATH_*,
 * CONFIG_KGIOT_QR_*).
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
    const char
        *secret; /* direct mode; NULL or "": broker mode. Run-time value, never compiled in */
    const char *appkey; /* refresh signing key (direct mode); NULL: the secret */
    /* Paths; NULL: the CONFIG_KGIOT_PATH_* default. */
    const char *path_app_token;
    const char *path_user_token;
    const char *path_qr;
    const char *path_qr_status;
    const char *path_refresh;
    const char *path_virtual_unbind;
    const char *path_virtual_bind_info;
    uint32_t timeout_ms; /* per call; 0: CONFIG_KGIOT_REQUEST_TIMEOUT_MS */
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

/* The login QR code (#2). */
typedef struct {
    char qr_content[CONFIG_KGIOT_QR_CONTENT_MAX]; /* what the device renders as a QR code */
    char qr_id[CONFIG_KGIOT_QR_ID_MAX];           /* the key to poll its status with */
    int64_t expires_in;                           /* seconds the code stays valid; 0 unknown */
    int32_t error_code;
    char error_msg[CONFIG_KGIOT_ERRMSG_MAX];
    int http_status;
} kg_qr_reply_t;

/* What the user has done with the QR code, mapped from the platform's
 * status value through CONFIG_KGIOT_QR_STATUS_* (ASSUMED values). */
typedef enum {
    KG_QR_WAITING,   /* shown, not scanned yet */
    KG_QR_SCANNED,   /* scanned, waiting for the user to confirm */
    KG_QR_CONFIRMED, /* confirmed: code holds the authorization code */
    KG_QR_EXPIRED,   /* too old: get a new one */
    KG_QR_CANCELLED, /* the user refused */
    KG_QR_UNKNOWN,   /* a status value not in the configured mapping */
} kg_qr_state_t;

/* QR status (#3). */
typedef struct {
    kg_qr_state_t state;
    int32_t status;                   /* the platform's raw value */
    char code[CONFIG_KGIOT_CODE_MAX]; /* the authorization code, once confirmed */
    int32_t interval;                 /* server's minimum poll interval (s); 0 none */
    int32_t error_code;
    char error_msg[CONFIG_KGIOT_ERRMSG_MAX];
    int http_status;
} kg_qr_status_reply_t;

/* Replies that carry only the platform's verdict (#6), plus #7's status. */
typedef struct {
    int32_t status; /* #7: 1 bound, 0 not bound */
    int32_t error_code;
    char error_msg[CONFIG_KGIOT_ERRMSG_MAX];
    int http_status;
} kg_status_reply_t;

typedef struct {
    kg_auth_config_t cfg;
    kg_http_client_t http;
    /* A request's body and bytes are dead once its reply is complete (a
     * retry resends them only before the first reply byte), and the reply's
     * tokens are only made after that: the two share their bytes. */
    union {
        struct {
            char tx[CONFIG_KGIOT_HTTP_TX_BUF];
            char body[CONFIG_KGIOT_JSON_BODY_MAX];
        };
        kg_json_doc_t doc;
    };
    char rx[CONFIG_KGIOT_HTTP_RX_BUF];
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

/* Login QR code (#2), with the app-level token. */
kg_err_t kg_auth_qr(kg_auth_t *a, const char *app_token, kg_qr_reply_t *out);

/* Status of the QR code qr_id (#3). A reply whose status is not in the
 * mapping is KG_OK with state KG_QR_UNKNOWN. */
kg_err_t kg_auth_qr_status(kg_auth_t *a, const char *qr_id, kg_qr_status_reply_t *out);

/* Refresh (#5): the user token when openid is given, else the app token.
 * ts is Unix seconds (direct mode; ignored in broker mode). The reply may
 * lack a new refresh_token (then out->refresh_token is ""). */
kg_err_t kg_auth_refresh(kg_auth_t *a, const char *openid, const char *refresh_token, int64_t ts,
                         kg_token_reply_t *out);

/* The refresh signature: lowercase hex MD5 of "KG_" appid "_" ts "_" appkey,
 * into out[33] (NUL-terminated), hashed piece by piece (any lengths). No I/O.
 * Errors: KG_ERR_ARG, KG_ERR_TLS_SETUP (mbedTLS's MD5 failed; with Mbed TLS
 * 4.x, where MD5 is PSA's, also when psa_crypto_init() fails: call
 * kg_tls_pool_init() first on a build with a static pool). */
kg_err_t kg_auth_refresh_sign(const char *appid, int64_t ts, const char *appkey, char out[33]);

/* Dark-account unbind (#6): the dark account's openid and access token, and
 * the vendor's auth code. */
kg_err_t kg_auth_virtual_unbind(kg_auth_t *a, const char *openid, const char *access_token,
                                const char *vendor_token, kg_status_reply_t *out);

/* Dark-account bind info (#7), with the app-level token. */
kg_err_t kg_auth_virtual_bind_info(kg_auth_t *a, const char *virtual_openid, const char *app_token,
                                   kg_status_reply_t *out);

/* POST a ready JSON body to prefix + path with extra headers, on the same
 * kept-alive connection; *resp is the raw reply (valid until the next call).
 * For authorised business calls (kg_session's kg_call). */
kg_err_t kg_auth_post(kg_auth_t *a, const char *path, const char *body, size_t len,
                      const kg_http_header_t *headers, size_t header_count, kg_http_resp_t **resp);

/* Decode a token reply body (no I/O; for vendors who move the bytes
 * themselves). body is modified in place. KG_ERR_API when error_code != 0,
 * KG_ERR_HTTP_STATUS for a non-2xx status without a platform error,
 * KG_ERR_JSON_MISSING when a success lacks access_token, or a kg_json error. */
kg_err_t kg_auth_decode_token(kg_json_doc_t *doc, int http_status, char *body, size_t len,
                              kg_token_reply_t *out);

/* Close the kept-alive connection and wipe the request, body and reply
 * buffers. (Each call already wipes its request and body once sent, and an
 * endpoint's reply once decoded; kg_auth_post's reply stays until the next
 * call, for the caller.) Safe on NULL, on a zero-filled a and after a failed
 * kg_auth_init. */
void kg_auth_close(kg_auth_t *a);

/* Zero n bytes at p so that the compiler cannot drop the stores as dead
 * (mbedtls_platform_zeroize): for every buffer that held a secret, a
 * signature, a token or a body carrying one. */
void kg_auth_wipe(void *p, size_t n);

#endif
