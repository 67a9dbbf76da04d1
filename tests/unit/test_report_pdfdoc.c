/*
 * test_report_pdfdoc.c - the flowing PDF document.
 *
 * Layout is checked through the cursor (pdfdoc_space_left, pdfdoc_pages);
 * the files through poppler's pdfinfo and pdftotext when they are installed
 * (the checks that need them are skipped otherwise). Files go to a mkdtemp
 * directory, removed at the end.
 */
#include "unit.h"

#include <cairo.h>
#include <dirent.h>
#include <math.h>
#include <sys/stat.h>

#include "pdfdoc.h"

#define FULL_PAGE_MM (297.0 - 2 * 18.0)
#define LINE_MM (10.0 * 1.35 * 25.4 / 72.0) /* one line of pdfdoc_text */

#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.6g, want %.6g (within %g)", #a, a_, b_, (double)(eps));               \
    } while (0)

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("'%s' not found in:\n%s", (needle), (hay));                                   \
    } while (0)

/* --- helpers --------------------------------------------------------------------- */

static int group_setup(void **state)
{
    char *dir = strdup("/tmp/vmstorm-pdfdoc.XXXXXX");

    if (!dir || !mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

/* Remove the directory and what a failed test left in it. */
static int group_teardown(void **state)
{
    char *dir = *state, path[512];
    DIR *dh = opendir(dir);
    struct dirent *e;
    int rc;

    while (dh && (e = readdir(dh)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    if (dh)
        closedir(dh);
    rc = rmdir(dir);
    free(dir);
    pdfdoc_global_cleanup();
    return rc;
}

/* dir/name (free()). */
static char *tmp_path(void **state, const char *name)
{
    char *path = NULL;

    assert_true(asprintf(&path, "%s/%s", (const char *)*state, name) > 0);
    return path;
}

static int have_tool(const char *name)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/* The whole output of a shell command (free()), or NULL when it failed. */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    char *out = NULL;
    size_t len = 0, cap = 0, n;

    assert_non_null(p);
    do {
        if (len + 4096 + 1 > cap) {
            char *bigger = realloc(out, 2 * cap + 4096 + 1);

            assert_non_null(bigger);
            out = bigger;
            cap = 2 * cap + 4096 + 1;
        }
        n = fread(out + len, 1, cap - len - 1, p);
        len += n;
    } while (n > 0);
    out[len] = '\0';
    if (pclose(p) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* The text of the PDF (free()), or NULL when pdftotext is not installed. */
static char *pdf_text(const char *path)
{
    char cmd[512];
    char *out;

    if (!have_tool("pdftotext"))
        return NULL;
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", path);
    out = run(cmd);
    assert_non_null(out);
    return out;
}

/* pdfinfo's page count, or -1 when pdfinfo is not installed. */
static int pdf_pages(const char *path)
{
    char cmd[512];
    char *out, *p;
    int pages;

    if (!have_tool("pdfinfo"))
        return -1;
    snprintf(cmd, sizeof cmd, "pdfinfo '%s'", path);
    out = run(cmd);
    assert_non_null(out);
    p = strstr(out, "Pages:");
    assert_non_null(p);
    pages = atoi(p + strlen("Pages:"));
    free(out);
    return pages;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;

    while ((hay = strstr(hay, needle)) != NULL) {
        n++;
        hay += strlen(needle);
    }
    return n;
}

/* The whole file (free()); *len is its size (it may hold NULs). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *buf;

    assert_non_null(f);
    assert_int_equal(fstat(fileno(f), &st), 0);
    buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
    buf[st.st_size] = '\0';
    fclose(f);
    *len = (size_t)st.st_size;
    return buf;
}

static struct pdfdoc *open_ok(const char *path, const char *title)
{
    char err[256] = "";
    struct pdfdoc *d = pdfdoc_open(path, title, err, sizeof err);

    if (!d)
        fail_msg("pdfdoc_open: %s", err);
    return d;
}

static void close_ok(struct pdfdoc *d)
{
    char err[256] = "";

    if (pdfdoc_close(d, err, sizeof err) != 0)
        fail_msg("pdfdoc_close: %s", err);
}

/* A PNG of w x h pixels at path. */
static void write_png(const char *path, int w, int h)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(s);

    cairo_set_source_rgb(cr, 0.2, 0.4, 0.8);
    cairo_paint(cr);
    cairo_destroy(cr);
    assert_int_equal(cairo_surface_write_to_png(s, path), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);
}

/* --- opening and closing ----------------------------------------------------------- */

static void test_open_missing_dir(void **state)
{
    char *path = tmp_path(state, "no/such/dir/out.pdf");
    char err[256] = "";

    assert_null(pdfdoc_open(path, "t", err, sizeof err));
    assert_contains(err, path);
    assert_contains(err, "cannot create");
    free(path);
}

static void test_close_null(void **state)
{
    char err[8] = "";

    (void)state;
    assert_int_equal(pdfdoc_close(NULL, err, sizeof err), 0);
}

static void test_close_reports_write_error(void **state)
{
    char err[256] = "";
    struct pdfdoc *d;

    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    d = open_ok("/dev/full", "full");
    pdfdoc_text(d, "nowhere to go");
    assert_int_equal(pdfdoc_close(d, err, sizeof err), -1);
    assert_contains(err, "/dev/full");
}

static void test_empty_document(void **state)
{
    char *path = tmp_path(state, "empty.pdf");
    struct pdfdoc *d = open_ok(path, "Empty report");
    char *text, *info, cmd[512];
    size_t len;

    assert_int_equal(pdfdoc_pages(d), 1);
    assert_near(pdfdoc_space_left(d), FULL_PAGE_MM, 0.01);
    close_ok(d);
    text = slurp(path, &len);
    assert_true(len > 5);
    assert_memory_equal(text, "%PDF-", 5);
    free(text);
    if (have_tool("pdfinfo")) {
        assert_int_equal(pdf_pages(path), 1);
        snprintf(cmd, sizeof cmd, "pdfinfo '%s'", path);
        info = run(cmd);
        assert_non_null(info);
        assert_contains(info, "Empty report");   /* Title */
        assert_contains(info, "vmstorm-report"); /* Creator */
        assert_contains(info, "595.276 x 841.89 pts");
        free(info);
    }
    text = pdf_text(path);
    if (text) {
        assert_contains(text, "Empty report"); /* the footer */
        assert_contains(text, "page 1");
        free(text);
    }
    unlink(path);
    free(path);
}

/* --- content ----------------------------------------------------------------------- */

static void test_everything_is_text(void **state)
{
    static const char *const kv[] = {"keymarker", "valuemarker", "other key", NULL};
    static const char *const hdr[] = {"hdrmarker", "n"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT, PDFDOC_RIGHT};
    static const char *const cells[] = {"cellmarker", "42"};
    char *path = tmp_path(state, "text.pdf");
    struct pdfdoc *d = open_ok(path, "Footer title");
    char *text, *raw;
    size_t len;

    pdfdoc_title(d, "Titlemarker");
    pdfdoc_heading(d, "Findings", 30);
    pdfdoc_subheading(d, "Details");
    pdfdoc_text(d, "Zeitüberschreitung beim Warten");
    pdfdoc_note(d, "captionmarker");
    pdfdoc_banner(d, PDFDOC_BAD, "bannermarker");
    pdfdoc_keyvals(d, kv, 2);
    pdfdoc_table(d, 2, hdr, al, cells, 1, NULL);
    close_ok(d);

    raw = slurp(path, &len);
    assert_non_null(memmem(raw, len, "/Outlines", 9));
    assert_non_null(memmem(raw, len, "(Findings)", 10)); /* the heading's bookmark */
    assert_null(memmem(raw, len, "(Details)", 9));       /* subheadings have none */
    free(raw);
    text = pdf_text(path);
    if (text) {
        assert_contains(text, "Titlemarker");
        assert_contains(text, "Findings");
        assert_contains(text, "Details");
        assert_contains(text, "Zeitüberschreitung beim Warten");
        assert_contains(text, "captionmarker");
        assert_contains(text, "bannermarker");
        assert_contains(text, "keymarker");
        assert_contains(text, "valuemarker");
        assert_contains(text, "other key");
        assert_contains(text, "hdrmarker");
        assert_contains(text, "cellmarker");
        assert_contains(text, "Footer title");
        free(text);
    }
    unlink(path);
    free(path);
}

static void test_new_page_only_when_drawn(void **state)
{
    char *path = tmp_path(state, "pages.pdf");
    struct pdfdoc *d = open_ok(path, "t");

    pdfdoc_new_page(d);
    assert_int_equal(pdfdoc_pages(d), 1);
    pdfdoc_text(d, "one");
    pdfdoc_new_page(d);
    assert_int_equal(pdfdoc_pages(d), 2);
    assert_near(pdfdoc_space_left(d), FULL_PAGE_MM, 0.01);
    pdfdoc_new_page(d);
    assert_int_equal(pdfdoc_pages(d), 2);
    pdfdoc_text(d, "two");
    close_ok(d);
    if (have_tool("pdfinfo"))
        assert_int_equal(pdf_pages(path), 2);
    unlink(path);
    free(path);
}

static void test_skip(void **state)
{
    char *path = tmp_path(state, "skip.pdf");
    struct pdfdoc *d = open_ok(path, "t");

    pdfdoc_skip(d, 10);
    assert_near(pdfdoc_space_left(d), FULL_PAGE_MM - 10, 0.01);
    pdfdoc_skip(d, -5); /* never up */
    assert_near(pdfdoc_space_left(d), FULL_PAGE_MM - 10, 0.01);
    pdfdoc_skip(d, 1000);
    assert_near(pdfdoc_space_left(d), 0, 0.01);
    /* nothing drawn yet: the text goes to the top of this page, not a new one */
    pdfdoc_text(d, "top");
    assert_int_equal(pdfdoc_pages(d), 1);
    assert_true(pdfdoc_space_left(d) > FULL_PAGE_MM - 10);
    close_ok(d);
    unlink(path);
    free(path);
}

static void test_wrapping(void **state)
{
    char *path = tmp_path(state, "wrap.pdf");
    struct pdfdoc *d = open_ok(path, "t");
    char para[2048] = "";
    double before, one, two, many;
    int i;

    before = pdfdoc_space_left(d);
    pdfdoc_text(d, "A short line.");
    one = before - pdfdoc_space_left(d);
    assert_true(one >= LINE_MM - 0.01);

    before = pdfdoc_space_left(d);
    pdfdoc_text(d, "first\nsecond");
    two = before - pdfdoc_space_left(d);
    assert_near(two, one + LINE_MM, 0.01);

    for (i = 0; i < 40; i++)
        strcat(para, "boot storms measure how long virtual machines take ");
    before = pdfdoc_space_left(d);
    pdfdoc_text(d, para);
    many = before - pdfdoc_space_left(d);
    assert_true(many > one + 10 * LINE_MM); /* ~2000 characters: well over ten lines */
    /* whole lines only */
    assert_near(fmod(many - one + 0.001, LINE_MM), 0, 0.01);
    assert_int_equal(pdfdoc_pages(d), 1);
    close_ok(d);
    unlink(path);
    free(path);
}

/* A word wider than the page is cut between characters, never inside one. */
static void test_long_multibyte_word(void **state)
{
    char *path = tmp_path(state, "word.pdf");
    struct pdfdoc *d = open_ok(path, "t");
    char word[2 * 300 + 1];
    double before, used;
    char *text;
    int i;

    for (i = 0; i < 300; i++)
        memcpy(word + 2 * i, "\xc3\xa9", 2); /* é */
    word[600] = '\0';
    before = pdfdoc_space_left(d);
    pdfdoc_text(d, word);
    used = before - pdfdoc_space_left(d);
    assert_true(used > 3 * LINE_MM);
    close_ok(d); /* a cut inside a character would be a cairo error here */
    text = pdf_text(path);
    if (text) {
        assert_int_equal(count(text, "\xc3\xa9"), 300);
        free(text);
    }
    unlink(path);
    free(path);
}

static void test_invalid_utf8_is_replaced(void **state)
{
    static const char *const hdr[] = {"bad \xff header"};
    static const char *const cells[] = {"cell \xc3\x28 end"};
    char *path = tmp_path(state, "bad.pdf");
    struct pdfdoc *d = open_ok(path, "title \xfe");
    char *text;

    pdfdoc_heading(d, "heading \xed\xa0\x80 surrogate", 10);
    pdfdoc_text(d, "bytes \xff\xfe here\ttab\x01");
    pdfdoc_table(d, 1, hdr, NULL, cells, 1, NULL);
    close_ok(d);
    text = pdf_text(path);
    if (text) {
        assert_contains(text, "here");
        assert_contains(text, "\xef\xbf\xbd"); /* U+FFFD */
        free(text);
    }
    unlink(path);
    free(path);
}

static void test_heading_moves_to_next_page(void **state)
{
    char *path = tmp_path(state, "heading.pdf");
    struct pdfdoc *d = open_ok(path, "t");
    double left;

    pdfdoc_text(d, "something on the first page");
    pdfdoc_skip(d, pdfdoc_space_left(d) - 40);
    pdfdoc_heading(d, "Fits", 10); /* 40 mm: room for it and 10 mm */
    assert_int_equal(pdfdoc_pages(d), 1);
    left = pdfdoc_space_left(d);
    assert_true(left < 40 - 5);
    assert_true(left > 10);

    pdfdoc_heading(d, "Too late", left); /* would leave less than asked below it */
    assert_int_equal(pdfdoc_pages(d), 2);
    assert_true(pdfdoc_space_left(d) > FULL_PAGE_MM - 20);
    assert_true(pdfdoc_space_left(d) < FULL_PAGE_MM);
    pdfdoc_text(d, "under the heading");
    close_ok(d);
    if (have_tool("pdfinfo"))
        assert_int_equal(pdf_pages(path), 2);
    unlink(path);
    free(path);
}

static void test_banner_tones(void **state)
{
    char *path = tmp_path(state, "banner.pdf");
    struct pdfdoc *d = open_ok(path, "t");
    double before = pdfdoc_space_left(d), one;

    pdfdoc_banner(d, PDFDOC_GOOD, "good");
    one = before - pdfdoc_space_left(d);
    assert_true(one > 10 && one < 20);
    pdfdoc_banner(d, PDFDOC_WARN, "warn");
    pdfdoc_banner(d, PDFDOC_NEUTRAL, "neutral");
    pdfdoc_banner(d, (enum pdfdoc_tone)99, "out of range reads as neutral");
    before = pdfdoc_space_left(d);
    pdfdoc_banner(d, PDFDOC_BAD,
                  "a verdict long enough to need a second line in the banner, "
                  "which is made taller to hold it");
    assert_true(before - pdfdoc_space_left(d) > one + 4);
    close_ok(d);
    unlink(path);
    free(path);
}

/* --- tables ------------------------------------------------------------------------ */

static void test_long_table_splits(void **state)
{
    enum { ROWS = 200 };
    static const char *const hdr[] = {"hdrcol", "value", "state"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT, PDFDOC_RIGHT, PDFDOC_LEFT};
    char *path = tmp_path(state, "table.pdf");
    struct pdfdoc *d = open_ok(path, "t");
    static char buf[ROWS][2][16];
    const char *cells[ROWS * 3];
    enum pdfdoc_tone tones[ROWS];
    char *text;
    int i, pages;

    for (i = 0; i < ROWS; i++) {
        snprintf(buf[i][0], sizeof buf[i][0], "row%03d", i);
        snprintf(buf[i][1], sizeof buf[i][1], "%d.5", i);
        cells[3 * i] = buf[i][0];
        cells[3 * i + 1] = buf[i][1];
        cells[3 * i + 2] = i % 7 ? "ok" : NULL;
        tones[i] = (enum pdfdoc_tone)(i % 4);
    }
    pdfdoc_text(d, "before the table");
    pdfdoc_table(d, 3, hdr, al, cells, ROWS, tones);
    pages = pdfdoc_pages(d);
    assert_true(pages >= 3); /* 200 rows of ~5 mm */
    assert_true(pdfdoc_space_left(d) < FULL_PAGE_MM);
    pdfdoc_text(d, "after the table");
    assert_int_equal(pdfdoc_pages(d), pages);
    close_ok(d);
    if (have_tool("pdfinfo"))
        assert_int_equal(pdf_pages(path), pages);
    text = pdf_text(path);
    if (text) {
        assert_int_equal(count(text, "hdrcol"), (size_t)pages); /* header on every page */
        assert_contains(text, "row000");
        assert_contains(text, "row199");
        assert_contains(text, "199.5");
        free(text);
    }
    unlink(path);
    free(path);
}

static void test_wide_table_clips(void **state)
{
    enum { COLS = 9, ROWS = 4 };
    const char *hdr[COLS];
    const char *cells[COLS * ROWS];
    char *path = tmp_path(state, "wide.pdf");
    struct pdfdoc *d = open_ok(path, "t");
    const char *wide = "a cell far too wide to fit in a ninth of the page at any font size "
                       "tailmarker";
    char *text;
    int i;

    for (i = 0; i < COLS; i++)
        hdr[i] = "h";
    for (i = 0; i < COLS * ROWS; i++)
        cells[i] = i % COLS == 0 ? "short" : wide;
    pdfdoc_table(d, COLS, hdr, NULL, cells, ROWS, NULL);
    assert_int_equal(pdfdoc_pages(d), 1);
    close_ok(d);
    text = pdf_text(path);
    if (text) {
        assert_contains(text, "short");
        assert_contains(text, "\xe2\x80\xa6"); /* … */
        assert_null(strstr(text, "tailmarker"));
        free(text);
    }
    unlink(path);
    free(path);
}

static void test_table_with_nulls(void **state)
{
    static const char *const hdr[] = {"a", NULL, "c"};
    static const char *const cells[] = {NULL, NULL, "x", "y", NULL, NULL};
    char *path = tmp_path(state, "nulls.pdf");
    struct pdfdoc *d = open_ok(path, "t");
    double before = pdfdoc_space_left(d);

    pdfdoc_table(d, 3, hdr, NULL, cells, 2, NULL);
    assert_true(pdfdoc_space_left(d) < before);
    before = pdfdoc_space_left(d);
    pdfdoc_table(d, 2, NULL, NULL, NULL, 0, NULL); /* a header row of empty cells */
    assert_true(pdfdoc_space_left(d) < before);
    before = pdfdoc_space_left(d);
    pdfdoc_table(d, 0, NULL, NULL, NULL, 5, NULL); /* no columns: nothing */
    pdfdoc_text(d, NULL);
    pdfdoc_note(d, "");
    pdfdoc_keyvals(d, NULL, 3);
    assert_near(pdfdoc_space_left(d), before, 1e-9);
    close_ok(d);
    unlink(path);
    free(path);
}

/* --- images ------------------------------------------------------------------------ */

static void test_png(void **state)
{
    char *path = tmp_path(state, "img.pdf");
    char *wide = tmp_path(state, "wide.png");
    char *tall = tmp_path(state, "tall.png");
    struct pdfdoc *d = open_ok(path, "t");
    char err[256] = "";
    double before, used;

    write_png(wide, 200, 100);
    write_png(tall, 100, 1000);
    before = pdfdoc_space_left(d);
    assert_int_equal(pdfdoc_image_png(d, wide, 100, err, sizeof err), 0);
    used = before - pdfdoc_space_left(d);
    assert_true(used >= 50 - 0.01 && used <= 50 + 6); /* 100 x 50 mm and a gap */

    before = pdfdoc_space_left(d);
    assert_int_equal(pdfdoc_image_png(d, wide, 1000, err, sizeof err), 0);
    used = before - pdfdoc_space_left(d);
    assert_true(used >= 87 - 0.01 && used <= 87 + 6); /* text width 174 mm at most */

    /* 170 mm wide would be 1700 mm tall: shrunk to a page, on a page of its own */
    assert_int_equal(pdfdoc_image_png(d, tall, 170, err, sizeof err), 0);
    assert_int_equal(pdfdoc_pages(d), 2);
    assert_true(pdfdoc_space_left(d) < 6);
    close_ok(d);
    if (have_tool("pdfinfo"))
        assert_int_equal(pdf_pages(path), 2);
    unlink(wide);
    unlink(tall);
    unlink(path);
    free(wide);
    free(tall);
    free(path);
}

static void test_png_errors(void **state)
{
    char *path = tmp_path(state, "imgerr.pdf");
    char *missing = tmp_path(state, "missing.png");
    char *notpng = tmp_path(state, "notpng.png");
    struct pdfdoc *d = open_ok(path, "t");
    char err[256] = "";
    FILE *f;
    double before = pdfdoc_space_left(d);

    assert_int_equal(pdfdoc_image_png(d, missing, 50, err, sizeof err), -1);
    assert_contains(err, missing);

    f = fopen(notpng, "w");
    assert_non_null(f);
    fputs("this is not a PNG\n", f);
    assert_int_equal(fclose(f), 0);
    err[0] = '\0';
    assert_int_equal(pdfdoc_image_png(d, notpng, 50, err, sizeof err), -1);
    assert_contains(err, notpng);

    assert_near(pdfdoc_space_left(d), before, 1e-9);
    close_ok(d); /* a failed image leaves no error behind */
    unlink(notpng);
    unlink(path);
    free(missing);
    free(notpng);
    free(path);
}

/*
 * fontconfig, which cairo's text API loads, keeps its caches for the life of
 * the process; under SANITIZE=address LeakSanitizer is told they are not ours.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_missing_dir),
        cmocka_unit_test(test_close_null),
        cmocka_unit_test(test_close_reports_write_error),
        cmocka_unit_test(test_empty_document),
        cmocka_unit_test(test_everything_is_text),
        cmocka_unit_test(test_new_page_only_when_drawn),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_wrapping),
        cmocka_unit_test(test_long_multibyte_word),
        cmocka_unit_test(test_invalid_utf8_is_replaced),
        cmocka_unit_test(test_heading_moves_to_next_page),
        cmocka_unit_test(test_banner_tones),
        cmocka_unit_test(test_long_table_splits),
        cmocka_unit_test(test_wide_table_clips),
        cmocka_unit_test(test_table_with_nulls),
        cmocka_unit_test(test_png),
        cmocka_unit_test(test_png_errors),
    };

    return cmocka_run_group_tests_name("report_pdfdoc", tests, group_setup, group_teardown);
}
