/*
 * targets.c - the target profiles of the MCD conformance suite, the
 * test program's symbols (read with libelf) and the instruction decoders
 * the profiles point to.  See targets.h for what a profile holds and why.
 *
 * To add a target: copy the "vp" entry, give it its name, and for every
 * capability it lacks write { false, "the reason" }; a test that needs it
 * then reports "<target> lacks <cap>: <reason>" as its skip message.
 *
 * Used by every test process, single-threaded; the tables are constant.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "targets.h"

/* ------------------------------------------------------------------------
 * RISC-V (RV64 with or without C)
 */

static uint32_t riscv_insn_len(uint64_t insn)
{
    return (insn & 3) == 3 ? 4 : 2;
}

/* Opcodes of JAL, JALR, the branches and SYSTEM (ecall, ebreak, mret). */
#define RV_OP_JAL 0x6f
#define RV_OP_JALR 0x67
#define RV_OP_BRANCH 0x63
#define RV_OP_SYSTEM 0x73

static bool riscv_may_jump(uint64_t insn)
{
    uint32_t op = (uint32_t)insn & 0x7f;

    if ((insn & 3) != 3) {
        /* Compressed: c.j, c.jal, c.jr, c.jalr, c.beqz, c.bnez, c.ebreak.
         * Not worth decoding exactly: any quadrant-1/2 control transfer
         * counts (funct3 101, 110, 111 in quadrant 1; 100 in 2). */
        uint32_t q = (uint32_t)insn & 3, f3 = ((uint32_t)insn >> 13) & 7;

        return (q == 1 && f3 >= 5) || (q == 2 && f3 == 4);
    }
    if (op == RV_OP_SYSTEM) {
        return (((uint32_t)insn >> 12) & 7) == 0; /* not a CSR access */
    }
    return op == RV_OP_JAL || op == RV_OP_JALR || op == RV_OP_BRANCH;
}

static const struct conf_isa conf_isa_riscv = {
    .name = "RISC-V",
    .insn_len = riscv_insn_len,
    .may_jump = riscv_may_jump,
};

/* ------------------------------------------------------------------------
 * Profiles
 */

/* clang-format off */
#define HAS { true, NULL }
/* clang-format on */

