/*
 * cmd_trace.c - the `mcdshm` commands that stream data off the target:
 * trace (an instruction trace to a file) and uart (the application
 * channel).
 *
 * trace arms one core trace in PIPE mode, runs the core and reads frames
 * with mcd_read_trace_f as they come.  In PIPE mode frames are streamed:
 * a read hands them over, so every read starts again at index 0, the
 * oldest frame not yet read.  It stops the core after N instructions or T
 * ms, drains what is left, and reports frames and losses: the trace's
 * count (frames produced, lost ones included) against the frames read and
 * still buffered, plus the GAP markers and the wraparound flag, so an
 * overflow is never silent.  Single-threaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Default of --instructions. */
#define TRACE_DEFAULT_INSNS 1000

/*
 * Most frames read per mcd_read_trace_f (224 KiB), also bounded by the
 * payload.  In PIPE mode a read consumes what it returns, so a read must
 * reach the target as one request: this stays inside one slot of the
 * transport (256 KiB by default), which never has to page it.
 */
#define TRACE_BATCH_MAX 4096

/* Room per message on the application channel. */
#define UART_MSG_LEN 4096

/* Default of --timeout-ms for uart. */
#define UART_DEFAULT_MS 1000
/* uart --new: at most this many receives drop what was buffered. */
#define UART_DRAIN_MAX 4096

struct trace_job {
    uint32_t id;
    FILE *f;
    const char *file;
    bool binary;
    uint64_t want;       /* instructions wanted, 0 = until the time */
    uint64_t insns;      /* instructions written */
    uint64_t frames;     /* frames written */
    uint64_t read_total; /* frames read, written or not */
    uint64_t gaps;       /* frames that carried a GAP marker */
    uint64_t size;       /* --size, 0 = the target's */
    mcd_trace_data_core_st *buf;
    uint32_t batch; /* frames buf holds */
};

int check_trace(const struct cli *c, const struct cli_opts *o)
{
    if (o->instructions && o->ms) {
        return cli_usage_error(c, "give --instructions or --ms, not both");
    }
    return CLI_OK;
}

static bool core_format(mcd_trace_format_et f)
{
    return f >= MCD_TRACE_FORMAT_CORE_FETCH &&
           f <= MCD_TRACE_FORMAT_CORE_FLOW_IPREDICATE;
}

static mcd_return_et qry_traces(const void *ctx, uint32_t start, uint32_t *num,
                                void *out)
{
    return mcd_qry_traces_f(ctx, start, num, out);
}

/* The trace to use: --trace, or the first core trace; it must stream. */
static int pick_trace(const struct cli *c, uint32_t want, uint32_t *id)
{
    mcd_trace_info_st *t, *p = NULL;
    uint32_t i, n;
    int rc;

    rc = cli_list(c, c->core, "mcd_qry_traces_f", qry_traces, c->core,
                  sizeof(*t), (void **)&t, &n);
    for (i = 0; rc == CLI_OK && !p && i < n; i++) {
        if (want ? t[i].trace_id == want : core_format(t[i].trace_format)) {
            p = &t[i];
        }
    }
    if (rc == CLI_OK && !p) {
        rc = want ? cli_usage_error(c, "--trace %u: %s has no such trace",
                                    (unsigned)want,
                                    cli_core_name(c, c->core_idx))
                  : cli_fail(c, "%s has no core trace",
                             cli_core_name(c, c->core_idx));
    } else if (rc == CLI_OK && !core_format(p->trace_format)) {
        rc = cli_fail(c, "trace %u has format 0x%x, not a core trace format",
                      (unsigned)p->trace_id, (unsigned)p->trace_format);
    } else if (rc == CLI_OK && !(p->trace_modes & MCD_TRACE_MODE_PIPE)) {
        rc = cli_fail(c, "trace %u cannot stream (modes 0x%x, no PIPE)",
                      (unsigned)p->trace_id, (unsigned)p->trace_modes);
    }
    if (rc == CLI_OK) {
        *id = p->trace_id;
    }
    free(t);
    return rc;
}

