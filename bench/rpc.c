/*
 * The binary RPC baselines.  The record codec is the predecessor client
 * library's (spec section 8): integers little-endian, no padding, every
 * array as a uint32 count and its elements, fixed strings at full size,
 * result members after a presence byte only when ret is MCD_RET_ACT_NONE,
 * core pointers as core_uid, and a request [uint32 length][uint8 function
 * UID][arguments] answered by [uint32 length][result], one in flight.
 *
 *   rpc-tcp   the predecessor itself: TCP loopback, a 65535-byte packet
 *             buffer (MCD_MAX_PACKET_LENGTH), so a read moves at most
 *             RPC_TCP_CHUNK bytes per call, and, as its marshaller does,
 *             the whole transaction list, data included, travels both ways;
 *   rpc-unix  the same records over a Unix socket without the predecessor's
 *             limits: data only in the answer, reads up to 256 KiB per call
 *             (mcdshm's payload per slot).
 * zmq.c sends the same records (without the length word) as ZeroMQ
 * messages.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/rpc.h"

#define RPC_MAX_PACKET 65535u
/* Largest read whose request and answer both fit one packet (63 bytes of
 * framing and transaction fields around the data). */
#define RPC_TCP_CHUNK (RPC_MAX_PACKET - 63u)

/* ------------------------------------------------------------------------
 * Encoding
 */

static void grow(struct rpc_buf *b, size_t more)
{
    if (b->len + more > b->cap) {
        while (b->len + more > b->cap) {
            b->cap = b->cap ? 2 * b->cap : 4096;
        }
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            fprintf(stderr, "mcdshm-bench: rpc: out of memory\n");
            exit(1);
        }
    }
}

static void put(struct rpc_buf *b, const void *v, size_t n)
{
    grow(b, n);
    memcpy(b->p + b->len, v, n);
    b->len += n;
}

/* The host is little-endian (the project asserts it), as is the wire. */
static void put8(struct rpc_buf *b, uint8_t v)
{
    put(b, &v, 1);
}

static void put32(struct rpc_buf *b, uint32_t v)
{
    put(b, &v, 4);
}

static void put64(struct rpc_buf *b, uint64_t v)
{
    put(b, &v, 8);
}

static void put_str(struct rpc_buf *b, const char *s, uint32_t size)
{
    char tmp[MCD_INFO_STR_LEN] = { 0 };

    snprintf(tmp, sizeof(tmp), "%s", s);
    put32(b, size);
    put(b, tmp, size);
}

struct rd {
    const uint8_t *p;
    size_t len, off;
};

static void get(struct rd *r, void *v, size_t n)
{
    if (r->len - r->off < n) {
        fprintf(stderr,
                "mcdshm-bench: rpc: record ends at byte %zu, %zu "
                "more wanted\n",
                r->len, n);
        exit(1);
    }
    memcpy(v, r->p + r->off, n);
    r->off += n;
}

static uint8_t get8(struct rd *r)
{
    uint8_t v;

    get(r, &v, 1);
    return v;
}

static uint32_t get32(struct rd *r)
{
    uint32_t v;

    get(r, &v, 4);
    return v;
}

static uint64_t get64(struct rd *r)
{
    uint64_t v;

    get(r, &v, 8);
    return v;
}

static void get_str(struct rd *r, char *s, uint32_t size)
{
    uint32_t n = get32(r);

    if (n != size) {
        fprintf(stderr, "mcdshm-bench: rpc: string of %u bytes, want %u\n", n,
                size);
        exit(1);
    }
    get(r, s, n);
    s[size - 1] = 0;
}

/* One transaction; @data: whether its bytes travel (else count 0). */
static void put_tx(struct rpc_buf *b, const mcd_tx_st *tx, int data)
{
    put64(b, tx->addr.address);
    put32(b, tx->addr.mem_space_id);
    put32(b, tx->addr.addr_space_id);
    put32(b, tx->addr.addr_space_type);
    put32(b, tx->access_type);
    put32(b, tx->options);
    put8(b, tx->access_width);
    put8(b, tx->core_mode);
    put32(b, data ? tx->num_bytes : 0);
    if (data) {
        put(b, tx->data, tx->num_bytes);
    }
    put32(b, tx->num_bytes);
    put32(b, tx->num_bytes_ok);
}

/* Decode a transaction; its data go to @buf (of @cap bytes) or, with
 * @buf NULL, to a fresh allocation the caller frees. */
