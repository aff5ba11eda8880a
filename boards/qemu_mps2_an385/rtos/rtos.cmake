# The device image: FreeRTOS V11 + lwIP 2.2 + the LAN9118 driver + kgiot's
# FreeRTOS/lwIP port, on the mps2-an385 board. Included by the board's
# CMakeLists.txt when both third-party trees are known:
#   KGIOT_FREERTOS_DIR  a FreeRTOS-Kernel checkout (V11.3.0)
#   KGIOT_LWIP_SRC      lwIP 2.2 sources (Debian's lwip source package)
# Both are compiled here, into the build tree, with their own flags; the
# board's FreeRTOSConfig.h, lwipopts.h and arch/cc.h are in this folder.
set(_rtos ${CMAKE_CURRENT_LIST_DIR})

set(_fr ${KGIOT_FREERTOS_DIR})
add_library(freertos STATIC ${_fr}/tasks.c ${_fr}/queue.c ${_fr}/list.c
                            ${_fr}/portable/GCC/ARM_CM3/port.c ${_fr}/portable/MemMang/heap_4.c)
target_include_directories(freertos PUBLIC ${_rtos} ${_fr}/include ${_fr}/portable/GCC/ARM_CM3)

set(LWIP_DIR ${KGIOT_LWIP_SRC})
file(GLOB _lwip_srcs ${LWIP_DIR}/src/core/*.c ${LWIP_DIR}/src/core/ipv4/*.c ${LWIP_DIR}/src/api/*.c)
add_library(lwip STATIC ${_lwip_srcs} ${LWIP_DIR}/src/netif/ethernet.c
                        ${LWIP_DIR}/contrib/ports/freertos/sys_arch.c)
target_include_directories(lwip PUBLIC ${_rtos} ${LWIP_DIR}/src/include
                                       ${LWIP_DIR}/contrib/ports/freertos/include)
target_link_libraries(lwip PUBLIC freertos)

# kgiot's ports for this stack: port/lwip (sockets) and port/freertos (the RTOS hooks).
add_library(kg_port_rtos STATIC ${KGIOT_ROOT}/port/lwip/kg_port_lwip.c
                                ${KGIOT_ROOT}/port/freertos/kg_port_freertos.c
                                ${KGIOT_ROOT}/port/freertos/kg_freertos_clock.c)
target_include_directories(kg_port_rtos PUBLIC ${KGIOT_ROOT}/port/lwip/include
                                               ${KGIOT_ROOT}/port/freertos/include)
target_link_libraries(kg_port_rtos PUBLIC lwip kg_err)
target_compile_options(kg_port_rtos PRIVATE ${KGIOT_WARNINGS})

# The board's side: the LAN9118 netif and the kernel's hooks.
add_library(board_rtos OBJECT ${_rtos}/lan9118_netif.c ${_rtos}/board_rtos.c)
target_link_libraries(board_rtos PUBLIC lwip board_port)
target_include_directories(board_rtos PUBLIC ${_rtos} ${KGIOT_BOARD_DIR})
target_compile_options(board_rtos PRIVATE ${KGIOT_WARNINGS})
