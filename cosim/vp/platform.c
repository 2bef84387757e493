/*
 * platform - create, load and destroy mcdshm-vp (the public API of
 * platform.h).
 *
 * Owns struct vp: the configuration, ROM and RAM, the harts and their
 * threads, the UART, and the struct mcdshm_target handed to the server.
 * vp_create() runs on the caller's thread and starts one thread per hart;
 * vp_load_elf() and vp_uart_output() may be called from any thread at any
 * time (they lock); vp_destroy() must be the last call.  How the hart
 * threads and the operations share the platform is in vp_priv.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cosim/vp/elf_load.h"
#include "cosim/vp/vp_priv.h"
#include "shm/barrier.h"

#define VP_PAGE 4096ull

static int __attribute__((format(printf, 4, 5)))
vp__err(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

void vp_config_default(struct vp_config *cfg)
{
    cfg->nharts = VP_DEFAULT_HARTS;
    cfg->ram_base = VP_DEFAULT_RAM_BASE;
    cfg->ram_size = VP_DEFAULT_RAM_SIZE;
    cfg->rom_base = VP_DEFAULT_ROM_BASE;
    cfg->rom_size = VP_DEFAULT_ROM_SIZE;
    cfg->uart_base = VP_DEFAULT_UART_BASE;
    cfg->hz = VP_DEFAULT_HZ;
}

/* Replace the 0 fields of *c by the defaults. */
static void vp__config_defaults(struct vp_config *c)
{
    struct vp_config d;

    vp_config_default(&d);
    c->nharts = c->nharts ? c->nharts : d.nharts;
    c->ram_base = c->ram_base ? c->ram_base : d.ram_base;
    c->ram_size = c->ram_size ? c->ram_size : d.ram_size;
    c->rom_base = c->rom_base ? c->rom_base : d.rom_base;
    c->rom_size = c->rom_size ? c->rom_size : d.rom_size;
    c->uart_base = c->uart_base ? c->uart_base : d.uart_base;
    c->hz = c->hz ? c->hz : d.hz;
}

/* A range of the memory map: sized in pages, not wrapping. */
static int vp__range_check(const char *name, uint64_t base, uint64_t size,
                           bool paged, char *err, size_t errlen)
{
    if (paged && size % VP_PAGE != 0) {
        return vp__err(err, errlen, -EINVAL,
                       "%s_size 0x%" PRIx64 " is not "
                       "a multiple of 4 KiB",
                       name, size);
    }
    if (size > UINT64_MAX - base) {
        return vp__err(err, errlen, -EINVAL,
                       "%s_base 0x%" PRIx64 " + size "
                       "0x%" PRIx64 " wraps around the address space",
                       name, base, size);
    }
    return 0;
}

static bool vp__overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static int vp__config_check(const struct vp_config *c, char *err, size_t errlen)
{
    if (c->nharts > VP_MAX_HARTS) {
        return vp__err(err, errlen, -EINVAL,
                       "nharts %" PRIu32 " is out of "
                       "range 1..%u",
                       c->nharts, VP_MAX_HARTS);
    }
    if (vp__range_check("ram", c->ram_base, c->ram_size, true, err, errlen) <
            0 ||
        vp__range_check("rom", c->rom_base, c->rom_size, true, err, errlen) <
            0 ||
        vp__range_check("uart", c->uart_base, VP_UART_SIZE, false, err,
                        errlen) < 0) {
        return -EINVAL;
    }
    if (vp__overlap(c->ram_base, c->ram_size, c->rom_base, c->rom_size) ||
        vp__overlap(c->ram_base, c->ram_size, c->uart_base, VP_UART_SIZE) ||
        vp__overlap(c->rom_base, c->rom_size, c->uart_base, VP_UART_SIZE)) {
        return vp__err(err, errlen, -EINVAL,
                       "ram 0x%" PRIx64 "+0x%" PRIx64 ", rom 0x%" PRIx64
                       "+0x%" PRIx64 " and uart 0x%" PRIx64 "+0x%" PRIx64
                       " overlap",
                       c->ram_base, c->ram_size, c->rom_base, c->rom_size,
                       c->uart_base, VP_UART_SIZE);
    }
    return 0;
}

/* Everything of one hart but its thread: 0 or -errno. */
static int vp__hart_init(struct vp *vp, uint32_t i)
{
    struct vp_hart *h = &vp->harts[i];
    int rc;

    h->vp = vp;
    h->id = i;
    h->global = true;
    rc = pthread_cond_init(&h->wake, NULL);
    if (rc != 0) {
        return -rc;
    }
    rc = vp__trace_init(h);
    if (rc < 0) {
        goto err_cond;
    }
    rc = vp__trigset_init(h);
    if (rc < 0) {
        goto err_trace;
    }
    vp__hart_reset(h);
    snprintf(h->stop_str, sizeof(h->stop_str), "created");
    return 0;

err_trace:
    vp__trace_fini(h);
err_cond:
    pthread_cond_destroy(&h->wake);
    return rc;
}

