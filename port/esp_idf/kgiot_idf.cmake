# kgiot as an ESP-IDF component; included by the top-level CMakeLists.txt.
#
# ESP-IDF reads a component's CMakeLists.txt twice: first in its requirements
# pass (cmake -P, CMAKE_BUILD_EARLY_EXPANSION set, sdkconfig not final, and
# idf_component_register a macro that records REQUIRES and returns), then in
# the build itself. So REQUIRES and PRIV_REQUIRES below never depend on a
# CONFIG_ value; only the sources do.
#
# Compared with the plain build (the kg_* libraries), the component has:
#   sources:  the same components/ sources, minus kg_qr's unless CONFIG_KGIOT_QR
#             (then plus qrcodegen.c from KGIOT_QRCODEGEN_DIR), plus the ESP-IDF
#             port (port/esp_idf/*.c) and the lwIP port it reuses (port/lwip)
#   includes: the same components/*/include and port/include, plus
#             port/lwip/include and port/esp_idf/include (whose kg_config.h
#             includes sdkconfig.h, replacing the generated kg_config.h), plus
#             the jsmn directory; qrcodegen's directory is private
# tests/buildsys checks exactly this difference.

# mbedtls is public: kg_tls.h, which kg_session.h includes, includes mbedTLS
# headers. The rest is used by the port's .c files only. freertos, log and
# esp_hw_support (esp_random.h) are common requirements of every component.
set(KGIOT_IDF_REQUIRES mbedtls)
set(KGIOT_IDF_PRIV_REQUIRES lwip esp_timer nvs_flash esp_partition)

# Requirements pass, or kgiot switched off in menuconfig: no sources.
if(CMAKE_BUILD_EARLY_EXPANSION OR NOT CONFIG_KGIOT)
    idf_component_register(REQUIRES ${KGIOT_IDF_REQUIRES} PRIV_REQUIRES ${KGIOT_IDF_PRIV_REQUIRES})
    return()
endif()

# An outside source tree: a -D cache variable, else the environment variable
# of the same name. Never copied into this repository.
function(kgiot_idf_external_dir var file what)
    if(NOT ${var} AND DEFINED ENV{${var}})
        set(${var} $ENV{${var}})
    endif()
    if(NOT EXISTS "${${var}}/${file}")
        message(FATAL_ERROR "kgiot: ${what}: set ${var} (idf.py -D${var}=<dir> or the environment "
                            "variable) to a directory holding ${file}; now '${${var}}'")
    endif()
    get_filename_component(_dir "${${var}}" ABSOLUTE)
    set(${var} "${_dir}" PARENT_SCOPE)
endfunction()

set(KGIOT_IDF_SRCS "")
set(KGIOT_IDF_INCLUDE_DIRS "")
set(KGIOT_IDF_PRIV_INCLUDE_DIRS "")
foreach(comp ${KGIOT_COMPONENTS})
    list(APPEND KGIOT_IDF_INCLUDE_DIRS ${KGIOT_ROOT}/components/${comp}/include)
    if(NOT comp STREQUAL "kg_qr" OR CONFIG_KGIOT_QR)
        list(TRANSFORM KGIOT_SRCS_${comp} PREPEND ${KGIOT_ROOT}/ OUTPUT_VARIABLE _srcs)
        list(APPEND KGIOT_IDF_SRCS ${_srcs})
    endif()
endforeach()

list(APPEND KGIOT_IDF_SRCS ${KGIOT_ROOT}/port/lwip/kg_port_lwip.c
     ${KGIOT_ROOT}/port/esp_idf/kg_port_esp_idf.c ${KGIOT_ROOT}/port/esp_idf/kg_esp_nvs_store.c
     ${KGIOT_ROOT}/port/esp_idf/kg_esp_partition_flash.c)
list(APPEND KGIOT_IDF_INCLUDE_DIRS ${KGIOT_ROOT}/${KGIOT_PORT_INCLUDE} ${KGIOT_ROOT}/port/lwip/include
     ${KGIOT_ROOT}/port/esp_idf/include)

# jsmn is header-only; kg_json.h includes it, so its directory is public.
# Point at a directory with jsmn.h alone (a jsmn checkout), never at a host
# /usr/include: that would put the host's C headers on the cross build's path.
kgiot_idf_external_dir(KGIOT_JSMN_DIR jsmn.h "jsmn (https://github.com/zserge/jsmn)")
list(APPEND KGIOT_IDF_INCLUDE_DIRS ${KGIOT_JSMN_DIR})

if(CONFIG_KGIOT_QR)
    kgiot_idf_external_dir(KGIOT_QRCODEGEN_DIR qrcodegen.c
                           "CONFIG_KGIOT_QR needs Nayuki's QR-Code-generator, its c/ directory")
    list(APPEND KGIOT_IDF_SRCS ${KGIOT_QRCODEGEN_DIR}/qrcodegen.c)
    list(APPEND KGIOT_IDF_PRIV_INCLUDE_DIRS ${KGIOT_QRCODEGEN_DIR})
endif()

idf_component_register(SRCS ${KGIOT_IDF_SRCS}
                       INCLUDE_DIRS ${KGIOT_IDF_INCLUDE_DIRS}
                       PRIV_INCLUDE_DIRS ${KGIOT_IDF_PRIV_INCLUDE_DIRS}
                       REQUIRES ${KGIOT_IDF_REQUIRES}
                       PRIV_REQUIRES ${KGIOT_IDF_PRIV_REQUIRES})
