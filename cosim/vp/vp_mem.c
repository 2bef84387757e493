/*
 * vp_mem - the memory map of mcdshm-vp: the bus the harts see and the
 * debugger's memory and register transactions.
 *
 * Owns nothing: ROM and RAM buffers belong to struct vp, the UART to
 * vp_uart.c.  The bus callbacks run on the hart threads (RAM is reached
 * by the interpreter directly, these only see ROM, UART and unmapped
 * addresses); the access operation runs on the server's thread.  Memory
 * transactions need no lock (RAM and ROM are plain memory, the UART locks
 * itself) and are allowed while harts run; register transactions take
 * vp->lock and need the hart halted.
 *
 * Memory spaces 1 (phys) and 2 (logical) are identical: there is no MMU.
 * Space 3 holds the registers, addressed by number: x0..x31 = 0..31,
 * pc = 32, CSR c = 0x1000 + c; a transaction of 8k bytes reaches k
 * consecutive register numbers, each 8 bytes little-endian.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cosim/vp/vp_priv.h"

/* An address range of the memory map. */
struct vp_region {
    uint32_t id; /* VP_BLOCK_* */
    uint64_t base, size;
    uint8_t *mem; /* host memory, NULL for the UART */
};

/* The CSRs register group 2 lists (those rv64 implements). */
const uint16_t vp__csrs[] = {
    RV64_CSR_MSTATUS,  RV64_CSR_MISA,   RV64_CSR_MIE,      RV64_CSR_MTVEC,
    RV64_CSR_MSCRATCH, RV64_CSR_MEPC,   RV64_CSR_MCAUSE,   RV64_CSR_MTVAL,
    RV64_CSR_MIP,      RV64_CSR_MCYCLE, RV64_CSR_MINSTRET, RV64_CSR_MHARTID,
};
const uint32_t vp__ncsrs = sizeof(vp__csrs) / sizeof(vp__csrs[0]);

static const char *const vp__csr_names[] = {
    "mstatus", "misa",  "mie", "mtvec",  "mscratch", "mepc",
    "mcause",  "mtval", "mip", "mcycle", "minstret", "mhartid",
};

_Static_assert(sizeof(vp__csrs) / sizeof(vp__csrs[0]) ==
                   sizeof(vp__csr_names) / sizeof(vp__csr_names[0]),
               "one name per listed CSR");

const char *vp__csr_name(uint16_t csr)
{
    uint32_t i;

    for (i = 0; i < vp__ncsrs; i++) {
        if (vp__csrs[i] == csr) {
            return vp__csr_names[i];
        }
    }
    return NULL;
}

/* Find the region holding addr; false if the address is unmapped. */
static bool vp__find(const struct vp *vp, uint64_t addr, struct vp_region *r)
{
    const struct vp_config *c = &vp->cfg;

    if (addr >= c->ram_base && addr - c->ram_base < c->ram_size) {
        *r = (struct vp_region){ VP_BLOCK_RAM, c->ram_base, c->ram_size,
                                 vp->ram };
    } else if (addr >= c->rom_base && addr - c->rom_base < c->rom_size) {
        *r = (struct vp_region){ VP_BLOCK_ROM, c->rom_base, c->rom_size,
                                 vp->rom };
    } else if (addr >= c->uart_base && addr - c->uart_base < VP_UART_SIZE) {
        *r = (struct vp_region){ VP_BLOCK_UART, c->uart_base, VP_UART_SIZE,
                                 NULL };
    } else {
        return false;
    }
    return true;
}

/* ---- the bus of the harts (hart threads) ---- */

/* Region holding all of [addr, addr + size), else false. */
static bool vp__find_all(const struct vp *vp, uint64_t addr, unsigned size,
                         struct vp_region *r)
{
    return vp__find(vp, addr, r) && addr - r->base <= r->size - size;
}

static int vp__bus_load(void *opaque, uint64_t addr, unsigned size,
                        uint64_t *val)
{
    struct vp_hart *h = opaque;
    struct vp_region r;
    uint64_t v = 0;
    unsigned i;

    if (!vp__find_all(h->vp, addr, size, &r)) {
        return -1;
    }
    if (r.mem) {
        memcpy(&v, r.mem + (addr - r.base), size);
    } else {
        for (i = 0; i < size; i++) {
            v |= (uint64_t)vp__uart_read(&h->vp->uart, addr - r.base + i, true)
                 << (8 * i);
        }
    }
    *val = v;
    return 0;
}

