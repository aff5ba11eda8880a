/*
 * kgiot_args.c - the tool's command line: the commands and their options,
 * help text (stdout, exit 0), and usage errors that name the argument that
 * is wrong (one line on stderr, exit 2). Secrets also come from a file
 * (--secret-file F, "-" for standard input) or the environment
 * (KGIOT_SECRET...), so that they need not show in /proc/PID/cmdline or a
 * shell's history.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kgiot.h"

#define SECRET_MAX 1024

enum {
    O_BASE,
    O_CA,
    O_APPID,
    O_SECRET,
    O_SECRET_FILE,
    O_BROKER,
    O_APPKEY,
    O_APPKEY_FILE,
    O_CODE,
    O_CODE_FILE,
    O_REFRESH,
    O_REFRESH_FILE,
    O_OPENID,
    O_QRID,
    O_BODY,
    O_GUEST,
    O_STATE,
    O_POLL,
    O_TIMEOUT,
    O_LIGHT,
    O_SHOW,
    O_VERBOSE,
    O_COUNT
};
#define BIT(o) (1u << (o))

typedef enum { V_TEXT, V_FILE, V_NUMBER, V_FLAG } opt_kind_t;

typedef struct {
    const char *name;
    const char *arg; /* the value's name in help */
    opt_kind_t kind;
    size_t offset;   /* into cli_args_t */
    const char *env; /* fallback for a secret */
    const char *help;
} opt_t;

#define A(member) offsetof(cli_args_t, member)
static const opt_t opts[O_COUNT] = {
    [O_BASE] = {"--base", "URL", V_TEXT, A(base), NULL,
                "https://host[:port][/test]: the platform or the vendor's broker"},
    [O_CA] = {"--ca", "FILE", V_TEXT, A(ca_file), NULL,
              "trusted CA certificates, PEM or DER, any size (e.g. the system bundle)"},
    [O_APPID] = {"--appid", "A", V_TEXT, A(appid), NULL, "the application's id"},
    [O_SECRET] = {"--secret", "S", V_TEXT, A(secret), "KGIOT_SECRET",
                  "the application secret (direct mode)"},
    [O_SECRET_FILE] = {"--secret-file", "F", V_FILE, A(secret), NULL,
                       "read the secret from F (- for standard input)"},
    [O_BROKER] = {"--broker", NULL, V_FLAG, A(broker), NULL,
                  "the host is the vendor's broker, which adds the secret"},
    [O_APPKEY] = {"--appkey", "K", V_TEXT, A(appkey), "KGIOT_APPKEY",
                  "the refresh signing key (default: the secret)"},
    [O_APPKEY_FILE] = {"--appkey-file", "F", V_FILE, A(appkey), NULL,
                       "read the appkey from F (- for standard input)"},
    [O_CODE] = {"--code", "C", V_TEXT, A(code), "KGIOT_CODE", "the authorization code"},
    [O_CODE_FILE] = {"--code-file", "F", V_FILE, A(code), NULL,
                     "read the code from F (- for standard input)"},
    [O_REFRESH] = {"--refresh-token", "R", V_TEXT, A(refresh_token), "KGIOT_REFRESH_TOKEN",
                   "the user's refresh token"},
    [O_REFRESH_FILE] = {"--refresh-token-file", "F", V_FILE, A(refresh_token), NULL,
                        "read the refresh token from F (- for standard input)"},
    [O_OPENID] = {"--openid", "O", V_TEXT, A(openid), NULL, "the user's openid"},
    [O_QRID] = {"--qr-id", "Q", V_TEXT, A(qr_id), NULL, "the QR code's id (from kgiot qr)"},
    [O_BODY] = {"--body", "JSON", V_TEXT, A(body), NULL, "the request body (default {})"},
    [O_GUEST] = {"--guest", NULL, V_FLAG, A(guest), NULL,
                 "call with the app-level token; the saved login is left alone"},
    [O_STATE] = {"--state", "FILE", V_TEXT, A(state), NULL,
                 "the saved session (default kgiot-session.json, mode 0600)"},
    [O_POLL] = {"--poll-ms", "N", V_NUMBER, A(poll_ms), NULL,
                "milliseconds between QR status polls (default from Kconfig)"},
    [O_TIMEOUT] = {"--timeout-ms", "N", V_NUMBER, A(timeout_ms), NULL,
                   "give up the login after N ms (default from Kconfig)"},
    [O_LIGHT] = {"--light", NULL, V_FLAG, A(light), NULL,
                 "draw the QR code for a light terminal background (default: from "
                 "COLORFGBG, else dark)"},
    [O_SHOW] = {"--show-secrets", NULL, V_FLAG, A(show_secrets), NULL,
                "print token values instead of ***"},
    [O_VERBOSE] = {"-v", NULL, V_FLAG, A(verbose), NULL, "log the library's steps to stderr"},
};

/* How a command gets its credentials. */
typedef enum { M_NONE, M_SECRET, M_SECRET_OR_BROKER, M_KEY } mode_need_t;

