/*
 * rng.h - seeded, reproducible random numbers for the simulator
 * (xoshiro256**, seeded through splitmix64). Same seed, same draws, on every
 * machine. The simulator draws from separate streams of one seed (sim.h).
 * The state is a plain struct owned by the caller.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
/*
 * Stream number `stream` of seed: seeded as rng_seed(seed), then moved
 * 2^128 draws ahead `stream` times (xoshiro's jump), so that the streams of
 * one seed never overlap. Stream 0 is rng_seed(seed).
 */
void rng_seed_stream(struct rng *r, uint64_t seed, unsigned stream);
uint64_t rng_u64(struct rng *r);
/* Uniform in [0, 1). */
double rng_uniform(struct rng *r);
/* Standard normal (Box-Muller). */
double rng_normal(struct rng *r);
/*
 * Log-normal with the given median and geometric standard deviation
 * (gsd >= 1: the spread factor; 68% of draws fall in [median/gsd, median*gsd]).
 */
double rng_lognormal(struct rng *r, double median, double gsd);
/* A random RFC 4122 version 4 UUID into out[37]. */
void rng_uuid(struct rng *r, char out[37]);

#endif
