/*
 * vp_ops - the target operations of mcdshm-vp (struct mcdshm_target_ops):
 * the description of cores, memory and registers, run control, state,
 * time, reset and the commands.  Memory access, triggers, the channel and
 * trace live in vp_mem.c, vp_trig.c, vp_uart.c and vp_trace.c.
 *
 * Every operation is called on the server's thread while the hart threads
 * run (MCDSHM_EXEC_IO_THREAD) and takes vp->lock for what it reads or
 * changes; none holds it while instructions execute.  Description
 * operations only read the configuration, which never changes.
 *
 * Run control: `global` means the hart given plus every hart that takes
 * part in global run control (set_global, all by default).  run and
 * run_until return at once (poll state); stop, step and reset return once
 * the harts are halted.  step and run_until need the harts halted; run of
 * a running hart and stop of a halted one do nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cosim/vp/vp_priv.h"

#define VP_CMD_MAX 8192 /* longest command result */

int vp__check_core(const struct vp *vp, uint32_t core, struct mcdshm_status *st)
{
    if (core >= vp->nharts) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "core %" PRIu32 " does not "
                           "exist: mcdshm-vp has %" PRIu32 " harts (0..%" PRIu32
                           ")",
                           core, vp->nharts, vp->nharts - 1);
    }
    return 0;
}

/* Whether an operation on core (global or not) concerns hart i. */
static bool vp__targets(const struct vp *vp, uint32_t core, bool global,
                        uint32_t i)
{
    return i == core || (global && vp->harts[i].global);
}

/* ---- description ---- */

/* Copy the first min(n, max) of n entries (out may be NULL if max is 0). */
static uint32_t vp__list(void *out, const void *all, uint32_t n, uint32_t max,
                         size_t size)
{
    if (max > 0) {
        memcpy(out, all, (max < n ? max : n) * size);
    }
    return n;
}

static void vp__core_info(void *opaque, uint32_t core, mcd_core_con_info_st *ci)
{
    (void)opaque;
    snprintf(ci->core, sizeof(ci->core), "hart%" PRIu32, core);
    ci->core_type = 243; /* EM_RISCV */
    ci->core_id = core;
}

static void vp__space(mcd_memspace_st *s, uint32_t id, const char *name,
                      uint32_t type, uint64_t max, uint32_t nblocks)
{
    memset(s, 0, sizeof(*s));
    s->mem_space_id = id;
    snprintf(s->mem_space_name, sizeof(s->mem_space_name), "%s", name);
    s->mem_type = type;
    s->bits_per_mau = 8;
    s->invariance = 1;
    s->endian = MCD_ENDIAN_LITTLE;
    s->max_addr = max;
    s->num_mem_blocks = nblocks;
    s->supported_access_options =
        MCD_TX_OPT_SIDE_EFFECTS | MCD_TX_OPT_NO_SIDE_EFFECTS;
}

static uint32_t vp__mem_spaces(void *opaque, uint32_t core,
                               mcd_memspace_st *out, uint32_t max)
{
    mcd_memspace_st all[3];

    (void)opaque;
    (void)core;
    vp__space(&all[0], VP_SPACE_PHYS, "phys", MCD_MEM_SPACE_IS_PHYSICAL,
              UINT64_MAX, VP_NBLOCKS);
    vp__space(&all[1], VP_SPACE_LOGICAL, "logical", MCD_MEM_SPACE_IS_LOGICAL,
              UINT64_MAX, VP_NBLOCKS);
    vp__space(&all[2], VP_SPACE_REGS, "regs", MCD_MEM_SPACE_IS_REGISTERS,
              VP_REG_CSR + 0xfff, 0);
    return vp__list(out, all, 3, max, sizeof(all[0]));
}

