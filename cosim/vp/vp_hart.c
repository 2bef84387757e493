/*
 * vp_hart - the hart threads of mcdshm-vp and the run-control primitives
 * the target operations build on.
 *
 * Each hart has one host thread ("vp-hart<N>").  While the hart is halted
 * or idle in wfi the thread sleeps on hart->wake.  While it runs, the
 * thread plans a slice under vp->lock (how many steps, which trigger
 * snapshot, tracing or not), executes it without the lock, and then, under
 * the lock again, publishes pc and minstret, decides whether the hart
 * halts (trigger, ebreak, trap, step count, time reached, debugger
 * request) and wakes whoever waits for that.  Operations talk to a running
 * hart only through flags under vp->lock plus hart->stop, which makes
 * rv64_run() return within RV64_STOP_INTERVAL steps; see vp_priv.h.
 *
 * The first instruction after every start is executed with rv64_step():
 * it never checks breakpoints (so a hart halted at a breakpoint resumes
 * past it) and, when the hart halted at a watchpoint, runs without the
 * watch hook (so the vetoed access now happens).  When tracing is on or a
 * breakpoint range is too large to expand, instructions are stepped one
 * at a time; otherwise rv64_run() runs at full speed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_setname_np */
#endif

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cosim/vp/vp_priv.h"
#include "shm/barrier.h"

#define PS_PER_S 1000000000000ull

uint64_t vp__ps(const struct vp *vp, uint64_t instret)
{
    unsigned __int128 ps = (unsigned __int128)instret * PS_PER_S / vp->cfg.hz;

    return ps > UINT64_MAX ? UINT64_MAX : (uint64_t)ps;
}

uint64_t vp__instret_at(const struct vp *vp, uint64_t ps)
{
    /* round up: the first instruction count whose time is >= ps */
    unsigned __int128 n =
        ((unsigned __int128)ps * vp->cfg.hz + PS_PER_S - 1) / PS_PER_S;

    return n > UINT64_MAX ? UINT64_MAX : (uint64_t)n;
}

/* Make pc and minstret visible to operations; the caller owns cpu. */
static void vp__publish(struct vp_hart *h)
{
    h->pub_pc = h->cpu.pc;
    h->pub_instret = h->cpu.instret;
}

/*
 * Halt the hart (vp->lock held, hart thread not in a slice): DEBUG state,
 * stop reason, STOPPED event, every pending request answered.
 */
static void __attribute__((format(printf, 3, 4)))
vp__halt(struct vp_hart *h, uint32_t trig_id, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(h->stop_str, sizeof(h->stop_str), fmt, ap);
    va_end(ap);
    h->running = false;
    h->idle = false;
    h->halt_req = false;
    h->kick = false;
    h->trig_id = trig_id;
    h->events |= MCD_CORE_EVENT_STOPPED;
    h->halt_seq++;
    vp__publish(h);
    WRITE_ONCE(h->stop, 0);
    pthread_cond_broadcast(&h->vp->cond);
}

void vp__hart_start(struct vp_hart *h, enum vp_mode mode, uint64_t arg)
{
    h->mode = mode;
    h->budget = mode == VP_MODE_STEP ? arg : 0;
    h->until = mode == VP_MODE_UNTIL ? arg : 0;
    h->first = true;
    h->running = true;
    h->idle = false;
    h->trig_id = 0;
    h->stop_str[0] = '\0';
    pthread_cond_signal(&h->wake);
}

void vp__hart_request_halt(struct vp_hart *h, const char *why)
{
    if (!h->running) {
        return;
    }
    h->halt_req = true;
    snprintf(h->req_str, sizeof(h->req_str), "%s", why);
    WRITE_ONCE(h->stop, 1);
    pthread_cond_signal(&h->wake);
}

void vp__hart_wait_seq(struct vp_hart *h, uint64_t seq)
{
    while (h->halt_seq == seq) {
        pthread_cond_wait(&h->vp->cond, &h->vp->lock);
    }
}

void vp__hart_stop_sync(struct vp_hart *h, const char *why)
{
    uint64_t seq = h->halt_seq;

    if (h->running) {
        vp__hart_request_halt(h, why);
        vp__hart_wait_seq(h, seq);
    }
}

void vp__hart_kick_sync(struct vp_hart *h)
{
    uint64_t seq = h->slice_seq;

    if (!h->in_slice) {
        return;
    }
    h->kick = true;
    WRITE_ONCE(h->stop, 1);
    while (h->in_slice && h->slice_seq == seq) {
        pthread_cond_wait(&h->vp->cond, &h->vp->lock);
    }
}

void vp__hart_reset(struct vp_hart *h)
{
    rv64_hart_reset(&h->cpu, h->id, h->vp->reset_pc);
    h->skip_watch = false;
    vp__publish(h);
}

/* ---- executing a slice (hart thread, no lock) ---- */

