/*
 * test_region.c - tests of the shared-memory region (shm/region.c).
 *
 * Covers the layout a server computes (defaults, alignment, no overlap,
 * every limit), creating a region and attaching to it through the same
 * descriptor as a client would (two mappings of one memfd that see each
 * other's bytes, a sealed descriptor), and one negative test for each
 * validation step of shm_region_validate() and shm_region_attach(): each
 * asserts the exact enum shm_verr code and that the message is non-empty
 * and names the field or the value that was wrong.  Header tests work on a
 * private copy of a header that shm_region_create() wrote, with one field
 * changed.  Attach tests corrupt the shared header or ring control block
 * through the server's mapping, then check that a failed attach leaves
 * nothing mapped.  Criterion runs every test in its own process.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "mcdshm/wire.h"
#include "shm/region.h"
#include "shm/ring.h"

#define CLIENT_PID 4242u

/* A region as the server holds it: layout, mapping and memfd. */
struct server {
    struct shm_layout lay;
    struct shm_region r;
    int fd;
};

static void server_create(struct server *s, uint32_t nslots,
                          uint32_t payload_size)
{
    int rc;

    rc = shm_layout_compute(nslots, payload_size, &s->lay);
    cr_assert_eq(rc, 0, "shm_layout_compute(%u, %u) = %d", nslots,
                 payload_size, rc);
    rc = shm_region_create(&s->lay, CLIENT_PID, &s->r, &s->fd);
    cr_assert_eq(rc, 0, "shm_region_create: %s", strerror(-rc));
    cr_assert_not_null(s->r.base);
}

static void server_destroy(struct server *s)
{
    shm_region_unmap(&s->r);
    close(s->fd);
}

static struct mcdshm_region_hdr *server_hdr(struct server *s)
{
    return (struct mcdshm_region_hdr *)s->r.base;
}

/* The control block of the request or response ring in @s's mapping. */
static struct mcdshm_ring *server_ring(struct server *s, int resp)
{
    uint64_t off = resp ? s->lay.resp_ring_off : s->lay.req_ring_off;

    return (struct mcdshm_ring *)((uint8_t *)s->r.base + off);
}

/* A private copy of a valid default header, and its layout. */
static void valid_header(struct mcdshm_region_hdr *h, struct shm_layout *lay)
{
    struct server s;

    server_create(&s, 0, 0);
    memcpy(h, s.r.base, sizeof(*h));
    *lay = s.lay;
    server_destroy(&s);
}

/*
 * Validate @h against @mapped bytes and expect code @want with a message
 * that contains @n1 and, if not NULL, @n2.
 */
static void expect_verr(const struct mcdshm_region_hdr *h, uint64_t mapped,
                        enum shm_verr want, const char *n1, const char *n2)
{
    struct shm_layout out;
    enum shm_verr got;
    char msg[512];

    memset(msg, 0, sizeof(msg));
    got = shm_region_validate(h, mapped, &out, msg, sizeof(msg));
    cr_assert_eq(got, want, "got %s (%d), expected %s (%d); message: %s",
                 shm_verr_name(got), (int)got, shm_verr_name(want),
                 (int)want, msg);
    cr_expect_neq(msg[0], '\0', "%s: empty message", shm_verr_name(want));
    cr_expect_not_null(strstr(msg, n1), "%s: message \"%s\" lacks \"%s\"",
                       shm_verr_name(want), msg, n1);
    if (n2) {
        cr_expect_not_null(strstr(msg, n2),
                           "%s: message \"%s\" lacks \"%s\"",
                           shm_verr_name(want), msg, n2);
    }
}

/* Mappings of the file behind @fd in this process, from /proc/self/maps. */
static int count_mappings(int fd)
{
    unsigned long maj, min, ino;
    char line[512];
    struct stat st;
    int n = 0;
    FILE *f;

    cr_assert_eq(fstat(fd, &st), 0);
    f = fopen("/proc/self/maps", "r");
    cr_assert_not_null(f);
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%*s %*s %*s %lx:%lx %lu", &maj, &min, &ino) == 3 &&
            maj == major(st.st_dev) && min == minor(st.st_dev) &&
            ino == (unsigned long)st.st_ino) {
            n++;
        }
    }
    fclose(f);
    return n;
}

/*
 * Attach to @s's descriptor expecting -EPROTO with @want, a message that
 * contains @needle, and no mapping left behind.
 */
static void expect_attach_fails(struct server *s, uint64_t expected_size,
                                enum shm_verr want, const char *needle)
{
    struct shm_region cli;
    enum shm_verr verr = SHM_VERR_OK;
    char msg[512] = "";
    int before, rc;

