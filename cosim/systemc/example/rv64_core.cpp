/*
 * rv64_core.cpp - a hart of the reference RV64IM interpreter as a SystemC
 * module and an mcdshm_sc::core.  The interpreter gets no RAM pointer, so
 * every fetch, load and store goes through the TLM socket (b_transport);
 * time advances one period per instruction, synchronised with a quantum
 * keeper.  The platform leaves the TLM global quantum at its default
 * (zero), so a hart yields after every instruction: about a million
 * instructions a second, but a debugger's request waits at most one
 * instruction while the harts run (a 1 us quantum barely sped the harts
 * up, their cost is the TLM path, and made that wait ~200 us).  Register
 * numbers are mcdshm-vp's (x0..x31 = 0..31, pc = 32,
 * CSR n = 0x1000 + n), so the same debugger scripts work on both.
 * Kernel thread only.
 */
#include "cosim/systemc/example/platform.h"

#include <cerrno>

using namespace sc_core;

namespace sc_example
{

#define REG_PC 32
#define REG_CSR 0x1000

/* CSRs shown to the debugger (those rv64_csr_read() knows). */
static const struct {
    uint16_t num;
    const char *name;
} csrs[] = {
    { RV64_CSR_MSTATUS, "mstatus" },   { RV64_CSR_MISA, "misa" },
    { RV64_CSR_MIE, "mie" },           { RV64_CSR_MTVEC, "mtvec" },
    { RV64_CSR_MSCRATCH, "mscratch" }, { RV64_CSR_MEPC, "mepc" },
    { RV64_CSR_MCAUSE, "mcause" },     { RV64_CSR_MTVAL, "mtval" },
    { RV64_CSR_MIP, "mip" },           { RV64_CSR_MCYCLE, "mcycle" },
    { RV64_CSR_MINSTRET, "minstret" }, { RV64_CSR_MHARTID, "mhartid" },
};

SC_HAS_PROCESS(rv64_core);

rv64_core::rv64_core(sc_module_name name, uint32_t hartid, uint64_t reset_pc,
                     sc_time period)
    : sc_module(name), socket("socket"), hartid_(hartid), reset_pc_(reset_pc),
      period_(period)
{
    uint64_t v;

    rv64_hart_reset(&h_, hartid, reset_pc);
    bus_ = {};
    bus_.opaque = this;
    bus_.load = load;
    bus_.store = store;
    for (unsigned i = 0; i < 32; i++) {
        regs_.push_back({ rv64_gpr_name(i), 1, i, 64 });
    }
    regs_.push_back({ "pc", 1, REG_PC, 64 });
    for (const auto &c : csrs) {
        if (rv64_csr_read(&h_, c.num, &v) == 0) {
            regs_.push_back({ c.name, 2, (uint64_t)REG_CSR + c.num, 64 });
        }
    }
    SC_THREAD(run);
}

void rv64_core::attach(mcdshm_sc::server *srv, uint32_t index)
{
    srv_ = srv;
    index_ = index;
}

std::string rv64_core::core_name() const
{
    return "hart" + std::to_string(hartid_);
}

std::vector<std::string> rv64_core::reg_groups() const
{
    return { "gpr", "csr" };
}

const std::vector<mcdshm_sc::reg_desc> &rv64_core::registers() const
{
    return regs_;
}

int rv64_core::read_reg(uint64_t number, uint64_t *val)
{
    if (number < 32) {
        *val = number ? h_.x[number] : 0;
        return 0;
    }
    if (number == REG_PC) {
        *val = h_.pc;
        return 0;
    }
    if (number >= REG_CSR && number < REG_CSR + 0x1000) {
        return rv64_csr_read(&h_, (uint16_t)(number - REG_CSR), val);
    }
    return -ENOENT;
}

int rv64_core::write_reg(uint64_t number, uint64_t val)
{
    if (number < 32) {
        if (number) {
            h_.x[number] = val;
        }
        return 0;
    }
    if (number == REG_PC) {
        h_.pc = val;
        return 0;
    }
    if (number >= REG_CSR && number < REG_CSR + 0x1000) {
        return rv64_csr_write(&h_, (uint16_t)(number - REG_CSR), val);
    }
    return -ENOENT;
}

void rv64_core::reset()
{
    rv64_hart_reset(&h_, hartid_, reset_pc_);
    qk_.reset();
}

int rv64_core::transport(tlm::tlm_command cmd, uint64_t addr, unsigned size,
                         uint64_t *val)
{
    tlm::tlm_generic_payload gp;
    uint8_t buf[8] = { 0 };
    sc_time delay = qk_.get_local_time();

    for (unsigned i = 0; cmd == tlm::TLM_WRITE_COMMAND && i < size; i++) {
        buf[i] = (uint8_t)(*val >> (8 * i));
    }
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(buf);
    gp.set_data_length(size);
    gp.set_streaming_width(size);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(gp, delay);
    qk_.set(delay);
    if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) {
        return -1;
    }
    if (cmd == tlm::TLM_READ_COMMAND) {
        *val = 0;
        for (unsigned i = 0; i < size; i++) {
            *val |= (uint64_t)buf[i] << (8 * i);
        }
    }
    return 0;
}

int rv64_core::load(void *opaque, uint64_t addr, unsigned size, uint64_t *val)
{
    return static_cast<rv64_core *>(opaque)->transport(tlm::TLM_READ_COMMAND,
                                                       addr, size, val);
}

int rv64_core::store(void *opaque, uint64_t addr, unsigned size, uint64_t val)
{
    return static_cast<rv64_core *>(opaque)->transport(tlm::TLM_WRITE_COMMAND,
                                                       addr, size, &val);
}

mcdshm_sc::step_result rv64_core::step()
{
    enum rv64_step_result r = rv64_step(&h_, &bus_, nullptr);

    qk_.inc(period_);
    if (r == RV64_EBREAK) {
        return mcdshm_sc::step_result::ebreak;
    }
    return r == RV64_WFI ? mcdshm_sc::step_result::idle
                         : mcdshm_sc::step_result::ok;
}

void rv64_core::run()
{
    for (;;) {
        mcdshm_sc::step_result r;

        if (srv_) {
            srv_->checkpoint(index_);
        }
        r = step();
        if (srv_) {
            srv_->retired(index_, r);
        }
        if (qk_.need_sync()) {
            qk_.sync();
        }
    }
}

} /* namespace sc_example */
