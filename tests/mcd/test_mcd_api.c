/*
 * test_mcd_api.c - pins include/mcd/mcd_api.h to the MCD API 1.1 Linux ABI.
 *
 * Every number below comes from the project's fact sheet
 * (spec/mcd-api.md), not from the header: the size of each of the 32
 * structures and the offset and size of each of their fields on x86_64
 * with a 1-byte mcd_bool_t (section 4), the value of every constant
 * (sections 2 and 3), and the prototype of each of the 54 functions
 * (section 5). A tool built against another 1.1 header of that ABI only
 * works with ours if all of these agree. The prototypes are checked at
 * compile time, so this file links without any implementation of the
 * functions. Nothing here touches shared state; tests run in any order.
 */

#include <stddef.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "mcd/mcd_api.h"

/* Expect offset and size of one field, both in bytes. */
#define FIELD(type, field, off, size)                                      \
    do {                                                                   \
        size_t got_off_ = offsetof(type, field);                           \
        size_t got_size_ = sizeof(((type *)0)->field);                     \
        cr_expect_eq(got_off_, (size_t)(off),                              \
                     "%s.%s: offset %zu, expected %zu", #type, #field,     \
                     got_off_, (size_t)(off));                             \
        cr_expect_eq(got_size_, (size_t)(size),                            \
                     "%s.%s: size %zu, expected %zu", #type, #field,       \
                     got_size_, (size_t)(size));                           \
    } while (0)

/* Expect the size of a whole structure. */
#define SIZE(type, size)                                                   \
    cr_expect_eq(sizeof(type), (size_t)(size),                             \
                 "sizeof(%s) is %zu, expected %zu", #type, sizeof(type),   \
                 (size_t)(size))

/* Expect the value of an integer constant. */
#define CONST(name, value)                                                 \
    cr_expect_eq((unsigned long long)(name), (unsigned long long)(value),  \
                 "%s is %#llx, expected %#llx", #name,                     \
                 (unsigned long long)(name), (unsigned long long)(value))

/* Expect an enumeration type to take 4 bytes. */
#define ET_SIZE(t)                                                         \
    cr_expect_eq(sizeof(t), 4, "sizeof(%s) is %zu, expected 4", #t,        \
                 sizeof(t))

/* Check at compile time that fn has exactly the function type of ptype. */
#define PROTO(fn, ptype)                                                   \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&fn), ptype),   \
                   #fn " does not have the prototype of the fact sheet")

