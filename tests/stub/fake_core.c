/*
 * The fake server core (see fake_core.h).  Each function records its
 * arguments in fake_last, answers from the canned world and sets the
 * session's last error for its core (or the core-less one).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcdshm/wire.h"
#include "tests/stub/fake_core.h"

#define MAX_TRIGS 32
#define FAKE_CHL_ID 7
#define FAKE_URL "file:///fake/device.xml"
#define COMPOUND_REG 100

struct fake_call fake_last;
uint64_t fake_fail_addr = FAKE_NO_FAIL;
uint32_t fake_regs = FAKE_REGS;
uint32_t fake_page_extra;
uint64_t fake_written, fake_written_bad;
uint32_t fake_txlists, fake_backlog;

struct mcdcore {
    const struct mcdshm_target *target;
};

struct fake_trig {
    uint32_t id;
    uint32_t size;
    uint8_t raw[112];
};

struct mcdcore_session {
    struct mcdcore *core;
    uint32_t open; /* bit uid-1: core open */
    mcd_error_info_st last[FAKE_NCORES + 1];
    char config[1024];
    struct fake_trig trig[MAX_TRIGS];
    uint32_t ntrig, next_trig;
    uint8_t msg[FAKE_MSG_MAX];
    uint32_t msg_len;
    mcd_trace_state_st trace;
};

void fake_reset(void)
{
    memset(&fake_last, 0, sizeof(fake_last));
    fake_fail_addr = FAKE_NO_FAIL;
    fake_regs = FAKE_REGS;
    fake_page_extra = 0;
    fake_written = fake_written_bad = 0;
    fake_txlists = fake_backlog = 0;
}

/* ------------------------------------------------------------------------
 * Bookkeeping
 */

static void rec(int fn, uint32_t core_uid)
{
    memset(&fake_last, 0, sizeof(fake_last));
    fake_last.fn = fn;
    fake_last.core_uid = core_uid;
}

static void rec_str(int i, const char *s)
{
    fake_last.str_null[i] = s == NULL;
    if (s) {
        snprintf(fake_last.str[i], sizeof(fake_last.str[i]), "%s", s);
    }
}

static mcd_error_info_st *slot(struct mcdcore_session *s, uint32_t uid)
{
    return &s->last[uid <= FAKE_NCORES ? uid : 0];
}

static mcd_return_et ok(struct mcdcore_session *s, uint32_t uid)
{
    memset(slot(s, uid), 0, sizeof(mcd_error_info_st));
    return MCD_RET_ACT_NONE;
}

static mcd_return_et __attribute__((format(printf, 4, 5)))
err(struct mcdcore_session *s, uint32_t uid, mcd_error_code_et code,
    const char *fmt, ...)
{
    mcd_error_info_st *e = slot(s, uid);
    va_list ap;

    e->return_status = MCD_RET_ACT_HANDLE_ERROR;
    e->error_code = code;
    e->error_events = 0;
    va_start(ap, fmt);
    vsnprintf(e->error_str, sizeof(e->error_str), fmt, ap);
    va_end(ap);
    return MCD_RET_ACT_HANDLE_ERROR;
}

/* 0 if @uid is an open core, else the error already recorded. */
static int core_ok(struct mcdcore_session *s, uint32_t uid)
{
    if (uid == 0 || uid > FAKE_NCORES || !(s->open & (1u << (uid - 1)))) {
        err(s, uid, MCD_ERR_PARAM, "fake: core uid %u is not open", uid);
        return -1;
    }
    return 0;
}

typedef void (*fill_fn)(void *entry, uint32_t index);

/* Count-then-fetch over @total entries made by @fill. */
static mcd_return_et page(struct mcdcore_session *s, uint32_t uid,
                          uint32_t start, uint32_t *num, void *out,
                          uint32_t total, uint32_t elem, fill_fn fill)
{
    uint32_t i, n;

    fake_last.start = start;
    fake_last.num = *num;
    fake_last.out_null = out == NULL;
    if (*num == 0) {
        *num = total;
        return ok(s, uid);
    }
    if (start >= total) {
        return err(s, uid, MCD_ERR_PARAM, "fake: start_index %u >= %u", start,
                   total);
    }
    n = *num < total - start ? *num : total - start;
    for (i = 0; i < n; i++) {
        memset((uint8_t *)out + (size_t)i * elem, 0, elem);
        fill((uint8_t *)out + (size_t)i * elem, start + i);
    }
    *num = n + fake_page_extra;
    return ok(s, uid);
}

/* ------------------------------------------------------------------------
 * Life cycle
 */

int mcdcore_create(const struct mcdshm_target *target, const char *name,
                   struct mcdcore **out)
{
    (void)name;
    *out = calloc(1, sizeof(**out));
    if (!*out) {
        return -ENOMEM;
    }
    (*out)->target = target;
    return 0;
}

void mcdcore_destroy(struct mcdcore *c)
{
    free(c);
}

int mcdcore_session_open(struct mcdcore *c, struct mcdcore_session **out)
{
    struct mcdcore_session *s = calloc(1, sizeof(*s));

    if (!s) {
        return -ENOMEM;
    }
    s->core = c;
    s->next_trig = 1;
    s->trace.state = MCD_TRACE_STATE_OFF;
    s->trace.mode = MCD_TRACE_MODE_FIFO;
    *out = s;
    return 0;
}

void mcdcore_session_close(struct mcdcore_session *s)
{
    free(s);
}

const struct mcdshm_target *mcdcore_target(const struct mcdcore *c)
{
    return c->target;
}

/* ------------------------------------------------------------------------
 * Initialization and servers
 */

