#include "jsonpretty.h"

#include <stdlib.h>

static int scalar(const cJSON *item, FILE *f)
{
    char *s = cJSON_PrintUnformatted(item);

    if (!s)
        return -1;
    fputs(s, f);
    free(s);
    return 0;
}

static int is_flat(const cJSON *arr)
{
    const cJSON *c;
    int n = 0;

    cJSON_ArrayForEach(c, arr)
    {
        if (cJSON_IsObject(c) || cJSON_IsArray(c) || ++n > 16)
            return 0;
    }
    return 1;
}

static int write_item(const cJSON *item, FILE *f, int depth)
{
    const cJSON *c;
    int obj = cJSON_IsObject(item), first = 1;

    if (!obj && !cJSON_IsArray(item))
        return scalar(item, f);
    if (!item->child) {
        fputs(obj ? "{}" : "[]", f);
        return 0;
    }
    if (!obj && is_flat(item)) {
        fputc('[', f);
        cJSON_ArrayForEach(c, item)
        {
            if (!first)
                fputs(", ", f);
            first = 0;
            if (scalar(c, f) < 0)
                return -1;
        }
        fputc(']', f);
        return 0;
    }
    fputc(obj ? '{' : '[', f);
    cJSON_ArrayForEach(c, item)
    {
        fputs(first ? "\n" : ",\n", f);
        first = 0;
        fprintf(f, "%*s", 2 * (depth + 1), "");
        if (obj) {
            cJSON *key = cJSON_CreateString(c->string ? c->string : "");
            int rc = key ? scalar(key, f) : -1;

            cJSON_Delete(key);
            if (rc < 0)
                return -1;
            fputs(": ", f);
        }
        if (write_item(c, f, depth + 1) < 0)
            return -1;
    }
    fprintf(f, "\n%*s%c", 2 * depth, "", obj ? '}' : ']');
    return 0;
}

int json_pretty_write(const cJSON *item, FILE *f)
{
    if (write_item(item, f, 0) < 0)
        return -1;
    fputc('\n', f);
    return 0;
}
