/*
 * The remote transport: the same request and response records as the
 * shared-memory rings, carried over ZeroMQ between libmcdshm and
 * mcdshm-relay (host-side/relay/), for a debugger on another host.
 *
 * Messages.  Every message is a ZeroMQ multipart message whose first frame
 * is a struct mcdshm_relay_hdr (32 bytes, little-endian, pinned below):
 *
 *   HELLO    debugger -> relay   [hdr][server name wished, may be empty]
 *   WELCOME  relay -> debugger   [hdr: nslots, payload_size, pid][name]
 *   REQ      debugger -> relay   [hdr: seq][request record][payload]
 *   RESP     relay -> debugger   [hdr: seq][response record][payload]
 *   DOWN     relay -> debugger   [hdr: err][message]
 *   BYE      debugger -> relay   [hdr]
 *
 * The record frame holds exactly the record's extent (shm/records.h: a
 * request of its function's size, a response of shm_resp_len()); the
 * payload frame exactly hdr.payload_len bytes of the slot's payload area
 * (possibly none).  seq is the debugger's own ring index: the relay
 * renumbers requests for its own server connection and answers with the
 * debugger's seq, so each side checks order exactly as it does locally.
 *
 * Sessions.  The relay's ROUTER socket gives every debugger connection its
 * own routing id; a HELLO opens one server connection for it (a session);
 * its requests go to that connection only, at most nslots in flight.  A
 * BYE, a TCP disconnect, or a missed ZeroMQ heartbeat ends the session and
 * closes its server connection, which releases the debugger's cores and
 * triggers in the server.  A DOWN ends the session from the relay's side
 * (server gone, malformed request, no such session): the debugger's
 * connection is then down with the relay's message.
 *
 * The debugger side (remote.c) keeps a private region with the server's
 * slot count and payload size, so the library's request and response code
 * is the same for both transports: a request is built in the private
 * request ring, sent and consumed at once by mcdc_remote_send(); a
 * response record received by mcdc_remote_wait() is written to the
 * private response ring, and the library reads it from there as it would
 * from shared memory; its payload stays in ZeroMQ's message until the
 * response is released (mcdc_remote_payload(), mcdc_remote_release()).  Only
 * the thread holding the connection's lock touches the transport.
 */
#ifndef MCDSHM_LIB_REMOTE_H
#define MCDSHM_LIB_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "mcdshm/wire.h"

#define MCDSHM_RELAY_MAGIC 0x4c52434du /* "MCRL" */
#define MCDSHM_RELAY_VERSION 1

enum {
    MCDSHM_RELAY_HELLO = 1,
    MCDSHM_RELAY_WELCOME = 2,
    MCDSHM_RELAY_REQ = 3,
    MCDSHM_RELAY_RESP = 4,
    MCDSHM_RELAY_DOWN = 5,
    MCDSHM_RELAY_BYE = 6,
};

/* Default liveness bound: connect, handshake and heartbeat time-out. */
#define MCDSHM_RELAY_DEFAULT_TIMEOUT_MS 5000
/* Longest relay URL and key file path the config string takes. */
#define MCDSHM_RELAY_URL_LEN 256

struct mcdshm_relay_hdr {
    uint32_t magic;        /* MCDSHM_RELAY_MAGIC */
    uint16_t version;      /* MCDSHM_RELAY_VERSION */
    uint16_t type;         /* MCDSHM_RELAY_* */
    uint32_t seq;          /* REQ, RESP: the debugger's ring index */
    int32_t err;           /* DOWN: -errno of the reason */
    uint32_t nslots;       /* WELCOME: the server's slots */
    uint32_t payload_size; /* WELCOME: payload bytes per slot */
    uint32_t pid;          /* WELCOME: the server's pid */
    uint32_t reserved;     /* zero */
};

_Static_assert(sizeof(struct mcdshm_relay_hdr) == 32, "relay header size");
_Static_assert(offsetof(struct mcdshm_relay_hdr, type) == 6, "type");
_Static_assert(offsetof(struct mcdshm_relay_hdr, seq) == 8, "seq");
_Static_assert(offsetof(struct mcdshm_relay_hdr, err) == 12, "err");
_Static_assert(offsetof(struct mcdshm_relay_hdr, nslots) == 16, "nslots");
_Static_assert(offsetof(struct mcdshm_relay_hdr, payload_size) == 20,
               "payload_size");
