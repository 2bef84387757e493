/*
 * The MCD functions of execution control, reset, communication channels
 * and trace state (transaction lists are in txlist.c, trace frames in
 * query.c).  Same rules as calls.c: arguments checked, one request, every
 * field of the answer that is used checked, outputs written unless the
 * answer is MCD_RET_ACT_HANDLE_ERROR.  Runs on the calling thread.
 *
 * Channels may be opened on a system or device rather than a core
 * (mcd_core_st.instance NULL, level named by core_con_info); such calls go
 * to the first open server, with core_uid 0, and their outcome is
 * core-less.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "host-side/lib/client.h"

#define STRF(s, f)                              \
    {                                           \
        offsetof(s, f), sizeof(((s *)0)->f), #f \
    }

static const struct mcdc_strf core_state_strf[] = {
    STRF(mcd_core_state_st, stop_str),
    STRF(mcd_core_state_st, info_str),
    { 0, 0, NULL },
};
static const struct mcdc_strf rst_info_strf[] = {
    STRF(mcd_rst_info_st, info_str),
    { 0, 0, NULL },
};
static const struct mcdc_strf trace_state_strf[] = {
    STRF(mcd_trace_state_st, info_str),
    { 0, 0, NULL },
};

static bool failed(const struct mcdc_call *x)
{
    return x->res.return_status == MCD_RET_ACT_HANDLE_ERROR;
}

/* ------------------------------------------------------------------------
 * Execution control
 */

MCD_API_EXPORT mcd_return_et mcd_execute_txlist_f(const mcd_core_st *core,
                                                  mcd_txlist_st *txlist)
{
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_execute_txlist_f");
    r = mcdc_use_core(&x, core);
    if (r == 0 && !txlist) {
        r = mcdc_fail(&x, -EINVAL, "txlist is NULL");
    } else if (r == 0 && txlist->num_tx && !txlist->tx) {
        r = mcdc_fail(&x, -EINVAL, "txlist->tx is NULL with num_tx %u",
                      txlist->num_tx);
    } else if (r == 0 && txlist->num_tx > MCD_TX_NUM_MAX) {
        /* The API's limit per list; the library splits lists only to fit
         * the transport, never to stretch the API. */
        txlist->num_tx_ok = 0;
        r = mcdc_fail(&x, -EINVAL, "num_tx %u exceeds MCD_TX_NUM_MAX (%d)",
                      txlist->num_tx, MCD_TX_NUM_MAX);
    }
    if (r == 0) {
        r = mcdc_enter(&x);
    }
    if (r == 0) {
        r = mcdc_txlist(&x, txlist);
    }
    return mcdc_leave(&x, r);
}

static mcd_return_et flag_call(const char *fn, const mcd_core_st *core,
                               uint16_t id, mcd_bool_t flag)
{
    struct mcdshm_req_flag b = { .flag = flag != 0 };

    return mcdc_core_call(fn, core, id, &b, sizeof(b), NULL, 0, NULL, NULL);
}

MCD_API_EXPORT mcd_return_et mcd_run_f(const mcd_core_st *core,
                                       mcd_bool_t global)
{
    return flag_call("mcd_run_f", core, MCDSHM_FN_RUN, global);
}

MCD_API_EXPORT mcd_return_et mcd_stop_f(const mcd_core_st *core,
                                        mcd_bool_t global)
{
    return flag_call("mcd_stop_f", core, MCDSHM_FN_STOP, global);
}

MCD_API_EXPORT mcd_return_et mcd_set_global_f(const mcd_core_st *core,
                                              mcd_bool_t enable)
{
    return flag_call("mcd_set_global_f", core, MCDSHM_FN_SET_GLOBAL, enable);
}

MCD_API_EXPORT mcd_return_et mcd_run_until_f(const mcd_core_st *core,
                                             mcd_bool_t global,
                                             mcd_bool_t absolute_time,
                                             uint64_t run_until_time)
{
    struct mcdshm_req_run_until b = { .global = global != 0,
                                      .absolute_time = absolute_time != 0,
                                      .run_until_time = run_until_time };

    return mcdc_core_call("mcd_run_until_f", core, MCDSHM_FN_RUN_UNTIL, &b,
                          sizeof(b), NULL, 0, NULL, NULL);
}

