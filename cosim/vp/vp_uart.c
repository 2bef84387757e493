/*
 * vp_uart - the UART of mcdshm-vp and the MCD channel that carries it.
 *
 * The UART is a 16550 subset: offset 0 transmits on write and returns the
 * next received byte on read (0 when none), offset 5 is the line status
 * (bit 0 data ready; bits 5 and 6 transmitter empty, always set because
 * transmission is instantaneous), everything else reads 0 and ignores
 * writes.  Each direction has a VP_UART_BUF byte buffer:
 *  - guest -> debugger: every transmitted byte is appended (and copied to
 *    the optional output descriptor); chl_receive() drains it.  When it is
 *    full the oldest byte is dropped and counted (the `uart` command shows
 *    the count): a guest that prints with nobody listening must not stall.
 *  - debugger -> guest: chl_send() appends, a guest read of offset 0 takes
 *    one byte.  A message that does not fit is refused whole, never cut.
 * Debugger reads through memory transactions do not consume received
 * bytes unless the transaction asks for MCD_TX_OPT_SIDE_EFFECTS.
 *
 * Owns struct vp_uart.  Hart threads (bus callbacks) and the server's
 * thread (channel operations, memory transactions, commands) share it
 * under uart.lock, which is never held together with another lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cosim/vp/vp_priv.h"

int vp__uart_init(struct vp_uart *u)
{
    pthread_condattr_t ca;
    int rc;

    u->out_fd = -1;
    rc = pthread_mutex_init(&u->lock, NULL);
    if (rc != 0) {
        return -rc;
    }
    rc = pthread_condattr_init(&ca);
    if (rc != 0) {
        goto err_mutex;
    }
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0) {
        rc = pthread_cond_init(&u->tx_cond, &ca);
    }
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        goto err_mutex;
    }
    return 0;

err_mutex:
    pthread_mutex_destroy(&u->lock);
    return -rc;
}

void vp__uart_fini(struct vp_uart *u)
{
    pthread_cond_destroy(&u->tx_cond);
    pthread_mutex_destroy(&u->lock);
}

uint8_t vp__uart_read(struct vp_uart *u, uint64_t off, bool side_effects)
{
    uint8_t v = 0;

    pthread_mutex_lock(&u->lock);
    if (off == VP_UART_DATA && u->rx_len > 0) {
        v = u->rx[u->rx_head];
        if (side_effects) {
            u->rx_head = (u->rx_head + 1) % VP_UART_BUF;
            u->rx_len--;
        }
    } else if (off == VP_UART_LSR) {
        v = VP_UART_LSR_THRE | VP_UART_LSR_TEMT |
            (u->rx_len > 0 ? VP_UART_LSR_DR : 0);
    }
    pthread_mutex_unlock(&u->lock);
    return v;
}

void vp__uart_write(struct vp_uart *u, uint64_t off, uint8_t val)
{
    if (off != VP_UART_DATA) {
        return;
    }
    pthread_mutex_lock(&u->lock);
    u->tx_total++;
    if (u->tx_len == VP_UART_BUF) {
        u->tx_head = (u->tx_head + 1) % VP_UART_BUF;
        u->tx_len--;
        u->tx_dropped++;
    }
    u->tx[(u->tx_head + u->tx_len) % VP_UART_BUF] = val;
    u->tx_len++;
    /* under the lock, so that bytes of different harts keep their order */
    if (u->out_fd >= 0 && write(u->out_fd, &val, 1) != 1) {
        u->out_errors++;
    }
    pthread_cond_broadcast(&u->tx_cond);
    pthread_mutex_unlock(&u->lock);
}

bool vp__uart_pending(struct vp_uart *u)
{
    bool pending;

    pthread_mutex_lock(&u->lock);
    pending = u->chl_open && u->tx_len > 0;
    pthread_mutex_unlock(&u->lock);
    return pending;
}

int vp__uart_info(struct vp_uart *u, char *buf, size_t len)
{
    int n;

    pthread_mutex_lock(&u->lock);
    n = snprintf(buf, len,
                 "uart: guest transmitted %" PRIu64 " bytes (%" PRIu32
                 " buffered for the channel, %" PRIu64 " dropped "
                 "while the buffer was full); debugger sent %" PRIu64
                 " bytes (%" PRIu32 " not yet read by the guest); channel "
                 "%s; output fd %d (%" PRIu64 " write errors)",
                 u->tx_total, u->tx_len, u->tx_dropped, u->rx_total, u->rx_len,
                 u->chl_open ? "open" : "closed", u->out_fd, u->out_errors);
    pthread_mutex_unlock(&u->lock);
    return n;
}

/* ---- the channel (server thread) ---- */

/* uart.lock held: 0 if chl_id names the open UART channel. */
static int vp__chl_check(struct vp_uart *u, uint32_t chl_id,
                         struct mcdshm_status *st)
{
    if (chl_id != VP_CHL_ID) {
        return mcdshm_fail(st, MCD_ERR_CHL_SETUP,
                           "no channel with chl_id %" PRIu32
                           " (the UART channel is %u)",
                           chl_id, VP_CHL_ID);
    }
    if (!u->chl_open) {
        return mcdshm_fail(st, MCD_ERR_CHL_MESSAGE_FAILED,
                           "channel %" PRIu32 " (uart) is not open", chl_id);
    }
    return 0;
}

