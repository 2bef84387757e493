/*
 * The full path, measured the way a debugger sees it: the MCD API of
 * libmcdshm.so in this process, the server stub, the server core and the
 * reference platform (cosim/vp) in a child process, pinned to the other
 * CPU.  Also the single-threaded memcpy that a memory dump is compared
 * with.
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
#include "mcd/mcd_api.h"
#include "mcdshm/server.h"
#include "shm/conn.h"

#define RAM_BASE 0x80000000ull

double bench_memcpy(uint32_t mib)
{
    size_t len = (size_t)mib << 20;
    uint8_t *a = malloc(len), *b = malloc(len);
    double best = 0;

    if (!a || !b) {
        fprintf(stderr, "mcdshm-bench: out of memory for memcpy\n");
        exit(1);
    }
    memset(a, 0x5A, len);
    memset(b, 0xA5, len);
    for (int i = 0; i < 5; i++) {
        uint64_t t0 = now_ns(), t;

        memcpy(b, a, len);
        t = now_ns() - t0;
        /* Keep the copy from being optimised away. */
        if (b[len / 2] != 0x5A) {
            abort();
        }
        best = (double)len / (double)t > best ? (double)len / (double)t
                                              : best;
    }
    free(a);
    free(b);
    return best;
}

/* Child: the platform served under @policy until killed. */
static void serve_vp(const char *name, const char *policy, int cpu,
                     uint32_t ram_mib)
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

mcd_core_st *open_core0(const char *cfg, mcd_server_st **srv)
{
    mcd_core_con_info_st ci;
    mcd_core_st *core;
    uint32_t n = 1;
    int tries;

    for (tries = 0; mcd_open_server_f("", cfg, srv) != MCD_RET_ACT_NONE;
         tries++) {
        if (tries > 2000) {
            die_mcd("mcd_open_server_f", NULL);
        }
        usleep(1000);
    }
    if (mcd_qry_cores_f(NULL, 0, &n, &ci) != MCD_RET_ACT_NONE ||
        mcd_open_core_f(&ci, &core) != MCD_RET_ACT_NONE) {
        die_mcd("opening core 0", NULL);
    }
    return core;
}

struct lat state_rtt(mcd_core_st *core, unsigned n)
{
    uint64_t *s = calloc(n, sizeof(*s));
    mcd_core_state_st st;

    for (unsigned i = 0; i < n + 100; i++) {
        uint64_t t0 = now_ns();

        if (mcd_qry_state_f(core, &st) != MCD_RET_ACT_NONE) {
            die_mcd("mcd_qry_state_f", core);
        }
        if (i >= 100) {
            s[i - 100] = now_ns() - t0;
        }
    }
    return summarize(s, n);
}

/* Median GB/s of three dumps of @len bytes of RAM into @buf. */
double dump_rate(mcd_core_st *core, uint8_t *buf, size_t len)
{
    double r[3], t;

    for (int i = 0; i < 3; i++) {
        mcd_tx_st tx = { .addr = { .address = RAM_BASE, .mem_space_id = 1 },
                         .access_type = MCD_TX_AT_R,
                         .data = buf,
                         .num_bytes = (uint32_t)len };
        mcd_txlist_st l = { &tx, 1, 0 };
        uint64_t t0 = now_ns();

        if (mcd_execute_txlist_f(core, &l) != MCD_RET_ACT_NONE ||
            tx.num_bytes_ok != len) {
            die_mcd("mcd_execute_txlist_f (dump)", core);
        }
        r[i] = (double)len / (double)(now_ns() - t0);
    }
    /* The median of three. */
    if (r[0] > r[1]) {
        t = r[0], r[0] = r[1], r[1] = t;
    }
    if (r[1] > r[2]) {
        t = r[1], r[1] = r[2], r[2] = t;
    }
    return r[0] > r[1] ? r[0] : r[1];
}

void bench_full_path(const struct opts *o, const char *policy,
                     struct lat *rtt, double *dump_gbs)
{
    char name[64], cfg[512], path[SHM_PATH_MAX], err[SHM_ERRLEN];
    size_t len = (size_t)o->dump_mib << 20;
    uint8_t *buf = malloc(len);
    mcd_server_st *srv;
    mcd_core_st *core;
    pid_t pid;

    snprintf(name, sizeof(name), "bench-vp-%d-%s", (int)getpid(), policy);
    if (!buf || shm_endpoint_path(name, path, sizeof(path), err) < 0) {
        fprintf(stderr, "mcdshm-bench: %s\n", buf ? err : "out of memory");
        exit(1);
    }
    pid = fork_or_die();
    if (pid == 0) {
        serve_vp(name, policy, o->cpu_server, o->dump_mib + 16);
    }
    pin(o->cpu_client);
    snprintf(cfg, sizeof(cfg), "McdShmEndpoint=\"%s\" McdShmPolicy=%s", path,
             policy);
    core = open_core0(cfg, &srv);
    memset(buf, 0, len); /* fault the pages in before timing */
    *rtt = state_rtt(core, o->samples / 4);
    *dump_gbs = dump_rate(core, buf, len);
    mcd_close_core_f(core);
    mcd_close_server_f(srv);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    unlink(path);
    free(buf);
}
