/*
 * libmcdshm's core: the registry of open servers, connections and cores,
 * the request/response machinery over a connection's rings, and the last
 * errors (see client.h for objects, threads and errors).
 *
 * Every response is validated before use: its record is copied out of
 * shared memory first, then seq, fn, flags, reserved words, payload_len,
 * the error block and, in the callers, every span and count.  A server
 * that breaks the contract loses its connection with a message naming the
 * field ("malformed response from server ..."), never crashes the tool.
 * A server that hangs up turns the call in progress, and every later call
 * on the connection, into MCD_ERR_CONNECTION "server <name> (pid N) is
 * gone".  A call that times out leaves its request pending; the next call
 * on the connection first waits for (and discards) the late answer.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host-side/lib/client.h"
#include "mcdshm/client.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mcdc_conn *reg_head; /* open servers, in open order */
static mcd_api_version_st api_version = { MCD_API_VER_MAJOR, MCD_API_VER_MINOR,
                                          MCD_API_VER_AUTHOR };

static pthread_mutex_t err_lock = PTHREAD_MUTEX_INITIALIZER;
static mcd_error_info_st coreless_last;

MCDSHM_EXPORT const char *mcdshm_version(void)
{
    return MCDSHM_VERSION_STRING;
}

/* ------------------------------------------------------------------------
 * Errors: the one translation from -errno to MCD error codes
 */

static const struct {
    int err;
    mcd_error_code_et code;
} err_table[] = {
    { -EINVAL, MCD_ERR_PARAM },            /* an argument of the tool */
    { -ETIMEDOUT, MCD_ERR_TIMED_OUT },     /* no answer in time */
    { -EPIPE, MCD_ERR_CONNECTION },        /* the server hung up */
    { -EPROTO, MCD_ERR_CONNECTION },       /* malformed response */
    { -ENOTCONN, MCD_ERR_CONNECTION },     /* server closed, none open */
    { -ECONNREFUSED, MCD_ERR_CONNECTION }, /* connect or handshake failed */
    { -ENOENT, MCD_ERR_CONNECTION },       /* no such server */
    { -EHOSTUNREACH, MCD_ERR_CONNECTION }, /* a remote host */
    { -ENOTSUP, MCD_ERR_GENERAL },         /* API version not supported */
    { -ERANGE, MCD_ERR_RESULT_TOO_LONG },  /* result larger than a buffer */
    { -ENOMEM, MCD_ERR_GENERAL },
    { -EBUSY, MCD_ERR_GENERAL }, /* a library bug: no free slot */
};

static mcd_error_code_et err_code(int err)
{
    size_t i;

    for (i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++) {
        if (err_table[i].err == err) {
            return err_table[i].code;
        }
    }
    return MCD_ERR_GENERAL;
}

void mcdc_call_init(struct mcdc_call *x, const char *fn)
{
    /* All but the error string's bytes after its first: a success leaves
     * it empty, a failure writes it whole with its NUL. */
    memset(x, 0, offsetof(struct mcdc_call, res.error_str) + 1);
    x->fn = fn;
}

int mcdc_fail(struct mcdc_call *x, int err, const char *fmt, ...)
{
    char *s = x->res.error_str;
    size_t size = sizeof(x->res.error_str);
    va_list ap;
    int n;

    n = snprintf(s, size, "%s: ", x->fn);
    va_start(ap, fmt);
    vsnprintf(s + n, size - (size_t)n, fmt, ap);
    va_end(ap);
    return err;
}

void mcdc_answer(struct mcdc_call *x, const struct mcdshm_resp *r)
{
    mcdc_clear_res(x);
    if (r->hdr.ret == MCD_RET_ACT_NONE) {
        return;
    }
    memcpy(&x->res, &r->error, sizeof(x->res));
    x->res.return_status = r->hdr.ret;
    if (x->res.error_str[0] == '\0') {
        snprintf(x->res.error_str, sizeof(x->res.error_str),
                 "%s: the server answered 0x%x (error code 0x%x) without a "
                 "message",
                 x->fn, r->hdr.ret, x->res.error_code);
    }
}

