/*
 * conf_trig.c - conformance of the trigger functions against the running
 * test program: a breakpoint on bp_here stops the core there with the
 * trigger's id in mcd_qry_state_f; read, write and read-write
 * watchpoints on watch_target stop it at exactly watch_load_insn or
 * watch_store_insn (or just after, as the profile says); a complex
 * trigger is written back when the target approximates it and read back
 * as written; mcd_qry_trig_f honours max_trig_size; removed triggers are
 * gone (and stop nothing); the trigger set and the trigger states.
 *
 * Tests that run the program start from the system reset, so hart 0's
 * first iteration (bp_here, then the store, then the load) is what they
 * see; they run hart 0 alone (conf_run_to_stop).  Triggers are addressed
 * in the PHYSICAL space: test_prog runs untranslated.  Each test runs in
 * its own process with its own session (conf.h); the fixture removes
 * every trigger before and the session's end after.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static mcd_addr_st trig_addr(uint64_t address)
{
    mcd_addr_st a;

    memset(&a, 0, sizeof(a));
    a.address = address;
    a.mem_space_id = conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL);
    return a;
}

static mcd_trig_simple_core_st simple_trig(mcd_trig_type_et type,
                                           uint64_t address, uint64_t range)
{
    mcd_trig_simple_core_st t;

    memset(&t, 0, sizeof(t));
    t.struct_size = sizeof(t);
    t.type = type;
    t.action = MCD_TRIG_ACTION_DBG_DEBUG;
    t.addr_start = trig_addr(address);
    t.addr_range = range;
    return t;
}

/* Create a simple trigger on core 0; its id must be addressable. */
static uint32_t create_simple(mcd_trig_type_et type, uint64_t address,
                              uint64_t range)
{
    mcd_trig_simple_core_st t = simple_trig(type, address, range);
    uint32_t id = 0;

    CHECK_MCD(CORE(0), conf.api.create_trig(CORE(0), &t, &id));
    cr_assert(id != 0,
              "mcd_create_trig_f gave trig_id 0 (not "
              "addressable) for a simple trigger at 0x%llx",
              (unsigned long long)address);
    return id;
}

/* Core 0 stopped in DEBUG state by trigger @id at @pc. */
static void expect_stop(const mcd_core_state_st *st, uint32_t id, uint64_t pc,
                        const char *where)
{
    uint64_t now = conf_pc(0);

    cr_assert(st->state == MCD_CORE_STATE_DEBUG,
              "core 0 stopped in %s, not MCD_CORE_STATE_DEBUG (\"%s\")",
              conf_state_name(st->state), st->stop_str);
    cr_assert(st->trig_id == id,
              "core 0 stopped with trig_id %u; the trigger is %u (\"%s\")",
              st->trig_id, id, st->stop_str);
    cr_assert(now == pc, "core 0 stopped at pc 0x%llx, expected %s 0x%llx",
              (unsigned long long)now, where, (unsigned long long)pc);
}

/* ------------------------------------------------------------------------
 * Capabilities and breakpoints
 */

static mcd_return_et fetch_ctrigs(void *ctx, uint32_t start, uint32_t *num,
                                  void *out)
{
    (void)ctx;
    return conf.api.qry_ctrigs(CORE(0), start, num, out);
}

Test(trig, trig_info_and_ctrigs, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    const mcd_trig_type_et watch =
        MCD_TRIG_TYPE_READ | MCD_TRIG_TYPE_WRITE | MCD_TRIG_TYPE_RW;
    struct conf_list l = {
        .what = "mcd_qry_ctrigs_f",
        .core = CORE(0),
        .fetch = fetch_ctrigs,
        .size = sizeof(mcd_ctrig_info_st),
    };
    mcd_ctrig_info_st *c;
    mcd_trig_info_st ti;
    uint32_t k, n;

    memset(&ti, 0, sizeof(ti));
    CHECK_MCD(CORE(0), conf.api.qry_trig_info(CORE(0), &ti));
    cr_assert(ti.type & MCD_TRIG_TYPE_IP, "trig_info.type 0x%x lacks IP",
              ti.type);
    cr_assert(!conf_has(CAP_WATCH) || (ti.type & watch) == watch,
              "trig_info.type 0x%x lacks READ, WRITE or RW", ti.type);
    cr_assert(ti.action & MCD_TRIG_ACTION_DBG_DEBUG,
              "trig_info.action 0x%x lacks DBG_DEBUG", ti.action);
    c = conf_check_list(&l, &n);
    for (k = 0; k < n; k++) {
        cr_assert(c[k].ctrig_id != 0, "custom trigger %u has id 0", k);
    }
    free(c);
}

