/*
 * A minimal stand-in for <criterion/criterion.h>, used only by the
 * ThreadSanitizer build.
 *
 * Criterion 2.4 cannot start under TSan: its inheritable arena is mapped
 * where TSan keeps its shadow memory (Criterion issue #274, open).  The
 * tests labelled "tsan" are therefore compiled against this header, which
 * provides the subset of Criterion they use with the same meaning: each
 * test runs in its own forked process with its suite's init/fini and a
 * timeout; a failed assertion ends the test; cr_skip_test() skips it.  The
 * summary line has Criterion's format.
 */
#ifndef MCDSHM_TESTS_CRITERION_LITE_H
#define MCDSHM_TESTS_CRITERION_LITE_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LITE_SKIP_STATUS 77

struct lite_suite {
    const char *name;
    void (*init)(void);
    void (*fini)(void);
    int timeout;
    struct lite_suite *next;
};

struct lite_test {
    const char *suite;
    const char *name;
    void (*fn)(void);
    int timeout;
    void (*init)(void);
    void (*fini)(void);
    struct lite_test *next;
};

static struct lite_test *lite_tests;
static struct lite_suite *lite_suites;

#define TestSuite(s, ...)                                                 \
    static struct lite_suite lite_suite_##s = { .name = #s, __VA_ARGS__ }; \
    __attribute__((constructor)) static void lite_reg_suite_##s(void)     \
    {                                                                     \
        lite_suite_##s.next = lite_suites;                                \
        lite_suites = &lite_suite_##s;                                    \
    }

#define Test(s, n, ...)                                                   \
    static void lite_fn_##s##_##n(void);                                  \
    static struct lite_test lite_t_##s##_##n = {                          \
        .suite = #s, .name = #n, .fn = lite_fn_##s##_##n, __VA_ARGS__     \
    };                                                                    \
    __attribute__((constructor)) static void lite_reg_##s##_##n(void)     \
    {                                                                     \
        lite_t_##s##_##n.next = lite_tests;                               \
        lite_tests = &lite_t_##s##_##n;                                   \
    }                                                                     \
    static void lite_fn_##s##_##n(void)

__attribute__((format(printf, 4, 5), noreturn)) static void
lite_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: Assertion failed: %s\n  ", file, line, expr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    _exit(1);
}

#define cr_assert(cond, ...)                                              \
    do {                                                                  \
        if (!(cond)) {                                                    \
            lite_fail(__FILE__, __LINE__, #cond, " " __VA_ARGS__);        \
        }                                                                 \
    } while (0)
#define cr_expect cr_assert
#define cr_assert_fail(...) lite_fail(__FILE__, __LINE__, "failed", " " __VA_ARGS__)
#define cr_assert_not(c, ...) cr_assert(!(c), __VA_ARGS__)
#define cr_assert_eq(a, b, ...) cr_assert((a) == (b), __VA_ARGS__)
#define cr_assert_neq(a, b, ...) cr_assert((a) != (b), __VA_ARGS__)
#define cr_assert_lt(a, b, ...) cr_assert((a) < (b), __VA_ARGS__)
#define cr_assert_leq(a, b, ...) cr_assert((a) <= (b), __VA_ARGS__)
#define cr_assert_gt(a, b, ...) cr_assert((a) > (b), __VA_ARGS__)
#define cr_assert_geq(a, b, ...) cr_assert((a) >= (b), __VA_ARGS__)
#define cr_assert_null(a, ...) cr_assert((a) == NULL, __VA_ARGS__)
#define cr_assert_not_null(a, ...) cr_assert((a) != NULL, __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) cr_assert(strcmp((a), (b)) == 0, \
                                              __VA_ARGS__)
#define cr_log_info(...) (fprintf(stderr, "[----] " __VA_ARGS__), \
                          fprintf(stderr, "\n"))
#define cr_skip_test(...)                                                 \
    do {                                                                  \
        fprintf(stderr, "[SKIP] " __VA_ARGS__);                           \
        fprintf(stderr, "\n");                                            \
        _exit(LITE_SKIP_STATUS);                                          \
    } while (0)

static const struct lite_suite *lite_find_suite(const char *name)
{
    const struct lite_suite *s;

    for (s = lite_suites; s; s = s->next) {
        if (strcmp(s->name, name) == 0) {
            return s;
        }
    }
    return NULL;
}

/* Run one test in a child; 0 pass, 1 fail, 2 crash, 3 skip. */
static int lite_run(const struct lite_test *t)
{
    const struct lite_suite *s = lite_find_suite(t->suite);
    int timeout = t->timeout ? t->timeout : (s && s->timeout ? s->timeout
                                                             : 60);
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        alarm((unsigned)timeout);
        if (s && s->init) {
            s->init();
        }
        if (t->init) {
            t->init();
        }
        t->fn();
        if (t->fini) {
            t->fini();
        }
        if (s && s->fini) {
            s->fini();
        }
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        return 2;
    }
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status) == 0                  ? 0
               : WEXITSTATUS(status) == LITE_SKIP_STATUS ? 3
                                                         : 1;
    }
    return 2;
}

int main(void)
{
    static const char *const tag[] = { "PASS", "FAIL", "CRASH", "SKIP" };
    unsigned n = 0, count[4] = { 0 };
    const struct lite_test *t;

    setvbuf(stdout, NULL, _IONBF, 0);
    for (t = lite_tests; t; t = t->next) {
        int r = lite_run(t);

        count[r]++;
        n++;
        printf("[%s] %s::%s\n", tag[r], t->suite, t->name);
    }
    printf("[====] Synthesis: Tested: %u | Passing: %u | Failing: %u | "
           "Crashing: %u \n",
           n - count[3], count[0], count[1], count[2]);
    return count[1] || count[2] ? 1 : 0;
}

#endif /* MCDSHM_TESTS_CRITERION_LITE_H */
