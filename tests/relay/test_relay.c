/*
 * Tests of the remote transport end to end: the real libmcdshm (public API
 * only) talking over ZeroMQ/TCP on 127.0.0.1 to a real mcdshm-relay
 * process ($MCDSHM_RELAY), which serves the reference platform running in
 * this test process.  Two remote debuggers at once; the relay killed in the
 * middle of a call; a debugger killed in the middle of a call (the relay
 * releases its server connection); a relay that stops answering (SIGSTOP:
 * the heartbeat bound); the server gone under the relay; no relay at all;
 * CURVE with admitted and refused keys; bad configuration named; a
 * hostile debugger's raw messages refused with a reason, others served.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "cosim/vp/platform.h"
#include "host-side/lib/remote.h"
#include "mcd/mcd_api.h"
#include "mcdshm/server.h"
#include "tests/mcd_check.h"

#define RAM 0x80000000ull

static char dir[64];
static char url[64];
static pid_t relay_pid;

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/mcdshm-relay-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    setenv("MCDSHM_RUNTIME_DIR", dir, 1);
    relay_pid = 0;
}

static void stop_relay(void)
{
    if (relay_pid > 0) {
        kill(relay_pid, SIGCONT);
        kill(relay_pid, SIGKILL);
        waitpid(relay_pid, NULL, 0);
        relay_pid = 0;
    }
}

static void remove_dir(void)
{
    char cmd[128];

    stop_relay();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
}

TestSuite(relay, .init = make_dir, .fini = remove_dir, .timeout = 90);

static const char *relay_bin(void)
{
    const char *p = getenv("MCDSHM_RELAY");

    if (!p) {
        cr_skip_test("MCDSHM_RELAY (the mcdshm-relay binary) is not set");
    }
    return p;
}

/* A free TCP port on 127.0.0.1 (the kernel's choice). */
static int free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    cr_assert(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Is something listening on @port yet? */
static int listening(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port) };
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

