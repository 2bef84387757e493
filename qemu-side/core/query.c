/*
 * What a core offers, read from the target's description operations:
 * core modes, the device description, payload size and input handle,
 * memory spaces, memory blocks, overlays, register groups, the register
 * map and compound registers.  Paging is mcdcore__page_fill's; this file
 * only adds the ids' rules:
 *   - mem_space_id 0 is reserved (MCD_ERR_PARAM); an id the core does not
 *     have is MCD_ERR_MEM_SPACE_ID.
 *   - A target without register groups gets the implicit group 0 holding
 *     every register; qry_reg_map with group 0 lists every register
 *     always; any other group id must be one qry_reg_groups lists
 *     (MCD_ERR_REG_GROUP_ID).
 *   - No operation for overlays, compound registers or custom triggers
 *     exists, so the core has none: 0 overlays (valid), and compound ids
 *     are MCD_ERR_REG_NOT_COMPOUND.
 *
 * Threads: the session's thread; nothing here touches shared state, and
 * the description operations are called unlocked.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core_pvt.h"

static const struct mcdcore__list query_modes = {
    "core modes", "num_modes", "core_mode_info", sizeof(mcd_core_mode_info_st)
};
static const struct mcdcore__list query_spaces = {
    "memory spaces", "num_mem_spaces", "mem_spaces", sizeof(mcd_memspace_st)
};
static const struct mcdcore__list query_blocks = {
    "memory blocks", "num_mem_blocks", "mem_blocks", sizeof(mcd_memblock_st)
};
static const struct mcdcore__list query_overlays = { "active overlays",
                                                     "num_active_overlays",
                                                     "active_overlays",
                                                     sizeof(uint32_t) };
static const struct mcdcore__list query_groups = {
    "register groups", "num_reg_groups", "reg_groups",
    sizeof(mcd_register_group_st)
};
static const struct mcdcore__list query_regs = { "registers", "num_regs",
                                                 "reg_info",
                                                 sizeof(mcd_register_info_st) };

/* --- Fillers: one target operation each --- */

static uint32_t query_fill_modes(const struct mcdcore__call *cl,
                                 const void *arg, void *out, uint32_t max)
{
    const struct mcdcore *c = cl->c;

    (void)arg;
    if (!c->ops->core_modes) {
        return 0;
    }
    return c->ops->core_modes(c->t->opaque, cl->core, out, max);
}

static uint32_t query_fill_spaces(const struct mcdcore__call *cl,
                                  const void *arg, void *out, uint32_t max)
{
    (void)arg;
    return cl->c->ops->mem_spaces(cl->c->t->opaque, cl->core, out, max);
}

static uint32_t query_fill_blocks(const struct mcdcore__call *cl,
                                  const void *arg, void *out, uint32_t max)
{
    const struct mcdcore *c = cl->c;

    if (!c->ops->mem_blocks) {
        return 0;
    }
    return c->ops->mem_blocks(c->t->opaque, cl->core, *(const uint32_t *)arg,
                              out, max);
}

static uint32_t query_fill_groups(const struct mcdcore__call *cl,
                                  const void *arg, void *out, uint32_t max)
{
    (void)arg;
    return cl->c->ops->reg_groups(cl->c->t->opaque, cl->core, out, max);
}

static uint32_t query_fill_regs(const struct mcdcore__call *cl, const void *arg,
                                void *out, uint32_t max)
{
    return cl->c->ops->regs(cl->c->t->opaque, cl->core, *(const uint32_t *)arg,
                            out, max);
}

/* The implicit group 0 of a target without groups: every register. */
static uint32_t query_fill_group0(const struct mcdcore__call *cl,
                                  const void *arg, void *out, uint32_t max)
{
    static const uint32_t all = 0;
    mcd_register_group_st *g = out;

    (void)arg;
    if (max) {
        memset(g, 0, sizeof(*g));
        mcdcore__strlcpy(g->reg_group_name, "all registers",
                         sizeof(g->reg_group_name));
        g->n_registers = query_fill_regs(cl, &all, NULL, 0);
    }
    return 1;
}

