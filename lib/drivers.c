/* The one static driver table. Meson options leave drivers out (config.h). */
#include <string.h>

#include "attest_config.h"
#include "driver.h"

#if ATTEST_WITH_SNP
extern const struct attest_driver attest_driver_snp;
#endif
#if ATTEST_WITH_TDX
extern const struct attest_driver attest_driver_tdx;
#endif
#if ATTEST_WITH_SGX
extern const struct attest_driver attest_driver_sgx;
#endif
#if ATTEST_WITH_SAMPLE
extern const struct attest_driver attest_driver_sample;
#endif

/* Detection ties go to the earlier entry: hardware TEEs first, sample last. */
static const struct attest_driver *const drivers[] = {
#if ATTEST_WITH_SNP
    &attest_driver_snp,
#endif
#if ATTEST_WITH_TDX
    &attest_driver_tdx,
#endif
#if ATTEST_WITH_SGX
    &attest_driver_sgx,
#endif
#if ATTEST_WITH_SAMPLE
    &attest_driver_sample,
#endif
    NULL,
};

size_t attest_drivers__count(void)
{
    return sizeof(drivers) / sizeof(drivers[0]) - 1;
}

const struct attest_driver *attest_drivers__get(size_t i)
{
    return i < attest_drivers__count() ? drivers[i] : NULL;
}

const struct attest_driver *attest_drivers__find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < attest_drivers__count(); i++) {
        const struct attest_driver *d = drivers[i];
        if (strcmp(d->name, name) == 0)
            return d;
        for (const char *const *a = d->aliases; a != NULL && *a != NULL; a++)
            if (strcmp(*a, name) == 0)
                return d;
    }
    return NULL;
}

size_t attest_tee_count(void)
{
    return attest_drivers__count();
}

const char *attest_tee_name(size_t i)
{
    const struct attest_driver *d = attest_drivers__get(i);
    return d == NULL ? NULL : d->name;
}
