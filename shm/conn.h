/*
 * Connecting: endpoints, the handshake and hang-up detection.
 *
 * A server publishes an endpoint, a Unix stream socket named after it in
 * the per-user runtime directory ($XDG_RUNTIME_DIR/mcdshm, else
 * /tmp/mcdshm-<uid>; the directory 0700 and owned by the user, the socket
 * 0600).  A client connects and sends struct mcdshm_hello.  The server
 * checks the peer's credentials (same uid) and the layout versions, creates
 * the region and two eventfds and answers struct mcdshm_welcome with the
 * three descriptors attached (SCM_RIGHTS); a refusal carries its reason and
 * is logged on the server.  The client validates the region before use.
 * The socket stays open: its hang-up is how each side learns that the
 * other has gone.
 *
 * Functions here block (bounded by SHM_HANDSHAKE_TIMEOUT_MS) and are called
 * by one thread per listener or connection.
 */
#ifndef MCDSHM_SHM_CONN_H
#define MCDSHM_SHM_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "shm/region.h"

#define SHM_HANDSHAKE_TIMEOUT_MS 2000
#define SHM_ERRLEN 256
#define SHM_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/*
 * A direct memory window: [offset, + size) of the file fd is the target's
 * memory at [base, + size) in memory space @space.  A server offers it
 * (fd must be a memfd sealed against shrinking); a client maps it
 * read-only (map != NULL).
 */
struct shm_window {
    int fd;            /* -1: none */
    uint64_t base;
    uint64_t size;     /* 0: none */
    uint64_t offset;
    uint32_t space;
    const uint8_t *map; /* client: the mapping of [offset, + size) */
    void *map_base;     /* client: what mmap returned (page-aligned) */
    size_t map_len;
};

/* A server's listening endpoint. */
struct shm_listener {
    int fd;                     /* listening socket, -1 if none */
    char path[SHM_PATH_MAX];    /* socket path, unlinked on close */
    char name[MCDSHM_NAME_LEN]; /* server name */
    struct shm_window window;   /* offered to clients that want it
                                   (window.fd: a read-only reopening) */
};

/* One side's view of an established connection. */
struct shm_conn {
    int sock;      /* connection socket; hang-up = peer gone */
    int region_fd; /* the region's memfd */
    int req_efd;   /* request doorbell (client rings server) */
    int resp_efd;  /* response doorbell (server rings client) */
    pid_t peer_pid;
    uid_t peer_uid;
    char peer_name[MCDSHM_NAME_LEN]; /* client: the server's name */
    struct shm_region region;
    struct shm_window window; /* client: the mapped window, if any */
};

/* Region size a client asks for; zeros mean the server's defaults. */
struct shm_conn_wish {
    uint32_t nslots;
    uint32_t payload_size;
    bool window; /* map a direct memory window if the server offers one */
    bool trace;  /* ask for trace lanes (MCDSHM_FEAT_TRACE) */
    uint32_t trace_lanes;  /* 0 = MCDSHM_TRACE_LANES_DEFAULT */
    uint32_t trace_frames; /* 0 = MCDSHM_TRACE_FRAMES_DEFAULT */
};

/* Where log lines go; the default writes "mcdshm: ..." to stderr. */
typedef void (*shm_log_fn)(void *opaque, const char *line);

/* Route log lines to @fn (NULL restores the default). */
void shm_set_log(shm_log_fn fn, void *opaque);

/* printf-style log line, through the current log function. */
void shm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * shm_endpoint_dir() - the per-user endpoint directory, created if missing.
 * @buf: receives the path
 * @len: size of @buf
 * @err: receives a message on failure
 *
 * Return: 0; -ENAMETOOLONG; -EPERM if the directory is not ours, is a
 * symlink or not a directory; -errno from mkdir, lstat or chmod.
 */
int shm_endpoint_dir(char *buf, size_t len, char *err);

/**
 * shm_endpoint_path() - the socket path of server @name.
 * @name: 1..63 characters of [A-Za-z0-9._-], not starting with '.'
 * @buf: receives the path
 * @len: size of @buf
 * @err: receives a message on failure
 *
 * Return: 0, -EINVAL for a bad name, or what shm_endpoint_dir() returns.
 */
