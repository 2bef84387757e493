/*
 * What the pieces of mcdshm-bench share: options, the results module, the
 * transport interface the side-by-side workloads run over, and the small
 * helpers every measurement uses.  Single-threaded: each measurement forks
 * its server side.
 *
 * Adding a measurement
 * --------------------
 * A measurement is one function `void fn(const struct opts *o)` that runs
 * its work o->repeats times (main() calls it with o->repeats = 1 once per
 * round, so that every transport is measured in every round, side by side
 * in time on a machine whose load changes) and hands each figure to
 * res_add(), one call per (transport, workload, parameter).  List it in
 * the table `measurements[]` in bench.c with a name; --only matches that
 * name.  Nothing else is needed: the report, the CSV, the JSON and
 * the plots pick the rows up.  A measurement that talks MCD request/response
 * to a server in a child process can instead implement a struct xport
 * (below) and call run_xport(): it then gets every standard workload (round
 * trip, dump, registers, transaction list, payload sweep, CPU use) for free.
 */
#ifndef MCDSHM_BENCH_H
#define MCDSHM_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mcd/mcd_api.h"

struct opts {
    unsigned samples;     /* round trips per latency figure */
    unsigned records;     /* records per ring throughput figure */
    unsigned idle_ms;     /* idle window for CPU figures */
    unsigned repeats;     /* repeats of every figure */
    unsigned budget_ms;   /* time budget of one slow figure (JSON dump) */
    unsigned max_conns;   /* the connection sweep goes 1..max_conns */
    int cpu_client, cpu_server;
    uint32_t dump_mib;    /* size of the memory dump */
    uint32_t max_payload; /* largest payload of the payload sweep */
    const char *only;     /* fnmatch() pattern of measurements, or NULL */
    int quick;
};

struct lat {
    double p50, p99, mean;
};

/* ------------------------------------------------------------------------
 * Helpers (bench.c)
 */

uint64_t now_ns(void);
/* Pin the calling process to @cpu (-1: leave it). */
void pin(int cpu);
/* Sort @s and summarize its @n samples (ns). */
struct lat summarize(uint64_t *s, unsigned n);
pid_t fork_or_die(void);
void *xmalloc(size_t len);
/* CPU time (ns) used so far by process @pid (0: this process). */
uint64_t cpu_ns(pid_t pid);
/* Progress line on stderr. */
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A fresh name for an endpoint or socket of this run: "<what>-<pid>-<n>". */
void unique_name(char *buf, size_t len, const char *what);

/* Single-threaded memcpy of @mib MiB: GB/s of one copy. */
double bench_memcpy_once(uint32_t mib);

/* ------------------------------------------------------------------------
 * Results (report.c)
 */

/* Most values one row holds (repeats). */
#define RES_MAX_VALUES 64

/**
 * res_add() - record values of one figure.
 * @transport: e.g. "mcdshm-hybrid", "qmp-unix", "floor"
 * @workload: e.g. "rtt-p50", "dump", "cpu-idle-server"
 * @param: the parameter (payload bytes, connections), 0 if none
 * @unit: "ns", "GB/s", "calls/s", "%", ...
 * @v: @n values (reordered)
 * @n: number of values
 *
 * Values of the same (transport, workload, param) accumulate in one row:
 * main() runs every measurement once per repeat, round after round, so a
 * row collects one value per round; its median, min and max are what the
 * report, the CSV and the JSON give.
 */
void res_add(const char *transport, const char *workload, uint64_t param,
             const char *unit, double *v, unsigned n);
/* Print every row (median, min, max) on stdout. */
void res_print(void);
/* The median of a recorded figure, or 0 if it was not measured. */
double res_median(const char *transport, const char *workload, uint64_t param);
/* Write every row as CSV / JSON; 0 or -1 (message printed). */
int res_write_csv(const char *path);
int res_write_json(const char *path, const struct opts *o);
/* Render the PNG charts into @dir with gnuplot; 0 or -1. */
int res_plot(const char *dir);
/* /proc/loadavg's line (the machine is shared: say how busy it was). */
const char *loadavg(char *buf, size_t len);
/* Median of @n values (reorders them). */
double median(double *v, unsigned n);

/* ------------------------------------------------------------------------
 * Transports for the side-by-side workloads (work.c runs them)
 */

/* A connection of a transport's client, opaque to the workloads. */
struct xconn;

