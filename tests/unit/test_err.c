/* test_err.c - every error has a distinct name and meaning; unknown values are safe. */
#include "kg_err.h"
#include "kg_test.h"

static void test_names_match_enum(void)
{
    KG_CHECK_STR(kg_err_name(KG_OK), "KG_OK");
    KG_CHECK_STR(kg_err_name(KG_ERR_TLS_UNTRUSTED), "KG_ERR_TLS_UNTRUSTED");
    KG_CHECK_STR(kg_err_name(KG_ERR_TLS_NAME_MISMATCH), "KG_ERR_TLS_NAME_MISMATCH");
    KG_CHECK_STR(kg_err_name(KG_ERR_API), "KG_ERR_API");
    KG_CHECK_STR(kg_err_text(KG_OK), "success");
}

static void test_all_errors_negative_and_distinct(void)
{
    for (int i = 1; i < KG_ERR_COUNT_; i++) {
        kg_err_t e = (kg_err_t)-i;
        KG_CHECK(e < 0);
        KG_CHECK(strncmp(kg_err_name(e), "KG_ERR_", 7) == 0);
        KG_CHECK(strlen(kg_err_text(e)) > 0);
        for (int j = 1; j < i; j++)
            KG_CHECK(strcmp(kg_err_name(e), kg_err_name((kg_err_t)-j)) != 0);
    }
}

static void test_unknown_values(void)
{
    KG_CHECK_STR(kg_err_name((kg_err_t)1), "KG_ERR_UNKNOWN");
    KG_CHECK_STR(kg_err_name((kg_err_t)-KG_ERR_COUNT_), "KG_ERR_UNKNOWN");
    KG_CHECK_STR(kg_err_text((kg_err_t)-1000), "unknown error");
}

int main(void)
{
    KG_RUN(test_names_match_enum);
    KG_RUN(test_all_errors_negative_and_distinct);
    KG_RUN(test_unknown_values);
    return kg_test_summary();
}
