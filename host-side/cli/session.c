/*
 * session.c - the `mcdshm` tool's connection: the library, one server, the
 * cores, and the memory spaces and transactions every memory command uses.
 *
 * cli_connect() goes as far as the command needs (initialize, open the
 * server, list the cores of every system and open the one -C names);
 * cli_disconnect() undoes whatever part of that was done, in reverse
 * order, and always ends with mcd_exit_f().  Single-threaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* Room for the config string built from -s, -e and -c. */
#define CONFIG_LEN 4096

static int add_config(const struct cli *c, char *buf, size_t len,
                      const char *key, const char *val, const char *opt)
{
    size_t used = strlen(buf);
    int n;

    if (strchr(val, '"')) {
        return cli_usage_error(c, "%s '%s' must not contain '\"'", opt, val);
    }
    n = snprintf(buf + used, len - used, "%s%s=\"%s\"", used ? " " : "", key,
                 val);
    if (n < 0 || (size_t)n >= len - used) {
        return cli_usage_error(c, "%s '%s' is too long", opt, val);
    }
    return CLI_OK;
}

/* The config string for mcd_open_server_f: -s and -e as keys, then -c. */
static int build_config(const struct cli *c, char *buf, size_t len)
{
    int rc = CLI_OK;
    size_t used;

    buf[0] = '\0';
    if (c->server_name) {
        rc = add_config(c, buf, len, "McdServerName", c->server_name,
                        "--server");
    }
    if (rc == CLI_OK && c->endpoint) {
        rc = add_config(c, buf, len, "McdShmEndpoint", c->endpoint,
                        "--endpoint");
    }
    if (rc == CLI_OK && c->config_raw) {
        used = strlen(buf);
        if ((size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
                             c->config_raw) >= len - used) {
            rc = cli_usage_error(c, "--config is too long");
        }
    }
    return rc;
}

static int initialize(struct cli *c)
{
    mcd_api_version_st req = {
        .v_api_major = MCD_API_VER_MAJOR,
        .v_api_minor = MCD_API_VER_MINOR,
        .author = MCD_API_VER_AUTHOR,
    };
    int rc;

    rc = CLI_MCD(c, NULL, mcd_initialize_f, &req, &c->impl);
    /* mcd_exit_f is due even after a failed initialize: it is how the
     * library drops whatever it set up. */
    c->initialized = true;
    return rc;
}

static int open_server(struct cli *c, const char *config)
{
    int rc;

    rc = CLI_MCD(c, NULL, mcd_open_server_f, "", config, &c->server);
    if (rc != CLI_OK) {
        c->server = NULL;
        if (config[0]) {
            fprintf(stderr,
                    "mcdshm: could not connect to a server with "
                    "config '%s'\n",
                    config);
        } else {
            fprintf(stderr, "mcdshm: could not connect to any server (is "
                            "one running? see 'mcdshm servers')\n");
        }
        return CLI_ERR_CONNECT;
    }
    return CLI_OK;
}

static mcd_return_et qry_systems(const void *ctx, uint32_t start, uint32_t *num,
                                 void *out)
{
    (void)ctx;
    return mcd_qry_systems_f(start, num, out);
}

static mcd_return_et qry_cores(const void *ctx, uint32_t start, uint32_t *num,
                               void *out)
{
    return mcd_qry_cores_f(ctx, start, num, out);
}

/* Append the cores of one system to c->cores. */
static int add_cores(struct cli *c, const mcd_core_con_info_st *sys)
{
    mcd_core_con_info_st *more, *all;
    uint32_t n;
    int rc;

    rc = cli_list(c, NULL, "mcd_qry_cores_f", qry_cores, sys, sizeof(*more),
                  (void **)&more, &n);
    if (rc != CLI_OK || n == 0) {
        return rc;
    }
    all = realloc(c->cores, (c->ncores + n) * sizeof(*all));
    if (!all) {
        free(more);
        return cli_fail(c, "no memory for %u cores", (unsigned)n);
    }
    memcpy(all + c->ncores, more, n * sizeof(*all));
    c->cores = all;
    c->ncores += n;
    free(more);
    return CLI_OK;
}

