/*
 * gdbserver.h - the internals of mcdshm-gdbserver shared by its files.
 *
 * One MCD server, opened at start; one gdb session at a time, which opens
 * every core of the server (a gdb thread per core, thread id = index + 1)
 * and closes them again when gdb goes, so the server drops the session's
 * triggers with the connections.  Single-threaded: a poll() loop on the
 * gdb socket that also polls mcd_qry_state_f of the cores gdb let run.
 */
#ifndef MCDSHM_GDBSERVER_H
#define MCDSHM_GDBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcdlib.h"

/* One register as gdb sees it (the target description's order). */
struct gs_reg {
    mcd_register_info_st info;   /* from the MCD register map */
    char name[MCD_REG_NAME_LEN]; /* gdb's name for it */
    const char *feature;         /* the tdesc feature it belongs to */
    const char *type;            /* "int", "code_ptr", "data_ptr" */
    uint32_t bytes;              /* (regsize + 7) / 8 */
};

/* The register layout and target description of the cores. */
struct gs_tdesc {
    struct gs_reg *regs;
    uint32_t nregs;
    char *xml; /* target.xml, NUL-terminated */
    size_t xml_len;
    uint32_t pc; /* index of the pc in regs, or UINT32_MAX */
};

/**
 * gs_tdesc_build: the register layout and target.xml of a core: its MCD
 * register map, sorted into gdb's features for its architecture (ELF
 * e_machine @core_type: riscv, aarch64, arm, i386, x86-64; others get
 * one generic feature).
 * @param core: an open core
 * @param core_type: mcd_core_con_info_st.core_type
 * @param td: receives the layout; free with gs_tdesc_free()
 * @param err: receives a message on failure
 * @return 0, -ENOMEM, or -EIO (an MCD query failed; err says which)
 */
int gs_tdesc_build(const mcd_core_st *core, uint32_t core_type,
                   struct gs_tdesc *td, char *err, size_t errlen);

void gs_tdesc_free(struct gs_tdesc *td);

/**
 * gs_retry_ms: how often a call answered MCD_RET_ACT_AGAIN is repeated,
 * 1 ms apart.
 */
#define GS_AGAIN_MAX 1000

/* Call an MCD function, repeating it while it answers MCD_RET_ACT_AGAIN. */
#define GS_CALL(fn, ...)                                              \
    ({                                                                \
        mcd_return_et ret__;                                          \
        unsigned again__ = 0;                                         \
        while ((ret__ = MCD(fn)(__VA_ARGS__)) == MCD_RET_ACT_AGAIN && \
               again__++ < GS_AGAIN_MAX) {                            \
            gs_sleep_ms(1);                                           \
        }                                                             \
        ret__;                                                        \
    })

/* MCD_RET_ACT_NONE and MCD_RET_ACT_HANDLE_EVENT are success. */
static inline bool gs_ok(mcd_return_et r)
{
    return r == MCD_RET_ACT_NONE || r == MCD_RET_ACT_HANDLE_EVENT;
}

void gs_sleep_ms(unsigned ms);

/**
 * gs_mcd_error: the last MCD error of @core (or of the core-less calls)
 * as "fn: message (error 0x..)" into @buf.
 * @return buf
 */
char *gs_mcd_error(const mcd_core_st *core, const char *fn, char *buf,
                   size_t len);

#endif /* MCDSHM_GDBSERVER_H */
