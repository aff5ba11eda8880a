kg_unit_test(test_auth SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_auth.c LIBS kg_auth)
target_include_directories(test_auth PRIVATE ${KGIOT_ROOT}/components/kg_auth)
