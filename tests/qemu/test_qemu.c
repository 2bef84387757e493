/*
 * test_qemu.c - end-to-end tests of mcdshm inside QEMU, through
 * libmcdshm.so's public MCD API only.
 *
 * Usage: test_qemu diff N | readers | killed | trigdata | steps | secure
 *
 *   diff N   the same test_prog.elf on mcdshm-vp ($MCDSHM_VP_CONFIG) and on
 *            QEMU ($MCDSHM_CONFIG): each hart of both is brought to the ELF
 *            entry with zeroed GPRs, then single-stepped N times, hart by
 *            hart; after every step pc and x1..x31 must be equal.
 *   readers  two debugger processes read guest RAM at once while the guest
 *            runs; each sees the harts' counters advance between reads.
 *   killed   a debugger process is killed (SIGKILL) in the middle of big
 *            memory reads; QEMU ($MCDSHM_QEMU_PID) must still run and a
 *            new debugger must be able to stop, read and run it.
 *   trigdata a WRITE watchpoint with a data condition stops its hart
 *            exactly at the value asked for; the other harts run on.
 *   steps    aarch64 (tests/qemu/progs/aarch64_steps.S): core 0 runs to
 *            steps_start, then is single-stepped to steps_end; after every
 *            step pc and x0..x30 must be what the program stored in
 *            `snapshots` when it ran the same instructions before.
 *   secure   Arm with secure=on (no program: MCDSHM_TEST_ELF is "-"):
 *            the seed's five memory spaces in its order, a non-secure
 *            physical read of the secure RAM refused with
 *            MCD_ERR_TXLIST_READ, the same address written and read
 *            through the secure physical space.
 *
 * $MCDSHM_TEST_ELF names test_prog.elf (for its symbols, read with nm-free
 * libelf in the conformance helpers' way: here only "counter" and the
 * entry are needed, so they come from the ELF header and symbol table).
 * Exit status 0 = passed, 1 = failed (the reason on stderr), 2 = usage.
 * Single-threaded; `readers` and `killed` fork.
 */
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mcd/mcd_api.h"
#include "mcdshm/client.h"

#define NHARTS 4
#define NREGS 33 /* x0..x31 and pc: GDB / vp register numbers 0..32 */
#define REG_PC 32
#define RAM_BASE 0x80000000ull

struct target {
    const char *what;
    mcd_server_st *srv;
    mcd_core_st *core[NHARTS];
    uint32_t regs_space;
    uint32_t phys_space;
};

static uint64_t elf_entry, sym_counter;
static uint64_t sym_steps_start, sym_steps_end, sym_snapshots;

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "test_qemu [%d]: FAIL: ", (int)getpid());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void check(const struct target *t, const mcd_core_st *core,
                  mcd_return_et ret, const char *what)
{
    mcd_error_info_st e;

    if (ret == MCD_RET_ACT_NONE) {
        return;
    }
    mcd_qry_error_info_f(core, &e);
    fail("%s: %s: %s (error 0x%x)", t->what, what, e.error_str,
         (unsigned)e.error_code);
}

/* The entry point and the address of `counter` from the ELF file. */
static void elf_read(const char *path)
{
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    GElf_Ehdr eh;
    GElf_Sym sym;
    Elf_Data *d;
    size_t i;
    Elf *e;
    int fd;

    if (elf_version(EV_CURRENT) == EV_NONE) {
        fail("libelf: %s", elf_errmsg(-1));
    }
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        fail("%s: %s", path, strerror(errno));
    }
    e = elf_begin(fd, ELF_C_READ, NULL);
    if (!e || !gelf_getehdr(e, &eh)) {
        fail("%s: not an ELF file", path);
    }
    elf_entry = eh.e_entry;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB) {
            continue;
        }
        d = elf_getdata(scn, NULL);
        for (i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
            const char *nm;

            if (!gelf_getsym(d, (int)i, &sym)) {
                continue;
            }
            nm = elf_strptr(e, sh.sh_link, sym.st_name);
            if (!nm) {
                continue;
            }
            if (!strcmp(nm, "counter")) {
                sym_counter = sym.st_value;
            } else if (!strcmp(nm, "steps_start")) {
                sym_steps_start = sym.st_value;
            } else if (!strcmp(nm, "steps_end")) {
                sym_steps_end = sym.st_value;
            } else if (!strcmp(nm, "snapshots")) {
                sym_snapshots = sym.st_value;
            }
        }
    }
    elf_end(e);
    close(fd);
    if (!sym_counter && !sym_steps_start) {
        fail("%s has no symbol 'counter' nor 'steps_start' (not "
             "test_prog.elf nor aarch64_steps.elf?)",
             path);
    }
}

