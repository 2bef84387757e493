/*
 * regs.c - registers for the `mcdshm` tool: the register map of a core,
 * found by query (groups, then each group's registers), and register
 * reads and writes through transaction lists.
 *
 * Nothing here knows a target: registers are found by name, and each one
 * is accessed at the mcd_addr_st its mcd_register_info_st gives, with
 * little-endian data as MCD prescribes for register transactions.
 * Single-threaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* Widest register value the tool reads or writes, in bytes. */
#define REG_MAX_BYTES 256

struct reg_qry {
    const mcd_core_st *core;
    uint32_t group_id;
};

static mcd_return_et qry_groups(const void *ctx, uint32_t start, uint32_t *num,
                                void *out)
{
    return mcd_qry_reg_groups_f(ctx, start, num, out);
}

static mcd_return_et qry_map(const void *ctx, uint32_t start, uint32_t *num,
                             void *out)
{
    const struct reg_qry *q = ctx;

    return mcd_qry_reg_map_f(q->core, q->group_id, start, num, out);
}

/* Append the registers of one group to the map. */
static int add_group(const struct cli *c, const mcd_core_st *core,
                     struct cli_regmap *map, uint32_t group_id)
{
    struct reg_qry q = { .core = core, .group_id = group_id };
    mcd_register_info_st *regs, *all;
    uint32_t i, n;
    int rc;

    rc = cli_list(c, core, "mcd_qry_reg_map_f", qry_map, &q, sizeof(*regs),
                  (void **)&regs, &n);
    if (rc != CLI_OK || n == 0) {
        return rc;
    }
    all = realloc(map->regs, (map->nregs + n) * sizeof(*all));
    if (!all) {
        free(regs);
        return cli_fail(c, "no memory for %u registers", (unsigned)n);
    }
    for (i = 0; i < n; i++) {
        /* The map is filtered by group later; trust the group asked for
         * over a field some targets leave 0. */
        regs[i].reg_group_id = group_id;
        regs[i].regname[sizeof(regs[i].regname) - 1] = '\0';
    }
    memcpy(all + map->nregs, regs, n * sizeof(*all));
    map->regs = all;
    map->nregs += n;
    free(regs);
    return CLI_OK;
}

int cli_regmap_load(const struct cli *c, const mcd_core_st *core,
                    struct cli_regmap *map)
{
    static const mcd_register_group_st implicit = {
        .reg_group_id = 0,
        .reg_group_name = "all",
    };
    uint32_t i;
    int rc;

    memset(map, 0, sizeof(*map));
    rc = cli_list(c, core, "mcd_qry_reg_groups_f", qry_groups, core,
                  sizeof(*map->groups), (void **)&map->groups, &map->ngroups);
    if (rc == CLI_OK && map->ngroups == 0) {
        map->groups = malloc(sizeof(*map->groups));
        if (!map->groups) {
            return cli_fail(c, "no memory for the register map");
        }
        *map->groups = implicit;
        map->ngroups = 1;
    }
    for (i = 0; rc == CLI_OK && i < map->ngroups; i++) {
        map->groups[i].reg_group_name[MCD_REG_NAME_LEN - 1] = '\0';
        rc = add_group(c, core, map, map->groups[i].reg_group_id);
    }
    if (rc != CLI_OK) {
        cli_regmap_free(map);
    }
    return rc;
}

void cli_regmap_free(struct cli_regmap *map)
{
    free(map->groups);
    free(map->regs);
    memset(map, 0, sizeof(*map));
}

