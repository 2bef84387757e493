/*
 * soak.c - many debuggers at once against one MCD server, through
 * libmcdshm.so, for a while: every call checked, every answer verified.
 *
 * Usage: mcdshm-soak [--clients N] [--seconds S] [--config STRING]
 *                    [--p99-bound X]
 *
 * N debugger processes (default 16) each open the server given by the
 * config string (default $MCDSHM_CONFIG) and one core (client i takes core
 * i, so the server needs N cores: a core runs and stops for one debugger
 * only), then loop until the time is up over a mix of:
 *  - mcd_qry_state_f, timed: the small-call round trip;
 *  - a 4 KiB write of a pattern only this client and this round make, at
 *    this client's own scratch area, read back and compared: an answer
 *    that belongs to another client or another round shows as a mismatch;
 *  - a 256 KiB memory dump in one transaction list of 4 transactions;
 *  - run control and registers: stop (the state must then be DEBUG), a
 *    read of the core's first 33 registers in one transaction list, 8
 *    single steps, run;
 *  - the core's first trace, switched on (FIFO) at the start: the number
 *    of frames, then a read of up to 64 of them.
 * Any call that does not return MCD_RET_ACT_NONE is an error (the first
 * few are printed with the library's message), so is any mismatch.
 *
 * Before the crowd, one client alone measures the qry_state round trip;
 * the report gives every client's p50/p99 and the ratio of the worst p99
 * to the lone client's.  --p99-bound X fails the run when that ratio
 * exceeds X (off by default: on a shared 2-core machine 16 busy processes
 * make the ratio a measure of the scheduler, see the README).
 *
 * Exit status: 0 when every client ran, made progress and saw no error;
 * 1 otherwise; 2 for bad arguments.  The server is expected to be
 * mcdshm-vp (RAM at 0x80000000, at least 64 MiB); tests/soak/run_soak.sh
 * starts one.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mcd/mcd_api.h"

#define SOAK_MAX_CLIENTS 64
#define SOAK_SAMPLES 65536      /* qry_state round trips kept per client */
#define SOAK_PATTERN 4096u      /* bytes written and read back per round */
#define SOAK_DUMP (256u << 10)  /* bytes per dump */
#define SOAK_DUMP_TX 4u         /* transactions per dump */
#define SOAK_REGS 33u           /* registers per register read */
#define SOAK_SCRATCH 0x82000000u /* client i writes at + i * 64 KiB */
#define SOAK_DUMP_AT 0x84000000u /* dumps read from here */
#define SOAK_ERRORS_SHOWN 5

struct soak_opts {
    unsigned clients;
    unsigned seconds;
    const char *config;
    double p99_bound; /* 0: no bound */
};

