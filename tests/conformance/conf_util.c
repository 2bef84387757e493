/*
 * conf_util.c - helpers of the MCD conformance suite that act on the
 * target: the test program's symbols, run control (stop, wait, reset),
 * registers by name, memory transactions, and the generic check of the
 * count-then-fetch rules.
 *
 * Every helper goes through the function table only and asserts on
 * failure with the MCD error (CHECK_MCD), so a test body stays a list of
 * what it proves.  Registers are found by name in register group 0 (all
 * registers); memory spaces by type.  Register data is little-endian (the
 * API says so); memory data is the target's order, little-endian for the
 * RISC-V targets the profiles describe.
 *
 * One thread per process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

/* ------------------------------------------------------------------------
 * The test program
 */

void conf_need_elf(void)
{
    static const char *const need[] = {
        CONF_SYM_COUNTER,     CONF_SYM_BP_HERE,    CONF_SYM_WATCH_TARGET,
        CONF_SYM_WATCH_STORE, CONF_SYM_WATCH_LOAD, CONF_SYM_WATCH_SINK,
        CONF_SYM_END,
    };
    const char *path = getenv(CONF_ENV_ELF);
    char err[512];
    size_t i;

    if (conf.elf.nsyms) {
        return;
    }
    if (!path || !*path) {
        cr_skip_test("set %s to the test_prog.elf the target runs: this "
                     "test needs its symbols",
                     CONF_ENV_ELF);
    }
    if (conf_elf_load(path, &conf.elf, err, sizeof(err)) < 0) {
        cr_assert_fail("%s=%s: %s", CONF_ENV_ELF, path, err);
    }
    for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        cr_assert(conf_elf_find(&conf.elf, need[i]),
                  "%s: no symbol \"%s\": not the test program?", path, need[i]);
    }
}

uint64_t conf_sym(const char *name)
{
    const struct conf_elf_sym *s;

    conf_need_elf();
    s = conf_elf_find(&conf.elf, name);
    cr_assert(s, "%s has no symbol \"%s\"", getenv(CONF_ENV_ELF), name);
    return s->value;
}

uint64_t conf_sym_size(const char *name)
{
    conf_sym(name);
    return conf_elf_find(&conf.elf, name)->size;
}

uint64_t conf_reset_pc(void)
{
    conf_need_elf();
    if (conf.target->reset_pc == CONF_RESET_PC_ENTRY) {
        return conf.elf.entry;
    }
    return conf.target->reset_pc;
}

/* A block of @space that holds [lo, hi], or fail; none listed is fine. */
static void scratch_check(uint32_t space, uint64_t lo, uint64_t hi)
{
    mcd_memblock_st *b;
    uint32_t i, n = 0;

    CHECK_MCD(CORE(0), conf.api.qry_mem_blocks(CORE(0), space, 0, &n, NULL));
    if (!n) {
        return;
    }
    b = calloc(n, sizeof(*b));
    cr_assert(b, "out of memory");
    CHECK_MCD(CORE(0), conf.api.qry_mem_blocks(CORE(0), space, 0, &n, b));
    for (i = 0; i < n; i++) {
        if (b[i].start_addr <= lo && hi <= b[i].end_addr) {
            free(b);
            return;
        }
    }
    free(b);
    cr_assert_fail("no memory block holds the scratch area 0x%llx..0x%llx "
                   "after the program's _end: the target needs %u MiB of "
                   "RAM there",
                   (unsigned long long)lo, (unsigned long long)hi,
                   CONF_SCRATCH_SIZE >> 20);
}

uint64_t conf_scratch_base(void)
{
    uint64_t a = conf_sym(CONF_SYM_END) + CONF_SCRATCH_ALIGN - 1;

    return a & ~(uint64_t)(CONF_SCRATCH_ALIGN - 1);
}

uint64_t conf_scratch(void)
{
    static uint64_t scratch;
    uint64_t a;

    if (scratch) {
        return scratch;
    }
    a = conf_scratch_base();
    scratch_check(conf_mem_space(0, MCD_MEM_SPACE_IS_PHYSICAL), a,
                  a + CONF_SCRATCH_SIZE - 1);
    scratch = a;
    return a;
}

/* ------------------------------------------------------------------------
 * Run control
 */

