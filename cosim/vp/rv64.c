/*
 * rv64 - RV64IM + Zicsr + Zifencei interpreter (see rv64.h).
 *
 * This file owns no state of its own: every function works on the
 * struct rv64_hart and struct rv64_bus it is given, so any number of
 * harts can run on any number of threads as long as each hart is driven
 * by one thread at a time.  The decode/execute path is one always-inlined
 * function, instantiated in rv64_step() (with tracing) and twice in
 * rv64_run() (with and without breakpoint checks, never tracing), so that
 * the untraced loop carries no tracing or breakpoint tests at all.
 * Rare paths (traps, CSRs, MMIO) are out-of-line and marked cold.
 */

#include "rv64.h"

#include <errno.h>
#include <string.h>

#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HOT_INLINE  static inline __attribute__((always_inline))
#define COLD        static __attribute__((cold, noinline))

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(v) __builtin_bswap16(v)
#define LE32(v) __builtin_bswap32(v)
#define LE64(v) __builtin_bswap64(v)
#else
#define LE16(v) (v)
#define LE32(v) (v)
#define LE64(v) (v)
#endif

/*
 * Major opcodes: bits 6:2 of a 32-bit instruction (bits 1:0 are 11), so
 * the dispatch switch is a dense 32-entry table.
 */
enum {
    OPC_LOAD = 0x03 >> 2,
    OPC_MISC_MEM = 0x0f >> 2,
    OPC_OP_IMM = 0x13 >> 2,
    OPC_AUIPC = 0x17 >> 2,
    OPC_OP_IMM_32 = 0x1b >> 2,
    OPC_STORE = 0x23 >> 2,
    OPC_OP = 0x33 >> 2,
    OPC_LUI = 0x37 >> 2,
    OPC_OP_32 = 0x3b >> 2,
    OPC_BRANCH = 0x63 >> 2,
    OPC_JALR = 0x67 >> 2,
    OPC_JAL = 0x6f >> 2,
    OPC_SYSTEM = 0x73 >> 2,
};

/* Whole-instruction encodings of the SYSTEM funct3 = 0 instructions. */
#define INSN_ECALL  0x00000073u
#define INSN_EBREAK 0x00100073u
#define INSN_MRET   0x30200073u
#define INSN_WFI    0x10500073u

/* misa: MXL = 2 (64-bit), extensions I and M. */
#define MISA_VALUE ((2ull << 62) | (1ull << ('I' - 'A')) | \
                    (1ull << ('M' - 'A')))

#define MSTATUS_WMASK (RV64_MSTATUS_MIE | RV64_MSTATUS_MPIE)
#define MIx_MASK      ((1ull << 3) | (1ull << 7) | (1ull << 11))

/* ---- small helpers ---------------------------------------------------- */

HOT_INLINE uint64_t sext32(uint64_t v)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

HOT_INLINE uint64_t imm_i(uint32_t insn)
{
    return (uint64_t)(int64_t)((int32_t)insn >> 20);
}

HOT_INLINE uint64_t imm_s(uint32_t insn)
{
    int32_t v = ((int32_t)(insn & 0xfe000000u) >> 20) |
                (int32_t)((insn >> 7) & 0x1f);
    return (uint64_t)(int64_t)v;
}

HOT_INLINE uint64_t imm_b(uint32_t insn)
{
    int32_t v = ((int32_t)(insn & 0x80000000u) >> 19) |
                (int32_t)((insn & 0x80) << 4) |
                (int32_t)((insn >> 20) & 0x7e0) |
                (int32_t)((insn >> 7) & 0x1e);
    return (uint64_t)(int64_t)v;
}

HOT_INLINE uint64_t imm_u(uint32_t insn)
{
    return (uint64_t)(int64_t)(int32_t)(insn & 0xfffff000u);
}

HOT_INLINE uint64_t imm_j(uint32_t insn)
{
    int32_t v = ((int32_t)(insn & 0x80000000u) >> 11) |
                (int32_t)(insn & 0xff000) |
                (int32_t)((insn >> 9) & 0x800) |
                (int32_t)((insn >> 20) & 0x7fe);
    return (uint64_t)(int64_t)v;
}

/* Read size (1, 2, 4, 8; a constant after inlining) LE bytes from host p. */
HOT_INLINE uint64_t host_ld(const uint8_t *p, unsigned size)
{
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;

    switch (size) {
    case 1:
        return p[0];
    case 2:
        memcpy(&v16, p, 2);
        return LE16(v16);
    case 4:
        memcpy(&v32, p, 4);
        return LE32(v32);
    default:
        memcpy(&v64, p, 8);
        return LE64(v64);
    }
}

