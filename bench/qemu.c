/*
 * qemu.c - mcdshm-bench against the patched QEMU (qemu-side/qemu): the
 * mcd_qry_state_f round trip and a physical-memory dump of the running
 * guest through mcdshm, side by side with the same dump through QEMU's own
 * gdbstub (remote protocol 'm' packets of 2 KiB, the most QEMU 7.2 allows,
 * over -gdb unix:...) and through QMP
 * (JSON: human-monitor-command "xp", the monitor's memory dump), in one run.
 *
 * QEMU runs test_prog.elf on -machine virt -smp 4 (started running, not
 * -S).  The paths come from the build (MCDSHM_BENCH_QEMU, MCDSHM_BENCH_PROG)
 * or from $MCDSHM_QEMU and $MCDSHM_TEST_ELF; without them the QEMU part
 * says it is skipped and why.  The gdbstub stops the VM when a debugger
 * attaches (QEMU's behaviour), so its dump reads a stopped guest; the QMP
 * and mcdshm dumps read the running guest.  Single-threaded; QEMU is a
 * child process, killed by its pid at the end.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "mcd/mcd_api.h"

#define RAM_BASE 0x80000000ull
#define GDB_CHUNK 2048 /* QEMU 7.2's gdbstub: at most 2 KiB per 'm' */
#define QMP_CHUNK 4096 /* bytes per "xp /512xg" */
#define BASELINE_MAX_NS 20000000000ull /* stop a baseline after 20 s */

#ifndef MCDSHM_BENCH_QEMU
#define MCDSHM_BENCH_QEMU ""
#endif
#ifndef MCDSHM_BENCH_PROG
#define MCDSHM_BENCH_PROG ""
#endif

static void qdie(const char *fmt, const char *arg)
{
    fprintf(stderr, "mcdshm-bench: qemu: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(1);
}

static int unix_connect(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd, tries;

    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    for (tries = 0; tries < 3000; tries++) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            qdie("socket: %s", strerror(errno));
        }
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
            return fd;
        }
        close(fd);
        usleep(10000);
    }
    qdie("cannot connect to %s", path);
    return -1;
}

static void send_all(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n) {
        w = write(fd, p, n);
        if (w <= 0) {
            qdie("write: %s", strerror(errno));
        }
        p += w;
        n -= (size_t)w;
    }
}

/* ---- gdbstub: the remote serial protocol, no-ack mode ---- */

struct rsp {
    int fd;
    bool ack; /* acknowledge every packet ('+'): no no-ack mode */
    char buf[65536];
    size_t have, off;
};

static int rsp_getc(struct rsp *r)
{
    ssize_t n;

    if (r->off == r->have) {
        n = read(r->fd, r->buf, sizeof(r->buf));
        if (n <= 0) {
            qdie("gdbstub: connection closed%s", "");
        }
        r->have = (size_t)n;
        r->off = 0;
    }
    return (unsigned char)r->buf[r->off++];
}

static void rsp_send(struct rsp *r, const char *payload)
{
    char pkt[256];
    unsigned sum = 0;
    const char *p;

    for (p = payload; *p; p++) {
        sum += (unsigned char)*p;
    }
    snprintf(pkt, sizeof(pkt), "$%s#%02x", payload, sum & 0xff);
    send_all(r->fd, pkt, strlen(pkt));
}

/* Receive one packet's payload into @out (hex decoded when @hex). */
static size_t rsp_recv(struct rsp *r, uint8_t *out, size_t room, bool hex)
{
    size_t n = 0;
    int c, hi = -1;

    while ((c = rsp_getc(r)) != '$') {
        /* acks and stray bytes */
    }
    while ((c = rsp_getc(r)) != '#') {
        if (!hex) {
            if (n < room) {
                out[n++] = (uint8_t)c;
            }
            continue;
        }
        c = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        if (hi < 0) {
            hi = c;
        } else {
            if (n < room) {
                out[n++] = (uint8_t)(hi << 4 | c);
            }
            hi = -1;
        }
    }
    rsp_getc(r);
    rsp_getc(r);
    return n;
}

