# kg_http: request writer, response parser, URL parser, client.
foreach(t request response url client)
    kg_unit_test(test_http_${t} SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_http_${t}.c LIBS kg_http)
endforeach()
# The parser with chunked decoding, 1xx skipping and header lookup left out:
# compiled into the test with tests/unit/http_lean/kg_config.h.
kg_unit_test(test_http_lean SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_http_lean.c LIBS kg_config kg_err)
target_include_directories(test_http_lean BEFORE PRIVATE ${CMAKE_CURRENT_LIST_DIR}/http_lean
                           ${KGIOT_ROOT}/components/kg_http ${KGIOT_ROOT}/components/kg_http/include
                           ${KGIOT_ROOT}/components/kg_net/include ${KGIOT_ROOT}/port/include)
