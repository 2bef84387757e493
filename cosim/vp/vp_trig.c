/*
 * vp_trig - breakpoints and watchpoints of mcdshm-vp.
 *
 * Each hart keeps the list of triggers inserted on it (at most
 * VP_MAX_TRIGS) under vp->lock, and an immutable snapshot, struct
 * vp_trigset, that its thread executes with: the exact pcs of every IP
 * trigger sorted for rv64_run() (ranges expanded to their 4-byte aligned
 * pcs while they add up to VP_MAX_BP_PCS; beyond that the hart steps and
 * compares each pc with the ranges), and the triggers themselves for the
 * watch hook.  A change builds a new snapshot, swaps it in under
 * vp->lock, makes a running hart re-plan its slice (vp__hart_kick_sync)
 * and frees the old snapshot once no slice uses it.  With no watchpoint
 * the bus has no watch hook at all, so unwatched harts pay nothing.
 *
 * The platform implements: types IP, READ, WRITE, RW over
 * [addr_start, addr_start + addr_range] in memory space 1 or 2 (or 0,
 * taken as 1); actions DBG_DEBUG, DBG_GLOBAL (halt the harts that take
 * part in global run control as well) and DEFAULT (treated as DBG_DEBUG).
 * Anything else is approximated as the MCD API asks: option bits are
 * cleared, other actions become DBG_DEBUG, and `modified` is set.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cosim/vp/vp_priv.h"

#define VP_TRIG_TYPES                                              \
    (MCD_TRIG_TYPE_IP | MCD_TRIG_TYPE_READ | MCD_TRIG_TYPE_WRITE | \
     MCD_TRIG_TYPE_RW)

/* Aligned pcs of an IP trigger for rv64_run() (a single address as is). */
static uint64_t vp__trig_npcs(const struct vp_trig *t)
{
    uint64_t first;

    if (t->lo == t->hi) {
        return 1;
    }
    first = (t->lo + 3) & ~3ull;
    if (first < t->lo || first > t->hi) {
        return 0;
    }
    return (t->hi - first) / 4 + 1;
}

static uint64_t *vp__trig_pcs(const struct vp_trig *t, uint64_t *p)
{
    uint64_t pc, n = vp__trig_npcs(t), i;

    pc = t->lo == t->hi ? t->lo : (t->lo + 3) & ~3ull;
    for (i = 0; i < n; i++) {
        *p++ = pc + 4 * i;
    }
    return p;
}

static int vp__cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* A snapshot of n triggers; NULL if out of memory. */
static struct vp_trigset *vp__trigset_build(const struct vp_trig *t, uint32_t n)
{
    struct vp_trigset *ts;
    uint64_t npcs = 0, k, *p;
    uint32_t i, nwatch = 0;

    for (i = 0; i < n; i++) {
        if (t[i].type == MCD_TRIG_TYPE_IP) {
            /* saturate: a few huge ranges must not wrap the sum */
            k = vp__trig_npcs(&t[i]);
            npcs += k <= VP_MAX_BP_PCS ? k : VP_MAX_BP_PCS + 1;
        } else {
            nwatch++;
        }
    }
    ts = calloc(1, sizeof(*ts) + (npcs <= VP_MAX_BP_PCS ? npcs : 0) * 8);
    if (!ts) {
        return NULL;
    }
    ts->n = n;
    ts->nwatch = nwatch;
    if (n > 0) {
        memcpy(ts->t, t, n * sizeof(*t));
    }
    ts->slow = npcs > VP_MAX_BP_PCS;
    if (ts->slow) {
        return ts;
    }
    for (p = ts->pcs, i = 0; i < n; i++) {
        if (t[i].type == MCD_TRIG_TYPE_IP) {
            p = vp__trig_pcs(&t[i], p);
        }
    }
    qsort(ts->pcs, npcs, sizeof(uint64_t), vp__cmp_u64);
    ts->bp.pc = ts->pcs;
    ts->bp.n = npcs;
    return ts;
}

int vp__trigset_init(struct vp_hart *h)
{
    h->ts = vp__trigset_build(NULL, 0);
    return h->ts ? 0 : -ENOMEM;
}

/* Install the trigger list t (vp->lock held): 0 or -ENOMEM. */
static int vp__trig_commit(struct vp_hart *h, const struct vp_trig *t,
                           uint32_t n)
{
    struct vp_trigset *ts = vp__trigset_build(t, n), *old = h->ts;

    if (!ts) {
        return -ENOMEM;
    }
    memmove(h->trigs, t, n * sizeof(*t));
    h->ntrigs = n;
    h->ts = ts;
    /* after this, no slice runs with old any more */
    vp__hart_kick_sync(h);
    free(old);
    return 0;
}

const struct vp_trig *vp__ip_match(const struct vp_trigset *ts, uint64_t pc)
{
    uint32_t i;

    for (i = 0; i < ts->n; i++) {
        if (ts->t[i].type == MCD_TRIG_TYPE_IP && pc >= ts->t[i].lo &&
            pc <= ts->t[i].hi) {
            return &ts->t[i];
        }
    }
    return NULL;
}

int vp__watch_hook(void *opaque, uint64_t addr, unsigned size, int is_write)
{
    struct vp_hart *h = opaque;
    const struct vp_trigset *ts = h->slice_ts;
    const struct vp_trig *t;
    uint64_t last = addr + size - 1 < addr ? UINT64_MAX : addr + size - 1;
    uint32_t i;

    for (i = 0; i < ts->n; i++) {
        t = &ts->t[i];
        if (t->type == MCD_TRIG_TYPE_IP ||
            (t->type == MCD_TRIG_TYPE_READ && is_write) ||
            (t->type == MCD_TRIG_TYPE_WRITE && !is_write)) {
            continue;
        }
        if (addr <= t->hi && last >= t->lo) {
            h->hit = (struct vp_hit){ t, addr, size, is_write };
            return 1;
        }
    }
    return 0;
}

