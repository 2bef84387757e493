/*
 * libmcdshm's remote transport (remote.h): a connection whose records
 * travel over ZeroMQ to mcdshm-relay instead of through a shared region.
 *
 * The connection keeps a private region (same slot count and payload size
 * as the server's), so client.c builds requests and reads responses in its
 * rings exactly as for a local server; this file moves records between
 * those rings and a ZeroMQ DEALER socket.  Liveness: ZeroMQ heartbeats
 * (ZMQ_HEARTBEAT_IVL/TIMEOUT/TTL) end a connection whose peer is silent
 * for McdShmRelayTimeoutMs, and a socket monitor reports the disconnect,
 * which turns the call in progress and every later one into
 * MCD_ERR_CONNECTION.  The transport is used only by the thread holding
 * the connection's lock.
 *
 * Built without ZeroMQ (no libzmq at configure time), mcdc_remote_open()
 * refuses with a message that says so.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host-side/lib/client.h"
#include "host-side/lib/remote.h"

/* ------------------------------------------------------------------------
 * Key files (also used by mcdshm-relay)
 */

static int key_line(const char *path, int line, char *s, struct mcdshm_keys *k,
                    char *err, size_t errlen)
{
    char *eq = strchr(s, '='), *name = s, *val, *end;
    char *dst;

    if (!eq) {
        snprintf(err, errlen, "%s:%d: not 'name = value'", path, line);
        return -EINVAL;
    }
    *eq = '\0';
    for (end = eq; end > name && isspace((unsigned char)end[-1]); end--) {
    }
    *end = '\0';
    for (val = eq + 1; isspace((unsigned char)*val); val++) {
    }
    for (end = val + strlen(val); end > val && isspace((unsigned char)end[-1]);
         end--) {
    }
    *end = '\0';
    if (strcmp(name, "public") == 0) {
        dst = k->public_key;
    } else if (strcmp(name, "secret") == 0) {
        dst = k->secret_key;
    } else if (strcmp(name, "relay-public") == 0) {
        dst = k->relay_public;
    } else {
        snprintf(err, errlen,
                 "%s:%d: unknown name '%s' (public, secret or relay-public)",
                 path, line, name);
        return -EINVAL;
    }
    if (strlen(val) != MCDSHM_Z85_KEY_LEN) {
        snprintf(err, errlen,
                 "%s:%d: %s is %zu characters, not a Z85 key of %d", path, line,
                 name, strlen(val), MCDSHM_Z85_KEY_LEN);
        return -EINVAL;
    }
    memcpy(dst, val, MCDSHM_Z85_KEY_LEN + 1);
    return 0;
}

int mcdshm_keys_load(const char *path, struct mcdshm_keys *k, char *err,
                     size_t errlen)
{
    char buf[512], *s;
    int line = 0, r = 0;
    FILE *f;

    memset(k, 0, sizeof(*k));
    f = fopen(path, "re");
    if (!f) {
        r = -errno;
        snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
        return r;
    }
    while (r == 0 && fgets(buf, sizeof(buf), f)) {
        line++;
        for (s = buf; isspace((unsigned char)*s); s++) {
        }
        if (*s == '\0' || *s == '#') {
            continue;
        }
        r = key_line(path, line, s, k, err, errlen);
    }
    fclose(f);
    return r;
}

#ifndef MCDSHM_HAVE_ZMQ

const int mcdc_remote_available = 0;

int mcdc_remote_open(struct mcdc_call *x, const struct mcdc_config *cfg,
                     struct mcdc_conn **out)
{
    (void)out;
    return mcdc_fail(x, -ECONNREFUSED,
                     "McdShmRelay=\"%s\": this libmcdshm was built without "
                     "ZeroMQ (libzmq was not found at build time), so it "
                     "reaches servers on this host only",
                     cfg->relay);
}

void mcdc_remote_send(struct mcdc_conn *c)
{
    (void)c;
}

int mcdc_remote_wait(struct mcdc_conn *c, int timeout_ms)
{
    (void)c;
    (void)timeout_ms;
    return -EPIPE;
}

void mcdc_remote_close(struct mcdc_conn *c)
{
    (void)c;
}

