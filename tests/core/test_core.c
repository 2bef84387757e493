/*
 * Tests of the MCD server core (qemu-side/core/) over a fake target defined
 * here: 4 harts sharing a 4 KiB RAM, seen as a physical memory space (id 1)
 * and a logical one (id 2, RAM at LOG_BASE), and a register space (id 3)
 * with 34 registers (x0..x31, pc, mstatus) in two groups; IP/READ/WRITE/RW
 * triggers recorded (data ranges widened to 8-byte alignment, the
 * "approximation" that tests the write-back); a run/stop state machine; a
 * step that advances pc; reset classes {0 system, 1 core}; no time
 * operation.  A second operation table adds every optional operation
 * (modes, blocks, time, commands, description, channels, trace).
 *
 * Every test builds a fresh core and session in .init (Criterion forks
 * each test, so the fake's globals start clean).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-side/core/core.h"

#define NCORES 4
#define RAM_SIZE 4096u
#define LOG_BASE 0x80000000ull
#define NREGS 34
#define REG_PC 32
#define REG_MSTATUS 33
#define SP_PHYS 1
#define SP_LOG 2
#define SP_REGS 3
#define FAKE_TRIGS 64
#define NFRAMES 10

struct fake_trig {
    bool live;
    uint32_t id;
    mcd_trig_complex_core_st t;
};

static struct fake {
    pthread_mutex_t lock;
    uint8_t ram[RAM_SIZE];
    uint64_t regs[NCORES][NREGS];
    mcd_core_state_et state[NCORES];
    uint32_t events[NCORES];
    uint32_t stop_trig[NCORES];
    struct fake_trig trigs[NCORES][FAKE_TRIGS];
    int inserts, removes;
    bool no_groups, refuse_remove;
    uint32_t last_rst, nresets;
    bool last_halt;
    int global_runs, set_global_calls;
    uint64_t until;
    uint32_t next_chl, chl_closes, chl_len;
    uint8_t chl_buf[64];
    mcd_trace_state_st trace_state;
} F = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* --- The fake target --- */

static void fake_core_info(void *o, uint32_t core, mcd_core_con_info_st *ci)
{
    (void)o;
    snprintf(ci->core, sizeof(ci->core), "hart%" PRIu32, core);
    ci->core_type = 243; /* EM_RISCV */
    ci->core_id = core;
}

static uint32_t fake_mem_spaces(void *o, uint32_t core, mcd_memspace_st *out,
                                uint32_t max)
{
    static const mcd_memspace_st sp[] = {
        { .mem_space_id = SP_PHYS,
          .mem_space_name = "phys",
          .mem_type = MCD_MEM_SPACE_IS_PHYSICAL,
          .bits_per_mau = 8,
          .endian = MCD_ENDIAN_LITTLE,
          .max_addr = RAM_SIZE - 1 },
        { .mem_space_id = SP_LOG,
          .mem_space_name = "virt",
          .mem_type = MCD_MEM_SPACE_IS_LOGICAL,
          .bits_per_mau = 8,
          .endian = MCD_ENDIAN_LITTLE,
          .min_addr = LOG_BASE,
          .max_addr = LOG_BASE + RAM_SIZE - 1 },
        { .mem_space_id = SP_REGS,
          .mem_space_name = "regs",
          .mem_type = MCD_MEM_SPACE_IS_REGISTERS,
          .bits_per_mau = 8 },
    };
    uint32_t i;

    (void)o;
    (void)core;
    for (i = 0; i < max && i < 3; i++) {
        out[i] = sp[i];
    }
    return 3;
}

static void fake_reg(uint32_t i, uint32_t group, mcd_register_info_st *r)
{
    memset(r, 0, sizeof(*r));
    r->addr.address = i;
    r->addr.mem_space_id = SP_REGS;
    r->reg_group_id = group;
    if (i < 32) {
        snprintf(r->regname, sizeof(r->regname), "x%" PRIu32, i);
    } else {
        strcpy(r->regname, i == REG_PC ? "pc" : "mstatus");
    }
    r->regsize = 64;
}

static uint32_t fake_reg_groups(void *o, uint32_t core,
                                mcd_register_group_st *out, uint32_t max)
{
    static const mcd_register_group_st g[] = { { 1, "gpr", 33 },
                                               { 2, "csr", 1 } };
    uint32_t i;

    (void)o;
    (void)core;
    if (F.no_groups) {
        return 0;
    }
    for (i = 0; i < max && i < 2; i++) {
        out[i] = g[i];
    }
    return 2;
}

static uint32_t fake_regs(void *o, uint32_t core, uint32_t group,
                          mcd_register_info_st *out, uint32_t max)
{
    uint32_t first = group == 2 ? REG_MSTATUS : 0;
    uint32_t n = group == 0 ? NREGS : group == 1 ? 33 : group == 2 ? 1 : 0;
    uint32_t i;

    (void)o;
    (void)core;
    for (i = 0; i < max && i < n; i++) {
        fake_reg(first + i, group ? group : (first + i < 33 ? 1 : 2), &out[i]);
    }
    return n;
}

static void fake_trig_info(void *o, uint32_t core, mcd_trig_info_st *out)
{
    (void)o;
    (void)core;
    out->type = MCD_TRIG_TYPE_IP | MCD_TRIG_TYPE_READ | MCD_TRIG_TYPE_WRITE |
                MCD_TRIG_TYPE_RW;
    out->action = MCD_TRIG_ACTION_DBG_DEBUG;
}

static uint32_t fake_rst_classes(void *o, uint32_t core,
                                 mcd_rst_info_st out[32])
{
    (void)o;
    (void)core;
    out[0].class_vector = 1;
    strcpy(out[0].info_str, "system");
    out[1].class_vector = 2;
    strcpy(out[1].info_str, "core");
    return 0x3;
}

static int fake_mem(mcd_tx_st *tx, uint64_t pa, struct mcdshm_status *st)
{
    uint32_t w = tx->access_width ? tx->access_width : 1, i;
    uint64_t room = pa < RAM_SIZE ? RAM_SIZE - pa : 0;
    uint32_t n =
        tx->num_bytes <= room ? tx->num_bytes : (uint32_t)(room / w * w);
    uint8_t tmp;

    for (i = 0; i < n; i++) {
        uint8_t *m = &F.ram[pa + i];

        switch (tx->access_type) {
        case MCD_TX_AT_R:
            tx->data[i] = *m;
            break;
        case MCD_TX_AT_W:
        case MCD_TX_AT_WR:
            *m = tx->data[i];
            tx->data[i] = *m;
            break;
        default: /* RW: swap */
            tmp = *m;
            *m = tx->data[i];
            tx->data[i] = tmp;
        }
    }
    tx->num_bytes_ok = n;
    if (n < tx->num_bytes) {
        return mcdshm_fail(
            st,
            tx->access_type == MCD_TX_AT_R   ? MCD_ERR_TXLIST_READ
            : tx->access_type == MCD_TX_AT_W ? MCD_ERR_TXLIST_WRITE
                                             : MCD_ERR_TXLIST_TX,
            "address 0x%" PRIx64 " is past the end of RAM", pa + n);
    }
    return 0;
}

static int fake_reg_access(uint32_t core, mcd_tx_st *tx,
                           struct mcdshm_status *st)
{
    uint64_t r = tx->addr.address;
    uint32_t i;

    if (tx->access_type != MCD_TX_AT_R && tx->access_type != MCD_TX_AT_W) {
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "registers cannot be swapped or verified");
    }
    for (i = 0; i + 8 <= tx->num_bytes; i += 8, r++) {
        if (r >= NREGS) {
            return mcdshm_fail(st, MCD_ERR_TXLIST_TX, "no register %" PRIu64,
                               r);
        }
        if (tx->access_type == MCD_TX_AT_R) {
            memcpy(tx->data + i, &F.regs[core][r], 8);
        } else {
            memcpy(&F.regs[core][r], tx->data + i, 8);
        }
        tx->num_bytes_ok = i + 8;
    }
    return 0;
}

static int fake_access(void *o, uint32_t core, mcd_tx_st *tx,
                       struct mcdshm_status *st)
{
    (void)o;
    if (tx->addr.mem_space_id == SP_REGS) {
        return fake_reg_access(core, tx, st);
    }
    if (tx->addr.mem_space_id == SP_LOG) {
        if (tx->addr.address < LOG_BASE) {
            return mcdshm_fail(st, MCD_ERR_TXLIST_READ, "unmapped");
        }
        return fake_mem(tx, tx->addr.address - LOG_BASE, st);
    }
    return fake_mem(tx, tx->addr.address, st);
}

static int fake_run(void *o, uint32_t core, bool global,
                    struct mcdshm_status *st)
{
    uint32_t i;

    (void)o;
    (void)st;
    for (i = 0; i < NCORES; i++) {
        if (global || i == core) {
            F.state[i] = MCD_CORE_STATE_RUNNING;
            F.stop_trig[i] = 0;
        }
    }
    F.global_runs += global;
    return 0;
}

static int fake_stop(void *o, uint32_t core, bool global,
                     struct mcdshm_status *st)
{
    uint32_t i;

    (void)o;
    (void)st;
    for (i = 0; i < NCORES; i++) {
        if ((global || i == core) && F.state[i] == MCD_CORE_STATE_RUNNING) {
            F.state[i] = MCD_CORE_STATE_DEBUG;
            F.events[i] |= MCD_CORE_EVENT_STOPPED;
        }
    }
    return 0;
}

static int fake_step(void *o, uint32_t core, bool global,
                     mcd_core_step_type_et type, uint32_t n,
                     struct mcdshm_status *st)
{
    (void)o;
    (void)global;
    (void)type;
    if (F.state[core] != MCD_CORE_STATE_DEBUG) {
        return mcdshm_fail(st, MCD_ERR_GENERAL,
                           "hart%" PRIu32 " is running; stop it first", core);
    }
    F.regs[core][REG_PC] += 4ull * n;
    F.events[core] |= MCD_CORE_EVENT_STOPPED;
    return 0;
}

static int fake_state(void *o, uint32_t core, mcd_core_state_st *state,
                      struct mcdshm_status *st)
{
    (void)o;
    (void)st;
    pthread_mutex_lock(&F.lock);
    state->state = F.state[core];
    state->event = F.events[core];
    F.events[core] = 0;
    state->trig_id = F.stop_trig[core];
    if (state->trig_id) {
        strcpy(state->stop_str, "trigger");
    }
    pthread_mutex_unlock(&F.lock);
    return 0;
}

static int fake_trig_insert(void *o, uint32_t core, uint32_t id,
                            mcd_trig_complex_core_st *t,
                            struct mcdshm_status *st)
{
    uint64_t lo, hi;
    int i;

    (void)o;
    if (t->type == MCD_TRIG_TYPE_NOCYCLE) {
        return mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                           "NOCYCLE triggers are not supported by the fake");
    }
    lo = t->addr_start.address & ~7ull;
    hi = (t->addr_start.address + t->addr_range) | 7ull;
    if (t->type != MCD_TRIG_TYPE_IP &&
        (lo != t->addr_start.address || hi - lo != t->addr_range)) {
        t->addr_start.address = lo;
        t->addr_range = hi - lo;
        t->modified = TRUE;
    }
    pthread_mutex_lock(&F.lock);
    for (i = 0; i < FAKE_TRIGS && F.trigs[core][i].live; i++) {
    }
    cr_assert_lt(i, FAKE_TRIGS);
    F.trigs[core][i] = (struct fake_trig){ true, id, *t };
    F.inserts++;
    pthread_mutex_unlock(&F.lock);
    return 0;
}

