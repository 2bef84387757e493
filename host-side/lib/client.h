/*
 * libmcdshm internals, shared by the library's files and by its tests;
 * nothing here is exported (the library is built with -fvisibility=hidden
 * and a version script that exports only the 54 mcd_*_f functions and
 * mcdshm_version()).  The mcdc_ prefix marks library-internal names: don't
 * call them from a tool.
 *
 * Objects.  A struct mcdc_conn is one open server: one connection, one
 * shared-memory region, and the mcd_server_st the tool holds.  A struct
 * mcdc_core is one open core on a connection and the mcd_core_st the tool
 * holds.  The registry lists the open servers in the order they were
 * opened; a connection is freed when its server handle is closed and its
 * last core is closed.
 *
 * Threads.  Every function is thread-safe.  A call holds its connection's
 * mutex from the moment it publishes a request until it has consumed the
 * response, so the rings have one producer and one consumer and answers
 * come back in order.  Locks nest registry -> connection -> last error,
 * never the other way round.
 *
 * Errors.  Internally functions return 0 or -errno, with a message in the
 * call's struct mcdc_call; mcdc_leave() translates to the MCD codes once,
 * through one table, and records the outcome as the last error of the
 * call's core (or the process-wide core-less one).
 */
#ifndef MCDSHM_LIB_CLIENT_H
#define MCDSHM_LIB_CLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mcd/mcd_api.h"
#include "mcdshm/wire.h"
#include "shm/conn.h"
#include "shm/doorbell.h"
#include "shm/records.h"
#include "host-side/lib/remote.h"

#define MCDC_SERVER_MAGIC 0x5352564du /* "MVRS" */
#define MCDC_CORE_MAGIC 0x45524f43u   /* "CORE" */

/* Payload per transaction list that mcd_qry_max_payload_size_f reports:
 * the library splits any list into slot-sized chunks, so this is a hint
 * of a size that pipelines well, not a hard limit. */
#define MCDC_MAX_PAYLOAD (64u << 20)
/* Requests of one transaction list in flight at once (at most nslots). */
#define MCDC_MAX_INFLIGHT 64
#define MCDC_DEFAULT_TIMEOUT_MS 60000
#define MCDC_ERRLEN MCD_INFO_STR_LEN
/* Window reads look for a dead server at most this often (ns). */
#define MCDC_ALIVE_NS 1000000u

/* ------------------------------------------------------------------------
 * Configuration strings (config.c)
 */

enum {
    MCDC_CFG_HOST = 1u << 0,
    MCDC_CFG_SERVER = 1u << 1,
    MCDC_CFG_INSTANCE = 1u << 2,
    MCDC_CFG_KEY = 1u << 3,
    MCDC_CFG_EXIT = 1u << 4,
    MCDC_CFG_ENDPOINT = 1u << 5,
    MCDC_CFG_POLICY = 1u << 6,
    MCDC_CFG_TIMEOUT = 1u << 7,
    MCDC_CFG_RELAY = 1u << 8,
    MCDC_CFG_RELAY_KEY = 1u << 9,
    MCDC_CFG_RELAY_PLAIN = 1u << 10,
    MCDC_CFG_RELAY_TIMEOUT = 1u << 11,
    MCDC_CFG_WINDOW = 1u << 12,
    MCDC_CFG_TRACE = 1u << 13,
};

/* What a configuration string says; keys absent keep their defaults. */
struct mcdc_config {
    unsigned set; /* MCDC_CFG_* of the keys present */
    char host[MCD_HOSTNAME_LEN];
    char server_name[MCDSHM_NAME_LEN];
    char system_instance[MCD_UNIQUE_NAME_LEN];
    char server_key[MCD_KEY_LEN];
    char endpoint[SHM_PATH_MAX];
    enum shm_policy policy;
    int timeout_ms; /* -1: no timeout */
    bool exit_if_last_client;
    bool window; /* read through a direct memory window when offered */
    uint32_t trace_lanes;  /* McdShmTraceLanes: 0 = read trace by request */
    uint32_t trace_frames; /* McdShmTraceFrames: frames per lane */
    /* The remote transport (remote.h): McdShmRelay, McdShmRelayKey,
     * McdShmRelayPlain, McdShmRelayTimeoutMs. */
    char relay[MCDSHM_RELAY_URL_LEN];
    char relay_key[SHM_PATH_MAX];
    bool relay_plain;
    int relay_timeout_ms;
};