    memset(&cli, 0, sizeof(cli));
    before = count_mappings(s->fd);
    rc = shm_region_attach(s->fd, expected_size, &cli, &verr, msg,
                           sizeof(msg));
    cr_expect_eq(rc, -EPROTO, "attach returned %d, expected -EPROTO (%d)",
                 rc, -EPROTO);
    cr_expect_eq(verr, want, "verr %s (%d), expected %s (%d); message: %s",
                 shm_verr_name(verr), (int)verr, shm_verr_name(want),
                 (int)want, msg);
    cr_expect_neq(msg[0], '\0', "%s: empty message", shm_verr_name(want));
    cr_expect_not_null(strstr(msg, needle), "message \"%s\" lacks \"%s\"",
                       msg, needle);
    cr_expect_null(cli.base, "failed attach left base %p", cli.base);
    cr_expect_eq(count_mappings(s->fd), before,
                 "failed attach (%s) left a mapping of the region: %d "
                 "mappings before, %d after",
                 shm_verr_name(want), before, count_mappings(s->fd));
}

/* Every part aligned, inside the region and apart from the others. */
static void check_layout(const struct shm_layout *l)
{
    struct {
        const char *name;
        uint64_t off;
        uint64_t size;
    } p[] = {
        { "header", 0, sizeof(struct mcdshm_region_hdr) },
        { "req_ring", l->req_ring_off, sizeof(struct mcdshm_ring) },
        { "resp_ring", l->resp_ring_off, sizeof(struct mcdshm_ring) },
        { "req_rec", l->req_rec_off, (uint64_t)l->nslots * l->req_stride },
        { "resp_rec", l->resp_rec_off,
          (uint64_t)l->nslots * l->resp_stride },
        { "payload", l->payload_off, (uint64_t)l->nslots * l->payload_size },
    };
    size_t i, j, n = sizeof(p) / sizeof(p[0]);

    cr_expect_eq(l->req_stride, MCDSHM_REQ_STRIDE);
    cr_expect_eq(l->resp_stride, MCDSHM_RESP_STRIDE);
    cr_expect_eq(l->features, MCDSHM_FEAT_NONE);
    cr_expect_eq(l->payload_off % 4096, 0, "payload_off %#llx",
                 (unsigned long long)l->payload_off);
    cr_expect_eq(l->region_size % 4096, 0);
    cr_expect_leq(l->region_size, MCDSHM_MAX_REGION);
    for (i = 0; i < n; i++) {
        cr_expect_eq(p[i].off % MCDSHM_CACHELINE, 0,
                     "%s at %#llx is not 64-byte aligned", p[i].name,
                     (unsigned long long)p[i].off);
        cr_expect_leq(p[i].off + p[i].size, l->region_size,
                      "%s [%#llx, +%llu) ends past the %llu-byte region",
                      p[i].name, (unsigned long long)p[i].off,
                      (unsigned long long)p[i].size,
                      (unsigned long long)l->region_size);
        for (j = i + 1; j < n; j++) {
            cr_expect(p[i].off + p[i].size <= p[j].off ||
                          p[j].off + p[j].size <= p[i].off,
                      "%s (%#llx) overlaps %s (%#llx)", p[i].name,
                      (unsigned long long)p[i].off, p[j].name,
                      (unsigned long long)p[j].off);
        }
    }
}

/* ------------------------------------------------------------------------
 * shm_layout_compute
 */

Test(layout, defaults, .timeout = 10)
{
    struct shm_layout l;

    cr_assert_eq(shm_layout_compute(0, 0, &l), 0);
    cr_expect_eq(l.nslots, MCDSHM_DEFAULT_SLOTS);
    cr_expect_eq(l.nslots, 16);
    cr_expect_eq(l.payload_size, MCDSHM_DEFAULT_PAYLOAD);
    cr_expect_eq(l.payload_size, 256u * 1024);
    check_layout(&l);
}

Test(layout, limits_accepted, .timeout = 10)
{
    static const uint32_t ok[][2] = {
        { MCDSHM_MIN_SLOTS, MCDSHM_MIN_PAYLOAD },
        { MCDSHM_MAX_SLOTS, MCDSHM_MIN_PAYLOAD },
        { MCDSHM_MIN_SLOTS, MCDSHM_MAX_PAYLOAD },
        { 32, MCDSHM_MAX_PAYLOAD },
        { 4, MCDSHM_MIN_PAYLOAD + 64 },
    };
    struct shm_layout l;
    size_t i;
    int rc;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        rc = shm_layout_compute(ok[i][0], ok[i][1], &l);
        cr_expect_eq(rc, 0, "%u slots x %u bytes: %d", ok[i][0], ok[i][1],
                     rc);
        if (rc == 0) {
            cr_expect_eq(l.nslots, ok[i][0]);
            cr_expect_eq(l.payload_size, ok[i][1]);
            check_layout(&l);
        }
    }
}