static uint32_t space_of(struct target *t, uint32_t type)
{
    mcd_memspace_st sp[8];
    uint32_t n = 8, i;

    check(t, t->core[0], mcd_qry_mem_spaces_f(t->core[0], 0, &n, sp),
          "mcd_qry_mem_spaces_f");
    for (i = 0; i < n && i < 8; i++) {
        if (sp[i].mem_type & type) {
            return sp[i].mem_space_id;
        }
    }
    fail("%s has no memory space of type 0x%x", t->what, (unsigned)type);
}

/* Open the server @config names and its first NHARTS cores. */
static void target_open(struct target *t, const char *what, const char *config,
                        const char *system)
{
    mcd_core_con_info_st sys[8], cores[NHARTS];
    uint32_t n = 8, i;

    memset(t, 0, sizeof(*t));
    t->what = what;
    if (!config) {
        fail("%s: no config string in the environment", what);
    }
    check(t, NULL, mcd_open_server_f((const mcd_char_t *)"", config, &t->srv),
          "mcd_open_server_f");
    /* The library lists the systems of every open server: pick ours. */
    check(t, NULL, mcd_qry_systems_f(0, &n, sys), "mcd_qry_systems_f");
    for (i = 0; i < n && i < 8; i++) {
        if (!strcmp((const char *)sys[i].system, system)) {
            break;
        }
    }
    if (i == n || i == 8) {
        fail("%s: no system named \"%s\" among %u", what, system, n);
    }
    n = NHARTS;
    check(t, NULL, mcd_qry_cores_f(&sys[i], 0, &n, cores), "mcd_qry_cores_f");
    if (n < NHARTS) {
        fail("%s has %u cores, the test needs %d", what, n, NHARTS);
    }
    for (i = 0; i < NHARTS; i++) {
        check(t, NULL, mcd_open_core_f(&cores[i], &t->core[i]),
              "mcd_open_core_f");
    }
    t->phys_space = space_of(t, MCD_MEM_SPACE_IS_PHYSICAL);
    t->regs_space = space_of(t, MCD_MEM_SPACE_IS_REGISTERS);
}

/*
 * Register REG_PC must be the pc, at its GDB number, on both targets; with
 * a @prefix the ones before it must be @prefix0.. (@reg31 for number 31)
 * too (AArch64: x0..x30, sp, pc).
 */
static void check_reg_layout(struct target *t, const char *prefix,
                             const char *reg31)
{
    mcd_register_info_st ri[NREGS];
    uint32_t n = NREGS, i;
    char want[16];

    check(t, t->core[0], mcd_qry_reg_map_f(t->core[0], 0, 0, &n, ri),
          "mcd_qry_reg_map_f");
    for (i = 0; i < NREGS; i++) {
        if (i == REG_PC) {
            snprintf(want, sizeof(want), "pc");
        } else if (!prefix) {
            continue;
        } else if (i == 31 && reg31) {
            snprintf(want, sizeof(want), "%s", reg31);
        } else {
            snprintf(want, sizeof(want), "%s%u", prefix, i);
        }
        if (i >= n || strcmp(ri[i].regname, want) != 0 ||
            ri[i].addr.address != i) {
            fail("%s: register %u is \"%s\" at %" PRIu64 ", not %s", t->what,
                 i, i < n ? ri[i].regname : "(none)",
                 i < n ? ri[i].addr.address : 0, want);
        }
    }
}

static void target_close(struct target *t)
{
    uint32_t i;

    for (i = 0; i < NHARTS; i++) {
        if (t->core[i]) {
            mcd_close_core_f(t->core[i]);
        }
    }
    mcd_close_server_f(t->srv);
}

