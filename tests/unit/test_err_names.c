/* test_err_names.c - kg_err as an image built without meanings
 * (CONFIG_KGIOT_ERR_MEANINGS off) has it: kg_err_text() gives the name, and
 * no meaning is in the object. */
#include "kg_err.c" /* with tests/unit/err_names/kg_config.h */

#include "kg_test.h"

static void test_text_is_the_name(void)
{
    for (int i = 0; i < KG_ERR_COUNT_; i++)
        KG_CHECK_STR(kg_err_text((kg_err_t)-i), kg_err_name((kg_err_t)-i));
    KG_CHECK_STR(kg_err_text((kg_err_t)-1000), "KG_ERR_UNKNOWN");
}

/* The meanings are not in the image: this executable's own bytes do not
 * hold them (read from /proc/self/exe; the host tests run on Linux). */
static void test_no_meaning_in_the_image(void)
{
    static char image[1 << 22];
    FILE *f = fopen("/proc/self/exe", "rb");
    char meaning[64], name[32]; /* built at run time: as literals they would be found */
    size_t n;

    snprintf(meaning, sizeof meaning, "%s %s", "chain does not verify", "against the CA");
    snprintf(name, sizeof name, "%s_%s", "KG_ERR_TLS", "UNTRUSTED");
    KG_CHECK(f != NULL);
    if (f == NULL) return;
    n = fread(image, 1, sizeof image, f);
    fclose(f);
    KG_CHECK(n > 0 && n < sizeof image);
    KG_CHECK(memmem(image, n, meaning, strlen(meaning)) == NULL);
    KG_CHECK(memmem(image, n, name, strlen(name)) != NULL);
}

int main(void)
{
    KG_RUN(test_text_is_the_name);
    KG_RUN(test_no_meaning_in_the_image);
    return kg_test_summary();
}
