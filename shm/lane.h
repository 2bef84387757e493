/*
 * Trace lanes: one trace of one core streamed from the simulator to the
 * debugger through shared memory (struct mcdshm_trace_lane in
 * include/mcdshm/wire.h has the protocol).  Header-only, like shm/ring.h,
 * so that the producer's and the consumer's loops inline.
 *
 * A struct shm_lane is one side's private view of one lane.  The producer
 * (the simulator's thread, through mcdshm_server_trace_put()) keeps its
 * tail and counters privately and only stores them; the consumer
 * (libmcdshm's mcd_read_trace_f) keeps nothing between calls but checks
 * everything it reads: an index the peer moved out of range is -EPROTO.
 *
 * One producer and one consumer per lane at a time; the server resets a
 * lane (shm_lane_reset) only with its producer excluded and its consumer
 * waiting for the answer to the request that asked for it.
 */
#ifndef MCDSHM_SHM_LANE_H
#define MCDSHM_SHM_LANE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mcd/mcd_api.h"
#include "mcdshm/wire.h"
#include "shm/barrier.h"

/* Every fixed-size MCD frame has its marker word here. */
#define SHM_LANE_MARKER_OFF 8

struct shm_lane {
    struct mcdshm_trace_lane *ctl;
    uint8_t *frames;     /* nframes records of frame_size bytes */
    uint32_t nframes;    /* power of two */
    uint32_t frame_size;
    uint32_t mode;       /* MCD_TRACE_MODE_PIPE or _FIFO (producer) */
    /* Producer's private state. */
    uint64_t tail;
    uint64_t head;       /* last value read of the consumer's head */
    uint64_t lost;
    uint64_t count;
    bool gap;            /* the next frame stored carries GAP */
};

/* Set up a view; the producer starts from the lane's current indexes. */
static inline void shm_lane_init(struct shm_lane *l,
                                 struct mcdshm_trace_lane *ctl,
                                 uint8_t *frames, uint32_t nframes,
                                 uint32_t frame_size, uint32_t mode)
{
    memset(l, 0, sizeof(*l));
    l->ctl = ctl;
    l->frames = frames;
    l->nframes = nframes;
    l->frame_size = frame_size;
    l->mode = mode;
    l->tail = READ_ONCE(ctl->tail);
    l->head = load_acquire(&ctl->head);
    l->lost = READ_ONCE(ctl->lost);
    l->count = READ_ONCE(ctl->count);
}

/* Copy @n frames starting at lane index @idx out of or into the records,
 * in at most two pieces (the records wrap). */
static inline void shm_lane_copy_out(const struct shm_lane *l, uint64_t idx,
                                     void *dst, uint64_t n)
{
    uint64_t at = idx & (l->nframes - 1);
    uint64_t first = n < l->nframes - at ? n : l->nframes - at;

    memcpy(dst, l->frames + at * l->frame_size, first * l->frame_size);
    if (n > first) {
        memcpy((uint8_t *)dst + first * l->frame_size, l->frames,
               (n - first) * l->frame_size);
    }
}

static inline void shm_lane_copy_in(struct shm_lane *l, uint64_t idx,
                                    const void *src, uint64_t n)
{
    uint64_t at = idx & (l->nframes - 1);
    uint64_t first = n < l->nframes - at ? n : l->nframes - at;

    memcpy(l->frames + at * l->frame_size, src, first * l->frame_size);
    if (n > first) {
        memcpy(l->frames, (const uint8_t *)src + first * l->frame_size,
               (n - first) * l->frame_size);
    }
}

/* OR @marker into the frame at lane index @idx (producer, before P1). */
static inline void shm_lane_mark(struct shm_lane *l, uint64_t idx,
                                 uint32_t marker)
{
    uint8_t *f = l->frames + (idx & (l->nframes - 1)) * l->frame_size;
    uint32_t m;

    memcpy(&m, f + SHM_LANE_MARKER_OFF, sizeof(m));
    m |= marker;
    memcpy(f + SHM_LANE_MARKER_OFF, &m, sizeof(m));
}

/**
 * shm_lane_room() - producer: frames that fit without loss now.
 * @l: producer view
 *
 * Return: free records (PIPE), nframes (FIFO never waits), or 0 if the
 * consumer's head is out of range (a hostile peer: nothing fits).
 */
static inline uint32_t shm_lane_room(struct shm_lane *l)
{
    uint64_t used;

    if (l->mode != MCD_TRACE_MODE_PIPE) {
        return l->nframes;
    }
    /* P2: pairs with C2 in shm_lane_read(); the consumer is done with
     * every record below head. */
    l->head = load_acquire(&l->ctl->head);
    used = l->tail - l->head;
    return used > l->nframes ? 0 : (uint32_t)(l->nframes - used);
}

/**
 * shm_lane_put() - producer: append @n frames of l->frame_size bytes.
 * @l: producer view
 * @src: the frames
 * @n: how many
 *
 * PIPE stores what fits and counts the rest as lost; the first frame
 * stored after a loss carries MCD_TRACE_MARKER_GAP.  FIFO stores all,
 * overwriting the oldest (only the newest nframes of a larger batch).
 * Never blocks and never fails: a consumer that broke its head makes
 * every frame lost, which is what it reads in `lost`.
 *
 * Return: frames stored.
 */
