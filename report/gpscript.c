#include "gpscript.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gnuplot.h"

/* Write s as a gnuplot single-quoted string (a quote inside is doubled). */
void gp_put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        if (*s != '\n')
            fputc(*s, f);
    }
    fputc('\'', f);
}

/* Write s as a data-file string: double-quoted, without quotes inside. */
void gp_put_label(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        if (*s != '"' && *s != '\n' && *s != '\\')
            fputc(*s, f);
    fputc('"', f);
}

/* A number for a data file, "?" when it does not exist. */
void gp_put_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.9g", v);
    else
        fputs(" ?", f);
}

int gp_open(struct gp *g)
{
    for (size_t i = 0; i < GP_SCRIPTS; i++) {
        char path[4200];

        snprintf(g->names[i], sizeof(g->names[i]), "charts-%zu.gp", i);
        snprintf(path, sizeof(path), "%s/%s", g->workdir, g->names[i]);
        if (!(g->script[i] = fopen(path, "w")))
            return vs_error_setc(g->err, errno, path, 0, 0, "cannot create: %s", strerror(errno));
        fputs("# written by vmstorm-report; run with gnuplot from this folder\n", g->script[i]);
    }
    return 0;
}

/* Close the scripts (checking the writes) and run them. */
int gp_finish(struct gp *g)
{
    const char *names[GP_SCRIPTS];
    int rc = 0;

    for (size_t i = 0; i < GP_SCRIPTS; i++) {
        names[i] = g->names[i];
        if (g->script[i]) {
            fputs("unset output\n", g->script[i]);
            if ((ferror(g->script[i]) | fclose(g->script[i])) && rc == 0)
                rc = vs_error_setc(g->err, errno ? errno : EIO, g->names[i], 0, 0,
                                   "cannot write the script: %s", strerror(errno ? errno : EIO));
            g->script[i] = NULL;
        }
    }
    return rc < 0 ? -1 : gnuplot_run_all(g->workdir, names, GP_SCRIPTS, g->err);
}

void gp_abandon(struct gp *g)
{
    for (size_t i = 0; i < GP_SCRIPTS; i++)
        if (g->script[i])
            fclose(g->script[i]);
}

/*
 * Begin a chart: record it in the set and write its preamble to the next
 * script. Returns the script to write the plot commands to, or NULL when
 * the set is full.
 */
FILE *gp_chart(struct gp *g, const char *id, const char *title, const char *caption, int w, int h)
{
    struct chart *c;
    FILE *f;

    if (g->out->n >= CHART_MAX)
        return NULL;
    c = &g->out->v[g->out->n++];
    snprintf(c->id, sizeof(c->id), "%s", id);
    snprintf(c->png, sizeof(c->png), "%s/%s.png", g->pngdir, id);
    snprintf(c->title, sizeof(c->title), "%s", title);
    snprintf(c->caption, sizeof(c->caption), "%s", caption);
    c->width = w;
    c->height = h;
    f = g->script[g->next++ % GP_SCRIPTS];
    fprintf(f, "\n# --- %s\nreset\n", id);
    fprintf(f,
            "set terminal pngcairo size %d,%d noenhanced font 'DejaVu Sans,9' fontscale 2.4 "
            "linewidth 2 rounded\n",
            w, h);
    fputs("set output ", f);
    gp_put_quoted(f, c->png);
    fputs("\nset encoding utf8\nset datafile missing '?'\n"
          "set border 3 lc rgb '#444444'\nset tics nomirror out\n"
          "set grid lc rgb '#e3e3e3' lt 1 lw 0.6\n"
          "set key opaque box lc rgb '#bbbbbb' samplen 2\n"
          "set title ",
          f);
    gp_put_quoted(f, title);
    fputs(" font ',11'\n", f);
    return f;
}

FILE *gp_data(struct gp *g, const char *name)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", g->workdir, name);
    if (!(f = fopen(path, "w")))
        vs_error_setc(g->err, errno, path, 0, 0, "cannot create: %s", strerror(errno));
    return f;
}

int gp_data_close(struct gp *g, FILE *f, const char *name)
{
    if ((ferror(f) | fclose(f)) != 0)
        return vs_error_setc(g->err, errno ? errno : EIO, name, 0, 0, "cannot write: %s",
                             strerror(errno ? errno : EIO));
    return 0;
}

/* A round step giving about `parts` parts of span: 1, 2 or 5 times a power of 10. */
double gp_nice_step(double span, int parts)
{
    double raw = span / parts, p, m;

    if (!(raw > 0))
        return 1;
    p = pow(10, floor(log10(raw)));
    m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}