Test(trig, breakpoint_stops_at_bp_here, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_trig_set_state_st ss;
    mcd_trig_state_st ts;
    mcd_core_state_st st;
    uint64_t bp;
    uint32_t id;

    conf_reset_system();
    bp = conf_sym(CONF_SYM_BP_HERE);
    id = create_simple(MCD_TRIG_TYPE_IP, bp, 0);
    st = conf_run_to_stop(0);
    expect_stop(&st, id, bp, CONF_SYM_BP_HERE);
    CHECK_MCD(CORE(0), conf.api.qry_trig_set_state(CORE(0), &ss));
    memset(&ts, 0, sizeof(ts));
    CHECK_MCD(CORE(0), conf.api.qry_trig_state(CORE(0), id, &ts));
    cr_assert(!ts.captured_valid || ts.captured,
              "the breakpoint stopped the core but is not captured");
}

/* ------------------------------------------------------------------------
 * Watchpoints
 */

/* Where a watchpoint on the access at symbol @insn leaves the pc. */
static uint64_t watch_pc(const char *insn)
{
    uint64_t at = conf_sym(insn);
    uint8_t b[4];

    if (conf.target->watch_pc == CONF_WATCH_AT_INSN) {
        return at;
    }
    conf_mem_read(0, conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL), at, b, 4);
    return at + conf.target->isa->insn_len((uint64_t)b[0] | b[1] << 8 |
                                           b[2] << 16 | (uint64_t)b[3] << 24);
}

/* From reset, a watchpoint of @type must stop hart 0 at @insn. */
static uint32_t watch_first_stop(mcd_trig_type_et type, uint64_t address,
                                 uint64_t range, const char *insn)
{
    mcd_core_state_st st;
    uint32_t id;

    conf_require(CAP_WATCH);
    conf_reset_system();
    id = create_simple(type, address, range);
    st = conf_run_to_stop(0);
    expect_stop(&st, id, watch_pc(insn), insn);
    return id;
}

Test(trig, watch_write_stops_at_store, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    conf_need_elf();
    watch_first_stop(MCD_TRIG_TYPE_WRITE, conf_sym(CONF_SYM_WATCH_TARGET), 0,
                     CONF_SYM_WATCH_STORE);
}

Test(trig, watch_read_stops_at_load, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    conf_need_elf();
    watch_first_stop(MCD_TRIG_TYPE_READ, conf_sym(CONF_SYM_WATCH_TARGET), 0,
                     CONF_SYM_WATCH_LOAD);
}

/* Read-write: the store first, and after resuming, the load. */
Test(trig, watch_rw_stops_at_store_then_load, .init = conf_open,
     .fini = conf_close, .timeout = CONF_TIMEOUT)
{
    mcd_core_state_st st;
    uint32_t id;

    conf_need_elf();
    id = watch_first_stop(MCD_TRIG_TYPE_RW, conf_sym(CONF_SYM_WATCH_TARGET), 0,
                          CONF_SYM_WATCH_STORE);
    st = conf_run_to_stop(0);
    expect_stop(&st, id, watch_pc(CONF_SYM_WATCH_LOAD), CONF_SYM_WATCH_LOAD);
}

/* A range that starts before watch_target and covers its first half. */
Test(trig, watch_range_covers_the_access, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    conf_require(CAP_WATCH_RANGE);
    conf_need_elf();
    watch_first_stop(MCD_TRIG_TYPE_WRITE, conf_sym(CONF_SYM_WATCH_TARGET) - 4,
                     7, CONF_SYM_WATCH_STORE);
}

/* ------------------------------------------------------------------------
 * Complex triggers, reading triggers back
 */

static bool complex_same(const mcd_trig_complex_core_st *a,
                         const mcd_trig_complex_core_st *b)
{
    return a->type == b->type && a->option == b->option &&
           a->action == b->action && a->action_param == b->action_param &&
           a->state_mask == b->state_mask &&
           a->addr_start.address == b->addr_start.address &&
           a->addr_start.mem_space_id == b->addr_start.mem_space_id &&
           a->addr_range == b->addr_range && a->data_start == b->data_start &&
           a->data_range == b->data_range && a->data_mask == b->data_mask &&
           a->data_size == b->data_size && a->hw_thread_id == b->hw_thread_id &&
           a->sw_thread_id == b->sw_thread_id &&
           a->core_mode_mask == b->core_mode_mask;
}

