/*
 * FreeRTOSConfig.h - FreeRTOS V11 on qemu's mps2-an385 (Cortex-M3, 25 MHz),
 * for the kgiot device image (tests/qemu/rtos_login.c).
 *
 * Every task and kernel object of the board and of kgiot's image is
 * allocated statically. Dynamic allocation stays on only because lwIP's
 * FreeRTOS sys_arch (contrib/ports/freertos/sys_arch.c) creates its
 * semaphores, mailboxes and the tcpip thread with the dynamic API and
 * refuses to build without it; heap_4 serves those alone, and the image
 * prints its lowest free figure (xPortGetMinimumEverFreeHeapSize).
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configCPU_CLOCK_HZ                      25000000u
#define configTICK_RATE_HZ                      1000u
#define configUSE_PREEMPTION                    1
#define configUSE_TIME_SLICING                  1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION 1
#define configUSE_TICKLESS_IDLE                 0
#define configMAX_PRIORITIES                    8
#define configMINIMAL_STACK_SIZE                128 /* words */
#define configMAX_TASK_NAME_LEN                 12
#define configTICK_TYPE_WIDTH_IN_BITS           TICK_TYPE_WIDTH_32_BITS
#define configIDLE_SHOULD_YIELD                 1
#define configTASK_NOTIFICATION_ARRAY_ENTRIES   1
#define configQUEUE_REGISTRY_SIZE               0
#define configENABLE_BACKWARD_COMPATIBILITY     1 /* lwIP 2.2 sys_arch says portTICK_RATE_MS */
#define configNUM_THREAD_LOCAL_STORAGE_POINTERS 0
#define configUSE_MINI_LIST_ITEM                1
#define configSTACK_DEPTH_TYPE                  uint32_t
#define configMESSAGE_BUFFER_LENGTH_TYPE        size_t
#define configHEAP_CLEAR_MEMORY_ON_FREE         1

/* Memory: static for everything the image creates; heap_4 for lwIP's sys_arch. */
#define configSUPPORT_STATIC_ALLOCATION     1
#define configSUPPORT_DYNAMIC_ALLOCATION    1
#define configKERNEL_PROVIDED_STATIC_MEMORY 1 /* idle task's stack and TCB */
#define configTOTAL_HEAP_SIZE               (16u * 1024u)
#define configAPPLICATION_ALLOCATED_HEAP    0

/* Hooks: a stack overflow or a failed allocation ends the run (board_rtos.c). */
#define configUSE_IDLE_HOOK                0
#define configUSE_TICK_HOOK                0
#define configCHECK_FOR_STACK_OVERFLOW     2
#define configUSE_MALLOC_FAILED_HOOK       1
#define configUSE_DAEMON_TASK_STARTUP_HOOK 0

/* Run-time statistics and tracing: off; stack high-water marks are on. */
#define configGENERATE_RUN_TIME_STATS        0
#define configUSE_TRACE_FACILITY             0
#define configUSE_STATS_FORMATTING_FUNCTIONS 0

#define configUSE_CO_ROUTINES         0
#define configUSE_TIMERS              0
#define configUSE_MUTEXES             1
#define configUSE_RECURSIVE_MUTEXES   1
#define configUSE_COUNTING_SEMAPHORES 1
#define configUSE_QUEUE_SETS          0
#define configUSE_TASK_NOTIFICATIONS  1
#define configUSE_NEWLIB_REENTRANT    0

/* Interrupt priorities: the Cortex-M3 uses the top bits of each 8-bit
 * priority field; these values only use the top three, which every
 * implementation has. The Ethernet interrupt (lan9118_netif.c) sits at
 * 0xC0, below (numerically above) the syscall ceiling, so it may call the
 * FromISR API. */
#define configKERNEL_INTERRUPT_PRIORITY      0xE0
#define configMAX_SYSCALL_INTERRUPT_PRIORITY 0xA0
#define BOARD_ETH_IRQ_PRIORITY               0xC0

/* The handler names of the board's vector table (startup.c). */
#define vPortSVCHandler     SVC_Handler
#define xPortPendSVHandler  PendSV_Handler
#define xPortSysTickHandler rtos_systick_handler

void board_rtos_assert(const char *file, int line);
#define configASSERT(x)                                                                            \
    do {                                                                                           \
        if (!(x)) board_rtos_assert(__FILE__, __LINE__);                                           \
    } while (0)

#define INCLUDE_vTaskPrioritySet            0
#define INCLUDE_uxTaskPriorityGet           0
#define INCLUDE_vTaskDelete                 1
#define INCLUDE_vTaskSuspend                1
#define INCLUDE_xTaskDelayUntil             0
#define INCLUDE_vTaskDelay                  1
#define INCLUDE_xTaskGetSchedulerState      1
#define INCLUDE_xTaskGetCurrentTaskHandle   1
#define INCLUDE_uxTaskGetStackHighWaterMark 1
#define INCLUDE_xTaskGetIdleTaskHandle      1
#define INCLUDE_eTaskGetState               0
#define INCLUDE_xTimerPendFunctionCall      0
#define INCLUDE_xTaskAbortDelay             0
#define INCLUDE_xTaskGetHandle              1
#define INCLUDE_xSemaphoreGetMutexHolder    0

#endif
