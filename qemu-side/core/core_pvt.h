/*
 * Private to the MCD server core (qemu-side/core/): the state the core
 * shares between sessions, the state of one session, and the helpers every
 * topic file of the core uses.  Nothing outside qemu-side/core/ includes
 * this header.
 *
 * Files: core.c (creation, sessions, uids, last error, paging, initialize,
 * exit, qry_error_info), conn.c (servers, systems, devices, cores, opening
 * and closing cores), query.c (core modes, device description, payload,
 * input handle, memory spaces and blocks, overlays, registers), trig.c
 * (the trigger table), exec.c (transaction lists, run control, state,
 * commands, reset), chl_trace.c (channels and trace).
 *
 * Locking, one rule without exceptions:
 *   - c->lock protects what sessions share: the session list, which cores
 *     each session has open (mcdcore__sess_core.uid, written under the
 *     lock) and its pending core events, the open counts, the trigger
 *     tables, the channel table and the remembered set_global flags.
 *   - The core never calls a target operation while it holds c->lock.
 *     Where a table entry and the target must agree (trigger insert and
 *     remove, channel open and close), the entry is reserved under the
 *     lock, the operation runs unlocked, and the entry is committed or
 *     released under the lock again.  A target may therefore block (step,
 *     run_until, receive_msg) or take its own big lock inside any
 *     operation; in return a target operation must never call back into
 *     the core.
 *   - A session's own fields (uids, servers, last errors) belong to the one
 *     thread that uses the session at a time and are not locked; that
 *     thread may read its own mcdcore__sess_core.uid without the lock,
 *     because it is the only writer.
 */
#ifndef MCDSHM_CORE_PVT_H
#define MCDSHM_CORE_PVT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

/* Core index of a call that addresses no core (the system level). */
#define MCDCORE__NO_CORE UINT32_MAX

/* Servers a session may hold open at the same time. */
#define MCDCORE__MAX_SERVERS 16

/* What qry_max_payload_size answers; the stub may lower it to what its
 * transport carries per list. */
#define MCDCORE__MAX_PAYLOAD (16u * 1024 * 1024)

/* Room for a device description URL. */
#define MCDCORE__URL_LEN 4096

/* Host name the core reports: it only ever serves its own host. */
#define MCDCORE__HOST "localhost"

enum mcdcore__trig_state {
    MCDCORE__TRIG_FREE,     /* slot unused */
    MCDCORE__TRIG_PENDING,  /* id reserved, trig_insert running */
    MCDCORE__TRIG_LIVE,     /* in the target, visible to every session */
    MCDCORE__TRIG_REMOVING, /* trig_remove running; invisible */
};

/* One trigger of a core's table; under c->lock. */
struct mcdcore__trig {
    enum mcdcore__trig_state state;
    uint32_t id;
    uint32_t struct_size; /* as created: simple (64) or complex (112) */
    struct mcdcore_session *owner; /* NULL: orphaned, see trig.c */
    mcd_trig_complex_core_st trig; /* as the target accepted it */
    bool captured;                 /* fired since created (seen in qry_state) */
    bool sampled;                  /* qry_trig_set_state took a sample */
    bool sample_captured;          /* captured at that sample */
};

/* A core of the target, as every session sees it. */
struct mcdcore__core {
    mcd_core_con_info_st ci; /* core fields from ops->core_info; constant */
    uint32_t nopen;          /* sessions that have it open; under lock */
    bool global;           /* remembered set_global when the target has no op */
    uint32_t next_trig_id; /* under lock */
    struct mcdcore__trig trigs[MCD_MAX_TRIGS]; /* under lock */
};

/* An open (or opening) communication channel; under c->lock. */
struct mcdcore__chl {
    bool used;
    uint32_t id;   /* 0 while chl_open runs */
    uint32_t core; /* index, or MCDCORE__NO_CORE for the system level */
    struct mcdcore_session *owner;
};

struct mcdcore {
    const struct mcdshm_target *t;
    const struct mcdshm_target_ops *ops;
    char name[MCD_UNIQUE_NAME_LEN];     /* server name */
    char instance[MCD_UNIQUE_NAME_LEN]; /* "Process ID: <pid>" */
    pthread_mutex_t lock;
    struct mcdcore_session *sessions; /* under lock */
    struct mcdcore__chl chls[MCD_CHL_NUM_MAX];
    struct mcdcore__core *cores; /* t->ncores entries */
};

/* A core as one session sees it. */
struct mcdcore__sess_core {
    uint32_t uid;          /* 0 = not open here; written under c->lock */
    uint32_t events;       /* core events not yet reported; under c->lock */
    mcd_error_info_st err; /* last error of calls on this core uid */
};

struct mcdcore__server {
    uint32_t uid; /* 0 = slot free */
};

struct mcdcore_session {
    struct mcdcore *c;
    struct mcdcore_session *next; /* c->sessions; under c->lock */
    uint32_t next_uid;
    mcd_error_info_st err;        /* last error of core-less calls */
    char system_key[MCD_KEY_LEN]; /* of the latest open_server */
    struct mcdcore__server servers[MCDCORE__MAX_SERVERS];
    struct mcdcore__sess_core *cores; /* c->t->ncores entries */
};

