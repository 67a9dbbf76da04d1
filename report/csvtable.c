#include "csvtable.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vbuf.h"

/* The most a table may hold: a 100,000-VM run's vms.csv is ~50 MB. */
#define CSVTABLE_MAX_BYTES ((size_t)1 << 30)

struct csvtable {
    char *arena;   /* all cells, each NUL-terminated */
    size_t *cells; /* offsets into arena: (rows + 1) * ncols, header first */
    long *lines;   /* the line each record (header included) begins on */
    size_t ncols, nrecords;
};

/* The state of one parse, shared with libcsv's callbacks. */
struct reader {
    struct vbuf arena;
    size_t *cells, ncells, cap;
    long *lines;
    size_t lines_cap;
    size_t fields; /* fields in the record being read */
    size_t ncols;  /* from the header; 0 until it is read */
    size_t nrecords;
    long line;         /* the line the parser is on */
    long record_line;  /* the line the current record began on */
    int failed;        /* 1: out of memory, 2: wrong field count */
    size_t bad_fields; /* for the message */
};

static int push_cell(struct reader *r, const void *s, size_t len)
{
    if (r->ncells == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        size_t *c = realloc(r->cells, cap * sizeof(*c));

        if (!c)
            return -1;
        r->cells = c;
        r->cap = cap;
    }
    r->cells[r->ncells++] = r->arena.len;
    if (vbuf_add(&r->arena, s, len) < 0 || vbuf_addc(&r->arena, 0) < 0)
        return -1;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;

    if (r->failed)
        return;
    if (r->fields == 0)
        r->record_line = r->line;
    if (r->ncols && r->fields >= r->ncols) {
        r->fields++;
        return; /* counted; the record's end reports it */
    }
    if (push_cell(r, s ? s : "", s ? len : 0) < 0)
        r->failed = 1;
    r->fields++;
}

static void on_record(int term, void *data)
{
    struct reader *r = data;

    (void)term;
    if (r->failed)
        return;
    if (r->fields == 0)
        return; /* a blank line */
    if (!r->ncols) {
        r->ncols = r->fields;
    } else if (r->fields != r->ncols) {
        r->failed = 2;
        r->bad_fields = r->fields;
        return;
    }
    if (r->nrecords == r->lines_cap) {
        size_t cap = r->lines_cap ? 2 * r->lines_cap : 64;
        long *l = realloc(r->lines, cap * sizeof(*l));

        if (!l) {
            r->failed = 1;
            return;
        }
        r->lines = l;
        r->lines_cap = cap;
    }
    r->lines[r->nrecords++] = r->record_line;
    r->fields = 0;
}

/* Feed buf to the parser, keeping r->line current across newlines. */
static int feed(struct csv_parser *p, struct reader *r, const char *buf, size_t n)
{
    size_t start = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i < n && buf[i] != '\n')
            continue;
        size_t len = i - start + (i < n);

        if (len && csv_parse(p, buf + start, len, on_field, on_record, r) != len)
            return -1;
        if (r->failed)
            return -1;
        if (i < n)
            r->line++;
        start = i + 1;
    }
    return 0;
}

static int parse_file(FILE *f, const char *path, struct reader *r, struct vs_error *err)
{
    struct csv_parser p;
    char buf[65536];
    size_t n;
    int rc = 0;

    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return vs_error_setc(err, ENOMEM, path, 0, 0, "out of memory");
    r->line = 1;
    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
        rc = feed(&p, r, buf, n);
    if (rc == 0 && ferror(f))
        rc = vs_error_setc(err, errno, path, 0, 0, "cannot read: %s", strerror(errno));
    else if (rc == 0 && csv_fini(&p, on_field, on_record, r) != 0)
        rc = -1;
    if (rc < 0 && !err->msg[0]) {
        if (r->failed == 1)
            vs_error_setc(err, ENOMEM, path, r->line, 0,
                          "out of memory, or the file is over 1 GiB of cells");
        else if (r->failed == 2)
            vs_error_setc(err, EINVAL, path, r->record_line, 0,
                          "%zu fields where the header has %zu", r->bad_fields, r->ncols);
        else
            vs_error_setc(err, EINVAL, path, r->line, 0, "malformed CSV: %s",
                          csv_strerror(csv_error(&p)));
    }
    csv_free(&p);
    return rc < 0 ? -1 : 0;
}

struct csvtable *csvtable_read(const char *path, struct vs_error *err)
{
    struct reader r = {0};
    struct csvtable *t = NULL;
    FILE *f = fopen(path, "rb");

    vs_error_clear(err);
    if (!f) {
        vs_error_setc(err, errno, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    vbuf_init(&r.arena, CSVTABLE_MAX_BYTES);
    if (parse_file(f, path, &r, err) < 0)
        goto out;
    if (r.nrecords == 0) {
        vs_error_setc(err, EINVAL, path, 1, 0, "empty file: expected a header row");
        goto out;
    }
    if (!(t = calloc(1, sizeof(*t)))) {
        vs_error_setc(err, ENOMEM, path, 0, 0, "out of memory");
        goto out;
    }
    t->arena = vbuf_detach(&r.arena, NULL);
    t->cells = r.cells;
    t->lines = r.lines;
    t->ncols = r.ncols;
    t->nrecords = r.nrecords;
    r.cells = NULL;
    r.lines = NULL;
out:
    fclose(f);
    vbuf_release(&r.arena);
    free(r.cells);
    free(r.lines);
    return t;
}

void csvtable_free(struct csvtable *t)
{
    if (!t)
        return;
    free(t->arena);
    free(t->cells);
    free(t->lines);
    free(t);
}

size_t csvtable_rows(const struct csvtable *t)
{
    return t->nrecords - 1;
}

int csvtable_col(const struct csvtable *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->arena + t->cells[i], name) == 0)
            return (int)i;
    return -1;
}

const char *csvtable_cell(const struct csvtable *t, size_t row, int col)
{
    if (col < 0 || (size_t)col >= t->ncols || row + 1 >= t->nrecords)
        return "";
    return t->arena + t->cells[(row + 1) * t->ncols + (size_t)col];
}

double csvtable_num(const struct csvtable *t, size_t row, int col)
{
    const char *s = csvtable_cell(t, row, col);
    char *end;
    double v;

    if (!*s)
        return NAN;
    errno = 0;
    v = strtod(s, &end);
    if (*end || errno || !isfinite(v) || end == s)
        return NAN;
    return v;
}

long csvtable_line(const struct csvtable *t, size_t row)
{
    return row + 1 < t->nrecords ? t->lines[row + 1] : 0;
}
