/* attest_result: the verdict and claims of a verification that succeeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

struct attest_result {
    const struct attest_driver *driver;
    cJSON *claims;     /* {"<tee>": {...}, "report_data": "..", "init_data": ".."} */
    char *claims_json; /* compact text of claims */
    const char *tcb_status;
    attest_verdict verdict;
    char **names; /* dotted names of the leaf claims, listed on first use */
    size_t n_names;
    bool names_listed;
};

/* Collect the dotted names of every non-object value under node, in document order. */
static bool collect_names(attest_result *res, const cJSON *node, const char *prefix,
                          size_t *cap)
{
    for (const cJSON *c = node->child; c != NULL; c = c->next) {
        size_t n = strlen(prefix) + strlen(c->string) + 2;
        char *name = malloc(n);
        if (name == NULL)
            return false;
        snprintf(name, n, "%s%s%s", prefix, prefix[0] ? "." : "", c->string);
        if (cJSON_IsObject(c)) {
            bool ok = collect_names(res, c, name, cap);
            free(name);
            if (!ok)
                return false;
            continue;
        }
        if (res->n_names == *cap) {
            size_t ncap = *cap ? *cap * 2 : 16;
            char **grown = realloc(res->names, ncap * sizeof(*grown));
            if (grown == NULL) {
                free(name);
                return false;
            }
            res->names = grown;
            *cap = ncap;
        }
        res->names[res->n_names++] = name;
    }
    return true;
}

/*
 * The names are listed on first use: most callers read the claims JSON or a claim by
 * name, and listing them costs as much as the rest of a warm SNP verification's overhead.
 * The result is not shared between threads (attest_result is used like its ctx), so the
 * const getters may fill this cache.
 */
static bool list_names(attest_result *res)
{
    size_t cap = 0;
    if (res->names_listed)
        return true;
    if (!collect_names(res, res->claims, "", &cap)) {
        for (size_t i = 0; i < res->n_names; i++)
            free(res->names[i]);
        free(res->names);
        res->names = NULL;
        res->n_names = 0;
        return false;
    }
    res->names_listed = true;
    return true;
}

static bool add_hex(cJSON *obj, const char *name, const uint8_t *p, size_t len)
{
    char hex[2 * ATTEST_BINDING_MAX + 1];
    attest_hex__encode(p, len, hex);
    return cJSON_AddStringToObject(obj, name, hex) != NULL;
}

attest_status attest_result__new(attest_ctx *ctx, const struct attest_driver *drv,
                                 struct attest_verify_output *vo, attest_result **out)
{
    attest_result *res = calloc(1, sizeof(*res));
    cJSON *claims = cJSON_CreateObject();

    if (res == NULL || claims == NULL)
        goto nomem;
    res->claims = claims;
    if (!cJSON_AddItemToObject(claims, drv->name, vo->claims))
        goto nomem;
    vo->claims = NULL;
    if (vo->report_data_checked &&
        !add_hex(claims, "report_data", vo->report_data, vo->report_data_len))
        goto nomem;
    if (vo->init_data_checked && !add_hex(claims, "init_data", vo->init_data, vo->init_data_len))
        goto nomem;
    if ((res->claims_json = cJSON_PrintUnformatted(claims)) == NULL)
        goto nomem;
    res->driver = drv;
    res->tcb_status = vo->tcb_status;
    res->verdict = vo->verdict;
    *out = res;
    return ATTEST_OK;
nomem:
    if (res == NULL || res->claims == NULL)
        cJSON_Delete(claims);
    cJSON_Delete(vo->claims);
    vo->claims = NULL;
    attest_result_free(res);
    return attest_ctx__error(ctx, ATTEST_E_NOMEM, "verify: out of memory building claims");
}

void attest_result_free(attest_result *res)
{
    if (res == NULL)
        return;
    cJSON_Delete(res->claims);
    free(res->claims_json);
    for (size_t i = 0; i < res->n_names; i++)
        free(res->names[i]);
    free(res->names);
    free(res);
}

const char *attest_result_tee(const attest_result *res)
{
    return res == NULL ? NULL : res->driver->name;
}

