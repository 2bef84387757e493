/*
 * Tests of endpoints and the handshake (shm/conn.c): connect, map and
 * exchange records through the real region; hang-up seen by the other side
 * within 100 ms when either process is killed with SIGKILL; a peer of
 * another uid refused with a logged reason; version skew and bad region
 * wishes refused with a reason naming the values; stale endpoints replaced,
 * live ones kept; the endpoint directory's ownership and mode enforced.
 *
 * Every test runs in its own endpoint directory (MCDSHM_RUNTIME_DIR).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm/conn.h"
#include "shm/doorbell.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/mcdshm-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    setenv("MCDSHM_RUNTIME_DIR", dir, 1);
}

static void remove_dir(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
}

TestSuite(conn, .init = make_dir, .fini = remove_dir, .timeout = 30);

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Is a stream socket listening at @path (from /proc/net/unix)?  The
 * socket file exists from bind(), a moment before listen(). */
static bool listening(const char *path)
{
    FILE *f = fopen("/proc/net/unix", "re");
    char line[512];
    unsigned flags;
    int pos;
    bool found = false;

    while (f && !found && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        pos = 0;
        if (sscanf(line, "%*s %*x %*x %x %*x %*x %*u %n", &flags, &pos) == 1 &&
            pos && (flags & 0x10000) && strcmp(line + pos, path) == 0) {
            found = true;
        }
    }
    if (f) {
        fclose(f);
    }
    return found;
}

/* Wait until a server listens at the endpoint of @name; returns its path. */
static void wait_endpoint(const char *name, char *path)
{
    char err[SHM_ERRLEN];
    uint64_t until = now_ms() + 5000;

    cr_assert_eq(shm_endpoint_path(name, path, SHM_PATH_MAX, err), 0, "%s",
                 err);
    while (!listening(path)) {
        cr_assert_lt(now_ms(), until, "server %s never came up", name);
        usleep(1000);
    }
}

/* Server process: answer every request with its seq and payload sum. */
static void echo_server(const char *name)
{
    struct shm_listener l;
    struct shm_conn c;
    struct shm_ring req, resp;
    char err[SHM_ERRLEN];
    struct shm_waiter w;
    int n;

    if (shm_listen(name, NULL, &l, err) < 0 || shm_accept(&l, &c, err) < 0) {
        fprintf(stderr, "server: %s\n", err);
        _exit(2);
    }
    shm_region_req_ring(&c.region, &req, false);
    shm_region_resp_ring(&c.region, &resp, true);
    if (shm_waiter_init(&w, SHM_POLICY_HYBRID, 0, c.req_efd, c.sock) < 0) {
        _exit(2);
    }
    while ((n = shm_doorbell_wait(&req, &w, -1)) > 0) {
        for (int i = 0; i < n; i++) {
            struct mcdshm_req q;
            struct mcdshm_resp *a = shm_ring_next(&resp);
            uint32_t idx = shm_ring_head(&req);
            const uint8_t *pl = shm_region_payload(&c.region, idx);
            uint32_t sum = 0;

            memcpy(&q, shm_ring_peek(&req), sizeof(q));
            for (uint32_t k = 0;
                 k < q.hdr.payload_len && k < c.region.lay.payload_size; k++) {
                sum += pl[k];
            }
            memset(&a->hdr, 0, sizeof(a->hdr));
            a->hdr.seq = q.hdr.seq;
            a->hdr.fn = q.hdr.fn;
            a->u.u32.value = sum;
            shm_ring_release(&req, 1);
            shm_ring_publish(&resp, 1);
        }
        shm_doorbell_ring(resp.ctl, c.resp_efd);
    }
    shm_conn_close(&c);
    shm_listener_close(&l);
    _exit(n == -EPIPE ? 0 : 3);
}

static pid_t spawn_server(const char *name, void (*fn)(const char *))
{
    pid_t pid = fork();

    cr_assert_geq(pid, 0);
    if (pid == 0) {
        fn(name);
        _exit(0);
    }
    return pid;
}

