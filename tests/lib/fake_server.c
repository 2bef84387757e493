/*
 * The test server (see fake_server.h).  The child process runs an accept
 * loop on its main thread and one thread per connection; the fake core is
 * not thread-safe, so dispatching takes one process-wide lock.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qemu-side/stub/dispatch.h"
#include "shm/conn.h"
#include "shm/doorbell.h"
#include "shm/region.h"
#include "tests/lib/fake_server.h"
#include "tests/stub/fake_core.h"

static pthread_mutex_t core_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mcdcore *core;
static unsigned server_flags;

struct served {
    struct shm_conn c;
};

/* Corrupt the answers the rogue mode names. */
static void rogue(const struct mcdshm_req *q, struct mcdshm_resp *a)
{
    if (q->hdr.fn == MCDSHM_FN_QRY_STATE) {
        a->hdr.seq++;
    } else if (q->hdr.fn == MCDSHM_FN_QRY_MEM_SPACES && a->u.page.num) {
        a->u.page.items.off = a->hdr.payload_len;
    }
}

/* Damage one answer in three at random; false: publish nothing (the
 * request goes unanswered).  *extra receives how many records to publish
 * beyond the one written (a tail run ahead). */
static bool chaos(unsigned *seed, struct mcdshm_resp *a, uint32_t *extra)
{
    uint8_t *body = (uint8_t *)&a->u;

    *extra = 0;
    if (rand_r(seed) % 3) {
        return true;
    }
    switch (rand_r(seed) % 10) {
    case 0:
        a->hdr.seq += 1 + (uint32_t)rand_r(seed) % 7;
        break;
    case 1:
        a->hdr.fn ^= (uint16_t)(1 + rand_r(seed) % 60);
        break;
    case 2:
        a->hdr.payload_len = 0xfffff000u | (uint32_t)rand_r(seed);
        break;
    case 3:
        for (int i = 0; i < 8; i++) {
            body[rand_r(seed) % 256] = (uint8_t)rand_r(seed);
        }
        break;
    case 4:
        a->hdr.ret = MCD_RET_ACT_HANDLE_ERROR;
        a->error.error_code = MCD_ERR_GENERAL;
        memset(a->error.error_str, 'X', sizeof(a->error.error_str));
        break;
    case 5:
        a->hdr.ret = 7 + (uint32_t)rand_r(seed) % 100;
        break;
    case 6:
        a->u.page.num = 1000000u + (uint32_t)rand_r(seed);
        break;
    case 7:
        a->u.page.items.off = (uint32_t)rand_r(seed);
        a->u.page.items.len = (uint32_t)rand_r(seed);
        break;
    case 8:
        *extra = 1 + (uint32_t)rand_r(seed) % 4;
        break;
    default:
        return false;
    }
    return true;
}

/* FAKE_SERVER_LANES: write lane 0 as scenario @how asks. */
static void write_lane(const struct shm_conn *c, const struct mcdshm_req *q,
                       uint32_t how)
{
    const struct shm_region *r = &c->region;
    struct mcdshm_trace_lane *l;
    mcd_trace_data_core_st *f;
    uint32_t i;

    if (!(r->lay.features & MCDSHM_FEAT_TRACE) || !how) {
        return;
    }
    l = shm_region_lane(r, 0);
    f = (mcd_trace_data_core_st *)shm_region_lane_frames(r, 0);
    memset(l, 0, sizeof(*l));
    for (i = 0; i < 5; i++) {
        memset(&f[i], 0, sizeof(f[i]));
        f[i].data = i;
    }
    l->mode = MCD_TRACE_MODE_PIPE;
    l->frame_size = sizeof(*f);
    l->capacity = 1024;
    l->tail = 5;
    l->trace_id = q->u.set_trace_state.trace_id;
    switch (how) {
    case FAKE_LANE_MODE:
        l->mode = 0x77;
        break;
    case FAKE_LANE_CAPACITY:
        l->capacity = 3000;
        break;
    case FAKE_LANE_FRAME_SIZE:
        l->frame_size = 1000;
        break;
    case FAKE_LANE_TAIL:
        l->tail = 1000000;
        break;
    case FAKE_LANE_FIFO_HEAD:
        l->mode = MCD_TRACE_MODE_FIFO;
        l->head = 9;
        break;
    }
    __atomic_store_n(&l->core_uid, q->hdr.core_uid, __ATOMIC_RELEASE);
}

/* Answer one request; false if the connection must be dropped. */
static bool answer(struct mcdcore_session *s, struct shm_conn *c,
                   struct shm_ring *req, struct shm_ring *resp, unsigned *seed)
{
    uint32_t extra = 0;
    uint32_t idx = shm_ring_head(req);
    struct mcdshm_req q;
    struct mcdshm_resp *a;