MCD_API_EXPORT mcd_return_et mcd_qry_current_time_f(const mcd_core_st *core,
                                                    uint64_t *current_time)
{
    return mcdc_core_call("mcd_qry_current_time_f", core,
                          MCDSHM_FN_QRY_CURRENT_TIME, NULL, 0, current_time,
                          sizeof(*current_time), "current_time", NULL);
}

MCD_API_EXPORT mcd_return_et mcd_step_f(const mcd_core_st *core,
                                        mcd_bool_t global,
                                        mcd_core_step_type_et step_type,
                                        uint32_t n_steps)
{
    struct mcdshm_req_step b = { .global = global != 0,
                                 .step_type = step_type,
                                 .n_steps = n_steps };

    return mcdc_core_call("mcd_step_f", core, MCDSHM_FN_STEP, &b, sizeof(b),
                          NULL, 0, NULL, NULL);
}

MCD_API_EXPORT mcd_return_et mcd_qry_state_f(const mcd_core_st *core,
                                             mcd_core_state_st *state)
{
    return mcdc_core_call("mcd_qry_state_f", core, MCDSHM_FN_QRY_STATE, NULL, 0,
                          state, sizeof(*state), "state", core_state_strf);
}

/* Copy the result string of execute_command into the tool's buffer. */
static int take_result(struct mcdc_call *x, const struct mcdshm_resp *a,
                       const uint8_t *rpl, uint32_t asked, char *buf)
{
    struct mcdshm_span sp = a->u.string.str;
    int r = mcdc_resp_span(x, a, sp, "result_string");

    if (r < 0) {
        return r;
    }
    if (sp.len > asked) {
        return mcdc_malformed(x, "a result of %u bytes for a buffer of %u",
                              sp.len, asked);
    }
    if (asked == 0) {
        return 0;
    }
    memcpy(buf, rpl + sp.off, sp.len);
    if (sp.len == 0) {
        buf[0] = '\0';
    } else if (buf[sp.len - 1] != '\0') {
        return mcdc_malformed(x, "result_string is not NUL-terminated");
    }
    return 0;
}

static int execute_command(struct mcdc_call *x, const char *cmd, uint32_t size,
                           char *result)
{
    struct mcdshm_req *q;
    struct mcdshm_resp a;
    const uint8_t *rpl;
    uint32_t off = 0, ask;
    uint8_t *pl;
    int r;

    ask = size < x->conn->payload_size ? size : x->conn->payload_size;
    r = mcdc_req_begin(x, MCDSHM_FN_EXECUTE_COMMAND, &q, &pl);
    if (r == 0) {
        r = mcdc_put_str(x, cmd, pl, &off, &q->u.execute_command.command,
                         "command_string");
    }
    if (r < 0) {
        return r;
    }
    q->u.execute_command.result_string_size = ask;
    r = mcdc_transact(x, off, &a, &rpl);
    if (r < 0) {
        return r;
    }
    mcdc_answer(x, &a);
    r = take_result(x, &a, rpl, ask, result);
    mcdc_resp_done(x);
    return r;
}

MCD_API_EXPORT mcd_return_et
mcd_execute_command_f(const mcd_core_st *core, const mcd_char_t *command_string,
                      uint32_t result_string_size, mcd_char_t *result_string)
{
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_execute_command_f");
    r = mcdc_use_core(&x, core);
    if (r == 0 && result_string_size && !result_string) {
        r = mcdc_fail(&x, -EINVAL,
                      "result_string is NULL with result_string_size %u",
                      result_string_size);
    }
    if (r == 0) {
        r = mcdc_enter(&x);
    }
    if (r == 0) {
        r = execute_command(&x, command_string, result_string_size,
                            result_string);
    }
    return mcdc_leave(&x, r);
}

