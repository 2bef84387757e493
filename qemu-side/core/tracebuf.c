/*
 * A target's own trace buffer (struct mcdshm_tracebuf in
 * include/mcdshm/server.h): the FIFO and PIPE semantics of the MCD trace
 * functions over a ring of core frames.  No locking: the caller's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mcdshm/server.h"

void mcdshm_tracebuf_put(struct mcdshm_tracebuf *b,
                         const mcd_trace_data_core_st *f)
{
    mcd_trace_data_core_st *slot;

    if (!b->buf) {
        return;
    }
    b->count++;
    if (b->frames < b->size) {
        slot = &b->buf[(b->head + b->frames) % b->size];
        b->frames++;
    } else if (b->mode == MCD_TRACE_MODE_FIFO) {
        slot = &b->buf[b->head];
        b->head = (b->head + 1) % b->size;
        b->wrap = true;
    } else {
        b->lost++;
        b->wrap = true;
        b->gap = true;
        return;
    }
    *slot = *f;
    if (b->gap) {
        slot->marker |= MCD_TRACE_MARKER_GAP;
        b->gap = false;
    }
}

void mcdshm_tracebuf_clear(struct mcdshm_tracebuf *b)
{
    b->head = 0;
    b->frames = 0;
    b->count = 0;
    b->lost = 0;
    b->wrap = false;
    b->gap = false;
}

void mcdshm_tracebuf_set(struct mcdshm_tracebuf *b, uint32_t mode,
                         uint64_t size)
{
    mcdshm_tracebuf_free(b);
    mcdshm_tracebuf_clear(b);
    b->mode = mode;
    b->size = size;
}

int mcdshm_tracebuf_alloc(struct mcdshm_tracebuf *b)
{
    if (!b->buf) {
        b->buf = calloc(b->size, sizeof(*b->buf));
    }
    return b->buf ? 0 : -ENOMEM;
}

void mcdshm_tracebuf_free(struct mcdshm_tracebuf *b)
{
    free(b->buf);
    b->buf = NULL;
}

void mcdshm_tracebuf_fill(const struct mcdshm_tracebuf *b,
                          mcd_trace_state_st *state)
{
    memset(state, 0, sizeof(*state));
    state->mode = b->mode;
    state->wraparound = b->wrap;
    state->frames = b->frames;
    state->count = b->count;
    state->size = b->size;
}

int mcdshm_tracebuf_read(struct mcdshm_tracebuf *b, uint64_t start,
                         uint32_t *num, uint32_t frame_size, void *frames,
                         struct mcdshm_status *st)
{
    mcd_trace_data_core_st *out = frames;
    uint64_t avail, n, i;

    if (frame_size != sizeof(mcd_trace_data_core_st)) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "frame_size %" PRIu32 " is not %zu "
                           "(mcd_trace_data_core_st, format CORE_EXECUTE)",
                           frame_size, sizeof(mcd_trace_data_core_st));
    }
    if (*num != 0 && !frames) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "frames is NULL for %" PRIu32 " frames", *num);
    }
    if (start > b->frames) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "start %" PRIu64 " is beyond the %" PRIu64
                           " frames buffered",
                           start, b->frames);
    }
    avail = b->frames - start;
    n = *num == 0 || avail < *num ? avail : *num;
    n = n > UINT32_MAX ? UINT32_MAX : n;
    for (i = 0; *num != 0 && i < n; i++) {
        out[i] = b->buf[(b->head + start + i) % b->size];
    }
    if (*num != 0 && b->mode == MCD_TRACE_MODE_PIPE) {
        /* reading consumes: what was skipped before start goes too */
        b->head = (b->head + start + n) % b->size;
        b->frames -= start + n;
    }
    *num = (uint32_t)n;
    return 0;
}
