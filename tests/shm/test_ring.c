/*
 * Tests of the SPSC ring (shm/ring.h): fill levels, wrap-around of the
 * free-running indexes, detection of a corrupt peer index, and the stress
 * test that carries {seq, writer} records through a request ring and a
 * response ring between two processes (and two threads, for TSan) under each
 * doorbell policy, with random pauses so that the sleep path runs.
 *
 * MCDSHM_STRESS_RECORDS overrides the stress record count (default 10
 * million per policy).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm/doorbell.h"
#include "shm/ring.h"

#define NSLOTS 64
#define STRESS_DEFAULT 10000000ull

struct rec {
    uint64_t seq;
    uint32_t writer;
    uint32_t check;
    uint8_t pad[48];
};
_Static_assert(sizeof(struct rec) == 64, "one record per cache line");

/* Both rings and their records, in memory both sides map. */
struct pair {
    struct mcdshm_ring req_ctl;
    struct mcdshm_ring resp_ctl;
    struct rec req[NSLOTS];
    struct rec resp[NSLOTS];
    char err[256];    /* the server side's failure, if any */
    uint64_t rang[2]; /* doorbells rung: [0] by client, [1] by server */
};

enum { CLIENT = 0xC11E, SERVER = 0x5E7E };

static struct pair *pair_map(void)
{
    void *p = mmap(NULL, sizeof(struct pair), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    cr_assert_neq(p, MAP_FAILED);
    return p;
}

/* Assert with a dump of both rings' state at the failure point. */
#define RING_VERIFY(cond, r, ...)               \
    do {                                        \
        if (!(cond)) {                          \
            shm_ring_dump(stderr, "ring", (r)); \
            cr_assert(cond, __VA_ARGS__);       \
        }                                       \
    } while (0)

Test(ring, fill_levels, .timeout = 10)
{
    struct pair *p = pair_map();
    struct shm_ring prod, cons;
    int i;

    shm_ring_init(&prod, &p->req_ctl, p->req, NSLOTS, sizeof(struct rec), true);
    shm_ring_init(&cons, &p->req_ctl, p->req, NSLOTS, sizeof(struct rec),
                  false);
    RING_VERIFY(shm_ring_free(&prod, NSLOTS) == NSLOTS, &prod, "empty ring");
    RING_VERIFY(shm_ring_avail(&cons) == 0, &cons, "nothing ready");
    for (i = 0; i < NSLOTS; i++) {
        ((struct rec *)shm_ring_next(&prod))->seq = (uint64_t)i;
        shm_ring_publish(&prod, 1);
    }
    RING_VERIFY(shm_ring_free(&prod, 1) == 0, &prod, "full ring");
    RING_VERIFY(shm_ring_avail(&cons) == NSLOTS, &cons, "all ready");
    RING_VERIFY(((struct rec *)shm_ring_peek(&cons))->seq == 0, &cons,
                "oldest first");
    shm_ring_release(&cons, 3);
    RING_VERIFY(shm_ring_free(&prod, 3) == 3, &prod, "three freed");
    RING_VERIFY(shm_ring_avail(&cons) == NSLOTS - 3, &cons, "rest ready");
    cr_assert(shm_ring_valid(&prod) && shm_ring_valid(&cons));
}

Test(ring, wraps_past_uint32_max, .timeout = 10)
{
    struct pair *p = pair_map();
    struct shm_ring prod, cons;
    uint32_t start = UINT32_MAX - 5;
    uint64_t i;

    p->req_ctl.tail = p->req_ctl.head = start;
    shm_ring_init(&prod, &p->req_ctl, p->req, NSLOTS, sizeof(struct rec), true);
    shm_ring_init(&cons, &p->req_ctl, p->req, NSLOTS, sizeof(struct rec),
                  false);
    for (i = 0; i < 3 * NSLOTS; i++) {
        int n;

        /* Keep the ring partly filled while the indexes cross zero. */
        ((struct rec *)shm_ring_next(&prod))->seq = i;
        shm_ring_publish(&prod, 1);
        ((struct rec *)shm_ring_next(&prod))->seq = i + 1000000;
        shm_ring_publish(&prod, 1);
        n = shm_ring_avail(&cons);
        RING_VERIFY(n == 2, &cons, "two ready at step %llu, got %d",
                    (unsigned long long)i, n);
        RING_VERIFY(((struct rec *)shm_ring_peek(&cons))->seq == i, &cons,
                    "record order at step %llu", (unsigned long long)i);
        shm_ring_release(&cons, 2);
        RING_VERIFY(shm_ring_free(&prod, NSLOTS) == NSLOTS, &prod,
                    "empty again");
        RING_VERIFY(shm_ring_valid(&prod), &prod, "valid at %llu",
                    (unsigned long long)i);
    }
    cr_assert(shm_ring_tail(&prod) < start, "the tail wrapped past zero");
    cr_assert_eq(shm_ring_tail(&prod) - start, 6 * NSLOTS);
}

Test(ring, corrupt_tail_is_detected, .timeout = 10)
{
    struct pair *p = pair_map();
    struct shm_ring cons;

    shm_ring_init(&cons, &p->req_ctl, p->req, NSLOTS, sizeof(struct rec),
                  false);
    /* A producer claiming more records than the ring can hold. */
    WRITE_ONCE(p->req_ctl.tail, NSLOTS + 1);
    cr_assert_eq(shm_ring_avail(&cons), -EPROTO);
    cr_assert_not(shm_ring_valid(&cons));
    /* A tail that moved backwards is just as corrupt. */
    WRITE_ONCE(p->req_ctl.tail, UINT32_MAX);
    cr_assert_eq(shm_ring_avail(&cons), -EPROTO);
}

Test(ring, corrupt_head_is_detected, .timeout = 10)
{
    struct pair *p = pair_map();
    struct shm_ring prod;

    shm_ring_init(&prod, &p->req_ctl, p->req, NSLOTS, sizeof(struct rec), true);
    shm_ring_publish(&prod, NSLOTS);
    /* A consumer claiming to have consumed records never published. */
    WRITE_ONCE(p->req_ctl.head, NSLOTS + 5);
    cr_assert_eq(shm_ring_free(&prod, 1), -EPROTO);
}

Test(ring, own_index_stays_private, .timeout = 10)
{
    struct pair *p = pair_map();
    struct shm_ring prod, cons;

    shm_ring_init(&prod, &p->req_ctl, p->req, NSLOTS, sizeof(struct rec), true);
    shm_ring_init(&cons, &p->req_ctl, p->req, NSLOTS, sizeof(struct rec),
                  false);
    shm_ring_publish(&prod, 2);
    /* The peer scribbles over the consumer's shared head: the consumer
     * still counts from its private index. */
    WRITE_ONCE(p->req_ctl.head, 12345);
    cr_assert_eq(shm_ring_avail(&cons), 2);
    cr_assert_eq(shm_ring_head(&cons), 0);
}

/* ------------------------------------------------------------------------
 * Stress: client and server over both rings
 */

struct side {
    struct pair *p;
    enum shm_policy policy;
    uint64_t n;
    int req_efd, resp_efd, hup_fd;
    uint64_t rng;
};

static uint32_t check_of(uint64_t seq, uint32_t writer)
{
    return (uint32_t)(seq * 0x9E3779B97F4A7C15ull >> 32) ^ writer;
}

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Now and then, stall for up to 300 us so the peer's wait must sleep. */
static void maybe_pause(struct side *s)
{
    uint64_t r = next_rand(&s->rng);

    if (r % 20000 == 0) {
        struct timespec ts = { 0, (long)(r >> 32) % 300000 };

        nanosleep(&ts, NULL);
    }
}

static void ring_bell(struct mcdshm_ring *ctl, int efd, uint64_t *count)
{
    if (shm_doorbell_ring(ctl, efd) > 0) {
        (*count)++;
    }
}

/* Server: check every request, answer it; returns NULL or an error. */
static const char *serve(struct side *s)
{
    struct shm_ring req, resp;
    struct shm_waiter w;
    uint64_t got = 0;

    if (shm_waiter_init(&w, s->policy, 0, s->req_efd, s->hup_fd) < 0) {
        return "server: epoll";
    }
    shm_ring_init(&req, &s->p->req_ctl, s->p->req, NSLOTS, sizeof(struct rec),
                  false);
    shm_ring_init(&resp, &s->p->resp_ctl, s->p->resp, NSLOTS,
                  sizeof(struct rec), true);
    while (got < s->n) {
        int i, n = shm_doorbell_wait(&req, &w, 10000);

        if (n < 0) {
            return "server: wait failed";
        }
        if (shm_ring_free(&resp, (uint32_t)n) < n) {
            return "server: no room for the responses";
        }
        for (i = 0; i < n; i++, got++) {
            struct rec *q = shm_ring_peek(&req);
            struct rec *a = shm_ring_next(&resp);

            if (q->seq != got || q->writer != CLIENT ||
                q->check != check_of(got, CLIENT)) {
                snprintf(s->p->err, sizeof(s->p->err),
                         "server: request %llu arrived as seq %llu writer "
                         "%x",
                         (unsigned long long)got, (unsigned long long)q->seq,
                         q->writer);
                return s->p->err;
            }
            a->seq = got;
            a->writer = SERVER;
            a->check = check_of(got, SERVER);
            shm_ring_release(&req, 1);
            shm_ring_publish(&resp, 1);
        }
        ring_bell(&s->p->resp_ctl, s->resp_efd, &s->p->rang[1]);
        maybe_pause(s);
    }
    shm_waiter_destroy(&w);
    return NULL;
}

/* Client: keep the ring full, check every response in order. */
static void client(struct side *s)
{
    struct shm_ring req, resp;
    struct shm_waiter w;
    uint64_t sent = 0, recvd = 0;

    cr_assert_eq(shm_waiter_init(&w, s->policy, 0, s->resp_efd, s->hup_fd), 0);
    shm_ring_init(&req, &s->p->req_ctl, s->p->req, NSLOTS, sizeof(struct rec),
                  true);
    shm_ring_init(&resp, &s->p->resp_ctl, s->p->resp, NSLOTS,
                  sizeof(struct rec), false);
    while (recvd < s->n) {
        uint64_t room = NSLOTS - (sent - recvd);
        int i, n = shm_ring_free(&req, (uint32_t)room);

        cr_assert_geq(n, 0, "request ring corrupt");
        for (i = 0; i < n && i < (int)room && sent < s->n; i++, sent++) {
            struct rec *q = shm_ring_next(&req);

            q->seq = sent;
            q->writer = CLIENT;
            q->check = check_of(sent, CLIENT);
            shm_ring_publish(&req, 1);
        }
        if (i) {
            ring_bell(&s->p->req_ctl, s->req_efd, &s->p->rang[0]);
        }
        n = shm_ring_avail(&resp);
        if (n == 0 && (sent - recvd == NSLOTS || sent == s->n)) {
            n = shm_doorbell_wait(&resp, &w, 10000);
            if (n < 0) {
                shm_ring_dump(stderr, "resp", &resp);
            }
            cr_assert_gt(n, 0, "client wait: %d; server said: %s", n,
                         s->p->err[0] ? s->p->err : "nothing");
        }
        cr_assert_geq(n, 0, "response ring corrupt");
        for (i = 0; i < n; i++, recvd++) {
            struct rec *a = shm_ring_peek(&resp);

            RING_VERIFY(a->seq == recvd && a->writer == SERVER &&
                            a->check == check_of(recvd, SERVER),
                        &resp, "response %llu arrived as seq %llu",
                        (unsigned long long)recvd, (unsigned long long)a->seq);
            shm_ring_release(&resp, 1);
        }
        maybe_pause(s);
    }
    shm_waiter_destroy(&w);
}

static uint64_t stress_records(void)
{
    const char *e = getenv("MCDSHM_STRESS_RECORDS");

    return e && *e ? strtoull(e, NULL, 0) : STRESS_DEFAULT;
}

static void setup_side(struct side *s, enum shm_policy policy, int hup_fd)
{
    s->p = pair_map();
    s->policy = policy;
    s->n = stress_records();
    s->req_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    s->resp_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    s->hup_fd = hup_fd;
    s->rng = 0x243F6A8885A308D3ull;
    cr_assert(s->req_efd >= 0 && s->resp_efd >= 0);
}

static void report(const struct side *s, const char *how)
{
    cr_log_info("%s %s: %llu records each way; doorbells rung: client %llu,"
                " server %llu",
                how, shm_policy_name(s->policy), (unsigned long long)s->n,
                (unsigned long long)s->p->rang[0],
                (unsigned long long)s->p->rang[1]);
}

static void stress_processes(enum shm_policy policy)
{
    struct side s;
    int sv[2], status;
    pid_t pid;

    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    setup_side(&s, policy, sv[0]);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        const char *e;

        close(sv[0]);
        s.hup_fd = sv[1];
        s.rng = 0x13198A2E03707344ull;
        e = serve(&s);
        if (e) {
            fprintf(stderr, "%s\n", e);
        }
        _exit(e ? 1 : 0);
    }
    close(sv[1]);
    client(&s);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "server process failed: %s", s.p->err);
    report(&s, "processes");
    if (policy == SHM_POLICY_BUSY) {
        cr_assert_eq(s.p->rang[0] + s.p->rang[1], 0, "busy never sleeps");
    } else {
        cr_assert_gt(s.p->rang[0] + s.p->rang[1], 0, "the sleep path ran");
    }
}

