/*
 * The stub's trace lanes: which debugger streams which trace, and the
 * producer side of mcdshm_server_trace_put().
 *
 * A struct stub_trace belongs to a server: per core, the list of lanes
 * bound to one of its traces, under that core's mutex (the producer is the
 * simulator's thread, binding and unbinding happen on the thread that
 * executes requests or closes connections).  A struct stub_lanes belongs
 * to a connection whose region has trace lanes (MCDSHM_FEAT_TRACE); its
 * hook (dispatch.h) binds a lane when the debugger sets a trace's mode to
 * PIPE or FIFO, and stub_lanes_close() unbinds them all before the region
 * is unmapped.  The target is told through its trace_stream operation,
 * never with a core mutex held.
 */
#ifndef MCDSHM_STUB_LANES_H
#define MCDSHM_STUB_LANES_H

#include <stdint.h>

#include "mcdshm/server.h"
#include "qemu-side/stub/dispatch.h"
#include "shm/region.h"

struct mcdcore_session;
struct stub_trace;
struct stub_lanes;

/* The table of @srv serving @t: 0, or -ENOMEM. */
int stub_trace_create(const struct mcdshm_target *t, struct mcdshm_server *srv,
                      struct stub_trace **out);

/* Free the table; every connection's lanes must be closed.  Accepts NULL. */
void stub_trace_destroy(struct stub_trace *tt);

/**
 * stub_lanes_open() - the lanes of a new connection.
 * @tt: the server's table
 * @sess: the connection's core session (maps core uids)
 * @r: its region; *out is NULL if it has no trace lanes
 * @out: the lanes, or NULL
 *
 * Return: 0, or -ENOMEM.
 */
int stub_lanes_open(struct stub_trace *tt, struct mcdcore_session *sess,
                    const struct shm_region *r, struct stub_lanes **out);

/* Unbind every lane of a closing connection and free it.  Accepts NULL. */
void stub_lanes_close(struct stub_lanes *ls);

/* The dispatcher's hook for @ls, or NULL if @ls is NULL. */
const struct mcdstub_trace_hook *stub_lanes_hook(const struct stub_lanes *ls);

/* mcdshm_server_trace_put() and _room() on the table. */
int stub_trace_put(struct stub_trace *tt, uint32_t core, uint32_t trace_id,
                   const void *frames, uint32_t n);
uint32_t stub_trace_room(struct stub_trace *tt, uint32_t core,
                         uint32_t trace_id);

#endif /* MCDSHM_STUB_LANES_H */
