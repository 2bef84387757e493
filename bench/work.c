/*
 * The side-by-side workloads: the same MCD calls, timed the same way, over
 * every transport (struct xport), and the platform work that every
 * baseline server executes so the comparison measures the transport:
 *   rtt        mcd_qry_state_f of core 0: p50, p99, calls per second, and
 *              the CPU use of both sides meanwhile;
 *   regs       one transaction list reading all 33 GPRs (x0..x31, pc);
 *   txlist64   one list of 64 reads of 64 bytes each, 4 KiB apart;
 *   dump       o->dump_mib MiB of RAM, in the transport's chunks, one call
 *              in flight (mcdshm: one mcd_execute_txlist_f, which the
 *              library splits and pipelines itself);
 *   read-*     one read of 64 B .. o->max_payload bytes: p50 and rate;
 *              successive reads walk through the platform's RAM into
 *              successive places of a RAM-sized buffer, as a dump in
 *              chunks of that size does (reading one range again and
 *              again would measure the caches, not the transport);
 *   cpu-idle-* both sides' CPU use while connected and idle.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "cosim/vp/platform.h"

struct bench_target {
    struct vp *vp;
    const struct mcdshm_target *t;
};

struct bench_target *bt_create(uint32_t ram_mib)
{
    struct bench_target *bt = xmalloc(sizeof(*bt));
    struct vp_config c;
    char err[256];

    vp_config_default(&c);
    c.ram_size = (uint64_t)ram_mib << 20;
    if (vp_create(&c, &bt->vp, err, sizeof(err)) < 0) {
        fprintf(stderr, "mcdshm-bench: platform: %s\n", err);
        _exit(2);
    }
    bt->t = vp_target(bt->vp);
    return bt;
}

mcd_return_et bt_state(struct bench_target *bt, mcd_core_state_st *st)
{
    struct mcdshm_status s;

    memset(st, 0, sizeof(*st));
    return bt->t->ops->state(bt->t->opaque, 0, st, &s) < 0
               ? MCD_RET_ACT_HANDLE_ERROR
               : MCD_RET_ACT_NONE;
}

mcd_return_et bt_access(struct bench_target *bt, mcd_tx_st *tx)
{
    struct mcdshm_status s;

    return bt->t->ops->access(bt->t->opaque, 0, tx, &s) < 0
               ? MCD_RET_ACT_HANDLE_ERROR
               : MCD_RET_ACT_NONE;
}

/* ------------------------------------------------------------------------
 * Client side
 */

static void read_tx(mcd_tx_st *tx, uint32_t space, uint64_t addr, uint8_t *buf,
                    uint32_t len)
{
    memset(tx, 0, sizeof(*tx));
    tx->addr.address = addr;
    tx->addr.mem_space_id = space;
    tx->access_type = MCD_TX_AT_R;
    tx->data = buf;
    tx->num_bytes = len;
}

static void run_list(const struct xport *x, struct xconn *c, mcd_tx_st *tx,
                     uint32_t ntx, const char *what)
{
    if (x->txlist(c, tx, ntx) != MCD_RET_ACT_NONE) {
        fprintf(stderr, "mcdshm-bench: %s: %s failed\n", x->name, what);
        exit(1);
    }
    for (uint32_t i = 0; i < ntx; i++) {
        if (tx[i].num_bytes_ok != tx[i].num_bytes) {
            fprintf(stderr,
                    "mcdshm-bench: %s: %s: transaction %u moved %u of %u "
                    "bytes\n",
                    x->name, what, i, tx[i].num_bytes_ok, tx[i].num_bytes);
            exit(1);
        }
    }
}

/* Read @len bytes of RAM at @off into @buf in the transport's chunks. */
static void read_ram(const struct xport *x, struct xconn *c, uint8_t *buf,
                     uint64_t off, size_t len)
{
    size_t chunk = x->chunk ? x->chunk : len;

    for (size_t done = 0; done < len; done += chunk) {
        size_t n = len - done < chunk ? len - done : chunk;
        mcd_tx_st tx;

        read_tx(&tx, BENCH_SPACE_PHYS, BENCH_RAM_BASE + off + done, buf + done,
                (uint32_t)n);
        run_list(x, c, &tx, 1, "memory read");
    }
}

