/*
 * A connection's shared-memory region: layout, creation, attach and
 * validation.
 *
 * The server lays out and creates the region (a sealed memfd, so it never
 * has a name and the client cannot shrink it under the server's feet); the
 * client maps the descriptor it received and validates the header field by
 * field, on a private copy, before it touches anything else.  Each failed
 * check has its own code (enum shm_verr) and message.  After attach both
 * sides use only their private copy of the layout, never the shared header
 * again.
 *
 * Used by one thread at a time per region; the region's rings then have one
 * producer and one consumer each.
 */
#ifndef MCDSHM_SHM_REGION_H
#define MCDSHM_SHM_REGION_H

#include <stddef.h>
#include <stdint.h>

#include "mcdshm/wire.h"
#include "shm/ring.h"

/* Why a region header was rejected; one code per validation step. */
enum shm_verr {
    SHM_VERR_OK = 0,
    SHM_VERR_SHORT,       /* mapping smaller than the header */
    SHM_VERR_BYTE_ORDER,  /* magic of the other byte order */
    SHM_VERR_MAGIC,       /* not an mcdshm region */
    SHM_VERR_VERSION,     /* layout versions incompatible */
    SHM_VERR_HEADER_SIZE, /* header_size wrong */
    SHM_VERR_SIZE,        /* region_size differs from the mapping */
    SHM_VERR_FEATURE,     /* unknown feature bit */
    SHM_VERR_RESERVED,    /* a reserved word is not zero */
    SHM_VERR_SLOTS,       /* nslots not a power of two or out of limits */
    SHM_VERR_STRIDE,      /* record stride too small or misaligned */
    SHM_VERR_PAYLOAD,     /* payload size out of limits or misaligned */
    SHM_VERR_ALIGN,       /* a part is not cache-line aligned */
    SHM_VERR_RANGE,       /* a part extends past the region */
    SHM_VERR_OVERLAP,     /* two parts overlap */
    SHM_VERR_RING,        /* ring indexes not within nslots of each other */
    SHM_VERR_TRACE,       /* trace lane geometry out of limits */
};

/* A region's layout, as both sides keep it privately after validation. */
struct shm_layout {
    uint64_t region_size;
    uint64_t features;
    uint32_t nslots;
    uint32_t req_stride;
    uint32_t resp_stride;
    uint32_t payload_size;
    uint64_t req_ring_off;
    uint64_t resp_ring_off;
    uint64_t req_rec_off;
    uint64_t resp_rec_off;
    uint64_t payload_off;
    uint64_t trace_off;    /* MCDSHM_FEAT_TRACE, else 0 */
    uint64_t trace_stride;
    uint32_t trace_lanes;
    uint32_t trace_frames;
};

/* One process's view of a mapped region. */
struct shm_region {
    void *base;            /* the mapping; NULL when not mapped */
    struct shm_layout lay; /* private copy, validated */
    uint8_t *payload;      /* first payload area */
};

/**
 * shm_layout_compute() - lay out a region for @nslots and @payload_size.
 * @nslots: slots; 0 = MCDSHM_DEFAULT_SLOTS
 * @payload_size: payload bytes per slot; 0 = MCDSHM_DEFAULT_PAYLOAD
 * @out: the layout
 *
 * Return: 0, or -EINVAL if nslots is not a power of two within
 * MCDSHM_MIN_SLOTS..MCDSHM_MAX_SLOTS, payload_size is not a multiple of 64
 * within MCDSHM_MIN_PAYLOAD..MCDSHM_MAX_PAYLOAD, or the region would exceed
 * MCDSHM_MAX_REGION.
 */
int shm_layout_compute(uint32_t nslots, uint32_t payload_size,
                       struct shm_layout *out);

