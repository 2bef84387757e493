/*
 * mcdshm-bench: mcdshm beside the physical floor and beside every
 * transport MCD has been carried over before, measured in one run so the
 * ratios are fair on a noisy machine.  Every figure is taken
 * --repeats times and reported as median, min and max (report.c).
 *
 * Every measurement runs between two processes, the client pinned to one
 * CPU and the server to another:
 *   floor      a cache line bounced between the two processes; a blocking
 *              eventfd ping-pong (the floor of any sleeping wait); memcpy
 *              of the dump size in one thread;
 *   ring       request/response round trips through a real mcdshm region
 *              (handshake, rings, doorbells) for 64- and 256-byte records
 *              under the busy, hybrid and sleep policies, pipelined
 *              throughput, and the server's CPU while idle;
 *   mcdshm-*   the full path, libmcdshm.so to mcdshm-vp (full.c), and
 *   qmp-unix, rpc-tcp, rpc-unix, zmq-ipc, zmq-tcp
 *              the baselines (qmp.c, rpc.c, zmq.c), all running the same
 *              workloads against the same platform (work.c);
 *   connections  1..N debugger processes on one mcdshm server (full.c).
 * Each timed sample includes one clock_gettime() on each end; so do the
 * floors, so the ratios are like for like.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdarg.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "shm/conn.h"
#include "shm/doorbell.h"

uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void pin(int cpu)
{
    cpu_set_t set;

    if (cpu < 0) {
        return;
    }
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) < 0) {
        fprintf(stderr, "mcdshm-bench: cannot pin to CPU %d: %s\n", cpu,
                strerror(errno));
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

struct lat summarize(uint64_t *s, unsigned n)
{
    struct lat l;
    double sum = 0;
    unsigned i;

    qsort(s, n, sizeof(*s), cmp_u64);
    for (i = 0; i < n; i++) {
        sum += (double)s[i];
    }
    l.p50 = (double)s[n / 2];
    l.p99 = (double)s[(size_t)n * 99 / 100];
    l.mean = sum / n;
    return l;
}

static void *shared_map(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        perror("mcdshm-bench: mmap");
        exit(1);
    }
    return p;
}

pid_t fork_or_die(void)
{
    pid_t pid = fork();

    if (pid < 0) {
        perror("mcdshm-bench: fork");
        exit(1);
    }
    return pid;
}

/* The floor: one cache line bounced between two processes. */
static struct lat bench_pingpong(const struct opts *o)
{
    uint64_t *line = shared_map(4096), *s = xmalloc(o->samples * 8ull);
    pid_t pid = fork_or_die();
    struct lat l;
    unsigned i;

    if (pid == 0) {
        uint64_t v;

        pin(o->cpu_server);
        for (v = 1; v <= 2ull * (o->samples + 1000); v += 2) {
            while (READ_ONCE(*line) != v) {
                cpu_relax();
            }
            WRITE_ONCE(*line, v + 1);
        }
        _exit(0);
    }
    pin(o->cpu_client);
    for (i = 0; i < o->samples + 1000; i++) {
        uint64_t t0 = now_ns(), v = 2ull * i + 1;

        WRITE_ONCE(*line, v);
        while (READ_ONCE(*line) != v + 1) {
            cpu_relax();
        }
        if (i >= 1000) {
            s[i - 1000] = now_ns() - t0;
        }
    }
    waitpid(pid, NULL, 0);
    munmap(line, 4096);
    l = summarize(s, o->samples);
    free(s);
    return l;
}

/* The sleeping floor: blocking eventfd ping-pong between two processes. */
static struct lat bench_eventfd(const struct opts *o, unsigned n)
{
    int a = eventfd(0, 0), b = eventfd(0, 0);
    uint64_t *s = xmalloc(n * 8ull), v = 1;
    pid_t pid = fork_or_die();
    struct lat l;
    unsigned i;

    if (pid == 0) {
        pin(o->cpu_server);
        for (i = 0; i < n + 100; i++) {
            if (read(a, &v, 8) != 8 || write(b, &v, 8) != 8) {
                _exit(1);
            }
        }
        _exit(0);
    }
    pin(o->cpu_client);
    for (i = 0; i < n + 100; i++) {
        uint64_t t0 = now_ns();

        if (write(a, &v, 8) != 8 || read(b, &v, 8) != 8) {
            perror("mcdshm-bench: eventfd");
            exit(1);
        }
        if (i >= 100) {
            s[i - 100] = now_ns() - t0;
        }
    }
    waitpid(pid, NULL, 0);
    close(a);
    close(b);
    l = summarize(s, n);
    free(s);
    return l;
}

