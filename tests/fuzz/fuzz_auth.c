/*
 * fuzz_auth.c - libFuzzer target for every endpoint's reply decoder
 * (kg_auth_codec.c): the token replies (app token, user token, refresh),
 * the QR code, the QR status, and the verdict-only replies (dark-account
 * unbind and bind info).
 *
 * Input: byte 0 picks the decoder (bits 0-1) and the HTTP status (bits
 * 2-7, from a table of the ones the platform and proxies send); the rest is
 * the reply body, copied to the END of a heap buffer of exactly its size,
 * so any read past it is an overflow the sanitizers report. Aborts when a
 * decoder breaks a promise of kg_auth.h: a string without its NUL, KG_OK
 * for a non-2xx status, an error_code or a missing required field,
 * KG_ERR_API without an error_code, a QR state that does not follow the
 * status mapping, or an error without a name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kg_auth_codec.h"

static const int statuses[] = {200, 200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503};
#define N_STATUSES (sizeof statuses / sizeof statuses[0])

static kg_json_doc_t doc;

static void check(int ok)
{
    if (!ok) abort();
}

static int terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}
#define TERMINATED(field) terminated(field, sizeof(field))

static int ok_status(int status)
{
    return status >= 200 && status < 300;
}

/* What every decoder promises about its verdict. */
static void check_verdict(kg_err_t err, int status, int32_t error_code, int http_status)
{
    check(kg_err_name(err) != NULL);
    check(http_status == status);
    if (err == KG_OK) check(ok_status(status) && error_code == 0);
    if (err == KG_ERR_API) check(error_code != 0);
}

static void token(char *body, size_t len, int status)
{
    static kg_token_reply_t r;
    kg_err_t err = kg_auth_decode_token(&doc, status, body, len, &r);
    check_verdict(err, status, r.error_code, r.http_status);
    check(TERMINATED(r.access_token) && TERMINATED(r.refresh_token) && TERMINATED(r.openid));
    check(TERMINATED(r.unionid) && TERMINATED(r.scope) && TERMINATED(r.error_msg));
    if (err == KG_OK) check(r.access_token[0] != '\0');
}

static void qr(char *body, size_t len, int status)
{
    static kg_qr_reply_t r;
    kg_err_t err = kg_auth_decode_qr(&doc, status, body, len, &r);
    check_verdict(err, status, r.error_code, r.http_status);
    check(TERMINATED(r.qr_content) && TERMINATED(r.qr_id) && TERMINATED(r.error_msg));
    if (err == KG_OK) check(r.qr_content[0] != '\0' && r.qr_id[0] != '\0');
}

static kg_qr_state_t mapped(int32_t status)
{
    if (status == CONFIG_KGIOT_QR_STATUS_WAITING) return KG_QR_WAITING;
    if (status == CONFIG_KGIOT_QR_STATUS_SCANNED) return KG_QR_SCANNED;
    if (status == CONFIG_KGIOT_QR_STATUS_CONFIRMED) return KG_QR_CONFIRMED;
    if (status == CONFIG_KGIOT_QR_STATUS_EXPIRED) return KG_QR_EXPIRED;
    if (status == CONFIG_KGIOT_QR_STATUS_CANCELLED) return KG_QR_CANCELLED;
    return KG_QR_UNKNOWN;
}

static void qr_status(char *body, size_t len, int status)
{
    static kg_qr_status_reply_t r;
    kg_err_t err = kg_auth_decode_qr_status(&doc, status, body, len, &r);
    check_verdict(err, status, r.error_code, r.http_status);
    check(TERMINATED(r.code) && TERMINATED(r.error_msg));
    check(r.state == mapped(r.status));
    if (err == KG_OK && r.state == KG_QR_CONFIRMED) check(r.code[0] != '\0');
}

static void verdict_only(char *body, size_t len, int status)
{
    static kg_status_reply_t r;
    kg_err_t err = kg_auth_decode_status(&doc, status, body, len, &r);
    check_verdict(err, status, r.error_code, r.http_status);
    check(TERMINATED(r.error_msg));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static void (*const decoders[4])(char *, size_t, int) = {token, qr, qr_status, verdict_only};
    if (size < 1) return 0;
    size_t len = size - 1;
    char *body = malloc(len ? len : 1);
    memcpy(body, data + 1, len);
    decoders[data[0] & 3](body, len, statuses[(data[0] >> 2) % N_STATUSES]);
    free(body);
    return 0;
}
