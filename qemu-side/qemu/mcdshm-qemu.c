/*
 * mcdshm-qemu.c - MCD over mcdshm inside QEMU: the glue between the mcdshm
 * server (include/mcdshm/server.h) and QEMU's internals.
 *
 *   -object iothread,id=io0 -mcd shm,name=qemu,iothread=io0
 *
 * The build script copies this file into QEMU's tree as softmmu/mcdshm.c
 * (qemu-side/qemu/build-qemu.sh; the hooks it needs are in
 * mcdshm-qemu-7.2.patch).
 *
 * Threads.  The server runs embedded (mcdshm_server_open()): its listening
 * socket, every connection's socket and request doorbell are fd handlers of
 * the IOThread's AioContext, which calls mcdshm_server_service() and then
 * re-syncs the handlers with mcdshm_server_fds().  The target declares
 * MCDSHM_EXEC_IO_THREAD, so every operation below runs on that IOThread:
 *   - physical memory is read and written with address_space_read/write()
 *     under RCU only (MMIO takes the BQL itself), so the guest keeps running
 *     while a debugger dumps RAM;
 *   - logical memory, registers, state and triggers take the BQL;
 *   - run control that changes the VM's run state (vm_prepare_start,
 *     vm_stop, pause_all_vcpus, system reset) must run on the main thread:
 *     it is scheduled there as a bottom half and the operation waits for it;
 *   - debug events (breakpoints, watchpoints, single steps) arrive on the
 *     vCPU thread through cpu_guest_debug_hook (the patch), with the BQL:
 *     mcdshm's events stop only the vCPU concerned (cpu->stopped), not the
 *     VM, so the other cores keep running; n single steps are counted there
 *     without a round trip per step.
 *
 * Run model.  A core runs when the VM runs and its vCPU is not stopped.  A
 * core is stopped per vCPU (cpu->stop + kick, as cpu_pause()); when every
 * core has stopped the VM is stopped too (RUN_STATE_DEBUG) so that the
 * virtual clock, which mcd_qry_current_time_f reports, stands still while
 * nothing executes.  Running one core starts the VM (vm_prepare_start)
 * without resuming the others, as the gdbstub's vCont does.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/rcu.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "qemu/config-file.h"
#include "qemu/option.h"
#include "block/aio.h"
#include "exec/gdbstub.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/core/cpu.h"
#include "sysemu/cpus.h"
#include "sysemu/hw_accel.h"
#include "sysemu/iothread.h"
#include "sysemu/runstate.h"
#include "sysemu/sysemu.h"
#include "elf.h"
#include "qemu-version.h"

#include "mcdshm/client.h"
#include "mcdshm/server.h"

/*
 * Memory spaces, the seed's layout: for each CPU address space i a PHYSICAL
 * space 2i+1 and a LOGICAL space 2i+2, then "GDB Registers" last (id
 * MQ_SPACE_REGS(cpu)).  Address space 0 is the one CPUs fetch from.
 */
#define MQ_SPACE_PHYS 1
#define MQ_SPACE_LOGICAL 2
#define MQ_MAX_ASES 8 /* QEMU 7.2 has at most 4 (Arm with MTE) */
#define MQ_NAS(cpu) ((uint32_t)MIN((cpu)->num_ases, MQ_MAX_ASES))
#define MQ_SPACE_REGS(cpu) (2 * MQ_NAS(cpu) + 1)
#define MQ_MAX_TRIGS 32
#define MQ_MAX_BP_PCS 1024 /* breakpoints one IP trigger may expand to */
#define MQ_MAX_GROUPS 16
#define MQ_MAX_REGS 8192
#define MQ_MAX_BLOCKS 64
#define MQ_WAIT_MS 5000 /* longest wait for a stop or n steps */
#define MQ_SSTEP (SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER)
#define MQ_RST_SYSTEM 0x1
#define MQ_RST_CORE 0x2
#define MQ_UNTIL_TICK_NS 100000 /* run_until: re-check after 100 us ... */
#define MQ_UNTIL_RETRIES 1000   /* ... at most 1000 times (0.1 s) */
#define MQ_TRACE_ID 1
#define MQ_TRACE_DEFAULT 65536  /* frames */
#define MQ_TRACE_MAX (1u << 24) /* frames: sanity limit */
#define MQ_PAGE 4096            /* granule of partial memory transactions */

/*
 * What differs between the architectures and QEMU does not describe (the
 * registers and their groups come from the gdbstub's feature descriptions
 * of whichever CPU runs, the memory spaces from its address spaces).
 */
typedef struct MqArch {
    uint32_t elf_machine; /* core_type (ELF e_machine) */
    uint32_t insn_align;  /* smallest instruction alignment, bytes: the
                           * granule of an IP trigger's range */
} MqArch;

static const MqArch mq_arch =
#if defined(TARGET_RISCV)
    { EM_RISCV, 2 }; /* C extension: 2-byte instructions */
#elif defined(TARGET_AARCH64)
    { EM_AARCH64, 2 }; /* AArch32 state runs T32 code too */
#elif defined(TARGET_ARM)
    { EM_ARM, 2 }; /* T32 */
#elif defined(TARGET_X86_64)
    { EM_X86_64, 1 };
#elif defined(TARGET_I386)
    { EM_386, 1 };
#else
    { EM_NONE, 1 };
#endif

typedef struct McdqReg {
    char name[MCD_REG_NAME_LEN];
    uint32_t regnum; /* GDB register number = address in MQ_SPACE_REGS */
    uint32_t bits;
    uint32_t group; /* 1-based */
} McdqReg;

typedef struct McdqGroup {
    char name[MCD_REG_NAME_LEN];
    uint32_t n;
} McdqGroup;

typedef struct McdqTrig {
    uint32_t id;     /* the core's trig_id; 0 = free slot */
    uint32_t type;   /* one MCD_TRIG_TYPE_* */
    bool global;     /* MCD_TRIG_ACTION_DBG_GLOBAL */
    uint64_t lo, hi; /* inclusive */
    CPUWatchpoint *wp;
    /* Data condition of a watchpoint (all zero in the request: none). */
    bool data;
    uint64_t data_lo, data_hi, data_mask;
    uint32_t data_size;
} McdqTrig;

/*
 * A core's instruction trace (BQL).  While it is on (ARM or TRIGGER) the
 * vCPU single-steps and the debug hook stores one frame per instruction;
 * while it is off nothing is changed in how the guest runs.  FIFO keeps the
 * newest frames, PIPE the oldest until read (a lost frame is counted and the
 * next stored one carries MCD_TRACE_MARKER_GAP).  While debuggers stream
 * the trace (trace_stream), frames go to their trace lanes instead.
 */
typedef struct McdqTrace {
    struct mcdshm_server *stream; /* qatomic: set by trace_stream */
    uint32_t state;
    struct mcdshm_tracebuf b; /* the frames, allocated once armed */
    bool run_marker; /* the next frame is the first of a run */
    uint64_t pc;     /* pc of the instruction executing now */
} McdqTrace;

typedef struct McdqCore {
    CPUState *cpu;
    bool global; /* takes part in global run control */
    /* Debug-event bookkeeping: BQL. */
    uint32_t steps_left; /* single steps still to do */
    uint32_t steps_done;
    bool stepping;    /* an MCD step is in progress */
    uint32_t trig_id; /* trigger that stopped it, or 0 */
    char stop_str[MCD_INFO_STR_LEN];
    QEMUTimer *until;  /* run_until's stop, or NULL */
    uint64_t until_pc; /* pc when run_until started it */
    uint32_t until_retries;
    McdqTrig trigs[MQ_MAX_TRIGS];
    McdqTrace tr;
} McdqCore;

typedef struct McdShm {
    /* From -mcd. */
    char *name;
    char *iothread_id;
    char *path;
    char *policy;

    IOThread *iothread;
    AioContext *ctx;
    struct mcdshm_server *srv;
    struct mcdshm_target target;
    struct mcdshm_window window; /* guest RAM, when it is a shared memfd */
    int *fds; /* registered with ctx */
    int nfds;

    uint32_t ncores;
    McdqCore *cores;
    McdqReg *regs; /* the same for every core (cpu 0's) */
    uint32_t nregs;
    McdqGroup groups[MQ_MAX_GROUPS];
    uint32_t ngroups;
    char device[MCD_UNIQUE_NAME_LEN];

    QemuMutex mu; /* wake-ups of waiting operations */
    QemuCond cond;
} McdShm;

static McdShm *mq_the; /* the one instance; the debug hook needs it */

/* ------------------------------------------------------------------------
 * Helpers
 */

static int mq_check_core(McdShm *s, uint32_t core, struct mcdshm_status *st)
{
    if (core >= s->ncores) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "core %" PRIu32 " does not exist: QEMU has %" PRIu32
                           " vCPUs (0..%" PRIu32 ")",
                           core, s->ncores, s->ncores - 1);
    }
    return 0;
}

static bool mq_targets(McdShm *s, uint32_t core, bool global, uint32_t i)
{
    return i == core || (global && s->cores[i].global);
}

/* Whether core @c's vCPU executes (BQL or a racy look for waits). */
static bool mq_running(McdqCore *c)
{
    return runstate_is_running() && !qatomic_read(&c->cpu->stopped) &&
           !qatomic_read(&c->cpu->stop);
}

/* The name of the current run state (QEMU 7.2 has no runstate_get()). */
static const char *mq_runstate(void)
{
    int i;

    for (i = 0; i < RUN_STATE__MAX; i++) {
        if (runstate_check(i)) {
            return RunState_str(i);
        }
    }
    return "unknown";
}

static uint64_t mq_pc(CPUState *cpu)
{
    CPUClass *cc = CPU_GET_CLASS(cpu);

    return cc->get_pc ? cc->get_pc(cpu) : 0;
}

static void mq_wake(McdShm *s)
{
    qemu_mutex_lock(&s->mu);
    qemu_cond_broadcast(&s->cond);
    qemu_mutex_unlock(&s->mu);
}