/* What one client reports, in memory shared with the parent. */
struct soak_result {
    bool started, finished;
    uint32_t core;
    uint64_t rounds, calls, errors, mismatches;
    uint64_t bytes_read;
    double p50_ns, p99_ns, max_ns;
    char first_error[256];
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* ------------------------------------------------------------------------
 * One debugger
 */

struct client {
    unsigned id;
    struct soak_result *res;
    mcd_server_st *server;
    mcd_core_st *core;
    uint32_t phys, regs_space; /* memory space ids */
    mcd_register_info_st regs[SOAK_REGS];
    uint32_t nregs;
    uint32_t trace_id;
    bool traced; /* trace_id is on */
    uint64_t *samples;
    uint32_t nsamples;
};

/* Count an error; keep the first message. */
static void soak_error(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void soak_error(struct client *c, const char *fmt, ...)
{
    va_list ap;

    c->res->errors++;
    if (c->res->errors > SOAK_ERRORS_SHOWN) {
        return;
    }
    va_start(ap, fmt);
    fprintf(stderr, "soak: client %u: ", c->id);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (c->res->errors == 1) {
        va_start(ap, fmt);
        vsnprintf(c->res->first_error, sizeof(c->res->first_error), fmt, ap);
        va_end(ap);
    }
}

/* Check an MCD call's result; on failure, count it with the message. */
static bool ok(struct client *c, const char *fn, mcd_return_et r)
{
    mcd_error_info_st e;

    c->res->calls++;
    if (r == MCD_RET_ACT_NONE) {
        return true;
    }
    memset(&e, 0, sizeof(e));
    mcd_qry_error_info_f(c->core, &e);
    e.error_str[sizeof(e.error_str) - 1] = '\0';
    soak_error(c, "%s returned %u: error %u: %s", fn, (unsigned)r,
               (unsigned)e.error_code, e.error_str);
    return false;
}

static bool trace_on(struct client *c);

static int open_session(struct client *c, const char *config)
{
    mcd_api_version_st want = { .v_api_major = MCD_API_VER_MAJOR,
                                .v_api_minor = MCD_API_VER_MINOR };
    mcd_impl_version_info_st impl;
    mcd_core_con_info_st sys, dev, core;
    mcd_memspace_st spaces[16];
    uint32_t n, i, ncores;

    strcpy(want.author, MCD_API_VER_AUTHOR);
    if (mcd_initialize_f(&want, &impl) != MCD_RET_ACT_NONE ||
        mcd_open_server_f(NULL, config, &c->server) != MCD_RET_ACT_NONE) {
        soak_error(c, "cannot open the server with config '%s'", config);
        return -1;
    }
    n = 1;
    if (mcd_qry_systems_f(0, &n, &sys) != MCD_RET_ACT_NONE || n != 1) {
        soak_error(c, "mcd_qry_systems_f failed");
        return -1;
    }
    n = 1;
    if (mcd_qry_devices_f(&sys, 0, &n, &dev) != MCD_RET_ACT_NONE || n != 1) {
        soak_error(c, "mcd_qry_devices_f failed");
        return -1;
    }
    ncores = 0;
    if (mcd_qry_cores_f(&dev, 0, &ncores, NULL) != MCD_RET_ACT_NONE ||
        ncores == 0) {
        soak_error(c, "mcd_qry_cores_f found no core");
        return -1;
    }
    if (c->id >= ncores) {
        soak_error(c, "client %u needs core %u but the server has %u cores",
                   c->id, c->id, (unsigned)ncores);
        return -1;
    }
    n = 1;
    c->res->core = c->id;
    if (mcd_qry_cores_f(&dev, c->res->core, &n, &core) != MCD_RET_ACT_NONE ||
        mcd_open_core_f(&core, &c->core) != MCD_RET_ACT_NONE) {
        soak_error(c, "cannot open core %u", (unsigned)c->res->core);
        return -1;
    }
    n = 16;
    if (!ok(c, "mcd_qry_mem_spaces_f",
            mcd_qry_mem_spaces_f(c->core, 0, &n, spaces))) {
        return -1;
    }
    c->phys = c->regs_space = UINT32_MAX;
    for (i = 0; i < n; i++) {
        if (spaces[i].mem_type & MCD_MEM_SPACE_IS_REGISTERS) {
            c->regs_space = spaces[i].mem_space_id;
        } else if ((spaces[i].mem_type & MCD_MEM_SPACE_IS_PHYSICAL) &&
                   c->phys == UINT32_MAX) {
            c->phys = spaces[i].mem_space_id;
        }
    }
    if (c->phys == UINT32_MAX || c->regs_space == UINT32_MAX) {
        soak_error(c, "the core has no physical or no register space");
        return -1;
    }
    c->nregs = SOAK_REGS;
    if (!ok(c, "mcd_qry_reg_map_f",
            mcd_qry_reg_map_f(c->core, 0, 0, &c->nregs, c->regs))) {
        return -1;
    }
    trace_on(c);
    return 0;
}

static void close_session(struct client *c)
{
    if (c->core) {
        mcd_close_core_f(c->core);
    }
    if (c->server) {
        mcd_close_server_f(c->server);
    }
    mcd_exit_f();
}

static void fill_tx(mcd_tx_st *tx, uint32_t space, uint64_t addr, bool write,
                    uint8_t *data, uint32_t len)
{
    memset(tx, 0, sizeof(*tx));
    tx->addr.address = addr;
    tx->addr.mem_space_id = space;
    tx->access_type = write ? MCD_TX_AT_W : MCD_TX_AT_R;
    tx->data = data;
    tx->num_bytes = len;
}

static bool txlist(struct client *c, mcd_tx_st *tx, uint32_t n)
{
    mcd_txlist_st l = { .tx = tx, .num_tx = n };
    uint32_t i;

    if (!ok(c, "mcd_execute_txlist_f", mcd_execute_txlist_f(c->core, &l))) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if (tx[i].num_bytes_ok != tx[i].num_bytes) {
            soak_error(c, "transaction %u moved %u of %u bytes", i,
                       tx[i].num_bytes_ok, tx[i].num_bytes);
            return false;
        }
    }
    return true;
}

static void timed_state(struct client *c)
{
    mcd_core_state_st st;
    uint64_t t0 = now_ns(), dt;
    mcd_return_et r = mcd_qry_state_f(c->core, &st);

    dt = now_ns() - t0;
    if (ok(c, "mcd_qry_state_f", r) && c->nsamples < SOAK_SAMPLES) {
        c->samples[c->nsamples++] = dt;
    }
}

/* Write a pattern unique to (client, round), read it back, compare. */
static void pattern(struct client *c, uint8_t *w, uint8_t *r)
{
    uint64_t addr = SOAK_SCRATCH + (uint64_t)c->id * 0x10000u;
    uint64_t seed = ((uint64_t)c->id << 40) ^ c->res->rounds;
    mcd_tx_st tx;
    uint32_t i;

    for (i = 0; i < SOAK_PATTERN; i += 8) {
        uint64_t v = seed * 0x9e3779b97f4a7c15u + i;

        memcpy(w + i, &v, 8);
    }
    fill_tx(&tx, c->phys, addr, true, w, SOAK_PATTERN);
    if (!txlist(c, &tx, 1)) {
        return;
    }
    memset(r, 0, SOAK_PATTERN);
    fill_tx(&tx, c->phys, addr, false, r, SOAK_PATTERN);
    if (txlist(c, &tx, 1) && memcmp(w, r, SOAK_PATTERN) != 0) {
        c->res->mismatches++;
        soak_error(c, "round %" PRIu64 ": read back a pattern it did not "
                   "write (a misrouted or stale answer)", c->res->rounds);
    }
}

static void dump(struct client *c, uint8_t *buf)
{
    mcd_tx_st tx[SOAK_DUMP_TX];
    uint32_t i, part = SOAK_DUMP / SOAK_DUMP_TX;

    for (i = 0; i < SOAK_DUMP_TX; i++) {
        fill_tx(&tx[i], c->phys, SOAK_DUMP_AT + (uint64_t)i * part, false,
                buf + i * part, part);
    }
    if (txlist(c, tx, SOAK_DUMP_TX)) {
        c->res->bytes_read += SOAK_DUMP;
    }
}

static void registers(struct client *c)
{
    mcd_tx_st tx[SOAK_REGS];
    uint8_t data[SOAK_REGS][32];
    uint32_t i;

    for (i = 0; i < c->nregs; i++) {
        uint32_t len = c->regs[i].regsize / 8;

        fill_tx(&tx[i], c->regs_space, 0, false, data[i],
                len && len <= sizeof(data[i]) ? len : 8);
        tx[i].addr = c->regs[i].addr;
    }
    txlist(c, tx, c->nregs);
}

static void run_control(struct client *c)
{
    mcd_core_state_st st;

    if (!ok(c, "mcd_stop_f", mcd_stop_f(c->core, 0)) ||
        !ok(c, "mcd_qry_state_f", mcd_qry_state_f(c->core, &st))) {
        return;
    }
    if (st.state != MCD_CORE_STATE_DEBUG) {
        soak_error(c, "state %u after mcd_stop_f, not DEBUG",
                   (unsigned)st.state);
    }
    registers(c);
    ok(c, "mcd_step_f",
       mcd_step_f(c->core, 0, MCD_CORE_STEP_TYPE_INSTR, 8));
    ok(c, "mcd_run_f", mcd_run_f(c->core, 0));
}

/* Switch the core's first trace on (FIFO: the newest frames); false if
 * the core has none. */
static bool trace_on(struct client *c)
{
    mcd_trace_info_st info;
    mcd_trace_state_st ts;
    uint32_t n = 1;

    if (!ok(c, "mcd_qry_traces_f", mcd_qry_traces_f(c->core, 0, &n, &info)) ||
        n == 0) {
        return false;
    }
    memset(&ts, 0, sizeof(ts));
    ts.state = MCD_TRACE_STATE_ARM;
    ts.mode = MCD_TRACE_MODE_FIFO;
    c->trace_id = info.trace_id;
    c->traced = ok(c, "mcd_set_trace_state_f",
                   mcd_set_trace_state_f(c->core, info.trace_id, &ts));
    return c->traced;
}

static void trace(struct client *c)
{
    mcd_trace_data_core_st frames[64];
    uint32_t n;

    if (!c->traced) {
        return;
    }
    /* As a debugger does: how many frames, then at most 64 of them. */
    n = 0;
    if (!ok(c, "mcd_read_trace_f",
            mcd_read_trace_f(c->core, c->trace_id, 0, &n,
                             sizeof(frames[0]), NULL)) ||
        n == 0) {
        return;
    }
    n = n < 64 ? n : 64;
    ok(c, "mcd_read_trace_f",
       mcd_read_trace_f(c->core, c->trace_id, 0, &n, sizeof(frames[0]),
                        frames));
}

static int client_main(unsigned id, struct soak_result *res,
                       const char *config, uint64_t deadline, bool alone)
{
    struct client c = { .id = id, .res = res };
    uint8_t *w = malloc(SOAK_PATTERN), *r = malloc(SOAK_PATTERN);
    uint8_t *buf = malloc(SOAK_DUMP);

    c.samples = malloc(SOAK_SAMPLES * sizeof(*c.samples));
    if (!w || !r || !buf || !c.samples) {
        soak_error(&c, "out of memory");
        return 1;
    }
    res->started = true;
    if (open_session(&c, config) == 0) {
        while (now_ns() < deadline) {
            timed_state(&c);
            if (!alone) {
                pattern(&c, w, r);
                if (res->rounds % 4 == 0) {
                    dump(&c, buf);
                }
                run_control(&c);
                if (res->rounds % 16 == 0) {
                    trace(&c);
                }
            }
            res->rounds++;
        }
    }
    close_session(&c);
    if (c.nsamples) {
        qsort(c.samples, c.nsamples, sizeof(*c.samples), cmp_u64);
        res->p50_ns = (double)c.samples[c.nsamples / 2];
        res->p99_ns = (double)c.samples[(uint64_t)c.nsamples * 99 / 100];
        res->max_ns = (double)c.samples[c.nsamples - 1];
    }
    res->finished = true;
    free(c.samples);
    free(buf);
    free(r);
    free(w);
    return res->errors ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * The crowd
 */

/* Run @n clients for @seconds; false if any failed to report. */
static bool crowd(const struct soak_opts *o, unsigned n, unsigned seconds,
                  bool alone, struct soak_result *res)
{
    uint64_t deadline = now_ns() + (uint64_t)seconds * 1000000000u;
    pid_t pids[SOAK_MAX_CLIENTS];
    unsigned i, left = n;
    bool all = true;

    memset(res, 0, n * sizeof(*res));
    for (i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] < 0) {
            perror("soak: fork");
            exit(1);
        }
        if (pids[i] == 0) {
            _exit(client_main(i, &res[i], o->config, deadline, alone));
        }
    }
    /* Give the clients 30 s past the deadline to close and report. */
    while (left) {
        int status;
        pid_t p = waitpid(-1, &status, WNOHANG);

        if (p > 0) {
            left--;
            for (i = 0; i < n; i++) {
                if (pids[i] == p) {
                    pids[i] = 0;
                }
            }
            if (!WIFEXITED(status)) {
                fprintf(stderr, "soak: a client died (status 0x%x)\n", status);
                all = false;
            }
            continue;
        }
        if (now_ns() > deadline + 30000000000u) {
            for (i = 0; i < n; i++) {
                if (pids[i] > 0) {
                    fprintf(stderr, "soak: client %u hangs; killing it\n", i);
                    kill(pids[i], SIGKILL);
                }
            }
            all = false;
            deadline = UINT64_MAX - 30000000000u;
        }
        usleep(10000);
    }
    return all;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mcdshm-soak [options]\n"
               "Many debuggers at once against one MCD server, every answer "
               "checked.\n\n"
               "  -n, --clients N      debugger processes (default 16, max %d)\n"
               "  -t, --seconds S      how long (default 60)\n"
               "  -c, --config STRING  MCD config string (default "
               "$MCDSHM_CONFIG)\n"
               "  -b, --p99-bound X    fail if a client's p99 round trip "
               "exceeds X times the lone client's\n"
               "  -h, --help           this text\n",
            SOAK_MAX_CLIENTS);
}

