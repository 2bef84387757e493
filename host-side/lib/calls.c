/*
 * The MCD functions of target initialization, server and core connection,
 * error information and triggers (the count-then-fetch ones are in
 * query.c, execution control, reset, channels and trace in control.c).
 *
 * Each function checks its arguments, resolves its handle, sends one
 * request (or answers locally: initialize, qry_error_info,
 * qry_max_payload_size, qry_input_handle) and checks every field of the
 * answer it uses.  Outputs are written when the answer is not
 * MCD_RET_ACT_HANDLE_ERROR, except the sizes of the size in/out functions,
 * which are written always (MCD_ERR_RESULT_TOO_LONG says how much is
 * needed).  Runs on the calling thread.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-side/lib/client.h"
#include "mcdshm/client.h"

static bool failed(const struct mcdc_call *x)
{
    return x->res.return_status == MCD_RET_ACT_HANDLE_ERROR;
}

/* ------------------------------------------------------------------------
 * Target initialization
 */

MCD_API_EXPORT mcd_return_et mcd_initialize_f(
    const mcd_api_version_st *version_req, mcd_impl_version_info_st *impl_info)
{
    struct mcdc_call x;
    int r = 0;

    mcdc_call_init(&x, "mcd_initialize_f");
    if (!version_req || !impl_info) {
        r = mcdc_fail(&x, -EINVAL, "%s is NULL",
                      version_req ? "impl_info" : "version_req");
    } else if (version_req->v_api_major != MCD_API_VER_MAJOR ||
               version_req->v_api_minor != MCD_API_VER_MINOR) {
        /* Only the header's own version: the structures of another one
         * differ, and a tool built against them must be told (as the
         * reference client stub does). */
        r = mcdc_fail(&x, -ENOTSUP,
                      "API version %u.%u requested; libmcdshm implements "
                      "MCD API %u.%u only",
                      version_req->v_api_major, version_req->v_api_minor,
                      MCD_API_VER_MAJOR, MCD_API_VER_MINOR);
    } else {
        mcdc_set_api_version(version_req);
        memset(impl_info, 0, sizeof(*impl_info));
        impl_info->v_api.v_api_major = MCD_API_VER_MAJOR;
        impl_info->v_api.v_api_minor = MCD_API_VER_MINOR;
        snprintf(impl_info->v_api.author, sizeof(impl_info->v_api.author), "%s",
                 MCD_API_VER_AUTHOR);
        impl_info->v_imp_major = MCDSHM_VERSION_MAJOR;
        impl_info->v_imp_minor = MCDSHM_VERSION_MINOR;
        impl_info->v_imp_build = MCDSHM_VERSION_PATCH;
        snprintf(impl_info->vendor, sizeof(impl_info->vendor), "mcdshm");
        snprintf(impl_info->date, sizeof(impl_info->date), "%s", __DATE__);
    }
    return mcdc_leave(&x, r);
}

/* Close one connection for mcd_exit_f: tell the server, free the cores. */
static void exit_conn(struct mcdc_conn *c)
{
    struct mcdc_call x;

    mcdc_call_init(&x, "mcd_exit_f");
    mcdc_close_call(&x, c, MCDSHM_FN_EXIT);
    mcdc_conn_down(c, -ENOTCONN, "server '%s' was closed by mcd_exit_f",
                   c->name);
    mcdc_exit_conn(&x);
    while (c->cores) {
        mcdc_core_free(c->cores);
    }
    if (c->listed) {
        mcdc_conn_unlist(c);
        mcdc_conn_put(c);
    }
}

MCD_API_EXPORT void mcd_exit_f(void)
{
    struct mcdc_conn **v;
    int i, n = mcdc_conns(&v, true);

    for (i = 0; i < n; i++) {
        exit_conn(v[i]);
    }
    if (n > 0) {
        mcdc_conns_put(v, n);
    }
}

/* ------------------------------------------------------------------------
 * Server connection
 */

/* Tell the server which API version the tool asked for. */
static int send_initialize(struct mcdc_call *x)
{
    struct mcdshm_req_initialize b;
    mcd_api_version_st v;

    memset(&b, 0, sizeof(b));
    mcdc_api_version(&v);
    memcpy(&b.version_req, &v, sizeof(v));
    return mcdc_simple(x, MCDSHM_FN_INITIALIZE, &b, sizeof(b), NULL, 0);
}

