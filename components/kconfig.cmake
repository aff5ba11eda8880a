# Plain CMake build: turn Kconfig (+ an optional .config given as
# -DKGIOT_CONFIG=file) into kg_config.h with kconfiglib's genconfig, the same
# tool family menuconfig uses, so CONFIG_KGIOT_* mean the same everywhere.
# Debian's python3-kconfiglib is only visible to Debian's own /usr/bin/python3
# (a pyenv python3 may shadow it on PATH), so that interpreter is preferred.

set(KGIOT_CONFIG "" CACHE FILEPATH "A .config file overriding Kconfig defaults")
find_program(KGIOT_KCONFIG_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT KGIOT_KCONFIG_PYTHON)
    find_program(KGIOT_KCONFIG_PYTHON NAMES python3 REQUIRED)
endif()

set(KGIOT_CONFIG_DIR ${CMAKE_BINARY_DIR}/kg_config)
file(MAKE_DIRECTORY ${KGIOT_CONFIG_DIR})
if(KGIOT_CONFIG)
    get_filename_component(_kgiot_cfg ${KGIOT_CONFIG} ABSOLUTE)
else()
    set(_kgiot_cfg ${KGIOT_CONFIG_DIR}/none.config) # absent: defaults only
endif()
execute_process(
    COMMAND ${CMAKE_COMMAND} -E env KCONFIG_CONFIG=${_kgiot_cfg}
            ${KGIOT_KCONFIG_PYTHON} -m genconfig --header-path ${KGIOT_CONFIG_DIR}/kg_config.h
            ${KGIOT_ROOT}/Kconfig
    WORKING_DIRECTORY ${KGIOT_CONFIG_DIR}
    RESULT_VARIABLE _kgiot_rc OUTPUT_VARIABLE _kgiot_out ERROR_VARIABLE _kgiot_out)
if(NOT _kgiot_rc EQUAL 0)
    message(FATAL_ERROR "genconfig failed (is python3-kconfiglib installed?):\n${_kgiot_out}")
endif()
set_property(DIRECTORY ${KGIOT_ROOT} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${KGIOT_ROOT}/Kconfig ${KGIOT_CONFIG})
add_library(kg_config INTERFACE)
target_include_directories(kg_config INTERFACE ${KGIOT_CONFIG_DIR})
