/*
 * The server stub's record codec (see dispatch.h): one request record in,
 * one response record out, every field validated before the server core
 * sees it.  It owns nothing between calls; it runs on the thread that
 * serves the session (the stub's I/O thread or the simulator's thread).
 *
 * The request record is a private copy; the payload area is shared with a
 * client that may be hostile, so whatever is validated there (strings,
 * transaction descriptors) is copied first and only the copy is used.  The
 * response is built in a private record and copied to shared memory once.
 *
 * Encoding conventions beyond include/mcdshm/wire.h (the client library in
 * host-side/lib/ follows the same list):
 *
 *  1. Echo.  resp.hdr.seq and resp.hdr.fn repeat the request's, also when
 *     the request is refused (an unknown fn included).  Checking seq
 *     against the ring is the caller's job.
 *  2. Handles.  hdr.core_uid must be 0 for the functions without a core
 *     (1-10, 12); every other function passes it to the core (14 and
 *     46-50 accept 0: core-less error / system- or device-level channel
 *     named by chl_open's con_info).  hdr.server_uid is read only by 5, 6
 *     and 7; the client sends its server's uid on every record after
 *     open_server and 0 before.
 *  3. Header.  flags and reserved[] zero; hdr.payload_len <= payload_size;
 *     every request span lies inside [0, hdr.payload_len), checked without
 *     overflow.
 *  4. Body.  Every byte of the body past the function's request structure
 *     is zero (the whole body for the functions with an empty body), every
 *     pad field is zero, every boolean is 0 or 1.
 *  5. Strings.  A string span's len counts the bytes including the NUL; a
 *     NUL must occur inside the span and ends the string; len 0 means no
 *     string (NULL in the API).  A fixed-size string field of a mirror
 *     structure must hold a NUL.
 *  6. Outputs.  Response data goes to the same slot's payload area from
 *     offset 0 (request inputs were copied out before), except
 *     execute_txlist, whose read data is stored in place at each
 *     descriptor's data_off.  resp.hdr.payload_len is the end of the last
 *     byte the response uses.
 *  7. Count-then-fetch.  page.num * elem_size (read_trace: num_frames *
 *     trace_data_size) must fit payload_size, else MCD_ERR_PARAM naming
 *     both: the client pages large queries itself.  num 0 hands the core a
 *     NULL array and answers the total in page.num with no items.  Entries
 *     are the mirror structures, elem_size = sizeof(mirror), written by the
 *     core straight into the payload (zero copy: the core must treat an
 *     output array as write-only, as the API's out parameters are).
 *  8. Failure.  With ret MCD_RET_ACT_HANDLE_ERROR the body still carries
 *     the scalar outputs as the core left them (the needed size on
 *     MCD_ERR_RESULT_TOO_LONG, execute_txlist's progress), never entries,
 *     frames or a queried trigger (page.num 0, empty spans, trig.kind 0).
 *     Any other ret (NONE, AGAIN, HANDLE_EVENT, custom) carries everything.
 *  9. Returned strings (qry_server_config, qry_device_description,
 *     execute_command) are copied from a private buffer of the size the
 *     request names, truncated to fit it and always NUL-terminated; the
 *     span includes the NUL and is empty when nothing was copied.  length
 *     is the function's size output (max_len, url_length); for
 *     execute_command, which has none, strlen + 1 of the result.
 *     open_server answers host "localhost" and an empty config_string
 *     (the core's view of the configuration is qry_server_config's job:
 *     asking the core here would change its last error behind the
 *     client's back).
 * 10. Hygiene.  Fixed string fields of output structures are terminated at
 *     their last byte and the implicit padding of single output structures
 *     is zeroed, so a sloppy core cannot make a malformed response; page
 *     entries are passed on as the core wrote them, strings terminated.
 * 11. Triggers.  kind 1..5 with struct_size 64, 112, 36, 48, 48; the two
 *     48-byte kinds need type MCD_TRIG_TYPE_COUNTER resp. _CUSTOM; raw
 *     bytes past struct_size zero.  create_trig answers trig_id, modified
 *     and the trigger as created, same kind.  qry_trig hands the core a
 *     private buffer of min(max_trig_size, 112) bytes and answers the kind
 *     of the returned struct_size (and type) with min(struct_size,
 *     max_trig_size) bytes of it.
 * 12. execute_txlist.  num_tx 1..64, tx exactly num_tx descriptors; per
 *     descriptor the checks of shm/txcheck.c (access_type 1..4,
 *     access_width 0, 1, 2, 4 or 8 dividing num_bytes, core_mode 0..32,
 *     addr_space_type 0..4), the same the client library makes before a
 *     window read; then pads zero, data inside payload_len and not
 *     overlapping the descriptor array (empty ranges never overlap).  The
 *     core's data pointers point into the payload (zero copy).  The answer
 *     has num_tx_ok and num_bytes_ok[i] for i < num_tx (0 after), clamped
 *     to what was asked, also on failure.
 * 13. Limits.  qry_server_config max_len, qry_device_description
 *     url_length, execute_command result_string_size and receive_msg
 *     msg_len must not exceed payload_size (the client clamps them);
 *     step_type is 1, 2 or 0x100..0xF00; rst_class 0..31; channel prio
 *     0..15.
 * 14. Errors.  ret != NONE: resp.error is mcdcore_qry_error_info() for the
 *     call's core (0 for the core-less functions), return_status = ret and
 *     a non-empty message.  A record refused here never reaches the core,
 *     so the core's last error does not change (qry_error_info, fn 14,
 *     reports only what the core saw); the client keeps each response's
 *     error block as its last error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-side/core/core.h"
#include "qemu-side/stub/dispatch.h"
#include "shm/records.h"
#include "shm/txcheck.h"

/* One memcpy converts a mirror to its API structure and back. */
#define SAME_SIZE(api, mirror) \
    _Static_assert(sizeof(api) == sizeof(struct mirror), #api " mirror")
SAME_SIZE(mcd_api_version_st, mcdshm_api_version);
SAME_SIZE(mcd_impl_version_info_st, mcdshm_impl_version_info);
SAME_SIZE(mcd_error_info_st, mcdshm_error_info);
SAME_SIZE(mcd_server_info_st, mcdshm_server_info);
SAME_SIZE(mcd_core_con_info_st, mcdshm_core_con_info);
SAME_SIZE(mcd_core_mode_info_st, mcdshm_core_mode_info);
SAME_SIZE(mcd_memspace_st, mcdshm_memspace);
SAME_SIZE(mcd_memblock_st, mcdshm_memblock);
SAME_SIZE(mcd_register_group_st, mcdshm_register_group);
SAME_SIZE(mcd_register_info_st, mcdshm_register_info);
SAME_SIZE(mcd_trig_info_st, mcdshm_trig_info);
SAME_SIZE(mcd_ctrig_info_st, mcdshm_ctrig_info);
SAME_SIZE(mcd_trig_complex_core_st, mcdshm_trig_complex_core);
SAME_SIZE(mcd_trig_simple_core_st, mcdshm_trig_simple_core);
SAME_SIZE(mcd_trig_trig_bus_st, mcdshm_trig_trig_bus);
SAME_SIZE(mcd_trig_counter_st, mcdshm_trig_counter);
SAME_SIZE(mcd_trig_custom_st, mcdshm_trig_custom);
SAME_SIZE(mcd_trig_state_st, mcdshm_trig_state);
SAME_SIZE(mcd_trig_set_state_st, mcdshm_trig_set_state);
SAME_SIZE(mcd_core_state_st, mcdshm_core_state);
SAME_SIZE(mcd_rst_info_st, mcdshm_rst_info);
SAME_SIZE(mcd_chl_st, mcdshm_chl);
SAME_SIZE(mcd_trace_info_st, mcdshm_trace_info);
SAME_SIZE(mcd_trace_state_st, mcdshm_trace_state);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TRIG_MAX_SIZE sizeof(((struct mcdshm_trig *)0)->u)
#define MAX_STRS 2 /* most private buffers one function needs */

/* A fixed-size string field of a mirror structure. */
struct strf {
    uint16_t off;
    uint16_t len;
    const char *name;
};

#define STRF(s, f)                                            \
    {                                                         \
        offsetof(struct s, f), sizeof(((struct s *)0)->f), #f \
    }

static const struct strf con_info_strf[] = {
    STRF(mcdshm_core_con_info, host),
    STRF(mcdshm_core_con_info, server_key),
    STRF(mcdshm_core_con_info, system_key),
    STRF(mcdshm_core_con_info, device_key),
    STRF(mcdshm_core_con_info, system),
    STRF(mcdshm_core_con_info, system_instance),
    STRF(mcdshm_core_con_info, acc_hw),
    STRF(mcdshm_core_con_info, device),
    STRF(mcdshm_core_con_info, core),
    { 0, 0, NULL },
};
static const struct strf server_info_strf[] = {
    STRF(mcdshm_server_info, server),
    STRF(mcdshm_server_info, system_instance),
    STRF(mcdshm_server_info, acc_hw),
    { 0, 0, NULL },
};
static const struct strf mode_strf[] = {
    STRF(mcdshm_core_mode_info, name),
    { 0, 0, NULL },
};
static const struct strf memspace_strf[] = {
    STRF(mcdshm_memspace, mem_space_name),
    { 0, 0, NULL },
};
static const struct strf memblock_strf[] = {
    STRF(mcdshm_memblock, mem_block_name),
    { 0, 0, NULL },
};
static const struct strf reg_group_strf[] = {
    STRF(mcdshm_register_group, reg_group_name),
    { 0, 0, NULL },
};
static const struct strf reg_info_strf[] = {
    STRF(mcdshm_register_info, regname),
    { 0, 0, NULL },
};
static const struct strf ctrig_strf[] = {
    STRF(mcdshm_ctrig_info, info_str),
    { 0, 0, NULL },
};
static const struct strf trace_info_strf[] = {
    STRF(mcdshm_trace_info, trace_name),
    { 0, 0, NULL },
};
static const struct strf impl_strf[] = {
    { offsetof(struct mcdshm_impl_version_info, v_api.author),
      sizeof(((struct mcdshm_api_version *)0)->author), "v_api.author" },
    STRF(mcdshm_impl_version_info, vendor),
    STRF(mcdshm_impl_version_info, date),
    { 0, 0, NULL },
};
static const struct strf core_state_strf[] = {
    STRF(mcdshm_core_state, stop_str),
    STRF(mcdshm_core_state, info_str),
    { 0, 0, NULL },
};

/* The state of one dispatch. */
struct dctx {
    struct mcdcore_session *s;
    const struct mcdstub_trace_hook *hook; /* NULL: none */
    const struct mcdshm_req *req;
    const struct fn_desc *fd;
    uint8_t *payload;
    uint32_t payload_size;
    uint32_t payload_len; /* validated hdr.payload_len */
    uint32_t core_uid;
    int err;              /* first failure: -EINVAL, -ENOMEM, -EFAULT */
    char *strs[MAX_STRS]; /* private copies of request strings */
    unsigned nstrs;
    const char *host;              /* qry_servers */
    uint8_t running;               /* qry_servers */
    mcd_core_con_info_st con_info; /* qry_devices, qry_cores */
    struct mcdshm_resp out;        /* built privately, copied once */
    char msg[MCD_INFO_STR_LEN];
};

/* A count-then-fetch query: entry size and the core call. */
struct page_desc {
    uint32_t elem_size;
    const struct strf *strf;
    mcd_return_et (*call)(struct dctx *c, uint32_t id, uint32_t start,
                          uint32_t *num, void *out);
};

enum core_rule {
    CORE_PASS, /* hdr.core_uid goes to the core */
    CORE_NONE, /* hdr.core_uid must be 0 */
};

struct fn_desc {
    const char *name;
    uint16_t body_size;
    uint8_t rule; /* enum core_rule */
    int (*run)(struct dctx *c);
    const struct page_desc *page;
};

/* The one translation of internal errors to MCD error codes. */
static const struct {
    int err;
    mcd_error_code_et code;
} err_table[] = {
    { -EINVAL, MCD_ERR_PARAM },   /* a field of the record is invalid */
    { -ENOMEM, MCD_ERR_GENERAL }, /* no memory for a private copy */
    { -EFAULT, MCD_ERR_GENERAL }, /* the core broke its contract */
};

static mcd_error_code_et err_code(int err)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(err_table); i++) {
        if (err_table[i].err == err) {
            return err_table[i].code;
        }
    }
    return MCD_ERR_GENERAL;
}