/* Check at compile time that a typedef is exactly the given type. */
#define SAME_TYPE(t, u)                                                    \
    _Static_assert(__builtin_types_compatible_p(t, u),                     \
                   #t " is not " #u)

/* ------------------------------------------------------------------------
 * Basic types
 */

SAME_TYPE(mcd_bool_t, uint8_t);
SAME_TYPE(mcd_char_t, char);

SAME_TYPE(mcd_return_et, uint32_t);
SAME_TYPE(mcd_error_code_et, uint32_t);
SAME_TYPE(mcd_error_event_et, uint32_t);
SAME_TYPE(mcd_addr_space_type_et, uint32_t);
SAME_TYPE(mcd_mem_type_et, uint32_t);
SAME_TYPE(mcd_endian_et, uint32_t);
SAME_TYPE(mcd_reg_type_et, uint32_t);
SAME_TYPE(mcd_trig_type_et, uint32_t);
SAME_TYPE(mcd_trig_opt_et, uint32_t);
SAME_TYPE(mcd_trig_action_et, uint32_t);
SAME_TYPE(mcd_tx_access_type_et, uint32_t);
SAME_TYPE(mcd_tx_access_opt_et, uint32_t);
SAME_TYPE(mcd_core_step_type_et, uint32_t);
SAME_TYPE(mcd_core_state_et, uint32_t);
SAME_TYPE(mcd_core_event_et, uint32_t);
SAME_TYPE(mcd_chl_type_et, uint32_t);
SAME_TYPE(mcd_chl_attributes_et, uint32_t);
SAME_TYPE(mcd_trace_type_et, uint32_t);
SAME_TYPE(mcd_trace_format_et, uint32_t);
SAME_TYPE(mcd_trace_mode_et, uint32_t);
SAME_TYPE(mcd_trace_state_et, uint32_t);
SAME_TYPE(mcd_trace_marker_et, uint32_t);
SAME_TYPE(mcd_trace_cycle_et, uint32_t);

Test(mcd_api, basic_types)
{
    cr_expect_eq(sizeof(mcd_bool_t), 1, "sizeof(mcd_bool_t) is %zu",
                 sizeof(mcd_bool_t));
    cr_expect_eq(sizeof(mcd_char_t), 1, "sizeof(mcd_char_t) is %zu",
                 sizeof(mcd_char_t));
    cr_expect_eq(TRUE, 1);
    cr_expect_eq(FALSE, 0);
    ET_SIZE(mcd_return_et);
    ET_SIZE(mcd_error_code_et);
    ET_SIZE(mcd_error_event_et);
    ET_SIZE(mcd_addr_space_type_et);
    ET_SIZE(mcd_mem_type_et);
    ET_SIZE(mcd_endian_et);
    ET_SIZE(mcd_reg_type_et);
    ET_SIZE(mcd_trig_type_et);
    ET_SIZE(mcd_trig_opt_et);
    ET_SIZE(mcd_trig_action_et);
    ET_SIZE(mcd_tx_access_type_et);
    ET_SIZE(mcd_tx_access_opt_et);
    ET_SIZE(mcd_core_step_type_et);
    ET_SIZE(mcd_core_state_et);
    ET_SIZE(mcd_core_event_et);
    ET_SIZE(mcd_chl_type_et);
    ET_SIZE(mcd_chl_attributes_et);
    ET_SIZE(mcd_trace_type_et);
    ET_SIZE(mcd_trace_format_et);
    ET_SIZE(mcd_trace_mode_et);
    ET_SIZE(mcd_trace_state_et);
    ET_SIZE(mcd_trace_marker_et);
    ET_SIZE(mcd_trace_cycle_et);
}

/* ------------------------------------------------------------------------
 * Structures: sizes and field offsets (fact sheet section 4, bool8)
 */

Test(mcd_api, mcd_api_version_st_layout)
{
    SIZE(mcd_api_version_st, 36);
    FIELD(mcd_api_version_st, v_api_major, 0, 2);
    FIELD(mcd_api_version_st, v_api_minor, 2, 2);
    FIELD(mcd_api_version_st, author, 4, 32);
}

Test(mcd_api, mcd_impl_version_info_st_layout)
{
    SIZE(mcd_impl_version_info_st, 90);
    FIELD(mcd_impl_version_info_st, v_api, 0, 36);
    FIELD(mcd_impl_version_info_st, v_imp_major, 36, 2);
    FIELD(mcd_impl_version_info_st, v_imp_minor, 38, 2);
    FIELD(mcd_impl_version_info_st, v_imp_build, 40, 2);
    FIELD(mcd_impl_version_info_st, vendor, 42, 32);
    FIELD(mcd_impl_version_info_st, date, 74, 16);
}

Test(mcd_api, mcd_error_info_st_layout)
{
    SIZE(mcd_error_info_st, 268);
    FIELD(mcd_error_info_st, return_status, 0, 4);
    FIELD(mcd_error_info_st, error_code, 4, 4);
    FIELD(mcd_error_info_st, error_events, 8, 4);
    FIELD(mcd_error_info_st, error_str, 12, 256);
}

Test(mcd_api, mcd_server_info_st_layout)
{
    SIZE(mcd_server_info_st, 192);
    FIELD(mcd_server_info_st, server, 0, 64);
    FIELD(mcd_server_info_st, system_instance, 64, 64);
    FIELD(mcd_server_info_st, acc_hw, 128, 64);
}

Test(mcd_api, mcd_server_st_layout)
{
    SIZE(mcd_server_st, 24);
    FIELD(mcd_server_st, instance, 0, 8);
    FIELD(mcd_server_st, host, 8, 8);
    FIELD(mcd_server_st, config_string, 16, 8);
}

Test(mcd_api, mcd_core_con_info_st_layout)
{
    SIZE(mcd_core_con_info_st, 596);
    FIELD(mcd_core_con_info_st, host, 0, 64);
    FIELD(mcd_core_con_info_st, server_port, 64, 4);
    FIELD(mcd_core_con_info_st, server_key, 68, 64);
    FIELD(mcd_core_con_info_st, system_key, 132, 64);
    FIELD(mcd_core_con_info_st, device_key, 196, 64);
    FIELD(mcd_core_con_info_st, system, 260, 64);
    FIELD(mcd_core_con_info_st, system_instance, 324, 64);
    FIELD(mcd_core_con_info_st, acc_hw, 388, 64);
    FIELD(mcd_core_con_info_st, device_type, 452, 4);
    FIELD(mcd_core_con_info_st, device, 456, 64);
    FIELD(mcd_core_con_info_st, device_id, 520, 4);
    FIELD(mcd_core_con_info_st, core, 524, 64);
    FIELD(mcd_core_con_info_st, core_type, 588, 4);
    FIELD(mcd_core_con_info_st, core_id, 592, 4);
}

Test(mcd_api, mcd_core_st_layout)
{
    SIZE(mcd_core_st, 16);
    FIELD(mcd_core_st, instance, 0, 8);
    FIELD(mcd_core_st, core_con_info, 8, 8);
}

Test(mcd_api, mcd_core_mode_info_st_layout)
{
    SIZE(mcd_core_mode_info_st, 33);
    FIELD(mcd_core_mode_info_st, core_mode, 0, 1);
    FIELD(mcd_core_mode_info_st, name, 1, 32);
}

Test(mcd_api, mcd_addr_st_layout)
{
    SIZE(mcd_addr_st, 24);
    FIELD(mcd_addr_st, address, 0, 8);
    FIELD(mcd_addr_st, mem_space_id, 8, 4);
    FIELD(mcd_addr_st, addr_space_id, 12, 4);
    FIELD(mcd_addr_st, addr_space_type, 16, 4);
}

Test(mcd_api, mcd_memspace_st_layout)
{
    SIZE(mcd_memspace_st, 88);
    FIELD(mcd_memspace_st, mem_space_id, 0, 4);
    FIELD(mcd_memspace_st, mem_space_name, 4, 32);
    FIELD(mcd_memspace_st, mem_type, 36, 4);
    FIELD(mcd_memspace_st, bits_per_mau, 40, 4);
    FIELD(mcd_memspace_st, invariance, 44, 1);
    FIELD(mcd_memspace_st, endian, 48, 4);
    FIELD(mcd_memspace_st, min_addr, 56, 8);
    FIELD(mcd_memspace_st, max_addr, 64, 8);
    FIELD(mcd_memspace_st, num_mem_blocks, 72, 4);
    FIELD(mcd_memspace_st, supported_access_options, 76, 4);
    FIELD(mcd_memspace_st, core_mode_mask_read, 80, 4);
    FIELD(mcd_memspace_st, core_mode_mask_write, 84, 4);
}

Test(mcd_api, mcd_memblock_st_layout)
{
    SIZE(mcd_memblock_st, 112);
    FIELD(mcd_memblock_st, mem_block_id, 0, 4);
    FIELD(mcd_memblock_st, mem_block_name, 4, 32);
    FIELD(mcd_memblock_st, has_children, 36, 1);
    FIELD(mcd_memblock_st, parent_id, 40, 4);
    FIELD(mcd_memblock_st, start_addr, 48, 8);
    FIELD(mcd_memblock_st, end_addr, 56, 8);
    FIELD(mcd_memblock_st, endian, 64, 4);
    FIELD(mcd_memblock_st, supported_au_sizes, 68, 32);
    FIELD(mcd_memblock_st, supported_access_options, 100, 4);
    FIELD(mcd_memblock_st, core_mode_mask_read, 104, 4);
    FIELD(mcd_memblock_st, core_mode_mask_write, 108, 4);
}

Test(mcd_api, mcd_register_group_st_layout)
{
    SIZE(mcd_register_group_st, 40);
    FIELD(mcd_register_group_st, reg_group_id, 0, 4);
    FIELD(mcd_register_group_st, reg_group_name, 4, 32);
    FIELD(mcd_register_group_st, n_registers, 36, 4);
}

Test(mcd_api, mcd_register_info_st_layout)
{
    SIZE(mcd_register_info_st, 88);
    FIELD(mcd_register_info_st, addr, 0, 24);
    FIELD(mcd_register_info_st, reg_group_id, 24, 4);
    FIELD(mcd_register_info_st, regname, 28, 32);
    FIELD(mcd_register_info_st, regsize, 60, 4);
    FIELD(mcd_register_info_st, core_mode_mask_read, 64, 4);
    FIELD(mcd_register_info_st, core_mode_mask_write, 68, 4);
    FIELD(mcd_register_info_st, has_side_effects_read, 72, 1);
    FIELD(mcd_register_info_st, has_side_effects_write, 73, 1);
    FIELD(mcd_register_info_st, reg_type, 76, 4);
    FIELD(mcd_register_info_st, hw_thread_id, 80, 4);
}

Test(mcd_api, mcd_trig_info_st_layout)
{
    SIZE(mcd_trig_info_st, 28);
    FIELD(mcd_trig_info_st, type, 0, 4);
    FIELD(mcd_trig_info_st, option, 4, 4);
    FIELD(mcd_trig_info_st, action, 8, 4);
    FIELD(mcd_trig_info_st, trig_number, 12, 4);
    FIELD(mcd_trig_info_st, state_number, 16, 4);
    FIELD(mcd_trig_info_st, counter_number, 20, 4);
    FIELD(mcd_trig_info_st, sw_breakpoints, 24, 1);
}

Test(mcd_api, mcd_ctrig_info_st_layout)
{
    SIZE(mcd_ctrig_info_st, 260);
    FIELD(mcd_ctrig_info_st, ctrig_id, 0, 4);
    FIELD(mcd_ctrig_info_st, info_str, 4, 256);
}

Test(mcd_api, mcd_trig_complex_core_st_layout)
{
    SIZE(mcd_trig_complex_core_st, 112);
    FIELD(mcd_trig_complex_core_st, struct_size, 0, 4);
    FIELD(mcd_trig_complex_core_st, type, 4, 4);
    FIELD(mcd_trig_complex_core_st, option, 8, 4);
    FIELD(mcd_trig_complex_core_st, action, 12, 4);
    FIELD(mcd_trig_complex_core_st, action_param, 16, 4);
    FIELD(mcd_trig_complex_core_st, modified, 20, 1);
    FIELD(mcd_trig_complex_core_st, state_mask, 24, 4);
    FIELD(mcd_trig_complex_core_st, addr_start, 32, 24);
    FIELD(mcd_trig_complex_core_st, addr_range, 56, 8);
    FIELD(mcd_trig_complex_core_st, data_start, 64, 8);
    FIELD(mcd_trig_complex_core_st, data_range, 72, 8);
    FIELD(mcd_trig_complex_core_st, data_mask, 80, 8);
    FIELD(mcd_trig_complex_core_st, data_size, 88, 4);
    FIELD(mcd_trig_complex_core_st, hw_thread_id, 92, 4);
    FIELD(mcd_trig_complex_core_st, sw_thread_id, 96, 8);
    FIELD(mcd_trig_complex_core_st, core_mode_mask, 104, 4);
}

Test(mcd_api, mcd_trig_simple_core_st_layout)
{
    SIZE(mcd_trig_simple_core_st, 64);
    FIELD(mcd_trig_simple_core_st, struct_size, 0, 4);
    FIELD(mcd_trig_simple_core_st, type, 4, 4);
    FIELD(mcd_trig_simple_core_st, option, 8, 4);
    FIELD(mcd_trig_simple_core_st, action, 12, 4);
    FIELD(mcd_trig_simple_core_st, action_param, 16, 4);
    FIELD(mcd_trig_simple_core_st, modified, 20, 1);
    FIELD(mcd_trig_simple_core_st, state_mask, 24, 4);
    FIELD(mcd_trig_simple_core_st, addr_start, 32, 24);
    FIELD(mcd_trig_simple_core_st, addr_range, 56, 8);
}

Test(mcd_api, mcd_trig_trig_bus_st_layout)
{
    SIZE(mcd_trig_trig_bus_st, 36);
    FIELD(mcd_trig_trig_bus_st, struct_size, 0, 4);
    FIELD(mcd_trig_trig_bus_st, type, 4, 4);
    FIELD(mcd_trig_trig_bus_st, option, 8, 4);
    FIELD(mcd_trig_trig_bus_st, action, 12, 4);
    FIELD(mcd_trig_trig_bus_st, action_param, 16, 4);
    FIELD(mcd_trig_trig_bus_st, modified, 20, 1);
    FIELD(mcd_trig_trig_bus_st, state_mask, 24, 4);
    FIELD(mcd_trig_trig_bus_st, trig_bus_value, 28, 4);
    FIELD(mcd_trig_trig_bus_st, trig_bus_mask, 32, 4);
}

Test(mcd_api, mcd_trig_counter_st_layout)
{
    SIZE(mcd_trig_counter_st, 48);
    FIELD(mcd_trig_counter_st, struct_size, 0, 4);
    FIELD(mcd_trig_counter_st, type, 4, 4);
    FIELD(mcd_trig_counter_st, option, 8, 4);
    FIELD(mcd_trig_counter_st, action, 12, 4);
    FIELD(mcd_trig_counter_st, action_param, 16, 4);
    FIELD(mcd_trig_counter_st, modified, 20, 1);
    FIELD(mcd_trig_counter_st, state_mask, 24, 4);
    FIELD(mcd_trig_counter_st, count_value, 32, 8);
    FIELD(mcd_trig_counter_st, reload_value, 40, 8);
}

Test(mcd_api, mcd_trig_custom_st_layout)
{
    SIZE(mcd_trig_custom_st, 48);
    FIELD(mcd_trig_custom_st, struct_size, 0, 4);
    FIELD(mcd_trig_custom_st, type, 4, 4);
    FIELD(mcd_trig_custom_st, option, 8, 4);
    FIELD(mcd_trig_custom_st, action, 12, 4);
    FIELD(mcd_trig_custom_st, action_param, 16, 4);
    FIELD(mcd_trig_custom_st, modified, 20, 1);
    FIELD(mcd_trig_custom_st, state_mask, 24, 4);
    FIELD(mcd_trig_custom_st, ctrig_id, 28, 4);
    FIELD(mcd_trig_custom_st, ctrig_args, 32, 16);
}

Test(mcd_api, mcd_trig_state_st_layout)
{
    SIZE(mcd_trig_state_st, 24);
    FIELD(mcd_trig_state_st, active, 0, 1);
    FIELD(mcd_trig_state_st, captured, 1, 1);
    FIELD(mcd_trig_state_st, captured_valid, 2, 1);
    FIELD(mcd_trig_state_st, count_value, 8, 8);
    FIELD(mcd_trig_state_st, count_valid, 16, 1);
}

Test(mcd_api, mcd_trig_set_state_st_layout)
{
    SIZE(mcd_trig_set_state_st, 24);
    FIELD(mcd_trig_set_state_st, active, 0, 1);
    FIELD(mcd_trig_set_state_st, state, 4, 4);
    FIELD(mcd_trig_set_state_st, state_valid, 8, 1);
    FIELD(mcd_trig_set_state_st, trig_bus, 12, 4);
    FIELD(mcd_trig_set_state_st, trig_bus_valid, 16, 1);
    FIELD(mcd_trig_set_state_st, trace, 17, 1);
    FIELD(mcd_trig_set_state_st, trace_valid, 18, 1);
    FIELD(mcd_trig_set_state_st, analysis, 19, 1);
    FIELD(mcd_trig_set_state_st, analysis_valid, 20, 1);
}

Test(mcd_api, mcd_tx_st_layout)
{
    SIZE(mcd_tx_st, 56);
    FIELD(mcd_tx_st, addr, 0, 24);
    FIELD(mcd_tx_st, access_type, 24, 4);
    FIELD(mcd_tx_st, options, 28, 4);
    FIELD(mcd_tx_st, access_width, 32, 1);
    FIELD(mcd_tx_st, core_mode, 33, 1);
    FIELD(mcd_tx_st, data, 40, 8);
    FIELD(mcd_tx_st, num_bytes, 48, 4);
    FIELD(mcd_tx_st, num_bytes_ok, 52, 4);
}

Test(mcd_api, mcd_txlist_st_layout)
{
    SIZE(mcd_txlist_st, 16);
    FIELD(mcd_txlist_st, tx, 0, 8);
    FIELD(mcd_txlist_st, num_tx, 8, 4);
    FIELD(mcd_txlist_st, num_tx_ok, 12, 4);
}

Test(mcd_api, mcd_core_state_st_layout)
{
    SIZE(mcd_core_state_st, 528);
    FIELD(mcd_core_state_st, state, 0, 4);
    FIELD(mcd_core_state_st, event, 4, 4);
    FIELD(mcd_core_state_st, hw_thread_id, 8, 4);
    FIELD(mcd_core_state_st, trig_id, 12, 4);
    FIELD(mcd_core_state_st, stop_str, 16, 256);
    FIELD(mcd_core_state_st, info_str, 272, 256);
}

Test(mcd_api, mcd_rst_info_st_layout)
{
    SIZE(mcd_rst_info_st, 260);
    FIELD(mcd_rst_info_st, class_vector, 0, 4);
    FIELD(mcd_rst_info_st, info_str, 4, 256);
}

Test(mcd_api, mcd_chl_st_layout)
{
    SIZE(mcd_chl_st, 48);
    FIELD(mcd_chl_st, chl_id, 0, 4);
    FIELD(mcd_chl_st, type, 4, 4);
    FIELD(mcd_chl_st, attributes, 8, 4);
    FIELD(mcd_chl_st, max_msg_len, 12, 4);
    FIELD(mcd_chl_st, msg_buffer_addr, 16, 24);
    FIELD(mcd_chl_st, prio, 40, 1);
}

Test(mcd_api, mcd_trace_info_st_layout)
{
    SIZE(mcd_trace_info_st, 276);
    FIELD(mcd_trace_info_st, trace_id, 0, 4);
    FIELD(mcd_trace_info_st, trace_name, 4, 256);
    FIELD(mcd_trace_info_st, trace_type, 260, 4);
    FIELD(mcd_trace_info_st, trace_format, 264, 4);
    FIELD(mcd_trace_info_st, trace_modes, 268, 4);
    FIELD(mcd_trace_info_st, trace_no_timestamps, 272, 1);
    FIELD(mcd_trace_info_st, trace_shared, 273, 1);
    FIELD(mcd_trace_info_st, trace_size_is_bytes, 274, 1);
}

Test(mcd_api, mcd_trace_state_st_layout)
{
    SIZE(mcd_trace_state_st, 320);
    FIELD(mcd_trace_state_st, state, 0, 4);
    FIELD(mcd_trace_state_st, mode, 4, 4);
    FIELD(mcd_trace_state_st, autoarm, 8, 1);
    FIELD(mcd_trace_state_st, wraparound, 9, 1);
    FIELD(mcd_trace_state_st, frames, 16, 8);
    FIELD(mcd_trace_state_st, count, 24, 8);
    FIELD(mcd_trace_state_st, size, 32, 8);
    FIELD(mcd_trace_state_st, trigger_delay, 40, 8);
    FIELD(mcd_trace_state_st, timestamp_accuracy, 48, 1);
    FIELD(mcd_trace_state_st, timestamp_is_time, 49, 1);
    FIELD(mcd_trace_state_st, options, 52, 4);
    FIELD(mcd_trace_state_st, modified, 56, 1);
    FIELD(mcd_trace_state_st, info_str, 57, 256);
}

Test(mcd_api, mcd_trace_data_core_st_layout)
{
    SIZE(mcd_trace_data_core_st, 56);
    FIELD(mcd_trace_data_core_st, timestamp, 0, 8);
    FIELD(mcd_trace_data_core_st, marker, 8, 4);
    FIELD(mcd_trace_data_core_st, cycle, 12, 4);
    FIELD(mcd_trace_data_core_st, addr, 16, 24);
    FIELD(mcd_trace_data_core_st, data, 40, 8);
    FIELD(mcd_trace_data_core_st, data_width, 48, 1);
    FIELD(mcd_trace_data_core_st, data_mask, 49, 1);
    FIELD(mcd_trace_data_core_st, source, 50, 2);
    FIELD(mcd_trace_data_core_st, aux_info, 52, 4);
}

Test(mcd_api, mcd_trace_data_event_st_layout)
{
    SIZE(mcd_trace_data_event_st, 48);
    FIELD(mcd_trace_data_event_st, timestamp, 0, 8);
    FIELD(mcd_trace_data_event_st, marker, 8, 4);
    FIELD(mcd_trace_data_event_st, data, 12, 32);
}

Test(mcd_api, mcd_trace_data_stat_st_layout)
{
    SIZE(mcd_trace_data_stat_st, 80);
    FIELD(mcd_trace_data_stat_st, timestamp, 0, 8);
    FIELD(mcd_trace_data_stat_st, marker, 8, 4);
    FIELD(mcd_trace_data_stat_st, count, 16, 64);
}

/* ------------------------------------------------------------------------
 * Constants (fact sheet sections 2 and 3)
 */

Test(mcd_api, defines)
{
    cr_expect_str_eq(MCD_API_VER_AUTHOR, "SPRINT Release");
    CONST(MCD_API_VER_MAJOR, 1);
    CONST(MCD_API_VER_MINOR, 1);
    CONST(MCD_API_VER_BUILD, 150);
    CONST(MCD_HOSTNAME_LEN, 64);
    CONST(MCD_REG_NAME_LEN, 32);
    CONST(MCD_MEM_SPACE_NAME_LEN, 32);
    CONST(MCD_MEM_BLOCK_NAME_LEN, 32);
    CONST(MCD_MEM_BLOCK_NOPARENT, 0);
    CONST(MCD_MEM_AUSIZE_NUM, 8);
    CONST(MCD_INFO_STR_LEN, 256);
    CONST(MCD_KEY_LEN, 64);
    CONST(MCD_UNIQUE_NAME_LEN, 64);
    CONST(MCD_MAX_TRIGS, 32);
    CONST(MCD_API_IMP_VENDOR_LEN, 32);
    CONST(MCD_CHL_NUM_MAX, 32);
    CONST(MCD_CHL_LOWEST_PRIORITY, 15);
    CONST(MCD_TX_NUM_MAX, 64);
    CONST(MCD_GUARANTEED_MIN_PAYLOAD, 16384);
    CONST(MCD_CORE_MODE_NAME_LEN, 32);
}

Test(mcd_api, return_and_error_codes)
{
    /* mcd_return_et */
    CONST(MCD_RET_ACT_NONE, 0x00000000);
    CONST(MCD_RET_ACT_AGAIN, 0x00000001);
    CONST(MCD_RET_ACT_HANDLE_EVENT, 0x00000002);
    CONST(MCD_RET_ACT_HANDLE_ERROR, 0x00000003);
    CONST(MCD_RET_ACT_RESERVED_LO, 0x00000004);
    CONST(MCD_RET_ACT_RESERVED_HI, 0x00008000);
    CONST(MCD_RET_ACT_CUSTOM_LO, 0x00010000);
    CONST(MCD_RET_ACT_CUSTOM_HI, 0x40000000);
    /* mcd_error_code_et */
    CONST(MCD_ERR_NONE, 0);
    CONST(MCD_ERR_FN_UNIMPLEMENTED, 0x0100);
    CONST(MCD_ERR_USAGE, 0x0101);
    CONST(MCD_ERR_PARAM, 0x0102);
    CONST(MCD_ERR_CONNECTION, 0x0200);
    CONST(MCD_ERR_TIMED_OUT, 0x0201);
    CONST(MCD_ERR_GENERAL, 0x0F00);
    CONST(MCD_ERR_RESULT_TOO_LONG, 0x1000);
    CONST(MCD_ERR_COULD_NOT_START_SERVER, 0x1100);
    CONST(MCD_ERR_SERVER_LOCKED, 0x1101);
    CONST(MCD_ERR_NO_MEM_SPACES, 0x1401);
    CONST(MCD_ERR_NO_MEM_BLOCKS, 0x1402);
    CONST(MCD_ERR_MEM_SPACE_ID, 0x1410);
    CONST(MCD_ERR_NO_REG_GROUPS, 0x1440);
    CONST(MCD_ERR_REG_GROUP_ID, 0x1441);
    CONST(MCD_ERR_REG_NOT_COMPOUND, 0x1442);
    CONST(MCD_ERR_OVERLAYS, 0x1500);
    CONST(MCD_ERR_DEVICE_ACCESS, 0x1900);
    CONST(MCD_ERR_DEVICE_LOCKED, 0x1901);
    CONST(MCD_ERR_TXLIST_READ, 0x2100);
    CONST(MCD_ERR_TXLIST_WRITE, 0x2101);
    CONST(MCD_ERR_TXLIST_TX, 0x2102);
    CONST(MCD_ERR_CHL_TYPE_NOT_SUPPORTED, 0x3100);
    CONST(MCD_ERR_CHL_TARGET_NOT_SUPPORTED, 0x3101);
    CONST(MCD_ERR_CHL_SETUP, 0x3102);
    CONST(MCD_ERR_CHL_MESSAGE_FAILED, 0x3140);
    CONST(MCD_ERR_TRIG_CREATE, 0x3200);
    CONST(MCD_ERR_TRIG_ACCESS, 0x3201);
    CONST(MCD_ERR_CUSTOM_LO, 0x10000000);
    CONST(MCD_ERR_CUSTOM_HI, 0x7FFFFFFF);
    /* mcd_error_event_et */
    CONST(MCD_ERR_EVT_NONE, 0x00000000);
    CONST(MCD_ERR_EVT_RESET, 0x00000001);
    CONST(MCD_ERR_EVT_PWRDN, 0x00000002);
    CONST(MCD_ERR_EVT_HWFAILURE, 0x00000004);
    CONST(MCD_ERR_EVT_RESERVED_LO, 0x00000008);
    CONST(MCD_ERR_EVT_RESERVED_HI, 0x00008000);
    CONST(MCD_ERR_EVT_CUSTOM_LO, 0x00010000);
    CONST(MCD_ERR_EVT_CUSTOM_HI, 0x40000000);
}

Test(mcd_api, memory_and_register_enums)
{
    /* mcd_addr_space_type_et */
    CONST(MCD_NOTUSED_ID, 0);
    CONST(MCD_OVERLAY_ID, 1);
    CONST(MCD_MEMBANK_ID, 2);
    CONST(MCD_PROCESS_ID, 3);
    CONST(MCD_HW_THREAD_ID, 4);
    /* mcd_mem_type_et */
    CONST(MCD_MEM_SPACE_DEFAULT, 0x00000000);
    CONST(MCD_MEM_SPACE_IS_REGISTERS, 0x00000001);
    CONST(MCD_MEM_SPACE_IS_PROGRAM, 0x00000002);
    CONST(MCD_MEM_SPACE_IS_VIRTUAL, 0x00000004);
    CONST(MCD_MEM_SPACE_IS_CACHE, 0x00000008);
    CONST(MCD_MEM_SPACE_IS_PHYSICAL, 0x00000010);
    CONST(MCD_MEM_SPACE_IS_LOGICAL, 0x00000020);
    CONST(MCD_MEM_SPACE_RESERVED_LO, 0x00000040);
    CONST(MCD_MEM_SPACE_RESERVED_HI, 0x00008000);
    CONST(MCD_MEM_SPACE_CUSTOM_LO, 0x00010000);
    CONST(MCD_MEM_SPACE_CUSTOM_HI, 0x40000000);
    /* mcd_endian_et */
    CONST(MCD_ENDIAN_DEFAULT, 0);
    CONST(MCD_ENDIAN_LITTLE, 1);
    CONST(MCD_ENDIAN_BIG, 2);
    /* mcd_reg_type_et */
    CONST(MCD_REG_TYPE_SIMPLE, 0);
    CONST(MCD_REG_TYPE_COMPOUND, 1);
    CONST(MCD_REG_TYPE_PARTIAL, 2);
}

Test(mcd_api, trigger_enums)
{
    /* mcd_trig_type_et */
    CONST(MCD_TRIG_TYPE_UNDEFINED, 0x00000000);
    CONST(MCD_TRIG_TYPE_IP, 0x00000001);
    CONST(MCD_TRIG_TYPE_READ, 0x00000002);
    CONST(MCD_TRIG_TYPE_WRITE, 0x00000004);
    CONST(MCD_TRIG_TYPE_RW, 0x00000008);
    CONST(MCD_TRIG_TYPE_NOCYCLE, 0x00000010);
    CONST(MCD_TRIG_TYPE_TRIG_BUS, 0x00000020);
    CONST(MCD_TRIG_TYPE_COUNTER, 0x00000040);
    CONST(MCD_TRIG_TYPE_CUSTOM, 0x00000080);
    CONST(MCD_TRIG_TYPE_CUSTOM_LO, 0x00010000);
    CONST(MCD_TRIG_TYPE_CUSTOM_HI, 0x40000000);
    /* mcd_trig_opt_et */
    CONST(MCD_TRIG_OPT_DEFAULT, 0x00000000);
    CONST(MCD_TRIG_OPT_IMPL_HARDWARE, 0x00000001);
    CONST(MCD_TRIG_OPT_IMPL_SOFTWARE, 0x00000002);
    CONST(MCD_TRIG_OPT_OUT_OF_RANGE, 0x00000004);
    CONST(MCD_TRIG_OPT_DATA_IS_CONDITION, 0x00000008);
    CONST(MCD_TRIG_OPT_DATASIZE_IS_CONDITION, 0x00000010);
    CONST(MCD_TRIG_OPT_NOT_DATA, 0x00000020);
    CONST(MCD_TRIG_OPT_SIGNED_DATA, 0x00000040);
    CONST(MCD_TRIG_OPT_HW_THREAD_IS_CONDITION, 0x00000080);
    CONST(MCD_TRIG_OPT_NOT_HW_THREAD, 0x00000100);
    CONST(MCD_TRIG_OPT_SW_THREAD_IS_CONDITION, 0x00000200);
    CONST(MCD_TRIG_OPT_NOT_SW_THREAD, 0x00000400);
    CONST(MCD_TRIG_OPT_DATA_MUST_CHANGE, 0x00000800);
    CONST(MCD_TRIG_OPT_CORE_MODE_IS_CONDITION, 0x00020000);
    CONST(MCD_TRIG_OPT_STATE_IS_CONDITION, 0x00040000);
    CONST(MCD_TRIG_OPT_NOT, 0x00080000);
    CONST(MCD_TRIG_OPT_CUSTOM_LO, 0x00100000);
    CONST(MCD_TRIG_OPT_CUSTOM_HI, 0x40000000);
    /* mcd_trig_action_et */
    CONST(MCD_TRIG_ACTION_DEFAULT, 0x00000000);
    CONST(MCD_TRIG_ACTION_DBG_DEBUG, 0x00000001);
    CONST(MCD_TRIG_ACTION_DBG_GLOBAL, 0x00000002);
    CONST(MCD_TRIG_ACTION_DBG_MONITOR, 0x00000004);
    CONST(MCD_TRIG_ACTION_TRIG_BUS_EVENT, 0x00000010);
    CONST(MCD_TRIG_ACTION_TRIG_BUS_SET, 0x00000020);
    CONST(MCD_TRIG_ACTION_TRIG_BUS_CLEAR, 0x00000040);
    CONST(MCD_TRIG_ACTION_TRACE_QUALIFY, 0x00000100);
    CONST(MCD_TRIG_ACTION_TRACE_QUALIFY_PROGRAM, 0x00000200);
    CONST(MCD_TRIG_ACTION_TRACE_QUALIFY_DATA, 0x00000400);
    CONST(MCD_TRIG_ACTION_TRACE_START, 0x00000800);
    CONST(MCD_TRIG_ACTION_TRACE_STOP, 0x00001000);
    CONST(MCD_TRIG_ACTION_TRACE_TRIGGER, 0x00002000);
    CONST(MCD_TRIG_ACTION_ANA_START_PERFM, 0x00010000);
    CONST(MCD_TRIG_ACTION_ANA_STOP_PERFM, 0x00020000);
    CONST(MCD_TRIG_ACTION_STATE_CHANGE, 0x00040000);
    CONST(MCD_TRIG_ACTION_COUNT_QUALIFY, 0x00080000);
    CONST(MCD_TRIG_ACTION_COUNT_START, 0x00100000);
    CONST(MCD_TRIG_ACTION_COUNT_STOP, 0x00200000);
    CONST(MCD_TRIG_ACTION_COUNT_RESTART, 0x00400000);
    CONST(MCD_TRIG_ACTION_CUSTOM_LO, 0x01000000);
    CONST(MCD_TRIG_ACTION_CUSTOM_HI, 0x40000000);
}

Test(mcd_api, transaction_enums)
{
    /* mcd_tx_access_type_et */
    CONST(MCD_TX_AT_R, 0x1);
    CONST(MCD_TX_AT_W, 0x2);
    CONST(MCD_TX_AT_RW, 0x3);
    CONST(MCD_TX_AT_WR, 0x4);
    /* mcd_tx_access_opt_et */
    CONST(MCD_TX_OPT_DEFAULT, 0x00000000);
    CONST(MCD_TX_OPT_SIDE_EFFECTS, 0x00000001);
    CONST(MCD_TX_OPT_NO_SIDE_EFFECTS, 0x00000002);
    CONST(MCD_TX_OPT_BURST_ACCESSES, 0x00000004);
    CONST(MCD_TX_OPT_NO_BURST_ACCESSES, 0x00000008);
    CONST(MCD_TX_OPT_ALTERNATE_PATH, 0x00000010);
    CONST(MCD_TX_OPT_PRIORITY_ACCESS, 0x00000020);
    CONST(MCD_TX_OPT_DCACHE_WRITE_THRU, 0x00000040);
    CONST(MCD_TX_OPT_CACHE_BYPASS, 0x00000080);
    CONST(MCD_TX_OPT_NOINCREMENT, 0x00000100);
    CONST(MCD_TX_OPT_ATOMIC_WITH_NEXT, 0x00000200);
    CONST(MCD_TX_OPT_RESERVED_LO, 0x00000400);
    CONST(MCD_TX_OPT_RESERVED_HI, 0x00008000);
    CONST(MCD_TX_OPT_CUSTOM_LO, 0x00010000);
    CONST(MCD_TX_OPT_CUSTOM_HI, 0x40000000);
}

Test(mcd_api, core_step_state_event_enums)
{
    /* mcd_core_step_type_et */
    CONST(MCD_CORE_STEP_TYPE_CYCLES, 0x1);
    CONST(MCD_CORE_STEP_TYPE_INSTR, 0x2);
    CONST(MCD_CORE_STEP_TYPE_RESERVED_LO, 0x4);
    CONST(MCD_CORE_STEP_TYPE_RESERVED_HI, 0xFF);
    CONST(MCD_CORE_STEP_TYPE_CUSTOM_LO, 0x100);
    CONST(MCD_CORE_STEP_TYPE_CUSTOM_HI, 0xF00);
    CONST(MCD_CORE_STEP_TYPE_MAX_TYPES, 0x7FFFFFFF);
    /* mcd_core_state_et */
    CONST(MCD_CORE_STATE_UNKNOWN, 0x0);
    CONST(MCD_CORE_STATE_RUNNING, 0x1);
    CONST(MCD_CORE_STATE_HALTED, 0x2);
    CONST(MCD_CORE_STATE_DEBUG, 0x3);
    CONST(MCD_CORE_STATE_CUSTOM_LO, 0x100);
    CONST(MCD_CORE_STATE_CUSTOM_HI, 0x800);
    CONST(MCD_CORE_STATE_MAX_STATES, 0x7FFFFFFF);
    /* mcd_core_event_et */
    CONST(MCD_CORE_EVENT_NONE, 0x0);
    CONST(MCD_CORE_EVENT_MEMORY_CHANGE, 0x1);
    CONST(MCD_CORE_EVENT_REGISTER_CHANGE, 0x2);
    CONST(MCD_CORE_EVENT_TRACE_CHANGE, 0x4);
    CONST(MCD_CORE_EVENT_TRIGGER_CHANGE, 0x8);
    CONST(MCD_CORE_EVENT_STOPPED, 0x10);
    CONST(MCD_CORE_EVENT_CHL_PENDING, 0x20);
    CONST(MCD_CORE_EVENT_CUSTOM_LO, 0x00010000);
    CONST(MCD_CORE_EVENT_CUSTOM_HI, 0x40000000);
}

Test(mcd_api, channel_enums)
{
    /* mcd_chl_type_et */
    CONST(MCD_CHL_TYPE_COMMON, 0x1);
    CONST(MCD_CHL_TYPE_CONFIG, 0x2);
    CONST(MCD_CHL_TYPE_APPLI, 0x3);
    CONST(MCD_CHL_TYPE_CUSTOM_LO, 0x100);
    CONST(MCD_CHL_TYPE_CUSTOM_HI, 0xF00);
    /* mcd_chl_attributes_et */
    CONST(MCD_CHL_AT_RCV, 0x1);
    CONST(MCD_CHL_AT_SND, 0x2);
    CONST(MCD_CHL_AT_MEM_MAPPED, 0x40);
    CONST(MCD_CHL_AT_HAS_PRIO, 0x800);
}

Test(mcd_api, trace_enums)
{
    /* mcd_trace_type_et */
    CONST(MCD_TRACE_TYPE_UNKNOWN, 0x0);
    CONST(MCD_TRACE_TYPE_CORE, 0x1);
    CONST(MCD_TRACE_TYPE_BUS, 0x2);
    CONST(MCD_TRACE_TYPE_EVENT, 0x4);
    CONST(MCD_TRACE_TYPE_STAT, 0x8);
    CONST(MCD_TRACE_TYPE_CUSTOM_LO, 0x100);
    CONST(MCD_TRACE_TYPE_CUSTOM_HI, 0x40000000);
    /* mcd_trace_format_et */
    CONST(MCD_TRACE_FORMAT_UNKNOWN, 0x0);
    CONST(MCD_TRACE_FORMAT_CORE_FETCH, 0x1);
    CONST(MCD_TRACE_FORMAT_CORE_EXECUTE, 0x2);
    CONST(MCD_TRACE_FORMAT_CORE_FLOW_ICOUNT, 0x3);
    CONST(MCD_TRACE_FORMAT_CORE_FLOW_BCOUNT, 0x4);
    CONST(MCD_TRACE_FORMAT_CORE_FLOW_IPREDICATE, 0x5);
    CONST(MCD_TRACE_FORMAT_EVENT, 0x10);
    CONST(MCD_TRACE_FORMAT_STAT, 0x20);
    CONST(MCD_TRACE_FORMAT_CUSTOM_LO, 0x100);
    CONST(MCD_TRACE_FORMAT_CUSTOM_HI, 0x7FFFFFFF);
    /* mcd_trace_mode_et */
    CONST(MCD_TRACE_MODE_NOCHANGE, 0x0);
    CONST(MCD_TRACE_MODE_FIFO, 0x1);
    CONST(MCD_TRACE_MODE_STACK, 0x2);
    CONST(MCD_TRACE_MODE_LEACH, 0x4);
    CONST(MCD_TRACE_MODE_PIPE, 0x8);
    CONST(MCD_TRACE_MODE_CUSTOM_LO, 0x100);
    CONST(MCD_TRACE_MODE_CUSTOM_HI, 0x40000000);
    /* mcd_trace_state_et */
    CONST(MCD_TRACE_STATE_NOCHANGE, 0x0);
    CONST(MCD_TRACE_STATE_DISABLE, 0x1);
    CONST(MCD_TRACE_STATE_OFF, 0x2);
    CONST(MCD_TRACE_STATE_ARM, 0x3);
    CONST(MCD_TRACE_STATE_TRIGGER, 0x4);
    CONST(MCD_TRACE_STATE_STOP, 0x5);
    CONST(MCD_TRACE_STATE_INIT, 0x10);
    CONST(MCD_TRACE_STATE_CUSTOM_LO, 0x100);
    CONST(MCD_TRACE_STATE_CUSTOM_HI, 0x7FFFFFFF);
    /* mcd_trace_marker_et */
    CONST(MCD_TRACE_MARKER_NONE, 0x0);
    CONST(MCD_TRACE_MARKER_RUN, 0x1);
    CONST(MCD_TRACE_MARKER_DEBUG, 0x2);
    CONST(MCD_TRACE_MARKER_START, 0x4);
    CONST(MCD_TRACE_MARKER_STOP, 0x8);
    CONST(MCD_TRACE_MARKER_ERROR, 0x10);
    CONST(MCD_TRACE_MARKER_GAP, 0x20);
    CONST(MCD_TRACE_MARKER_CUSTOM_LO, 0x100);
    CONST(MCD_TRACE_MARKER_CUSTOM_HI, 0x40000000);
    /* mcd_trace_cycle_et */
    CONST(MCD_TRACE_CYCLE_UNKNOWN, 0x0);
    CONST(MCD_TRACE_CYCLE_NONE, 0x1);
    CONST(MCD_TRACE_CYCLE_EXECUTE, 0x2);
    CONST(MCD_TRACE_CYCLE_NOTEXECUTE, 0x3);
    CONST(MCD_TRACE_CYCLE_FETCH, 0x4);
    CONST(MCD_TRACE_CYCLE_READ, 0x5);
    CONST(MCD_TRACE_CYCLE_WRITE, 0x6);
    CONST(MCD_TRACE_CYCLE_OWNERSHIP, 0x7);
    CONST(MCD_TRACE_CYCLE_CUSTOM_LO, 0x100);
    CONST(MCD_TRACE_CYCLE_CUSTOM_HI, 0x7FFFFFFF);
}

/* ------------------------------------------------------------------------
 * Prototypes of the 54 functions, in API order (fact sheet section 5).
 * __typeof__ of a function designator needs only its declaration, so no
 * implementation has to be linked. Parameter constness is part of the
 * checked type.
 */

PROTO(mcd_initialize_f,
      mcd_return_et (*)(const mcd_api_version_st *,
                        mcd_impl_version_info_st *));
PROTO(mcd_exit_f, void (*)(void));
PROTO(mcd_qry_servers_f,
      mcd_return_et (*)(const mcd_char_t *, mcd_bool_t, uint32_t, uint32_t *,
                        mcd_server_info_st *));
PROTO(mcd_open_server_f,
      mcd_return_et (*)(const mcd_char_t *, const mcd_char_t *,
                        mcd_server_st **));
PROTO(mcd_close_server_f, mcd_return_et (*)(const mcd_server_st *));
PROTO(mcd_set_server_config_f,
      mcd_return_et (*)(const mcd_server_st *, const mcd_char_t *));
PROTO(mcd_qry_server_config_f,
      mcd_return_et (*)(const mcd_server_st *, uint32_t *, mcd_char_t *));
PROTO(mcd_qry_systems_f,
      mcd_return_et (*)(uint32_t, uint32_t *, mcd_core_con_info_st *));
PROTO(mcd_qry_devices_f,
      mcd_return_et (*)(const mcd_core_con_info_st *, uint32_t, uint32_t *,
                        mcd_core_con_info_st *));
PROTO(mcd_qry_cores_f,
      mcd_return_et (*)(const mcd_core_con_info_st *, uint32_t, uint32_t *,
                        mcd_core_con_info_st *));
PROTO(mcd_qry_core_modes_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t *,
                        mcd_core_mode_info_st *));
