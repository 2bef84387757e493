/*
 * The count-then-fetch functions (API 6.1): systems, devices, cores, core
 * modes, memory spaces and blocks, overlays, register groups, maps and
 * compounds, custom triggers, the trigger set, traces and trace frames.
 *
 * A query whose answer does not fit one slot's payload area is paged: the
 * library first asks for the total, then fetches slot-sized pages, so the
 * tool sees one call.  Every page is checked (element size, count at most
 * what was asked, items inside the payload, strings terminated) before it
 * is copied into the tool's array.  Systems are gathered from every open
 * server in open order; devices and cores come from the first server that
 * knows the system.  Runs on the calling thread, connection locked.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host-side/lib/client.h"
#include "shm/lane.h"
#include "shm/region.h"

#define STRF(s, f)                              \
    {                                           \
        offsetof(s, f), sizeof(((s *)0)->f), #f \
    }
#define STRF_END   \
    {              \
        0, 0, NULL \
    }

const struct mcdc_strf mcdc_con_info_strf[] = {
    STRF(mcd_core_con_info_st, host),
    STRF(mcd_core_con_info_st, server_key),
    STRF(mcd_core_con_info_st, system_key),
    STRF(mcd_core_con_info_st, device_key),
    STRF(mcd_core_con_info_st, system),
    STRF(mcd_core_con_info_st, system_instance),
    STRF(mcd_core_con_info_st, acc_hw),
    STRF(mcd_core_con_info_st, device),
    STRF(mcd_core_con_info_st, core),
    STRF_END,
};
static const struct mcdc_strf mode_strf[] = {
    STRF(mcd_core_mode_info_st, name),
    STRF_END,
};
static const struct mcdc_strf memspace_strf[] = {
    STRF(mcd_memspace_st, mem_space_name),
    STRF_END,
};
static const struct mcdc_strf memblock_strf[] = {
    STRF(mcd_memblock_st, mem_block_name),
    STRF_END,
};
static const struct mcdc_strf group_strf[] = {
    STRF(mcd_register_group_st, reg_group_name),
    STRF_END,
};
static const struct mcdc_strf reg_strf[] = {
    STRF(mcd_register_info_st, regname),
    STRF_END,
};
static const struct mcdc_strf ctrig_strf[] = {
    STRF(mcd_ctrig_info_st, info_str),
    STRF_END,
};
static const struct mcdc_strf trace_strf[] = {
    STRF(mcd_trace_info_st, trace_name),
    STRF_END,
};

int mcdc_check_strs(struct mcdc_call *x, const void *p, uint32_t n,
                    uint32_t size, const struct mcdc_strf *t, const char *what)
{
    const uint8_t *e = p;
    const struct mcdc_strf *f;
    uint32_t i;

    for (i = 0; t && i < n; i++, e += size) {
        for (f = t; f->name; f++) {
            if (!memchr(e + f->off, '\0', f->len)) {
                return mcdc_malformed(x,
                                      "%s.%s of entry %u is not "
                                      "NUL-terminated",
                                      what, f->name, i);
            }
        }
    }
    return 0;
}

/* How one count-then-fetch query is asked and checked. */
struct pager {
    uint32_t elem;
    /* Ask @num entries from @start into @out; *got = entries, or the
     * total when @num is 0.  An error answer leaves *got 0. */
    int (*once)(struct mcdc_call *x, const struct pager *p, uint64_t start,
                uint32_t num, void *out, uint32_t *got);
    uint16_t fn;
    const struct mcdc_strf *strf;
    const char *what;
    /* Fill the body around the page request; return the page request. */
    struct mcdshm_page_req *(*body)(struct mcdshm_req *q, const void *arg);
    const void *arg;
    uint32_t trace_id;
    uint32_t trace_data_size;
};

static bool failed(const struct mcdc_call *x)
{
    return x->res.return_status == MCD_RET_ACT_HANDLE_ERROR;
}