/* Record the first failure of this dispatch with its message. */
static void __attribute__((format(printf, 3, 4)))
fail(struct dctx *c, int err, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (c->err) {
        return;
    }
    c->err = err;
    n = snprintf(c->msg, sizeof(c->msg),
                 "%s: ", c->fd ? c->fd->name : "mcdshm");
    va_start(ap, fmt);
    vsnprintf(c->msg + n, sizeof(c->msg) - n, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------
 * Field checks.  Each records the first failure in c and does nothing once
 * one is recorded, so a handler runs its checks and then looks at c->err.
 */

/* Are all @n bytes at @p zero? (To name a field only when it is not.) */
static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n && !*b) {
        b++;
        n--;
    }
    return n == 0;
}

static void check_zero(struct dctx *c, const void *p, size_t n,
                       const char *name)
{
    const uint8_t *b = p;
    size_t i;

    for (i = 0; i < n && !c->err; i++) {
        if (b[i]) {
            fail(c, -EINVAL, "%s byte %zu is 0x%02x (must be zero)", name, i,
                 b[i]);
        }
    }
}

static void check_bool(struct dctx *c, uint8_t v, const char *name)
{
    if (v > 1) {
        fail(c, -EINVAL, "%s is %u (a boolean must be 0 or 1)", name, v);
    }
}

static void check_fixed_str(struct dctx *c, const uint8_t *s, size_t n,
                            const char *name)
{
    if (!memchr(s, '\0', n)) {
        fail(c, -EINVAL, "%s is not NUL-terminated within its %zu bytes", name,
             n);
    }
}

static void check_strs(struct dctx *c, const void *obj, const struct strf *t,
                       const char *what)
{
    char name[96];

    for (; t->name && !c->err; t++) {
        const uint8_t *f = (const uint8_t *)obj + t->off;

        if (memchr(f, '\0', t->len)) {
            continue; /* terminated: nothing to name */
        }
        snprintf(name, sizeof(name), "%s.%s", what, t->name);
        check_fixed_str(c, f, t->len, name);
    }
}

/* Terminate every string field of @n entries of @size bytes at @p. */
static void terminate_strs(void *p, uint32_t n, uint32_t size,
                           const struct strf *t)
{
    uint8_t *e = p;
    const struct strf *f;

    for (; t && n > 0; n--, e += size) {
        for (f = t; f->name; f++) {
            e[f->off + f->len - 1] = '\0';
        }
    }
}

static void check_addr(struct dctx *c, const struct mcdshm_addr *a,
                       const char *name)
{
    char what[64];

    if (a->addr_space_type > MCD_HW_THREAD_ID) {
        fail(c, -EINVAL, "%s.addr_space_type %u is not 0..%u", name,
             a->addr_space_type, MCD_HW_THREAD_ID);
    }
    if (!all_zero(&a->pad, sizeof(a->pad))) {
        snprintf(what, sizeof(what), "%s.pad", name);
        check_zero(c, &a->pad, sizeof(a->pad), what);
    }
}

/* Keep @p to free when the dispatch ends; false (and @p freed) if full. */
static bool keep(struct dctx *c, void *p, const char *name)
{
    if (c->nstrs == MAX_STRS) {
        free(p);
        fail(c, -ENOMEM, "more than %d private buffers (%s)", MAX_STRS, name);
        return false;
    }
    c->strs[c->nstrs++] = p;
    return true;
}

/* A span must lie inside [0, payload_len); 0 and its offset, or -1. */
static int check_span(struct dctx *c, struct mcdshm_span sp, const char *name)
{
    if ((uint64_t)sp.off + sp.len > c->payload_len) {
        fail(c, -EINVAL,
             "%s span [0x%x, +0x%x) is outside the request's %u payload "
             "bytes",
             name, sp.off, sp.len, c->payload_len);
        return -1;
    }
    return 0;
}

/*
 * A private copy of the string in span @sp, or NULL for an empty span (or
 * on failure, recorded in c).  Freed when the dispatch ends.
 */
static const char *take_str(struct dctx *c, struct mcdshm_span sp,
                            const char *name)
{
    char *s;

    if (c->err || sp.len == 0 || check_span(c, sp, name) < 0) {
        return NULL;
    }
    s = malloc(sp.len);
    if (!s) {
        fail(c, -ENOMEM, "no memory for a copy of %s (%u bytes)", name, sp.len);
        return NULL;
    }
    if (!keep(c, s, name)) {
        return NULL;
    }
    memcpy(s, c->payload + sp.off, sp.len);
    if (!memchr(s, '\0', sp.len)) {
        fail(c, -EINVAL, "%s is not NUL-terminated within its %u bytes", name,
             sp.len);
        return NULL;
    }
    return s;
}

static void check_con_info(struct dctx *c,
                           const struct mcdshm_core_con_info *ci,
                           const char *what, mcd_core_con_info_st *out)
{
    check_strs(c, ci, con_info_strf, what);
    memcpy(out, ci, sizeof(*out));
}

