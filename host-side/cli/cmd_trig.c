/*
 * cmd_trig.c - the `mcdshm` commands on triggers: break, watch, triggers,
 * delete, and the two that make triggers useful from a one-shot tool,
 * run-to and watch-run.
 *
 * A trigger belongs to the core connection that created it: when this
 * process closes the connection, the server releases it.  So run-to and
 * watch-run do the whole job in one connection: create the trigger, run,
 * poll mcd_qry_state_f every millisecond until the core stops (or the
 * time-out passes, or SIGINT), show where and why, and remove the trigger
 * on every path.  Single-threaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* What a trigger command asks for. */
struct trig_req {
    mcd_trig_type_et type;
    uint64_t addr;
    uint64_t len;      /* bytes covered, >= 1 */
    const char *space; /* --space, NULL = default */
};

static const char *trig_type_name(mcd_trig_type_et t)
{
    switch (t) {
    case MCD_TRIG_TYPE_IP:
        return "breakpoint";
    case MCD_TRIG_TYPE_READ:
        return "read watchpoint";
    case MCD_TRIG_TYPE_WRITE:
        return "write watchpoint";
    case MCD_TRIG_TYPE_RW:
        return "access watchpoint";
    case MCD_TRIG_TYPE_NOCYCLE:
        return "nocycle";
    case MCD_TRIG_TYPE_TRIG_BUS:
        return "trigger-bus";
    case MCD_TRIG_TYPE_COUNTER:
        return "counter";
    case MCD_TRIG_TYPE_CUSTOM:
        return "custom";
    default:
        return "other";
    }
}

/*
 * Create a trigger that stops the core.  *id 0 means the target created
 * it without an id of its own: only mcd_remove_trig_set_f removes it.
 */
static int trig_create(const struct cli *c, const struct trig_req *r,
                       uint32_t *id)
{
    mcd_trig_simple_core_st t;
    mcd_memspace_st sp;
    int rc;

    rc = cli_pick_space(c, r->space, true, &sp);
    if (rc != CLI_OK) {
        return rc;
    }
    memset(&t, 0, sizeof(t));
    t.struct_size = sizeof(t);
    t.type = r->type;
    t.option = MCD_TRIG_OPT_DEFAULT;
    t.action = MCD_TRIG_ACTION_DBG_DEBUG;
    t.addr_start.address = r->addr;
    t.addr_start.mem_space_id = sp.mem_space_id;
    t.addr_range = r->len - 1; /* addr_range n covers n + 1 bytes */
    *id = 0;
    rc = CLI_MCD(c, c->core, mcd_create_trig_f, c->core, &t, id);
    if (rc == CLI_OK && t.modified) {
        cli_note(c, "the target approximated the %s: 0x%llx, range %llu",
                 trig_type_name(r->type),
                 (unsigned long long)t.addr_start.address,
                 (unsigned long long)t.addr_range);
    }
    return rc;
}

static int trig_remove(const struct cli *c, uint32_t id)
{
    if (id == 0) {
        return CLI_MCD(c, c->core, mcd_remove_trig_set_f, c->core);
    }
    return CLI_MCD(c, c->core, mcd_remove_trig_f, c->core, id);
}

static void show_created(const struct cli *c, const struct trig_req *r,
                         uint32_t id)
{
    printf("%s %u at 0x%llx", trig_type_name(r->type), (unsigned)id,
           (unsigned long long)r->addr);
    if (r->type != MCD_TRIG_TYPE_IP) {
        printf(", %llu bytes", (unsigned long long)r->len);
    }
    printf("\n");
    cli_note(c, "triggers belong to this connection: it is removed when "
                "mcdshm exits (see run-to, watch-run)");
}

int cmd_break(struct cli *c, const struct cli_opts *o)
{
    struct trig_req r = {
        .type = MCD_TRIG_TYPE_IP,
        .addr = o->num[0],
        .len = 1,
        .space = o->space,
    };
    uint32_t id;
    int rc;

    rc = trig_create(c, &r, &id);
    if (rc == CLI_OK) {
        show_created(c, &r, id);
    }
    return rc;
}

/* LEN of watch and watch-run: default 1, at least 1, no wrap-around. */
static uint64_t watch_len(const struct cli_opts *o)
{
    return o->nargs > 1 ? o->num[1] : 1;
}

int check_watch(const struct cli *c, const struct cli_opts *o)
{
    return cli_check_range(c, o->num[0], watch_len(o), 0);
}

