/*
 * fuzz-gzip: the run-file reader on an fd holding arbitrary bytes, which it
 * gunzips when they start with gzip's magic (lib/ndjson_reader.c).
 * The reference is zlib in memory (inflateInit2 with 16 + MAX_WBITS, as the
 * reader; after a member's end, any bytes left start another member) and
 * ndjson_reader_from_mem() over the text it gives. Each input is read from an
 * fd three times: from a memfd with max_line 1 MiB and with 256, and from a
 * pipe fed in small writes (the first often of one byte: the reader has a path
 * for a pipe that gives gzip's magic byte by byte) with a max_line of 1 MiB,
 * 256 or 1..64. A thread makes each write once the last one is read, so every
 * read sees one write (or part of it): the same input reads the same way.
 * Properties (abort() when one is broken):
 *   - no gzip magic: the fd reader gives what from_mem gives over the bytes:
 *     the same statuses, line bytes, line numbers, error lines and offsets,
 *     up to and including NDJSON_EOF;
 *   - gzip that zlib decodes whole: the same against from_mem over the text;
 *   - cut-off or corrupt gzip: the same for every whole line zlib decodes
 *     before the damage, then NDJSON_IO_ERROR (never a silent EOF or a
 *     truncated line) naming "fuzz" and the line after the last one read;
 *   - text beyond 1 MiB is not compared (only the whole lines before it);
 *   - every fd is closed: a leak makes memfd_create() or pipe2() fail, which aborts.
 * Built with libFuzzer by `make fuzz`, and as a corpus replayer in the normal
 * build (tests/fuzz/replay.c).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "ndjson_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BIG_LINE ((size_t)1 << 20)
#define TEXT_CAP ((size_t)1 << 20) /* text compared at most */
#define PIPE_MAX 65536             /* the pipe pass is for inputs below this */
#define WRITE_MAX 4096             /* PIPE_BUF: one write is read whole or in parts */
#define SPLIT_WRITES 16            /* small writes, then WRITE_MAX ones */

/* How the reference text ends. */
enum ref_end {
    REF_WHOLE,  /* all of it: plain bytes, or gzip that decodes to the end */
    REF_BROKEN, /* gzip cut off or corrupt: text up to the last "\n" before the damage */
    REF_CAPPED, /* more than TEXT_CAP: text up to the last "\n" in the first TEXT_CAP */
};

struct reference {
    const char *text;
    size_t len;
    enum ref_end end;
    char *own; /* the gunzipped text, or NULL */
};

/* Cut text to its whole lines: up to and including the last "\n". */
static size_t whole_lines(const char *text, size_t len)
{
    while (len > 0 && text[len - 1] != '\n')
        len--;
    return len;
}

/* Gunzip data into ref: members one after the other while bytes remain. */
static void gunzip(const uint8_t *data, size_t size, struct reference *ref)
{
    z_stream zs;
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);

    memset(&zs, 0, sizeof(zs));
    if (!out || inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        abort();
    zs.next_in = (unsigned char *)(uintptr_t)data;
    zs.avail_in = (uInt)size;
    ref->end = REF_WHOLE;
    for (;;) {
        int rc;

        if (len == cap) {
            char *p;

            if (cap >= TEXT_CAP) {
                ref->end = REF_CAPPED;
                break;
            }
            p = realloc(out, cap *= 2);
            if (!p)
                abort();
            out = p;
        }
        zs.next_out = (unsigned char *)out + len;
        zs.avail_out = (uInt)(cap - len);
        rc = inflate(&zs, Z_NO_FLUSH);
        len = cap - zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0)
                break;
            if (inflateReset(&zs) != Z_OK)
                abort();
            continue;
        }
        if (rc == Z_MEM_ERROR)
            abort();
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            ref->end = REF_BROKEN; /* corrupt */
            break;
        }
        if (zs.avail_out == 0)
            continue; /* output full: grow and go on */
        if (zs.avail_in == 0) {
            ref->end = REF_BROKEN; /* the input ends inside a member */
            break;
        }
        abort(); /* zlib stopped with room on both sides */
    }
    inflateEnd(&zs);
    ref->own = out;
    ref->text = out;
    ref->len = ref->end == REF_WHOLE ? len : whole_lines(out, len);
}

