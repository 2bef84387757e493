/*
 * test_vp.c - Criterion tests for the mcdshm-vp platform (cosim/vp/
 * platform.h), driven only through vp_target(vp)->ops, as the server core
 * drives it.
 *
 * Most tests load the guest programs built by cosim/vp/progs/build.sh from
 * $MCDSHM_VP_PROGS (test_prog.elf, demo.elf) and are skipped without it;
 * a few run hand-encoded instructions written into RAM through memory
 * transactions.  Each test owns one platform (Criterion runs every test in
 * its own process); the platform's hart threads run while the test thread
 * calls operations, as the server's I/O thread would.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cosim/vp/elf_load.h"
#include "cosim/vp/platform.h"
#include "cosim/vp/rv64.h"

#define RAM 0x80000000ull
#define RAM_SIZE (128ull << 20)
#define UART 0x10000000ull
#define PS 10000ull /* per instruction at the default 100 MHz */
#define REG_PC 32
#define REG_CSR(c) (0x1000 + (c))

/* ---- instruction encoders (subset of test_rv64.c's) ---- */

#define U32(v) ((uint32_t)(v))
#define ENC_I(imm, rs1, f3, rd, op)                              \
    ((U32(imm) & 0xfff) << 20 | U32(rs1) << 15 | U32(f3) << 12 | \
     U32(rd) << 7 | U32(op))
#define ENC_S(imm, rs2, rs1, f3, op)                                  \
    ((U32(imm) >> 5 & 0x7f) << 25 | U32(rs2) << 20 | U32(rs1) << 15 | \
     U32(f3) << 12 | (U32(imm) & 0x1f) << 7 | U32(op))
#define ENC_B(imm, rs2, rs1, f3)                                 \
    ((U32(imm) >> 12 & 1) << 31 | (U32(imm) >> 5 & 0x3f) << 25 | \
     U32(rs2) << 20 | U32(rs1) << 15 | U32(f3) << 12 |           \
     (U32(imm) >> 1 & 0xf) << 8 | (U32(imm) >> 11 & 1) << 7 | 0x63)
#define ENC_U(imm20, rd, op) \
    ((U32(imm20) & 0xfffff) << 12 | U32(rd) << 7 | U32(op))
#define ENC_J(imm, rd)                                            \
    ((U32(imm) >> 20 & 1) << 31 | (U32(imm) >> 1 & 0x3ff) << 21 | \
     (U32(imm) >> 11 & 1) << 20 | (U32(imm) >> 12 & 0xff) << 12 | \
     U32(rd) << 7 | 0x6f)
#define ADDI(d, a, i) ENC_I(i, a, 0, d, 0x13)
#define ANDI(d, a, i) ENC_I(i, a, 7, d, 0x13)
#define LBU(d, o, a) ENC_I(o, a, 4, d, 0x03)
#define SB(s, o, a) ENC_S(o, s, a, 0, 0x23)
#define BEQ(a, b, o) ENC_B(o, b, a, 0)
#define JAL(d, o) ENC_J(o, d)
#define LUI(d, i20) ENC_U(i20, d, 0x37)
#define AUIPC(d, i20) ENC_U(i20, d, 0x17)
#define ECALL 0x00000073u
#define EBREAK 0x00100073u

/*
 * LeakSanitizer: with parallel jobs, Criterion 2.4.1's runner process
 * leaks a 48-byte block per test that has a .timeout (allocated inside
 * libcriterion; none without .timeout or with --jobs 1, as CTest runs
 * us).  Suppress exactly the leaks allocated in libcriterion, so that
 * the ASan build still reports any leak of the platform.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libcriterion.so\n";
}

/* ---- the platform under test ---- */

static struct vp *g_vp;
static const struct mcdshm_target *T;
static struct mcdshm_status st;
static char g_prog[4096];

#define OPS (T->ops)
#define OPQ (T->opaque)

static void teardown(void)
{
    vp_destroy(g_vp);
    g_vp = NULL;
}

/* A platform of nharts harts, with prog loaded unless prog is NULL. */
static void boot(const char *prog, uint32_t nharts)
{
    const char *dir = getenv("MCDSHM_VP_PROGS");
    struct vp_config cfg;
    char err[256] = "";

    if (prog && (!dir || !*dir)) {
        cr_skip_test("MCDSHM_VP_PROGS is not set (cosim/vp/progs/build.sh)");
    }
    vp_config_default(&cfg);
    cfg.nharts = nharts;
    cr_assert_eq(vp_create(&cfg, &g_vp, err, sizeof(err)), 0, "%s", err);
    T = vp_target(g_vp);
    if (prog) {
        snprintf(g_prog, sizeof(g_prog), "%s/%s", dir, prog);
        cr_assert_eq(vp_load_elf(g_vp, g_prog, err, sizeof(err)), 0, "%s", err);
    }
}

static uint64_t sym(const char *name)
{
    char err[256] = "";
    uint64_t a = 0;

    cr_assert_eq(vp_elf_symbol(g_prog, name, &a, NULL, err, sizeof(err)), 0,
                 "%s", err);
    return a;
}

