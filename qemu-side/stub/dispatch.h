/*
 * The server stub's record codec: decodes one request record of the wire
 * contract (include/mcdshm/wire.h), validates every field, calls the server
 * core (qemu-side/core/core.h) and encodes the response record.
 *
 * The caller (the stub's I/O thread, or the simulator's thread at a safe
 * point) owns the rings: it copies the request record out of shared memory,
 * checks its sequence number, calls mcdstub_dispatch() and publishes the
 * response.  The dispatcher keeps no state of its own; it runs on whichever
 * thread uses the session, one call at a time per session.  The encoding
 * conventions it adds to wire.h are listed at the top of dispatch.c.
 */
#ifndef MCDSHM_STUB_DISPATCH_H
#define MCDSHM_STUB_DISPATCH_H

#include <stdint.h>

#include "mcd/mcd_api.h"
#include "mcdshm/wire.h"

struct mcdcore_session;

/*
 * What a transport adds to the trace functions, called after the core has
 * answered MCD_RET_ACT_NONE and before the response is written (the stub's
 * trace lanes, qemu-side/stub/lanes.c).
 */
struct mcdstub_trace_hook {
    /* mcd_set_trace_state_f: @asked as the debugger sent it, @st as the
     * core answered; may bind or unbind a lane and adjust @st. */
    void (*set_state)(void *ctx, uint32_t core_uid, uint32_t trace_id,
                      const mcd_trace_state_st *asked,
                      mcd_trace_state_st *st);
    /* mcd_qry_trace_state_f: may overlay a lane's counters on @st. */
    void (*qry_state)(void *ctx, uint32_t core_uid, uint32_t trace_id,
                      mcd_trace_state_st *st);
    /* mcd_close_core_f is about to close @core_uid. */
    void (*close_core)(void *ctx, uint32_t core_uid);
    void *ctx;
};

/**
 * mcdstub_dispatch() - execute one request record.
 * @s: the connection's server-core session
 * @req: a private copy of the request record (the caller copied it out of
 *       shared memory and checked hdr.seq)
 * @payload: the slot's payload area in shared memory; hostile: the client
 *           may change it at any time, so what is validated is copied first
 * @payload_size: size of @payload (the region's payload_size)
 * @resp: the response record to fill, in shared memory; written once, with
 *        one memcpy of a privately built record, never read back
 *
 * Every malformed field is answered with MCD_RET_ACT_HANDLE_ERROR and an
 * error block naming the function, the field and its value (mostly
 * MCD_ERR_PARAM); the connection stays usable.  A request the core answered
 * with anything but MCD_RET_ACT_NONE carries the core's last error for the
 * call's core (or the core-less one) in resp->error.
 *
 * Return: 0 when @resp is filled; -EPROTO if the record cannot be answered
 * at all and the connection must be dropped.  With this contract every
 * record can be answered, so -EPROTO means the caller passed impossible
 * arguments (NULL pointers, a payload size outside the contract's limits).
 */
int mcdstub_dispatch(struct mcdcore_session *s, const struct mcdshm_req *req,
                     uint8_t *payload, uint32_t payload_size,
                     struct mcdshm_resp *resp);

/* mcdstub_dispatch() with the transport's trace hook (NULL: none). */
int mcdstub_dispatch_hooked(struct mcdcore_session *s,
                            const struct mcdstub_trace_hook *hook,
                            const struct mcdshm_req *req, uint8_t *payload,
                            uint32_t payload_size, struct mcdshm_resp *resp);

#endif /* MCDSHM_STUB_DISPATCH_H */
