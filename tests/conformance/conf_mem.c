/*
 * conf_mem.c - conformance of mcd_execute_txlist_f on memory and
 * registers: round trips of every size 1..16, 64, 4096 and 1 MiB at every
 * alignment 0..7 through the physical and the logical space, a list of
 * MCD_TX_NUM_MAX transactions mixing reads and writes, the abort at the
 * first failing transaction (num_tx_ok, num_bytes_ok, nothing after it
 * done), and register writes, reads and a block read of consecutive
 * registers.
 *
 * Memory tests write only the scratch area after the program's _end
 * (conf_scratch()); each write lands inside a window filled with a
 * background first, and the whole window is read back, so a write that
 * spills over or a read that returns stale bytes shows.  Register tests
 * restore what they change.  Each test runs in its own process with its
 * own session (conf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define GUARD 8 /* background bytes before and after the data */
#define BACKGROUND 0xc3

/* One round trip of @len bytes at @base + GUARD + @align in @space. */
struct trip {
    uint32_t space;
    uint64_t base;
    uint32_t align;
    uint32_t len;
    uint8_t *bg, *data, *back; /* window, len, window bytes */
};

static uint32_t trip_window(const struct trip *t)
{
    return GUARD + t->align + t->len + GUARD;
}

static void trip_alloc(struct trip *t, uint32_t max_len)
{
    uint32_t w = GUARD + 7 + max_len + GUARD;

    t->bg = malloc(w);
    t->data = malloc(max_len);
    t->back = malloc(w);
    cr_assert(t->bg && t->data && t->back, "out of memory");
    memset(t->bg, BACKGROUND, w);
}

static void trip_free(struct trip *t)
{
    free(t->bg);
    free(t->data);
    free(t->back);
}

/* Background, data, read-back as one list of three transactions. */
static void trip_one_list(uint32_t i, struct trip *t)
{
    uint32_t w = trip_window(t), k;
    mcd_txlist_st tl;
    mcd_tx_st tx[3];

    conf_tx_init(&tx[0], t->space, t->base, MCD_TX_AT_W, t->bg, w);
    conf_tx_init(&tx[1], t->space, t->base + GUARD + t->align, MCD_TX_AT_W,
                 t->data, t->len);
    conf_tx_init(&tx[2], t->space, t->base, MCD_TX_AT_R, t->back, w);
    tl.tx = tx;
    tl.num_tx = 3;
    tl.num_tx_ok = 0;
    CHECK_MCD(CORE(i), conf.api.execute_txlist(CORE(i), &tl));
    cr_assert(tl.num_tx_ok == 3,
              "space %u, %u bytes at +%u: num_tx_ok %u "
              "of 3",
              t->space, t->len, t->align, tl.num_tx_ok);
    for (k = 0; k < 3; k++) {
        cr_assert(tx[k].num_bytes_ok == tx[k].num_bytes,
                  "space %u, %u bytes at +%u: transaction %u did %u of %u "
                  "bytes",
                  t->space, t->len, t->align, k, tx[k].num_bytes_ok,
                  tx[k].num_bytes);
    }
}

/* The window must hold the background with the data in its place. */
static void trip_verify(const struct trip *t)
{
    uint32_t off = GUARD + t->align, w = trip_window(t), k;

    for (k = 0; k < w; k++) {
        uint8_t want =
            k >= off && k < off + t->len ? t->data[k - off] : BACKGROUND;

        cr_assert(t->back[k] == want,
                  "space %u: after writing %u bytes at 0x%llx, byte "
                  "0x%llx reads 0x%02x, expected 0x%02x (%s)",
                  t->space, t->len, (unsigned long long)(t->base + off),
                  (unsigned long long)(t->base + k), t->back[k], want,
                  k >= off && k < off + t->len ? "data" : "untouched");
    }
}

static void trip_run(uint32_t i, struct trip *t, uint32_t max_payload)
{
    uint32_t w = trip_window(t);

    conf_pattern(t->data, t->len, t->len * 8 + t->align + t->space * 977);
    memset(t->back, 0xee, w);
    if (2 * w + t->len <= max_payload) {
        trip_one_list(i, t);
    } else {
        conf_mem_write(i, t->space, t->base, t->bg, w);
        conf_mem_write(i, t->space, t->base + GUARD + t->align, t->data,
                       t->len);
        conf_mem_read(i, t->space, t->base, t->back, w);
    }
    trip_verify(t);
}

