# Runs boards/zephyr/mbedtls_conf.cmake's choice for one stand-in Zephyr tree
# and writes the fragment it picked to RESULT (check_zephyr_sample.py):
#   cmake -DKGIOT_ROOT=... -DRESULT=... [-DZEPHYR_BASE=<tree>]
#         [-DKGIOT_SAMPLE_MBEDTLS_CONF=<file>] -P zephyr_mbedtls_conf.cmake
include(${KGIOT_ROOT}/boards/zephyr/mbedtls_conf.cmake)
kgiot_sample_mbedtls_conf(conf)
file(WRITE ${RESULT} "${conf}")
