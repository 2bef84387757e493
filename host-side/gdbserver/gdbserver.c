/*
 * gdbserver.c - mcdshm-gdbserver: gdb's remote serial protocol for one
 * MCD server.
 *
 * mcdshm-gdbserver [--server NAME | -c CONFIG] [--listen HOST:PORT |
 *                  --listen unix:PATH] [--library PATH]
 *
 * The protocol ("Remote Protocol" appendix of the gdb manual) maps onto
 * MCD as follows:
 *   - every core of the server is a thread (id = core index + 1), named
 *     by its MCD core name (qThreadExtraInfo); stop replies carry thread:
 *     and core:;
 *   - registers come from the MCD register map (tdesc.c) and travel as
 *     register transactions (mcd_execute_txlist_f), memory as memory
 *     transactions in the core's default memory space (the first physical
 *     one that is not a register space, as the mcdshm tool picks), in
 *     lists of up to MCD_TX_NUM_MAX transactions of the core's max
 *     payload each, so that one m packet of PacketSize / 2 bytes is one or
 *     a few MCD calls;
 *   - Z0/Z1 are instruction-pointer triggers, Z2/Z3/Z4 write/read/access
 *     triggers, created on every core (gdb's breakpoints are per process);
 *   - continue is mcd_run_f per core; while cores run, the loop polls
 *     mcd_qry_state_f every millisecond and the socket together, so a
 *     Ctrl-C (or anything else gdb sends) is never stuck behind a wait;
 *   - all-stop: the first core that stops stops the others, and its stop
 *     is reported; non-stop (QNonStop:1): cores run and stop one by one,
 *     stops go out as %Stop notifications and vStopped;
 *   - qRcmd goes to mcd_execute_command_f, except the bridge's own
 *     commands (monitor help);
 *   - detach, kill and a lost connection all end the session the same
 *     way: the triggers go, the cores run again (so the target keeps
 *     going), and the next gdb is accepted.
 * A malformed packet is NAKed ('-') in acknowledgement mode and dropped in
 * no-ack mode; an unknown one gets the empty reply; the bridge never
 * trusts a length or a thread id from the wire.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gdbserver.h"

#define PROG "mcdshm-gdbserver"

/* Largest packet gdb may send us (qSupported PacketSize): 1 MiB, so that
 * gdb reads memory 512 KiB per m packet. */
#define PKT_MAX (1u << 20)

/* Largest memory transaction list the bridge builds. */
#define PAYLOAD_CAP (4u << 20)

/* Time a write to gdb may block before the session is given up, in s. */
#define SEND_TIMEOUT_S 10

/* Room for the result of mcd_execute_command_f. */
#define CMD_RESULT_LEN 65536

/* gdb's signal numbers in stop replies. */
#define SIG_0 0
#define SIG_INT 2
#define SIG_TRAP 5

/* Frames per mcd_read_trace_f of monitor trace. */
#define TRACE_BATCH 1024

enum on_kill { KILL_RESUME, KILL_HALT };

struct gs_core {
    mcd_core_con_info_st info;
    mcd_core_st *h;       /* open during a session */
    uint32_t mem_space;   /* memory transactions */
    uint32_t trig_space;  /* triggers */
    uint32_t max_payload; /* bytes per memory transaction */
    bool running;         /* resumed by gdb, not yet seen stopped */
    int stop_sig;         /* signal for its next stop reply */
    bool pending;         /* non-stop: a stop not yet taken by gdb */
    char reply[128];      /* ... and its stop reply */
};

/* A gdb breakpoint or watchpoint: one MCD trigger per core. */
struct gs_trig {
    char kind; /* '0'..'4' of Z */
    uint64_t addr;
    uint64_t len;
    uint32_t *ids; /* per core; 0 = not created there */
    bool *made;
};

struct gs {
    /* options */
    const char *config;
    const char *listen;
    const char *library;
    enum on_kill on_kill;
    bool verbose;

    int lfd;
    mcd_server_st *server;
    struct gs_core *cores;
    uint32_t ncores;
    struct gs_tdesc td;
    char *memmap;
    size_t memmap_len;

    /* the session */
    int fd;
    bool end; /* the session is over */
    bool noack;
    bool nonstop;
    bool waiting;   /* all-stop: a resume awaits its stop reply */
    bool notifying; /* non-stop: a %Stop is out, vStopped to come */
    uint32_t cur_g; /* thread of g/m/Z..., index into cores */
    struct gs_trig *trigs;
    uint32_t ntrigs;
    char *in; /* received bytes */
    size_t in_len;
    char *out; /* the reply being built (hex, text) */
    size_t out_len;
    char *last; /* the last packet sent, for a NAK */
    size_t last_len;
    uint8_t *mem; /* memory buffer of m/M/X */

    /* monitor trace */
    bool tracing;
    uint32_t trace_id;
    uint32_t trace_core;
    FILE *trace_file; /* the frames streamed so far */
    uint64_t trace_frames;
};

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
    (void)sig;
    quit = 1;
}

void gs_sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

