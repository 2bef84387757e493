/*
 * libFuzzer target for the client library's response decoding
 * (host-side/lib/): the input chooses one MCD call and supplies the
 * response records a hostile server would answer it with.
 *
 * Input: byte 0 picks the call (mod the scenario count), byte 1 holds
 * flags (bit 0: keep the fuzzed seq instead of the expected one, bit 1:
 * keep the fuzzed fn; bit 2: a trace lane comes first, see below), then
 * up to FUZZ_MAX_RESP responses, each as
 *   u16 record length R (little-endian), R bytes of record (at most 1 KiB;
 *   the rest of the record reads as zero), u16 payload length P, P bytes
 *   of payload (copied to the start of that slot's payload area).
 * A missing tail reads as zeros.
 *
 * Trace lane (flags bit 2): 256 bytes of struct mcdshm_trace_lane and
 * FUZZ_LANE_BYTES of frames for lane 0 of the region, as a hostile server
 * would bind it; unless flags bit 3 is set, the binding's core_uid and
 * trace_id are those the read_trace scenarios ask for, so the lane's
 * other fields are what the fuzzer varies.  The region has one lane of
 * MCDSHM_TRACE_FRAMES_MIN frames.
 *
 * For every input the harness makes a fresh connection around a region of
 * its own (mcdc_conn_adopt(): no server, no handshake), with a core of uid
 * 1 open on it, writes the responses into the response ring before the
 * call (so they answer the call's requests 0, 1, ...), and makes the call
 * through the public function with a per-call timeout of 1 ms (a call
 * that wants more answers than given times out).  The library must never
 * crash, read or write out of bounds (ASan), or hang; and when it reports
 * success, what it returns must hold: no more items than asked for,
 * strings NUL-terminated within their fields, transaction byte counts
 * within the transaction.  A broken promise aborts.
 *
 * Responses are written before the call, so a request that carries a
 * payload (a write, a string) overwrites the response payload of its
 * slot, as a real request would; the decoder sees what a server would
 * have seen overwritten.
 *
 * Build with clang -fsanitize=fuzzer,address,undefined for fuzzing, or
 * with tests/fuzz/replay.c (any compiler) to replay a corpus.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host-side/lib/client.h"
#include "mcd/mcd_api.h"
#include "shm/region.h"

#define FUZZ_SLOTS 8u
#define FUZZ_PAYLOAD 65536u
#define FUZZ_MAX_RESP FUZZ_SLOTS
#define FUZZ_N 8u /* items asked for by paged queries */
#define FUZZ_LANE_BYTES (8u * sizeof(mcd_trace_data_core_st))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input, consumed front to back; reads past the end give zeros. */
struct input {
    const uint8_t *p;
    size_t left;
};

static size_t take(struct input *in, void *out, size_t n)
{
    size_t k = n < in->left ? n : in->left;

    memcpy(out, in->p, k);
    memset((uint8_t *)out + k, 0, n - k);
    in->p += k;
    in->left -= k;
    return k;
}

static void skip(struct input *in, size_t n)
{
    n = n < in->left ? n : in->left;
    in->p += n;
    in->left -= n;
}

static uint16_t take_u16(struct input *in)
{
    uint8_t b[2];

    take(in, b, 2);
    return (uint16_t)(b[0] | b[1] << 8);
}

/* ------------------------------------------------------------------------
 * Invariants of a successful call
 */

#define PROMISE(cond)                                                        \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "fuzz_client: broken promise in scenario %u: "  \
                            "%s\n", scenario, #cond);                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

#define TERMINATED(field) PROMISE(memchr((field), '\0', sizeof(field)))

static unsigned scenario;

static void check_con_info(const mcd_core_con_info_st *ci, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        TERMINATED(ci[i].host);
        TERMINATED(ci[i].server_key);
        TERMINATED(ci[i].system_key);
        TERMINATED(ci[i].device_key);
        TERMINATED(ci[i].system);
        TERMINATED(ci[i].system_instance);
        TERMINATED(ci[i].acc_hw);
        TERMINATED(ci[i].device);
        TERMINATED(ci[i].core);
    }
}

/* ------------------------------------------------------------------------
 * The calls
 */

