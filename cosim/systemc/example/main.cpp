/*
 * main.cpp - mcdshm-sc-example: the example SystemC platform, served over
 * mcdshm until SIGINT or SIGTERM.
 */
#include "cosim/systemc/example/platform.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>

static mcdshm_sc::server *g_srv;

static void on_signal(int sig)
{
    (void)sig;
    if (g_srv) {
        g_srv->request_quit();
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mcdshm-sc-example [options] PROGRAM.elf\n"
               "  -n, --name NAME      endpoint name (default \"sc\")\n"
               "  -j, --harts N        number of harts, 1..8 (default 2)\n"
               "  -m, --ram-mib N      RAM size in MiB, 1..4096 (default 128)\n"
               "  -p, --policy P       busy, hybrid (default) or sleep\n"
               "  -e, --endpoint PATH  explicit socket path\n"
               "  -H, --halted         start with every hart halted\n"
               "  -u, --uart-stdout    copy the UART's output to stdout\n"
               "  -h, --help           this text\n");
}

static unsigned long number(const char *opt, const char *s, unsigned long lo,
                            unsigned long hi)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 0);
    if (errno || *s == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr,
                "mcdshm-sc-example: %s '%s' is not a number in %lu..%lu\n", opt,
                s, lo, hi);
        exit(2);
    }
    return v;
}

int sc_main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "name", required_argument, nullptr, 'n' },
        { "harts", required_argument, nullptr, 'j' },
        { "ram-mib", required_argument, nullptr, 'm' },
        { "policy", required_argument, nullptr, 'p' },
        { "endpoint", required_argument, nullptr, 'e' },
        { "halted", no_argument, nullptr, 'H' },
        { "uart-stdout", no_argument, nullptr, 'u' },
        { "help", no_argument, nullptr, 'h' },
        { nullptr, 0, nullptr, 0 },
    };
    sc_example::top_options o;
    int c;

    o.srv.name = "sc";
    o.srv.system = "mcdshm-sc-example";
    while ((c = getopt_long(argc, argv, "n:j:m:p:e:Huh", lo, nullptr)) != -1) {
        switch (c) {
        case 'n':
            o.srv.name = optarg;
            break;
        case 'j':
            o.harts = (uint32_t)number("--harts", optarg, 1, 8);
            break;
        case 'm':
            o.ram_size = (uint64_t)number("--ram-mib", optarg, 1, 4096) << 20;
            break;
        case 'p':
            o.srv.policy = optarg;
            break;
        case 'e':
            o.srv.path = optarg;
            break;
        case 'H':
            o.srv.start_halted = true;
            break;
        case 'u':
            o.uart_stdout = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    o.elf = argv[optind];
    o.srv.device = "rv64im-" + std::to_string(o.harts) + "hart-tlm";

    sc_example::top *t;
    try {
        t = new sc_example::top("top", o);
    } catch (const std::exception &e) {
        fprintf(stderr, "mcdshm-sc-example: %s\n", e.what());
        return 1;
    }
    g_srv = &t->server();
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    fprintf(stderr, "mcdshm-sc-example: serving '%s' (%u harts)\n",
            o.srv.name.c_str(), o.harts);
    sc_core::sc_start();
    g_srv = nullptr;
    delete t;
    return 0;
}