void mcdc_remote_free(struct mcdc_conn *c)
{
    (void)c;
}

const uint8_t *mcdc_remote_payload(struct mcdc_conn *c, uint32_t seq)
{
    (void)c;
    (void)seq;
    return NULL;
}

void mcdc_remote_release(struct mcdc_conn *c)
{
    (void)c;
}

#else /* MCDSHM_HAVE_ZMQ */

#include <zmq.h>

const int mcdc_remote_available = 1;

struct mcdc_remote {
    void *ctx;
    void *sock;           /* DEALER to the relay */
    void *mon;            /* PAIR receiving the socket's events */
    struct shm_ring req;  /* consumer view of the private request ring */
    struct shm_ring resp; /* producer view of the private response ring */
    int live_ms;          /* liveness bound, -1 none */
    int send_err;         /* a failed send, reported by the next wait */
    char send_msg[MCDC_ERRLEN];
    char url[MCDSHM_RELAY_URL_LEN];
    char host[MCD_HOSTNAME_LEN]; /* pub.host */
    /* Payloads of received, unreleased responses, by slot: the library
     * reads each straight from ZeroMQ's message (one copy fewer) until
     * the response is released. */
    zmq_msg_t *held;
    bool *live;
};

static uint64_t mono_ms(void)
{
    return mcdc_now_ns() / 1000000u;
}

/* Milliseconds left until @deadline (0: none), for zmq_poll (-1: none). */
static long left_ms(uint64_t deadline)
{
    uint64_t now = mono_ms();

    if (!deadline) {
        return -1;
    }
    return now >= deadline ? 0 : (long)(deadline - now);
}

/* Receive and drop the rest of a multipart message. */
static void drop_rest(void *sock)
{
    int more = 0;
    size_t len = sizeof(more);
    zmq_msg_t m;

    while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len) == 0 && more) {
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        zmq_msg_close(&m);
    }
}

static bool has_more(void *sock)
{
    int more = 0;
    size_t len = sizeof(more);

    return zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len) == 0 && more;
}

/*
 * Read one monitor event; returns its id (0 if none could be read).
 * Format (libzmq 4.x): frame 1 = uint16 event + uint32 value, frame 2 =
 * the endpoint.
 */
static uint16_t mon_event(void *mon)
{
    uint8_t b[6];
    uint16_t ev = 0;
    int n = zmq_recv(mon, b, sizeof(b), ZMQ_DONTWAIT);

    if (n >= 2) {
        memcpy(&ev, b, sizeof(ev));
    }
    drop_rest(mon);
    return n < 0 ? 0 : ev;
}

/* Why a monitor event ends the connection, or NULL if it does not. */
static const char *event_reason(uint16_t ev, bool handshake)
{
    switch (ev) {
    case ZMQ_EVENT_DISCONNECTED:
        return handshake ? "the relay closed the connection during the "
                           "handshake (a wrong relay key, or plain TCP "
                           "against a CURVE relay?)"
                         : "connection lost (the relay is gone, or nothing "
                           "was heard from it within the heartbeat "
                           "time-out)";
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        return "the ZeroMQ handshake failed (plain TCP against a CURVE "
               "relay, or the reverse?)";
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        return "the relay refused our CURVE key (not in its list of "
               "clients?)";
    default:
        return NULL;
    }
}

/* Drop the connection with a message naming the relay; returns @err. */
static int remote_down(struct mcdc_conn *c, int err, const char *why)
{
    mcdc_conn_down(c, err, "relay %s (server '%s'): %s", c->remote->url,
                   c->name, why);
    return err;
}

