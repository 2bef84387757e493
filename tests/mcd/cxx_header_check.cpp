/*
 * cxx_header_check.cpp - include/mcd/mcd_api.h seen from C++.
 *
 * Only compiled (-fsyntax-only), never linked: it shows that the header,
 * with its extern "C" block, parses as C++11, and that a C++ compiler gives
 * the structures, constants and function types the same figures as the C
 * test does (fact sheet spec/mcd-api.md, x86_64, 1-byte mcd_bool_t).
 */

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "mcd/mcd_api.h"

static_assert(sizeof(mcd_bool_t) == 1, "mcd_bool_t is one byte");
static_assert(sizeof(mcd_return_et) == 4, "mcd_return_et is 4 bytes");
static_assert(std::is_same<mcd_core_step_type_et, uint32_t>::value,
              "mcd_core_step_type_et is uint32_t");

static_assert(sizeof(mcd_api_version_st) == 36, "mcd_api_version_st");
static_assert(sizeof(mcd_core_con_info_st) == 596, "mcd_core_con_info_st");
static_assert(sizeof(mcd_register_info_st) == 88, "mcd_register_info_st");
static_assert(offsetof(mcd_register_info_st, has_side_effects_write) == 73,
              "mcd_register_info_st.has_side_effects_write");
static_assert(sizeof(mcd_trig_complex_core_st) == 112,
              "mcd_trig_complex_core_st");
static_assert(sizeof(mcd_trig_state_st) == 24, "mcd_trig_state_st");
static_assert(sizeof(mcd_trig_set_state_st) == 24, "mcd_trig_set_state_st");
static_assert(sizeof(mcd_tx_st) == 56, "mcd_tx_st");
static_assert(offsetof(mcd_tx_st, data) == 40, "mcd_tx_st.data");
static_assert(sizeof(mcd_trace_info_st) == 276, "mcd_trace_info_st");
static_assert(sizeof(mcd_trace_state_st) == 320, "mcd_trace_state_st");
static_assert(offsetof(mcd_trace_state_st, info_str) == 57,
              "mcd_trace_state_st.info_str");

static_assert(std::is_same<decltype(&mcd_step_f),
                           mcd_return_et (*)(const mcd_core_st *, mcd_bool_t,
                                             mcd_core_step_type_et,
                                             uint32_t)>::value,
              "mcd_step_f prototype");
typedef mcd_return_et (*initialize_fn)(const mcd_api_version_st *,
                                       mcd_impl_version_info_st *);
static_assert(std::is_same<decltype(&mcd_initialize_f), initialize_fn>::value,
              "mcd_initialize_f prototype");
static_assert(std::is_same<decltype(&mcd_qry_error_info_f),
                           void (*)(const mcd_core_st *,
                                    mcd_error_info_st *)>::value,
              "mcd_qry_error_info_f prototype");
static_assert(std::is_same<decltype(&mcd_exit_f), void (*)(void)>::value,
              "mcd_exit_f prototype");

static_assert(MCD_ERR_TXLIST_READ == 0x2100, "MCD_ERR_TXLIST_READ");
static_assert(MCD_CORE_STEP_TYPE_MAX_TYPES == 0x7FFFFFFF,
              "MCD_CORE_STEP_TYPE_MAX_TYPES");
