# ESP-IDF's requirements pass, for one component: what
# tools/cmake/scripts/component_get_requirements.cmake does (cmake -P,
# CMAKE_BUILD_EARLY_EXPANSION set, idf_component_register a macro that keeps
# REQUIRES and PRIV_REQUIRES and returns). Writes them to RECORD.
#   cmake -DKGIOT_ROOT=... -DRECORD=... [-DCONFIG_KGIOT=y ...] -P early_expansion.cmake
macro(idf_component_register)
    set(options)
    set(single_value KCONFIG KCONFIG_PROJBUILD)
    set(multi_value SRCS SRC_DIRS EXCLUDE_SRCS INCLUDE_DIRS PRIV_INCLUDE_DIRS LDFRAGMENTS REQUIRES
                    PRIV_REQUIRES REQUIRED_IDF_TARGETS EMBED_FILES EMBED_TXTFILES)
    cmake_parse_arguments(_ "${options}" "${single_value}" "${multi_value}" "${ARGN}")
    set(__component_priv_requires "${__PRIV_REQUIRES}")
    set(__component_requires "${__REQUIRES}")
    set(__component_registered 1)
    return()
endmacro()

function(get_requirements)
    # A function, as upstream: the component's variables stay in here.
    set(COMPONENT_DIR ${KGIOT_ROOT})
    include(${KGIOT_ROOT}/CMakeLists.txt)
    set(__component_requires "${__component_requires}" PARENT_SCOPE)
    set(__component_priv_requires "${__component_priv_requires}" PARENT_SCOPE)
    set(__component_registered "${__component_registered}" PARENT_SCOPE)
endfunction()

set(CMAKE_BUILD_EARLY_EXPANSION 1)
set(__component_registered 0)
get_requirements()
file(WRITE ${RECORD} "set(REC_REGISTERED \"${__component_registered}\")\n"
                     "set(REC_REQUIRES \"${__component_requires}\")\n"
                     "set(REC_PRIV_REQUIRES \"${__component_priv_requires}\")\n")
