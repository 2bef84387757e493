/*
 * cosim_demo.c - one debugger, two MCD servers: mcdshm-vp and the SystemC
 * example platform, running at the same time.  Public MCD API only
 * (libmcdshm.so), single-threaded.
 *
 * Lists the live servers with mcd_qry_servers_f, opens both by name,
 * lists every core of both with mcd_qry_cores_f, opens one core on each,
 * stops both systems (global stop), checks that every opened core is in
 * DEBUG state and reads its pc, resumes both (global run) and checks that
 * they run, and, stopped again, that each retired more instructions.
 *
 * Usage: mcdshm-cosim-demo VP_SERVER SC_SERVER.  Exit 0 when every check
 * held, 1 (with the MCD error) otherwise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mcd/mcd_api.h"

/* Both platforms number the pc 32 and CSR n 0x1000 + n. */
#define REG_PC 32
#define REG_MINSTRET (0x1000 + 0xb02)
#define MAX_SERVERS 16
#define MAX_CORES 64

static int check(const char *what, mcd_return_et r, const mcd_core_st *core)
{
    mcd_error_info_st e;

    if (r == MCD_RET_ACT_NONE) {
        return 0;
    }
    mcd_qry_error_info_f(core, &e);
    fprintf(stderr, "cosim-demo: %s failed: %s\n", what, e.error_str);
    return -1;
}

static int read_reg(const mcd_core_st *core, uint64_t number, uint64_t *pc)
{
    uint8_t b[8];
    mcd_tx_st tx;
    mcd_txlist_st tl = { &tx, 1, 0 };
    int k;

    memset(&tx, 0, sizeof(tx));
    tx.addr.address = number;
    tx.addr.mem_space_id = 0; /* set below from the core's register space */
    tx.access_type = MCD_TX_AT_R;
    tx.data = b;
    tx.num_bytes = 8;
    {
        mcd_memspace_st sp[4];
        uint32_t n = 4, i;

        if (check("mcd_qry_mem_spaces_f", mcd_qry_mem_spaces_f(core, 0, &n, sp),
                  core) < 0) {
            return -1;
        }
        for (i = 0; i < n; i++) {
            if (sp[i].mem_type & MCD_MEM_SPACE_IS_REGISTERS) {
                tx.addr.mem_space_id = sp[i].mem_space_id;
            }
        }
    }
    if (check("read pc", mcd_execute_txlist_f(core, &tl), core) < 0) {
        return -1;
    }
    *pc = 0;
    for (k = 7; k >= 0; k--) {
        *pc = (*pc << 8) | b[k];
    }
    return 0;
}

static int expect_state(const mcd_core_st *core, const char *name,
                        mcd_core_state_et want)
{
    mcd_core_state_st st;

    if (check("mcd_qry_state_f", mcd_qry_state_f(core, &st), core) < 0) {
        return -1;
    }
    if (st.state != want) {
        fprintf(stderr, "cosim-demo: %s is in state %u, expected %u\n", name,
                st.state, want);
        return -1;
    }
    return 0;
}

/* List the servers; both names must be there. */
static int list_servers(const char *a, const char *b)
{
    mcd_server_info_st si[MAX_SERVERS];
    uint32_t n = MAX_SERVERS, i;
    int seen = 0;

    if (check("mcd_qry_servers_f", mcd_qry_servers_f("", TRUE, 0, &n, si),
              NULL) < 0) {
        return -1;
    }
    printf("mcd_qry_servers_f: %u live servers\n", n);
    for (i = 0; i < n; i++) {
        printf("  %s\n", si[i].server);
        seen |= (!strcmp(si[i].server, a) ? 1 : 0) |
                (!strcmp(si[i].server, b) ? 2 : 0);
    }
    if (seen != 3) {
        fprintf(stderr, "cosim-demo: %s and %s are not both listed\n", a, b);
        return -1;
    }
    return 0;
}

/* Open the first core whose system is @system. */
static int open_core_of(const mcd_core_con_info_st *ci, uint32_t n,
                        const char *system, mcd_core_st **core)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        if (!strcmp(ci[i].system, system)) {
            printf("opening %s / %s\n", ci[i].system, ci[i].core);
            return check("mcd_open_core_f", mcd_open_core_f(&ci[i], core),
                         NULL);
        }
    }
    fprintf(stderr, "cosim-demo: no core of system %s\n", system);
    return -1;
}

