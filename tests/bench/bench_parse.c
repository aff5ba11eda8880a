/*
 * bench_parse - the parse-cost benchmark: the reference reply
 * (shared/bench/token_response.http) through kg_http's response parser and
 * kg_auth's decoder into the nine fields, N times in one process. Run under
 * callgrind with --toggle-collect=parse_once to count only the parse.
 *   bench_parse FILE [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kg_auth.h"

static char input[4096];
static char buf[4096];
static kg_http_resp_t resp;
static kg_json_doc_t doc;
static kg_token_reply_t reply;

/* Not inlined: callgrind counts exactly this function and its callees. */
__attribute__((noinline)) int parse_once(size_t n);
__attribute__((noinline)) int parse_once(size_t n)
{
    size_t space, len;
    kg_http_resp_init(&resp, buf, sizeof buf, false);
    (void)kg_http_resp_space(&resp, &space);
    if (kg_http_resp_feed(&resp, n) != KG_OK || !resp.done) return -1;
    char *body = kg_http_resp_body(&resp, &len);
    return kg_auth_decode_token(&doc, resp.status, body, len, &reply);
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 2;
    size_t n = fread(input, 1, sizeof input, f);
    fclose(f);
    long iterations = argc > 2 ? atol(argv[2]) : 10000;
    for (long i = 0; i < iterations; i++) {
        memcpy(buf, input, n); /* the bytes as a socket would deliver them */
        if (parse_once(n) != KG_OK) {
            fprintf(stderr, "parse failed\n");
            return 1;
        }
    }
    printf("access_token=%.6s... expires_in=%lld openid=%s orig_acnt_type=%d error_msg=%s\n",
           reply.access_token, (long long)reply.expires_in, reply.openid, (int)reply.orig_acnt_type,
           reply.error_msg);
    return 0;
}
