/*
 * rv64 - a small, deterministic RV64IM + Zicsr + Zifencei interpreter
 * for the mcdshm-vp reference platform.
 *
 * This module executes instructions and nothing else.  It owns no memory
 * and no threads: the platform owns the RAM buffer and the MMIO devices
 * (reached through struct rv64_bus), the hart state (struct rv64_hart,
 * which the platform allocates), the breakpoint list and the run control.
 * The interpreter keeps no global or static mutable state.
 *
 * Threads: a struct rv64_hart must only be touched by one thread at a time:
 * the thread that runs it.  The platform may read or change it while the
 * hart is not inside rv64_step()/rv64_run(), and may read (not change) it
 * from inside that hart's bus callbacks.  During rv64_run() the pc is kept
 * in a register: h->pc is made current before every bus callback (slow-
 * path load/store/fetch, watch) and on return; all other fields always
 * are.  Different harts may run concurrently on different threads and
 * share one RAM buffer; the bus callbacks are then called concurrently
 * from those threads and must be thread-safe themselves.  Aligned RAM
 * accesses of 1, 2, 4 and 8 bytes are single host loads/stores (compiled
 * from fixed-size memcpy), so they do not tear on the x86-64 and AArch64
 * hosts we build for; no stronger ordering than the host's is provided
 * (RV64IM has no atomics anyway).
 *
 * Architecture implemented:
 *  - RV64I, M extension, Zicsr, Zifencei (fence and fence.i are no-ops:
 *    there is no decoded-instruction cache, so self-modifying code works).
 *  - Machine mode only, no MMU, no interrupt delivery, IALIGN = 32 (no C).
 *  - ecall, ebreak, mret, wfi.  Other SYSTEM encodings are illegal.
 *  - Little-endian data.  Misaligned loads/stores are performed (in RAM as
 *    one host access; outside RAM they go to the slow-path callbacks with
 *    the misaligned address, and the callback decides).
 *  - One cycle per instruction: mcycle counts steps (retired instructions
 *    plus trapping instructions), minstret counts retired instructions.
 *    The time CSR reads *mtime if the platform set h->mtime, else mcycle.
 *  - Exceptions taken (mcause): 0 instruction address misaligned (raised
 *    by the jump/branch with the bad target, mtval = target, or at fetch
 *    if pc was set misaligned from outside), 1 instruction access fault,
 *    2 illegal instruction (mtval = instruction bits), 3 breakpoint (only
 *    when ebreak_stops is false, mtval = pc), 5 load access fault, 7 store
 *    access fault (mtval = data address), 11 environment call from M-mode.
 *    Trap entry: mepc = pc, mcause, mtval, mstatus.MPIE = MIE, MIE = 0,
 *    MPP = M, pc = mtvec with its mode bits cleared.
 *
 * CSRs implemented (anything else is an illegal instruction for the guest
 * and -ENOENT for rv64_csr_read()/rv64_csr_write()):
 *   mstatus  0x300  MIE, MPIE writable; MPP reads 3 (M); all else 0
 *   misa     0x301  RV64 "IM", writes ignored
 *   mie      0x304  MSIE/MTIE/MEIE writable
 *   mtvec    0x305  mode 0 or 1 (bit 1 forced to 0); traps go to base
 *   mscratch 0x340, mcause 0x342, mtval 0x343: full 64-bit read/write
 *   mepc     0x341  bits 1:0 read as zero
 *   mip      0x344  MSIP/MTIP/MEIP writable (no interrupt is delivered)
 *   mhpmevent3..31 0x323-0x33f: read zero, writes ignored
 *   mcycle 0xb00, minstret 0xb02: read/write (a guest write replaces the
 *            increment of that instruction, as the spec says)
 *   mhpmcounter3..31 0xb03-0xb1f: read zero, writes ignored
 *   cycle 0xc00, time 0xc01, instret 0xc02: read-only shadows
 *   hpmcounter3..31 0xc03-0xc1f: read-only zero
 *   mvendorid 0xf11, marchid 0xf12, mimpid 0xf13, mconfigptr 0xf15: 0
 *   mhartid  0xf14  read-only hart id
 *
 * Debugger support:
 *  - ebreak: with h->ebreak_stops (default true) rv64_step() returns
 *    RV64_EBREAK and leaves the hart exactly as it was (pc at the ebreak).
 *  - watchpoints: bus->watch is called before every data load/store;
 *    nonzero stops the instruction with no effect (RV64_WATCH, pc
 *    unchanged).  To step over the access, call rv64_step() once with a
 *    copy of the bus whose watch is NULL.
 *  - breakpoints: rv64_run() takes a sorted array of PCs and stops BEFORE
 *    executing an instruction at one of them (RV64_BREAKPOINT), including
 *    the first instruction of the call.  rv64_step() never checks them, so
 *    a halted hart resumes from a breakpoint with one rv64_step() and then
 *    rv64_run() again.
 */

