/*
 * Hostile transaction lists: the one table fed to every path that executes
 * a list (the client library's direct memory window, the library through
 * the rings, and the stub's record decoder with the server core), which
 * must answer each alike (tests/stub/test_txcheck.c).  Every list reads
 * guest RAM, so the window could answer it if it skipped the checks.
 */
#ifndef MCDSHM_TESTS_STUB_TXLISTS_H
#define MCDSHM_TESTS_STUB_TXLISTS_H

#include <stdint.h>

#include "mcd/mcd_api.h"

/* One transaction of a list: what differs from a plain 8-byte read at
 * RAM + 0x1000 * (its index + 1). */
struct txl_tx {
    uint8_t access_width;
    uint8_t core_mode;
    uint32_t num_bytes;   /* 0: 8 */
    uint32_t access_type; /* 0: MCD_TX_AT_R */
    uint32_t addr_space_type;
    uint32_t mem_space_id; /* 0: RAM's */
};

struct txl_list {
    const char *what;
    uint32_t num_tx;
    struct txl_tx tx[2];
};

/* A read of 0 bytes: num_bytes is 0 in the list. */
#define TXL_EMPTY UINT32_MAX

static const struct txl_list txl_table[] = {
    { "a plain read (accepted)", 1, { { .num_bytes = 0 } } },
    { "two plain reads of width 4 (accepted)",
      2,
      { { .access_width = 4 }, { .access_width = 4 } } },
    { "an empty read (accepted)", 1, { { .num_bytes = TXL_EMPTY } } },
    { "access_width 3", 1, { { .access_width = 3, .num_bytes = 6 } } },
    { "access_width 5", 1, { { .access_width = 5, .num_bytes = 10 } } },
    { "access_width 7", 1, { { .access_width = 7, .num_bytes = 7 } } },
    { "access_width 16", 1, { { .access_width = 16, .num_bytes = 16 } } },
    { "access_width 255", 1, { { .access_width = 255, .num_bytes = 255 } } },
    { "width 4 with 6 bytes", 1, { { .access_width = 4, .num_bytes = 6 } } },
    { "width 8 with 4 bytes", 1, { { .access_width = 8, .num_bytes = 4 } } },
    { "core_mode 99", 1, { { .core_mode = 99 } } },
    { "core_mode 33", 1, { { .core_mode = 33 } } },
    { "core_mode 32 (accepted)", 1, { { .core_mode = 32 } } },
    { "addr_space_type 5", 1, { { .addr_space_type = 5 } } },
    { "access_type 5", 1, { { .access_type = 5 } } },
    { "second of two bad",
      2,
      { { .num_bytes = 0 }, { .access_width = 2, .num_bytes = 3 } } },
    { "width 3 and core_mode 99: the first check names it",
      1,
      { { .access_width = 3, .core_mode = 99, .num_bytes = 3 } } },
    { "no such memory space", 1, { { .mem_space_id = 77 } } },
};

#endif /* MCDSHM_TESTS_STUB_TXLISTS_H */
