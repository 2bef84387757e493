/*
 * The remote transport measured the way a remote debugger sees it:
 * libmcdshm.so in this process, mcdshm-relay (a separate process, found
 * next to mcdshm-bench or at $MCDSHM_RELAY) over ZeroMQ/TCP on 127.0.0.1,
 * and the reference platform served in a child process.  Next to it, two
 * TCP references measured here between two processes on loopback: an RPC
 * that asks for 256 KiB at a time and waits for each answer (the shape of
 * the TCP debug protocols mcdshm replaces), and one stream of 64 MiB (what
 * TCP itself carries; no RPC over TCP can beat it).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "cosim/vp/platform.h"
#include "mcd/mcd_api.h"
#include "mcdshm/server.h"
#include "shm/conn.h"

#define RAM_BASE 0x80000000ull
#define RPC_CHUNK (256u << 10)

/* The relay binary: $MCDSHM_RELAY, else next to this program. */
static int relay_path(char *buf, size_t len)
{
    const char *env = getenv("MCDSHM_RELAY");
    char self[PATH_MAX];
    ssize_t n;
    char *slash;

    if (env) {
        snprintf(buf, len, "%s", env);
        return access(buf, X_OK);
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0) {
        return -1;
    }
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (!slash) {
        return -1;
    }
    *slash = '\0';
    snprintf(buf, len, "%.*s/mcdshm-relay", (int)(len - 14), self);
    return access(buf, X_OK);
}

/* A free port on 127.0.0.1 and a socket listening on it (or -1). */
static int listen_any(int *port)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        listen(fd, 4) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        perror("mcdshm-bench: tcp");
        exit(1);
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static int connect_to(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("mcdshm-bench: connect");
        exit(1);
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void xfer(int fd, void *buf, size_t len, bool out)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            fprintf(stderr, "mcdshm-bench: tcp %s: %s\n",
                    out ? "write" : "read", n ? strerror(errno) : "EOF");
            exit(1);
        }
        p += n;
        len -= (size_t)n;
    }
}

/* Child of the TCP references: answer {off, len} requests from @mem;
 * len 0 ends; stream mode sends @total at once. */
static void tcp_server(int lfd, int cpu, size_t total, bool stream)
{
    uint8_t *mem = malloc(total);
    uint64_t req[2];
    int fd, one = 1;

    pin(cpu);
    memset(mem, 0x3C, total);
    fd = accept(lfd, NULL, NULL);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    xfer(fd, &one, 1, true); /* ready: the memory is in place */
    if (stream) {
        xfer(fd, mem, total, true);
        _exit(0);
    }
    for (;;) {
        xfer(fd, req, sizeof(req), false);
        if (req[1] == 0 || req[0] + req[1] > total) {
            _exit(0);
        }
        xfer(fd, mem + req[0], req[1], true);
    }
}

/* GB/s of @len bytes over a TCP reference (@stream: one stream; else RPC
 * of RPC_CHUNK requests, one in flight); median of three. */
static double tcp_reference(const struct opts *o, size_t len, bool stream)
{
    uint8_t *buf = malloc(len);
    double r[3], t;

    memset(buf, 0, len);
    for (int i = 0; i < 3; i++) {
        int port, lfd = listen_any(&port), fd;
        uint64_t t0, req[2] = { 0, 0 };
        pid_t pid = fork_or_die();

        if (pid == 0) {
            tcp_server(lfd, o->cpu_server, len, stream);
        }
        close(lfd);
        fd = connect_to(port);
        xfer(fd, req, 1, false);
        t0 = now_ns();
        if (stream) {
            xfer(fd, buf, len, false);
        }
        for (size_t off = 0; !stream && off < len; off += RPC_CHUNK) {
            req[0] = off;
            req[1] = len - off < RPC_CHUNK ? len - off : RPC_CHUNK;
            xfer(fd, req, sizeof(req), true);
            xfer(fd, buf + off, req[1], false);
        }
        r[i] = (double)len / (double)(now_ns() - t0);
        req[1] = 0;
        if (!stream) {
            xfer(fd, req, sizeof(req), true);
        }
        close(fd);
        waitpid(pid, NULL, 0);
    }
    free(buf);
    if (r[0] > r[1]) {
        t = r[0], r[0] = r[1], r[1] = t;
    }
    if (r[1] > r[2]) {
        t = r[1], r[1] = r[2], r[2] = t;
    }
    return r[0] > r[1] ? r[0] : r[1];
}

/* Child: the platform served at @name until killed. */
static void serve_vp(const char *name, int cpu, uint32_t ram_mib)
{
    struct mcdshm_server_opts so = { .name = name, .policy = "hybrid" };
    struct mcdshm_server *s;
    struct vp_config c;
    struct vp *vp;
    char err[256];

    pin(cpu);
    vp_config_default(&c);
    c.ram_size = (uint64_t)ram_mib << 20;
    if (vp_create(&c, &vp, err, sizeof(err)) < 0 ||
        mcdshm_server_start(vp_target(vp), &so, &s, err, sizeof(err)) < 0) {
        fprintf(stderr, "mcdshm-bench: platform: %s\n", err);
        _exit(2);
    }
    for (;;) {
        pause();
    }
}

static void die_mcd(const char *what, const mcd_core_st *core)
{
    mcd_error_info_st e;

    mcd_qry_error_info_f(core, &e);
    fprintf(stderr, "mcdshm-bench: relay: %s: %s (error 0x%x)\n", what,
            e.error_str, e.error_code);
    exit(1);
}

