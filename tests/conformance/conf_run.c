/*
 * conf_run.c - conformance of execution control, reset and commands:
 * stepping exactly n instructions (compared with n single steps and with
 * the instruction counter), global run and stop over every core, run and
 * stop of one core, mcd_set_global_f, mcd_run_until_f, the target time,
 * the reset classes (a system reset puts every core back at the reset pc,
 * a core reset only its own) and mcd_execute_command_f.
 *
 * "The program advanced" is measured on the test program itself: each of
 * its first CONF_PROG_HARTS harts increments its counter[] entry every
 * loop.  Each test starts from the system reset where the program state
 * matters, runs in its own process with its own session (conf.h), and
 * leaves every core halted.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"

/* The program's loop counter of hart @h. */
static uint64_t counter(uint32_t h)
{
    return conf_read_u64(0, conf_sym(CONF_SYM_COUNTER) + 8 * h);
}

static uint32_t prog_harts(void)
{
    return conf.ncores < CONF_PROG_HARTS ? conf.ncores : CONF_PROG_HARTS;
}

static void expect_state(uint32_t i, bool running, const char *when)
{
    mcd_core_state_st st = conf_state(i);

    cr_assert(running ? st.state == MCD_CORE_STATE_RUNNING
                      : conf_is_halted(st.state),
              "%s: core \"%s\" is %s, expected %s", when, CCORE(i)->info.core,
              conf_state_name(st.state), running ? "RUNNING" : "halted");
}

/* ------------------------------------------------------------------------
 * Stepping
 */

static void step(uint32_t i, uint32_t n)
{
    CHECK_MCD(CORE(i),
              conf.api.step(CORE(i), FALSE, MCD_CORE_STEP_TYPE_INSTR, n));
    /* mcd_step_f blocks until the steps are done. */
    expect_state(i, false, "after mcd_step_f returned");
}

/* One instruction from the reset pc moves the pc as the program says. */
Test(run, step_one_moves_pc, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint64_t pc0, pc1;
    uint8_t b[4];
    uint32_t insn;

    conf_reset_system();
    pc0 = conf_pc(0);
    cr_assert(pc0 == conf_reset_pc(), "after the system reset pc is 0x%llx",
              (unsigned long long)pc0);
    conf_mem_read(0, conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL), pc0, b, 4);
    insn = (uint32_t)b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
    step(0, 1);
    pc1 = conf_pc(0);
    cr_assert(pc1 != pc0, "one step left pc at 0x%llx",
              (unsigned long long)pc0);
    cr_assert(conf.target->isa->may_jump(insn) ||
                  pc1 == pc0 + conf.target->isa->insn_len(insn),
              "one step of 0x%08x at 0x%llx went to 0x%llx", insn,
              (unsigned long long)pc0, (unsigned long long)pc1);
}

/* @n single steps from reset: the pc after each, into @pcs. */
static void single_steps(uint64_t *pcs, uint32_t n)
{
    uint32_t k;

    conf_reset_system();
    for (k = 0; k < n; k++) {
        step(0, 1);
        pcs[k] = conf_pc(0);
    }
}

static void check_step_n(uint32_t n, const uint64_t *pcs)
{
    const char *instret = conf.target->instret_reg;
    uint64_t before = 0, after, other = 0;
    uint32_t last = conf.ncores - 1;

    conf_reset_system();
    if (instret) {
        before = conf_reg_read(0, instret);
    }
    if (last) {
        other = conf_pc(last);
    }
    step(0, n);
    cr_assert(conf_pc(0) == pcs[n - 1],
              "mcd_step_f(%u) ended at 0x%llx; "
              "%u single steps end at 0x%llx",
              n, (unsigned long long)conf_pc(0), n,
              (unsigned long long)pcs[n - 1]);
    if (instret) {
        after = conf_reg_read(0, instret);
        cr_assert(after - before == n,
                  "mcd_step_f(%u): %s advanced by "
                  "%llu",
                  n, instret, (unsigned long long)(after - before));
    }
    cr_assert(!last || conf_pc(last) == other,
              "stepping core 0 moved core \"%s\"", CCORE(last)->info.core);
}

Test(run, step_exactly_n_instructions, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    static const uint32_t counts[] = { 1, 7, 100 };
    uint64_t pcs[100];
    size_t k;

    conf_require(CAP_STEP_EXACT);
    single_steps(pcs, 100);
    for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        check_step_n(counts[k], pcs);
    }
}

/* ------------------------------------------------------------------------
 * Run and stop
 */

/*
 * Wait up to 5 s for hart @i's counter to pass @before, reading it while
 * the core runs: on a loaded machine a simulator's thread may get no CPU
 * for tens of milliseconds, so a fixed sleep proves nothing.
 */
