/*
 * pdfdoc.c - a flowing A4 document on a cairo PDF surface (see pdfdoc.h).
 *
 * Inside, every length is in PDF points (1/72 in) with y growing down from
 * the top of the page, as cairo has it; only the public API speaks
 * millimetres. The cursor d->y is the top of the next block. Content lives
 * between TOP and BOTTOM; the footer sits in the bottom margin below BOTTOM,
 * so nothing a block draws can overlap it.
 *
 * Text goes through the toy text API, which takes UTF-8 and sets a sticky
 * error on an invalid string; every string is therefore cleaned first
 * (text_clean), and lines are only ever cut at character boundaries.
 *
 * The PDF goes through our own FILE (cairo_pdf_surface_create_for_stream)
 * rather than cairo_pdf_surface_create: then a file that cannot be created
 * or written is reported with errno's message, and fclose is checked.
 */
#include "pdfdoc.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define MM (72.0 / 25.4) /* points per millimetre */
#define PAGE_W 595.276
#define PAGE_H 841.89
#define MARGIN (18.0 * MM)
#define TEXT_W (PAGE_W - 2.0 * MARGIN)
#define TOP MARGIN
#define BOTTOM (PAGE_H - MARGIN) /* content ends here; the footer is below */
#define FOOTER_RULE (BOTTOM + 3.0 * MM)
#define FOOTER_BASE (BOTTOM + 7.0 * MM) /* within the 8 mm kept for the footer */

#define FONT "DejaVu Sans"
#define ELLIPSIS "\xe2\x80\xa6"    /* U+2026 */
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, for bytes that are not UTF-8 */

#define C_TEXT 0x212121
#define C_MUTED 0x616161
#define C_FOOTER 0x757575
#define C_RULE 0xb0bec5
#define C_HEAD_BG 0xdfe4e8
#define C_HEAD_LINE 0x607d8b
#define C_ZEBRA 0xf4f6f7

#define TABLE_PAD (2.0 * MM)
#define TABLE_FONT_MAX 9.0
#define TABLE_FONT_MIN 6.0

struct pdfdoc {
    cairo_surface_t *surface;
    cairo_t *cr;
    FILE *fp;        /* the output, written by write_cb */
    int write_errno; /* errno of the first failed write, 0 if none */
    char *path;
    char *title; /* cleaned, for the footer */
    int page;    /* number of the current page, from 1 */
    int drawn;   /* something was drawn on the current page */
    int oom;     /* an allocation failed: some content is missing */
    double y;    /* the cursor, pt from the top of the page */
};

/* Lines of wrapped text: line i is the NUL-terminated string buf + off[i]. */
struct lines {
    char *buf;
    size_t *off;
    size_t n;
};

static const unsigned tone_full[] = {0x607d8b, 0x2e7d32, 0xef8f00, 0xc62828};
static const unsigned tone_tint[] = {0xeceff1, 0xe3f4e3, 0xfdf0d5, 0xfbe0e0};

static void set_err(char *err, size_t errlen, const char *fmt, ...) VS_PRINTF(3, 4);

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static unsigned tone_color(enum pdfdoc_tone tone, int full)
{
    size_t i = (size_t)tone < sizeof tone_full / sizeof tone_full[0] ? (size_t)tone : 0;

    return full ? tone_full[i] : tone_tint[i];
}

/* --- text helpers ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when none starts there. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned lo = 0x80, hi = 0xbf;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (s[0] >= 0xe0 && s[0] <= 0xef) {
        lo = s[0] == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
        hi = s[0] == 0xed ? 0x9f : 0xbf; /* no surrogates */
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        lo = s[0] == 0xf0 ? 0x90 : 0x80;
        hi = s[0] == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/*
 * A copy of s (NULL reads as "") that cairo accepts: bytes that are not
 * UTF-8 become U+FFFD, control characters spaces ("\n" is kept when
 * keep_newlines). NULL when out of memory (recorded in d).
 */
