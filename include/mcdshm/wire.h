/*
 * mcdshm wire contract: the layout of one connection's shared-memory region
 * and of the messages exchanged on the connection socket.
 *
 * This header is the only thing the debugger side (libmcdshm) and the
 * simulator side (the server stub) have in common.  It is written like a
 * kernel uapi header: fixed-width unsigned fields only, explicit padding, no
 * pointers, no enums, no bool.  Every structure and every field is pinned by
 * _Static_assert at the end of this file.  Fields that a peer writes are
 * hostile to the other side until validated.
 *
 * Region layout (offsets are in the region header; every part is 64-byte
 * aligned and the parts never overlap):
 *
 *   +--------------------------+ 0
 *   | struct mcdshm_region_hdr |  creator (server) writes once, before the
 *   +--------------------------+  region is handed to the client
 *   | request ring control     |  struct mcdshm_ring
 *   | response ring control    |  struct mcdshm_ring
 *   | request records          |  nslots * req_stride
 *   | response records         |  nslots * resp_stride
 *   | payload areas            |  nslots * payload_size
 *   | trace lanes (optional)   |  trace_lanes * trace_stride
 *   +--------------------------+ region_size
 *
 * Rings.  Both rings are single-producer single-consumer.  The client
 * produces requests and consumes responses; the server consumes requests and
 * produces responses, in order.  Indexes are free-running uint32_t: entry i
 * lives in record (i & (nslots - 1)), the number of entries in a ring is the
 * unsigned difference (tail - head) and is never more than nslots.  Request i
 * and response i share payload area (i & (nslots - 1)); the client therefore
 * reuses a slot only after it has consumed the response that used it, which
 * keeps (req.tail - resp.head) <= nslots.
 *
 * Ordering protocol.  "Record" below includes the slot's payload bytes.
 *
 *   P1  producer: write record i; store_release(ring.tail, i + 1)
 *       pairs with C1: a consumer that sees tail > i sees all of record i.
 *   C1  consumer: t = load_acquire(ring.tail); read records [head, t)
 *   C2  consumer: done reading record i; store_release(ring.head, i + 1)
 *       pairs with P2: the producer never overwrites a record that is still
 *       being read.
 *   P2  producer: h = load_acquire(ring.head); may write records < h + nslots
 *
 *   Doorbell (one eventfd per ring, written by the ring's producer):
 *   D1  consumer, about to sleep: WRITE_ONCE(ring.need_wakeup, 1);
 *       smp_mb(); re-check tail (C1); sleep on the eventfd only if the ring
 *       is still empty.  After waking: WRITE_ONCE(ring.need_wakeup, 0).
 *   D2  producer, after P1: smp_mb(); if READ_ONCE(ring.need_wakeup), write
 *       the eventfd.
 *       D1 and D2 are the two halves of a store->load handshake: each side
 *       stores, fences, then loads what the other stored, so at least one
 *       of them sees the other's store.  Either the consumer's re-check sees
 *       the new tail, or the producer sees the flag and rings.  A wakeup can
 *       be spurious (the consumer then re-checks and sleeps again) but never
 *       lost.
 *
 *   Reading your own index (the producer its tail, the consumer its head)
 *   needs no ordering: only you write it.
 *
 * Records.  A request record starts with struct mcdshm_req_hdr and carries
 * the body of one of the 54 MCD functions (MCDSHM_FN_*, numbered as in
 * mcd_api.h).  Data that has no fixed size (strings, arrays, transaction
 * data) lives in the slot's payload area and is named by a struct mcdshm_span
 * (offset and length relative to the start of that payload area).  The
 * response record has the same sequence number and function id, the MCD
 * return code, the function's output body and, when the return code is not
 * MCD_RET_ACT_NONE, the error information.  The receiver copies a record out
 * of shared memory before validating it, so the peer cannot change it after
 * the check.
 *
 * Connection.  A client connects to the server's Unix socket and sends
 * struct mcdshm_hello; the server answers struct mcdshm_welcome, and on
 * success passes three descriptors with SCM_RIGHTS: the region (a sealed
 * memfd, never reachable by name), the request doorbell and the response
 * doorbell (eventfds).  The socket stays open for the life of the
 * connection; its hang-up tells each side that the other is gone.
 */
#ifndef MCDSHM_WIRE_H
#define MCDSHM_WIRE_H

#include <stddef.h>
#include <stdint.h>

/*
 * "MCDSHM" followed by the byte-order marker 0x01 0x02, read as a
 * little-endian uint64_t.  A peer of the other byte order reads
 * MCDSHM_MAGIC_SWAPPED and fails loudly instead of misreading everything.
 */
#define MCDSHM_MAGIC 0x02014d485344434dull
#define MCDSHM_MAGIC_SWAPPED 0x4d434453484d0102ull

/*
 * Layout version of this header, and the oldest version it can talk to.
 * Version 3 added the trace lanes; a version-2 peer never asks for them,
 * and a region without them is a version-2 region.
 */
#define MCDSHM_VERSION 3
#define MCDSHM_COMPAT_VERSION 2

/* Feature bits in mcdshm_region_hdr.features; unknown bits are rejected. */
#define MCDSHM_FEAT_NONE 0ull
#define MCDSHM_FEAT_TRACE 1ull /* the region has trace lanes */
#define MCDSHM_FEAT_MASK 1ull

#define MCDSHM_CACHELINE 64
#define MCDSHM_REQ_STRIDE 1024
#define MCDSHM_RESP_STRIDE 1024

/* Limits a server enforces when it sizes a region. */
#define MCDSHM_MIN_SLOTS 2
#define MCDSHM_MAX_SLOTS 1024
#define MCDSHM_MIN_PAYLOAD 16384          /* MCD_GUARANTEED_MIN_PAYLOAD */
#define MCDSHM_MAX_PAYLOAD (16u << 20)
#define MCDSHM_MAX_REGION (1ull << 30)
#define MCDSHM_DEFAULT_SLOTS 16
#define MCDSHM_DEFAULT_PAYLOAD (256u << 10)

/* Trace lanes: per connection, each of trace_frames frames. */
#define MCDSHM_TRACE_LANES_MAX 16
#define MCDSHM_TRACE_LANES_DEFAULT 4
#define MCDSHM_TRACE_FRAMES_MIN 1024u
#define MCDSHM_TRACE_FRAMES_MAX (1u << 22)
#define MCDSHM_TRACE_FRAMES_DEFAULT (1u << 16)
/* Room per frame in a lane: the largest fixed-size MCD frame
 * (mcd_trace_data_stat_st); a lane's frames are packed at frame_size. */
#define MCDSHM_TRACE_FRAME_MAX 80u

/* Transactions per request record (MCD_TX_NUM_MAX). */
#define MCDSHM_TX_MAX 64

#define MCDSHM_NAME_LEN 64
#define MCDSHM_REASON_LEN 256
#define MCDSHM_INFO_STR_LEN 256

/* Function ids: the position of the function in mcd_api.h. */
#define MCDSHM_FN_INITIALIZE 1
#define MCDSHM_FN_EXIT 2
#define MCDSHM_FN_QRY_SERVERS 3
#define MCDSHM_FN_OPEN_SERVER 4
#define MCDSHM_FN_CLOSE_SERVER 5
#define MCDSHM_FN_SET_SERVER_CONFIG 6
#define MCDSHM_FN_QRY_SERVER_CONFIG 7
#define MCDSHM_FN_QRY_SYSTEMS 8
#define MCDSHM_FN_QRY_DEVICES 9
#define MCDSHM_FN_QRY_CORES 10
#define MCDSHM_FN_QRY_CORE_MODES 11
#define MCDSHM_FN_OPEN_CORE 12
#define MCDSHM_FN_CLOSE_CORE 13
#define MCDSHM_FN_QRY_ERROR_INFO 14
#define MCDSHM_FN_QRY_DEVICE_DESCRIPTION 15
#define MCDSHM_FN_QRY_MAX_PAYLOAD_SIZE 16
#define MCDSHM_FN_QRY_INPUT_HANDLE 17
#define MCDSHM_FN_QRY_MEM_SPACES 18
#define MCDSHM_FN_QRY_MEM_BLOCKS 19
#define MCDSHM_FN_QRY_ACTIVE_OVERLAYS 20
#define MCDSHM_FN_QRY_REG_GROUPS 21
#define MCDSHM_FN_QRY_REG_MAP 22
#define MCDSHM_FN_QRY_REG_COMPOUND 23
#define MCDSHM_FN_QRY_TRIG_INFO 24
#define MCDSHM_FN_QRY_CTRIGS 25
#define MCDSHM_FN_CREATE_TRIG 26
#define MCDSHM_FN_QRY_TRIG 27
#define MCDSHM_FN_REMOVE_TRIG 28
#define MCDSHM_FN_QRY_TRIG_STATE 29
#define MCDSHM_FN_ACTIVATE_TRIG_SET 30
#define MCDSHM_FN_REMOVE_TRIG_SET 31
#define MCDSHM_FN_QRY_TRIG_SET 32
#define MCDSHM_FN_QRY_TRIG_SET_STATE 33
#define MCDSHM_FN_EXECUTE_TXLIST 34
#define MCDSHM_FN_RUN 35
#define MCDSHM_FN_STOP 36
#define MCDSHM_FN_RUN_UNTIL 37
#define MCDSHM_FN_QRY_CURRENT_TIME 38
#define MCDSHM_FN_STEP 39
#define MCDSHM_FN_SET_GLOBAL 40
#define MCDSHM_FN_QRY_STATE 41
#define MCDSHM_FN_EXECUTE_COMMAND 42
#define MCDSHM_FN_QRY_RST_CLASSES 43
#define MCDSHM_FN_QRY_RST_CLASS_INFO 44
#define MCDSHM_FN_RST 45
#define MCDSHM_FN_CHL_OPEN 46
#define MCDSHM_FN_SEND_MSG 47
#define MCDSHM_FN_RECEIVE_MSG 48
#define MCDSHM_FN_CHL_RESET 49
#define MCDSHM_FN_CHL_CLOSE 50
#define MCDSHM_FN_QRY_TRACES 51
#define MCDSHM_FN_QRY_TRACE_STATE 52
#define MCDSHM_FN_SET_TRACE_STATE 53
#define MCDSHM_FN_READ_TRACE 54
#define MCDSHM_FN_COUNT 54

/* ------------------------------------------------------------------------
 * Region header and ring control
 */

/*
 * The region header.  Written once by the server before it passes the
 * region to the client, read-only afterwards; the client validates every
 * field, in declaration order, before it touches anything else.
 */
struct mcdshm_region_hdr {
    uint64_t magic;          /* MCDSHM_MAGIC */
    uint16_t version;        /* MCDSHM_VERSION of the creator */
    uint16_t compat_version; /* oldest version that can read this layout */
    uint32_t header_size;    /* sizeof(struct mcdshm_region_hdr) */
    uint64_t region_size;    /* bytes in the mapping */
    uint64_t features;       /* MCDSHM_FEAT_* */
    uint32_t nslots;         /* power of two, MIN_SLOTS..MAX_SLOTS */
    uint32_t req_stride;     /* bytes per request record */
    uint32_t resp_stride;    /* bytes per response record */
    uint32_t payload_size;   /* bytes per payload area, multiple of 64 */
    uint64_t req_ring_off;   /* struct mcdshm_ring of the request ring */
    uint64_t resp_ring_off;  /* struct mcdshm_ring of the response ring */
    uint64_t req_rec_off;    /* nslots request records */
    uint64_t resp_rec_off;   /* nslots response records */
    uint64_t payload_off;    /* nslots payload areas */
    uint32_t server_pid;     /* pid of the server process */
    uint32_t client_pid;     /* pid the client announced in its hello */
    /* Trace lanes (MCDSHM_FEAT_TRACE; all zero without it). */
    uint64_t trace_off;      /* first struct mcdshm_trace_lane */
    uint64_t trace_stride;   /* bytes from one lane to the next */
    uint32_t trace_lanes;    /* 1..MCDSHM_TRACE_LANES_MAX */
    uint32_t trace_frames;   /* frames per lane, power of two */
    uint64_t reserved[17];   /* zero */
};