static void counter_moves(uint32_t i, uint64_t before)
{
    int k;

    for (k = 0; k < 500 && counter(i) <= before; k++) {
        conf_sleep_ms(10);
    }
}

Test(run, global_run_and_stop, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint64_t before[CONF_PROG_HARTS];
    uint32_t i;

    conf_reset_system();
    for (i = 0; i < prog_harts(); i++) {
        before[i] = counter(i);
    }
    CHECK_MCD(CORE(0), conf.api.run(CORE(0), TRUE));
    for (i = 0; i < conf.ncores; i++) {
        conf_wait_running(i);
    }
    conf_sleep_ms(20);
    for (i = 0; i < prog_harts(); i++) {
        counter_moves(i, before[i]);
    }
    CHECK_MCD(CORE(0), conf.api.stop(CORE(0), TRUE));
    for (i = 0; i < conf.ncores; i++) {
        conf_wait_halted(i);
    }
    for (i = 0; i < prog_harts(); i++) {
        cr_assert(counter(i) > before[i],
                  "hart %u's counter did not move "
                  "while running globally",
                  i);
    }
}

Test(run, one_core_runs_alone, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint64_t c0, c1;
    uint32_t i;

    conf_require(CAP_PER_CORE_RUN);
    conf_require_cores(2);
    conf_reset_system();
    c0 = counter(0);
    c1 = counter(1);
    CHECK_MCD(CORE(1), conf.api.run(CORE(1), FALSE));
    conf_wait_running(1);
    conf_sleep_ms(20);
    counter_moves(1, c1);
    for (i = 0; i < conf.ncores; i++) {
        expect_state(i, i == 1, "core 1 running alone");
    }
    CHECK_MCD(CORE(1), conf.api.stop(CORE(1), FALSE));
    conf_wait_halted(1);
    cr_assert(counter(1) > c1, "core 1 ran but its counter did not move");
    cr_assert(counter(0) == c0, "core 0's counter moved while it was halted");
}

Test(run, set_global_excludes_a_core, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    conf_require(CAP_SET_GLOBAL);
    conf_require_cores(2);
    conf_reset_system();
    CHECK_MCD(CORE(1), conf.api.set_global(CORE(1), FALSE));
    CHECK_MCD(CORE(0), conf.api.run(CORE(0), TRUE));
    conf_wait_running(0);
    conf_sleep_ms(20);
    expect_state(1, false, "global run with core 1 excluded");
    CHECK_MCD(CORE(0), conf.api.stop(CORE(0), TRUE));
    conf_wait_halted(0);
    CHECK_MCD(CORE(1), conf.api.set_global(CORE(1), TRUE));
    CHECK_MCD(CORE(0), conf.api.run(CORE(0), TRUE));
    conf_wait_running(1);
    CHECK_MCD(CORE(0), conf.api.stop(CORE(0), TRUE));
    conf_wait_halted(1);
}

/* ------------------------------------------------------------------------
 * Time
 */

static uint64_t now_ps(uint32_t i)
{
    uint64_t t = 0;

    CHECK_MCD(CORE(i), conf.api.qry_current_time(CORE(i), &t));
    return t;
}

Test(run, time_advances_while_running, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint64_t t0, t1 = 0, t2, t3;
    int i;

    conf_require(CAP_TIME);
    conf_reset_system();
    t0 = now_ps(0);
    CHECK_MCD(CORE(0), conf.api.run(CORE(0), TRUE));
    conf_wait_running(0);
    conf_sleep_ms(50);
    for (i = 0; i < 500 && (t1 = now_ps(0)) <= t0; i++) {
        conf_sleep_ms(10); /* a loaded machine: see counter_moves() */
    }
    conf_stop_all();
    t2 = now_ps(0);
    conf_sleep_ms(20);
    t3 = now_ps(0);
    cr_assert(t1 > t0,
              "time did not advance while running: %llu, then "
              "%llu ps",
              (unsigned long long)t0, (unsigned long long)t1);
    cr_assert(t2 >= t1 && t3 >= t2,
              "time went backwards: %llu, %llu, %llu "
              "ps",
              (unsigned long long)t1, (unsigned long long)t2,
              (unsigned long long)t3);
}

/* 1 us of target time from now: the core stops by itself, not before. */
Test(run, run_until_absolute_time, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint64_t t0, until, t1, pc0;
    uint32_t i;

    conf_require(CAP_TIME);
    conf_require(CAP_RUN_UNTIL);
    conf_reset_system();
    t0 = now_ps(0);
    pc0 = conf_pc(0);
    until = t0 + 1000000;
    CHECK_MCD(CORE(0), conf.api.run_until(CORE(0), FALSE, TRUE, until));
    conf_wait_halted(0);
    t1 = now_ps(0);
    cr_assert(t1 >= until, "mcd_run_until_f(%llu ps) stopped at %llu ps",
              (unsigned long long)until, (unsigned long long)t1);
    cr_assert(conf_pc(0) != pc0, "core 0 did not run");
    for (i = 1; i < conf.ncores; i++) {
        expect_state(i, false, "mcd_run_until_f on core 0 alone");
    }
}