static void msleep(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

/* One transaction; returns the operation's result, *ok = num_bytes_ok. */
static int tx(uint32_t core, uint32_t space, uint64_t addr, uint32_t type,
              void *buf, uint32_t n, uint8_t width, uint32_t opts, uint32_t *ok)
{
    mcd_tx_st t;
    int rc;

    memset(&t, 0, sizeof(t));
    t.addr.address = addr;
    t.addr.mem_space_id = space;
    t.access_type = type;
    t.options = opts;
    t.access_width = width;
    t.data = buf;
    t.num_bytes = n;
    t.num_bytes_ok = 0xdead;
    memset(&st, 0, sizeof(st));
    rc = OPS->access(OPQ, core, &t, &st);
    if (ok) {
        *ok = t.num_bytes_ok;
    }
    return rc;
}

static void mem_read(uint64_t addr, void *buf, uint32_t n)
{
    cr_assert_eq(tx(0, 1, addr, MCD_TX_AT_R, buf, n, 0, 0, NULL), 0, "%s",
                 st.msg);
}

static void mem_write(uint64_t addr, const void *buf, uint32_t n)
{
    cr_assert_eq(tx(0, 1, addr, MCD_TX_AT_W, (void *)buf, n, 0, 0, NULL), 0,
                 "%s", st.msg);
}

static uint64_t mem64(uint64_t addr)
{
    uint64_t v;

    mem_read(addr, &v, 8);
    return v;
}

static uint64_t reg(uint32_t core, uint32_t r)
{
    uint8_t b[8];
    uint64_t v = 0;
    int i;

    cr_assert_eq(tx(core, 3, r, MCD_TX_AT_R, b, 8, 0, 0, NULL), 0, "%s",
                 st.msg);
    for (i = 7; i >= 0; i--) {
        v = v << 8 | b[i];
    }
    return v;
}

static void set_reg(uint32_t core, uint32_t r, uint64_t v)
{
    uint8_t b[8];
    int i;

    for (i = 0; i < 8; i++) {
        b[i] = (uint8_t)(v >> 8 * i);
    }
    cr_assert_eq(tx(core, 3, r, MCD_TX_AT_W, b, 8, 0, 0, NULL), 0, "%s",
                 st.msg);
}

static void run(uint32_t core, bool global)
{
    cr_assert_eq(OPS->run(OPQ, core, global, &st), 0, "%s", st.msg);
}

static void stop(uint32_t core, bool global)
{
    cr_assert_eq(OPS->stop(OPQ, core, global, &st), 0, "%s", st.msg);
}

static void step(uint32_t core, bool global, uint32_t n)
{
    cr_assert_eq(OPS->step(OPQ, core, global, MCD_CORE_STEP_TYPE_INSTR, n, &st),
                 0, "%s", st.msg);
}

static mcd_core_state_st state(uint32_t core)
{
    mcd_core_state_st s;

    cr_assert_eq(OPS->state(OPQ, core, &s, &st), 0, "%s", st.msg);
    return s;
}

/* Poll until the hart is in DEBUG state; returns the events seen. */
static uint32_t wait_debug(uint32_t core, mcd_core_state_st *out)
{
    mcd_core_state_st s;
    uint32_t ev = 0;
    int i;

    for (i = 0; i < 20000; i++) {
        s = state(core);
        ev |= s.event;
        if (s.state == MCD_CORE_STATE_DEBUG) {
            if (out) {
                *out = s;
            }
            return ev;
        }
        msleep(1);
    }
    cr_assert_fail("hart%u did not halt: %s", core, s.info_str);
    return 0;
}

static int trig(uint32_t core, uint32_t id, uint32_t type, uint64_t addr,
                uint64_t range, mcd_trig_complex_core_st *out)
{
    mcd_trig_complex_core_st t;

    memset(&t, 0, sizeof(t));
    t.struct_size = sizeof(t);
    t.type = type;
    t.action = MCD_TRIG_ACTION_DBG_DEBUG;
    t.addr_start.address = addr;
    t.addr_start.mem_space_id = 1;
    t.addr_range = range;
    if (out) {
        t = *out;
    }
    memset(&st, 0, sizeof(st));
    return OPS->trig_insert(OPQ, core, id, out ? out : &t, &st);
}

/* ---- configuration and description ---- */

Test(vp, create_rejects_bad_config, .timeout = 30)
{
    struct vp_config c;
    struct vp *vp = NULL;
    char err[256];
    uint64_t base = 0, size = 0;

    vp_config_default(&c);
    c.nharts = 33;
    cr_expect_eq(vp_create(&c, &vp, err, sizeof(err)), -EINVAL);
    cr_expect_str_eq(err, "nharts 33 is out of range 1..32");
    vp_config_default(&c);
    c.ram_size = 0x1001;
    cr_expect_eq(vp_create(&c, &vp, err, sizeof(err)), -EINVAL);
    cr_expect_str_eq(err, "ram_size 0x1001 is not a multiple of 4 KiB");
    vp_config_default(&c);
    c.rom_base = RAM + 0x1000;
    cr_expect_eq(vp_create(&c, &vp, err, sizeof(err)), -EINVAL);
    cr_expect_not_null(strstr(err, "overlap"), "%s", err);
    vp_config_default(&c);
    c.ram_base = 0xfffffffffffff000ull;
    c.ram_size = 0x2000;
    cr_expect_eq(vp_create(&c, &vp, err, sizeof(err)), -EINVAL);
    cr_expect_not_null(strstr(err, "ram_base 0xfffffffffffff000"), "%s", err);
    cr_expect_null(vp);
    vp_destroy(NULL);

    /* NULL and zero fields mean the defaults */
    cr_assert_eq(vp_create(NULL, &g_vp, err, sizeof(err)), 0, "%s", err);
    T = vp_target(g_vp);
    cr_expect_str_eq(T->system, "mcdshm-vp");
    cr_expect_str_eq(T->device, "rv64im-4hart");
    cr_expect_eq(T->ncores, 4);
    cr_expect_eq(T->exec, MCDSHM_EXEC_IO_THREAD);
    cr_expect_not_null(vp_ram(g_vp, &base, &size));
    cr_expect_eq(base, RAM);
    cr_expect_eq(size, RAM_SIZE);
    cr_expect_eq(vp_uart_output(g_vp, -2), -EINVAL);
    cr_expect_eq(vp_load_elf(g_vp, "/nonexistent.elf", err, sizeof(err)),
                 -ENOENT);
    cr_expect_eq(vp_load_elf(g_vp, "/bin/true", err, sizeof(err)), -ENOEXEC);
    teardown();
}

Test(vp, describes_cores_memory_and_registers, .timeout = 30, .fini = teardown)
{
    mcd_core_con_info_st ci;
    mcd_memspace_st ms[4];
    mcd_memblock_st mb[4];
    mcd_register_group_st rg[3];
    mcd_register_info_st ri[64];
    mcd_trig_info_st ti;
    mcd_rst_info_st rst[32];
    mcd_trace_info_st tr;
    char url[64];

    boot(NULL, 4);
    memset(&ci, 0, sizeof(ci));
    OPS->core_info(OPQ, 2, &ci);
    cr_expect_str_eq(ci.core, "hart2");
    cr_expect_eq(ci.core_type, 243);
    cr_expect_eq(ci.core_id, 2);

    cr_expect_eq(OPS->mem_spaces(OPQ, 0, NULL, 0), 3);
    cr_assert_eq(OPS->mem_spaces(OPQ, 0, ms, 4), 3);
    cr_expect_str_eq(ms[0].mem_space_name, "phys");
    cr_expect_eq(ms[0].mem_space_id, 1);
    cr_expect_eq(ms[0].mem_type, MCD_MEM_SPACE_IS_PHYSICAL);
    cr_expect_eq(ms[0].bits_per_mau, 8);
    cr_expect_eq(ms[0].endian, MCD_ENDIAN_LITTLE);
    cr_expect_eq(ms[0].max_addr, UINT64_MAX);
    cr_expect_str_eq(ms[1].mem_space_name, "logical");
    cr_expect_eq(ms[1].mem_type, MCD_MEM_SPACE_IS_LOGICAL);
    cr_expect_str_eq(ms[2].mem_space_name, "regs");
    cr_expect_eq(ms[2].mem_space_id, 3);
    cr_expect_eq(ms[2].mem_type, MCD_MEM_SPACE_IS_REGISTERS);

    cr_assert_eq(OPS->mem_blocks(OPQ, 0, 1, mb, 4), 3);
    cr_expect_str_eq(mb[0].mem_block_name, "rom");
    cr_expect_eq(mb[0].start_addr, 0x1000);
    cr_expect_eq(mb[0].end_addr, 0x10fff);
    cr_expect_str_eq(mb[1].mem_block_name, "ram");
    cr_expect_eq(mb[1].start_addr, RAM);
    cr_expect_eq(mb[1].end_addr, RAM + RAM_SIZE - 1);
    cr_expect_str_eq(mb[2].mem_block_name, "uart");
    cr_expect_eq(mb[2].start_addr, UART);
    cr_expect_eq(mb[2].end_addr, UART + 0xff);
    cr_expect_eq(OPS->mem_blocks(OPQ, 0, 2, mb, 1), 3);
    cr_expect_eq(OPS->mem_blocks(OPQ, 0, 3, mb, 4), 0);

    cr_assert_eq(OPS->reg_groups(OPQ, 1, rg, 3), 2);
    cr_expect_str_eq(rg[0].reg_group_name, "gpr");
    cr_expect_eq(rg[0].n_registers, 33);
    cr_expect_str_eq(rg[1].reg_group_name, "csr");
    cr_expect_eq(rg[1].n_registers, 12);
    cr_assert_eq(OPS->regs(OPQ, 2, 0, ri, 64), 45);
    cr_expect_str_eq(ri[0].regname, "zero");
    cr_expect_str_eq(ri[1].regname, "ra");
    cr_expect_str_eq(ri[8].regname, "s0");
    cr_expect_str_eq(ri[32].regname, "pc");
    cr_expect_eq(ri[32].addr.address, 32);
    cr_expect_eq(ri[32].addr.mem_space_id, 3);
    cr_expect_eq(ri[32].regsize, 64);
    cr_expect_eq(ri[32].hw_thread_id, 3);
    cr_expect_eq(ri[32].reg_group_id, 1);
    cr_expect_str_eq(ri[33].regname, "mstatus");
    cr_expect_eq(ri[33].addr.address, 0x1300);
    cr_expect_eq(ri[33].reg_group_id, 2);
    cr_expect_str_eq(ri[44].regname, "mhartid");
    cr_expect_eq(ri[44].addr.address, 0x1f14);
    cr_expect_eq(ri[44].reg_type, MCD_REG_TYPE_SIMPLE);
    cr_expect_eq(OPS->regs(OPQ, 0, 1, ri, 2), 33);
    cr_expect_eq(OPS->regs(OPQ, 0, 2, NULL, 0), 12);
    cr_expect_eq(OPS->regs(OPQ, 0, 9, ri, 64), 0);

    OPS->trig_info(OPQ, 0, &ti);
    cr_expect_eq(ti.type, MCD_TRIG_TYPE_IP | MCD_TRIG_TYPE_READ |
                              MCD_TRIG_TYPE_WRITE | MCD_TRIG_TYPE_RW);
    cr_expect_eq(ti.option, MCD_TRIG_OPT_DEFAULT);
    cr_expect_eq(ti.action,
                 MCD_TRIG_ACTION_DBG_DEBUG | MCD_TRIG_ACTION_DBG_GLOBAL);
    cr_expect_eq(ti.trig_number, 32);
    cr_expect_eq(OPS->rst_classes(OPQ, 0, rst), 0x3);
    cr_expect_eq(rst[0].class_vector, 1);
    cr_expect_eq(rst[1].class_vector, 2);
    cr_expect_not_null(strstr(rst[0].info_str, "system reset"));
    cr_expect_eq(OPS->device_description(OPQ, 0, url, sizeof(url), &st), -1);
    cr_expect_eq(st.code, MCD_ERR_GENERAL);
    cr_expect_str_eq(st.msg, "mcdshm-vp has no IP-XACT description");
    cr_expect_null(OPS->core_modes);
    cr_assert_eq(OPS->traces(OPQ, 3, &tr, 1), 1);
    cr_expect_str_eq(tr.trace_name, "hart3 instructions");
    cr_expect_eq(tr.trace_id, 1);
    cr_expect_eq(tr.trace_type, MCD_TRACE_TYPE_CORE);
    cr_expect_eq(tr.trace_format, MCD_TRACE_FORMAT_CORE_EXECUTE);
    cr_expect_eq(tr.trace_modes, MCD_TRACE_MODE_FIFO | MCD_TRACE_MODE_PIPE);
    /* a core that does not exist */
    cr_expect_eq(OPS->run(OPQ, 4, false, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_PARAM);
    cr_expect_str_eq(st.msg, "core 4 does not exist: mcdshm-vp has 4 harts "
                             "(0..3)");
}

/* ---- run control ---- */

Test(vp, run_stop_counter_advances, .timeout = 30, .fini = teardown)
{
    mcd_core_state_st s;
    uint64_t counter, c0, c1;
    uint32_t ev;
    int i;

    boot("test_prog.elf", 4);
    counter = sym("counter");
    for (i = 0; i < 4; i++) {
        s = state(i);
        cr_expect_eq(s.state, MCD_CORE_STATE_DEBUG, "hart%d", i);
        cr_expect_not_null(strstr(s.stop_str, "loaded"), "%s", s.stop_str);
        cr_expect_eq(reg(i, REG_PC), RAM);
    }
    run(0, false);
    cr_expect_eq(state(0).state, MCD_CORE_STATE_RUNNING);
    cr_expect_eq(state(1).state, MCD_CORE_STATE_DEBUG);
    /* memory is accessible while the hart runs */
    for (i = 0; i < 5000 && mem64(counter) < 1000; i++) {
        msleep(1);
    }
    cr_expect_geq(mem64(counter), 1000);
    stop(0, false);
    s = state(0);
    cr_expect_eq(s.state, MCD_CORE_STATE_DEBUG);
    cr_expect_str_eq(s.stop_str, "stopped by debugger");
    cr_expect_eq(s.trig_id, 0);
    cr_expect(s.event & MCD_CORE_EVENT_STOPPED);
    cr_expect_eq(state(0).event & MCD_CORE_EVENT_STOPPED, 0,
                 "events are reported once");
    c0 = mem64(counter);
    msleep(20);
    cr_expect_eq(mem64(counter), c0, "a halted hart does not move");
    cr_expect_eq(mem64(counter + 8), 0, "hart1 never ran");
    /* stop of a halted hart and run of a running one change nothing */
    stop(0, false);
    run(0, false);
    run(0, false);
    msleep(5);
    stop(0, false);
    ev = wait_debug(0, &s);
    c1 = mem64(counter);
    cr_expect_gt(c1, c0);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)) > c1, 1);
    (void)ev;
}

