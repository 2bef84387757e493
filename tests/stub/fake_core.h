/*
 * A fake server core for the dispatcher and client-library tests: every
 * mcdcore_* function of qemu-side/core/core.h with simple canned behaviour
 * over a fixed world (system "fakesys", device "fakedev", cores "core0"
 * and "core1" with uids 1 and 2), a per-session last error, and a record
 * of the last call's arguments that the dispatcher tests inspect.
 *
 * Memory reads return fake_pattern(address) for every byte; writes are
 * checked against the same pattern and counted.  Knobs are process-wide
 * globals, also settable through mcd_execute_command_f ("fail-at 0x...",
 * "regs N", "sleep MS", "wstat", "stats", "echo TEXT", "long"), so a test
 * can steer a server in another process.  Not thread-safe: callers serialize.
 */
#ifndef MCDSHM_TESTS_FAKE_CORE_H
#define MCDSHM_TESTS_FAKE_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "qemu-side/core/core.h"

#define FAKE_NCORES 2
#define FAKE_REGS 3000    /* registers qry_reg_map lists by default */
#define FAKE_FRAMES 10000 /* frames of trace 1 */
#define FAKE_MSG_MAX 4096 /* channel message store */
#define FAKE_NO_FAIL UINT64_MAX

/* The last call the fake core received. */
struct fake_call {
    int fn; /* MCDSHM_FN_* */
    uint32_t server_uid;
    uint32_t core_uid;
    uint32_t start;  /* count-then-fetch start index */
    uint32_t num;    /* count-then-fetch capacity (in) */
    bool out_null;   /* the output array or buffer was NULL */
    uint32_t id;     /* the function's id argument */
    uint32_t u32[3]; /* other scalar arguments, in order */
    uint64_t u64;
    bool str_null[2];
    char str[2][1024]; /* string arguments, in order */
    mcd_api_version_st version;
    mcd_core_con_info_st con_info;
    uint8_t trig[112] __attribute__((aligned(8))); /* as received */
    mcd_chl_st chl;
    mcd_trace_state_st trace_state;
    uint32_t num_tx;
    mcd_tx_st tx[64]; /* the transactions as received */
    uint8_t msg[64];  /* first bytes of a sent message */
};

extern struct fake_call fake_last;

/* execute_txlist fails at this address (FAKE_NO_FAIL: never). */
extern uint64_t fake_fail_addr;
/* Registers listed by qry_reg_map. */
extern uint32_t fake_regs;
/* Added to every page count the core returns: a core breaking its
 * contract, for the dispatcher's own checks. */
extern uint32_t fake_page_extra;
/* Bytes written by execute_txlist, and how many differed from the
 * pattern. */
extern uint64_t fake_written, fake_written_bad;
/* execute_txlist calls, and the most requests a server found waiting at
 * once (set by the test server: > 1 shows the client pipelines).  The
 * "stats" command reports both and resets them. */
extern uint32_t fake_txlists, fake_backlog;

/* The byte every read at @addr returns. */
static inline uint8_t fake_pattern(uint64_t addr)
{
    return (uint8_t)(((addr ^ (addr >> 13)) * 0x9E3779B97F4A7C15ull) >> 56);
}

/* Reset knobs and the record. */
void fake_reset(void);

#endif /* MCDSHM_TESTS_FAKE_CORE_H */
