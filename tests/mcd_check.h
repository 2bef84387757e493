/*
 * CHECK(core, call): fail the running Criterion test with the MCD error of
 * @call (its return code, and mcd_qry_error_info_f()'s code and message
 * for @core) unless it returned MCD_RET_ACT_NONE.  For the tests that
 * drive libmcdshm through the public API; include after criterion.h.
 */
#ifndef MCDSHM_TESTS_MCD_CHECK_H
#define MCDSHM_TESTS_MCD_CHECK_H

#include "mcd/mcd_api.h"

#define CHECK(core, call)                                          \
    do {                                                           \
        mcd_return_et r_ = (call);                                 \
        if (r_ != MCD_RET_ACT_NONE) {                              \
            mcd_error_info_st e_;                                  \
            mcd_qry_error_info_f((core), &e_);                     \
            cr_assert_fail("%s: ret %u error 0x%x: %s", #call, r_, \
                           e_.error_code, e_.error_str);           \
        }                                                          \
    } while (0)

#endif /* MCDSHM_TESTS_MCD_CHECK_H */