/**
 * mcdc_config_parse() - parse an MCD configuration string.
 * @s: whitespace-separated Key=value pairs; NULL or empty is allowed
 * @cfg: defaults on entry are overwritten by the keys present
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Values are bare words or double-quoted strings (no escapes); booleans
 * are TRUE or FALSE in any case; keys match in any case.  Unknown keys are
 * ignored, as the API asks.
 *
 * Return: 0; -EINVAL for a malformed string (missing '=', empty key,
 * unterminated quote, text glued to a closing quote) naming the position,
 * or a bad value of a known key naming the key.
 */
int mcdc_config_parse(const char *s, struct mcdc_config *cfg, char *err,
                      size_t errlen);

/* The defaults: host localhost, hybrid policy, 60 s timeout, window on. */
void mcdc_config_defaults(struct mcdc_config *cfg);

/* ------------------------------------------------------------------------
 * Connections, cores and calls (client.c)
 */

struct mcdc_conn {
    mcd_server_st pub; /* the tool's handle; pub.instance is this */
    uint32_t magic;
    unsigned refs;          /* server handle + open cores (registry lock) */
    bool listed;            /* server handle open (registry lock) */
    struct mcdc_conn *next; /* registry order (registry lock) */

    pthread_mutex_t lock; /* one call at a time; guards what follows */
    bool up;              /* the transport is usable */
    int down_err;         /* why not: -EPIPE, -EPROTO, -ENOTCONN */
    char down_msg[MCDC_ERRLEN];
    struct shm_conn shm;
    struct shm_ring req, resp;
    struct shm_waiter waiter;
    enum shm_policy policy;
    int timeout_ms; /* per call, -1 = none */
    bool use_window; /* answer reads from shm.window when mapped */
    uint64_t alive_ns; /* when the server was last seen alive (window) */
    uint32_t server_uid;
    uint32_t nslots;
    uint32_t payload_size;
    pid_t pid;
    int sock; /* the socket, kept for mcd_qry_input_handle_f */
    char name[MCDSHM_NAME_LEN];
    char path[SHM_PATH_MAX];
    char *config; /* pub.config_string */
    void *chunks; /* txlist.c's in-flight table, allocated on first use */
    struct mcdc_core *cores; /* open cores (registry lock) */

    struct mcdc_remote *remote; /* remote.c's transport; NULL: local */
};

struct mcdc_core {
    mcd_core_st pub; /* the tool's handle; pub.instance is this */
    uint32_t magic;
    struct mcdc_conn *conn;
    uint32_t core_uid;
    mcd_core_con_info_st info; /* pub.core_con_info */
    mcd_error_info_st last;    /* last call's outcome (error lock) */
    struct mcdc_core *next;    /* the connection's cores (registry lock) */
};

/* One API call in progress. */
struct mcdc_call {
    const char *fn;         /* "mcd_qry_state_f", prefixes messages */
    struct mcdc_core *core; /* owner of the last error; NULL: core-less */
    struct mcdc_conn *conn; /* locked while set */
    uint32_t core_uid;      /* sent in every request */
    uint16_t req_fn;        /* fn of the request being built */
    uint64_t start_ns;      /* the call's first wait; 0: none yet */
    uint32_t extra_ms;      /* added to the bound (a receive's own wait) */
    mcd_error_info_st res;  /* the outcome */
};

/*
 * McdShmTimeoutMs bounds the whole call, not each wait: the bound starts at
 * the call's first wait (for a request slot, an answer, or a stale answer
 * of an earlier call) and every later wait of the same call gets only what
 * is left of it, so a pipelined transaction list ends within the bound.
 * mcdc_call_left_ms() is what is left in ms (-1: no bound);
 * mcdc_call_bound_ms() the whole bound, for messages.
 */
int mcdc_call_left_ms(struct mcdc_call *x);
int mcdc_call_bound_ms(const struct mcdc_call *x);

/* Start a call of @fn; its outcome will belong to the core-less error. */
void mcdc_call_init(struct mcdc_call *x, const char *fn);

/* The outcome is success (the string's bytes after its NUL are unused). */
static inline void mcdc_clear_res(struct mcdc_call *x)
{
    x->res.return_status = MCD_RET_ACT_NONE;
    x->res.error_code = MCD_ERR_NONE;
    x->res.error_events = 0;
    x->res.error_str[0] = '\0';
}

