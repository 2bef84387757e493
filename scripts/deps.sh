#!/usr/bin/env bash
# Install the Debian 12 packages mcdshm needs to build, test and benchmark.
# Runs apt-get only when something is missing; uses sudo when not root.
# The README lists why each package is here.
set -euo pipefail

pkgs=(
    cmake make gcc g++ pkg-config   # the build
    libcriterion-dev                # the unit-test framework
    libelf-dev                      # the reference platform's ELF loader
    liburing-dev                    # the server stub's I/O thread
    spin                            # model-checks the doorbell protocol
    valgrind                        # memcheck of the client library
    gcc-riscv64-unknown-elf         # builds the platform's demo programs
    libzmq3-dev                     # remote endpoints, mcdshm-relay, bench
    iproute2                        # the relay's network-namespace test
    libjson-c-dev                   # mcdshm-bench: the QMP-style baseline
    gnuplot-nox                     # mcdshm-bench --plot: the charts
    # The patched QEMU (MCDSHM_QEMU, qemu-side/qemu/build-qemu.sh): the
    # source package's tools and the least QEMU 7.2's softmmu targets need.
    dpkg-dev patch xz-utils meson ninja-build python3 flex bison
    libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev
    libslirp-dev                    # QEMU's default -nic user networking
    # QEMU's default firmware and option ROMs, found through Debian's own
    # firmware path (build-qemu.sh): OpenSBI for riscv64 virt, kvmvapic,
    # linuxboot and multiboot ROMs (qemu-system-data), SeaBIOS and its
    # VGA BIOS (seabios), the NICs' boot ROMs (ipxe-qemu).
    qemu-system-data seabios ipxe-qemu
    gcc-aarch64-linux-gnu           # the aarch64 test program (tests/qemu)
    libsystemc-dev                  # the SystemC/TLM-2.0 adapter and example
    # The mcdshm-gdbserver tests (tests/gdb) and bench row: the stock gdb
    # users drive, for every architecture the bridge serves.
    gdb-multiarch
)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
