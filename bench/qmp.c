/*
 * The QMP-style baseline: the seed QEMU implementation's transport, JSON
 * over a Unix socket, one command per MCD call, formatted and parsed with
 * json-c on both sides.
 *
 * As QMP does it: the server greets with {"QMP": {...}}, the client
 * negotiates with qmp_capabilities, then every command is one JSON object
 * {"execute": "mcd-...", "arguments": {...}} and every answer one
 * {"return": {...}} (or {"error": {...}}), each ended by CR LF.  Names are
 * the seed's QAPI ones (kebab-case, core-uid = core id + 1, results carry
 * return-status), and MCDTx.data is ['uint8']: memory travels as a JSON
 * array of integers.  A read request carries an empty data array and the
 * answer the bytes read (the seed's marshaller may also send the buffer
 * with the request; leaving it out favours this baseline).
 *
 * Reads larger than QMP_CHUNK are split, one command each, one in flight:
 * the spec fixes no chunk size for the QMP path, so it is the
 * predecessor's 64 KiB packet.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"

#define QMP_CHUNK (64u << 10)

struct xconn {
    int fd;
    char *buf; /* received bytes not yet parsed */
    size_t len, cap;
};

/* The next CR LF-terminated JSON text from @c, parsed; NULL on hang-up. */
static json_object *recv_json(struct xconn *c)
{
    for (;;) {
        char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
        ssize_t n;

        if (nl) {
            size_t line = (size_t)(nl - c->buf) + 1;
            enum json_tokener_error e;
            json_object *j;

            *nl = 0;
            j = json_tokener_parse_verbose(c->buf, &e);
            if (!j) {
                fprintf(stderr, "mcdshm-bench: qmp: bad JSON: %s\n",
                        json_tokener_error_desc(e));
                exit(1);
            }
            memmove(c->buf, c->buf + line, c->len - line);
            c->len -= line;
            return j;
        }
        if (c->cap - c->len < 65536) {
            c->cap = c->cap ? 2 * c->cap : 1 << 20;
            c->buf = realloc(c->buf, c->cap);
            if (!c->buf) {
                fprintf(stderr, "mcdshm-bench: qmp: out of memory\n");
                exit(1);
            }
        }
        n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
        if (n <= 0) {
            return NULL;
        }
        c->len += (size_t)n;
    }
}

static void send_json(int fd, json_object *j)
{
    size_t len;
    const char *s =
        json_object_to_json_string_length(j, JSON_C_TO_STRING_PLAIN, &len);

    write_all(fd, s, len);
    write_all(fd, "\r\n", 2);
    json_object_put(j);
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v)) {
        fprintf(stderr, "mcdshm-bench: qmp: no member '%s' in %s\n", key,
                json_object_to_json_string(o));
        exit(1);
    }
    return v;
}

static int64_t get_int(json_object *o, const char *key)
{
    return json_object_get_int64(get(o, key));
}

static void add_int(json_object *o, const char *key, int64_t v)
{
    json_object_object_add(o, key, json_object_new_int64(v));
}

/* ------------------------------------------------------------------------
 * Server
 */

static json_object *error_reply(const char *desc)
{
    json_object *r = json_object_new_object(), *e = json_object_new_object();

    json_object_object_add(e, "class", json_object_new_string("GenericError"));
    json_object_object_add(e, "desc", json_object_new_string(desc));
    json_object_object_add(r, "error", e);
    return r;
}

static json_object *do_state(struct bench_target *bt)
{
    json_object *ret = json_object_new_object(), *s = json_object_new_object();
    mcd_core_state_st st;
    mcd_return_et rc = bt_state(bt, &st);

    add_int(ret, "return-status", rc);
    if (rc == MCD_RET_ACT_NONE) {
        add_int(s, "state", st.state);
        add_int(s, "event", st.event);
        add_int(s, "hw-thread-id", st.hw_thread_id);
        add_int(s, "trig-id", st.trig_id);
        json_object_object_add(s, "stop-str",
                               json_object_new_string(st.stop_str));
        json_object_object_add(s, "info-str",
                               json_object_new_string(st.info_str));
        json_object_object_add(ret, "state", s);
    } else {
        json_object_put(s);
    }
    return ret;
}

static json_object *addr_json(const mcd_addr_st *a)
{
    json_object *o = json_object_new_object();

    add_int(o, "address", (int64_t)a->address);
    add_int(o, "mem-space-id", a->mem_space_id);
    add_int(o, "addr-space-id", a->addr_space_id);
    add_int(o, "addr-space-type", a->addr_space_type);
    return o;
}

static json_object *data_json(const uint8_t *d, uint32_t n)
{
    json_object *a = json_object_new_array_ext((int)n);

    for (uint32_t i = 0; i < n; i++) {
        json_object_array_add(a, json_object_new_int(d[i]));
    }
    return a;
}