/* Check and copy a page answer. */
static int page_take(struct mcdc_call *x, const struct pager *p,
                     const struct mcdshm_resp *a, const uint8_t *rpl,
                     uint32_t num, void *out, uint32_t *got)
{
    const struct mcdshm_page_resp *pr = &a->u.page;
    int r;

    mcdc_answer(x, a);
    if (failed(x)) {
        return 0;
    }
    if (num == 0) {
        *got = pr->num;
        return 0;
    }
    if (pr->elem_size != p->elem || pr->num > num ||
        pr->items.len != pr->num * p->elem) {
        return mcdc_malformed(x,
                              "page of %u entries of %u bytes in %u bytes, "
                              "for %u entries of %u bytes asked",
                              pr->num, pr->elem_size, pr->items.len, num,
                              p->elem);
    }
    r = mcdc_resp_span(x, a, pr->items, "items");
    if (r < 0) {
        return r;
    }
    memcpy(out, rpl + pr->items.off, pr->items.len);
    *got = pr->num;
    return mcdc_check_strs(x, out, pr->num, p->elem, p->strf, p->what);
}

static int page_once(struct mcdc_call *x, const struct pager *p, uint64_t start,
                     uint32_t num, void *out, uint32_t *got)
{
    struct mcdshm_page_req *pg;
    struct mcdshm_req *q;
    struct mcdshm_resp a;
    const uint8_t *rpl;
    uint8_t *pl;
    int r;

    *got = 0;
    r = mcdc_req_begin(x, p->fn, &q, &pl);
    if (r < 0) {
        return r;
    }
    pg = p->body(q, p->arg);
    pg->start_index = (uint32_t)start;
    pg->num = num;
    r = mcdc_transact(x, 0, &a, &rpl);
    if (r < 0) {
        return r;
    }
    r = page_take(x, p, &a, rpl, num, out, got);
    mcdc_resp_done(x);
    return r;
}

/*
 * Fetch *num entries from @start: in one request if they fit a payload
 * area, else the total first and then slot-sized pages.
 */
static int page_loop(struct mcdc_call *x, const struct pager *p, uint64_t start,
                     uint32_t *num, void *out)
{
    uint32_t cap = x->conn->payload_size / p->elem, want = *num;
    uint32_t done = 0, got, ask, total;
    int r;

    if (want <= cap) {
        r = p->once(x, p, start, want, out, &got);
        if (r == 0 && !failed(x)) {
            *num = got;
        }
        return r;
    }
    r = p->once(x, p, start, 0, NULL, &total);
    if (r < 0 || failed(x)) {
        return r;
    }
    while (done < want && (done == 0 || start + done < total)) {
        ask = want - done < cap ? want - done : cap;
        if (start + done < total && total - (start + done) < ask) {
            ask = (uint32_t)(total - (start + done));
        }
        r = p->once(x, p, start + done, ask,
                    (uint8_t *)out + (size_t)done * p->elem, &got);
        if (r < 0 || failed(x)) {
            return r;
        }
        done += got;
        if (got < ask || x->res.return_status != MCD_RET_ACT_NONE) {
            break;
        }
    }
    *num = done;
    return 0;
}

static struct mcdshm_page_req *body_page_only(struct mcdshm_req *q,
                                              const void *arg)
{
    (void)arg;
    return &q->u.page_only.page;
}

static struct mcdshm_page_req *body_page_id(struct mcdshm_req *q,
                                            const void *arg)
{
    q->u.page_id.id = *(const uint32_t *)arg;
    return &q->u.page_id.page;
}

static struct mcdshm_page_req *body_con(struct mcdshm_req *q, const void *arg)
{
    memcpy(&q->u.qry_con.con_info, arg, sizeof(q->u.qry_con.con_info));
    return &q->u.qry_con.page;
}

/* Check the count-then-fetch arguments. */
static int check_args(struct mcdc_call *x, const uint32_t *num, const void *out,
                      const char *num_name, const char *out_name)
{
    if (!num) {
        return mcdc_fail(x, -EINVAL, "%s is NULL", num_name);
    }
    if (*num && !out) {
        return mcdc_fail(x, -EINVAL, "%s is NULL with *%s %u", out_name,
                         num_name, *num);
    }
    return 0;
}

