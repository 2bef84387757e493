/*
 * mcdshm_sc.h - serve a SystemC/TLM-2.0 virtual platform over mcdshm.
 *
 * A platform makes itself debuggable in three steps:
 *   1. each processor model implements mcdshm_sc::core (registers, pc,
 *      one instruction at a time) and calls checkpoint() of its
 *      mcdshm_sc::server before every instruction, from its own SC_THREAD;
 *   2. each processor's initiator socket is bound through the server's
 *      watch port for that core (port(i).target / port(i).initiator), a
 *      TLM interposer that sees the core's loads and stores (watchpoints)
 *      and carries the debugger's memory accesses (transport_dbg);
 *   3. the memory map is described with add_block() for the debugger.
 * The example platform (cosim/systemc/example/) is the reference.
 *
 * Threads.  The stub's I/O thread never touches the model.  The server
 * runs the target as MCDSHM_EXEC_SIM_THREAD: a watcher thread of ours
 * waits on mcdshm_server_exec_fd() and then calls async_request_update()
 * on a primitive channel, whose update() notifies the event that the
 * draining SC_THREAD waits on; that SC_THREAD answers every request with
 * mcdshm_server_exec_pending(), so target operations only ever run inside
 * the SystemC kernel, between processes.  The channel is attached with
 * async_attach_suspending(), so the kernel suspends rather than ends for
 * lack of events while the platform is served.
 *
 * Run control.  While any core runs, simulated time advances as usual and
 * the draining thread waits on SystemC events.  When every core is halted
 * the draining thread blocks the kernel's OS thread in poll() on the exec
 * descriptor itself (and the watcher's kick descriptor, whichever thread
 * reads the exec count first): no process runs and time stands still
 * until a debugger request resumes a core.  Cores halt only at
 * checkpoint(), so a halted core is always between two instructions.
 */
#ifndef MCDSHM_SC_H
#define MCDSHM_SC_H

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <systemc>
#include <tlm>

#include "mcdshm/server.h"

namespace mcdshm_sc
{

/* One register of a core, as the debugger sees it. */
struct reg_desc {
    std::string name;
    uint32_t group;  /* 1-based index into core::reg_groups() */
    uint64_t number; /* its address in the register space */
    uint32_t bits;   /* 8, 16, 32 or 64 */
};

/* What one instruction did, as far as the debugger cares. */
enum class step_result {
    ok,     /* retired (or trapped into the model's own handler) */
    ebreak, /* a software breakpoint instruction: the core stops at it */
    idle,   /* retired and now waits for an interrupt (wfi) */
};

/*
 * A processor model.  Every method is called inside the SystemC kernel:
 * step() from an SC_THREAD (it may wait()), the others from anywhere.
 * Register and pc access happen only while the core is halted.
 */
class core
{
  public:
    virtual ~core() = default;
    /* e.g. "hart0" */
    virtual std::string core_name() const = 0;
    /* ELF e_machine of the instruction set (243 = RISC-V) */
    virtual uint32_t elf_machine() const = 0;
    /* register group names; group ids are 1.. in this order */
    virtual std::vector<std::string> reg_groups() const = 0;
    virtual const std::vector<reg_desc> &registers() const = 0;
    /* 0, or -ENOENT (no such register) */
    virtual int read_reg(uint64_t number, uint64_t *val) = 0;
    /* 0, -ENOENT, or -EPERM (read-only) */
    virtual int write_reg(uint64_t number, uint64_t val) = 0;
    virtual uint64_t pc() const = 0;
    /* Execute one instruction now, on the calling SC_THREAD. */
    virtual step_result step() = 0;
    /* Back to the reset state (registers and pc). */
    virtual void reset() = 0;
};

class server;

/*
 * The TLM interposer of one core: b_transport and transport_dbg pass
 * through unchanged; b_transport is checked against the core's data
 * watchpoints.  Bind core.socket -> target, initiator -> the bus.
 */
class watch_port : public sc_core::sc_module,
                   public tlm::tlm_fw_transport_if<>,
                   public tlm::tlm_bw_transport_if<>
{
  public:
    tlm::tlm_target_socket<> target;
    tlm::tlm_initiator_socket<> initiator;

    watch_port(sc_core::sc_module_name name, server &srv, uint32_t core);

    void b_transport(tlm::tlm_generic_payload &tx,
                     sc_core::sc_time &delay) override;
    unsigned int transport_dbg(tlm::tlm_generic_payload &tx) override;
    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload &tx,
                                       tlm::tlm_phase &ph,
                                       sc_core::sc_time &t) override;
    bool get_direct_mem_ptr(tlm::tlm_generic_payload &tx,
                            tlm::tlm_dmi &dmi) override;
    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload &tx,
                                       tlm::tlm_phase &ph,
                                       sc_core::sc_time &t) override;
    void invalidate_direct_mem_ptr(sc_dt::uint64 lo, sc_dt::uint64 hi) override;

  private:
    server &srv_;
    uint32_t core_;
};