static void vp__block(mcd_memblock_st *b, uint32_t id, const char *name,
                      uint64_t base, uint64_t size)
{
    static const uint32_t au[MCD_MEM_AUSIZE_NUM] = { 1, 2, 4, 8 };

    memset(b, 0, sizeof(*b));
    b->mem_block_id = id;
    snprintf(b->mem_block_name, sizeof(b->mem_block_name), "%s", name);
    b->parent_id = MCD_MEM_BLOCK_NOPARENT;
    b->start_addr = base;
    b->end_addr = base + size - 1;
    b->endian = MCD_ENDIAN_LITTLE;
    memcpy(b->supported_au_sizes, au, sizeof(au));
    b->supported_access_options =
        MCD_TX_OPT_SIDE_EFFECTS | MCD_TX_OPT_NO_SIDE_EFFECTS;
}

static uint32_t vp__mem_blocks(void *opaque, uint32_t core, uint32_t space,
                               mcd_memblock_st *out, uint32_t max)
{
    const struct vp_config *c = &((struct vp *)opaque)->cfg;
    mcd_memblock_st all[VP_NBLOCKS];

    (void)core;
    if (space != VP_SPACE_PHYS && space != VP_SPACE_LOGICAL) {
        return 0;
    }
    vp__block(&all[0], VP_BLOCK_ROM, "rom", c->rom_base, c->rom_size);
    vp__block(&all[1], VP_BLOCK_RAM, "ram", c->ram_base, c->ram_size);
    vp__block(&all[2], VP_BLOCK_UART, "uart", c->uart_base, VP_UART_SIZE);
    return vp__list(out, all, VP_NBLOCKS, max, sizeof(all[0]));
}

/*
 * CSRs of group 2: those of vp__csrs the interpreter implements, asked of
 * a scratch hart (the real ones may be running).
 */
static uint32_t vp__csr_list(uint16_t *out)
{
    struct rv64_hart scratch;
    uint32_t i, n = 0;

    rv64_hart_reset(&scratch, 0, 0);
    for (i = 0; i < vp__ncsrs; i++) {
        if (vp__reg_exists(&scratch, VP_REG_CSR + vp__csrs[i])) {
            out[n++] = vp__csrs[i];
        }
    }
    return n;
}

static uint32_t vp__reg_groups(void *opaque, uint32_t core,
                               mcd_register_group_st *out, uint32_t max)
{
    uint16_t csrs[32];
    mcd_register_group_st all[2];

    (void)opaque;
    (void)core;
    memset(all, 0, sizeof(all));
    all[0].reg_group_id = 1;
    snprintf(all[0].reg_group_name, sizeof(all[0].reg_group_name), "gpr");
    all[0].n_registers = 33;
    all[1].reg_group_id = 2;
    snprintf(all[1].reg_group_name, sizeof(all[1].reg_group_name), "csr");
    all[1].n_registers = vp__csr_list(csrs);
    return vp__list(out, all, 2, max, sizeof(all[0]));
}

static void vp__reg_info(mcd_register_info_st *r, uint32_t core, uint32_t group,
                         uint64_t number, const char *name)
{
    memset(r, 0, sizeof(*r));
    r->addr.address = number;
    r->addr.mem_space_id = VP_SPACE_REGS;
    r->reg_group_id = group;
    snprintf(r->regname, sizeof(r->regname), "%s", name);
    r->regsize = 64;
    r->reg_type = MCD_REG_TYPE_SIMPLE;
    r->hw_thread_id = core + 1;
}

static uint32_t vp__regs(void *opaque, uint32_t core, uint32_t group,
                         mcd_register_info_st *out, uint32_t max)
{
    uint16_t csrs[32];
    uint32_t n = 0, i, ncsr = vp__csr_list(csrs);

    (void)opaque;
    if (group > 2) {
        return 0;
    }
    for (i = 0; (group == 0 || group == 1) && i <= VP_REG_PC; i++, n++) {
        if (n < max) {
            vp__reg_info(&out[n], core, 1, i,
                         i == VP_REG_PC ? "pc" : rv64_gpr_name(i));
        }
    }
    for (i = 0; (group == 0 || group == 2) && i < ncsr; i++, n++) {
        if (n < max) {
            vp__reg_info(&out[n], core, 2, VP_REG_CSR + csrs[i],
                         vp__csr_name(csrs[i]));
        }
    }
    return n;
}

