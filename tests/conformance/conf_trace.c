/*
 * conf_trace.c - conformance of the trace functions against the program's
 * real execution: the traces a core lists, their state, and the frames of
 * the CORE_EXECUTE instruction trace after 1000 instructions from reset.
 *
 * "Frames that match the program's actual execution": the first frame's
 * pc is the pc before the steps; every frame's instruction word is what
 * memory holds at its pc; each next pc is the previous one plus its
 * length unless the previous instruction may jump (the profile's ISA
 * decoder: JAL, JALR, branches, traps), and the pc after the last frame is
 * where the core stopped.  PIPE mode streams every frame; FIFO mode with a
 * small buffer wraps (the wraparound flag) and keeps the newest frames,
 * which must page like any count-then-fetch list.
 *
 * A trace's settings outlive the session in the target, so every test
 * here saves them first and its .fini (trace_fini) clears the buffer and
 * restores them before closing.  One process per test (conf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define TRACE_STEPS 1000
#define FRAME_SIZE ((uint32_t)sizeof(mcd_trace_data_core_st))

/* What trace_fini() restores. */
static uint32_t saved_id;
static mcd_trace_state_st saved;

static mcd_return_et fetch_traces(void *ctx, uint32_t start, uint32_t *num,
                                  void *out)
{
    (void)ctx;
    return conf.api.qry_traces(CORE(0), start, num, out);
}

static mcd_return_et fetch_frames(void *ctx, uint32_t start, uint32_t *num,
                                  void *out)
{
    return conf.api.read_trace(CORE(0), *(uint32_t *)ctx, start, num,
                               FRAME_SIZE, out);
}

static int cmp_trace_info(const void *pa, const void *pb)
{
    const mcd_trace_info_st *a = pa, *b = pb;

    return a->trace_id != b->trace_id || strcmp(a->trace_name, b->trace_name) ||
           a->trace_type != b->trace_type ||
           a->trace_format != b->trace_format ||
           a->trace_modes != b->trace_modes ||
           a->trace_no_timestamps != b->trace_no_timestamps ||
           a->trace_shared != b->trace_shared ||
           a->trace_size_is_bytes != b->trace_size_is_bytes;
}

static int cmp_frame(const void *pa, const void *pb)
{
    const mcd_trace_data_core_st *a = pa, *b = pb;

    return a->timestamp != b->timestamp || a->marker != b->marker ||
           a->cycle != b->cycle || a->addr.address != b->addr.address ||
           a->addr.mem_space_id != b->addr.mem_space_id || a->data != b->data ||
           a->data_width != b->data_width || a->data_mask != b->data_mask ||
           a->source != b->source || a->aux_info != b->aux_info;
}

/* ------------------------------------------------------------------------
 * Finding and setting the trace
 */

/* Core 0's CORE_EXECUTE trace. */
static mcd_trace_info_st exec_trace(void)
{
    mcd_trace_info_st t[16];
    uint32_t k, n = 16;

    CHECK_MCD(CORE(0), conf.api.qry_traces(CORE(0), 0, &n, t));
    for (k = 0; k < n && k < 16; k++) {
        if (t[k].trace_type == MCD_TRACE_TYPE_CORE &&
            t[k].trace_format == MCD_TRACE_FORMAT_CORE_EXECUTE) {
            return t[k];
        }
    }
    cr_assert_fail("core 0 lists no CORE / CORE_EXECUTE trace, though the "
                   "%s profile has CAP_TRACE",
                   conf.target->name);
    return t[0];
}

static mcd_trace_state_st trace_state(uint32_t id)
{
    mcd_trace_state_st st;

    memset(&st, 0, sizeof(st));
    CHECK_MCD(CORE(0), conf.api.qry_trace_state(CORE(0), id, &st));
    cr_assert(memchr(st.info_str, '\0', sizeof(st.info_str)),
              "trace state info_str is not NUL-terminated");
    return st;
}

/* Apply @state and @mode (and @size unless 0) over what is in force. */
static mcd_trace_state_st trace_set(uint32_t id, mcd_trace_state_et state,
                                    mcd_trace_mode_et mode, uint64_t size)
{
    mcd_trace_state_st st = trace_state(id);

    st.state = state;
    st.mode = mode;
    st.autoarm = FALSE;
    if (size) {
        st.size = size;
    }
    CHECK_MCD(CORE(0), conf.api.set_trace_state(CORE(0), id, &st));
    return st;
}

/* Save the settings for trace_fini(), then start from an empty buffer. */
static void trace_begin(uint32_t id)
{
    saved = trace_state(id);
    saved_id = id;
    trace_set(id, MCD_TRACE_STATE_INIT, MCD_TRACE_MODE_NOCHANGE, 0);
}

static void trace_fini(void)
{
    if (saved_id && conf.initialized && CORE(0)) {
        trace_set(saved_id, MCD_TRACE_STATE_INIT, MCD_TRACE_MODE_NOCHANGE, 0);
        trace_set(saved_id, MCD_TRACE_STATE_OFF, saved.mode, saved.size);
    }
    conf_close();
}