Test(vp, registers_read_all_and_write, .timeout = 30, .fini = teardown)
{
    uint8_t all[33 * 8], b[40];
    uint64_t x[33], v;
    uint32_t ok, i, j;

    boot("test_prog.elf", 4);
    step(0, false, 20);
    cr_assert_eq(tx(0, 3, 0, MCD_TX_AT_R, all, sizeof(all), 0, 0, &ok), 0, "%s",
                 st.msg);
    cr_expect_eq(ok, 264);
    for (i = 0; i < 33; i++) {
        for (x[i] = 0, j = 0; j < 8; j++) {
            x[i] |= (uint64_t)all[8 * i + j] << 8 * j;
        }
        cr_expect_eq(x[i], reg(0, i), "register %u", i);
    }
    cr_expect_eq(x[0], 0);
    cr_expect_eq(x[3], sym("__global_pointer$"), "gp");
    cr_expect_eq(x[32], reg(0, REG_PC));
    cr_expect_neq(x[2], 0, "sp is set up after 20 steps");

    set_reg(0, 5, 0x0123456789abcdefull);
    cr_expect_eq(reg(0, 5), 0x0123456789abcdefull);
    set_reg(0, 0, 55);
    cr_expect_eq(reg(0, 0), 0, "x0 ignores writes");
    /* RW swaps, WR reads back */
    memset(b, 0x11, 8);
    cr_assert_eq(tx(0, 3, 5, MCD_TX_AT_RW, b, 8, 0, 0, &ok), 0, "%s", st.msg);
    cr_expect_eq(b[0], 0xef);
    cr_expect_eq(reg(0, 5), 0x1111111111111111ull);
    memset(b, 0x22, 8);
    cr_assert_eq(tx(0, 3, 6, MCD_TX_AT_WR, b, 8, 0, 0, &ok), 0, "%s", st.msg);
    cr_expect_eq(b[7], 0x22);
    /* CSRs */
    cr_expect_eq(reg(2, REG_CSR(RV64_CSR_MHARTID)), 2);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), 20);
    cr_expect_eq(
        tx(0, 3, REG_CSR(RV64_CSR_MHARTID), MCD_TX_AT_W, b, 8, 0, 0, &ok), -1);
    cr_expect_eq(st.code, MCD_ERR_TXLIST_WRITE);
    cr_expect_eq(ok, 0);
    cr_expect_str_eq(st.msg, "register mhartid (number 0x1f14) of hart0 is "
                             "read-only");
    set_reg(0, REG_CSR(RV64_CSR_MSCRATCH), 42);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MSCRATCH)), 42);
    /* a range running into a missing register stops there */
    cr_expect_eq(tx(0, 3, 30, MCD_TX_AT_R, b, 40, 0, 0, &ok), -1);
    cr_expect_eq(st.code, MCD_ERR_TXLIST_READ);
    cr_expect_eq(ok, 24);
    cr_expect_str_eq(st.msg, "hart0 has no register number 0x21");
    cr_expect_eq(tx(0, 3, 0, MCD_TX_AT_R, b, 4, 0, 0, &ok), -1);
    cr_expect_eq(st.code, MCD_ERR_TXLIST_TX);
    /* writing pc moves the hart */
    set_reg(0, REG_PC, RAM);
    step(0, false, 1);
    cr_expect_eq(reg(0, REG_PC), RAM + 4);
    /* a running hart's registers are off limits, its memory is not */
    run(1, false);
    cr_expect_eq(tx(1, 3, 0, MCD_TX_AT_R, b, 8, 0, 0, &ok), -1);
    cr_expect_eq(st.code, MCD_ERR_DEVICE_ACCESS);
    cr_expect_str_eq(st.msg, "hart1 is running: stop it to access its "
                             "registers");
    cr_expect_eq(tx(1, 1, RAM, MCD_TX_AT_R, &v, 8, 0, 0, &ok), 0);
    stop(1, false);
    cr_expect_eq(tx(0, 9, RAM, MCD_TX_AT_R, &v, 8, 0, 0, &ok), -1);
    cr_expect_eq(st.code, MCD_ERR_TXLIST_TX);
    cr_expect_eq(tx(0, 1, RAM, 7, &v, 8, 0, 0, &ok), -1);
    cr_expect_eq(st.code, MCD_ERR_TXLIST_TX);
}

Test(vp, memory_round_trips, .timeout = 30, .fini = teardown)
{
    static const uint32_t sizes[] = { 1,  2,   4,   8,   3,    5,   7,
                                      13, 255, 256, 257, 1000, 4099 };
    static uint8_t in[5000], out[5000];
    uint64_t a, end = RAM + RAM_SIZE;
    uint32_t i, k, ok;

    boot(NULL, 1);
    for (i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)(i * 7 + 3);
    }
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        for (k = 0; k < 8; k++) {
            a = RAM + 0x10000 * (i + 1) + k * 3 + 1;
            memset(out, 0, sizes[i]);
            mem_write(a, in + k, sizes[i]);
            cr_assert_eq(tx(0, 2, a, MCD_TX_AT_R, out, sizes[i], 0, 0, &ok), 0,
                         "%s", st.msg);
            cr_expect_eq(ok, sizes[i]);
            cr_expect_arr_eq(out, in + k, sizes[i], "size %u at 0x%" PRIx64,
                             sizes[i], a);
        }
    }
    /* swap and write-verify */
    a = RAM + 0x123;
    mem_write(a, "ABCDEFG", 7);
    memcpy(out, "abcdefg", 7);
    cr_assert_eq(tx(0, 1, a, MCD_TX_AT_RW, out, 7, 0, 0, &ok), 0);
    cr_expect_arr_eq(out, "ABCDEFG", 7);
    mem_read(a, out, 7);
    cr_expect_arr_eq(out, "abcdefg", 7);
    memcpy(out, "1234567", 7);
    cr_assert_eq(tx(0, 1, a, MCD_TX_AT_WR, out, 7, 0, 0, &ok), 0);
    cr_expect_arr_eq(out, "1234567", 7);
    /* past the end of RAM: the bytes inside are done, exactly */
    cr_expect_eq(tx(0, 1, end - 5, MCD_TX_AT_R, out, 16, 0, 0, &ok), -1);
    cr_expect_eq(st.code, MCD_ERR_TXLIST_READ);
    cr_expect_eq(ok, 5);
    cr_expect_str_eq(st.msg, "address 0x88000000 (memory space 1) is not in "
                             "rom, ram or uart");
    cr_expect_eq(tx(0, 1, end - 300, MCD_TX_AT_W, in, 1000, 0, 0, &ok), -1);
    cr_expect_eq(st.code, MCD_ERR_TXLIST_WRITE);
    cr_expect_eq(ok, 300);
    mem_read(end - 300, out, 300);
    cr_expect_arr_eq(out, in, 300);
    cr_expect_eq(tx(0, 1, 0x20000000, MCD_TX_AT_R, out, 4, 0, 0, &ok), -1);
    cr_expect_eq(ok, 0);
    cr_expect_eq(tx(0, 1, UINT64_MAX - 1, MCD_TX_AT_R, out, 4, 0, 0, &ok), -1);
    cr_expect_eq(ok, 0);
    /* the debugger may write the ROM */
    mem_write(0x1000 + 0xfffc, "\x13\0\0\0", 4);
    mem_read(0x1000 + 0xfffc, out, 4);
    cr_expect_eq(out[0], 0x13);
    cr_expect_eq(tx(0, 1, 0x10ffc, MCD_TX_AT_R, out, 8, 0, 0, &ok), -1);
    cr_expect_eq(ok, 4);
    /* widths */
    cr_expect_eq(tx(0, 1, RAM, MCD_TX_AT_R, out, 8, 3, 0, &ok), -1);
    cr_expect_eq(st.code, MCD_ERR_TXLIST_TX);
    cr_expect_str_eq(st.msg, "access_width 3 is not supported (0, 1, 2, 4 or "
                             "8)");
    cr_expect_eq(tx(0, 1, RAM, MCD_TX_AT_R, out, 6, 4, 0, &ok), -1);
    cr_expect_eq(st.code, MCD_ERR_TXLIST_TX);
    cr_expect_eq(tx(0, 1, RAM, MCD_TX_AT_R, out, 16, 8, 0, &ok), 0);
    /* an 8-byte access may not leave the UART */
    cr_expect_eq(tx(0, 1, UART + 0xf8, MCD_TX_AT_R, out, 16, 8, 0, &ok), -1);
    cr_expect_eq(ok, 8);
    cr_expect_eq(tx(0, 1, UART + 0xfc, MCD_TX_AT_R, out, 8, 8, 0, &ok), -1);
    cr_expect_eq(ok, 0);
}