/* ------------------------------------------------------------------------
 * Reset
 */

MCD_API_EXPORT mcd_return_et mcd_qry_rst_classes_f(const mcd_core_st *core,
                                                   uint32_t *rst_class_vector)
{
    return mcdc_core_call("mcd_qry_rst_classes_f", core,
                          MCDSHM_FN_QRY_RST_CLASSES, NULL, 0, rst_class_vector,
                          sizeof(*rst_class_vector), "rst_class_vector", NULL);
}

MCD_API_EXPORT mcd_return_et mcd_qry_rst_class_info_f(const mcd_core_st *core,
                                                      uint8_t rst_class,
                                                      mcd_rst_info_st *rst_info)
{
    struct mcdshm_req_qry_rst_class_info b = { .rst_class = rst_class };

    return mcdc_core_call("mcd_qry_rst_class_info_f", core,
                          MCDSHM_FN_QRY_RST_CLASS_INFO, &b, sizeof(b), rst_info,
                          sizeof(*rst_info), "rst_info", rst_info_strf);
}

MCD_API_EXPORT mcd_return_et mcd_rst_f(const mcd_core_st *core,
                                       uint32_t rst_class_vector,
                                       mcd_bool_t rst_and_halt)
{
    struct mcdshm_req_rst b = { .rst_class_vector = rst_class_vector,
                                .rst_and_halt = rst_and_halt != 0 };

    return mcdc_core_call("mcd_rst_f", core, MCDSHM_FN_RST, &b, sizeof(b), NULL,
                          0, NULL, NULL);
}

/* ------------------------------------------------------------------------
 * Communication channels
 */

/* A channel call's target: a core, or a system/device on the first
 * server (held by *held until chl_leave()). */
struct chl_target {
    struct mcdc_conn **held;
    int nheld;
    const mcd_core_con_info_st *con_info;
};

/*
 * Identify a channel call's target before its arguments are checked: an
 * open core, so that its errors are filed under that core like every other
 * core function's, or a system/device (the core-less slot).
 */
static int chl_use(struct mcdc_call *x, const mcd_core_st *core,
                   struct chl_target *t)
{
    memset(t, 0, sizeof(*t));
    if (!core) {
        return mcdc_fail(x, -EINVAL, "core is NULL");
    }
    t->con_info = core->core_con_info;
    if (core->instance) {
        return mcdc_use_core(x, core);
    }
    if (!core->core_con_info) {
        return mcdc_fail(x, -EINVAL,
                         "core has neither an instance nor a "
                         "core_con_info naming a system or device");
    }
    return 0;
}

/* Enter the connection of the target chl_use() identified. */
static int chl_enter(struct mcdc_call *x, struct chl_target *t)
{
    if (x->core) {
        return mcdc_enter(x);
    }
    t->nheld = mcdc_conns(&t->held, false);
    if (t->nheld <= 0) {
        t->nheld = 0;
        return mcdc_fail(x, -ENOTCONN, "no server is open");
    }
    return mcdc_enter_conn(x, t->held[0]);
}

static mcd_return_et chl_leave(struct mcdc_call *x, struct chl_target *t, int r)
{
    mcdc_exit_conn(x);
    if (t->nheld) {
        mcdc_conns_put(t->held, t->nheld);
    }
    return mcdc_leave(x, r);
}

static int chl_open(struct mcdc_call *x, const struct chl_target *t,
                    mcd_chl_st *channel)
{
    struct mcdshm_req_chl_open b;
    struct mcdshm_resp_chl_open a;
    int r;

    memset(&b, 0, sizeof(b));
    memcpy(&b.channel, channel, sizeof(*channel));
    memset(b.channel.pad, 0, sizeof(b.channel.pad));
    b.channel.msg_buffer_addr.pad = 0;
    if (t->con_info) {
        memcpy(&b.con_info, t->con_info, sizeof(b.con_info));
    }
    r = mcdc_simple(x, MCDSHM_FN_CHL_OPEN, &b, sizeof(b), &a, sizeof(a));
    if (r == 0 && !failed(x)) {
        memcpy(channel, &a.channel, sizeof(*channel));
    }
    return r;
}