/* How the server is published. */
struct options {
    std::string name = "systemc"; /* endpoint name */
    std::string path;             /* explicit socket path, or empty */
    std::string policy;           /* busy, hybrid or sleep; empty = hybrid */
    std::string system = "mcdshm-systemc";
    std::string device = "systemc-platform";
    bool start_halted = false; /* cores wait for the debugger at first */
};

class server : public sc_core::sc_module
{
  public:
    /**
     * server() - serve @cores over mcdshm, named by @opt.
     * Throws std::runtime_error naming the reason if the endpoint cannot
     * be published (e.g. a live server already has the name).
     */
    server(sc_core::sc_module_name name, std::vector<core *> cores,
           const options &opt);
    ~server() override;

    /* The interposer of core @i. */
    watch_port &port(uint32_t i)
    {
        return *ports_.at(i);
    }
    /* Describe a memory block of the physical space to the debugger. */
    void add_block(const std::string &name, uint64_t base, uint64_t size);

    /**
     * checkpoint() - call before every instruction of core @i, from its
     * SC_THREAD.  Returns when the core may execute its next instruction:
     * parks the core (wait()) while it is halted, stops it at
     * breakpoints, and counts steps.
     */
    void checkpoint(uint32_t i);
    /* Report what the instruction after checkpoint(@i) did. */
    void retired(uint32_t i, step_result r);

    /* Ask the simulation to end (async-signal-safe; any thread). */
    void request_quit();

    /* For the watch ports: core @i's data access, from its SC_THREAD. */
    void data_access(uint32_t i, uint64_t addr, uint32_t len, bool write);

    /* Requests answered so far (tests). */
    uint64_t requests() const
    {
        return nreq_.load();
    }

    /* The target operations (public for the C table; don't call). */
    struct ops_impl;

  private:
    friend struct ops_impl;

    /* trig::type flag: the trigger's action is DBG_GLOBAL */
    static constexpr uint32_t trig_global = 0x80000000u;
    struct trig {
        uint32_t id;
        uint32_t type;
        uint64_t lo, hi; /* inclusive */
    };
    struct core_state {
        core *model;
        bool halted = true; /* as the debugger sees it */
        bool global = true;
        bool skip_bp = false; /* resume over the breakpoint at pc */
        uint64_t steps_left = 0;
        bool stepping = false;
        uint32_t trig_id = 0;
        uint32_t events = 0;
        std::string stop_str = "halted at start";
        std::vector<trig> trigs;
        sc_core::sc_event resume;
        sc_core::sc_event parked;
        bool is_parked = false;
        uint32_t watch_hit = 0; /* trigger id to stop at, 0 = none */
        trig watch_hit_trig{};
        bool until = false; /* stopped by the pending run_until */
    };
    /* The primitive channel the watcher wakes the kernel through. */
    class kick_channel : public sc_core::sc_prim_channel
    {
      public:
        explicit kick_channel(const char *n) : sc_prim_channel(n)
        {
        }
        sc_core::sc_event ev;
        void attach()
        {
            async_attach_suspending();
        }
        void detach()
        {
            async_detach_suspending();
        }
        void kick()
        {
            async_request_update();
        }

      protected:
        void update() override
        {
            ev.notify(sc_core::SC_ZERO_TIME);
        }
    };

    void drain();
    void watcher();
    void start_of_simulation() override;
    void end_of_simulation() override;
    bool all_halted() const;
    const trig *ip_match(const core_state &c, uint64_t pc) const;
    void fire(core_state &c, const trig &t, const char *why);
    static const mcdshm_target_ops *ops_table();
    void halt_core(core_state &c, const char *why, uint32_t trig_id);
    void resume_core(core_state &c);
    void wait_for_kick();
    bool take_kicks();
    uint64_t now_ps() const;

    std::vector<core_state> cores_;
    std::vector<watch_port *> ports_;
    std::vector<mcd_memblock_st> blocks_;
    options opt_;
    mcdshm_target target_{};
    mcdshm_server *srv_ = nullptr;
    kick_channel kick_;
    sc_core::sc_event state_ev_;
    sc_core::sc_event until_ev_;
    bool until_armed_ = false;
    sc_core::sc_time until_;
    std::thread watcher_;
    int quit_fd_ = -1;
    int kick_fd_ = -1; /* eventfd: the watcher kicked */
    std::atomic<bool> quit_{ false };
    std::atomic<uint64_t> nreq_{ 0 };
};

} /* namespace mcdshm_sc */

#endif /* MCDSHM_SC_H */