/* Wait up to MQ_WAIT_MS for @done(s, arg); returns whether it came true. */
static bool mq_wait(McdShm *s, bool (*done)(McdShm *s, void *arg), void *arg)
{
    int64_t end = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + MQ_WAIT_MS;
    bool ok;

    qemu_mutex_lock(&s->mu);
    while (!(ok = done(s, arg)) &&
           qemu_clock_get_ms(QEMU_CLOCK_REALTIME) < end) {
        qemu_cond_timedwait(&s->cond, &s->mu, 1);
    }
    qemu_mutex_unlock(&s->mu);
    return ok;
}

/* Running a function on the main thread (with the BQL) and waiting. */
typedef struct MqMainCall {
    void (*fn)(McdShm *s, void *arg);
    McdShm *s;
    void *arg;
    QemuSemaphore done;
} MqMainCall;

static void mq_main_bh(void *opaque)
{
    MqMainCall *c = opaque;

    c->fn(c->s, c->arg);
    qemu_sem_post(&c->done);
}

static void mq_on_main(McdShm *s, void (*fn)(McdShm *s, void *arg), void *arg)
{
    MqMainCall c = { .fn = fn, .s = s, .arg = arg };

    qemu_sem_init(&c.done, 0);
    aio_bh_schedule_oneshot(qemu_get_aio_context(), mq_main_bh, &c);
    qemu_sem_wait(&c.done);
    qemu_sem_destroy(&c.done);
}

/*
 * When no core executes any more, stop the VM too so that the virtual clock
 * stands still (main thread).
 */
static void mq_freeze_if_idle(McdShm *s)
{
    uint32_t i;

    if (!runstate_is_running()) {
        return;
    }
    for (i = 0; i < s->ncores; i++) {
        if (!s->cores[i].cpu->stopped) {
            return;
        }
    }
    vm_stop(RUN_STATE_DEBUG);
}

static void mq_freeze_bh(void *opaque)
{
    mq_freeze_if_idle(opaque);
}

static void mq_freeze_main(McdShm *s, void *arg)
{
    (void)arg;
    mq_freeze_if_idle(s);
}

/* ------------------------------------------------------------------------
 * Description
 */

static void mq_core_info(void *opaque, uint32_t core, mcd_core_con_info_st *ci)
{
    (void)opaque;
    /* One word, so that debuggers (mcdshm -C) can name it. */
    snprintf(ci->core, sizeof(ci->core), "cpu%" PRIu32, core);
    ci->core_type = mq_arch.elf_machine;
    ci->core_id = core;
}

static uint32_t mq_list(void *out, const void *all, uint32_t n, uint32_t max,
                        size_t size)
{
    if (max > 0) {
        memcpy(out, all, (max < n ? max : n) * size);
    }
    return n;
}

/* Mapped ranges of the CPU's address space, named after their regions. */
typedef struct MqBlocks {
    mcd_memblock_st *out;
    uint32_t n;
} MqBlocks;

static bool mq_block_cb(Int128 start, Int128 len, const MemoryRegion *mr,
                        hwaddr offset_in_region, void *opaque)
{
    static const uint32_t au[MCD_MEM_AUSIZE_NUM] = { 1, 2, 4, 8 };
    MqBlocks *bl = opaque;
    uint64_t lo = int128_get64(start);
    uint64_t hi = lo + int128_get64(len) - 1;
    mcd_memblock_st *b;

    (void)offset_in_region;
    /* One block per region: merge the pieces the flat view split. */
    if (bl->n > 0) {
        b = &bl->out[bl->n - 1];
        if (b->end_addr + 1 == lo &&
            !strncmp(b->mem_block_name, memory_region_name(mr),
                     sizeof(b->mem_block_name) - 1)) {
            b->end_addr = hi;
            return false;
        }
    }
    if (bl->n == MQ_MAX_BLOCKS) {
        return true;
    }
    b = &bl->out[bl->n++];
    memset(b, 0, sizeof(*b));
    b->mem_block_id = bl->n;
    snprintf(b->mem_block_name, sizeof(b->mem_block_name), "%s",
             memory_region_name(mr));
    b->parent_id = MCD_MEM_BLOCK_NOPARENT;
    b->start_addr = lo;
    b->end_addr = hi;
    b->endian = MCD_ENDIAN_LITTLE;
    memcpy(b->supported_au_sizes, au, sizeof(au));
    b->supported_access_options =
        MCD_TX_OPT_SIDE_EFFECTS | MCD_TX_OPT_NO_SIDE_EFFECTS;
    return false;
}

static uint32_t mq_blocks(McdShm *s, uint32_t core, int asidx,
                          mcd_memblock_st *all)
{
    MqBlocks bl = { all, 0 };
    AddressSpace *as = cpu_get_address_space(s->cores[core].cpu, asidx);

    RCU_READ_LOCK_GUARD();
    flatview_for_each_range(address_space_to_flatview(as), mq_block_cb, &bl);
    return bl.n;
}

static void mq_space(mcd_memspace_st *sp, uint32_t id, const char *name,
                     uint32_t type, uint64_t max, uint32_t nblocks)
{
    memset(sp, 0, sizeof(*sp));
    sp->mem_space_id = id;
    snprintf(sp->mem_space_name, sizeof(sp->mem_space_name), "%s", name);
    sp->mem_type = type;
    sp->bits_per_mau = 8;
    sp->invariance = 1;
    sp->endian = MCD_ENDIAN_LITTLE;
    sp->max_addr = max;
    sp->num_mem_blocks = nblocks;
    sp->supported_access_options =
        MCD_TX_OPT_SIDE_EFFECTS | MCD_TX_OPT_NO_SIDE_EFFECTS;
}

/*
 * The CPU address space that secure accesses use, or -1 when there is only
 * one (Arm's TrustZone: "cpu-secure-memory"; x86: SMM, "cpu-smm").
 */
static int mq_secure_as(CPUState *cpu)
{
    MemTxAttrs sec = { .secure = 1 };
    int i;

    if (cpu->num_ases < 2) {
        return -1;
    }
    i = cpu_asidx_from_attrs(cpu, sec);
    return i != cpu_asidx_from_attrs(cpu, MEMTXATTRS_UNSPECIFIED) ? i : -1;
}

/*
 * Memory space @id of @cpu as a CPU address space: its index, whether it
 * is the LOGICAL one; false for "GDB Registers" and ids that do not exist.
 */
static bool mq_space_as(CPUState *cpu, uint32_t id, int *asidx, bool *logical)
{
    if (id < 1 || id >= MQ_SPACE_REGS(cpu)) {
        return false;
    }
    *asidx = (int)((id - 1) / 2);
    *logical = (id - 1) % 2 == 1;
    return true;
}

static uint32_t mq_mem_spaces(void *opaque, uint32_t core, mcd_memspace_st *out,
                              uint32_t max)
{
    McdShm *s = opaque;
    CPUState *cpu = s->cores[core].cpu;
    mcd_memblock_st *blocks = g_new(mcd_memblock_st, MQ_MAX_BLOCKS);
    mcd_memspace_st all[2 * MQ_MAX_ASES + 1];
    int secure = mq_secure_as(cpu);
    uint32_t n = 0, flag;
    AddressSpace *as;
    int i;

    for (i = 0; i < (int)MQ_NAS(cpu); i++) {
        as = cpu_get_address_space(cpu, i);
        flag = i == secure ? MCD_MEM_SPACE_IS_SECURE : 0;
        mq_space(&all[n], n + 1, memory_region_name(as->root),
                 MCD_MEM_SPACE_IS_PHYSICAL | flag, UINT64_MAX,
                 mq_blocks(s, core, i, blocks));
        n++;
        mq_space(&all[n], n + 1, as->name, MCD_MEM_SPACE_IS_LOGICAL | flag,
                 UINT64_MAX, 0);
        n++;
    }
    g_free(blocks);
    mq_space(&all[n], n + 1, "GDB Registers", MCD_MEM_SPACE_IS_REGISTERS,
             MQ_MAX_REGS - 1, 0);
    n++;
    return mq_list(out, all, n, max, sizeof(all[0]));
}

static uint32_t mq_mem_blocks(void *opaque, uint32_t core, uint32_t space,
                              mcd_memblock_st *out, uint32_t max)
{
    McdShm *s = opaque;
    mcd_memblock_st *all;
    bool logical;
    uint32_t n;
    int asidx;

    if (!mq_space_as(s->cores[core].cpu, space, &asidx, &logical) || logical) {
        return 0;
    }
    all = g_new(mcd_memblock_st, MQ_MAX_BLOCKS);
    n = mq_blocks(s, core, asidx, all);
    n = mq_list(out, all, n, max, sizeof(all[0]));
    g_free(all);
    return n;
}

static uint32_t mq_reg_groups(void *opaque, uint32_t core,
                              mcd_register_group_st *out, uint32_t max)
{
    McdShm *s = opaque;
    uint32_t i;

    (void)core;
    for (i = 0; i < s->ngroups && i < max; i++) {
        memset(&out[i], 0, sizeof(out[i]));
        out[i].reg_group_id = i + 1;
        snprintf(out[i].reg_group_name, sizeof(out[i].reg_group_name), "%s",
                 s->groups[i].name);
        out[i].n_registers = s->groups[i].n;
    }
    return s->ngroups;
}

static uint32_t mq_regs(void *opaque, uint32_t core, uint32_t group,
                        mcd_register_info_st *out, uint32_t max)
{
    McdShm *s = opaque;
    mcd_register_info_st *r;
    uint32_t i, n = 0;

    for (i = 0; i < s->nregs; i++) {
        if (group != 0 && s->regs[i].group != group) {
            continue;
        }
        if (n < max) {
            r = &out[n];
            memset(r, 0, sizeof(*r));
            r->addr.address = s->regs[i].regnum;
            r->addr.mem_space_id = MQ_SPACE_REGS(s->cores[core].cpu);
            r->reg_group_id = s->regs[i].group;
            snprintf(r->regname, sizeof(r->regname), "%s", s->regs[i].name);
            r->regsize = s->regs[i].bits;
            r->reg_type = MCD_REG_TYPE_SIMPLE;
            r->hw_thread_id = core + 1;
        }
        n++;
    }
    return n;
}

