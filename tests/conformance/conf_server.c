/*
 * conf_server.c - conformance of the session functions: initialize and
 * exit, servers (listing, opening twice, closing twice, configuration),
 * the system/device/core queries with their count-then-fetch rules,
 * opening and closing cores, and where mcd_qry_error_info_f finds an
 * error: per core, or core-less for calls without a core.
 *
 * Where the API leaves a choice (a second mcd_open_server_f or
 * mcd_open_core_f on what is already open), a test accepts either
 * documented outcome, success with a distinct handle or a clear error,
 * and checks the first handle still works.  Each test runs in its own
 * process with its own session (conf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static mcd_api_version_st version(uint16_t major, uint16_t minor)
{
    mcd_api_version_st v;

    memset(&v, 0, sizeof(v));
    v.v_api_major = major;
    v.v_api_minor = minor;
    strcpy(v.author, MCD_API_VER_AUTHOR);
    return v;
}

static bool terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

/* ------------------------------------------------------------------------
 * The library and initialization
 */

/* The symbols, checked in the test itself so a failure is the test's. */
Test(api, all_54_functions_resolve, .init = conf_open_env,
     .timeout = CONF_TIMEOUT)
{
    char err[2048];

    cr_assert(conf_lib_load(&conf, err, sizeof(err)) == 0, "%s", err);
}

Test(server, initialize_accepts_1_1, .init = conf_open_lib, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_api_version_st req = version(1, 1);
    mcd_impl_version_info_st impl;

    memset(&impl, 0xa5, sizeof(impl));
    CHECK_MCD(NULL, conf.api.initialize(&req, &impl));
    conf.initialized = true;
    cr_assert(impl.v_api.v_api_major == 1 && impl.v_api.v_api_minor >= 1,
              "a 1.1 request was accepted by an implementation of %u.%u",
              impl.v_api.v_api_major, impl.v_api.v_api_minor);
    cr_assert(terminated(impl.vendor, sizeof(impl.vendor)) && impl.vendor[0],
              "impl_info.vendor is empty or not NUL-terminated");
    cr_assert(terminated(impl.date, sizeof(impl.date)) &&
                  terminated(impl.v_api.author, sizeof(impl.v_api.author)),
              "impl_info.date or v_api.author is not NUL-terminated");
}

Test(server, initialize_refuses_2_0, .init = conf_open_lib, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_api_version_st req = version(2, 0);
    mcd_impl_version_info_st impl;

    EXPECT_MCD_ERR(NULL, conf.api.initialize(&req, &impl), MCD_ERR_GENERAL);
    req = version(1, 1);
    CHECK_MCD(NULL, conf.api.initialize(&req, &impl));
    conf.initialized = true;
}

Test(server, exit_then_new_session, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    char err[1024];

    conf.api.exit();
    conf_forget_session();
    cr_assert(conf_session_open(&conf, err, sizeof(err)) == 0,
              "after mcd_exit_f, a new session fails: %s", err);
    cr_assert(conf_core_open(&conf, 0, err, sizeof(err)) == 0,
              "after mcd_exit_f, opening core 0 fails: %s", err);
    conf_state(0);
}

/* ------------------------------------------------------------------------
 * Servers
 */

static mcd_return_et fetch_servers(void *ctx, uint32_t start, uint32_t *num,
                                   void *out)
{
    (void)ctx;
    return conf.api.qry_servers("localhost", TRUE, start, num, out);
}

Test(server, qry_servers_count_then_fetch, .init = conf_open,
     .fini = conf_close, .timeout = CONF_TIMEOUT)
{
    struct conf_list l = {
        .what = "mcd_qry_servers_f",
        .fetch = fetch_servers,
        .size = sizeof(mcd_server_info_st),
    };
    mcd_server_info_st *s;
    uint32_t k, n;

    s = conf_check_list(&l, &n);
    cr_assert(n >= 1, "no running server listed while one is open");
    for (k = 0; k < n; k++) {
        cr_assert(terminated(s[k].server, sizeof(s[k].server)) &&
                      s[k].server[0],
                  "server %u has an empty or unterminated name", k);
    }
    free(s);
}

Test(server, open_same_server_twice, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_server_st *again = NULL;
    mcd_return_et ret;
    uint32_t len = 0;

    ret = CONF_CALL(conf.api.open_server("", conf.config, &again));
    if (ret == MCD_RET_ACT_NONE) {
        cr_assert(again && again != conf.server,
                  "a second mcd_open_server_f succeeded with %s handle",
                  again ? "the first one's" : "a NULL");
        CHECK_MCD(NULL, conf.api.close_server(again));
    } else {
        conf_expect_err(NULL, ret, CONF_ANY_ERROR, "a second mcd_open_server_f",
                        __FILE__, __LINE__);
    }
    CHECK_MCD(NULL, conf.api.qry_server_config(conf.server, &len, NULL));
    conf_state(0);
}

