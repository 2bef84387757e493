/*
 * test_conformance.c - the MCD API conformance suite: entry point and
 * function coverage.
 *
 * The suite proves that an MCD 1.1 implementation (libmcdshm.so, loaded
 * with dlopen() from $MCDSHM_LIB) behaves as mcd_api.h and the fact sheet
 * (spec/mcd-api.md sections 5 and 6) say, against a live target reached
 * with $MCDSHM_CONFIG and described by a profile (targets.h).  The tests
 * are grouped by area:
 *   conf_server.c  initialize, exit, servers, systems, devices, cores,
 *                  opening and closing, where errors are reported
 *   conf_query.c   core modes, device description, payload, input handle,
 *                  memory spaces and blocks, overlays, register map
 *   conf_mem.c     memory and register transactions
 *   conf_trig.c    breakpoints, watchpoints, trigger set and states
 *   conf_run.c     step, run, stop, global control, time, reset, command
 *   conf_trace.c   traces and their frames against the real execution
 *   conf_misc.c    channels, two debuggers at once
 * with conf_lib.c (loading, fixtures, checks), conf_util.c (helpers) and
 * targets.c (profiles, ELF symbols).  tests/conformance/run_vp.sh runs it
 * against mcdshm-vp; without the environment every test is skipped with
 * what to set.
 *
 * Criterion forks a process per test, so "every function was called" is
 * not something one test can observe: cover[] below names, for each of
 * the 54 functions, tests that call it.  A static assertion and a test
 * check that the table has one entry per function, in order, and main()
 * checks before running that every test it names exists.
 *
 * main() is ours, not Criterion's, so that --jobs is always 1: the
 * target is shared by all tests, which must never run at the same time.
 * A report hook prints every skip with its reason even without
 * --verbose: nothing is skipped silently.
 */
#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

/* Tests ("suite::name", space-separated) that call one function. */
struct conf_cover {
    enum conf_fn fn;
    const char *tests;
};

#define COVER(name, tests)    \
    {                         \
        CONF_FN_##name, tests \
    }

static const struct conf_cover cover[] = {
    COVER(initialize, "server::initialize_accepts_1_1 "
                      "server::initialize_refuses_2_0"),
    COVER(exit, "server::exit_then_new_session"),
    COVER(qry_servers, "server::qry_servers_count_then_fetch"),
    COVER(open_server, "server::open_same_server_twice"),
    COVER(close_server, "server::close_server_twice"),
    COVER(set_server_config, "server::server_config_sizes"),
    COVER(qry_server_config, "server::server_config_sizes"),
    COVER(qry_systems, "system::qry_systems_count_then_fetch"),
    COVER(qry_devices, "system::qry_devices_count_then_fetch"),
    COVER(qry_cores, "system::qry_cores_count_then_fetch"),
    COVER(qry_core_modes, "query::core_modes_count_then_fetch"),
    COVER(open_core, "core::open_every_core core::open_same_core_twice"),
    COVER(close_core, "core::close_core_twice"),
    COVER(qry_error_info, "core::error_info_core_and_coreless "
                          "core::close_core_twice"),
    COVER(qry_device_description, "query::device_description_sizes"),
    COVER(qry_max_payload_size, "query::max_payload_size"),
    COVER(qry_input_handle, "query::input_handle"),
    COVER(qry_mem_spaces, "mem_map::spaces_and_blocks"),
    COVER(qry_mem_blocks, "mem_map::spaces_and_blocks"),
    COVER(qry_active_overlays, "mem_map::active_overlays"),
    COVER(qry_reg_groups, "reg_map::groups_and_group_0"),
    COVER(qry_reg_map, "reg_map::groups_and_group_0"),
    COVER(qry_reg_compound, "reg_map::compound_registers"),
    COVER(qry_trig_info, "trig::trig_info_and_ctrigs"),
    COVER(qry_ctrigs, "trig::trig_info_and_ctrigs"),
    COVER(create_trig, "trig::breakpoint_stops_at_bp_here "
                       "trig::complex_written_back_and_read_back "
                       "trig::trigger_bus_created_or_refused"),
    COVER(qry_trig, "trig::qry_trig_simple_size "
                    "trig::qry_trig_too_small_buffer"),
    COVER(remove_trig, "trig::removed_trigger_is_gone"),
    COVER(qry_trig_state, "trig::trig_set_and_states "
                          "trig::breakpoint_stops_at_bp_here"),
    COVER(activate_trig_set, "trig::trig_set_and_states"),
    COVER(remove_trig_set, "trig::trig_set_and_states"),
    COVER(qry_trig_set, "trig::trig_set_and_states"),
    COVER(qry_trig_set_state, "trig::trig_set_and_states"),
    COVER(execute_txlist, "mem::txlist_64_mixed "
                          "mem::roundtrip_physical_sizes_alignments "
                          "mem::txlist_stops_at_failed_read "
                          "regs::consecutive_registers_in_one_transaction"),
    COVER(run, "run::global_run_and_stop run::one_core_runs_alone"),
    COVER(stop, "run::global_run_and_stop run::one_core_runs_alone"),
    COVER(run_until, "run::run_until_absolute_time"),
    COVER(qry_current_time, "run::time_advances_while_running"),
    COVER(step, "run::step_exactly_n_instructions run::step_one_moves_pc"),
    COVER(set_global, "run::set_global_excludes_a_core"),
    COVER(qry_state, "run::global_run_and_stop core::open_every_core"),
    COVER(execute_command, "cmd::help_prints_something"),
    COVER(qry_rst_classes, "reset::classes_and_info"),
    COVER(qry_rst_class_info, "reset::classes_and_info"),
    COVER(rst, "reset::system_reset_to_reset_pc "
               "reset::core_reset_resets_one_core"),
    COVER(chl_open, "chl::appli_channel_open_receive_send_close "
                    "chl::unknown_type_refused_or_opened"),
    COVER(send_msg, "chl::appli_channel_open_receive_send_close"),
    COVER(receive_msg, "chl::appli_channel_open_receive_send_close"),
    COVER(chl_reset, "chl::appli_channel_open_receive_send_close"),
    COVER(chl_close, "chl::appli_channel_open_receive_send_close"),
    COVER(qry_traces, "trace::qry_traces_and_state"),
    COVER(qry_trace_state, "trace::qry_traces_and_state"),
    COVER(set_trace_state, "trace::pipe_frames_follow_execution "
                           "trace::fifo_wraps_and_pages"),
    COVER(read_trace, "trace::pipe_frames_follow_execution "
                      "trace::fifo_wraps_and_pages"),
};