/* A count-then-fetch query on a core. */
static mcd_return_et core_query(const char *fn, const mcd_core_st *core,
                                struct pager *p, uint32_t start, uint32_t *num,
                                void *out, const char *num_name,
                                const char *out_name)
{
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, fn);
    r = mcdc_use_core(&x, core);
    if (r == 0) {
        r = check_args(&x, num, out, num_name, out_name);
    }
    if (r == 0) {
        r = mcdc_enter(&x);
    }
    if (r == 0) {
        p->once = page_once;
        r = page_loop(&x, p, start, num, out);
    }
    return mcdc_leave(&x, r);
}

#define PAGER(fn_, type, strf_, body_, arg_)                               \
    {                                                                      \
        .elem = sizeof(type), .fn = (fn_), .strf = (strf_), .what = #type, \
        .body = (body_), .arg = (arg_)                                     \
    }

/* ------------------------------------------------------------------------
 * Systems, devices, cores: across the open servers
 */

/* The total of one server; 0 with the error recorded on failure. */
static int count_on(struct mcdc_call *x, struct mcdc_conn *c,
                    const struct pager *p, uint32_t *total)
{
    int r = mcdc_enter_conn(x, c);

    *total = 0;
    if (r == 0) {
        r = p->once(x, p, 0, 0, NULL, total);
    }
    mcdc_exit_conn(x);
    return r;
}

/* Fetch from each server its part of [start, start + *num). */
static int gather_fetch(struct mcdc_call *x, struct mcdc_conn **v, int n,
                        const uint32_t *count, struct pager *p, uint32_t start,
                        uint32_t *num, void *out)
{
    uint32_t base = 0, done = 0, ask;
    int i, r;

    for (i = 0; i < n && done < *num; base += count[i++]) {
        if (start + done >= base + count[i]) {
            continue;
        }
        ask = base + count[i] - (start + done);
        ask = ask < *num - done ? ask : *num - done;
        r = mcdc_enter_conn(x, v[i]);
        if (r == 0) {
            r = page_loop(x, p, start + done - base, &ask,
                          (uint8_t *)out + (size_t)done * p->elem);
        }
        mcdc_exit_conn(x);
        if (r < 0 || failed(x)) {
            return r;
        }
        done += ask;
    }
    *num = done;
    return 0;
}

/* Gather entries from every server, in open order. */
static int gather(struct mcdc_call *x, struct mcdc_conn **v, int n,
                  struct pager *p, uint32_t start, uint32_t *num, void *out)
{
    uint32_t *count = calloc((size_t)n, sizeof(*count)), total = 0;
    int i, r = 0;

    if (!count) {
        return mcdc_fail(x, -ENOMEM, "out of memory");
    }
    for (i = 0; i < n && r == 0 && !failed(x); i++) {
        r = count_on(x, v[i], p, &count[i]);
        total += count[i];
    }
    /* A server that failed to count gives the outcome. */
    if (r == 0 && !failed(x)) {
        if (*num == 0) {
            *num = total;
        } else if (start >= total) {
            r = mcdc_fail(x, -EINVAL,
                          "start_index %u is not below the %u systems", start,
                          total);
        } else {
            r = gather_fetch(x, v, n, count, p, start, num, out);
        }
    }
    free(count);
    return r;
}

/* The first server that answers the query without an error. */
static int route(struct mcdc_call *x, struct mcdc_conn **v, int n,
                 struct pager *p, uint32_t start, uint32_t *num, void *out)
{
    mcd_error_info_st first = { 0 };
    uint32_t want = *num;
    int i, r = 0, first_r = 0;

    for (i = 0; i < n; i++) {
        *num = want;
        r = mcdc_enter_conn(x, v[i]);
        if (r == 0) {
            r = page_loop(x, p, start, num, out);
        }
        mcdc_exit_conn(x);
        if (r == 0 && !failed(x)) {
            return 0;
        }
        if (i == 0) {
            first = x->res;
            first_r = r;
        }
    }
    *num = want;
    x->res = first;
    return first_r;
}