int vp__chl_open(void *opaque, uint32_t core, mcd_chl_st *chl,
                 struct mcdshm_status *st)
{
    struct vp *vp = opaque;
    struct vp_uart *u = &vp->uart;
    int rc = 0;

    if (core != UINT32_MAX && vp__check_core(vp, core, st) < 0) {
        return -1;
    }
    if (chl->type != MCD_CHL_TYPE_APPLI) {
        return mcdshm_fail(st, MCD_ERR_CHL_TYPE_NOT_SUPPORTED,
                           "channel type "
                           "0x%" PRIx32 " is not supported: mcdshm-vp has "
                           "one APPLI channel (0x%x), the UART",
                           chl->type, MCD_CHL_TYPE_APPLI);
    }
    pthread_mutex_lock(&u->lock);
    if (u->chl_open) {
        rc = mcdshm_fail(st, MCD_ERR_CHL_SETUP,
                         "channel %u (uart) is "
                         "already open",
                         VP_CHL_ID);
    } else {
        u->chl_open = true;
    }
    pthread_mutex_unlock(&u->lock);
    if (rc == 0) {
        /* the accepted setup: not memory mapped, fixed message limit */
        chl->chl_id = VP_CHL_ID;
        chl->attributes = MCD_CHL_AT_RCV | MCD_CHL_AT_SND |
                          (chl->attributes & MCD_CHL_AT_HAS_PRIO);
        chl->max_msg_len = VP_CHL_MSG_MAX;
        memset(&chl->msg_buffer_addr, 0, sizeof(chl->msg_buffer_addr));
        if (chl->prio > MCD_CHL_LOWEST_PRIORITY) {
            chl->prio = MCD_CHL_LOWEST_PRIORITY;
        }
    }
    return rc;
}

int vp__chl_send(void *opaque, uint32_t chl_id, const uint8_t *msg,
                 uint32_t len, struct mcdshm_status *st)
{
    struct vp_uart *u = &((struct vp *)opaque)->uart;
    uint32_t i;
    int rc;

    if (len > VP_CHL_MSG_MAX) {
        return mcdshm_fail(st, MCD_ERR_CHL_MESSAGE_FAILED,
                           "message of %" PRIu32
                           " bytes exceeds max_msg_len %u",
                           len, VP_CHL_MSG_MAX);
    }
    pthread_mutex_lock(&u->lock);
    rc = vp__chl_check(u, chl_id, st);
    if (rc == 0 && len > VP_UART_BUF - u->rx_len) {
        rc = mcdshm_fail(st, MCD_ERR_CHL_MESSAGE_FAILED,
                         "UART receive "
                         "buffer has room for %" PRIu32 " bytes, the "
                         "message has %" PRIu32 " (the guest reads too "
                         "slowly)",
                         VP_UART_BUF - u->rx_len, len);
    }
    for (i = 0; rc == 0 && i < len; i++) {
        u->rx[(u->rx_head + u->rx_len) % VP_UART_BUF] = msg[i];
        u->rx_len++;
    }
    if (rc == 0) {
        u->rx_total += len;
    }
    pthread_mutex_unlock(&u->lock);
    return rc;
}

static void vp__deadline(struct timespec *ts, uint32_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

int vp__chl_receive(void *opaque, uint32_t chl_id, uint32_t timeout_ms,
                    uint8_t *msg, uint32_t *len, struct mcdshm_status *st)
{
    struct vp_uart *u = &((struct vp *)opaque)->uart;
    struct timespec end;
    uint32_t n = 0;
    int rc;

    if (!msg && *len != 0) {
        return mcdshm_fail(st, MCD_ERR_PARAM,
                           "msg is NULL for msg_len %" PRIu32, *len);
    }
    vp__deadline(&end, timeout_ms);
    pthread_mutex_lock(&u->lock);
    rc = vp__chl_check(u, chl_id, st);
    while (rc == 0 && u->chl_open && u->tx_len == 0 && *len != 0 &&
           pthread_cond_timedwait(&u->tx_cond, &u->lock, &end) == 0) {
        /* woken by a transmitted byte (or spuriously): look again */
    }
    for (; rc == 0 && n < *len && u->tx_len > 0; n++) {
        msg[n] = u->tx[u->tx_head];
        u->tx_head = (u->tx_head + 1) % VP_UART_BUF;
        u->tx_len--;
    }
    pthread_mutex_unlock(&u->lock);
    *len = n;
    return rc;
}

int vp__chl_reset(void *opaque, uint32_t chl_id, struct mcdshm_status *st)
{
    struct vp_uart *u = &((struct vp *)opaque)->uart;
    int rc;

    pthread_mutex_lock(&u->lock);
    rc = vp__chl_check(u, chl_id, st);
    if (rc == 0) {
        u->rx_len = 0;
        u->tx_len = 0;
    }
    pthread_mutex_unlock(&u->lock);
    return rc;
}

int vp__chl_close(void *opaque, uint32_t chl_id, struct mcdshm_status *st)
{
    struct vp_uart *u = &((struct vp *)opaque)->uart;
    int rc;

    pthread_mutex_lock(&u->lock);
    rc = vp__chl_check(u, chl_id, st);
    if (rc == 0) {
        u->chl_open = false;
        pthread_cond_broadcast(&u->tx_cond);
    }
    pthread_mutex_unlock(&u->lock);
    return rc;
}
