/*
 * test_sc_stress.cpp - thousands of MCD requests against the SystemC
 * example platform while its simulation runs, checked for correct
 * results; built in the ThreadSanitizer build too, where it is the data
 * race check of the adapter (the stub's I/O thread, the watcher thread,
 * the kernel thread and this test's debugger thread all at once).
 *
 * One process: sc_main() builds the example platform (two harts running
 * test_prog.elf, whose harts increment counter[hartid] forever), and a
 * debugger thread talks to it through libmcdshm.so's public API.  Each
 * round: a random memory write and read-back (transport_dbg) in a scratch
 * area the program never touches, both counters read (they never go
 * back), the time (never goes back), a register read refused while the
 * harts run; every 25th round all harts stop, core 0 steps exactly 7
 * instructions (minstret +7, core 1 unchanged), and both run again.
 *
 * Usage: test_sc_stress TEST_PROG_ELF   ($MCDSHM_SC_STRESS_ROUNDS: rounds,
 * default 1500).  Exit 0 if every check held; the first failed check is
 * printed.  Runs in a private runtime directory (MCDSHM_RUNTIME_DIR).
 */
#include "cosim/systemc/example/platform.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>
#include <unistd.h>

extern "C" {
#include "cosim/vp/elf_load.h"
}

#define SCRATCH 0x80400000ull /* 4 MiB into RAM, past test_prog's _end */
#define SCRATCH_SIZE 0x10000u
#define REG_MINSTRET (0x1000 + 0xb02)

namespace
{

struct client {
    mcd_server_st *server = nullptr;
    mcd_core_st *cores[2] = { nullptr, nullptr };
    uint64_t counter_addr = 0;
    uint64_t requests = 0;
    char failure[512] = "";

    bool fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    bool mcd(const char *what, mcd_return_et r, const mcd_core_st *c);
    bool mem(int i, uint32_t type, uint64_t addr, void *buf, uint32_t n);
    mcd_return_et reg(int i, uint64_t number, uint64_t *val);
    bool open(const char *name);
    bool round(std::mt19937_64 &rng, uint64_t last[2], uint64_t *t);
    bool step_check();
    bool run(const char *name, unsigned rounds);
};

bool client::fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(failure, sizeof(failure), fmt, ap);
    va_end(ap);
    return false;
}

bool client::mcd(const char *what, mcd_return_et r, const mcd_core_st *c)
{
    mcd_error_info_st e;

    requests++;
    if (r == MCD_RET_ACT_NONE) {
        return true;
    }
    mcd_qry_error_info_f(c, &e);
    return fail("%s: 0x%x: %s", what, (unsigned)e.error_code, e.error_str);
}

bool client::mem(int i, uint32_t type, uint64_t addr, void *buf, uint32_t n)
{
    mcd_tx_st tx = {};
    mcd_txlist_st tl = { &tx, 1, 0 };

    tx.addr.address = addr;
    tx.addr.mem_space_id = 1;
    tx.access_type = (mcd_tx_access_type_et)type;
    tx.data = static_cast<uint8_t *>(buf);
    tx.num_bytes = n;
    if (!mcd("mcd_execute_txlist_f", mcd_execute_txlist_f(cores[i], &tl),
             cores[i])) {
        return false;
    }
    return tx.num_bytes_ok == n ||
           fail("memory at 0x%" PRIx64 ": %u of %u bytes", addr,
                tx.num_bytes_ok, n);
}

/* One 64-bit register; the call's own return (no failure recorded). */
mcd_return_et client::reg(int i, uint64_t number, uint64_t *val)
{
    uint8_t b[8];
    mcd_tx_st tx = {};
    mcd_txlist_st tl = { &tx, 1, 0 };
    mcd_return_et r;

    tx.addr.address = number;
    tx.addr.mem_space_id = 2;
    tx.access_type = MCD_TX_AT_R;
    tx.data = b;
    tx.num_bytes = 8;
    r = mcd_execute_txlist_f(cores[i], &tl);
    requests++;
    *val = 0;
    for (int k = 7; k >= 0; k--) {
        *val = (*val << 8) | b[k];
    }
    return r;
}

bool client::open(const char *name)
{
    mcd_api_version_st req = {};
    mcd_impl_version_info_st impl;
    mcd_core_con_info_st ci[4];
    char config[128];
    uint32_t n = 4;

    req.v_api_major = MCD_API_VER_MAJOR;
    req.v_api_minor = MCD_API_VER_MINOR;
    snprintf(config, sizeof(config), "McdServerName=\"%s\"", name);
    if (!mcd("mcd_initialize_f", mcd_initialize_f(&req, &impl), nullptr) ||
        !mcd("mcd_open_server_f", mcd_open_server_f("", config, &server),
             nullptr) ||
        !mcd("mcd_qry_cores_f", mcd_qry_cores_f(nullptr, 0, &n, ci), nullptr)) {
        return false;
    }
    if (n != 2) {
        return fail("mcd_qry_cores_f: %u cores, expected 2", n);
    }
    for (int i = 0; i < 2; i++) {
        if (!mcd("mcd_open_core_f", mcd_open_core_f(&ci[i], &cores[i]),
                 nullptr)) {
            return false;
        }
    }
    return true;
}