static void vp__hart_fini(struct vp_hart *h)
{
    vp__trace_fini(h);
    free(h->ts);
    pthread_cond_destroy(&h->wake);
}

/*
 * RAM is a sealed memfd mapped shared, so that the server can offer it to
 * debuggers as a read-only direct memory window (struct mcdshm_window);
 * zero-filled like calloc'ed memory.  0 or -errno.
 */
static int vp__ram_alloc(struct vp *vp)
{
    void *m;

    vp->ram_fd = memfd_create("mcdshm-vp-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (vp->ram_fd < 0) {
        return -errno;
    }
    if (ftruncate(vp->ram_fd, (off_t)vp->cfg.ram_size) < 0 ||
        fcntl(vp->ram_fd, F_ADD_SEALS,
              F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
        return -errno;
    }
    m = mmap(NULL, vp->cfg.ram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
             vp->ram_fd, 0);
    if (m == MAP_FAILED) {
        return -errno;
    }
    vp->ram = m;
    vp->window = (struct mcdshm_window){ .fd = vp->ram_fd,
                                         .offset = 0,
                                         .base = vp->cfg.ram_base,
                                         .size = vp->cfg.ram_size,
                                         .mem_space_id = VP_SPACE_PHYS };
    return 0;
}

/* Locks, memory and the harts' state; threads are started afterwards. */
static int vp__alloc(struct vp *vp, char *err, size_t errlen)
{
    int rc;

    rc = vp__ram_alloc(vp);
    if (rc < 0) {
        return vp__err(err, errlen, rc,
                       "no shared memory for %" PRIu64 " bytes of RAM: %s",
                       vp->cfg.ram_size, strerror(-rc));
    }
    vp->rom = calloc(1, vp->cfg.rom_size);
    vp->harts = calloc(vp->nharts, sizeof(*vp->harts));
    if (!vp->rom || !vp->harts) {
        return vp__err(err, errlen, -ENOMEM,
                       "no memory for %" PRIu64 " bytes of RAM and %" PRIu32
                       " harts",
                       vp->cfg.ram_size, vp->nharts);
    }
    for (vp->ninit = 0; vp->ninit < vp->nharts; vp->ninit++) {
        rc = vp__hart_init(vp, vp->ninit);
        if (rc < 0) {
            return vp__err(err, errlen, rc, "hart%" PRIu32 ": %s", vp->ninit,
                           strerror(-rc));
        }
    }
    return 0;
}

static void vp__target_init(struct vp *vp)
{
    snprintf(vp->device, sizeof(vp->device), "rv64im-%" PRIu32 "hart",
             vp->nharts);
    vp->target.system = "mcdshm-vp";
    vp->target.device = vp->device;
    vp->target.ncores = vp->nharts;
    vp->target.exec = MCDSHM_EXEC_IO_THREAD;
    vp->target.ops = &vp__ops;
    vp->target.opaque = vp;
    vp->target.window = &vp->window;
}

/* The platform-wide lock, condition and UART; 0 or -errno. */
static int vp__sync_init(struct vp *vp, char *err, size_t errlen)
{
    int rc = pthread_mutex_init(&vp->lock, NULL);

    if (rc != 0) {
        return vp__err(err, errlen, -rc, "pthread_mutex_init: %s",
                       strerror(rc));
    }
    vp->lock_ok = true;
    rc = pthread_cond_init(&vp->cond, NULL);
    if (rc != 0) {
        return vp__err(err, errlen, -rc, "pthread_cond_init: %s", strerror(rc));
    }
    vp->cond_ok = true;
    rc = vp__uart_init(&vp->uart);
    if (rc < 0) {
        return vp__err(err, errlen, rc, "uart: %s", strerror(-rc));
    }
    vp->uart_ok = true;
    return 0;
}

static int vp__threads_start(struct vp *vp, char *err, size_t errlen)
{
    uint32_t i;
    int rc;

    for (i = 0; i < vp->nharts; i++) {
        rc = vp__hart_thread_start(&vp->harts[i]);
        if (rc < 0) {
            return vp__err(err, errlen, rc, "hart%" PRIu32 " thread: %s", i,
                           strerror(-rc));
        }
    }
    return 0;
}

int vp_create(const struct vp_config *cfg, struct vp **out, char *err,
              size_t errlen)
{
    struct vp *vp;
    int rc;

    if (!out) {
        return vp__err(err, errlen, -EINVAL, "out is NULL");
    }
    vp = calloc(1, sizeof(*vp));
    if (!vp) {
        return vp__err(err, errlen, -ENOMEM, "no memory for the platform");
    }
    vp->ram_fd = -1;
    if (cfg) {
        vp->cfg = *cfg;
    }
    vp__config_defaults(&vp->cfg);
    rc = vp__config_check(&vp->cfg, err, errlen);
    if (rc < 0) {
        goto err_destroy;
    }
    vp->nharts = vp->cfg.nharts;
    vp->reset_pc = vp->cfg.ram_base;
    vp__target_init(vp);
    rc = vp__sync_init(vp, err, errlen);
    if (rc == 0) {
        rc = vp__alloc(vp, err, errlen);
    }
    if (rc == 0) {
        rc = vp__threads_start(vp, err, errlen);
    }
    if (rc < 0) {
        goto err_destroy;
    }
    *out = vp;
    return 0;

err_destroy:
    /* vp_destroy() undoes exactly the steps that completed */
    vp_destroy(vp);
    return rc;
}

void vp_destroy(struct vp *vp)
{
    uint32_t i;

    if (!vp) {
        return;
    }
    if (vp->lock_ok) {
        pthread_mutex_lock(&vp->lock);
        vp->quit = true;
        for (i = 0; i < vp->ninit; i++) {
            WRITE_ONCE(vp->harts[i].stop, 1);
            pthread_cond_signal(&vp->harts[i].wake);
        }
        pthread_mutex_unlock(&vp->lock);
    }
    for (i = 0; i < vp->ninit; i++) {
        if (vp->harts[i].thread_ok) {
            pthread_join(vp->harts[i].thread, NULL);
        }
        vp__hart_fini(&vp->harts[i]);
    }
    if (vp->uart_ok) {
        vp__uart_fini(&vp->uart);
    }
    if (vp->cond_ok) {
        pthread_cond_destroy(&vp->cond);
    }
    if (vp->lock_ok) {
        pthread_mutex_destroy(&vp->lock);
    }
    free(vp->harts);
    free(vp->rom);
    if (vp->ram) {
        munmap(vp->ram, vp->cfg.ram_size);
    }
    if (vp->ram_fd >= 0) {
        close(vp->ram_fd);
    }
    free(vp);
}

static int vp__elf_write(void *opaque, uint64_t addr, const void *data,
                         uint64_t len)
{
    return vp__mem_write(opaque, addr, data, len);
}

int vp_load_elf(struct vp *vp, const char *path, char *err, size_t errlen)
{
    struct vp_hart *h;
    uint64_t entry;
    uint32_t i;
    int rc;

    if (!vp || !path) {
        return vp__err(err, errlen, -EINVAL, "vp or path is NULL");
    }
    pthread_mutex_lock(&vp->lock);
    for (i = 0; i < vp->nharts; i++) {
        vp__hart_stop_sync(&vp->harts[i], "stopped to load an ELF file");
    }
    rc = vp_elf_load(path, vp__elf_write, vp, &entry, err, errlen);
    if (rc == 0) {
        vp->reset_pc = entry;
        vp->entry = entry;
        snprintf(vp->elf, sizeof(vp->elf), "%s", path);
        for (i = 0; i < vp->nharts; i++) {
            h = &vp->harts[i];
            vp__hart_reset(h);
            h->trig_id = 0;
            snprintf(h->stop_str, sizeof(h->stop_str),
                     "loaded, at the "
                     "entry 0x%" PRIx64,
                     entry);
        }
    }
    pthread_mutex_unlock(&vp->lock);
    return rc;
}

int vp_run_all(struct vp *vp)
{
    uint32_t i;

    pthread_mutex_lock(&vp->lock);
    for (i = 0; i < vp->nharts; i++) {
        if (!vp->harts[i].running) {
            vp__hart_start(&vp->harts[i], VP_MODE_RUN, 0);
        }
    }
    pthread_mutex_unlock(&vp->lock);
    return 0;
}

const struct mcdshm_target *vp_target(struct vp *vp)
{
    return &vp->target;
}

int vp_uart_output(struct vp *vp, int fd)
{
    if (fd < -1) {
        return -EINVAL;
    }
    pthread_mutex_lock(&vp->uart.lock);
    vp->uart.out_fd = fd;
    pthread_mutex_unlock(&vp->uart.lock);
    return 0;
}

uint8_t *vp_ram(struct vp *vp, uint64_t *base, uint64_t *size)
{
    if (base) {
        *base = vp->cfg.ram_base;
    }
    if (size) {
        *size = vp->cfg.ram_size;
    }
    return vp->ram;
}
