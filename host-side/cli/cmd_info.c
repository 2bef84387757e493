/*
 * cmd_info.c - the `mcdshm` commands that describe a target: servers,
 * systems, devices, cores and info.
 *
 * Everything shown comes from the MCD queries (count-then-fetch through
 * cli_list()); an optional query the target does not implement shows as
 * "not supported" in `info` instead of failing it.  Single-threaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Room for the server's config string in `info`. */
#define SERVER_CONFIG_LEN 4096

/* ------------------------------------------------------------------------
 * servers, systems, devices, cores
 */

static mcd_return_et qry_servers(const void *ctx, uint32_t start, uint32_t *num,
                                 void *out)
{
    (void)ctx;
    return mcd_qry_servers_f("localhost", TRUE, start, num, out);
}

int cmd_servers(struct cli *c, const struct cli_opts *o)
{
    mcd_server_info_st *s;
    uint32_t i, n;
    int rc;

    (void)o;
    rc = cli_list(c, NULL, "mcd_qry_servers_f", qry_servers, NULL, sizeof(*s),
                  (void **)&s, &n);
    if (rc != CLI_OK) {
        return rc;
    }
    if (n == 0) {
        cli_note(c, "no live server");
    } else if (!c->quiet) {
        printf("%-24s %-24s %s\n", "SERVER", "SYSTEM INSTANCE", "ACC HW");
    }
    for (i = 0; i < n; i++) {
        s[i].server[MCD_UNIQUE_NAME_LEN - 1] = '\0';
        s[i].system_instance[MCD_UNIQUE_NAME_LEN - 1] = '\0';
        s[i].acc_hw[MCD_UNIQUE_NAME_LEN - 1] = '\0';
        printf("%-24s %-24s %s\n", s[i].server, s[i].system_instance,
               s[i].acc_hw);
    }
    free(s);
    return CLI_OK;
}

static mcd_return_et qry_systems(const void *ctx, uint32_t start, uint32_t *num,
                                 void *out)
{
    (void)ctx;
    return mcd_qry_systems_f(start, num, out);
}

static int list_systems(const struct cli *c, mcd_core_con_info_st **sys,
                        uint32_t *n)
{
    uint32_t i;
    int rc;

    rc = cli_list(c, NULL, "mcd_qry_systems_f", qry_systems, NULL,
                  sizeof(**sys), (void **)sys, n);
    for (i = 0; rc == CLI_OK && i < *n; i++) {
        (*sys)[i].system[MCD_UNIQUE_NAME_LEN - 1] = '\0';
        (*sys)[i].system_instance[MCD_UNIQUE_NAME_LEN - 1] = '\0';
        (*sys)[i].system_key[MCD_KEY_LEN - 1] = '\0';
    }
    return rc;
}

int cmd_systems(struct cli *c, const struct cli_opts *o)
{
    mcd_core_con_info_st *sys;
    uint32_t i, n;
    int rc;

    (void)o;
    rc = list_systems(c, &sys, &n);
    if (rc == CLI_OK && !c->quiet) {
        printf("%-24s %s\n", "SYSTEM", "INSTANCE");
    }
    for (i = 0; rc == CLI_OK && i < n; i++) {
        printf("%-24s %s\n", sys[i].system, sys[i].system_instance);
    }
    free(sys);
    return rc;
}

static mcd_return_et qry_devices(const void *ctx, uint32_t start, uint32_t *num,
                                 void *out)
{
    return mcd_qry_devices_f(ctx, start, num, out);
}

static int print_devices(const struct cli *c, const mcd_core_con_info_st *sys)
{
    mcd_core_con_info_st *dev;
    uint32_t i, n;
    int rc;

    rc = cli_list(c, NULL, "mcd_qry_devices_f", qry_devices, sys, sizeof(*dev),
                  (void **)&dev, &n);
    for (i = 0; rc == CLI_OK && i < n; i++) {
        dev[i].device[MCD_UNIQUE_NAME_LEN - 1] = '\0';
        printf("%-24s 0x%08x 0x%08x %s\n", dev[i].device,
               (unsigned)dev[i].device_id, (unsigned)dev[i].device_type,
               sys->system);
    }
    free(dev);
    return rc;
}

