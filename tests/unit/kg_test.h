/*
 * kg_test.h - the smallest test harness that does the job: checks that
 * report file:line and keep going, one line per test, a summary line, and an
 * exit status ctest understands.
 *
 *   static void test_x(void) { KG_CHECK(1 + 1 == 2); KG_CHECK_EQ(a, b); }
 *   int main(void) { KG_RUN(test_x); return kg_test_summary(); }
 */
#ifndef KG_TEST_H
#define KG_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int kg_test_failed_checks;
static int kg_test_passed;
static int kg_test_failed;

#define KG_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            kg_test_failed_checks++;                                                               \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);             \
        }                                                                                          \
    } while (0)

#define KG_CHECK_EQ(a, b)                                                                          \
    do {                                                                                           \
        long long kg_a_ = (long long)(a), kg_b_ = (long long)(b);                                  \
        if (kg_a_ != kg_b_) {                                                                      \
            kg_test_failed_checks++;                                                               \
            fprintf(stderr, "  %s:%d: %s == %s: %lld != %lld\n", __FILE__, __LINE__, #a, #b,       \
                    kg_a_, kg_b_);                                                                 \
        }                                                                                          \
    } while (0)

#define KG_CHECK_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *kg_a_ = (a), *kg_b_ = (b);                                                     \
        if (!kg_a_ || !kg_b_ || strcmp(kg_a_, kg_b_) != 0) {                                       \
            kg_test_failed_checks++;                                                               \
            fprintf(stderr, "  %s:%d: %s == %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, #b,   \
                    kg_a_ ? kg_a_ : "(null)", kg_b_ ? kg_b_ : "(null)");                           \
        }                                                                                          \
    } while (0)

/* Compare kg_err_t values and print their names on mismatch. */
#define KG_CHECK_ERR(expr, expected)                                                               \
    do {                                                                                           \
        kg_err_t kg_e_ = (expr);                                                                   \
        if (kg_e_ != (expected)) {                                                                 \
            kg_test_failed_checks++;                                                               \
            fprintf(stderr, "  %s:%d: %s: got %s, want %s\n", __FILE__, __LINE__, #expr,           \
                    kg_err_name(kg_e_), kg_err_name(expected));                                    \
        }                                                                                          \
    } while (0)

#define KG_RUN(fn)                                                                                 \
    do {                                                                                           \
        int kg_before_ = kg_test_failed_checks;                                                    \
        fn();                                                                                      \
        if (kg_test_failed_checks == kg_before_) {                                                 \
            kg_test_passed++;                                                                      \
            printf("ok   %s\n", #fn);                                                              \
        } else {                                                                                   \
            kg_test_failed++;                                                                      \
            printf("FAIL %s\n", #fn);                                                              \
        }                                                                                          \
    } while (0)

static inline int kg_test_summary(void)
{
    printf("%d passed, %d failed\n", kg_test_passed, kg_test_failed);
    return kg_test_failed ? 1 : 0;
}

#endif