/* One transaction on core @h; *@done = the bytes it did (0 if none). */
static mcd_return_et tx_exec(struct target *t, uint32_t h, uint32_t space,
                             uint64_t addr, mcd_tx_access_type_et at,
                             void *buf, uint32_t len, uint32_t *done)
{
    mcd_return_et ret;
    mcd_txlist_st tl;
    mcd_tx_st tx;

    memset(&tx, 0, sizeof(tx));
    tx.addr.address = addr;
    tx.addr.mem_space_id = space;
    tx.access_type = at;
    tx.data = buf;
    tx.num_bytes = len;
    tl.tx = &tx;
    tl.num_tx = 1;
    tl.num_tx_ok = 0;
    ret = mcd_execute_txlist_f(t->core[h], &tl);
    *done = tl.num_tx_ok == 1 ? tx.num_bytes_ok : 0;
    return ret;
}

static void tx_one(struct target *t, uint32_t h, uint32_t space, uint64_t addr,
                   mcd_tx_access_type_et at, void *buf, uint32_t len)
{
    uint32_t done;

    check(t, t->core[h], tx_exec(t, h, space, addr, at, buf, len, &done),
          at == MCD_TX_AT_R ? "read" : "write");
    if (done != len) {
        fail("%s: %u of %u bytes at 0x%" PRIx64, t->what, done, len, addr);
    }
}

static void regs_read(struct target *t, uint32_t h, uint64_t r[NREGS])
{
    tx_one(t, h, t->regs_space, 0, MCD_TX_AT_R, r, NREGS * 8);
}

static void step(struct target *t, uint32_t h, uint32_t n)
{
    check(t, t->core[h],
          mcd_step_f(t->core[h], FALSE, MCD_CORE_STEP_TYPE_INSTR, n),
          "mcd_step_f");
}

static mcd_core_state_et state(struct target *t, uint32_t h)
{
    mcd_core_state_st st;

    check(t, t->core[h], mcd_qry_state_f(t->core[h], &st), "mcd_qry_state_f");
    return st.state;
}

/* Bring hart @h to the ELF entry (QEMU starts in its reset vector), then
 * zero x1..x31 so that both targets start alike. */
static void to_entry(struct target *t, uint32_t h)
{
    uint64_t r[NREGS];
    int k;

    for (k = 0;; k++) {
        regs_read(t, h, r);
        if (r[REG_PC] == elf_entry) {
            break;
        }
        if (k == 64) {
            fail("%s: hart %u did not reach the entry 0x%" PRIx64
                 " in 64 steps (pc 0x%" PRIx64 ")",
                 t->what, h, elf_entry, r[REG_PC]);
        }
        step(t, h, 1);
    }
    memset(r, 0, sizeof(r));
    r[REG_PC] = elf_entry;
    tx_one(t, h, t->regs_space, 0, MCD_TX_AT_W, r, NREGS * 8);
}

