/* Stand-in for ESP-IDF's esp_err.h (component esp_common): only what the
 * kgiot ESP-IDF port uses, with the upstream declarations (port/esp_idf/README.md). */
#ifndef KG_STUB_ESP_ERR_H
#define KG_STUB_ESP_ERR_H

typedef int esp_err_t;

#define ESP_OK 0

void _esp_error_check_failed(esp_err_t rc, const char *file, int line, const char *function,
                             const char *expression) __attribute__((noreturn));

/* Upstream's default form (assertions enabled). */
#define ESP_ERROR_CHECK(x)                                                                         \
    do {                                                                                           \
        esp_err_t err_rc_ = (x);                                                                   \
        if (err_rc_ != ESP_OK) _esp_error_check_failed(err_rc_, __FILE__, __LINE__, __func__, #x); \
    } while (0)

#endif