static double gdb_dump(const char *sock, uint8_t *buf, size_t len, size_t *done)
{
    struct rsp r = { .fd = unix_connect(sock) };
    char cmd[64];
    uint8_t tmp[64];
    uint64_t t0, t;
    size_t off, got;

    /* QEMU stops the VM on attach and says so first ("T02thread:01;"). */
    rsp_recv(&r, tmp, sizeof(tmp), false);
    send_all(r.fd, "+", 1);
    /* 7.2 answers QStartNoAckMode with "" (unsupported): acks stay on. */
    rsp_send(&r, "QStartNoAckMode");
    got = rsp_recv(&r, tmp, sizeof(tmp), false);
    r.ack = got != 2 || memcmp(tmp, "OK", 2) != 0;
    if (r.ack) {
        send_all(r.fd, "+", 1);
    }
    t0 = now_ns();
    for (off = 0; off < len; off += GDB_CHUNK) {
        snprintf(cmd, sizeof(cmd), "m%llx,%x",
                 (unsigned long long)(RAM_BASE + off), GDB_CHUNK);
        rsp_send(&r, cmd);
        got = rsp_recv(&r, buf + off, GDB_CHUNK, true);
        if (r.ack) {
            send_all(r.fd, "+", 1);
        }
        if (got != GDB_CHUNK) {
            qdie("gdbstub: short reply to %s", cmd);
        }
        if (now_ns() - t0 > BASELINE_MAX_NS) {
            off += GDB_CHUNK;
            break;
        }
    }
    t = now_ns() - t0;
    *done = off < len ? off : len;
    rsp_send(&r, "D");
    rsp_recv(&r, tmp, sizeof(tmp), false);
    close(r.fd);
    return (double)*done / (double)t;
}

/* ---- QMP: JSON commands, "xp" through human-monitor-command ---- */

/* Read one JSON reply line (the monitor ends each with \r\n). */
static size_t qmp_line(int fd, char *out, size_t room)
{
    size_t n = 0;
    char c;

    for (;;) {
        if (read(fd, &c, 1) != 1) {
            qdie("QMP: connection closed%s", "");
        }
        if (c == '\n') {
            break;
        }
        if (n + 1 < room) {
            out[n++] = c;
        }
    }
    out[n] = '\0';
    return n;
}

/* One command; skips events; returns the reply line. */
static void qmp_cmd(int fd, const char *json, char *reply, size_t room)
{
    send_all(fd, json, strlen(json));
    do {
        qmp_line(fd, reply, room);
    } while (strstr(reply, "\"event\""));
    if (!strstr(reply, "\"return\"")) {
        qdie("QMP: %s", reply);
    }
}

/* Parse the "xp /512xg" text: lines "addr: 0x... 0x...". */
static size_t qmp_parse(const char *p, uint8_t *out, size_t room)
{
    unsigned long long v;
    size_t n = 0;
    int k;

    while ((p = strstr(p, ": ")) != NULL) {
        p += 2;
        while (n + 8 <= room && sscanf(p, "0x%llx", &v) == 1) {
            for (k = 0; k < 8; k++) {
                out[n++] = (uint8_t)(v >> (8 * k));
            }
            p = strchr(p, ' ');
            if (!p || p[1] != '0') {
                break;
            }
            p++;
        }
        if (!p) {
            break;
        }
    }
    return n;
}

static double qmp_dump(const char *sock, uint8_t *buf, size_t len, size_t *done)
{
    static char reply[1 << 20];
    int fd = unix_connect(sock);
    char cmd[256];
    uint64_t t0, t;
    size_t off;

    qmp_line(fd, reply, sizeof(reply)); /* greeting */
    qmp_cmd(fd, "{\"execute\":\"qmp_capabilities\"}\n", reply, sizeof(reply));
    t0 = now_ns();
    for (off = 0; off < len; off += QMP_CHUNK) {
        snprintf(cmd, sizeof(cmd),
                 "{\"execute\":\"human-monitor-command\",\"arguments\":"
                 "{\"command-line\":\"xp /%ux%c 0x%llx\"}}\n",
                 QMP_CHUNK / 8, 'g', (unsigned long long)(RAM_BASE + off));
        qmp_cmd(fd, cmd, reply, sizeof(reply));
        if (qmp_parse(reply, buf + off, QMP_CHUNK) != QMP_CHUNK) {
            qdie("QMP: could not parse the xp output: %.200s", reply);
        }
        if (now_ns() - t0 > BASELINE_MAX_NS) {
            off += QMP_CHUNK;
            break;
        }
    }
    t = now_ns() - t0;
    *done = off < len ? off : len;
    close(fd);
    return (double)*done / (double)t;
}

