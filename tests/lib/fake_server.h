/*
 * A test server for the client-library tests: a forked process that
 * publishes an endpoint and serves every connection on its own thread,
 * copying each request record out of shared memory and answering it with
 * mcdstub_dispatch() over the fake core (tests/stub/fake_core.c), as the
 * stub's I/O thread does.  A rogue mode corrupts chosen answers so the
 * client's response checks can be tested.
 */
#ifndef MCDSHM_TESTS_FAKE_SERVER_H
#define MCDSHM_TESTS_FAKE_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

/* Rogue answers: qry_state gets a wrong seq, qry_mem_spaces a page whose
 * items span leaves the payload. */
#define FAKE_SERVER_ROGUE 1u
/* Chaos: about one answer in three is damaged at random (a fixed seed per
 * connection): wrong seq or fn, payload_len past the area, garbage in the
 * body, an unterminated error_str, a bad ret, spans and counts past the
 * payload, a ring tail published ahead of what was written, or no answer
 * at all. */
#define FAKE_SERVER_CHAOS 2u
/* After every mcd_set_trace_state_f, write trace lane 0 of the connection
 * as the request's state.options says (FAKE_LANE_*): a real binding with
 * five frames, or one hostile field. */
#define FAKE_SERVER_LANES 4u
enum {
    FAKE_LANE_GOOD = 1,    /* PIPE, 1024 frames, frames 0..4 */
    FAKE_LANE_MODE,        /* mode 0x77 */
    FAKE_LANE_CAPACITY,    /* capacity 3000 */
    FAKE_LANE_FRAME_SIZE,  /* frame_size 1000 */
    FAKE_LANE_TAIL,        /* tail 10^6 frames past head */
    FAKE_LANE_FIFO_HEAD,   /* FIFO with head past tail */
};

/**
 * fake_server_spawn() - fork a server and wait until it listens.
 * @name: the server name
 * @path: explicit socket path, or NULL for the endpoint directory
 * @flags: FAKE_SERVER_*
 *
 * Return: the server's pid (the caller kills it); exits the test on
 * failure.
 */
pid_t fake_server_spawn(const char *name, const char *path, unsigned flags);

/* Is a stream socket listening at @path (from /proc/net/unix)? */
bool fake_server_listening(const char *path);

#endif /* MCDSHM_TESTS_FAKE_SERVER_H */