/*
 * Control block of one SPSC ring.  The producer-written line and the
 * consumer-written line are separated by a guard line so that adjacent-line
 * prefetch does not bounce the two between cores.  need_wakeup has a line
 * of its own: the consumer writes it only when it goes to sleep, so the
 * producer's check after every publish (D2) hits its cache while the
 * consumer is awake instead of missing on the line that head moves.
 */
struct mcdshm_ring {
    uint32_t tail;        /* producer: next index to publish (P1) */
    uint32_t prod_resv[15];
    uint8_t guard[MCDSHM_CACHELINE];
    uint32_t head;        /* consumer: next index to consume (C2) */
    uint32_t cons_resv[15];
    uint32_t need_wakeup; /* consumer: 1 while it sleeps or is about to (D1) */
    uint32_t wake_resv[15];
};

/*
 * A trace lane: one trace of one core streamed from the simulator to the
 * debugger, frames written by the simulator's thread that produces them and
 * read by mcd_read_trace_f() in the debugger, with no request.  The frames
 * follow the control block: trace_frames records of frame_size bytes,
 * packed; a binding uses the first `capacity` of them (a power of two, at
 * most trace_frames: the trace size the debugger asked for), and frame i
 * (a free-running uint64_t index) lives in record (i & (capacity - 1)).
 *
 * Binding.  The server writes the binding line while it answers a request
 * of this connection (mcd_set_trace_state_f, mcd_close_core_f), before the
 * response is published (P1 of the response ring), and never otherwise:
 * the client reads it after that response, with the connection's calls
 * serialised.  core_uid 0 means the lane is free.  The client checks every
 * field of it before use.
 *
 * PIPE (streamed): producer and consumer as in a record ring, with 64-bit
 * indexes and the same pairs: the producer writes frames, then
 * store_release(tail) (P1); the consumer load_acquire(tail) (C1), copies,
 * then store_release(head) (C2); the producer load_acquire(head) (P2)
 * before it reuses a record.  A frame that finds no room is lost: `lost`
 * counts it, and the next frame stored carries MCD_TRACE_MARKER_GAP.
 *
 * FIFO (newest kept): the producer overwrites without looking at head; the
 * newest capacity frames below tail are valid.  The consumer never
 * writes; it copies, then re-reads tail and discards what the producer
 * overwrote meanwhile (a sequence-lock read).  The server sets head to tail
 * when the trace is cleared (MCD_TRACE_STATE_INIT): frames below head are
 * gone in both modes.
 *
 * lost and count are written by the producer only (and reset by the server
 * with the producer excluded); readers treat them as statistics.
 */
struct mcdshm_trace_lane {
    /* Binding: server, between requests of this connection. */
    uint32_t core_uid;     /* the core's uid on this connection; 0: free */
    uint32_t trace_id;
    uint32_t mode;         /* MCD_TRACE_MODE_PIPE or MCD_TRACE_MODE_FIFO */
    uint32_t frame_size;   /* bytes per frame, <= MCDSHM_TRACE_FRAME_MAX */
    uint32_t capacity;     /* frames, power of two, <= trace_frames */
    uint32_t bind_resv[11];
    /* Producer. */
    uint64_t tail;         /* frames ever stored (P1) */
    uint64_t lost;         /* frames dropped for want of room (PIPE) */
    uint64_t count;        /* frames produced since the last INIT */
    uint64_t prod_resv[5];
    uint8_t guard[MCDSHM_CACHELINE];
    /* Consumer (PIPE); the server at INIT. */
    uint64_t head;         /* frames consumed or discarded (C2) */
    uint64_t cons_resv[7];
};

/* Offset and length of variable data inside one slot's payload area. */
struct mcdshm_span {
    uint32_t off;
    uint32_t len;
};

/* ------------------------------------------------------------------------
 * Connection messages (on the Unix socket)
 */

/* Client -> server, the first message on a new connection. */
struct mcdshm_hello {
    uint64_t magic;          /* MCDSHM_MAGIC */
    uint16_t version;        /* client's MCDSHM_VERSION */
    uint16_t compat_version; /* client's MCDSHM_COMPAT_VERSION */
    uint32_t client_pid;
    uint32_t nslots;         /* wished slot count, 0 = server default */
    uint32_t payload_size;   /* wished payload per slot, 0 = default */
    uint32_t want;           /* MCDSHM_WANT_* the client can use */
    uint32_t pad;            /* zero */
    uint32_t trace_lanes;    /* MCDSHM_WANT_TRACE: lanes, 0 = default */
    uint32_t trace_frames;   /* MCDSHM_WANT_TRACE: frames, 0 = default */
    uint64_t reserved[3];    /* zero */
};

/* hello.want: the client maps a direct memory window if one is offered. */
#define MCDSHM_WANT_WINDOW 1u
/* hello.want: the client reads trace lanes (MCDSHM_FEAT_TRACE). */
#define MCDSHM_WANT_TRACE 2u
#define MCDSHM_WANT_MASK 3u

/* Server -> client.  status 0: three descriptors come with it. */
struct mcdshm_welcome {
    uint64_t magic;          /* MCDSHM_MAGIC */
    uint16_t version;        /* server's MCDSHM_VERSION */
    uint16_t compat_version; /* server's MCDSHM_COMPAT_VERSION */
    uint32_t status;         /* 0, or a positive errno: refused */
    uint64_t region_size;    /* bytes to map (status 0) */
    uint32_t server_pid;
    uint32_t nfds;           /* 3 on success (4 with a window), else 0 */
    /* The direct memory window (nfds 4: the fourth descriptor): bytes
     * [window_offset, + window_size) of that file are the target's memory
     * at addresses [window_base, + window_size) of memory space
     * window_space, for every core.  The client maps it read-only and
     * answers reads from it; the file must be sealed against shrinking. */
    uint64_t window_base;
    uint64_t window_size;    /* 0: no window */
    uint64_t window_offset;
    uint32_t window_space;   /* mem_space_id */
    uint32_t window_flags;   /* zero */
    uint8_t server[MCDSHM_NAME_LEN];    /* server name, NUL-terminated */
    uint8_t reason[MCDSHM_REASON_LEN];  /* why refused, NUL-terminated */
};

/* ------------------------------------------------------------------------
 * Mirrors of the MCD API structures.
 *
 * Byte for byte the layout of the mcd_api.h structure of the same name on
 * the Linux ABI (1-byte mcd_bool_t), with its implicit padding made
 * explicit, so that each side converts with one memcpy.  Strings are
 * NUL-terminated byte arrays of the API's length.
 */

struct mcdshm_api_version {
    uint16_t v_api_major;
    uint16_t v_api_minor;
    uint8_t author[32];
};

struct mcdshm_impl_version_info {
    struct mcdshm_api_version v_api;
    uint16_t v_imp_major;
    uint16_t v_imp_minor;
    uint16_t v_imp_build;
    uint8_t vendor[32];
    uint8_t date[16];
};

struct mcdshm_error_info {
    uint32_t return_status;
    uint32_t error_code;
    uint32_t error_events;
    uint8_t error_str[MCDSHM_INFO_STR_LEN];
};

struct mcdshm_server_info {
    uint8_t server[64];
    uint8_t system_instance[64];
    uint8_t acc_hw[64];
};

struct mcdshm_core_con_info {
    uint8_t host[64];
    uint32_t server_port;
    uint8_t server_key[64];
    uint8_t system_key[64];
    uint8_t device_key[64];
    uint8_t system[64];
    uint8_t system_instance[64];
    uint8_t acc_hw[64];
    uint32_t device_type;
    uint8_t device[64];
    uint32_t device_id;
    uint8_t core[64];
    uint32_t core_type;
    uint32_t core_id;
};

struct mcdshm_core_mode_info {
    uint8_t core_mode;
    uint8_t name[32];
};

struct mcdshm_addr {
    uint64_t address;
    uint32_t mem_space_id;
    uint32_t addr_space_id;
    uint32_t addr_space_type;
    uint32_t pad;
};

struct mcdshm_memspace {
    uint32_t mem_space_id;
    uint8_t mem_space_name[32];
    uint32_t mem_type;
    uint32_t bits_per_mau;
    uint8_t invariance;
    uint8_t pad0[3];
    uint32_t endian;
    uint32_t pad1;
    uint64_t min_addr;
    uint64_t max_addr;
    uint32_t num_mem_blocks;
    uint32_t supported_access_options;
    uint32_t core_mode_mask_read;
    uint32_t core_mode_mask_write;
};

struct mcdshm_memblock {
    uint32_t mem_block_id;
    uint8_t mem_block_name[32];
    uint8_t has_children;
    uint8_t pad0[3];
    uint32_t parent_id;
    uint32_t pad1;
    uint64_t start_addr;
    uint64_t end_addr;
    uint32_t endian;
    uint32_t supported_au_sizes[8];
    uint32_t supported_access_options;
    uint32_t core_mode_mask_read;
    uint32_t core_mode_mask_write;
};

struct mcdshm_register_group {
    uint32_t reg_group_id;
    uint8_t reg_group_name[32];
    uint32_t n_registers;
};

struct mcdshm_register_info {
    struct mcdshm_addr addr;
    uint32_t reg_group_id;
    uint8_t regname[32];
    uint32_t regsize;
    uint32_t core_mode_mask_read;
    uint32_t core_mode_mask_write;
    uint8_t has_side_effects_read;
    uint8_t has_side_effects_write;
    uint8_t pad0[2];
    uint32_t reg_type;
    uint32_t hw_thread_id;
    uint32_t pad1;
};

struct mcdshm_trig_info {
    uint32_t type;
    uint32_t option;
    uint32_t action;
    uint32_t trig_number;
    uint32_t state_number;
    uint32_t counter_number;
    uint8_t sw_breakpoints;
    uint8_t pad[3];
};

struct mcdshm_ctrig_info {
    uint32_t ctrig_id;
    uint8_t info_str[MCDSHM_INFO_STR_LEN];
};

struct mcdshm_trig_complex_core {
    uint32_t struct_size;
    uint32_t type;
    uint32_t option;
    uint32_t action;
    uint32_t action_param;
    uint8_t modified;
    uint8_t pad0[3];
    uint32_t state_mask;
    uint32_t pad1;
    struct mcdshm_addr addr_start;
    uint64_t addr_range;
    uint64_t data_start;
    uint64_t data_range;
    uint64_t data_mask;
    uint32_t data_size;
    uint32_t hw_thread_id;
    uint64_t sw_thread_id;
    uint32_t core_mode_mask;
    uint32_t pad2;
};

struct mcdshm_trig_simple_core {
    uint32_t struct_size;
    uint32_t type;
    uint32_t option;
    uint32_t action;
    uint32_t action_param;
    uint8_t modified;
    uint8_t pad0[3];
    uint32_t state_mask;
    uint32_t pad1;
    struct mcdshm_addr addr_start;
    uint64_t addr_range;
};

struct mcdshm_trig_trig_bus {
    uint32_t struct_size;
    uint32_t type;
    uint32_t option;
    uint32_t action;
    uint32_t action_param;
    uint8_t modified;
    uint8_t pad0[3];
    uint32_t state_mask;
    uint32_t trig_bus_value;
    uint32_t trig_bus_mask;
};

struct mcdshm_trig_counter {
    uint32_t struct_size;
    uint32_t type;
    uint32_t option;
    uint32_t action;
    uint32_t action_param;
    uint8_t modified;
    uint8_t pad0[3];
    uint32_t state_mask;
    uint32_t pad1;
    uint64_t count_value;
    uint64_t reload_value;
};

struct mcdshm_trig_custom {
    uint32_t struct_size;
    uint32_t type;
    uint32_t option;
    uint32_t action;
    uint32_t action_param;
    uint8_t modified;
    uint8_t pad0[3];
    uint32_t state_mask;
    uint32_t ctrig_id;
    uint32_t ctrig_args[4];
};

struct mcdshm_trig_state {
    uint8_t active;
    uint8_t captured;
    uint8_t captured_valid;
    uint8_t pad0[5];
    uint64_t count_value;
    uint8_t count_valid;
    uint8_t pad1[7];
};

struct mcdshm_trig_set_state {
    uint8_t active;
    uint8_t pad0[3];
    uint32_t state;
    uint8_t state_valid;
    uint8_t pad1[3];
    uint32_t trig_bus;
    uint8_t trig_bus_valid;
    uint8_t trace;
    uint8_t trace_valid;
    uint8_t analysis;
    uint8_t analysis_valid;
    uint8_t pad2[3];
};