static mcd_return_et servers_query(const char *fn, struct pager *p,
                                   uint32_t start, uint32_t *num, void *out,
                                   const char *num_name, const char *out_name,
                                   bool all)
{
    struct mcdc_conn **v = NULL;
    struct mcdc_call x;
    int n = 0, r;

    mcdc_call_init(&x, fn);
    p->once = page_once;
    r = check_args(&x, num, out, num_name, out_name);
    if (r < 0) {
        return mcdc_leave(&x, r);
    }
    n = mcdc_conns(&v, false);
    if (n < 0) {
        r = mcdc_fail(&x, n, "out of memory");
    } else if (n == 0) {
        r = mcdc_fail(&x, -ENOTCONN, "no server is open");
    } else {
        r = all ? gather(&x, v, n, p, start, num, out)
                : route(&x, v, n, p, start, num, out);
        mcdc_conns_put(v, n);
    }
    return mcdc_leave(&x, r);
}

MCD_API_EXPORT mcd_return_et
mcd_qry_systems_f(uint32_t start_index, uint32_t *num_systems,
                  mcd_core_con_info_st *system_con_info)
{
    struct pager p = PAGER(MCDSHM_FN_QRY_SYSTEMS, mcd_core_con_info_st,
                           mcdc_con_info_strf, body_page_only, NULL);

    return servers_query("mcd_qry_systems_f", &p, start_index, num_systems,
                         system_con_info, "num_systems", "system_con_info",
                         true);
}

/* NULL selects every system: empty fields match anything. */
static const mcd_core_con_info_st any_con_info;

MCD_API_EXPORT mcd_return_et mcd_qry_devices_f(
    const mcd_core_con_info_st *system_con_info, uint32_t start_index,
    uint32_t *num_devices, mcd_core_con_info_st *device_con_info)
{
    struct pager p =
        PAGER(MCDSHM_FN_QRY_DEVICES, mcd_core_con_info_st, mcdc_con_info_strf,
              body_con, system_con_info ? system_con_info : &any_con_info);

    return servers_query("mcd_qry_devices_f", &p, start_index, num_devices,
                         device_con_info, "num_devices", "device_con_info",
                         false);
}

MCD_API_EXPORT mcd_return_et mcd_qry_cores_f(
    const mcd_core_con_info_st *connection_info, uint32_t start_index,
    uint32_t *num_cores, mcd_core_con_info_st *core_con_info)
{
    struct pager p =
        PAGER(MCDSHM_FN_QRY_CORES, mcd_core_con_info_st, mcdc_con_info_strf,
              body_con, connection_info ? connection_info : &any_con_info);

    return servers_query("mcd_qry_cores_f", &p, start_index, num_cores,
                         core_con_info, "num_cores", "core_con_info", false);
}

/* ------------------------------------------------------------------------
 * Queries on a core
 */

MCD_API_EXPORT mcd_return_et
mcd_qry_core_modes_f(const mcd_core_st *core, uint32_t start_index,
                     uint32_t *num_modes, mcd_core_mode_info_st *core_mode_info)
{
    struct pager p = PAGER(MCDSHM_FN_QRY_CORE_MODES, mcd_core_mode_info_st,
                           mode_strf, body_page_only, NULL);

    return core_query("mcd_qry_core_modes_f", core, &p, start_index, num_modes,
                      core_mode_info, "num_modes", "core_mode_info");
}

MCD_API_EXPORT mcd_return_et mcd_qry_mem_spaces_f(const mcd_core_st *core,
                                                  uint32_t start_index,
                                                  uint32_t *num_mem_spaces,
                                                  mcd_memspace_st *mem_spaces)
{
    struct pager p = PAGER(MCDSHM_FN_QRY_MEM_SPACES, mcd_memspace_st,
                           memspace_strf, body_page_only, NULL);

    return core_query("mcd_qry_mem_spaces_f", core, &p, start_index,
                      num_mem_spaces, mem_spaces, "num_mem_spaces",
                      "mem_spaces");
}