Test(vp, breakpoint_at_bp_here, .timeout = 30, .fini = teardown)
{
    mcd_core_state_st s;
    uint64_t bp_here, counter, c0;
    char want[64];

    boot("test_prog.elf", 4);
    bp_here = sym("bp_here");
    counter = sym("counter");
    cr_assert_eq(trig(0, 7, MCD_TRIG_TYPE_IP, bp_here, 0, NULL), 0, "%s",
                 st.msg);
    run(0, false);
    cr_expect(wait_debug(0, &s) & MCD_CORE_EVENT_STOPPED);
    snprintf(want, sizeof(want), "breakpoint 7 at 0x%" PRIx64, bp_here);
    cr_expect_str_eq(s.stop_str, want);
    cr_expect_eq(s.trig_id, 7);
    cr_expect_eq(s.hw_thread_id, 1);
    cr_expect_eq(reg(0, REG_PC), bp_here);
    cr_expect_eq(reg(0, 10), 0, "a0 = hartid");
    c0 = mem64(counter);
    /* resuming steps off the breakpoint: exactly one more iteration */
    run(0, false);
    wait_debug(0, &s);
    cr_expect_eq(s.trig_id, 7);
    cr_expect_eq(reg(0, REG_PC), bp_here);
    cr_expect_eq(mem64(counter), c0 + 1);
    run(0, false);
    wait_debug(0, &s);
    cr_expect_eq(mem64(counter), c0 + 2);
    /* other harts do not see hart0's breakpoint */
    run(1, false);
    msleep(20);
    cr_expect_eq(state(1).state, MCD_CORE_STATE_RUNNING);
    stop(1, false);
    /* removed: runs freely */
    cr_assert_eq(OPS->trig_remove(OPQ, 0, 7, &st), 0, "%s", st.msg);
    run(0, false);
    msleep(20);
    cr_expect_eq(state(0).state, MCD_CORE_STATE_RUNNING);
    /* A loaded machine may not have run the hart yet: up to 5 s. */
    for (int i = 0; i < 500 && mem64(counter) <= c0 + 100; i++) {
        msleep(10);
    }
    stop(0, false);
    cr_expect_gt(mem64(counter), c0 + 100);
    cr_expect_eq(OPS->trig_remove(OPQ, 0, 7, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_TRIG_ACCESS);
    cr_expect_str_eq(st.msg, "no trigger with trig_id 7 on hart0");
}

Test(vp, watchpoints_stop_at_the_access, .timeout = 30, .fini = teardown)
{
    mcd_core_state_st s;
    uint64_t target, store_pc, load_pc, v;
    char want[128];

    boot("test_prog.elf", 4);
    target = sym("watch_target");
    store_pc = sym("watch_store_insn");
    load_pc = sym("watch_load_insn");

    /* a write watchpoint on one byte of watch_target */
    cr_assert_eq(trig(0, 3, MCD_TRIG_TYPE_WRITE, target + 3, 0, NULL), 0, "%s",
                 st.msg);
    run(0, false);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_PC), store_pc);
    cr_expect_eq(s.trig_id, 3);
    snprintf(want, sizeof(want), "watchpoint 3: write of 8 bytes at 0x%" PRIx64,
             target);
    cr_expect_str_eq(s.stop_str, want);
    v = mem64(target);
    cr_expect_eq(v, 0, "the store has not happened");
    /* resuming performs the store, the next store stops again */
    run(0, false);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_PC), store_pc);
    cr_expect_eq(mem64(target), 1, "one store: counter[0] was 1");
    cr_assert_eq(OPS->trig_remove(OPQ, 0, 3, &st), 0);

    /* a read watchpoint over the whole variable */
    cr_assert_eq(trig(0, 4, MCD_TRIG_TYPE_READ, target, 7, NULL), 0);
    run(0, false);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_PC), load_pc);
    cr_expect_eq(s.trig_id, 4);
    cr_expect_not_null(strstr(s.stop_str, "read of 8 bytes"), "%s", s.stop_str);
    cr_assert_eq(OPS->trig_remove(OPQ, 0, 4, &st), 0);

    /* RW catches both, alternately */
    cr_assert_eq(trig(0, 5, MCD_TRIG_TYPE_RW, target, 0, NULL), 0);
    run(0, false);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_PC), store_pc);
    cr_expect_eq(s.trig_id, 5);
    run(0, false);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_PC), load_pc);
    run(0, false);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_PC), store_pc);
    /* a step from a watchpoint performs the access */
    step(0, false, 1);
    cr_expect_eq(reg(0, REG_PC), store_pc + 4);
    /* a watchpoint on an address nobody touches never fires */
    cr_assert_eq(OPS->trig_remove(OPQ, 0, 5, &st), 0);
    cr_assert_eq(trig(0, 6, MCD_TRIG_TYPE_RW, RAM + 0x100000, 0, NULL), 0);
    run(0, false);
    msleep(20);
    cr_expect_eq(state(0).state, MCD_CORE_STATE_RUNNING);
    stop(0, false);
}

Test(vp, step_exact_instructions, .timeout = 30, .fini = teardown)
{
    mcd_core_state_st s;
    uint64_t bp_here, n;

    boot("test_prog.elf", 4);
    bp_here = sym("bp_here");
    step(0, false, 1);
    cr_expect_eq(reg(0, REG_PC), RAM + 4);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), 1);
    s = state(0);
    cr_expect_str_eq(s.stop_str, "step");
    cr_expect(s.event & MCD_CORE_EVENT_STOPPED);
    /* straight-line start-up code: auipc, addi, csrr, mv, li, bgeu */
    step(0, false, 5);
    cr_expect_eq(reg(0, REG_PC), RAM + 0x18);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), 6);
    step(0, false, 1000);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), 1006);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MCYCLE)), 1006);
    cr_expect_eq(OPS->step(OPQ, 0, false, MCD_CORE_STEP_TYPE_CYCLES, 10, &st),
                 0);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), 1016);
    cr_expect_eq(OPS->step(OPQ, 0, false, 4, 10, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_PARAM);
    step(0, false, 0);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), 1016);
    cr_expect_eq(reg(1, REG_CSR(RV64_CSR_MINSTRET)), 0, "hart1 untouched");

    /* stepping off a breakpoint, and a breakpoint ending a step early */
    cr_assert_eq(trig(0, 1, MCD_TRIG_TYPE_IP, bp_here, 0, NULL), 0);
    run(0, false);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_PC), bp_here);
    n = reg(0, REG_CSR(RV64_CSR_MINSTRET));
    step(0, false, 1);
    cr_expect_eq(reg(0, REG_PC), bp_here + 4);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), n + 1);
    step(0, false, 1000);
    s = state(0);
    cr_expect_eq(reg(0, REG_PC), bp_here);
    cr_expect_eq(s.trig_id, 1);
    cr_expect_lt(reg(0, REG_CSR(RV64_CSR_MINSTRET)), n + 1 + 1000);
    /* a running hart is not stepped (no breakpoint to halt it again) */
    cr_assert_eq(OPS->trig_remove(OPQ, 0, 1, &st), 0);
    run(0, false);
    cr_expect_eq(OPS->step(OPQ, 0, false, MCD_CORE_STEP_TYPE_INSTR, 1, &st),
                 -1);
    cr_expect_eq(st.code, MCD_ERR_GENERAL);
    cr_expect_str_eq(st.msg, "hart0 is running: stop it before stepping");
    stop(0, false);
}

