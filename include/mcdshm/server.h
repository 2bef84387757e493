/*
 * mcdshm server side: what a simulator implements and calls to be debugged
 * through mcdshm.
 *
 * A simulator describes itself with a struct mcdshm_target: its names, its
 * cores, and a table of operations (struct mcdshm_target_ops) that read and
 * write memory and registers, run and stop cores, insert break- and
 * watchpoints, reset, tell the time, and optionally run commands, channels
 * and trace.  The server core (qemu-side/core/) builds the 54 MCD functions'
 * semantics on top of that table: count-then-fetch paging, ids, last error,
 * the trigger table, transaction lists, reset classes.  The server stub
 * (qemu-side/stub/) carries the records between the shared-memory rings and
 * the core.
 *
 * Every operation returns 0 on success, or -1 with *st filled: an MCD error
 * code and a message naming what was wrong.  That message is what the
 * debugger's mcd_qry_error_info_f() shows.  An optional operation left NULL
 * makes the core answer the target's own clear error ("... is not supported
 * by <system>") with MCD_ERR_FN_UNIMPLEMENTED's neighbour codes chosen per
 * function (see qemu-side/core/).
 *
 * Threads: operations are called from the stub's I/O thread when the target
 * declares MCDSHM_EXEC_IO_THREAD (the target does its own locking), or from
 * the simulator's own thread when it declares MCDSHM_EXEC_SIM_THREAD and
 * drains requests at a safe point.  Cores are numbered 0..ncores-1.
 */
#ifndef MCDSHM_SERVER_H
#define MCDSHM_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcd/mcd_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A failed operation's MCD error code and message. */
struct mcdshm_status {
    mcd_error_code_et code;
    char msg[MCD_INFO_STR_LEN];
};

/* Where requests execute. */
enum mcdshm_exec {
    MCDSHM_EXEC_IO_THREAD,  /* on the stub's I/O thread; target locks */
    MCDSHM_EXEC_SIM_THREAD, /* handed to the simulator's thread */
};

struct mcdshm_server;

struct mcdshm_target_ops {
    /* --- Description.  Lists are returned whole: an operation writes at
     * most @max entries to @out and returns the total count; the core
     * does the paging.  Called at any time, must be cheap. --- */

    /* Fill the core-specific fields of @ci: core, core_type (ELF e_machine),
     * core_id.  The core fills host, system and device fields. */
    void (*core_info)(void *opaque, uint32_t core, mcd_core_con_info_st *ci);

    uint32_t (*mem_spaces)(void *opaque, uint32_t core, mcd_memspace_st *out,
                           uint32_t max);
    /* Blocks of one memory space; NULL = no blocks anywhere. */
    uint32_t (*mem_blocks)(void *opaque, uint32_t core, uint32_t mem_space_id,
                           mcd_memblock_st *out, uint32_t max);
    /* Register groups; returning 0 makes the core offer the implicit group
     * 0 holding every register. */
    uint32_t (*reg_groups)(void *opaque, uint32_t core,
                           mcd_register_group_st *out, uint32_t max);
    /* Registers of group @group_id; 0 = every register of the core. */
    uint32_t (*regs)(void *opaque, uint32_t core, uint32_t group_id,
                     mcd_register_info_st *out, uint32_t max);
    /* Core modes; NULL = none. */
    uint32_t (*core_modes)(void *opaque, uint32_t core,
                           mcd_core_mode_info_st *out, uint32_t max);
    /* Trigger capabilities. */
    void (*trig_info)(void *opaque, uint32_t core, mcd_trig_info_st *out);
    /* Reset classes: bit i of the result set = class i exists, and
     * out[i] describes it (out has 32 entries). */
    uint32_t (*rst_classes)(void *opaque, uint32_t core,
                            mcd_rst_info_st out[32]);

    /* --- Access --- */

    /* One memory or register transaction.  tx->data is a buffer of
     * tx->num_bytes the target reads (write) or fills (read); register
     * data is little-endian.  Set tx->num_bytes_ok to the bytes done, also
     * on failure (code MCD_ERR_TXLIST_READ, _WRITE or _TX). */
    int (*access)(void *opaque, uint32_t core, mcd_tx_st *tx,
                  struct mcdshm_status *st);

    /* --- Run control.  @global: all cores that take part in global run
     * control (see set_global).  step blocks until the steps are done. --- */

