/*
 * cmd_run.c - the `mcdshm` commands on execution: run, stop, step, state,
 * reset and cmd.
 *
 * --all means the MCD "global" flag (every core that takes part in global
 * run control) for run, stop and step, and every core for state, which
 * opens each core in turn.  The pc shown is the register called "pc",
 * found in the core's register map.  Single-threaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Room for the result of `cmd`. */
#define CMD_RESULT_LEN 65536

int cmd_run(struct cli *c, const struct cli_opts *o)
{
    int rc;

    rc = CLI_MCD(c, c->core, mcd_run_f, c->core, o->all);
    if (rc == CLI_OK && !c->quiet) {
        printf("%s running\n",
               o->all ? "all cores" : c->cores[c->core_idx].core);
    }
    return rc;
}

int cmd_stop(struct cli *c, const struct cli_opts *o)
{
    int rc;

    rc = CLI_MCD(c, c->core, mcd_stop_f, c->core, o->all);
    if (rc == CLI_OK && !c->quiet) {
        printf("%s stopped\n",
               o->all ? "all cores" : c->cores[c->core_idx].core);
    }
    return rc;
}

/* "hart0: pc = 0x..." for core @idx (the chosen core without a prefix). */
static int show_pc(struct cli *c, uint32_t idx, bool prefix)
{
    mcd_core_st *core = NULL;
    uint64_t pc;
    int rc, r;

    rc = cli_open_core(c, idx, &core);
    if (rc == CLI_OK) {
        rc = cli_read_pc(c, core, &pc);
    }
    if (rc == CLI_OK) {
        printf("%s%spc = 0x%016llx\n", prefix ? cli_core_name(c, idx) : "",
               prefix ? ": " : "", (unsigned long long)pc);
    }
    r = cli_close_core(c, core);
    return rc == CLI_OK ? r : rc;
}

int check_step(const struct cli *c, const struct cli_opts *o)
{
    if (o->nargs > 0 && o->num[0] == 0) {
        return cli_usage_error(c, "N must be at least 1");
    }
    return CLI_OK;
}