mcd_return_et mcdcore_initialize(struct mcdcore_session *s,
                                 const mcd_api_version_st *version_req,
                                 mcd_impl_version_info_st *impl_info)
{
    rec(MCDSHM_FN_INITIALIZE, 0);
    fake_last.version = *version_req;
    if (version_req->v_api_major != 1 || version_req->v_api_minor > 1) {
        return err(s, 0, MCD_ERR_GENERAL, "fake: API %u.%u not supported",
                   version_req->v_api_major, version_req->v_api_minor);
    }
    memset(impl_info, 0, sizeof(*impl_info));
    impl_info->v_api.v_api_major = 1;
    impl_info->v_api.v_api_minor = 1;
    strcpy(impl_info->v_api.author, MCD_API_VER_AUTHOR);
    impl_info->v_imp_minor = 7;
    strcpy(impl_info->vendor, "fake-core");
    strcpy(impl_info->date, "Jan  1 2026");
    return ok(s, 0);
}

void mcdcore_exit(struct mcdcore_session *s)
{
    rec(MCDSHM_FN_EXIT, 0);
    s->open = 0;
}

static void fill_server(void *e, uint32_t i)
{
    mcd_server_info_st *si = e;

    snprintf(si->server, sizeof(si->server), "fake%u", i);
    strcpy(si->system_instance, "inst0");
}

mcd_return_et mcdcore_qry_servers(struct mcdcore_session *s, const char *host,
                                  mcd_bool_t running, uint32_t start_index,
                                  uint32_t *num_servers,
                                  mcd_server_info_st *server_info)
{
    rec(MCDSHM_FN_QRY_SERVERS, 0);
    rec_str(0, host);
    fake_last.u32[0] = running;
    return page(s, 0, start_index, num_servers, server_info, 2,
                sizeof(*server_info), fill_server);
}

mcd_return_et mcdcore_open_server(struct mcdcore_session *s,
                                  const char *system_key,
                                  const char *config_string,
                                  uint32_t *server_uid)
{
    rec(MCDSHM_FN_OPEN_SERVER, 0);
    rec_str(0, system_key);
    rec_str(1, config_string);
    if (system_key && strcmp(system_key, "locked") == 0) {
        return err(s, 0, MCD_ERR_SERVER_LOCKED,
                   "fake: the system is locked by key '%s'", system_key);
    }
    snprintf(s->config, sizeof(s->config), "McdServerName=\"fake\" %s",
             config_string ? config_string : "");
    *server_uid = 1;
    return ok(s, 0);
}

static mcd_return_et server_ok(struct mcdcore_session *s, uint32_t uid)
{
    if (uid != 1) {
        return err(s, 0, MCD_ERR_PARAM, "fake: server uid %u is not open", uid);
    }
    return ok(s, 0);
}

mcd_return_et mcdcore_close_server(struct mcdcore_session *s,
                                   uint32_t server_uid)
{
    rec(MCDSHM_FN_CLOSE_SERVER, 0);
    fake_last.server_uid = server_uid;
    return server_ok(s, server_uid);
}

mcd_return_et mcdcore_set_server_config(struct mcdcore_session *s,
                                        uint32_t server_uid,
                                        const char *config_string)
{
    rec(MCDSHM_FN_SET_SERVER_CONFIG, 0);
    fake_last.server_uid = server_uid;
    rec_str(0, config_string);
    if (server_ok(s, server_uid) != MCD_RET_ACT_NONE) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    snprintf(s->config, sizeof(s->config), "%s",
             config_string ? config_string : "");
    return MCD_RET_ACT_NONE;
}

/* API size in/out: *len in = buffer, out = needed with the NUL. */
static mcd_return_et give_str(struct mcdcore_session *s, uint32_t uid,
                              const char *v, uint32_t *len, char *buf)
{
    uint32_t need = (uint32_t)strlen(v) + 1, cap = *len;

    *len = need;
    if (!buf) {
        return ok(s, uid);
    }
    if (cap > 0) {
        snprintf(buf, cap, "%s", v);
    }
    if (cap < need) {
        return err(s, uid, MCD_ERR_RESULT_TOO_LONG,
                   "fake: %u bytes needed, buffer has %u", need, cap);
    }
    return ok(s, uid);
}

mcd_return_et mcdcore_qry_server_config(struct mcdcore_session *s,
                                        uint32_t server_uid, uint32_t *max_len,
                                        char *config_string)
{
    rec(MCDSHM_FN_QRY_SERVER_CONFIG, 0);
    fake_last.server_uid = server_uid;
    fake_last.u32[0] = *max_len;
    fake_last.out_null = config_string == NULL;
    if (server_ok(s, server_uid) != MCD_RET_ACT_NONE) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return give_str(s, 0, s->config, max_len, config_string);
}

/* ------------------------------------------------------------------------
 * Systems, devices, cores
 */

static void fill_con(mcd_core_con_info_st *ci, int level, uint32_t i)
{
    strcpy(ci->host, "localhost");
    strcpy(ci->system, "fakesys");
    strcpy(ci->system_instance, "inst0");
    if (level > 0) {
        strcpy(ci->device, "fakedev");
        ci->device_type = 0x1234;
        ci->device_id = 1;
    }
    if (level > 1) {
        snprintf(ci->core, sizeof(ci->core), "core%u", i);
        ci->core_type = 243; /* EM_RISCV */
        ci->core_id = i;
    }
}

static void fill_system(void *e, uint32_t i)
{
    fill_con(e, 0, i);
}

static void fill_device(void *e, uint32_t i)
{
    fill_con(e, 1, i);
}

