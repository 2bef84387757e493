/*
 * test_rv64.c - Criterion tests for the rv64 interpreter and the ELF
 * loader of the mcdshm-vp platform (cosim/vp).
 *
 * Instructions are hand-encoded with the R/I/S/B/U/J macros below into a
 * 64 KiB RAM buffer at 0x80000000 and executed one step at a time or with
 * rv64_run().  A 32-byte MMIO window at 0x10000000 exercises the bus slow
 * path; everything else faults.  Owns one struct vm per test (Criterion
 * runs each test in its own process); one test runs two harts on two
 * threads over shared RAM.  The ELF test uses $MCDSHM_VP_PROGS/
 * test_prog.elf (built by cosim/vp/progs/build.sh) and is skipped without.
 */

#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cosim/vp/elf_load.h"
#include "cosim/vp/rv64.h"

/* ---- instruction encoders ------------------------------------------------ */

#define U32(v) ((uint32_t)(v))

#define ENC_R(f7, rs2, rs1, f3, rd, op) \
    (U32(f7) << 25 | U32(rs2) << 20 | U32(rs1) << 15 | U32(f3) << 12 | \
     U32(rd) << 7 | U32(op))
#define ENC_I(imm, rs1, f3, rd, op) \
    ((U32(imm) & 0xfff) << 20 | U32(rs1) << 15 | U32(f3) << 12 | \
     U32(rd) << 7 | U32(op))
#define ENC_S(imm, rs2, rs1, f3, op) \
    ((U32(imm) >> 5 & 0x7f) << 25 | U32(rs2) << 20 | U32(rs1) << 15 | \
     U32(f3) << 12 | (U32(imm) & 0x1f) << 7 | U32(op))
#define ENC_B(imm, rs2, rs1, f3) \
    ((U32(imm) >> 12 & 1) << 31 | (U32(imm) >> 5 & 0x3f) << 25 | \
     U32(rs2) << 20 | U32(rs1) << 15 | U32(f3) << 12 | \
     (U32(imm) >> 1 & 0xf) << 8 | (U32(imm) >> 11 & 1) << 7 | 0x63)
#define ENC_U(imm20, rd, op) \
    ((U32(imm20) & 0xfffff) << 12 | U32(rd) << 7 | U32(op))
#define ENC_J(imm, rd) \
    ((U32(imm) >> 20 & 1) << 31 | (U32(imm) >> 1 & 0x3ff) << 21 | \
     (U32(imm) >> 11 & 1) << 20 | (U32(imm) >> 12 & 0xff) << 12 | \
     U32(rd) << 7 | 0x6f)

/* RV64I register-register and register-immediate */
#define OP(f7, f3, rd, a, b)    ENC_R(f7, b, a, f3, rd, 0x33)
#define OP32(f7, f3, rd, a, b)  ENC_R(f7, b, a, f3, rd, 0x3b)
#define ADD(d, a, b)    OP(0, 0, d, a, b)
#define SUB(d, a, b)    OP(0x20, 0, d, a, b)
#define SLL(d, a, b)    OP(0, 1, d, a, b)
#define SLT(d, a, b)    OP(0, 2, d, a, b)
#define SLTU(d, a, b)   OP(0, 3, d, a, b)
#define XOR(d, a, b)    OP(0, 4, d, a, b)
#define SRL(d, a, b)    OP(0, 5, d, a, b)
#define SRA(d, a, b)    OP(0x20, 5, d, a, b)
#define OR(d, a, b)     OP(0, 6, d, a, b)
#define AND(d, a, b)    OP(0, 7, d, a, b)
#define MUL(d, a, b)    OP(1, 0, d, a, b)
#define MULH(d, a, b)   OP(1, 1, d, a, b)
#define MULHSU(d, a, b) OP(1, 2, d, a, b)
#define MULHU(d, a, b)  OP(1, 3, d, a, b)
#define DIV(d, a, b)    OP(1, 4, d, a, b)
#define DIVU(d, a, b)   OP(1, 5, d, a, b)
#define REM(d, a, b)    OP(1, 6, d, a, b)
#define REMU(d, a, b)   OP(1, 7, d, a, b)
#define ADDW(d, a, b)   OP32(0, 0, d, a, b)
#define SUBW(d, a, b)   OP32(0x20, 0, d, a, b)
#define SLLW(d, a, b)   OP32(0, 1, d, a, b)
#define SRLW(d, a, b)   OP32(0, 5, d, a, b)
#define SRAW(d, a, b)   OP32(0x20, 5, d, a, b)
#define MULW(d, a, b)   OP32(1, 0, d, a, b)
#define DIVW(d, a, b)   OP32(1, 4, d, a, b)
#define DIVUW(d, a, b)  OP32(1, 5, d, a, b)
#define REMW(d, a, b)   OP32(1, 6, d, a, b)
#define REMUW(d, a, b)  OP32(1, 7, d, a, b)
#define ADDI(d, a, i)   ENC_I(i, a, 0, d, 0x13)
#define SLTI(d, a, i)   ENC_I(i, a, 2, d, 0x13)
#define SLTIU(d, a, i)  ENC_I(i, a, 3, d, 0x13)
#define XORI(d, a, i)   ENC_I(i, a, 4, d, 0x13)
#define ORI(d, a, i)    ENC_I(i, a, 6, d, 0x13)
#define ANDI(d, a, i)   ENC_I(i, a, 7, d, 0x13)
#define SLLI(d, a, s)   ENC_I(s, a, 1, d, 0x13)
#define SRLI(d, a, s)   ENC_I(s, a, 5, d, 0x13)
#define SRAI(d, a, s)   ENC_I(0x400 | (s), a, 5, d, 0x13)
#define ADDIW(d, a, i)  ENC_I(i, a, 0, d, 0x1b)
#define SLLIW(d, a, s)  ENC_I(s, a, 1, d, 0x1b)
#define SRLIW(d, a, s)  ENC_I(s, a, 5, d, 0x1b)
#define SRAIW(d, a, s)  ENC_I(0x400 | (s), a, 5, d, 0x1b)
#define LUI(d, i20)     ENC_U(i20, d, 0x37)
#define AUIPC(d, i20)   ENC_U(i20, d, 0x17)
/* loads, stores, control transfer */
#define LB(d, o, a)     ENC_I(o, a, 0, d, 0x03)
#define LH(d, o, a)     ENC_I(o, a, 1, d, 0x03)
#define LW(d, o, a)     ENC_I(o, a, 2, d, 0x03)
#define LD(d, o, a)     ENC_I(o, a, 3, d, 0x03)
#define LBU(d, o, a)    ENC_I(o, a, 4, d, 0x03)
#define LHU(d, o, a)    ENC_I(o, a, 5, d, 0x03)
#define LWU(d, o, a)    ENC_I(o, a, 6, d, 0x03)
#define SB(s, o, a)     ENC_S(o, s, a, 0, 0x23)
#define SH(s, o, a)     ENC_S(o, s, a, 1, 0x23)
#define SW(s, o, a)     ENC_S(o, s, a, 2, 0x23)
#define SD(s, o, a)     ENC_S(o, s, a, 3, 0x23)
#define BEQ(a, b, o)    ENC_B(o, b, a, 0)
#define BNE(a, b, o)    ENC_B(o, b, a, 1)
#define BLT(a, b, o)    ENC_B(o, b, a, 4)
#define BGE(a, b, o)    ENC_B(o, b, a, 5)
#define BLTU(a, b, o)   ENC_B(o, b, a, 6)
#define BGEU(a, b, o)   ENC_B(o, b, a, 7)
#define JAL(d, o)       ENC_J(o, d)
#define JALR(d, a, o)   ENC_I(o, a, 0, d, 0x67)
/* system */
#define CSRRW(d, c, a)  ENC_I(c, a, 1, d, 0x73)
#define CSRRS(d, c, a)  ENC_I(c, a, 2, d, 0x73)
#define CSRRC(d, c, a)  ENC_I(c, a, 3, d, 0x73)
#define CSRRWI(d, c, z) ENC_I(c, z, 5, d, 0x73)
#define CSRRSI(d, c, z) ENC_I(c, z, 6, d, 0x73)
#define CSRRCI(d, c, z) ENC_I(c, z, 7, d, 0x73)
#define CSRR(d, c)      CSRRS(d, c, 0)
#define CSRW(c, a)      CSRRW(0, c, a)
#define ECALL           0x00000073u
#define EBREAK          0x00100073u
#define MRET            0x30200073u
#define WFI             0x10500073u
#define FENCE           0x0ff0000fu
#define FENCE_I         0x0000100fu
#define NOP             ADDI(0, 0, 0)

/* ---- the test machine ---------------------------------------------------- */

#define RAM_BASE  0x80000000ull
#define RAM_SIZE  0x10000ull
#define DATA      (RAM_BASE + 0x8000)   /* data area */
#define TRAP_VEC  (RAM_BASE + 0x4000)   /* mtvec */
#define MMIO      0x10000000ull         /* 32 bytes of registers */
#define UNMAPPED  0x20000000ull

#define X(n) (vm.h.x[n])

struct vm {
    uint8_t ram[RAM_SIZE];
    uint8_t mmio[32];
    struct rv64_bus bus;
    struct rv64_hart h;
    uint64_t watch_addr;        /* watched address, 0 = none */
    int watch_calls;
    uint64_t last_addr;         /* last access seen by the watch hook */
    unsigned last_size;
    int last_write;
    uint64_t last_pc;           /* hart pc seen by the watch hook */
    int stop_flag;              /* rv64_run() stop flag */
    int set_stop_on_watch;      /* watch hook sets stop_flag, no veto */
};