struct mcdshm_core_state {
    uint32_t state;
    uint32_t event;
    uint32_t hw_thread_id;
    uint32_t trig_id;
    uint8_t stop_str[MCDSHM_INFO_STR_LEN];
    uint8_t info_str[MCDSHM_INFO_STR_LEN];
};

struct mcdshm_rst_info {
    uint32_t class_vector;
    uint8_t info_str[MCDSHM_INFO_STR_LEN];
};

struct mcdshm_chl {
    uint32_t chl_id;
    uint32_t type;
    uint32_t attributes;
    uint32_t max_msg_len;
    struct mcdshm_addr msg_buffer_addr;
    uint8_t prio;
    uint8_t pad[7];
};

struct mcdshm_trace_info {
    uint32_t trace_id;
    uint8_t trace_name[MCDSHM_INFO_STR_LEN];
    uint32_t trace_type;
    uint32_t trace_format;
    uint32_t trace_modes;
    uint8_t trace_no_timestamps;
    uint8_t trace_shared;
    uint8_t trace_size_is_bytes;
    uint8_t pad;
};

struct mcdshm_trace_state {
    uint32_t state;
    uint32_t mode;
    uint8_t autoarm;
    uint8_t wraparound;
    uint8_t pad0[6];
    uint64_t frames;
    uint64_t count;
    uint64_t size;
    uint64_t trigger_delay;
    uint8_t timestamp_accuracy;
    uint8_t timestamp_is_time;
    uint8_t pad1[2];
    uint32_t options;
    uint8_t modified;
    uint8_t info_str[MCDSHM_INFO_STR_LEN];
    uint8_t pad2[7];
};

struct mcdshm_trace_data_core {
    uint64_t timestamp;
    uint32_t marker;
    uint32_t cycle;
    struct mcdshm_addr addr;
    uint64_t data;
    uint8_t data_width;
    uint8_t data_mask;
    uint16_t source;
    uint32_t aux_info;
};

struct mcdshm_trace_data_event {
    uint64_t timestamp;
    uint32_t marker;
    uint32_t data[8];
    uint32_t pad;
};

struct mcdshm_trace_data_stat {
    uint64_t timestamp;
    uint32_t marker;
    uint32_t pad;
    uint64_t count[8];
};

/* ------------------------------------------------------------------------
 * Pieces shared by several records
 */

/* The tagged union that replaces mcd_create_trig_f's void *trig. */
#define MCDSHM_TRIG_SIMPLE_CORE 1  /* struct_size 64 */
#define MCDSHM_TRIG_COMPLEX_CORE 2 /* struct_size 112 */
#define MCDSHM_TRIG_TRIG_BUS 3     /* struct_size 36 */
#define MCDSHM_TRIG_COUNTER 4      /* struct_size 48 */
#define MCDSHM_TRIG_CUSTOM 5       /* struct_size 48 */

struct mcdshm_trig {
    uint32_t kind; /* MCDSHM_TRIG_*; the body's struct_size must match */
    uint32_t pad;
    union {
        struct mcdshm_trig_simple_core simple;
        struct mcdshm_trig_complex_core complex;
        struct mcdshm_trig_trig_bus trig_bus;
        struct mcdshm_trig_counter counter;
        struct mcdshm_trig_custom custom;
        uint8_t raw[112];
    } u;
};

/* Request half of a count-then-fetch query. */
struct mcdshm_page_req {
    uint32_t start_index;
    uint32_t num;         /* capacity wanted; 0 = return the count only */
};

/*
 * Response half of a count-then-fetch query: num entries of elem_size bytes
 * in the payload at items (items.len == num * elem_size), or the total count
 * when the request asked for 0.
 */
struct mcdshm_page_resp {
    uint32_t num;
    uint32_t elem_size;
    struct mcdshm_span items;
};

/*
 * One transaction of an execute_txlist request: an mcd_tx_st whose data
 * pointer became an offset in the payload area.  The server reads write
 * data from, and stores read data to, [data_off, data_off + num_bytes).
 */
struct mcdshm_tx {
    struct mcdshm_addr addr;
    uint32_t access_type;
    uint32_t options;
    uint8_t access_width;
    uint8_t core_mode;
    uint8_t pad0[2];
    uint32_t num_bytes;
    uint32_t data_off;
    uint32_t pad1;
};

/* ------------------------------------------------------------------------
 * Request records
 */

/* Common start of every request record; written by the client. */
struct mcdshm_req_hdr {
    uint32_t seq;         /* the record's ring index; must equal the head */
    uint16_t fn;          /* MCDSHM_FN_* */
    uint16_t flags;       /* MCDSHM_REQ_F_*, else zero */
    uint32_t server_uid;  /* from open_server; 0 before */
    uint32_t core_uid;    /* from open_core; 0 = no core */
    uint32_t payload_len; /* bytes of the payload area the request uses */
    uint32_t reserved[3]; /* zero */
};

#define MCDSHM_REQ_BODY_SIZE (MCDSHM_REQ_STRIDE - sizeof(struct mcdshm_req_hdr))

/*
 * Request flags.  AFTER_PREV, on an execute_txlist request only: execute
 * it only if the previous execute_txlist request of this connection
 * succeeded, else answer MCD_ERR_TXLIST_TX without touching the target.
 * A client marks every request after the first of one tool's list, so a
 * list split into pipelined requests still stops at its first error.
 */
#define MCDSHM_REQ_F_AFTER_PREV 0x0001u

/* 1 mcd_initialize_f */
struct mcdshm_req_initialize {
    struct mcdshm_api_version version_req;
    uint8_t pad[4];
};

/* 3 mcd_qry_servers_f */
struct mcdshm_req_qry_servers {
    struct mcdshm_span host; /* NUL-terminated */
    uint8_t running;
    uint8_t pad[7];
    struct mcdshm_page_req page;
};

/* 4 mcd_open_server_f */
struct mcdshm_req_open_server {
    struct mcdshm_span system_key;    /* NUL-terminated */
    struct mcdshm_span config_string; /* NUL-terminated */
};

/* 6 mcd_set_server_config_f */
struct mcdshm_req_set_server_config {
    struct mcdshm_span config_string; /* NUL-terminated */
};

/* 7 mcd_qry_server_config_f */
struct mcdshm_req_qry_server_config {
    uint32_t max_len;   /* caller's buffer size incl. NUL; 0 = size only */
    uint32_t pad;
};

/* 8 mcd_qry_systems_f, 11 qry_core_modes, 18 qry_mem_spaces,
 * 20 qry_active_overlays, 21 qry_reg_groups, 25 qry_ctrigs,
 * 32 qry_trig_set, 51 qry_traces */
struct mcdshm_req_page_only {
    struct mcdshm_page_req page;
};

/* 9 mcd_qry_devices_f, 10 mcd_qry_cores_f */
struct mcdshm_req_qry_con {
    struct mcdshm_core_con_info con_info;
    struct mcdshm_page_req page;
};

/* 12 mcd_open_core_f */
struct mcdshm_req_open_core {
    struct mcdshm_core_con_info core_con_info;
};

/* 15 mcd_qry_device_description_f */
struct mcdshm_req_qry_device_description {
    uint32_t url_length; /* caller's buffer size */
    uint8_t want_url;    /* 0: the caller passed url == NULL */
    uint8_t pad[3];
};

/* 19 mcd_qry_mem_blocks_f, 22 qry_reg_map, 23 qry_reg_compound */
struct mcdshm_req_page_id {
    uint32_t id; /* mem_space_id, reg_group_id or compound_reg_id */
    uint32_t pad;
    struct mcdshm_page_req page;
};

/* 26 mcd_create_trig_f */
struct mcdshm_req_create_trig {
    struct mcdshm_trig trig;
};

/* 27 mcd_qry_trig_f */
struct mcdshm_req_qry_trig {
    uint32_t trig_id;
    uint32_t max_trig_size;
};

/* 28 mcd_remove_trig_f, 29 mcd_qry_trig_state_f */
struct mcdshm_req_trig_id {
    uint32_t trig_id;
    uint32_t pad;
};

/* 34 mcd_execute_txlist_f: num_tx struct mcdshm_tx at tx in the payload */
struct mcdshm_req_execute_txlist {
    uint32_t num_tx; /* 1..MCDSHM_TX_MAX */
    uint32_t pad;
    struct mcdshm_span tx;
};

/* 35 mcd_run_f, 36 mcd_stop_f, 40 mcd_set_global_f (flag = enable) */
struct mcdshm_req_flag {
    uint8_t flag;
    uint8_t pad[7];
};

/* 37 mcd_run_until_f */
struct mcdshm_req_run_until {
    uint8_t global;
    uint8_t absolute_time;
    uint8_t pad[6];
    uint64_t run_until_time;
};

/* 39 mcd_step_f */
struct mcdshm_req_step {
    uint8_t global;
    uint8_t pad[3];
    uint32_t step_type;
    uint32_t n_steps;
    uint32_t pad1;
};

/* 42 mcd_execute_command_f */
struct mcdshm_req_execute_command {
    struct mcdshm_span command;  /* NUL-terminated */
    uint32_t result_string_size; /* caller's buffer incl. NUL */
    uint32_t pad;
};

/* 44 mcd_qry_rst_class_info_f */
struct mcdshm_req_qry_rst_class_info {
    uint8_t rst_class;
    uint8_t pad[7];
};

/* 45 mcd_rst_f */
struct mcdshm_req_rst {
    uint32_t rst_class_vector;
    uint8_t rst_and_halt;
    uint8_t pad[3];
};

/*
 * 46 mcd_chl_open_f.  With core_uid 0 the channel addresses the system or
 * device level named by con_info.
 */
struct mcdshm_req_chl_open {
    struct mcdshm_chl channel;
    struct mcdshm_core_con_info con_info;
    uint8_t pad[4];
};

/* 47 mcd_send_msg_f */
struct mcdshm_req_send_msg {
    uint32_t chl_id;
    uint32_t pad;
    struct mcdshm_span msg;
};

/* 48 mcd_receive_msg_f */
struct mcdshm_req_receive_msg {
    uint32_t chl_id;
    uint32_t timeout_ms;
    uint32_t msg_len; /* most bytes the caller takes */
    uint32_t pad;
};

/* 49 mcd_chl_reset_f, 50 mcd_chl_close_f */
struct mcdshm_req_chl_id {
    uint32_t chl_id;
    uint32_t pad;
};

/* 52 mcd_qry_trace_state_f */
struct mcdshm_req_trace_id {
    uint32_t trace_id;
    uint32_t pad;
};

/* 53 mcd_set_trace_state_f */
struct mcdshm_req_set_trace_state {
    uint32_t trace_id;
    uint32_t pad;
    struct mcdshm_trace_state state;
};

/* 54 mcd_read_trace_f */
struct mcdshm_req_read_trace {
    uint32_t trace_id;
    uint32_t num_frames;      /* 0 = return the number available */
    uint64_t start_index;     /* 0 = oldest frame */
    uint32_t trace_data_size; /* size of one frame structure */
    uint32_t pad;
};

/*
 * A request record.  Functions without inputs beyond the handles in the
 * header (2 exit, 5 close_server, 13 close_core, 14 qry_error_info,
 * 16 qry_max_payload_size, 17 qry_input_handle, 24 qry_trig_info,
 * 30 activate_trig_set, 31 remove_trig_set, 33 qry_trig_set_state,
 * 38 qry_current_time, 41 qry_state, 43 qry_rst_classes) have an empty
 * body, which must be zero.
 */
