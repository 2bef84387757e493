/*
 * cmd_dump.c - `mcdshm dump`: copy a memory range to a file, fast.
 *
 * The range is checked against the memory blocks of the space before
 * anything is read (`dump ADDR 100G` fails at once, naming the block's
 * end), then read in chunks of the target's largest transaction-list
 * payload (mcd_qry_max_payload_size_f, capped at DUMP_CHUNK_MAX), one
 * mcd_execute_txlist_f per chunk, and each chunk is written out before the
 * next is read.
 *
 * Nothing the dump did not create is ever destroyed.  A regular FILE (or
 * a new one) is written to a new temporary file beside it (same
 * directory, O_EXCL, FILE's mode), renamed over FILE only when every byte
 * arrived: a failed or interrupted dump leaves an existing FILE as it was
 * and removes only its own temporary file (--keep-partial keeps it, under
 * FILE's name only if FILE did not exist).  A device, a FIFO or `-`
 * (standard output) is written in place and never removed.  Nothing is
 * silently truncated: a failed or short chunk ends the dump with the MCD
 * message and exit status 1.  On a terminal, stderr shows a progress bar
 * with percentage and rate; piped, nothing.  Single-threaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/*
 * The largest chunk: one buffer of this size stays in the L2 cache, so the
 * copy out of the window (or the payload area) and the write(2) after it
 * run at cache speed.  Measured on the 2-core machine (new process, 64 MiB
 * of RAM to /dev/null through the window, three runs each): 16 MiB chunks
 * 0.70-0.83 GB/s, 4 MiB 1.9-2.5 GB/s, 1 MiB 6.0-10.6 GB/s, 256 KiB
 * 4.7-10.2 GB/s; without the window 1 MiB was no slower than 16 MiB (the
 * library still pipelines a chunk's four 256 KiB slots).
 */
#define DUMP_CHUNK_MAX (1u << 20)

/* The progress bar is redrawn at most this often. */
#define PROGRESS_NS 100000000ull
#define PROGRESS_COLS 30