static int test_diff(uint32_t nsteps)
{
    struct target vp, q;
    uint64_t a[NREGS], b[NREGS];
    uint32_t h, k, i;

    target_open(&vp, "mcdshm-vp", getenv("MCDSHM_VP_CONFIG"), "mcdshm-vp");
    target_open(&q, "QEMU", getenv("MCDSHM_CONFIG"), "QEMU");
    check_reg_layout(&vp, NULL, NULL);
    check_reg_layout(&q, NULL, NULL);
    for (h = 0; h < NHARTS; h++) {
        if (state(&vp, h) != MCD_CORE_STATE_DEBUG ||
            state(&q, h) != MCD_CORE_STATE_DEBUG) {
            fail("hart %u must be stopped on both targets at the start", h);
        }
        to_entry(&vp, h);
        to_entry(&q, h);
    }
    for (k = 1; k <= nsteps; k++) {
        for (h = 0; h < NHARTS; h++) {
            step(&vp, h, 1);
            step(&q, h, 1);
            regs_read(&vp, h, a);
            regs_read(&q, h, b);
            for (i = 1; i < NREGS; i++) {
                if (a[i] != b[i]) {
                    fail("hart %u, step %u: register %u is 0x%" PRIx64
                         " on mcdshm-vp, 0x%" PRIx64 " on QEMU (pc 0x%" PRIx64
                         " / 0x%" PRIx64 ")",
                         h, k, i, a[i], b[i], a[REG_PC], b[REG_PC]);
                }
            }
        }
    }
    regs_read(&q, 0, b);
    printf("test_qemu diff: %u steps on each of %d harts: pc and x1..x31 "
           "equal after every step (hart 0 ends at pc 0x%" PRIx64 ")\n",
           nsteps, NHARTS, b[REG_PC]);
    target_close(&q);
    target_close(&vp);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One debugger process: read 4 MiB of RAM 20 times while the guest runs;
 * the counters must advance and the harts stay RUNNING. */
static void reader(int id)
{
    static uint8_t buf[4 << 20];
    uint64_t c0[NHARTS], c1[NHARTS];
    struct target q;
    uint32_t h;
    int k;
    char what[32];

    snprintf(what, sizeof(what), "QEMU (reader %d)", id);
    target_open(&q, what, getenv("MCDSHM_CONFIG"), "QEMU");
    tx_one(&q, 0, q.phys_space, sym_counter, MCD_TX_AT_R, c0, sizeof(c0));
    for (k = 0; k < 20; k++) {
        tx_one(&q, 0, q.phys_space, RAM_BASE, MCD_TX_AT_R, buf, sizeof(buf));
        for (h = 0; h < NHARTS; h++) {
            if (state(&q, h) != MCD_CORE_STATE_RUNNING) {
                fail("%s: hart %u stopped running during the reads", what, h);
            }
        }
    }
    for (k = 0; k < 200; k++) {
        usleep(10000);
        tx_one(&q, 0, q.phys_space, sym_counter, MCD_TX_AT_R, c1, sizeof(c1));
        for (h = 0; h < NHARTS && c1[h] > c0[h]; h++) {
        }
        if (h == NHARTS) {
            break;
        }
    }
    for (h = 0; h < NHARTS; h++) {
        if (c1[h] <= c0[h]) {
            fail("%s: counter[%u] did not advance (%" PRIu64 " -> %" PRIu64
                 ") while reading: the guest did not run",
                 what, h, c0[h], c1[h]);
        }
    }
    target_close(&q);
    mcd_exit_f();
    exit(0);
}

static void wait_children(pid_t *pids, int n)
{
    int i, status, bad = 0;

    for (i = 0; i < n; i++) {
        if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            bad++;
        }
    }
    if (bad) {
        fail("%d of %d debugger processes failed", bad, n);
    }
}

static void run_all(void)
{
    struct target q;

    target_open(&q, "QEMU", getenv("MCDSHM_CONFIG"), "QEMU");
    check(&q, q.core[0], mcd_run_f(q.core[0], TRUE), "mcd_run_f(global)");
    target_close(&q);
}

static int test_readers(void)
{
    pid_t pids[2];
    double t0 = now_s();
    int i;

    run_all();
    usleep(100000);
    for (i = 0; i < 2; i++) {
        pids[i] = fork();
        if (pids[i] < 0) {
            fail("fork: %s", strerror(errno));
        }
        if (pids[i] == 0) {
            reader(i);
        }
    }
    wait_children(pids, 2);
    printf("test_qemu readers: 2 debuggers read 2 x 20 x 4 MiB of RAM while "
           "the guest ran (%.2f s)\n",
           now_s() - t0);
    return 0;
}

