/* kg_config.h for test_http_lean: this build's Kconfig values with kg_http's
 * three optional features off (menu "HTTP features"). */
#include_next "kg_config.h"

#undef CONFIG_KGIOT_HTTP_CHUNKED
#undef CONFIG_KGIOT_HTTP_INTERIM
#undef CONFIG_KGIOT_HTTP_HEADER_LOOKUP
