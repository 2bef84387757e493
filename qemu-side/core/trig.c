/*
 * The trigger table of each core: ids, the triggers as created, their
 * captured state, and the trigger-set functions.
 *
 * The table is per core and shared by every session that has the core
 * open: each lists, reads and may remove every trigger (the API's set is
 * the core's).  A trigger is owned by the session that created it, and
 * goes when that session closes the core or ends; a trigger the target
 * refuses to remove then stays, orphaned, for others to see and remove.
 *
 * Ids are 1, 2, 3, ... per core, never reused while in use and not reused
 * soon after (the counter runs on), so a stale id rarely hits a new
 * trigger.  Simple (64-byte) triggers are widened to the complex form the
 * target takes; the table remembers the form and qry_trig answers in it.
 * Only IP, READ, WRITE, RW and NOCYCLE core triggers exist here; trigger
 * bus, counter and custom triggers are refused with MCD_ERR_TRIG_CREATE.
 * Triggers are active from creation, so activate_trig_set has nothing to
 * do.  captured is learnt from the trig_id the target's state operation
 * reports when a trigger stopped the core (exec.c polls it).
 *
 * Threads: any session's thread; the table is under c->lock, and the
 * target's trig_insert/trig_remove run unlocked on PENDING/REMOVING
 * entries (core_pvt.h).
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "core_pvt.h"

_Static_assert(sizeof(mcd_trig_simple_core_st) ==
                   offsetof(mcd_trig_complex_core_st, data_start),
               "a simple trigger is the head of a complex one");
_Static_assert(offsetof(mcd_trig_simple_core_st, addr_range) ==
                   offsetof(mcd_trig_complex_core_st, addr_range),
               "simple and complex triggers share their head");

static const struct mcdcore__list trig_set = { "triggers", "num_trigs",
                                               "trig_ids", sizeof(uint32_t) };
static const struct mcdcore__list trig_ctrigs = { "custom triggers",
                                                  "num_ctrigs", "ctrig_info",
                                                  sizeof(mcd_ctrig_info_st) };

static struct mcdcore__trig *trig_find_locked(struct mcdcore__core *k,
                                              uint32_t id)
{
    uint32_t i;

    for (i = 0; id && i < MCD_MAX_TRIGS; i++) {
        if (k->trigs[i].state == MCDCORE__TRIG_LIVE && k->trigs[i].id == id) {
            return &k->trigs[i];
        }
    }
    return NULL;
}

static bool trig_id_used_locked(const struct mcdcore__core *k, uint32_t id)
{
    uint32_t i;

    for (i = 0; i < MCD_MAX_TRIGS; i++) {
        if (k->trigs[i].state != MCDCORE__TRIG_FREE && k->trigs[i].id == id) {
            return true;
        }
    }
    return false;
}

/* A free entry with a fresh id, marked PENDING; NULL if the table is full. */
static struct mcdcore__trig *trig_reserve_locked(struct mcdcore__core *k,
                                                 struct mcdcore_session *s)
{
    struct mcdcore__trig *t = NULL;
    uint32_t i, id;

    for (i = 0; i < MCD_MAX_TRIGS && !t; i++) {
        t = k->trigs[i].state == MCDCORE__TRIG_FREE ? &k->trigs[i] : NULL;
    }
    if (!t) {
        return NULL;
    }
    do { /* at most MCD_MAX_TRIGS ids are in use: this ends */
        id = k->next_trig_id++;
        if (!k->next_trig_id) {
            k->next_trig_id = 1;
        }
    } while (trig_id_used_locked(k, id));
    memset(t, 0, sizeof(*t));
    t->state = MCDCORE__TRIG_PENDING;
    t->id = id;
    t->owner = s;
    return t;
}

void mcdcore__trig_captured_locked(struct mcdcore *c, uint32_t core,
                                   uint32_t id)
{
    struct mcdcore__trig *t = trig_find_locked(&c->cores[core], id);

    if (t) {
        t->captured = true;
    }
}