/* Round trips of each of @sizes at each alignment 0..7. */
static void trips(uint32_t space, const uint32_t *sizes, uint32_t nsizes)
{
    uint32_t max_payload = conf_max_payload(0), k, largest = 0;
    struct trip t = { .space = space, .base = conf_scratch() };

    for (k = 0; k < nsizes; k++) {
        largest = sizes[k] > largest ? sizes[k] : largest;
    }
    cr_assert(largest <= max_payload,
              "a %u-byte transaction exceeds the "
              "max payload %u",
              largest, max_payload);
    trip_alloc(&t, largest);
    for (k = 0; k < nsizes; k++) {
        for (t.align = 0; t.align < 8; t.align++) {
            t.len = sizes[k];
            trip_run(0, &t, max_payload);
        }
    }
    trip_free(&t);
}

static const uint32_t small_sizes[] = { 1,  2,  3,  4,  5,  6,  7,  8,  9,
                                        10, 11, 12, 13, 14, 15, 16, 64, 4096 };
static const uint32_t big_sizes[] = { 1u << 20 };

#define NSIZES(a) ((uint32_t)(sizeof(a) / sizeof(a[0])))

Test(mem, roundtrip_physical_sizes_alignments, .init = conf_open,
     .fini = conf_close, .timeout = CONF_LONG_TIMEOUT)
{
    trips(conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL), small_sizes,
          NSIZES(small_sizes));
}

Test(mem, roundtrip_logical_sizes_alignments, .init = conf_open,
     .fini = conf_close, .timeout = CONF_LONG_TIMEOUT)
{
    conf_require(CAP_LOGICAL_SPACE);
    trips(conf_mem_space(0, MCD_MEM_SPACE_IS_LOGICAL), small_sizes,
          NSIZES(small_sizes));
}

Test(mem, roundtrip_1mib_physical, .init = conf_open, .fini = conf_close,
     .timeout = CONF_LONG_TIMEOUT)
{
    trips(conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL), big_sizes,
          NSIZES(big_sizes));
}

Test(mem, roundtrip_1mib_logical, .init = conf_open, .fini = conf_close,
     .timeout = CONF_LONG_TIMEOUT)
{
    conf_require(CAP_LOGICAL_SPACE);
    trips(conf_mem_space(0, MCD_MEM_SPACE_IS_LOGICAL), big_sizes,
          NSIZES(big_sizes));
}

/* ------------------------------------------------------------------------
 * Lists
 */

/* Even transactions write 1..8 bytes, each odd one reads them back. */
Test(mem, txlist_64_mixed, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint32_t space = conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL), k;
    uint8_t wr[MCD_TX_NUM_MAX / 2][8], rd[MCD_TX_NUM_MAX / 2][8];
    uint64_t base = conf_scratch();
    mcd_tx_st tx[MCD_TX_NUM_MAX];
    mcd_txlist_st tl = { tx, MCD_TX_NUM_MAX, 0 };

    conf_pattern(&wr[0][0], sizeof(wr), 64);
    memset(rd, 0xee, sizeof(rd));
    for (k = 0; k < MCD_TX_NUM_MAX; k++) {
        uint32_t slot = k / 2, len = 1 + slot % 8;

        conf_tx_init(&tx[k], space, base + 16 * slot,
                     k % 2 ? MCD_TX_AT_R : MCD_TX_AT_W,
                     k % 2 ? rd[slot] : wr[slot], len);
    }
    CHECK_MCD(CORE(0), conf.api.execute_txlist(CORE(0), &tl));
    cr_assert(tl.num_tx_ok == MCD_TX_NUM_MAX, "num_tx_ok %u of %u",
              tl.num_tx_ok, MCD_TX_NUM_MAX);
    for (k = 0; k < MCD_TX_NUM_MAX; k++) {
        cr_assert(tx[k].num_bytes_ok == tx[k].num_bytes,
                  "transaction %u: num_bytes_ok %u of %u", k,
                  tx[k].num_bytes_ok, tx[k].num_bytes);
        cr_assert(k % 2 == 0 || !memcmp(rd[k / 2], wr[k / 2], tx[k].num_bytes),
                  "transaction %u read back other bytes than %u wrote", k,
                  k - 1);
    }
}