Test(vp, global_run_and_stop, .timeout = 30, .fini = teardown)
{
    uint64_t counter = 0;
    int i;

    boot("test_prog.elf", 4);
    counter = sym("counter");
    run(2, true);
    for (i = 0; i < 4; i++) {
        cr_expect_eq(state(i).state, MCD_CORE_STATE_RUNNING, "hart%d", i);
    }
    msleep(30);
    stop(1, true);
    for (i = 0; i < 4; i++) {
        cr_expect_eq(state(i).state, MCD_CORE_STATE_DEBUG, "hart%d", i);
        cr_expect_gt(mem64(counter + 8 * i), 0, "hart%d counted", i);
    }
    /* global step: every hart steps n */
    step(0, true, 100);
    for (i = 0; i < 4; i++) {
        cr_expect_str_eq(state(i).stop_str, "step");
    }
}

Test(vp, set_global_excludes_a_hart, .timeout = 30, .fini = teardown)
{
    uint64_t n[4];
    int i;

    boot("test_prog.elf", 4);
    cr_assert_eq(OPS->set_global(OPQ, 1, false, &st), 0);
    run(0, true);
    cr_expect_eq(state(1).state, MCD_CORE_STATE_DEBUG);
    cr_expect_eq(state(3).state, MCD_CORE_STATE_RUNNING);
    stop(0, true);
    cr_expect_eq(reg(1, REG_CSR(RV64_CSR_MINSTRET)), 0);
    /* global step leaves hart1 alone */
    for (i = 0; i < 4; i++) {
        n[i] = reg(i, REG_CSR(RV64_CSR_MINSTRET));
    }
    step(2, true, 100);
    for (i = 0; i < 4; i++) {
        cr_expect_eq(reg(i, REG_CSR(RV64_CSR_MINSTRET)),
                     n[i] + (i == 1 ? 0 : 100), "hart%d", i);
    }
    /* and a global stop does not stop it */
    run(1, false);
    stop(0, true);
    cr_expect_eq(state(1).state, MCD_CORE_STATE_RUNNING);
    stop(1, false);
    cr_expect_eq(state(1).state, MCD_CORE_STATE_DEBUG);
    /* the hart named in a global call always takes part */
    run(1, true);
    cr_expect_eq(state(1).state, MCD_CORE_STATE_RUNNING);
    stop(1, true);
    cr_assert_eq(OPS->set_global(OPQ, 1, true, &st), 0);
    run(0, true);
    cr_expect_eq(state(1).state, MCD_CORE_STATE_RUNNING);
    stop(0, true);
}

Test(vp, reset_classes, .timeout = 30, .fini = teardown)
{
    uint64_t marker = 0x5a5a5a5a12345678ull, entry = RAM;
    int i;

    boot("test_prog.elf", 4);
    step(0, true, 50);
    mem_write(RAM + 0x100000, &marker, 8);
    /* core reset: only hart2 */
    cr_assert_eq(OPS->reset(OPQ, 2, 0x2, true, &st), 0, "%s", st.msg);
    for (i = 0; i < 4; i++) {
        cr_expect_eq(reg(i, REG_PC), i == 2 ? entry : reg(i, REG_PC));
        cr_expect_eq(reg(i, REG_CSR(RV64_CSR_MINSTRET)), i == 2 ? 0 : 50,
                     "hart%d", i);
    }
    cr_expect_str_eq(state(2).stop_str, "core reset");
    cr_expect_eq(reg(2, REG_CSR(RV64_CSR_MHARTID)), 2);
    /* system reset: all harts, RAM kept */
    cr_assert_eq(OPS->reset(OPQ, 0, 0x1, true, &st), 0, "%s", st.msg);
    for (i = 0; i < 4; i++) {
        cr_expect_eq(reg(i, REG_PC), entry);
        cr_expect_eq(reg(i, REG_CSR(RV64_CSR_MINSTRET)), 0);
        cr_expect_eq(reg(i, 2), 0, "sp is reset");
        cr_expect_str_eq(state(i).stop_str, "system reset");
    }
    cr_expect_eq(mem64(RAM + 0x100000), marker);
    /* without halt the harts run afterwards; a running hart is reset too */
    cr_assert_eq(OPS->reset(OPQ, 0, 0x1, false, &st), 0);
    for (i = 0; i < 4; i++) {
        cr_expect_eq(state(i).state, MCD_CORE_STATE_RUNNING);
    }
    cr_assert_eq(OPS->reset(OPQ, 3, 0x2, true, &st), 0);
    cr_expect_eq(state(3).state, MCD_CORE_STATE_DEBUG);
    cr_expect_eq(reg(3, REG_PC), entry);
    cr_expect_eq(state(0).state, MCD_CORE_STATE_RUNNING);
    stop(0, true);
    cr_expect_eq(OPS->reset(OPQ, 0, 0x4, true, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_PARAM);
    cr_expect_eq(OPS->reset(OPQ, 0, 0, true, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_PARAM);
}

Test(vp, run_until_and_current_time, .timeout = 30, .fini = teardown)
{
    mcd_core_state_st s;
    uint64_t ps;
    int i;

    boot("test_prog.elf", 4);
    cr_assert_eq(OPS->current_time(OPQ, 0, &ps, &st), 0);
    cr_expect_eq(ps, 0);
    cr_assert_eq(OPS->run_until(OPQ, 0, false, true, 1000 * PS, &st), 0, "%s",
                 st.msg);
    wait_debug(0, &s);
    cr_expect_str_eq(s.stop_str, "run until 10000000 ps reached");
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), 1000);
    cr_assert_eq(OPS->current_time(OPQ, 0, &ps, &st), 0);
    cr_expect_eq(ps, 1000 * PS);
    /* relative: 12345 ps more is 2 instructions (rounded up) */
    cr_assert_eq(OPS->run_until(OPQ, 0, false, false, 12345, &st), 0);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), 1002);
    cr_assert_eq(OPS->current_time(OPQ, 0, &ps, &st), 0);
    cr_expect_eq(ps, reg(0, REG_CSR(RV64_CSR_MINSTRET)) * PS);
    /* a time in the past: halts at once */
    cr_assert_eq(OPS->run_until(OPQ, 0, false, true, 5, &st), 0);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), 1002);
    /* global: every hart reaches the same time */
    cr_assert_eq(OPS->run_until(OPQ, 1, true, true, 50000 * PS, &st), 0);
    for (i = 0; i < 4; i++) {
        wait_debug(i, &s);
        cr_expect_eq(reg(i, REG_CSR(RV64_CSR_MINSTRET)), 50000, "hart%d", i);
        cr_assert_eq(OPS->current_time(OPQ, i, &ps, &st), 0);
        cr_expect_eq(ps, 50000 * PS);
    }
    run(0, false);
    cr_expect_eq(OPS->run_until(OPQ, 0, false, true, 1, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_GENERAL);
    stop(0, false);
}

/* ---- triggers: errors, approximations, actions ---- */

