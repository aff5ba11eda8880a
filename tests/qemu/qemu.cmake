# Tests that run as bare-metal images on qemu's mps2-an385 (Cortex-M3).
# Only the board's cross build (boards/qemu_mps2_an385/CMakeLists.txt)
# registers them; the host build includes every tests/*/*.cmake and has
# nothing to do here.
if(NOT KGIOT_BOARD STREQUAL "qemu_mps2_an385")
    return()
endif()

set(_kq ${CMAKE_CURRENT_LIST_DIR})

# kg_qemu_image(name SOURCES src... [LIBS lib...] [DEFINES d...] [EXIT status]
#               [NO_PORT])
# builds name.elf (and its link map) with the board's startup and, unless
# NO_PORT, its kgiot port (which brings mbedTLS), and registers the ctest
# test qemu_<name>: it passes when the image's exit status is EXIT (default 0).
function(kg_qemu_image name)
    cmake_parse_arguments(I "NO_PORT" "EXIT" "SOURCES;LIBS;DEFINES" ${ARGN})
    if(NOT I_EXIT)
        set(I_EXIT 0)
    endif()
    add_executable(${name} ${I_SOURCES})
    set_target_properties(${name} PROPERTIES SUFFIX .elf)
    target_link_libraries(${name} PRIVATE board ${I_LIBS})
    if(NOT I_NO_PORT)
        target_link_libraries(${name} PRIVATE board_port)
    endif()
    target_include_directories(${name} PRIVATE ${KGIOT_ROOT}/tests/unit ${_kq})
    target_compile_definitions(${name} PRIVATE ${I_DEFINES})
    target_compile_options(${name} PRIVATE ${KGIOT_WARNINGS})
    target_link_options(${name} PRIVATE -Wl,-Map=${CMAKE_CURRENT_BINARY_DIR}/${name}.map)
    add_test(NAME qemu_${name} COMMAND sh ${_kq}/run_image.sh ${KGIOT_QEMU}
                                       $<TARGET_FILE:${name}> ${I_EXIT})
    set_tests_properties(qemu_${name} PROPERTIES TIMEOUT 150)
endfunction()

# ---- the board itself: console and exit status, clock, stack, flash ----------

foreach(status 0 3)
    kg_qemu_image(board_exit_${status} SOURCES ${_kq}/board_exit.c
                  DEFINES BOARD_EXIT_STATUS=${status} EXIT ${status} NO_PORT)
endforeach()
kg_qemu_image(test_board SOURCES ${_kq}/test_board.c LIBS kg_err)

# ---- the unit suites of every component --------------------------------------------

# Every tests/unit/test_*.c runs here, except these, which need what this
# board has not (boards/qemu_mps2_an385/README.md says the same):
#   test_tls         real TLS peers over loopback sockets, run by Python;
#                    test_tls_pair below is its counterpart on the board
#   test_qr_zbar     renders to files that Python and zbarimg read back
#   test_err_names   builds kg_err itself and reads its own executable from /proc
#   test_qr          only when qrcodegen is not cross-built (kg_qr left out)
#   any suite that includes the POSIX port (kg_port_posix.h, or its
#                    file-backed flash kg_flash_file.h): test_port_posix and
#                    kg_store's suites; test_login_flow below runs kg_store
#                    on the board's RAM flash, power cuts included
set(_kq_skip test_tls test_qr_zbar test_err_names)
if(NOT TARGET kg_qr)
    list(APPEND _kq_skip test_qr)
endif()

set(_kq_includes "")
foreach(comp ${KGIOT_M3_COMPONENTS})
    list(APPEND _kq_includes ${KGIOT_ROOT}/components/${comp}) # private headers (kg_auth_codec.h)
endforeach()

# CONFIGURE_DEPENDS, and each file's own: a new suite, or a new #include of
# the POSIX port, re-decides at the next build.
file(GLOB _kq_units CONFIGURE_DEPENDS ${KGIOT_ROOT}/tests/unit/test_*.c)
list(SORT _kq_units)
foreach(src ${_kq_units})
    get_filename_component(name ${src} NAME_WE)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
    file(STRINGS ${src} _posix REGEX "#include \"kg_(port_posix|flash_file)\\.h\"")
    if(name IN_LIST _kq_skip OR _posix)
        message(STATUS "not on the board: ${name}")
        continue()
    endif()
    set(_srcs ${src})
    if(name MATCHES "^test_session_")
        list(APPEND _srcs ${KGIOT_ROOT}/tests/unit/fake_platform.c)
    endif()
    if(name STREQUAL "test_port_freertos")
        list(APPEND _srcs ${KGIOT_ROOT}/port/freertos/kg_freertos_clock.c)
    endif()
    kg_qemu_image(${name} SOURCES ${_srcs} LIBS ${KGIOT_M3_COMPONENTS})
    if(name STREQUAL "test_http_lean") # its kg_config.h turns kg_http's features off
        target_include_directories(${name} BEFORE PRIVATE ${KGIOT_ROOT}/tests/unit/http_lean)
    endif()
    target_include_directories(${name} PRIVATE ${_kq_includes} ${KGIOT_ROOT}/port/freertos/include
                                               ${KGIOT_ROOT}/port/lwip/include)
    # KG_CHECK_EQ on pointers casts them to long long: a warning on 32 bits
    # only, and a harmless one (the values compare correctly).
    target_compile_options(${name} PRIVATE -Wno-error=pointer-to-int-cast)
