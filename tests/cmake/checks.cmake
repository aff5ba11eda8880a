# Whole-tree checks that run as ctest tests.
set(_kg_libs "")
foreach(comp ${KGIOT_COMPONENTS})
    list(APPEND _kg_libs $<TARGET_FILE:${comp}>)
endforeach()
add_test(NAME no_heap COMMAND ${CMAKE_CURRENT_LIST_DIR}/check_no_heap.sh ${_kg_libs})