static int send_open_server(struct mcdc_call *x, const char *key,
                            const char *cfg)
{
    struct mcdshm_req *q;
    struct mcdshm_resp a;
    const uint8_t *rpl;
    uint8_t *pl;
    uint32_t off = 0;
    int r;

    r = mcdc_req_begin(x, MCDSHM_FN_OPEN_SERVER, &q, &pl);
    if (r == 0) {
        r = mcdc_put_str(x, key, pl, &off, &q->u.open_server.system_key,
                         "system_key");
    }
    if (r == 0) {
        r = mcdc_put_str(x, cfg, pl, &off, &q->u.open_server.config_string,
                         "config_string");
    }
    if (r == 0) {
        r = mcdc_transact(x, off, &a, &rpl);
    } else {
        /* Abandon the unpublished record: nothing to undo. */
        return r;
    }
    if (r < 0) {
        return r;
    }
    mcdc_answer(x, &a);
    if (!failed(x)) {
        r = mcdc_resp_span(x, &a, a.u.open_server.host, "host");
        if (r == 0) {
            r = mcdc_resp_span(x, &a, a.u.open_server.config_string,
                               "config_string");
        }
        x->conn->server_uid = a.u.open_server.server_uid;
    }
    mcdc_resp_done(x);
    return r;
}

/* The configuration string kept in the mcd_server_st. */
static char *effective_config(const char *given, const struct mcdc_config *cfg,
                              const char *name)
{
    char *s = NULL;

    if (cfg->set & (MCDC_CFG_SERVER | MCDC_CFG_ENDPOINT)) {
        return strdup(given ? given : "");
    }
    if (asprintf(&s, "%s%sMcdServerName=\"%s\"", given ? given : "",
                 given && *given ? " " : "", name) < 0) {
        return NULL;
    }
    return s;
}

static int open_server(struct mcdc_call *x, const char *key, const char *cfgs,
                       mcd_server_st **server)
{
    struct mcdc_config cfg;
    char path[SHM_PATH_MAX], err[MCDC_ERRLEN];
    struct mcdc_conn *c;
    int r;

    mcdc_config_defaults(&cfg);
    r = mcdc_config_parse(cfgs, &cfg, err, sizeof(err));
    if (r < 0) {
        return mcdc_fail(x, r, "%s", err);
    }
    if (cfg.set & MCDC_CFG_RELAY) {
        r = mcdc_remote_open(x, &cfg, &c);
    } else {
        r = mcdc_choose_endpoint(x, &cfg, path);
        if (r == 0) {
            r = mcdc_conn_open(x, path, &cfg, &c);
        }
    }
    if (r < 0) {
        return r;
    }
    r = mcdc_enter_conn(x, c);
    if (r == 0) {
        r = send_initialize(x);
    }
    if (r == 0 && !failed(x)) {
        r = send_open_server(x, key, cfgs);
    }
    mcdc_exit_conn(x);
    if (r == 0 && !failed(x)) {
        c->config = effective_config(cfgs, &cfg, c->name);
        r = c->config ? 0 : mcdc_fail(x, -ENOMEM, "out of memory");
    }
    if (r < 0 || failed(x)) {
        mcdc_conn_put(c);
        return r;
    }
    c->pub.config_string = c->config;
    mcdc_conn_list(c);
    *server = &c->pub;
    return 0;
}

MCD_API_EXPORT mcd_return_et mcd_open_server_f(const mcd_char_t *system_key,
                                               const mcd_char_t *config_string,
                                               mcd_server_st **server)
{
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_open_server_f");
    if (!server) {
        r = mcdc_fail(&x, -EINVAL, "server is NULL");
    } else {
        r = open_server(&x, system_key, config_string, server);
    }
    return mcdc_leave(&x, r);
}

/* Resolve a server handle for a call; the outcome stays core-less. */
static int use_server(struct mcdc_call *x, const mcd_server_st *server,
                      struct mcdc_conn **c)
{
    *c = mcdc_server_conn(server);
    if (!*c) {
        return mcdc_fail(x, -EINVAL, "server %s",
                         server ? "is not an open server of this library"
                                : "is NULL");
    }
    return 0;
}