/* Start mcdshm-relay for dir/relay.sock with @extra options (NULL-ended). */
static void start_relay(const char *const *extra)
{
    const char *argv[24];
    char ep[128], listen[64];
    int n = 0, port = free_port(), fd;

    snprintf(ep, sizeof(ep), "%s/relay.sock", dir);
    snprintf(listen, sizeof(listen), "tcp://127.0.0.1:%d", port);
    snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
    argv[n++] = relay_bin();
    argv[n++] = "--endpoint";
    argv[n++] = ep;
    argv[n++] = "--listen";
    argv[n++] = listen;
    argv[n++] = "--heartbeat-ms";
    argv[n++] = "1000";
    if (!extra) {
        argv[n++] = "--plain";
    }
    while (extra && *extra) {
        argv[n++] = *extra++;
    }
    argv[n] = NULL;
    relay_pid = fork();
    cr_assert_geq(relay_pid, 0);
    if (relay_pid == 0) {
        char log[128];

        snprintf(log, sizeof(log), "%s/relay.log", dir);
        fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    for (n = 0; n < 500 && !listening(port); n++) {
        int st = 0;

        if (waitpid(relay_pid, &st, WNOHANG) != 0) {
            char cmd[160];

            snprintf(cmd, sizeof(cmd), "cat '%s/relay.log' >&2", dir);
            if (system(cmd) != 0) {
                fprintf(stderr, "no relay log\n");
            }
            relay_pid = 0;
            cr_assert_fail("mcdshm-relay exited at start (status 0x%x)", st);
        }
        usleep(10000);
    }
    cr_assert(listening(port), "mcdshm-relay does not listen on %s", url);
}

static struct vp *platform(void)
{
    struct vp_config c;
    struct vp *vp;
    char err[256];

    vp_config_default(&c);
    c.nharts = 2;
    c.ram_size = 32 << 20;
    cr_assert_eq(vp_create(&c, &vp, err, sizeof(err)), 0, "%s", err);
    return vp;
}

static struct mcdshm_server *serve(struct vp *vp)
{
    struct mcdshm_server_opts o = { .name = "relay", .policy = "hybrid" };
    struct mcdshm_server *s;
    char err[256];

    cr_assert_eq(mcdshm_server_start(vp_target(vp), &o, &s, err, sizeof(err)),
                 0, "%s", err);
    return s;
}

/* The plain-TCP config string for the relay, plus @more. */
static const char *cfg(const char *more)
{
    static char s[512];

    snprintf(s, sizeof(s),
             "McdShmRelay=\"%s\" McdShmRelayPlain=TRUE "
             "McdShmRelayTimeoutMs=1000 %s",
             url, more ? more : "");
    return s;
}

static void open_core(const char *config, mcd_server_st **srv,
                      mcd_core_st **core, uint32_t idx)
{
    mcd_core_con_info_st ci[4];
    uint32_t n = 4;

    CHECK(NULL, mcd_open_server_f("", config, srv));
    CHECK(NULL, mcd_qry_cores_f(NULL, 0, &n, ci));
    cr_assert_gt(n, idx);
    CHECK(NULL, mcd_open_core_f(&ci[idx], core));
}

/* Write then read back @len bytes at @addr: 1 if the bytes came back. */
static int round_trip(mcd_core_st *core, uint64_t addr, uint32_t len,
                      uint8_t seed)
{
    uint8_t *w = malloc(len), *r = calloc(1, len);
    mcd_tx_st tx[2] = { 0 };
    mcd_txlist_st l = { tx, 2, 0 };
    int ok;

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

/* Read @len bytes of RAM in one transaction (pipelined by the library). */
static mcd_return_et big_read(mcd_core_st *core, uint8_t *buf, uint32_t len)
{
    mcd_tx_st tx = { 0 };
    mcd_txlist_st l = { &tx, 1, 0 };

    tx.addr.address = RAM;
    tx.addr.mem_space_id = 1;
    tx.access_type = MCD_TX_AT_R;
    tx.data = buf;
    tx.num_bytes = len;
    return mcd_execute_txlist_f(core, &l);
}

static int wait_clients(struct mcdshm_server *s, int n, int ms)
{
    uint64_t until = now_ms() + (uint64_t)ms;

    while (mcdshm_server_clients(s) != n && now_ms() < until) {
        usleep(1000);
    }
    return mcdshm_server_clients(s);
}

Test(relay, round_trips_and_large_lists)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp);
    mcd_server_st *srv;
    mcd_core_st *core;
    uint32_t len = 24u << 20;
    uint8_t *buf = malloc(len);

    start_relay(NULL);
    open_core(cfg(NULL), &srv, &core, 0);
    cr_assert_eq(mcdshm_server_clients(s), 1);
    for (int i = 0; i < 50; i++) {
        cr_assert(round_trip(core, RAM + (uint64_t)i * 8192, 4096, (uint8_t)i));
    }
    /* 5 MiB written and read back through 256 KiB slots, pipelined. */
    cr_assert(round_trip(core, RAM + (4u << 20), 5u << 20, 77));
    CHECK(core, big_read(core, buf, len));
    cr_assert_str_eq(srv->host, "127.0.0.1"); /* from McdShmRelay */
    CHECK(core, mcd_close_core_f(core));
    CHECK(NULL, mcd_close_server_f(srv));
    cr_assert_eq(wait_clients(s, 0, 2000), 0, "BYE releases the session");
    free(buf);
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

/* Child debugger through the relay: 0 if every round trip was good. */
static pid_t debugger(uint32_t idx, int rounds, int ready_fd, int go_fd,
                      bool forever)
{
    pid_t pid = fork();

    cr_assert_geq(pid, 0);
    if (pid == 0) {
        mcd_server_st *srv;
        mcd_core_st *core;
        uint8_t *buf = malloc(8u << 20);
        char b = 1;
        int bad = 0;

        open_core(cfg(NULL), &srv, &core, idx);
        if (write(ready_fd, &b, 1) != 1 || read(go_fd, &b, 1) != 1) {
            _exit(3);
        }
        for (int i = 0; i < rounds; i++) {
            bad += !round_trip(core, RAM + idx * 0x100000 + i * 64, 4096,
                               (uint8_t)(i + idx));
        }
        while (forever) {
            big_read(core, buf, 8u << 20);
        }
        mcd_close_core_f(core);
        mcd_close_server_f(srv);
        mcd_exit_f();
        _exit(bad ? 1 : 0);
    }
    return pid;
}

Test(relay, two_remote_debuggers_at_once)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp);
    int ready[2], go[2], sa, sb;
    pid_t a, b;
    char c[2] = { 1, 1 };

    start_relay(NULL);
    cr_assert(pipe(ready) == 0 && pipe(go) == 0);
    /* B is forked only once A is connected and this process's server
     * threads are idle again: a fork while one of them is inside the
     * allocator (A's handshake and requests) can leave the child a lock
     * held by nobody under ASan (see tests/stub/debugger.c). */
    a = debugger(0, 300, ready[1], go[0], false);
    cr_assert_eq(read(ready[0], c, 1), 1);
    b = debugger(1, 300, ready[1], go[0], false);
    cr_assert_eq(read(ready[0], c, 1), 1);
    /* Each remote debugger has a server connection of its own. */
    cr_assert_eq(mcdshm_server_clients(s), 2);
    cr_assert_eq(write(go[1], c, 2), 2);
    cr_assert_eq(waitpid(a, &sa, 0), a);
    cr_assert_eq(waitpid(b, &sb, 0), b);
    cr_assert(WIFEXITED(sa) && WEXITSTATUS(sa) == 0, "debugger A failed");
    cr_assert(WIFEXITED(sb) && WEXITSTATUS(sb) == 0, "debugger B failed");
    cr_assert_eq(wait_clients(s, 0, 2000), 0, "sessions released");
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