static int test_killed(void)
{
    const char *qpid = getenv("MCDSHM_QEMU_PID");
    static uint8_t buf[16 << 20];
    uint64_t c0[NHARTS], c1[NHARTS];
    struct target q;
    pid_t pid;
    int round, status;

    if (!qpid) {
        fail("MCDSHM_QEMU_PID is not set (run through run_qemu.sh)");
    }
    run_all();
    for (round = 0; round < 3; round++) {
        pid = fork();
        if (pid < 0) {
            fail("fork: %s", strerror(errno));
        }
        if (pid == 0) {
            target_open(&q, "QEMU (victim)", getenv("MCDSHM_CONFIG"), "QEMU");
            for (;;) {
                tx_one(&q, 0, q.phys_space, RAM_BASE, MCD_TX_AT_R, buf,
                       sizeof(buf));
                state(&q, 1);
            }
        }
        usleep(300000 + 100000 * round);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        if (kill((pid_t)atoi(qpid), 0) != 0) {
            fail("QEMU (pid %s) died with its debugger", qpid);
        }
    }
    /* A new debugger: the guest still runs and stays debuggable. */
    target_open(&q, "QEMU (after)", getenv("MCDSHM_CONFIG"), "QEMU");
    tx_one(&q, 0, q.phys_space, sym_counter, MCD_TX_AT_R, c0, sizeof(c0));
    /* On a loaded machine a vCPU thread may wait a while for a CPU. */
    for (round = 0; round < 200; round++) {
        usleep(10000);
        tx_one(&q, 0, q.phys_space, sym_counter, MCD_TX_AT_R, c1, sizeof(c1));
        if (c1[0] > c0[0]) {
            break;
        }
    }
    if (c1[0] <= c0[0]) {
        fail("counter[0] stayed at %" PRIu64 " for 2 s after the debuggers "
             "were killed (core 0 state %d): the guest stopped running",
             c1[0], (int)state(&q, 0));
    }
    check(&q, q.core[0], mcd_stop_f(q.core[0], TRUE), "mcd_stop_f(global)");
    if (state(&q, 0) != MCD_CORE_STATE_DEBUG) {
        fail("core 0 is not stopped after mcd_stop_f");
    }
    step(&q, 2, 3);
    check(&q, q.core[0], mcd_run_f(q.core[0], TRUE), "mcd_run_f(global)");
    if (state(&q, 3) != MCD_CORE_STATE_RUNNING) {
        fail("core 3 does not run after mcd_run_f");
    }
    target_close(&q);
    printf("test_qemu killed: 3 debuggers killed mid-call; QEMU ran on and "
           "a new debugger stopped, stepped and ran it\n");
    return 0;
}

/* Wait up to 5 s for core @h to stop. */
static void wait_stopped(struct target *t, uint32_t h)
{
    int k;

    for (k = 0; k < 500 && state(t, h) != MCD_CORE_STATE_DEBUG; k++) {
        usleep(10000);
    }
    if (state(t, h) != MCD_CORE_STATE_DEBUG) {
        fail("%s: core %u did not stop within 5 s", t->what, h);
    }
}

/*
 * A complex WRITE trigger with a data condition: hart 1 must stop exactly
 * when counter[1] becomes the value asked for, not at the writes before;
 * the other harts keep running (the trigger stops its core only).
 */
static int test_trigdata(void)
{
    mcd_trig_complex_core_st trig;
    mcd_core_state_st st;
    uint64_t c, v;
    uint32_t id = 0;
    struct target q;

    target_open(&q, "QEMU", getenv("MCDSHM_CONFIG"), "QEMU");
    check(&q, q.core[0], mcd_stop_f(q.core[0], TRUE), "mcd_stop_f(global)");
    tx_one(&q, 1, q.phys_space, sym_counter + 8, MCD_TX_AT_R, &c, 8);
    memset(&trig, 0, sizeof(trig));
    trig.struct_size = sizeof(trig);
    trig.type = MCD_TRIG_TYPE_WRITE;
    trig.action = MCD_TRIG_ACTION_DBG_DEBUG;
    trig.addr_start.address = sym_counter + 8;
    trig.addr_start.mem_space_id = q.phys_space;
    trig.addr_range = 7;
    trig.data_start = c + 1000;
    trig.data_size = 8;
    check(&q, q.core[1], mcd_create_trig_f(q.core[1], &trig, &id),
          "mcd_create_trig_f(complex WRITE with data)");
    if (trig.modified) {
        fail("the data condition was approximated (modified set)");
    }
    check(&q, q.core[0], mcd_run_f(q.core[0], TRUE), "mcd_run_f(global)");
    wait_stopped(&q, 1);
    check(&q, q.core[1], mcd_qry_state_f(q.core[1], &st), "mcd_qry_state_f");
    tx_one(&q, 1, q.phys_space, sym_counter + 8, MCD_TX_AT_R, &v, 8);
    if (v != c + 1000 || st.trig_id != id) {
        fail("hart 1 stopped with counter[1] = %" PRIu64 " (want %" PRIu64
             "), trig_id %u (want %u): %s",
             v, c + 1000, st.trig_id, id, st.stop_str);
    }
    if (state(&q, 0) != MCD_CORE_STATE_RUNNING) {
        fail("hart 0 stopped too; the trigger belongs to hart 1");
    }
    check(&q, q.core[1], mcd_remove_trig_f(q.core[1], id), "mcd_remove_trig_f");
    target_close(&q);
    printf("test_qemu trigdata: hart 1 stopped at counter[1] = %" PRIu64
           " exactly (%s), hart 0 ran on\n",
           v, st.stop_str);
    return 0;
}

