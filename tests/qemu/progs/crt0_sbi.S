/*
 * crt0_sbi.S - start-up code for test_prog.c (cosim/vp/progs) under
 * QEMU's default riscv64 firmware, OpenSBI (fw_dynamic), in S-mode.
 *
 * OpenSBI enters _start on its boot hart only, with a0 = hartid; the
 * other harts wait in OpenSBI until the boot hart starts them with the SBI
 * HSM extension's hart_start (EID 0x48534D, FID 0), here at _start too.
 * The boot hart is the first to arrive: it sets `sbi_started` and starts
 * harts 0..__max_harts-1 but itself (a hart that does not exist makes
 * the call fail, which is ignored).  Then, as crt0.S does in M-mode: gp,
 * tp = hartid, stvec = trap_entry, the hart's own stack, main(hartid);
 * harts that return park in wfi.  Linked at 0x80200000, where OpenSBI
 * expects the next stage (link.ld with that origin, see tests/CMakeLists).
 */

    .section .text.init, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    mv      tp, a0
    mv      s0, a0
    la      t0, sbi_started
    ld      t1, 0(t0)
    bnez    t1, 3f
    li      t1, 1
    sd      t1, 0(t0)
    fence   rw, rw
    li      s1, 0
1:
    beq     s1, s0, 2f
    mv      a0, s1
    la      a1, _start
    li      a2, 0
    li      a7, 0x48534D
    li      a6, 0
    ecall
2:
    addi    s1, s1, 1
    lui     t0, %hi(__max_harts)
    addi    t0, t0, %lo(__max_harts)
    bltu    s1, t0, 1b
3:
    mv      a0, s0
    lui     t0, %hi(__max_harts)
    addi    t0, t0, %lo(__max_harts)
    bgeu    a0, t0, park
    la      t1, trap_entry
    csrw    stvec, t1
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

    .text
    .align 2
    .globl trap_entry
    .type trap_entry, @function
trap_entry:
    wfi
    j       trap_entry
    .size trap_entry, . - trap_entry

    .data
    .align 3
sbi_started:
    .dword  0
