/*
 * conf_query.c - conformance of what a core describes about itself: core
 * modes, the device description URL, the payload limit, the input handle,
 * memory spaces and blocks, active overlays, register groups, the register
 * map (group 0 = every register) and compound registers.
 *
 * Every list goes through conf_check_list(), which proves the
 * count-then-fetch rules; the checks here are about the entries: ids
 * nonzero and unique, names set, counts that agree with each other.
 * Structures with implicit holes are compared field by field, since a
 * library need not copy the padding alike twice.  Each test runs in its
 * own process with its own session (conf.h).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

/* A core and an id (memory space, register group, register). */
struct q_ctx {
    const mcd_core_st *core;
    uint32_t id;
};

static bool named(const char *s, size_t size)
{
    return memchr(s, '\0', size) && s[0];
}

/* ------------------------------------------------------------------------
 * Fetchers and comparisons for conf_check_list()
 */

static mcd_return_et fetch_modes(void *ctx, uint32_t start, uint32_t *num,
                                 void *out)
{
    return conf.api.qry_core_modes(((struct q_ctx *)ctx)->core, start, num,
                                   out);
}

static mcd_return_et fetch_spaces(void *ctx, uint32_t start, uint32_t *num,
                                  void *out)
{
    return conf.api.qry_mem_spaces(((struct q_ctx *)ctx)->core, start, num,
                                   out);
}

static mcd_return_et fetch_blocks(void *ctx, uint32_t start, uint32_t *num,
                                  void *out)
{
    struct q_ctx *q = ctx;

    return conf.api.qry_mem_blocks(q->core, q->id, start, num, out);
}

static mcd_return_et fetch_overlays(void *ctx, uint32_t start, uint32_t *num,
                                    void *out)
{
    return conf.api.qry_active_overlays(((struct q_ctx *)ctx)->core, start, num,
                                        out);
}

static mcd_return_et fetch_groups(void *ctx, uint32_t start, uint32_t *num,
                                  void *out)
{
    return conf.api.qry_reg_groups(((struct q_ctx *)ctx)->core, start, num,
                                   out);
}

static mcd_return_et fetch_regs(void *ctx, uint32_t start, uint32_t *num,
                                void *out)
{
    struct q_ctx *q = ctx;

    return conf.api.qry_reg_map(q->core, q->id, start, num, out);
}

static mcd_return_et fetch_compound(void *ctx, uint32_t start, uint32_t *num,
                                    void *out)
{
    struct q_ctx *q = ctx;

    return conf.api.qry_reg_compound(q->core, q->id, start, num, out);
}

static int cmp_space(const void *pa, const void *pb)
{
    const mcd_memspace_st *a = pa, *b = pb;

    return a->mem_space_id != b->mem_space_id ||
           strcmp(a->mem_space_name, b->mem_space_name) ||
           a->mem_type != b->mem_type || a->bits_per_mau != b->bits_per_mau ||
           a->invariance != b->invariance || a->endian != b->endian ||
           a->min_addr != b->min_addr || a->max_addr != b->max_addr ||
           a->num_mem_blocks != b->num_mem_blocks ||
           a->supported_access_options != b->supported_access_options ||
           a->core_mode_mask_read != b->core_mode_mask_read ||
           a->core_mode_mask_write != b->core_mode_mask_write;
}

static int cmp_block(const void *pa, const void *pb)
{
    const mcd_memblock_st *a = pa, *b = pb;

    return a->mem_block_id != b->mem_block_id ||
           strcmp(a->mem_block_name, b->mem_block_name) ||
           a->has_children != b->has_children || a->parent_id != b->parent_id ||
           a->start_addr != b->start_addr || a->end_addr != b->end_addr ||
           a->endian != b->endian ||
           memcmp(a->supported_au_sizes, b->supported_au_sizes,
                  sizeof(a->supported_au_sizes)) ||
           a->supported_access_options != b->supported_access_options ||
           a->core_mode_mask_read != b->core_mode_mask_read ||
           a->core_mode_mask_write != b->core_mode_mask_write;
}

static bool same_addr(const mcd_addr_st *a, const mcd_addr_st *b)
{
    return a->address == b->address && a->mem_space_id == b->mem_space_id &&
           a->addr_space_id == b->addr_space_id &&
           a->addr_space_type == b->addr_space_type;
}