    int (*run)(void *opaque, uint32_t core, bool global,
               struct mcdshm_status *st);
    int (*stop)(void *opaque, uint32_t core, bool global,
                struct mcdshm_status *st);
    int (*step)(void *opaque, uint32_t core, bool global,
                mcd_core_step_type_et type, uint32_t n,
                struct mcdshm_status *st);
    /* Run until @time (picoseconds, absolute or from now). NULL = none. */
    int (*run_until)(void *opaque, uint32_t core, bool global, bool absolute,
                     uint64_t time, struct mcdshm_status *st);
    /* Whether global run control affects @core. NULL = always. */
    int (*set_global)(void *opaque, uint32_t core, bool enable,
                      struct mcdshm_status *st);
    /* Current state.  When a trigger stopped the core, state->trig_id is
     * the id the core passed to trig_insert; event bits accumulate in the
     * target until this call reads them. */
    int (*state)(void *opaque, uint32_t core, mcd_core_state_st *state,
                 struct mcdshm_status *st);
    /* Elapsed target time in picoseconds. NULL = none. */
    int (*current_time)(void *opaque, uint32_t core, uint64_t *ps,
                        struct mcdshm_status *st);

    /* --- Triggers.  The core owns ids and the trigger table; a simple
     * trigger arrives widened to the complex form.  The target may
     * approximate: it writes the changed fields back and sets
     * trig->modified. --- */

    int (*trig_insert)(void *opaque, uint32_t core, uint32_t trig_id,
                       mcd_trig_complex_core_st *trig,
                       struct mcdshm_status *st);
    int (*trig_remove)(void *opaque, uint32_t core, uint32_t trig_id,
                       struct mcdshm_status *st);

    /* --- Reset: @vector has one bit per class to reset. --- */

    int (*reset)(void *opaque, uint32_t core, uint32_t vector, bool halt,
                 struct mcdshm_status *st);

    /* --- Optional extras (NULL = not supported) --- */

    int (*execute_command)(void *opaque, uint32_t core, const char *command,
                           char *result, uint32_t result_size,
                           struct mcdshm_status *st);
    int (*device_description)(void *opaque, uint32_t core, char *url,
                              uint32_t url_size, struct mcdshm_status *st);

    /* Channels; @core is UINT32_MAX for the system level. */
    int (*chl_open)(void *opaque, uint32_t core, mcd_chl_st *chl,
                    struct mcdshm_status *st);
    int (*chl_send)(void *opaque, uint32_t chl_id, const uint8_t *msg,
                    uint32_t len, struct mcdshm_status *st);
    /* Wait up to @timeout_ms; *len in = room, out = bytes received. */
    int (*chl_receive)(void *opaque, uint32_t chl_id, uint32_t timeout_ms,
                       uint8_t *msg, uint32_t *len,
                       struct mcdshm_status *st);
    int (*chl_reset)(void *opaque, uint32_t chl_id, struct mcdshm_status *st);
    int (*chl_close)(void *opaque, uint32_t chl_id, struct mcdshm_status *st);

    /* Trace: the traces of a core, their state and their frames. */
    uint32_t (*traces)(void *opaque, uint32_t core, mcd_trace_info_st *out,
                       uint32_t max);
    int (*trace_state)(void *opaque, uint32_t core, uint32_t trace_id,
                       mcd_trace_state_st *state, struct mcdshm_status *st);
    int (*set_trace_state)(void *opaque, uint32_t core, uint32_t trace_id,
                           mcd_trace_state_st *state,
                           struct mcdshm_status *st);
    /* Copy up to *num frames from @start (0 = oldest) of @frame_size bytes
     * each; *num = 0 asks for the number available. */
    int (*read_trace)(void *opaque, uint32_t core, uint32_t trace_id,
                      uint64_t start, uint32_t *num, uint32_t frame_size,
                      void *frames, struct mcdshm_status *st);
    /*
     * Trace streaming (optional; needs the four above).  A debugger that
     * sets a trace's mode to MCD_TRACE_MODE_PIPE or _FIFO gets a lane in
     * its shared memory that mcd_read_trace_f() reads with no request.
     * The stub calls this with @srv when the first debugger starts
     * streaming trace @trace_id of @core, and with NULL when the last one
     * stops (mode changed, core closed, debugger gone).  In between the
     * target hands the trace's frames to mcdshm_server_trace_put(@srv,
     * ...) as it produces them; frames nobody takes (it returns 0) it
     * keeps in its own buffer as before.  May be called on the I/O thread
     * whatever the target's exec (a debugger that died): keep it to
     * setting a flag.  Return 0, or -1 with *st: the trace is then read
     * by request, as without this operation.
     */
    int (*trace_stream)(void *opaque, uint32_t core, uint32_t trace_id,
                        struct mcdshm_server *srv, struct mcdshm_status *st);
};

/*
 * Target memory a debugger may map read-only and read without a request
 * (the direct memory window): bytes [offset, + size) of the file @fd are
 * the memory at [base, + size) of memory space @mem_space_id, the same on
 * every core.  @fd must be a memfd sealed against shrinking
 * (F_SEAL_SHRINK; memfd_create with MFD_ALLOW_SEALING, then F_ADD_SEALS)
 * and stay open while the server runs.  Writes still go through the
 * target's access operation.  A debugger that reads through the window
 * sees the memory as it is at that moment, also while cores run.
 */
