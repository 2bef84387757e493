/*
 * Tests of the doorbell rule (shm/doorbell.c): the producer rings only when
 * the consumer asked for it, the consumer's re-check catches a record that
 * arrived while it was going to sleep, and every policy's wait ends on
 * records, on time-out and on the peer's hang-up.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "shm/doorbell.h"

#define NSLOTS 8
#define STRIDE 64

struct rig {
    struct mcdshm_ring ctl;
    uint8_t recs[NSLOTS * STRIDE];
    struct shm_ring prod, cons;
    int efd;
};

static struct rig *rig_new(void)
{
    struct rig *r = aligned_alloc(64, (sizeof(*r) + 63) & ~(size_t)63);

    cr_assert_not_null(r);
    memset(r, 0, sizeof(*r));
    shm_ring_init(&r->prod, &r->ctl, r->recs, NSLOTS, STRIDE, true);
    shm_ring_init(&r->cons, &r->ctl, r->recs, NSLOTS, STRIDE, false);
    r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    cr_assert_geq(r->efd, 0);
    return r;
}

static bool efd_signalled(int efd)
{
    uint64_t v;

    return read(efd, &v, sizeof(v)) == sizeof(v) && v > 0;
}

static const enum shm_policy policies[] = { SHM_POLICY_BUSY, SHM_POLICY_HYBRID,
                                            SHM_POLICY_SLEEP };

Test(doorbell, no_ring_while_consumer_awake, .timeout = 10)
{
    struct rig *r = rig_new();

    shm_ring_publish(&r->prod, 1);
    cr_assert_eq(shm_doorbell_ring(&r->ctl, r->efd), 0);
    cr_assert_not(efd_signalled(r->efd), "no eventfd write without flag");
}

Test(doorbell, rings_when_consumer_sleeps, .timeout = 10)
{
    struct rig *r = rig_new();

    cr_assert_eq(shm_doorbell_prepare_sleep(&r->cons), 0);
    cr_assert_eq(r->ctl.need_wakeup, 1);
    shm_ring_publish(&r->prod, 1);
    cr_assert_eq(shm_doorbell_ring(&r->ctl, r->efd), 1);
    cr_assert(efd_signalled(r->efd));
    shm_doorbell_woken(&r->cons);
    cr_assert_eq(r->ctl.need_wakeup, 0);
    cr_assert_eq(shm_ring_avail(&r->cons), 1);
}

Test(doorbell, recheck_sees_record_published_before_sleep, .timeout = 10)
{
    struct rig *r = rig_new();

    /* The record lands between the consumer's last look and its flag. */
    shm_ring_publish(&r->prod, 1);
    cr_assert_eq(shm_doorbell_prepare_sleep(&r->cons), 1);
    cr_assert_eq(r->ctl.need_wakeup, 0, "flag withdrawn, no sleep");
}

Test(doorbell, wait_times_out, .timeout = 10)
{
    size_t i;

    for (i = 0; i < 3; i++) {
        struct rig *r = rig_new();
        struct shm_waiter w;
        struct timespec a, b;
        long ms;

        cr_assert_eq(shm_waiter_init(&w, policies[i], 1000, r->efd, -1), 0);
        clock_gettime(CLOCK_MONOTONIC, &a);
        cr_assert_eq(shm_doorbell_wait(&r->cons, &w, 30), -ETIMEDOUT, "%s",
                     shm_policy_name(policies[i]));
        clock_gettime(CLOCK_MONOTONIC, &b);
        ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        cr_assert(ms >= 29 && ms < 2000, "%s waited %ld ms",
                  shm_policy_name(policies[i]), ms);
    }
}

Test(doorbell, wait_ends_on_hangup, .timeout = 10)
{
    size_t i;

    for (i = 0; i < 3; i++) {
        struct rig *r = rig_new();
        int sv[2];
        struct shm_waiter w;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        cr_assert_eq(shm_waiter_init(&w, policies[i], 1000, r->efd, sv[0]), 0);
        close(sv[1]);
        cr_assert_eq(shm_doorbell_wait(&r->cons, &w, 5000), -EPIPE, "%s",
                     shm_policy_name(policies[i]));
        close(sv[0]);
    }
}

Test(doorbell, wait_reports_corrupt_ring, .timeout = 10)
{
    struct rig *r = rig_new();
    struct shm_waiter w;

    cr_assert_eq(shm_waiter_init(&w, SHM_POLICY_HYBRID, 1000, r->efd, -1), 0);
    WRITE_ONCE(r->ctl.tail, NSLOTS * 3);
    cr_assert_eq(shm_doorbell_wait(&r->cons, &w, 100), -EPROTO);
}

struct late {
    struct rig *r;
    int delay_us;
};

static void *publish_late(void *arg)
{
    struct late *l = arg;

    usleep(l->delay_us);
    shm_ring_publish(&l->r->prod, 1);
    shm_doorbell_ring(&l->r->ctl, l->r->efd);
    return NULL;
}

Test(doorbell, wait_wakes_for_late_record, .timeout = 20)
{
    size_t i;

    for (i = 0; i < 3; i++) {
        struct rig *r = rig_new();
        struct shm_waiter w;
        struct late l = { r, 20000 };
        pthread_t t;

        cr_assert_eq(shm_waiter_init(&w, policies[i], 1000, r->efd, -1), 0);
        cr_assert_eq(pthread_create(&t, NULL, publish_late, &l), 0);
        cr_assert_eq(shm_doorbell_wait(&r->cons, &w, 5000), 1, "%s",
                     shm_policy_name(policies[i]));
        pthread_join(t, NULL);
    }
}

Test(doorbell, policy_names_round_trip, .timeout = 10)
{
    enum shm_policy p;
    size_t i;

    for (i = 0; i < 3; i++) {
        cr_assert_eq(shm_policy_parse(shm_policy_name(policies[i]), &p), 0);
        cr_assert_eq(p, policies[i]);
    }
    cr_assert_eq(shm_policy_parse("fast", &p), -EINVAL);
    cr_assert_eq(shm_policy_parse(NULL, &p), -EINVAL);
}
