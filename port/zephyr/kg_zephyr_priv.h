/*
 * kg_zephyr_priv.h - between the files of the Zephyr port only.
 */
#ifndef KG_ZEPHYR_PRIV_H
#define KG_ZEPHYR_PRIV_H

#include "kg_port_zephyr.h"

/* kg_store on the partition labelled kgiot_partition (kg_zephyr_flash.c,
 * built with CONFIG_KGIOT_ZEPHYR_STORE_FLASH_AREA). */
kg_err_t kg_zephyr_partition_store_init(kg_port_zephyr_t *zp, kg_token_store_t *out);

#endif
