/*
 * The stub's trace lanes (see lanes.h; the lane protocol is in
 * include/mcdshm/wire.h, the ring code in shm/lane.h).
 *
 * Locking: a core's mutex guards its list of bound lanes and every
 * producer view (struct shm_lane) on it; the producer holds it for one
 * mcdshm_server_trace_put(), the binder for a bind, unbind or counter
 * reset.  A connection's struct stub_lanes itself (which lane is bound to
 * what) is used by one thread at a time, the one that executes that
 * connection's requests, or the one that closes it.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-side/core/core.h"
#include "qemu-side/stub/lanes.h"
#include "shm/lane.h"

struct stub_lane {
    struct shm_lane v;      /* producer view; under the core's mutex */
    struct stub_lanes *own; /* the connection */
    uint32_t index;         /* lane number in the region */
    uint32_t core;          /* target core index, when bound */
    uint32_t core_uid;      /* 0: free */
    uint32_t trace_id;
    struct stub_lane *next; /* the core's list */
};

struct stub_lanes {
    struct stub_trace *tt;
    struct mcdcore_session *sess;
    const struct shm_region *r;
    struct mcdstub_trace_hook hook;
    uint32_t n;
    struct stub_lane lane[];
};

struct stub_core_lanes {
    pthread_mutex_t lock;
    struct stub_lane *list; /* bound lanes; read unlocked only as a hint */
};

struct stub_trace {
    const struct mcdshm_target *t;
    struct mcdshm_server *srv;
    uint32_t ncores;
    struct stub_core_lanes core[];
};

int stub_trace_create(const struct mcdshm_target *t, struct mcdshm_server *srv,
                      struct stub_trace **out)
{
    struct stub_trace *tt;
    uint32_t i;

    tt = calloc(1, sizeof(*tt) + t->ncores * sizeof(tt->core[0]));
    if (!tt) {
        return -ENOMEM;
    }
    tt->t = t;
    tt->srv = srv;
    tt->ncores = t->ncores;
    for (i = 0; i < t->ncores; i++) {
        pthread_mutex_init(&tt->core[i].lock, NULL);
    }
    *out = tt;
    return 0;
}

void stub_trace_destroy(struct stub_trace *tt)
{
    uint32_t i;

    if (!tt) {
        return;
    }
    for (i = 0; i < tt->ncores; i++) {
        pthread_mutex_destroy(&tt->core[i].lock);
    }
    free(tt);
}

/* Is another lane than @self bound to (@core, @trace_id)?  Lock held. */
static bool others_stream(const struct stub_core_lanes *cl,
                          const struct stub_lane *self, uint32_t trace_id)
{
    const struct stub_lane *l;

    for (l = cl->list; l; l = l->next) {
        if (l != self && l->trace_id == trace_id) {
            return true;
        }
    }
    return false;
}

/* Take @l off its core's list, free it in the region, and tell the target
 * if nobody streams the trace any more. */
static void lane_unbind(struct stub_lane *l)
{
    struct stub_trace *tt = l->own->tt;
    struct stub_core_lanes *cl = &tt->core[l->core];
    struct mcdshm_status st = { 0 };
    struct stub_lane **pp;
    bool last;

    if (!l->core_uid) {
        return;
    }
    pthread_mutex_lock(&cl->lock);
    for (pp = &cl->list; *pp; pp = &(*pp)->next) {
        if (*pp == l) {
            WRITE_ONCE(*pp, l->next); /* stub_trace_put() peeks unlocked */
            break;
        }
    }
    last = !others_stream(cl, l, l->trace_id);
    pthread_mutex_unlock(&cl->lock);
    WRITE_ONCE(l->v.ctl->core_uid, 0);
    if (last) {
        tt->t->ops->trace_stream(tt->t->opaque, l->core, l->trace_id, NULL,
                                 &st);
    }
    l->core_uid = 0;
    l->trace_id = 0;
}

/* The lane of this connection bound to (@core_uid, @trace_id), or NULL. */
static struct stub_lane *lane_find(struct stub_lanes *ls, uint32_t core_uid,
                                   uint32_t trace_id)
{
    uint32_t i;

    for (i = 0; i < ls->n; i++) {
        if (ls->lane[i].core_uid == core_uid &&
            ls->lane[i].trace_id == trace_id) {
            return &ls->lane[i];
        }
    }
    return NULL;
}

