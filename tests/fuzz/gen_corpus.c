/*
 * Writes the seed corpus of tests/fuzz/fuzz_dispatch.c into the directory
 * given as the only argument: one valid request record per function id
 * (1..54) with a sensible body, plus a few malformed records.  A file is
 * the request record (cut after the function's body when there is no
 * payload, else the whole 1024 bytes) followed by the payload bytes.
 *
 *   cc -Iinclude -I. tests/fuzz/gen_corpus.c -o gen_corpus
 *   ./gen_corpus tests/fuzz/corpus/dispatch
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcd/mcd_api.h"
#include "mcdshm/wire.h"
#include "shm/records.h"

static struct mcdshm_req q;
static unsigned char pl[4096];
static unsigned plen;

static struct mcdshm_span put(const void *d, unsigned len)
{
    struct mcdshm_span sp = { plen, len };

    memcpy(pl + plen, d, len);
    plen += len;
    q.hdr.payload_len = plen;
    return sp;
}

static struct mcdshm_span put_s(const char *s)
{
    return put(s, (unsigned)strlen(s) + 1);
}

static void emit(const char *dir, const char *name)
{
    char path[512];
    FILE *f;
    size_t rec = plen ? sizeof(q) : shm_req_len(q.hdr.fn);

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(&q, 1, rec, f) != rec ||
        (plen && fwrite(pl, 1, plen, f) != plen) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void start(unsigned fn)
{
    memset(&q, 0, sizeof(q));
    memset(pl, 0, sizeof(pl));
    plen = 0;
    q.hdr.fn = (unsigned short)fn;
    q.hdr.core_uid = fn <= 10 || fn == 12 ? 0 : 1;
}

static void two_tx(unsigned num_tx, unsigned access_type)
{
    struct mcdshm_tx d[2];

    memset(d, 0, sizeof(d));
    for (int i = 0; i < 2; i++) {
        d[i].addr.address = 0x1000 + 16u * i;
        d[i].addr.mem_space_id = 1;
        d[i].access_type = i ? access_type : MCD_TX_AT_R;
        d[i].num_bytes = 16;
        d[i].data_off = 96 + 16u * i;
    }
    q.u.execute_txlist.num_tx = num_tx;
    q.u.execute_txlist.tx = put(d, sizeof(d));
    put((unsigned char[32]){ 0 }, 32);
}

static void simple_trig(void)
{
    struct mcdshm_trig *t = &q.u.create_trig.trig;

    t->kind = MCDSHM_TRIG_SIMPLE_CORE;
    t->u.simple.struct_size = sizeof(t->u.simple);
    t->u.simple.type = MCD_TRIG_TYPE_IP;
    t->u.simple.action = MCD_TRIG_ACTION_DBG_DEBUG;
    t->u.simple.addr_start.address = 0x1000;
    t->u.simple.addr_start.mem_space_id = 1;
    t->u.simple.addr_range = 4;
}

int main(int argc, char **argv)
{
    char name[64];

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    for (unsigned fn = 1; fn <= MCDSHM_FN_COUNT; fn++) {
        start(fn);
        switch (fn) {
        case MCDSHM_FN_INITIALIZE:
            q.u.initialize.version_req.v_api_major = 1;
            q.u.initialize.version_req.v_api_minor = 1;
            strcpy((char *)q.u.initialize.version_req.author, "fuzz");
            break;
        case MCDSHM_FN_QRY_SERVERS:
            q.u.qry_servers.host = put_s("localhost");
            q.u.qry_servers.page.num = 4;
            break;
        case MCDSHM_FN_OPEN_SERVER:
            q.u.open_server.system_key = put_s("key");
            q.u.open_server.config_string = put_s("McdShmPolicy=busy");
            break;
        case MCDSHM_FN_CLOSE_SERVER:
            q.hdr.server_uid = 1;
            break;
        case MCDSHM_FN_SET_SERVER_CONFIG:
            q.u.set_server_config.config_string = put_s("x=1");
            break;
        case MCDSHM_FN_QRY_SERVER_CONFIG:
            q.u.qry_server_config.max_len = 256;
            break;
        case MCDSHM_FN_QRY_DEVICES:
        case MCDSHM_FN_QRY_CORES:
            q.u.qry_con.page.num = 4;
            break;
        case MCDSHM_FN_OPEN_CORE:
            strcpy((char *)q.u.open_core.core_con_info.core, "core1");
            break;
        case MCDSHM_FN_QRY_DEVICE_DESCRIPTION:
            q.u.qry_device_description.url_length = 128;
            q.u.qry_device_description.want_url = 1;
            break;
        case MCDSHM_FN_QRY_MEM_BLOCKS:
        case MCDSHM_FN_QRY_REG_COMPOUND:
            q.u.page_id.id = 1;
            q.u.page_id.page.num = 4;
            break;
        case MCDSHM_FN_QRY_REG_MAP:
            q.u.page_id.page.num = 16;
            break;
        case MCDSHM_FN_QRY_SYSTEMS:
        case MCDSHM_FN_QRY_CORE_MODES:
        case MCDSHM_FN_QRY_MEM_SPACES:
        case MCDSHM_FN_QRY_ACTIVE_OVERLAYS:
        case MCDSHM_FN_QRY_REG_GROUPS:
        case MCDSHM_FN_QRY_CTRIGS:
        case MCDSHM_FN_QRY_TRIG_SET:
        case MCDSHM_FN_QRY_TRACES:
            q.u.page_only.page.num = 4;
            break;
        case MCDSHM_FN_CREATE_TRIG:
            simple_trig();
            break;
        case MCDSHM_FN_QRY_TRIG:
            q.u.qry_trig.trig_id = 1;
            q.u.qry_trig.max_trig_size = 112;
            break;
        case MCDSHM_FN_REMOVE_TRIG:
        case MCDSHM_FN_QRY_TRIG_STATE:
            q.u.trig_id.trig_id = 1;
            break;
        case MCDSHM_FN_EXECUTE_TXLIST:
            two_tx(2, MCD_TX_AT_W);
            break;
        case MCDSHM_FN_RUN_UNTIL:
            q.u.run_until.absolute_time = 1;
            q.u.run_until.run_until_time = 1000;
            break;
        case MCDSHM_FN_STEP:
            q.u.step.step_type = 1;
            q.u.step.n_steps = 1;
            break;
        case MCDSHM_FN_SET_GLOBAL:
            q.u.flag.flag = 1;
            break;
        case MCDSHM_FN_EXECUTE_COMMAND:
            q.u.execute_command.command = put_s("echo hi");
            q.u.execute_command.result_string_size = 64;
            break;
        case MCDSHM_FN_RST:
            q.u.rst.rst_class_vector = 1;
            q.u.rst.rst_and_halt = 1;
            break;
        case MCDSHM_FN_CHL_OPEN:
            q.u.chl_open.channel.max_msg_len = 64;
            break;
        case MCDSHM_FN_SEND_MSG:
            q.u.send_msg.chl_id = 1;
            q.u.send_msg.msg = put("hello", 5);
            break;
        case MCDSHM_FN_RECEIVE_MSG:
            q.u.receive_msg.chl_id = 1;
            q.u.receive_msg.msg_len = 64;
            break;
        case MCDSHM_FN_CHL_RESET:
        case MCDSHM_FN_CHL_CLOSE:
            q.u.chl_id.chl_id = 1;
            break;
        case MCDSHM_FN_QRY_TRACE_STATE:
            q.u.trace_id.trace_id = 1;
            break;
        case MCDSHM_FN_SET_TRACE_STATE:
            q.u.set_trace_state.trace_id = 1;
            q.u.set_trace_state.state.autoarm = 1;
            break;
        case MCDSHM_FN_READ_TRACE:
            q.u.read_trace.trace_id = 1;
            q.u.read_trace.num_frames = 4;
            q.u.read_trace.trace_data_size =
                sizeof(struct mcdshm_trace_data_core);
            break;
        default:
            break; /* the functions with an empty body */
        }
        snprintf(name, sizeof(name), "fn%02u", fn);
        emit(argv[1], name);
    }

    /* Malformed records. */
    start(0);
    emit(argv[1], "bad_fn0");
    start(999);
    memset(q.u.raw, 0xA5, 64);
    emit(argv[1], "bad_fn999");
    start(MCDSHM_FN_SET_SERVER_CONFIG);
    memset(pl, 'A', 64);
    plen = 64;
    q.hdr.payload_len = 64;
    q.u.set_server_config.config_string.len = 64;
    emit(argv[1], "bad_no_nul");
    start(MCDSHM_FN_SEND_MSG);
    q.u.send_msg.chl_id = 1;
    q.u.send_msg.msg.off = 0xfffffff0u;
    q.u.send_msg.msg.len = 0x20;
    q.hdr.payload_len = 65536;
    emit(argv[1], "bad_span_wrap");
    start(MCDSHM_FN_EXECUTE_TXLIST);
    two_tx(65, MCD_TX_AT_R);
    emit(argv[1], "bad_num_tx65");
    start(MCDSHM_FN_EXECUTE_TXLIST);
    two_tx(2, 9);
    emit(argv[1], "bad_access_type9");
    start(MCDSHM_FN_CREATE_TRIG);
    simple_trig();
    q.u.create_trig.trig.kind = 7;
    emit(argv[1], "bad_trig_kind7");
    start(MCDSHM_FN_QRY_REG_MAP);
    q.u.page_id.page.num = 0xffffffffu;
    emit(argv[1], "bad_page_num");
    start(MCDSHM_FN_QRY_STATE);
    q.hdr.flags = 0x8001;
    q.hdr.reserved[2] = 1;
    emit(argv[1], "bad_hdr");
    return 0;
}
