# kg_qr: the API's unit tests, then real decoding: test_qr_zbar renders codes
# (framebuffer and terminal text) and test_qr_zbar.py has Debian's zbarimg
# (zbar-tools) read them back; a missing zbarimg fails the test.
kg_unit_test(test_qr SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_qr.c LIBS kg_qr)

add_executable(test_qr_zbar ${CMAKE_CURRENT_LIST_DIR}/test_qr_zbar.c)
target_link_libraries(test_qr_zbar PRIVATE kg_qr)
add_test(NAME test_qr_zbar
         COMMAND ${KGIOT_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_qr_zbar.py
                 $<TARGET_FILE:test_qr_zbar> ${CMAKE_CURRENT_BINARY_DIR}/qr_zbar)
set_tests_properties(test_qr_zbar PROPERTIES TIMEOUT 30)