Test(relay, debugger_killed_mid_call_releases_its_connection)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp);
    int ready[2], go[2];
    uint64_t t0;
    pid_t victim;
    char c = 1;

    start_relay(NULL);
    cr_assert(pipe(ready) == 0 && pipe(go) == 0);
    victim = debugger(0, 0, ready[1], go[0], true);
    cr_assert_eq(read(ready[0], &c, 1), 1);
    cr_assert_eq(write(go[1], &c, 1), 1);
    cr_assert_eq(mcdshm_server_clients(s), 1);
    usleep(300000); /* in the middle of 8 MiB reads */
    t0 = now_ms();
    kill(victim, SIGKILL);
    waitpid(victim, NULL, 0);
    cr_assert_eq(wait_clients(s, 0, 3000), 0,
                 "the relay kept the dead debugger's server connection");
    cr_log_info("server connection released %llu ms after SIGKILL",
                (unsigned long long)(now_ms() - t0));
    /* The relay serves the next debugger. */
    {
        mcd_server_st *srv;
        mcd_core_st *core;

        open_core(cfg(NULL), &srv, &core, 1);
        cr_assert(round_trip(core, RAM, 4096, 9));
        CHECK(NULL, mcd_close_server_f(srv));
    }
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

struct killer {
    pid_t pid;
    int sig;
    int after_ms;
    uint64_t at;
};

static void *kill_later(void *arg)
{
    struct killer *k = arg;

    usleep((useconds_t)k->after_ms * 1000);
    k->at = now_ms();
    kill(k->pid, k->sig);
    return NULL;
}

/* Loop 8 MiB reads until one fails; returns the time it failed. */
static uint64_t read_until_failure(mcd_core_st *core, mcd_error_info_st *e)
{
    uint8_t *buf = malloc(8u << 20);
    uint64_t t;
    mcd_return_et r;

    do {
        r = big_read(core, buf, 8u << 20);
    } while (r == MCD_RET_ACT_NONE);
    t = now_ms();
    mcd_qry_error_info_f(core, e);
    free(buf);
    return t;
}