static int fake_trig_remove(void *o, uint32_t core, uint32_t id,
                            struct mcdshm_status *st)
{
    int i, ret = -1;

    (void)o;
    if (F.refuse_remove) {
        return mcdshm_fail(st, MCD_ERR_TRIG_ACCESS,
                           "trigger %" PRIu32 " is stuck", id);
    }
    pthread_mutex_lock(&F.lock);
    for (i = 0; i < FAKE_TRIGS; i++) {
        if (F.trigs[core][i].live && F.trigs[core][i].id == id) {
            F.trigs[core][i].live = false;
            F.removes++;
            ret = 0;
        }
    }
    pthread_mutex_unlock(&F.lock);
    return ret ? mcdshm_fail(st, MCD_ERR_TRIG_ACCESS, "no trigger %" PRIu32, id)
               : 0;
}

static int fake_reset(void *o, uint32_t core, uint32_t vector, bool halt,
                      struct mcdshm_status *st)
{
    (void)o;
    (void)core;
    (void)st;
    F.last_rst = vector;
    F.last_halt = halt;
    F.nresets++;
    return 0;
}

static const struct mcdshm_target_ops fake_ops = {
    .core_info = fake_core_info,
    .mem_spaces = fake_mem_spaces,
    .reg_groups = fake_reg_groups,
    .regs = fake_regs,
    .trig_info = fake_trig_info,
    .rst_classes = fake_rst_classes,
    .access = fake_access,
    .run = fake_run,
    .stop = fake_stop,
    .step = fake_step,
    .state = fake_state,
    .trig_insert = fake_trig_insert,
    .trig_remove = fake_trig_remove,
    .reset = fake_reset,
};

/* --- The optional operations, for the rich target --- */

static uint32_t fake_mem_blocks(void *o, uint32_t core, uint32_t space,
                                mcd_memblock_st *out, uint32_t max)
{
    static const char *const names[] = { "rom", "ram" };
    uint32_t i;

    (void)o;
    (void)core;
    if (space != SP_PHYS) {
        return 0;
    }
    for (i = 0; i < max && i < 2; i++) {
        memset(&out[i], 0, sizeof(out[i]));
        out[i].mem_block_id = i + 1;
        strcpy(out[i].mem_block_name, names[i]);
        out[i].start_addr = i * 1024;
        out[i].end_addr = i ? RAM_SIZE - 1 : 1023;
    }
    return 2;
}

static uint32_t fake_core_modes(void *o, uint32_t core,
                                mcd_core_mode_info_st *out, uint32_t max)
{
    static const mcd_core_mode_info_st m[] = { { 1, "user" },
                                               { 2, "machine" } };
    uint32_t i;

    (void)o;
    (void)core;
    for (i = 0; i < max && i < 2; i++) {
        out[i] = m[i];
    }
    return 2;
}

static int fake_run_until(void *o, uint32_t core, bool global, bool absolute,
                          uint64_t time, struct mcdshm_status *st)
{
    (void)o;
    (void)core;
    (void)global;
    (void)st;
    F.until = absolute ? time : time + 1;
    return 0;
}

static int fake_set_global(void *o, uint32_t core, bool enable,
                           struct mcdshm_status *st)
{
    (void)o;
    (void)core;
    (void)enable;
    (void)st;
    F.set_global_calls++;
    return 0;
}

static int fake_current_time(void *o, uint32_t core, uint64_t *ps,
                             struct mcdshm_status *st)
{
    (void)o;
    (void)core;
    (void)st;
    *ps = 1234000;
    return 0;
}

static int fake_command(void *o, uint32_t core, const char *cmd, char *result,
                        uint32_t size, struct mcdshm_status *st)
{
    (void)o;
    (void)core;
    if (strncmp(cmd, "echo ", 5)) {
        return mcdshm_fail(st, MCD_ERR_GENERAL, "unknown command \"%s\"", cmd);
    }
    snprintf(result, size, "%s", cmd + 5);
    return 0;
}

static int fake_description(void *o, uint32_t core, char *url, uint32_t size,
                            struct mcdshm_status *st)
{
    (void)o;
    (void)core;
    (void)st;
    snprintf(url, size, "file:///fake/device.xml");
    return 0;
}

static int fake_chl_open(void *o, uint32_t core, mcd_chl_st *chl,
                         struct mcdshm_status *st)
{
    (void)o;
    (void)core;
    (void)st;
    chl->chl_id = ++F.next_chl;
    if (chl->max_msg_len > sizeof(F.chl_buf) || !chl->max_msg_len) {
        chl->max_msg_len = sizeof(F.chl_buf);
    }
    return 0;
}

static int fake_chl_send(void *o, uint32_t id, const uint8_t *msg, uint32_t len,
                         struct mcdshm_status *st)
{
    (void)o;
    if (len > sizeof(F.chl_buf)) {
        return mcdshm_fail(st, MCD_ERR_CHL_MESSAGE_FAILED,
                           "message of %" PRIu32 " bytes on channel %" PRIu32
                           " is too long",
                           len, id);
    }
    memcpy(F.chl_buf, msg, len);
    F.chl_len = len;
    return 0;
}

static int fake_chl_receive(void *o, uint32_t id, uint32_t timeout_ms,
                            uint8_t *msg, uint32_t *len,
                            struct mcdshm_status *st)
{
    (void)o;
    (void)id;
    (void)timeout_ms;
    (void)st;
    *len = F.chl_len < *len ? F.chl_len : *len;
    memcpy(msg, F.chl_buf, *len);
    return 0;
}

static int fake_chl_reset(void *o, uint32_t id, struct mcdshm_status *st)
{
    (void)o;
    (void)id;
    (void)st;
    F.chl_len = 0;
    return 0;
}

static int fake_chl_close(void *o, uint32_t id, struct mcdshm_status *st)
{
    (void)o;
    (void)id;
    (void)st;
    F.chl_closes++;
    return 0;
}

static uint32_t fake_traces(void *o, uint32_t core, mcd_trace_info_st *out,
                            uint32_t max)
{
    uint32_t i;

    (void)o;
    (void)core;
    for (i = 0; i < max && i < 2; i++) {
        memset(&out[i], 0, sizeof(out[i]));
        out[i].trace_id = i + 1;
        strcpy(out[i].trace_name, i ? "stats" : "core trace");
        out[i].trace_type = i ? MCD_TRACE_TYPE_STAT : MCD_TRACE_TYPE_CORE;
        out[i].trace_format =
            i ? MCD_TRACE_FORMAT_STAT : MCD_TRACE_FORMAT_CORE_EXECUTE;
        out[i].trace_modes = MCD_TRACE_MODE_FIFO;
    }
    return 2;
}

static int fake_trace_state(void *o, uint32_t core, uint32_t id,
                            mcd_trace_state_st *state, struct mcdshm_status *st)
{
    (void)o;
    (void)core;
    (void)id;
    (void)st;
    *state = F.trace_state;
    state->frames = NFRAMES;
    return 0;
}

static int fake_set_trace_state(void *o, uint32_t core, uint32_t id,
                                mcd_trace_state_st *state,
                                struct mcdshm_status *st)
{
    (void)o;
    (void)core;
    (void)id;
    (void)st;
    if (state->mode & ~MCD_TRACE_MODE_FIFO) {
        state->mode = MCD_TRACE_MODE_FIFO;
        state->modified = TRUE;
    }
    F.trace_state = *state;
    return 0;
}

static int fake_read_trace(void *o, uint32_t core, uint32_t id, uint64_t start,
                           uint32_t *num, uint32_t size, void *frames,
                           struct mcdshm_status *st)
{
    uint32_t avail = id == 1 ? NFRAMES : 3, i;

    (void)o;
    (void)core;
    if (size != (id == 1 ? sizeof(mcd_trace_data_core_st)
                         : sizeof(mcd_trace_data_stat_st))) {
        return mcdshm_fail(st, MCD_ERR_PARAM, "frame size %" PRIu32, size);
    }
    if (!*num) {
        *num = avail;
        return 0;
    }
    for (i = 0; i < *num && start + i < avail; i++) {
        uint8_t *f = (uint8_t *)frames + (size_t)i * size;
        uint64_t ts = start + i;

        memset(f, 0, size);
        memcpy(f, &ts, sizeof(ts)); /* timestamp leads every frame */
    }
    *num = i;
    return 0;
}

static const struct mcdshm_target_ops rich_ops = {
    .core_info = fake_core_info,
    .mem_spaces = fake_mem_spaces,
    .mem_blocks = fake_mem_blocks,
    .reg_groups = fake_reg_groups,
    .regs = fake_regs,
    .core_modes = fake_core_modes,
    .trig_info = fake_trig_info,
    .rst_classes = fake_rst_classes,
    .access = fake_access,
    .run = fake_run,
    .stop = fake_stop,
    .step = fake_step,
    .run_until = fake_run_until,
    .set_global = fake_set_global,
    .state = fake_state,
    .current_time = fake_current_time,
    .trig_insert = fake_trig_insert,
    .trig_remove = fake_trig_remove,
    .reset = fake_reset,
    .execute_command = fake_command,
    .device_description = fake_description,
    .chl_open = fake_chl_open,
    .chl_send = fake_chl_send,
    .chl_receive = fake_chl_receive,
    .chl_reset = fake_chl_reset,
    .chl_close = fake_chl_close,
    .traces = fake_traces,
    .trace_state = fake_trace_state,
    .set_trace_state = fake_set_trace_state,
    .read_trace = fake_read_trace,
};

/* --- Fixture and helpers --- */

static struct mcdshm_target T;
static struct mcdcore *C;
static struct mcdcore_session *S;

static void setup_with(const struct mcdshm_target_ops *ops, uint32_t ncores)
{
    uint32_t i;

    for (i = 0; i < NCORES; i++) {
        F.state[i] = MCD_CORE_STATE_DEBUG;
        F.regs[i][REG_PC] = LOG_BASE + i * 0x100;
    }
    F.trace_state.state = MCD_TRACE_STATE_ARM;
    T = (struct mcdshm_target){ .system = "fake-sys",
                                .device = "fake-dev",
                                .device_type = 0x1234,
                                .device_id = 7,
                                .ncores = ncores,
                                .ops = ops };
    cr_assert_eq(mcdcore_create(&T, "test-server", &C), 0);
    cr_assert_eq(mcdcore_session_open(C, &S), 0);
}

static void setup(void)
{
    setup_with(&fake_ops, NCORES);
}

static void setup_rich(void)
{
    setup_with(&rich_ops, 2);
}

static void teardown(void)
{
    mcdcore_session_close(S);
    mcdcore_destroy(C);
}

#define CORE_TEST(name) \
    Test(core, name, .init = setup, .fini = teardown, .timeout = 30)
#define RICH_TEST(name) \
    Test(core_rich, name, .init = setup_rich, .fini = teardown, .timeout = 30)