/* A size the core fills in a private buffer: at most the payload. */
static void check_out_size(struct dctx *c, uint32_t size, const char *name)
{
    if (size > c->payload_size) {
        fail(c, -EINVAL, "%s %u exceeds the payload area of %u bytes", name,
             size, c->payload_size);
    }
}

/* ------------------------------------------------------------------------
 * Output helpers
 */

/*
 * Copy string @s (in a private buffer of @cap bytes) to the payload at
 * @off, truncated to fit @cap and terminated; the span it takes, empty for
 * no string.
 */
static struct mcdshm_span put_str(struct dctx *c, uint32_t off, const char *s,
                                  uint32_t cap)
{
    struct mcdshm_span sp = { off, 0 };
    size_t n;

    if (!s || cap == 0) {
        return sp;
    }
    n = strnlen(s, cap - 1);
    memcpy(c->payload + off, s, n);
    c->payload[off + n] = '\0';
    sp.len = (uint32_t)n + 1;
    c->out.hdr.payload_len = off + sp.len;
    return sp;
}

/* A zeroed private buffer of @size bytes (at least 1), freed at the end. */
static char *scratch(struct dctx *c, uint32_t size, const char *name)
{
    char *p;

    if (c->err) {
        return NULL;
    }
    p = calloc(1, size ? size : 1);
    if (!p) {
        fail(c, -ENOMEM, "no memory for %s (%u bytes)", name, size);
        return NULL;
    }
    return keep(c, p, name) ? p : NULL;
}

static void zero_trig_pads(struct mcdshm_trig *t)
{
    memset(t->u.simple.pad0, 0, sizeof(t->u.simple.pad0));
    switch (t->kind) {
    case MCDSHM_TRIG_SIMPLE_CORE:
        t->u.simple.pad1 = 0;
        t->u.simple.addr_start.pad = 0;
        break;
    case MCDSHM_TRIG_COMPLEX_CORE:
        t->u.complex.pad1 = 0;
        t->u.complex.addr_start.pad = 0;
        t->u.complex.pad2 = 0;
        break;
    case MCDSHM_TRIG_COUNTER:
        t->u.counter.pad1 = 0;
        break;
    }
}

/* ------------------------------------------------------------------------
 * Count-then-fetch
 */

static int run_page(struct dctx *c, uint32_t id,
                    const struct mcdshm_page_req *pg)
{
    const struct page_desc *pd = c->fd->page;
    struct mcdshm_page_resp *pr = &c->out.u.page;
    uint32_t cap = c->payload_size / pd->elem_size;
    uint32_t num = pg->num;
    mcd_return_et ret;

    if (num > cap) {
        fail(c, -EINVAL,
             "num %u entries of %u bytes exceed the payload area of %u "
             "bytes (at most %u)",
             num, pd->elem_size, c->payload_size, cap);
    }
    if (c->err) {
        return c->err;
    }
    ret = pd->call(c, id, pg->start_index, &num, num ? c->payload : NULL);
    c->out.hdr.ret = ret;
    pr->elem_size = pd->elem_size;
    if (pg->num == 0) {
        pr->num = num;
        return 0;
    }
    if (ret == MCD_RET_ACT_HANDLE_ERROR) {
        return 0;
    }
    if (num > pg->num) {
        fail(c, -EFAULT, "the server core returned %u entries for %u asked",
             num, pg->num);
        return c->err;
    }
    terminate_strs(c->payload, num, pd->elem_size, pd->strf);
    pr->num = num;
    pr->items.len = num * pd->elem_size;
    c->out.hdr.payload_len = pr->items.len;
    return 0;
}

static int do_page_only(struct dctx *c)
{
    return run_page(c, 0, &c->req->u.page_only.page);
}

static int do_page_id(struct dctx *c)
{
    const struct mcdshm_req_page_id *b = &c->req->u.page_id;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    return run_page(c, b->id, &b->page);
}

static int do_qry_servers(struct dctx *c)
{
    const struct mcdshm_req_qry_servers *b = &c->req->u.qry_servers;

    check_bool(c, b->running, "running");
    check_zero(c, b->pad, sizeof(b->pad), "pad");
    c->host = take_str(c, b->host, "host");
    c->running = b->running;
    return run_page(c, 0, &b->page);
}

static int do_qry_con(struct dctx *c)
{
    const struct mcdshm_req_qry_con *b = &c->req->u.qry_con;
    const char *what = c->req->hdr.fn == MCDSHM_FN_QRY_DEVICES
                           ? "system_con_info"
                           : "connection_info";

    check_con_info(c, &b->con_info, what, &c->con_info);
    return run_page(c, 0, &b->page);
}

static mcd_return_et pg_servers(struct dctx *c, uint32_t id, uint32_t start,
                                uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_servers(c->s, c->host, c->running, start, num, out);
}

static mcd_return_et pg_systems(struct dctx *c, uint32_t id, uint32_t start,
                                uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_systems(c->s, start, num, out);
}

static mcd_return_et pg_devices(struct dctx *c, uint32_t id, uint32_t start,
                                uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_devices(c->s, &c->con_info, start, num, out);
}

static mcd_return_et pg_cores(struct dctx *c, uint32_t id, uint32_t start,
                              uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_cores(c->s, &c->con_info, start, num, out);
}

static mcd_return_et pg_modes(struct dctx *c, uint32_t id, uint32_t start,
                              uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_core_modes(c->s, c->core_uid, start, num, out);
}

static mcd_return_et pg_spaces(struct dctx *c, uint32_t id, uint32_t start,
                               uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_mem_spaces(c->s, c->core_uid, start, num, out);
}

static mcd_return_et pg_blocks(struct dctx *c, uint32_t id, uint32_t start,
                               uint32_t *num, void *out)
{
    return mcdcore_qry_mem_blocks(c->s, c->core_uid, id, start, num, out);
}

static mcd_return_et pg_overlays(struct dctx *c, uint32_t id, uint32_t start,
                                 uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_active_overlays(c->s, c->core_uid, start, num, out);
}

static mcd_return_et pg_groups(struct dctx *c, uint32_t id, uint32_t start,
                               uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_reg_groups(c->s, c->core_uid, start, num, out);
}

static mcd_return_et pg_regs(struct dctx *c, uint32_t id, uint32_t start,
                             uint32_t *num, void *out)
{
    return mcdcore_qry_reg_map(c->s, c->core_uid, id, start, num, out);
}

static mcd_return_et pg_compound(struct dctx *c, uint32_t id, uint32_t start,
                                 uint32_t *num, void *out)
{
    return mcdcore_qry_reg_compound(c->s, c->core_uid, id, start, num, out);
}

static mcd_return_et pg_ctrigs(struct dctx *c, uint32_t id, uint32_t start,
                               uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_ctrigs(c->s, c->core_uid, start, num, out);
}

static mcd_return_et pg_trig_set(struct dctx *c, uint32_t id, uint32_t start,
                                 uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_trig_set(c->s, c->core_uid, start, num, out);
}

static mcd_return_et pg_traces(struct dctx *c, uint32_t id, uint32_t start,
                               uint32_t *num, void *out)
{
    (void)id;
    return mcdcore_qry_traces(c->s, c->core_uid, start, num, out);
}

#define PAGE(name, type, strf, fn) \
    static const struct page_desc name = { sizeof(type), strf, fn }
PAGE(page_servers, struct mcdshm_server_info, server_info_strf, pg_servers);
PAGE(page_systems, struct mcdshm_core_con_info, con_info_strf, pg_systems);
PAGE(page_devices, struct mcdshm_core_con_info, con_info_strf, pg_devices);
PAGE(page_cores, struct mcdshm_core_con_info, con_info_strf, pg_cores);
PAGE(page_modes, struct mcdshm_core_mode_info, mode_strf, pg_modes);
PAGE(page_spaces, struct mcdshm_memspace, memspace_strf, pg_spaces);
PAGE(page_blocks, struct mcdshm_memblock, memblock_strf, pg_blocks);
PAGE(page_overlays, uint32_t, NULL, pg_overlays);
PAGE(page_groups, struct mcdshm_register_group, reg_group_strf, pg_groups);
PAGE(page_regs, struct mcdshm_register_info, reg_info_strf, pg_regs);
PAGE(page_compound, uint32_t, NULL, pg_compound);
PAGE(page_ctrigs, struct mcdshm_ctrig_info, ctrig_strf, pg_ctrigs);
PAGE(page_trig_set, uint32_t, NULL, pg_trig_set);
PAGE(page_traces, struct mcdshm_trace_info, trace_info_strf, pg_traces);

/* ------------------------------------------------------------------------
 * Target initialization and server connection
 */

