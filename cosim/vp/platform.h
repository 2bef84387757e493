/*
 * platform - mcdshm-vp, the reference multi-hart RV64IM virtual platform,
 * as a library.
 *
 * The platform owns the guest memory (a ROM, the RAM and a 16550-style
 * UART), one struct rv64_hart per hart and one host thread per hart
 * ("vp-hart<N>") that runs the interpreter (rv64.h) while the hart is
 * RUNNING and sleeps on a condition variable while it is halted.  It is
 * served to debuggers through struct mcdshm_target (vp_target()): the
 * target operations are called from another thread (the server's I/O
 * thread, MCDSHM_EXEC_IO_THREAD) and do their own locking, so every
 * function here and every target operation may be called from any thread
 * while harts run.  Run control operations that must leave the platform
 * consistent (stop, step, reset, register access) return only once the
 * affected harts are really halted.
 *
 * Guest view (defaults; see struct vp_config):
 *   0x00001000  ROM, 64 KiB: read and fetch for the guest, a guest store
 *               faults; the debugger may write it (that is how code gets
 *               there: vp_load_elf() and memory transactions both can)
 *   0x10000000  UART, 256 bytes: offset 0 write = transmit, read = next
 *               received byte (0 if none); offset 5 = line status
 *               (bit 0 data ready, bits 5 and 6 transmitter empty, always
 *               1); other offsets read 0 and ignore writes
 *   0x80000000  RAM, 128 MiB, shared by all harts (plain memory: what
 *               harts racing on it see is the guest's business)
 * Machine mode only, no interrupts.  Every hart resets to the ELF entry
 * (ram_base before an ELF is loaded).
 *
 * Execution policy, which a debugger sees through the state operation:
 *  - breakpoints, watchpoints and ebreak halt the hart before the
 *    instruction takes effect (DEBUG state; ebreak halts again on every
 *    resume until the debugger moves pc past it);
 *  - any exception except ecall halts the hart after the trap was taken
 *    (pc is the handler, mepc/mcause/mtval tell why); ecall goes to the
 *    guest's handler as on hardware;
 *  - wfi: with no interrupt source a hart that runs freely into wfi
 *    idles (stays RUNNING, costs no host CPU) until the debugger stops
 *    it; while stepping or running until a time, wfi is a no-op so the
 *    step count and the time keep advancing;
 *  - the time of a hart is its minstret times 10^12 / hz picoseconds;
 *  - reset class 0 (system) resets every hart, class 1 (core) one hart:
 *    registers to their reset values and pc to the entry; RAM, ROM and
 *    the UART keep their contents (reload the ELF to restore its data).
 * One hart's execution is deterministic; harts run truly in parallel, so
 * how they interleave on shared RAM is not.
 */
#ifndef MCDSHM_VP_PLATFORM_H
#define MCDSHM_VP_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "mcdshm/server.h"

/* Limits and defaults of struct vp_config. */
#define VP_MAX_HARTS 32
#define VP_DEFAULT_HARTS 4
#define VP_DEFAULT_RAM_BASE UINT64_C(0x80000000)
#define VP_DEFAULT_RAM_SIZE (UINT64_C(128) << 20)
#define VP_DEFAULT_ROM_BASE UINT64_C(0x1000)
#define VP_DEFAULT_ROM_SIZE (UINT64_C(64) << 10)
#define VP_DEFAULT_UART_BASE UINT64_C(0x10000000)
#define VP_DEFAULT_HZ UINT64_C(100000000)
#define VP_UART_SIZE UINT64_C(0x100)

/*
 * Platform configuration.  A field left 0 takes its default, so a zeroed
 * structure (or vp_config_default()) is the default platform.  ROM and RAM
 * sizes are multiples of 4 KiB.
 */
