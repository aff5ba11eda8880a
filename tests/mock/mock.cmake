# The mock platform's own self-test: the strictness the client is tested against.
add_test(NAME mock_selftest COMMAND ${KGIOT_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_mock.py)
set_tests_properties(mock_selftest PROPERTIES TIMEOUT 120)
