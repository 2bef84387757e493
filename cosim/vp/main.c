/*
 * mcdshm-vp: the reference virtual platform, served over mcdshm.
 *
 * Creates a multi-hart RV64IM platform (cosim/vp/platform.h), loads an ELF
 * program, publishes it as an mcdshm server and runs until SIGINT or
 * SIGTERM.  The main thread only waits for the signal; the harts have
 * their own threads and the server its I/O thread.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cosim/vp/platform.h"
#include "mcdshm/server.h"
#include "shm/conn.h"

struct args {
    struct vp_config cfg;
    struct mcdshm_server_opts srv;
    const char *elf;
    bool uart_stdout;
    bool halted;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mcdshm-vp [options] PROGRAM.elf\n"
            "Run a multi-hart RV64IM platform and serve it to MCD debuggers "
            "over mcdshm.\n\n"
            "  -n, --name NAME      endpoint name (default \"vp\")\n"
            "  -j, --harts N        number of harts, 1..32 (default 4)\n"
            "  -m, --ram-mib N      RAM size in MiB (default 128)\n"
            "  -p, --policy P       busy, hybrid (default) or sleep\n"
            "  -e, --endpoint PATH  explicit socket path\n"
            "  -H, --halted         start with every hart halted\n"
            "  -u, --uart-stdout    copy the UART's output to stdout\n"
            "  -W, --no-window      do not offer debuggers the RAM as a direct "
            "memory\n"
            "                       window (their reads then go through "
            "requests)\n"
            "  -h, --help           this text\n\n"
            "RAM starts at 0x80000000; the UART is at 0x10000000.  Stop "
            "with Ctrl-C.\n");
}

static unsigned long number(const char *opt, const char *s, unsigned long lo,
                            unsigned long hi)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 0);
    if (errno || *end || v < lo || v > hi) {
        fprintf(stderr, "mcdshm-vp: %s must be %lu..%lu, got '%s'\n", opt,
                lo, hi, s);
        exit(2);
    }
    return v;
}

static void parse(int argc, char **argv, struct args *a)
{
    static const struct option lo[] = {
        { "name", required_argument, 0, 'n' },
        { "harts", required_argument, 0, 'j' },
        { "ram-mib", required_argument, 0, 'm' },
        { "policy", required_argument, 0, 'p' },
        { "endpoint", required_argument, 0, 'e' },
        { "halted", no_argument, 0, 'H' },
        { "uart-stdout", no_argument, 0, 'u' },
        { "no-window", no_argument, 0, 'W' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    int ch;

    while ((ch = getopt_long(argc, argv, "n:j:m:p:e:HuWh", lo, NULL)) != -1) {
        switch (ch) {
        case 'n':
            a->srv.name = optarg;
            break;
        case 'j':
            a->cfg.nharts = (uint32_t)number("--harts", optarg, 1, 32);
            break;
        case 'm':
            a->cfg.ram_size = number("--ram-mib", optarg, 1, 4096) << 20;
            break;
        case 'p':
            a->srv.policy = optarg;
            break;
        case 'e':
            a->srv.path = optarg;
            break;
        case 'H':
            a->halted = true;
            break;
        case 'u':
            a->uart_stdout = true;
            break;
        case 'W':
            a->srv.no_window = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            exit(2);
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "mcdshm-vp: one PROGRAM.elf expected\n");
        usage(stderr);
        exit(2);
    }
    a->elf = argv[optind];
}

static int wait_for_signal(void)
{
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigwait(&set, &sig);
    return sig;
}

int main(int argc, char **argv)
{
    struct args a = { .srv = { .name = "vp" } };
    struct mcdshm_server *srv = NULL;
    char err[512], path[SHM_PATH_MAX];
    struct vp *vp = NULL;
    sigset_t set;
    int sig;

    vp_config_default(&a.cfg);
    parse(argc, argv, &a);
    /* Every thread started from here on inherits the blocked signals, so
     * SIGINT and SIGTERM reach only sigwait() below. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (vp_create(&a.cfg, &vp, err, sizeof(err)) < 0 ||
        vp_load_elf(vp, a.elf, err, sizeof(err)) < 0) {
        fprintf(stderr, "mcdshm-vp: %s\n", err);
        vp_destroy(vp);
        return 1;
    }
    if (a.uart_stdout) {
        vp_uart_output(vp, STDOUT_FILENO);
    }
    if (mcdshm_server_start(vp_target(vp), &a.srv, &srv, err, sizeof(err)) <
        0) {
        fprintf(stderr, "mcdshm-vp: %s\n", err);
        vp_destroy(vp);
        return 1;
    }
    if (!a.halted) {
        vp_run_all(vp);
    }
    if (a.srv.path) {
        snprintf(path, sizeof(path), "%s", a.srv.path);
    } else if (shm_endpoint_path(a.srv.name, path, sizeof(path), err) < 0) {
        snprintf(path, sizeof(path), "(unknown)");
    }
    fprintf(stderr,
            "mcdshm-vp: serving '%s' at %s: %u harts, %llu MiB RAM, %s, "
            "harts %s\n",
            a.srv.name, path, a.cfg.nharts,
            (unsigned long long)(a.cfg.ram_size >> 20), a.elf,
            a.halted ? "halted" : "running");
    sig = wait_for_signal();
    fprintf(stderr, "mcdshm-vp: %s, shutting down\n", strsignal(sig));
    mcdshm_server_stop(srv);
    vp_destroy(vp);
    return 0;
}