/* List the cores of every system into c->cores (maybe none). */
static int load_cores(struct cli *c)
{
    mcd_core_con_info_st *sys;
    uint32_t i, n;
    int rc;

    rc = cli_list(c, NULL, "mcd_qry_systems_f", qry_systems, NULL, sizeof(*sys),
                  (void **)&sys, &n);
    for (i = 0; rc == CLI_OK && i < n; i++) {
        rc = add_cores(c, &sys[i]);
    }
    free(sys);
    return rc;
}

/* Resolve -C: an index into c->cores, or a core name. */
static int select_core(struct cli *c)
{
    uint64_t idx;
    uint32_t i;

    c->core_idx = 0;
    if (!c->core_sel) {
        return CLI_OK;
    }
    /* -C is a global option: a usage error, but no hint to the command's
     * --help. */
    if (cli_parse_u64(c->core_sel, UINT32_MAX, &idx) == 0) {
        if (idx >= c->ncores) {
            cli_fail(c, "--core %s: there are %u cores (0..%u)", c->core_sel,
                     (unsigned)c->ncores, (unsigned)c->ncores - 1);
            return CLI_ERR_USAGE;
        }
        c->core_idx = (uint32_t)idx;
        return CLI_OK;
    }
    for (i = 0; i < c->ncores; i++) {
        if (strcmp(c->cores[i].core, c->core_sel) == 0) {
            c->core_idx = i;
            return CLI_OK;
        }
    }
    cli_fail(c, "--core '%s': no core of that name (see 'mcdshm cores')",
             c->core_sel);
    return CLI_ERR_USAGE;
}

int cli_connect(struct cli *c, enum cli_need need)
{
    char config[CONFIG_LEN];
    int rc;

    /* A bad -s, -e or -c is a usage error before anything is set up. */
    rc = build_config(c, config, sizeof(config));
    if (rc == CLI_OK) {
        rc = initialize(c);
    }
    if (rc != CLI_OK || need == CLI_NEED_LIB) {
        return rc;
    }
    rc = open_server(c, config);
    if (rc == CLI_OK) {
        rc = load_cores(c);
    }
    if (rc != CLI_OK || need == CLI_NEED_SERVER) {
        return rc;
    }
    if (c->ncores == 0) {
        return cli_fail(c, "the server offers no cores");
    }
    rc = select_core(c);
    if (rc == CLI_OK) {
        rc =
            CLI_MCD(c, NULL, mcd_open_core_f, &c->cores[c->core_idx], &c->core);
        if (rc != CLI_OK) {
            c->core = NULL;
        }
    }
    return rc;
}

int cli_disconnect(struct cli *c, int rc)
{
    int r;

    if (c->core) {
        /* A core that failed to close may be gone: ask for the error
         * without it. */
        r = cli_check(c, NULL, "mcd_close_core_f", mcd_close_core_f(c->core));
        rc = rc == CLI_OK ? r : rc;
        c->core = NULL;
    }
    if (c->server) {
        r = CLI_MCD(c, NULL, mcd_close_server_f, c->server);
        rc = rc == CLI_OK ? r : rc;
        c->server = NULL;
    }
    if (c->initialized) {
        mcd_exit_f();
        c->initialized = false;
    }
    free(c->cores);
    c->cores = NULL;
    c->ncores = 0;
    return rc;
}

const char *cli_core_name(const struct cli *c, uint32_t idx)
{
    if (idx < c->ncores && c->cores[idx].core[0]) {
        return c->cores[idx].core;
    }
    return "core";
}

int cli_open_core(struct cli *c, uint32_t idx, mcd_core_st **core)
{
    int rc;

    if (idx == c->core_idx && c->core) {
        *core = c->core;
        return CLI_OK;
    }
    rc = CLI_MCD(c, NULL, mcd_open_core_f, &c->cores[idx], core);
    if (rc != CLI_OK) {
        *core = NULL;
    }
    return rc;
}