/* Frame size of trace @trace_id of @core, 0 if not a fixed-size format. */
static uint32_t trace_frame_size(const struct mcdshm_target *t, uint32_t core,
                                 uint32_t trace_id)
{
    mcd_trace_info_st *info;
    uint32_t n, i, size = 0;

    n = t->ops->traces(t->opaque, core, NULL, 0);
    info = n ? calloc(n, sizeof(*info)) : NULL;
    if (!info) {
        return 0;
    }
    n = t->ops->traces(t->opaque, core, info, n);
    for (i = 0; i < n; i++) {
        if (info[i].trace_id == trace_id) {
            size = mcdcore_trace_frame_size(info[i].trace_format);
            break;
        }
    }
    free(info);
    return size <= MCDSHM_TRACE_FRAME_MAX ? size : 0;
}

/* Bind a free lane to the trace; NULL (read by request) if none is free,
 * the format has no fixed frame size or the target declines. */
static struct stub_lane *lane_bind(struct stub_lanes *ls, uint32_t core,
                                   uint32_t core_uid, uint32_t trace_id,
                                   uint32_t mode, uint32_t cap)
{
    struct stub_trace *tt = ls->tt;
    struct stub_core_lanes *cl = &tt->core[core];
    struct mcdshm_status st = { 0 };
    struct stub_lane *l = lane_find(ls, 0, 0);
    uint32_t size = trace_frame_size(tt->t, core, trace_id);
    struct mcdshm_trace_lane *ctl;
    bool first;

    if (!l || !size) {
        return NULL;
    }
    ctl = shm_region_lane(ls->r, l->index);
    pthread_mutex_lock(&cl->lock);
    shm_lane_init(&l->v, ctl, shm_region_lane_frames(ls->r, l->index), cap,
                  size, mode);
    shm_lane_reset(&l->v);
    WRITE_ONCE(ctl->capacity, cap);
    WRITE_ONCE(ctl->trace_id, trace_id);
    WRITE_ONCE(ctl->mode, mode);
    WRITE_ONCE(ctl->frame_size, size);
    WRITE_ONCE(ctl->core_uid, core_uid);
    l->core = core;
    l->core_uid = core_uid;
    l->trace_id = trace_id;
    first = !others_stream(cl, NULL, trace_id);
    l->next = cl->list;
    WRITE_ONCE(cl->list, l);
    pthread_mutex_unlock(&cl->lock);
    if (first &&
        tt->t->ops->trace_stream(tt->t->opaque, core, trace_id, tt->srv,
                                 &st) < 0) {
        lane_unbind(l);
        return NULL;
    }
    return l;
}

/* The lane capacity for a trace of @size frames (0: the target's
 * default): the largest power of two that fits it and the lane. */
static uint32_t lane_capacity(const struct stub_lanes *ls, uint64_t size)
{
    uint32_t cap = ls->r->lay.trace_frames;

    while (size && cap > 1 && cap > size) {
        cap >>= 1;
    }
    return cap;
}

/* What the lane holds, in the terms of mcd_trace_state_st. */
static void lane_overlay(struct stub_lanes *ls, struct stub_lane *l,
                         mcd_trace_state_st *st)
{
    struct mcdshm_trace_lane *ctl = l->v.ctl;
    uint64_t tail = READ_ONCE(ctl->tail), head = READ_ONCE(ctl->head);
    uint64_t lost = READ_ONCE(ctl->lost), n = tail - head;
    uint64_t size = l->v.nframes;

    if (l->v.mode == MCD_TRACE_MODE_FIFO) {
        lost = n > size ? n - size : 0; /* overwritten */
    }
    st->frames = n < size ? n : size; /* the client owns head: clamp */
    st->count = READ_ONCE(ctl->count);
    st->size = size;
    st->wraparound = lost != 0;
    snprintf(st->info_str, sizeof(st->info_str),
             "streamed through shared memory (lane %" PRIu32 " of %" PRIu32
             ", %" PRIu64 " frames, %s): %" PRIu64 " frames produced, "
             "%" PRIu64 " %s",
             l->index, ls->n, size,
             l->v.mode == MCD_TRACE_MODE_PIPE ? "PIPE" : "FIFO", st->count,
             lost, l->v.mode == MCD_TRACE_MODE_PIPE ? "lost" : "overwritten");
}

