/* test_sim_faults.c - --fault SPEC parsing (strict, messages naming spec and value) and
 * the seeding of the fault decisions (sim/faults.h). */
#include "unit.h"

#include "faults.h"
#include "metrics.h"

static void test_good_specs(void **state)
{
    static const char *const good[] = {"watch-drop:every=2s",
                                       "watch-drop:every=500ms",
                                       "watch-drop:every=3",
                                       "watch-expire",
                                       "watch-expire:share=0.5",
                                       "http-error",
                                       "http-error:code=429,share=0.05,retry-after=2",
                                       "http-error:code=503,verbs=all",
                                       "latency:ms=50,share=0.2,verbs=mutating",
                                       "latency:ms=.5",
                                       "vm-fail:share=1,mode=unschedulable"};
    struct faults *f = NULL;
    struct vs_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (faults_parse(&f, good[i], &err) < 0)
            fail_msg("'%s' refused: %s", good[i], err.msg);
    assert_true(faults_watch_drop_every(f) == 3);
    faults_free(f);
}

struct bad_case {
    const char *spec, *msg;
};

static void test_bad_specs(void **state)
{
    static const struct bad_case bad[] = {
        {"http-error:code=429abc",
         "--fault 'http-error:code=429abc': bad option 'code=429abc': expected 429, 500 or 503"},
        {"http-error:code=404", "--fault 'http-error:code=404': bad option 'code=404': expected "
                                "429, 500 or 503"},
        {"http-error:retry-after=2s", "--fault 'http-error:retry-after=2s': bad option "
                                      "'retry-after=2s': expected whole seconds from 0 to 86400"},
        {"http-error:share=1.5", "--fault 'http-error:share=1.5': bad option 'share=1.5': "
                                 "expected a share from 0 to 1"},
        {"http-error:share=nan", "--fault 'http-error:share=nan': bad option 'share=nan': "
                                 "expected a share from 0 to 1"},
        {"latency:ms=50x", "--fault 'latency:ms=50x': bad option 'ms=50x': expected "
                           "milliseconds, more than 0 and at most 600000"},
        {"latency:ms=0", "--fault 'latency:ms=0': bad option 'ms=0': expected milliseconds, "
                         "more than 0 and at most 600000"},
        {"latency", "--fault 'latency': needs ms=N"},
        {"watch-drop:every=inf", "--fault 'watch-drop:every=inf': bad option 'every=inf': "
                                 "expected a duration from 1ms to 86400s (N, Ns or Nms)"},
        {"watch-drop:every=2m", "--fault 'watch-drop:every=2m': bad option 'every=2m': expected "
                                "a duration from 1ms to 86400s (N, Ns or Nms)"},
        {"watch-drop", "--fault 'watch-drop': needs every=DURATION"},
        {"vm-fail:mode=sometimes", "--fault 'vm-fail:mode=sometimes': bad option "
                                   "'mode=sometimes': expected crashloop or unschedulable"},
        {"vm-fail:every=1", "--fault 'vm-fail:every=1': bad option 'every=1': unknown option "
                            "(known: share, mode)"},
        {"http-error:code", "--fault 'http-error:code': bad option 'code': expected KEY=VALUE"},
        {"nonsense:x=1", "--fault 'nonsense:x=1': 'nonsense': unknown fault kind (known: "
                         "watch-drop, watch-expire, http-error, latency, vm-fail)"},
    };
    struct vs_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct faults *f = NULL;

        vs_error_clear(&err);
        if (faults_parse(&f, bad[i].spec, &err) != -1)
            fail_msg("'%s' accepted", bad[i].spec);
        assert_string_equal(err.msg, bad[i].msg);
        faults_free(f);
    }
}

static void test_at_most_four_http_errors(void **state)
{
    struct faults *f = NULL;
    struct vs_error err;

    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(faults_parse(&f, "http-error:share=0.1", &err), 0);
    assert_int_equal(faults_parse(&f, "http-error:share=0.1", &err), -1);
    assert_string_equal(err.msg, "--fault 'http-error:share=0.1': 'http-error': http-error is "
                                 "given more than 4 times");
    faults_free(f);
}

/* 64 decisions of vm-fail:share=0.5 seeded with seed, as bits. */
static uint64_t decisions(uint64_t seed)
{
    struct sim sim;
    struct vs_error err;
    uint64_t bits = 0;

    memset(&sim, 0, sizeof(sim));
    sim.metrics = metrics_new();
    assert_non_null(sim.metrics);
    assert_int_equal(faults_parse(&sim.faults, "vm-fail:share=0.5", &err), 0);
    faults_seed(sim.faults, seed);
    for (int i = 0; i < 64; i++)
        bits = bits << 1 | (faults_vm_start(&sim) != VM_FAIL_NONE);
    faults_free(sim.faults);
    metrics_free(sim.metrics);
    return bits;
}

static void test_seeded_decisions(void **state)
{
    (void)state;
    assert_true(decisions(7) == decisions(7));
    assert_true(decisions(7) != decisions(8));
    assert_true(decisions(7) != 0 && decisions(7) != UINT64_MAX);
    faults_seed(NULL, 7); /* no faults: nothing to seed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_specs),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_at_most_four_http_errors),
        cmocka_unit_test(test_seeded_decisions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
