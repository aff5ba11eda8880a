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
# The kgiot tool's tests: name, script, timeout (s).
function(kg_cli_test name script timeout)
    if(TARGET kgiot)
        add_test(NAME ${name}
                 COMMAND ${KGIOT_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/${script}
                         --kgiot $<TARGET_FILE:kgiot> --work ${CMAKE_CURRENT_BINARY_DIR}/${name})
        set_tests_properties(${name} PROPERTIES TIMEOUT ${timeout})
    endif()
endfunction()
kg_cli_test(integration_login test_login.py 300)
kg_cli_test(integration_cli test_cli.py 120)
if(TARGET example_min)
    add_test(NAME integration_example
             COMMAND ${KGIOT_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_example.py
                     --example $<TARGET_FILE:example_min>
                     --work ${CMAKE_CURRENT_BINARY_DIR}/integration_example)
    set_tests_properties(integration_example PROPERTIES TIMEOUT 90)
endif()