int cli_close_core(struct cli *c, mcd_core_st *core)
{
    if (!core || core == c->core) {
        return CLI_OK;
    }
    return cli_check(c, NULL, "mcd_close_core_f", mcd_close_core_f(core));
}

int cli_max_payload(const struct cli *c, const mcd_core_st *core, uint32_t *out)
{
    mcd_error_info_st info;
    mcd_return_et ret;
    uint32_t mp = 0;

    ret = CLI_RETRY(mcd_qry_max_payload_size_f(core, &mp));
    if (ret != MCD_RET_ACT_NONE && ret != MCD_RET_ACT_HANDLE_EVENT) {
        cli_error_info(core, &info);
        if (info.error_code != MCD_ERR_FN_UNIMPLEMENTED) {
            return cli_report_mcd("mcd_qry_max_payload_size_f", &info);
        }
        /* Every implementation accepts the guaranteed minimum. */
        mp = MCD_GUARANTEED_MIN_PAYLOAD;
    } else {
        cli_check(c, core, "mcd_qry_max_payload_size_f", ret); /* events */
    }
    if (mp == 0) {
        mp = MCD_GUARANTEED_MIN_PAYLOAD;
    }
    *out = mp > CLI_PAYLOAD_CAP ? CLI_PAYLOAD_CAP : mp;
    return CLI_OK;
}

static mcd_return_et qry_spaces(const void *ctx, uint32_t start, uint32_t *num,
                                void *out)
{
    return mcd_qry_mem_spaces_f(ctx, start, num, out);
}

int cli_spaces(const struct cli *c, const mcd_core_st *core,
               mcd_memspace_st **out, uint32_t *n)
{
    return cli_list(c, core, "mcd_qry_mem_spaces_f", qry_spaces, core,
                    sizeof(**out), (void **)out, n);
}

struct block_qry {
    const mcd_core_st *core;
    uint32_t space;
};

static mcd_return_et qry_blocks(const void *ctx, uint32_t start, uint32_t *num,
                                void *out)
{
    const struct block_qry *q = ctx;

    return mcd_qry_mem_blocks_f(q->core, q->space, start, num, out);
}

int cli_mem_blocks(const struct cli *c, const mcd_memspace_st *sp,
                   mcd_memblock_st **out, uint32_t *n)
{
    struct block_qry q = { .core = c->core, .space = sp->mem_space_id };

    return cli_list(c, c->core, "mcd_qry_mem_blocks_f", qry_blocks, &q,
                    sizeof(**out), (void **)out, n);
}

/* The block holding @a that reaches furthest, or NULL. */
static const mcd_memblock_st *block_at(const mcd_memblock_st *b, uint32_t n,
                                       uint64_t a)
{
    const mcd_memblock_st *best = NULL;
    uint32_t i;

    for (i = 0; i < n; i++) {
        if (b[i].start_addr <= a && a <= b[i].end_addr &&
            (!best || b[i].end_addr > best->end_addr)) {
            best = &b[i];
        }
    }
    return best;
}

int cli_check_blocks(const struct cli *c, const mcd_memspace_st *sp,
                     uint64_t addr, uint64_t len)
{
    const mcd_memblock_st *k, *prev = NULL;
    mcd_memblock_st *b;
    uint64_t last = addr + (len - 1);
    uint32_t n;
    int rc;

    if (!sp->num_mem_blocks) {
        return CLI_OK; /* nothing said: the target decides */
    }
    rc = cli_mem_blocks(c, sp, &b, &n);
    if (rc != CLI_OK || n == 0) {
        return rc;
    }
    /* Adjacent blocks may continue one another. */
    for (k = block_at(b, n, addr); k && k->end_addr < last;
         k = block_at(b, n, k->end_addr + 1)) {
        prev = k;
    }
    if (!k && !prev) {
        rc = cli_fail(c,
                      "0x%llx is in no memory block of space '%s' (see "
                      "'mcdshm info')",
                      (unsigned long long)addr, sp->mem_space_name);
    } else if (!k) {
        rc = cli_fail(c,
                      "0x%llx + %llu bytes runs past the end of memory "
                      "block '%.31s' at 0x%llx in space '%s' (at most %llu "
                      "bytes from 0x%llx)",
                      (unsigned long long)addr, (unsigned long long)len,
                      prev->mem_block_name, (unsigned long long)prev->end_addr,
                      sp->mem_space_name,
                      (unsigned long long)(prev->end_addr - addr + 1),
                      (unsigned long long)addr);
    }
    free(b);
    return rc;
}

