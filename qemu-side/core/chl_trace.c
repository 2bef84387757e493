/*
 * Communication channels and trace, passed through to the target's
 * optional operations after validation.
 *
 * Channels: the core keeps the table of open channels (at most
 * MCD_CHL_NUM_MAX per server, i.e. per core instance) with the session and
 * core each was opened on; only that session may use a channel, on that
 * core uid (0 for a system-level channel), and its channels close with the
 * core or the session.  A target without chl_open has no channels:
 * MCD_ERR_CHL_TARGET_NOT_SUPPORTED naming the system.
 *
 * Trace: a target without a traces operation has no traces (qry_traces
 * answers 0); the other trace functions then answer
 * MCD_ERR_FN_UNIMPLEMENTED saying the system has no trace.  trace_id 0 is
 * reserved, an id must be one qry_traces lists, and read_trace checks
 * trace_data_size against the frame structure of the trace's format (56
 * bytes for CORE_* formats, 48 for EVENT, 80 for STAT; any for custom
 * formats) and start_index against the frames available.
 *
 * Threads: the session's thread; the channel table is under c->lock and
 * every target operation runs unlocked (receive_msg may wait).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core_pvt.h"

static const struct mcdcore__list chl_traces = { "traces", "num_traces",
                                                 "trace_info",
                                                 sizeof(mcd_trace_info_st) };
static const struct mcdcore__list chl_frames = { "trace frames", "num_frames",
                                                 "trace_data", 1 };

/* --- Channels --- */

static const char *chl_level(const struct mcdcore__call *cl)
{
    return cl->core == MCDCORE__NO_CORE ? "the system level"
                                        : mcdcore__core_name(cl->c, cl->core);
}

static mcd_return_et chl_check_setup(struct mcdcore__call *cl,
                                     const mcd_chl_st *chl)
{
    if (!cl->c->ops->chl_open) {
        return mcdcore__error(cl, MCD_ERR_CHL_TARGET_NOT_SUPPORTED,
                              "%s has no communication channels",
                              cl->c->t->system);
    }
    if ((chl->type < MCD_CHL_TYPE_COMMON || chl->type > MCD_CHL_TYPE_APPLI) &&
        (chl->type < MCD_CHL_TYPE_CUSTOM_LO ||
         chl->type > MCD_CHL_TYPE_CUSTOM_HI)) {
        return mcdcore__error(cl, MCD_ERR_CHL_TYPE_NOT_SUPPORTED,
                              "channel type 0x%" PRIx32 " is not COMMON (1), "
                              "CONFIG (2), APPLI (3) or a custom type",
                              chl->type);
    }
    if ((chl->attributes & MCD_CHL_AT_HAS_PRIO) &&
        chl->prio > MCD_CHL_LOWEST_PRIORITY) {
        return mcdcore__error(cl, MCD_ERR_CHL_SETUP,
                              "prio %u is below the lowest priority (%d)",
                              chl->prio, MCD_CHL_LOWEST_PRIORITY);
    }
    return MCD_RET_ACT_NONE;
}

/* Reserve a table entry for a channel being opened; NULL if full. */
static struct mcdcore__chl *chl_reserve(struct mcdcore__call *cl)
{
    struct mcdcore__chl *h = NULL;
    uint32_t i;

    pthread_mutex_lock(&cl->c->lock);
    for (i = 0; i < MCD_CHL_NUM_MAX && !h; i++) {
        h = cl->c->chls[i].used ? NULL : &cl->c->chls[i];
    }
    if (h) {
        h->used = true;
        h->id = 0;
        h->core = cl->core;
        h->owner = cl->s;
    }
    pthread_mutex_unlock(&cl->c->lock);
    return h;
}

/* Commit @h as channel @id, unless @failed or @id is 0 or taken. */
static bool chl_commit(struct mcdcore__call *cl, struct mcdcore__chl *h,
                       bool failed, uint32_t id)
{
    bool ok = !failed && id;
    uint32_t i;

    pthread_mutex_lock(&cl->c->lock);
    for (i = 0; i < MCD_CHL_NUM_MAX && ok; i++) {
        ok = !(cl->c->chls[i].used && cl->c->chls[i].id == id);
    }
    h->used = ok;
    h->id = ok ? id : 0;
    pthread_mutex_unlock(&cl->c->lock);
    return ok;
}

