/*
 * The topology the core serves and the connections a session holds: one
 * server (the simulator, under the name given to mcdcore_create), one
 * system (target->system, instance "Process ID: <pid>"), one device
 * (target->device) and target->ncores cores; open_server/close_server,
 * the server configuration, qry_systems/devices/cores, and
 * open_core/close_core.
 *
 * Rules decided here (the API leaves them open):
 *   - Every open_server call returns a new server uid; a session may hold
 *     MCDCORE__MAX_SERVERS of them.  Closing the last one closes the
 *     session's cores, as the seed did for its single server.
 *   - The queries do not require an open server: the client library
 *     connects before it can send anything.
 *   - A core may be open in several sessions at once (several debuggers on
 *     one target), but only once per session; a second open in the same
 *     session is MCD_ERR_PARAM naming the uid it already has.
 *   - Closing a core removes the triggers and channels this session made
 *     on it.
 *
 * Threads: the session's thread; open counts and uids change under
 * c->lock because other sessions read them (core_pvt.h).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core_pvt.h"

static const struct mcdcore__list conn_servers = { "servers", "num_servers",
                                                   "server_info",
                                                   sizeof(mcd_server_info_st) };
static const struct mcdcore__list conn_systems = {
    "systems", "num_systems", "system_con_info", sizeof(mcd_core_con_info_st)
};
static const struct mcdcore__list conn_devices = {
    "devices", "num_devices", "device_con_info", sizeof(mcd_core_con_info_st)
};
static const struct mcdcore__list conn_cores = { "cores", "num_cores",
                                                 "core_con_info",
                                                 sizeof(mcd_core_con_info_st) };

/* --- Closing --- */

void mcdcore__close_core_idx(struct mcdcore_session *s, uint32_t core)
{
    struct mcdcore *c = s->c;

    pthread_mutex_lock(&c->lock);
    s->cores[core].uid = 0;
    s->cores[core].events = 0;
    c->cores[core].nopen--;
    pthread_mutex_unlock(&c->lock);
    memset(&s->cores[core].err, 0, sizeof(s->cores[core].err));
    /* Cleanup cannot fail: what the target refuses to remove stays in the
     * table, orphaned, for another session to see and remove. */
    mcdcore__trig_drop(c, core, s, true, NULL);
    mcdcore__chl_drop(s, core, false);
}

void mcdcore__close_all(struct mcdcore_session *s)
{
    uint32_t i;

    for (i = 0; i < s->c->t->ncores; i++) {
        if (s->cores[i].uid) {
            mcdcore__close_core_idx(s, i);
        }
    }
    mcdcore__chl_drop(s, MCDCORE__NO_CORE, true);
    memset(s->servers, 0, sizeof(s->servers));
    s->system_key[0] = '\0';
}

/* --- Servers --- */

mcd_return_et mcdcore_qry_servers(struct mcdcore_session *s, const char *host,
                                  mcd_bool_t running, uint32_t start_index,
                                  uint32_t *num_servers,
                                  mcd_server_info_st *server_info)
{
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t n;

    /* This core is its host's one server, running and installed alike;
     * other hosts' servers are the client library's business. */
    (void)host;
    (void)running;
    ret = mcdcore__begin(s, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    ret = mcdcore__page(&cl, &conn_servers, 1, start_index, num_servers,
                        server_info, &n);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (n) {
        memset(server_info, 0, sizeof(*server_info));
        mcdcore__strlcpy(server_info->server, cl.c->name,
                         sizeof(server_info->server));
        mcdcore__strlcpy(server_info->system_instance, cl.c->instance,
                         sizeof(server_info->system_instance));
    }
    return mcdcore__ok(&cl);
}

/* Skip one whitespace-delimited token; quotes protect whitespace. */
static const char *conn_cfg_skip(const char *p)
{
    bool quoted = false;

    while (*p && (quoted || !isspace((unsigned char)*p))) {
        quoted ^= *p == '"';
        p++;
    }
    return p;
}

/* Value of @key in config string @cfg (Key=value or Key="value"). */
static bool conn_cfg_value(const char *cfg, const char *key, char *val,
                           size_t size)
{
    size_t klen = strlen(key), len;
    const char *p = cfg, *end;

    while (p && *p) {
        while (isspace((unsigned char)*p)) {
            p++;
        }
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            p += klen + 1;
            if (*p == '"') {
                end = strchr(++p, '"');
                len = end ? (size_t)(end - p) : strlen(p);
            } else {
                len = (size_t)(conn_cfg_skip(p) - p);
            }
            len = len < size - 1 ? len : size - 1;
            memcpy(val, p, len);
            val[len] = '\0';
            return true;
        }
        p = conn_cfg_skip(p);
    }
    return false;
}

