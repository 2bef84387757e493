/*
 * What the pieces of mcdshm-bench share: options, latency summaries and
 * the small helpers every measurement uses.  Single-threaded: each
 * measurement forks its server side.
 */
#ifndef MCDSHM_BENCH_H
#define MCDSHM_BENCH_H

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

/*
 * The patched QEMU (bench/qemu.c): mcd_qry_state_f round trip and a
 * @o->dump_mib MiB dump of the running guest through mcdshm, beside the
 * same dump through QEMU's gdbstub and QMP; prints its lines and goals.
 */
void bench_qemu(const struct opts *o, double memcpy_gbs);

#endif /* MCDSHM_BENCH_H */