/* Write size (1, 2, 4, 8) LE bytes of v to host p. */
HOT_INLINE void host_st(uint8_t *p, unsigned size, uint64_t v)
{
    uint16_t v16 = LE16((uint16_t)v);
    uint32_t v32 = LE32((uint32_t)v);
    uint64_t v64 = LE64(v);

    switch (size) {
    case 1:
        p[0] = (uint8_t)v;
        break;
    case 2:
        memcpy(p, &v16, 2);
        break;
    case 4:
        memcpy(p, &v32, 4);
        break;
    default:
        memcpy(p, &v64, 8);
        break;
    }
}

/*
 * What the hot path needs from the bus, copied into a local of the caller
 * so that the compiler can keep it in registers: guest stores through the
 * RAM pointer could otherwise alias the bus structure.
 */
struct ctx {
    const struct rv64_bus *bus;
    struct rv64_hart *h;    /* h->pc is synced before calling the bus */
    uint8_t *ram;
    uint64_t base;
    uint64_t size;      /* 0 (no fast path) or >= 8 */
    bool watch;
};

HOT_INLINE struct ctx ctx_of(struct rv64_hart *h, const struct rv64_bus *bus)
{
    struct ctx c = {
        .bus = bus,
        .h = h,
        .ram = bus->ram,
        .base = bus->ram_base,
        .size = bus->ram && bus->ram_size >= 8 ? bus->ram_size : 0,
        .watch = bus->watch != NULL,
    };
    return c;
}

/* True if [addr, addr + size) lies inside the fast RAM; *off = offset. */
HOT_INLINE bool in_ram(const struct ctx *c, uint64_t addr, unsigned size,
                       uint64_t *off)
{
    uint64_t o = addr - c->base;

    *off = o;
    return o < c->size && o <= c->size - size;
}

/* ---- slow paths ------------------------------------------------------- */

/* Load outside RAM through the callback: 0 or -EFAULT. */
COLD int slow_load(const struct rv64_bus *bus, uint64_t addr, unsigned size,
                   uint64_t *val)
{
    uint64_t v = 0;

    if (!bus->load || bus->load(bus->opaque, addr, size, &v) != 0) {
        return -EFAULT;
    }
    *val = size == 8 ? v : v & ((1ull << (size * 8)) - 1);
    return 0;
}

/* Store outside RAM through the callback: 0 or -EFAULT. */
COLD int slow_store(const struct rv64_bus *bus, uint64_t addr, unsigned size,
                    uint64_t val)
{
    if (size < 8) {
        val &= (1ull << (size * 8)) - 1;
    }
    if (!bus->store || bus->store(bus->opaque, addr, size, val) != 0) {
        return -EFAULT;
    }
    return 0;
}

/* Fetch outside RAM: 0 or -EFAULT. */
COLD int slow_fetch(const struct rv64_bus *bus, uint64_t pc, uint32_t *insn)
{
    uint64_t v;
    int r = slow_load(bus, pc, 4, &v);

    *insn = (uint32_t)v;
    return r;
}

/* Ask the watch hook: 0 to go on, -EINTR if the debugger vetoes. */
COLD int watch_check(const struct rv64_bus *bus, uint64_t addr, unsigned size,
                     int is_write)
{
    return bus->watch(bus->opaque, addr, size, is_write) ? -EINTR : 0;
}

/* ---- memory access on the hot path ------------------------------------ */

HOT_INLINE void trace_mem(struct rv64_retire *ret, uint64_t addr,
                          unsigned size, int is_write)
{
    if (ret) {
        ret->mem_addr = addr;
        ret->mem_size = (uint8_t)size;
        ret->mem_write = (uint8_t)is_write;
    }
}

/*
 * Data load by the instruction at pc: 0, -EINTR (watch veto) or -EFAULT
 * (access fault).  h->pc is made current before any callback runs, so the
 * platform's callbacks can see which instruction is accessing.
 */
HOT_INLINE int data_load(const struct ctx *c, uint64_t pc, uint64_t addr,
                         unsigned size, uint64_t *val,
                         struct rv64_retire *ret)
{
    uint64_t off;

    trace_mem(ret, addr, size, 0);
    if (UNLIKELY(c->watch)) {
        c->h->pc = pc;
        if (watch_check(c->bus, addr, size, 0)) {
            return -EINTR;
        }
    }
    if (LIKELY(in_ram(c, addr, size, &off))) {
        *val = host_ld(c->ram + off, size);
        return 0;
    }
    c->h->pc = pc;
    return slow_load(c->bus, addr, size, val);
}

/* Data store, like data_load(). */
HOT_INLINE int data_store(const struct ctx *c, uint64_t pc, uint64_t addr,
                          unsigned size, uint64_t val,
                          struct rv64_retire *ret)
{
    uint64_t off;