/* ------------------------------------------------------------------------
 * The ring through a real connection
 */

struct server_args {
    enum shm_policy policy;
    char name[32];
    int cpu;
};

/* Echo server: copy @size bytes of each request into its response. */
static void echo_serve(const struct server_args *a)
{
    struct shm_listener l;
    struct shm_conn c;
    struct shm_ring req, resp;
    struct shm_waiter w;
    char err[SHM_ERRLEN];
    int n;

    pin(a->cpu);
    if (shm_listen(a->name, NULL, &l, err) < 0 || shm_accept(&l, &c, err) < 0) {
        fprintf(stderr, "mcdshm-bench server: %s\n", err);
        _exit(2);
    }
    shm_listener_close(&l);
    shm_region_req_ring(&c.region, &req, false);
    shm_region_resp_ring(&c.region, &resp, true);
    if (shm_waiter_init(&w, a->policy, 0, c.req_efd, c.sock) < 0) {
        _exit(2);
    }
    while ((n = shm_doorbell_wait(&req, &w, -1)) > 0) {
        if (shm_ring_free(&resp, (uint32_t)n) < n) {
            _exit(3);
        }
        for (int i = 0; i < n; i++) {
            const struct mcdshm_req *q = shm_ring_peek(&req);
            struct mcdshm_resp *r = shm_ring_next(&resp);
            uint32_t size = q->hdr.payload_len;

            r->hdr.seq = q->hdr.seq;
            r->hdr.fn = q->hdr.fn;
            r->hdr.ret = 0;
            r->hdr.payload_len = size;
            if (size > sizeof(r->hdr)) {
                memcpy(&r->u, &q->u, size - sizeof(r->hdr));
            }
            shm_ring_release(&req, 1);
            shm_ring_publish(&resp, 1);
        }
        shm_doorbell_ring(resp.ctl, c.resp_efd);
    }
    _exit(n == -EPIPE ? 0 : 4);
}

struct client {
    char path[SHM_PATH_MAX];
    struct shm_conn c;
    struct shm_ring req, resp;
    struct shm_waiter w;
    pid_t server;
};

static void client_open(struct client *cl, enum shm_policy policy,
                        const struct opts *o)
{
    struct server_args a = { .policy = policy, .cpu = o->cpu_server };
    char *path = cl->path, err[SHM_ERRLEN];
    int tries;

    unique_name(a.name, sizeof(a.name), shm_policy_name(policy));
    cl->server = fork_or_die();
    if (cl->server == 0) {
        echo_serve(&a);
    }
    if (shm_endpoint_path(a.name, path, sizeof(cl->path), err) < 0) {
        fprintf(stderr, "mcdshm-bench: %s\n", err);
        exit(1);
    }
    for (tries = 0; shm_connect(path, NULL, &cl->c, err) < 0; tries++) {
        if (tries > 2000) {
            fprintf(stderr, "mcdshm-bench: connect: %s\n", err);
            exit(1);
        }
        usleep(1000);
    }
    shm_region_req_ring(&cl->c.region, &cl->req, true);
    shm_region_resp_ring(&cl->c.region, &cl->resp, false);
    if (shm_waiter_init(&cl->w, policy, 0, cl->c.resp_efd, cl->c.sock) < 0) {
        perror("mcdshm-bench: epoll");
        exit(1);
    }
}

static void client_close(struct client *cl)
{
    shm_waiter_destroy(&cl->w);
    shm_conn_close(&cl->c);
    waitpid(cl->server, NULL, 0);
    unlink(cl->path);
}

/* Write one request of @size bytes (header included). */
static void put_request(struct client *cl, uint32_t size)
{
    struct mcdshm_req *q = shm_ring_next(&cl->req);

    q->hdr.seq = shm_ring_tail(&cl->req);
    q->hdr.fn = MCDSHM_FN_QRY_STATE;
    q->hdr.payload_len = size;
    memset(&q->u, 0xA5, size - sizeof(q->hdr));
    shm_ring_publish(&cl->req, 1);
}

