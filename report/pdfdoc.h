/*
 * pdfdoc.h - a flowing A4 document on a cairo PDF surface.
 *
 * The report's pages are built top to bottom: headings, paragraphs, a
 * coloured verdict banner, key/value lists, tables and PNG charts. The
 * document keeps a cursor; a block that does not fit on what is left of the
 * page starts a new one (tables split across pages and repeat their header
 * row). Every page carries a footer with the document's title and
 * "page N". All text is real text (cairo's text API with DejaVu Sans /
 * DejaVu Sans Mono through fontconfig), so it can be selected and is found by
 * pdftotext. Headings are added to the PDF outline (bookmarks).
 *
 * Units: millimetres for positions and sizes, points for font sizes.
 * Errors: drawing calls never fail on their own; cairo keeps a sticky error
 * status, which pdfdoc_close reports. pdfdoc_image_png can fail (unreadable
 * PNG) and says so.
 *
 * Ownership: pdfdoc_open returns a document the caller frees with
 * pdfdoc_close (which also finishes the file). Strings passed in are copied
 * or drawn at once; the caller keeps them.
 */
#ifndef VS_REPORT_PDFDOC_H
#define VS_REPORT_PDFDOC_H

#include <stddef.h>

struct pdfdoc;

enum pdfdoc_tone {
    PDFDOC_NEUTRAL, /* grey */
    PDFDOC_GOOD,    /* green */
    PDFDOC_WARN,    /* amber */
    PDFDOC_BAD,     /* red */
};

enum pdfdoc_align { PDFDOC_LEFT, PDFDOC_RIGHT };

/*
 * Create the PDF at path (A4 portrait, 18 mm margins) with the given title
 * (used in the footer and as the PDF's Title metadata). Returns NULL and
 * fills err when the file cannot be created.
 */
struct pdfdoc *pdfdoc_open(const char *path, const char *title, char *err, size_t errlen);

/*
 * Finish the file and free the document. Returns 0, or -1 with err filled
 * when cairo reported an error at any point (disk full, bad font...).
 * Accepts NULL (returns 0).
 */
int pdfdoc_close(struct pdfdoc *d, char *err, size_t errlen);

/*
 * Free cairo's and fontconfig's process-wide caches (fonts, their
 * configuration), which live until exit otherwise and read as leaks to
 * memory checkers. Call once at the end, after every document is closed.
 */
void pdfdoc_global_cleanup(void);

/* Start a new page (a no-op when the current page is still empty). */
void pdfdoc_new_page(struct pdfdoc *d);

/* Pages begun so far (1 after open). */
int pdfdoc_pages(const struct pdfdoc *d);

/* The height left on the current page, in mm. */
double pdfdoc_space_left(const struct pdfdoc *d);

/* Move the cursor down by mm (not past the bottom of the page). */
void pdfdoc_skip(struct pdfdoc *d, double mm);

/* A large title (first page), 22 pt bold. */
void pdfdoc_title(struct pdfdoc *d, const char *text);

/*
 * A section heading, 14 pt bold, added to the PDF outline. Starts a new page
 * when less than min_after_mm would remain below it (so a heading is never
 * left alone at the bottom of a page).
 */
void pdfdoc_heading(struct pdfdoc *d, const char *text, double min_after_mm);

/* A smaller heading inside a section, 11 pt bold (not in the outline). */
void pdfdoc_subheading(struct pdfdoc *d, const char *text);

/* A paragraph, 10 pt, word-wrapped to the text width; "\n" forces a break. */
void pdfdoc_text(struct pdfdoc *d, const char *text);

/* The same, 8.5 pt grey: captions and notes. */
void pdfdoc_note(struct pdfdoc *d, const char *text);

/*
 * A full-width box filled with a light tint of tone, a thick left bar in
 * the tone's full colour, and text in 13 pt bold, word-wrapped.
 */
void pdfdoc_banner(struct pdfdoc *d, enum pdfdoc_tone tone, const char *text);

/*
 * Key/value pairs as two columns (keys bold, values wrapped), 10 pt;
 * kv holds 2*n strings: key0, value0, key1, value1, ...
 */
void pdfdoc_keyvals(struct pdfdoc *d, const char *const *kv, size_t n);

/*
 * A table. headers has ncols strings, align ncols alignments, cells
 * nrows*ncols strings row by row (NULL is drawn as empty). tones may be NULL,
 * or nrows tones: a row with a tone other than PDFDOC_NEUTRAL gets a light
 * tint of it as its background. Column widths fit the widest cell; when the
 * table is wider than the text width the font shrinks (9 pt down to 6 pt),
 * then cells are clipped at their column's edge with an ellipsis. Rows
 * alternate a faint background; the header row is bold, repeated on each
 * page the table continues on.
 */
void pdfdoc_table(struct pdfdoc *d, size_t ncols, const char *const *headers,
                  const enum pdfdoc_align *align, const char *const *cells, size_t nrows,
                  const enum pdfdoc_tone *tones);

/*
 * A PNG image, scaled to width_mm (keeping its aspect ratio; never wider than
 * the text width, and shrunk to fit a page's height), centred. Starts a new
 * page when it does not fit in what is left. Returns 0, or -1 with err
 * filled when the PNG cannot be read.
 */
int pdfdoc_image_png(struct pdfdoc *d, const char *png_path, double width_mm, char *err,
                     size_t errlen);

#endif