/* The RISC-V integer registers' ABI names, x0..x31. */
static const char *const rv_abi[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const mcd_register_info_st *reg_named(const struct cli_regmap *map,
                                             const char *name)
{
    uint32_t i;

    for (i = 0; i < map->nregs; i++) {
        if (strcasecmp(map->regs[i].regname, name) == 0) {
            return &map->regs[i];
        }
    }
    return NULL;
}

const mcd_register_info_st *cli_reg_find(const struct cli_regmap *map,
                                         const char *name)
{
    const mcd_register_info_st *r = reg_named(map, name);
    size_t len = strlen(name);
    unsigned n;
    char x[8];

    /* x0..x31 for a target that names them by ABI, and the ABI names
     * (fp for s0 too) for one that names them x0..x31. */
    if (!r && (name[0] == 'x' || name[0] == 'X') && len >= 2 && len <= 3 &&
        strspn(name + 1, "0123456789") == len - 1 &&
        (len == 2 || name[1] != '0')) {
        n = (unsigned)atoi(name + 1);
        r = n < 32 ? reg_named(map, rv_abi[n]) : NULL;
    }
    for (n = 0; !r && n < 32; n++) {
        if (strcasecmp(name, rv_abi[n]) == 0 ||
            (n == 8 && strcasecmp(name, "fp") == 0)) {
            snprintf(x, sizeof(x), "x%u", n);
            r = reg_named(map, x);
            r = r ? r : reg_named(map, rv_abi[n]);
        }
    }
    return r;
}

uint32_t cli_reg_bytes(const mcd_register_info_st *reg)
{
    return (reg->regsize + 7) / 8;
}

/* Read regs[0..n) with one transaction list (n <= MCD_TX_NUM_MAX). */
static int read_batch(const struct cli *c, const mcd_core_st *core,
                      const mcd_register_info_st *const *regs, uint32_t n,
                      uint8_t *vals, uint32_t stride)
{
    mcd_tx_st tx[MCD_TX_NUM_MAX];
    mcd_txlist_st tl = { .tx = tx, .num_tx = n };
    uint32_t i;
    int rc;

    memset(tx, 0, sizeof(tx));
    for (i = 0; i < n; i++) {
        tx[i].addr = regs[i]->addr;
        tx[i].access_type = MCD_TX_AT_R;
        tx[i].data = vals + (size_t)i * stride;
        tx[i].num_bytes = cli_reg_bytes(regs[i]);
    }
    rc = CLI_MCD(c, core, mcd_execute_txlist_f, core, &tl);
    if (rc == CLI_OK && tl.num_tx_ok != n) {
        rc = cli_fail(c, "only %u of %u registers read, without an error",
                      (unsigned)tl.num_tx_ok, (unsigned)n);
    } else if (rc != CLI_OK && tl.num_tx_ok < n) {
        cli_fail(c, "reading register '%s' failed",
                 regs[tl.num_tx_ok]->regname);
    }
    return rc;
}

int cli_reg_read(const struct cli *c, const mcd_core_st *core,
                 const mcd_register_info_st *const *regs, uint32_t n,
                 uint8_t *vals, uint32_t stride)
{
    uint32_t i, k, bytes;
    int rc = CLI_OK;

    /* Batches of at most MCD_TX_NUM_MAX registers and the payload every
     * implementation accepts. */
    for (i = 0; rc == CLI_OK && i < n; i += k) {
        bytes = 0;
        for (k = 0; i + k < n && k < MCD_TX_NUM_MAX; k++) {
            bytes += cli_reg_bytes(regs[i + k]);
            if (k > 0 && bytes > MCD_GUARANTEED_MIN_PAYLOAD) {
                break;
            }
        }
        rc =
            read_batch(c, core, regs + i, k, vals + (size_t)i * stride, stride);
    }
    return rc;
}

int cli_reg_write(const struct cli *c, const mcd_core_st *core,
                  const mcd_register_info_st *reg, uint64_t value)
{
    uint8_t buf[REG_MAX_BYTES] = { 0 };
    uint32_t bytes = cli_reg_bytes(reg);
    mcd_tx_st tx = {
        .addr = reg->addr,
        .access_type = MCD_TX_AT_W,
        .data = buf,
        .num_bytes = bytes,
    };
    mcd_txlist_st tl = { .tx = &tx, .num_tx = 1 };
    uint32_t i;
    int rc;

    if (bytes == 0 || bytes > sizeof(buf)) {
        return cli_fail(c, "register '%s' has %u bits; cannot write it",
                        reg->regname, (unsigned)reg->regsize);
    }
    for (i = 0; i < bytes && i < 8; i++) {
        buf[i] = (uint8_t)(value >> (8 * i));
    }
    rc = CLI_MCD(c, core, mcd_execute_txlist_f, core, &tl);
    if (rc == CLI_OK && (tl.num_tx_ok != 1 || tx.num_bytes_ok != bytes)) {
        rc = cli_fail(c,
                      "register '%s': only %u of %u bytes written, "
                      "without an error",
                      reg->regname, (unsigned)tx.num_bytes_ok, (unsigned)bytes);
    }
    return rc;
}

char *cli_reg_format(const uint8_t *val, uint32_t bytes, char *buf)
{
    char *p = buf;
    uint32_t i;

    *p++ = '0';
    *p++ = 'x';
    for (i = bytes; i > 0; i--) {
        p += sprintf(p, "%02x", val[i - 1]);
    }
    if (bytes == 0) {
        *p++ = '0';
    }
    *p = '\0';
    return buf;
}

int cli_read_pc(const struct cli *c, const mcd_core_st *core, uint64_t *pc)
{
    static const char *const names[] = { "pc", "rip", "eip", "nip" };
    const mcd_register_info_st *reg = NULL;
    struct cli_regmap map;
    uint8_t val[REG_MAX_BYTES] = { 0 };
    uint32_t i;
    int rc;

    rc = cli_regmap_load(c, core, &map);
    if (rc != CLI_OK) {
        return rc;
    }
    for (i = 0; !reg && i < sizeof(names) / sizeof(names[0]); i++) {
        reg = cli_reg_find(&map, names[i]);
    }
    if (!reg) {
        rc = cli_fail(c, "the core has no register called 'pc'");
    } else if (cli_reg_bytes(reg) > sizeof(val)) {
        rc = cli_fail(c, "register '%s' is too wide", reg->regname);
    } else {
        rc = cli_reg_read(c, core, &reg, 1, val, sizeof(val));
    }
    *pc = 0;
    for (i = 0; rc == CLI_OK && i < 8; i++) {
        *pc |= (uint64_t)val[i] << (8 * i);
    }
    cli_regmap_free(&map);
    return rc;
}

/* ELF e_machine values of the architectures whose alignment is known. */
#define CLI_EM_ARM 40
#define CLI_EM_AARCH64 183
#define CLI_EM_RISCV 243

int cli_insn_align(const struct cli *c, const mcd_core_st *core,
                   uint32_t *align)
{
    const mcd_register_info_st *misa;
    struct cli_regmap map;
    uint8_t val[REG_MAX_BYTES] = { 0 };
    uint32_t type =
        c->core_idx < c->ncores ? c->cores[c->core_idx].core_type : 0;
    int rc = CLI_OK;

    switch (type) {
    case CLI_EM_AARCH64:
        *align = 4;
        return CLI_OK;
    case CLI_EM_ARM:
        *align = 2; /* Thumb */
        return CLI_OK;
    case CLI_EM_RISCV:
        break;
    default:
        *align = 1;
        return CLI_OK;
    }
    /* RISC-V: 2 with the C extension (misa bit 2), else 4; 2 when the
     * target does not show misa. */
    *align = 2;
    rc = cli_regmap_load(c, core, &map);
    if (rc != CLI_OK) {
        return rc;
    }
    misa = reg_named(&map, "misa");
    if (misa && cli_reg_bytes(misa) <= sizeof(val)) {
        rc = cli_reg_read(c, core, &misa, 1, val, sizeof(val));
        if (rc == CLI_OK && !(val[0] & (1u << 2))) {
            *align = 4;
        }
    }
    cli_regmap_free(&map);
    return rc;
}

int cli_check_pc(const struct cli *c, const mcd_core_st *core, uint64_t pc,
                 const char *what)
{
    uint32_t align;
    int rc = cli_insn_align(c, core, &align);

    if (rc == CLI_OK && pc % align) {
        rc = cli_usage_error(c,
                             "%s 0x%llx is not a multiple of %u, the "
                             "instruction alignment of %s",
                             what, (unsigned long long)pc, (unsigned)align,
                             cli_core_name(c, c->core_idx));
    }
    return rc;
}
