/*
 * ops.cpp - struct mcdshm_target_ops for a SystemC platform.
 *
 * Every operation runs on the server's draining SC_THREAD (the target is
 * MCDSHM_EXEC_SIM_THREAD), so it may use the model freely: the cores are
 * suspended between two instructions, memory is reached with TLM-2.0
 * debug transport through the core's watch port, and step waits on
 * SystemC events while the kernel runs the stepped cores.
 *
 * Run control: `global` means the core given plus every core that takes
 * part in global run control (set_global, all by default).  run and
 * run_until return at once (poll state); stop returns with the cores
 * halted (they are suspended between instructions while this thread runs);
 * step returns once the steps are done.  step and run_until need the
 * cores halted; run of a running core and stop of a halted one do nothing.
 */
#include "cosim/systemc/mcdshm_sc.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

using namespace sc_core;

namespace mcdshm_sc
{

#define SPACE_PHYS 1
#define SPACE_REGS 2
#define MAX_TRIGS 32
#define TRIG_TYPES                                                 \
    (MCD_TRIG_TYPE_IP | MCD_TRIG_TYPE_READ | MCD_TRIG_TYPE_WRITE | \
     MCD_TRIG_TYPE_RW)

struct server::ops_impl {
    static server *S(void *o)
    {
        return static_cast<server *>(o);
    }

    static int check_core(server *s, uint32_t core, mcdshm_status *st)
    {
        if (core >= s->cores_.size()) {
            return mcdshm_fail(st, MCD_ERR_PARAM,
                               "core %" PRIu32 " does not exist: %s has %zu "
                               "cores (0..%zu)",
                               core, s->opt_.system.c_str(), s->cores_.size(),
                               s->cores_.size() - 1);
        }
        return 0;
    }

    static bool targets(server *s, uint32_t core, bool global, size_t i)
    {
        return i == core || (global && s->cores_[i].global);
    }

    template <typename T>
    static uint32_t list(T *out, const std::vector<T> &all, uint32_t max)
    {
        for (uint32_t i = 0; i < max && i < all.size(); i++) {
            out[i] = all[i];
        }
        return (uint32_t)all.size();
    }

    /* ---- description ---- */

    static void core_info(void *o, uint32_t core, mcd_core_con_info_st *ci)
    {
        server *s = S(o);

        if (core < s->cores_.size()) {
            core_state &c = s->cores_[core];
            snprintf(ci->core, sizeof(ci->core), "%s",
                     c.model->core_name().c_str());
            ci->core_type = c.model->elf_machine();
            ci->core_id = core;
        }
    }

    static void space(mcd_memspace_st *m, uint32_t id, const char *name,
                      uint32_t type, uint64_t max, uint32_t nblocks)
    {
        memset(m, 0, sizeof(*m));
        m->mem_space_id = id;
        snprintf(m->mem_space_name, sizeof(m->mem_space_name), "%s", name);
        m->mem_type = type;
        m->bits_per_mau = 8;
        m->invariance = 1;
        m->endian = MCD_ENDIAN_LITTLE;
        m->max_addr = max;
        m->num_mem_blocks = nblocks;
        m->supported_access_options = MCD_TX_OPT_NO_SIDE_EFFECTS;
    }

    static uint64_t max_reg(const core &m)
    {
        uint64_t n = 0;

        for (const reg_desc &r : m.registers()) {
            n = r.number > n ? r.number : n;
        }
        return n;
    }

    static uint32_t mem_spaces(void *o, uint32_t core, mcd_memspace_st *out,
                               uint32_t max)
    {
        server *s = S(o);
        std::vector<mcd_memspace_st> all(2);

        space(&all[0], SPACE_PHYS, "phys", MCD_MEM_SPACE_IS_PHYSICAL,
              UINT64_MAX, (uint32_t)s->blocks_.size());
        space(&all[1], SPACE_REGS, "regs", MCD_MEM_SPACE_IS_REGISTERS,
              core < s->cores_.size() ? max_reg(*s->cores_[core].model) : 0, 0);
        return list(out, all, max);
    }

    static uint32_t mem_blocks(void *o, uint32_t core, uint32_t space_id,
                               mcd_memblock_st *out, uint32_t max)
    {
        (void)core;
        if (space_id != SPACE_PHYS) {
            return 0;
        }
        return list(out, S(o)->blocks_, max);
    }

