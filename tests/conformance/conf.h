/*
 * conf.h - shared by the files of the MCD conformance suite.
 *
 * The suite talks to an MCD implementation only through mcd_api.h: it
 * dlopen()s the library named by $MCDSHM_LIB and calls the 54 functions
 * through struct conf_api, a table of pointers resolved with dlsym().
 * Criterion runs each test in a process of its own, so each test loads the
 * library, opens the server and every core afresh (the conf_open fixture)
 * and closes them again (conf_close); the one struct conf below belongs to
 * that process.  The target, however, is shared by all tests, one after
 * the other (main forces --jobs 1): conf_open starts every test with a
 * global stop and an empty trigger set, conf_close leaves every core
 * halted, and a test that needs a known program state starts with the
 * target's system reset.  What differs between targets comes from the
 * profile (targets.h), never from a test body.
 *
 * Failures name the MCD function, the returned action, the error code and
 * the implementation's error string (CHECK_MCD, EXPECT_MCD_ERR), so a
 * failing run reads as a list of what the implementation got wrong.
 */
#ifndef CONF_H
#define CONF_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>

#include "mcd/mcd_api.h"
#include "targets.h"

/* The 54 functions, in the API's order (RPC UIDs 1..54). */
/* clang-format off */
#define CONF_FUNCS(X)                                                        \
    X(initialize) X(exit) X(qry_servers) X(open_server) X(close_server)      \
    X(set_server_config) X(qry_server_config) X(qry_systems) X(qry_devices)  \
    X(qry_cores) X(qry_core_modes) X(open_core) X(close_core)                \
    X(qry_error_info) X(qry_device_description) X(qry_max_payload_size)      \
    X(qry_input_handle) X(qry_mem_spaces) X(qry_mem_blocks)                  \
    X(qry_active_overlays) X(qry_reg_groups) X(qry_reg_map)                  \
    X(qry_reg_compound) X(qry_trig_info) X(qry_ctrigs) X(create_trig)        \
    X(qry_trig) X(remove_trig) X(qry_trig_state) X(activate_trig_set)        \
    X(remove_trig_set) X(qry_trig_set) X(qry_trig_set_state)                 \
    X(execute_txlist) X(run) X(stop) X(run_until) X(qry_current_time)        \
    X(step) X(set_global) X(qry_state) X(execute_command)                    \
    X(qry_rst_classes) X(qry_rst_class_info) X(rst) X(chl_open)              \
    X(send_msg) X(receive_msg) X(chl_reset) X(chl_close) X(qry_traces)       \
    X(qry_trace_state) X(set_trace_state) X(read_trace)

#define CONF_FN_ENUM(name) CONF_FN_##name,
enum conf_fn {
    CONF_FUNCS(CONF_FN_ENUM)
    CONF_FN_COUNT
};
#undef CONF_FN_ENUM
/* clang-format on */

_Static_assert(CONF_FN_COUNT == 54, "MCD 1.1 has 54 functions");

/* The library's functions, each with the exact type mcd_api.h gives. */
#define CONF_API_FIELD(name) __typeof__(mcd_##name##_f) *name;
struct conf_api {
    CONF_FUNCS(CONF_API_FIELD)
};
#undef CONF_API_FIELD

/* "mcd_initialize_f", ... indexed by enum conf_fn. */
extern const char *const conf_fn_names[CONF_FN_COUNT];

/* Limits of the suite (not of the API). */
#define CONF_MAX_CORES 32
#define CONF_TIMEOUT 30              /* seconds, most tests */
#define CONF_LONG_TIMEOUT 120        /* bulk memory and trace tests */
#define CONF_WAIT_MS 5000            /* for a core to change state */
#define CONF_MIN_PAYLOAD (1u << 20)  /* what mcdshm promises per list */
#define CONF_SCRATCH_SIZE (4u << 20) /* RAM the tests may overwrite */
#define CONF_SCRATCH_ALIGN 0x10000u

