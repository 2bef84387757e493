/*
 * test_wire.c - pins include/mcdshm/wire.h to include/mcd/mcd_api.h.
 *
 * The library and the server stub convert between an MCD API structure
 * (mcd_<name>_st) and its wire mirror (struct mcdshm_<name>) with one
 * memcpy, so every mirror must have exactly the layout of its API
 * structure: the same size and alignment, and every API field at the same
 * offset with the same size under the same name.  The explicit pad fields
 * of a mirror have no API counterpart and are not checked here; wire.h
 * pins them itself.  Also checked: the part of mcd_tx_st that struct
 * mcdshm_tx keeps, the function ids (position in mcd_api.h), the limits
 * that wire.h copies from the API, the record strides and the in-memory
 * bytes of the magic.  A memcpy round trip shows the conversion works on
 * real values.  Nothing here touches shared state.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "mcd/mcd_api.h"
#include "mcdshm/wire.h"

/* Expect size and alignment of an API structure and its mirror to agree. */
#define SAME_SIZE(api, mirror)                                             \
    do {                                                                   \
        cr_expect_eq(sizeof(api), sizeof(struct mirror),                   \
                     "sizeof(%s) is %zu, sizeof(struct %s) is %zu", #api,  \
                     sizeof(api), #mirror, sizeof(struct mirror));         \
        cr_expect_eq(_Alignof(api), _Alignof(struct mirror),               \
                     "_Alignof(%s) is %zu, _Alignof(struct %s) is %zu",    \
                     #api, _Alignof(api), #mirror,                         \
                     _Alignof(struct mirror));                             \
    } while (0)

/* Expect field f at the same offset and with the same size in both. */
#define SAME(api, mirror, f)                                               \
    do {                                                                   \
        size_t a_off_ = offsetof(api, f);                                  \
        size_t m_off_ = offsetof(struct mirror, f);                        \
        size_t a_size_ = sizeof(((api *)0)->f);                            \
        size_t m_size_ = sizeof(((struct mirror *)0)->f);                  \
        cr_expect_eq(a_off_, m_off_,                                       \
                     "%s.%s is at offset %zu, struct %s.%s at %zu", #api,  \
                     #f, a_off_, #mirror, #f, m_off_);                     \
        cr_expect_eq(a_size_, m_size_,                                     \
                     "%s.%s has size %zu, struct %s.%s has %zu", #api, #f, \
                     a_size_, #mirror, #f, m_size_);                       \
    } while (0)

/* Expect an integer constant to have a value. */
#define CONST(name, value)                                                 \
    cr_expect_eq((unsigned long long)(name), (unsigned long long)(value),  \
                 "%s is %llu, expected %llu (%s)", #name,                  \
                 (unsigned long long)(name), (unsigned long long)(value),  \
                 #value)

/* ------------------------------------------------------------------------
 * Mirrors of the MCD API structures
 */

Test(wire_mirror, api_version, .timeout = 10)
{
    SAME_SIZE(mcd_api_version_st, mcdshm_api_version);
    SAME(mcd_api_version_st, mcdshm_api_version, v_api_major);
    SAME(mcd_api_version_st, mcdshm_api_version, v_api_minor);
    SAME(mcd_api_version_st, mcdshm_api_version, author);
}

Test(wire_mirror, impl_version_info, .timeout = 10)
{
    SAME_SIZE(mcd_impl_version_info_st, mcdshm_impl_version_info);
    SAME(mcd_impl_version_info_st, mcdshm_impl_version_info, v_api);
    SAME(mcd_impl_version_info_st, mcdshm_impl_version_info, v_imp_major);
    SAME(mcd_impl_version_info_st, mcdshm_impl_version_info, v_imp_minor);
    SAME(mcd_impl_version_info_st, mcdshm_impl_version_info, v_imp_build);
    SAME(mcd_impl_version_info_st, mcdshm_impl_version_info, vendor);
    SAME(mcd_impl_version_info_st, mcdshm_impl_version_info, date);
}

Test(wire_mirror, error_info, .timeout = 10)
{
    SAME_SIZE(mcd_error_info_st, mcdshm_error_info);
    SAME(mcd_error_info_st, mcdshm_error_info, return_status);
    SAME(mcd_error_info_st, mcdshm_error_info, error_code);
    SAME(mcd_error_info_st, mcdshm_error_info, error_events);
    SAME(mcd_error_info_st, mcdshm_error_info, error_str);
}

Test(wire_mirror, server_info, .timeout = 10)
{
    SAME_SIZE(mcd_server_info_st, mcdshm_server_info);
    SAME(mcd_server_info_st, mcdshm_server_info, server);
    SAME(mcd_server_info_st, mcdshm_server_info, system_instance);
    SAME(mcd_server_info_st, mcdshm_server_info, acc_hw);
}

Test(wire_mirror, core_con_info, .timeout = 10)
{
    SAME_SIZE(mcd_core_con_info_st, mcdshm_core_con_info);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, host);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, server_port);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, server_key);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, system_key);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, device_key);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, system);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, system_instance);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, acc_hw);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, device_type);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, device);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, device_id);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, core);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, core_type);
    SAME(mcd_core_con_info_st, mcdshm_core_con_info, core_id);
}

