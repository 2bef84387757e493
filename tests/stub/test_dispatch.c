/*
 * Tests of the stub's record codec (qemu-side/stub/dispatch.c) over the
 * fake server core (tests/stub/fake_core.c): every one of the 54 functions
 * decodes its arguments (checked in what the fake core received) and
 * encodes its outputs; hostile records (unknown function, spans outside the
 * payload or wrapping around, strings without NUL, counts beyond the
 * payload, bad enums and booleans, non-zero reserved and pad bytes,
 * triggers whose kind and size disagree, transaction data over the
 * descriptors) are answered with an MCD error naming the field, never
 * reaching the core, and the session stays usable.
 *
 * Records are built by hand in process memory; no shared memory is needed
 * for the codec.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-side/stub/dispatch.h"
#include "shm/records.h"
#include "tests/stub/fake_core.h"

#define PSIZE (64u << 10)
#define SEQ 77u

static struct mcdcore *core;
static struct mcdcore_session *sess;
static uint8_t *pl;
static struct mcdshm_req q;
static struct mcdshm_resp a;

static void open_core(uint32_t i)
{
    mcd_core_con_info_st ci = { 0 }, full;
    uint32_t uid;

    snprintf(ci.core, sizeof(ci.core), "core%u", i);
    cr_assert_eq(mcdcore_open_core(sess, &ci, &uid, &full), MCD_RET_ACT_NONE);
    cr_assert_eq(uid, i + 1);
}

static void setup(void)
{
    fake_reset();
    cr_assert_eq(mcdcore_create(NULL, "fake", &core), 0);
    cr_assert_eq(mcdcore_session_open(core, &sess), 0);
    pl = aligned_alloc(64, PSIZE);
    cr_assert_not_null(pl);
    memset(pl, 0xEE, PSIZE);
    open_core(0);
    open_core(1);
}

static void teardown(void)
{
    mcdcore_session_close(sess);
    mcdcore_destroy(core);
    free(pl);
}

TestSuite(dispatch, .init = setup, .fini = teardown, .timeout = 10);

/* Start a request record for @fn on core @uid with an empty payload. */
static void req(uint16_t fn, uint32_t uid)
{
    memset(&q, 0, sizeof(q));
    q.hdr.seq = SEQ;
    q.hdr.fn = fn;
    q.hdr.core_uid = uid;
}

/* Put @len bytes at payload offset @off; the span they take. */
static struct mcdshm_span put(uint32_t off, const void *data, uint32_t len)
{
    struct mcdshm_span sp = { off, len };

    memcpy(pl + off, data, len);
    if (off + len > q.hdr.payload_len) {
        q.hdr.payload_len = off + len;
    }
    return sp;
}

static struct mcdshm_span put_s(uint32_t off, const char *s)
{
    return put(off, s, (uint32_t)strlen(s) + 1);
}

static void run(void)
{
    memset(&a, 0x5A, sizeof(a));
    memset(&fake_last, 0, sizeof(fake_last));
    cr_assert_eq(mcdstub_dispatch(sess, &q, pl, PSIZE, &a), 0);
    cr_assert_eq(a.hdr.seq, SEQ);
    cr_assert_eq(a.hdr.fn, q.hdr.fn);
    cr_assert_eq(a.hdr.flags, 0);
    cr_assert_eq(a.hdr.reserved[0] | a.hdr.reserved[1] | a.hdr.reserved[2] |
                     a.hdr.reserved[3],
                 0);
}

/* Run and expect success, and that the core saw function @fn. */
static void ok(void)
{
    run();
    cr_assert_eq(a.hdr.ret, MCD_RET_ACT_NONE, "fn %u: ret %u: %s", q.hdr.fn,
                 a.hdr.ret, (char *)a.error.error_str);
    cr_assert_eq(fake_last.fn, q.hdr.fn, "the core saw fn %d", fake_last.fn);
}

/* Run and expect a refusal with @code naming @part; the core untouched. */
static void refused(mcd_error_code_et code, const char *part)
{
    static const uint8_t zero[MCDSHM_RESP_BODY_SIZE];

    run();
    cr_assert_eq(a.hdr.ret, MCD_RET_ACT_HANDLE_ERROR, "ret %u", a.hdr.ret);
    cr_assert_eq(a.error.return_status, MCD_RET_ACT_HANDLE_ERROR);
    cr_assert_eq(a.error.error_code, code, "code 0x%x: %s", a.error.error_code,
                 (char *)a.error.error_str);
    cr_assert_not_null(strstr((char *)a.error.error_str, part),
                       "message '%s' lacks '%s'", (char *)a.error.error_str,
                       part);
    cr_assert_eq(fake_last.fn, 0, "the core was called (fn %d)", fake_last.fn);
    cr_assert_eq(memcmp(a.u.raw, zero, sizeof(zero)), 0, "body not zero");
    cr_assert_eq(a.hdr.payload_len, 0);
}

/* Run and expect the core's error @code with @part in the message. */
static void core_error(mcd_error_code_et code, const char *part)
{
    run();
    cr_assert_eq(a.hdr.ret, MCD_RET_ACT_HANDLE_ERROR, "ret %u", a.hdr.ret);
    cr_assert_eq(a.error.return_status, MCD_RET_ACT_HANDLE_ERROR);
    cr_assert_eq(a.error.error_code, code, "code 0x%x: %s", a.error.error_code,
                 (char *)a.error.error_str);
    cr_assert_not_null(strstr((char *)a.error.error_str, part), "'%s'",
                       (char *)a.error.error_str);
}

/* The response's string span, checked to be inside the payload. */
static const char *resp_str(struct mcdshm_span sp)
{
    cr_assert_leq((uint64_t)sp.off + sp.len, a.hdr.payload_len);
    cr_assert_gt(sp.len, 0);
    cr_assert_eq(pl[sp.off + sp.len - 1], '\0');
    return (const char *)pl + sp.off;
}

static void page_req(struct mcdshm_page_req *pg, uint32_t start, uint32_t num)
{
    pg->start_index = start;
    pg->num = num;
}

