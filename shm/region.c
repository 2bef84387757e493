/*
 * Region layout, creation, attach and validation (see shm/region.h).
 *
 * The server runs shm_layout_compute() and shm_region_create() on its I/O
 * thread when a client connects; the client runs shm_region_attach() on the
 * thread that opens the server.  Nothing here keeps global state.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm/region.h"

#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))

static bool is_pow2(uint32_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

int shm_layout_compute(uint32_t nslots, uint32_t payload_size,
                       struct shm_layout *out)
{
    uint64_t off;

    nslots = nslots ? nslots : MCDSHM_DEFAULT_SLOTS;
    payload_size = payload_size ? payload_size : MCDSHM_DEFAULT_PAYLOAD;
    if (!is_pow2(nslots) || nslots < MCDSHM_MIN_SLOTS ||
        nslots > MCDSHM_MAX_SLOTS || payload_size % MCDSHM_CACHELINE ||
        payload_size < MCDSHM_MIN_PAYLOAD ||
        payload_size > MCDSHM_MAX_PAYLOAD) {
        return -EINVAL;
    }
    memset(out, 0, sizeof(*out));
    out->nslots = nslots;
    out->req_stride = MCDSHM_REQ_STRIDE;
    out->resp_stride = MCDSHM_RESP_STRIDE;
    out->payload_size = payload_size;
    off = ALIGN_UP(sizeof(struct mcdshm_region_hdr), MCDSHM_CACHELINE);
    out->req_ring_off = off;
    off += sizeof(struct mcdshm_ring);
    out->resp_ring_off = off;
    off += sizeof(struct mcdshm_ring);
    out->req_rec_off = off;
    off += (uint64_t)nslots * MCDSHM_REQ_STRIDE;
    out->resp_rec_off = off;
    off += (uint64_t)nslots * MCDSHM_RESP_STRIDE;
    /* Page-aligned payload areas: bulk copies start on a page. */
    off = ALIGN_UP(off, 4096);
    out->payload_off = off;
    off += (uint64_t)nslots * payload_size;
    out->region_size = ALIGN_UP(off, 4096);
    if (out->region_size > MCDSHM_MAX_REGION) {
        return -EINVAL;
    }
    return 0;
}

/* Bytes one lane takes: control block and frames, page-aligned. */
static uint64_t lane_stride(uint32_t frames)
{
    return ALIGN_UP(sizeof(struct mcdshm_trace_lane) +
                        (uint64_t)frames * MCDSHM_TRACE_FRAME_MAX,
                    4096);
}

int shm_layout_add_trace(struct shm_layout *lay, uint32_t lanes,
                         uint32_t frames)
{
    uint64_t size;

    lanes = lanes ? lanes : MCDSHM_TRACE_LANES_DEFAULT;
    frames = frames ? frames : MCDSHM_TRACE_FRAMES_DEFAULT;
    if (lanes > MCDSHM_TRACE_LANES_MAX || !is_pow2(frames) ||
        frames < MCDSHM_TRACE_FRAMES_MIN || frames > MCDSHM_TRACE_FRAMES_MAX) {
        return -EINVAL;
    }
    size = lay->region_size + lanes * lane_stride(frames);
    if (size > MCDSHM_MAX_REGION) {
        return -EINVAL;
    }
    lay->features |= MCDSHM_FEAT_TRACE;
    lay->trace_off = lay->region_size;
    lay->trace_stride = lane_stride(frames);
    lay->trace_lanes = lanes;
    lay->trace_frames = frames;
    lay->region_size = size;
    return 0;
}

static void fill_header(struct mcdshm_region_hdr *h,
                        const struct shm_layout *lay, uint32_t client_pid)
{
    memset(h, 0, sizeof(*h));
    h->magic = MCDSHM_MAGIC;
    h->version = MCDSHM_VERSION;
    h->compat_version = MCDSHM_COMPAT_VERSION;
    h->header_size = sizeof(*h);
    h->region_size = lay->region_size;
    h->features = lay->features;
    h->nslots = lay->nslots;
    h->req_stride = lay->req_stride;
    h->resp_stride = lay->resp_stride;
    h->payload_size = lay->payload_size;
    h->req_ring_off = lay->req_ring_off;
    h->resp_ring_off = lay->resp_ring_off;
    h->req_rec_off = lay->req_rec_off;
    h->resp_rec_off = lay->resp_rec_off;
    h->payload_off = lay->payload_off;
    h->trace_off = lay->trace_off;
    h->trace_stride = lay->trace_stride;
    h->trace_lanes = lay->trace_lanes;
    h->trace_frames = lay->trace_frames;
    h->server_pid = (uint32_t)getpid();
    h->client_pid = client_pid;
}