static int cmp_reg(const void *pa, const void *pb)
{
    const mcd_register_info_st *a = pa, *b = pb;

    return !same_addr(&a->addr, &b->addr) ||
           a->reg_group_id != b->reg_group_id ||
           strcmp(a->regname, b->regname) || a->regsize != b->regsize ||
           a->core_mode_mask_read != b->core_mode_mask_read ||
           a->core_mode_mask_write != b->core_mode_mask_write ||
           a->has_side_effects_read != b->has_side_effects_read ||
           a->has_side_effects_write != b->has_side_effects_write ||
           a->reg_type != b->reg_type || a->hw_thread_id != b->hw_thread_id;
}

/* ------------------------------------------------------------------------
 * Core connection extras
 */

Test(query, core_modes_count_then_fetch, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    struct q_ctx q = { CORE(0), 0 };
    struct conf_list l = {
        .what = "mcd_qry_core_modes_f",
        .core = CORE(0),
        .fetch = fetch_modes,
        .ctx = &q,
        .size = sizeof(mcd_core_mode_info_st),
    };
    mcd_core_mode_info_st *m;
    uint32_t k, n;

    m = conf_check_list(&l, &n);
    for (k = 0; k < n; k++) {
        cr_assert(m[k].core_mode >= 1 && m[k].core_mode <= 32,
                  "core mode %u has number %u, not 1..32", k, m[k].core_mode);
        cr_assert(memchr(m[k].name, '\0', sizeof(m[k].name)),
                  "core mode %u: name not NUL-terminated", m[k].core_mode);
    }
    free(m);
}

Test(query, device_description_sizes, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint32_t need = 0, len;
    char *url;

    conf_require(CAP_DEVICE_DESCRIPTION);
    CHECK_MCD(CORE(0), conf.api.qry_device_description(CORE(0), NULL, &need));
    cr_assert(need >= 2 && need <= 65536,
              "with url NULL, url_length should be the size needed with "
              "the NUL; it is %u",
              need);
    url = malloc(need + 1);
    cr_assert(url, "out of memory");
    memset(url, 0x7f, need + 1);
    len = need;
    CHECK_MCD(CORE(0), conf.api.qry_device_description(CORE(0), url, &len));
    cr_assert(len == need - 1,
              "url_length out is %u; the URL without its NUL should be %u", len,
              need - 1);
    cr_assert(strnlen(url, need) == need - 1 && url[need] == 0x7f,
              "the URL has %zu characters, %u announced", strnlen(url, need),
              need - 1);
    cr_assert(strstr(url, "://"), "\"%s\" is not a URL", url);
    free(url);
}

Test(query, max_payload_size, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint32_t max = conf_max_payload(0);

    cr_assert(max >= MCD_GUARANTEED_MIN_PAYLOAD && max >= CONF_MIN_PAYLOAD,
              "max payload %u bytes; MCD requires %u, mcdshm promises %u", max,
              MCD_GUARANTEED_MIN_PAYLOAD, CONF_MIN_PAYLOAD);
}

Test(query, input_handle, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint32_t h = 0;

    CHECK_MCD(CORE(0), conf.api.qry_input_handle(CORE(0), &h));
    if (h != 0xffffffffu) {
        cr_assert(h <= 0x7fffffff && fcntl((int)h, F_GETFD) != -1,
                  "input handle %u is neither 0xFFFFFFFF (none) nor an "
                  "open descriptor of this process",
                  h);
    }
}

/* ------------------------------------------------------------------------
 * Memory spaces, blocks, overlays
 */

/* The block ids are nonzero and unique; parents exist; ranges sane. */
static void check_blocks_of(const mcd_memspace_st *sp, const mcd_memblock_st *b,
                            uint32_t n)
{
    uint32_t j, k;
    bool parent_ok;

    for (k = 0; k < n; k++) {
        cr_assert(b[k].mem_block_id != 0 &&
                      named(b[k].mem_block_name, sizeof(b[k].mem_block_name)),
                  "space \"%s\": block %u has id 0 or no name",
                  sp->mem_space_name, k);
        cr_assert(b[k].start_addr <= b[k].end_addr,
                  "block \"%s\" starts after it ends", b[k].mem_block_name);
        parent_ok = b[k].parent_id == MCD_MEM_BLOCK_NOPARENT;
        for (j = 0; j < n; j++) {
            cr_assert(j == k || b[j].mem_block_id != b[k].mem_block_id,
                      "space \"%s\": two blocks have id %u", sp->mem_space_name,
                      b[k].mem_block_id);
            parent_ok |= b[j].mem_block_id == b[k].parent_id;
        }
        cr_assert(parent_ok, "block \"%s\": parent %u is not listed",
                  b[k].mem_block_name, b[k].parent_id);
    }
}

