#!/bin/sh
# run_sc.sh - run the MCD conformance suite against the SystemC example.
#
# Usage: run_sc.sh MCDSHM_SC_EXAMPLE LIBMCDSHM_SO TEST_PROG_ELF CONFORMANCE_BIN [ARGS]
#
# mcdshm-sc-example takes mcdshm-vp's --halted and --name options, so this
# is run_vp.sh with the "sc" profile of targets.c (what the SystemC
# platform lacks, and why, is listed there).
exec env CONF_TARGET=sc "$(dirname "$0")/run_vp.sh" "$@"