void vp__trig_info(void *opaque, uint32_t core, mcd_trig_info_st *out)
{
    (void)opaque;
    (void)core;
    memset(out, 0, sizeof(*out));
    out->type = VP_TRIG_TYPES;
    out->option = MCD_TRIG_OPT_DEFAULT;
    out->action = MCD_TRIG_ACTION_DBG_DEBUG | MCD_TRIG_ACTION_DBG_GLOBAL;
    out->trig_number = VP_MAX_TRIGS;
    out->sw_breakpoints = FALSE;
}

/* Check a trigger and approximate it; 0 and *t, or -1 with st filled. */
static int vp__trig_parse(mcd_trig_complex_core_st *trig, uint32_t id,
                          struct vp_trig *t, struct mcdshm_status *st)
{
    uint32_t space = trig->addr_start.mem_space_id;
    uint64_t lo = trig->addr_start.address;

    if (trig->type == 0 || (trig->type & ~VP_TRIG_TYPES) != 0 ||
        (trig->type & (trig->type - 1)) != 0) {
        return mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                           "trigger type 0x%" PRIx32
                           " is not supported (IP 0x1, READ 0x2, WRITE 0x4 "
                           "or RW 0x8)",
                           trig->type);
    }
    if (space != 0 && space != VP_SPACE_PHYS && space != VP_SPACE_LOGICAL) {
        return mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                           "trigger mem_space_id %" PRIu32
                           " is not a memory space (1 phys, 2 "
                           "logical)",
                           space);
    }
    if (trig->option != MCD_TRIG_OPT_DEFAULT) {
        trig->option = MCD_TRIG_OPT_DEFAULT;
        trig->modified = TRUE;
    }
    if (trig->action != MCD_TRIG_ACTION_DEFAULT &&
        trig->action != MCD_TRIG_ACTION_DBG_DEBUG &&
        trig->action != MCD_TRIG_ACTION_DBG_GLOBAL) {
        trig->action = MCD_TRIG_ACTION_DBG_DEBUG;
        trig->modified = TRUE;
    }
    if (trig->addr_range > UINT64_MAX - lo) {
        trig->addr_range = UINT64_MAX - lo;
        trig->modified = TRUE;
    }
    t->id = id;
    t->type = trig->type;
    t->action = trig->action == MCD_TRIG_ACTION_DBG_GLOBAL
                    ? MCD_TRIG_ACTION_DBG_GLOBAL
                    : MCD_TRIG_ACTION_DBG_DEBUG;
    t->lo = lo;
    t->hi = lo + trig->addr_range;
    return 0;
}

static int vp__trig_find(const struct vp_hart *h, uint32_t id)
{
    uint32_t i;

    for (i = 0; i < h->ntrigs; i++) {
        if (h->trigs[i].id == id) {
            return (int)i;
        }
    }
    return -1;
}

int vp__trig_insert(void *opaque, uint32_t core, uint32_t trig_id,
                    mcd_trig_complex_core_st *trig, struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    struct vp_trig t, list[VP_MAX_TRIGS];
    struct vp_hart *h;
    int rc;

    if (vp__check_core(vp, core, st) < 0 ||
        vp__trig_parse(trig, trig_id, &t, st) < 0) {
        return -1;
    }
    h = &vp->harts[core];
    pthread_mutex_lock(&vp->lock);
    if (vp__trig_find(h, trig_id) >= 0) {
        rc = mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                         "trig_id %" PRIu32 " already exists on hart%" PRIu32,
                         trig_id, core);
    } else if (h->ntrigs == VP_MAX_TRIGS) {
        rc = mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                         "hart%" PRIu32 " already "
                         "has %u triggers (trig_number)",
                         core, VP_MAX_TRIGS);
    } else {
        memcpy(list, h->trigs, h->ntrigs * sizeof(t));
        list[h->ntrigs] = t;
        rc = vp__trig_commit(h, list, h->ntrigs + 1);
        if (rc < 0) {
            rc = mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                             "out of memory for "
                             "the breakpoints of hart%" PRIu32,
                             core);
        }
    }
    pthread_mutex_unlock(&vp->lock);
    return rc;
}

int vp__trig_remove(void *opaque, uint32_t core, uint32_t trig_id,
                    struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    struct vp_trig list[VP_MAX_TRIGS];
    struct vp_hart *h;
    int i, rc;

    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    h = &vp->harts[core];
    pthread_mutex_lock(&vp->lock);
    i = vp__trig_find(h, trig_id);
    if (i < 0) {
        rc = mcdshm_fail(st, MCD_ERR_TRIG_ACCESS,
                         "no trigger with trig_id %" PRIu32 " on hart%" PRIu32,
                         trig_id, core);
    } else {
        memcpy(list, h->trigs, h->ntrigs * sizeof(list[0]));
        memmove(&list[i], &list[i + 1],
                (h->ntrigs - (uint32_t)i - 1) * sizeof(list[0]));
        rc = vp__trig_commit(h, list, h->ntrigs - 1);
        if (rc < 0) {
            rc = mcdshm_fail(st, MCD_ERR_TRIG_ACCESS,
                             "out of memory while "
                             "removing trig_id %" PRIu32,
                             trig_id);
        }
    }
    pthread_mutex_unlock(&vp->lock);
    return rc;
}
