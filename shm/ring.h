/*
 * The single-producer single-consumer ring over shared memory, header-only
 * so the hot path inlines.
 *
 * A struct shm_ring is one process's private view of one ring: a pointer to
 * the shared control block (struct mcdshm_ring), the record array it indexes
 * and a private copy of the side's own index.  The ring holds no records of
 * its own; records live in an array of fixed stride that the ring only
 * indexes (ring/buffer decoupling), so the same code carries requests,
 * responses and test records.
 *
 * Indexes are free-running uint32_t, masked on access; the fill level is the
 * unsigned difference tail - head, valid across wrap-around.  Each side keeps
 * its own index privately and only ever stores it to shared memory, because
 * the peer could overwrite the shared copy.  What it reads of the peer's
 * index it checks: a fill level above nslots means the peer corrupted the
 * ring, and the caller must drop the connection.
 *
 * One producer thread and one consumer thread per ring; the producer and
 * the consumer are usually in different processes.
 */
#ifndef MCDSHM_SHM_RING_H
#define MCDSHM_SHM_RING_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mcdshm/wire.h"
#include "shm/barrier.h"

struct shm_ring {
    struct mcdshm_ring *ctl; /* shared control block */
    uint8_t *base;           /* first record */
    uint32_t mask;           /* nslots - 1 */
    uint32_t stride;         /* bytes per record */
    uint32_t own;            /* producer: tail; consumer: head (private) */
    uint32_t peer;           /* last value read of the peer's index */
};

/**
 * shm_ring_init() - set up a private view of a ring.
 * @r: the view to fill
 * @ctl: the shared control block
 * @base: the first record
 * @nslots: number of records, a power of two
 * @stride: bytes per record
 * @producer: true for the producing side
 *
 * Starts from the side's own shared index (a fresh ring has both zero).
 * The cached peer index starts out showing no records and no room, so the
 * first shm_ring_avail() or shm_ring_free() reads the peer's index with
 * acquire ordering: a relaxed read here would let the consumer read
 * records it never synchronized with.
 */
static inline void shm_ring_init(struct shm_ring *r, struct mcdshm_ring *ctl,
                                 void *base, uint32_t nslots, uint32_t stride,
                                 bool producer)
{
    r->ctl = ctl;
    r->base = base;
    r->mask = nslots - 1;
    r->stride = stride;
    /* Our own index: only we write it, no ordering needed. */
    r->own = producer ? READ_ONCE(ctl->tail) : READ_ONCE(ctl->head);
    r->peer = producer ? r->own - nslots : r->own;
}

/* Address of the record with index @idx. */
static inline void *shm_ring_rec(const struct shm_ring *r, uint32_t idx)
{
    return r->base + (size_t)(idx & r->mask) * r->stride;
}

/**
 * shm_ring_free() - producer: how many records may be written now.
 * @r: producer view
 * @want: how many the caller needs
 *
 * The consumer's head is re-read only when the last value read shows fewer
 * than @want free records, which keeps the consumer's cache line where it
 * is while there is room.
 *
 * Return: free records (fewer than @want only if no more are free), or
 * -EPROTO if the consumer's head is not within nslots behind our tail (a
 * corrupt or hostile peer).
 */
static inline int shm_ring_free(struct shm_ring *r, uint32_t want)
{
    uint32_t head, used = r->own - r->peer;

    if (used <= r->mask + 1 && r->mask + 1 - used >= want) {
        /* The cached head was read with P2 below and shows room. */
        return (int)(r->mask + 1 - used);
    }
    /* P2: pairs with C2 in shm_ring_release(); the consumer is done
     * reading every record below head. */
    head = load_acquire(&r->ctl->head);
    used = r->own - head;
    if (used > r->mask + 1) {
        return -EPROTO;
    }
    r->peer = head;
    return (int)(r->mask + 1 - used);
}

/* Producer: the record the next shm_ring_publish() makes visible. */
static inline void *shm_ring_next(const struct shm_ring *r)
{
    return shm_ring_rec(r, r->own);
}

/* Producer: index of the next record to publish. */
static inline uint32_t shm_ring_tail(const struct shm_ring *r)
{
    return r->own;
}

/**
 * shm_ring_publish() - producer: make the next @n written records visible.
 * @r: producer view
 * @n: records written since the last publish; at most shm_ring_free()
 */
static inline void shm_ring_publish(struct shm_ring *r, uint32_t n)
{
    r->own += n;
    /* P1: pairs with C1 in shm_ring_avail(); the records are written
     * before the consumer can see the new tail. */
    store_release(&r->ctl->tail, r->own);
}

/**
 * shm_ring_avail() - consumer: how many records are ready.
 * @r: consumer view
 *
 * Return: 0..nslots ready records, or -EPROTO if the producer's tail is
 * more than nslots ahead of our head (a corrupt or hostile peer).
 */
static inline int shm_ring_avail(struct shm_ring *r)
{
    uint32_t tail, ready = r->peer - r->own;

    if (ready != 0 && ready <= r->mask + 1) {
        /* The cached tail was read with C1 below and shows records. */
        return (int)ready;
    }
    /* C1: pairs with P1 in shm_ring_publish(); records below tail are
     * completely written. */
    tail = load_acquire(&r->ctl->tail);
    ready = tail - r->own;

    if (ready > r->mask + 1) {
        return -EPROTO;
    }
    r->peer = tail;
    return (int)ready;
}

/* Consumer: the oldest unconsumed record. */
static inline void *shm_ring_peek(const struct shm_ring *r)
{
    return shm_ring_rec(r, r->own);
}

/* Consumer: index of the oldest unconsumed record. */
static inline uint32_t shm_ring_head(const struct shm_ring *r)
{
    return r->own;
}

/**
 * shm_ring_release() - consumer: hand @n consumed records back.
 * @r: consumer view
 * @n: records read since the last release; at most shm_ring_avail()
 */
static inline void shm_ring_release(struct shm_ring *r, uint32_t n)
{
    r->own += n;
    /* C2: pairs with P2 in shm_ring_free(); our reads of the records are
     * done before the producer may overwrite them. */
    store_release(&r->ctl->head, r->own);
}

/**
 * shm_ring_valid() - check a ring's invariants, for attach and debugging.
 * @r: either side's view
 *
 * Return: true if the shared indexes are at most nslots apart and the view
 * is well formed (power-of-two slot count, non-zero stride).
 */
static inline bool shm_ring_valid(const struct shm_ring *r)
{
    uint32_t nslots = r->mask + 1;
    uint32_t tail = READ_ONCE(r->ctl->tail);
    uint32_t head = READ_ONCE(r->ctl->head);

    if (nslots == 0 || (nslots & r->mask) != 0 || r->stride == 0) {
        return false;
    }
    return tail - head <= nslots;
}

/* Print the ring's indexes and flags, for failing tests and debugging. */
static inline void shm_ring_dump(FILE *f, const char *what,
                                 const struct shm_ring *r)
{
    fprintf(f,
            "%s: nslots %u stride %u own %u peer %u | shared tail %u "
            "head %u need_wakeup %u\n",
            what, r->mask + 1, r->stride, r->own, r->peer,
            READ_ONCE(r->ctl->tail), READ_ONCE(r->ctl->head),
            READ_ONCE(r->ctl->need_wakeup));
}

#endif /* MCDSHM_SHM_RING_H */
