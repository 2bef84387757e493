/*
 * mcdshm-relay: serves one local mcdshm server to debuggers on other hosts
 * over ZeroMQ, carrying the same fixed-layout records (see
 * host-side/lib/remote.h for the messages and sessions).
 *
 * One thread.  It owns the ROUTER socket that debuggers connect to, its
 * socket monitor (connects and disconnects), the ZAP handler when client
 * keys are checked, a signalfd, and every session's connection to the
 * local server, made through the library's internal client code
 * (host-side/lib/client.h) exactly like a local debugger.  A request is
 * received straight into its server slot and a response sent from its
 * slot, so each record and payload is copied once per hop; the servers'
 * response doorbells and sockets sit in the same poll set as the
 * debuggers' socket, with the doorbell rule of include/mcdshm/wire.h
 * (spin for the policy's time after progress, then arm and sleep).
 *
 * A session ends on BYE, on the debugger's TCP disconnect or heartbeat
 * time-out (monitor event for its socket), when the server goes away
 * (the debugger gets DOWN), or at shutdown; its server connection is then
 * closed, which releases the debugger's cores and triggers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "host-side/lib/client.h"
#include "host-side/lib/remote.h"

#define RELAY_MAX_SESSIONS 64
#define RELAY_WAIT_SLICE_MS 50

struct relay_opts {
    const char *server;
    const char *endpoint;
    const char *listen;
    const char *key;
    const char *clients;
    bool plain;
    int heartbeat_ms;
    int max_sessions;
    enum shm_policy policy;
    bool verbose;
};

/* A session's requests in flight, oldest first. */
struct inflight {
    uint32_t seq[MCDSHM_MAX_SLOTS]; /* the debugger's seq */
    uint16_t fn[MCDSHM_MAX_SLOTS];
    uint32_t head, n;
};

struct session {
    bool used;
    bool armed;      /* need_wakeup set on its response ring */
    uint8_t id[256]; /* ZeroMQ routing id */
    size_t id_len;
    int fd;          /* the debugger's TCP socket in the relay (SRCFD) */
    unsigned serial; /* for logs */
    char peer[64];
    struct mcdc_conn *conn; /* the server connection, entered in x */
    struct mcdc_call x;
    struct inflight f;
};

struct relay {
    struct relay_opts o;
    char path[SHM_PATH_MAX]; /* the server's endpoint */
    void *ctx, *router, *mon, *zap;
    int sigfd;
    unsigned serial;
    uint64_t spin_ns; /* hybrid: poll this long after progress */
    struct session s[RELAY_MAX_SESSIONS];
    uint8_t (*allowed)[32]; /* client public keys (--clients) */
    int nallowed;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    va_list ap;

    fputs("mcdshm-relay: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------------------
 * Messages
 */

/* Send a header (and an optional text frame) on @sock. */
static int send_hdr(void *sock, const struct mcdshm_relay_hdr *h,
                    const char *text)
{
    if (zmq_send(sock, h, sizeof(*h), text ? ZMQ_SNDMORE : 0) < 0) {
        return -zmq_errno();
    }
    if (text && zmq_send(sock, text, strlen(text), 0) < 0) {
        return -zmq_errno();
    }
    return 0;
}

static void drop_rest(void *sock)
{
    int more = 1;
    size_t len = sizeof(more);
    zmq_msg_t m;

    while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len) == 0 && more) {
        zmq_msg_init(&m);
        zmq_msg_recv(&m, sock, 0);
        zmq_msg_close(&m);
    }
}

static bool more(void *sock)
{
    int m = 0;
    size_t len = sizeof(m);

    return zmq_getsockopt(sock, ZMQ_RCVMORE, &m, &len) == 0 && m;
}

/* Start a message to a routing id on the ROUTER. */
static int route(struct relay *rl, const uint8_t *id, size_t len)
{
    return zmq_send(rl->router, id, len, ZMQ_SNDMORE) < 0 ? -zmq_errno() : 0;
}

/* DOWN to a debugger, with the reason. */
static void send_down(struct relay *rl, const uint8_t *id, size_t len, int err,
                      const char *msg)
{
    struct mcdshm_relay_hdr h = mcdshm_relay_hdr_make(MCDSHM_RELAY_DOWN);

    h.err = err;
    if (route(rl, id, len) == 0) {
        send_hdr(rl->router, &h, msg);
    }
}