static void get_tx(struct rd *r, mcd_tx_st *tx, uint8_t *buf, uint32_t cap)
{
    uint32_t n;

    memset(tx, 0, sizeof(*tx));
    tx->addr.address = get64(r);
    tx->addr.mem_space_id = get32(r);
    tx->addr.addr_space_id = get32(r);
    tx->addr.addr_space_type = get32(r);
    tx->access_type = get32(r);
    tx->options = get32(r);
    tx->access_width = get8(r);
    tx->core_mode = get8(r);
    n = get32(r);
    if (n > r->len - r->off || (buf && n > cap)) {
        fprintf(stderr,
                "mcdshm-bench: rpc: data count %u past the record "
                "or the buffer\n",
                n);
        exit(1);
    }
    tx->data = buf ? buf : xmalloc(n ? n : 1);
    get(r, tx->data, n);
    tx->num_bytes = get32(r);
    tx->num_bytes_ok = get32(r);
    if (!buf && n < tx->num_bytes) {
        tx->data = realloc(tx->data, tx->num_bytes);
        if (!tx->data) {
            exit(1);
        }
    }
}

void rpc_req_state(struct rpc_buf *b)
{
    b->len = 0;
    put8(b, RPC_UID_QRY_STATE);
    put32(b, 1); /* core_uid */
}

void rpc_req_txlist(struct rpc_buf *b, const mcd_tx_st *tx, uint32_t ntx,
                    int echo)
{
    b->len = 0;
    put8(b, RPC_UID_EXECUTE_TXLIST);
    put32(b, 1);
    put32(b, ntx);
    for (uint32_t i = 0; i < ntx; i++) {
        put_tx(b, &tx[i], echo || (tx[i].access_type & MCD_TX_AT_W));
    }
    put32(b, ntx);
    put32(b, 0);
}

mcd_return_et rpc_resp_state(const uint8_t *p, size_t len,
                             mcd_core_state_st *st)
{
    struct rd r = { p, len, 0 };
    mcd_return_et rc = get32(&r);

    if (rc == MCD_RET_ACT_NONE && get8(&r)) {
        memset(st, 0, sizeof(*st));
        st->state = get32(&r);
        st->event = get32(&r);
        st->hw_thread_id = get32(&r);
        st->trig_id = get32(&r);
        get_str(&r, st->stop_str, MCD_INFO_STR_LEN);
        get_str(&r, st->info_str, MCD_INFO_STR_LEN);
    }
    return rc;
}

mcd_return_et rpc_resp_txlist(const uint8_t *p, size_t len, mcd_tx_st *tx,
                              uint32_t ntx)
{
    struct rd r = { p, len, 0 };
    mcd_return_et rc = get32(&r);
    uint32_t n;

    if (rc != MCD_RET_ACT_NONE || !get8(&r)) {
        return rc;
    }
    n = get32(&r);
    if (n != ntx) {
        fprintf(stderr, "mcdshm-bench: rpc: %u transactions back, sent %u\n", n,
                ntx);
        exit(1);
    }
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *data = tx[i].data;
        uint32_t want = tx[i].num_bytes;

        get_tx(&r, &tx[i], data, want);
        if (tx[i].num_bytes != want || tx[i].data != data) {
            fprintf(stderr, "mcdshm-bench: rpc: transaction %u changed\n", i);
            exit(1);
        }
    }
    return rc;
}

/* Server: answer the request @p (without its length word) into @out. */
int rpc_serve(struct bench_target *bt, const uint8_t *p, size_t len,
              struct rpc_buf *out, int echo)
{
    struct rd r = { p, len, 0 };
    uint8_t uid = get8(&r);
    mcd_return_et rc;

