/*
 * crt0.S - start-up code for the mcdshm-vp demo and test programs.
 *
 * Every hart starts here at 0x80000000 with its own mhartid.  Each hart
 * sets gp, tp = hartid, mtvec = trap_entry and its own 64 KiB stack
 * (hart h's stack ends at __stack_top - h * __stack_size_per_hart), then
 * calls main(hartid).  Harts with mhartid >= __max_harts, and harts whose
 * main returns, park in a wfi loop.  .bss is not cleared here: the ELF
 * loader zero-fills it (clearing it here would race with the other harts
 * that are already running).  Runs on every hart concurrently; it only
 * touches per-hart registers.
 */

    .section .text.init, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    csrr    a0, mhartid
    mv      tp, a0
    lui     t0, %hi(__max_harts)
    addi    t0, t0, %lo(__max_harts)
    bgeu    a0, t0, park
    la      t1, trap_entry
    csrw    mtvec, t1
    lui     t0, %hi(__stack_size_per_hart)
    addi    t0, t0, %lo(__stack_size_per_hart)
    mul     t0, t0, a0
    la      sp, __stack_top
    sub     sp, sp, t0
    call    main
park:
    wfi
    j       park
    .size _start, . - _start

/*
 * Any exception ends up here and parks the hart; a debugger can put a
 * breakpoint on trap_entry and read mcause/mepc/mtval to see why.  (No
 * ebreak here: with ebreak_stops off it would trap to itself forever.)
 */
    .text
    .align 2
    .globl trap_entry
    .type trap_entry, @function
trap_entry:
    wfi
    j       trap_entry
    .size trap_entry, . - trap_entry