static void refuse(struct relay *rl, const uint8_t *id, size_t len, int err,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void refuse(struct relay *rl, const uint8_t *id, size_t len, int err,
                   const char *fmt, ...)
{
    char msg[MCDC_ERRLEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    send_down(rl, id, len, err, msg);
    if (rl->o.verbose) {
        say("refused a debugger: %s", msg);
    }
}

/* ------------------------------------------------------------------------
 * Sessions: one server connection per debugger, all on this thread
 */

static struct session *find_session(struct relay *rl, const uint8_t *id,
                                    size_t len)
{
    int i;

    for (i = 0; i < RELAY_MAX_SESSIONS; i++) {
        if (rl->s[i].used && rl->s[i].id_len == len &&
            memcmp(rl->s[i].id, id, len) == 0) {
            return &rl->s[i];
        }
    }
    return NULL;
}

/* Close the session's server connection (releasing the debugger's cores
 * and triggers in the server) and forget it. */
static void end_session(struct session *s, const char *why)
{
    mcdc_conn_down(s->conn, -ENOTCONN, "relay session ended");
    mcdc_exit_conn(&s->x);
    mcdc_conn_put(s->conn);
    say("session %u (%s) ended: %s; its server connection is released",
        s->serial, s->peer, why);
    memset(s, 0, sizeof(*s));
}

/* Tell the debugger why, then end the session. */
static void fail_session(struct relay *rl, struct session *s, int err,
                         const char *why)
{
    send_down(rl, s->id, s->id_len, err, why);
    end_session(s, why);
}

/*
 * Take one REQ (header @h read, record and payload frames waiting) into the
 * server's request ring.  Returns 0, or -errno with the reason in @why.
 */
static int forward_req(struct relay *rl, struct session *s,
                       const struct mcdshm_relay_hdr *h, char *why,
                       size_t whylen)
{
    struct mcdc_conn *c = s->conn;
    struct inflight *f = &s->f;
    struct mcdshm_req rec, *q;
    uint8_t *pl;
    uint32_t seq;
    int n, p, r;

    n = more(rl->router) ? zmq_recv(rl->router, &rec, sizeof(rec), 0) : -1;
    if (n < (int)sizeof(rec.hdr) || n > (int)sizeof(rec) ||
        (uint32_t)n != shm_req_len(rec.hdr.fn) || !more(rl->router)) {
        snprintf(why, whylen,
                 "malformed request: record frame of %d bytes (fn %u)", n,
                 n >= (int)sizeof(rec.hdr) ? rec.hdr.fn : 0);
        return -EPROTO;
    }
    if (f->n >= c->nslots) {
        snprintf(why, whylen,
                 "malformed request: more than the %u requests in flight "
                 "that the server's slots allow",
                 c->nslots);
        return -EPROTO;
    }
    r = mcdc_req_begin(&s->x, rec.hdr.fn, &q, &pl);
    if (r < 0) {
        snprintf(why, whylen, "%s", s->x.res.error_str);
        return r;
    }
    seq = q->hdr.seq;
    memcpy(q, &rec, (size_t)n);
    q->hdr.seq = seq;
    /* Straight into the slot's payload area: one copy. */
    p = zmq_recv(rl->router, pl, c->payload_size, 0);
    if (p < 0 || (uint32_t)p > c->payload_size ||
        (uint32_t)p != rec.hdr.payload_len || more(rl->router)) {
        snprintf(why, whylen,
                 "malformed request: payload frame of %d bytes where "
                 "payload_len is %u (at most %u)",
                 p, rec.hdr.payload_len, c->payload_size);
        return -EPROTO;
    }
    mcdc_req_send(&s->x, (uint32_t)p);
    f->seq[(f->head + f->n) % MCDSHM_MAX_SLOTS] = h->seq;
    f->fn[(f->head + f->n) % MCDSHM_MAX_SLOTS] = rec.hdr.fn;
    f->n++;
    return 0;
}

/* Send the oldest response (ready in the ring) to the debugger. */
static int answer(struct relay *rl, struct session *s)
{
    struct mcdshm_relay_hdr h = mcdshm_relay_hdr_make(MCDSHM_RELAY_RESP);
    struct inflight *f = &s->f;
    struct mcdshm_resp resp;
    const uint8_t *pl = NULL;
    uint32_t len;
    int r;

    r = mcdc_resp_wait(&s->x, f->fn[f->head], &resp, &pl);
    if (r < 0) {
        return r;
    }
    h.seq = f->seq[f->head];
    resp.hdr.seq = h.seq;
    len = shm_resp_len(resp.hdr.fn, resp.hdr.ret);
    r = route(rl, s->id, s->id_len);
    if (r == 0 && (zmq_send(rl->router, &h, sizeof(h), ZMQ_SNDMORE) < 0 ||
                   zmq_send(rl->router, &resp, len, ZMQ_SNDMORE) < 0 ||
                   zmq_send(rl->router, pl, resp.hdr.payload_len, 0) < 0)) {
        r = -zmq_errno();
    }
    mcdc_resp_done(&s->x);
    f->head = (f->head + 1) % MCDSHM_MAX_SLOTS;
    f->n--;
    return r == 0 ? 0 : -EHOSTUNREACH;
}

/* Answer every response that is ready; returns how many. */
static int serve_responses(struct relay *rl, struct session *s)
{
    int n = 0, r;

    while (s->used && s->f.n && shm_ring_avail(&s->conn->resp) > 0) {
        r = answer(rl, s);
        if (r == -EHOSTUNREACH) {
            end_session(s, "the debugger is gone");
        } else if (r < 0) {
            fail_session(rl, s, r, s->x.res.error_str);
        }
        n++;
    }
    return n;
}

/* The server connection's socket is readable: the server hung up. */
static void server_hup(struct relay *rl, struct session *s)
{
    char why[MCDC_ERRLEN];

    serve_responses(rl, s); /* what it answered before it went */
    if (s->used && shm_conn_peer_gone(&s->conn->shm) == 1) {
        snprintf(why, sizeof(why), "server '%s' (pid %d) is gone",
                 s->conn->name, (int)s->conn->pid);
        fail_session(rl, s, -EPIPE, why);
    }
}

static int monitor_events(struct relay *rl);

/* Open the server connection of a new session. */
static int start_session(struct relay *rl, struct session *s, char *why,
                         size_t whylen)
{
    struct mcdc_config cfg;
    int r;

    mcdc_config_defaults(&cfg);
    cfg.policy = rl->o.policy;
    cfg.timeout_ms = RELAY_WAIT_SLICE_MS;
    /* Records are relayed as they come: mcd_read_trace_f must reach the
     * server as a request, so no trace lanes (they would take the frames
     * the remote debugger asks the server for). */
    cfg.trace_lanes = 0;
    mcdc_call_init(&s->x, "relay");
    r = mcdc_conn_open(&s->x, rl->path, &cfg, &s->conn);
    if (r < 0) {
        snprintf(why, whylen, "%s", s->x.res.error_str);
        return r;
    }
    /* The session's call stays entered: this thread is the connection's
     * only user. */
    r = mcdc_enter_conn(&s->x, s->conn);
    if (r < 0) {
        snprintf(why, whylen, "%s", s->x.res.error_str);
        mcdc_exit_conn(&s->x);
        mcdc_conn_put(s->conn);
    }
    return r;
}

static void hello(struct relay *rl, const uint8_t *id, size_t len, int fd,
                  const char *peer)
{
    struct mcdshm_relay_hdr w = mcdshm_relay_hdr_make(MCDSHM_RELAY_WELCOME);
    char want[MCDSHM_NAME_LEN + 1] = "", why[MCDC_ERRLEN];
    struct session *s = NULL;
    int i, n;

    n = more(rl->router) ? zmq_recv(rl->router, want, sizeof(want) - 1, 0) : 0;
    want[n < 0                       ? 0
         : n > (int)sizeof(want) - 1 ? (int)sizeof(want) - 1
                                     : n] = '\0';
    drop_rest(rl->router);
    /* Events of earlier connections on this fd come first (see README). */
    monitor_events(rl);
    if (find_session(rl, id, len)) {
        return refuse(rl, id, len, -ECONNREFUSED,
                      "this connection already has a session");
    }
    for (i = 0; i < rl->o.max_sessions && !s; i++) {
        s = rl->s[i].used ? NULL : &rl->s[i];
    }
    if (!s) {
        return refuse(rl, id, len, -ECONNREFUSED,
                      "the relay already serves its maximum of %d debuggers",
                      rl->o.max_sessions);
    }
    memset(s, 0, sizeof(*s));
    memcpy(s->id, id, len);
    s->id_len = len;
    s->fd = fd;
    s->serial = ++rl->serial;
    snprintf(s->peer, sizeof(s->peer), "%s", peer);
    if (start_session(rl, s, why, sizeof(why)) < 0) {
        memset(s, 0, sizeof(*s));
        return refuse(rl, id, len, -ECONNREFUSED, "%s", why);
    }
    s->used = true;
    if (want[0] && strcmp(want, s->conn->name) != 0) {
        snprintf(why, sizeof(why), "this relay serves server '%s', not '%s'",
                 s->conn->name, want);
        end_session(s, "the debugger asked for another server");
        return refuse(rl, id, len, -ECONNREFUSED, "%s", why);
    }
    w.nslots = s->conn->nslots;
    w.payload_size = s->conn->payload_size;
    w.pid = (uint32_t)s->conn->pid;
    if (route(rl, id, len) == 0) {
        send_hdr(rl->router, &w, s->conn->name);
    }
    say("session %u (%s): a debugger opened server '%s'", s->serial, s->peer,
        s->conn->name);
}

/* The routing id and header frames of the next message; 0 or -1. */
static int recv_head(struct relay *rl, uint8_t *id, size_t *idlen,
                     struct mcdshm_relay_hdr *h, int *fd, char *peer,
                     size_t peerlen, bool *hdr_ok)
{
    const char *addr;
    zmq_msg_t m;
    int n;

    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, rl->router, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m);
        return -1;
    }
    n = (int)zmq_msg_size(&m);
    *idlen = n > 255 ? 255 : (size_t)n;
    memcpy(id, zmq_msg_data(&m), *idlen);
    zmq_msg_close(&m);
    zmq_msg_init(&m);
    if (!more(rl->router) || zmq_msg_recv(&m, rl->router, 0) < 0) {
        zmq_msg_close(&m);
        return -1;
    }
    *fd = zmq_msg_get(&m, ZMQ_SRCFD);
    addr = zmq_msg_gets(&m, "Peer-Address");
    if (addr && strncmp(addr, "::ffff:", 7) == 0 && strchr(addr, '.')) {
        addr += 7; /* an IPv4 peer on the dual-stack socket */
    }
    snprintf(peer, peerlen, "%s", addr ? addr : "?");
    *hdr_ok = zmq_msg_size(&m) == sizeof(*h);
    if (*hdr_ok) {
        memcpy(h, zmq_msg_data(&m), sizeof(*h));
    }
    zmq_msg_close(&m);
    return 0;
}

