/*
 * Tests of libmcdshm (host-side/lib/) end to end: the library's 54
 * functions against test servers in forked processes that answer through
 * real shared memory with the stub's dispatcher over the fake core
 * (tests/lib/fake_server.c, tests/stub/fake_core.c).
 *
 * Covered: initialize/exit; opening and closing servers (config string
 * variants, malformed strings, explicit endpoints, remote hosts, the
 * empty string picking the next live server); qry_servers without
 * handshakes; systems, devices, cores and core queries, paged when they
 * exceed a slot; triggers; execution control; a 5 MiB read split into
 * pipelined chunks with every byte checked; writes checked by the server;
 * partial failures with exact progress; the last error per core and
 * core-less; a server killed mid-call (MCD_ERR_CONNECTION within 100 ms,
 * later calls too); timeouts; a rogue server's malformed answers; calls
 * from several threads; the configuration parser; the exported symbols
 * of the built library (MCDSHM_LIB).
 *
 * Every test runs in a fresh endpoint directory (MCDSHM_RUNTIME_DIR) and
 * kills its servers in .fini.
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host-side/lib/client.h"
#include "mcdshm/client.h"
#include "tests/lib/fake_server.h"
#include "tests/stub/fake_core.h"

#define MAX_SERVERS 8
#define MIB (1u << 20)

static char dir[64];
static pid_t servers[MAX_SERVERS];
static int nservers;

static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/mcdshm-lib-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    setenv("MCDSHM_RUNTIME_DIR", dir, 1);
    nservers = 0;
}

static void cleanup(void)
{
    char cmd[128];
    int i;

    for (i = 0; i < nservers; i++) {
        kill(servers[i], SIGKILL);
        waitpid(servers[i], NULL, 0);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
}

TestSuite(client, .init = make_dir, .fini = cleanup, .timeout = 60);
TestSuite(config, .timeout = 10);

static pid_t spawn(const char *name, const char *path, unsigned flags)
{
    pid_t pid = fake_server_spawn(name, path, flags);

    cr_assert_lt(nservers, MAX_SERVERS);
    servers[nservers++] = pid;
    return pid;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The last error of @core (NULL: core-less). */
static mcd_error_info_st last_error(const mcd_core_st *core)
{
    mcd_error_info_st e;

    memset(&e, 0x55, sizeof(e));
    mcd_qry_error_info_f(core, &e);
    return e;
}

/* Expect @ret to be an error @code whose message holds @part. */
static void expect_error(mcd_return_et ret, const mcd_core_st *core,
                         mcd_error_code_et code, const char *part)
{
    mcd_error_info_st e = last_error(core);

    cr_assert_eq(ret, MCD_RET_ACT_HANDLE_ERROR, "ret %u (%s)", ret,
                 e.error_str);
    cr_assert_eq(e.return_status, MCD_RET_ACT_HANDLE_ERROR);
    cr_assert_eq(e.error_code, code, "code 0x%x: %s", e.error_code,
                 e.error_str);
    cr_assert_neq(e.error_str[0], '\0', "empty message");
    cr_assert_not_null(strstr(e.error_str, part), "'%s' lacks '%s'",
                       e.error_str, part);
}

#define OK(call, core)                                              \
    do {                                                            \
        mcd_return_et r_ = (call);                                  \
        cr_assert_eq(r_, MCD_RET_ACT_NONE, "%s: %u: %s", #call, r_, \
                     last_error(core).error_str);                   \
    } while (0)

static mcd_server_st *open_server(const char *cfg)
{
    mcd_server_st *s = NULL;

    OK(mcd_open_server_f(NULL, cfg, &s), NULL);
    cr_assert_not_null(s);
    return s;
}

static mcd_core_st *open_core(uint32_t i)
{
    mcd_core_con_info_st ci = { 0 };
    mcd_core_st *core = NULL;

    strcpy(ci.system, "fakesys");
    snprintf(ci.core, sizeof(ci.core), "core%u", i);
    OK(mcd_open_core_f(&ci, &core), NULL);
    cr_assert_not_null(core);
    return core;
}

/* A server "fake" and core 0 on it. */
static mcd_core_st *setup_core(mcd_server_st **server, const char *cfg)
{
    spawn("fake", NULL, 0);
    *server = open_server(cfg ? cfg : "McdServerName=\"fake\"");
    return open_core(0);
}

static void command(const mcd_core_st *core, const char *cmd, char *out,
                    uint32_t size)
{
    OK(mcd_execute_command_f(core, cmd, size, out), core);
}

/* ------------------------------------------------------------------------
 * Configuration strings (no server)
 */

static int parse(const char *s, struct mcdc_config *cfg, char *err)
{
    mcdc_config_defaults(cfg);
    return mcdc_config_parse(s, cfg, err, MCDC_ERRLEN);
}

Test(config, every_key)
{
    struct mcdc_config cfg;
    char err[MCDC_ERRLEN] = "";

    cr_assert_eq(parse("  McdHostName=\"localhost\"\tMcdServerName=vp0 "
                       "McdSystemInstance=\"inst 1\" McdServerKey=\"k e y\" "
                       "McdExitIfLastClient=true "
                       "McdShmEndpoint=\"/tmp/x y.sock\" McdShmPolicy=busy "
                       "McdShmTimeoutMs=1500\n",
                       &cfg, err),
                 0, "%s", err);
    cr_assert_str_eq(cfg.host, "localhost");
    cr_assert_str_eq(cfg.server_name, "vp0");
    cr_assert_str_eq(cfg.system_instance, "inst 1");
    cr_assert_str_eq(cfg.server_key, "k e y");
    cr_assert(cfg.exit_if_last_client);
    cr_assert_str_eq(cfg.endpoint, "/tmp/x y.sock");
    cr_assert_eq(cfg.policy, SHM_POLICY_BUSY);
    cr_assert_eq(cfg.timeout_ms, 1500);
    cr_assert_eq(cfg.set, 0xff);
}

Test(config, defaults_case_and_unknown_keys)
{
    struct mcdc_config cfg;
    char err[MCDC_ERRLEN] = "";

    cr_assert_eq(parse(NULL, &cfg, err), 0);
    cr_assert_eq(parse("", &cfg, err), 0);
    cr_assert_eq(parse(" \t\n ", &cfg, err), 0);
    cr_assert_eq(cfg.set, 0);
    cr_assert_eq(cfg.policy, SHM_POLICY_HYBRID);
    cr_assert_eq(cfg.timeout_ms, 60000);
    cr_assert_str_eq(cfg.host, "localhost");
    cr_assert_eq(parse("McdAccHw.Frequency=1000000 Foo=\"bar baz\" "
                       "mcdshmpolicy=SLEEP mcdexitiflastclient=FALSE "
                       "McdShmTimeoutMs=0 Empty=",
                       &cfg, err),
                 0, "%s", err);
    cr_assert_eq(cfg.policy, SHM_POLICY_SLEEP, "keys and values any case");
    cr_assert_not(cfg.exit_if_last_client);
    cr_assert_eq(cfg.timeout_ms, -1, "0 = no timeout");
}

/* Expect @s to be refused with @part in the message. */
static void refused(const char *s, const char *part)
{
    struct mcdc_config cfg;
    char err[MCDC_ERRLEN] = "";

    cr_assert_eq(parse(s, &cfg, err), -EINVAL, "'%s' accepted", s);
    cr_assert_not_null(strstr(err, part), "'%s': '%s' lacks '%s'", s, err,
                       part);
}

Test(config, malformed_strings_name_the_position)
{
    refused("McdServerName", "missing '=' after 'McdServerName' at position 0");
    refused("A=1 B C=2", "missing '=' after 'B' at position 4");
    refused("McdServerName=\"vp0", "unterminated quoted value of "
                                   "'McdServerName' starting at position 14");
    refused("=x", "empty key at position 0");
    refused("A=\"x\"y", "'y' after the closing quote at position 5");
    refused("\"A\"=1", "missing '='");
}