mcd_return_et mcdcore_chl_open(struct mcdcore_session *s, uint32_t core_uid,
                               const mcd_core_con_info_st *con_info,
                               mcd_chl_st *channel)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    struct mcdcore__chl *h;
    mcd_return_et ret;
    int rc;

    ret = core_uid ? mcdcore__begin_core(s, core_uid, &cl)
                   : mcdcore__begin(s, &cl);
    if (ret == MCD_RET_ACT_NONE && !core_uid && con_info) {
        ret = mcdcore__con_match(&cl, con_info, true);
    }
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!channel) {
        return mcdcore__null(&cl, "channel");
    }
    ret = chl_check_setup(&cl, channel);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    h = chl_reserve(&cl);
    if (!h) {
        return mcdcore__error(&cl, MCD_ERR_CHL_SETUP,
                              "all %d channels (MCD_CHL_NUM_MAX) are open",
                              MCD_CHL_NUM_MAX);
    }
    rc = cl.c->ops->chl_open(cl.c->t->opaque, cl.core, channel, &st);
    if (!chl_commit(&cl, h, rc != 0, rc ? 0 : channel->chl_id)) {
        if (rc) {
            return mcdcore__target_error(&cl, &st);
        }
        return mcdcore__error(&cl, MCD_ERR_GENERAL,
                              "%s opened a channel with id %" PRIu32
                              ", which is 0 or already in use",
                              cl.c->t->system, channel->chl_id);
    }
    return mcdcore__ok(&cl);
}

