# Prints the sources of component COMP from the one source list, for scripts:
#   cmake -DCOMP=kg_json -P tests/bench/list_sources.cmake
include(${CMAKE_CURRENT_LIST_DIR}/../../components/sources.cmake)
string(REPLACE ";" " " _srcs "${KGIOT_SRCS_${COMP}}")
execute_process(COMMAND ${CMAKE_COMMAND} -E echo "${_srcs}")