int shm_endpoint_path(const char *name, char *buf, size_t len, char *err);

/**
 * shm_listen() - publish endpoint @name.
 * @name: server name (see shm_endpoint_path())
 * @path: explicit socket path, or NULL for the runtime directory
 * @l: the listener
 * @err: receives a message on failure
 *
 * A socket file left by a dead server is removed; a live one is not.
 *
 * Return: 0; -EADDRINUSE if a live server has the name; -EEXIST if the
 * path is taken by something that is not a socket; -EINVAL, -ENAMETOOLONG,
 * -EPERM as shm_endpoint_path(); -errno from socket, bind, listen, chmod.
 */
int shm_listen(const char *name, const char *path, struct shm_listener *l,
               char *err);

/* Close the listener and unlink its socket; accepts a closed one. */
void shm_listener_close(struct shm_listener *l);

/**
 * shm_listener_offer_window() - offer a direct memory window to clients.
 * @l: the listener
 * @fd: a memfd sealed against shrinking (F_SEAL_SHRINK); stays the
 *      caller's: the listener keeps a read-only reopening of it, which is
 *      what clients receive
 * @offset: where the window starts in the file
 * @base: the target address of its first byte
 * @size: its length in bytes
 * @space: the memory space id it belongs to (on every core)
 *
 * Return: 0; -EINVAL for fd < 0, size 0, a file smaller than
 * offset + size, or a file not sealed against shrinking (a client would
 * take SIGBUS if it shrank); -errno from fstat or fcntl.
 */
int shm_listener_offer_window(struct shm_listener *l, int fd, uint64_t offset,
                              uint64_t base, uint64_t size, uint32_t space);

/**
 * shm_accept() - accept one client and run the server's handshake.
 * @l: the listener
 * @c: the connection, with the region mapped (server view)
 * @err: receives the reason on failure (also logged for refusals)
 *
 * Return: 0; -EACCES if the peer's uid differs (refused, reason sent);
 * -EPROTONOSUPPORT if the versions are incompatible (refused, reason
 * sent); -EPROTO for a malformed hello; -ETIMEDOUT if no hello came in
 * time; -EINVAL if the wished region size is out of limits (refused);
 * -errno from accept, getsockopt, eventfd, memfd, mmap, sendmsg.
 */
int shm_accept(struct shm_listener *l, struct shm_conn *c, char *err);

/*
 * shm_accept() in two steps, for a server that must not wait on a slow
 * client: shm_accept_peer() accepts the socket and reads the peer's
 * credentials (it does not block: call it when the listener is readable);
 * shm_accept_hello() then runs the rest of the handshake.  With @wait
 * false it returns -EAGAIN while the client's hello has not fully arrived
 * (call again when the socket is readable; the caller bounds the wait).
 * Returns as shm_accept(); on failure @c is closed.
 */
int shm_accept_peer(struct shm_listener *l, struct shm_conn *c, char *err);
int shm_accept_hello(struct shm_listener *l, struct shm_conn *c, bool wait,
                     char *err);

/**
 * shm_connect() - connect to the endpoint at @path (client side).
 * @path: socket path
 * @wish: region size wished, or NULL for the server's defaults
 * @c: the connection, with the region mapped and validated
 * @err: receives the reason on failure
 *
 * Return: 0; -ENOENT / -ECONNREFUSED if no server listens there; the
 * server's refusal as -errno (-EACCES, -EPROTONOSUPPORT, -EINVAL) with its
 * reason; -EPROTO for a malformed welcome or an invalid region (the reason
 * names the field); -ETIMEDOUT; -errno from socket, connect, recvmsg, mmap.
 */
int shm_connect(const char *path, const struct shm_conn_wish *wish,
                struct shm_conn *c, char *err);

/* Close everything the connection holds; accepts a partial one. */
void shm_conn_close(struct shm_conn *c);

/* 1 if the peer hung up, 0 if not, -errno on failure (no waiting). */
int shm_conn_peer_gone(const struct shm_conn *c);

#endif /* MCDSHM_SHM_CONN_H */
