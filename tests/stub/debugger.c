/*
 * The debugger of tests/stub/test_server.c, a program of its own: the
 * tests start it with posix_spawn() instead of forking themselves.
 *
 * Why not fork().  The tests start their debuggers right after creating
 * threads (the platform's harts, the server's I/O thread, the simulator
 * thread), and the child allocates.  POSIX allows only async-signal-safe
 * calls in the child of a multithreaded process until it execs.  glibc's
 * malloc tolerates more (fork() takes its arena locks); the
 * AddressSanitizer allocator of GCC 12 does not: it has no fork handler
 * (LLVM added one in release 18, llvm-project pull request 75290).
 *
 * The interleaving that hung: the test creates a thread and forks at
 * once.  The new thread, scheduled only now, has ASan read its stack
 * bounds with pthread_getattr_np(), which mallocs and frees.  Its first
 * free() needs a quarantine batch (8 KiB); its own allocator cache is
 * still empty, so it refills from the shared 8 KiB size class, holding
 * that class's lock, and the fork copies the process right then.  The
 * child has the lock held by a thread it does not have, and sleeps on it
 * for good the first time its own cache of that class runs dry: in
 * stub/pipelined_requests_on_simulator_thread at the free() of the fifth
 * 1 MiB round trip, one run in five on an idle machine here; CI saw it as
 * a 60 s time-out with the server idle and every ring empty.
 *
 * A program started by exec has an allocator of its own.
 *
 * usage: stub_debugger CONFIG CORE ROUNDS LEN ADDR STEP [hang]
 *   opens the server with CONFIG (mcd_open_server_f), then core CORE, and
 *   does ROUNDS round trips: LEN bytes written at ADDR + i * STEP (physical
 *   space) and read back in one transaction list; with "hang" it then
 *   waits to be killed.  Exit status: 0 all good, 1 a round trip failed,
 *   2 an MCD call failed or bad arguments (the reason on stderr).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "mcd/mcd_api.h"

/* Exit 2 with the MCD error of the last call on @core if @ret failed. */
static void check(mcd_core_st *core, mcd_return_et ret, const char *what)
{
    mcd_error_info_st e;

    if (ret == MCD_RET_ACT_NONE) {
        return;
    }
    mcd_qry_error_info_f(core, &e);
    fprintf(stderr, "stub_debugger: %s: ret %u error 0x%x: %s\n", what, ret,
            e.error_code, e.error_str);
    exit(2);
}

/* Parse argument @name as an unsigned number, or exit 2 naming it. */
static uint64_t arg_u64(const char *name, const char *s, uint64_t max)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-' || v > max) {
        fprintf(stderr,
                "stub_debugger: %s '%s' is not a number up to %" PRIu64 "\n",
                name, s, max);
        exit(2);
    }
    return v;
}

/* Write then read back @len bytes at @addr through the physical space. */
static int round_trip(mcd_core_st *core, uint64_t addr, uint32_t len,
                      uint8_t seed)
{
    uint8_t *w = malloc(len), *r = calloc(1, len);
    mcd_tx_st tx[2] = { 0 };
    mcd_txlist_st l = { tx, 2, 0 };
    int ok;

    if (!w || !r) {
        fprintf(stderr, "stub_debugger: out of memory for %u bytes\n", len);
        exit(2);
    }
    for (uint32_t i = 0; i < len; i++) {
        w[i] = (uint8_t)(seed + i * 7);
    }
    tx[0].addr.address = tx[1].addr.address = addr;
    tx[0].addr.mem_space_id = tx[1].addr.mem_space_id = 1;
    tx[0].access_type = MCD_TX_AT_W;
    tx[1].access_type = MCD_TX_AT_R;
    tx[0].data = w;
    tx[1].data = r;
    tx[0].num_bytes = tx[1].num_bytes = len;
    ok = mcd_execute_txlist_f(core, &l) == MCD_RET_ACT_NONE &&
         l.num_tx_ok == 2 && memcmp(w, r, len) == 0;
    free(w);
    free(r);
    return ok;
}

int main(int argc, char **argv)
{
    mcd_core_con_info_st ci[4];
    mcd_server_st *srv;
    mcd_core_st *core;
    uint32_t n = 4, idx, rounds, len;
    uint64_t addr, step;
    int bad = 0;

    /* A test that dies (its time-out) takes its debugger with it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (argc < 7 || argc > 8 || (argc == 8 && strcmp(argv[7], "hang"))) {
        fprintf(stderr, "usage: stub_debugger CONFIG CORE ROUNDS LEN ADDR "
                        "STEP [hang]\n");
        return 2;
    }
    idx = (uint32_t)arg_u64("CORE", argv[2], 3);
    rounds = (uint32_t)arg_u64("ROUNDS", argv[3], 1000000);
    len = (uint32_t)arg_u64("LEN", argv[4], 64u << 20);
    addr = arg_u64("ADDR", argv[5], UINT64_MAX);
    step = arg_u64("STEP", argv[6], UINT32_MAX);
    if (len == 0) {
        fprintf(stderr, "stub_debugger: LEN '%s' must not be 0\n", argv[4]);
        return 2;
    }
    check(NULL, mcd_open_server_f("", argv[1], &srv), "mcd_open_server_f");
    check(NULL, mcd_qry_cores_f(NULL, 0, &n, ci), "mcd_qry_cores_f");
    if (n <= idx) {
        fprintf(stderr, "stub_debugger: CORE %u but the server has %u\n", idx,
                n);
        return 2;
    }
    check(NULL, mcd_open_core_f(&ci[idx], &core), "mcd_open_core_f");
    for (uint32_t i = 0; i < rounds; i++) {
        bad += !round_trip(core, addr + i * step, len, (uint8_t)(i + idx));
    }
    while (argc == 8) {
        pause();
    }
    mcd_close_core_f(core);
    mcd_close_server_f(srv);
    mcd_exit_f();
    return bad ? 1 : 0;
}