/* Begin a call on channel @chl_id, which @s must have opened on @core_uid. */
static mcd_return_et chl_begin(struct mcdcore_session *s, uint32_t core_uid,
                               uint32_t chl_id, struct mcdcore__call *cl)
{
    bool found = false;
    mcd_return_et ret;
    uint32_t i;

    ret =
        core_uid ? mcdcore__begin_core(s, core_uid, cl) : mcdcore__begin(s, cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    pthread_mutex_lock(&cl->c->lock);
    for (i = 0; i < MCD_CHL_NUM_MAX && chl_id && !found; i++) {
        const struct mcdcore__chl *h = &cl->c->chls[i];

        found =
            h->used && h->id == chl_id && h->owner == s && h->core == cl->core;
    }
    pthread_mutex_unlock(&cl->c->lock);
    if (!found) {
        return mcdcore__error(cl, MCD_ERR_PARAM,
                              "chl_id %" PRIu32 " is not a channel this "
                              "session opened on %s",
                              chl_id, chl_level(cl));
    }
    return MCD_RET_ACT_NONE;
}

static mcd_return_et chl_unsupported(struct mcdcore__call *cl, const char *what)
{
    return mcdcore__error(cl, MCD_ERR_CHL_TARGET_NOT_SUPPORTED,
                          "%s cannot %s on its channels", cl->c->t->system,
                          what);
}

mcd_return_et mcdcore_send_msg(struct mcdcore_session *s, uint32_t core_uid,
                               uint32_t chl_id, uint32_t msg_len,
                               const uint8_t *msg)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = chl_begin(s, core_uid, chl_id, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (msg_len && !msg) {
        return mcdcore__null(&cl, "msg");
    }
    if (!cl.c->ops->chl_send) {
        return chl_unsupported(&cl, "send");
    }
    if (cl.c->ops->chl_send(cl.c->t->opaque, chl_id, msg, msg_len, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_receive_msg(struct mcdcore_session *s, uint32_t core_uid,
                                  uint32_t chl_id, uint32_t timeout,
                                  uint32_t *msg_len, uint8_t *msg)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t room;

    ret = chl_begin(s, core_uid, chl_id, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!msg_len || (*msg_len && !msg)) {
        return mcdcore__null(&cl, msg_len ? "msg" : "msg_len");
    }
    if (!cl.c->ops->chl_receive) {
        return chl_unsupported(&cl, "receive");
    }
    room = *msg_len;
    if (cl.c->ops->chl_receive(cl.c->t->opaque, chl_id, timeout, msg, msg_len,
                               &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    *msg_len = *msg_len < room ? *msg_len : room;
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_chl_reset(struct mcdcore_session *s, uint32_t core_uid,
                                uint32_t chl_id)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = chl_begin(s, core_uid, chl_id, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!cl.c->ops->chl_reset) {
        return chl_unsupported(&cl, "reset");
    }
    if (cl.c->ops->chl_reset(cl.c->t->opaque, chl_id, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    return mcdcore__ok(&cl);
}

/* Forget channel @id of @s. */
static void chl_forget(struct mcdcore_session *s, uint32_t id)
{
    uint32_t i;

    pthread_mutex_lock(&s->c->lock);
    for (i = 0; i < MCD_CHL_NUM_MAX; i++) {
        struct mcdcore__chl *h = &s->c->chls[i];

        if (h->used && h->id == id && h->owner == s) {
            memset(h, 0, sizeof(*h));
        }
    }
    pthread_mutex_unlock(&s->c->lock);
}

mcd_return_et mcdcore_chl_close(struct mcdcore_session *s, uint32_t core_uid,
                                uint32_t chl_id)
{
    struct mcdshm_status st = { 0 };
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = chl_begin(s, core_uid, chl_id, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (cl.c->ops->chl_close &&
        cl.c->ops->chl_close(cl.c->t->opaque, chl_id, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    chl_forget(s, chl_id);
    return mcdcore__ok(&cl);
}

void mcdcore__chl_drop(struct mcdcore_session *s, uint32_t core, bool all)
{
    struct mcdcore *c = s->c;
    uint32_t ids[MCD_CHL_NUM_MAX];
    struct mcdshm_status st;
    uint32_t i, n = 0;

    pthread_mutex_lock(&c->lock);
    for (i = 0; i < MCD_CHL_NUM_MAX; i++) {
        const struct mcdcore__chl *h = &c->chls[i];

        if (h->used && h->id && h->owner == s && (all || h->core == core)) {
            ids[n++] = h->id;
        }
    }
    pthread_mutex_unlock(&c->lock);
    /* The entries stay taken until the target has closed the channels, so
     * that it cannot hand their ids out again while they are listed. */
    for (i = 0; i < n; i++) {
        if (c->ops->chl_close) {
            c->ops->chl_close(c->t->opaque, ids[i], &st);
        }
        chl_forget(s, ids[i]);
    }
}

/* --- Trace --- */

static uint32_t chl_fill_traces(const struct mcdcore__call *cl, const void *arg,
                                void *out, uint32_t max)
{
    const struct mcdcore *c = cl->c;

    (void)arg;
    if (!c->ops->traces) {
        return 0;
    }
    return c->ops->traces(c->t->opaque, cl->core, out, max);
}

mcd_return_et mcdcore_qry_traces(struct mcdcore_session *s, uint32_t core_uid,
                                 uint32_t start_index, uint32_t *num_traces,
                                 mcd_trace_info_st *trace_info)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    return mcdcore__page_fill(&cl, &chl_traces, chl_fill_traces, NULL,
                              start_index, num_traces, trace_info);
}

static mcd_return_et chl_no_trace(struct mcdcore__call *cl, const char *what)
{
    return mcdcore__error(cl, MCD_ERR_FN_UNIMPLEMENTED, "%s has no trace%s",
                          cl->c->t->system, what);
}

/* The trace @id of cl's core, into @info. */
static mcd_return_et chl_find_trace(struct mcdcore__call *cl, uint32_t id,
                                    mcd_trace_info_st *info)
{
    mcd_trace_info_st *all;
    uint32_t i, n;
    bool found = false;

    if (!cl->c->ops->traces) {
        return chl_no_trace(cl, "");
    }
    if (!id) {
        return mcdcore__error(cl, MCD_ERR_PARAM, "trace_id 0 is reserved");
    }
    n = chl_fill_traces(cl, NULL, NULL, 0);
    all = calloc(n ? n : 1, sizeof(*all));
    if (!all) {
        return mcdcore__error(cl, MCD_ERR_GENERAL,
                              "out of memory listing traces");
    }
    n = chl_fill_traces(cl, NULL, all, n);
    for (i = 0; i < n && !found; i++) {
        found = all[i].trace_id == id;
        *info = all[i];
    }
    free(all);
    if (!found) {
        return mcdcore__error(cl, MCD_ERR_PARAM,
                              "trace_id %" PRIu32 " is not a trace of core %s",
                              id, mcdcore__core_name(cl->c, cl->core));
    }
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore_qry_trace_state(struct mcdcore_session *s,
                                      uint32_t core_uid, uint32_t trace_id,
                                      mcd_trace_state_st *state)
{
    struct mcdshm_status st = { 0 };
    mcd_trace_info_st info;
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret == MCD_RET_ACT_NONE && !state) {
        ret = mcdcore__null(&cl, "state");
    }
    if (ret == MCD_RET_ACT_NONE) {
        ret = chl_find_trace(&cl, trace_id, &info);
    }
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!cl.c->ops->trace_state) {
        return chl_no_trace(&cl, " state to report");
    }
    memset(state, 0, sizeof(*state));
    if (cl.c->ops->trace_state(cl.c->t->opaque, cl.core, trace_id, state,
                               &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    state->info_str[sizeof(state->info_str) - 1] = '\0';
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_set_trace_state(struct mcdcore_session *s,
                                      uint32_t core_uid, uint32_t trace_id,
                                      mcd_trace_state_st *state)
{
    struct mcdshm_status st = { 0 };
    mcd_trace_info_st info;
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret == MCD_RET_ACT_NONE && !state) {
        ret = mcdcore__null(&cl, "state");
    }
    if (ret == MCD_RET_ACT_NONE) {
        ret = chl_find_trace(&cl, trace_id, &info);
    }
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!cl.c->ops->set_trace_state) {
        return chl_no_trace(&cl, " settings to change");
    }
    state->modified = FALSE;
    if (cl.c->ops->set_trace_state(cl.c->t->opaque, cl.core, trace_id, state,
                                   &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    state->info_str[sizeof(state->info_str) - 1] = '\0';
    return mcdcore__ok(&cl);
}

uint32_t mcdcore_trace_frame_size(mcd_trace_format_et format)
{
    if (format >= MCD_TRACE_FORMAT_CORE_FETCH &&
        format <= MCD_TRACE_FORMAT_CORE_FLOW_IPREDICATE) {
        return sizeof(mcd_trace_data_core_st);
    }
    if (format == MCD_TRACE_FORMAT_EVENT) {
        return sizeof(mcd_trace_data_event_st);
    }
    if (format == MCD_TRACE_FORMAT_STAT) {
        return sizeof(mcd_trace_data_stat_st);
    }
    return format >= MCD_TRACE_FORMAT_CUSTOM_LO ? UINT32_MAX : 0;
}

static mcd_return_et chl_check_frame(struct mcdcore__call *cl,
                                     const mcd_trace_info_st *info,
                                     uint32_t size)
{
    uint32_t want = mcdcore_trace_frame_size(info->trace_format);

    if (!want) {
        return mcdcore__error(cl, MCD_ERR_PARAM,
                              "trace %" PRIu32 " has format 0x%" PRIx32
                              ", which cannot be read through the API",
                              info->trace_id, info->trace_format);
    }
    if ((want == UINT32_MAX && !size) || (want != UINT32_MAX && size != want)) {
        return mcdcore__error(cl, MCD_ERR_PARAM,
                              "trace_data_size %" PRIu32 " is not the size "
                              "of a frame of trace %" PRIu32
                              " (format 0x%" PRIx32 ": %" PRIu32 " bytes)",
                              size, info->trace_id, info->trace_format,
                              want == UINT32_MAX ? 0 : want);
    }
    return MCD_RET_ACT_NONE;
}

/*
 * The frames trace @info holds.  The count is asked with the frame size of
 * the trace's format, whatever the caller gave: a count query needs none.
 */
static int chl_trace_avail(const struct mcdcore__call *cl,
                           const mcd_trace_info_st *info, uint32_t size,
                           uint32_t *avail, struct mcdshm_status *st)
{
    uint32_t want = mcdcore_trace_frame_size(info->trace_format);

    if (want && want != UINT32_MAX) {
        size = want;
    }
    *avail = 0;
    return cl->c->ops->read_trace(cl->c->t->opaque, cl->core, info->trace_id, 0,
                                  avail, size, NULL, st);
}

mcd_return_et mcdcore_read_trace(struct mcdcore_session *s, uint32_t core_uid,
                                 uint32_t trace_id, uint64_t start_index,
                                 uint32_t *num_frames, uint32_t trace_data_size,
                                 void *trace_data)
{
    struct mcdshm_status st = { 0 };
    const struct mcdshm_target_ops *o;
    mcd_trace_info_st info;
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t avail, n;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret == MCD_RET_ACT_NONE && !num_frames) {
        ret = mcdcore__null(&cl, "num_frames");
    }
    if (ret == MCD_RET_ACT_NONE) {
        ret = chl_find_trace(&cl, trace_id, &info);
    }
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    o = cl.c->ops;
    if (!o->read_trace) {
        return chl_no_trace(&cl, " frames to read");
    }
    if (*num_frames) { /* a count query needs no frame type */
        ret = chl_check_frame(&cl, &info, trace_data_size);
        if (ret != MCD_RET_ACT_NONE) {
            return ret;
        }
    }
    if (chl_trace_avail(&cl, &info, trace_data_size, &avail, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    ret = mcdcore__page(&cl, &chl_frames, avail, start_index, num_frames,
                        trace_data, &n);
    if (ret != MCD_RET_ACT_NONE || !n) {
        return ret != MCD_RET_ACT_NONE ? ret : mcdcore__ok(&cl);
    }
    if (o->read_trace(cl.c->t->opaque, cl.core, trace_id, start_index, &n,
                      trace_data_size, trace_data, &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    *num_frames = n < *num_frames ? n : *num_frames;
    return mcdcore__ok(&cl);
}
