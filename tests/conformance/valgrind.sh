#!/bin/sh
# valgrind.sh - run a program under valgrind memcheck, children included
# (Criterion runs each test in a process of its own), failing on any error
# in the client library or a leak of memory it allocated.
#
# Usage: valgrind.sh PROGRAM [ARGS]   (as BIN of run_vp.sh)
# Exit status: the program's, or 99 when valgrind reports an error.
set -eu
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 77; }
exec valgrind --quiet --trace-children=yes --error-exitcode=99 \
    --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --track-origins=yes \
    --child-silent-after-fork=no "$@"