static void mq_trig_info(void *opaque, uint32_t core, mcd_trig_info_st *out)
{
    (void)opaque;
    (void)core;
    memset(out, 0, sizeof(*out));
    out->type = MCD_TRIG_TYPE_IP | MCD_TRIG_TYPE_READ | MCD_TRIG_TYPE_WRITE |
                MCD_TRIG_TYPE_RW;
    out->option = MCD_TRIG_OPT_DEFAULT;
    out->action = MCD_TRIG_ACTION_DBG_DEBUG | MCD_TRIG_ACTION_DBG_GLOBAL;
    out->trig_number = MQ_MAX_TRIGS;
    out->sw_breakpoints = FALSE;
}

static uint32_t mq_rst_classes(void *opaque, uint32_t core,
                               mcd_rst_info_st out[32])
{
    (void)opaque;
    (void)core;
    memset(out, 0, 2 * sizeof(out[0]));
    out[0].class_vector = MQ_RST_SYSTEM;
    snprintf(out[0].info_str, sizeof(out[0].info_str),
             "system reset: qemu_system_reset(), every device and vCPU; "
             "the loaded images are copied into memory again");
    out[1].class_vector = MQ_RST_CORE;
    snprintf(out[1].info_str, sizeof(out[1].info_str),
             "core reset: cpu_reset() of this vCPU only (pc = its reset "
             "vector)");
    return MQ_RST_SYSTEM | MQ_RST_CORE;
}

/* ------------------------------------------------------------------------
 * Registers: the gdbstub's register descriptions
 */

typedef struct MqXml {
    McdShm *s;
    uint32_t group;
    uint32_t next; /* GDB number of the next register without regnum= */
    uint32_t end;
} MqXml;

static void mq_xml_start(GMarkupParseContext *ctx, const char *element,
                         const char **names, const char **values,
                         gpointer opaque, GError **error)
{
    MqXml *x = opaque;
    McdShm *s = x->s;
    const char *name = NULL;
    uint32_t bits = 0, regnum = x->next;
    McdqReg *r;
    int i;

    (void)ctx;
    (void)error;
    if (!strcmp(element, "feature")) {
        for (i = 0; names[i]; i++) {
            if (!strcmp(names[i], "name") && x->group <= MQ_MAX_GROUPS) {
                snprintf(s->groups[x->group - 1].name,
                         sizeof(s->groups[0].name), "%s", values[i]);
            }
        }
        return;
    }
    if (strcmp(element, "reg") != 0) {
        return;
    }
    for (i = 0; names[i]; i++) {
        if (!strcmp(names[i], "name")) {
            name = values[i];
        } else if (!strcmp(names[i], "bitsize")) {
            bits = (uint32_t)strtoul(values[i], NULL, 0);
        } else if (!strcmp(names[i], "regnum")) {
            regnum = (uint32_t)strtoul(values[i], NULL, 0);
        }
    }
    x->next = regnum + 1;
    if (!name || regnum >= x->end || s->nregs >= MQ_MAX_REGS ||
        x->group > MQ_MAX_GROUPS) {
        return;
    }
    r = &s->regs[s->nregs++];
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->regnum = regnum;
    r->bits = bits;
    r->group = x->group;
    s->groups[x->group - 1].n++;
}

static void mq_feature(const char *xml, int base, int num, void *opaque)
{
    static const GMarkupParser parser = { .start_element = mq_xml_start };
    McdShm *s = opaque;
    MqXml x = { s, s->ngroups + 1, (uint32_t)base, (uint32_t)(base + num) };
    GMarkupParseContext *ctx;

    if (s->ngroups >= MQ_MAX_GROUPS) {
        return;
    }
    s->ngroups++;
    ctx = g_markup_parse_context_new(&parser, 0, &x, NULL);
    if (!g_markup_parse_context_parse(ctx, xml, -1, NULL)) {
        warn_report("mcdshm: a register description did not parse");
    }
    g_markup_parse_context_free(ctx);
    if (s->groups[s->ngroups - 1].n == 0) {
        s->ngroups--; /* nothing usable in it */
    }
}

/*
 * Drop the registers a feature description lists but the CPU cannot read
 * (RISC-V's CSR description has pmpcfg1 and pmpcfg3 on RV64, whose reads
 * fail): a debugger reading a whole group must not stop at one (BQL).
 */
static void mq_drop_unreadable(McdShm *s, CPUState *cpu)
{
    GByteArray *buf = g_byte_array_new();
    uint32_t i, n = 0;

    for (i = 0; i < s->nregs; i++) {
        g_byte_array_set_size(buf, 0);
        if (gdb_debug_read_register(cpu, buf, (int)s->regs[i].regnum) !=
            (int)(s->regs[i].bits / 8)) {
            s->groups[s->regs[i].group - 1].n--;
            continue;
        }
        s->regs[n++] = s->regs[i];
    }
    s->nregs = n;
    g_byte_array_unref(buf);
}

static const McdqReg *mq_reg_find(McdShm *s, uint64_t regnum)
{
    uint32_t i;

    for (i = 0; i < s->nregs; i++) {
        if (s->regs[i].regnum == regnum) {
            return &s->regs[i];
        }
    }
    return NULL;
}

static int mq_reg_tx(McdShm *s, uint32_t core, mcd_tx_st *tx,
                     struct mcdshm_status *st)
{
    CPUState *cpu = s->cores[core].cpu;
    bool wr = tx->access_type == MCD_TX_AT_W;
    GByteArray *buf = g_byte_array_new();
    uint64_t regnum = tx->addr.address;
    const McdqReg *r;
    uint32_t size;
    int rc = 0, n;

    if (tx->access_type != MCD_TX_AT_R && tx->access_type != MCD_TX_AT_W) {
        g_byte_array_unref(buf);
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "register transactions are R (0x1) or W (0x2), "
                           "not access_type 0x%x",
                           (unsigned)tx->access_type);
    }
    qemu_mutex_lock_iothread();
    if (mq_running(&s->cores[core])) {
        rc = mcdshm_fail(st, MCD_ERR_DEVICE_ACCESS,
                         "core %" PRIu32 " is running: stop it to access "
                         "its registers",
                         core);
        goto out;
    }
    cpu_synchronize_state(cpu);
    while (tx->num_bytes_ok < tx->num_bytes) {
        r = mq_reg_find(s, regnum);
        if (!r) {
            rc =
                mcdshm_fail(st, wr ? MCD_ERR_TXLIST_WRITE : MCD_ERR_TXLIST_READ,
                            "register address %" PRIu64 " is no register of "
                            "core %" PRIu32 " (see mcd_qry_reg_map_f)",
                            regnum, core);
            goto out;
        }
        size = r->bits / 8;
        if (tx->num_bytes - tx->num_bytes_ok < size) {
            rc = mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                             "register %s has %" PRIu32 " bytes, the "
                             "transaction only %" PRIu32 " left",
                             r->name, size, tx->num_bytes - tx->num_bytes_ok);
            goto out;
        }
        if (wr) {
            n = gdb_debug_write_register(cpu, tx->data + tx->num_bytes_ok,
                                         (int)regnum);
        } else {
            g_byte_array_set_size(buf, 0);
            n = gdb_debug_read_register(cpu, buf, (int)regnum);
            if (n == (int)size) {
                memcpy(tx->data + tx->num_bytes_ok, buf->data, size);
            }
        }
        if (n != (int)size) {
            rc =
                mcdshm_fail(st, wr ? MCD_ERR_TXLIST_WRITE : MCD_ERR_TXLIST_READ,
                            "QEMU could not %s register %s of core %" PRIu32,
                            wr ? "write" : "read", r->name, core);
            goto out;
        }
        tx->num_bytes_ok += size;
        regnum++;
    }
out:
    qemu_mutex_unlock_iothread();
    g_byte_array_unref(buf);
    return rc;
}

/* ------------------------------------------------------------------------
 * Memory
 */

static int mq_mem_tx(McdShm *s, uint32_t core, mcd_tx_st *tx,
                     struct mcdshm_status *st)
{
    CPUState *cpu = s->cores[core].cpu;
    bool wr = tx->access_type == MCD_TX_AT_W;
    uint64_t addr = tx->addr.address;
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;
    uint32_t len, left;
    bool chunked = false, logical;
    AddressSpace *as;
    int r, asidx;

    if (!mq_space_as(cpu, tx->addr.mem_space_id, &asidx, &logical)) {
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "mem_space_id %" PRIu32 " is no memory space "
                           "(see mcd_qry_mem_spaces_f)",
                           tx->addr.mem_space_id);
    }
    as = cpu_get_address_space(cpu, asidx);
    if (asidx == mq_secure_as(cpu)) {
        /* A secure space's accesses are secure transactions. */
        attrs = (MemTxAttrs){ .secure = 1 };
    }

    if (tx->access_type != MCD_TX_AT_R && tx->access_type != MCD_TX_AT_W) {
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "memory transactions are R (0x1) or W (0x2) on "
                           "QEMU, not access_type 0x%x",
                           (unsigned)tx->access_type);
    }
    if (tx->num_bytes && addr > UINT64_MAX - (tx->num_bytes - 1)) {
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "address 0x%" PRIx64 " + num_bytes %" PRIu32
                           " runs past the end of the address space",
                           addr, tx->num_bytes);
    }
    if (logical) {
        qemu_mutex_lock_iothread();
    }
    while (tx->num_bytes_ok < tx->num_bytes) {
        left = tx->num_bytes - tx->num_bytes_ok;
        /* The whole rest at once; after a failure page by page, so that
         * num_bytes_ok says how far it got. */
        len = chunked ? MIN(left, MQ_PAGE - (addr & (MQ_PAGE - 1))) : left;
        if (logical) {
            r = cpu_memory_rw_debug(cpu, addr, tx->data + tx->num_bytes_ok, len,
                                    wr);
        } else if (wr) {
            r = address_space_write(as, addr, attrs,
                                    tx->data + tx->num_bytes_ok, len);
        } else {
            r = address_space_read(as, addr, attrs,
                                   tx->data + tx->num_bytes_ok, len);
        }
        if (r != 0) {
            if (!chunked && len > 1) {
                chunked = true;
                continue;
            }
            if (logical) {
                qemu_mutex_unlock_iothread();
            }
            return mcdshm_fail(
                st, wr ? MCD_ERR_TXLIST_WRITE : MCD_ERR_TXLIST_READ,
                "%s %s at 0x%" PRIx64 " in %s failed: %s",
                logical ? "logical" : "physical", wr ? "write" : "read", addr,
                as->name,
                logical ? "no mapping for this address"
                        : "nothing mapped there (or the device "
                          "refused the access)");
        }
        tx->num_bytes_ok += len;
        addr += len;
    }
    if (logical) {
        qemu_mutex_unlock_iothread();
    }
    return 0;
}