static const struct conf_target conf_targets[] = {
    {
        /* mcdshm-vp (cosim/vp): RV64IM, 4 harts, started --halted. */
        .name = "vp",
        .what = "mcdshm-vp, the reference RV64IM platform",
        .config_example = "McdShmEndpoint=\"/run/user/1000/mcdshm/vp.sock\"",
        .system = "mcdshm-vp",
        .min_cores = 4,
        .pc_reg = "pc",
        .instret_reg = "minstret",
        .scratch_reg = "t3",
        .reg_addr = CONF_REG_ADDR_INDEX,
        .watch_pc = CONF_WATCH_AT_INSN,
        .unmapped_addr = 0x40000000,  /* between the UART and RAM */
        .reset_pc = CONF_RESET_PC_ENTRY,
        .rst_system = 0,
        .rst_core = 1,
        .help_command = "help",
        .isa = &conf_isa_riscv,
        .caps = {
            [CAP_TRACE] = HAS,
            [CAP_TRACE_FIFO] = HAS,
            [CAP_CHANNEL] = HAS,
            [CAP_RUN_UNTIL] = HAS,
            [CAP_TIME] = HAS,
            [CAP_CORE_RESET] = HAS,
            [CAP_PER_CORE_RUN] = HAS,
            [CAP_SET_GLOBAL] = HAS,
            [CAP_WATCH] = HAS,
            [CAP_WATCH_RANGE] = HAS,
            [CAP_COMPLEX_TRIG] = HAS,
            [CAP_STEP_EXACT] = HAS,
            [CAP_LOGICAL_SPACE] = HAS,
            [CAP_REG_BLOCK] = HAS,
            [CAP_UNMAPPED_ADDR] = HAS,
            [CAP_COMMAND] = HAS,
            [CAP_DEVICE_DESCRIPTION] = { false, "mcdshm-vp ships no IP-XACT "
                                                "description of itself" },
            [CAP_MULTI_CLIENT] = HAS,
        },
    },
    {
        /*
         * qemu-system-riscv64 -machine virt -smp 4 with -mcd shm,...
         * (qemu-side/qemu), started -S with -bios none -kernel
         * test_prog.elf: every hart starts at the reset vector 0x1000,
         * whose five instructions jump to the ELF entry.
         */
        .name = "qemu",
        .what = "QEMU 7.2 (Debian) qemu-system-riscv64 -machine virt with "
                "mcdshm",
        .config_example = "McdShmEndpoint=\"/run/user/0/mcdshm/qemu.sock\"",
        .system = "QEMU",
        .min_cores = 4,
        .pc_reg = "pc",
        .instret_reg = NULL, /* TCG's minstret counts host ticks */
        .scratch_reg = "t3",
        .reg_addr = CONF_REG_ADDR_INDEX, /* GDB register numbers */
        .watch_pc = CONF_WATCH_AFTER_INSN,
        .unmapped_addr = 0x18000000, /* between fw_cfg and the flash */
        .reset_pc = 0x1000,          /* virt's reset vector in the MROM */
        .rst_system = 0,
        .rst_core = 1,
        .help_command = "help",
        .isa = &conf_isa_riscv,
        .caps = {
            [CAP_TRACE] = HAS,      /* single-steps while tracing */
            [CAP_TRACE_FIFO] = HAS,
            [CAP_CHANNEL] = { false, "the virt UART belongs to QEMU's "
                                     "chardev (-serial), not to MCD" },
            [CAP_RUN_UNTIL] = HAS,
            [CAP_TIME] = HAS,
            [CAP_CORE_RESET] = HAS,
            [CAP_PER_CORE_RUN] = HAS,
            [CAP_SET_GLOBAL] = HAS,
            [CAP_WATCH] = HAS,
            [CAP_WATCH_RANGE] = HAS,
            [CAP_COMPLEX_TRIG] = HAS,
            [CAP_STEP_EXACT] = HAS,
            [CAP_LOGICAL_SPACE] = HAS,
            [CAP_REG_BLOCK] = HAS,
            [CAP_UNMAPPED_ADDR] = HAS,
            [CAP_COMMAND] = HAS,
            [CAP_DEVICE_DESCRIPTION] = { false, "QEMU ships no IP-XACT "
                                                "description of its "
                                                "machines" },
            [CAP_MULTI_CLIENT] = HAS,
        },
    },
    {
        /*
         * The same QEMU with its default firmware, OpenSBI (no -bios
         * none), and test_prog in S-mode at 0x80200000 (crt0_sbi.S): every
         * hart starts at 0x1000 and enters OpenSBI; OpenSBI's boot hart
         * (hart 0) enters test_prog, which starts the others through SBI
         * HSM.
         */
        .name = "qemu-opensbi",
        .what = "QEMU 7.2 (Debian) qemu-system-riscv64 -machine virt with "
                "mcdshm and its default firmware (OpenSBI)",
        .config_example = "McdShmEndpoint=\"/run/user/0/mcdshm/qemu.sock\"",
        .system = "QEMU",
        .min_cores = 4,
        .pc_reg = "pc",
        .instret_reg = NULL, /* TCG's minstret counts host ticks */
        .scratch_reg = "t3",
        .reg_addr = CONF_REG_ADDR_INDEX, /* GDB register numbers */
        .watch_pc = CONF_WATCH_AFTER_INSN,
        .unmapped_addr = 0x18000000, /* between fw_cfg and the flash */
        .reset_pc = 0x1000,          /* virt's reset vector in the MROM */
        .rst_system = 0,
        .rst_core = 1,
        .help_command = "help",
        .isa = &conf_isa_riscv,
        .caps = {
            [CAP_TRACE] = HAS,      /* single-steps while tracing */
            [CAP_TRACE_FIFO] = HAS,
            [CAP_CHANNEL] = { false, "the virt UART belongs to QEMU's "
                                     "chardev (-serial), not to MCD" },
            [CAP_RUN_UNTIL] = HAS,
            [CAP_TIME] = HAS,
            [CAP_CORE_RESET] = HAS,
            [CAP_PER_CORE_RUN] = { false, "after a reset OpenSBI waits "
                                          "for its boot hart, hart 0: "
                                          "another hart run alone stays "
                                          "in the firmware" },
            [CAP_SET_GLOBAL] = HAS,
            [CAP_WATCH] = HAS,
            [CAP_WATCH_RANGE] = HAS,
            [CAP_COMPLEX_TRIG] = HAS,
            [CAP_STEP_EXACT] = HAS,
            [CAP_LOGICAL_SPACE] = HAS,
            [CAP_REG_BLOCK] = HAS,
            [CAP_UNMAPPED_ADDR] = HAS,
            [CAP_COMMAND] = HAS,
            [CAP_DEVICE_DESCRIPTION] = { false, "QEMU ships no IP-XACT "
                                                "description of its "
                                                "machines" },
            [CAP_MULTI_CLIENT] = HAS,
        },
    },
    {
        /* mcdshm-sc-example (cosim/systemc): 2 TLM harts, --halted. */
        .name = "sc",
        .what = "mcdshm-sc-example, the SystemC/TLM-2.0 example platform",
        .config_example = "McdShmEndpoint=\"/run/user/1000/mcdshm/sc.sock\"",
        .system = "mcdshm-sc-example",
        .min_cores = 2,
        .pc_reg = "pc",
        .instret_reg = "minstret",
        .scratch_reg = "t3",
        .reg_addr = CONF_REG_ADDR_INDEX,
        /* The interposer sees the access while the instruction executes;
         * the core stops at its next checkpoint, after the instruction. */
        .watch_pc = CONF_WATCH_AFTER_INSN,
        .unmapped_addr = 0x40000000,  /* nothing on the bus there */
        .reset_pc = CONF_RESET_PC_ENTRY,
        .rst_system = 0,
        .rst_core = 1,
        .help_command = NULL,
        .isa = &conf_isa_riscv,
        .caps = {
            [CAP_TRACE] = { false, "the SystemC adapter has no trace: a "
                                   "core model reports no retired "
                                   "instructions to it" },
            [CAP_TRACE_FIFO] = { false, "no trace (see CAP_TRACE)" },
            [CAP_CHANNEL] = { false, "the example's UART writes to the "
                                     "platform's stdout; the adapter "
                                     "offers no channel" },
            [CAP_RUN_UNTIL] = HAS,
            [CAP_TIME] = HAS,
            [CAP_CORE_RESET] = HAS,
            [CAP_PER_CORE_RUN] = HAS,
            [CAP_SET_GLOBAL] = HAS,
            [CAP_WATCH] = HAS,
            [CAP_WATCH_RANGE] = HAS,
            [CAP_COMPLEX_TRIG] = HAS,
            [CAP_STEP_EXACT] = HAS,
            [CAP_LOGICAL_SPACE] = { false, "the example platform has no "
                                           "MMU: one physical space" },
            [CAP_REG_BLOCK] = HAS,
            [CAP_UNMAPPED_ADDR] = HAS,
            [CAP_COMMAND] = { false, "the SystemC adapter implements no "
                                     "target commands" },
            [CAP_DEVICE_DESCRIPTION] = { false, "the example platform "
                                                "ships no IP-XACT "
                                                "description" },
            [CAP_MULTI_CLIENT] = HAS,
        },
    },
};

