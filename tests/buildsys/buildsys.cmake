# The ESP-IDF and Zephyr packaging, checked without their SDKs (which cannot
# be installed here):
#   buildsys_registration  the top-level CMakeLists.txt under stand-in
#                          idf_component_register / zephyr_library_* registers
#                          the plain build's sources and include directories,
#                          plus and minus exactly the designed difference
#                          (check_registration.cmake states it)
#   buildsys_kconfig       the one Kconfig parses with kconfiglib in all three
#                          builds' contexts without a warning, every option
#                          has help, and all three see the same CONFIG_KGIOT_*
#                          names (check_kconfig.py)
#   buildsys_ports         port/esp_idf/*.c and port/zephyr/*.c compile with
#                          -Wall -Wextra -Werror against stand-in SDK headers
#                          (check_ports.py); port/lwip is compiled for real
#                          against Debian's lwIP by port/lwip/CMakeLists.txt
#   buildsys_kconfgen      ESP-IDF's own kconfgen (both parsers) over the
#                          Kconfig as ESP-IDF 6 runs it, component and
#                          example, gives the plain build's names and values;
#                          kconfcheck's style rules hold, but for stated
#                          exemptions (check_kconfgen.py; a real tool, from
#                          KGIOT_ESP_IDF_KCONFIG_DIR)
#   buildsys_zephyr_sample the Zephyr sample's mbedTLS options per release
#                          (3.7 LTS, 4.x), the choice between them, and its
#                          twister sample.yaml (check_zephyr_sample.py)
#   buildsys_api_tables    every SDK function, macro and type the stand-ins
#                          declare is in the ports' README tables and back,
#                          and the module/component manifests name files that
#                          exist (check_api_tables.py)
set(_kg_bs ${CMAKE_CURRENT_LIST_DIR})
set(_kg_bs_work ${CMAKE_CURRENT_BINARY_DIR}/buildsys)
file(MAKE_DIRECTORY ${_kg_bs_work})

# What the plain build builds, from its own targets, for the comparison.
set(_kg_plain_srcs "")
set(_kg_plain_incs "")
foreach(comp ${KGIOT_COMPONENTS})
    get_target_property(_s ${comp} SOURCES)
    get_target_property(_i ${comp} INCLUDE_DIRECTORIES)
    list(APPEND _kg_plain_srcs ${_s})
    list(APPEND _kg_plain_incs ${_i})
endforeach()
list(REMOVE_DUPLICATES _kg_plain_incs)
get_target_property(_kg_plain_qr kg_qr SOURCES)
file(WRITE ${_kg_bs_work}/plain.cmake
     "set(PLAIN_SRCS \"${_kg_plain_srcs}\")\n"
     "set(PLAIN_SRCS_kg_qr \"${_kg_plain_qr}\")\n"
     "set(PLAIN_INCS \"${_kg_plain_incs}\")\n")

add_test(NAME buildsys_registration
         COMMAND ${CMAKE_COMMAND} -DKGIOT_ROOT=${KGIOT_ROOT} -DWORK=${_kg_bs_work}/registration
                 -DPLAIN=${_kg_bs_work}/plain.cmake -DJSMN=${KGIOT_JSMN_INCLUDE}
                 -P ${_kg_bs}/cmake/check_registration.cmake)

add_test(NAME buildsys_kconfig
         COMMAND ${KGIOT_TEST_PYTHON} ${_kg_bs}/check_kconfig.py ${KGIOT_ROOT} ${_kg_bs_work}/kconfig
                 ${KGIOT_CONFIG_DIR}/kg_config.h)

# ESP-IDF's Kconfig tools (espressif/esp-idf-kconfig, v3 as ESP-IDF 6 uses;
# not a Debian package): a checkout beside the repository's parent, as the
# project's third-party sources are kept, else the shared machine copy.
set(_kg_kconfig_default ${KGIOT_ROOT}/../shared/third_party/esp-idf-kconfig)
if(NOT EXISTS ${_kg_kconfig_default}/kconfgen)
    set(_kg_kconfig_default /work/shared/third_party/esp-idf-kconfig)
endif()
get_filename_component(_kg_kconfig_default ${_kg_kconfig_default} ABSOLUTE)
set(KGIOT_ESP_IDF_KCONFIG_DIR ${_kg_kconfig_default} CACHE PATH
    "An esp-idf-kconfig (v3) checkout: ESP-IDF's kconfgen and kconfcheck")
# It compares values with this build's kg_config.h: only a build on the
# Kconfig defaults can be compared (the suites with tests/host64.config skip it).
if(NOT KGIOT_CONFIG)
    add_test(NAME buildsys_kconfgen
             COMMAND ${KGIOT_TEST_PYTHON} ${_kg_bs}/check_kconfgen.py ${KGIOT_ROOT}
                     ${_kg_bs_work}/kconfgen ${KGIOT_ESP_IDF_KCONFIG_DIR}
                     ${KGIOT_CONFIG_DIR}/kg_config.h)
endif()

add_test(NAME buildsys_zephyr_sample
         COMMAND ${KGIOT_TEST_PYTHON} ${_kg_bs}/check_zephyr_sample.py ${KGIOT_ROOT}
                 ${_kg_bs_work}/zephyr_sample ${CMAKE_COMMAND})

# The headers kgiot's own headers include: mbedTLS and jsmn, as the plain
# build finds them (Debian's, or KGIOT_MBEDTLS_PREFIX's with its config).
set(_kg_bs_flags -I${KGIOT_JSMN_INCLUDE})
get_target_property(_kg_mb_incs mbedtls INTERFACE_INCLUDE_DIRECTORIES)
get_target_property(_kg_mb_defs mbedtls INTERFACE_COMPILE_DEFINITIONS)
foreach(i ${_kg_mb_incs})
    list(APPEND _kg_bs_flags -I${i})
endforeach()
if(_kg_mb_defs)
    foreach(d ${_kg_mb_defs})
        list(APPEND _kg_bs_flags -D${d})
    endforeach()
endif()
add_test(NAME buildsys_ports
         COMMAND ${KGIOT_TEST_PYTHON} ${_kg_bs}/check_ports.py ${KGIOT_ROOT} ${_kg_bs_work}/ports
                 ${CMAKE_C_COMPILER} ${_kg_bs_flags})

add_test(NAME buildsys_api_tables
         COMMAND ${KGIOT_TEST_PYTHON} ${_kg_bs}/check_api_tables.py ${KGIOT_ROOT})
