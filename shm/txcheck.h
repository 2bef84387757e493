/*
 * The one set of checks on a transaction of mcd_execute_txlist_f, made the
 * same way wherever a list is executed: by the client library before it
 * reads through the direct memory window or sends anything, by the stub's
 * record decoder on every descriptor it receives, and by the server core.
 * So a list is accepted or refused identically, with the same message,
 * whichever path answers it.
 *
 * What is checked: access_type 1..4, access_width 0, 1, 2, 4 or 8,
 * num_bytes a multiple of access_width, core_mode 0..MCDSHM_TX_MAX_CORE_MODE,
 * addr_space_type 0..MCD_HW_THREAD_ID, data not NULL when num_bytes is
 * not 0.  What only one path can know (the wire record's pads and spans,
 * the core's memory spaces) is checked there, after this.
 */
#ifndef MCDSHM_SHM_TXCHECK_H
#define MCDSHM_SHM_TXCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "mcd/mcd_api.h"

/* The highest core_mode a transaction may name (MCD's 5-bit mode). */
#define MCDSHM_TX_MAX_CORE_MODE 32

/**
 * mcdshm_tx_check() - check transaction @i of a list
 * @tx: the transaction
 * @i: its index, for the message
 * @msg: where the reason goes ("tx[@i].field value is not ..."), or NULL
 * @size: bytes at @msg
 *
 * Return: 0, or -EINVAL with the reason in @msg.
 */
int mcdshm_tx_check(const mcd_tx_st *tx, uint32_t i, char *msg, size_t size);

#endif /* MCDSHM_SHM_TXCHECK_H */