#define CONF_NTARGETS (sizeof(conf_targets) / sizeof(conf_targets[0]))

static const char *const conf_cap_names[CAP__COUNT] = {
    [CAP_TRACE] = "CAP_TRACE",
    [CAP_TRACE_FIFO] = "CAP_TRACE_FIFO",
    [CAP_CHANNEL] = "CAP_CHANNEL",
    [CAP_RUN_UNTIL] = "CAP_RUN_UNTIL",
    [CAP_TIME] = "CAP_TIME",
    [CAP_CORE_RESET] = "CAP_CORE_RESET",
    [CAP_PER_CORE_RUN] = "CAP_PER_CORE_RUN",
    [CAP_SET_GLOBAL] = "CAP_SET_GLOBAL",
    [CAP_WATCH] = "CAP_WATCH",
    [CAP_WATCH_RANGE] = "CAP_WATCH_RANGE",
    [CAP_COMPLEX_TRIG] = "CAP_COMPLEX_TRIG",
    [CAP_STEP_EXACT] = "CAP_STEP_EXACT",
    [CAP_LOGICAL_SPACE] = "CAP_LOGICAL_SPACE",
    [CAP_REG_BLOCK] = "CAP_REG_BLOCK",
    [CAP_UNMAPPED_ADDR] = "CAP_UNMAPPED_ADDR",
    [CAP_COMMAND] = "CAP_COMMAND",
    [CAP_DEVICE_DESCRIPTION] = "CAP_DEVICE_DESCRIPTION",
    [CAP_MULTI_CLIENT] = "CAP_MULTI_CLIENT",
};