MCD_API_EXPORT mcd_return_et mcd_close_server_f(const mcd_server_st *server)
{
    struct mcdc_conn *c;
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_close_server_f");
    r = use_server(&x, server, &c);
    if (r < 0) {
        return mcdc_leave(&x, r);
    }
    r = mcdc_close_call(&x, c, MCDSHM_FN_CLOSE_SERVER);
    mcdc_conn_down(c, -ENOTCONN, "server '%s' was closed", c->name);
    mcdc_exit_conn(&x);
    mcdc_conn_unlist(c);
    mcdc_conn_put(c);
    return mcdc_leave(&x, r);
}

/* Apply the library's own keys of a new configuration string. */
static int apply_local_config(struct mcdc_call *x,
                              const struct mcdc_config *cfg)
{
    struct mcdc_conn *c = x->conn;
    int r;

    if (cfg->set & MCDC_CFG_TIMEOUT) {
        c->timeout_ms = cfg->timeout_ms;
    }
    if (cfg->set & MCDC_CFG_WINDOW) {
        c->use_window = cfg->window; /* no effect if none was mapped */
    }
    if ((cfg->set & MCDC_CFG_POLICY) && cfg->policy != c->policy &&
        !c->remote) { /* a remote connection waits on its socket */
        shm_waiter_destroy(&c->waiter);
        r = shm_waiter_init(&c->waiter, cfg->policy, 0, c->shm.resp_efd,
                            c->shm.sock);
        if (r < 0) {
            mcdc_conn_down(c, r, "server '%s': epoll: %s", c->name,
                           strerror(-r));
            return mcdc_fail(x, r, "%s", c->down_msg);
        }
        c->policy = cfg->policy;
    }
    return 0;
}

static int set_server_config(struct mcdc_call *x, const char *s)
{
    struct mcdc_config cfg;
    char err[MCDC_ERRLEN];
    struct mcdshm_req *q;
    struct mcdshm_resp a;
    uint8_t *pl;
    uint32_t off = 0;
    int r;

    mcdc_config_defaults(&cfg);
    r = mcdc_config_parse(s, &cfg, err, sizeof(err));
    if (r < 0) {
        return mcdc_fail(x, r, "%s", err);
    }
    r = apply_local_config(x, &cfg);
    if (r == 0) {
        r = mcdc_req_begin(x, MCDSHM_FN_SET_SERVER_CONFIG, &q, &pl);
    }
    if (r == 0) {
        r = mcdc_put_str(x, s, pl, &off, &q->u.set_server_config.config_string,
                         "config_string");
    }
    if (r == 0) {
        r = mcdc_transact(x, off, &a, NULL);
    }
    if (r == 0) {
        mcdc_answer(x, &a);
        mcdc_resp_done(x);
    }
    return r;
}

MCD_API_EXPORT mcd_return_et mcd_set_server_config_f(
    const mcd_server_st *server, const mcd_char_t *config_string)
{
    struct mcdc_conn *c;
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_set_server_config_f");
    r = use_server(&x, server, &c);
    if (r == 0 && !config_string) {
        r = mcdc_fail(&x, -EINVAL, "config_string is NULL");
    }
    if (r == 0) {
        r = mcdc_enter_conn(&x, c);
    }
    if (r == 0) {
        r = set_server_config(&x, config_string);
    }
    return mcdc_leave(&x, r);
}

/*
 * Copy a returned string (response span @sp) into the tool's buffer of
 * @size bytes; the span may not exceed what was asked (@asked).
 */
static int take_str(struct mcdc_call *x, const struct mcdshm_resp *a,
                    const uint8_t *rpl, struct mcdshm_span sp, uint32_t asked,
                    char *buf, uint32_t size)
{
    int r = mcdc_resp_span(x, a, sp, "str");

    if (r < 0) {
        return r;
    }
    if (sp.len > asked) {
        return mcdc_malformed(x, "a string of %u bytes for a buffer of %u",
                              sp.len, asked);
    }
    if (!buf || size == 0) {
        return 0;
    }
    memcpy(buf, rpl + sp.off, sp.len);
    if (sp.len == 0) {
        buf[0] = '\0';
    } else if (buf[sp.len - 1] != '\0') {
        return mcdc_malformed(x, "a string is not NUL-terminated");
    }
    return 0;
}