    trace_mem(ret, addr, size, 1);
    if (UNLIKELY(c->watch)) {
        c->h->pc = pc;
        if (watch_check(c->bus, addr, size, 1)) {
            return -EINTR;
        }
    }
    if (LIKELY(in_ram(c, addr, size, &off))) {
        host_st(c->ram + off, size, val);
        return 0;
    }
    c->h->pc = pc;
    return slow_store(c->bus, addr, size, val);
}

/* Instruction fetch: 0 or -EFAULT. */
HOT_INLINE int fetch(const struct ctx *c, uint64_t pc, uint32_t *insn)
{
    uint64_t off;

    if (LIKELY(in_ram(c, pc, 4, &off))) {
        *insn = (uint32_t)host_ld(c->ram + off, 4);
        return 0;
    }
    c->h->pc = pc;
    return slow_fetch(c->bus, pc, insn);
}

/* ---- traps ------------------------------------------------------------- */

/* Take exception `cause` at the current pc. */
COLD enum rv64_step_result take_trap(struct rv64_hart *h, uint64_t cause,
                                     uint64_t tval, struct rv64_retire *ret)
{
    uint64_t st = h->mstatus;

    h->mepc = h->pc & ~3ull;
    h->mcause = cause;
    h->mtval = tval;
    st &= ~(RV64_MSTATUS_MPIE | RV64_MSTATUS_MIE);
    if (h->mstatus & RV64_MSTATUS_MIE) {
        st |= RV64_MSTATUS_MPIE;
    }
    h->mstatus = st | RV64_MSTATUS_MPP;
    h->pc = h->mtvec & ~3ull;
    h->cycle++;
    if (ret) {
        ret->trap = 1;
        ret->cause = cause;
        ret->tval = tval;
    }
    return RV64_TRAP;
}

/* ---- M extension ------------------------------------------------------ */

#ifndef __SIZEOF_INT128__
#error "rv64.c needs a compiler with __int128 (64-bit GCC or Clang)"
#endif
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

HOT_INLINE uint64_t op_mulh(uint64_t a, uint64_t b)
{
    i128 p = (i128)(int64_t)a * (i128)(int64_t)b;

    return (uint64_t)((u128)p >> 64);
}

HOT_INLINE uint64_t op_mulhsu(uint64_t a, uint64_t b)
{
    i128 p = (i128)(int64_t)a * (i128)b;

    return (uint64_t)((u128)p >> 64);
}

HOT_INLINE uint64_t op_mulhu(uint64_t a, uint64_t b)
{
    return (uint64_t)(((u128)a * b) >> 64);
}

HOT_INLINE uint64_t op_div(uint64_t a, uint64_t b)
{
    if (b == 0) {
        return ~0ull;
    }
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1) {
        return a;
    }
    return (uint64_t)((int64_t)a / (int64_t)b);
}

HOT_INLINE uint64_t op_rem(uint64_t a, uint64_t b)
{
    if (b == 0) {
        return a;
    }
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1) {
        return 0;
    }
    return (uint64_t)((int64_t)a % (int64_t)b);
}

HOT_INLINE uint64_t op_divw(uint64_t a, uint64_t b)
{
    int32_t sa = (int32_t)(uint32_t)a, sb = (int32_t)(uint32_t)b;

    if (sb == 0) {
        return ~0ull;
    }
    if (sa == INT32_MIN && sb == -1) {
        return sext32((uint32_t)sa);
    }
    return (uint64_t)(int64_t)(sa / sb);
}

HOT_INLINE uint64_t op_remw(uint64_t a, uint64_t b)
{
    int32_t sa = (int32_t)(uint32_t)a, sb = (int32_t)(uint32_t)b;

    if (sb == 0) {
        return (uint64_t)(int64_t)sa;
    }
    if (sa == INT32_MIN && sb == -1) {
        return 0;
    }
    return (uint64_t)(int64_t)(sa % sb);
}

HOT_INLINE uint64_t op_divuw(uint64_t a, uint64_t b)
{
    uint32_t ua = (uint32_t)a, ub = (uint32_t)b;

    return ub == 0 ? ~0ull : sext32(ua / ub);
}

HOT_INLINE uint64_t op_remuw(uint64_t a, uint64_t b)
{
    uint32_t ua = (uint32_t)a, ub = (uint32_t)b;

    return ub == 0 ? sext32(ua) : sext32(ua % ub);
}

/* ---- CSRs -------------------------------------------------------------- */

static bool csr_is_hpm(uint16_t csr, uint16_t base)
{
    return csr >= base + 3 && csr <= base + 31;
}

