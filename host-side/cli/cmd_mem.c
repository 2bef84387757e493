/*
 * cmd_mem.c - the `mcdshm` commands on memory and registers: regs,
 * setreg, read, write.  (dump, the bulk copy to a file, is in cmd_dump.c.)
 *
 * Memory goes through cli_mem_xfer() in pieces of at most the target's
 * largest payload, so any length works; register names and groups are
 * looked up in the core's register map, never assumed.  Values wider than
 * a byte are shown and written in the byte order the memory space
 * declares (little endian unless it says big).  Single-threaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* Default LEN of `read`. */
#define READ_DEFAULT_LEN 64

/* Bytes per hex dump line. */
#define DUMP_LINE 16

/* ------------------------------------------------------------------------
 * regs, setreg
 */

/* The registers the words of `regs` select (or the default group). */
struct reg_sel {
    const mcd_register_info_st **r;
    uint32_t n, cap;
    bool *explicit; /* named on its own: read even with side effects */
};

static int sel_add(const struct cli *c, struct reg_sel *s,
                   const mcd_register_info_st *r, bool explicit)
{
    const mcd_register_info_st **nr;
    bool *ne;

    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        nr = realloc(s->r, s->cap * sizeof(*nr));
        if (nr) {
            s->r = nr;
        }
        ne = realloc(s->explicit, s->cap * sizeof(*ne));
        if (ne) {
            s->explicit = ne;
        }
        if (!nr || !ne) {
            return cli_fail(c, "no memory for the register list");
        }
    }
    s->explicit[s->n] = explicit;
    s->r[s->n++] = r;
    return CLI_OK;
}

/*
 * A group by id, by name, or by its short name: the last dot-separated part
 * of a gdb feature name ("csr" for QEMU's "org.gnu.gdb.riscv.csr") when
 * only one group has it.
 */
static const mcd_register_group_st *find_group(const struct cli_regmap *m,
                                               const char *word)
{
    uint64_t id;
    bool by_id = cli_parse_u64(word, UINT32_MAX, &id) == 0;
    const mcd_register_group_st *shrt = NULL;
    const char *dot;
    uint32_t i, nshort = 0;

    for (i = 0; i < m->ngroups; i++) {
        if (by_id ? m->groups[i].reg_group_id == id
                  : strcasecmp(m->groups[i].reg_group_name, word) == 0) {
            return &m->groups[i];
        }
        dot = strrchr(m->groups[i].reg_group_name, '.');
        if (!by_id && dot && strcasecmp(dot + 1, word) == 0) {
            shrt = &m->groups[i];
            nshort++;
        }
    }
    return nshort == 1 ? shrt : NULL;
}

static int sel_group(const struct cli *c, struct reg_sel *s,
                     const struct cli_regmap *m, const mcd_register_group_st *g)
{
    uint32_t i;
    int rc = CLI_OK;

    for (i = 0; rc == CLI_OK && i < m->nregs; i++) {
        if (m->regs[i].reg_group_id == g->reg_group_id) {
            rc = sel_add(c, s, &m->regs[i], false);
        }
    }
    return rc;
}

static int sel_words(const struct cli *c, const struct cli_opts *o,
                     const struct cli_regmap *m, struct reg_sel *s)
{
    const mcd_register_group_st *g;
    const mcd_register_info_st *r;
    int i, rc = CLI_OK;

    if (o->nrest == 0) {
        g = find_group(m, "1");
        return sel_group(c, s, m, g ? g : &m->groups[0]);
    }
    for (i = 0; rc == CLI_OK && i < o->nrest; i++) {
        g = find_group(m, o->rest[i]);
        r = g ? NULL : cli_reg_find(m, o->rest[i]);
        if (g) {
            rc = sel_group(c, s, m, g);
        } else if (r) {
            rc = sel_add(c, s, r, true);
        } else {
            rc = cli_usage_error(c,
                                 "'%s' is neither a register group nor "
                                 "a register of %s (see 'mcdshm info')",
                                 o->rest[i], cli_core_name(c, c->core_idx));
        }
    }
    return rc;
}

/*
 * Reading a register with read side effects could change the target, so
 * a group listing leaves those out; naming one reads it.
 */
static bool skip_reg(const struct reg_sel *s, uint32_t i)
{
    return !s->explicit[i] && s->r[i]->has_side_effects_read;
}

