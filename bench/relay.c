/*
 * Two more ways a debugger reaches mcdshm-vp's platform, measured with the
 * same workloads as every transport (struct xport, work.c):
 *
 *  - "mcdshm-rings": libmcdshm.so (hybrid) with McdShmWindow=FALSE, so
 *    reads of RAM travel through the rings as requests instead of being
 *    copied from the direct memory window that mcdshm-hybrid uses;
 *  - "mcdshm-relay": libmcdshm.so to mcdshm-relay (a separate process,
 *    found next to mcdshm-bench or at $MCDSHM_RELAY) over ZeroMQ on
 *    tcp://127.0.0.1, the relay a local client of the platform's server:
 *    what a debugger on another host gets, on loopback.
 *
 * Each platform runs in a child process pinned to the server CPU; the
 * relay (unpinned) and the platform under it are one process tree that
 * ends with the relay (the platform dies with its parent).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/bench.h"
#include "shm/conn.h"

/* ------------------------------------------------------------------------
 * mcdshm-rings
 */

static pid_t rings_spawn(const struct xport *x, const struct opts *o,
                         uint32_t ram_mib, char *addr, size_t len)
{
    char name[64], err[SHM_ERRLEN];
    pid_t pid;

    unique_name(name, sizeof(name), "bench-rings");
    if (shm_endpoint_path(name, addr, len, err) < 0) {
        fprintf(stderr, "mcdshm-bench: %s\n", err);
        exit(1);
    }
    pid = fork_or_die();
    if (pid == 0) {
        bench_serve_vp(name, "hybrid", o->cpu_server, ram_mib, x->elf);
    }
    return pid;
}

static struct xconn *rings_connect(const struct xport *x, const char *addr)
{
    char cfg[512];

    (void)x;
    snprintf(cfg, sizeof(cfg),
             "McdShmEndpoint=\"%s\" McdShmPolicy=hybrid McdShmWindow=FALSE",
             addr);
    return bench_open_mcd(cfg);
}

const struct xport xport_mcdshm_rings = {
    .name = "mcdshm-rings",
    .spawn = rings_spawn,
    .connect = rings_connect,
    .state = bench_mcd_state,
    .txlist = bench_mcd_txlist,
    .close = bench_mcd_close,
};

/* ------------------------------------------------------------------------
 * mcdshm-relay
 */

/* The relay binary: $MCDSHM_RELAY, else next to this program; exits with
 * a message if there is none. */
static void relay_path(char *buf, size_t len)
{
    const char *env = getenv("MCDSHM_RELAY");
    char self[PATH_MAX];
    ssize_t n;
    char *slash;

    if (env) {
        snprintf(buf, len, "%s", env);
    } else {
        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        self[n > 0 ? n : 0] = '\0';
        slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
        }
        snprintf(buf, len, "%.*s/mcdshm-relay", (int)(len - 14), self);
    }
    if (access(buf, X_OK) < 0) {
        fprintf(stderr,
                "mcdshm-bench: no relay at %s (build mcdshm-relay, or set "
                "$MCDSHM_RELAY; --only can leave mcdshm-relay out)\n",
                buf);
        exit(1);
    }
}

/* A port on 127.0.0.1 that was free a moment ago. */
static int free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        perror("mcdshm-bench: relay port");
        exit(1);
    }
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static pid_t relay_spawn(const struct xport *x, const struct opts *o,
                         uint32_t ram_mib, char *addr, size_t len)
{
    char bin[PATH_MAX], name[64], ep[SHM_PATH_MAX], err[SHM_ERRLEN];
    pid_t pid;

    relay_path(bin, sizeof(bin));
    unique_name(name, sizeof(name), "bench-relay");
    if (shm_endpoint_path(name, ep, sizeof(ep), err) < 0) {
        fprintf(stderr, "mcdshm-bench: %s\n", err);
        exit(1);
    }
    snprintf(addr, len, "tcp://127.0.0.1:%d", free_port());
    pid = fork_or_die();
    if (pid == 0) {
        int null;

        /* The relay unpinned: it would otherwise share the server CPU with
         * the platform's spinning I/O thread. */
        if (fork_or_die() == 0) {
            /* The platform, which dies with the relay above it. */
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            bench_serve_vp(name, "hybrid", o->cpu_server, ram_mib, x->elf);
        }
        /* Let the platform publish its endpoint before the relay dials. */
        for (int i = 0; i < 5000 && access(ep, F_OK) < 0; i++) {
            usleep(1000);
        }
        null = open("/dev/null", O_WRONLY);
        dup2(null, 2); /* its session log would interleave with the rows */
        execl(bin, bin, "--endpoint", ep, "--listen", addr, "--plain",
              (char *)NULL);
        fprintf(stderr, "mcdshm-bench: exec %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    return pid;
}

static struct xconn *relay_connect(const struct xport *x, const char *addr)
{
    char cfg[512];

    (void)x;
    snprintf(cfg, sizeof(cfg),
             "McdHostName=\"127.0.0.1\" McdShmRelay=\"%s\" "
             "McdShmRelayPlain=TRUE",
             addr);
    return bench_open_mcd(cfg);
}

const struct xport xport_mcdshm_relay = {
    .name = "mcdshm-relay",
    .spawn = relay_spawn,
    .connect = relay_connect,
    .state = bench_mcd_state,
    .txlist = bench_mcd_txlist,
    .close = bench_mcd_close,
};