mcd_core_state_st conf_state(uint32_t i)
{
    mcd_core_state_st st;

    memset(&st, 0, sizeof(st));
    CHECK_MCD(CORE(i), conf.api.qry_state(CORE(i), &st));
    cr_assert(memchr(st.stop_str, '\0', sizeof(st.stop_str)) &&
                  memchr(st.info_str, '\0', sizeof(st.info_str)),
              "mcd_qry_state_f: stop_str or info_str not NUL-terminated");
    return st;
}

bool conf_is_halted(mcd_core_state_et state)
{
    return state == MCD_CORE_STATE_DEBUG || state == MCD_CORE_STATE_HALTED;
}

mcd_core_state_st conf_wait_halted(uint32_t i)
{
    uint64_t end = conf_now_ms() + CONF_WAIT_MS;
    mcd_core_state_st st;

    for (;;) {
        st = conf_state(i);
        if (conf_is_halted(st.state)) {
            return st;
        }
        cr_assert(conf_now_ms() < end,
                  "core \"%s\" did not halt within %d ms: %s, stop_str "
                  "\"%s\", info_str \"%s\"",
                  CCORE(i)->info.core, CONF_WAIT_MS, conf_state_name(st.state),
                  st.stop_str, st.info_str);
        conf_sleep_ms(1);
    }
}

void conf_wait_running(uint32_t i)
{
    uint64_t end = conf_now_ms() + CONF_WAIT_MS;
    mcd_core_state_st st;

    for (;;) {
        st = conf_state(i);
        if (st.state == MCD_CORE_STATE_RUNNING) {
            return;
        }
        cr_assert(conf_now_ms() < end,
                  "core \"%s\" is not RUNNING after %d ms: %s, stop_str "
                  "\"%s\"",
                  CCORE(i)->info.core, CONF_WAIT_MS, conf_state_name(st.state),
                  st.stop_str);
        conf_sleep_ms(1);
    }
}

/*
 * A global stop, then a stop of each core still running (a test may have
 * taken one out of global run control and failed before restoring it).
 */
void conf_stop_all(void)
{
    uint32_t i, first = conf.ncores;

    for (i = 0; i < conf.ncores && first == conf.ncores; i++) {
        first = CORE(i) ? i : first;
    }
    if (first == conf.ncores) {
        return;
    }
    CHECK_MCD(CORE(first), conf.api.stop(CORE(first), TRUE));
    for (i = 0; i < conf.ncores; i++) {
        if (CORE(i) && !conf_is_halted(conf_state(i).state)) {
            CHECK_MCD(CORE(i), conf.api.stop(CORE(i), FALSE));
        }
    }
    for (i = 0; i < conf.ncores; i++) {
        if (CORE(i)) {
            conf_wait_halted(i);
        }
    }
}

void conf_reset_system(void)
{
    uint32_t i;

    conf_need_elf();
    CHECK_MCD(CORE(0),
              conf.api.rst(CORE(0), 1u << conf.target->rst_system, TRUE));
    for (i = 0; i < conf.ncores; i++) {
        conf_wait_halted(i);
    }
}

mcd_core_state_st conf_run_to_stop(uint32_t i)
{
    mcd_core_state_st st;
    bool alone = conf_has(CAP_PER_CORE_RUN);

    CHECK_MCD(CORE(i), conf.api.run(CORE(i), alone ? FALSE : TRUE));
    st = conf_wait_halted(i);
    if (!alone) {
        conf_stop_all();
    }
    return st;
}

/* ------------------------------------------------------------------------
 * Registers
 */

static void reg_map_load(struct conf_core *cc)
{
    uint32_t n = 0;

    if (cc->regs) {
        return;
    }
    CHECK_MCD(cc->core, conf.api.qry_reg_map(cc->core, 0, 0, &n, NULL));
    cr_assert(n > 0, "core \"%s\": register group 0 is empty", cc->info.core);
    cc->regs = calloc(n, sizeof(*cc->regs));
    cr_assert(cc->regs, "out of memory");
    CHECK_MCD(cc->core, conf.api.qry_reg_map(cc->core, 0, 0, &n, cc->regs));
    cc->nregs = n;
}

const mcd_register_info_st *conf_reg(uint32_t i, const char *name)
{
    struct conf_core *cc = CCORE(i);
    uint32_t k;

    reg_map_load(cc);
    for (k = 0; k < cc->nregs; k++) {
        if (!strcmp(cc->regs[k].regname, name)) {
            return &cc->regs[k];
        }
    }
    cr_assert_fail("core \"%s\" has no register \"%s\" in group 0 (the %s "
                   "profile names it)",
                   cc->info.core, name, conf.target->name);
    return NULL;
}