/* Send a size in/out string request; the body's size is set by @fill. */
static int string_call(struct mcdc_call *x, uint16_t fn,
                       const struct mcdshm_req *body, uint32_t asked, char *buf,
                       uint32_t size, uint32_t *length)
{
    struct mcdshm_req *q;
    struct mcdshm_resp a;
    const uint8_t *rpl;
    uint8_t *pl;
    int r;

    r = mcdc_req_begin(x, fn, &q, &pl);
    if (r < 0) {
        return r;
    }
    memcpy(&q->u, &body->u, sizeof(q->u));
    r = mcdc_transact(x, 0, &a, &rpl);
    if (r < 0) {
        return r;
    }
    mcdc_answer(x, &a);
    r = take_str(x, &a, rpl, a.u.string.str, asked, buf, size);
    if (r == 0 && length) {
        *length = a.u.string.length;
    }
    mcdc_resp_done(x);
    return r;
}

MCD_API_EXPORT mcd_return_et mcd_qry_server_config_f(
    const mcd_server_st *server, uint32_t *max_len, mcd_char_t *config_string)
{
    struct mcdshm_req b;
    struct mcdc_conn *c;
    struct mcdc_call x;
    uint32_t ask = 0;
    int r;

    mcdc_call_init(&x, "mcd_qry_server_config_f");
    r = use_server(&x, server, &c);
    if (r == 0 && !max_len) {
        r = mcdc_fail(&x, -EINVAL, "max_len is NULL");
    }
    if (r == 0) {
        r = mcdc_enter_conn(&x, c);
    }
    if (r == 0) {
        if (config_string) {
            ask = *max_len < c->payload_size ? *max_len : c->payload_size;
        }
        memset(&b, 0, sizeof(b));
        b.u.qry_server_config.max_len = ask;
        r = string_call(&x, MCDSHM_FN_QRY_SERVER_CONFIG, &b, ask, config_string,
                        ask, max_len);
    }
    return mcdc_leave(&x, r);
}

/* ------------------------------------------------------------------------
 * Core connection
 */

/* Open the core on one connection; *k stays NULL on an error answer. */
static int open_core_on(struct mcdc_call *x, struct mcdc_conn *c,
                        const mcd_core_con_info_st *ci, struct mcdc_core **k)
{
    struct mcdshm_resp a;
    struct mcdshm_req *q;
    mcd_core_con_info_st full;
    uint8_t *pl;
    int r = mcdc_enter_conn(x, c);

    if (r == 0) {
        r = mcdc_req_begin(x, MCDSHM_FN_OPEN_CORE, &q, &pl);
    }
    if (r == 0) {
        memcpy(&q->u.open_core.core_con_info, ci, sizeof(*ci));
        r = mcdc_transact(x, 0, &a, NULL);
    }
    if (r == 0) {
        mcdc_answer(x, &a);
        mcdc_resp_done(x);
        memcpy(&full, &a.u.open_core.core_con_info, sizeof(full));
    }
    if (r == 0 && !failed(x) && a.u.open_core.core_uid == 0) {
        r = mcdc_malformed(x, "core_uid 0 for an opened core");
    }
    if (r == 0 && !failed(x)) {
        r = mcdc_check_strs(x, &full, 1, sizeof(full), mcdc_con_info_strf,
                            "core_con_info");
    }
    mcdc_exit_conn(x);
    if (r == 0 && !failed(x)) {
        *k = mcdc_core_new(c, a.u.open_core.core_uid, &full);
        r = *k ? 0 : mcdc_fail(x, -ENOMEM, "out of memory");
    }
    return r;
}

static int open_core(struct mcdc_call *x, const mcd_core_con_info_st *ci,
                     mcd_core_st **core)
{
    struct mcdc_conn **v;
    struct mcdc_core *k = NULL;
    mcd_error_info_st first = { 0 };
    int i, r = 0, first_r = 0, n = mcdc_conns(&v, false);

    if (n <= 0) {
        return mcdc_fail(x, n < 0 ? n : -ENOTCONN, "no server is open");
    }
    for (i = 0; i < n && !k; i++) {
        r = open_core_on(x, v[i], ci, &k);
        if (i == 0) {
            first = x->res;
            first_r = r;
        }
    }
    mcdc_conns_put(v, n);
    if (!k) {
        x->res = first;
        return first_r;
    }
    *core = &k->pub;
    return 0;
}

