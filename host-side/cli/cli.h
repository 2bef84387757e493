/*
 * cli.h - the internals shared by the files of the `mcdshm` tool.
 *
 * `mcdshm` is a command-line debugger built only on the public MCD API
 * (mcd/mcd_api.h, linked against libmcdshm): it discovers everything it
 * shows (systems, cores, memory spaces, register groups, triggers, traces)
 * through queries and hard-codes nothing about a particular target.  One
 * invocation runs one command: parse the global options and the command's
 * arguments (a bad one is a usage error before anything is connected),
 * connect as far as the command needs (the library, a server, a core), run
 * the command, and close everything again on the single exit path in
 * main().  The tool is single-threaded; the only asynchronous actor is the
 * SIGINT/SIGTERM handler, which sets cli_interrupted for the long loops.
 *
 * Functions here return an exit status (CLI_OK ... CLI_ERR_CONNECT) rather
 * than -errno: every failure is reported where it happens, with the MCD
 * function and message, and what travels up is only what main() returns.
 */
#ifndef MCDSHM_CLI_H
#define MCDSHM_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcd/mcd_api.h"

#ifndef MCDSHM_CLI_VERSION
#define MCDSHM_CLI_VERSION "0.1.0"
#endif

/* Exit status of the tool, and the return value of most functions here. */
enum {
    CLI_OK = 0,          /* success */
    CLI_ERR_FAIL = 1,    /* an MCD call (or file I/O, or a wait) failed */
    CLI_ERR_USAGE = 2,   /* bad option or argument */
    CLI_ERR_CONNECT = 3, /* no server could be opened */
};

/* How often a call answered MCD_RET_ACT_AGAIN is repeated, 1 ms apart. */
#define CLI_AGAIN_MAX 1000

/* Largest transaction list the tool builds, whatever the target offers. */
#define CLI_PAYLOAD_CAP (16u << 20)

/* Default of --timeout-ms for run-to, watch-run and trace. */
#define CLI_DEFAULT_TIMEOUT_MS 10000

/* How far a command connects before it runs. */
enum cli_need {
    CLI_NEED_LIB,    /* mcd_initialize_f only */
    CLI_NEED_SERVER, /* an open server */
    CLI_NEED_CORE,   /* an open core, chosen with -C */
};

/* Options a command may accept (bits of cli_command.opts). */
enum {
    CLI_OPT_ALL = 1u << 0,     /* --all */
    CLI_OPT_SPACE = 1u << 1,   /* --space NAME|ID */
    CLI_OPT_WIDTH = 1u << 2,   /* --width 1|2|4|8 */
    CLI_OPT_RAW = 1u << 3,     /* --raw */
    CLI_OPT_VALUE = 1u << 4,   /* --u32 V, --u64 V */
    CLI_OPT_KEEP = 1u << 5,    /* --keep-partial */
    CLI_OPT_ACCESS = 1u << 6,  /* --read, --write, --rw */
    CLI_OPT_TIMEOUT = 1u << 7, /* --timeout-ms T */
    CLI_OPT_TRACE = 1u << 8,   /* --instructions, --ms, --binary,
                                * --trace, --size */
    CLI_OPT_RESET = 1u << 9,   /* --class N, --halt, --list */
    CLI_OPT_UART = 1u << 10,   /* --send TEXT, --receive */
};

/* Kind of a positional argument, checked before connecting. */
enum cli_arg_kind {
    CLI_ARG_STR,  /* any text */
    CLI_ARG_NUM,  /* a number: decimal or 0x hex (strtoull base 0) */
    CLI_ARG_SIZE, /* a number with an optional K, M or G suffix */
};

/* One positional argument of a command. */
struct cli_arg {
    const char *name; /* as the usage line spells it, e.g. "ADDR" */
    enum cli_arg_kind kind;
    bool optional;
    uint64_t max; /* largest value of a number, 0 = UINT64_MAX */
};

#define CLI_MAX_ARGS 4

/* A command's options and arguments, parsed and range-checked. */
struct cli_opts {
    /* Positional arguments: text, and the value of numeric ones. */
    int nargs;
    const char *arg[CLI_MAX_ARGS];
    uint64_t num[CLI_MAX_ARGS];
    char **rest; /* a variadic command's extra words */
    int nrest;