/**
 * mcdc_use_core() - resolve @core; its last error gets the outcome.
 * @x: the call
 * @core: the tool's handle
 *
 * Nothing is locked: the caller checks its arguments, then mcdc_enter().
 *
 * Return: 0, or -EINVAL for a NULL or foreign handle (core-less error).
 */
int mcdc_use_core(struct mcdc_call *x, const mcd_core_st *core);

/* Lock the connection of the core from mcdc_use_core(); see below. */
int mcdc_enter(struct mcdc_call *x);

/* Unlock the connection without ending the call (multi-server calls). */
void mcdc_exit_conn(struct mcdc_call *x);

/**
 * mcdc_enter_core() - resolve @core and lock its connection.
 * @x: the call
 * @core: the tool's handle
 *
 * Return: 0; -EINVAL for a NULL or foreign handle; -ENOTCONN, -EPIPE or
 * -EPROTO if the connection is closed or down; -ETIMEDOUT if an earlier
 * timed-out call still occupies the server.
 */
int mcdc_enter_core(struct mcdc_call *x, const mcd_core_st *core);

/* The same for a connection; the outcome stays core-less. */
int mcdc_enter_conn(struct mcdc_call *x, struct mcdc_conn *c);

/**
 * mcdc_close_call() - lock @c and send the close request @fn (no body).
 * @x: the call
 * @c: the connection
 * @fn: MCDSHM_FN_CLOSE_CORE, _CLOSE_SERVER or _EXIT
 *
 * A close frees its handle whatever happens, so it never asks for a
 * retry.  On a connection that still owes the answers of a call that
 * timed out, it does not wait for them (the caller would wait another
 * whole bound): the request is sent, its answer left to the next call's
 * drain.  A close that times out, or finds every slot in flight, has
 * still freed the handle: the outcome is success (the server frees its
 * side when the request arrives, or when the connection hangs up).
 * The connection stays locked (mcdc_exit_conn()).
 *
 * Return: 0, or the error of a connection that is down.
 */
int mcdc_close_call(struct mcdc_call *x, struct mcdc_conn *c, uint16_t fn);

/* The connection of a server handle, or NULL (not ours, closed). */
struct mcdc_conn *mcdc_server_conn(const mcd_server_st *server);

/**
 * mcdc_leave() - end a call: unlock, record the outcome, translate.
 * @x: the call
 * @r: 0 (the outcome is x->res), or -errno of a local failure whose
 *     message mcdc_fail() recorded
 *
 * Return: the mcd_return_et for the tool.
 */
mcd_return_et mcdc_leave(struct mcdc_call *x, int r);

/* Record a local failure (message "fn: ...", replacing any earlier one)
 * and return @err. */