typedef struct {
    const char *name;
    cli_result_t (*run)(const cli_args_t *a);
    uint32_t options;  /* beyond the common ones */
    uint32_t required; /* beyond --base, --ca, --appid */
    mode_need_t mode;
    const char *synopsis;
    const char *about;
} command_t;

#define COMMON  (BIT(O_BASE) | BIT(O_CA) | BIT(O_APPID) | BIT(O_SHOW) | BIT(O_VERBOSE))
#define SECRET  (BIT(O_SECRET) | BIT(O_SECRET_FILE))
#define SESSION (SECRET | BIT(O_BROKER) | BIT(O_STATE))

static cli_result_t app_token(const cli_args_t *a)
{
    return cli_token(a, false);
}

static cli_result_t user_token(const cli_args_t *a)
{
    return cli_token(a, true);
}

static const command_t commands[] = {
    {"login", cli_login, SESSION | BIT(O_POLL) | BIT(O_TIMEOUT) | BIT(O_LIGHT), 0,
     M_SECRET_OR_BROKER, "(--secret S | --broker) [--state FILE]",
     "The whole login: app token, QR code (drawn in the terminal), polls, user token,\n"
     "saved to --state; one line per event on stdout. A saved login is replaced only\n"
     "by a completed one."},
    {"call", cli_call, SESSION | BIT(O_BODY) | BIT(O_GUEST), 0, M_SECRET_OR_BROKER,
     "PATH (--secret S | --broker) [--body JSON] [--guest] [--state FILE]",
     "An authorised business call with the saved session (refreshed when due);\n"
     "prints the reply's body."},
    {"app-token", app_token, SECRET, 0, M_SECRET, "--secret S",
     "Fetch an app-level token; prints the decoded reply."},
    {"token", user_token, SECRET | BIT(O_CODE) | BIT(O_CODE_FILE), BIT(O_CODE), M_SECRET,
     "--secret S --code C", "Exchange an authorization code for a user token."},
    {"refresh", cli_refresh,
     SECRET | BIT(O_APPKEY) | BIT(O_APPKEY_FILE) | BIT(O_REFRESH) | BIT(O_REFRESH_FILE) |
         BIT(O_OPENID),
     BIT(O_REFRESH), M_KEY, "(--appkey K | --secret S) --refresh-token R [--openid O]",
     "Refresh a user token; ts and the MD5 signature are computed here."},
    {"qr", cli_qr, SECRET | BIT(O_BROKER), 0, M_SECRET_OR_BROKER, "(--secret S | --broker)",
     "Fetch an app token, then a login QR code; prints qr_url, qr_id, expires_in."},
    {"qr-status", cli_qr_status, SECRET | BIT(O_BROKER) | BIT(O_QRID), BIT(O_QRID), M_NONE,
     "--qr-id Q", "Ask what the user did with a QR code."},
};
#define COMMANDS (sizeof commands / sizeof commands[0])

/* ---- Help ---- */

static void print_options(uint32_t mask)
{
    for (int o = 0; o < O_COUNT; o++) {
        if (!(mask & BIT(o))) continue;
        char left[40];
        snprintf(left, sizeof left, "%s%s%s", opts[o].name, opts[o].arg ? " " : "",
                 opts[o].arg ? opts[o].arg : "");
        printf("  %-24s %s", left, opts[o].help);
        if (opts[o].env) printf(" (or $%s)", opts[o].env);
        putchar('\n');
    }
}

static int command_help(const command_t *c)
{
    printf("usage: kgiot %s --base URL --ca FILE --appid A %s [options]\n\n%s\n\noptions:\n",
           c->name, c->synopsis, c->about);
    print_options(COMMON | c->options);
    printf("\nExit status: 0 done, 1 failed (one line on stderr), 2 usage.\n");
    return 0;
}

static int main_help(void)
{
    printf("usage: kgiot COMMAND --base URL --ca FILE --appid A [options]\n\n"
           "Signs a user in to the WeSing IoT platform with the kgiot library.\n\ncommands:\n");
    for (size_t i = 0; i < COMMANDS; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].synopsis);
    printf("\n'kgiot COMMAND --help' describes each command's options.\n");
    return 0;
}

/* One line on stderr naming what is wrong; exit status 2. */
static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kgiot: %s%s", cmd ? cmd : "", cmd ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see kgiot %s%s--help)\n", cmd ? cmd : "", cmd ? " " : "");
    return 2;
}

/* ---- Values ---- */

/* A secret read from a file or standard input, without its final newline. */
static const char *read_secret(const char *path, char *buf, size_t cap, int *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        *err = errno;
        return NULL;
    }
    size_t n = fread(buf, 1, cap - 1, f);
    *err = ferror(f) ? EIO : (!feof(f) ? EFBIG : 0);
    if (f != stdin) fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    return *err ? NULL : buf;
}

static bool parse_u32(const char *text, uint32_t *out)
{
    char *end;
    if (!text[0] || text[0] == '-' || text[0] == '+' || text[0] == ' ') return false;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || errno || v > UINT32_MAX) return false;
    *out = (uint32_t)v;
    return true;
}