MCD_API_EXPORT mcd_return_et mcd_qry_mem_blocks_f(const mcd_core_st *core,
                                                  uint32_t mem_space_id,
                                                  uint32_t start_index,
                                                  uint32_t *num_mem_blocks,
                                                  mcd_memblock_st *mem_blocks)
{
    struct pager p = PAGER(MCDSHM_FN_QRY_MEM_BLOCKS, mcd_memblock_st,
                           memblock_strf, body_page_id, &mem_space_id);

    return core_query("mcd_qry_mem_blocks_f", core, &p, start_index,
                      num_mem_blocks, mem_blocks, "num_mem_blocks",
                      "mem_blocks");
}

MCD_API_EXPORT mcd_return_et mcd_qry_active_overlays_f(
    const mcd_core_st *core, uint32_t start_index,
    uint32_t *num_active_overlays, uint32_t *active_overlays)
{
    struct pager p = PAGER(MCDSHM_FN_QRY_ACTIVE_OVERLAYS, uint32_t, NULL,
                           body_page_only, NULL);

    return core_query("mcd_qry_active_overlays_f", core, &p, start_index,
                      num_active_overlays, active_overlays,
                      "num_active_overlays", "active_overlays");
}

MCD_API_EXPORT mcd_return_et mcd_qry_reg_groups_f(
    const mcd_core_st *core, uint32_t start_index, uint32_t *num_reg_groups,
    mcd_register_group_st *reg_groups)
{
    struct pager p = PAGER(MCDSHM_FN_QRY_REG_GROUPS, mcd_register_group_st,
                           group_strf, body_page_only, NULL);

    return core_query("mcd_qry_reg_groups_f", core, &p, start_index,
                      num_reg_groups, reg_groups, "num_reg_groups",
                      "reg_groups");
}

MCD_API_EXPORT mcd_return_et mcd_qry_reg_map_f(const mcd_core_st *core,
                                               uint32_t reg_group_id,
                                               uint32_t start_index,
                                               uint32_t *num_regs,
                                               mcd_register_info_st *reg_info)
{
    struct pager p = PAGER(MCDSHM_FN_QRY_REG_MAP, mcd_register_info_st,
                           reg_strf, body_page_id, &reg_group_id);

    return core_query("mcd_qry_reg_map_f", core, &p, start_index, num_regs,
                      reg_info, "num_regs", "reg_info");
}

MCD_API_EXPORT mcd_return_et mcd_qry_reg_compound_f(const mcd_core_st *core,
                                                    uint32_t compound_reg_id,
                                                    uint32_t start_index,
                                                    uint32_t *num_reg_ids,
                                                    uint32_t *reg_id_array)
{
    struct pager p = PAGER(MCDSHM_FN_QRY_REG_COMPOUND, uint32_t, NULL,
                           body_page_id, &compound_reg_id);

    return core_query("mcd_qry_reg_compound_f", core, &p, start_index,
                      num_reg_ids, reg_id_array, "num_reg_ids", "reg_id_array");
}

MCD_API_EXPORT mcd_return_et mcd_qry_ctrigs_f(const mcd_core_st *core,
                                              uint32_t start_index,
                                              uint32_t *num_ctrigs,
                                              mcd_ctrig_info_st *ctrig_info)
{
    struct pager p = PAGER(MCDSHM_FN_QRY_CTRIGS, mcd_ctrig_info_st, ctrig_strf,
                           body_page_only, NULL);

    return core_query("mcd_qry_ctrigs_f", core, &p, start_index, num_ctrigs,
                      ctrig_info, "num_ctrigs", "ctrig_info");
}

MCD_API_EXPORT mcd_return_et mcd_qry_trig_set_f(const mcd_core_st *core,
                                                uint32_t start_index,
                                                uint32_t *num_trigs,
                                                uint32_t *trig_ids)
{
    struct pager p =
        PAGER(MCDSHM_FN_QRY_TRIG_SET, uint32_t, NULL, body_page_only, NULL);

    return core_query("mcd_qry_trig_set_f", core, &p, start_index, num_trigs,
                      trig_ids, "num_trigs", "trig_ids");
}