static int print_regs(const struct cli *c, const struct reg_sel *s)
{
    const mcd_register_info_st **rd;
    uint32_t i, k = 0, stride = 1, width = 1;
    uint8_t *vals;
    char *text;
    int rc;

    for (i = 0; i < s->n; i++) {
        stride =
            cli_reg_bytes(s->r[i]) > stride ? cli_reg_bytes(s->r[i]) : stride;
        width =
            strlen(s->r[i]->regname) > width ? strlen(s->r[i]->regname) : width;
    }
    rd = calloc(s->n, sizeof(*rd));
    vals = calloc(s->n, stride);
    text = malloc(2 * (size_t)stride + 3);
    rc = rd && vals && text ? CLI_OK : cli_fail(c, "no memory for values");
    for (i = 0; rc == CLI_OK && i < s->n; i++) {
        if (!skip_reg(s, i)) {
            rd[k++] = s->r[i];
        }
    }
    if (rc == CLI_OK) {
        rc = cli_reg_read(c, c->core, rd, k, vals, stride);
    }
    for (i = 0, k = 0; rc == CLI_OK && i < s->n; i++) {
        if (skip_reg(s, i)) {
            printf("%-*s = (not read: side effects)\n", (int)width,
                   s->r[i]->regname);
            continue;
        }
        printf("%-*s = %s\n", (int)width, s->r[i]->regname,
               cli_reg_format(vals + (size_t)k++ * stride,
                              cli_reg_bytes(s->r[i]), text));
    }
    free(text);
    free(vals);
    free(rd);
    return rc;
}

int cmd_regs(struct cli *c, const struct cli_opts *o)
{
    struct reg_sel s = { 0 };
    struct cli_regmap m;
    int rc;

    rc = cli_regmap_load(c, c->core, &m);
    if (rc == CLI_OK) {
        rc = sel_words(c, o, &m, &s);
    }
    if (rc == CLI_OK && s.n == 0) {
        cli_note(c, "no registers to show");
    } else if (rc == CLI_OK) {
        rc = print_regs(c, &s);
    }
    free(s.r);
    free(s.explicit);
    cli_regmap_free(&m);
    return rc;
}

int cmd_setreg(struct cli *c, const struct cli_opts *o)
{
    const mcd_register_info_st *r;
    struct reg_sel s = { 0 };
    struct cli_regmap m;
    uint32_t bytes;
    int rc;

    rc = cli_regmap_load(c, c->core, &m);
    if (rc != CLI_OK) {
        return rc;
    }
    r = cli_reg_find(&m, o->arg[0]);
    bytes = r ? cli_reg_bytes(r) : 0;
    if (!r) {
        rc = cli_usage_error(c, "%s has no register '%s' (see 'mcdshm regs')",
                             cli_core_name(c, c->core_idx), o->arg[0]);
    } else if (bytes < 8 && o->num[1] >> (8 * bytes)) {
        rc = cli_usage_error(c,
                             "VALUE %s does not fit the %u-bit register "
                             "'%s'",
                             o->arg[1], (unsigned)r->regsize, r->regname);
    } else if (strcasecmp(r->regname, "pc") == 0) {
        rc = cli_check_pc(c, c->core, o->num[1], "VALUE");
    }
    if (rc == CLI_OK) {
        rc = cli_reg_write(c, c->core, r, o->num[1]);
    }
    if (rc == CLI_OK) {
        rc = sel_add(c, &s, r, true);
    }
    if (rc == CLI_OK) {
        rc = print_regs(c, &s);
    }
    free(s.r);
    free(s.explicit);
    cli_regmap_free(&m);
    return rc;
}

/* ------------------------------------------------------------------------
 * read
 */

static uint64_t read_len(const struct cli_opts *o)
{
    return o->nargs > 1 ? o->num[1] : READ_DEFAULT_LEN;
}

int check_read(const struct cli *c, const struct cli_opts *o)
{
    return cli_check_range(c, o->num[0], read_len(o), o->width);
}

/* A unit of @w bytes at @p as a number, in the space's byte order. */
static uint64_t unit_value(const uint8_t *p, uint32_t w, bool big)
{
    uint64_t v = 0;
    uint32_t i;

    for (i = 0; i < w; i++) {
        v |= (uint64_t)p[big ? w - 1 - i : i] << (8 * i);
    }
    return v;
}

