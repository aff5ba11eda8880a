/*
 * kgiot_file_store.c - the host tool's kg_token_store_t: the token set as a
 * JSON file, readable only by its owner, replaced atomically (write a
 * temporary file, fsync, rename) so a crash leaves the old or the new set.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kgiot.h"

#define FILE_MAX 4096

static const char *store_path;
static char file_buf[FILE_MAX];
static kg_json_doc_t doc;

typedef kg_tokens_t tk_t;
static const kg_json_field_t token_fields[] = {
    KG_JSON_FIELD_STR(tk_t, app_token, "app_token", 0),
    KG_JSON_FIELD_STR(tk_t, app_refresh_token, "app_refresh_token", 0),
    KG_JSON_FIELD_I64(tk_t, app_expires_at, "app_expires_at", 0),
    KG_JSON_FIELD_STR(tk_t, access_token, "access_token", 0),
    KG_JSON_FIELD_STR(tk_t, refresh_token, "refresh_token", 0),
    KG_JSON_FIELD_STR(tk_t, openid, "openid", 0),
    KG_JSON_FIELD_STR(tk_t, unionid, "unionid", 0),
    KG_JSON_FIELD_STR(tk_t, scope, "scope", 0),
    KG_JSON_FIELD_I64(tk_t, expires_at, "expires_at", 0),
};

static kg_err_t file_load(void *ctx, kg_tokens_t *out)
{
    (void)ctx;
    FILE *f = fopen(store_path, "rb");
    if (!f) return KG_ERR_NOT_FOUND;
    size_t n = fread(file_buf, 1, sizeof file_buf, f);
    int too_big = !feof(f);
    fclose(f);
    if (too_big) return KG_ERR_STORE;
    memset(out, 0, sizeof *out);
    kg_err_t err = kg_json_decode(&doc, file_buf, n, token_fields,
                                  sizeof token_fields / sizeof token_fields[0], out, NULL);
    return err == KG_OK ? KG_OK : KG_ERR_STORE;
}

static kg_err_t encode(const kg_tokens_t *t, size_t *len)
{
    kg_json_writer_t w;
    kg_json_begin(&w, file_buf, sizeof file_buf);
    kg_json_add_str(&w, "app_token", t->app_token);
    kg_json_add_str(&w, "app_refresh_token", t->app_refresh_token);
    kg_json_add_int(&w, "app_expires_at", t->app_expires_at);
    kg_json_add_str(&w, "access_token", t->access_token);
    kg_json_add_str(&w, "refresh_token", t->refresh_token);
    kg_json_add_str(&w, "openid", t->openid);
    kg_json_add_str(&w, "unionid", t->unionid);
    kg_json_add_str(&w, "scope", t->scope);
    kg_json_add_int(&w, "expires_at", t->expires_at);
    return kg_json_end(&w, len);
}

static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0) return false;
        buf += n;
        len -= (size_t)n;
    }
    return fsync(fd) == 0;
}

static kg_err_t file_save(void *ctx, const kg_tokens_t *tokens)
{
    (void)ctx;
    char tmp[1024];
    size_t len;
    if (encode(tokens, &len) != KG_OK) return KG_ERR_STORE;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", store_path) >= sizeof tmp) return KG_ERR_STORE;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return KG_ERR_STORE;
    bool ok = write_all(fd, file_buf, len);
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, store_path) == 0) return KG_OK;
    unlink(tmp);
    return KG_ERR_STORE;
}

void cli_file_store_init(kg_token_store_t *store, const char *path)
{
    store_path = path;
    store->ctx = NULL;
    store->load = file_load;
    store->save = file_save;
}
