/*
 * tdesc.c - mcdshm-gdbserver's register layout and target description.
 *
 * gdb needs registers in its own feature names (the XML files in gdb/features/
 * of its source; "Standard Target Features" in its manual) to know the pc, the
 * stack pointer and the frame layout.  The MCD register map gives names
 * and sizes only, so the registers a feature requires are found by name
 * (their architectural names and aliases, case-insensitive) and put first,
 * in the feature's order; every other register follows in a feature of
 * its own (for riscv the csr feature), with the MCD name.  gdb's register
 * numbers (the g packet's order) are the indexes of this layout.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gdbserver.h"

/* ELF e_machine values of the architectures with gdb features. */
#define EM_386_ 3
#define EM_ARM_ 40
#define EM_X86_64_ 62
#define EM_AARCH64_ 183
#define EM_RISCV_ 243

/* Largest register the bridge passes on, in bits. */
#define REG_MAX_BITS 4096

/* A register a feature knows: gdb's name and the other names it has. */
struct known_reg {
    const char *name;
    const char *alias[3];
    const char *type;
};

struct feature {
    const char *name;
    const struct known_reg *regs;
    size_t nregs;
};

static const struct known_reg riscv_cpu[] = {
    { .name = "zero", .alias = { "x0" } },
    { .name = "ra", .alias = { "x1" } },
    { .name = "sp", .alias = { "x2" }, .type = "data_ptr" },
    { .name = "gp", .alias = { "x3" }, .type = "data_ptr" },
    { .name = "tp", .alias = { "x4" }, .type = "data_ptr" },
    { .name = "t0", .alias = { "x5" } },
    { .name = "t1", .alias = { "x6" } },
    { .name = "t2", .alias = { "x7" } },
    { .name = "fp", .alias = { "x8", "s0" }, .type = "data_ptr" },
    { .name = "s1", .alias = { "x9" } },
    { .name = "a0", .alias = { "x10" } },
    { .name = "a1", .alias = { "x11" } },
    { .name = "a2", .alias = { "x12" } },
    { .name = "a3", .alias = { "x13" } },
    { .name = "a4", .alias = { "x14" } },
    { .name = "a5", .alias = { "x15" } },
    { .name = "a6", .alias = { "x16" } },
    { .name = "a7", .alias = { "x17" } },
    { .name = "s2", .alias = { "x18" } },
    { .name = "s3", .alias = { "x19" } },
    { .name = "s4", .alias = { "x20" } },
    { .name = "s5", .alias = { "x21" } },
    { .name = "s6", .alias = { "x22" } },
    { .name = "s7", .alias = { "x23" } },
    { .name = "s8", .alias = { "x24" } },
    { .name = "s9", .alias = { "x25" } },
    { .name = "s10", .alias = { "x26" } },
    { .name = "s11", .alias = { "x27" } },
    { .name = "t3", .alias = { "x28" } },
    { .name = "t4", .alias = { "x29" } },
    { .name = "t5", .alias = { "x30" } },
    { .name = "t6", .alias = { "x31" } },
    { .name = "pc", .alias = { "ip" }, .type = "code_ptr" },
};

static const struct known_reg aarch64_core[] = {
    { .name = "x0" },
    { .name = "x1" },
    { .name = "x2" },
    { .name = "x3" },
    { .name = "x4" },
    { .name = "x5" },
    { .name = "x6" },
    { .name = "x7" },
    { .name = "x8" },
    { .name = "x9" },
    { .name = "x10" },
    { .name = "x11" },
    { .name = "x12" },
    { .name = "x13" },
    { .name = "x14" },
    { .name = "x15" },
    { .name = "x16" },
    { .name = "x17" },
    { .name = "x18" },
    { .name = "x19" },
    { .name = "x20" },
    { .name = "x21" },
    { .name = "x22" },
    { .name = "x23" },
    { .name = "x24" },
    { .name = "x25" },
    { .name = "x26" },
    { .name = "x27" },
    { .name = "x28" },
    { .name = "x29", .alias = { "fp" } },
    { .name = "x30", .alias = { "lr" } },
    { .name = "sp", .alias = { "x31", "sp_el0" }, .type = "data_ptr" },
    { .name = "pc", .type = "code_ptr" },
    { .name = "cpsr", .alias = { "pstate", "nzcv" } },
};

static const struct known_reg arm_core[] = {
    { .name = "r0" },
    { .name = "r1" },
    { .name = "r2" },
    { .name = "r3" },
    { .name = "r4" },
    { .name = "r5" },
    { .name = "r6" },
    { .name = "r7" },
    { .name = "r8" },
    { .name = "r9" },
    { .name = "r10" },
    { .name = "r11" },
    { .name = "r12" },
    { .name = "sp", .alias = { "r13" }, .type = "data_ptr" },
    { .name = "lr", .alias = { "r14" } },
    { .name = "pc", .alias = { "r15" }, .type = "code_ptr" },
    { .name = "cpsr", .alias = { "xpsr", "psr" } },
};