/*
 * One call of one of the 54 functions: who calls, on which core, and where
 * its outcome is recorded.
 */
struct mcdcore__call {
    struct mcdcore_session *s;
    struct mcdcore *c;
    mcd_error_info_st *err; /* the last-error slot this call sets */
    uint32_t core;          /* core index, or MCDCORE__NO_CORE */
    uint32_t uid;           /* core uid, 0 if none */
};

/* A list answered by count-then-fetch, for the messages of its errors. */
struct mcdcore__list {
    const char *what;     /* "memory spaces" */
    const char *num_name; /* "num_mem_spaces" */
    const char *out_name; /* "mem_spaces" */
    size_t elem_size;
};

/*
 * Fill at most @max entries of a list from its start into @out (NULL when
 * @max is 0) and return the list's length.
 */
typedef uint32_t (*mcdcore__fill_fn)(const struct mcdcore__call *cl,
                                     const void *arg, void *out, uint32_t max);

/*
 * Internal helpers of the core: don't call them from outside
 * qemu-side/core/.  The mcd_return_et helpers record the call's outcome in
 * cl->err and return what the MCD function returns.
 */

/* Start a call without a core (or one whose uid may be unknown). */
mcd_return_et mcdcore__begin(struct mcdcore_session *s,
                             struct mcdcore__call *cl);
/* Start a call on @core_uid: MCD_ERR_PARAM if it is not open here. */
mcd_return_et mcdcore__begin_core(struct mcdcore_session *s, uint32_t core_uid,
                                  struct mcdcore__call *cl);
mcd_return_et mcdcore__ok(struct mcdcore__call *cl);
mcd_return_et mcdcore__error(struct mcdcore__call *cl, mcd_error_code_et code,
                             const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "@param is NULL", MCD_ERR_PARAM. */
mcd_return_et mcdcore__null(struct mcdcore__call *cl, const char *param);
/* A target operation failed: its code and message. */
mcd_return_et mcdcore__target_error(struct mcdcore__call *cl,
                                    const struct mcdshm_status *st);

/*
 * Count-then-fetch (spec 6.1) over a list of @total entries: validates
 * @num and @out, answers a count query (*num == 0: *num = total), else
 * sets *n (and *num) to the entries to write from @start.  On success the
 * caller writes them and completes the call.
 */
mcd_return_et mcdcore__page(struct mcdcore__call *cl,
                            const struct mcdcore__list *l, uint64_t total,
                            uint64_t start, uint32_t *num, const void *out,
                            uint32_t *n);
/* mcdcore__page over a list a target operation fills; completes the call. */
mcd_return_et mcdcore__page_fill(struct mcdcore__call *cl,
                                 const struct mcdcore__list *l,
                                 mcdcore__fill_fn fill, const void *arg,
                                 uint32_t start, uint32_t *num, void *out);

uint32_t mcdcore__new_uid(struct mcdcore_session *s);
const char *mcdcore__core_name(const struct mcdcore *c, uint32_t core);
void mcdcore__strlcpy(char *dst, const char *src, size_t size);
/* Add @events to every session but @except that has @core open. */
void mcdcore__post_events_locked(struct mcdcore *c, uint32_t core,
                                 const struct mcdcore_session *except,
                                 uint32_t events);

/* conn.c: the non-empty names of @ci must be our system (system,
 * system_instance) and with @device our device; MCD_ERR_PARAM otherwise. */
mcd_return_et mcdcore__con_match(struct mcdcore__call *cl,
                                 const mcd_core_con_info_st *ci, bool device);
/* conn.c: close @core in @s (its triggers and channels go with it). */
void mcdcore__close_core_idx(struct mcdcore_session *s, uint32_t core);
/* conn.c: close every server and core of @s. */
void mcdcore__close_all(struct mcdcore_session *s);

/* query.c: the memory spaces of cl's core in a malloc'ed array.
 * Return: 0 or -ENOMEM. */
int mcdcore__spaces(const struct mcdcore__call *cl, mcd_memspace_st **out,
                    uint32_t *n);

/*
 * trig.c: remove the triggers of @core owned by @owner (every trigger if
 * NULL).  With @orphan, a trigger the target refuses to remove stays in
 * the table without an owner; otherwise it stays with its owner and the
 * first refusal is returned in @st.  Return: 0, or -1 with @st filled.
 */
int mcdcore__trig_drop(struct mcdcore *c, uint32_t core,
                       struct mcdcore_session *owner, bool orphan,
                       struct mcdshm_status *st);
/* trig.c: trigger @id of @core fired. */
void mcdcore__trig_captured_locked(struct mcdcore *c, uint32_t core,
                                   uint32_t id);

/*
 * exec.c: read cl's core state from the target, mark the trigger that
 * stopped it captured and add its events to every session that has the
 * core open (the caller included).  Return: 0, or -1 with @st filled.
 */
int mcdcore__poll_state(struct mcdcore__call *cl, mcd_core_state_st *state,
                        struct mcdshm_status *st, struct mcdcore_session *take);

/* chl_trace.c: close @s's channels on @core (all of them if @all). */
void mcdcore__chl_drop(struct mcdcore_session *s, uint32_t core, bool all);

#endif /* MCDSHM_CORE_PVT_H */
