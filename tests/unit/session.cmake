# kg_session against an in-memory platform (fake_platform.c): no network.
foreach(t login tokens time secrets)
    kg_unit_test(test_session_${t} SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_session_${t}.c
                 ${CMAKE_CURRENT_LIST_DIR}/fake_platform.c LIBS kg_session)
endforeach()