Test(config, bad_values_name_the_key)
{
    refused("McdExitIfLastClient=maybe", "McdExitIfLastClient value 'maybe'");
    refused("McdShmPolicy=fast", "McdShmPolicy value 'fast'");
    refused("McdShmTimeoutMs=-1", "McdShmTimeoutMs value '-1'");
    refused("McdShmTimeoutMs=12x", "McdShmTimeoutMs value '12x'");
    refused("McdServerName=0123456789012345678901234567890123456789"
            "0123456789012345678901234",
            "longer than 63 bytes");
}

/* ------------------------------------------------------------------------
 * Initialization
 */

Test(client, initialize_answered_locally)
{
    mcd_api_version_st v = { 1, 1, "tool" };
    mcd_impl_version_info_st info;

    OK(mcd_initialize_f(&v, &info), NULL);
    cr_assert_eq(info.v_api.v_api_major, 1);
    cr_assert_eq(info.v_api.v_api_minor, 1);
    cr_assert_str_eq(info.vendor, "mcdshm");
    cr_assert_eq(info.v_imp_minor, MCDSHM_VERSION_MINOR);
    cr_assert_str_eq(mcdshm_version(), "0.1.0");
    /* Any other version is refused, naming both: 1.0's structures are
     * not 1.1's. */
    v.v_api_minor = 0;
    expect_error(mcd_initialize_f(&v, &info), NULL, MCD_ERR_GENERAL,
                 "API version 1.0 requested; libmcdshm implements MCD API "
                 "1.1 only");
    v.v_api_major = 2;
    v.v_api_minor = 1;
    expect_error(mcd_initialize_f(&v, &info), NULL, MCD_ERR_GENERAL,
                 "API version 2.1 requested; libmcdshm implements MCD API "
                 "1.1 only");
    v.v_api_major = 1;
    v.v_api_minor = 2;
    expect_error(mcd_initialize_f(&v, &info), NULL, MCD_ERR_GENERAL, "1.2");
    expect_error(mcd_initialize_f(NULL, &info), NULL, MCD_ERR_PARAM,
                 "version_req is NULL");
}

Test(client, exit_closes_everything)
{
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    uint32_t n = 0;

    (void)core;
    open_core(1);
    mcd_exit_f();
    expect_error(mcd_qry_systems_f(0, &n, NULL), NULL, MCD_ERR_CONNECTION,
                 "no server is open");
    s = open_server("McdServerName=fake");
    OK(mcd_qry_systems_f(0, &n, NULL), NULL);
    cr_assert_eq(n, 1);
    OK(mcd_close_server_f(s), NULL);
}

/* ------------------------------------------------------------------------
 * Servers
 */

Test(client, open_and_close_server)
{
    mcd_server_st *s;

    spawn("alpha", NULL, 0);
    s = open_server("McdServerName=\"alpha\" McdShmPolicy=sleep");
    cr_assert_str_eq(s->host, "localhost");
    cr_assert_str_eq(s->config_string,
                     "McdServerName=\"alpha\" McdShmPolicy=sleep");
    OK(mcd_close_server_f(s), NULL);
    expect_error(mcd_close_server_f(NULL), NULL, MCD_ERR_PARAM,
                 "server is NULL");
}

Test(client, empty_config_opens_the_next_live_server)
{
    mcd_server_st *a, *b, *c;

    spawn("b-second", NULL, 0);
    spawn("a-first", NULL, 0);
    a = open_server("");
    cr_assert_str_eq(a->config_string, "McdServerName=\"a-first\"");
    b = open_server(NULL);
    cr_assert_str_eq(b->config_string, "McdServerName=\"b-second\"");
    c = open_server("McdShmTimeoutMs=5000");
    cr_assert_str_eq(c->config_string,
                     "McdShmTimeoutMs=5000 McdServerName=\"a-first\"",
                     "all open: the first again");
    OK(mcd_close_server_f(a), NULL);
    OK(mcd_close_server_f(b), NULL);
    OK(mcd_close_server_f(c), NULL);
}

Test(client, explicit_endpoint)
{
    char path[128], cfg[200];
    mcd_server_st *s;

    snprintf(path, sizeof(path), "%s/elsewhere", dir);
    spawn("explicit", path, 0);
    snprintf(cfg, sizeof(cfg), "McdShmEndpoint=\"%s\"", path);
    s = open_server(cfg);
    cr_assert_str_eq(s->config_string, cfg);
    open_core(1);
    OK(mcd_close_server_f(s), NULL);
}

Test(client, open_server_failures)
{
    mcd_server_st *s = NULL;

    expect_error(mcd_open_server_f(NULL, "", &s), NULL, MCD_ERR_CONNECTION,
                 "no live mcdshm server in");
    expect_error(mcd_open_server_f(NULL, "McdServerName=\"nobody\"", &s), NULL,
                 MCD_ERR_CONNECTION, "cannot connect to");
    expect_error(mcd_open_server_f(NULL, "McdHostName=\"far.example.org\"", &s),
                 NULL, MCD_ERR_CONNECTION,
                 "host 'far.example.org': remote hosts need");
    expect_error(mcd_open_server_f(NULL, "McdServerName=\"x", &s), NULL,
                 MCD_ERR_PARAM, "unterminated quoted value");
    expect_error(mcd_open_server_f(NULL, "McdServerName", &s), NULL,
                 MCD_ERR_PARAM,
                 "missing '=' after 'McdServerName' at "
                 "position 0");
    expect_error(mcd_open_server_f(NULL, "", NULL), NULL, MCD_ERR_PARAM,
                 "server is NULL");
    cr_assert_null(s);

    spawn("locked-srv", NULL, 0);
    expect_error(mcd_open_server_f("locked", "McdServerName=locked-srv", &s),
                 NULL, MCD_ERR_SERVER_LOCKED, "locked by key");
    cr_assert_null(s);
}

Test(client, qry_servers_lists_live_endpoints_without_handshakes)
{
    mcd_server_info_st info[4];
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    uint32_t n = 0;
    int fd;

    spawn("srv1", NULL, 0);
    spawn("srv2", NULL, 0);
    /* A stale endpoint: bound, never listening. */
    snprintf(a.sun_path, sizeof(a.sun_path), "%s/dead.sock", dir);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    close(fd);

    OK(mcd_qry_servers_f("localhost", TRUE, 0, &n, NULL), NULL);
    cr_assert_eq(n, 2);
    n = 4;
    OK(mcd_qry_servers_f(NULL, TRUE, 0, &n, info), NULL);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(info[0].server, "srv1");
    cr_assert_str_eq(info[1].server, "srv2");
    cr_assert_str_eq(info[0].system_instance, "");
    n = 4;
    OK(mcd_qry_servers_f("", TRUE, 1, &n, info), NULL);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(info[0].server, "srv2");
    n = 0;
    OK(mcd_qry_servers_f(NULL, FALSE, 0, &n, NULL), NULL);
    cr_assert_eq(n, 3, "installed: stale ones too");
    n = 1;
    expect_error(mcd_qry_servers_f(NULL, TRUE, 2, &n, info), NULL,
                 MCD_ERR_PARAM, "start_index 2 is not below the 2");
    expect_error(mcd_qry_servers_f("elsewhere", TRUE, 0, &n, info), NULL,
                 MCD_ERR_CONNECTION, "remote hosts need");
}