static const struct known_reg i386_core[] = {
    { .name = "eax" },
    { .name = "ecx" },
    { .name = "edx" },
    { .name = "ebx" },
    { .name = "esp", .type = "data_ptr" },
    { .name = "ebp", .type = "data_ptr" },
    { .name = "esi" },
    { .name = "edi" },
    { .name = "eip", .alias = { "pc" }, .type = "code_ptr" },
    { .name = "eflags" },
    { .name = "cs" },
    { .name = "ss" },
    { .name = "ds" },
    { .name = "es" },
    { .name = "fs" },
    { .name = "gs" },
};

static const struct known_reg x86_64_core[] = {
    { .name = "rax" },
    { .name = "rbx" },
    { .name = "rcx" },
    { .name = "rdx" },
    { .name = "rsi" },
    { .name = "rdi" },
    { .name = "rbp", .type = "data_ptr" },
    { .name = "rsp", .type = "data_ptr" },
    { .name = "r8" },
    { .name = "r9" },
    { .name = "r10" },
    { .name = "r11" },
    { .name = "r12" },
    { .name = "r13" },
    { .name = "r14" },
    { .name = "r15" },
    { .name = "rip", .alias = { "pc" }, .type = "code_ptr" },
    { .name = "eflags", .alias = { "rflags" } },
    { .name = "cs" },
    { .name = "ss" },
    { .name = "ds" },
    { .name = "es" },
    { .name = "fs" },
    { .name = "gs" },
};

#define FEATURE(n, r)                  \
    {                                  \
        n, r, sizeof(r) / sizeof(r[0]) \
    }

/* An architecture: gdb's name for it, its core feature, and the feature
 * that takes every other register. */
struct arch {
    uint32_t em;
    const char *name; /* NULL: from the pc's size (riscv) */
    struct feature core;
    const char *rest;
};

static const struct arch arches[] = {
    { EM_RISCV_, NULL, FEATURE("org.gnu.gdb.riscv.cpu", riscv_cpu),
      "org.gnu.gdb.riscv.csr" },
    { EM_AARCH64_, "aarch64", FEATURE("org.gnu.gdb.aarch64.core", aarch64_core),
      "org.mcdshm.registers" },
    { EM_ARM_, "arm", FEATURE("org.gnu.gdb.arm.core", arm_core),
      "org.mcdshm.registers" },
    { EM_386_, "i386", FEATURE("org.gnu.gdb.i386.core", i386_core),
      "org.mcdshm.registers" },
    { EM_X86_64_, "i386:x86-64", FEATURE("org.gnu.gdb.i386.core", x86_64_core),
      "org.mcdshm.registers" },
};

static const struct arch generic = {
    0, NULL, { NULL, NULL, 0 }, "org.mcdshm.registers"
};

/* A count-then-fetch MCD list into a new array. */
static int fetch_groups(const mcd_core_st *core, mcd_register_group_st **out,
                        uint32_t *n, char *err, size_t errlen)
{
    uint32_t num = 0;
    mcd_return_et r;

    *out = NULL;
    *n = 0;
    r = GS_CALL(mcd_qry_reg_groups_f, core, 0, &num, NULL);
    if (!gs_ok(r)) {
        /* No groups: one implicit group 0 (the API's virtual group). */
        num = 0;
    }
    if (num == 0) {
        *out = calloc(1, sizeof(**out));
        *n = *out ? 1 : 0;
        return *out ? 0 : -ENOMEM;
    }
    *out = calloc(num, sizeof(**out));
    if (!*out) {
        return -ENOMEM;
    }
    r = GS_CALL(mcd_qry_reg_groups_f, core, 0, &num, *out);
    if (!gs_ok(r)) {
        gs_mcd_error(core, "mcd_qry_reg_groups_f", err, errlen);
        free(*out);
        *out = NULL;
        return -EIO;
    }
    *n = num;
    return 0;
}

/* Every register of every group of @core. */
static int fetch_regs(const mcd_core_st *core, mcd_register_info_st **out,
                      uint32_t *n, char *err, size_t errlen)
{
    mcd_register_group_st *groups;
    mcd_register_info_st *all = NULL, *more;
    uint32_t ng, g, num, have = 0, got, start;
    mcd_return_et r;
    int rc;

    rc = fetch_groups(core, &groups, &ng, err, errlen);
    for (g = 0; rc == 0 && g < ng; g++) {
        num = 0;
        r = GS_CALL(mcd_qry_reg_map_f, core, groups[g].reg_group_id, 0, &num,
                    NULL);
        if (!gs_ok(r)) {
            gs_mcd_error(core, "mcd_qry_reg_map_f", err, errlen);
            rc = -EIO;
            break;
        }
        if (num == 0) {
            continue;
        }
        more = realloc(all, (have + num) * sizeof(*all));
        if (!more) {
            rc = -ENOMEM;
            break;
        }
        all = more;
        for (start = 0; start < num; start += got) {
            got = num - start;
            r = GS_CALL(mcd_qry_reg_map_f, core, groups[g].reg_group_id, start,
                        &got, all + have + start);
            if (!gs_ok(r)) {
                gs_mcd_error(core, "mcd_qry_reg_map_f", err, errlen);
                rc = -EIO;
                break;
            }
            if (got == 0) {
                num = start; /* the map shrank */
                break;
            }
        }
        have += num;
    }
    free(groups);
    if (rc != 0) {
        free(all);
        return rc;
    }
    *out = all;
    *n = have;
    return 0;
}

