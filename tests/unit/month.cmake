# A month in a minute: 40 simulated days of one device (kg_session on
# kg_store over the flash emulation, the fake platform, a driven clock).
kg_unit_test(test_month SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_month.c
             ${CMAKE_CURRENT_LIST_DIR}/fake_platform.c LIBS kg_session kg_store kg_port_posix)
