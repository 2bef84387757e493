/*
 * The results module of mcdshm-bench: every figure is recorded once per
 * (transport, workload, parameter) with its repeats, summarized as median,
 * min and max, and written as CSV, JSON and gnuplot charts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench/bench.h"

struct row {
    char transport[32];
    char workload[32];
    char unit[16];
    uint64_t param;
    double med, min, max; /* of v[], kept current by res_add() */
    double v[RES_MAX_VALUES];
    unsigned n;
};

static struct row *rows;
static size_t nrows, cap;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

double median(double *v, unsigned n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct row *find(const char *transport, const char *workload,
                        uint64_t param)
{
    for (size_t i = 0; i < nrows; i++) {
        if (!strcmp(rows[i].transport, transport) &&
            !strcmp(rows[i].workload, workload) && rows[i].param == param) {
            return &rows[i];
        }
    }
    return NULL;
}

void res_add(const char *transport, const char *workload, uint64_t param,
             const char *unit, double *v, unsigned n)
{
    struct row *r = find(transport, workload, param);
    double tmp[RES_MAX_VALUES];

    if (!r) {
        if (nrows == cap) {
            cap = cap ? 2 * cap : 64;
            rows = realloc(rows, cap * sizeof(*rows));
            if (!rows) {
                fprintf(stderr, "mcdshm-bench: out of memory for results\n");
                exit(1);
            }
        }
        r = &rows[nrows++];
        memset(r, 0, sizeof(*r));
        snprintf(r->transport, sizeof(r->transport), "%s", transport);
        snprintf(r->workload, sizeof(r->workload), "%s", workload);
        snprintf(r->unit, sizeof(r->unit), "%s", unit);
        r->param = param;
    }
    for (unsigned i = 0; i < n && r->n < RES_MAX_VALUES; i++) {
        r->v[r->n++] = v[i];
    }
    if (r->n == 0) {
        return;
    }
    memcpy(tmp, r->v, r->n * sizeof(tmp[0]));
    r->med = median(tmp, r->n);
    r->min = tmp[0];
    r->max = tmp[r->n - 1];
}

void res_print(void)
{
    for (size_t i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];

        if (!strcmp(r->transport, "goal")) {
            continue; /* goals are printed by their own lines */
        }
        printf("%-16s %-18s %9llu  median %12.4g  min %12.4g  max %12.4g  "
               "%s\n",
               r->transport, r->workload, (unsigned long long)r->param, r->med,
               r->min, r->max, r->unit);
    }
}

double res_median(const char *transport, const char *workload, uint64_t param)
{
    const struct row *r = find(transport, workload, param);

    return r ? r->med : 0;
}

static FILE *open_out(const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        fprintf(stderr, "mcdshm-bench: cannot write '%s': %s\n", path,
                strerror(errno));
    }
    return f;
}

static int close_out(FILE *f, const char *path)
{
    if (ferror(f) | fclose(f)) {
        fprintf(stderr, "mcdshm-bench: writing '%s' failed\n", path);
        return -1;
    }
    return 0;
}

int res_write_csv(const char *path)
{
    FILE *f = open_out(path);

    if (!f) {
        return -1;
    }
    fprintf(f, "transport,workload,param,unit,median,min,max,repeats\n");
    for (size_t i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];

        fprintf(f, "%s,%s,%llu,%s,%.6g,%.6g,%.6g,%u\n", r->transport,
                r->workload, (unsigned long long)r->param, r->unit, r->med,
                r->min, r->max, r->n);
    }
    return close_out(f, path);
}

/* The CPU model from /proc/cpuinfo, for the report's machine line. */
static void cpu_model(char *buf, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];

    snprintf(buf, len, "unknown");
    while (f && fgets(line, sizeof(line), f)) {
        char *c = strchr(line, ':');

        if (!strncmp(line, "model name", 10) && c) {
            snprintf(buf, len, "%s", c + 2);
            buf[strcspn(buf, "\n")] = 0;
            break;
        }
    }
    if (f) {
        fclose(f);
    }
}

const char *loadavg(char *buf, size_t len)
{
    FILE *f = fopen("/proc/loadavg", "r");

    snprintf(buf, len, "unknown");
    if (f) {
        if (fgets(buf, (int)len, f)) {
            buf[strcspn(buf, "\n")] = 0;
        }
        fclose(f);
    }
    return buf;
}