static void check_blocks(const mcd_memspace_st *sp)
{
    struct q_ctx q = { CORE(0), sp->mem_space_id };
    struct conf_list l = {
        .what = "mcd_qry_mem_blocks_f",
        .core = CORE(0),
        .fetch = fetch_blocks,
        .ctx = &q,
        .size = sizeof(mcd_memblock_st),
        .cmp = cmp_block,
    };
    mcd_memblock_st *b;
    mcd_return_et ret;
    uint32_t n = 0;

    if (!sp->num_mem_blocks) {
        ret = CONF_CALL(
            conf.api.qry_mem_blocks(CORE(0), sp->mem_space_id, 0, &n, NULL));
        if (ret == MCD_RET_ACT_NONE) {
            cr_assert(n == 0,
                      "space \"%s\" has num_mem_blocks 0 but lists "
                      "%u",
                      sp->mem_space_name, n);
        } else {
            conf_expect_err(CORE(0), ret, MCD_ERR_NO_MEM_BLOCKS,
                            "mcd_qry_mem_blocks_f of a space without", __FILE__,
                            __LINE__);
        }
        return;
    }
    b = conf_check_list(&l, &n);
    cr_assert(n == sp->num_mem_blocks,
              "space \"%s\": num_mem_blocks %u, "
              "%u listed",
              sp->mem_space_name, sp->num_mem_blocks, n);
    check_blocks_of(sp, b, n);
    free(b);
}

/* Exactly one of REGISTERS, PROGRAM, VIRTUAL, CACHE, or none. */
static bool kind_ok(mcd_mem_type_et t)
{
    t &= MCD_MEM_SPACE_IS_REGISTERS | MCD_MEM_SPACE_IS_PROGRAM |
         MCD_MEM_SPACE_IS_VIRTUAL | MCD_MEM_SPACE_IS_CACHE;
    return (t & (t - 1)) == 0;
}

Test(mem_map, spaces_and_blocks, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    struct q_ctx q = { CORE(0), 0 };
    struct conf_list l = {
        .what = "mcd_qry_mem_spaces_f",
        .core = CORE(0),
        .fetch = fetch_spaces,
        .ctx = &q,
        .size = sizeof(mcd_memspace_st),
        .cmp = cmp_space,
    };
    mcd_memspace_st *sp;
    uint32_t j, k, n, max_id = 0;

    sp = conf_check_list(&l, &n);
    cr_assert(n >= 1, "core 0 has no memory space");
    for (k = 0; k < n; k++) {
        cr_assert(sp[k].mem_space_id != 0 &&
                      named(sp[k].mem_space_name, sizeof(sp[k].mem_space_name)),
                  "memory space %u has id 0 or no name", k);
        cr_assert(kind_ok(sp[k].mem_type),
                  "space \"%s\": mem_type 0x%x "
                  "combines exclusive kinds",
                  sp[k].mem_space_name, sp[k].mem_type);
        for (j = 0; j < k; j++) {
            cr_assert(sp[j].mem_space_id != sp[k].mem_space_id,
                      "two memory spaces have id %u", sp[k].mem_space_id);
        }
        max_id = sp[k].mem_space_id > max_id ? sp[k].mem_space_id : max_id;
        check_blocks(&sp[k]);
    }
    cr_assert(conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL),
              "no PHYSICAL memory space");
    cr_assert(!conf_has(CAP_LOGICAL_SPACE) ||
                  conf_mem_space(0, MCD_MEM_SPACE_IS_LOGICAL),
              "no LOGICAL memory space, though the profile has one");
    n = 0;
    EXPECT_MCD_ERR(CORE(0),
                   conf.api.qry_mem_blocks(CORE(0), max_id + 1000, 0, &n, NULL),
                   CONF_ANY_ERROR);
    free(sp);
}

Test(mem_map, active_overlays, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    struct q_ctx q = { CORE(0), 0 };
    struct conf_list l = {
        .what = "mcd_qry_active_overlays_f",
        .core = CORE(0),
        .fetch = fetch_overlays,
        .ctx = &q,
        .size = sizeof(uint32_t),
    };
    uint32_t *ids, n;

    ids = conf_check_list(&l, &n);
    free(ids);
}

/* ------------------------------------------------------------------------
 * Registers
 */