int cmd_devices(struct cli *c, const struct cli_opts *o)
{
    mcd_core_con_info_st *sys;
    uint32_t i, n;
    int rc;

    (void)o;
    rc = list_systems(c, &sys, &n);
    if (rc == CLI_OK && !c->quiet) {
        printf("%-24s %-10s %-10s %s\n", "DEVICE", "ID", "TYPE", "SYSTEM");
    }
    for (i = 0; rc == CLI_OK && i < n; i++) {
        rc = print_devices(c, &sys[i]);
    }
    free(sys);
    return rc;
}

static void print_core(const struct cli *c, uint32_t i)
{
    const mcd_core_con_info_st *ci = &c->cores[i];
    const char *arch = cli_core_type_name(ci->core_type);
    char type[32];

    if (arch) {
        snprintf(type, sizeof(type), "%u (%s)", (unsigned)ci->core_type, arch);
    } else {
        snprintf(type, sizeof(type), "%u", (unsigned)ci->core_type);
    }
    printf("%-5u %-16.63s %-7u %-14s %.63s\n", (unsigned)i, ci->core,
           (unsigned)ci->core_id, type, ci->device);
}

int cmd_cores(struct cli *c, const struct cli_opts *o)
{
    uint32_t i;

    (void)o;
    if (c->ncores == 0) {
        cli_note(c, "the server offers no cores");
    } else if (!c->quiet) {
        printf("%-5s %-16s %-7s %-14s %s\n", "INDEX", "NAME", "CORE_ID",
               "CORE_TYPE", "DEVICE");
    }
    for (i = 0; i < c->ncores; i++) {
        print_core(c, i);
    }
    return CLI_OK;
}

/* ------------------------------------------------------------------------
 * info
 */

/*
 * Check an optional query: true on success; a target without it prints
 * "(not supported)" and is no failure; any other error is reported and
 * sets *rc.
 */
static bool optional_ok(const mcd_core_st *core, const char *fn,
                        mcd_return_et ret, int *rc)
{
    mcd_error_info_st info;

    if (ret == MCD_RET_ACT_NONE || ret == MCD_RET_ACT_HANDLE_EVENT) {
        return true;
    }
    cli_error_info(core, &info);
    if (info.error_code == MCD_ERR_FN_UNIMPLEMENTED) {
        printf("  (not supported: %s)\n", info.error_str);
    } else {
        *rc = cli_report_mcd(fn, &info);
    }
    return false;
}

static void info_target(struct cli *c)
{
    const mcd_core_con_info_st *ci = &c->cores[c->core_idx];
    char config[SERVER_CONFIG_LEN] = "";
    uint32_t len = sizeof(config), i;
    mcd_error_info_st err;

    printf("implementation: %.31s %u.%u build %u (%.15s), MCD API %u.%u\n",
           c->impl.vendor, c->impl.v_imp_major, c->impl.v_imp_minor,
           c->impl.v_imp_build, c->impl.date, c->impl.v_api.v_api_major,
           c->impl.v_api.v_api_minor);
    if (mcd_qry_server_config_f(c->server, &len, config) != MCD_RET_ACT_NONE) {
        /* Shown, but no reason to fail `info`: fall back on the string
         * the server handle keeps. */
        cli_error_info(NULL, &err);
        cli_note(c, "mcd_qry_server_config_f: %s (error 0x%x)", err.error_str,
                 (unsigned)err.error_code);
        snprintf(config, sizeof(config), "%s",
                 c->server->config_string ? c->server->config_string : "");
    }
    config[sizeof(config) - 1] = '\0';
    printf("server: host %s, config '%s'\n",
           c->server->host ? c->server->host : "localhost", config);
    printf("system: %.63s (instance '%.63s')\n", ci->system,
           ci->system_instance);
    printf("device: %.63s (id 0x%x, type 0x%x)\n", ci->device,
           (unsigned)ci->device_id, (unsigned)ci->device_type);
    printf("cores:");
    for (i = 0; i < c->ncores; i++) {
        printf(" %s%s", cli_core_name(c, i), i == c->core_idx ? "*" : "");
    }
    printf("  (* = this core, %s)\n", cli_core_name(c, c->core_idx));
}