struct vp_config {
    uint32_t nharts;    /* 1..VP_MAX_HARTS, default 4 */
    uint64_t ram_base;  /* default 0x80000000 */
    uint64_t ram_size;  /* bytes, default 128 MiB */
    uint64_t rom_base;  /* default 0x1000 */
    uint64_t rom_size;  /* bytes, default 64 KiB */
    uint64_t uart_base; /* default 0x10000000, VP_UART_SIZE bytes */
    uint64_t hz;        /* instructions per second per hart, default
                         * 100 MHz = 10 000 ps per instruction */
};

struct vp;

/**
 * vp_config_default: fill a configuration with the defaults.
 * @param cfg: the configuration to fill
 * @return nothing
 */
void vp_config_default(struct vp_config *cfg);

/**
 * vp_create: build a platform and start its hart threads.
 * Every hart starts halted (DEBUG state) at ram_base with zeroed
 * registers; RAM and ROM are zero.
 * @param cfg: the configuration (0 fields take defaults); NULL = defaults
 * @param out: receives the platform
 * @param err: buffer for a one-line message on failure (may be NULL)
 * @param errlen: size of err
 * @return 0 on success;
 *         -EINVAL if a field is out of range (nharts > 32, a size that is
 *         not a multiple of 4 KiB, ranges that overlap or wrap around the
 *         address space), the message names the field and its value;
 *         -ENOMEM if memory for RAM, ROM or the harts is missing;
 *         -errno of pthread_create() (e.g. -EAGAIN)
 */
int vp_create(const struct vp_config *cfg, struct vp **out, char *err,
              size_t errlen);

/**
 * vp_load_elf: load a RISC-V executable into RAM/ROM and reset every hart
 * to its entry point.
 * Harts that run are stopped first.  Afterwards every hart is halted
 * (DEBUG state) at the entry with reset registers, and the entry is the
 * reset pc of both reset classes.  Breakpoints, watchpoints and traces
 * are kept.
 * @param vp: the platform
 * @param path: the ELF file
 * @param err: buffer for a one-line message on failure (may be NULL)
 * @param errlen: size of err
 * @return 0 on success; -EINVAL if vp or path is NULL; otherwise the
 *         errors of vp_elf_load() (elf_load.h), -EFAULT meaning a segment
 *         lies outside ROM and RAM (earlier segments may be written)
 */
int vp_load_elf(struct vp *vp, const char *path, char *err, size_t errlen);

/**
 * vp_run_all: start every halted hart (free running), as a standalone
 * program does after vp_load_elf() unless asked to start halted.  The
 * same as the run operation on each hart; harts already running are left
 * alone.
 * @param vp: the platform
 * @return 0
 */
int vp_run_all(struct vp *vp);

/**
 * vp_destroy: stop the hart threads and free the platform.
 * No target operation may be running or called afterwards.
 * @param vp: the platform, or NULL
 * @return nothing
 */
void vp_destroy(struct vp *vp);

/**
 * vp_target: the platform as an mcdshm target: system "mcdshm-vp",
 * device "rv64im-<n>hart", cores "hart0".."hart<n-1>", executing on the
 * I/O thread.  Valid until vp_destroy().
 * @param vp: the platform
 * @return the target description (owned by the platform)
 */
const struct mcdshm_target *vp_target(struct vp *vp);

/**
 * vp_uart_output: also copy every byte the guest transmits to a file
 * descriptor (e.g. 1 for a standalone program's stdout).  Bytes are still
 * offered to the UART channel.  Write errors are counted, not reported.
 * @param vp: the platform
 * @param fd: the descriptor, or -1 for none (the default)
 * @return 0, or -EINVAL if fd < -1
 */
int vp_uart_output(struct vp *vp, int fd);

/**
 * vp_ram: the host memory behind the guest RAM, for a direct memory
 * window.  Harts write it concurrently while they run.
 * @param vp: the platform
 * @param base: receives the guest physical address of the first byte
 *        (may be NULL)
 * @param size: receives the size in bytes (may be NULL)
 * @return the RAM
 */
uint8_t *vp_ram(struct vp *vp, uint64_t *base, uint64_t *size);

#endif /* MCDSHM_VP_PLATFORM_H */
