/*
 * util.c - helpers of the `mcdshm` tool: MCD error reporting, messages,
 * number parsing, time, and fetching count-then-fetch lists.
 *
 * Every message goes to stderr as "mcdshm: <command>: <text>"; an MCD
 * failure always names the function and shows the target's own message
 * and error code.  Single-threaded, like the whole tool.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mcdshm/errnames.h"

volatile sig_atomic_t cli_interrupted;
bool cli_midline;

/* Messages start on a line of their own, also after a progress bar. */
static void begin_message(void)
{
    if (cli_midline) {
        fputc('\n', stderr);
        cli_midline = false;
    }
}

void cli_error_info(const mcd_core_st *core, mcd_error_info_st *info)
{
    memset(info, 0, sizeof(*info));
    mcd_qry_error_info_f(core, info);
    info->error_str[sizeof(info->error_str) - 1] = '\0';
}

const char *cli_error_name(uint32_t code, char *buf, size_t size)
{
    const char *name = mcdshm_err_name((mcd_error_code_et)code);

    if (name) {
        snprintf(buf, size, "%s 0x%x", name, code);
    } else {
        snprintf(buf, size, "%s0x%x",
                 code >= MCD_ERR_CUSTOM_LO && code <= MCD_ERR_CUSTOM_HI
                     ? "custom error "
                     : "error ",
                 code);
    }
    return buf;
}