/* One register transaction on @r of @at with up to 8 bytes at @buf. */
static void reg_tx(uint32_t i, const mcd_register_info_st *r,
                   mcd_tx_access_type_et at, uint8_t *buf)
{
    uint32_t len = r->regsize / 8;
    mcd_txlist_st tl;
    mcd_tx_st tx;

    cr_assert(r->regsize % 8 == 0 && len >= 1 && len <= 8,
              "register \"%s\" has %u bits; the suite handles 8..64",
              r->regname, r->regsize);
    memset(&tx, 0, sizeof(tx));
    tx.addr = r->addr;
    tx.access_type = at;
    tx.data = buf;
    tx.num_bytes = len;
    tl.tx = &tx;
    tl.num_tx = 1;
    tl.num_tx_ok = 0;
    CHECK_MCD(CORE(i), conf.api.execute_txlist(CORE(i), &tl));
    cr_assert(tl.num_tx_ok == 1 && tx.num_bytes_ok == len,
              "register \"%s\": num_tx_ok %u, num_bytes_ok %u of %u",
              r->regname, tl.num_tx_ok, tx.num_bytes_ok, len);
}

uint64_t conf_reg_read(uint32_t i, const char *name)
{
    const mcd_register_info_st *r = conf_reg(i, name);
    uint8_t buf[8] = { 0 };
    uint64_t v = 0;
    int k;

    reg_tx(i, r, MCD_TX_AT_R, buf);
    for (k = 7; k >= 0; k--) {
        v = v << 8 | buf[k];
    }
    return v;
}

void conf_reg_write(uint32_t i, const char *name, uint64_t value)
{
    const mcd_register_info_st *r = conf_reg(i, name);
    uint8_t buf[8];
    int k;

    for (k = 0; k < 8; k++) {
        buf[k] = (uint8_t)(value >> (8 * k));
    }
    reg_tx(i, r, MCD_TX_AT_W, buf);
}

uint64_t conf_pc(uint32_t i)
{
    return conf_reg_read(i, conf.target->pc_reg);
}

/* ------------------------------------------------------------------------
 * Memory
 */

uint32_t conf_mem_space(uint32_t i, mcd_mem_type_et type)
{
    mcd_memspace_st sp[16];
    uint32_t k, n = 16;

    CHECK_MCD(CORE(i), conf.api.qry_mem_spaces(CORE(i), 0, &n, sp));
    for (k = 0; k < n; k++) {
        if ((sp[k].mem_type & type) &&
            !(sp[k].mem_type & MCD_MEM_SPACE_IS_REGISTERS)) {
            return sp[k].mem_space_id;
        }
    }
    return 0;
}

uint32_t conf_max_payload(uint32_t i)
{
    uint32_t max = 0;

    CHECK_MCD(CORE(i), conf.api.qry_max_payload_size(CORE(i), &max));
    return max;
}

void conf_tx_init(mcd_tx_st *tx, uint32_t space, uint64_t addr,
                  mcd_tx_access_type_et at, uint8_t *data, uint32_t len)
{
    memset(tx, 0, sizeof(*tx));
    tx->addr.address = addr;
    tx->addr.mem_space_id = space;
    tx->access_type = at;
    tx->data = data;
    tx->num_bytes = len;
}

static void mem_tx(uint32_t i, uint32_t space, uint64_t addr,
                   mcd_tx_access_type_et at, uint8_t *buf, uint32_t len)
{
    mcd_txlist_st tl;
    mcd_tx_st tx;

    conf_tx_init(&tx, space, addr, at, buf, len);
    tl.tx = &tx;
    tl.num_tx = 1;
    tl.num_tx_ok = 0;
    CHECK_MCD(CORE(i), conf.api.execute_txlist(CORE(i), &tl));
    cr_assert(tl.num_tx_ok == 1 && tx.num_bytes_ok == len,
              "%s of %u bytes at 0x%llx (space %u): num_tx_ok %u, "
              "num_bytes_ok %u",
              at == MCD_TX_AT_R ? "read" : "write", len,
              (unsigned long long)addr, space, tl.num_tx_ok, tx.num_bytes_ok);
}

