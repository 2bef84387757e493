/*
 * Endpoints and the connection handshake (see shm/conn.h).
 *
 * The server side runs on the stub's I/O thread, the client side on the
 * thread that opens a server.  The log hook is process-wide and meant to be
 * set once at start-up.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "shm/conn.h"

#define NFDS 3     /* region, request and response doorbells */
#define NFDS_MAX 4 /* ... and a memory window */

static shm_log_fn log_fn;
static void *log_opaque;

void shm_set_log(shm_log_fn fn, void *opaque)
{
    log_fn = fn;
    log_opaque = opaque;
}

void shm_log(const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (log_fn) {
        log_fn(log_opaque, line);
    } else {
        fprintf(stderr, "mcdshm: %s\n", line);
    }
}

/* Fill @err (SHM_ERRLEN bytes) and return @code. */
static int say(char *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        va_start(ap, fmt);
        vsnprintf(err, SHM_ERRLEN, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* The directory must be a real directory, ours, and private. */
static int check_dir(const char *dir, char *err)
{
    struct stat st;

    if (lstat(dir, &st) < 0) {
        return say(err, -errno, "%s: %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        return say(err, -EPERM, "%s is not a directory", dir);
    }
    if (st.st_uid != getuid()) {
        return say(err, -EPERM, "%s is owned by uid %u, not by uid %u", dir,
                   (unsigned)st.st_uid, (unsigned)getuid());
    }
    if ((st.st_mode & 0777) != 0700 && chmod(dir, 0700) < 0) {
        return say(err, -errno, "%s: chmod 0700: %s", dir, strerror(errno));
    }
    return 0;
}

int shm_endpoint_dir(char *buf, size_t len, char *err)
{
    const char *over = getenv("MCDSHM_RUNTIME_DIR");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int n;

    if (over && *over) {
        n = snprintf(buf, len, "%s", over);
    } else if (xdg && *xdg) {
        n = snprintf(buf, len, "%s/mcdshm", xdg);
    } else {
        n = snprintf(buf, len, "/tmp/mcdshm-%u", (unsigned)getuid());
    }
    if (n < 0 || (size_t)n >= len) {
        return say(err, -ENAMETOOLONG, "endpoint directory name too long");
    }
    if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
        return say(err, -errno, "%s: mkdir: %s", buf, strerror(errno));
    }
    return check_dir(buf, err);
}

static bool name_ok(const char *name)
{
    size_t i, n = name ? strlen(name) : 0;

    if (n == 0 || n >= MCDSHM_NAME_LEN || name[0] == '.') {
        return false;
    }
    for (i = 0; i < n; i++) {
        char ch = name[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
              ch == '-')) {
            return false;
        }
    }
    return true;
}

static int bad_name(const char *name, char *err)
{
    return say(err, -EINVAL,
               "server name '%s' must be 1..%d characters of "
               "[A-Za-z0-9._-], not starting with '.'",
               name ? name : "(null)", MCDSHM_NAME_LEN - 1);
}

int shm_endpoint_path(const char *name, char *buf, size_t len, char *err)
{
    char dir[SHM_PATH_MAX];
    int n, r;

    if (!name_ok(name)) {
        return bad_name(name, err);
    }
    r = shm_endpoint_dir(dir, sizeof(dir), err);
    if (r < 0) {
        return r;
    }
    n = snprintf(buf, len, "%s/%s.sock", dir, name);
    if (n < 0 || (size_t)n >= len) {
        return say(err, -ENAMETOOLONG, "endpoint path for '%s' too long", name);
    }
    return 0;
}

static int unix_addr(const char *path, struct sockaddr_un *a)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(a->sun_path)) {
        return -ENAMETOOLONG;
    }
    strcpy(a->sun_path, path);
    return 0;
}

