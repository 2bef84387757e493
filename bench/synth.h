/*
 * A synthetic trace producer in the server process, for the benchmark and
 * the tests of trace lanes: it hands numbered MCD core frames to
 * mcdshm_server_trace_put() as fast as allowed, so that what a debugger
 * reads through libmcdshm can be checked frame by frame.
 *
 * Frame k (k = 0, 1, ...): timestamp k, cycle EXECUTE, address
 * SYNTH_BASE + 4k in memory space 1, data k, data_width 8.  A consumer
 * that sees data jump from k to k + g (g > 1) knows g - 1 frames were
 * lost there, and the frame must carry MCD_TRACE_MARKER_GAP.
 */
#ifndef MCDSHM_BENCH_SYNTH_H
#define MCDSHM_BENCH_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

#include "mcd/mcd_api.h"

struct mcdshm_server;

#define SYNTH_BASE 0x80000000ull
#define SYNTH_BATCH 256 /* frames per mcdshm_server_trace_put() */

/**
 * synth_produce() - produce frames [@first, @first + @n) of the sequence.
 * @s: the server
 * @core: the core whose trace is streamed
 * @trace_id: the trace
 * @first: sequence number of the first frame
 * @n: frames to produce
 * @rate: frames per second to pace to; 0 = as fast as possible
 * @lossless: wait for room in every PIPE lane instead of losing frames
 *            (mcdshm_server_trace_room)
 * @stop: when non-NULL and it becomes non-zero, stop early
 *
 * Return: frames produced (handed to mcdshm_server_trace_put()).
 */
uint64_t synth_produce(struct mcdshm_server *s, uint32_t core,
                       uint32_t trace_id, uint64_t first, uint64_t n,
                       uint64_t rate, bool lossless,
                       const volatile uint32_t *stop);

/* Consumer-side check of frames read in order (see the file comment). */
struct synth_check {
    uint64_t next;     /* sequence number expected next */
    uint64_t frames;   /* frames seen */
    uint64_t lost;     /* frames the gaps account for */
    uint64_t gaps;     /* discontinuities (each must carry GAP) */
    uint64_t bad;      /* frames out of order or wrongly marked */
};

/* Check @n frames; returns false at the first bad one (counted in bad). */
bool synth_check(struct synth_check *c, const mcd_trace_data_core_st *f,
                 uint32_t n);

#endif /* MCDSHM_BENCH_SYNTH_H */