MCD_API_EXPORT mcd_return_et mcd_chl_open_f(const mcd_core_st *core,
                                            mcd_chl_st *channel)
{
    struct chl_target t = { 0 };
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_chl_open_f");
    r = chl_use(&x, core, &t);
    if (r == 0 && !channel) {
        r = mcdc_fail(&x, -EINVAL, "channel is NULL");
    }
    if (r == 0) {
        r = chl_enter(&x, &t);
    }
    if (r == 0) {
        r = chl_open(&x, &t, channel);
    }
    return chl_leave(&x, &t, r);
}

static int send_msg(struct mcdc_call *x, uint32_t chl_id, uint32_t len,
                    const uint8_t *msg)
{
    struct mcdshm_req *q;
    struct mcdshm_resp a;
    uint8_t *pl;
    int r;

    if (len > x->conn->payload_size) {
        return mcdc_fail(x, -EINVAL,
                         "msg_len %u exceeds the %u bytes a request carries",
                         len, x->conn->payload_size);
    }
    r = mcdc_req_begin(x, MCDSHM_FN_SEND_MSG, &q, &pl);
    if (r < 0) {
        return r;
    }
    q->u.send_msg.chl_id = chl_id;
    q->u.send_msg.msg.len = len;
    memcpy(pl, msg, len);
    r = mcdc_transact(x, len, &a, NULL);
    if (r == 0) {
        mcdc_answer(x, &a);
        mcdc_resp_done(x);
    }
    return r;
}

MCD_API_EXPORT mcd_return_et mcd_send_msg_f(const mcd_core_st *core,
                                            const mcd_chl_st *channel,
                                            uint32_t msg_len,
                                            const uint8_t *msg)
{
    struct chl_target t = { 0 };
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_send_msg_f");
    r = chl_use(&x, core, &t);
    if (r == 0 && (!channel || (msg_len && !msg))) {
        r = mcdc_fail(&x, -EINVAL, "%s is NULL", channel ? "msg" : "channel");
    }
    if (r == 0) {
        r = chl_enter(&x, &t);
    }
    if (r == 0) {
        r = send_msg(&x, channel->chl_id, msg_len, msg);
    }
    return chl_leave(&x, &t, r);
}

static int receive_msg(struct mcdc_call *x, uint32_t chl_id, uint32_t timeout,
                       uint32_t *msg_len, uint8_t *msg)
{
    struct mcdc_conn *c = x->conn;
    struct mcdshm_req_receive_msg b = { .chl_id = chl_id,
                                        .timeout_ms = timeout };
    struct mcdshm_resp a;
    struct mcdshm_req *q;
    const struct mcdshm_resp_receive_msg *rm = &a.u.receive_msg;
    const uint8_t *rpl;
    uint8_t *pl;
    int r;

    b.msg_len = *msg_len < c->payload_size ? *msg_len : c->payload_size;
    r = mcdc_req_begin(x, MCDSHM_FN_RECEIVE_MSG, &q, &pl);
    if (r < 0) {
        return r;
    }
    q->u.receive_msg = b;
    /* The server may wait @timeout before it answers. */
    x->extra_ms = timeout;
    r = mcdc_transact(x, 0, &a, &rpl);
    if (r < 0) {
        return r;
    }
    mcdc_answer(x, &a);
    if (!failed(x)) {
        if (rm->msg_len > b.msg_len || rm->msg.len != rm->msg_len) {
            r = mcdc_malformed(x, "%u bytes received (span %u) for %u asked",
                               rm->msg_len, rm->msg.len, b.msg_len);
        } else if ((r = mcdc_resp_span(x, &a, rm->msg, "msg")) == 0) {
            memcpy(msg, rpl + rm->msg.off, rm->msg_len);
            *msg_len = rm->msg_len;
        }
    }
    mcdc_resp_done(x);
    return r;
}