int cmd_step(struct cli *c, const struct cli_opts *o)
{
    uint32_t n = o->nargs > 0 ? (uint32_t)o->num[0] : 1, i;
    int rc;

    rc = CLI_MCD(c, c->core, mcd_step_f, c->core, o->all,
                 MCD_CORE_STEP_TYPE_INSTR, n);
    if (rc == CLI_OK && !o->all) {
        rc = show_pc(c, c->core_idx, false);
    }
    for (i = 0; rc == CLI_OK && o->all && i < c->ncores; i++) {
        rc = show_pc(c, i, true);
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * state
 */

static void print_events(mcd_core_event_et ev)
{
    if (!ev) {
        return;
    }
    printf("  events:%s%s%s%s%s%s%s\n",
           ev & MCD_CORE_EVENT_MEMORY_CHANGE ? " memory-change" : "",
           ev & MCD_CORE_EVENT_REGISTER_CHANGE ? " register-change" : "",
           ev & MCD_CORE_EVENT_TRACE_CHANGE ? " trace-change" : "",
           ev & MCD_CORE_EVENT_TRIGGER_CHANGE ? " trigger-change" : "",
           ev & MCD_CORE_EVENT_STOPPED ? " stopped" : "",
           ev & MCD_CORE_EVENT_CHL_PENDING ? " channel-pending" : "",
           ev & ~(uint32_t)0x3f ? " custom" : "");
}

static void print_state(const char *name, const mcd_core_state_st *st,
                        const uint64_t *pc)
{
    printf("%s: %s", name, cli_state_name(st->state));
    if (pc) {
        printf(", pc 0x%016llx", (unsigned long long)*pc);
    }
    if (st->stop_str[0]) {
        printf(", stop reason: %s", st->stop_str);
    }
    if (st->trig_id && st->state != MCD_CORE_STATE_RUNNING) {
        printf(" (trigger %u)", (unsigned)st->trig_id);
    }
    printf("\n");
    if (st->info_str[0]) {
        printf("  info: %s\n", st->info_str);
    }
    print_events(st->event);
}

/* The state of core @idx, and its pc when it is stopped. */
static int show_state(struct cli *c, uint32_t idx)
{
    mcd_core_state_st st;
    mcd_core_st *core = NULL;
    bool stopped;
    uint64_t pc;
    int rc, r;

    memset(&st, 0, sizeof(st));
    rc = cli_open_core(c, idx, &core);
    if (rc == CLI_OK) {
        rc = CLI_MCD(c, core, mcd_qry_state_f, core, &st);
    }
    st.stop_str[MCD_INFO_STR_LEN - 1] = '\0';
    st.info_str[MCD_INFO_STR_LEN - 1] = '\0';
    /* A running core's registers are not meaningful (or readable). */
    stopped =
        st.state == MCD_CORE_STATE_DEBUG || st.state == MCD_CORE_STATE_HALTED;
    if (rc == CLI_OK && stopped) {
        rc = cli_read_pc(c, core, &pc);
    }
    if (rc == CLI_OK) {
        print_state(cli_core_name(c, idx), &st, stopped ? &pc : NULL);
    }
    r = cli_close_core(c, core);
    return rc == CLI_OK ? r : rc;
}

int cmd_state(struct cli *c, const struct cli_opts *o)
{
    uint32_t i;
    int rc = CLI_OK;

    if (!o->all) {
        return show_state(c, c->core_idx);
    }
    for (i = 0; rc == CLI_OK && i < c->ncores; i++) {
        rc = show_state(c, i);
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * reset, cmd
 */

static int reset_info(const struct cli *c, uint8_t cls, mcd_rst_info_st *ri)
{
    int rc;

    memset(ri, 0, sizeof(*ri));
    rc = CLI_MCD(c, c->core, mcd_qry_rst_class_info_f, c->core, cls, ri);
    ri->info_str[MCD_INFO_STR_LEN - 1] = '\0';
    return rc;
}

static int reset_list(const struct cli *c, uint32_t vec)
{
    mcd_rst_info_st ri;
    uint8_t i;
    int rc = CLI_OK;

    if (vec == 0) {
        cli_note(c, "%s has no reset classes", cli_core_name(c, c->core_idx));
    }
    for (i = 0; rc == CLI_OK && i < 32; i++) {
        if (vec & (1u << i)) {
            rc = reset_info(c, i, &ri);
            if (rc == CLI_OK) {
                printf("%u: %s\n", (unsigned)i, ri.info_str);
            }
        }
    }
    return rc;
}

/* The class to reset: --class, else the lowest one the core has. */
static int reset_class(const struct cli *c, const struct cli_opts *o,
                       uint32_t vec, uint8_t *cls)
{
    uint8_t i;

    if (o->rst_class >= 0) {
        *cls = (uint8_t)o->rst_class;
        if (!(vec & (1u << *cls))) {
            return cli_usage_error(c,
                                   "--class %d: %s has no such reset "
                                   "class (see 'mcdshm reset --list')",
                                   o->rst_class, cli_core_name(c, c->core_idx));
        }
        return CLI_OK;
    }
    for (i = 0; i < 32; i++) {
        if (vec & (1u << i)) {
            *cls = i;
            return CLI_OK;
        }
    }
    return cli_fail(c, "%s has no reset classes",
                    cli_core_name(c, c->core_idx));
}

int cmd_reset(struct cli *c, const struct cli_opts *o)
{
    mcd_rst_info_st ri;
    uint32_t vec = 0;
    uint8_t cls = 0;
    int rc;

    rc = CLI_MCD(c, c->core, mcd_qry_rst_classes_f, c->core, &vec);
    if (rc == CLI_OK && o->list) {
        return reset_list(c, vec);
    }
    if (rc == CLI_OK) {
        rc = reset_class(c, o, vec, &cls);
    }
    if (rc == CLI_OK) {
        rc = reset_info(c, cls, &ri);
    }
    if (rc == CLI_OK) {
        rc = CLI_MCD(c, c->core, mcd_rst_f, c->core, 1u << cls, o->halt);
    }
    if (rc == CLI_OK && !c->quiet) {
        printf("%s: reset class %u (%s)%s\n", cli_core_name(c, c->core_idx),
               (unsigned)cls, ri.info_str, o->halt ? ", halted" : "");
    }
    return rc;
}

int cmd_cmd(struct cli *c, const struct cli_opts *o)
{
    size_t len;
    char *out;
    int rc;

    out = calloc(1, CMD_RESULT_LEN);
    if (!out) {
        return cli_fail(c, "no memory for the result");
    }
    rc = CLI_MCD(c, c->core, mcd_execute_command_f, c->core, o->arg[0],
                 CMD_RESULT_LEN, out);
    out[CMD_RESULT_LEN - 1] = '\0';
    len = strlen(out);
    if (rc == CLI_OK && len > 0) {
        fputs(out, stdout);
        if (out[len - 1] != '\n') {
            putchar('\n');
        }
    }
    free(out);
    return rc;
}