Test(relay, relay_killed_mid_call)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp);
    struct killer k = { .sig = SIGKILL, .after_ms = 300 };
    mcd_error_info_st e;
    mcd_server_st *srv;
    mcd_core_st *core;
    pthread_t t;
    uint64_t failed;

    start_relay(NULL);
    open_core(cfg(NULL), &srv, &core, 0);
    k.pid = relay_pid;
    pthread_create(&t, NULL, kill_later, &k);
    failed = read_until_failure(core, &e);
    pthread_join(t, NULL);
    waitpid(relay_pid, NULL, 0);
    relay_pid = 0;
    cr_assert_eq(e.error_code, MCD_ERR_CONNECTION, "error 0x%x: %s",
                 e.error_code, e.error_str);
    cr_assert_not_null(strstr(e.error_str, "relay"), "%s", e.error_str);
    cr_assert_lt(failed - k.at, 1500, "failed %llu ms after the kill",
                 (unsigned long long)(failed - k.at));
    cr_log_info("MCD_ERR_CONNECTION %llu ms after SIGKILL: %s",
                (unsigned long long)(failed - k.at), e.error_str);
    /* Later calls fail at once. */
    {
        uint8_t b[16];

        cr_assert_eq(big_read(core, b, sizeof(b)), MCD_RET_ACT_HANDLE_ERROR);
    }
    mcd_close_server_f(srv);
    cr_assert_eq(wait_clients(s, 0, 2000), 0);
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

Test(relay, silent_relay_hits_the_heartbeat_bound)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp);
    struct killer k = { .sig = SIGSTOP, .after_ms = 200 };
    mcd_error_info_st e;
    mcd_server_st *srv;
    mcd_core_st *core;
    pthread_t t;
    uint64_t failed;

    start_relay(NULL);
    open_core(cfg(NULL), &srv, &core, 0); /* McdShmRelayTimeoutMs=1000 */
    k.pid = relay_pid;
    pthread_create(&t, NULL, kill_later, &k);
    failed = read_until_failure(core, &e);
    pthread_join(t, NULL);
    cr_assert_eq(e.error_code, MCD_ERR_CONNECTION, "error 0x%x: %s",
                 e.error_code, e.error_str);
    cr_assert_geq(failed - k.at, 500, "failed before the bound: %s",
                  e.error_str);
    cr_assert_lt(failed - k.at, 3000, "failed %llu ms after SIGSTOP",
                 (unsigned long long)(failed - k.at));
    cr_log_info("MCD_ERR_CONNECTION %llu ms after the relay went silent: %s",
                (unsigned long long)(failed - k.at), e.error_str);
    mcd_close_server_f(srv);
    stop_relay();
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

Test(relay, server_gone_under_the_relay)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp);
    mcd_error_info_st e;
    mcd_server_st *srv;
    mcd_core_st *core;
    uint8_t b[64];

    start_relay(NULL);
    open_core(cfg(NULL), &srv, &core, 0);
    mcdshm_server_stop(s);
    cr_assert_eq(big_read(core, b, sizeof(b)), MCD_RET_ACT_HANDLE_ERROR);
    mcd_qry_error_info_f(core, &e);
    cr_assert_eq(e.error_code, MCD_ERR_CONNECTION, "%s", e.error_str);
    cr_assert_not_null(strstr(e.error_str, "gone"), "%s", e.error_str);
    mcd_close_server_f(srv);
    vp_destroy(vp);
}

Test(relay, no_relay_is_a_connection_error_in_bounded_time)
{
    mcd_error_info_st e;
    mcd_server_st *srv = NULL;
    uint64_t t0;

    relay_bin();
    snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", free_port());
    t0 = now_ms();
    cr_assert_eq(mcd_open_server_f("", cfg("McdShmRelayTimeoutMs=400"), &srv),
                 MCD_RET_ACT_HANDLE_ERROR);
    cr_assert_lt(now_ms() - t0, 2000);
    mcd_qry_error_info_f(NULL, &e);
    cr_assert_eq(e.error_code, MCD_ERR_CONNECTION, "0x%x %s", e.error_code,
                 e.error_str);
    cr_assert_not_null(strstr(e.error_str, "no answer from relay"), "%s",
                       e.error_str);
}