static int mq_access(void *opaque, uint32_t core, mcd_tx_st *tx,
                     struct mcdshm_status *st)
{
    McdShm *s = opaque;

    tx->num_bytes_ok = 0;
    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    if (!tx->data && tx->num_bytes != 0) {
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "data is NULL for num_bytes %" PRIu32,
                           tx->num_bytes);
    }
    if (tx->addr.mem_space_id == MQ_SPACE_REGS(s->cores[core].cpu)) {
        return mq_reg_tx(s, core, tx, st);
    }
    return mq_mem_tx(s, core, tx, st);
}

/* ------------------------------------------------------------------------
 * Debug events, on the vCPU thread with the BQL
 */

static McdqCore *mq_core_of(McdShm *s, CPUState *cpu)
{
    uint32_t i;

    for (i = 0; i < s->ncores; i++) {
        if (s->cores[i].cpu == cpu) {
            return &s->cores[i];
        }
    }
    return NULL;
}

/* Stop the other global cores after a DBG_GLOBAL trigger of @hit. */
static void mq_stop_global(McdShm *s, McdqCore *hit)
{
    uint32_t i;

    for (i = 0; i < s->ncores; i++) {
        McdqCore *c = &s->cores[i];

        if (c != hit && c->global && !c->cpu->stopped) {
            snprintf(c->stop_str, sizeof(c->stop_str),
                     "stopped by a global trigger of core %u",
                     (unsigned)(hit - s->cores));
            c->trig_id = 0;
            c->cpu->stop = true;
            qemu_cpu_kick(c->cpu);
        }
    }
}

/*
 * A watchpoint's data condition, checked after the access (QEMU stops
 * after it): the @size bytes at @addr, masked (set bits of data_mask are
 * ignored), must lie in [data_start, data_start + data_range].
 */
static bool mq_data_match(CPUState *cpu, McdqTrig *t, uint64_t addr)
{
    uint8_t b[8] = { 0 };
    uint64_t v = 0;
    int i;

    if (cpu_memory_rw_debug(cpu, addr, b, t->data_size, false) != 0) {
        return true; /* cannot tell: stop rather than miss it */
    }
    for (i = (int)t->data_size - 1; i >= 0; i--) {
        v = v << 8 | b[i];
    }
    v &= ~t->data_mask;
    return v >= (t->data_lo & ~t->data_mask) &&
           v <= (t->data_hi & ~t->data_mask);
}

static bool mq_trace_on(McdqCore *c)
{
    return c->tr.b.buf && (c->tr.state == MCD_TRACE_STATE_ARM ||
                         c->tr.state == MCD_TRACE_STATE_TRIGGER);
}

/* Store one frame (BQL), or stream it to the debuggers' lanes. */
static void mq_trace_put(McdqTrace *tr, uint32_t core,
                         const mcd_trace_data_core_st *f)
{
    struct mcdshm_server *stream = qatomic_read(&tr->stream);

    if (!stream || !mcdshm_server_trace_put(stream, core, MQ_TRACE_ID, f, 1)) {
        mcdshm_tracebuf_put(&tr->b, f);
    }
}

/* The instruction at c->tr.pc has executed and the core is at @pc now. */
static void mq_trace_record(McdqCore *c, uint64_t pc)
{
    mcd_trace_data_core_st f;
    uint8_t b[4] = { 0 };

    memset(&f, 0, sizeof(f));
    f.timestamp = (uint64_t)qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) * 1000;
    f.marker = c->tr.run_marker ? MCD_TRACE_MARKER_RUN : 0;
    f.cycle = MCD_TRACE_CYCLE_EXECUTE;
    f.addr.address = c->tr.pc;
    f.addr.mem_space_id = MQ_SPACE_PHYS;
    if (cpu_memory_rw_debug(c->cpu, c->tr.pc, b, 4, false) != 0) {
        f.marker |= MCD_TRACE_MARKER_ERROR;
    }
    f.data = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
             (uint64_t)b[3] << 24;
    f.data_width = 4;
#if defined(TARGET_RISCV)
    if ((f.data & 3) != 3) { /* a compressed instruction */
        f.data &= 0xffff;
        f.data_width = 2;
    }
#endif
    f.source = (uint16_t)(c - mq_the->cores);
    mq_trace_put(&c->tr, f.source, &f);
    c->tr.run_marker = false;
    c->tr.pc = pc;
}

static int mq_debug_hook(CPUState *cpu)
{
    McdShm *s = qatomic_read(&mq_the);
    McdqCore *c = s ? mq_core_of(s, cpu) : NULL;
    CPUWatchpoint *wp = cpu->watchpoint_hit;
    uint64_t pc = mq_pc(cpu);
    McdqTrig *t = NULL;
    bool tracing;
    uint32_t i;

    if (!c) {
        return 0;
    }
    tracing = mq_trace_on(c) && cpu->singlestep_enabled;
    if (tracing) {
        mq_trace_record(c, pc);
    }
    if (c->stepping) {
        c->steps_done++;
        if (--c->steps_left > 0) {
            return 2; /* the next single step */
        }
        c->stepping = false;
        c->trig_id = 0;
        snprintf(c->stop_str, sizeof(c->stop_str), "stepped");
        mq_wake(s);
        aio_bh_schedule_oneshot(qemu_get_aio_context(), mq_freeze_bh, s);
        return 1;
    }
    for (i = 0; i < MQ_MAX_TRIGS && !t; i++) {
        McdqTrig *x = &c->trigs[i];

        if (!x->id) {
            continue;
        }
        if (wp && x->wp == wp) {
            t = x;
        } else if (!wp && x->type == MCD_TRIG_TYPE_IP && pc >= x->lo &&
                   pc <= x->hi) {
            t = x;
        }
    }
    if (!t) {
        /* Tracing: the next instruction; else the gdbstub's event. */
        return tracing ? 2 : 0;
    }
    if (wp && t->data && !mq_data_match(cpu, t, wp->hitaddr)) {
        cpu->watchpoint_hit = NULL;
        return 2; /* the value is not the one asked for: go on */
    }
    if (wp) {
        cpu->watchpoint_hit = NULL;
        snprintf(c->stop_str, sizeof(c->stop_str),
                 "trigger %" PRIu32 ": %s of 0x%" PRIx64, t->id,
                 (wp->flags & BP_WATCHPOINT_HIT_WRITE) ? "write" : "read",
                 (uint64_t)wp->hitaddr);
    } else {
        snprintf(c->stop_str, sizeof(c->stop_str),
                 "trigger %" PRIu32 ": breakpoint at 0x%" PRIx64, t->id, pc);
    }
    c->trig_id = t->id;
    if (t->global) {
        mq_stop_global(s, c);
    }
    mq_wake(s);
    aio_bh_schedule_oneshot(qemu_get_aio_context(), mq_freeze_bh, s);
    return 1;
}

/* ------------------------------------------------------------------------
 * Run control
 */

typedef struct MqRun {
    uint32_t core;
    bool global;
    bool step; /* start core as a single step of n instructions */
    uint32_t n;
} MqRun;

/* Main thread: let the VM run and resume the target cores. */
static void mq_run_main(McdShm *s, void *arg)
{
    MqRun *r = arg;
    uint32_t i;

    if (runstate_needs_reset()) {
        return;
    }
    if (!runstate_is_running()) {
        if (vm_prepare_start(r->step) != 0) {
            return;
        }
        qemu_clock_enable(QEMU_CLOCK_VIRTUAL, true);
    }
    for (i = 0; i < s->ncores; i++) {
        McdqCore *c = &s->cores[i];

        if (!mq_targets(s, r->core, r->global, i)) {
            continue;
        }
        if (r->step) {
            c->stepping = true;
            c->steps_left = r->n;
            c->steps_done = 0;
            cpu_single_step(c->cpu, MQ_SSTEP);
        } else if (!c->cpu->stopped && !c->cpu->stop) {
            continue; /* already running */
        } else {
            /* Tracing means stepping; otherwise full speed. */
            cpu_single_step(c->cpu, mq_trace_on(c) ? MQ_SSTEP : 0);
        }
        c->tr.pc = mq_pc(c->cpu);
        c->tr.run_marker = true;
        c->trig_id = 0;
        c->stop_str[0] = '\0';
        cpu_resume(c->cpu);
    }
}

/* Main thread: ask the target cores to stop. */
static void mq_stop_main(McdShm *s, void *arg)
{
    MqRun *r = arg;
    uint32_t i;

    for (i = 0; i < s->ncores; i++) {
        McdqCore *c = &s->cores[i];

        if (mq_targets(s, r->core, r->global, i) && !c->cpu->stopped) {
            c->cpu->stop = true;
            qemu_cpu_kick(c->cpu);
            c->trig_id = 0;
            snprintf(c->stop_str, sizeof(c->stop_str), "stopped by debugger");
        }
    }
}

static void mq_step_end_main(McdShm *s, void *arg)
{
    MqRun *r = arg;
    uint32_t i;

    for (i = 0; i < s->ncores; i++) {
        McdqCore *c = &s->cores[i];

        if (mq_targets(s, r->core, r->global, i)) {
            c->stepping = false;
            cpu_single_step(c->cpu, 0);
        }
    }
    mq_freeze_if_idle(s);
}

static bool mq_all_stopped(McdShm *s, void *arg)
{
    MqRun *r = arg;
    uint32_t i;

    for (i = 0; i < s->ncores; i++) {
        if (mq_targets(s, r->core, r->global, i) &&
            !qatomic_read(&s->cores[i].cpu->stopped) && runstate_is_running()) {
            return false;
        }
    }
    return true;
}