/* A config string may narrow the choice to this server; anything else
 * in it is ignored (the API allows that). */
static mcd_return_et conn_check_config(struct mcdcore__call *cl,
                                       const char *cfg)
{
    static const char *const keys[] = { "McdServerName", "McdSystemInstance" };
    const char *ours[] = { cl->c->name, cl->c->instance };
    char val[MCD_UNIQUE_NAME_LEN];
    size_t i;

    for (i = 0; cfg && i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (conn_cfg_value(cfg, keys[i], val, sizeof(val)) &&
            strcmp(val, ours[i])) {
            return mcdcore__error(cl, MCD_ERR_CONNECTION,
                                  "%s \"%s\" does not name this server "
                                  "(\"%s\")",
                                  keys[i], val, ours[i]);
        }
    }
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore_open_server(struct mcdcore_session *s,
                                  const char *system_key,
                                  const char *config_string,
                                  uint32_t *server_uid)
{
    struct mcdcore__server *sv = NULL;
    struct mcdcore__call cl;
    mcd_return_et ret;
    size_t i;

    ret = mcdcore__begin(s, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!server_uid) {
        return mcdcore__null(&cl, "server_uid");
    }
    if (system_key && strlen(system_key) >= MCD_KEY_LEN) {
        return mcdcore__error(&cl, MCD_ERR_PARAM,
                              "system_key has %zu characters; at most %d "
                              "fit",
                              strlen(system_key), MCD_KEY_LEN - 1);
    }
    ret = conn_check_config(&cl, config_string);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    for (i = 0; i < MCDCORE__MAX_SERVERS && !sv; i++) {
        sv = s->servers[i].uid ? NULL : &s->servers[i];
    }
    if (!sv) {
        return mcdcore__error(&cl, MCD_ERR_CONNECTION,
                              "this session already has %d servers open",
                              MCDCORE__MAX_SERVERS);
    }
    sv->uid = mcdcore__new_uid(s);
    mcdcore__strlcpy(s->system_key, system_key, sizeof(s->system_key));
    *server_uid = sv->uid;
    return mcdcore__ok(&cl);
}

static struct mcdcore__server *conn_server(struct mcdcore_session *s,
                                           uint32_t uid)
{
    size_t i;

    for (i = 0; uid && i < MCDCORE__MAX_SERVERS; i++) {
        if (s->servers[i].uid == uid) {
            return &s->servers[i];
        }
    }
    return NULL;
}

/* Begin a call on server @uid. */
static mcd_return_et conn_begin_server(struct mcdcore_session *s, uint32_t uid,
                                       struct mcdcore__call *cl)
{
    mcd_return_et ret = mcdcore__begin(s, cl);

    if (ret == MCD_RET_ACT_NONE && !conn_server(s, uid)) {
        return mcdcore__error(
            cl, MCD_ERR_PARAM,
            "server uid %" PRIu32 " is not open in this session", uid);
    }
    return ret;
}

mcd_return_et mcdcore_close_server(struct mcdcore_session *s,
                                   uint32_t server_uid)
{
    struct mcdcore__call cl;
    mcd_return_et ret;
    size_t i;

    ret = conn_begin_server(s, server_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    conn_server(s, server_uid)->uid = 0;
    for (i = 0; i < MCDCORE__MAX_SERVERS; i++) {
        if (s->servers[i].uid) {
            return mcdcore__ok(&cl);
        }
    }
    mcdcore__close_all(s); /* the last server: its cores go with it */
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_set_server_config(struct mcdcore_session *s,
                                        uint32_t server_uid,
                                        const char *config_string)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = conn_begin_server(s, server_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!config_string) {
        return mcdcore__null(&cl, "config_string");
    }
    /* Nothing is configurable: the API has unsupported and unchangeable
     * values (McdServerName, McdSystemInstance, ...) ignored, so that the
     * string given to open_server can be replayed. */
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_qry_server_config(struct mcdcore_session *s,
                                        uint32_t server_uid, uint32_t *max_len,
                                        char *config_string)
{
    char cfg[3 * MCD_UNIQUE_NAME_LEN + 64];
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t need;

    ret = conn_begin_server(s, server_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!max_len) {
        return mcdcore__null(&cl, "max_len");
    }
    need = (uint32_t)snprintf(cfg, sizeof(cfg),
                              "McdHostName=\"%s\" McdServerName=\"%s\" "
                              "McdSystemInstance=\"%s\"",
                              MCDCORE__HOST, cl.c->name, cl.c->instance) +
           1;
    if (config_string && *max_len < need) {
        ret = mcdcore__error(&cl, MCD_ERR_RESULT_TOO_LONG,
                             "the configuration needs %" PRIu32
                             " bytes; max_len is %" PRIu32,
                             need, *max_len);
        *max_len = need;
        return ret;
    }
    if (config_string) {
        memcpy(config_string, cfg, need);
    }
    *max_len = need;
    return mcdcore__ok(&cl);
}

/* --- Systems, devices, cores --- */

static void conn_fill_system(const struct mcdcore__call *cl,
                             mcd_core_con_info_st *ci)
{
    memset(ci, 0, sizeof(*ci));
    mcdcore__strlcpy(ci->system_key, cl->s->system_key, sizeof(ci->system_key));
    mcdcore__strlcpy(ci->system, cl->c->t->system, sizeof(ci->system));
    mcdcore__strlcpy(ci->system_instance, cl->c->instance,
                     sizeof(ci->system_instance));
}

static void conn_fill_device(const struct mcdcore__call *cl,
                             mcd_core_con_info_st *ci)
{
    conn_fill_system(cl, ci);
    mcdcore__strlcpy(ci->host, MCDCORE__HOST, sizeof(ci->host));
    ci->device_type = cl->c->t->device_type;
    mcdcore__strlcpy(ci->device, cl->c->t->device, sizeof(ci->device));
    ci->device_id = cl->c->t->device_id;
}

static void conn_fill_core(const struct mcdcore__call *cl, uint32_t core,
                           mcd_core_con_info_st *ci)
{
    const mcd_core_con_info_st *k = &cl->c->cores[core].ci;

    conn_fill_device(cl, ci);
    memcpy(ci->core, k->core, sizeof(ci->core));
    ci->core_type = k->core_type;
    ci->core_id = k->core_id;
}

/* A non-empty name field of @ci must be NUL-terminated and equal @ours. */
static mcd_return_et conn_match_field(struct mcdcore__call *cl,
                                      const char *field, const char *val,
                                      size_t size, const char *ours)
{
    int len = (int)strnlen(val, size);

    if ((size_t)len == size) {
        return mcdcore__error(cl, MCD_ERR_PARAM, "%s is not NUL-terminated",
                              field);
    }
    if (len && strcmp(val, ours)) {
        return mcdcore__error(cl, MCD_ERR_PARAM,
                              "%s \"%.*s\" is not this server's (\"%s\")",
                              field, len, val, ours);
    }
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcdcore__con_match(struct mcdcore__call *cl,
                                 const mcd_core_con_info_st *ci, bool device)
{
    mcd_return_et ret;

    ret = conn_match_field(cl, "system", ci->system, sizeof(ci->system),
                           cl->c->t->system);
    if (ret == MCD_RET_ACT_NONE) {
        ret = conn_match_field(cl, "system_instance", ci->system_instance,
                               sizeof(ci->system_instance), cl->c->instance);
    }
    if (ret == MCD_RET_ACT_NONE && device) {
        ret = conn_match_field(cl, "device", ci->device, sizeof(ci->device),
                               cl->c->t->device);
    }
    return ret;
}

mcd_return_et mcdcore_qry_systems(struct mcdcore_session *s,
                                  uint32_t start_index, uint32_t *num_systems,
                                  mcd_core_con_info_st *system_con_info)
{
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t n;

    ret = mcdcore__begin(s, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    ret = mcdcore__page(&cl, &conn_systems, 1, start_index, num_systems,
                        system_con_info, &n);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (n) {
        conn_fill_system(&cl, system_con_info);
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_qry_devices(struct mcdcore_session *s,
                                  const mcd_core_con_info_st *system_con_info,
                                  uint32_t start_index, uint32_t *num_devices,
                                  mcd_core_con_info_st *device_con_info)
{
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t n;

    ret = mcdcore__begin(s, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!system_con_info) {
        return mcdcore__null(&cl, "system_con_info");
    }
    ret = mcdcore__con_match(&cl, system_con_info, false);
    if (ret == MCD_RET_ACT_NONE) {
        ret = mcdcore__page(&cl, &conn_devices, 1, start_index, num_devices,
                            device_con_info, &n);
    }
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (n) {
        conn_fill_device(&cl, device_con_info);
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_qry_cores(struct mcdcore_session *s,
                                const mcd_core_con_info_st *connection_info,
                                uint32_t start_index, uint32_t *num_cores,
                                mcd_core_con_info_st *core_con_info)
{
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t i, n;

    ret = mcdcore__begin(s, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!connection_info) {
        return mcdcore__null(&cl, "connection_info");
    }
    ret = mcdcore__con_match(&cl, connection_info, true);
    if (ret == MCD_RET_ACT_NONE) {
        ret = mcdcore__page(&cl, &conn_cores, cl.c->t->ncores, start_index,
                            num_cores, core_con_info, &n);
    }
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    for (i = 0; i < n; i++) {
        conn_fill_core(&cl, start_index + i, &core_con_info[i]);
    }
    return mcdcore__ok(&cl);
}

/* --- Opening and closing cores --- */

/* The core @ci names by core_id and (if given) core name. */
static mcd_return_et conn_find_core(struct mcdcore__call *cl,
                                    const mcd_core_con_info_st *ci,
                                    uint32_t *core)
{
    const struct mcdcore *c = cl->c;
    int len = (int)strnlen(ci->core, sizeof(ci->core));
    uint32_t i;

    if ((size_t)len == sizeof(ci->core)) {
        return mcdcore__error(cl, MCD_ERR_PARAM, "core is not NUL-terminated");
    }
    for (i = 0; i < c->t->ncores; i++) {
        if (c->cores[i].ci.core_id != ci->core_id) {
            continue;
        }
        if (len && strcmp(ci->core, c->cores[i].ci.core)) {
            return mcdcore__error(cl, MCD_ERR_PARAM,
                                  "core \"%.*s\" does not match core_id "
                                  "%" PRIu32 ", which is \"%s\"",
                                  len, ci->core, ci->core_id,
                                  c->cores[i].ci.core);
        }
        *core = i;
        return MCD_RET_ACT_NONE;
    }
    return mcdcore__error(cl, MCD_ERR_PARAM,
                          "core_id %" PRIu32 " is not a core of %s (it has "
                          "%" PRIu32 " cores)",
                          ci->core_id, c->t->device, c->t->ncores);
}

mcd_return_et mcdcore_open_core(struct mcdcore_session *s,
                                const mcd_core_con_info_st *core_con_info,
                                uint32_t *core_uid, mcd_core_con_info_st *full)
{
    struct mcdcore__call cl;
    mcd_return_et ret;
    uint32_t i = 0, uid;

    ret = mcdcore__begin(s, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (!core_con_info || !core_uid) {
        return mcdcore__null(&cl, core_uid ? "core_con_info" : "core_uid");
    }
    ret = mcdcore__con_match(&cl, core_con_info, true);
    if (ret == MCD_RET_ACT_NONE) {
        ret = conn_find_core(&cl, core_con_info, &i);
    }
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    if (s->cores[i].uid) {
        return mcdcore__error(&cl, MCD_ERR_PARAM,
                              "core %s is already open in this session "
                              "(core uid %" PRIu32 ")",
                              mcdcore__core_name(cl.c, i), s->cores[i].uid);
    }
    uid = mcdcore__new_uid(s);
    pthread_mutex_lock(&cl.c->lock);
    s->cores[i].uid = uid;
    s->cores[i].events = 0;
    cl.c->cores[i].nopen++;
    pthread_mutex_unlock(&cl.c->lock);
    memset(&s->cores[i].err, 0, sizeof(s->cores[i].err));
    *core_uid = uid;
    if (full) {
        conn_fill_core(&cl, i, full);
    }
    return mcdcore__ok(&cl);
}

mcd_return_et mcdcore_close_core(struct mcdcore_session *s, uint32_t core_uid)
{
    struct mcdcore__call cl;
    mcd_return_et ret;

    ret = mcdcore__begin_core(s, core_uid, &cl);
    if (ret != MCD_RET_ACT_NONE) {
        return ret;
    }
    mcdcore__close_core_idx(s, cl.core);
    cl.err = &s->err; /* the core's own slot is gone with it */
    return mcdcore__ok(&cl);
}