/* One core of the system, as the fixture found and opened it. */
struct conf_core {
    mcd_core_con_info_st info;  /* as mcd_qry_cores_f listed it */
    mcd_core_st *core;          /* NULL when not open */
    mcd_register_info_st *regs; /* register group 0, loaded on first use */
    uint32_t nregs;
};

/* The state of one test process. */
struct conf {
    void *dl; /* the dlopen()ed library */
    struct conf_api api;
    const struct conf_target *target;
    const char *config; /* $MCDSHM_CONFIG */
    bool initialized;   /* mcd_initialize_f succeeded */
    mcd_server_st *server;
    mcd_core_con_info_st system; /* the system the cores are in */
    uint32_t ncores;
    struct conf_core cores[CONF_MAX_CORES];
    struct conf_elf elf; /* loaded by conf_need_elf() */
};

extern struct conf conf;

/* The handle of core @i, and its record. */
#define CORE(i) (conf.cores[(i)].core)
#define CCORE(i) (&conf.cores[(i)])

/* ------------------------------------------------------------------------
 * Fixtures (conf_lib.c).  Each skips the test, with what to set, when
 * $MCDSHM_LIB or $MCDSHM_CONFIG is missing.
 */

/* Only the environment and the profile: for tests that fork first. */
void conf_open_env(void);
/* ... and the library loaded, every symbol resolved; nothing called. */
void conf_open_lib(void);
/* ... and initialized, server and every core open, all cores halted, no
 * triggers: what most tests start from. */
void conf_open(void);
/* Leave every core halted, close what is open, mcd_exit_f. */
void conf_close(void);
/* Drop every handle without closing it (after a test's mcd_exit_f). */
void conf_forget_session(void);

/* ------------------------------------------------------------------------
 * Steps of a session that report instead of asserting (conf_lib.c), for
 * the fixtures and for a forked second debugger, which must not use
 * Criterion's assertions.  Each returns 0, or -1 with a message in err.
 */

int conf_env_load(struct conf *cf, char *err, size_t errlen);
int conf_lib_load(struct conf *cf, char *err, size_t errlen);
int conf_session_open(struct conf *cf, char *err, size_t errlen);
int conf_core_open(struct conf *cf, uint32_t i, char *err, size_t errlen);
/* Describe a failed call of @fn with the library's error info. */
int conf_say_mcd(struct conf *cf, const mcd_core_st *core, const char *fn,
                 mcd_return_et ret, char *err, size_t errlen);

/* ------------------------------------------------------------------------
 * Checking calls (conf_lib.c)
 */

/* Calls answered MCD_RET_ACT_AGAIN are repeated, at most this often. */
#define CONF_AGAIN_MAX 1000

/* Evaluate an MCD call, repeating it while it answers AGAIN. */
#define CONF_CALL(call)                                     \
    ({                                                      \
        mcd_return_et conf_ret_;                            \
        unsigned conf_try_ = 0;                             \
        while ((conf_ret_ = (call)) == MCD_RET_ACT_AGAIN && \
               conf_try_++ < CONF_AGAIN_MAX) {              \
            conf_sleep_ms(1);                               \
        }                                                   \
        conf_ret_;                                          \
    })

/*
 * Assert that @call succeeds; on failure, fail the test with the function,
 * the action, the error code and the error string that
 * mcd_qry_error_info_f(@core) gives (@core NULL for core-less calls).
 * HANDLE_EVENT counts as success (the events are logged).
 */