/* The caller's trigger at @trig, in complex form; *size is its own size. */
static mcd_return_et trig_widen(struct mcdcore__call *cl, const void *trig,
                                uint32_t *size, mcd_trig_complex_core_st *cx)
{
    const char *kind = NULL;

    memcpy(size, trig, sizeof(*size));
    memset(cx, 0, sizeof(*cx));
    if (*size == sizeof(mcd_trig_simple_core_st) ||
        *size == sizeof(mcd_trig_complex_core_st)) {
        memcpy(cx, trig, *size);
    } else if (*size == sizeof(mcd_trig_trig_bus_st)) {
        kind = "trigger bus triggers";
    } else if (*size == sizeof(mcd_trig_counter_st)) {
        /* Counters and custom triggers have the same size: ask type. */
        memcpy(&cx->type, (const uint8_t *)trig + 4, sizeof(cx->type));
        kind = cx->type == MCD_TRIG_TYPE_CUSTOM ? "custom triggers"
                                                : "trigger counters";
    } else {
        return mcdcore__error(cl, MCD_ERR_TRIG_CREATE,
                              "struct_size %" PRIu32 " is not that of a "
                              "supported trigger (64: simple, 112: complex "
                              "core trigger)",
                              *size);
    }
    if (kind) {
        return mcdcore__error(cl, MCD_ERR_TRIG_CREATE,
                              "%s (struct_size %" PRIu32 ") are not "
                              "supported by %s",
                              kind, *size, cl->c->t->system);
    }
    switch (cx->type) {
    case MCD_TRIG_TYPE_IP:
    case MCD_TRIG_TYPE_READ:
    case MCD_TRIG_TYPE_WRITE:
    case MCD_TRIG_TYPE_RW:
    case MCD_TRIG_TYPE_NOCYCLE:
        break;
    default:
        return mcdcore__error(cl, MCD_ERR_TRIG_CREATE,
                              "trigger type 0x%" PRIx32 " is not a core "
                              "trigger type (IP, READ, WRITE, RW, NOCYCLE)",
                              cx->type);
    }
    cx->struct_size = sizeof(*cx);
    cx->modified = FALSE;
    return MCD_RET_ACT_NONE;
}

/* Write @cx to @out in the caller's form of @size bytes. */
static void trig_export(const mcd_trig_complex_core_st *cx, uint32_t size,
                        void *out)
{
    mcd_trig_complex_core_st tmp = *cx;

    tmp.struct_size = size;
    memcpy(out, &tmp, size);
}

mcd_return_et mcdcore_qry_trig_info(struct mcdcore_session *s,
                                    uint32_t core_uid,
                                    mcd_trig_info_st *trig_info)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!trig_info) {
        return mcdcore__null(&cl, "trig_info");
    }
    memset(trig_info, 0, sizeof(*trig_info));
    cl.c->ops->trig_info(cl.c->t->opaque, cl.core, trig_info);
    if (!trig_info->trig_number || trig_info->trig_number > MCD_MAX_TRIGS) {
        trig_info->trig_number = MCD_MAX_TRIGS; /* the table's limit */
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_qry_ctrigs(struct mcdcore_session *s, uint32_t core_uid,
                                 uint32_t start_index, uint32_t *num_ctrigs,
                                 mcd_ctrig_info_st *ctrig_info)
{
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t n;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret == MCD_RET_ACT_NONE) {
        ret = mcdcore__page(&cl, &trig_ctrigs, 0, start_index, num_ctrigs,
                            ctrig_info, &n);
    }
    return ret != MCD_RET_ACT_NONE ? ret : mcdcore__ok(&cl);
}

/* Commit (or on @failed release) a PENDING entry after trig_insert. */
static void trig_commit(struct mcdcore__call *cl, struct mcdcore__trig *t,
                        bool failed, const mcd_trig_complex_core_st *cx,
                        uint32_t size)
{
    pthread_mutex_lock(&cl->c->lock);
    if (failed) {
        t->state = MCDCORE__TRIG_FREE;
    } else {
        t->trig = *cx;
        t->struct_size = size;
        t->state = MCDCORE__TRIG_LIVE;
        mcdcore__post_events_locked(cl->c, cl->core, cl->s,
                                    MCD_CORE_EVENT_TRIGGER_CHANGE);
    }
    pthread_mutex_unlock(&cl->c->lock);
}