static int memfd_sized(uint64_t size, int *fd_out)
{
    int fd = memfd_create("mcdshm-region", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    int err;

    if (fd < 0) {
        return -errno;
    }
    if (ftruncate(fd, (off_t)size) < 0) {
        goto err_close;
    }
    /* The client must never shrink or grow the region: a shrunk mapping
     * would fault in the server. */
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
        goto err_close;
    }
    *fd_out = fd;
    return 0;

err_close:
    err = -errno;
    close(fd);
    return err;
}

int shm_region_create(const struct shm_layout *lay, uint32_t client_pid,
                      struct shm_region *out, int *fd_out)
{
    void *base;
    int fd = -1, err;

    out->base = NULL;
    err = memfd_sized(lay->region_size, &fd);
    if (err < 0) {
        return err;
    }
    base =
        mmap(NULL, lay->region_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        err = -errno;
        close(fd);
        return err;
    }
    /* A fresh memfd reads as zeros: rings start empty, reserved is zero. */
    fill_header(base, lay, client_pid);
    out->base = base;
    out->lay = *lay;
    out->payload = (uint8_t *)base + lay->payload_off;
    *fd_out = fd;
    return 0;
}

static enum shm_verr fail(enum shm_verr e, char *msg, size_t len,
                          const char *fmt, ...)
{
    va_list ap;

    if (msg && len) {
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return e;
}

/* Identity checks: is this an mcdshm region we can read at all? */
static enum shm_verr check_identity(const struct mcdshm_region_hdr *h,
                                    uint64_t mapped, char *msg, size_t len)
{
    if (mapped < sizeof(*h)) {
        return fail(SHM_VERR_SHORT, msg, len,
                    "region is %" PRIu64 " bytes, smaller than its %zu-byte"
                    " header",
                    mapped, sizeof(*h));
    }
    if (h->magic == MCDSHM_MAGIC_SWAPPED) {
        return fail(SHM_VERR_BYTE_ORDER, msg, len,
                    "magic 0x%016" PRIx64 " is mcdshm of the other byte "
                    "order",
                    h->magic);
    }
    if (h->magic != MCDSHM_MAGIC) {
        return fail(SHM_VERR_MAGIC, msg, len,
                    "magic is 0x%016" PRIx64 ", expected 0x%016llx", h->magic,
                    MCDSHM_MAGIC);
    }
    if (h->compat_version > MCDSHM_VERSION ||
        h->version < MCDSHM_COMPAT_VERSION) {
        return fail(SHM_VERR_VERSION, msg, len,
                    "region layout version %u (compatible down to %u); "
                    "this side speaks %u (compatible down to %u)",
                    h->version, h->compat_version, MCDSHM_VERSION,
                    MCDSHM_COMPAT_VERSION);
    }
    if (h->header_size != sizeof(*h)) {
        return fail(SHM_VERR_HEADER_SIZE, msg, len,
                    "header_size is %u, expected %zu", h->header_size,
                    sizeof(*h));
    }
    if (h->region_size != mapped) {
        return fail(SHM_VERR_SIZE, msg, len,
                    "region_size is %" PRIu64 ", mapping is %" PRIu64,
                    h->region_size, mapped);
    }
    return SHM_VERR_OK;
}

/* Flag and reserved checks: nothing this side does not understand. */
static enum shm_verr check_flags(const struct mcdshm_region_hdr *h, char *msg,
                                 size_t len)
{
    size_t i;

    if (h->features & ~MCDSHM_FEAT_MASK) {
        return fail(SHM_VERR_FEATURE, msg, len,
                    "features 0x%" PRIx64 " has unknown bits 0x%" PRIx64,
                    h->features, h->features & ~MCDSHM_FEAT_MASK);
    }
    for (i = 0; i < sizeof(h->reserved) / sizeof(h->reserved[0]); i++) {
        if (h->reserved[i] != 0) {
            return fail(SHM_VERR_RESERVED, msg, len,
                        "reserved[%zu] is 0x%" PRIx64 ", must be 0", i,
                        h->reserved[i]);
        }
    }
    return SHM_VERR_OK;
}

/* Geometry checks: slot count, record strides and payload size. */
static enum shm_verr check_geometry(const struct mcdshm_region_hdr *h,
                                    char *msg, size_t len)
{
    if (!is_pow2(h->nslots) || h->nslots < MCDSHM_MIN_SLOTS ||
        h->nslots > MCDSHM_MAX_SLOTS) {
        return fail(SHM_VERR_SLOTS, msg, len,
                    "nslots is %u, must be a power of two in %u..%u", h->nslots,
                    MCDSHM_MIN_SLOTS, MCDSHM_MAX_SLOTS);
    }
    if (h->req_stride < sizeof(struct mcdshm_req) ||
        h->req_stride % MCDSHM_CACHELINE) {
        return fail(SHM_VERR_STRIDE, msg, len,
                    "req_stride is %u, must be a multiple of %u and at "
                    "least %zu",
                    h->req_stride, MCDSHM_CACHELINE, sizeof(struct mcdshm_req));
    }
    if (h->resp_stride < sizeof(struct mcdshm_resp) ||
        h->resp_stride % MCDSHM_CACHELINE) {
        return fail(SHM_VERR_STRIDE, msg, len,
                    "resp_stride is %u, must be a multiple of %u and at "
                    "least %zu",
                    h->resp_stride, MCDSHM_CACHELINE,
                    sizeof(struct mcdshm_resp));
    }
    if (h->payload_size < MCDSHM_MIN_PAYLOAD ||
        h->payload_size > MCDSHM_MAX_PAYLOAD ||
        h->payload_size % MCDSHM_CACHELINE) {
        return fail(SHM_VERR_PAYLOAD, msg, len,
                    "payload_size is %u, must be a multiple of %u in "
                    "%u..%u",
                    h->payload_size, MCDSHM_CACHELINE, MCDSHM_MIN_PAYLOAD,
                    MCDSHM_MAX_PAYLOAD);
    }
    return SHM_VERR_OK;
}

/* Trace lanes: present exactly with the feature, geometry in limits. */
static enum shm_verr check_trace(const struct mcdshm_region_hdr *h,
                                 char *msg, size_t len)
{
    if (!(h->features & MCDSHM_FEAT_TRACE)) {
        if (h->trace_off || h->trace_stride || h->trace_lanes ||
            h->trace_frames) {
            return fail(SHM_VERR_TRACE, msg, len,
                        "trace_lanes is %u without the trace feature",
                        h->trace_lanes);
        }
        return SHM_VERR_OK;
    }
    if (h->trace_lanes < 1 || h->trace_lanes > MCDSHM_TRACE_LANES_MAX) {
        return fail(SHM_VERR_TRACE, msg, len,
                    "trace_lanes is %u, must be in 1..%u", h->trace_lanes,
                    MCDSHM_TRACE_LANES_MAX);
    }
    if (!is_pow2(h->trace_frames) || h->trace_frames < MCDSHM_TRACE_FRAMES_MIN ||
        h->trace_frames > MCDSHM_TRACE_FRAMES_MAX) {
        return fail(SHM_VERR_TRACE, msg, len,
                    "trace_frames is %u, must be a power of two in %u..%u",
                    h->trace_frames, MCDSHM_TRACE_FRAMES_MIN,
                    MCDSHM_TRACE_FRAMES_MAX);
    }
    if (h->trace_stride < sizeof(struct mcdshm_trace_lane) +
                              (uint64_t)h->trace_frames *
                                  MCDSHM_TRACE_FRAME_MAX ||
        h->trace_stride % MCDSHM_CACHELINE ||
        h->trace_stride > MCDSHM_MAX_REGION) {
        return fail(SHM_VERR_TRACE, msg, len,
                    "trace_stride is %" PRIu64 ", must be a multiple of %u "
                    "with room for %u frames of %u bytes",
                    h->trace_stride, MCDSHM_CACHELINE, h->trace_frames,
                    MCDSHM_TRACE_FRAME_MAX);
    }
    return SHM_VERR_OK;
}

struct part {
    const char *name;
    uint64_t off;
    uint64_t size;
};

/* Placement checks: every part aligned, inside, and apart from the rest. */
static enum shm_verr check_parts(const struct part *p, size_t n,
                                 uint64_t region, char *msg, size_t len)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        if (p[i].off % MCDSHM_CACHELINE) {
            return fail(SHM_VERR_ALIGN, msg, len,
                        "%s is 0x%" PRIx64 ", not %u-byte aligned", p[i].name,
                        p[i].off, MCDSHM_CACHELINE);
        }
        if (p[i].off > region || p[i].size > region - p[i].off) {
            return fail(SHM_VERR_RANGE, msg, len,
                        "%s 0x%" PRIx64 " + %" PRIu64 " bytes extends past "
                        "the %" PRIu64 "-byte region",
                        p[i].name, p[i].off, p[i].size, region);
        }
    }
    for (i = 0; i < n; i++) {
        for (j = i + 1; j < n; j++) {
            if (p[i].off < p[j].off + p[j].size &&
                p[j].off < p[i].off + p[i].size) {
                return fail(SHM_VERR_OVERLAP, msg, len,
                            "%s (0x%" PRIx64 ") overlaps %s (0x%" PRIx64 ")",
                            p[i].name, p[i].off, p[j].name, p[j].off);
            }
        }
    }
    return SHM_VERR_OK;
}