Test(client, server_config)
{
    mcd_server_st *s;
    char buf[128];
    uint32_t len;

    spawn("cfg", NULL, 0);
    s = open_server("McdServerName=cfg Extra=1");
    len = sizeof(buf);
    OK(mcd_qry_server_config_f(s, &len, buf), NULL);
    cr_assert_str_eq(buf, "McdServerName=\"fake\" McdServerName=cfg Extra=1");
    cr_assert_eq(len, strlen(buf) + 1);
    len = 0;
    OK(mcd_qry_server_config_f(s, &len, NULL), NULL);
    cr_assert_eq(len, strlen(buf) + 1);
    len = 8;
    expect_error(mcd_qry_server_config_f(s, &len, buf), NULL,
                 MCD_ERR_RESULT_TOO_LONG, "needed");
    cr_assert_eq(len,
                 strlen("McdServerName=\"fake\" McdServerName=cfg "
                        "Extra=1") +
                     1,
                 "the size needed is given also on failure");
    cr_assert_str_eq(buf, "McdServ");

    OK(mcd_set_server_config_f(s, "McdShmPolicy=busy McdShmTimeoutMs=900 "
                                  "McdServerName=other Whatever=1"),
       NULL);
    len = sizeof(buf);
    OK(mcd_qry_server_config_f(s, &len, buf), NULL);
    cr_assert_str_eq(buf, "McdShmPolicy=busy McdShmTimeoutMs=900 "
                          "McdServerName=other Whatever=1");
    expect_error(mcd_set_server_config_f(s, "McdShmPolicy=\"busy"), NULL,
                 MCD_ERR_PARAM, "unterminated");
    OK(mcd_close_server_f(s), NULL);
}

/* ------------------------------------------------------------------------
 * Systems, devices, cores
 */

Test(client, systems_devices_cores)
{
    mcd_core_con_info_st sys[2], dev[2], cores[4];
    mcd_server_st *s;
    mcd_core_st *core;
    uint32_t n = 0;

    spawn("fake", NULL, 0);
    s = open_server("McdServerName=fake");
    OK(mcd_qry_systems_f(0, &n, NULL), NULL);
    cr_assert_eq(n, 1);
    n = 2;
    OK(mcd_qry_systems_f(0, &n, sys), NULL);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(sys[0].system, "fakesys");
    n = 2;
    OK(mcd_qry_devices_f(&sys[0], 0, &n, dev), NULL);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(dev[0].device, "fakedev");
    n = 4;
    OK(mcd_qry_cores_f(&dev[0], 0, &n, cores), NULL);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(cores[1].core, "core1");
    n = 4;
    OK(mcd_qry_cores_f(NULL, 0, &n, cores), NULL);
    cr_assert_eq(n, 2, "NULL con_info selects every system");
    cr_assert_str_eq(cores[0].core, "core0");
    n = 1;
    expect_error(mcd_qry_systems_f(1, &n, sys), NULL, MCD_ERR_PARAM,
                 "start_index 1 is not below the 1 systems");

    OK(mcd_open_core_f(&cores[1], &core), NULL);
    cr_assert_str_eq(core->core_con_info->core, "core1");
    cr_assert_str_eq(core->core_con_info->system, "fakesys");
    cr_assert_eq(core->core_con_info->core_id, 1);
    OK(mcd_close_core_f(core), NULL);

    strcpy(cores[1].core, "core9");
    expect_error(mcd_open_core_f(&cores[1], &core), NULL, MCD_ERR_PARAM,
                 "no core named 'core9'");
    OK(mcd_close_server_f(s), NULL);
}

Test(client, systems_gathered_from_every_server)
{
    mcd_core_con_info_st sys[4];
    uint32_t n = 0;

    spawn("one", NULL, 0);
    spawn("two", NULL, 0);
    open_server("McdServerName=one");
    open_server("McdServerName=two");
    OK(mcd_qry_systems_f(0, &n, NULL), NULL);
    cr_assert_eq(n, 2);
    n = 4;
    OK(mcd_qry_systems_f(1, &n, sys), NULL);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(sys[0].system, "fakesys");
}

Test(client, core_queries)
{
    mcd_memspace_st ms[4];
    mcd_memblock_st mb[8];
    mcd_register_group_st g[2];
    mcd_core_mode_info_st modes[2];
    mcd_ctrig_info_st ct[2];
    uint32_t ids[4], n;
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);

    n = 4;
    OK(mcd_qry_mem_spaces_f(core, 0, &n, ms), core);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(ms[2].mem_space_name, "space3");
    n = 8;
    OK(mcd_qry_mem_blocks_f(core, 2, 1, &n, mb), core);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(mb[0].mem_block_name, "block2");
    n = 4;
    OK(mcd_qry_active_overlays_f(core, 0, &n, ids), core);
    cr_assert_eq(n, 2);
    cr_assert_eq(ids[1], 8);
    n = 2;
    OK(mcd_qry_reg_groups_f(core, 0, &n, g), core);
    cr_assert_str_eq(g[0].reg_group_name, "gpr");
    n = 4;
    OK(mcd_qry_reg_compound_f(core, 100, 0, &n, ids), core);
    cr_assert_eq(n, 3);
    n = 2;
    OK(mcd_qry_core_modes_f(core, 0, &n, modes), core);
    cr_assert_str_eq(modes[1].name, "mode2");
    n = 2;
    OK(mcd_qry_ctrigs_f(core, 0, &n, ct), core);
    cr_assert_str_eq(ct[1].info_str, "ctrig2");
    n = 1;
    expect_error(mcd_qry_mem_blocks_f(core, 9, 0, &n, mb), core,
                 MCD_ERR_MEM_SPACE_ID, "no memory space 9");
    expect_error(mcd_qry_mem_spaces_f(core, 0, NULL, ms), core, MCD_ERR_PARAM,
                 "num_mem_spaces is NULL");
}

/* Fetch all @total registers (paged by the library) and check them. */
static void check_reg_map(const mcd_core_st *core, uint32_t start,
                          uint32_t total)
{
    uint32_t n = total + 5, i;
    mcd_register_info_st *r = calloc(n, sizeof(*r));
    char name[32];

    cr_assert_not_null(r);
    OK(mcd_qry_reg_map_f(core, 0, start, &n, r), core);
    cr_assert_eq(n, total - start);
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "r%u", start + i);
        cr_assert_str_eq(r[i].regname, name, "entry %u", i);
        cr_assert_eq(r[i].addr.address, (uint64_t)(start + i) * 8);
    }
    free(r);
}

Test(client, large_queries_are_paged)
{
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    char out[64];
    uint32_t n = 0;

    OK(mcd_qry_reg_map_f(core, 0, 0, &n, NULL), core);
    cr_assert_eq(n, FAKE_REGS);
    check_reg_map(core, 0, FAKE_REGS);
    check_reg_map(core, 17, FAKE_REGS);
    command(core, "regs 10001", out, sizeof(out));
    check_reg_map(core, 0, 10001);
    n = 2;
    expect_error(mcd_qry_reg_map_f(core, 0, 10001, &n, NULL), core,
                 MCD_ERR_PARAM, "reg_info is NULL");
}

