/*
 * kgiot_file_store.c - the host tool's kg_token_store_t: the token set as a
 * JSON file, readable only by its owner, replaced atomically (write a
 * temporary file of our own, fsync, rename, fsync the directory) so a crash
 * leaves the old or the new set, and nobody else's file is ever written.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kgiot.h"

#define FILE_MAX 4096

static const char *store_path;
static int last_errno; /* of the last failed load or save */
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
    /* uint32_t kept as the int32_t of the same bits */
    KG_JSON_FIELD_I32(tk_t, binding, "binding", 0),
};

static kg_err_t file_load(void *ctx, kg_tokens_t *out)
{
    (void)ctx;
    FILE *f = fopen(store_path, "rb");
    last_errno = f ? 0 : errno;
    if (!f) return errno == ENOENT ? KG_ERR_NOT_FOUND : KG_ERR_STORE;
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
    kg_json_add_int(&w, "binding", (int32_t)t->binding);
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
    return true;
}

/* A fresh file next to the state: "<path>.<16 hex>", created by us alone
 * (O_EXCL: never a stale file or another process's; O_NOFOLLOW: never
 * through a planted symlink), mode 0600 whatever the umask. -1 and errno. */
static int create_temp(char *tmp, size_t cap)
{
    for (int tries = 0; tries < 8; tries++) {
        uint64_t r = 0;
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) return -1;
        if ((size_t)snprintf(tmp, cap, "%s.%016llx", store_path, (unsigned long long)r) >= cap) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 && fchmod(fd, 0600) == 0) return fd;
        if (fd >= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            errno = e;
            return -1;
        }
        if (errno != EEXIST) return -1;
    }
    return -1;
}

/* The rename is durable only once the directory holding it is synced. */
static bool sync_dir(void)
{
    char dir[PATH_MAX] = ".";
    const char *slash = strrchr(store_path, '/');
    if (slash) {
        size_t n = slash == store_path ? 1 : (size_t)(slash - store_path); /* "/x": "/" */
        if (n >= sizeof dir) return false;
        memcpy(dir, store_path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0) close(fd);
    return ok;
}

/* Write, fsync, rename over the state, fsync the directory. */
static bool replace_state(const char *buf, size_t len)
{
    char tmp[PATH_MAX];
    int fd = create_temp(tmp, sizeof tmp);
    if (fd < 0) return false;
    bool ok = write_all(fd, buf, len) && fsync(fd) == 0;
    int e = errno;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, store_path) == 0) return sync_dir();
    e = ok ? errno : e;
    unlink(tmp);
    errno = e;
    return false;
}

static kg_err_t file_save(void *ctx, const kg_tokens_t *tokens)
{
    (void)ctx;
    size_t len;
    last_errno = 0;
    if (encode(tokens, &len) != KG_OK) return KG_ERR_STORE;
    if (replace_state(file_buf, len)) return KG_OK;
    last_errno = errno ? errno : EIO;
    return KG_ERR_STORE;
}

int cli_file_store_writable(const char *path)
{
    char tmp[PATH_MAX];
    store_path = path;
    int fd = create_temp(tmp, sizeof tmp);
    if (fd < 0) return errno ? errno : EIO;
    close(fd);
    unlink(tmp);
    return 0;
}

int cli_file_store_errno(void)
{
    return last_errno;
}

void cli_file_store_init(kg_token_store_t *store, const char *path)
{
    store_path = path;
    store->ctx = NULL;
    store->load = file_load;
    store->save = file_save;
}
