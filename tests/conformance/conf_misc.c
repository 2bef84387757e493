/*
 * conf_misc.c - conformance of communication channels and of two
 * debuggers at once.
 *
 * Channel: an APPLI channel (the target's UART) is opened, the guest's
 * output received while the harts run (test_prog prints nothing, so a
 * time-out is as good as bytes; what matters is that receive honours its
 * time-out and buffer size), a message sent, the channel reset and closed,
 * and closed again (an error).
 *
 * Two debuggers: the test forks before loading anything; each process
 * then dlopen()s the library itself, opens the server and a core of its
 * own (0 and 1), waits for the other at a pipe barrier, and writes and
 * reads back its own part of the scratch area many times while the other
 * does the same.  The child reports through a pipe and its exit status
 * only: it must not use Criterion's assertions.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"

/* ------------------------------------------------------------------------
 * Channels
 */

static mcd_chl_st appli_chl(void)
{
    mcd_chl_st c;

    memset(&c, 0, sizeof(c));
    c.type = MCD_CHL_TYPE_APPLI;
    c.attributes = MCD_CHL_AT_RCV | MCD_CHL_AT_SND;
    c.max_msg_len = 256;
    c.prio = 0;
    return c;
}

/* One receive with a @timeout_ms: bytes, or a clean time-out, in time. */
static uint32_t receive_once(const mcd_chl_st *c, uint32_t timeout_ms)
{
    uint8_t buf[4096];
    uint32_t cap =
        c->max_msg_len < sizeof(buf) ? c->max_msg_len : (uint32_t)sizeof(buf);
    uint32_t len = cap;
    uint64_t t0 = conf_now_ms(), took;
    mcd_return_et ret;

    ret = CONF_CALL(conf.api.receive_msg(CORE(0), c, timeout_ms, &len, buf));
    took = conf_now_ms() - t0;
    cr_assert(took <= timeout_ms + 1000,
              "mcd_receive_msg_f with a %u ms "
              "time-out took %llu ms",
              timeout_ms, (unsigned long long)took);
    if (ret != MCD_RET_ACT_NONE) {
        conf_expect_err(CORE(0), ret, MCD_ERR_TIMED_OUT,
                        "mcd_receive_msg_f (nothing to receive)", __FILE__,
                        __LINE__);
        return 0;
    }
    cr_assert(len <= cap, "mcd_receive_msg_f returned %u bytes into %u", len,
              cap);
    return len;
}

Test(chl, appli_channel_open_receive_send_close, .init = conf_open,
     .fini = conf_close, .timeout = CONF_TIMEOUT)
{
    static const uint8_t hello[] = "conf\n";
    mcd_chl_st c = appli_chl();
    uint32_t total = 0, k;

    conf_require(CAP_CHANNEL);
    conf_reset_system();
    CHECK_MCD(CORE(0), conf.api.chl_open(CORE(0), &c));
    cr_assert(c.chl_id != 0 && c.type == MCD_CHL_TYPE_APPLI &&
                  c.max_msg_len > 0 && c.prio <= MCD_CHL_LOWEST_PRIORITY,
              "accepted channel: id %u, type 0x%x, max_msg_len %u, prio %u",
              c.chl_id, c.type, c.max_msg_len, c.prio);
    CHECK_MCD(CORE(0), conf.api.run(CORE(0), TRUE));
    for (k = 0; k < 4; k++) {
        total += receive_once(&c, 50);
    }
    conf_stop_all();
    cr_log_info("received %u bytes of guest output", total);
    CHECK_MCD(CORE(0),
              conf.api.send_msg(CORE(0), &c, sizeof(hello) - 1, hello));
    CHECK_MCD(CORE(0), conf.api.chl_reset(CORE(0), &c));
    CHECK_MCD(CORE(0), conf.api.chl_close(CORE(0), &c));
    EXPECT_MCD_ERR(CORE(0), conf.api.chl_close(CORE(0), &c), CONF_ANY_ERROR);
}

Test(chl, unknown_type_refused_or_opened, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_chl_st c = appli_chl();
    mcd_return_et ret;

    conf_require(CAP_CHANNEL);
    c.type = MCD_CHL_TYPE_CUSTOM_LO + 0x55;
    ret = CONF_CALL(conf.api.chl_open(CORE(0), &c));
    if (ret == MCD_RET_ACT_NONE) {
        CHECK_MCD(CORE(0), conf.api.chl_close(CORE(0), &c));
        return;
    }
    conf_expect_err(CORE(0), ret, MCD_ERR_CHL_TYPE_NOT_SUPPORTED,
                    "mcd_chl_open_f (custom type)", __FILE__, __LINE__);
}

/* ------------------------------------------------------------------------
 * Two debuggers
 */

#define DBG_ROUNDS 2000
#define DBG_BYTES 256

/* One debugger process's part. */
struct dbg {
    uint32_t core;    /* the core it opens */
    uint64_t scratch; /* its own DBG_BYTES of scratch RAM */
    int signal_fd;    /* it writes one byte here when connected */
    int wait_fd;      /* ... and waits for the other's byte here */
};

/* The PHYSICAL space of @d's core, without asserting. */
static int dbg_space(struct conf *cf, const struct dbg *d, uint32_t *space,
                     char *err, size_t len)
{
    const mcd_core_st *c = cf->cores[d->core].core;
    mcd_memspace_st sp[16];
    uint32_t n = 16, k;
    mcd_return_et ret;

    ret = cf->api.qry_mem_spaces(c, 0, &n, sp);
    if (ret != MCD_RET_ACT_NONE) {
        return conf_say_mcd(cf, c, "mcd_qry_mem_spaces_f", ret, err, len);
    }
    for (k = 0; k < n && k < 16; k++) {
        if ((sp[k].mem_type & MCD_MEM_SPACE_IS_PHYSICAL) &&
            !(sp[k].mem_type & MCD_MEM_SPACE_IS_REGISTERS)) {
            *space = sp[k].mem_space_id;
            return 0;
        }
    }
    snprintf(err, len, "core %u has no PHYSICAL memory space", d->core);
    return -1;
}

