/*
 * mcdshm itself, measured the way a debugger sees it: the MCD API of
 * libmcdshm.so in this process, the server stub, the server core and the
 * reference platform (cosim/vp) in a child process pinned to the other
 * CPU.  As a struct xport under each wait policy, so it runs the same
 * workloads as the baselines; and the connection sweep, which only mcdshm
 * serves: 1..N debugger processes on one platform at once.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "cosim/vp/platform.h"
#include "mcd/mcd_api.h"
#include "mcdshm/server.h"
#include "shm/conn.h"

double bench_memcpy_once(uint32_t mib)
{
    size_t len = (size_t)mib << 20;
    uint8_t *a = xmalloc(len), *b = xmalloc(len);
    uint64_t t0, t;

    memset(a, 0x5A, len);
    memset(b, 0xA5, len);
    memcpy(b, a, len); /* warm: both buffers faulted in and cached TLBs */
    memset(a, 0x5B, len);
    t0 = now_ns();
    memcpy(b, a, len);
    t = now_ns() - t0;
    /* Keep the copy from being optimised away. */
    if (b[len / 2] != 0x5B) {
        abort();
    }
    free(a);
    free(b);
    return (double)len / (double)t;
}

/* Child: the platform served under @policy until killed, running @elf
 * (halted at its entry) if not NULL. */
void bench_serve_vp(const char *name, const char *policy, int cpu,
                    uint32_t ram_mib, const char *elf)
{
    struct mcdshm_server_opts o = { .name = name, .policy = policy };
    struct mcdshm_server *s;
    struct vp_config c;
    struct vp *vp;
    char err[256];

    pin(cpu);
    vp_config_default(&c);
    c.ram_size = (uint64_t)ram_mib << 20;
    if (vp_create(&c, &vp, err, sizeof(err)) < 0 ||
        (elf && vp_load_elf(vp, elf, err, sizeof(err)) < 0) ||
        mcdshm_server_start(vp_target(vp), &o, &s, err, sizeof(err)) < 0) {
        fprintf(stderr, "mcdshm-bench: platform: %s\n", err);
        _exit(2);
    }
    for (;;) {
        pause();
    }
}

void die_mcd(const char *what, const mcd_core_st *core)
{
    mcd_error_info_st e;

    mcd_qry_error_info_f(core, &e);
    fprintf(stderr, "mcdshm-bench: %s: %s (error 0x%x)\n", what, e.error_str,
            e.error_code);
    exit(1);
}

struct xconn {
    mcd_server_st *srv;
    mcd_core_st *core;
};

mcd_core_st *bench_xconn_core(struct xconn *c)
{
    return c->core;
}

static pid_t mcdshm_spawn(const struct xport *x, const struct opts *o,
                          uint32_t ram_mib, char *addr, size_t len)
{
    const char *policy = x->priv;
    char name[64], err[SHM_ERRLEN];
    pid_t pid;

    unique_name(name, sizeof(name), "bench-vp");
    if (shm_endpoint_path(name, addr, len, err) < 0) {
        fprintf(stderr, "mcdshm-bench: %s\n", err);
        exit(1);
    }
    pid = fork_or_die();
    if (pid == 0) {
        bench_serve_vp(name, policy, o->cpu_server, ram_mib, x->elf);
    }
    return pid;
}

struct xconn *bench_open_mcd(const char *cfg)
{
    struct xconn *c = xmalloc(sizeof(*c));
    mcd_core_con_info_st ci;
    uint32_t n = 1;
    int tries;

    for (tries = 0; mcd_open_server_f("", cfg, &c->srv) != MCD_RET_ACT_NONE;
         tries++) {
        if (tries > 5000) {
            die_mcd("mcd_open_server_f", NULL);
        }
        usleep(1000);
    }
    if (mcd_qry_cores_f(NULL, 0, &n, &ci) != MCD_RET_ACT_NONE ||
        mcd_open_core_f(&ci, &c->core) != MCD_RET_ACT_NONE) {
        die_mcd("opening core 0", NULL);
    }
    return c;
}