enum shm_verr shm_region_validate(const struct mcdshm_region_hdr *h,
                                  uint64_t mapped, struct shm_layout *lay,
                                  char *msg, size_t msglen)
{
    enum shm_verr e;
    /* Sizes are products of values already range-checked: no overflow. */
    struct part parts[] = {
        { "header", 0, sizeof(*h) },
        { "req_ring_off", h->req_ring_off, sizeof(struct mcdshm_ring) },
        { "resp_ring_off", h->resp_ring_off, sizeof(struct mcdshm_ring) },
        { "req_rec_off", h->req_rec_off, (uint64_t)h->nslots * h->req_stride },
        { "resp_rec_off", h->resp_rec_off,
          (uint64_t)h->nslots * h->resp_stride },
        { "payload_off", h->payload_off,
          (uint64_t)h->nslots * h->payload_size },
        /* Checked by check_trace() first: no overflow.  Empty without
         * the feature, so it overlaps nothing. */
        { "trace_off", h->trace_off,
          (uint64_t)h->trace_lanes * h->trace_stride },
    };
    size_t nparts = sizeof(parts) / sizeof(parts[0]);

    if ((e = check_identity(h, mapped, msg, msglen)) ||
        (e = check_flags(h, msg, msglen)) ||
        (e = check_geometry(h, msg, msglen)) ||
        (e = check_trace(h, msg, msglen)) ||
        (e = check_parts(parts, h->trace_lanes ? nparts : nparts - 1, mapped,
                         msg, msglen))) {
        return e;
    }
    lay->region_size = h->region_size;
    lay->features = h->features;
    lay->nslots = h->nslots;
    lay->req_stride = h->req_stride;
    lay->resp_stride = h->resp_stride;
    lay->payload_size = h->payload_size;
    lay->req_ring_off = h->req_ring_off;
    lay->resp_ring_off = h->resp_ring_off;
    lay->req_rec_off = h->req_rec_off;
    lay->resp_rec_off = h->resp_rec_off;
    lay->payload_off = h->payload_off;
    lay->trace_off = h->trace_off;
    lay->trace_stride = h->trace_stride;
    lay->trace_lanes = h->trace_lanes;
    lay->trace_frames = h->trace_frames;
    return SHM_VERR_OK;
}