static int do_initialize(struct dctx *c)
{
    const struct mcdshm_req_initialize *b = &c->req->u.initialize;
    mcd_api_version_st v;
    mcd_impl_version_info_st info;

    check_fixed_str(c, b->version_req.author, sizeof(b->version_req.author),
                    "version_req.author");
    check_zero(c, b->pad, sizeof(b->pad), "pad");
    if (c->err) {
        return c->err;
    }
    memcpy(&v, &b->version_req, sizeof(v));
    memset(&info, 0, sizeof(info));
    c->out.hdr.ret = mcdcore_initialize(c->s, &v, &info);
    memcpy(&c->out.u.initialize.impl_info, &info, sizeof(info));
    terminate_strs(&c->out.u.initialize.impl_info, 1, sizeof(info), impl_strf);
    return 0;
}

static int do_exit(struct dctx *c)
{
    mcdcore_exit(c->s);
    return 0;
}

static int do_open_server(struct dctx *c)
{
    const struct mcdshm_req_open_server *b = &c->req->u.open_server;
    const char *key = take_str(c, b->system_key, "system_key");
    const char *cfg = take_str(c, b->config_string, "config_string");
    struct mcdshm_resp_open_server *o = &c->out.u.open_server;
    uint32_t uid = 0;

    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret = mcdcore_open_server(c->s, key, cfg, &uid);
    o->server_uid = uid;
    if (c->out.hdr.ret != MCD_RET_ACT_HANDLE_ERROR) {
        o->host = put_str(c, 0, "localhost", sizeof("localhost"));
    }
    return 0;
}

static int do_close_server(struct dctx *c)
{
    c->out.hdr.ret = mcdcore_close_server(c->s, c->req->hdr.server_uid);
    return 0;
}

static int do_set_server_config(struct dctx *c)
{
    const char *cfg =
        take_str(c, c->req->u.set_server_config.config_string, "config_string");

    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret =
        mcdcore_set_server_config(c->s, c->req->hdr.server_uid, cfg);
    return 0;
}

static int do_qry_server_config(struct dctx *c)
{
    const struct mcdshm_req_qry_server_config *b = &c->req->u.qry_server_config;
    uint32_t len = b->max_len;
    char *buf = NULL;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    check_out_size(c, b->max_len, "max_len");
    if (b->max_len) {
        buf = scratch(c, b->max_len, "config_string");
    }
    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret =
        mcdcore_qry_server_config(c->s, c->req->hdr.server_uid, &len, buf);
    c->out.u.string.length = len;
    c->out.u.string.str = put_str(c, 0, buf, b->max_len);
    return 0;
}

/* ------------------------------------------------------------------------
 * Core connection
 */

static int do_open_core(struct dctx *c)
{
    const struct mcdshm_req_open_core *b = &c->req->u.open_core;
    struct mcdshm_resp_open_core *o = &c->out.u.open_core;
    mcd_core_con_info_st in, full;
    uint32_t uid = 0;

    check_con_info(c, &b->core_con_info, "core_con_info", &in);
    if (c->err) {
        return c->err;
    }
    memset(&full, 0, sizeof(full));
    c->out.hdr.ret = mcdcore_open_core(c->s, &in, &uid, &full);
    o->core_uid = uid;
    memcpy(&o->core_con_info, &full, sizeof(full));
    terminate_strs(&o->core_con_info, 1, sizeof(full), con_info_strf);
    return 0;
}

static int do_close_core(struct dctx *c)
{
    if (c->hook) {
        c->hook->close_core(c->hook->ctx, c->core_uid);
    }
    c->out.hdr.ret = mcdcore_close_core(c->s, c->core_uid);
    return 0;
}

static int do_qry_error_info(struct dctx *c)
{
    mcd_error_info_st e;

    memset(&e, 0, sizeof(e));
    mcdcore_qry_error_info(c->s, c->core_uid, &e);
    e.error_str[sizeof(e.error_str) - 1] = '\0';
    memcpy(&c->out.u.qry_error_info.error_info, &e, sizeof(e));
    return 0;
}

static int do_qry_device_description(struct dctx *c)
{
    const struct mcdshm_req_qry_device_description *b =
        &c->req->u.qry_device_description;
    uint32_t len = b->url_length;
    char *url = NULL;

    check_bool(c, b->want_url, "want_url");
    check_zero(c, b->pad, sizeof(b->pad), "pad");
    check_out_size(c, b->url_length, "url_length");
    if (b->want_url) {
        url = scratch(c, b->url_length, "url");
    }
    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret =
        mcdcore_qry_device_description(c->s, c->core_uid, url, &len);
    c->out.u.string.length = len;
    c->out.u.string.str = put_str(c, 0, url, b->url_length);
    return 0;
}

static int do_qry_max_payload_size(struct dctx *c)
{
    uint32_t v = 0;

    c->out.hdr.ret = mcdcore_qry_max_payload_size(c->s, c->core_uid, &v);
    c->out.u.u32.value = v;
    return 0;
}

static int do_qry_input_handle(struct dctx *c)
{
    uint32_t v = UINT32_MAX;

    c->out.hdr.ret = mcdcore_qry_input_handle(c->s, c->core_uid, &v);
    c->out.u.u32.value = v;
    return 0;
}

/* ------------------------------------------------------------------------
 * Triggers
 */

static const struct {
    uint32_t size;
    uint32_t type; /* required type, or 0 for any */
    const char *name;
} trig_kinds[] = {
    [MCDSHM_TRIG_SIMPLE_CORE] = { sizeof(mcd_trig_simple_core_st), 0,
                                  "simple core" },
    [MCDSHM_TRIG_COMPLEX_CORE] = { sizeof(mcd_trig_complex_core_st), 0,
                                   "complex core" },
    [MCDSHM_TRIG_TRIG_BUS] = { sizeof(mcd_trig_trig_bus_st), 0, "trigger bus" },
    [MCDSHM_TRIG_COUNTER] = { sizeof(mcd_trig_counter_st),
                              MCD_TRIG_TYPE_COUNTER, "counter" },
    [MCDSHM_TRIG_CUSTOM] = { sizeof(mcd_trig_custom_st), MCD_TRIG_TYPE_CUSTOM,
                             "custom" },
};

/* The kind of an API trigger structure, or 0. */
static uint32_t trig_kind_of(uint32_t size, uint32_t type)
{
    uint32_t k;

    for (k = 1; k < ARRAY_SIZE(trig_kinds); k++) {
        if (trig_kinds[k].size == size &&
            (!trig_kinds[k].type || trig_kinds[k].type == type)) {
            return k;
        }
    }
    return 0;
}

static void check_trig_pads(struct dctx *c, const struct mcdshm_trig *t)
{
    check_zero(c, &t->pad, sizeof(t->pad), "trig.pad");
    check_zero(c, t->u.simple.pad0, sizeof(t->u.simple.pad0), "trig.pad0");
    check_bool(c, t->u.simple.modified, "trig.modified");
    switch (t->kind) {
    case MCDSHM_TRIG_SIMPLE_CORE:
        check_zero(c, &t->u.simple.pad1, 4, "trig.pad1");
        check_addr(c, &t->u.simple.addr_start, "trig.addr_start");
        break;
    case MCDSHM_TRIG_COMPLEX_CORE:
        check_zero(c, &t->u.complex.pad1, 4, "trig.pad1");
        check_zero(c, &t->u.complex.pad2, 4, "trig.pad2");
        check_addr(c, &t->u.complex.addr_start, "trig.addr_start");
        break;
    case MCDSHM_TRIG_COUNTER:
        check_zero(c, &t->u.counter.pad1, 4, "trig.pad1");
        break;
    }
}

static void check_trig(struct dctx *c, const struct mcdshm_trig *t)
{
    uint32_t size = t->u.simple.struct_size, type = t->u.simple.type;

    if (t->kind == 0 || t->kind >= ARRAY_SIZE(trig_kinds)) {
        fail(c, -EINVAL, "trig.kind %u is not 1..%zu", t->kind,
             ARRAY_SIZE(trig_kinds) - 1);
        return;
    }
    if (size != trig_kinds[t->kind].size) {
        fail(c, -EINVAL,
             "trig.struct_size %u does not match kind %u (%s trigger, %u "
             "bytes)",
             size, t->kind, trig_kinds[t->kind].name, trig_kinds[t->kind].size);
        return;
    }
    if (trig_kinds[t->kind].type && type != trig_kinds[t->kind].type) {
        fail(c, -EINVAL, "trig.type 0x%x does not match kind %u (%s, 0x%x)",
             type, t->kind, trig_kinds[t->kind].name, trig_kinds[t->kind].type);
        return;
    }
    check_zero(c, t->u.raw + size, TRIG_MAX_SIZE - size, "trig past its size");
    check_trig_pads(c, t);
}