struct dump_job {
    mcd_memspace_st sp;
    uint64_t addr, len;
    uint64_t done; /* bytes in the file */
    uint32_t chunk, width;
    const char *file; /* as the user named it */
    char *target;     /* where the file goes: FILE, symbolic links followed */
    char *tmp;        /* our temporary file; NULL: written in place */
    bool existed;     /* a regular file was at target */
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

/* write(2) all of buf, across short writes and EINTR (but a FIFO that
 * nobody reads must not hold an interrupted dump). */
static int write_all(int fd, const uint8_t *buf, size_t n)
{
    ssize_t k;

    while (n > 0) {
        k = write(fd, buf, n);
        if (k < 0 && errno == EINTR && !cli_interrupted) {
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

/* A new temporary file beside j->target, with @mode. */
static int open_tmp(const struct cli *c, struct dump_job *j, mode_t mode)
{
    const char *slash = strrchr(j->target, '/');
    int dirlen = slash ? (int)(slash - j->target + 1) : 0;

    if (asprintf(&j->tmp, "%.*s.%s.dump-XXXXXX", dirlen, j->target,
                 j->target + dirlen) < 0) {
        j->tmp = NULL;
        return cli_fail(c, "no memory for a file name");
    }
    j->fd = mkostemp(j->tmp, O_CLOEXEC); /* O_CREAT | O_EXCL */
    if (j->fd < 0) {
        cli_fail(c, "cannot create a temporary file beside %s: %s", j->file,
                 strerror(errno));
        free(j->tmp);
        j->tmp = NULL;
        return CLI_ERR_FAIL;
    }
    if (fchmod(j->fd, mode) < 0) {
        return cli_fail(c, "setting mode %o on %s: %s", (unsigned)mode, j->tmp,
                        strerror(errno));
    }
    return CLI_OK;
}

/*
 * Open what the dump writes: `-` is standard output; an existing device,
 * FIFO or socket is opened in place, without O_TRUNC; anything else gets a
 * temporary file beside it (a new FILE gets 0666 less the umask, an
 * existing one keeps its mode and, where we may, its owner).
 */
static int open_out(const struct cli *c, struct dump_job *j)
{
    struct stat st;
    bool found;
    mode_t um;

    if (strcmp(j->file, "-") == 0) {
        j->fd = STDOUT_FILENO;
        return CLI_OK;
    }
    found = stat(j->file, &st) == 0;
    if (found && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            return cli_fail(c, "%s is a directory", j->file);
        }
        j->fd = open(j->file, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (j->fd < 0) {
            return cli_fail(c, "cannot open %s: %s", j->file, strerror(errno));
        }
        return CLI_OK;
    }
    j->existed = found;
    /* Replace the file a symbolic link points to, not the link. */
    j->target = j->existed ? realpath(j->file, NULL) : strdup(j->file);
    if (!j->target) {
        return cli_fail(c, "%s: %s", j->file, strerror(errno));
    }
    if (j->existed) {
        if (access(j->target, W_OK) < 0) {
            return cli_fail(c, "cannot write %s: %s", j->file, strerror(errno));
        }
        if (open_tmp(c, j, st.st_mode & 07777) != CLI_OK) {
            return CLI_ERR_FAIL;
        }
        if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
            fchown(j->fd, st.st_uid, st.st_gid) < 0) {
            /* Not permitted: the new file is ours, as with cp. */
        }
        return CLI_OK;
    }
    um = umask(0);
    umask(um);
    return open_tmp(c, j, 0666 & ~um);
}

/*
 * Close the output.  On success the temporary file replaces the target.
 * After a failure only our temporary file goes (kept with --keep-partial);
 * what was there before stays as it was.
 */
static int finish(const struct cli *c, struct dump_job *j, bool keep, int rc)
{
    bool kept_as_target;

    if (j->fd != STDOUT_FILENO && close(j->fd) < 0 && rc == CLI_OK) {
        rc = cli_fail(c, "closing %s: %s", j->file, strerror(errno));
    }
    j->fd = -1;
    if (!j->tmp) { /* written in place: never removed */
        if (rc != CLI_OK && j->done) {
            cli_fail(c, "%llu of %llu bytes from 0x%llx were written to %s",
                     (unsigned long long)j->done, (unsigned long long)j->len,
                     (unsigned long long)j->addr, j->file);
        }
        return rc;
    }
    kept_as_target = rc != CLI_OK && keep && !j->existed;
    if ((rc == CLI_OK || kept_as_target) && rename(j->tmp, j->target) < 0) {
        rc = cli_fail(c, "renaming %s to %s: %s", j->tmp, j->file,
                      strerror(errno));
        kept_as_target = false;
    }
    if (rc == CLI_OK) {
        return rc;
    }
    if (kept_as_target) {
        cli_fail(c, "kept the partial file %s: %llu of %llu bytes from 0x%llx",
                 j->file, (unsigned long long)j->done,
                 (unsigned long long)j->len, (unsigned long long)j->addr);
    } else if (keep) {
        cli_fail(c,
                 "kept the partial file %s: %llu of %llu bytes from 0x%llx "
                 "(%s is unchanged)",
                 j->tmp, (unsigned long long)j->done,
                 (unsigned long long)j->len, (unsigned long long)j->addr,
                 j->file);
    } else if (unlink(j->tmp) < 0) {
        cli_fail(c, "could not remove the temporary file %s: %s", j->tmp,
                 strerror(errno));
    } else {
        cli_fail(c,
                 "%s %s (%llu of %llu bytes read; --keep-partial keeps "
                 "them)",
                 j->file, j->existed ? "is unchanged" : "was not created",
                 (unsigned long long)j->done, (unsigned long long)j->len);
    }
    return rc;
}

static void summary(const struct cli *c, const struct dump_job *j)
{
    uint64_t ns = cli_now_ns() - j->t0;
    /* Standard output may carry the dump itself. */
    FILE *out = strcmp(j->file, "-") == 0 ? stderr : stdout;

    if (!c->quiet) {
        fprintf(out, "dumped %llu bytes in %.3f s (%.1f MB/s)\n",
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
        rc = cli_check_blocks(c, &j->sp, j->addr, j->len);
    }
    if (rc == CLI_OK) {
        rc = cli_max_payload(c, c->core, &mp);
    }
    if (rc != CLI_OK) {
        return rc;
    }
    mp = mp < DUMP_CHUNK_MAX ? mp : DUMP_CHUNK_MAX;
    j->chunk = j->width > 1 && mp >= j->width ? mp - mp % j->width : mp;
    if (j->chunk > j->len) {
        j->chunk = (uint32_t)j->len;
    }
    /* One buffer for every chunk, its pages populated up front: a fresh
     * buffer faulted in page by page costs more than the copy. */
    j->buf = mmap(NULL, j->chunk, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (j->buf == MAP_FAILED) {
        j->buf = NULL;
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

    j.t0 = cli_now_ns(); /* what the user waits for, setup included */
    rc = prepare(c, o, &j);
    if (rc == CLI_OK) {
        rc = open_out(c, &j);
    }
    if (rc == CLI_OK) {
        rc = dump_chunks(c, &j);
        if (rc == CLI_OK && j.shown) {
            progress(&j, true); /* 100%, and the line ends */
        }
    }
    if (j.fd >= 0) {
        rc = finish(c, &j, o->keep_partial, rc);
    }
    if (rc == CLI_OK) {
        summary(c, &j);
    }
    free(j.tmp);
    free(j.target);
    if (j.buf) {
        munmap(j.buf, j.chunk);
    }
    return rc;
}