#define CHECK_MCD(core, call) \
    conf_check_ok((core), CONF_CALL(call), #call, __FILE__, __LINE__)

/* Any error code, for conf_expect_err() and EXPECT_MCD_ERR. */
#define CONF_ANY_ERROR UINT32_MAX

/*
 * Assert that @call fails with HANDLE_ERROR and that
 * mcd_qry_error_info_f(@core) then reports that action, error @code (or
 * any code but NONE for CONF_ANY_ERROR) and a non-empty message.
 */
#define EXPECT_MCD_ERR(core, call, code) \
    conf_expect_err((core), CONF_CALL(call), (code), #call, __FILE__, __LINE__)

void conf_check_ok(const mcd_core_st *core, mcd_return_et ret, const char *call,
                   const char *file, int line);
void conf_expect_err(const mcd_core_st *core, mcd_return_et ret,
                     mcd_error_code_et code, const char *call, const char *file,
                     int line);

/* The error info of @core (NULL: core-less), as the library gives it. */
mcd_error_info_st conf_error_info(const mcd_core_st *core);

/* Names for messages. */
const char *conf_ret_name(mcd_return_et ret);
const char *conf_err_name(mcd_error_code_et code);
const char *conf_state_name(mcd_core_state_et state);

/* Skip the test unless the target has @cap (see targets.h). */
void conf_require(enum conf_cap cap);
bool conf_has(enum conf_cap cap);
/* Skip the test unless the system has at least @n cores. */
void conf_require_cores(uint32_t n);

void conf_sleep_ms(unsigned ms);
uint64_t conf_now_ms(void);

/* ------------------------------------------------------------------------
 * Target helpers (conf_util.c); all assert on failure.
 */

/* Load $MCDSHM_TEST_ELF (skip without it); fail if a symbol is missing. */
void conf_need_elf(void);
uint64_t conf_sym(const char *name);
uint64_t conf_sym_size(const char *name);
uint64_t conf_reset_pc(void);
/* Start of CONF_SCRATCH_SIZE bytes of RAM after the program (_end);
 * conf_scratch() also checks a memory block holds them. */
uint64_t conf_scratch_base(void);
uint64_t conf_scratch(void);

/* Run control. */
mcd_core_state_st conf_state(uint32_t i);
bool conf_is_halted(mcd_core_state_et state);
mcd_core_state_st conf_wait_halted(uint32_t i);
void conf_wait_running(uint32_t i);
void conf_stop_all(void);
void conf_reset_system(void);
/* Run core @i until a trigger stops it; the others stay halted. */
mcd_core_state_st conf_run_to_stop(uint32_t i);

/* Registers, by name, through the register map of group 0. */
const mcd_register_info_st *conf_reg(uint32_t i, const char *name);
uint64_t conf_reg_read(uint32_t i, const char *name);
void conf_reg_write(uint32_t i, const char *name, uint64_t value);
uint64_t conf_pc(uint32_t i);

/* Memory. */
uint32_t conf_mem_space(uint32_t i, mcd_mem_type_et type);
uint32_t conf_max_payload(uint32_t i);
void conf_tx_init(mcd_tx_st *tx, uint32_t space, uint64_t addr,
                  mcd_tx_access_type_et at, uint8_t *data, uint32_t len);
void conf_mem_read(uint32_t i, uint32_t space, uint64_t addr, void *buf,
                   uint32_t len);
void conf_mem_write(uint32_t i, uint32_t space, uint64_t addr, const void *buf,
                    uint32_t len);
uint64_t conf_read_u64(uint32_t i, uint64_t addr);

/* Fill @buf with a pattern of @seed, never two equal neighbours. */
void conf_pattern(uint8_t *buf, uint32_t len, uint32_t seed);

/* ------------------------------------------------------------------------
 * Count-then-fetch (conf_util.c)
 */

/* Fetch entries [start, start + *num) of a list into @out. */
typedef mcd_return_et (*conf_fetch_fn)(void *ctx, uint32_t start, uint32_t *num,
                                       void *out);
/* 0 when two entries are equal (memcmp when NULL). */
typedef int (*conf_cmp_fn)(const void *a, const void *b);

struct conf_list {
    const char *what;        /* e.g. "mcd_qry_systems_f" */
    const mcd_core_st *core; /* for the error info; NULL: core-less */
    conf_fetch_fn fetch;
    void *ctx;
    size_t size; /* bytes per entry */
    conf_cmp_fn cmp;
};

/*
 * Check the count-then-fetch rules of a list: the count query, fetching
 * all, paging one at a time gives the same entries, a capacity larger than
 * what remains is clamped, start_index at the end is MCD_ERR_PARAM.
 * @return the entries (free()), *total their number
 */
void *conf_check_list(const struct conf_list *l, uint32_t *total);

#endif /* CONF_H */