static mcd_register_info_st *check_reg_list(uint32_t group, uint32_t *n)
{
    struct q_ctx q = { CORE(0), group };
    struct conf_list l = {
        .what = "mcd_qry_reg_map_f",
        .core = CORE(0),
        .fetch = fetch_regs,
        .ctx = &q,
        .size = sizeof(mcd_register_info_st),
        .cmp = cmp_reg,
    };
    mcd_register_info_st *r = conf_check_list(&l, n);
    uint32_t k;

    for (k = 0; k < *n; k++) {
        cr_assert(named(r[k].regname, sizeof(r[k].regname)) && r[k].regsize > 0,
                  "group %u: register %u has no name or size 0", group, k);
        cr_assert(!group || r[k].reg_group_id == group,
                  "register \"%s\" listed in group %u says group %u",
                  r[k].regname, group, r[k].reg_group_id);
    }
    return r;
}

static bool reg_listed(const mcd_register_info_st *all, uint32_t n,
                       const mcd_register_info_st *r)
{
    uint32_t k;

    for (k = 0; k < n; k++) {
        if (!strcmp(all[k].regname, r->regname) &&
            same_addr(&all[k].addr, &r->addr)) {
            return true;
        }
    }
    return false;
}

/* Group @g's registers: as many as it says, each also in group 0. */
static void check_group(const mcd_register_group_st *g,
                        const mcd_register_info_st *all, uint32_t nall)
{
    mcd_register_info_st *r;
    uint32_t k, n;

    r = check_reg_list(g->reg_group_id, &n);
    cr_assert(n == g->n_registers,
              "group \"%s\" says %u registers, lists "
              "%u",
              g->reg_group_name, g->n_registers, n);
    for (k = 0; k < n; k++) {
        cr_assert(reg_listed(all, nall, &r[k]),
                  "register \"%s\" of group \"%s\" is not in group 0",
                  r[k].regname, g->reg_group_name);
    }
    free(r);
}

Test(reg_map, groups_and_group_0, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    struct q_ctx q = { CORE(0), 0 };
    struct conf_list l = {
        .what = "mcd_qry_reg_groups_f",
        .core = CORE(0),
        .fetch = fetch_groups,
        .ctx = &q,
        .size = sizeof(mcd_register_group_st),
    };
    mcd_register_group_st *g;
    mcd_register_info_st *all;
    uint32_t k, n, nall;

    g = conf_check_list(&l, &n);
    cr_assert(n >= 1, "no register group, not even the implicit group 0");
    all = check_reg_list(0, &nall);
    for (k = 0; k < n; k++) {
        cr_assert(g[k].reg_group_id != 0 || n == 1,
                  "group id 0 is reserved for the only, implicit group");
        if (g[k].reg_group_id) {
            check_group(&g[k], all, nall);
        }
    }
    conf_reg(0, conf.target->pc_reg);
    n = 0;
    EXPECT_MCD_ERR(CORE(0), conf.api.qry_reg_map(CORE(0), 0xffff, 0, &n, NULL),
                   MCD_ERR_REG_GROUP_ID);
    free(all);
    free(g);
}

/*
 * The API never defines a register id; the suite takes a register's
 * address in its register space, which is what a debugger has.
 */
Test(reg_map, compound_registers, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    const mcd_register_info_st *pc = conf_reg(0, conf.target->pc_reg);
    struct q_ctx q = { CORE(0), 0 };
    struct conf_list l = {
        .what = "mcd_qry_reg_compound_f",
        .core = CORE(0),
        .fetch = fetch_compound,
        .ctx = &q,
        .size = sizeof(uint32_t),
    };
    struct conf_core *cc = CCORE(0);
    uint32_t k, n = 0, *ids;

    cr_assert(pc->reg_type == MCD_REG_TYPE_SIMPLE,
              "the pc is not a simple register");
    EXPECT_MCD_ERR(CORE(0),
                   conf.api.qry_reg_compound(
                       CORE(0), (uint32_t)pc->addr.address, 0, &n, NULL),
                   MCD_ERR_REG_NOT_COMPOUND);
    for (k = 0; k < cc->nregs; k++) {
        if (cc->regs[k].reg_type == MCD_REG_TYPE_COMPOUND) {
            q.id = (uint32_t)cc->regs[k].addr.address;
            ids = conf_check_list(&l, &n);
            cr_assert(n >= 2, "compound register \"%s\" has %u parts",
                      cc->regs[k].regname, n);
            free(ids);
        }
    }
}