struct mcdshm_req {
    struct mcdshm_req_hdr hdr;
    union {
        struct mcdshm_req_initialize initialize;
        struct mcdshm_req_qry_servers qry_servers;
        struct mcdshm_req_open_server open_server;
        struct mcdshm_req_set_server_config set_server_config;
        struct mcdshm_req_qry_server_config qry_server_config;
        struct mcdshm_req_page_only page_only;
        struct mcdshm_req_qry_con qry_con;
        struct mcdshm_req_open_core open_core;
        struct mcdshm_req_qry_device_description qry_device_description;
        struct mcdshm_req_page_id page_id;
        struct mcdshm_req_create_trig create_trig;
        struct mcdshm_req_qry_trig qry_trig;
        struct mcdshm_req_trig_id trig_id;
        struct mcdshm_req_execute_txlist execute_txlist;
        struct mcdshm_req_flag flag;
        struct mcdshm_req_run_until run_until;
        struct mcdshm_req_step step;
        struct mcdshm_req_execute_command execute_command;
        struct mcdshm_req_qry_rst_class_info qry_rst_class_info;
        struct mcdshm_req_rst rst;
        struct mcdshm_req_chl_open chl_open;
        struct mcdshm_req_send_msg send_msg;
        struct mcdshm_req_receive_msg receive_msg;
        struct mcdshm_req_chl_id chl_id;
        struct mcdshm_req_trace_id trace_id;
        struct mcdshm_req_set_trace_state set_trace_state;
        struct mcdshm_req_read_trace read_trace;
        uint8_t raw[MCDSHM_REQ_BODY_SIZE];
    } u;
};

/* ------------------------------------------------------------------------
 * Response records
 */

/* Common start of every response record; written by the server. */
struct mcdshm_resp_hdr {
    uint32_t seq;         /* equals the request's seq */
    uint16_t fn;          /* equals the request's fn */
    uint16_t flags;       /* zero */
    uint32_t ret;         /* mcd_return_et */
    uint32_t payload_len; /* bytes of the payload area the response uses */
    uint32_t reserved[4]; /* zero */
};

#define MCDSHM_RESP_BODY_SIZE 720

/* 1 mcd_initialize_f */
struct mcdshm_resp_initialize {
    struct mcdshm_impl_version_info impl_info;
    uint8_t pad[6];
};

/* 4 mcd_open_server_f */
struct mcdshm_resp_open_server {
    uint32_t server_uid;
    uint32_t pad;
    struct mcdshm_span host;          /* NUL-terminated */
    struct mcdshm_span config_string; /* NUL-terminated */
};

/* 7 mcd_qry_server_config_f, 15 qry_device_description,
 * 42 execute_command */
struct mcdshm_resp_string {
    uint32_t length; /* as the function's size in/out parameter returns */
    uint32_t pad;
    struct mcdshm_span str; /* NUL-terminated, or empty if none copied */
};

/* 12 mcd_open_core_f */
struct mcdshm_resp_open_core {
    uint32_t core_uid;
    struct mcdshm_core_con_info core_con_info;
};

/* 14 mcd_qry_error_info_f */
struct mcdshm_resp_qry_error_info {
    struct mcdshm_error_info error_info;
    uint8_t pad[4];
};

/* 16 qry_max_payload_size, 17 qry_input_handle, 26 create_trig (trig_id;
 * the written-back trigger is in resp_trig), 43 qry_rst_classes */
struct mcdshm_resp_u32 {
    uint32_t value;
    uint32_t pad;
};

/* 26 mcd_create_trig_f, 27 mcd_qry_trig_f */
struct mcdshm_resp_trig {
    uint32_t trig_id;
    uint8_t modified; /* the trigger was approximated */
    uint8_t pad[3];
    struct mcdshm_trig trig;
};

/* 24 mcd_qry_trig_info_f */
struct mcdshm_resp_qry_trig_info {
    struct mcdshm_trig_info trig_info;
    uint8_t pad[4];
};

/* 29 mcd_qry_trig_state_f */
struct mcdshm_resp_qry_trig_state {
    struct mcdshm_trig_state trig_state;
};

/* 33 mcd_qry_trig_set_state_f */
struct mcdshm_resp_qry_trig_set_state {
    struct mcdshm_trig_set_state trig_state;
};

/* 34 mcd_execute_txlist_f: progress is exact also on failure */
struct mcdshm_resp_execute_txlist {
    uint32_t num_tx_ok;
    uint32_t pad;
    uint32_t num_bytes_ok[MCDSHM_TX_MAX];
};

/* 38 mcd_qry_current_time_f */
struct mcdshm_resp_u64 {
    uint64_t value;
};

/* 41 mcd_qry_state_f */
struct mcdshm_resp_qry_state {
    struct mcdshm_core_state state;
};

/* 44 mcd_qry_rst_class_info_f */
struct mcdshm_resp_qry_rst_class_info {
    struct mcdshm_rst_info rst_info;
    uint8_t pad[4];
};

/* 46 mcd_chl_open_f */
struct mcdshm_resp_chl_open {
    struct mcdshm_chl channel;
};

/* 48 mcd_receive_msg_f */
struct mcdshm_resp_receive_msg {
    uint32_t msg_len;
    uint32_t pad;
    struct mcdshm_span msg;
};

/* 52 mcd_qry_trace_state_f, 53 mcd_set_trace_state_f */
struct mcdshm_resp_trace_state {
    struct mcdshm_trace_state state;
};

/* 54 mcd_read_trace_f: frames of trace_data_size bytes at frames */
struct mcdshm_resp_read_trace {
    uint32_t num_frames;
    uint32_t pad;
    struct mcdshm_span frames;
};

/*
 * A response record.  The count-then-fetch queries (3, 8, 9, 10, 11, 18,
 * 19, 20, 21, 22, 23, 25, 32, 51) answer with page; functions with no output
 * beyond the return code have an empty body.  error is valid when hdr.ret is
 * not MCD_RET_ACT_NONE.
 */
struct mcdshm_resp {
    struct mcdshm_resp_hdr hdr;
    union {
        struct mcdshm_resp_initialize initialize;
        struct mcdshm_resp_open_server open_server;
        struct mcdshm_resp_string string;
        struct mcdshm_page_resp page;
        struct mcdshm_resp_open_core open_core;
        struct mcdshm_resp_qry_error_info qry_error_info;
        struct mcdshm_resp_u32 u32;
        struct mcdshm_resp_trig trig;
        struct mcdshm_resp_qry_trig_info qry_trig_info;
        struct mcdshm_resp_qry_trig_state qry_trig_state;
        struct mcdshm_resp_qry_trig_set_state qry_trig_set_state;
        struct mcdshm_resp_execute_txlist execute_txlist;
        struct mcdshm_resp_u64 u64;
        struct mcdshm_resp_qry_state qry_state;
        struct mcdshm_resp_qry_rst_class_info qry_rst_class_info;
        struct mcdshm_resp_chl_open chl_open;
        struct mcdshm_resp_receive_msg receive_msg;
        struct mcdshm_resp_trace_state trace_state;
        struct mcdshm_resp_read_trace read_trace;
        uint8_t raw[MCDSHM_RESP_BODY_SIZE];
    } u;
    struct mcdshm_error_info error;
    uint8_t pad[4];
};

/*
 * The extent of each function's records: the size of its request body and
 * of its response body (0 = empty).  A record is its header and these
 * bytes; in a response whose ret is not MCD_RET_ACT_NONE the error block
 * too.  The rest of the stride belongs to no one: neither side writes or
 * reads it, so a call moves only the cache lines it uses.
 */
#define MCDSHM_RQ(t) sizeof(struct mcdshm_req_##t)
#define MCDSHM_RS(t) sizeof(struct mcdshm_resp_##t)
#define MCDSHM_RECORDS(X)                                                  \
    X(INITIALIZE, MCDSHM_RQ(initialize), MCDSHM_RS(initialize))            \
    X(EXIT, 0, 0)                                                          \
    X(QRY_SERVERS, MCDSHM_RQ(qry_servers), sizeof(struct mcdshm_page_resp)) \
    X(OPEN_SERVER, MCDSHM_RQ(open_server), MCDSHM_RS(open_server))         \
    X(CLOSE_SERVER, 0, 0)                                                  \
    X(SET_SERVER_CONFIG, MCDSHM_RQ(set_server_config), 0)                  \
    X(QRY_SERVER_CONFIG, MCDSHM_RQ(qry_server_config), MCDSHM_RS(string))  \
    X(QRY_SYSTEMS, MCDSHM_RQ(page_only), sizeof(struct mcdshm_page_resp))  \
    X(QRY_DEVICES, MCDSHM_RQ(qry_con), sizeof(struct mcdshm_page_resp))    \
    X(QRY_CORES, MCDSHM_RQ(qry_con), sizeof(struct mcdshm_page_resp))      \
    X(QRY_CORE_MODES, MCDSHM_RQ(page_only), sizeof(struct mcdshm_page_resp)) \
    X(OPEN_CORE, MCDSHM_RQ(open_core), MCDSHM_RS(open_core))               \
    X(CLOSE_CORE, 0, 0)                                                    \
    X(QRY_ERROR_INFO, 0, MCDSHM_RS(qry_error_info))                        \
    X(QRY_DEVICE_DESCRIPTION, MCDSHM_RQ(qry_device_description),           \
      MCDSHM_RS(string))                                                   \
    X(QRY_MAX_PAYLOAD_SIZE, 0, MCDSHM_RS(u32))                             \
    X(QRY_INPUT_HANDLE, 0, MCDSHM_RS(u32))                                 \
    X(QRY_MEM_SPACES, MCDSHM_RQ(page_only), sizeof(struct mcdshm_page_resp)) \
    X(QRY_MEM_BLOCKS, MCDSHM_RQ(page_id), sizeof(struct mcdshm_page_resp)) \
    X(QRY_ACTIVE_OVERLAYS, MCDSHM_RQ(page_only),                           \
      sizeof(struct mcdshm_page_resp))                                     \
    X(QRY_REG_GROUPS, MCDSHM_RQ(page_only), sizeof(struct mcdshm_page_resp)) \
    X(QRY_REG_MAP, MCDSHM_RQ(page_id), sizeof(struct mcdshm_page_resp))    \
    X(QRY_REG_COMPOUND, MCDSHM_RQ(page_id), sizeof(struct mcdshm_page_resp)) \
    X(QRY_TRIG_INFO, 0, MCDSHM_RS(qry_trig_info))                          \
    X(QRY_CTRIGS, MCDSHM_RQ(page_only), sizeof(struct mcdshm_page_resp))   \
    X(CREATE_TRIG, MCDSHM_RQ(create_trig), MCDSHM_RS(trig))                \
    X(QRY_TRIG, MCDSHM_RQ(qry_trig), MCDSHM_RS(trig))                      \
    X(REMOVE_TRIG, MCDSHM_RQ(trig_id), 0)                                  \
    X(QRY_TRIG_STATE, MCDSHM_RQ(trig_id), MCDSHM_RS(qry_trig_state))       \
    X(ACTIVATE_TRIG_SET, 0, 0)                                             \
    X(REMOVE_TRIG_SET, 0, 0)                                               \
    X(QRY_TRIG_SET, MCDSHM_RQ(page_only), sizeof(struct mcdshm_page_resp)) \
    X(QRY_TRIG_SET_STATE, 0, MCDSHM_RS(qry_trig_set_state))                \
    X(EXECUTE_TXLIST, MCDSHM_RQ(execute_txlist), MCDSHM_RS(execute_txlist)) \
    X(RUN, MCDSHM_RQ(flag), 0)                                             \
    X(STOP, MCDSHM_RQ(flag), 0)                                            \
    X(RUN_UNTIL, MCDSHM_RQ(run_until), 0)                                  \
    X(QRY_CURRENT_TIME, 0, MCDSHM_RS(u64))                                 \
    X(STEP, MCDSHM_RQ(step), 0)                                            \
    X(SET_GLOBAL, MCDSHM_RQ(flag), 0)                                      \
    X(QRY_STATE, 0, MCDSHM_RS(qry_state))                                  \
    X(EXECUTE_COMMAND, MCDSHM_RQ(execute_command), MCDSHM_RS(string))      \
    X(QRY_RST_CLASSES, 0, MCDSHM_RS(u32))                                  \
    X(QRY_RST_CLASS_INFO, MCDSHM_RQ(qry_rst_class_info),                   \
      MCDSHM_RS(qry_rst_class_info))                                       \
    X(RST, MCDSHM_RQ(rst), 0)                                              \
    X(CHL_OPEN, MCDSHM_RQ(chl_open), MCDSHM_RS(chl_open))                  \
    X(SEND_MSG, MCDSHM_RQ(send_msg), 0)                                    \
    X(RECEIVE_MSG, MCDSHM_RQ(receive_msg), MCDSHM_RS(receive_msg))         \
    X(CHL_RESET, MCDSHM_RQ(chl_id), 0)                                     \
    X(CHL_CLOSE, MCDSHM_RQ(chl_id), 0)                                     \
    X(QRY_TRACES, MCDSHM_RQ(page_only), sizeof(struct mcdshm_page_resp))   \
    X(QRY_TRACE_STATE, MCDSHM_RQ(trace_id), MCDSHM_RS(trace_state))        \
    X(SET_TRACE_STATE, MCDSHM_RQ(set_trace_state), MCDSHM_RS(trace_state)) \
    X(READ_TRACE, MCDSHM_RQ(read_trace), MCDSHM_RS(read_trace))