MCD_API_EXPORT mcd_return_et
mcd_open_core_f(const mcd_core_con_info_st *core_con_info, mcd_core_st **core)
{
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_open_core_f");
    if (!core_con_info || !core) {
        r = mcdc_fail(&x, -EINVAL, "%s is NULL",
                      core ? "core_con_info" : "core");
    } else {
        r = open_core(&x, core_con_info, core);
    }
    return mcdc_leave(&x, r);
}

MCD_API_EXPORT mcd_return_et mcd_close_core_f(const mcd_core_st *core)
{
    struct mcdc_core *k;
    struct mcdc_call x;
    mcd_return_et ret;
    int r;

    mcdc_call_init(&x, "mcd_close_core_f");
    r = mcdc_use_core(&x, core);
    if (r < 0) {
        return mcdc_leave(&x, r);
    }
    k = x.core;
    r = mcdc_close_call(&x, k->conn, MCDSHM_FN_CLOSE_CORE);
    mcdc_exit_conn(&x);
    /* The handle is gone either way; its outcome is core-less. */
    x.core = NULL;
    ret = mcdc_leave(&x, r);
    mcdc_core_free(k);
    return ret;
}

MCD_API_EXPORT void mcd_qry_error_info_f(const mcd_core_st *core,
                                         mcd_error_info_st *error_info)
{
    struct mcdc_call x;

    if (!error_info) {
        return;
    }
    mcdc_call_init(&x, "mcd_qry_error_info_f");
    if (core && mcdc_use_core(&x, core) < 0) {
        x.res.return_status = MCD_RET_ACT_HANDLE_ERROR;
        x.res.error_code = MCD_ERR_PARAM;
        *error_info = x.res;
        return;
    }
    mcdc_get_last_error(x.core, error_info);
}

MCD_API_EXPORT mcd_return_et mcd_qry_device_description_f(
    const mcd_core_st *core, mcd_char_t *url, uint32_t *url_length)
{
    struct mcdshm_req b;
    struct mcdc_call x;
    uint32_t ask;
    int r;

    mcdc_call_init(&x, "mcd_qry_device_description_f");
    r = mcdc_use_core(&x, core);
    if (r == 0 && !url_length) {
        r = mcdc_fail(&x, -EINVAL, "url_length is NULL");
    }
    if (r == 0) {
        r = mcdc_enter(&x);
    }
    if (r == 0) {
        ask = *url_length < x.conn->payload_size ? *url_length
                                                 : x.conn->payload_size;
        memset(&b, 0, sizeof(b));
        b.u.qry_device_description.url_length = ask;
        b.u.qry_device_description.want_url = url != NULL;
        r = string_call(&x, MCDSHM_FN_QRY_DEVICE_DESCRIPTION, &b, ask, url,
                        url ? ask : 0, url_length);
    }
    return mcdc_leave(&x, r);
}

MCD_API_EXPORT mcd_return_et mcd_qry_max_payload_size_f(const mcd_core_st *core,
                                                        uint32_t *max_payload)
{
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_qry_max_payload_size_f");
    r = mcdc_use_core(&x, core);
    if (r == 0 && !max_payload) {
        r = mcdc_fail(&x, -EINVAL, "max_payload is NULL");
    }
    if (r == 0) {
        *max_payload = MCDC_MAX_PAYLOAD;
    }
    return mcdc_leave(&x, r);
}

MCD_API_EXPORT mcd_return_et mcd_qry_input_handle_f(const mcd_core_st *core,
                                                    uint32_t *input_handle)
{
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_qry_input_handle_f");
    r = mcdc_use_core(&x, core);
    if (r == 0 && !input_handle) {
        r = mcdc_fail(&x, -EINVAL, "input_handle is NULL");
    }
    if (r == 0) {
        r = mcdc_enter(&x);
    }
    if (r == 0) {
        *input_handle = (uint32_t)x.conn->sock;
    }
    return mcdc_leave(&x, r);
}

/* ------------------------------------------------------------------------
 * Triggers
 */