static bool csr_is_readonly(uint16_t csr)
{
    return (csr >> 10) == 3;
}

int rv64_csr_read(const struct rv64_hart *h, uint16_t csr, uint64_t *val)
{
    switch (csr) {
    case RV64_CSR_MSTATUS:
        *val = h->mstatus;
        return 0;
    case RV64_CSR_MISA:
        *val = MISA_VALUE;
        return 0;
    case RV64_CSR_MIE:
        *val = h->mie;
        return 0;
    case RV64_CSR_MTVEC:
        *val = h->mtvec;
        return 0;
    case RV64_CSR_MSCRATCH:
        *val = h->mscratch;
        return 0;
    case RV64_CSR_MEPC:
        *val = h->mepc;
        return 0;
    case RV64_CSR_MCAUSE:
        *val = h->mcause;
        return 0;
    case RV64_CSR_MTVAL:
        *val = h->mtval;
        return 0;
    case RV64_CSR_MIP:
        *val = h->mip;
        return 0;
    case RV64_CSR_MCYCLE:
    case RV64_CSR_CYCLE:
        *val = h->cycle;
        return 0;
    case RV64_CSR_MINSTRET:
    case RV64_CSR_INSTRET:
        *val = h->instret;
        return 0;
    case RV64_CSR_TIME:
        *val = h->mtime ? __atomic_load_n(h->mtime, __ATOMIC_RELAXED)
                        : h->cycle;
        return 0;
    case RV64_CSR_MHARTID:
        *val = h->hartid;
        return 0;
    case RV64_CSR_MVENDORID:
    case RV64_CSR_MARCHID:
    case RV64_CSR_MIMPID:
    case RV64_CSR_MCONFIGPTR:
        *val = 0;
        return 0;
    default:
        if (csr_is_hpm(csr, 0x320) || csr_is_hpm(csr, RV64_CSR_MCYCLE) ||
            csr_is_hpm(csr, RV64_CSR_CYCLE)) {
            *val = 0;
            return 0;
        }
        return -ENOENT;
    }
}

int rv64_csr_write(struct rv64_hart *h, uint16_t csr, uint64_t val)
{
    uint64_t dummy;

    switch (csr) {
    case RV64_CSR_MSTATUS:
        h->mstatus = (val & MSTATUS_WMASK) | RV64_MSTATUS_MPP;
        return 0;
    case RV64_CSR_MISA:
        return 0;
    case RV64_CSR_MIE:
        h->mie = val & MIx_MASK;
        return 0;
    case RV64_CSR_MTVEC:
        h->mtvec = val & ~2ull;
        return 0;
    case RV64_CSR_MSCRATCH:
        h->mscratch = val;
        return 0;
    case RV64_CSR_MEPC:
        h->mepc = val & ~3ull;
        return 0;
    case RV64_CSR_MCAUSE:
        h->mcause = val;
        return 0;
    case RV64_CSR_MTVAL:
        h->mtval = val;
        return 0;
    case RV64_CSR_MIP:
        h->mip = val & MIx_MASK;
        return 0;
    case RV64_CSR_MCYCLE:
        h->cycle = val;
        return 0;
    case RV64_CSR_MINSTRET:
        h->instret = val;
        return 0;
    default:
        if (rv64_csr_read(h, csr, &dummy) != 0) {
            return -ENOENT;
        }
        /* the remaining implemented ones: read-only or hpm (WARL 0) */
        return csr_is_readonly(csr) ? -EPERM : 0;
    }
}

/*
 * Execute a csrrw/csrrs/csrrc/csrrwi/csrrsi/csrrci.
 * Returns 0 with *res = old value, or -ENOENT/-EPERM (illegal insn).
 */
COLD int csr_insn(struct rv64_hart *h, uint32_t insn, uint64_t rs1val,
                  uint64_t *res)
{
    uint16_t csr = (uint16_t)(insn >> 20);
    unsigned f3 = (insn >> 12) & 7;
    unsigned rs1 = (insn >> 15) & 31;
    uint64_t src = (f3 & 4) ? rs1 : rs1val;
    uint64_t old, nv;
    int r;

    r = rv64_csr_read(h, csr, &old);
    if (r != 0) {
        return r;
    }
    *res = old;
    if ((f3 & 3) != 1 && rs1 == 0) {
        return 0;               /* csrrs/csrrc with x0 / zero: no write */
    }
    if (csr_is_readonly(csr)) {
        return -EPERM;
    }
    switch (f3 & 3) {
    case 1:
        nv = src;
        break;
    case 2:
        nv = old | src;
        break;
    default:
        nv = old & ~src;
        break;
    }
    /* a write to a counter replaces this instruction's increment */
    if (csr == RV64_CSR_MCYCLE || csr == RV64_CSR_MINSTRET) {
        nv--;
    }
    return rv64_csr_write(h, csr, nv);
}