/* Read one response, checking it answers request @seq. */
static void take_response(struct client *cl, uint32_t seq, uint32_t size)
{
    const struct mcdshm_resp *r = shm_ring_peek(&cl->resp);
    uint8_t body[MCDSHM_RESP_BODY_SIZE];

    memcpy(body, &r->u, size - sizeof(r->hdr));
    if (r->hdr.seq != seq || body[0] != 0xA5) {
        fprintf(stderr, "mcdshm-bench: response %u is wrong\n", seq);
        exit(1);
    }
    shm_ring_release(&cl->resp, 1);
}

static void wait_response(struct client *cl)
{
    int n = shm_doorbell_wait(&cl->resp, &cl->w, 10000);

    if (n <= 0) {
        fprintf(stderr, "mcdshm-bench: waiting for a response: %s\n",
                strerror(-n));
        exit(1);
    }
}

static struct lat ring_rtt(struct client *cl, uint32_t size, unsigned n)
{
    uint64_t *s = xmalloc(n * 8ull);
    struct lat l;
    unsigned i;

    for (i = 0; i < n + 100; i++) {
        uint32_t seq = shm_ring_tail(&cl->req);
        uint64_t t0 = now_ns();

        put_request(cl, size);
        shm_doorbell_ring(cl->req.ctl, cl->c.req_efd);
        wait_response(cl);
        take_response(cl, seq, size);
        if (i >= 100) {
            s[i - 100] = now_ns() - t0;
        }
    }
    l = summarize(s, n);
    free(s);
    return l;
}

struct thru {
    double mrec_s, enq_ns, deq_ns;
};

/* Pipelined: keep the ring full, time enqueue and dequeue separately. */
static struct thru ring_throughput(struct client *cl, uint32_t size, unsigned n)
{
    uint32_t nslots = cl->c.region.lay.nslots, sent = 0, got = 0;
    uint32_t base = shm_ring_tail(&cl->req);
    uint64_t enq = 0, deq = 0, t0 = now_ns(), t;
    struct thru r;

    while (got < n) {
        int k = shm_ring_free(&cl->req, nslots - (sent - got));

        t = now_ns();
        for (; k > 0 && sent - got < nslots && sent < n; k--, sent++) {
            put_request(cl, size);
        }
        shm_doorbell_ring(cl->req.ctl, cl->c.req_efd);
        enq += now_ns() - t;
        if (shm_ring_avail(&cl->resp) == 0) {
            wait_response(cl);
        }
        t = now_ns();
        for (k = shm_ring_avail(&cl->resp); k > 0; k--, got++) {
            take_response(cl, base + got, size);
        }
        deq += now_ns() - t;
    }
    t = now_ns() - t0;
    r.mrec_s = n / (t / 1e3);
    r.enq_ns = (double)enq / n;
    r.deq_ns = (double)deq / n;
    return r;
}

/*
 * CPU time (ns) used so far by process @pid (0: this one), all its threads
 * together, from the kernel's per-process CPU clock (exact, not in ticks).
 */
