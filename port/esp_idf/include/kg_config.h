/*
 * kg_config.h under ESP-IDF: kgiot's Kconfig is the component's Kconfig, so
 * its CONFIG_KGIOT_* values come from sdkconfig.h like every other
 * component's. Only the ESP-IDF build has this directory on its include
 * path; the plain build generates its own kg_config.h from the same Kconfig.
 */
#ifndef KG_CONFIG_H
#define KG_CONFIG_H

#include "sdkconfig.h"

#endif