static bool mq_steps_done(McdShm *s, void *arg)
{
    MqRun *r = arg;
    uint32_t i;

    for (i = 0; i < s->ncores; i++) {
        if (mq_targets(s, r->core, r->global, i) &&
            qatomic_read(&s->cores[i].stepping)) {
            return false;
        }
    }
    return true;
}

/* Whether core @i sits on one of its own breakpoints (BQL). */
static bool mq_at_bp(McdShm *s, uint32_t i)
{
    McdqCore *c = &s->cores[i];
    uint64_t pc = mq_pc(c->cpu);
    uint32_t k;

    for (k = 0; k < MQ_MAX_TRIGS; k++) {
        if (c->trigs[k].id && c->trigs[k].type == MCD_TRIG_TYPE_IP &&
            pc >= c->trigs[k].lo && pc <= c->trigs[k].hi) {
            return true;
        }
    }
    return false;
}

static int mq_check_stopped(McdShm *s, MqRun *r, const char *op,
                            struct mcdshm_status *st)
{
    uint32_t i;

    for (i = 0; i < s->ncores; i++) {
        if (mq_targets(s, r->core, r->global, i) && mq_running(&s->cores[i])) {
            return mcdshm_fail(st, MCD_ERR_GENERAL,
                               "core %" PRIu32 " is running: stop it before %s",
                               i, op);
        }
    }
    return 0;
}

/* n single steps of the target cores; returns once they are done. */
/* Steps done so far by the target cores (for a wait that sees progress). */
static uint64_t mq_steps_sum(McdShm *s, MqRun *r)
{
    uint64_t sum = 0;
    uint32_t i;

    for (i = 0; i < s->ncores; i++) {
        if (mq_targets(s, r->core, r->global, i)) {
            sum += qatomic_read(&s->cores[i].steps_done);
        }
    }
    return sum;
}

static int mq_do_step(McdShm *s, MqRun *r, struct mcdshm_status *st)
{
    uint64_t before;
    bool ok;

    mq_on_main(s, mq_run_main, r);
    /* Many steps may take long: give up only when MQ_WAIT_MS pass
     * without a single one. */
    do {
        before = mq_steps_sum(s, r);
        ok = mq_wait(s, mq_steps_done, r);
    } while (!ok && mq_steps_sum(s, r) != before);
    if (!ok) {
        mq_on_main(s, mq_stop_main, r);
        mq_wait(s, mq_all_stopped, r);
    }
    mq_on_main(s, mq_step_end_main, r);
    if (!ok) {
        return mcdshm_fail(st, MCD_ERR_GENERAL,
                           "core %" PRIu32 " did not finish %" PRIu32
                           " steps: none for %d ms (waiting in wfi?); "
                           "stopped it",
                           r->core, r->n, MQ_WAIT_MS);
    }
    return 0;
}

/* Step the target cores that sit on a breakpoint past it. */
static int mq_step_over_bps(McdShm *s, MqRun *r, struct mcdshm_status *st)
{
    uint32_t i;
    bool at;

    for (i = 0; i < s->ncores; i++) {
        MqRun one = { .core = i, .global = false, .step = true, .n = 1 };

        if (!mq_targets(s, r->core, r->global, i)) {
            continue;
        }
        qemu_mutex_lock_iothread();
        at = !mq_running(&s->cores[i]) && mq_at_bp(s, i);
        qemu_mutex_unlock_iothread();
        if (at && mq_do_step(s, &one, st) < 0) {
            return -1;
        }
    }
    return 0;
}

static int mq_run(void *opaque, uint32_t core, bool global,
                  struct mcdshm_status *st)
{
    McdShm *s = opaque;
    MqRun r = { .core = core, .global = global };

    if (mq_check_core(s, core, st) < 0 || mq_step_over_bps(s, &r, st) < 0) {
        return -1;
    }
    mq_on_main(s, mq_run_main, &r);
    if (runstate_needs_reset()) {
        return mcdshm_fail(st, MCD_ERR_GENERAL,
                           "the VM needs a reset before it can run (run "
                           "state %s)",
                           mq_runstate());
    }
    return 0;
}

static int mq_stop(void *opaque, uint32_t core, bool global,
                   struct mcdshm_status *st)
{
    McdShm *s = opaque;
    MqRun r = { .core = core, .global = global };

    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    mq_on_main(s, mq_stop_main, &r);
    if (!mq_wait(s, mq_all_stopped, &r)) {
        return mcdshm_fail(st, MCD_ERR_GENERAL,
                           "core %" PRIu32 " did not stop within %d ms", core,
                           MQ_WAIT_MS);
    }
    mq_on_main(s, mq_freeze_main, NULL);
    return 0;
}

static int mq_step(void *opaque, uint32_t core, bool global,
                   mcd_core_step_type_et type, uint32_t n,
                   struct mcdshm_status *st)
{
    McdShm *s = opaque;
    MqRun r = { .core = core, .global = global, .step = true, .n = n };
    int rc;

    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    if (type != MCD_CORE_STEP_TYPE_INSTR) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "step type 0x%x is not supported by QEMU: TCG "
                           "counts instructions (INSTR 0x2), not cycles",
                           (unsigned)type);
    }
    qemu_mutex_lock_iothread();
    rc = mq_check_stopped(s, &r, "stepping", st);
    qemu_mutex_unlock_iothread();
    if (rc < 0 || n == 0) {
        return rc;
    }
    return mq_do_step(s, &r, st);
}

static void mq_until_cb(void *opaque)
{
    McdqCore *c = opaque;

    /*
     * The virtual clock runs from the moment the VM starts, a vCPU only a
     * little later (its thread wakes, it translates): when the time comes
     * before the core has left its start pc, give it up to MQ_UNTIL_RETRIES
     * more ticks of MQ_UNTIL_TICK_NS so that run_until never ends with
     * nothing executed.  The time reached is still >= the time asked.
     */
    if (!c->cpu->stopped && mq_pc(c->cpu) == c->until_pc &&
        c->until_retries++ < MQ_UNTIL_RETRIES) {
        timer_mod(c->until,
                  qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + MQ_UNTIL_TICK_NS);
        return;
    }
    if (!c->cpu->stopped) {
        c->cpu->stop = true;
        qemu_cpu_kick(c->cpu);
        c->trig_id = 0;
        snprintf(c->stop_str, sizeof(c->stop_str), "run_until time reached");
    }
    if (mq_the) {
        mq_wake(mq_the);
        aio_bh_schedule_oneshot(qemu_get_aio_context(), mq_freeze_bh, mq_the);
    }
}

typedef struct MqUntil {
    MqRun r;
    bool absolute;
    uint64_t ps;
} MqUntil;

static void mq_until_main(McdShm *s, void *arg)
{
    MqUntil *u = arg;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t at = (int64_t)MIN(u->ps / 1000, (uint64_t)INT64_MAX / 2);
    uint32_t i;

    if (!u->absolute) {
        at += now;
    }
    for (i = 0; i < s->ncores; i++) {
        McdqCore *c = &s->cores[i];

        if (!mq_targets(s, u->r.core, u->r.global, i)) {
            continue;
        }
        if (!c->until) {
            c->until = timer_new_ns(QEMU_CLOCK_VIRTUAL, mq_until_cb, c);
        }
        c->until_pc = mq_pc(c->cpu);
        c->until_retries = 0;
        timer_mod(c->until, at);
    }
    mq_run_main(s, &u->r);
}

static int mq_run_until(void *opaque, uint32_t core, bool global, bool absolute,
                        uint64_t time, struct mcdshm_status *st)
{
    McdShm *s = opaque;
    MqUntil u = { .r = { .core = core, .global = global },
                  .absolute = absolute,
                  .ps = time };
    int rc;

    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    qemu_mutex_lock_iothread();
    rc = mq_check_stopped(s, &u.r, "run_until", st);
    qemu_mutex_unlock_iothread();
    if (rc < 0 || mq_step_over_bps(s, &u.r, st) < 0) {
        return -1;
    }
    mq_on_main(s, mq_until_main, &u);
    return 0;
}

static int mq_set_global(void *opaque, uint32_t core, bool enable,
                         struct mcdshm_status *st)
{
    McdShm *s = opaque;

    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    qemu_mutex_lock_iothread();
    s->cores[core].global = enable;
    qemu_mutex_unlock_iothread();
    return 0;
}

static int mq_state(void *opaque, uint32_t core, mcd_core_state_st *state,
                    struct mcdshm_status *st)
{
    McdShm *s = opaque;
    McdqCore *c;

    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    c = &s->cores[core];
    memset(state, 0, offsetof(mcd_core_state_st, stop_str) + 1);
    state->info_str[0] = '\0';
    qemu_mutex_lock_iothread();
    if (mq_running(c)) {
        state->state =
            c->cpu->halted ? MCD_CORE_STATE_HALTED : MCD_CORE_STATE_RUNNING;
        snprintf(state->info_str, sizeof(state->info_str), "%s",
                 c->cpu->halted ? "waiting for an interrupt (wfi)" : "");
    } else {
        state->state = MCD_CORE_STATE_DEBUG;
        state->hw_thread_id = core + 1;
        state->trig_id = c->trig_id;
        if (c->stop_str[0]) {
            snprintf(state->stop_str, sizeof(state->stop_str), "%s",
                     c->stop_str);
        } else {
            snprintf(state->stop_str, sizeof(state->stop_str),
                     "VM stopped (run state %s)", mq_runstate());
        }
        snprintf(state->info_str, sizeof(state->info_str), "pc 0x%" PRIx64,
                 mq_pc(c->cpu));
    }
    qemu_mutex_unlock_iothread();
    return 0;
}

static int mq_current_time(void *opaque, uint32_t core, uint64_t *ps,
                           struct mcdshm_status *st)
{
    McdShm *s = opaque;

    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    *ps = (uint64_t)qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) * 1000;
    return 0;
}

/* ------------------------------------------------------------------------
 * Triggers
 */

