/*
 * mcd_execute_txlist_f over the rings: chunking and pipelining.
 *
 * The tool's list is cut into requests that each carry at most
 * MCDSHM_TX_MAX transactions and fit one slot's payload area: the
 * descriptor array at offset 0, then each transaction's data 8-byte
 * aligned.  A transaction that does not fit the room left is split into
 * pieces (sub-transactions) of whole access_width units; a piece's address
 * advances by the bytes before it, unless MCD_TX_OPT_NOINCREMENT keeps it.
 * Registers are split the same way.  Up to min(nslots, MCDC_MAX_INFLIGHT)
 * requests are in flight: while the server works on one, the library fills
 * the next slot and copies read data out of answered ones.
 *
 * Progress is merged exactly: a piece counts only when every piece before
 * it succeeded; num_bytes_ok of the failing transaction adds the bytes its
 * failing piece did.  After the first failure no request is sent; the
 * requests already in flight are marked MCDSHM_REQ_F_AFTER_PREV, so the
 * server answers them without executing them, and those answers are
 * consumed and ignored: the list stops at its first error, as the API
 * says, although it is pipelined.  The tool's data pointers never
 * travel: data is copied into and out of the payload areas.
 *
 * Runs on the calling thread with the connection locked; the in-flight
 * table lives in the connection.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host-side/lib/client.h"
#include "shm/txcheck.h"

#define DESC_SIZE ((uint32_t)sizeof(struct mcdshm_tx))

/* Window reads of at least this many bytes use pread() (window_pread()). */
#define MCDC_WINDOW_PREAD_MIN 4096u

/* A part of one of the tool's transactions, carried by one request. */
struct piece {
    uint32_t tx;       /* index in the tool's list */
    uint32_t off;      /* first byte inside that transaction */
    uint32_t len;      /* bytes */
    uint32_t data_off; /* where they sit in the payload area */
};

/* The pieces of one request. */
struct chunk {
    uint32_t n;
    uint32_t payload_len;
    struct piece p[MCDSHM_TX_MAX];
};

/* The state of one mcd_execute_txlist_f. */
struct run {
    struct mcdc_call *x;
    mcd_txlist_st *tl;
    struct chunk *ring; /* depth entries, indexed by chunk number */
    uint32_t depth;
    uint32_t issued;  /* chunks sent */
    uint32_t done;    /* chunks answered */
    uint32_t tx, off; /* the cursor: next byte to plan */
    bool stop;        /* a chunk failed: send no more */
};

static uint32_t align8(uint32_t v)
{
    return (v + 7) & ~7u;
}

static bool reads(uint32_t at)
{
    return at != MCD_TX_AT_W;
}

static bool writes(uint32_t at)
{
    return at != MCD_TX_AT_R;
}

/* Cut the next chunk at the cursor. */
static void plan(struct run *t, struct chunk *ch, uint32_t size)
{
    uint32_t data = 0, room, left, len, unit, desc, off, k;
    const mcd_tx_st *tx;

    ch->n = 0;
    while (t->tx < t->tl->num_tx && ch->n < MCDSHM_TX_MAX) {
        tx = &t->tl->tx[t->tx];
        desc = align8((ch->n + 1) * DESC_SIZE);
        room = size - desc - data; /* a multiple of 8, never negative */
        left = tx->num_bytes - t->off;
        len = left < room ? left : room;
        unit = tx->access_width ? tx->access_width : 1;
        if (len < left && len >= unit) {
            len -= len % unit;
        }
        if (len == 0 && left > 0) {
            break;
        }
        ch->p[ch->n++] = (struct piece){ t->tx, t->off, len, 0 };
        data += align8(len);
        t->off += len;
        if (t->off < tx->num_bytes) {
            break;
        }
        t->tx++;
        t->off = 0;
    }
    off = align8(ch->n * DESC_SIZE);
    for (k = 0; k < ch->n; k++) {
        ch->p[k].data_off = off;
        off += align8(ch->p[k].len);
    }
    ch->payload_len = off;
}