static mcd_return_et call(unsigned which, struct mcdc_conn *c,
                          const mcd_core_st *core)
{
    static mcd_core_con_info_st ci[FUZZ_N];
    static uint8_t buf[4 * FUZZ_PAYLOAD];
    static union {
        mcd_memspace_st spaces[FUZZ_N];
        mcd_memblock_st blocks[FUZZ_N];
        mcd_register_group_st groups[FUZZ_N];
        mcd_register_info_st regs[FUZZ_N];
        mcd_core_mode_info_st modes[FUZZ_N];
        mcd_ctrig_info_st ctrigs[FUZZ_N];
        mcd_trace_info_st traces[FUZZ_N];
        mcd_trace_data_core_st frames[FUZZ_N];
        uint32_t ids[FUZZ_N];
        mcd_trig_complex_core_st trig;
        mcd_trig_info_st trig_info;
        mcd_trig_state_st trig_state;
        mcd_trig_set_state_st set_state;
        mcd_core_state_st state;
        mcd_rst_info_st rst;
        mcd_trace_state_st trace_state;
        char str[4096];
    } o;
    mcd_chl_st chl = { .chl_id = 1, .type = MCD_CHL_TYPE_COMMON,
                       .attributes = MCD_CHL_AT_RCV | MCD_CHL_AT_SND };
    mcd_trig_simple_core_st simple = {
        .struct_size = sizeof(simple), .type = MCD_TRIG_TYPE_IP,
        .action = MCD_TRIG_ACTION_DBG_DEBUG,
        .addr_start = { .address = 0x80000000u, .mem_space_id = 1 },
    };
    mcd_tx_st tx[3];
    mcd_txlist_st tl = { .tx = tx, .num_tx = 3 };
    uint32_t n = FUZZ_N, id = 0, u = 0, i;
    uint64_t t = 0;
    mcd_return_et r;

    memset(&o, 0, sizeof(o));
    switch (which) {
    case 0:
        n = sizeof(o.str);
        r = mcd_qry_server_config_f(&c->pub, &n, o.str);
        if (r == MCD_RET_ACT_NONE) {
            TERMINATED(o.str); /* n is the length the string needs */
        }
        return r;
    case 1:
        r = mcd_qry_systems_f(0, &n, ci);
        if (r == MCD_RET_ACT_NONE) {
            PROMISE(n <= FUZZ_N);
            check_con_info(ci, n);
        }
        return r;
    case 2:
        memset(ci, 0, sizeof(ci));
        strcpy(ci[0].system, "fuzz");
        r = mcd_qry_devices_f(&ci[0], 0, &n, ci);
        if (r == MCD_RET_ACT_NONE) {
            PROMISE(n <= FUZZ_N);
            check_con_info(ci, n);
        }
        return r;
    case 3:
        memset(ci, 0, sizeof(ci));
        strcpy(ci[0].system, "fuzz");
        strcpy(ci[0].device, "dev");
        r = mcd_qry_cores_f(&ci[0], 0, &n, ci);
        if (r == MCD_RET_ACT_NONE) {
            PROMISE(n <= FUZZ_N);
            check_con_info(ci, n);
        }
        return r;
    case 4:
        r = mcd_qry_core_modes_f(core, 0, &n, o.modes);
        if (r == MCD_RET_ACT_NONE) {
            PROMISE(n <= FUZZ_N);
            for (i = 0; i < n; i++) {
                TERMINATED(o.modes[i].name);
            }
        }
        return r;
    case 5:
        n = sizeof(o.str);
        r = mcd_qry_device_description_f(core, o.str, &n);
        if (r == MCD_RET_ACT_NONE) {
            TERMINATED(o.str); /* n is the length the string needs */
        }
        return r;
    case 6:
        return mcd_qry_max_payload_size_f(core, &u);
    case 7:
        r = mcd_qry_mem_spaces_f(core, 0, &n, o.spaces);
        if (r == MCD_RET_ACT_NONE) {
            PROMISE(n <= FUZZ_N);
            for (i = 0; i < n; i++) {
                TERMINATED(o.spaces[i].mem_space_name);
            }
        }
        return r;
    case 8:
        r = mcd_qry_mem_blocks_f(core, 1, 0, &n, o.blocks);
        if (r == MCD_RET_ACT_NONE) {
            PROMISE(n <= FUZZ_N);
            for (i = 0; i < n; i++) {
                TERMINATED(o.blocks[i].mem_block_name);
            }
        }
        return r;
    case 9:
        r = mcd_qry_active_overlays_f(core, 0, &n, o.ids);
        PROMISE(r != MCD_RET_ACT_NONE || n <= FUZZ_N);
        return r;
    case 10:
        r = mcd_qry_reg_groups_f(core, 0, &n, o.groups);
        if (r == MCD_RET_ACT_NONE) {
            PROMISE(n <= FUZZ_N);
            for (i = 0; i < n; i++) {
                TERMINATED(o.groups[i].reg_group_name);
            }
        }
        return r;
    case 11:
        r = mcd_qry_reg_map_f(core, 0, 0, &n, o.regs);
        if (r == MCD_RET_ACT_NONE) {
            PROMISE(n <= FUZZ_N);
            for (i = 0; i < n; i++) {
                TERMINATED(o.regs[i].regname);
            }
        }
        return r;
    case 12:
        r = mcd_qry_reg_compound_f(core, 5, 0, &n, o.ids);
        PROMISE(r != MCD_RET_ACT_NONE || n <= FUZZ_N);
        return r;
    case 13:
        return mcd_qry_trig_info_f(core, &o.trig_info);
    case 14:
        r = mcd_qry_ctrigs_f(core, 0, &n, o.ctrigs);
        if (r == MCD_RET_ACT_NONE) {
            PROMISE(n <= FUZZ_N);
            for (i = 0; i < n; i++) {
                TERMINATED(o.ctrigs[i].info_str);
            }
        }
        return r;
    case 15:
        return mcd_create_trig_f(core, &simple, &id);
    case 16:
        return mcd_qry_trig_f(core, 1, sizeof(o.trig), &o.trig);
    case 17:
        return mcd_remove_trig_f(core, 1);
    case 18:
        return mcd_qry_trig_state_f(core, 1, &o.trig_state);
    case 19:
        return mcd_activate_trig_set_f(core);
    case 20:
        return mcd_remove_trig_set_f(core);
    case 21:
        r = mcd_qry_trig_set_f(core, 0, &n, o.ids);
        PROMISE(r != MCD_RET_ACT_NONE || n <= FUZZ_N);
        return r;
    case 22:
        return mcd_qry_trig_set_state_f(core, &o.set_state);
    case 23: /* reads: three sizes, the last one past a slot's payload */
    case 24: /* the same as writes */
        for (i = 0; i < 3; i++) {
            memset(&tx[i], 0, sizeof(tx[i]));
            tx[i].addr.address = 0x80000000u + i * 0x10000u;
            tx[i].addr.mem_space_id = 1;
            tx[i].access_type = which == 23 ? MCD_TX_AT_R : MCD_TX_AT_W;
            tx[i].num_bytes = i == 0 ? 8 : i == 1 ? 4096 : FUZZ_PAYLOAD + 4096;
            tx[i].data = buf + i * FUZZ_PAYLOAD;
        }
        r = mcd_execute_txlist_f(core, &tl);
        for (i = 0; i < 3; i++) {
            PROMISE(tx[i].num_bytes_ok <= tx[i].num_bytes);
        }
        PROMISE(r != MCD_RET_ACT_NONE || tl.num_tx_ok == 3);
        PROMISE(tl.num_tx_ok <= 3);
        return r;
    case 25:
        return mcd_run_f(core, 0);
    case 26:
        return mcd_stop_f(core, 1);
    case 27:
        return mcd_run_until_f(core, 0, 1, 1000000);
    case 28:
        return mcd_qry_current_time_f(core, &t);
    case 29:
        return mcd_step_f(core, 0, MCD_CORE_STEP_TYPE_INSTR, 3);
    case 30:
        return mcd_set_global_f(core, 1);
    case 31:
        r = mcd_qry_state_f(core, &o.state);
        if (r == MCD_RET_ACT_NONE) {
            TERMINATED(o.state.stop_str);
            TERMINATED(o.state.info_str);
        }
        return r;
    case 32:
        r = mcd_execute_command_f(core, "info", 256, o.str);
        PROMISE(r != MCD_RET_ACT_NONE || memchr(o.str, '\0', 256));
        return r;
    case 33:
        return mcd_qry_rst_classes_f(core, &u);
    case 34:
        r = mcd_qry_rst_class_info_f(core, 0, &o.rst);
        PROMISE(r != MCD_RET_ACT_NONE || memchr(o.rst.info_str, '\0',
                                                sizeof(o.rst.info_str)));
        return r;
    case 35:
        return mcd_rst_f(core, 1, 1);
    case 36:
        return mcd_chl_open_f(core, &chl);
    case 37:
        return mcd_send_msg_f(core, &chl, 16, (const uint8_t *)"0123456789abcdef");
    case 38:
        u = 256;
        r = mcd_receive_msg_f(core, &chl, 0, &u, buf);
        PROMISE(r != MCD_RET_ACT_NONE || u <= 256);
        return r;
    case 39:
        return mcd_chl_reset_f(core, &chl);
    case 40:
        return mcd_chl_close_f(core, &chl);
    case 41:
        r = mcd_qry_traces_f(core, 0, &n, o.traces);
        if (r == MCD_RET_ACT_NONE) {
            PROMISE(n <= FUZZ_N);
            for (i = 0; i < n; i++) {
                TERMINATED(o.traces[i].trace_name);
            }
        }
        return r;
    case 42:
        r = mcd_qry_trace_state_f(core, 1, &o.trace_state);
        PROMISE(r != MCD_RET_ACT_NONE ||
                memchr(o.trace_state.info_str, '\0',
                       sizeof(o.trace_state.info_str)));
        return r;
    case 43:
        o.trace_state.state = MCD_TRACE_STATE_ARM;
        return mcd_set_trace_state_f(core, 1, &o.trace_state);
    case 44:
        r = mcd_read_trace_f(core, 1, 0, &n, sizeof(o.frames[0]), o.frames);
        PROMISE(r != MCD_RET_ACT_NONE || n <= FUZZ_N);
        return r;
    case 45:
        n = 0; /* count only */
        return mcd_read_trace_f(core, 1, 0, &n, sizeof(o.frames[0]), NULL);
    case 46:
        return mcd_set_server_config_f(&c->pub, "McdShmTimeoutMs=5");
    default:
        memset(ci, 0, sizeof(ci));
        strcpy(ci[0].system, "fuzz");
        strcpy(ci[0].device, "dev");
        strcpy(ci[0].core, "core1");
        {
            mcd_core_st *k = NULL;

            r = mcd_open_core_f(&ci[0], &k);
            if (r == MCD_RET_ACT_NONE) {
                PROMISE(k != NULL);
                check_con_info(k->core_con_info, 1);
                mcd_close_core_f(k);
            }
        }
        return r;
    }
}