static void fill_core(void *e, uint32_t i)
{
    fill_con(e, 2, i);
}

mcd_return_et mcdcore_qry_systems(struct mcdcore_session *s,
                                  uint32_t start_index, uint32_t *num_systems,
                                  mcd_core_con_info_st *system_con_info)
{
    rec(MCDSHM_FN_QRY_SYSTEMS, 0);
    return page(s, 0, start_index, num_systems, system_con_info, 1,
                sizeof(*system_con_info), fill_system);
}

static mcd_return_et qry_con(struct mcdcore_session *s, int fn,
                             const mcd_core_con_info_st *in, uint32_t start,
                             uint32_t *num, mcd_core_con_info_st *out)
{
    rec(fn, 0);
    fake_last.con_info = *in;
    /* As the real core: an empty field matches anything. */
    if (in->system[0] && strcmp(in->system, "fakesys") != 0) {
        return err(s, 0, MCD_ERR_PARAM, "fake: no system '%s'", in->system);
    }
    if (fn == MCDSHM_FN_QRY_DEVICES) {
        return page(s, 0, start, num, out, 1, sizeof(*out), fill_device);
    }
    return page(s, 0, start, num, out, FAKE_NCORES, sizeof(*out), fill_core);
}

mcd_return_et mcdcore_qry_devices(struct mcdcore_session *s,
                                  const mcd_core_con_info_st *system_con_info,
                                  uint32_t start_index, uint32_t *num_devices,
                                  mcd_core_con_info_st *device_con_info)
{
    return qry_con(s, MCDSHM_FN_QRY_DEVICES, system_con_info, start_index,
                   num_devices, device_con_info);
}

mcd_return_et mcdcore_qry_cores(struct mcdcore_session *s,
                                const mcd_core_con_info_st *connection_info,
                                uint32_t start_index, uint32_t *num_cores,
                                mcd_core_con_info_st *core_con_info)
{
    return qry_con(s, MCDSHM_FN_QRY_CORES, connection_info, start_index,
                   num_cores, core_con_info);
}

static void fill_mode(void *e, uint32_t i)
{
    mcd_core_mode_info_st *m = e;

    m->core_mode = (uint8_t)(i + 1);
    snprintf(m->name, sizeof(m->name), "mode%u", i + 1);
}

