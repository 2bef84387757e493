/*
 * targets.h - what the MCD conformance suite knows about each target.
 *
 * The suite runs unchanged against any simulator that mcdshm serves: the
 * reference platform mcdshm-vp now, a patched QEMU and a SystemC platform
 * later.  Everything that differs between them lives here, in one profile
 * per target, chosen by $MCDSHM_TARGET (default "vp"):
 *   - how to reach it: the config string for mcd_open_server_f comes from
 *     $MCDSHM_CONFIG, the library from $MCDSHM_LIB;
 *   - the program it runs: test_prog.elf from $MCDSHM_TEST_ELF, whose
 *     symbols (bp_here, watch_target, ...) are read here with libelf;
 *   - names the tests look up rather than assume (the pc register, the
 *     instruction counter, a scratch register), reset classes, an address
 *     no memory maps, how register addresses count, where a watchpoint
 *     leaves the pc, and the instruction set's decoder;
 *   - capabilities: each optional feature a target may lack, with, when it
 *     lacks it, the reason.  A test that needs a missing capability calls
 *     conf_require(), which skips it with "<target> lacks <cap>: <reason>",
 *     so nothing is ever skipped silently.
 * Adding a target = adding one entry to conf_targets[] in targets.c.
 *
 * Used by every test process, single-threaded; profiles are constant.
 */
#ifndef CONF_TARGETS_H
#define CONF_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Environment variables the suite reads. */
#define CONF_ENV_LIB "MCDSHM_LIB"
#define CONF_ENV_CONFIG "MCDSHM_CONFIG"
#define CONF_ENV_TARGET "MCDSHM_TARGET"
#define CONF_ENV_ELF "MCDSHM_TEST_ELF"
#define CONF_DEFAULT_TARGET "vp"

/* Optional features; a profile says which its target has. */
enum conf_cap {
    CAP_TRACE,              /* CORE_EXECUTE instruction trace, PIPE mode */
    CAP_TRACE_FIFO,         /* FIFO mode with a settable size, wraparound */
    CAP_CHANNEL,            /* an APPLI communication channel (a UART) */
    CAP_RUN_UNTIL,          /* mcd_run_until_f with an absolute time */
    CAP_TIME,               /* mcd_qry_current_time_f, in picoseconds */
    CAP_CORE_RESET,         /* a reset class that resets one core only */
    CAP_PER_CORE_RUN,       /* run and stop one core, the others stay */
    CAP_SET_GLOBAL,         /* take a core out of global run control */
    CAP_WATCH,              /* READ, WRITE and RW triggers that stop */
    CAP_WATCH_RANGE,        /* ... over an address range */
    CAP_COMPLEX_TRIG,       /* mcd_trig_complex_core_st accepted */
    CAP_STEP_EXACT,         /* INSTR steps: exactly n instructions */
    CAP_LOGICAL_SPACE,      /* a LOGICAL memory space */
    CAP_REG_BLOCK,          /* consecutive registers in one transaction */
    CAP_UNMAPPED_ADDR,      /* the profile knows an unmapped address */
    CAP_COMMAND,            /* mcd_execute_command_f */
    CAP_DEVICE_DESCRIPTION, /* mcd_qry_device_description_f has a URL */
    CAP_MULTI_CLIENT,       /* two debugger processes at once */
    CAP__COUNT
};

/* One capability of one target: present, or missing for @reason. */
struct conf_cap_info {
    bool present;
    const char *reason; /* why it is missing; NULL when present */
};

/* How the address of a register in its register space counts. */
enum conf_reg_addr {
    CONF_REG_ADDR_INDEX, /* address = register number */
    CONF_REG_ADDR_BYTES, /* address = byte offset of the register */
};

/* Where a watchpoint leaves the pc when it stops the core. */
enum conf_watch_pc {
    CONF_WATCH_AT_INSN,    /* at the access, before it takes effect */
    CONF_WATCH_AFTER_INSN, /* after the access: the next instruction */
};

