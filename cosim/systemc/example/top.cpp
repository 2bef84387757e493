/*
 * top.cpp - the example platform assembled: harts, their watch ports, the
 * bus, RAM and UART, and the mcdshm server (see platform.h).  Elaboration
 * only; kernel thread.
 */
#include "cosim/systemc/example/platform.h"

#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <stdexcept>

extern "C" {
#include "cosim/vp/elf_load.h"
}

using namespace sc_core;

namespace sc_example
{

/* ELF segments go straight into the RAM model's buffer. */
static int elf_write(void *opaque, uint64_t addr, const void *data,
                     uint64_t len)
{
    memory *ram = static_cast<memory *>(opaque);

    if (addr < EX_RAM_BASE || addr - EX_RAM_BASE > ram->data.size() ||
        len > ram->data.size() - (addr - EX_RAM_BASE)) {
        return -EFAULT;
    }
    memcpy(&ram->data[addr - EX_RAM_BASE], data, len);
    return 0;
}

top::top(sc_module_name name, const top_options &opt)
    : sc_module(name), bus_("bus"), ram_("ram", opt.ram_size), uart_("uart")
{
    uint64_t entry = EX_RAM_BASE;
    char err[512] = "";
    std::vector<mcdshm_sc::core *> cores;

    if (opt.harts == 0 || opt.harts > 8) {
        throw std::invalid_argument("harts " + std::to_string(opt.harts) +
                                    " is out of range (1..8)");
    }
    if (!opt.elf.empty() && vp_elf_load(opt.elf.c_str(), elf_write, &ram_,
                                        &entry, err, sizeof(err)) < 0) {
        throw std::runtime_error(err);
    }
    uart_.to_stdout = opt.uart_stdout;
    for (uint32_t i = 0; i < opt.harts; i++) {
        std::string n = "hart" + std::to_string(i);
        harts_.push_back(new rv64_core(n.c_str(), i, entry, sc_time(1, SC_NS)));
        cores.push_back(harts_.back());
    }
    srv_ = new mcdshm_sc::server("mcdshm", cores, opt.srv);
    for (uint32_t i = 0; i < opt.harts; i++) {
        harts_[i]->attach(srv_, i);
        harts_[i]->socket.bind(srv_->port(i).target);
        srv_->port(i).initiator.bind(bus_.target);
    }
    bus_.initiator.bind(ram_.socket);
    bus_.initiator.bind(uart_.socket);
    bus_.map(0, EX_RAM_BASE, opt.ram_size);
    bus_.map(1, EX_UART_BASE, EX_UART_SIZE);
    srv_->add_block("ram", EX_RAM_BASE, opt.ram_size);
    srv_->add_block("uart", EX_UART_BASE, EX_UART_SIZE);
}

top::~top()
{
    delete srv_;
    for (rv64_core *h : harts_) {
        delete h;
    }
}

} /* namespace sc_example */