/* ---- execution --------------------------------------------------------- */

/* SYSTEM with funct3 = 0: ecall, ebreak, mret, wfi. */
COLD enum rv64_step_result exec_priv(struct rv64_hart *h, uint32_t insn,
                                     struct rv64_retire *ret)
{
    uint64_t st;

    switch (insn) {
    case INSN_ECALL:
        return take_trap(h, RV64_EXC_ECALL_M, 0, ret);
    case INSN_EBREAK:
        if (h->ebreak_stops) {
            return RV64_EBREAK;
        }
        return take_trap(h, RV64_EXC_BREAKPOINT, h->pc, ret);
    case INSN_MRET:
        st = h->mstatus & ~RV64_MSTATUS_MIE;
        if (st & RV64_MSTATUS_MPIE) {
            st |= RV64_MSTATUS_MIE;
        }
        h->mstatus = st | RV64_MSTATUS_MPIE | RV64_MSTATUS_MPP;
        h->pc = h->mepc & ~3ull;
        h->instret++;
        h->cycle++;
        return RV64_OK;
    case INSN_WFI:
        h->pc += 4;
        h->instret++;
        h->cycle++;
        return RV64_WFI;
    default:
        return take_trap(h, RV64_EXC_ILLEGAL, insn, ret);
    }
}

/*
 * LOAD at addr by the instruction at pc: *res = the extended value.
 * Returns 0, -EINVAL (reserved funct3), -EINTR (watch) or -EFAULT.
 */
HOT_INLINE int exec_load(const struct ctx *c, uint64_t pc, unsigned f3,
                         uint64_t addr, uint64_t *res,
                         struct rv64_retire *ret)
{
    uint64_t v = 0;
    int r;

    switch (f3) {
    case 0:
        r = data_load(c, pc, addr, 1, &v, ret);
        *res = (uint64_t)(int64_t)(int8_t)(uint8_t)v;
        return r;
    case 1:
        r = data_load(c, pc, addr, 2, &v, ret);
        *res = (uint64_t)(int64_t)(int16_t)(uint16_t)v;
        return r;
    case 2:
        r = data_load(c, pc, addr, 4, &v, ret);
        *res = sext32(v);
        return r;
    case 3:
        r = data_load(c, pc, addr, 8, res, ret);
        return r;
    case 4:
        return data_load(c, pc, addr, 1, res, ret);
    case 5:
        return data_load(c, pc, addr, 2, res, ret);
    case 6:
        return data_load(c, pc, addr, 4, res, ret);
    default:
        return -EINVAL;
    }
}

/* STORE of val at addr: 0, -EINVAL, -EINTR or -EFAULT like exec_load(). */
HOT_INLINE int exec_store(const struct ctx *c, uint64_t pc, unsigned f3,
                          uint64_t addr, uint64_t val,
                          struct rv64_retire *ret)
{
    switch (f3) {
    case 0:
        return data_store(c, pc, addr, 1, val, ret);
    case 1:
        return data_store(c, pc, addr, 2, val, ret);
    case 2:
        return data_store(c, pc, addr, 4, val, ret);
    case 3:
        return data_store(c, pc, addr, 8, val, ret);
    default:
        return -EINVAL;
    }
}

/* OP-IMM: addi, slti, sltiu, xori, ori, andi, slli, srli, srai. */
HOT_INLINE bool alu_imm(uint32_t insn, unsigned f3, uint64_t a,
                        uint64_t *res)
{
    uint64_t t = imm_i(insn);
    unsigned sh = (insn >> 20) & 63, f6 = insn >> 26;

    switch (f3) {
    case 0:
        *res = a + t;
        return true;
    case 1:
        *res = a << sh;
        return f6 == 0;
    case 2:
        *res = (int64_t)a < (int64_t)t;
        return true;
    case 3:
        *res = a < t;
        return true;
    case 4:
        *res = a ^ t;
        return true;
    case 5:
        *res = f6 ? (uint64_t)((int64_t)a >> sh) : a >> sh;
        return f6 == 0 || f6 == 0x10;
    case 6:
        *res = a | t;
        return true;
    default:
        *res = a & t;
        return true;
    }
}

/* OP-IMM-32: addiw, slliw, srliw, sraiw. */
HOT_INLINE bool alu_imm32(uint32_t insn, unsigned f3, uint64_t a,
                          uint64_t *res)
{
    unsigned sh = (insn >> 20) & 31, f7 = insn >> 25;

    switch (f3) {
    case 0:
        *res = sext32(a + imm_i(insn));
        return true;
    case 1:
        *res = sext32((uint32_t)a << sh);
        return f7 == 0;
    case 5:
        *res = f7 ? (uint64_t)(int64_t)((int32_t)(uint32_t)a >> sh)
                  : sext32((uint32_t)a >> sh);
        return f7 == 0 || f7 == 0x20;
    default:
        return false;
    }
}

