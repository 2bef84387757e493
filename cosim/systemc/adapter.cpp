/*
 * adapter.cpp - the mcdshm target operations of a SystemC platform, its
 * run control (checkpoint), the watch ports, and the hand-over of
 * requests from the stub's I/O thread to the SystemC kernel.  See
 * mcdshm_sc.h for the threading rule; in short: every target operation
 * below runs on the draining SC_THREAD, inside the kernel, so none needs
 * a lock; only the kick descriptor (an eventfd) and the quit flag (an
 * atomic) are shared with the watcher thread.
 */
#include "cosim/systemc/mcdshm_sc.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <unistd.h>

using namespace sc_core;

namespace mcdshm_sc
{

/* ------------------------------------------------------------------------
 * Watch port
 */

watch_port::watch_port(sc_module_name name, server &srv, uint32_t core)
    : sc_module(name), target("target"), initiator("initiator"), srv_(srv),
      core_(core)
{
    target.bind(*this);
    initiator.bind(*this);
}

void watch_port::b_transport(tlm::tlm_generic_payload &tx, sc_time &delay)
{
    if (tx.is_read() || tx.is_write()) {
        srv_.data_access(core_, tx.get_address(), tx.get_data_length(),
                         tx.is_write());
    }
    initiator->b_transport(tx, delay);
}

unsigned int watch_port::transport_dbg(tlm::tlm_generic_payload &tx)
{
    return initiator->transport_dbg(tx);
}

tlm::tlm_sync_enum watch_port::nb_transport_fw(tlm::tlm_generic_payload &tx,
                                               tlm::tlm_phase &ph, sc_time &t)
{
    if (ph == tlm::BEGIN_REQ && (tx.is_read() || tx.is_write())) {
        srv_.data_access(core_, tx.get_address(), tx.get_data_length(),
                         tx.is_write());
    }
    return initiator->nb_transport_fw(tx, ph, t);
}

bool watch_port::get_direct_mem_ptr(tlm::tlm_generic_payload &tx,
                                    tlm::tlm_dmi &dmi)
{
    /* DMI would bypass the watchpoints: refuse it, so every access of the
     * core passes here. */
    (void)tx;
    dmi.allow_none();
    return false;
}

tlm::tlm_sync_enum watch_port::nb_transport_bw(tlm::tlm_generic_payload &tx,
                                               tlm::tlm_phase &ph, sc_time &t)
{
    return target->nb_transport_bw(tx, ph, t);
}

void watch_port::invalidate_direct_mem_ptr(sc_dt::uint64 lo, sc_dt::uint64 hi)
{
    target->invalidate_direct_mem_ptr(lo, hi);
}

/* ------------------------------------------------------------------------
 * Construction, the watcher thread and the draining SC_THREAD
 */

SC_HAS_PROCESS(server);

server::server(sc_module_name name, std::vector<core *> cores,
               const options &opt)
    : sc_module(name), opt_(opt), kick_("kick")
{
    char err[256] = "";
    mcdshm_server_opts so = {};

    if (cores.empty()) {
        throw std::invalid_argument("mcdshm_sc::server: no cores");
    }
    cores_ = std::vector<core_state>(cores.size());
    for (size_t i = 0; i < cores.size(); i++) {
        cores_[i].model = cores[i];
        cores_[i].halted = opt.start_halted;
        cores_[i].stop_str = opt.start_halted ? "halted at start" : "";
        std::string pn = "watch" + std::to_string(i);
        ports_.push_back(new watch_port(pn.c_str(), *this, (uint32_t)i));
    }
    quit_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    kick_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (quit_fd_ < 0 || kick_fd_ < 0) {
        int e = errno;
        close(quit_fd_);
        close(kick_fd_);
        throw std::runtime_error("mcdshm_sc::server: eventfd: " +
                                 std::string(strerror(e)));
    }
    target_.system = opt_.system.c_str();
    target_.device = opt_.device.c_str();
    target_.ncores = (uint32_t)cores_.size();
    target_.exec = MCDSHM_EXEC_SIM_THREAD;
    target_.ops = ops_table();
    target_.opaque = this;
    so.name = opt_.name.c_str();
    so.path = opt_.path.empty() ? nullptr : opt_.path.c_str();
    so.policy = opt_.policy.empty() ? nullptr : opt_.policy.c_str();
    int r = mcdshm_server_start(&target_, &so, &srv_, err, sizeof(err));
    if (r < 0) {
        close(quit_fd_);
        close(kick_fd_);
        throw std::runtime_error("mcdshm_sc::server: cannot serve '" +
                                 opt_.name + "': " + err);
    }
    SC_THREAD(drain);
}

server::~server()
{
    request_quit();
    if (watcher_.joinable()) {
        watcher_.join();
    }
    mcdshm_server_stop(srv_);
    close(quit_fd_);
    close(kick_fd_);
    for (watch_port *p : ports_) {
        delete p;
    }
}

void server::add_block(const std::string &name, uint64_t base, uint64_t size)
{
    static const uint32_t au[MCD_MEM_AUSIZE_NUM] = { 1, 2, 4, 8 };
    mcd_memblock_st b;

    if (size == 0 || base + (size - 1) < base) {
        throw std::invalid_argument("mcdshm_sc::add_block: block '" + name +
                                    "' has size 0 or wraps around");
    }
    memset(&b, 0, sizeof(b));
    b.mem_block_id = (uint32_t)blocks_.size() + 1;
    snprintf(b.mem_block_name, sizeof(b.mem_block_name), "%s", name.c_str());
    b.parent_id = MCD_MEM_BLOCK_NOPARENT;
    b.start_addr = base;
    b.end_addr = base + size - 1;
    b.endian = MCD_ENDIAN_LITTLE;
    memcpy(b.supported_au_sizes, au, sizeof(au));
    b.supported_access_options = MCD_TX_OPT_NO_SIDE_EFFECTS;
    blocks_.push_back(b);
}

void server::request_quit()
{
    static const uint64_t one = 1;

    if (write(quit_fd_, &one, sizeof(one)) < 0) {
        /* the counter cannot overflow with 1s: nothing to do */
    }
}

void server::start_of_simulation()
{
    kick_.attach();
    watcher_ = std::thread(&server::watcher, this);
}

void server::end_of_simulation()
{
    request_quit();
}

/*
 * The watcher: the only code of ours on a foreign thread.  It consumes the
 * exec descriptor's count (mcdshm_server_exec_pending() tolerates finding
 * it empty), posts a kick for a kernel blocked in wait_for_kick(), and
 * wakes a running kernel with async_request_update().
 */
void server::watcher()
{
    static const uint64_t one = 1;
    struct pollfd fds[2] = {
        { mcdshm_server_exec_fd(srv_), POLLIN, 0 },
        { quit_fd_, POLLIN, 0 },
    };
    uint64_t v;
    bool quit = false;

    pthread_setname_np(pthread_self(), "mcdshm-sc-watch");
    while (!quit) {
        if (poll(fds, 2, -1) < 0) {
            continue; /* EINTR */
        }
        quit = fds[1].revents & POLLIN;
        if ((fds[0].revents & POLLIN) && read(fds[0].fd, &v, sizeof(v)) < 0) {
            (void)v; /* the draining thread got it first: still kick */
        }
        if (quit) {
            quit_.store(true);
        }
        if (write(kick_fd_, &one, sizeof(one)) < 0) {
            (void)one; /* the counter cannot overflow with 1s */
        }
        kick_.kick();
    }
}

/*
 * Block the kernel's OS thread until a request or a kick arrives (all
 * cores halted: nothing may run, time stands still).  Polling the exec
 * descriptor here saves the hop through the watcher; whichever thread
 * reads its count, this one wakes: directly, or by the watcher's kick.
 */
void server::wait_for_kick()
{
    struct pollfd fds[2] = {
        { mcdshm_server_exec_fd(srv_), POLLIN, 0 },
        { kick_fd_, POLLIN, 0 },
    };

    while (poll(fds, 2, -1) < 0) {
        /* EINTR: poll again */
    }
}

/* Consume the pending kicks; whether there were any. */
bool server::take_kicks()
{
    uint64_t v;

    return read(kick_fd_, &v, sizeof(v)) == sizeof(v);
}

bool server::all_halted() const
{
    for (const core_state &c : cores_) {
        if (!c.halted) {
            return false;
        }
    }
    return true;
}

void server::drain()
{
    for (;;) {
        take_kicks();
        int n = mcdshm_server_exec_pending(srv_);
        if (n > 0) {
            nreq_ += (uint64_t)n;
        }
        if (until_armed_ && sc_time_stamp() >= until_) {
            until_armed_ = false;
            for (core_state &c : cores_) {
                if (c.until && !c.halted) {
                    halt_core(c, "stopped: the run_until time was reached", 0);
                }
                c.until = false;
            }
        }
        if (quit_.load()) {
            kick_.detach();
            sc_stop();
            return;
        }
        if (all_halted()) {
            wait_for_kick();
            continue;
        }
        /* A kick taken now would have its update() still to come: look
         * again at once rather than wait for it. */
        if (!take_kicks()) {
            wait(kick_.ev | state_ev_ | until_ev_);
        }
    }
}

/* ------------------------------------------------------------------------
 * Run control as the cores see it
 */

void server::halt_core(core_state &c, const char *why, uint32_t trig_id)
{
    c.halted = true;
    c.stepping = false;
    c.trig_id = trig_id;
    c.stop_str = why;
    state_ev_.notify(SC_ZERO_TIME);
}

void server::resume_core(core_state &c)
{
    c.halted = false;
    c.skip_bp = true;
    c.trig_id = 0;
    c.stop_str.clear();
    c.resume.notify(SC_ZERO_TIME);
}

/* The action of trigger @t firing on core @c. */
void server::fire(core_state &c, const trig &t, const char *why)
{
    if (t.type & trig_global) {
        for (core_state &o : cores_) {
            if (&o != &c && o.global && !o.halted) {
                halt_core(o, "stopped by a global trigger of another core", 0);
            }
        }
    }
    halt_core(c, why, t.id);
}

const server::trig *server::ip_match(const core_state &c, uint64_t pc) const
{
    for (const trig &t : c.trigs) {
        if ((t.type & MCD_TRIG_TYPE_IP) && pc >= t.lo && pc <= t.hi) {
            return &t;
        }
    }
    return nullptr;
}

void server::checkpoint(uint32_t i)
{
    core_state &c = cores_[i];
    const trig *t;

    for (;;) {
        if (!c.halted) {
            if (c.watch_hit) {
                trig hit = c.watch_hit_trig;
                c.watch_hit = 0;
                fire(c, hit, "stopped by a watchpoint");
                continue;
            }
            if (c.stepping && c.steps_left == 0) {
                halt_core(c, "stopped after the requested steps", 0);
                continue;
            }
            if (!c.skip_bp && (t = ip_match(c, c.model->pc())) != nullptr) {
                fire(c, *t, "stopped at a breakpoint");
                continue;
            }
            c.skip_bp = false;
            if (c.stepping) {
                c.steps_left--;
            }
            return;
        }
        wait(c.resume);
    }
}

void server::retired(uint32_t i, step_result r)
{
    core_state &c = cores_[i];

    if (r == step_result::ebreak && !c.halted) {
        halt_core(c, "stopped at an ebreak instruction", 0);
    }
}

void server::data_access(uint32_t i, uint64_t addr, uint32_t len, bool write)
{
    core_state &c = cores_[i];
    uint64_t hi = addr + (len ? len - 1 : 0);

    if (c.watch_hit || c.trigs.empty()) {
        return;
    }
    for (const trig &t : c.trigs) {
        uint32_t ty = t.type & ~trig_global;
        bool dir = ty == MCD_TRIG_TYPE_RW ||
                   (ty == MCD_TRIG_TYPE_WRITE && write) ||
                   (ty == MCD_TRIG_TYPE_READ && !write);
        if (dir && addr <= t.hi && hi >= t.lo) {
            c.watch_hit = t.id;
            c.watch_hit_trig = t;
            return;
        }
    }
}

uint64_t server::now_ps() const
{
    /* Picoseconds per unit of the kernel's time resolution (1 by
     * default); a resolution finer than 1 ps is rounded down. */
    double res = sc_get_time_resolution().to_seconds() * 1e12;
    uint64_t v = sc_time_stamp().value();

    if (res >= 1.0) {
        return v * (uint64_t)(res + 0.5);
    }
    return v / (uint64_t)(1.0 / res + 0.5);
}

} /* namespace mcdshm_sc */