static uint32_t vp__rst_classes(void *opaque, uint32_t core,
                                mcd_rst_info_st out[32])
{
    (void)opaque;
    (void)core;
    memset(out, 0, 2 * sizeof(out[0]));
    out[0].class_vector = 1u << 0;
    snprintf(out[0].info_str, sizeof(out[0].info_str),
             "system reset: all "
             "harts get reset registers and pc = entry; RAM, ROM and the "
             "UART keep their contents");
    out[1].class_vector = 1u << 1;
    snprintf(out[1].info_str, sizeof(out[1].info_str),
             "core reset: this "
             "hart only gets reset registers and pc = entry");
    return 0x3;
}

/* ---- run control ---- */

static int vp__run(void *opaque, uint32_t core, bool global,
                   struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    uint32_t i;

    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    pthread_mutex_lock(&vp->lock);
    for (i = 0; i < vp->nharts; i++) {
        if (vp__targets(vp, core, global, i) && !vp->harts[i].running) {
            vp__hart_start(&vp->harts[i], VP_MODE_RUN, 0);
        }
    }
    pthread_mutex_unlock(&vp->lock);
    return 0;
}

/* Halt the target harts and wait for them (vp->lock held). */
static void vp__stop_all(struct vp *vp, uint32_t core, bool global,
                         const char *why)
{
    uint64_t seq[VP_MAX_HARTS];
    uint32_t i;

    for (i = 0; i < vp->nharts; i++) {
        seq[i] = vp->harts[i].halt_seq;
        if (vp__targets(vp, core, global, i)) {
            vp__hart_request_halt(&vp->harts[i], why);
        }
    }
    for (i = 0; i < vp->nharts; i++) {
        if (vp__targets(vp, core, global, i) && vp->harts[i].running) {
            vp__hart_wait_seq(&vp->harts[i], seq[i]);
        }
    }
}

static int vp__stop(void *opaque, uint32_t core, bool global,
                    struct mcdshm_status *st)
{
    struct vp *vp = opaque;

    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    pthread_mutex_lock(&vp->lock);
    vp__stop_all(vp, core, global, "stopped by debugger");
    pthread_mutex_unlock(&vp->lock);
    return 0;
}

/* Fail if a target hart runs (vp->lock held). */
static int vp__check_halted(struct vp *vp, uint32_t core, bool global,
                            const char *op, struct mcdshm_status *st)
{
    uint32_t i;

    for (i = 0; i < vp->nharts; i++) {
        if (vp__targets(vp, core, global, i) && vp->harts[i].running) {
            return mcdshm_fail(st, MCD_ERR_GENERAL,
                               "hart%" PRIu32 " is "
                               "running: stop it before %s",
                               i, op);
        }
    }
    return 0;
}

static int vp__step(void *opaque, uint32_t core, bool global,
                    mcd_core_step_type_et type, uint32_t n,
                    struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    uint64_t seq[VP_MAX_HARTS];
    uint32_t i;
    int rc;

    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    if (type != MCD_CORE_STEP_TYPE_INSTR && type != MCD_CORE_STEP_TYPE_CYCLES) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "step type 0x%" PRIx32 " is "
                           "not supported (INSTR 0x2, CYCLES 0x1: one "
                           "instruction per cycle)",
                           type);
    }
    pthread_mutex_lock(&vp->lock);
    rc = vp__check_halted(vp, core, global, "stepping", st);
    for (i = 0; rc == 0 && n > 0 && i < vp->nharts; i++) {
        seq[i] = vp->harts[i].halt_seq;
        if (vp__targets(vp, core, global, i)) {
            vp__hart_start(&vp->harts[i], VP_MODE_STEP, n);
        }
    }
    for (i = 0; rc == 0 && n > 0 && i < vp->nharts; i++) {
        if (vp__targets(vp, core, global, i)) {
            vp__hart_wait_seq(&vp->harts[i], seq[i]);
        }
    }
    pthread_mutex_unlock(&vp->lock);
    return rc;
}

