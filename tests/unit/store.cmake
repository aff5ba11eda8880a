# kg_store over the posix flash emulation: format and API, exhaustive power
# cuts, and kg_session resuming from it after cuts.
kg_unit_test(test_store SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_store.c LIBS kg_store kg_port_posix)
target_include_directories(test_store PRIVATE ${KGIOT_ROOT}/components/kg_store)
kg_unit_test(test_store_power SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_store_power.c
             LIBS kg_store kg_port_posix)
kg_unit_test(test_store_session SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_store_session.c
             ${CMAKE_CURRENT_LIST_DIR}/fake_platform.c LIBS kg_session kg_store kg_port_posix)
