/*
 * test_prog.c - deterministic program for the rv64 / mcdshm-vp tests.
 *
 * Exports symbols the tests look up with vp_elf_symbol():
 *   counter[4]        each hart h < 4 increments counter[h] in bp_here()
 *   bp_here           called once per loop iteration (breakpoint target)
 *   watch_target      hart 0 stores to it, then loads it, every iteration
 *   watch_store_insn  address of the one "sd" to watch_target
 *   watch_load_insn   address of the one "ld" from watch_target
 *   watch_sink        where hart 0 keeps the value it loaded
 * Harts >= 4 return from main and park.  Runs on all harts at once; hart h
 * writes only counter[h], hart 0 owns watch_target and watch_sink.
 */

#include <stdint.h>

#define NHARTS 4

volatile uint64_t counter[NHARTS];
volatile uint64_t watch_target;
volatile uint64_t watch_sink;

void watch_store(uint64_t v);
uint64_t watch_load(void);

/*
 * The accesses to watch_target are in assembly so that each is exactly one
 * instruction at a known, exported address.
 */
__asm__(
    "    .text\n"
    "    .align 2\n"
    "    .globl watch_store\n"
    "    .type watch_store, @function\n"
    "watch_store:\n"
    "    la      t0, watch_target\n"
    "    .globl watch_store_insn\n"
    "watch_store_insn:\n"
    "    sd      a0, 0(t0)\n"
    "    ret\n"
    "    .size watch_store, . - watch_store\n"
    "    .globl watch_load\n"
    "    .type watch_load, @function\n"
    "watch_load:\n"
    "    la      t0, watch_target\n"
    "    .globl watch_load_insn\n"
    "watch_load_insn:\n"
    "    ld      a0, 0(t0)\n"
    "    ret\n"
    "    .size watch_load, . - watch_load\n");

/**
 * bp_here: count one loop iteration of hart hartid.
 * @param hartid: this hart's id, < NHARTS
 * @return nothing
 */
void __attribute__((noinline)) bp_here(uint64_t hartid)
{
    counter[hartid]++;
}

/**
 * main: per-hart entry point, called by crt0.S.
 * @param hartid: this hart's mhartid
 * @return 0 for harts >= NHARTS (crt0 parks them); never returns otherwise
 */
int main(uint64_t hartid)
{
    if (hartid >= NHARTS) {
        return 0;
    }
    for (;;) {
        bp_here(hartid);
        if (hartid == 0) {
            watch_store(counter[0]);
            watch_sink = watch_load();
        }
    }
}
