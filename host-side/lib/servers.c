/*
 * Finding servers: the endpoint directory, which endpoints are live, which
 * one mcd_open_server_f connects to, and mcd_qry_servers_f.
 *
 * Liveness is read from /proc/net/unix (a listening stream socket bound to
 * the endpoint's path) so that listing servers costs them nothing: a
 * connect() probe would make a server run (and time out) a handshake.
 * Without procfs the probe is the fallback.  Runs on the calling thread;
 * no state of its own.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "host-side/lib/client.h"

#define SOCK_SUFFIX ".sock"
#define SO_ACCEPTCON_FLAG 0x10000 /* __SO_ACCEPTCON in /proc/net/unix */

static int cmp_endpoint(const void *a, const void *b)
{
    return strcmp(((const struct mcdc_endpoint *)a)->name,
                  ((const struct mcdc_endpoint *)b)->name);
}

/* The server name of directory entry @d, or false if it is none. */
static bool endpoint_name(const char *dir, const struct dirent *d,
                          struct mcdc_endpoint *ep)
{
    size_t n = strlen(d->d_name), k = strlen(SOCK_SUFFIX);
    struct stat st;

    if (n <= k || n - k >= sizeof(ep->name) || d->d_name[0] == '.' ||
        strcmp(d->d_name + n - k, SOCK_SUFFIX) != 0) {
        return false;
    }
    if ((size_t)snprintf(ep->path, sizeof(ep->path), "%s/%s", dir, d->d_name) >=
            sizeof(ep->path) ||
        lstat(ep->path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
        return false;
    }
    memcpy(ep->name, d->d_name, n - k);
    ep->name[n - k] = '\0';
    ep->live = false;
    return true;
}

/* Does a line of /proc/net/unix name a listening socket at @path? */
static bool proc_line_listens(const char *line, const char *path,
                              const char *real)
{
    unsigned flags, type, st;
    char rp[PATH_MAX];
    const char *p;
    int pos = 0;

    if (sscanf(line, "%*s %*x %*x %x %x %x %*u %n", &flags, &type, &st, &pos) !=
            3 ||
        pos == 0 || !(flags & SO_ACCEPTCON_FLAG) || type != SOCK_STREAM) {
        return false;
    }
    p = line + pos;
    if (strcmp(p, path) == 0) {
        return true;
    }
    /* The server may have spelled the directory differently. */
    return real && realpath(p, rp) && strcmp(rp, real) == 0;
}

/* Mark the live endpoints from /proc/net/unix; -errno if unreadable. */
static int live_from_proc(struct mcdc_endpoint *ep, int n)
{
    FILE *f = fopen("/proc/net/unix", "re");
    char line[PATH_MAX + 128], real[PATH_MAX];
    int i;

    if (!f) {
        return -errno;
    }
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        for (i = 0; i < n; i++) {
            if (!ep[i].live &&
                proc_line_listens(line, ep[i].path,
                                  realpath(ep[i].path, real) ? real : NULL)) {
                ep[i].live = true;
            }
        }
    }
    fclose(f);
    return 0;
}

/* Fallback: a server that accepts a connection is live. */
static bool live_by_connect(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd, r;

    if (strlen(path) >= sizeof(a.sun_path)) {
        return false;
    }
    strcpy(a.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    r = connect(fd, (struct sockaddr *)&a, sizeof(a));
    close(fd);
    return r == 0;
}

/* Read directory @dir into a growing array; how many, or -errno. */
static int scan_dir(const char *dir, struct mcdc_endpoint **out, char *err)
{
    struct mcdc_endpoint *v = NULL, *nv;
    struct dirent *d;
    int n = 0, cap = 0;
    DIR *dp = opendir(dir);

    if (!dp) {
        snprintf(err, SHM_ERRLEN, "%s: %s", dir, strerror(errno));
        return -errno;
    }
    while ((d = readdir(dp))) {
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            nv = realloc(v, (size_t)cap * sizeof(*v));
            if (!nv) {
                free(v);
                closedir(dp);
                snprintf(err, SHM_ERRLEN, "out of memory");
                return -ENOMEM;
            }
            v = nv;
        }
        n += endpoint_name(dir, d, &v[n]);
    }
    closedir(dp);
    *out = v;
    return n;
}

int mcdc_endpoints(struct mcdc_endpoint **out, char *err)
{
    char dir[SHM_PATH_MAX];
    int i, n;

    *out = NULL;
    n = shm_endpoint_dir(dir, sizeof(dir), err);
    if (n < 0) {
        return n;
    }
    n = scan_dir(dir, out, err);
    if (n <= 0) {
        return n;
    }
    qsort(*out, (size_t)n, sizeof(**out), cmp_endpoint);
    if (live_from_proc(*out, n) < 0) {
        for (i = 0; i < n; i++) {
            (*out)[i].live = live_by_connect((*out)[i].path);
        }
    }
    return n;
}

