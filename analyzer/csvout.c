#include "csvout.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <csv.h>

int csvout_needs_quotes(const char *s)
{
    size_t n = strlen(s);

    if (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        return 1;
    return strpbrk(s, ",\"\r\n") != NULL;
}

void csvout_str(FILE *f, int first, const char *s)
{
    if (!first)
        fputc(',', f);
    if (!s)
        return;
    if (csvout_needs_quotes(s))
        csv_fwrite(f, s, strlen(s));
    else
        fputs(s, f);
}

void csvout_i64(FILE *f, int first, int64_t v)
{
    if (!first)
        fputc(',', f);
    fprintf(f, "%" PRId64, v);
}

void csvout_num(FILE *f, int first, double v)
{
    char buf[64];
    size_t n;

    if (!first)
        fputc(',', f);
    if (!isfinite(v))
        return;
    if (fabs(v) >= 1e15) { /* beyond what 9 decimals can mean: the shortest exact form */
        snprintf(buf, sizeof(buf), "%.17g", v);
        fputs(buf, f);
        return;
    }
    snprintf(buf, sizeof(buf), "%.9f", v);
    n = strlen(buf);
    if (strchr(buf, '.')) {
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    fputs(buf, f);
}

void csvout_end(FILE *f)
{
    fputc('\n', f);
}