static void watch_req(const struct cli_opts *o, struct trig_req *r)
{
    r->type = o->access ? o->access : MCD_TRIG_TYPE_WRITE;
    r->addr = o->num[0];
    r->len = watch_len(o);
    r->space = o->space;
}

int cmd_watch(struct cli *c, const struct cli_opts *o)
{
    struct trig_req r;
    uint32_t id;
    int rc;

    watch_req(o, &r);
    rc = trig_create(c, &r, &id);
    if (rc == CLI_OK) {
        show_created(c, &r, id);
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * triggers, delete
 */

static mcd_return_et qry_trig_set(const void *ctx, uint32_t start,
                                  uint32_t *num, void *out)
{
    return mcd_qry_trig_set_f(ctx, start, num, out);
}

static int show_trigger(const struct cli *c, uint32_t id)
{
    mcd_trig_complex_core_st t; /* the largest core trigger */
    mcd_trig_state_st ts;
    int rc;

    memset(&t, 0, sizeof(t));
    memset(&ts, 0, sizeof(ts));
    rc = CLI_MCD(c, c->core, mcd_qry_trig_f, c->core, id, sizeof(t), &t);
    if (rc == CLI_OK) {
        rc = CLI_MCD(c, c->core, mcd_qry_trig_state_f, c->core, id, &ts);
    }
    if (rc != CLI_OK) {
        return rc;
    }
    printf("%-4u %-18s ", (unsigned)id, trig_type_name(t.type));
    /* Only the simple and complex core triggers have an address. */
    if (t.struct_size >= sizeof(mcd_trig_simple_core_st) &&
        t.type & (MCD_TRIG_TYPE_IP | MCD_TRIG_TYPE_READ | MCD_TRIG_TYPE_WRITE |
                  MCD_TRIG_TYPE_RW)) {
        printf("0x%016llx %-8llu ", (unsigned long long)t.addr_start.address,
               (unsigned long long)t.addr_range + 1);
    } else {
        printf("%-18s %-8s ", "-", "-");
    }
    printf("%s\n", !ts.captured_valid ? "?" : ts.captured ? "yes" : "no");
    return CLI_OK;
}

int cmd_triggers(struct cli *c, const struct cli_opts *o)
{
    mcd_trig_set_state_st set;
    uint32_t *ids, i, n;
    int rc;

    (void)o;
    rc = cli_list(c, c->core, "mcd_qry_trig_set_f", qry_trig_set, c->core,
                  sizeof(*ids), (void **)&ids, &n);
    if (rc == CLI_OK && n == 0) {
        cli_note(c, "no triggers on this connection");
    }
    if (rc == CLI_OK && n > 0) {
        /* Sample the whole set once; each trigger's state is read from
         * that sample. */
        memset(&set, 0, sizeof(set));
        rc = CLI_MCD(c, c->core, mcd_qry_trig_set_state_f, c->core, &set);
    }
    if (rc == CLI_OK && n > 0 && !c->quiet) {
        printf("%-4s %-18s %-18s %-8s %s\n", "ID", "TYPE", "ADDRESS", "BYTES",
               "CAPTURED");
    }
    for (i = 0; rc == CLI_OK && i < n; i++) {
        rc = show_trigger(c, ids[i]);
    }
    free(ids);
    return rc;
}

int check_delete(const struct cli *c, const struct cli_opts *o)
{
    if (o->all == (o->nargs > 0)) {
        return cli_usage_error(c, "give a trigger ID or --all");
    }
    return CLI_OK;
}

int cmd_delete(struct cli *c, const struct cli_opts *o)
{
    int rc;

    if (o->all) {
        rc = CLI_MCD(c, c->core, mcd_remove_trig_set_f, c->core);
    } else {
        rc = CLI_MCD(c, c->core, mcd_remove_trig_f, c->core,
                     (uint32_t)o->num[0]);
    }
    if (rc == CLI_OK && !c->quiet) {
        if (o->all) {
            printf("deleted every trigger\n");
        } else {
            printf("deleted trigger %u\n", (unsigned)o->num[0]);
        }
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * run-to, watch-run
 */

static bool is_stopped(const mcd_core_state_st *st)
{
    return (st->event & MCD_CORE_EVENT_STOPPED) ||
           st->state == MCD_CORE_STATE_DEBUG ||
           st->state == MCD_CORE_STATE_HALTED;
}

/* Stop the core (every core with --all) after a time-out or a signal. */
static void stop_after(const struct cli *c, bool all)
{
    CLI_MCD(c, c->core, mcd_stop_f, c->core, all);
}

/*
 * Run and poll until the core stops.  The first mcd_qry_state_f clears the
 * events that accumulated before, so a STOPPED event afterwards belongs to
 * this run; mcd_run_f returns with the core running, so a stopped state
 * afterwards is a new stop too.
 */
static int run_until_stop(const struct cli *c, const struct cli_opts *o,
                          mcd_core_state_st *st)
{
    uint64_t t0, limit = (uint64_t)o->timeout_ms * 1000000ull;
    int rc;

    rc = CLI_MCD(c, c->core, mcd_qry_state_f, c->core, st);
    if (rc == CLI_OK) {
        rc = CLI_MCD(c, c->core, mcd_run_f, c->core, o->all);
    }
    t0 = cli_now_ns();
    while (rc == CLI_OK) {
        memset(st, 0, sizeof(*st));
        rc = CLI_MCD(c, c->core, mcd_qry_state_f, c->core, st);
        if (rc != CLI_OK || is_stopped(st)) {
            break;
        }
        if (cli_interrupted) {
            stop_after(c, o->all);
            return cli_fail(c, "interrupted; the core is stopped");
        }
        if (cli_now_ns() - t0 >= limit) {
            stop_after(c, o->all);
            return cli_fail(c, "timed out after %u ms; %s is stopped",
                            (unsigned)o->timeout_ms,
                            o->all ? "every core" : "the core");
        }
        cli_sleep_ms(1);
    }
    st->stop_str[MCD_INFO_STR_LEN - 1] = '\0';
    return rc;
}

/* Where the core stopped, and whether it was our trigger. */
static int report_stop(const struct cli *c, const struct trig_req *r,
                       uint32_t id, const mcd_core_state_st *st)
{
    uint64_t pc;
    bool ours;
    int rc;

    rc = cli_read_pc(c, c->core, &pc);
    if (rc != CLI_OK) {
        return rc;
    }
    /* A target that does not report trig_id still shows a breakpoint hit
     * by the pc. */
    ours = (id != 0 && st->trig_id == id) ||
           (r->type == MCD_TRIG_TYPE_IP && pc == r->addr);
    if (!ours) {
        return cli_fail(c,
                        "%s stopped at pc 0x%016llx before the %s at "
                        "0x%llx (stop reason: %s; trigger %u)",
                        cli_core_name(c, c->core_idx), (unsigned long long)pc,
                        trig_type_name(r->type), (unsigned long long)r->addr,
                        st->stop_str[0] ? st->stop_str : "none",
                        (unsigned)st->trig_id);
    }
    printf("%s: stopped at pc 0x%016llx by trigger %u (%s at 0x%llx)%s%s\n",
           cli_core_name(c, c->core_idx), (unsigned long long)pc, (unsigned)id,
           trig_type_name(r->type), (unsigned long long)r->addr,
           st->stop_str[0] ? ": " : "", st->stop_str);
    return CLI_OK;
}

static int run_to_trigger(struct cli *c, const struct cli_opts *o,
                          const struct trig_req *r)
{
    mcd_core_state_st st;
    uint32_t id = 0;
    int rc, r2;

    rc = trig_create(c, r, &id);
    if (rc != CLI_OK) {
        return rc;
    }
    rc = run_until_stop(c, o, &st);
    if (rc == CLI_OK && o->all) {
        /* The trigger stopped this core; the others stop with it. */
        rc = CLI_MCD(c, c->core, mcd_stop_f, c->core, TRUE);
    }
    if (rc == CLI_OK) {
        rc = report_stop(c, r, id, &st);
    }
    r2 = trig_remove(c, id);
    return rc == CLI_OK ? r2 : rc;
}

int cmd_run_to(struct cli *c, const struct cli_opts *o)
{
    struct trig_req r = {
        .type = MCD_TRIG_TYPE_IP,
        .addr = o->num[0],
        .len = 1,
        .space = o->space,
    };
    int rc = cli_check_pc(c, c->core, o->num[0], "ADDR");

    return rc == CLI_OK ? run_to_trigger(c, o, &r) : rc;
}

int cmd_watch_run(struct cli *c, const struct cli_opts *o)
{
    struct trig_req r;

    watch_req(o, &r);
    return run_to_trigger(c, o, &r);
}
