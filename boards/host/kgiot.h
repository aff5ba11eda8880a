/*
 * kgiot.h - private to the host tool: its parsed arguments, the stack it
 * builds (port, TCP, TLS, kg_auth or kg_session) and the commands.
 */
#ifndef KGIOT_H
#define KGIOT_H

#include <stdbool.h>

#include "kg_auth.h"
#include "kg_port_posix.h"
#include "kg_session.h"
#include "kg_tcp.h"
#include "kg_tls.h"

typedef struct {
    const char *command;
    const char *base;
    const char *ca_file;
    const char *appid;
    const char *secret;
    const char *appkey;
    const char *code;
    const char *refresh_token;
    const char *openid;
    const char *qr_id;
    const char *path;  /* kgiot call PATH */
    const char *body;  /* kgiot call --body */
    const char *state; /* the session file */
    uint32_t poll_ms;
    uint32_t timeout_ms;
    bool broker;
    bool guest;
    bool light; /* the terminal's background is light */
    bool show_secrets;
    bool verbose;
} cli_args_t;

/* What a command returns: the error, and the platform's reply when there was one. */
typedef struct {
    kg_err_t err;
    int32_t error_code;
    const char *error_msg;
    int http_status;
    kg_err_t cause; /* a login's timeout: the last error it retried; KG_OK none */
} cli_result_t;

typedef cli_result_t (*cli_run_t)(const cli_args_t *a);

/* Parse the command line (kgiot_args.c). -1: run *run with *a; otherwise
 * the exit status (help printed: 0; a usage error named on stderr: 2). */
int cli_parse(int argc, char **argv, cli_args_t *a, cli_run_t *run);

/* What the error line names besides the error: the option and its value
 * ("--ca", path) and the errno of a system call (0 none), or a reason. */
void cli_blame(const char *option, const char *value, int sys_errno, const char *reason);

extern kg_port_t cli_port;
extern kg_http_url_t cli_url;

/* Parse --base, load --ca, set up the port: shared by every command. */
kg_err_t cli_prepare(const cli_args_t *a, kg_tls_config_t *tls_cfg);
/* "***" unless secrets are to be shown. */
const char *cli_redact(const cli_args_t *a, const char *secret);
/* Print the writer's object on one line; KG_ERR_NO_SPACE if it overflowed. */
kg_err_t cli_print(kg_json_writer_t *w);

/* Commands over kg_auth (kgiot_auth_cmds.c). */
cli_result_t cli_token(const cli_args_t *a, bool user);
cli_result_t cli_refresh(const cli_args_t *a);
cli_result_t cli_qr(const cli_args_t *a);
cli_result_t cli_qr_status(const cli_args_t *a);

/* Commands over kg_session (kgiot_session_cmds.c). */
cli_result_t cli_login(const cli_args_t *a);
cli_result_t cli_call(const cli_args_t *a);

/* A kg_token_store_t over a file, replaced atomically on save (kgiot_file_store.c). */
void cli_file_store_init(kg_token_store_t *store, const char *path);
/* Can a new state be saved at path? 0, or the errno that says why not. */
int cli_file_store_writable(const char *path);
/* The errno of the last failed load or save; 0 none. */
int cli_file_store_errno(void);

#endif
