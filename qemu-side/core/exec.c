/*
 * Execution control: transaction lists, run, stop, run_until, step,
 * set_global, the core state and its events, current time, commands and
 * reset.
 *
 * Rules decided here (the API leaves them open):
 *   - A transaction list is checked and executed one transaction at a
 *     time, in order, and stops at the first failure; num_tx_ok and every
 *     num_bytes_ok are exact (transactions not reached report 0).  RW
 *     (swap) and WR (write, read back) go to the target as they are.
 *   - Core events are "since this session last polled": each state poll
 *     (qry_state, qry_trig_set_state) hands the events the target
 *     accumulated to every session that has the core open, and qry_state
 *     returns and clears the caller's.  Writes by transaction lists, trigger
 *     changes and resets add MEMORY/REGISTER/TRIGGER_CHANGE to the other
 *     sessions' events, which is what those events exist for.
 *   - Without a target set_global, the core remembers each core's flag and,
 *     when a core is left out, runs or stops the others one by one; a
 *     global step or run_until with a core left out cannot be done that
 *     way and is refused with a clear error.
 *
 * Threads: the session's thread.  Target operations run unlocked (step and
 * run_until may block for long); the remembered global flags and the
 * events are under c->lock.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core_pvt.h"
#include "shm/txcheck.h"

/* --- Transaction lists --- */

static mcd_return_et exec_check_tx(struct mcdcore__call *cl, uint32_t i,
                                   const mcd_tx_st *tx,
                                   const mcd_memspace_st *sp, uint32_t nsp,
                                   const mcd_memspace_st **space)
{
    char msg[160];
    uint32_t j;

    /* The checks every path makes (the stub's decoder made them already
     * for a list that came through it). */
    if (mcdshm_tx_check(tx, i, msg, sizeof(msg)) < 0) {
        return mcdcore__error(cl, MCD_ERR_TXLIST_TX, "%s", msg);
    }
    for (j = 0, *space = NULL; j < nsp && !*space; j++) {
        *space = sp[j].mem_space_id == tx->addr.mem_space_id ? &sp[j] : NULL;
    }
    if (!tx->addr.mem_space_id || !*space) {
        return mcdcore__error(cl, MCD_ERR_TXLIST_TX,
                              "tx %" PRIu32 ": mem_space_id %" PRIu32
                              " is not a memory space of core %s",
                              i, tx->addr.mem_space_id,
                              mcdcore__core_name(cl->c, cl->core));
    }
    return MCD_RET_ACT_NONE;
}

/* The code of a failed transaction whose target gave none. */
static mcd_error_code_et exec_tx_code(const mcd_tx_st *tx)
{
    switch (tx->access_type) {
    case MCD_TX_AT_R:
        return MCD_ERR_TXLIST_READ;
    case MCD_TX_AT_W:
        return MCD_ERR_TXLIST_WRITE;
    default:
        return MCD_ERR_TXLIST_TX;
    }
}

static mcd_return_et exec_access(struct mcdcore__call *cl, uint32_t i,
                                 mcd_tx_st *tx, const mcd_memspace_st *space,
                                 uint32_t *events)
{
    struct mcdshm_status st = { 0 };
    mcd_error_code_et code;
    int rc;

    if (!tx->num_bytes) {
        return MCD_RET_ACT_NONE;
    }
    rc = cl->c->ops->access(cl->c->t->opaque, cl->core, tx, &st);
    if (tx->num_bytes_ok > tx->num_bytes || !rc) {
        tx->num_bytes_ok = tx->num_bytes; /* success moves every byte */
    }
    if (tx->access_type != MCD_TX_AT_R && tx->num_bytes_ok) {
        *events |= space->mem_type & MCD_MEM_SPACE_IS_REGISTERS
                       ? MCD_CORE_EVENT_REGISTER_CHANGE
                       : MCD_CORE_EVENT_MEMORY_CHANGE;
    }
    if (!rc) {
        return MCD_RET_ACT_NONE;
    }
    if (!st.msg[0]) {
        mcdcore__strlcpy(st.msg, "no reason given", sizeof(st.msg));
    }
    code = st.code ? st.code : exec_tx_code(tx);
    return mcdcore__error(
        cl, code,
        "tx %" PRIu32 " at 0x%" PRIx64 " in memory space "
        "%" PRIu32 " failed after %" PRIu32 " of %" PRIu32 " bytes: %.*s",
        i, tx->addr.address, tx->addr.mem_space_id, tx->num_bytes_ok,
        tx->num_bytes, (int)strnlen(st.msg, sizeof(st.msg)), st.msg);
}