static struct vm vm;

static int mmio_load(void *opaque, uint64_t addr, unsigned size,
                     uint64_t *val)
{
    struct vm *v = opaque;
    uint64_t r = 0;
    unsigned i;

    if (addr < MMIO || addr + size > MMIO + sizeof(v->mmio)) {
        return -1;
    }
    for (i = 0; i < size; i++) {
        r |= (uint64_t)v->mmio[addr - MMIO + i] << (8 * i);
    }
    if (size < 8) {
        r |= 0xdead000000000000ull;     /* junk above size: must be cut */
    }
    *val = r;
    return 0;
}

static int mmio_store(void *opaque, uint64_t addr, unsigned size,
                      uint64_t val)
{
    struct vm *v = opaque;
    unsigned i;

    if (addr < MMIO || addr + size > MMIO + sizeof(v->mmio)) {
        return -1;
    }
    for (i = 0; i < size; i++) {
        v->mmio[addr - MMIO + i] = (uint8_t)(val >> (8 * i));
    }
    return 0;
}

static int watch_hook(void *opaque, uint64_t addr, unsigned size,
                      int is_write)
{
    struct vm *v = opaque;

    v->watch_calls++;
    v->last_addr = addr;
    v->last_size = size;
    v->last_write = is_write;
    v->last_pc = v->h.pc;
    if (v->set_stop_on_watch) {
        __atomic_store_n(&v->stop_flag, 1, __ATOMIC_RELAXED);
        return 0;
    }
    return v->watch_addr != 0 && addr == v->watch_addr;
}

static void vm_init(void)
{
    memset(&vm, 0, sizeof(vm));
    vm.bus.ram = vm.ram;
    vm.bus.ram_base = RAM_BASE;
    vm.bus.ram_size = RAM_SIZE;
    vm.bus.opaque = &vm;
    vm.bus.load = mmio_load;
    vm.bus.store = mmio_store;
    rv64_hart_reset(&vm.h, 0, RAM_BASE);
    vm.h.mtvec = TRAP_VEC;
}

static void put32(uint64_t addr, uint32_t v)
{
    cr_assert(addr >= RAM_BASE && addr + 4 <= RAM_BASE + RAM_SIZE);
    memcpy(vm.ram + (addr - RAM_BASE), &v, 4);
}

static uint64_t get64(uint64_t addr)
{
    uint64_t v;

    memcpy(&v, vm.ram + (addr - RAM_BASE), 8);
    return v;
}

static void set64(uint64_t addr, uint64_t v)
{
    memcpy(vm.ram + (addr - RAM_BASE), &v, 8);
}

static void put_prog(uint64_t addr, const uint32_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        put32(addr + 4 * i, p[i]);
    }
}

/* Load a program at RAM_BASE (a fresh vm is NOT made here). */
#define PROG(...) do { \
        const uint32_t prog_[] = { __VA_ARGS__ }; \
        put_prog(RAM_BASE, prog_, sizeof(prog_) / sizeof(prog_[0])); \
    } while (0)

static enum rv64_step_result step(void)
{
    return rv64_step(&vm.h, &vm.bus, NULL);
}

/* Run until ebreak (which must come within 1000 steps). */
static void run_to_ebreak(void)
{
    enum rv64_step_result why;

    rv64_run(&vm.h, &vm.bus, 1000, NULL, NULL, &why);
    cr_assert_eq(why, RV64_EBREAK, "run ended with %d at pc 0x%llx", why,
                 (unsigned long long)vm.h.pc);
}

/* Check that the last step took exception `cause` at `pc`. */
static void expect_trap(enum rv64_step_result r, uint64_t cause,
                        uint64_t pc, uint64_t tval)
{
    cr_assert_eq(r, RV64_TRAP, "result %d, expected RV64_TRAP", r);
    cr_expect_eq(vm.h.mcause, cause, "mcause %llu, expected %llu",
                 (unsigned long long)vm.h.mcause, (unsigned long long)cause);
    cr_expect_eq(vm.h.mepc, pc, "mepc 0x%llx, expected 0x%llx",
                 (unsigned long long)vm.h.mepc, (unsigned long long)pc);
    cr_expect_eq(vm.h.mtval, tval, "mtval 0x%llx, expected 0x%llx",
                 (unsigned long long)vm.h.mtval, (unsigned long long)tval);
    cr_expect_eq(vm.h.pc, TRAP_VEC);
}

/* ---- encoder self-check -------------------------------------------------- */

Test(encoder, matches_gnu_as)
{
    /* encodings taken from riscv64-unknown-elf-objdump output */
    cr_expect_eq(SD(10, 0, 5), 0x00a2b023u);            /* sd a0,0(t0) */
    cr_expect_eq(JAL(1, -0x4c), 0xfb5ff0efu);
    cr_expect_eq(BGEU(10, 5, 0x2c), 0x02557663u);
    cr_expect_eq(BNE(8, 0, -8), 0xfe041ce3u);
    cr_expect_eq(ADDI(2, 2, -32), 0xfe010113u);
    cr_expect_eq(SD(1, 24, 2), 0x00113c23u);
    cr_expect_eq(CSRR(10, 0xf14), 0xf1402573u);         /* csrr a0,mhartid */
    cr_expect_eq(CSRW(0x305, 6), 0x30531073u);          /* csrw mtvec,t1 */
    cr_expect_eq(LUI(5, 0x10), 0x000102b7u);
    cr_expect_eq(AUIPC(2, 0x80), 0x00080117u);
    cr_expect_eq(MUL(5, 5, 10), 0x02a282b3u);
    cr_expect_eq(SLLI(10, 10, 3), 0x00351513u);
    cr_expect_eq(JALR(0, 1, 0), 0x00008067u);           /* ret */
}

/* ---- ALU instructions, table driven -------------------------------------- */

struct alu_case {
    const char *name;
    uint32_t insn;      /* rd = x3, rs1 = x1, rs2 = x2 */
    uint64_t a, b, want;
};

#define M1  0xffffffffffffffffull
#define MIN 0x8000000000000000ull
#define MAX 0x7fffffffffffffffull