    bool all, raw, keep_partial, binary, halt, list, receive;
    const char *space;       /* --space, NULL = the default space */
    uint32_t width;          /* --width, 0 = any */
    int value_bytes;         /* 4 for --u32, 8 for --u64, 0 = none */
    uint64_t value;          /* their value */
    mcd_trig_type_et access; /* --read/--write/--rw, 0 = none given */
    uint32_t timeout_ms;     /* --timeout-ms, CLI_DEFAULT_TIMEOUT_MS */
    bool timeout_given;      /* ... and whether it was given */
    uint64_t instructions;   /* --instructions, 0 = not given */
    uint64_t ms;             /* --ms, 0 = not given */
    uint32_t trace_id;       /* --trace, 0 = the first core trace */
    uint64_t trace_size;     /* --size, frames; 0 = the target's */
    int rst_class;           /* --class, -1 = not given */
    const char *send;        /* --send */
};

struct cli;

/* One command of the tool. */
struct cli_command {
    const char *name;
    const char *summary; /* one line for the command list */
    int (*run)(struct cli *c, const struct cli_opts *o);
    /* Checks between options and arguments, before connecting; NULL if
     * there are none.  Returns CLI_OK or CLI_ERR_USAGE (message printed). */
    int (*check)(const struct cli *c, const struct cli_opts *o);
    enum cli_need need;
    unsigned opts; /* CLI_OPT_* accepted */
    struct cli_arg args[CLI_MAX_ARGS];
    bool variadic; /* words after the last argument are accepted */
    const char *synopsis;
    const char *help;
};

/* The state of one invocation: global options, then the connection. */
struct cli {
    /* Global options */
    const char *server_name; /* -s */
    const char *endpoint;    /* -e */
    const char *config_raw;  /* -c */
    const char *core_sel;    /* -C, NULL = the first core */
    bool quiet;              /* -q */
    const char *cmd;         /* name of the running command */

    /* Connection, torn down by cli_disconnect() */
    bool initialized;
    mcd_impl_version_info_st impl;
    mcd_server_st *server;
    mcd_core_con_info_st *cores; /* every core of every system */
    uint32_t ncores;
    uint32_t core_idx; /* index of the chosen core in cores */
    mcd_core_st *core; /* the chosen core, open */
};

/* Set by the SIGINT/SIGTERM handler; long loops stop when it is set. */
extern volatile sig_atomic_t cli_interrupted;

/* Set while a progress bar leaves stderr in mid-line; the next message
 * starts a new line first. */
extern bool cli_midline;

/*
 * Call an MCD function, repeating it while the target answers
 * MCD_RET_ACT_AGAIN (at most CLI_AGAIN_MAX times, 1 ms apart), and yield
 * its final mcd_return_et.  A GNU C statement expression (the project
 * builds as gnu11): the only way to retry any call without a wrapper per
 * function.
 */
#define CLI_RETRY(call)                                 \
    ({                                                  \
        mcd_return_et ret__;                            \
        unsigned again__ = 0;                           \
        while ((ret__ = (call)) == MCD_RET_ACT_AGAIN && \
               again__++ < CLI_AGAIN_MAX) {             \
            cli_sleep_ms(1);                            \
        }                                               \
        ret__;                                          \
    })

/*
 * Call fn(...) through CLI_RETRY and check the outcome with cli_check(),
 * naming fn in any message; core is the core whose last error explains a
 * failure (NULL for the calls without a core).  Yields CLI_OK or
 * CLI_ERR_FAIL.
 */