char *gs_mcd_error(const mcd_core_st *core, const char *fn, char *buf,
                   size_t len)
{
    mcd_error_info_st info;

    memset(&info, 0, sizeof(info));
    MCD(mcd_qry_error_info_f)(core, &info);
    info.error_str[MCD_INFO_STR_LEN - 1] = '\0';
    snprintf(buf, len, "%s: %s (error 0x%x)", fn,
             info.error_str[0] ? info.error_str : "failed",
             (unsigned)info.error_code);
    return buf;
}

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logmsg(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

/* ------------------------------------------------------------------------
 * Packets out
 */

static const char hexd[] = "0123456789abcdef";

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Write all of buf; false when the connection is gone. */
static bool write_all(struct gs *g, const char *buf, size_t len)
{
    ssize_t n;

    while (len > 0) {
        n = send(g->fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g->end = true;
            return false;
        }
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* Frame and send a packet: '$' (or '%' for a notification), the payload
 * with '#', '$', '}' and '*' escaped, '#' and the checksum. */
static void send_frame(struct gs *g, char start, const char *p, size_t len)
{
    size_t i, n = 0;
    uint8_t sum = 0;
    char *f;

    f = realloc(g->last, 2 * len + 4);
    if (!f) {
        g->end = true;
        return;
    }
    g->last = f;
    f[n++] = start;
    for (i = 0; i < len; i++) {
        char c = p[i];

        if (c == '#' || c == '$' || c == '}' || c == '*') {
            f[n++] = '}';
            sum += '}';
            c ^= 0x20;
        }
        f[n++] = c;
        sum += (uint8_t)c;
    }
    f[n++] = '#';
    f[n++] = hexd[sum >> 4];
    f[n++] = hexd[sum & 15];
    g->last_len = n;
    if (g->verbose) {
        fprintf(stderr, "-> %c%.*s%s\n", start, len > 200 ? 200 : (int)len, p,
                len > 200 ? "..." : "");
    }
    write_all(g, f, n);
}

static void send_str(struct gs *g, const char *s)
{
    send_frame(g, '$', s, strlen(s));
}

static void send_fmt(struct gs *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void send_fmt(struct gs *g, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    send_str(g, buf);
}

/* An error reply: E and two hex digits (gdb shows the number). */
static void send_err(struct gs *g, int e)
{
    send_fmt(g, "E%02x", e & 0xff);
}

/* Console output for qRcmd: O and the text in hex, in pieces. */
static void send_console(struct gs *g, const char *s)
{
    size_t len = strlen(s), i, k;
    char buf[1 + 2 * 512];

    for (i = 0; i < len; i += k) {
        k = len - i > 512 ? 512 : len - i;
        buf[0] = 'O';
        for (size_t j = 0; j < k; j++) {
            buf[1 + 2 * j] = hexd[(uint8_t)s[i + j] >> 4];
            buf[2 + 2 * j] = hexd[(uint8_t)s[i + j] & 15];
        }
        send_frame(g, '$', buf, 1 + 2 * k);
    }
}

static void console_fmt(struct gs *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void console_fmt(struct gs *g, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    send_console(g, buf);
}

/* ------------------------------------------------------------------------
 * Parsing helpers: every number and id from the wire is checked.
 */

/* Parse hex digits at *p up to a character of @stop (or the end). */
static bool parse_hex(const char **p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    int d, n = 0;

    while (*p < end && (d = hexval(**p)) >= 0) {
        if (n++ >= 16) {
            return false;
        }
        v = v << 4 | (uint64_t)d;
        (*p)++;
    }
    *out = v;
    return n > 0;
}

static bool expect(const char **p, const char *end, char c)
{
    if (*p < end && **p == c) {
        (*p)++;
        return true;
    }
    return false;
}

/*
 * A thread id: hex core index + 1, "0" (any) or "-1" (all).  Yields the
 * index, or -1 for all; false for an id that names no core.
 */
static bool parse_tid(struct gs *g, const char **p, const char *end,
                      int64_t *idx)
{
    uint64_t v;

    if (*p + 1 < end && (*p)[0] == '-' && (*p)[1] == '1') {
        *p += 2;
        *idx = -1;
        return true;
    }
    if (!parse_hex(p, end, &v)) {
        return false;
    }
    if (v == 0) {
        *idx = g->cur_g;
        return true;
    }
    if (v > g->ncores) {
        return false;
    }
    *idx = (int64_t)v - 1;
    return true;
}

/* ------------------------------------------------------------------------
 * Cores
 */

static void stop_reply(struct gs *g, uint32_t i, int sig, char *buf, size_t len)
{
    mcd_core_state_st st;
    size_t n;
    uint32_t t, c;

    n = (size_t)snprintf(buf, len, "T%02xthread:%x;core:%x;", sig,
                         (unsigned)i + 1, (unsigned)i);
    if (sig != SIG_TRAP || n >= len) {
        return;
    }
    memset(&st, 0, sizeof(st));
    if (!gs_ok(MCD(mcd_qry_state_f)(g->cores[i].h, &st)) || !st.trig_id) {
        return;
    }
    for (t = 0; t < g->ntrigs; t++) {
        struct gs_trig *tr = &g->trigs[t];

        if (tr->kind < '2' || !tr->made[i] || tr->ids[i] != st.trig_id) {
            continue;
        }
        c = tr->kind == '2' ? 0 : tr->kind == '3' ? 1 : 2;
        snprintf(buf + n, len - n, "%s:%llx;",
                 c == 0   ? "watch"
                 : c == 1 ? "rwatch"
                          : "awatch",
                 (unsigned long long)tr->addr);
        return;
    }
}

static bool core_is_running(struct gs *g, uint32_t i, bool *running)
{
    mcd_core_state_st st;
    mcd_return_et r;

    memset(&st, 0, sizeof(st));
    r = GS_CALL(mcd_qry_state_f, g->cores[i].h, &st);
    if (!gs_ok(r)) {
        return false;
    }
    *running = st.state == MCD_CORE_STATE_RUNNING;
    return true;
}

static bool core_stop(struct gs *g, uint32_t i)
{
    char e[400];

    if (!gs_ok(GS_CALL(mcd_stop_f, g->cores[i].h, FALSE))) {
        logmsg("%s", gs_mcd_error(g->cores[i].h, "mcd_stop_f", e, sizeof(e)));
        return false;
    }
    return true;
}

static bool core_run(struct gs *g, uint32_t i)
{
    char e[400];

    if (!gs_ok(GS_CALL(mcd_run_f, g->cores[i].h, FALSE))) {
        logmsg("%s", gs_mcd_error(g->cores[i].h, "mcd_run_f", e, sizeof(e)));
        return false;
    }
    g->cores[i].running = true;
    g->cores[i].stop_sig = SIG_TRAP;
    return true;
}

static bool core_step(struct gs *g, uint32_t i)
{
    char e[400];

    if (!gs_ok(GS_CALL(mcd_step_f, g->cores[i].h, FALSE,
                       MCD_CORE_STEP_TYPE_INSTR, 1))) {
        logmsg("%s", gs_mcd_error(g->cores[i].h, "mcd_step_f", e, sizeof(e)));
        return false;
    }
    return true;
}

/* All-stop: stop every core that runs (after one stopped, or ^C). */
static void stop_all(struct gs *g)
{
    uint32_t i;
    bool run;

    for (i = 0; i < g->ncores; i++) {
        if (g->cores[i].running || (core_is_running(g, i, &run) && run)) {
            core_stop(g, i);
        }
        g->cores[i].running = false;
    }
}

/* Non-stop: queue the stop of core @i and notify gdb if nothing is out. */
static void queue_stop(struct gs *g, uint32_t i, int sig)
{
    struct gs_core *c = &g->cores[i];

    stop_reply(g, i, sig, c->reply, sizeof(c->reply));
    c->pending = true;
    if (!g->notifying) {
        char buf[160];

        snprintf(buf, sizeof(buf), "Stop:%s", c->reply);
        send_frame(g, '%', buf, strlen(buf));
        g->notifying = true;
    }
}

/* The first core with a pending stop, or -1. */
static int64_t first_pending(struct gs *g)
{
    uint32_t i;

    for (i = 0; i < g->ncores; i++) {
        if (g->cores[i].pending) {
            return i;
        }
    }
    return -1;
}

/* A core gdb let run was seen stopped. */
static void core_stopped(struct gs *g, uint32_t i)
{
    char buf[160];

    g->cores[i].running = false;
    if (g->nonstop) {
        queue_stop(g, i, g->cores[i].stop_sig);
        return;
    }
    if (!g->waiting) {
        return;
    }
    stop_reply(g, i, g->cores[i].stop_sig, buf, sizeof(buf));
    stop_all(g);
    g->waiting = false;
    g->cur_g = i;
    send_str(g, buf);
}

/* Poll the cores gdb let run. */
static void poll_cores(struct gs *g)
{
    uint32_t i;
    bool run;

    for (i = 0; i < g->ncores && !g->end; i++) {
        if (g->cores[i].running && core_is_running(g, i, &run) && !run) {
            core_stopped(g, i);
        }
    }
}

static bool any_running(struct gs *g)
{
    uint32_t i;

    for (i = 0; i < g->ncores; i++) {
        if (g->cores[i].running) {
            return true;
        }
    }
    return false;
}

/* ^C: all-stop stops everything and reports SIGINT. */
static void interrupt(struct gs *g)
{
    uint32_t i, who = g->cur_g;

    if (g->nonstop || !g->waiting) {
        return;
    }
    for (i = 0; i < g->ncores; i++) {
        if (g->cores[i].running) {
            who = i;
            break;
        }
    }
    g->cores[who].stop_sig = SIG_INT;
    stop_all(g);
    g->waiting = false;
    g->cur_g = who;
    {
        char buf[160];

        stop_reply(g, who, SIG_INT, buf, sizeof(buf));
        send_str(g, buf);
    }
}

/* ------------------------------------------------------------------------
 * Registers
 */

/* Read (or write) registers [first, first + n) of core @i in one list per
 * MCD_TX_NUM_MAX; @vals holds them back to back in layout order. */
static bool regs_xfer(struct gs *g, uint32_t i, uint32_t first, uint32_t n,
                      uint8_t *vals, mcd_tx_access_type_et at)
{
    mcd_tx_st tx[MCD_TX_NUM_MAX];
    mcd_txlist_st tl;
    uint32_t k, done = 0, m;
    size_t off = 0;

    while (done < n) {
        m = n - done > MCD_TX_NUM_MAX ? MCD_TX_NUM_MAX : n - done;
        memset(tx, 0, sizeof(tx));
        for (k = 0; k < m; k++) {
            const struct gs_reg *r = &g->td.regs[first + done + k];

            tx[k].addr = r->info.addr;
            tx[k].access_type = at;
            tx[k].data = vals + off;
            tx[k].num_bytes = r->bytes;
            off += r->bytes;
        }
        tl.tx = tx;
        tl.num_tx = m;
        tl.num_tx_ok = 0;
        if (!gs_ok(GS_CALL(mcd_execute_txlist_f, g->cores[i].h, &tl)) ||
            tl.num_tx_ok != m) {
            return false;
        }
        done += m;
    }
    return true;
}

static size_t regs_bytes(struct gs *g, uint32_t first, uint32_t n)
{
    size_t s = 0;
    uint32_t k;

    for (k = first; k < first + n; k++) {
        s += g->td.regs[k].bytes;
    }
    return s;
}

static void reply_hex(struct gs *g, const uint8_t *v, size_t n)
{
    size_t k;

    for (k = 0; k < n; k++) {
        g->out[2 * k] = hexd[v[k] >> 4];
        g->out[2 * k + 1] = hexd[v[k] & 15];
    }
    send_frame(g, '$', g->out, 2 * n);
}

/* Decode 2 * n hex digits into v; false on a bad digit. */
static bool unhex(const char *p, size_t n, uint8_t *v)
{
    size_t k;
    int a, b;

    for (k = 0; k < n; k++) {
        a = hexval(p[2 * k]);
        b = hexval(p[2 * k + 1]);
        if (a < 0 || b < 0) {
            return false;
        }
        v[k] = (uint8_t)(a << 4 | b);
    }
    return true;
}

static void handle_g(struct gs *g)
{
    size_t total = regs_bytes(g, 0, g->td.nregs), off = 0;
    uint32_t k;

    if (total > PKT_MAX / 2) {
        send_err(g, EINVAL);
        return;
    }
    if (regs_xfer(g, g->cur_g, 0, g->td.nregs, g->mem, MCD_TX_AT_R)) {
        reply_hex(g, g->mem, total);
        return;
    }
    /* One failed: read them one by one, unreadable ones as "xx". */
    for (k = 0; k < g->td.nregs; k++) {
        uint32_t b = g->td.regs[k].bytes;

        if (regs_xfer(g, g->cur_g, k, 1, g->mem, MCD_TX_AT_R)) {
            for (uint32_t j = 0; j < b; j++) {
                g->out[2 * (off + j)] = hexd[g->mem[j] >> 4];
                g->out[2 * (off + j) + 1] = hexd[g->mem[j] & 15];
            }
        } else {
            memset(g->out + 2 * off, 'x', 2 * b);
        }
        off += b;
    }
    send_frame(g, '$', g->out, 2 * off);
}

static void handle_G(struct gs *g, const char *p, const char *end)
{
    size_t total = regs_bytes(g, 0, g->td.nregs);

    if ((size_t)(end - p) != 2 * total || !unhex(p, total, g->mem)) {
        send_err(g, EINVAL);
        return;
    }
    if (!regs_xfer(g, g->cur_g, 0, g->td.nregs, g->mem, MCD_TX_AT_W)) {
        send_err(g, EIO);
        return;
    }
    send_str(g, "OK");
}

static void handle_p(struct gs *g, const char *p, const char *end)
{
    uint64_t n;

    if (!parse_hex(&p, end, &n) || p != end) {
        send_err(g, EINVAL);
        return;
    }
    if (n >= g->td.nregs) {
        /* A register gdb knows but the target lacks: unavailable. */
        send_str(g, "");
        return;
    }
    if (!regs_xfer(g, g->cur_g, (uint32_t)n, 1, g->mem, MCD_TX_AT_R)) {
        send_err(g, EIO);
        return;
    }
    reply_hex(g, g->mem, g->td.regs[n].bytes);
}

static void handle_P(struct gs *g, const char *p, const char *end)
{
    uint64_t n;

    if (!parse_hex(&p, end, &n) || !expect(&p, end, '=') || n >= g->td.nregs ||
        (size_t)(end - p) != 2 * (size_t)g->td.regs[n].bytes ||
        !unhex(p, g->td.regs[n].bytes, g->mem)) {
        send_err(g, EINVAL);
        return;
    }
    if (!regs_xfer(g, g->cur_g, (uint32_t)n, 1, g->mem, MCD_TX_AT_W)) {
        send_err(g, EIO);
        return;
    }
    send_str(g, "OK");
}

/* ------------------------------------------------------------------------
 * Memory
 */

/*
 * Read or write @len bytes at @addr through core @i, in lists of up to
 * MCD_TX_NUM_MAX transactions of max_payload bytes.  Returns the bytes
 * transferred before the first failure.
 */
static size_t mem_xfer(struct gs *g, uint32_t i, uint64_t addr, uint8_t *buf,
                       size_t len, mcd_tx_access_type_et at)
{
    struct gs_core *c = &g->cores[i];
    mcd_tx_st tx[MCD_TX_NUM_MAX];
    mcd_txlist_st tl;
    size_t done = 0, chunk;
    uint32_t k, m;

    while (done < len) {
        size_t base = done;

        memset(tx, 0, sizeof(tx));
        for (m = 0; m < MCD_TX_NUM_MAX && done < len; m++) {
            chunk = len - done > c->max_payload ? c->max_payload : len - done;
            tx[m].addr.address = addr + done;
            tx[m].addr.mem_space_id = c->mem_space;
            tx[m].access_type = at;
            tx[m].data = buf + done;
            tx[m].num_bytes = (uint32_t)chunk;
            done += chunk;
        }
        tl.tx = tx;
        tl.num_tx = m;
        tl.num_tx_ok = 0;
        if (gs_ok(GS_CALL(mcd_execute_txlist_f, c->h, &tl)) &&
            tl.num_tx_ok == m) {
            continue;
        }
        /* Count what did get through: the whole transactions, then the
         * part of the one that failed. */
        done = base;
        for (k = 0; k < m && k < tl.num_tx_ok; k++) {
            done += tx[k].num_bytes;
        }
        if (k < m) {
            done +=
                tx[k].num_bytes_ok < tx[k].num_bytes ? tx[k].num_bytes_ok : 0;
        }
        return done;
    }
    return done;
}

static bool parse_addr_len(const char **p, const char *end, uint64_t *addr,
                           uint64_t *len)
{
    return parse_hex(p, end, addr) && expect(p, end, ',') &&
           parse_hex(p, end, len);
}

static void handle_m(struct gs *g, const char *p, const char *end)
{
    uint64_t addr, len;
    size_t got;

    if (!parse_addr_len(&p, end, &addr, &len) || p != end ||
        len > PKT_MAX / 2 || addr + len < addr) {
        send_err(g, EINVAL);
        return;
    }
    got = mem_xfer(g, g->cur_g, addr, g->mem, len, MCD_TX_AT_R);
    if (got == 0 && len > 0) {
        send_err(g, EFAULT);
        return;
    }
    reply_hex(g, g->mem, got);
}

static void handle_M(struct gs *g, const char *p, const char *end, bool bin)
{
    uint64_t addr, len, k;
    const char *q;

    if (!parse_addr_len(&p, end, &addr, &len) || !expect(&p, end, ':') ||
        len > PKT_MAX || addr + len < addr) {
        send_err(g, EINVAL);
        return;
    }
    if (bin) {
        for (k = 0, q = p; q < end && k < len; k++) {
            uint8_t c = (uint8_t)*q++;

            if (c == '}') {
                if (q == end) {
                    break;
                }
                c = (uint8_t)*q++ ^ 0x20;
            }
            g->mem[k] = c;
        }
        if (k != len || q != end) {
            send_err(g, EINVAL);
            return;
        }
    } else if ((uint64_t)(end - p) != 2 * len || !unhex(p, len, g->mem)) {
        send_err(g, EINVAL);
        return;
    }
    if (len > 0 &&
        mem_xfer(g, g->cur_g, addr, g->mem, len, MCD_TX_AT_W) != len) {
        send_err(g, EFAULT);
        return;
    }
    send_str(g, "OK");
}

/* ------------------------------------------------------------------------
 * Breakpoints and watchpoints
 */

static void trig_free(struct gs_trig *t)
{
    free(t->ids);
    free(t->made);
}

static void handle_Z(struct gs *g, const char *p, const char *end, bool insert)
{
    static const mcd_trig_type_et types[] = {
        MCD_TRIG_TYPE_IP,   MCD_TRIG_TYPE_IP, MCD_TRIG_TYPE_WRITE,
        MCD_TRIG_TYPE_READ, MCD_TRIG_TYPE_RW,
    };
    char kind = p < end ? *p : 0;
    uint64_t addr, len;
    struct gs_trig *t, *more;
    uint32_t i, k;
    bool any = false;

    p++;
    if (kind < '0' || kind > '4' || !expect(&p, end, ',') ||
        !parse_addr_len(&p, end, &addr, &len)) {
        send_err(g, EINVAL);
        return;
    }
    /* A breakpoint's "kind" is an instruction length; one byte will do. */
    if (kind <= '1' || len == 0) {
        len = 1;
    }
    if (!insert) {
        for (k = 0; k < g->ntrigs; k++) {
            t = &g->trigs[k];
            if (t->kind != kind || t->addr != addr || t->len != len) {
                continue;
            }
            for (i = 0; i < g->ncores; i++) {
                if (t->made[i]) {
                    GS_CALL(mcd_remove_trig_f, g->cores[i].h, t->ids[i]);
                }
            }
            trig_free(t);
            g->trigs[k] = g->trigs[--g->ntrigs];
            send_str(g, "OK");
            return;
        }
        send_err(g, ENOENT);
        return;
    }
    more = realloc(g->trigs, (g->ntrigs + 1) * sizeof(*more));
    if (!more) {
        send_err(g, ENOMEM);
        return;
    }
    g->trigs = more;
    t = &g->trigs[g->ntrigs];
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->addr = addr;
    t->len = len;
    t->ids = calloc(g->ncores, sizeof(*t->ids));
    t->made = calloc(g->ncores, sizeof(*t->made));
    if (!t->ids || !t->made) {
        trig_free(t);
        send_err(g, ENOMEM);
        return;
    }
    for (i = 0; i < g->ncores; i++) {
        mcd_trig_simple_core_st s;
        uint32_t id = 0;

        memset(&s, 0, sizeof(s));
        s.struct_size = sizeof(s);
        s.type = types[kind - '0'];
        s.option = MCD_TRIG_OPT_DEFAULT;
        s.action = MCD_TRIG_ACTION_DBG_DEBUG;
        s.addr_start.address = addr;
        s.addr_start.mem_space_id = g->cores[i].trig_space;
        s.addr_range = len - 1;
        /* An id of 0 could only be removed with the whole set: refuse. */
        if (gs_ok(GS_CALL(mcd_create_trig_f, g->cores[i].h, &s, &id)) &&
            id != 0) {
            t->ids[i] = id;
            t->made[i] = true;
            any = true;
        }
    }
    if (!any) {
        trig_free(t);
        send_err(g, ENOSPC);
        return;
    }
    g->ntrigs++;
    send_str(g, "OK");
}

/* ------------------------------------------------------------------------
 * Run control: vCont, c, s, ?
 */

/* Resume actions per core: 0 none, 'c', 's', 't'. */
static bool parse_vcont(struct gs *g, const char *p, const char *end, char *act)
{
    int64_t idx;
    uint32_t i;
    char a;

    memset(act, 0, g->ncores);
    while (p < end) {
        if (!expect(&p, end, ';') || p == end) {
            return false;
        }
        a = *p++;
        if (a == 'C' || a == 'S') {
            uint64_t sig;

            if (!parse_hex(&p, end, &sig)) {
                return false;
            }
            a = a == 'C' ? 'c' : 's';
        } else if (a != 'c' && a != 's' && a != 't') {
            return false;
        }
        idx = -1;
        if (expect(&p, end, ':') && !parse_tid(g, &p, end, &idx)) {
            return false;
        }
        /* The first action that applies to a thread wins. */
        for (i = 0; i < g->ncores; i++) {
            if (!act[i] && (idx < 0 || (uint32_t)idx == i)) {
                act[i] = a;
            }
        }
    }
    return true;
}

static void resume(struct gs *g, const char *act)
{
    uint32_t i;
    int64_t stepped = -1;

    if (g->nonstop) {
        send_str(g, "OK");
        for (i = 0; i < g->ncores; i++) {
            if (act[i] == 't' && g->cores[i].running) {
                g->cores[i].stop_sig = SIG_0;
                core_stop(g, i);
            } else if (act[i] == 'c' && !g->cores[i].running) {
                core_run(g, i);
            } else if (act[i] == 's' && !g->cores[i].running) {
                bool ok = core_step(g, i);

                queue_stop(g, i, ok ? SIG_TRAP : SIG_0);
            }
        }
        return;
    }
    /*
     * All-stop.  A step is done alone: the other cores stay stopped (gdb
     * allows a target to hold them), so stepi moves exactly one core.
     */
    for (i = 0; i < g->ncores; i++) {
        if (act[i] == 's') {
            stepped = i;
            break;
        }
    }
    if (stepped >= 0) {
        char buf[160];

        core_step(g, (uint32_t)stepped);
        g->cur_g = (uint32_t)stepped;
        stop_reply(g, (uint32_t)stepped, SIG_TRAP, buf, sizeof(buf));
        send_str(g, buf);
        return;
    }
    g->waiting = true;
    for (i = 0; i < g->ncores; i++) {
        if (act[i] == 'c') {
            core_run(g, i);
        }
    }
    /* A core may have stopped at once (a breakpoint at its pc). */
    poll_cores(g);
}

static void handle_question(struct gs *g)
{
    bool run;
    uint32_t i;
    int64_t first;

    if (!g->nonstop) {
        char buf[160];

        stop_all(g);
        g->waiting = false;
        stop_reply(g, g->cur_g, SIG_TRAP, buf, sizeof(buf));
        send_str(g, buf);
        return;
    }
    /* Non-stop: every stopped core's stop, through vStopped. */
    for (i = 0; i < g->ncores; i++) {
        g->cores[i].pending = false;
        if (core_is_running(g, i, &run) && !run) {
            g->cores[i].running = false;
            stop_reply(g, i, SIG_0, g->cores[i].reply,
                       sizeof(g->cores[i].reply));
            g->cores[i].pending = true;
        } else {
            g->cores[i].running = true;
            g->cores[i].stop_sig = SIG_0;
        }
    }
    first = first_pending(g);
    if (first < 0) {
        send_str(g, "OK");
        return;
    }
    g->notifying = true;
    send_str(g, g->cores[first].reply);
}

static void handle_vstopped(struct gs *g)
{
    int64_t i = first_pending(g);

    if (i >= 0) {
        g->cores[i].pending = false;
    }
    i = first_pending(g);
    if (i < 0) {
        g->notifying = false;
        send_str(g, "OK");
        return;
    }
    send_str(g, g->cores[i].reply);
}

/* ------------------------------------------------------------------------
 * qXfer, qSupported, threads
 */

static void xfer_reply(struct gs *g, const char *data, size_t total,
                       const char *p, const char *end)
{
    uint64_t off, len;

    if (!parse_addr_len(&p, end, &off, &len) || p != end) {
        send_err(g, EINVAL);
        return;
    }
    if (off >= total) {
        send_str(g, "l");
        return;
    }
    if (len > PKT_MAX / 4) {
        len = PKT_MAX / 4;
    }
    if (len > total - off) {
        len = total - off;
    }
    g->out[0] = off + len >= total ? 'l' : 'm';
    memcpy(g->out + 1, data + off, len);
    send_frame(g, '$', g->out, len + 1);
}

static bool starts(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);

    return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

static void handle_threads(struct gs *g)
{
    size_t n = 0;
    uint32_t i;

    g->out[n++] = 'm';
    for (i = 0; i < g->ncores; i++) {
        n += (size_t)sprintf(g->out + n, "%s%x", i ? "," : "", (unsigned)i + 1);
    }
    send_frame(g, '$', g->out, n);
}

static void handle_extra_info(struct gs *g, const char *p, const char *end)
{
    int64_t idx;
    char name[MCD_UNIQUE_NAME_LEN + 16];
    size_t k, n;

    if (!parse_tid(g, &p, end, &idx) || idx < 0 || p != end) {
        send_err(g, EINVAL);
        return;
    }
    n = (size_t)snprintf(name, sizeof(name), "%.*s", MCD_UNIQUE_NAME_LEN - 1,
                         g->cores[idx].info.core);
    for (k = 0; k < n; k++) {
        g->out[2 * k] = hexd[(uint8_t)name[k] >> 4];
        g->out[2 * k + 1] = hexd[(uint8_t)name[k] & 15];
    }
    send_frame(g, '$', g->out, 2 * n);
}

/* ------------------------------------------------------------------------
 * monitor
 */

static void mon_help(struct gs *g)
{
    send_console(g, "mcdshm-gdbserver monitor commands:\n"
                    "  help                  this text\n"
                    "  reset [halt] [CLASS]  MCD reset of the current thread's "
                    "core (class: bit index,\n"
                    "                        default the lowest; 'reset list' "
                    "lists them)\n"
                    "  trace start           arm the core's trace and stream "
                    "its frames\n"
                    "  trace stop            stop the trace\n"
                    "  trace save FILE       write the frames streamed so far "
                    "to FILE\n"
                    "  cores                 the cores and their MCD names\n"
                    "anything else goes to mcd_execute_command_f of the "
                    "current core.\n");
}

static void mon_reset(struct gs *g, char *args)
{
    struct gs_core *c = &g->cores[g->cur_g];
    mcd_rst_info_st ri;
    uint32_t vec = 0;
    bool halt = false, list = false;
    int cls = -1;
    char *w, *save = NULL, e[400];

    for (w = strtok_r(args, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (strcmp(w, "halt") == 0) {
            halt = true;
        } else if (strcmp(w, "list") == 0) {
            list = true;
        } else {
            char *endp;
            long v = strtol(w, &endp, 0);

            if (*endp || v < 0 || v > 31) {
                console_fmt(g,
                            "reset: '%s' is not a reset class (0..31), "
                            "'halt' or 'list'\n",
                            w);
                return;
            }
            cls = (int)v;
        }
    }
    if (!gs_ok(GS_CALL(mcd_qry_rst_classes_f, c->h, &vec))) {
        console_fmt(g, "%s\n",
                    gs_mcd_error(c->h, "mcd_qry_rst_classes_f", e, sizeof(e)));
        return;
    }
    for (int k = 0; k < 32 && (list || cls < 0); k++) {
        if (!(vec & (1u << k))) {
            continue;
        }
        if (!list) {
            cls = k;
            break;
        }
        memset(&ri, 0, sizeof(ri));
        GS_CALL(mcd_qry_rst_class_info_f, c->h, (uint8_t)k, &ri);
        ri.info_str[MCD_INFO_STR_LEN - 1] = '\0';
        console_fmt(g, "%d: %s\n", k, ri.info_str);
    }
    if (list) {
        return;
    }
    if (cls < 0 || !(vec & (1u << cls))) {
        console_fmt(g, "reset: %s has no reset class %d\n", c->info.core, cls);
        return;
    }
    if (!gs_ok(GS_CALL(mcd_rst_f, c->h, 1u << cls, halt))) {
        console_fmt(g, "%s\n", gs_mcd_error(c->h, "mcd_rst_f", e, sizeof(e)));
        return;
    }
    console_fmt(g, "%s: reset class %d%s\n", c->info.core, cls,
                halt ? ", halted" : "");
}

/* Move the frames the trace has into the stream file. */
static void trace_drain(struct gs *g)
{
    struct gs_core *c = &g->cores[g->trace_core];
    mcd_trace_data_core_st fr[TRACE_BATCH];
    uint32_t n, k;

    for (;;) {
        n = TRACE_BATCH;
        if (!gs_ok(MCD(mcd_read_trace_f)(c->h, g->trace_id, 0, &n,
                                         sizeof(fr[0]), fr)) ||
            n == 0) {
            return;
        }
        for (k = 0; k < n && k < TRACE_BATCH; k++) {
            fprintf(g->trace_file, "%llu 0x%016llx %u %u\n",
                    (unsigned long long)fr[k].timestamp,
                    (unsigned long long)fr[k].addr.address,
                    (unsigned)fr[k].cycle, (unsigned)fr[k].marker);
        }
        g->trace_frames += n;
        if (n < TRACE_BATCH) {
            return;
        }
    }
}

static bool trace_set(struct gs *g, uint32_t state, uint32_t mode)
{
    struct gs_core *c = &g->cores[g->trace_core];
    mcd_trace_state_st ts;
    char e[400];

    memset(&ts, 0, sizeof(ts));
    ts.state = state;
    ts.mode = mode;
    if (!gs_ok(GS_CALL(mcd_set_trace_state_f, c->h, g->trace_id, &ts))) {
        console_fmt(g, "%s\n",
                    gs_mcd_error(c->h, "mcd_set_trace_state_f", e, sizeof(e)));
        return false;
    }
    return true;
}

static void trace_start(struct gs *g)
{
    struct gs_core *c = &g->cores[g->cur_g];
    mcd_trace_info_st ti[8];
    uint32_t n = 8, k;
    char e[400];

    if (g->tracing) {
        console_fmt(g, "trace: already running on %s\n",
                    g->cores[g->trace_core].info.core);
        return;
    }
    memset(ti, 0, sizeof(ti));
    if (!gs_ok(GS_CALL(mcd_qry_traces_f, c->h, 0, &n, ti))) {
        console_fmt(g, "%s\n",
                    gs_mcd_error(c->h, "mcd_qry_traces_f", e, sizeof(e)));
        return;
    }
    for (k = 0; k < n && k < 8; k++) {
        if (ti[k].trace_format >= MCD_TRACE_FORMAT_CORE_FETCH &&
            ti[k].trace_format <= MCD_TRACE_FORMAT_CORE_FLOW_IPREDICATE &&
            (ti[k].trace_modes & MCD_TRACE_MODE_PIPE)) {
            break;
        }
    }
    if (k >= n || k >= 8) {
        console_fmt(g, "trace: %s has no core trace with PIPE mode\n",
                    c->info.core);
        return;
    }
    if (!g->trace_file) {
        g->trace_file = tmpfile();
        if (!g->trace_file) {
            console_fmt(g, "trace: no temporary file: %s\n", strerror(errno));
            return;
        }
    }
    g->trace_id = ti[k].trace_id;
    g->trace_core = g->cur_g;
    if (trace_set(g, MCD_TRACE_STATE_INIT, MCD_TRACE_MODE_PIPE) &&
        trace_set(g, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_PIPE)) {
        g->tracing = true;
        console_fmt(g,
                    "trace: '%s' of %s armed; frames stream as the core "
                    "runs\n",
                    ti[k].trace_name, c->info.core);
    }
}

static void trace_stop(struct gs *g)
{
    if (!g->tracing) {
        console_fmt(g, "trace: not running\n");
        return;
    }
    trace_drain(g);
    trace_set(g, MCD_TRACE_STATE_OFF, MCD_TRACE_MODE_NOCHANGE);
    g->tracing = false;
    console_fmt(g, "trace: stopped, %llu frames\n",
                (unsigned long long)g->trace_frames);
}

static void trace_save(struct gs *g, const char *path)
{
    char buf[65536];
    size_t n;
    FILE *f;
    bool ok = true;

    if (!path || !*path) {
        console_fmt(g, "trace save: FILE is missing\n");
        return;
    }
    if (g->tracing) {
        trace_drain(g);
    }
    f = fopen(path, "w");
    if (!f) {
        console_fmt(g, "trace save: %s: %s\n", path, strerror(errno));
        return;
    }
    fprintf(f, "# timestamp address cycle marker\n");
    if (g->trace_file) {
        fflush(g->trace_file);
        rewind(g->trace_file);
        while ((n = fread(buf, 1, sizeof(buf), g->trace_file)) > 0) {
            ok &= fwrite(buf, 1, n, f) == n;
        }
        fseek(g->trace_file, 0, SEEK_END);
    }
    ok &= fclose(f) == 0;
    if (ok) {
        console_fmt(g, "trace: %llu frames saved to %s\n",
                    (unsigned long long)g->trace_frames, path);
    } else {
        console_fmt(g, "trace: writing %s failed\n", path);
    }
}

static void handle_rcmd(struct gs *g, const char *p, const char *end)
{
    size_t n = (size_t)(end - p) / 2;
    char *cmd, *out, e[400];
    struct gs_core *c = &g->cores[g->cur_g];

    if ((end - p) % 2 || n > 4096) {
        send_err(g, EINVAL);
        return;
    }
    cmd = calloc(1, n + 1);
    if (!cmd || !unhex(p, n, (uint8_t *)cmd) || strlen(cmd) != n) {
        free(cmd);
        send_err(g, EINVAL);
        return;
    }
    if (strcmp(cmd, "help") == 0) {
        mon_help(g);
    } else if (strcmp(cmd, "reset") == 0 || strncmp(cmd, "reset ", 6) == 0) {
        mon_reset(g, cmd + 5);
    } else if (strcmp(cmd, "trace start") == 0) {
        trace_start(g);
    } else if (strcmp(cmd, "trace stop") == 0) {
        trace_stop(g);
    } else if (strncmp(cmd, "trace save", 10) == 0) {
        trace_save(g, cmd[10] ? cmd + 11 : NULL);
    } else if (strncmp(cmd, "trace", 5) == 0) {
        console_fmt(g, "trace: use 'trace start', 'trace stop' or "
                       "'trace save FILE'\n");
    } else if (strcmp(cmd, "cores") == 0) {
        for (uint32_t i = 0; i < g->ncores; i++) {
            console_fmt(g, "thread %u: %s%s\n", (unsigned)i + 1,
                        g->cores[i].info.core,
                        g->cores[i].running ? " (running)" : "");
        }
    } else {
        out = calloc(1, CMD_RESULT_LEN);
        if (!out) {
            free(cmd);
            send_err(g, ENOMEM);
            return;
        }
        if (gs_ok(GS_CALL(mcd_execute_command_f, c->h, cmd, CMD_RESULT_LEN,
                          out))) {
            out[CMD_RESULT_LEN - 1] = '\0';
            if (out[0]) {
                send_console(g, out);
                if (out[strlen(out) - 1] != '\n') {
                    send_console(g, "\n");
                }
            }
        } else {
            console_fmt(
                g, "%s\n",
                gs_mcd_error(c->h, "mcd_execute_command_f", e, sizeof(e)));
        }
        free(out);
    }
    free(cmd);
    send_str(g, "OK");
}

/* ------------------------------------------------------------------------
 * Dispatch
 */

static void handle_q(struct gs *g, const char *p, const char *end)
{
    if (starts(p, end, "qSupported")) {
        send_fmt(g,
                 "PacketSize=%x;qXfer:features:read+;%sQNonStop+;"
                 "QStartNoAckMode+;vContSupported+",
                 PKT_MAX, g->memmap ? "qXfer:memory-map:read+;" : "");
    } else if (starts(p, end, "qXfer:features:read:target.xml:")) {
        xfer_reply(g, g->td.xml, g->td.xml_len, p + 31, end);
    } else if (starts(p, end, "qXfer:memory-map:read::") && g->memmap) {
        xfer_reply(g, g->memmap, g->memmap_len, p + 23, end);
    } else if (starts(p, end, "qfThreadInfo")) {
        handle_threads(g);
    } else if (starts(p, end, "qsThreadInfo")) {
        send_str(g, "l");
    } else if (starts(p, end, "qThreadExtraInfo,")) {
        handle_extra_info(g, p + 17, end);
    } else if (p + 2 == end && p[1] == 'C') {
        send_fmt(g, "QC%x", (unsigned)g->cur_g + 1);
    } else if (starts(p, end, "qAttached")) {
        send_str(g, "1");
    } else if (starts(p, end, "qRcmd,")) {
        handle_rcmd(g, p + 6, end);
    } else if (starts(p, end, "QStartNoAckMode") && p + 15 == end) {
        send_str(g, "OK");
        g->noack = true;
    } else if (starts(p, end, "QNonStop:") && p + 10 == end &&
               (p[9] == '0' || p[9] == '1')) {
        g->nonstop = p[9] == '1';
        send_str(g, "OK");
    } else {
        send_str(g, "");
    }
}

static void handle_v(struct gs *g, const char *p, const char *end)
{
    char *act;

    if (starts(p, end, "vCont?") && p + 6 == end) {
        send_str(g, "vCont;c;C;s;S;t");
    } else if (starts(p, end, "vCont;")) {
        act = calloc(g->ncores, 1);
        if (!act) {
            send_err(g, ENOMEM);
        } else if (!parse_vcont(g, p + 5, end, act)) {
            send_err(g, EINVAL);
        } else {
            resume(g, act);
        }
        free(act);
    } else if (starts(p, end, "vStopped") && p + 8 == end) {
        handle_vstopped(g);
    } else if (starts(p, end, "vKill")) {
        send_str(g, "OK");
        g->end = true;
    } else {
        send_str(g, "");
    }
}

static void handle_H(struct gs *g, const char *p, const char *end)
{
    int64_t idx;
    char op = p + 1 < end ? p[1] : 0;

    p += 2;
    if ((op != 'g' && op != 'c') || !parse_tid(g, &p, end, &idx) || p != end) {
        send_err(g, EINVAL);
        return;
    }
    if (op == 'g' && idx >= 0) {
        g->cur_g = (uint32_t)idx;
    }
    send_str(g, "OK");
}

static void handle_packet(struct gs *g, const char *p, const char *end)
{
    char *act;
    int64_t idx;
    const char *q;

    if (g->verbose) {
        fprintf(stderr, "<- %.*s%s\n", end - p > 200 ? 200 : (int)(end - p), p,
                end - p > 200 ? "..." : "");
    }
    if (p == end) {
        send_str(g, "");
        return;
    }
    switch (*p) {
    case '?':
        handle_question(g);
        break;
    case 'g':
        handle_g(g);
        break;
    case 'G':
        handle_G(g, p + 1, end);
        break;
    case 'p':
        handle_p(g, p + 1, end);
        break;
    case 'P':
        handle_P(g, p + 1, end);
        break;
    case 'm':
        handle_m(g, p + 1, end);
        break;
    case 'M':
        handle_M(g, p + 1, end, false);
        break;
    case 'X':
        handle_M(g, p + 1, end, true);
        break;
    case 'Z':
    case 'z':
        handle_Z(g, p + 1, end, *p == 'Z');
        break;
    case 'H':
        handle_H(g, p, end);
        break;
    case 'T':
        q = p + 1;
        if (parse_tid(g, &q, end, &idx) && q == end && idx >= 0) {
            send_str(g, "OK");
        } else {
            send_err(g, ENOENT);
        }
        break;
    case 'c':
    case 's':
        act = calloc(g->ncores, 1);
        if (!act) {
            send_err(g, ENOMEM);
            break;
        }
        if (*p == 's') {
            act[g->cur_g] = 's';
        } else {
            memset(act, 'c', g->ncores);
        }
        resume(g, act);
        free(act);
        break;
    case 'q':
    case 'Q':
        handle_q(g, p, end);
        break;
    case 'v':
        handle_v(g, p, end);
        break;
    case 'D':
        send_str(g, "OK");
        g->end = true;
        break;
    case 'k':
        g->end = true;
        break;
    default:
        send_str(g, "");
        break;
    }
}

/*
 * Take the complete packets out of g->in.  A '$' inside a packet starts
 * it again (the rest was noise); a packet that does not fit PKT_MAX is
 * dropped up to its '#'; a bad checksum or a bad character is NAKed.
 */
static void process_input(struct gs *g)
{
    size_t i = 0, start, k;
    uint8_t sum;
    int a, b;

    while (i < g->in_len && !g->end) {
        char c = g->in[i];

        if (c == '\x03') {
            interrupt(g);
            i++;
            continue;
        }
        if (c == '-' && !g->noack && g->last_len) {
            write_all(g, g->last, g->last_len);
            i++;
            continue;
        }
        if (c != '$') {
            i++; /* '+', and noise between packets */
            continue;
        }
        start = i + 1;
        for (k = start; k < g->in_len && g->in[k] != '#' && g->in[k] != '$';
             k++) {
        }
        if (k < g->in_len && g->in[k] == '$') {
            i = k; /* restart at the new '$' */
            continue;
        }
        if (k + 2 >= g->in_len) {
            break; /* incomplete: wait for more */
        }
        sum = 0;
        for (size_t j = start; j < k; j++) {
            sum += (uint8_t)g->in[j];
        }
        a = hexval(g->in[k + 1]);
        b = hexval(g->in[k + 2]);
        i = k + 3;
        if (a < 0 || b < 0 || (uint8_t)(a << 4 | b) != sum) {
            if (g->verbose) {
                logmsg("bad checksum, packet dropped");
            }
            if (!g->noack) {
                write_all(g, "-", 1);
            }
            continue;
        }
        if (!g->noack) {
            write_all(g, "+", 1);
        }
        handle_packet(g, g->in + start, g->in + k);
    }
    memmove(g->in, g->in + i, g->in_len - i);
    g->in_len -= i;
    /* A packet longer than PKT_MAX: drop what we have (its end is then
     * noise up to the next '$'), and NAK it. */
    if (g->in_len >= PKT_MAX + 16) {
        logmsg("a packet over %u bytes, dropped", PKT_MAX);
        g->in_len = 0;
        if (!g->noack) {
            write_all(g, "-", 1);
        }
    }
}

/* ------------------------------------------------------------------------
 * Sessions
 */

/* The default memory and trigger spaces and the max payload of core i. */
static int core_setup(struct gs *g, uint32_t i, char *err, size_t errlen)
{
    struct gs_core *c = &g->cores[i];
    mcd_memspace_st sp[32];
    uint32_t n = 32, k, mp = 0;
    int mem = -1, trig = -1, any = -1;

    memset(sp, 0, sizeof(sp));
    if (!gs_ok(GS_CALL(mcd_qry_mem_spaces_f, c->h, 0, &n, sp))) {
        gs_mcd_error(c->h, "mcd_qry_mem_spaces_f", err, errlen);
        return -EIO;
    }
    for (k = 0; k < n && k < 32; k++) {
        uint32_t t = sp[k].mem_type;

        if (t & MCD_MEM_SPACE_IS_REGISTERS) {
            continue;
        }
        if (any < 0) {
            any = (int)k;
        }
        if (mem < 0 && (t & MCD_MEM_SPACE_IS_PHYSICAL)) {
            mem = (int)k;
        }
        if (trig < 0 && (t & MCD_MEM_SPACE_IS_LOGICAL)) {
            trig = (int)k;
        }
    }
    if (any < 0) {
        snprintf(err, errlen, "core '%s' has no memory space", c->info.core);
        return -ENOENT;
    }
    c->mem_space = sp[mem >= 0 ? mem : any].mem_space_id;
    c->trig_space = sp[trig >= 0 ? trig : mem >= 0 ? mem : any].mem_space_id;
    if (!gs_ok(GS_CALL(mcd_qry_max_payload_size_f, c->h, &mp)) || mp == 0) {
        mp = MCD_GUARANTEED_MIN_PAYLOAD;
    }
    c->max_payload = mp > PAYLOAD_CAP ? PAYLOAD_CAP : mp;
    return 0;
}

/* qXfer:memory-map from the top-level blocks of core 0's memory space. */
static void build_memmap(struct gs *g)
{
    struct gs_core *c = &g->cores[0];
    mcd_memblock_st *b;
    uint32_t n = 0, k;
    size_t len = 0;
    char *buf = NULL;
    FILE *f;

    free(g->memmap);
    g->memmap = NULL;
    if (!gs_ok(
            GS_CALL(mcd_qry_mem_blocks_f, c->h, c->mem_space, 0, &n, NULL)) ||
        n == 0 || n > 4096) {
        return;
    }
    b = calloc(n, sizeof(*b));
    if (!b) {
        return;
    }
    if (!gs_ok(GS_CALL(mcd_qry_mem_blocks_f, c->h, c->mem_space, 0, &n, b))) {
        free(b);
        return;
    }
    f = open_memstream(&buf, &len);
    if (!f) {
        free(b);
        return;
    }
    fprintf(f, "<?xml version=\"1.0\"?>\n"
               "<!DOCTYPE memory-map PUBLIC \"+//IDN gnu.org//DTD GDB "
               "Memory Map V1.0//EN\" \"http://sourceware.org/gdb/gdb-"
               "memory-map.dtd\">\n<memory-map>\n");
    for (k = 0; k < n; k++) {
        if (b[k].parent_id != MCD_MEM_BLOCK_NOPARENT && b[k].parent_id != 0) {
            continue;
        }
        if (b[k].end_addr < b[k].start_addr) {
            continue;
        }
        fprintf(f,
                "<memory type=\"ram\" start=\"0x%llx\" length=\"0x%llx\"/>\n",
                (unsigned long long)b[k].start_addr,
                (unsigned long long)(b[k].end_addr - b[k].start_addr + 1));
    }
    fprintf(f, "</memory-map>\n");
    if (fclose(f) == 0) {
        g->memmap = buf;
        g->memmap_len = len;
    } else {
        free(buf);
    }
    free(b);
}

static void session_close_cores(struct gs *g)
{
    uint32_t i;

    for (i = 0; i < g->ncores; i++) {
        if (g->cores[i].h) {
            MCD(mcd_close_core_f)(g->cores[i].h);
            g->cores[i].h = NULL;
        }
    }
}

static int session_open(struct gs *g, char *err, size_t errlen)
{
    uint32_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < g->ncores; i++) {
        memset(&g->cores[i].running, 0,
               sizeof(g->cores[i]) - offsetof(struct gs_core, running));
        if (!gs_ok(
                GS_CALL(mcd_open_core_f, &g->cores[i].info, &g->cores[i].h))) {
            gs_mcd_error(NULL, "mcd_open_core_f", err, errlen);
            g->cores[i].h = NULL;
            rc = -EIO;
        } else {
            rc = core_setup(g, i, err, errlen);
        }
    }
    if (rc == 0) {
        gs_tdesc_free(&g->td);
        rc = gs_tdesc_build(g->cores[0].h, g->cores[0].info.core_type, &g->td,
                            err, errlen);
    }
    if (rc == 0) {
        build_memmap(g);
    }
    if (rc != 0) {
        session_close_cores(g);
    }
    return rc;
}

/* The end of a session, whatever ended it: triggers go, cores run. */
static void session_end(struct gs *g)
{
    uint32_t i, k;
    bool run;

    if (g->tracing) {
        trace_drain(g);
        trace_set(g, MCD_TRACE_STATE_OFF, MCD_TRACE_MODE_NOCHANGE);
        g->tracing = false;
    }
    if (g->trace_file) {
        fclose(g->trace_file);
        g->trace_file = NULL;
        g->trace_frames = 0;
    }
    for (k = 0; k < g->ntrigs; k++) {
        for (i = 0; i < g->ncores; i++) {
            if (g->trigs[k].made[i] && g->cores[i].h) {
                GS_CALL(mcd_remove_trig_f, g->cores[i].h, g->trigs[k].ids[i]);
            }
        }
        trig_free(&g->trigs[k]);
    }
    free(g->trigs);
    g->trigs = NULL;
    g->ntrigs = 0;
    for (i = 0; i < g->ncores; i++) {
        if (!g->cores[i].h) {
            continue;
        }
        if (g->on_kill == KILL_HALT) {
            if (core_is_running(g, i, &run) && run) {
                core_stop(g, i);
            }
        } else if (core_is_running(g, i, &run) && !run) {
            core_run(g, i);
        }
    }
    session_close_cores(g);
}

static void serve(struct gs *g, int fd, const char *peer)
{
    char err[512];
    struct pollfd pfd[2];
    struct timeval tv = { SEND_TIMEOUT_S, 0 };
    ssize_t n;
    int one = 1;

    g->fd = fd;
    g->end = false;
    g->noack = false;
    g->nonstop = false;
    g->waiting = false;
    g->notifying = false;
    g->cur_g = 0;
    g->in_len = 0;
    g->last_len = 0;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (session_open(g, err, sizeof(err)) != 0) {
        logmsg("gdb from %s refused: %s", peer, err);
        send_str(g, "E01");
        return;
    }
    logmsg("gdb connected from %s (%u threads)", peer, (unsigned)g->ncores);
    while (!g->end && !quit) {
        pfd[0].fd = fd;
        pfd[0].events = POLLIN;
        pfd[1].fd = g->lfd;
        pfd[1].events = POLLIN;
        n = poll(pfd, 2, any_running(g) ? 1 : g->tracing ? 10 : -1);
        if (n < 0 && errno != EINTR) {
            break;
        }
        if (n > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            n = recv(fd, g->in + g->in_len, PKT_MAX + 32 - g->in_len, 0);
            if (n <= 0) {
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                break;
            }
            g->in_len += (size_t)n;
            process_input(g);
        }
        if (n > 0 && !g->end && !(pfd[0].revents & POLLIN) &&
            (pfd[1].revents & POLLIN)) {
            /* Another gdb while this one is on: tell it and close.  Only
             * once this one's input is all read, so that a gdb that just
             * went (its end still queued) is not taken for one that is
             * on: the new one then waits in the backlog. */
            int other = accept(g->lfd, NULL, NULL);

            if (other >= 0) {
                logmsg("a second gdb refused: one session at a time");
                send(other, "$E10#a6", 7, MSG_NOSIGNAL);
                close(other);
            }
        }
        if (!g->end) {
            poll_cores(g);
        }
        if (g->tracing) {
            trace_drain(g);
        }
    }
    session_end(g);
    logmsg("gdb from %s gone; the target %s", peer,
           g->on_kill == KILL_HALT ? "is halted" : "runs on");
}

/* ------------------------------------------------------------------------
 * Start-up: options, the server, the listening socket
 */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROG " [--server NAME | -c CONFIG] "
            "[--listen HOST:PORT | --listen unix:PATH]\n"
            "                        [--library PATH] [--on-kill resume|halt] "
            "[-v]\n"
            "\n"
            "Serve gdb's remote protocol for one MCD server: every core is a "
            "thread.\n"
            "\n"
            "  -s, --server NAME    the MCD server named NAME (McdServerName)\n"
            "  -c, --config CONFIG  an MCD config string for "
            "mcd_open_server_f\n"
            "                       (default: the one server running)\n"
            "  -l, --listen ADDR    HOST:PORT or unix:PATH "
            "(default 127.0.0.1:3333;\n"
            "                       port 0 picks a free one)\n"
            "  -L, --library PATH   the MCD library (default libmcdshm.so.0 "
            "beside\n"
            "                       this program, else the loader's)\n"
            "      --on-kill WHAT   when gdb kills, detaches or goes: resume "
            "the cores\n"
            "                       (default) or halt them\n"
            "  -v, --verbose        log every packet\n"
            "  -h, --help           this help\n"
            "\n"
            "Prints 'listening on ADDR' when ready; then: gdb-multiarch -ex "
            "'target remote ADDR'.\n"
            "Type 'monitor help' in gdb for the bridge's commands.\n");
}

/* --listen's form, checked before anything is connected. */
static bool listen_syntax_ok(const char *a)
{
    const char *colon = strrchr(a, ':');

    if (strncmp(a, "unix:", 5) == 0) {
        return a[5] != '\0';
    }
    return colon && colon != a && colon[1] && strlen(colon + 1) <= 5 &&
           strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
           atoi(colon + 1) <= 65535;
}

static int listen_on(struct gs *g, char *desc, size_t desclen)
{
    const char *a = g->listen;
    int fd = -1, one = 1;

    if (strncmp(a, "unix:", 5) == 0) {
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        struct stat st;

        if (strlen(a + 5) == 0 || strlen(a + 5) >= sizeof(un.sun_path)) {
            logmsg("--listen '%s': the path is empty or longer than %zu", a,
                   sizeof(un.sun_path) - 1);
            return -EINVAL;
        }
        if (lstat(a + 5, &st) == 0) {
            logmsg("--listen '%s': %s exists; not replacing it", a, a + 5);
            return -EEXIST;
        }
        strcpy(un.sun_path, a + 5);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof(un)) != 0 ||
            listen(fd, 4) != 0) {
            logmsg("--listen '%s': %s", a, strerror(errno));
            if (fd >= 0) {
                close(fd);
            }
            return -errno;
        }
        snprintf(desc, desclen, "%s", a);
    } else {
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                                  .ai_flags = AI_PASSIVE };
        struct addrinfo *res = NULL;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        const char *colon = strrchr(a, ':');
        char host[256], port[16], h[INET6_ADDRSTRLEN];
        int e;

        if (!colon || colon == a || !colon[1] ||
            (size_t)(colon - a) >= sizeof(host) || strlen(colon + 1) > 5 ||
            strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
            atoi(colon + 1) > 65535) {
            logmsg("--listen '%s': not HOST:PORT (port 0..65535) or "
                   "unix:PATH",
                   a);
            return -EINVAL;
        }
        snprintf(host, sizeof(host), "%.*s", (int)(colon - a), a);
        if (host[0] == '[' && host[strlen(host) - 1] == ']') {
            memmove(host, host + 1, strlen(host));
            host[strlen(host) - 1] = '\0';
        }
        snprintf(port, sizeof(port), "%s", colon + 1);
        e = getaddrinfo(host, port, &hints, &res);
        if (e != 0) {
            logmsg("--listen '%s': %s", a, gai_strerror(e));
            return -EINVAL;
        }
        fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        }
        if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
            listen(fd, 4) != 0) {
            e = errno;
            logmsg("--listen '%s': %s", a, strerror(e));
            freeaddrinfo(res);
            if (fd >= 0) {
                close(fd);
            }
            return -e;
        }
        freeaddrinfo(res);
        getsockname(fd, (struct sockaddr *)&ss, &sl);
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

            inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof(h));
            snprintf(desc, desclen, "[%s]:%u", h, ntohs(s6->sin6_port));
        } else {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

            inet_ntop(AF_INET, &s4->sin_addr, h, sizeof(h));
            snprintf(desc, desclen, "%s:%u", h, ntohs(s4->sin_port));
        }
    }
    g->lfd = fd;
    return 0;
}