/* Expect a page answer of @num entries of @elem bytes at offset 0. */
static void page_is(uint32_t num, uint32_t elem)
{
    cr_assert_eq(a.u.page.num, num);
    cr_assert_eq(a.u.page.elem_size, elem);
    cr_assert_eq(a.u.page.items.off, 0);
    cr_assert_eq(a.u.page.items.len, num * elem);
    cr_assert_eq(a.hdr.payload_len, num * elem);
}

/* ------------------------------------------------------------------------
 * Target initialization and servers (1-7)
 */

Test(dispatch, initialize)
{
    req(MCDSHM_FN_INITIALIZE, 0);
    q.u.initialize.version_req.v_api_major = 1;
    q.u.initialize.version_req.v_api_minor = 1;
    strcpy((char *)q.u.initialize.version_req.author, "tool");
    ok();
    cr_assert_eq(fake_last.version.v_api_major, 1);
    cr_assert_eq(fake_last.version.v_api_minor, 1);
    cr_assert_str_eq(fake_last.version.author, "tool");
    cr_assert_str_eq((char *)a.u.initialize.impl_info.vendor, "fake-core");
    cr_assert_eq(a.u.initialize.impl_info.v_imp_minor, 7);
}

Test(dispatch, initialize_version_refused_by_core)
{
    req(MCDSHM_FN_INITIALIZE, 0);
    q.u.initialize.version_req.v_api_major = 2;
    core_error(MCD_ERR_GENERAL, "API 2.0");
}

Test(dispatch, exit)
{
    req(MCDSHM_FN_EXIT, 0);
    ok();
}

Test(dispatch, qry_servers)
{
    const mcd_server_info_st *si = (const void *)pl;

    req(MCDSHM_FN_QRY_SERVERS, 0);
    q.u.qry_servers.host = put_s(0, "localhost");
    q.u.qry_servers.running = 1;
    page_req(&q.u.qry_servers.page, 0, 5);
    ok();
    cr_assert_str_eq(fake_last.str[0], "localhost");
    cr_assert_eq(fake_last.u32[0], 1);
    cr_assert_eq(fake_last.num, 5);
    page_is(2, sizeof(mcd_server_info_st));
    cr_assert_str_eq(si[0].server, "fake0");
    cr_assert_str_eq(si[1].server, "fake1");
}

Test(dispatch, count_only_passes_null_and_returns_total)
{
    req(MCDSHM_FN_QRY_SERVERS, 0);
    ok();
    cr_assert(fake_last.str_null[0], "empty host span is NULL");
    cr_assert(fake_last.out_null);
    cr_assert_eq(a.u.page.num, 2);
    cr_assert_eq(a.u.page.items.len, 0);
}

Test(dispatch, open_server)
{
    req(MCDSHM_FN_OPEN_SERVER, 0);
    q.u.open_server.system_key = put_s(0, "key");
    q.u.open_server.config_string = put_s(16, "McdShmPolicy=busy");
    ok();
    cr_assert_str_eq(fake_last.str[0], "key");
    cr_assert_str_eq(fake_last.str[1], "McdShmPolicy=busy");
    cr_assert_eq(a.u.open_server.server_uid, 1);
    cr_assert_str_eq(resp_str(a.u.open_server.host), "localhost");
    cr_assert_eq(a.u.open_server.config_string.len, 0);
}

Test(dispatch, open_server_null_strings_and_core_error)
{
    req(MCDSHM_FN_OPEN_SERVER, 0);
    ok();
    cr_assert(fake_last.str_null[0] && fake_last.str_null[1]);
    q.u.open_server.system_key = put_s(0, "locked");
    core_error(MCD_ERR_SERVER_LOCKED, "locked");
}

Test(dispatch, close_server)
{
    req(MCDSHM_FN_CLOSE_SERVER, 0);
    q.hdr.server_uid = 1;
    ok();
    cr_assert_eq(fake_last.server_uid, 1);
    q.hdr.server_uid = 9;
    core_error(MCD_ERR_PARAM, "server uid 9");
}

Test(dispatch, set_and_qry_server_config)
{
    req(MCDSHM_FN_SET_SERVER_CONFIG, 0);
    q.hdr.server_uid = 1;
    q.u.set_server_config.config_string = put_s(0, "McdExitIfLastClient=TRUE");
    ok();
    cr_assert_str_eq(fake_last.str[0], "McdExitIfLastClient=TRUE");

    req(MCDSHM_FN_QRY_SERVER_CONFIG, 0);
    q.hdr.server_uid = 1;
    q.u.qry_server_config.max_len = 100;
    ok();
    cr_assert_eq(fake_last.u32[0], 100);
    cr_assert_eq(a.u.string.length, 25);
    cr_assert_str_eq(resp_str(a.u.string.str), "McdExitIfLastClient=TRUE");

    q.u.qry_server_config.max_len = 0;
    ok();
    cr_assert(fake_last.out_null);
    cr_assert_eq(a.u.string.length, 25);
    cr_assert_eq(a.u.string.str.len, 0);
}

Test(dispatch, result_too_long_keeps_needed_length)
{
    req(MCDSHM_FN_OPEN_SERVER, 0);
    ok();
    req(MCDSHM_FN_QRY_SERVER_CONFIG, 0);
    q.hdr.server_uid = 1;
    q.u.qry_server_config.max_len = 5;
    core_error(MCD_ERR_RESULT_TOO_LONG, "needed");
    cr_assert_eq(a.u.string.length, strlen("McdServerName=\"fake\" ") + 1);
    cr_assert_str_eq(resp_str(a.u.string.str), "McdS");
}

/* ------------------------------------------------------------------------
 * Systems, devices, cores (8-17)
 */

Test(dispatch, qry_systems)
{
    const mcd_core_con_info_st *ci = (const void *)pl;

    req(MCDSHM_FN_QRY_SYSTEMS, 0);
    page_req(&q.u.page_only.page, 0, 3);
    ok();
    page_is(1, sizeof(mcd_core_con_info_st));
    cr_assert_str_eq(ci->system, "fakesys");
}