static json_object *tx_json(const mcd_tx_st *tx, int with_data)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "addr", addr_json(&tx->addr));
    add_int(o, "access-type", tx->access_type);
    add_int(o, "options", tx->options);
    add_int(o, "access-width", tx->access_width);
    add_int(o, "core-mode", tx->core_mode);
    json_object_object_add(o, "data",
                           data_json(tx->data, with_data ? tx->num_bytes : 0));
    add_int(o, "num-bytes", tx->num_bytes);
    add_int(o, "num-bytes-ok", tx->num_bytes_ok);
    return o;
}

static void tx_from_json(json_object *o, mcd_tx_st *tx)
{
    json_object *a = get(o, "addr");

    memset(tx, 0, sizeof(*tx));
    tx->addr.address = (uint64_t)get_int(a, "address");
    tx->addr.mem_space_id = (uint32_t)get_int(a, "mem-space-id");
    tx->addr.addr_space_id = (uint32_t)get_int(a, "addr-space-id");
    tx->addr.addr_space_type = (uint32_t)get_int(a, "addr-space-type");
    tx->access_type = (uint32_t)get_int(o, "access-type");
    tx->options = (uint32_t)get_int(o, "options");
    tx->access_width = (uint8_t)get_int(o, "access-width");
    tx->core_mode = (uint8_t)get_int(o, "core-mode");
    tx->num_bytes = (uint32_t)get_int(o, "num-bytes");
    tx->num_bytes_ok = (uint32_t)get_int(o, "num-bytes-ok");
}

/* Copy a JSON data array into @d (at most @n bytes); its length. */
static uint32_t data_from_json(json_object *a, uint8_t *d, uint32_t n)
{
    size_t len = json_object_array_length(a);

    for (size_t i = 0; i < len && i < n; i++) {
        d[i] = (uint8_t)json_object_get_int(json_object_array_get_idx(a, i));
    }
    return (uint32_t)len;
}

static json_object *do_txlist(struct bench_target *bt, json_object *args)
{
    json_object *l = get(args, "txlist"), *txs = get(l, "tx");
    json_object *ret = json_object_new_object(), *ol = json_object_new_object();
    json_object *otx = json_object_new_array();
    size_t n = json_object_array_length(txs), ok = 0;
    mcd_return_et rc = MCD_RET_ACT_NONE;

    for (size_t i = 0; i < n; i++) {
        json_object *t = json_object_array_get_idx(txs, i);
        mcd_tx_st tx;
        uint8_t *d;

        tx_from_json(t, &tx);
        d = xmalloc(tx.num_bytes ? tx.num_bytes : 1);
        if (tx.access_type & MCD_TX_AT_W) {
            data_from_json(get(t, "data"), d, tx.num_bytes);
        }
        tx.data = d;
        if (rc == MCD_RET_ACT_NONE) {
            rc = bt_access(bt, &tx);
            ok += rc == MCD_RET_ACT_NONE;
        }
        json_object_array_add(otx, tx_json(&tx, 1));
        free(d);
    }
    add_int(ret, "return-status", rc);
    json_object_object_add(ol, "tx", otx);
    add_int(ol, "num-tx", (int64_t)n);
    add_int(ol, "num-tx-ok", (int64_t)ok);
    json_object_object_add(ret, "txlist", ol);
    return ret;
}

static void qmp_serve(int lfd, const struct opts *o, uint32_t ram_mib)
{
    struct xconn c = { .fd = -1 };
    struct bench_target *bt;
    json_object *j;

    pin(o->cpu_server);
    bt = bt_create(ram_mib);
    c.fd = sock_accept(lfd);
    close(lfd);
    j = json_tokener_parse("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, "
                           "\"minor\": 1, \"major\": 9}, \"package\": "
                           "\"mcdshm-bench\"}, \"capabilities\": []}}");
    send_json(c.fd, j);
    while ((j = recv_json(&c))) {
        const char *cmd = json_object_get_string(get(j, "execute"));
        json_object *args = NULL, *r;

        json_object_object_get_ex(j, "arguments", &args);
        if (!strcmp(cmd, "qmp_capabilities")) {
            r = json_object_new_object();
            json_object_object_add(r, "return", json_object_new_object());
        } else if (!strcmp(cmd, "mcd-qry-state") && args &&
                   get_int(args, "core-uid") == 1) {
            r = json_object_new_object();
            json_object_object_add(r, "return", do_state(bt));
        } else if (!strcmp(cmd, "mcd-execute-txlist") && args &&
                   get_int(args, "core-uid") == 1) {
            r = json_object_new_object();
            json_object_object_add(r, "return", do_txlist(bt, args));
        } else {
            r = error_reply("command not found or bad core-uid");
        }
        json_object_put(j);
        send_json(c.fd, r);
    }
    _exit(0);
}

