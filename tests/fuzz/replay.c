/*
 * Replays inputs through LLVMFuzzerTestOneInput() without libFuzzer, so the
 * normal (gcc) test run exercises the fuzz corpus: every argument that is a
 * directory contributes each regular file in it, any other argument is a
 * file itself.  A crash or abort() ends the run (the test fails); otherwise
 * it prints "N passed, 0 failed" and exits 0.  Exits 1 if an input cannot
 * be read or no input was found.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;

    if (!f) {
        perror(path);
        return -1;
    }
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            if (!buf) {
                fclose(f);
                return -1;
            }
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned passed = 0, failed = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;

            if (!d) {
                perror(argv[i]);
                failed++;
                continue;
            }
            while ((e = readdir(d)) != NULL) {
                char path[4096];
                struct stat fst;

                snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
                if (stat(path, &fst) != 0 || !S_ISREG(fst.st_mode)) {
                    continue;
                }
                if (run_file(path) < 0) {
                    failed++;
                } else {
                    passed++;
                }
            }
            closedir(d);
        } else if (run_file(argv[i]) < 0) {
            failed++;
        } else {
            passed++;
        }
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed || passed == 0 ? 1 : 0;
}