/* ------------------------------------------------------------------------
 * Compile-time pins.  A size claim in a comment is not a check.
 */

#ifndef __cplusplus
#define MCDSHM_STATIC_ASSERT _Static_assert
#else
#define MCDSHM_STATIC_ASSERT static_assert
#endif

#define SHM_CHECK_SIZE(s, n) \
    MCDSHM_STATIC_ASSERT(sizeof(struct s) == (n), #s " size")

/* Field at offset off with the size of type t. */
#define SHM_CHECK_FIELD(s, off, t, f)                                      \
    MCDSHM_STATIC_ASSERT(offsetof(struct s, f) == (off) &&                 \
                         sizeof(((struct s *)0)->f) == sizeof(t),          \
                         #s "." #f)

MCDSHM_STATIC_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                     "mcdshm assumes a little-endian host");

SHM_CHECK_SIZE(mcdshm_region_hdr, 256);
SHM_CHECK_FIELD(mcdshm_region_hdr, 0, uint64_t, magic);
SHM_CHECK_FIELD(mcdshm_region_hdr, 8, uint16_t, version);
SHM_CHECK_FIELD(mcdshm_region_hdr, 10, uint16_t, compat_version);
SHM_CHECK_FIELD(mcdshm_region_hdr, 12, uint32_t, header_size);
SHM_CHECK_FIELD(mcdshm_region_hdr, 16, uint64_t, region_size);
SHM_CHECK_FIELD(mcdshm_region_hdr, 24, uint64_t, features);
SHM_CHECK_FIELD(mcdshm_region_hdr, 32, uint32_t, nslots);
SHM_CHECK_FIELD(mcdshm_region_hdr, 36, uint32_t, req_stride);
SHM_CHECK_FIELD(mcdshm_region_hdr, 40, uint32_t, resp_stride);
SHM_CHECK_FIELD(mcdshm_region_hdr, 44, uint32_t, payload_size);
SHM_CHECK_FIELD(mcdshm_region_hdr, 48, uint64_t, req_ring_off);
SHM_CHECK_FIELD(mcdshm_region_hdr, 56, uint64_t, resp_ring_off);
SHM_CHECK_FIELD(mcdshm_region_hdr, 64, uint64_t, req_rec_off);
SHM_CHECK_FIELD(mcdshm_region_hdr, 72, uint64_t, resp_rec_off);
SHM_CHECK_FIELD(mcdshm_region_hdr, 80, uint64_t, payload_off);
SHM_CHECK_FIELD(mcdshm_region_hdr, 88, uint32_t, server_pid);
SHM_CHECK_FIELD(mcdshm_region_hdr, 92, uint32_t, client_pid);
SHM_CHECK_FIELD(mcdshm_region_hdr, 96, uint64_t, trace_off);
SHM_CHECK_FIELD(mcdshm_region_hdr, 104, uint64_t, trace_stride);
SHM_CHECK_FIELD(mcdshm_region_hdr, 112, uint32_t, trace_lanes);
SHM_CHECK_FIELD(mcdshm_region_hdr, 116, uint32_t, trace_frames);
SHM_CHECK_FIELD(mcdshm_region_hdr, 120, uint64_t[17], reserved);

SHM_CHECK_SIZE(mcdshm_trace_lane, 4 * MCDSHM_CACHELINE);
SHM_CHECK_FIELD(mcdshm_trace_lane, 0, uint32_t, core_uid);
SHM_CHECK_FIELD(mcdshm_trace_lane, 4, uint32_t, trace_id);
SHM_CHECK_FIELD(mcdshm_trace_lane, 8, uint32_t, mode);
SHM_CHECK_FIELD(mcdshm_trace_lane, 12, uint32_t, frame_size);
SHM_CHECK_FIELD(mcdshm_trace_lane, 16, uint32_t, capacity);
SHM_CHECK_FIELD(mcdshm_trace_lane, 64, uint64_t, tail);
SHM_CHECK_FIELD(mcdshm_trace_lane, 72, uint64_t, lost);
SHM_CHECK_FIELD(mcdshm_trace_lane, 80, uint64_t, count);
SHM_CHECK_FIELD(mcdshm_trace_lane, 128, uint8_t[64], guard);
SHM_CHECK_FIELD(mcdshm_trace_lane, 192, uint64_t, head);

SHM_CHECK_SIZE(mcdshm_ring, 4 * MCDSHM_CACHELINE);
SHM_CHECK_FIELD(mcdshm_ring, 0, uint32_t, tail);
SHM_CHECK_FIELD(mcdshm_ring, 4, uint32_t[15], prod_resv);
SHM_CHECK_FIELD(mcdshm_ring, 64, uint8_t[64], guard);
SHM_CHECK_FIELD(mcdshm_ring, 128, uint32_t, head);
SHM_CHECK_FIELD(mcdshm_ring, 132, uint32_t[15], cons_resv);
SHM_CHECK_FIELD(mcdshm_ring, 192, uint32_t, need_wakeup);
SHM_CHECK_FIELD(mcdshm_ring, 196, uint32_t[15], wake_resv);
MCDSHM_STATIC_ASSERT(offsetof(struct mcdshm_ring, tail) % 64 == 0 &&
                     offsetof(struct mcdshm_ring, head) % 64 == 0 &&
                     offsetof(struct mcdshm_ring, need_wakeup) % 64 == 0 &&
                     offsetof(struct mcdshm_ring, head) -
                             offsetof(struct mcdshm_ring, tail) >= 128,
                     "producer and consumer lines apart, guard between");

SHM_CHECK_SIZE(mcdshm_span, 8);
SHM_CHECK_FIELD(mcdshm_span, 0, uint32_t, off);
SHM_CHECK_FIELD(mcdshm_span, 4, uint32_t, len);

SHM_CHECK_SIZE(mcdshm_hello, 64);
SHM_CHECK_FIELD(mcdshm_hello, 0, uint64_t, magic);
SHM_CHECK_FIELD(mcdshm_hello, 8, uint16_t, version);
SHM_CHECK_FIELD(mcdshm_hello, 10, uint16_t, compat_version);
SHM_CHECK_FIELD(mcdshm_hello, 12, uint32_t, client_pid);
SHM_CHECK_FIELD(mcdshm_hello, 16, uint32_t, nslots);
SHM_CHECK_FIELD(mcdshm_hello, 20, uint32_t, payload_size);
SHM_CHECK_FIELD(mcdshm_hello, 24, uint32_t, want);
SHM_CHECK_FIELD(mcdshm_hello, 28, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_hello, 32, uint32_t, trace_lanes);
SHM_CHECK_FIELD(mcdshm_hello, 36, uint32_t, trace_frames);
SHM_CHECK_FIELD(mcdshm_hello, 40, uint64_t[3], reserved);

SHM_CHECK_SIZE(mcdshm_welcome, 384);
SHM_CHECK_FIELD(mcdshm_welcome, 0, uint64_t, magic);
SHM_CHECK_FIELD(mcdshm_welcome, 8, uint16_t, version);
SHM_CHECK_FIELD(mcdshm_welcome, 10, uint16_t, compat_version);
SHM_CHECK_FIELD(mcdshm_welcome, 12, uint32_t, status);
SHM_CHECK_FIELD(mcdshm_welcome, 16, uint64_t, region_size);
SHM_CHECK_FIELD(mcdshm_welcome, 24, uint32_t, server_pid);
SHM_CHECK_FIELD(mcdshm_welcome, 28, uint32_t, nfds);
SHM_CHECK_FIELD(mcdshm_welcome, 32, uint64_t, window_base);
SHM_CHECK_FIELD(mcdshm_welcome, 40, uint64_t, window_size);
SHM_CHECK_FIELD(mcdshm_welcome, 48, uint64_t, window_offset);
SHM_CHECK_FIELD(mcdshm_welcome, 56, uint32_t, window_space);
SHM_CHECK_FIELD(mcdshm_welcome, 60, uint32_t, window_flags);
SHM_CHECK_FIELD(mcdshm_welcome, 64, uint8_t[64], server);
SHM_CHECK_FIELD(mcdshm_welcome, 128, uint8_t[256], reason);

/* The API mirrors: offsets are the "off (bool8)" column of the spec. */
SHM_CHECK_SIZE(mcdshm_api_version, 36);
SHM_CHECK_FIELD(mcdshm_api_version, 0, uint16_t, v_api_major);
SHM_CHECK_FIELD(mcdshm_api_version, 2, uint16_t, v_api_minor);
SHM_CHECK_FIELD(mcdshm_api_version, 4, uint8_t[32], author);

SHM_CHECK_SIZE(mcdshm_impl_version_info, 90);
SHM_CHECK_FIELD(mcdshm_impl_version_info, 0, struct mcdshm_api_version,
                v_api);
SHM_CHECK_FIELD(mcdshm_impl_version_info, 36, uint16_t, v_imp_major);
SHM_CHECK_FIELD(mcdshm_impl_version_info, 38, uint16_t, v_imp_minor);
SHM_CHECK_FIELD(mcdshm_impl_version_info, 40, uint16_t, v_imp_build);
SHM_CHECK_FIELD(mcdshm_impl_version_info, 42, uint8_t[32], vendor);
SHM_CHECK_FIELD(mcdshm_impl_version_info, 74, uint8_t[16], date);

SHM_CHECK_SIZE(mcdshm_error_info, 268);
SHM_CHECK_FIELD(mcdshm_error_info, 0, uint32_t, return_status);
SHM_CHECK_FIELD(mcdshm_error_info, 4, uint32_t, error_code);
SHM_CHECK_FIELD(mcdshm_error_info, 8, uint32_t, error_events);
SHM_CHECK_FIELD(mcdshm_error_info, 12, uint8_t[256], error_str);

SHM_CHECK_SIZE(mcdshm_server_info, 192);
SHM_CHECK_FIELD(mcdshm_server_info, 0, uint8_t[64], server);
SHM_CHECK_FIELD(mcdshm_server_info, 64, uint8_t[64], system_instance);
SHM_CHECK_FIELD(mcdshm_server_info, 128, uint8_t[64], acc_hw);

SHM_CHECK_SIZE(mcdshm_core_con_info, 596);
SHM_CHECK_FIELD(mcdshm_core_con_info, 0, uint8_t[64], host);
SHM_CHECK_FIELD(mcdshm_core_con_info, 64, uint32_t, server_port);
SHM_CHECK_FIELD(mcdshm_core_con_info, 68, uint8_t[64], server_key);
SHM_CHECK_FIELD(mcdshm_core_con_info, 132, uint8_t[64], system_key);
SHM_CHECK_FIELD(mcdshm_core_con_info, 196, uint8_t[64], device_key);
SHM_CHECK_FIELD(mcdshm_core_con_info, 260, uint8_t[64], system);
SHM_CHECK_FIELD(mcdshm_core_con_info, 324, uint8_t[64], system_instance);
SHM_CHECK_FIELD(mcdshm_core_con_info, 388, uint8_t[64], acc_hw);
SHM_CHECK_FIELD(mcdshm_core_con_info, 452, uint32_t, device_type);
SHM_CHECK_FIELD(mcdshm_core_con_info, 456, uint8_t[64], device);
SHM_CHECK_FIELD(mcdshm_core_con_info, 520, uint32_t, device_id);
SHM_CHECK_FIELD(mcdshm_core_con_info, 524, uint8_t[64], core);
SHM_CHECK_FIELD(mcdshm_core_con_info, 588, uint32_t, core_type);
SHM_CHECK_FIELD(mcdshm_core_con_info, 592, uint32_t, core_id);

SHM_CHECK_SIZE(mcdshm_core_mode_info, 33);
SHM_CHECK_FIELD(mcdshm_core_mode_info, 0, uint8_t, core_mode);
SHM_CHECK_FIELD(mcdshm_core_mode_info, 1, uint8_t[32], name);

SHM_CHECK_SIZE(mcdshm_addr, 24);
SHM_CHECK_FIELD(mcdshm_addr, 0, uint64_t, address);
SHM_CHECK_FIELD(mcdshm_addr, 8, uint32_t, mem_space_id);
SHM_CHECK_FIELD(mcdshm_addr, 12, uint32_t, addr_space_id);
SHM_CHECK_FIELD(mcdshm_addr, 16, uint32_t, addr_space_type);
SHM_CHECK_FIELD(mcdshm_addr, 20, uint32_t, pad);

SHM_CHECK_SIZE(mcdshm_memspace, 88);
SHM_CHECK_FIELD(mcdshm_memspace, 0, uint32_t, mem_space_id);
SHM_CHECK_FIELD(mcdshm_memspace, 4, uint8_t[32], mem_space_name);
SHM_CHECK_FIELD(mcdshm_memspace, 36, uint32_t, mem_type);
SHM_CHECK_FIELD(mcdshm_memspace, 40, uint32_t, bits_per_mau);
SHM_CHECK_FIELD(mcdshm_memspace, 44, uint8_t, invariance);
SHM_CHECK_FIELD(mcdshm_memspace, 45, uint8_t[3], pad0);
SHM_CHECK_FIELD(mcdshm_memspace, 48, uint32_t, endian);
SHM_CHECK_FIELD(mcdshm_memspace, 52, uint32_t, pad1);
SHM_CHECK_FIELD(mcdshm_memspace, 56, uint64_t, min_addr);
SHM_CHECK_FIELD(mcdshm_memspace, 64, uint64_t, max_addr);
SHM_CHECK_FIELD(mcdshm_memspace, 72, uint32_t, num_mem_blocks);
SHM_CHECK_FIELD(mcdshm_memspace, 76, uint32_t, supported_access_options);
SHM_CHECK_FIELD(mcdshm_memspace, 80, uint32_t, core_mode_mask_read);
SHM_CHECK_FIELD(mcdshm_memspace, 84, uint32_t, core_mode_mask_write);

SHM_CHECK_SIZE(mcdshm_memblock, 112);
SHM_CHECK_FIELD(mcdshm_memblock, 0, uint32_t, mem_block_id);
SHM_CHECK_FIELD(mcdshm_memblock, 4, uint8_t[32], mem_block_name);
SHM_CHECK_FIELD(mcdshm_memblock, 36, uint8_t, has_children);
SHM_CHECK_FIELD(mcdshm_memblock, 37, uint8_t[3], pad0);
SHM_CHECK_FIELD(mcdshm_memblock, 40, uint32_t, parent_id);
SHM_CHECK_FIELD(mcdshm_memblock, 44, uint32_t, pad1);
SHM_CHECK_FIELD(mcdshm_memblock, 48, uint64_t, start_addr);
SHM_CHECK_FIELD(mcdshm_memblock, 56, uint64_t, end_addr);
SHM_CHECK_FIELD(mcdshm_memblock, 64, uint32_t, endian);
SHM_CHECK_FIELD(mcdshm_memblock, 68, uint32_t[8], supported_au_sizes);
SHM_CHECK_FIELD(mcdshm_memblock, 100, uint32_t, supported_access_options);
SHM_CHECK_FIELD(mcdshm_memblock, 104, uint32_t, core_mode_mask_read);
SHM_CHECK_FIELD(mcdshm_memblock, 108, uint32_t, core_mode_mask_write);

SHM_CHECK_SIZE(mcdshm_register_group, 40);
SHM_CHECK_FIELD(mcdshm_register_group, 0, uint32_t, reg_group_id);
SHM_CHECK_FIELD(mcdshm_register_group, 4, uint8_t[32], reg_group_name);
SHM_CHECK_FIELD(mcdshm_register_group, 36, uint32_t, n_registers);

SHM_CHECK_SIZE(mcdshm_register_info, 88);
SHM_CHECK_FIELD(mcdshm_register_info, 0, struct mcdshm_addr, addr);
SHM_CHECK_FIELD(mcdshm_register_info, 24, uint32_t, reg_group_id);
SHM_CHECK_FIELD(mcdshm_register_info, 28, uint8_t[32], regname);
SHM_CHECK_FIELD(mcdshm_register_info, 60, uint32_t, regsize);
SHM_CHECK_FIELD(mcdshm_register_info, 64, uint32_t, core_mode_mask_read);
SHM_CHECK_FIELD(mcdshm_register_info, 68, uint32_t, core_mode_mask_write);
SHM_CHECK_FIELD(mcdshm_register_info, 72, uint8_t, has_side_effects_read);
SHM_CHECK_FIELD(mcdshm_register_info, 73, uint8_t, has_side_effects_write);
SHM_CHECK_FIELD(mcdshm_register_info, 74, uint8_t[2], pad0);
SHM_CHECK_FIELD(mcdshm_register_info, 76, uint32_t, reg_type);
SHM_CHECK_FIELD(mcdshm_register_info, 80, uint32_t, hw_thread_id);
SHM_CHECK_FIELD(mcdshm_register_info, 84, uint32_t, pad1);

SHM_CHECK_SIZE(mcdshm_trig_info, 28);
SHM_CHECK_FIELD(mcdshm_trig_info, 0, uint32_t, type);
SHM_CHECK_FIELD(mcdshm_trig_info, 4, uint32_t, option);
SHM_CHECK_FIELD(mcdshm_trig_info, 8, uint32_t, action);
SHM_CHECK_FIELD(mcdshm_trig_info, 12, uint32_t, trig_number);
SHM_CHECK_FIELD(mcdshm_trig_info, 16, uint32_t, state_number);
SHM_CHECK_FIELD(mcdshm_trig_info, 20, uint32_t, counter_number);
SHM_CHECK_FIELD(mcdshm_trig_info, 24, uint8_t, sw_breakpoints);
SHM_CHECK_FIELD(mcdshm_trig_info, 25, uint8_t[3], pad);

SHM_CHECK_SIZE(mcdshm_ctrig_info, 260);
SHM_CHECK_FIELD(mcdshm_ctrig_info, 0, uint32_t, ctrig_id);
SHM_CHECK_FIELD(mcdshm_ctrig_info, 4, uint8_t[256], info_str);

/* The five trigger structures share their first seven fields. */
#define SHM_CHECK_TRIG_HEAD(s)                          \
    SHM_CHECK_FIELD(s, 0, uint32_t, struct_size);       \
    SHM_CHECK_FIELD(s, 4, uint32_t, type);              \
    SHM_CHECK_FIELD(s, 8, uint32_t, option);            \
    SHM_CHECK_FIELD(s, 12, uint32_t, action);           \
    SHM_CHECK_FIELD(s, 16, uint32_t, action_param);     \
    SHM_CHECK_FIELD(s, 20, uint8_t, modified);          \
    SHM_CHECK_FIELD(s, 21, uint8_t[3], pad0);           \
    SHM_CHECK_FIELD(s, 24, uint32_t, state_mask)

SHM_CHECK_SIZE(mcdshm_trig_complex_core, 112);
SHM_CHECK_TRIG_HEAD(mcdshm_trig_complex_core);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 28, uint32_t, pad1);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 32, struct mcdshm_addr,
                addr_start);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 56, uint64_t, addr_range);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 64, uint64_t, data_start);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 72, uint64_t, data_range);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 80, uint64_t, data_mask);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 88, uint32_t, data_size);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 92, uint32_t, hw_thread_id);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 96, uint64_t, sw_thread_id);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 104, uint32_t, core_mode_mask);
