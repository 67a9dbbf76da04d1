/*
 * vbuf.h - a growable byte buffer with a hard size cap (after curl's dynbuf).
 *
 * Every buffer that grows from outside data has a cap, so one hostile line or
 * answer cannot eat memory: adding past the cap fails with errno E2BIG and
 * leaves the buffer as it was. The data is always NUL-terminated (the NUL is
 * not counted in len and not in the cap).
 *
 * The cap must be below SIZE_MAX / 2; memory allocated never exceeds cap + 1.
 *
 * Ownership: the struct owns `data`; vbuf_release() frees it, vbuf_detach()
 * hands it to the caller (free() it).
 */
#ifndef VS_VBUF_H
#define VS_VBUF_H

#include <stddef.h>

#include "error.h"

struct vbuf {
    char *data; /* NULL until the first add */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* most bytes len may reach */
};

#define VBUF_INIT(maxlen)                                                                          \
    {                                                                                              \
        NULL, 0, 0, (maxlen)                                                                       \
    }

void vbuf_init(struct vbuf *b, size_t max);
/* Free the data; the buffer stays usable, empty, with the same cap. NULL ok. */
void vbuf_release(struct vbuf *b);
/* Forget the content but keep the memory for reuse. */
void vbuf_reset(struct vbuf *b);

/* Append; 0 on success, -1 with errno E2BIG (cap) or ENOMEM. */
int vbuf_add(struct vbuf *b, const void *p, size_t n);
int vbuf_adds(struct vbuf *b, const char *s);
int vbuf_addc(struct vbuf *b, char c);
int vbuf_addf(struct vbuf *b, const char *fmt, ...) VS_PRINTF(2, 3);

/* The content as a C string; "" when empty. Valid until the next change. */
const char *vbuf_str(const struct vbuf *b);

/* Hand the data to the caller (NULL if never allocated) and empty the buffer. */
char *vbuf_detach(struct vbuf *b, size_t *len);

#endif