Test(layout, rejects_out_of_limits, .timeout = 10)
{
    static const uint32_t bad[][2] = {
        { 3, 0 },                           /* not a power of two */
        { 1, 0 },                           /* below MIN_SLOTS */
        { 2048, 0 },                        /* above MAX_SLOTS */
        { 0x80000000u, 0 },                 /* far above */
        { 0, 1000 },                        /* not a multiple of 64 */
        { 0, MCDSHM_MIN_PAYLOAD - 64 },     /* below MIN_PAYLOAD */
        { 0, MCDSHM_MAX_PAYLOAD + 64 },     /* above MAX_PAYLOAD */
        { 0, MCDSHM_MIN_PAYLOAD + 32 },     /* misaligned */
        { 1024, MCDSHM_MAX_PAYLOAD },       /* region above MAX_REGION */
        { 64, MCDSHM_MAX_PAYLOAD },         /* just above MAX_REGION */
    };
    struct shm_layout l;
    size_t i;
    int rc;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rc = shm_layout_compute(bad[i][0], bad[i][1], &l);
        cr_expect_eq(rc, -EINVAL, "%u slots x %u bytes: %d, expected %d",
                     bad[i][0], bad[i][1], rc, -EINVAL);
    }
}

/* ------------------------------------------------------------------------
 * Create and attach
 */

Test(region, create_then_attach, .timeout = 10)
{
    struct server s;
    struct shm_region cli;
    struct mcdshm_region_hdr *h;
    struct shm_ring req, resp;
    enum shm_verr verr = SHM_VERR_RING;
    char msg[512] = "";
    int rc;

    server_create(&s, 0, 0);
    h = server_hdr(&s);
    cr_expect_eq(h->magic, MCDSHM_MAGIC);
    cr_expect_eq(h->server_pid, (uint32_t)getpid());
    cr_expect_eq(h->client_pid, CLIENT_PID);
    cr_expect_eq(s.r.payload, (uint8_t *)s.r.base + s.lay.payload_off);

    rc = shm_region_attach(s.fd, s.lay.region_size, &cli, &verr, msg,
                           sizeof(msg));
    cr_assert_eq(rc, 0, "attach: %d (%s): %s", rc, shm_verr_name(verr),
                 msg);
    cr_expect_eq(verr, SHM_VERR_OK);
    cr_assert_not_null(cli.base);
    cr_expect_neq(cli.base, s.r.base, "attach must map a second view");
    cr_expect_eq(count_mappings(s.fd), 2);

    cr_expect_eq(cli.lay.region_size, s.lay.region_size);
    cr_expect_eq(cli.lay.features, s.lay.features);
    cr_expect_eq(cli.lay.nslots, s.lay.nslots);
    cr_expect_eq(cli.lay.req_stride, s.lay.req_stride);
    cr_expect_eq(cli.lay.resp_stride, s.lay.resp_stride);
    cr_expect_eq(cli.lay.payload_size, s.lay.payload_size);
    cr_expect_eq(cli.lay.req_ring_off, s.lay.req_ring_off);
    cr_expect_eq(cli.lay.resp_ring_off, s.lay.resp_ring_off);
    cr_expect_eq(cli.lay.req_rec_off, s.lay.req_rec_off);
    cr_expect_eq(cli.lay.resp_rec_off, s.lay.resp_rec_off);
    cr_expect_eq(cli.lay.payload_off, s.lay.payload_off);
    cr_expect_eq(memcmp(&cli.lay, &s.lay, sizeof(s.lay)), 0);

    /* Bytes written through one mapping are seen through the other. */
    shm_region_payload(&s.r, 3)[17] = 0x5a;
    cr_expect_eq(shm_region_payload(&cli, 3)[17], 0x5a);
    shm_region_payload(&cli, s.lay.nslots - 1)[s.lay.payload_size - 1] =
        0xa5;
    cr_expect_eq(
        shm_region_payload(&s.r, s.lay.nslots - 1)[s.lay.payload_size - 1],
        0xa5);
    /* Ring index i and i + nslots share a payload area. */
    cr_expect_eq(shm_region_payload(&cli, 3),
                 shm_region_payload(&cli, 3 + s.lay.nslots));

    /* A fresh region has empty, valid rings. */
    shm_region_req_ring(&cli, &req, true);
    shm_region_resp_ring(&cli, &resp, false);
    cr_expect(shm_ring_valid(&req));
    cr_expect(shm_ring_valid(&resp));
    cr_expect_eq(shm_ring_tail(&req), 0);
    cr_expect_eq(shm_ring_head(&resp), 0);
    cr_expect_eq(server_ring(&s, 0)->tail, 0);
    cr_expect_eq(server_ring(&s, 0)->head, 0);
    cr_expect_eq(server_ring(&s, 1)->tail, 0);
    cr_expect_eq(server_ring(&s, 1)->head, 0);

    shm_region_unmap(&cli);
    cr_expect_null(cli.base);
    cr_expect_eq(count_mappings(s.fd), 1);
    shm_region_unmap(&cli); /* twice is harmless */
    server_destroy(&s);
    cr_expect_null(s.r.base);
}