void conf_mem_read(uint32_t i, uint32_t space, uint64_t addr, void *buf,
                   uint32_t len)
{
    mem_tx(i, space, addr, MCD_TX_AT_R, buf, len);
}

void conf_mem_write(uint32_t i, uint32_t space, uint64_t addr, const void *buf,
                    uint32_t len)
{
    /* The API's tx.data is not const; a write only reads it. */
    mem_tx(i, space, addr, MCD_TX_AT_W, (uint8_t *)buf, len);
}

uint64_t conf_read_u64(uint32_t i, uint64_t addr)
{
    uint8_t b[8];
    uint64_t v = 0;
    int k;

    conf_mem_read(i, conf_mem_space(i, MCD_MEM_SPACE_IS_PHYSICAL), addr, b, 8);
    for (k = 7; k >= 0; k--) {
        v = v << 8 | b[k];
    }
    return v;
}

void conf_pattern(uint8_t *buf, uint32_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 0x9e3779b9u, k;

    for (k = 0; k < len; k++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[k] = (uint8_t)(x >> 8);
        if (k && buf[k] == buf[k - 1]) {
            buf[k] ^= 0x5a;
        }
    }
}

/* ------------------------------------------------------------------------
 * Count-then-fetch
 */

static void list_fetch(const struct conf_list *l, uint32_t start, uint32_t *num,
                       void *out)
{
    conf_check_ok(l->core, CONF_CALL(l->fetch(l->ctx, start, num, out)),
                  l->what, __FILE__, __LINE__);
}

static void list_same(const struct conf_list *l, const void *a, const void *b,
                      uint32_t index, const char *how)
{
    int diff = l->cmp ? l->cmp(a, b) : memcmp(a, b, l->size);

    cr_assert(diff == 0,
              "%s: entry %u fetched %s differs from the same "
              "entry fetched with all others",
              l->what, index, how);
}

/* Each entry alone, from start_index k with capacity 1. */
static void list_check_paging(const struct conf_list *l, const uint8_t *all,
                              uint32_t total)
{
    uint8_t *one = calloc(1, l->size);
    uint32_t k, n;

    cr_assert(one, "out of memory");
    for (k = 0; k < total; k++) {
        n = 1;
        list_fetch(l, k, &n, one);
        cr_assert(n == 1, "%s: start_index %u, capacity 1 gave %u entries",
                  l->what, k, n);
        list_same(l, one, all + (size_t)k * l->size, k, "alone");
    }
    free(one);
}

/* A capacity beyond what remains is clamped to what remains. */
static void list_check_clamp(const struct conf_list *l, const uint8_t *all,
                             uint32_t total)
{
    uint32_t n = total + 4;
    uint8_t *buf = calloc(n, l->size);

    cr_assert(buf, "out of memory");
    list_fetch(l, total - 1, &n, buf);
    cr_assert(n == 1,
              "%s: start_index %u (the last) with capacity %u gave "
              "%u entries, expected 1",
              l->what, total - 1, total + 4, n);
    list_same(l, buf, all + (size_t)(total - 1) * l->size, total - 1,
              "with a larger capacity");
    n = total + 4;
    list_fetch(l, 0, &n, buf);
    cr_assert(n == total, "%s: capacity %u from 0 gave %u entries of %u",
              l->what, total + 4, n, total);
    free(buf);
}

void *conf_check_list(const struct conf_list *l, uint32_t *total)
{
    uint32_t n = 0, got, start;
    uint8_t *all, *buf;
    char what[128];

    list_fetch(l, 0, &n, NULL);
    all = calloc(n + 1, l->size);
    buf = calloc(1, l->size);
    cr_assert(all && buf, "out of memory");
    if (n) {
        got = n;
        list_fetch(l, 0, &got, all);
        cr_assert(got == n,
                  "%s: the count query said %u, fetching %u gave "
                  "%u",
                  l->what, n, n, got);
        list_check_paging(l, all, n);
        list_check_clamp(l, all, n);
    }
    for (start = n; start <= n + 7; start += 7) {
        got = 1;
        snprintf(what, sizeof(what), "%s, start_index %u of %u entries",
                 l->what, start, n);
        conf_expect_err(l->core, CONF_CALL(l->fetch(l->ctx, start, &got, buf)),
                        MCD_ERR_PARAM, what, __FILE__, __LINE__);
    }
    free(buf);
    *total = n;
    return all;
}