static void dump_line(uint64_t addr, int digits, const uint8_t *p, uint32_t n,
                      uint32_t w, bool big)
{
    uint32_t i, cols = 0;

    printf("%0*llx: ", digits, (unsigned long long)addr);
    for (i = 0; i < n; i += w) {
        cols += (uint32_t)printf("%0*llx ", (int)(2 * w),
                                 (unsigned long long)unit_value(p + i, w, big));
        if (w == 1 && i == 7) {
            cols += (uint32_t)printf(" ");
        }
    }
    /* Pad a short last line so the text column lines up. */
    printf("%*s |", (int)(DUMP_LINE / w * (2 * w + 1) + (w == 1) - cols), "");
    for (i = 0; i < n; i++) {
        putchar(isprint(p[i]) ? p[i] : '.');
    }
    printf("|\n");
}

struct read_job {
    mcd_memspace_st sp;
    uint64_t addr, len;
    uint32_t chunk, width;
    int digits;
    bool raw;
};

static void show_chunk(const struct read_job *j, uint64_t addr,
                       const uint8_t *buf, uint32_t n)
{
    uint32_t w = j->width > 1 ? j->width : 1, i;
    bool big = j->sp.endian == MCD_ENDIAN_BIG;

    if (j->raw) {
        fwrite(buf, 1, n, stdout);
        return;
    }
    for (i = 0; i < n; i += DUMP_LINE) {
        dump_line(addr + i, j->digits, buf + i,
                  n - i < DUMP_LINE ? n - i : DUMP_LINE, w, big);
    }
}

static int read_chunks(const struct cli *c, const struct read_job *j)
{
    uint64_t off = 0;
    uint32_t n;
    uint8_t *buf;
    int rc = CLI_OK;

    buf = malloc(j->chunk);
    if (!buf) {
        return cli_fail(c, "no memory for %u bytes", (unsigned)j->chunk);
    }
    while (rc == CLI_OK && off < j->len && !cli_interrupted) {
        n = j->len - off < j->chunk ? (uint32_t)(j->len - off) : j->chunk;
        rc = cli_mem_xfer(c, &j->sp, j->addr + off, buf, n, j->width,
                          MCD_TX_AT_R, NULL);
        if (rc == CLI_OK) {
            show_chunk(j, j->addr + off, buf, n);
        }
        off += n;
    }
    free(buf);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        rc = rc == CLI_OK ? cli_fail(c, "writing to stdout failed") : rc;
    }
    return rc;
}

int cmd_read(struct cli *c, const struct cli_opts *o)
{
    struct read_job j = {
        .addr = o->num[0],
        .len = read_len(o),
        .width = o->width,
        .raw = o->raw,
    };
    uint32_t mp;
    int rc;

    rc = cli_pick_space(c, o->space, false, &j.sp);
    if (rc == CLI_OK) {
        rc = cli_check_blocks(c, &j.sp, j.addr, j.len);
    }
    if (rc == CLI_OK) {
        rc = cli_max_payload(c, c->core, &mp);
    }
    if (rc != CLI_OK) {
        return rc;
    }
    /* Whole lines per chunk keep the dump's lines continuous. */
    j.chunk = mp >= DUMP_LINE ? mp - mp % DUMP_LINE : DUMP_LINE;
    j.digits = j.addr + (j.len - 1) > UINT32_MAX ? 16 : 8;
    return read_chunks(c, &j);
}

/* ------------------------------------------------------------------------
 * write
 */

