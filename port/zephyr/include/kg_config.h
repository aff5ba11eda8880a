/*
 * kg_config.h under Zephyr: Zephyr passes its generated autoconf.h to every
 * compile with -imacros, so the CONFIG_KGIOT_* values of kgiot's Kconfig
 * (the module's Kconfig) are already defined; nothing to include. Only the
 * Zephyr build has this directory on its include path; the plain build
 * generates its own kg_config.h from the same Kconfig.
 */
#ifndef KG_CONFIG_H
#define KG_CONFIG_H

#ifndef CONFIG_KGIOT
#error "kgiot: CONFIG_KGIOT is not defined: build with Zephyr (autoconf.h) and CONFIG_KGIOT=y"
#endif

#endif
