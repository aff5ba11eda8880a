# Whole-tree checks that run as ctest tests.
set(_kg_libs "")
foreach(comp ${KGIOT_COMPONENTS})
    list(APPEND _kg_libs $<TARGET_FILE:${comp}>)
endforeach()
add_test(NAME no_heap COMMAND ${CMAKE_CURRENT_LIST_DIR}/check_no_heap.sh ${_kg_libs})

# The test secrets (the mock's default, fake_platform.h's) are not in the
# host tool: secrets come at run time only.
if(TARGET kgiot)
    add_test(NAME no_secret_in_kgiot
             COMMAND ${KGIOT_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_no_secret.py
                     --secret kgsecret --secret SECRET-5ec7e7 $<TARGET_FILE:kgiot>)
endif()