static const char *mem_type_text(mcd_mem_type_et t, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s%s%s%s",
             t & MCD_MEM_SPACE_IS_REGISTERS ? " registers" : "",
             t & MCD_MEM_SPACE_IS_PROGRAM ? " program" : "",
             t & MCD_MEM_SPACE_IS_VIRTUAL ? " virtual" : "",
             t & MCD_MEM_SPACE_IS_CACHE ? " cache" : "",
             t & MCD_MEM_SPACE_IS_PHYSICAL ? " physical" : "",
             t & MCD_MEM_SPACE_IS_LOGICAL ? " logical" : "",
             t & ~(uint32_t)0x3f ? " custom" : "");
    return buf[0] ? buf + 1 : "default";
}

static const char *endian_text(mcd_endian_et e)
{
    return e == MCD_ENDIAN_LITTLE ? "little"
           : e == MCD_ENDIAN_BIG  ? "big"
                                  : "default";
}

static int info_blocks(const struct cli *c, const mcd_memspace_st *sp)
{
    mcd_memblock_st *b;
    uint32_t i, n;
    int rc;

    rc = cli_mem_blocks(c, sp, &b, &n);
    for (i = 0; rc == CLI_OK && i < n; i++) {
        printf("      block %u '%.31s' 0x%llx..0x%llx%s\n",
               (unsigned)b[i].mem_block_id, b[i].mem_block_name,
               (unsigned long long)b[i].start_addr,
               (unsigned long long)b[i].end_addr,
               b[i].parent_id ? " (child)" : "");
    }
    free(b);
    return rc;
}

static int info_spaces(const struct cli *c)
{
    mcd_memspace_st *sp;
    uint32_t i, n;
    char type[96];
    int rc;

    rc = cli_spaces(c, c->core, &sp, &n);
    printf("memory spaces:\n");
    for (i = 0; rc == CLI_OK && i < n; i++) {
        printf("  %u '%.31s': %s, %u bits per MAU, %s endian, "
               "0x%llx..0x%llx, %u blocks\n",
               (unsigned)sp[i].mem_space_id, sp[i].mem_space_name,
               mem_type_text(sp[i].mem_type, type, sizeof(type)),
               (unsigned)sp[i].bits_per_mau, endian_text(sp[i].endian),
               (unsigned long long)sp[i].min_addr,
               (unsigned long long)sp[i].max_addr,
               (unsigned)sp[i].num_mem_blocks);
        if (sp[i].num_mem_blocks) {
            rc = info_blocks(c, &sp[i]);
        }
    }
    free(sp);
    return rc;
}

static int info_regs(const struct cli *c)
{
    struct cli_regmap map;
    uint32_t i;
    int rc;

    rc = cli_regmap_load(c, c->core, &map);
    printf("register groups:\n");
    for (i = 0; rc == CLI_OK && i < map.ngroups; i++) {
        printf(
            "  %u '%s': %u registers\n", (unsigned)map.groups[i].reg_group_id,
            map.groups[i].reg_group_name, (unsigned)map.groups[i].n_registers);
    }
    cli_regmap_free(&map);
    return rc;
}

