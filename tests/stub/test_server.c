/*
 * Tests of the server stub (qemu-side/stub/server.c) end to end: the real
 * client library, the stub, the server core and the reference platform,
 * with debuggers in child processes.  Several debuggers at once, a
 * debugger killed with SIGKILL (the others never notice, its session is
 * released), a client that corrupts its ring (dropped, the server lives
 * on), the three wait policies, the embedding API driven by the host's own
 * poll() loop, and a target that executes on the simulator's thread.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cosim/vp/platform.h"
#include "mcd/mcd_api.h"
#include "mcdshm/server.h"
#include "shm/conn.h"
#include "tests/mcd_check.h"

#define RAM 0x80000000ull

static char dir[64];
static char cfg[256];

static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/mcdshm-stub-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    setenv("MCDSHM_RUNTIME_DIR", dir, 1);
    snprintf(cfg, sizeof(cfg), "McdShmEndpoint=\"%s/stub.sock\"", dir);
}

static void remove_dir(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
}

TestSuite(stub, .init = make_dir, .fini = remove_dir, .timeout = 60);

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct vp *platform(void)
{
    struct vp_config c;
    struct vp *vp;
    char err[256];

    vp_config_default(&c);
    c.nharts = 2;
    c.ram_size = 8 << 20;
    cr_assert_eq(vp_create(&c, &vp, err, sizeof(err)), 0, "%s", err);
    return vp;
}

static struct mcdshm_server *serve(const struct mcdshm_target *t,
                                   const char *policy)
{
    struct mcdshm_server_opts o = { .name = "stub", .policy = policy };
    struct mcdshm_server *s;
    char err[256];

    cr_assert_eq(mcdshm_server_start(t, &o, &s, err, sizeof(err)), 0, "%s",
                 err);
    return s;
}

/* A debugger: open the server and core @idx. */
static void open_core(mcd_server_st **srv, mcd_core_st **core, uint32_t idx)
{
    mcd_core_con_info_st ci[4];
    uint32_t n = 4;

    CHECK(NULL, mcd_open_server_f("", cfg, srv));
    CHECK(NULL, mcd_qry_cores_f(NULL, 0, &n, ci));
    cr_assert_gt(n, idx);
    CHECK(NULL, mcd_open_core_f(&ci[idx], core));
}

/*
 * Start a debugger (tests/stub/debugger.c): @rounds round trips of @len
 * bytes on core @idx, the i-th at @addr + i * @step; with @hang it then
 * waits to be killed.  Spawned, not forked: a child forked from this
 * multithreaded process may hang in the AddressSanitizer allocator on a
 * lock that a thread starting up held at the fork (see debugger.c).
 */
static pid_t spawn_debugger(uint32_t idx, int rounds, uint32_t len,
                            uint64_t addr, uint32_t step, bool hang)
{
    char a_idx[16], a_rounds[16], a_len[16], a_addr[24], a_step[16];
    char prog[] = STUB_DEBUGGER, a_hang[] = "hang";
    char *argv[9] = { prog, cfg, a_idx, a_rounds, a_len, a_addr, a_step };
    pid_t pid;
    int r;

    snprintf(a_idx, sizeof(a_idx), "%u", idx);
    snprintf(a_rounds, sizeof(a_rounds), "%d", rounds);
    snprintf(a_len, sizeof(a_len), "%u", len);
    snprintf(a_addr, sizeof(a_addr), "0x%llx", (unsigned long long)addr);
    snprintf(a_step, sizeof(a_step), "%u", step);
    argv[7] = hang ? a_hang : NULL;
    r = posix_spawn(&pid, prog, NULL, NULL, argv, environ);
    cr_assert_eq(r, 0, "posix_spawn %s: %s", prog, strerror(r));
    return pid;
}

/* Child debugger: @rounds round trips on core @idx, exit 0 if all good. */
static pid_t debugger(uint32_t idx, int rounds, bool hang)
{
    return spawn_debugger(idx, rounds, 4096, RAM + idx * 0x100000, 64, hang);
}

static int wait_clients(struct mcdshm_server *s, int n, int ms)
{
    uint64_t until = now_ms() + (uint64_t)ms;

    while (mcdshm_server_clients(s) != n && now_ms() < until) {
        usleep(1000);
    }
    return mcdshm_server_clients(s);
}