Test(server, close_server_twice, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    const mcd_server_st *s = conf.server;
    uint32_t i;

    for (i = 0; i < conf.ncores; i++) {
        CHECK_MCD(CORE(i), conf.api.close_core(CORE(i)));
        CORE(i) = NULL;
    }
    CHECK_MCD(NULL, conf.api.close_server(s));
    conf.server = NULL;
    EXPECT_MCD_ERR(NULL, conf.api.close_server(s), CONF_ANY_ERROR);
}

Test(server, server_config_sizes, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint32_t need = 0, len;
    char *buf;

    CHECK_MCD(NULL, conf.api.set_server_config(conf.server, conf.config));
    CHECK_MCD(NULL, conf.api.qry_server_config(conf.server, &need, NULL));
    cr_assert(need >= 1 && need <= 65536,
              "mcd_qry_server_config_f: required length %u", need);
    buf = malloc(need + 8);
    cr_assert(buf, "out of memory");
    memset(buf, 0x7f, need + 8);
    len = need;
    CHECK_MCD(NULL, conf.api.qry_server_config(conf.server, &len, buf));
    cr_assert(len == need, "max_len out is %u; the size query said %u", len,
              need);
    cr_assert(strnlen(buf, need) == need - 1 && buf[need] == 0x7f,
              "the configuration has %zu characters; max_len %u says %u",
              strnlen(buf, need), need, need - 1);
    if (need > 1) {
        len = need - 1;
        buf[need - 1] = 0x7f;
        EXPECT_MCD_ERR(NULL, conf.api.qry_server_config(conf.server, &len, buf),
                       MCD_ERR_RESULT_TOO_LONG);
        cr_assert(len == need,
                  "after RESULT_TOO_LONG max_len is %u, not the %u needed", len,
                  need);
        cr_assert(buf[need - 1] == 0x7f,
                  "mcd_qry_server_config_f wrote past max_len %u", need - 1);
    }
    free(buf);
}

/* ------------------------------------------------------------------------
 * Systems, devices, cores
 */

static mcd_return_et fetch_systems(void *ctx, uint32_t start, uint32_t *num,
                                   void *out)
{
    (void)ctx;
    return conf.api.qry_systems(start, num, out);
}

static mcd_return_et fetch_devices(void *ctx, uint32_t start, uint32_t *num,
                                   void *out)
{
    return conf.api.qry_devices(ctx, start, num, out);
}

static mcd_return_et fetch_cores(void *ctx, uint32_t start, uint32_t *num,
                                 void *out)
{
    return conf.api.qry_cores(ctx, start, num, out);
}

static mcd_core_con_info_st *check_ci_list(const char *what, conf_fetch_fn f,
                                           const mcd_core_con_info_st *ctx,
                                           uint32_t *n)
{
    struct conf_list l = {
        .what = what,
        .fetch = f,
        .ctx = (void *)ctx,
        .size = sizeof(mcd_core_con_info_st),
    };
    mcd_core_con_info_st *ci = conf_check_list(&l, n);

    cr_assert(*n >= 1, "%s lists nothing", what);
    return ci;
}

Test(system, qry_systems_count_then_fetch, .init = conf_open,
     .fini = conf_close, .timeout = CONF_TIMEOUT)
{
    mcd_core_con_info_st *s;
    uint32_t k, n;
    bool found = false;

    s = check_ci_list("mcd_qry_systems_f", fetch_systems, NULL, &n);
    for (k = 0; k < n; k++) {
        cr_assert(terminated(s[k].system, sizeof(s[k].system)) &&
                      s[k].system[0],
                  "system %u has an empty or unterminated name", k);
        found |= !strcmp(s[k].system, conf.system.system);
    }
    cr_assert(found, "system \"%s\" is not listed", conf.system.system);
    free(s);
}

Test(system, qry_devices_count_then_fetch, .init = conf_open,
     .fini = conf_close, .timeout = CONF_TIMEOUT)
{
    mcd_core_con_info_st *d;
    uint32_t k, n;

    d = check_ci_list("mcd_qry_devices_f", fetch_devices, &conf.system, &n);
    for (k = 0; k < n; k++) {
        cr_assert(terminated(d[k].device, sizeof(d[k].device)) &&
                      d[k].device[0],
                  "device %u has an empty or unterminated name", k);
        cr_assert(!strcmp(d[k].system, conf.system.system),
                  "device %u of system \"%s\" names system \"%s\"", k,
                  conf.system.system, d[k].system);
    }
    free(d);
}

