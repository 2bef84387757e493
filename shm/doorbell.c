/*
 * The consumer's half of the doorbell rule (see shm/doorbell.h): spin,
 * announce sleep, fence, re-check, sleep, drain.  Runs on the thread that
 * consumes the ring.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "shm/doorbell.h"

/* Busy waits look at the hang-up descriptor this often. */
#define HUP_CHECK_NS 1000000ull

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int shm_doorbell_prepare_sleep(struct shm_ring *r)
{
    int n;

    WRITE_ONCE(r->ctl->need_wakeup, 1);
    /* D1: pairs with D2 in shm_doorbell_ring(); orders the flag store
     * before the re-check's load of tail. */
    smp_mb();
    n = shm_ring_avail(r);
    if (n != 0) {
        WRITE_ONCE(r->ctl->need_wakeup, 0);
    }
    return n;
}

void shm_doorbell_woken(struct shm_ring *r)
{
    WRITE_ONCE(r->ctl->need_wakeup, 0);
}

int shm_waiter_init(struct shm_waiter *w, enum shm_policy policy,
                    uint32_t spin_ns, int efd, int hup_fd)
{
    struct epoll_event bell = { .events = EPOLLIN | EPOLLET, .data.fd = efd };
    struct epoll_event hup = { .events = EPOLLRDHUP, .data.fd = hup_fd };
    int err;

    w->policy = policy;
    w->spin_ns = spin_ns ? spin_ns : SHM_DEFAULT_SPIN_NS;
    w->efd = efd;
    w->hup_fd = hup_fd;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->epfd < 0) {
        return -errno;
    }
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, efd, &bell) < 0 ||
        (hup_fd >= 0 && epoll_ctl(w->epfd, EPOLL_CTL_ADD, hup_fd, &hup) < 0)) {
        err = -errno;
        shm_waiter_destroy(w);
        return err;
    }
    return 0;
}

void shm_waiter_destroy(struct shm_waiter *w)
{
    if (w && w->epfd > 0) {
        close(w->epfd);
        w->epfd = -1;
    }
}

/* 1 if @fd hung up, 0 if not, -errno on failure. */
static int hup_now(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLRDHUP };

    if (fd < 0) {
        return 0;
    }
    if (poll(&p, 1, 0) < 0) {
        return errno == EINTR ? 0 : -errno;
    }
    return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/*
 * Spin until records arrive (> 0), hang-up (-EPIPE), @timeout_ms passes
 * (-ETIMEDOUT; -1 = never) or @budget_ns passes (0; 0 = no budget).  The
 * clock is first read after 64 polls, so a record that arrives within a
 * few microseconds costs no clock read at all; *spent_ns says how long it
 * spun.
 */
static int spin(struct shm_ring *r, const struct shm_waiter *w,
                uint64_t budget_ns, int timeout_ms, uint64_t *spent_ns)
{
    uint64_t t, start = 0, next_hup = 0;
    unsigned i = 0;
    int n;

    for (;;) {
        n = shm_ring_avail(r);
        if (n != 0) {
            return n;
        }
        cpu_relax();
        if (++i % 64) {
            continue;
        }
        t = now_ns();
        start = start ? start : t;
        *spent_ns = t - start;
        if (timeout_ms >= 0 && *spent_ns >= (uint64_t)timeout_ms * 1000000) {
            return -ETIMEDOUT;
        }
        if (budget_ns && *spent_ns >= budget_ns) {
            return 0;
        }
        if (t >= next_hup) {
            n = hup_now(w->hup_fd);
            if (n != 0) {
                return n > 0 ? -EPIPE : n;
            }
            next_hup = t + HUP_CHECK_NS;
        }
    }
}

/* Sleep on the doorbell and the hang-up descriptor. */
static int sleep_once(struct shm_ring *r, const struct shm_waiter *w,
                      int timeout_ms)
{
    struct epoll_event ev[2];
    int i, hup = 0, n = shm_doorbell_prepare_sleep(r);

    if (n != 0) {
        return n;
    }
    n = epoll_wait(w->epfd, ev, 2, timeout_ms);
    shm_doorbell_woken(r);
    if (n < 0) {
        return errno == EINTR ? 0 : -errno;
    }
    for (i = 0; i < n; i++) {
        if (ev[i].data.fd == w->hup_fd &&
            (ev[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
            hup = 1;
        }
    }
    n = shm_ring_avail(r);
    /* Records published just before a hang-up still count. */
    return n == 0 && hup ? -EPIPE : n;
}

/* Remaining milliseconds until @deadline_ns, or -1 for none. */
static int remaining_ms(uint64_t deadline_ns)
{
    uint64_t t;

    if (!deadline_ns) {
        return -1;
    }
    t = now_ns();
    if (t >= deadline_ns) {
        return 0;
    }
    return (int)((deadline_ns - t + 999999) / 1000000);
}

int shm_doorbell_wait(struct shm_ring *r, const struct shm_waiter *w,
                      int timeout_ms)
{
    uint64_t deadline = 0, spent = 0;
    int n = shm_ring_avail(r);

    if (n != 0) {
        return n;
    }
    if (w->policy != SHM_POLICY_SLEEP) {
        n = spin(r, w, w->policy == SHM_POLICY_BUSY ? 0 : w->spin_ns,
                 timeout_ms, &spent);
        if (n != 0) {
            return n;
        }
    }
    if (timeout_ms >= 0) {
        uint64_t total = (uint64_t)timeout_ms * 1000000ull;

        deadline = now_ns() + (total > spent ? total - spent : 0);
    }
    for (;;) {
        int ms = remaining_ms(deadline);

        if (ms == 0) {
            n = shm_ring_avail(r);
            return n != 0 ? n : -ETIMEDOUT;
        }
        n = sleep_once(r, w, ms);
        if (n != 0) {
            return n;
        }
    }
}

int shm_policy_parse(const char *s, enum shm_policy *out)
{
    static const enum shm_policy all[] = { SHM_POLICY_BUSY, SHM_POLICY_HYBRID,
                                           SHM_POLICY_SLEEP };
    size_t i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (s && strcmp(s, shm_policy_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -EINVAL;
}

const char *shm_policy_name(enum shm_policy p)
{
    switch (p) {
    case SHM_POLICY_BUSY:
        return "busy";
    case SHM_POLICY_HYBRID:
        return "hybrid";
    case SHM_POLICY_SLEEP:
        return "sleep";
    }
    return "unknown";
}