static void two_debuggers(const char *policy)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp_target(vp), policy);
    pid_t a = debugger(0, 300, false), b = debugger(1, 300, false);
    int sa, sb;

    cr_assert_eq(waitpid(a, &sa, 0), a);
    cr_assert_eq(waitpid(b, &sb, 0), b);
    cr_assert(WIFEXITED(sa) && WEXITSTATUS(sa) == 0, "debugger A failed");
    cr_assert(WIFEXITED(sb) && WEXITSTATUS(sb) == 0, "debugger B failed");
    cr_assert_eq(wait_clients(s, 0, 1000), 0, "sessions released");
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

Test(stub, two_debuggers_hybrid)
{
    two_debuggers("hybrid");
}

Test(stub, two_debuggers_busy)
{
    two_debuggers("busy");
}

Test(stub, two_debuggers_sleep)
{
    two_debuggers("sleep");
}

Test(stub, killed_debugger_released_others_unaffected)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp_target(vp), "hybrid");
    pid_t victim = debugger(0, 10, true);
    pid_t other;
    uint64_t t0;
    int st;

    cr_assert_eq(wait_clients(s, 1, 5000), 1);
    other = debugger(1, 200, false);
    usleep(20000);
    t0 = now_ms();
    kill(victim, SIGKILL);
    waitpid(victim, NULL, 0);
    /* Only the survivor may remain (it may have finished already). */
    while (mcdshm_server_clients(s) > 1 && now_ms() - t0 < 1000) {
        usleep(1000);
    }
    cr_assert_lt(now_ms() - t0, 100, "the dead session went within 100 ms");
    cr_assert_eq(waitpid(other, &st, 0), other);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the other debugger");
    cr_assert_eq(wait_clients(s, 0, 1000), 0);
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

Test(stub, corrupt_ring_drops_only_that_client)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp_target(vp), "hybrid");
    struct mcdshm_ring *ctl;
    struct shm_conn rogue;
    char path[SHM_PATH_MAX], err[SHM_ERRLEN];
    pid_t good;
    int st;

    snprintf(path, sizeof(path), "%s/stub.sock", dir);
    cr_assert_eq(shm_connect(path, NULL, &rogue, err), 0, "%s", err);
    cr_assert_eq(wait_clients(s, 1, 5000), 1);
    /* Claim more requests than the ring can hold, and ring. */
    ctl = (struct mcdshm_ring *)((uint8_t *)rogue.region.base +
                                 rogue.region.lay.req_ring_off);
    ctl->tail = rogue.region.lay.nslots * 5;
    {
        uint64_t one = 1;

        cr_assert_eq(write(rogue.req_efd, &one, 8), 8);
    }
    cr_assert_eq(wait_clients(s, 0, 2000), 0, "the rogue was dropped");
    cr_assert_eq(shm_conn_peer_gone(&rogue), 1, "and told by hang-up");
    good = debugger(0, 50, false);
    cr_assert_eq(waitpid(good, &st, 0), good);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "server still works");
    shm_conn_close(&rogue);
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

struct host_loop {
    struct mcdshm_server *s;
    int stop_efd; /* the host's own descriptor: readable = stop */
};

/* The embedding host: its own poll() loop over the server's descriptors. */
static void *host_thread(void *arg)
{
    struct host_loop *h = arg;

    for (;;) {
        struct pollfd p[65];
        int fds[64], n = mcdshm_server_fds(h->s, fds, 64);

        n = n < 64 ? n : 64;
        for (int i = 0; i < n; i++) {
            p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
        }
        p[n] = (struct pollfd){ .fd = h->stop_efd, .events = POLLIN };
        /* A long timeout: requests must wake this poll by themselves. */
        poll(p, (nfds_t)n + 1, 2000);
        if (p[n].revents & POLLIN) {
            break;
        }
        mcdshm_server_service(h->s);
    }
    return NULL;
}

Test(stub, embedded_in_host_event_loop)
{
    struct vp *vp = platform();
    struct mcdshm_server_opts o = { .name = "stub", .policy = "sleep" };
    struct host_loop h = { 0 };
    char err[256];
    uint64_t t0;
    pthread_t t;
    pid_t d;
    int st;

    cr_assert_eq(mcdshm_server_open(vp_target(vp), &o, &h.s, err, sizeof(err)),
                 0, "%s", err);
    cr_assert_eq(mcdshm_server_exec_fd(h.s), -1);
    h.stop_efd = eventfd(0, EFD_CLOEXEC);
    cr_assert_geq(h.stop_efd, 0);
    cr_assert_eq(pthread_create(&t, NULL, host_thread, &h), 0);
    t0 = now_ms();
    d = debugger(1, 100, false);
    cr_assert_eq(waitpid(d, &st, 0), d);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "served by the host");
    /* 100 round trips (and the connection) took far less than one 2 s
     * poll timeout each: every request woke the host's poll. */
    cr_assert_lt(now_ms() - t0, 1500, "%llu ms",
                 (unsigned long long)(now_ms() - t0));
    {
        uint64_t one = 1;

        cr_assert_eq(write(h.stop_efd, &one, sizeof(one)), 8);
    }
    pthread_join(t, NULL);
    mcdshm_server_stop(h.s);
    vp_destroy(vp);
}