/* One transaction that may fail: its error code (MCD_ERR_NONE if done). */
static mcd_error_code_et tx_try(struct target *t, uint32_t h, uint32_t space,
                                uint64_t addr, mcd_tx_access_type_et at,
                                void *buf, uint32_t len, char *msg,
                                size_t msglen)
{
    mcd_error_info_st e;
    uint32_t done;

    if (tx_exec(t, h, space, addr, at, buf, len, &done) == MCD_RET_ACT_NONE) {
        return MCD_ERR_NONE;
    }
    mcd_qry_error_info_f(t->core[h], &e);
    snprintf(msg, msglen, "%s", e.error_str);
    return e.error_code;
}

/*
 * aarch64: step core 0 through steps_start..steps_end; after each step pc
 * and x0..x30 must equal what the program stored after the same
 * instruction in its first run.
 */
static int test_steps(void)
{
    mcd_trig_simple_core_st trig;
    uint64_t r[NREGS], snap[32];
    uint32_t id = 0, k, n, i;
    struct target q;

    if (!sym_steps_start || sym_steps_end <= sym_steps_start ||
        !sym_snapshots) {
        fail("MCDSHM_TEST_ELF is not aarch64_steps.elf (no steps_start, "
             "steps_end, snapshots)");
    }
    n = (uint32_t)(sym_steps_end - sym_steps_start) / 4;
    target_open(&q, "QEMU", getenv("MCDSHM_CONFIG"), "QEMU");
    check_reg_layout(&q, "x", "sp");
    memset(&trig, 0, sizeof(trig));
    trig.struct_size = sizeof(trig);
    trig.type = MCD_TRIG_TYPE_IP;
    trig.action = MCD_TRIG_ACTION_DBG_DEBUG;
    trig.addr_start.address = sym_steps_start;
    trig.addr_start.mem_space_id = space_of(&q, MCD_MEM_SPACE_IS_LOGICAL);
    check(&q, q.core[0], mcd_create_trig_f(q.core[0], &trig, &id),
          "mcd_create_trig_f(IP steps_start)");
    check(&q, q.core[0], mcd_run_f(q.core[0], FALSE), "mcd_run_f");
    wait_stopped(&q, 0);
    check(&q, q.core[0], mcd_remove_trig_f(q.core[0], id), "mcd_remove_trig_f");
    regs_read(&q, 0, r);
    if (r[REG_PC] != sym_steps_start) {
        fail("core 0 stopped at pc 0x%" PRIx64 ", not steps_start 0x%" PRIx64,
             r[REG_PC], sym_steps_start);
    }
    for (k = 0; k < n; k++) {
        step(&q, 0, 1);
        regs_read(&q, 0, r);
        tx_one(&q, 0, q.phys_space, sym_snapshots + 256 * (uint64_t)k, MCD_TX_AT_R,
               snap, sizeof(snap));
        if (r[REG_PC] != sym_steps_start + 4 * (uint64_t)(k + 1)) {
            fail("step %u: pc 0x%" PRIx64 ", want 0x%" PRIx64, k + 1,
                 r[REG_PC], sym_steps_start + 4 * (uint64_t)(k + 1));
        }
        for (i = 0; i <= 30; i++) {
            if (r[i] != snap[i]) {
                fail("step %u (pc 0x%" PRIx64 "): x%u is 0x%" PRIx64
                     ", the program stored 0x%" PRIx64,
                     k + 1, r[REG_PC], i, r[i], snap[i]);
            }
        }
    }
    target_close(&q);
    printf("test_qemu steps: %u single steps, pc and x0..x30 as the program "
           "stored them after each\n",
           n);
    return 0;
}

