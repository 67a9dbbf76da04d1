/*
 * fsutil.h - small file-system helpers the programs share.
 */
#ifndef VS_FSUTIL_H
#define VS_FSUTIL_H

#include <stddef.h>

#include "error.h"

/* mkdir -p: create path and its missing parents (0777 & ~umask). 0, or -1
 * with errno set. */
int fs_mkdir_p(const char *path);

/* Remove a folder that holds only plain files (a work folder): its files,
 * then itself. 0, or -1 with errno of the first failure. Accepts NULL. */
int fs_remove_flat_dir(const char *path);

/*
 * Read the whole file at path into a NUL-terminated buffer the caller frees;
 * its length (without the NUL) in *len when len is not NULL. A file of more
 * than max bytes is refused (EFBIG), so a wrong path cannot eat memory.
 * NULL with err filled (path, "cannot open: ...", "larger than N bytes", ...).
 */
char *fs_read_file(const char *path, size_t max, size_t *len, struct vs_error *err);

/*
 * Raise this process's open-file limit (RLIMIT_NOFILE) towards want: the
 * soft limit up to the hard one, and the hard one too when allowed
 * (CAP_SYS_RESOURCE; never above /proc/sys/fs/nr_open). A lower limit is
 * never set. Returns the soft limit in force afterwards.
 */
long fs_raise_nofile(long want);

#endif