Test(conn, connect_map_exchange)
{
    struct shm_conn c;
    struct shm_ring req, resp;
    struct shm_waiter w;
    char path[SHM_PATH_MAX], err[SHM_ERRLEN];
    pid_t pid = spawn_server("echo", echo_server);
    int status;
    uint32_t i;

    wait_endpoint("echo", path);
    cr_assert_eq(shm_connect(path, NULL, &c, err), 0, "%s", err);
    cr_assert_str_eq(c.peer_name, "echo");
    cr_assert_eq(c.peer_pid, pid);
    cr_assert_eq(c.region.lay.nslots, MCDSHM_DEFAULT_SLOTS);
    cr_assert_eq(c.region.lay.payload_size, MCDSHM_DEFAULT_PAYLOAD);
    shm_region_req_ring(&c.region, &req, true);
    shm_region_resp_ring(&c.region, &resp, false);
    cr_assert_eq(shm_waiter_init(&w, SHM_POLICY_HYBRID, 0, c.resp_efd, c.sock),
                 0);
    for (i = 0; i < 1000; i++) {
        struct mcdshm_req *q = shm_ring_next(&req);
        uint8_t *pl = shm_region_payload(&c.region, shm_ring_tail(&req));
        struct mcdshm_resp *a;

        cr_assert_gt(shm_ring_free(&req, 1), 0);
        memset(&q->hdr, 0, sizeof(q->hdr));
        q->hdr.seq = shm_ring_tail(&req);
        q->hdr.fn = MCDSHM_FN_QRY_STATE;
        q->hdr.payload_len = 3;
        pl[0] = (uint8_t)i;
        pl[1] = 1;
        pl[2] = 2;
        shm_ring_publish(&req, 1);
        shm_doorbell_ring(req.ctl, c.req_efd);
        cr_assert_eq(shm_doorbell_wait(&resp, &w, 5000), 1);
        a = shm_ring_peek(&resp);
        cr_assert_eq(a->hdr.seq, i);
        cr_assert_eq(a->hdr.fn, MCDSHM_FN_QRY_STATE);
        cr_assert_eq(a->u.u32.value, (uint8_t)i + 3u);
        shm_ring_release(&resp, 1);
    }
    shm_conn_close(&c);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "server saw the hang-up and exited cleanly (status %d)", status);
}

Test(conn, region_size_wish_is_honoured)
{
    struct shm_conn c;
    struct shm_conn_wish wish = { .nslots = 4, .payload_size = 65536 };
    char path[SHM_PATH_MAX], err[SHM_ERRLEN];
    pid_t pid = spawn_server("wish", echo_server);

    wait_endpoint("wish", path);
    cr_assert_eq(shm_connect(path, &wish, &c, err), 0, "%s", err);
    cr_assert_eq(c.region.lay.nslots, 4);
    cr_assert_eq(c.region.lay.payload_size, 65536);
    shm_conn_close(&c);
    waitpid(pid, NULL, 0);
}

/* Server process that accepts and then does nothing until killed. */
static void idle_server(const char *name)
{
    struct shm_listener l;
    struct shm_conn c;
    char err[SHM_ERRLEN];

    if (shm_listen(name, NULL, &l, err) < 0 || shm_accept(&l, &c, err) < 0) {
        fprintf(stderr, "server: %s\n", err);
        _exit(2);
    }
    for (;;) {
        pause();
    }
}

static void client_sees_server_death(enum shm_policy policy)
{
    struct shm_conn c;
    struct shm_ring resp;
    struct shm_waiter w;
    char path[SHM_PATH_MAX], err[SHM_ERRLEN];
    pid_t pid = spawn_server("victim", idle_server);
    uint64_t t0, dt;

    wait_endpoint("victim", path);
    cr_assert_eq(shm_connect(path, NULL, &c, err), 0, "%s", err);
    shm_region_resp_ring(&c.region, &resp, false);
    cr_assert_eq(shm_waiter_init(&w, policy, 0, c.resp_efd, c.sock), 0);
    cr_assert_eq(shm_doorbell_wait(&resp, &w, 20), -ETIMEDOUT);
    t0 = now_ms();
    kill(pid, SIGKILL);
    cr_assert_eq(shm_doorbell_wait(&resp, &w, 5000), -EPIPE);
    dt = now_ms() - t0;
    cr_assert_lt(dt, 100, "%s: hang-up seen after %llu ms",
                 shm_policy_name(policy), (unsigned long long)dt);
    cr_assert_eq(shm_conn_peer_gone(&c), 1);
    waitpid(pid, NULL, 0);
    shm_conn_close(&c);
}

Test(conn, server_killed_seen_by_client_busy)
{
    client_sees_server_death(SHM_POLICY_BUSY);
}

Test(conn, server_killed_seen_by_client_hybrid)
{
    client_sees_server_death(SHM_POLICY_HYBRID);
}

Test(conn, server_killed_seen_by_client_sleep)
{
    client_sees_server_death(SHM_POLICY_SLEEP);
}

