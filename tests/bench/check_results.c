/*
 * check_results: validate what mcdshm-bench wrote.
 *
 * usage: check_results BENCH.csv BENCH.json [TRANSPORT...]
 *
 * The JSON must parse (json-c) and hold machine, options and a non-empty
 * rows array whose every row has a transport, a workload, a param, a unit
 * and finite median, min and max with min <= median <= max and repeats
 * >= 1.  The CSV must have the documented header and the same rows in the
 * same order.  Every TRANSPORT named must have at least one row.  Prints
 * the first problem and exits 1; 0 if all is well.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_HEADER "transport,workload,param,unit,median,min,max,repeats"

static int __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "check_results: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static json_object *member(json_object *o, const char *k, json_type t)
{
    json_object *v;

    if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, t)) {
        return NULL;
    }
    return v;
}

static double number(json_object *o, const char *k, int *ok)
{
    json_object *v;

    if (!json_object_object_get_ex(o, k, &v) ||
        !(json_object_is_type(v, json_type_double) ||
          json_object_is_type(v, json_type_int))) {
        *ok = 0;
        return 0;
    }
    return json_object_get_double(v);
}

static int check_row(json_object *r, long i)
{
    const char *keys[] = { "transport", "workload", "unit" };
    double med, min, max, rep, param;
    int ok = 1;

    for (int k = 0; k < 3; k++) {
        json_object *s = member(r, keys[k], json_type_string);

        if (!s || !*json_object_get_string(s)) {
            return fail("row %ld: no string '%s'", i, keys[k]);
        }
    }
    med = number(r, "median", &ok);
    min = number(r, "min", &ok);
    max = number(r, "max", &ok);
    rep = number(r, "repeats", &ok);
    param = number(r, "param", &ok);
    if (!ok) {
        return fail("row %ld: a number is missing", i);
    }
    if (!isfinite(med) || !isfinite(min) || !isfinite(max) || min > med ||
        med > max || rep < 1 || param < 0) {
        return fail(
            "row %ld (%s): median/min/max/repeats/param "
            "inconsistent",
            i, json_object_get_string(member(r, "workload", json_type_string)));
    }
    return 0;
}

int main(int argc, char **argv)
{
    json_object *root, *rows;
    char line[1024];
    long n, i;
    FILE *f;

    if (argc < 3) {
        fprintf(stderr, "usage: check_results BENCH.csv BENCH.json "
                        "[TRANSPORT...]\n");
        return 2;
    }
    root = json_object_from_file(argv[2]);
    if (!root) {
        return fail("%s: not valid JSON: %s", argv[2],
                    json_util_get_last_err());
    }
    if (!member(root, "machine", json_type_object) ||
        !member(root, "options", json_type_object)) {
        return fail("%s: no machine or options object", argv[2]);
    }
    rows = member(root, "rows", json_type_array);
    n = rows ? (long)json_object_array_length(rows) : 0;
    if (n == 0) {
        return fail("%s: no rows", argv[2]);
    }
    for (i = 0; i < n; i++) {
        if (check_row(json_object_array_get_idx(rows, i), i)) {
            return 1;
        }
    }
    for (int a = 3; a < argc; a++) {
        for (i = 0; i < n; i++) {
            json_object *t = member(json_object_array_get_idx(rows, i),
                                    "transport", json_type_string);

            if (!strcmp(json_object_get_string(t), argv[a])) {
                break;
            }
        }
        if (i == n) {
            return fail("no row of transport '%s'", argv[a]);
        }
    }
    f = fopen(argv[1], "r");
    if (!f || !fgets(line, sizeof(line), f)) {
        return fail("%s: cannot read", argv[1]);
    }
    line[strcspn(line, "\n")] = 0;
    if (strcmp(line, CSV_HEADER)) {
        return fail("%s: header is '%s'", argv[1], line);
    }
    for (i = 0; fgets(line, sizeof(line), f); i++) {
        json_object *r;
        char want[256];
        int commas = 0;

        for (char *p = line; *p; p++) {
            commas += *p == ',';
        }
        if (commas != 7 || i >= n) {
            return fail("%s: line %ld is not one of the JSON rows", argv[1],
                        i + 2);
        }
        r = json_object_array_get_idx(rows, i);
        snprintf(
            want, sizeof(want), "%s,%s,",
            json_object_get_string(member(r, "transport", json_type_string)),
            json_object_get_string(member(r, "workload", json_type_string)));
        if (strncmp(line, want, strlen(want))) {
            return fail("%s: line %ld differs from the JSON row", argv[1],
                        i + 2);
        }
    }
    fclose(f);
    if (i != n) {
        return fail("%s: %ld CSV rows, the JSON has %ld", argv[1], i, n);
    }
    json_object_put(root);
    printf("check_results: %ld rows, CSV and JSON agree\n", n);
    return 0;
}
