/*
 * The synthetic trace producer and its consumer-side check (synth.h).
 */
#include <sched.h>
#include <string.h>
#include <time.h>

#include "bench/synth.h"
#include "mcdshm/server.h"

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fill(mcd_trace_data_core_st *f, uint64_t k)
{
    f->timestamp = k;
    f->marker = MCD_TRACE_MARKER_NONE;
    f->cycle = MCD_TRACE_CYCLE_EXECUTE;
    f->addr.address = SYNTH_BASE + 4 * k;
    f->addr.mem_space_id = 1;
    f->data = k;
    f->data_width = 8;
}

uint64_t synth_produce(struct mcdshm_server *s, uint32_t core,
                       uint32_t trace_id, uint64_t first, uint64_t n,
                       uint64_t rate, bool lossless,
                       const volatile uint32_t *stop)
{
    mcd_trace_data_core_st batch[SYNTH_BATCH];
    uint64_t done = 0, t0 = mono_ns();
    uint32_t i, b;

    memset(batch, 0, sizeof(batch));
    while (done < n && !(stop && *stop)) {
        b = n - done < SYNTH_BATCH ? (uint32_t)(n - done) : SYNTH_BATCH;
        if (rate) {
            /* the frames so far may not be ahead of the rate: sleep
             * while well ahead (leaving the CPU to others, as a simulator
             * doing real work would), spin the last stretch */
            uint64_t due = t0 + (done * 1000000000ull) / rate, now;

            while ((now = mono_ns()) < due) {
                if (stop && *stop) {
                    return done;
                }
                if (due - now > 200000) {
                    struct timespec ts = { 0, (long)(due - now - 100000) };

                    nanosleep(&ts, NULL);
                }
            }
        }
        if (lossless) {
            while (mcdshm_server_trace_room(s, core, trace_id) < b) {
                if (stop && *stop) {
                    return done;
                }
                sched_yield();
            }
        }
        for (i = 0; i < b; i++) {
            fill(&batch[i], first + done + i);
        }
        mcdshm_server_trace_put(s, core, trace_id, batch, b);
        done += b;
    }
    return done;
}

bool synth_check(struct synth_check *c, const mcd_trace_data_core_st *f,
                 uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        bool gap = f[i].marker & MCD_TRACE_MARKER_GAP;

        if (f[i].data < c->next || f[i].addr.address != SYNTH_BASE +
                                                            4 * f[i].data ||
            gap != (f[i].data != c->next)) {
            c->bad++;
            return false;
        }
        if (gap) {
            c->gaps++;
            c->lost += f[i].data - c->next;
        }
        c->next = f[i].data + 1;
        c->frames++;
    }
    return true;
}