static int hex_digit(int ch)
{
    ch = tolower(ch);
    return isdigit(ch) ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* The bytes of one HEXBYTES word, appended at *n; separators skipped. */
static int hex_word(const struct cli *c, const char *w, uint8_t *out, size_t *n,
                    int *half)
{
    const char *p;

    if (w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
        return cli_usage_error(c,
                               "HEXBYTES '%s': give plain hex bytes "
                               "('deadbeef'), or a value with --u32 or "
                               "--u64",
                               w);
    }
    for (p = w; *p; p++) {
        if (strchr(" :-_,", *p)) {
            continue;
        }
        if (hex_digit((unsigned char)*p) < 0) {
            return cli_usage_error(c,
                                   "HEXBYTES '%s': '%c' is not a hex "
                                   "digit",
                                   w, *p);
        }
        if (*half < 0) {
            *half = hex_digit((unsigned char)*p);
        } else {
            out[(*n)++] = (uint8_t)(*half << 4 | hex_digit((unsigned char)*p));
            *half = -1;
        }
    }
    return CLI_OK;
}

/*
 * The bytes to write: HEXBYTES (the words after ADDR), or --u32/--u64 in
 * the byte order @big.  *out is malloc'ed (free() it).
 */
static int write_bytes(const struct cli *c, const struct cli_opts *o, bool big,
                       uint8_t **out, size_t *n)
{
    size_t room = 8;
    int i, half = -1, rc = CLI_OK;

    for (i = 0; i < o->nrest; i++) {
        room += strlen(o->rest[i]);
    }
    room += o->nargs > 1 ? strlen(o->arg[1]) : 0;
    *n = 0;
    *out = malloc(room);
    if (!*out) {
        return cli_fail(c, "no memory for %zu bytes", room);
    }
    if (o->value_bytes) {
        for (i = 0; i < o->value_bytes; i++) {
            (*out)[big ? o->value_bytes - 1 - i : i] =
                (uint8_t)(o->value >> (8 * i));
        }
        *n = (size_t)o->value_bytes;
        return CLI_OK;
    }
    rc = o->nargs > 1 ? hex_word(c, o->arg[1], *out, n, &half) : CLI_OK;
    for (i = 0; rc == CLI_OK && i < o->nrest; i++) {
        rc = hex_word(c, o->rest[i], *out, n, &half);
    }
    if (rc == CLI_OK && half >= 0) {
        rc = cli_usage_error(c, "HEXBYTES: odd number of hex digits");
    }
    return rc;
}

int check_write(const struct cli *c, const struct cli_opts *o)
{
    uint32_t w = o->width ? o->width : (uint32_t)o->value_bytes;
    uint8_t *bytes = NULL;
    size_t n = 0;
    int rc;

    if (o->value_bytes && o->nargs > 1) {
        return cli_usage_error(c, "give HEXBYTES or --u32/--u64, not both");
    }
    if (!o->value_bytes && o->nargs < 2) {
        return cli_usage_error(c, "missing HEXBYTES (or --u32 V, --u64 V)");
    }
    rc = write_bytes(c, o, false, &bytes, &n);
    if (rc == CLI_OK && n == 0) {
        rc = cli_usage_error(c, "HEXBYTES holds no bytes");
    }
    if (rc == CLI_OK && n > UINT32_MAX) {
        rc = cli_usage_error(c, "HEXBYTES is too long");
    }
    if (rc == CLI_OK) {
        rc = cli_check_range(c, o->num[0], n, w);
    }
    free(bytes);
    return rc;
}

int cmd_write(struct cli *c, const struct cli_opts *o)
{
    uint32_t w = o->width ? o->width : (uint32_t)o->value_bytes;
    uint32_t mp = 0, k;
    mcd_memspace_st sp;
    uint8_t *bytes = NULL;
    size_t n = 0, off;
    int rc;

    rc = cli_pick_space(c, o->space, false, &sp);
    if (rc == CLI_OK) {
        rc = cli_max_payload(c, c->core, &mp);
    }
    if (rc == CLI_OK) {
        rc = write_bytes(c, o, sp.endian == MCD_ENDIAN_BIG, &bytes, &n);
    }
    if (rc == CLI_OK && n) {
        rc = cli_check_blocks(c, &sp, o->num[0], n);
    }
    /* Pieces of the largest payload, each a multiple of the width. */
    mp = w > 1 && mp >= w ? mp - mp % w : mp;
    for (off = 0; rc == CLI_OK && off < n; off += k) {
        k = n - off < mp ? (uint32_t)(n - off) : mp;
        rc = cli_mem_xfer(c, &sp, o->num[0] + off, bytes + off, k, w,
                          MCD_TX_AT_W, NULL);
    }
    if (rc == CLI_OK && !c->quiet) {
        printf("wrote %zu byte%s at 0x%llx in space '%.31s'\n", n,
               n == 1 ? "" : "s", (unsigned long long)o->num[0],
               sp.mem_space_name);
    }
    free(bytes);
    return rc;
}
