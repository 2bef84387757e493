/*
 * Writes seeds for tests/fuzz/fuzz_client.c into the directory given as
 * the only argument: for each scenario of the harness, well-formed answers
 * a server could give (a page of two items, a string, transaction
 * progress), so the fuzzer starts from responses the decoders accept and
 * mutates from there.  The file format is the harness's (see its top
 * comment).
 *
 *   cc -Iinclude -I. tests/fuzz/gen_client_corpus.c -o gen_client_corpus
 *   ./gen_client_corpus tests/fuzz/corpus/client
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcd/mcd_api.h"
#include "mcdshm/wire.h"

static unsigned char file[65536];
static size_t flen;

static void put(const void *d, size_t n)
{
    if (flen + n > sizeof(file)) {
        fprintf(stderr, "gen_client_corpus: seed too large\n");
        exit(1);
    }
    memcpy(file + flen, d, n);
    flen += n;
}

static void put_u16(unsigned v)
{
    unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

    put(b, 2);
}

/* One response: the record cut after @body_len body bytes (the error
 * block, after the body, is kept whole), then payload. */
static void response(const struct mcdshm_resp *a, size_t body_len,
                     const void *pl, size_t plen)
{
    size_t rlen = offsetof(struct mcdshm_resp, u) + body_len;

    if (a->hdr.ret != MCD_RET_ACT_NONE) {
        rlen = sizeof(*a);
    }

    put_u16((unsigned)rlen);
    put(a, rlen);
    put_u16((unsigned)plen);
    put(pl, plen);
}

static void emit(const char *dir, unsigned scenario, const char *what)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/gen-%02u-%s", dir, scenario, what);
    f = fopen(path, "wb");
    if (!f || fwrite(file, 1, flen, f) != flen || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void start(unsigned scenario)
{
    flen = 0;
    file[flen++] = (unsigned char)scenario;
    file[flen++] = 0;
}

/* A page of two items of @elem bytes, all zero (empty strings). */
static void page(const char *dir, unsigned scenario, size_t elem)
{
    static unsigned char items[2 * 1024];
    struct mcdshm_resp a;

    memset(&a, 0, sizeof(a));
    memset(items, 0, sizeof(items));
    a.u.page.num = 2;
    a.u.page.elem_size = (uint32_t)elem;
    a.u.page.items.off = 0;
    a.u.page.items.len = (uint32_t)(2 * elem);
    a.hdr.payload_len = (uint32_t)(2 * elem);
    start(scenario);
    response(&a, sizeof(a.u.page), items, 2 * elem);
    emit(dir, scenario, "page");
}

static void string(const char *dir, unsigned scenario)
{
    struct mcdshm_resp a;

    memset(&a, 0, sizeof(a));
    a.u.string.length = 6;
    a.u.string.str.len = 6;
    a.hdr.payload_len = 6;
    start(scenario);
    response(&a, sizeof(a.u.string), "hello", 6);
    emit(dir, scenario, "string");
}

static void error(const char *dir, unsigned scenario)
{
    struct mcdshm_resp a;

    memset(&a, 0, sizeof(a));
    a.hdr.ret = MCD_RET_ACT_HANDLE_ERROR;
    a.error.error_code = MCD_ERR_PARAM;
    strcpy((char *)a.error.error_str, "bad parameter");
    start(scenario);
    response(&a, sizeof(a.u), NULL, 0);
    emit(dir, scenario, "error");
}

static void txlist(const char *dir, unsigned scenario)
{
    static unsigned char data[4096];
    struct mcdshm_resp a;
    unsigned k;

    start(scenario);
    for (k = 0; k < 4; k++) {
        memset(&a, 0, sizeof(a));
        a.u.execute_txlist.num_tx_ok = k == 0 ? 2 : 1;
        a.u.execute_txlist.num_bytes_ok[0] = k == 0 ? 8 : 4096;
        a.u.execute_txlist.num_bytes_ok[1] = 4096;
        a.hdr.payload_len = scenario == 23 ? 4096 : 0;
        response(&a, sizeof(a.u.execute_txlist), data,
                 scenario == 23 ? sizeof(data) : 0);
    }
    emit(dir, scenario, "progress");
}

/* A trace lane bound to the read: five frames in @mode (flags bit 2). */
static void lane(const char *dir, unsigned scenario, uint32_t mode)
{
    mcd_trace_data_core_st f[8];
    struct mcdshm_trace_lane l;
    unsigned i;

    start(scenario);
    file[1] = 4;
    memset(&l, 0, sizeof(l));
    l.mode = mode;
    l.frame_size = sizeof(f[0]);
    l.capacity = 1024;
    l.tail = mode == MCD_TRACE_MODE_FIFO ? 1029 : 5;
    memset(f, 0, sizeof(f));
    for (i = 0; i < 8; i++) {
        f[i].data = i;
    }
    put(&l, sizeof(l));
    put(f, sizeof(f));
    emit(dir, scenario, mode == MCD_TRACE_MODE_FIFO ? "lane-fifo" : "lane");
}

int main(int argc, char **argv)
{
    static const struct {
        unsigned scenario;
        size_t elem;
    } pages[] = {
        { 1, sizeof(mcd_core_con_info_st) },
        { 2, sizeof(mcd_core_con_info_st) },
        { 3, sizeof(mcd_core_con_info_st) },
        { 4, sizeof(mcd_core_mode_info_st) },
        { 7, sizeof(mcd_memspace_st) },
        { 8, sizeof(mcd_memblock_st) },
        { 9, sizeof(uint32_t) },
        { 10, sizeof(mcd_register_group_st) },
        { 11, sizeof(mcd_register_info_st) },
        { 12, sizeof(uint32_t) },
        { 14, sizeof(mcd_ctrig_info_st) },
        { 21, sizeof(uint32_t) },
        { 41, sizeof(mcd_trace_info_st) },
        { 44, sizeof(mcd_trace_data_core_st) },
    };
    unsigned i;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        page(argv[1], pages[i].scenario, pages[i].elem);
    }
    string(argv[1], 0);
    string(argv[1], 5);
    string(argv[1], 32);
    for (i = 0; i < 48; i++) {
        error(argv[1], i);
    }
    txlist(argv[1], 23);
    txlist(argv[1], 24);
    lane(argv[1], 44, MCD_TRACE_MODE_PIPE);
    lane(argv[1], 45, MCD_TRACE_MODE_PIPE);
    lane(argv[1], 44, MCD_TRACE_MODE_FIFO);
    return 0;
}