Test(wire_mirror, core_mode_info, .timeout = 10)
{
    SAME_SIZE(mcd_core_mode_info_st, mcdshm_core_mode_info);
    SAME(mcd_core_mode_info_st, mcdshm_core_mode_info, core_mode);
    SAME(mcd_core_mode_info_st, mcdshm_core_mode_info, name);
}

Test(wire_mirror, addr, .timeout = 10)
{
    SAME_SIZE(mcd_addr_st, mcdshm_addr);
    SAME(mcd_addr_st, mcdshm_addr, address);
    SAME(mcd_addr_st, mcdshm_addr, mem_space_id);
    SAME(mcd_addr_st, mcdshm_addr, addr_space_id);
    SAME(mcd_addr_st, mcdshm_addr, addr_space_type);
}

Test(wire_mirror, memspace, .timeout = 10)
{
    SAME_SIZE(mcd_memspace_st, mcdshm_memspace);
    SAME(mcd_memspace_st, mcdshm_memspace, mem_space_id);
    SAME(mcd_memspace_st, mcdshm_memspace, mem_space_name);
    SAME(mcd_memspace_st, mcdshm_memspace, mem_type);
    SAME(mcd_memspace_st, mcdshm_memspace, bits_per_mau);
    SAME(mcd_memspace_st, mcdshm_memspace, invariance);
    SAME(mcd_memspace_st, mcdshm_memspace, endian);
    SAME(mcd_memspace_st, mcdshm_memspace, min_addr);
    SAME(mcd_memspace_st, mcdshm_memspace, max_addr);
    SAME(mcd_memspace_st, mcdshm_memspace, num_mem_blocks);
    SAME(mcd_memspace_st, mcdshm_memspace, supported_access_options);
    SAME(mcd_memspace_st, mcdshm_memspace, core_mode_mask_read);
    SAME(mcd_memspace_st, mcdshm_memspace, core_mode_mask_write);
}

Test(wire_mirror, memblock, .timeout = 10)
{
    SAME_SIZE(mcd_memblock_st, mcdshm_memblock);
    SAME(mcd_memblock_st, mcdshm_memblock, mem_block_id);
    SAME(mcd_memblock_st, mcdshm_memblock, mem_block_name);
    SAME(mcd_memblock_st, mcdshm_memblock, has_children);
    SAME(mcd_memblock_st, mcdshm_memblock, parent_id);
    SAME(mcd_memblock_st, mcdshm_memblock, start_addr);
    SAME(mcd_memblock_st, mcdshm_memblock, end_addr);
    SAME(mcd_memblock_st, mcdshm_memblock, endian);
    SAME(mcd_memblock_st, mcdshm_memblock, supported_au_sizes);
    SAME(mcd_memblock_st, mcdshm_memblock, supported_access_options);
    SAME(mcd_memblock_st, mcdshm_memblock, core_mode_mask_read);
    SAME(mcd_memblock_st, mcdshm_memblock, core_mode_mask_write);
}