mcd_return_et mcdcore_create_trig(struct mcdcore_session *s, uint32_t core_uid,
                                  void *trig, uint32_t *trig_id)
{
    struct mcdshm_status st = { 0 };
    mcd_trig_complex_core_st cx;
    struct mcdcore__trig *t;
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t size, id = 0;
    int rc;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!trig || !trig_id) {
        return mcdcore__null(&cl, trig ? "trig_id" : "trig");
    }
    ret = trig_widen(&cl, trig, &size, &cx);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    pthread_mutex_lock(&cl.c->lock);
    t = trig_reserve_locked(&cl.c->cores[cl.core], s);
    id = t ? t->id : 0;
    pthread_mutex_unlock(&cl.c->lock);
    if (!t) {
        return mcdcore__error(&cl, MCD_ERR_TRIG_CREATE,
                              "core %s already has the maximum of %d "
                              "triggers",
                              mcdcore__core_name(cl.c, cl.core), MCD_MAX_TRIGS);
    }
    rc = cl.c->ops->trig_insert(cl.c->t->opaque, cl.core, id, &cx, &st);
    cx.struct_size = sizeof(cx);
    trig_commit(&cl, t, rc != 0, &cx, size);
    if (rc) {
        return mcdcore__target_error(&cl, &st);
    }
    if (cx.modified) {
        trig_export(&cx, size, trig); /* the approximation the target made */
    } else {
        ((mcd_trig_simple_core_st *)trig)->modified = FALSE;
    }
    *trig_id = id;
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_qry_trig(struct mcdcore_session *s, uint32_t core_uid,
                               uint32_t trig_id, uint32_t max_trig_size,
                               void *trig)
{
    mcd_trig_complex_core_st cx;
    struct mcdcore__trig *t;
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t size = 0;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!trig) {
        return mcdcore__null(&cl, "trig");
    }
    pthread_mutex_lock(&cl.c->lock);
    t = trig_find_locked(&cl.c->cores[cl.core], trig_id);
    if (t) {
        cx = t->trig;
        size = t->struct_size;
    }
    pthread_mutex_unlock(&cl.c->lock);
    if (!size) {
        return mcdcore__error(&cl, MCD_ERR_TRIG_ACCESS,
                              "trigger %" PRIu32 " does not exist on core %s",
                              trig_id, mcdcore__core_name(cl.c, cl.core));
    }
    if (max_trig_size < size) {
        return mcdcore__error(
            &cl, MCD_ERR_RESULT_TOO_LONG,
            "trigger %" PRIu32 " is a %s core trigger of "
            "%" PRIu32 " bytes; max_trig_size %" PRIu32 " is too small",
            trig_id, size == sizeof(cx) ? "complex" : "simple", size,
            max_trig_size);
    }
    trig_export(&cx, size, trig);
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_remove_trig(struct mcdcore_session *s, uint32_t core_uid,
                                  uint32_t trig_id)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__trig *t;
    struct mcdcore__call cl;
    mcd_return_et ret;
    int rc;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    pthread_mutex_lock(&cl.c->lock);
    t = trig_find_locked(&cl.c->cores[cl.core], trig_id);
    if (t) {
        t->state = MCDCORE__TRIG_REMOVING;
    }
    pthread_mutex_unlock(&cl.c->lock);
    if (!t) {
        return mcdcore__error(&cl, MCD_ERR_TRIG_ACCESS,
                              "trigger %" PRIu32 " does not exist on core %s",
                              trig_id, mcdcore__core_name(cl.c, cl.core));
    }
    rc = cl.c->ops->trig_remove(cl.c->t->opaque, cl.core, trig_id, &st);
    pthread_mutex_lock(&cl.c->lock);
    t->state = rc ? MCDCORE__TRIG_LIVE : MCDCORE__TRIG_FREE;
    if (!rc) {
        mcdcore__post_events_locked(cl.c, cl.core, s,
                                    MCD_CORE_EVENT_TRIGGER_CHANGE);
    }
    pthread_mutex_unlock(&cl.c->lock);
    return rc ? mcdcore__target_error(&cl, &st) : mcdcore__ok(&cl);
}

mcd_return_et mcdcore_qry_trig_state(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t trig_id,
                                     mcd_trig_state_st *trig_state)
{
    struct mcdcore__trig *t;
    struct mcdcore__call cl;
    mcd_return_et ret;
    bool captured = false;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!trig_state) {
        return mcdcore__null(&cl, "trig_state");
    }
    pthread_mutex_lock(&cl.c->lock);
    t = trig_find_locked(&cl.c->cores[cl.core], trig_id);
    if (t) {
        /* The sample qry_trig_set_state took, as the API asks. */
        captured = t->sampled ? t->sample_captured : t->captured;
    }
    pthread_mutex_unlock(&cl.c->lock);
    if (!t) {
        return mcdcore__error(&cl, MCD_ERR_TRIG_ACCESS,
                              "trigger %" PRIu32 " does not exist on core %s",
                              trig_id, mcdcore__core_name(cl.c, cl.core));
    }
    memset(trig_state, 0, sizeof(*trig_state));
    trig_state->active = TRUE;
    trig_state->captured = captured;
    trig_state->captured_valid = TRUE;
    trig_state->count_valid = FALSE;
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_activate_trig_set(struct mcdcore_session *s,
                                        uint32_t core_uid)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    return ret != MCD_RET_ACT_NONE ? ret : mcdcore__ok(&cl);
}