mcd_return_et mcdcore_execute_txlist(struct mcdcore_session *s,
                                     uint32_t core_uid, mcd_txlist_st *txlist)
{
    const mcd_memspace_st *space = NULL;
    struct mcdcore__call cl;
    mcd_memspace_st *sp;
    uint32_t i, nsp, events = 0;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!txlist) {
        return mcdcore__null(&cl, "txlist");
    }
    txlist->num_tx_ok = 0;
    if (txlist->num_tx > MCD_TX_NUM_MAX) {
        return mcdcore__error(&cl, MCD_ERR_PARAM,
                              "num_tx %" PRIu32 " exceeds MCD_TX_NUM_MAX (%d)",
                              txlist->num_tx, MCD_TX_NUM_MAX);
    }
    if (txlist->num_tx && !txlist->tx) {
        return mcdcore__null(&cl, "txlist->tx");
    }
    for (i = 0; i < txlist->num_tx; i++) {
        txlist->tx[i].num_bytes_ok = 0;
    }
    if (mcdcore__spaces(&cl, &sp, &nsp)) {
        return mcdcore__error(&cl, MCD_ERR_GENERAL,
                              "out of memory listing memory spaces");
    }
    for (i = 0; i < txlist->num_tx && ret == MCD_RET_ACT_NONE; i++) {
        ret = exec_check_tx(&cl, i, &txlist->tx[i], sp, nsp, &space);
        if (ret == MCD_RET_ACT_NONE) {
            ret = exec_access(&cl, i, &txlist->tx[i], space, &events);
        }
        txlist->num_tx_ok += ret == MCD_RET_ACT_NONE;
    }
    free(sp);
    pthread_mutex_lock(&cl.c->lock);
    mcdcore__post_events_locked(cl.c, cl.core, s, events);
    pthread_mutex_unlock(&cl.c->lock);
    return ret != MCD_RET_ACT_NONE ? ret : mcdcore__ok(&cl);
}

/* --- Run control --- */

/* Whether a global request must be split: no target set_global, and a
 * core has been left out of global run control. */
static bool exec_split_global(struct mcdcore *c)
{
    bool split = false;
    uint32_t i;

    if (c->ops->set_global) {
        return false;
    }
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < c->t->ncores && !split; i++) {
        split = !c->cores[i].global;
    }
    pthread_mutex_unlock(&c->lock);
    return split;
}

static int exec_runstop_op(struct mcdcore *c, uint32_t core, bool run,
                           bool global, struct mcdshm_status *st)
{
    if (run) {
        return c->ops->run(c->t->opaque, core, global, st);
    }
    return c->ops->stop(c->t->opaque, core, global, st);
}

