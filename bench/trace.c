/*
 * Trace lanes at full rate: the synthetic producer (synth.c) in the server
 * process, pinned to the server CPU, hands numbered 56-byte core frames to
 * mcdshm_server_trace_put(); this process reads them through libmcdshm's
 * mcd_read_trace_f() in PIPE mode and checks every one.  Three figures:
 *   trace-lane-frames    frames/s delivered when the producer waits for
 *                        room (nothing can be lost: the transport's rate);
 *   trace-lane-20M       frames/s delivered with the producer paced at
 *                        20 M frames/s and never waiting;
 *   trace-lane-20M-lost  the share of those frames lost (%);
 *   trace-lane-miscount  frames read + frames the lane reports lost -
 *                        frames produced: 0 when the accounting is exact.
 * Any frame out of order or a loss without GAP aborts the benchmark.  The
 * trace's size, and with it the lane's capacity, is LANE_FRAMES frames
 * (mcd_trace_state_st.size, within McdShmTraceFrames).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/synth.h"
#include "cosim/vp/platform.h"
#include "mcd/mcd_api.h"
#include "mcdshm/server.h"
#include "shm/conn.h"

#define LANE_TRACE 1        /* the vp's trace id */
#define LANE_BATCH 16384    /* frames per read */
#define LANE_RATE 20000000u /* the goal's rate, frames/s */
/* Frames per lane: 26 ms at 20 M frames/s (29 MB), so that a reader that
 * shares its CPU with another busy process and loses it for a whole
 * scheduler slice (12-16 ms seen on the shared 2-CPU VM) loses no frame;
 * the library's default, 65536 frames, holds 3.3 ms. */
#define LANE_FRAMES 524288u

/* Commands from the bench to the producer in the server process. */
struct synth_cmd {
    _Atomic uint32_t seq;  /* bumped by the bench for each command */
    _Atomic uint32_t done; /* the producer's answer: seq it finished */
    uint64_t frames, rate, first;
    uint32_t lossless;
    uint64_t produced;
};

/* Child: the platform served under hybrid, plus the producer. */
static void serve(const char *name, int cpu, struct synth_cmd *cmd)
{
    struct mcdshm_server_opts o = { .name = name, .policy = "hybrid" };
    struct mcdshm_server *s;
    struct vp_config c;
    struct vp *vp;
    char err[256];
    uint32_t seen = 0, seq;

    pin(cpu);
    vp_config_default(&c);
    c.nharts = 1;
    c.ram_size = 1 << 20;
    if (vp_create(&c, &vp, err, sizeof(err)) < 0 ||
        mcdshm_server_start(vp_target(vp), &o, &s, err, sizeof(err)) < 0) {
        fprintf(stderr, "mcdshm-bench: trace server: %s\n", err);
        _exit(2);
    }
    for (;;) {
        while ((seq = atomic_load(&cmd->seq)) == seen) {
            usleep(100);
        }
        seen = seq;
        cmd->produced = synth_produce(s, 0, LANE_TRACE, cmd->first,
                                      cmd->frames, cmd->rate, cmd->lossless,
                                      NULL);
        atomic_store(&cmd->done, seq);
    }
}

/* The lost count of the lane, from the trace state's info_str. */
static uint64_t lane_lost(mcd_core_st *core, mcd_trace_state_st *st)
{
    const char *p;
    unsigned long long v = 0;

    if (mcd_qry_trace_state_f(core, LANE_TRACE, st) != MCD_RET_ACT_NONE) {
        die_mcd("mcd_qry_trace_state_f", core);
    }
    p = strstr(st->info_str, "produced, ");
    if (!p || sscanf(p, "produced, %llu", &v) != 1) {
        fprintf(stderr, "mcdshm-bench: the trace is not streamed: %s\n",
                st->info_str);
        exit(1);
    }
    return v;
}

/*
 * One run: the producer makes @n frames from sequence number c->next on;
 * read until it is done and the lane is empty.  Return frames/s delivered.
 */
static double run_once(mcd_core_st *core, struct synth_cmd *cmd,
                       mcd_trace_data_core_st *buf, struct synth_check *c,
                       uint64_t n, uint64_t rate, bool lossless)
{
    uint32_t seq = atomic_load(&cmd->seq) + 1, k;
    uint64_t t0, t1 = 0, got0 = c->frames;
    bool done = false;

    cmd->frames = n;
    cmd->rate = rate;
    cmd->lossless = lossless;
    cmd->first = c->next;
    t0 = now_ns();
    atomic_store(&cmd->seq, seq);
    for (;;) {
        k = 0;
        if (mcd_read_trace_f(core, LANE_TRACE, 0, &k, sizeof(*buf), NULL) !=
            MCD_RET_ACT_NONE) {
            die_mcd("mcd_read_trace_f (count)", core);
        }
        if (k == 0) {
            if (done) {
                break;
            }
            done = atomic_load(&cmd->done) == seq; /* then one more look */
            continue;
        }
        k = k < LANE_BATCH ? k : LANE_BATCH;
        if (mcd_read_trace_f(core, LANE_TRACE, 0, &k, sizeof(*buf), buf) !=
            MCD_RET_ACT_NONE) {
            die_mcd("mcd_read_trace_f", core);
        }
        t1 = now_ns();
        if (k < LANE_BATCH / 16) {
            /* A reader that found little lets some gather before it asks
             * again, as a trace viewer would: two calls per handful of
             * frames would cost more than the frames. */
            while (now_ns() - t1 < 5000) {
            }
        }
        if (!synth_check(c, buf, k)) {
            fprintf(stderr,
                    "mcdshm-bench: trace frame out of order or mismarked "
                    "after %" PRIu64 " frames (expected %" PRIu64 ")\n",
                    c->frames, c->next);
            exit(1);
        }
    }
    return t1 > t0 ? (double)(c->frames - got0) * 1e9 / (double)(t1 - t0)
                   : 0;
}