#define CLI_MCD(c, core, fn, ...) \
    cli_check((c), (core), #fn, CLI_RETRY(fn(__VA_ARGS__)))

/* ---- util.c ---- */

/**
 * cli_check: turn an MCD return code into an exit status.
 * MCD_RET_ACT_NONE is success; MCD_RET_ACT_HANDLE_EVENT is success too,
 * with the events (reset, power down, hardware failure) shown on stderr
 * unless -q; anything else prints "mcdshm: <fn>: <error_str> (error 0x..)"
 * from mcd_qry_error_info_f(core).
 * @param c: the invocation
 * @param core: the core the call was made on, or NULL for core-less calls
 * @param fn: the function's name
 * @param ret: what it returned
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_check(const struct cli *c, const mcd_core_st *core, const char *fn,
              mcd_return_et ret);

/**
 * cli_error_info: mcd_qry_error_info_f, for callers that look at the code.
 * @param core: the core of the failed call, or NULL
 * @param info: receives the error; error_str is always NUL-terminated
 * @return nothing
 */
void cli_error_info(const mcd_core_st *core, mcd_error_info_st *info);

/**
 * cli_report_mcd: print a failure described by @info as cli_check() does.
 * @param fn: the MCD function's name
 * @param info: its error
 * @return CLI_ERR_FAIL
 */
int cli_report_mcd(const char *fn, const mcd_error_info_st *info);

/**
 * cli_fail: print "mcdshm: <cmd>: <message>" on stderr.
 * @return CLI_ERR_FAIL
 */
int cli_fail(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * cli_usage_error: print "mcdshm: <cmd>: <message>" and a hint to --help.
 * @return CLI_ERR_USAGE
 */
int cli_usage_error(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * cli_note: print an informational line on stderr unless -q.
 * @return nothing
 */
void cli_note(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * cli_parse_u64: parse a whole string as a number (strtoull base 0).
 * Rejects the empty string, a sign, leading blanks, trailing garbage and
 * values over @max.
 * @param s: the text
 * @param max: the largest value accepted
 * @param out: receives the value
 * @return 0, or -EINVAL (not a number) or -ERANGE (over @max)
 */
int cli_parse_u64(const char *s, uint64_t max, uint64_t *out);

/**
 * cli_parse_size: like cli_parse_u64(), with an optional K, M or G suffix
 * (case-insensitive, powers of 1024).
 * @return 0, -EINVAL or -ERANGE
 */
int cli_parse_size(const char *s, uint64_t *out);

/**
 * cli_number: parse @s as the argument @what, printing a usage error.
 * @param c: the invocation, for the message
 * @param what: the argument's name in messages, e.g. "--width" or "ADDR"
 * @param s: the text
 * @param max: the largest value accepted
 * @param out: receives the value
 * @return CLI_OK or CLI_ERR_USAGE
 */
int cli_number(const struct cli *c, const char *what, const char *s,
               uint64_t max, uint64_t *out);

/**
 * cli_check_range: check a memory range of `read`, `write` or `dump`: LEN
 * at least 1 and a multiple of the width, and no wrap-around.
 * @param c: the invocation, for the message
 * @param addr: the first byte
 * @param len: the length
 * @param width: the access width, 0 = any
 * @return CLI_OK or CLI_ERR_USAGE
 */
int cli_check_range(const struct cli *c, uint64_t addr, uint64_t len,
                    uint32_t width);

/** cli_now_ns: CLOCK_MONOTONIC in nanoseconds. */
uint64_t cli_now_ns(void);

/** cli_sleep_ms: sleep @ms milliseconds (an interrupting signal ends it). */
void cli_sleep_ms(unsigned ms);

/**
 * cli_list: fetch a whole count-then-fetch list into a new array.
 * Asks for the count with *num 0, allocates, then fetches page by page
 * from start_index 0 until the count is reached or a page comes back
 * empty (the list shrank).
 * @param c: the invocation, for messages
 * @param core: the core for mcd_qry_error_info_f, or NULL
 * @param fn: the MCD function's name, for messages
 * @param qry: calls the query with (ctx, start_index, num, out)
 * @param ctx: passed to qry
 * @param size: size of one entry
 * @param out: receives the malloc'ed array (NULL when empty); free() it
 * @param n: receives the number of entries
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_list(const struct cli *c, const mcd_core_st *core, const char *fn,
             mcd_return_et (*qry)(const void *ctx, uint32_t start,
                                  uint32_t *num, void *out),
             const void *ctx, size_t size, void **out, uint32_t *n);

/** cli_core_type_name: the architecture of an ELF e_machine, or NULL. */
const char *cli_core_type_name(uint32_t e_machine);

/** cli_state_name: "RUNNING", "DEBUG", ... for a core state. */
const char *cli_state_name(mcd_core_state_et state);

/* ---- session.c ---- */

/**
 * cli_connect: connect as far as @need: mcd_initialize_f, then the server
 * (from -s, -e and -c), then the core chosen with -C.
 * @return CLI_OK; CLI_ERR_FAIL (initialize, a query or open core failed);
 *         CLI_ERR_CONNECT (no server could be opened); CLI_ERR_USAGE (-C
 *         names no core, or the config string cannot be built)
 */
int cli_connect(struct cli *c, enum cli_need need);

/**
 * cli_disconnect: close the core, the server and the library; tolerates a
 * partial connection.  A failed close is reported.
 * @param c: the invocation
 * @param rc: the exit status so far
 * @return rc, or CLI_ERR_FAIL if rc was CLI_OK and a close failed
 */
int cli_disconnect(struct cli *c, int rc);

/**
 * cli_core_name: a printable name for core @idx of c->cores.
 * @return the core's name (never NULL)
 */
const char *cli_core_name(const struct cli *c, uint32_t idx);

/**
 * cli_open_core: open core @idx, or hand back c->core when it is that one.
 * @param c: the invocation
 * @param idx: index into c->cores
 * @param core: receives the connection; close it with cli_close_core()
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_open_core(struct cli *c, uint32_t idx, mcd_core_st **core);

/**
 * cli_close_core: close a connection from cli_open_core(), unless it is
 * c->core (closed by cli_disconnect()).
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_close_core(struct cli *c, mcd_core_st *core);

/**
 * cli_max_payload: the bytes one transaction list may carry on @core,
 * capped at CLI_PAYLOAD_CAP; a target without the query gets
 * MCD_GUARANTEED_MIN_PAYLOAD.
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_max_payload(const struct cli *c, const mcd_core_st *core,
                    uint32_t *out);

/**
 * cli_spaces: the memory spaces of @core.
 * @param out: receives a malloc'ed array; free() it
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_spaces(const struct cli *c, const mcd_core_st *core,
               mcd_memspace_st **out, uint32_t *n);

/**
 * cli_pick_space: the memory space named by @sel (a name or an id), or by
 * default the first physical memory space that is not a register space
 * (for triggers: the first logical one), else the first memory space.
 * @param sel: --space's value, or NULL for the default
 * @param for_trigger: prefer a logical space for the default
 * @param out: receives the space
 * @return CLI_OK; CLI_ERR_USAGE (no such space); CLI_ERR_FAIL
 */
int cli_pick_space(const struct cli *c, const char *sel, bool for_trigger,
                   mcd_memspace_st *out);

/**
 * cli_mem_blocks: the memory blocks of space @sp of the current core.
 * @param out: receives a malloc'ed array (NULL when empty); free() it
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_mem_blocks(const struct cli *c, const mcd_memspace_st *sp,
                   mcd_memblock_st **out, uint32_t *n);

/**
 * cli_check_blocks: check that [@addr, @addr + @len) lies in the memory
 * blocks of @sp (adjacent blocks continue one another) before anything is
 * read; a space that lists no blocks is left to the target.  The message
 * names the end of the last block the range reaches.
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_check_blocks(const struct cli *c, const mcd_memspace_st *sp,
                     uint64_t addr, uint64_t len);

/**
 * cli_mem_xfer: one memory transaction list of one transaction: read into
 * or write from @buf.  A failure or a short transfer is reported with the
 * MCD message; *done tells how many bytes were transferred either way.
 * @param c: the invocation
 * @param sp: the memory space
 * @param addr: the first byte
 * @param buf: @len bytes
 * @param len: at most the max payload
 * @param width: access width in bytes, 0 = any
 * @param at: MCD_TX_AT_R or MCD_TX_AT_W
 * @param done: receives the bytes transferred (may be NULL)
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_mem_xfer(const struct cli *c, const mcd_memspace_st *sp, uint64_t addr,
                 uint8_t *buf, uint32_t len, uint32_t width,
                 mcd_tx_access_type_et at, uint32_t *done);

/* ---- regs.c ---- */

/* Every register of a core, from every register group. */
struct cli_regmap {
    mcd_register_group_st *groups;
    uint32_t ngroups;
    mcd_register_info_st *regs;
    uint32_t nregs;
};

/**
 * cli_regmap_load: query the register groups and the registers of each.
 * A core that reports no group gets the implicit group 0.
 * @param map: receives the map; release it with cli_regmap_free()
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_regmap_load(const struct cli *c, const mcd_core_st *core,
                    struct cli_regmap *map);

/** cli_regmap_free: release a map (also a zeroed or partial one). */
void cli_regmap_free(struct cli_regmap *map);

/**
 * cli_reg_find: the register called @name (case-insensitive), or NULL.
 */
const mcd_register_info_st *cli_reg_find(const struct cli_regmap *map,
                                         const char *name);

/** cli_reg_bytes: the size of a register's value in bytes. */
uint32_t cli_reg_bytes(const mcd_register_info_st *reg);

/**
 * cli_reg_read: read registers, MCD_TX_NUM_MAX per transaction list.
 * @param regs: the registers
 * @param n: how many
 * @param vals: receives each value, little endian, at vals + i * stride
 * @param stride: room per value, at least the largest cli_reg_bytes()
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_reg_read(const struct cli *c, const mcd_core_st *core,
                 const mcd_register_info_st *const *regs, uint32_t n,
                 uint8_t *vals, uint32_t stride);

/**
 * cli_reg_write: write one register of at most 8 bytes, or zero-extended.
 * @return CLI_OK or CLI_ERR_FAIL
 */
int cli_reg_write(const struct cli *c, const mcd_core_st *core,
                  const mcd_register_info_st *reg, uint64_t value);

/**
 * cli_reg_format: "0x..." of a little-endian value of @bytes bytes.
 * @param buf: room for 2 * bytes + 3 characters
 * @return buf
 */
char *cli_reg_format(const uint8_t *val, uint32_t bytes, char *buf);

/**
 * cli_read_pc: read the program counter of @core: the register "pc" (or
 * "ip"), found by name in the register map.
 * @param pc: receives it
 * @return CLI_OK or CLI_ERR_FAIL (no such register, or the read failed)
 */
int cli_read_pc(const struct cli *c, const mcd_core_st *core, uint64_t *pc);

/* ---- commands ---- */

int cmd_servers(struct cli *c, const struct cli_opts *o);
int cmd_systems(struct cli *c, const struct cli_opts *o);
int cmd_devices(struct cli *c, const struct cli_opts *o);
int cmd_cores(struct cli *c, const struct cli_opts *o);
int cmd_info(struct cli *c, const struct cli_opts *o);

int cmd_regs(struct cli *c, const struct cli_opts *o);
int cmd_setreg(struct cli *c, const struct cli_opts *o);
int cmd_read(struct cli *c, const struct cli_opts *o);
int check_read(const struct cli *c, const struct cli_opts *o);
int cmd_write(struct cli *c, const struct cli_opts *o);
int check_write(const struct cli *c, const struct cli_opts *o);
int cmd_dump(struct cli *c, const struct cli_opts *o);
int check_dump(const struct cli *c, const struct cli_opts *o);

int cmd_run(struct cli *c, const struct cli_opts *o);
int cmd_stop(struct cli *c, const struct cli_opts *o);
int cmd_step(struct cli *c, const struct cli_opts *o);
int check_step(const struct cli *c, const struct cli_opts *o);
int cmd_state(struct cli *c, const struct cli_opts *o);
int cmd_reset(struct cli *c, const struct cli_opts *o);
int cmd_cmd(struct cli *c, const struct cli_opts *o);

int cmd_break(struct cli *c, const struct cli_opts *o);
int cmd_watch(struct cli *c, const struct cli_opts *o);
int check_watch(const struct cli *c, const struct cli_opts *o);
int cmd_triggers(struct cli *c, const struct cli_opts *o);
int cmd_delete(struct cli *c, const struct cli_opts *o);
int check_delete(const struct cli *c, const struct cli_opts *o);
int cmd_run_to(struct cli *c, const struct cli_opts *o);
int cmd_watch_run(struct cli *c, const struct cli_opts *o);

int cmd_trace(struct cli *c, const struct cli_opts *o);
int check_trace(const struct cli *c, const struct cli_opts *o);
int cmd_uart(struct cli *c, const struct cli_opts *o);

#endif /* MCDSHM_CLI_H */
