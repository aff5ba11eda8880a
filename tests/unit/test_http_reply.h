/* test_http_reply.h - the reference reply (/work/shared/bench/token_response.http),
 * byte-exact: CRLF line ends, chunked in two chunks (0x80 and 0xd5 bytes). */
#ifndef TEST_HTTP_REPLY_H
#define TEST_HTTP_REPLY_H

#define TOKEN_REPLY_HEAD "HTTP/1.1 200 OK\r\n" TOKEN_REPLY_FIELDS

/* The reference head's header lines and blank line, without its status line. */
#define TOKEN_REPLY_FIELDS                                                                         \
    "Server: nginx\r\n"                                                                            \
    "Date: Fri, 27 Nov 2026 11:00:00 GMT\r\n"                                                      \
    "Content-Type: application/json; charset=utf-8\r\n"                                            \
    "Transfer-Encoding: chunked\r\n"                                                               \
    "Connection: keep-alive\r\n"                                                                   \
    "X-Request-Id: 7f3c2a9e0b1d4e5f\r\n"                                                           \
    "\r\n"

#define TOKEN_BODY_PART1                                                                           \
    "{\"access_token\":\"AT_9f8e7d6c5b4a39281706f5e4d3c2b1a0_abcdefghijklmnop\",\"expires_in\":"   \
    "7200,\"refresh_token\":\"RT_0a1b2c3d4e5f6071829"

#define TOKEN_BODY_PART2                                                                           \
    "3a4b5c6d7e8f9_qrstuvwxyz012345\",\"openid\":\"oK9x2mZ7pQ4rT1vW8yB3nC6dF0gH5jL\",\"unionid\":" \
    "\"uN7b3kQ9sX2wE5rT8yU1iO4pA6dG0hJ\",\"scope\":\"user_info,song_play\",\"orig_acnt_type\":2,"  \
    "\"error_code\":0,\"error_msg\":\"\\u6210\\u529f ok\"}"

#define TOKEN_REPLY                                                                                \
    TOKEN_REPLY_HEAD "80\r\n" TOKEN_BODY_PART1 "\r\n"                                              \
                     "d5\r\n" TOKEN_BODY_PART2 "\r\n"                                              \
                     "0\r\n"                                                                       \
                     "\r\n"

#define TOKEN_BODY TOKEN_BODY_PART1 TOKEN_BODY_PART2

#endif