static int info_triggers(const struct cli *c)
{
    mcd_trig_info_st t;
    int rc = CLI_OK;

    memset(&t, 0, sizeof(t));
    printf("triggers:\n");
    if (optional_ok(c->core, "mcd_qry_trig_info_f",
                    CLI_RETRY(mcd_qry_trig_info_f(c->core, &t)), &rc)) {
        printf("  types%s%s%s%s%s%s%s%s, %u triggers%s, options 0x%x, "
               "actions 0x%x%s\n",
               t.type & MCD_TRIG_TYPE_IP ? " ip" : "",
               t.type & MCD_TRIG_TYPE_READ ? " read" : "",
               t.type & MCD_TRIG_TYPE_WRITE ? " write" : "",
               t.type & MCD_TRIG_TYPE_RW ? " rw" : "",
               t.type & MCD_TRIG_TYPE_NOCYCLE ? " nocycle" : "",
               t.type & MCD_TRIG_TYPE_TRIG_BUS ? " trig-bus" : "",
               t.type & MCD_TRIG_TYPE_COUNTER ? " counter" : "",
               t.type & MCD_TRIG_TYPE_CUSTOM ? " custom" : "",
               (unsigned)t.trig_number, t.trig_number ? "" : " (unknown)",
               (unsigned)t.option, (unsigned)t.action,
               t.sw_breakpoints ? ", software breakpoints" : "");
    }
    return rc;
}

static int info_resets(const struct cli *c)
{
    mcd_rst_info_st ri;
    uint32_t vec = 0;
    int rc = CLI_OK;
    uint8_t i;

    printf("reset classes:\n");
    if (!optional_ok(c->core, "mcd_qry_rst_classes_f",
                     CLI_RETRY(mcd_qry_rst_classes_f(c->core, &vec)), &rc)) {
        return rc;
    }
    for (i = 0; rc == CLI_OK && i < 32; i++) {
        if (!(vec & (1u << i))) {
            continue;
        }
        memset(&ri, 0, sizeof(ri));
        rc = CLI_MCD(c, c->core, mcd_qry_rst_class_info_f, c->core, i, &ri);
        ri.info_str[MCD_INFO_STR_LEN - 1] = '\0';
        if (rc == CLI_OK) {
            printf("  %u: %s\n", (unsigned)i, ri.info_str);
        }
    }
    return rc;
}

static mcd_return_et qry_traces(const void *ctx, uint32_t start, uint32_t *num,
                                void *out)
{
    return mcd_qry_traces_f(ctx, start, num, out);
}

static int info_traces(const struct cli *c)
{
    mcd_trace_info_st *t;
    uint32_t i, n;
    int rc = CLI_OK;

    printf("traces:\n");
    n = 0;
    if (!optional_ok(c->core, "mcd_qry_traces_f",
                     CLI_RETRY(mcd_qry_traces_f(c->core, 0, &n, NULL)), &rc)) {
        return rc;
    }
    rc = cli_list(c, c->core, "mcd_qry_traces_f", qry_traces, c->core,
                  sizeof(*t), (void **)&t, &n);
    for (i = 0; rc == CLI_OK && i < n; i++) {
        t[i].trace_name[MCD_INFO_STR_LEN - 1] = '\0';
        printf("  %u '%s': type 0x%x, format 0x%x, modes 0x%x%s\n",
               (unsigned)t[i].trace_id, t[i].trace_name,
               (unsigned)t[i].trace_type, (unsigned)t[i].trace_format,
               (unsigned)t[i].trace_modes,
               t[i].trace_no_timestamps ? ", no timestamps" : "");
    }
    if (rc == CLI_OK && n == 0) {
        printf("  (none)\n");
    }
    free(t);
    return rc;
}

int cmd_info(struct cli *c, const struct cli_opts *o)
{
    uint32_t mp = 0;
    int rc;

    (void)o;
    info_target(c);
    rc = info_spaces(c);
    if (rc == CLI_OK) {
        rc = info_regs(c);
    }
    if (rc == CLI_OK) {
        rc = info_triggers(c);
    }
    if (rc == CLI_OK) {
        rc = info_resets(c);
    }
    if (rc == CLI_OK) {
        rc = info_traces(c);
    }
    if (rc == CLI_OK) {
        rc = cli_max_payload(c, c->core, &mp);
    }
    if (rc == CLI_OK) {
        printf("max payload: %u bytes per transaction list%s\n", (unsigned)mp,
               mp == CLI_PAYLOAD_CAP ? " (the tool's cap)" : "");
    }
    return rc;
}