SHM_CHECK_FIELD(mcdshm_trig_complex_core, 108, uint32_t, pad2);

SHM_CHECK_SIZE(mcdshm_trig_simple_core, 64);
SHM_CHECK_TRIG_HEAD(mcdshm_trig_simple_core);
SHM_CHECK_FIELD(mcdshm_trig_simple_core, 28, uint32_t, pad1);
SHM_CHECK_FIELD(mcdshm_trig_simple_core, 32, struct mcdshm_addr,
                addr_start);
SHM_CHECK_FIELD(mcdshm_trig_simple_core, 56, uint64_t, addr_range);

SHM_CHECK_SIZE(mcdshm_trig_trig_bus, 36);
SHM_CHECK_TRIG_HEAD(mcdshm_trig_trig_bus);
SHM_CHECK_FIELD(mcdshm_trig_trig_bus, 28, uint32_t, trig_bus_value);
SHM_CHECK_FIELD(mcdshm_trig_trig_bus, 32, uint32_t, trig_bus_mask);

SHM_CHECK_SIZE(mcdshm_trig_counter, 48);
SHM_CHECK_TRIG_HEAD(mcdshm_trig_counter);
SHM_CHECK_FIELD(mcdshm_trig_counter, 28, uint32_t, pad1);
SHM_CHECK_FIELD(mcdshm_trig_counter, 32, uint64_t, count_value);
SHM_CHECK_FIELD(mcdshm_trig_counter, 40, uint64_t, reload_value);

SHM_CHECK_SIZE(mcdshm_trig_custom, 48);
SHM_CHECK_TRIG_HEAD(mcdshm_trig_custom);
SHM_CHECK_FIELD(mcdshm_trig_custom, 28, uint32_t, ctrig_id);
SHM_CHECK_FIELD(mcdshm_trig_custom, 32, uint32_t[4], ctrig_args);

SHM_CHECK_SIZE(mcdshm_trig_state, 24);
SHM_CHECK_FIELD(mcdshm_trig_state, 0, uint8_t, active);
SHM_CHECK_FIELD(mcdshm_trig_state, 1, uint8_t, captured);
SHM_CHECK_FIELD(mcdshm_trig_state, 2, uint8_t, captured_valid);
SHM_CHECK_FIELD(mcdshm_trig_state, 3, uint8_t[5], pad0);
SHM_CHECK_FIELD(mcdshm_trig_state, 8, uint64_t, count_value);
SHM_CHECK_FIELD(mcdshm_trig_state, 16, uint8_t, count_valid);
SHM_CHECK_FIELD(mcdshm_trig_state, 17, uint8_t[7], pad1);

SHM_CHECK_SIZE(mcdshm_trig_set_state, 24);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 0, uint8_t, active);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 1, uint8_t[3], pad0);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 4, uint32_t, state);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 8, uint8_t, state_valid);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 9, uint8_t[3], pad1);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 12, uint32_t, trig_bus);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 16, uint8_t, trig_bus_valid);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 17, uint8_t, trace);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 18, uint8_t, trace_valid);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 19, uint8_t, analysis);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 20, uint8_t, analysis_valid);
SHM_CHECK_FIELD(mcdshm_trig_set_state, 21, uint8_t[3], pad2);

SHM_CHECK_SIZE(mcdshm_core_state, 528);
SHM_CHECK_FIELD(mcdshm_core_state, 0, uint32_t, state);
SHM_CHECK_FIELD(mcdshm_core_state, 4, uint32_t, event);
SHM_CHECK_FIELD(mcdshm_core_state, 8, uint32_t, hw_thread_id);
SHM_CHECK_FIELD(mcdshm_core_state, 12, uint32_t, trig_id);
SHM_CHECK_FIELD(mcdshm_core_state, 16, uint8_t[256], stop_str);
SHM_CHECK_FIELD(mcdshm_core_state, 272, uint8_t[256], info_str);

SHM_CHECK_SIZE(mcdshm_rst_info, 260);
SHM_CHECK_FIELD(mcdshm_rst_info, 0, uint32_t, class_vector);
SHM_CHECK_FIELD(mcdshm_rst_info, 4, uint8_t[256], info_str);

SHM_CHECK_SIZE(mcdshm_chl, 48);
SHM_CHECK_FIELD(mcdshm_chl, 0, uint32_t, chl_id);
SHM_CHECK_FIELD(mcdshm_chl, 4, uint32_t, type);
SHM_CHECK_FIELD(mcdshm_chl, 8, uint32_t, attributes);
SHM_CHECK_FIELD(mcdshm_chl, 12, uint32_t, max_msg_len);
SHM_CHECK_FIELD(mcdshm_chl, 16, struct mcdshm_addr, msg_buffer_addr);
SHM_CHECK_FIELD(mcdshm_chl, 40, uint8_t, prio);
SHM_CHECK_FIELD(mcdshm_chl, 41, uint8_t[7], pad);