static const struct alu_case alu_cases[] = {
    { "add", ADD(3, 1, 2), 1, 2, 3 },
    { "add wrap", ADD(3, 1, 2), M1, 1, 0 },
    { "sub", SUB(3, 1, 2), 0, 1, M1 },
    { "sub big", SUB(3, 1, 2), MIN, 1, MAX },
    { "sll 63", SLL(3, 1, 2), 1, 63, MIN },
    { "sll 64 masked", SLL(3, 1, 2), 1, 64, 1 },
    { "slt neg", SLT(3, 1, 2), M1, 1, 1 },
    { "slt pos", SLT(3, 1, 2), 1, M1, 0 },
    { "slt equal", SLT(3, 1, 2), 5, 5, 0 },
    { "sltu", SLTU(3, 1, 2), 1, M1, 1 },
    { "sltu neg", SLTU(3, 1, 2), M1, 1, 0 },
    { "xor", XOR(3, 1, 2), 0xff00ff00ull, 0x0ff00ff0ull, 0xf0f0f0f0ull },
    { "srl 63", SRL(3, 1, 2), MIN, 63, 1 },
    { "srl 65 masked", SRL(3, 1, 2), MIN, 65, 0x4000000000000000ull },
    { "sra 63", SRA(3, 1, 2), MIN, 63, M1 },
    { "sra pos", SRA(3, 1, 2), MAX, 62, 1 },
    { "or", OR(3, 1, 2), 0xf0, 0x0f, 0xff },
    { "and", AND(3, 1, 2), 0xf0f0, 0xff00, 0xf000 },
    { "addi", ADDI(3, 1, 5), 10, 0, 15 },
    { "addi neg", ADDI(3, 1, -1), 5, 0, 4 },
    { "addi -2048", ADDI(3, 1, -2048), 0, 0, (uint64_t)-2048 },
    { "addi 2047", ADDI(3, 1, 2047), 1, 0, 2048 },
    { "slti", SLTI(3, 1, -1), (uint64_t)-2, 0, 1 },
    { "slti no", SLTI(3, 1, -1), 0, 0, 0 },
    { "sltiu seqz", SLTIU(3, 1, 1), 0, 0, 1 },
    { "sltiu -1 is max", SLTIU(3, 1, -1), 0xfffffffffffffffeull, 0, 1 },
    { "xori not", XORI(3, 1, -1), 0x1234, 0, ~0x1234ull },
    { "ori sext", ORI(3, 1, -2048), 1, 0, 0xfffffffffffff801ull },
    { "andi sext", ANDI(3, 1, -16), M1, 0, 0xfffffffffffffff0ull },
    { "slli 63", SLLI(3, 1, 63), 3, 0, MIN },
    { "srli 63", SRLI(3, 1, 63), M1, 0, 1 },
    { "srai 63", SRAI(3, 1, 63), MIN, 0, M1 },
    { "srai 4", SRAI(3, 1, 4), 0xfffffffffffff000ull, 0,
      0xffffffffffffff00ull },
    { "addiw sext", ADDIW(3, 1, 1), 0x7fffffff, 0, 0xffffffff80000000ull },
    { "addiw hi ignored", ADDIW(3, 1, 0), 0x1234567800000005ull, 0, 5 },
    { "sext.w", ADDIW(3, 1, 0), 0x00000000ffffffffull, 0, M1 },
    { "slliw 31", SLLIW(3, 1, 31), 1, 0, 0xffffffff80000000ull },
    { "srliw 31", SRLIW(3, 1, 31), 0xffffffff80000000ull, 0, 1 },
    { "srliw 0 sext", SRLIW(3, 1, 0), 0x80000000ull, 0, 0xffffffff80000000ull },
    { "sraiw 31", SRAIW(3, 1, 31), 0x80000000ull, 0, M1 },
    { "sraiw hi ignored", SRAIW(3, 1, 4), 0xffffffff00000100ull, 0, 0x10 },
    { "addw sext", ADDW(3, 1, 2), 0x7fffffff, 1, 0xffffffff80000000ull },
    { "subw", SUBW(3, 1, 2), 0, 1, M1 },
    { "subw low", SUBW(3, 1, 2), MIN, 0, 0 },
    { "sllw 31", SLLW(3, 1, 2), 1, 31, 0xffffffff80000000ull },
    { "sllw 32 masked", SLLW(3, 1, 2), 0x80000000ull, 32,
      0xffffffff80000000ull },
    { "srlw 31", SRLW(3, 1, 2), 0x80000000ull, 31, 1 },
    { "srlw 0 sext", SRLW(3, 1, 2), 0xfffffffful, 0, M1 },
    { "sraw 31", SRAW(3, 1, 2), 0x80000000ull, 31, M1 },
    { "sraw 4", SRAW(3, 1, 2), 0x80000000ull, 4, 0xfffffffff8000000ull },
    /* M extension */
    { "mul", MUL(3, 1, 2), 6, 7, 42 },
    { "mul neg", MUL(3, 1, 2), M1, M1, 1 },
    { "mul wrap", MUL(3, 1, 2), MIN, 2, 0 },
    { "mulh -1*-1", MULH(3, 1, 2), M1, M1, 0 },
    { "mulh -1*1", MULH(3, 1, 2), M1, 1, M1 },
    { "mulh min*min", MULH(3, 1, 2), MIN, MIN, 0x4000000000000000ull },
    { "mulh max*max", MULH(3, 1, 2), MAX, MAX, 0x3fffffffffffffffull },
    { "mulhsu -1*umax", MULHSU(3, 1, 2), M1, M1, M1 },
    { "mulhsu 2*umax", MULHSU(3, 1, 2), 2, M1, 1 },
    { "mulhsu min*umax", MULHSU(3, 1, 2), MIN, M1, 0x8000000000000000ull },
    { "mulhu umax^2", MULHU(3, 1, 2), M1, M1, 0xfffffffffffffffeull },
    { "mulhu 2^32^2", MULHU(3, 1, 2), 1ull << 32, 1ull << 32, 1 },
    { "div", DIV(3, 1, 2), 7, (uint64_t)-2, (uint64_t)-3 },
    { "div neg", DIV(3, 1, 2), (uint64_t)-7, 2, (uint64_t)-3 },
    { "div by 0", DIV(3, 1, 2), 42, 0, M1 },
    { "div overflow", DIV(3, 1, 2), MIN, M1, MIN },
    { "divu", DIVU(3, 1, 2), M1, 2, MAX },
    { "divu by 0", DIVU(3, 1, 2), 42, 0, M1 },
    { "rem", REM(3, 1, 2), 7, (uint64_t)-2, 1 },
    { "rem neg", REM(3, 1, 2), (uint64_t)-7, 2, M1 },
    { "rem by 0", REM(3, 1, 2), (uint64_t)-42, 0, (uint64_t)-42 },
    { "rem overflow", REM(3, 1, 2), MIN, M1, 0 },
    { "remu", REMU(3, 1, 2), M1, 10, 5 },
    { "remu by 0", REMU(3, 1, 2), M1, 0, M1 },
    { "mulw sext", MULW(3, 1, 2), 0x7fffffff, 2, (uint64_t)-2 },
    { "mulw hi ignored", MULW(3, 1, 2), 0xabcd000000000003ull,
      0x1234000000000005ull, 15 },
    { "divw", DIVW(3, 1, 2), 0x100000006ull, 0x200000003ull, 2 },
    { "divw neg", DIVW(3, 1, 2), 0xfffffff9ull, 2, (uint64_t)-3 },
    { "divw by 0", DIVW(3, 1, 2), 5, 0x100000000ull, M1 },
    { "divw overflow", DIVW(3, 1, 2), 0x80000000ull, 0xffffffffull,
      0xffffffff80000000ull },
    { "divuw", DIVUW(3, 1, 2), 0xffffffffull, 1, M1 },
    { "divuw pos", DIVUW(3, 1, 2), 0xfffffffeull, 2, 0x7fffffff },
    { "divuw by 0", DIVUW(3, 1, 2), 5, 0, M1 },
    { "remw", REMW(3, 1, 2), 0xfffffff9ull, 2, M1 },
    { "remw by 0", REMW(3, 1, 2), 0x80000000ull, 0, 0xffffffff80000000ull },
    { "remw overflow", REMW(3, 1, 2), 0x80000000ull, M1, 0 },
    { "remuw", REMUW(3, 1, 2), 0xffffffffull, 10, 5 },
    { "remuw by 0", REMUW(3, 1, 2), 0x123480000000ull, 0,
      0xffffffff80000000ull },
    { "remuw sext", REMUW(3, 1, 2), 0xffffffffull, 0xfffffffeull, 1 },
};

Test(alu, all_cases)
{
    size_t i;
    enum rv64_step_result r;

    for (i = 0; i < sizeof(alu_cases) / sizeof(alu_cases[0]); i++) {
        const struct alu_case *c = &alu_cases[i];

        vm_init();
        PROG(c->insn);
        X(1) = c->a;
        X(2) = c->b;
        r = step();
        cr_assert_eq(r, RV64_OK, "%s: result %d", c->name, r);
        cr_expect_eq(X(3), c->want, "%s: got 0x%016llx, expected 0x%016llx",
                     c->name, (unsigned long long)X(3),
                     (unsigned long long)c->want);
        cr_expect_eq(vm.h.pc, RAM_BASE + 4, "%s: pc", c->name);
        cr_expect_eq(vm.h.instret, 1, "%s: instret", c->name);
    }
}

Test(alu, same_register_operands)
{
    vm_init();
    PROG(ADD(1, 1, 1), SUB(2, 2, 2), MULHU(3, 3, 3), EBREAK);
    X(1) = 21;
    X(2) = 99;
    X(3) = M1;
    run_to_ebreak();
    cr_expect_eq(X(1), 42);
    cr_expect_eq(X(2), 0);
    cr_expect_eq(X(3), 0xfffffffffffffffeull);
}

Test(alu, lui_auipc)
{
    vm_init();
    PROG(LUI(1, 0x12345), LUI(2, 0x80000), AUIPC(3, 0), AUIPC(4, 0xfffff),
         AUIPC(5, 1), EBREAK);
    run_to_ebreak();
    cr_expect_eq(X(1), 0x12345000ull);
    cr_expect_eq(X(2), 0xffffffff80000000ull);
    cr_expect_eq(X(3), RAM_BASE + 8);
    cr_expect_eq(X(4), RAM_BASE + 12 - 0x1000);
    cr_expect_eq(X(5), RAM_BASE + 16 + 0x1000);
}

Test(alu, x0_stays_zero)
{
    vm_init();
    set64(DATA, 0x1122334455667788ull);
    PROG(ADDI(0, 0, 5), LUI(0, 0x12345), ADD(1, 0, 0), LD(0, 0, 10),
         JAL(0, 8), ADDI(1, 0, 7), CSRR(0, 0xf14), ADD(2, 0, 0), EBREAK);
    X(10) = DATA;
    run_to_ebreak();
    cr_expect_eq(X(0), 0);
    cr_expect_eq(X(1), 0, "jal x0 must skip the addi");
    cr_expect_eq(X(2), 0);
    cr_expect_eq(vm.h.instret, 7);
}

Test(alu, fence_and_nop)
{
    vm_init();
    PROG(FENCE, FENCE_I, NOP, EBREAK);
    run_to_ebreak();
    cr_expect_eq(vm.h.pc, RAM_BASE + 12);
    cr_expect_eq(vm.h.instret, 3);
}

/* ---- branches and jumps -------------------------------------------------- */

struct br_case {
    const char *name;
    unsigned f3;
    uint64_t a, b;
    int taken;
};

static const struct br_case br_cases[] = {
    { "beq taken", 0, 5, 5, 1 },
    { "beq not", 0, 5, 6, 0 },
    { "bne taken", 1, 5, 6, 1 },
    { "bne not", 1, 5, 5, 0 },
    { "blt taken", 4, M1, 1, 1 },
    { "blt not", 4, 1, M1, 0 },
    { "blt equal", 4, 3, 3, 0 },
    { "bge taken", 5, 1, M1, 1 },
    { "bge equal", 5, 3, 3, 1 },
    { "bge not", 5, M1, 1, 0 },
    { "bltu taken", 6, 1, M1, 1 },
    { "bltu not", 6, M1, 1, 0 },
    { "bgeu taken", 7, M1, 1, 1 },
    { "bgeu equal", 7, 3, 3, 1 },
    { "bgeu not", 7, 1, M1, 0 },
};

