/*
 * conf_lib.c - loading the MCD library under test, opening a session, the
 * fixtures, and the checks every test uses to call it (CHECK_MCD,
 * EXPECT_MCD_ERR, conf_require).
 *
 * The library is loaded with dlopen() in the test's own process (Criterion
 * forks one per test), so nothing of one test's connection survives into
 * the next.  The session steps (conf_env_load, conf_lib_load,
 * conf_session_open, conf_core_open) report failures as text instead of
 * asserting, because a forked second debugger uses them too and must not
 * talk to Criterion; the fixtures turn that text into a test failure.
 *
 * One thread per process.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "mcdshm/errnames.h"

struct conf conf;

#define CONF_FN_NAME(name) "mcd_" #name "_f",
const char *const conf_fn_names[CONF_FN_COUNT] = { CONF_FUNCS(CONF_FN_NAME) };
#undef CONF_FN_NAME

/* ------------------------------------------------------------------------
 * Names for messages
 */

#define NAME(x) [x] = #x

const char *conf_ret_name(mcd_return_et ret)
{
    static const char *const names[] = {
        NAME(MCD_RET_ACT_NONE),
        NAME(MCD_RET_ACT_AGAIN),
        NAME(MCD_RET_ACT_HANDLE_EVENT),
        NAME(MCD_RET_ACT_HANDLE_ERROR),
    };

    return ret < sizeof(names) / sizeof(names[0]) ? names[ret]
                                                  : "MCD_RET_ACT_(other)";
}

const char *conf_err_name(mcd_error_code_et code)
{
    const char *name = mcdshm_err_name(code);

    if (name) {
        return name;
    }
    return code >= MCD_ERR_CUSTOM_LO && code <= MCD_ERR_CUSTOM_HI
               ? "MCD_ERR_(custom)"
               : "MCD_ERR_(undefined)";
}

const char *conf_state_name(mcd_core_state_et state)
{
    static const char *const names[] = {
        NAME(MCD_CORE_STATE_UNKNOWN),
        NAME(MCD_CORE_STATE_RUNNING),
        NAME(MCD_CORE_STATE_HALTED),
        NAME(MCD_CORE_STATE_DEBUG),
    };

    return state < sizeof(names) / sizeof(names[0]) ? names[state]
                                                    : "MCD_CORE_STATE_(other)";
}

#undef NAME

/* ------------------------------------------------------------------------
 * Time
 */

void conf_sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
        continue;
    }
}

uint64_t conf_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------
 * Checking calls
 */

/* "mcd_step_f" out of "conf.api.step(CORE(0), ...)"; else the text. */
static const char *call_fn(const char *call, char *buf, size_t len)
{
    const char *p = strstr(call, "api.");
    size_t n = 0;

    if (!p) {
        return call;
    }
    p += 4;
    while (p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z')) {
        n++;
    }
    snprintf(buf, len, "mcd_%.*s_f", (int)n, p);
    return buf;
}

mcd_error_info_st conf_error_info(const mcd_core_st *core)
{
    mcd_error_info_st info;

    /* Not zero: a library that leaves the structure alone must show. */
    memset(&info, 0xa5, sizeof(info));
    conf.api.qry_error_info(core, &info);
    cr_assert(memchr(info.error_str, '\0', sizeof(info.error_str)),
              "mcd_qry_error_info_f(%s): error_str is not NUL-terminated "
              "within MCD_INFO_STR_LEN",
              core ? "core" : "NULL");
    return info;
}

void conf_check_ok(const mcd_core_st *core, mcd_return_et ret, const char *call,
                   const char *file, int line)
{
    mcd_error_info_st info;
    char fn[64];

    if (ret == MCD_RET_ACT_NONE) {
        return;
    }
    info = conf_error_info(core);
    if (ret == MCD_RET_ACT_HANDLE_EVENT) {
        cr_log_info("%s:%d: %s reported events 0x%x: %s", file, line,
                    call_fn(call, fn, sizeof(fn)), info.error_events,
                    info.error_str);
        return;
    }
    cr_assert_fail("%s:%d: %s failed: %s, %s (0x%x): \"%s\"\n    call: %s",
                   file, line, call_fn(call, fn, sizeof(fn)),
                   conf_ret_name(ret), conf_err_name(info.error_code),
                   info.error_code, info.error_str, call);
}