int cli_report_mcd(const char *fn, const mcd_error_info_st *info)
{
    char name[64];
    const char *msg = info->error_str[0] ? info->error_str : "failed";
    size_t n = strlen(fn);

    /* A message that already starts with "<fn>: " is not named twice. */
    if (strncmp(msg, fn, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ') {
        msg += n + 2;
    }
    begin_message();
    fprintf(stderr, "mcdshm: %s: %s (%s)\n", fn, msg,
            cli_error_name(info->error_code, name, sizeof(name)));
    return CLI_ERR_FAIL;
}

static void print_events(const char *fn, const mcd_error_info_st *info)
{
    mcd_error_event_et ev = info->error_events;

    begin_message();
    fprintf(stderr, "mcdshm: %s: target event(s):%s%s%s%s%s%s\n", fn,
            ev & MCD_ERR_EVT_RESET ? " reset" : "",
            ev & MCD_ERR_EVT_PWRDN ? " power-down" : "",
            ev & MCD_ERR_EVT_HWFAILURE ? " hardware-failure" : "",
            ev & ~(uint32_t)7 ? " other" : "", info->error_str[0] ? ": " : "",
            info->error_str);
}

int cli_check(const struct cli *c, const mcd_core_st *core, const char *fn,
              mcd_return_et ret)
{
    mcd_error_info_st info;

    if (ret == MCD_RET_ACT_NONE) {
        return CLI_OK;
    }
    cli_error_info(core, &info);
    if (ret == MCD_RET_ACT_HANDLE_EVENT) {
        /* The call was carried out; the target only tells what happened
         * meanwhile (e.g. a reset), which a one-shot tool just shows. */
        if (!c->quiet) {
            print_events(fn, &info);
        }
        return CLI_OK;
    }
    if (info.error_code == MCD_ERR_NONE && !info.error_str[0]) {
        begin_message();
        fprintf(stderr, "mcdshm: %s: returned action 0x%x without an error\n",
                fn, (unsigned)ret);
        return CLI_ERR_FAIL;
    }
    return cli_report_mcd(fn, &info);
}

static void vmessage(const struct cli *c, const char *fmt, va_list ap)
{
    begin_message();
    if (c && c->cmd) {
        fprintf(stderr, "mcdshm: %s: ", c->cmd);
    } else {
        fputs("mcdshm: ", stderr);
    }
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_fail(const struct cli *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(c, fmt, ap);
    va_end(ap);
    return CLI_ERR_FAIL;
}

int cli_usage_error(const struct cli *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(c, fmt, ap);
    va_end(ap);
    if (c && c->cmd) {
        fprintf(stderr, "Try 'mcdshm %s --help'.\n", c->cmd);
    } else {
        fputs("Try 'mcdshm --help'.\n", stderr);
    }
    return CLI_ERR_USAGE;
}

void cli_note(const struct cli *c, const char *fmt, ...)
{
    va_list ap;

    if (c->quiet) {
        return;
    }
    va_start(ap, fmt);
    vmessage(c, fmt, ap);
    va_end(ap);
}

int cli_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    unsigned long long v;
    char *end;

    /* strtoull() would skip blanks and accept a sign (negating!). */
    if (!s || !isdigit((unsigned char)s[0])) {
        return -EINVAL;
    }
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (errno || *end) {
        return -EINVAL;
    }
    if (v > max) {
        return -ERANGE;
    }
    *out = v;
    return 0;
}

static int size_shift(const char *suffix, unsigned *shift)
{
    static const char units[] = "kmg";
    const char *u;

    if (!suffix[0]) {
        *shift = 0;
        return 0;
    }
    u = strchr(units, tolower((unsigned char)suffix[0]));
    if (!u || suffix[1]) {
        return -EINVAL;
    }
    *shift = 10 * (unsigned)(u - units + 1);
    return 0;
}

int cli_parse_size(const char *s, uint64_t *out)
{
    char digits[32];
    unsigned shift;
    size_t n;
    uint64_t v;
    int r;

    if (!s) {
        return -EINVAL;
    }
    /* Split "64M" into "64" and "M" (no suffix letter is a hex digit). */
    n = strlen(s);
    if (n > 0 && strchr("kKmMgG", s[n - 1])) {
        n--;
    }
    if (n == 0 || n >= sizeof(digits)) {
        return -EINVAL;
    }
    memcpy(digits, s, n);
    digits[n] = '\0';
    r = size_shift(s + n, &shift);
    if (r == 0) {
        r = cli_parse_u64(digits, UINT64_MAX >> shift, &v);
    }
    if (r == 0) {
        *out = v << shift;
    }
    return r;
}

int cli_number(const struct cli *c, const char *what, const char *s,
               uint64_t max, uint64_t *out)
{
    int r = cli_parse_u64(s, max, out);

    if (r == -ERANGE) {
        return cli_usage_error(c, "%s '%s' is out of range (at most %llu)",
                               what, s, (unsigned long long)max);
    }
    if (r < 0) {
        return cli_usage_error(c,
                               "%s '%s' is not a number (decimal, or hex "
                               "with 0x)",
                               what, s);
    }
    return CLI_OK;
}

int cli_check_range(const struct cli *c, uint64_t addr, uint64_t len,
                    uint32_t width)
{
    if (len == 0) {
        return cli_usage_error(c, "LEN must be at least 1");
    }
    if (width > 1 && len % width) {
        return cli_usage_error(c, "LEN %llu is not a multiple of --width %u",
                               (unsigned long long)len, (unsigned)width);
    }
    if (addr + (len - 1) < addr) {
        return cli_usage_error(c,
                               "ADDR 0x%llx + LEN %llu runs past the end "
                               "of the address space",
                               (unsigned long long)addr,
                               (unsigned long long)len);
    }
    return CLI_OK;
}

uint64_t cli_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void cli_sleep_ms(unsigned ms)
{
    struct timespec ts = {
        .tv_sec = ms / 1000,
        .tv_nsec = (long)(ms % 1000) * 1000000L,
    };

    nanosleep(&ts, NULL);
}

/* Fetch entries [got, total) of a list whose total is known. */
static int list_fetch(const struct cli *c, const mcd_core_st *core,
                      const char *fn,
                      mcd_return_et (*qry)(const void *ctx, uint32_t start,
                                           uint32_t *num, void *out),
                      const void *ctx, size_t size, uint8_t *arr,
                      uint32_t total, uint32_t *got)
{
    uint32_t num;
    int rc;

    *got = 0;
    while (*got < total) {
        num = total - *got;
        rc = cli_check(c, core, fn,
                       CLI_RETRY(qry(ctx, *got, &num, arr + *got * size)));
        if (rc != CLI_OK) {
            return rc;
        }
        if (num == 0) {
            break; /* the list shrank meanwhile: keep what came */
        }
        *got += num > total - *got ? total - *got : num;
    }
    return CLI_OK;
}

int cli_list(const struct cli *c, const mcd_core_st *core, const char *fn,
             mcd_return_et (*qry)(const void *ctx, uint32_t start,
                                  uint32_t *num, void *out),
             const void *ctx, size_t size, void **out, uint32_t *n)
{
    uint32_t total = 0;
    uint8_t *arr;
    int rc;

    *out = NULL;
    *n = 0;
    rc = cli_check(c, core, fn, CLI_RETRY(qry(ctx, 0, &total, NULL)));
    if (rc != CLI_OK || total == 0) {
        return rc;
    }
    arr = calloc(total, size);
    if (!arr) {
        return cli_fail(c, "%s: no memory for %u entries", fn, (unsigned)total);
    }
    rc = list_fetch(c, core, fn, qry, ctx, size, arr, total, n);
    if (rc != CLI_OK) {
        free(arr);
        *n = 0;
        return rc;
    }
    *out = arr;
    return CLI_OK;
}

const char *cli_core_type_name(uint32_t e_machine)
{
    switch (e_machine) {
    case 3:
        return "i386";
    case 8:
        return "MIPS";
    case 20:
        return "PowerPC";
    case 21:
        return "PowerPC64";
    case 40:
        return "ARM";
    case 62:
        return "x86-64";
    case 183:
        return "AArch64";
    case 243:
        return "RISC-V";
    default:
        return NULL;
    }
}

const char *cli_state_name(mcd_core_state_et state)
{
    switch (state) {
    case MCD_CORE_STATE_RUNNING:
        return "RUNNING";
    case MCD_CORE_STATE_HALTED:
        return "HALTED";
    case MCD_CORE_STATE_DEBUG:
        return "DEBUG";
    case MCD_CORE_STATE_UNKNOWN:
        return "UNKNOWN";
    default:
        return "CUSTOM";
    }
}