/* Whether execution goes on after a step that returned r. */
static bool vp__goes_on(const struct vp_hart *h, const struct vp_slice *s,
                        enum rv64_step_result r)
{
    switch (r) {
    case RV64_OK:
        return true;
    case RV64_WFI:
        /* no interrupt can end it: idle when free-running, else a nop */
        return s->mode != VP_MODE_RUN;
    case RV64_TRAP:
        return h->cpu.mcause == VP_ECALL_M;
    default:
        return false;
    }
}

static enum rv64_step_result vp__one_step(struct vp_hart *h,
                                          const struct rv64_bus *bus,
                                          bool trace, uint32_t marker)
{
    struct rv64_retire ret;
    uint64_t instret = h->cpu.instret;
    enum rv64_step_result r;

    if (!trace) {
        return rv64_step(&h->cpu, bus, NULL);
    }
    r = rv64_step(&h->cpu, bus, &ret);
    if (r != RV64_EBREAK && r != RV64_WATCH) {
        vp__trace_record(h, &ret, instret, marker);
    }
    return r;
}

/* The first instruction after a start; false if the slice ends here. */
static bool vp__exec_first(struct vp_hart *h, const struct vp_slice *s,
                           struct vp_outcome *o)
{
    struct rv64_bus bus = h->bus;
    enum rv64_step_result r;

    if (s->skip_watch) {
        bus.watch = NULL;
    }
    r = vp__one_step(h, &bus, s->trace, MCD_TRACE_MARKER_RUN);
    if (r != RV64_EBREAK && r != RV64_WATCH) {
        o->steps++;
    }
    if (!vp__goes_on(h, s, r)) {
        o->why = r;
        return false;
    }
    return true;
}

/* Full speed: rv64_run() checks breakpoints and the stop flag. */
static void vp__exec_fast(struct vp_hart *h, const struct vp_slice *s,
                          struct vp_outcome *o)
{
    const struct rv64_bkpts *bp = s->ts->bp.n ? &s->ts->bp : NULL;
    enum rv64_step_result r;

    while (o->steps < s->n) {
        o->steps +=
            rv64_run(&h->cpu, &h->bus, s->n - o->steps, bp, &h->stop, &r);
        if (r == RV64_OK) {
            break;
        }
        if (!vp__goes_on(h, s, r)) {
            o->why = r;
            return;
        }
    }
}

/* One instruction at a time: tracing, or breakpoint ranges. */
static void vp__exec_stepped(struct vp_hart *h, const struct vp_slice *s,
                             struct vp_outcome *o)
{
    enum rv64_step_result r;
    uint64_t i;

    for (i = 0; o->steps < s->n; i++) {
        if (i % RV64_STOP_INTERVAL == 0 && READ_ONCE(h->stop)) {
            o->why = RV64_STOPPED;
            return;
        }
        if (vp__ip_match(s->ts, h->cpu.pc)) {
            o->why = RV64_BREAKPOINT;
            return;
        }
        r = vp__one_step(h, &h->bus, s->trace, 0);
        if (r == RV64_EBREAK || r == RV64_WATCH) {
            o->why = r;
            return;
        }
        o->steps++;
        if (!vp__goes_on(h, s, r)) {
            o->why = r;
            return;
        }
    }
}

static void vp__exec_slice(struct vp_hart *h, const struct vp_slice *s,
                           struct vp_outcome *o)
{
    o->why = RV64_OK;
    o->steps = 0;
    if (s->first && !vp__exec_first(h, s, o)) {
        return;
    }
    if (s->trace || s->ts->slow) {
        vp__exec_stepped(h, s, o);
    } else {
        vp__exec_fast(h, s, o);
    }
}

/* ---- planning and finishing a slice (vp->lock held) ---- */

static const char *vp__cause_name(uint64_t cause)
{
    switch (cause) {
    case RV64_EXC_INSN_MISALIGNED:
        return "instruction address misaligned";
    case RV64_EXC_INSN_FAULT:
        return "instruction access fault";
    case RV64_EXC_ILLEGAL:
        return "illegal instruction";
    case RV64_EXC_BREAKPOINT:
        return "breakpoint exception";
    case RV64_EXC_LOAD_FAULT:
        return "load access fault";
    case RV64_EXC_STORE_FAULT:
        return "store access fault";
    default:
        return "exception";
    }
}

/* Halt because of trigger t; DBG_GLOBAL also stops the global harts. */
static void vp__halt_trig(struct vp_hart *h, const struct vp_trig *t,
                          const char *what)
{
    struct vp *vp = h->vp;
    char why[MCD_INFO_STR_LEN];
    uint32_t i;

    vp__halt(h, t->id, "%s", what);
    if (t->action != MCD_TRIG_ACTION_DBG_GLOBAL) {
        return;
    }
    snprintf(why, sizeof(why), "stopped by trigger %" PRIu32 " of hart%" PRIu32,
             t->id, h->id);
    for (i = 0; i < vp->nharts; i++) {
        if (vp->harts[i].global) {
            vp__hart_request_halt(&vp->harts[i], why);
        }
    }
}

