/*
 * One set of checks for transaction lists (shm/txcheck.c): the hostile
 * lists of tests/stub/txlists.h get the same answer (return code, error
 * code, message) from the client library reading through the direct
 * memory window, from the library without the window (through the rings),
 * and from the server path itself (the stub's record decoder over the
 * server core, fed the wire record directly, so that no check of the
 * library stands in front of it).  The accepted lists read the same bytes
 * on every path.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim/vp/platform.h"
#include "mcd/mcd_api.h"
#include "mcdshm/server.h"
#include "qemu-side/core/core.h"
#include "qemu-side/stub/dispatch.h"
#include "shm/records.h"
#include "tests/mcd_check.h"
#include "tests/stub/txlists.h"

#define NROWS (sizeof(txl_table) / sizeof(txl_table[0]))
#define PSIZE (64u << 10)

/* What a path answered for one list. */
struct answer {
    mcd_return_et ret;
    mcd_error_code_et code;
    char msg[MCD_INFO_STR_LEN];
    uint32_t num_tx_ok;
    uint8_t data[2][256];
};

static char dir[64];
static char cfg[256];
static struct vp *vp;
static uint64_t ram;

static void setup(void)
{
    struct vp_config c;
    char err[256];
    uint64_t size;
    uint8_t *mem;

    snprintf(dir, sizeof(dir), "/tmp/mcdshm-txcheck-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    setenv("MCDSHM_RUNTIME_DIR", dir, 1);
    snprintf(cfg, sizeof(cfg), "McdShmEndpoint=\"%s/tx.sock\"", dir);
    vp_config_default(&c);
    c.ram_size = 1 << 20;
    cr_assert_eq(vp_create(&c, &vp, err, sizeof(err)), 0, "%s", err);
    mem = vp_ram(vp, &ram, &size);
    cr_assert_not_null(mem, "the platform exposes its RAM (the window)");
    for (uint32_t i = 0; i < 0x4000; i++) {
        mem[i] = (uint8_t)(i * 7 + 3);
    }
}

static void teardown(void)
{
    char cmd[128];

    vp_destroy(vp);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
}

TestSuite(txcheck, .init = setup, .fini = teardown, .timeout = 60);

/* The list of row @l as the API has it, reading into @an->data. */
static void build(const struct txl_list *l, mcd_tx_st *tx, struct answer *an)
{
    for (uint32_t i = 0; i < l->num_tx; i++) {
        const struct txl_tx *t = &l->tx[i];

        memset(&tx[i], 0, sizeof(tx[i]));
        tx[i].addr.address = ram + 0x1000 * (i + 1);
        tx[i].addr.mem_space_id = t->mem_space_id ? t->mem_space_id : 1;
        tx[i].addr.addr_space_type = t->addr_space_type;
        tx[i].access_type = t->access_type ? t->access_type : MCD_TX_AT_R;
        tx[i].access_width = t->access_width;
        tx[i].core_mode = t->core_mode;
        tx[i].num_bytes = t->num_bytes == TXL_EMPTY ? 0
                          : t->num_bytes            ? t->num_bytes
                                                    : 8;
        tx[i].data = an->data[i];
    }
}

/* The library's answers for every row, window on or off. */
static void by_library(bool window, struct answer *out)
{
    struct mcdshm_server_opts o = { .name = "tx", .policy = "hybrid" };
    struct mcdshm_server *s;
    mcd_core_con_info_st ci;
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_error_info_st e;
    mcd_tx_st tx[2];
    uint32_t n = 1;
    char err[256];

    cr_assert_eq(mcdshm_server_start(vp_target(vp), &o, &s, err, sizeof(err)),
                 0, "%s", err);
    CHECK(NULL, mcd_open_server_f("", cfg, &srv));
    CHECK(NULL, mcd_set_server_config_f(srv, window ? "McdShmWindow=TRUE"
                                                    : "McdShmWindow=FALSE"));
    CHECK(NULL, mcd_qry_cores_f(NULL, 0, &n, &ci));
    CHECK(NULL, mcd_open_core_f(&ci, &core));
    for (size_t r = 0; r < NROWS; r++) {
        mcd_txlist_st tl = { tx, txl_table[r].num_tx, 0 };

        memset(&out[r], 0, sizeof(out[r]));
        build(&txl_table[r], tx, &out[r]);
        out[r].ret = mcd_execute_txlist_f(core, &tl);
        mcd_qry_error_info_f(core, &e);
        out[r].code = e.error_code;
        snprintf(out[r].msg, sizeof(out[r].msg), "%s", e.error_str);
        out[r].num_tx_ok = tl.num_tx_ok;
    }
    mcd_close_core_f(core);
    mcd_close_server_f(srv);
    mcdshm_server_stop(s);
}

/* The server path's answers: wire records straight into the decoder. */
static void by_server(struct answer *out)
{
    struct mcdcore *c;
    struct mcdcore_session *sess;
    mcd_core_con_info_st ci, full;
    static struct mcdshm_req q;
    static struct mcdshm_resp a;
    struct mcdshm_tx d[2];
    mcd_tx_st tx[2];
    uint8_t *pl = aligned_alloc(64, PSIZE);
    uint32_t uid, off, n = 1;

    cr_assert_not_null(pl);
    cr_assert_eq(mcdcore_create(vp_target(vp), "tx", &c), 0);
    cr_assert_eq(mcdcore_session_open(c, &sess), 0);
    memset(&ci, 0, sizeof(ci));
    cr_assert_eq(mcdcore_qry_cores(sess, &ci, 0, &n, &ci), MCD_RET_ACT_NONE);
    cr_assert_eq(mcdcore_open_core(sess, &ci, &uid, &full), MCD_RET_ACT_NONE,
                 "core %s", ci.core);
    for (size_t r = 0; r < NROWS; r++) {
        const struct txl_list *l = &txl_table[r];

        memset(&out[r], 0, sizeof(out[r]));
        build(l, tx, &out[r]);
        memset(&q, 0, sizeof(q));
        memset(pl, 0, PSIZE);
        q.hdr.seq = 1;
        q.hdr.fn = MCDSHM_FN_EXECUTE_TXLIST;
        q.hdr.core_uid = uid;
        off = l->num_tx * sizeof(d[0]);
        for (uint32_t i = 0; i < l->num_tx; i++) {
            memset(&d[i], 0, sizeof(d[i]));
            d[i].addr.address = tx[i].addr.address;
            d[i].addr.mem_space_id = tx[i].addr.mem_space_id;
            d[i].addr.addr_space_type = tx[i].addr.addr_space_type;
            d[i].access_type = tx[i].access_type;
            d[i].access_width = tx[i].access_width;
            d[i].core_mode = tx[i].core_mode;
            d[i].num_bytes = tx[i].num_bytes;
            d[i].data_off = off;
            off += (tx[i].num_bytes + 7) & ~7u;
        }
        memcpy(pl, d, l->num_tx * sizeof(d[0]));
        q.u.execute_txlist.num_tx = l->num_tx;
        q.u.execute_txlist.tx.len = l->num_tx * sizeof(d[0]);
        q.hdr.payload_len = off;
        cr_assert_eq(mcdstub_dispatch(sess, &q, pl, PSIZE, &a), 0);
        out[r].ret = a.hdr.ret;
        out[r].code = a.hdr.ret ? a.error.error_code : MCD_ERR_NONE;
        snprintf(out[r].msg, sizeof(out[r].msg), "%s",
                 a.hdr.ret ? (const char *)a.error.error_str : "");
        out[r].num_tx_ok = a.u.execute_txlist.num_tx_ok;
        for (uint32_t i = 0; i < l->num_tx; i++) {
            if (i < out[r].num_tx_ok) {
                memcpy(out[r].data[i], pl + d[i].data_off, d[i].num_bytes);
            }
        }
    }
    mcdcore_session_close(sess);
    mcdcore_destroy(c);
    free(pl);
}

static void same(const char *path, const struct answer *x,
                 const struct answer *y, size_t r)
{
    const char *what = txl_table[r].what;

    cr_expect_eq(x->ret, y->ret, "%s, %s: ret %u vs %u (%s | %s)", what, path,
                 x->ret, y->ret, x->msg, y->msg);
    cr_expect_eq(x->code, y->code, "%s, %s: code 0x%x vs 0x%x", what, path,
                 x->code, y->code);
    cr_expect_str_eq(x->msg, y->msg, "%s, %s: messages differ", what, path);
    cr_expect_eq(x->num_tx_ok, y->num_tx_ok, "%s, %s: num_tx_ok", what, path);
    cr_expect_eq(memcmp(x->data, y->data, sizeof(x->data)), 0,
                 "%s, %s: data read differs", what, path);
}

Test(txcheck, window_and_server_answer_alike)
{
    static struct answer win[NROWS], rings[NROWS], server[NROWS];

    by_library(true, win);
    by_library(false, rings);
    by_server(server);
    for (size_t r = 0; r < NROWS; r++) {
        const char *what = txl_table[r].what;

        same("window vs server", &win[r], &server[r], r);
        same("window vs rings", &win[r], &rings[r], r);
        /* The table means what it says: a list is accepted exactly when
         * its description says so, and a refusal names the field. */
        cr_expect_eq(win[r].ret == MCD_RET_ACT_NONE,
                     strstr(what, "(accepted)") != NULL, "%s: ret %u (%s)",
                     what, win[r].ret, win[r].msg);
        if (win[r].ret != MCD_RET_ACT_NONE) {
            cr_expect_neq(win[r].msg[0], '\0', "%s: no message", what);
        }
    }
    cr_expect_str_eq(win[3].msg, "mcd_execute_txlist_f: tx[0].access_width 3 "
                                 "is not 0, 1, 2, 4 or 8");
}