Test(conn, client_killed_seen_by_server)
{
    struct shm_listener l;
    struct shm_conn c;
    struct shm_ring req;
    struct shm_waiter w;
    char err[SHM_ERRLEN];
    uint64_t t0, dt;
    pid_t pid;

    cr_assert_eq(shm_listen("srv", NULL, &l, err), 0, "%s", err);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct shm_conn cc;

        if (shm_connect(l.path, NULL, &cc, err) < 0) {
            _exit(2);
        }
        for (;;) {
            pause();
        }
    }
    cr_assert_eq(shm_accept(&l, &c, err), 0, "%s", err);
    cr_assert_eq(c.peer_pid, pid);
    shm_region_req_ring(&c.region, &req, false);
    cr_assert_eq(shm_waiter_init(&w, SHM_POLICY_SLEEP, 0, c.req_efd, c.sock),
                 0);
    t0 = now_ms();
    kill(pid, SIGKILL);
    cr_assert_eq(shm_doorbell_wait(&req, &w, 5000), -EPIPE);
    dt = now_ms() - t0;
    cr_assert_lt(dt, 100, "hang-up seen after %llu ms", (unsigned long long)dt);
    waitpid(pid, NULL, 0);
    shm_conn_close(&c);
    shm_listener_close(&l);
}

static char logged[4096];

static void capture(void *opaque, const char *line)
{
    (void)opaque;
    strncat(logged, line, sizeof(logged) - strlen(logged) - 2);
    strcat(logged, "\n");
}

Test(conn, other_uid_refused_with_logged_reason)
{
    struct passwd *nobody = getpwnam("nobody");
    struct shm_listener l;
    struct shm_conn c;
    char path[SHM_PATH_MAX], err[SHM_ERRLEN];
    int status;
    pid_t pid;

    if (geteuid() != 0 || !nobody) {
        cr_skip_test("needs root and a 'nobody' user to switch uid");
    }
    /* Open the directory and the socket to everyone, so that only the
     * credential check stands between the other uid and the server. */
    cr_assert_eq(chmod(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/open.sock", dir);
    cr_assert_eq(shm_listen("open", path, &l, err), 0, "%s", err);
    cr_assert_eq(chmod(path, 0666), 0);
    shm_set_log(capture, NULL);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct shm_conn cc;
        int r;

        if (setgid(nobody->pw_gid) < 0 || setuid(nobody->pw_uid) < 0) {
            _exit(10);
        }
        r = shm_connect(path, NULL, &cc, err);
        fprintf(stderr, "refused client: %d %s\n", r, err);
        _exit(r == -EACCES && strstr(err, "uid") ? 0 : 11);
    }
    cr_assert_eq(shm_accept(&l, &c, err), -EACCES, "%s", err);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "client saw the refusal (status %d)", status);
    cr_assert_not_null(strstr(logged, "refused connection from pid"), "%s",
                       logged);
    cr_assert_not_null(strstr(logged, "uid"), "%s", logged);
    shm_set_log(NULL, NULL);
    shm_listener_close(&l);
}

Test(conn, stale_endpoint_of_dead_server_is_replaced)
{
    struct shm_listener l;
    char path[SHM_PATH_MAX], err[SHM_ERRLEN];
    pid_t pid = spawn_server("phoenix", idle_server);
    struct stat st;

    wait_endpoint("phoenix", path);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    cr_assert_eq(stat(path, &st), 0, "the dead server left its socket");
    shm_set_log(capture, NULL);
    cr_assert_eq(shm_listen("phoenix", NULL, &l, err), 0, "%s", err);
    cr_assert_not_null(strstr(logged, "stale"), "%s", logged);
    shm_set_log(NULL, NULL);
    shm_listener_close(&l);
}

Test(conn, live_endpoint_is_kept)
{
    struct shm_listener a, b;
    char err[SHM_ERRLEN];

    cr_assert_eq(shm_listen("twin", NULL, &a, err), 0, "%s", err);
    cr_assert_eq(shm_listen("twin", NULL, &b, err), -EADDRINUSE);
    cr_assert_not_null(strstr(err, "live server"), "%s", err);
    shm_listener_close(&a);
}