/* Start from reset with an empty, armed trace in @mode of @size frames. */
static mcd_trace_state_st trace_start(mcd_trace_info_st *info,
                                      mcd_trace_mode_et mode, uint64_t size)
{
    mcd_trace_state_st st;

    conf_reset_system();
    *info = exec_trace();
    cr_assert(info->trace_modes & mode, "trace \"%s\" lacks mode 0x%x",
              info->trace_name, mode);
    trace_begin(info->trace_id);
    st = trace_set(info->trace_id, MCD_TRACE_STATE_ARM, mode, size);
    cr_assert(st.state == MCD_TRACE_STATE_ARM && (st.mode & mode),
              "after arming in mode 0x%x the trace is in state 0x%x, mode "
              "0x%x (\"%s\")",
              mode, st.state, st.mode, st.info_str);
    return st;
}

/* ------------------------------------------------------------------------
 * Checking frames against the program
 */

static uint32_t insn_len(const mcd_trace_data_core_st *f)
{
    return conf.target->isa->insn_len(f->data);
}

/* Keep the frames of executed instructions (not pure markers). */
static uint32_t executed(mcd_trace_data_core_st *f, uint32_t n)
{
    uint32_t k, m = 0;

    for (k = 0; k < n; k++) {
        if (f[k].cycle != MCD_TRACE_CYCLE_NONE) {
            f[m++] = f[k];
        }
    }
    return m;
}

static void check_flow(const mcd_trace_data_core_st *f, uint32_t n,
                       bool timestamps)
{
    const struct conf_isa *isa = conf.target->isa;
    uint64_t want;
    uint32_t k;

    for (k = 1; k < n; k++) {
        want = f[k - 1].addr.address + insn_len(&f[k - 1]);
        cr_assert(isa->may_jump(f[k - 1].data) || f[k].addr.address == want,
                  "frame %u: pc 0x%llx after 0x%08llx at 0x%llx, which "
                  "cannot jump: expected 0x%llx",
                  k, (unsigned long long)f[k].addr.address,
                  (unsigned long long)f[k - 1].data,
                  (unsigned long long)f[k - 1].addr.address,
                  (unsigned long long)want);
        cr_assert(!timestamps || f[k].timestamp >= f[k - 1].timestamp,
                  "frame %u: timestamp %llu before the previous %llu", k,
                  (unsigned long long)f[k].timestamp,
                  (unsigned long long)f[k - 1].timestamp);
    }
}

/*
 * Each frame's instruction word is what memory holds at its pc.  Read
 * frame by frame: the code may lie in places far apart (QEMU's harts start
 * in a reset vector at 0x1000, the program is at 0x80000000).
 */
static void check_code(const mcd_trace_data_core_st *f, uint32_t n)
{
    uint32_t space = conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL);
    uint8_t code[8];
    uint64_t word;
    uint32_t k, b, len;

    for (k = 0; k < n; k++) {
        len = insn_len(&f[k]);
        cr_assert(len >= 1 && len <= sizeof(code),
                  "frame %u: instruction length %u", k, len);
        conf_mem_read(0, space, f[k].addr.address, code, len);
        for (word = 0, b = len; b-- > 0;) {
            word = word << 8 | code[b];
        }
        cr_assert(word == (f[k].data & ((1ull << (8 * len)) - 1)),
                  "frame %u at 0x%llx: instruction 0x%llx, memory holds "
                  "0x%llx",
                  k, (unsigned long long)f[k].addr.address,
                  (unsigned long long)f[k].data, (unsigned long long)word);
    }
}

/* The core stopped right after the last traced instruction. */
static void check_last(const mcd_trace_data_core_st *last, uint64_t pc)
{
    uint64_t next = last->addr.address + insn_len(last);

    cr_assert(conf.target->isa->may_jump(last->data) || pc == next,
              "the core stopped at 0x%llx; the last frame (0x%08llx at "
              "0x%llx) leads to 0x%llx",
              (unsigned long long)pc, (unsigned long long)last->data,
              (unsigned long long)last->addr.address, (unsigned long long)next);
}

/* ------------------------------------------------------------------------
 * Tests
 */