static mcd_return_et exec_runstop(struct mcdcore_session *s, uint32_t core_uid,
                                  mcd_bool_t global, bool run)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;
    bool in;
    uint32_t i;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!global || !exec_split_global(cl.c)) {
        if (exec_runstop_op(cl.c, cl.core, run, global != FALSE, &st)) {
            return mcdcore__target_error(&cl, &st);
        }
        return mcdcore__ok(&cl);
    }
    for (i = 0; i < cl.c->t->ncores; i++) {
        pthread_mutex_lock(&cl.c->lock);
        in = cl.c->cores[i].global || i == cl.core;
        pthread_mutex_unlock(&cl.c->lock);
        if (in && exec_runstop_op(cl.c, i, run, false, &st)) {
            return mcdcore__target_error(&cl, &st);
        }
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_run(struct mcdcore_session *s, uint32_t core_uid,
                          mcd_bool_t global)
{
    return exec_runstop(s, core_uid, global, true);
}

mcd_return_et mcdcore_stop(struct mcdcore_session *s, uint32_t core_uid,
                           mcd_bool_t global)
{
    return exec_runstop(s, core_uid, global, false);
}

static mcd_return_et exec_no_split(struct mcdcore__call *cl, mcd_bool_t global,
                                   const char *what)
{
    if (global && exec_split_global(cl->c)) {
        return mcdcore__error(cl, MCD_ERR_GENERAL,
                              "a global %s with cores left out of global run "
                              "control is not possible: %s has no "
                              "set_global",
                              what, cl->c->t->system);
    }
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore_run_until(struct mcdcore_session *s, uint32_t core_uid,
                                mcd_bool_t global, mcd_bool_t absolute_time,
                                uint64_t run_until_time)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!cl.c->ops->run_until) {
        return mcdcore__error(&cl, MCD_ERR_GENERAL,
                              "%s cannot run until a time: it does not keep "
                              "time",
                              cl.c->t->system);
    }
    ret = exec_no_split(&cl, global, "run_until");
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (cl.c->ops->run_until(cl.c->t->opaque, cl.core, global != FALSE,
                             absolute_time != FALSE, run_until_time, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_qry_current_time(struct mcdcore_session *s,
                                       uint32_t core_uid,
                                       uint64_t *current_time)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!current_time) {
        return mcdcore__null(&cl, "current_time");
    }
    if (!cl.c->ops->current_time) {
        return mcdcore__error(&cl, MCD_ERR_GENERAL, "%s does not keep time",
                              cl.c->t->system);
    }
    if (cl.c->ops->current_time(cl.c->t->opaque, cl.core, current_time, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_step(struct mcdcore_session *s, uint32_t core_uid,
                           mcd_bool_t global, mcd_core_step_type_et step_type,
                           uint32_t n_steps)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!n_steps) {
        return mcdcore__error(&cl, MCD_ERR_PARAM, "n_steps 0 steps nothing");
    }
    if (step_type != MCD_CORE_STEP_TYPE_CYCLES &&
        step_type != MCD_CORE_STEP_TYPE_INSTR &&
        (step_type < MCD_CORE_STEP_TYPE_CUSTOM_LO ||
         step_type > MCD_CORE_STEP_TYPE_CUSTOM_HI)) {
        return mcdcore__error(&cl, MCD_ERR_PARAM,
                              "step_type 0x%" PRIx32 " is not CYCLES (1), "
                              "INSTR (2) or a custom type (0x100..0xF00)",
                              step_type);
    }
    ret = exec_no_split(&cl, global, "step");
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (cl.c->ops->step(cl.c->t->opaque, cl.core, global != FALSE, step_type,
                        n_steps, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_set_global(struct mcdcore_session *s, uint32_t core_uid,
                                 mcd_bool_t enable)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (cl.c->ops->set_global) {
        if (cl.c->ops->set_global(cl.c->t->opaque, cl.core, enable != FALSE,
                                  &st)) {
            return mcdcore__target_error(&cl, &st);
        }
        return mcdcore__ok(&cl);
    }
    pthread_mutex_lock(&cl.c->lock);
    cl.c->cores[cl.core].global = enable != FALSE;
    pthread_mutex_unlock(&cl.c->lock);
    return mcdcore__ok(&cl);
}

int mcdcore__poll_state(struct mcdcore__call *cl, mcd_core_state_st *state,
                        struct mcdshm_status *st, struct mcdcore_session *take)
{
    struct mcdcore *c = cl->c;

    memset(state, 0, sizeof(*state));
    if (c->ops->state(c->t->opaque, cl->core, state, st)) {
        return -1;
    }
    state->stop_str[sizeof(state->stop_str) - 1] = '\0';
    state->info_str[sizeof(state->info_str) - 1] = '\0';
    /* One critical section per poll: this is the call debuggers repeat. */
    pthread_mutex_lock(&c->lock);
    if (state->trig_id) {
        mcdcore__trig_captured_locked(c, cl->core, state->trig_id);
    }
    mcdcore__post_events_locked(c, cl->core, NULL, state->event);
    if (take) {
        state->event = take->cores[cl->core].events;
        take->cores[cl->core].events = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

mcd_return_et mcdcore_qry_state(struct mcdcore_session *s, uint32_t core_uid,
                                mcd_core_state_st *state)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!state) {
        return mcdcore__null(&cl, "state");
    }
    if (mcdcore__poll_state(&cl, state, &st, s)) {
        return mcdcore__target_error(&cl, &st);
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_execute_command(struct mcdcore_session *s,
                                      uint32_t core_uid,
                                      const char *command_string,
                                      uint32_t result_string_size,
                                      char *result_string)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!command_string) {
        return mcdcore__null(&cl, "command_string");
    }
    if (!result_string_size) {
        return mcdcore__error(&cl, MCD_ERR_PARAM,
                              "result_string_size 0 leaves no room for the "
                              "result");
    }
    if (!result_string) {
        return mcdcore__null(&cl, "result_string");
    }
    if (!cl.c->ops->execute_command) {
        return mcdcore__error(&cl, MCD_ERR_GENERAL,
                              "%s runs no commands (command \"%.64s\")",
                              cl.c->t->system, command_string);
    }
    result_string[0] = '\0';
    if (cl.c->ops->execute_command(cl.c->t->opaque, cl.core, command_string,
                                   result_string, result_string_size, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    result_string[result_string_size - 1] = '\0';
    return mcdcore__ok(&cl);
}

/* --- Reset --- */

static uint32_t exec_rst_classes(const struct mcdcore__call *cl,
                                 mcd_rst_info_st info[32])
{
    memset(info, 0, 32 * sizeof(*info));
    return cl->c->ops->rst_classes(cl->c->t->opaque, cl->core, info);
}

mcd_return_et mcdcore_qry_rst_classes(struct mcdcore_session *s,
                                      uint32_t core_uid,
                                      uint32_t *rst_class_vector)
{
    mcd_rst_info_st info[32];
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!rst_class_vector) {
        return mcdcore__null(&cl, "rst_class_vector");
    }
    *rst_class_vector = exec_rst_classes(&cl, info);
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_qry_rst_class_info(struct mcdcore_session *s,
                                         uint32_t core_uid, uint8_t rst_class,
                                         mcd_rst_info_st *rst_info)
{
    mcd_rst_info_st info[32];
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t vec;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!rst_info) {
        return mcdcore__null(&cl, "rst_info");
    }
    vec = exec_rst_classes(&cl, info);
    if (rst_class >= 32 || !(vec & (1u << rst_class))) {
        return mcdcore__error(&cl, MCD_ERR_PARAM,
                              "rst_class %u is not a reset class of core %s "
                              "(classes 0x%" PRIx32 ")",
                              rst_class, mcdcore__core_name(cl.c, cl.core),
                              vec);
    }
    *rst_info = info[rst_class];
    rst_info->class_vector = 1u << rst_class;
    rst_info->info_str[sizeof(rst_info->info_str) - 1] = '\0';
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_rst(struct mcdcore_session *s, uint32_t core_uid,
                          uint32_t rst_class_vector, mcd_bool_t rst_and_halt)
{
    struct mcdshm_status st = { 0 };
    mcd_rst_info_st info[32];
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t vec;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    vec = exec_rst_classes(&cl, info);
    if (!rst_class_vector) {
        return mcdcore__error(&cl, MCD_ERR_PARAM,
                              "rst_class_vector 0 selects no reset class");
    }
    if (rst_class_vector & ~vec) {
        return mcdcore__error(&cl, MCD_ERR_PARAM,
                              "rst_class_vector 0x%" PRIx32
                              " has bits 0x%" PRIx32
                              " that are not reset classes of core %s "
                              "(classes 0x%" PRIx32 ")",
                              rst_class_vector, rst_class_vector & ~vec,
                              mcdcore__core_name(cl.c, cl.core), vec);
    }
    if (cl.c->ops->reset(cl.c->t->opaque, cl.core, rst_class_vector,
                         rst_and_halt != FALSE, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    pthread_mutex_lock(&cl.c->lock);
    mcdcore__post_events_locked(cl.c, cl.core, s,
                                MCD_CORE_EVENT_MEMORY_CHANGE |
                                    MCD_CORE_EVENT_REGISTER_CHANGE);
    pthread_mutex_unlock(&cl.c->lock);
    return mcdcore__ok(&cl);
}