/* The descriptor of piece @p. */
static void describe(const mcd_tx_st *tx, const struct piece *p,
                     struct mcdshm_tx *d)
{
    memset(d, 0, sizeof(*d));
    d->addr.address = tx->addr.address;
    if (!(tx->options & MCD_TX_OPT_NOINCREMENT)) {
        d->addr.address += p->off;
    }
    d->addr.mem_space_id = tx->addr.mem_space_id;
    d->addr.addr_space_id = tx->addr.addr_space_id;
    d->addr.addr_space_type = tx->addr.addr_space_type;
    d->access_type = tx->access_type;
    d->options = tx->options;
    d->access_width = tx->access_width;
    d->core_mode = tx->core_mode;
    d->num_bytes = p->len;
    d->data_off = p->data_off;
}

/* Plan, encode and send the next chunk. */
static int issue(struct run *t)
{
    struct chunk *ch = &t->ring[t->issued % t->depth];
    struct mcdshm_tx d;
    struct mcdshm_req *q;
    const mcd_tx_st *tx;
    uint8_t *pl;
    uint32_t k;
    int r;

    r = mcdc_req_begin(t->x, MCDSHM_FN_EXECUTE_TXLIST, &q, &pl);
    if (r < 0) {
        return r;
    }
    plan(t, ch, t->x->conn->payload_size);
    for (k = 0; k < ch->n; k++) {
        tx = &t->tl->tx[ch->p[k].tx];
        describe(tx, &ch->p[k], &d);
        memcpy(pl + k * DESC_SIZE, &d, sizeof(d));
        if (writes(tx->access_type) && ch->p[k].len) {
            memcpy(pl + ch->p[k].data_off, tx->data + ch->p[k].off,
                   ch->p[k].len);
        }
    }
    if (t->issued) {
        /* Not the list's first request: the server skips it if an
         * earlier one failed, so the list stops at its first error. */
        q->hdr.flags |= MCDSHM_REQ_F_AFTER_PREV;
    }
    q->u.execute_txlist.num_tx = ch->n;
    q->u.execute_txlist.tx.len = ch->n * DESC_SIZE;
    mcdc_req_send(t->x, ch->payload_len);
    t->issued++;
    return 0;
}

/* Check an answer's progress against the chunk it answers. */
static int check_progress(struct run *t, const struct chunk *ch,
                          const struct mcdshm_resp *a)
{
    const struct mcdshm_resp_execute_txlist *o = &a->u.execute_txlist;
    uint32_t k;

    if (o->num_tx_ok > ch->n ||
        (a->hdr.ret == MCD_RET_ACT_NONE && o->num_tx_ok != ch->n)) {
        return mcdc_malformed(t->x,
                              "num_tx_ok %u for %u transactions (ret "
                              "0x%x)",
                              o->num_tx_ok, ch->n, a->hdr.ret);
    }
    for (k = 0; k < ch->n; k++) {
        if (o->num_bytes_ok[k] > ch->p[k].len ||
            (k < o->num_tx_ok && o->num_bytes_ok[k] != ch->p[k].len)) {
            return mcdc_malformed(t->x,
                                  "num_bytes_ok[%u] %u for a "
                                  "transaction of %u bytes",
                                  k, o->num_bytes_ok[k], ch->p[k].len);
        }
    }
    return 0;
}

/*
 * Merge the progress of piece @k (@bytes done, @complete if the server
 * counted it in num_tx_ok) and copy its read data.
 */
static int merge(struct run *t, const struct chunk *ch, uint32_t k,
                 uint32_t bytes, bool complete, const struct mcdshm_resp *a,
                 const uint8_t *rpl)
{
    const struct piece *p = &ch->p[k];
    mcd_tx_st *tx = &t->tl->tx[p->tx];
    struct mcdshm_span sp = { p->data_off, bytes };
    int r;

    if (bytes && reads(tx->access_type)) {
        r = mcdc_resp_span(t->x, a, sp, "tx data");
        if (r < 0) {
            return r;
        }
        memcpy(tx->data + p->off, rpl + p->data_off, bytes);
    }
    tx->num_bytes_ok += bytes;
    if (complete && p->off + p->len == tx->num_bytes) {
        t->tl->num_tx_ok = p->tx + 1;
    }
    return 0;
}

/*
 * The server's message numbers the transactions of the request that
 * failed; when the list was cut, say which of the tool's it was.
 */