/* Expect mcd_open_server_f(@config) to fail with a message holding @what. */
static void open_fails(const char *config, const char *what)
{
    mcd_error_info_st e;
    mcd_server_st *srv = NULL;

    cr_assert_eq(mcd_open_server_f("", config, &srv), MCD_RET_ACT_HANDLE_ERROR,
                 "%s opened", config);
    mcd_qry_error_info_f(NULL, &e);
    cr_assert_eq(e.error_code, MCD_ERR_CONNECTION, "0x%x %s", e.error_code,
                 e.error_str);
    cr_assert_not_null(strstr(e.error_str, what), "'%s' not in: %s", what,
                       e.error_str);
}

Test(relay, bad_configuration_is_named)
{
    char c[512];

    relay_bin();
    open_fails("McdShmRelay=\"tcp://127.0.0.1:1\"", "McdShmRelayPlain=TRUE");
    open_fails("McdShmRelay=\"udp://x:1\" McdShmRelayPlain=TRUE",
               "is not a tcp://HOST:PORT");
    snprintf(c, sizeof(c),
             "McdShmRelay=\"tcp://127.0.0.1:1\" McdShmRelayKey=\"%s/none\"",
             dir);
    open_fails(c, "/none");
    snprintf(c, sizeof(c), "%s/bad.key", dir);
    {
        FILE *f = fopen(c, "w");

        fputs("relay-public = short\n", f);
        fclose(f);
    }
    snprintf(c, sizeof(c),
             "McdShmRelay=\"tcp://127.0.0.1:1\" McdShmRelayKey=\"%s/bad.key\"",
             dir);
    open_fails(c, "not a Z85 key of 40");
}

/* Run `mcdshm-relay --gen-keys dir/@name`. */
static void gen_keys(const char *name)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "'%s' --gen-keys '%s/%s' >/dev/null",
             relay_bin(), dir, name);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* A debugger key file: the relay's public key and our key pair. */
static void client_key_file(const char *out, const char *client)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd),
             "cd '%s' && { sed -n 's/^public = /relay-public = /p' "
             "relay.public; cat %s.secret; } > %s",
             dir, client, out);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

Test(relay, curve_admits_listed_keys_only)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp);
    char key[128], clients[128], c[512];
    mcd_server_st *srv;
    mcd_core_st *core;
    const char *extra[] = { "--key", key, "--clients", clients, NULL };

    gen_keys("relay");
    gen_keys("alice");
    gen_keys("mallory");
    client_key_file("alice.key", "alice");
    client_key_file("mallory.key", "mallory");
    snprintf(key, sizeof(key), "%s/relay.secret", dir);
    snprintf(clients, sizeof(clients), "%s/alice.public", dir);
    start_relay(extra);

    snprintf(c, sizeof(c),
             "McdShmRelay=\"%s\" McdShmRelayKey=\"%s/alice.key\" "
             "McdShmRelayTimeoutMs=1000",
             url, dir);
    open_core(c, &srv, &core, 0);
    cr_assert(round_trip(core, RAM, 65536, 3));
    CHECK(NULL, mcd_close_server_f(srv));

    snprintf(c, sizeof(c),
             "McdShmRelay=\"%s\" McdShmRelayKey=\"%s/mallory.key\" "
             "McdShmRelayTimeoutMs=1000",
             url, dir);
    open_fails(c, "relay");
    /* Plain TCP cannot talk to a CURVE relay either. */
    snprintf(c, sizeof(c), "%s", cfg(NULL));
    open_fails(c, "relay");
    cr_assert_eq(mcdshm_server_clients(s), 0);
    mcdshm_server_stop(s);
    vp_destroy(vp);
}

/* ------------------------------------------------------------------------
 * A hostile debugger speaking raw ZeroMQ to the relay
 */

/* Receive one message: its header and its second frame as text. */
static struct mcdshm_relay_hdr recv_msg(void *sock, char *text, size_t size)
{
    zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
    struct mcdshm_relay_hdr h = { 0 };
    int more = 0, n;
    size_t len = sizeof(more);

