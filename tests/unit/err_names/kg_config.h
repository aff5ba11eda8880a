/* kg_config.h for test_err_names: kg_err as Kconfig leaves it with
 * CONFIG_KGIOT_ERR_MEANINGS off (kg_err reads no other option). */
#ifndef KG_CONFIG_H
#define KG_CONFIG_H
#endif