struct mcdshm_window {
    int fd;
    uint64_t offset;
    uint64_t base;
    uint64_t size;
    uint32_t mem_space_id;
};

/* A simulator, as mcdshm serves it. */
struct mcdshm_target {
    const char *system;          /* e.g. "mcdshm-vp" */
    const char *device;          /* e.g. "rv64im-4hart" */
    uint32_t device_type;        /* IEEE 1149.1 id, 0 if none */
    uint32_t device_id;
    uint32_t ncores;
    enum mcdshm_exec exec;
    const struct mcdshm_target_ops *ops;
    void *opaque;                /* passed to every operation */
    const struct mcdshm_window *window; /* NULL: no direct memory window */
};

/* ------------------------------------------------------------------------
 * Serving a target
 */

/* How a server is published and waits. */
struct mcdshm_server_opts {
    const char *name;     /* endpoint name: [A-Za-z0-9._-], 1..63 chars */
    const char *path;     /* explicit socket path, or NULL for the
                             per-user runtime directory */
    const char *policy;   /* "busy", "hybrid" (NULL: default) or "sleep" */
    uint32_t spin_ns;     /* hybrid spin before sleeping; 0 = 50 us */
    uint32_t max_clients; /* connections at once; 0 = 64 */
    bool no_window;       /* do not offer the target's memory window */
};

struct mcdshm_server;

/**
 * mcdshm_server_start() - serve @target on its own I/O thread.
 * @target: the simulator; must outlive the server
 * @opts: endpoint and wait policy
 * @out: the server
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * The thread ("mcdshm-io") runs an io_uring event loop over the listening
 * socket, every connection's socket and request doorbell, and a shutdown
 * eventfd.  Requests execute on it (MCDSHM_EXEC_IO_THREAD) or are handed
 * to the simulator (MCDSHM_EXEC_SIM_THREAD, see mcdshm_server_exec_fd()).
 *
 * Return: 0; -EINVAL for bad options or target; -EADDRINUSE if a live
 * server has the name; -errno from the endpoint, io_uring or the thread.
 */
int mcdshm_server_start(const struct mcdshm_target *target,
                        const struct mcdshm_server_opts *opts,
                        struct mcdshm_server **out, char *err,
                        size_t errlen);

/**
 * mcdshm_server_open() - serve @target from the host's own event loop.
 *
 * As mcdshm_server_start() but without a thread: the host watches the
 * descriptors of mcdshm_server_fds() and calls mcdshm_server_service()
 * when one is ready (or periodically, e.g. from a busy-poll hook).
 */
int mcdshm_server_open(const struct mcdshm_target *target,
                       const struct mcdshm_server_opts *opts,
                       struct mcdshm_server **out, char *err, size_t errlen);

/**
 * mcdshm_server_fds() - descriptors an embedding host must watch.
 * @s: the server
 * @fds: receives up to @max descriptors, each to watch for readability
 * @max: room in @fds
 *
 * The set changes as clients come and go: ask again after every
 * mcdshm_server_service().
 *
 * Return: the number of descriptors (which may exceed @max).
 */
int mcdshm_server_fds(struct mcdshm_server *s, int *fds, int max);

/**
 * mcdshm_server_service() - do all work that is ready, without blocking
 * on the network: accept a waiting client, answer queued requests, close
 * connections whose client is gone.
 *
 * Return: number of requests answered, or -errno on a server-wide failure.
 */
int mcdshm_server_service(struct mcdshm_server *s);

/**
 * mcdshm_server_pending() - are requests waiting (embedded mode)?
 * @s: the server
 *
 * Reads only the request rings' indexes: no system call, cheap enough for
 * a host's busy-poll hook (QEMU's AioContext io_poll), which then calls
 * mcdshm_server_service() when this says so.  New clients and hang-ups
 * are not seen here: they come with the descriptors' readiness.
 *
 * Return: true if some connection has a request to answer.
 */
bool mcdshm_server_pending(struct mcdshm_server *s);

/**
 * mcdshm_server_exec_fd() - for MCDSHM_EXEC_SIM_THREAD targets: a
 * descriptor that becomes readable when requests wait for the simulator.
 *
 * Return: the descriptor, or -1 if the target executes on the I/O thread.
 */
int mcdshm_server_exec_fd(struct mcdshm_server *s);

/**
 * mcdshm_server_exec_pending() - run the waiting requests; call it on the
 * simulator's thread at a safe point.
 *
 * Return: number of requests answered, or -errno.
 */