static int vp__bus_store(void *opaque, uint64_t addr, unsigned size,
                         uint64_t val)
{
    struct vp_hart *h = opaque;
    struct vp_region r;
    unsigned i;

    /* ROM is read-only for the guest: a store faults */
    if (!vp__find_all(h->vp, addr, size, &r) || r.id != VP_BLOCK_UART) {
        return -1;
    }
    for (i = 0; i < size; i++) {
        vp__uart_write(&h->vp->uart, addr - r.base + i,
                       (uint8_t)(val >> 8 * i));
    }
    return 0;
}

void vp__bus_init(struct vp_hart *h, struct rv64_bus *bus)
{
    memset(bus, 0, sizeof(*bus));
    bus->ram = h->vp->ram;
    bus->ram_base = h->vp->cfg.ram_base;
    bus->ram_size = h->vp->cfg.ram_size;
    bus->opaque = h;
    bus->load = vp__bus_load;
    bus->store = vp__bus_store;
}

/* ---- debugger memory access ---- */

/* UART part of a transaction, in accesses of width bytes. */
static uint32_t vp__uart_rw(struct vp *vp, uint64_t off, uint8_t *buf,
                            uint32_t n, bool write, unsigned width, bool fx)
{
    uint32_t done = 0, i;

    while (done + width <= n && off + done + width <= VP_UART_SIZE) {
        for (i = done; i < done + width; i++) {
            if (write) {
                vp__uart_write(&vp->uart, off + i, buf[i]);
            } else {
                buf[i] = vp__uart_read(&vp->uart, off + i, fx);
            }
        }
        done += width;
    }
    return done;
}

/*
 * Read or write n bytes at addr across regions; returns the bytes done,
 * less than n when it reached an unmapped address (or the address space
 * wrapped around, or a UART access of width bytes would leave the UART).
 */
static uint32_t vp__mem_rw(struct vp *vp, uint64_t addr, uint8_t *buf,
                           uint32_t n, bool write, unsigned width, bool fx)
{
    struct vp_region r;
    uint32_t done = 0, want, k;
    uint64_t a, left;

    while (done < n) {
        a = addr + done;
        if (a < addr || !vp__find(vp, a, &r)) {
            break;
        }
        left = r.size - (a - r.base);
        want = n - done < left ? n - done : (uint32_t)left;
        k = want;
        if (!r.mem) {
            k = vp__uart_rw(vp, a - r.base, buf + done, want, write, width, fx);
        } else if (write) {
            memcpy(r.mem + (a - r.base), buf + done, want);
        } else {
            memcpy(buf + done, r.mem + (a - r.base), want);
        }
        done += k;
        if (k < want) {
            break;
        }
    }
    return done;
}

int vp__mem_write(struct vp *vp, uint64_t addr, const void *data, uint64_t len)
{
    struct vp_region r;

    /* loading writes ROM or RAM in one piece, never the UART */
    if (!vp__find(vp, addr, &r) || !r.mem || len > r.size ||
        addr - r.base > r.size - len) {
        return -EFAULT;
    }
    memcpy(r.mem + (addr - r.base), data, len);
    return 0;
}

/* One piece (at most 256 bytes) of a memory transaction at addr. */
static uint32_t vp__mem_piece(struct vp *vp, const mcd_tx_st *tx, uint64_t addr,
                              uint8_t *data, uint32_t n)
{
    bool fx = tx->options & MCD_TX_OPT_SIDE_EFFECTS;
    unsigned w = tx->access_width ? tx->access_width : 1;
    uint8_t old[256];
    uint32_t k;

    switch (tx->access_type) {
    case MCD_TX_AT_R:
        return vp__mem_rw(vp, addr, data, n, false, w, fx);
    case MCD_TX_AT_W:
        return vp__mem_rw(vp, addr, data, n, true, w, fx);
    case MCD_TX_AT_RW:
        k = vp__mem_rw(vp, addr, old, n, false, w, fx);
        vp__mem_rw(vp, addr, data, k, true, w, fx);
        memcpy(data, old, k);
        return k;
    default: /* MCD_TX_AT_WR */
        k = vp__mem_rw(vp, addr, data, n, true, w, fx);
        return vp__mem_rw(vp, addr, data, k, false, w, fx);
    }
}

/*
 * A plain read that lies in RAM is copied with pread(2) from the RAM's
 * memfd, in one piece: pages the guest never wrote (holes of the shmem
 * file) read as zeros without being allocated, and nothing faults into
 * our mapping, so a debugger's dump of untouched RAM costs the simulator
 * no memory.  Returns the bytes read (all of them), or 0 when the read is
 * not such a read (or pread failed): the caller then goes piece by piece.
 */