Test(client, trace)
{
    mcd_trace_info_st ti;
    mcd_trace_state_st st;
    mcd_trace_data_core_st *f = calloc(FAKE_FRAMES, sizeof(*f));
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    uint32_t n = 1, i;

    OK(mcd_qry_traces_f(core, 0, &n, &ti), core);
    cr_assert_str_eq(ti.trace_name, "fake-trace");
    memset(&st, 0xA5, sizeof(st));
    st.state = MCD_TRACE_STATE_INIT;
    st.autoarm = 7;
    st.timestamp_accuracy = 50;
    st.info_str[0] = '\0';
    OK(mcd_set_trace_state_f(core, 1, &st), core);
    cr_assert_eq(st.state, MCD_TRACE_STATE_OFF);
    cr_assert_eq(st.modified, TRUE);
    cr_assert_eq(st.autoarm, TRUE);
    cr_assert_str_eq(st.info_str, "set by fake");
    OK(mcd_qry_trace_state_f(core, 1, &st), core);
    cr_assert_eq(st.frames, FAKE_FRAMES);

    n = 0;
    OK(mcd_read_trace_f(core, 1, 0, &n, sizeof(*f), NULL), core);
    cr_assert_eq(n, FAKE_FRAMES);
    /* More frames than one payload area holds: the library returns what
     * one request carries (a PIPE trace is consumed as it is read, so it
     * never pages); the caller reads on from where it got. */
    for (uint32_t at = 5; at < FAKE_FRAMES; at += n) {
        n = FAKE_FRAMES;
        OK(mcd_read_trace_f(core, 1, at, &n, sizeof(*f), f), core);
        cr_assert_gt(n, 0);
        cr_assert_leq(n, MCDSHM_DEFAULT_PAYLOAD / sizeof(*f));
        for (i = 0; i < n; i++) {
            cr_assert_eq(f[i].timestamp, at + i);
        }
    }
    n = 1;
    expect_error(mcd_read_trace_f(core, 1, 0, &n, 48, f), core, MCD_ERR_PARAM,
                 "not 48");
    free(f);
}

/* ------------------------------------------------------------------------
 * Triggers and execution control
 */

Test(client, triggers)
{
    mcd_trig_simple_core_st t;
    mcd_trig_counter_st cnt = { .struct_size = sizeof(cnt),
                                .type = MCD_TRIG_TYPE_COUNTER,
                                .count_value = 3 };
    mcd_trig_trig_bus_st bus = { .struct_size = 50 };
    mcd_trig_set_state_st ss;
    mcd_trig_state_st ts;
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    uint8_t big[128];
    uint32_t id, id2, ids[4], n = 4;

    memset(&t, 0xCC, sizeof(t)); /* padding garbage must not matter */
    t.struct_size = sizeof(t);
    t.type = MCD_TRIG_TYPE_IP;
    t.option = 0;
    t.action = MCD_TRIG_ACTION_DBG_DEBUG;
    t.action_param = 0;
    t.modified = FALSE;
    t.state_mask = 0;
    memset(&t.addr_start, 0, sizeof(t.addr_start));
    t.addr_start.address = 0x8000;
    t.addr_range = 0x10000;
    OK(mcd_create_trig_f(core, &t, &id), core);
    cr_assert_eq(t.modified, TRUE, "approximation written back");
    cr_assert_eq(t.addr_range, 0x1000);
    cr_assert_eq(t.addr_start.address, 0x8000);
    OK(mcd_create_trig_f(core, &cnt, &id2), core);
    cr_assert_neq(id, id2);

    memset(big, 0, sizeof(big));
    OK(mcd_qry_trig_f(core, id, sizeof(big), big), core);
    cr_assert_eq(((mcd_trig_simple_core_st *)big)->struct_size, 64);
    cr_assert_eq(((mcd_trig_simple_core_st *)big)->addr_range, 0x1000);
    cr_assert_eq(big[64], 0, "only the trigger's bytes are written");
    expect_error(mcd_qry_trig_f(core, id, 16, big), core,
                 MCD_ERR_RESULT_TOO_LONG, "needs 64 bytes");

    OK(mcd_qry_trig_set_f(core, 0, &n, ids), core);
    cr_assert_eq(n, 2);
    OK(mcd_qry_trig_set_state_f(core, &ss), core);
    cr_assert_eq(ss.trig_bus, 5);
    OK(mcd_qry_trig_state_f(core, id, &ts), core);
    cr_assert_eq(ts.count_value, 42);
    OK(mcd_activate_trig_set_f(core), core);
    OK(mcd_remove_trig_f(core, id), core);
    expect_error(mcd_remove_trig_f(core, id), core, MCD_ERR_TRIG_ACCESS,
                 "no trigger");
    OK(mcd_remove_trig_set_f(core), core);

    expect_error(mcd_create_trig_f(core, &bus, &id), core, MCD_ERR_PARAM,
                 "struct_size 50");
    cnt.type = MCD_TRIG_TYPE_IP;
    expect_error(mcd_create_trig_f(core, &cnt, &id), core, MCD_ERR_PARAM,
                 "48 with type COUNTER");
}

Test(client, execution_control)
{
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    mcd_core_state_st st;
    mcd_trig_info_st ti;
    mcd_rst_info_st ri;
    uint64_t t;
    uint32_t v, in;
    char url[64], out[8];

    OK(mcd_run_f(core, TRUE), core);
    OK(mcd_stop_f(core, 5), core);
    OK(mcd_run_until_f(core, FALSE, TRUE, 99), core);
    OK(mcd_step_f(core, FALSE, MCD_CORE_STEP_TYPE_INSTR, 3), core);
    expect_error(mcd_step_f(core, FALSE, 3, 1), core, MCD_ERR_PARAM,
                 "step_type 0x3");
    OK(mcd_set_global_f(core, TRUE), core);
    OK(mcd_qry_state_f(core, &st), core);
    cr_assert_eq(st.state, MCD_CORE_STATE_DEBUG);
    cr_assert_str_eq(st.stop_str, "breakpoint");
    OK(mcd_qry_current_time_f(core, &t), core);
    cr_assert_eq(t, 123456789000ull);
    OK(mcd_qry_trig_info_f(core, &ti), core);
    cr_assert_eq(ti.trig_number, 32);
    OK(mcd_qry_rst_classes_f(core, &v), core);
    cr_assert_eq(v, 3);
    OK(mcd_qry_rst_class_info_f(core, 0, &ri), core);
    cr_assert_str_eq(ri.info_str, "power-on");
    OK(mcd_rst_f(core, 2, TRUE), core);
    expect_error(mcd_rst_f(core, 8, FALSE), core, MCD_ERR_PARAM,
                 "reset classes 0x8");

    command(core, "echo hello world", url, sizeof(url));
    cr_assert_str_eq(url, "hello world");
    command(core, "long", out, sizeof(out));
    cr_assert_str_eq(out, "0000000", "truncated to the buffer");
    expect_error(mcd_execute_command_f(core, "bogus", 8, out), core,
                 MCD_ERR_GENERAL, "unknown command 'bogus'");

    in = sizeof(url);
    OK(mcd_qry_device_description_f(core, url, &in), core);
    cr_assert_str_eq(url, "file:///fake/device.xml");
    cr_assert_eq(in, strlen(url));
    in = 0;
    OK(mcd_qry_device_description_f(core, NULL, &in), core);
    cr_assert_eq(in, strlen(url) + 1);

    OK(mcd_qry_max_payload_size_f(core, &v), core);
    cr_assert_eq(v, 64u << 20);
    cr_assert_geq(v, 1u << 20);
}

Test(client, input_handle_is_the_socket)
{
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    struct stat st;
    uint32_t h = 0;

    OK(mcd_qry_input_handle_f(core, &h), core);
    cr_assert_eq(fstat((int)h, &st), 0);
    cr_assert(S_ISSOCK(st.st_mode));
}