/* Set the socket's heartbeats and security from @cfg. */
static int setup_socket(struct mcdc_call *x, struct mcdc_remote *rm,
                        const struct mcdc_config *cfg)
{
    int64_t max = (int64_t)MCDSHM_MAX_PAYLOAD + sizeof(struct mcdshm_req);
    int linger = 200, ivl, one = 1;
    struct mcdshm_keys k;
    char err[MCDC_ERRLEN];
    int r;

    zmq_setsockopt(rm->sock, ZMQ_LINGER, &linger, sizeof(linger));
    /* No frame is larger than a record or a slot's payload. */
    zmq_setsockopt(rm->sock, ZMQ_MAXMSGSIZE, &max, sizeof(max));
    zmq_setsockopt(rm->sock, ZMQ_IPV6, &one, sizeof(one)); /* and IPv4 */
    if (rm->live_ms > 0) {
        ivl = rm->live_ms / 4 > 0 ? rm->live_ms / 4 : 1;
        zmq_setsockopt(rm->sock, ZMQ_HEARTBEAT_IVL, &ivl, sizeof(ivl));
        zmq_setsockopt(rm->sock, ZMQ_HEARTBEAT_TIMEOUT, &rm->live_ms,
                       sizeof(rm->live_ms));
        zmq_setsockopt(rm->sock, ZMQ_HEARTBEAT_TTL, &rm->live_ms,
                       sizeof(rm->live_ms));
    }
    if (!(cfg->set & MCDC_CFG_RELAY_KEY)) {
        if (!cfg->relay_plain) {
            return mcdc_fail(x, -ECONNREFUSED,
                             "McdShmRelay=\"%s\" would be plain TCP "
                             "(unencrypted, unauthenticated): give "
                             "McdShmRelayKey=<key file> for CURVE, or "
                             "McdShmRelayPlain=TRUE to accept plain TCP",
                             cfg->relay);
        }
        return 0;
    }
    r = mcdshm_keys_load(cfg->relay_key, &k, err, sizeof(err));
    if (r == 0 && !k.relay_public[0]) {
        snprintf(err, sizeof(err), "key file %s has no relay-public key",
                 cfg->relay_key);
        r = -EINVAL;
    }
    if (r == 0 && !!k.public_key[0] != !!k.secret_key[0]) {
        snprintf(err, sizeof(err),
                 "key file %s has a public key without its secret key, or "
                 "the reverse",
                 cfg->relay_key);
        r = -EINVAL;
    }
    if (r == 0 && !k.public_key[0] &&
        zmq_curve_keypair(k.public_key, k.secret_key) != 0) {
        snprintf(err, sizeof(err), "zmq_curve_keypair: %s",
                 zmq_strerror(zmq_errno()));
        r = -EINVAL;
    }
    if (r == 0 && (zmq_setsockopt(rm->sock, ZMQ_CURVE_SERVERKEY, k.relay_public,
                                  MCDSHM_Z85_KEY_LEN + 1) != 0 ||
                   zmq_setsockopt(rm->sock, ZMQ_CURVE_PUBLICKEY, k.public_key,
                                  MCDSHM_Z85_KEY_LEN + 1) != 0 ||
                   zmq_setsockopt(rm->sock, ZMQ_CURVE_SECRETKEY, k.secret_key,
                                  MCDSHM_Z85_KEY_LEN + 1) != 0)) {
        snprintf(err, sizeof(err), "CURVE keys from %s: %s", cfg->relay_key,
                 zmq_strerror(zmq_errno()));
        r = -EINVAL;
    }
    memset(&k, 0, sizeof(k));
    return r < 0 ? mcdc_fail(x, -ECONNREFUSED, "McdShmRelayKey: %s", err) : 0;
}