/* One message from a debugger. */
static void from_debugger(struct relay *rl)
{
    struct mcdshm_relay_hdr h;
    uint8_t id[256];
    char peer[64] = "?", why[MCDC_ERRLEN];
    struct session *s;
    size_t n;
    bool ok;
    int fd, r;

    if (recv_head(rl, id, &n, &h, &fd, peer, sizeof(peer), &ok) < 0) {
        return;
    }
    if (!ok) {
        drop_rest(rl->router);
        return refuse(rl, id, n, -EPROTO,
                      "a message that is not an mcdshm relay header");
    }
    if (h.magic != MCDSHM_RELAY_MAGIC || h.version != MCDSHM_RELAY_VERSION) {
        drop_rest(rl->router);
        return refuse(rl, id, n, -EPROTO,
                      "relay protocol magic 0x%x version %u; this relay "
                      "speaks version %u",
                      h.magic, h.version, MCDSHM_RELAY_VERSION);
    }
    s = find_session(rl, id, n);
    switch (h.type) {
    case MCDSHM_RELAY_HELLO:
        return hello(rl, id, n, fd, peer);
    case MCDSHM_RELAY_REQ:
        if (!s) {
            drop_rest(rl->router);
            return refuse(rl, id, n, -EPIPE,
                          "no session for this connection (the relay "
                          "restarted or ended it): open the server again");
        }
        r = forward_req(rl, s, &h, why, sizeof(why));
        if (r < 0) {
            drop_rest(rl->router);
            fail_session(rl, s, r, why);
        }
        return;
    case MCDSHM_RELAY_BYE:
        drop_rest(rl->router);
        if (s) {
            end_session(s, "the debugger closed it");
        }
        return;
    default:
        drop_rest(rl->router);
        return refuse(rl, id, n, -EPROTO, "unknown message type %u", h.type);
    }
}