static inline uint32_t shm_lane_put(struct shm_lane *l, const void *src,
                                    uint32_t n)
{
    const uint8_t *p = src;
    uint32_t keep = n, room;

    if (l->mode == MCD_TRACE_MODE_PIPE) {
        uint64_t used = l->tail - l->head; /* by the head last read */

        room = used <= l->nframes ? (uint32_t)(l->nframes - used) : 0;
        if (room < n) {
            room = shm_lane_room(l); /* read the head again */
        }
        keep = n < room ? n : room;
    } else if (n > l->nframes) {
        /* FIFO: the older part of the batch would be overwritten anyway */
        p += (size_t)(n - l->nframes) * l->frame_size;
        l->tail += n - l->nframes;
        keep = l->nframes;
    }
    if (keep) {
        shm_lane_copy_in(l, l->tail, p, keep);
        if (l->gap) {
            shm_lane_mark(l, l->tail, MCD_TRACE_MARKER_GAP);
            l->gap = false;
        }
    }
    if (keep < n && l->mode == MCD_TRACE_MODE_PIPE) {
        l->lost += n - keep;
        l->gap = true;
        WRITE_ONCE(l->ctl->lost, l->lost);
    }
    l->count += n;
    l->tail += keep;
    WRITE_ONCE(l->ctl->count, l->count);
    /* P1: pairs with C1 in shm_lane_read(); the frames are written before
     * the consumer can see the new tail. */
    store_release(&l->ctl->tail, l->tail);
    return keep;
}

/**
 * shm_lane_reset() - server: clear the trace (MCD_TRACE_STATE_INIT).
 * @l: producer view, with the producer excluded
 *
 * Frames below the tail are discarded and the counters start again.
 */
static inline void shm_lane_reset(struct shm_lane *l)
{
    l->head = l->tail;
    l->lost = 0;
    l->count = 0;
    l->gap = false;
    WRITE_ONCE(l->ctl->lost, 0);
    WRITE_ONCE(l->ctl->count, 0);
    store_release(&l->ctl->head, l->tail);
}

/**
 * shm_lane_avail() - consumer: frames readable now, and the oldest.
 * @l: consumer view (only ctl, frames, nframes and frame_size are used)
 * @mode: the binding's mode
 * @oldest: receives the lane index of the oldest readable frame
 *
 * Return: the count, or -EPROTO if the indexes are out of range.
 */
static inline int64_t shm_lane_avail(const struct shm_lane *l, uint32_t mode,
                                     uint64_t *oldest)
{
    /* C1: pairs with P1 in shm_lane_put(); frames below tail are whole. */
    uint64_t tail = load_acquire(&l->ctl->tail);
    uint64_t head = READ_ONCE(l->ctl->head);
    uint64_t n = tail - head;

    if (mode == MCD_TRACE_MODE_PIPE) {
        if (n > l->nframes) {
            return -EPROTO;
        }
    } else if (head > tail) {
        return -EPROTO;
    } else if (n > l->nframes) {
        n = l->nframes;
    }
    *oldest = tail - n;
    return (int64_t)n;
}

/**
 * shm_lane_read() - consumer: copy frames out, from @start past the oldest.
 * @l: consumer view
 * @mode: the binding's mode
 * @avail: what shm_lane_avail() just returned (not negative)
 * @oldest: and the oldest frame it gave
 * @start: frames to skip (PIPE: consumed too, as in the simulator's buffer)
 * @num: in: room in @dst; out: frames copied
 * @dst: receives the frames
 * @gap: set true if a FIFO read lost its oldest frames to the producer
 *       while copying (the first frame returned then carries GAP)
 *
 * Return: 0, or -ERANGE if @start is at or past the frames available
 * (*num is then that count; an empty lane too, as the API has it for
 * every count-then-fetch list).
 */
static inline int shm_lane_read(const struct shm_lane *l, uint32_t mode,
                                int64_t avail, uint64_t oldest,
                                uint64_t start, uint32_t *num, void *dst,
                                bool *gap)
{
    uint64_t first, n, tail_now, clobbered;

    *gap = false;
    if (start >= (uint64_t)avail) {
        *num = (uint32_t)(avail > UINT32_MAX ? UINT32_MAX : avail);
        return -ERANGE;
    }
    n = (uint64_t)avail - start;
    n = n < *num ? n : *num;
    first = oldest + start;
    shm_lane_copy_out(l, first, dst, n);
    if (mode == MCD_TRACE_MODE_PIPE) {
        /* C2: pairs with P2 in shm_lane_room(); our reads of the frames
         * are done before the producer may overwrite them. */
        store_release(&l->ctl->head, first + n);
        *num = (uint32_t)n;
        return 0;
    }
    /*
     * FIFO: the producer may have overwritten what we copied.  Order our
     * reads of the frames before the re-read of tail (a sequence-lock
     * read); frames below tail_now - nframes are suspect and dropped.
     */
    smp_rmb();
    tail_now = READ_ONCE(l->ctl->tail);
    clobbered = tail_now >= l->nframes ? tail_now - l->nframes : 0;
    if (clobbered > first) {
        clobbered -= first;
        clobbered = clobbered < n ? clobbered : n;
        memmove(dst, (uint8_t *)dst + clobbered * l->frame_size,
                (n - clobbered) * l->frame_size);
        n -= clobbered;
        *gap = true;
    }
    *num = (uint32_t)n;
    return 0;
}

#endif /* MCDSHM_SHM_LANE_H */