Test(system, qry_cores_count_then_fetch, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_core_con_info_st *c, *d, *dc;
    uint32_t j, k, n, nd, ndc;

    c = check_ci_list("mcd_qry_cores_f", fetch_cores, &conf.system, &n);
    cr_assert(n == conf.ncores, "%u cores now, %u when the session opened", n,
              conf.ncores);
    for (k = 0; k < n; k++) {
        cr_assert(c[k].core[0], "core %u has an empty name", k);
        for (j = 0; j < k; j++) {
            cr_assert(strcmp(c[j].core, c[k].core),
                      "cores %u and %u are both \"%s\"", j, k, c[k].core);
        }
    }
    d = check_ci_list("mcd_qry_devices_f", fetch_devices, &conf.system, &nd);
    dc = check_ci_list("mcd_qry_cores_f (of a device)", fetch_cores, &d[0],
                       &ndc);
    cr_assert(ndc <= n, "device \"%s\" has %u cores, its system only %u",
              d[0].device, ndc, n);
    free(dc);
    free(d);
    free(c);
}

/* ------------------------------------------------------------------------
 * Cores and errors
 */

Test(core, open_every_core, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    const mcd_core_con_info_st *ci;
    uint32_t i;

    for (i = 0; i < conf.ncores; i++) {
        ci = CORE(i)->core_con_info;
        cr_assert(ci && !strcmp(ci->core, CCORE(i)->info.core),
                  "the handle of core \"%s\" names core \"%s\"",
                  CCORE(i)->info.core, ci ? ci->core : "(NULL)");
        cr_assert(conf_is_halted(conf_state(i).state),
                  "core \"%s\" is not halted after a global stop",
                  CCORE(i)->info.core);
    }
}

Test(core, open_same_core_twice, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_core_st *again = NULL;
    mcd_core_state_st st;
    mcd_return_et ret;

    ret = CONF_CALL(conf.api.open_core(&CCORE(0)->info, &again));
    if (ret == MCD_RET_ACT_NONE) {
        cr_assert(again && again != CORE(0),
                  "a second mcd_open_core_f succeeded with %s handle",
                  again ? "the first one's" : "a NULL");
        CHECK_MCD(again, conf.api.qry_state(again, &st));
        CHECK_MCD(again, conf.api.close_core(again));
    } else {
        conf_expect_err(NULL, ret, CONF_ANY_ERROR, "a second mcd_open_core_f",
                        __FILE__, __LINE__);
    }
    conf_state(0);
}

/*
 * The second close passes a handle that is no longer open: the library
 * must refuse it with an error, which it may report core-less (the
 * handle names no core any more) or on that handle.
 */
Test(core, close_core_twice, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    uint32_t last = conf.ncores - 1;
    const mcd_core_st *c = CORE(last);
    mcd_error_info_st info;
    mcd_return_et ret;

    CHECK_MCD(c, conf.api.close_core(c));
    CORE(last) = NULL;
    ret = CONF_CALL(conf.api.close_core(c));
    cr_assert(ret == MCD_RET_ACT_HANDLE_ERROR,
              "closing core \"%s\" again returned %s", CCORE(last)->info.core,
              conf_ret_name(ret));
    info = conf_error_info(NULL);
    if (info.error_code == MCD_ERR_NONE) {
        info = conf_error_info(c);
    }
    cr_assert(info.error_code != MCD_ERR_NONE && info.error_str[0],
              "closing a closed core: no error code and message, neither "
              "core-less nor on the handle");
}

Test(core, error_info_core_and_coreless, .init = conf_open, .fini = conf_close,
     .timeout = CONF_TIMEOUT)
{
    mcd_core_con_info_st sys;
    mcd_error_info_st info;
    uint32_t n = 0;

    EXPECT_MCD_ERR(CORE(0), conf.api.qry_reg_map(CORE(0), 0xffff, 0, &n, NULL),
                   MCD_ERR_REG_GROUP_ID);
    n = 1;
    EXPECT_MCD_ERR(NULL, conf.api.qry_systems(1000, &n, &sys), MCD_ERR_PARAM);
    info = conf_error_info(CORE(0));
    cr_assert(info.error_code == MCD_ERR_REG_GROUP_ID,
              "a core-less error replaced core 0's: %s \"%s\"",
              conf_err_name(info.error_code), info.error_str);
    info = conf_error_info(NULL);
    cr_assert(info.error_code == MCD_ERR_PARAM,
              "the core-less error is %s \"%s\", expected MCD_ERR_PARAM",
              conf_err_name(info.error_code), info.error_str);
    if (conf.ncores > 1) {
        info = conf_error_info(CORE(1));
        cr_assert(info.error_code == MCD_ERR_NONE,
                  "core 1's last call succeeded, yet its error info says "
                  "%s \"%s\"",
                  conf_err_name(info.error_code), info.error_str);
    }
    conf_state(0);
    info = conf_error_info(CORE(0));
    cr_assert(info.error_code == MCD_ERR_NONE &&
                  info.return_status == MCD_RET_ACT_NONE,
              "after a successful call core 0's error info still says %s",
              conf_err_name(info.error_code));
}
