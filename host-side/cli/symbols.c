/*
 * symbols.c - ELF symbols wherever the `mcdshm` tool asks for an address.
 *
 * An ADDR argument is a number, or SYMBOL or SYMBOL+OFFSET looked up in
 * the symbol table of an ELF file: the one --elf names, or else the
 * program the target reports having loaded (mcdshm-vp's target command
 * "info" has a line "elf  PATH (entry ...)"; a target that reports none
 * needs --elf).  The lookup is cosim/vp/elf_load.c's (libelf).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cosim/vp/elf_load.h"

/* Result room for the target command "info". */
#define INFO_LEN 8192

bool cli_is_symbol(const char *s)
{
    static const char first[] = "abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ_.$";
    size_t n;

    if (!s[0] || !strchr(first, s[0])) {
        return false;
    }
    n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789_.$");
    return s[n] == '\0' || s[n] == '+';
}

/* The program the target reports having loaded, into c->elf_buf. */
static int target_elf(struct cli *c)
{
    char *info = calloc(1, INFO_LEN), *line, *end;
    mcd_return_et ret;
    int rc = CLI_ERR_USAGE;

    if (!info) {
        return cli_fail(c, "no memory");
    }
    ret = mcd_execute_command_f(c->core, "info", INFO_LEN, info);
    info[INFO_LEN - 1] = '\0';
    for (line = info; ret == MCD_RET_ACT_NONE && line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "elf ", 4) != 0) {
            continue;
        }
        line += strspn(line + 3, " ") + 3;
        end = strstr(line, " (entry");
        if (end && strncmp(line, "none", 4) != 0) {
            snprintf(c->elf_buf, sizeof(c->elf_buf), "%.*s", (int)(end - line),
                     line);
            c->elf = c->elf_buf;
            rc = CLI_OK;
        }
        break;
    }
    free(info);
    if (rc != CLI_OK) {
        cli_fail(c,
                 "%s does not report the program it runs: give --elf FILE "
                 "for symbols",
                 cli_core_name(c, c->core_idx));
    }
    return rc;
}

int cli_symbol(struct cli *c, const char *what, const char *text,
               uint64_t *addr)
{
    char name[256], err[512];
    const char *plus = strchr(text, '+');
    uint64_t off = 0;
    size_t n = plus ? (size_t)(plus - text) : strlen(text);
    int r;

    if (n >= sizeof(name) ||
        (plus && cli_parse_u64(plus + 1, UINT64_MAX, &off) != 0)) {
        return cli_usage_error(c, "%s '%s' is not a number or SYMBOL[+OFFSET]",
                               what, text);
    }
    if (!c->elf && (!c->core || target_elf(c) != CLI_OK)) {
        return CLI_ERR_USAGE;
    }
    memcpy(name, text, n);
    name[n] = '\0';
    if (access(c->elf, R_OK) < 0) {
        return cli_usage_error(c, "%s '%s': cannot read the ELF file %s: %s",
                               what, text, c->elf, strerror(errno));
    }
    r = vp_elf_symbol(c->elf, name, addr, NULL, err, sizeof(err));
    if (r == -ENOENT) {
        return cli_usage_error(c, "%s '%s': no symbol '%s' in %s", what, text,
                               name, c->elf);
    }
    if (r < 0) {
        return cli_usage_error(c, "%s '%s': %s", what, text, err);
    }
    *addr += off;
    return CLI_OK;
}