Test(wire_mirror, register_group, .timeout = 10)
{
    SAME_SIZE(mcd_register_group_st, mcdshm_register_group);
    SAME(mcd_register_group_st, mcdshm_register_group, reg_group_id);
    SAME(mcd_register_group_st, mcdshm_register_group, reg_group_name);
    SAME(mcd_register_group_st, mcdshm_register_group, n_registers);
}

Test(wire_mirror, register_info, .timeout = 10)
{
    SAME_SIZE(mcd_register_info_st, mcdshm_register_info);
    SAME(mcd_register_info_st, mcdshm_register_info, addr);
    SAME(mcd_register_info_st, mcdshm_register_info, reg_group_id);
    SAME(mcd_register_info_st, mcdshm_register_info, regname);
    SAME(mcd_register_info_st, mcdshm_register_info, regsize);
    SAME(mcd_register_info_st, mcdshm_register_info, core_mode_mask_read);
    SAME(mcd_register_info_st, mcdshm_register_info, core_mode_mask_write);
    SAME(mcd_register_info_st, mcdshm_register_info, has_side_effects_read);
    SAME(mcd_register_info_st, mcdshm_register_info,
         has_side_effects_write);
    SAME(mcd_register_info_st, mcdshm_register_info, reg_type);
    SAME(mcd_register_info_st, mcdshm_register_info, hw_thread_id);
}

Test(wire_mirror, trig_info, .timeout = 10)
{
    SAME_SIZE(mcd_trig_info_st, mcdshm_trig_info);
    SAME(mcd_trig_info_st, mcdshm_trig_info, type);
    SAME(mcd_trig_info_st, mcdshm_trig_info, option);
    SAME(mcd_trig_info_st, mcdshm_trig_info, action);
    SAME(mcd_trig_info_st, mcdshm_trig_info, trig_number);
    SAME(mcd_trig_info_st, mcdshm_trig_info, state_number);
    SAME(mcd_trig_info_st, mcdshm_trig_info, counter_number);
    SAME(mcd_trig_info_st, mcdshm_trig_info, sw_breakpoints);
}

Test(wire_mirror, ctrig_info, .timeout = 10)
{
    SAME_SIZE(mcd_ctrig_info_st, mcdshm_ctrig_info);
    SAME(mcd_ctrig_info_st, mcdshm_ctrig_info, ctrig_id);
    SAME(mcd_ctrig_info_st, mcdshm_ctrig_info, info_str);
}

/* The seven fields every trigger structure starts with. */
#define SAME_TRIG_HEAD(api, mirror)                                        \
    do {                                                                   \
        SAME(api, mirror, struct_size);                                    \
        SAME(api, mirror, type);                                           \
        SAME(api, mirror, option);                                         \
        SAME(api, mirror, action);                                         \
        SAME(api, mirror, action_param);                                   \
        SAME(api, mirror, modified);                                       \
        SAME(api, mirror, state_mask);                                     \
    } while (0)

Test(wire_mirror, trig_complex_core, .timeout = 10)
{
    SAME_SIZE(mcd_trig_complex_core_st, mcdshm_trig_complex_core);
    SAME_TRIG_HEAD(mcd_trig_complex_core_st, mcdshm_trig_complex_core);
    SAME(mcd_trig_complex_core_st, mcdshm_trig_complex_core, addr_start);
    SAME(mcd_trig_complex_core_st, mcdshm_trig_complex_core, addr_range);
    SAME(mcd_trig_complex_core_st, mcdshm_trig_complex_core, data_start);
    SAME(mcd_trig_complex_core_st, mcdshm_trig_complex_core, data_range);
    SAME(mcd_trig_complex_core_st, mcdshm_trig_complex_core, data_mask);
    SAME(mcd_trig_complex_core_st, mcdshm_trig_complex_core, data_size);
    SAME(mcd_trig_complex_core_st, mcdshm_trig_complex_core, hw_thread_id);
    SAME(mcd_trig_complex_core_st, mcdshm_trig_complex_core, sw_thread_id);
    SAME(mcd_trig_complex_core_st, mcdshm_trig_complex_core,
         core_mode_mask);
}