static struct xconn *open_conn(const char *path, const char *policy)
{
    char cfg[512];

    snprintf(cfg, sizeof(cfg), "McdShmEndpoint=\"%s\" McdShmPolicy=%s", path,
             policy);
    return bench_open_mcd(cfg);
}

static struct xconn *mcdshm_connect(const struct xport *x, const char *addr)
{
    return open_conn(addr, x->priv);
}

mcd_return_et bench_mcd_state(struct xconn *c, mcd_core_state_st *st)
{
    return mcd_qry_state_f(c->core, st);
}

mcd_return_et bench_mcd_txlist(struct xconn *c, mcd_tx_st *tx, uint32_t ntx)
{
    mcd_txlist_st l = { tx, ntx, 0 };

    return mcd_execute_txlist_f(c->core, &l);
}

void bench_mcd_close(struct xconn *c)
{
    mcd_close_core_f(c->core);
    mcd_close_server_f(c->srv);
    free(c);
}

#define MCDSHM_XPORT(n, p, ...)                                                    \
    {                                                                         \
        .name = n, .spawn = mcdshm_spawn, .connect = mcdshm_connect,          \
        .state = bench_mcd_state, .txlist = bench_mcd_txlist,                 \
        .close = bench_mcd_close, .priv = p, __VA_ARGS__                      \
    }

const struct xport xport_mcdshm[3] = {
    MCDSHM_XPORT("mcdshm-busy", "busy"),
    MCDSHM_XPORT("mcdshm-hybrid", "hybrid"),
    MCDSHM_XPORT("mcdshm-sleep", "sleep"),
};

/* ------------------------------------------------------------------------
 * Connections: N debugger processes against one server, hybrid and sleep
 */

struct conn_shared {
    _Atomic unsigned ready, go, done;
    double p50[64], p99[64];
    uint64_t dump_t0[64], dump_t1[64];
};

static void wait_for(_Atomic unsigned *v, unsigned want)
{
    while (atomic_load(v) < want) {
        usleep(100);
    }
}

/* One debugger: round trips, then a dump, each phase started together. */
static void conn_client(struct conn_shared *sh, unsigned id, const char *path,
                        const char *policy, unsigned calls, size_t dump,
                        unsigned round)
{
    struct xconn *c = open_conn(path, policy);
    uint64_t *s = xmalloc(calls * sizeof(*s));
    uint8_t *buf = xmalloc(dump);
    mcd_core_state_st st;
    mcd_tx_st tx;
    struct lat l;

    memset(buf, 0, dump);
    atomic_fetch_add(&sh->ready, 1);
    wait_for(&sh->go, 2 * round + 1);
    for (unsigned i = 0; i < calls; i++) {
        uint64_t t0 = now_ns();

        if (mcd_qry_state_f(c->core, &st) != MCD_RET_ACT_NONE) {
            die_mcd("mcd_qry_state_f", c->core);
        }
        s[i] = now_ns() - t0;
    }
    l = summarize(s, calls);
    sh->p50[id] = l.p50;
    sh->p99[id] = l.p99;
    atomic_fetch_add(&sh->done, 1);
    wait_for(&sh->go, 2 * round + 2);
    memset(&tx, 0, sizeof(tx));
    tx.addr.address = BENCH_RAM_BASE;
    tx.addr.mem_space_id = BENCH_SPACE_PHYS;
    tx.access_type = MCD_TX_AT_R;
    tx.data = buf;
    tx.num_bytes = (uint32_t)dump;
    sh->dump_t0[id] = now_ns();
    if (bench_mcd_txlist(c, &tx, 1) != MCD_RET_ACT_NONE ||
        tx.num_bytes_ok != dump) {
        die_mcd("mcd_execute_txlist_f (dump)", c->core);
    }
    sh->dump_t1[id] = now_ns();
    bench_mcd_close(c);
    _exit(0);
}