    static uint32_t reg_groups(void *o, uint32_t core,
                               mcd_register_group_st *out, uint32_t max)
    {
        server *s = S(o);
        std::vector<mcd_register_group_st> all;

        if (core >= s->cores_.size()) {
            return 0;
        }
        const mcdshm_sc::core &m = *s->cores_[core].model;
        std::vector<std::string> names = m.reg_groups();
        for (size_t g = 0; g < names.size(); g++) {
            mcd_register_group_st rg;
            memset(&rg, 0, sizeof(rg));
            rg.reg_group_id = (uint32_t)g + 1;
            snprintf(rg.reg_group_name, sizeof(rg.reg_group_name), "%s",
                     names[g].c_str());
            for (const reg_desc &r : m.registers()) {
                rg.n_registers += r.group == g + 1;
            }
            all.push_back(rg);
        }
        return list(out, all, max);
    }

    static uint32_t regs(void *o, uint32_t core, uint32_t group,
                         mcd_register_info_st *out, uint32_t max)
    {
        server *s = S(o);
        uint32_t n = 0;

        if (core >= s->cores_.size()) {
            return 0;
        }
        for (const reg_desc &r : s->cores_[core].model->registers()) {
            if (group != 0 && r.group != group) {
                continue;
            }
            if (n < max) {
                mcd_register_info_st *ri = &out[n];
                memset(ri, 0, sizeof(*ri));
                ri->addr.address = r.number;
                ri->addr.mem_space_id = SPACE_REGS;
                ri->reg_group_id = r.group;
                snprintf(ri->regname, sizeof(ri->regname), "%s",
                         r.name.c_str());
                ri->regsize = r.bits;
                ri->reg_type = MCD_REG_TYPE_SIMPLE;
                ri->hw_thread_id = core + 1;
            }
            n++;
        }
        return n;
    }

    static void trig_info(void *o, uint32_t core, mcd_trig_info_st *out)
    {
        (void)o;
        (void)core;
        memset(out, 0, sizeof(*out));
        out->type = TRIG_TYPES;
        out->option = MCD_TRIG_OPT_DEFAULT;
        out->action = MCD_TRIG_ACTION_DBG_DEBUG | MCD_TRIG_ACTION_DBG_GLOBAL;
        out->trig_number = MAX_TRIGS;
        out->sw_breakpoints = FALSE;
    }

    static uint32_t rst_classes(void *o, uint32_t core, mcd_rst_info_st out[32])
    {
        (void)o;
        (void)core;
        memset(out, 0, 2 * sizeof(out[0]));
        out[0].class_vector = 1u << 0;
        snprintf(out[0].info_str, sizeof(out[0].info_str),
                 "system reset: every core gets its reset registers and pc; "
                 "memories and peripherals keep their contents");
        out[1].class_vector = 1u << 1;
        snprintf(out[1].info_str, sizeof(out[1].info_str),
                 "core reset: this core only gets its reset registers and "
                 "pc");
        return 0x3;
    }

    /* ---- access ---- */

    /* One debug transport; returns the bytes done. */
    static uint32_t dbg(server *s, uint32_t core, tlm::tlm_command cmd,
                        uint64_t addr, uint8_t *p, uint32_t len)
    {
        tlm::tlm_generic_payload gp;
        uint32_t done = 0, n;

        while (done < len) {
            gp.set_command(cmd);
            gp.set_address(addr + done);
            gp.set_data_ptr(p + done);
            gp.set_data_length(len - done);
            gp.set_streaming_width(len - done);
            gp.set_byte_enable_ptr(nullptr);
            gp.set_dmi_allowed(false);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            n = s->ports_[core]->initiator->transport_dbg(gp);
            if (n == 0 || n > len - done) {
                break;
            }
            done += n;
        }
        return done;
    }