/* Handle the router's connect/disconnect events; returns how many. */
static int monitor_events(struct relay *rl)
{
    uint8_t b[6];
    uint16_t ev;
    uint32_t fd;
    int i, n = 0;

    while (zmq_recv(rl->mon, b, sizeof(b), ZMQ_DONTWAIT) >= 6) {
        drop_rest(rl->mon);
        memcpy(&ev, b, sizeof(ev));
        memcpy(&fd, b + 2, sizeof(fd));
        n++;
        for (i = 0; i < RELAY_MAX_SESSIONS; i++) {
            if (rl->s[i].used && rl->s[i].fd == (int)fd) {
                end_session(&rl->s[i],
                            ev == ZMQ_EVENT_DISCONNECTED
                                ? "the debugger disconnected or missed "
                                  "its heartbeats"
                                : "its socket was reused by a new "
                                  "connection");
            }
        }
    }
    return n;
}

/* ------------------------------------------------------------------------
 * ZAP: which CURVE client keys may connect (--clients)
 */

static void zap_reply(void *zap, const char *reqid, const char *status,
                      const char *text)
{
    zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(zap, reqid, strlen(reqid), ZMQ_SNDMORE);
    zmq_send(zap, status, strlen(status), ZMQ_SNDMORE);
    zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(zap, "", 0, ZMQ_SNDMORE);
    zmq_send(zap, "", 0, 0);
}