Test(branch, all_conditions_forward_and_backward)
{
    size_t i;
    int back;

    for (i = 0; i < sizeof(br_cases) / sizeof(br_cases[0]); i++) {
        const struct br_case *c = &br_cases[i];

        for (back = 0; back < 2; back++) {
            int32_t off = back ? -0x100 : 0x7fc;
            uint64_t at = RAM_BASE + 0x1000;

            vm_init();
            put32(at, ENC_B(off, 2, 1, c->f3));
            vm.h.pc = at;
            X(1) = c->a;
            X(2) = c->b;
            cr_assert_eq(step(), RV64_OK, "%s", c->name);
            cr_expect_eq(vm.h.pc, c->taken ? at + (int64_t)off : at + 4,
                         "%s (%s): pc 0x%llx", c->name,
                         back ? "backward" : "forward",
                         (unsigned long long)vm.h.pc);
        }
    }
}

Test(branch, max_offsets)
{
    vm_init();
    put32(RAM_BASE + 0x2000, BEQ(0, 0, -4096));
    vm.h.pc = RAM_BASE + 0x2000;
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(vm.h.pc, RAM_BASE + 0x1000);
    put32(RAM_BASE + 0x1000, BEQ(0, 0, 4094 & ~3));
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(vm.h.pc, RAM_BASE + 0x1000 + 4092);
}

Test(branch, misaligned_target_traps)
{
    vm_init();
    PROG(BEQ(0, 0, 6));
    expect_trap(step(), RV64_EXC_INSN_MISALIGNED, RAM_BASE, RAM_BASE + 6);
    cr_expect_eq(vm.h.instret, 0);
    vm_init();
    PROG(BNE(0, 0, 6), EBREAK);     /* not taken: no trap */
    run_to_ebreak();
}

Test(jump, jal_links_and_jumps)
{
    vm_init();
    put32(RAM_BASE + 0x100, JAL(1, 0x40));
    put32(RAM_BASE + 0x140, JAL(5, -0x140));
    vm.h.pc = RAM_BASE + 0x100;
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(X(1), RAM_BASE + 0x104);
    cr_expect_eq(vm.h.pc, RAM_BASE + 0x140);
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(X(5), RAM_BASE + 0x144);
    cr_expect_eq(vm.h.pc, RAM_BASE);
}

Test(jump, jal_far)
{
    vm_init();
    put32(RAM_BASE, JAL(1, 0xfffe0));       /* 1 MiB - 32 forward */
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(vm.h.pc, RAM_BASE + 0xfffe0);
    vm_init();
    put32(RAM_BASE + 0x8000, JAL(0, -0x8000));
    vm.h.pc = RAM_BASE + 0x8000;
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(vm.h.pc, RAM_BASE);
}

Test(jump, jalr_clears_bit0_and_links)
{
    vm_init();
    PROG(JALR(1, 5, 0x21));
    X(5) = RAM_BASE + 0x100;        /* 0x100 + 0x21 = 0x121 -> 0x120 */
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(vm.h.pc, RAM_BASE + 0x120);
    cr_expect_eq(X(1), RAM_BASE + 4);

    vm_init();
    PROG(JALR(5, 5, -4));           /* rd == rs1: target uses old rs1 */
    X(5) = RAM_BASE + 0x105;
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(vm.h.pc, RAM_BASE + 0x100);
    cr_expect_eq(X(5), RAM_BASE + 4);
}

Test(jump, jalr_misaligned_traps_without_link)
{
    vm_init();
    PROG(JALR(1, 5, 0));
    X(5) = RAM_BASE + 0x102;
    X(1) = 0x77;
    expect_trap(step(), RV64_EXC_INSN_MISALIGNED, RAM_BASE, RAM_BASE + 0x102);
    cr_expect_eq(X(1), 0x77, "rd must not be written");
}

Test(jump, jalr_bad_funct3_is_illegal)
{
    vm_init();
    PROG(ENC_I(0, 5, 1, 1, 0x67));
    expect_trap(step(), RV64_EXC_ILLEGAL, RAM_BASE, ENC_I(0, 5, 1, 1, 0x67));
}

/* ---- loads and stores ---------------------------------------------------- */

Test(mem, loads_sign_and_zero_extend)
{
    vm_init();
    set64(DATA, 0x8877665544332281ull);
    set64(DATA + 8, 0x0000000080008000ull);
    PROG(LB(1, 0, 10), LBU(2, 0, 10), LH(3, 8, 10), LHU(4, 8, 10),
         LW(5, 8, 10), LWU(6, 8, 10), LD(7, 0, 10), LB(8, 1, 10),
         LD(9, -8, 11), EBREAK);
    X(10) = DATA;
    X(11) = DATA + 8;
    run_to_ebreak();
    cr_expect_eq(X(1), 0xffffffffffffff81ull);
    cr_expect_eq(X(2), 0x81);
    cr_expect_eq(X(3), 0xffffffffffff8000ull);
    cr_expect_eq(X(4), 0x8000);
    cr_expect_eq(X(5), 0xffffffff80008000ull);
    cr_expect_eq(X(6), 0x80008000ull);
    cr_expect_eq(X(7), 0x8877665544332281ull);
    cr_expect_eq(X(8), 0x22);
    cr_expect_eq(X(9), 0x8877665544332281ull);
}

Test(mem, stores_every_width)
{
    uint64_t v = 0x8877665544332211ull;

    vm_init();
    memset(vm.ram + (DATA - RAM_BASE), 0xee, 64);
    PROG(SB(1, 0, 10), SH(1, 8, 10), SW(1, 16, 10), SD(1, 24, 10),
         SD(1, -8, 11), EBREAK);
    X(1) = v;
    X(10) = DATA;
    X(11) = DATA + 48;
    run_to_ebreak();
    cr_expect_eq(get64(DATA), 0xeeeeeeeeeeeeee11ull);
    cr_expect_eq(get64(DATA + 8), 0xeeeeeeeeeeee2211ull);
    cr_expect_eq(get64(DATA + 16), 0xeeeeeeee44332211ull);
    cr_expect_eq(get64(DATA + 24), v);
    cr_expect_eq(get64(DATA + 32), 0xeeeeeeeeeeeeeeeeull);
    cr_expect_eq(get64(DATA + 40), v);
    cr_expect_eq(vm.ram[DATA - RAM_BASE + 48], 0xee);
}

Test(mem, misaligned_in_ram)
{
    vm_init();
    PROG(SD(1, 3, 10), LD(2, 3, 10), LW(3, 5, 10), EBREAK);
    X(1) = 0x0102030405060708ull;
    X(10) = DATA;
    run_to_ebreak();
    cr_expect_eq(X(2), 0x0102030405060708ull);
    cr_expect_eq(X(3), 0x0000000003040506ull);
}

Test(mem, mmio_slow_path)
{
    vm_init();
    PROG(SW(1, 4, 10), LW(2, 4, 10), LBU(3, 7, 10), LD(4, 0, 10),
         SB(1, 16, 10), EBREAK);
    X(1) = 0xcafef00d;
    X(10) = MMIO;
    run_to_ebreak();
    cr_expect_eq(X(2), 0xffffffffcafef00dull, "sign-extended, junk cut");
    cr_expect_eq(X(3), 0xca);
    cr_expect_eq(X(4), 0xcafef00d00000000ull);
    cr_expect_eq(vm.mmio[16], 0x0d);
}

Test(mem, load_fault)
{
    vm_init();
    PROG(LD(1, 8, 10));
    X(10) = UNMAPPED;
    X(1) = 0x55;
    expect_trap(step(), RV64_EXC_LOAD_FAULT, RAM_BASE, UNMAPPED + 8);
    cr_expect_eq(X(1), 0x55, "rd must not be written");
    cr_expect_eq(vm.h.instret, 0);
    cr_expect_eq(vm.h.cycle, 1);
}

Test(mem, store_fault)
{
    vm_init();
    PROG(SW(1, -4, 10));
    X(10) = UNMAPPED;
    expect_trap(step(), RV64_EXC_STORE_FAULT, RAM_BASE, UNMAPPED - 4);
}

Test(mem, straddling_ram_end_faults)
{
    vm_init();
    PROG(LD(1, 0, 10), SD(1, 0, 10), LW(2, 4, 10), EBREAK);
    X(10) = RAM_BASE + RAM_SIZE - 4;
    expect_trap(step(), RV64_EXC_LOAD_FAULT, RAM_BASE,
                RAM_BASE + RAM_SIZE - 4);
    vm.h.pc = RAM_BASE + 4;
    expect_trap(step(), RV64_EXC_STORE_FAULT, RAM_BASE + 4,
                RAM_BASE + RAM_SIZE - 4);
    vm.h.pc = RAM_BASE + 8;
    expect_trap(step(), RV64_EXC_LOAD_FAULT, RAM_BASE + 8, RAM_BASE + RAM_SIZE);
    vm.h.pc = RAM_BASE + 8;
    X(10) = RAM_BASE + RAM_SIZE - 8;
    cr_expect_eq(step(), RV64_OK, "last word of RAM is fine");
}

Test(mem, no_slow_path_callbacks)
{
    vm_init();
    vm.bus.load = NULL;
    vm.bus.store = NULL;
    PROG(LB(1, 0, 10), SB(1, 0, 10));
    X(10) = MMIO;
    expect_trap(step(), RV64_EXC_LOAD_FAULT, RAM_BASE, MMIO);
    vm.h.pc = RAM_BASE + 4;
    expect_trap(step(), RV64_EXC_STORE_FAULT, RAM_BASE + 4, MMIO);
}