    static int mem_tx(server *s, uint32_t core, mcd_tx_st *tx,
                      mcdshm_status *st)
    {
        uint64_t a = tx->addr.address;
        uint32_t len = tx->num_bytes, n;
        std::vector<uint8_t> old;
        bool rd =
            tx->access_type == MCD_TX_AT_R || tx->access_type == MCD_TX_AT_RW;

        if (a + (uint64_t)len - (len ? 1 : 0) < a) {
            return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                               "address 0x%" PRIx64 " + num_bytes %" PRIu32
                               " wraps around",
                               a, len);
        }
        if (tx->access_type == MCD_TX_AT_RW) {
            old.resize(len);
            n = dbg(s, core, tlm::TLM_READ_COMMAND, a, old.data(), len);
            if (n < len) {
                tx->num_bytes_ok = 0;
                goto err_read;
            }
        }
        if (tx->access_type != MCD_TX_AT_R) {
            n = dbg(s, core, tlm::TLM_WRITE_COMMAND, a, tx->data, len);
            tx->num_bytes_ok = tx->access_type == MCD_TX_AT_W ? n : 0;
            if (n < len) {
                return mcdshm_fail(st, MCD_ERR_TXLIST_WRITE,
                                   "no memory at 0x%" PRIx64 ": only %" PRIu32
                                   " of %" PRIu32 " bytes from 0x%" PRIx64
                                   " were written",
                                   a + n, n, len, a);
            }
        }
        if (tx->access_type == MCD_TX_AT_RW) {
            memcpy(tx->data, old.data(), len);
            tx->num_bytes_ok = len;
            return 0;
        }
        if (rd || tx->access_type == MCD_TX_AT_WR) {
            n = dbg(s, core, tlm::TLM_READ_COMMAND, a, tx->data, len);
            tx->num_bytes_ok = n;
            if (n < len) {
                goto err_read;
            }
        }
        return 0;

    err_read:
        return mcdshm_fail(st, MCD_ERR_TXLIST_READ,
                           "no memory at 0x%" PRIx64 ": only %" PRIu32
                           " of %" PRIu32 " bytes from 0x%" PRIx64 " were read",
                           a + n, n, len, a);
    }

    static const reg_desc *find_reg(const core &m, uint64_t number)
    {
        for (const reg_desc &r : m.registers()) {
            if (r.number == number) {
                return &r;
            }
        }
        return nullptr;
    }

    /* One register at @p: 0, or -1 with st filled. */
    static int reg_one(core &m, uint32_t core_id, uint32_t type,
                       const reg_desc &r, uint8_t *p, mcdshm_status *st)
    {
        uint32_t nb = r.bits / 8;
        uint64_t v = 0, old = 0;
        int rc;

        if (type != MCD_TX_AT_W && m.read_reg(r.number, &old) < 0) {
            return mcdshm_fail(st, MCD_ERR_TXLIST_READ,
                               "register %s of core %" PRIu32 " cannot be read",
                               r.name.c_str(), core_id);
        }
        if (type != MCD_TX_AT_R) {
            for (uint32_t b = 0; b < nb; b++) {
                v |= (uint64_t)p[b] << (8 * b);
            }
            rc = m.write_reg(r.number, v);
            if (rc < 0) {
                return mcdshm_fail(st, MCD_ERR_TXLIST_WRITE,
                                   "register %s of core %" PRIu32 " is %s",
                                   r.name.c_str(), core_id,
                                   rc == -EPERM ? "read-only" : "not writable");
            }
        }
        if (type == MCD_TX_AT_WR) {
            m.read_reg(r.number, &old);
        }
        if (type != MCD_TX_AT_W) {
            for (uint32_t b = 0; b < nb; b++) {
                p[b] = (uint8_t)(old >> (8 * b));
            }
        }
        return 0;
    }