Test(wire_mirror, trig_simple_core, .timeout = 10)
{
    SAME_SIZE(mcd_trig_simple_core_st, mcdshm_trig_simple_core);
    SAME_TRIG_HEAD(mcd_trig_simple_core_st, mcdshm_trig_simple_core);
    SAME(mcd_trig_simple_core_st, mcdshm_trig_simple_core, addr_start);
    SAME(mcd_trig_simple_core_st, mcdshm_trig_simple_core, addr_range);
}

Test(wire_mirror, trig_trig_bus, .timeout = 10)
{
    SAME_SIZE(mcd_trig_trig_bus_st, mcdshm_trig_trig_bus);
    SAME_TRIG_HEAD(mcd_trig_trig_bus_st, mcdshm_trig_trig_bus);
    SAME(mcd_trig_trig_bus_st, mcdshm_trig_trig_bus, trig_bus_value);
    SAME(mcd_trig_trig_bus_st, mcdshm_trig_trig_bus, trig_bus_mask);
}

Test(wire_mirror, trig_counter, .timeout = 10)
{
    SAME_SIZE(mcd_trig_counter_st, mcdshm_trig_counter);
    SAME_TRIG_HEAD(mcd_trig_counter_st, mcdshm_trig_counter);
    SAME(mcd_trig_counter_st, mcdshm_trig_counter, count_value);
    SAME(mcd_trig_counter_st, mcdshm_trig_counter, reload_value);
}

Test(wire_mirror, trig_custom, .timeout = 10)
{
    SAME_SIZE(mcd_trig_custom_st, mcdshm_trig_custom);
    SAME_TRIG_HEAD(mcd_trig_custom_st, mcdshm_trig_custom);
    SAME(mcd_trig_custom_st, mcdshm_trig_custom, ctrig_id);
    SAME(mcd_trig_custom_st, mcdshm_trig_custom, ctrig_args);
}

Test(wire_mirror, trig_state, .timeout = 10)
{
    SAME_SIZE(mcd_trig_state_st, mcdshm_trig_state);
    SAME(mcd_trig_state_st, mcdshm_trig_state, active);
    SAME(mcd_trig_state_st, mcdshm_trig_state, captured);
    SAME(mcd_trig_state_st, mcdshm_trig_state, captured_valid);
    SAME(mcd_trig_state_st, mcdshm_trig_state, count_value);
    SAME(mcd_trig_state_st, mcdshm_trig_state, count_valid);
}

Test(wire_mirror, trig_set_state, .timeout = 10)
{
    SAME_SIZE(mcd_trig_set_state_st, mcdshm_trig_set_state);
    SAME(mcd_trig_set_state_st, mcdshm_trig_set_state, active);
    SAME(mcd_trig_set_state_st, mcdshm_trig_set_state, state);
    SAME(mcd_trig_set_state_st, mcdshm_trig_set_state, state_valid);
    SAME(mcd_trig_set_state_st, mcdshm_trig_set_state, trig_bus);
    SAME(mcd_trig_set_state_st, mcdshm_trig_set_state, trig_bus_valid);
    SAME(mcd_trig_set_state_st, mcdshm_trig_set_state, trace);
    SAME(mcd_trig_set_state_st, mcdshm_trig_set_state, trace_valid);
    SAME(mcd_trig_set_state_st, mcdshm_trig_set_state, analysis);
    SAME(mcd_trig_set_state_st, mcdshm_trig_set_state, analysis_valid);
}

Test(wire_mirror, core_state, .timeout = 10)
{
    SAME_SIZE(mcd_core_state_st, mcdshm_core_state);
    SAME(mcd_core_state_st, mcdshm_core_state, state);
    SAME(mcd_core_state_st, mcdshm_core_state, event);
    SAME(mcd_core_state_st, mcdshm_core_state, hw_thread_id);
    SAME(mcd_core_state_st, mcdshm_core_state, trig_id);
    SAME(mcd_core_state_st, mcdshm_core_state, stop_str);
    SAME(mcd_core_state_st, mcdshm_core_state, info_str);
}