struct sim_loop {
    struct mcdshm_server *s;
    volatile int stop;
    int served;
};

/* The simulator's thread: answer requests only here, at "safe points". */
static void *sim_thread(void *arg)
{
    struct sim_loop *l = arg;
    struct pollfd p = { .fd = mcdshm_server_exec_fd(l->s), .events = POLLIN };

    while (!l->stop) {
        if (poll(&p, 1, 5) > 0) {
            l->served += mcdshm_server_exec_pending(l->s);
        }
    }
    return NULL;
}

Test(stub, requests_run_on_simulator_thread)
{
    struct vp *vp = platform();
    struct mcdshm_target sim = *vp_target(vp);
    struct sim_loop l = { 0 };
    pthread_t t;
    pid_t d;
    int st;

    /* The platform's own operations, but requests run on our thread. */
    sim.exec = MCDSHM_EXEC_SIM_THREAD;
    l.s = serve(&sim, "hybrid");
    cr_assert_geq(mcdshm_server_exec_fd(l.s), 0);
    cr_assert_eq(pthread_create(&t, NULL, sim_thread, &l), 0);
    d = debugger(0, 100, false);
    cr_assert_eq(waitpid(d, &st, 0), d);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "served by the sim");
    l.stop = 1;
    pthread_join(t, NULL);
    cr_assert_gt(l.served, 100, "the simulator thread answered them");
    mcdshm_server_stop(l.s);
    vp_destroy(vp);
}

/* Read @len bytes of RAM at @addr in one transaction. */
static mcd_return_et read_ram(mcd_core_st *core, uint64_t addr, uint8_t *buf,
                              uint32_t len)
{
    mcd_tx_st tx = { .addr = { .address = addr, .mem_space_id = 1 },
                     .access_type = MCD_TX_AT_R,
                     .data = buf,
                     .num_bytes = len };
    mcd_txlist_st l = { &tx, 1, 0 };
    mcd_return_et r = mcd_execute_txlist_f(core, &l);

    cr_assert(r != MCD_RET_ACT_NONE || tx.num_bytes_ok == len);
    return r;
}

/* The direct memory window: with the simulator thread paused (it answers
 * no request), reads of RAM still complete, from the mapping; with the
 * window switched off the same read waits for the server and times out. */
Test(stub, window_reads_need_no_request)
{
    struct vp *vp = platform();
    struct mcdshm_target sim = *vp_target(vp);
    struct sim_loop l = { 0 };
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_error_info_st e;
    static uint8_t buf[1 << 20];
    uint64_t ram, size;
    uint8_t *mem = vp_ram(vp, &ram, &size);
    pthread_t t;

    sim.exec = MCDSHM_EXEC_SIM_THREAD;
    l.s = serve(&sim, "hybrid");
    cr_assert_eq(pthread_create(&t, NULL, sim_thread, &l), 0);
    open_core(&srv, &core, 0);
    CHECK(NULL, mcd_set_server_config_f(srv, "McdShmTimeoutMs=300"));
    l.stop = 1; /* the simulator pauses: no request is answered now */
    pthread_join(t, NULL);
    for (uint32_t i = 0; i < sizeof(buf); i++) {
        mem[1024 + i] = (uint8_t)(i * 13 + 1);
    }
    memset(buf, 0, sizeof(buf));
    CHECK(core, read_ram(core, ram + 1024, buf, sizeof(buf)));
    cr_assert_eq(memcmp(buf, mem + 1024, sizeof(buf)), 0);
    /* A read that leaves the window (past the end of RAM) needs the
     * server, as does every read once the window is off. */
    cr_assert_neq(read_ram(core, ram + size - 8, buf, 16), MCD_RET_ACT_NONE);
    mcd_qry_error_info_f(core, &e);
    cr_assert_eq(e.error_code, MCD_ERR_TIMED_OUT, "%s", e.error_str);
    mcd_close_core_f(core);
    mcd_close_server_f(srv);

    l.stop = 0;
    cr_assert_eq(pthread_create(&t, NULL, sim_thread, &l), 0);
    open_core(&srv, &core, 0);
    CHECK(NULL, mcd_set_server_config_f(srv, "McdShmWindow=FALSE "
                                             "McdShmTimeoutMs=300"));
    l.stop = 1;
    pthread_join(t, NULL);
    cr_assert_neq(read_ram(core, ram + 1024, buf, 64), MCD_RET_ACT_NONE);
    mcd_qry_error_info_f(core, &e);
    cr_assert_eq(e.error_code, MCD_ERR_TIMED_OUT, "%s", e.error_str);
    mcd_close_core_f(core);
    mcd_close_server_f(srv);
    mcdshm_server_stop(l.s);
    vp_destroy(vp);
}