/* Ring indexes of a fresh connection must be within nslots. */
static enum shm_verr check_rings(struct shm_region *r, char *msg, size_t len)
{
    struct shm_ring req, resp;

    shm_region_req_ring(r, &req, true);
    shm_region_resp_ring(r, &resp, false);
    if (!shm_ring_valid(&req) || !shm_ring_valid(&resp)) {
        return fail(SHM_VERR_RING, msg, len,
                    "ring indexes more than nslots (%u) apart", r->lay.nslots);
    }
    return SHM_VERR_OK;
}

int shm_region_attach(int fd, uint64_t expected_size, struct shm_region *out,
                      enum shm_verr *verr, char *msg, size_t msglen)
{
    struct mcdshm_region_hdr copy;
    struct stat st;
    void *base;
    int err;

    out->base = NULL;
    *verr = SHM_VERR_OK;
    if (fstat(fd, &st) < 0) {
        return -errno;
    }
    if ((uint64_t)st.st_size != expected_size) {
        *verr = fail(SHM_VERR_SIZE, msg, msglen,
                     "region descriptor is %lld bytes, server announced "
                     "%" PRIu64,
                     (long long)st.st_size, expected_size);
        return -EPROTO;
    }
    if (expected_size < sizeof(copy)) {
        *verr = fail(SHM_VERR_SHORT, msg, msglen,
                     "region is %" PRIu64 " bytes, smaller than its "
                     "%zu-byte header",
                     expected_size, sizeof(copy));
        return -EPROTO;
    }
    base = mmap(NULL, expected_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        return -errno;
    }
    /* Validate a private copy: the peer may change the shared one. */
    memcpy(&copy, base, sizeof(copy));
    out->base = base;
    /* What shm_region_unmap() needs if validation fails. */
    out->lay.region_size = expected_size;
    *verr = shm_region_validate(&copy, expected_size, &out->lay, msg, msglen);
    if (*verr == SHM_VERR_OK) {
        out->payload = (uint8_t *)base + out->lay.payload_off;
        *verr = check_rings(out, msg, msglen);
    }
    if (*verr != SHM_VERR_OK) {
        err = -EPROTO;
        shm_region_unmap(out);
        return err;
    }
    return 0;
}