Test(client, channels)
{
    mcd_chl_st chl = { .type = MCD_CHL_TYPE_APPLI,
                       .max_msg_len = 4096,
                       .prio = 2 };
    mcd_core_con_info_st sys = { 0 };
    mcd_core_st syscore = { NULL, &sys };
    uint8_t msg[8] = { 9, 8, 7, 6, 5, 4, 3, 2 }, got[16];
    uint32_t len = sizeof(got);
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);

    OK(mcd_chl_open_f(core, &chl), core);
    cr_assert_eq(chl.chl_id, 7);
    cr_assert_eq(chl.max_msg_len, 1024);
    OK(mcd_send_msg_f(core, &chl, sizeof(msg), msg), core);
    OK(mcd_receive_msg_f(core, &chl, 100, &len, got), core);
    cr_assert_eq(len, sizeof(msg));
    cr_assert_eq(memcmp(got, msg, sizeof(msg)), 0);
    OK(mcd_chl_reset_f(core, &chl), core);
    OK(mcd_chl_close_f(core, &chl), core);

    strcpy(sys.system, "fakesys");
    chl.chl_id = 0;
    OK(mcd_chl_open_f(&syscore, &chl), NULL);
    cr_assert_eq(chl.chl_id, 7, "system-level channel, core-less");
    chl.chl_id = 3;
    expect_error(mcd_chl_close_f(&syscore, &chl), NULL,
                 MCD_ERR_CHL_MESSAGE_FAILED, "no channel 3");
}

/* A channel function's argument error is filed under its core, like every
 * other core function's: the core's mcd_qry_error_info_f gives it. */
Test(client, channel_errors_filed_under_their_core)
{
    mcd_chl_st chl = { .type = MCD_CHL_TYPE_APPLI, .max_msg_len = 64 };
    uint32_t len = 4;
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    uint32_t n = 0;

    OK(mcd_qry_servers_f("", TRUE, 0, &n, NULL), NULL);
    expect_error(mcd_chl_open_f(core, NULL), core, MCD_ERR_PARAM,
                 "mcd_chl_open_f: channel is NULL");
    expect_error(mcd_send_msg_f(core, &chl, 4, NULL), core, MCD_ERR_PARAM,
                 "mcd_send_msg_f: msg is NULL");
    expect_error(mcd_receive_msg_f(core, &chl, 0, &len, NULL), core,
                 MCD_ERR_PARAM, "mcd_receive_msg_f: msg is NULL");
    expect_error(mcd_chl_reset_f(core, NULL), core, MCD_ERR_PARAM,
                 "mcd_chl_reset_f: channel is NULL");
    expect_error(mcd_chl_close_f(core, NULL), core, MCD_ERR_PARAM,
                 "mcd_chl_close_f: channel is NULL");
    /* The core-less slot is untouched by them. */
    cr_assert_eq(last_error(NULL).error_code, MCD_ERR_NONE, "%s",
                 last_error(NULL).error_str);
    expect_error(mcd_chl_open_f(NULL, &chl), NULL, MCD_ERR_PARAM,
                 "core is NULL");
}

/* ------------------------------------------------------------------------
 * Transaction lists
 */

static void make_tx(mcd_tx_st *tx, uint64_t addr, uint32_t at, uint8_t *data,
                    uint32_t n)
{
    memset(tx, 0, sizeof(*tx));
    tx->addr.address = addr;
    tx->addr.mem_space_id = 1;
    tx->access_type = at;
    tx->access_width = 4;
    tx->data = data;
    tx->num_bytes = n;
}

Test(client, read_5mib_split_into_chunks)
{
    const uint32_t size = 5 * MIB;
    const uint64_t base = 0x10000000;
    uint8_t *buf = malloc(size);
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    mcd_txlist_st tl;
    mcd_tx_st tx;
    unsigned calls, backlog;
    char out[64];
    uint32_t i;

    memset(buf, 0, size);
    command(core, "stats", out, sizeof(out));
    make_tx(&tx, base, MCD_TX_AT_R, buf, size);
    tl = (mcd_txlist_st){ &tx, 1, 0 };
    OK(mcd_execute_txlist_f(core, &tl), core);
    cr_assert_eq(tl.num_tx_ok, 1);
    cr_assert_eq(tx.num_bytes_ok, size);
    for (i = 0; i < size; i++) {
        if (buf[i] != fake_pattern(base + i)) {
            cr_assert_fail("byte %u: 0x%02x, expected 0x%02x", i, buf[i],
                           fake_pattern(base + i));
        }
    }
    command(core, "stats", out, sizeof(out));
    cr_assert_eq(sscanf(out, "txlists %u backlog %u", &calls, &backlog), 2);
    cr_assert_eq(calls, 21, "5 MiB in 256 KiB slots: 21 requests (%s)", out);
    cr_assert_gt(backlog, 1, "requests were pipelined (%s)", out);
    free(buf);
}

Test(client, more_than_tx_num_max_refused)
{
    static mcd_tx_st tx[MCD_TX_NUM_MAX + 1];
    static uint8_t buf[MCD_TX_NUM_MAX + 1];
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    mcd_txlist_st tl = { tx, MCD_TX_NUM_MAX + 1, 7 };
    mcd_error_info_st e;

    for (int i = 0; i <= MCD_TX_NUM_MAX; i++) {
        make_tx(&tx[i], 0x1000 + i, MCD_TX_AT_R, buf + i, 1);
    }
    cr_assert_eq(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_HANDLE_ERROR);
    cr_assert_eq(tl.num_tx_ok, 0);
    mcd_qry_error_info_f(core, &e);
    cr_assert_eq(e.error_code, MCD_ERR_PARAM);
    cr_assert_not_null(strstr(e.error_str, "num_tx 65"), "%s", e.error_str);
}

Test(client, many_transactions_reads_and_writes)
{
    enum { N = MCD_TX_NUM_MAX, SZ = 33 * 1024 + 3 };
    static mcd_tx_st tx[N];
    uint8_t *buf = calloc(N, SZ);
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    mcd_txlist_st tl = { tx, N, 0 };
    char out[64], want[64];
    uint64_t written = 0;
    uint32_t i, k;

    for (i = 0; i < N; i++) {
        uint64_t addr = 0x100000 + (uint64_t)i * 0x10000;

        make_tx(&tx[i], addr, i % 3 == 1 ? MCD_TX_AT_W : MCD_TX_AT_R,
                buf + (size_t)i * SZ, i == 7 ? 0 : SZ);
        tx[i].access_width = 1;
        if (tx[i].access_type == MCD_TX_AT_W) {
            written += tx[i].num_bytes;
            for (k = 0; k < SZ; k++) {
                buf[(size_t)i * SZ + k] = fake_pattern(addr + k);
            }
        }
    }
    OK(mcd_execute_txlist_f(core, &tl), core);
    cr_assert_eq(tl.num_tx_ok, N);
    for (i = 0; i < N; i++) {
        cr_assert_eq(tx[i].num_bytes_ok, tx[i].num_bytes, "tx %u", i);
        for (k = 0; k < tx[i].num_bytes; k++) {
            if (buf[(size_t)i * SZ + k] !=
                fake_pattern(tx[i].addr.address + k)) {
                cr_assert_fail("tx %u byte %u", i, k);
            }
        }
    }
    command(core, "wstat", out, sizeof(out));
    snprintf(want, sizeof(want), "written %llu bad 0",
             (unsigned long long)written);
    cr_assert_str_eq(out, want, "the server saw every written byte");
    free(buf);
}

Test(client, noincrement_keeps_the_address)
{
    const uint32_t size = MIB;
    uint8_t *buf = malloc(size);
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    mcd_txlist_st tl;
    mcd_tx_st tx;
    uint32_t i;

    make_tx(&tx, 0x4000, MCD_TX_AT_R, buf, size);
    tx.options = MCD_TX_OPT_NOINCREMENT;
    tl = (mcd_txlist_st){ &tx, 1, 0 };
    OK(mcd_execute_txlist_f(core, &tl), core);
    for (i = 0; i < size; i++) {
        cr_assert_eq(buf[i], fake_pattern(0x4000), "byte %u", i);
    }
    free(buf);
}

