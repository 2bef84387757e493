/*
 * vp_trace - the instruction trace of mcdshm-vp: one trace per hart (id 1,
 * "hart<N> instructions", CORE / CORE_EXECUTE), one frame per executed
 * instruction (mcd_trace_data_core_st: time in ps, pc in memory space 1,
 * the instruction word, source = hart).
 *
 * The hart thread records frames into a private batch while it steps
 * (tracing on means stepping: rv64_run() has no retire output, and with
 * tracing off the hart runs at full speed and this module costs nothing)
 * and flushes the batch into the trace buffer at least once per slice, so
 * a halted hart has every frame in the buffer: a struct mcdshm_tracebuf
 * of `size` frames (include/mcdshm/server.h has its FIFO and PIPE
 * semantics; nothing is dropped without being counted, and the state's
 * info_str gives the exact number lost).  While a debugger streams the
 * trace (trace_stream), a flush hands the batch to the server's trace
 * lanes instead (mcdshm_server_trace_put), which count and mark the same
 * way per debugger; the buffer only takes what no lane took.  The first
 * frame after a hart starts carries MCD_TRACE_MARKER_RUN; a frame whose
 * instruction trapped carries MCD_TRACE_MARKER_ERROR.
 *
 * Owns the buffer (struct vp_trace), under trace.lock; trace_on, which
 * the hart thread reads when it plans a slice, is under vp->lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim/vp/vp_priv.h"

int vp__trace_init(struct vp_hart *h)
{
    struct vp_trace *tr = &h->trace;
    int rc;

    tr->state = MCD_TRACE_STATE_OFF;
    mcdshm_tracebuf_set(&tr->b, MCD_TRACE_MODE_FIFO, VP_TRACE_DEFAULT);
    h->batch = calloc(VP_BATCH, sizeof(*h->batch));
    if (!h->batch) {
        return -ENOMEM;
    }
    rc = pthread_mutex_init(&tr->lock, NULL);
    if (rc != 0) {
        free(h->batch);
        h->batch = NULL;
        return -rc;
    }
    return 0;
}

void vp__trace_fini(struct vp_hart *h)
{
    if (!h->batch) {
        return; /* never initialised */
    }
    pthread_mutex_destroy(&h->trace.lock);
    mcdshm_tracebuf_free(&h->trace.b);
    free(h->batch);
}

/* ---- recording (hart thread) ---- */

void vp__trace_record(struct vp_hart *h, const struct rv64_retire *ret,
                      uint64_t instret, uint32_t marker)
{
    mcd_trace_data_core_st *f = &h->batch[h->nbatch++];

    memset(f, 0, sizeof(*f));
    f->timestamp = vp__ps(h->vp, instret);
    f->marker = marker | (ret->trap ? MCD_TRACE_MARKER_ERROR : 0);
    f->cycle = MCD_TRACE_CYCLE_EXECUTE;
    f->addr.address = ret->pc;
    f->addr.mem_space_id = VP_SPACE_PHYS;
    f->data = ret->insn;
    f->data_width = 4;
    f->source = (uint16_t)h->id;
    if (h->nbatch == VP_BATCH) {
        vp__trace_flush(h);
    }
}

void vp__trace_flush(struct vp_hart *h)
{
    struct vp_trace *tr = &h->trace;
    uint32_t i;

    if (h->nbatch == 0) {
        return;
    }
    pthread_mutex_lock(&tr->lock);
    if (!tr->stream || mcdshm_server_trace_put(tr->stream, h->id, VP_TRACE_ID,
                                               h->batch, h->nbatch) == 0) {
        for (i = 0; i < h->nbatch; i++) {
            mcdshm_tracebuf_put(&tr->b, &h->batch[i]);
        }
    }
    pthread_mutex_unlock(&tr->lock);
    h->nbatch = 0;
}

/* ---- the trace operations (server thread) ---- */

static int vp__trace_check(struct vp *vp, uint32_t core, uint32_t trace_id,
                           struct mcdshm_status *st)
{
    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    if (trace_id != VP_TRACE_ID) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "no trace with trace_id %" PRIu32 " on hart%" PRIu32
                           " (its trace is %u)",
                           trace_id, core, VP_TRACE_ID);
    }
    return 0;
}

uint32_t vp__traces(void *opaque, uint32_t core, mcd_trace_info_st *out,
                    uint32_t max)
{
    struct vp *vp = opaque;

    if (core >= vp->nharts) {
        return 0;
    }
    if (max >= 1) {
        memset(out, 0, sizeof(*out));
        out->trace_id = VP_TRACE_ID;
        snprintf(out->trace_name, sizeof(out->trace_name),
                 "hart%" PRIu32 " instructions", core);
        out->trace_type = MCD_TRACE_TYPE_CORE;
        out->trace_format = MCD_TRACE_FORMAT_CORE_EXECUTE;
        out->trace_modes = MCD_TRACE_MODE_FIFO | MCD_TRACE_MODE_PIPE;
    }
    return 1;
}

/* The state as the operations report it (trace.lock held). */
static void vp__trace_fill(const struct vp_trace *tr, uint32_t core,
                           mcd_trace_state_st *state)
{
    mcdshm_tracebuf_fill(&tr->b, state);
    state->state = tr->state;
    state->timestamp_accuracy = 100;
    state->timestamp_is_time = TRUE;
    snprintf(state->info_str, sizeof(state->info_str),
             "hart%" PRIu32 " instructions: %" PRIu64
             " frames buffered, %" PRIu64 " produced, %" PRIu64 " lost",
             core, tr->b.frames, tr->b.count, tr->b.lost);
}

