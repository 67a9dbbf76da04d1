#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    char *key; /* NULL: empty */
    void *value;
    uint64_t hash;
};

struct strmap {
    struct slot *slots;
    size_t cap; /* a power of two, or 0 */
    size_t count;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

struct strmap *strmap_new(void)
{
    return calloc(1, sizeof(struct strmap));
}

void strmap_free(struct strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    free(m);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t find(const struct strmap *m, const char *key, uint64_t h)
{
    size_t i = (size_t)h & (m->cap - 1);

    while (m->slots[i].key && (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
        i = (i + 1) & (m->cap - 1);
    return i;
}

void *strmap_get(const struct strmap *m, const char *key)
{
    size_t i;

    if (!m->count)
        return NULL;
    i = find(m, key, fnv1a(key));
    return m->slots[i].key ? m->slots[i].value : NULL;
}

static int grow(struct strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    struct slot *old = m->slots, *ns = calloc(ncap, sizeof(*ns));
    size_t ocap = m->cap;

    if (!ns)
        return -1;
    m->slots = ns;
    m->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key)
            m->slots[find(m, old[i].key, old[i].hash)] = old[i];
    free(old);
    return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value)
{
    uint64_t h = fnv1a(key);
    size_t i;

    /* keep the load under 3/4 */
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -1;
    i = find(m, key, h);
    if (!m->slots[i].key) {
        char *copy = strdup(key);

        if (!copy)
            return -1;
        m->slots[i].key = copy;
        m->slots[i].hash = h;
        m->count++;
    }
    m->slots[i].value = value;
    return 0;
}

void *strmap_del(struct strmap *m, const char *key)
{
    size_t i, j;
    void *value;

    if (!m->count)
        return NULL;
    i = find(m, key, fnv1a(key));
    if (!m->slots[i].key)
        return NULL;
    value = m->slots[i].value;
    free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->count--;
    /* backward shift: pull later entries of the run into the hole when they may move there */
    for (j = (i + 1) & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
        size_t home = (size_t)m->slots[j].hash & (m->cap - 1);

        /* j's entry may fill hole i unless its home lies cyclically in (i, j] */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            m->slots[i] = m->slots[j];
            m->slots[j].key = NULL;
            i = j;
        }
    }
    return value;
}

size_t strmap_count(const struct strmap *m)
{
    return m->count;
}

int strmap_each(const struct strmap *m, int (*fn)(void *ctx, const char *key, void *value),
                void *ctx)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key) {
            int rc = fn(ctx, m->slots[i].key, m->slots[i].value);

            if (rc)
                return rc;
        }
    }
    return 0;
}