#ifndef MCDSHM_VP_RV64_H
#define MCDSHM_VP_RV64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CSR numbers used by the interpreter and useful to the platform. */
#define RV64_CSR_MSTATUS    0x300
#define RV64_CSR_MISA       0x301
#define RV64_CSR_MIE        0x304
#define RV64_CSR_MTVEC      0x305
#define RV64_CSR_MSCRATCH   0x340
#define RV64_CSR_MEPC       0x341
#define RV64_CSR_MCAUSE     0x342
#define RV64_CSR_MTVAL      0x343
#define RV64_CSR_MIP        0x344
#define RV64_CSR_MCYCLE     0xb00
#define RV64_CSR_MINSTRET   0xb02
#define RV64_CSR_CYCLE      0xc00
#define RV64_CSR_TIME       0xc01
#define RV64_CSR_INSTRET    0xc02
#define RV64_CSR_MVENDORID  0xf11
#define RV64_CSR_MARCHID    0xf12
#define RV64_CSR_MIMPID     0xf13
#define RV64_CSR_MHARTID    0xf14
#define RV64_CSR_MCONFIGPTR 0xf15

/* mcause values of the exceptions this interpreter raises. */
#define RV64_EXC_INSN_MISALIGNED 0
#define RV64_EXC_INSN_FAULT      1
#define RV64_EXC_ILLEGAL         2
#define RV64_EXC_BREAKPOINT      3
#define RV64_EXC_LOAD_FAULT      5
#define RV64_EXC_STORE_FAULT     7
#define RV64_EXC_ECALL_M         11

/* mstatus bits that exist here. */
#define RV64_MSTATUS_MIE  (1ull << 3)
#define RV64_MSTATUS_MPIE (1ull << 7)
#define RV64_MSTATUS_MPP  (3ull << 11)

/* rv64_run() polls *stop once per this many steps. */
#define RV64_STOP_INTERVAL 1024

/*
 * The platform's view of memory for one hart (may be shared by harts).
 * Accesses that lie entirely inside [ram_base, ram_base + ram_size) go
 * straight to ram[]; everything else (also accesses straddling the end of
 * RAM) goes to load/store, or faults if those are NULL.  ram == NULL or
 * ram_size < 8 disables the fast path.  rv64_step() and rv64_run() read
 * the structure once on entry: change it only between calls.
 */
struct rv64_bus {
    uint8_t *ram;           /* host pointer to guest RAM, may be NULL */
    uint64_t ram_base;      /* guest physical address of ram[0] */
    uint64_t ram_size;      /* bytes; 0 = no fast-path RAM */
    void *opaque;           /* passed to every callback */
    /*
     * Slow path, size is 1, 2, 4 or 8.  load stores the value in the low
     * size bytes of *val (higher bits are ignored).  Also used for
     * instruction fetch (size 4) outside RAM.  Return 0 on success, any
     * nonzero value for an access fault.
     */
    int (*load)(void *opaque, uint64_t addr, unsigned size, uint64_t *val);
    int (*store)(void *opaque, uint64_t addr, unsigned size, uint64_t val);
    /*
     * Optional watchpoint hook, called before every data load/store
     * (not for fetches), in RAM or not.  Return nonzero to stop: the
     * instruction then has no effect at all and pc is unchanged.
     */
    int (*watch)(void *opaque, uint64_t addr, unsigned size, int is_write);
};

/* Architectural state of one hart.  Reset with rv64_hart_reset(). */
struct rv64_hart {
    uint64_t x[32];         /* x[0] always reads 0 */
    uint64_t pc;
    uint64_t instret;       /* minstret */
    uint64_t cycle;         /* mcycle */
    uint64_t mstatus;
    uint64_t mie;
    uint64_t mip;
    uint64_t mtvec;
    uint64_t mepc;
    uint64_t mcause;
    uint64_t mtval;
    uint64_t mscratch;
    /* optional platform timer for the time CSR, read relaxed-atomically */
    const uint64_t *mtime;
    uint32_t hartid;        /* mhartid */
    bool ebreak_stops;      /* ebreak halts (RV64_EBREAK) instead of trap */
};

enum rv64_step_result {
    RV64_OK = 0,        /* instruction retired normally */
    RV64_EBREAK,        /* ebreak with ebreak_stops: nothing changed */
    RV64_WATCH,         /* bus->watch stopped a load/store: nothing changed */
    RV64_TRAP,          /* an exception was taken: pc is now the handler */
    RV64_WFI,           /* wfi retired (pc is past it); the hart may idle */
    RV64_BREAKPOINT,    /* rv64_run(): pc is at a breakpoint, not executed */
    RV64_STOPPED,       /* rv64_run(): *stop became nonzero */
};

