/*
 * mcdshm-bench: the transport's latency and throughput beside the physical
 * floor, measured in one run so the ratios are fair on a noisy machine.
 *
 * Every measurement runs between two processes, the client pinned to one
 * CPU and the server to another:
 *   floor      a cache line bounced between the two processes;
 *   eventfd    a blocking eventfd ping-pong, the floor of any sleeping wait;
 *   ring       request/response round trips through a real mcdshm region
 *              (handshake, rings, doorbells) for 64- and 256-byte records
 *              under the busy, hybrid and sleep policies, and pipelined
 *              throughput with enqueue and dequeue timed separately;
 *   idle       the server's CPU use while it waits with no traffic.
 * Each timed sample includes one clock_gettime() on each end; so do the
 * floors, so the ratios are like for like.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
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
    uint64_t *line = shared_map(4096), *s = calloc(o->samples, 8);
    pid_t pid = fork_or_die();
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
    return summarize(s, o->samples);
}

/* The sleeping floor: blocking eventfd ping-pong between two processes. */
static struct lat bench_eventfd(const struct opts *o, unsigned n)
{
    int a = eventfd(0, 0), b = eventfd(0, 0);
    uint64_t *s = calloc(n, 8), v = 1;
    pid_t pid = fork_or_die();
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
    return summarize(s, n);
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
    struct shm_conn c;
    struct shm_ring req, resp;
    struct shm_waiter w;
    pid_t server;
};