static int do_create_trig(struct dctx *c)
{
    const struct mcdshm_trig *t = &c->req->u.create_trig.trig;
    struct mcdshm_resp_trig *o = &c->out.u.trig;
    uint8_t priv[TRIG_MAX_SIZE] __attribute__((aligned(8)));
    uint32_t id = 0;

    check_trig(c, t);
    if (c->err) {
        return c->err;
    }
    memset(priv, 0, sizeof(priv));
    memcpy(priv, t->u.raw, t->u.simple.struct_size);
    c->out.hdr.ret = mcdcore_create_trig(c->s, c->core_uid, priv, &id);
    o->trig_id = id;
    o->trig.kind = t->kind;
    memcpy(o->trig.u.raw, priv, t->u.simple.struct_size);
    o->trig.u.simple.struct_size = t->u.simple.struct_size;
    o->trig.u.simple.modified = o->trig.u.simple.modified != 0;
    o->modified = o->trig.u.simple.modified;
    zero_trig_pads(&o->trig);
    return 0;
}

static int do_qry_trig(struct dctx *c)
{
    const struct mcdshm_req_qry_trig *b = &c->req->u.qry_trig;
    struct mcdshm_resp_trig *o = &c->out.u.trig;
    uint8_t priv[TRIG_MAX_SIZE] __attribute__((aligned(8)));
    uint32_t max = b->max_trig_size, size, kind;

    if (max > sizeof(priv)) {
        max = sizeof(priv);
    }
    memset(priv, 0, sizeof(priv));
    c->out.hdr.ret = mcdcore_qry_trig(c->s, c->core_uid, b->trig_id, max, priv);
    o->trig_id = b->trig_id;
    if (c->out.hdr.ret == MCD_RET_ACT_HANDLE_ERROR) {
        return 0;
    }
    memcpy(&size, priv, sizeof(size));
    kind = trig_kind_of(size, ((mcd_trig_simple_core_st *)priv)->type);
    if (max < 2 * sizeof(uint32_t) || kind == 0) {
        fail(c, -EFAULT,
             "the server core returned no valid trigger (struct_size %u, "
             "buffer %u bytes)",
             size, max);
        return c->err;
    }
    o->trig.kind = kind;
    memcpy(o->trig.u.raw, priv, size < max ? size : max);
    o->trig.u.simple.modified =
        priv[offsetof(mcd_trig_simple_core_st, modified)] != 0;
    o->modified = o->trig.u.simple.modified;
    zero_trig_pads(&o->trig);
    return 0;
}

static int do_trig_id(struct dctx *c)
{
    const struct mcdshm_req_trig_id *b = &c->req->u.trig_id;
    mcd_trig_state_st st;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    if (c->err) {
        return c->err;
    }
    if (c->req->hdr.fn == MCDSHM_FN_REMOVE_TRIG) {
        c->out.hdr.ret = mcdcore_remove_trig(c->s, c->core_uid, b->trig_id);
        return 0;
    }
    memset(&st, 0, sizeof(st));
    c->out.hdr.ret = mcdcore_qry_trig_state(c->s, c->core_uid, b->trig_id, &st);
    memcpy(&c->out.u.qry_trig_state.trig_state, &st, sizeof(st));
    memset(c->out.u.qry_trig_state.trig_state.pad0, 0, 5);
    memset(c->out.u.qry_trig_state.trig_state.pad1, 0, 7);
    return 0;
}

static int do_qry_trig_info(struct dctx *c)
{
    mcd_trig_info_st ti;

    memset(&ti, 0, sizeof(ti));
    c->out.hdr.ret = mcdcore_qry_trig_info(c->s, c->core_uid, &ti);
    memcpy(&c->out.u.qry_trig_info.trig_info, &ti, sizeof(ti));
    memset(c->out.u.qry_trig_info.trig_info.pad, 0, 3);
    return 0;
}

static int do_trig_set(struct dctx *c)
{
    if (c->req->hdr.fn == MCDSHM_FN_ACTIVATE_TRIG_SET) {
        c->out.hdr.ret = mcdcore_activate_trig_set(c->s, c->core_uid);
    } else {
        c->out.hdr.ret = mcdcore_remove_trig_set(c->s, c->core_uid);
    }
    return 0;
}

static int do_qry_trig_set_state(struct dctx *c)
{
    struct mcdshm_trig_set_state *o = &c->out.u.qry_trig_set_state.trig_state;
    mcd_trig_set_state_st st;

    memset(&st, 0, sizeof(st));
    c->out.hdr.ret = mcdcore_qry_trig_set_state(c->s, c->core_uid, &st);
    memcpy(o, &st, sizeof(st));
    memset(o->pad0, 0, sizeof(o->pad0));
    memset(o->pad1, 0, sizeof(o->pad1));
    memset(o->pad2, 0, sizeof(o->pad2));
    return 0;
}

/* ------------------------------------------------------------------------
 * Transaction lists
 */

/*
 * Check descriptor @i (a private copy) and build the core's transaction.
 * Its fields are checked by mcdshm_tx_check(), as the client library
 * checks them before it reads through the window; then what only the
 * record has (pads, the data's place in the payload).
 */
static void check_tx(struct dctx *c, const struct mcdshm_tx *d, uint32_t i,
                     struct mcdshm_span descs, mcd_tx_st *tx)
{
    uint64_t end = (uint64_t)d->data_off + d->num_bytes;
    char name[160];

    memset(tx, 0, sizeof(*tx));
    memcpy(&tx->addr, &d->addr, sizeof(tx->addr));
    tx->access_type = d->access_type;
    tx->options = d->options;
    tx->access_width = d->access_width;
    tx->core_mode = d->core_mode;
    tx->num_bytes = d->num_bytes;
    tx->data = c->payload + d->data_off;
    /* Names are formatted only for a check that fails: a list of 64
     * transactions must not cost 192 snprintf calls. */
    if (!c->err && mcdshm_tx_check(tx, i, name, sizeof(name)) < 0) {
        fail(c, -EINVAL, "%s", name);
    }
    if (!all_zero(&d->addr.pad, sizeof(d->addr.pad))) {
        snprintf(name, sizeof(name), "tx[%u].addr", i);
        check_addr(c, &d->addr, name);
    }
    if (!all_zero(d->pad0, sizeof(d->pad0)) ||
        !all_zero(&d->pad1, sizeof(d->pad1))) {
        snprintf(name, sizeof(name), "tx[%u].pad", i);
        check_zero(c, d->pad0, sizeof(d->pad0), name);
        check_zero(c, &d->pad1, sizeof(d->pad1), name);
    }
    if (end > c->payload_len) {
        fail(c, -EINVAL,
             "tx[%u] data [0x%x, +0x%x) is outside the request's %u payload "
             "bytes",
             i, d->data_off, d->num_bytes, c->payload_len);
    } else if (d->num_bytes && d->data_off < descs.off + descs.len &&
               descs.off < end) {
        fail(c, -EINVAL,
             "tx[%u] data [0x%x, +0x%x) overlaps the transaction "
             "descriptors [0x%x, +0x%x)",
             i, d->data_off, d->num_bytes, descs.off, descs.len);
    }
}

static int do_execute_txlist(struct dctx *c)
{
    const struct mcdshm_req_execute_txlist *b = &c->req->u.execute_txlist;
    struct mcdshm_resp_execute_txlist *o = &c->out.u.execute_txlist;
    struct mcdshm_tx d[MCDSHM_TX_MAX];
    mcd_tx_st tx[MCDSHM_TX_MAX];
    mcd_txlist_st tl = { tx, b->num_tx, 0 };
    uint32_t i;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    if (b->num_tx == 0 || b->num_tx > MCDSHM_TX_MAX) {
        fail(c, -EINVAL, "num_tx %u is not 1..%u", b->num_tx, MCDSHM_TX_MAX);
    } else if (b->tx.len != b->num_tx * sizeof(d[0])) {
        fail(c, -EINVAL,
             "tx span of %u bytes does not hold num_tx %u "
             "descriptors of %zu bytes",
             b->tx.len, b->num_tx, sizeof(d[0]));
    }
    if (c->err || check_span(c, b->tx, "tx") < 0) {
        return c->err;
    }
    memcpy(d, c->payload + b->tx.off, b->tx.len);
    for (i = 0; i < b->num_tx; i++) {
        check_tx(c, &d[i], i, b->tx, &tx[i]);
    }
    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret = mcdcore_execute_txlist(c->s, c->core_uid, &tl);
    o->num_tx_ok = tl.num_tx_ok < b->num_tx ? tl.num_tx_ok : b->num_tx;
    for (i = 0; i < b->num_tx; i++) {
        o->num_bytes_ok[i] = tx[i].num_bytes_ok < tx[i].num_bytes
                                 ? tx[i].num_bytes_ok
                                 : tx[i].num_bytes;
    }
    c->out.hdr.payload_len = c->payload_len;
    return 0;
}

/* ------------------------------------------------------------------------
 * Execution control
 */