static int vp__run_until(void *opaque, uint32_t core, bool global,
                         bool absolute, uint64_t time, struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    struct vp_hart *h;
    uint64_t ps;
    uint32_t i;
    int rc;

    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    pthread_mutex_lock(&vp->lock);
    rc = vp__check_halted(vp, core, global, "run_until", st);
    for (i = 0; rc == 0 && i < vp->nharts; i++) {
        h = &vp->harts[i];
        if (!vp__targets(vp, core, global, i)) {
            continue;
        }
        ps = time;
        if (!absolute) {
            ps = vp__ps(vp, h->pub_instret);
            ps = ps > UINT64_MAX - time ? UINT64_MAX : ps + time;
        }
        vp__hart_start(h, VP_MODE_UNTIL, vp__instret_at(vp, ps));
    }
    pthread_mutex_unlock(&vp->lock);
    return rc;
}

static int vp__set_global(void *opaque, uint32_t core, bool enable,
                          struct mcdshm_status *st)
{
    struct vp *vp = opaque;

    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    pthread_mutex_lock(&vp->lock);
    vp->harts[core].global = enable;
    pthread_mutex_unlock(&vp->lock);
    return 0;
}

/* Append @s to the string being built at *p (room checked by callers:
 * every piece below is far shorter than MCD_INFO_STR_LEN). */
static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);

    memcpy(p, s, n);
    return p + n;
}

static char *put_hex(char *p, uint64_t v)
{
    char tmp[16];
    int n = 0;

    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n) {
        *p++ = tmp[--n];
    }
    return p;
}

static char *put_dec(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        *p++ = tmp[--n];
    }
    return p;
}

/*
 * "pc 0x80000124, 1234 instructions": built by hand, not with snprintf,
 * because debuggers poll the state and this is on every poll's path.
 */
static void state_info(char *out, const struct vp_hart *h, bool running)
{
    char *p = out;

    if (running && h->idle) {
        p = put_str(p, "waiting in wfi, ");
    }
    p = put_str(p, "pc 0x");
    p = put_hex(p, h->pub_pc);
    p = put_str(p, ", ");
    p = put_dec(p, h->pub_instret);
    p = put_str(p, running ? " instructions (as of the last slice)"
                           : " instructions");
    *p = '\0';
}

static int vp__state(void *opaque, uint32_t core, mcd_core_state_st *state,
                     struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    struct vp_hart *h;
    size_t n;

    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    h = &vp->harts[core];
    /* The fixed fields and both strings' first byte; the bytes after a
     * string's NUL carry nothing. */
    memset(state, 0, offsetof(mcd_core_state_st, stop_str) + 1);
    state->info_str[0] = '\0';
    pthread_mutex_lock(&vp->lock);
    state->event = h->events;
    h->events = 0;
    if (h->running) {
        state->state = MCD_CORE_STATE_RUNNING;
        state_info(state->info_str, h, true);
    } else {
        state->state = MCD_CORE_STATE_DEBUG;
        state->hw_thread_id = core + 1;
        state->trig_id = h->trig_id;
        n = strnlen(h->stop_str, sizeof(state->stop_str) - 1);
        memcpy(state->stop_str, h->stop_str, n);
        state->stop_str[n] = '\0';
        state_info(state->info_str, h, false);
    }
    pthread_mutex_unlock(&vp->lock);
    if (vp__uart_pending(&vp->uart)) {
        state->event |= MCD_CORE_EVENT_CHL_PENDING;
    }
    return 0;
}

