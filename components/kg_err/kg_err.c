/* kg_err.c - names and meanings of kg_err_t, generated from KG_ERR_LIST.
 * The meanings are only compiled in with CONFIG_KGIOT_ERR_MEANINGS: string
 * literals share one section per object, so the linker could not drop them
 * alone. */
#include "kg_err.h"

#include "kg_config.h"

#define KG_ERR_NAME_(name, text) #name,
static const char *const names[] = {KG_ERR_LIST(KG_ERR_NAME_)};
#ifdef CONFIG_KGIOT_ERR_MEANINGS
#define KG_ERR_TEXT_(name, text) text,
static const char *const texts[] = {KG_ERR_LIST(KG_ERR_TEXT_)};
#endif

static int index_of(kg_err_t err)
{
    int i = -(int)err;
    return (i >= 0 && i < KG_ERR_COUNT_) ? i : -1;
}

const char *kg_err_name(kg_err_t err)
{
    int i = index_of(err);
    return i < 0 ? "KG_ERR_UNKNOWN" : names[i];
}

#ifdef CONFIG_KGIOT_ERR_MEANINGS
const char *kg_err_text(kg_err_t err)
{
    int i = index_of(err);
    return i < 0 ? "unknown error" : texts[i];
}
#else
const char *kg_err_text(kg_err_t err)
{
    return kg_err_name(err);
}
#endif
