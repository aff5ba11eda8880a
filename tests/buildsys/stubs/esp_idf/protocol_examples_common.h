/* Stand-in for protocol_examples_common.h (ESP-IDF's
 * examples/common_components/protocol_examples_common), for the example. */
#ifndef KG_STUB_PROTOCOL_EXAMPLES_COMMON_H
#define KG_STUB_PROTOCOL_EXAMPLES_COMMON_H

#include "esp_err.h"

esp_err_t example_connect(void);

#endif