static int set_value(const command_t *c, cli_args_t *a, int o, const char *value)
{
    static char secret_bufs[O_COUNT][SECRET_MAX];
    void *field = (char *)a + opts[o].offset;
    int err = 0;
    if (opts[o].kind == V_NUMBER && !parse_u32(value, (uint32_t *)field))
        return usage_error(c->name, "%s: not a number from 0 to 4294967295: '%s'", opts[o].name,
                           value);
    if (opts[o].kind == V_TEXT) *(const char **)field = value;
    if (opts[o].kind != V_FILE) return -1;
    *(const char **)field = read_secret(value, secret_bufs[o], SECRET_MAX, &err);
    if (err) return usage_error(c->name, "%s %s: %s", opts[o].name, value, strerror(err));
    return -1;
}

static int find_option(const char *name)
{
    for (int o = 0; o < O_COUNT; o++)
        if (strcmp(name, opts[o].name) == 0) return o;
    return -1;
}

/* Consumes argv[*i] (and its value); -1 to go on, else the exit status. */
static int parse_one(const command_t *c, cli_args_t *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) return command_help(c);
    int o = find_option(arg);
    if (o < 0 && arg[0] != '-' && c->run == cli_call && !a->path) {
        a->path = arg;
        return -1;
    }
    if (o < 0 || !((COMMON | c->options) & BIT(o)))
        return usage_error(c->name, "%s option %s", o < 0 ? "unknown" : "not an", arg);
    if (opts[o].kind == V_FLAG) {
        *(bool *)((char *)a + opts[o].offset) = true;
        return -1;
    }
    if (*i + 1 >= argc) return usage_error(c->name, "%s needs a value", arg);
    return set_value(c, a, o, argv[++*i]);
}

/* The environment fills a secret that no option gave. */
static void from_env(const command_t *c, cli_args_t *a)
{
    for (int o = 0; o < O_COUNT; o++) {
        const char **field = (const char **)((char *)a + opts[o].offset);
        if (!opts[o].env || !(c->options & BIT(o)) || *field) continue;
        if (o == O_SECRET && a->broker) continue;
        *field = getenv(opts[o].env);
    }
}

/* ---- Checks after parsing ---- */

static const char *const *text_field(const cli_args_t *a, int o)
{
    return (const char *const *)((const char *)a + opts[o].offset);
}

static int check_required(const command_t *c, const cli_args_t *a)
{
    const uint32_t required = BIT(O_BASE) | BIT(O_CA) | BIT(O_APPID) | c->required;
    if (c->run == cli_call && !a->path) return usage_error(c->name, "missing PATH");
    for (int o = 0; o < O_COUNT; o++) {
        if (!(required & BIT(o))) continue;
        const char *v = *text_field(a, o);
        if (!v) return usage_error(c->name, "missing %s", opts[o].name);
        if (!v[0]) return usage_error(c->name, "%s is empty", opts[o].name);
    }
    return -1;
}

static int check_empty(const command_t *c, const cli_args_t *a)
{
    static const int secrets[] = {O_SECRET, O_APPKEY, O_CODE, O_REFRESH};
    for (size_t k = 0; k < sizeof secrets / sizeof secrets[0]; k++) {
        const char *v = *text_field(a, secrets[k]);
        if (v && !v[0]) return usage_error(c->name, "%s is empty", opts[secrets[k]].name);
    }
    return -1;
}

static int check_mode(const command_t *c, const cli_args_t *a)
{
    if (c->mode == M_SECRET_OR_BROKER && a->secret && a->broker)
        return usage_error(c->name, "--secret and --broker exclude each other");
    if (c->mode == M_SECRET_OR_BROKER && !a->secret && !a->broker)
        return usage_error(c->name, "give --secret (or --secret-file, $KGIOT_SECRET) or --broker");
    if (c->mode == M_SECRET && !a->secret)
        return usage_error(c->name, "missing --secret (or --secret-file, $KGIOT_SECRET)");
    if (c->mode == M_KEY && !a->secret && !a->appkey)
        return usage_error(c->name, "missing --appkey or --secret");
    return -1;
}

static const command_t *find_command(const char *name)
{
    for (size_t i = 0; i < COMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0) return &commands[i];
    return NULL;
}

int cli_parse(int argc, char **argv, cli_args_t *a, cli_run_t *run)
{
    memset(a, 0, sizeof *a);
    if (argc < 2) return usage_error(NULL, "give a command");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) return main_help();
    const command_t *c = find_command(argv[1]);
    if (!c) return usage_error(NULL, "unknown command %s", argv[1]);
    a->command = c->name;
    int status = -1;
    for (int i = 2; i < argc && status < 0; i++)
        status = parse_one(c, a, argc, argv, &i);
    if (status >= 0) return status;
    from_env(c, a);
    if ((status = check_required(c, a)) >= 0) return status;
    if ((status = check_empty(c, a)) >= 0) return status;
    *run = c->run;
    return check_mode(c, a);
}