/* Every system (mcd_qry_systems_f spans the open servers), then the
 * cores of each. */
static int list_cores(mcd_core_con_info_st *ci, uint32_t *n)
{
    mcd_core_con_info_st sys[MAX_SERVERS];
    uint32_t ns = MAX_SERVERS, i, got = 0, m;

    if (check("mcd_qry_systems_f", mcd_qry_systems_f(0, &ns, sys), NULL) < 0) {
        return -1;
    }
    for (i = 0; i < ns; i++) {
        m = MAX_CORES - got;
        if (check("mcd_qry_cores_f", mcd_qry_cores_f(&sys[i], 0, &m, ci + got),
                  NULL) < 0) {
            return -1;
        }
        got += m;
    }
    *n = got;
    return 0;
}

static int demo(const char *vp, const char *sc)
{
    static mcd_core_con_info_st ci[MAX_CORES];
    mcd_server_st *srv[2];
    mcd_core_st *core[2];
    const char *sys[2] = { "mcdshm-vp", "mcdshm-sc-example" };
    const char *names[2] = { vp, sc };
    uint64_t pc0[2], n0[2], n1[2];
    uint32_t n = MAX_CORES, i;
    char config[128];
    int k;

    if (list_servers(vp, sc) < 0) {
        return -1;
    }
    for (k = 0; k < 2; k++) {
        snprintf(config, sizeof(config), "McdServerName=\"%s\"", names[k]);
        if (check("mcd_open_server_f", mcd_open_server_f("", config, &srv[k]),
                  NULL) < 0) {
            return -1;
        }
    }
    if (list_cores(ci, &n) < 0) {
        return -1;
    }
    printf("mcd_qry_cores_f: %u cores on both servers\n", n);
    for (i = 0; i < n; i++) {
        printf("  %-20s %s\n", ci[i].system, ci[i].core);
    }
    for (k = 0; k < 2; k++) {
        if (open_core_of(ci, n, sys[k], &core[k]) < 0) {
            return -1;
        }
    }
    for (k = 0; k < 2; k++) {
        if (check("mcd_stop_f", mcd_stop_f(core[k], TRUE), core[k]) < 0 ||
            expect_state(core[k], sys[k], MCD_CORE_STATE_DEBUG) < 0 ||
            read_reg(core[k], REG_PC, &pc0[k]) < 0 ||
            read_reg(core[k], REG_MINSTRET, &n0[k]) < 0) {
            return -1;
        }
        printf("%s stopped, pc 0x%" PRIx64 "\n", sys[k], pc0[k]);
    }
    for (k = 0; k < 2; k++) {
        if (check("mcd_run_f", mcd_run_f(core[k], TRUE), core[k]) < 0 ||
            expect_state(core[k], sys[k], MCD_CORE_STATE_RUNNING) < 0) {
            return -1;
        }
        printf("%s running again\n", sys[k]);
    }
    usleep(100 * 1000);
    for (k = 0; k < 2; k++) {
        if (check("mcd_stop_f", mcd_stop_f(core[k], TRUE), core[k]) < 0 ||
            read_reg(core[k], REG_MINSTRET, &n1[k]) < 0 ||
            check("mcd_run_f", mcd_run_f(core[k], TRUE), core[k]) < 0) {
            return -1;
        }
        printf("%s ran on: minstret %" PRIu64 " -> %" PRIu64 "\n", sys[k],
               n0[k], n1[k]);
        if (n1[k] <= n0[k]) {
            fprintf(stderr, "cosim-demo: %s did not run\n", sys[k]);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    mcd_api_version_st req = { MCD_API_VER_MAJOR, MCD_API_VER_MINOR,
                               MCD_API_VER_AUTHOR };
    mcd_impl_version_info_st impl;
    int rc;

    if (argc != 3) {
        fprintf(stderr, "usage: mcdshm-cosim-demo VP_SERVER SC_SERVER\n");
        return 2;
    }
    if (check("mcd_initialize_f", mcd_initialize_f(&req, &impl), NULL) < 0) {
        mcd_exit_f();
        return 1;
    }
    rc = demo(argv[1], argv[2]);
    mcd_exit_f();
    if (rc == 0) {
        printf("cosim-demo: both servers stopped and resumed by one "
               "debugger\n");
    }
    return rc < 0 ? 1 : 0;
}
