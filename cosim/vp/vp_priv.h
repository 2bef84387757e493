/*
 * vp_priv - internals of the mcdshm-vp platform shared by its .c files.
 * Not installed; nothing outside cosim/vp/ includes it.  Functions named
 * vp__* are internal helpers: don't call them from outside the platform.
 *
 * Locking (the whole platform in one paragraph):
 *  - vp->lock protects the run-control state of every hart (the fields
 *    marked [L]), the trigger lists and struct rv64_hart of a halted hart.
 *    Target operations and the hart threads take it; it is never held
 *    while a hart executes instructions.
 *  - A hart thread owns its struct rv64_hart, bus and slice-private fields
 *    [H] while in_slice is set; anyone holding vp->lock owns the struct
 *    rv64_hart while in_slice is clear.  A halted hart is never in a slice.
 *  - hart->stop is the only field written by one thread and read by
 *    another without the lock: operations set it (holding vp->lock) to
 *    make rv64_run() return, the hart thread clears it (holding vp->lock)
 *    when it has acted on every request.  READ_ONCE/WRITE_ONCE, no
 *    ordering needed: the lock orders everything else.
 *  - vp->uart.lock protects the UART (taken by hart threads in the bus
 *    callbacks and by the channel operations) and trace.lock a hart's
 *    trace buffer (hart thread flushes, operations read).  Order:
 *    vp->lock before trace.lock; uart.lock is never held with another.
 *  - RAM is plain shared memory, written by harts and debugger alike.
 */
#ifndef MCDSHM_VP_PRIV_H
#define MCDSHM_VP_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cosim/vp/platform.h"
#include "cosim/vp/rv64.h"
#include "mcd/mcd_api.h"
#include "mcdshm/server.h"

#define VP_MAX_TRIGS 32     /* triggers per hart (trig_number) */
#define VP_SLICE 100000     /* instructions between lock visits */
#define VP_BATCH 1024       /* trace frames buffered before a flush */
#define VP_MAX_BP_PCS 65536 /* expanded breakpoint pcs for rv64_run */
#define VP_UART_BUF 65536   /* bytes buffered each way */
#define VP_CHL_ID 1         /* the UART channel */
#define VP_CHL_MSG_MAX 4096
#define VP_TRACE_ID 1
#define VP_TRACE_DEFAULT 65536  /* frames */
#define VP_TRACE_MAX (1u << 24) /* frames (896 MiB): sanity limit */
#define VP_ECALL_M 11           /* mcause of ecall from M-mode */

/* Memory spaces, register numbers in space 3, memory blocks. */
#define VP_SPACE_PHYS 1
#define VP_SPACE_LOGICAL 2
#define VP_SPACE_REGS 3
#define VP_REG_PC 32
#define VP_REG_CSR 0x1000
#define VP_BLOCK_ROM 1
#define VP_BLOCK_RAM 2
#define VP_BLOCK_UART 3
#define VP_NBLOCKS 3

/* UART registers (16550 subset). */
#define VP_UART_DATA 0
#define VP_UART_LSR 5
#define VP_UART_LSR_DR 0x01
#define VP_UART_LSR_THRE 0x20
#define VP_UART_LSR_TEMT 0x40

/* What a started hart does until it halts by itself. */
enum vp_mode {
    VP_MODE_RUN,   /* until stopped or a trigger */
    VP_MODE_STEP,  /* budget more steps */
    VP_MODE_UNTIL, /* until minstret reaches until */
};

/* One inserted trigger, as the platform implements it. */
struct vp_trig {
    uint32_t id;     /* the id trig_insert got */
    uint32_t type;   /* MCD_TRIG_TYPE_IP, _READ, _WRITE or _RW */
    uint32_t action; /* MCD_TRIG_ACTION_DBG_DEBUG or _DBG_GLOBAL */
    uint64_t lo, hi; /* inclusive address range */
};