int vp__trace_state(void *opaque, uint32_t core, uint32_t trace_id,
                    mcd_trace_state_st *state, struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    struct vp_trace *tr;

    if (vp__trace_check(vp, core, trace_id, st) < 0) {
        return -1;
    }
    tr = &vp->harts[core].trace;
    pthread_mutex_lock(&tr->lock);
    vp__trace_fill(tr, core, state);
    pthread_mutex_unlock(&tr->lock);
    return 0;
}

/* The settings a request asks for, approximated; -1 if unusable. */
struct vp_trace_req {
    uint32_t state, mode;
    uint64_t size;
    bool on, clear, modified;
};

static int vp__trace_req(const struct vp_trace *tr,
                         const mcd_trace_state_st *in, struct vp_trace_req *r,
                         struct mcdshm_status *st)
{
    memset(r, 0, sizeof(*r));
    r->state = in->state == MCD_TRACE_STATE_NOCHANGE ? tr->state : in->state;
    r->mode = in->mode == MCD_TRACE_MODE_NOCHANGE ? tr->b.mode : in->mode;
    r->size = in->size == 0 ? tr->b.size : in->size;
    if (r->state == MCD_TRACE_STATE_INIT ||
        r->state == MCD_TRACE_STATE_DISABLE) {
        /* DISABLE: resources are never withdrawn, report OFF */
        r->modified = r->state == MCD_TRACE_STATE_DISABLE;
        r->clear = r->state == MCD_TRACE_STATE_INIT;
        r->state = MCD_TRACE_STATE_OFF;
    } else if (r->state < MCD_TRACE_STATE_OFF ||
               r->state > MCD_TRACE_STATE_STOP) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "trace state 0x%" PRIx32
                           " is not supported (OFF, ARM, TRIGGER, STOP, "
                           "INIT)",
                           in->state);
    }
    if (r->mode != MCD_TRACE_MODE_FIFO && r->mode != MCD_TRACE_MODE_PIPE) {
        r->mode = tr->b.mode;
        r->modified = true;
    }
    if (r->size > VP_TRACE_MAX) {
        r->size = VP_TRACE_MAX;
        r->modified = true;
    }
    r->modified = r->modified || in->autoarm || in->trigger_delay != 0 ||
                  in->options != 0;
    r->on =
        r->state == MCD_TRACE_STATE_ARM || r->state == MCD_TRACE_STATE_TRIGGER;
    return 0;
}

/* Apply r to the buffer (trace.lock held): 0 or -ENOMEM. */
static int vp__trace_apply(struct vp_trace *tr, const struct vp_trace_req *r)
{
    if (r->mode != tr->b.mode || r->size != tr->b.size) {
        /* a new geometry starts empty: the old frames cannot be mapped */
        mcdshm_tracebuf_set(&tr->b, r->mode, r->size);
    }
    if (r->on && mcdshm_tracebuf_alloc(&tr->b) < 0) {
        return -ENOMEM;
    }
    if (r->clear) {
        mcdshm_tracebuf_clear(&tr->b);
    }
    tr->state = r->state;
    return 0;
}

int vp__set_trace_state(void *opaque, uint32_t core, uint32_t trace_id,
                        mcd_trace_state_st *state, struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    struct vp_trace_req r;
    struct vp_hart *h;
    int rc = 0;

    if (vp__trace_check(vp, core, trace_id, st) < 0) {
        return -1;
    }
    h = &vp->harts[core];
    pthread_mutex_lock(&vp->lock);
    if (vp__trace_req(&h->trace, state, &r, st) < 0) {
        rc = -1;
        goto out;
    }
    /*
     * A running hart first flushes what it recorded under the old settings
     * and goes on untraced; then it re-plans with the new ones, so tracing
     * starts or stops while this call runs.
     */
    h->trace_on = false;
    vp__hart_kick_sync(h);
    pthread_mutex_lock(&h->trace.lock);
    if (vp__trace_apply(&h->trace, &r) < 0) {
        rc = mcdshm_fail(st, MCD_ERR_GENERAL,
                         "no memory for a trace buffer "
                         "of %" PRIu64 " frames",
                         r.size);
    }
    h->trace_on = rc == 0 && r.on;
    vp__trace_fill(&h->trace, core, state);
    state->modified = r.modified;
    pthread_mutex_unlock(&h->trace.lock);
    if (h->trace_on) {
        vp__hart_kick_sync(h);
    }
out:
    pthread_mutex_unlock(&vp->lock);
    return rc;
}

int vp__trace_stream(void *opaque, uint32_t core, uint32_t trace_id,
                     struct mcdshm_server *srv, struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    struct vp_trace *tr;

    if (vp__trace_check(vp, core, trace_id, st) < 0) {
        return -1;
    }
    tr = &vp->harts[core].trace;
    pthread_mutex_lock(&tr->lock);
    tr->stream = srv;
    pthread_mutex_unlock(&tr->lock);
    return 0;
}

int vp__read_trace(void *opaque, uint32_t core, uint32_t trace_id,
                   uint64_t start, uint32_t *num, uint32_t frame_size,
                   void *frames, struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    struct vp_trace *tr;
    int rc;

    if (vp__trace_check(vp, core, trace_id, st) < 0) {
        return -1;
    }
    tr = &vp->harts[core].trace;
    pthread_mutex_lock(&tr->lock);
    rc = mcdshm_tracebuf_read(&tr->b, start, num, frame_size, frames, st);
    pthread_mutex_unlock(&tr->lock);
    return rc;
}
