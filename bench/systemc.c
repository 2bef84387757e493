/*
 * The SystemC example platform (cosim/systemc) as one more transport of
 * the bench ("systemc", struct xport): the same workloads as every other,
 * through libmcdshm.so (hybrid), the SystemC adapter (watcher thread,
 * async_request_update, the draining SC_THREAD) and TLM-2.0
 * transport_dbg.  The platform is a separate program (C++, libsystemc),
 * so it runs as a child process started with exec, pinned to the server
 * CPU, its harts halted; its path and the guest program come from the
 * build ($MCDSHM_SC_EXAMPLE and $MCDSHM_SC_ELF override them).  Without
 * the example the measurement says so and records nothing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "shm/conn.h"

#ifndef MCDSHM_SC_EXAMPLE
#define MCDSHM_SC_EXAMPLE ""
#endif
#ifndef MCDSHM_SC_ELF
#define MCDSHM_SC_ELF ""
#endif

static const char *setting(const char *env, const char *built)
{
    const char *v = getenv(env);

    return v && *v ? v : built;
}

static pid_t sc_spawn(const struct xport *x, const struct opts *o,
                      uint32_t ram_mib, char *addr, size_t len)
{
    const char *exe = setting("MCDSHM_SC_EXAMPLE", MCDSHM_SC_EXAMPLE);
    const char *elf = setting("MCDSHM_SC_ELF", MCDSHM_SC_ELF);
    char name[64], err[SHM_ERRLEN], ram[16];
    pid_t pid;

    (void)x;
    unique_name(name, sizeof(name), "bench-sc");
    if (shm_endpoint_path(name, addr, len, err) < 0) {
        fprintf(stderr, "mcdshm-bench: %s\n", err);
        exit(1);
    }
    pid = fork_or_die();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        pin(o->cpu_server);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        snprintf(ram, sizeof(ram), "%u", ram_mib);
        execl(exe, exe, "--name", name, "--halted", "--ram-mib", ram,
              "--policy", "hybrid", elf, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static struct xconn *sc_connect(const struct xport *x, const char *addr)
{
    char cfg[512];

    (void)x;
    snprintf(cfg, sizeof(cfg), "McdShmEndpoint=\"%s\" McdShmPolicy=hybrid",
             addr);
    return bench_open_mcd(cfg);
}

static const struct xport xport_systemc = {
    .name = "systemc",
    .spawn = sc_spawn,
    .connect = sc_connect,
    .state = bench_mcd_state,
    .txlist = bench_mcd_txlist,
    .close = bench_mcd_close,
    .regs_space = 2, /* the adapter's: 1 physical, 2 registers */
};

void bench_systemc(const struct opts *o)
{
    const char *exe = setting("MCDSHM_SC_EXAMPLE", MCDSHM_SC_EXAMPLE);
    const char *elf = setting("MCDSHM_SC_ELF", MCDSHM_SC_ELF);

    if (!*exe || access(exe, X_OK) != 0 || !*elf || access(elf, R_OK) != 0) {
        progress("systemc skipped: no SystemC example platform (configure "
                 "with libsystemc-dev installed, or set MCDSHM_SC_EXAMPLE "
                 "and MCDSHM_SC_ELF)");
        return;
    }
    run_xport(&xport_systemc, o);
}