/* The sweep under one policy (both sides). */
static void connections(const struct opts *o, const struct xport *x)
{
    size_t dump = o->quick ? 1u << 20 : 8u << 20;
    unsigned calls = o->quick ? 200 : o->samples / 20;
    struct conn_shared *sh;
    char path[SHM_PATH_MAX];
    pid_t srv;

    if (calls < 100) {
        calls = 100;
    }
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("mcdshm-bench: mmap");
        exit(1);
    }
    srv = x->spawn(x, o, 64, path, sizeof(path));
    for (unsigned n = 1; n <= o->max_conns; n *= 2) {
        double *p50 = xmalloc(o->repeats * sizeof(double));
        double *p99 = xmalloc(o->repeats * sizeof(double));
        double *rate = xmalloc(o->repeats * sizeof(double));

        progress("%s: %u concurrent debuggers", x->name, n);
        for (unsigned r = 0; r < o->repeats; r++) {
            pid_t kids[64];
            double m[64], worst = 0;
            uint64_t t0 = UINT64_MAX, t1 = 0;

            atomic_store(&sh->ready, 0);
            atomic_store(&sh->done, 0);
            atomic_store(&sh->go, 0);
            for (unsigned i = 0; i < n; i++) {
                kids[i] = fork_or_die();
                if (kids[i] == 0) {
                    /* Unpinned: N debuggers share the machine. */
                    cpu_set_t all;

                    CPU_ZERO(&all);
                    for (int k = 0; k < CPU_SETSIZE; k++) {
                        CPU_SET(k, &all);
                    }
                    sched_setaffinity(0, sizeof(all), &all);
                    conn_client(sh, i, path, x->priv, calls, dump, 0);
                }
            }
            wait_for(&sh->ready, n);
            atomic_store(&sh->go, 1);
            wait_for(&sh->done, n);
            atomic_store(&sh->go, 2);
            for (unsigned i = 0; i < n; i++) {
                int status;

                waitpid(kids[i], &status, 0);
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                    fprintf(stderr, "mcdshm-bench: debugger %u of %u "
                                    "failed\n",
                            i, n);
                    exit(1);
                }
                m[i] = sh->p50[i];
                worst = sh->p99[i] > worst ? sh->p99[i] : worst;
                t0 = sh->dump_t0[i] < t0 ? sh->dump_t0[i] : t0;
                t1 = sh->dump_t1[i] > t1 ? sh->dump_t1[i] : t1;
            }
            p50[r] = median(m, n);
            p99[r] = worst;
            rate[r] = (double)dump * n / (double)(t1 - t0);
        }
        res_add(x->name, "conn-rtt-p50", n, "ns", p50, o->repeats);
        res_add(x->name, "conn-rtt-p99", n, "ns", p99, o->repeats);
        res_add(x->name, "conn-dump", n, "GB/s", rate, o->repeats);
        free(p50);
        free(p99);
        free(rate);
    }
    kill(srv, SIGKILL);
    waitpid(srv, NULL, 0);
    unlink(path);
    munmap(sh, sizeof(*sh));
}

void bench_connections(const struct opts *o)
{
    connections(o, &xport_mcdshm[1]); /* hybrid */
    connections(o, &xport_mcdshm[2]); /* sleep */
}

/* ------------------------------------------------------------------------
 * Trace: frames per second streamed off a running hart
 */

#define TRACE_BATCH 4096 /* frames per read, inside one 256 KiB slot */