/* What one rv64_step() did, for tracing. */
struct rv64_retire {
    uint64_t pc;        /* address of the instruction */
    uint32_t insn;      /* its bits (0 if the fetch failed) */
    uint8_t len;        /* 4, or 0 if the fetch failed */
    uint8_t mem_size;   /* 0 if no data access was attempted */
    uint8_t mem_write;  /* 1 for a store */
    uint8_t trap;       /* 1 if an exception was taken */
    uint64_t mem_addr;  /* data address when mem_size != 0 */
    uint64_t cause;     /* mcause of the trap when trap != 0 */
    uint64_t tval;      /* mtval of the trap when trap != 0 */
};

/* Breakpoint PCs for rv64_run(), sorted ascending (duplicates allowed). */
struct rv64_bkpts {
    const uint64_t *pc;
    size_t n;
};

/**
 * rv64_hart_reset: put a hart into its reset state.
 * All GPRs, counters and CSRs become 0 except: pc = reset_pc,
 * mhartid = hartid, mstatus.MPP = M, ebreak_stops = true, mtime = NULL.
 * @param h: the hart to reset
 * @param hartid: value of the mhartid CSR
 * @param reset_pc: first instruction to execute
 * @return nothing
 */
void rv64_hart_reset(struct rv64_hart *h, uint32_t hartid, uint64_t reset_pc);

/**
 * rv64_step: execute exactly one instruction (breakpoints not checked).
 * @param h: the hart
 * @param bus: memory the hart sees
 * @param ret: filled with trace information, or NULL (tracing off)
 * @return RV64_OK: retired; RV64_WFI: a wfi retired;
 *         RV64_TRAP: an exception was taken (see h->mcause, h->mtval);
 *         RV64_EBREAK: ebreak with ebreak_stops, hart unchanged;
 *         RV64_WATCH: bus->watch vetoed the access, hart and memory
 *         unchanged.  Never RV64_BREAKPOINT or RV64_STOPPED.
 */
enum rv64_step_result rv64_step(struct rv64_hart *h, const struct rv64_bus *bus,
                                struct rv64_retire *ret);

/**
 * rv64_run: execute up to n steps without tracing.
 * Stops early before an instruction whose pc is in bp (also the first
 * one), after any step that does not return RV64_OK, or when *stop is
 * found nonzero (polled with a relaxed atomic load on entry and every
 * RV64_STOP_INTERVAL steps).
 * @param h: the hart
 * @param bus: memory the hart sees
 * @param n: maximum number of steps
 * @param bp: breakpoints, or NULL / n == 0 for none
 * @param stop: asynchronous stop request flag, or NULL
 * @param why: if not NULL, receives RV64_OK when n steps were done,
 *        RV64_STOPPED, RV64_BREAKPOINT, or the rv64_step() result that
 *        ended the run (RV64_TRAP, RV64_WFI, RV64_EBREAK, RV64_WATCH)
 * @return number of steps that changed the hart (retired instructions
 *         and traps taken, including a final RV64_TRAP or RV64_WFI;
 *         not the vetoed RV64_EBREAK/RV64_WATCH instruction)
 */
uint64_t rv64_run(struct rv64_hart *h, const struct rv64_bus *bus, uint64_t n,
                  const struct rv64_bkpts *bp, const int *stop,
                  enum rv64_step_result *why);

/**
 * rv64_csr_read: read a CSR as the debugger sees it (no side effects).
 * @param h: the hart
 * @param csr: CSR number (0..0xfff)
 * @param val: receives the value
 * @return 0 on success, -ENOENT if the CSR is not implemented
 */
int rv64_csr_read(const struct rv64_hart *h, uint16_t csr, uint64_t *val);

/**
 * rv64_csr_write: write a CSR from the debugger (WARL masks applied).
 * @param h: the hart
 * @param csr: CSR number (0..0xfff)
 * @param val: the new value
 * @return 0 on success (also for WARL CSRs that ignore the write, such as
 *         misa), -ENOENT if the CSR is not implemented, -EPERM if it is
 *         read-only (mhartid, mvendorid, ..., cycle, time, instret,
 *         hpmcounterN: write mcycle/minstret instead)
 */
int rv64_csr_write(struct rv64_hart *h, uint16_t csr, uint64_t val);

/**
 * rv64_gpr_name: ABI name of an integer register.
 * @param i: register number
 * @return "zero", "ra", "sp", ..., "t6" (x8 is "s0"), or NULL if i > 31
 */
const char *rv64_gpr_name(unsigned i);

/**
 * rv64_gpr_index: register number of an ABI ("a0", "fp") or x-name ("x10").
 * @param name: the name
 * @return 0..31, or -ENOENT if the name is not a register
 */
int rv64_gpr_index(const char *name);

#endif /* MCDSHM_VP_RV64_H */