/* Write a fresh pattern and read it back, DBG_ROUNDS times. */
static int dbg_rounds(struct conf *cf, const struct dbg *d, uint32_t space,
                      char *err, size_t len)
{
    const mcd_core_st *c = cf->cores[d->core].core;
    uint8_t out[DBG_BYTES], in[DBG_BYTES];
    mcd_tx_st tx[2];
    mcd_txlist_st tl = { tx, 2, 0 };
    mcd_return_et ret;
    uint32_t r;

    for (r = 0; r < DBG_ROUNDS; r++) {
        conf_pattern(out, DBG_BYTES, d->core * 1000003u + r);
        memset(in, 0, sizeof(in));
        conf_tx_init(&tx[0], space, d->scratch, MCD_TX_AT_W, out, DBG_BYTES);
        conf_tx_init(&tx[1], space, d->scratch, MCD_TX_AT_R, in, DBG_BYTES);
        tl.num_tx_ok = 0;
        ret = cf->api.execute_txlist(c, &tl);
        if (ret != MCD_RET_ACT_NONE) {
            return conf_say_mcd(cf, c, "mcd_execute_txlist_f", ret, err, len);
        }
        if (tl.num_tx_ok != 2 || memcmp(in, out, DBG_BYTES)) {
            snprintf(err, len, "round %u: num_tx_ok %u, read back %s", r,
                     tl.num_tx_ok,
                     memcmp(in, out, DBG_BYTES) ? "other bytes" : "the same");
            return -1;
        }
    }
    return 0;
}

/* Connect, meet the other debugger, then work. */
static int dbg_run(struct conf *cf, const struct dbg *d, char *err, size_t len)
{
    uint32_t space;
    char b = 1;

    if (conf_lib_load(cf, err, len) < 0 ||
        conf_session_open(cf, err, len) < 0 ||
        conf_core_open(cf, d->core, err, len) < 0 ||
        dbg_space(cf, d, &space, err, len) < 0) {
        return -1;
    }
    if (write(d->signal_fd, &b, 1) != 1 || read(d->wait_fd, &b, 1) != 1) {
        snprintf(err, len, "the other debugger went away before starting");
        return -1;
    }
    return dbg_rounds(cf, d, space, err, len);
}

/* The forked second debugger: never returns. */
static void dbg_child(const struct dbg *d, const int *close_fds, int result)
    __attribute__((noreturn));

static void dbg_child(const struct dbg *d, const int *close_fds, int result)
{
    char err[512] = "";
    int r, k;

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (k = 0; k < 3; k++) {
        close(close_fds[k]);
    }
    r = dbg_run(&conf, d, err, sizeof(err));
    if (r == 0) {
        conf.api.close_core(conf.cores[d->core].core);
        conf.api.close_server(conf.server);
        conf.api.exit();
    }
    if (write(result, err, strlen(err) + 1) < 0) {
        r = -1;
    }
    _exit(r ? 1 : 0);
}

/* The child's verdict: 0, or -1 with its message (or its end) in @msg. */
static int dbg_wait(pid_t pid, int fd, char *msg, size_t len)
{
    size_t got = 0;
    ssize_t n;
    int status = 0;

    while (got + 1 < len && (n = read(fd, msg + got, len - 1 - got)) > 0) {
        got += (size_t)n;
    }
    msg[got] = '\0';
    close(fd);
    if (waitpid(pid, &status, 0) != pid) {
        snprintf(msg, len, "waitpid failed");
        return -1;
    }
    if (WIFSIGNALED(status)) {
        snprintf(msg, len, "killed by signal %d", WTERMSIG(status));
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

Test(multi, two_debuggers_at_once, .init = conf_open_env, .fini = conf_close,
     .timeout = 60)
{
    int to_child[2], to_parent[2], result[2], close_fds[3];
    char err[512] = "", cerr[512] = "";
    struct dbg mine, theirs;
    uint64_t base;
    pid_t pid;
    int r;

    conf_require(CAP_MULTI_CLIENT);
    if (conf.target->min_cores < 2) {
        cr_skip_test("the %s profile promises %u core(s); two debuggers "
                     "need two",
                     conf.target->name, conf.target->min_cores);
    }
    base = conf_scratch_base();
    cr_assert(pipe(to_child) == 0 && pipe(to_parent) == 0 && pipe(result) == 0,
              "pipe failed");
    mine = (struct dbg){ 0, base + (2u << 20), to_child[1], to_parent[0] };
    theirs = (struct dbg){ 1, base + (3u << 20), to_parent[1], to_child[0] };
    close_fds[0] = to_child[1];
    close_fds[1] = to_parent[0];
    close_fds[2] = result[0];
    pid = fork();
    cr_assert(pid >= 0, "fork failed");
    if (pid == 0) {
        dbg_child(&theirs, close_fds, result[1]);
    }
    close(to_child[0]);
    close(to_parent[1]);
    close(result[1]);
    r = dbg_run(&conf, &mine, err, sizeof(err));
    close(to_child[1]);
    close(to_parent[0]);
    cr_assert(dbg_wait(pid, result[0], cerr, sizeof(cerr)) == 0,
              "the second debugger (own process, core 1) failed: %s", cerr);
    cr_assert(r == 0, "the first debugger (core 0) failed: %s", err);
}
