/*
 * mcdshm - the command-line debugger of the mcdshm project.
 *
 * `mcdshm [global options] COMMAND [ARGS]` runs one debugger command
 * against an MCD target through the public MCD API only (mcd/mcd_api.h,
 * libmcdshm): it lists servers, systems and cores, reads and writes memory
 * and registers, dumps memory to a file, controls execution, sets break-
 * and watchpoints, records instruction traces, resets, runs target
 * commands and talks to the target's application channel.
 *
 * This file owns the command line: the global options, the table of
 * commands with their options, arguments and help, the checks made before
 * anything is connected, and main(), whose single exit path always closes
 * the core, the server and the library.  The commands live in cmd_*.c.
 * Single-threaded; SIGINT and SIGTERM only set a flag that the long loops
 * (dump, run-to, trace, uart) watch, so they too end through that path.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------------------
 * The commands
 */

#define SPACE_HELP                                                          \
    "  --space NAME|ID    memory space (default: the first physical one;\n" \
    "                     see 'mcdshm info')\n"
#define WIDTH_HELP "  --width 1|2|4|8    access width in bytes (default: any)\n"
#define TIMEOUT_HELP "  --timeout-ms T     give up after T ms (default 10000)\n"
#define ACCESS_HELP                                       \
    "  --read             fire on reads\n"                \
    "  --write            fire on writes (the default)\n" \
    "  --rw               fire on reads and writes\n"