Test(dispatch, qry_devices_and_cores_pass_con_info)
{
    const mcd_core_con_info_st *ci = (const void *)pl;

    req(MCDSHM_FN_QRY_DEVICES, 0);
    strcpy((char *)q.u.qry_con.con_info.system, "fakesys");
    strcpy((char *)q.u.qry_con.con_info.system_instance, "inst0");
    page_req(&q.u.qry_con.page, 0, 4);
    ok();
    cr_assert_str_eq(fake_last.con_info.system, "fakesys");
    cr_assert_str_eq(fake_last.con_info.system_instance, "inst0");
    page_is(1, sizeof(mcd_core_con_info_st));
    cr_assert_str_eq(ci[0].device, "fakedev");

    q.hdr.fn = MCDSHM_FN_QRY_CORES;
    page_req(&q.u.qry_con.page, 1, 4);
    ok();
    cr_assert_eq(fake_last.start, 1);
    page_is(1, sizeof(mcd_core_con_info_st));
    cr_assert_str_eq(ci[0].core, "core1");
}

Test(dispatch, qry_core_modes)
{
    const mcd_core_mode_info_st *m = (const void *)pl;

    req(MCDSHM_FN_QRY_CORE_MODES, 2);
    page_req(&q.u.page_only.page, 0, 2);
    ok();
    cr_assert_eq(fake_last.core_uid, 2);
    page_is(2, 33);
    cr_assert_eq(m[1].core_mode, 2);
    cr_assert_str_eq(m[1].name, "mode2");
}

Test(dispatch, open_and_close_core)
{
    const struct mcdshm_core_con_info *full;

    req(MCDSHM_FN_OPEN_CORE, 0);
    strcpy((char *)q.u.open_core.core_con_info.core, "core1");
    ok();
    cr_assert_str_eq(fake_last.con_info.core, "core1");
    cr_assert_eq(a.u.open_core.core_uid, 2);
    full = &a.u.open_core.core_con_info;
    cr_assert_str_eq((char *)full->system, "fakesys");
    cr_assert_eq(full->core_id, 1);

    req(MCDSHM_FN_CLOSE_CORE, 2);
    ok();
    cr_assert_eq(fake_last.core_uid, 2);
    req(MCDSHM_FN_QRY_STATE, 2);
    core_error(MCD_ERR_PARAM, "core uid 2 is not open");
}

Test(dispatch, qry_error_info_is_per_core)
{
    req(MCDSHM_FN_QRY_MEM_BLOCKS, 1);
    q.u.page_id.id = 9;
    page_req(&q.u.page_id.page, 0, 1);
    core_error(MCD_ERR_MEM_SPACE_ID, "no memory space 9");

    req(MCDSHM_FN_QRY_ERROR_INFO, 1);
    run();
    cr_assert_eq(a.hdr.ret, MCD_RET_ACT_NONE);
    cr_assert_eq(a.u.qry_error_info.error_info.error_code,
                 MCD_ERR_MEM_SPACE_ID);
    cr_assert_str_eq((char *)a.u.qry_error_info.error_info.error_str,
                     "fake: no memory space 9");
    req(MCDSHM_FN_QRY_ERROR_INFO, 2);
    run();
    cr_assert_eq(a.u.qry_error_info.error_info.error_code, MCD_ERR_NONE);
}

Test(dispatch, qry_device_description)
{
    req(MCDSHM_FN_QRY_DEVICE_DESCRIPTION, 1);
    q.u.qry_device_description.url_length = 64;
    q.u.qry_device_description.want_url = 1;
    ok();
    cr_assert_eq(fake_last.u32[0], 64);
    cr_assert_not(fake_last.out_null);
    cr_assert_eq(a.u.string.length, strlen("file:///fake/device.xml"));
    cr_assert_str_eq(resp_str(a.u.string.str), "file:///fake/device.xml");

    q.u.qry_device_description.want_url = 0;
    ok();
    cr_assert(fake_last.out_null);
    cr_assert_eq(a.u.string.length, sizeof("file:///fake/device.xml"));
    cr_assert_eq(a.u.string.str.len, 0);
}

Test(dispatch, qry_max_payload_size_and_input_handle)
{
    req(MCDSHM_FN_QRY_MAX_PAYLOAD_SIZE, 1);
    ok();
    cr_assert_eq(a.u.u32.value, 1u << 20);
    req(MCDSHM_FN_QRY_INPUT_HANDLE, 1);
    ok();
    cr_assert_eq(a.u.u32.value, UINT32_MAX);
}

/* ------------------------------------------------------------------------
 * Memory and registers (18-23)
 */

Test(dispatch, qry_mem_spaces_and_blocks)
{
    const mcd_memspace_st *ms = (const void *)pl;
    const mcd_memblock_st *mb = (const void *)pl;

    req(MCDSHM_FN_QRY_MEM_SPACES, 1);
    page_req(&q.u.page_only.page, 1, 10);
    ok();
    page_is(2, sizeof(mcd_memspace_st));
    cr_assert_str_eq(ms[0].mem_space_name, "space2");

    req(MCDSHM_FN_QRY_MEM_BLOCKS, 1);
    q.u.page_id.id = 2;
    page_req(&q.u.page_id.page, 0, 4);
    ok();
    cr_assert_eq(fake_last.id, 2);
    page_is(4, sizeof(mcd_memblock_st));
    cr_assert_str_eq(mb[3].mem_block_name, "block4");
}

Test(dispatch, qry_active_overlays)
{
    const uint32_t *ids = (const void *)pl;

    req(MCDSHM_FN_QRY_ACTIVE_OVERLAYS, 1);
    page_req(&q.u.page_only.page, 0, 8);
    ok();
    page_is(2, 4);
    cr_assert_eq(ids[0], 7);
    cr_assert_eq(ids[1], 8);
}