/* @s as a JSON string body: our strings are plain ASCII names. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            fputc('\\', f);
        }
        if ((unsigned char)*s >= 0x20) {
            fputc(*s, f);
        }
    }
    fputc('"', f);
}

int res_write_json(const char *path, const struct opts *o)
{
    FILE *f = open_out(path);
    struct utsname u;
    char model[256], load[128];

    if (!f) {
        return -1;
    }
    uname(&u);
    cpu_model(model, sizeof(model));
    fprintf(f, "{\n  \"machine\": {\"cpus\": %ld, \"model\": ",
            sysconf(_SC_NPROCESSORS_ONLN));
    json_str(f, model);
    fprintf(f, ", \"kernel\": ");
    json_str(f, u.release);
    fprintf(f, ", \"loadavg_end\": ");
    json_str(f, loadavg(load, sizeof(load)));
    fprintf(f,
            "},\n  \"options\": {\"repeats\": %u, \"samples\": %u, "
            "\"dump_mib\": %u, \"max_payload\": %u, \"max_conns\": %u, "
            "\"cpu_client\": %d, \"cpu_server\": %d},\n  \"rows\": [",
            o->repeats, o->samples, o->dump_mib, o->max_payload, o->max_conns,
            o->cpu_client, o->cpu_server);
    for (size_t i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];

        fprintf(f, "%s\n    {\"transport\": ", i ? "," : "");
        json_str(f, r->transport);
        fprintf(f, ", \"workload\": ");
        json_str(f, r->workload);
        fprintf(f,
                ", \"param\": %llu, \"unit\": ", (unsigned long long)r->param);
        json_str(f, r->unit);
        fprintf(f,
                ", \"median\": %.6g, \"min\": %.6g, \"max\": %.6g, "
                "\"repeats\": %u}",
                r->med, r->min, r->max, r->n);
    }
    fprintf(f, "\n  ]\n}\n");
    return close_out(f, path);
}

/* ------------------------------------------------------------------------
 * Charts
 */

/* Transports that have @workload, in the order they were measured. */
static size_t transports_with(const char *workload, const char **out,
                              size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < nrows; i++) {
        size_t j;

        if (strcmp(rows[i].workload, workload)) {
            continue;
        }
        for (j = 0; j < n && strcmp(out[j], rows[i].transport); j++) {
        }
        if (j == n && n < max) {
            out[n++] = rows[i].transport;
        }
    }
    return n;
}

/* One data file per chart: "<transport> <param> <median> <min> <max>". */
static int write_dat(const char *dir, const char *file, const char *workload,
                     double scale)
{
    char path[4096];
    FILE *f;
    int n = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    f = open_out(path);
    if (!f) {
        return -1;
    }
    for (size_t i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];

        if (!strcmp(r->workload, workload)) {
            fprintf(f, "%s %llu %.6g %.6g %.6g\n", r->transport,
                    (unsigned long long)r->param, r->med * scale,
                    r->min * scale, r->max * scale);
            n++;
        }
    }
    return close_out(f, path) < 0 ? -1 : n;
}

/*
 * Keep the floor line off the frame: a rate floor lies above the data, a
 * latency floor below it, so leave room on that side (log scale: a factor).
 */
static void floor_room(FILE *g, double floor, const char *floor_label)
{
    if (floor <= 0) {
        return;
    }
    if (strstr(floor_label, "memcpy")) {
        fprintf(g, "set yrange [*:%g]\n", floor * 3);
    } else {
        fprintf(g, "set yrange [%g:*]\n", floor / 3);
    }
}

/* A bar chart of one figure per transport, log scale, floor as a line. */
static void bar_chart(FILE *g, const char *png, const char *title,
                      const char *ylabel, const char *dat, double floor,
                      const char *floor_label)
{
    fprintf(g,
            "set output '%s'\nset title '%s'\nset ylabel '%s'\n"
            "set logscale y\nunset logscale x\nset xlabel ''\n"
            "set style fill solid 0.6\nset boxwidth 0.6\n"
            "set xtics rotate by -30\nset format y '%%g'\n"
            "set key below horizontal\nset yrange [*:*]\n",
            png, title, ylabel);
    floor_room(g, floor, floor_label);
    if (floor > 0) {
        fprintf(g,
                "plot '%s' using 0:3:xtic(1) with boxes title 'median', "
                "'' using 0:3:4:5 with yerrorbars lc rgb 'black' "
                "title 'min..max', %g with lines lw 2 dt 2 title '%s'\n",
                dat, floor, floor_label);
    } else {
        fprintf(g,
                "plot '%s' using 0:3:xtic(1) with boxes title 'median', "
                "'' using 0:3:4:5 with yerrorbars lc rgb 'black' "
                "title 'min..max'\n",
                dat);
    }
}