MCD_API_EXPORT mcd_return_et mcd_qry_trig_info_f(const mcd_core_st *core,
                                                 mcd_trig_info_st *trig_info)
{
    return mcdc_core_call("mcd_qry_trig_info_f", core, MCDSHM_FN_QRY_TRIG_INFO,
                          NULL, 0, trig_info, sizeof(*trig_info), "trig_info",
                          NULL);
}

/* The tagged-union kind of an API trigger, or 0. */
static uint32_t trig_kind(uint32_t size, uint32_t type)
{
    _Static_assert(sizeof(mcd_trig_counter_st) == sizeof(mcd_trig_custom_st),
                   "counter and custom triggers share a size");
    switch (size) {
    case sizeof(mcd_trig_simple_core_st):
        return MCDSHM_TRIG_SIMPLE_CORE;
    case sizeof(mcd_trig_complex_core_st):
        return MCDSHM_TRIG_COMPLEX_CORE;
    case sizeof(mcd_trig_trig_bus_st):
        return MCDSHM_TRIG_TRIG_BUS;
    case sizeof(mcd_trig_counter_st): /* = sizeof(mcd_trig_custom_st) */
        return type == MCD_TRIG_TYPE_COUNTER  ? MCDSHM_TRIG_COUNTER
               : type == MCD_TRIG_TYPE_CUSTOM ? MCDSHM_TRIG_CUSTOM
                                              : 0;
    }
    return 0;
}

/* Zero the implicit padding the tool's structure may carry. */
static void trig_zero_pads(struct mcdshm_trig *t)
{
    memset(t->u.simple.pad0, 0, sizeof(t->u.simple.pad0));
    t->u.simple.modified = 0;
    switch (t->kind) {
    case MCDSHM_TRIG_SIMPLE_CORE:
        t->u.simple.pad1 = 0;
        t->u.simple.addr_start.pad = 0;
        break;
    case MCDSHM_TRIG_COMPLEX_CORE:
        t->u.complex.pad1 = 0;
        t->u.complex.pad2 = 0;
        t->u.complex.addr_start.pad = 0;
        break;
    case MCDSHM_TRIG_COUNTER:
        t->u.counter.pad1 = 0;
        break;
    }
}

/* Check a returned trigger: a known kind whose size and type agree. */
static int trig_check(struct mcdc_call *x, const struct mcdshm_trig *t)
{
    uint32_t size = t->u.simple.struct_size;

    if (t->kind == 0 || trig_kind(size, t->u.simple.type) != t->kind) {
        return mcdc_malformed(x,
                              "trigger kind %u with struct_size %u and "
                              "type 0x%x",
                              t->kind, size, t->u.simple.type);
    }
    return 0;
}

static int create_trig(struct mcdc_call *x, void *trig, uint32_t kind,
                       uint32_t *trig_id)
{
    struct mcdshm_req_create_trig b;
    struct mcdshm_resp_trig a;
    uint32_t size = *(uint32_t *)trig;
    int r;

    memset(&b, 0, sizeof(b));
    b.trig.kind = kind;
    memcpy(b.trig.u.raw, trig, size);
    trig_zero_pads(&b.trig);
    r = mcdc_simple(x, MCDSHM_FN_CREATE_TRIG, &b, sizeof(b), &a, sizeof(a));
    if (r < 0 || failed(x)) {
        return r;
    }
    if (a.trig.kind != kind || a.trig.u.simple.struct_size != size) {
        return mcdc_malformed(x,
                              "trigger of kind %u (%u bytes) returned for "
                              "kind %u (%u bytes)",
                              a.trig.kind, a.trig.u.simple.struct_size, kind,
                              size);
    }
    memcpy(trig, a.trig.u.raw, size);
    *trig_id = a.trig_id;
    return 0;
}

