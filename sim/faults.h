/*
 * faults.h - fault injection, from --fault SPEC (repeatable).
 *
 * SPEC is NAME[:KEY=VALUE[,KEY=VALUE...]]:
 *   watch-drop:every=2s          end every watch stream abruptly every 2 s
 *   watch-expire:share=0.5       answer half of the watch resumes (a watch with
 *                                a resourceVersion) with the 410 Expired event
 *   http-error:code=429,share=0.1[,retry-after=1][,verbs=mutating|all]
 *                                answer 10% of requests with 429 (with
 *                                Retry-After) or 500/503; default: mutating
 *                                requests only (POST PUT PATCH DELETE)
 *   latency:ms=50[,share=1][,verbs=all|mutating]
 *                                delay answers by 50 ms
 *   vm-fail:share=0.05[,mode=crashloop|unschedulable]
 *                                5% of VM starts fail: the VM shows
 *                                CrashLoopBackOff or ErrorUnschedulable
 * Durations take s or ms. Shares are in [0, 1]. Every number is parsed
 * strictly (num.h). Decisions come from their own random stream
 * (SIM_RNG_FAULTS of --seed), so faults do not change the timing model's draws.
 * Every injected fault is counted in vmstorm_sim_faults_injected_total.
 */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <stdint.h>

#include "error.h"
#include "http.h"
#include "sim.h"

enum vm_fail_mode { VM_FAIL_NONE, VM_FAIL_CRASHLOOP, VM_FAIL_UNSCHEDULABLE };

/*
 * Parse one spec and add it to *f (created on first use, owned by the caller:
 * faults_free). -1 with err naming the spec, the option and what is wrong.
 */
int faults_parse(struct faults **f, const char *spec, struct vs_error *err);
/* Seed the fault decisions from --seed, once every option is read. Accepts NULL. */
void faults_seed(struct faults *f, uint64_t seed);
void faults_free(struct faults *f);

/* Seconds between watch drops, or 0. */
double faults_watch_drop_every(const struct faults *f);

/* 1 if this request was answered with an injected error. */
int faults_before_request(struct sim *sim, struct req *r);
/* Delay to add before answering r, in ns (0: none). */
int64_t faults_latency_ns(struct sim *sim, struct req *r);
/* 1 if this watch resume should get 410 Expired. */
int faults_expire_resume(struct sim *sim);
/* How this VM start should fail, if at all. */
enum vm_fail_mode faults_vm_start(struct sim *sim);

#endif