static mcd_core_st *open_core0(const char *cfg, mcd_server_st **srv)
{
    mcd_core_con_info_st ci;
    mcd_core_st *core;
    uint32_t n = 1;
    int tries;

    for (tries = 0; mcd_open_server_f("", cfg, srv) != MCD_RET_ACT_NONE;
         tries++) {
        if (tries > 200) {
            die_mcd("mcd_open_server_f", NULL);
        }
        usleep(20000);
    }
    if (mcd_qry_cores_f(NULL, 0, &n, &ci) != MCD_RET_ACT_NONE ||
        mcd_open_core_f(&ci, &core) != MCD_RET_ACT_NONE) {
        die_mcd("opening core 0", NULL);
    }
    return core;
}

static struct lat state_rtt(mcd_core_st *core, unsigned n)
{
    uint64_t *s = calloc(n, sizeof(*s));
    mcd_core_state_st st;
    struct lat l;

    for (unsigned i = 0; i < n + 100; i++) {
        uint64_t t0 = now_ns();

        if (mcd_qry_state_f(core, &st) != MCD_RET_ACT_NONE) {
            die_mcd("mcd_qry_state_f", core);
        }
        if (i >= 100) {
            s[i - 100] = now_ns() - t0;
        }
    }
    l = summarize(s, n);
    free(s);
    return l;
}

/* Median GB/s of three dumps of @len bytes of RAM. */
static double dump_rate(mcd_core_st *core, uint8_t *buf, size_t len)
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
    if (r[0] > r[1]) {
        t = r[0], r[0] = r[1], r[1] = t;
    }
    if (r[1] > r[2]) {
        t = r[1], r[1] = r[2], r[2] = t;
    }
    return r[0] > r[1] ? r[0] : r[1];
}

static pid_t start_relay(const char *bin, const char *ep, int port)
{
    char listen[64];
    pid_t pid;

    snprintf(listen, sizeof(listen), "tcp://127.0.0.1:%d", port);
    pid = fork_or_die();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        dup2(null, 2); /* its session log would interleave with the rows */
        execl(bin, bin, "--endpoint", ep, "--listen", listen, "--plain",
              (char *)NULL);
        fprintf(stderr, "mcdshm-bench: exec %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    return pid;
}

/**
 * bench_relay() - measure the relay beside the TCP references and print
 * their rows and the goal line.
 * @o: the options (samples, CPUs, dump size)
 */
void bench_relay(const struct opts *o)
{
    char bin[PATH_MAX], name[64], ep[SHM_PATH_MAX], err[SHM_ERRLEN];
    char cfg[256];
    size_t len = (size_t)o->dump_mib << 20;
    unsigned n = o->samples / 10 < 20000 ? o->samples / 10 : 20000;
    uint8_t *buf = malloc(len);
    double relay_gbs, rpc_gbs, stream_gbs;
    mcd_server_st *srv;
    mcd_core_st *core;
    pid_t vp_pid, relay_pid;
    struct lat rtt;
    int port, lfd;
    struct stat st;

    if (relay_path(bin, sizeof(bin)) < 0) {
        printf("relay: not measured: no mcdshm-relay next to mcdshm-bench "
               "(set MCDSHM_RELAY)\n");
        free(buf);
        return;
    }
    snprintf(name, sizeof(name), "bench-relay-%d", (int)getpid());
    if (!buf || shm_endpoint_path(name, ep, sizeof(ep), err) < 0) {
        fprintf(stderr, "mcdshm-bench: %s\n", buf ? err : "out of memory");
        exit(1);
    }
    vp_pid = fork_or_die();
    if (vp_pid == 0) {
        serve_vp(name, o->cpu_server, o->dump_mib + 16);
    }
    for (int i = 0; i < 500 && stat(ep, &st) < 0; i++) {
        usleep(10000);
    }
    lfd = listen_any(&port); /* reserve a free port, then hand it over */
    close(lfd);
    relay_pid = start_relay(bin, ep, port);
    pin(o->cpu_client);
    snprintf(cfg, sizeof(cfg),
             "McdShmRelay=\"tcp://127.0.0.1:%d\" McdShmRelayPlain=TRUE", port);
    core = open_core0(cfg, &srv);
    memset(buf, 0, len);
    rtt = state_rtt(core, n ? n : 1);
    relay_gbs = dump_rate(core, buf, len);
    mcd_close_core_f(core);
    mcd_close_server_f(srv);
    kill(relay_pid, SIGKILL);
    waitpid(relay_pid, NULL, 0);
    kill(vp_pid, SIGKILL);
    waitpid(vp_pid, NULL, 0);
    unlink(ep);
    free(buf);

    rpc_gbs = tcp_reference(o, len, false);
    stream_gbs = tcp_reference(o, len, true);
    print_lat("relay tcp://127.0.0.1 mcd_qry_state_f", rtt);
    printf("relay tcp://127.0.0.1 dump %3u MiB     %6.2f GB/s\n", o->dump_mib,
           relay_gbs);
    printf("tcp rpc 256 KiB, one in flight %3u MiB %6.2f GB/s\n", o->dump_mib,
           rpc_gbs);
    printf("floor: tcp stream %3u MiB              %6.2f GB/s\n", o->dump_mib,
           stream_gbs);
    goal("tcp rpc GB/s / relay dump GB/s", rpc_gbs / relay_gbs, 1.0);
}
