/* Status texts and version: fixed data, no state. */
#include "internal.h"

const char *attest_strerror(attest_status status)
{
    switch (status) {
    case ATTEST_OK: return "ok";
    case ATTEST_E_ARG: return "invalid argument";
    case ATTEST_E_NOMEM: return "out of memory";
    case ATTEST_E_PARSE: return "malformed input";
    case ATTEST_E_SIGNATURE: return "signature does not verify";
    case ATTEST_E_CHAIN: return "certificate chain does not reach a trusted root";
    case ATTEST_E_TCB: return "TCB mismatch or revoked TCB";
    case ATTEST_E_REVOKED: return "revoked";
    case ATTEST_E_BINDING: return "binding mismatch";
    case ATTEST_E_POLICY: return "policy denied";
    case ATTEST_E_EXPIRED: return "not valid at the verification time";
    case ATTEST_E_UNSUPPORTED: return "unsupported";
    case ATTEST_E_NOT_FOUND: return "not found";
    case ATTEST_E_IO: return "I/O error";
    case ATTEST_E_INTERNAL: return "internal error";
    }
    return "unknown status";
}

attest_status attest_status_band(attest_status status)
{
    if (status == ATTEST_OK)
        return ATTEST_OK;
    if ((int)status > 0)
        return ATTEST_E_ARG;
    return (attest_status)(((int)status / 100) * 100);
}

const char *attest_version(void)
{
    return ATTEST_VERSION_STRING;
}

unsigned attest_version_number(void)
{
    return ATTEST_VERSION_NUMBER;
}