    static int reg_tx(server *s, uint32_t core, mcd_tx_st *tx,
                      mcdshm_status *st)
    {
        core_state &c = s->cores_[core];
        uint64_t number = tx->addr.address;
        const reg_desc *r;

        if (!c.halted) {
            return mcdshm_fail(st, MCD_ERR_DEVICE_ACCESS,
                               "core %" PRIu32 " is running: stop it to "
                               "access its registers",
                               core);
        }
        while (tx->num_bytes_ok < tx->num_bytes) {
            r = find_reg(*c.model, number);
            if (!r) {
                return mcdshm_fail(st, MCD_ERR_TXLIST_READ,
                                   "core %" PRIu32
                                   " has no register number 0x%" PRIx64,
                                   core, number);
            }
            if (tx->num_bytes - tx->num_bytes_ok < r->bits / 8) {
                return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                                   "num_bytes %" PRIu32 " ends inside "
                                   "register %s (%" PRIu32 " bits)",
                                   tx->num_bytes, r->name.c_str(), r->bits);
            }
            if (reg_one(*c.model, core, tx->access_type, *r,
                        tx->data + tx->num_bytes_ok, st) < 0) {
                return -1;
            }
            tx->num_bytes_ok += r->bits / 8;
            number++;
        }
        return 0;
    }

    static int access(void *o, uint32_t core, mcd_tx_st *tx, mcdshm_status *st)
    {
        server *s = S(o);

        tx->num_bytes_ok = 0;
        if (check_core(s, core, st) < 0) {
            return -1;
        }
        if (tx->access_type < MCD_TX_AT_R || tx->access_type > MCD_TX_AT_WR) {
            return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                               "access_type 0x%" PRIx32
                               " is not R, W, RW or WR",
                               (uint32_t)tx->access_type);
        }
        if (!tx->data && tx->num_bytes != 0) {
            return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                               "data is NULL for num_bytes %" PRIu32,
                               tx->num_bytes);
        }
        switch (tx->addr.mem_space_id) {
        case SPACE_PHYS:
            return mem_tx(s, core, tx, st);
        case SPACE_REGS:
            return reg_tx(s, core, tx, st);
        default:
            return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                               "mem_space_id %" PRIu32
                               " does not exist (1 phys, 2 regs)",
                               tx->addr.mem_space_id);
        }
    }

    /* ---- run control ---- */

    static void cancel_until(server *s)
    {
        s->until_armed_ = false;
        s->until_ev_.cancel();
        for (core_state &c : s->cores_) {
            c.until = false;
        }
    }

    static int run(void *o, uint32_t core, bool global, mcdshm_status *st)
    {
        server *s = S(o);

        if (check_core(s, core, st) < 0) {
            return -1;
        }
        for (size_t i = 0; i < s->cores_.size(); i++) {
            if (targets(s, core, global, i) && s->cores_[i].halted) {
                s->resume_core(s->cores_[i]);
            }
        }
        return 0;
    }

    static int stop(void *o, uint32_t core, bool global, mcdshm_status *st)
    {
        server *s = S(o);

        if (check_core(s, core, st) < 0) {
            return -1;
        }
        for (size_t i = 0; i < s->cores_.size(); i++) {
            if (targets(s, core, global, i) && !s->cores_[i].halted) {
                s->halt_core(s->cores_[i], "stopped by debugger", 0);
            }
        }
        if (s->all_halted()) {
            cancel_until(s);
        }
        return 0;
    }

    static int check_halted(server *s, uint32_t core, bool global,
                            const char *op, mcdshm_status *st)
    {
        for (size_t i = 0; i < s->cores_.size(); i++) {
            if (targets(s, core, global, i) && !s->cores_[i].halted) {
                return mcdshm_fail(st, MCD_ERR_GENERAL,
                                   "core %zu is running: stop it before %s", i,
                                   op);
            }
        }
        return 0;
    }

    static bool steps_done(server *s, uint32_t core, bool global)
    {
        for (size_t i = 0; i < s->cores_.size(); i++) {
            if (targets(s, core, global, i) && !s->cores_[i].halted) {
                return false;
            }
        }
        return true;
    }

    static int step(void *o, uint32_t core, bool global,
                    mcd_core_step_type_et type, uint32_t n, mcdshm_status *st)
    {
        server *s = S(o);

        if (check_core(s, core, st) < 0) {
            return -1;
        }
        if (type != MCD_CORE_STEP_TYPE_INSTR) {
            return mcdshm_fail(st, MCD_ERR_PARAM,
                               "step type 0x%" PRIx32 " is not supported "
                               "(INSTR 0x2 only: a SystemC core model has no "
                               "cycle count the adapter could step by)",
                               (uint32_t)type);
        }
        if (check_halted(s, core, global, "stepping", st) < 0) {
            return -1;
        }
        if (n == 0) {
            return 0;
        }
        for (size_t i = 0; i < s->cores_.size(); i++) {
            if (targets(s, core, global, i)) {
                core_state &c = s->cores_[i];
                s->resume_core(c);
                c.stepping = true;
                c.steps_left = n;
            }
        }
        /* We are the draining SC_THREAD: waiting lets the kernel run the
         * stepped cores until each has halted again. */
        while (!steps_done(s, core, global)) {
            sc_core::wait(s->state_ev_);
        }
        return 0;
    }

    static int run_until(void *o, uint32_t core, bool global, bool absolute,
                         uint64_t time, mcdshm_status *st)
    {
        server *s = S(o);
        uint64_t now, at;

        if (check_core(s, core, st) < 0 ||
            check_halted(s, core, global, "run_until", st) < 0) {
            return -1;
        }
        now = s->now_ps();
        at = absolute ? time
                      : (now > UINT64_MAX - time ? UINT64_MAX : now + time);
        if (at <= now) {
            return 0; /* already there: the cores stay halted */
        }
        cancel_until(s);
        s->until_ = sc_time_stamp() + sc_time((double)(at - now), SC_PS);
        s->until_armed_ = true;
        s->until_ev_.notify(s->until_ - sc_time_stamp());
        for (size_t i = 0; i < s->cores_.size(); i++) {
            if (targets(s, core, global, i)) {
                s->cores_[i].until = true;
                s->resume_core(s->cores_[i]);
            }
        }
        return 0;
    }

    static int set_global(void *o, uint32_t core, bool enable,
                          mcdshm_status *st)
    {
        server *s = S(o);

        if (check_core(s, core, st) < 0) {
            return -1;
        }
        s->cores_[core].global = enable;
        return 0;
    }

    static int state(void *o, uint32_t core, mcd_core_state_st *state,
                     mcdshm_status *st)
    {
        server *s = S(o);

        if (check_core(s, core, st) < 0) {
            return -1;
        }
        core_state &c = s->cores_[core];
        memset(state, 0, offsetof(mcd_core_state_st, stop_str) + 1);
        state->info_str[0] = '\0';
        state->event = (mcd_core_event_et)c.events;
        c.events = 0;
        if (!c.halted) {
            state->state = MCD_CORE_STATE_RUNNING;
            return 0;
        }
        state->state = MCD_CORE_STATE_DEBUG;
        state->hw_thread_id = core + 1;
        state->trig_id = c.trig_id;
        snprintf(state->stop_str, sizeof(state->stop_str), "%s",
                 c.stop_str.c_str());
        snprintf(state->info_str, sizeof(state->info_str),
                 "pc 0x%" PRIx64 " at %" PRIu64 " ps", c.model->pc(),
                 s->now_ps());
        return 0;
    }

    static int current_time(void *o, uint32_t core, uint64_t *ps,
                            mcdshm_status *st)
    {
        server *s = S(o);

        if (check_core(s, core, st) < 0) {
            return -1;
        }
        *ps = s->now_ps();
        return 0;
    }

    /* ---- triggers ---- */

    static int trig_parse(mcd_trig_complex_core_st *t, uint32_t id, trig *out,
                          mcdshm_status *st)
    {
        uint32_t sp = t->addr_start.mem_space_id;
        uint64_t lo = t->addr_start.address;

        if (t->type == 0 || (t->type & ~TRIG_TYPES) != 0 ||
            (t->type & (t->type - 1)) != 0) {
            return mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                               "trigger type 0x%" PRIx32
                               " is not supported (IP 0x1, READ 0x2, "
                               "WRITE 0x4 or RW 0x8)",
                               (uint32_t)t->type);
        }
        if (sp != 0 && sp != SPACE_PHYS) {
            return mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                               "trigger mem_space_id %" PRIu32
                               " is not a memory space (1 phys)",
                               sp);
        }
        if (t->option != MCD_TRIG_OPT_DEFAULT) {
            t->option = MCD_TRIG_OPT_DEFAULT;
            t->modified = TRUE;
        }
        if (t->action != MCD_TRIG_ACTION_DEFAULT &&
            t->action != MCD_TRIG_ACTION_DBG_DEBUG &&
            t->action != MCD_TRIG_ACTION_DBG_GLOBAL) {
            t->action = MCD_TRIG_ACTION_DBG_DEBUG;
            t->modified = TRUE;
        }
        if (t->addr_range > UINT64_MAX - lo) {
            t->addr_range = UINT64_MAX - lo;
            t->modified = TRUE;
        }
        out->id = id;
        out->type = (uint32_t)t->type |
                    (t->action == MCD_TRIG_ACTION_DBG_GLOBAL ? trig_global : 0);
        out->lo = lo;
        out->hi = lo + t->addr_range;
        return 0;
    }

    static int trig_insert(void *o, uint32_t core, uint32_t trig_id,
                           mcd_trig_complex_core_st *t, mcdshm_status *st)
    {
        server *s = S(o);
        trig nt;

        if (check_core(s, core, st) < 0 ||
            trig_parse(t, trig_id, &nt, st) < 0) {
            return -1;
        }
        core_state &c = s->cores_[core];
        for (const trig &x : c.trigs) {
            if (x.id == trig_id) {
                return mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                                   "trig_id %" PRIu32
                                   " already exists on core %" PRIu32,
                                   trig_id, core);
            }
        }
        if (c.trigs.size() >= MAX_TRIGS) {
            return mcdshm_fail(st, MCD_ERR_TRIG_CREATE,
                               "core %" PRIu32 " already has %d triggers "
                               "(trig_number)",
                               core, MAX_TRIGS);
        }
        c.trigs.push_back(nt);
        return 0;
    }

    static int trig_remove(void *o, uint32_t core, uint32_t trig_id,
                           mcdshm_status *st)
    {
        server *s = S(o);

        if (check_core(s, core, st) < 0) {
            return -1;
        }
        std::vector<trig> &v = s->cores_[core].trigs;
        for (size_t i = 0; i < v.size(); i++) {
            if (v[i].id == trig_id) {
                v.erase(v.begin() + (long)i);
                return 0;
            }
        }
        return mcdshm_fail(st, MCD_ERR_TRIG_ACCESS,
                           "trig_id %" PRIu32
                           " does not exist on core %" PRIu32,
                           trig_id, core);
    }

    /* ---- reset ---- */

    static int reset(void *o, uint32_t core, uint32_t vector, bool halt,
                     mcdshm_status *st)
    {
        server *s = S(o);
        bool all = vector & 1;

        if (check_core(s, core, st) < 0) {
            return -1;
        }
        if (vector == 0 || (vector & ~3u) != 0) {
            return mcdshm_fail(st, MCD_ERR_PARAM,
                               "reset class vector 0x%" PRIx32
                               " is not a set of classes 0 (system, 0x1) and "
                               "1 (core, 0x2)",
                               vector);
        }
        for (size_t i = 0; i < s->cores_.size(); i++) {
            core_state &c = s->cores_[i];
            if (!all && i != core) {
                continue;
            }
            if (!c.halted) {
                s->halt_core(c, "", 0);
            }
            c.watch_hit = 0;
            c.model->reset();
            c.stop_str = all ? "system reset" : "core reset";
            c.trig_id = 0;
            if (!halt) {
                s->resume_core(c);
                c.skip_bp = false;
            }
        }
        return 0;
    }
};

const mcdshm_target_ops *server::ops_table()
{
    static const mcdshm_target_ops ops = [] {
        mcdshm_target_ops t = {};
        t.core_info = ops_impl::core_info;
        t.mem_spaces = ops_impl::mem_spaces;
        t.mem_blocks = ops_impl::mem_blocks;
        t.reg_groups = ops_impl::reg_groups;
        t.regs = ops_impl::regs;
        t.trig_info = ops_impl::trig_info;
        t.rst_classes = ops_impl::rst_classes;
        t.access = ops_impl::access;
        t.run = ops_impl::run;
        t.stop = ops_impl::stop;
        t.step = ops_impl::step;
        t.run_until = ops_impl::run_until;
        t.set_global = ops_impl::set_global;
        t.state = ops_impl::state;
        t.current_time = ops_impl::current_time;
        t.trig_insert = ops_impl::trig_insert;
        t.trig_remove = ops_impl::trig_remove;
        t.reset = ops_impl::reset;
        return t;
    }();
    return &ops;
}

} /* namespace mcdshm_sc */