/* ---- watchpoints --------------------------------------------------------- */

Test(watch, store_stopped_before_it_happens)
{
    struct rv64_bus nowatch;

    vm_init();
    vm.bus.watch = watch_hook;
    vm.watch_addr = DATA + 16;
    set64(DATA + 16, 0x1111);
    PROG(ADDI(1, 0, 7), SD(1, 16, 10), ADDI(2, 0, 9), EBREAK);
    X(10) = DATA;
    cr_assert_eq(step(), RV64_OK);
    cr_assert_eq(step(), RV64_WATCH);
    cr_expect_eq(vm.h.pc, RAM_BASE + 4, "pc unchanged");
    cr_expect_eq(get64(DATA + 16), 0x1111, "memory unchanged");
    cr_expect_eq(vm.h.instret, 1);
    cr_expect_eq(vm.last_addr, DATA + 16);
    cr_expect_eq(vm.last_size, 8);
    cr_expect_eq(vm.last_write, 1);
    /* stepping again stops again */
    cr_assert_eq(step(), RV64_WATCH);
    /* step over it with the hook removed */
    nowatch = vm.bus;
    nowatch.watch = NULL;
    cr_assert_eq(rv64_step(&vm.h, &nowatch, NULL), RV64_OK);
    cr_expect_eq(get64(DATA + 16), 7);
    run_to_ebreak();
    cr_expect_eq(X(2), 9);
}

Test(watch, load_stopped_rd_unchanged)
{
    vm_init();
    vm.bus.watch = watch_hook;
    vm.watch_addr = MMIO;
    PROG(LW(1, 0, 10));
    X(10) = MMIO;
    X(1) = 0x42;
    cr_assert_eq(step(), RV64_WATCH);
    cr_expect_eq(X(1), 0x42);
    cr_expect_eq(vm.last_write, 0);
    cr_expect_eq(vm.last_size, 4);
    cr_expect_eq(vm.h.pc, RAM_BASE);
}

Test(watch, every_access_reported_once)
{
    vm_init();
    vm.bus.watch = watch_hook;
    PROG(LB(1, 0, 10), SH(1, 2, 10), ADDI(3, 0, 1), LD(2, 8, 10), EBREAK);
    X(10) = DATA;
    run_to_ebreak();
    cr_expect_eq(vm.watch_calls, 3);
    cr_expect_eq(vm.last_addr, DATA + 8);
}

Test(watch, run_reports_watch)
{
    enum rv64_step_result why;
    uint64_t n;

    vm_init();
    vm.bus.watch = watch_hook;
    vm.watch_addr = DATA;
    PROG(NOP, NOP, SD(0, 0, 10), EBREAK);
    X(10) = DATA;
    n = rv64_run(&vm.h, &vm.bus, 100, NULL, NULL, &why);
    cr_expect_eq(why, RV64_WATCH);
    cr_expect_eq(n, 2);
    cr_expect_eq(vm.h.pc, RAM_BASE + 8);
    cr_expect_eq(vm.last_pc, RAM_BASE + 8, "h->pc is current in the hook");
}

/* ---- CSRs ---------------------------------------------------------------- */

Test(csr, mhartid_read_only)
{
    uint32_t bad = CSRW(0xf14, 1);

    vm_init();
    rv64_hart_reset(&vm.h, 3, RAM_BASE);
    vm.h.mtvec = TRAP_VEC;
    PROG(CSRR(1, 0xf14), CSRRSI(2, 0xf14, 0), bad);
    cr_assert_eq(step(), RV64_OK);
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(X(1), 3);
    cr_expect_eq(X(2), 3);
    expect_trap(step(), RV64_EXC_ILLEGAL, RAM_BASE + 8, bad);
    cr_expect_eq(vm.h.hartid, 3);
}

Test(csr, mscratch_all_ops)
{
    vm_init();
    PROG(CSRRW(1, 0x340, 10), CSRRS(2, 0x340, 11), CSRRC(3, 0x340, 12),
         CSRRWI(4, 0x340, 0x1f), CSRRSI(5, 0x340, 0x0), CSRRCI(6, 0x340, 3),
         CSRRS(7, 0x340, 0), CSRRW(0, 0x340, 0), CSRR(8, 0x340), EBREAK);
    vm.h.mscratch = 0x1234;
    X(10) = 0xf0;
    X(11) = 0x0f;
    X(12) = 0x81;
    run_to_ebreak();
    cr_expect_eq(X(1), 0x1234);
    cr_expect_eq(X(2), 0xf0);
    cr_expect_eq(X(3), 0xff);
    cr_expect_eq(X(4), 0x7e);
    cr_expect_eq(X(5), 0x1f);
    cr_expect_eq(X(6), 0x1f);
    cr_expect_eq(X(7), 0x1c);
    cr_expect_eq(X(8), 0);
}

Test(csr, trap_csrs_read_write)
{
    vm_init();
    PROG(CSRW(0x341, 1), CSRW(0x342, 2), CSRW(0x343, 3), CSRW(0x305, 4),
         CSRW(0x304, 5), CSRW(0x344, 5), CSRW(0x300, 6), CSRR(7, 0x301),
         CSRR(8, 0x300), EBREAK);
    X(1) = RAM_BASE + 0x103;
    X(2) = 0x8000000000000007ull;
    X(3) = 0xdeadbeef;
    X(4) = RAM_BASE + 0x203;
    X(5) = M1;
    X(6) = M1;
    run_to_ebreak();
    cr_expect_eq(vm.h.mepc, RAM_BASE + 0x100, "mepc[1:0] are zero");
    cr_expect_eq(vm.h.mcause, 0x8000000000000007ull);
    cr_expect_eq(vm.h.mtval, 0xdeadbeef);
    cr_expect_eq(vm.h.mtvec, RAM_BASE + 0x201, "mode 3 is reserved");
    cr_expect_eq(vm.h.mie, 0x888);
    cr_expect_eq(vm.h.mip, 0x888);
    cr_expect_eq(X(7), (2ull << 62) | (1u << 8) | (1u << 12), "misa RV64IM");
    cr_expect_eq(X(8), 0x1888, "mstatus MIE, MPIE, MPP=M");
}

Test(csr, counters)
{
    vm_init();
    PROG(NOP, NOP, CSRR(1, 0xc02), CSRR(2, 0xb02), CSRR(3, 0xc00),
         CSRR(4, 0xc01), CSRW(0xb02, 10), CSRR(5, 0xc02), CSRR(6, 0xb03),
         CSRR(7, 0xc1f), CSRW(0x323, 10), EBREAK);
    X(10) = 100;
    run_to_ebreak();
    cr_expect_eq(X(1), 2, "instret counts prior instructions");
    cr_expect_eq(X(2), 3);
    cr_expect_eq(X(3), 4, "one cycle per instruction");
    cr_expect_eq(X(4), 5, "time follows mcycle without h->mtime");
    cr_expect_eq(X(5), 100, "write replaces the increment");
    cr_expect_eq(X(6), 0);
    cr_expect_eq(X(7), 0);
    cr_expect_eq(vm.h.instret, 104);
    cr_expect_eq(vm.h.cycle, 11);
}

Test(csr, time_from_platform)
{
    uint64_t mtime = 123456789;

    vm_init();
    vm.h.mtime = &mtime;
    PROG(CSRR(1, 0xc01));
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(X(1), 123456789);
}

Test(csr, unimplemented_and_read_only_are_illegal)
{
    const uint32_t bad[] = {
        CSRR(1, 0x180),         /* satp: no MMU */
        CSRR(1, 0x7c0),         /* custom */
        CSRR(1, 0xc80),         /* cycleh: RV32 only */
        CSRW(0xc00, 1),         /* cycle is read-only */
        CSRRSI(0, 0xf11, 1),    /* mvendorid is read-only */
        ENC_I(0x340, 1, 4, 1, 0x73), /* SYSTEM funct3 = 4 */
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        vm_init();
        PROG(bad[i]);
        X(1) = 0x99;
        expect_trap(step(), RV64_EXC_ILLEGAL, RAM_BASE, bad[i]);
        cr_expect_eq(X(1), 0x99, "case %zu: rd untouched", i);
    }
}

Test(csr, api)
{
    uint64_t v;

    vm_init();
    rv64_hart_reset(&vm.h, 7, RAM_BASE);
    cr_expect_eq(rv64_csr_read(&vm.h, RV64_CSR_MHARTID, &v), 0);
    cr_expect_eq(v, 7);
    cr_expect_eq(rv64_csr_write(&vm.h, RV64_CSR_MHARTID, 1), -EPERM);
    cr_expect_eq(rv64_csr_write(&vm.h, RV64_CSR_INSTRET, 1), -EPERM);
    cr_expect_eq(rv64_csr_read(&vm.h, 0x180, &v), -ENOENT);
    cr_expect_eq(rv64_csr_write(&vm.h, 0x180, 0), -ENOENT);
    cr_expect_eq(rv64_csr_write(&vm.h, RV64_CSR_MISA, 0), 0);
    cr_expect_eq(rv64_csr_read(&vm.h, RV64_CSR_MISA, &v), 0);
    cr_expect_eq(v >> 62, 2);
    cr_expect_eq(rv64_csr_write(&vm.h, RV64_CSR_MINSTRET, 1000), 0);
    cr_expect_eq(vm.h.instret, 1000, "debugger write is exact");
    cr_expect_eq(rv64_csr_write(&vm.h, RV64_CSR_MEPC, 0x1003), 0);
    cr_expect_eq(rv64_csr_read(&vm.h, RV64_CSR_MEPC, &v), 0);
    cr_expect_eq(v, 0x1000);
    cr_expect_eq(rv64_csr_read(&vm.h, RV64_CSR_MSTATUS, &v), 0);
    cr_expect_eq(v, RV64_MSTATUS_MPP, "reset mstatus");
}

