# The two outside dependencies of the plain build, as imported targets:
# "jsmn" (header-only, Debian's libjsmn-dev), "qrcodegen" and "mbedtls" (Debian's
# libmbedtls-dev 2.28, or the build at KGIOT_MBEDTLS_PREFIX: 3.6 from
# tests/deps/mbedtls36.sh, 4.x from tests/deps/mbedtls4.sh).

find_path(KGIOT_JSMN_INCLUDE jsmn.h HINTS ${KGIOT_JSMN_DIR} REQUIRED)
add_library(jsmn INTERFACE)
target_include_directories(jsmn INTERFACE ${KGIOT_JSMN_INCLUDE})

# Nayuki's QR Code generator (Debian's libqrcodegen-dev), static.
find_path(KGIOT_QRCODEGEN_INCLUDE qrcodegen.h PATH_SUFFIXES qrcodegen REQUIRED)
find_library(KGIOT_LIB_QRCODEGEN NAMES libqrcodegen.a qrcodegen REQUIRED)
add_library(qrcodegen INTERFACE)
target_include_directories(qrcodegen INTERFACE ${KGIOT_QRCODEGEN_INCLUDE})
target_link_libraries(qrcodegen INTERFACE ${KGIOT_LIB_QRCODEGEN})

add_library(mbedtls INTERFACE)
if(KGIOT_MBEDTLS_PREFIX)
    set(_mb ${KGIOT_MBEDTLS_PREFIX})
    target_include_directories(mbedtls INTERFACE ${_mb}/include)
    # The library was built with these overlays; headers must see the same config.
    if(EXISTS ${_mb}/include/mbedtls36_user_config.h)
        target_compile_definitions(mbedtls INTERFACE
                                   MBEDTLS_USER_CONFIG_FILE="mbedtls36_user_config.h")
    endif()
    if(EXISTS ${_mb}/include/mbedtls4_user_config.h) # Mbed TLS 4.x: TLS + TF-PSA-Crypto
        target_compile_definitions(mbedtls INTERFACE
            MBEDTLS_USER_CONFIG_FILE="mbedtls4_user_config.h"
            TF_PSA_CRYPTO_USER_CONFIG_FILE="mbedtls4_crypto_user_config.h")
    endif()
    # 4.x calls its cryptography library tfpsacrypto; 2.28 and 3.6 mbedcrypto.
    set(_crypto ${_mb}/lib/libmbedcrypto.a)
    if(EXISTS ${_mb}/lib/libtfpsacrypto.a)
        set(_crypto ${_mb}/lib/libtfpsacrypto.a)
    endif()
    target_link_libraries(mbedtls INTERFACE ${_mb}/lib/libmbedtls.a ${_mb}/lib/libmbedx509.a
                                            ${_crypto})
else()
    find_path(KGIOT_MBEDTLS_INCLUDE mbedtls/ssl.h REQUIRED)
    find_library(KGIOT_LIB_MBEDTLS mbedtls REQUIRED)
    find_library(KGIOT_LIB_MBEDX509 mbedx509 REQUIRED)
    find_library(KGIOT_LIB_MBEDCRYPTO mbedcrypto REQUIRED)
    target_include_directories(mbedtls INTERFACE ${KGIOT_MBEDTLS_INCLUDE})
    target_link_libraries(mbedtls INTERFACE ${KGIOT_LIB_MBEDTLS} ${KGIOT_LIB_MBEDX509}
                                            ${KGIOT_LIB_MBEDCRYPTO})
endif()