#define FUZZ_SCENARIOS 48u

/* ------------------------------------------------------------------------
 * A connection without a server
 */

static struct mcdc_conn *conn_new(int *peer)
{
    struct shm_layout lay;
    struct mcdc_config cfg;
    struct mcdc_call x;
    struct mcdc_conn *c;
    struct shm_conn shm;
    int sv[2];

    memset(&shm, 0, sizeof(shm));
    shm.window.fd = -1;
    if (shm_layout_compute(FUZZ_SLOTS, FUZZ_PAYLOAD, &lay) < 0 ||
        shm_layout_add_trace(&lay, 1, MCDSHM_TRACE_FRAMES_MIN) < 0 ||
        shm_region_create(&lay, (uint32_t)getpid(), &shm.region,
                          &shm.region_fd) < 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        abort();
    }
    shm.sock = sv[0];
    *peer = sv[1];
    shm.req_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    shm.resp_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (shm.req_efd < 0 || shm.resp_efd < 0) {
        abort();
    }
    shm.peer_pid = getpid();
    strcpy(shm.peer_name, "fuzz");
    mcdc_config_defaults(&cfg);
    cfg.policy = SHM_POLICY_BUSY;
    cfg.timeout_ms = 1;
    mcdc_call_init(&x, "fuzz");
    if (mcdc_conn_adopt(&x, &shm, "fuzz", &cfg, &c) < 0) {
        abort();
    }
    c->server_uid = 1;
    mcdc_conn_list(c);
    return c;
}

