/*
 * The server stub: connections, the I/O thread and request execution.
 *
 * A server owns the endpoint (shm/conn.c), one server core (qemu-side/core)
 * and one struct stub_conn per connected debugger: its region, rings,
 * doorbells and core session.  Requests are copied out of shared memory,
 * checked for their place in the ring and handed to mcdstub_dispatch();
 * the response is written into the response ring and the client's doorbell
 * rung once per batch.  A connection whose ring is corrupt, or whose client
 * hung up, is closed and its session released; nobody else notices.
 *
 * Threads.  With mcdshm_server_start() one I/O thread ("mcdshm-io") owns
 * everything and runs an io_uring loop: a multishot poll on the listening
 * socket, one read per connection on its request doorbell, one poll per
 * connection for the socket's hang-up, and a read on the shutdown eventfd.
 * Under the hybrid and busy policies it polls the rings between events.
 * With mcdshm_server_open() the host's thread calls
 * mcdshm_server_service() instead.  For MCDSHM_EXEC_SIM_THREAD targets the
 * I/O thread only signals exec_efd and the simulator's thread answers the
 * requests in mcdshm_server_exec_pending(); the connection list is then
 * shared and guarded by lock.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "mcdshm/server.h"
#include "qemu-side/core/core.h"
#include "qemu-side/stub/dispatch.h"
#include "qemu-side/stub/lanes.h"
#include "shm/conn.h"
#include "shm/doorbell.h"
#include "shm/records.h"

#define DEFAULT_MAX_CLIENTS 64
#define URING_ENTRIES 256

enum ev_kind {
    EV_LISTEN,
    EV_STOP,
    EV_BELL,
    EV_HUP,
    EV_CANCEL,
    EV_HELLO,    /* a greeting client's socket is readable */
    EV_HELLO_TO, /* the time-out linked to it */
};

struct stub_conn;

/* What an io_uring completion is about (its user_data). */
struct stub_ev {
    enum ev_kind kind;
    struct stub_conn *conn;
};

struct mcdshm_server;

struct stub_conn {
    struct mcdshm_server *srv;
    struct shm_conn c;
    struct shm_ring req, resp;
    struct mcdcore_session *sess;
    struct stub_lanes *lanes; /* trace lanes, NULL if the region has none */
    struct stub_ev bell_ev, hup_ev, cancel_ev, hello_ev, hello_to_ev;
    uint64_t hello_deadline; /* greeting: CLOCK_MONOTONIC ns */
    struct __kernel_timespec hello_ts; /* its io_uring time-out */
    uint64_t bell_buf; /* target of the doorbell read */
    int inflight;      /* io_uring operations not yet completed */
    bool dead;
    bool cancelled;     /* its io_uring operations were cancelled */
    bool txlist_failed; /* the last execute_txlist request failed */
    struct stub_conn *next;
};

struct mcdshm_server {
    const struct mcdshm_target *t;
    struct mcdcore *core;
    struct stub_trace *trace; /* who streams which trace (lanes.c) */
    struct shm_listener l;
    enum shm_policy policy;
    uint32_t spin_ns;
    uint32_t max_clients;
    pthread_mutex_t lock; /* conns, for MCDSHM_EXEC_SIM_THREAD */
    struct stub_conn *conns;
    int nconns;
    /* Accepted sockets whose hello has not arrived yet (I/O thread or the
     * embedding host only): the handshake never waits on a client. */
    struct stub_conn *greeting;
    int stop_efd;
    int exec_efd; /* -1 unless MCDSHM_EXEC_SIM_THREAD */
    bool threaded;
    pthread_t thread;
    struct io_uring ring;
    bool ring_ready;
    struct stub_ev listen_ev, stop_ev;
    uint64_t stop_buf;
    bool dropped; /* a connection died: tidy() before waiting */
};

