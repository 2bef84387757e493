/*
 * How much of a record a call uses (MCDSHM_RECORDS in include/mcdshm/wire.h):
 * both sides write and copy only these bytes, so a small call moves two or
 * three cache lines instead of a whole 1 KiB record each way.  Pure
 * functions of the contract; any thread.
 */
#ifndef MCDSHM_SHM_RECORDS_H
#define MCDSHM_SHM_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "mcdshm/wire.h"

#define SHM_REQ_BODY_(name, rq, rs) [MCDSHM_FN_##name] = (rq),
#define SHM_RESP_BODY_(name, rq, rs) [MCDSHM_FN_##name] = (rs),

static const uint16_t shm_req_body_[MCDSHM_FN_COUNT + 1] = {
    MCDSHM_RECORDS(SHM_REQ_BODY_)
};
static const uint16_t shm_resp_body_[MCDSHM_FN_COUNT + 1] = {
    MCDSHM_RECORDS(SHM_RESP_BODY_)
};

/* Bytes of a request record of function @fn: header and body (just the
 * header for an unknown id, which the receiver refuses). */
static inline uint32_t shm_req_len(uint32_t fn)
{
    return (uint32_t)sizeof(struct mcdshm_req_hdr) +
           (fn >= 1 && fn <= MCDSHM_FN_COUNT ? shm_req_body_[fn] : 0);
}

/* Bytes of a response record of function @fn with return code @ret:
 * header and body, and through the error block when @ret is not 0. */
static inline uint32_t shm_resp_len(uint32_t fn, uint32_t ret)
{
    if (ret != 0) {
        return (uint32_t)(offsetof(struct mcdshm_resp, error) +
                          sizeof(struct mcdshm_error_info));
    }
    return (uint32_t)sizeof(struct mcdshm_resp_hdr) +
           (fn >= 1 && fn <= MCDSHM_FN_COUNT ? shm_resp_body_[fn] : 0);
}

#endif /* MCDSHM_SHM_RECORDS_H */