/* Context, socket, monitor and connect. */
static int remote_connect(struct mcdc_call *x, struct mcdc_remote *rm,
                          const struct mcdc_config *cfg)
{
    char mon_url[64];
    int r;

    if (strncmp(cfg->relay, "tcp://", 6) != 0 &&
        strncmp(cfg->relay, "ipc://", 6) != 0) {
        return mcdc_fail(x, -ECONNREFUSED,
                         "McdShmRelay value '%s' is not a tcp://HOST:PORT "
                         "(or ipc://PATH) address",
                         cfg->relay);
    }
    rm->ctx = zmq_ctx_new();
    rm->sock = rm->ctx ? zmq_socket(rm->ctx, ZMQ_DEALER) : NULL;
    rm->mon = rm->ctx ? zmq_socket(rm->ctx, ZMQ_PAIR) : NULL;
    if (!rm->sock || !rm->mon) {
        return mcdc_fail(x, -ENOMEM, "ZeroMQ: %s", zmq_strerror(zmq_errno()));
    }
    r = setup_socket(x, rm, cfg);
    if (r < 0) {
        return r;
    }
    snprintf(mon_url, sizeof(mon_url), "inproc://mcdshm-mon-%p", (void *)rm);
    if (zmq_socket_monitor(rm->sock, mon_url,
                           ZMQ_EVENT_DISCONNECTED |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0 ||
        zmq_connect(rm->mon, mon_url) != 0) {
        return mcdc_fail(x, -ENOMEM, "ZeroMQ monitor: %s",
                         zmq_strerror(zmq_errno()));
    }
    if (zmq_connect(rm->sock, cfg->relay) != 0) {
        return mcdc_fail(x, -ECONNREFUSED, "McdShmRelay=\"%s\": %s", cfg->relay,
                         zmq_strerror(zmq_errno()));
    }
    return 0;
}

/* Close the sockets and the context; the struct stays (until the
 * connection is freed, for pub.host). */
static void remote_close_sockets(struct mcdc_remote *rm)
{
    int zero = 0;
    uint32_t i;

    for (i = 0; rm->live && i <= rm->resp.mask; i++) {
        if (rm->live[i]) {
            zmq_msg_close(&rm->held[i]);
            rm->live[i] = false;
        }
    }

    if (rm->sock) {
        zmq_socket_monitor(rm->sock, NULL, 0);
        zmq_close(rm->sock);
        rm->sock = NULL;
    }
    if (rm->mon) {
        zmq_setsockopt(rm->mon, ZMQ_LINGER, &zero, sizeof(zero));
        zmq_close(rm->mon);
        rm->mon = NULL;
    }
    if (rm->ctx) {
        zmq_ctx_term(rm->ctx);
        rm->ctx = NULL;
    }
}

/*
 * Wait until the socket has a message or @deadline passes (0: never),
 * watching the monitor.  Returns 1, -ETIMEDOUT, or -EPIPE with *why set.
 */
static int wait_msg(struct mcdc_remote *rm, uint64_t deadline, bool handshake,
                    const char **why)
{
    zmq_pollitem_t it[2] = { { rm->sock, 0, ZMQ_POLLIN, 0 },
                             { rm->mon, 0, ZMQ_POLLIN, 0 } };
    int n;

    for (;;) {
        n = zmq_poll(it, 2, left_ms(deadline));
        if (n < 0 && zmq_errno() == EINTR) {
            continue;
        }
        if (n < 0) {
            *why = zmq_strerror(zmq_errno());
            return -EPIPE;
        }
        if (it[0].revents & ZMQ_POLLIN) {
            return 1;
        }
        if (it[1].revents & ZMQ_POLLIN) {
            *why = event_reason(mon_event(rm->mon), handshake);
            if (*why) {
                return -EPIPE;
            }
            continue;
        }
        if (n == 0) {
            return -ETIMEDOUT;
        }
    }
}

/* Receive a header frame; 0, or -EPROTO with *why set. */
static int recv_hdr(void *sock, struct mcdshm_relay_hdr *h, const char **why)
{
    int n = zmq_recv(sock, h, sizeof(*h), ZMQ_DONTWAIT);

    if (n != (int)sizeof(*h) || h->magic != MCDSHM_RELAY_MAGIC) {
        *why = "a message that is not an mcdshm relay header";
        return -EPROTO;
    }
    if (h->version != MCDSHM_RELAY_VERSION) {
        *why = "a message of another relay protocol version";
        return -EPROTO;
    }
    return 0;
}

/* Receive the text frame after a header into @buf (NUL-terminated). */
static void recv_text(void *sock, char *buf, size_t size)
{
    int n = -1;

    if (has_more(sock)) {
        n = zmq_recv(sock, buf, size - 1, ZMQ_DONTWAIT);
    }
    n = n < 0 ? 0 : n > (int)size - 1 ? (int)size - 1 : n;
    buf[n] = '\0';
    drop_rest(sock);
}

static int send_hello(struct mcdc_remote *rm, const char *want)
{
    struct mcdshm_relay_hdr h = mcdshm_relay_hdr_make(MCDSHM_RELAY_HELLO);

    if (zmq_send(rm->sock, &h, sizeof(h), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(rm->sock, want, strlen(want), ZMQ_DONTWAIT) < 0) {
        return -zmq_errno();
    }
    return 0;
}

/* Make the private region and rings for the server's layout. */
static int make_region(struct mcdc_call *x, struct mcdc_conn *c,
                       const struct mcdshm_relay_hdr *w)
{
    struct mcdc_remote *rm = c->remote;
    struct shm_layout lay;
    int fd, r;

    r = shm_layout_compute(w->nslots, w->payload_size, &lay);
    if (r < 0 || w->nslots == 0 || w->payload_size == 0) {
        return mcdc_fail(x, -EPROTO,
                         "relay %s announced %u slots of %u payload bytes, "
                         "outside this library's limits",
                         rm->url, w->nslots, w->payload_size);
    }
    r = shm_region_create(&lay, (uint32_t)getpid(), &c->shm.region, &fd);
    if (r < 0) {
        return mcdc_fail(x, -ENOMEM, "private region for relay %s: %s", rm->url,
                         strerror(-r));
    }
    close(fd);
    shm_region_req_ring(&c->shm.region, &c->req, true);
    shm_region_resp_ring(&c->shm.region, &c->resp, false);
    shm_region_req_ring(&c->shm.region, &rm->req, false);
    shm_region_resp_ring(&c->shm.region, &rm->resp, true);
    c->nslots = lay.nslots;
    c->payload_size = lay.payload_size;
    rm->held = calloc(lay.nslots, sizeof(*rm->held));
    rm->live = calloc(lay.nslots, sizeof(*rm->live));
    if (!rm->held || !rm->live) {
        return mcdc_fail(x, -ENOMEM, "out of memory");
    }
    return 0;
}

/* HELLO, then WELCOME (or DOWN) within the liveness bound. */
static int handshake(struct mcdc_call *x, struct mcdc_conn *c,
                     const struct mcdc_config *cfg)
{
    struct mcdc_remote *rm = c->remote;
    int t = rm->live_ms > 0 ? rm->live_ms : cfg->timeout_ms;
    uint64_t deadline = t > 0 ? mono_ms() + (uint64_t)t : 0;
    struct mcdshm_relay_hdr h;
    char text[MCDC_ERRLEN];
    const char *why = NULL;
    int r;

    r = send_hello(rm, cfg->set & MCDC_CFG_SERVER ? cfg->server_name : "");
    if (r < 0) {
        return mcdc_fail(x, -ECONNREFUSED, "relay %s: sending HELLO: %s",
                         rm->url, zmq_strerror(-r));
    }
    r = wait_msg(rm, deadline, true, &why);
    if (r == -ETIMEDOUT) { /* a lost network, not a slow server */
        return mcdc_fail(x, -ECONNREFUSED,
                         "no answer from relay %s within %d ms (is "
                         "mcdshm-relay running there and reachable?)",
                         rm->url, t);
    }
    if (r == 0 || r == 1) {
        r = recv_hdr(rm->sock, &h, &why);
    }
    if (r < 0) {
        drop_rest(rm->sock);
        return mcdc_fail(x, -ECONNREFUSED, "relay %s: %s", rm->url, why);
    }
    recv_text(rm->sock, text, sizeof(text));
    if (h.type == MCDSHM_RELAY_DOWN) {
        return mcdc_fail(x, -ECONNREFUSED, "relay %s: %s", rm->url, text);
    }
    if (h.type != MCDSHM_RELAY_WELCOME) {
        return mcdc_fail(x, -ECONNREFUSED,
                         "relay %s answered HELLO with message type %u",
                         rm->url, h.type);
    }
    snprintf(c->name, sizeof(c->name), "%.*s", (int)sizeof(c->name) - 1, text);
    c->pid = (pid_t)h.pid;
    return make_region(x, c, &h);
}

/* The server's host for pub.host: McdHostName if given, else the host
 * of a tcp:// relay address ("[::1]" without brackets), else the
 * address. */
static void relay_host(const struct mcdc_config *cfg, char *out, size_t size)
{
    const char *h = cfg->relay + 6, *end;
    size_t n;

    if ((cfg->set & MCDC_CFG_HOST) || strncmp(cfg->relay, "tcp://", 6)) {
        h = cfg->set & MCDC_CFG_HOST ? cfg->host : cfg->relay;
        snprintf(out, size, "%.*s", (int)size - 1, h);
        return;
    }
    end = strrchr(h, ':');
    end = end ? end : h + strlen(h);
    if (*h == '[' && end > h + 1 && end[-1] == ']') {
        h++;
        end--;
    }
    n = (size_t)(end - h) < size ? (size_t)(end - h) : size - 1;
    snprintf(out, size, "%.*s", (int)n, h);
}

int mcdc_remote_open(struct mcdc_call *x, const struct mcdc_config *cfg,
                     struct mcdc_conn **out)
{
    struct mcdc_conn *c = calloc(1, sizeof(*c));
    struct mcdc_remote *rm = calloc(1, sizeof(*rm));
    int r;

    if (!c || !rm) {
        r = mcdc_fail(x, -ENOMEM, "out of memory");
        goto err_free;
    }
    pthread_mutex_init(&c->lock, NULL);
    c->magic = MCDC_SERVER_MAGIC;
    c->refs = 1;
    c->shm.sock = c->shm.region_fd = c->shm.req_efd = c->shm.resp_efd = -1;
    c->sock = -1; /* no input handle: answers need no waiting by the tool */
    c->remote = rm;
    rm->live_ms = cfg->relay_timeout_ms;
    snprintf(rm->url, sizeof(rm->url), "%s", cfg->relay);
    relay_host(cfg, rm->host, sizeof(rm->host));
    r = remote_connect(x, rm, cfg);
    if (r == 0) {
        r = handshake(x, c, cfg);
    }
    if (r < 0) {
        goto err_close;
    }
    c->up = true;
    c->policy = cfg->policy;
    c->timeout_ms = cfg->timeout_ms;
    /* Identity only (mcdc_path_open()); a longer URL is cut. */
    snprintf(c->path, sizeof(c->path), "%.*s", (int)sizeof(c->path) - 1,
             cfg->relay);
    c->pub.instance = c;
    c->pub.host = rm->host;
    *out = c;
    return 0;

err_close:
    shm_region_unmap(&c->shm.region);
    pthread_mutex_destroy(&c->lock);
err_free:
    if (rm) {
        remote_close_sockets(rm);
        free(rm->held);
        free(rm->live);
    }
    free(rm);
    free(c);
    return r;
}

void mcdc_remote_send(struct mcdc_conn *c)
{
    struct mcdc_remote *rm = c->remote;
    struct mcdshm_relay_hdr h = mcdshm_relay_hdr_make(MCDSHM_RELAY_REQ);
    const struct mcdshm_req *q;
    uint32_t seq = shm_ring_head(&rm->req);

    if (rm->send_err || shm_ring_avail(&rm->req) < 1) {
        return; /* reported by the next wait */
    }
    q = shm_ring_peek(&rm->req);
    h.seq = seq;
    if (zmq_send(rm->sock, &h, sizeof(h), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(rm->sock, q, shm_req_len(q->hdr.fn),
                 ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(rm->sock, shm_region_payload(&c->shm.region, seq),
                 q->hdr.payload_len, ZMQ_DONTWAIT) < 0) {
        rm->send_err = zmq_errno() == EAGAIN ? -EPIPE : -zmq_errno();
        snprintf(rm->send_msg, sizeof(rm->send_msg), "sending a request: %s",
                 zmq_errno() == EAGAIN ? "the relay is not connected"
                                       : zmq_strerror(zmq_errno()));
    }
    shm_ring_release(&rm->req, 1);
}

/* Take a RESP frame pair into the private response ring. */
static int take_resp(struct mcdc_conn *c, const struct mcdshm_relay_hdr *h,
                     const char **why)
{
    struct mcdc_remote *rm = c->remote;
    uint32_t tail = shm_ring_tail(&rm->resp);
    struct mcdshm_resp *dst = shm_ring_next(&rm->resp);
    zmq_msg_t *m;
    int n = -1, p = -1;

    if (h->seq != tail) {
        *why = "a response out of order";
        return -EPROTO;
    }
    if (shm_ring_free(&rm->resp, 1) < 1) {
        *why = "more responses than requests";
        return -EPROTO;
    }
    if (has_more(rm->sock)) {
        n = zmq_recv(rm->sock, dst, sizeof(*dst), ZMQ_DONTWAIT);
    }
    if (n < (int)sizeof(struct mcdshm_resp_hdr) || n > (int)sizeof(*dst) ||
        !has_more(rm->sock)) {
        *why = "a response record frame of a wrong size";
        return -EPROTO;
    }
    memset((uint8_t *)dst + n, 0, sizeof(*dst) - (size_t)n);
    m = &rm->held[tail & rm->resp.mask];
    zmq_msg_init(m);
    rm->live[tail & rm->resp.mask] = true;
    p = zmq_msg_recv(m, rm->sock, ZMQ_DONTWAIT);
    if (p < 0 || (uint32_t)p != dst->hdr.payload_len ||
        (uint32_t)p > c->payload_size || has_more(rm->sock)) {
        *why = "a response payload frame of a wrong size";
        return -EPROTO;
    }
    shm_ring_publish(&rm->resp, 1);
    return 1;
}

const uint8_t *mcdc_remote_payload(struct mcdc_conn *c, uint32_t seq)
{
    static const uint8_t none[1];
    zmq_msg_t *m = &c->remote->held[seq & c->remote->resp.mask];

    return zmq_msg_size(m) ? zmq_msg_data(m) : none;
}

void mcdc_remote_release(struct mcdc_conn *c)
{
    struct mcdc_remote *rm = c->remote;
    uint32_t i = shm_ring_head(&c->resp) & rm->resp.mask;

    if (rm->live[i]) {
        zmq_msg_close(&rm->held[i]);
        rm->live[i] = false;
    }
}

int mcdc_remote_wait(struct mcdc_conn *c, int timeout_ms)
{
    struct mcdc_remote *rm = c->remote;
    uint64_t deadline = timeout_ms >= 0 ? mono_ms() + (uint64_t)timeout_ms : 0;
    struct mcdshm_relay_hdr h;
    char text[MCDC_ERRLEN];
    const char *why = NULL;
    int r;

    if (rm->send_err) {
        return remote_down(c, rm->send_err, rm->send_msg);
    }
    r = wait_msg(rm, deadline, false, &why);
    if (r == -ETIMEDOUT) {
        return r;
    }
    if (r == 1) {
        r = recv_hdr(rm->sock, &h, &why);
    }
    if (r == 0 && h.type == MCDSHM_RELAY_RESP) {
        r = take_resp(c, &h, &why);
    } else if (r == 0 && h.type == MCDSHM_RELAY_DOWN) {
        recv_text(rm->sock, text, sizeof(text));
        return remote_down(c, -EPIPE, text);
    } else if (r == 0) {
        why = "a message of an unexpected type";
        r = -EPROTO;
    }
    if (r < 0) {
        drop_rest(rm->sock);
        return remote_down(c, r, why);
    }
    return r;
}

void mcdc_remote_close(struct mcdc_conn *c)
{
    struct mcdc_remote *rm = c->remote;
    struct mcdshm_relay_hdr h = mcdshm_relay_hdr_make(MCDSHM_RELAY_BYE);

    if (!rm || !rm->ctx) {
        return;
    }
    /* Best effort: the relay also notices the disconnect.  Only a
     * connection closed by the tool waits (ZMQ_LINGER) for the BYE to
     * leave; a lost one must fail now, not 200 ms later. */
    if (c->down_err != -ENOTCONN) {
        int zero = 0;

        zmq_setsockopt(rm->sock, ZMQ_LINGER, &zero, sizeof(zero));
    }
    zmq_send(rm->sock, &h, sizeof(h), ZMQ_DONTWAIT);
    remote_close_sockets(rm);
}

void mcdc_remote_free(struct mcdc_conn *c)
{
    if (c->remote) {
        remote_close_sockets(c->remote);
        free(c->remote->held);
        free(c->remote->live);
        free(c->remote);
        c->remote = NULL;
    }
}

#endif /* MCDSHM_HAVE_ZMQ */
