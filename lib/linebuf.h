/*
 * linebuf.h - push framing of a newline-delimited stream (a watch response).
 *
 * A Kubernetes watch answers with one JSON object a line, and the transport
 * hands the body over in chunks of any size: half a line, or ten lines. Feed
 * each chunk as it arrives; every complete line is passed to a callback.
 *
 *   - A line ends at "\n"; the "\n" is not part of it, nor is one "\r" just
 *     before it (CRLF).
 *   - Blank lines (empty, or only spaces, tabs and "\r") are skipped.
 *   - Lines are bounded: a line longer than max_line bytes (counted after
 *     the "\r" is stripped) is never passed on. Its bytes are dropped as they
 *     arrive, up to and including its "\n"; linebuf_overflows() counts it
 *     once, as soon as it is known to be too long. The next line is framed
 *     normally. The memory held never exceeds max_line + 2 bytes.
 *   - The lines seen, and the overflow count, do not depend on how the
 *     stream was cut into chunks.
 *
 * Not thread-safe; one linebuf per stream. The callback must not feed the
 * linebuf that called it.
 */
#ifndef VS_LINEBUF_H
#define VS_LINEBUF_H

#include <stddef.h>

struct linebuf; /* opaque */

/*
 * A new, empty linebuf that accepts lines of at most max_line bytes
 * (0 is allowed: then every non-blank line overflows). Memory is allocated
 * as lines need it, never more than max_line + 2 bytes. Returns NULL when out
 * of memory or when max_line is absurd (>= SIZE_MAX / 4). Free with
 * linebuf_free().
 */
struct linebuf *linebuf_new(size_t max_line);

/* Free b and what it holds. Accepts NULL. */
void linebuf_free(struct linebuf *b);

/*
 * Feed len bytes of the stream (data may be NULL when len is 0). For each
 * line completed by them, in order, calls fn(ctx, line, len): line is
 * NUL-terminated (line[len] == '\0'), holds no "\n" (it may hold NUL bytes
 * from the stream, so use len) and is valid only during the call.
 *
 * Returns 0 when every byte was taken in, or the first non-zero value fn
 * returned: framing stops right after that line, and the bytes of data
 * after its "\n" are dropped (call linebuf_reset() before feeding another
 * stream). Returns -1 with errno ENOMEM when memory ran out while gathering a
 * line: that line is lost (the linebuf discards the rest of it, as for an
 * overflow, but does not count it). A callback that returns only positive
 * values keeps the two cases apart.
 */
int linebuf_feed(struct linebuf *b, const char *data, size_t len,
                 int (*fn)(void *ctx, const char *line, size_t len), void *ctx);

/*
 * Bytes held that are not yet a complete line: non-zero after the end of a
 * stream means it ended mid-line. The bytes of a line being discarded
 * (overflowed) are not held and not counted here.
 */
size_t linebuf_pending(const struct linebuf *b);

/* Number of lines dropped for being longer than max_line, since creation. */
size_t linebuf_overflows(const struct linebuf *b);

/*
 * Forget any partial line (held or being discarded), for a new stream. The
 * overflow count is kept; the memory is kept for reuse.
 */
void linebuf_reset(struct linebuf *b);

#endif
