# kg_http: request writer, response parser, URL parser, client.
foreach(t request response url client)
    kg_unit_test(test_http_${t} SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_http_${t}.c LIBS kg_http)
endforeach()