/* A server that dies while a debugger reads through its window: the
 * reads, which need no request, still notice within 100 ms. */
Test(stub, window_reader_sees_a_dead_server)
{
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_error_info_st e;
    uint8_t buf[64];
    uint64_t t0;
    mcd_return_et r = MCD_RET_ACT_NONE;
    struct pollfd p = { .events = POLLIN };
    int up[2];
    pid_t server;
    char b = 1;

    /* The server says when it listens: its socket file exists from
     * bind(), a moment before listen(), and a connect() in between is
     * refused (seen under load). */
    cr_assert_eq(pipe2(up, O_CLOEXEC), 0);
    server = fork();
    cr_assert_geq(server, 0);
    if (server == 0) {
        struct vp *vp;

        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test leaves none */
        vp = platform();
        serve(vp_target(vp), "hybrid");
        if (write(up[1], &b, 1) != 1) {
            _exit(1);
        }
        for (;;) {
            pause();
        }
    }
    close(up[1]);
    p.fd = up[0];
    cr_assert(poll(&p, 1, 10000) == 1 && read(up[0], &b, 1) == 1,
              "the server never came up");
    close(up[0]);
    open_core(&srv, &core, 0);
    CHECK(core, read_ram(core, RAM, buf, sizeof(buf)));
    kill(server, SIGKILL);
    waitpid(server, NULL, 0);
    t0 = now_ms();
    while (r == MCD_RET_ACT_NONE && now_ms() - t0 < 1000) {
        r = read_ram(core, RAM, buf, sizeof(buf));
    }
    cr_assert_neq(r, MCD_RET_ACT_NONE, "window reads went on for 1 s");
    cr_assert_lt(now_ms() - t0, 100, "noticed after %llu ms",
                 (unsigned long long)(now_ms() - t0));
    mcd_qry_error_info_f(core, &e);
    cr_assert_eq(e.error_code, MCD_ERR_CONNECTION, "%s", e.error_str);
    mcd_exit_f();
}

/* Connect to the server's socket and say nothing. */
static int silent_client(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    cr_assert_geq(fd, 0);
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

/* Clients that connect and never send their hello hold up nobody: the
 * I/O thread goes on serving while it waits for them, and closes them
 * after the handshake time-out. */
Test(stub, silent_clients_hold_up_nobody)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp_target(vp), "hybrid");
    char path[SHM_PATH_MAX], err[SHM_ERRLEN];
    int quiet[3], st;
    uint64_t t0;
    char b;
    pid_t d;

    cr_assert_eq(shm_endpoint_path("stub", path, sizeof(path), err), 0, "%s",
                 err);
    for (int i = 0; i < 3; i++) {
        quiet[i] = silent_client(path);
    }
    t0 = now_ms();
    d = debugger(0, 100, false);
    cr_assert_eq(waitpid(d, &st, 0), d);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "debugger failed");
    /* A handshake that waited on them would have taken 3 x 2 s. */
    cr_assert_lt(now_ms() - t0, 1500, "the debugger waited %llu ms",
                 (unsigned long long)(now_ms() - t0));
    for (int i = 0; i < 3; i++) {
        struct pollfd p = { .fd = quiet[i], .events = POLLIN };

        cr_assert_eq(poll(&p, 1, SHM_HANDSHAKE_TIMEOUT_MS + 2000), 1,
                     "silent client %d was never closed", i);
        cr_assert_eq(read(quiet[i], &b, 1), 0);
        close(quiet[i]);
    }
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