static int vp__current_time(void *opaque, uint32_t core, uint64_t *ps,
                            struct mcdshm_status *st)
{
    struct vp *vp = opaque;

    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    pthread_mutex_lock(&vp->lock);
    *ps = vp__ps(vp, vp->harts[core].pub_instret);
    pthread_mutex_unlock(&vp->lock);
    return 0;
}

static int vp__reset(void *opaque, uint32_t core, uint32_t vector, bool halt,
                     struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    bool all = vector & 1;
    struct vp_hart *h;
    uint32_t i;

    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    if (vector == 0 || (vector & ~3u) != 0) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "reset class vector 0x%" PRIx32
                           " is not a set of classes 0 (system, 0x1) and 1 "
                           "(core, 0x2)",
                           vector);
    }
    pthread_mutex_lock(&vp->lock);
    for (i = 0; i < vp->nharts; i++) {
        if (all || i == core) {
            vp__hart_stop_sync(&vp->harts[i], "stopped for a reset");
        }
    }
    for (i = 0; i < vp->nharts; i++) {
        h = &vp->harts[i];
        if (!all && i != core) {
            continue;
        }
        vp__hart_reset(h);
        h->trig_id = 0;
        snprintf(h->stop_str, sizeof(h->stop_str), "%s reset",
                 all ? "system" : "core");
        if (!halt) {
            vp__hart_start(h, VP_MODE_RUN, 0);
        }
    }
    pthread_mutex_unlock(&vp->lock);
    return 0;
}

/* ---- commands ---- */

/* Append to a command result; returns the new length (may exceed len). */
static size_t __attribute__((format(printf, 4, 5)))
vp__cat(char *buf, size_t len, size_t at, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf + (at < len ? at : len), at < len ? len - at : 0, fmt,
                  ap);
    va_end(ap);
    return at + (n > 0 ? (size_t)n : 0);
}

static size_t vp__cmd_help(struct vp *vp, char *buf, size_t len)
{
    (void)vp;
    return vp__cat(buf, len, 0,
                   "commands:\n"
                   "  help   this list\n"
                   "  info   the platform and the loaded ELF\n"
                   "  uart   UART byte counts and channel state\n"
                   "  harts  state, pc and instruction count of every "
                   "hart\n");
}

static size_t vp__cmd_info(struct vp *vp, char *buf, size_t len)
{
    const struct vp_config *c = &vp->cfg;
    size_t n;

    n = vp__cat(buf, len, 0,
                "mcdshm-vp %s: %" PRIu32 " harts at %" PRIu64 " Hz (%" PRIu64
                " ps per instruction)\n",
                vp->device, vp->nharts, c->hz, vp__ps(vp, 1));
    n = vp__cat(buf, len, n,
                "rom  0x%" PRIx64 "..0x%" PRIx64 " (%" PRIu64
                " KiB)\nuart 0x%" PRIx64 "..0x%" PRIx64 "\nram  0x%" PRIx64
                "..0x%" PRIx64 " (%" PRIu64 " KiB)\n",
                c->rom_base, c->rom_base + c->rom_size - 1, c->rom_size >> 10,
                c->uart_base, c->uart_base + VP_UART_SIZE - 1, c->ram_base,
                c->ram_base + c->ram_size - 1, c->ram_size >> 10);
    pthread_mutex_lock(&vp->lock);
    if (vp->elf[0]) {
        n = vp__cat(buf, len, n, "elf  %s (entry 0x%" PRIx64 ")\n", vp->elf,
                    vp->entry);
    } else {
        n = vp__cat(buf, len, n, "elf  none loaded (reset pc 0x%" PRIx64 ")\n",
                    vp->reset_pc);
    }
    pthread_mutex_unlock(&vp->lock);
    return n;
}

static size_t vp__cmd_uart(struct vp *vp, char *buf, size_t len)
{
    int n = vp__uart_info(&vp->uart, buf, len);

    return vp__cat(buf, len, n > 0 ? (size_t)n : 0, "\n");
}

