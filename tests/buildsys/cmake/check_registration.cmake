# What the top-level CMakeLists.txt registers with ESP-IDF and with Zephyr,
# compared with what the plain build builds. Run by ctest:
#   cmake -DKGIOT_ROOT=<repo> -DWORK=<dir> -DPLAIN=<plain.cmake> -DJSMN=<dir>
#         -P check_registration.cmake
# PLAIN (written when the plain build is configured, tests/buildsys/buildsys.cmake)
# holds the plain kg_* targets' SOURCES and INCLUDE_DIRECTORIES.
#
# The expected difference, by design (also stated in port/*/kgiot_*.cmake):
#   ESP-IDF sources  = plain - kg_qr's (unless CONFIG_KGIOT_QR: + qrcodegen.c)
#                      + port/lwip/kg_port_lwip.c + port/esp_idf/*.c
#   ESP-IDF includes = plain + port/lwip/include + port/esp_idf/include + jsmn;
#                      private: qrcodegen's directory with CONFIG_KGIOT_QR
#   REQUIRES mbedtls, PRIV_REQUIRES lwip esp_timer nvs_flash esp_partition,
#   the same in the requirements pass and whatever the CONFIG_ values
#   Zephyr sources   = plain - kg_qr's (unless CONFIG_KGIOT_QR: + qrcodegen.c)
#                      + port/zephyr/kg_port_zephyr.c + the chosen store's file
#   Zephyr includes  = plain + port/zephyr/include + jsmn; private: qrcodegen's
#   Zephyr links mbedTLS; nothing at all without CONFIG_KGIOT.
# And both register under the including build's cmake_minimum_required (the
# stub project's 3.20), not kgiot's 3.16: kgiot leaves their policies alone.
include(${PLAIN})
set(STUB_PROJECT ${CMAKE_CURRENT_LIST_DIR}/../stub_project)
set(R ${KGIOT_ROOT})
set(errors 0)

# A stand-in qrcodegen checkout (nothing is compiled here).
set(QRDIR ${WORK}/qrcodegen)
file(MAKE_DIRECTORY ${QRDIR})
file(WRITE ${QRDIR}/qrcodegen.c "")
file(WRITE ${QRDIR}/qrcodegen.h "")

function(expect_set label actual expected)
    list(SORT actual)
    list(SORT expected)
    if(NOT "${actual}" STREQUAL "${expected}")
        set(only_actual ${actual})
        set(only_expected ${expected})
        if(expected)
            list(REMOVE_ITEM only_actual ${expected})
        endif()
        if(actual)
            list(REMOVE_ITEM only_expected ${actual})
        endif()
        message(SEND_ERROR "${label}: differs\n  registered, not expected: ${only_actual}\n"
                           "  expected, not registered: ${only_expected}\n"
                           "  registered: ${actual}")
        set(errors 1 PARENT_SCOPE)
    else()
        list(LENGTH actual n)
        message(STATUS "ok   ${label} (${n})")
    endif()
endfunction()