/*
 * Copy an error record's three words and its string up to the NUL: most
 * calls succeed, and a success record is 13 bytes, not 268.  Bytes after
 * the NUL are never read back (mcdc_get_last_error zeroes them).
 */
static void copy_error(mcd_error_info_st *dst, const mcd_error_info_st *src)
{
    size_t n = strnlen(src->error_str, sizeof(src->error_str) - 1);

    dst->return_status = src->return_status;
    dst->error_code = src->error_code;
    dst->error_events = src->error_events;
    memcpy(dst->error_str, src->error_str, n);
    dst->error_str[n] = '\0';
}

void mcdc_set_last_error(struct mcdc_core *core, const mcd_error_info_st *e)
{
    pthread_mutex_lock(&err_lock);
    copy_error(core ? &core->last : &coreless_last, e);
    pthread_mutex_unlock(&err_lock);
}

void mcdc_get_last_error(struct mcdc_core *core, mcd_error_info_st *e)
{
    size_t n;

    pthread_mutex_lock(&err_lock);
    copy_error(e, core ? &core->last : &coreless_last);
    pthread_mutex_unlock(&err_lock);
    n = strlen(e->error_str);
    memset(e->error_str + n, 0, sizeof(e->error_str) - n);
}

mcd_return_et mcdc_leave(struct mcdc_call *x, int r)
{
    mcdc_exit_conn(x);
    if (r < 0) {
        x->res.return_status = MCD_RET_ACT_HANDLE_ERROR;
        x->res.error_code = err_code(r);
        x->res.error_events = 0;
        if (x->res.error_str[0] == '\0') {
            mcdc_fail(x, r, "%s", strerror(-r));
        }
    }
    mcdc_set_last_error(x->core, &x->res);
    return x->res.return_status;
}

/* ------------------------------------------------------------------------
 * The registry
 */

void mcdc_api_version(mcd_api_version_st *v)
{
    pthread_mutex_lock(&reg_lock);
    *v = api_version;
    pthread_mutex_unlock(&reg_lock);
}

void mcdc_set_api_version(const mcd_api_version_st *v)
{
    pthread_mutex_lock(&reg_lock);
    api_version = *v;
    api_version.author[sizeof(api_version.author) - 1] = '\0';
    pthread_mutex_unlock(&reg_lock);
}

void mcdc_conn_list(struct mcdc_conn *c)
{
    struct mcdc_conn **p;

    pthread_mutex_lock(&reg_lock);
    for (p = &reg_head; *p; p = &(*p)->next) {
    }
    *p = c;
    c->next = NULL;
    c->listed = true;
    pthread_mutex_unlock(&reg_lock);
}

void mcdc_conn_unlist(struct mcdc_conn *c)
{
    pthread_mutex_lock(&reg_lock);
    c->listed = false;
    pthread_mutex_unlock(&reg_lock);
}

/* Take @c out of the registry list (registry lock held). */
static void conn_unlink(struct mcdc_conn *c)
{
    struct mcdc_conn **p;

    for (p = &reg_head; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
}

static void conn_free(struct mcdc_conn *c)
{
    if (c->up) {
        if (c->remote) {
            mcdc_remote_close(c);
        }
        shm_waiter_destroy(&c->waiter);
        shm_conn_close(&c->shm);
    }
    mcdc_txlist_free(c);
    mcdc_remote_free(c);
    pthread_mutex_destroy(&c->lock);
    free(c->config);
    c->magic = 0;
    free(c);
}

void mcdc_conn_put(struct mcdc_conn *c)
{
    bool last;

    pthread_mutex_lock(&reg_lock);
    last = --c->refs == 0;
    if (last) {
        conn_unlink(c);
    }
    pthread_mutex_unlock(&reg_lock);
    if (last) {
        conn_free(c);
    }
}

int mcdc_conns(struct mcdc_conn ***out, bool all)
{
    struct mcdc_conn *c, **v;
    int n = 0;

    *out = NULL;
    pthread_mutex_lock(&reg_lock);
    for (c = reg_head; c; c = c->next) {
        n += all || c->listed;
    }
    v = n ? calloc((size_t)n, sizeof(*v)) : NULL;
    if (n && !v) {
        pthread_mutex_unlock(&reg_lock);
        return -ENOMEM;
    }
    n = 0;
    for (c = reg_head; c; c = c->next) {
        if (all || c->listed) {
            c->refs++;
            v[n++] = c;
        }
    }
    pthread_mutex_unlock(&reg_lock);
    *out = v;
    return n;
}

void mcdc_conns_put(struct mcdc_conn **v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        mcdc_conn_put(v[i]);
    }
    free(v);
}