int mcdshm_server_exec_pending(struct mcdshm_server *s);

/**
 * mcdshm_server_trace_put() - stream trace frames to the debuggers that
 * read them (see mcdshm_target_ops.trace_stream).
 * @s: the server passed to trace_stream
 * @core: the core
 * @trace_id: its trace
 * @frames: @n frames of the trace format's size (mcd_trace_data_core_st
 *          for the CORE formats, _event_st, _stat_st)
 * @n: how many
 *
 * Any thread, never blocks on a debugger.  Each debugger streaming the
 * trace gets a copy; in PIPE mode frames that find its lane full are lost
 * to it, counted exactly, and the next frame it gets carries
 * MCD_TRACE_MARKER_GAP; in FIFO mode the oldest are overwritten.
 *
 * Return: the number of debuggers that took the frames; 0 if none streams
 * this trace (keep them yourself).
 */
int mcdshm_server_trace_put(struct mcdshm_server *s, uint32_t core,
                            uint32_t trace_id, const void *frames, uint32_t n);

/**
 * mcdshm_server_trace_room() - frames every PIPE stream of the trace can
 * take now without loss, for a producer that prefers waiting to losing
 * (MCD_TRACE_MODE_LEACH-like stalls, benchmarks).
 *
 * Return: the smallest free room, or UINT32_MAX if no PIPE stream.
 */
uint32_t mcdshm_server_trace_room(struct mcdshm_server *s, uint32_t core,
                                  uint32_t trace_id);

/* Number of connected clients. */
int mcdshm_server_clients(struct mcdshm_server *s);

/* Stop serving: end the thread, close every connection (their cores and
 * triggers are released), remove the endpoint.  Accepts NULL. */
void mcdshm_server_stop(struct mcdshm_server *s);

/* ------------------------------------------------------------------------
 * A target's own trace buffer (optional helper)
 *
 * The buffer of core frames (mcd_trace_data_core_st) that the trace
 * operations need when nobody streams the trace, with the semantics the
 * server core expects: FIFO keeps the newest `size` frames (a frame
 * arriving when full overwrites the oldest and sets wrap); PIPE keeps the
 * oldest until read_trace consumes them (a frame arriving when full is
 * lost, counted in `lost`, sets wrap, and the next frame stored carries
 * MCD_TRACE_MARKER_GAP).  `count` is every frame produced since the last
 * clear, stored or not.  The caller does the locking.  Used by mcdshm-vp
 * and the QEMU integration.
 */
struct mcdshm_tracebuf {
    uint32_t mode;               /* MCD_TRACE_MODE_FIFO or _PIPE */
    uint64_t size;               /* capacity in frames */
    mcd_trace_data_core_st *buf; /* size frames once allocated, or NULL */
    uint64_t head;               /* index of the oldest frame */
    uint64_t frames;             /* valid frames */
    uint64_t count;              /* produced since the last clear */
    uint64_t lost;               /* PIPE: produced but not stored */
    bool wrap;                   /* FIFO overwrote / PIPE lost frames */
    bool gap;                    /* PIPE: mark the next stored frame */
};

/* Store one frame; nothing while no buffer is allocated. */
void mcdshm_tracebuf_put(struct mcdshm_tracebuf *b,
                         const mcd_trace_data_core_st *f);

/* Empty the buffer and its counters (keeps mode, size and memory). */
void mcdshm_tracebuf_clear(struct mcdshm_tracebuf *b);

/* A new mode or size: the buffer starts empty and unallocated. */
void mcdshm_tracebuf_set(struct mcdshm_tracebuf *b, uint32_t mode,
                         uint64_t size);

/* Allocate the frames if not yet: 0, or -ENOMEM.  _free() releases them. */
int mcdshm_tracebuf_alloc(struct mcdshm_tracebuf *b);
void mcdshm_tracebuf_free(struct mcdshm_tracebuf *b);

/* Zero @state and fill mode, wraparound, frames, count and size; the
 * caller adds state, timestamps and info_str. */
void mcdshm_tracebuf_fill(const struct mcdshm_tracebuf *b,
                          mcd_trace_state_st *state);

/* The read_trace operation on the buffer: checks @frame_size, @frames and
 * @start (each failure named in *st), copies, and in PIPE mode consumes
 * what it returns and what it skipped.  Returns 0, or -1 with *st. */
int mcdshm_tracebuf_read(struct mcdshm_tracebuf *b, uint64_t start,
                         uint32_t *num, uint32_t frame_size, void *frames,
                         struct mcdshm_status *st);

/* Fill @st and return -1, for `return mcdshm_fail(st, code, "...", ...);`. */
int mcdshm_fail(struct mcdshm_status *st, mcd_error_code_et code,
                const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif /* MCDSHM_SERVER_H */
