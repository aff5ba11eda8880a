# cmake --install, then find_package(kgiot) and pkg-config builds of the
# example. Only in the plain build: a sanitizer build's libraries need the
# sanitizer runtime, and another mbedTLS prefix lives in the build tree.
# A coverage build's libraries need the gcov runtime: the consumers link it.
if(NOT KGIOT_SANITIZE AND NOT KGIOT_MBEDTLS_PREFIX)
    set(_kg_consumer_ld "")
    if(KGIOT_COVERAGE)
        set(_kg_consumer_ld --coverage)
    endif()
    add_test(NAME install_consumer
             COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run.sh ${CMAKE_BINARY_DIR}
                     ${CMAKE_CURRENT_BINARY_DIR}/install_consumer ${_kg_consumer_ld})
    set_tests_properties(install_consumer PROPERTIES TIMEOUT 120)
endif()
