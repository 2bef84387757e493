/*
 * libFuzzer target for the stub's record codec (qemu-side/stub/dispatch.c):
 * the input is a request record (its first min(size, 1024) bytes, padded
 * with zeros) followed by payload bytes (the rest, copied into a 64 KiB
 * payload area padded with zeros).  mcdstub_dispatch() runs over a fresh
 * fake server core session (tests/stub/fake_core.c, cores "core0" and
 * "core1" open with uids 1 and 2) for every input, so a crash reproduces
 * from its input alone.  Only hdr.seq is forced (to a fixed value, checked
 * in the echo); every other field stays as fuzzed.
 *
 * The fake core's "sleep MS" debugging command would stall the fuzzer, so
 * execute_command inputs whose payload mentions it are skipped.
 *
 * Build with clang -fsanitize=fuzzer,address,undefined for fuzzing, or
 * with tests/fuzz/replay.c (any compiler) to replay a corpus.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcdshm/wire.h"
#include "qemu-side/stub/dispatch.h"
#include "tests/stub/fake_core.h"

#define FUZZ_PAYLOAD 65536u
#define FUZZ_SEQ 0x1234u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void open_fake_core(struct mcdcore_session *s, uint32_t i)
{
    mcd_core_con_info_st ci, full;
    uint32_t uid;

    memset(&ci, 0, sizeof(ci));
    snprintf(ci.core, sizeof(ci.core), "core%u", i);
    if (mcdcore_open_core(s, &ci, &uid, &full) != MCD_RET_ACT_NONE) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t *pl;
    struct mcdshm_req q;
    struct mcdshm_resp *a;
    struct mcdcore *core;
    struct mcdcore_session *sess;
    size_t rec = size < sizeof(q) ? size : sizeof(q);
    size_t rest = size - rec;

    if (!pl) {
        pl = aligned_alloc(64, FUZZ_PAYLOAD);
        if (!pl) {
            abort();
        }
    }
    memset(&q, 0, sizeof(q));
    memcpy(&q, data, rec);
    q.hdr.seq = FUZZ_SEQ;
    if (rest > FUZZ_PAYLOAD) {
        rest = FUZZ_PAYLOAD;
    }
    memset(pl, 0, FUZZ_PAYLOAD);
    memcpy(pl, data + rec, rest);
    if (q.hdr.fn == MCDSHM_FN_EXECUTE_COMMAND &&
        memmem(pl, FUZZ_PAYLOAD, "sleep", 5)) {
        return 0;
    }

    fake_reset();
    if (mcdcore_create(NULL, "fake", &core) < 0 ||
        mcdcore_session_open(core, &sess) < 0) {
        abort();
    }
    open_fake_core(sess, 0);
    open_fake_core(sess, 1);
    /* The response lives on the heap so ASan sees writes past it. */
    a = malloc(sizeof(*a));
    if (!a) {
        abort();
    }
    memset(a, 0x5A, sizeof(*a));
    if (mcdstub_dispatch(sess, &q, pl, FUZZ_PAYLOAD, a) != 0) {
        abort(); /* every record of the contract can be answered */
    }
    /* The echo (convention 1) and a terminated, non-empty error. */
    if (a->hdr.seq != FUZZ_SEQ || a->hdr.fn != q.hdr.fn) {
        abort();
    }
    if (a->hdr.ret != MCD_RET_ACT_NONE &&
        (a->error.error_str[0] == '\0' ||
         memchr(a->error.error_str, 0, sizeof(a->error.error_str)) == NULL)) {
        abort();
    }
    if (a->hdr.payload_len > FUZZ_PAYLOAD) {
        abort();
    }
    free(a);
    mcdcore_session_close(sess);
    mcdcore_destroy(core);
    return 0;
}