static void zap_request(struct relay *rl)
{
    char f[7][64];
    uint8_t key[32];
    int i, n, klen = -1;
    bool ok = false;

    memset(f, 0, sizeof(f));
    for (i = 0; i < 6; i++) {
        n = zmq_recv(rl->zap, f[i], sizeof(f[i]) - 1, 0);
        f[i][n < 0 ? 0 : n > 63 ? 63 : n] = '\0';
        if (!more(rl->zap)) {
            break;
        }
    }
    if (i == 6 && more(rl->zap)) {
        klen = zmq_recv(rl->zap, key, sizeof(key), 0);
    }
    drop_rest(rl->zap);
    for (i = 0; klen == 32 && i < rl->nallowed && !ok; i++) {
        ok = memcmp(rl->allowed[i], key, 32) == 0;
    }
    if (!ok) {
        say("refused a CURVE client from %s: its key is not in %s", f[3],
            rl->o.clients);
    }
    zap_reply(rl->zap, f[1], ok ? "200" : "400",
              ok ? "OK" : "client key not allowed");
}

static int load_clients(struct relay *rl)
{
    char line[256], z[MCDSHM_Z85_KEY_LEN + 1];
    int ln = 0;
    FILE *f = fopen(rl->o.clients, "re");

    if (!f) {
        say("--clients %s: %s", rl->o.clients, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        ln++;
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0') {
            continue;
        }
        if (sscanf(line, " public = %40s", z) != 1 ||
            strlen(z) != MCDSHM_Z85_KEY_LEN) {
            say("--clients %s:%d: not 'public = <40-character Z85 key>'",
                rl->o.clients, ln);
            fclose(f);
            return -1;
        }
        rl->allowed = realloc(rl->allowed, (size_t)(rl->nallowed + 1) * 32);
        if (!rl->allowed || !zmq_z85_decode(rl->allowed[rl->nallowed], z)) {
            say("--clients %s:%d: not a Z85 key", rl->o.clients, ln);
            fclose(f);
            return -1;
        }
        rl->nallowed++;
    }
    fclose(f);
    return 0;
}

/* ------------------------------------------------------------------------
 * Setup and the main loop
 */

