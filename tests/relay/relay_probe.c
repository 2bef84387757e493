/*
 * relay_probe: a minimal remote debugger for the network tests, through
 * the public MCD API only.  Opens the server of the config string argv[1],
 * then reads 1 MiB of RAM in a loop, printing "ok N" after each read,
 * until a call fails or argv[2] reads (0: forever) are done.
 *
 * Output on failure: "error 0xCODE MS: MESSAGE", where MS is the time
 * from the last good read to the failure.  Exit status: 0 after the reads,
 * 1 on MCD_ERR_CONNECTION, 2 on any other failure, 3 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mcd/mcd_api.h"

static unsigned long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(const mcd_core_st *core, unsigned long long since)
{
    mcd_error_info_st e;

    mcd_qry_error_info_f(core, &e);
    printf("error 0x%x %llu: %s\n", e.error_code, now_ms() - since,
           e.error_str);
    fflush(stdout);
    return e.error_code == MCD_ERR_CONNECTION ? 1 : 2;
}

int main(int argc, char **argv)
{
    static unsigned char buf[1 << 20];
    mcd_core_con_info_st ci;
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_tx_st tx = { 0 };
    mcd_txlist_st l = { &tx, 1, 0 };
    unsigned long long last = now_ms();
    long n, i;
    uint32_t num = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: relay_probe CONFIG READS\n");
        return 3;
    }
    n = atol(argv[2]);
    if (mcd_open_server_f("", argv[1], &srv) != MCD_RET_ACT_NONE ||
        mcd_qry_cores_f(NULL, 0, &num, &ci) != MCD_RET_ACT_NONE ||
        mcd_open_core_f(&ci, &core) != MCD_RET_ACT_NONE) {
        return fail(NULL, last);
    }
    tx.addr.address = 0x80000000ull;
    tx.addr.mem_space_id = 1;
    tx.access_type = MCD_TX_AT_R;
    tx.data = buf;
    tx.num_bytes = sizeof(buf);
    for (i = 1; n == 0 || i <= n; i++) {
        tx.num_bytes_ok = 0;
        l.num_tx_ok = 0;
        if (mcd_execute_txlist_f(core, &l) != MCD_RET_ACT_NONE) {
            return fail(core, last);
        }
        last = now_ms();
        printf("ok %ld\n", i);
        fflush(stdout);
    }
    mcd_close_server_f(srv);
    return 0;
}