Test(dispatch, qry_reg_groups_map_compound)
{
    const mcd_register_group_st *g = (const void *)pl;
    const mcd_register_info_st *r = (const void *)pl;
    const uint32_t *ids = (const void *)pl;

    req(MCDSHM_FN_QRY_REG_GROUPS, 1);
    page_req(&q.u.page_only.page, 0, 2);
    ok();
    page_is(2, sizeof(*g));
    cr_assert_str_eq(g[1].reg_group_name, "csr");

    req(MCDSHM_FN_QRY_REG_MAP, 1);
    q.u.page_id.id = 1;
    page_req(&q.u.page_id.page, 5, 10);
    ok();
    cr_assert_eq(fake_last.id, 1);
    cr_assert_eq(fake_last.start, 5);
    cr_assert_eq(fake_last.num, 10);
    page_is(10, sizeof(*r));
    cr_assert_str_eq(r[0].regname, "r5");
    cr_assert_eq(r[9].addr.address, 14 * 8);

    req(MCDSHM_FN_QRY_REG_COMPOUND, 1);
    q.u.page_id.id = 100;
    page_req(&q.u.page_id.page, 0, 3);
    ok();
    cr_assert_eq(fake_last.id, 100);
    page_is(3, 4);
    cr_assert_eq(ids[2], 3);
}

/* ------------------------------------------------------------------------
 * Triggers (24-33)
 */

Test(dispatch, qry_trig_info_and_ctrigs)
{
    const mcd_ctrig_info_st *ct = (const void *)pl;

    req(MCDSHM_FN_QRY_TRIG_INFO, 1);
    ok();
    cr_assert_eq(a.u.qry_trig_info.trig_info.trig_number, 32);
    cr_assert_eq(a.u.qry_trig_info.trig_info.sw_breakpoints, 1);

    req(MCDSHM_FN_QRY_CTRIGS, 1);
    page_req(&q.u.page_only.page, 0, 2);
    ok();
    page_is(2, sizeof(*ct));
    cr_assert_str_eq(ct[1].info_str, "ctrig2");
}

static void simple_trig(struct mcdshm_trig *t, uint64_t range)
{
    memset(t, 0, sizeof(*t));
    t->kind = MCDSHM_TRIG_SIMPLE_CORE;
    t->u.simple.struct_size = 64;
    t->u.simple.type = MCD_TRIG_TYPE_IP;
    t->u.simple.addr_start.address = 0x8000;
    t->u.simple.addr_range = range;
}

Test(dispatch, create_trig_simple_approximated)
{
    const mcd_trig_simple_core_st *got = (const void *)fake_last.trig;

    req(MCDSHM_FN_CREATE_TRIG, 1);
    simple_trig(&q.u.create_trig.trig, 0x10000);
    ok();
    cr_assert_eq(got->struct_size, 64);
    cr_assert_eq(got->addr_start.address, 0x8000);
    cr_assert_eq(got->addr_range, 0x10000);
    cr_assert_eq(a.u.trig.trig_id, 1);
    cr_assert_eq(a.u.trig.modified, 1);
    cr_assert_eq(a.u.trig.trig.kind, MCDSHM_TRIG_SIMPLE_CORE);
    cr_assert_eq(a.u.trig.trig.u.simple.addr_range, 0x1000);
    cr_assert_eq(a.u.trig.trig.u.simple.modified, 1);
}

Test(dispatch, create_trig_every_kind)
{
    static const struct {
        uint32_t kind, size, type;
    } k[] = {
        { MCDSHM_TRIG_COMPLEX_CORE, 112, MCD_TRIG_TYPE_READ },
        { MCDSHM_TRIG_TRIG_BUS, 36, MCD_TRIG_TYPE_TRIG_BUS },
        { MCDSHM_TRIG_COUNTER, 48, MCD_TRIG_TYPE_COUNTER },
        { MCDSHM_TRIG_CUSTOM, 48, MCD_TRIG_TYPE_CUSTOM },
    };

    for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        req(MCDSHM_FN_CREATE_TRIG, 1);
        q.u.create_trig.trig.kind = k[i].kind;
        q.u.create_trig.trig.u.simple.struct_size = k[i].size;
        q.u.create_trig.trig.u.simple.type = k[i].type;
        q.u.create_trig.trig.u.simple.action_param = 40 + (uint32_t)i;
        ok();
        cr_assert_eq(((mcd_trig_simple_core_st *)fake_last.trig)->struct_size,
                     k[i].size);
        cr_assert_eq(((mcd_trig_simple_core_st *)fake_last.trig)->action_param,
                     40 + i);
        cr_assert_eq(a.u.trig.trig.kind, k[i].kind);
        cr_assert_eq(a.u.trig.modified, 0);
    }
}

Test(dispatch, qry_trig_and_too_small_buffer)
{
    req(MCDSHM_FN_CREATE_TRIG, 1);
    simple_trig(&q.u.create_trig.trig, 4);
    ok();

    req(MCDSHM_FN_QRY_TRIG, 1);
    q.u.qry_trig.trig_id = 1;
    q.u.qry_trig.max_trig_size = 1000;
    ok();
    cr_assert_eq(fake_last.u32[0], 112, "the core got the private buffer");
    cr_assert_eq(a.u.trig.trig.kind, MCDSHM_TRIG_SIMPLE_CORE);
    cr_assert_eq(a.u.trig.trig.u.simple.addr_range, 4);

    q.u.qry_trig.max_trig_size = 10;
    core_error(MCD_ERR_RESULT_TOO_LONG, "needs 64 bytes");
    cr_assert_eq(a.u.trig.trig.kind, 0, "no trigger on failure");
}

Test(dispatch, trig_state_set_and_removal)
{
    const uint32_t *ids = (const void *)pl;

    req(MCDSHM_FN_CREATE_TRIG, 1);
    simple_trig(&q.u.create_trig.trig, 4);
    ok();
    ok();

    req(MCDSHM_FN_QRY_TRIG_STATE, 1);
    q.u.trig_id.trig_id = 2;
    ok();
    cr_assert_eq(fake_last.id, 2);
    cr_assert_eq(a.u.qry_trig_state.trig_state.count_value, 42);
    cr_assert_eq(a.u.qry_trig_state.trig_state.captured, 1);

    req(MCDSHM_FN_QRY_TRIG_SET, 1);
    page_req(&q.u.page_only.page, 0, 8);
    ok();
    page_is(2, 4);
    cr_assert_eq(ids[0], 1);
    cr_assert_eq(ids[1], 2);

    req(MCDSHM_FN_QRY_TRIG_SET_STATE, 1);
    ok();
    cr_assert_eq(a.u.qry_trig_set_state.trig_state.state, 2);
    cr_assert_eq(a.u.qry_trig_set_state.trig_state.trig_bus, 5);

    req(MCDSHM_FN_ACTIVATE_TRIG_SET, 1);
    ok();
    req(MCDSHM_FN_REMOVE_TRIG, 1);
    q.u.trig_id.trig_id = 1;
    ok();
    cr_assert_eq(fake_last.id, 1);
    core_error(MCD_ERR_TRIG_ACCESS, "no trigger 1");
    req(MCDSHM_FN_REMOVE_TRIG_SET, 1);
    ok();
}