int mcdc_fail(struct mcdc_call *x, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a server's answer (ret and error block) as the outcome. */
void mcdc_answer(struct mcdc_call *x, const struct mcdshm_resp *r);

/**
 * mcdc_malformed() - the server broke the protocol: drop the connection.
 * @x: the call, connection locked
 *
 * Every later call on the connection fails with the same message.
 *
 * Return: -EPROTO.
 */
int mcdc_malformed(struct mcdc_call *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * mcdc_req_begin() - the next request record, zeroed, header filled.
 * @x: the call, connection locked and up
 * @fn: MCDSHM_FN_*
 * @q: receives the record (in shared memory)
 * @payload: receives its payload area
 *
 * Return: 0; -EBUSY if every slot is in flight (a caller bug); what
 * waiting for the server to release a slot returns (-EPIPE, -ETIMEDOUT).
 */
int mcdc_req_begin(struct mcdc_call *x, uint16_t fn, struct mcdshm_req **q,
                   uint8_t **payload);

/* Publish the record from mcdc_req_begin() and ring the server. */
void mcdc_req_send(struct mcdc_call *x, uint32_t payload_len);

/**
 * mcdc_resp_wait() - wait for the oldest pending response and check it.
 * @x: the call, connection locked
 * @fn: the function it must answer
 * @out: receives a private copy of the record
 * @payload: receives its payload area (shared: copy before use)
 *
 * Checks seq, fn, flags, reserved, payload_len and the error block; the
 * caller checks the body.  Leaves the record unreleased.
 *
 * Return: 0; -ETIMEDOUT; -EPIPE (server gone) or -EPROTO (malformed), both
 * with the connection dropped.
 */
int mcdc_resp_wait(struct mcdc_call *x, uint16_t fn, struct mcdshm_resp *out,
                   const uint8_t **payload);

/* Release the response from mcdc_resp_wait(). */
void mcdc_resp_done(struct mcdc_call *x);

/* Send the begun request and wait for its answer (not released). */
int mcdc_transact(struct mcdc_call *x, uint32_t payload_len,
                  struct mcdshm_resp *out, const uint8_t **payload);

/**
 * mcdc_resp_span() - check that a response span lies in its payload.
 * @x: the call
 * @r: the response
 * @sp: the span
 * @field: its name, for the message
 *
 * Return: 0, or -EPROTO with the connection dropped.
 */
int mcdc_resp_span(struct mcdc_call *x, const struct mcdshm_resp *r,
                   struct mcdshm_span sp, const char *field);

/**
 * mcdc_put_str() - copy a string into the request payload.
 * @x: the call
 * @s: the string, NULL for none (empty span)
 * @payload: the payload area
 * @off: in: where to put it; out: just past it
 * @sp: receives its span
 * @what: the parameter's name, for the message
 *
 * Return: 0, or -EINVAL if it does not fit the payload area.
 */
int mcdc_put_str(struct mcdc_call *x, const char *s, uint8_t *payload,
                 uint32_t *off, struct mcdshm_span *sp, const char *what);

/**
 * mcdc_simple() - one request, one response, a fixed-size output.
 * @x: the call, entered
 * @fn: MCDSHM_FN_*
 * @body: the request body, or NULL
 * @body_size: its size
 * @out: receives the response body's first @out_size bytes, or NULL
 * @out_size: how many
 *
 * Return: 0 with the answer recorded; -errno as mcdc_transact().
 */
int mcdc_simple(struct mcdc_call *x, uint16_t fn, const void *body,
                size_t body_size, void *out, size_t out_size);

/* Add a core on @c to the books (the caller holds a registry ref on c). */
struct mcdc_core *mcdc_core_new(struct mcdc_conn *c, uint32_t core_uid,
                                const mcd_core_con_info_st *info);

/* Free a core and drop its reference on the connection. */
void mcdc_core_free(struct mcdc_core *core);

/**
 * mcdc_conn_open() - connect to the endpoint at @path.
 * @x: the call (for the message)
 * @path: the endpoint socket
 * @cfg: the parsed configuration (policy, timeout)
 * @out: the connection, unlisted, with one reference
 *
 * Return: 0; -ECONNREFUSED or -ETIMEDOUT with the reason; -ENOMEM.
 */
int mcdc_conn_open(struct mcdc_call *x, const char *path,
                   const struct mcdc_config *cfg, struct mcdc_conn **out);

/**
 * mcdc_conn_adopt() - make a connection of a transport already set up.
 * @x: the call (for the message)
 * @shm: the connected transport; the connection takes it over, and on
 *       failure it is closed
 * @path: its endpoint, for messages
 * @cfg: the parsed configuration (policy, timeout)
 * @out: the connection, unlisted, with one reference
 *
 * mcdc_conn_open() after the handshake; the response fuzzer
 * (tests/fuzz/fuzz_client.c) with a region of its own.
 *
 * Return: 0; -ECONNREFUSED (epoll) or -ENOMEM with the reason.
 */
int mcdc_conn_adopt(struct mcdc_call *x, struct shm_conn *shm,
                    const char *path, const struct mcdc_config *cfg,
                    struct mcdc_conn **out);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t mcdc_now_ns(void);

/* The server of @x's connection is gone: take the connection down and
 * fail the call (-EPIPE, MCD_ERR_CONNECTION). */
int mcdc_gone(struct mcdc_call *x);

/*
 * mcdc_check_alive() - for calls answered from shared memory without a
 * request (window reads, trace lanes): is the server still there?  A
 * poll() per call would cost more than a small read itself; once per
 * MCDC_ALIVE_NS is well within the 100 ms in which a dead server must
 * show.  Return 0, or mcdc_gone()'s -EPIPE.
 */
int mcdc_check_alive(struct mcdc_call *x);

/* Drop the transport of @c (connection locked): every later call fails
 * with @err and the message. */
void mcdc_conn_down(struct mcdc_conn *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add @c to the registry, after the others. */
void mcdc_conn_list(struct mcdc_conn *c);

/* Mark @c's server handle closed; it leaves the registry when freed. */
void mcdc_conn_unlist(struct mcdc_conn *c);

/* Drop one reference; the last one frees the connection. */
void mcdc_conn_put(struct mcdc_conn *c);

/**
 * mcdc_conns() - the open servers, in open order, each with a reference.
 * @out: receives a malloc'ed array (free it with mcdc_conns_put())
 * @all: also the connections whose server handle is closed but which
 *       still have open cores
 *
 * Return: how many (0 with *out NULL), or -ENOMEM.
 */
int mcdc_conns(struct mcdc_conn ***out, bool all);
void mcdc_conns_put(struct mcdc_conn **v, int n);

/* Is a server at @path already open in this process? */
bool mcdc_path_open(const char *path);

/* The API version the tool asked for in mcd_initialize_f (1.1 before). */
void mcdc_api_version(mcd_api_version_st *v);
void mcdc_set_api_version(const mcd_api_version_st *v);

/* Record @e as the last error of @core (NULL: core-less). */
void mcdc_set_last_error(struct mcdc_core *core, const mcd_error_info_st *e);
void mcdc_get_last_error(struct mcdc_core *core, mcd_error_info_st *e);

/* ------------------------------------------------------------------------
 * Endpoints (servers.c)
 */

/* A server endpoint found in the endpoint directory. */
struct mcdc_endpoint {
    char name[MCDSHM_NAME_LEN];
    char path[SHM_PATH_MAX];
    bool live;
};

/**
 * mcdc_endpoints() - the endpoints in the endpoint directory, sorted.
 * @out: receives a malloc'ed array (free() it)
 * @err: receives the reason on failure
 *
 * Liveness comes from /proc/net/unix (a listening socket bound to the
 * path), without connecting; without procfs, from a connect() probe.
 *
 * Return: how many, or -errno from the directory.
 */
int mcdc_endpoints(struct mcdc_endpoint **out, char *err);

/* Is @host this machine ("", "localhost", loopback or our host name)? */
bool mcdc_host_is_local(const char *host);

/**
 * mcdc_choose_endpoint() - where open_server connects for @cfg.
 * @x: the call (for the message)
 * @cfg: the parsed configuration
 * @path: receives the socket path (SHM_PATH_MAX bytes)
 *
 * McdShmEndpoint wins, then McdServerName; without either the first live
 * endpoint in name order that this process has not opened, else the
 * first live one.
 *
 * Return: 0; -EHOSTUNREACH for a remote McdHostName; -EINVAL for a bad
 * server name; -ENOENT if no server is live.
 */
int mcdc_choose_endpoint(struct mcdc_call *x, const struct mcdc_config *cfg,
                         char *path);

/* ------------------------------------------------------------------------
 * Queries and transaction lists (query.c, txlist.c)
 */

/* A fixed-size string field of an API structure. */
struct mcdc_strf {
    uint16_t off;
    uint16_t len;
    const char *name;
};

/*
 * One request with a fixed body on @core as a whole API call: on success
 * @out_size bytes of the answer's body go to @out (NULL: none; @out_name
 * names it in errors) after @strf's strings (NULL: none) are checked.
 */
mcd_return_et mcdc_core_call(const char *fn, const mcd_core_st *core,
                             uint16_t id, const void *body, size_t body_size,
                             void *out, size_t out_size, const char *out_name,
                             const struct mcdc_strf *strf);

/**
 * mcdc_check_strs() - every string field of @n entries holds a NUL.
 * @x: the call (a failure drops the connection)
 * @p: the entries (a private copy)
 * @n: how many
 * @size: bytes per entry
 * @t: the string fields, ended by a NULL name
 * @what: the structure's name
 *
 * Return: 0 or -EPROTO.
 */
int mcdc_check_strs(struct mcdc_call *x, const void *p, uint32_t n,
                    uint32_t size, const struct mcdc_strf *t, const char *what);

extern const struct mcdc_strf mcdc_con_info_strf[];

/* Run a transaction list (connection entered); see txlist.c. */
int mcdc_txlist(struct mcdc_call *x, mcd_txlist_st *txlist);

/* Free the connection's in-flight table. */
void mcdc_txlist_free(struct mcdc_conn *c);

#endif /* MCDSHM_LIB_CLIENT_H */