static int do_flag(struct dctx *c)
{
    const struct mcdshm_req_flag *b = &c->req->u.flag;
    static const char *const what[] = {
        [MCDSHM_FN_RUN] = "global",
        [MCDSHM_FN_STOP] = "global",
        [MCDSHM_FN_SET_GLOBAL] = "enable",
    };

    check_bool(c, b->flag, what[c->req->hdr.fn]);
    check_zero(c, b->pad, sizeof(b->pad), "pad");
    if (c->err) {
        return c->err;
    }
    switch (c->req->hdr.fn) {
    case MCDSHM_FN_RUN:
        c->out.hdr.ret = mcdcore_run(c->s, c->core_uid, b->flag);
        break;
    case MCDSHM_FN_STOP:
        c->out.hdr.ret = mcdcore_stop(c->s, c->core_uid, b->flag);
        break;
    default:
        c->out.hdr.ret = mcdcore_set_global(c->s, c->core_uid, b->flag);
        break;
    }
    return 0;
}

static int do_run_until(struct dctx *c)
{
    const struct mcdshm_req_run_until *b = &c->req->u.run_until;

    check_bool(c, b->global, "global");
    check_bool(c, b->absolute_time, "absolute_time");
    check_zero(c, b->pad, sizeof(b->pad), "pad");
    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret = mcdcore_run_until(c->s, c->core_uid, b->global,
                                       b->absolute_time, b->run_until_time);
    return 0;
}

static int do_qry_current_time(struct dctx *c)
{
    uint64_t t = 0;

    c->out.hdr.ret = mcdcore_qry_current_time(c->s, c->core_uid, &t);
    c->out.u.u64.value = t;
    return 0;
}

static bool step_type_ok(uint32_t t)
{
    return t == MCD_CORE_STEP_TYPE_CYCLES || t == MCD_CORE_STEP_TYPE_INSTR ||
           (t >= MCD_CORE_STEP_TYPE_CUSTOM_LO &&
            t <= MCD_CORE_STEP_TYPE_CUSTOM_HI);
}

static int do_step(struct dctx *c)
{
    const struct mcdshm_req_step *b = &c->req->u.step;

    check_bool(c, b->global, "global");
    check_zero(c, b->pad, sizeof(b->pad), "pad");
    check_zero(c, &b->pad1, sizeof(b->pad1), "pad1");
    if (!step_type_ok(b->step_type)) {
        fail(c, -EINVAL,
             "step_type 0x%x is not CYCLES (1), INSTR (2) or custom "
             "(0x%x..0x%x)",
             b->step_type, MCD_CORE_STEP_TYPE_CUSTOM_LO,
             MCD_CORE_STEP_TYPE_CUSTOM_HI);
    }
    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret =
        mcdcore_step(c->s, c->core_uid, b->global, b->step_type, b->n_steps);
    return 0;
}

static int do_qry_state(struct dctx *c)
{
    /* The mirror has the API structure's layout (SAME_SIZE and the wire
     * tests): the core fills the private response in place, no copy on
     * the path debuggers poll. */
    mcd_core_state_st *st = (mcd_core_state_st *)&c->out.u.qry_state.state;

    c->out.hdr.ret = mcdcore_qry_state(c->s, c->core_uid, st);
    terminate_strs(st, 1, sizeof(*st), core_state_strf);
    return 0;
}

static int do_execute_command(struct dctx *c)
{
    const struct mcdshm_req_execute_command *b = &c->req->u.execute_command;
    const char *cmd = take_str(c, b->command, "command_string");
    uint32_t size = b->result_string_size;
    char *res = NULL;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    check_out_size(c, size, "result_string_size");
    if (size) {
        res = scratch(c, size, "result_string");
    }
    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret = mcdcore_execute_command(c->s, c->core_uid, cmd, size, res);
    c->out.u.string.str = put_str(c, 0, res, size);
    c->out.u.string.length = c->out.u.string.str.len;
    return 0;
}

/* ------------------------------------------------------------------------
 * Reset
 */

static int do_qry_rst_classes(struct dctx *c)
{
    uint32_t v = 0;

    c->out.hdr.ret = mcdcore_qry_rst_classes(c->s, c->core_uid, &v);
    c->out.u.u32.value = v;
    return 0;
}

static int do_qry_rst_class_info(struct dctx *c)
{
    const struct mcdshm_req_qry_rst_class_info *b =
        &c->req->u.qry_rst_class_info;
    struct mcdshm_rst_info *o = &c->out.u.qry_rst_class_info.rst_info;
    mcd_rst_info_st ri;

    check_zero(c, b->pad, sizeof(b->pad), "pad");
    if (b->rst_class > 31) {
        fail(c, -EINVAL, "rst_class %u is not a bit index 0..31", b->rst_class);
    }
    if (c->err) {
        return c->err;
    }
    memset(&ri, 0, sizeof(ri));
    c->out.hdr.ret =
        mcdcore_qry_rst_class_info(c->s, c->core_uid, b->rst_class, &ri);
    memcpy(o, &ri, sizeof(ri));
    o->info_str[sizeof(o->info_str) - 1] = '\0';
    return 0;
}

static int do_rst(struct dctx *c)
{
    const struct mcdshm_req_rst *b = &c->req->u.rst;

    check_bool(c, b->rst_and_halt, "rst_and_halt");
    check_zero(c, b->pad, sizeof(b->pad), "pad");
    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret =
        mcdcore_rst(c->s, c->core_uid, b->rst_class_vector, b->rst_and_halt);
    return 0;
}

/* ------------------------------------------------------------------------
 * Communication channels
 */

static void put_chl(struct dctx *c, const mcd_chl_st *chl)
{
    struct mcdshm_chl *o = &c->out.u.chl_open.channel;

    memcpy(o, chl, sizeof(*chl));
    memset(o->pad, 0, sizeof(o->pad));
    o->msg_buffer_addr.pad = 0;
}

static int do_chl_open(struct dctx *c)
{
    const struct mcdshm_req_chl_open *b = &c->req->u.chl_open;
    mcd_core_con_info_st ci;
    mcd_chl_st chl;

    check_addr(c, &b->channel.msg_buffer_addr, "channel.msg_buffer_addr");
    check_zero(c, b->channel.pad, sizeof(b->channel.pad), "channel.pad");
    if (b->channel.prio > MCD_CHL_LOWEST_PRIORITY) {
        fail(c, -EINVAL, "channel.prio %u is not 0..%u", b->channel.prio,
             MCD_CHL_LOWEST_PRIORITY);
    }
    check_con_info(c, &b->con_info, "con_info", &ci);
    check_zero(c, b->pad, sizeof(b->pad), "pad");
    if (c->err) {
        return c->err;
    }
    memcpy(&chl, &b->channel, sizeof(chl));
    c->out.hdr.ret = mcdcore_chl_open(c->s, c->core_uid, &ci, &chl);
    put_chl(c, &chl);
    return 0;
}

static int do_send_msg(struct dctx *c)
{
    const struct mcdshm_req_send_msg *b = &c->req->u.send_msg;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    if (c->err || check_span(c, b->msg, "msg") < 0) {
        return c->err;
    }
    /* The message is opaque data: the core reads it in place. */
    c->out.hdr.ret = mcdcore_send_msg(c->s, c->core_uid, b->chl_id, b->msg.len,
                                      c->payload + b->msg.off);
    return 0;
}

static int do_receive_msg(struct dctx *c)
{
    const struct mcdshm_req_receive_msg *b = &c->req->u.receive_msg;
    struct mcdshm_resp_receive_msg *o = &c->out.u.receive_msg;
    uint32_t len = b->msg_len;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    check_out_size(c, b->msg_len, "msg_len");
    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret = mcdcore_receive_msg(c->s, c->core_uid, b->chl_id,
                                         b->timeout_ms, &len, c->payload);
    if (len > b->msg_len) {
        fail(c, -EFAULT, "the server core received %u bytes into %u", len,
             b->msg_len);
        return c->err;
    }
    o->msg_len = len;
    if (c->out.hdr.ret != MCD_RET_ACT_HANDLE_ERROR) {
        o->msg.len = len;
        c->out.hdr.payload_len = len;
    }
    return 0;
}