Test(vp, trigger_approximations_and_errors, .timeout = 30, .fini = teardown)
{
    mcd_trig_complex_core_st t;
    uint32_t i;

    boot(NULL, 2);
    memset(&t, 0, sizeof(t));
    t.struct_size = sizeof(t);
    t.type = MCD_TRIG_TYPE_WRITE;
    t.option = MCD_TRIG_OPT_DATA_IS_CONDITION | MCD_TRIG_OPT_NOT_DATA;
    t.action = MCD_TRIG_ACTION_TRACE_START;
    t.addr_start.address = RAM;
    t.addr_start.mem_space_id = 2;
    cr_assert_eq(trig(0, 1, 0, 0, 0, &t), 0, "%s", st.msg);
    cr_expect_eq(t.modified, TRUE);
    cr_expect_eq(t.option, MCD_TRIG_OPT_DEFAULT);
    cr_expect_eq(t.action, MCD_TRIG_ACTION_DBG_DEBUG);
    /* an exact one is not modified */
    t.modified = FALSE;
    t.action = MCD_TRIG_ACTION_DBG_GLOBAL;
    cr_assert_eq(trig(0, 2, 0, 0, 0, &t), 0, "%s", st.msg);
    cr_expect_eq(t.modified, FALSE);
    t.addr_range = UINT64_MAX;
    cr_assert_eq(trig(0, 3, 0, 0, 0, &t), 0, "%s", st.msg);
    cr_expect_eq(t.modified, TRUE);
    cr_expect_eq(t.addr_range, UINT64_MAX - RAM);

    cr_expect_eq(trig(0, 9, MCD_TRIG_TYPE_NOCYCLE, RAM, 0, NULL), -1);
    cr_expect_eq(st.code, MCD_ERR_TRIG_CREATE);
    cr_expect_str_eq(st.msg, "trigger type 0x10 is not supported (IP 0x1, "
                             "READ 0x2, WRITE 0x4 or RW 0x8)");
    cr_expect_eq(
        trig(0, 9, MCD_TRIG_TYPE_IP | MCD_TRIG_TYPE_READ, RAM, 0, NULL), -1);
    t.addr_start.mem_space_id = 3;
    cr_expect_eq(trig(0, 9, 0, 0, 0, &t), -1);
    cr_expect_eq(st.code, MCD_ERR_TRIG_CREATE);
    cr_expect_eq(trig(0, 1, MCD_TRIG_TYPE_IP, RAM, 0, NULL), -1);
    cr_expect_str_eq(st.msg, "trig_id 1 already exists on hart0");
    cr_expect_eq(trig(5, 1, MCD_TRIG_TYPE_IP, RAM, 0, NULL), -1);
    cr_expect_eq(st.code, MCD_ERR_PARAM);
    for (i = 10; i < 10 + 29; i++) {
        cr_assert_eq(trig(0, i, MCD_TRIG_TYPE_IP, RAM + 4 * i, 0, NULL), 0,
                     "%s", st.msg);
    }
    cr_expect_eq(trig(0, 99, MCD_TRIG_TYPE_IP, RAM, 0, NULL), -1);
    cr_expect_str_eq(st.msg, "hart0 already has 32 triggers (trig_number)");
    cr_expect_eq(trig(1, 99, MCD_TRIG_TYPE_IP, RAM, 0, NULL), 0,
                 "triggers are per hart");
}

Test(vp, range_breakpoint_and_global_action, .timeout = 30, .fini = teardown)
{
    mcd_trig_complex_core_st t;
    mcd_core_state_st s;
    uint64_t bp_here;
    int i;

    boot("test_prog.elf", 4);
    bp_here = sym("bp_here");
    /* any pc in [bp_here + 4, bp_here + 12], stopping every global hart */
    memset(&t, 0, sizeof(t));
    t.struct_size = sizeof(t);
    t.type = MCD_TRIG_TYPE_IP;
    t.action = MCD_TRIG_ACTION_DBG_GLOBAL;
    t.addr_start.address = bp_here + 4;
    t.addr_start.mem_space_id = 1;
    t.addr_range = 8;
    cr_assert_eq(trig(0, 11, 0, 0, 0, &t), 0, "%s", st.msg);
    run(0, true);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_PC), bp_here + 4);
    cr_expect_eq(s.trig_id, 11);
    for (i = 1; i < 4; i++) {
        wait_debug(i, &s);
        cr_expect_str_eq(s.stop_str, "stopped by trigger 11 of hart0");
        cr_expect_eq(s.trig_id, 0);
    }
    cr_assert_eq(OPS->trig_remove(OPQ, 0, 11, &st), 0);
    /* a range too large to expand: the hart steps and compares */
    cr_assert_eq(OPS->reset(OPQ, 1, 0x2, true, &st), 0);
    cr_assert_eq(trig(1, 12, MCD_TRIG_TYPE_IP, bp_here, 1 << 20, NULL), 0);
    run(1, false);
    wait_debug(1, &s);
    cr_expect_eq(reg(1, REG_PC), sym("main"), "first pc in range");
    cr_expect_eq(s.trig_id, 12);
}

Test(vp, ebreak_and_traps_halt, .timeout = 30, .fini = teardown)
{
    static const uint32_t prog[] = { ADDI(1, 0, 5), EBREAK };
    uint32_t zero = 0, ecall = ECALL, ebreak = EBREAK;
    mcd_core_state_st s;

    boot(NULL, 1);
    mem_write(RAM, prog, sizeof(prog));
    run(0, false);
    wait_debug(0, &s);
    cr_expect_str_eq(s.stop_str, "ebreak at 0x80000004");
    cr_expect_eq(reg(0, 1), 5);
    cr_expect_eq(reg(0, REG_PC), RAM + 4);
    /* ebreak halts again until the debugger moves pc */
    run(0, false);
    wait_debug(0, &s);
    cr_expect_eq(reg(0, REG_PC), RAM + 4);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MINSTRET)), 1);
    /* an illegal instruction: halted in the handler */
    mem_write(RAM + 0x100, &zero, 4);
    mem_write(RAM + 0x200, &ebreak, 4);
    set_reg(0, REG_CSR(RV64_CSR_MTVEC), RAM + 0x200);
    set_reg(0, REG_PC, RAM + 0x100);
    run(0, false);
    wait_debug(0, &s);
    cr_expect_str_eq(s.stop_str, "trap: illegal instruction at 0x80000100 "
                                 "(mcause 2, mtval 0x0)");
    cr_expect_eq(reg(0, REG_PC), RAM + 0x200);
    /* ecall goes to the guest's handler without halting */
    mem_write(RAM + 0x300, &ecall, 4);
    set_reg(0, REG_PC, RAM + 0x300);
    run(0, false);
    wait_debug(0, &s);
    cr_expect_str_eq(s.stop_str, "ebreak at 0x80000200");
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MCAUSE)), 11);
    cr_expect_eq(reg(0, REG_CSR(RV64_CSR_MEPC)), RAM + 0x300);
}

Test(vp, wfi_idles_a_parked_hart, .timeout = 30, .fini = teardown)
{
    mcd_core_state_st s;
    uint64_t n;
    int i;

    /* test_prog runs 4 harts; harts 4 and 5 park in wfi */
    boot("test_prog.elf", 6);
    run(5, false);
    for (i = 0; i < 5000; i++) {
        s = state(5);
        if (strstr(s.info_str, "waiting in wfi")) {
            break;
        }
        msleep(1);
    }
    cr_expect_eq(s.state, MCD_CORE_STATE_RUNNING);
    cr_expect_not_null(strstr(s.info_str, "waiting in wfi"), "%s", s.info_str);
    stop(5, false);
    n = reg(5, REG_CSR(RV64_CSR_MINSTRET));
    cr_expect_lt(n, 100, "an idle hart does not spin: %" PRIu64, n);
    cr_expect_eq(reg(5, REG_PC), sym("park") + 4);
    /* stepping executes through wfi */
    step(5, false, 10);
    cr_expect_eq(reg(5, REG_CSR(RV64_CSR_MINSTRET)), n + 10);
}

/* ---- UART and channel ---- */