uint64_t cpu_ns(pid_t pid)
{
    struct timespec ts;
    clockid_t clk = CLOCK_PROCESS_CPUTIME_ID;

    if (pid != 0 && clock_getcpuclockid(pid, &clk) != 0) {
        return 0;
    }
    if (clock_gettime(clk, &ts) < 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Server CPU use while idle, after one request woke it up. */
static double idle_cpu_pct(struct client *cl, unsigned ms)
{
    uint64_t c0, c1, t0, t1;

    (void)ring_rtt(cl, 64, 1);
    c0 = cpu_ns(cl->server);
    t0 = now_ns();
    usleep(ms * 1000);
    c1 = cpu_ns(cl->server);
    t1 = now_ns();
    return 100.0 * (double)(c1 - c0) / (double)(t1 - t0);
}

void *xmalloc(size_t len)
{
    void *p = malloc(len ? len : 1);

    if (!p) {
        fprintf(stderr, "mcdshm-bench: out of memory (%zu bytes)\n", len);
        exit(1);
    }
    return p;
}

void progress(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "mcdshm-bench: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void unique_name(char *buf, size_t len, const char *what)
{
    static unsigned n;

    snprintf(buf, len, "%s-%d-%u", what, (int)getpid(), n++);
}

/* ------------------------------------------------------------------------
 * Measurements: each records its rows with res_add(), o->repeats values
 */

static void m_floor(const struct opts *o)
{
    unsigned R = o->repeats;
    double v[5][64];

    for (unsigned r = 0; r < R; r++) {
        struct lat l;

        l = bench_pingpong(o);
        v[0][r] = l.p50;
        v[1][r] = l.p99;
        l = bench_eventfd(o, o->samples / 4);
        v[2][r] = l.p50;
        v[3][r] = l.p99;
        v[4][r] = bench_memcpy_once(o->dump_mib);
    }
    res_add("floor", "pingpong-p50", 0, "ns", v[0], R);
    res_add("floor", "pingpong-p99", 0, "ns", v[1], R);
    res_add("floor", "eventfd-p50", 0, "ns", v[2], R);
    res_add("floor", "eventfd-p99", 0, "ns", v[3], R);
    res_add("floor", "memcpy", (uint64_t)o->dump_mib << 20, "GB/s", v[4], R);
}

static void m_ring(const struct opts *o)
{
    static const enum shm_policy pol[] = { SHM_POLICY_BUSY, SHM_POLICY_HYBRID,
                                           SHM_POLICY_SLEEP };
    static const uint32_t sizes[] = { 64, 256 };
    unsigned R = o->repeats;

    for (size_t p = 0; p < 3; p++) {
        unsigned n = pol[p] == SHM_POLICY_SLEEP ? o->samples / 4 : o->samples;
        double v[7][64];
        struct client cl;
        char name[32];

        snprintf(name, sizeof(name), "ring-%s", shm_policy_name(pol[p]));
        progress("%s: round trips, throughput, idle", name);
        client_open(&cl, pol[p], o);
        for (size_t s = 0; s < 2; s++) {
            for (unsigned r = 0; r < R; r++) {
                struct lat l = ring_rtt(&cl, sizes[s], n);
                struct thru t = ring_throughput(&cl, sizes[s], o->records);

                v[0][r] = l.p50;
                v[1][r] = l.p99;
                v[2][r] = t.mrec_s;
                v[3][r] = t.enq_ns;
                v[4][r] = t.deq_ns;
            }
            res_add(name, "ring-rtt-p50", sizes[s], "ns", v[0], R);
            res_add(name, "ring-rtt-p99", sizes[s], "ns", v[1], R);
            res_add(name, "ring-thru", sizes[s], "Mrec/s", v[2], R);
            res_add(name, "ring-enqueue", sizes[s], "ns/rec", v[3], R);
            res_add(name, "ring-dequeue", sizes[s], "ns/rec", v[4], R);
        }
        for (unsigned r = 0; r < R; r++) {
            v[5][r] = idle_cpu_pct(&cl, o->idle_ms);
        }
        res_add(name, "cpu-idle-server", 0, "%", v[5], R);
        client_close(&cl);
    }
}

static void m_mcdshm_busy(const struct opts *o)
{
    run_xport(&xport_mcdshm[0], o);
}

static void m_mcdshm_hybrid(const struct opts *o)
{
    run_xport(&xport_mcdshm[1], o);
}

static void m_mcdshm_sleep(const struct opts *o)
{
    run_xport(&xport_mcdshm[2], o);
}

static void m_mcdshm_rings(const struct opts *o)
{
    run_xport(&xport_mcdshm_rings, o);
}

static void m_mcdshm_relay(const struct opts *o)
{
    run_xport(&xport_mcdshm_relay, o);
}

static void m_systemc(const struct opts *o)
{
    bench_systemc(o);
}

static void m_qemu(const struct opts *o)
{
    bench_qemu(o);
}

static void m_qmp(const struct opts *o)
{
    run_xport(&xport_qmp_unix, o);
}

static void m_rpc_tcp(const struct opts *o)
{
    run_xport(&xport_rpc_tcp, o);
}

static void m_rpc_unix(const struct opts *o)
{
    run_xport(&xport_rpc_unix, o);
}

static void m_zmq_ipc(const struct opts *o)
{
    run_xport(&xport_zmq_ipc, o);
}

static void m_zmq_tcp(const struct opts *o)
{
    run_xport(&xport_zmq_tcp, o);
}

/*
 * Every measurement, in the order they run.  To add one (e.g. a relay or
 * another platform): write `void fn(const struct opts *o)` that records
 * its rows with res_add() (or a struct xport run with run_xport()), and
 * add a line here.  --only matches the name.
 */
static const struct measurement {
    const char *name;
    void (*run)(const struct opts *o);
} measurements[] = {
    { "floor", m_floor },
    { "ring", m_ring },
    { "mcdshm-busy", m_mcdshm_busy },
    { "mcdshm-hybrid", m_mcdshm_hybrid },
    { "mcdshm-sleep", m_mcdshm_sleep },
    { "mcdshm-rings", m_mcdshm_rings },
    { "mcdshm-relay", m_mcdshm_relay },
    { "qmp-unix", m_qmp },
    { "rpc-tcp", m_rpc_tcp },
    { "rpc-unix", m_rpc_unix },
    { "zmq-ipc", m_zmq_ipc },
    { "zmq-tcp", m_zmq_tcp },
    { "connections", bench_connections },
    { "systemc", m_systemc },
    { "qemu", m_qemu },
    { "trace", bench_trace },
    { "trace-lanes", bench_trace_lanes },
};

/* ------------------------------------------------------------------------
 * Goals: ratios of medians from this run, recorded as rows of "goal"
 */

static void goal(const char *name, double num, double den, int higher,
                 double limit, const char *what)
{
    double ratio;

    if (num <= 0 || den <= 0) {
        return; /* one side was not measured (--only) */
    }
    ratio = num / den;
    res_add("goal", name, 0, "x", &ratio, 1);
    printf("goal  %-58s %9.2fx  (%s %.2fx)  %s\n", what, ratio,
           higher ? ">=" : "<=", limit,
           (higher ? ratio >= limit : ratio <= limit) ? "met" : "NOT MET");
}

static void goal_pct(double pct, const char *what)
{
    if (pct < 0) {
        return;
    }
    printf("goal  %-58s %8.2f %%  (< 1 %%)    %s\n", what, pct,
           pct < 1.0 ? "met" : "NOT MET");
}

static double med(const char *t, const char *w, uint64_t p)
{
    return res_median(t, w, p);
}

static void goals(const struct opts *o)
{
    static const char *const pol[] = { "busy", "hybrid" };
    double floor = med("floor", "pingpong-p50", 0);
    double mcpy = med("floor", "memcpy", (uint64_t)o->dump_mib << 20);
    uint64_t dump = (uint64_t)o->dump_mib << 20, nc = 1;
    char t[32], n[64], w[96];

    printf("\nGoals (ratios of medians of this run)\n");
    for (int i = 0; i < 2; i++) {
        double rtt, d;

        snprintf(t, sizeof(t), "mcdshm-%s", pol[i]);
        rtt = med(t, "rtt-p50", 0);
        d = med(t, "dump", dump);
        snprintf(n, sizeof(n), "%s-rtt-vs-floor", pol[i]);
        snprintf(w, sizeof(w), "%s qry_state p50 / cache-line floor p50", t);
        goal(n, rtt, floor, 0, 2.5, w);
        snprintf(n, sizeof(n), "qmp-rtt-vs-%s", pol[i]);
        snprintf(w, sizeof(w), "qmp-unix p50 / %s p50", t);
        goal(n, med("qmp-unix", "rtt-p50", 0), rtt, 1, 30, w);
        snprintf(n, sizeof(n), "rpc-unix-rtt-vs-%s", pol[i]);
        snprintf(w, sizeof(w), "rpc-unix p50 / %s p50", t);
        goal(n, med("rpc-unix", "rtt-p50", 0), rtt, 1, 10, w);
        snprintf(n, sizeof(n), "%s-dump-vs-memcpy", pol[i]);
        snprintf(w, sizeof(w), "%s dump (direct window) / memcpy", t);
        goal(n, d, mcpy, 1, 0.9, w);
        snprintf(n, sizeof(n), "%s-dump-vs-qmp", pol[i]);
        snprintf(w, sizeof(w), "%s dump / qmp-unix dump", t);
        goal(n, d, med("qmp-unix", "dump", dump), 1, 500, w);
        snprintf(n, sizeof(n), "%s-dump-vs-rpc-tcp", pol[i]);
        snprintf(w, sizeof(w), "%s dump / rpc-tcp dump", t);
        goal(n, d, med("rpc-tcp", "dump", dump), 1, 3, w);
        /* Flat from 1 MiB to the largest payload: slowest / fastest. */
        if (o->max_payload >= (4u << 20)) {
            double lo = 0, hi = 0;

            for (uint64_t s = 1u << 20; s <= o->max_payload; s *= 4) {
                double r = med(t, "read-rate", s);

                lo = lo == 0 || r < lo ? r : lo;
                hi = r > hi ? r : hi;
            }
            snprintf(n, sizeof(n), "%s-rate-flatness", pol[i]);
            snprintf(w, sizeof(w), "%s read rate 1 MiB..%u MiB, min / max",
                     t, o->max_payload >> 20);
            goal(n, lo, hi, 1, 0.8, w);
        }
    }
    for (int i = 1; i < 3; i++) {
        static const char *const p3[] = { "busy", "hybrid", "sleep" };

        snprintf(t, sizeof(t), "mcdshm-%s", p3[i]);
        if (med(t, "rtt-p50", 0) > 0) {
            snprintf(w, sizeof(w), "%s idle CPU, server", t);
            goal_pct(med(t, "cpu-idle-server", 0), w);
            snprintf(w, sizeof(w), "%s idle CPU, debugger", t);
            goal_pct(med(t, "cpu-idle-client", 0), w);
        }
    }
    goal("qemu-dump-vs-gdbstub", med("qemu-mcdshm", "dump", dump),
         med("qemu-gdbstub", "dump", dump), 1, 100,
         "qemu mcdshm dump (running guest) / gdbstub dump");
    goal("qemu-dump-vs-memcpy", med("qemu-mcdshm", "dump", dump), mcpy, 1,
         0.5, "qemu mcdshm dump (running guest) / memcpy");
    goal("rings-dump-vs-memcpy", med("mcdshm-rings", "dump", dump), mcpy, 1,
         0.8, "mcdshm-rings dump (window off) / memcpy");
    goal("trace-lane-vs-20M", med("mcdshm-lanes", "trace-lane-frames", 0),
         20e6, 1, 1.0,
         "trace lane frames/s (producer waits) / 20 M frames/s");
    goal("trace-lane-paced-vs-20M", med("mcdshm-lanes", "trace-lane-20M", 0),
         20e6, 1, 0.99,
         "trace lane frames/s (producer paced at 20 M/s) / 20 M");
    if (med("mcdshm-lanes", "trace-lane-20M", 0) > 0) {
        double lost = med("mcdshm-lanes", "trace-lane-20M-lost", 0);
        double miss = med("mcdshm-lanes", "trace-lane-miscount", 0);

        printf("goal  %-58s %8.3f %%  (0 %%)      %s\n",
               "trace lane frames lost at 20 M frames/s", lost,
               lost == 0 ? "met" : "NOT MET");
        printf("goal  %-58s %9.0f   (0)        %s\n",
               "trace lane read + lost - produced (frames)", miss,
               miss == 0 ? "met" : "NOT MET");
    }
    goal("relay-dump-vs-rpc-tcp", med("mcdshm-relay", "dump", dump),
         med("rpc-tcp", "dump", dump), 1, 1.0,
         "mcdshm-relay dump / rpc-tcp dump");
    while (nc * 2 <= o->max_conns) {
        nc *= 2;
    }
    for (int i = 1; i < 3; i++) {
        static const char *const p3[] = { "busy", "hybrid", "sleep" };

        snprintf(t, sizeof(t), "mcdshm-%s", p3[i]);
        snprintf(n, sizeof(n), "%s-conn-p99-vs-single", p3[i]);
        snprintf(w, sizeof(w), "%s p99 with %llu debuggers / p99 of one", t,
                 (unsigned long long)nc);
        goal(n, med(t, "conn-rtt-p99", nc), med(t, "conn-rtt-p99", 1), 0, 20,
             w);
    }
}

/* ------------------------------------------------------------------------
 * Options
 */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mcdshm-bench [options]\n"
            "Measure mcdshm beside the physical floor and the QMP-style, "
            "binary RPC and\nZeroMQ transports, side by side in one run.\n\n"
            "  -R, --repeats N      repeats of every figure; the report "
            "gives median,\n"
            "                       min and max (default 5)\n"
            "  -n, --samples N      round trips per latency figure "
            "(default 100000)\n"
            "  -r, --records N      records per ring throughput figure "
            "(default 1000000)\n"
            "  -i, --idle-ms N      idle window for CPU figures "
            "(default 1000)\n"
            "  -d, --dump-mib N     size of the memory dump, MiB "
            "(default 64)\n"
            "  -p, --max-payload N  largest payload of the size sweep, "
            "bytes, 64..256M\n"
            "                       (default 16M; K and M suffixes)\n"
            "  -k, --max-conns N    connection sweep 1, 2, 4 .. N, up to 64 "
            "(default 16)\n"
            "  -b, --budget-ms N    time budget of one slow dump (QMP), "
            "ms (default 3000)\n"
            "  -c, --cpus A,B       pin client to CPU A, server to B "
            "(default 0,1;\n"
            "                       -1,-1 = no pinning)\n"
            "  -o, --only PATTERNS  run only the measurements whose name "
            "matches one of\n"
            "                       the comma-separated shell PATTERNS "
            "('floor,mcdshm-*');\n"
            "                       names: floor ring mcdshm-busy "
            "mcdshm-hybrid\n"
            "                       mcdshm-sleep mcdshm-rings mcdshm-relay "
            "qmp-unix\n"
            "                       rpc-tcp rpc-unix zmq-ipc zmq-tcp "
            "connections systemc\n"
            "                       qemu trace trace-lanes\n"
            "      --csv FILE       write every row as CSV\n"
            "      --json FILE      write every row (and the machine) as "
            "JSON\n"
            "      --out DIR        both, as DIR/bench.csv and "
            "DIR/bench.json\n"
            "      --plot DIR       render PNG charts with gnuplot into DIR\n"
            "  -q, --quick          tiny counts, for a smoke run (seconds)\n"
            "  -h, --help           this text\n"
            "Progress goes to stderr, rows and goals to stdout.\n");
}

/* @s as an unsigned number in [@min, @max] (K, M, G suffixes), or exit. */
static uint64_t num(const char *opt, const char *s, uint64_t min,
                    uint64_t max)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 0);
    if (*end == 'K' || *end == 'k') {
        v <<= 10, end++;
    } else if (*end == 'M' || *end == 'm') {
        v <<= 20, end++;
    } else if (*end == 'G' || *end == 'g') {
        v <<= 30, end++;
    }
    if (errno || end == s || *end || *s == '-' || v < min || v > max) {
        fprintf(stderr,
                "mcdshm-bench: %s must be a number in %llu..%llu, got "
                "'%s'\n",
                opt, (unsigned long long)min, (unsigned long long)max, s);
        exit(2);
    }
    return v;
}