/* Remove a socket file left by a dead server; refuse a live one. */
static int clear_stale(const char *path, char *err)
{
    struct sockaddr_un a;
    struct stat st;
    int fd, r;

    if (lstat(path, &st) < 0) {
        return errno == ENOENT
                   ? 0
                   : say(err, -errno, "%s: %s", path, strerror(errno));
    }
    if (!S_ISSOCK(st.st_mode)) {
        return say(err, -EEXIST, "%s exists and is not a socket", path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return say(err, -errno, "socket: %s", strerror(errno));
    }
    unix_addr(path, &a);
    r = connect(fd, (struct sockaddr *)&a, sizeof(a));
    close(fd);
    if (r == 0) {
        return say(err, -EADDRINUSE, "a live server listens on %s", path);
    }
    if (errno != ECONNREFUSED) {
        return say(err, -errno, "%s: %s", path, strerror(errno));
    }
    shm_log("removing stale endpoint %s", path);
    if (unlink(path) < 0 && errno != ENOENT) {
        return say(err, -errno, "unlink %s: %s", path, strerror(errno));
    }
    return 0;
}

int shm_listen(const char *name, const char *path, struct shm_listener *l,
               char *err)
{
    struct sockaddr_un a;
    int r;

    l->fd = -1;
    l->path[0] = '\0';
    memset(&l->window, 0, sizeof(l->window));
    l->window.fd = -1;
    if (!name_ok(name)) {
        return bad_name(name, err);
    }
    snprintf(l->name, sizeof(l->name), "%s", name);
    if (path) {
        if (unix_addr(path, &a) < 0) {
            return say(err, -ENAMETOOLONG, "socket path too long: %s", path);
        }
        snprintf(l->path, sizeof(l->path), "%s", path);
    } else if ((r = shm_endpoint_path(name, l->path, sizeof(l->path), err))) {
        return r;
    }
    if ((r = clear_stale(l->path, err)) < 0) {
        return r;
    }
    unix_addr(l->path, &a);
    l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l->fd < 0) {
        return say(err, -errno, "socket: %s", strerror(errno));
    }
    if (bind(l->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        r = say(err, -errno, "bind %s: %s", l->path, strerror(errno));
        goto err_close;
    }
    if (chmod(l->path, 0600) < 0 || listen(l->fd, 64) < 0) {
        r = say(err, -errno, "%s: %s", l->path, strerror(errno));
        goto err_unlink;
    }
    return 0;

err_unlink:
    unlink(l->path);
err_close:
    close(l->fd);
    l->fd = -1;
    return r;
}

void shm_listener_close(struct shm_listener *l)
{
    if (!l) {
        return;
    }
    if (l->window.fd >= 0) {
        close(l->window.fd);
        l->window.fd = -1;
        l->window.size = 0;
    }
    if (l->fd < 0) {
        return;
    }
    close(l->fd);
    l->fd = -1;
    unlink(l->path);
}

static void set_timeouts(int fd, int ms)
{
    struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Receive exactly @len bytes and up to NFDS_MAX descriptors. */
static ssize_t recv_msg(int fd, void *buf, size_t len, int *fds, int *nfds)
{
    union {
        char buf[CMSG_SPACE(NFDS_MAX * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr m = { .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof(ctl.buf) };
    struct cmsghdr *c;
    ssize_t n;

    *nfds = 0;
    do {
        n = recvmsg(fd, &m, MSG_WAITALL | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return errno == EAGAIN ? -ETIMEDOUT : -errno;
    }
    for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

            for (int i = 0; i < k; i++) {
                int f;

                memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                if (*nfds < NFDS_MAX) {
                    fds[(*nfds)++] = f;
                } else {
                    close(f);
                }
            }
        }
    }
    if (m.msg_flags & MSG_CTRUNC) {
        return -EPROTO;
    }
    return n;
}

static int send_welcome(int fd, const struct mcdshm_welcome *w, const int *fds,
                        int nfds)
{
    union {
        char buf[CMSG_SPACE(NFDS_MAX * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = { .iov_base = (void *)w, .iov_len = sizeof(*w) };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    struct cmsghdr *c;
    ssize_t n;

    if (nfds > 0) {
        memset(&ctl, 0, sizeof(ctl));
        m.msg_control = ctl.buf;
        m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    }
    n = sendmsg(fd, &m, MSG_NOSIGNAL);
    if (n < 0) {
        return -errno;
    }
    return n == (ssize_t)sizeof(*w) ? 0 : -EPROTO;
}

static void welcome_init(struct mcdshm_welcome *w, const char *server)
{
    memset(w, 0, sizeof(*w));
    w->magic = MCDSHM_MAGIC;
    w->version = MCDSHM_VERSION;
    w->compat_version = MCDSHM_COMPAT_VERSION;
    w->server_pid = (uint32_t)getpid();
    snprintf((char *)w->server, sizeof(w->server), "%s", server);
}

/* Refuse the client on @fd: tell it why, log it, return @code. */
static int refuse(struct shm_listener *l, struct shm_conn *c, int code,
                  char *err, const char *fmt, ...)
{
    struct mcdshm_welcome w;
    char why[MCDSHM_REASON_LEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    welcome_init(&w, l->name);
    w.status = (uint32_t)-code;
    snprintf((char *)w.reason, sizeof(w.reason), "%s", why);
    send_welcome(c->sock, &w, NULL, 0);
    shm_log("%s: refused connection from pid %d uid %u: %s", l->name,
            (int)c->peer_pid, (unsigned)c->peer_uid, why);
    shm_conn_close(c);
    return say(err, code, "%s", why);
}

static bool versions_meet(unsigned v, unsigned compat)
{
    return compat <= MCDSHM_VERSION && v >= MCDSHM_COMPAT_VERSION;
}

/* Check the client's hello; 0 or a refusal. */
static int check_hello(struct shm_listener *l, struct shm_conn *c,
                       const struct mcdshm_hello *h, char *err)
{
    size_t i;

    if (h->magic == MCDSHM_MAGIC_SWAPPED) {
        return refuse(l, c, -EPROTONOSUPPORT, err,
                      "client has the other byte order");
    }
    if (h->magic != MCDSHM_MAGIC) {
        return refuse(l, c, -EPROTO, err, "hello magic 0x%016llx is wrong",
                      (unsigned long long)h->magic);
    }
    if (!versions_meet(h->version, h->compat_version)) {
        return refuse(l, c, -EPROTONOSUPPORT, err,
                      "client speaks layout version %u (compatible down "
                      "to %u), server speaks %u (compatible down to %u)",
                      h->version, h->compat_version, MCDSHM_VERSION,
                      MCDSHM_COMPAT_VERSION);
    }
    for (i = 0; i < sizeof(h->reserved) / sizeof(h->reserved[0]); i++) {
        if (h->reserved[i]) {
            return refuse(l, c, -EPROTO, err, "hello reserved[%zu] is not zero",
                          i);
        }
    }
    if (h->pad || (h->want & ~MCDSHM_WANT_MASK)) {
        return refuse(l, c, -EPROTO, err,
                      "hello want 0x%x or pad 0x%x has unknown bits", h->want,
                      h->pad);
    }
    if (!(h->want & MCDSHM_WANT_TRACE) && (h->trace_lanes || h->trace_frames)) {
        return refuse(l, c, -EPROTO, err,
                      "hello trace_lanes %u, trace_frames %u without "
                      "MCDSHM_WANT_TRACE",
                      h->trace_lanes, h->trace_frames);
    }
    return 0;
}

/* Accept a socket and learn who is on the other end. */
int shm_accept_peer(struct shm_listener *l, struct shm_conn *c, char *err)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    memset(c, 0, sizeof(*c));
    c->region_fd = c->req_efd = c->resp_efd = c->window.fd = -1;
    c->sock = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
    if (c->sock < 0) {
        return say(err, -errno, "accept: %s", strerror(errno));
    }
    if (getsockopt(c->sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        int r = say(err, -errno, "SO_PEERCRED: %s", strerror(errno));

        shm_conn_close(c);
        return r;
    }
    c->peer_pid = cred.pid;
    c->peer_uid = cred.uid;
    set_timeouts(c->sock, SHM_HANDSHAKE_TIMEOUT_MS);
    return 0;
}

/* Is @fd a file of at least @end bytes that can no longer shrink? */
static int window_file_ok(int fd, uint64_t end, char *why, size_t len)
{
    struct stat st;
    int seals;

    if (fstat(fd, &st) < 0) {
        return snprintf(why, len, "fstat: %s", strerror(errno)), -errno;
    }
    if ((uint64_t)st.st_size < end) {
        snprintf(why, len, "the file has %lld bytes, the window ends at %llu",
                 (long long)st.st_size, (unsigned long long)end);
        return -EINVAL;
    }
    seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
        snprintf(why, len, "the file is not sealed against shrinking "
                           "(F_SEAL_SHRINK)");
        return -EINVAL;
    }
    return 0;
}

int shm_listener_offer_window(struct shm_listener *l, int fd, uint64_t offset,
                              uint64_t base, uint64_t size, uint32_t space)
{
    char why[SHM_ERRLEN];
    int r;

    if (fd < 0 || size == 0 || offset + size < offset || base + size < base) {
        return -EINVAL;
    }
    r = window_file_ok(fd, offset + size, why, sizeof(why));
    if (r < 0) {
        shm_log("%s: no memory window: %s", l->name, why);
        return r;
    }
    /* Clients get a read-only descriptor of the same file, so that no
     * client can map it writable. */
    snprintf(why, sizeof(why), "/proc/self/fd/%d", fd);
    r = open(why, O_RDONLY | O_CLOEXEC);
    if (r < 0) {
        r = -errno;
        shm_log("%s: no memory window: reopening it read-only: %s", l->name,
                strerror(-r));
        return r;
    }
    if (l->window.fd >= 0) {
        close(l->window.fd);
    }
    l->window = (struct shm_window){ .fd = r, .base = base, .size = size,
                                     .offset = offset, .space = space };
    return 0;
}

/* Create the region and doorbells and send them to the client. */
static int open_region(struct shm_listener *l, struct shm_conn *c,
                       const struct mcdshm_hello *h, char *err)
{
    struct mcdshm_welcome w;
    struct shm_layout lay;
    int fds[NFDS_MAX], r;

    if (shm_layout_compute(h->nslots, h->payload_size, &lay) < 0) {
        return refuse(l, c, -EINVAL, err,
                      "region of %u slots x %u bytes is out of limits "
                      "(slots: power of two %u..%u; payload: multiple of "
                      "64, %u..%u)",
                      h->nslots, h->payload_size, MCDSHM_MIN_SLOTS,
                      MCDSHM_MAX_SLOTS, MCDSHM_MIN_PAYLOAD, MCDSHM_MAX_PAYLOAD);
    }
    if ((h->want & MCDSHM_WANT_TRACE) &&
        shm_layout_add_trace(&lay, h->trace_lanes, h->trace_frames) < 0) {
        return refuse(l, c, -EINVAL, err,
                      "%u trace lanes of %u frames are out of limits "
                      "(lanes: 0..%u; frames: power of two %u..%u; region "
                      "at most %llu bytes)",
                      h->trace_lanes, h->trace_frames, MCDSHM_TRACE_LANES_MAX,
                      MCDSHM_TRACE_FRAMES_MIN, MCDSHM_TRACE_FRAMES_MAX,
                      (unsigned long long)MCDSHM_MAX_REGION);
    }
    r = shm_region_create(&lay, h->client_pid, &c->region, &c->region_fd);
    if (r < 0) {
        return refuse(l, c, r, err, "cannot create region: %s", strerror(-r));
    }
    c->req_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    c->resp_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->req_efd < 0 || c->resp_efd < 0) {
        return refuse(l, c, -errno, err, "eventfd: %s", strerror(errno));
    }
    welcome_init(&w, l->name);
    w.region_size = lay.region_size;
    w.nfds = NFDS;
    fds[0] = c->region_fd;
    fds[1] = c->req_efd;
    fds[2] = c->resp_efd;
    if ((h->want & MCDSHM_WANT_WINDOW) && l->window.size) {
        w.nfds = NFDS + 1;
        fds[NFDS] = l->window.fd;
        w.window_base = l->window.base;
        w.window_size = l->window.size;
        w.window_offset = l->window.offset;
        w.window_space = l->window.space;
    }
    r = send_welcome(c->sock, &w, fds, (int)w.nfds);
    if (r < 0) {
        shm_conn_close(c);
        return say(err, r, "sending welcome: %s", strerror(-r));
    }
    return 0;
}

int shm_accept_hello(struct shm_listener *l, struct shm_conn *c, bool wait,
                     char *err)
{
    struct mcdshm_hello h;
    int fds[NFDS_MAX], nfds, i, r;
    ssize_t n;

    if (!wait) {
        n = recv(c->sock, &h, sizeof(h), MSG_PEEK | MSG_DONTWAIT);
        if ((n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ||
            (n > 0 && n < (ssize_t)sizeof(h))) {
            return -EAGAIN; /* not all of it yet */
        }
    }
    n = recv_msg(c->sock, &h, sizeof(h), fds, &nfds);
    for (i = 0; i < nfds; i++) {
        close(fds[i]); /* a client has no business sending descriptors */
    }
    if (n != (ssize_t)sizeof(h)) {
        r = n < 0 ? (int)n : -EPROTO;
        shm_conn_close(c);
        return say(err, r, "no complete hello from pid %d (%s)",
                   (int)c->peer_pid, n < 0 ? strerror((int)-n) : "short");
    }
    if (c->peer_uid != getuid()) {
        return refuse(l, c, -EACCES, err,
                      "peer uid %u is not the server's uid %u",
                      (unsigned)c->peer_uid, (unsigned)getuid());
    }
    r = check_hello(l, c, &h, err);
    if (r < 0) {
        return r;
    }
    return open_region(l, c, &h, err);
}

int shm_accept(struct shm_listener *l, struct shm_conn *c, char *err)
{
    int r = shm_accept_peer(l, c, err);

    return r < 0 ? r : shm_accept_hello(l, c, true, err);
}

/* Check the server's welcome; 0, or the refusal or protocol error. */
static int check_welcome(const struct mcdshm_welcome *w, ssize_t n, int nfds,
                         bool want_window, char *err)
{
    uint32_t expect;

    char text[MCDSHM_REASON_LEN];

    if (n != (ssize_t)sizeof(*w)) {
        return say(err, n < 0 ? (int)n : -EPROTO,
                   "no complete welcome from the server (%s)",
                   n < 0 ? strerror((int)-n) : "short or closed");
    }
    if (w->magic != MCDSHM_MAGIC) {
        return say(err, -EPROTO, "welcome magic 0x%016llx is wrong",
                   (unsigned long long)w->magic);
    }
    if (w->status != 0) {
        /* The server's text: bounded and terminated before use. */
        memcpy(text, w->reason, sizeof(text));
        text[sizeof(text) - 1] = '\0';
        return say(err, w->status < 4096 ? -(int)w->status : -EPROTO,
                   "server refused: %s", text);
    }
    if (!versions_meet(w->version, w->compat_version)) {
        return say(err, -EPROTONOSUPPORT,
                   "server speaks layout version %u (compatible down to "
                   "%u), client speaks %u (compatible down to %u)",
                   w->version, w->compat_version, MCDSHM_VERSION,
                   MCDSHM_COMPAT_VERSION);
    }
    expect = want_window && w->window_size ? NFDS + 1 : NFDS;
    if (w->nfds != expect || nfds != (int)expect) {
        return say(err, -EPROTO,
                   "welcome announced %u descriptors (window_size %llu), "
                   "%d came, %u expected",
                   w->nfds, (unsigned long long)w->window_size, nfds, expect);
    }
    if (w->window_flags ||
        (w->window_size && (w->window_base + w->window_size < w->window_base ||
                            w->window_offset + w->window_size <
                                w->window_offset))) {
        return say(err, -EPROTO,
                   "welcome window [0x%llx, +0x%llx) at offset 0x%llx, "
                   "flags 0x%x, is malformed",
                   (unsigned long long)w->window_base,
                   (unsigned long long)w->window_size,
                   (unsigned long long)w->window_offset, w->window_flags);
    }
    return 0;
}

/* Map the window the server sent, read-only; on any doubt go without it
 * (the connection works without a window), saying why in the log. */
static void map_window(struct shm_conn *c, const struct mcdshm_welcome *w)
{
    struct shm_window *win = &c->window;
    char why[SHM_ERRLEN];
    long page = sysconf(_SC_PAGESIZE);
    uint64_t start, end;
    void *m;

    if (window_file_ok(win->fd, w->window_offset + w->window_size, why,
                       sizeof(why)) < 0) {
        shm_log("server '%s': memory window refused: %s", c->peer_name, why);
        goto drop;
    }
    start = w->window_offset & ~(uint64_t)(page - 1);
    end = w->window_offset + w->window_size;
    m = mmap(NULL, end - start, PROT_READ, MAP_SHARED, win->fd, (off_t)start);
    if (m == MAP_FAILED) {
        shm_log("server '%s': memory window of %llu bytes not mapped: %s",
                c->peer_name, (unsigned long long)w->window_size,
                strerror(errno));
        goto drop;
    }
    win->map_base = m;
    win->map_len = end - start;
    win->map = (const uint8_t *)m + (w->window_offset - start);
    win->base = w->window_base;
    win->size = w->window_size;
    win->offset = w->window_offset;
    win->space = w->window_space;
    return;

drop:
    close(win->fd);
    memset(win, 0, sizeof(*win));
    win->fd = -1;
}

static int dial(const char *path, int *fd_out, char *err)
{
    struct sockaddr_un a;
    int fd;

    if (unix_addr(path, &a) < 0) {
        return say(err, -ENAMETOOLONG, "socket path too long: %s", path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return say(err, -errno, "socket: %s", strerror(errno));
    }
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        int r = say(err, -errno, "connect %s: %s", path, strerror(errno));

        close(fd);
        return r;
    }
    set_timeouts(fd, SHM_HANDSHAKE_TIMEOUT_MS);
    *fd_out = fd;
    return 0;
}

int shm_connect(const char *path, const struct shm_conn_wish *wish,
                struct shm_conn *c, char *err)
{
    struct mcdshm_hello h = { .magic = MCDSHM_MAGIC };
    struct mcdshm_welcome w;
    enum shm_verr verr;
    char why[SHM_ERRLEN];
    int fds[NFDS_MAX], nfds, i, r;
    ssize_t n;

    memset(c, 0, sizeof(*c));
    c->sock = c->region_fd = c->req_efd = c->resp_efd = c->window.fd = -1;
    if ((r = dial(path, &c->sock, err)) < 0) {
        return r;
    }
    h.version = MCDSHM_VERSION;
    h.compat_version = MCDSHM_COMPAT_VERSION;
    h.client_pid = (uint32_t)getpid();
    h.nslots = wish ? wish->nslots : 0;
    h.payload_size = wish ? wish->payload_size : 0;
    h.want = wish && wish->window ? MCDSHM_WANT_WINDOW : 0;
    if (wish && wish->trace) {
        h.want |= MCDSHM_WANT_TRACE;
        h.trace_lanes = wish->trace_lanes;
        h.trace_frames = wish->trace_frames;
    }
    if (send(c->sock, &h, sizeof(h), MSG_NOSIGNAL) != (ssize_t)sizeof(h)) {
        r = say(err, -errno, "sending hello: %s", strerror(errno));
        goto err_close;
    }
    n = recv_msg(c->sock, &w, sizeof(w), fds, &nfds);
    for (i = 0; i < nfds; i++) {
        int *slot[NFDS_MAX] = { &c->region_fd, &c->req_efd, &c->resp_efd,
                                &c->window.fd };

        *slot[i] = fds[i];
    }
    if ((r = check_welcome(&w, n, nfds, h.want & MCDSHM_WANT_WINDOW,
                           err)) < 0) {
        goto err_close;
    }
    c->peer_pid = (pid_t)w.server_pid;
    memcpy(c->peer_name, w.server, sizeof(c->peer_name));
    c->peer_name[sizeof(c->peer_name) - 1] = '\0';
    r = shm_region_attach(c->region_fd, w.region_size, &c->region, &verr, why,
                          sizeof(why));
    if (r < 0) {
        say(err, r, "region from server '%s' rejected: %s", c->peer_name,
            r == -EPROTO ? why : strerror(-r));
        goto err_close;
    }
    if (c->window.fd >= 0) {
        map_window(c, &w);
    }
    return 0;

err_close:
    shm_conn_close(c);
    return r;
}

void shm_conn_close(struct shm_conn *c)
{
    size_t i;

    if (!c) {
        return;
    }
    int *fds[] = { &c->sock, &c->region_fd, &c->req_efd, &c->resp_efd,
                   &c->window.fd };

    shm_region_unmap(&c->region);
    if (c->window.map_base) {
        munmap(c->window.map_base, c->window.map_len);
        c->window.map_base = NULL;
        c->window.map = NULL;
    }
    for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
    }
}

int shm_conn_peer_gone(const struct shm_conn *c)
{
    struct pollfd p = { .fd = c->sock, .events = POLLRDHUP };

    if (poll(&p, 1, 0) < 0) {
        return -errno;
    }
    return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}