MCD_API_EXPORT mcd_return_et mcd_create_trig_f(const mcd_core_st *core,
                                               void *trig, uint32_t *trig_id)
{
    struct mcdc_call x;
    uint32_t kind = 0, size = 0, type = 0;
    int r;

    mcdc_call_init(&x, "mcd_create_trig_f");
    r = mcdc_use_core(&x, core);
    if (r == 0 && (!trig || !trig_id)) {
        r = mcdc_fail(&x, -EINVAL, "%s is NULL", trig ? "trig_id" : "trig");
    }
    if (r == 0) {
        memcpy(&size, trig, sizeof(size));
        memcpy(&type, (uint8_t *)trig + sizeof(size), sizeof(type));
        kind = trig_kind(size, type);
    }
    if (r == 0 && !kind) {
        r = mcdc_fail(&x, -EINVAL,
                      "trig has struct_size %u and type 0x%x: not a trigger "
                      "structure (64 simple, 112 complex, 36 trigger bus, 48 "
                      "with type COUNTER 0x%x or CUSTOM 0x%x)",
                      size, type, MCD_TRIG_TYPE_COUNTER, MCD_TRIG_TYPE_CUSTOM);
    }
    if (r == 0) {
        r = mcdc_enter(&x);
    }
    if (r == 0) {
        r = create_trig(&x, trig, kind, trig_id);
    }
    return mcdc_leave(&x, r);
}

MCD_API_EXPORT mcd_return_et mcd_qry_trig_f(const mcd_core_st *core,
                                            uint32_t trig_id,
                                            uint32_t max_trig_size, void *trig)
{
    struct mcdshm_req_qry_trig b = { trig_id, max_trig_size };
    struct mcdshm_resp_trig a;
    struct mcdc_call x;
    uint32_t size;
    int r;

    mcdc_call_init(&x, "mcd_qry_trig_f");
    r = mcdc_use_core(&x, core);
    if (r == 0 && max_trig_size && !trig) {
        r = mcdc_fail(&x, -EINVAL, "trig is NULL with max_trig_size %u",
                      max_trig_size);
    }
    if (r == 0) {
        r = mcdc_enter(&x);
    }
    if (r == 0) {
        r = mcdc_simple(&x, MCDSHM_FN_QRY_TRIG, &b, sizeof(b), &a, sizeof(a));
    }
    if (r == 0 && !failed(&x)) {
        r = trig_check(&x, &a.trig);
    }
    if (r == 0 && !failed(&x)) {
        size = a.trig.u.simple.struct_size;
        memcpy(trig, a.trig.u.raw, size < max_trig_size ? size : max_trig_size);
    }
    return mcdc_leave(&x, r);
}

MCD_API_EXPORT mcd_return_et mcd_remove_trig_f(const mcd_core_st *core,
                                               uint32_t trig_id)
{
    struct mcdshm_req_trig_id b = { trig_id, 0 };

    return mcdc_core_call("mcd_remove_trig_f", core, MCDSHM_FN_REMOVE_TRIG, &b,
                          sizeof(b), NULL, 0, NULL, NULL);
}

MCD_API_EXPORT mcd_return_et mcd_qry_trig_state_f(const mcd_core_st *core,
                                                  uint32_t trig_id,
                                                  mcd_trig_state_st *trig_state)
{
    struct mcdshm_req_trig_id b = { trig_id, 0 };

    return mcdc_core_call("mcd_qry_trig_state_f", core,
                          MCDSHM_FN_QRY_TRIG_STATE, &b, sizeof(b), trig_state,
                          sizeof(*trig_state), "trig_state", NULL);
}

MCD_API_EXPORT mcd_return_et mcd_activate_trig_set_f(const mcd_core_st *core)
{
    return mcdc_core_call("mcd_activate_trig_set_f", core,
                          MCDSHM_FN_ACTIVATE_TRIG_SET, NULL, 0, NULL, 0, NULL,
                          NULL);
}

MCD_API_EXPORT mcd_return_et mcd_remove_trig_set_f(const mcd_core_st *core)
{
    return mcdc_core_call("mcd_remove_trig_set_f", core,
                          MCDSHM_FN_REMOVE_TRIG_SET, NULL, 0, NULL, 0, NULL,
                          NULL);
}

MCD_API_EXPORT mcd_return_et mcd_qry_trig_set_state_f(
    const mcd_core_st *core, mcd_trig_set_state_st *trig_state)
{
    return mcdc_core_call("mcd_qry_trig_set_state_f", core,
                          MCDSHM_FN_QRY_TRIG_SET_STATE, NULL, 0, trig_state,
                          sizeof(*trig_state), "trig_state", NULL);
}