/* ------------------------------------------------------------------------
 * Transaction lists (34)
 */

static void tx_desc(struct mcdshm_tx *d, uint64_t addr, uint32_t at,
                    uint32_t off, uint32_t n)
{
    memset(d, 0, sizeof(*d));
    d->addr.address = addr;
    d->addr.mem_space_id = 1;
    d->access_type = at;
    d->access_width = 4;
    d->num_bytes = n;
    d->data_off = off;
}

/* Two transactions: read 16 bytes at 0x1000 into 128, write 8 at 0x2000
 * from 256 (pattern data). */
static void two_tx(struct mcdshm_tx *d)
{
    uint8_t w[8];

    tx_desc(&d[0], 0x1000, MCD_TX_AT_R, 128, 16);
    tx_desc(&d[1], 0x2000, MCD_TX_AT_W, 256, 8);
    for (int i = 0; i < 8; i++) {
        w[i] = fake_pattern(0x2000 + i);
    }
    req(MCDSHM_FN_EXECUTE_TXLIST, 1);
    q.u.execute_txlist.num_tx = 2;
    q.u.execute_txlist.tx = put(0, d, 2 * sizeof(*d));
    put(128, (uint8_t[16]){ 0 }, 16);
    put(256, w, 8);
}

Test(dispatch, execute_txlist_zero_copy)
{
    struct mcdshm_tx d[2];

    two_tx(d);
    ok();
    cr_assert_eq(fake_last.num_tx, 2);
    cr_assert_eq(fake_last.tx[0].data, pl + 128, "data points into payload");
    cr_assert_eq(fake_last.tx[1].data, pl + 256);
    cr_assert_eq(fake_last.tx[0].addr.address, 0x1000);
    cr_assert_eq(fake_last.tx[0].addr.mem_space_id, 1);
    cr_assert_eq(fake_last.tx[0].access_width, 4);
    cr_assert_eq(fake_last.tx[1].access_type, MCD_TX_AT_W);
    cr_assert_eq(a.u.execute_txlist.num_tx_ok, 2);
    cr_assert_eq(a.u.execute_txlist.num_bytes_ok[0], 16);
    cr_assert_eq(a.u.execute_txlist.num_bytes_ok[1], 8);
    cr_assert_eq(a.u.execute_txlist.num_bytes_ok[2], 0);
    for (int i = 0; i < 16; i++) {
        cr_assert_eq(pl[128 + i], fake_pattern(0x1000 + i), "byte %d", i);
    }
    cr_assert_eq(fake_written, 8);
    cr_assert_eq(fake_written_bad, 0);
}

Test(dispatch, execute_txlist_partial_failure_reports_progress)
{
    struct mcdshm_tx d[2];

    two_tx(d);
    fake_fail_addr = 0x1005;
    core_error(MCD_ERR_TXLIST_READ, "read failed at 0x1005");
    cr_assert_eq(a.u.execute_txlist.num_tx_ok, 0);
    cr_assert_eq(a.u.execute_txlist.num_bytes_ok[0], 5);
    cr_assert_eq(a.u.execute_txlist.num_bytes_ok[1], 0);
}

/* ------------------------------------------------------------------------
 * Execution control (35-42)
 */

Test(dispatch, run_stop_set_global)
{
    static const uint16_t fn[] = { MCDSHM_FN_RUN, MCDSHM_FN_STOP,
                                   MCDSHM_FN_SET_GLOBAL };

    for (size_t i = 0; i < 3; i++) {
        req(fn[i], 2);
        q.u.flag.flag = 1;
        ok();
        cr_assert_eq(fake_last.core_uid, 2);
        cr_assert_eq(fake_last.u32[0], 1);
        q.u.flag.flag = 0;
        ok();
        cr_assert_eq(fake_last.u32[0], 0);
    }
}

Test(dispatch, run_until_and_current_time)
{
    req(MCDSHM_FN_RUN_UNTIL, 1);
    q.u.run_until.global = 1;
    q.u.run_until.absolute_time = 1;
    q.u.run_until.run_until_time = 0x123456789abull;
    ok();
    cr_assert_eq(fake_last.u32[0], 1);
    cr_assert_eq(fake_last.u32[1], 1);
    cr_assert_eq(fake_last.u64, 0x123456789abull);

    req(MCDSHM_FN_QRY_CURRENT_TIME, 1);
    ok();
    cr_assert_eq(a.u.u64.value, 123456789000ull);
}

Test(dispatch, step)
{
    req(MCDSHM_FN_STEP, 1);
    q.u.step.step_type = MCD_CORE_STEP_TYPE_INSTR;
    q.u.step.n_steps = 10;
    ok();
    cr_assert_eq(fake_last.u32[0], 0);
    cr_assert_eq(fake_last.u32[1], MCD_CORE_STEP_TYPE_INSTR);
    cr_assert_eq(fake_last.u32[2], 10);
    q.u.step.step_type = 0x100;
    ok();
}

Test(dispatch, qry_state)
{
    req(MCDSHM_FN_QRY_STATE, 1);
    ok();
    cr_assert_eq(a.u.qry_state.state.state, MCD_CORE_STATE_DEBUG);
    cr_assert_eq(a.u.qry_state.state.trig_id, 3);
    cr_assert_str_eq((char *)a.u.qry_state.state.stop_str, "breakpoint");
}