static uint32_t vp__ram_pread(struct vp *vp, mcd_tx_st *tx)
{
    const struct vp_config *c = &vp->cfg;
    uint64_t a = tx->addr.address + tx->num_bytes_ok;
    uint32_t n = tx->num_bytes - tx->num_bytes_ok, done = 0;
    ssize_t k;

    if (tx->access_type != MCD_TX_AT_R || vp->ram_fd < 0 || a < c->ram_base ||
        a - c->ram_base >= c->ram_size || n > c->ram_size - (a - c->ram_base)) {
        return 0;
    }
    while (done < n) {
        k = pread(vp->ram_fd, tx->data + tx->num_bytes_ok + done, n - done,
                  (off_t)(a - c->ram_base + done));
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            break; /* piece by piece reports what fails */
        }
        done += (uint32_t)k;
    }
    return done;
}

static int vp__mem_tx(struct vp *vp, mcd_tx_st *tx, struct mcdshm_status *st)
{
    unsigned w = tx->access_width;
    uint32_t n, k;
    uint64_t a;

    if (w != 0 && w != 1 && w != 2 && w != 4 && w != 8) {
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "access_width %u is not "
                           "supported (0, 1, 2, 4 or 8)",
                           w);
    }
    if (w != 0 && tx->num_bytes % w != 0) {
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "num_bytes %" PRIu32
                           " is not a multiple of access_width %u",
                           tx->num_bytes, w);
    }
    tx->num_bytes_ok += vp__ram_pread(vp, tx);
    while (tx->num_bytes_ok < tx->num_bytes) {
        a = tx->addr.address + tx->num_bytes_ok;
        n = tx->num_bytes - tx->num_bytes_ok;
        n = n < 256 ? n : 256;
        k = vp__mem_piece(vp, tx, a, tx->data + tx->num_bytes_ok, n);
        tx->num_bytes_ok += k;
        if (k < n) {
            a += k;
            return mcdshm_fail(st,
                               tx->access_type == MCD_TX_AT_W ||
                                       tx->access_type == MCD_TX_AT_WR
                                   ? MCD_ERR_TXLIST_WRITE
                                   : MCD_ERR_TXLIST_READ,
                               "address 0x%" PRIx64 " (memory space %" PRIu32
                               ") is not in rom, ram or uart",
                               a, tx->addr.mem_space_id);
        }
    }
    return 0;
}

/* ---- debugger register access (vp->lock held, hart halted) ---- */

static void vp__reg_name(uint64_t reg, char *buf, size_t len)
{
    const char *n = NULL;

    if (reg < 32) {
        n = rv64_gpr_name((unsigned)reg);
    } else if (reg == VP_REG_PC) {
        n = "pc";
    } else if (reg >= VP_REG_CSR && reg < VP_REG_CSR + 0x1000) {
        n = vp__csr_name((uint16_t)(reg - VP_REG_CSR));
        if (!n) {
            snprintf(buf, len, "csr 0x%03" PRIx64, reg - VP_REG_CSR);
            return;
        }
    }
    snprintf(buf, len, "%s", n ? n : "?");
}

static int vp__reg_get(const struct rv64_hart *c, uint64_t reg, uint64_t *v)
{
    if (reg < 32) {
        *v = c->x[reg];
    } else if (reg == VP_REG_PC) {
        *v = c->pc;
    } else if (reg >= VP_REG_CSR && reg < VP_REG_CSR + 0x1000) {
        return rv64_csr_read(c, (uint16_t)(reg - VP_REG_CSR), v);
    } else {
        return -ENOENT;
    }
    return 0;
}

static int vp__reg_set(struct vp_hart *h, uint64_t reg, uint64_t v)
{
    int rc = 0;

    if (reg < 32) {
        if (reg != 0) { /* x0 stays zero */
            h->cpu.x[reg] = v;
        }
    } else if (reg == VP_REG_PC) {
        /* a moved hart no longer sits on the access a watchpoint vetoed */
        h->skip_watch = h->skip_watch && h->cpu.pc == v;
        h->cpu.pc = v;
    } else if (reg >= VP_REG_CSR && reg < VP_REG_CSR + 0x1000) {
        rc = rv64_csr_write(&h->cpu, (uint16_t)(reg - VP_REG_CSR), v);
    } else {
        rc = -ENOENT;
    }
    h->pub_pc = h->cpu.pc;
    h->pub_instret = h->cpu.instret;
    return rc;
}