/* OP and OP-32 switch on key = funct7 << 3 | funct3. */
#define KEY(f7, f3) (((f7) << 3) | (f3))

/* OP: RV64I register-register and the M extension. */
HOT_INLINE bool alu_reg(uint32_t insn, unsigned f3, uint64_t a, uint64_t b,
                        uint64_t *res)
{
    switch (KEY(insn >> 25, f3)) {
    case KEY(0, 0):
        *res = a + b;
        return true;
    case KEY(0x20, 0):
        *res = a - b;
        return true;
    case KEY(0, 1):
        *res = a << (b & 63);
        return true;
    case KEY(0, 2):
        *res = (int64_t)a < (int64_t)b;
        return true;
    case KEY(0, 3):
        *res = a < b;
        return true;
    case KEY(0, 4):
        *res = a ^ b;
        return true;
    case KEY(0, 5):
        *res = a >> (b & 63);
        return true;
    case KEY(0x20, 5):
        *res = (uint64_t)((int64_t)a >> (b & 63));
        return true;
    case KEY(0, 6):
        *res = a | b;
        return true;
    case KEY(0, 7):
        *res = a & b;
        return true;
    case KEY(1, 0):
        *res = a * b;
        return true;
    case KEY(1, 1):
        *res = op_mulh(a, b);
        return true;
    case KEY(1, 2):
        *res = op_mulhsu(a, b);
        return true;
    case KEY(1, 3):
        *res = op_mulhu(a, b);
        return true;
    case KEY(1, 4):
        *res = op_div(a, b);
        return true;
    case KEY(1, 5):
        *res = b == 0 ? ~0ull : a / b;
        return true;
    case KEY(1, 6):
        *res = op_rem(a, b);
        return true;
    case KEY(1, 7):
        *res = b == 0 ? a : a % b;
        return true;
    default:
        return false;
    }
}

/* OP-32: the *w register-register forms, RV64I and M. */
HOT_INLINE bool alu_reg32(uint32_t insn, unsigned f3, uint64_t a,
                          uint64_t b, uint64_t *res)
{
    switch (KEY(insn >> 25, f3)) {
    case KEY(0, 0):
        *res = sext32(a + b);
        return true;
    case KEY(0x20, 0):
        *res = sext32(a - b);
        return true;
    case KEY(0, 1):
        *res = sext32((uint32_t)a << (b & 31));
        return true;
    case KEY(0, 5):
        *res = sext32((uint32_t)a >> (b & 31));
        return true;
    case KEY(0x20, 5):
        *res = (uint64_t)(int64_t)((int32_t)(uint32_t)a >> (b & 31));
        return true;
    case KEY(1, 0):
        *res = sext32((uint32_t)a * (uint32_t)b);
        return true;
    case KEY(1, 4):
        *res = op_divw(a, b);
        return true;
    case KEY(1, 5):
        *res = op_divuw(a, b);
        return true;
    case KEY(1, 6):
        *res = op_remw(a, b);
        return true;
    case KEY(1, 7):
        *res = op_remuw(a, b);
        return true;
    default:
        return false;
    }
}

/* BRANCH: *taken = condition; false for the reserved funct3 2 and 3. */
HOT_INLINE bool branch_taken(unsigned f3, uint64_t a, uint64_t b, int *taken)
{
    switch (f3) {
    case 0:
        *taken = a == b;
        return true;
    case 1:
        *taken = a != b;
        return true;
    case 4:
        *taken = (int64_t)a < (int64_t)b;
        return true;
    case 5:
        *taken = (int64_t)a >= (int64_t)b;
        return true;
    case 6:
        *taken = a < b;
        return true;
    case 7:
        *taken = a >= b;
        return true;
    default:
        return false;
    }
}

/*
 * Decode and execute one instruction at *pcp.  ret == NULL folds tracing
 * away.  The pc lives in *pcp, which rv64_run() keeps in a register; h->pc
 * is only brought up to date before the cold paths that need it (traps,
 * SYSTEM, bus callbacks), and by the caller on return.
 */