PROTO(mcd_open_core_f,
      mcd_return_et (*)(const mcd_core_con_info_st *, mcd_core_st **));
PROTO(mcd_close_core_f, mcd_return_et (*)(const mcd_core_st *));
PROTO(mcd_qry_error_info_f, void (*)(const mcd_core_st *, mcd_error_info_st *));
PROTO(mcd_qry_device_description_f,
      mcd_return_et (*)(const mcd_core_st *, mcd_char_t *, uint32_t *));
PROTO(mcd_qry_max_payload_size_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t *));
PROTO(mcd_qry_input_handle_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t *));
PROTO(mcd_qry_mem_spaces_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t *,
                        mcd_memspace_st *));
PROTO(mcd_qry_mem_blocks_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t, uint32_t *,
                        mcd_memblock_st *));
PROTO(mcd_qry_active_overlays_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t *, uint32_t *));
PROTO(mcd_qry_reg_groups_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t *,
                        mcd_register_group_st *));
PROTO(mcd_qry_reg_map_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t, uint32_t *,
                        mcd_register_info_st *));
PROTO(mcd_qry_reg_compound_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t, uint32_t *,
                        uint32_t *));
PROTO(mcd_qry_trig_info_f,
      mcd_return_et (*)(const mcd_core_st *, mcd_trig_info_st *));