static int is_gzip(const uint8_t *data, size_t size)
{
    return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/* Read r (on an fd) next to a from_mem reader over ref, checking the properties. */
static void compare(struct ndjson_reader *r, const struct reference *ref, size_t max_line)
{
    struct ndjson_reader *m = ndjson_reader_from_mem(ref->text, ref->len, "ref", max_line, NULL);

    if (!m)
        abort();
    for (;;) {
        struct ndjson_line lm, lr;
        struct vs_error em, er;
        enum ndjson_status sm, sr;

        vs_error_clear(&em);
        vs_error_clear(&er);
        sm = ndjson_reader_next(m, &lm, &em);
        if (sm == NDJSON_IO_ERROR)
            abort(); /* memory cannot fail */
        if (sm == NDJSON_EOF && ref->end == REF_CAPPED)
            break;
        sr = ndjson_reader_next(r, &lr, &er);
        if (sm == NDJSON_EOF && ref->end == REF_BROKEN) {
            /* damaged gzip: an error after the whole lines, naming the next line */
            if (sr != NDJSON_IO_ERROR || strcmp(er.where, "fuzz") != 0 ||
                er.line != ndjson_reader_lineno(m) + 1 ||
                ndjson_reader_lineno(r) != ndjson_reader_lineno(m))
                abort();
            break;
        }
        if (sr != sm || ndjson_reader_lineno(r) != ndjson_reader_lineno(m) ||
            ndjson_reader_offset(r) != ndjson_reader_offset(m))
            abort();
        if (sm == NDJSON_LINE || sm == NDJSON_TRUNCATED) {
            if (lr.len != lm.len || lr.lineno != lm.lineno ||
                (lm.len && memcmp(lr.text, lm.text, lm.len) != 0))
                abort();
        }
        if (sm != NDJSON_LINE && (er.line != em.line || er.code != em.code))
            abort();
        if (sm == NDJSON_EOF)
            break;
    }
    ndjson_reader_free(m);
}

static void check_memfd(const uint8_t *data, size_t size, const struct reference *ref,
                        size_t max_line)
{
    int fd = memfd_create("fuzz-gzip", MFD_CLOEXEC);
    struct ndjson_reader *r;

    /* failing here after many runs would be an fd leak: make it loud */
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET) != 0)
        abort();
    r = ndjson_reader_from_fd(fd, 1, "fuzz", max_line, NULL);
    if (!r)
        abort();
    compare(r, ref, max_line);
    ndjson_reader_free(r);
}

/* The pipe pass: a thread writes the input in pieces, each once the last is read. */
struct feeder {
    const uint8_t *data;
    size_t size;
    uint64_t seed;
    int rfd, wfd;
    atomic_int stop; /* the reader is done */
};

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void *feed(void *arg)
{
    struct feeder *f = arg;
    uint64_t s = f->seed | 1;
    size_t off = 0;

    for (unsigned k = 0; off < f->size && !atomic_load(&f->stop); k++) {
        static const size_t ranges[] = {8, 64, 512, WRITE_MAX};
        uint64_t x = next_random(&s);
        size_t n = k >= SPLIT_WRITES ? WRITE_MAX : 1 + (size_t)(x >> 2) % ranges[x & 3];
        int queued = 1;

        if (k == 0 && (f->seed & 2))
            n = 1;
        if (n > f->size - off)
            n = f->size - off;
        if (write(f->wfd, f->data + off, n) != (ssize_t)n)
            abort(); /* the pipe is empty and n <= PIPE_BUF */
        off += n;
        /* wait until all of it is read, so that reads see one write at a time */
        while (!atomic_load(&f->stop) && ioctl(f->rfd, FIONREAD, &queued) == 0 && queued > 0)
            sched_yield();
    }
    close(f->wfd);
    return NULL;
}

static void check_pipe(const uint8_t *data, size_t size, const struct reference *ref,
                       size_t max_line, uint64_t seed)
{
    int fds[2];
    struct feeder f = {data, size, seed, -1, -1, 0};
    struct ndjson_reader *r;
    pthread_t t;

    if (pipe2(fds, O_CLOEXEC) != 0)
        abort(); /* see check_memfd */
    f.rfd = fds[0];
    f.wfd = fds[1];
    r = ndjson_reader_from_fd(fds[0], 1, "fuzz", max_line, NULL);
    if (!r || pthread_create(&t, NULL, feed, &f) != 0)
        abort();
    compare(r, ref, max_line);
    atomic_store(&f.stop, 1);
    pthread_join(t, NULL);
    ndjson_reader_free(r); /* closes fds[0], after the thread is done with it */
}

static uint64_t fnv1a(const uint8_t *data, size_t size)
{
    uint64_t h = 14695981039346656037u;

    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211u;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reference ref = {(const char *)data, size, REF_WHOLE, NULL};
    uint64_t seed = fnv1a(data, size);
    size_t pipe_line;

    if (size > UINT32_MAX)
        return 0;
    if (is_gzip(data, size))
        gunzip(data, size, &ref);
    check_memfd(data, size, &ref, BIG_LINE);
    check_memfd(data, size, &ref, 256);
    if (size < PIPE_MAX) {
        switch ((seed >> 8) % 3) {
        case 0:
            pipe_line = BIG_LINE;
            break;
        case 1:
            pipe_line = 256;
            break;
        default:
            pipe_line = 1 + (size_t)(seed >> 16) % 64;
            break;
        }
        check_pipe(data, size, &ref, pipe_line, seed);
    }
    free(ref.own);
    return 0;
}
