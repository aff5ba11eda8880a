/*
 * footprint_app.c - the smallest realistic kgiot firmware, linked only to be
 * measured by footprint.sh: the session over kg_tls over kg_tcp on the
 * port's sockets, tokens in kg_store on the port's flash, the QR code drawn
 * as text (when kg_qr is built), against the client-only mbedTLS. This
 * board has no sockets, so a run would stop at the first connection.
 */
#include <stdio.h>

#include "board_port.h"
#include "kg_session.h"
#include "kg_store.h"
#if defined(KGIOT_HAVE_QR)
#include "kg_qr.h"
#endif

/* A real device is given the CA of api.kg.qq.com's chain here. */
static const uint8_t ca[] = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";

static kg_session_t session;
static kg_store_t store;
static const kg_token_store_t token_store = {&store, kg_store_load_tokens, kg_store_save_tokens};
static kg_call_reply_t reply;

#if defined(KGIOT_HAVE_QR)
static kg_qr_t qr;
static char qr_text[KG_QR_TEXT_MAX];

static void show_qr(const char *content)
{
    size_t len;
    if (kg_qr_encode(&qr, content) == KG_OK &&
        kg_qr_render_text(&qr, false, qr_text, sizeof qr_text, &len) == KG_OK)
        puts(qr_text);
}
#else
static void show_qr(const char *content)
{
    puts(content);
}
#endif

static void on_event(void *ctx, const kg_event_t *e)
{
    (void)ctx;
    if (e->type == KG_EVENT_QR_READY) show_qr(e->qr_content);
}

int main(void)
{
    const kg_session_config_t cfg = {.appid = "app-1001",
                                     .ca = ca,
                                     .ca_len = sizeof ca,
                                     .on_event = on_event,
                                     .store = &token_store};
    if (board_port_init() != KG_OK || kg_tls_pool_init() != KG_OK) return 1;
    if (kg_store_init(&store, board_port.flash) != KG_OK) return 1;
    kg_err_t err = kg_session_init(&session, &cfg, &board_port);
    if (err == KG_OK && kg_session_resume(&session) == KG_ERR_LOGIN_REQUIRED)
        err = kg_login(&session, 0);
    if (err == KG_OK) err = kg_call(&session, "/v1/playlist", "{}", &reply);
    printf("footprint_app: %s\n", kg_err_name(err));
    kg_session_free(&session);
    return 0;
}