static int errmsg(char *err, size_t len, int code, const char *fmt, ...)
{
    va_list ap;

    if (err && len) {
        va_start(ap, fmt);
        vsnprintf(err, len, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ------------------------------------------------------------------------
 * Connections
 */

static void conn_free(struct stub_conn *k)
{
    stub_lanes_close(k->lanes); /* before the region goes */
    mcdcore_session_close(k->sess);
    shm_conn_close(&k->c);
    free(k);
}

/* Unlink dead connections whose io_uring operations have all completed. */
static void reap(struct mcdshm_server *s)
{
    struct stub_conn **pp = &s->conns;

    pthread_mutex_lock(&s->lock);
    while (*pp) {
        struct stub_conn *k = *pp;

        if (READ_ONCE(k->dead) && k->inflight == 0) {
            *pp = k->next;
            s->nconns--;
            conn_free(k);
        } else {
            pp = &k->next;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

/* Close @k: quietly for a hang-up (how every client leaves), with a log
 * line for anything else. */
static void conn_drop(struct stub_conn *k, const char *why)
{
    if (!READ_ONCE(k->dead) && why) {
        shm_log("dropping client pid %d: %s", (int)k->c.peer_pid, why);
    }
    /* Relaxed atomics: with MCDSHM_EXEC_SIM_THREAD the simulator's thread
     * drops (a corrupt ring) and reads these while the I/O thread does
     * (a hang-up); the connection list itself stays under lock. */
    WRITE_ONCE(k->dead, true);
    WRITE_ONCE(k->srv->dropped, true);
}

/*
 * A later part of a transaction list whose earlier part failed
 * (MCDSHM_REQ_F_AFTER_PREV): answered without touching the target.
 */
static void skip_chained(const struct mcdshm_req *q, struct mcdshm_resp *a)
{
    struct mcdshm_resp r;

    memset(&r, 0, sizeof(r));
    r.hdr.seq = q->hdr.seq;
    r.hdr.fn = q->hdr.fn;
    r.hdr.ret = MCD_RET_ACT_HANDLE_ERROR;
    r.error.return_status = MCD_RET_ACT_HANDLE_ERROR;
    r.error.error_code = MCD_ERR_TXLIST_TX;
    snprintf((char *)r.error.error_str, sizeof(r.error.error_str),
             "not executed: an earlier part of this transaction list "
             "failed");
    shm_copy_resp(a, &r, q->hdr.fn, r.hdr.ret);
}

/*
 * Answer the requests waiting in one connection.  Returns the number
 * answered; the connection is marked dead if its ring is corrupt.
 */
static int conn_service(struct mcdshm_server *s, struct stub_conn *k)
{
    struct mcdshm_req q;
    int i, n, done = 0;

    if (READ_ONCE(k->dead)) {
        return 0;
    }
    n = shm_ring_avail(&k->req);
    if (n < 0) {
        conn_drop(k, "request ring corrupt (tail more than nslots ahead)");
        return 0;
    }
    for (i = 0; i < n; i++) {
        uint32_t idx = shm_ring_head(&k->req);
        struct mcdshm_resp *a;

        int room = shm_ring_free(&k->resp, 1);

        if (room < 0) {
            conn_drop(k, "response ring corrupt (head ahead of tail)");
            break;
        }
        if (room == 0) {
            break; /* the client is not reading its responses: later */
        }
        /* A private copy, of the record's extent only (shm/records.h):
         * the client may change the shared one. */
        memcpy(&q.hdr, shm_ring_peek(&k->req), sizeof(q.hdr));
        memset(&q.u, 0, sizeof(q.u));
        memcpy(&q.u, (const uint8_t *)shm_ring_peek(&k->req) + sizeof(q.hdr),
               shm_req_len(q.hdr.fn) - sizeof(q.hdr));
        if (q.hdr.seq != idx) {
            shm_log("client pid %d: request seq %u at ring index %u",
                    (int)k->c.peer_pid, q.hdr.seq, idx);
            conn_drop(k, "request ring corrupt (sequence mismatch)");
            break;
        }
        a = shm_ring_next(&k->resp);
        memset(&a->hdr, 0, sizeof(a->hdr));
        a->hdr.seq = idx;
        a->hdr.fn = q.hdr.fn;
        if (q.hdr.fn == MCDSHM_FN_EXECUTE_TXLIST &&
            (q.hdr.flags & MCDSHM_REQ_F_AFTER_PREV) && k->txlist_failed) {
            skip_chained(&q, a);
        } else if (mcdstub_dispatch_hooked(
                       k->sess, stub_lanes_hook(k->lanes), &q,
                       shm_region_payload(&k->c.region, idx),
                       k->c.region.lay.payload_size, a) < 0) {
            conn_drop(k, "malformed request record");
            break;
        }
        if (q.hdr.fn == MCDSHM_FN_EXECUTE_TXLIST) {
            /* Our own answer, just written: no peer can have changed it
             * that matters to us, only to itself. */
            k->txlist_failed = READ_ONCE(a->hdr.ret) != MCD_RET_ACT_NONE;
        }
        shm_ring_release(&k->req, 1);
        shm_ring_publish(&k->resp, 1);
        done++;
    }
    if (done) {
        shm_doorbell_ring(k->resp.ctl, k->c.resp_efd);
    }
    (void)s;
    return done;
}

/*
 * The connection list changes only on the thread that services it, except
 * with MCDSHM_EXEC_SIM_THREAD targets, whose requests the simulator's
 * thread answers while the I/O thread accepts and reaps: only then does
 * walking the list need the lock (which the spin loop would otherwise take
 * millions of times a second).
 */
static void walk_begin(struct mcdshm_server *s)
{
    if (s->exec_efd >= 0) {
        pthread_mutex_lock(&s->lock);
    }
}

static void walk_end(struct mcdshm_server *s)
{
    if (s->exec_efd >= 0) {
        pthread_mutex_unlock(&s->lock);
    }
}

static int service_all(struct mcdshm_server *s)
{
    struct stub_conn *k;
    int done = 0;

    walk_begin(s);
    for (k = s->conns; k; k = k->next) {
        done += conn_service(s, k);
    }
    walk_end(s);
    return done;
}

/* Are requests waiting anywhere (without answering them)? */
static bool any_pending(struct mcdshm_server *s)
{
    struct stub_conn *k;
    bool any = false;

    walk_begin(s);
    for (k = s->conns; k && !any; k = k->next) {
        any = !READ_ONCE(k->dead) && shm_ring_avail(&k->req) != 0;
    }
    walk_end(s);
    return any;
}

/* Work found on the rings: answer it here or hand it to the simulator. */
static int serve_or_signal(struct mcdshm_server *s)
{
    static const uint64_t one = 1;

    if (s->exec_efd < 0) {
        return service_all(s);
    }
    if (any_pending(s) && write(s->exec_efd, &one, sizeof(one)) < 0) {
        return -errno;
    }
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void arm_conn(struct mcdshm_server *s, struct stub_conn *k);

/* Accept one waiting socket into the greeting list; -EAGAIN if none. */
static int accept_one(struct mcdshm_server *s, struct stub_conn **out)
{
    char err[SHM_ERRLEN];
    struct stub_conn *k = calloc(1, sizeof(*k));
    int r;

    *out = NULL;
    if (!k) {
        return -ENOMEM;
    }
    r = shm_accept_peer(&s->l, &k->c, err);
    if (r < 0) {
        free(k);
        if (r != -EAGAIN) {
            shm_log("%s: connection failed: %s", s->l.name, err);
        }
        return r == -EAGAIN ? r : 0;
    }
    k->srv = s;
    k->hello_ev = (struct stub_ev){ EV_HELLO, k };
    k->hello_to_ev = (struct stub_ev){ EV_HELLO_TO, k };
    k->hello_deadline = now_ns() + SHM_HANDSHAKE_TIMEOUT_MS * 1000000ull;
    k->next = s->greeting;
    s->greeting = k;
    *out = k;
    return 0;
}

/*
 * Go on with a greeting client's handshake.  Returns -EAGAIN while its
 * hello is incomplete, else 0 with @k handed on: to the connections, or
 * marked dead (refused or failed) for the greeting list to free.
 */
static int greet(struct mcdshm_server *s, struct stub_conn *k)
{
    char err[SHM_ERRLEN];
    int r = shm_accept_hello(&s->l, &k->c, false, err);

    if (r == -EAGAIN) {
        return r;
    }
    k->dead = true; /* leaves the greeting list either way */
    if (r < 0) {
        if (r != -EACCES && r != -EPROTONOSUPPORT && r != -EINVAL) {
            shm_log("%s: connection failed: %s", s->l.name, err);
        }
        return 0;
    }
    if (s->nconns >= (int)s->max_clients ||
        mcdcore_session_open(s->core, &k->sess) < 0) {
        shm_log("%s: refusing pid %d: %d clients already connected", s->l.name,
                (int)k->c.peer_pid, s->nconns);
        shm_conn_close(&k->c);
        return 0;
    }
    shm_region_req_ring(&k->c.region, &k->req, false);
    shm_region_resp_ring(&k->c.region, &k->resp, true);
    if (s->exec_efd >= 0 || !s->ring_ready) {
        /*
         * No thread of ours waits on this ring with the doorbell rule:
         * the simulator's thread consumes requests whenever it reaches a
         * safe point, and an embedding host polls the descriptors of
         * mcdshm_server_fds() in its own loop.  So ask the client to ring
         * for every request: the host's poll() wakes, and the I/O thread
         * (if any) only passes the bell on.
         *
         * D1: the client has its welcome and may be publishing already,
         * having read need_wakeup == 0.  The fence orders this store
         * before the tail load of the check that follows every handshake
         * (serve_or_signal() after the batch, or at the end of
         * mcdshm_server_service()): that check sees such a request, or
         * the client sees the flag and rings.  x86 got the order from the
         * lock below; weaker CPUs do not.
         */
        WRITE_ONCE(k->req.ctl->need_wakeup, 1);
        smp_mb();
    }
    /* A connection now: a fresh record, the greeting's operations (if
     * any are still in flight) stay with the old one until they end. */
    {
        struct stub_conn *n = calloc(1, sizeof(*n));

        if (!n) {
            mcdcore_session_close(k->sess);
            k->sess = NULL;
            shm_conn_close(&k->c);
            return 0;
        }
        n->c = k->c;
        n->req = k->req;
        n->resp = k->resp;
        n->sess = k->sess;
        k->sess = NULL;
        k->c.sock = k->c.region_fd = k->c.req_efd = k->c.resp_efd = -1;
        k->c.window.fd = -1;
        memset(&k->c.region, 0, sizeof(k->c.region));
        k = n;
    }
    if (stub_lanes_open(s->trace, k->sess, &k->c.region, &k->lanes) < 0) {
        shm_log("%s: no memory for the trace lanes of pid %d", s->l.name,
                (int)k->c.peer_pid);
        mcdcore_session_close(k->sess);
        shm_conn_close(&k->c);
        free(k);
        return 0;
    }
    k->srv = s;
    k->bell_ev = (struct stub_ev){ EV_BELL, k };
    k->hup_ev = (struct stub_ev){ EV_HUP, k };
    k->cancel_ev = (struct stub_ev){ EV_CANCEL, k };
    pthread_mutex_lock(&s->lock);
    k->next = s->conns;
    s->conns = k;
    s->nconns++;
    pthread_mutex_unlock(&s->lock);
    if (s->ring_ready) {
        arm_conn(s, k);
    }
    return 0;
}

/* Free the greeting clients that are done with; with @all, every one. */
static void reap_greeting(struct mcdshm_server *s, bool all)
{
    struct stub_conn **pp = &s->greeting;

    while (*pp) {
        struct stub_conn *k = *pp;

        if (all || (k->dead && k->inflight == 0)) {
            *pp = k->next;
            shm_conn_close(&k->c);
            free(k);
        } else {
            pp = &k->next;
        }
    }
}

/* ------------------------------------------------------------------------
 * The io_uring loop of the I/O thread
 */

static struct io_uring_sqe *sqe_get(struct mcdshm_server *s)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

    if (!sqe) {
        io_uring_submit(&s->ring);
        sqe = io_uring_get_sqe(&s->ring);
    }
    return sqe;
}

static void arm_bell(struct mcdshm_server *s, struct stub_conn *k)
{
    struct io_uring_sqe *sqe = sqe_get(s);

    io_uring_prep_read(sqe, k->c.req_efd, &k->bell_buf, sizeof(k->bell_buf), 0);
    io_uring_sqe_set_data(sqe, &k->bell_ev);
    k->inflight++;
}

static void arm_conn(struct mcdshm_server *s, struct stub_conn *k)
{
    struct io_uring_sqe *sqe;

    arm_bell(s, k);
    sqe = sqe_get(s);
    io_uring_prep_poll_add(sqe, k->c.sock, POLLRDHUP);
    io_uring_sqe_set_data(sqe, &k->hup_ev);
    k->inflight++;
}

/* Wait for a greeting client's hello, at most until its deadline. */
static void arm_hello(struct mcdshm_server *s, struct stub_conn *k)
{
    struct io_uring_sqe *sqe = sqe_get(s);
    uint64_t now = now_ns(), left;

    left = k->hello_deadline > now ? k->hello_deadline - now : 1;
    k->hello_ts.tv_sec = (long long)(left / 1000000000u);
    k->hello_ts.tv_nsec = (long long)(left % 1000000000u);
    io_uring_prep_poll_add(sqe, k->c.sock, POLLIN);
    io_uring_sqe_set_data(sqe, &k->hello_ev);
    sqe->flags |= IOSQE_IO_LINK;
    k->inflight++;
    sqe = sqe_get(s);
    io_uring_prep_link_timeout(sqe, &k->hello_ts, 0);
    io_uring_sqe_set_data(sqe, &k->hello_to_ev);
    k->inflight++;
}

static void arm_listen(struct mcdshm_server *s)
{
    struct io_uring_sqe *sqe = sqe_get(s);

    io_uring_prep_poll_multishot(sqe, s->l.fd, POLLIN);
    io_uring_sqe_set_data(sqe, &s->listen_ev);
}

/* Cancel a dead connection's operations so that it can be freed. */
static void cancel_conn(struct mcdshm_server *s, struct stub_conn *k)
{
    struct io_uring_sqe *sqe;

    if (k->cancelled) {
        return;
    }
    k->cancelled = true;
    sqe = sqe_get(s);

    io_uring_prep_cancel(sqe, &k->bell_ev, 0);
    io_uring_sqe_set_data(sqe, &k->cancel_ev);
    k->inflight++;
    sqe = sqe_get(s);
    io_uring_prep_cancel(sqe, &k->hup_ev, 0);
    io_uring_sqe_set_data(sqe, &k->cancel_ev);
    k->inflight++;
}

static void accept_ready(struct mcdshm_server *s);

/* Handle one completion; returns false when the loop must end. */
static bool on_cqe(struct mcdshm_server *s, struct io_uring_cqe *cqe)
{
    struct stub_ev *ev = io_uring_cqe_get_data(cqe);
    struct stub_conn *k = ev->conn;

    switch (ev->kind) {
    case EV_STOP:
        return false;
    case EV_LISTEN:
        if (!(cqe->flags & IORING_CQE_F_MORE)) {
            arm_listen(s);
        }
        if (cqe->res > 0) {
            accept_ready(s);
        }
        return true;
    case EV_BELL:
        k->inflight--;
        if (!READ_ONCE(k->dead) && cqe->res == sizeof(uint64_t)) {
            arm_bell(s, k);
        } else if (cqe->res != -ECANCELED) {
            conn_drop(k, "doorbell read failed");
        }
        return true;
    case EV_HUP:
        k->inflight--;
        if (cqe->res != -ECANCELED) {
            conn_drop(k, NULL);
        }
        return true;
    case EV_CANCEL:
        k->inflight--;
        return true;
    case EV_HELLO:
        k->inflight--;
        if (k->dead) {
            return true;
        }
        if (cqe->res < 0) { /* -ECANCELED: the time-out fired */
            shm_log("%s: pid %d sent no hello within %d ms; closing", s->l.name,
                    (int)k->c.peer_pid, SHM_HANDSHAKE_TIMEOUT_MS);
            k->dead = true;
        } else if (greet(s, k) == -EAGAIN) {
            arm_hello(s, k);
        }
        return true;
    case EV_HELLO_TO:
        k->inflight--;
        return true;
    }
    return true;
}


/* Announce sleep on every ring (D1); true if all are still empty.  For
 * MCDSHM_EXEC_SIM_THREAD targets need_wakeup stays set for good (see
 * accept_one()): every request rings, nothing to announce. */
static bool prepare_sleep_all(struct mcdshm_server *s)
{
    struct stub_conn *k;
    bool empty = true;

    if (s->exec_efd >= 0) {
        return true;
    }
    for (k = s->conns; k; k = k->next) {
        if (!READ_ONCE(k->dead) && shm_doorbell_prepare_sleep(&k->req) != 0) {
            empty = false;
        }
    }
    return empty;
}

static void woken_all(struct mcdshm_server *s)
{
    struct stub_conn *k;

    if (s->exec_efd >= 0) {
        return;
    }
    for (k = s->conns; k; k = k->next) {
        if (!READ_ONCE(k->dead)) {
            shm_doorbell_woken(&k->req);
        }
    }
}

/* Poll the rings until @budget_ns passes with no work (0 = forever, as
 * long as there are no completions). */
static void spin_rings(struct mcdshm_server *s, uint64_t budget_ns)
{
    uint64_t idle_since = now_ns();
    struct io_uring_cqe *cqe;
    unsigned i = 0;

    /* Operations prepared since the last wait (new connections' reads,
     * cancellations) must reach the kernel before we spin. */
    if (io_uring_sq_ready(&s->ring)) {
        io_uring_submit(&s->ring);
    }
    for (;;) {
        if (serve_or_signal(s) > 0) {
            idle_since = 0;
        }
        if (READ_ONCE(s->dropped)) {
            return; /* hang up on it now, not after the next event */
        }
        if (io_uring_peek_cqe(&s->ring, &cqe) == 0) {
            return;
        }
        cpu_relax();
        if (++i % 64) {
            continue;
        }
        if (!idle_since) {
            idle_since = now_ns();
        } else if (budget_ns && now_ns() - idle_since >= budget_ns) {
            return;
        }
    }
}

/* Cancel the operations of dead connections, free those that are done. */
static void tidy(struct mcdshm_server *s)
{
    struct stub_conn *k;

    WRITE_ONCE(s->dropped, false);
    for (k = s->conns; k; k = k->next) {
        if (READ_ONCE(k->dead)) {
            cancel_conn(s, k);
        }
    }
    reap(s);
    reap_greeting(s, false);
}

/* Accept every client waiting on the listening socket; their handshakes
 * go on when their hellos arrive. */
static void accept_ready(struct mcdshm_server *s)
{
    struct pollfd p = { .fd = s->l.fd, .events = POLLIN };
    struct stub_conn *k;

    while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
        if (accept_one(s, &k) < 0) {
            break;
        }
        if (k && s->ring_ready && greet(s, k) == -EAGAIN) {
            arm_hello(s, k);
        }
    }
}

/* Embedded mode: go on with every greeting client, dropping those past
 * their deadline. */
static void greet_all(struct mcdshm_server *s)
{
    struct stub_conn *k;
    uint64_t now = now_ns();

    for (k = s->greeting; k; k = k->next) {
        if (!k->dead && greet(s, k) == -EAGAIN && now > k->hello_deadline) {
            shm_log("%s: pid %d sent no hello within %d ms; closing", s->l.name,
                    (int)k->c.peer_pid, SHM_HANDSHAKE_TIMEOUT_MS);
            k->dead = true;
        }
    }
    reap_greeting(s, false);
}

static void *io_thread(void *arg)
{
    struct mcdshm_server *s = arg;
    struct io_uring_cqe *cqe;
    bool running = true;

    while (running) {
        unsigned head, n = 0;

        if (s->policy != SHM_POLICY_SLEEP && s->exec_efd < 0) {
            spin_rings(s, s->policy == SHM_POLICY_BUSY ? 0 : s->spin_ns);
        }
        if (READ_ONCE(s->dropped)) {
            /* Cancel a dropped client's operations now; the wait below
             * submits them and their completions free it (its socket
             * closes: the client sees the hang-up at once). */
            tidy(s);
        }
        if (!prepare_sleep_all(s)) {
            serve_or_signal(s);
            if (s->exec_efd < 0) {
                /* Answered: look again before sleeping. */
                woken_all(s);
                continue;
            }
            /* Handed to the simulator: sleep; the next request rings. */
        }
        io_uring_submit_and_wait(&s->ring, 1);
        woken_all(s);
        io_uring_for_each_cqe(&s->ring, head, cqe)
        {
            n++;
            if (!on_cqe(s, cqe)) {
                running = false;
            }
        }
        io_uring_cq_advance(&s->ring, n);
        serve_or_signal(s);
        tidy(s);
    }
    return NULL;
}

/* ------------------------------------------------------------------------
 * Setup and teardown
 */

static int parse_opts(struct mcdshm_server *s,
                      const struct mcdshm_server_opts *o, char *err, size_t len)
{
    s->policy = SHM_POLICY_HYBRID;
    if (o->policy && shm_policy_parse(o->policy, &s->policy) < 0) {
        return errmsg(err, len, -EINVAL,
                      "policy '%s' is not busy, hybrid or sleep", o->policy);
    }
    s->spin_ns = o->spin_ns ? o->spin_ns : SHM_DEFAULT_SPIN_NS;
    s->max_clients = o->max_clients ? o->max_clients : DEFAULT_MAX_CLIENTS;
    return 0;
}

static int server_new(const struct mcdshm_target *t,
                      const struct mcdshm_server_opts *o,
                      struct mcdshm_server **out, char *err, size_t len)
{
    char why[SHM_ERRLEN];
    struct mcdshm_server *s;
    int r;

    if (!t || !o || !o->name) {
        return errmsg(err, len, -EINVAL, "no target or no server name");
    }
    s = calloc(1, sizeof(*s));
    if (!s) {
        return errmsg(err, len, -ENOMEM, "out of memory");
    }
    s->l.fd = s->stop_efd = s->exec_efd = -1;
    s->t = t;
    pthread_mutex_init(&s->lock, NULL);
    if ((r = parse_opts(s, o, err, len)) < 0) {
        goto err_free;
    }
    r = mcdcore_create(t, o->name, &s->core);
    if (r < 0) {
        errmsg(err, len, r, "target '%s' is incomplete or has no cores",
               t->system ? t->system : "(unnamed)");
        goto err_free;
    }
    r = stub_trace_create(t, s, &s->trace);
    if (r < 0) {
        errmsg(err, len, r, "out of memory");
        goto err_free;
    }
    s->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (t->exec == MCDSHM_EXEC_SIM_THREAD) {
        s->exec_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    }
    if (s->stop_efd < 0 ||
        (t->exec == MCDSHM_EXEC_SIM_THREAD && s->exec_efd < 0)) {
        r = errmsg(err, len, -errno, "eventfd: %s", strerror(errno));
        goto err_free;
    }
    r = shm_listen(o->name, o->path, &s->l, why);
    if (r < 0) {
        errmsg(err, len, r, "%s", why);
        goto err_free;
    }
    if (t->window && !o->no_window) {
        const struct mcdshm_window *w = t->window;

        r = shm_listener_offer_window(&s->l, w->fd, w->offset, w->base,
                                      w->size, w->mem_space_id);
        if (r < 0) {
            errmsg(err, len, r,
                   "memory window [0x%llx, +0x%llx) of fd %d: %s (see the "
                   "log)",
                   (unsigned long long)w->base, (unsigned long long)w->size,
                   w->fd, strerror(-r));
            goto err_free;
        }
    }
    *out = s;
    return 0;

err_free:
    mcdshm_server_stop(s);
    return r;
}

int mcdshm_server_open(const struct mcdshm_target *target,
                       const struct mcdshm_server_opts *opts,
                       struct mcdshm_server **out, char *err, size_t errlen)
{
    return server_new(target, opts, out, err, errlen);
}

int mcdshm_server_start(const struct mcdshm_target *target,
                        const struct mcdshm_server_opts *opts,
                        struct mcdshm_server **out, char *err, size_t errlen)
{
    struct mcdshm_server *s;
    struct io_uring_sqe *sqe;
    int r = server_new(target, opts, &s, err, errlen);

    if (r < 0) {
        return r;
    }
    r = io_uring_queue_init(URING_ENTRIES, &s->ring, 0);
    if (r < 0) {
        errmsg(err, errlen, r, "io_uring_queue_init: %s", strerror(-r));
        goto err_stop;
    }
    s->ring_ready = true;
    s->listen_ev = (struct stub_ev){ EV_LISTEN, NULL };
    s->stop_ev = (struct stub_ev){ EV_STOP, NULL };
    arm_listen(s);
    sqe = sqe_get(s);
    io_uring_prep_read(sqe, s->stop_efd, &s->stop_buf, sizeof(s->stop_buf), 0);
    io_uring_sqe_set_data(sqe, &s->stop_ev);
    io_uring_submit(&s->ring);
    r = -pthread_create(&s->thread, NULL, io_thread, s);
    if (r < 0) {
        errmsg(err, errlen, r, "pthread_create: %s", strerror(-r));
        goto err_stop;
    }
    pthread_setname_np(s->thread, "mcdshm-io");
    s->threaded = true;
    *out = s;
    return 0;

err_stop:
    mcdshm_server_stop(s);
    return r;
}

int mcdshm_server_fds(struct mcdshm_server *s, int *fds, int max)
{
    struct stub_conn *k;
    int n = 0;

#define PUT(fd)            \
    do {                   \
        if (n < max) {     \
            fds[n] = (fd); \
        }                  \
        n++;               \
    } while (0)
    PUT(s->l.fd);
    for (k = s->greeting; k; k = k->next) {
        if (!k->dead) {
            PUT(k->c.sock);
        }
    }
    pthread_mutex_lock(&s->lock);
    for (k = s->conns; k; k = k->next) {
        if (!READ_ONCE(k->dead)) {
            PUT(k->c.req_efd);
            PUT(k->c.sock);
        }
    }
    pthread_mutex_unlock(&s->lock);
#undef PUT
    return n;
}

/* Embedded mode: accept, drop hung-up clients, answer what is queued. */
int mcdshm_server_service(struct mcdshm_server *s)
{
    struct stub_conn *k;
    uint64_t v;

    accept_ready(s);
    greet_all(s);
    pthread_mutex_lock(&s->lock);
    for (k = s->conns; k; k = k->next) {
        if (!READ_ONCE(k->dead) && shm_conn_peer_gone(&k->c) != 0) {
            conn_drop(k, NULL);
        }
        if (!READ_ONCE(k->dead) && read(k->c.req_efd, &v, sizeof(v)) < 0) {
            (void)v; /* nothing rang: fine, the rings are checked anyway */
        }
    }
    pthread_mutex_unlock(&s->lock);
    reap(s);
    return serve_or_signal(s);
}

bool mcdshm_server_pending(struct mcdshm_server *s)
{
    return any_pending(s);
}

int mcdshm_server_exec_fd(struct mcdshm_server *s)
{
    return s->exec_efd;
}

int mcdshm_server_exec_pending(struct mcdshm_server *s)
{
    uint64_t v;
    int n, done = 0;

    if (s->exec_efd >= 0 && read(s->exec_efd, &v, sizeof(v)) < 0) {
        (void)v; /* not signalled: run whatever is there anyway */
    }
    /*
     * Until a pass finds nothing: a pass answers only what its cached
     * tail showed, and the doorbell of a request published meanwhile may
     * already have been consumed by the I/O thread's check that woke us.
     * The last, empty pass re-reads every tail (C1).
     */
    do {
        n = service_all(s);
        done += n;
    } while (n > 0);
    return done;
}

int mcdshm_server_clients(struct mcdshm_server *s)
{
    int n;

    pthread_mutex_lock(&s->lock);
    n = s->nconns;
    pthread_mutex_unlock(&s->lock);
    return n;
}

int mcdshm_server_trace_put(struct mcdshm_server *s, uint32_t core,
                            uint32_t trace_id, const void *frames, uint32_t n)
{
    return s ? stub_trace_put(s->trace, core, trace_id, frames, n) : 0;
}

uint32_t mcdshm_server_trace_room(struct mcdshm_server *s, uint32_t core,
                                  uint32_t trace_id)
{
    return s ? stub_trace_room(s->trace, core, trace_id) : UINT32_MAX;
}

void mcdshm_server_stop(struct mcdshm_server *s)
{
    static const uint64_t one = 1;
    struct stub_conn *k;

    if (!s) {
        return;
    }
    if (s->threaded && write(s->stop_efd, &one, sizeof(one)) == 8) {
        pthread_join(s->thread, NULL);
    }
    if (s->ring_ready) {
        io_uring_queue_exit(&s->ring);
    }
    while ((k = s->conns)) {
        s->conns = k->next;
        conn_free(k);
    }
    reap_greeting(s, true);
    shm_listener_close(&s->l);
    stub_trace_destroy(s->trace);
    mcdcore_destroy(s->core);
    if (s->stop_efd >= 0) {
        close(s->stop_efd);
    }
    if (s->exec_efd >= 0) {
        close(s->exec_efd);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}
