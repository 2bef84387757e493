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
#include <string.h>

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

/* Copy the string field @src (@size bytes) up to and with its NUL; the
 * bytes after it are not part of the record.  Returns the bytes copied. */
static inline size_t shm_copy_str_(uint8_t *dst, const uint8_t *src,
                                   size_t size)
{
    size_t n = strnlen((const char *)src, size);

    n += n < size; /* the NUL, unless the field is full (the receiver
                      terminates it) */
    memcpy(dst, src, n);
    return n;
}

/*
 * Copy response record @src of function @fn to @dst: only its extent, and
 * for mcd_qry_state_f (the call a debugger polls) the two 256-byte
 * strings only up to their NULs, which makes the record three cache lines
 * instead of nine.  Both sides copy with this one function, so they agree
 * on what the record holds; @dst's bytes outside what is copied are left
 * as they were (the caller zeroes a private record first).
 */
static inline void shm_copy_resp(struct mcdshm_resp *dst,
                                 const struct mcdshm_resp *src, uint32_t fn,
                                 uint32_t ret)
{
    const size_t head = sizeof(struct mcdshm_resp_hdr);

    if (fn == MCDSHM_FN_QRY_STATE && ret == 0) {
        const struct mcdshm_core_state *s = &src->u.qry_state.state;
        struct mcdshm_core_state *d = &dst->u.qry_state.state;

        memcpy(dst, src, head + offsetof(struct mcdshm_core_state, stop_str));
        shm_copy_str_(d->stop_str, s->stop_str, sizeof(s->stop_str));
        shm_copy_str_(d->info_str, s->info_str, sizeof(s->info_str));
        return;
    }
    memcpy(dst, src, shm_resp_len(fn, ret));
}

#endif /* MCDSHM_SHM_RECORDS_H */