Test(client, partial_failure_progress_is_exact)
{
    const uint32_t size = 5 * MIB;
    const uint64_t base = 0x10000000;
    uint8_t *buf = calloc(1, size);
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    mcd_txlist_st tl;
    mcd_tx_st tx[3];
    char out[64];
    uint32_t i;

    command(core, "fail-at 0x10323457", out, sizeof(out));
    make_tx(&tx[0], base, MCD_TX_AT_R, buf, size);
    tl = (mcd_txlist_st){ tx, 1, 7 };
    expect_error(mcd_execute_txlist_f(core, &tl), core, MCD_ERR_TXLIST_READ,
                 "read failed at 0x10323457 (in the tool's list: tx 0, a "
                 "piece of bytes");
    cr_assert_eq(tl.num_tx_ok, 0);
    cr_assert_eq(tx[0].num_bytes_ok, 0x323457);
    for (i = 0; i < 0x323457; i++) {
        if (buf[i] != fake_pattern(base + i)) {
            cr_assert_fail("byte %u", i);
        }
    }

    /* A list: the second transaction fails 100000 bytes in. */
    make_tx(&tx[0], base - MIB, MCD_TX_AT_R, buf, MIB);
    make_tx(&tx[1], 0x10323457 - 100000, MCD_TX_AT_W, buf + MIB, MIB);
    make_tx(&tx[2], 0x40000000, MCD_TX_AT_R, buf + 2 * MIB, MIB);
    tl = (mcd_txlist_st){ tx, 3, 0 };
    expect_error(mcd_execute_txlist_f(core, &tl), core, MCD_ERR_TXLIST_WRITE,
                 "write failed at 0x10323457 (in the tool's list: tx 1");
    cr_assert_eq(tl.num_tx_ok, 1);
    cr_assert_eq(tx[0].num_bytes_ok, MIB);
    cr_assert_eq(tx[1].num_bytes_ok, 100000);
    cr_assert_eq(tx[2].num_bytes_ok, 0);
    free(buf);
}

Test(client, txlist_arguments_checked_locally)
{
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL);
    uint8_t b[4];
    mcd_tx_st tx;
    mcd_txlist_st tl = { &tx, 1, 0 };

    make_tx(&tx, 0, 9, b, 4);
    expect_error(mcd_execute_txlist_f(core, &tl), core, MCD_ERR_PARAM,
                 "tx[0].access_type 9");
    make_tx(&tx, 0, MCD_TX_AT_R, NULL, 4);
    expect_error(mcd_execute_txlist_f(core, &tl), core, MCD_ERR_PARAM,
                 "data is NULL");
    tl.num_tx = 0;
    OK(mcd_execute_txlist_f(core, &tl), core);
    expect_error(mcd_execute_txlist_f(NULL, &tl), NULL, MCD_ERR_PARAM,
                 "core is NULL");
}

/* ------------------------------------------------------------------------
 * Errors, failures and threads
 */

Test(client, last_error_per_core_and_coreless)
{
    mcd_core_con_info_st bad = { 0 };
    mcd_memblock_st mb;
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL), *other = open_core(1), *k;
    mcd_error_info_st e;
    uint32_t n = 1;

    expect_error(mcd_qry_mem_blocks_f(core, 9, 0, &n, &mb), core,
                 MCD_ERR_MEM_SPACE_ID, "no memory space 9");
    strcpy(bad.core, "nope");
    expect_error(mcd_open_core_f(&bad, &k), NULL, MCD_ERR_PARAM,
                 "no core named 'nope'");
    e = last_error(core);
    cr_assert_eq(e.error_code, MCD_ERR_MEM_SPACE_ID, "core error kept");
    e = last_error(other);
    cr_assert_eq(e.error_code, MCD_ERR_NONE);
    cr_assert_eq(e.return_status, MCD_RET_ACT_NONE);
    OK(mcd_qry_state_f(core, &(mcd_core_state_st){ 0 }), core);
    e = last_error(core);
    cr_assert_eq(e.error_code, MCD_ERR_NONE, "success clears it");
    e = last_error(NULL);
    cr_assert_eq(e.error_code, MCD_ERR_PARAM, "core-less error kept");

    e = last_error(&(mcd_core_st){ (void *)&e, NULL });
    cr_assert_eq(e.error_code, MCD_ERR_PARAM);
    cr_assert_not_null(strstr(e.error_str, "not an open core"));
}

struct killer {
    pid_t pid;
    uint64_t t0;
};

static void *kill_later(void *arg)
{
    struct killer *k = arg;

    usleep(150 * 1000);
    k->t0 = now_ms();
    kill(k->pid, SIGKILL);
    return NULL;
}

Test(client, server_killed_mid_call)
{
    struct killer k;
    pthread_t t;
    mcd_server_st *s;
    mcd_core_st *core;
    mcd_core_state_st st;
    char out[64], pid[32];
    uint64_t dt;
    mcd_return_et r;

    k.pid = spawn("victim", NULL, 0);
    s = open_server("McdServerName=victim");
    core = open_core(0);
    snprintf(pid, sizeof(pid), "(pid %d) is gone", (int)k.pid);
    pthread_create(&t, NULL, kill_later, &k);
    r = mcd_execute_command_f(core, "sleep 10000", sizeof(out), out);
    dt = now_ms() - k.t0;
    pthread_join(t, NULL);
    expect_error(r, core, MCD_ERR_CONNECTION, "server 'victim'");
    expect_error(r, core, MCD_ERR_CONNECTION, pid);
    cr_assert_lt(dt, 100, "hang-up seen after %llu ms", (unsigned long long)dt);

    dt = now_ms();
    expect_error(mcd_qry_state_f(core, &st), core, MCD_ERR_CONNECTION, pid);
    cr_assert_lt(now_ms() - dt, 100);
    expect_error(mcd_close_core_f(core), NULL, MCD_ERR_CONNECTION, pid);
    expect_error(mcd_close_server_f(s), NULL, MCD_ERR_CONNECTION, pid);
}

Test(client, killed_during_a_pipelined_read)
{
    const uint32_t size = 64 * MIB;
    uint8_t *buf = malloc(size);
    struct killer k;
    pthread_t t;
    mcd_core_st *core;
    mcd_txlist_st tl;
    mcd_tx_st tx;

    k.pid = spawn("victim2", NULL, 0);
    open_server("McdServerName=victim2 McdShmPolicy=busy");
    core = open_core(0);
    make_tx(&tx, 0, MCD_TX_AT_R, buf, size);
    tl = (mcd_txlist_st){ &tx, 1, 0 };
    pthread_create(&t, NULL, kill_later, &k);
    /* 64 MiB under ASan takes longer than 150 ms; if not, skip. */
    if (mcd_execute_txlist_f(core, &tl) == MCD_RET_ACT_NONE) {
        pthread_join(t, NULL);
        free(buf);
        cr_skip_test("the read finished before the kill");
    }
    pthread_join(t, NULL);
    expect_error(MCD_RET_ACT_HANDLE_ERROR, core, MCD_ERR_CONNECTION, "is gone");
    cr_assert_lt(tx.num_bytes_ok, size);
    cr_assert_eq(tl.num_tx_ok, 0);
    free(buf);
}

Test(client, timeout_then_recovery)
{
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, "McdServerName=fake "
                                       "McdShmTimeoutMs=200");
    mcd_core_state_st st;
    char out[64];
    uint64_t t0 = now_ms(), dt;

    expect_error(mcd_execute_command_f(core, "sleep 700", sizeof(out), out),
                 core, MCD_ERR_TIMED_OUT, "within the call's bound of 200 ms");
    dt = now_ms() - t0;
    cr_assert(dt >= 190 && dt < 600, "timed out after %llu ms",
              (unsigned long long)dt);
    expect_error(mcd_qry_state_f(core, &st), core, MCD_ERR_TIMED_OUT,
                 "still busy with a call that timed out");
    usleep(500 * 1000);
    OK(mcd_qry_state_f(core, &st), core);
    cr_assert_eq(st.state, MCD_CORE_STATE_DEBUG,
                 "the late answer was "
                 "skipped");
}