/* One line per transport against the parameter, log-log. */
static void sweep_chart(FILE *g, const char *png, const char *title,
                        const char *xlabel, const char *ylabel, const char *dat,
                        const char *workload, double floor,
                        const char *floor_label, const char *xtics)
{
    const char *t[32];
    size_t n = transports_with(workload, t, 32);

    fprintf(g,
            "set output '%s'\nset title '%s'\nset xlabel '%s'\n"
            "set ylabel '%s'\nset logscale xy\nset xtics norotate\n"
            "set xtics %s\nset format y '%%g'\n"
            "set key outside right top vertical\n"
            "set yrange [*:*]\nset autoscale xfix\n",
            png, title, xlabel, ylabel, xtics);
    floor_room(g, floor, floor_label);
    fprintf(g, "plot ");
    for (size_t i = 0; i < n; i++) {
        fprintf(g,
                "%s'%s' using (strcol(1) eq '%s' ? $2 : NaN):3:4:5 with "
                "yerrorlines title '%s'",
                i ? ", " : "", dat, t[i], t[i]);
    }
    if (floor > 0) {
        fprintf(g, "%s%g with lines lw 2 dt 2 lc rgb 'black' title '%s'",
                n ? ", " : "", floor, floor_label);
    }
    fprintf(g, "\n");
}

#define SIZE_TICS                                               \
    "(\"64\" 64, \"1K\" 1024, \"16K\" 16384, \"256K\" 262144, " \
    "\"4M\" 4194304, \"16M\" 16777216)"
#define CONN_TICS "(1, 2, 4, 8, 16, 32, 64)"

int res_plot(const char *dir)
{
    char path[4096], cmd[4200];
    double floor_ns = res_median("floor", "pingpong-p50", 0);
    double mcpy = 0;
    FILE *g;
    int rc, n[6];

    for (size_t i = 0; i < nrows; i++) {
        if (!strcmp(rows[i].transport, "floor") &&
            !strcmp(rows[i].workload, "memcpy")) {
            mcpy = rows[i].med; /* its param is the copy's size */
        }
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "mcdshm-bench: --plot: cannot create '%s': %s\n", dir,
                strerror(errno));
        return -1;
    }
    n[0] = write_dat(dir, "rtt.dat", "rtt-p50", 1e-3);
    n[1] = write_dat(dir, "dump.dat", "dump", 1);
    n[2] = write_dat(dir, "payload-rtt.dat", "read-rtt-p50", 1e-3);
    n[3] = write_dat(dir, "payload-rate.dat", "read-rate", 1);
    n[4] = write_dat(dir, "conn-p50.dat", "conn-rtt-p50", 1e-3);
    n[5] = write_dat(dir, "conn-p99.dat", "conn-rtt-p99", 1e-3);
    for (int i = 0; i < 6; i++) {
        if (n[i] < 0) {
            return -1;
        }
    }
    snprintf(path, sizeof(path), "%s/charts.gp", dir);
    g = open_out(path);
    if (!g) {
        return -1;
    }
    fprintf(g, "# Written by mcdshm-bench --plot; run: gnuplot charts.gp\n"
               "set terminal png size 960,560\nset grid\n"
               "set datafile missing NaN\n");
    /* A chart without data would make gnuplot fail: drawn only with rows. */
    if (n[0]) {
        bar_chart(g, "rtt.png",
                  "Small call round trip (mcd\\_qry\\_state\\_f), p50",
                  "microseconds (log)", "rtt.dat", floor_ns * 1e-3,
                  "floor: cache-line ping-pong");
    }
    if (n[1]) {
        bar_chart(g, "dump.png", "Memory dump rate", "GB/s (log)", "dump.dat",
                  mcpy, "floor: memcpy, one thread");
    }
    if (n[2]) {
        sweep_chart(g, "payload-rtt.png", "Memory read round trip by size, p50",
                    "payload bytes", "microseconds", "payload-rtt.dat",
                    "read-rtt-p50", floor_ns * 1e-3,
                    "floor: cache-line ping-pong", SIZE_TICS);
    }
    if (n[3]) {
        sweep_chart(g, "payload-rate.png", "Memory read rate by size",
                    "payload bytes", "GB/s", "payload-rate.dat", "read-rate",
                    mcpy, "floor: memcpy, one thread", SIZE_TICS);
    }
    if (n[4]) {
        sweep_chart(g, "conn-p50.png",
                    "mcd\\_qry\\_state\\_f p50 with N debuggers (median "
                    "of the debuggers)",
                    "connections", "microseconds", "conn-p50.dat",
                    "conn-rtt-p50", floor_ns * 1e-3,
                    "floor: cache-line ping-pong", CONN_TICS);
    }
    if (n[5]) {
        sweep_chart(g, "conn-p99.png",
                    "mcd\\_qry\\_state\\_f p99 with N debuggers (worst "
                    "debugger)",
                    "connections", "microseconds", "conn-p99.dat",
                    "conn-rtt-p99", floor_ns * 1e-3,
                    "floor: cache-line ping-pong", CONN_TICS);
    }
    if (close_out(g, path) < 0) {
        return -1;
    }
    snprintf(cmd, sizeof(cmd), "cd '%s' && gnuplot charts.gp", dir);
    rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr,
                "mcdshm-bench: --plot: gnuplot failed (status %d); is "
                "gnuplot-nox installed?\n",
                rc);
        return -1;
    }
    progress("charts written to %s", dir);
    return 0;
}
