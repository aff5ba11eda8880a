# kg_tls against real TLS peers on loopback: tls_peer.py makes the test PKI
# (tests/mock/make_certs.sh), starts the peers and runs test_tls.
add_executable(test_tls ${CMAKE_CURRENT_LIST_DIR}/test_tls.c)
target_include_directories(test_tls PRIVATE ${KGIOT_ROOT}/tests/unit)
target_link_libraries(test_tls PRIVATE kg_tls kg_net kg_port_posix)
add_test(NAME test_tls
         COMMAND ${KGIOT_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/tls_peer.py
                 ${CMAKE_CURRENT_BINARY_DIR}/tls_certs ${KGIOT_ROOT}/tests/mock/make_certs.sh
                 $<TARGET_FILE:test_tls>)
set_tests_properties(test_tls PROPERTIES TIMEOUT 60)

# kg_tls's ServerHello reader (max-fragment-length agreed or not), offline.
kg_unit_test(test_tls_hello SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_tls_hello.c LIBS kg_tls)
target_include_directories(test_tls_hello PRIVATE ${KGIOT_ROOT}/components/kg_tls)