void conf_expect_err(const mcd_core_st *core, mcd_return_et ret,
                     mcd_error_code_et code, const char *call, const char *file,
                     int line)
{
    const char *f;
    mcd_error_info_st info;
    char fn[64];

    f = call_fn(call, fn, sizeof(fn));
    cr_assert(ret == MCD_RET_ACT_HANDLE_ERROR,
              "%s:%d: %s should fail (MCD_RET_ACT_HANDLE_ERROR, %s) but "
              "returned %s\n    call: %s",
              file, line, f,
              code == CONF_ANY_ERROR ? "any code" : conf_err_name(code),
              conf_ret_name(ret), call);
    info = conf_error_info(core);
    cr_assert(info.return_status == ret,
              "%s:%d: %s failed, but mcd_qry_error_info_f(%s) reports "
              "return_status %s",
              file, line, f, core ? "core" : "NULL",
              conf_ret_name(info.return_status));
    if (code == CONF_ANY_ERROR) {
        cr_assert(info.error_code != MCD_ERR_NONE,
                  "%s:%d: %s failed with error_code MCD_ERR_NONE", file, line,
                  f);
    } else {
        cr_assert(info.error_code == code,
                  "%s:%d: %s: error_code %s (0x%x), expected %s (0x%x); "
                  "error_str \"%s\"",
                  file, line, f, conf_err_name(info.error_code),
                  info.error_code, conf_err_name(code), code, info.error_str);
    }
    cr_assert(info.error_str[0] != '\0',
              "%s:%d: %s failed with %s but an empty error_str", file, line, f,
              conf_err_name(info.error_code));
}

/* ------------------------------------------------------------------------
 * Capabilities
 */

bool conf_has(enum conf_cap cap)
{
    return conf.target->caps[cap].present;
}

void conf_require(enum conf_cap cap)
{
    const struct conf_cap_info *ci = &conf.target->caps[cap];

    if (ci->present) {
        return;
    }
    cr_assert(ci->reason && ci->reason[0],
              "the profile of target '%s' lacks %s but gives no reason: "
              "add one in tests/conformance/targets.c",
              conf.target->name, conf_cap_name(cap));
    cr_skip_test("%s lacks %s: %s", conf.target->name, conf_cap_name(cap),
                 ci->reason);
}

void conf_require_cores(uint32_t n)
{
    if (conf.ncores < n) {
        cr_skip_test("%s has %u core(s); this test needs %u", conf.target->name,
                     conf.ncores, n);
    }
}

/* ------------------------------------------------------------------------
 * Session steps (no Criterion: see the file comment)
 */

