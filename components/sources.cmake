# The one list of kgiot's sources, shared by the plain CMake build, ESP-IDF
# and Zephyr. Paths are relative to the repository root (KGIOT_ROOT).
# Dependencies point down the list only.

set(KGIOT_COMPONENTS kg_err kg_json kg_net kg_http kg_tls kg_auth kg_store kg_session kg_qr)

set(KGIOT_SRCS_kg_err  components/kg_err/kg_err.c)
set(KGIOT_SRCS_kg_json components/kg_json/kg_json_read.c components/kg_json/kg_json_write.c)
set(KGIOT_SRCS_kg_net  components/kg_net/kg_tcp.c)
set(KGIOT_SRCS_kg_http components/kg_http/kg_http_request.c components/kg_http/kg_http_response.c
                       components/kg_http/kg_http_url.c components/kg_http/kg_http_client.c)
set(KGIOT_SRCS_kg_tls  components/kg_tls/kg_tls.c components/kg_tls/kg_tls_hello.c)
set(KGIOT_SRCS_kg_auth components/kg_auth/kg_auth.c components/kg_auth/kg_auth_codec.c
                       components/kg_auth/kg_auth_sign.c)
set(KGIOT_SRCS_kg_store components/kg_store/kg_store.c components/kg_store/kg_store_log.c
                       components/kg_store/kg_store_codec.c)
set(KGIOT_SRCS_kg_session components/kg_session/kg_session.c components/kg_session/kg_session_login.c components/kg_session/kg_session_call.c components/kg_session/kg_session_time.c)
# Optional: renders the QR content; devices that display it otherwise leave it out.
set(KGIOT_SRCS_kg_qr   components/kg_qr/kg_qr.c)

# What each component links (plain build); "mbedtls", "jsmn" and "qrcodegen"
# are external. kg_auth uses mbedTLS only for the refresh signature's MD5.
set(KGIOT_DEPS_kg_err  "")
set(KGIOT_DEPS_kg_json kg_err jsmn)
set(KGIOT_DEPS_kg_net  kg_err)
set(KGIOT_DEPS_kg_http kg_err kg_net)
set(KGIOT_DEPS_kg_tls  kg_err kg_net mbedtls)
set(KGIOT_DEPS_kg_auth kg_err kg_json kg_http mbedtls)
set(KGIOT_DEPS_kg_store kg_err)
set(KGIOT_DEPS_kg_session kg_err kg_json kg_auth kg_tls kg_net kg_store)
set(KGIOT_DEPS_kg_qr   kg_err qrcodegen)

set(KGIOT_PORT_INCLUDE port/include)
