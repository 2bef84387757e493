/*
 * Trace lanes end to end: the reference platform served by the stub in
 * this process, the synthetic producer (bench/synth.c) handing numbered
 * frames to mcdshm_server_trace_put(), and the client library reading them
 * with mcd_read_trace_f() and no request.  Every frame is checked: PIPE
 * delivers all of them in order when the reader keeps up, and when it
 * does not, every loss is counted exactly and marked with GAP where it
 * happened; FIFO keeps the newest; INIT clears; a debugger without lanes
 * (McdShmTraceLanes=0), or with none left, reads by request as before.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/synth.h"
#include "cosim/vp/platform.h"
#include "mcd/mcd_api.h"
#include "mcdshm/server.h"
#include "tests/mcd_check.h"

#define TRACE 1      /* the vp's trace id on every hart */
#define SMALL 1024   /* frames of a lane in the overflow tests */

static char dir[64];
static struct vp *vp;
static struct mcdshm_server *srv;

static void setup(void)
{
    struct mcdshm_server_opts o = { .name = "lanes", .policy = "hybrid" };
    struct vp_config c;
    char err[256];

    snprintf(dir, sizeof(dir), "/tmp/mcdshm-lanes-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    setenv("MCDSHM_RUNTIME_DIR", dir, 1);
    vp_config_default(&c);
    c.nharts = 2;
    c.ram_size = 1 << 20;
    cr_assert_eq(vp_create(&c, &vp, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(mcdshm_server_start(vp_target(vp), &o, &srv, err,
                                     sizeof(err)),
                 0, "%s", err);
}

static void teardown(void)
{
    char cmd[128];

    mcdshm_server_stop(srv);
    vp_destroy(vp);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
}

TestSuite(lanes, .init = setup, .fini = teardown, .timeout = 120);

/* A debugger with @extra config keys, on hart @idx. */
static void open_core(const char *extra, uint32_t idx, mcd_server_st **s,
                      mcd_core_st **core)
{
    mcd_core_con_info_st ci[2];
    char cfg[256];
    uint32_t n = 2;

    snprintf(cfg, sizeof(cfg), "McdServerName=lanes %s", extra);
    CHECK(NULL, mcd_open_server_f("", cfg, s));
    CHECK(NULL, mcd_qry_cores_f(NULL, 0, &n, ci));
    cr_assert_gt(n, idx);
    CHECK(NULL, mcd_open_core_f(&ci[idx], core));
}

static void close_core(mcd_server_st *s, mcd_core_st *core)
{
    CHECK(core, mcd_close_core_f(core));
    CHECK(NULL, mcd_close_server_f(s));
}

static mcd_trace_state_st set_trace(mcd_core_st *core, uint32_t state,
                                    uint32_t mode, uint64_t size)
{
    mcd_trace_state_st st;

    memset(&st, 0, sizeof(st));
    st.state = state;
    st.mode = mode;
    st.size = size;
    CHECK(core, mcd_set_trace_state_f(core, TRACE, &st));
    return st;
}

static mcd_trace_state_st trace_state(mcd_core_st *core)
{
    mcd_trace_state_st st;

    CHECK(core, mcd_qry_trace_state_f(core, TRACE, &st));
    return st;
}

static bool streamed(const mcd_trace_state_st *st)
{
    return strstr(st->info_str, "streamed through shared memory") != NULL;
}

/* The exact lost count a lane reports in info_str. */
static uint64_t lost_of(const mcd_trace_state_st *st)
{
    const char *p = strstr(st->info_str, "produced, ");
    unsigned long long v;

    cr_assert_not_null(p, "no lost count in \"%s\"", st->info_str);
    cr_assert_eq(sscanf(p, "produced, %llu", &v), 1, "%s", st->info_str);
    return v;
}

/* Read what is there (count, then the frames) into the check. */
static uint32_t drain(mcd_core_st *core, mcd_trace_data_core_st *buf,
                      uint32_t room, struct synth_check *c)
{
    uint32_t n = 0;

    CHECK(core, mcd_read_trace_f(core, TRACE, 0, &n, sizeof(*buf), NULL));
    if (n == 0) {
        return 0;
    }
    n = n < room ? n : room;
    CHECK(core, mcd_read_trace_f(core, TRACE, 0, &n, sizeof(*buf), buf));
    cr_assert(synth_check(c, buf, n),
              "frame out of order or mismarked after %" PRIu64
              " good ones (next %" PRIu64 ")",
              c->frames, c->next);
    return n;
}

struct producer {
    pthread_t t;
    uint64_t n, rate, produced;
    bool lossless;
    volatile uint32_t stop;
};

static void *produce(void *arg)
{
    struct producer *p = arg;

    uint64_t n = synth_produce(srv, 0, TRACE, 0, p->n, p->rate, p->lossless,
                               &p->stop);

    __atomic_store_n(&p->produced, n, __ATOMIC_RELEASE);
    return NULL;
}

Test(lanes, pipe_delivers_every_frame_in_order)
{
    struct producer p = { .n = 2000000, .lossless = true };
    mcd_trace_data_core_st *buf = calloc(8192, sizeof(*buf));
    struct synth_check c = { 0 };
    mcd_trace_state_st st;
    mcd_server_st *s;
    mcd_core_st *core;

    open_core("", 0, &s, &core);
    st = set_trace(core, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_PIPE, 0);
    cr_assert(streamed(&st), "PIPE is not streamed: \"%s\"", st.info_str);
    cr_assert_eq(pthread_create(&p.t, NULL, produce, &p), 0);
    while (c.frames < p.n) {
        drain(core, buf, 8192, &c);
    }
    pthread_join(p.t, NULL);
    cr_assert_eq(p.produced, p.n);
    cr_assert_eq(c.frames, p.n);
    cr_assert_eq(c.gaps, 0);
    st = trace_state(core);
    cr_assert_eq(st.count, p.n, "count %" PRIu64, (uint64_t)st.count);
    cr_assert_eq(st.frames, 0);
    cr_assert_not(st.wraparound);
    cr_assert_eq(lost_of(&st), 0);
    close_core(s, core);
    free(buf);
}

Test(lanes, pipe_overflow_is_counted_and_marked_where_it_happened)
{
    mcd_trace_data_core_st *buf = calloc(SMALL, sizeof(*buf));
    struct synth_check c = { 0 };
    mcd_trace_state_st st;
    mcd_server_st *s;
    mcd_core_st *core;
    uint32_t n;

    open_core("McdShmTraceFrames=1024", 0, &s, &core);
    st = set_trace(core, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_PIPE, 0);
    cr_assert(streamed(&st), "%s", st.info_str);
    cr_assert_eq(st.size, SMALL);
    /* 3000 frames into 1024: the first 1024 stay, 1976 are lost */
    cr_assert_eq(synth_produce(srv, 0, TRACE, 0, 3000, 0, false, NULL), 3000);
    st = trace_state(core);
    cr_assert_eq(st.frames, SMALL);
    cr_assert_eq(st.count, 3000);
    cr_assert(st.wraparound);
    cr_assert_eq(lost_of(&st), 1976);
    n = drain(core, buf, SMALL, &c);
    cr_assert_eq(n, SMALL);
    cr_assert_eq(c.gaps, 0, "frames before the loss carry no GAP");
    /* the next frame stored carries GAP, at the place of the loss */
    cr_assert_eq(synth_produce(srv, 0, TRACE, 3000, 10, 0, false, NULL), 10);
    n = drain(core, buf, SMALL, &c);
    cr_assert_eq(n, 10);
    cr_assert(buf[0].marker & MCD_TRACE_MARKER_GAP);
    cr_assert_eq(buf[0].data, 3000);
    cr_assert_eq(c.gaps, 1);
    cr_assert_eq(c.lost, 1976);
    /* INIT clears frames and counters */
    cr_assert_eq(synth_produce(srv, 0, TRACE, 3010, 5, 0, false, NULL), 5);
    st = set_trace(core, MCD_TRACE_STATE_INIT, MCD_TRACE_MODE_NOCHANGE, 0);
    st = trace_state(core);
    cr_assert(streamed(&st), "%s", st.info_str);
    cr_assert_eq(st.frames, 0);
    cr_assert_eq(st.count, 0);
    cr_assert_not(st.wraparound);
    close_core(s, core);
    free(buf);
}

Test(lanes, loss_accounting_is_exact_with_a_slow_reader)
{
    struct producer p = { .n = 3000000 };
    mcd_trace_data_core_st *buf = calloc(64, sizeof(*buf));
    struct synth_check c = { 0 };
    mcd_trace_state_st st;
    mcd_server_st *s;
    mcd_core_st *core;
    uint64_t lost;

    open_core("McdShmTraceFrames=1024", 0, &s, &core);
    set_trace(core, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_PIPE, 0);
    cr_assert_eq(pthread_create(&p.t, NULL, produce, &p), 0);
    do { /* 64 frames at a time, with a pause: it cannot keep up */
        drain(core, buf, 64, &c);
        usleep(10);
    } while (__atomic_load_n(&p.produced, __ATOMIC_ACQUIRE) == 0);
    pthread_join(p.t, NULL);
    while (drain(core, buf, 64, &c)) {
    }
    st = trace_state(core);
    lost = lost_of(&st);
    cr_log_info("%" PRIu64 " frames read, %" PRIu64 " lost in %" PRIu64
                " gaps\n",
                c.frames, lost, c.gaps);
    cr_assert_eq(st.count, p.n);
    cr_assert_gt(lost, 0, "the reader kept up: no loss to account");
    cr_assert(st.wraparound);
    /* every frame is read or counted lost; the gaps show all but a loss
     * after the last frame stored, which no later frame can mark */
    cr_assert_eq(c.frames + lost, p.n, "%" PRIu64 " read + %" PRIu64
                 " lost != %" PRIu64, c.frames, lost, p.n);
    cr_assert_eq(c.lost + (p.n - c.next), lost);
    close_core(s, core);
    free(buf);
}

Test(lanes, fifo_keeps_the_newest)
{
    mcd_trace_data_core_st *buf = calloc(SMALL, sizeof(*buf));
    mcd_trace_state_st st;
    mcd_server_st *s;
    mcd_core_st *core;
    uint32_t n = 0, i;

    open_core("", 0, &s, &core);
    st = set_trace(core, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_FIFO, 1000);
    cr_assert(streamed(&st), "%s", st.info_str);
    cr_assert_eq(st.size, 512, "1000 frames round down to a lane of 512");
    cr_assert(st.modified);
    cr_assert_eq(synth_produce(srv, 0, TRACE, 0, 5000, 0, false, NULL), 5000);
    CHECK(core, mcd_read_trace_f(core, TRACE, 0, &n, sizeof(*buf), NULL));
    cr_assert_eq(n, 512);
    n = SMALL;
    CHECK(core, mcd_read_trace_f(core, TRACE, 100, &n, sizeof(*buf), buf));
    cr_assert_eq(n, 412);
    for (i = 0; i < n; i++) {
        cr_assert_eq(buf[i].data, 5000 - 512 + 100 + i);
    }
    /* FIFO reading does not consume; start at the end is an error */
    n = 1;
    cr_assert_eq(mcd_read_trace_f(core, TRACE, 512, &n, sizeof(*buf), buf),
                 MCD_RET_ACT_HANDLE_ERROR);
    st = trace_state(core);
    cr_assert_eq(st.frames, 512);
    cr_assert_eq(st.count, 5000);
    cr_assert(st.wraparound);
    close_core(s, core);
    free(buf);
}

Test(lanes, wrong_frame_size_is_named)
{
    mcd_trace_data_core_st buf[4];
    mcd_error_info_st e;
    mcd_server_st *s;
    mcd_core_st *core;
    uint32_t n = 4;

    open_core("", 0, &s, &core);
    set_trace(core, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_PIPE, 0);
    cr_assert_eq(synth_produce(srv, 0, TRACE, 0, 4, 0, false, NULL), 4);
    cr_assert_eq(mcd_read_trace_f(core, TRACE, 0, &n, 48, buf),
                 MCD_RET_ACT_HANDLE_ERROR);
    mcd_qry_error_info_f(core, &e);
    cr_assert_eq(e.error_code, MCD_ERR_PARAM);
    cr_assert(strstr(e.error_str, "trace_data_size 48"), "%s", e.error_str);
    close_core(s, core);
}

/* Fill the start of RAM (where the harts start) with `addi x1, x1, 1`. */
static void load_addis(mcd_core_st *core)
{
    static uint32_t code[1024];
    mcd_tx_st tx = { 0 };
    mcd_txlist_st l = { &tx, 1, 0 };
    uint32_t i;

    for (i = 0; i < 1024; i++) {
        code[i] = 0x00108093;
    }
    tx.addr.address = SYNTH_BASE;
    tx.addr.mem_space_id = 1;
    tx.access_type = MCD_TX_AT_W;
    tx.data = (uint8_t *)code;
    tx.num_bytes = sizeof(code);
    CHECK(core, mcd_execute_txlist_f(core, &l));
}

Test(lanes, the_platform_trace_streams_and_closing_unbinds)
{
    mcd_trace_data_core_st buf[200];
    mcd_trace_state_st st;
    mcd_server_st *s;
    mcd_core_st *core;
    uint32_t n = 0, i;

    open_core("", 1, &s, &core);
    load_addis(core);
    st = set_trace(core, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_PIPE, 0);
    cr_assert(streamed(&st), "%s", st.info_str);
    CHECK(core, mcd_step_f(core, FALSE, MCD_CORE_STEP_TYPE_INSTR, 100));
    CHECK(core, mcd_read_trace_f(core, TRACE, 0, &n, sizeof(buf[0]), NULL));
    cr_assert_eq(n, 100, "%u frames for 100 steps", n);
    CHECK(core, mcd_read_trace_f(core, TRACE, 0, &n, sizeof(buf[0]), buf));
    for (i = 0; i < n; i++) {
        cr_assert_eq(buf[i].source, 1, "frame %u from hart %u", i,
                     buf[i].source);
        cr_assert_eq(buf[i].cycle, MCD_TRACE_CYCLE_EXECUTE);
    }
    close_core(s, core);
    /* nobody streams hart 1 now: its frames go to its own buffer again */
    open_core("McdShmTraceLanes=0", 1, &s, &core);
    st = trace_state(core);
    cr_assert_not(streamed(&st), "%s", st.info_str);
    CHECK(core, mcd_step_f(core, FALSE, MCD_CORE_STEP_TYPE_INSTR, 10));
    n = 0;
    CHECK(core, mcd_read_trace_f(core, TRACE, 0, &n, sizeof(buf[0]), NULL));
    cr_assert_eq(n, 10, "%u frames buffered for 10 steps", n);
    close_core(s, core);
}

Test(lanes, without_a_free_lane_the_trace_is_read_by_request)
{
    mcd_server_st *s0, *s1;
    mcd_core_st *c0, *c1;
    mcd_core_con_info_st ci[2];
    mcd_trace_state_st st;
    uint32_t n = 2;

    open_core("McdShmTraceLanes=1", 0, &s0, &c0);
    load_addis(c0);
    CHECK(NULL, mcd_qry_cores_f(NULL, 0, &n, ci));
    CHECK(NULL, mcd_open_core_f(&ci[1], &c1));
    s1 = s0;
    st = set_trace(c0, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_PIPE, 0);
    cr_assert(streamed(&st), "%s", st.info_str);
    st = set_trace(c1, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_PIPE, 0);
    cr_assert_not(streamed(&st), "one lane, two traces: \"%s\"", st.info_str);
    CHECK(c1, mcd_step_f(c1, FALSE, MCD_CORE_STEP_TYPE_INSTR, 10));
    n = 0;
    CHECK(c1, mcd_read_trace_f(c1, TRACE, 0, &n, sizeof(mcd_trace_data_core_st),
                               NULL));
    cr_assert_eq(n, 10);
    CHECK(c1, mcd_close_core_f(c1));
    (void)s1;
    close_core(s0, c0);
}
