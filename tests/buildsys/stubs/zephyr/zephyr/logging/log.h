/* Stand-in for Zephyr's <zephyr/logging/log.h>. Upstream LOG_MODULE_REGISTER
 * defines the module's log source and LOG_ERR..LOG_DBG take a printf format;
 * the stand-ins keep both shapes (and -Wformat checks the calls). */
#ifndef KG_STUB_ZEPHYR_LOG_H
#define KG_STUB_ZEPHYR_LOG_H

#define LOG_MODULE_REGISTER(name, level) extern const int kg_stub_log_module_##name[(level) + 1]

void kg_stub_log(int level, const char *format, ...) __attribute__((format(printf, 2, 3)));

#define LOG_ERR(...) kg_stub_log(1, __VA_ARGS__)
#define LOG_WRN(...) kg_stub_log(2, __VA_ARGS__)
#define LOG_INF(...) kg_stub_log(3, __VA_ARGS__)
#define LOG_DBG(...) kg_stub_log(4, __VA_ARGS__)

#endif