bool mcdc_host_is_local(const char *host)
{
    char me[256];
    size_t n;

    if (!host || !*host || strcasecmp(host, "localhost") == 0 ||
        strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0) {
        return true;
    }
    if (gethostname(me, sizeof(me)) < 0) {
        return false;
    }
    me[sizeof(me) - 1] = '\0';
    if (strcasecmp(host, me) == 0) {
        return true;
    }
    /* "box" for "box.example.org" and the other way round. */
    n = strcspn(me, ".");
    return strlen(host) == n && strncasecmp(host, me, n) == 0;
}

static int remote_host(struct mcdc_call *x, const char *host)
{
    return mcdc_fail(x, -EHOSTUNREACH,
                     "host '%s': remote hosts need the mcdshm-relay that "
                     "serves them: McdShmRelay=\"tcp://HOST:PORT\"",
                     host);
}

/* The first live endpoint not opened yet, else the first live one. */
static int pick_live(struct mcdc_call *x, char *path)
{
    struct mcdc_endpoint *ep;
    char err[SHM_ERRLEN], dir[SHM_PATH_MAX];
    int i, n = mcdc_endpoints(&ep, err), first = -1, pick = -1;

    if (n < 0) {
        return mcdc_fail(x, -ENOENT, "cannot list servers: %s", err);
    }
    for (i = 0; i < n && pick < 0; i++) {
        if (ep[i].live && first < 0) {
            first = i;
        }
        if (ep[i].live && !mcdc_path_open(ep[i].path)) {
            pick = i;
        }
    }
    if (pick < 0) {
        pick = first;
    }
    if (pick >= 0) {
        snprintf(path, SHM_PATH_MAX, "%s", ep[pick].path);
    }
    free(ep);
    if (pick < 0) {
        if (shm_endpoint_dir(dir, sizeof(dir), err) < 0) {
            snprintf(dir, sizeof(dir), "the endpoint directory");
        }
        return mcdc_fail(x, -ENOENT, "no live mcdshm server in %s", dir);
    }
    return 0;
}

int mcdc_choose_endpoint(struct mcdc_call *x, const struct mcdc_config *cfg,
                         char *path)
{
    char err[SHM_ERRLEN];
    int r;

    if (!mcdc_host_is_local(cfg->host)) {
        return remote_host(x, cfg->host);
    }
    if (cfg->set & MCDC_CFG_ENDPOINT) {
        snprintf(path, SHM_PATH_MAX, "%s", cfg->endpoint);
        return 0;
    }
    if (cfg->set & MCDC_CFG_SERVER) {
        r = shm_endpoint_path(cfg->server_name, path, SHM_PATH_MAX, err);
        if (r < 0) {
            return mcdc_fail(x, r == -EINVAL ? r : -ENOENT, "McdServerName: %s",
                             err);
        }
        return 0;
    }
    return pick_live(x, path);
}

/* Fill *num entries from @start of the endpoints that qualify. */
static int list_servers(struct mcdc_call *x, mcd_bool_t running, uint32_t start,
                        uint32_t *num, mcd_server_info_st *info)
{
    struct mcdc_endpoint *ep;
    char err[SHM_ERRLEN];
    uint32_t total = 0, idx = 0, got = 0;
    int i, n = mcdc_endpoints(&ep, err);

    if (n < 0) {
        return mcdc_fail(x, -ENOENT, "cannot list servers: %s", err);
    }
    for (i = 0; i < n; i++) {
        total += !running || ep[i].live;
    }
    if (*num && start >= total) {
        free(ep);
        return mcdc_fail(x, -EINVAL, "start_index %u is not below the %u %s",
                         start, total, running ? "running servers" : "servers");
    }
    for (i = 0; i < n && got < *num; i++) {
        if ((running && !ep[i].live) || idx++ < start) {
            continue;
        }
        memset(&info[got], 0, sizeof(info[got]));
        snprintf(info[got].server, sizeof(info[got].server), "%s", ep[i].name);
        got++;
    }
    *num = *num ? got : total;
    free(ep);
    return 0;
}

MCD_API_EXPORT mcd_return_et mcd_qry_servers_f(const mcd_char_t *host,
                                               mcd_bool_t running,
                                               uint32_t start_index,
                                               uint32_t *num_servers,
                                               mcd_server_info_st *server_info)
{
    struct mcdc_call x;
    int r;

    mcdc_call_init(&x, "mcd_qry_servers_f");
    if (!num_servers) {
        r = mcdc_fail(&x, -EINVAL, "num_servers is NULL");
    } else if (*num_servers && !server_info) {
        r = mcdc_fail(&x, -EINVAL, "server_info is NULL with *num_servers %u",
                      *num_servers);
    } else if (!mcdc_host_is_local(host)) {
        r = remote_host(&x, host);
    } else {
        r = list_servers(&x, running, start_index, num_servers, server_info);
    }
    return mcdc_leave(&x, r);
}