static int say(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int conf_say_mcd(struct conf *cf, const mcd_core_st *core, const char *fn,
                 mcd_return_et ret, char *err, size_t errlen)
{
    mcd_error_info_st info;

    memset(&info, 0, sizeof(info));
    cf->api.qry_error_info(core, &info);
    info.error_str[sizeof(info.error_str) - 1] = '\0';
    return say(err, errlen, "%s failed: %s, %s (0x%x): \"%s\"", fn,
               conf_ret_name(ret), conf_err_name(info.error_code),
               info.error_code, info.error_str);
}

int conf_env_load(struct conf *cf, char *err, size_t errlen)
{
    const char *name = getenv(CONF_ENV_TARGET);

    if (!name || !*name) {
        name = CONF_DEFAULT_TARGET;
    }
    cf->target = conf_target_find(name);
    if (!cf->target) {
        return say(err, errlen,
                   "%s=%s: no such target profile (known: %s); add one in "
                   "tests/conformance/targets.c",
                   CONF_ENV_TARGET, name, conf_target_names());
    }
    cf->config = getenv(CONF_ENV_CONFIG);
    return 0;
}

int conf_lib_load(struct conf *cf, char *err, size_t errlen)
{
    const char *path = getenv(CONF_ENV_LIB);
    size_t off;
    int missing = 0;

    cf->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!cf->dl) {
        return say(err, errlen, "%s=%s: dlopen: %s", CONF_ENV_LIB, path,
                   dlerror());
    }
    off = (size_t)snprintf(err, errlen, "%s lacks", path);
#define CONF_RESOLVE(name)                                                     \
    cf->api.name = (__typeof__(cf->api.name))dlsym(cf->dl, "mcd_" #name "_f"); \
    if (!cf->api.name && ++missing && off < errlen) {                          \
        off += (size_t)snprintf(err + off, errlen - off, "%s mcd_%s_f",        \
                                missing > 1 ? "," : "", #name);                \
    }
    CONF_FUNCS(CONF_RESOLVE)
#undef CONF_RESOLVE
    return missing ? -1 : 0;
}

/* The system the profile names (or the first) into cf->system. */
static int session_system(struct conf *cf, char *err, size_t errlen)
{
    mcd_core_con_info_st sys[8];
    uint32_t i, n = 0;
    mcd_return_et ret;

    ret = cf->api.qry_systems(0, &n, NULL);
    if (ret != MCD_RET_ACT_NONE) {
        return conf_say_mcd(cf, NULL, "mcd_qry_systems_f (count)", ret, err,
                            errlen);
    }
    n = n < 8 ? n : 8;
    ret = n ? cf->api.qry_systems(0, &n, sys) : MCD_RET_ACT_NONE;
    if (ret != MCD_RET_ACT_NONE) {
        return conf_say_mcd(cf, NULL, "mcd_qry_systems_f", ret, err, errlen);
    }
    for (i = 0; i < n; i++) {
        if (!cf->target->system || !strcmp(sys[i].system, cf->target->system)) {
            cf->system = sys[i];
            return 0;
        }
    }
    return say(err, errlen, "the server lists %u system(s), none named \"%s\"",
               n, cf->target->system ? cf->target->system : "(any)");
}

/* Every core of cf->system into cf->cores (not opened). */
static int session_cores(struct conf *cf, char *err, size_t errlen)
{
    mcd_core_con_info_st ci[CONF_MAX_CORES];
    uint32_t i, n = 0;
    mcd_return_et ret;

    ret = cf->api.qry_cores(&cf->system, 0, &n, NULL);
    if (ret != MCD_RET_ACT_NONE) {
        return conf_say_mcd(cf, NULL, "mcd_qry_cores_f (count)", ret, err,
                            errlen);
    }
    if (n < cf->target->min_cores || n > CONF_MAX_CORES) {
        return say(err, errlen,
                   "system \"%s\" has %u cores; the %s profile expects "
                   "%u..%u",
                   cf->system.system, n, cf->target->name,
                   cf->target->min_cores, CONF_MAX_CORES);
    }
    ret = cf->api.qry_cores(&cf->system, 0, &n, ci);
    if (ret != MCD_RET_ACT_NONE) {
        return conf_say_mcd(cf, NULL, "mcd_qry_cores_f", ret, err, errlen);
    }
    for (i = 0; i < n; i++) {
        cf->cores[i].info = ci[i];
    }
    cf->ncores = n;
    return 0;
}

int conf_session_open(struct conf *cf, char *err, size_t errlen)
{
    mcd_api_version_st req = { MCD_API_VER_MAJOR, MCD_API_VER_MINOR,
                               MCD_API_VER_AUTHOR };
    mcd_impl_version_info_st impl;
    mcd_return_et ret;

    ret = cf->api.initialize(&req, &impl);
    if (ret != MCD_RET_ACT_NONE) {
        return conf_say_mcd(cf, NULL, "mcd_initialize_f(1.1)", ret, err,
                            errlen);
    }
    cf->initialized = true;
    ret = cf->api.open_server("", cf->config, &cf->server);
    if (ret != MCD_RET_ACT_NONE || !cf->server) {
        cf->server = NULL;
        return conf_say_mcd(cf, NULL, "mcd_open_server_f", ret, err, errlen);
    }
    if (session_system(cf, err, errlen) < 0) {
        return -1;
    }
    return session_cores(cf, err, errlen);
}

int conf_core_open(struct conf *cf, uint32_t i, char *err, size_t errlen)
{
    struct conf_core *cc = &cf->cores[i];
    mcd_return_et ret;

    ret = cf->api.open_core(&cc->info, &cc->core);
    if (ret != MCD_RET_ACT_NONE || !cc->core) {
        cc->core = NULL;
        return conf_say_mcd(cf, NULL, "mcd_open_core_f", ret, err, errlen);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Fixtures
 */

void conf_open_env(void)
{
    char err[512];

    if (!getenv(CONF_ENV_LIB) || !getenv(CONF_ENV_CONFIG)) {
        cr_skip_test("not configured: set %s=/path/to/libmcdshm.so and "
                     "%s='McdShmEndpoint=\"/path/to/server.sock\"' (also "
                     "%s=vp and %s=/path/to/test_prog.elf), or run "
                     "tests/conformance/run_vp.sh",
                     CONF_ENV_LIB, CONF_ENV_CONFIG, CONF_ENV_TARGET,
                     CONF_ENV_ELF);
    }
    if (conf_env_load(&conf, err, sizeof(err)) < 0) {
        cr_assert_fail("%s", err);
    }
}

void conf_open_lib(void)
{
    char err[2048];

    conf_open_env();
    if (conf_lib_load(&conf, err, sizeof(err)) < 0) {
        cr_assert_fail("%s", err);
    }
}

/* Every core in global run control, halted, without triggers. */
static void conf_quiesce(void)
{
    uint32_t i;

    for (i = 0; conf_has(CAP_SET_GLOBAL) && i < conf.ncores; i++) {
        CHECK_MCD(CORE(i), conf.api.set_global(CORE(i), TRUE));
    }
    conf_stop_all();
    for (i = 0; i < conf.ncores; i++) {
        CHECK_MCD(CORE(i), conf.api.remove_trig_set(CORE(i)));
    }
}

void conf_open(void)
{
    char err[1024];
    uint32_t i;

    conf_open_lib();
    if (conf_session_open(&conf, err, sizeof(err)) < 0) {
        cr_assert_fail("opening %s with %s='%s': %s", conf.target->what,
                       CONF_ENV_CONFIG, conf.config, err);
    }
    for (i = 0; i < conf.ncores; i++) {
        if (conf_core_open(&conf, i, err, sizeof(err)) < 0) {
            cr_assert_fail("opening core \"%s\": %s", conf.cores[i].info.core,
                           err);
        }
    }
    conf_quiesce();
}

void conf_forget_session(void)
{
    uint32_t i;

    for (i = 0; i < conf.ncores; i++) {
        free(conf.cores[i].regs);
        conf.cores[i].regs = NULL;
        CORE(i) = NULL;
    }
    conf.server = NULL;
    conf.initialized = false;
}

void conf_close(void)
{
    uint32_t i;

    if (!conf.dl || !conf.initialized) {
        return;
    }
    conf_stop_all();
    for (i = 0; i < conf.ncores; i++) {
        free(conf.cores[i].regs);
        conf.cores[i].regs = NULL;
        if (CORE(i)) {
            CHECK_MCD(CORE(i), conf.api.close_core(CORE(i)));
            CORE(i) = NULL;
        }
    }
    if (conf.server) {
        CHECK_MCD(NULL, conf.api.close_server(conf.server));
        conf.server = NULL;
    }
    conf.api.exit();
    conf.initialized = false;
    conf_elf_free(&conf.elf);
    /* No dlclose(): the library may still have threads winding down, and
     * the process ends with the test anyway. */
}