endforeach()

# ---- the whole login on the board's port, over the in-image platform ---------------

kg_qemu_image(test_login_flow
              SOURCES ${_kq}/test_login_flow.c ${_kq}/peer_stack.c
                      ${KGIOT_ROOT}/tests/unit/fake_platform.c
              LIBS ${KGIOT_M3_COMPONENTS})

# ---- kg_tls against an in-image mbedTLS server ---------------------------------------

# The test PKI is made at build time (never committed) and compiled in:
# C name, then the file tests/mock/make_certs.sh writes.
set(_kq_certs ${CMAKE_BINARY_DIR}/certs)
set(_kq_pki test_ca_pem:ca.pem,test_server_pem:server.pem,test_server_key:server.key,test_wrongname_pem:wrongname.pem,test_wrongname_key:wrongname.key,test_other_ca_pem:other_ca.pem)
add_custom_command(
    OUTPUT ${_kq_certs}/test_certs.c
    COMMAND sh ${KGIOT_ROOT}/tests/mock/make_certs.sh ${_kq_certs}
    COMMAND ${CMAKE_COMMAND} -DDIR=${_kq_certs} -DITEMS=${_kq_pki} -DOUT=${_kq_certs}/test_certs.c
            -P ${_kq}/pem_to_c.cmake
    DEPENDS ${KGIOT_ROOT}/tests/mock/make_certs.sh ${_kq}/pem_to_c.cmake
    COMMENT "test PKI (openssl) as C arrays")

kg_qemu_image(test_tls_pair
              SOURCES ${_kq}/test_tls_pair.c ${_kq}/tls_server.c ${_kq}/peer_stack.c
                      ${_kq_certs}/test_certs.c ${KGIOT_ROOT}/tests/unit/fake_platform.c
              LIBS ${KGIOT_M3_COMPONENTS})
# The in-image server allocates from the libc heap, the client from kg_tls's
# pool: a wrapper tells them apart (tls_server.c).
target_link_options(test_tls_pair PRIVATE -Wl,--wrap=mbedtls_platform_set_calloc_free)

# ---- no heap in kgiot's objects ---------------------------------------------------------

# tests/cmake/check_no_heap.sh reads undefined symbols with "nm": give it
# the cross nm under that name.
set(_kq_nm ${CMAKE_BINARY_DIR}/cross_nm)
file(MAKE_DIRECTORY ${_kq_nm})
find_program(KGIOT_CROSS_NM arm-none-eabi-nm REQUIRED)
file(CREATE_LINK ${KGIOT_CROSS_NM} ${_kq_nm}/nm SYMBOLIC)
set(_kq_libs "")
foreach(comp ${KGIOT_M3_COMPONENTS})
    list(APPEND _kq_libs $<TARGET_FILE:${comp}>)
endforeach()
add_test(NAME m3_no_heap COMMAND ${CMAKE_COMMAND} -E env "PATH=${_kq_nm}:$ENV{PATH}"
                                 bash ${KGIOT_ROOT}/tests/cmake/check_no_heap.sh ${_kq_libs})

# ---- the device: FreeRTOS + lwIP + mbedTLS logging in over the emulated Ethernet ----------

# Built when the board found FreeRTOS and lwIP (boards/qemu_mps2_an385/rtos/rtos.cmake);
# tests/qemu/test_rtos_login.py runs it on a tap device in a network namespace
# of its own, with the mock platform on the tap's other end.
if(TARGET board_rtos)
    add_executable(rtos_login ${_kq}/rtos_login.c ${_kq_certs}/test_certs.c)
    set_target_properties(rtos_login PROPERTIES SUFFIX .elf)
    target_link_libraries(rtos_login PRIVATE board board_port board_rtos kg_port_rtos
                                             ${KGIOT_M3_COMPONENTS} freertos lwip)
    target_include_directories(rtos_login PRIVATE ${_kq})
    target_compile_options(rtos_login PRIVATE ${KGIOT_WARNINGS})
    if(TARGET kg_qr)
        target_compile_definitions(rtos_login PRIVATE KGIOT_HAVE_QR=1)
    endif()
    target_link_options(rtos_login PRIVATE -Wl,-Map=${CMAKE_CURRENT_BINARY_DIR}/rtos_login.map)
    find_program(KGIOT_DEBIAN_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
    foreach(run plain disrupted)
        add_test(NAME qemu_rtos_login_${run}
                 COMMAND ${KGIOT_DEBIAN_PYTHON} ${_kq}/test_rtos_login.py --run ${run}
                         --qemu ${KGIOT_QEMU} --image $<TARGET_FILE:rtos_login>
                         --certs ${_kq_certs} --work ${CMAKE_CURRENT_BINARY_DIR}/rtos_${run})
        set_tests_properties(qemu_rtos_login_${run} PROPERTIES TIMEOUT 240 RUN_SERIAL ON)
    endforeach()
endif()

# ---- no test secret in the firmware image ------------------------------------------------

# The product-like image (footprint_app: the whole login, no test code) holds
# none of the tests' secrets: they are provisioned at run time. The test
# images hold fake_platform.h's on purpose, so they are not searched.
add_test(NAME m3_no_secret_in_image
         COMMAND ${KGIOT_KCONFIG_PYTHON} ${KGIOT_ROOT}/tests/cmake/check_no_secret.py
                 --secret kgsecret --secret SECRET-5ec7e7 $<TARGET_FILE:footprint_app>)
