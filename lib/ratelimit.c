#include "ratelimit.h"

void bucket_init(struct bucket *b, double qps, double burst, double speed, int64_t now_ns)
{
    b->qps = qps > 0 ? qps : 1e9;
    b->burst = burst >= 1 ? burst : 1;
    b->tokens = b->burst;
    b->last_ns = now_ns;
    b->speed = speed;
}

int64_t bucket_reserve(struct bucket *b, int64_t at_ns)
{
    double rate = b->qps * b->speed / 1e9; /* tokens per real ns */

    if (at_ns > b->last_ns) {
        b->tokens += (double)(at_ns - b->last_ns) * rate;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last_ns = at_ns;
    }
    b->tokens -= 1;
    if (b->tokens >= 0)
        return b->last_ns > at_ns ? b->last_ns : at_ns;
    /* in debt: this request goes when the debt is paid off */
    return b->last_ns + (int64_t)(-b->tokens / rate);
}