PROTO(mcd_qry_ctrigs_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t *,
                        mcd_ctrig_info_st *));
PROTO(mcd_create_trig_f,
      mcd_return_et (*)(const mcd_core_st *, void *, uint32_t *));
PROTO(mcd_qry_trig_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t, void *));
PROTO(mcd_remove_trig_f, mcd_return_et (*)(const mcd_core_st *, uint32_t));
PROTO(mcd_qry_trig_state_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, mcd_trig_state_st *));
PROTO(mcd_activate_trig_set_f, mcd_return_et (*)(const mcd_core_st *));
PROTO(mcd_remove_trig_set_f, mcd_return_et (*)(const mcd_core_st *));
PROTO(mcd_qry_trig_set_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t *, uint32_t *));
PROTO(mcd_qry_trig_set_state_f,
      mcd_return_et (*)(const mcd_core_st *, mcd_trig_set_state_st *));
PROTO(mcd_execute_txlist_f,
      mcd_return_et (*)(const mcd_core_st *, mcd_txlist_st *));
PROTO(mcd_run_f, mcd_return_et (*)(const mcd_core_st *, mcd_bool_t));
PROTO(mcd_stop_f, mcd_return_et (*)(const mcd_core_st *, mcd_bool_t));
PROTO(mcd_run_until_f,
      mcd_return_et (*)(const mcd_core_st *, mcd_bool_t, mcd_bool_t, uint64_t));