static char *text_clean(struct pdfdoc *d, const char *s, int keep_newlines)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    char *out = malloc(3 * strlen((const char *)p) + 1);
    size_t n = 0, len;

    if (!out) {
        d->oom = 1;
        return NULL;
    }
    for (; *p; p += len) {
        len = utf8_len(p);
        if (len == 0) {
            memcpy(out + n, REPLACEMENT, 3);
            n += 3;
            len = 1;
        } else if (len == 1 && (*p < 0x20 || *p == 0x7f)) {
            out[n++] = *p == '\n' && keep_newlines ? '\n' : ' ';
        } else {
            memcpy(out + n, p, len);
            n += len;
        }
    }
    out[n] = '\0';
    return out;
}

static void set_font(struct pdfdoc *d, double size, int bold)
{
    cairo_select_font_face(d->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(d->cr, size);
}

static void set_color(cairo_t *cr, unsigned rgb)
{
    cairo_set_source_rgb(cr, (rgb >> 16 & 0xff) / 255.0, (rgb >> 8 & 0xff) / 255.0,
                         (rgb & 0xff) / 255.0);
}

static double advance(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;

    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* The baseline that centres text of the given size in a line box of height lh. */
static double baseline(double top, double lh, double size)
{
    return top + lh / 2.0 + 0.36 * size; /* 0.36 em: half DejaVu's cap height */
}

static void show(cairo_t *cr, double x, double y, const char *s)
{
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

/*
 * Draw clean text s in the current font in a box of the given width starting
 * at x, aligned left or right; text wider than the box is cut at a character
 * boundary and ends with an ellipsis.
 */
static void show_fitted(struct pdfdoc *d, const char *s, double x, double width, double y,
                        enum pdfdoc_align align)
{
    double w = advance(d->cr, s);
    size_t len = strlen(s), cut = 0, next;
    char *tmp;

    if (w > width) {
        if (advance(d->cr, ELLIPSIS) > width)
            return;
        tmp = malloc(len + sizeof ELLIPSIS);
        if (!tmp) {
            d->oom = 1;
            return;
        }
        for (;; cut = next) { /* the longest prefix that fits with the ellipsis */
            next = cut + utf8_len((const unsigned char *)s + cut);
            memcpy(tmp, s, next);
            memcpy(tmp + next, ELLIPSIS, sizeof ELLIPSIS);
            if (next >= len || advance(d->cr, tmp) > width)
                break;
        }
        while (cut > 0 && s[cut - 1] == ' ')
            cut--;
        memcpy(tmp, s, cut);
        memcpy(tmp + cut, ELLIPSIS, sizeof ELLIPSIS);
        w = advance(d->cr, tmp);
        show(d->cr, align == PDFDOC_RIGHT ? x + width - w : x, y, tmp);
        free(tmp);
        return;
    }
    show(d->cr, align == PDFDOC_RIGHT ? x + width - w : x, y, s);
}

/* --- word wrapping -------------------------------------------------------------- */

/* A line being built in out->buf[start, w). */
struct wrap {
    cairo_t *cr;
    double width;
    struct lines *out;
    size_t start;
    size_t w;
};

static int wrap_fits(const struct wrap *s, size_t end)
{
    char *buf = s->out->buf, c = buf[end];
    double w;

    buf[end] = '\0';
    w = advance(s->cr, buf + s->start);
    buf[end] = c;
    return w <= s->width + 0.01;
}

/* End the current line at s->w; the next one starts after its NUL. */
static void wrap_push(struct wrap *s)
{
    s->out->buf[s->w] = '\0';
    s->out->off[s->out->n++] = s->start;
    s->start = ++s->w;
}

/* While the line (a single word) is too wide, cut it at character boundaries. */
static void wrap_break_word(struct wrap *s)
{
    char *buf = s->out->buf;
    size_t cut, next, end;

    while (s->w > s->start && !wrap_fits(s, s->w)) {
        cut = s->start + utf8_len((unsigned char *)buf + s->start); /* at least one character */
        while (cut < s->w) {
            next = cut + utf8_len((unsigned char *)buf + cut);
            if (!wrap_fits(s, next))
                break;
            cut = next;
        }
        end = s->w;
        memmove(buf + cut + 1, buf + cut, end - cut);
        s->w = cut;
        wrap_push(s);
        s->w = end + 1;
    }
}

static void wrap_word(struct wrap *s, const char *word, size_t len)
{
    char *buf = s->out->buf;

    if (s->w > s->start) { /* try it after a space on the current line */
        buf[s->w] = ' ';
        memcpy(buf + s->w + 1, word, len);
        if (wrap_fits(s, s->w + 1 + len)) {
            s->w += 1 + len;
            return;
        }
        wrap_push(s); /* the word, already copied, starts the next line */
        s->w += len;
    } else {
        memcpy(buf + s->w, word, len);
        s->w += len;
    }
    wrap_break_word(s);
}

static void lines_free(struct lines *l)
{
    free(l->buf);
    free(l->off);
    l->buf = NULL;
    l->off = NULL;
    l->n = 0;
}

/*
 * Wrap text greedily to width in the current font: "\n" ends a line, spaces
 * separate words, a word wider than width is cut between characters. Returns
 * 0, or -1 when out of memory (recorded in d; out is then empty).
 */
static int lines_wrap(struct pdfdoc *d, const char *text, double width, struct lines *out)
{
    char *clean = text_clean(d, text, 1);
    struct wrap s = {d->cr, width, out, 0, 0};
    const char *p = clean;
    size_t len, wl;

    out->n = 0;
    len = clean ? strlen(clean) : 0;
    /* every line holds a character or stands for a "\n": len + 1 lines, each with a NUL */
    out->buf = malloc(2 * len + 3);
    out->off = malloc((len + 2) * sizeof *out->off);
    if (!clean || !out->buf || !out->off) {
        d->oom = 1;
        free(clean);
        lines_free(out);
        return -1;
    }
    for (;;) {
        p += strspn(p, " ");
        wl = strcspn(p, " \n");
        if (wl > 0) {
            wrap_word(&s, p, wl);
            p += wl;
            continue;
        }
        wrap_push(&s);
        if (*p == '\0')
            break;
        p++;
    }
    free(clean);
    return 0;
}

/* --- pages ------------------------------------------------------------------ */

static void draw_footer(struct pdfdoc *d)
{
    char num[32];
    double nw;

    cairo_save(d->cr);
    set_color(d->cr, C_RULE);
    cairo_set_line_width(d->cr, 0.5);
    cairo_move_to(d->cr, MARGIN, FOOTER_RULE);
    cairo_line_to(d->cr, PAGE_W - MARGIN, FOOTER_RULE);
    cairo_stroke(d->cr);
    set_font(d, 8.0, 0);
    set_color(d->cr, C_FOOTER);
    snprintf(num, sizeof num, "page %d", d->page);
    nw = advance(d->cr, num);
    show(d->cr, PAGE_W - MARGIN - nw, FOOTER_BASE, num);
    show_fitted(d, d->title, MARGIN, TEXT_W - nw - 6.0 * MM, FOOTER_BASE, PDFDOC_LEFT);
    cairo_restore(d->cr);
}

static void page_break(struct pdfdoc *d)
{
    draw_footer(d);
    cairo_show_page(d->cr);
    d->page++;
    d->drawn = 0;
    d->y = TOP;
}

/*
 * Make room for a block need pt high: start a new page when it does not fit
 * on this one. On a page with nothing drawn yet, only move back to its top.
 */
static void ensure(struct pdfdoc *d, double need)
{
    if (d->y + need <= BOTTOM + 0.01)
        return;
    if (d->drawn)
        page_break(d);
    else
        d->y = TOP;
}

static void move_down(struct pdfdoc *d, double pt)
{
    d->y += pt > 0 ? pt : 0;
    if (d->y > BOTTOM)
        d->y = BOTTOM;
}

static void rule(struct pdfdoc *d, double y, double width, double line, unsigned rgb)
{
    set_color(d->cr, rgb);
    cairo_set_line_width(d->cr, line);
    cairo_move_to(d->cr, MARGIN, y);
    cairo_line_to(d->cr, MARGIN + width, y);
    cairo_stroke(d->cr);
}

static void fill_rect(cairo_t *cr, double x, double y, double w, double h, unsigned rgb)
{
    set_color(cr, rgb);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
}

/* Draw lines[from, to) in the current font and colour at x, one per lh, flowing on. */
static void flow_lines(struct pdfdoc *d, const struct lines *l, size_t from, size_t to, double x,
                       double lh, double size)
{
    size_t i;

    for (i = from; i < to; i++) {
        ensure(d, lh);
        show(d->cr, x, baseline(d->y, lh, size), l->buf + l->off[i]);
        d->drawn = 1;
        d->y += lh;
    }
}

/* --- the document ---------------------------------------------------------------- */

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len)
{
    struct pdfdoc *d = closure;

    if (fwrite(data, 1, len, d->fp) != len) {
        if (d->write_errno == 0)
            d->write_errno = errno ? errno : EIO;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

static void doc_free(struct pdfdoc *d)
{
    if (d->cr)
        cairo_destroy(d->cr);
    if (d->surface)
        cairo_surface_destroy(d->surface);
    if (d->fp)
        fclose(d->fp);
    free(d->path);
    free(d->title);
    free(d);
}

struct pdfdoc *pdfdoc_open(const char *path, const char *title, char *err, size_t errlen)
{
    struct pdfdoc *d = calloc(1, sizeof *d);
    cairo_status_t st;

    if (!d || !(d->path = strdup(path)) || !(d->title = text_clean(d, title, 0))) {
        set_err(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    d->fp = fopen(path, "wb");
    if (!d->fp) {
        set_err(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        goto fail;
    }
    d->surface = cairo_pdf_surface_create_for_stream(write_cb, d, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "vmstorm-report");
    d->cr = cairo_create(d->surface);
    st = cairo_status(d->cr);
    if (st != CAIRO_STATUS_SUCCESS) {
        set_err(err, errlen, "%s: cannot create: %s", path, cairo_status_to_string(st));
        goto fail;
    }
    d->page = 1;
    d->y = TOP;
    return d;
fail:
    if (d)
        doc_free(d);
    return NULL;
}

int pdfdoc_close(struct pdfdoc *d, char *err, size_t errlen)
{
    cairo_status_t st;
    int rc = 0;

    if (!d)
        return 0;
    draw_footer(d);
    cairo_show_page(d->cr);
    st = cairo_status(d->cr);
    cairo_destroy(d->cr);
    d->cr = NULL;
    cairo_surface_finish(d->surface);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(d->surface);
    if (fclose(d->fp) != 0 && d->write_errno == 0)
        d->write_errno = errno;
    d->fp = NULL;
    if (d->write_errno != 0) {
        set_err(err, errlen, "%s: cannot write: %s", d->path, strerror(d->write_errno));
        rc = -1;
    } else if (st != CAIRO_STATUS_SUCCESS) {
        set_err(err, errlen, "%s: %s", d->path, cairo_status_to_string(st));
        rc = -1;
    } else if (d->oom) {
        set_err(err, errlen, "%s: out of memory, the document is incomplete", d->path);
        rc = -1;
    }
    doc_free(d);
    return rc;
}

void pdfdoc_global_cleanup(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

void pdfdoc_new_page(struct pdfdoc *d)
{
    if (d && d->drawn)
        page_break(d);
}

int pdfdoc_pages(const struct pdfdoc *d)
{
    return d ? d->page : 0;
}

double pdfdoc_space_left(const struct pdfdoc *d)
{
    return d && d->y < BOTTOM ? (BOTTOM - d->y) / MM : 0.0;
}

void pdfdoc_skip(struct pdfdoc *d, double mm)
{
    if (d)
        move_down(d, mm * MM);
}

/* --- headings and paragraphs ----------------------------------------------------- */

/*
 * A bold heading: space before it (unless first on its page), its lines, then
 * space after; it moves to a new page when keep pt would not remain below it.
 * Returns the y of its top, or -1 when nothing was drawn.
 */
static double heading_block(struct pdfdoc *d, const char *text, double size, double before,
                            double after, double keep)
{
    struct lines l = {NULL, NULL, 0};
    double lh = 1.3 * size, top;

    if (!text || !*text)
        return -1;
    set_font(d, size, 1);
    if (lines_wrap(d, text, TEXT_W, &l) < 0)
        return -1;
    if (!d->drawn)
        before = 0;
    if (d->y + before + (double)l.n * lh + after + keep > BOTTOM + 0.01) {
        ensure(d, BOTTOM - TOP + 1.0); /* always a fresh page */
        before = 0;
    }
    move_down(d, before);
    top = d->y;
    set_color(d->cr, C_TEXT);
    flow_lines(d, &l, 0, l.n, MARGIN, lh, size);
    move_down(d, after);
    lines_free(&l);
    return top;
}

void pdfdoc_title(struct pdfdoc *d, const char *text)
{
    if (!d || heading_block(d, text, 22.0, 0, 1.5 * MM, 0) < 0)
        return;
    rule(d, d->y, TEXT_W, 1.0, C_HEAD_LINE);
    move_down(d, 6.0 * MM);
}

void pdfdoc_heading(struct pdfdoc *d, const char *text, double min_after_mm)
{
    char link[96], *name;
    double top, keep;

    if (!d)
        return;
    /* what must remain below: the gap under its rule and min_after_mm */
    keep = 3.0 * MM + (min_after_mm > 0 ? min_after_mm * MM : 0);
    top = heading_block(d, text, 14.0, 7.0 * MM, 0.8 * MM, keep);
    if (top < 0)
        return;
    rule(d, d->y, TEXT_W, 0.6, C_RULE);
    move_down(d, 3.0 * MM);
    name = text_clean(d, text, 0);
    if (!name)
        return;
    snprintf(link, sizeof link, "page=%d pos=[%d %d]", d->page, (int)MARGIN, (int)top);
    cairo_pdf_surface_add_outline(d->surface, CAIRO_PDF_OUTLINE_ROOT, name, link, 0);
    free(name);
}

void pdfdoc_subheading(struct pdfdoc *d, const char *text)
{
    if (d)
        heading_block(d, text, 11.0, 4.0 * MM, 1.5 * MM, 12.0 * MM);
}

static void paragraph(struct pdfdoc *d, const char *text, double size, unsigned rgb, double after)
{
    struct lines l = {NULL, NULL, 0};

    if (!d || !text || !*text)
        return;
    set_font(d, size, 0);
    if (lines_wrap(d, text, TEXT_W, &l) < 0)
        return;
    set_color(d->cr, rgb);
    flow_lines(d, &l, 0, l.n, MARGIN, 1.35 * size, size);
    move_down(d, after);
    lines_free(&l);
}

void pdfdoc_text(struct pdfdoc *d, const char *text)
{
    paragraph(d, text, 10.0, C_TEXT, 2.5 * MM);
}

void pdfdoc_note(struct pdfdoc *d, const char *text)
{
    paragraph(d, text, 8.5, C_MUTED, 2.5 * MM);
}

/* --- banner and key/value lists ------------------------------------------------------- */

void pdfdoc_banner(struct pdfdoc *d, enum pdfdoc_tone tone, const char *text)
{
    const double size = 13.0, lh = 1.3 * size, pad = 3.0 * MM, bar = 1.6 * MM;
    struct lines l = {NULL, NULL, 0};
    size_t i = 0, fit;
    double h;

    if (!d)
        return;
    set_font(d, size, 1);
    if (lines_wrap(d, text, TEXT_W - bar - 3.0 * pad, &l) < 0)
        return;
    h = 2.0 * pad + (double)l.n * lh;
    if (h <= BOTTOM - TOP)
        ensure(d, h); /* whole on one page when it can be */
    while (i < l.n) { /* else one box per page it covers */
        ensure(d, 2.0 * pad + lh);
        fit = (size_t)((BOTTOM - d->y - 2.0 * pad + 0.01) / lh);
        fit = fit < 1 ? 1 : fit > l.n - i ? l.n - i : fit;
        h = 2.0 * pad + (double)fit * lh;
        fill_rect(d->cr, MARGIN, d->y, TEXT_W, h, tone_color(tone, 0));
        fill_rect(d->cr, MARGIN, d->y, bar, h, tone_color(tone, 1));
        d->drawn = 1;
        d->y += pad;
        set_color(d->cr, C_TEXT);
        flow_lines(d, &l, i, i + fit, MARGIN + bar + 2.0 * pad, lh, size);
        move_down(d, pad);
        i += fit;
    }
    move_down(d, 4.0 * MM);
    lines_free(&l);
}

/* The width of the key column: the widest key, at most 40% of the text width. */
static double keyvals_key_width(struct pdfdoc *d, const char *const *kv, size_t n)
{
    double w = 0, kw;
    size_t i;
    char *key;

    set_font(d, 10.0, 1);
    for (i = 0; i < n; i++) {
        key = text_clean(d, kv[2 * i], 0);
        if (!key)
            continue;
        kw = advance(d->cr, key);
        w = kw > w ? kw : w;
        free(key);
    }
    return w < 0.4 * TEXT_W ? w : 0.4 * TEXT_W;
}

static void keyvals_row(struct pdfdoc *d, const char *key, const char *value, double kw, double gap)
{
    const double size = 10.0, lh = 1.35 * size;
    struct lines k = {NULL, NULL, 0}, v = {NULL, NULL, 0};
    size_t i, rows;

    set_font(d, size, 1);
    if (lines_wrap(d, key, kw, &k) < 0)
        return;
    set_font(d, size, 0);
    if (lines_wrap(d, value, TEXT_W - kw - gap, &v) < 0) {
        lines_free(&k);
        return;
    }
    rows = k.n > v.n ? k.n : v.n;
    if ((double)rows * lh <= BOTTOM - TOP)
        ensure(d, (double)rows * lh); /* keep the pair together */
    set_color(d->cr, C_TEXT);
    for (i = 0; i < rows; i++) {
        ensure(d, lh);
        if (i < k.n) {
            set_font(d, size, 1);
            show(d->cr, MARGIN, baseline(d->y, lh, size), k.buf + k.off[i]);
        }
        if (i < v.n) {
            set_font(d, size, 0);
            show(d->cr, MARGIN + kw + gap, baseline(d->y, lh, size), v.buf + v.off[i]);
        }
        d->drawn = 1;
        d->y += lh;
    }
    move_down(d, 0.8 * MM);
    lines_free(&k);
    lines_free(&v);
}

void pdfdoc_keyvals(struct pdfdoc *d, const char *const *kv, size_t n)
{
    const double gap = 5.0 * MM;
    double kw;
    size_t i;

    if (!d || !kv || n == 0)
        return;
    kw = keyvals_key_width(d, kv, n);
    for (i = 0; i < n; i++)
        keyvals_row(d, kv[2 * i], kv[2 * i + 1], kw, gap);
    move_down(d, 2.5 * MM);
}

/* --- tables ------------------------------------------------------------------- */

struct table {
    size_t ncols, nrows;
    char **cell; /* (nrows + 1) * ncols clean strings, the header row first */
    const enum pdfdoc_align *align;
    const enum pdfdoc_tone *tones;
    double *w; /* column widths, padding included */
    double fs, row_h, width;
};

static void table_release(struct table *t)
{
    size_t i;

    for (i = 0; t->cell && i < (t->nrows + 1) * t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
    free(t->w);
}

static int table_load(struct pdfdoc *d, struct table *t, const char *const *headers,
                      const char *const *cells)
{
    size_t i, n = (t->nrows + 1) * t->ncols;

    t->cell = calloc(n, sizeof *t->cell);
    t->w = calloc(t->ncols, sizeof *t->w);
    if (!t->cell || !t->w) {
        d->oom = 1;
        return -1;
    }
    for (i = 0; i < n; i++) {
        const char *s = NULL;

        if (i < t->ncols)
            s = headers ? headers[i] : NULL;
        else
            s = cells ? cells[i - t->ncols] : NULL;
        t->cell[i] = text_clean(d, s, 0);
        if (!t->cell[i])
            return -1;
    }
    return 0;
}

/*
 * Columns too wide for the text width even at the smallest font share it:
 * narrow columns keep their width, the others get an equal cap and clip.
 */
static void table_cap(double *w, size_t ncols)
{
    double left = TEXT_W, cap;
    size_t i, open = ncols, fixed;
    char *done = calloc(ncols, 1);

    if (!done) { /* equal widths will do */
        for (i = 0; i < ncols; i++)
            w[i] = TEXT_W / (double)ncols;
        return;
    }
    do {
        cap = left / (double)open;
        fixed = 0;
        for (i = 0; i < ncols; i++) {
            if (!done[i] && w[i] <= cap) {
                done[i] = 1;
                left -= w[i];
                open--;
                fixed++;
            }
        }
    } while (fixed > 0 && open > 0);
    for (i = 0; i < ncols; i++)
        if (!done[i])
            w[i] = cap;
    free(done);
}

/* Choose the font size and column widths (see pdfdoc.h). */
static void table_fit(struct pdfdoc *d, struct table *t)
{
    double *w = t->w, total = 0, aw;
    size_t r, c;
    int half;

    set_font(d, TABLE_FONT_MAX, 1); /* natural widths at the largest size */
    for (r = 0; r <= t->nrows; r++) {
        if (r == 1)
            set_font(d, TABLE_FONT_MAX, 0);
        for (c = 0; c < t->ncols; c++) {
            aw = advance(d->cr, t->cell[r * t->ncols + c]);
            w[c] = aw > w[c] ? aw : w[c];
        }
    }
    /* the toy text API scales linearly (no hinting on PDF), so scale, not re-measure */
    for (half = (int)(2 * TABLE_FONT_MAX); half >= (int)(2 * TABLE_FONT_MIN); half--) {
        t->fs = half / 2.0;
        total = 0;
        for (c = 0; c < t->ncols; c++)
            total += w[c] * t->fs / TABLE_FONT_MAX + 2.0 * TABLE_PAD;
        if (total <= TEXT_W)
            break;
    }
    for (c = 0; c < t->ncols; c++)
        w[c] = w[c] * t->fs / TABLE_FONT_MAX + 2.0 * TABLE_PAD;
    if (total > TEXT_W)
        table_cap(w, t->ncols);
    t->width = 0;
    for (c = 0; c < t->ncols; c++)
        t->width += w[c];
    t->row_h = 1.65 * t->fs;
}

static void table_row(struct pdfdoc *d, const struct table *t, size_t r)
{
    const enum pdfdoc_tone *tone = t->tones && r > 0 ? &t->tones[r - 1] : NULL;
    double x = MARGIN, base = baseline(d->y, t->row_h, t->fs);
    enum pdfdoc_align al;
    size_t c;

    if (r == 0)
        fill_rect(d->cr, MARGIN, d->y, t->width, t->row_h, C_HEAD_BG);
    else if (tone && *tone != PDFDOC_NEUTRAL)
        fill_rect(d->cr, MARGIN, d->y, t->width, t->row_h, tone_color(*tone, 0));
    else if (r % 2 == 0)
        fill_rect(d->cr, MARGIN, d->y, t->width, t->row_h, C_ZEBRA);
    set_font(d, t->fs, r == 0);
    set_color(d->cr, C_TEXT);
    for (c = 0; c < t->ncols; c++) {
        al = t->align && t->align[c] == PDFDOC_RIGHT ? PDFDOC_RIGHT : PDFDOC_LEFT;
        show_fitted(d, t->cell[r * t->ncols + c], x + TABLE_PAD, t->w[c] - 2.0 * TABLE_PAD, base,
                    al);
        x += t->w[c];
    }
    d->y += t->row_h;
    d->drawn = 1;
    if (r == 0)
        rule(d, d->y, t->width, 0.8, C_HEAD_LINE);
}

void pdfdoc_table(struct pdfdoc *d, size_t ncols, const char *const *headers,
                  const enum pdfdoc_align *align, const char *const *cells, size_t nrows,
                  const enum pdfdoc_tone *tones)
{
    struct table t = {ncols, nrows, NULL, align, tones, NULL, 0, 0, 0};
    size_t r;

    if (!d || ncols == 0)
        return;
    if (table_load(d, &t, headers, cells) < 0)
        goto out;
    table_fit(d, &t);
    ensure(d, t.row_h * (double)(1 + (nrows < 3 ? nrows : 3))); /* no lone header */
    table_row(d, &t, 0);
    for (r = 1; r <= nrows; r++) {
        if (d->y + t.row_h > BOTTOM + 0.01) {
            page_break(d);
            table_row(d, &t, 0);
        }
        table_row(d, &t, r);
    }
    rule(d, d->y, t.width, 0.5, C_RULE);
    move_down(d, 5.0 * MM);
out:
    table_release(&t);
}

/* --- images --------------------------------------------------------------------- */

int pdfdoc_image_png(struct pdfdoc *d, const char *png_path, double width_mm, char *err,
                     size_t errlen)
{
    cairo_surface_t *img;
    cairo_status_t st;
    double iw, ih, w, h;

    if (!d || !png_path) {
        set_err(err, errlen, "%s: no document or no PNG", png_path ? png_path : "(null)");
        return -1;
    }
    img = cairo_image_surface_create_from_png(png_path);
    st = cairo_surface_status(img);
    iw = cairo_image_surface_get_width(img);
    ih = cairo_image_surface_get_height(img);
    if (st != CAIRO_STATUS_SUCCESS || iw < 1 || ih < 1) {
        set_err(err, errlen, "%s: cannot read PNG: %s", png_path,
                st != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(st) : "empty image");
        cairo_surface_destroy(img);
        return -1;
    }
    w = width_mm * MM;
    if (!(w > 0) || w > TEXT_W)
        w = TEXT_W;
    h = w * ih / iw;
    if (h > BOTTOM - TOP) { /* as tall as a page at most */
        h = BOTTOM - TOP;
        w = h * iw / ih;
    }
    ensure(d, h);
    cairo_save(d->cr);
    cairo_translate(d->cr, MARGIN + (TEXT_W - w) / 2.0, d->y);
    cairo_scale(d->cr, w / iw, h / ih);
    cairo_set_source_surface(d->cr, img, 0, 0);
    cairo_paint(d->cr);
    cairo_restore(d->cr);
    cairo_surface_destroy(img);
    d->drawn = 1;
    d->y += h;
    move_down(d, 4.0 * MM);
    return 0;
}
