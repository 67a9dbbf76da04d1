/*
 * fuzz-promtext: the metric family filter on arbitrary bytes.
 * Properties: keep == NULL gives every non-blank line, LF-ended; "*" gives a
 * subsequence of those lines and is idempotent; any pattern list gives a
 * subsequence of the "*" lines, lists only matching families, each once; one
 * byte of cap less than the output needs fails with E2BIG and leaves the
 * buffer as it was. Built with libFuzzer by `make fuzz`, and as a corpus
 * replayer in the normal build (tests/fuzz/replay.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "promtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP ((size_t)1 << 26)

static int is_blank_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

/* Every line of text but blank ones (only " \t\r"), without its final CRs, ended by LF. */
static void reference(const char *text, size_t len, struct vbuf *out)
{
    const char *p = text, *end = text + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
        size_t n;

        while (e > p && e[-1] == '\r')
            e--;
        n = (size_t)(e - p);
        if (!is_blank_line(p, n))
            if (vbuf_add(out, p, n) < 0 || vbuf_addc(out, '\n') < 0)
                abort();
        p = nl ? nl + 1 : end;
    }
}

/* Are the lines of sub (LF-ended) a subsequence of the lines of all? */
static int is_subsequence(const struct vbuf *sub, const struct vbuf *all)
{
    size_t i = 0, j = 0;

    while (i < sub->len) {
        const char *l = sub->data + i, *nl = memchr(l, '\n', sub->len - i);
        size_t n = (size_t)(nl - l) + 1;

        while (j < all->len && (all->len - j < n || memcmp(all->data + j, l, n) != 0)) {
            const char *m = memchr(all->data + j, '\n', all->len - j);

            j = (size_t)(m - all->data) + 1;
        }
        if (j >= all->len)
            return 0;
        i += n;
        j += n;
    }
    return 1;
}

static int matches(const char *const *keep, const char *name)
{
    for (; *keep; keep++) {
        size_t n = strlen(*keep);

        if (n > 0 && (*keep)[n - 1] == '*' ? strncmp(name, *keep, n - 1) == 0
                                           : strcmp(name, *keep) == 0)
            return 1;
    }
    return 0;
}

static void filter(const char *text, size_t len, const char *const *keep, struct vbuf *out,
                   struct promtext_families *fams)
{
    struct vs_error err;

    if (promtext_filter(text, len, keep, out, fams, &err) != 0)
        abort();
    for (size_t i = 0; fams && i < fams->n; i++) {
        if (keep && !matches(keep, fams->names[i]))
            abort();
        for (size_t j = 0; j < i; j++)
            if (strcmp(fams->names[i], fams->names[j]) == 0)
                abort();
    }
}

/* One byte of cap less than the output needs fails and changes nothing. */
static void check_cap(const char *text, size_t len, const char *const *keep, size_t need)
{
    struct vbuf out = VBUF_INIT(need);
    struct vs_error err;

    if (need == 0)
        return;
    if (vbuf_addc(&out, 'x') < 0)
        abort();
    if (promtext_filter(text, len, keep, &out, NULL, &err) != -1 || err.code != E2BIG ||
        out.len != 1 || strcmp(vbuf_str(&out), "x") != 0)
        abort();
    vbuf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const star[] = {"*", NULL};
    static const char *const lists[][4] = {
        {"a", "b*", NULL},
        {"apiserver_request_total", "apiserver_request_duration_seconds", NULL},
        {"kubevirt_*", "x", "", NULL},
    };
    const char *text = (const char *)data;
    struct vbuf ref = VBUF_INIT(CAP), all = VBUF_INIT(CAP), some = VBUF_INIT(CAP),
                again = VBUF_INIT(CAP);
    struct promtext_families fams;

    reference(text, size, &ref);
    filter(text, size, NULL, &all, NULL);
    if (all.len != ref.len || memcmp(vbuf_str(&all), vbuf_str(&ref), all.len) != 0)
        abort();
    vbuf_reset(&all);
    filter(text, size, star, &all, NULL);
    filter(all.data, all.len, star, &again, NULL);
    if (!is_subsequence(&all, &ref) || again.len != all.len ||
        memcmp(vbuf_str(&again), vbuf_str(&all), all.len) != 0)
        abort();
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        vbuf_reset(&some);
        filter(text, size, lists[i], &some, &fams);
        if (!is_subsequence(&some, &all))
            abort();
        check_cap(text, size, lists[i], some.len);
        promtext_families_release(&fams);
    }
    vbuf_release(&ref);
    vbuf_release(&all);
    vbuf_release(&some);
    vbuf_release(&again);
    return 0;
}