bool vp__reg_exists(const struct rv64_hart *cpu, uint32_t reg)
{
    uint64_t v;

    return vp__reg_get(cpu, reg, &v) == 0;
}

static void vp__put_le(uint8_t *p, uint64_t v)
{
    unsigned i;

    for (i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> 8 * i);
    }
}

static uint64_t vp__get_le(const uint8_t *p)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < 8; i++) {
        v |= (uint64_t)p[i] << 8 * i;
    }
    return v;
}

/* One register of a transaction: 0, or -1 with st filled. */
static int vp__reg_one(struct vp_hart *h, uint32_t type, uint64_t reg,
                       uint8_t *p, struct mcdshm_status *st)
{
    uint64_t old = 0;
    char name[32];
    int rc = 0;

    if ((type == MCD_TX_AT_R || type == MCD_TX_AT_RW) &&
        vp__reg_get(&h->cpu, reg, &old) < 0) {
        goto err_missing;
    }
    if (type != MCD_TX_AT_R) {
        rc = vp__reg_set(h, reg, vp__get_le(p));
        if (rc < 0) {
            goto err_write;
        }
    }
    if (type == MCD_TX_AT_WR) {
        vp__reg_get(&h->cpu, reg, &old);
    }
    if (type != MCD_TX_AT_W) {
        vp__put_le(p, old);
    }
    return 0;

err_missing:
    return mcdshm_fail(st, MCD_ERR_TXLIST_READ,
                       "hart%" PRIu32 " has no "
                       "register number 0x%" PRIx64,
                       h->id, reg);
err_write:
    if (rc == -EPERM) {
        vp__reg_name(reg, name, sizeof(name));
        return mcdshm_fail(st, MCD_ERR_TXLIST_WRITE,
                           "register %s (number "
                           "0x%" PRIx64 ") of hart%" PRIu32 " is read-only",
                           name, reg, h->id);
    }
    return mcdshm_fail(st, MCD_ERR_TXLIST_WRITE,
                       "hart%" PRIu32 " has no "
                       "register number 0x%" PRIx64,
                       h->id, reg);
}

static int vp__reg_tx(struct vp *vp, uint32_t core, mcd_tx_st *tx,
                      struct mcdshm_status *st)
{
    struct vp_hart *h = &vp->harts[core];
    uint64_t reg;
    int rc = 0;

    if (tx->num_bytes % 8 != 0) {
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "register transaction "
                           "num_bytes %" PRIu32 " is not a multiple of 8 "
                           "(registers are 64 bits)",
                           tx->num_bytes);
    }
    pthread_mutex_lock(&vp->lock);
    if (h->running) {
        rc = mcdshm_fail(st, MCD_ERR_DEVICE_ACCESS,
                         "hart%" PRIu32 " is "
                         "running: stop it to access its registers",
                         core);
        goto out;
    }
    while (tx->num_bytes_ok < tx->num_bytes) {
        reg = tx->addr.address + tx->num_bytes_ok / 8;
        rc = vp__reg_one(h, tx->access_type, reg, tx->data + tx->num_bytes_ok,
                         st);
        if (rc < 0) {
            goto out;
        }
        tx->num_bytes_ok += 8;
    }
out:
    pthread_mutex_unlock(&vp->lock);
    return rc;
}

int vp__access(void *opaque, uint32_t core, mcd_tx_st *tx,
               struct mcdshm_status *st)
{
    struct vp *vp = opaque;

    tx->num_bytes_ok = 0;
    if (vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    if (tx->access_type < MCD_TX_AT_R || tx->access_type > MCD_TX_AT_WR) {
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "access_type 0x%" PRIx32 " is not R, W, RW or WR",
                           tx->access_type);
    }
    if (!tx->data && tx->num_bytes != 0) {
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "data is NULL for "
                           "num_bytes %" PRIu32,
                           tx->num_bytes);
    }
    switch (tx->addr.mem_space_id) {
    case VP_SPACE_PHYS:
    case VP_SPACE_LOGICAL:
        return vp__mem_tx(vp, tx, st);
    case VP_SPACE_REGS:
        return vp__reg_tx(vp, core, tx, st);
    default:
        return mcdshm_fail(st, MCD_ERR_TXLIST_TX,
                           "mem_space_id %" PRIu32
                           " does not exist (1 phys, 2 logical, 3 regs)",
                           tx->addr.mem_space_id);
    }
}