/*
 * A close after a time-out frees its handle and says so with success,
 * never "still busy" (a retry would find the handle gone), without
 * waiting for the late answer; the server's close request is sent.
 */
Test(client, close_after_timeout_frees)
{
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, "McdServerName=fake "
                                       "McdShmTimeoutMs=200");
    mcd_core_state_st st;
    char out[64];

    expect_error(mcd_execute_command_f(core, "sleep 700", sizeof(out), out),
                 core, MCD_ERR_TIMED_OUT, "bound of 200 ms");
    OK(mcd_close_core_f(core), NULL);
    expect_error(mcd_qry_state_f(core, &st), NULL, MCD_ERR_PARAM,
                 "not an open core of this library");
    cr_assert_eq(mcd_close_server_f(s), MCD_RET_ACT_NONE);
    cr_assert_neq(mcd_close_server_f(s), MCD_RET_ACT_NONE,
                  "a closed server is not closed twice");
}

Test(client, rogue_server_loses_its_connection)
{
    mcd_memspace_st ms[4];
    mcd_core_state_st st;
    mcd_core_st *core;
    uint32_t n = 4;

    spawn("rogue", NULL, FAKE_SERVER_ROGUE);
    open_server("McdServerName=rogue");
    core = open_core(0);
    expect_error(mcd_qry_mem_spaces_f(core, 0, &n, ms), core,
                 MCD_ERR_CONNECTION,
                 "malformed response from server 'rogue': items span");
    expect_error(mcd_qry_state_f(core, &st), core, MCD_ERR_CONNECTION,
                 "malformed response from server 'rogue'");

    spawn("rogue2", NULL, FAKE_SERVER_ROGUE);
    open_server("McdServerName=rogue2");
    core = open_core(1);
    expect_error(mcd_qry_state_f(core, &st), core, MCD_ERR_CONNECTION,
                 "seq 4 where 3 was expected");
}

/* Set trace 1's state with @options (the fake server's lane scenario). */
static void lane_scenario(const mcd_core_st *core, uint32_t options)
{
    mcd_trace_state_st st;

    memset(&st, 0, sizeof(st));
    st.state = MCD_TRACE_STATE_ARM;
    st.mode = MCD_TRACE_MODE_PIPE;
    st.options = options;
    cr_assert_eq(mcd_set_trace_state_f(core, 1, &st), MCD_RET_ACT_NONE);
}

Test(client, hostile_trace_lanes_drop_the_connection)
{
    static const struct {
        uint32_t how;
        const char *why;
    } bad[] = {
        { FAKE_LANE_MODE, "has mode 0x77" },
        { FAKE_LANE_CAPACITY, "capacity 3000" },
        { FAKE_LANE_FRAME_SIZE, "frame_size 1000" },
        { FAKE_LANE_TAIL, "indexes out of range" },
        { FAKE_LANE_FIFO_HEAD, "indexes out of range" },
    };
    mcd_trace_data_core_st f[8];
    mcd_core_state_st st;
    mcd_core_st *core;
    char name[32], cfg[64];
    uint32_t n = 0, i;

    spawn("lanes", NULL, FAKE_SERVER_LANES);
    open_server("McdServerName=lanes");
    core = open_core(0);
    lane_scenario(core, FAKE_LANE_GOOD);
    cr_assert_eq(mcd_read_trace_f(core, 1, 0, &n, sizeof(f[0]), NULL),
                 MCD_RET_ACT_NONE);
    cr_assert_eq(n, 5, "%u frames in a lane of 5", n);
    n = 8;
    cr_assert_eq(mcd_read_trace_f(core, 1, 2, &n, sizeof(f[0]), f),
                 MCD_RET_ACT_NONE);
    cr_assert_eq(n, 3);
    cr_assert_eq(f[0].data, 2);
    cr_assert_eq(f[2].data, 4);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(name, sizeof(name), "lanes%u", i);
        snprintf(cfg, sizeof(cfg), "McdServerName=%s", name);
        spawn(name, NULL, FAKE_SERVER_LANES);
        open_server(cfg);
        core = open_core(0);
        lane_scenario(core, bad[i].how);
        n = 0;
        expect_error(mcd_read_trace_f(core, 1, 0, &n, sizeof(f[0]), NULL),
                     core, MCD_ERR_CONNECTION, bad[i].why);
        expect_error(mcd_qry_state_f(core, &st), core, MCD_ERR_CONNECTION,
                     bad[i].why);
    }
}

/* One call of a rotating set against a chaos server; NONE or an error
 * that explains itself.  Returns the error code (MCD_ERR_NONE on success). */
static mcd_error_code_et chaos_call(const mcd_core_st *core, unsigned i)
{
    static uint8_t buf[150000];
    mcd_memspace_st ms[8];
    mcd_register_info_st regs[8];
    mcd_trace_data_core_st frames[8];
    mcd_core_state_st st;
    mcd_tx_st tx[2];
    mcd_txlist_st tl = { tx, 2, 0 };
    mcd_error_info_st e;
    char out[128];
    uint32_t n = 8;
    mcd_return_et r;

    switch (i % 7) {
    case 0:
        r = mcd_qry_state_f(core, &st);
        break;
    case 1:
        r = mcd_qry_mem_spaces_f(core, 0, &n, ms);
        cr_assert(r != MCD_RET_ACT_NONE || n <= 8, "%u spaces for 8", n);
        break;
    case 2:
        make_tx(&tx[0], 0x1000, MCD_TX_AT_R, buf, 300);
        make_tx(&tx[1], 0x2000, MCD_TX_AT_R, buf + 300, sizeof(buf) - 300);
        r = mcd_execute_txlist_f(core, &tl);
        cr_assert(tx[0].num_bytes_ok <= 300 &&
                  tx[1].num_bytes_ok <= sizeof(buf) - 300 && tl.num_tx_ok <= 2);
        break;
    case 3:
        r = mcd_qry_reg_map_f(core, 0, 0, &n, regs);
        cr_assert(r != MCD_RET_ACT_NONE || n <= 8, "%u registers for 8", n);
        break;
    case 4:
        r = mcd_read_trace_f(core, 1, 0, &n, sizeof(frames[0]), frames);
        cr_assert(r != MCD_RET_ACT_NONE || n <= 8, "%u frames for 8", n);
        break;
    case 5:
        r = mcd_execute_command_f(core, "info", sizeof(out), out);
        cr_assert(r != MCD_RET_ACT_NONE || memchr(out, '\0', sizeof(out)));
        break;
    default:
        make_tx(&tx[0], 0x3000, MCD_TX_AT_W, buf, 4096);
        tl.num_tx = 1;
        r = mcd_execute_txlist_f(core, &tl);
        break;
    }
    if (r == MCD_RET_ACT_NONE) {
        return MCD_ERR_NONE;
    }
    e = last_error(core);
    cr_assert(memchr(e.error_str, '\0', sizeof(e.error_str)) &&
                  e.error_str[0] && (e.error_code || e.error_events),
              "call %u failed (%u) without a code or a message", i % 7, r);
    return e.error_code;
}

/* A well-behaved debugger in a child process, until @stop is readable:
 * reads checked against the fake memory and state polls.  Exits with the
 * number of failures (capped), 100 if it could not start. */