static void annotate(struct run *t, const struct chunk *ch, uint32_t k)
{
    char *msg = t->x->res.error_str;
    size_t len = strnlen(msg, sizeof(t->x->res.error_str));
    const struct piece *p;
    uint32_t total;

    if (ch->n == 0) {
        return;
    }
    p = &ch->p[k < ch->n ? k : ch->n - 1];
    total = t->tl->tx[p->tx].num_bytes;
    if (p->tx == k && p->off == 0 && p->len == total) {
        return;
    }
    snprintf(msg + len, sizeof(t->x->res.error_str) - len,
             " (in the tool's list: tx %u, a piece of bytes %u..%u of %u)",
             p->tx, p->off, p->off + p->len, total);
}

/* Consume the oldest answer. */
static int collect(struct run *t)
{
    const struct chunk *ch = &t->ring[t->done % t->depth];
    const struct mcdshm_resp_execute_txlist *o;
    struct mcdshm_resp a;
    const uint8_t *rpl;
    uint32_t k;
    int r;

    r = mcdc_resp_wait(t->x, MCDSHM_FN_EXECUTE_TXLIST, &a, &rpl);
    if (r < 0) {
        return r;
    }
    t->done++;
    o = &a.u.execute_txlist;
    r = t->stop ? 0 : check_progress(t, ch, &a);
    for (k = 0; r == 0 && !t->stop && k <= o->num_tx_ok && k < ch->n; k++) {
        r = merge(t, ch, k, o->num_bytes_ok[k], k < o->num_tx_ok, &a, rpl);
    }
    if (r == 0 && !t->stop && a.hdr.ret != MCD_RET_ACT_NONE) {
        mcdc_answer(t->x, &a);
        annotate(t, ch, o->num_tx_ok);
        t->stop = true;
    }
    mcdc_resp_done(t->x);
    return r;
}

/*
 * Check the tool's list before anything is sent or read through the
 * window, with the checks the server makes (shm/txcheck.c): both paths
 * accept and refuse the same lists with the same messages.
 */
static int check_list(struct mcdc_call *x, const mcd_txlist_st *tl)
{
    char msg[160];
    uint32_t i;
    int r;

    for (i = 0; i < tl->num_tx; i++) {
        r = mcdshm_tx_check(&tl->tx[i], i, msg, sizeof(msg));
        if (r < 0) {
            return mcdc_fail(x, r, "%s", msg);
        }
    }
    return 0;
}

void mcdc_txlist_free(struct mcdc_conn *c)
{
    free(c->chunks);
    c->chunks = NULL;
}

/* Can the window answer @tx: a plain read inside it? */
static bool in_window(const struct shm_window *w, const mcd_tx_st *tx)
{
    uint64_t a = tx->addr.address;

    return tx->access_type == MCD_TX_AT_R && tx->options == 0 &&
           tx->addr.mem_space_id == w->space && tx->addr.addr_space_id == 0 &&
           a >= w->base && a - w->base <= w->size &&
           tx->num_bytes <= w->size - (a - w->base);
}

/* Reads into the tool's memory of at least this many bytes first populate
 * it (populate_reads()). */
#define MCDC_POPULATE_MIN (64u << 10)
#define MCDC_HUGE_PAGE ((uintptr_t)2 << 20)

/* madvise() the whole @align-aligned blocks inside [p, p + n). */
static void advise_inside(const void *p, size_t n, uintptr_t align, int advice)
{
    uintptr_t lo = ((uintptr_t)p + align - 1) & ~(align - 1);
    uintptr_t hi = ((uintptr_t)p + n) & ~(align - 1);

    if (hi > lo) {
        madvise((void *)lo, hi - lo, advice);
    }
}

/*
 * A debugger that reads a large range once, from a new process, hands us
 * memory it never touched: copying into it faults page by page, and on the
 * 2-core machine measured each fresh 4 KiB page costs 25-35 us (fault and
 * allocation) against about 1 us to copy it: one 16 MiB
 * mcd_execute_txlist_f from a new process ran at 0.09-0.12 GB/s.
 * MADV_POPULATE_WRITE (Linux 5.14) allocates the range's pages in one
 * call (0.14-0.25 GB/s), and MADV_HUGEPAGE on the whole 2 MiB blocks
 * inside the buffer lets that be 2 MiB pages where the system allows
 * (transparent_hugepage "madvise"): 0.78-1.38 GB/s, same run.  Both touch
 * only memory the read is about to write, whole pages inside it; a kernel
 * without them (EINVAL) or any failure leaves the faults as before.
 */