/*
 * An immutable snapshot of a hart's triggers, the form the hart thread
 * runs with.  Replaced (never changed) under vp->lock; the old one is
 * freed once the hart thread has left the slice that used it.
 */
struct vp_trigset {
    struct rv64_bkpts bp; /* exact pcs of all IP triggers, sorted */
    bool slow;            /* an IP range too large for bp: check
                           * every pc against t[] instead */
    uint32_t n, nwatch;
    struct vp_trig t[VP_MAX_TRIGS];
    uint64_t pcs[]; /* storage behind bp.pc */
};

/* A watchpoint hit, noted by the watch hook for the hart thread. */
struct vp_hit {
    const struct vp_trig *trig;
    uint64_t addr;
    unsigned size;
    int is_write;
};

/* The instruction trace of one hart (trace id 1). */
struct vp_trace {
    pthread_mutex_t lock;         /* the fields below */
    uint32_t state;               /* MCD_TRACE_STATE_OFF, ARM, ... */
    struct mcdshm_tracebuf b;     /* the frames, allocated when on */
    struct mcdshm_server *stream; /* debuggers stream it: put() first */
};

/* What the hart thread does in one slice, fixed under vp->lock. */
struct vp_slice {
    enum vp_mode mode;
    uint64_t n;      /* at most this many steps */
    bool first;      /* first instruction after a start */
    bool skip_watch; /* ... also without watchpoints */
    bool trace;
    const struct vp_trigset *ts;
};

/* How a slice ended. */
struct vp_outcome {
    enum rv64_step_result why; /* RV64_OK: n steps done */
    uint64_t steps;            /* steps that changed the hart */
};

struct vp;

struct vp_hart {
    struct vp *vp;
    uint32_t id;
    pthread_t thread;
    bool thread_ok;
    pthread_cond_t wake; /* the hart thread waits for work */
    int stop;            /* see the file comment */

    struct rv64_hart cpu;              /* see the file comment */
    struct rv64_bus bus;               /* [H] rebuilt for every slice */
    struct vp_hit hit;                 /* [H] set by the watch hook */
    const struct vp_trigset *slice_ts; /* [H] what the watch hook checks */
    mcd_trace_data_core_st *batch;     /* [H] VP_BATCH frames to flush */
    uint32_t nbatch;                   /* [H] */

    /* [L] run control */
    bool running;           /* RUNNING (else DEBUG) */
    bool idle;              /* running but asleep in wfi */
    bool in_slice;          /* the hart thread executes */
    bool halt_req;          /* halt with req_str at the next check */
    bool kick;              /* re-plan the slice (triggers, trace) */
    bool global;            /* takes part in global run control */
    bool first, skip_watch; /* see struct vp_slice */
    bool trace_on;          /* record frames */
    enum vp_mode mode;
    uint64_t budget;              /* VP_MODE_STEP: steps left */
    uint64_t until;               /* VP_MODE_UNTIL: minstret target */
    uint64_t halt_seq;            /* +1 on every halt */
    uint64_t slice_seq;           /* +1 at the end of every slice */
    uint64_t pub_pc, pub_instret; /* as of the last slice end */
    uint32_t events;              /* mcd_core_event_et since state() */
    uint32_t trig_id;             /* trigger that caused the halt */
    char stop_str[MCD_INFO_STR_LEN];
    char req_str[MCD_INFO_STR_LEN]; /* reason for halt_req */

    /* [L] triggers */
    uint32_t ntrigs;
    struct vp_trig trigs[VP_MAX_TRIGS];
    struct vp_trigset *ts; /* snapshot of trigs */

    struct vp_trace trace;
};

struct vp_uart {
    pthread_mutex_t lock;
    pthread_cond_t tx_cond;  /* the guest transmitted */
    uint8_t rx[VP_UART_BUF]; /* debugger -> guest */
    uint32_t rx_head, rx_len;
    uint8_t tx[VP_UART_BUF]; /* guest -> debugger */
    uint32_t tx_head, tx_len;
    uint64_t tx_total, rx_total; /* bytes ever transmitted / sent */
    uint64_t tx_dropped;         /* transmitted while tx[] was full */
    uint64_t out_errors;         /* failed writes to out_fd */
    int out_fd;
    bool chl_open;
};