Test(conn, endpoint_is_private)
{
    struct shm_listener l;
    char err[SHM_ERRLEN];
    struct stat st;

    cr_assert_eq(chmod(dir, 0755), 0);
    cr_assert_eq(shm_listen("priv", NULL, &l, err), 0, "%s", err);
    cr_assert_eq(stat(dir, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700, "directory mode %o",
                 st.st_mode & 0777);
    cr_assert_eq(stat(l.path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "socket mode %o", st.st_mode & 0777);
    shm_listener_close(&l);
    cr_assert_neq(stat(l.path, &st), 0, "socket unlinked on close");
}

Test(conn, foreign_endpoint_directory_refused)
{
    char buf[SHM_PATH_MAX], err[SHM_ERRLEN];

    if (geteuid() != 0) {
        cr_skip_test("needs root to give the directory away");
    }
    cr_assert_eq(chown(dir, 65534, 65534), 0);
    cr_assert_eq(shm_endpoint_dir(buf, sizeof(buf), err), -EPERM);
    cr_assert_not_null(strstr(err, "owned by uid 65534"), "%s", err);
}

Test(conn, bad_names_refused)
{
    struct shm_listener l;
    char err[SHM_ERRLEN];
    const char *bad[] = { "", ".hidden", "a/b", "sp ace",
                          "0123456789012345678901234567890123456789"
                          "012345678901234567890123" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(shm_listen(bad[i], NULL, &l, err), -EINVAL, "'%s'",
                     bad[i]);
        cr_assert_not_null(strstr(err, "server name"), "%s", err);
    }
}

Test(conn, no_server_is_a_clear_error)
{
    struct shm_conn c;
    char path[SHM_PATH_MAX], err[SHM_ERRLEN];

    snprintf(path, sizeof(path), "%s/nobody-home.sock", dir);
    cr_assert_eq(shm_connect(path, NULL, &c, err), -ENOENT);
    cr_assert_not_null(strstr(err, "nobody-home"), "%s", err);
}

/* Send a raw hello and read the server's answer. */
static void raw_hello(const char *name, const struct mcdshm_hello *h,
                      int expect, const char *reason_part)
{
    struct shm_listener l;
    struct shm_conn c;
    struct mcdshm_welcome w;
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    char err[SHM_ERRLEN];
    int fd;

    cr_assert_eq(shm_listen(name, NULL, &l, err), 0, "%s", err);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", l.path);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(send(fd, h, sizeof(*h), 0), (ssize_t)sizeof(*h));
    shm_set_log(capture, NULL);
    cr_assert_eq(shm_accept(&l, &c, err), expect, "%s", err);
    cr_assert_eq(recv(fd, &w, sizeof(w), MSG_WAITALL), (ssize_t)sizeof(w));
    cr_assert_eq(w.status, (uint32_t)-expect);
    cr_assert_not_null(strstr((char *)w.reason, reason_part), "reason: %s",
                       (char *)w.reason);
    cr_assert_not_null(strstr(logged, reason_part), "log: %s", logged);
    shm_set_log(NULL, NULL);
    close(fd);
    shm_listener_close(&l);
}

Test(conn, version_skew_refused_naming_both_versions)
{
    struct mcdshm_hello h = { .magic = MCDSHM_MAGIC,
                              .version = 99,
                              .compat_version = 99 };

    char want[128];

    snprintf(want, sizeof(want),
             "client speaks layout version 99 (compatible down to 99), "
             "server speaks %u",
             MCDSHM_VERSION);
    raw_hello("skew", &h, -EPROTONOSUPPORT, want);
}

Test(conn, compatible_newer_client_accepted)
{
    struct shm_listener l;
    struct shm_conn c;
    struct mcdshm_hello h = { .magic = MCDSHM_MAGIC,
                              .version = MCDSHM_VERSION + 1,
                              .compat_version = MCDSHM_VERSION };
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    char err[SHM_ERRLEN];
    int fd;

    cr_assert_eq(shm_listen("newer", NULL, &l, err), 0, "%s", err);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", l.path);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(send(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
    cr_assert_eq(shm_accept(&l, &c, err), 0, "%s", err);
    shm_conn_close(&c);
    close(fd);
    shm_listener_close(&l);
}

Test(conn, bad_magic_refused)
{
    struct mcdshm_hello h = { .magic = 0x1234,
                              .version = 1,
                              .compat_version = 1 };

    raw_hello("magic", &h, -EPROTO, "magic");
}

Test(conn, region_wish_out_of_limits_refused)
{
    struct mcdshm_hello h = { .magic = MCDSHM_MAGIC,
                              .version = MCDSHM_VERSION,
                              .compat_version = MCDSHM_COMPAT_VERSION,
                              .nslots = 3,
                              .payload_size = 65536 };

    raw_hello("limits", &h, -EINVAL, "3 slots");
}

Test(conn, nonzero_reserved_refused)
{
    struct mcdshm_hello h = { .magic = MCDSHM_MAGIC,
                              .version = MCDSHM_VERSION,
                              .compat_version = MCDSHM_COMPAT_VERSION,
                              .reserved = { 0, 0, 7 } };

    raw_hello("resv", &h, -EPROTO, "reserved[2]");
}

Test(conn, silent_client_times_out)
{
    struct shm_listener l;
    struct shm_conn c;
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    char err[SHM_ERRLEN];
    uint64_t t0;
    int fd;

    cr_assert_eq(shm_listen("mute", NULL, &l, err), 0, "%s", err);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", l.path);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    t0 = now_ms();
    cr_assert_eq(shm_accept(&l, &c, err), -ETIMEDOUT, "%s", err);
    cr_assert_lt(now_ms() - t0, SHM_HANDSHAKE_TIMEOUT_MS + 1000);
    close(fd);
    shm_listener_close(&l);
}

/* ------------------------------------------------------------------------
 * The direct memory window
 */

#define WIN_SIZE (1u << 20)
#define WIN_OFFSET 8192u
#define WIN_BASE 0x80000000ull

/* A sealed memfd of WIN_OFFSET + WIN_SIZE bytes; byte i of the window is
 * (uint8_t)(i * 7). */
static int window_file(bool seal)
{
    int fd = memfd_create("win", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    uint8_t *m;

    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, WIN_OFFSET + WIN_SIZE), 0);
    m = mmap(NULL, WIN_OFFSET + WIN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
             fd, 0);
    cr_assert_neq(m, MAP_FAILED);
    for (uint32_t i = 0; i < WIN_SIZE; i++) {
        m[WIN_OFFSET + i] = (uint8_t)(i * 7);
    }
    munmap(m, WIN_OFFSET + WIN_SIZE);
    if (seal) {
        cr_assert_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
    }
    return fd;
}

/* Server process: offers the window, accepts two clients, then waits for
 * them to hang up. */
static void window_server(const char *name)
{
    struct shm_listener l;
    struct shm_conn c[2];
    char err[SHM_ERRLEN];
    char b;
    int fd = window_file(true);

    if (shm_listen(name, NULL, &l, err) < 0 ||
        shm_listener_offer_window(&l, fd, WIN_OFFSET, WIN_BASE, WIN_SIZE, 1) <
            0 ||
        shm_accept(&l, &c[0], err) < 0 || shm_accept(&l, &c[1], err) < 0) {
        fprintf(stderr, "server: %s\n", err);
        _exit(2);
    }
    while (read(c[0].sock, &b, 1) > 0 || read(c[1].sock, &b, 1) > 0) {
    }
    shm_conn_close(&c[0]);
    shm_conn_close(&c[1]);
    shm_listener_close(&l);
    _exit(0);
}

Test(conn, window_mapped_read_only_when_wanted)
{
    struct shm_conn with, without;
    struct shm_conn_wish wish = { .window = true };
    char path[SHM_PATH_MAX], err[SHM_ERRLEN];
    pid_t pid = spawn_server("win", window_server);
    uint32_t i;

    wait_endpoint("win", path);
    cr_assert_eq(shm_connect(path, &wish, &with, err), 0, "%s", err);
    cr_assert_not_null(with.window.map, "the window was not mapped");
    cr_assert_eq(with.window.base, WIN_BASE);
    cr_assert_eq(with.window.size, WIN_SIZE);
    cr_assert_eq(with.window.space, 1);
    for (i = 0; i < WIN_SIZE; i += 4097) {
        cr_assert_eq(with.window.map[i], (uint8_t)(i * 7), "byte %u", i);
    }
    /* Read-only: the descriptor, so the mapping cannot be made writable. */
    cr_assert_eq(fcntl(with.window.fd, F_GETFL) & O_ACCMODE, O_RDONLY);
    cr_assert_eq(mprotect(with.window.map_base, with.window.map_len,
                          PROT_READ | PROT_WRITE),
                 -1);
    cr_assert_eq(shm_connect(path, NULL, &without, err), 0, "%s", err);
    cr_assert_null(without.window.map);
    cr_assert_eq(without.window.fd, -1);
    shm_conn_close(&with);
    shm_conn_close(&without);
    waitpid(pid, NULL, 0);
}

Test(conn, unsealed_window_not_offered)
{
    struct shm_listener l;
    char err[SHM_ERRLEN];
    int fd = window_file(false);

    cr_assert_eq(shm_listen("unsealed", NULL, &l, err), 0, "%s", err);
    cr_assert_eq(shm_listener_offer_window(&l, fd, WIN_OFFSET, WIN_BASE,
                                           WIN_SIZE, 1),
                 -EINVAL);
    cr_assert_eq(shm_listener_offer_window(&l, fd, WIN_OFFSET, WIN_BASE,
                                           WIN_SIZE * 2, 1),
                 -EINVAL, "a window past the file's end was accepted");
    cr_assert_eq(l.window.size, 0);
    shm_listener_close(&l);
    close(fd);
}