int mcdcore__trig_drop(struct mcdcore *c, uint32_t core,
                       struct mcdcore_session *owner, bool orphan,
                       struct mcdshm_status *st)
{
    struct mcdcore__core *k = &c->cores[core];
    struct mcdcore__trig *todo[MCD_MAX_TRIGS];
    bool failed[MCD_MAX_TRIGS];
    struct mcdshm_status tmp;
    uint32_t i, n = 0;
    int ret = 0;

    pthread_mutex_lock(&c->lock);
    for (i = 0; i < MCD_MAX_TRIGS; i++) {
        struct mcdcore__trig *t = &k->trigs[i];

        if (t->state == MCDCORE__TRIG_LIVE && (!owner || t->owner == owner)) {
            t->state = MCDCORE__TRIG_REMOVING;
            todo[n++] = t;
        }
    }
    pthread_mutex_unlock(&c->lock);
    for (i = 0; i < n; i++) {
        memset(&tmp, 0, sizeof(tmp));
        failed[i] =
            c->ops->trig_remove(c->t->opaque, core, todo[i]->id, &tmp) != 0;
        if (failed[i] && !ret) {
            ret = -1;
            if (st) {
                *st = tmp;
            }
        }
    }
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < n; i++) {
        todo[i]->state = failed[i] ? MCDCORE__TRIG_LIVE : MCDCORE__TRIG_FREE;
        if (failed[i] && orphan) {
            todo[i]->owner = NULL;
        }
    }
    if (n) {
        mcdcore__post_events_locked(c, core, owner,
                                    MCD_CORE_EVENT_TRIGGER_CHANGE);
    }
    pthread_mutex_unlock(&c->lock);
    return ret;
}

mcd_return_et mcdcore_remove_trig_set(struct mcdcore_session *s,
                                      uint32_t core_uid)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (mcdcore__trig_drop(cl.c, cl.core, NULL, false, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    return mcdcore__ok(&cl);
}

/* The live ids of @k in ascending order; returns how many. */
static uint32_t trig_sorted_ids_locked(const struct mcdcore__core *k,
                                       uint32_t ids[MCD_MAX_TRIGS])
{
    uint32_t i, j, n = 0, id;

    for (i = 0; i < MCD_MAX_TRIGS; i++) {
        if (k->trigs[i].state != MCDCORE__TRIG_LIVE) {
            continue;
        }
        id = k->trigs[i].id;
        for (j = n++; j > 0 && ids[j - 1] > id; j--) {
            ids[j] = ids[j - 1];
        }
        ids[j] = id;
    }
    return n;
}

mcd_return_et mcdcore_qry_trig_set(struct mcdcore_session *s, uint32_t core_uid,
                                   uint32_t start_index, uint32_t *num_trigs,
                                   uint32_t *trig_ids)
{
    uint32_t ids[MCD_MAX_TRIGS];
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t total, n;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    pthread_mutex_lock(&cl.c->lock);
    total = trig_sorted_ids_locked(&cl.c->cores[cl.core], ids);
    pthread_mutex_unlock(&cl.c->lock);
    ret = mcdcore__page(&cl, &trig_set, total, start_index, num_trigs, trig_ids,
                        &n);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (n) {
        memcpy(trig_ids, ids + start_index, n * sizeof(*ids));
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_qry_trig_set_state(struct mcdcore_session *s,
                                         uint32_t core_uid,
                                         mcd_trig_set_state_st *trig_state)
{
    struct mcdshm_status st = { 0 };
    mcd_core_state_st cs;
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t i;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!trig_state) {
        return mcdcore__null(&cl, "trig_state");
    }
    /* Learn of hits the debuggers have not polled yet, then sample. */
    if (mcdcore__poll_state(&cl, &cs, &st, NULL)) {
        return mcdcore__target_error(&cl, &st);
    }
    pthread_mutex_lock(&cl.c->lock);
    for (i = 0; i < MCD_MAX_TRIGS; i++) {
        struct mcdcore__trig *t = &cl.c->cores[cl.core].trigs[i];

        t->sampled = true;
        t->sample_captured = t->captured;
    }
    pthread_mutex_unlock(&cl.c->lock);
    memset(trig_state, 0, sizeof(*trig_state));
    trig_state->active = TRUE; /* triggers are armed from creation */
    return mcdcore__ok(&cl);
}