/* ---- mcdshm ---- */

static void mdie(const char *what, const mcd_core_st *core)
{
    mcd_error_info_st e;

    mcd_qry_error_info_f(core, &e);
    fprintf(stderr, "mcdshm-bench: qemu: %s: %s\n", what, e.error_str);
    exit(1);
}

static double mcd_dump(mcd_core_st *core, uint8_t *buf, size_t len)
{
    double best = 0, r;
    int i;

    for (i = 0; i < 3; i++) {
        mcd_tx_st tx = { .addr = { .address = RAM_BASE, .mem_space_id = 1 },
                         .access_type = MCD_TX_AT_R,
                         .data = buf,
                         .num_bytes = (uint32_t)len };
        mcd_txlist_st l = { &tx, 1, 0 };
        uint64_t t0 = now_ns();

        if (mcd_execute_txlist_f(core, &l) != MCD_RET_ACT_NONE ||
            tx.num_bytes_ok != len) {
            mdie("mcd_execute_txlist_f (dump)", core);
        }
        r = (double)len / (double)(now_ns() - t0);
        best = r > best ? r : best;
    }
    return best;
}

static struct lat mcd_state_rtt(mcd_core_st *core, unsigned n)
{
    uint64_t *s = calloc(n, sizeof(*s));
    mcd_core_state_st st;
    unsigned i;

    if (!s) {
        qdie("out of memory%s", "");
    }
    for (i = 0; i < n + 100; i++) {
        uint64_t t0 = now_ns();

        if (mcd_qry_state_f(core, &st) != MCD_RET_ACT_NONE) {
            mdie("mcd_qry_state_f", core);
        }
        if (i >= 100) {
            s[i - 100] = now_ns() - t0;
        }
    }
    return summarize(s, n);
}

static pid_t start_qemu(const char *qemu, const char *prog, const char *dir,
                        uint32_t ram_mib, int cpu)
{
    char mcd[512], gdb[512], qmp[512], mem[32], ram[96];
    pid_t pid;

    snprintf(mcd, sizeof(mcd), "shm,name=bench,iothread=io0,path=%s/mcd.sock",
             dir);
    snprintf(gdb, sizeof(gdb), "unix:%s/gdb.sock,server=on,wait=off", dir);
    snprintf(qmp, sizeof(qmp), "unix:%s/qmp.sock,server=on,wait=off", dir);
    snprintf(mem, sizeof(mem), "%uM", ram_mib);
    /* Guest RAM as a shared memfd: mcdshm offers it as a direct window. */
    snprintf(ram, sizeof(ram),
             "memory-backend-memfd,id=ram,size=%uM,share=on", ram_mib);
    pid = fork_or_die();
    if (pid == 0) {
        /* On the server CPU, as every server of the bench: its vCPU
         * threads spin and would otherwise take the debugger's CPU. */
        pin(cpu);
        execl(qemu, qemu, "-machine", "virt,memory-backend=ram", "-object",
              ram, "-smp", "4", "-m", mem,
              "-display", "none", "-serial", "null", "-monitor", "none",
              "-nodefaults", "-bios", "none", "-kernel", prog, "-object",
              "iothread,id=io0", "-mcd", mcd, "-gdb", gdb, "-qmp", qmp,
              (char *)NULL);
        fprintf(stderr, "mcdshm-bench: exec %s: %s\n", qemu, strerror(errno));
        _exit(127);
    }
    return pid;
}

/* The measurement "qemu" (see bench.h): rows of qemu-mcdshm,
 * qemu-gdbstub and qemu-qmp; goals() compares them. */
