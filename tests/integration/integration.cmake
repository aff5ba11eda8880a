# The CLI and the library against the mock platform server over TLS.
add_executable(itest_auth ${CMAKE_CURRENT_LIST_DIR}/itest_auth.c)
target_link_libraries(itest_auth PRIVATE kg_auth kg_tls kg_net kg_port_posix)
if(TARGET kgiot)
    add_test(NAME integration_auth
             COMMAND ${KGIOT_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_integration.py
                     --kgiot $<TARGET_FILE:kgiot> --itest $<TARGET_FILE:itest_auth>
                     --work ${CMAKE_CURRENT_BINARY_DIR}/integration)
    set_tests_properties(integration_auth PROPERTIES TIMEOUT 180)
endif()
if(TARGET kgiot)
    add_test(NAME integration_login
             COMMAND ${KGIOT_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_login.py
                     --kgiot $<TARGET_FILE:kgiot> --work ${CMAKE_CURRENT_BINARY_DIR}/login)
    set_tests_properties(integration_login PROPERTIES TIMEOUT 300)
endif()