PROTO(mcd_qry_current_time_f,
      mcd_return_et (*)(const mcd_core_st *, uint64_t *));
PROTO(mcd_step_f,
      mcd_return_et (*)(const mcd_core_st *, mcd_bool_t, mcd_core_step_type_et,
                        uint32_t));
PROTO(mcd_set_global_f, mcd_return_et (*)(const mcd_core_st *, mcd_bool_t));
PROTO(mcd_qry_state_f,
      mcd_return_et (*)(const mcd_core_st *, mcd_core_state_st *));
PROTO(mcd_execute_command_f,
      mcd_return_et (*)(const mcd_core_st *, const mcd_char_t *, uint32_t,
                        mcd_char_t *));
PROTO(mcd_qry_rst_classes_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t *));
PROTO(mcd_qry_rst_class_info_f,
      mcd_return_et (*)(const mcd_core_st *, uint8_t, mcd_rst_info_st *));
PROTO(mcd_rst_f, mcd_return_et (*)(const mcd_core_st *, uint32_t, mcd_bool_t));
PROTO(mcd_chl_open_f, mcd_return_et (*)(const mcd_core_st *, mcd_chl_st *));
PROTO(mcd_send_msg_f,
      mcd_return_et (*)(const mcd_core_st *, const mcd_chl_st *, uint32_t,
                        const uint8_t *));
PROTO(mcd_receive_msg_f,
      mcd_return_et (*)(const mcd_core_st *, const mcd_chl_st *, uint32_t,
                        uint32_t *, uint8_t *));
PROTO(mcd_chl_reset_f,
      mcd_return_et (*)(const mcd_core_st *, const mcd_chl_st *));
PROTO(mcd_chl_close_f,
      mcd_return_et (*)(const mcd_core_st *, const mcd_chl_st *));
PROTO(mcd_qry_traces_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint32_t *,
                        mcd_trace_info_st *));
PROTO(mcd_qry_trace_state_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, mcd_trace_state_st *));
PROTO(mcd_set_trace_state_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, mcd_trace_state_st *));
PROTO(mcd_read_trace_f,
      mcd_return_et (*)(const mcd_core_st *, uint32_t, uint64_t, uint32_t *,
                        uint32_t, void *));