bool client::round(std::mt19937_64 &rng, uint64_t last[2], uint64_t *t)
{
    uint8_t out[4096], back[4096];
    uint32_t len = 1 + (uint32_t)(rng() % sizeof(out));
    uint64_t at = SCRATCH + rng() % (SCRATCH_SIZE - len), c[2], now, v;
    int i = (int)(rng() & 1);

    for (uint32_t k = 0; k < len; k++) {
        out[k] = (uint8_t)rng();
    }
    if (!mem(i, MCD_TX_AT_W, at, out, len) ||
        !mem(1 - i, MCD_TX_AT_R, at, back, len)) {
        return false;
    }
    if (memcmp(out, back, len) != 0) {
        return fail("%u bytes at 0x%" PRIx64 " read back differently", len, at);
    }
    if (!mem(i, MCD_TX_AT_R, counter_addr, c, sizeof(c))) {
        return false;
    }
    for (int h = 0; h < 2; h++) {
        if (c[h] < last[h]) {
            return fail("counter[%d] went back: %" PRIu64 " -> %" PRIu64, h,
                        last[h], c[h]);
        }
        last[h] = c[h];
    }
    if (!mcd("mcd_qry_current_time_f", mcd_qry_current_time_f(cores[i], &now),
             cores[i])) {
        return false;
    }
    if (now < *t) {
        return fail("time went back: %" PRIu64 " -> %" PRIu64 " ps", *t, now);
    }
    *t = now;
    if (reg(i, REG_MINSTRET, &v) == MCD_RET_ACT_NONE) {
        return fail("a register of running core %d was read", i);
    }
    return true;
}

/* Stop all, step core 0 by 7, check both instruction counts, run all. */
bool client::step_check()
{
    mcd_core_state_st st;
    uint64_t a0, a1, b0, b1;

    if (!mcd("mcd_stop_f", mcd_stop_f(cores[0], TRUE), cores[0]) ||
        !mcd("mcd_qry_state_f", mcd_qry_state_f(cores[1], &st), cores[1])) {
        return false;
    }
    if (st.state != MCD_CORE_STATE_DEBUG) {
        return fail("core 1 is in state %u after a global stop", st.state);
    }
    if (!mcd("read minstret", reg(0, REG_MINSTRET, &a0), cores[0]) ||
        !mcd("read minstret", reg(1, REG_MINSTRET, &a1), cores[1]) ||
        !mcd("mcd_step_f",
             mcd_step_f(cores[0], FALSE, MCD_CORE_STEP_TYPE_INSTR, 7),
             cores[0]) ||
        !mcd("read minstret", reg(0, REG_MINSTRET, &b0), cores[0]) ||
        !mcd("read minstret", reg(1, REG_MINSTRET, &b1), cores[1])) {
        return false;
    }
    if (b0 != a0 + 7 || b1 != a1) {
        return fail("step 7 on core 0: minstret %" PRIu64 " -> %" PRIu64
                    " (core 1: %" PRIu64 " -> %" PRIu64 ")",
                    a0, b0, a1, b1);
    }
    return mcd("mcd_run_f", mcd_run_f(cores[0], TRUE), cores[0]);
}

bool client::run(const char *name, unsigned rounds)
{
    std::mt19937_64 rng(12345);
    uint64_t last[2] = { 0, 0 }, t = 0;

    if (!open(name)) {
        return false;
    }
    for (unsigned r = 0; r < rounds; r++) {
        if (!round(rng, last, &t) || (r % 25 == 24 && !step_check())) {
            return false;
        }
    }
    if (last[0] == 0 || last[1] == 0) {
        return fail("the harts did not run: counters %" PRIu64 ", %" PRIu64,
                    last[0], last[1]);
    }
    return true;
}

} /* namespace */

int sc_main(int argc, char **argv)
{
    char dir[] = "/tmp/mcdshm-sc-stress.XXXXXX";
    const char *env = getenv("MCDSHM_SC_STRESS_ROUNDS");
    unsigned rounds = env ? (unsigned)strtoul(env, nullptr, 0) : 1500;
    sc_example::top_options o;
    uint64_t size = 0;
    client c;
    bool ok = false;
    char err[256];

    if (argc != 2) {
        fprintf(stderr, "usage: test_sc_stress TEST_PROG_ELF\n");
        return 2;
    }
    if (vp_elf_symbol(argv[1], "counter", &c.counter_addr, &size, err,
                      sizeof(err)) < 0) {
        fprintf(stderr, "test_sc_stress: %s\n", err);
        return 2;
    }
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    setenv("MCDSHM_RUNTIME_DIR", dir, 1);
    o.elf = argv[1];
    o.srv.name = "stress";
    o.srv.system = "mcdshm-sc-example";
    auto *t = new sc_example::top("top", o);
    std::thread dbg([&] {
        ok = c.run("stress", rounds);
        mcd_exit_f();
        t->server().request_quit();
    });
    sc_core::sc_start();
    dbg.join();
    uint64_t served = t->server().requests();
    delete t;
    rmdir(dir);
    printf("test_sc_stress: %u rounds, %" PRIu64 " requests issued, %" PRIu64
           " answered on the kernel thread\n",
           rounds, c.requests, served);
    if (!ok) {
        fprintf(stderr, "test_sc_stress: FAILED: %s\n", c.failure);
        return 1;
    }
    /* Each round's two memory transactions and counter read, at least,
     * are answered on the kernel thread (the library answers some calls
     * itself, so the totals differ). */
    if (served < 3ull * rounds) {
        fprintf(stderr,
                "test_sc_stress: FAILED: only %" PRIu64
                " requests were answered by the kernel thread\n",
                served);
        return 1;
    }
    return 0;
}
