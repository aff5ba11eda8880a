# Extreme integers in every integer field of every reply, and at both ends
# of the port's clocks: a value or a named error, never undefined behaviour
# (the sanitizer suite aborts on any).
kg_unit_test(test_session_extremes SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_session_extremes.c
             ${CMAKE_CURRENT_LIST_DIR}/fake_platform.c LIBS kg_session kg_auth)
target_include_directories(test_session_extremes PRIVATE ${KGIOT_ROOT}/components/kg_auth)
