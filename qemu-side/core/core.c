/*
 * The MCD server core: its creation, the sessions (one per connected
 * debugger), uids, the last error of every call, the one count-then-fetch
 * helper, and the functions about the API as a whole (initialize, exit,
 * qry_error_info).  Also mcdshm_fail() for the targets.
 *
 * The core owns the struct mcdcore (shared by all sessions, under c->lock)
 * and each struct mcdcore_session.  mcdcore_create()/mcdcore_destroy() run
 * on the thread that owns the stub; every other function runs on the one
 * thread that uses the session at that moment (core_pvt.h states the
 * locking rule).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_pvt.h"

int mcdshm_fail(struct mcdshm_status *st, mcd_error_code_et code,
                const char *fmt, ...)
{
    va_list ap;

    if (st) {
        st->code = code;
        va_start(ap, fmt);
        vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
        va_end(ap);
    }
    return -1;
}

void mcdcore__strlcpy(char *dst, const char *src, size_t size)
{
    size_t len;

    if (!size) {
        return;
    }
    len = src ? strnlen(src, size - 1) : 0;
    memcpy(dst, src ? src : "", len);
    dst[len] = '\0';
}

/* --- Creation --- */

static bool core_target_ok(const struct mcdshm_target *t)
{
    const struct mcdshm_target_ops *o;

    if (!t || !t->ops || !t->ncores || t->ncores == MCDCORE__NO_CORE ||
        !t->system || !t->device) {
        return false;
    }
    o = t->ops;
    return o->core_info && o->mem_spaces && o->reg_groups && o->regs &&
           o->trig_info && o->rst_classes && o->access && o->run && o->stop &&
           o->step && o->state && o->trig_insert && o->trig_remove && o->reset;
}

/* Ask the target once for the core-specific fields of every core. */
static void core_describe(struct mcdcore *c)
{
    uint32_t i;

    for (i = 0; i < c->t->ncores; i++) {
        struct mcdcore__core *k = &c->cores[i];

        c->ops->core_info(c->t->opaque, i, &k->ci);
        k->ci.core[sizeof(k->ci.core) - 1] = '\0';
        if (!k->ci.core[0]) {
            snprintf(k->ci.core, sizeof(k->ci.core), "core%" PRIu32, i);
        }
        k->global = true;
        k->next_trig_id = 1;
    }
}

int mcdcore_create(const struct mcdshm_target *target, const char *name,
                   struct mcdcore **out)
{
    struct mcdcore *c;
    int ret;

    if (!out) {
        return -EINVAL;
    }
    *out = NULL;
    if (!core_target_ok(target) || !name || !name[0] ||
        strlen(name) >= MCD_UNIQUE_NAME_LEN) {
        return -EINVAL;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        return -ENOMEM;
    }
    c->cores = calloc(target->ncores, sizeof(*c->cores));
    if (!c->cores) {
        ret = -ENOMEM;
        goto err_free;
    }
    ret = -pthread_mutex_init(&c->lock, NULL);
    if (ret) {
        goto err_free_cores;
    }
    c->t = target;
    c->ops = target->ops;
    mcdcore__strlcpy(c->name, name, sizeof(c->name));
    snprintf(c->instance, sizeof(c->instance), "Process ID: %ld",
             (long)getpid());
    core_describe(c);
    *out = c;
    return 0;

err_free_cores:
    free(c->cores);
err_free:
    free(c);
    return ret;
}

void mcdcore_destroy(struct mcdcore *c)
{
    if (!c) {
        return;
    }
    /* Sessions must be closed first; close stragglers rather than leak
     * their triggers in the target. */
    while (c->sessions) {
        mcdcore_session_close(c->sessions);
    }
    pthread_mutex_destroy(&c->lock);
    free(c->cores);
    free(c);
}

const struct mcdshm_target *mcdcore_target(const struct mcdcore *c)
{
    return c ? c->t : NULL;
}

/* --- Sessions --- */

int mcdcore_session_open(struct mcdcore *c, struct mcdcore_session **out)
{
    struct mcdcore_session *s;

    if (!c || !out) {
        return -EINVAL;
    }
    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    s->cores = calloc(c->t->ncores, sizeof(*s->cores));
    if (!s->cores) {
        free(s);
        return -ENOMEM;
    }
    s->c = c;
    s->next_uid = 1;
    pthread_mutex_lock(&c->lock);
    s->next = c->sessions;
    c->sessions = s;
    pthread_mutex_unlock(&c->lock);
    *out = s;
    return 0;
}