static unsigned parse_uint(const char *opt, const char *s, unsigned lo,
                           unsigned hi)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) {
        fprintf(stderr, "mcdshm-soak: %s must be %u..%u, got '%s'\n", opt, lo,
                hi, s);
        exit(2);
    }
    return (unsigned)v;
}

static void parse(int argc, char **argv, struct soak_opts *o)
{
    static const struct option longs[] = {
        { "clients", required_argument, NULL, 'n' },
        { "seconds", required_argument, NULL, 't' },
        { "config", required_argument, NULL, 'c' },
        { "p99-bound", required_argument, NULL, 'b' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    char *end;

    o->clients = 16;
    o->seconds = 60;
    o->config = getenv("MCDSHM_CONFIG");
    while ((ch = getopt_long(argc, argv, "n:t:c:b:h", longs, NULL)) != -1) {
        switch (ch) {
        case 'n':
            o->clients = parse_uint("--clients", optarg, 1, SOAK_MAX_CLIENTS);
            break;
        case 't':
            o->seconds = parse_uint("--seconds", optarg, 1, 86400);
            break;
        case 'c':
            o->config = optarg;
            break;
        case 'b':
            o->p99_bound = strtod(optarg, &end);
            if (*end || o->p99_bound < 1) {
                fprintf(stderr, "mcdshm-soak: --p99-bound must be a number "
                                ">= 1, got '%s'\n", optarg);
                exit(2);
            }
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            exit(2);
        }
    }
    if (optind != argc) {
        fprintf(stderr, "mcdshm-soak: unexpected argument '%s'\n", argv[optind]);
        exit(2);
    }
    if (!o->config) {
        fprintf(stderr, "mcdshm-soak: no --config and no $MCDSHM_CONFIG\n");
        exit(2);
    }
}

int main(int argc, char **argv)
{
    struct soak_opts o = { 0 };
    struct soak_result *res;
    double lone_p99, worst = 0;
    uint64_t errors = 0, rounds = 0, bytes = 0;
    bool good;
    unsigned i;

    parse(argc, argv, &o);
    setvbuf(stdout, NULL, _IOLBF, 0);
    res = mmap(NULL, SOAK_MAX_CLIENTS * sizeof(*res), PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED) {
        perror("soak: mmap");
        return 1;
    }

    good = crowd(&o, 1, 1, true, res) && res[0].finished && !res[0].errors;
    lone_p99 = res[0].p99_ns;
    printf("lone client: %" PRIu64 " mcd_qry_state_f calls, p50 %.0f ns, "
           "p99 %.0f ns\n", res[0].rounds, res[0].p50_ns, lone_p99);
    if (!good) {
        fprintf(stderr, "soak: the lone client failed: %s\n",
                res[0].first_error);
        return 1;
    }

    printf("%u clients for %u s ...\n", o.clients, o.seconds);
    good = crowd(&o, o.clients, o.seconds, false, res);
    printf("client core   rounds    calls errors  p50 ns   p99 ns   max ns\n");
    for (i = 0; i < o.clients; i++) {
        struct soak_result *r = &res[i];

        printf("%6u %4u %8" PRIu64 " %8" PRIu64 " %6" PRIu64
               " %7.0f %8.0f %8.0f%s\n",
               i, (unsigned)r->core, r->rounds, r->calls, r->errors, r->p50_ns,
               r->p99_ns, r->max_ns,
               !r->finished ? "  (did not finish)"
               : r->rounds == 0 ? "  (no progress)" : "");
        if (!r->finished || r->rounds == 0 || r->errors) {
            good = false;
        }
        errors += r->errors;
        rounds += r->rounds;
        bytes += r->bytes_read;
        if (r->p99_ns > worst) {
            worst = r->p99_ns;
        }
    }
    printf("total: %" PRIu64 " rounds, %" PRIu64 " errors, %.1f MiB dumped; "
           "worst p99 %.0f ns = %.1fx the lone client's\n",
           rounds, errors, (double)bytes / (1 << 20), worst,
           lone_p99 > 0 ? worst / lone_p99 : 0);
    if (o.p99_bound > 0 && lone_p99 > 0 && worst / lone_p99 > o.p99_bound) {
        printf("FAIL: worst p99 is %.1fx the lone client's, bound %.1fx\n",
               worst / lone_p99, o.p99_bound);
        good = false;
    }
    printf("%s\n", good ? "PASS" : "FAIL");
    return good ? 0 : 1;
}
