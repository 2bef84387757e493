/*
 * platform.h - the example SystemC platform served over mcdshm: harts of
 * the reference RV64IM interpreter (cosim/vp/rv64.[ch]) as SystemC
 * modules with TLM-2.0 initiator sockets, a TLM memory, a UART and a
 * bus, in the memory map of mcdshm-vp (RAM at 0x80000000, UART at
 * 0x10000000), so the vp's programs run unchanged.
 *
 * Every module here lives on the SystemC kernel's thread only; nothing is
 * shared with another OS thread (the adapter in ../mcdshm_sc.h hands the
 * debugger's requests to the kernel).
 */
#ifndef MCDSHM_SC_EXAMPLE_PLATFORM_H
#define MCDSHM_SC_EXAMPLE_PLATFORM_H

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "cosim/systemc/mcdshm_sc.h"
extern "C" {
#include "cosim/vp/rv64.h"
}

namespace sc_example
{

#define EX_RAM_BASE 0x80000000ull
#define EX_UART_BASE 0x10000000ull
#define EX_UART_SIZE 0x100ull

/* One hart: the RV64IM interpreter, every fetch, load and store through
 * its TLM initiator socket (b_transport), one instruction per period. */
class rv64_core : public sc_core::sc_module, public mcdshm_sc::core
{
  public:
    tlm_utils::simple_initiator_socket<rv64_core> socket;

    rv64_core(sc_core::sc_module_name name, uint32_t hartid, uint64_t reset_pc,
              sc_core::sc_time period);
    /* The server whose checkpoint() this hart calls (before simulation). */
    void attach(mcdshm_sc::server *srv, uint32_t index);

    std::string core_name() const override;
    uint32_t elf_machine() const override
    {
        return 243; /* EM_RISCV */
    }
    std::vector<std::string> reg_groups() const override;
    const std::vector<mcdshm_sc::reg_desc> &registers() const override;
    int read_reg(uint64_t number, uint64_t *val) override;
    int write_reg(uint64_t number, uint64_t val) override;
    uint64_t pc() const override
    {
        return h_.pc;
    }
    mcdshm_sc::step_result step() override;
    void reset() override;

  private:
    void run();
    static int load(void *opaque, uint64_t addr, unsigned size, uint64_t *val);
    static int store(void *opaque, uint64_t addr, unsigned size, uint64_t val);
    int transport(tlm::tlm_command cmd, uint64_t addr, unsigned size,
                  uint64_t *val);

    rv64_hart h_;
    rv64_bus bus_;
    uint32_t hartid_;
    uint64_t reset_pc_;
    sc_core::sc_time period_;
    tlm_utils::tlm_quantumkeeper qk_;
    mcdshm_sc::server *srv_ = nullptr;
    uint32_t index_ = 0;
    std::vector<mcdshm_sc::reg_desc> regs_;
};

/* RAM: b_transport and transport_dbg over one buffer. */
class memory : public sc_core::sc_module
{
  public:
    tlm_utils::simple_target_socket<memory> socket;
    std::vector<uint8_t> data;

    memory(sc_core::sc_module_name name, uint64_t size);

  private:
    void b_transport(tlm::tlm_generic_payload &tx, sc_core::sc_time &delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload &tx);
};

/* A 16550 subset, as mcdshm-vp's: offset 0 transmits (written to
 * stdout), offset 5 is the line status (transmitter always empty). */
class uart : public sc_core::sc_module
{
  public:
    tlm_utils::simple_target_socket<uart> socket;
    std::string out; /* everything transmitted, for the `uart` view */
    bool to_stdout = false;

    explicit uart(sc_core::sc_module_name name);

  private:
    void b_transport(tlm::tlm_generic_payload &tx, sc_core::sc_time &delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload &tx);
    uint8_t reg(uint64_t off) const;
};

/* Address decoder: initiators in, targets out by address range.  The
 * address a target sees is relative to its base. */
class bus : public sc_core::sc_module
{
  public:
    tlm_utils::multi_passthrough_target_socket<bus> target;
    tlm_utils::multi_passthrough_initiator_socket<bus> initiator;

    explicit bus(sc_core::sc_module_name name);
    /* Output @port covers [base, base + size). */
    void map(unsigned port, uint64_t base, uint64_t size);

  private:
    struct range {
        unsigned port;
        uint64_t base, size;
    };
    const range *decode(uint64_t addr) const;
    void b_transport(int id, tlm::tlm_generic_payload &tx,
                     sc_core::sc_time &delay);
    unsigned int transport_dbg(int id, tlm::tlm_generic_payload &tx);
    std::vector<range> map_;
};

/* What `mcdshm-sc-example` is started with. */
struct top_options {
    uint32_t harts = 2;
    uint64_t ram_size = 128ull << 20;
    std::string elf;        /* program to load into RAM */
    mcdshm_sc::options srv; /* endpoint, policy, start halted */
    bool uart_stdout = false;
};

/* The whole platform: harts -> watch ports -> bus -> RAM, UART. */
class top : public sc_core::sc_module
{
  public:
    /* Throws std::runtime_error naming the reason (ELF, endpoint). */
    top(sc_core::sc_module_name name, const top_options &opt);
    ~top() override;

    mcdshm_sc::server &server()
    {
        return *srv_;
    }
    memory &ram()
    {
        return ram_;
    }
    uart &serial()
    {
        return uart_;
    }

  private:
    std::vector<rv64_core *> harts_;
    bus bus_;
    memory ram_;
    uart uart_;
    mcdshm_sc::server *srv_ = nullptr;
};

} /* namespace sc_example */

#endif /* MCDSHM_SC_EXAMPLE_PLATFORM_H */
