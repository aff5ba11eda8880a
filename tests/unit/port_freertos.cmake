# port/freertos: the clock's arithmetic on the host (the hooks run in the
# qemu device image, tests/qemu/rtos_login.c).
kg_unit_test(test_port_freertos SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_port_freertos.c
                                        ${KGIOT_ROOT}/port/freertos/kg_freertos_clock.c LIBS kg_err)
target_include_directories(test_port_freertos PRIVATE ${KGIOT_ROOT}/port/freertos/include
                                                      ${KGIOT_ROOT}/port/lwip/include
                                                      ${KGIOT_ROOT}/port/include)