static void __attribute__((noreturn)) good_debugger(int stop)
{
    mcd_core_state_st st;
    mcd_core_st *core = NULL;
    mcd_server_st *s = NULL;
    mcd_core_con_info_st ci = { 0 };
    uint8_t buf[64];
    mcd_tx_st tx;
    mcd_txlist_st tl = { &tx, 1, 0 };
    struct timespec ms = { 0, 1000000 };
    unsigned i, bad = 0;
    char c;

    strcpy(ci.system, "fakesys");
    strcpy(ci.core, "core0");
    if (mcd_open_server_f(NULL, "McdServerName=fake", &s) != 0 ||
        mcd_open_core_f(&ci, &core) != 0) {
        _exit(100);
    }
    for (i = 0; read(stop, &c, 1) < 0; i++) {
        make_tx(&tx, 0x1000 + i, MCD_TX_AT_R, buf, sizeof(buf));
        bad += mcd_execute_txlist_f(core, &tl) != MCD_RET_ACT_NONE ||
               buf[7] != fake_pattern(0x1000 + i + 7);
        bad += mcd_qry_state_f(core, &st) != MCD_RET_ACT_NONE;
        nanosleep(&ms, NULL);
    }
    _exit(bad > 99 ? 99 : (int)bad);
}

Test(client, chaos_server_never_breaks_the_client, .timeout = 240)
{
    mcd_server_st *chaos_s = NULL;
    mcd_core_st *core = NULL;
    unsigned i, errors = 0, drops = 0, timeouts = 0, oks = 0;
    unsigned opens_failed = 0;
    mcd_core_con_info_st ci = { 0 };
    int pfd[2], status;
    pid_t good;

    strcpy(ci.system, "fakesys");
    strcpy(ci.core, "core0");
    /* Another debugger process works on a well-behaved server all along. */
    spawn("fake", NULL, 0);
    cr_assert_eq(pipe2(pfd, O_NONBLOCK), 0);
    good = fork();
    cr_assert(good >= 0);
    if (good == 0) {
        close(pfd[1]);
        good_debugger(pfd[0]);
    }
    close(pfd[0]);
    spawn("chaos", NULL, FAKE_SERVER_CHAOS);
    for (i = 0; i < 1000; i++) {
        mcd_error_code_et code;

        if (!chaos_s &&
            mcd_open_server_f(NULL, "McdServerName=chaos McdShmTimeoutMs=100",
                              &chaos_s) != MCD_RET_ACT_NONE) {
            chaos_s = NULL;
            opens_failed++;
            continue;
        }
        if (!core && mcd_open_core_f(&ci, &core) != MCD_RET_ACT_NONE) {
            mcd_close_server_f(chaos_s); /* its answer may be lost too */
            chaos_s = NULL;
            core = NULL;
            opens_failed++;
            continue;
        }
        code = chaos_call(core, i);
        oks += code == MCD_ERR_NONE;
        errors += code != MCD_ERR_NONE;
        if (code == MCD_ERR_CONNECTION || code == MCD_ERR_TIMED_OUT) {
            drops += code == MCD_ERR_CONNECTION;
            timeouts += code == MCD_ERR_TIMED_OUT;
            mcd_close_core_f(core);
            mcd_close_server_f(chaos_s);
            core = NULL;
            chaos_s = NULL;
        }
    }
    close(pfd[1]);
    cr_assert_eq(waitpid(good, &status, 0), good);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "the well-behaved debugger failed (status 0x%x)", status);
    cr_log_info("chaos: %u answers taken, %u errors, %u dropped "
                "connections, %u timeouts, %u failed opens",
                oks, errors, drops, timeouts, opens_failed);
    cr_assert(oks > 100 && drops > 20 && timeouts > 5,
              "the chaos server did not exercise the client: %u answers, "
              "%u drops, %u timeouts",
              oks, drops, timeouts);
}

static void *hammer(void *arg)
{
    const mcd_core_st *core = arg;
    uint8_t buf[300];
    mcd_tx_st tx;
    mcd_txlist_st tl = { &tx, 1, 0 };
    mcd_core_state_st st;
    long bad = 0;

    for (int i = 0; i < 200; i++) {
        make_tx(&tx, 0x1000 + (uint64_t)i, MCD_TX_AT_R, buf, sizeof(buf));
        bad += mcd_execute_txlist_f(core, &tl) != MCD_RET_ACT_NONE;
        bad += buf[5] != fake_pattern(0x1000 + (uint64_t)i + 5);
        bad += mcd_qry_state_f(core, &st) != MCD_RET_ACT_NONE;
    }
    return (void *)bad;
}

Test(client, calls_from_several_threads)
{
    mcd_server_st *s;
    mcd_core_st *core = setup_core(&s, NULL), *c1 = open_core(1);
    pthread_t t[4];
    void *bad;

    for (int i = 0; i < 4; i++) {
        pthread_create(&t[i], NULL, hammer, i % 2 ? c1 : core);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &bad);
        cr_assert_null(bad, "thread %d: %ld failures", i, (long)bad);
    }
}

/* ------------------------------------------------------------------------
 * The built library exports exactly the API (MCDSHM_LIB=path/to/.so)
 */

Test(client, exports_only_the_api)
{
    static const char *const api[] = {
        "mcd_initialize_f",
        "mcd_exit_f",
        "mcd_qry_servers_f",
        "mcd_open_server_f",
        "mcd_close_server_f",
        "mcd_set_server_config_f",
        "mcd_qry_server_config_f",
        "mcd_qry_systems_f",
        "mcd_qry_devices_f",
        "mcd_qry_cores_f",
        "mcd_qry_core_modes_f",
        "mcd_open_core_f",
        "mcd_close_core_f",
        "mcd_qry_error_info_f",
        "mcd_qry_device_description_f",
        "mcd_qry_max_payload_size_f",
        "mcd_qry_input_handle_f",
        "mcd_qry_mem_spaces_f",
        "mcd_qry_mem_blocks_f",
        "mcd_qry_active_overlays_f",
        "mcd_qry_reg_groups_f",
        "mcd_qry_reg_map_f",
        "mcd_qry_reg_compound_f",
        "mcd_qry_trig_info_f",
        "mcd_qry_ctrigs_f",
        "mcd_create_trig_f",
        "mcd_qry_trig_f",
        "mcd_remove_trig_f",
        "mcd_qry_trig_state_f",
        "mcd_activate_trig_set_f",
        "mcd_remove_trig_set_f",
        "mcd_qry_trig_set_f",
        "mcd_qry_trig_set_state_f",
        "mcd_execute_txlist_f",
        "mcd_run_f",
        "mcd_stop_f",
        "mcd_run_until_f",
        "mcd_qry_current_time_f",
        "mcd_step_f",
        "mcd_set_global_f",
        "mcd_qry_state_f",
        "mcd_execute_command_f",
        "mcd_qry_rst_classes_f",
        "mcd_qry_rst_class_info_f",
        "mcd_rst_f",
        "mcd_chl_open_f",
        "mcd_send_msg_f",
        "mcd_receive_msg_f",
        "mcd_chl_reset_f",
        "mcd_chl_close_f",
        "mcd_qry_traces_f",
        "mcd_qry_trace_state_f",
        "mcd_set_trace_state_f",
        "mcd_read_trace_f",
    };
    static const char *const hidden[] = { "mcdc_leave", "mcdc_config_parse",
                                          "shm_connect", "mcdc_txlist" };
    const char *path = getenv("MCDSHM_LIB");
    const char *(*version)(void);
    void *h;

    if (!path) {
        cr_skip_test("set MCDSHM_LIB to the built libmcdshm.so");
    }
    cr_assert_eq(sizeof(api) / sizeof(api[0]), 54);
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    cr_assert_not_null(h, "%s", dlerror());
    for (size_t i = 0; i < 54; i++) {
        cr_assert_not_null(dlsym(h, api[i]), "%s not exported", api[i]);
    }
    for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
        cr_assert_null(dlsym(h, hidden[i]), "%s is exported", hidden[i]);
    }
    *(void **)&version = dlsym(h, "mcdshm_version");
    cr_assert_not_null(version);
    cr_assert_str_eq(version(), MCDSHM_VERSION_STRING);
    dlclose(h);
}