struct vp {
    struct vp_config cfg;
    uint8_t *ram, *rom;
    int ram_fd;                  /* the memfd behind ram, sealed */
    struct mcdshm_window window; /* ram, offered to debuggers */
    pthread_mutex_t lock;
    pthread_cond_t cond; /* a hart halted or ended a slice */
    bool quit;           /* [L] hart threads exit */
    uint64_t reset_pc;   /* [L] */
    uint64_t entry;      /* [L] entry of the loaded ELF */
    char elf[256];       /* [L] loaded ELF, "" if none */
    struct vp_uart uart;
    struct mcdshm_target target;
    char device[MCD_UNIQUE_NAME_LEN];
    uint32_t nharts;
    uint32_t ninit;                 /* harts initialised (for unwinding) */
    bool lock_ok, cond_ok, uart_ok; /* initialised (for unwinding) */
    struct vp_hart *harts;
};

/*
 * Target operations: vp__access, vp__chl_*, vp__trig_info, vp__trig_insert,
 * vp__trig_remove, vp__traces, vp__trace_state, vp__set_trace_state and
 * vp__read_trace implement the struct mcdshm_target_ops members of the same
 * name (server.h states their contracts); opaque is the struct vp.  Every
 * other vp__* function is documented below.
 */

/* ---- vp_hart.c: hart threads and run control ---- */

/**
 * vp__hart_thread_start: start the thread of an initialised hart.
 * @param h: the hart (halted)
 * @return 0, or -errno of pthread_create()
 */
int vp__hart_thread_start(struct vp_hart *h);

/**
 * vp__hart_start: make a halted hart run (vp->lock held).
 * @param h: the hart, which must be halted
 * @param mode: free run, a number of steps, or until a minstret value
 * @param arg: the steps (VP_MODE_STEP) or the minstret (VP_MODE_UNTIL)
 * @return nothing
 */
void vp__hart_start(struct vp_hart *h, enum vp_mode mode, uint64_t arg);

/**
 * vp__hart_request_halt: ask a running hart to halt, without waiting
 * (vp->lock held).  Does nothing if the hart is halted.
 * @param h: the hart
 * @param why: the stop reason it will report
 * @return nothing
 */
void vp__hart_request_halt(struct vp_hart *h, const char *why);

/**
 * vp__hart_wait_seq: wait (vp->lock held, released while waiting) until
 * the hart has halted since halt_seq was seq.
 * @param h: the hart
 * @param seq: h->halt_seq as read before the request
 * @return nothing
 */
void vp__hart_wait_seq(struct vp_hart *h, uint64_t seq);

/**
 * vp__hart_stop_sync: halt a running hart and wait for it (vp->lock held).
 * @param h: the hart
 * @param why: the stop reason it will report
 * @return nothing
 */
void vp__hart_stop_sync(struct vp_hart *h, const char *why);

/**
 * vp__hart_kick_sync: make a hart in a slice end it and plan the next one
 * with the current triggers and trace setting; returns once no slice
 * planned before the call runs (vp->lock held, released while waiting).
 * @param h: the hart
 * @return nothing
 */
void vp__hart_kick_sync(struct vp_hart *h);

/**
 * vp__hart_reset: reset registers, pc = vp->reset_pc (vp->lock held,
 * hart halted).
 * @param h: the hart
 * @return nothing
 */
void vp__hart_reset(struct vp_hart *h);

/**
 * vp__ps: the time of an instruction count.
 * @param vp: the platform (its hz)
 * @param instret: minstret
 * @return instret * 10^12 / hz picoseconds, UINT64_MAX if larger
 */
uint64_t vp__ps(const struct vp *vp, uint64_t instret);