static void populate_reads(const mcd_txlist_st *tl)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    const mcd_tx_st *tx;
    uint32_t i;

    for (i = 0; i < tl->num_tx; i++) {
        tx = &tl->tx[i];
        if (tx->access_type != MCD_TX_AT_R ||
            tx->num_bytes < MCDC_POPULATE_MIN) {
            continue;
        }
        advise_inside(tx->data, tx->num_bytes, MCDC_HUGE_PAGE, MADV_HUGEPAGE);
        advise_inside(tx->data, tx->num_bytes, page, MADV_POPULATE_WRITE);
    }
}

/*
 * Copy @n bytes at @off of the window with pread(2) from its memfd, not
 * from the mapping: the kernel copies resident pages and, for pages the
 * target never wrote (holes of its shmem file), copies zeros without
 * allocating them, and nothing faults in our mapping page by page (a page
 * fault costs about 11 us on the machines measured; a fresh mapping of
 * 64 MiB is 16384 of them).  Reads below MCDC_WINDOW_PREAD_MIN stay a
 * memcpy from the mapping (no system call for a register-sized read).
 * Return 0 or -1 with errno.
 */
static int window_pread(const struct shm_window *w, void *dst, uint32_t n,
                        uint64_t off)
{
    uint8_t *p = dst;
    ssize_t k;

    while (n > 0) {
        k = pread(w->fd, p, n, (off_t)(w->offset + off));
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            errno = k == 0 ? EIO : errno; /* the file shrank: sealed */
            return -1;
        }
        p += k;
        off += (uint64_t)k;
        n -= (uint32_t)k;
    }
    return 0;
}

/*
 * A list of plain reads that all fall inside the direct memory window is
 * answered from the mapping: one copy, no request.  The server must still
 * be there (a poll at most every MCDC_ALIVE_NS), so that a dead server
 * fails the call as it would through the rings.  Return 1 if answered, 0 if the list needs the
 * server, or -EPIPE.
 */
static int window_read(struct mcdc_call *x, mcd_txlist_st *tl)
{
    const struct shm_window *w = &x->conn->shm.window;
    uint32_t i;

    if (!w->map || !x->conn->use_window) {
        return 0;
    }
    for (i = 0; i < tl->num_tx; i++) {
        if (!in_window(w, &tl->tx[i])) {
            return 0;
        }
    }
    if (mcdc_check_alive(x) < 0) {
        return -EPIPE;
    }
    for (i = 0; i < tl->num_tx; i++) {
        mcd_tx_st *tx = &tl->tx[i];
        uint64_t off = tx->addr.address - w->base;

        if (tx->num_bytes < MCDC_WINDOW_PREAD_MIN) {
            memcpy(tx->data, w->map + off, tx->num_bytes);
        } else if (window_pread(w, tx->data, tx->num_bytes, off) < 0) {
            return mcdc_fail(x, -errno,
                             "reading %u bytes at 0x%llx from the memory "
                             "window: %s",
                             tx->num_bytes,
                             (unsigned long long)tx->addr.address,
                             strerror(errno));
        }
        tx->num_bytes_ok = tx->num_bytes;
    }
    tl->num_tx_ok = tl->num_tx;
    mcdc_clear_res(x);
    return 1;
}

int mcdc_txlist(struct mcdc_call *x, mcd_txlist_st *tl)
{
    struct mcdc_conn *c = x->conn;
    struct run t = { .x = x, .tl = tl };
    uint32_t i;
    int r = check_list(x, tl);

    if (r < 0) {
        return r;
    }
    populate_reads(tl);
    r = window_read(x, tl);
    if (r != 0) {
        return r < 0 ? r : 0;
    }
    t.depth = c->nslots < MCDC_MAX_INFLIGHT ? c->nslots : MCDC_MAX_INFLIGHT;
    if (!c->chunks) {
        c->chunks = calloc(t.depth, sizeof(struct chunk));
        if (!c->chunks) {
            return mcdc_fail(x, -ENOMEM, "out of memory");
        }
    }
    t.ring = c->chunks;
    tl->num_tx_ok = 0;
    for (i = 0; i < tl->num_tx; i++) {
        tl->tx[i].num_bytes_ok = 0;
    }
    for (;;) {
        while (!t.stop && t.tx < tl->num_tx && t.issued - t.done < t.depth) {
            r = issue(&t);
            if (r < 0) {
                return r;
            }
        }
        if (t.issued == t.done) {
            return 0;
        }
        r = collect(&t);
        if (r < 0) {
            return r;
        }
    }
}