static const struct cli_command commands[] = {
    {
        .name = "servers",
        .summary = "list the live MCD servers on this host",
        .run = cmd_servers,
        .need = CLI_NEED_LIB,
        .synopsis = "servers",
        .help = "List the servers running on this host: server name, "
                "system instance,\naccess hardware.\n",
    },
    {
        .name = "systems",
        .summary = "list the systems of the server",
        .run = cmd_systems,
        .need = CLI_NEED_SERVER,
        .synopsis = "systems",
        .help = "List the systems the server offers.\n",
    },
    {
        .name = "devices",
        .summary = "list the devices of every system",
        .run = cmd_devices,
        .need = CLI_NEED_SERVER,
        .synopsis = "devices",
        .help = "List the devices of every system of the server.\n",
    },
    {
        .name = "cores",
        .summary = "list the cores (index, name, core_id, type, device)",
        .run = cmd_cores,
        .need = CLI_NEED_SERVER,
        .synopsis = "cores",
        .help = "List the cores of every system: the index and the name "
                "-C takes, core_id,\ncore_type (ELF machine) and "
                "device.\n",
    },
    {
        .name = "info",
        .summary = "describe the server, the core and its resources",
        .run = cmd_info,
        .need = CLI_NEED_CORE,
        .synopsis = "info",
        .help = "Describe the implementation, the server, the system, "
                "device and cores, and\nfor the chosen core: memory "
                "spaces and blocks, register groups, trigger\n"
                "capabilities, reset classes, traces and the largest "
                "transaction list.\n",
    },
    {
        .name = "regs",
        .summary = "show registers (default: the first group)",
        .run = cmd_regs,
        .need = CLI_NEED_CORE,
        .variadic = true,
        .synopsis = "regs [GROUP|REG...]",
        .help = "Show registers as 'name = value' (hex).  Each word names "
                "a register group\n(by name or id) or a register; "
                "without words, the group with id 1, or the\nfirst "
                "group.\n",
    },
    {
        .name = "setreg",
        .summary = "write a register",
        .run = cmd_setreg,
        .need = CLI_NEED_CORE,
        .args = { { "NAME", CLI_ARG_STR, false, 0 },
                  { "VALUE", CLI_ARG_NUM, false, 0 } },
        .synopsis = "setreg NAME VALUE",
        .help = "Write VALUE (decimal or 0x hex) to the register NAME, then "
                "show it.\n",
    },
    {
        .name = "read",
        .summary = "hex dump of memory",
        .run = cmd_read,
        .check = check_read,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_SPACE | CLI_OPT_WIDTH | CLI_OPT_RAW,
        .args = { { "ADDR", CLI_ARG_ADDR, false, 0 },
                  { "LEN", CLI_ARG_SIZE, true, 0 } },
        .synopsis = "read [--space S] [--width W] [--raw] ADDR [LEN]",
        .help = "Show LEN bytes (default 64; K, M, G suffixes) of memory at "
                "ADDR as a hex dump.\n" SPACE_HELP WIDTH_HELP
                "                     (units of W bytes, in the space's "
                "byte order)\n"
                "  --raw              write the bytes themselves to "
                "stdout\n",
    },
    {
        .name = "write",
        .summary = "write bytes or a 32/64-bit value to memory",
        .run = cmd_write,
        .check = check_write,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_SPACE | CLI_OPT_WIDTH | CLI_OPT_VALUE,
        .args = { { "ADDR", CLI_ARG_ADDR, false, 0 },
                  { "HEXBYTES", CLI_ARG_STR, true, 0 } },
        .variadic = true,
        .synopsis = "write [--space S] [--width W] ADDR HEXBYTES...|--u32 "
                    "V|--u64 V",
        .help = "Write memory at ADDR: HEXBYTES in order (e.g. 'deadbeef' "
                "or 'de ad be ef'),\nor one value in the space's byte "
                "order.\n" SPACE_HELP WIDTH_HELP
                "  --u32 V, --u64 V   write V as a 4- or 8-byte value\n",
    },
    {
        .name = "dump",
        .summary = "dump memory to a file",
        .run = cmd_dump,
        .check = check_dump,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_SPACE | CLI_OPT_WIDTH | CLI_OPT_KEEP,
        .args = { { "ADDR", CLI_ARG_ADDR, false, 0 },
                  { "LEN", CLI_ARG_SIZE, false, 0 },
                  { "FILE", CLI_ARG_STR, false, 0 } },
        .synopsis = "dump [--space S] [--width W] [--keep-partial] ADDR LEN "
                    "FILE",
        .help = "Copy LEN bytes (K, M, G suffixes: 64M) of memory at ADDR "
                "to FILE, one\ntransaction list per chunk (the target's "
                "largest payload, at most 1 MiB).\nA progress bar shows on "
                "a terminal.  The range is checked against the\nmemory "
                "blocks first.  FILE is written to a temporary file beside "
                "it, renamed\nover FILE only when the dump succeeds: a "
                "failure leaves an existing FILE as\nit was.  A device, a "
                "FIFO or - (standard output) is written in place, never\n"
                "removed.\n" SPACE_HELP WIDTH_HELP
                "  --keep-partial     keep what was read when a chunk "
                "fails (as FILE if it did\n                     not exist, "
                "else under the temporary name)\n",
    },
    {
        .name = "run",
        .summary = "start the core (--all: every core)",
        .run = cmd_run,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_ALL,
        .synopsis = "run [--all]",
        .help = "Start the core.\n"
                "  --all              start every core of the system "
                "(global run)\n",
    },
    {
        .name = "stop",
        .summary = "stop the core (--all: every core)",
        .run = cmd_stop,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_ALL,
        .synopsis = "stop [--all]",
        .help = "Stop the core.\n"
                "  --all              stop every core of the system "
                "(global stop)\n",
    },
    {
        .name = "step",
        .summary = "execute N instructions (default 1), show the pc",
        .run = cmd_step,
        .check = check_step,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_ALL,
        .args = { { "N", CLI_ARG_NUM, true, UINT32_MAX } },
        .synopsis = "step [--all] [N]",
        .help = "Execute N instructions (default 1), then show the new "
                "pc.\n"
                "  --all              step every core of the system\n",
    },
    {
        .name = "state",
        .summary = "show the state, stop reason and pc",
        .run = cmd_state,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_ALL,
        .synopsis = "state [--all]",
        .help = "Show the core's execution state, why it stopped, and its "
                "pc.\n"
                "  --all              every core\n",
    },
    {
        .name = "break",
        .summary = "set a breakpoint (lives as long as this command)",
        .run = cmd_break,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_SPACE,
        .args = { { "ADDR", CLI_ARG_ADDR, false, 0 } },
        .synopsis = "break [--space S] ADDR",
        .help = "Create an instruction breakpoint at ADDR and show its id.  "
                "Triggers belong to\nthe connection, so it is removed when "
                "this command exits: use run-to.\n"
                "  --space NAME|ID    memory space of ADDR (default: the "
                "first logical one)\n",
    },
    {
        .name = "watch",
        .summary = "set a watchpoint (lives as long as this command)",
        .run = cmd_watch,
        .check = check_watch,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_SPACE | CLI_OPT_ACCESS,
        .args = { { "ADDR", CLI_ARG_ADDR, false, 0 },
                  { "LEN", CLI_ARG_SIZE, true, 0 } },
        .synopsis = "watch [--space S] [--read|--write|--rw] ADDR [LEN]",
        .help = "Create a watchpoint on LEN bytes (default 1) at ADDR and "
                "show its id.\nRemoved when this command exits: use "
                "watch-run.\n" ACCESS_HELP
                "  --space NAME|ID    memory space of ADDR (default: the "
                "first logical one)\n",
    },
    {
        .name = "triggers",
        .summary = "list the triggers of this connection",
        .run = cmd_triggers,
        .need = CLI_NEED_CORE,
        .synopsis = "triggers",
        .help = "List the triggers of the core: id, type, address, range, "
                "captured.\n",
    },
    {
        .name = "delete",
        .summary = "remove a trigger (--all: every trigger)",
        .run = cmd_delete,
        .check = check_delete,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_ALL,
        .args = { { "ID", CLI_ARG_NUM, true, UINT32_MAX } },
        .synopsis = "delete ID|--all",
        .help = "Remove the trigger ID, or with --all every trigger of the "
                "core.\n",
    },
    {
        .name = "run-to",
        .summary = "run until ADDR is reached",
        .run = cmd_run_to,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_SPACE | CLI_OPT_TIMEOUT | CLI_OPT_ALL,
        .args = { { "ADDR", CLI_ARG_ADDR, false, 0 } },
        .synopsis = "run-to [--space S] [--timeout-ms T] [--all] ADDR",
        .help = "Set a breakpoint at ADDR, run, wait until the core stops, "
                "show the pc and the\ntrigger, remove the breakpoint.  A "
                "stop elsewhere or a time-out is a failure\n(the core is "
                "stopped).\n" TIMEOUT_HELP
                "  --all              run every core (and stop them all "
                "afterwards)\n"
                "  --space NAME|ID    memory space of ADDR (default: the "
                "first logical one)\n",
    },
    {
        .name = "watch-run",
        .summary = "run until memory at ADDR is accessed",
        .run = cmd_watch_run,
        .check = check_watch,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_SPACE | CLI_OPT_ACCESS | CLI_OPT_TIMEOUT | CLI_OPT_ALL,
        .args = { { "ADDR", CLI_ARG_ADDR, false, 0 },
                  { "LEN", CLI_ARG_SIZE, true, 0 } },
        .synopsis = "watch-run [--read|--write|--rw] [--timeout-ms T] ADDR "
                    "[LEN]",
        .help = "Set a watchpoint on LEN bytes (default 1) at ADDR, run, "
                "wait until the core\nstops, show the pc and the trigger, "
                "remove the watchpoint.\n" ACCESS_HELP TIMEOUT_HELP
                "  --all              run every core (and stop them all "
                "afterwards)\n"
                "  --space NAME|ID    memory space of ADDR (default: the "
                "first logical one)\n",
    },
    {
        .name = "trace",
        .summary = "record an instruction trace to a file",
        .run = cmd_trace,
        .check = check_trace,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_TRACE | CLI_OPT_TIMEOUT,
        .args = { { "FILE", CLI_ARG_STR, false, 0 } },
        .synopsis = "trace [--instructions N | --ms T] [--binary] "
                    "[--size F] FILE",
        .help = "Arm the core's trace (PIPE mode), run the core, collect "
                "frames, stop the core\nand write one line per instruction "
                "to FILE: 'timestamp pc insn' (lines\nstarting with '#' "
                "mark gaps and other events).  Reports frames and "
                "losses.\n"
                "  --instructions N   stop after N instructions (default "
                "1000)\n"
                "  --ms T             stop after T ms instead\n"
                "  --binary           write raw mcd_trace_data_core_st "
                "frames\n"
                "  --trace ID         the trace to use (default: the first "
                "core trace)\n"
                "  --size F           trace buffer of F frames (K, M "
                "suffixes; default: the\n"
                "                     target's); a larger one loses less "
                "at full speed\n" TIMEOUT_HELP
                "                     (with --instructions)\n",
    },
    {
        .name = "reset",
        .summary = "reset the target (--list: the reset classes)",
        .run = cmd_reset,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_RESET,
        .synopsis = "reset [--class N] [--halt] | reset --list",
        .help = "Issue a reset of class N (default: the lowest class the "
                "core has).\n"
                "  --class N          the reset class (0..31)\n"
                "  --halt             halt the core after the reset\n"
                "  --list             list the reset classes\n",
    },
    {
        .name = "cmd",
        .summary = "run a target-specific command",
        .run = cmd_cmd,
        .need = CLI_NEED_CORE,
        .args = { { "STRING", CLI_ARG_STR, false, 0 } },
        .synopsis = "cmd STRING",
        .help = "Run STRING with mcd_execute_command_f and show the result "
                "('cmd help' for the\ntarget's commands, if it has "
                "that).\n",
    },
    {
        .name = "uart",
        .summary = "send to / receive from the application channel",
        .run = cmd_uart,
        .need = CLI_NEED_CORE,
        .opts = CLI_OPT_UART | CLI_OPT_TIMEOUT,
        .synopsis = "uart [--send TEXT] [--receive [--new] [--timeout-ms T]]",
        .help = "Open the target's application channel (MCD_CHL_TYPE_APPLI, "
                "e.g. a UART),\nsend TEXT and/or copy what arrives to "
                "stdout for T ms (default 1000).\nWithout options: "
                "--receive.\n"
                "  --send TEXT        send TEXT as is\n"
                "  --receive          receive (after sending, if both)\n"
                "  --new              show only what arrives from now on: "
                "drop what the\n"
                "                     target had buffered before\n"
                "  --timeout-ms T     how long to receive\n",
    },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* ------------------------------------------------------------------------
 * Global options and help
 */

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: mcdshm [global options] COMMAND [ARGS]\n"
               "Debug an MCD target served over mcdshm.\n\n"
               "Global options:\n"
               "  -s, --server NAME     the server called NAME "
               "(McdServerName)\n"
               "  -e, --endpoint PATH   the server at the socket PATH "
               "(McdShmEndpoint)\n"
               "  -c, --config STRING   more of the MCD config string, e.g. "
               "McdShmPolicy=busy\n"
               "  -C, --core N|NAME     the core: index or name (default: "
               "the first)\n"
               "  -q, --quiet           print only what was asked for\n"
               "      --elf FILE        symbols for ADDR arguments (default: "
               "the program the\n"
               "                        target reports having loaded)\n"
               "  -h, --help            this text\n"
               "      --version         versions of the tool and the MCD "
               "library\n"
               "Without -s, -e or -c, the first live server is used.\n\n"
               "Commands:\n");
    for (i = 0; i < NCOMMANDS; i++) {
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "  %-10s %s\n", "help",
            "this text, or a command's: help COMMAND");
    fprintf(f, "\nRun 'mcdshm help COMMAND' (or 'mcdshm COMMAND --help') for a "
               "command's options.\nNumbers are decimal or 0x hex; an ADDR "
               "may also be SYMBOL or SYMBOL+OFFSET.\nRegisters: the target's "
               "names, and x0..x31 for the RISC-V ABI names.\nExit status: 0 "
               "success, 1 a failure (MCD error, I/O, time-out), 2 usage\n"
               "error (also a bad --config value), 3 no server.\n");
}