struct outputs {
    const char *csv, *json, *plot;
    char csv_buf[4096], json_buf[4096];
};

static void parse(int argc, char **argv, struct opts *o, struct outputs *out)
{
    enum { OPT_CSV = 256, OPT_JSON, OPT_OUT, OPT_PLOT };
    static const struct option lo[] = {
        { "repeats", required_argument, 0, 'R' },
        { "samples", required_argument, 0, 'n' },
        { "records", required_argument, 0, 'r' },
        { "idle-ms", required_argument, 0, 'i' },
        { "dump-mib", required_argument, 0, 'd' },
        { "max-payload", required_argument, 0, 'p' },
        { "max-conns", required_argument, 0, 'k' },
        { "budget-ms", required_argument, 0, 'b' },
        { "cpus", required_argument, 0, 'c' },
        { "only", required_argument, 0, 'o' },
        { "csv", required_argument, 0, OPT_CSV },
        { "json", required_argument, 0, OPT_JSON },
        { "out", required_argument, 0, OPT_OUT },
        { "plot", required_argument, 0, OPT_PLOT },
        { "quick", no_argument, 0, 'q' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    int ch;

    /* --quick first, so that explicit options given with it win. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick") || !strcmp(argv[i], "-q")) {
            o->quick = 1;
            o->repeats = 2;
            o->samples = 2000;
            o->records = 20000;
            o->idle_ms = 50;
            o->dump_mib = 4;
            o->max_payload = 256u << 10;
            o->max_conns = 2;
            o->budget_ms = 50;
        }
    }
    while ((ch = getopt_long(argc, argv, "R:n:r:i:d:p:k:b:c:o:qh", lo,
                             NULL)) != -1) {
        switch (ch) {
        case 'R':
            o->repeats =
                (unsigned)num("--repeats", optarg, 1, RES_MAX_VALUES);
            break;
        case 'n':
            o->samples = (unsigned)num("--samples", optarg, 100, 100000000);
            break;
        case 'r':
            o->records = (unsigned)num("--records", optarg, 1000, 1000000000);
            break;
        case 'i':
            o->idle_ms = (unsigned)num("--idle-ms", optarg, 10, 600000);
            break;
        case 'd':
            o->dump_mib = (uint32_t)num("--dump-mib", optarg, 1, 2048);
            break;
        case 'p':
            o->max_payload =
                (uint32_t)num("--max-payload", optarg, 64, 256u << 20);
            break;
        case 'k':
            o->max_conns = (unsigned)num("--max-conns", optarg, 1, 64);
            break;
        case 'b':
            o->budget_ms = (unsigned)num("--budget-ms", optarg, 10, 3600000);
            break;
        case 'c':
            if (sscanf(optarg, "%d,%d", &o->cpu_client, &o->cpu_server) != 2 ||
                o->cpu_client < -1 || o->cpu_server < -1) {
                fprintf(stderr,
                        "mcdshm-bench: --cpus wants A,B (CPU numbers or "
                        "-1), got '%s'\n",
                        optarg);
                exit(2);
            }
            break;
        case 'o':
            o->only = optarg;
            break;
        case OPT_CSV:
            out->csv = optarg;
            break;
        case OPT_JSON:
            out->json = optarg;
            break;
        case OPT_OUT:
            if (mkdir(optarg, 0755) < 0 && errno != EEXIST) {
                fprintf(stderr, "mcdshm-bench: --out: cannot create '%s': "
                                "%s\n",
                        optarg, strerror(errno));
                exit(2);
            }
            snprintf(out->csv_buf, sizeof(out->csv_buf), "%s/bench.csv",
                     optarg);
            snprintf(out->json_buf, sizeof(out->json_buf), "%s/bench.json",
                     optarg);
            out->csv = out->csv_buf;
            out->json = out->json_buf;
            break;
        case OPT_PLOT:
            out->plot = optarg;
            break;
        case 'q':
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            exit(2);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mcdshm-bench: unexpected argument '%s'\n",
                argv[optind]);
        usage(stderr);
        exit(2);
    }
}

/* Whether @name matches one of the comma-separated patterns of @only. */
static int selected(const char *only, const char *name)
{
    char pat[256];

    while (*only) {
        size_t n = strcspn(only, ",");

        snprintf(pat, sizeof(pat), "%.*s", (int)n, only);
        if (fnmatch(pat, name, 0) == 0) {
            return 1;
        }
        only += n + (only[n] == ',');
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = {
        .samples = 100000,
        .records = 1000000,
        .idle_ms = 1000,
        .repeats = 5,
        .budget_ms = 3000,
        .max_conns = 16,
        .cpu_client = 0,
        .cpu_server = 1,
        .dump_mib = 64,
        .max_payload = 16u << 20,
    };
    struct outputs out = { 0 };
    size_t i, ran = 0;
    char load[128];
    int rc = 0;

    parse(argc, argv, &o, &out);
    for (i = 0; o.only && i < sizeof(measurements) / sizeof(measurements[0]);
         i++) {
        ran += selected(o.only, measurements[i].name);
    }
    if (o.only && ran == 0) {
        fprintf(stderr, "mcdshm-bench: --only '%s' matches no measurement\n",
                o.only);
        return 2;
    }
    ran = 0;
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("mcdshm-bench: %u repeats, %u samples per latency, %u MiB dump, "
           "payloads to %u bytes, 1..%u connections, client CPU %d, server "
           "CPU %d\n",
           o.repeats, o.samples, o.dump_mib, o.max_payload, o.max_conns,
           o.cpu_client, o.cpu_server);
    printf("load average at the start: %s\n\n", loadavg(load, sizeof(load)));
    /*
     * Round after round, every measurement once per round: the load of a
     * shared machine changes over minutes, and this way each transport
     * sees every phase of it, so the medians stay comparable.
     */
    for (unsigned round = 0; round < o.repeats; round++) {
        struct opts one = o;

        one.repeats = 1;
        for (i = 0; i < sizeof(measurements) / sizeof(measurements[0]);
             i++) {
            if (o.only && !selected(o.only, measurements[i].name)) {
                continue;
            }
            progress("round %u of %u: %s", round + 1, o.repeats,
                     measurements[i].name);
            measurements[i].run(&one);
            ran++;
        }
    }
    res_print();
    goals(&o);
    printf("\nload average at the end: %s\n", loadavg(load, sizeof(load)));
    if (out.csv && res_write_csv(out.csv) < 0) {
        rc = 1;
    }
    if (out.json && res_write_json(out.json, &o) < 0) {
        rc = 1;
    }
    if (out.plot && res_plot(out.plot) < 0) {
        rc = 1;
    }
    return rc;
}