Test(region, fd_is_sealed, .timeout = 10)
{
    struct server s;
    int seals, fdflags;

    server_create(&s, 0, 0);
    errno = 0;
    cr_expect_eq(ftruncate(s.fd, (off_t)s.lay.region_size - 4096), -1,
                 "shrinking the region must fail");
    cr_expect_eq(errno, EPERM, "shrink: errno %d (%s), expected EPERM",
                 errno, strerror(errno));
    errno = 0;
    cr_expect_eq(ftruncate(s.fd, (off_t)s.lay.region_size + 4096), -1,
                 "growing the region must fail");
    cr_expect_eq(errno, EPERM, "grow: errno %d (%s), expected EPERM", errno,
                 strerror(errno));

    seals = fcntl(s.fd, F_GET_SEALS);
    cr_assert_geq(seals, 0, "F_GET_SEALS: %s", strerror(errno));
    cr_expect(seals & F_SEAL_SHRINK, "seals %#x", seals);
    cr_expect(seals & F_SEAL_GROW, "seals %#x", seals);
    cr_expect(seals & F_SEAL_SEAL, "seals %#x", seals);
    fdflags = fcntl(s.fd, F_GETFD);
    cr_expect(fdflags >= 0 && (fdflags & FD_CLOEXEC),
              "region fd must be close-on-exec");
    server_destroy(&s);
}

Test(region, validate_accepts_created_header, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay, out;
    char msg[512] = "";
    enum shm_verr e;

    valid_header(&h, &lay);
    memset(&out, 0xa5, sizeof(out));
    e = shm_region_validate(&h, lay.region_size, &out, msg, sizeof(msg));
    cr_assert_eq(e, SHM_VERR_OK, "%s: %s", shm_verr_name(e), msg);
    cr_expect_eq(memcmp(&out, &lay, sizeof(lay)), 0);
    /* A NULL message buffer is allowed, on success and on failure. */
    e = shm_region_validate(&h, lay.region_size, &out, NULL, 0);
    cr_expect_eq(e, SHM_VERR_OK);
    h.magic = 0;
    e = shm_region_validate(&h, lay.region_size, &out, NULL, 0);
    cr_expect_eq(e, SHM_VERR_MAGIC);
}

/* ------------------------------------------------------------------------
 * shm_region_validate: one test per check, in the order they run
 */

Test(verr, short_mapping, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay;

    valid_header(&h, &lay);
    expect_verr(&h, sizeof(h) - 1, SHM_VERR_SHORT, "255", NULL);
    expect_verr(&h, 0, SHM_VERR_SHORT, "0 bytes", NULL);
}

Test(verr, byte_order, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay;

    valid_header(&h, &lay);
    h.magic = MCDSHM_MAGIC_SWAPPED;
    expect_verr(&h, lay.region_size, SHM_VERR_BYTE_ORDER, "magic",
                "4d434453484d0102");
}

Test(verr, magic, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay;

    valid_header(&h, &lay);
    h.magic = MCDSHM_MAGIC ^ 0x100;
    expect_verr(&h, lay.region_size, SHM_VERR_MAGIC, "magic",
                "02014d485344424d");
    h.magic = 0;
    expect_verr(&h, lay.region_size, SHM_VERR_MAGIC, "magic", NULL);
}

Test(verr, version_compat_too_new, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay;

    valid_header(&h, &lay);
    h.version = MCDSHM_VERSION + 1;
    h.compat_version = MCDSHM_VERSION + 1;
    expect_verr(&h, lay.region_size, SHM_VERR_VERSION, "version",
                "compatible down to 2");
}

Test(verr, version_too_old, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay;

    char want[32];

    valid_header(&h, &lay);
    h.version = MCDSHM_COMPAT_VERSION - 1;
    h.compat_version = 0;
    snprintf(want, sizeof(want), "version %u", MCDSHM_COMPAT_VERSION - 1);
    expect_verr(&h, lay.region_size, SHM_VERR_VERSION, want, NULL);
}

Test(verr, newer_but_compatible_version_accepted, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay, out;
    enum shm_verr e;

    valid_header(&h, &lay);
    h.version = MCDSHM_VERSION + 1;
    h.compat_version = MCDSHM_VERSION;
    e = shm_region_validate(&h, lay.region_size, &out, NULL, 0);
    cr_expect_eq(e, SHM_VERR_OK, "got %s", shm_verr_name(e));
}

Test(verr, header_size, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay;

    valid_header(&h, &lay);
    h.header_size = sizeof(h) - 8;
    expect_verr(&h, lay.region_size, SHM_VERR_HEADER_SIZE, "header_size",
                "248");
    h.header_size = sizeof(h) + 64;
    expect_verr(&h, lay.region_size, SHM_VERR_HEADER_SIZE, "header_size",
                "320");
}