void shm_region_unmap(struct shm_region *r)
{
    if (r && r->base) {
        munmap(r->base, r->lay.region_size);
        r->base = NULL;
    }
}

const char *shm_verr_name(enum shm_verr e)
{
    static const char *const names[] = {
        [SHM_VERR_OK] = "ok",
        [SHM_VERR_SHORT] = "short",
        [SHM_VERR_BYTE_ORDER] = "byte order",
        [SHM_VERR_MAGIC] = "magic",
        [SHM_VERR_VERSION] = "version",
        [SHM_VERR_HEADER_SIZE] = "header size",
        [SHM_VERR_SIZE] = "size",
        [SHM_VERR_FEATURE] = "feature",
        [SHM_VERR_RESERVED] = "reserved",
        [SHM_VERR_SLOTS] = "slots",
        [SHM_VERR_STRIDE] = "stride",
        [SHM_VERR_PAYLOAD] = "payload",
        [SHM_VERR_ALIGN] = "align",
        [SHM_VERR_RANGE] = "range",
        [SHM_VERR_OVERLAP] = "overlap",
        [SHM_VERR_RING] = "ring",
        [SHM_VERR_TRACE] = "trace",
    };

    if ((unsigned)e >= sizeof(names) / sizeof(names[0])) {
        return "unknown";
    }
    return names[e];
}

void shm_region_req_ring(const struct shm_region *r, struct shm_ring *ring,
                         bool producer)
{
    uint8_t *b = r->base;

    shm_ring_init(ring, (struct mcdshm_ring *)(b + r->lay.req_ring_off),
                  b + r->lay.req_rec_off, r->lay.nslots, r->lay.req_stride,
                  producer);
}

void shm_region_resp_ring(const struct shm_region *r, struct shm_ring *ring,
                          bool producer)
{
    uint8_t *b = r->base;

    shm_ring_init(ring, (struct mcdshm_ring *)(b + r->lay.resp_ring_off),
                  b + r->lay.resp_rec_off, r->lay.nslots, r->lay.resp_stride,
                  producer);
}
