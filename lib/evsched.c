#include "evsched.h"

#include <stdlib.h>

struct timer {
    int64_t due;
    uint64_t seq;
    sched_fn fn;
    void *ctx, *arg;
    uint64_t token;
};

struct sched {
    struct timer *heap;
    size_t len, cap;
    uint64_t seq;
};

struct sched *sched_new(void)
{
    return calloc(1, sizeof(struct sched));
}

void sched_free(struct sched *s)
{
    if (!s)
        return;
    free(s->heap);
    free(s);
}

static int earlier(const struct timer *a, const struct timer *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void swap(struct timer *a, struct timer *b)
{
    struct timer t = *a;

    *a = *b;
    *b = t;
}

int sched_at(struct sched *s, int64_t mono_ns, sched_fn fn, void *ctx, void *arg, uint64_t token)
{
    size_t i;

    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        struct timer *h = realloc(s->heap, cap * sizeof(*h));

        if (!h)
            return -1;
        s->heap = h;
        s->cap = cap;
    }
    i = s->len++;
    s->heap[i] = (struct timer){mono_ns, s->seq++, fn, ctx, arg, token};
    while (i > 0 && earlier(&s->heap[i], &s->heap[(i - 1) / 2])) {
        swap(&s->heap[i], &s->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    return 0;
}

int64_t sched_next(const struct sched *s)
{
    return s->len ? s->heap[0].due : INT64_MAX;
}

static struct timer pop(struct sched *s)
{
    struct timer top = s->heap[0];
    size_t i = 0;

    s->heap[0] = s->heap[--s->len];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;

        if (l < s->len && earlier(&s->heap[l], &s->heap[m]))
            m = l;
        if (r < s->len && earlier(&s->heap[r], &s->heap[m]))
            m = r;
        if (m == i)
            break;
        swap(&s->heap[i], &s->heap[m]);
        i = m;
    }
    return top;
}

size_t sched_run(struct sched *s, int64_t now_ns)
{
    size_t n = 0;

    while (s->len && s->heap[0].due <= now_ns) {
        struct timer t = pop(s);

        t.fn(t.ctx, t.arg, t.token);
        n++;
    }
    return n;
}

size_t sched_flush(struct sched *s, sched_fn keep)
{
    size_t n = 0;

    while (s->len) {
        struct timer t = pop(s);

        if (t.fn == keep) {
            t.fn(t.ctx, t.arg, t.token);
            n++;
        }
    }
    return n;
}

size_t sched_pending(const struct sched *s)
{
    return s->len;
}
