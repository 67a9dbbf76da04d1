/*
 * strmap.h - a hash map from strings to pointers (open addressing, linear
 * probing, FNV-1a), for tables keyed by uid or "namespace/name" with
 * thousands to millions of entries: the analyzer's VMs and episodes.
 *
 * Keys are copied; values are the caller's (the map never frees them).
 * Removal is by backward shift, so lookups stay short without tombstones.
 * Iteration order is unspecified; the map must not change during
 * strmap_each().
 */
#ifndef VS_STRMAP_H
#define VS_STRMAP_H

#include <stddef.h>

struct strmap;

struct strmap *strmap_new(void);
/* Free the map and its key copies (not the values). Accepts NULL. */
void strmap_free(struct strmap *m);

/* The value of key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Set key to value (replacing an old value). 0, or -1 when memory runs out. */
int strmap_put(struct strmap *m, const char *key, void *value);
/* Remove key; returns its value, or NULL when absent. */
void *strmap_del(struct strmap *m, const char *key);

size_t strmap_count(const struct strmap *m);

/* Call fn for every entry; stops early and returns fn's value when it is non-zero. */
int strmap_each(const struct strmap *m, int (*fn)(void *ctx, const char *key, void *value),
                void *ctx);

#endif