/* One capture of @ms ms: frames read per second and the share lost. */
static void trace_once(mcd_core_st *core, uint32_t id, unsigned ms,
                       mcd_trace_data_core_st *buf, double *fps,
                       double *lost_pct)
{
    mcd_trace_state_st ts;
    uint64_t t0, t, got = 0, deadline;
    uint32_t n;

    memset(&ts, 0, sizeof(ts));
    ts.state = MCD_TRACE_STATE_INIT;
    ts.mode = MCD_TRACE_MODE_PIPE;
    if (mcd_set_trace_state_f(core, id, &ts) != MCD_RET_ACT_NONE) {
        die_mcd("mcd_set_trace_state_f (INIT, PIPE)", core);
    }
    memset(&ts, 0, sizeof(ts));
    ts.state = MCD_TRACE_STATE_ARM;
    ts.mode = MCD_TRACE_MODE_PIPE;
    if (mcd_set_trace_state_f(core, id, &ts) != MCD_RET_ACT_NONE) {
        die_mcd("mcd_set_trace_state_f (ARM)", core);
    }
    if (mcd_run_f(core, FALSE) != MCD_RET_ACT_NONE) {
        die_mcd("mcd_run_f", core);
    }
    t0 = now_ns();
    deadline = t0 + (uint64_t)ms * 1000000ull;
    do {
        n = 0;
        if (mcd_read_trace_f(core, id, 0, &n, sizeof(*buf), NULL) !=
            MCD_RET_ACT_NONE) {
            die_mcd("mcd_read_trace_f (count)", core);
        }
        n = n < TRACE_BATCH ? n : TRACE_BATCH;
        if (n && mcd_read_trace_f(core, id, 0, &n, sizeof(*buf), buf) !=
                     MCD_RET_ACT_NONE) {
            die_mcd("mcd_read_trace_f", core);
        }
        got += n;
        t = now_ns();
    } while (t < deadline);
    if (mcd_stop_f(core, FALSE) != MCD_RET_ACT_NONE) {
        die_mcd("mcd_stop_f", core);
    }
    memset(&ts, 0, sizeof(ts));
    if (mcd_qry_trace_state_f(core, id, &ts) != MCD_RET_ACT_NONE) {
        die_mcd("mcd_qry_trace_state_f", core);
    }
    *fps = (double)got / ((double)(t - t0) / 1e9);
    /* count: every frame produced since INIT, lost ones included. */
    *lost_pct = ts.count > got + ts.frames
                    ? 100.0 * (double)(ts.count - got - ts.frames) /
                          (double)ts.count
                    : 0;
    memset(&ts, 0, sizeof(ts));
    ts.state = MCD_TRACE_STATE_OFF;
    if (mcd_set_trace_state_f(core, id, &ts) != MCD_RET_ACT_NONE) {
        die_mcd("mcd_set_trace_state_f (OFF)", core);
    }
}

void bench_trace(const struct opts *o)
{
    static const char *const pol[] = { "busy", "hybrid" };
    unsigned ms = o->quick ? 50 : 1000;

    if (access(MCDSHM_BENCH_DEMO_ELF, R_OK) != 0) {
        progress("trace: skipped: %s is missing (the RISC-V guest programs "
                 "were not built)",
                 MCDSHM_BENCH_DEMO_ELF);
        return;
    }
    for (int p = 0; p < 2; p++) {
        struct xport x = MCDSHM_XPORT(xport_mcdshm[p == 0 ? 0 : 1].name,
                                      pol[p], .elf = MCDSHM_BENCH_DEMO_ELF);
        mcd_trace_data_core_st *buf = xmalloc(TRACE_BATCH * sizeof(*buf));
        double *fps = xmalloc(o->repeats * sizeof(double));
        double *lost = xmalloc(o->repeats * sizeof(double));
        mcd_trace_info_st ti;
        char path[SHM_PATH_MAX];
        struct xconn *c;
        uint32_t n = 1;
        pid_t pid;

        progress("%s: trace frames per second", x.name);
        pid = x.spawn(&x, o, 16, path, sizeof(path));
        pin(o->cpu_client);
        c = x.connect(&x, path);
        if (mcd_qry_traces_f(c->core, 0, &n, &ti) != MCD_RET_ACT_NONE ||
            n == 0) {
            die_mcd("mcd_qry_traces_f", c->core);
        }
        for (unsigned r = 0; r < o->repeats; r++) {
            trace_once(c->core, ti.trace_id, ms, buf, &fps[r], &lost[r]);
        }
        res_add(x.name, "trace-frames", 0, "frames/s", fps, o->repeats);
        res_add(x.name, "trace-lost", 0, "%", lost, o->repeats);
        bench_mcd_close(c);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        unlink(path);
        free(buf);
        free(fps);
        free(lost);
    }
}
