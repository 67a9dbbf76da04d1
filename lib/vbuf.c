#include "vbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vbuf_init(struct vbuf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void vbuf_release(struct vbuf *b)
{
    if (!b)
        return;
    free(b->data);
    vbuf_init(b, b->max);
}

void vbuf_reset(struct vbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Make room for `extra` more bytes plus the NUL. */
static int vbuf_grow(struct vbuf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > b->max || b->len > b->max - extra) {
        errno = E2BIG;
        return -1;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    if (cap > b->max + 1)
        cap = b->max + 1;
    while (cap < need)
        cap = cap > (b->max + 1) / 2 ? b->max + 1 : cap * 2;
    p = realloc(b->data, cap);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int vbuf_add(struct vbuf *b, const void *p, size_t n)
{
    if (vbuf_grow(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int vbuf_adds(struct vbuf *b, const char *s)
{
    return vbuf_add(b, s, strlen(s));
}

int vbuf_addc(struct vbuf *b, char c)
{
    return vbuf_add(b, &c, 1);
}

int vbuf_addf(struct vbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if (vbuf_grow(b, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

const char *vbuf_str(const struct vbuf *b)
{
    return b->data ? b->data : "";
}

char *vbuf_detach(struct vbuf *b, size_t *len)
{
    char *p = b->data;

    if (len)
        *len = b->len;
    vbuf_init(b, b->max);
    return p;
}