Test(verr, region_size_differs_from_mapping, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay;

    valid_header(&h, &lay);
    expect_verr(&h, lay.region_size - 4096, SHM_VERR_SIZE, "region_size",
                NULL);
    expect_verr(&h, lay.region_size + 4096, SHM_VERR_SIZE, "region_size",
                NULL);
    h.region_size += 64;
    expect_verr(&h, lay.region_size, SHM_VERR_SIZE, "region_size", NULL);
}

Test(verr, unknown_feature_bit, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay;
    char want[32];
    int bit;

    valid_header(&h, &lay);
    for (bit = 0; bit < 64; bit++) {
        if (MCDSHM_FEAT_MASK & (1ull << bit)) {
            continue;
        }
        h.features = 1ull << bit;
        snprintf(want, sizeof(want), "%llx", 1ull << bit);
        expect_verr(&h, lay.region_size, SHM_VERR_FEATURE, "features",
                    want);
    }
}

Test(verr, each_reserved_word, .timeout = 10)
{
    struct mcdshm_region_hdr h, valid;
    struct shm_layout lay;
    char want[32];
    size_t i, n = sizeof(h.reserved) / sizeof(h.reserved[0]);

    cr_assert_eq(n, 17);
    valid_header(&valid, &lay);
    for (i = 0; i < n; i++) {
        h = valid;
        h.reserved[i] = 1ull << (i * 3);
        snprintf(want, sizeof(want), "reserved[%zu]", i);
        expect_verr(&h, lay.region_size, SHM_VERR_RESERVED, want, NULL);
    }
}

Test(verr, slots, .timeout = 10)
{
    static const uint32_t bad[] = { 3, 1, 0, 6, 2048, 0x80000000u };
    struct mcdshm_region_hdr h;
    struct shm_layout lay;
    char want[32];
    size_t i;

    valid_header(&h, &lay);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        h.nslots = bad[i];
        snprintf(want, sizeof(want), "nslots is %u", bad[i]);
        expect_verr(&h, lay.region_size, SHM_VERR_SLOTS, "nslots", want);
    }
}

Test(verr, req_stride, .timeout = 10)
{
    static const uint32_t bad[] = {
        MCDSHM_REQ_STRIDE - 64, /* too small, aligned */
        MCDSHM_REQ_STRIDE + 32, /* misaligned */
        0,
    };
    struct mcdshm_region_hdr h;
    struct shm_layout lay;
    char want[32];
    size_t i;

    valid_header(&h, &lay);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        h.req_stride = bad[i];
        snprintf(want, sizeof(want), "is %u", bad[i]);
        expect_verr(&h, lay.region_size, SHM_VERR_STRIDE, "req_stride",
                    want);
    }
}

Test(verr, resp_stride, .timeout = 10)
{
    static const uint32_t bad[] = {
        MCDSHM_RESP_STRIDE - 64,
        MCDSHM_RESP_STRIDE + 32,
        0,
    };
    struct mcdshm_region_hdr h;
    struct shm_layout lay;
    char want[32];
    size_t i;

    valid_header(&h, &lay);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        h.resp_stride = bad[i];
        snprintf(want, sizeof(want), "is %u", bad[i]);
        expect_verr(&h, lay.region_size, SHM_VERR_STRIDE, "resp_stride",
                    want);
    }
}

Test(verr, payload_size, .timeout = 10)
{
    static const uint32_t bad[] = {
        MCDSHM_MIN_PAYLOAD - 64,
        MCDSHM_MAX_PAYLOAD + 64,
        MCDSHM_MIN_PAYLOAD + 32,
        0,
        0xffffffc0u,
    };
    struct mcdshm_region_hdr h;
    struct shm_layout lay;
    char want[32];
    size_t i;

    valid_header(&h, &lay);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        h.payload_size = bad[i];
        snprintf(want, sizeof(want), "is %u", bad[i]);
        expect_verr(&h, lay.region_size, SHM_VERR_PAYLOAD, "payload_size",
                    want);
    }
}

/* The five offset fields of a header, with the names messages use. */
#define NOFFS 5
static uint64_t *offset_field(struct mcdshm_region_hdr *h, int i,
                              const char **name)
{
    static const char *const names[NOFFS] = {
        "req_ring_off", "resp_ring_off", "req_rec_off", "resp_rec_off",
        "payload_off",
    };
    uint64_t *f[NOFFS] = {
        &h->req_ring_off, &h->resp_ring_off, &h->req_rec_off,
        &h->resp_rec_off, &h->payload_off,
    };

    *name = names[i];
    return f[i];
}

Test(verr, offset_misaligned, .timeout = 10)
{
    struct mcdshm_region_hdr h, valid;
    struct shm_layout lay;
    const char *name;
    uint64_t *f;
    int i;

    valid_header(&valid, &lay);
    for (i = 0; i < NOFFS; i++) {
        h = valid;
        f = offset_field(&h, i, &name);
        *f += 8;
        expect_verr(&h, lay.region_size, SHM_VERR_ALIGN, name, NULL);
    }
}

