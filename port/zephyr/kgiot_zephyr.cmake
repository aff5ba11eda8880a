# kgiot as a Zephyr module library; included by the top-level CMakeLists.txt
# when Zephyr adds this module (zephyr/module.yml: build.cmake is ".").
# Kconfig values are CMake variables here (CONFIG_KGIOT and friends).
#
# Compared with the plain build (the kg_* libraries), the library has:
#   sources:  the same components/ sources, kg_qr's only with CONFIG_KGIOT_QR
#             (then plus qrcodegen.c from KGIOT_QRCODEGEN_DIR), plus the Zephyr
#             port: kg_port_zephyr.c always, kg_zephyr_settings_store.c with
#             CONFIG_KGIOT_ZEPHYR_STORE_SETTINGS, kg_zephyr_flash.c with
#             CONFIG_KGIOT_ZEPHYR_STORE_FLASH_AREA
#   includes: the same components/*/include and port/include, plus
#             port/zephyr/include (whose kg_config.h relies on the autoconf.h
#             Zephyr force-includes, replacing the generated kg_config.h), plus
#             the jsmn directory; qrcodegen's directory is private
# tests/buildsys checks exactly this difference.
if(NOT CONFIG_KGIOT)
    return()
endif()

# An outside source tree: a -D cache variable (west build -- -D<var>=<dir>),
# else the environment variable of the same name. Never copied into the repo.
function(kgiot_zephyr_external_dir var file what)
    if(NOT ${var} AND DEFINED ENV{${var}})
        set(${var} $ENV{${var}})
    endif()
    if(NOT EXISTS "${${var}}/${file}")
        message(FATAL_ERROR "kgiot: ${what}: set ${var} (west build -- -D${var}=<dir> or the "
                            "environment variable) to a directory holding ${file}; now '${${var}}'")
    endif()
    get_filename_component(_dir "${${var}}" ABSOLUTE)
    set(${var} "${_dir}" PARENT_SCOPE)
endfunction()

zephyr_library_named(kgiot)

foreach(comp ${KGIOT_COMPONENTS})
    zephyr_include_directories(${KGIOT_ROOT}/components/${comp}/include)
    list(TRANSFORM KGIOT_SRCS_${comp} PREPEND ${KGIOT_ROOT}/ OUTPUT_VARIABLE _srcs)
    if(comp STREQUAL "kg_qr")
        zephyr_library_sources_ifdef(CONFIG_KGIOT_QR ${_srcs})
    else()
        zephyr_library_sources(${_srcs})
    endif()
endforeach()

zephyr_library_sources(${KGIOT_ROOT}/port/zephyr/kg_port_zephyr.c)
zephyr_library_sources_ifdef(CONFIG_KGIOT_ZEPHYR_STORE_SETTINGS
                             ${KGIOT_ROOT}/port/zephyr/kg_zephyr_settings_store.c)
zephyr_library_sources_ifdef(CONFIG_KGIOT_ZEPHYR_STORE_FLASH_AREA
                             ${KGIOT_ROOT}/port/zephyr/kg_zephyr_flash.c)
zephyr_include_directories(${KGIOT_ROOT}/${KGIOT_PORT_INCLUDE} ${KGIOT_ROOT}/port/zephyr/include)

# jsmn is header-only; kg_json.h includes it, so its directory is public.
kgiot_zephyr_external_dir(KGIOT_JSMN_DIR jsmn.h "jsmn (https://github.com/zserge/jsmn)")
zephyr_include_directories(${KGIOT_JSMN_DIR})

if(CONFIG_KGIOT_QR)
    kgiot_zephyr_external_dir(KGIOT_QRCODEGEN_DIR qrcodegen.c
                              "CONFIG_KGIOT_QR needs Nayuki's QR-Code-generator, its c/ directory")
    zephyr_library_sources(${KGIOT_QRCODEGEN_DIR}/qrcodegen.c)
    zephyr_library_include_directories(${KGIOT_QRCODEGEN_DIR})
endif()

# Zephyr's mbedTLS module (CONFIG_MBEDTLS) defines this interface library.
zephyr_library_link_libraries(mbedTLS)