SHM_CHECK_SIZE(mcdshm_trace_info, 276);
SHM_CHECK_FIELD(mcdshm_trace_info, 0, uint32_t, trace_id);
SHM_CHECK_FIELD(mcdshm_trace_info, 4, uint8_t[256], trace_name);
SHM_CHECK_FIELD(mcdshm_trace_info, 260, uint32_t, trace_type);
SHM_CHECK_FIELD(mcdshm_trace_info, 264, uint32_t, trace_format);
SHM_CHECK_FIELD(mcdshm_trace_info, 268, uint32_t, trace_modes);
SHM_CHECK_FIELD(mcdshm_trace_info, 272, uint8_t, trace_no_timestamps);
SHM_CHECK_FIELD(mcdshm_trace_info, 273, uint8_t, trace_shared);
SHM_CHECK_FIELD(mcdshm_trace_info, 274, uint8_t, trace_size_is_bytes);
SHM_CHECK_FIELD(mcdshm_trace_info, 275, uint8_t, pad);

SHM_CHECK_SIZE(mcdshm_trace_state, 320);
SHM_CHECK_FIELD(mcdshm_trace_state, 0, uint32_t, state);
SHM_CHECK_FIELD(mcdshm_trace_state, 4, uint32_t, mode);
SHM_CHECK_FIELD(mcdshm_trace_state, 8, uint8_t, autoarm);
SHM_CHECK_FIELD(mcdshm_trace_state, 9, uint8_t, wraparound);
SHM_CHECK_FIELD(mcdshm_trace_state, 10, uint8_t[6], pad0);
SHM_CHECK_FIELD(mcdshm_trace_state, 16, uint64_t, frames);
SHM_CHECK_FIELD(mcdshm_trace_state, 24, uint64_t, count);
SHM_CHECK_FIELD(mcdshm_trace_state, 32, uint64_t, size);
SHM_CHECK_FIELD(mcdshm_trace_state, 40, uint64_t, trigger_delay);
SHM_CHECK_FIELD(mcdshm_trace_state, 48, uint8_t, timestamp_accuracy);
SHM_CHECK_FIELD(mcdshm_trace_state, 49, uint8_t, timestamp_is_time);
SHM_CHECK_FIELD(mcdshm_trace_state, 50, uint8_t[2], pad1);
SHM_CHECK_FIELD(mcdshm_trace_state, 52, uint32_t, options);
SHM_CHECK_FIELD(mcdshm_trace_state, 56, uint8_t, modified);
SHM_CHECK_FIELD(mcdshm_trace_state, 57, uint8_t[256], info_str);
SHM_CHECK_FIELD(mcdshm_trace_state, 313, uint8_t[7], pad2);

SHM_CHECK_SIZE(mcdshm_trace_data_core, 56);
SHM_CHECK_FIELD(mcdshm_trace_data_core, 0, uint64_t, timestamp);
SHM_CHECK_FIELD(mcdshm_trace_data_core, 8, uint32_t, marker);
SHM_CHECK_FIELD(mcdshm_trace_data_core, 12, uint32_t, cycle);
SHM_CHECK_FIELD(mcdshm_trace_data_core, 16, struct mcdshm_addr, addr);
SHM_CHECK_FIELD(mcdshm_trace_data_core, 40, uint64_t, data);
SHM_CHECK_FIELD(mcdshm_trace_data_core, 48, uint8_t, data_width);
SHM_CHECK_FIELD(mcdshm_trace_data_core, 49, uint8_t, data_mask);
SHM_CHECK_FIELD(mcdshm_trace_data_core, 50, uint16_t, source);
SHM_CHECK_FIELD(mcdshm_trace_data_core, 52, uint32_t, aux_info);

SHM_CHECK_SIZE(mcdshm_trace_data_event, 48);
SHM_CHECK_FIELD(mcdshm_trace_data_event, 0, uint64_t, timestamp);
SHM_CHECK_FIELD(mcdshm_trace_data_event, 8, uint32_t, marker);
SHM_CHECK_FIELD(mcdshm_trace_data_event, 12, uint32_t[8], data);
SHM_CHECK_FIELD(mcdshm_trace_data_event, 44, uint32_t, pad);

SHM_CHECK_SIZE(mcdshm_trace_data_stat, 80);
SHM_CHECK_FIELD(mcdshm_trace_data_stat, 0, uint64_t, timestamp);
SHM_CHECK_FIELD(mcdshm_trace_data_stat, 8, uint32_t, marker);
SHM_CHECK_FIELD(mcdshm_trace_data_stat, 12, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_trace_data_stat, 16, uint64_t[8], count);

/* Shared pieces. */
SHM_CHECK_SIZE(mcdshm_trig, 120);
SHM_CHECK_FIELD(mcdshm_trig, 0, uint32_t, kind);
SHM_CHECK_FIELD(mcdshm_trig, 4, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_trig, 8, uint8_t[112], u);

SHM_CHECK_SIZE(mcdshm_page_req, 8);
SHM_CHECK_FIELD(mcdshm_page_req, 0, uint32_t, start_index);
SHM_CHECK_FIELD(mcdshm_page_req, 4, uint32_t, num);

SHM_CHECK_SIZE(mcdshm_page_resp, 16);
SHM_CHECK_FIELD(mcdshm_page_resp, 0, uint32_t, num);
SHM_CHECK_FIELD(mcdshm_page_resp, 4, uint32_t, elem_size);
SHM_CHECK_FIELD(mcdshm_page_resp, 8, struct mcdshm_span, items);

SHM_CHECK_SIZE(mcdshm_tx, 48);
SHM_CHECK_FIELD(mcdshm_tx, 0, struct mcdshm_addr, addr);
SHM_CHECK_FIELD(mcdshm_tx, 24, uint32_t, access_type);
SHM_CHECK_FIELD(mcdshm_tx, 28, uint32_t, options);
SHM_CHECK_FIELD(mcdshm_tx, 32, uint8_t, access_width);
SHM_CHECK_FIELD(mcdshm_tx, 33, uint8_t, core_mode);
SHM_CHECK_FIELD(mcdshm_tx, 34, uint8_t[2], pad0);
SHM_CHECK_FIELD(mcdshm_tx, 36, uint32_t, num_bytes);
SHM_CHECK_FIELD(mcdshm_tx, 40, uint32_t, data_off);
SHM_CHECK_FIELD(mcdshm_tx, 44, uint32_t, pad1);

/* Request records. */
SHM_CHECK_SIZE(mcdshm_req_hdr, 32);
SHM_CHECK_FIELD(mcdshm_req_hdr, 0, uint32_t, seq);
SHM_CHECK_FIELD(mcdshm_req_hdr, 4, uint16_t, fn);
SHM_CHECK_FIELD(mcdshm_req_hdr, 6, uint16_t, flags);
SHM_CHECK_FIELD(mcdshm_req_hdr, 8, uint32_t, server_uid);
SHM_CHECK_FIELD(mcdshm_req_hdr, 12, uint32_t, core_uid);
SHM_CHECK_FIELD(mcdshm_req_hdr, 16, uint32_t, payload_len);
SHM_CHECK_FIELD(mcdshm_req_hdr, 20, uint32_t[3], reserved);

SHM_CHECK_SIZE(mcdshm_req_initialize, 40);
SHM_CHECK_FIELD(mcdshm_req_initialize, 0, struct mcdshm_api_version,
                version_req);
SHM_CHECK_FIELD(mcdshm_req_initialize, 36, uint8_t[4], pad);

SHM_CHECK_SIZE(mcdshm_req_qry_servers, 24);
SHM_CHECK_FIELD(mcdshm_req_qry_servers, 0, struct mcdshm_span, host);
SHM_CHECK_FIELD(mcdshm_req_qry_servers, 8, uint8_t, running);
SHM_CHECK_FIELD(mcdshm_req_qry_servers, 9, uint8_t[7], pad);
SHM_CHECK_FIELD(mcdshm_req_qry_servers, 16, struct mcdshm_page_req, page);

SHM_CHECK_SIZE(mcdshm_req_open_server, 16);
SHM_CHECK_FIELD(mcdshm_req_open_server, 0, struct mcdshm_span, system_key);
SHM_CHECK_FIELD(mcdshm_req_open_server, 8, struct mcdshm_span,
                config_string);

SHM_CHECK_SIZE(mcdshm_req_set_server_config, 8);
SHM_CHECK_FIELD(mcdshm_req_set_server_config, 0, struct mcdshm_span,
                config_string);

SHM_CHECK_SIZE(mcdshm_req_qry_server_config, 8);
SHM_CHECK_FIELD(mcdshm_req_qry_server_config, 0, uint32_t, max_len);
SHM_CHECK_FIELD(mcdshm_req_qry_server_config, 4, uint32_t, pad);

SHM_CHECK_SIZE(mcdshm_req_page_only, 8);
SHM_CHECK_FIELD(mcdshm_req_page_only, 0, struct mcdshm_page_req, page);

SHM_CHECK_SIZE(mcdshm_req_qry_con, 604);
SHM_CHECK_FIELD(mcdshm_req_qry_con, 0, struct mcdshm_core_con_info,
                con_info);
SHM_CHECK_FIELD(mcdshm_req_qry_con, 596, struct mcdshm_page_req, page);

SHM_CHECK_SIZE(mcdshm_req_open_core, 596);
SHM_CHECK_FIELD(mcdshm_req_open_core, 0, struct mcdshm_core_con_info,
                core_con_info);

SHM_CHECK_SIZE(mcdshm_req_qry_device_description, 8);
SHM_CHECK_FIELD(mcdshm_req_qry_device_description, 0, uint32_t,
                url_length);
SHM_CHECK_FIELD(mcdshm_req_qry_device_description, 4, uint8_t, want_url);
SHM_CHECK_FIELD(mcdshm_req_qry_device_description, 5, uint8_t[3], pad);

SHM_CHECK_SIZE(mcdshm_req_page_id, 16);
SHM_CHECK_FIELD(mcdshm_req_page_id, 0, uint32_t, id);
SHM_CHECK_FIELD(mcdshm_req_page_id, 4, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_req_page_id, 8, struct mcdshm_page_req, page);

SHM_CHECK_SIZE(mcdshm_req_create_trig, 120);
SHM_CHECK_FIELD(mcdshm_req_create_trig, 0, struct mcdshm_trig, trig);

SHM_CHECK_SIZE(mcdshm_req_qry_trig, 8);
SHM_CHECK_FIELD(mcdshm_req_qry_trig, 0, uint32_t, trig_id);
SHM_CHECK_FIELD(mcdshm_req_qry_trig, 4, uint32_t, max_trig_size);

SHM_CHECK_SIZE(mcdshm_req_trig_id, 8);
SHM_CHECK_FIELD(mcdshm_req_trig_id, 0, uint32_t, trig_id);
SHM_CHECK_FIELD(mcdshm_req_trig_id, 4, uint32_t, pad);

SHM_CHECK_SIZE(mcdshm_req_execute_txlist, 16);
SHM_CHECK_FIELD(mcdshm_req_execute_txlist, 0, uint32_t, num_tx);
SHM_CHECK_FIELD(mcdshm_req_execute_txlist, 4, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_req_execute_txlist, 8, struct mcdshm_span, tx);

SHM_CHECK_SIZE(mcdshm_req_flag, 8);
SHM_CHECK_FIELD(mcdshm_req_flag, 0, uint8_t, flag);
SHM_CHECK_FIELD(mcdshm_req_flag, 1, uint8_t[7], pad);

SHM_CHECK_SIZE(mcdshm_req_run_until, 16);
SHM_CHECK_FIELD(mcdshm_req_run_until, 0, uint8_t, global);
SHM_CHECK_FIELD(mcdshm_req_run_until, 1, uint8_t, absolute_time);
SHM_CHECK_FIELD(mcdshm_req_run_until, 2, uint8_t[6], pad);
SHM_CHECK_FIELD(mcdshm_req_run_until, 8, uint64_t, run_until_time);