MCD_API_EXPORT mcd_return_et mcd_qry_traces_f(const mcd_core_st *core,
                                              uint32_t start_index,
                                              uint32_t *num_traces,
                                              mcd_trace_info_st *trace_info)
{
    struct pager p = PAGER(MCDSHM_FN_QRY_TRACES, mcd_trace_info_st, trace_strf,
                           body_page_only, NULL);

    return core_query("mcd_qry_traces_f", core, &p, start_index, num_traces,
                      trace_info, "num_traces", "trace_info");
}

/* ------------------------------------------------------------------------
 * Trace frames: count-then-fetch with a 64-bit start and a caller's size
 */

static int frames_once(struct mcdc_call *x, const struct pager *p,
                       uint64_t start, uint32_t num, void *out, uint32_t *got)
{
    const struct mcdshm_resp_read_trace *rt;
    struct mcdshm_req *q;
    struct mcdshm_resp a;
    const uint8_t *rpl;
    uint8_t *pl;
    int r;

    *got = 0;
    r = mcdc_req_begin(x, MCDSHM_FN_READ_TRACE, &q, &pl);
    if (r < 0) {
        return r;
    }
    q->u.read_trace.trace_id = p->trace_id;
    q->u.read_trace.num_frames = num;
    q->u.read_trace.start_index = start;
    q->u.read_trace.trace_data_size = p->trace_data_size;
    r = mcdc_transact(x, 0, &a, &rpl);
    if (r < 0) {
        return r;
    }
    mcdc_answer(x, &a);
    rt = &a.u.read_trace;
    if (!failed(x) && num == 0) {
        *got = rt->num_frames;
    } else if (!failed(x)) {
        if (rt->num_frames > num ||
            rt->frames.len != rt->num_frames * p->elem) {
            r = mcdc_malformed(x,
                               "%u frames in %u bytes, for %u frames of %u "
                               "bytes asked",
                               rt->num_frames, rt->frames.len, num, p->elem);
        } else if ((r = mcdc_resp_span(x, &a, rt->frames, "frames")) == 0) {
            memcpy(out, rpl + rt->frames.off, rt->frames.len);
            *got = rt->num_frames;
        }
    }
    mcdc_resp_done(x);
    return r;
}

/*
 * A trace this connection streams (the server bound a lane to it when it
 * answered mcd_set_trace_state_f) is read from the lane: no request, and
 * no payload-area limit on the frames per call.  The binding is checked
 * first: the server wrote it, and a lane that does not make sense drops
 * the connection like any malformed response.  Return 1 if answered, 0 if
 * the trace has no lane, or -errno.
 */