static void command_help(const struct cli_command *cmd)
{
    printf("usage: mcdshm %s\n%s  -h, --help         this text\n"
           "Global options (-s, -e, -c, -C, -q) go before the command: "
           "see 'mcdshm --help'.\n",
           cmd->synopsis, cmd->help);
}

/* --version: the tool's, then what the library says about itself. */
static int show_version(struct cli *c)
{
    int rc;

    printf("mcdshm %s (MCD API %d.%d)\n", MCDSHM_CLI_VERSION, MCD_API_VER_MAJOR,
           MCD_API_VER_MINOR);
    rc = cli_connect(c, CLI_NEED_LIB);
    if (rc == CLI_OK) {
        c->impl.vendor[sizeof(c->impl.vendor) - 1] = '\0';
        c->impl.date[sizeof(c->impl.date) - 1] = '\0';
        printf("library: %s %u.%u build %u (%s), MCD API %u.%u\n",
               c->impl.vendor, c->impl.v_imp_major, c->impl.v_imp_minor,
               c->impl.v_imp_build, c->impl.date, c->impl.v_api.v_api_major,
               c->impl.v_api.v_api_minor);
    }
    return cli_disconnect(c, rc);
}

enum { OPT_VERSION = 0x100, OPT_ELF };

/*
 * The option getopt_long() refused: a short one by its letter (it may sit
 * inside a group like "-qx"), a long one as written.
 */