    memcpy(&q, shm_ring_peek(req), sizeof(q));
    if (q.hdr.seq != idx || shm_ring_free(resp, 1) < 1) {
        fprintf(stderr, "fake server: seq %u at %u, dropping\n", q.hdr.seq,
                idx);
        return false;
    }
    a = shm_ring_next(resp);
    pthread_mutex_lock(&core_lock);
    if (mcdstub_dispatch(s, &q, shm_region_payload(&c->region, idx),
                         c->region.lay.payload_size, a) < 0) {
        pthread_mutex_unlock(&core_lock);
        return false;
    }
    pthread_mutex_unlock(&core_lock);
    if (server_flags & FAKE_SERVER_ROGUE) {
        rogue(&q, a);
    }
    if ((server_flags & FAKE_SERVER_LANES) &&
        q.hdr.fn == MCDSHM_FN_SET_TRACE_STATE) {
        write_lane(c, &q, q.u.set_trace_state.state.options);
    }
    shm_ring_release(req, 1);
    if ((server_flags & FAKE_SERVER_CHAOS) && !chaos(seed, a, &extra)) {
        return true; /* swallowed */
    }
    shm_ring_publish(resp, 1 + extra);
    shm_doorbell_ring(resp->ctl, c->resp_efd);
    return true;
}

static void *serve(void *arg)
{
    struct served *sv = arg;
    struct shm_ring req, resp;
    struct mcdcore_session *s;
    struct shm_waiter w;
    static unsigned nconn;
    unsigned seed = 2654435761u * __atomic_add_fetch(&nconn, 1,
                                                     __ATOMIC_RELAXED);
    int n, i;
    bool ok = true;

    shm_region_req_ring(&sv->c.region, &req, false);
    shm_region_resp_ring(&sv->c.region, &resp, true);
    if (mcdcore_session_open(core, &s) < 0 ||
        shm_waiter_init(&w, SHM_POLICY_HYBRID, 0, sv->c.req_efd, sv->c.sock) <
            0) {
        _exit(3);
    }
    while (ok && (n = shm_doorbell_wait(&req, &w, -1)) > 0) {
        pthread_mutex_lock(&core_lock);
        if ((uint32_t)n > fake_backlog) {
            fake_backlog = (uint32_t)n;
        }
        pthread_mutex_unlock(&core_lock);
        for (i = 0; i < n && ok; i++) {
            ok = answer(s, &sv->c, &req, &resp, &seed);
        }
    }
    pthread_mutex_lock(&core_lock);
    mcdcore_session_close(s);
    pthread_mutex_unlock(&core_lock);
    shm_waiter_destroy(&w);
    shm_conn_close(&sv->c);
    free(sv);
    return NULL;
}

static void __attribute__((noreturn)) run(const char *name, const char *path)
{
    struct shm_listener l;
    char err[SHM_ERRLEN];
    pthread_t t;

    if (shm_listen(name, path, &l, err) < 0 ||
        mcdcore_create(NULL, name, &core) < 0) {
        fprintf(stderr, "fake server %s: %s\n", name, err);
        _exit(2);
    }
    for (;;) {
        struct served *sv = calloc(1, sizeof(*sv));

        if (!sv || shm_accept(&l, &sv->c, err) < 0) {
            free(sv);
            continue;
        }
        if (pthread_create(&t, NULL, serve, sv) != 0) {
            _exit(4);
        }
        pthread_detach(t);
    }
}

bool fake_server_listening(const char *path)
{
    FILE *f = fopen("/proc/net/unix", "re");
    char line[512];
    unsigned flags;
    int pos;
    bool found = false;

    if (!f) {
        return false;
    }
    while (!found && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        pos = 0;
        if (sscanf(line, "%*s %*x %*x %x %*x %*x %*u %n", &flags, &pos) == 1 &&
            pos && (flags & 0x10000) && strcmp(line + pos, path) == 0) {
            found = true;
        }
    }
    fclose(f);
    return found;
}

pid_t fake_server_spawn(const char *name, const char *path, unsigned flags)
{
    char where[SHM_PATH_MAX], err[SHM_ERRLEN];
    struct timespec ts = { 0, 1000000 };
    pid_t pid;
    int i;

    if (path) {
        snprintf(where, sizeof(where), "%s", path);
    } else if (shm_endpoint_path(name, where, sizeof(where), err) < 0) {
        fprintf(stderr, "fake server: %s\n", err);
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    if (pid == 0) {
        /* Let go of what the test process holds (Criterion's pipes among
         * them): the server must not keep the test's runner waiting. */
        close_range(3, ~0u, 0);
        server_flags = flags;
        run(name, path);
    }
    for (i = 0; i < 5000 && !fake_server_listening(where); i++) {
        nanosleep(&ts, NULL);
    }
    if (i == 5000) {
        fprintf(stderr, "fake server %s never listened on %s\n", name, where);
        kill(pid, SIGKILL);
        exit(1);
    }
    return pid;
}