Test(dispatch, execute_command)
{
    req(MCDSHM_FN_EXECUTE_COMMAND, 1);
    q.u.execute_command.command = put_s(0, "echo hello");
    q.u.execute_command.result_string_size = 64;
    ok();
    cr_assert_str_eq(fake_last.str[0], "echo hello");
    cr_assert_eq(fake_last.u32[0], 64);
    cr_assert_eq(a.u.string.length, 6);
    cr_assert_str_eq(resp_str(a.u.string.str), "hello");

    q.u.execute_command.command = put_s(0, "echo hello");
    q.u.execute_command.result_string_size = 0;
    ok();
    cr_assert(fake_last.out_null);
    cr_assert_eq(a.u.string.str.len, 0);

    q.u.execute_command.command = put_s(0, "bogus");
    q.u.execute_command.result_string_size = 8;
    core_error(MCD_ERR_GENERAL, "unknown command 'bogus'");
}

/* ------------------------------------------------------------------------
 * Reset (43-45)
 */

Test(dispatch, reset)
{
    req(MCDSHM_FN_QRY_RST_CLASSES, 1);
    ok();
    cr_assert_eq(a.u.u32.value, 3);

    req(MCDSHM_FN_QRY_RST_CLASS_INFO, 1);
    q.u.qry_rst_class_info.rst_class = 1;
    ok();
    cr_assert_eq(fake_last.id, 1);
    cr_assert_eq(a.u.qry_rst_class_info.rst_info.class_vector, 2);
    cr_assert_str_eq((char *)a.u.qry_rst_class_info.rst_info.info_str, "warm");

    req(MCDSHM_FN_RST, 1);
    q.u.rst.rst_class_vector = 1;
    q.u.rst.rst_and_halt = 1;
    ok();
    cr_assert_eq(fake_last.u32[0], 1);
    cr_assert_eq(fake_last.u32[1], 1);
}

/* ------------------------------------------------------------------------
 * Channels (46-50)
 */

Test(dispatch, channels)
{
    static const uint8_t msg[] = { 1, 2, 3, 4, 5 };

    req(MCDSHM_FN_CHL_OPEN, 0);
    q.u.chl_open.channel.type = MCD_CHL_TYPE_APPLI;
    q.u.chl_open.channel.max_msg_len = 5000;
    q.u.chl_open.channel.prio = 3;
    strcpy((char *)q.u.chl_open.con_info.system, "fakesys");
    ok();
    cr_assert_eq(fake_last.core_uid, 0);
    cr_assert_str_eq(fake_last.con_info.system, "fakesys");
    cr_assert_eq(fake_last.chl.prio, 3);
    cr_assert_eq(a.u.chl_open.channel.chl_id, 7);
    cr_assert_eq(a.u.chl_open.channel.max_msg_len, 1024);

    req(MCDSHM_FN_SEND_MSG, 1);
    q.u.send_msg.chl_id = 7;
    q.u.send_msg.msg = put(100, msg, sizeof(msg));
    ok();
    cr_assert_eq(fake_last.u32[0], 5);
    cr_assert_eq(memcmp(fake_last.msg, msg, 5), 0);

    req(MCDSHM_FN_RECEIVE_MSG, 1);
    q.u.receive_msg.chl_id = 7;
    q.u.receive_msg.timeout_ms = 250;
    q.u.receive_msg.msg_len = 3;
    memset(pl, 0, 16);
    ok();
    cr_assert_eq(fake_last.u32[0], 250);
    cr_assert_eq(a.u.receive_msg.msg_len, 3);
    cr_assert_eq(a.u.receive_msg.msg.off, 0);
    cr_assert_eq(a.u.receive_msg.msg.len, 3);
    cr_assert_eq(memcmp(pl, msg, 3), 0);

    req(MCDSHM_FN_CHL_RESET, 1);
    q.u.chl_id.chl_id = 7;
    ok();
    req(MCDSHM_FN_CHL_CLOSE, 1);
    q.u.chl_id.chl_id = 7;
    ok();
    q.u.chl_id.chl_id = 8;
    core_error(MCD_ERR_CHL_MESSAGE_FAILED, "no channel 8");
}

/* ------------------------------------------------------------------------
 * Trace (51-54)
 */

Test(dispatch, traces_and_state)
{
    const mcd_trace_info_st *ti = (const void *)pl;

    req(MCDSHM_FN_QRY_TRACES, 1);
    page_req(&q.u.page_only.page, 0, 1);
    ok();
    page_is(1, sizeof(*ti));
    cr_assert_str_eq(ti->trace_name, "fake-trace");

    req(MCDSHM_FN_SET_TRACE_STATE, 1);
    q.u.set_trace_state.trace_id = 1;
    q.u.set_trace_state.state.state = MCD_TRACE_STATE_INIT;
    q.u.set_trace_state.state.size = 4096;
    q.u.set_trace_state.state.autoarm = 1;
    ok();
    cr_assert_eq(fake_last.trace_state.size, 4096);
    cr_assert_eq(fake_last.trace_state.autoarm, 1);
    cr_assert_eq(a.u.trace_state.state.state, MCD_TRACE_STATE_OFF);
    cr_assert_eq(a.u.trace_state.state.modified, 1);
    cr_assert_str_eq((char *)a.u.trace_state.state.info_str, "set by fake");

    req(MCDSHM_FN_QRY_TRACE_STATE, 1);
    q.u.trace_id.trace_id = 1;
    ok();
    cr_assert_eq(a.u.trace_state.state.frames, FAKE_FRAMES);
    cr_assert_eq(a.u.trace_state.state.size, 4096);
}

Test(dispatch, read_trace)
{
    const mcd_trace_data_core_st *f = (const void *)pl;

    req(MCDSHM_FN_READ_TRACE, 1);
    q.u.read_trace.trace_id = 1;
    q.u.read_trace.start_index = 10;
    q.u.read_trace.num_frames = 5;
    q.u.read_trace.trace_data_size = sizeof(*f);
    ok();
    cr_assert_eq(fake_last.u64, 10);
    cr_assert_eq(fake_last.num, 5);
    cr_assert_eq(a.u.read_trace.num_frames, 5);
    cr_assert_eq(a.u.read_trace.frames.len, 5 * sizeof(*f));
    cr_assert_eq(f[4].timestamp, 14);

    q.u.read_trace.num_frames = 0;
    ok();
    cr_assert(fake_last.out_null);
    cr_assert_eq(a.u.read_trace.num_frames, FAKE_FRAMES);
    cr_assert_eq(a.u.read_trace.frames.len, 0);
}