mcd_return_et mcdcore_qry_core_modes(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t start_index,
                                     uint32_t *num_modes,
                                     mcd_core_mode_info_st *core_mode_info)
{
    rec(MCDSHM_FN_QRY_CORE_MODES, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return page(s, core_uid, start_index, num_modes, core_mode_info, 2,
                sizeof(*core_mode_info), fill_mode);
}

mcd_return_et mcdcore_open_core(struct mcdcore_session *s,
                                const mcd_core_con_info_st *core_con_info,
                                uint32_t *core_uid, mcd_core_con_info_st *full)
{
    uint32_t i;

    rec(MCDSHM_FN_OPEN_CORE, 0);
    fake_last.con_info = *core_con_info;
    for (i = 0; i < FAKE_NCORES; i++) {
        char name[16];

        snprintf(name, sizeof(name), "core%u", i);
        if (strcmp(core_con_info->core, name) == 0) {
            memset(full, 0, sizeof(*full));
            fill_con(full, 2, i);
            *core_uid = i + 1;
            s->open |= 1u << i;
            return ok(s, 0);
        }
    }
    return err(s, 0, MCD_ERR_PARAM, "fake: no core named '%s'",
               core_con_info->core);
}

mcd_return_et mcdcore_close_core(struct mcdcore_session *s, uint32_t core_uid)
{
    rec(MCDSHM_FN_CLOSE_CORE, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    s->open &= ~(1u << (core_uid - 1));
    return ok(s, core_uid);
}

void mcdcore_qry_error_info(struct mcdcore_session *s, uint32_t core_uid,
                            mcd_error_info_st *error_info)
{
    /* Not recorded: the dispatcher calls it after every failure. */
    *error_info = *slot(s, core_uid);
}

mcd_return_et mcdcore_qry_device_description(struct mcdcore_session *s,
                                             uint32_t core_uid, char *url,
                                             uint32_t *url_length)
{
    rec(MCDSHM_FN_QRY_DEVICE_DESCRIPTION, core_uid);
    fake_last.u32[0] = *url_length;
    fake_last.out_null = url == NULL;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (!url) {
        *url_length = sizeof(FAKE_URL);
    } else {
        if (*url_length > 0) {
            snprintf(url, *url_length, "%s", FAKE_URL);
        }
        *url_length = sizeof(FAKE_URL) - 1;
    }
    return ok(s, core_uid);
}

mcd_return_et mcdcore_qry_max_payload_size(struct mcdcore_session *s,
                                           uint32_t core_uid,
                                           uint32_t *max_payload)
{
    rec(MCDSHM_FN_QRY_MAX_PAYLOAD_SIZE, core_uid);
    *max_payload = 1u << 20;
    return ok(s, core_uid);
}

mcd_return_et mcdcore_qry_input_handle(struct mcdcore_session *s,
                                       uint32_t core_uid,
                                       uint32_t *input_handle)
{
    rec(MCDSHM_FN_QRY_INPUT_HANDLE, core_uid);
    *input_handle = UINT32_MAX;
    return ok(s, core_uid);
}

/* ------------------------------------------------------------------------
 * Memory and registers
 */

static void fill_space(void *e, uint32_t i)
{
    mcd_memspace_st *m = e;

    m->mem_space_id = i + 1;
    snprintf(m->mem_space_name, sizeof(m->mem_space_name), "space%u", i + 1);
    m->bits_per_mau = 8;
    m->endian = MCD_ENDIAN_LITTLE;
    m->max_addr = UINT32_MAX;
}

mcd_return_et mcdcore_qry_mem_spaces(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t start_index,
                                     uint32_t *num_mem_spaces,
                                     mcd_memspace_st *mem_spaces)
{
    rec(MCDSHM_FN_QRY_MEM_SPACES, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return page(s, core_uid, start_index, num_mem_spaces, mem_spaces, 3,
                sizeof(*mem_spaces), fill_space);
}

static void fill_block(void *e, uint32_t i)
{
    mcd_memblock_st *b = e;

    b->mem_block_id = i + 1;
    snprintf(b->mem_block_name, sizeof(b->mem_block_name), "block%u", i + 1);
    b->start_addr = (uint64_t)i << 20;
    b->end_addr = ((uint64_t)(i + 1) << 20) - 1;
}

mcd_return_et mcdcore_qry_mem_blocks(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t mem_space_id,
                                     uint32_t start_index,
                                     uint32_t *num_mem_blocks,
                                     mcd_memblock_st *mem_blocks)
{
    rec(MCDSHM_FN_QRY_MEM_BLOCKS, core_uid);
    fake_last.id = mem_space_id;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (mem_space_id == 0 || mem_space_id > 3) {
        return err(s, core_uid, MCD_ERR_MEM_SPACE_ID,
                   "fake: no memory space %u", mem_space_id);
    }
    return page(s, core_uid, start_index, num_mem_blocks, mem_blocks, 4,
                sizeof(*mem_blocks), fill_block);
}

static void fill_overlay(void *e, uint32_t i)
{
    *(uint32_t *)e = 7 + i;
}

mcd_return_et mcdcore_qry_active_overlays(struct mcdcore_session *s,
                                          uint32_t core_uid,
                                          uint32_t start_index,
                                          uint32_t *num_active_overlays,
                                          uint32_t *active_overlays)
{
    rec(MCDSHM_FN_QRY_ACTIVE_OVERLAYS, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return page(s, core_uid, start_index, num_active_overlays, active_overlays,
                2, sizeof(uint32_t), fill_overlay);
}

static void fill_group(void *e, uint32_t i)
{
    mcd_register_group_st *g = e;

    g->reg_group_id = i + 1;
    strcpy(g->reg_group_name, i == 0 ? "gpr" : "csr");
    g->n_registers = i == 0 ? 32 : 4096;
}

mcd_return_et mcdcore_qry_reg_groups(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t start_index,
                                     uint32_t *num_reg_groups,
                                     mcd_register_group_st *reg_groups)
{
    rec(MCDSHM_FN_QRY_REG_GROUPS, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return page(s, core_uid, start_index, num_reg_groups, reg_groups, 2,
                sizeof(*reg_groups), fill_group);
}

static void fill_reg(void *e, uint32_t i)
{
    mcd_register_info_st *r = e;

    r->addr.address = (uint64_t)i * 8;
    r->addr.mem_space_id = 2;
    r->reg_group_id = 1;
    snprintf(r->regname, sizeof(r->regname), "r%u", i);
    r->regsize = 64;
}

mcd_return_et mcdcore_qry_reg_map(struct mcdcore_session *s, uint32_t core_uid,
                                  uint32_t reg_group_id, uint32_t start_index,
                                  uint32_t *num_regs,
                                  mcd_register_info_st *reg_info)
{
    rec(MCDSHM_FN_QRY_REG_MAP, core_uid);
    fake_last.id = reg_group_id;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (reg_group_id > 2) {
        return err(s, core_uid, MCD_ERR_REG_GROUP_ID,
                   "fake: no register group %u", reg_group_id);
    }
    return page(s, core_uid, start_index, num_regs, reg_info, fake_regs,
                sizeof(*reg_info), fill_reg);
}

static void fill_component(void *e, uint32_t i)
{
    *(uint32_t *)e = i + 1;
}

mcd_return_et
mcdcore_qry_reg_compound(struct mcdcore_session *s, uint32_t core_uid,
                         uint32_t compound_reg_id, uint32_t start_index,
                         uint32_t *num_reg_ids, uint32_t *reg_id_array)
{
    rec(MCDSHM_FN_QRY_REG_COMPOUND, core_uid);
    fake_last.id = compound_reg_id;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (compound_reg_id != COMPOUND_REG) {
        return err(s, core_uid, MCD_ERR_REG_NOT_COMPOUND,
                   "fake: register %u is not compound", compound_reg_id);
    }
    return page(s, core_uid, start_index, num_reg_ids, reg_id_array, 3,
                sizeof(uint32_t), fill_component);
}

/* ------------------------------------------------------------------------
 * Triggers
 */

mcd_return_et mcdcore_qry_trig_info(struct mcdcore_session *s,
                                    uint32_t core_uid,
                                    mcd_trig_info_st *trig_info)
{
    rec(MCDSHM_FN_QRY_TRIG_INFO, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    trig_info->type = MCD_TRIG_TYPE_IP | MCD_TRIG_TYPE_READ |
                      MCD_TRIG_TYPE_WRITE | MCD_TRIG_TYPE_COUNTER;
    trig_info->option = MCD_TRIG_OPT_IMPL_HARDWARE;
    trig_info->action = MCD_TRIG_ACTION_DBG_DEBUG;
    trig_info->trig_number = MAX_TRIGS;
    trig_info->sw_breakpoints = TRUE;
    return ok(s, core_uid);
}

static void fill_ctrig(void *e, uint32_t i)
{
    mcd_ctrig_info_st *ct = e;

    ct->ctrig_id = i + 1;
    snprintf(ct->info_str, sizeof(ct->info_str), "ctrig%u", i + 1);
}

mcd_return_et mcdcore_qry_ctrigs(struct mcdcore_session *s, uint32_t core_uid,
                                 uint32_t start_index, uint32_t *num_ctrigs,
                                 mcd_ctrig_info_st *ctrig_info)
{
    rec(MCDSHM_FN_QRY_CTRIGS, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return page(s, core_uid, start_index, num_ctrigs, ctrig_info, 2,
                sizeof(*ctrig_info), fill_ctrig);
}

/* Simple and complex triggers over 4 KiB are approximated. */
static void approximate(uint8_t *raw, uint32_t size)
{
    mcd_trig_simple_core_st *t = (mcd_trig_simple_core_st *)raw;

    if ((size == sizeof(mcd_trig_simple_core_st) ||
         size == sizeof(mcd_trig_complex_core_st)) &&
        t->addr_range > 0x1000) {
        t->addr_range = 0x1000;
        t->modified = TRUE;
    }
}

mcd_return_et mcdcore_create_trig(struct mcdcore_session *s, uint32_t core_uid,
                                  void *trig, uint32_t *trig_id)
{
    struct fake_trig *t;
    uint32_t size;

    rec(MCDSHM_FN_CREATE_TRIG, core_uid);
    memcpy(&size, trig, sizeof(size));
    memcpy(fake_last.trig, trig, size <= 112 ? size : 112);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (s->ntrig == MAX_TRIGS) {
        return err(s, core_uid, MCD_ERR_TRIG_CREATE,
                   "fake: all %u triggers are in use", MAX_TRIGS);
    }
    approximate(trig, size);
    t = &s->trig[s->ntrig++];
    t->id = s->next_trig++;
    t->size = size;
    memcpy(t->raw, trig, size);
    *trig_id = t->id;
    return ok(s, core_uid);
}

static struct fake_trig *find_trig(struct mcdcore_session *s, uint32_t id)
{
    uint32_t i;

    for (i = 0; i < s->ntrig; i++) {
        if (s->trig[i].id == id) {
            return &s->trig[i];
        }
    }
    return NULL;
}

mcd_return_et mcdcore_qry_trig(struct mcdcore_session *s, uint32_t core_uid,
                               uint32_t trig_id, uint32_t max_trig_size,
                               void *trig)
{
    struct fake_trig *t;

    rec(MCDSHM_FN_QRY_TRIG, core_uid);
    fake_last.id = trig_id;
    fake_last.u32[0] = max_trig_size;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    t = find_trig(s, trig_id);
    if (!t) {
        return err(s, core_uid, MCD_ERR_TRIG_ACCESS, "fake: no trigger %u",
                   trig_id);
    }
    if (max_trig_size < t->size) {
        return err(s, core_uid, MCD_ERR_RESULT_TOO_LONG,
                   "fake: trigger %u needs %u bytes, buffer has %u", trig_id,
                   t->size, max_trig_size);
    }
    memcpy(trig, t->raw, t->size);
    return ok(s, core_uid);
}

mcd_return_et mcdcore_remove_trig(struct mcdcore_session *s, uint32_t core_uid,
                                  uint32_t trig_id)
{
    struct fake_trig *t;

    rec(MCDSHM_FN_REMOVE_TRIG, core_uid);
    fake_last.id = trig_id;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    t = find_trig(s, trig_id);
    if (!t) {
        return err(s, core_uid, MCD_ERR_TRIG_ACCESS, "fake: no trigger %u",
                   trig_id);
    }
    *t = s->trig[--s->ntrig];
    return ok(s, core_uid);
}

mcd_return_et mcdcore_qry_trig_state(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t trig_id,
                                     mcd_trig_state_st *trig_state)
{
    rec(MCDSHM_FN_QRY_TRIG_STATE, core_uid);
    fake_last.id = trig_id;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (!find_trig(s, trig_id)) {
        return err(s, core_uid, MCD_ERR_TRIG_ACCESS, "fake: no trigger %u",
                   trig_id);
    }
    trig_state->active = TRUE;
    trig_state->captured = TRUE;
    trig_state->captured_valid = TRUE;
    trig_state->count_value = 42;
    trig_state->count_valid = TRUE;
    return ok(s, core_uid);
}

mcd_return_et mcdcore_activate_trig_set(struct mcdcore_session *s,
                                        uint32_t core_uid)
{
    rec(MCDSHM_FN_ACTIVATE_TRIG_SET, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return ok(s, core_uid);
}

mcd_return_et mcdcore_remove_trig_set(struct mcdcore_session *s,
                                      uint32_t core_uid)
{
    rec(MCDSHM_FN_REMOVE_TRIG_SET, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    s->ntrig = 0;
    return ok(s, core_uid);
}

static struct mcdcore_session *trig_set_session;

static void fill_trig_id(void *e, uint32_t i)
{
    *(uint32_t *)e = trig_set_session->trig[i].id;
}

mcd_return_et mcdcore_qry_trig_set(struct mcdcore_session *s, uint32_t core_uid,
                                   uint32_t start_index, uint32_t *num_trigs,
                                   uint32_t *trig_ids)
{
    rec(MCDSHM_FN_QRY_TRIG_SET, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    trig_set_session = s;
    return page(s, core_uid, start_index, num_trigs, trig_ids, s->ntrig,
                sizeof(uint32_t), fill_trig_id);
}

mcd_return_et mcdcore_qry_trig_set_state(struct mcdcore_session *s,
                                         uint32_t core_uid,
                                         mcd_trig_set_state_st *trig_state)
{
    rec(MCDSHM_FN_QRY_TRIG_SET_STATE, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    trig_state->active = TRUE;
    trig_state->state = 2;
    trig_state->state_valid = TRUE;
    trig_state->trig_bus = 5;
    trig_state->trig_bus_valid = TRUE;
    trig_state->trace = TRUE;
    trig_state->trace_valid = TRUE;
    trig_state->analysis_valid = TRUE;
    return ok(s, core_uid);
}

/* ------------------------------------------------------------------------
 * Transactions
 */

static uint64_t byte_addr(const mcd_tx_st *tx, uint32_t i)
{
    return (tx->options & MCD_TX_OPT_NOINCREMENT) ? tx->addr.address
                                                  : tx->addr.address + i;
}

/* Run one transaction; 0, or -1 with the error recorded. */
static int access1(struct mcdcore_session *s, uint32_t uid, mcd_tx_st *tx)
{
    bool rd = tx->access_type != MCD_TX_AT_W;
    bool wr = tx->access_type != MCD_TX_AT_R;
    uint32_t i;

    for (i = 0; i < tx->num_bytes; i++) {
        uint64_t a = byte_addr(tx, i);

        if (a == fake_fail_addr) {
            tx->num_bytes_ok = i;
            err(s, uid, rd ? MCD_ERR_TXLIST_READ : MCD_ERR_TXLIST_WRITE,
                "fake: %s failed at 0x%" PRIx64, rd ? "read" : "write", a);
            return -1;
        }
        if (wr) {
            fake_written++;
            fake_written_bad += tx->data[i] != fake_pattern(a);
        }
        if (rd) {
            tx->data[i] = fake_pattern(a);
        }
    }
    tx->num_bytes_ok = tx->num_bytes;
    return 0;
}

mcd_return_et mcdcore_execute_txlist(struct mcdcore_session *s,
                                     uint32_t core_uid, mcd_txlist_st *txlist)
{
    uint32_t i;

    rec(MCDSHM_FN_EXECUTE_TXLIST, core_uid);
    fake_txlists++;
    fake_last.num_tx = txlist->num_tx;
    memcpy(fake_last.tx, txlist->tx,
           (txlist->num_tx < 64 ? txlist->num_tx : 64) * sizeof(mcd_tx_st));
    txlist->num_tx_ok = 0;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    for (i = 0; i < txlist->num_tx; i++) {
        if (access1(s, core_uid, &txlist->tx[i]) < 0) {
            return MCD_RET_ACT_HANDLE_ERROR;
        }
        txlist->num_tx_ok = i + 1;
    }
    return ok(s, core_uid);
}

/* ------------------------------------------------------------------------
 * Execution control
 */

static mcd_return_et flag_call(struct mcdcore_session *s, int fn,
                               uint32_t core_uid, mcd_bool_t flag)
{
    rec(fn, core_uid);
    fake_last.u32[0] = flag;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return ok(s, core_uid);
}

mcd_return_et mcdcore_run(struct mcdcore_session *s, uint32_t core_uid,
                          mcd_bool_t global)
{
    return flag_call(s, MCDSHM_FN_RUN, core_uid, global);
}

mcd_return_et mcdcore_stop(struct mcdcore_session *s, uint32_t core_uid,
                           mcd_bool_t global)
{
    return flag_call(s, MCDSHM_FN_STOP, core_uid, global);
}

mcd_return_et mcdcore_set_global(struct mcdcore_session *s, uint32_t core_uid,
                                 mcd_bool_t enable)
{
    return flag_call(s, MCDSHM_FN_SET_GLOBAL, core_uid, enable);
}

mcd_return_et mcdcore_run_until(struct mcdcore_session *s, uint32_t core_uid,
                                mcd_bool_t global, mcd_bool_t absolute_time,
                                uint64_t run_until_time)
{
    rec(MCDSHM_FN_RUN_UNTIL, core_uid);
    fake_last.u32[0] = global;
    fake_last.u32[1] = absolute_time;
    fake_last.u64 = run_until_time;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return ok(s, core_uid);
}

mcd_return_et mcdcore_qry_current_time(struct mcdcore_session *s,
                                       uint32_t core_uid,
                                       uint64_t *current_time)
{
    rec(MCDSHM_FN_QRY_CURRENT_TIME, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    *current_time = 123456789000ull;
    return ok(s, core_uid);
}

mcd_return_et mcdcore_step(struct mcdcore_session *s, uint32_t core_uid,
                           mcd_bool_t global, mcd_core_step_type_et step_type,
                           uint32_t n_steps)
{
    rec(MCDSHM_FN_STEP, core_uid);
    fake_last.u32[0] = global;
    fake_last.u32[1] = step_type;
    fake_last.u32[2] = n_steps;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return ok(s, core_uid);
}

mcd_return_et mcdcore_qry_state(struct mcdcore_session *s, uint32_t core_uid,
                                mcd_core_state_st *state)
{
    rec(MCDSHM_FN_QRY_STATE, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    state->state = MCD_CORE_STATE_DEBUG;
    state->event = MCD_CORE_EVENT_STOPPED;
    state->trig_id = 3;
    strcpy(state->stop_str, "breakpoint");
    strcpy(state->info_str, "fake");
    return ok(s, core_uid);
}

/* Run a test command; its result text in @out. */
static mcd_return_et command(struct mcdcore_session *s, uint32_t uid,
                             const char *cmd, char *out, size_t size)
{
    unsigned long long v;

    if (sscanf(cmd, "sleep %llu", &v) == 1) {
        usleep((useconds_t)v * 1000);
        snprintf(out, size, "slept %llu ms", v);
    } else if (strcmp(cmd, "fail-at none") == 0) {
        fake_fail_addr = FAKE_NO_FAIL;
        snprintf(out, size, "fail-at none");
    } else if (sscanf(cmd, "fail-at %llx", &v) == 1) {
        fake_fail_addr = v;
        snprintf(out, size, "fail-at 0x%llx", v);
    } else if (sscanf(cmd, "regs %llu", &v) == 1) {
        fake_regs = (uint32_t)v;
        snprintf(out, size, "regs %u", fake_regs);
    } else if (strcmp(cmd, "wstat") == 0) {
        snprintf(out, size, "written %" PRIu64 " bad %" PRIu64, fake_written,
                 fake_written_bad);
    } else if (strcmp(cmd, "stats") == 0) {
        snprintf(out, size, "txlists %u backlog %u", fake_txlists,
                 fake_backlog);
        fake_txlists = fake_backlog = 0;
    } else if (strncmp(cmd, "echo ", 5) == 0) {
        snprintf(out, size, "%s", cmd + 5);
    } else if (strcmp(cmd, "long") == 0) {
        snprintf(out, size, "%0300d", 7);
    } else {
        return err(s, uid, MCD_ERR_GENERAL, "fake: unknown command '%s'", cmd);
    }
    return ok(s, uid);
}

mcd_return_et mcdcore_execute_command(struct mcdcore_session *s,
                                      uint32_t core_uid,
                                      const char *command_string,
                                      uint32_t result_string_size,
                                      char *result_string)
{
    char out[512] = "";
    mcd_return_et r;

    rec(MCDSHM_FN_EXECUTE_COMMAND, core_uid);
    rec_str(0, command_string);
    fake_last.u32[0] = result_string_size;
    fake_last.out_null = result_string == NULL;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (!command_string) {
        return err(s, core_uid, MCD_ERR_PARAM, "fake: no command");
    }
    r = command(s, core_uid, command_string, out, sizeof(out));
    if (result_string && result_string_size) {
        snprintf(result_string, result_string_size, "%s", out);
    }
    return r;
}

/* ------------------------------------------------------------------------
 * Reset
 */

mcd_return_et mcdcore_qry_rst_classes(struct mcdcore_session *s,
                                      uint32_t core_uid,
                                      uint32_t *rst_class_vector)
{
    rec(MCDSHM_FN_QRY_RST_CLASSES, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    *rst_class_vector = 0x3;
    return ok(s, core_uid);
}

mcd_return_et mcdcore_qry_rst_class_info(struct mcdcore_session *s,
                                         uint32_t core_uid, uint8_t rst_class,
                                         mcd_rst_info_st *rst_info)
{
    rec(MCDSHM_FN_QRY_RST_CLASS_INFO, core_uid);
    fake_last.id = rst_class;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (rst_class > 1) {
        return err(s, core_uid, MCD_ERR_PARAM, "fake: no reset class %u",
                   rst_class);
    }
    rst_info->class_vector = 1u << rst_class;
    strcpy(rst_info->info_str, rst_class == 0 ? "power-on" : "warm");
    return ok(s, core_uid);
}

mcd_return_et mcdcore_rst(struct mcdcore_session *s, uint32_t core_uid,
                          uint32_t rst_class_vector, mcd_bool_t rst_and_halt)
{
    rec(MCDSHM_FN_RST, core_uid);
    fake_last.u32[0] = rst_class_vector;
    fake_last.u32[1] = rst_and_halt;
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (rst_class_vector & ~0x3u) {
        return err(s, core_uid, MCD_ERR_PARAM,
                   "fake: reset classes 0x%x do not exist",
                   rst_class_vector & ~0x3u);
    }
    return ok(s, core_uid);
}

/* ------------------------------------------------------------------------
 * Channels: one channel, id 7, that echoes what was sent.
 */

mcd_return_et mcdcore_chl_open(struct mcdcore_session *s, uint32_t core_uid,
                               const mcd_core_con_info_st *con_info,
                               mcd_chl_st *channel)
{
    rec(MCDSHM_FN_CHL_OPEN, core_uid);
    fake_last.con_info = *con_info;
    fake_last.chl = *channel;
    if (core_uid && core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (channel->type < MCD_CHL_TYPE_COMMON ||
        channel->type > MCD_CHL_TYPE_APPLI) {
        return err(s, core_uid, MCD_ERR_CHL_TYPE_NOT_SUPPORTED,
                   "fake: channel type %u", channel->type);
    }
    channel->chl_id = FAKE_CHL_ID;
    if (channel->max_msg_len > 1024) {
        channel->max_msg_len = 1024;
    }
    return ok(s, core_uid);
}

static mcd_return_et chl_check(struct mcdcore_session *s, uint32_t uid,
                               uint32_t chl_id)
{
    fake_last.id = chl_id;
    if (chl_id != FAKE_CHL_ID) {
        return err(s, uid, MCD_ERR_CHL_MESSAGE_FAILED, "fake: no channel %u",
                   chl_id);
    }
    return ok(s, uid);
}

mcd_return_et mcdcore_send_msg(struct mcdcore_session *s, uint32_t core_uid,
                               uint32_t chl_id, uint32_t msg_len,
                               const uint8_t *msg)
{
    rec(MCDSHM_FN_SEND_MSG, core_uid);
    fake_last.u32[0] = msg_len;
    memcpy(fake_last.msg, msg, msg_len < 64 ? msg_len : 64);
    if (chl_check(s, core_uid, chl_id) != MCD_RET_ACT_NONE) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    s->msg_len = msg_len < FAKE_MSG_MAX ? msg_len : FAKE_MSG_MAX;
    memcpy(s->msg, msg, s->msg_len);
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore_receive_msg(struct mcdcore_session *s, uint32_t core_uid,
                                  uint32_t chl_id, uint32_t timeout,
                                  uint32_t *msg_len, uint8_t *msg)
{
    rec(MCDSHM_FN_RECEIVE_MSG, core_uid);
    fake_last.u32[0] = timeout;
    fake_last.u32[1] = *msg_len;
    if (chl_check(s, core_uid, chl_id) != MCD_RET_ACT_NONE) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (*msg_len > s->msg_len) {
        *msg_len = s->msg_len;
    }
    memcpy(msg, s->msg, *msg_len);
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore_chl_reset(struct mcdcore_session *s, uint32_t core_uid,
                                uint32_t chl_id)
{
    rec(MCDSHM_FN_CHL_RESET, core_uid);
    return chl_check(s, core_uid, chl_id);
}

mcd_return_et mcdcore_chl_close(struct mcdcore_session *s, uint32_t core_uid,
                                uint32_t chl_id)
{
    rec(MCDSHM_FN_CHL_CLOSE, core_uid);
    return chl_check(s, core_uid, chl_id);
}

/* ------------------------------------------------------------------------
 * Trace: one core trace, id 1, of FAKE_FRAMES frames.
 */

static void fill_trace(void *e, uint32_t i)
{
    mcd_trace_info_st *t = e;

    t->trace_id = i + 1;
    strcpy(t->trace_name, "fake-trace");
    t->trace_type = MCD_TRACE_TYPE_CORE;
    t->trace_format = MCD_TRACE_FORMAT_CORE_EXECUTE;
    t->trace_modes = MCD_TRACE_MODE_FIFO;
}

mcd_return_et mcdcore_qry_traces(struct mcdcore_session *s, uint32_t core_uid,
                                 uint32_t start_index, uint32_t *num_traces,
                                 mcd_trace_info_st *trace_info)
{
    rec(MCDSHM_FN_QRY_TRACES, core_uid);
    if (core_ok(s, core_uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    return page(s, core_uid, start_index, num_traces, trace_info, 1,
                sizeof(*trace_info), fill_trace);
}

static mcd_return_et trace_ok(struct mcdcore_session *s, uint32_t uid,
                              uint32_t trace_id)
{
    fake_last.id = trace_id;
    if (core_ok(s, uid) < 0) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (trace_id != 1) {
        return err(s, uid, MCD_ERR_PARAM, "fake: no trace %u", trace_id);
    }
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore_qry_trace_state(struct mcdcore_session *s,
                                      uint32_t core_uid, uint32_t trace_id,
                                      mcd_trace_state_st *state)
{
    rec(MCDSHM_FN_QRY_TRACE_STATE, core_uid);
    if (trace_ok(s, core_uid, trace_id) != MCD_RET_ACT_NONE) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    *state = s->trace;
    state->frames = FAKE_FRAMES;
    return ok(s, core_uid);
}

mcd_return_et mcdcore_set_trace_state(struct mcdcore_session *s,
                                      uint32_t core_uid, uint32_t trace_id,
                                      mcd_trace_state_st *state)
{
    rec(MCDSHM_FN_SET_TRACE_STATE, core_uid);
    fake_last.trace_state = *state;
    if (trace_ok(s, core_uid, trace_id) != MCD_RET_ACT_NONE) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    state->modified = FALSE;
    if (state->state == MCD_TRACE_STATE_INIT) {
        state->state = MCD_TRACE_STATE_OFF;
        state->modified = TRUE;
    }
    snprintf(state->info_str, sizeof(state->info_str), "set by fake");
    s->trace = *state;
    return ok(s, core_uid);
}

mcd_return_et mcdcore_read_trace(struct mcdcore_session *s, uint32_t core_uid,
                                 uint32_t trace_id, uint64_t start_index,
                                 uint32_t *num_frames, uint32_t trace_data_size,
                                 void *trace_data)
{
    mcd_trace_data_core_st *f = trace_data;
    uint32_t i, n;

    rec(MCDSHM_FN_READ_TRACE, core_uid);
    fake_last.u64 = start_index;
    fake_last.num = *num_frames;
    fake_last.u32[0] = trace_data_size;
    fake_last.out_null = trace_data == NULL;
    if (trace_ok(s, core_uid, trace_id) != MCD_RET_ACT_NONE) {
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (*num_frames == 0) {
        *num_frames = FAKE_FRAMES;
        return ok(s, core_uid);
    }
    if (trace_data_size != sizeof(*f)) {
        return err(s, core_uid, MCD_ERR_PARAM,
                   "fake: frames of trace 1 are %zu bytes, not %u", sizeof(*f),
                   trace_data_size);
    }
    if (start_index >= FAKE_FRAMES) {
        return err(s, core_uid, MCD_ERR_PARAM,
                   "fake: start_index %" PRIu64 " >= %u", start_index,
                   FAKE_FRAMES);
    }
    n = *num_frames < FAKE_FRAMES - start_index
            ? *num_frames
            : (uint32_t)(FAKE_FRAMES - start_index);
    for (i = 0; i < n; i++) {
        memset(&f[i], 0, sizeof(f[i]));
        f[i].timestamp = start_index + i;
        f[i].addr.address = (start_index + i) * 4;
        f[i].cycle = MCD_TRACE_CYCLE_EXECUTE;
    }
    *num_frames = n + fake_page_extra;
    return ok(s, core_uid);
}