/* A data-conditional write watchpoint: exact, or approximated and said. */
static mcd_trig_complex_core_st complex_trig(void)
{
    mcd_trig_complex_core_st t;

    memset(&t, 0, sizeof(t));
    t.struct_size = sizeof(t);
    t.type = MCD_TRIG_TYPE_WRITE;
    t.option = MCD_TRIG_OPT_DATA_IS_CONDITION;
    t.action = MCD_TRIG_ACTION_DBG_DEBUG;
    t.addr_start = trig_addr(conf_sym(CONF_SYM_WATCH_TARGET));
    t.data_start = 0x1234;
    t.data_size = 8;
    return t;
}

Test(trig, complex_written_back_and_read_back, .init = conf_open,
     .fini = conf_close, .timeout = CONF_TIMEOUT)
{
    mcd_trig_complex_core_st req, t, back;
    uint32_t id = 0;

    conf_require(CAP_COMPLEX_TRIG);
    req = t = complex_trig();
    CHECK_MCD(CORE(0), conf.api.create_trig(CORE(0), &t, &id));
    cr_assert(id != 0 && t.struct_size == sizeof(t),
              "complex trigger: id %u, struct_size %u after creation", id,
              t.struct_size);
    cr_assert(t.modified == TRUE || t.modified == FALSE,
              "modified is %u, not a boolean", t.modified);
    cr_assert(t.modified || complex_same(&t, &req),
              "the target changed the trigger without setting modified");
    if (t.modified) {
        cr_log_info("the target approximated the complex trigger: option "
                    "0x%x -> 0x%x, data_mask 0x%llx",
                    req.option, t.option, (unsigned long long)t.data_mask);
    }
    memset(&back, 0x5a, sizeof(back));
    CHECK_MCD(CORE(0), conf.api.qry_trig(CORE(0), id, sizeof(back), &back));
    cr_assert(back.struct_size == sizeof(back) && complex_same(&back, &t),
              "mcd_qry_trig_f returns another trigger than the one created "
              "(as written back)");
}

Test(trig, trigger_bus_created_or_refused, .init = conf_open,
     .fini = conf_close, .timeout = CONF_TIMEOUT)
{
    mcd_trig_trig_bus_st t;
    mcd_return_et ret;
    uint32_t id = 0;

    memset(&t, 0, sizeof(t));
    t.struct_size = sizeof(t);
    t.type = MCD_TRIG_TYPE_TRIG_BUS;
    t.action = MCD_TRIG_ACTION_DBG_DEBUG;
    t.trig_bus_value = 1;
    ret = CONF_CALL(conf.api.create_trig(CORE(0), &t, &id));
    if (ret == MCD_RET_ACT_NONE) {
        if (id) {
            CHECK_MCD(CORE(0), conf.api.remove_trig(CORE(0), id));
        }
        return;
    }
    conf_expect_err(CORE(0), ret, MCD_ERR_TRIG_CREATE,
                    "mcd_create_trig_f (trigger bus)", __FILE__, __LINE__);
}

Test(trig, qry_trig_simple_size, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_trig_simple_core_st want, got;
    uint32_t id;

    conf_need_elf();
    want = simple_trig(MCD_TRIG_TYPE_IP, conf_sym(CONF_SYM_BP_HERE), 0);
    id = create_simple(want.type, want.addr_start.address, 0);
    memset(&got, 0x5a, sizeof(got));
    CHECK_MCD(CORE(0), conf.api.qry_trig(CORE(0), id, sizeof(got), &got));
    cr_assert(got.struct_size == sizeof(got) && got.type == want.type &&
                  got.action == want.action &&
                  got.addr_start.address == want.addr_start.address &&
                  got.addr_range == want.addr_range,
              "mcd_qry_trig_f: struct_size %u type 0x%x action 0x%x addr "
              "0x%llx range %llu; created %u 0x%x 0x%x 0x%llx %llu",
              got.struct_size, got.type, got.action,
              (unsigned long long)got.addr_start.address,
              (unsigned long long)got.addr_range, want.struct_size, want.type,
              want.action, (unsigned long long)want.addr_start.address,
              (unsigned long long)want.addr_range);
}

/* A complex trigger does not fit a simple trigger's buffer. */
Test(trig, qry_trig_too_small_buffer, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_trig_complex_core_st t;
    uint8_t small[sizeof(mcd_trig_simple_core_st) + 8];
    uint32_t id = 0, k;

    conf_require(CAP_COMPLEX_TRIG);
    t = complex_trig();
    CHECK_MCD(CORE(0), conf.api.create_trig(CORE(0), &t, &id));
    memset(small, 0x5a, sizeof(small));
    EXPECT_MCD_ERR(
        CORE(0),
        conf.api.qry_trig(CORE(0), id, sizeof(mcd_trig_simple_core_st), small),
        MCD_ERR_RESULT_TOO_LONG);
    for (k = sizeof(mcd_trig_simple_core_st); k < sizeof(small); k++) {
        cr_assert(small[k] == 0x5a,
                  "mcd_qry_trig_f wrote byte %u of a "
                  "%zu-byte buffer",
                  k, sizeof(mcd_trig_simple_core_st));
    }
}