void mcdcore_session_close(struct mcdcore_session *s)
{
    struct mcdcore_session **pp;
    struct mcdcore *c;

    if (!s) {
        return;
    }
    c = s->c;
    mcdcore__close_all(s);
    pthread_mutex_lock(&c->lock);
    for (pp = &c->sessions; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    free(s->cores);
    free(s);
}

/*
 * uids come from one counter per session, so a server uid is never
 * mistaken for a core uid.  The counter skips 0; after 2^32 opens in one
 * session uids would repeat, which no debugger reaches.
 */
uint32_t mcdcore__new_uid(struct mcdcore_session *s)
{
    uint32_t uid = s->next_uid++;

    if (!s->next_uid) {
        s->next_uid = 1;
    }
    return uid;
}

const char *mcdcore__core_name(const struct mcdcore *c, uint32_t core)
{
    return core < c->t->ncores ? c->cores[core].ci.core : "(system)";
}

void mcdcore__post_events_locked(struct mcdcore *c, uint32_t core,
                                 const struct mcdcore_session *except,
                                 uint32_t events)
{
    struct mcdcore_session *o;

    if (!events || core >= c->t->ncores) {
        return;
    }
    for (o = c->sessions; o; o = o->next) {
        if (o != except && o->cores[core].uid) {
            o->cores[core].events |= events;
        }
    }
}

/* --- The outcome of a call --- */

mcd_return_et mcdcore__begin(struct mcdcore_session *s,
                             struct mcdcore__call *cl)
{
    memset(cl, 0, sizeof(*cl));
    if (!s) {
        return MCD_RET_ACT_HANDLE_ERROR; /* nowhere to record more */
    }
    cl->s = s;
    cl->c = s->c;
    cl->err = &s->err;
    cl->core = MCDCORE__NO_CORE;
    return MCD_RET_ACT_NONE;
}

/* Index of the core open as @uid in @s, or MCDCORE__NO_CORE. */
static uint32_t core_by_uid(const struct mcdcore_session *s, uint32_t uid)
{
    uint32_t i;

    for (i = 0; uid && i < s->c->t->ncores; i++) {
        if (s->cores[i].uid == uid) {
            return i;
        }
    }
    return MCDCORE__NO_CORE;
}

uint32_t mcdcore_core_index(const struct mcdcore_session *s, uint32_t core_uid)
{
    return core_by_uid(s, core_uid);
}

mcd_return_et mcdcore__begin_core(struct mcdcore_session *s, uint32_t core_uid,
                                  struct mcdcore__call *cl)
{
    mcd_return_et ret;
    uint32_t i;

    ret = mcdcore__begin(s, cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!core_uid) {
        return mcdcore__error(cl, MCD_ERR_PARAM,
                              "core uid 0 names no core; this function "
                              "needs an open core");
    }
    i = core_by_uid(s, core_uid);
    if (i == MCDCORE__NO_CORE) {
        return mcdcore__error(
            cl, MCD_ERR_PARAM,
            "core uid %" PRIu32 " is not open in this session", core_uid);
    }
    cl->core = i;
    cl->uid = core_uid;
    cl->err = &s->cores[i].err;
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore__ok(struct mcdcore__call *cl)
{
    memset(cl->err, 0, sizeof(*cl->err));
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore__error(struct mcdcore__call *cl, mcd_error_code_et code,
                             const char *fmt, ...)
{
    mcd_error_info_st *e = cl->err;
    va_list ap;

    memset(e, 0, sizeof(*e));
    e->return_status = MCD_RET_ACT_HANDLE_ERROR;
    e->error_code = code;
    va_start(ap, fmt);
    vsnprintf(e->error_str, sizeof(e->error_str), fmt, ap);
    va_end(ap);
    if (!e->error_str[0]) {
        snprintf(e->error_str, sizeof(e->error_str), "error 0x%" PRIx32, code);
    }
    return MCD_RET_ACT_HANDLE_ERROR;
}

mcd_return_et mcdcore__null(struct mcdcore__call *cl, const char *param)
{
    return mcdcore__error(cl, MCD_ERR_PARAM, "%s is NULL", param);
}

mcd_return_et mcdcore__target_error(struct mcdcore__call *cl,
                                    const struct mcdshm_status *st)
{
    mcd_error_code_et code = st->code ? st->code : MCD_ERR_GENERAL;
    int len = (int)strnlen(st->msg, sizeof(st->msg));

    if (!len) {
        return mcdcore__error(cl, code,
                              "%s failed on core %s without giving a "
                              "reason (error 0x%" PRIx32 ")",
                              cl->c->t->system,
                              mcdcore__core_name(cl->c, cl->core), code);
    }
    return mcdcore__error(cl, code, "%.*s", len, st->msg);
}

/* --- Count-then-fetch --- */

mcd_return_et mcdcore__page(struct mcdcore__call *cl,
                            const struct mcdcore__list *l, uint64_t total,
                            uint64_t start, uint32_t *num, const void *out,
                            uint32_t *n)
{
    uint64_t left;

    *n = 0;
    if (!num) {
        return mcdcore__null(cl, l->num_name);
    }
    if (*num == 0) {
        /* A count query: the total, whatever start_index says. */
        *num = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
        return MCD_RET_ACT_NONE;
    }
    if (!out) {
        return mcdcore__error(cl, MCD_ERR_PARAM,
                              "%s is NULL but %s is %" PRIu32, l->out_name,
                              l->num_name, *num);
    }
    /*
     * start_index at or past the total is MCD_ERR_PARAM (spec 6.1), also
     * for an empty list: a tool asks for the count first.
     */
    if (start >= total) {
        return mcdcore__error(cl, MCD_ERR_PARAM,
                              "start_index %" PRIu64 " is past the %" PRIu64
                              " %s",
                              start, total, l->what);
    }
    left = total - start;
    *n = left < *num ? (uint32_t)left : *num;
    *num = *n;
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore__page_fill(struct mcdcore__call *cl,
                                 const struct mcdcore__list *l,
                                 mcdcore__fill_fn fill, const void *arg,
                                 uint32_t start, uint32_t *num, void *out)
{
    mcd_return_et ret;
    uint32_t total, n, got;
    uint8_t *buf;

    total = fill(cl, arg, NULL, 0);
    ret = mcdcore__page(cl, l, total, start, num, out, &n);
    if (ret != MCD_RET_ACT_NONE || !n) {
        return ret != MCD_RET_ACT_NONE ? ret : mcdcore__ok(cl);
    }
    /* The target fills from the start; start + n <= total. */
    buf = calloc((size_t)start + n, l->elem_size);
    if (!buf) {
        return mcdcore__error(cl, MCD_ERR_GENERAL,
                              "out of memory listing %" PRIu32 " %s", start + n,
                              l->what);
    }
    got = fill(cl, arg, buf, start + n);
    if (got < start + n) { /* the list shrank between the two calls */
        n = got > start ? got - start : 0;
    }
    memcpy(out, buf + (size_t)start * l->elem_size, (size_t)n * l->elem_size);
    *num = n;
    free(buf);
    return mcdcore__ok(cl);
}

/* --- The API as a whole --- */

mcd_return_et mcdcore_initialize(struct mcdcore_session *s,
                                 const mcd_api_version_st *version_req,
                                 mcd_impl_version_info_st *impl_info)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin(s, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!version_req) {
        return mcdcore__null(&cl, "version_req");
    }
    if (!impl_info) {
        return mcdcore__null(&cl, "impl_info");
    }
    memset(impl_info, 0, sizeof(*impl_info));
    impl_info->v_api.v_api_major = MCD_API_VER_MAJOR;
    impl_info->v_api.v_api_minor = MCD_API_VER_MINOR;
    mcdcore__strlcpy(impl_info->v_api.author, MCD_API_VER_AUTHOR,
                     sizeof(impl_info->v_api.author));
    impl_info->v_imp_major = 0;
    impl_info->v_imp_minor = 1;
    impl_info->v_imp_build = 0;
    mcdcore__strlcpy(impl_info->vendor, "mcdshm", sizeof(impl_info->vendor));
    mcdcore__strlcpy(impl_info->date, __DATE__, sizeof(impl_info->date));
    if (version_req->v_api_major != MCD_API_VER_MAJOR ||
        version_req->v_api_minor > MCD_API_VER_MINOR) {
        return mcdcore__error(&cl, MCD_ERR_GENERAL,
                              "requested MCD API %u.%u is not compatible "
                              "with the implemented %u.%u",
                              version_req->v_api_major,
                              version_req->v_api_minor, MCD_API_VER_MAJOR,
                              MCD_API_VER_MINOR);
    }
    return mcdcore__ok(&cl);
}

void mcdcore_exit(struct mcdcore_session *s)
{
    if (!s) {
        return;
    }
    mcdcore__close_all(s);
    memset(&s->err, 0, sizeof(s->err));
}

void mcdcore_qry_error_info(struct mcdcore_session *s, uint32_t core_uid,
                            mcd_error_info_st *error_info)
{
    uint32_t i;

    if (!error_info) {
        return;
    }
    memset(error_info, 0, sizeof(*error_info));
    if (!s) {
        error_info->return_status = MCD_RET_ACT_HANDLE_ERROR;
        error_info->error_code = MCD_ERR_PARAM;
        mcdcore__strlcpy(error_info->error_str, "no session",
                         sizeof(error_info->error_str));
        return;
    }
    if (!core_uid) {
        *error_info = s->err;
        return;
    }
    i = core_by_uid(s, core_uid);
    if (i == MCDCORE__NO_CORE) {
        error_info->return_status = MCD_RET_ACT_HANDLE_ERROR;
        error_info->error_code = MCD_ERR_PARAM;
        snprintf(error_info->error_str, sizeof(error_info->error_str),
                 "core uid %" PRIu32 " is not open in this session", core_uid);
        return;
    }
    *error_info = s->cores[i].err;
}