static void mq_trig_drop(McdqCore *c, McdqTrig *t)
{
    uint64_t a;
    uint32_t k = 0;

    if (t->type == MCD_TRIG_TYPE_IP) {
        for (a = t->lo & ~(uint64_t)(mq_arch.insn_align - 1);
             a <= t->hi && k < MQ_MAX_BP_PCS;
             a += mq_arch.insn_align, k++) {
            cpu_breakpoint_remove(c->cpu, a, BP_GDB);
        }
    } else if (t->wp) {
        cpu_watchpoint_remove_by_ref(c->cpu, t->wp);
    }
    memset(t, 0, sizeof(*t));
}

static int mq_trig_insert(void *opaque, uint32_t core, uint32_t trig_id,
                          mcd_trig_complex_core_st *trig,
                          struct mcdshm_status *st)
{
    McdShm *s = opaque;
    uint32_t space = trig->addr_start.mem_space_id, i, k;
    uint64_t lo = trig->addr_start.address, a;
    McdqCore *c;
    McdqTrig *t = NULL;
    int flags, rc = 0, asidx;
    bool logical;

    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    if (trig->type != MCD_TRIG_TYPE_IP && trig->type != MCD_TRIG_TYPE_READ &&
        trig->type != MCD_TRIG_TYPE_WRITE && trig->type != MCD_TRIG_TYPE_RW) {
        return mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                           "trigger type 0x%x is not supported by QEMU (IP "
                           "0x1, READ 0x2, WRITE 0x4 or RW 0x8)",
                           (unsigned)trig->type);
    }
    if (space != 0 && !mq_space_as(s->cores[core].cpu, space, &asidx,
                                   &logical)) {
        return mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                           "trigger mem_space_id %" PRIu32 " is not a memory "
                           "space (see mcd_qry_mem_spaces_f)",
                           space);
    }
    /* Approximations, reported back with `modified`. */
    if (trig->option != MCD_TRIG_OPT_DEFAULT) {
        trig->option = MCD_TRIG_OPT_DEFAULT;
        trig->modified = TRUE;
    }
    if (trig->action != MCD_TRIG_ACTION_DEFAULT &&
        trig->action != MCD_TRIG_ACTION_DBG_DEBUG &&
        trig->action != MCD_TRIG_ACTION_DBG_GLOBAL) {
        trig->action = MCD_TRIG_ACTION_DBG_DEBUG;
        trig->modified = TRUE;
    }
    if (trig->addr_range > UINT64_MAX - lo) {
        trig->addr_range = UINT64_MAX - lo;
        trig->modified = TRUE;
    }
    /* What QEMU cannot tell apart: cleared, and the trigger says so. */
    if (trig->state_mask || trig->core_mode_mask || trig->sw_thread_id ||
        trig->action_param) {
        trig->state_mask = 0;
        trig->core_mode_mask = 0;
        trig->sw_thread_id = 0;
        trig->action_param = 0;
        trig->modified = TRUE;
    }
    if (trig->hw_thread_id && trig->hw_thread_id != core + 1) {
        trig->hw_thread_id = core + 1; /* a trigger is per vCPU */
        trig->modified = TRUE;
    }
    if (trig->type == MCD_TRIG_TYPE_IP &&
        (trig->data_start || trig->data_range || trig->data_mask ||
         trig->data_size)) {
        trig->data_start = trig->data_range = trig->data_mask = 0;
        trig->data_size = 0; /* no data at an instruction address */
        trig->modified = TRUE;
    }
    if (trig->type != MCD_TRIG_TYPE_IP && trig->data_size > 8) {
        trig->data_size = 8;
        trig->modified = TRUE;
    }
    if (trig->data_range > UINT64_MAX - trig->data_start) {
        trig->data_range = UINT64_MAX - trig->data_start;
        trig->modified = TRUE;
    }
    if (trig->type == MCD_TRIG_TYPE_IP &&
        trig->addr_range > mq_arch.insn_align * MQ_MAX_BP_PCS - 1) {
        /* One QEMU breakpoint per possible instruction address. */
        trig->addr_range = mq_arch.insn_align * MQ_MAX_BP_PCS - 1;
        trig->modified = TRUE;
    }
    c = &s->cores[core];
    qemu_mutex_lock_iothread();
    for (i = 0; i < MQ_MAX_TRIGS; i++) {
        if (c->trigs[i].id == trig_id) {
            rc = mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                             "trig_id %" PRIu32
                             " already exists on core %" PRIu32,
                             trig_id, core);
            goto out;
        }
        if (!t && !c->trigs[i].id) {
            t = &c->trigs[i];
        }
    }
    if (!t) {
        rc = mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                         "core %" PRIu32 " already has %d triggers "
                         "(trig_number)",
                         core, MQ_MAX_TRIGS);
        goto out;
    }
    t->id = trig_id;
    t->type = trig->type;
    t->global = trig->action == MCD_TRIG_ACTION_DBG_GLOBAL;
    t->lo = lo;
    t->hi = lo + trig->addr_range;
    /* A simple trigger arrives with zeros there: no data condition. */
    t->data = trig->data_start || trig->data_range || trig->data_mask;
    t->data_lo = trig->data_start;
    t->data_hi = trig->data_start + trig->data_range;
    t->data_mask = trig->data_mask;
    t->data_size = trig->data_size ? trig->data_size : 8;
    if (t->data && t->data_size < 8) {
        /* Bytes beyond data_size take no part. */
        t->data_mask |= ~0ull << (8 * t->data_size);
    }
    if (t->type == MCD_TRIG_TYPE_IP) {
        for (a = lo & ~(uint64_t)(mq_arch.insn_align - 1), k = 0;
             a <= t->hi && k < MQ_MAX_BP_PCS; a += mq_arch.insn_align, k++) {
            if (cpu_breakpoint_insert(c->cpu, a, BP_GDB, NULL) != 0) {
                t->hi = a - 1;
                mq_trig_drop(c, t);
                rc = mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                                 "QEMU refused a breakpoint at 0x%" PRIx64, a);
                goto out;
            }
        }
    } else {
        flags = BP_GDB | (t->type == MCD_TRIG_TYPE_READ    ? BP_MEM_READ
                          : t->type == MCD_TRIG_TYPE_WRITE ? BP_MEM_WRITE
                                                           : BP_MEM_ACCESS);
        if (cpu_watchpoint_insert(c->cpu, lo, trig->addr_range + 1, flags,
                                  &t->wp) != 0) {
            memset(t, 0, sizeof(*t));
            rc = mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                             "QEMU refused a watchpoint on 0x%" PRIx64
                             "..0x%" PRIx64,
                             lo, lo + trig->addr_range);
        }
    }
out:
    qemu_mutex_unlock_iothread();
    return rc;
}

static int mq_trig_remove(void *opaque, uint32_t core, uint32_t trig_id,
                          struct mcdshm_status *st)
{
    McdShm *s = opaque;
    McdqCore *c;
    uint32_t i;
    int rc = -1;

    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    c = &s->cores[core];
    qemu_mutex_lock_iothread();
    for (i = 0; i < MQ_MAX_TRIGS; i++) {
        if (c->trigs[i].id == trig_id) {
            mq_trig_drop(c, &c->trigs[i]);
            rc = 0;
            break;
        }
    }
    qemu_mutex_unlock_iothread();
    if (rc < 0) {
        return mcdshm_fail(st, MCD_ERR_TRIG_ACCESS,
                           "no trigger with trig_id %" PRIu32
                           " on core %" PRIu32,
                           trig_id, core);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Reset
 */

typedef struct MqReset {
    uint32_t core;
    uint32_t vector;
    bool halt;
} MqReset;

static void mq_reset_main(McdShm *s, void *arg)
{
    MqReset *r = arg;
    bool was_running = runstate_is_running();
    uint32_t i;

    if (r->vector & MQ_RST_SYSTEM) {
        pause_all_vcpus();
        qemu_system_reset(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
        for (i = 0; i < s->ncores; i++) {
            s->cores[i].trig_id = 0;
            snprintf(s->cores[i].stop_str, sizeof(s->cores[i].stop_str),
                     "system reset");
        }
        if (!r->halt) {
            if (!was_running) {
                vm_start();
            } else {
                resume_all_vcpus();
            }
        } else {
            qemu_clock_enable(QEMU_CLOCK_VIRTUAL, runstate_is_running());
            mq_freeze_if_idle(s);
        }
        return;
    }
    /* One core; the caller stopped it. */
    cpu_reset(s->cores[r->core].cpu);
    s->cores[r->core].trig_id = 0;
    snprintf(s->cores[r->core].stop_str, sizeof(s->cores[0].stop_str),
             "core reset");
    if (!r->halt) {
        MqRun run = { .core = r->core };

        mq_run_main(s, &run);
    }
}

static int mq_reset(void *opaque, uint32_t core, uint32_t vector, bool halt,
                    struct mcdshm_status *st)
{
    McdShm *s = opaque;
    MqReset r = { core, vector, halt };

    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    if (vector == 0 || (vector & ~(uint32_t)(MQ_RST_SYSTEM | MQ_RST_CORE))) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "reset class vector 0x%" PRIx32 " is not a set of "
                           "classes 0 (system, 0x1) and 1 (core, 0x2)",
                           vector);
    }
    if (!(vector & MQ_RST_SYSTEM) && mq_stop(s, core, false, st) < 0) {
        return -1;
    }
    mq_on_main(s, mq_reset_main, &r);
    return 0;
}

/* ------------------------------------------------------------------------
 * Commands: a few questions about the machine
 */

static void mq_cmd_help(McdShm *s, GString *out)
{
    (void)s;
    g_string_append(out, "commands:\n"
                         "  help   this list\n"
                         "  info   the machine, its vCPUs, RAM and run state\n"
                         "  cpus   state and pc of every vCPU\n");
}

static void mq_cmd_info(McdShm *s, GString *out)
{
    g_string_append_printf(
        out,
        "QEMU %s, machine %s, %" PRIu32 " vCPUs, "
        "RAM %" PRIu64 " MiB, run state %s\n",
        QEMU_VERSION, s->device, s->ncores,
        current_machine ? (uint64_t)current_machine->ram_size >> 20 : 0,
        mq_runstate());
}

static void mq_cmd_cpus(McdShm *s, GString *out)
{
    uint32_t i;

    for (i = 0; i < s->ncores; i++) {
        McdqCore *c = &s->cores[i];

        g_string_append_printf(out, "cpu%" PRIu32 ": %s, pc 0x%" PRIx64 "%s\n",
                               i, mq_running(c) ? "running" : "stopped",
                               mq_pc(c->cpu),
                               c->global ? "" : ", not in global run control");
    }
}

static const struct {
    const char *name;
    void (*fn)(McdShm *s, GString *out);
} mq_cmds[] = {
    { "help", mq_cmd_help },
    { "info", mq_cmd_info },
    { "cpus", mq_cmd_cpus },
};

static int mq_execute_command(void *opaque, uint32_t core, const char *command,
                              char *result, uint32_t result_size,
                              struct mcdshm_status *st)
{
    McdShm *s = opaque;
    g_autoptr(GString) out = g_string_new("");
    char word[32] = "";
    size_t i;

    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    sscanf(command, "%31s", word);
    for (i = 0; i < ARRAY_SIZE(mq_cmds); i++) {
        if (!strcmp(word, mq_cmds[i].name)) {
            break;
        }
    }
    if (i == ARRAY_SIZE(mq_cmds)) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "unknown command '%.64s' (try 'help'; QEMU's own "
                           "monitor has the rest)",
                           command);
    }
    qemu_mutex_lock_iothread();
    mq_cmds[i].fn(s, out);
    qemu_mutex_unlock_iothread();
    if (out->len + 1 > result_size) {
        return mcdshm_fail(st, MCD_ERR_RESULT_TOO_LONG,
                           "the result of '%s' needs %zu bytes, result_size "
                           "is %" PRIu32,
                           word, out->len + 1, result_size);
    }
    memcpy(result, out->str, out->len + 1);
    return 0;
}