    out->len = 0;
    if (get32(&r) != 1) {
        put32(out, MCD_RET_ACT_HANDLE_ERROR);
        return 0;
    }
    if (uid == RPC_UID_QRY_STATE) {
        mcd_core_state_st st;

        rc = bt_state(bt, &st);
        put32(out, rc);
        put8(out, rc == MCD_RET_ACT_NONE);
        if (rc == MCD_RET_ACT_NONE) {
            put32(out, st.state);
            put32(out, st.event);
            put32(out, st.hw_thread_id);
            put32(out, st.trig_id);
            put_str(out, st.stop_str, MCD_INFO_STR_LEN);
            put_str(out, st.info_str, MCD_INFO_STR_LEN);
        }
    } else if (uid == RPC_UID_EXECUTE_TXLIST) {
        uint32_t n = get32(&r), ok = 0;
        mcd_tx_st *tx = xmalloc((n ? n : 1) * sizeof(*tx));

        rc = MCD_RET_ACT_NONE;
        for (uint32_t i = 0; i < n; i++) {
            get_tx(&r, &tx[i], NULL, 0);
            if (rc == MCD_RET_ACT_NONE) {
                rc = bt_access(bt, &tx[i]);
                ok += rc == MCD_RET_ACT_NONE;
            }
        }
        put32(out, rc);
        put8(out, rc == MCD_RET_ACT_NONE);
        if (rc == MCD_RET_ACT_NONE) {
            put32(out, n);
            for (uint32_t i = 0; i < n; i++) {
                put_tx(out, &tx[i], echo || (tx[i].access_type & MCD_TX_AT_R));
            }
            put32(out, n);
            put32(out, ok);
        }
        for (uint32_t i = 0; i < n; i++) {
            free(tx[i].data);
        }
        free(tx);
    } else {
        put32(out, MCD_RET_ACT_HANDLE_ERROR);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Over a stream socket: [uint32 length] then the record
 */

struct rpc_flavour {
    int tcp, echo;
    uint32_t max_packet; /* 0: none */
};

static const struct rpc_flavour tcp_flavour = { 1, 1, RPC_MAX_PACKET };
static const struct rpc_flavour unix_flavour = { 0, 0, 0 };

struct xconn {
    int fd;
    const struct rpc_flavour *f;
    struct rpc_buf req;
    uint8_t *resp;
    size_t resp_cap, resp_len;
};

static void send_rec(int fd, const struct rpc_buf *b, uint32_t max)
{
    uint32_t len = (uint32_t)b->len;

    if (max && b->len + 4 > max) {
        fprintf(stderr,
                "mcdshm-bench: rpc: a %zu-byte packet exceeds the "
                "%u-byte buffer\n",
                b->len + 4, max);
        exit(1);
    }
    write_all(fd, &len, 4);
    write_all(fd, b->p, b->len);
}

/* Receive one record into *@p (grown as needed); 0 on hang-up. */
static int recv_rec(int fd, uint8_t **p, size_t *cap, size_t *len)
{
    uint32_t n;

    if (!read_all(fd, &n, 4)) {
        return 0;
    }
    if (n > *cap) {
        *cap = n;
        *p = realloc(*p, n);
        if (!*p) {
            fprintf(stderr, "mcdshm-bench: rpc: out of memory\n");
            exit(1);
        }
    }
    if (!read_all(fd, *p, n)) {
        fprintf(stderr, "mcdshm-bench: rpc: hang-up inside a record\n");
        exit(1);
    }
    *len = n;
    return 1;
}

static void rpc_server(int lfd, const struct rpc_flavour *f,
                       const struct opts *o, uint32_t ram_mib)
{
    struct rpc_buf out = { 0 };
    struct bench_target *bt;
    uint8_t *req = NULL;
    size_t cap = 0, len;
    int fd;

    pin(o->cpu_server);
    bt = bt_create(ram_mib);
    fd = sock_accept(lfd);
    close(lfd);
    while (recv_rec(fd, &req, &cap, &len)) {
        rpc_serve(bt, req, len, &out, f->echo);
        send_rec(fd, &out, f->max_packet);
    }
    _exit(0);
}

static pid_t rpc_spawn(const struct xport *x, const struct opts *o,
                       uint32_t ram_mib, char *addr, size_t len)
{
    const struct rpc_flavour *f = x->priv;
    int lfd = sock_listen(f->tcp, addr, len);
    pid_t pid = fork_or_die();

    if (pid == 0) {
        rpc_server(lfd, f, o, ram_mib);
    }
    close(lfd);
    return pid;
}

static struct xconn *rpc_connect(const struct xport *x, const char *addr)
{
    struct xconn *c = xmalloc(sizeof(*c));

    memset(c, 0, sizeof(*c));
    c->f = x->priv;
    c->fd = sock_connect(addr);
    return c;
}

static void call(struct xconn *c)
{
    send_rec(c->fd, &c->req, c->f->max_packet);
    if (!recv_rec(c->fd, &c->resp, &c->resp_cap, &c->resp_len)) {
        fprintf(stderr, "mcdshm-bench: rpc: server hung up\n");
        exit(1);
    }
}

static mcd_return_et rpc_state(struct xconn *c, mcd_core_state_st *st)
{
    rpc_req_state(&c->req);
    call(c);
    return rpc_resp_state(c->resp, c->resp_len, st);
}

static mcd_return_et rpc_txlist(struct xconn *c, mcd_tx_st *tx, uint32_t ntx)
{
    rpc_req_txlist(&c->req, tx, ntx, c->f->echo);
    call(c);
    return rpc_resp_txlist(c->resp, c->resp_len, tx, ntx);
}

static void rpc_close(struct xconn *c)
{
    close(c->fd);
    free(c->req.p);
    free(c->resp);
    free(c);
}

const struct xport xport_rpc_tcp = {
    .name = "rpc-tcp",
    .chunk = RPC_TCP_CHUNK,
    .spawn = rpc_spawn,
    .connect = rpc_connect,
    .state = rpc_state,
    .txlist = rpc_txlist,
    .close = rpc_close,
    .priv = &tcp_flavour,
};

const struct xport xport_rpc_unix = {
    .name = "rpc-unix",
    .chunk = RPC_CHUNK,
    .spawn = rpc_spawn,
    .connect = rpc_connect,
    .state = rpc_state,
    .txlist = rpc_txlist,
    .close = rpc_close,
    .priv = &unix_flavour,
};