/* ------------------------------------------------------------------------
 * Reset
 */

Test(reset, classes_and_info, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint32_t vec = 0, k, unused = 32;
    mcd_rst_info_st info;

    CHECK_MCD(CORE(0), conf.api.qry_rst_classes(CORE(0), &vec));
    cr_assert(vec & 1u << conf.target->rst_system,
              "reset classes 0x%x lack the system class %u", vec,
              conf.target->rst_system);
    cr_assert(!conf_has(CAP_CORE_RESET) || vec & 1u << conf.target->rst_core,
              "reset classes 0x%x lack the core class %u", vec,
              conf.target->rst_core);
    for (k = 0; k < 32; k++) {
        if (!(vec & 1u << k)) {
            unused = unused == 32 ? k : unused;
            continue;
        }
        memset(&info, 0, sizeof(info));
        CHECK_MCD(CORE(0),
                  conf.api.qry_rst_class_info(CORE(0), (uint8_t)k, &info));
        cr_assert(info.class_vector == 1u << k && info.info_str[0],
                  "class %u: class_vector 0x%x, info_str \"%s\"", k,
                  info.class_vector, info.info_str);
    }
    EXPECT_MCD_ERR(CORE(0), conf.api.qry_rst_class_info(CORE(0), 32, &info),
                   MCD_ERR_PARAM);
    if (unused < 32) {
        EXPECT_MCD_ERR(
            CORE(0),
            conf.api.qry_rst_class_info(CORE(0), (uint8_t)unused, &info),
            MCD_ERR_PARAM);
    }
}

Test(reset, system_reset_to_reset_pc, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint64_t want;
    uint32_t i;

    conf_need_elf();
    want = conf_reset_pc();
    CHECK_MCD(CORE(0), conf.api.run(CORE(0), TRUE));
    conf_sleep_ms(20);
    conf_stop_all();
    CHECK_MCD(CORE(0),
              conf.api.rst(CORE(0), 1u << conf.target->rst_system, TRUE));
    for (i = 0; i < conf.ncores; i++) {
        conf_wait_halted(i);
        cr_assert(conf_pc(i) == want,
                  "after the system reset core \"%s\" "
                  "is at 0x%llx, not at 0x%llx",
                  CCORE(i)->info.core, (unsigned long long)conf_pc(i),
                  (unsigned long long)want);
    }
}

Test(reset, core_reset_resets_one_core, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint64_t pc0;

    conf_require(CAP_CORE_RESET);
    conf_require_cores(2);
    conf_reset_system();
    step(0, 5);
    step(1, 5);
    pc0 = conf_pc(0);
    cr_assert(conf_pc(1) != conf_reset_pc(), "5 steps left core 1 at the "
                                             "reset pc");
    CHECK_MCD(CORE(1),
              conf.api.rst(CORE(1), 1u << conf.target->rst_core, TRUE));
    conf_wait_halted(1);
    cr_assert(conf_pc(1) == conf_reset_pc(),
              "after its core reset core 1 "
              "is at 0x%llx",
              (unsigned long long)conf_pc(1));
    cr_assert(conf_pc(0) == pc0,
              "core 1's reset moved core 0 from 0x%llx "
              "to 0x%llx",
              (unsigned long long)pc0, (unsigned long long)conf_pc(0));
}

/* ------------------------------------------------------------------------
 * Commands
 */

Test(cmd, help_prints_something, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    char out[4096], small[9];
    mcd_return_et ret;

    conf_require(CAP_COMMAND);
    memset(out, 0x7f, sizeof(out));
    CHECK_MCD(CORE(0),
              conf.api.execute_command(CORE(0), conf.target->help_command,
                                       sizeof(out), out));
    cr_assert(memchr(out, '\0', sizeof(out)) && out[0],
              "\"%s\" printed nothing (or no NUL in %zu bytes)",
              conf.target->help_command, sizeof(out));
    memset(small, 0x7f, sizeof(small));
    ret = CONF_CALL(
        conf.api.execute_command(CORE(0), conf.target->help_command, 8, small));
    if (ret != MCD_RET_ACT_NONE) {
        conf_expect_err(CORE(0), ret, CONF_ANY_ERROR,
                        "mcd_execute_command_f into 8 bytes", __FILE__,
                        __LINE__);
    }
    cr_assert(small[8] == 0x7f, "mcd_execute_command_f wrote past "
                                "result_string_size 8");
    cr_assert(ret != MCD_RET_ACT_NONE || memchr(small, '\0', 8),
              "a result cut to 8 bytes is not NUL-terminated");
}