Test(vp, uart_output_through_the_channel, .timeout = 60, .fini = teardown)
{
    static char got[65536];
    mcd_chl_st chl;
    uint32_t len, total = 0;
    char cmd[1024];
    int i;

    boot("demo.elf", 4);
    memset(&chl, 0, sizeof(chl));
    chl.type = MCD_CHL_TYPE_APPLI;
    chl.attributes = MCD_CHL_AT_RCV | MCD_CHL_AT_SND | MCD_CHL_AT_MEM_MAPPED;
    chl.max_msg_len = 1 << 20;
    cr_assert_eq(OPS->chl_open(OPQ, UINT32_MAX, &chl, &st), 0, "%s", st.msg);
    cr_expect_eq(chl.chl_id, 1);
    cr_expect_eq(chl.attributes, MCD_CHL_AT_RCV | MCD_CHL_AT_SND);
    cr_expect_eq(chl.max_msg_len, 4096);
    cr_expect_eq(OPS->chl_open(OPQ, 0, &chl, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_CHL_SETUP);
    run(0, true);
    for (i = 0; i < 1000 && !strstr(got, "hello from hart 3"); i++) {
        len = (uint32_t)(sizeof(got) - 1 - total);
        cr_assert_eq(
            OPS->chl_receive(OPQ, 1, 10, (uint8_t *)got + total, &len, &st), 0,
            "%s", st.msg);
        total += len;
        got[total] = '\0';
    }
    stop(0, true);
    cr_expect_not_null(strstr(got, "hello from hart 0: "), "%s", got);
    cr_expect_not_null(strstr(got, "hello from hart 3"), "%s", got);
    cr_assert_eq(OPS->execute_command(OPQ, 0, "uart", cmd, sizeof(cmd), &st), 0,
                 "%s", st.msg);
    cr_expect_not_null(strstr(cmd, "guest transmitted"), "%s", cmd);
    /* nothing more to receive: times out with 0 bytes */
    cr_assert_eq(OPS->chl_reset(OPQ, 1, &st), 0);
    len = 16;
    cr_assert_eq(OPS->chl_receive(OPQ, 1, 20, (uint8_t *)got, &len, &st), 0);
    cr_expect_eq(len, 0);
    cr_assert_eq(OPS->chl_close(OPQ, 1, &st), 0);
    cr_expect_eq(OPS->chl_send(OPQ, 1, (const uint8_t *)"x", 1, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_CHL_MESSAGE_FAILED);
    cr_expect_eq(OPS->chl_close(OPQ, 9, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_CHL_SETUP);
    cr_expect_str_eq(st.msg, "no channel with chl_id 9 (the UART channel is "
                             "1)");
    chl.type = MCD_CHL_TYPE_COMMON;
    cr_expect_eq(OPS->chl_open(OPQ, UINT32_MAX, &chl, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_CHL_TYPE_NOT_SUPPORTED);
}

Test(vp, channel_send_reaches_the_guest, .timeout = 30, .fini = teardown)
{
    /* copy every received byte to RAM + 0x1004, then ebreak */
    static const uint32_t prog[] = {
        LUI(5, 0x10000), /* 00: t0 = UART */
        AUIPC(6, 1),     /* 04: t1 = 0x80001004 */
        LBU(7, 5, 5),    /* 08: t2 = LSR */
        ANDI(7, 7, 1),   /* 0c: data ready? */
        BEQ(7, 0, 0x14), /* 10: no: done */
        LBU(28, 0, 5),   /* 14: t3 = received byte */
        SB(28, 0, 6),    /* 18: store it */
        ADDI(6, 6, 1),   /* 1c */
        JAL(0, -0x18),   /* 20: loop */
        EBREAK,          /* 24: done */
    };
    mcd_chl_st chl;
    mcd_core_state_st s;
    uint8_t b[8];
    uint32_t len, ok;

    boot(NULL, 1);
    cr_assert_eq(tx(0, 1, UART + 5, MCD_TX_AT_R, b, 1, 1, 0, &ok), 0);
    cr_expect_eq(b[0], 0x60, "transmitter empty, no data");
    memset(&chl, 0, sizeof(chl));
    chl.type = MCD_CHL_TYPE_APPLI;
    chl.attributes = MCD_CHL_AT_SND;
    cr_assert_eq(OPS->chl_open(OPQ, 0, &chl, &st), 0, "%s", st.msg);
    cr_assert_eq(OPS->chl_send(OPQ, chl.chl_id, (const uint8_t *)"hi!", 3, &st),
                 0, "%s", st.msg);
    cr_assert_eq(tx(0, 1, UART + 5, MCD_TX_AT_R, b, 1, 1, 0, &ok), 0);
    cr_expect_eq(b[0], 0x61, "data ready");
    /* a debugger read does not consume, unless asked for side effects */
    cr_assert_eq(tx(0, 1, UART, MCD_TX_AT_R, b, 1, 1, 0, &ok), 0);
    cr_expect_eq(b[0], 'h');
    cr_assert_eq(tx(0, 1, UART, MCD_TX_AT_R, b, 1, 1, 0, &ok), 0);
    cr_expect_eq(b[0], 'h');

    mem_write(RAM, prog, sizeof(prog));
    run(0, false);
    wait_debug(0, &s);
    cr_expect_str_eq(s.stop_str, "ebreak at 0x80000024");
    mem_read(RAM + 0x1004, b, 4);
    cr_expect_arr_eq(b, "hi!\0", 4);
    cr_assert_eq(tx(0, 1, UART + 5, MCD_TX_AT_R, b, 1, 1, 0, &ok), 0);
    cr_expect_eq(b[0], 0x60);
    /* side effects: the debugger takes the byte itself */
    cr_assert_eq(OPS->chl_send(OPQ, 1, (const uint8_t *)"Z", 1, &st), 0);
    cr_assert_eq(
        tx(0, 1, UART, MCD_TX_AT_R, b, 1, 1, MCD_TX_OPT_SIDE_EFFECTS, &ok), 0);
    cr_expect_eq(b[0], 'Z');
    cr_assert_eq(tx(0, 1, UART + 5, MCD_TX_AT_R, b, 1, 1, 0, &ok), 0);
    cr_expect_eq(b[0], 0x60);
    /* a debugger write transmits */
    b[0] = 'o';
    cr_assert_eq(tx(0, 1, UART, MCD_TX_AT_W, b, 1, 1, 0, &ok), 0);
    b[0] = 0;
    len = sizeof(b);
    cr_assert_eq(OPS->chl_receive(OPQ, 1, 100, b, &len, &st), 0);
    cr_expect_eq(len, 1);
    cr_expect_eq(b[0], 'o');
    cr_expect_eq(OPS->chl_send(OPQ, 1, b, 4097, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_CHL_MESSAGE_FAILED);
}

/* ---- trace ---- */

static mcd_trace_state_st trace_set(uint32_t core, uint32_t state,
                                    uint32_t mode, uint64_t size)
{
    mcd_trace_state_st t;

    memset(&t, 0, sizeof(t));
    t.state = state;
    t.mode = mode;
    t.size = size;
    cr_assert_eq(OPS->set_trace_state(OPQ, core, 1, &t, &st), 0, "%s", st.msg);
    return t;
}

static mcd_trace_state_st trace_get(uint32_t core)
{
    mcd_trace_state_st t;

    cr_assert_eq(OPS->trace_state(OPQ, core, 1, &t, &st), 0, "%s", st.msg);
    return t;
}

static uint32_t trace_read(uint32_t core, uint64_t start, uint32_t num,
                           mcd_trace_data_core_st *f)
{
    cr_assert_eq(OPS->read_trace(OPQ, core, 1, start, &num, sizeof(*f), f, &st),
                 0, "%s", st.msg);
    return num;
}

/* Sign-extended immediates of JAL and B-type instructions. */
static int64_t imm_j(uint32_t i)
{
    uint32_t v = (i >> 31 & 1) << 20 | (i >> 12 & 0xff) << 12 |
                 (i >> 20 & 1) << 11 | (i >> 21 & 0x3ff) << 1;

    return (int64_t)(v ^ (1u << 20)) - (1 << 20);
}

static int64_t imm_b(uint32_t i)
{
    uint32_t v = (i >> 31 & 1) << 12 | (i >> 7 & 1) << 11 |
                 (i >> 25 & 0x3f) << 5 | (i >> 8 & 0xf) << 1;

    return (int64_t)(v ^ (1u << 12)) - (1 << 12);
}

/* Frame b may follow frame a in program order. */
static bool follows(const mcd_trace_data_core_st *a,
                    const mcd_trace_data_core_st *b)
{
    uint32_t insn = (uint32_t)a->data;
    uint64_t pc = a->addr.address, next = b->addr.address;

    switch (insn & 0x7f) {
    case 0x6f:
        return next == pc + (uint64_t)imm_j(insn);
    case 0x63:
        return next == pc + 4 || next == pc + (uint64_t)imm_b(insn);
    case 0x67:
        return true; /* jalr: any target */
    default:
        return next == pc + 4;
    }
}

Test(vp, trace_records_the_execution, .timeout = 60, .fini = teardown)
{
    static mcd_trace_data_core_st f[2000];
    mcd_trace_state_st t;
    uint64_t pc0;
    uint32_t n, i, word;

    boot("test_prog.elf", 4);
    t = trace_set(0, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_FIFO, 0);
    cr_expect_eq(t.state, MCD_TRACE_STATE_ARM);
    cr_expect_eq(t.size, 65536);
    cr_expect_eq(t.modified, FALSE);
    cr_expect_eq(t.timestamp_is_time, TRUE);
    pc0 = reg(0, REG_PC);
    step(0, false, 1000);
    t = trace_get(0);
    cr_expect_eq(t.frames, 1000);
    cr_expect_eq(t.count, 1000);
    cr_expect_eq(t.wraparound, FALSE);
    n = 0;
    cr_assert_eq(OPS->read_trace(OPQ, 0, 1, 0, &n, sizeof(f[0]), NULL, &st), 0,
                 "%s", st.msg);
    cr_expect_eq(n, 1000, "*num 0 asks for the count");
    cr_assert_eq(trace_read(0, 0, 2000, f), 1000);
    cr_expect_eq(f[0].addr.address, pc0);
    cr_expect(f[0].marker & MCD_TRACE_MARKER_RUN);
    for (i = 0; i < 1000; i++) {
        cr_assert_eq(f[i].timestamp, i * PS, "frame %u", i);
        cr_assert_eq(f[i].cycle, MCD_TRACE_CYCLE_EXECUTE);
        cr_assert_eq(f[i].addr.mem_space_id, 1);
        cr_assert_eq(f[i].data_width, 4);
        cr_assert_eq(f[i].source, 0);
        if (i > 0) {
            cr_assert(follows(&f[i - 1], &f[i]),
                      "frame %u: pc 0x%" PRIx64 " after 0x%" PRIx64, i,
                      f[i].addr.address, f[i - 1].addr.address);
        }
        if (i % 97 == 0) {
            mem_read(f[i].addr.address, &word, 4);
            cr_assert_eq(f[i].data, word, "frame %u", i);
        }
    }
    cr_expect(follows(
        &f[999], &(mcd_trace_data_core_st){ .addr.address = reg(0, REG_PC) }));
    /* a running hart traces too */
    cr_assert_eq(OPS->run_until(OPQ, 0, false, false, 500 * PS, &st), 0);
    wait_debug(0, NULL);
    cr_expect_eq(trace_get(0).frames, 1500);
    cr_assert_eq(trace_read(0, 1000, 10, f), 10);
    cr_expect_eq(f[0].timestamp, 1000 * PS);
    cr_expect(f[0].marker & MCD_TRACE_MARKER_RUN);
    /* OFF keeps the frames and records nothing more; INIT clears */
    t = trace_set(0, MCD_TRACE_STATE_OFF, MCD_TRACE_MODE_NOCHANGE, 0);
    step(0, false, 100);
    t = trace_get(0);
    cr_expect_eq(t.state, MCD_TRACE_STATE_OFF);
    cr_expect_eq(t.frames, 1500);
    t = trace_set(0, MCD_TRACE_STATE_INIT, MCD_TRACE_MODE_NOCHANGE, 0);
    cr_expect_eq(t.state, MCD_TRACE_STATE_OFF);
    cr_expect_eq(t.frames, 0);
    cr_expect_eq(t.count, 0);
    cr_expect_eq(trace_get(1).frames, 0, "hart1 has its own trace");
}

Test(vp, trace_fifo_wraps_and_pipe_counts_loss, .timeout = 60, .fini = teardown)
{
    mcd_trace_data_core_st f[32];
    mcd_trace_state_st t;
    uint32_t n, i;

    boot("test_prog.elf", 2);
    trace_set(0, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_FIFO, 16);
    step(0, false, 100);
    t = trace_get(0);
    cr_expect_eq(t.frames, 16);
    cr_expect_eq(t.count, 100);
    cr_expect_eq(t.wraparound, TRUE);
    cr_assert_eq(trace_read(0, 0, 32, f), 16);
    for (i = 0; i < 16; i++) {
        cr_expect_eq(f[i].timestamp, (84 + i) * PS, "FIFO keeps the newest");
    }
    /* reading a FIFO does not consume */
    cr_expect_eq(trace_read(0, 4, 32, f), 12);
    cr_expect_eq(trace_get(0).frames, 16);

    /* PIPE keeps the oldest and counts every lost frame */
    trace_set(0, MCD_TRACE_STATE_INIT, MCD_TRACE_MODE_PIPE, 16);
    t = trace_set(0, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_NOCHANGE, 0);
    cr_expect_eq(t.mode, MCD_TRACE_MODE_PIPE);
    cr_expect_eq(t.frames, 0);
    step(0, false, 100);
    t = trace_get(0);
    cr_expect_eq(t.frames, 16);
    cr_expect_eq(t.count, 100);
    cr_expect_eq(t.wraparound, TRUE);
    cr_expect_not_null(strstr(t.info_str, "84 lost"), "%s", t.info_str);
    cr_assert_eq(trace_read(0, 0, 10, f), 10);
    for (i = 0; i < 10; i++) {
        cr_expect_eq(f[i].timestamp, (100 + i) * PS, "PIPE keeps the oldest");
    }
    cr_expect_eq(trace_get(0).frames, 6, "reading consumed 10");
    step(0, false, 5);
    t = trace_get(0);
    cr_expect_eq(t.frames, 11);
    cr_expect_eq(t.count, 105);
    cr_assert_eq(trace_read(0, 0, 32, f), 11);
    for (i = 0; i < 6; i++) {
        cr_expect_eq(f[i].timestamp, (110 + i) * PS);
        cr_expect_eq(f[i].marker & MCD_TRACE_MARKER_GAP, 0);
    }
    cr_expect_eq(f[6].timestamp, 200 * PS, "frames 116..199 were lost");
    cr_expect(f[6].marker & MCD_TRACE_MARKER_GAP, "the loss is marked");
    cr_expect_eq(f[7].marker & MCD_TRACE_MARKER_GAP, 0);
    cr_expect_eq(trace_get(0).frames, 0);

    /* errors and approximations */
    n = 1;
    cr_expect_eq(OPS->read_trace(OPQ, 0, 1, 0, &n, 48, f, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_PARAM);
    cr_expect_eq(OPS->read_trace(OPQ, 0, 2, 0, &n, sizeof(f[0]), f, &st), -1);
    cr_expect_str_eq(st.msg, "no trace with trace_id 2 on hart0 (its trace "
                             "is 1)");
    cr_expect_eq(OPS->read_trace(OPQ, 0, 1, 5, &n, sizeof(f[0]), f, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_PARAM);
    memset(&t, 0, sizeof(t));
    t.state = 0x42;
    cr_expect_eq(OPS->set_trace_state(OPQ, 0, 1, &t, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_PARAM);
    t.state = MCD_TRACE_STATE_NOCHANGE;
    t.mode = MCD_TRACE_MODE_STACK;
    cr_assert_eq(OPS->set_trace_state(OPQ, 0, 1, &t, &st), 0);
    cr_expect_eq(t.modified, TRUE);
    cr_expect_eq(t.mode, MCD_TRACE_MODE_PIPE);
}

/* ---- commands ---- */

Test(vp, execute_command, .timeout = 30, .fini = teardown)
{
    char r[4096];
    size_t need;

    boot("test_prog.elf", 4);
    cr_assert_eq(OPS->execute_command(OPQ, 0, "help", r, sizeof(r), &st), 0,
                 "%s", st.msg);
    cr_expect_not_null(strstr(r, "info"));
    cr_expect_not_null(strstr(r, "uart"));
    cr_expect_not_null(strstr(r, "harts"));
    need = strlen(r) + 1;
    cr_expect_eq(
        OPS->execute_command(OPQ, 0, "help", r, (uint32_t)need - 1, &st), -1);
    cr_expect_eq(st.code, MCD_ERR_RESULT_TOO_LONG);
    snprintf(r, sizeof(r),
             "the result of 'help' needs %zu bytes, "
             "result_size is %zu",
             need, need - 1);
    cr_expect_str_eq(st.msg, r);
    cr_expect_eq(OPS->execute_command(OPQ, 0, " help ", r, (uint32_t)need, &st),
                 0, "an exact fit is fine");

    cr_assert_eq(OPS->execute_command(OPQ, 1, "info", r, sizeof(r), &st), 0);
    cr_expect_not_null(strstr(r, "rv64im-4hart: 4 harts"), "%s", r);
    cr_expect_not_null(strstr(r, "10000 ps per instruction"), "%s", r);
    cr_expect_not_null(strstr(r, "ram  0x80000000..0x87ffffff"), "%s", r);
    cr_expect_not_null(strstr(r, "test_prog.elf (entry 0x80000000)"), "%s", r);
    step(2, false, 3);
    run(3, false);
    cr_assert_eq(OPS->execute_command(OPQ, 0, "harts", r, sizeof(r), &st), 0);
    cr_expect_not_null(strstr(r, "hart2: debug (step), pc 0x8000000c, 3 "
                                 "instructions\n"),
                       "%s", r);
    cr_expect_not_null(strstr(r, "hart3: running"), "%s", r);
    stop(3, false);
    cr_expect_eq(
        OPS->execute_command(OPQ, 0, "frobnicate now", r, sizeof(r), &st), -1);
    cr_expect_eq(st.code, MCD_ERR_PARAM);
    cr_expect_str_eq(st.msg, "unknown command 'frobnicate now' (try 'help')");
}

/* ---- threads: hammer run control while harts run ---- */

Test(vp, run_control_under_load, .timeout = 120, .fini = teardown)
{
    mcd_trace_state_st t;
    uint64_t bp_here;
    uint32_t i, c;

    boot("test_prog.elf", 4);
    bp_here = sym("bp_here");
    for (i = 0; i < 200; i++) {
        c = i % 4;
        run(c, i % 3 == 0);
        cr_assert_eq(
            trig(c, 100 + i, MCD_TRIG_TYPE_IP, bp_here + 0x100000, 0, NULL), 0,
            "%s", st.msg);
        if (i % 5 == 0) {
            trace_set(c, i % 2 ? MCD_TRACE_STATE_ARM : MCD_TRACE_STATE_OFF,
                      MCD_TRACE_MODE_FIFO, 64);
        }
        cr_assert_eq(OPS->trig_remove(OPQ, c, 100 + i, &st), 0, "%s", st.msg);
        if (i % 7 == 0) {
            stop(c, true);
            step(c, false, 3);
        }
    }
    stop(0, true);
    for (i = 0; i < 4; i++) {
        t = trace_get(i);
        cr_expect_leq(t.frames, 64);
        cr_expect_eq(state(i).state, MCD_CORE_STATE_DEBUG, "hart%u", i);
    }
}