/* Samples of one call kind; @n calls, the first few as warm-up. */
enum call { CALL_STATE, CALL_REGS, CALL_TX64 };

static struct lat time_calls(const struct xport *x, struct xconn *c,
                             enum call k, unsigned n, uint8_t *buf,
                             double *calls_s)
{
    uint64_t *s = xmalloc(n * sizeof(*s)), t_all;
    unsigned warm = n / 10 + 1, i;
    mcd_tx_st tx[64];
    mcd_core_state_st st;
    struct lat l;

    for (i = 0; i < (k == CALL_REGS ? BENCH_NGPRS : 64); i++) {
        if (k == CALL_REGS) {
            read_tx(&tx[i], x->regs_space ? x->regs_space : BENCH_SPACE_REGS,
                    i, buf + 8 * i, 8);
        } else {
            read_tx(&tx[i], BENCH_SPACE_PHYS, BENCH_RAM_BASE + 4096ull * i,
                    buf + 64 * i, 64);
        }
    }
    t_all = 0;
    for (i = 0; i < n + warm; i++) {
        uint64_t t0 = now_ns(), t;

        switch (k) {
        case CALL_STATE:
            if (x->state(c, &st) != MCD_RET_ACT_NONE) {
                fprintf(stderr, "mcdshm-bench: %s: qry_state failed\n",
                        x->name);
                exit(1);
            }
            break;
        case CALL_REGS:
            run_list(x, c, tx, BENCH_NGPRS, "register read");
            break;
        case CALL_TX64:
            run_list(x, c, tx, 64, "64-transaction list");
            break;
        }
        t = now_ns() - t0;
        if (i >= warm) {
            s[i - warm] = t;
            t_all += t;
        }
    }
    if (calls_s) {
        *calls_s = n / (t_all / 1e9);
    }
    l = summarize(s, n);
    free(s);
    return l;
}

/* Calls per figure: o->samples, or fewer for a slow transport. */
static unsigned calls_for(const struct xport *x, const struct opts *o,
                          unsigned div)
{
    unsigned n = o->samples / div;

    if (x->time_budget) {
        n /= 20;
    }
    return n < 50 ? 50 : n;
}

static void fig(const struct xport *x, const char *w, uint64_t p,
                const char *unit, double *v, unsigned n)
{
    res_add(x->name, w, p, unit, v, n);
}

static void payload_sweep(const struct xport *x, struct xconn *c,
                          const struct opts *o, uint8_t *buf, uint64_t ram)
{
    uint32_t max = x->max_payload && x->max_payload < o->max_payload
                       ? x->max_payload
                       : o->max_payload;
    uint64_t min_ns = o->quick ? 5000000ull : 100000000ull;
    double *p50 = xmalloc(o->repeats * sizeof(double));
    double *rate = xmalloc(o->repeats * sizeof(double));

    for (uint64_t size = 64; size <= max; size *= 4) {
        progress("%s: reads of %llu bytes", x->name, (unsigned long long)size);
        for (unsigned r = 0; r < o->repeats; r++) {
            uint64_t s[2048], t0 = now_ns(), t = 0, off = 0;
            unsigned i = 0;

            /* At least 5 reads and min_ns, at most 2048 reads. */
            while (i < 2048 && (i < 5 || t < min_ns)) {
                uint64_t a = now_ns();

                read_ram(x, c, buf + off, off, size);
                off = off + 2 * size <= ram ? off + size : 0;
                s[i++] = now_ns() - a;
                t = now_ns() - t0;
            }
            rate[r] = (double)size * i / (double)t;
            p50[r] = summarize(s, i).p50;
        }
        fig(x, "read-rtt-p50", size, "ns", p50, o->repeats);
        fig(x, "read-rate", size, "GB/s", rate, o->repeats);
    }
    free(p50);
    free(rate);
}

/* The dump: GB/s, or over a time budget for a slow transport. */
static double dump_once(const struct xport *x, struct xconn *c,
                        const struct opts *o, uint8_t *buf, size_t *moved)
{
    size_t len = (size_t)o->dump_mib << 20, done = 0;
    uint64_t t0 = now_ns(), budget = (uint64_t)o->budget_ms * 1000000ull;
    size_t step = x->chunk ? x->chunk : len;

    if (!x->time_budget) {
        read_ram(x, c, buf, 0, len);
        *moved = len;
        return (double)len / (double)(now_ns() - t0);
    }
    while (done < len && (done == 0 || now_ns() - t0 < budget)) {
        size_t n = len - done < step ? len - done : step;

        read_ram(x, c, buf + done, done, n);
        done += n;
    }
    *moved = done;
    return (double)done / (double)(now_ns() - t0);
}