/* Set the trace's state and mode, and its size unless @size is 0. */
static int set_trace(const struct cli *c, uint32_t id, mcd_trace_state_et state,
                     mcd_trace_mode_et mode, uint64_t size)
{
    mcd_trace_state_st ts;
    int rc;

    memset(&ts, 0, sizeof(ts));
    ts.state = state;
    ts.mode = mode;
    ts.size = size;
    rc = CLI_MCD(c, c->core, mcd_set_trace_state_f, c->core, id, &ts);
    if (rc == CLI_OK && ts.modified) {
        ts.info_str[MCD_INFO_STR_LEN - 1] = '\0';
        cli_note(c, "the target adjusted the trace settings (size %llu)%s%s",
                 (unsigned long long)ts.size, ts.info_str[0] ? ": " : "",
                 ts.info_str);
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * Frames to the file
 */

static void marker_line(FILE *f, const mcd_trace_data_core_st *fr)
{
    mcd_trace_marker_et m = fr->marker;

    fprintf(f, "# %llu%s%s%s%s%s%s\n", (unsigned long long)fr->timestamp,
            m & MCD_TRACE_MARKER_RUN ? " run" : "",
            m & MCD_TRACE_MARKER_DEBUG ? " debug" : "",
            m & MCD_TRACE_MARKER_START ? " start" : "",
            m & MCD_TRACE_MARKER_STOP ? " stop" : "",
            m & MCD_TRACE_MARKER_ERROR ? " error" : "",
            m & MCD_TRACE_MARKER_GAP ? " gap: frames were lost before this"
                                     : "");
}

static void text_frame(FILE *f, const mcd_trace_data_core_st *fr)
{
    int digits = fr->data_width ? 2 * fr->data_width : 8;

    if (fr->marker != MCD_TRACE_MARKER_NONE) {
        marker_line(f, fr);
    }
    if (fr->cycle != MCD_TRACE_CYCLE_NONE) {
        fprintf(f, "%llu 0x%016llx 0x%0*llx\n",
                (unsigned long long)fr->timestamp,
                (unsigned long long)fr->addr.address, digits,
                (unsigned long long)fr->data);
    }
}

/* Write frames until the wanted instructions are there. */
static void emit(struct trace_job *j, uint32_t n)
{
    const mcd_trace_data_core_st *fr;
    uint32_t i;

    for (i = 0; i < n && (!j->want || j->insns < j->want); i++) {
        fr = &j->buf[i];
        if (j->binary) {
            fwrite(fr, sizeof(*fr), 1, j->f);
        } else {
            text_frame(j->f, fr);
        }
        j->frames++;
        j->insns += fr->cycle != MCD_TRACE_CYCLE_NONE;
        j->gaps += !!(fr->marker & MCD_TRACE_MARKER_GAP);
    }
    j->read_total += n;
}

/* How many frames the trace holds now. */
static int trace_avail(const struct cli *c, const struct trace_job *j,
                       uint32_t *avail)
{
    *avail = 0;
    return CLI_MCD(c, c->core, mcd_read_trace_f, c->core, j->id, 0, avail,
                   sizeof(mcd_trace_data_core_st), NULL);
}

/* Read and write up to @avail frames (one batch); *got = how many. */
static int trace_read(const struct cli *c, struct trace_job *j, uint32_t avail,
                      uint32_t *got)
{
    int rc;

    *got = avail < j->batch ? avail : j->batch;
    rc = CLI_MCD(c, c->core, mcd_read_trace_f, c->core, j->id, 0, got,
                 sizeof(mcd_trace_data_core_st), j->buf);
    if (rc == CLI_OK) {
        emit(j, *got > j->batch ? j->batch : *got);
    }
    return rc;
}

static bool enough(const struct trace_job *j)
{
    return j->want && j->insns >= j->want;
}

static int core_state(const struct cli *c, mcd_core_state_et *state)
{
    mcd_core_state_st st;
    int rc;

    memset(&st, 0, sizeof(st));
    rc = CLI_MCD(c, c->core, mcd_qry_state_f, c->core, &st);
    *state = st.state;
    return rc;
}

/*
 * Collect frames while the core runs, until the time (--ms, or the
 * time-out), a stop of the core, or a signal; with --instructions, until
 * the frames written and buffered make the count: the core is stopped
 * then, before the rest is read, so it does not run on meanwhile.
 */
static int collect(const struct cli *c, const struct cli_opts *o,
                   struct trace_job *j)
{
    uint64_t ms = o->ms ? o->ms : o->timeout_ms;
    uint64_t t0 = cli_now_ns(), limit = ms * 1000000ull;
    mcd_core_state_et state = MCD_CORE_STATE_RUNNING;
    uint32_t avail = 0, got;
    int rc = CLI_OK;

    while (rc == CLI_OK && !cli_interrupted &&
           state == MCD_CORE_STATE_RUNNING && cli_now_ns() - t0 < limit) {
        rc = trace_avail(c, j, &avail);
        if (rc != CLI_OK || (j->want && j->insns + avail >= j->want)) {
            break;
        }
        if (avail > 0) {
            rc = trace_read(c, j, avail, &got);
        } else {
            rc = core_state(c, &state);
            cli_sleep_ms(1);
        }
    }
    if (rc == CLI_OK && state != MCD_CORE_STATE_RUNNING) {
        cli_note(c, "the core stopped (%s) while tracing",
                 cli_state_name(state));
    }
    return rc;
}

/* After the core stopped: read what is left (up to the wanted count). */
static int drain_rest(const struct cli *c, struct trace_job *j)
{
    uint32_t avail = 1, got;
    int rc = CLI_OK;

    while (rc == CLI_OK && avail > 0 && !enough(j)) {
        rc = trace_avail(c, j, &avail);
        if (rc == CLI_OK && avail > 0) {
            rc = trace_read(c, j, avail, &got);
        }
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * trace
 */

/*
 * Losses: GAP markers in the frames written mean holes in the file; frames
 * lost without one there were lost after the last frame written (while
 * the core was being stopped), which leaves the file whole.
 */
static void report_losses(const struct trace_job *j, uint64_t lost, bool wrap)
{
    if (j->gaps) {
        fprintf(stderr,
                "mcdshm: trace: the trace overflowed: %s has %llu gaps "
                "('# ... gap' lines); %llu frames lost in all%s\n",
                j->file, (unsigned long long)j->gaps, (unsigned long long)lost,
                wrap ? " (wraparound)" : "");
    } else if (lost || wrap) {
        fprintf(stderr,
                "mcdshm: trace: %llu frames were lost after the last one "
                "written%s; %s has no gaps\n",
                (unsigned long long)lost, wrap ? " (wraparound)" : "", j->file);
    }
}

static int report_trace(const struct cli *c, const struct trace_job *j,
                        uint64_t ns)
{
    mcd_trace_state_st ts;
    uint64_t seen, lost;
    int rc;

    memset(&ts, 0, sizeof(ts));
    rc = CLI_MCD(c, c->core, mcd_qry_trace_state_f, c->core, j->id, &ts);
    if (rc != CLI_OK) {
        return rc;
    }
    /* count includes every frame produced since INIT, lost ones too. */
    seen = j->read_total + ts.frames;
    lost = ts.count > seen ? ts.count - seen : 0;
    if (!c->quiet) {
        printf("traced %llu instructions (%llu frames) to %s in %.3f s; "
               "%llu frames lost\n",
               (unsigned long long)j->insns, (unsigned long long)j->frames,
               j->file, (double)ns / 1e9, (unsigned long long)lost);
    }
    report_losses(j, lost, ts.wraparound);
    if (j->want && j->insns < j->want) {
        rc =
            cli_fail(c, "only %llu of %llu instructions traced",
                     (unsigned long long)j->insns, (unsigned long long)j->want);
    }
    return rc;
}

/*
 * Clear and arm the trace in PIPE mode, with --size if given; the size in
 * force before is kept in *old_size so that it can be put back.
 */
static int trace_arm(const struct cli *c, const struct trace_job *j,
                     uint64_t *old_size)
{
    mcd_trace_state_st ts;
    int rc = CLI_OK;

    *old_size = 0;
    if (j->size) {
        memset(&ts, 0, sizeof(ts));
        rc = CLI_MCD(c, c->core, mcd_qry_trace_state_f, c->core, j->id, &ts);
        *old_size = ts.size;
    }
    if (rc == CLI_OK) {
        rc = set_trace(c, j->id, MCD_TRACE_STATE_INIT, MCD_TRACE_MODE_PIPE,
                       j->size);
    }
    if (rc == CLI_OK) {
        rc = set_trace(c, j->id, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_PIPE, 0);
    }
    return rc;
}

/* Run, collect, stop the core (on every path once started), drain. */
static int trace_capture(const struct cli *c, const struct cli_opts *o,
                         struct trace_job *j)
{
    mcd_core_state_et state;
    uint64_t t0 = cli_now_ns();
    int rc, r;

    rc = CLI_MCD(c, c->core, mcd_run_f, c->core, FALSE);
    if (rc != CLI_OK) {
        return rc;
    }
    rc = collect(c, o, j);
    r = core_state(c, &state);
    if (r == CLI_OK && state == MCD_CORE_STATE_RUNNING) {
        r = CLI_MCD(c, c->core, mcd_stop_f, c->core, FALSE);
    }
    rc = rc == CLI_OK ? r : rc;
    if (rc == CLI_OK) {
        rc = drain_rest(c, j);
    }
    if (rc == CLI_OK) {
        rc = report_trace(c, j, cli_now_ns() - t0);
    }
    return rc;
}

/* Arm, capture, and switch the trace off again (its old size back). */
static int trace_run(const struct cli *c, const struct cli_opts *o,
                     struct trace_job *j)
{
    uint64_t old_size;
    int rc, r;

    rc = trace_arm(c, j, &old_size);
    if (rc == CLI_OK) {
        rc = trace_capture(c, o, j);
    }
    r = set_trace(c, j->id, MCD_TRACE_STATE_OFF, MCD_TRACE_MODE_NOCHANGE,
                  old_size);
    return rc == CLI_OK ? r : rc;
}

/* Frames per read: TRACE_BATCH_MAX, or what one transaction list carries
 * if that is less. */
static int trace_batch(const struct cli *c, uint32_t *batch)
{
    uint32_t mp;
    int rc;

    rc = cli_max_payload(c, c->core, &mp);
    *batch = mp / sizeof(mcd_trace_data_core_st);
    if (*batch > TRACE_BATCH_MAX) {
        *batch = TRACE_BATCH_MAX;
    }
    if (*batch == 0) {
        *batch = 1;
    }
    return rc;
}

int cmd_trace(struct cli *c, const struct cli_opts *o)
{
    struct trace_job j = {
        .file = o->arg[0],
        .binary = o->binary,
        .size = o->trace_size,
        .want = o->ms             ? 0
                : o->instructions ? o->instructions
                                  : TRACE_DEFAULT_INSNS,
    };
    int rc;

    rc = pick_trace(c, o->trace_id, &j.id);
    if (rc == CLI_OK) {
        rc = trace_batch(c, &j.batch);
    }
    if (rc != CLI_OK) {
        return rc;
    }
    j.buf = calloc(j.batch, sizeof(*j.buf));
    j.f = fopen(j.file, o->binary ? "wb" : "w");
    if (!j.buf) {
        rc = cli_fail(c, "no memory for the trace frames");
    } else if (!j.f) {
        rc = cli_fail(c, "cannot create %s: %s", j.file, strerror(errno));
    } else {
        rc = trace_run(c, o, &j);
    }
    if (j.f && (ferror(j.f) | fclose(j.f)) && rc == CLI_OK) {
        rc = cli_fail(c, "writing %s failed", j.file);
    }
    free(j.buf);
    return rc;
}

/* ------------------------------------------------------------------------
 * uart
 */

static int uart_send(const struct cli *c, const mcd_chl_st *chl,
                     const char *text)
{
    size_t len = strlen(text), off, k;
    size_t max = chl->max_msg_len ? chl->max_msg_len : len;
    int rc = CLI_OK;

    for (off = 0; rc == CLI_OK && off < len; off += k) {
        k = len - off < max ? len - off : max;
        rc = CLI_MCD(c, c->core, mcd_send_msg_f, c->core, chl, (uint32_t)k,
                     (const uint8_t *)text + off);
    }
    if (rc == CLI_OK) {
        cli_note(c, "sent %zu byte%s", len, len == 1 ? "" : "s");
    }
    return rc;
}

/* One receive of up to the remaining time; *len = bytes, 0 at time-out. */
static int uart_receive_once(const struct cli *c, const mcd_chl_st *chl,
                             uint32_t ms, uint8_t *buf, uint32_t *len)
{
    mcd_error_info_st info;
    mcd_return_et ret;

    ret = mcd_receive_msg_f(c->core, chl, ms, len, buf);
    if (ret == MCD_RET_ACT_NONE || ret == MCD_RET_ACT_HANDLE_EVENT) {
        return CLI_OK;
    }
    *len = 0;
    cli_error_info(c->core, &info);
    if (info.error_code == MCD_ERR_TIMED_OUT || ret == MCD_RET_ACT_AGAIN) {
        return CLI_OK; /* nothing arrived in time */
    }
    return cli_report_mcd("mcd_receive_msg_f", &info);
}

/* Copy what arrives to stdout until @ms milliseconds have passed. */
static int uart_receive(const struct cli *c, const mcd_chl_st *chl, uint32_t ms)
{
    uint8_t buf[UART_MSG_LEN];
    uint64_t t0 = cli_now_ns(), left, spent;
    uint32_t len;
    int rc = CLI_OK;

    while (rc == CLI_OK && !cli_interrupted) {
        spent = (cli_now_ns() - t0) / 1000000ull;
        if (spent >= ms) {
            break;
        }
        left = ms - spent;
        len = chl->max_msg_len && chl->max_msg_len < sizeof(buf)
                  ? chl->max_msg_len
                  : sizeof(buf);
        rc = uart_receive_once(c, chl, (uint32_t)left, buf, &len);
        if (rc == CLI_OK && len > 0) {
            fwrite(buf, 1, len > sizeof(buf) ? sizeof(buf) : len, stdout);
            fflush(stdout);
        } else if (rc == CLI_OK) {
            cli_sleep_ms(1); /* a target that does not wait */
        }
    }
    return rc;
}

/*
 * uart --new: drop what the target buffered before the channel was opened
 * (receives that do not wait, until one comes back empty), so that only
 * what arrives from now on is shown.
 */
static int uart_drain(const struct cli *c, const mcd_chl_st *chl)
{
    uint8_t buf[UART_MSG_LEN];
    uint64_t dropped = 0;
    uint32_t len, i;
    int rc = CLI_OK;

    for (i = 0; rc == CLI_OK && i < UART_DRAIN_MAX; i++) {
        len = chl->max_msg_len && chl->max_msg_len < sizeof(buf)
                  ? chl->max_msg_len
                  : sizeof(buf);
        rc = uart_receive_once(c, chl, 0, buf, &len);
        if (rc != CLI_OK || len == 0) {
            break;
        }
        dropped += len;
    }
    if (rc == CLI_OK && dropped) {
        cli_note(c, "--new: dropped %llu byte%s buffered before",
                 (unsigned long long)dropped, dropped == 1 ? "" : "s");
    }
    return rc;
}

int cmd_uart(struct cli *c, const struct cli_opts *o)
{
    mcd_chl_st chl;
    bool receive = o->receive || !o->send;
    uint32_t ms = o->timeout_given ? o->timeout_ms : UART_DEFAULT_MS;
    int rc, r;

    memset(&chl, 0, sizeof(chl));
    chl.type = MCD_CHL_TYPE_APPLI;
    chl.attributes = MCD_CHL_AT_RCV | MCD_CHL_AT_SND;
    chl.max_msg_len = UART_MSG_LEN;
    rc = CLI_MCD(c, c->core, mcd_chl_open_f, c->core, &chl);
    if (rc != CLI_OK) {
        return rc;
    }
    if (o->uart_new) {
        rc = uart_drain(c, &chl);
    }
    if (rc == CLI_OK && o->send) {
        rc = uart_send(c, &chl, o->send);
    }
    if (rc == CLI_OK && receive) {
        rc = uart_receive(c, &chl, ms);
    }
    r = CLI_MCD(c, c->core, mcd_chl_close_f, c->core, &chl);
    return rc == CLI_OK ? r : rc;
}