Test(wire_mirror, rst_info, .timeout = 10)
{
    SAME_SIZE(mcd_rst_info_st, mcdshm_rst_info);
    SAME(mcd_rst_info_st, mcdshm_rst_info, class_vector);
    SAME(mcd_rst_info_st, mcdshm_rst_info, info_str);
}

Test(wire_mirror, chl, .timeout = 10)
{
    SAME_SIZE(mcd_chl_st, mcdshm_chl);
    SAME(mcd_chl_st, mcdshm_chl, chl_id);
    SAME(mcd_chl_st, mcdshm_chl, type);
    SAME(mcd_chl_st, mcdshm_chl, attributes);
    SAME(mcd_chl_st, mcdshm_chl, max_msg_len);
    SAME(mcd_chl_st, mcdshm_chl, msg_buffer_addr);
    SAME(mcd_chl_st, mcdshm_chl, prio);
}

Test(wire_mirror, trace_info, .timeout = 10)
{
    SAME_SIZE(mcd_trace_info_st, mcdshm_trace_info);
    SAME(mcd_trace_info_st, mcdshm_trace_info, trace_id);
    SAME(mcd_trace_info_st, mcdshm_trace_info, trace_name);
    SAME(mcd_trace_info_st, mcdshm_trace_info, trace_type);
    SAME(mcd_trace_info_st, mcdshm_trace_info, trace_format);
    SAME(mcd_trace_info_st, mcdshm_trace_info, trace_modes);
    SAME(mcd_trace_info_st, mcdshm_trace_info, trace_no_timestamps);
    SAME(mcd_trace_info_st, mcdshm_trace_info, trace_shared);
    SAME(mcd_trace_info_st, mcdshm_trace_info, trace_size_is_bytes);
}

Test(wire_mirror, trace_state, .timeout = 10)
{
    SAME_SIZE(mcd_trace_state_st, mcdshm_trace_state);
    SAME(mcd_trace_state_st, mcdshm_trace_state, state);
    SAME(mcd_trace_state_st, mcdshm_trace_state, mode);
    SAME(mcd_trace_state_st, mcdshm_trace_state, autoarm);
    SAME(mcd_trace_state_st, mcdshm_trace_state, wraparound);
    SAME(mcd_trace_state_st, mcdshm_trace_state, frames);
    SAME(mcd_trace_state_st, mcdshm_trace_state, count);
    SAME(mcd_trace_state_st, mcdshm_trace_state, size);
    SAME(mcd_trace_state_st, mcdshm_trace_state, trigger_delay);
    SAME(mcd_trace_state_st, mcdshm_trace_state, timestamp_accuracy);
    SAME(mcd_trace_state_st, mcdshm_trace_state, timestamp_is_time);
    SAME(mcd_trace_state_st, mcdshm_trace_state, options);
    SAME(mcd_trace_state_st, mcdshm_trace_state, modified);
    SAME(mcd_trace_state_st, mcdshm_trace_state, info_str);
}

Test(wire_mirror, trace_data_core, .timeout = 10)
{
    SAME_SIZE(mcd_trace_data_core_st, mcdshm_trace_data_core);
    SAME(mcd_trace_data_core_st, mcdshm_trace_data_core, timestamp);
    SAME(mcd_trace_data_core_st, mcdshm_trace_data_core, marker);
    SAME(mcd_trace_data_core_st, mcdshm_trace_data_core, cycle);
    SAME(mcd_trace_data_core_st, mcdshm_trace_data_core, addr);
    SAME(mcd_trace_data_core_st, mcdshm_trace_data_core, data);
    SAME(mcd_trace_data_core_st, mcdshm_trace_data_core, data_width);
    SAME(mcd_trace_data_core_st, mcdshm_trace_data_core, data_mask);
    SAME(mcd_trace_data_core_st, mcdshm_trace_data_core, source);
    SAME(mcd_trace_data_core_st, mcdshm_trace_data_core, aux_info);
}

Test(wire_mirror, trace_data_event, .timeout = 10)
{
    SAME_SIZE(mcd_trace_data_event_st, mcdshm_trace_data_event);
    SAME(mcd_trace_data_event_st, mcdshm_trace_data_event, timestamp);
    SAME(mcd_trace_data_event_st, mcdshm_trace_data_event, marker);
    SAME(mcd_trace_data_event_st, mcdshm_trace_data_event, data);
}