static void hook_set_state(void *ctx, uint32_t core_uid, uint32_t trace_id,
                           const mcd_trace_state_st *asked,
                           mcd_trace_state_st *st)
{
    struct stub_lanes *ls = ctx;
    struct stub_lane *l = lane_find(ls, core_uid, trace_id);
    uint32_t core = mcdcore_core_index(ls->sess, core_uid);
    bool stream = st->mode == MCD_TRACE_MODE_PIPE ||
                  st->mode == MCD_TRACE_MODE_FIFO;

    if (core >= ls->tt->ncores || !ls->tt->t->ops->trace_stream) {
        return;
    }
    uint32_t cap = lane_capacity(ls, st->size);

    if (l && (!stream || l->v.mode != st->mode || l->v.nframes != cap)) {
        lane_unbind(l); /* a new mode or size starts a new stream */
        l = NULL;
    }
    if (!stream) {
        return;
    }
    if (!l) {
        l = lane_bind(ls, core, core_uid, trace_id, st->mode, cap);
        if (!l) {
            return; /* read by request, from the target's buffer */
        }
    } else if (asked->state == MCD_TRACE_STATE_INIT) {
        pthread_mutex_lock(&ls->tt->core[core].lock);
        shm_lane_reset(&l->v);
        pthread_mutex_unlock(&ls->tt->core[core].lock);
    }
    if (st->size && st->size != cap) {
        st->modified = TRUE; /* rounded to what a lane holds */
    }
    lane_overlay(ls, l, st);
}

static void hook_qry_state(void *ctx, uint32_t core_uid, uint32_t trace_id,
                           mcd_trace_state_st *st)
{
    struct stub_lanes *ls = ctx;
    struct stub_lane *l = lane_find(ls, core_uid, trace_id);

    if (l) {
        lane_overlay(ls, l, st);
    }
}

static void hook_close_core(void *ctx, uint32_t core_uid)
{
    struct stub_lanes *ls = ctx;
    uint32_t i;

    for (i = 0; core_uid && i < ls->n; i++) {
        if (ls->lane[i].core_uid == core_uid) {
            lane_unbind(&ls->lane[i]);
        }
    }
}

int stub_lanes_open(struct stub_trace *tt, struct mcdcore_session *sess,
                    const struct shm_region *r, struct stub_lanes **out)
{
    struct stub_lanes *ls;
    uint32_t i, n = r->lay.trace_lanes;

    *out = NULL;
    if (!(r->lay.features & MCDSHM_FEAT_TRACE) || !n) {
        return 0;
    }
    ls = calloc(1, sizeof(*ls) + n * sizeof(ls->lane[0]));
    if (!ls) {
        return -ENOMEM;
    }
    ls->tt = tt;
    ls->sess = sess;
    ls->r = r;
    ls->n = n;
    ls->hook = (struct mcdstub_trace_hook){ .set_state = hook_set_state,
                                            .qry_state = hook_qry_state,
                                            .close_core = hook_close_core,
                                            .ctx = ls };
    for (i = 0; i < n; i++) {
        ls->lane[i].own = ls;
        ls->lane[i].index = i;
    }
    *out = ls;
    return 0;
}

void stub_lanes_close(struct stub_lanes *ls)
{
    uint32_t i;

    if (!ls) {
        return;
    }
    for (i = 0; i < ls->n; i++) {
        lane_unbind(&ls->lane[i]);
    }
    free(ls);
}

const struct mcdstub_trace_hook *stub_lanes_hook(const struct stub_lanes *ls)
{
    return ls ? &ls->hook : NULL;
}

int stub_trace_put(struct stub_trace *tt, uint32_t core, uint32_t trace_id,
                   const void *frames, uint32_t n)
{
    struct stub_core_lanes *cl;
    struct stub_lane *l;
    int taken = 0;

    if (!tt || core >= tt->ncores || !frames) {
        return 0;
    }
    cl = &tt->core[core];
    if (!READ_ONCE(cl->list)) {
        return 0; /* nobody streams this core: no lock on the hot path */
    }
    pthread_mutex_lock(&cl->lock);
    for (l = cl->list; l; l = l->next) {
        if (l->trace_id == trace_id) {
            shm_lane_put(&l->v, frames, n);
            taken++;
        }
    }
    pthread_mutex_unlock(&cl->lock);
    return taken;
}

uint32_t stub_trace_room(struct stub_trace *tt, uint32_t core,
                         uint32_t trace_id)
{
    struct stub_core_lanes *cl;
    struct stub_lane *l;
    uint32_t room = UINT32_MAX, r;

    if (!tt || core >= tt->ncores) {
        return room;
    }
    cl = &tt->core[core];
    pthread_mutex_lock(&cl->lock);
    for (l = cl->list; l; l = l->next) {
        if (l->trace_id == trace_id && l->v.mode == MCD_TRACE_MODE_PIPE) {
            r = shm_lane_room(&l->v);
            room = r < room ? r : room;
        }
    }
    pthread_mutex_unlock(&cl->lock);
    return room;
}
