/*
 * kg_err.h - every error kgiot can return, with its one-line meaning.
 *
 * All kgiot functions that can fail return a kg_err_t. KG_OK is zero; every
 * error is negative so "if (err < 0)" and "if (err != KG_OK)" both work.
 * kg_err_name() gives the enum's own name ("KG_ERR_TLS_UNTRUSTED") for logs and
 * command-line output; kg_err_text() gives the one-line meaning (or, in an
 * image built without meanings to save flash, the name again).
 */
#ifndef KG_ERR_H
#define KG_ERR_H

/* X(name, meaning): the one list both the enum and the name table come from.
 * New errors go at the end, so that every value stays what it was. */
#define KG_ERR_LIST(X)                                                                             \
    X(KG_OK, "success")                                                                            \
    X(KG_ERR_ARG, "a parameter is NULL, empty or out of range")                                    \
    X(KG_ERR_NO_SPACE, "an output buffer is too small for what must be written")                   \
    X(KG_ERR_STATE, "the call is not valid in the object's current state")                         \
    X(KG_ERR_URL, "the base URL is not https://host[:port][/prefix]")                              \
    X(KG_ERR_JSON_SYNTAX, "the body is not one valid JSON object")                                 \
    X(KG_ERR_JSON_TOKENS, "the body has more JSON tokens than CONFIG_KGIOT_JSON_TOKENS")           \
    X(KG_ERR_JSON_TYPE, "a field has the wrong JSON type")                                         \
    X(KG_ERR_JSON_RANGE, "an integer field is not an integer or does not fit")                     \
    X(KG_ERR_JSON_ESCAPE, "a string holds an invalid escape or \\u sequence")                      \
    X(KG_ERR_JSON_TOO_LONG, "a string field is longer than its configured capacity")               \
    X(KG_ERR_JSON_MISSING, "a required field is absent from the reply")                            \
    X(KG_ERR_HTTP_SYNTAX, "the reply is not valid HTTP/1.x")                                       \
    X(KG_ERR_HTTP_STATUS_LINE_TOO_LONG,                                                            \
      "the status line is longer than CONFIG_KGIOT_HTTP_LINE_MAX")                                 \
    X(KG_ERR_HTTP_HEADERS_TOO_LARGE,                                                               \
      "the header block exceeds CONFIG_KGIOT_HTTP_HEAD_MAX or a header read does not fit")         \
    X(KG_ERR_HTTP_BODY_TOO_LARGE, "the body does not fit in the response buffer")                  \
    X(KG_ERR_HTTP_STATUS, "the server answered with an HTTP error status and no platform error")   \
    X(KG_ERR_CLOSED, "the peer closed the connection before the reply was complete")               \
    X(KG_ERR_TIMEOUT, "the deadline passed before the operation completed")                        \
    X(KG_ERR_DNS, "the host name could not be resolved")                                           \
    X(KG_ERR_CONNECT, "the TCP connection could not be established")                               \
    X(KG_ERR_IO, "a socket send or receive failed")                                                \
    X(KG_ERR_TLS_CA, "the CA certificate could not be parsed")                                     \
    X(KG_ERR_TLS_SETUP, "mbedTLS could not be configured (entropy, pool or config)")               \
    X(KG_ERR_TLS_HANDSHAKE, "the TLS handshake failed for a reason other than verification")       \
    X(KG_ERR_TLS_UNTRUSTED, "the server certificate chain does not verify against the CA")         \
    X(KG_ERR_TLS_NAME_MISMATCH, "the server certificate is valid but for another host name")       \
    X(KG_ERR_TLS_IO, "TLS record layer error after the handshake")                                 \
    X(KG_ERR_NO_MEMORY, "the static mbedTLS pool is exhausted")                                    \
    X(KG_ERR_NO_CLOCK, "the port cannot tell the wall-clock time")                                 \
    X(KG_ERR_API, "the platform answered with a non-zero error_code")                              \
    X(KG_ERR_LOGIN_REQUIRED, "no valid token remains: the user must log in again")                 \
    X(KG_ERR_QR_EXPIRED, "the QR code expired more often than CONFIG_KGIOT_QR_RENEWALS allows")    \
    X(KG_ERR_LOGIN_DENIED, "the user refused the login on the phone")                              \
    X(KG_ERR_NOT_FOUND, "nothing has been stored yet")                                             \
    X(KG_ERR_STORE, "the token store failed to load or save")                                      \
    X(KG_ERR_FLASH, "a flash read, program or erase failed")                                       \
    X(KG_ERR_STORE_VERSION, "the stored record has another format version")                        \
    X(KG_ERR_STORE_FOREIGN, "the stored tokens belong to another appid or host: kept, not used")   \
    X(KG_ERR_HTTP_UNSUPPORTED,                                                                     \
      "the reply is chunked or interim (1xx) and this build leaves that out (Kconfig)")

#define KG_ERR_ENUM_(name, text) name##_INDEX_,
enum { KG_ERR_LIST(KG_ERR_ENUM_) KG_ERR_COUNT_ };
#undef KG_ERR_ENUM_

#define KG_ERR_ENUM_(name, text) name = -(int)name##_INDEX_,
typedef enum { KG_ERR_LIST(KG_ERR_ENUM_) } kg_err_t;
#undef KG_ERR_ENUM_

/* "KG_ERR_TLS_UNTRUSTED" for KG_ERR_TLS_UNTRUSTED; "KG_ERR_UNKNOWN" for values not in the list. */
const char *kg_err_name(kg_err_t err);

/* The one-line meaning of err; its name when the image is built without
 * meanings (CONFIG_KGIOT_ERR_MEANINGS off). */
const char *kg_err_text(kg_err_t err);

#endif