Test(wire_mirror, trace_data_stat, .timeout = 10)
{
    SAME_SIZE(mcd_trace_data_stat_st, mcdshm_trace_data_stat);
    SAME(mcd_trace_data_stat_st, mcdshm_trace_data_stat, timestamp);
    SAME(mcd_trace_data_stat_st, mcdshm_trace_data_stat, marker);
    SAME(mcd_trace_data_stat_st, mcdshm_trace_data_stat, count);
}

/*
 * struct mcdshm_tx is mcd_tx_st up to core_mode; from there on it differs
 * on purpose (the data pointer became data_off), so only the common head
 * is compared, and the known split is pinned so a change is noticed.
 */
Test(wire_mirror, tx_common_head, .timeout = 10)
{
    SAME(mcd_tx_st, mcdshm_tx, addr);
    SAME(mcd_tx_st, mcdshm_tx, access_type);
    SAME(mcd_tx_st, mcdshm_tx, options);
    SAME(mcd_tx_st, mcdshm_tx, access_width);
    SAME(mcd_tx_st, mcdshm_tx, core_mode);
    CONST(offsetof(mcd_tx_st, addr), 0);
    CONST(offsetof(mcd_tx_st, access_type), 24);
    CONST(offsetof(mcd_tx_st, options), 28);
    CONST(offsetof(mcd_tx_st, access_width), 32);
    CONST(offsetof(mcd_tx_st, core_mode), 33);
    CONST(offsetof(mcd_tx_st, num_bytes), 48);
    CONST(offsetof(struct mcdshm_tx, num_bytes), 36);
    CONST(offsetof(struct mcdshm_tx, data_off), 40);
    CONST(sizeof(((struct mcdshm_tx *)0)->num_bytes),
          sizeof(((mcd_tx_st *)0)->num_bytes));
}

/* ------------------------------------------------------------------------
 * Function ids, limits, strides and magic
 */

Test(wire_const, function_ids_in_header_order, .timeout = 10)
{
    /* Every id, in the order the functions appear in mcd_api.h. */
    static const unsigned ids[] = {
        MCDSHM_FN_INITIALIZE,
        MCDSHM_FN_EXIT,
        MCDSHM_FN_QRY_SERVERS,
        MCDSHM_FN_OPEN_SERVER,
        MCDSHM_FN_CLOSE_SERVER,
        MCDSHM_FN_SET_SERVER_CONFIG,
        MCDSHM_FN_QRY_SERVER_CONFIG,
        MCDSHM_FN_QRY_SYSTEMS,
        MCDSHM_FN_QRY_DEVICES,
        MCDSHM_FN_QRY_CORES,
        MCDSHM_FN_QRY_CORE_MODES,
        MCDSHM_FN_OPEN_CORE,
        MCDSHM_FN_CLOSE_CORE,
        MCDSHM_FN_QRY_ERROR_INFO,
        MCDSHM_FN_QRY_DEVICE_DESCRIPTION,
        MCDSHM_FN_QRY_MAX_PAYLOAD_SIZE,
        MCDSHM_FN_QRY_INPUT_HANDLE,
        MCDSHM_FN_QRY_MEM_SPACES,
        MCDSHM_FN_QRY_MEM_BLOCKS,
        MCDSHM_FN_QRY_ACTIVE_OVERLAYS,
        MCDSHM_FN_QRY_REG_GROUPS,
        MCDSHM_FN_QRY_REG_MAP,
        MCDSHM_FN_QRY_REG_COMPOUND,
        MCDSHM_FN_QRY_TRIG_INFO,
        MCDSHM_FN_QRY_CTRIGS,
        MCDSHM_FN_CREATE_TRIG,
        MCDSHM_FN_QRY_TRIG,
        MCDSHM_FN_REMOVE_TRIG,
        MCDSHM_FN_QRY_TRIG_STATE,
        MCDSHM_FN_ACTIVATE_TRIG_SET,
        MCDSHM_FN_REMOVE_TRIG_SET,
        MCDSHM_FN_QRY_TRIG_SET,
        MCDSHM_FN_QRY_TRIG_SET_STATE,
        MCDSHM_FN_EXECUTE_TXLIST,
        MCDSHM_FN_RUN,
        MCDSHM_FN_STOP,
        MCDSHM_FN_RUN_UNTIL,
        MCDSHM_FN_QRY_CURRENT_TIME,
        MCDSHM_FN_STEP,
        MCDSHM_FN_SET_GLOBAL,
        MCDSHM_FN_QRY_STATE,
        MCDSHM_FN_EXECUTE_COMMAND,
        MCDSHM_FN_QRY_RST_CLASSES,
        MCDSHM_FN_QRY_RST_CLASS_INFO,
        MCDSHM_FN_RST,
        MCDSHM_FN_CHL_OPEN,
        MCDSHM_FN_SEND_MSG,
        MCDSHM_FN_RECEIVE_MSG,
        MCDSHM_FN_CHL_RESET,
        MCDSHM_FN_CHL_CLOSE,
        MCDSHM_FN_QRY_TRACES,
        MCDSHM_FN_QRY_TRACE_STATE,
        MCDSHM_FN_SET_TRACE_STATE,
        MCDSHM_FN_READ_TRACE,
    };
    size_t i, n = sizeof(ids) / sizeof(ids[0]);

    cr_assert_eq(n, 54, "%zu function ids listed, expected 54", n);
    for (i = 0; i < n; i++) {
        cr_expect_eq(ids[i], i + 1, "function %zu in mcd_api.h has id %u",
                     i + 1, ids[i]);
    }
    CONST(MCDSHM_FN_COUNT, 54);
    CONST(MCDSHM_FN_INITIALIZE, 1);
    CONST(MCDSHM_FN_EXECUTE_TXLIST, 34);
    CONST(MCDSHM_FN_STEP, 39);
    CONST(MCDSHM_FN_QRY_STATE, 41);
    CONST(MCDSHM_FN_READ_TRACE, 54);
}