/* ---- traps, ebreak, ecall, mret, wfi ------------------------------------- */

Test(trap, ebreak_stops_by_default)
{
    vm_init();
    PROG(NOP, EBREAK);
    cr_assert_eq(step(), RV64_OK);
    cr_assert_eq(step(), RV64_EBREAK);
    cr_expect_eq(vm.h.pc, RAM_BASE + 4, "pc stays on the ebreak");
    cr_expect_eq(vm.h.instret, 1);
    cr_expect_eq(vm.h.cycle, 1);
    cr_expect_eq(vm.h.mcause, 0, "no trap taken");
    cr_assert_eq(step(), RV64_EBREAK, "and again");
}

Test(trap, ebreak_traps_when_not_stopping)
{
    vm_init();
    vm.h.ebreak_stops = false;
    PROG(NOP, EBREAK);
    cr_assert_eq(step(), RV64_OK);
    expect_trap(step(), RV64_EXC_BREAKPOINT, RAM_BASE + 4, RAM_BASE + 4);
    cr_expect_eq(vm.h.instret, 1, "ebreak does not retire");
}

Test(trap, ecall_and_mret_round_trip)
{
    /* handler: mepc += 4; mret */
    const uint32_t handler[] = {
        CSRR(5, 0x341), ADDI(5, 5, 4), CSRW(0x341, 5), CSRR(6, 0x342),
        MRET,
    };
    uint64_t st;

    vm_init();
    put_prog(TRAP_VEC, handler, 5);
    PROG(CSRRSI(0, 0x300, 8), ECALL, ADDI(7, 0, 1), EBREAK);
    cr_assert_eq(step(), RV64_OK);
    expect_trap(step(), RV64_EXC_ECALL_M, RAM_BASE + 4, 0);
    st = vm.h.mstatus;
    cr_expect_eq(st & RV64_MSTATUS_MIE, 0, "MIE cleared on trap");
    cr_expect_neq(st & RV64_MSTATUS_MPIE, 0, "MPIE = old MIE");
    cr_expect_eq(st & RV64_MSTATUS_MPP, RV64_MSTATUS_MPP);
    run_to_ebreak();
    cr_expect_eq(X(6), 11);
    cr_expect_eq(X(7), 1, "returned after the ecall");
    cr_expect_neq(vm.h.mstatus & RV64_MSTATUS_MIE, 0, "MIE restored");
    cr_expect_neq(vm.h.mstatus & RV64_MSTATUS_MPIE, 0, "MPIE set by mret");
    cr_expect_eq(vm.h.instret, 7, "ecall does not retire, mret does");
}

Test(trap, illegal_instructions)
{
    const uint32_t bad[] = {
        0x00000000u,                    /* all zero */
        0xffffffffu,                    /* all ones */
        0x00000001u,                    /* a 16-bit (C) encoding */
        OP(0x40, 0, 1, 2, 3),           /* bad funct7 */
        OP(0x20, 1, 1, 2, 3),           /* "sub" with funct3 = sll */
        OP32(1, 1, 1, 2, 3),            /* no mulhw */
        OP32(0, 2, 1, 2, 3),
        ENC_I(0x040, 1, 1, 1, 0x13),    /* slli with imm[11:6] != 0 */
        ENC_I(0x200, 1, 5, 1, 0x13),    /* srli/srai funct6 = 8 */
        ENC_I(0x020, 1, 1, 1, 0x1b),    /* slliw shamt[5] set */
        ENC_I(0x000, 1, 2, 1, 0x1b),    /* OP-IMM-32 funct3 = 2 */
        ENC_I(0, 1, 7, 1, 0x03),        /* load funct3 = 7 */
        ENC_S(0, 1, 1, 4, 0x23),        /* store funct3 = 4 */
        ENC_B(8, 1, 1, 2),              /* branch funct3 = 2 */
        ENC_I(0, 0, 2, 0, 0x0f),        /* MISC-MEM funct3 = 2 */
        0x12000073u,                    /* sfence.vma */
        0x10200073u,                    /* sret */
        0x00200073u,                    /* uret */
        0x0000202fu,                    /* AMO (no A extension) */
        0x00002007u,                    /* flw (no F extension) */
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        vm_init();
        PROG(bad[i]);
        X(1) = 0x5a;
        cr_assert_eq(step(), RV64_TRAP, "case %zu (0x%08x)", i, bad[i]);
        cr_expect_eq(vm.h.mcause, RV64_EXC_ILLEGAL, "case %zu", i);
        cr_expect_eq(vm.h.mtval, bad[i], "case %zu: mtval = insn", i);
        cr_expect_eq(vm.h.mepc, RAM_BASE, "case %zu", i);
        cr_expect_eq(vm.h.pc, TRAP_VEC, "case %zu", i);
        cr_expect_eq(X(1), 0x5a, "case %zu: no side effect", i);
        cr_expect_eq(vm.h.instret, 0);
    }
}

Test(trap, fetch_faults)
{
    vm_init();
    vm.h.pc = UNMAPPED;
    expect_trap(step(), RV64_EXC_INSN_FAULT, UNMAPPED, UNMAPPED);
    vm_init();
    vm.h.pc = RAM_BASE + 2;
    expect_trap(step(), RV64_EXC_INSN_MISALIGNED, RAM_BASE, RAM_BASE + 2);
    vm_init();
    vm.h.pc = RAM_BASE + RAM_SIZE - 2;
    cr_expect_eq(step(), RV64_TRAP);
}

Test(trap, fetch_from_mmio)
{
    vm_init();
    memcpy(vm.mmio, &(uint32_t){ ADDI(1, 0, 33) }, 4);
    vm.h.pc = MMIO;
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(X(1), 33);
    cr_expect_eq(vm.h.pc, MMIO + 4);
}

Test(trap, mtvec_vectored_mode_uses_base)
{
    vm_init();
    vm.h.mtvec = TRAP_VEC | 1;
    PROG(ECALL);
    cr_assert_eq(step(), RV64_TRAP);
    cr_expect_eq(vm.h.pc, TRAP_VEC);
}

Test(trap, wfi)
{
    vm_init();
    PROG(WFI, EBREAK);
    cr_assert_eq(step(), RV64_WFI);
    cr_expect_eq(vm.h.pc, RAM_BASE + 4);
    cr_expect_eq(vm.h.instret, 1);
}

Test(trap, self_modifying_code)
{
    vm_init();
    /* overwrite the instruction at +12 with "addi x2, x0, 5" */
    PROG(SW(1, 12, 10), FENCE_I, NOP, ADDI(2, 0, 1), EBREAK);
    X(1) = ADDI(2, 0, 5);
    X(10) = RAM_BASE;
    run_to_ebreak();
    cr_expect_eq(X(2), 5);
}

/* ---- tracing ------------------------------------------------------------- */

Test(trace, retire_record)
{
    struct rv64_retire ret;

    vm_init();
    PROG(SD(1, 8, 10), ADDI(1, 0, 1), LD(1, 0, 11));
    X(10) = DATA;
    X(11) = UNMAPPED;
    cr_assert_eq(rv64_step(&vm.h, &vm.bus, &ret), RV64_OK);
    cr_expect_eq(ret.pc, RAM_BASE);
    cr_expect_eq(ret.insn, SD(1, 8, 10));
    cr_expect_eq(ret.len, 4);
    cr_expect_eq(ret.mem_addr, DATA + 8);
    cr_expect_eq(ret.mem_size, 8);
    cr_expect_eq(ret.mem_write, 1);
    cr_expect_eq(ret.trap, 0);
    cr_assert_eq(rv64_step(&vm.h, &vm.bus, &ret), RV64_OK);
    cr_expect_eq(ret.mem_size, 0);
    cr_assert_eq(rv64_step(&vm.h, &vm.bus, &ret), RV64_TRAP);
    cr_expect_eq(ret.pc, RAM_BASE + 8);
    cr_expect_eq(ret.mem_write, 0);
    cr_expect_eq(ret.trap, 1);
    cr_expect_eq(ret.cause, RV64_EXC_LOAD_FAULT);
    cr_expect_eq(ret.tval, UNMAPPED);
    vm.h.pc = UNMAPPED;
    cr_assert_eq(rv64_step(&vm.h, &vm.bus, &ret), RV64_TRAP);
    cr_expect_eq(ret.len, 0);
    cr_expect_eq(ret.cause, RV64_EXC_INSN_FAULT);
}

/* ---- rv64_run: limits, breakpoints, stop flag ---------------------------- */

/* A loop: x1 counts up forever (pc RAM_BASE .. RAM_BASE + 12). */
static void loop_prog(void)
{
    PROG(ADDI(1, 1, 1), ADDI(2, 2, 2), NOP, JAL(0, -12));
}