struct xport {
    const char *name;     /* the transport column, e.g. "rpc-tcp" */
    uint32_t chunk;       /* most bytes one read call carries; 0 = any */
    uint32_t max_payload; /* largest payload swept; 0 = o->max_payload */
    int time_budget;      /* slow transport: dump measured over budget_ms */
    /* Start the server in a child process (pinned, owning a platform of
     * @ram_mib MiB); fills @addr for connect.  Returns its pid. */
    pid_t (*spawn)(const struct xport *x, const struct opts *o,
                   uint32_t ram_mib, char *addr, size_t len);
    /* Connect (retrying while the server starts); exits on failure. */
    struct xconn *(*connect)(const struct xport *x, const char *addr);
    /* mcd_qry_state_f of core 0. */
    mcd_return_et (*state)(struct xconn *c, mcd_core_state_st *st);
    /* mcd_execute_txlist_f of @ntx transactions on core 0. */
    mcd_return_et (*txlist)(struct xconn *c, mcd_tx_st *tx, uint32_t ntx);
    /* Hang up; the server exits. */
    void (*close)(struct xconn *c);
    uint32_t regs_space; /* register memory space; 0 = BENCH_SPACE_REGS */
    const void *priv; /* the family's parameters */
    const char *elf;  /* mcdshm: a program the platform loads, or NULL */
};

/* Run every standard workload over @x (work.c). */
void run_xport(const struct xport *x, const struct opts *o);

/*
 * What a baseline server executes (work.c): the reference platform's own
 * target operations, so every transport does the same work.
 */
struct bench_target;
struct bench_target *bt_create(uint32_t ram_mib);
mcd_return_et bt_state(struct bench_target *t, mcd_core_state_st *st);
/* Execute @tx (its data buffer is the caller's). */
mcd_return_et bt_access(struct bench_target *t, mcd_tx_st *tx);

/*
 * Sockets for the baselines (sock.c).  @addr is a Unix socket path or
 * "tcp:127.0.0.1:PORT".  sock_listen() fills @addr (a fresh path, or the
 * port the kernel chose) and returns the listening socket; sock_connect()
 * retries while the server starts.  Each exits with a message on failure.
 */
int sock_listen(int tcp, char *addr, size_t len);
int sock_accept(int lfd);
int sock_connect(const char *addr);
/* All of @len bytes, or exit (0 from read_all: the peer hung up). */
void write_all(int fd, const void *buf, size_t len);
int read_all(int fd, void *buf, size_t len);

/* The transports. */
extern const struct xport xport_qmp_unix;           /* qmp.c */
extern const struct xport xport_rpc_tcp;            /* rpc.c */
extern const struct xport xport_rpc_unix;           /* rpc.c */
extern const struct xport xport_zmq_ipc;            /* zmq.c */
extern const struct xport xport_zmq_tcp;            /* zmq.c */
extern const struct xport xport_mcdshm[3];          /* full.c */

/* mcdshm through libmcdshm.so's window off, and through mcdshm-relay
 * over TCP (relay.c). */
extern const struct xport xport_mcdshm_rings;
extern const struct xport xport_mcdshm_relay;

/*
 * The pieces of the mcdshm transport others reuse (full.c): serve the
 * platform at endpoint @name until killed (a child process); open server
 * and core 0 with a config string (retrying while the server starts); the
 * calls; close.
 */
void bench_serve_vp(const char *name, const char *policy, int cpu,
                    uint32_t ram_mib, const char *elf)
    __attribute__((noreturn));
struct xconn *bench_open_mcd(const char *cfg);
mcd_return_et bench_mcd_state(struct xconn *c, mcd_core_state_st *st);
mcd_return_et bench_mcd_txlist(struct xconn *c, mcd_tx_st *tx, uint32_t ntx);
void bench_mcd_close(struct xconn *c);
/* Exit with @what and the MCD error of the last call on @core (NULL:
 * core-less). */
void die_mcd(const char *what, const mcd_core_st *core)
    __attribute__((noreturn));
/* The core an xconn opened. */
mcd_core_st *bench_xconn_core(struct xconn *c);

/* mcdshm only: 1..max_conns debugger processes on one server (full.c). */
void bench_connections(const struct opts *o);
/* mcdshm only: trace frames per second (full.c). */
void bench_trace(const struct opts *o);
/* mcdshm only: trace lanes with the synthetic producer (trace.c). */
void bench_trace_lanes(const struct opts *o);

/* Where the platform's RAM starts; the workloads read from there. */
#define BENCH_RAM_BASE 0x80000000ull
#define BENCH_SPACE_PHYS 1
#define BENCH_SPACE_REGS 3
#define BENCH_NGPRS 33 /* x0..x31 and pc */

/*
 * The patched QEMU (bench/qemu.c): mcd_qry_state_f round trip and a
 * @o->dump_mib MiB dump of the running guest through mcdshm (and of the
 * stopped guest), beside the same dump through QEMU's gdbstub and QMP;
 * rows qemu-mcdshm, qemu-gdbstub, qemu-qmp.  Skipped (with a note) without
 * a patched QEMU and in --quick runs.
 */
void bench_qemu(const struct opts *o);

/*
 * The SystemC example platform (bench/systemc.c): every workload through
 * the SystemC adapter and TLM transport_dbg (rows "systemc"), the platform
 * started as a child process with its harts halted.  Skipped (with a
 * note) if the example was not built.
 */
void bench_systemc(const struct opts *o);

#endif /* MCDSHM_BENCH_H */
