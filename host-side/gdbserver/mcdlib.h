/*
 * mcdlib.h - the MCD library of mcdshm-gdbserver, loaded with dlopen().
 *
 * The bridge is a debugger like any other: it uses the 54 functions of
 * the public MCD API (mcd/mcd_api.h) and nothing else of libmcdshm, so
 * that --library can name any MCD implementation.  Every function is
 * resolved once, by name, into struct mcdlib; MCD(fn) calls through it.
 */
#ifndef MCDSHM_GDBSERVER_MCDLIB_H
#define MCDSHM_GDBSERVER_MCDLIB_H

#include <stddef.h>

#include "mcd/mcd_api.h"

/* The 54 functions, in the header's order. */
#define MCDLIB_FUNCS(X)             \
    X(mcd_initialize_f)             \
    X(mcd_exit_f)                   \
    X(mcd_qry_servers_f)            \
    X(mcd_open_server_f)            \
    X(mcd_close_server_f)           \
    X(mcd_set_server_config_f)      \
    X(mcd_qry_server_config_f)      \
    X(mcd_qry_systems_f)            \
    X(mcd_qry_devices_f)            \
    X(mcd_qry_cores_f)              \
    X(mcd_qry_core_modes_f)         \
    X(mcd_open_core_f)              \
    X(mcd_close_core_f)             \
    X(mcd_qry_error_info_f)         \
    X(mcd_qry_device_description_f) \
    X(mcd_qry_max_payload_size_f)   \
    X(mcd_qry_input_handle_f)       \
    X(mcd_qry_mem_spaces_f)         \
    X(mcd_qry_mem_blocks_f)         \
    X(mcd_qry_active_overlays_f)    \
    X(mcd_qry_reg_groups_f)         \
    X(mcd_qry_reg_map_f)            \
    X(mcd_qry_reg_compound_f)       \
    X(mcd_qry_trig_info_f)          \
    X(mcd_qry_ctrigs_f)             \
    X(mcd_create_trig_f)            \
    X(mcd_qry_trig_f)               \
    X(mcd_remove_trig_f)            \
    X(mcd_qry_trig_state_f)         \
    X(mcd_activate_trig_set_f)      \
    X(mcd_remove_trig_set_f)        \
    X(mcd_qry_trig_set_f)           \
    X(mcd_qry_trig_set_state_f)     \
    X(mcd_execute_txlist_f)         \
    X(mcd_run_f)                    \
    X(mcd_stop_f)                   \
    X(mcd_run_until_f)              \
    X(mcd_qry_current_time_f)       \
    X(mcd_step_f)                   \
    X(mcd_set_global_f)             \
    X(mcd_qry_state_f)              \
    X(mcd_execute_command_f)        \
    X(mcd_qry_rst_classes_f)        \
    X(mcd_qry_rst_class_info_f)     \
    X(mcd_rst_f)                    \
    X(mcd_chl_open_f)               \
    X(mcd_send_msg_f)               \
    X(mcd_receive_msg_f)            \
    X(mcd_chl_reset_f)              \
    X(mcd_chl_close_f)              \
    X(mcd_qry_traces_f)             \
    X(mcd_qry_trace_state_f)        \
    X(mcd_set_trace_state_f)        \
    X(mcd_read_trace_f)

struct mcdlib {
    void *handle;
#define MCDLIB_PTR(fn) __typeof__(fn) *fn;
    MCDLIB_FUNCS(MCDLIB_PTR)
#undef MCDLIB_PTR
};

/* The library in use; filled by mcdlib_load(). */
extern struct mcdlib mcdlib;

/* Call an MCD function of the loaded library. */
#define MCD(fn) (mcdlib.fn)

/**
 * mcdlib_load: dlopen() @path (NULL: libmcdshm.so.0 beside the program,
 * then as the dynamic loader finds it) and resolve the 54 functions.
 * @param path: the library, or NULL
 * @param err: receives a message on failure
 * @param errlen: its size
 * @return 0, -ENOENT (the library cannot be loaded) or -ENOSYS (a
 *         function is missing; err names it)
 */
int mcdlib_load(const char *path, char *err, size_t errlen);

#endif /* MCDSHM_GDBSERVER_MCDLIB_H */