static bool known_match(const struct known_reg *k, const char *name)
{
    size_t i;

    if (strcasecmp(k->name, name) == 0) {
        return true;
    }
    for (i = 0; i < 3 && k->alias[i]; i++) {
        if (strcasecmp(k->alias[i], name) == 0) {
            return true;
        }
    }
    return false;
}

static bool name_ok(const char *s)
{
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '.')) {
            return false;
        }
    }
    return true;
}

static void add_reg(struct gs_tdesc *td, const mcd_register_info_st *info,
                    const char *name, const char *feature, const char *type)
{
    struct gs_reg *r = &td->regs[td->nregs++];

    r->info = *info;
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->feature = feature;
    r->type = type ? type : "int";
    r->bytes = (info->regsize + 7) / 8;
    if (strcmp(r->type, "code_ptr") == 0 && td->pc == UINT32_MAX) {
        td->pc = td->nregs - 1;
    }
}

static int write_xml(struct gs_tdesc *td, const struct arch *a)
{
    const char *feature = NULL;
    size_t len = 0;
    char *buf = NULL;
    FILE *f = open_memstream(&buf, &len);
    uint32_t i;

    if (!f) {
        return -ENOMEM;
    }
    fprintf(f, "<?xml version=\"1.0\"?>\n"
               "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
               "<target version=\"1.0\">\n");
    if (a->name) {
        fprintf(f, "<architecture>%s</architecture>\n", a->name);
    } else if (a->em == EM_RISCV_ && td->pc != UINT32_MAX) {
        fprintf(f, "<architecture>riscv:rv%u</architecture>\n",
                (unsigned)td->regs[td->pc].info.regsize);
    }
    for (i = 0; i < td->nregs; i++) {
        if (td->regs[i].feature != feature) {
            if (feature) {
                fprintf(f, "</feature>\n");
            }
            feature = td->regs[i].feature;
            fprintf(f, "<feature name=\"%s\">\n", feature);
        }
        fprintf(f,
                "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" "
                "regnum=\"%u\"/>\n",
                td->regs[i].name, (unsigned)td->regs[i].info.regsize,
                td->regs[i].type, (unsigned)i);
    }
    if (feature) {
        fprintf(f, "</feature>\n");
    }
    fprintf(f, "</target>\n");
    if (fclose(f) != 0) {
        free(buf);
        return -ENOMEM;
    }
    td->xml = buf;
    td->xml_len = len;
    return 0;
}

int gs_tdesc_build(const mcd_core_st *core, uint32_t core_type,
                   struct gs_tdesc *td, char *err, size_t errlen)
{
    const struct arch *a = &generic;
    mcd_register_info_st *map;
    uint32_t n, i, j;
    bool *used;
    int rc;

    memset(td, 0, sizeof(*td));
    td->pc = UINT32_MAX;
    for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
        if (arches[i].em == core_type) {
            a = &arches[i];
        }
    }
    rc = fetch_regs(core, &map, &n, err, errlen);
    if (rc != 0) {
        return rc;
    }
    used = calloc(n + 1, sizeof(*used));
    td->regs = calloc(n + 1, sizeof(*td->regs));
    if (!used || !td->regs) {
        rc = -ENOMEM;
        goto out;
    }
    for (i = 0; i < n; i++) {
        map[i].regname[MCD_REG_NAME_LEN - 1] = '\0';
        /* Unusable to gdb: no size, too wide, or a name XML cannot carry. */
        used[i] = map[i].regsize == 0 || map[i].regsize > REG_MAX_BITS ||
                  !name_ok(map[i].regname);
    }
    /* The core feature, in gdb's order, with gdb's names. */
    for (j = 0; j < a->core.nregs; j++) {
        for (i = 0; i < n; i++) {
            if (!used[i] && known_match(&a->core.regs[j], map[i].regname)) {
                used[i] = true;
                add_reg(td, &map[i], a->core.regs[j].name, a->core.name,
                        a->core.regs[j].type);
                break;
            }
        }
    }
    /* Then the rest, with the MCD names, minus names already taken. */
    for (i = 0; i < n; i++) {
        bool dup = false;

        for (j = 0; !used[i] && j < td->nregs; j++) {
            dup |= strcasecmp(td->regs[j].name, map[i].regname) == 0;
        }
        if (!used[i] && !dup) {
            add_reg(td, &map[i], map[i].regname, a->rest,
                    strcasecmp(map[i].regname, "pc") == 0 ? "code_ptr" : NULL);
        }
    }
    rc = write_xml(td, a);
out:
    free(used);
    free(map);
    if (rc != 0) {
        gs_tdesc_free(td);
    }
    return rc;
}

void gs_tdesc_free(struct gs_tdesc *td)
{
    free(td->regs);
    free(td->xml);
    memset(td, 0, sizeof(*td));
    td->pc = UINT32_MAX;
}