/* ------------------------------------------------------------------------
 * Trace: one CORE_EXECUTE instruction trace per core
 */

static int mq_trace_check(McdShm *s, uint32_t core, uint32_t trace_id,
                          struct mcdshm_status *st)
{
    if (mq_check_core(s, core, st) < 0) {
        return -1;
    }
    if (trace_id != MQ_TRACE_ID) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "no trace with trace_id %" PRIu32 " on core %" PRIu32
                           " (its trace is %u)",
                           trace_id, core, MQ_TRACE_ID);
    }
    return 0;
}

static uint32_t mq_traces(void *opaque, uint32_t core, mcd_trace_info_st *out,
                          uint32_t max)
{
    McdShm *s = opaque;

    if (core >= s->ncores) {
        return 0;
    }
    if (max >= 1) {
        memset(out, 0, sizeof(*out));
        out->trace_id = MQ_TRACE_ID;
        snprintf(out->trace_name, sizeof(out->trace_name),
                 "cpu%" PRIu32 " instructions", core);
        out->trace_type = MCD_TRACE_TYPE_CORE;
        out->trace_format = MCD_TRACE_FORMAT_CORE_EXECUTE;
        out->trace_modes = MCD_TRACE_MODE_FIFO | MCD_TRACE_MODE_PIPE;
    }
    return 1;
}

static void mq_trace_fill(const McdqTrace *tr, uint32_t core,
                          mcd_trace_state_st *state)
{
    mcdshm_tracebuf_fill(&tr->b, state);
    state->state = tr->state;
    state->timestamp_accuracy = 100;
    state->timestamp_is_time = TRUE;
    snprintf(state->info_str, sizeof(state->info_str),
             "cpu%" PRIu32 " instructions (single-stepped while on): %" PRIu64
             " frames buffered, %" PRIu64 " produced, %" PRIu64 " lost",
             core, tr->b.frames, tr->b.count, tr->b.lost);
}

static int mq_trace_state(void *opaque, uint32_t core, uint32_t trace_id,
                          mcd_trace_state_st *state, struct mcdshm_status *st)
{
    McdShm *s = opaque;

    if (mq_trace_check(s, core, trace_id, st) < 0) {
        return -1;
    }
    qemu_mutex_lock_iothread();
    mq_trace_fill(&s->cores[core].tr, core, state);
    qemu_mutex_unlock_iothread();
    return 0;
}

static int mq_set_trace_state(void *opaque, uint32_t core, uint32_t trace_id,
                              mcd_trace_state_st *state,
                              struct mcdshm_status *st)
{
    McdShm *s = opaque;
    McdqTrace *tr;
    uint32_t nstate, nmode;
    uint64_t nsize;
    bool modified = false, clear = false, was_running;
    int rc = 0;

    if (mq_trace_check(s, core, trace_id, st) < 0) {
        return -1;
    }
    tr = &s->cores[core].tr;
    qemu_mutex_lock_iothread();
    nstate =
        state->state == MCD_TRACE_STATE_NOCHANGE ? tr->state : state->state;
    nmode = state->mode == MCD_TRACE_MODE_NOCHANGE ? tr->b.mode : state->mode;
    nsize = state->size == 0 ? tr->b.size : state->size;
    was_running = mq_running(&s->cores[core]);
    qemu_mutex_unlock_iothread();
    if (nstate == MCD_TRACE_STATE_INIT || nstate == MCD_TRACE_STATE_DISABLE) {
        modified = nstate == MCD_TRACE_STATE_DISABLE; /* reported OFF */
        clear = nstate == MCD_TRACE_STATE_INIT;
        nstate = MCD_TRACE_STATE_OFF;
    } else if (nstate < MCD_TRACE_STATE_OFF || nstate > MCD_TRACE_STATE_STOP) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "trace state 0x%" PRIx32 " is not supported (OFF, "
                           "ARM, TRIGGER, STOP, INIT)",
                           state->state);
    }
    if (nmode != MCD_TRACE_MODE_FIFO && nmode != MCD_TRACE_MODE_PIPE) {
        nmode = tr->b.mode;
        modified = true;
    }
    if (nsize > MQ_TRACE_MAX) {
        nsize = MQ_TRACE_MAX;
        modified = true;
    }
    modified = modified || state->autoarm || state->trigger_delay != 0 ||
               state->options != 0;
    /* A running core changes how it executes: stop it around the change. */
    if (was_running && mq_stop(s, core, false, st) < 0) {
        return -1;
    }
    qemu_mutex_lock_iothread();
    if (nmode != tr->b.mode || nsize != tr->b.size) {
        /* a new geometry starts empty */
        mcdshm_tracebuf_set(&tr->b, nmode, nsize);
    }
    if ((nstate == MCD_TRACE_STATE_ARM || nstate == MCD_TRACE_STATE_TRIGGER) &&
        mcdshm_tracebuf_alloc(&tr->b) < 0) {
        rc = mcdshm_fail(st, MCD_ERR_GENERAL,
                         "no memory for a trace "
                         "buffer of %" PRIu64 " frames",
                         tr->b.size);
    }
    if (clear) {
        mcdshm_tracebuf_clear(&tr->b);
    }
    if (rc == 0) {
        tr->state = nstate;
    }
    mq_trace_fill(tr, core, state);
    state->modified = modified;
    qemu_mutex_unlock_iothread();
    if (was_running) {
        struct mcdshm_status st2;

        mq_run(s, core, false, &st2);
    }
    return rc;
}

/* Debuggers start or stop streaming the trace: see mq_trace_put(). */
static int mq_trace_stream(void *opaque, uint32_t core, uint32_t trace_id,
                           struct mcdshm_server *srv, struct mcdshm_status *st)
{
    McdShm *s = opaque;

    if (mq_trace_check(s, core, trace_id, st) < 0) {
        return -1;
    }
    qatomic_set(&s->cores[core].tr.stream, srv);
    return 0;
}

static int mq_read_trace(void *opaque, uint32_t core, uint32_t trace_id,
                         uint64_t start, uint32_t *num, uint32_t frame_size,
                         void *frames, struct mcdshm_status *st)
{
    McdShm *s = opaque;
    int rc;

    if (mq_trace_check(s, core, trace_id, st) < 0) {
        return -1;
    }
    qemu_mutex_lock_iothread();
    rc = mcdshm_tracebuf_read(&s->cores[core].tr.b, start, num, frame_size,
                              frames, st);
    qemu_mutex_unlock_iothread();
    return rc;
}

static const struct mcdshm_target_ops mq_ops = {
    .core_info = mq_core_info,
    .mem_spaces = mq_mem_spaces,
    .mem_blocks = mq_mem_blocks,
    .reg_groups = mq_reg_groups,
    .regs = mq_regs,
    .trig_info = mq_trig_info,
    .rst_classes = mq_rst_classes,
    .access = mq_access,
    .run = mq_run,
    .stop = mq_stop,
    .step = mq_step,
    .run_until = mq_run_until,
    .set_global = mq_set_global,
    .state = mq_state,
    .current_time = mq_current_time,
    .trig_insert = mq_trig_insert,
    .trig_remove = mq_trig_remove,
    .reset = mq_reset,
    .execute_command = mq_execute_command,
    .traces = mq_traces,
    .trace_state = mq_trace_state,
    .set_trace_state = mq_set_trace_state,
    .read_trace = mq_read_trace,
    .trace_stream = mq_trace_stream,
};

/* ------------------------------------------------------------------------
 * Serving from the IOThread
 */

static void mq_sync_fds(McdShm *s);

static void mq_fd_read(void *opaque)
{
    McdShm *s = opaque;

    mcdshm_server_service(s->srv);
    mq_sync_fds(s);
}

/*
 * The IOThread's adaptive polling (its poll-max-ns) calls this before it
 * sleeps: it only looks at the request rings (no system call), and
 * mq_poll_ready serves what it found, so a debugger's pipelined requests
 * (a dump's chunks) flow without a doorbell wake-up each.
 */
static bool mq_poll(void *opaque)
{
    McdShm *s = opaque;

    return mcdshm_server_pending(s->srv);
}

static void mq_poll_ready(void *opaque)
{
    McdShm *s = opaque;

    mcdshm_server_service(s->srv);
    mq_sync_fds(s);
}