# Configure the stub project for one variant and load what it recorded.
macro(run_stub name stub)
    foreach(k REGISTERED MIN_VERSION SRCS INCLUDE_DIRS PRIV_INCLUDE_DIRS REQUIRES PRIV_REQUIRES LIBRARY LINK)
        unset(REC_${k})
    endforeach()
    execute_process(COMMAND ${CMAKE_COMMAND} -S ${STUB_PROJECT} -B ${WORK}/${name} -DSTUB=${stub}
                            -DKGIOT_ROOT=${R} -DRECORD=${WORK}/${name}.rec.cmake
                            -DKGIOT_JSMN_DIR=${JSMN} -DKGIOT_QRCODEGEN_DIR=${QRDIR} ${ARGN}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${name}: configuring the stub project failed:\n${out}")
    endif()
    include(${WORK}/${name}.rec.cmake)
endmacro()

macro(run_early name)
    unset(REC_REQUIRES)
    unset(REC_PRIV_REQUIRES)
    execute_process(COMMAND ${CMAKE_COMMAND} -DKGIOT_ROOT=${R} -DRECORD=${WORK}/${name}.rec.cmake
                            ${ARGN} -P ${CMAKE_CURRENT_LIST_DIR}/early_expansion.cmake
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${name}: the requirements pass failed:\n${out}")
    endif()
    include(${WORK}/${name}.rec.cmake)
endmacro()

set(PLAIN_NO_QR ${PLAIN_SRCS})
list(REMOVE_ITEM PLAIN_NO_QR ${PLAIN_SRCS_kg_qr})
set(IDF_PORT ${R}/port/lwip/kg_port_lwip.c ${R}/port/esp_idf/kg_port_esp_idf.c
             ${R}/port/esp_idf/kg_esp_nvs_store.c ${R}/port/esp_idf/kg_esp_partition_flash.c)
set(IDF_INCS ${PLAIN_INCS} ${R}/port/lwip/include ${R}/port/esp_idf/include ${JSMN})
set(IDF_REQ mbedtls)
set(IDF_PRIV_REQ lwip esp_timer nvs_flash esp_partition)

# ---- ESP-IDF ----
run_stub(idf_qr_off idf -DCONFIG_KGIOT=y)
expect_set("idf: sources" "${REC_SRCS}" "${PLAIN_NO_QR};${IDF_PORT}")
expect_set("idf: include dirs" "${REC_INCLUDE_DIRS}" "${IDF_INCS}")
expect_set("idf: private include dirs" "${REC_PRIV_INCLUDE_DIRS}" "")
expect_set("idf: REQUIRES" "${REC_REQUIRES}" "${IDF_REQ}")
expect_set("idf: PRIV_REQUIRES" "${REC_PRIV_REQUIRES}" "${IDF_PRIV_REQ}")
expect_set("idf: cmake_minimum_required at registration" "${REC_MIN_VERSION}" "3.20")

run_stub(idf_qr_on idf -DCONFIG_KGIOT=y -DCONFIG_KGIOT_QR=y)
expect_set("idf+qr: sources" "${REC_SRCS}" "${PLAIN_SRCS};${IDF_PORT};${QRDIR}/qrcodegen.c")
expect_set("idf+qr: include dirs" "${REC_INCLUDE_DIRS}" "${IDF_INCS}")
expect_set("idf+qr: private include dirs" "${REC_PRIV_INCLUDE_DIRS}" "${QRDIR}")
expect_set("idf+qr: REQUIRES" "${REC_REQUIRES}" "${IDF_REQ}")
expect_set("idf+qr: PRIV_REQUIRES" "${REC_PRIV_REQUIRES}" "${IDF_PRIV_REQ}")

run_stub(idf_off idf)
expect_set("idf, CONFIG_KGIOT off: sources" "${REC_SRCS}" "")
expect_set("idf, CONFIG_KGIOT off: REQUIRES" "${REC_REQUIRES}" "${IDF_REQ}")
expect_set("idf, CONFIG_KGIOT off: PRIV_REQUIRES" "${REC_PRIV_REQUIRES}" "${IDF_PRIV_REQ}")

# The requirements pass must ask for the same components whatever CONFIG_ says.
foreach(variant "none" "-DCONFIG_KGIOT=y" "-DCONFIG_KGIOT=y;-DCONFIG_KGIOT_QR=y")
    if(variant STREQUAL "none")
        set(variant "")
    endif()
    run_early(idf_early ${variant})
    expect_set("idf requirements pass (${variant}): REQUIRES" "${REC_REQUIRES}" "${IDF_REQ}")
    expect_set("idf requirements pass (${variant}): PRIV_REQUIRES" "${REC_PRIV_REQUIRES}"
               "${IDF_PRIV_REQ}")
endforeach()

# ---- Zephyr ----
set(Z_PORT ${R}/port/zephyr/kg_port_zephyr.c)
set(Z_INCS ${PLAIN_INCS} ${R}/port/zephyr/include ${JSMN})

run_stub(zephyr_settings zephyr -DCONFIG_KGIOT=y -DCONFIG_KGIOT_ZEPHYR_STORE_SETTINGS=y)
expect_set("zephyr: library" "${REC_LIBRARY}" "kgiot")
expect_set("zephyr: sources" "${REC_SRCS}"
           "${PLAIN_NO_QR};${Z_PORT};${R}/port/zephyr/kg_zephyr_settings_store.c")
expect_set("zephyr: include dirs" "${REC_INCLUDE_DIRS}" "${Z_INCS}")
expect_set("zephyr: private include dirs" "${REC_PRIV_INCLUDE_DIRS}" "")
expect_set("zephyr: links" "${REC_LINK}" "mbedTLS")
expect_set("zephyr: cmake_minimum_required at registration" "${REC_MIN_VERSION}" "3.20")

run_stub(zephyr_flash_qr zephyr -DCONFIG_KGIOT=y -DCONFIG_KGIOT_ZEPHYR_STORE_FLASH_AREA=y
         -DCONFIG_KGIOT_QR=y)
expect_set("zephyr+qr: sources" "${REC_SRCS}"
           "${PLAIN_SRCS};${Z_PORT};${R}/port/zephyr/kg_zephyr_flash.c;${QRDIR}/qrcodegen.c")
expect_set("zephyr+qr: include dirs" "${REC_INCLUDE_DIRS}" "${Z_INCS}")
expect_set("zephyr+qr: private include dirs" "${REC_PRIV_INCLUDE_DIRS}" "${QRDIR}")

run_stub(zephyr_off zephyr)
expect_set("zephyr, CONFIG_KGIOT off: registered" "${REC_REGISTERED}" "")

if(errors)
    message(FATAL_ERROR "registration differs from the plain build beyond the designed difference")
endif()
message(STATUS "registration: ok")