void bench_qemu(const struct opts *o)
{
    const char *qemu = getenv("MCDSHM_QEMU");
    const char *prog = getenv("MCDSHM_TEST_ELF");
    size_t len = (size_t)o->dump_mib << 20, gdone, qdone;
    char dir[] = "/tmp/mcdshm-bench-qemu.XXXXXX", cfg[600], sock[560];
    double mgbs, sgbs, ggbs, qgbs, v;
    mcd_core_con_info_st ci;
    mcd_server_st *srv;
    mcd_core_st *core;
    struct lat rtt;
    uint8_t *buf;
    uint32_t n = 1;
    pid_t pid;
    int tries;

    qemu = qemu && *qemu ? qemu : MCDSHM_BENCH_QEMU;
    prog = prog && *prog ? prog : MCDSHM_BENCH_PROG;
    if (!*qemu || access(qemu, X_OK) != 0 || !*prog ||
        access(prog, R_OK) != 0) {
        progress("qemu skipped: no patched QEMU or test_prog.elf (configure "
                 "with -DMCDSHM_QEMU=ON, or set MCDSHM_QEMU and "
                 "MCDSHM_TEST_ELF)");
        return;
    }
    if (o->quick) {
        progress("qemu skipped in --quick runs (its gdbstub and QMP dumps "
                 "take 20 s budgets)");
        return;
    }
    buf = malloc(len);
    if (!buf || !mkdtemp(dir)) {
        qdie("cannot set up: %s", strerror(errno));
    }
    memset(buf, 0, len);
    pid = start_qemu(qemu, prog, dir, o->dump_mib + 64, o->cpu_server);
    snprintf(sock, sizeof(sock), "%s/mcd.sock", dir);
    snprintf(cfg, sizeof(cfg), "McdShmEndpoint=\"%s\"", sock);
    for (tries = 0; mcd_open_server_f("", cfg, &srv) != MCD_RET_ACT_NONE;
         tries++) {
        if (tries > 3000) {
            mdie("mcd_open_server_f (QEMU)", NULL);
        }
        usleep(10000);
    }
    if (mcd_qry_cores_f(NULL, 0, &n, &ci) != MCD_RET_ACT_NONE ||
        mcd_open_core_f(&ci, &core) != MCD_RET_ACT_NONE) {
        mdie("opening QEMU's core 0", NULL);
    }
    rtt = mcd_state_rtt(core, o->samples / 20);
    mgbs = mcd_dump(core, buf, len);
    /* The same with the VM stopped, as the gdbstub reads it. */
    if (mcd_stop_f(core, TRUE) != MCD_RET_ACT_NONE) {
        mdie("mcd_stop_f", core);
    }
    sgbs = mcd_dump(core, buf, len);
    if (mcd_run_f(core, TRUE) != MCD_RET_ACT_NONE) {
        mdie("mcd_run_f", core);
    }
    mcd_close_core_f(core);
    mcd_close_server_f(srv);

    snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
    qgbs = qmp_dump(sock, buf, len, &qdone);
    snprintf(sock, sizeof(sock), "%s/gdb.sock", dir);
    ggbs = gdb_dump(sock, buf, len, &gdone);

    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    snprintf(sock, sizeof(sock), "%s/mcd.sock", dir);
    unlink(sock);
    snprintf(sock, sizeof(sock), "%s/gdb.sock", dir);
    unlink(sock);
    snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
    unlink(sock);
    rmdir(dir);
    free(buf);

    v = rtt.p50;
    res_add("qemu-mcdshm", "rtt-p50", 0, "ns", &v, 1);
    v = rtt.p99;
    res_add("qemu-mcdshm", "rtt-p99", 0, "ns", &v, 1);
    res_add("qemu-mcdshm", "dump", len, "GB/s", &mgbs, 1);
    res_add("qemu-mcdshm", "dump-stopped", len, "GB/s", &sgbs, 1);
    res_add("qemu-gdbstub", "dump", len, "GB/s", &ggbs, 1);
    v = (double)gdone;
    res_add("qemu-gdbstub", "dump-bytes-timed", len, "B", &v, 1);
    res_add("qemu-qmp", "dump", len, "GB/s", &qgbs, 1);
    v = (double)qdone;
    res_add("qemu-qmp", "dump-bytes-timed", len, "B", &v, 1);
}