bool mcdc_path_open(const char *path)
{
    struct mcdc_conn *c;
    bool found = false;

    pthread_mutex_lock(&reg_lock);
    for (c = reg_head; c && !found; c = c->next) {
        found = c->listed && strcmp(c->path, path) == 0;
    }
    pthread_mutex_unlock(&reg_lock);
    return found;
}

/*
 * Handles are recognised by their address in the registry, never by
 * reading them: a closed handle's memory is gone, and a tool that closes
 * twice or calls with a stale handle must get an error, not a crash.
 */
struct mcdc_conn *mcdc_server_conn(const mcd_server_st *server)
{
    struct mcdc_conn *c;

    if (!server) {
        return NULL;
    }
    pthread_mutex_lock(&reg_lock);
    for (c = reg_head; c; c = c->next) {
        if (&c->pub == server && c->listed) {
            break;
        }
    }
    pthread_mutex_unlock(&reg_lock);
    return c;
}

/* The open core whose handle is @core, or NULL (see mcdc_server_conn()). */
static struct mcdc_core *core_lookup(const mcd_core_st *core)
{
    struct mcdc_core *k = NULL;
    struct mcdc_conn *c;

    pthread_mutex_lock(&reg_lock);
    for (c = reg_head; c && !k; c = c->next) {
        for (k = c->cores; k && &k->pub != core; k = k->next) {
        }
    }
    pthread_mutex_unlock(&reg_lock);
    return k;
}

struct mcdc_core *mcdc_core_new(struct mcdc_conn *c, uint32_t core_uid,
                                const mcd_core_con_info_st *info)
{
    struct mcdc_core *k = calloc(1, sizeof(*k));

    if (!k) {
        return NULL;
    }
    k->magic = MCDC_CORE_MAGIC;
    k->conn = c;
    k->core_uid = core_uid;
    k->info = *info;
    k->pub.instance = k;
    k->pub.core_con_info = &k->info;
    pthread_mutex_lock(&reg_lock);
    c->refs++;
    k->next = c->cores;
    c->cores = k;
    pthread_mutex_unlock(&reg_lock);
    return k;
}

void mcdc_core_free(struct mcdc_core *k)
{
    struct mcdc_conn *c = k->conn;
    struct mcdc_core **p;

    pthread_mutex_lock(&reg_lock);
    for (p = &c->cores; *p; p = &(*p)->next) {
        if (*p == k) {
            *p = k->next;
            break;
        }
    }
    pthread_mutex_unlock(&reg_lock);
    k->magic = 0;
    free(k);
    mcdc_conn_put(c);
}

/* ------------------------------------------------------------------------
 * Connections
 */

void mcdc_conn_down(struct mcdc_conn *c, int err, const char *fmt, ...)
{
    va_list ap;

    if (!c->up) {
        return;
    }
    c->up = false;
    c->down_err = err;
    va_start(ap, fmt);
    vsnprintf(c->down_msg, sizeof(c->down_msg), fmt, ap);
    va_end(ap);
    if (c->remote) {
        mcdc_remote_close(c);
    }
    shm_waiter_destroy(&c->waiter);
    shm_conn_close(&c->shm);
}

int mcdc_conn_adopt(struct mcdc_call *x, struct shm_conn *shm,
                    const char *path, const struct mcdc_config *cfg,
                    struct mcdc_conn **out)
{
    struct mcdc_conn *c = calloc(1, sizeof(*c));
    int r;