/* ------------------------------------------------------------------------
 * Hostile records
 */

Test(dispatch, unknown_function_is_an_error_not_a_drop)
{
    req(0, 0);
    refused(MCD_ERR_PARAM, "unknown function id 0");
    req(99, 0);
    refused(MCD_ERR_PARAM, "unknown function id 99");
    req(MCDSHM_FN_QRY_STATE, 1);
    ok();
}

Test(dispatch, header_fields)
{
    req(MCDSHM_FN_QRY_STATE, 1);
    q.hdr.flags = 4;
    refused(MCD_ERR_PARAM, "hdr.flags 0x4");
    req(MCDSHM_FN_QRY_STATE, 1);
    q.hdr.reserved[2] = 1;
    refused(MCD_ERR_PARAM, "hdr.reserved byte 8");
    req(MCDSHM_FN_QRY_STATE, 1);
    q.hdr.payload_len = PSIZE + 1;
    refused(MCD_ERR_PARAM, "hdr.payload_len 65537");
    req(MCDSHM_FN_QRY_SYSTEMS, 3);
    refused(MCD_ERR_PARAM, "mcd_qry_systems_f: hdr.core_uid 3");
}

/* Bytes past a function's body belong to no record (MCDSHM_RECORDS):
 * whatever they hold is ignored, and the response covers only its extent. */
Test(dispatch, bytes_past_the_body_are_ignored)
{
    req(MCDSHM_FN_QRY_STATE, 1);
    q.u.raw[5] = 1;
    ok(); /* run() fills the response record with 0x5A first */
    cr_assert_eq(((uint8_t *)&a)[shm_resp_len(MCDSHM_FN_QRY_STATE, 0)], 0x5A,
                 "nothing written past the response's extent");
    req(MCDSHM_FN_RUN, 1);
    q.u.raw[sizeof(struct mcdshm_req_flag)] = 1;
    ok();
    cr_assert_eq(shm_req_len(MCDSHM_FN_RUN),
                 sizeof(q.hdr) + sizeof(struct mcdshm_req_flag));
    cr_assert_eq(shm_req_len(MCDSHM_FN_QRY_STATE), sizeof(q.hdr));
    cr_assert_eq(shm_req_len(999), sizeof(q.hdr), "unknown: header only");
}

Test(dispatch, pads_and_booleans)
{
    req(MCDSHM_FN_RUN, 1);
    q.u.flag.pad[3] = 9;
    refused(MCD_ERR_PARAM, "mcd_run_f: pad byte 3 is 0x09");
    req(MCDSHM_FN_STOP, 1);
    q.u.flag.flag = 2;
    refused(MCD_ERR_PARAM, "global is 2");
    req(MCDSHM_FN_RST, 1);
    q.u.rst.rst_and_halt = 0xff;
    refused(MCD_ERR_PARAM, "rst_and_halt is 255");
    req(MCDSHM_FN_QRY_MEM_BLOCKS, 1);
    q.u.page_id.pad = 1;
    refused(MCD_ERR_PARAM, "pad byte 0");
    req(MCDSHM_FN_SET_TRACE_STATE, 1);
    q.u.set_trace_state.trace_id = 1;
    q.u.set_trace_state.state.pad2[6] = 1;
    refused(MCD_ERR_PARAM, "state.pad2 byte 6");
}

Test(dispatch, span_outside_payload)
{
    req(MCDSHM_FN_OPEN_SERVER, 0);
    q.u.open_server.config_string = put_s(0, "McdServerName=x");
    q.u.open_server.config_string.len += 1;
    refused(MCD_ERR_PARAM, "config_string span [0x0, +0x11)");
}

Test(dispatch, span_overflow_does_not_wrap)
{
    req(MCDSHM_FN_SEND_MSG, 1);
    q.u.send_msg.chl_id = 7;
    q.hdr.payload_len = PSIZE;
    q.u.send_msg.msg.off = 0xfffffff0u;
    q.u.send_msg.msg.len = 0x20;
    refused(MCD_ERR_PARAM, "msg span [0xfffffff0, +0x20)");
}

Test(dispatch, string_without_nul)
{
    req(MCDSHM_FN_SET_SERVER_CONFIG, 0);
    q.u.set_server_config.config_string = put(0, "abc", 3);
    refused(MCD_ERR_PARAM, "config_string is not NUL-terminated within its 3");
    req(MCDSHM_FN_OPEN_CORE, 0);
    memset(q.u.open_core.core_con_info.core, 'x', 64);
    refused(MCD_ERR_PARAM, "core_con_info.core is not NUL-terminated");
    req(MCDSHM_FN_INITIALIZE, 0);
    memset(q.u.initialize.version_req.author, 'y', 32);
    refused(MCD_ERR_PARAM, "version_req.author");
}

Test(dispatch, num_larger_than_payload)
{
    req(MCDSHM_FN_QRY_REG_MAP, 1);
    page_req(&q.u.page_id.page, 0, 1000);
    refused(MCD_ERR_PARAM, "num 1000 entries of 88 bytes exceed the payload "
                           "area of 65536 bytes (at most 744)");
    req(MCDSHM_FN_QRY_REG_MAP, 1);
    page_req(&q.u.page_id.page, 0, 744);
    ok();
    req(MCDSHM_FN_READ_TRACE, 1);
    q.u.read_trace.trace_id = 1;
    q.u.read_trace.num_frames = 0x80000000u;
    q.u.read_trace.trace_data_size = 0x100;
    refused(MCD_ERR_PARAM, "num_frames 2147483648");
    req(MCDSHM_FN_QRY_SERVER_CONFIG, 0);
    q.u.qry_server_config.max_len = PSIZE + 1;
    refused(MCD_ERR_PARAM, "max_len 65537");
    req(MCDSHM_FN_RECEIVE_MSG, 1);
    q.u.receive_msg.msg_len = UINT32_MAX;
    refused(MCD_ERR_PARAM, "msg_len 4294967295");
}

