/*
 * The SystemC example platform (cosim/systemc) beside the reference one:
 * the same mcd_qry_state_f round trip and memory dump as full.c, through
 * the SystemC adapter (watcher thread, async_request_update, the draining
 * SC_THREAD) and TLM-2.0 transport_dbg.  The platform is a separate
 * program (C++, libsystemc), so it runs as a child process started with
 * exec, pinned to the server CPU; its path and the guest program come
 * from the build ($MCDSHM_SC_EXAMPLE and $MCDSHM_SC_ELF override them).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "shm/conn.h"

/* Child: exec the platform, halted, with room for the dump. */
static void exec_platform(const char *exe, const char *elf, const char *name,
                          int cpu, uint32_t ram_mib)
{
    char ram[16];
    int null = open("/dev/null", O_WRONLY);

    pin(cpu);
    if (null >= 0) {
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
    }
    snprintf(ram, sizeof(ram), "%u", ram_mib);
    execl(exe, exe, "--name", name, "--halted", "--ram-mib", ram, "--policy",
          "hybrid", elf, (char *)NULL);
    _exit(127);
}

static const char *setting(const char *env, const char *built)
{
    const char *v = getenv(env);

    return v && *v ? v : built;
}

void bench_systemc(const struct opts *o)
{
#if defined(MCDSHM_SC_EXAMPLE) && defined(MCDSHM_SC_ELF)
    const char *exe = setting("MCDSHM_SC_EXAMPLE", MCDSHM_SC_EXAMPLE);
    const char *elf = setting("MCDSHM_SC_ELF", MCDSHM_SC_ELF);
    char name[64], cfg[512], path[SHM_PATH_MAX], err[SHM_ERRLEN];
    size_t len = (size_t)o->dump_mib << 20;
    uint8_t *buf = malloc(len);
    struct lat halted, running;
    mcd_server_st *srv;
    mcd_core_st *core;
    double gbs;
    pid_t pid;

    snprintf(name, sizeof(name), "bench-sc-%d", (int)getpid());
    if (!buf || shm_endpoint_path(name, path, sizeof(path), err) < 0) {
        fprintf(stderr, "mcdshm-bench: %s\n", buf ? err : "out of memory");
        exit(1);
    }
    pid = fork_or_die();
    if (pid == 0) {
        exec_platform(exe, elf, name, o->cpu_server, o->dump_mib + 16);
    }
    pin(o->cpu_client);
    snprintf(cfg, sizeof(cfg), "McdShmEndpoint=\"%s\" McdShmPolicy=hybrid",
             path);
    core = open_core0(cfg, &srv);
    memset(buf, 0, len);
    halted = state_rtt(core, o->samples / 4);
    print_lat("systemc hybrid qry_state, halted", halted);
    if (mcd_run_f(core, TRUE) != MCD_RET_ACT_NONE) {
        die_mcd("mcd_run_f", core);
    }
    running = state_rtt(core, o->samples / 20);
    print_lat("systemc hybrid qry_state, running", running);
    if (mcd_stop_f(core, TRUE) != MCD_RET_ACT_NONE) {
        die_mcd("mcd_stop_f", core);
    }
    gbs = dump_rate(core, buf, len);
    printf("systemc hybrid dump %3u MiB (transport_dbg) %6.2f GB/s\n",
           o->dump_mib, gbs);
    mcd_close_core_f(core);
    mcd_close_server_f(srv);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    free(buf);
#else
    (void)o;
    printf("systemc: not measured (mcdshm-sc-example was not built)\n");
#endif
}
