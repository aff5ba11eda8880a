# CMake toolchain for the qemu mps2-an385 board (Cortex-M3, newlib with
# semihosting): used by the board's build and by mbedTLS's cross build.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m3)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# Compiler checks would try to link a program without the board's startup.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(KGIOT_M3_CPU_FLAGS "-mcpu=cortex-m3 -mthumb")
set(CMAKE_C_FLAGS_INIT "${KGIOT_M3_CPU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${KGIOT_M3_CPU_FLAGS}")
# rdimon: newlib's semihosting system calls; the board brings its own startup.
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "${KGIOT_M3_CPU_FLAGS} --specs=rdimon.specs -nostartfiles -Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
