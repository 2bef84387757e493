/*
 * The MCD server core: the semantics of the 54 MCD functions over a
 * simulator's struct mcdshm_target (include/mcdshm/server.h).
 *
 * The core's functions are the MCD API's, with three mechanical changes so
 * they can serve many debuggers over a wire:
 *   - every function takes the calling debugger's session first;
 *   - a `const mcd_core_st *core` becomes `uint32_t core_uid` (0 = none),
 *     and `mcd_server_st` handles become `uint32_t server_uid`;
 *   - mcd_open_server_f / mcd_open_core_f return uids instead of allocating.
 * Everything else (count-then-fetch, in/out sizes, the trigger structures
 * identified by struct_size, transaction lists with data pointers) is as in
 * mcd_api.h.  The stub points transaction data straight into the slot's
 * payload area after checking the ranges, so data is not copied twice.
 *
 * Each function records the session's last error (per core uid, and one for
 * core-less calls) that mcdcore_qry_error_info() returns, exactly as
 * mcd_qry_error_info_f() would.
 *
 * Threads: a session is used by one thread at a time (the stub's I/O thread
 * or the simulator's thread); state shared between sessions (which cores
 * are open, triggers, global run control) is locked inside the core.
 */
#ifndef MCDSHM_CORE_H
#define MCDSHM_CORE_H

#include "mcdshm/server.h"

struct mcdcore;
struct mcdcore_session;

/**
 * mcdcore_create() - serve @target.
 * @target: the simulator; must outlive the core
 * @name: the server name (as published by the stub)
 * @out: the core
 *
 * Return: 0, -EINVAL if @target lacks a mandatory operation or has no
 * cores, -ENOMEM.
 */
int mcdcore_create(const struct mcdshm_target *target, const char *name,
                   struct mcdcore **out);

/* Destroy the core; all sessions must be closed.  Accepts NULL. */
void mcdcore_destroy(struct mcdcore *c);

/* A debugger connected: 0, or -ENOMEM. */
int mcdcore_session_open(struct mcdcore *c, struct mcdcore_session **out);

/* A debugger left (or died): close its cores and remove its triggers.
 * Accepts NULL. */
void mcdcore_session_close(struct mcdcore_session *s);

/* The target's index of the core @s has open as @core_uid, or UINT32_MAX
 * if none (the stub's trace lanes need it). */
uint32_t mcdcore_core_index(const struct mcdcore_session *s, uint32_t core_uid);

/* Frame size of trace @format: 0 if unreadable, UINT32_MAX if any size
 * (custom formats). */
uint32_t mcdcore_trace_frame_size(mcd_trace_format_et format);

/* The target this core serves. */
const struct mcdshm_target *mcdcore_target(const struct mcdcore *c);

/* --- The 54 functions (numbered as MCDSHM_FN_*) --- */

mcd_return_et mcdcore_initialize(struct mcdcore_session *s,
                                 const mcd_api_version_st *version_req,
                                 mcd_impl_version_info_st *impl_info);
void mcdcore_exit(struct mcdcore_session *s);
mcd_return_et mcdcore_qry_servers(struct mcdcore_session *s,
                                  const char *host, mcd_bool_t running,
                                  uint32_t start_index, uint32_t *num_servers,
                                  mcd_server_info_st *server_info);
mcd_return_et mcdcore_open_server(struct mcdcore_session *s,
                                  const char *system_key,
                                  const char *config_string,
                                  uint32_t *server_uid);
mcd_return_et mcdcore_close_server(struct mcdcore_session *s,
                                   uint32_t server_uid);
mcd_return_et mcdcore_set_server_config(struct mcdcore_session *s,
                                        uint32_t server_uid,
                                        const char *config_string);
mcd_return_et mcdcore_qry_server_config(struct mcdcore_session *s,
                                        uint32_t server_uid,
                                        uint32_t *max_len,
                                        char *config_string);
mcd_return_et mcdcore_qry_systems(struct mcdcore_session *s,
                                  uint32_t start_index, uint32_t *num_systems,
                                  mcd_core_con_info_st *system_con_info);
mcd_return_et mcdcore_qry_devices(struct mcdcore_session *s,
                                  const mcd_core_con_info_st *system_con_info,
                                  uint32_t start_index, uint32_t *num_devices,
                                  mcd_core_con_info_st *device_con_info);