Test(run, count_limit)
{
    enum rv64_step_result why;

    vm_init();
    loop_prog();
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 10, NULL, NULL, &why), 10);
    cr_expect_eq(why, RV64_OK);
    cr_expect_eq(X(1), 3);
    cr_expect_eq(vm.h.instret, 10);
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 0, NULL, NULL, &why), 0);
    cr_expect_eq(why, RV64_OK);
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 5000, NULL, NULL, NULL), 5000);
}

Test(run, breakpoints)
{
    uint64_t bps[] = { RAM_BASE + 8 };
    struct rv64_bkpts bp = { bps, 1 };
    enum rv64_step_result why;

    vm_init();
    loop_prog();
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 100, &bp, NULL, &why), 2);
    cr_expect_eq(why, RV64_BREAKPOINT);
    cr_expect_eq(vm.h.pc, RAM_BASE + 8);
    /* a breakpoint at the current pc is reported again */
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 100, &bp, NULL, &why), 0);
    cr_expect_eq(why, RV64_BREAKPOINT);
    /* resume: one step, then run to the next hit (one loop later) */
    cr_assert_eq(step(), RV64_OK);
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 100, &bp, NULL, &why), 3);
    cr_expect_eq(why, RV64_BREAKPOINT);
    cr_expect_eq(X(1), 2);
}

Test(run, many_breakpoints_with_hash_collisions)
{
    uint64_t bps[600];
    struct rv64_bkpts bp = { bps, 0 };
    enum rv64_step_result why;
    size_t i;

    vm_init();
    /* addresses that collide with the loop PCs modulo 1 KiB, but miss */
    for (i = 0; i < 300; i++) {
        bps[bp.n++] = RAM_BASE + 0x400 * (i + 1) + 4 * (i % 4);
    }
    for (i = 0; i < 299; i++) {
        bps[bp.n++] = 0x90000000ull + 4 * i;
    }
    bps[bp.n++] = RAM_BASE + 12;            /* the real one */
    /* sort (insertion sort is fine here) */
    for (i = 1; i < bp.n; i++) {
        uint64_t k = bps[i];
        size_t j = i;

        while (j > 0 && bps[j - 1] > k) {
            bps[j] = bps[j - 1];
            j--;
        }
        bps[j] = k;
    }
    loop_prog();
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 100, &bp, NULL, &why), 3);
    cr_expect_eq(why, RV64_BREAKPOINT);
    cr_expect_eq(vm.h.pc, RAM_BASE + 12);
}

Test(run, stop_flag_before_and_during)
{
    enum rv64_step_result why;
    uint64_t n;

    vm_init();
    loop_prog();
    vm.stop_flag = 1;
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 100, NULL, &vm.stop_flag, &why), 0);
    cr_expect_eq(why, RV64_STOPPED);

    /* the watch hook raises the flag on the first memory access */
    vm_init();
    PROG(NOP, NOP, LD(3, 0, 10), JAL(0, -12));
    X(10) = DATA;
    vm.bus.watch = watch_hook;
    vm.set_stop_on_watch = 1;
    n = rv64_run(&vm.h, &vm.bus, 1000000, NULL, &vm.stop_flag, &why);
    cr_expect_eq(why, RV64_STOPPED);
    cr_expect_geq(n, 3);
    cr_expect_leq(n, RV64_STOP_INTERVAL);
}

Test(run, trap_and_wfi_end_a_run)
{
    enum rv64_step_result why;

    vm_init();
    PROG(NOP, ECALL);
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 100, NULL, NULL, &why), 2);
    cr_expect_eq(why, RV64_TRAP);
    cr_expect_eq(vm.h.pc, TRAP_VEC);
    vm_init();
    PROG(NOP, WFI, NOP);
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 100, NULL, NULL, &why), 2);
    cr_expect_eq(why, RV64_WFI);
    cr_expect_eq(vm.h.pc, RAM_BASE + 8);
    vm_init();
    PROG(NOP, EBREAK);
    cr_expect_eq(rv64_run(&vm.h, &vm.bus, 100, NULL, NULL, &why), 1);
    cr_expect_eq(why, RV64_EBREAK);
}

/* ---- two harts on two threads -------------------------------------------- */

struct hart_thread {
    struct rv64_hart h;
    const struct rv64_bus *bus;
    enum rv64_step_result why;
};

static void *hart_thread_main(void *arg)
{
    struct hart_thread *t = arg;

    rv64_run(&t->h, t->bus, 100000000, NULL, NULL, &t->why);
    return NULL;
}

Test(run, two_harts_two_threads_shared_ram)
{
    /* x11 = DATA; slot = DATA + 8 * mhartid; add 1 to it 100000 times */
    struct hart_thread t[2];
    pthread_t tid[2];
    int i;

    vm_init();
    PROG(CSRR(10, 0xf14), SLLI(10, 10, 3), NOP, ADD(10, 10, 11),
         LUI(12, 100000 >> 12), ADDI(12, 12, 100000 & 0xfff),
         LD(13, 0, 10), ADDI(13, 13, 1), SD(13, 0, 10), ADDI(12, 12, -1),
         BNE(12, 0, -16), EBREAK);
    for (i = 0; i < 2; i++) {
        rv64_hart_reset(&t[i].h, (uint32_t)i, RAM_BASE);
        t[i].h.x[11] = DATA;
        t[i].bus = &vm.bus;
        cr_assert_eq(pthread_create(&tid[i], NULL, hart_thread_main, &t[i]),
                     0);
    }
    for (i = 0; i < 2; i++) {
        pthread_join(tid[i], NULL);
        cr_expect_eq(t[i].why, RV64_EBREAK);
    }
    cr_expect_eq(get64(DATA), 100000);
    cr_expect_eq(get64(DATA + 8), 100000);
}

/* ---- register names ------------------------------------------------------ */

Test(names, gpr)
{
    cr_expect_str_eq(rv64_gpr_name(0), "zero");
    cr_expect_str_eq(rv64_gpr_name(1), "ra");
    cr_expect_str_eq(rv64_gpr_name(2), "sp");
    cr_expect_str_eq(rv64_gpr_name(8), "s0");
    cr_expect_str_eq(rv64_gpr_name(10), "a0");
    cr_expect_str_eq(rv64_gpr_name(18), "s2");
    cr_expect_str_eq(rv64_gpr_name(27), "s11");
    cr_expect_str_eq(rv64_gpr_name(31), "t6");
    cr_expect_null(rv64_gpr_name(32));
    cr_expect_eq(rv64_gpr_index("fp"), 8);
    cr_expect_eq(rv64_gpr_index("a7"), 17);
    cr_expect_eq(rv64_gpr_index("x0"), 0);
    cr_expect_eq(rv64_gpr_index("x31"), 31);
    cr_expect_eq(rv64_gpr_index("x32"), -ENOENT);
    cr_expect_eq(rv64_gpr_index("x07"), -ENOENT);
    cr_expect_eq(rv64_gpr_index("q1"), -ENOENT);
}

/* ---- ELF loader ---------------------------------------------------------- */

#define BIG_RAM (1u << 20)

struct load_ctx {
    uint8_t *ram;
    int calls;
};

static int ram_write(void *opaque, uint64_t addr, const void *data,
                     uint64_t len)
{
    struct load_ctx *c = opaque;

    c->calls++;
    if (addr < RAM_BASE || addr - RAM_BASE > BIG_RAM ||
        len > BIG_RAM - (addr - RAM_BASE)) {
        return -EFAULT;
    }
    memcpy(c->ram + (addr - RAM_BASE), data, len);
    return 0;
}

/* Write `len` bytes to a new temporary file; returns its path. */
static char *temp_file(const void *data, size_t len)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof(path), "/tmp/test_rv64_XXXXXX");
    fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

/* A minimal ELF64 image: header, one program header, 8 data bytes. */
struct mini_elf {
    Elf64_Ehdr eh;
    Elf64_Phdr ph;
    uint8_t data[8];
};