int mcdcore__spaces(const struct mcdcore__call *cl, mcd_memspace_st **out,
                    uint32_t *n)
{
    uint32_t total = query_fill_spaces(cl, NULL, NULL, 0);

    *out = calloc(total ? total : 1, sizeof(**out));
    if (!*out) {
        return -ENOMEM;
    }
    *n = query_fill_spaces(cl, NULL, *out, total);
    *n = *n < total ? *n : total;
    return 0;
}

/* --- Core connection extras --- */

mcd_return_et mcdcore_qry_core_modes(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t start_index,
                                     uint32_t *num_modes,
                                     mcd_core_mode_info_st *core_mode_info)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    return mcdcore__page_fill(&cl, &query_modes, query_fill_modes, NULL,
                              start_index, num_modes, core_mode_info);
}

/* *url_length: in the room at @url; out the URL's length without NUL, or
 * with @url NULL the room it needs.  A URL that does not fit is cut and
 * left unterminated, as the API prescribes. */
mcd_return_et mcdcore_qry_device_description(struct mcdcore_session *s,
                                             uint32_t core_uid, char *url,
                                             uint32_t *url_length)
{
    struct mcdshm_status st = { 0 };
    char buf[MCDCORE__URL_LEN] = "";
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t len;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!url_length) {
        return mcdcore__null(&cl, "url_length");
    }
    if (!cl.c->ops->device_description) {
        return mcdcore__error(&cl, MCD_ERR_GENERAL,
                              "%s has no device description", cl.c->t->system);
    }
    if (cl.c->ops->device_description(cl.c->t->opaque, cl.core, buf,
                                      sizeof(buf), &st)) {
        return mcdcore__target_error(&cl, &st);
    }
    len = (uint32_t)strnlen(buf, sizeof(buf) - 1);
    if (!url) {
        *url_length = len + 1;
        return mcdcore__ok(&cl);
    }
    memcpy(url, buf, len < *url_length ? len : *url_length);
    if (len < *url_length) {
        url[len] = '\0';
    }
    *url_length = len;
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_qry_max_payload_size(struct mcdcore_session *s,
                                           uint32_t core_uid,
                                           uint32_t *max_payload)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!max_payload) {
        return mcdcore__null(&cl, "max_payload");
    }
    *max_payload = MCDCORE__MAX_PAYLOAD;
    return mcdcore__ok(&cl);
}

/* The handle lives in the debugger's process; the client library answers
 * this itself.  The core has none to offer. */
mcd_return_et mcdcore_qry_input_handle(struct mcdcore_session *s,
                                       uint32_t core_uid,
                                       uint32_t *input_handle)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!input_handle) {
        return mcdcore__null(&cl, "input_handle");
    }
    *input_handle = 0xFFFFFFFFu;
    return mcdcore__ok(&cl);
}

/* --- Memory --- */

mcd_return_et mcdcore_qry_mem_spaces(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t start_index,
                                     uint32_t *num_mem_spaces,
                                     mcd_memspace_st *mem_spaces)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    return mcdcore__page_fill(&cl, &query_spaces, query_fill_spaces, NULL,
                              start_index, num_mem_spaces, mem_spaces);
}

