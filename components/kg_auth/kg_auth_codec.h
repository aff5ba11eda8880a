/*
 * kg_auth_codec.h - private to kg_auth (and its tests): the request body of
 * every endpoint and the decoder of every reply, none doing I/O. Bodies are
 * written into buf[0..cap) (KG_ERR_NO_SPACE when they do not fit); decoders
 * fill the reply struct and return the verdict (KG_ERR_API, KG_ERR_HTTP_STATUS,
 * KG_ERR_JSON_*). kg_auth_decode_token is public (kg_auth.h).
 */
#ifndef KG_AUTH_CODEC_H
#define KG_AUTH_CODEC_H

#include <stdbool.h>

#include "kg_auth.h"

/* Decimal text of v into out (at least 21 bytes, no NUL); returns its length. */
size_t kg_auth_format_i64(int64_t v, char *out);

/* Direct mode: a secret is configured (and travels in the bodies). */
bool kg_auth_direct(const kg_auth_config_t *c);

kg_err_t kg_auth_body_app_token(const kg_auth_config_t *c, char *buf, size_t cap, size_t *len);
kg_err_t kg_auth_body_user_token(const kg_auth_config_t *c, const char *code, char *buf, size_t cap,
                                 size_t *len);
kg_err_t kg_auth_body_qr(const kg_auth_config_t *c, const char *app_token, char *buf, size_t cap,
                         size_t *len);
kg_err_t kg_auth_body_qr_status(const kg_auth_config_t *c, const char *qr_id, char *buf, size_t cap,
                                size_t *len);
kg_err_t kg_auth_body_refresh(const kg_auth_config_t *c, const char *openid,
                              const char *refresh_token, int64_t ts, char *buf, size_t cap,
                              size_t *len);
kg_err_t kg_auth_body_virtual_unbind(const kg_auth_config_t *c, const char *openid,
                                     const char *access_token, const char *vendor_token, char *buf,
                                     size_t cap, size_t *len);
kg_err_t kg_auth_body_virtual_bind_info(const kg_auth_config_t *c, const char *virtual_openid,
                                        const char *app_token, char *buf, size_t cap, size_t *len);

kg_err_t kg_auth_decode_qr(kg_json_doc_t *doc, int http_status, char *body, size_t len,
                           kg_qr_reply_t *out);
kg_err_t kg_auth_decode_qr_status(kg_json_doc_t *doc, int http_status, char *body, size_t len,
                                  kg_qr_status_reply_t *out);
kg_err_t kg_auth_decode_status(kg_json_doc_t *doc, int http_status, char *body, size_t len,
                               kg_status_reply_t *out);

#endif