_Static_assert(sizeof(cover) / sizeof(cover[0]) == CONF_FN_COUNT,
               "cover[] needs one entry per MCD function");

/* The table itself: one entry per function, in the API's order. */
Test(coverage, every_function_has_a_test, .init = conf_open_env,
     .timeout = CONF_TIMEOUT)
{
    uint32_t k;

    for (k = 0; k < CONF_FN_COUNT; k++) {
        cr_assert(cover[k].fn == k, "cover[%u] is about %s, expected %s", k,
                  conf_fn_names[cover[k].fn], conf_fn_names[k]);
        cr_assert(cover[k].tests && strstr(cover[k].tests, "::"),
                  "%s: no test listed", conf_fn_names[k]);
    }
}

/* ------------------------------------------------------------------------
 * Reporting and main
 */

/* Criterion prints skip reasons only when verbose; print them always. */
ReportHook(POST_FINI)(struct criterion_test_stats *st)
{
    if (st->test_status == CR_STATUS_SKIPPED &&
        criterion_options.logging_threshold > CRITERION_INFO) {
        fprintf(stderr, "[SKIP] %s::%s: %s\n", st->test->category,
                st->test->name, st->message ? st->message : "(no reason)");
    }
}

ReportHook(POST_ALL)(struct criterion_global_stats *st)
{
    if (st->tests_skipped) {
        fprintf(stderr, "[====] Skipped: %zu of %zu tests (reasons above)\n",
                st->tests_skipped, st->nb_tests);
    }
}

static bool test_exists(struct criterion_test_set *set, const char *name,
                        size_t len)
{
    struct criterion_ordered_set_node *sn, *tn;
    struct criterion_suite_set *ss;
    struct criterion_test *t;
    char full[256];

    for (sn = set->suites->first; sn; sn = sn->next) {
        ss = (struct criterion_suite_set *)(sn + 1);
        for (tn = ss->tests ? ss->tests->first : NULL; tn; tn = tn->next) {
            t = (struct criterion_test *)(tn + 1);
            snprintf(full, sizeof(full), "%s::%s", t->category, t->name);
            if (strlen(full) == len && !strncmp(full, name, len)) {
                return true;
            }
        }
    }
    return false;
}

/* Every test cover[] names must exist; a renamed test must not hide. */
static int cover_check_names(struct criterion_test_set *set)
{
    const char *p, *end;
    int bad = 0;
    uint32_t k;

    for (k = 0; k < CONF_FN_COUNT; k++) {
        for (p = cover[k].tests; *p; p = end) {
            p += strspn(p, " ");
            end = p + strcspn(p, " ");
            if (end > p && !test_exists(set, p, (size_t)(end - p))) {
                fprintf(stderr,
                        "cover[]: %s names test %.*s, which does "
                        "not exist\n",
                        conf_fn_names[k], (int)(end - p), p);
                bad = 1;
            }
        }
    }
    return bad ? -1 : 0;
}

/*
 * Default visibility even under -fvisibility=hidden: Criterion's sandbox
 * (BoxFort) finds main through the dynamic symbol table to redirect it in
 * each test's worker process; hidden, every worker runs main again and
 * Criterion bails out ("Re-entering criterion from a test worker").
 */
__attribute__((visibility("default"))) int main(int argc, char *argv[])
{
    struct criterion_test_set *tests = criterion_initialize();
    int result = 1;

    if (cover_check_names(tests) < 0) {
        criterion_finalize(tests);
        return 2;
    }
    if (!criterion_handle_args(argc, argv, true)) {
        criterion_finalize(tests);
        return 0;
    }
    /* One target for all: tests must never run at the same time. */
    criterion_options.jobs = 1;
    result = !criterion_run_all_tests(tests);
    criterion_finalize(tests);
    return result;
}
