# Every free/close of the library and the POSIX port on NULL, zero-filled,
# failed-init and freed objects.
kg_unit_test(test_lifecycle SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_lifecycle.c
             LIBS kg_session kg_port_posix)