Test(wire_const, limits_match_the_api, .timeout = 10)
{
    CONST(MCDSHM_TX_MAX, MCD_TX_NUM_MAX);
    CONST(MCDSHM_MIN_PAYLOAD, MCD_GUARANTEED_MIN_PAYLOAD);
    CONST(MCDSHM_INFO_STR_LEN, MCD_INFO_STR_LEN);
}

Test(wire_const, record_strides, .timeout = 10)
{
    CONST(sizeof(struct mcdshm_req), MCDSHM_REQ_STRIDE);
    CONST(sizeof(struct mcdshm_resp), MCDSHM_RESP_STRIDE);
    CONST(MCDSHM_REQ_STRIDE % MCDSHM_CACHELINE, 0);
    CONST(MCDSHM_RESP_STRIDE % MCDSHM_CACHELINE, 0);
}

Test(wire_const, magic_bytes, .timeout = 10)
{
    uint64_t magic = MCDSHM_MAGIC;
    unsigned char b[sizeof(magic)];

    memcpy(b, &magic, sizeof(b));
    cr_expect_eq(memcmp(&magic, "MCDSHM\x01\x02", 8), 0,
                 "magic in memory is %02x %02x %02x %02x %02x %02x %02x "
                 "%02x, expected \"MCDSHM\\x01\\x02\"",
                 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
    cr_expect_eq((unsigned long long)MCDSHM_MAGIC_SWAPPED,
                 (unsigned long long)__builtin_bswap64(MCDSHM_MAGIC),
                 "MCDSHM_MAGIC_SWAPPED is %#llx, bswap64(MAGIC) is %#llx",
                 (unsigned long long)MCDSHM_MAGIC_SWAPPED,
                 (unsigned long long)__builtin_bswap64(MCDSHM_MAGIC));
    cr_expect_neq((unsigned long long)MCDSHM_MAGIC,
                  (unsigned long long)MCDSHM_MAGIC_SWAPPED);
}

/* ------------------------------------------------------------------------
 * memcpy round trips
 */

Test(wire_roundtrip, memspace, .timeout = 10)
{
    mcd_memspace_st api, back;
    struct mcdshm_memspace w;

    memset(&api, 0, sizeof(api));
    api.mem_space_id = 0x11111111u;
    strcpy(api.mem_space_name, "Main memory");
    api.mem_type = 0x22222222u;
    api.bits_per_mau = 0x33333333u;
    api.invariance = 0x44;
    api.endian = 0x55555555u;
    api.min_addr = 0x6666666666666666ull;
    api.max_addr = 0x7777777777777777ull;
    api.num_mem_blocks = 0x88888888u;
    api.supported_access_options = 0x99999999u;
    api.core_mode_mask_read = 0xaaaaaaaau;
    api.core_mode_mask_write = 0xbbbbbbbbu;

    memcpy(&w, &api, sizeof(w));
    cr_expect_eq(w.mem_space_id, 0x11111111u);
    cr_expect_eq(memcmp(w.mem_space_name, "Main memory", 12), 0,
                 "mem_space_name is \"%.32s\"", (char *)w.mem_space_name);
    cr_expect_eq(w.mem_type, 0x22222222u);
    cr_expect_eq(w.bits_per_mau, 0x33333333u);
    cr_expect_eq(w.invariance, 0x44);
    cr_expect_eq(w.endian, 0x55555555u);
    cr_expect_eq(w.min_addr, 0x6666666666666666ull);
    cr_expect_eq(w.max_addr, 0x7777777777777777ull);
    cr_expect_eq(w.num_mem_blocks, 0x88888888u);
    cr_expect_eq(w.supported_access_options, 0x99999999u);
    cr_expect_eq(w.core_mode_mask_read, 0xaaaaaaaau);
    cr_expect_eq(w.core_mode_mask_write, 0xbbbbbbbbu);
    cr_expect_eq(w.pad0[0] | w.pad0[1] | w.pad0[2] | w.pad1, 0,
                 "the API's zeroed padding reads back as zero pad fields");

    /* And back: the bytes survive the trip unchanged. */
    memcpy(&back, &w, sizeof(back));
    cr_expect_eq(memcmp(&back, &api, sizeof(api)), 0);
}

Test(wire_roundtrip, trace_state, .timeout = 10)
{
    mcd_trace_state_st api, back;
    struct mcdshm_trace_state w;

    memset(&api, 0, sizeof(api));
    api.state = 0x01010101u;
    api.mode = 0x02020202u;
    api.autoarm = 1;
    api.wraparound = 1;
    api.frames = 0x0303030303030303ull;
    api.count = 0x0404040404040404ull;
    api.size = 0x0505050505050505ull;
    api.trigger_delay = 0x0606060606060606ull;
    api.timestamp_accuracy = 97;
    api.timestamp_is_time = 1;
    api.options = 0x07070707u;
    api.modified = 1;
    strcpy(api.info_str, "trace buffer of core 0");
    api.info_str[MCD_INFO_STR_LEN - 1] = 'Z'; /* last byte reaches too */

    memcpy(&w, &api, sizeof(w));
    cr_expect_eq(w.state, 0x01010101u);
    cr_expect_eq(w.mode, 0x02020202u);
    cr_expect_eq(w.autoarm, 1);
    cr_expect_eq(w.wraparound, 1);
    cr_expect_eq(w.frames, 0x0303030303030303ull);
    cr_expect_eq(w.count, 0x0404040404040404ull);
    cr_expect_eq(w.size, 0x0505050505050505ull);
    cr_expect_eq(w.trigger_delay, 0x0606060606060606ull);
    cr_expect_eq(w.timestamp_accuracy, 97);
    cr_expect_eq(w.timestamp_is_time, 1);
    cr_expect_eq(w.options, 0x07070707u);
    cr_expect_eq(w.modified, 1);
    cr_expect_eq(memcmp(w.info_str, "trace buffer of core 0", 23), 0,
                 "info_str is \"%.40s\"", (char *)w.info_str);
    cr_expect_eq(w.info_str[MCDSHM_INFO_STR_LEN - 1], 'Z');

    memcpy(&back, &w, sizeof(back));
    cr_expect_eq(memcmp(&back, &api, sizeof(api)), 0);
}