mcd_return_et mcdcore_qry_cores(struct mcdcore_session *s,
                                const mcd_core_con_info_st *connection_info,
                                uint32_t start_index, uint32_t *num_cores,
                                mcd_core_con_info_st *core_con_info);
mcd_return_et mcdcore_qry_core_modes(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t start_index,
                                     uint32_t *num_modes,
                                     mcd_core_mode_info_st *core_mode_info);
/* @full: the complete connection info of the opened core. */
mcd_return_et mcdcore_open_core(struct mcdcore_session *s,
                                const mcd_core_con_info_st *core_con_info,
                                uint32_t *core_uid,
                                mcd_core_con_info_st *full);
mcd_return_et mcdcore_close_core(struct mcdcore_session *s,
                                 uint32_t core_uid);
void mcdcore_qry_error_info(struct mcdcore_session *s, uint32_t core_uid,
                            mcd_error_info_st *error_info);
mcd_return_et mcdcore_qry_device_description(struct mcdcore_session *s,
                                             uint32_t core_uid, char *url,
                                             uint32_t *url_length);
mcd_return_et mcdcore_qry_max_payload_size(struct mcdcore_session *s,
                                           uint32_t core_uid,
                                           uint32_t *max_payload);
mcd_return_et mcdcore_qry_input_handle(struct mcdcore_session *s,
                                       uint32_t core_uid,
                                       uint32_t *input_handle);
mcd_return_et mcdcore_qry_mem_spaces(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t start_index,
                                     uint32_t *num_mem_spaces,
                                     mcd_memspace_st *mem_spaces);
mcd_return_et mcdcore_qry_mem_blocks(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t mem_space_id,
                                     uint32_t start_index,
                                     uint32_t *num_mem_blocks,
                                     mcd_memblock_st *mem_blocks);
mcd_return_et mcdcore_qry_active_overlays(struct mcdcore_session *s,
                                          uint32_t core_uid,
                                          uint32_t start_index,
                                          uint32_t *num_active_overlays,
                                          uint32_t *active_overlays);
mcd_return_et mcdcore_qry_reg_groups(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t start_index,
                                     uint32_t *num_reg_groups,
                                     mcd_register_group_st *reg_groups);
mcd_return_et mcdcore_qry_reg_map(struct mcdcore_session *s,
                                  uint32_t core_uid, uint32_t reg_group_id,
                                  uint32_t start_index, uint32_t *num_regs,
                                  mcd_register_info_st *reg_info);
mcd_return_et mcdcore_qry_reg_compound(struct mcdcore_session *s,
                                       uint32_t core_uid,
                                       uint32_t compound_reg_id,
                                       uint32_t start_index,
                                       uint32_t *num_reg_ids,
                                       uint32_t *reg_id_array);
mcd_return_et mcdcore_qry_trig_info(struct mcdcore_session *s,
                                    uint32_t core_uid,
                                    mcd_trig_info_st *trig_info);
mcd_return_et mcdcore_qry_ctrigs(struct mcdcore_session *s,
                                 uint32_t core_uid, uint32_t start_index,
                                 uint32_t *num_ctrigs,
                                 mcd_ctrig_info_st *ctrig_info);
mcd_return_et mcdcore_create_trig(struct mcdcore_session *s,
                                  uint32_t core_uid, void *trig,
                                  uint32_t *trig_id);
mcd_return_et mcdcore_qry_trig(struct mcdcore_session *s, uint32_t core_uid,
                               uint32_t trig_id, uint32_t max_trig_size,
                               void *trig);
mcd_return_et mcdcore_remove_trig(struct mcdcore_session *s,
                                  uint32_t core_uid, uint32_t trig_id);
mcd_return_et mcdcore_qry_trig_state(struct mcdcore_session *s,
                                     uint32_t core_uid, uint32_t trig_id,
                                     mcd_trig_state_st *trig_state);
mcd_return_et mcdcore_activate_trig_set(struct mcdcore_session *s,
                                        uint32_t core_uid);
mcd_return_et mcdcore_remove_trig_set(struct mcdcore_session *s,
                                      uint32_t core_uid);