static int setup_security(struct relay *rl)
{
    struct mcdshm_keys k;
    char err[256];
    int one = 1;

    if (!rl->o.key) {
        return 0;
    }
    if (mcdshm_keys_load(rl->o.key, &k, err, sizeof(err)) < 0) {
        say("--key: %s", err);
        return -1;
    }
    if (!k.secret_key[0]) {
        say("--key %s has no secret key (make one with --gen-keys)", rl->o.key);
        return -1;
    }
    if (rl->o.clients) {
        if (load_clients(rl) < 0) {
            return -1;
        }
        rl->zap = zmq_socket(rl->ctx, ZMQ_REP);
        if (!rl->zap || zmq_bind(rl->zap, "inproc://zeromq.zap.01") != 0) {
            say("ZAP handler: %s", zmq_strerror(zmq_errno()));
            return -1;
        }
    }
    if (zmq_setsockopt(rl->router, ZMQ_CURVE_SERVER, &one, sizeof(one)) ||
        zmq_setsockopt(rl->router, ZMQ_CURVE_SECRETKEY, k.secret_key,
                       MCDSHM_Z85_KEY_LEN + 1)) {
        say("CURVE: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    memset(&k, 0, sizeof(k));
    return 0;
}

static int setup(struct relay *rl)
{
    int one = 1, ivl = rl->o.heartbeat_ms / 4 ? rl->o.heartbeat_ms / 4 : 1;
    int zero = 0;
    int64_t max = (int64_t)MCDSHM_MAX_PAYLOAD + sizeof(struct mcdshm_req);
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    rl->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    rl->ctx = zmq_ctx_new();
    rl->router = rl->ctx ? zmq_socket(rl->ctx, ZMQ_ROUTER) : NULL;
    rl->mon = rl->ctx ? zmq_socket(rl->ctx, ZMQ_PAIR) : NULL;
    if (rl->sigfd < 0 || !rl->router || !rl->mon) {
        say("setup: %s", strerror(errno));
        return -1;
    }
    zmq_setsockopt(rl->router, ZMQ_ROUTER_MANDATORY, &one, sizeof(one));
    /* No frame is larger than a record or a slot's payload: a bigger one
     * drops its connection before it costs memory. */
    zmq_setsockopt(rl->router, ZMQ_MAXMSGSIZE, &max, sizeof(max));
    zmq_setsockopt(rl->router, ZMQ_IPV6, &one, sizeof(one)); /* and IPv4 */
    zmq_setsockopt(rl->router, ZMQ_LINGER, &zero, sizeof(zero));
    if (rl->o.heartbeat_ms > 0) {
        zmq_setsockopt(rl->router, ZMQ_HEARTBEAT_IVL, &ivl, sizeof(ivl));
        zmq_setsockopt(rl->router, ZMQ_HEARTBEAT_TIMEOUT, &rl->o.heartbeat_ms,
                       sizeof(int));
        zmq_setsockopt(rl->router, ZMQ_HEARTBEAT_TTL, &rl->o.heartbeat_ms,
                       sizeof(int));
    }
    if (setup_security(rl) < 0) {
        return -1;
    }
    if (zmq_socket_monitor(rl->router, "inproc://relay-monitor",
                           ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) ||
        zmq_connect(rl->mon, "inproc://relay-monitor")) {
        say("monitor: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    if (zmq_bind(rl->router, rl->o.listen) != 0) {
        say("--listen %s: %s", rl->o.listen, zmq_strerror(zmq_errno()));
        return -1;
    }
    return 0;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Before sleeping: ask the server to ring the doorbell of every session
 * with requests in flight (D1 in include/mcdshm/wire.h, through
 * shm_doorbell_prepare_sleep()).  Returns false if a response arrived
 * meanwhile (then do not sleep).
 */
static bool arm_doorbells(struct relay *rl)
{
    bool sleep_ok = true;
    int i;

    for (i = 0; i < RELAY_MAX_SESSIONS; i++) {
        struct session *s = &rl->s[i];

        if (s->used && s->f.n && !s->armed) {
            if (shm_doorbell_prepare_sleep(&s->conn->resp) != 0) {
                sleep_ok = false;
            } else {
                s->armed = true;
            }
        }
    }
    return sleep_ok;
}

/* After waking: clear the flags, drain the doorbells that rang, and see
 * to servers that hung up. */
static void after_wake(struct relay *rl, zmq_pollitem_t *it, int n,
                       struct session **who)
{
    uint64_t v;
    int k;

    for (k = 4; k < n; k += 2) {
        struct session *s = who[k];

        if (!s->used) {
            continue;
        }
        if (s->armed) {
            shm_doorbell_woken(&s->conn->resp);
            s->armed = false;
        }
        if ((it[k].revents & ZMQ_POLLIN) && read(it[k].fd, &v, sizeof(v)) < 0 &&
            errno != EAGAIN) {
            say("session %u: doorbell: %s", s->serial, strerror(errno));
        }
        if (it[k + 1].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) {
            server_hup(rl, s);
        }
    }
}

/*
 * Everything runs on this thread: debuggers' messages, the servers'
 * responses (their doorbells and sockets are in the poll set), monitor,
 * ZAP and signals.  While requests are in flight it polls without sleeping
 * for the policy's spin time (hybrid: 50 us after the last progress), then
 * arms the doorbells and sleeps.
 */
static void run(struct relay *rl)
{
    zmq_pollitem_t it[4 + 2 * RELAY_MAX_SESSIONS];
    struct session *who[4 + 2 * RELAY_MAX_SESSIONS];
    uint64_t spin_until = 0;
    int i, n, k, timeout, work;

    for (;;) {
        work = 0;
        n = 0;
        for (i = 0; i < RELAY_MAX_SESSIONS; i++) {
            work += rl->s[i].used ? serve_responses(rl, &rl->s[i]) : 0;
        }
        it[n++] = (zmq_pollitem_t){ rl->router, 0, ZMQ_POLLIN, 0 };
        it[n++] = (zmq_pollitem_t){ rl->mon, 0, ZMQ_POLLIN, 0 };
        it[n++] = (zmq_pollitem_t){ NULL, rl->sigfd, ZMQ_POLLIN, 0 };
        it[n++] = (zmq_pollitem_t){ rl->zap, 0, rl->zap ? ZMQ_POLLIN : 0, 0 };
        for (i = 0; i < RELAY_MAX_SESSIONS; i++) {
            struct mcdc_conn *c = rl->s[i].conn;

            if (rl->s[i].used) {
                who[n] = who[n + 1] = &rl->s[i];
                it[n++] =
                    (zmq_pollitem_t){ NULL, c->shm.resp_efd, ZMQ_POLLIN, 0 };
                it[n++] = (zmq_pollitem_t){ NULL, c->shm.sock, ZMQ_POLLIN, 0 };
            }
        }
        if (work) {
            spin_until = mono_ns() + rl->spin_ns;
        }
        timeout = rl->o.policy == SHM_POLICY_BUSY ||
                          (rl->o.policy == SHM_POLICY_HYBRID &&
                           mono_ns() < spin_until)
                      ? 0
                      : -1;
        if (timeout < 0 && !arm_doorbells(rl)) {
            timeout = 0;
        }
        k = zmq_poll(it, n, timeout);
        after_wake(rl, it, n, who);
        if (k < 0 && zmq_errno() != EINTR) {
            say("zmq_poll: %s", zmq_strerror(zmq_errno()));
            return;
        }
        if (k <= 0) {
            continue;
        }
        if (it[2].revents & ZMQ_POLLIN) {
            return;
        }
        if (it[1].revents & ZMQ_POLLIN) {
            monitor_events(rl);
        }
        if (it[3].revents & ZMQ_POLLIN) {
            zap_request(rl);
        }
        if (it[0].revents & ZMQ_POLLIN) {
            /* Bounded, so responses and signals are served in between. */
            for (i = 0; i < 64; i++) {
                from_debugger(rl);
                if (!(zmq_poll(it, 1, 0) > 0)) {
                    break;
                }
            }
            spin_until = mono_ns() + rl->spin_ns;
        }
    }
}

static void teardown(struct relay *rl)
{
    int i;

    for (i = 0; i < RELAY_MAX_SESSIONS; i++) {
        if (rl->s[i].used) {
            end_session(&rl->s[i], "the relay is shutting down");
        }
    }
    if (rl->router) {
        zmq_socket_monitor(rl->router, NULL, 0);
        zmq_close(rl->router);
    }
    if (rl->mon) {
        zmq_close(rl->mon);
    }
    if (rl->zap) {
        zmq_close(rl->zap);
    }
    if (rl->ctx) {
        zmq_ctx_term(rl->ctx);
    }
    if (rl->sigfd >= 0) {
        close(rl->sigfd);
    }
    free(rl->allowed);
}

/* ------------------------------------------------------------------------
 * Keys and options
 */

static int write_file(const char *path, mode_t mode, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    size_t len = strlen(text);

    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        say("%s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    close(fd);
    return 0;
}

static int gen_keys(const char *prefix)
{
    char pub[MCDSHM_Z85_KEY_LEN + 1], sec[MCDSHM_Z85_KEY_LEN + 1];
    char path[4096], text[512];

    if (zmq_curve_keypair(pub, sec) != 0) {
        say("zmq_curve_keypair: %s (libzmq without CURVE?)",
            zmq_strerror(zmq_errno()));
        return 1;
    }
    snprintf(text, sizeof(text),
             "# mcdshm CURVE key pair: keep this file secret\n"
             "public = %s\nsecret = %s\n",
             pub, sec);
    snprintf(path, sizeof(path), "%s.secret", prefix);
    if (write_file(path, 0600, text) < 0) {
        return 1;
    }
    snprintf(text, sizeof(text), "public = %s\n", pub);
    snprintf(path, sizeof(path), "%s.public", prefix);
    if (write_file(path, 0644, text) < 0) {
        return 1;
    }
    printf("%s.secret (public and secret key, mode 0600) and %s.public "
           "written\n",
           prefix, prefix);
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: mcdshm-relay (--server NAME | --endpoint PATH) --listen "
          "ADDR\n"
          "                    (--key FILE [--clients FILE] | --plain) "
          "[options]\n"
          "       mcdshm-relay --gen-keys PREFIX\n"
          "Serve a local mcdshm server to remote debuggers over ZeroMQ.\n\n"
          "  -s, --server NAME      the local server called NAME\n"
          "  -e, --endpoint PATH    the local server at the socket PATH\n"
          "  -l, --listen ADDR      ZeroMQ address to bind, e.g. "
          "tcp://0.0.0.0:5555\n"
          "  -k, --key FILE         CURVE: encrypt; FILE holds the relay's "
          "public and\n"
          "                         secret key (from --gen-keys)\n"
          "  -c, --clients FILE     CURVE: admit only the client keys in "
          "FILE\n"
          "                         ('public = KEY' lines)\n"
          "      --plain            accept plain TCP (no encryption, no "
          "authentication)\n"
          "  -t, --heartbeat-ms N   drop a silent debugger after N ms "
          "(default 5000;\n"
          "                         0: only on disconnect)\n"
          "  -m, --max-clients N    debuggers at once (default 16, at most "
          "64)\n"
          "  -p, --policy P         how to wait for the server: busy, hybrid "
          "(default),\n"
          "                         sleep\n"
          "  -v, --verbose          log refused requests too\n"
          "      --gen-keys PREFIX  write PREFIX.secret and PREFIX.public, "
          "then exit\n"
          "  -h, --help             this text\n"
          "Exit status: 0 after SIGINT/SIGTERM, 1 on failure, 2 usage.\n",
          f);
}

static int int_arg(const char *opt, const char *v, int lo, int hi, int *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (*v == '\0' || *end || errno || n < lo || n > hi) {
        say("%s value '%s' is not a number %d..%d", opt, v, lo, hi);
        return -1;
    }
    *out = (int)n;
    return 0;
}

static int parse(int argc, char **argv, struct relay_opts *o)
{
    static const struct option lo[] = { { "server", 1, 0, 's' },
                                        { "endpoint", 1, 0, 'e' },
                                        { "listen", 1, 0, 'l' },
                                        { "key", 1, 0, 'k' },
                                        { "clients", 1, 0, 'c' },
                                        { "plain", 0, 0, 'P' },
                                        { "heartbeat-ms", 1, 0, 't' },
                                        { "max-clients", 1, 0, 'm' },
                                        { "policy", 1, 0, 'p' },
                                        { "verbose", 0, 0, 'v' },
                                        { "gen-keys", 1, 0, 'G' },
                                        { "help", 0, 0, 'h' },
                                        { 0, 0, 0, 0 } };
    int ch;

    while ((ch = getopt_long(argc, argv, "s:e:l:k:c:t:m:p:vh", lo, NULL)) !=
           -1) {
        switch (ch) {
        case 's':
            o->server = optarg;
            break;
        case 'e':
            o->endpoint = optarg;
            break;
        case 'l':
            o->listen = optarg;
            break;
        case 'k':
            o->key = optarg;
            break;
        case 'c':
            o->clients = optarg;
            break;
        case 'P':
            o->plain = true;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'G':
            exit(gen_keys(optarg));
        case 'h':
            usage(stdout);
            exit(0);
        case 't':
            if (int_arg("--heartbeat-ms", optarg, 0, 3600000,
                        &o->heartbeat_ms) < 0) {
                return -1;
            }
            break;
        case 'm':
            if (int_arg("--max-clients", optarg, 1, RELAY_MAX_SESSIONS,
                        &o->max_sessions) < 0) {
                return -1;
            }
            break;
        case 'p':
            if (shm_policy_parse(optarg, &o->policy) < 0) {
                say("--policy value '%s' is not busy, hybrid or sleep", optarg);
                return -1;
            }
            break;
        default:
            return -1;
        }
    }
    if (optind < argc) {
        say("unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if (!o->server == !o->endpoint) {
        say("give one of --server NAME or --endpoint PATH");
        return -1;
    }
    if (!o->listen) {
        say("give --listen ADDR, e.g. --listen tcp://0.0.0.0:5555");
        return -1;
    }
    if (!o->key == !o->plain) {
        say(o->key ? "--key and --plain exclude each other"
                   : "give --key FILE for CURVE encryption (make one with "
                     "--gen-keys), or --plain to accept plain TCP");
        return -1;
    }
    if (o->clients && !o->key) {
        say("--clients needs --key");
        return -1;
    }
    return 0;
}

/*
 * Refuse to start for a server that does not answer: connect and shake
 * hands once, as a session would, then let go.  A relay serving nothing
 * would tell every remote debugger that something is there.
 */
static int check_server(struct relay *rl)
{
    struct session probe;
    char why[MCDC_ERRLEN];
    int r;

    memset(&probe, 0, sizeof(probe));
    r = start_session(rl, &probe, why, sizeof(why));
    if (r < 0) {
        say("%s%s%s does not answer: %s", rl->o.server ? "server '" : "",
            rl->o.server ? rl->o.server : rl->path, rl->o.server ? "'" : "",
            why);
        say("start the server first (`mcdshm servers` lists the live ones "
            "in this runtime directory); not serving");
        return r;
    }
    mcdc_conn_down(probe.conn, -ENOTCONN, "relay start-up check done");
    mcdc_exit_conn(&probe.x);
    mcdc_conn_put(probe.conn);
    return 0;
}

int main(int argc, char **argv)
{
    static struct relay rl; /* large: sessions */
    char err[SHM_ERRLEN];

    rl.o.heartbeat_ms = MCDSHM_RELAY_DEFAULT_TIMEOUT_MS;
    rl.o.max_sessions = 16;
    rl.o.policy = SHM_POLICY_HYBRID;
    rl.spin_ns = SHM_DEFAULT_SPIN_NS;
    rl.sigfd = -1;
    /* Every response becomes a message of up to a slot's payload, freed
     * by ZeroMQ's I/O thread: keep those blocks in the heap instead of
     * mapping and unmapping (and page-faulting) each one. */
    mallopt(M_MMAP_THRESHOLD, (int)(2 * MCDSHM_MAX_PAYLOAD));
    mallopt(M_TRIM_THRESHOLD, (int)(16 * MCDSHM_MAX_PAYLOAD));
    if (parse(argc, argv, &rl.o) < 0) {
        usage(stderr);
        return 2;
    }
    if (rl.o.endpoint) {
        snprintf(rl.path, sizeof(rl.path), "%s", rl.o.endpoint);
    } else if (shm_endpoint_path(rl.o.server, rl.path, sizeof(rl.path), err) <
               0) {
        say("--server %s: %s", rl.o.server, err);
        return 2;
    }
    if (check_server(&rl) < 0) {
        return 1;
    }
    if (setup(&rl) < 0) {
        teardown(&rl);
        return 1;
    }
    say("serving %s on %s (%s)", rl.path, rl.o.listen,
        rl.o.key ? (rl.o.clients ? "CURVE, client keys checked" : "CURVE")
                 : "plain TCP");
    run(&rl);
    teardown(&rl);
    return 0;
}