static void client_open(struct client *cl, enum shm_policy policy,
                        const struct opts *o)
{
    struct server_args a = { .policy = policy, .cpu = o->cpu_server };
    char path[SHM_PATH_MAX], err[SHM_ERRLEN];
    int tries;

    snprintf(a.name, sizeof(a.name), "bench-%d-%s", (int)getpid(),
             shm_policy_name(policy));
    cl->server = fork_or_die();
    if (cl->server == 0) {
        echo_serve(&a);
    }
    if (shm_endpoint_path(a.name, path, sizeof(path), err) < 0) {
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
    uint64_t *s = calloc(n, 8);
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
    return summarize(s, n);
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

/* CPU time (ns) used so far by process @pid, from /proc. */
static uint64_t cpu_ns(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long ut = 0, st = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f || !fgets(buf, sizeof(buf), f)) {
        if (f) {
            fclose(f);
        }
        return 0;
    }
    fclose(f);
    p = strrchr(buf, ')');
    /* Fields after the command: state is 3rd, utime 14th, stime 15th. */
    if (!p || sscanf(p + 2,
                     "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                     "%lu %lu",
                     &ut, &st) != 2) {
        return 0;
    }
    return (uint64_t)(ut + st) * (1000000000ull / sysconf(_SC_CLK_TCK));
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

void print_lat(const char *what, struct lat l)
{
    printf("%-34s p50 %8.0f ns  p99 %8.0f ns  mean %8.0f ns\n", what, l.p50,
           l.p99, l.mean);
}

void goal(const char *what, double ratio, double limit)
{
    printf("goal  %-44s %6.2fx  (<= %.2fx)  %s\n", what, ratio, limit,
           ratio <= limit ? "met" : "NOT MET");
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mcdshm-bench [options]\n"
               "Measure the mcdshm rings against the physical floor in one "
               "run.\n\n"
               "  -n, --samples N    round trips per latency figure "
               "(default 200000)\n"
               "  -r, --records N    records per throughput figure "
               "(default 2000000)\n"
               "  -i, --idle-ms N    idle window for the CPU figure "
               "(default 2000)\n"
               "  -c, --cpus A,B     pin client to CPU A, server to B "
               "(default 0,1; -1,-1 = no pinning)\n"
               "  -d, --dump-mib N   size of the memory dump (default 64)\n"
               "  -q, --quick        small counts, for a smoke run\n"
               "  -h, --help         this text\n");
}

static void parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        { "samples", required_argument, 0, 'n' },
        { "records", required_argument, 0, 'r' },
        { "idle-ms", required_argument, 0, 'i' },
        { "cpus", required_argument, 0, 'c' },
        { "dump-mib", required_argument, 0, 'd' },
        { "quick", no_argument, 0, 'q' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    int ch;

    while ((ch = getopt_long(argc, argv, "n:r:i:c:d:qh", lo, NULL)) != -1) {
        switch (ch) {
        case 'n':
            o->samples = (unsigned)strtoul(optarg, NULL, 0);
            break;
        case 'r':
            o->records = (unsigned)strtoul(optarg, NULL, 0);
            break;
        case 'i':
            o->idle_ms = (unsigned)strtoul(optarg, NULL, 0);
            break;
        case 'c':
            if (sscanf(optarg, "%d,%d", &o->cpu_client, &o->cpu_server) != 2) {
                fprintf(stderr, "mcdshm-bench: --cpus wants A,B, got '%s'\n",
                        optarg);
                exit(2);
            }
            break;
        case 'd':
            o->dump_mib = (uint32_t)strtoul(optarg, NULL, 0);
            if (o->dump_mib < 1 || o->dump_mib > 2048) {
                fprintf(stderr, "mcdshm-bench: --dump-mib must be 1..2048, "
                                "got '%s'\n",
                        optarg);
                exit(2);
            }
            break;
        case 'q':
            o->samples = 20000;
            o->records = 200000;
            o->idle_ms = 500;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            exit(2);
        }
    }
    if (o->samples < 100 || o->records < 1000) {
        fprintf(stderr, "mcdshm-bench: --samples must be >= 100 and "
                        "--records >= 1000\n");
        exit(2);
    }
}

int main(int argc, char **argv)
{
    static const enum shm_policy pol[] = { SHM_POLICY_BUSY, SHM_POLICY_HYBRID,
                                           SHM_POLICY_SLEEP };
    static const uint32_t sizes[] = { 64, 256 };
    struct opts o = { 200000, 2000000, 2000, 0, 1, 64 };
    struct lat floor, efd, rtt[3][2], full[2];
    double idle[3], mcpy, dump[2];
    char what[64];
    size_t p, s;

    parse(argc, argv, &o);
    signal(SIGPIPE, SIG_IGN);
    printf("mcdshm-bench: %u samples per latency, %u records per "
           "throughput, client CPU %d, server CPU %d\n\n",
           o.samples, o.records, o.cpu_client, o.cpu_server);
    floor = bench_pingpong(&o);
    print_lat("floor: cache-line ping-pong", floor);
    efd = bench_eventfd(&o, o.samples / 4);
    print_lat("floor: eventfd ping-pong", efd);
    for (p = 0; p < 3; p++) {
        struct client cl;
        unsigned n = pol[p] == SHM_POLICY_SLEEP ? o.samples / 4 : o.samples;

        client_open(&cl, pol[p], &o);
        for (s = 0; s < 2; s++) {
            struct thru t;

            snprintf(what, sizeof(what), "ring rtt %-6s %3uB",
                     shm_policy_name(pol[p]), sizes[s]);
            rtt[p][s] = ring_rtt(&cl, sizes[s], n);
            print_lat(what, rtt[p][s]);
            t = ring_throughput(&cl, sizes[s], o.records);
            printf("ring thru %-6s %3uB                %6.2f Mrec/s  "
                   "enqueue %6.1f ns/rec  dequeue %6.1f ns/rec\n",
                   shm_policy_name(pol[p]), sizes[s], t.mrec_s, t.enq_ns,
                   t.deq_ns);
        }
        idle[p] = idle_cpu_pct(&cl, o.idle_ms);
        printf("idle  %-6s server CPU while idle  %6.2f %% of a core\n",
               shm_policy_name(pol[p]), idle[p]);
        client_close(&cl);
    }
    mcpy = bench_memcpy(o.dump_mib);
    printf("floor: memcpy %3u MiB, one thread       %6.2f GB/s\n", o.dump_mib,
           mcpy);
    for (p = 0; p < 2; p++) {
        const char *pn = shm_policy_name(pol[p]);

        bench_full_path(&o, pn, &full[p], &dump[p]);
        snprintf(what, sizeof(what), "full %-6s mcd_qry_state_f", pn);
        print_lat(what, full[p]);
        printf("full %-6s dump %3u MiB (txlist)    %6.2f GB/s  (%.2fx "
               "memcpy)\n",
               pn, o.dump_mib, dump[p], dump[p] / mcpy);
    }
    bench_systemc(&o);
    printf("\n");
    goal("busy qry_state p50 / cache-line floor p50", full[0].p50 / floor.p50,
         2.5);
    goal("hybrid qry_state p50 / cache-line floor p50",
         full[1].p50 / floor.p50, 2.5);
    goal("memcpy GB/s / busy dump GB/s", mcpy / dump[0], 1.25);
    goal("memcpy GB/s / hybrid dump GB/s", mcpy / dump[1], 1.25);
    goal("busy rtt p50 (64B) / cache-line floor p50", rtt[0][0].p50 / floor.p50,
         2.0);
    goal("hybrid rtt p50 (64B) / cache-line floor p50",
         rtt[1][0].p50 / floor.p50, 2.0);
    goal("sleep rtt p50 (64B) / eventfd ping-pong p50", rtt[2][0].p50 / efd.p50,
         1.2);
    printf("goal  %-44s %6.2f%%  (< 1%%)    %s\n", "hybrid idle server CPU",
           idle[1], idle[1] < 1.0 ? "met" : "NOT MET");
    return 0;
}
