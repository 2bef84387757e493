/*
 * The predecessor's binary RPC records (rpc.c), shared by the stream
 * socket baselines and the ZeroMQ ones (zmq.c).
 */
#ifndef MCDSHM_BENCH_RPC_H
#define MCDSHM_BENCH_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "bench/bench.h"

/* Function UIDs: the function's position in mcd_api.h (spec 8.3). */
#define RPC_UID_EXECUTE_TXLIST 34
#define RPC_UID_QRY_STATE 41

/* Most bytes a read moves per call where the predecessor's packet limit
 * does not apply: mcdshm's payload per slot. */
#define RPC_CHUNK (256u << 10)

/* A growing byte buffer. */
struct rpc_buf {
    uint8_t *p;
    size_t len, cap;
};

/* Client: encode a request (UID and arguments, no length word) into @b. */
void rpc_req_state(struct rpc_buf *b);
/* @echo: every transaction's data travels (the predecessor), else only
 * that of writes. */
void rpc_req_txlist(struct rpc_buf *b, const mcd_tx_st *tx, uint32_t ntx,
                    int echo);
/* Client: decode an answer; exits on a malformed one. */
mcd_return_et rpc_resp_state(const uint8_t *p, size_t len,
                             mcd_core_state_st *st);
mcd_return_et rpc_resp_txlist(const uint8_t *p, size_t len, mcd_tx_st *tx,
                              uint32_t ntx);
/* Server: execute request @p on @bt and encode the answer into @out;
 * @echo: every transaction's data travels back, else only that of reads. */
int rpc_serve(struct bench_target *bt, const uint8_t *p, size_t len,
              struct rpc_buf *out, int echo);

#endif /* MCDSHM_BENCH_RPC_H */