static size_t vp__cmd_harts(struct vp *vp, char *buf, size_t len)
{
    struct vp_hart *h;
    size_t n = 0;
    uint32_t i;

    pthread_mutex_lock(&vp->lock);
    for (i = 0; i < vp->nharts; i++) {
        h = &vp->harts[i];
        n = vp__cat(buf, len, n,
                    "hart%" PRIu32 ": %s%s%s%s, pc 0x%" PRIx64 ", %" PRIu64
                    " instructions%s\n",
                    i, h->running ? "running" : "debug", h->running ? "" : " (",
                    h->running ? "" : h->stop_str, h->running ? "" : ")",
                    h->pub_pc, h->pub_instret,
                    h->global ? "" : ", not in global run control");
    }
    pthread_mutex_unlock(&vp->lock);
    return n;
}

static const struct {
    const char *name;
    size_t (*fn)(struct vp *vp, char *buf, size_t len);
} vp__cmds[] = {
    { "help", vp__cmd_help },
    { "info", vp__cmd_info },
    { "uart", vp__cmd_uart },
    { "harts", vp__cmd_harts },
};

static int vp__execute_command(void *opaque, uint32_t core, const char *command,
                               char *result, uint32_t result_size,
                               struct mcdshm_status *st)
{
    char buf[VP_CMD_MAX], word[32];
    struct vp *vp = opaque;
    size_t i, n;

    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    word[0] = '\0';
    sscanf(command, "%31s", word);
    for (i = 0; i < sizeof(vp__cmds) / sizeof(vp__cmds[0]); i++) {
        if (strcmp(word, vp__cmds[i].name) == 0) {
            break;
        }
    }
    if (i == sizeof(vp__cmds) / sizeof(vp__cmds[0])) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "unknown command '%.64s' (try "
                           "'help')",
                           command);
    }
    n = vp__cmds[i].fn(vp, buf, sizeof(buf));
    if (n >= sizeof(buf) || n + 1 > result_size) {
        return mcdshm_fail(st, MCD_ERR_RESULT_TOO_LONG,
                           "the result of '%s' "
                           "needs %zu bytes, result_size is %" PRIu32,
                           word, n + 1, result_size);
    }
    memcpy(result, buf, n + 1);
    return 0;
}

static int vp__device_description(void *opaque, uint32_t core, char *url,
                                  uint32_t url_size, struct mcdshm_status *st)
{
    (void)opaque;
    (void)core;
    (void)url;
    (void)url_size;
    return mcdshm_fail(st, MCD_ERR_GENERAL,
                       "mcdshm-vp has no IP-XACT "
                       "description");
}

const struct mcdshm_target_ops vp__ops = {
    .core_info = vp__core_info,
    .mem_spaces = vp__mem_spaces,
    .mem_blocks = vp__mem_blocks,
    .reg_groups = vp__reg_groups,
    .regs = vp__regs,
    .core_modes = NULL,
    .trig_info = vp__trig_info,
    .rst_classes = vp__rst_classes,
    .access = vp__access,
    .run = vp__run,
    .stop = vp__stop,
    .step = vp__step,
    .run_until = vp__run_until,
    .set_global = vp__set_global,
    .state = vp__state,
    .current_time = vp__current_time,
    .trig_insert = vp__trig_insert,
    .trig_remove = vp__trig_remove,
    .reset = vp__reset,
    .execute_command = vp__execute_command,
    .device_description = vp__device_description,
    .chl_open = vp__chl_open,
    .chl_send = vp__chl_send,
    .chl_receive = vp__chl_receive,
    .chl_reset = vp__chl_reset,
    .chl_close = vp__chl_close,
    .traces = vp__traces,
    .trace_state = vp__trace_state,
    .set_trace_state = vp__set_trace_state,
    .read_trace = vp__read_trace,
    .trace_stream = vp__trace_stream,
};
