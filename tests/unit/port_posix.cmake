kg_unit_test(test_port_posix SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_port_posix.c LIBS kg_port_posix)