/**
 * vp__instret_at: the first instruction count whose time is >= ps.
 * @param vp: the platform (its hz)
 * @param ps: picoseconds
 * @return the count, UINT64_MAX if larger
 */
uint64_t vp__instret_at(const struct vp *vp, uint64_t ps);

/* ---- vp_mem.c: the bus and debugger access ---- */

/**
 * vp__bus_init: the bus a hart executes with: RAM fast path, ROM and UART
 * through callbacks, no watch hook.
 * @param h: the hart (bus opaque)
 * @param bus: filled
 * @return nothing
 */
void vp__bus_init(struct vp_hart *h, struct rv64_bus *bus);

/**
 * vp__mem_write: write bytes into ROM or RAM, for the ELF loader.
 * @param vp: the platform
 * @param addr: guest physical address
 * @param data: the bytes
 * @param len: how many
 * @return 0, or -EFAULT if the range is not inside ROM or inside RAM
 */
int vp__mem_write(struct vp *vp, uint64_t addr, const void *data, uint64_t len);

/**
 * vp__reg_exists: whether a register number of space 3 exists.
 * @param cpu: a hart
 * @param reg: 0..31, 32 (pc) or 0x1000 + CSR
 * @return true if it can be read
 */
bool vp__reg_exists(const struct rv64_hart *cpu, uint32_t reg);

/**
 * vp__csr_name: the name of a CSR of register group 2.
 * @param csr: CSR number
 * @return "mstatus", ..., or NULL if the CSR is not in vp__csrs
 */
const char *vp__csr_name(uint16_t csr);

/* The CSRs of register group 2, and how many. */
extern const uint16_t vp__csrs[];
extern const uint32_t vp__ncsrs;

int vp__access(void *opaque, uint32_t core, mcd_tx_st *tx,
               struct mcdshm_status *st);

/* ---- vp_uart.c: the UART device and its channel ---- */

/**
 * vp__uart_init: empty buffers, no output descriptor.
 * @param u: zeroed UART
 * @return 0, or -errno of the pthread initialisers
 */
int vp__uart_init(struct vp_uart *u);

/**
 * vp__uart_fini: release what vp__uart_init() set up.
 * @param u: the UART
 * @return nothing
 */
void vp__uart_fini(struct vp_uart *u);

/**
 * vp__uart_read: read one UART register byte (any thread).
 * @param u: the UART
 * @param off: register offset 0..VP_UART_SIZE-1
 * @param side_effects: offset 0 consumes the byte it returns
 * @return the byte
 */
uint8_t vp__uart_read(struct vp_uart *u, uint64_t off, bool side_effects);

/**
 * vp__uart_write: write one UART register byte; offset 0 transmits (any
 * thread).
 * @param u: the UART
 * @param off: register offset
 * @param val: the byte
 * @return nothing
 */
void vp__uart_write(struct vp_uart *u, uint64_t off, uint8_t val);

/**
 * vp__uart_pending: whether the open channel has bytes to receive.
 * @param u: the UART
 * @return true if so (MCD_CORE_EVENT_CHL_PENDING)
 */
bool vp__uart_pending(struct vp_uart *u);

/**
 * vp__uart_info: the UART's counters as one line of text.
 * @param u: the UART
 * @param buf: output
 * @param len: size of buf
 * @return the length the line needs, as snprintf()
 */
int vp__uart_info(struct vp_uart *u, char *buf, size_t len);

int vp__chl_open(void *opaque, uint32_t core, mcd_chl_st *chl,
                 struct mcdshm_status *st);
int vp__chl_send(void *opaque, uint32_t chl_id, const uint8_t *msg,
                 uint32_t len, struct mcdshm_status *st);
int vp__chl_receive(void *opaque, uint32_t chl_id, uint32_t timeout_ms,
                    uint8_t *msg, uint32_t *len, struct mcdshm_status *st);
int vp__chl_reset(void *opaque, uint32_t chl_id, struct mcdshm_status *st);
int vp__chl_close(void *opaque, uint32_t chl_id, struct mcdshm_status *st);