/* Arm with secure=on: the memory spaces and secure transactions. */
static int test_secure(void)
{
    static const uint32_t want[5] = {
        MCD_MEM_SPACE_IS_PHYSICAL,
        MCD_MEM_SPACE_IS_LOGICAL,
        MCD_MEM_SPACE_IS_PHYSICAL | MCD_MEM_SPACE_IS_SECURE,
        MCD_MEM_SPACE_IS_LOGICAL | MCD_MEM_SPACE_IS_SECURE,
        MCD_MEM_SPACE_IS_REGISTERS,
    };
    mcd_memspace_st sp[8];
    mcd_memblock_st bl[64];
    uint64_t pattern = UINT64_C(0x5ec0de5ec0de5ec0), v = 0, base = 0;
    uint32_t n = 8, nb = 64, i;
    mcd_error_code_et err;
    struct target q;
    char msg[MCD_INFO_STR_LEN];

    target_open(&q, "QEMU", getenv("MCDSHM_CONFIG"), "QEMU");
    check(&q, q.core[0], mcd_qry_mem_spaces_f(q.core[0], 0, &n, sp),
          "mcd_qry_mem_spaces_f");
    if (n != 5) {
        fail("%u memory spaces, the seed's layout has 5 with secure=on", n);
    }
    for (i = 0; i < 5; i++) {
        if (sp[i].mem_space_id != i + 1 || sp[i].mem_type != want[i]) {
            fail("memory space %u: id %u, type 0x%x (\"%s\"); want id %u, "
                 "type 0x%x",
                 i, sp[i].mem_space_id, (unsigned)sp[i].mem_type,
                 sp[i].mem_space_name, i + 1, (unsigned)want[i]);
        }
    }
    /* The secure RAM: a block of the secure physical space only. */
    check(&q, q.core[0], mcd_qry_mem_blocks_f(q.core[0], 3, 0, &nb, bl),
          "mcd_qry_mem_blocks_f(3)");
    for (i = 0; i < nb && i < 64 && !base; i++) {
        if (strstr(bl[i].mem_block_name, "secure-ram")) {
            base = bl[i].start_addr;
        }
    }
    if (!base) {
        fail("no secure-ram block among the %u of the secure physical space",
             nb);
    }
    err = tx_try(&q, 0, 1, base, MCD_TX_AT_R, &v, 8, msg, sizeof(msg));
    if (err != MCD_ERR_TXLIST_READ) {
        fail("a non-secure read of the secure RAM at 0x%" PRIx64
             " gave error 0x%x (%s), not MCD_ERR_TXLIST_READ",
             base, (unsigned)err, err ? msg : "it succeeded");
    }
    tx_one(&q, 0, 3, base, MCD_TX_AT_W, &pattern, 8);
    tx_one(&q, 0, 3, base, MCD_TX_AT_R, &v, 8);
    if (v != pattern) {
        fail("the secure space read 0x%" PRIx64 " back at 0x%" PRIx64
             ", wrote 0x%" PRIx64,
             v, base, pattern);
    }
    target_close(&q);
    printf("test_qemu secure: 5 memory spaces in the seed's order; "
           "0x%" PRIx64 " refused non-secure (%s), read through the "
           "secure space\n",
           base, msg);
    return 0;
}

int main(int argc, char **argv)
{
    mcd_api_version_st req = { MCD_API_VER_MAJOR, MCD_API_VER_MINOR,
                               MCD_API_VER_AUTHOR };
    mcd_impl_version_info_st impl;
    const char *elf = getenv("MCDSHM_TEST_ELF");
    int rc;

    if (argc < 2 || (!strcmp(argv[1], "diff") && argc < 3)) {
        fprintf(stderr, "usage: test_qemu diff N | readers | killed | "
                        "trigdata | steps | secure\n");
        return 2;
    }
    if (!elf) {
        fprintf(stderr, "test_qemu: MCDSHM_TEST_ELF is not set\n");
        return 2;
    }
    if (strcmp(elf, "-") != 0) {
        elf_read(elf);
    }
    if (mcd_initialize_f(&req, &impl) != MCD_RET_ACT_NONE) {
        fail("mcd_initialize_f failed");
    }
    if (!strcmp(argv[1], "diff")) {
        rc = test_diff((uint32_t)strtoul(argv[2], NULL, 0));
    } else if (!strcmp(argv[1], "readers")) {
        rc = test_readers();
    } else if (!strcmp(argv[1], "trigdata")) {
        rc = test_trigdata();
    } else if (!strcmp(argv[1], "killed")) {
        rc = test_killed();
    } else if (!strcmp(argv[1], "steps")) {
        rc = test_steps();
    } else if (!strcmp(argv[1], "secure")) {
        rc = test_secure();
    } else {
        fprintf(stderr, "test_qemu: unknown test '%s'\n", argv[1]);
        return 2;
    }
    mcd_exit_f();
    return rc;
}