/**
 * shm_layout_add_trace() - give a layout trace lanes (MCDSHM_FEAT_TRACE).
 * @lay: a layout from shm_layout_compute()
 * @lanes: lanes; 0 = MCDSHM_TRACE_LANES_DEFAULT, at most
 *         MCDSHM_TRACE_LANES_MAX
 * @frames: frames per lane; 0 = MCDSHM_TRACE_FRAMES_DEFAULT, else a power
 *          of two in MCDSHM_TRACE_FRAMES_MIN..MCDSHM_TRACE_FRAMES_MAX
 *
 * The lanes go after the payload areas, each page-aligned.  A lane's
 * memory costs nothing until frames are written to it (memfd pages are
 * allocated on first touch).
 *
 * Return: 0, or -EINVAL if out of limits or the region would exceed
 * MCDSHM_MAX_REGION.
 */
int shm_layout_add_trace(struct shm_layout *lay, uint32_t lanes,
                         uint32_t frames);

/**
 * shm_region_create() - create, map and initialise a region (server side).
 * @lay: layout from shm_layout_compute()
 * @client_pid: pid the client announced, recorded in the header
 * @out: the mapped region
 * @fd_out: the sealed memfd to pass to the client (close-on-exec)
 *
 * Return: 0, or -errno from memfd_create, ftruncate, fcntl (sealing) or
 * mmap; nothing is left open or mapped on failure.
 */
int shm_region_create(const struct shm_layout *lay, uint32_t client_pid,
                      struct shm_region *out, int *fd_out);

/**
 * shm_region_validate() - check a region header against the mapping size.
 * @hdr: a private copy of the header
 * @mapped: bytes actually mapped
 * @lay: the layout, filled on success
 * @msg: buffer for a message naming the field and value, or NULL
 * @msglen: size of @msg
 *
 * Checks in order: size, magic and byte order, version, header size,
 * region size, features, reserved words, slots, strides, payload size,
 * alignment, range and overlap of every part.
 *
 * Return: SHM_VERR_OK (0) or the code of the first failed check.
 */
enum shm_verr shm_region_validate(const struct mcdshm_region_hdr *hdr,
                                  uint64_t mapped, struct shm_layout *lay,
                                  char *msg, size_t msglen);

/**
 * shm_region_attach() - map a received region and validate it (client).
 * @fd: the region descriptor
 * @expected_size: region size announced by the server
 * @out: the mapped region
 * @verr: validation code on -EPROTO, else SHM_VERR_OK
 * @msg: buffer for the reason of a failure
 * @msglen: size of @msg
 *
 * Return: 0; -EPROTO if validation failed (see @verr and @msg); -errno
 * from fstat or mmap.  Nothing stays mapped on failure.
 */
int shm_region_attach(int fd, uint64_t expected_size, struct shm_region *out,
                      enum shm_verr *verr, char *msg, size_t msglen);

/* Unmap; accepts a region that was never mapped. */
void shm_region_unmap(struct shm_region *r);

/* Name of a validation code, for messages and tests. */
const char *shm_verr_name(enum shm_verr e);

/* The request ring's view for the client (producer) or server. */
void shm_region_req_ring(const struct shm_region *r, struct shm_ring *ring,
                         bool producer);

/* The response ring's view for the server (producer) or client. */
void shm_region_resp_ring(const struct shm_region *r, struct shm_ring *ring,
                          bool producer);

/* Control block of trace lane @i (i < lay.trace_lanes). */
static inline struct mcdshm_trace_lane *
shm_region_lane(const struct shm_region *r, uint32_t i)
{
    return (struct mcdshm_trace_lane *)((uint8_t *)r->base +
                                        r->lay.trace_off +
                                        (size_t)i * r->lay.trace_stride);
}

/* The frame records of trace lane @i, right after its control block. */
static inline uint8_t *shm_region_lane_frames(const struct shm_region *r,
                                              uint32_t i)
{
    return (uint8_t *)(shm_region_lane(r, i) + 1);
}

/* Payload area of the slot with ring index @idx. */
static inline uint8_t *shm_region_payload(const struct shm_region *r,
                                          uint32_t idx)
{
    return r->payload +
           (size_t)(idx & (r->lay.nslots - 1)) * r->lay.payload_size;
}

#endif /* MCDSHM_SHM_REGION_H */
