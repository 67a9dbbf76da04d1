#include "ndjson_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "vbuf.h"

struct ndjson_writer {
    int fd;
    int regular; /* a regular file: we can cut back a partial line */
    int failed;
    int64_t seq;
    uint64_t bytes;
    off_t size; /* file size after our last whole line (regular files) */
    struct vbuf line;
    char path[4096];
};

struct ndjson_writer *ndjson_writer_open(const char *path, int flags, struct vs_error *err)
{
    struct ndjson_writer *w = NULL;
    struct stat st;
    int oflags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
    int fd;

    if (flags & NDJSON_WRITER_EXCL)
        oflags |= O_EXCL;
    fd = open(path, oflags, 0644);
    if (fd < 0) {
        vs_error_setc(err, errno, path, 0, 0, "cannot create: %s", strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0) {
        vs_error_setc(err, errno, path, 0, 0, "cannot stat: %s", strerror(errno));
        goto fail;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        vs_error_setc(err, EEXIST, path, 0, 0, "already holds data; write each run to a new file");
        goto fail;
    }
    w = calloc(1, sizeof(*w));
    if (!w) {
        vs_error_setc(err, ENOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    w->fd = fd;
    w->regular = S_ISREG(st.st_mode);
    vbuf_init(&w->line, EVENT_LINE_MAX);
    strncpy(w->path, path, sizeof(w->path) - 1);
    return w;
fail:
    close(fd);
    return NULL;
}

/* A write failed after `done` bytes of the line: cut them off again. */
static int writer_fail(struct ndjson_writer *w, int e, size_t done, struct vs_error *err)
{
    const char *kept = "lines already written are intact";

    w->failed = 1;
    if (done > 0 && (!w->regular || ftruncate(w->fd, w->size) < 0))
        kept = "the last line may be cut short";
    return vs_error_setc(err, e, w->path, 0, 0, "cannot write event %lld: %s (%s)",
                         (long long)w->seq, strerror(e), kept);
}

int ndjson_writer_emit(struct ndjson_writer *w, const char *kind, const struct vs_time *t,
                       const cJSON *body, struct vs_error *err)
{
    struct vs_time now;
    struct vs_error e;
    size_t done = 0;

    if (w->failed)
        return vs_error_set(err, w->path, 0, 0, "not writing: an earlier write failed");
    if (!t) {
        clock_now(&now);
        t = &now;
    }
    vbuf_reset(&w->line);
    if (event_encode(&w->line, w->seq, t, kind, body, &e) < 0)
        return vs_error_setc(err, e.code, w->path, 0, 0, "%s", e.msg);
    while (done < w->line.len) {
        ssize_t n = write(w->fd, w->line.data + done, w->line.len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return writer_fail(w, errno, done, err);
        if (n == 0)
            return writer_fail(w, ENOSPC, done, err);
        done += (size_t)n;
    }
    w->size += (off_t)done;
    w->bytes += done;
    w->seq++;
    return 0;
}

int ndjson_writer_sync(struct ndjson_writer *w, struct vs_error *err)
{
    if (w->regular && fsync(w->fd) < 0)
        return vs_error_setc(err, errno, w->path, 0, 0, "fsync failed: %s", strerror(errno));
    return 0;
}

int64_t ndjson_writer_count(const struct ndjson_writer *w)
{
    return w->seq;
}

uint64_t ndjson_writer_bytes(const struct ndjson_writer *w)
{
    return w->bytes;
}

int ndjson_writer_failed(const struct ndjson_writer *w)
{
    return w->failed;
}

const char *ndjson_writer_path(const struct ndjson_writer *w)
{
    return w->path;
}

int ndjson_writer_close(struct ndjson_writer *w, struct vs_error *err)
{
    int rc = 0;

    if (!w)
        return 0;
    if (ndjson_writer_sync(w, err) < 0)
        rc = -1;
    if (close(w->fd) < 0 && rc == 0)
        rc = vs_error_setc(err, errno, w->path, 0, 0, "close failed: %s", strerror(errno));
    vbuf_release(&w->line);
    free(w);
    return rc;
}