const struct conf_target *conf_target_find(const char *name)
{
    size_t i;

    for (i = 0; name && i < CONF_NTARGETS; i++) {
        if (!strcmp(conf_targets[i].name, name)) {
            return &conf_targets[i];
        }
    }
    return NULL;
}

const char *conf_target_names(void)
{
    static char buf[256];
    size_t i, off = 0;

    for (i = 0; i < CONF_NTARGETS && off < sizeof(buf); i++) {
        off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
                                i ? ", " : "", conf_targets[i].name);
    }
    return buf;
}

const char *conf_cap_name(enum conf_cap cap)
{
    if ((unsigned)cap >= CAP__COUNT || !conf_cap_names[cap]) {
        return "CAP_(unknown)";
    }
    return conf_cap_names[cap];
}

/* ------------------------------------------------------------------------
 * ELF symbols
 */

static int elf_fail(char *err, size_t errlen, int code, const char *path,
                    const char *what)
{
    snprintf(err, errlen, "%s: %s", path, what);
    return code;
}

/* Append the named, non-section symbols of one SHT_SYMTAB section. */
static int elf_add_syms(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
                        struct conf_elf *elf)
{
    Elf_Data *data = elf_getdata(scn, NULL);
    size_t i, n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
    struct conf_elf_sym *grown;
    GElf_Sym sym;
    const char *name;

    grown = realloc(elf->syms, (elf->nsyms + n + 1) * sizeof(*grown));
    if (!grown) {
        return -ENOMEM;
    }
    elf->syms = grown;
    for (i = 0; data && i < n; i++) {
        if (!gelf_getsym(data, (int)i, &sym) ||
            GELF_ST_TYPE(sym.st_info) == STT_SECTION ||
            GELF_ST_TYPE(sym.st_info) == STT_FILE) {
            continue;
        }
        name = elf_strptr(e, sh->sh_link, sym.st_name);
        if (!name || !*name) {
            continue;
        }
        elf->syms[elf->nsyms].name = strdup(name);
        if (!elf->syms[elf->nsyms].name) {
            return -ENOMEM;
        }
        elf->syms[elf->nsyms].value = sym.st_value;
        elf->syms[elf->nsyms].size = sym.st_size;
        elf->nsyms++;
    }
    return 0;
}

/* The entry point and every symbol table of an opened ELF. */
static int elf_read(Elf *e, struct conf_elf *elf, const char *path, char *err,
                    size_t errlen)
{
    Elf_Scn *scn = NULL;
    GElf_Ehdr eh;
    GElf_Shdr sh;
    int r;

    if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
        return elf_fail(err, errlen, -EINVAL, path, "not an ELF file");
    }
    elf->entry = eh.e_entry;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB) {
            continue;
        }
        r = elf_add_syms(e, scn, &sh, elf);
        if (r < 0) {
            return elf_fail(err, errlen, r, path, "out of memory");
        }
    }
    if (!elf->nsyms) {
        return elf_fail(err, errlen, -EINVAL, path,
                        "has no symbol table (stripped?)");
    }
    return 0;
}

int conf_elf_load(const char *path, struct conf_elf *elf, char *err,
                  size_t errlen)
{
    Elf *e;
    int fd, r;

    memset(elf, 0, sizeof(*elf));
    if (elf_version(EV_CURRENT) == EV_NONE) {
        return elf_fail(err, errlen, -EINVAL, path, elf_errmsg(-1));
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        r = -errno;
        return elf_fail(err, errlen, r, path, strerror(-r));
    }
    e = elf_begin(fd, ELF_C_READ, NULL);
    if (!e) {
        r = elf_fail(err, errlen, -EINVAL, path, elf_errmsg(-1));
    } else {
        r = elf_read(e, elf, path, err, errlen);
        elf_end(e);
    }
    close(fd);
    if (r < 0) {
        conf_elf_free(elf);
    }
    return r;
}

void conf_elf_free(struct conf_elf *elf)
{
    uint32_t i;

    for (i = 0; elf->syms && i < elf->nsyms; i++) {
        free(elf->syms[i].name);
    }
    free(elf->syms);
    memset(elf, 0, sizeof(*elf));
}

const struct conf_elf_sym *conf_elf_find(const struct conf_elf *elf,
                                         const char *name)
{
    uint32_t i;

    for (i = 0; i < elf->nsyms; i++) {
        if (!strcmp(elf->syms[i].name, name)) {
            return &elf->syms[i];
        }
    }
    return NULL;
}