/* ------------------------------------------------------------------------
 * Client
 */

static pid_t qmp_spawn(const struct xport *x, const struct opts *o,
                       uint32_t ram_mib, char *addr, size_t len)
{
    int lfd = sock_listen(0, addr, len);
    pid_t pid = fork_or_die();

    (void)x;
    if (pid == 0) {
        qmp_serve(lfd, o, ram_mib);
    }
    close(lfd);
    return pid;
}

/* Send one command and return the "return" member of its answer. */
static json_object *command(struct xconn *c, const char *cmd, json_object *args,
                            json_object **reply)
{
    json_object *j = json_object_new_object(), *r;

    json_object_object_add(j, "execute", json_object_new_string(cmd));
    if (args) {
        json_object_object_add(j, "arguments", args);
    }
    send_json(c->fd, j);
    r = recv_json(c);
    if (!r) {
        fprintf(stderr, "mcdshm-bench: qmp: server hung up on %s\n", cmd);
        exit(1);
    }
    *reply = r;
    return get(r, "return");
}

static struct xconn *qmp_connect(const struct xport *x, const char *addr)
{
    struct xconn *c = xmalloc(sizeof(*c));
    json_object *g, *r;

    (void)x;
    memset(c, 0, sizeof(*c));
    c->fd = sock_connect(addr);
    g = recv_json(c);
    if (!g || !json_object_object_get_ex(g, "QMP", NULL)) {
        fprintf(stderr, "mcdshm-bench: qmp: no greeting\n");
        exit(1);
    }
    json_object_put(g);
    command(c, "qmp_capabilities", NULL, &r);
    json_object_put(r);
    return c;
}

static mcd_return_et qmp_state(struct xconn *c, mcd_core_state_st *st)
{
    json_object *args = json_object_new_object(), *r, *ret, *s;
    mcd_return_et rc;

    add_int(args, "core-uid", 1);
    ret = command(c, "mcd-qry-state", args, &r);
    rc = (mcd_return_et)get_int(ret, "return-status");
    if (rc == MCD_RET_ACT_NONE) {
        s = get(ret, "state");
        memset(st, 0, sizeof(*st));
        st->state = (mcd_core_state_et)get_int(s, "state");
        st->event = (mcd_core_event_et)get_int(s, "event");
        st->hw_thread_id = (uint32_t)get_int(s, "hw-thread-id");
        st->trig_id = (uint32_t)get_int(s, "trig-id");
        snprintf(st->stop_str, sizeof(st->stop_str), "%s",
                 json_object_get_string(get(s, "stop-str")));
        snprintf(st->info_str, sizeof(st->info_str), "%s",
                 json_object_get_string(get(s, "info-str")));
    }
    json_object_put(r);
    return rc;
}

static mcd_return_et qmp_txlist(struct xconn *c, mcd_tx_st *tx, uint32_t ntx)
{
    json_object *args = json_object_new_object(), *l = json_object_new_object();
    json_object *txs = json_object_new_array(), *r, *ret, *otx;
    mcd_return_et rc;

    for (uint32_t i = 0; i < ntx; i++) {
        json_object_array_add(txs,
                              tx_json(&tx[i], tx[i].access_type & MCD_TX_AT_W));
    }
    json_object_object_add(l, "tx", txs);
    add_int(l, "num-tx", ntx);
    add_int(l, "num-tx-ok", 0);
    add_int(args, "core-uid", 1);
    json_object_object_add(args, "txlist", l);
    ret = command(c, "mcd-execute-txlist", args, &r);
    rc = (mcd_return_et)get_int(ret, "return-status");
    otx = get(get(ret, "txlist"), "tx");
    for (uint32_t i = 0; i < ntx && i < json_object_array_length(otx); i++) {
        json_object *t = json_object_array_get_idx(otx, i);

        tx[i].num_bytes_ok = (uint32_t)get_int(t, "num-bytes-ok");
        if (tx[i].access_type & MCD_TX_AT_R) {
            data_from_json(get(t, "data"), tx[i].data, tx[i].num_bytes_ok);
        }
    }
    json_object_put(r);
    return rc;
}

static void qmp_close(struct xconn *c)
{
    close(c->fd);
    free(c->buf);
    free(c);
}

const struct xport xport_qmp_unix = {
    .name = "qmp-unix",
    .chunk = QMP_CHUNK,
    .max_payload = 1u << 20,
    .time_budget = 1,
    .spawn = qmp_spawn,
    .connect = qmp_connect,
    .state = qmp_state,
    .txlist = qmp_txlist,
    .close = qmp_close,
};