/* Halt for a reason the slice ran into; false if it did not halt. */
static bool vp__halt_on(struct vp_hart *h, const struct vp_slice *s,
                        const struct vp_outcome *o)
{
    const struct vp_trig *t;
    char what[MCD_INFO_STR_LEN];

    switch (o->why) {
    case RV64_BREAKPOINT:
        t = vp__ip_match(s->ts, h->cpu.pc);
        snprintf(what, sizeof(what), "breakpoint %" PRIu32 " at 0x%" PRIx64,
                 t ? t->id : 0, h->cpu.pc);
        if (t) {
            vp__halt_trig(h, t, what);
        } else {
            vp__halt(h, 0, "%s", what);
        }
        return true;
    case RV64_WATCH:
        snprintf(what, sizeof(what),
                 "watchpoint %" PRIu32 ": %s of %u "
                 "bytes at 0x%" PRIx64,
                 h->hit.trig->id, h->hit.is_write ? "write" : "read",
                 h->hit.size, h->hit.addr);
        vp__halt_trig(h, h->hit.trig, what);
        h->skip_watch = true;
        return true;
    case RV64_EBREAK:
        vp__halt(h, 0, "ebreak at 0x%" PRIx64, h->cpu.pc);
        return true;
    case RV64_TRAP:
        vp__halt(h, 0,
                 "trap: %s at 0x%" PRIx64 " (mcause %" PRIu64
                 ", mtval 0x%" PRIx64 ")",
                 vp__cause_name(h->cpu.mcause), h->cpu.mepc, h->cpu.mcause,
                 h->cpu.mtval);
        return true;
    default:
        return false;
    }
}

/* Halt a hart whose step count or run-until time is reached. */
static bool vp__halt_if_done(struct vp_hart *h)
{
    if (h->mode == VP_MODE_STEP && h->budget == 0) {
        vp__halt(h, 0, "step");
        return true;
    }
    if (h->mode == VP_MODE_UNTIL && h->cpu.instret >= h->until) {
        vp__halt(h, 0, "run until %" PRIu64 " ps reached",
                 vp__ps(h->vp, h->until));
        return true;
    }
    return false;
}

static uint64_t vp__slice_len(const struct vp_hart *h)
{
    uint64_t n = VP_SLICE;

    if (h->mode == VP_MODE_STEP && h->budget < n) {
        n = h->budget;
    } else if (h->mode == VP_MODE_UNTIL && h->until - h->cpu.instret < n) {
        n = h->until - h->cpu.instret;
    }
    return n;
}

/* Fix what the next slice does; false if the hart halted instead. */
static bool vp__plan(struct vp_hart *h, struct vp_slice *s)
{
    if (vp__halt_if_done(h)) {
        return false;
    }
    s->mode = h->mode;
    s->n = vp__slice_len(h);
    s->first = h->first;
    s->skip_watch = h->skip_watch;
    s->trace = h->trace_on;
    s->ts = h->ts;
    h->slice_ts = h->ts;
    vp__bus_init(h, &h->bus);
    h->bus.watch = h->ts->nwatch ? vp__watch_hook : NULL;
    return true;
}

static void vp__finish_slice(struct vp_hart *h, const struct vp_slice *s,
                             const struct vp_outcome *o)
{
    h->slice_seq++;
    h->kick = false;
    h->first = false;
    if (s->first) {
        h->skip_watch = false;
    }
    vp__publish(h);
    if (h->mode == VP_MODE_STEP) {
        h->budget -= o->steps < h->budget ? o->steps : h->budget;
    }
    if (!vp__halt_on(h, s, o) && !vp__halt_if_done(h)) {
        if (o->why == RV64_WFI) {
            h->idle = true;
        }
        if (h->halt_req) {
            vp__halt(h, 0, "%s", h->req_str);
        }
    }
    /* every request is answered: halted, or re-planned after a kick */
    WRITE_ONCE(h->stop, 0);
    pthread_cond_broadcast(&h->vp->cond);
}

static void *vp__hart_main(void *arg)
{
    struct vp_hart *h = arg;
    struct vp *vp = h->vp;
    struct vp_outcome o;
    struct vp_slice s;
    char name[16];

    snprintf(name, sizeof(name), "vp-hart%" PRIu32, h->id);
    pthread_setname_np(pthread_self(), name);
    pthread_mutex_lock(&vp->lock);
    while (!vp->quit) {
        if (h->running && h->halt_req) {
            vp__halt(h, 0, "%s", h->req_str);
        } else if (!h->running || h->idle) {
            pthread_cond_wait(&h->wake, &vp->lock);
        } else if (vp__plan(h, &s)) {
            h->in_slice = true;
            pthread_mutex_unlock(&vp->lock);
            vp__exec_slice(h, &s, &o);
            vp__trace_flush(h);
            pthread_mutex_lock(&vp->lock);
            h->in_slice = false;
            vp__finish_slice(h, &s, &o);
        }
    }
    pthread_mutex_unlock(&vp->lock);
    return NULL;
}

int vp__hart_thread_start(struct vp_hart *h)
{
    int rc = pthread_create(&h->thread, NULL, vp__hart_main, h);

    if (rc != 0) {
        return -rc;
    }
    h->thread_ok = true;
    return 0;
}
