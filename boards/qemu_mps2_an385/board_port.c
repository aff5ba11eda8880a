/*
 * board_port.c - kgiot's port for the qemu mps2-an385 test board (see
 * board_port.h), and the clock and entropy hooks the board's mbedTLS
 * configuration (mbedtls_config_m3.h) asks for.
 */
#include "board_port.h"

#include <stdio.h>

#include <mbedtls/build_info.h>
#if MBEDTLS_VERSION_MAJOR >= 4
#include <psa/crypto.h>
#else
#include <mbedtls/ctr_drbg.h>
#endif
#include <mbedtls/platform.h>
#include <mbedtls/platform_time.h>

#include "board.h"

/* ---- random: deterministic, FOR TESTS ONLY ----------------------------------- */

/* A fixed seed makes every run draw the same numbers: reproducible tests,
 * and keys anyone can predict. Never copy this into a product port. */
static const char test_seed[] = "kgiot qemu board: FIXED TEST SEED, NOT RANDOM";

static int fixed_seed(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)test_seed[i % (sizeof test_seed - 1)];
    return 0;
}

#if MBEDTLS_VERSION_MAJOR >= 4
/* 4.x keeps its DRBG to itself: PSA's generator, seeded with the fixed bytes
 * through mbedtls_platform_get_entropy() (MBEDTLS_PSA_DRIVER_GET_ENTROPY),
 * is the test generator, for the port and for TLS alike. */
int mbedtls_platform_get_entropy(psa_driver_get_entropy_flags_t flags, size_t *estimate_bits,
                                 unsigned char *output, size_t output_size)
{
    if (flags != 0) return PSA_ERROR_NOT_SUPPORTED;
    (void)fixed_seed(NULL, output, output_size);
    *estimate_bits = 8 * output_size;
    return 0;
}

/* PSA starts on first use, not in board_port_init(): psa_crypto_init()
 * allocates, and the pool (kg_tls_pool_init) comes after the port. */
static bool seed_once(void)
{
    return true;
}

static kg_err_t p_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    if (psa_crypto_init() != PSA_SUCCESS) return KG_ERR_IO; /* idempotent */
    return psa_generate_random(buf, len) == PSA_SUCCESS ? KG_OK : KG_ERR_IO;
}
#else
static mbedtls_ctr_drbg_context drbg;
static bool drbg_ready;

/* Seeded on first use: images that never call board_port_init (the unit
 * suites, whose mbedTLS still polls mbedtls_hardware_poll) draw from it too. */
static bool seed_once(void)
{
    static const char pers[] = "kgiot-board-port";
    if (drbg_ready) return true;
    mbedtls_ctr_drbg_init(&drbg);
    drbg_ready = mbedtls_ctr_drbg_seed(&drbg, fixed_seed, NULL, (const unsigned char *)pers,
                                       sizeof pers - 1) == 0;
    return drbg_ready;
}

static kg_err_t p_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    if (!seed_once()) return KG_ERR_IO;
    while (len > 0) {
        size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;
        if (mbedtls_ctr_drbg_random(&drbg, buf, n) != 0) return KG_ERR_IO;
        buf += n;
        len -= n;
    }
    return KG_OK;
}

#if defined(MBEDTLS_ENTROPY_HARDWARE_ALT)
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen);

/* PSA's own generator (TLS 1.3) polls "hardware": the same test DRBG. */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void)data;
    if (p_random(NULL, output, len) != KG_OK) return -1;
    *olen = len;
    return 0;
}
#endif
#endif /* MBEDTLS_VERSION_MAJOR */

/* ---- time ------------------------------------------------------------------------ */

static uint64_t p_now_ms(void *ctx)
{
    (void)ctx;
    return board_now_ms();
}

static void p_sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    board_sleep_ms(ms);
}

/* mbedTLS only needs relative time (ticket lifetimes and ages): uptime. */
mbedtls_ms_time_t mbedtls_ms_time(void)
{
    return (mbedtls_ms_time_t)board_now_ms();
}

static mbedtls_time_t uptime_s(mbedtls_time_t *out)
{
    mbedtls_time_t t = (mbedtls_time_t)(board_now_ms() / 1000u);
    if (out) *out = t;
    return t;
}

/* ---- sockets: none on this board --------------------------------------------------- */

static kg_err_t p_connect(void *ctx, kg_sock_t *out, const char *host, uint16_t port,
                          uint32_t timeout_ms)
{
    (void)ctx, (void)host, (void)port, (void)timeout_ms;
    *out = KG_SOCK_INVALID;
    return KG_ERR_CONNECT;
}

static kg_err_t p_send(void *ctx, kg_sock_t s, const uint8_t *buf, size_t len, size_t *sent,
                       uint32_t timeout_ms)
{
    (void)ctx, (void)s, (void)buf, (void)len, (void)sent, (void)timeout_ms;
    return KG_ERR_CLOSED;
}

static kg_err_t p_recv(void *ctx, kg_sock_t s, uint8_t *buf, size_t cap, size_t *got,
                       uint32_t timeout_ms)
{
    (void)ctx, (void)s, (void)buf, (void)cap, (void)got, (void)timeout_ms;
    return KG_ERR_CLOSED;
}

static void p_close(void *ctx, kg_sock_t s)
{
    (void)ctx, (void)s;
}

/* ---- log --------------------------------------------------------------------------- */

static void p_log(void *ctx, kg_log_level_t level, const char *msg)
{
    (void)ctx;
    static const char tag[] = "?EWID";
    printf("kgiot %c: %s\n", tag[(unsigned)level < sizeof tag - 1 ? level : 0], msg);
}

/* ---- the port ------------------------------------------------------------------------ */

const kg_port_t board_port = {
    .ctx = NULL,
    .now_ms = p_now_ms,
    .wall_time = NULL, /* no RTC */
    .sleep_ms = p_sleep_ms,
    .random = p_random,
    .sock_connect = p_connect,
    .sock_send = p_send,
    .sock_recv = p_recv,
    .sock_close = p_close,
    .log = p_log,
    .flash = &board_flash,
};

kg_err_t board_port_init(void)
{
    board_flash_erase_all();
    if (!seed_once()) return KG_ERR_TLS_SETUP;
    if (mbedtls_platform_set_time(uptime_s) != 0) return KG_ERR_TLS_SETUP;
    printf("board: random numbers are deterministic (FOR TESTS ONLY)\n");
    return KG_OK;
}