SHM_CHECK_SIZE(mcdshm_req_step, 16);
SHM_CHECK_FIELD(mcdshm_req_step, 0, uint8_t, global);
SHM_CHECK_FIELD(mcdshm_req_step, 1, uint8_t[3], pad);
SHM_CHECK_FIELD(mcdshm_req_step, 4, uint32_t, step_type);
SHM_CHECK_FIELD(mcdshm_req_step, 8, uint32_t, n_steps);
SHM_CHECK_FIELD(mcdshm_req_step, 12, uint32_t, pad1);

SHM_CHECK_SIZE(mcdshm_req_execute_command, 16);
SHM_CHECK_FIELD(mcdshm_req_execute_command, 0, struct mcdshm_span, command);
SHM_CHECK_FIELD(mcdshm_req_execute_command, 8, uint32_t,
                result_string_size);
SHM_CHECK_FIELD(mcdshm_req_execute_command, 12, uint32_t, pad);

SHM_CHECK_SIZE(mcdshm_req_qry_rst_class_info, 8);
SHM_CHECK_FIELD(mcdshm_req_qry_rst_class_info, 0, uint8_t, rst_class);
SHM_CHECK_FIELD(mcdshm_req_qry_rst_class_info, 1, uint8_t[7], pad);

SHM_CHECK_SIZE(mcdshm_req_rst, 8);
SHM_CHECK_FIELD(mcdshm_req_rst, 0, uint32_t, rst_class_vector);
SHM_CHECK_FIELD(mcdshm_req_rst, 4, uint8_t, rst_and_halt);
SHM_CHECK_FIELD(mcdshm_req_rst, 5, uint8_t[3], pad);

SHM_CHECK_SIZE(mcdshm_req_chl_open, 648);
SHM_CHECK_FIELD(mcdshm_req_chl_open, 0, struct mcdshm_chl, channel);
SHM_CHECK_FIELD(mcdshm_req_chl_open, 48, struct mcdshm_core_con_info,
                con_info);
SHM_CHECK_FIELD(mcdshm_req_chl_open, 644, uint8_t[4], pad);

SHM_CHECK_SIZE(mcdshm_req_send_msg, 16);
SHM_CHECK_FIELD(mcdshm_req_send_msg, 0, uint32_t, chl_id);
SHM_CHECK_FIELD(mcdshm_req_send_msg, 4, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_req_send_msg, 8, struct mcdshm_span, msg);

SHM_CHECK_SIZE(mcdshm_req_receive_msg, 16);
SHM_CHECK_FIELD(mcdshm_req_receive_msg, 0, uint32_t, chl_id);
SHM_CHECK_FIELD(mcdshm_req_receive_msg, 4, uint32_t, timeout_ms);
SHM_CHECK_FIELD(mcdshm_req_receive_msg, 8, uint32_t, msg_len);
SHM_CHECK_FIELD(mcdshm_req_receive_msg, 12, uint32_t, pad);

SHM_CHECK_SIZE(mcdshm_req_chl_id, 8);
SHM_CHECK_FIELD(mcdshm_req_chl_id, 0, uint32_t, chl_id);
SHM_CHECK_FIELD(mcdshm_req_chl_id, 4, uint32_t, pad);

SHM_CHECK_SIZE(mcdshm_req_trace_id, 8);
SHM_CHECK_FIELD(mcdshm_req_trace_id, 0, uint32_t, trace_id);
SHM_CHECK_FIELD(mcdshm_req_trace_id, 4, uint32_t, pad);

SHM_CHECK_SIZE(mcdshm_req_set_trace_state, 328);
SHM_CHECK_FIELD(mcdshm_req_set_trace_state, 0, uint32_t, trace_id);
SHM_CHECK_FIELD(mcdshm_req_set_trace_state, 4, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_req_set_trace_state, 8, struct mcdshm_trace_state,
                state);

SHM_CHECK_SIZE(mcdshm_req_read_trace, 24);
SHM_CHECK_FIELD(mcdshm_req_read_trace, 0, uint32_t, trace_id);
SHM_CHECK_FIELD(mcdshm_req_read_trace, 4, uint32_t, num_frames);
SHM_CHECK_FIELD(mcdshm_req_read_trace, 8, uint64_t, start_index);
SHM_CHECK_FIELD(mcdshm_req_read_trace, 16, uint32_t, trace_data_size);
SHM_CHECK_FIELD(mcdshm_req_read_trace, 20, uint32_t, pad);

/* The record table lists the 54 functions in id order, bodies in bounds. */
#define MCDSHM_CHECK_RECORD(name, rq, rs)                                   \
    MCDSHM_STATIC_ASSERT((rq) <= MCDSHM_REQ_BODY_SIZE &&                    \
                             (rs) <= MCDSHM_RESP_BODY_SIZE,                 \
                         #name " bodies fit their records");
MCDSHM_RECORDS(MCDSHM_CHECK_RECORD)
#define MCDSHM_COUNT_RECORD(name, rq, rs) +1
MCDSHM_STATIC_ASSERT(0 MCDSHM_RECORDS(MCDSHM_COUNT_RECORD) == MCDSHM_FN_COUNT,
                     "one record entry per function");

SHM_CHECK_SIZE(mcdshm_req, MCDSHM_REQ_STRIDE);
SHM_CHECK_FIELD(mcdshm_req, 0, struct mcdshm_req_hdr, hdr);
SHM_CHECK_FIELD(mcdshm_req, 32, uint8_t[MCDSHM_REQ_BODY_SIZE], u);

/* Response records. */
SHM_CHECK_SIZE(mcdshm_resp_hdr, 32);
SHM_CHECK_FIELD(mcdshm_resp_hdr, 0, uint32_t, seq);
SHM_CHECK_FIELD(mcdshm_resp_hdr, 4, uint16_t, fn);
SHM_CHECK_FIELD(mcdshm_resp_hdr, 6, uint16_t, flags);
SHM_CHECK_FIELD(mcdshm_resp_hdr, 8, uint32_t, ret);
SHM_CHECK_FIELD(mcdshm_resp_hdr, 12, uint32_t, payload_len);
SHM_CHECK_FIELD(mcdshm_resp_hdr, 16, uint32_t[4], reserved);

SHM_CHECK_SIZE(mcdshm_resp_initialize, 96);
SHM_CHECK_FIELD(mcdshm_resp_initialize, 0, struct mcdshm_impl_version_info,
                impl_info);
SHM_CHECK_FIELD(mcdshm_resp_initialize, 90, uint8_t[6], pad);

SHM_CHECK_SIZE(mcdshm_resp_open_server, 24);
SHM_CHECK_FIELD(mcdshm_resp_open_server, 0, uint32_t, server_uid);
SHM_CHECK_FIELD(mcdshm_resp_open_server, 4, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_resp_open_server, 8, struct mcdshm_span, host);
SHM_CHECK_FIELD(mcdshm_resp_open_server, 16, struct mcdshm_span,
                config_string);

SHM_CHECK_SIZE(mcdshm_resp_string, 16);
SHM_CHECK_FIELD(mcdshm_resp_string, 0, uint32_t, length);
SHM_CHECK_FIELD(mcdshm_resp_string, 4, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_resp_string, 8, struct mcdshm_span, str);

SHM_CHECK_SIZE(mcdshm_resp_open_core, 600);
SHM_CHECK_FIELD(mcdshm_resp_open_core, 0, uint32_t, core_uid);
SHM_CHECK_FIELD(mcdshm_resp_open_core, 4, struct mcdshm_core_con_info,
                core_con_info);

SHM_CHECK_SIZE(mcdshm_resp_qry_error_info, 272);
SHM_CHECK_FIELD(mcdshm_resp_qry_error_info, 0, struct mcdshm_error_info,
                error_info);
SHM_CHECK_FIELD(mcdshm_resp_qry_error_info, 268, uint8_t[4], pad);

SHM_CHECK_SIZE(mcdshm_resp_u32, 8);
SHM_CHECK_FIELD(mcdshm_resp_u32, 0, uint32_t, value);
SHM_CHECK_FIELD(mcdshm_resp_u32, 4, uint32_t, pad);

SHM_CHECK_SIZE(mcdshm_resp_trig, 128);
SHM_CHECK_FIELD(mcdshm_resp_trig, 0, uint32_t, trig_id);
SHM_CHECK_FIELD(mcdshm_resp_trig, 4, uint8_t, modified);
SHM_CHECK_FIELD(mcdshm_resp_trig, 5, uint8_t[3], pad);
SHM_CHECK_FIELD(mcdshm_resp_trig, 8, struct mcdshm_trig, trig);

SHM_CHECK_SIZE(mcdshm_resp_qry_trig_info, 32);
SHM_CHECK_FIELD(mcdshm_resp_qry_trig_info, 0, struct mcdshm_trig_info,
                trig_info);
SHM_CHECK_FIELD(mcdshm_resp_qry_trig_info, 28, uint8_t[4], pad);

SHM_CHECK_SIZE(mcdshm_resp_qry_trig_state, 24);
SHM_CHECK_FIELD(mcdshm_resp_qry_trig_state, 0, struct mcdshm_trig_state,
                trig_state);

SHM_CHECK_SIZE(mcdshm_resp_qry_trig_set_state, 24);
SHM_CHECK_FIELD(mcdshm_resp_qry_trig_set_state, 0,
                struct mcdshm_trig_set_state, trig_state);

SHM_CHECK_SIZE(mcdshm_resp_execute_txlist, 264);
SHM_CHECK_FIELD(mcdshm_resp_execute_txlist, 0, uint32_t, num_tx_ok);
SHM_CHECK_FIELD(mcdshm_resp_execute_txlist, 4, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_resp_execute_txlist, 8, uint32_t[MCDSHM_TX_MAX],
                num_bytes_ok);

SHM_CHECK_SIZE(mcdshm_resp_u64, 8);
SHM_CHECK_FIELD(mcdshm_resp_u64, 0, uint64_t, value);

SHM_CHECK_SIZE(mcdshm_resp_qry_state, 528);
SHM_CHECK_FIELD(mcdshm_resp_qry_state, 0, struct mcdshm_core_state, state);

SHM_CHECK_SIZE(mcdshm_resp_qry_rst_class_info, 264);
SHM_CHECK_FIELD(mcdshm_resp_qry_rst_class_info, 0, struct mcdshm_rst_info,
                rst_info);
SHM_CHECK_FIELD(mcdshm_resp_qry_rst_class_info, 260, uint8_t[4], pad);

SHM_CHECK_SIZE(mcdshm_resp_chl_open, 48);
SHM_CHECK_FIELD(mcdshm_resp_chl_open, 0, struct mcdshm_chl, channel);

SHM_CHECK_SIZE(mcdshm_resp_receive_msg, 16);
SHM_CHECK_FIELD(mcdshm_resp_receive_msg, 0, uint32_t, msg_len);
SHM_CHECK_FIELD(mcdshm_resp_receive_msg, 4, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_resp_receive_msg, 8, struct mcdshm_span, msg);

SHM_CHECK_SIZE(mcdshm_resp_trace_state, 320);
SHM_CHECK_FIELD(mcdshm_resp_trace_state, 0, struct mcdshm_trace_state,
                state);

SHM_CHECK_SIZE(mcdshm_resp_read_trace, 16);
SHM_CHECK_FIELD(mcdshm_resp_read_trace, 0, uint32_t, num_frames);
SHM_CHECK_FIELD(mcdshm_resp_read_trace, 4, uint32_t, pad);
SHM_CHECK_FIELD(mcdshm_resp_read_trace, 8, struct mcdshm_span, frames);

SHM_CHECK_SIZE(mcdshm_resp, MCDSHM_RESP_STRIDE);
SHM_CHECK_FIELD(mcdshm_resp, 0, struct mcdshm_resp_hdr, hdr);
SHM_CHECK_FIELD(mcdshm_resp, 32, uint8_t[MCDSHM_RESP_BODY_SIZE], u);
SHM_CHECK_FIELD(mcdshm_resp, 752, struct mcdshm_error_info, error);
SHM_CHECK_FIELD(mcdshm_resp, 1020, uint8_t[4], pad);

#endif /* MCDSHM_WIRE_H */