    if (!c) {
        shm_conn_close(shm);
        return mcdc_fail(x, -ENOMEM, "out of memory");
    }
    c->shm = *shm;
    r = shm_waiter_init(&c->waiter, cfg->policy, 0, c->shm.resp_efd,
                        c->shm.sock);
    if (r < 0) {
        shm_conn_close(&c->shm);
        free(c);
        return mcdc_fail(x, -ECONNREFUSED, "epoll for %s: %s", path,
                         strerror(-r));
    }
    pthread_mutex_init(&c->lock, NULL);
    c->magic = MCDC_SERVER_MAGIC;
    c->refs = 1;
    shm_region_req_ring(&c->shm.region, &c->req, true);
    shm_region_resp_ring(&c->shm.region, &c->resp, false);
    c->up = true;
    c->policy = cfg->policy;
    c->timeout_ms = cfg->timeout_ms;
    c->use_window = cfg->window;
    c->nslots = c->shm.region.lay.nslots;
    c->payload_size = c->shm.region.lay.payload_size;
    c->pid = c->shm.peer_pid;
    c->sock = c->shm.sock;
    snprintf(c->name, sizeof(c->name), "%s", c->shm.peer_name);
    snprintf(c->path, sizeof(c->path), "%s", path);
    c->pub.instance = c;
    c->pub.host = "localhost";
    *out = c;
    return 0;
}

int mcdc_conn_open(struct mcdc_call *x, const char *path,
                   const struct mcdc_config *cfg, struct mcdc_conn **out)
{
    char err[SHM_ERRLEN];
    struct shm_conn shm;
    struct shm_conn_wish wish = { .window = cfg->window,
                                  .trace = cfg->trace_lanes != 0,
                                  .trace_lanes = cfg->trace_lanes,
                                  .trace_frames = cfg->trace_frames };
    int r = shm_connect(path, &wish, &shm, err);

    if (r < 0) {
        return mcdc_fail(x, r == -ETIMEDOUT ? r : -ECONNREFUSED,
                         "cannot connect to %s: %s", path, err);
    }
    return mcdc_conn_adopt(x, &shm, path, cfg, out);
}

/* ------------------------------------------------------------------------
 * Requests and responses
 */

uint64_t mcdc_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int mcdc_call_bound_ms(const struct mcdc_call *x)
{
    int t = x->conn->timeout_ms;

    if (t < 0) {
        return -1;
    }
    return (uint64_t)t + x->extra_ms > INT_MAX ? -1 : t + (int)x->extra_ms;
}

int mcdc_call_left_ms(struct mcdc_call *x)
{
    int bound = mcdc_call_bound_ms(x);
    uint64_t now = mcdc_now_ns(), used;

    if (bound < 0) {
        return -1;
    }
    if (!x->start_ns) {
        x->start_ns = now;
    }
    used = (now - x->start_ns) / 1000000u;
    return used >= (uint64_t)bound ? 0 : bound - (int)used;
}

int mcdc_gone(struct mcdc_call *x)
{
    struct mcdc_conn *c = x->conn;

    mcdc_conn_down(c, -EPIPE, "server '%s' (pid %d) is gone", c->name,
                   (int)c->pid);
    return mcdc_fail(x, -EPIPE, "%s", c->down_msg);
}

int mcdc_check_alive(struct mcdc_call *x)
{
    uint64_t now = mcdc_now_ns();

    if (now - x->conn->alive_ns > MCDC_ALIVE_NS) {
        if (shm_conn_peer_gone(&x->conn->shm) == 1) {
            return mcdc_gone(x);
        }
        x->conn->alive_ns = now;
    }
    return 0;
}