/* @id must be a memory space of cl's core. */
static mcd_return_et query_check_space(struct mcdcore__call *cl, uint32_t id)
{
    mcd_memspace_st *sp;
    uint32_t i, n;
    bool found = false;

    if (!id) {
        return mcdcore__error(cl, MCD_ERR_PARAM, "mem_space_id 0 is reserved");
    }
    if (mcdcore__spaces(cl, &sp, &n)) {
        return mcdcore__error(cl, MCD_ERR_GENERAL,
                              "out of memory listing memory spaces");
    }
    for (i = 0; i < n && !found; i++) {
        found = sp[i].mem_space_id == id;
    }
    free(sp);
    if (!found) {
        return mcdcore__error(cl, MCD_ERR_MEM_SPACE_ID,
                              "mem_space_id %" PRIu32
                              " is not a memory space of core %s",
                              id, mcdcore__core_name(cl->c, cl->core));
    }
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore_qry_mem_blocks(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t mem_space_id,
                                     uint32_t start_index,
                                     uint32_t *num_mem_blocks,
                                     mcd_memblock_st *mem_blocks)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret == MCD_RET_ACT_NONE) {
        ret = query_check_space(&cl, mem_space_id);
    }
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    return mcdcore__page_fill(&cl, &query_blocks, query_fill_blocks,
                              &mem_space_id, start_index, num_mem_blocks,
                              mem_blocks);
}

mcd_return_et mcdcore_qry_active_overlays(struct mcdcore_session *s,
                                          uint32_t core_uid,
                                          uint32_t start_index,
                                          uint32_t *num_active_overlays,
                                          uint32_t *active_overlays)
{
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t n;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret == MCD_RET_ACT_NONE) {
        ret = mcdcore__page(&cl, &query_overlays, 0, start_index,
                            num_active_overlays, active_overlays, &n);
    }
    return ret != MCD_RET_ACT_NONE ? ret : mcdcore__ok(&cl);
}

/* --- Registers --- */

mcd_return_et mcdcore_qry_reg_groups(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t start_index,
                                     uint32_t *num_reg_groups,
                                     mcd_register_group_st *reg_groups)
{
    struct mcdcore__call cl;
    mcd_return_et ret;
    mcdcore__fill_fn fill = query_fill_groups;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!query_fill_groups(&cl, NULL, NULL, 0)) {
        fill = query_fill_group0;
    }
    return mcdcore__page_fill(&cl, &query_groups, fill, NULL, start_index,
                              num_reg_groups, reg_groups);
}

/* @id must be 0 (every register) or a group qry_reg_groups lists. */
static mcd_return_et query_check_group(struct mcdcore__call *cl, uint32_t id)
{
    mcd_register_group_st *g;
    bool found = false;
    uint32_t i, n;

    if (!id) {
        return MCD_RET_ACT_NONE;
    }
    n = query_fill_groups(cl, NULL, NULL, 0);
    g = calloc(n ? n : 1, sizeof(*g));
    if (!g) {
        return mcdcore__error(cl, MCD_ERR_GENERAL,
                              "out of memory listing register groups");
    }
    n = query_fill_groups(cl, NULL, g, n);
    for (i = 0; i < n && !found; i++) {
        found = g[i].reg_group_id == id;
    }
    free(g);
    if (!found) {
        return mcdcore__error(cl, MCD_ERR_REG_GROUP_ID,
                              "reg_group_id %" PRIu32
                              " is not a register group of core %s",
                              id, mcdcore__core_name(cl->c, cl->core));
    }
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore_qry_reg_map(struct mcdcore_session *s, uint32_t core_uid,
                                  uint32_t reg_group_id, uint32_t start_index,
                                  uint32_t *num_regs,
                                  mcd_register_info_st *reg_info)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret == MCD_RET_ACT_NONE) {
        ret = query_check_group(&cl, reg_group_id);
    }
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    return mcdcore__page_fill(&cl, &query_regs, query_fill_regs, &reg_group_id,
                              start_index, num_regs, reg_info);
}

mcd_return_et
mcdcore_qry_reg_compound(struct mcdcore_session *s, uint32_t core_uid,
                         uint32_t compound_reg_id, uint32_t start_index,
                         uint32_t *num_reg_ids, uint32_t *reg_id_array)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    (void)start_index;
    (void)num_reg_ids;
    (void)reg_id_array;
    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    return mcdcore__error(&cl, MCD_ERR_REG_NOT_COMPOUND,
                          "register %" PRIu32 " is not a compound register: "
                          "%s has no compound registers",
                          compound_reg_id, cl.c->t->system);
}
