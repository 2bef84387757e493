/*
 * What the pieces of mcdshm-bench share: options, latency summaries and
 * the small helpers every measurement uses.  Single-threaded: each
 * measurement forks its server side.
 */
#ifndef MCDSHM_BENCH_H
#define MCDSHM_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct opts {
    unsigned samples;     /* round trips per latency measurement */
    unsigned records;     /* records per throughput measurement */
    unsigned idle_ms;     /* idle window */
    int cpu_client, cpu_server;
    uint32_t dump_mib;    /* size of the memory dump */
};

struct lat {
    double p50, p99, mean;
};

uint64_t now_ns(void);
/* Pin the calling process to @cpu (-1: leave it). */
void pin(int cpu);
/* Sort @s and summarize its @n samples (ns). */
struct lat summarize(uint64_t *s, unsigned n);
pid_t fork_or_die(void);
void print_lat(const char *what, struct lat l);
/* Print a goal line: @ratio against @limit (lower is better). */
void goal(const char *what, double ratio, double limit);

/* Single-threaded memcpy of @mib MiB: best GB/s of a few runs. */
double bench_memcpy(uint32_t mib);

/*
 * The full path: libmcdshm.so to mcdshm-vp's platform in a child process,
 * under @policy ("busy", "hybrid", "sleep").  Returns the
 * mcd_qry_state_f round trip and the rate (GB/s) of a @o->dump_mib MiB
 * dump through mcd_execute_txlist_f.
 */
void bench_full_path(const struct opts *o, const char *policy,
                     struct lat *state_rtt, double *dump_gbs);

/* Helpers of the full path (full.c), shared with systemc.c. */
#include "mcd/mcd_api.h"
/* Print the last MCD error of @core (NULL: core-less) and exit(1). */
void die_mcd(const char *what, const mcd_core_st *core);
/* Open the server of config string @cfg (retrying ~2 s) and core 0. */
mcd_core_st *open_core0(const char *cfg, mcd_server_st **srv);
/* @n mcd_qry_state_f round trips after 100 warm-up calls. */
struct lat state_rtt(mcd_core_st *core, unsigned n);
/* Median GB/s of three dumps of @len bytes of RAM at 0x80000000. */
double dump_rate(mcd_core_st *core, uint8_t *buf, size_t len);

/*
 * The SystemC example platform (cosim/systemc), started as a child
 * process: mcd_qry_state_f round trips with its harts halted and running,
 * and a @o->dump_mib MiB dump through TLM transport_dbg.  Prints its own
 * lines; says so and returns if the platform was not built.
 */
void bench_systemc(const struct opts *o);

#endif /* MCDSHM_BENCH_H */