/*
 * Pipelined lists (1 MiB written and read back: several chunks in flight)
 * answered on the simulator's thread, which runs only when the exec
 * descriptor is readable: a request published while exec_pending() runs
 * must not wait for a doorbell that was already consumed (it used to,
 * now and then, until the client's time-out).  Its 60 s time-outs in the
 * ASan build were the test's own: the forked debugger hung in the
 * allocator (see tests/stub/debugger.c); it is spawned now.
 */
Test(stub, pipelined_requests_on_simulator_thread)
{
    struct vp *vp = platform();
    struct mcdshm_target sim = *vp_target(vp);
    struct sim_loop l = { 0 };
    pthread_t t;
    pid_t d;
    int st;

    sim.exec = MCDSHM_EXEC_SIM_THREAD;
    l.s = serve(&sim, "hybrid");
    cr_assert_eq(pthread_create(&t, NULL, sim_thread, &l), 0);
    /* 60 lists of 1 MiB written and read back at one address. */
    d = spawn_debugger(0, 60, 1 << 20, RAM + 0x400000, 0, false);
    cr_assert_eq(waitpid(d, &st, 0), d);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
              "a pipelined list failed or timed out");
    l.stop = 1;
    pthread_join(t, NULL);
    mcdshm_server_stop(l.s);
    vp_destroy(vp);
}

Test(stub, second_server_of_same_name_refused)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp_target(vp), NULL), *t;
    struct mcdshm_server_opts o = { .name = "stub" };
    char err[256];

    cr_assert_eq(mcdshm_server_start(vp_target(vp), &o, &t, err, sizeof(err)),
                 -EADDRINUSE);
    cr_assert_not_null(strstr(err, "live server"), "%s", err);
    o.policy = "turbo";
    cr_assert_eq(mcdshm_server_start(vp_target(vp), &o, &t, err, sizeof(err)),
                 -EINVAL);
    cr_assert_not_null(strstr(err, "turbo"), "%s", err);
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

/*
 * A list split into pipelined requests still stops at its first error:
 * the write behind the failing read, already in flight, must not happen.
 */
Test(stub, pipelined_list_stops_at_first_error)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp_target(vp), "hybrid");
    enum { BIG = 2 << 20 };
    uint8_t *a = malloc(BIG), *w = malloc(BIG), *back = calloc(1, BIG);
    uint8_t bad[16];
    mcd_tx_st tx[3] = { 0 };
    mcd_txlist_st l = { tx, 3, 0 };
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_error_info_st e;

    memset(w, 0xAB, BIG);
    open_core(&srv, &core, 0);
    tx[0] = (mcd_tx_st){ .addr = { RAM, 1 },
                         .access_type = MCD_TX_AT_R,
                         .data = a,
                         .num_bytes = BIG };
    tx[1] = (mcd_tx_st){ .addr = { 0x70000000, 1 },
                         .access_type = MCD_TX_AT_R,
                         .data = bad,
                         .num_bytes = sizeof(bad) };
    tx[2] = (mcd_tx_st){ .addr = { RAM + 2 * BIG, 1 },
                         .access_type = MCD_TX_AT_W,
                         .data = w,
                         .num_bytes = BIG };
    cr_assert_eq(mcd_execute_txlist_f(core, &l), MCD_RET_ACT_HANDLE_ERROR);
    cr_assert_eq(l.num_tx_ok, 1);
    cr_assert_eq(tx[0].num_bytes_ok, BIG);
    cr_assert_eq(tx[2].num_bytes_ok, 0);
    mcd_qry_error_info_f(core, &e);
    cr_assert_neq(e.error_code, MCD_ERR_NONE);
    cr_assert_gt(strlen(e.error_str), 0);
    /* The third transaction's requests were in flight; none executed. */
    tx[0] = (mcd_tx_st){ .addr = { RAM + 2 * BIG, 1 },
                         .access_type = MCD_TX_AT_R,
                         .data = back,
                         .num_bytes = BIG };
    l = (mcd_txlist_st){ tx, 1, 0 };
    CHECK(core, mcd_execute_txlist_f(core, &l));
    for (uint32_t i = 0; i < BIG; i++) {
        cr_assert_eq(back[i], 0, "byte %u was written after the failure", i);
    }
    mcd_close_core_f(core);
    mcd_close_server_f(srv);
    mcd_exit_f();
    free(a);
    free(w);
    free(back);
    mcdshm_server_stop(s);
    vp_destroy(vp);
}