/* Open the server and list every core of every system. */
static int open_target(struct gs *g, char *err, size_t errlen)
{
    mcd_api_version_st req = {
        .v_api_major = MCD_API_VER_MAJOR,
        .v_api_minor = MCD_API_VER_MINOR,
        .author = MCD_API_VER_AUTHOR,
    };
    mcd_impl_version_info_st impl;
    mcd_core_con_info_st sys[16];
    uint32_t ns = 16, s, n;
    struct gs_core *more;

    if (!gs_ok(MCD(mcd_initialize_f)(&req, &impl))) {
        gs_mcd_error(NULL, "mcd_initialize_f", err, errlen);
        return -EIO;
    }
    if (!gs_ok(GS_CALL(mcd_open_server_f, "", g->config, &g->server))) {
        char e[400];

        snprintf(err, errlen, "no MCD server with config '%s' (%s)", g->config,
                 gs_mcd_error(NULL, "mcd_open_server_f", e, sizeof(e)));
        g->server = NULL;
        return -ENOENT;
    }
    memset(sys, 0, sizeof(sys));
    if (!gs_ok(GS_CALL(mcd_qry_systems_f, 0, &ns, sys))) {
        gs_mcd_error(NULL, "mcd_qry_systems_f", err, errlen);
        return -EIO;
    }
    for (s = 0; s < ns && s < 16; s++) {
        n = 0;
        if (!gs_ok(GS_CALL(mcd_qry_cores_f, &sys[s], 0, &n, NULL)) || n == 0) {
            continue;
        }
        more = realloc(g->cores, (g->ncores + n) * sizeof(*more));
        if (!more) {
            return -ENOMEM;
        }
        g->cores = more;
        memset(more + g->ncores, 0, n * sizeof(*more));
        for (uint32_t k = 0; k < n; k++) {
            uint32_t one = 1;

            if (gs_ok(GS_CALL(mcd_qry_cores_f, &sys[s], k, &one,
                              &more[g->ncores].info)) &&
                one == 1) {
                more[g->ncores].info.core[MCD_UNIQUE_NAME_LEN - 1] = '\0';
                g->ncores++;
            }
        }
    }
    if (g->ncores == 0) {
        snprintf(err, errlen, "the server offers no cores");
        return -ENOENT;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "server", required_argument, NULL, 's' },
        { "config", required_argument, NULL, 'c' },
        { "listen", required_argument, NULL, 'l' },
        { "library", required_argument, NULL, 'L' },
        { "on-kill", required_argument, NULL, 'k' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    struct gs g = { .listen = "127.0.0.1:3333", .lfd = -1, .fd = -1 };
    const char *server = NULL, *config = NULL;
    char err[512], desc[256], *cfg = NULL;
    struct sigaction sa = { .sa_handler = on_signal };
    int c, rc = 1, fd;

    while ((c = getopt_long(argc, argv, "s:c:l:L:vh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            server = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'l':
            g.listen = optarg;
            break;
        case 'L':
            g.library = optarg;
            break;
        case 'k':
            if (strcmp(optarg, "resume") == 0) {
                g.on_kill = KILL_RESUME;
            } else if (strcmp(optarg, "halt") == 0) {
                g.on_kill = KILL_HALT;
            } else {
                fprintf(stderr,
                        PROG ": --on-kill '%s': use resume or halt\n"
                             "Try '" PROG " --help'.\n",
                        optarg);
                return 2;
            }
            break;
        case 'v':
            g.verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            fprintf(stderr, "Try '" PROG " --help'.\n");
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr,
                PROG ": unexpected argument '%s'\nTry '" PROG " --help'.\n",
                argv[optind]);
        return 2;
    }
    if (!listen_syntax_ok(g.listen)) {
        fprintf(stderr,
                PROG ": --listen '%s': not HOST:PORT (port 0..65535) or "
                     "unix:PATH\nTry '" PROG " --help'.\n",
                g.listen);
        return 2;
    }
    if (server && config) {
        fprintf(stderr, PROG ": --server and -c are exclusive\nTry '" PROG
                             " --help'.\n");
        return 2;
    }
    if (server && strchr(server, '"')) {
        fprintf(stderr, PROG ": --server '%s' must not contain '\"'\n", server);
        return 2;
    }
    if (server) {
        if (asprintf(&cfg, "McdServerName=\"%s\"", server) < 0) {
            return 1;
        }
        g.config = cfg;
    } else {
        g.config = config ? config : "";
    }
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    g.in = malloc(PKT_MAX + 32);
    g.out = malloc(2 * PKT_MAX + 16);
    g.mem = malloc(PKT_MAX + 16);
    if (!g.in || !g.out || !g.mem) {
        logmsg("out of memory");
        goto out;
    }
    if (mcdlib_load(g.library, err, sizeof(err)) != 0) {
        logmsg("%s", err);
        goto out;
    }
    if (open_target(&g, err, sizeof(err)) != 0) {
        logmsg("%s", err);
        rc = 3;
        goto out;
    }
    if (listen_on(&g, desc, sizeof(desc)) != 0) {
        goto out;
    }
    printf("listening on %s\n", desc);
    fflush(stdout);
    while (!quit) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        char peer[INET6_ADDRSTRLEN + 16] = "unix socket";

        fd = accept4(g.lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            logmsg("accept: %s", strerror(errno));
            break;
        }
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
            char h[INET_ADDRSTRLEN];

            inet_ntop(AF_INET, &s4->sin_addr, h, sizeof(h));
            snprintf(peer, sizeof(peer), "%s:%u", h, ntohs(s4->sin_port));
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            char h[INET6_ADDRSTRLEN];

            inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof(h));
            snprintf(peer, sizeof(peer), "[%s]:%u", h, ntohs(s6->sin6_port));
        }
        serve(&g, fd, peer);
        close(fd);
    }
    rc = 0;
out:
    if (g.lfd >= 0) {
        close(g.lfd);
        if (strncmp(g.listen, "unix:", 5) == 0) {
            unlink(g.listen + 5);
        }
    }
    if (g.server) {
        MCD(mcd_close_server_f)(g.server);
    }
    if (mcdlib.handle) {
        MCD(mcd_exit_f)();
    }
    gs_tdesc_free(&g.td);
    free(g.memmap);
    free(g.cores);
    free(g.in);
    free(g.out);
    free(g.mem);
    free(g.last);
    free(cfg);
    return rc;
}