void bench_trace_lanes(const struct opts *o)
{
    struct synth_cmd *cmd;
    mcd_trace_data_core_st *buf = xmalloc(LANE_BATCH * sizeof(*buf));
    double *full = xmalloc(o->repeats * sizeof(double));
    double *paced = xmalloc(o->repeats * sizeof(double));
    double *lostp = xmalloc(o->repeats * sizeof(double));
    double *miss = xmalloc(o->repeats * sizeof(double));
    uint64_t n = o->quick ? 2000000 : 20000000;
    char name[64], path[SHM_PATH_MAX], err[SHM_ERRLEN], cfg[512];
    struct xconn *x;
    mcd_trace_state_st st;
    pid_t pid;

    progress("trace lanes: synthetic producer, %" PRIu64 " frames a run", n);
    cmd = mmap(NULL, sizeof(*cmd), PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (cmd == MAP_FAILED) {
        perror("mcdshm-bench: mmap");
        exit(1);
    }
    memset(cmd, 0, sizeof(*cmd));
    unique_name(name, sizeof(name), "bench-trace");
    if (shm_endpoint_path(name, path, sizeof(path), err) < 0) {
        fprintf(stderr, "mcdshm-bench: %s\n", err);
        exit(1);
    }
    pid = fork_or_die();
    if (pid == 0) {
        serve(name, o->cpu_server, cmd);
    }
    pin(o->cpu_client);
    snprintf(cfg, sizeof(cfg),
             "McdShmEndpoint=\"%s\" McdShmPolicy=hybrid "
             "McdShmTraceFrames=%u",
             path, LANE_FRAMES);
    x = bench_open_mcd(cfg);
    for (unsigned r = 0; r < o->repeats; r++) {
        struct synth_check c = { 0 };
        uint64_t lost0, lost, produced;

        memset(&st, 0, sizeof(st));
        st.state = MCD_TRACE_STATE_INIT;
        st.mode = MCD_TRACE_MODE_PIPE;
        st.size = LANE_FRAMES; /* the lane's capacity follows the size */
        if (mcd_set_trace_state_f(bench_xconn_core(x), LANE_TRACE, &st) !=
            MCD_RET_ACT_NONE) {
            die_mcd("mcd_set_trace_state_f (INIT, PIPE)", bench_xconn_core(x));
        }
        full[r] = run_once(bench_xconn_core(x), cmd, buf, &c, n, 0, true);
        lost0 = lane_lost(bench_xconn_core(x), &st);
        if (lost0 != 0 || c.frames != n) {
            fprintf(stderr,
                    "mcdshm-bench: a waiting producer lost %" PRIu64
                    " frames (%" PRIu64 " of %" PRIu64 " read)\n",
                    lost0, c.frames, n);
            exit(1);
        }
        paced[r] = run_once(bench_xconn_core(x), cmd, buf, &c, n, LANE_RATE,
                            false);
        lost = lane_lost(bench_xconn_core(x), &st);
        produced = 2 * n;
        lostp[r] = 100.0 * (double)lost / (double)n;
        /* read + lost - produced; the gaps must account for every loss
         * except one after the last frame stored */
        miss[r] = (double)((int64_t)(c.frames + lost) - (int64_t)produced);
        if (st.count != produced || c.lost + (produced - c.next) != lost) {
            miss[r] += 1e9; /* shows as a broken figure, never as 0 */
        }
    }
    res_add("mcdshm-lanes", "trace-lane-frames", 0, "frames/s", full,
            o->repeats);
    res_add("mcdshm-lanes", "trace-lane-20M", 0, "frames/s", paced,
            o->repeats);
    res_add("mcdshm-lanes", "trace-lane-20M-lost", 0, "%", lostp, o->repeats);
    res_add("mcdshm-lanes", "trace-lane-miscount", 0, "frames", miss,
            o->repeats);
    bench_mcd_close(x);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    unlink(path);
    munmap(cmd, sizeof(*cmd));
    free(buf);
    free(full);
    free(paced);
    free(lostp);
    free(miss);
}