HOT_INLINE enum rv64_step_result exec_one(struct rv64_hart *h,
                                          const struct ctx *c,
                                          struct rv64_retire *ret,
                                          uint64_t *pcp)
{
    uint64_t pc = *pcp, npc = pc + 4, res, a, b, t, cause, tval;
    enum rv64_step_result sr;
    uint32_t insn;
    unsigned rd, f3;
    bool is_store = false;
    int r;

    if (ret) {
        memset(ret, 0, sizeof(*ret));
        ret->pc = pc;
    }
    if (UNLIKELY(pc & 3)) {
        cause = RV64_EXC_INSN_MISALIGNED;
        tval = pc;
        goto trap;
    }
    if (UNLIKELY(fetch(c, pc, &insn) != 0)) {
        cause = RV64_EXC_INSN_FAULT;
        tval = pc;
        goto trap;
    }
    if (ret) {
        ret->insn = insn;
        ret->len = 4;
    }
    rd = (insn >> 7) & 31;
    f3 = (insn >> 12) & 7;
    a = h->x[(insn >> 15) & 31];
    b = h->x[(insn >> 20) & 31];

    if (UNLIKELY((insn & 3) != 3)) {
        goto illegal;           /* 16-bit encodings: no C extension */
    }
    switch ((insn >> 2) & 31) {
    case OPC_OP_IMM:
        if (!alu_imm(insn, f3, a, &res)) {
            goto illegal;
        }
        goto writeback;

    case OPC_LOAD:
        t = a + imm_i(insn);
        r = exec_load(c, pc, f3, t, &res, ret);
        if (UNLIKELY(r != 0)) {
            goto mem_error;
        }
        goto writeback;

    case OPC_STORE:
        t = a + imm_s(insn);
        is_store = true;
        r = exec_store(c, pc, f3, t, b, ret);
        if (UNLIKELY(r != 0)) {
            goto mem_error;
        }
        goto retire;

    case OPC_BRANCH:
        if (!branch_taken(f3, a, b, &r)) {
            goto illegal;
        }
        if (r) {
            npc = pc + imm_b(insn);
            if (UNLIKELY(npc & 3)) {
                cause = RV64_EXC_INSN_MISALIGNED;
                tval = npc;
                goto trap;
            }
        }
        goto retire;

    case OPC_OP:
        if (!alu_reg(insn, f3, a, b, &res)) {
            goto illegal;
        }
        goto writeback;

    case OPC_LUI:
        res = imm_u(insn);
        goto writeback;

    case OPC_AUIPC:
        res = pc + imm_u(insn);
        goto writeback;

    case OPC_JAL:
        npc = pc + imm_j(insn);
        if (UNLIKELY(npc & 3)) {
            cause = RV64_EXC_INSN_MISALIGNED;
            tval = npc;
            goto trap;
        }
        res = pc + 4;
        goto writeback;

    case OPC_JALR:
        if (f3 != 0) {
            goto illegal;
        }
        npc = (a + imm_i(insn)) & ~1ull;
        if (UNLIKELY(npc & 3)) {
            cause = RV64_EXC_INSN_MISALIGNED;
            tval = npc;
            goto trap;
        }
        res = pc + 4;
        goto writeback;

    case OPC_OP_IMM_32:
        if (!alu_imm32(insn, f3, a, &res)) {
            goto illegal;
        }
        goto writeback;

    case OPC_OP_32:
        if (!alu_reg32(insn, f3, a, b, &res)) {
            goto illegal;
        }
        goto writeback;

    case OPC_MISC_MEM:
        if (f3 > 1) {
            goto illegal;
        }
        goto retire;            /* fence, fence.i: nothing cached */

    case OPC_SYSTEM:
        if (f3 == 0) {
            h->pc = pc;
            sr = exec_priv(h, insn, ret);
            *pcp = h->pc;
            return sr;
        }
        if (f3 == 4 || csr_insn(h, insn, a, &res) != 0) {
            goto illegal;
        }
        goto writeback;

    default:            /* every other major opcode: no such extension */
        goto illegal;
    }

writeback:
    h->x[rd] = res;
    h->x[0] = 0;
retire:
    *pcp = npc;
    h->instret++;
    h->cycle++;
    return RV64_OK;

mem_error:
    if (r == -EINTR) {
        return RV64_WATCH;
    }
    if (r == -EINVAL) {
        goto illegal;
    }
    cause = is_store ? RV64_EXC_STORE_FAULT : RV64_EXC_LOAD_FAULT;
    tval = t;
    goto trap;

illegal:
    cause = RV64_EXC_ILLEGAL;
    tval = insn;
trap:
    h->pc = pc;
    sr = take_trap(h, cause, tval, ret);
    *pcp = h->pc;
    return sr;
}

/* ---- public entry points ---------------------------------------------- */

void rv64_hart_reset(struct rv64_hart *h, uint32_t hartid, uint64_t reset_pc)
{
    memset(h, 0, sizeof(*h));
    h->pc = reset_pc;
    h->hartid = hartid;
    h->mstatus = RV64_MSTATUS_MPP;
    h->ebreak_stops = true;
}