/* Write the input's lane 0, as a server binding it. */
static void bind_lane(struct mcdc_conn *c, struct input *in, uint8_t flags)
{
    struct mcdshm_trace_lane *l = shm_region_lane(&c->shm.region, 0);

    take(in, l, sizeof(*l));
    take(in, shm_region_lane_frames(&c->shm.region, 0), FUZZ_LANE_BYTES);
    if (!(flags & 8)) {
        l->core_uid = 1;
        l->trace_id = 1;
    }
}

/* Write the input's responses into the response ring, as the server. */
static void respond(struct mcdc_conn *c, struct input *in, uint8_t flags,
                    uint16_t fn)
{
    struct shm_ring ring;
    uint32_t k;

    shm_region_resp_ring(&c->shm.region, &ring, true);
    for (k = 0; k < FUZZ_MAX_RESP && in->left; k++) {
        struct mcdshm_resp *a = shm_ring_next(&ring);
        uint16_t len = take_u16(in);
        uint8_t *pl = shm_region_payload(&c->shm.region, k);

        memset(a, 0, sizeof(*a));
        take(in, a, len < sizeof(*a) ? len : sizeof(*a));
        if (len > sizeof(*a)) {
            skip(in, len - sizeof(*a));
        }
        if (!(flags & 1)) {
            a->hdr.seq = k;
        }
        if (!(flags & 2) && fn) {
            a->hdr.fn = fn;
        }
        len = take_u16(in);
        take(in, pl, len);
        shm_ring_publish(&ring, 1);
    }
}

