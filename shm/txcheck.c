/*
 * The one set of checks on a transaction (see txcheck.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "shm/txcheck.h"

static int __attribute__((format(printf, 3, 4)))
refuse(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;

    if (msg && size) {
        va_start(ap, fmt);
        vsnprintf(msg, size, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

int mcdshm_tx_check(const mcd_tx_st *tx, uint32_t i, char *msg, size_t size)
{
    uint32_t w = tx->access_width;

    if (tx->access_type < MCD_TX_AT_R || tx->access_type > MCD_TX_AT_WR) {
        return refuse(msg, size,
                      "tx[%u].access_type %u is not 1..4 (R, W, RW, WR)", i,
                      (unsigned)tx->access_type);
    }
    if (w > 8 || (w & (w - 1))) {
        return refuse(msg, size,
                      "tx[%u].access_width %u is not 0, 1, 2, 4 or 8", i, w);
    }
    if (w && tx->num_bytes % w) {
        return refuse(msg, size,
                      "tx[%u].num_bytes %u is not a multiple of its "
                      "access_width %u",
                      i, tx->num_bytes, w);
    }
    if (tx->core_mode > MCDSHM_TX_MAX_CORE_MODE) {
        return refuse(msg, size, "tx[%u].core_mode %u is not 0..%u", i,
                      tx->core_mode, MCDSHM_TX_MAX_CORE_MODE);
    }
    if ((uint32_t)tx->addr.addr_space_type > MCD_HW_THREAD_ID) {
        return refuse(msg, size, "tx[%u].addr.addr_space_type %u is not 0..%u",
                      i, (unsigned)tx->addr.addr_space_type, MCD_HW_THREAD_ID);
    }
    if (tx->num_bytes && !tx->data) {
        return refuse(msg, size, "tx[%u].data is NULL with num_bytes %u", i,
                      tx->num_bytes);
    }
    return 0;
}