Test(verr, offset_past_end, .timeout = 10)
{
    struct mcdshm_region_hdr h, valid;
    struct shm_layout lay;
    const char *name;
    uint64_t *f;
    int i;

    valid_header(&valid, &lay);
    for (i = 0; i < NOFFS; i++) {
        h = valid;
        f = offset_field(&h, i, &name);
        *f = lay.region_size + 4096;
        expect_verr(&h, lay.region_size, SHM_VERR_RANGE, name, NULL);
        /* At the very end: zero bytes left for a non-empty part. */
        *f = lay.region_size;
        expect_verr(&h, lay.region_size, SHM_VERR_RANGE, name, NULL);
    }
}

Test(verr, part_ends_past_end, .timeout = 10)
{
    struct mcdshm_region_hdr h, valid;
    struct shm_layout lay;

    valid_header(&valid, &lay);
    /* The payload areas are last: moving them up one line overruns. */
    h = valid;
    h.payload_off += 64;
    expect_verr(&h, lay.region_size, SHM_VERR_RANGE, "payload_off", NULL);
    /* Response records starting in the last line of the region. */
    h = valid;
    h.resp_rec_off = lay.region_size - 64;
    expect_verr(&h, lay.region_size, SHM_VERR_RANGE, "resp_rec_off", NULL);
    /* A ring control block that starts inside but ends outside. */
    h = valid;
    h.resp_ring_off = lay.region_size - 128;
    expect_verr(&h, lay.region_size, SHM_VERR_RANGE, "resp_ring_off",
                NULL);
}

Test(verr, huge_offset_does_not_wrap, .timeout = 10)
{
    struct mcdshm_region_hdr h, valid;
    struct shm_layout lay;
    const char *name;
    uint64_t *f;
    int i;

    valid_header(&valid, &lay);
    for (i = 0; i < NOFFS; i++) {
        h = valid;
        f = offset_field(&h, i, &name);
        /* Aligned, and off + size wraps around to a small number. */
        *f = UINT64_MAX & ~(uint64_t)(MCDSHM_CACHELINE - 1);
        expect_verr(&h, lay.region_size, SHM_VERR_RANGE, name, NULL);
        *f = (uint64_t)0 - 4096;
        expect_verr(&h, lay.region_size, SHM_VERR_RANGE, name, NULL);
    }
}

Test(verr, parts_overlap, .timeout = 10)
{
    struct mcdshm_region_hdr h, valid;
    struct shm_layout lay;

    valid_header(&valid, &lay);
    h = valid;
    h.resp_rec_off = h.req_rec_off;
    expect_verr(&h, lay.region_size, SHM_VERR_OVERLAP, "req_rec_off",
                "resp_rec_off");
    /* Partial overlap of the two ring control blocks. */
    h = valid;
    h.resp_ring_off = h.req_ring_off + 64;
    expect_verr(&h, lay.region_size, SHM_VERR_OVERLAP, "req_ring_off",
                "resp_ring_off");
    /* Payload areas over the request records. */
    h = valid;
    h.payload_off = h.req_rec_off;
    expect_verr(&h, lay.region_size, SHM_VERR_OVERLAP, "req_rec_off",
                "payload_off");
}

Test(verr, part_overlaps_header, .timeout = 10)
{
    struct mcdshm_region_hdr h, valid;
    struct shm_layout lay;

    valid_header(&valid, &lay);
    h = valid;
    h.req_ring_off = 0;
    expect_verr(&h, lay.region_size, SHM_VERR_OVERLAP, "header",
                "req_ring_off");
    h = valid;
    h.resp_ring_off = 192; /* inside the 256-byte header */
    expect_verr(&h, lay.region_size, SHM_VERR_OVERLAP, "header",
                "resp_ring_off");
}

/* ------------------------------------------------------------------------
 * shm_region_attach
 */

Test(attach, byte_order, .timeout = 10)
{
    struct server s;

    server_create(&s, 0, 0);
    server_hdr(&s)->magic = MCDSHM_MAGIC_SWAPPED;
    expect_attach_fails(&s, s.lay.region_size, SHM_VERR_BYTE_ORDER,
                        "magic");
    server_destroy(&s);
}

Test(attach, bad_field_in_shared_header, .timeout = 10)
{
    struct server s;

    server_create(&s, 0, 0);
    server_hdr(&s)->reserved[16] = 1;
    expect_attach_fails(&s, s.lay.region_size, SHM_VERR_RESERVED,
                        "reserved[16]");
    server_destroy(&s);
}