_Static_assert(offsetof(struct mcdshm_relay_hdr, pid) == 24, "pid");
_Static_assert(offsetof(struct mcdshm_relay_hdr, reserved) == 28, "reserved");

/* A filled header of @type. */
static inline struct mcdshm_relay_hdr mcdshm_relay_hdr_make(uint16_t type)
{
    struct mcdshm_relay_hdr h = { .magic = MCDSHM_RELAY_MAGIC,
                                  .version = MCDSHM_RELAY_VERSION,
                                  .type = type };
    return h;
}

/*
 * CURVE key files (written by `mcdshm-relay --gen-keys PREFIX`): text, one
 * "name = value" per line, '#' comments; values are Z85 keys of 40
 * characters.  The relay's file has "public" and "secret"; a debugger's
 * file has "relay-public" (the relay's public key) and optionally its own
 * "public" and "secret" (else a fresh key pair per connection).
 */
#define MCDSHM_Z85_KEY_LEN 40

struct mcdshm_keys {
    char public_key[MCDSHM_Z85_KEY_LEN + 1];
    char secret_key[MCDSHM_Z85_KEY_LEN + 1];
    char relay_public[MCDSHM_Z85_KEY_LEN + 1];
};

/**
 * mcdshm_keys_load() - read a key file.
 * @path: the file
 * @k: receives the keys found (absent ones stay empty strings)
 * @err: receives the reason on failure, naming the file and line
 * @errlen: size of @err
 *
 * Return: 0; -errno if the file cannot be read; -EINVAL for a line that is
 * not "name = value", an unknown name or a value that is not a Z85 key of
 * 40 characters.
 */
int mcdshm_keys_load(const char *path, struct mcdshm_keys *k, char *err,
                     size_t errlen);

struct mcdc_call;
struct mcdc_config;
struct mcdc_conn;

/* Is ZeroMQ compiled in?  Without it mcdc_remote_open() says why not. */
extern const int mcdc_remote_available;

/**
 * mcdc_remote_open() - connect to the relay that @cfg names.
 * @x: the call (for the message)
 * @cfg: the parsed configuration (relay URL, key, time-outs)
 * @out: the connection, unlisted, with one reference
 *
 * Return: 0; -ECONNREFUSED for a refused handshake, a bad key file, a
 * missing McdShmRelayKey without McdShmRelayPlain=TRUE, or a library
 * built without ZeroMQ; -ETIMEDOUT if the relay does not answer within
 * McdShmRelayTimeoutMs; -ENOMEM.
 */
int mcdc_remote_open(struct mcdc_call *x, const struct mcdc_config *cfg,
                     struct mcdc_conn **out);

/* Send the request just published in @c's private request ring.  A
 * failure is kept and reported by the next mcdc_remote_wait(). */
void mcdc_remote_send(struct mcdc_conn *c);

/**
 * mcdc_remote_wait() - receive the next response into the response ring.
 * @c: the connection, locked
 * @timeout_ms: -1 for none
 *
 * Return: 1 when a response is in the ring; -ETIMEDOUT; -EPIPE (relay or
 * server lost) or -EPROTO (malformed message), both with the connection
 * down (mcdc_conn_down()) and a message naming the relay.
 */
int mcdc_remote_wait(struct mcdc_conn *c, int timeout_ms);

/* The payload of the response with ring index @seq (received, not yet
 * released): ZeroMQ's own message buffer, so the payload is copied once,
 * into the tool's memory, as locally. */
const uint8_t *mcdc_remote_payload(struct mcdc_conn *c, uint32_t seq);

/* The oldest response is consumed: free its message. */
void mcdc_remote_release(struct mcdc_conn *c);

/* Close the transport (sends BYE); the connection lock is held. */
void mcdc_remote_close(struct mcdc_conn *c);

/* Free what mcdc_remote_open() attached to @c (closing it if open). */
void mcdc_remote_free(struct mcdc_conn *c);

#endif /* MCDSHM_LIB_REMOTE_H */
