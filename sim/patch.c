#include "patch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Forget an item's member name (a copy of a member, going elsewhere). */
static void drop_name(cJSON *item)
{
    if (item->string && !(item->type & cJSON_StringIsConst))
        cJSON_free(item->string);
    item->string = NULL;
    item->type &= ~cJSON_StringIsConst;
}

/* ---- merge patch (RFC 7386) ----------------------------------------------------- */

static int merge_members(cJSON *target, const cJSON *patch);

/* MergePatch(absent or not an object, value): the value without its null members. */
static cJSON *merge_fresh(const cJSON *patch)
{
    cJSON *obj;

    if (!cJSON_IsObject(patch))
        return cJSON_Duplicate(patch, 1);
    obj = cJSON_CreateObject();
    if (obj && merge_members(obj, patch) < 0) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

/* Merge the members of the patch object into the target object; -1 on ENOMEM. */
static int merge_members(cJSON *target, const cJSON *patch)
{
    for (const cJSON *p = patch->child; p; p = p->next) {
        cJSON *old = cJSON_GetObjectItemCaseSensitive(target, p->string);
        cJSON *value;

        if (cJSON_IsNull(p)) {
            if (old)
                cJSON_Delete(cJSON_DetachItemViaPointer(target, old));
            continue;
        }
        if (cJSON_IsObject(p) && cJSON_IsObject(old)) {
            if (merge_members(old, p) < 0)
                return -1;
            continue;
        }
        value = merge_fresh(p);
        if (!value)
            return -1;
        if (old ? !cJSON_ReplaceItemInObjectCaseSensitive(target, p->string, value)
                : !cJSON_AddItemToObject(target, p->string, value)) {
            cJSON_Delete(value);
            return -1;
        }
    }
    return 0;
}

int patch_merge(cJSON **target, const cJSON *patch, struct vs_error *err)
{
    cJSON *result;

    if (cJSON_IsObject(patch) && cJSON_IsObject(*target)) {
        result = cJSON_Duplicate(*target, 1);
        if (result && merge_members(result, patch) < 0) {
            cJSON_Delete(result);
            result = NULL;
        }
    } else if ((result = merge_fresh(patch)) != NULL) {
        drop_name(result);
    }
    if (!result)
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory applying a merge patch");
    cJSON_Delete(*target);
    *target = result;
    return 0;
}

/* ---- JSON pointers (RFC 6901) ------------------------------------------------------ */

/* Where a pointer leads. */
struct ptr_loc {
    cJSON *parent; /* the object or array holding the target */
    char *key;     /* the last token, unescaped (malloc'd) */
    cJSON *item;   /* the target; NULL when absent */
    long index;    /* parent an array: the token as an index; -1 if it is not one */
};

/* An array index: digits, no leading zero. -1 if tok is not one. */
static long parse_index(const char *tok)
{
    long v = 0;

    if (!tok[0] || (tok[0] == '0' && tok[1]) || strlen(tok) > 9)
        return -1;
    for (; *tok; tok++) {
        if (*tok < '0' || *tok > '9')
            return -1;
        v = v * 10 + (*tok - '0');
    }
    return v;
}

/* The member or element named tok, or NULL. */
static cJSON *child_at(cJSON *c, const char *tok)
{
    long i;

    if (cJSON_IsObject(c))
        return cJSON_GetObjectItemCaseSensitive(c, tok);
    if (cJSON_IsArray(c) && (i = parse_index(tok)) >= 0 && i < cJSON_GetArraySize(c))
        return cJSON_GetArrayItem(c, (int)i);
    return NULL;
}

/* Read the token after the '/' at *p into tok (unescaped); -1 on a bad escape. */
static int ptr_token(const char **p, char *tok)
{
    const char *s = *p + 1;
    size_t n = 0;

    while (*s && *s != '/') {
        if (*s != '~') {
            tok[n++] = *s++;
            continue;
        }
        if (s[1] != '0' && s[1] != '1')
            return -1;
        tok[n++] = s[1] == '0' ? '~' : '/';
        s += 2;
    }
    tok[n] = '\0';
    *p = s;
    return 0;
}

static int ptr_fail(struct ptr_loc *loc, struct vs_error *e, const char *fmt, ...) VS_PRINTF(3, 4);

static int ptr_fail(struct ptr_loc *loc, struct vs_error *e, const char *fmt, ...)
{
    va_list ap;

    free(loc->key);
    loc->key = NULL;
    vs_error_clear(e);
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return -1;
}

/*
 * Find the container of the pointer's target (ptr not ""). -1 with a message
 * in e when the pointer is malformed or a container on the way is missing.
 */
static int ptr_locate(cJSON *root, const char *ptr, struct ptr_loc *loc, struct vs_error *e)
{
    const char *p = ptr, *last = ptr;
    cJSON *cur = root;

    memset(loc, 0, sizeof(*loc));
    if (*ptr != '/')
        return ptr_fail(loc, e, "path '%s' is not a JSON pointer (it must start with '/')", ptr);
    loc->key = malloc(strlen(ptr) + 1);
    if (!loc->key)
        return vs_error_setc(e, ENOMEM, NULL, 0, 0, "out of memory");
    for (;;) {
        last = p;
        if (ptr_token(&p, loc->key) < 0)
            return ptr_fail(loc, e, "path '%s' has a '~' not followed by '0' or '1'", ptr);
        if (*p == '\0')
            break;
        cur = child_at(cur, loc->key);
        if (!cur)
            return ptr_fail(loc, e, "path '%s': '%.*s' does not exist", ptr, (int)(p - ptr), ptr);
    }
    if (!cJSON_IsObject(cur) && !cJSON_IsArray(cur) && last == ptr)
        return ptr_fail(loc, e, "path '%s': the document is not an object or an array", ptr);
    if (!cJSON_IsObject(cur) && !cJSON_IsArray(cur))
        return ptr_fail(loc, e, "path '%s': '%.*s' is not an object or an array", ptr,
                        (int)(last - ptr), ptr);
    loc->parent = cur;
    loc->item = child_at(cur, loc->key);
    loc->index = cJSON_IsArray(cur) ? parse_index(loc->key) : -1;
    return 0;
}

cJSON *patch_pointer_get(cJSON *doc, const char *pointer)
{
    struct ptr_loc loc;
    struct vs_error e;

    if (!pointer || !*pointer)
        return doc;
    if (!doc || ptr_locate(doc, pointer, &loc, &e) < 0)
        return NULL;
    free(loc.key);
    return loc.item;
}

/* ---- JSON Patch (RFC 6902) ----------------------------------------------------------- */

struct op {
    int number; /* from 1 */
    const char *name;
    const char *path, *from;
    const cJSON *value;
    struct vs_error *err;
};

static int op_fail(const struct op *op, int code, const char *fmt, ...) VS_PRINTF(3, 4);

static int op_fail(const struct op *op, int code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (op->name)
        return vs_error_setc(op->err, code, NULL, 0, 0, "operation %d (%s): %s", op->number,
                             op->name, msg);
    return vs_error_setc(op->err, code, NULL, 0, 0, "operation %d: %s", op->number, msg);
}

static int op_nomem(const struct op *op)
{
    return op_fail(op, ENOMEM, "out of memory");
}

/* Locate path in *root for op; -1 with the error filled. */
static int op_locate(const struct op *op, cJSON *root, const char *path, struct ptr_loc *loc)
{
    struct vs_error e;

    if (ptr_locate(root, path, loc, &e) < 0)
        return op_fail(op, e.code, "%s", e.msg);
    return 0;
}

/* A deep copy of v without its member name; NULL on ENOMEM. */
static cJSON *copy_value(const cJSON *v)
{
    cJSON *c = cJSON_Duplicate(v, 1);

    if (c)
        drop_name(c);
    return c;
}

/*
 * Insert value at index i (below the size) of array. Not with
 * cJSON_InsertItemInArray: Debian's cJSON 1.7.15-1+deb12u4 refuses every
 * index but 0 there. -1 on ENOMEM (value not taken).
 */
static int array_insert(cJSON *array, int i, cJSON *value)
{
    cJSON *tail = cJSON_CreateArray(), *item;

    if (!tail)
        return -1;
    while ((item = cJSON_DetachItemFromArray(array, i)) != NULL)
        cJSON_AddItemToArray(tail, item);
    cJSON_AddItemToArray(array, value);
    while ((item = cJSON_DetachItemFromArray(tail, 0)) != NULL)
        cJSON_AddItemToArray(array, item);
    cJSON_Delete(tail);
    return 0;
}

/* Put value (taken unless failing) at loc, an array position: index, or "-" to append. */
static int put_in_array(const struct op *op, const char *path, struct ptr_loc *loc, cJSON *value)
{
    int size = cJSON_GetArraySize(loc->parent);

    if (strcmp(loc->key, "-") == 0)
        loc->index = size;
    if (loc->index < 0)
        return op_fail(op, 0, "path '%s': '%s' is not an array index", path, loc->key);
    if (loc->index > size)
        return op_fail(op, 0, "path '%s': index %ld is out of range (the array has %d elements)",
                       path, loc->index, size);
    if (loc->index == size)
        cJSON_AddItemToArray(loc->parent, value);
    else if (array_insert(loc->parent, (int)loc->index, value) < 0)
        return op_nomem(op);
    return 0;
}

/* Put value (taken) at path in *root, as 'add' does. */
static int put_value(const struct op *op, cJSON **root, const char *path, cJSON *value)
{
    struct ptr_loc loc;
    int rc = 0;

    drop_name(value);
    if (*path == '\0') {
        cJSON_Delete(*root);
        *root = value;
        return 0;
    }
    if (op_locate(op, *root, path, &loc) < 0) {
        cJSON_Delete(value);
        return -1;
    }
    if (!cJSON_IsObject(loc.parent))
        rc = put_in_array(op, path, &loc, value);
    else if (!(loc.item ? cJSON_ReplaceItemInObjectCaseSensitive(loc.parent, loc.key, value)
                        : cJSON_AddItemToObject(loc.parent, loc.key, value)))
        rc = op_nomem(op);
    if (rc < 0)
        cJSON_Delete(value);
    free(loc.key);
    return rc;
}

/* The value at path (which must exist); NULL with the error filled. */
static cJSON *get_value(const struct op *op, cJSON *root, const char *path)
{
    struct ptr_loc loc;

    if (*path == '\0' && !root)
        op_fail(op, 0, "there is no document");
    if (*path == '\0')
        return root;
    if (op_locate(op, root, path, &loc) < 0)
        return NULL;
    free(loc.key);
    if (!loc.item)
        op_fail(op, 0, "path '%s' does not exist", path);
    return loc.item;
}

/* Take the value at path out of root; *out gets it (or it is freed if out is NULL). */
static int take_value(const struct op *op, cJSON *root, const char *path, cJSON **out)
{
    struct ptr_loc loc;
    cJSON *item;

    if (*path == '\0')
        return op_fail(op, 0, "cannot remove the whole document");
    if (op_locate(op, root, path, &loc) < 0)
        return -1;
    free(loc.key);
    if (!loc.item)
        return op_fail(op, 0, "path '%s' does not exist", path);
    item = cJSON_DetachItemViaPointer(loc.parent, loc.item);
    if (out)
        *out = item;
    else
        cJSON_Delete(item);
    return 0;
}

static int op_add(const struct op *op, cJSON **root)
{
    cJSON *value = copy_value(op->value);

    if (!value)
        return op_nomem(op);
    return put_value(op, root, op->path, value);
}

static int op_remove(const struct op *op, cJSON **root)
{
    return take_value(op, *root, op->path, NULL);
}

/* Replace in place, so that a member keeps its place among the others. */
static int op_replace(const struct op *op, cJSON **root)
{
    struct ptr_loc loc;
    cJSON *value;
    int ok;

    if (!get_value(op, *root, op->path))
        return -1;
    if (!(value = copy_value(op->value)))
        return op_nomem(op);
    if (*op->path == '\0')
        return put_value(op, root, op->path, value);
    if (op_locate(op, *root, op->path, &loc) < 0) {
        cJSON_Delete(value);
        return -1;
    }
    ok = cJSON_IsObject(loc.parent)
             ? cJSON_ReplaceItemInObjectCaseSensitive(loc.parent, loc.key, value)
             : cJSON_ReplaceItemInArray(loc.parent, (int)loc.index, value);
    free(loc.key);
    if (!ok) {
        cJSON_Delete(value);
        return op_nomem(op);
    }
    return 0;
}

static int op_move(const struct op *op, cJSON **root)
{
    size_t n = strlen(op->from);
    cJSON *value;

    if (strncmp(op->path, op->from, n) == 0 && op->path[n] == '/')
        return op_fail(op, 0, "cannot move '%s' into itself ('%s')", op->from, op->path);
    if (!get_value(op, *root, op->from))
        return -1;
    if (strcmp(op->from, op->path) == 0)
        return 0;
    if (take_value(op, *root, op->from, &value) < 0)
        return -1;
    return put_value(op, root, op->path, value);
}

static int op_copy(const struct op *op, cJSON **root)
{
    cJSON *src = get_value(op, *root, op->from), *value;

    if (!src)
        return -1;
    value = copy_value(src);
    if (!value)
        return op_nomem(op);
    return put_value(op, root, op->path, value);
}

static int op_test(const struct op *op, cJSON **root)
{
    const cJSON *have = get_value(op, *root, op->path);

    if (!have)
        return -1;
    if (!cJSON_Compare(have, op->value, 1))
        return op_fail(op, 0, "test failed: the value at path '%s' differs", op->path);
    return 0;
}

static const struct op_kind {
    const char *name;
    int (*apply)(const struct op *op, cJSON **root);
    int wants_value, wants_from;
} op_kinds[] = {
    {"add", op_add, 1, 0},   {"remove", op_remove, 0, 0}, {"replace", op_replace, 1, 0},
    {"move", op_move, 0, 1}, {"copy", op_copy, 0, 1},     {"test", op_test, 1, 0},
};

/* A string member, which must be there; NULL with the error filled. */
static const char *op_string(const struct op *op, const cJSON *obj, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, member);

    if (!v)
        op_fail(op, 0, "missing '%s'", member);
    else if (!cJSON_IsString(v))
        op_fail(op, 0, "'%s' must be a string", member);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Refuse an operation that gives a member twice (RFC 6902 A.13). */
static int op_check_unique(const struct op *op, const cJSON *obj)
{
    for (const cJSON *a = obj->child; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && strcmp(a->string, b->string) == 0)
                return op_fail(op, 0, "member '%s' is given twice", a->string);
    return 0;
}

/* Read one operation object and apply it. */
static int apply_op(cJSON **root, const cJSON *obj, int number, struct vs_error *err)
{
    struct op op = {number, NULL, NULL, NULL, NULL, err};
    const struct op_kind *kind = NULL;
    const char *name;

    if (!cJSON_IsObject(obj))
        return op_fail(&op, 0, "not an object");
    if (op_check_unique(&op, obj) < 0 || !(name = op_string(&op, obj, "op")))
        return -1;
    for (size_t i = 0; i < sizeof(op_kinds) / sizeof(op_kinds[0]); i++)
        if (strcmp(op_kinds[i].name, name) == 0)
            kind = &op_kinds[i];
    if (!kind)
        return op_fail(&op, 0, "unknown op '%s'", name);
    op.name = kind->name;
    if (!(op.path = op_string(&op, obj, "path")))
        return -1;
    if (kind->wants_from && !(op.from = op_string(&op, obj, "from")))
        return -1;
    op.value = cJSON_GetObjectItemCaseSensitive(obj, "value");
    if (kind->wants_value && !op.value)
        return op_fail(&op, 0, "missing 'value'");
    return kind->apply(&op, root);
}

int patch_json(cJSON **doc, const cJSON *ops, struct vs_error *err)
{
    cJSON *work = NULL;
    int number = 1;

    if (!cJSON_IsArray(ops))
        return vs_error_set(err, NULL, 0, 0, "a JSON patch must be an array of operations");
    if (*doc && !(work = cJSON_Duplicate(*doc, 1)))
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory applying a JSON patch");
    for (const cJSON *op = ops->child; op; op = op->next, number++) {
        if (apply_op(&work, op, number, err) < 0) {
            cJSON_Delete(work);
            return -1;
        }
    }
    cJSON_Delete(*doc);
    *doc = work;
    return 0;
}
