/*
 * The names of the MCD error codes, as mcd/mcd_api.h spells them, for
 * tools that print an error by name (the `mcdshm` CLI, the conformance
 * suite).  Header only: it needs nothing but the API header.
 */
#ifndef MCDSHM_ERRNAMES_H
#define MCDSHM_ERRNAMES_H

#include <stddef.h>

#include "mcd/mcd_api.h"

/**
 * mcdshm_err_name() - "MCD_ERR_TXLIST_READ" for MCD_ERR_TXLIST_READ
 * @code: an error code
 *
 * Return: the name, or NULL for a code the API does not name (a custom
 * one, or an undefined one).
 */
static inline const char *mcdshm_err_name(mcd_error_code_et code)
{
#define MCDSHM_ERR(x) \
    {                 \
        x, #x         \
    }
    static const struct {
        mcd_error_code_et code;
        const char *name;
    } names[] = {
        MCDSHM_ERR(MCD_ERR_NONE),
        MCDSHM_ERR(MCD_ERR_FN_UNIMPLEMENTED),
        MCDSHM_ERR(MCD_ERR_USAGE),
        MCDSHM_ERR(MCD_ERR_PARAM),
        MCDSHM_ERR(MCD_ERR_CONNECTION),
        MCDSHM_ERR(MCD_ERR_TIMED_OUT),
        MCDSHM_ERR(MCD_ERR_GENERAL),
        MCDSHM_ERR(MCD_ERR_RESULT_TOO_LONG),
        MCDSHM_ERR(MCD_ERR_COULD_NOT_START_SERVER),
        MCDSHM_ERR(MCD_ERR_SERVER_LOCKED),
        MCDSHM_ERR(MCD_ERR_NO_MEM_SPACES),
        MCDSHM_ERR(MCD_ERR_NO_MEM_BLOCKS),
        MCDSHM_ERR(MCD_ERR_MEM_SPACE_ID),
        MCDSHM_ERR(MCD_ERR_NO_REG_GROUPS),
        MCDSHM_ERR(MCD_ERR_REG_GROUP_ID),
        MCDSHM_ERR(MCD_ERR_REG_NOT_COMPOUND),
        MCDSHM_ERR(MCD_ERR_OVERLAYS),
        MCDSHM_ERR(MCD_ERR_DEVICE_ACCESS),
        MCDSHM_ERR(MCD_ERR_DEVICE_LOCKED),
        MCDSHM_ERR(MCD_ERR_TXLIST_READ),
        MCDSHM_ERR(MCD_ERR_TXLIST_WRITE),
        MCDSHM_ERR(MCD_ERR_TXLIST_TX),
        MCDSHM_ERR(MCD_ERR_CHL_TYPE_NOT_SUPPORTED),
        MCDSHM_ERR(MCD_ERR_CHL_TARGET_NOT_SUPPORTED),
        MCDSHM_ERR(MCD_ERR_CHL_SETUP),
        MCDSHM_ERR(MCD_ERR_CHL_MESSAGE_FAILED),
        MCDSHM_ERR(MCD_ERR_TRIG_CREATE),
        MCDSHM_ERR(MCD_ERR_TRIG_ACCESS),
    };
#undef MCDSHM_ERR
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].code == code) {
            return names[i].name;
        }
    }
    return NULL;
}

#endif /* MCDSHM_ERRNAMES_H */
