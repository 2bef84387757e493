/*
 * Stream sockets for the baselines: a Unix socket in the runtime directory
 * or TCP on the loopback, both with TCP_NODELAY-like behaviour (Nagle off)
 * so a request leaves at once, as the predecessors configured theirs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench/bench.h"

static void die(const char *what, const char *addr)
{
    fprintf(stderr, "mcdshm-bench: %s '%s': %s\n", what, addr, strerror(errno));
    exit(1);
}

int sock_listen(int tcp, char *addr, size_t len)
{
    int fd, one = 1;

    if (tcp) {
        struct sockaddr_in a = { .sin_family = AF_INET };
        socklen_t al = sizeof(a);

        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
            die("listen", "tcp:127.0.0.1");
        }
        snprintf(addr, len, "tcp:127.0.0.1:%u", ntohs(a.sin_port));
    } else {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        char name[64];
        const char *dir = getenv("TMPDIR");

        unique_name(name, sizeof(name), "bench-sock");
        snprintf(addr, len, "%s/%s", dir && *dir ? dir : "/tmp", name);
        if (strlen(addr) >= sizeof(a.sun_path)) {
            errno = ENAMETOOLONG;
            die("listen", addr);
        }
        strcpy(a.sun_path, addr);
        unlink(addr);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
            die("listen", addr);
        }
    }
    if (listen(fd, 16) < 0) {
        die("listen", addr);
    }
    return fd;
}

static void nodelay(int fd)
{
    int one = 1;

    /* Fails harmlessly (EOPNOTSUPP) on a Unix socket. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int sock_accept(int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0) {
        die("accept", "listening socket");
    }
    nodelay(fd);
    return fd;
}

int sock_connect(const char *addr)
{
    int tries;

    for (tries = 0;; tries++) {
        int fd, rc;

        if (!strncmp(addr, "tcp:", 4)) {
            struct sockaddr_in a = { .sin_family = AF_INET };
            const char *port = strrchr(addr, ':');

            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            a.sin_port = htons((uint16_t)atoi(port + 1));
            fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&a, sizeof(a));
        } else {
            struct sockaddr_un a = { .sun_family = AF_UNIX };

            snprintf(a.sun_path, sizeof(a.sun_path), "%s", addr);
            fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&a, sizeof(a));
        }
        if (rc == 0) {
            nodelay(fd);
            return fd;
        }
        if (fd >= 0) {
            close(fd);
        }
        if (tries > 5000) {
            die("connect", addr);
        }
        usleep(1000);
    }
}

void write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fprintf(stderr, "mcdshm-bench: socket write: %s\n",
                    n < 0 ? strerror(errno) : "short write");
            exit(1);
        }
        p += n;
        len -= (size_t)n;
    }
}

int read_all(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fprintf(stderr, "mcdshm-bench: socket read: %s\n", strerror(errno));
            exit(1);
        }
        if (n == 0) {
            if (got == 0) {
                return 0;
            }
            fprintf(stderr, "mcdshm-bench: socket closed mid-message\n");
            exit(1);
        }
        got += (size_t)n;
    }
    return 1;
}
