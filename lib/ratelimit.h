/*
 * ratelimit.h - a client-side rate limiter, as client-go's token bucket:
 * qps tokens a second, at most burst banked. It works by reservation: a caller
 * asks when its request may go and waits until then, so requests keep their
 * order. `speed` scales time (the simulator runs its model faster than real
 * time; 1 for real clients). A plain struct owned by the caller.
 */
#ifndef VS_RATELIMIT_H
#define VS_RATELIMIT_H

#include <stdint.h>

struct bucket {
    double qps, burst, tokens;
    int64_t last_ns;
    double speed;
};

void bucket_init(struct bucket *b, double qps, double burst, double speed, int64_t now_ns);
/* Reserve one token for a request ready at at_ns; returns when it may be sent (>= at_ns). */
int64_t bucket_reserve(struct bucket *b, int64_t at_ns);

#endif