/* Watch exactly the server's current descriptors (any change: all anew,
 * since a closed descriptor's number may come back for a new one).  The
 * first (the listening socket) also carries the poll handler. */
static void mq_sync_fds(McdShm *s)
{
    int n = mcdshm_server_fds(s->srv, NULL, 0), i;
    int *fds = g_new(int, MAX(n, 1));

    mcdshm_server_fds(s->srv, fds, n);
    if (n == s->nfds && !memcmp(fds, s->fds, n * sizeof(int))) {
        g_free(fds);
        return;
    }
    for (i = 0; i < s->nfds; i++) {
        aio_set_fd_handler(s->ctx, s->fds[i], false, NULL, NULL, NULL, NULL,
                           NULL);
    }
    for (i = 0; i < n; i++) {
        aio_set_fd_handler(s->ctx, fds[i], false, mq_fd_read, NULL,
                           i ? NULL : mq_poll, i ? NULL : mq_poll_ready, s);
    }
    g_free(s->fds);
    s->fds = fds;
    s->nfds = n;
}

static void mq_sync_fds_bh(void *opaque)
{
    mq_sync_fds(opaque);
}

/*
 * The direct memory window (struct mcdshm_window): when the machine's RAM
 * is a shared, sealed memfd (-object memory-backend-memfd,id=ram,size=..,
 * share=on -machine memory-backend=ram; the memfd backend seals by
 * default), debuggers may map it read-only and read guest RAM without a
 * request, while the guest runs.  Writes still come here and go through
 * address_space_write(), which invalidates translated code they hit.
 */
static void mq_window(McdShm *s)
{
    MemoryRegion *mr = current_machine ? current_machine->ram : NULL;
    int fd, seals;

    if (!mr || !mr->ram_block || !mr->container) {
        /* Not mapped as itself (x86 maps it through aliases): the window
         * cannot give guest-physical addresses. */
        return;
    }
    fd = memory_region_get_fd(mr);
    if (fd < 0) {
        info_report("-mcd: guest RAM is not file-backed: no direct memory "
                    "window (use -object memory-backend-memfd,share=on)");
        return;
    }
    seals = fcntl(fd, F_GET_SEALS);
    if (!qemu_ram_is_shared(mr->ram_block) || seals < 0 ||
        !(seals & F_SEAL_SHRINK)) {
        info_report("-mcd: guest RAM is not a shared, sealed memfd: no "
                    "direct memory window");
        return;
    }
    s->window = (struct mcdshm_window){
        .fd = fd,
        .offset = 0,
        .base = mr->addr,
        .size = memory_region_size(mr),
        .mem_space_id = MQ_SPACE_PHYS,
    };
    s->target.window = &s->window;
}

/*
 * At exit (atexit, on the main thread, with the BQL): stop serving, which
 * removes the endpoint, on every clean exit including SIGTERM and SIGINT
 * (QEMU turns them into a shutdown, then qemu_cleanup() and exit()).  By
 * then qemu_cleanup() has stopped and destroyed the IOThread, so nothing
 * services the server any more; if it still runs (an exit() from
 * elsewhere), leave the server alone rather than race it: the next server
 * of that name removes the dead endpoint.
 */
static void mq_exit(Notifier *n, void *data)
{
    McdShm *s = qatomic_read(&mq_the);
    bool locked = qemu_mutex_iothread_locked();

    (void)n;
    (void)data;
    if (!s || !s->srv || iothread_by_id(s->iothread_id)) {
        return;
    }
    cpu_guest_debug_hook = NULL;
    /* Closing the connections releases their triggers, which takes it. */
    if (locked) {
        qemu_mutex_unlock_iothread();
    }
    mcdshm_server_stop(s->srv);
    s->srv = NULL;
    if (locked) {
        qemu_mutex_lock_iothread();
    }
}

static Notifier mq_exit_notifier = { .notify = mq_exit };

static void mq_start(McdShm *s);

/*
 * The server starts from the main loop's first iteration, not from the
 * machine-done notifier: QEMU installs its SIGINT/SIGTERM handlers after
 * the machine is done, and an endpoint that exists before them invites a
 * signal that kills QEMU without its cleanup (or that the shell's
 * SIG_IGN for background jobs swallows).
 */
static void mq_start_bh(void *opaque)
{
    mq_start(opaque);
}

/* Once the machine exists: the cores, the registers, the server. */
static void mq_start(McdShm *s)
{
    struct mcdshm_server_opts opts = {
        .name = s->name,
        .path = s->path,
        .policy = s->policy,
    };
    char err[256];
    CPUState *cpu;
    uint32_t i = 0;
    int r;

    CPU_FOREACH(cpu)
    {
        s->ncores++;
    }
    if (!s->ncores) {
        error_report("-mcd: the machine has no CPUs to debug");
        exit(1);
    }
    s->cores = g_new0(McdqCore, s->ncores);
    CPU_FOREACH(cpu)
    {
        s->cores[i].cpu = cpu;
        s->cores[i].global = true;
        s->cores[i].tr.state = MCD_TRACE_STATE_OFF;
        mcdshm_tracebuf_set(&s->cores[i].tr.b, MCD_TRACE_MODE_FIFO,
                            MQ_TRACE_DEFAULT);
        i++;
    }
    s->regs = g_new0(McdqReg, MQ_MAX_REGS);
    gdb_debug_foreach_feature(first_cpu, mq_feature, s);
    mq_drop_unreadable(s, first_cpu);
    snprintf(s->device, sizeof(s->device), "%s",
             current_machine ? MACHINE_GET_CLASS(current_machine)->name
                             : "machine");
    s->target = (struct mcdshm_target){
        .system = "QEMU",
        .device = s->device,
        .ncores = s->ncores,
        .exec = MCDSHM_EXEC_IO_THREAD,
        .ops = &mq_ops,
        .opaque = s,
    };
    mq_window(s);
    r = mcdshm_server_open(&s->target, &opts, &s->srv, err, sizeof(err));
    if (r < 0) {
        error_report("-mcd: cannot serve '%s': %s", s->name, err);
        exit(1);
    }
    qatomic_set(&mq_the, s);
    qemu_add_exit_notifier(&mq_exit_notifier);
    cpu_guest_debug_hook = mq_debug_hook;
    aio_bh_schedule_oneshot(s->ctx, mq_sync_fds_bh, s);
}

/* ------------------------------------------------------------------------
 * -mcd shm,name=NAME,iothread=ID[,path=SOCKET][,policy=POLICY]
 */

static QemuOptsList mq_opts = {
    .name = "mcd",
    .implied_opt_name = "transport",
    .merge_lists = false,
    .head = QTAILQ_HEAD_INITIALIZER(mq_opts.head),
    .desc = { { .name = "transport",
                .type = QEMU_OPT_STRING,
                .help = "how debuggers connect: shm (mcdshm)" },
              { .name = "name",
                .type = QEMU_OPT_STRING,
                .help = "endpoint name debuggers open (McdServerName)" },
              { .name = "iothread",
                .type = QEMU_OPT_STRING,
                .help = "id of the IOThread that serves the debuggers" },
              { .name = "path",
                .type = QEMU_OPT_STRING,
                .help =
                    "socket path instead of the per-user runtime directory" },
              { .name = "policy",
                .type = QEMU_OPT_STRING,
                .help = "how debuggers wait: busy, hybrid (default) or sleep" },
              { /* end of list */ } },
};

static char *mq_opt(QemuOpts *o, const char *key)
{
    const char *v = qemu_opt_get(o, key);

    return v ? g_strdup(v) : NULL;
}

typedef struct MqFound {
    QemuOpts *first;
    int n;
} MqFound;

static int mq_count_opts(void *opaque, QemuOpts *o, Error **errp)
{
    MqFound *f = opaque;

    (void)errp;
    if (!f->n++) {
        f->first = o;
    }
    return 0;
}

static void mq_machine_done(Notifier *n, void *data)
{
    MqFound found = { NULL, 0 };
    QemuOpts *o;
    const char *transport;
    McdShm *s;

    (void)n;
    (void)data;
    qemu_opts_foreach(&mq_opts, mq_count_opts, &found, NULL);
    o = found.first;
    if (!o) {
        return;
    }
    if (found.n > 1) {
        error_report("-mcd: give it once (one server serves every core)");
        exit(1);
    }
    transport = qemu_opt_get(o, "transport");
    if (!transport) {
        error_report("-mcd: no transport: use -mcd shm,name=NAME,iothread=ID "
                     "(-mcd help lists the options)");
        exit(1);
    }
    if (strcmp(transport, "shm") != 0) {
        error_report("-mcd: transport '%s' is not supported: use -mcd "
                     "shm,name=NAME,iothread=ID (-mcd help lists the options)",
                     transport);
        exit(1);
    }
    s = g_new0(McdShm, 1);
    qemu_mutex_init(&s->mu);
    qemu_cond_init(&s->cond);
    s->name = mq_opt(o, "name");
    s->iothread_id = mq_opt(o, "iothread");
    s->path = mq_opt(o, "path");
    s->policy = mq_opt(o, "policy");
    if (!s->name || !*s->name) {
        error_report("-mcd: name=NAME is required (the endpoint name "
                     "debuggers open, [A-Za-z0-9._-], 1 to 63 characters)");
        exit(1);
    }
    if (!s->iothread_id) {
        error_report("-mcd: iothread=ID is required (add -object "
                     "iothread,id=ID)");
        exit(1);
    }
    s->iothread = iothread_by_id(s->iothread_id);
    if (!s->iothread) {
        error_report("-mcd: iothread '%s' does not exist (add -object "
                     "iothread,id=%s)",
                     s->iothread_id, s->iothread_id);
        exit(1);
    }
    s->ctx = iothread_get_aio_context(s->iothread);
    aio_bh_schedule_oneshot(qemu_get_aio_context(), mq_start_bh, s);
}

static Notifier mq_machine_done_notifier = { .notify = mq_machine_done };

static void mq_register(void)
{
    qemu_add_opts(&mq_opts);
    qemu_add_machine_init_done_notifier(&mq_machine_done_notifier);
}

opts_init(mq_register);