static void mini_elf_init(struct mini_elf *m)
{
    memset(m, 0, sizeof(*m));
    memcpy(m->eh.e_ident, ELFMAG, SELFMAG);
    m->eh.e_ident[EI_CLASS] = ELFCLASS64;
    m->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    m->eh.e_ident[EI_VERSION] = EV_CURRENT;
    m->eh.e_type = ET_EXEC;
    m->eh.e_machine = 243;
    m->eh.e_version = EV_CURRENT;
    m->eh.e_entry = RAM_BASE + 0x10;
    m->eh.e_phoff = offsetof(struct mini_elf, ph);
    m->eh.e_ehsize = sizeof(Elf64_Ehdr);
    m->eh.e_phentsize = sizeof(Elf64_Phdr);
    m->eh.e_phnum = 1;
    m->ph.p_type = PT_LOAD;
    m->ph.p_offset = offsetof(struct mini_elf, data);
    m->ph.p_vaddr = 0x1000;             /* p_paddr is what counts */
    m->ph.p_paddr = RAM_BASE + 0x100;
    m->ph.p_filesz = 8;
    m->ph.p_memsz = 0x2000;
    memcpy(m->data, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
}

static int load_mini(struct mini_elf *m, uint8_t *ram, char *err,
                     size_t errlen, uint64_t *entry)
{
    struct load_ctx c = { ram, 0 };
    char *path = temp_file(m, sizeof(*m));
    int r = vp_elf_load(path, ram_write, &c, entry, err, errlen);

    unlink(path);
    return r;
}

Test(elf, loads_segment_and_zero_fills)
{
    struct mini_elf m;
    uint8_t *ram = malloc(BIG_RAM);
    char err[256] = "";
    uint64_t entry = 0;

    cr_assert_not_null(ram);
    memset(ram, 0xaa, BIG_RAM);
    mini_elf_init(&m);
    cr_assert_eq(load_mini(&m, ram, err, sizeof(err), &entry), 0, "%s", err);
    cr_expect_eq(entry, RAM_BASE + 0x10);
    cr_expect_eq(memcmp(ram + 0x100, m.data, 8), 0);
    cr_expect_eq(ram[0x108], 0, "zero fill");
    cr_expect_eq(ram[0x100 + 0x1fff], 0, "zero fill to p_memsz");
    cr_expect_eq(ram[0x100 + 0x2000], 0xaa, "nothing beyond p_memsz");
    cr_expect_eq(ram[0xff], 0xaa);
    free(ram);
}

static void expect_mini_error(struct mini_elf *m, int code, const char *msg)
{
    uint8_t *ram = malloc(BIG_RAM);
    char err[256] = "";
    int r;

    cr_assert_not_null(ram);
    r = load_mini(m, ram, err, sizeof(err), NULL);
    cr_expect_eq(r, code, "got %d (%s), expected %d", r, err, code);
    cr_expect_not_null(strstr(err, msg), "message '%s' lacks '%s'", err, msg);
    cr_expect_not_null(strstr(err, "/tmp/test_rv64_"), "no file name: %s",
                       err);
    free(ram);
}

Test(elf, header_errors)
{
    struct mini_elf m;

    mini_elf_init(&m);
    m.eh.e_type = ET_DYN;
    expect_mini_error(&m, -ENOEXEC,
                      "e_type is 3 (ET_DYN, a shared object or PIE), "
                      "expected 2 (ET_EXEC)");
    mini_elf_init(&m);
    m.eh.e_machine = 183;
    expect_mini_error(&m, -ENOEXEC,
                      "e_machine is 183 (AArch64), expected 243 (RISC-V)");
    mini_elf_init(&m);
    m.eh.e_ident[EI_CLASS] = ELFCLASS32;
    expect_mini_error(&m, -ENOEXEC,
                      "ELF class is 1 (ELF32), expected 2 (ELF64)");
    mini_elf_init(&m);
    m.ph.p_type = PT_NOTE;
    expect_mini_error(&m, -ENOEXEC, "no loadable (PT_LOAD) segment");
    mini_elf_init(&m);
    m.ph.p_filesz = 0x3000;
    expect_mini_error(&m, -ENOEXEC, "p_filesz 0x3000 > p_memsz 0x2000");
    mini_elf_init(&m);
    m.ph.p_filesz = 0x100;
    expect_mini_error(&m, -ENOEXEC, "beyond the end of the file");
    mini_elf_init(&m);
    m.ph.p_paddr = 0x1000;
    expect_mini_error(&m, -EFAULT, "address outside guest memory");
}

Test(elf, not_an_elf_file)
{
    char err[256] = "";
    const char text[] = "this is not an ELF file\n";
    char *path = temp_file(text, sizeof(text) - 1);
    struct load_ctx c = { NULL, 0 };
    uint64_t a;
    int r;

    r = vp_elf_load(path, ram_write, &c, NULL, err, sizeof(err));
    cr_expect_eq(r, -ENOEXEC);
    cr_expect_not_null(strstr(err, path), "%s", err);
    cr_expect_not_null(strstr(err, "not an ELF file"), "%s", err);
    cr_expect_eq(c.calls, 0);
    r = vp_elf_symbol(path, "main", &a, NULL, err, sizeof(err));
    cr_expect_eq(r, -ENOEXEC);
    unlink(path);
}

Test(elf, x86_64_executable)
{
    char err[256] = "";
    struct load_ctx c = { NULL, 0 };
    int r;

    r = vp_elf_load("/bin/true", ram_write, &c, NULL, err, sizeof(err));
    cr_expect_eq(r, -ENOEXEC);
    cr_expect_str_eq(err, "/bin/true: e_machine is 62 (x86-64), "
                     "expected 243 (RISC-V)");
    cr_expect_eq(c.calls, 0);
}

Test(elf, missing_file_and_bad_args)
{
    char err[256] = "";
    uint64_t a;

    cr_expect_eq(vp_elf_load("/nonexistent/prog.elf", ram_write, NULL, NULL,
                             err, sizeof(err)), -ENOENT);
    cr_expect_str_eq(err, "/nonexistent/prog.elf: cannot open: "
                     "No such file or directory");
    cr_expect_eq(vp_elf_load(NULL, ram_write, NULL, NULL, err, sizeof(err)),
                 -EINVAL);
    cr_expect_eq(vp_elf_symbol("/bin/true", NULL, &a, NULL, NULL, 0),
                 -EINVAL);
    /* a tiny buffer is truncated, not overrun */
    cr_expect_eq(vp_elf_load("/bin/true", ram_write, NULL, NULL, err, 5),
                 -ENOEXEC);
    cr_expect_str_eq(err, "/bin");
}

/* ---- the real test program ----------------------------------------------- */

struct prog_syms {
    uint64_t counter, bp_here, watch_target, store_pc, load_pc;
};

static char *progs_path(const char *file)
{
    static char path[4096];
    const char *dir = getenv("MCDSHM_VP_PROGS");

    if (!dir || !*dir) {
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    return path;
}

static uint64_t sym(const char *path, const char *name)
{
    char err[256] = "";
    uint64_t a = 0;

    cr_assert_eq(vp_elf_symbol(path, name, &a, NULL, err, sizeof(err)), 0,
                 "%s", err);
    return a;
}

Test(elf, runs_test_prog)
{
    char *path = progs_path("test_prog.elf");
    struct load_ctx c;
    struct rv64_bus bus;
    struct rv64_hart h0, h1, h5;
    struct prog_syms s;
    struct rv64_bkpts bp;
    enum rv64_step_result why;
    char err[256] = "";
    uint64_t entry, cnt, size = 0, a;

    if (!path) {
        cr_skip_test("MCDSHM_VP_PROGS is not set");
    }
    c.ram = calloc(1, BIG_RAM);
    c.calls = 0;
    cr_assert_not_null(c.ram);
    cr_assert_eq(vp_elf_load(path, ram_write, &c, &entry, err, sizeof(err)),
                 0, "%s", err);
    cr_expect_eq(entry, RAM_BASE);
    s.counter = sym(path, "counter");
    s.bp_here = sym(path, "bp_here");
    s.watch_target = sym(path, "watch_target");
    s.store_pc = sym(path, "watch_store_insn");
    s.load_pc = sym(path, "watch_load_insn");
    cr_expect_eq(vp_elf_symbol(path, "counter", &a, &size, NULL, 0), 0);
    cr_expect_eq(size, 32, "counter[4] of uint64_t");
    cr_expect_eq(vp_elf_symbol(path, "no_such_symbol", &a, NULL, err,
                               sizeof(err)), -ENOENT);
    cr_expect_not_null(strstr(err, "symbol 'no_such_symbol' not found"));

    memset(&bus, 0, sizeof(bus));
    bus.ram = c.ram;
    bus.ram_base = RAM_BASE;
    bus.ram_size = BIG_RAM;
    bus.opaque = &vm;
    rv64_hart_reset(&h0, 0, entry);
    rv64_hart_reset(&h1, 1, entry);
    rv64_hart_reset(&h5, 5, entry);

    /* free running */
    cr_expect_eq(rv64_run(&h0, &bus, 100000, NULL, NULL, &why), 100000);
    cr_expect_eq(why, RV64_OK);
    memcpy(&cnt, c.ram + (s.counter - RAM_BASE), 8);
    cr_expect_gt(cnt, 1000, "counter[0] = %llu", (unsigned long long)cnt);
    cr_expect_eq(rv64_run(&h1, &bus, 100000, NULL, NULL, &why), 100000);
    memcpy(&cnt, c.ram + (s.counter + 8 - RAM_BASE), 8);
    cr_expect_gt(cnt, 1000, "counter[1] = %llu", (unsigned long long)cnt);
    /* harts >= 4 park in wfi */
    rv64_run(&h5, &bus, 1000, NULL, NULL, &why);
    cr_expect_eq(why, RV64_WFI);

    /* breakpoint on bp_here */
    bp.pc = &s.bp_here;
    bp.n = 1;
    rv64_run(&h0, &bus, 1000, &bp, NULL, &why);
    cr_expect_eq(why, RV64_BREAKPOINT);
    cr_expect_eq(h0.pc, s.bp_here);

    /* watchpoint on watch_target: the store, then the load */
    memset(&vm, 0, sizeof(vm));
    vm.watch_addr = s.watch_target;
    bus.watch = watch_hook;
    rv64_run(&h0, &bus, 1000, NULL, NULL, &why);
    cr_expect_eq(why, RV64_WATCH);
    cr_expect_eq(h0.pc, s.store_pc);
    cr_expect_eq(vm.last_write, 1);
    bus.watch = NULL;
    cr_assert_eq(rv64_step(&h0, &bus, NULL), RV64_OK);
    bus.watch = watch_hook;
    rv64_run(&h0, &bus, 1000, NULL, NULL, &why);
    cr_expect_eq(why, RV64_WATCH);
    cr_expect_eq(h0.pc, s.load_pc);
    cr_expect_eq(vm.last_write, 0);
    cr_expect_eq(vm.last_size, 8);
    free(c.ram);
}
