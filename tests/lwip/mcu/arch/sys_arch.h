/* arch/sys_arch.h - the OS types lwIP's headers need, shaped like those of
 * lwIP's FreeRTOS port (handles), only for check_port_mcu.sh. */
#ifndef KG_TEST_MCU_SYS_ARCH_H
#define KG_TEST_MCU_SYS_ARCH_H

typedef struct {
    void *sem;
} sys_sem_t;
typedef struct {
    void *mut;
} sys_mutex_t;
typedef struct {
    void *mbx;
} sys_mbox_t;
typedef struct {
    void *thread_handle;
} sys_thread_t;

#endif