Test(attach, req_ring_corrupt, .timeout = 10)
{
    struct server s;
    struct mcdshm_ring *ring;

    server_create(&s, 0, 0);
    ring = server_ring(&s, 0);
    ring->head = 5;
    ring->tail = ring->head + s.lay.nslots + 1;
    expect_attach_fails(&s, s.lay.region_size, SHM_VERR_RING, "ring");
    server_destroy(&s);
}

Test(attach, resp_ring_corrupt, .timeout = 10)
{
    struct server s;
    struct mcdshm_ring *ring;

    server_create(&s, 0, 0);
    ring = server_ring(&s, 1);
    ring->head = 7;
    ring->tail = 6; /* tail behind head: 2^32 - 1 entries */
    expect_attach_fails(&s, s.lay.region_size, SHM_VERR_RING, "ring");
    server_destroy(&s);
}

Test(attach, full_and_wrapped_rings_accepted, .timeout = 10)
{
    struct server s;
    struct shm_region cli;
    struct mcdshm_ring *req, *resp;
    enum shm_verr verr;
    char msg[512] = "";
    int rc;

    server_create(&s, 0, 0);
    req = server_ring(&s, 0);
    resp = server_ring(&s, 1);
    req->head = 100;
    req->tail = 100 + s.lay.nslots; /* exactly full */
    resp->head = UINT32_MAX - 2;
    resp->tail = resp->head + 5; /* wrapped past zero */
    rc = shm_region_attach(s.fd, s.lay.region_size, &cli, &verr, msg,
                           sizeof(msg));
    cr_expect_eq(rc, 0, "attach: %d (%s): %s", rc, shm_verr_name(verr),
                 msg);
    shm_region_unmap(&cli);
    server_destroy(&s);
}

Test(attach, size_differs_from_announced, .timeout = 10)
{
    struct server s;
    char want[32];

    server_create(&s, 0, 0);
    snprintf(want, sizeof(want), "%llu",
             (unsigned long long)s.lay.region_size + 4096);
    expect_attach_fails(&s, s.lay.region_size + 4096, SHM_VERR_SIZE, want);
    snprintf(want, sizeof(want), "%llu",
             (unsigned long long)s.lay.region_size - 4096);
    expect_attach_fails(&s, s.lay.region_size - 4096, SHM_VERR_SIZE, want);
    server_destroy(&s);
}

Test(attach, short_descriptor, .timeout = 10)
{
    struct server s;
    int fd;

    /* A descriptor smaller than a header, announced with its true size. */
    fd = memfd_create("mcdshm-test-short", MFD_CLOEXEC);
    cr_assert_geq(fd, 0, "memfd_create: %s", strerror(errno));
    cr_assert_eq(ftruncate(fd, 100), 0);
    s.fd = fd;
    expect_attach_fails(&s, 100, SHM_VERR_SHORT, "100");
    close(fd);
}

Test(attach, zeroed_descriptor, .timeout = 10)
{
    struct server s;
    int fd;

    /* Right-looking size but never initialised: no magic. */
    fd = memfd_create("mcdshm-test-zero", MFD_CLOEXEC);
    cr_assert_geq(fd, 0, "memfd_create: %s", strerror(errno));
    cr_assert_eq(ftruncate(fd, 1 << 20), 0);
    s.fd = fd;
    expect_attach_fails(&s, 1 << 20, SHM_VERR_MAGIC, "magic");
    close(fd);
}

Test(attach, bad_descriptor, .timeout = 10)
{
    struct shm_region cli;
    enum shm_verr verr = SHM_VERR_RING;
    char msg[64] = "";
    int rc;

    memset(&cli, 0, sizeof(cli));
    rc = shm_region_attach(-1, 1 << 20, &cli, &verr, msg, sizeof(msg));
    cr_expect_eq(rc, -EBADF, "attach(-1) = %d, expected -EBADF", rc);
    cr_expect_eq(verr, SHM_VERR_OK);
    cr_expect_null(cli.base);
}

/* ------------------------------------------------------------------------
 * shm_verr_name
 */

Test(verr_name, distinct_and_known, .timeout = 10)
{
    enum shm_verr a, b;

    for (a = SHM_VERR_OK; a <= SHM_VERR_RING; a++) {
        const char *na = shm_verr_name(a);

        cr_assert_not_null(na, "code %d has no name", (int)a);
        cr_expect_neq(na[0], '\0', "code %d has an empty name", (int)a);
        cr_expect_str_neq(na, "unknown", "code %d is named unknown",
                          (int)a);
        for (b = a + 1; b <= SHM_VERR_RING; b++) {
            cr_expect_str_neq(na, shm_verr_name(b),
                              "codes %d and %d are both named \"%s\"",
                              (int)a, (int)b, na);
        }
    }
    cr_expect_str_eq(shm_verr_name((enum shm_verr)(SHM_VERR_TRACE + 1)),
                     "unknown");
    cr_expect_str_eq(shm_verr_name((enum shm_verr)1000), "unknown");
}