void run_xport(const struct xport *x, const struct opts *o)
{
    size_t len = (size_t)o->dump_mib << 20;
    uint32_t ram =
        o->dump_mib > o->max_payload >> 20 ? o->dump_mib : o->max_payload >> 20;
    unsigned R = o->repeats;
    double *v[12];
    uint8_t *buf;
    struct xconn *c;
    char addr[256];
    pid_t pid;

    buf = xmalloc(len > o->max_payload ? len : o->max_payload);
    memset(buf, 0, len > o->max_payload ? len : o->max_payload);
    for (int i = 0; i < 12; i++) {
        v[i] = xmalloc(R * sizeof(double));
    }
    progress("%s: starting", x->name);
    pid = x->spawn(x, o, ram + 16, addr, sizeof(addr));
    pin(o->cpu_client);
    c = x->connect(x, addr);
    /* Warm-up: the platform's RAM and both sides' buffers faulted in, so
     * no repeat pays first-touch costs (a slow transport only warms the
     * part its time budget reaches). */
    if (!x->time_budget) {
        read_ram(x, c, buf, 0, len);
    }
    for (unsigned r = 0; r < R; r++) {
        uint64_t s0, c0, t0, t;
        struct lat l;
        size_t moved = 0;

        s0 = cpu_ns(pid);
        c0 = cpu_ns(0);
        t0 = now_ns();
        l = time_calls(x, c, CALL_STATE, calls_for(x, o, 1), buf, &v[2][r]);
        t = now_ns() - t0;
        v[0][r] = l.p50;
        v[1][r] = l.p99;
        v[3][r] = 100.0 * (double)(cpu_ns(pid) - s0) / (double)t;
        v[4][r] = 100.0 * (double)(cpu_ns(0) - c0) / (double)t;
        v[5][r] =
            time_calls(x, c, CALL_REGS, calls_for(x, o, 10), buf, NULL).p50;
        v[6][r] =
            time_calls(x, c, CALL_TX64, calls_for(x, o, 10), buf, NULL).p50;
        v[7][r] = dump_once(x, c, o, buf, &moved);
        v[8][r] = (double)moved;
        s0 = cpu_ns(pid);
        c0 = cpu_ns(0);
        t0 = now_ns();
        usleep(o->idle_ms * 1000);
        t = now_ns() - t0;
        v[9][r] = 100.0 * (double)(cpu_ns(pid) - s0) / (double)t;
        v[10][r] = 100.0 * (double)(cpu_ns(0) - c0) / (double)t;
    }
    fig(x, "rtt-p50", 0, "ns", v[0], R);
    fig(x, "rtt-p99", 0, "ns", v[1], R);
    fig(x, "calls", 0, "calls/s", v[2], R);
    fig(x, "cpu-load-server", 0, "%", v[3], R);
    fig(x, "cpu-load-client", 0, "%", v[4], R);
    fig(x, "regs-p50", BENCH_NGPRS, "ns", v[5], R);
    fig(x, "txlist64-p50", 64, "ns", v[6], R);
    fig(x, "dump", (uint64_t)o->dump_mib << 20, "GB/s", v[7], R);
    if (x->time_budget) {
        fig(x, "dump-bytes-timed", (uint64_t)o->dump_mib << 20, "bytes", v[8],
            R);
    }
    fig(x, "cpu-idle-server", 0, "%", v[9], R);
    fig(x, "cpu-idle-client", 0, "%", v[10], R);
    payload_sweep(x, c, o, buf, (uint64_t)ram << 20);
    x->close(c);
    /* The server exits on the hang-up; make sure of it. */
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    if (addr[0] == '/') {
        unlink(addr); /* a Unix socket or mcdshm endpoint */
    } else if (!strncmp(addr, "ipc://", 6)) {
        unlink(addr + 6); /* ZeroMQ leaves its ipc socket behind */
    }
    for (int i = 0; i < 12; i++) {
        free(v[i]);
    }
    free(buf);
}