#define OK(call) cr_assert_eq((call), MCD_RET_ACT_NONE, "%s failed", #call)
#define FAILS(call) \
    cr_assert_eq((call), MCD_RET_ACT_HANDLE_ERROR, "%s did not fail", #call)

/* The last error of @s for @uid must be @code with a message holding @sub. */
static void expect_err(struct mcdcore_session *s, uint32_t uid,
                       mcd_error_code_et code, const char *sub)
{
    mcd_error_info_st e;

    mcdcore_qry_error_info(s, uid, &e);
    cr_assert_eq(e.return_status, MCD_RET_ACT_HANDLE_ERROR,
                 "return_status %u for \"%s\"", e.return_status, e.error_str);
    cr_assert_eq(e.error_code, code, "error_code 0x%x, want 0x%x: \"%s\"",
                 e.error_code, code, e.error_str);
    cr_assert_neq(e.error_str[0], '\0', "empty error message");
    if (sub) {
        cr_assert(strstr(e.error_str, sub), "\"%s\" does not say \"%s\"",
                  e.error_str, sub);
    }
}

static void expect_none(struct mcdcore_session *s, uint32_t uid)
{
    mcd_error_info_st e;

    mcdcore_qry_error_info(s, uid, &e);
    cr_assert_eq(e.return_status, MCD_RET_ACT_NONE, "\"%s\"", e.error_str);
    cr_assert_eq(e.error_code, MCD_ERR_NONE, "\"%s\"", e.error_str);
}

static uint32_t open_core(struct mcdcore_session *s, uint32_t id)
{
    mcd_core_con_info_st ci = { 0 };
    uint32_t uid = 0;

    ci.core_id = id;
    OK(mcdcore_open_core(s, &ci, &uid, NULL));
    cr_assert_neq(uid, 0);
    return uid;
}

static int fake_live_trigs(uint32_t core)
{
    int i, n = 0;

    for (i = 0; i < FAKE_TRIGS; i++) {
        n += F.trigs[core][i].live;
    }
    return n;
}

static mcd_trig_simple_core_st simple_trig(mcd_trig_type_et type, uint64_t addr,
                                           uint64_t range)
{
    mcd_trig_simple_core_st t = { 0 };

    t.struct_size = sizeof(t);
    t.type = type;
    t.action = MCD_TRIG_ACTION_DBG_DEBUG;
    t.addr_start.address = addr;
    t.addr_start.mem_space_id = SP_LOG;
    t.addr_range = range;
    return t;
}

static mcd_tx_st tx_make(uint32_t space, uint64_t addr, uint32_t type,
                         uint8_t width, uint8_t *data, uint32_t n)
{
    mcd_tx_st tx = { 0 };

    tx.addr.address = addr;
    tx.addr.mem_space_id = space;
    tx.access_type = type;
    tx.access_width = width;
    tx.data = data;
    tx.num_bytes = n;
    return tx;
}

static uint64_t read_reg(uint32_t uid, uint32_t reg)
{
    uint64_t v = 0;
    mcd_tx_st tx = tx_make(SP_REGS, reg, MCD_TX_AT_R, 8, (uint8_t *)&v, 8);
    mcd_txlist_st l = { &tx, 1, 0 };

    OK(mcdcore_execute_txlist(S, uid, &l));
    return v;
}

/* --- Creation, sessions, initialize --- */

CORE_TEST(create_validates_target)
{
    struct mcdshm_target_ops ops = fake_ops;
    struct mcdshm_target t = T;
    struct mcdcore_session *s;
    char longname[80];
    struct mcdcore *c;

    cr_assert_eq(mcdcore_create(NULL, "x", &c), -EINVAL);
    cr_assert_eq(mcdcore_create(&T, "x", NULL), -EINVAL);
    cr_assert_eq(mcdcore_create(&T, "", &c), -EINVAL);
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    cr_assert_eq(mcdcore_create(&T, longname, &c), -EINVAL);
    t.ncores = 0;
    cr_assert_eq(mcdcore_create(&t, "x", &c), -EINVAL);
    t = T;
    ops.access = NULL;
    t.ops = &ops;
    cr_assert_eq(mcdcore_create(&t, "x", &c), -EINVAL);
    cr_assert_null(c);
    cr_assert_eq(mcdcore_session_open(NULL, &s), -EINVAL);
    cr_assert_eq(mcdcore_target(C), &T);
    mcdcore_destroy(NULL);
    mcdcore_session_close(NULL);
}

CORE_TEST(mcdshm_fail_fills_status)
{
    struct mcdshm_status st;

    cr_assert_eq(mcdshm_fail(&st, MCD_ERR_TXLIST_READ, "bad %d", 42), -1);
    cr_assert_eq(st.code, MCD_ERR_TXLIST_READ);
    cr_assert_str_eq(st.msg, "bad 42");
    cr_assert_eq(mcdshm_fail(NULL, MCD_ERR_GENERAL, "x"), -1);
}

CORE_TEST(initialize)
{
    mcd_api_version_st v = { 1, 1, "tool" };
    mcd_impl_version_info_st impl;

    OK(mcdcore_initialize(S, &v, &impl));
    cr_assert_eq(impl.v_api.v_api_major, 1);
    cr_assert_eq(impl.v_api.v_api_minor, 1);
    cr_assert_str_eq(impl.v_api.author, MCD_API_VER_AUTHOR);
    cr_assert_str_eq(impl.vendor, "mcdshm");
    cr_assert_eq(impl.v_imp_major, 0);
    cr_assert_eq(impl.v_imp_minor, 1);
    cr_assert_neq(impl.date[0], '\0');
    expect_none(S, 0);
    v.v_api_minor = 0;
    OK(mcdcore_initialize(S, &v, &impl));
    v.v_api_major = 2;
    FAILS(mcdcore_initialize(S, &v, &impl));
    expect_err(S, 0, MCD_ERR_GENERAL, "2.0");
    v = (mcd_api_version_st){ 1, 2, "" };
    FAILS(mcdcore_initialize(S, &v, &impl));
    expect_err(S, 0, MCD_ERR_GENERAL, "1.2");
    FAILS(mcdcore_initialize(S, NULL, &impl));
    expect_err(S, 0, MCD_ERR_PARAM, "version_req");
}

/* --- Servers --- */

CORE_TEST(qry_servers)
{
    mcd_server_info_st si[4];
    char inst[64];
    uint32_t n = 0;

    OK(mcdcore_qry_servers(S, "localhost", TRUE, 0, &n, NULL));
    cr_assert_eq(n, 1);
    n = 4;
    OK(mcdcore_qry_servers(S, "localhost", TRUE, 0, &n, si));
    cr_assert_eq(n, 1);
    cr_assert_str_eq(si[0].server, "test-server");
    snprintf(inst, sizeof(inst), "Process ID: %ld", (long)getpid());
    cr_assert_str_eq(si[0].system_instance, inst);
    cr_assert_str_eq(si[0].acc_hw, "");
    n = 1;
    OK(mcdcore_qry_servers(S, "", FALSE, 0, &n, si));
    cr_assert_eq(n, 1);
    n = 0;
    OK(mcdcore_qry_servers(S, "", TRUE, 5, &n, NULL));
    cr_assert_eq(n, 1);
    n = 1;
    FAILS(mcdcore_qry_servers(S, "", TRUE, 1, &n, si));
    expect_err(S, 0, MCD_ERR_PARAM, "start_index 1 is past the 1 servers");
    FAILS(mcdcore_qry_servers(S, "", TRUE, 0, NULL, si));
    expect_err(S, 0, MCD_ERR_PARAM, "num_servers");
    n = 1;
    FAILS(mcdcore_qry_servers(S, "", TRUE, 0, &n, NULL));
    expect_err(S, 0, MCD_ERR_PARAM, "server_info");
}

CORE_TEST(open_close_server)
{
    uint32_t a = 0, b = 0;
    char msg[32];

    OK(mcdcore_open_server(S, "key", "", &a));
    OK(mcdcore_open_server(S, NULL, NULL, &b));
    cr_assert_neq(a, 0);
    cr_assert_neq(a, b);
    OK(mcdcore_close_server(S, a));
    FAILS(mcdcore_close_server(S, a));
    snprintf(msg, sizeof(msg), "server uid %" PRIu32, a);
    expect_err(S, 0, MCD_ERR_PARAM, msg);
    FAILS(mcdcore_close_server(S, 999));
    expect_err(S, 0, MCD_ERR_PARAM, "999");
    FAILS(mcdcore_open_server(S, "", "McdServerName=\"other\"", &a));
    expect_err(S, 0, MCD_ERR_CONNECTION, "other");
    FAILS(mcdcore_open_server(S, "", "McdHostName=x McdServerName=nope", &a));
    expect_err(S, 0, MCD_ERR_CONNECTION, "nope");
    OK(mcdcore_open_server(S, "",
                           "McdHostName=\"localhost\" "
                           "McdServerName=\"test-server\"",
                           &a));
    FAILS(mcdcore_open_server(S, "", "", NULL));
    expect_err(S, 0, MCD_ERR_PARAM, "server_uid");
}

CORE_TEST(server_config)
{
    char cfg[256];
    uint32_t uid, len = 0;

    OK(mcdcore_open_server(S, "", "", &uid));
    OK(mcdcore_qry_server_config(S, uid, &len, NULL));
    cr_assert_gt(len, 1);
    cr_assert_lt(len, sizeof(cfg));
    {
        uint32_t small = 4;

        FAILS(mcdcore_qry_server_config(S, uid, &small, cfg));
        expect_err(S, 0, MCD_ERR_RESULT_TOO_LONG, "max_len is 4");
        cr_assert_eq(small, len);
    }
    len = sizeof(cfg);
    OK(mcdcore_qry_server_config(S, uid, &len, cfg));
    cr_assert_eq(len, strlen(cfg) + 1);
    cr_assert(strstr(cfg, "McdServerName=\"test-server\""), "%s", cfg);
    /* Replaying the string is accepted. */
    OK(mcdcore_set_server_config(S, uid, cfg));
    FAILS(mcdcore_set_server_config(S, uid, NULL));
    expect_err(S, 0, MCD_ERR_PARAM, "config_string");
    FAILS(mcdcore_set_server_config(S, uid + 100, cfg));
    expect_err(S, 0, MCD_ERR_PARAM, "is not open");
    FAILS(mcdcore_qry_server_config(S, uid, NULL, cfg));
    expect_err(S, 0, MCD_ERR_PARAM, "max_len");
}

CORE_TEST(close_last_server_closes_cores)
{
    uint32_t a, b, n = 0, core;

    OK(mcdcore_open_server(S, "", "", &a));
    OK(mcdcore_open_server(S, "", "", &b));
    core = open_core(S, 0);
    OK(mcdcore_close_server(S, a));
    OK(mcdcore_qry_mem_spaces(S, core, 0, &n, NULL));
    OK(mcdcore_close_server(S, b));
    FAILS(mcdcore_qry_mem_spaces(S, core, 0, &n, NULL));
    expect_err(S, core, MCD_ERR_PARAM, "is not open");
}

/* --- Systems, devices, cores --- */

CORE_TEST(qry_systems_devices)
{
    mcd_core_con_info_st sys[2], dev[2], bad = { 0 };
    uint32_t uid, n = 0;

    OK(mcdcore_open_server(S, "key1", "", &uid));
    OK(mcdcore_qry_systems(S, 0, &n, NULL));
    cr_assert_eq(n, 1);
    n = 2;
    OK(mcdcore_qry_systems(S, 0, &n, sys));
    cr_assert_eq(n, 1);
    cr_assert_str_eq(sys[0].system, "fake-sys");
    cr_assert_str_eq(sys[0].system_key, "key1");
    cr_assert(strstr(sys[0].system_instance, "Process ID: "));
    n = 1;
    FAILS(mcdcore_qry_systems(S, 1, &n, sys));
    expect_err(S, 0, MCD_ERR_PARAM, "start_index 1 is past the 1 systems");
    n = 0;
    OK(mcdcore_qry_devices(S, &sys[0], 0, &n, NULL));
    cr_assert_eq(n, 1);
    n = 2;
    OK(mcdcore_qry_devices(S, &sys[0], 0, &n, dev));
    cr_assert_eq(n, 1);
    cr_assert_str_eq(dev[0].device, "fake-dev");
    cr_assert_eq(dev[0].device_type, 0x1234);
    cr_assert_eq(dev[0].device_id, 7);
    cr_assert_str_eq(dev[0].system, "fake-sys");
    strcpy(bad.system, "nope");
    n = 1;
    FAILS(mcdcore_qry_devices(S, &bad, 0, &n, dev));
    expect_err(S, 0, MCD_ERR_PARAM, "system \"nope\"");
    FAILS(mcdcore_qry_devices(S, NULL, 0, &n, dev));
    expect_err(S, 0, MCD_ERR_PARAM, "system_con_info");
}

CORE_TEST(qry_cores_paging)
{
    mcd_core_con_info_st sel = { 0 }, ci[10];
    uint32_t n = 0;

    strcpy(sel.system, "fake-sys");
    OK(mcdcore_qry_cores(S, &sel, 0, &n, NULL));
    cr_assert_eq(n, NCORES);
    n = 2;
    OK(mcdcore_qry_cores(S, &sel, 1, &n, ci));
    cr_assert_eq(n, 2);
    cr_assert_eq(ci[0].core_id, 1);
    cr_assert_str_eq(ci[1].core, "hart2");
    cr_assert_str_eq(ci[1].device, "fake-dev");
    cr_assert_eq(ci[1].core_type, 243);
    n = 10;
    OK(mcdcore_qry_cores(S, &sel, 3, &n, ci));
    cr_assert_eq(n, 1);
    cr_assert_str_eq(ci[0].core, "hart3");
    n = 1;
    FAILS(mcdcore_qry_cores(S, &sel, 4, &n, ci));
    expect_err(S, 0, MCD_ERR_PARAM, "start_index 4 is past the 4 cores");
    n = 0;
    OK(mcdcore_qry_cores(S, &sel, 9, &n, NULL));
    cr_assert_eq(n, NCORES);
    strcpy(sel.device, "other-dev");
    n = 1;
    FAILS(mcdcore_qry_cores(S, &sel, 0, &n, ci));
    expect_err(S, 0, MCD_ERR_PARAM, "device \"other-dev\"");
}

CORE_TEST(open_core_rules)
{
    mcd_core_con_info_st ci = { 0 }, full;
    uint32_t uid = 0, again = 0;
    char msg[64];

    ci.core_id = 2;
    OK(mcdcore_open_core(S, &ci, &uid, &full));
    cr_assert_str_eq(full.core, "hart2");
    cr_assert_str_eq(full.system, "fake-sys");
    cr_assert_str_eq(full.device, "fake-dev");
    cr_assert_eq(full.core_id, 2);
    FAILS(mcdcore_open_core(S, &ci, &again, NULL));
    snprintf(msg, sizeof(msg), "(core uid %" PRIu32 ")", uid);
    expect_err(S, 0, MCD_ERR_PARAM, "core hart2 is already open");
    expect_err(S, 0, MCD_ERR_PARAM, msg);
    expect_none(S, uid); /* the core's own slot is untouched */
    ci.core_id = NCORES;
    FAILS(mcdcore_open_core(S, &ci, &again, NULL));
    expect_err(S, 0, MCD_ERR_PARAM, "core_id 4");
    ci.core_id = 1;
    strcpy(ci.core, "hart2");
    FAILS(mcdcore_open_core(S, &ci, &again, NULL));
    expect_err(S, 0, MCD_ERR_PARAM, "\"hart2\"");
    strcpy(ci.core, "hart1");
    strcpy(ci.system, "elsewhere");
    FAILS(mcdcore_open_core(S, &ci, &again, NULL));
    expect_err(S, 0, MCD_ERR_PARAM, "system \"elsewhere\"");
    strcpy(ci.system, "fake-sys");
    OK(mcdcore_open_core(S, &ci, &again, NULL));
    cr_assert_neq(again, uid);
    FAILS(mcdcore_open_core(S, NULL, &again, NULL));
    expect_err(S, 0, MCD_ERR_PARAM, "core_con_info");
}

CORE_TEST(close_core_twice)
{
    uint32_t uid = open_core(S, 0);
    char msg[64];

    OK(mcdcore_close_core(S, uid));
    expect_none(S, 0);
    FAILS(mcdcore_close_core(S, uid));
    snprintf(msg, sizeof(msg), "core uid %" PRIu32 " is not open", uid);
    expect_err(S, 0, MCD_ERR_PARAM, msg);
    expect_err(S, uid, MCD_ERR_PARAM, msg);
    /* It can be opened again, under a new uid. */
    cr_assert_neq(open_core(S, 0), uid);
}

CORE_TEST(two_sessions_same_core)
{
    struct mcdcore_session *s2;
    uint32_t a, b, n = 0;

    cr_assert_eq(mcdcore_session_open(C, &s2), 0);
    a = open_core(S, 0);
    b = open_core(s2, 0);
    OK(mcdcore_qry_mem_spaces(s2, b, 0, &n, NULL));
    OK(mcdcore_close_core(s2, b));
    n = 0;
    OK(mcdcore_qry_mem_spaces(S, a, 0, &n, NULL));
    cr_assert_eq(n, 3);
    mcdcore_session_close(s2);
    n = 0;
    OK(mcdcore_qry_mem_spaces(S, a, 0, &n, NULL));
}

CORE_TEST(error_info_core_vs_coreless)
{
    uint32_t uid = open_core(S, 0), n = 1;
    mcd_core_con_info_st ci[1];
    mcd_memblock_st mb[1];
    mcd_error_info_st e;

    FAILS(mcdcore_qry_mem_blocks(S, uid, 0, 0, &n, mb));
    expect_err(S, uid, MCD_ERR_PARAM, "mem_space_id 0 is reserved");
    expect_none(S, 0);
    n = 1;
    FAILS(mcdcore_qry_systems(S, 3, &n, ci));
    expect_err(S, 0, MCD_ERR_PARAM, "start_index 3");
    expect_err(S, uid, MCD_ERR_PARAM, "mem_space_id 0");
    n = 0;
    OK(mcdcore_qry_mem_spaces(S, uid, 0, &n, NULL));
    expect_none(S, uid);
    expect_err(S, 0, MCD_ERR_PARAM, "start_index 3");
    FAILS(mcdcore_qry_mem_spaces(S, 777, 0, &n, NULL));
    expect_err(S, 0, MCD_ERR_PARAM, "core uid 777 is not open");
    expect_err(S, 777, MCD_ERR_PARAM, "core uid 777 is not open");
    FAILS(mcdcore_qry_mem_spaces(S, 0, 0, &n, NULL));
    expect_err(S, 0, MCD_ERR_PARAM, "core uid 0");
    mcdcore_qry_error_info(NULL, 0, &e);
    cr_assert_eq(e.error_code, MCD_ERR_PARAM);
    mcdcore_qry_error_info(S, 0, NULL);
}

/* --- Memory and registers --- */

CORE_TEST(mem_spaces_blocks_overlays)
{
    uint32_t uid = open_core(S, 1), n = 0, ov[4];
    mcd_memspace_st sp[5];
    mcd_memblock_st mb[4];

    OK(mcdcore_qry_mem_spaces(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 3);
    n = 5;
    OK(mcdcore_qry_mem_spaces(S, uid, 1, &n, sp));
    cr_assert_eq(n, 2);
    cr_assert_eq(sp[0].mem_space_id, SP_LOG);
    cr_assert_eq(sp[1].mem_space_id, SP_REGS);
    cr_assert_str_eq(sp[1].mem_space_name, "regs");
    n = 1;
    FAILS(mcdcore_qry_mem_spaces(S, uid, 3, &n, sp));
    expect_err(S, uid, MCD_ERR_PARAM,
               "start_index 3 is past the 3 memory spaces");
    n = 0;
    OK(mcdcore_qry_mem_blocks(S, uid, SP_PHYS, 0, &n, NULL));
    cr_assert_eq(n, 0);
    n = 4;
    /* Fetching from an empty list: start 0 is past its 0 entries. */
    FAILS(mcdcore_qry_mem_blocks(S, uid, SP_PHYS, 0, &n, mb));
    expect_err(S, uid, MCD_ERR_PARAM, "start_index 0 is past the 0");
    FAILS(mcdcore_qry_mem_blocks(S, uid, 9, 0, &n, mb));
    expect_err(S, uid, MCD_ERR_MEM_SPACE_ID, "mem_space_id 9");
    n = 0;
    OK(mcdcore_qry_active_overlays(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 0);
    n = 4;
    FAILS(mcdcore_qry_active_overlays(S, uid, 0, &n, ov));
    expect_err(S, uid, MCD_ERR_PARAM, "start_index 0 is past the 0");
    n = 4;
    FAILS(mcdcore_qry_active_overlays(S, uid, 1, &n, ov));
    expect_err(S, uid, MCD_ERR_PARAM, "active overlays");
}

CORE_TEST(reg_groups_and_map)
{
    uint32_t uid = open_core(S, 0), n = 0, ids[4];
    mcd_register_group_st g[4];
    mcd_register_info_st r[40];

    OK(mcdcore_qry_reg_groups(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 2);
    n = 4;
    OK(mcdcore_qry_reg_groups(S, uid, 0, &n, g));
    cr_assert_eq(n, 2);
    cr_assert_eq(g[0].reg_group_id, 1);
    cr_assert_str_eq(g[1].reg_group_name, "csr");
    n = 0;
    OK(mcdcore_qry_reg_map(S, uid, 0, 0, &n, NULL));
    cr_assert_eq(n, NREGS);
    n = 0;
    OK(mcdcore_qry_reg_map(S, uid, 1, 0, &n, NULL));
    cr_assert_eq(n, 33);
    n = 10;
    OK(mcdcore_qry_reg_map(S, uid, 1, 30, &n, r));
    cr_assert_eq(n, 3);
    cr_assert_str_eq(r[0].regname, "x30");
    cr_assert_str_eq(r[2].regname, "pc");
    n = 1;
    OK(mcdcore_qry_reg_map(S, uid, 2, 0, &n, r));
    cr_assert_str_eq(r[0].regname, "mstatus");
    cr_assert_eq(r[0].addr.mem_space_id, SP_REGS);
    n = 40;
    OK(mcdcore_qry_reg_map(S, uid, 0, 33, &n, r));
    cr_assert_eq(n, 1);
    FAILS(mcdcore_qry_reg_map(S, uid, 0, 34, &n, r));
    expect_err(S, uid, MCD_ERR_PARAM, "start_index 34 is past the 34");
    FAILS(mcdcore_qry_reg_map(S, uid, 7, 0, &n, r));
    expect_err(S, uid, MCD_ERR_REG_GROUP_ID, "reg_group_id 7");
    n = 4;
    FAILS(mcdcore_qry_reg_compound(S, uid, 5, 0, &n, ids));
    expect_err(S, uid, MCD_ERR_REG_NOT_COMPOUND, "register 5");
}

CORE_TEST(implicit_group0)
{
    uint32_t uid = open_core(S, 0), n = 0;
    mcd_register_group_st g[2];
    mcd_register_info_st r[2];

    F.no_groups = true;
    OK(mcdcore_qry_reg_groups(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 1);
    n = 2;
    OK(mcdcore_qry_reg_groups(S, uid, 0, &n, g));
    cr_assert_eq(n, 1);
    cr_assert_eq(g[0].reg_group_id, 0);
    cr_assert_eq(g[0].n_registers, NREGS);
    n = 0;
    OK(mcdcore_qry_reg_map(S, uid, 0, 0, &n, NULL));
    cr_assert_eq(n, NREGS);
    n = 2;
    FAILS(mcdcore_qry_reg_map(S, uid, 1, 0, &n, r));
    expect_err(S, uid, MCD_ERR_REG_GROUP_ID, "reg_group_id 1");
    n = 2;
    FAILS(mcdcore_qry_reg_groups(S, uid, 1, &n, g));
    expect_err(S, uid, MCD_ERR_PARAM, "register groups");
}

CORE_TEST(modes_description_payload_handle)
{
    uint32_t uid = open_core(S, 0), n = 0, v = 0;
    mcd_core_mode_info_st m[2];
    char url[64];

    OK(mcdcore_qry_core_modes(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 0);
    n = 2;
    FAILS(mcdcore_qry_core_modes(S, uid, 0, &n, m));
    expect_err(S, uid, MCD_ERR_PARAM, "start_index 0 is past the 0");
    n = 2;
    FAILS(mcdcore_qry_core_modes(S, uid, 1, &n, m));
    expect_err(S, uid, MCD_ERR_PARAM, "start_index 1 is past the 0 core modes");
    n = sizeof(url);
    FAILS(mcdcore_qry_device_description(S, uid, url, &n));
    expect_err(S, uid, MCD_ERR_GENERAL, "fake-sys has no device description");
    OK(mcdcore_qry_max_payload_size(S, uid, &v));
    cr_assert_eq(v, 16u << 20);
    cr_assert_geq(v, MCD_GUARANTEED_MIN_PAYLOAD);
    OK(mcdcore_qry_input_handle(S, uid, &v));
    cr_assert_eq(v, 0xFFFFFFFFu);
    FAILS(mcdcore_qry_input_handle(S, uid, NULL));
    expect_err(S, uid, MCD_ERR_PARAM, "input_handle");
    FAILS(mcdcore_qry_max_payload_size(S, uid, NULL));
    expect_err(S, uid, MCD_ERR_PARAM, "max_payload");
}

/* --- Triggers --- */

CORE_TEST(trig_info_and_ctrigs)
{
    uint32_t uid = open_core(S, 0), n = 0;
    mcd_ctrig_info_st ct[2];
    mcd_trig_info_st ti;

    OK(mcdcore_qry_trig_info(S, uid, &ti));
    cr_assert(ti.type & MCD_TRIG_TYPE_IP);
    cr_assert_eq(ti.trig_number, MCD_MAX_TRIGS);
    OK(mcdcore_qry_ctrigs(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 0);
    n = 2;
    FAILS(mcdcore_qry_ctrigs(S, uid, 1, &n, ct));
    expect_err(S, uid, MCD_ERR_PARAM, "custom triggers");
}

CORE_TEST(trig_simple_roundtrip)
{
    uint32_t uid = open_core(S, 0), id = 0;
    mcd_trig_simple_core_st t =
        simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE + 0x100, 0);
    uint8_t buf[sizeof(mcd_trig_complex_core_st)];
    mcd_trig_simple_core_st back;
    size_t i;

    t.modified = TRUE; /* an input value the core must clear */
    OK(mcdcore_create_trig(S, uid, &t, &id));
    cr_assert_eq(id, 1);
    cr_assert_eq(t.modified, FALSE);
    cr_assert_eq(fake_live_trigs(0), 1);
    cr_assert_eq(F.trigs[0][0].t.struct_size, sizeof(mcd_trig_complex_core_st));
    cr_assert_eq(F.trigs[0][0].t.addr_start.address, LOG_BASE + 0x100);
    /* Exactly sizeof(simple) is enough (the seed asked for more). */
    OK(mcdcore_qry_trig(S, uid, id, sizeof(back), &back));
    cr_assert_eq(back.struct_size, sizeof(back));
    cr_assert_eq(back.type, MCD_TRIG_TYPE_IP);
    cr_assert_eq(back.addr_start.address, LOG_BASE + 0x100);
    FAILS(mcdcore_qry_trig(S, uid, id, sizeof(back) - 1, &back));
    expect_err(S, uid, MCD_ERR_RESULT_TOO_LONG, "64 bytes");
    memset(buf, 0xAA, sizeof(buf));
    OK(mcdcore_qry_trig(S, uid, id, sizeof(buf), buf));
    for (i = sizeof(back); i < sizeof(buf); i++) {
        cr_assert_eq(buf[i], 0xAA, "byte %zu past the simple trigger", i);
    }
}

CORE_TEST(trig_complex_roundtrip)
{
    uint32_t uid = open_core(S, 0), id = 0;
    mcd_trig_complex_core_st t = { 0 }, back;

    t.struct_size = sizeof(t);
    t.type = MCD_TRIG_TYPE_WRITE;
    t.option = MCD_TRIG_OPT_DATASIZE_IS_CONDITION;
    t.addr_start.address = LOG_BASE + 0x200;
    t.addr_start.mem_space_id = SP_LOG;
    t.addr_range = 7;
    t.data_size = 4;
    OK(mcdcore_create_trig(S, uid, &t, &id));
    cr_assert_eq(t.modified, FALSE);
    FAILS(mcdcore_qry_trig(S, uid, id, sizeof(mcd_trig_simple_core_st), &back));
    expect_err(S, uid, MCD_ERR_RESULT_TOO_LONG, "complex core trigger of 112");
    OK(mcdcore_qry_trig(S, uid, id, sizeof(back), &back));
    cr_assert_eq(back.struct_size, sizeof(back));
    cr_assert_eq(back.data_size, 4);
    cr_assert_eq(back.option, MCD_TRIG_OPT_DATASIZE_IS_CONDITION);
}

CORE_TEST(trig_modified_write_back)
{
    uint32_t uid = open_core(S, 0), id = 0;
    uint8_t buf[sizeof(mcd_trig_complex_core_st)];
    mcd_trig_simple_core_st t =
        simple_trig(MCD_TRIG_TYPE_READ, LOG_BASE + 0x103, 2);
    mcd_trig_complex_core_st cx = { 0 }, back;
    size_t i;

    /* A simple caller gets its 64 bytes back, nothing beyond. */
    memset(buf, 0xAA, sizeof(buf));
    memcpy(buf, &t, sizeof(t));
    OK(mcdcore_create_trig(S, uid, buf, &id));
    memcpy(&t, buf, sizeof(t));
    cr_assert_eq(t.modified, TRUE);
    cr_assert_eq(t.struct_size, sizeof(t));
    cr_assert_eq(t.addr_start.address, LOG_BASE + 0x100);
    cr_assert_eq(t.addr_range, 7);
    for (i = sizeof(t); i < sizeof(buf); i++) {
        cr_assert_eq(buf[i], 0xAA, "byte %zu was written", i);
    }
    OK(mcdcore_qry_trig(S, uid, id, sizeof(back), &back));
    cr_assert_eq(back.addr_range, 7);
    cr_assert_eq(back.struct_size, sizeof(mcd_trig_simple_core_st));
    /* A complex caller gets its 112 bytes back. */
    cx.struct_size = sizeof(cx);
    cx.type = MCD_TRIG_TYPE_RW;
    cx.addr_start.address = LOG_BASE + 0x301;
    cx.addr_start.mem_space_id = SP_LOG;
    cx.data_size = 2;
    OK(mcdcore_create_trig(S, uid, &cx, &id));
    cr_assert_eq(cx.modified, TRUE);
    cr_assert_eq(cx.struct_size, sizeof(cx));
    cr_assert_eq(cx.addr_start.address, LOG_BASE + 0x300);
    cr_assert_eq(cx.addr_range, 7);
    cr_assert_eq(cx.data_size, 2);
}

CORE_TEST(trig_rejects)
{
    uint32_t uid = open_core(S, 0), id = 0;
    mcd_trig_simple_core_st t = simple_trig(MCD_TRIG_TYPE_TRIG_BUS, 0, 0);
    mcd_trig_trig_bus_st bus = { .struct_size = sizeof(bus),
                                 .type = MCD_TRIG_TYPE_TRIG_BUS };
    mcd_trig_counter_st cnt = { .struct_size = sizeof(cnt),
                                .type = MCD_TRIG_TYPE_COUNTER };
    mcd_trig_custom_st cus = { .struct_size = sizeof(cus),
                               .type = MCD_TRIG_TYPE_CUSTOM };
    uint8_t odd[112] = { 50 };

    FAILS(mcdcore_create_trig(S, uid, &bus, &id));
    expect_err(S, uid, MCD_ERR_TRIG_CREATE, "trigger bus triggers");
    FAILS(mcdcore_create_trig(S, uid, &cnt, &id));
    expect_err(S, uid, MCD_ERR_TRIG_CREATE, "trigger counters");
    FAILS(mcdcore_create_trig(S, uid, &cus, &id));
    expect_err(S, uid, MCD_ERR_TRIG_CREATE, "custom triggers");
    FAILS(mcdcore_create_trig(S, uid, odd, &id));
    expect_err(S, uid, MCD_ERR_TRIG_CREATE, "struct_size 50");
    FAILS(mcdcore_create_trig(S, uid, &t, &id));
    expect_err(S, uid, MCD_ERR_TRIG_CREATE, "trigger type 0x20");
    t.type = MCD_TRIG_TYPE_NOCYCLE;
    FAILS(mcdcore_create_trig(S, uid, &t, &id));
    expect_err(S, uid, MCD_ERR_TRIG_CREATE, "NOCYCLE");
    FAILS(mcdcore_create_trig(S, uid, NULL, &id));
    expect_err(S, uid, MCD_ERR_PARAM, "trig");
    cr_assert_eq(fake_live_trigs(0), 0);
}

CORE_TEST(trig_limit)
{
    uint32_t uid = open_core(S, 0), id = 0, i;
    mcd_trig_simple_core_st t;

    for (i = 0; i < MCD_MAX_TRIGS; i++) {
        t = simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE + 4 * i, 0);
        OK(mcdcore_create_trig(S, uid, &t, &id));
        cr_assert_eq(id, i + 1);
    }
    t = simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE + 0x400, 0);
    FAILS(mcdcore_create_trig(S, uid, &t, &id));
    expect_err(S, uid, MCD_ERR_TRIG_CREATE, "maximum of 32 triggers");
    cr_assert_eq(fake_live_trigs(0), MCD_MAX_TRIGS);
    OK(mcdcore_remove_trig(S, uid, 5));
    OK(mcdcore_create_trig(S, uid, &t, &id));
    cr_assert_eq(id, MCD_MAX_TRIGS + 1); /* ids are not reused at once */
    /* The limit is per core. */
    uid = open_core(S, 1);
    OK(mcdcore_create_trig(S, uid, &t, &id));
    cr_assert_eq(id, 1);
}

CORE_TEST(trig_remove_and_set)
{
    uint32_t uid = open_core(S, 0), id, ids[5], n = 0, i;
    mcd_trig_simple_core_st t, back;
    mcd_trig_state_st ts;

    for (i = 0; i < 3; i++) {
        t = simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE + 4 * i, 0);
        OK(mcdcore_create_trig(S, uid, &t, &id));
    }
    OK(mcdcore_activate_trig_set(S, uid));
    OK(mcdcore_qry_trig_set(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 3);
    n = 5;
    OK(mcdcore_qry_trig_set(S, uid, 1, &n, ids));
    cr_assert_eq(n, 2);
    cr_assert_eq(ids[0], 2);
    cr_assert_eq(ids[1], 3);
    OK(mcdcore_remove_trig(S, uid, 2));
    FAILS(mcdcore_remove_trig(S, uid, 2));
    expect_err(S, uid, MCD_ERR_TRIG_ACCESS, "trigger 2 does not exist");
    FAILS(mcdcore_qry_trig(S, uid, 2, sizeof(back), &back));
    expect_err(S, uid, MCD_ERR_TRIG_ACCESS, "trigger 2");
    FAILS(mcdcore_qry_trig_state(S, uid, 99, &ts));
    expect_err(S, uid, MCD_ERR_TRIG_ACCESS, "trigger 99");
    n = 5;
    FAILS(mcdcore_qry_trig_set(S, uid, 2, &n, ids));
    expect_err(S, uid, MCD_ERR_PARAM, "start_index 2 is past the 2 triggers");
    OK(mcdcore_remove_trig_set(S, uid));
    cr_assert_eq(fake_live_trigs(0), 0);
    n = 0;
    OK(mcdcore_qry_trig_set(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 0);
}

CORE_TEST(trig_captured)
{
    uint32_t uid = open_core(S, 0), a, b;
    mcd_trig_simple_core_st t = simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE, 0);
    mcd_trig_set_state_st ss;
    mcd_core_state_st cs;
    mcd_trig_state_st ts;

    OK(mcdcore_create_trig(S, uid, &t, &a));
    OK(mcdcore_create_trig(S, uid, &t, &b));
    OK(mcdcore_qry_trig_set_state(S, uid, &ss));
    cr_assert_eq(ss.active, TRUE);
    OK(mcdcore_qry_trig_state(S, uid, a, &ts));
    cr_assert_eq(ts.active, TRUE);
    cr_assert_eq(ts.captured, FALSE);
    cr_assert_eq(ts.captured_valid, TRUE);
    cr_assert_eq(ts.count_valid, FALSE);
    /* Trigger a stops the core; qry_state sees it. */
    F.stop_trig[0] = a;
    F.events[0] = MCD_CORE_EVENT_STOPPED;
    OK(mcdcore_qry_state(S, uid, &cs));
    cr_assert_eq(cs.trig_id, a);
    cr_assert(cs.event & MCD_CORE_EVENT_STOPPED);
    /* qry_trig_state reports the last sample until the next one. */
    OK(mcdcore_qry_trig_state(S, uid, a, &ts));
    cr_assert_eq(ts.captured, FALSE);
    OK(mcdcore_qry_trig_set_state(S, uid, &ss));
    OK(mcdcore_qry_trig_state(S, uid, a, &ts));
    cr_assert_eq(ts.captured, TRUE);
    OK(mcdcore_qry_trig_state(S, uid, b, &ts));
    cr_assert_eq(ts.captured, FALSE);
    /* A hit nobody polled is found by the sample itself. */
    F.stop_trig[0] = b;
    OK(mcdcore_qry_trig_set_state(S, uid, &ss));
    OK(mcdcore_qry_trig_state(S, uid, b, &ts));
    cr_assert_eq(ts.captured, TRUE);
}

CORE_TEST(trig_shared_and_session_close)
{
    mcd_trig_simple_core_st t = simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE, 0);
    uint32_t a = open_core(S, 0), b, id, mine, n = 0;
    struct mcdcore_session *s2;
    mcd_trig_simple_core_st back;
    mcd_core_state_st cs;

    cr_assert_eq(mcdcore_session_open(C, &s2), 0);
    b = open_core(s2, 0);
    OK(mcdcore_create_trig(S, a, &t, &id));
    OK(mcdcore_create_trig(S, a, &t, &id));
    OK(mcdcore_create_trig(s2, b, &t, &mine));
    OK(mcdcore_qry_trig_set(s2, b, 0, &n, NULL));
    cr_assert_eq(n, 3);
    OK(mcdcore_qry_trig(s2, b, id, sizeof(back), &back));
    /* s2 hears of S's trigger changes, S of s2's. */
    OK(mcdcore_qry_state(s2, b, &cs));
    cr_assert(cs.event & MCD_CORE_EVENT_TRIGGER_CHANGE);
    OK(mcdcore_qry_state(S, a, &cs));
    cr_assert(cs.event & MCD_CORE_EVENT_TRIGGER_CHANGE);
    OK(mcdcore_qry_state(S, a, &cs));
    cr_assert_eq(cs.event, 0);
    mcdcore_session_close(S);
    S = NULL;
    n = 0;
    OK(mcdcore_qry_trig_set(s2, b, 0, &n, NULL));
    cr_assert_eq(n, 1);
    cr_assert_eq(fake_live_trigs(0), 1);
    OK(mcdcore_qry_trig(s2, b, mine, sizeof(back), &back));
    mcdcore_session_close(s2);
    cr_assert_eq(fake_live_trigs(0), 0);
}

CORE_TEST(trig_close_core_removes_own)
{
    mcd_trig_simple_core_st t = simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE, 0);
    uint32_t uid = open_core(S, 0), id, n = 0;

    OK(mcdcore_create_trig(S, uid, &t, &id));
    OK(mcdcore_close_core(S, uid));
    cr_assert_eq(fake_live_trigs(0), 0);
    uid = open_core(S, 0);
    OK(mcdcore_qry_trig_set(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 0);
}

CORE_TEST(trig_refused_removal_orphans)
{
    mcd_trig_simple_core_st t = simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE, 0);
    uint32_t uid = open_core(S, 0), id, n = 0;
    struct mcdcore_session *s2;

    OK(mcdcore_create_trig(S, uid, &t, &id));
    F.refuse_remove = true;
    FAILS(mcdcore_remove_trig(S, uid, id));
    expect_err(S, uid, MCD_ERR_TRIG_ACCESS, "is stuck");
    FAILS(mcdcore_remove_trig_set(S, uid));
    expect_err(S, uid, MCD_ERR_TRIG_ACCESS, "is stuck");
    OK(mcdcore_close_core(S, uid));
    cr_assert_eq(mcdcore_session_open(C, &s2), 0);
    uid = open_core(s2, 0);
    OK(mcdcore_qry_trig_set(s2, uid, 0, &n, NULL));
    cr_assert_eq(n, 1);
    F.refuse_remove = false;
    OK(mcdcore_remove_trig(s2, uid, id));
    cr_assert_eq(fake_live_trigs(0), 0);
}

/* --- Transaction lists --- */

CORE_TEST(txlist_roundtrip)
{
    uint32_t uid = open_core(S, 1);
    uint8_t w[16], r[16] = { 0 };
    uint64_t x5 = 0x1122334455667788ull;
    mcd_tx_st tx[3];
    mcd_txlist_st l = { tx, 2, 0 };
    int i;

    for (i = 0; i < 16; i++) {
        w[i] = (uint8_t)(0x30 + i);
    }
    tx[0] = tx_make(SP_PHYS, 0x10, MCD_TX_AT_W, 4, w, 16);
    tx[1] = tx_make(SP_LOG, LOG_BASE + 0x10, MCD_TX_AT_R, 0, r, 16);
    OK(mcdcore_execute_txlist(S, uid, &l));
    cr_assert_eq(l.num_tx_ok, 2);
    cr_assert_eq(tx[0].num_bytes_ok, 16);
    cr_assert_eq(tx[1].num_bytes_ok, 16);
    cr_assert_eq(memcmp(r, w, 16), 0);
    tx[0] = tx_make(SP_REGS, 5, MCD_TX_AT_W, 8, (uint8_t *)&x5, 8);
    l.num_tx = 1;
    OK(mcdcore_execute_txlist(S, uid, &l));
    cr_assert_eq(F.regs[1][5], x5);
    cr_assert_eq(read_reg(uid, REG_PC), LOG_BASE + 0x100);
    l.num_tx = 0;
    l.tx = NULL;
    OK(mcdcore_execute_txlist(S, uid, &l));
    cr_assert_eq(l.num_tx_ok, 0);
}

CORE_TEST(txlist_partial_failure)
{
    uint32_t uid = open_core(S, 0);
    uint8_t a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, b[32], c[4];
    mcd_tx_st tx[3];
    mcd_txlist_st l = { tx, 3, 99 };

    tx[0] = tx_make(SP_PHYS, 0, MCD_TX_AT_W, 0, a, 8);
    tx[1] = tx_make(SP_PHYS, RAM_SIZE - 12, MCD_TX_AT_R, 4, b, 32);
    tx[2] = tx_make(SP_PHYS, 0, MCD_TX_AT_R, 0, c, 4);
    tx[2].num_bytes_ok = 77;
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    cr_assert_eq(l.num_tx_ok, 1);
    cr_assert_eq(tx[0].num_bytes_ok, 8);
    cr_assert_eq(tx[1].num_bytes_ok, 12);
    cr_assert_eq(tx[2].num_bytes_ok, 0);
    expect_err(S, uid, MCD_ERR_TXLIST_READ, "tx 1 at 0xff4");
    expect_err(S, uid, MCD_ERR_TXLIST_READ, "after 12 of 32 bytes");
    expect_err(S, uid, MCD_ERR_TXLIST_READ, "past the end of RAM");
    /* A failing write. */
    tx[0] = tx_make(SP_LOG, LOG_BASE + RAM_SIZE - 2, MCD_TX_AT_W, 1, b, 5);
    l.num_tx = 1;
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    cr_assert_eq(l.num_tx_ok, 0);
    cr_assert_eq(tx[0].num_bytes_ok, 2);
    expect_err(S, uid, MCD_ERR_TXLIST_WRITE, "tx 0 at 0x80000ffe");
}

CORE_TEST(txlist_validation)
{
    uint32_t uid = open_core(S, 0);
    uint8_t d[16];
    mcd_tx_st tx[2];
    mcd_txlist_st l = { tx, 2, 0 };

    tx[0] = tx_make(SP_PHYS, 0, MCD_TX_AT_R, 0, d, 4);
    tx[1] = tx_make(SP_PHYS, 0, 9, 0, d, 4);
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    cr_assert_eq(l.num_tx_ok, 1);
    expect_err(S, uid, MCD_ERR_TXLIST_TX, "tx[1].access_type 9");
    tx[1] = tx_make(SP_PHYS, 0, MCD_TX_AT_R, 3, d, 6);
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    expect_err(S, uid, MCD_ERR_TXLIST_TX, "access_width 3");
    tx[1] = tx_make(SP_PHYS, 0, MCD_TX_AT_R, 4, d, 6);
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    expect_err(S, uid, MCD_ERR_TXLIST_TX, "num_bytes 6 is not a multiple");
    tx[1] = tx_make(0, 0, MCD_TX_AT_R, 0, d, 4);
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    expect_err(S, uid, MCD_ERR_TXLIST_TX, "mem_space_id 0");
    tx[1] = tx_make(7, 0, MCD_TX_AT_R, 0, d, 4);
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    expect_err(S, uid, MCD_ERR_TXLIST_TX, "tx 1: mem_space_id 7");
    tx[1] = tx_make(SP_PHYS, 0, MCD_TX_AT_R, 0, NULL, 4);
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    expect_err(S, uid, MCD_ERR_TXLIST_TX, "data is NULL");
    l.num_tx = MCD_TX_NUM_MAX + 1;
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    expect_err(S, uid, MCD_ERR_PARAM, "num_tx 65");
    cr_assert_eq(l.num_tx_ok, 0);
    l.num_tx = 1;
    l.tx = NULL;
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    expect_err(S, uid, MCD_ERR_PARAM, "txlist->tx");
    FAILS(mcdcore_execute_txlist(S, uid, NULL));
    expect_err(S, uid, MCD_ERR_PARAM, "txlist");
}

CORE_TEST(txlist_swap_and_verify)
{
    uint32_t uid = open_core(S, 0);
    uint8_t d[4] = { 9, 9, 9, 9 };
    uint64_t v = 0;
    mcd_tx_st tx;
    mcd_txlist_st l = { &tx, 1, 0 };

    memset(F.ram + 0x40, 5, 4);
    tx = tx_make(SP_PHYS, 0x40, MCD_TX_AT_RW, 4, d, 4);
    OK(mcdcore_execute_txlist(S, uid, &l));
    cr_assert_eq(d[0], 5);
    cr_assert_eq(F.ram[0x40], 9);
    memset(d, 3, 4);
    tx = tx_make(SP_PHYS, 0x40, MCD_TX_AT_WR, 0, d, 4);
    OK(mcdcore_execute_txlist(S, uid, &l));
    cr_assert_eq(F.ram[0x43], 3);
    cr_assert_eq(d[3], 3);
    tx = tx_make(SP_REGS, 1, MCD_TX_AT_RW, 8, (uint8_t *)&v, 8);
    FAILS(mcdcore_execute_txlist(S, uid, &l));
    expect_err(S, uid, MCD_ERR_TXLIST_TX, "cannot be swapped");
}

CORE_TEST(txlist_events_for_other_sessions)
{
    uint32_t a = open_core(S, 0), b, v = 0xdead;
    struct mcdcore_session *s2;
    uint64_t r = 1;
    mcd_core_state_st cs;
    mcd_tx_st tx;
    mcd_txlist_st l = { &tx, 1, 0 };

    cr_assert_eq(mcdcore_session_open(C, &s2), 0);
    b = open_core(s2, 0);
    tx = tx_make(SP_PHYS, 0, MCD_TX_AT_W, 0, (uint8_t *)&v, 4);
    OK(mcdcore_execute_txlist(S, a, &l));
    tx = tx_make(SP_REGS, 3, MCD_TX_AT_W, 0, (uint8_t *)&r, 8);
    OK(mcdcore_execute_txlist(S, a, &l));
    OK(mcdcore_qry_state(s2, b, &cs));
    cr_assert_eq(cs.event,
                 MCD_CORE_EVENT_MEMORY_CHANGE | MCD_CORE_EVENT_REGISTER_CHANGE);
    OK(mcdcore_qry_state(S, a, &cs));
    cr_assert_eq(cs.event, 0);
    mcdcore_session_close(s2);
}

/* --- Run control --- */

CORE_TEST(run_stop_state)
{
    uint32_t uid = open_core(S, 0), other = open_core(S, 3), i;
    mcd_core_state_st cs;

    OK(mcdcore_qry_state(S, uid, &cs));
    cr_assert_eq(cs.state, MCD_CORE_STATE_DEBUG);
    OK(mcdcore_run(S, uid, FALSE));
    OK(mcdcore_qry_state(S, uid, &cs));
    cr_assert_eq(cs.state, MCD_CORE_STATE_RUNNING);
    cr_assert_eq(F.state[1], MCD_CORE_STATE_DEBUG);
    OK(mcdcore_stop(S, uid, FALSE));
    OK(mcdcore_qry_state(S, uid, &cs));
    cr_assert_eq(cs.state, MCD_CORE_STATE_DEBUG);
    cr_assert_eq(cs.event, MCD_CORE_EVENT_STOPPED);
    OK(mcdcore_qry_state(S, uid, &cs));
    cr_assert_eq(cs.event, 0);
    OK(mcdcore_run(S, other, TRUE));
    for (i = 0; i < NCORES; i++) {
        cr_assert_eq(F.state[i], MCD_CORE_STATE_RUNNING, "core %u", i);
    }
    OK(mcdcore_stop(S, other, TRUE));
    cr_assert_eq(F.state[2], MCD_CORE_STATE_DEBUG);
    FAILS(mcdcore_qry_state(S, uid, NULL));
    expect_err(S, uid, MCD_ERR_PARAM, "state");
}

CORE_TEST(events_per_session)
{
    struct mcdcore_session *s2;
    uint32_t a = open_core(S, 0), b;
    mcd_core_state_st cs;

    cr_assert_eq(mcdcore_session_open(C, &s2), 0);
    b = open_core(s2, 0);
    OK(mcdcore_run(S, a, FALSE));
    OK(mcdcore_stop(S, a, FALSE));
    OK(mcdcore_qry_state(S, a, &cs));
    cr_assert_eq(cs.event, MCD_CORE_EVENT_STOPPED);
    OK(mcdcore_qry_state(s2, b, &cs));
    cr_assert_eq(cs.event, MCD_CORE_EVENT_STOPPED);
    OK(mcdcore_qry_state(S, a, &cs));
    cr_assert_eq(cs.event, 0);
    OK(mcdcore_qry_state(s2, b, &cs));
    cr_assert_eq(cs.event, 0);
    mcdcore_session_close(s2);
}

CORE_TEST(step)
{
    uint32_t uid = open_core(S, 2);

    FAILS(mcdcore_step(S, uid, FALSE, MCD_CORE_STEP_TYPE_INSTR, 0));
    expect_err(S, uid, MCD_ERR_PARAM, "n_steps 0");
    FAILS(mcdcore_step(S, uid, FALSE, 4, 1));
    expect_err(S, uid, MCD_ERR_PARAM, "step_type 0x4");
    OK(mcdcore_step(S, uid, FALSE, MCD_CORE_STEP_TYPE_INSTR, 3));
    cr_assert_eq(read_reg(uid, REG_PC), LOG_BASE + 0x200 + 12);
    OK(mcdcore_step(S, uid, FALSE, MCD_CORE_STEP_TYPE_CYCLES, 1));
    cr_assert_eq(read_reg(uid, REG_PC), LOG_BASE + 0x200 + 16);
    OK(mcdcore_run(S, uid, FALSE));
    FAILS(mcdcore_step(S, uid, FALSE, MCD_CORE_STEP_TYPE_INSTR, 1));
    expect_err(S, uid, MCD_ERR_GENERAL, "hart2 is running");
}

CORE_TEST(set_global_remembered)
{
    uint32_t a = open_core(S, 0), b = open_core(S, 1);

    OK(mcdcore_set_global(S, b, FALSE));
    OK(mcdcore_run(S, a, TRUE));
    cr_assert_eq(F.state[0], MCD_CORE_STATE_RUNNING);
    cr_assert_eq(F.state[1], MCD_CORE_STATE_DEBUG);
    cr_assert_eq(F.state[2], MCD_CORE_STATE_RUNNING);
    cr_assert_eq(F.state[3], MCD_CORE_STATE_RUNNING);
    cr_assert_eq(F.global_runs, 0);
    OK(mcdcore_stop(S, a, TRUE));
    cr_assert_eq(F.state[2], MCD_CORE_STATE_DEBUG);
    FAILS(mcdcore_step(S, a, TRUE, MCD_CORE_STEP_TYPE_INSTR, 1));
    expect_err(S, a, MCD_ERR_GENERAL, "set_global");
    /* The excluded core itself still runs when asked globally. */
    OK(mcdcore_run(S, b, TRUE));
    cr_assert_eq(F.state[1], MCD_CORE_STATE_RUNNING);
    OK(mcdcore_stop(S, a, TRUE));
    OK(mcdcore_set_global(S, b, TRUE));
    OK(mcdcore_run(S, a, TRUE));
    cr_assert_eq(F.global_runs, 1);
}

CORE_TEST(null_optional_ops)
{
    uint32_t uid = open_core(S, 0), n = 0;
    mcd_chl_st chl = { .type = MCD_CHL_TYPE_COMMON };
    mcd_trace_state_st ts;
    uint64_t t;
    char res[16];
    uint8_t msg[4];

    FAILS(mcdcore_qry_current_time(S, uid, &t));
    expect_err(S, uid, MCD_ERR_GENERAL, "fake-sys does not keep time");
    FAILS(mcdcore_run_until(S, uid, FALSE, TRUE, 100));
    expect_err(S, uid, MCD_ERR_GENERAL, "fake-sys cannot run until");
    FAILS(mcdcore_execute_command(S, uid, "help", sizeof(res), res));
    expect_err(S, uid, MCD_ERR_GENERAL, "fake-sys runs no commands");
    FAILS(mcdcore_chl_open(S, uid, NULL, &chl));
    expect_err(S, uid, MCD_ERR_CHL_TARGET_NOT_SUPPORTED,
               "fake-sys has no communication channels");
    FAILS(mcdcore_send_msg(S, uid, 1, 4, msg));
    expect_err(S, uid, MCD_ERR_PARAM, "chl_id 1");
    OK(mcdcore_qry_traces(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 0);
    FAILS(mcdcore_qry_trace_state(S, uid, 1, &ts));
    expect_err(S, uid, MCD_ERR_FN_UNIMPLEMENTED, "fake-sys has no trace");
    FAILS(mcdcore_set_trace_state(S, uid, 1, &ts));
    expect_err(S, uid, MCD_ERR_FN_UNIMPLEMENTED, "fake-sys has no trace");
    n = 1;
    FAILS(mcdcore_read_trace(S, uid, 1, 0, &n, 56, msg));
    expect_err(S, uid, MCD_ERR_FN_UNIMPLEMENTED, "fake-sys has no trace");
}

CORE_TEST(execute_command_params)
{
    uint32_t uid = open_core(S, 0);
    char res[8];

    FAILS(mcdcore_execute_command(S, uid, "help", 0, res));
    expect_err(S, uid, MCD_ERR_PARAM, "result_string_size 0");
    FAILS(mcdcore_execute_command(S, uid, "help", 0, NULL));
    expect_err(S, uid, MCD_ERR_PARAM, "result_string_size 0");
    FAILS(mcdcore_execute_command(S, uid, "help", sizeof(res), NULL));
    expect_err(S, uid, MCD_ERR_PARAM, "result_string is NULL");
    FAILS(mcdcore_execute_command(S, uid, NULL, sizeof(res), res));
    expect_err(S, uid, MCD_ERR_PARAM, "command_string");
}

CORE_TEST(reset_classes)
{
    uint32_t uid = open_core(S, 0), v = 0;
    mcd_rst_info_st ri;

    OK(mcdcore_qry_rst_classes(S, uid, &v));
    cr_assert_eq(v, 0x3);
    OK(mcdcore_qry_rst_class_info(S, uid, 0, &ri));
    cr_assert_eq(ri.class_vector, 1);
    cr_assert_str_eq(ri.info_str, "system");
    OK(mcdcore_qry_rst_class_info(S, uid, 1, &ri));
    cr_assert_eq(ri.class_vector, 2);
    cr_assert_str_eq(ri.info_str, "core");
    FAILS(mcdcore_qry_rst_class_info(S, uid, 2, &ri));
    expect_err(S, uid, MCD_ERR_PARAM, "rst_class 2");
    FAILS(mcdcore_qry_rst_class_info(S, uid, 40, &ri));
    expect_err(S, uid, MCD_ERR_PARAM, "rst_class 40");
    FAILS(mcdcore_rst(S, uid, 0, FALSE));
    expect_err(S, uid, MCD_ERR_PARAM, "rst_class_vector 0");
    FAILS(mcdcore_rst(S, uid, 0x5, FALSE));
    expect_err(S, uid, MCD_ERR_PARAM, "bits 0x4");
    cr_assert_eq(F.nresets, 0);
    OK(mcdcore_rst(S, uid, 0x2, TRUE));
    cr_assert_eq(F.last_rst, 0x2);
    cr_assert(F.last_halt);
}

CORE_TEST(exit_closes_everything)
{
    mcd_trig_simple_core_st t = simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE, 0);
    uint32_t srv, a, b, id, n = 0;

    OK(mcdcore_open_server(S, "", "", &srv));
    a = open_core(S, 0);
    b = open_core(S, 1);
    OK(mcdcore_create_trig(S, b, &t, &id));
    mcdcore_exit(S);
    cr_assert_eq(fake_live_trigs(1), 0);
    FAILS(mcdcore_qry_mem_spaces(S, a, 0, &n, NULL));
    FAILS(mcdcore_close_server(S, srv));
    expect_err(S, 0, MCD_ERR_PARAM, "server uid");
    /* The session lives on. */
    OK(mcdcore_open_server(S, "", "", &srv));
    a = open_core(S, 0);
    OK(mcdcore_qry_mem_spaces(S, a, 0, &n, NULL));
    mcdcore_exit(NULL);
}

CORE_TEST(destroy_closes_sessions)
{
    mcd_trig_simple_core_st t = simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE, 0);
    struct mcdcore_session *s2;
    uint32_t uid, id;

    cr_assert_eq(mcdcore_session_open(C, &s2), 0);
    uid = open_core(s2, 3);
    OK(mcdcore_create_trig(s2, uid, &t, &id));
    mcdcore_destroy(C);
    C = NULL;
    S = NULL;
    cr_assert_eq(fake_live_trigs(3), 0);
}

/* Two debuggers hammer one core's trigger table and state concurrently. */
struct worker {
    struct mcdcore_session *s;
    uint32_t uid;
    int fails;
};

static void *worker_main(void *arg)
{
    mcd_trig_simple_core_st t = simple_trig(MCD_TRIG_TYPE_IP, LOG_BASE, 0);
    struct worker *w = arg;
    mcd_core_state_st cs;
    uint32_t id, n;
    int i;

    for (i = 0; i < 300; i++) {
        w->fails += mcdcore_create_trig(w->s, w->uid, &t, &id) != 0;
        n = 0;
        w->fails += mcdcore_qry_trig_set(w->s, w->uid, 0, &n, NULL) != 0;
        w->fails += mcdcore_qry_state(w->s, w->uid, &cs) != 0;
        w->fails += mcdcore_remove_trig(w->s, w->uid, id) != 0;
    }
    return NULL;
}

CORE_TEST(concurrent_sessions)
{
    struct worker w[2] = { { S, 0, 0 }, { NULL, 0, 0 } };
    pthread_t th[2];
    int i;

    cr_assert_eq(mcdcore_session_open(C, &w[1].s), 0);
    for (i = 0; i < 2; i++) {
        w[i].uid = open_core(w[i].s, 0);
    }
    for (i = 0; i < 2; i++) {
        cr_assert_eq(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(w[i].fails, 0, "worker %d failed %d calls", i, w[i].fails);
    }
    cr_assert_eq(fake_live_trigs(0), 0);
    cr_assert_eq(F.inserts, 600);
    mcdcore_session_close(w[1].s);
}

/* --- The rich target: every optional operation --- */

RICH_TEST(mem_blocks_and_modes)
{
    uint32_t uid = open_core(S, 0), n = 0;
    mcd_core_mode_info_st m[2];
    mcd_memblock_st mb[4];

    OK(mcdcore_qry_mem_blocks(S, uid, SP_PHYS, 0, &n, NULL));
    cr_assert_eq(n, 2);
    n = 4;
    OK(mcdcore_qry_mem_blocks(S, uid, SP_PHYS, 1, &n, mb));
    cr_assert_eq(n, 1);
    cr_assert_str_eq(mb[0].mem_block_name, "ram");
    n = 4;
    FAILS(mcdcore_qry_mem_blocks(S, uid, SP_REGS, 0, &n, mb));
    expect_err(S, uid, MCD_ERR_PARAM, "start_index 0 is past the 0");
    n = 0;
    OK(mcdcore_qry_core_modes(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 2);
    n = 1;
    OK(mcdcore_qry_core_modes(S, uid, 1, &n, m));
    cr_assert_eq(n, 1);
    cr_assert_str_eq(m[0].name, "machine");
}

RICH_TEST(device_description)
{
    const char *want = "file:///fake/device.xml";
    uint32_t uid = open_core(S, 0), len = 0;
    char url[64];

    OK(mcdcore_qry_device_description(S, uid, NULL, &len));
    cr_assert_eq(len, strlen(want) + 1);
    len = sizeof(url);
    OK(mcdcore_qry_device_description(S, uid, url, &len));
    cr_assert_str_eq(url, want);
    cr_assert_eq(len, strlen(want));
    memset(url, 'z', sizeof(url));
    len = 5;
    OK(mcdcore_qry_device_description(S, uid, url, &len));
    cr_assert_eq(memcmp(url, "file:", 5), 0);
    cr_assert_eq(url[5], 'z');
    cr_assert_eq(len, strlen(want));
    FAILS(mcdcore_qry_device_description(S, uid, url, NULL));
    expect_err(S, uid, MCD_ERR_PARAM, "url_length");
}

RICH_TEST(time_run_until_set_global)
{
    uint32_t uid = open_core(S, 1);
    uint64_t t = 0;

    OK(mcdcore_qry_current_time(S, uid, &t));
    cr_assert_eq(t, 1234000);
    OK(mcdcore_run_until(S, uid, FALSE, TRUE, 5000));
    cr_assert_eq(F.until, 5000);
    OK(mcdcore_set_global(S, uid, FALSE));
    cr_assert_eq(F.set_global_calls, 1);
    /* The target handles global run control itself. */
    OK(mcdcore_run(S, uid, TRUE));
    cr_assert_eq(F.global_runs, 1);
    FAILS(mcdcore_qry_current_time(S, uid, NULL));
    expect_err(S, uid, MCD_ERR_PARAM, "current_time");
}

RICH_TEST(execute_command)
{
    uint32_t uid = open_core(S, 0);
    char res[16];

    OK(mcdcore_execute_command(S, uid, "echo hi", sizeof(res), res));
    cr_assert_str_eq(res, "hi");
    OK(mcdcore_execute_command(S, uid, "echo hello", 3, res));
    cr_assert_str_eq(res, "he");
    FAILS(mcdcore_execute_command(S, uid, "bad", sizeof(res), res));
    expect_err(S, uid, MCD_ERR_GENERAL, "unknown command \"bad\"");
}

RICH_TEST(channels)
{
    mcd_chl_st chl = { .type = MCD_CHL_TYPE_APPLI,
                       .attributes = MCD_CHL_AT_RCV | MCD_CHL_AT_SND };
    uint32_t uid = open_core(S, 0), len, id, i;
    mcd_core_con_info_st sys = { 0 };
    struct mcdcore_session *s2;
    uint8_t msg[8];

    OK(mcdcore_chl_open(S, uid, NULL, &chl));
    id = chl.chl_id;
    cr_assert_neq(id, 0);
    OK(mcdcore_send_msg(S, uid, id, 4, (const uint8_t *)"ping"));
    len = sizeof(msg);
    OK(mcdcore_receive_msg(S, uid, id, 10, &len, msg));
    cr_assert_eq(len, 4);
    cr_assert_eq(memcmp(msg, "ping", 4), 0);
    len = 2;
    OK(mcdcore_receive_msg(S, uid, id, 10, &len, msg));
    cr_assert_eq(len, 2);
    OK(mcdcore_chl_reset(S, uid, id));
    /* Only its session may use it, on its core. */
    cr_assert_eq(mcdcore_session_open(C, &s2), 0);
    FAILS(mcdcore_send_msg(s2, open_core(s2, 0), id, 1, msg));
    FAILS(mcdcore_chl_reset(S, 0, id));
    expect_err(S, 0, MCD_ERR_PARAM, "the system level");
    OK(mcdcore_chl_close(S, uid, id));
    FAILS(mcdcore_chl_close(S, uid, id));
    expect_err(S, uid, MCD_ERR_PARAM, "is not a channel");
    /* Setup checks. */
    chl.type = 0x50;
    FAILS(mcdcore_chl_open(S, uid, NULL, &chl));
    expect_err(S, uid, MCD_ERR_CHL_TYPE_NOT_SUPPORTED, "0x50");
    chl.type = MCD_CHL_TYPE_COMMON;
    chl.attributes |= MCD_CHL_AT_HAS_PRIO;
    chl.prio = 20;
    FAILS(mcdcore_chl_open(S, uid, NULL, &chl));
    expect_err(S, uid, MCD_ERR_CHL_SETUP, "prio 20");
    /* The system level: core uid 0 with the system's con_info. */
    chl.prio = 0;
    strcpy(sys.system, "fake-sys");
    OK(mcdcore_chl_open(S, 0, &sys, &chl));
    OK(mcdcore_send_msg(S, 0, chl.chl_id, 1, msg));
    strcpy(sys.system, "x");
    FAILS(mcdcore_chl_open(S, 0, &sys, &chl));
    expect_err(S, 0, MCD_ERR_PARAM, "system \"x\"");
    /* At most MCD_CHL_NUM_MAX, then they close with the session. */
    for (i = 1; i < MCD_CHL_NUM_MAX; i++) {
        OK(mcdcore_chl_open(S, uid, NULL, &chl));
    }
    FAILS(mcdcore_chl_open(S, uid, NULL, &chl));
    expect_err(S, uid, MCD_ERR_CHL_SETUP, "all 32 channels");
    F.chl_closes = 0;
    mcdcore_session_close(S);
    S = NULL;
    cr_assert_eq(F.chl_closes, MCD_CHL_NUM_MAX);
    mcdcore_session_close(s2);
}

RICH_TEST(trace)
{
    uint32_t uid = open_core(S, 0), n = 0;
    mcd_trace_data_core_st fr[5];
    mcd_trace_data_stat_st sf[4];
    mcd_trace_info_st ti[3];
    mcd_trace_state_st ts;

    OK(mcdcore_qry_traces(S, uid, 0, &n, NULL));
    cr_assert_eq(n, 2);
    n = 3;
    OK(mcdcore_qry_traces(S, uid, 1, &n, ti));
    cr_assert_eq(n, 1);
    cr_assert_str_eq(ti[0].trace_name, "stats");
    OK(mcdcore_qry_trace_state(S, uid, 1, &ts));
    cr_assert_eq(ts.state, MCD_TRACE_STATE_ARM);
    cr_assert_eq(ts.frames, NFRAMES);
    memset(&ts, 0, sizeof(ts));
    ts.state = MCD_TRACE_STATE_OFF;
    ts.mode = MCD_TRACE_MODE_STACK;
    OK(mcdcore_set_trace_state(S, uid, 1, &ts));
    cr_assert_eq(ts.modified, TRUE);
    cr_assert_eq(F.trace_state.state, MCD_TRACE_STATE_OFF);
    FAILS(mcdcore_qry_trace_state(S, uid, 0, &ts));
    expect_err(S, uid, MCD_ERR_PARAM, "trace_id 0 is reserved");
    FAILS(mcdcore_qry_trace_state(S, uid, 9, &ts));
    expect_err(S, uid, MCD_ERR_PARAM, "trace_id 9");
    n = 0;
    OK(mcdcore_read_trace(S, uid, 1, 0, &n, 0, NULL));
    cr_assert_eq(n, NFRAMES);
    n = 5;
    OK(mcdcore_read_trace(S, uid, 1, 8, &n, sizeof(fr[0]), fr));
    cr_assert_eq(n, 2);
    cr_assert_eq(fr[0].timestamp, 8);
    cr_assert_eq(fr[1].timestamp, 9);
    n = 5;
    FAILS(mcdcore_read_trace(S, uid, 1, 0, &n, 48, fr));
    expect_err(S, uid, MCD_ERR_PARAM, "trace_data_size 48");
    FAILS(mcdcore_read_trace(S, uid, 1, NFRAMES, &n, sizeof(fr[0]), fr));
    expect_err(S, uid, MCD_ERR_PARAM, "start_index 10 is past the 10");
    n = 4;
    OK(mcdcore_read_trace(S, uid, 2, 0, &n, sizeof(sf[0]), sf));
    cr_assert_eq(n, 3);
    cr_assert_eq(sf[2].timestamp, 2);
    FAILS(mcdcore_read_trace(S, uid, 2, 0, NULL, sizeof(sf[0]), sf));
    expect_err(S, uid, MCD_ERR_PARAM, "num_frames");
}