Test(trace, qry_traces_and_state, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    struct conf_list l = {
        .what = "mcd_qry_traces_f",
        .core = CORE(0),
        .fetch = fetch_traces,
        .size = sizeof(mcd_trace_info_st),
        .cmp = cmp_trace_info,
    };
    mcd_trace_state_st st;
    mcd_trace_info_st *t;
    uint32_t j, k, n, bad = 0, frames = 1;

    conf_require(CAP_TRACE);
    t = conf_check_list(&l, &n);
    for (k = 0; k < n; k++) {
        cr_assert(t[k].trace_id &&
                      memchr(t[k].trace_name, '\0', sizeof(t[k].trace_name)),
                  "trace %u: id 0 or unterminated name", k);
        for (j = 0; j < k; j++) {
            cr_assert(t[j].trace_id != t[k].trace_id, "two traces have id %u",
                      t[k].trace_id);
        }
        bad = t[k].trace_id > bad ? t[k].trace_id : bad;
    }
    free(t);
    st = trace_state(exec_trace().trace_id);
    cr_assert(st.state >= MCD_TRACE_STATE_DISABLE &&
                  st.state <= MCD_TRACE_STATE_STOP,
              "trace state 0x%x is not a state a trace reports", st.state);
    bad += 1000;
    EXPECT_MCD_ERR(CORE(0), conf.api.qry_trace_state(CORE(0), bad, &st),
                   MCD_ERR_PARAM);
    EXPECT_MCD_ERR(CORE(0), conf.api.set_trace_state(CORE(0), bad, &st),
                   MCD_ERR_PARAM);
    EXPECT_MCD_ERR(
        CORE(0),
        conf.api.read_trace(CORE(0), bad, 0, &frames, FRAME_SIZE, NULL),
        MCD_ERR_PARAM);
}

Test(trace, pipe_frames_follow_execution, .init = conf_open, .fini = trace_fini,
     .timeout = CONF_LONG_TIMEOUT)
{
    mcd_trace_data_core_st *f;
    mcd_trace_info_st info;
    uint64_t pc0;
    uint32_t n = 0, got, m;

    conf_require(CAP_TRACE);
    trace_start(&info, MCD_TRACE_MODE_PIPE, 0);
    pc0 = conf_pc(0);
    CHECK_MCD(CORE(0), conf.api.step(CORE(0), FALSE, MCD_CORE_STEP_TYPE_INSTR,
                                     TRACE_STEPS));
    CHECK_MCD(CORE(0), conf.api.read_trace(CORE(0), info.trace_id, 0, &n,
                                           FRAME_SIZE, NULL));
    cr_assert(n >= 1, "no frame after %u instructions", TRACE_STEPS);
    f = calloc(n, FRAME_SIZE);
    cr_assert(f, "out of memory");
    got = n;
    CHECK_MCD(CORE(0), conf.api.read_trace(CORE(0), info.trace_id, 0, &got,
                                           FRAME_SIZE, f));
    cr_assert(got == n, "%u frames available, %u read", n, got);
    m = executed(f, n);
    cr_assert(!conf_has(CAP_STEP_EXACT) ? m >= 1 : m == TRACE_STEPS,
              "%u instructions traced for %u steps", m, TRACE_STEPS);
    cr_assert(f[0].addr.address == pc0,
              "the first frame is at 0x%llx; "
              "the core was at 0x%llx",
              (unsigned long long)f[0].addr.address, (unsigned long long)pc0);
    check_flow(f, m, !info.trace_no_timestamps);
    check_code(f, m);
    check_last(&f[m - 1], conf_pc(0));
    free(f);
}

Test(trace, fifo_wraps_and_pages, .init = conf_open, .fini = trace_fini,
     .timeout = CONF_LONG_TIMEOUT)
{
    struct conf_list l = {
        .what = "mcd_read_trace_f",
        .core = CORE(0),
        .fetch = fetch_frames,
        .size = FRAME_SIZE,
        .cmp = cmp_frame,
    };
    mcd_trace_state_st st;
    mcd_trace_data_core_st *f;
    mcd_trace_info_st info;
    uint64_t room;
    uint32_t n, m;

    conf_require(CAP_TRACE);
    conf_require(CAP_TRACE_FIFO);
    st = trace_start(&info, MCD_TRACE_MODE_FIFO, 64);
    room = info.trace_size_is_bytes ? st.size / FRAME_SIZE : st.size;
    cr_assert(room >= 1 && room < TRACE_STEPS,
              "a FIFO of %llu frames (64 "
              "asked) cannot wrap in %u instructions",
              (unsigned long long)room, TRACE_STEPS);
    CHECK_MCD(CORE(0), conf.api.step(CORE(0), FALSE, MCD_CORE_STEP_TYPE_INSTR,
                                     TRACE_STEPS));
    st = trace_state(info.trace_id);
    cr_assert(st.wraparound,
              "%u instructions into a %llu-frame FIFO did not "
              "set wraparound",
              TRACE_STEPS, (unsigned long long)room);
    cr_assert(st.frames >= 1 && st.frames <= room && st.count > st.frames,
              "FIFO of %llu: frames %llu, count %llu", (unsigned long long)room,
              (unsigned long long)st.frames, (unsigned long long)st.count);
    l.ctx = &info.trace_id;
    f = conf_check_list(&l, &n);
    cr_assert(n == st.frames,
              "mcd_read_trace_f counts %u frames, the state "
              "%llu",
              n, (unsigned long long)st.frames);
    m = executed(f, n);
    cr_assert(m >= 1, "no executed instruction among %u frames", n);
    check_flow(f, m, !info.trace_no_timestamps);
    check_code(f, m);
    check_last(&f[m - 1], conf_pc(0));
    free(f);
}
