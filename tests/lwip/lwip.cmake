# The lwIP port (port/lwip) over a real lwIP stack: Debian's liblwip on a
# tap device in a private network namespace, the whole login and a call
# against the mock platform on the kernel side (test_lwip.py). Needs root
# and /dev/net/tun, and fails loudly without them: it never skips.
# Also: kg_port_lwip.c cross-compiled for a Cortex-M with arm-none-eabi-gcc
# against lwIP's own headers (no unix port), and its undefined symbols
# checked (lwIP, the C library's string functions, errno; no POSIX).
# Two clients: the port as built with lwip_poll, and as lwIP builds without
# poll run it (kg_port_lwip_retry).
find_package(Threads REQUIRED)
foreach(variant lwip_login:kg_port_lwip lwip_login_retry:kg_port_lwip_retry)
    string(REPLACE ":" ";" _v ${variant})
    list(GET _v 0 _exe)
    list(GET _v 1 _port)
    add_executable(${_exe} ${CMAKE_CURRENT_LIST_DIR}/lwip_login.c ${CMAKE_CURRENT_LIST_DIR}/tap_netif.c)
    target_link_libraries(${_exe} PRIVATE kg_session kg_tls kg_net ${_port} Threads::Threads)
endforeach()

add_test(NAME lwip_login
         COMMAND ${KGIOT_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_lwip.py
                 --bin $<TARGET_FILE:lwip_login> --bin $<TARGET_FILE:lwip_login_retry>
                 --work ${CMAKE_CURRENT_BINARY_DIR}/lwip)
set_tests_properties(lwip_login PROPERTIES TIMEOUT 240)

add_test(NAME lwip_port_mcu
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/check_port_mcu.sh ${CMAKE_CURRENT_BINARY_DIR}/lwip_mcu
                 $<TARGET_FILE:kg_port_lwip> $<TARGET_FILE:kg_port_lwip_retry>)
set_tests_properties(lwip_port_mcu PROPERTIES TIMEOUT 120)
