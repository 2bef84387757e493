/*
 * The ZeroMQ baselines: REQ/REP (strictly one request in flight) over
 * ipc:// (a Unix socket underneath) and tcp://127.0.0.1, each message one
 * record of the binary RPC (rpc.c, without the length word: ZeroMQ frames
 * its messages).  Data only in the answer, reads up to RPC_CHUNK per call,
 * as rpc-unix.  The server's I/O thread and the client's are ZeroMQ's own.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "bench/bench.h"
#include "bench/rpc.h"

/* A request of this one byte ends the server (REQ/REP has no hang-up). */
#define ZMQ_BYE 0

struct xconn {
    void *ctx, *sock;
    struct rpc_buf req;
    zmq_msg_t resp;
};

static void zdie(const char *what)
{
    fprintf(stderr, "mcdshm-bench: zmq: %s: %s\n", what,
            zmq_strerror(zmq_errno()));
    exit(1);
}

static void zsend(void *sock, const void *p, size_t len)
{
    while (zmq_send(sock, p, len, 0) < 0) {
        if (zmq_errno() != EINTR) {
            zdie("send");
        }
    }
}

static void zrecv(void *sock, zmq_msg_t *m)
{
    while (zmq_msg_recv(m, sock, 0) < 0) {
        if (zmq_errno() != EINTR) {
            zdie("receive");
        }
    }
}

/* Child: bind, tell the parent the endpoint through @wfd, serve. */
static void zmq_server(const char *want, int wfd, const struct opts *o,
                       uint32_t ram_mib)
{
    struct bench_target *bt;
    struct rpc_buf out = { 0 };
    char ep[256];
    size_t eplen = sizeof(ep);
    void *ctx, *sock;
    zmq_msg_t m;

    pin(o->cpu_server);
    bt = bt_create(ram_mib);
    ctx = zmq_ctx_new();
    sock = ctx ? zmq_socket(ctx, ZMQ_REP) : NULL;
    if (!sock || zmq_bind(sock, want) < 0 ||
        zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, ep, &eplen) < 0) {
        zdie(want);
    }
    write_all(wfd, ep, strlen(ep) + 1);
    close(wfd);
    zmq_msg_init(&m);
    for (;;) {
        const uint8_t *p;

        zrecv(sock, &m);
        p = zmq_msg_data(&m);
        if (zmq_msg_size(&m) == 1 && p[0] == ZMQ_BYE) {
            zsend(sock, "", 0);
            break;
        }
        rpc_serve(bt, p, zmq_msg_size(&m), &out, 0);
        zsend(sock, out.p, out.len);
    }
    zmq_msg_close(&m);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    _exit(0);
}

static pid_t zmq_spawn(const struct xport *x, const struct opts *o,
                       uint32_t ram_mib, char *addr, size_t len)
{
    char want[128];
    int p[2];
    pid_t pid;
    size_t got = 0;

    if (!strcmp(x->priv, "ipc")) {
        char name[64];
        const char *dir = getenv("TMPDIR");

        unique_name(name, sizeof(name), "bench-zmq");
        snprintf(want, sizeof(want), "ipc://%s/%s", dir && *dir ? dir : "/tmp",
                 name);
    } else {
        snprintf(want, sizeof(want), "tcp://127.0.0.1:*");
    }
    if (pipe(p) < 0) {
        perror("mcdshm-bench: pipe");
        exit(1);
    }
    pid = fork_or_die();
    if (pid == 0) {
        close(p[0]);
        zmq_server(want, p[1], o, ram_mib);
    }
    close(p[1]);
    /* The endpoint, NUL included. */
    while (got < len) {
        ssize_t n = read(p[0], addr + got, len - got);

        if (n <= 0) {
            break;
        }
        got += (size_t)n;
        if (addr[got - 1] == 0) {
            break;
        }
    }
    close(p[0]);
    if (got == 0 || addr[got - 1] != 0) {
        fprintf(stderr, "mcdshm-bench: zmq: server did not start on %s\n",
                want);
        exit(1);
    }
    return pid;
}

static struct xconn *zmq_connect_x(const struct xport *x, const char *addr)
{
    struct xconn *c = xmalloc(sizeof(*c));

    (void)x;
    memset(c, 0, sizeof(*c));
    c->ctx = zmq_ctx_new();
    c->sock = c->ctx ? zmq_socket(c->ctx, ZMQ_REQ) : NULL;
    if (!c->sock || zmq_connect(c->sock, addr) < 0) {
        zdie(addr);
    }
    zmq_msg_init(&c->resp);
    return c;
}

static void zcall(struct xconn *c)
{
    zsend(c->sock, c->req.p, c->req.len);
    zrecv(c->sock, &c->resp);
}

static mcd_return_et zmq_state(struct xconn *c, mcd_core_state_st *st)
{
    rpc_req_state(&c->req);
    zcall(c);
    return rpc_resp_state(zmq_msg_data(&c->resp), zmq_msg_size(&c->resp), st);
}

static mcd_return_et zmq_txlist(struct xconn *c, mcd_tx_st *tx, uint32_t ntx)
{
    rpc_req_txlist(&c->req, tx, ntx, 0);
    zcall(c);
    return rpc_resp_txlist(zmq_msg_data(&c->resp), zmq_msg_size(&c->resp), tx,
                           ntx);
}

static void zmq_close_x(struct xconn *c)
{
    uint8_t bye = ZMQ_BYE;

    zsend(c->sock, &bye, 1);
    zrecv(c->sock, &c->resp);
    zmq_msg_close(&c->resp);
    zmq_close(c->sock);
    zmq_ctx_term(c->ctx);
    free(c->req.p);
    free(c);
}

const struct xport xport_zmq_ipc = {
    .name = "zmq-ipc",
    .chunk = RPC_CHUNK,
    .spawn = zmq_spawn,
    .connect = zmq_connect_x,
    .state = zmq_state,
    .txlist = zmq_txlist,
    .close = zmq_close_x,
    .priv = "ipc",
};

const struct xport xport_zmq_tcp = {
    .name = "zmq-tcp",
    .chunk = RPC_CHUNK,
    .spawn = zmq_spawn,
    .connect = zmq_connect_x,
    .state = zmq_state,
    .txlist = zmq_txlist,
    .close = zmq_close_x,
    .priv = "tcp",
};
