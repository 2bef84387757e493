/*
 * mcdlib.c - load an MCD library and resolve the 54 functions by name.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mcdlib.h"

struct mcdlib mcdlib;

/* libmcdshm.so.0 in the directory of the running program, if any. */
static void *open_beside(void)
{
    char exe[PATH_MAX], path[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0) {
        return NULL;
    }
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (!slash) {
        return NULL;
    }
    *slash = '\0';
    snprintf(path, sizeof(path), "%s/libmcdshm.so.0", exe);
    if (access(path, R_OK) != 0) {
        return NULL;
    }
    return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

int mcdlib_load(const char *path, char *err, size_t errlen)
{
    void *h;

    if (path) {
        h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    } else {
        h = open_beside();
        if (!h) {
            h = dlopen("libmcdshm.so.0", RTLD_NOW | RTLD_LOCAL);
        }
    }
    if (!h) {
        snprintf(err, errlen, "cannot load the MCD library: %s", dlerror());
        return -ENOENT;
    }
    memset(&mcdlib, 0, sizeof(mcdlib));
    mcdlib.handle = h;
#define MCDLIB_SYM(fn)                                       \
    *(void **)&mcdlib.fn = dlsym(h, #fn);                    \
    if (!mcdlib.fn) {                                        \
        snprintf(err, errlen, "the MCD library %s lacks %s", \
                 path ? path : "libmcdshm.so.0", #fn);       \
        dlclose(h);                                          \
        memset(&mcdlib, 0, sizeof(mcdlib));                  \
        return -ENOSYS;                                      \
    }
    MCDLIB_FUNCS(MCDLIB_SYM)
#undef MCDLIB_SYM
    return 0;
}