int mcdc_malformed(struct mcdc_call *x, const char *fmt, ...)
{
    struct mcdc_conn *c = x->conn;
    char why[MCDC_ERRLEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    mcdc_conn_down(c, -EPROTO, "malformed response from server '%s': %s",
                   c->name, why);
    return mcdc_fail(x, -EPROTO, "%s", c->down_msg);
}

/*
 * The server releases a request slot when it has copied the request; we
 * never have more than nslots requests unanswered, so this waits only if
 * a server answers before it releases.
 */
static int wait_req_room(struct mcdc_call *x)
{
    struct mcdc_conn *c = x->conn;
    int n;

    while ((n = shm_ring_free(&c->req, 1)) == 0) {
        if (shm_conn_peer_gone(&c->shm) == 1) {
            return mcdc_gone(x);
        }
        if (mcdc_call_left_ms(x) == 0) {
            return mcdc_fail(x, -ETIMEDOUT,
                             "server '%s' (pid %d) released no request slot "
                             "within the call's bound of %d ms "
                             "(McdShmTimeoutMs)",
                             c->name, (int)c->pid, mcdc_call_bound_ms(x));
        }
        sched_yield();
    }
    return n < 0 ? mcdc_malformed(x, "request ring head is corrupt") : 0;
}

int mcdc_req_begin(struct mcdc_call *x, uint16_t fn, struct mcdshm_req **q,
                   uint8_t **payload)
{
    struct mcdc_conn *c = x->conn;
    uint32_t seq = shm_ring_tail(&c->req);
    int r;

    if (seq - shm_ring_head(&c->resp) >= c->nslots) {
        return mcdc_fail(x, -EBUSY, "all %u request slots are in flight",
                         c->nslots);
    }
    r = wait_req_room(x);
    if (r < 0) {
        return r;
    }
    *q = shm_ring_next(&c->req);
    /* Only the record's extent (shm/records.h): a small call then moves
     * one or two cache lines, not the whole 1 KiB record. */
    memset(*q, 0, shm_req_len(fn));
    (*q)->hdr.seq = seq;
    (*q)->hdr.fn = fn;
    (*q)->hdr.server_uid = c->server_uid;
    (*q)->hdr.core_uid = x->core_uid;
    *payload = shm_region_payload(&c->shm.region, seq);
    x->req_fn = fn;
    return 0;
}

void mcdc_req_send(struct mcdc_call *x, uint32_t payload_len)
{
    struct mcdc_conn *c = x->conn;
    struct mcdshm_req *q = shm_ring_next(&c->req);

    q->hdr.payload_len = payload_len;
    shm_ring_publish(&c->req, 1);
    if (c->remote) {
        mcdc_remote_send(c); /* remote.h: the same record, over ZeroMQ */
        return;
    }
    /* A failed eventfd write shows up as a timeout or a hang-up. */
    shm_doorbell_ring(c->req.ctl, c->shm.req_efd);
}

/* Check the header and error block of a private response copy. */
static int check_resp(struct mcdc_call *x, uint16_t fn, uint32_t seq,
                      const struct mcdshm_resp *r)
{
    const struct mcdshm_resp_hdr *h = &r->hdr;

    if (h->seq != seq) {
        return mcdc_malformed(x, "seq %u where %u was expected", h->seq, seq);
    }
    if (fn && h->fn != fn) {
        return mcdc_malformed(x, "fn %u answers a request of fn %u", h->fn, fn);
    }
    if (h->flags || h->reserved[0] || h->reserved[1] || h->reserved[2] ||
        h->reserved[3]) {
        return mcdc_malformed(x, "flags or reserved words are not zero");
    }
    if (h->payload_len > x->conn->payload_size) {
        return mcdc_malformed(x,
                              "payload_len %u exceeds the payload area of "
                              "%u bytes",
                              h->payload_len, x->conn->payload_size);
    }
    if (h->ret == MCD_RET_ACT_NONE) {
        return 0;
    }
    if (h->ret > MCD_RET_ACT_HANDLE_ERROR &&
        (h->ret < MCD_RET_ACT_CUSTOM_LO || h->ret > MCD_RET_ACT_CUSTOM_HI)) {
        return mcdc_malformed(x, "ret 0x%x is not an mcd_return_et", h->ret);
    }
    if (r->error.error_code == MCD_ERR_NONE && r->error.error_events == 0) {
        return mcdc_malformed(x, "ret %u comes with neither an error code "
                              "nor an event", h->ret);
    }
    if (!memchr(r->error.error_str, '\0', sizeof(r->error.error_str))) {
        return mcdc_malformed(x, "error_str is not NUL-terminated");
    }
    return 0;
}

/* Copy a response's extent (shm/records.h) for a call of @fn; the rest of
 * @out reads as zero.  The extent follows from the private copy of the
 * header, so the server cannot change it under us. */
static void copy_resp(struct mcdshm_resp *out, const struct mcdshm_resp *r,
                      uint16_t fn)
{
    uint32_t ret = READ_ONCE(r->hdr.ret);

    memset(out, 0, shm_resp_len(fn, ret));
    shm_copy_resp(out, r, fn, ret);
    out->hdr.ret = ret; /* the value the extent was chosen by */
}

int mcdc_resp_wait(struct mcdc_call *x, uint16_t fn, struct mcdshm_resp *out,
                   const uint8_t **payload)
{
    struct mcdc_conn *c = x->conn;
    uint32_t seq = shm_ring_head(&c->resp);
    int left = mcdc_call_left_ms(x);
    int n = c->remote ? mcdc_remote_wait(c, left)
                      : shm_doorbell_wait(&c->resp, &c->waiter, left);

    if (n < 0 && !c->up) { /* the remote transport said why */
        return mcdc_fail(x, c->down_err, "%s", c->down_msg);
    }
    if (n == -ETIMEDOUT) {
        return mcdc_fail(x, -ETIMEDOUT,
                         "no answer from server '%s' (pid %d) within the "
                         "call's bound of %d ms (McdShmTimeoutMs)",
                         c->name, (int)c->pid, mcdc_call_bound_ms(x));
    }
    if (n == -EPIPE) {
        return mcdc_gone(x);
    }
    if (n == -EPROTO) {
        return mcdc_malformed(x, "response ring tail is corrupt");
    }
    if (n < 0) {
        mcdc_conn_down(c, n, "waiting for server '%s': %s", c->name,
                       strerror(-n));
        return mcdc_fail(x, n, "%s", c->down_msg);
    }
    copy_resp(out, shm_ring_peek(&c->resp), fn);
    n = check_resp(x, fn, seq, out);
    if (n == 0 && payload) {
        *payload = c->remote ? mcdc_remote_payload(c, seq)
                             : shm_region_payload(&c->shm.region, seq);
    }
    return n;
}

void mcdc_resp_done(struct mcdc_call *x)
{
    if (x->conn->up) {
        if (x->conn->remote) {
            mcdc_remote_release(x->conn);
        }
        shm_ring_release(&x->conn->resp, 1);
    }
}

int mcdc_transact(struct mcdc_call *x, uint32_t payload_len,
                  struct mcdshm_resp *out, const uint8_t **payload)
{
    mcdc_req_send(x, payload_len);
    return mcdc_resp_wait(x, x->req_fn, out, payload);
}

int mcdc_resp_span(struct mcdc_call *x, const struct mcdshm_resp *r,
                   struct mcdshm_span sp, const char *field)
{
    if ((uint64_t)sp.off + sp.len > r->hdr.payload_len) {
        return mcdc_malformed(x,
                              "%s span [0x%x, +0x%x) is outside the %u "
                              "payload bytes of the response",
                              field, sp.off, sp.len, r->hdr.payload_len);
    }
    return 0;
}

int mcdc_put_str(struct mcdc_call *x, const char *s, uint8_t *payload,
                 uint32_t *off, struct mcdshm_span *sp, const char *what)
{
    uint32_t room = x->conn->payload_size - *off;
    size_t n;

    sp->off = *off;
    sp->len = 0;
    if (!s) {
        return 0;
    }
    n = strnlen(s, room);
    if (n == room) {
        return mcdc_fail(x, -EINVAL,
                         "%s is longer than the %u bytes a request carries",
                         what, room ? room - 1 : 0);
    }
    memcpy(payload + *off, s, n + 1);
    sp->len = (uint32_t)n + 1;
    *off += sp->len;
    return 0;
}

int mcdc_simple(struct mcdc_call *x, uint16_t fn, const void *body,
                size_t body_size, void *out, size_t out_size)
{
    struct mcdshm_req *q;
    struct mcdshm_resp resp;
    uint8_t *pl;
    int r;

    r = mcdc_req_begin(x, fn, &q, &pl);
    if (r < 0) {
        return r;
    }
    if (body) {
        memcpy(&q->u, body, body_size);
    }
    r = mcdc_transact(x, 0, &resp, NULL);
    if (r < 0) {
        return r;
    }
    mcdc_answer(x, &resp);
    if (out) {
        memcpy(out, &resp.u, out_size);
    }
    mcdc_resp_done(x);
    return 0;
}

/* Consume the answers of requests that timed out earlier. */
static int drain(struct mcdc_call *x)
{
    struct mcdc_conn *c = x->conn;
    struct mcdshm_resp stale;
    int r;

    while (shm_ring_tail(&c->req) != shm_ring_head(&c->resp)) {
        r = mcdc_resp_wait(x, 0, &stale, NULL);
        if (r == -ETIMEDOUT) {
            return mcdc_fail(x, r,
                             "server '%s' (pid %d) is still busy with a "
                             "call that timed out (waited the call's bound "
                             "of %d ms)",
                             c->name, (int)c->pid, mcdc_call_bound_ms(x));
        }
        if (r < 0) {
            return r;
        }
        mcdc_resp_done(x);
    }
    return 0;
}

int mcdc_enter_conn(struct mcdc_call *x, struct mcdc_conn *c)
{
    pthread_mutex_lock(&c->lock);
    x->conn = c;
    if (!c->up) {
        return mcdc_fail(x, c->down_err, "%s", c->down_msg);
    }
    return drain(x);
}

int mcdc_close_call(struct mcdc_call *x, struct mcdc_conn *c, uint16_t fn)
{
    struct mcdshm_req *q;
    uint8_t *pl;
    int r;

    pthread_mutex_lock(&c->lock);
    x->conn = c;
    if (!c->up) {
        return mcdc_fail(x, c->down_err, "%s", c->down_msg);
    }
    if (shm_ring_tail(&c->req) == shm_ring_head(&c->resp)) {
        r = mcdc_simple(x, fn, NULL, 0, NULL, 0);
    } else {
        r = mcdc_req_begin(x, fn, &q, &pl);
        if (r == 0) {
            mcdc_req_send(x, 0);
        }
    }
    if (r == -ETIMEDOUT || r == -EBUSY) {
        mcdc_clear_res(x); /* freed all the same */
        r = 0;
    }
    return r;
}

int mcdc_use_core(struct mcdc_call *x, const mcd_core_st *core)
{
    struct mcdc_core *k = core ? core_lookup(core) : NULL;

    if (!k) {
        return mcdc_fail(x, -EINVAL, "core %s",
                         core ? "is not an open core of this library"
                              : "is NULL");
    }
    x->core = k;
    x->core_uid = k->core_uid;
    return 0;
}

int mcdc_enter(struct mcdc_call *x)
{
    return mcdc_enter_conn(x, x->core->conn);
}

void mcdc_exit_conn(struct mcdc_call *x)
{
    if (x->conn) {
        pthread_mutex_unlock(&x->conn->lock);
        x->conn = NULL;
    }
}

int mcdc_enter_core(struct mcdc_call *x, const mcd_core_st *core)
{
    int r = mcdc_use_core(x, core);

    return r < 0 ? r : mcdc_enter(x);
}

/*
 * One request with a fixed body on @core; on success @out_size bytes of
 * the answer's body go to @out after @strf's strings are checked.
 */
mcd_return_et mcdc_core_call(const char *fn, const mcd_core_st *core,
                             uint16_t id, const void *body, size_t body_size,
                             void *out, size_t out_size, const char *out_name,
                             const struct mcdc_strf *strf)
{
    uint8_t resp[MCDSHM_RESP_BODY_SIZE];
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, fn);
    r = mcdc_use_core(&x, core);
    if (r == 0 && out_name && !out) {
        r = mcdc_fail(&x, -EINVAL, "%s is NULL", out_name);
    }
    if (r == 0) {
        r = mcdc_enter(&x);
    }
    if (r == 0) {
        r = mcdc_simple(&x, id, body, body_size, resp, out_size);
    }
    if (r == 0 && out && x.res.return_status != MCD_RET_ACT_HANDLE_ERROR) {
        r = mcdc_check_strs(&x, resp, 1, (uint32_t)out_size, strf, out_name);
    }
    if (r == 0 && out && x.res.return_status != MCD_RET_ACT_HANDLE_ERROR) {
        memcpy(out, resp, out_size);
    }
    return mcdc_leave(&x, r);
}
