/*
 * cmd_dump.c - `mcdshm dump`: copy a memory range to a file, fast.
 *
 * The range is read in chunks of the target's largest transaction-list
 * payload (mcd_qry_max_payload_size_f, capped at CLI_PAYLOAD_CAP), one
 * mcd_execute_txlist_f per chunk, and each chunk is written to the file
 * before the next is read.  Nothing is ever silently truncated: a failed
 * or short chunk ends the dump with the MCD message and exit status 1, and
 * the partial file is removed (or, with --keep-partial, kept with every
 * byte that did arrive, and its size said).  On a terminal, stderr shows a
 * progress bar with percentage and rate; piped, nothing.  Single-threaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The progress bar is redrawn at most this often. */
#define PROGRESS_NS 100000000ull
#define PROGRESS_COLS 30

struct dump_job {
    mcd_memspace_st sp;
    uint64_t addr, len;
    uint64_t done; /* bytes in the file */
    uint32_t chunk, width;
    const char *file;
    int fd;
    uint8_t *buf;
    uint64_t t0;    /* start, cli_now_ns() */
    uint64_t shown; /* last progress bar, cli_now_ns(); 0 = none */
    bool progress;
};

int check_dump(const struct cli *c, const struct cli_opts *o)
{
    return cli_check_range(c, o->num[0], o->num[1], o->width);
}

static double rate_mbs(uint64_t bytes, uint64_t ns)
{
    return ns ? (double)bytes * 1e3 / (double)ns : 0.0;
}

static void progress(struct dump_job *j, bool last)
{
    uint64_t now = cli_now_ns();
    unsigned pct = (unsigned)(j->done * 100 / j->len);
    int fill = (int)(j->done * PROGRESS_COLS / j->len);

    if (!j->progress || (!last && now - j->shown < PROGRESS_NS)) {
        return;
    }
    j->shown = now;
    fprintf(stderr, "\r%3u%% [%.*s%*s] %8.1f MB/s", pct, fill,
            "##############################", PROGRESS_COLS - fill, "",
            rate_mbs(j->done, now - j->t0));
    cli_midline = true;
    if (last) {
        fputc('\n', stderr);
        cli_midline = false;
    }
}

/* write(2) all of buf, across short writes and EINTR. */
static int write_all(int fd, const uint8_t *buf, size_t n)
{
    ssize_t k;

    while (n > 0) {
        k = write(fd, buf, n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0) {
            return -errno;
        }
        buf += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Write what arrived of a chunk; on a failed chunk, only if it is kept. */
static int save(const struct cli *c, struct dump_job *j, uint32_t n)
{
    int r = write_all(j->fd, j->buf, n);

    if (r < 0) {
        return cli_fail(c, "writing %s: %s", j->file, strerror(-r));
    }
    j->done += n;
    return CLI_OK;
}

static int dump_chunks(const struct cli *c, struct dump_job *j)
{
    uint32_t n, got;
    int rc = CLI_OK;

    while (rc == CLI_OK && j->done < j->len) {
        if (cli_interrupted) {
            return cli_fail(c, "interrupted");
        }
        n = j->len - j->done < j->chunk ? (uint32_t)(j->len - j->done)
                                        : j->chunk;
        got = 0;
        rc = cli_mem_xfer(c, &j->sp, j->addr + j->done, j->buf, n, j->width,
                          MCD_TX_AT_R, &got);
        if (rc != CLI_OK) {
            /* Keep the bytes that did arrive; whether the file stays is
             * decided by the caller. */
            save(c, j, got);
            return rc;
        }
        rc = save(c, j, n);
        progress(j, false);
    }
    return rc;
}

/* Close the file; remove it after a failure unless --keep-partial. */
static int finish(const struct cli *c, struct dump_job *j, bool keep, int rc)
{
    if (close(j->fd) < 0 && rc == CLI_OK) {
        rc = cli_fail(c, "closing %s: %s", j->file, strerror(errno));
    }
    if (rc == CLI_OK) {
        return rc;
    }
    if (keep) {
        cli_fail(c,
                 "kept the partial file %s: %llu of %llu bytes from "
                 "0x%llx",
                 j->file, (unsigned long long)j->done,
                 (unsigned long long)j->len, (unsigned long long)j->addr);
    } else if (unlink(j->file) == 0) {
        cli_fail(c,
                 "removed the partial file %s (%llu of %llu bytes read; "
                 "--keep-partial keeps it)",
                 j->file, (unsigned long long)j->done,
                 (unsigned long long)j->len);
    } else {
        cli_fail(c, "could not remove the partial file %s: %s", j->file,
                 strerror(errno));
    }
    return rc;
}

static void summary(const struct cli *c, const struct dump_job *j)
{
    uint64_t ns = cli_now_ns() - j->t0;

    if (!c->quiet) {
        printf("dumped %llu bytes in %.3f s (%.1f MB/s)\n",
               (unsigned long long)j->done, (double)ns / 1e9,
               rate_mbs(j->done, ns));
    }
}

/* Space, chunk size and buffer, before the file is created. */
static int prepare(const struct cli *c, const struct cli_opts *o,
                   struct dump_job *j)
{
    uint32_t mp;
    int rc;

    rc = cli_pick_space(c, o->space, false, &j->sp);
    if (rc == CLI_OK) {
        rc = cli_max_payload(c, c->core, &mp);
    }
    if (rc != CLI_OK) {
        return rc;
    }
    j->chunk = j->width > 1 && mp >= j->width ? mp - mp % j->width : mp;
    if (j->chunk > j->len) {
        j->chunk = (uint32_t)j->len;
    }
    j->buf = malloc(j->chunk);
    if (!j->buf) {
        return cli_fail(c, "no memory for a %u-byte chunk", (unsigned)j->chunk);
    }
    return CLI_OK;
}

int cmd_dump(struct cli *c, const struct cli_opts *o)
{
    struct dump_job j = {
        .addr = o->num[0],
        .len = o->num[1],
        .width = o->width,
        .file = o->arg[2],
        .fd = -1,
        .progress = !c->quiet && isatty(STDERR_FILENO),
    };
    int rc;

    rc = prepare(c, o, &j);
    if (rc == CLI_OK) {
        j.fd = open(j.file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (j.fd < 0) {
            rc = cli_fail(c, "cannot create %s: %s", j.file, strerror(errno));
        }
    }
    if (rc == CLI_OK) {
        j.t0 = cli_now_ns();
        rc = dump_chunks(c, &j);
        if (rc == CLI_OK && j.shown) {
            progress(&j, true); /* 100%, and the line ends */
        }
        rc = finish(c, &j, o->keep_partial, rc);
    }
    if (rc == CLI_OK) {
        summary(c, &j);
    }
    free(j.buf);
    return rc;
}
