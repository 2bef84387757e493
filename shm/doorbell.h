/*
 * Doorbells: how a ring's consumer waits for records and how its producer
 * wakes it.  The rule (D1/D2 in include/mcdshm/wire.h) is written here once.
 *
 * Each ring has one eventfd, written by its producer only when the consumer
 * has said "ring me" through the ring's need_wakeup word.  Three wait
 * policies:
 *   busy    never sleep: lowest latency, one core spinning;
 *   hybrid  spin for spin_ns (default 50 us), then sleep (the default);
 *   sleep   never spin.
 * Sleeping waits also watch a hang-up descriptor (the connection socket),
 * so a dead peer wakes the waiter at once; a busy wait looks at it every
 * millisecond.  A waiter sleeps in epoll_wait() on a set made once, with
 * the doorbell edge-triggered: every write to the eventfd is one wake-up,
 * so the counter never needs draining and waking costs one system call,
 * like a bare eventfd read.
 *
 * The producer's half runs on the producing thread, the waiting half on the
 * consuming thread; a ring has one of each.
 */
#ifndef MCDSHM_SHM_DOORBELL_H
#define MCDSHM_SHM_DOORBELL_H

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "shm/ring.h"

enum shm_policy {
    SHM_POLICY_BUSY,
    SHM_POLICY_HYBRID,
    SHM_POLICY_SLEEP,
};

#define SHM_DEFAULT_SPIN_NS 50000u

/* How a consumer waits. */
struct shm_waiter {
    enum shm_policy policy;
    uint32_t spin_ns; /* hybrid: spin this long before sleeping */
    int efd;          /* the ring's doorbell eventfd */
    int hup_fd;       /* descriptor whose hang-up ends the wait, or -1 */
    int epfd;         /* epoll set of efd (edge) and hup_fd */
};

/**
 * shm_waiter_init() - set up a consumer's wait.
 * @w: the waiter
 * @policy: busy, hybrid or sleep
 * @spin_ns: hybrid spin time; 0 = SHM_DEFAULT_SPIN_NS
 * @efd: the ring's doorbell eventfd
 * @hup_fd: descriptor whose hang-up ends a wait (the socket), or -1
 *
 * Return: 0, or -errno from epoll_create1() or epoll_ctl().
 */
int shm_waiter_init(struct shm_waiter *w, enum shm_policy policy,
                    uint32_t spin_ns, int efd, int hup_fd);

/* Release the waiter's epoll set; accepts a zeroed or destroyed waiter. */
void shm_waiter_destroy(struct shm_waiter *w);

/**
 * shm_doorbell_ring() - producer: wake the consumer if it asked for it.
 * @ctl: the ring, after shm_ring_publish()
 * @efd: the ring's doorbell eventfd
 *
 * Return: 1 if it rang, 0 if the consumer was awake, -errno from write().
 */
static inline int shm_doorbell_ring(struct mcdshm_ring *ctl, int efd)
{
    static const uint64_t one = 1;

    /* D2: pairs with D1 in shm_doorbell_prepare_sleep(); orders our tail
     * store (P1) before the load of need_wakeup. */
    smp_mb();
    if (!READ_ONCE(ctl->need_wakeup)) {
        return 0;
    }
    if (write(efd, &one, sizeof(one)) < 0) {
        return -errno;
    }
    return 1;
}

/**
 * shm_doorbell_prepare_sleep() - consumer: announce sleep, check once more.
 * @r: consumer view of the ring
 *
 * Sets need_wakeup and re-checks the ring.  If it returns 0 the caller may
 * sleep on the eventfd (and must call shm_doorbell_woken() afterwards);
 * otherwise records arrived meanwhile and need_wakeup is cleared again.
 *
 * Return: records ready (0 = safe to sleep), or -EPROTO (corrupt ring).
 */
int shm_doorbell_prepare_sleep(struct shm_ring *r);

/**
 * shm_doorbell_woken() - consumer: back from sleep, awake again.
 * @r: consumer view of the ring
 *
 * An event loop that waits on the eventfd itself drains it as it likes.
 */
void shm_doorbell_woken(struct shm_ring *r);

/**
 * shm_doorbell_wait() - consumer: wait until the ring has records.
 * @r: consumer view of the ring
 * @w: policy and descriptors
 * @timeout_ms: give up after this long; -1 = never
 *
 * Return: records ready (> 0); -EPIPE if @w->hup_fd hung up; -ETIMEDOUT;
 * -EPROTO if the producer corrupted the ring; -errno from poll() or read().
 */
int shm_doorbell_wait(struct shm_ring *r, const struct shm_waiter *w,
                      int timeout_ms);

/* Parse "busy", "hybrid" or "sleep"; -EINVAL for anything else. */
int shm_policy_parse(const char *s, enum shm_policy *out);

/* Name of a policy. */
const char *shm_policy_name(enum shm_policy p);

#endif /* MCDSHM_SHM_DOORBELL_H */