/* The first space with all of @want and none of @avoid, or NULL. */
static const mcd_memspace_st *first_space(const mcd_memspace_st *sp, uint32_t n,
                                          uint32_t want, uint32_t avoid)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        if ((sp[i].mem_type & want) == want && !(sp[i].mem_type & avoid)) {
            return &sp[i];
        }
    }
    return NULL;
}

static const mcd_memspace_st *default_space(const mcd_memspace_st *sp,
                                            uint32_t n, bool for_trigger)
{
    const mcd_memspace_st *s = NULL;

    if (for_trigger) {
        s = first_space(sp, n, MCD_MEM_SPACE_IS_LOGICAL,
                        MCD_MEM_SPACE_IS_REGISTERS);
    }
    if (!s) {
        s = first_space(sp, n, MCD_MEM_SPACE_IS_PHYSICAL,
                        MCD_MEM_SPACE_IS_REGISTERS);
    }
    if (!s) {
        s = first_space(sp, n, 0, MCD_MEM_SPACE_IS_REGISTERS);
    }
    return s;
}

static const mcd_memspace_st *named_space(const mcd_memspace_st *sp, uint32_t n,
                                          const char *sel)
{
    uint64_t id;
    uint32_t i;
    bool by_id = cli_parse_u64(sel, UINT32_MAX, &id) == 0;

    for (i = 0; i < n; i++) {
        if (by_id ? sp[i].mem_space_id == id
                  : strcasecmp(sp[i].mem_space_name, sel) == 0) {
            return &sp[i];
        }
    }
    return NULL;
}

int cli_pick_space(const struct cli *c, const char *sel, bool for_trigger,
                   mcd_memspace_st *out)
{
    const mcd_memspace_st *s;
    mcd_memspace_st *sp;
    uint32_t n;
    int rc;

    rc = cli_spaces(c, c->core, &sp, &n);
    if (rc != CLI_OK) {
        return rc;
    }
    s = sel ? named_space(sp, n, sel) : default_space(sp, n, for_trigger);
    if (s) {
        *out = *s;
    } else if (sel) {
        rc = cli_usage_error(c,
                             "--space '%s': %s has no memory space of "
                             "that name or id (see 'mcdshm info')",
                             sel, cli_core_name(c, c->core_idx));
    } else {
        rc = cli_fail(c, "%s has no memory space",
                      cli_core_name(c, c->core_idx));
    }
    free(sp);
    return rc;
}

int cli_mem_xfer(const struct cli *c, const mcd_memspace_st *sp, uint64_t addr,
                 uint8_t *buf, uint32_t len, uint32_t width,
                 mcd_tx_access_type_et at, uint32_t *done)
{
    mcd_tx_st tx = {
        .addr = { .address = addr, .mem_space_id = sp->mem_space_id },
        .access_type = at,
        .access_width = (uint8_t)width,
        .data = buf,
        .num_bytes = len,
    };
    mcd_txlist_st tl = { .tx = &tx, .num_tx = 1 };
    int rc;

    rc = CLI_MCD(c, c->core, mcd_execute_txlist_f, c->core, &tl);
    if (done) {
        *done = tx.num_bytes_ok > len ? len : tx.num_bytes_ok;
    }
    if (rc == CLI_OK && (tl.num_tx_ok != 1 || tx.num_bytes_ok != len)) {
        rc = cli_fail(c,
                      "%s 0x%llx in space '%s': only %u of %u bytes "
                      "transferred, without an error",
                      at == MCD_TX_AT_R ? "read at" : "write at",
                      (unsigned long long)addr, sp->mem_space_name,
                      (unsigned)tx.num_bytes_ok, (unsigned)len);
    }
    return rc;
}
