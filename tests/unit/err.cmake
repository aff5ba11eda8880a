kg_unit_test(test_err SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_err.c LIBS kg_err)
# kg_err compiled into the test (it includes kg_err.c) with a kg_config.h
# that has the meanings off.
kg_unit_test(test_err_names SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_err_names.c)
target_include_directories(test_err_names BEFORE PRIVATE ${CMAKE_CURRENT_LIST_DIR}/err_names
                           ${KGIOT_ROOT}/components/kg_err ${KGIOT_ROOT}/components/kg_err/include)
target_compile_definitions(test_err_names PRIVATE _GNU_SOURCE)