const char *attest_result_claims_json(const attest_result *res)
{
    return res == NULL ? NULL : res->claims_json;
}

const char *attest_result_tcb_status(const attest_result *res)
{
    return res == NULL ? NULL : res->tcb_status;
}

attest_verdict attest_result_verdict(const attest_result *res)
{
    return res == NULL ? ATTEST_VERDICT_CONTRAINDICATED : res->verdict;
}

const char *attest_verdict_name(attest_verdict verdict)
{
    switch (verdict) {
    case ATTEST_VERDICT_AFFIRMING: return "affirming";
    case ATTEST_VERDICT_WARNING: return "warning";
    case ATTEST_VERDICT_CONTRAINDICATED: return "contraindicated";
    }
    return NULL;
}

int attest_result_hardware_backed(const attest_result *res)
{
    return res != NULL && res->driver->hardware_backed;
}

/*
 * Resolve a dotted claim name against nested objects. A member name may itself contain
 * dots, so at each level the longest member name that is the next part of the path wins.
 */
static const cJSON *lookup(const cJSON *node, const char *name)
{
    while (node != NULL && cJSON_IsObject(node)) {
        const cJSON *best = NULL;
        size_t best_len = 0;
        for (const cJSON *c = node->child; c != NULL; c = c->next) {
            size_t n = strlen(c->string);
            if (n > best_len && strncmp(name, c->string, n) == 0 &&
                (name[n] == '\0' || name[n] == '.')) {
                best = c;
                best_len = n;
            }
        }
        if (best == NULL)
            return NULL;
        if (name[best_len] == '\0')
            return best;
        node = best;
        name += best_len + 1;
    }
    return NULL;
}

attest_status attest_result_claim_json(const attest_result *res, const char *name, char **out)
{
    if (res == NULL || name == NULL || out == NULL)
        return ATTEST_E_ARG;
    const cJSON *c = lookup(res->claims, name);
    if (c == NULL)
        return ATTEST_E_NOT_FOUND;
    char *text = cJSON_PrintUnformatted(c);
    if (text == NULL)
        return ATTEST_E_NOMEM;
    *out = text;
    return ATTEST_OK;
}

attest_status attest_result_claim_string(const attest_result *res, const char *name,
                                         const char **out)
{
    if (res == NULL || name == NULL || out == NULL)
        return ATTEST_E_ARG;
    const cJSON *c = lookup(res->claims, name);
    if (!cJSON_IsString(c))
        return ATTEST_E_NOT_FOUND;
    *out = c->valuestring;
    return ATTEST_OK;
}

attest_status attest_result_claim_int(const attest_result *res, const char *name,
                                      int64_t *out)
{
    if (res == NULL || name == NULL || out == NULL)
        return ATTEST_E_ARG;
    const cJSON *c = lookup(res->claims, name);
    if (!cJSON_IsNumber(c))
        return ATTEST_E_NOT_FOUND;
    double v = c->valuedouble;
    /* Only values a double holds exactly as integers: |v| <= 2^53. */
    if (v > 9007199254740992.0 || v < -9007199254740992.0 || v != (double)(int64_t)v)
        return ATTEST_E_NOT_FOUND;
    *out = (int64_t)v;
    return ATTEST_OK;
}

attest_status attest_result_claim_bool(const attest_result *res, const char *name, int *out)
{
    if (res == NULL || name == NULL || out == NULL)
        return ATTEST_E_ARG;
    const cJSON *c = lookup(res->claims, name);
    if (!cJSON_IsBool(c))
        return ATTEST_E_NOT_FOUND;
    *out = cJSON_IsTrue(c) ? 1 : 0;
    return ATTEST_OK;
}

size_t attest_result_claim_count(const attest_result *res)
{
    return res == NULL || !list_names((attest_result *)res) ? 0 : res->n_names;
}

const char *attest_result_claim_name(const attest_result *res, size_t i)
{
    return res == NULL || !list_names((attest_result *)res) || i >= res->n_names
               ? NULL
               : res->names[i];
}
