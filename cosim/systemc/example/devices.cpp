/*
 * devices.cpp - the example platform's memory, UART and bus (see
 * platform.h).  Kernel thread only.
 */
#include "cosim/systemc/example/platform.h"

#include <cstdio>
#include <cstring>

using namespace sc_core;

namespace sc_example
{

/* ---- memory ---- */

memory::memory(sc_module_name name, uint64_t size)
    : sc_module(name), socket("socket"), data(size, 0)
{
    socket.register_b_transport(this, &memory::b_transport);
    socket.register_transport_dbg(this, &memory::transport_dbg);
}

void memory::b_transport(tlm::tlm_generic_payload &tx, sc_time &delay)
{
    uint64_t a = tx.get_address();
    unsigned len = tx.get_data_length();

    (void)delay;
    if (tx.get_byte_enable_ptr() || tx.get_streaming_width() < len) {
        tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (a >= data.size() || len > data.size() - a) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (tx.is_read()) {
        memcpy(tx.get_data_ptr(), &data[a], len);
    } else if (tx.is_write()) {
        memcpy(&data[a], tx.get_data_ptr(), len);
    }
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int memory::transport_dbg(tlm::tlm_generic_payload &tx)
{
    uint64_t a = tx.get_address();
    uint64_t len = tx.get_data_length();

    if (a >= data.size()) {
        return 0;
    }
    len = len < data.size() - a ? len : data.size() - a;
    if (tx.is_read()) {
        memcpy(tx.get_data_ptr(), &data[a], len);
    } else if (tx.is_write()) {
        memcpy(&data[a], tx.get_data_ptr(), len);
    }
    return (unsigned int)len;
}

/* ---- UART ---- */

uart::uart(sc_module_name name) : sc_module(name), socket("socket")
{
    socket.register_b_transport(this, &uart::b_transport);
    socket.register_transport_dbg(this, &uart::transport_dbg);
}

uint8_t uart::reg(uint64_t off) const
{
    return off == 5 ? 0x60 : 0; /* LSR: transmitter empty */
}

void uart::b_transport(tlm::tlm_generic_payload &tx, sc_time &delay)
{
    uint64_t a = tx.get_address();
    unsigned len = tx.get_data_length();
    uint8_t *p = tx.get_data_ptr();

    (void)delay;
    if (a >= EX_UART_SIZE || len > EX_UART_SIZE - a) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    for (unsigned i = 0; i < len; i++) {
        if (tx.is_read()) {
            p[i] = reg(a + i);
        } else if (tx.is_write() && a + i == 0) {
            out.push_back((char)p[i]);
            if (to_stdout) {
                fputc(p[i], stdout);
                fflush(stdout);
            }
        }
    }
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

/* Debug reads see the registers without side effects; debug writes are
 * not transmitted (0 bytes done). */
unsigned int uart::transport_dbg(tlm::tlm_generic_payload &tx)
{
    uint64_t a = tx.get_address();
    unsigned len = tx.get_data_length();

    if (!tx.is_read() || a >= EX_UART_SIZE) {
        return 0;
    }
    len = len < EX_UART_SIZE - a ? len : (unsigned)(EX_UART_SIZE - a);
    for (unsigned i = 0; i < len; i++) {
        tx.get_data_ptr()[i] = reg(a + i);
    }
    return len;
}

/* ---- bus ---- */

bus::bus(sc_module_name name)
    : sc_module(name), target("target"), initiator("initiator")
{
    target.register_b_transport(this, &bus::b_transport);
    target.register_transport_dbg(this, &bus::transport_dbg);
}

void bus::map(unsigned port, uint64_t base, uint64_t size)
{
    map_.push_back({ port, base, size });
}

const bus::range *bus::decode(uint64_t addr) const
{
    for (const range &r : map_) {
        if (addr >= r.base && addr - r.base < r.size) {
            return &r;
        }
    }
    return nullptr;
}

void bus::b_transport(int id, tlm::tlm_generic_payload &tx, sc_time &delay)
{
    uint64_t a = tx.get_address();
    const range *r = decode(a);

    (void)id;
    if (!r || tx.get_data_length() > r->size - (a - r->base)) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    tx.set_address(a - r->base);
    initiator[r->port]->b_transport(tx, delay);
    tx.set_address(a);
}

/* A debug access is cut at the end of the block it starts in; the caller
 * continues at the next address. */
unsigned int bus::transport_dbg(int id, tlm::tlm_generic_payload &tx)
{
    uint64_t a = tx.get_address();
    const range *r = decode(a);
    unsigned len = tx.get_data_length(), n;

    (void)id;
    if (!r) {
        return 0;
    }
    if (len > r->size - (a - r->base)) {
        tx.set_data_length((unsigned)(r->size - (a - r->base)));
    }
    tx.set_address(a - r->base);
    n = initiator[r->port]->transport_dbg(tx);
    tx.set_address(a);
    tx.set_data_length(len);
    return n;
}

} /* namespace sc_example */