static int lane_read(struct mcdc_call *x, uint32_t trace_id, uint64_t start,
                     uint32_t *num, uint32_t size, void *data)
{
    const struct shm_region *r = &x->conn->shm.region;
    struct mcdshm_trace_lane *ctl = NULL;
    struct shm_lane v;
    uint32_t i, mode, fs, cap, n;
    uint64_t oldest;
    int64_t avail;
    bool gap;
    int rc;

    if (x->conn->remote || !(r->lay.features & MCDSHM_FEAT_TRACE)) {
        return 0;
    }
    for (i = 0; i < r->lay.trace_lanes && !ctl; i++) {
        struct mcdshm_trace_lane *l = shm_region_lane(r, i);

        if (READ_ONCE(l->core_uid) == x->core_uid &&
            READ_ONCE(l->trace_id) == trace_id) {
            ctl = l;
        }
    }
    if (!ctl) {
        return 0;
    }
    i--;
    mode = READ_ONCE(ctl->mode);
    fs = READ_ONCE(ctl->frame_size);
    cap = READ_ONCE(ctl->capacity);
    if ((mode != MCD_TRACE_MODE_PIPE && mode != MCD_TRACE_MODE_FIFO) ||
        fs == 0 || fs > MCDSHM_TRACE_FRAME_MAX || cap == 0 ||
        (cap & (cap - 1)) || cap > r->lay.trace_frames) {
        return mcdc_malformed(x,
                              "trace lane %u has mode 0x%x, frame_size %u "
                              "and capacity %u",
                              i, mode, fs, cap);
    }
    memset(&v, 0, sizeof(v));
    v.ctl = ctl;
    v.frames = shm_region_lane_frames(r, i);
    v.nframes = cap;
    v.frame_size = fs;
    avail = shm_lane_avail(&v, mode, &oldest);
    if (avail < 0) {
        return mcdc_malformed(x, "trace lane %u indexes out of range", i);
    }
    /* Frames streamed before a server died are still read; an empty
     * lane asks whether it lives (at most every MCDC_ALIVE_NS). */
    if (avail == 0 && (rc = mcdc_check_alive(x)) < 0) {
        return rc;
    }
    if (*num == 0) {
        *num = avail > UINT32_MAX ? UINT32_MAX : (uint32_t)avail;
        mcdc_clear_res(x);
        return 1;
    }
    if (size != fs) {
        return mcdc_fail(x, -EINVAL,
                         "trace_data_size %u is not the %u-byte frame of "
                         "trace %u",
                         size, fs, trace_id);
    }
    n = *num;
    if (shm_lane_read(&v, mode, avail, oldest, start, &n, data, &gap) < 0) {
        return mcdc_fail(x, -EINVAL,
                         "start_index %llu is past the %u frames "
                         "available",
                         (unsigned long long)start, n);
    }
    if (gap && n) {
        /* the producer overwrote the oldest frames while we copied */
        uint32_t m;

        memcpy(&m, (uint8_t *)data + SHM_LANE_MARKER_OFF, sizeof(m));
        m |= MCD_TRACE_MARKER_GAP;
        memcpy((uint8_t *)data + SHM_LANE_MARKER_OFF, &m, sizeof(m));
    }
    *num = n;
    mcdc_clear_res(x);
    return 1;
}

static int check_trace_args(struct mcdc_call *x, const uint32_t *num,
                            uint32_t size, const void *data)
{
    int r = check_args(x, num, data, "num_frames", "trace_data");

    if (r == 0 && *num && size == 0) {
        r = mcdc_fail(x, -EINVAL, "trace_data_size is 0 with *num_frames %u",
                      *num);
    }
    return r;
}

MCD_API_EXPORT mcd_return_et mcd_read_trace_f(
    const mcd_core_st *core, uint32_t trace_id, uint64_t start_index,
    uint32_t *num_frames, uint32_t trace_data_size, void *trace_data)
{
    struct pager p = { .elem = trace_data_size ? trace_data_size : 1,
                       .once = frames_once,
                       .trace_id = trace_id,
                       .trace_data_size = trace_data_size };
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_read_trace_f");
    r = mcdc_use_core(&x, core);
    if (r == 0) {
        r = check_trace_args(&x, num_frames, trace_data_size, trace_data);
    }
    if (r == 0) {
        r = mcdc_enter(&x);
    }
    if (r == 0) {
        r = lane_read(&x, trace_id, start_index, num_frames, trace_data_size,
                      trace_data);
        if (r != 0) {
            return mcdc_leave(&x, r < 0 ? r : 0);
        }
    }
    if (r == 0 && *num_frames && trace_data_size > x.conn->payload_size) {
        r = mcdc_fail(&x, -EINVAL,
                      "trace_data_size %u exceeds the %u bytes a response "
                      "carries",
                      trace_data_size, x.conn->payload_size);
    }
    if (r == 0) {
        /*
         * One request, at most a payload area of frames: never pages.
         * Reading a PIPE-mode trace consumes what it returns, so a second
         * page asked for at start + done would skip frames.  Returning
         * fewer frames than asked is what *num_frames out is for.
         */
        uint32_t cap = x.conn->payload_size / p.elem, got = 0;
        uint32_t ask = *num_frames < cap ? *num_frames : cap;

        r = p.once(&x, &p, start_index, ask, ask ? trace_data : NULL, &got);
        if (r == 0 && !failed(&x)) {
            *num_frames = got;
        }
    }
    return mcdc_leave(&x, r);
}
