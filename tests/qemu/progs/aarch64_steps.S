/*
 * aarch64_steps.S - a known program for the aarch64 step test
 * (tests/qemu/test_qemu.c "steps"), bare metal on qemu-system-aarch64
 * -machine virt, loaded with -kernel.
 *
 * Core 0 sets x0..x30 to known values and runs SEQ, a straight line of
 * register-only instructions, storing x0..x30 after each one into
 * `snapshots` (256 bytes per instruction; sp, which is not among x0..x30,
 * points there); then it sets the same values again and runs SEQ once
 * more from `steps_start` to `steps_end`, where a debugger single-steps it
 * and compares pc and x0..x30 after each step with what the first run
 * stored.  The other cores (powered off by QEMU's PSCI) never run.
 */
    .macro INIT
    .irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
    ldr     x\r, =(0x0123456789abcdef ^ (\r * 0x1111111111111))
    .endr
    .endm

    /* The instructions, each followed by \after (nothing, or a snapshot). */
    .macro SEQ after
    adds    x0, x1, x2
    \after
    sub     x3, x4, x5
    \after
    eor     x6, x7, x8
    \after
    orr     x9, x10, x11
    \after
    and     x12, x13, x14
    \after
    lsl     x15, x16, #7
    \after
    lsr     x17, x18, #3
    \after
    mul     x19, x20, x21
    \after
    madd    x22, x23, x24, x25
    \after
    udiv    x26, x27, x28
    \after
    movz    x29, #0x1234, lsl #16
    \after
    movk    x30, #0xbeef
    \after
    ror     x0, x0, #13
    \after
    neg     x1, x2
    \after
    cmp     x5, x6
    \after
    csel    x2, x3, x4, ne
    \after
    csinc   x7, x8, x9, lt
    \after
    bic     x10, x11, x12
    \after
    mvn     x11, x12
    \after
    clz     x13, x14
    \after
    rbit    x14, x15
    \after
    rev     x16, x17
    \after
    ubfx    x18, x19, #4, #12
    \after
    sbfx    x20, x21, #8, #16
    \after
    extr    x23, x24, x25, #17
    \after
    add     w26, w27, w28
    \after
    smulh   x27, x28, x29
    \after
    umulh   x28, x29, x30
    \after
    msub    x30, x0, x1, x2
    \after
    .endm

    .macro SNAP
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
    add     sp, sp, #256
    .endm

    .section .text.init, "ax", %progbits
    .globl _start
    .type _start, %function
_start:
    mrs     x0, mpidr_el1
    and     x0, x0, #0xff
    cbnz    x0, park
    ldr     x0, =snapshots
    mov     sp, x0
    INIT
    SEQ     SNAP
    INIT
    .globl steps_start
steps_start:
    SEQ
    .globl steps_end
steps_end:
park:
    wfi
    b       park
    .size _start, . - _start
    .ltorg

    .bss
    .balign 16
    .globl snapshots
snapshots:
    .space 256 * 64