enum rv64_step_result rv64_step(struct rv64_hart *h, const struct rv64_bus *bus,
                                struct rv64_retire *ret)
{
    struct ctx c = ctx_of(h, bus);

    return exec_one(h, &c, ret, &h->pc);
}

/* 256-bit filter over pc bits 9:2, so most PCs need no binary search. */
struct bp_filter {
    uint64_t bits[4];
};

HOT_INLINE unsigned bp_hash(uint64_t pc)
{
    return (unsigned)(pc >> 2) & 255;
}

static void bp_filter_init(struct bp_filter *f, const struct rv64_bkpts *bp)
{
    size_t i;
    unsigned k;

    memset(f, 0, sizeof(*f));
    for (i = 0; i < bp->n; i++) {
        k = bp_hash(bp->pc[i]);
        f->bits[k >> 6] |= 1ull << (k & 63);
    }
}

COLD bool bp_search(const struct rv64_bkpts *bp, uint64_t pc)
{
    size_t lo = 0, hi = bp->n, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (bp->pc[mid] < pc) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < bp->n && bp->pc[lo] == pc;
}

HOT_INLINE bool bp_hit(const struct bp_filter *f, const struct rv64_bkpts *bp,
                       uint64_t pc)
{
    unsigned k = bp_hash(pc);

    if (LIKELY(!((f->bits[k >> 6] >> (k & 63)) & 1))) {
        return false;
    }
    return bp_search(bp, pc);
}

HOT_INLINE bool stop_requested(const int *stop)
{
    return stop && __atomic_load_n(stop, __ATOMIC_RELAXED) != 0;
}

/* The run loop; use_bp is a constant after inlining. */
HOT_INLINE uint64_t run_loop(struct rv64_hart *h, const struct rv64_bus *bus,
                             uint64_t n, const struct rv64_bkpts *bp,
                             const struct bp_filter *f, const int *stop,
                             enum rv64_step_result *why, bool use_bp)
{
    uint64_t done = 0, chunk, i, pc = h->pc;
    enum rv64_step_result r = RV64_OK;
    struct ctx c = ctx_of(h, bus);

    while (done < n) {
        if (stop_requested(stop)) {
            r = RV64_STOPPED;
            break;
        }
        chunk = n - done < RV64_STOP_INTERVAL ? n - done : RV64_STOP_INTERVAL;
        for (i = 0; i < chunk; i++) {
            if (use_bp && bp_hit(f, bp, pc)) {
                h->pc = pc;
                *why = RV64_BREAKPOINT;
                return done + i;
            }
            r = exec_one(h, &c, NULL, &pc);
            if (UNLIKELY(r != RV64_OK)) {
                h->pc = pc;
                *why = r;
                return done + i + (r == RV64_TRAP || r == RV64_WFI);
            }
        }
        done += chunk;
    }
    h->pc = pc;
    *why = r;
    return done;
}

uint64_t rv64_run(struct rv64_hart *h, const struct rv64_bus *bus, uint64_t n,
                  const struct rv64_bkpts *bp, const int *stop,
                  enum rv64_step_result *why)
{
    enum rv64_step_result dummy;
    struct bp_filter f;

    if (!why) {
        why = &dummy;
    }
    if (stop_requested(stop)) {
        *why = RV64_STOPPED;
        return 0;
    }
    if (bp && bp->n > 0) {
        bp_filter_init(&f, bp);
        return run_loop(h, bus, n, bp, &f, stop, why, true);
    }
    return run_loop(h, bus, n, NULL, NULL, stop, why, false);
}

/* ---- register names --------------------------------------------------- */

static const char *const gpr_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
    "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

const char *rv64_gpr_name(unsigned i)
{
    return i < 32 ? gpr_names[i] : NULL;
}

int rv64_gpr_index(const char *name)
{
    unsigned i, v = 0;
    const char *p;

    if (!name) {
        return -ENOENT;
    }
    if (strcmp(name, "fp") == 0) {
        return 8;
    }
    if (name[0] == 'x' && name[1] >= '0' && name[1] <= '9') {
        for (p = name + 1; *p >= '0' && *p <= '9'; p++) {
            v = v * 10 + (unsigned)(*p - '0');
            if (v > 31) {
                return -ENOENT;
            }
        }
        /* no trailing junk, no leading zero ("x07") */
        if (*p || (name[1] == '0' && name[2])) {
            return -ENOENT;
        }
        return (int)v;
    }
    for (i = 0; i < 32; i++) {
        if (strcmp(name, gpr_names[i]) == 0) {
            return (int)i;
        }
    }
    return -ENOENT;
}