/* ---- vp_trig.c: triggers ---- */

/**
 * vp__trigset_init: give a new hart its empty trigger snapshot.
 * @param h: the hart
 * @return 0, or -ENOMEM
 */
int vp__trigset_init(struct vp_hart *h);

/**
 * vp__ip_match: the first IP trigger whose range holds pc.
 * @param ts: a trigger snapshot
 * @param pc: the address
 * @return the trigger, or NULL
 */
const struct vp_trig *vp__ip_match(const struct vp_trigset *ts, uint64_t pc);

/**
 * vp__watch_hook: struct rv64_bus watch callback (hart thread): checks
 * h->slice_ts and notes a hit in h->hit.
 * @param opaque: the hart
 * @param addr: data address
 * @param size: access size
 * @param is_write: 1 for a store
 * @return 1 to stop the access, 0 to let it happen
 */
int vp__watch_hook(void *opaque, uint64_t addr, unsigned size, int is_write);

void vp__trig_info(void *opaque, uint32_t core, mcd_trig_info_st *out);
int vp__trig_insert(void *opaque, uint32_t core, uint32_t trig_id,
                    mcd_trig_complex_core_st *trig, struct mcdshm_status *st);
int vp__trig_remove(void *opaque, uint32_t core, uint32_t trig_id,
                    struct mcdshm_status *st);

/* ---- vp_trace.c: instruction trace ---- */

/**
 * vp__trace_init: trace OFF, FIFO of VP_TRACE_DEFAULT frames (allocated
 * when first armed), and the hart's frame batch.
 * @param h: the hart
 * @return 0, -ENOMEM, or -errno of pthread_mutex_init()
 */
int vp__trace_init(struct vp_hart *h);

/**
 * vp__trace_fini: free the trace; accepts a hart whose init failed.
 * @param h: the hart
 * @return nothing
 */
void vp__trace_fini(struct vp_hart *h);

/**
 * vp__trace_record: add the frame of one executed instruction to the
 * hart's batch, flushing a full batch (hart thread).
 * @param h: the hart
 * @param ret: what rv64_step() reported
 * @param instret: minstret before the instruction (its timestamp)
 * @param marker: MCD_TRACE_MARKER_* bits to add
 * @return nothing
 */
void vp__trace_record(struct vp_hart *h, const struct rv64_retire *ret,
                      uint64_t instret, uint32_t marker);

/**
 * vp__trace_flush: move the batch into the trace buffer (hart thread).
 * @param h: the hart
 * @return nothing
 */
void vp__trace_flush(struct vp_hart *h);

uint32_t vp__traces(void *opaque, uint32_t core, mcd_trace_info_st *out,
                    uint32_t max);
int vp__trace_state(void *opaque, uint32_t core, uint32_t trace_id,
                    mcd_trace_state_st *state, struct mcdshm_status *st);
int vp__set_trace_state(void *opaque, uint32_t core, uint32_t trace_id,
                        mcd_trace_state_st *state, struct mcdshm_status *st);
int vp__trace_stream(void *opaque, uint32_t core, uint32_t trace_id,
                     struct mcdshm_server *srv, struct mcdshm_status *st);
int vp__read_trace(void *opaque, uint32_t core, uint32_t trace_id,
                   uint64_t start, uint32_t *num, uint32_t frame_size,
                   void *frames, struct mcdshm_status *st);

/* ---- vp_ops.c ---- */

/* The operations table vp_target() hands out. */
extern const struct mcdshm_target_ops vp__ops;

/**
 * vp__check_core: fail unless core names a hart.
 * @param vp: the platform
 * @param core: core index
 * @param st: filled on failure
 * @return 0, or -1 with MCD_ERR_PARAM in st
 */
int vp__check_core(const struct vp *vp, uint32_t core,
                   struct mcdshm_status *st);

#endif /* MCDSHM_VP_PRIV_H */