static int bad_option(const struct cli *c, int ch, char **argv)
{
    if (ch == ':') {
        return cli_usage_error(c, "option '%s' needs a value",
                               argv[optind - 1]);
    }
    if (optopt > 0 && optopt < 0x100) {
        return cli_usage_error(c, "unknown option '-%c'", optopt);
    }
    return cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
}

/*
 * Parse the global options up to the command.  *first receives the index
 * of the command word; *done is set when the options were all there was
 * to do (--help, --version).
 */
static int parse_global(struct cli *c, int argc, char **argv, int *first,
                        bool *done)
{
    static const struct option lo[] = {
        { "server", required_argument, NULL, 's' },
        { "endpoint", required_argument, NULL, 'e' },
        { "config", required_argument, NULL, 'c' },
        { "core", required_argument, NULL, 'C' },
        { "quiet", no_argument, NULL, 'q' },
        { "elf", required_argument, NULL, OPT_ELF },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    int ch;

    opterr = 0;
    /* '+': stop at the command word; its options are its own. */
    while ((ch = getopt_long(argc, argv, "+:s:e:c:C:qh", lo, NULL)) != -1) {
        switch (ch) {
        case 's':
            c->server_name = optarg;
            break;
        case 'e':
            c->endpoint = optarg;
            break;
        case 'c':
            c->config_raw = optarg;
            break;
        case 'C':
            c->core_sel = optarg;
            break;
        case 'q':
            c->quiet = true;
            break;
        case OPT_ELF:
            c->elf = optarg;
            break;
        case 'h':
            usage(stdout);
            *done = true;
            return CLI_OK;
        case OPT_VERSION:
            *done = true;
            return show_version(c);
        default:
            return bad_option(c, ch, argv);
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_ERR_USAGE;
    }
    *first = optind;
    return CLI_OK;
}

static const struct cli_command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

/* `mcdshm help [COMMAND]` */
static int help(int argc, char **argv)
{
    const struct cli_command *cmd;

    if (argc > 2) {
        fprintf(stderr, "mcdshm: help: one COMMAND at most\n");
        return CLI_ERR_USAGE;
    }
    if (argc == 1) {
        usage(stdout);
        return CLI_OK;
    }
    cmd = find_command(argv[1]);
    if (!cmd && strcmp(argv[1], "help") != 0) {
        fprintf(stderr,
                "mcdshm: help: unknown command '%s' (see 'mcdshm "
                "help')\n",
                argv[1]);
        return CLI_ERR_USAGE;
    }
    if (!cmd) {
        printf("usage: mcdshm help [COMMAND]\nShow the commands, or "
               "COMMAND's options and arguments.\n");
        return CLI_OK;
    }
    command_help(cmd);
    return CLI_OK;
}

/* ------------------------------------------------------------------------
 * A command's options and arguments
 */

enum {
    OPT_ALL = 0x100,
    OPT_SPACE,
    OPT_WIDTH,
    OPT_RAW,
    OPT_U32,
    OPT_U64,
    OPT_KEEP,
    OPT_READ,
    OPT_WRITE,
    OPT_RW,
    OPT_TIMEOUT,
    OPT_INSNS,
    OPT_MS,
    OPT_BINARY,
    OPT_TRACE_ID,
    OPT_TRACE_SIZE,
    OPT_CLASS,
    OPT_HALT,
    OPT_LIST,
    OPT_SEND,
    OPT_RECEIVE,
    OPT_NEW,
};

/* Every command option, and the CLI_OPT_* bit that admits it. */
static const struct {
    struct option lo;
    unsigned bit;
} cmd_options[] = {
    { { "all", no_argument, NULL, OPT_ALL }, CLI_OPT_ALL },
    { { "space", required_argument, NULL, OPT_SPACE }, CLI_OPT_SPACE },
    { { "width", required_argument, NULL, OPT_WIDTH }, CLI_OPT_WIDTH },
    { { "raw", no_argument, NULL, OPT_RAW }, CLI_OPT_RAW },
    { { "u32", required_argument, NULL, OPT_U32 }, CLI_OPT_VALUE },
    { { "u64", required_argument, NULL, OPT_U64 }, CLI_OPT_VALUE },
    { { "keep-partial", no_argument, NULL, OPT_KEEP }, CLI_OPT_KEEP },
    { { "read", no_argument, NULL, OPT_READ }, CLI_OPT_ACCESS },
    { { "write", no_argument, NULL, OPT_WRITE }, CLI_OPT_ACCESS },
    { { "rw", no_argument, NULL, OPT_RW }, CLI_OPT_ACCESS },
    { { "timeout-ms", required_argument, NULL, OPT_TIMEOUT }, CLI_OPT_TIMEOUT },
    { { "instructions", required_argument, NULL, OPT_INSNS }, CLI_OPT_TRACE },
    { { "ms", required_argument, NULL, OPT_MS }, CLI_OPT_TRACE },
    { { "binary", no_argument, NULL, OPT_BINARY }, CLI_OPT_TRACE },
    { { "trace", required_argument, NULL, OPT_TRACE_ID }, CLI_OPT_TRACE },
    { { "size", required_argument, NULL, OPT_TRACE_SIZE }, CLI_OPT_TRACE },
    { { "class", required_argument, NULL, OPT_CLASS }, CLI_OPT_RESET },
    { { "halt", no_argument, NULL, OPT_HALT }, CLI_OPT_RESET },
    { { "list", no_argument, NULL, OPT_LIST }, CLI_OPT_RESET },
    { { "send", required_argument, NULL, OPT_SEND }, CLI_OPT_UART },
    { { "receive", no_argument, NULL, OPT_RECEIVE }, CLI_OPT_UART },
    { { "new", no_argument, NULL, OPT_NEW }, CLI_OPT_UART },
};

#define NCMD_OPTIONS (sizeof(cmd_options) / sizeof(cmd_options[0]))

/* The long options @cmd accepts, --help included, NULL-terminated. */
static void command_options(const struct cli_command *cmd,
                            struct option lo[NCMD_OPTIONS + 2])
{
    static const struct option help = { "help", no_argument, NULL, 'h' };
    size_t i, n = 0;

    for (i = 0; i < NCMD_OPTIONS; i++) {
        if (cmd->opts & cmd_options[i].bit) {
            lo[n++] = cmd_options[i].lo;
        }
    }
    lo[n++] = help;
    memset(&lo[n], 0, sizeof(lo[n]));
}

static int set_access(const struct cli *c, struct cli_opts *o,
                      mcd_trig_type_et type)
{
    if (o->access && o->access != type) {
        return cli_usage_error(c, "give only one of --read, --write, --rw");
    }
    o->access = type;
    return CLI_OK;
}

static int set_value(const struct cli *c, struct cli_opts *o, int bytes,
                     const char *arg)
{
    uint64_t max = bytes == 4 ? UINT32_MAX : UINT64_MAX;

    if (o->value_bytes) {
        return cli_usage_error(c, "give only one of --u32, --u64");
    }
    o->value_bytes = bytes;
    return cli_number(c, bytes == 4 ? "--u32" : "--u64", arg, max, &o->value);
}

static int set_width(const struct cli *c, struct cli_opts *o, const char *arg)
{
    uint64_t v;
    int rc;

    rc = cli_number(c, "--width", arg, 8, &v);
    if (rc == CLI_OK && v != 1 && v != 2 && v != 4 && v != 8) {
        rc = cli_usage_error(c, "--width %s: must be 1, 2, 4 or 8", arg);
    }
    o->width = (uint32_t)v;
    return rc;
}

/* Options with a number that is only range-checked. */
static int set_number_option(const struct cli *c, struct cli_opts *o, int val,
                             const char *arg)
{
    uint64_t v = 0;
    int rc;

    switch (val) {
    case OPT_TIMEOUT:
        rc = cli_number(c, "--timeout-ms", arg, UINT32_MAX, &v);
        o->timeout_ms = (uint32_t)v;
        o->timeout_given = true;
        break;
    case OPT_INSNS:
        rc = cli_number(c, "--instructions", arg, UINT64_MAX, &v);
        if (rc == CLI_OK && v == 0) {
            rc = cli_usage_error(c, "--instructions must be at least 1");
        }
        o->instructions = v;
        break;
    case OPT_MS:
        rc = cli_number(c, "--ms", arg, UINT32_MAX, &v);
        if (rc == CLI_OK && v == 0) {
            rc = cli_usage_error(c, "--ms must be at least 1");
        }
        o->ms = v;
        break;
    case OPT_TRACE_ID:
        rc = cli_number(c, "--trace", arg, UINT32_MAX, &v);
        o->trace_id = (uint32_t)v;
        break;
    case OPT_TRACE_SIZE:
        rc = cli_parse_size(arg, &v) == 0
                 ? CLI_OK
                 : cli_usage_error(c,
                                   "--size '%s' is not a size (frames, "
                                   "with an optional K, M or G)",
                                   arg);
        o->trace_size = v;
        break;
    default: /* OPT_CLASS */
        rc = cli_number(c, "--class", arg, 31, &v);
        o->rst_class = (int)v;
        break;
    }
    return rc;
}

static int set_option(const struct cli *c, struct cli_opts *o, int val,
                      const char *arg)
{
    switch (val) {
    case OPT_ALL:
        o->all = true;
        return CLI_OK;
    case OPT_SPACE:
        o->space = arg;
        return CLI_OK;
    case OPT_WIDTH:
        return set_width(c, o, arg);
    case OPT_RAW:
        o->raw = true;
        return CLI_OK;
    case OPT_U32:
    case OPT_U64:
        return set_value(c, o, val == OPT_U32 ? 4 : 8, arg);
    case OPT_KEEP:
        o->keep_partial = true;
        return CLI_OK;
    case OPT_READ:
        return set_access(c, o, MCD_TRIG_TYPE_READ);
    case OPT_WRITE:
        return set_access(c, o, MCD_TRIG_TYPE_WRITE);
    case OPT_RW:
        return set_access(c, o, MCD_TRIG_TYPE_RW);
    case OPT_BINARY:
        o->binary = true;
        return CLI_OK;
    case OPT_HALT:
        o->halt = true;
        return CLI_OK;
    case OPT_LIST:
        o->list = true;
        return CLI_OK;
    case OPT_SEND:
        o->send = arg;
        return CLI_OK;
    case OPT_NEW:
        o->uart_new = true;
        return CLI_OK;
    case OPT_RECEIVE:
        o->receive = true;
        return CLI_OK;
    default:
        return set_number_option(c, o, val, arg);
    }
}

static int parse_arg(struct cli *c, const struct cli_arg *a, const char *s,
                     uint64_t *num, bool *late)
{
    uint64_t max = a->max ? a->max : UINT64_MAX;
    int r;

    switch (a->kind) {
    case CLI_ARG_ADDR:
        if (cli_parse_u64(s, max, num) == 0 || !cli_is_symbol(s)) {
            return cli_number(c, a->name, s, max, num);
        }
        if (c->elf) {
            return cli_symbol(c, a->name, s, num);
        }
        *late = true; /* the target's program, once connected */
        return CLI_OK;
    case CLI_ARG_NUM:
        return cli_number(c, a->name, s, max, num);
    case CLI_ARG_SIZE:
        r = cli_parse_size(s, num);
        if (r == 0 && *num <= max) {
            return CLI_OK;
        }
        return cli_usage_error(c,
                               "%s '%s' is not a size (a number with an "
                               "optional K, M or G)",
                               a->name, s);
    default:
        return CLI_OK;
    }
}

/* The words after the options: the command's arguments, in order. */
static int parse_args(struct cli *c, const struct cli_command *cmd, int argc,
                      char **argv, struct cli_opts *o)
{
    const struct cli_arg *a;
    int i = 0, rc = CLI_OK;
    bool late;

    for (a = cmd->args; rc == CLI_OK && a < cmd->args + CLI_MAX_ARGS && a->name;
         a++) {
        if (i >= argc) {
            if (!a->optional) {
                rc = cli_usage_error(c, "missing argument %s", a->name);
            }
            break;
        }
        o->arg[o->nargs] = argv[i];
        late = false;
        rc = parse_arg(c, a, argv[i++], &o->num[o->nargs], &late);
        o->late_syms |= late ? 1u << o->nargs : 0;
        o->nargs++;
    }
    if (rc == CLI_OK && i < argc) {
        if (!cmd->variadic) {
            return cli_usage_error(c, "unexpected argument '%s'", argv[i]);
        }
        o->rest = argv + i;
        o->nrest = argc - i;
    }
    return rc;
}

/*
 * Parse a command's own options and arguments (argv[0] is the command
 * word); *done is set when --help was shown.
 */
static int parse_command(struct cli *c, const struct cli_command *cmd, int argc,
                         char **argv, struct cli_opts *o, bool *done)
{
    struct option lo[NCMD_OPTIONS + 2];
    int ch, rc = CLI_OK;

    memset(o, 0, sizeof(*o));
    o->rst_class = -1;
    o->timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
    command_options(cmd, lo);
    optind = 0; /* glibc: start afresh on the new argv */
    while (rc == CLI_OK &&
           (ch = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        if (ch == 'h') {
            command_help(cmd);
            *done = true;
            return CLI_OK;
        } else if (ch == ':' || ch == '?') {
            rc = bad_option(c, ch, argv);
        } else {
            rc = set_option(c, o, ch, optarg);
        }
    }
    if (rc == CLI_OK) {
        rc = parse_args(c, cmd, argc - optind, argv + optind, o);
    }
    if (rc == CLI_OK && cmd->check) {
        rc = cmd->check(c, o);
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * Running a command
 */

static void on_signal(int sig)
{
    (void)sig;
    cli_interrupted = 1;
}

/* The first SIGINT/SIGTERM asks the loops to stop; a second one kills. */
static void catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Look up the symbols of the target's program, then check again. */
static int late_symbols(struct cli *c, const struct cli_command *cmd,
                        struct cli_opts *o)
{
    int i, rc = CLI_OK;

    for (i = 0; rc == CLI_OK && i < o->nargs; i++) {
        if (o->late_syms & (1u << i)) {
            rc = cli_symbol(c, cmd->args[i].name, o->arg[i], &o->num[i]);
        }
    }
    if (rc == CLI_OK && o->late_syms && cmd->check) {
        rc = cmd->check(c, o);
    }
    return rc;
}

static int run_command(struct cli *c, const struct cli_command *cmd,
                       struct cli_opts *o)
{
    int rc;

    catch_signals();
    rc = cli_connect(c, cmd->need);
    if (rc == CLI_OK) {
        rc = late_symbols(c, cmd, o);
    }
    if (rc == CLI_OK) {
        rc = cmd->run(c, o);
    }
    if (rc == CLI_OK && cli_interrupted) {
        rc = cli_fail(c, "interrupted");
    }
    return cli_disconnect(c, rc);
}

int main(int argc, char **argv)
{
    const struct cli_command *cmd = NULL;
    struct cli c = { 0 };
    struct cli_opts o;
    bool done = false;
    int first = 0, rc;

    rc = parse_global(&c, argc, argv, &first, &done);
    if (rc == CLI_OK && !done && strcmp(argv[first], "help") == 0) {
        rc = help(argc - first, argv + first);
        done = true;
    }
    if (rc == CLI_OK && !done) {
        cmd = find_command(argv[first]);
        if (!cmd) {
            rc = cli_usage_error(&c, "unknown command '%s'", argv[first]);
        }
    }
    if (rc == CLI_OK && !done) {
        c.cmd = cmd->name;
        rc = parse_command(&c, cmd, argc - first, argv + first, &o, &done);
    }
    if (rc == CLI_OK && !done) {
        rc = run_command(&c, cmd, &o);
    }
    return rc;
}