/* ------------------------------------------------------------------------
 * Removing triggers, the set
 */

Test(trig, removed_trigger_is_gone, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_trig_simple_core_st buf;
    uint32_t id, n = 0;
    bool alone;

    conf_reset_system();
    id = create_simple(MCD_TRIG_TYPE_IP, conf_sym(CONF_SYM_BP_HERE), 0);
    CHECK_MCD(CORE(0), conf.api.remove_trig(CORE(0), id));
    EXPECT_MCD_ERR(CORE(0), conf.api.qry_trig(CORE(0), id, sizeof(buf), &buf),
                   MCD_ERR_TRIG_ACCESS);
    EXPECT_MCD_ERR(CORE(0), conf.api.remove_trig(CORE(0), id),
                   MCD_ERR_TRIG_ACCESS);
    CHECK_MCD(CORE(0), conf.api.qry_trig_set(CORE(0), 0, &n, NULL));
    cr_assert(n == 0, "%u triggers left after removing the only one", n);
    alone = conf_has(CAP_PER_CORE_RUN);
    CHECK_MCD(CORE(0), conf.api.run(CORE(0), alone ? FALSE : TRUE));
    conf_sleep_ms(50);
    cr_assert(conf_state(0).state == MCD_CORE_STATE_RUNNING,
              "core 0 stopped: the removed breakpoint still acts");
    conf_stop_all();
}

static mcd_return_et fetch_trig_set(void *ctx, uint32_t start, uint32_t *num,
                                    void *out)
{
    (void)ctx;
    return conf.api.qry_trig_set(CORE(0), start, num, out);
}

static void expect_captured(uint32_t id, bool want)
{
    mcd_trig_state_st ts;

    memset(&ts, 0, sizeof(ts));
    CHECK_MCD(CORE(0), conf.api.qry_trig_state(CORE(0), id, &ts));
    cr_assert(!ts.captured_valid || ts.captured == want,
              "trigger %u: captured is %u, expected %u", id, ts.captured, want);
}

Test(trig, trig_set_and_states, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    static const char *const at[] = { CONF_SYM_BP_HERE, CONF_SYM_WATCH_STORE,
                                      CONF_SYM_WATCH_LOAD };
    struct conf_list l = {
        .what = "mcd_qry_trig_set_f",
        .core = CORE(0),
        .fetch = fetch_trig_set,
        .size = sizeof(uint32_t),
    };
    mcd_trig_set_state_st ss;
    mcd_trig_state_st ts;
    mcd_core_state_st st;
    uint32_t ids[3], *set, n, j, k;

    conf_reset_system();
    for (k = 0; k < 3; k++) {
        ids[k] = create_simple(MCD_TRIG_TYPE_IP, conf_sym(at[k]), 0);
    }
    set = conf_check_list(&l, &n);
    cr_assert(n == 3, "the set has %u triggers after creating 3", n);
    for (k = 0; k < 3; k++) {
        for (j = 0; j < n && set[j] != ids[k]; j++) {
            continue;
        }
        cr_assert(j < n, "trigger %u is not in the set", ids[k]);
    }
    free(set);
    CHECK_MCD(CORE(0), conf.api.activate_trig_set(CORE(0)));
    CHECK_MCD(CORE(0), conf.api.qry_trig_set_state(CORE(0), &ss));
    expect_captured(ids[0], false);
    st = conf_run_to_stop(0);
    expect_stop(&st, ids[0], conf_sym(CONF_SYM_BP_HERE), CONF_SYM_BP_HERE);
    CHECK_MCD(CORE(0), conf.api.qry_trig_set_state(CORE(0), &ss));
    expect_captured(ids[0], true);
    expect_captured(ids[2], false);
    CHECK_MCD(CORE(0), conf.api.remove_trig_set(CORE(0)));
    n = 0;
    CHECK_MCD(CORE(0), conf.api.qry_trig_set(CORE(0), 0, &n, NULL));
    cr_assert(n == 0, "%u triggers left after mcd_remove_trig_set_f", n);
    EXPECT_MCD_ERR(CORE(0), conf.api.qry_trig_state(CORE(0), ids[0], &ts),
                   MCD_ERR_TRIG_ACCESS);
}