Test(mem, txlist_over_max_refused, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint32_t space = conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL), k;
    mcd_tx_st tx[MCD_TX_NUM_MAX + 1];
    mcd_txlist_st tl = { tx, MCD_TX_NUM_MAX + 1, 0 };
    uint8_t buf[MCD_TX_NUM_MAX + 1][4];
    uint64_t base = conf_scratch();

    for (k = 0; k <= MCD_TX_NUM_MAX; k++) {
        conf_tx_init(&tx[k], space, base + 4 * k, MCD_TX_AT_R, buf[k], 4);
    }
    EXPECT_MCD_ERR(CORE(0), conf.api.execute_txlist(CORE(0), &tl),
                   CONF_ANY_ERROR);
}

/* Status of transaction @k of a failed list, as the test expects it. */
static void expect_bytes_ok(const mcd_tx_st *tx, uint32_t k, uint32_t want)
{
    cr_assert(tx[k].num_bytes_ok == want,
              "transaction %u of the failed list: num_bytes_ok %u, "
              "expected %u",
              k, tx[k].num_bytes_ok, want);
}

/*
 * write, read, read of an unmapped address, write: the list stops at the
 * third; the fourth must not happen.
 */
Test(mem, txlist_stops_at_failed_read, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint32_t space = conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL);
    uint8_t data[16], back[16], bad[8], late[8], before[8], after[8];
    uint64_t base = conf_scratch();
    mcd_tx_st tx[4];
    mcd_txlist_st tl = { tx, 4, 0 };

    conf_require(CAP_UNMAPPED_ADDR);
    conf_pattern(data, sizeof(data), 3);
    conf_pattern(late, sizeof(late), 4);
    conf_pattern(before, sizeof(before), 5);
    conf_mem_write(0, space, base + 64, before, sizeof(before));
    conf_tx_init(&tx[0], space, base, MCD_TX_AT_W, data, 16);
    conf_tx_init(&tx[1], space, base, MCD_TX_AT_R, back, 16);
    conf_tx_init(&tx[2], space, conf.target->unmapped_addr, MCD_TX_AT_R, bad,
                 8);
    conf_tx_init(&tx[3], space, base + 64, MCD_TX_AT_W, late, 8);
    tx[2].num_bytes_ok = 0xffffffffu;
    EXPECT_MCD_ERR(CORE(0), conf.api.execute_txlist(CORE(0), &tl),
                   MCD_ERR_TXLIST_READ);
    cr_assert(tl.num_tx_ok == 2,
              "num_tx_ok %u; the third transaction "
              "(unmapped 0x%llx) failed",
              tl.num_tx_ok, (unsigned long long)conf.target->unmapped_addr);
    expect_bytes_ok(tx, 0, 16);
    expect_bytes_ok(tx, 1, 16);
    expect_bytes_ok(tx, 2, 0);
    expect_bytes_ok(tx, 3, 0);
    cr_assert(!memcmp(back, data, 16), "the read before the failure is "
                                       "wrong");
    conf_mem_read(0, space, base + 64, after, sizeof(after));
    cr_assert(!memcmp(after, before, 8), "the write after the failed "
                                         "transaction was done");
}

Test(mem, txlist_stops_at_failed_write, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint32_t space = conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL);
    uint8_t data[8];
    mcd_tx_st tx[2];
    mcd_txlist_st tl = { tx, 2, 0 };

    conf_require(CAP_UNMAPPED_ADDR);
    conf_pattern(data, sizeof(data), 6);
    conf_tx_init(&tx[0], space, conf_scratch(), MCD_TX_AT_W, data, 8);
    conf_tx_init(&tx[1], space, conf.target->unmapped_addr, MCD_TX_AT_W, data,
                 8);
    tx[1].num_bytes_ok = 0xffffffffu;
    EXPECT_MCD_ERR(CORE(0), conf.api.execute_txlist(CORE(0), &tl),
                   MCD_ERR_TXLIST_WRITE);
    cr_assert(tl.num_tx_ok == 1, "num_tx_ok %u, expected 1", tl.num_tx_ok);
    expect_bytes_ok(tx, 0, 8);
    expect_bytes_ok(tx, 1, 0);
}

/* ------------------------------------------------------------------------
 * Registers
 */

