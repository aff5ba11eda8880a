# Which of the sample's mbedTLS fragments suits the Zephyr tree being built
# against, decided before find_package(Zephyr) (Kconfig runs inside it):
#   modules/mbedtls/Kconfig.crypto present   mbedtls-4.x.conf (4.x names)
#   modules/mbedtls/Kconfig.tf-psa-crypto    refused: Zephyr on TF-PSA-Crypto
#                                            (Mbed TLS 4) is not covered yet
#   neither                                  mbedtls-3.7.conf (3.7 LTS names)
# The tree is ZEPHYR_BASE (west sets it, as does zephyr-env.sh); or name the
# fragment with -DKGIOT_SAMPLE_MBEDTLS_CONF=<file>. tests/buildsys checks it.
function(kgiot_sample_mbedtls_conf out)
    set(dir ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
    if(KGIOT_SAMPLE_MBEDTLS_CONF)
        set(${out} ${KGIOT_SAMPLE_MBEDTLS_CONF} PARENT_SCOPE)
        return()
    endif()
    set(base "${ZEPHYR_BASE}")
    if(NOT base)
        set(base "$ENV{ZEPHYR_BASE}")
    endif()
    set(mbedtls "${base}/modules/mbedtls")
    if(NOT base OR NOT EXISTS "${mbedtls}/Kconfig")
        message(FATAL_ERROR "kgiot sample: no Zephyr tree at ZEPHYR_BASE='${base}' to choose the "
                            "mbedTLS options by; set ZEPHYR_BASE or pass "
                            "-DKGIOT_SAMPLE_MBEDTLS_CONF=${dir}/mbedtls-<release>.conf")
    elseif(EXISTS "${mbedtls}/Kconfig.crypto")
        set(${out} ${dir}/mbedtls-4.x.conf PARENT_SCOPE)
    elseif(EXISTS "${mbedtls}/Kconfig.tf-psa-crypto")
        message(FATAL_ERROR "kgiot sample: this Zephyr builds Mbed TLS on TF-PSA-Crypto, whose "
                            "options this sample does not name yet (Zephyr 3.7 LTS and the 4.x "
                            "releases on Mbed TLS 3.6 are covered); pass "
                            "-DKGIOT_SAMPLE_MBEDTLS_CONF=<your fragment>")
    else()
        set(${out} ${dir}/mbedtls-3.7.conf PARENT_SCOPE)
    endif()
endfunction()