    cr_assert_eq(zmq_poll(&it, 1, 3000), 1, "no answer from the relay");
    cr_assert_eq(zmq_recv(sock, &h, sizeof(h), 0), (int)sizeof(h));
    text[0] = '\0';
    zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len);
    if (more) {
        n = zmq_recv(sock, text, size - 1, 0);
        text[n < 0 ? 0 : n > (int)size - 1 ? (int)size - 1 : n] = '\0';
    }
    return h;
}

static void expect_down(void *sock, const char *what)
{
    char text[512];
    struct mcdshm_relay_hdr h = recv_msg(sock, text, sizeof(text));

    cr_assert_eq(h.type, MCDSHM_RELAY_DOWN, "type %u: %s", h.type, text);
    cr_assert_not_null(strstr(text, what), "'%s' not in '%s'", what, text);
}

static void send_hdr(void *sock, struct mcdshm_relay_hdr h, const void *a,
                     int alen, const void *b, int blen)
{
    cr_assert_geq(zmq_send(sock, &h, sizeof(h), a ? ZMQ_SNDMORE : 0), 0);
    if (a) {
        cr_assert_geq(zmq_send(sock, a, (size_t)alen, b ? ZMQ_SNDMORE : 0), 0);
    }
    if (b) {
        cr_assert_geq(zmq_send(sock, b, (size_t)blen, 0), 0);
    }
}

Test(relay, hostile_messages_are_refused_by_name)
{
    struct vp *vp = platform();
    struct mcdshm_server *s = serve(vp);
    struct mcdshm_relay_hdr h;
    void *ctx = zmq_ctx_new(), *d = zmq_socket(ctx, ZMQ_DEALER);
    uint8_t junk[64] = { 0 };
    char text[512];
    int zero = 0;

    start_relay(NULL);
    zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof(zero));
    cr_assert_eq(zmq_connect(d, url), 0);

    cr_assert_eq(zmq_send(d, "abc", 3, 0), 3);
    expect_down(d, "not an mcdshm relay header");
    h = mcdshm_relay_hdr_make(MCDSHM_RELAY_HELLO);
    h.version = 9;
    send_hdr(d, h, NULL, 0, NULL, 0);
    expect_down(d, "version 9");
    h = mcdshm_relay_hdr_make(MCDSHM_RELAY_REQ);
    send_hdr(d, h, junk, 16, junk, 0);
    expect_down(d, "no session");
    h = mcdshm_relay_hdr_make(77);
    send_hdr(d, h, NULL, 0, NULL, 0);
    expect_down(d, "unknown message type 77");
    h = mcdshm_relay_hdr_make(MCDSHM_RELAY_HELLO);
    send_hdr(d, h, "other", 5, NULL, 0);
    expect_down(d, "serves server 'relay', not 'other'");

    /* A session, then a request record of a wrong size: DOWN, released. */
    send_hdr(d, h, "", 0, NULL, 0);
    h = recv_msg(d, text, sizeof(text));
    cr_assert_eq(h.type, MCDSHM_RELAY_WELCOME, "%s", text);
    cr_assert_str_eq(text, "relay");
    cr_assert_gt(h.nslots, 0);
    /* The server counts a client once its I/O thread has taken it. */
    cr_assert_eq(wait_clients(s, 1, 2000), 1);
    h = mcdshm_relay_hdr_make(MCDSHM_RELAY_REQ);
    send_hdr(d, h, junk, 5, junk, 0);
    expect_down(d, "malformed request: record frame of 5 bytes");
    cr_assert_eq(wait_clients(s, 0, 2000), 0);

    /* A well-behaved debugger is served meanwhile. */
    {
        mcd_server_st *srv;
        mcd_core_st *core;

        open_core(cfg(NULL), &srv, &core, 0);
        cr_assert(round_trip(core, RAM, 4096, 5));
        CHECK(NULL, mcd_close_server_f(srv));
    }
    zmq_close(d);
    zmq_ctx_term(ctx);
    mcdshm_server_stop(s);
    vp_destroy(vp);
}