/* The request fn a scenario's first request carries (0: any). */
static uint16_t scenario_fn(unsigned which)
{
    static const uint16_t fns[FUZZ_SCENARIOS] = {
        MCDSHM_FN_QRY_SERVER_CONFIG, MCDSHM_FN_QRY_SYSTEMS,
        MCDSHM_FN_QRY_DEVICES, MCDSHM_FN_QRY_CORES,
        MCDSHM_FN_QRY_CORE_MODES, MCDSHM_FN_QRY_DEVICE_DESCRIPTION,
        MCDSHM_FN_QRY_MAX_PAYLOAD_SIZE, MCDSHM_FN_QRY_MEM_SPACES,
        MCDSHM_FN_QRY_MEM_BLOCKS, MCDSHM_FN_QRY_ACTIVE_OVERLAYS,
        MCDSHM_FN_QRY_REG_GROUPS, MCDSHM_FN_QRY_REG_MAP,
        MCDSHM_FN_QRY_REG_COMPOUND, MCDSHM_FN_QRY_TRIG_INFO,
        MCDSHM_FN_QRY_CTRIGS, MCDSHM_FN_CREATE_TRIG, MCDSHM_FN_QRY_TRIG,
        MCDSHM_FN_REMOVE_TRIG, MCDSHM_FN_QRY_TRIG_STATE,
        MCDSHM_FN_ACTIVATE_TRIG_SET, MCDSHM_FN_REMOVE_TRIG_SET,
        MCDSHM_FN_QRY_TRIG_SET, MCDSHM_FN_QRY_TRIG_SET_STATE,
        MCDSHM_FN_EXECUTE_TXLIST, MCDSHM_FN_EXECUTE_TXLIST, MCDSHM_FN_RUN,
        MCDSHM_FN_STOP, MCDSHM_FN_RUN_UNTIL, MCDSHM_FN_QRY_CURRENT_TIME,
        MCDSHM_FN_STEP, MCDSHM_FN_SET_GLOBAL, MCDSHM_FN_QRY_STATE,
        MCDSHM_FN_EXECUTE_COMMAND, MCDSHM_FN_QRY_RST_CLASSES,
        MCDSHM_FN_QRY_RST_CLASS_INFO, MCDSHM_FN_RST, MCDSHM_FN_CHL_OPEN,
        MCDSHM_FN_SEND_MSG, MCDSHM_FN_RECEIVE_MSG, MCDSHM_FN_CHL_RESET,
        MCDSHM_FN_CHL_CLOSE, MCDSHM_FN_QRY_TRACES,
        MCDSHM_FN_QRY_TRACE_STATE, MCDSHM_FN_SET_TRACE_STATE,
        MCDSHM_FN_READ_TRACE, MCDSHM_FN_READ_TRACE,
        MCDSHM_FN_SET_SERVER_CONFIG, MCDSHM_FN_OPEN_CORE,
    };

    return fns[which];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    mcd_core_con_info_st info;
    struct mcdc_core *k;
    struct mcdc_conn *c;
    uint8_t sel = 0, flags = 0;
    mcd_error_info_st e;
    mcd_return_et r;
    int peer;

    take(&in, &sel, 1);
    take(&in, &flags, 1);
    scenario = sel % FUZZ_SCENARIOS;
    c = conn_new(&peer);
    memset(&info, 0, sizeof(info));
    strcpy(info.system, "fuzz");
    strcpy(info.device, "dev");
    strcpy(info.core, "core0");
    k = mcdc_core_new(c, 1, &info);
    if (!k) {
        abort();
    }
    if (flags & 4) {
        bind_lane(c, &in, flags);
    }
    respond(c, &in, flags, scenario_fn(scenario));
    r = call(scenario, c, &k->pub);
    /* Every failure explains itself, as the last error of the core or,
     * for core-less calls, the process-wide one. */
    if (r != MCD_RET_ACT_NONE) {
        memset(&e, 0, sizeof(e));
        mcd_qry_error_info_f(&k->pub, &e);
        if (e.error_code == MCD_ERR_NONE && !e.error_events) {
            mcd_qry_error_info_f(NULL, &e);
        }
        TERMINATED(e.error_str);
        PROMISE(e.error_code != MCD_ERR_NONE || e.error_events);
        PROMISE(e.error_str[0] != '\0');
    }
    if (getenv("FUZZ_CLIENT_VERBOSE")) { /* to see what a seed reaches */
        fprintf(stderr, "scenario %u: ret %u: %s\n", scenario, r,
                r == MCD_RET_ACT_NONE ? "" : e.error_str);
    }
    mcdc_core_free(k);
    mcdc_conn_unlist(c);
    mcdc_conn_put(c);
    close(peer);
    return 0;
}