mcd_return_et mcdcore_qry_trig_set(struct mcdcore_session *s,
                                   uint32_t core_uid, uint32_t start_index,
                                   uint32_t *num_trigs, uint32_t *trig_ids);
mcd_return_et mcdcore_qry_trig_set_state(struct mcdcore_session *s,
                                         uint32_t core_uid,
                                         mcd_trig_set_state_st *trig_state);
mcd_return_et mcdcore_execute_txlist(struct mcdcore_session *s,
                                     uint32_t core_uid, mcd_txlist_st *txlist);
mcd_return_et mcdcore_run(struct mcdcore_session *s, uint32_t core_uid,
                          mcd_bool_t global);
mcd_return_et mcdcore_stop(struct mcdcore_session *s, uint32_t core_uid,
                           mcd_bool_t global);
mcd_return_et mcdcore_run_until(struct mcdcore_session *s, uint32_t core_uid,
                                mcd_bool_t global, mcd_bool_t absolute_time,
                                uint64_t run_until_time);
mcd_return_et mcdcore_qry_current_time(struct mcdcore_session *s,
                                       uint32_t core_uid,
                                       uint64_t *current_time);
mcd_return_et mcdcore_step(struct mcdcore_session *s, uint32_t core_uid,
                           mcd_bool_t global, mcd_core_step_type_et step_type,
                           uint32_t n_steps);
mcd_return_et mcdcore_set_global(struct mcdcore_session *s, uint32_t core_uid,
                                 mcd_bool_t enable);
mcd_return_et mcdcore_qry_state(struct mcdcore_session *s, uint32_t core_uid,
                                mcd_core_state_st *state);
mcd_return_et mcdcore_execute_command(struct mcdcore_session *s,
                                      uint32_t core_uid,
                                      const char *command_string,
                                      uint32_t result_string_size,
                                      char *result_string);
mcd_return_et mcdcore_qry_rst_classes(struct mcdcore_session *s,
                                      uint32_t core_uid,
                                      uint32_t *rst_class_vector);
mcd_return_et mcdcore_qry_rst_class_info(struct mcdcore_session *s,
                                         uint32_t core_uid, uint8_t rst_class,
                                         mcd_rst_info_st *rst_info);
mcd_return_et mcdcore_rst(struct mcdcore_session *s, uint32_t core_uid,
                          uint32_t rst_class_vector, mcd_bool_t rst_and_halt);
/* Channels: core_uid 0 with @con_info addresses the system or device. */
mcd_return_et mcdcore_chl_open(struct mcdcore_session *s, uint32_t core_uid,
                               const mcd_core_con_info_st *con_info,
                               mcd_chl_st *channel);
mcd_return_et mcdcore_send_msg(struct mcdcore_session *s, uint32_t core_uid,
                               uint32_t chl_id, uint32_t msg_len,
                               const uint8_t *msg);
mcd_return_et mcdcore_receive_msg(struct mcdcore_session *s,
                                  uint32_t core_uid, uint32_t chl_id,
                                  uint32_t timeout, uint32_t *msg_len,
                                  uint8_t *msg);
mcd_return_et mcdcore_chl_reset(struct mcdcore_session *s, uint32_t core_uid,
                                uint32_t chl_id);
mcd_return_et mcdcore_chl_close(struct mcdcore_session *s, uint32_t core_uid,
                                uint32_t chl_id);
mcd_return_et mcdcore_qry_traces(struct mcdcore_session *s, uint32_t core_uid,
                                 uint32_t start_index, uint32_t *num_traces,
                                 mcd_trace_info_st *trace_info);
mcd_return_et mcdcore_qry_trace_state(struct mcdcore_session *s,
                                      uint32_t core_uid, uint32_t trace_id,
                                      mcd_trace_state_st *state);
mcd_return_et mcdcore_set_trace_state(struct mcdcore_session *s,
                                      uint32_t core_uid, uint32_t trace_id,
                                      mcd_trace_state_st *state);
mcd_return_et mcdcore_read_trace(struct mcdcore_session *s, uint32_t core_uid,
                                 uint32_t trace_id, uint64_t start_index,
                                 uint32_t *num_frames,
                                 uint32_t trace_data_size, void *trace_data);

#endif /* MCDSHM_CORE_H */