static int do_chl_id(struct dctx *c)
{
    const struct mcdshm_req_chl_id *b = &c->req->u.chl_id;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    if (c->err) {
        return c->err;
    }
    if (c->req->hdr.fn == MCDSHM_FN_CHL_RESET) {
        c->out.hdr.ret = mcdcore_chl_reset(c->s, c->core_uid, b->chl_id);
    } else {
        c->out.hdr.ret = mcdcore_chl_close(c->s, c->core_uid, b->chl_id);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Trace
 */

static void put_trace_state(struct dctx *c, const mcd_trace_state_st *st)
{
    struct mcdshm_trace_state *o = &c->out.u.trace_state.state;

    memcpy(o, st, sizeof(*st));
    memset(o->pad0, 0, sizeof(o->pad0));
    memset(o->pad1, 0, sizeof(o->pad1));
    memset(o->pad2, 0, sizeof(o->pad2));
    o->info_str[sizeof(o->info_str) - 1] = '\0';
}

static int do_qry_trace_state(struct dctx *c)
{
    const struct mcdshm_req_trace_id *b = &c->req->u.trace_id;
    mcd_trace_state_st st;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    if (c->err) {
        return c->err;
    }
    memset(&st, 0, sizeof(st));
    c->out.hdr.ret =
        mcdcore_qry_trace_state(c->s, c->core_uid, b->trace_id, &st);
    if (c->out.hdr.ret == MCD_RET_ACT_NONE && c->hook) {
        c->hook->qry_state(c->hook->ctx, c->core_uid, b->trace_id, &st);
    }
    put_trace_state(c, &st);
    return 0;
}

static void check_trace_state(struct dctx *c,
                              const struct mcdshm_trace_state *st)
{
    check_bool(c, st->autoarm, "state.autoarm");
    check_bool(c, st->wraparound, "state.wraparound");
    check_bool(c, st->timestamp_is_time, "state.timestamp_is_time");
    check_bool(c, st->modified, "state.modified");
    check_zero(c, st->pad0, sizeof(st->pad0), "state.pad0");
    check_zero(c, st->pad1, sizeof(st->pad1), "state.pad1");
    check_zero(c, st->pad2, sizeof(st->pad2), "state.pad2");
    check_fixed_str(c, st->info_str, sizeof(st->info_str), "state.info_str");
    if (st->timestamp_accuracy > 100) {
        fail(c, -EINVAL, "state.timestamp_accuracy %u is not 0..100 %%",
             st->timestamp_accuracy);
    }
}

static int do_set_trace_state(struct dctx *c)
{
    const struct mcdshm_req_set_trace_state *b = &c->req->u.set_trace_state;
    mcd_trace_state_st st, asked;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    check_trace_state(c, &b->state);
    if (c->err) {
        return c->err;
    }
    memcpy(&st, &b->state, sizeof(st));
    asked = st;
    c->out.hdr.ret =
        mcdcore_set_trace_state(c->s, c->core_uid, b->trace_id, &st);
    if (c->out.hdr.ret == MCD_RET_ACT_NONE && c->hook) {
        c->hook->set_state(c->hook->ctx, c->core_uid, b->trace_id, &asked,
                           &st);
    }
    put_trace_state(c, &st);
    return 0;
}

static int do_read_trace(struct dctx *c)
{
    const struct mcdshm_req_read_trace *b = &c->req->u.read_trace;
    struct mcdshm_resp_read_trace *o = &c->out.u.read_trace;
    uint32_t num = b->num_frames, size = b->trace_data_size;

    check_zero(c, &b->pad, sizeof(b->pad), "pad");
    if (num && (size == 0 || (uint64_t)num * size > c->payload_size)) {
        fail(c, -EINVAL,
             "num_frames %u of trace_data_size %u bytes do not fit the "
             "payload area of %u bytes (at most %u)",
             num, size, c->payload_size, size ? c->payload_size / size : 0);
    }
    if (c->err) {
        return c->err;
    }
    c->out.hdr.ret =
        mcdcore_read_trace(c->s, c->core_uid, b->trace_id, b->start_index, &num,
                           size, b->num_frames ? c->payload : NULL);
    if (b->num_frames == 0) {
        o->num_frames = num;
        return 0;
    }
    if (c->out.hdr.ret == MCD_RET_ACT_HANDLE_ERROR) {
        return 0;
    }
    if (num > b->num_frames) {
        fail(c, -EFAULT, "the server core returned %u frames for %u asked", num,
             b->num_frames);
        return c->err;
    }
    o->num_frames = num;
    o->frames.len = num * size;
    c->out.hdr.payload_len = o->frames.len;
    return 0;
}

/* ------------------------------------------------------------------------
 * The function table and the entry point
 */

#define FN(id, fname, body, rule, run, page) \
    [MCDSHM_FN_##id] = { fname, body, rule, run, page }
#define BODY(s) sizeof(struct s)

static const struct fn_desc fns[MCDSHM_FN_COUNT + 1] = {
    FN(INITIALIZE, "mcd_initialize_f", BODY(mcdshm_req_initialize), CORE_NONE,
       do_initialize, NULL),
    FN(EXIT, "mcd_exit_f", 0, CORE_NONE, do_exit, NULL),
    FN(QRY_SERVERS, "mcd_qry_servers_f", BODY(mcdshm_req_qry_servers),
       CORE_NONE, do_qry_servers, &page_servers),
    FN(OPEN_SERVER, "mcd_open_server_f", BODY(mcdshm_req_open_server),
       CORE_NONE, do_open_server, NULL),
    FN(CLOSE_SERVER, "mcd_close_server_f", 0, CORE_NONE, do_close_server, NULL),
    FN(SET_SERVER_CONFIG, "mcd_set_server_config_f",
       BODY(mcdshm_req_set_server_config), CORE_NONE, do_set_server_config,
       NULL),
    FN(QRY_SERVER_CONFIG, "mcd_qry_server_config_f",
       BODY(mcdshm_req_qry_server_config), CORE_NONE, do_qry_server_config,
       NULL),
    FN(QRY_SYSTEMS, "mcd_qry_systems_f", BODY(mcdshm_req_page_only), CORE_NONE,
       do_page_only, &page_systems),
    FN(QRY_DEVICES, "mcd_qry_devices_f", BODY(mcdshm_req_qry_con), CORE_NONE,
       do_qry_con, &page_devices),
    FN(QRY_CORES, "mcd_qry_cores_f", BODY(mcdshm_req_qry_con), CORE_NONE,
       do_qry_con, &page_cores),
    FN(QRY_CORE_MODES, "mcd_qry_core_modes_f", BODY(mcdshm_req_page_only),
       CORE_PASS, do_page_only, &page_modes),
    FN(OPEN_CORE, "mcd_open_core_f", BODY(mcdshm_req_open_core), CORE_NONE,
       do_open_core, NULL),
    FN(CLOSE_CORE, "mcd_close_core_f", 0, CORE_PASS, do_close_core, NULL),
    FN(QRY_ERROR_INFO, "mcd_qry_error_info_f", 0, CORE_PASS, do_qry_error_info,
       NULL),
    FN(QRY_DEVICE_DESCRIPTION, "mcd_qry_device_description_f",
       BODY(mcdshm_req_qry_device_description), CORE_PASS,
       do_qry_device_description, NULL),
    FN(QRY_MAX_PAYLOAD_SIZE, "mcd_qry_max_payload_size_f", 0, CORE_PASS,
       do_qry_max_payload_size, NULL),
    FN(QRY_INPUT_HANDLE, "mcd_qry_input_handle_f", 0, CORE_PASS,
       do_qry_input_handle, NULL),
    FN(QRY_MEM_SPACES, "mcd_qry_mem_spaces_f", BODY(mcdshm_req_page_only),
       CORE_PASS, do_page_only, &page_spaces),
    FN(QRY_MEM_BLOCKS, "mcd_qry_mem_blocks_f", BODY(mcdshm_req_page_id),
       CORE_PASS, do_page_id, &page_blocks),
    FN(QRY_ACTIVE_OVERLAYS, "mcd_qry_active_overlays_f",
       BODY(mcdshm_req_page_only), CORE_PASS, do_page_only, &page_overlays),
    FN(QRY_REG_GROUPS, "mcd_qry_reg_groups_f", BODY(mcdshm_req_page_only),
       CORE_PASS, do_page_only, &page_groups),
    FN(QRY_REG_MAP, "mcd_qry_reg_map_f", BODY(mcdshm_req_page_id), CORE_PASS,
       do_page_id, &page_regs),
    FN(QRY_REG_COMPOUND, "mcd_qry_reg_compound_f", BODY(mcdshm_req_page_id),
       CORE_PASS, do_page_id, &page_compound),
    FN(QRY_TRIG_INFO, "mcd_qry_trig_info_f", 0, CORE_PASS, do_qry_trig_info,
       NULL),
    FN(QRY_CTRIGS, "mcd_qry_ctrigs_f", BODY(mcdshm_req_page_only), CORE_PASS,
       do_page_only, &page_ctrigs),
    FN(CREATE_TRIG, "mcd_create_trig_f", BODY(mcdshm_req_create_trig),
       CORE_PASS, do_create_trig, NULL),
    FN(QRY_TRIG, "mcd_qry_trig_f", BODY(mcdshm_req_qry_trig), CORE_PASS,
       do_qry_trig, NULL),
    FN(REMOVE_TRIG, "mcd_remove_trig_f", BODY(mcdshm_req_trig_id), CORE_PASS,
       do_trig_id, NULL),
    FN(QRY_TRIG_STATE, "mcd_qry_trig_state_f", BODY(mcdshm_req_trig_id),
       CORE_PASS, do_trig_id, NULL),
    FN(ACTIVATE_TRIG_SET, "mcd_activate_trig_set_f", 0, CORE_PASS, do_trig_set,
       NULL),
    FN(REMOVE_TRIG_SET, "mcd_remove_trig_set_f", 0, CORE_PASS, do_trig_set,
       NULL),
    FN(QRY_TRIG_SET, "mcd_qry_trig_set_f", BODY(mcdshm_req_page_only),
       CORE_PASS, do_page_only, &page_trig_set),
    FN(QRY_TRIG_SET_STATE, "mcd_qry_trig_set_state_f", 0, CORE_PASS,
       do_qry_trig_set_state, NULL),
    FN(EXECUTE_TXLIST, "mcd_execute_txlist_f", BODY(mcdshm_req_execute_txlist),
       CORE_PASS, do_execute_txlist, NULL),
    FN(RUN, "mcd_run_f", BODY(mcdshm_req_flag), CORE_PASS, do_flag, NULL),
    FN(STOP, "mcd_stop_f", BODY(mcdshm_req_flag), CORE_PASS, do_flag, NULL),
    FN(RUN_UNTIL, "mcd_run_until_f", BODY(mcdshm_req_run_until), CORE_PASS,
       do_run_until, NULL),
    FN(QRY_CURRENT_TIME, "mcd_qry_current_time_f", 0, CORE_PASS,
       do_qry_current_time, NULL),
    FN(STEP, "mcd_step_f", BODY(mcdshm_req_step), CORE_PASS, do_step, NULL),
    FN(SET_GLOBAL, "mcd_set_global_f", BODY(mcdshm_req_flag), CORE_PASS,
       do_flag, NULL),
    FN(QRY_STATE, "mcd_qry_state_f", 0, CORE_PASS, do_qry_state, NULL),
    FN(EXECUTE_COMMAND, "mcd_execute_command_f",
       BODY(mcdshm_req_execute_command), CORE_PASS, do_execute_command, NULL),
    FN(QRY_RST_CLASSES, "mcd_qry_rst_classes_f", 0, CORE_PASS,
       do_qry_rst_classes, NULL),
    FN(QRY_RST_CLASS_INFO, "mcd_qry_rst_class_info_f",
       BODY(mcdshm_req_qry_rst_class_info), CORE_PASS, do_qry_rst_class_info,
       NULL),
    FN(RST, "mcd_rst_f", BODY(mcdshm_req_rst), CORE_PASS, do_rst, NULL),
    FN(CHL_OPEN, "mcd_chl_open_f", BODY(mcdshm_req_chl_open), CORE_PASS,
       do_chl_open, NULL),
    FN(SEND_MSG, "mcd_send_msg_f", BODY(mcdshm_req_send_msg), CORE_PASS,
       do_send_msg, NULL),
    FN(RECEIVE_MSG, "mcd_receive_msg_f", BODY(mcdshm_req_receive_msg),
       CORE_PASS, do_receive_msg, NULL),
    FN(CHL_RESET, "mcd_chl_reset_f", BODY(mcdshm_req_chl_id), CORE_PASS,
       do_chl_id, NULL),
    FN(CHL_CLOSE, "mcd_chl_close_f", BODY(mcdshm_req_chl_id), CORE_PASS,
       do_chl_id, NULL),
    FN(QRY_TRACES, "mcd_qry_traces_f", BODY(mcdshm_req_page_only), CORE_PASS,
       do_page_only, &page_traces),
    FN(QRY_TRACE_STATE, "mcd_qry_trace_state_f", BODY(mcdshm_req_trace_id),
       CORE_PASS, do_qry_trace_state, NULL),
    FN(SET_TRACE_STATE, "mcd_set_trace_state_f",
       BODY(mcdshm_req_set_trace_state), CORE_PASS, do_set_trace_state, NULL),
    FN(READ_TRACE, "mcd_read_trace_f", BODY(mcdshm_req_read_trace), CORE_PASS,
       do_read_trace, NULL),
};

/* The header, the handles and the unused body bytes. */
static void check_record(struct dctx *c)
{
    const struct mcdshm_req_hdr *h = &c->req->hdr;

    if (h->flags &
        ~(h->fn == MCDSHM_FN_EXECUTE_TXLIST ? MCDSHM_REQ_F_AFTER_PREV : 0u)) {
        fail(c, -EINVAL, "hdr.flags 0x%x has bits this function lacks",
             h->flags);
    }
    check_zero(c, h->reserved, sizeof(h->reserved), "hdr.reserved");
    if (h->payload_len > c->payload_size) {
        fail(c, -EINVAL,
             "hdr.payload_len %u exceeds the payload area of %u "
             "bytes",
             h->payload_len, c->payload_size);
    }
    if (c->fd->rule == CORE_NONE && h->core_uid) {
        fail(c, -EINVAL, "hdr.core_uid %u given to a function without a core",
             h->core_uid);
    }
    /* Bytes past the body belong to no record (MCDSHM_RECORDS): the
     * caller copied only the header and the body. */
}

/* Fill the error block: ours for a refusal, else the core's. */
static void put_error(struct dctx *c)
{
    struct mcdshm_error_info *e = &c->out.error;
    mcd_error_info_st info;

    memset(e, 0, sizeof(*e));
    if (c->err) {
        memset(&c->out.u, 0, sizeof(c->out.u));
        c->out.hdr.payload_len = 0;
        c->out.hdr.ret = MCD_RET_ACT_HANDLE_ERROR;
        e->error_code = err_code(c->err);
        snprintf((char *)e->error_str, sizeof(e->error_str), "%s", c->msg);
    } else {
        memset(&info, 0, sizeof(info));
        mcdcore_qry_error_info(c->s, c->core_uid, &info);
        memcpy(e, &info, sizeof(info));
        e->error_str[sizeof(e->error_str) - 1] = '\0';
        if (e->error_str[0] == '\0') {
            snprintf((char *)e->error_str, sizeof(e->error_str),
                     "%s failed (return 0x%x, error code 0x%x)", c->fd->name,
                     c->out.hdr.ret, e->error_code);
        }
    }
    e->return_status = c->out.hdr.ret;
}

int mcdstub_dispatch(struct mcdcore_session *s, const struct mcdshm_req *req,
                     uint8_t *payload, uint32_t payload_size,
                     struct mcdshm_resp *resp)
{
    return mcdstub_dispatch_hooked(s, NULL, req, payload, payload_size, resp);
}

int mcdstub_dispatch_hooked(struct mcdcore_session *s,
                            const struct mcdstub_trace_hook *hook,
                            const struct mcdshm_req *req, uint8_t *payload,
                            uint32_t payload_size, struct mcdshm_resp *resp)
{
    struct dctx ctx, *c = &ctx;
    unsigned i;

    if (!s || !req || !payload || !resp || payload_size < MCDSHM_MIN_PAYLOAD ||
        payload_size > MCDSHM_MAX_PAYLOAD) {
        return -EPROTO;
    }
    /* Zero what this call can read: the context, the response header and
     * the response body's extent (the error block when it is needed):
     * not the whole 2 KiB, on every polled call. */
    memset(c, 0, offsetof(struct dctx, out));
    memset(&c->out.hdr, 0, sizeof(c->out.hdr));
    memset(&c->out.u, 0, shm_resp_len(req->hdr.fn, 0) - sizeof(c->out.hdr));
    c->msg[0] = '\0';
    c->s = s;
    c->hook = hook;
    c->req = req;
    c->payload = payload;
    c->payload_size = payload_size;
    c->payload_len = req->hdr.payload_len;
    c->out.hdr.seq = req->hdr.seq;
    c->out.hdr.fn = req->hdr.fn;
    if (req->hdr.fn == 0 || req->hdr.fn > MCDSHM_FN_COUNT) {
        fail(c, -EINVAL, "unknown function id %u (not 1..%u)", req->hdr.fn,
             MCDSHM_FN_COUNT);
    } else {
        c->fd = &fns[req->hdr.fn];
        c->core_uid = c->fd->rule == CORE_NONE ? 0 : req->hdr.core_uid;
        check_record(c);
    }
    if (!c->err) {
        c->fd->run(c);
    }
    if (c->err || c->out.hdr.ret != MCD_RET_ACT_NONE) {
        put_error(c);
    }
    /* Only the record's extent: the rest of the stride is no one's. */
    shm_copy_resp(resp, &c->out, req->hdr.fn, c->out.hdr.ret);
    for (i = 0; i < c->nstrs; i++) {
        free(c->strs[i]);
    }
    return 0;
}