MCD_API_EXPORT mcd_return_et mcd_receive_msg_f(const mcd_core_st *core,
                                               const mcd_chl_st *channel,
                                               uint32_t timeout,
                                               uint32_t *msg_len, uint8_t *msg)
{
    struct chl_target t = { 0 };
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_receive_msg_f");
    r = chl_use(&x, core, &t);
    if (r == 0 && (!channel || !msg_len || (*msg_len && !msg))) {
        r = mcdc_fail(&x, -EINVAL, "%s is NULL",
                      !channel   ? "channel"
                      : !msg_len ? "msg_len"
                                 : "msg");
    }
    if (r == 0) {
        r = chl_enter(&x, &t);
    }
    if (r == 0) {
        r = receive_msg(&x, channel->chl_id, timeout, msg_len, msg);
    }
    return chl_leave(&x, &t, r);
}

static mcd_return_et chl_id_call(const char *fn, const mcd_core_st *core,
                                 uint16_t id, const mcd_chl_st *channel)
{
    struct chl_target t = { 0 };
    struct mcdshm_req_chl_id b;
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, fn);
    r = chl_use(&x, core, &t);
    if (r == 0 && !channel) {
        r = mcdc_fail(&x, -EINVAL, "channel is NULL");
    }
    if (r == 0) {
        r = chl_enter(&x, &t);
    }
    if (r == 0) {
        memset(&b, 0, sizeof(b));
        b.chl_id = channel->chl_id;
        r = mcdc_simple(&x, id, &b, sizeof(b), NULL, 0);
    }
    return chl_leave(&x, &t, r);
}

MCD_API_EXPORT mcd_return_et mcd_chl_reset_f(const mcd_core_st *core,
                                             const mcd_chl_st *channel)
{
    return chl_id_call("mcd_chl_reset_f", core, MCDSHM_FN_CHL_RESET, channel);
}

MCD_API_EXPORT mcd_return_et mcd_chl_close_f(const mcd_core_st *core,
                                             const mcd_chl_st *channel)
{
    return chl_id_call("mcd_chl_close_f", core, MCDSHM_FN_CHL_CLOSE, channel);
}

/* ------------------------------------------------------------------------
 * Trace state
 */

MCD_API_EXPORT mcd_return_et mcd_qry_trace_state_f(const mcd_core_st *core,
                                                   uint32_t trace_id,
                                                   mcd_trace_state_st *state)
{
    struct mcdshm_req_trace_id b = { .trace_id = trace_id };

    return mcdc_core_call("mcd_qry_trace_state_f", core,
                          MCDSHM_FN_QRY_TRACE_STATE, &b, sizeof(b), state,
                          sizeof(*state), "state", trace_state_strf);
}

MCD_API_EXPORT mcd_return_et mcd_set_trace_state_f(const mcd_core_st *core,
                                                   uint32_t trace_id,
                                                   mcd_trace_state_st *state)
{
    struct mcdshm_req_set_trace_state b;
    struct mcdshm_trace_state *s = &b.state;

    memset(&b, 0, sizeof(b));
    b.trace_id = trace_id;
    if (state) {
        /* The tool's padding is undefined, its booleans any non-zero;
         * modified is an output. */
        memcpy(s, state, sizeof(*state));
        memset(s->pad0, 0, sizeof(s->pad0));
        memset(s->pad1, 0, sizeof(s->pad1));
        memset(s->pad2, 0, sizeof(s->pad2));
        s->autoarm = s->autoarm != 0;
        s->wraparound = s->wraparound != 0;
        s->timestamp_is_time = s->timestamp_is_time != 0;
        s->modified = 0;
        s->info_str[sizeof(s->info_str) - 1] = '\0';
    }
    return mcdc_core_call("mcd_set_trace_state_f", core,
                          MCDSHM_FN_SET_TRACE_STATE, &b, sizeof(b), state,
                          sizeof(*state), "state", trace_state_strf);
}