/* A header with trace lanes, as shm_layout_add_trace() lays it out. */
static void trace_header(struct mcdshm_region_hdr *h, struct shm_layout *lay)
{
    struct shm_region r;
    int fd;

    cr_assert_eq(shm_layout_compute(0, 0, lay), 0);
    cr_assert_eq(shm_layout_add_trace(lay, 2, MCDSHM_TRACE_FRAMES_MIN), 0);
    cr_assert_eq(shm_region_create(lay, 1, &r, &fd), 0);
    memcpy(h, r.base, sizeof(*h));
    shm_region_unmap(&r);
    close(fd);
}

Test(trace, layout_adds_lanes_after_the_payload, .timeout = 10)
{
    struct shm_layout base, lay;

    cr_assert_eq(shm_layout_compute(0, 0, &base), 0);
    lay = base;
    cr_assert_eq(shm_layout_add_trace(&lay, 0, 0), 0);
    cr_expect_eq(lay.features, MCDSHM_FEAT_TRACE);
    cr_expect_eq(lay.trace_lanes, MCDSHM_TRACE_LANES_DEFAULT);
    cr_expect_eq(lay.trace_frames, MCDSHM_TRACE_FRAMES_DEFAULT);
    cr_expect_eq(lay.trace_off, base.region_size);
    cr_expect_eq(lay.trace_off % 4096, 0);
    cr_expect_geq(lay.trace_stride,
                  sizeof(struct mcdshm_trace_lane) +
                      (uint64_t)MCDSHM_TRACE_FRAMES_DEFAULT *
                          MCDSHM_TRACE_FRAME_MAX);
    cr_expect_eq(lay.region_size,
                 base.region_size + lay.trace_lanes * lay.trace_stride);
    lay = base;
    cr_expect_eq(shm_layout_add_trace(&lay, MCDSHM_TRACE_LANES_MAX + 1, 0),
                 -EINVAL);
    cr_expect_eq(shm_layout_add_trace(&lay, 1, 3000), -EINVAL);
    cr_expect_eq(shm_layout_add_trace(&lay, 1, 512), -EINVAL);
    cr_expect_eq(shm_layout_add_trace(&lay, 1, MCDSHM_TRACE_FRAMES_MAX * 2),
                 -EINVAL);
    cr_expect_eq(shm_layout_add_trace(&lay, 16, MCDSHM_TRACE_FRAMES_MAX),
                 -EINVAL, "16 lanes of 4 Mi frames exceed the region limit");
    cr_expect_eq(lay.features, 0, "a refused layout is left alone");
}

Test(trace, header_with_lanes_validates, .timeout = 10)
{
    struct mcdshm_region_hdr h;
    struct shm_layout lay, got;
    char msg[256];

    trace_header(&h, &lay);
    cr_assert_eq(shm_region_validate(&h, lay.region_size, &got, msg,
                                     sizeof(msg)),
                 SHM_VERR_OK, "%s", msg);
    cr_expect_eq(got.trace_lanes, 2);
    cr_expect_eq(got.trace_frames, MCDSHM_TRACE_FRAMES_MIN);
    cr_expect_eq(got.trace_off, lay.trace_off);
    cr_expect_eq(got.trace_stride, lay.trace_stride);
}

Test(trace, each_bad_lane_field_is_named, .timeout = 10)
{
    struct mcdshm_region_hdr h, valid;
    struct shm_layout lay;

    trace_header(&valid, &lay);
    h = valid;
    h.features = 0;
    expect_verr(&h, lay.region_size, SHM_VERR_TRACE, "trace_lanes",
                "without");
    h = valid;
    h.trace_lanes = 0;
    expect_verr(&h, lay.region_size, SHM_VERR_TRACE, "trace_lanes", "0");
    h = valid;
    h.trace_lanes = MCDSHM_TRACE_LANES_MAX + 1;
    expect_verr(&h, lay.region_size, SHM_VERR_TRACE, "trace_lanes", "17");
    h = valid;
    h.trace_frames = 1000;
    expect_verr(&h, lay.region_size, SHM_VERR_TRACE, "trace_frames", "1000");
    h = valid;
    h.trace_stride = 64;
    expect_verr(&h, lay.region_size, SHM_VERR_TRACE, "trace_stride", "64");
    h = valid;
    h.trace_stride += 8;
    expect_verr(&h, lay.region_size, SHM_VERR_TRACE, "trace_stride", NULL);
    h = valid;
    h.trace_off += 64;
    expect_verr(&h, lay.region_size, SHM_VERR_RANGE, "trace_off", NULL);
    h = valid;
    h.trace_off = h.payload_off;
    expect_verr(&h, lay.region_size, SHM_VERR_OVERLAP, "trace_off", NULL);
    h = valid;
    h.trace_off += 8;
    expect_verr(&h, lay.region_size, SHM_VERR_ALIGN, "trace_off", NULL);
}