Test(stress, processes_busy, .timeout = 300)
{
    stress_processes(SHM_POLICY_BUSY);
}

Test(stress, processes_hybrid, .timeout = 300)
{
    stress_processes(SHM_POLICY_HYBRID);
}

Test(stress, processes_sleep, .timeout = 300)
{
    stress_processes(SHM_POLICY_SLEEP);
}

static void *server_thread(void *arg)
{
    return (void *)serve(arg);
}

/* The same traffic between two threads, so ThreadSanitizer can see it. */
static void stress_threads(enum shm_policy policy)
{
    struct side s, srv;
    pthread_t t;
    void *ret;

    setup_side(&s, policy, -1);
    if (s.n > 1000000) {
        s.n = 1000000;
    }
    srv = s;
    srv.rng = 0x13198A2E03707344ull;
    cr_assert_eq(pthread_create(&t, NULL, server_thread, &srv), 0);
    client(&s);
    cr_assert_eq(pthread_join(t, &ret), 0);
    cr_assert_null(ret, "server thread: %s", (const char *)ret);
    report(&s, "threads");
}

Test(stress, threads_busy, .timeout = 300)
{
    stress_threads(SHM_POLICY_BUSY);
}

Test(stress, threads_hybrid, .timeout = 300)
{
    stress_threads(SHM_POLICY_HYBRID);
}

Test(stress, threads_sleep, .timeout = 300)
{
    stress_threads(SHM_POLICY_SLEEP);
}