/* The instruction set, for checking trace frames and steps. */
struct conf_isa {
    const char *name;
    /* Size in bytes of the instruction whose first word is @insn. */
    uint32_t (*insn_len)(uint64_t insn);
    /* Whether @insn may leave the pc anywhere but after itself (jumps,
     * branches, traps and returns from them). */
    bool (*may_jump)(uint64_t insn);
};

/* The reset pc is the ELF entry (reset_pc's value for that). */
#define CONF_RESET_PC_ENTRY UINT64_MAX

struct conf_target {
    const char *name;           /* the value of $MCDSHM_TARGET */
    const char *what;           /* one line for messages */
    const char *config_example; /* a $MCDSHM_CONFIG for the skip message */
    const char *system;         /* the system to open; NULL = the first */
    uint32_t min_cores;         /* cores the suite may rely on */
    const char *pc_reg;         /* name of the program counter */
    const char *instret_reg;    /* retired-instruction counter or NULL */
    const char *scratch_reg;    /* a GPR tests may change and restore */
    enum conf_reg_addr reg_addr;
    enum conf_watch_pc watch_pc;
    uint64_t unmapped_addr;   /* with CAP_UNMAPPED_ADDR */
    uint64_t reset_pc;        /* or CONF_RESET_PC_ENTRY */
    uint8_t rst_system;       /* class resetting every core */
    uint8_t rst_core;         /* class resetting one core (CAP_...) */
    const char *help_command; /* with CAP_COMMAND: prints something */
    const struct conf_isa *isa;
    struct conf_cap_info caps[CAP__COUNT];
};

/**
 * conf_target_find: the profile of a target.
 * @param name: the target's name, e.g. "vp"
 * @return the profile, or NULL if the suite has none of that name
 */
const struct conf_target *conf_target_find(const char *name);

/**
 * conf_target_names: the names of all profiles, for messages.
 * @return "vp" or "vp, qemu, ..." (static storage)
 */
const char *conf_target_names(void);

/**
 * conf_cap_name: the name of a capability, as in the source.
 * @param cap: the capability
 * @return e.g. "CAP_TRACE"
 */
const char *conf_cap_name(enum conf_cap cap);

/* ------------------------------------------------------------------------
 * The test program's ELF file ($MCDSHM_TEST_ELF).
 */

/* Symbols test_prog.elf exports (cosim/vp/progs/test_prog.c). */
#define CONF_SYM_COUNTER "counter"
#define CONF_SYM_BP_HERE "bp_here"
#define CONF_SYM_WATCH_TARGET "watch_target"
#define CONF_SYM_WATCH_STORE "watch_store_insn"
#define CONF_SYM_WATCH_LOAD "watch_load_insn"
#define CONF_SYM_WATCH_SINK "watch_sink"
#define CONF_SYM_END "_end"

/* Harts that run test_prog's loop (counter[] has one entry each). */
#define CONF_PROG_HARTS 4

struct conf_elf_sym {
    char *name;
    uint64_t value;
    uint64_t size;
};

struct conf_elf {
    uint64_t entry;
    uint32_t nsyms;
    struct conf_elf_sym *syms;
};

/**
 * conf_elf_load: read the entry point and the symbol table of an ELF file.
 * @param path: the file
 * @param elf: receives the contents; release with conf_elf_free()
 * @param err: receives a one-line reason on failure
 * @param errlen: size of err
 * @return 0; -ENOENT or another -errno if the file cannot be opened;
 *         -EINVAL if it is not an ELF file or has no symbol table;
 *         -ENOMEM
 */
int conf_elf_load(const char *path, struct conf_elf *elf, char *err,
                  size_t errlen);

/**
 * conf_elf_free: release what conf_elf_load() read.
 * @param elf: the contents; a zeroed or freed one is accepted
 * @return nothing
 */
void conf_elf_free(struct conf_elf *elf);

/**
 * conf_elf_find: look a symbol up.
 * @param elf: the contents
 * @param name: the symbol's name
 * @return the symbol, or NULL if there is none of that name
 */
const struct conf_elf_sym *conf_elf_find(const struct conf_elf *elf,
                                         const char *name);

#endif /* CONF_TARGETS_H */
