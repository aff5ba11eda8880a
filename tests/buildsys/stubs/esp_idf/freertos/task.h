/* Stand-in for ESP-IDF's freertos/task.h (component freertos). */
#ifndef KG_STUB_FREERTOS_TASK_H
#define KG_STUB_FREERTOS_TASK_H

#include "freertos/FreeRTOS.h"

typedef int BaseType_t;
typedef unsigned int UBaseType_t;
typedef struct tskTaskControlBlock *TaskHandle_t;
typedef void (*TaskFunction_t)(void *);

void vTaskDelay(const TickType_t xTicksToDelay);
/* Upstream (ESP-IDF 5) an inline wrapper of xTaskCreatePinnedToCore; the
 * stack depth is configSTACK_DEPTH_TYPE, uint32_t, in bytes on ESP-IDF. */
BaseType_t xTaskCreate(TaskFunction_t pxTaskCode, const char *const pcName,
                       const uint32_t usStackDepth, void *const pvParameters,
                       UBaseType_t uxPriority, TaskHandle_t *const pxCreatedTask);
void vTaskDelete(TaskHandle_t xTaskToDelete);

#endif
