# `cmake --install`: the libraries, the public headers with kg_config.h, a
# CMake package (find_package(kgiot) gives the target kgiot::kgiot) and a
# pkg-config file (kgiot.pc). The external libraries (mbedTLS, qrcodegen)
# and jsmn's header are referred to where this build found them.
include(GNUInstallDirs)

# Link order: each library before the ones it uses.
set(KGIOT_INSTALL_LIBS kg_session kg_qr kg_auth kg_tls kg_http kg_net kg_json kg_store
                       kg_port_posix kg_err)
install(TARGETS ${KGIOT_INSTALL_LIBS} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(comp ${KGIOT_COMPONENTS})
    install(DIRECTORY ${KGIOT_ROOT}/components/${comp}/include/ DESTINATION include/kgiot)
endforeach()
install(DIRECTORY ${KGIOT_ROOT}/port/include/ ${KGIOT_ROOT}/port/posix/include/
        DESTINATION include/kgiot)
install(FILES ${KGIOT_CONFIG_DIR}/kg_config.h DESTINATION include/kgiot)

# What the external targets carry, as lists and as compiler flags.
set(KGIOT_EXT_INCLUDES "")
set(KGIOT_EXT_LIBS "")
set(KGIOT_EXT_DEFS "")
foreach(ext mbedtls jsmn qrcodegen)
    get_target_property(_inc ${ext} INTERFACE_INCLUDE_DIRECTORIES)
    get_target_property(_lib ${ext} INTERFACE_LINK_LIBRARIES)
    get_target_property(_def ${ext} INTERFACE_COMPILE_DEFINITIONS)
    foreach(v _inc _lib _def)
        if(NOT ${v})
            set(${v} "")
        endif()
    endforeach()
    list(APPEND KGIOT_EXT_INCLUDES ${_inc})
    list(APPEND KGIOT_EXT_LIBS ${_lib})
    list(APPEND KGIOT_EXT_DEFS ${_def})
endforeach()
list(REMOVE_DUPLICATES KGIOT_EXT_INCLUDES)
list(TRANSFORM KGIOT_INSTALL_LIBS PREPEND "-l" OUTPUT_VARIABLE _pc_libs)
list(TRANSFORM KGIOT_EXT_INCLUDES PREPEND "-I" OUTPUT_VARIABLE _pc_incs)
list(TRANSFORM KGIOT_EXT_DEFS PREPEND "-D" OUTPUT_VARIABLE _pc_defs)
string(REPLACE ";" " " KGIOT_PC_LIBS "${_pc_libs};${KGIOT_EXT_LIBS}")
string(REPLACE ";" " " KGIOT_PC_CFLAGS "${_pc_incs};${_pc_defs}")
string(REPLACE "\"" "\\\"" KGIOT_PC_CFLAGS "${KGIOT_PC_CFLAGS}")

configure_file(${KGIOT_ROOT}/cmake/kgiotConfig.cmake.in
               ${CMAKE_BINARY_DIR}/kgiot_package/kgiotConfig.cmake @ONLY)
configure_file(${KGIOT_ROOT}/cmake/kgiot.pc.in ${CMAKE_BINARY_DIR}/kgiot_package/kgiot.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/kgiot_package/kgiotConfig.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kgiot)
install(FILES ${CMAKE_BINARY_DIR}/kgiot_package/kgiot.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