static void gpr_roundtrip(uint32_t i)
{
    static const uint64_t values[] = { 0x0123456789abcdefull,
                                       0xfedcba9876543210ull, 0, ~0ull };
    const char *name = conf.target->scratch_reg;
    const mcd_register_info_st *r = conf_reg(i, name);
    uint64_t mask = r->regsize >= 64 ? ~0ull : (1ull << r->regsize) - 1;
    uint64_t old = conf_reg_read(i, name), got;
    size_t k;

    for (k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
        conf_reg_write(i, name, values[k]);
        got = conf_reg_read(i, name);
        cr_assert(got == (values[k] & mask),
                  "core \"%s\": wrote 0x%llx to %s, read 0x%llx",
                  CCORE(i)->info.core, (unsigned long long)values[k], name,
                  (unsigned long long)got);
    }
    conf_reg_write(i, name, old);
}

Test(regs, gpr_write_read_back, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    gpr_roundtrip(0);
    gpr_roundtrip(conf.ncores - 1);
}

Test(regs, pc_write_read_back, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint64_t old = conf_pc(0);

    conf_reg_write(0, conf.target->pc_reg, old + 4);
    cr_assert(conf_pc(0) == old + 4, "wrote pc 0x%llx, read 0x%llx",
              (unsigned long long)(old + 4), (unsigned long long)conf_pc(0));
    conf_reg_write(0, conf.target->pc_reg, old);
}

/* Whether @b directly follows @a in their register space. */
static bool reg_follows(const mcd_register_info_st *a,
                        const mcd_register_info_st *b)
{
    uint64_t step =
        conf.target->reg_addr == CONF_REG_ADDR_INDEX ? 1 : a->regsize / 8;

    return b->addr.mem_space_id == a->addr.mem_space_id &&
           b->regsize == a->regsize &&
           b->addr.address == a->addr.address + step;
}

/* The registers around the pc that follow each other, in order. */
static uint32_t reg_run(const mcd_register_info_st **run, uint32_t max)
{
    const mcd_register_info_st *pc = conf_reg(0, conf.target->pc_reg);
    const struct conf_core *cc = CCORE(0);
    uint32_t n = 1, k;
    bool grew = true;

    run[0] = pc;
    while (grew && n < max) {
        grew = false;
        for (k = 0; k < cc->nregs && !grew; k++) {
            if (reg_follows(&cc->regs[k], run[0])) {
                memmove(run + 1, run, n * sizeof(*run));
                run[0] = &cc->regs[k];
                n++;
                grew = true;
            } else if (reg_follows(run[n - 1], &cc->regs[k])) {
                run[n++] = &cc->regs[k];
                grew = true;
            }
        }
    }
    return n;
}

Test(regs, consecutive_registers_in_one_transaction, .init = conf_open,
     .fini = conf_close, .timeout = CONF_TIMEOUT)
{
    const mcd_register_info_st *run[256];
    uint32_t n, k, b, size;
    uint8_t buf[256 * 8];
    uint64_t one, v;
    mcd_tx_st tx;
    mcd_txlist_st tl = { &tx, 1, 0 };

    conf_require(CAP_REG_BLOCK);
    n = reg_run(run, 256);
    size = run[0]->regsize / 8;
    cr_assert(n >= 2 && size >= 1 && size <= 8,
              "no register follows or precedes %s in its register space",
              conf.target->pc_reg);
    tx = (mcd_tx_st){ .addr = run[0]->addr,
                      .access_type = MCD_TX_AT_R,
                      .data = buf,
                      .num_bytes = n * size };
    CHECK_MCD(CORE(0), conf.api.execute_txlist(CORE(0), &tl));
    cr_assert(tx.num_bytes_ok == n * size,
              "block read of %s..%s: %u of %u "
              "bytes",
              run[0]->regname, run[n - 1]->regname, tx.num_bytes_ok, n * size);
    for (k = 0; k < n; k++) {
        one = conf_reg_read(0, run[k]->regname);
        for (v = 0, b = size; b-- > 0;) {
            v = v << 8 | buf[k * size + b];
        }
        cr_assert(v == one, "%s is 0x%llx alone, 0x%llx in a block read",
                  run[k]->regname, (unsigned long long)one,
                  (unsigned long long)v);
    }
}