Test(dispatch, enums)
{
    req(MCDSHM_FN_STEP, 1);
    q.u.step.step_type = 3;
    refused(MCD_ERR_PARAM, "step_type 0x3");
    req(MCDSHM_FN_QRY_RST_CLASS_INFO, 1);
    q.u.qry_rst_class_info.rst_class = 32;
    refused(MCD_ERR_PARAM, "rst_class 32");
    req(MCDSHM_FN_CHL_OPEN, 1);
    q.u.chl_open.channel.prio = 16;
    refused(MCD_ERR_PARAM, "channel.prio 16");
    req(MCDSHM_FN_CHL_OPEN, 1);
    q.u.chl_open.channel.msg_buffer_addr.addr_space_type = 5;
    refused(MCD_ERR_PARAM, "channel.msg_buffer_addr.addr_space_type 5");
}

Test(dispatch, bad_access_type)
{
    struct mcdshm_tx d[2];

    two_tx(d);
    d[1].access_type = 5;
    put(0, d, sizeof(d));
    refused(MCD_ERR_PARAM, "tx[1].access_type 5 is not 1..4");
    d[1].access_type = 0;
    put(0, d, sizeof(d));
    refused(MCD_ERR_PARAM, "tx[1].access_type 0");
}

Test(dispatch, txlist_structure)
{
    struct mcdshm_tx d[2];

    two_tx(d);
    q.u.execute_txlist.num_tx = 0;
    refused(MCD_ERR_PARAM, "num_tx 0 is not 1..64");
    q.u.execute_txlist.num_tx = 65;
    refused(MCD_ERR_PARAM, "num_tx 65");
    q.u.execute_txlist.num_tx = 1;
    refused(MCD_ERR_PARAM, "does not hold num_tx 1");
    two_tx(d);
    d[0].pad1 = 1;
    put(0, d, sizeof(d));
    refused(MCD_ERR_PARAM, "tx[0].pad");
    two_tx(d);
    d[0].addr.pad = 1;
    put(0, d, sizeof(d));
    refused(MCD_ERR_PARAM, "tx[0].addr.pad");
    two_tx(d);
    d[0].core_mode = 33;
    put(0, d, sizeof(d));
    refused(MCD_ERR_PARAM, "tx[0].core_mode 33");
}

Test(dispatch, txlist_data_overlapping_descriptors_refused)
{
    struct mcdshm_tx d[2];

    two_tx(d);
    d[0].data_off = 64;
    put(0, d, sizeof(d));
    refused(MCD_ERR_PARAM, "tx[0] data [0x40, +0x10) overlaps the "
                           "transaction descriptors [0x0, +0x60)");
    two_tx(d);
    d[1].data_off = 0x5f;
    d[1].num_bytes = 1;
    d[1].access_width = 1;
    put(0, d, sizeof(d));
    refused(MCD_ERR_PARAM, "overlaps");
    two_tx(d);
    d[1].data_off = 0x60;
    d[1].num_bytes = 0;
    put(0, d, sizeof(d));
    ok();
}

Test(dispatch, txlist_data_outside_payload)
{
    struct mcdshm_tx d[2];

    two_tx(d);
    d[1].data_off = 0xffffffffu;
    d[1].num_bytes = 2;
    d[1].access_width = 2;
    put(0, d, sizeof(d));
    refused(MCD_ERR_PARAM, "tx[1] data [0xffffffff, +0x2) is outside");
    two_tx(d);
    d[1].data_off = 256;
    d[1].num_bytes = 9;
    d[1].access_width = 1;
    put(0, d, sizeof(d));
    refused(MCD_ERR_PARAM, "outside the request's 264 payload bytes");
}

Test(dispatch, trigger_kind_and_size_must_agree)
{
    struct mcdshm_trig *t = &q.u.create_trig.trig;

    req(MCDSHM_FN_CREATE_TRIG, 1);
    simple_trig(t, 4);
    t->kind = 0;
    refused(MCD_ERR_PARAM, "trig.kind 0 is not 1..5");
    t->kind = 6;
    refused(MCD_ERR_PARAM, "trig.kind 6");
    t->kind = MCDSHM_TRIG_SIMPLE_CORE;
    t->u.simple.struct_size = 112;
    refused(MCD_ERR_PARAM, "trig.struct_size 112 does not match kind 1 "
                           "(simple core trigger, 64 bytes)");
    simple_trig(t, 4);
    t->kind = MCDSHM_TRIG_COUNTER;
    t->u.simple.struct_size = 48;
    t->u.simple.type = MCD_TRIG_TYPE_CUSTOM;
    refused(MCD_ERR_PARAM, "trig.type 0x80 does not match kind 4 (counter");
    simple_trig(t, 4);
    t->u.raw[64] = 1;
    refused(MCD_ERR_PARAM, "trig past its size byte 0");
    simple_trig(t, 4);
    t->u.simple.pad1 = 1;
    refused(MCD_ERR_PARAM, "trig.pad1");
    simple_trig(t, 4);
    t->u.simple.modified = 3;
    refused(MCD_ERR_PARAM, "trig.modified is 3");
}

Test(dispatch, core_breaking_its_contract_is_reported)
{
    req(MCDSHM_FN_QRY_MEM_SPACES, 1);
    page_req(&q.u.page_only.page, 0, 2);
    fake_page_extra = 1;
    run();
    cr_assert_eq(a.hdr.ret, MCD_RET_ACT_HANDLE_ERROR);
    cr_assert_eq(a.error.error_code, MCD_ERR_GENERAL);
    cr_assert_not_null(
        strstr((char *)a.error.error_str, "returned 3 entries for 2 asked"));
    cr_assert_eq(a.u.page.num, 0);
}

Test(dispatch, impossible_arguments_are_eproto)
{
    req(MCDSHM_FN_QRY_STATE, 1);
    cr_assert_eq(mcdstub_dispatch(NULL, &q, pl, PSIZE, &a), -EPROTO);
    cr_assert_eq(mcdstub_dispatch(sess, &q, pl, 100, &a), -EPROTO);
    cr_assert_eq(mcdstub_dispatch(sess, NULL, pl, PSIZE, &a), -EPROTO);
}
