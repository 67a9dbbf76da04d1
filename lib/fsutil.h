/*
 * fsutil.h - small file-system helpers the programs share.
 */
#ifndef VS_FSUTIL_H
#define VS_FSUTIL_H

/* mkdir -p: create path and its missing parents (0777 & ~umask). 0, or -1
 * with errno set. */
int fs_mkdir_p(const char *path);

/* Remove a folder that holds only plain files (a work folder): its files,
 * then itself. 0, or -1 with errno of the first failure. Accepts NULL. */
int fs_remove_flat_dir(const char *path);

#endif
