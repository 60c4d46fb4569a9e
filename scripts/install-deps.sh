#!/bin/sh
# install-deps.sh - install the Debian packages fairtrain needs that are missing.
#
#   scripts/install-deps.sh           install what is missing (sudo when not root)
#   scripts/install-deps.sh --check   exit 0 when nothing is missing, else 1
#   scripts/install-deps.sh --list    print the package list
#   --fuzz (with any of the above)    also the fuzzing group (make fuzz)
#
# Build:  gcc make pkg-config libopenblas-dev liblapacke-dev libhdf5-dev
#         libcsv-dev nettle-dev
# Run:    gnuplot-nox (the plots of `fairtrain compare`)
# Tests:  hdf5-tools (h5dump), python3-h5py (the model file read without fairtrain),
#         python3-numpy, python3-scipy (ranking checks: binomial CDF, Kendall tau)
# Bench:  liblinear-tools (the peer), time (peak memory)
# Fuzz:   clang, libclang-rt-14-dev (libFuzzer, ASan, UBSan), libomp-14-dev
#         (OpenMP for clang); only with --fuzz, which `make fuzz` passes
set -eu

PKGS="gcc make pkg-config libopenblas-dev liblapacke-dev libhdf5-dev libcsv-dev
nettle-dev gnuplot-nox hdf5-tools python3-h5py python3-numpy python3-scipy liblinear-tools time"

missing() {
	for p in $PKGS; do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$s" in
		*"install ok installed"*) ;;
		*) printf '%s\n' "$p" ;;
		esac
	done
}

mode=
for a in "$@"; do
	case "$a" in
	--fuzz) PKGS="$PKGS clang libclang-rt-14-dev libomp-14-dev" ;;
	--list|--check) mode=$a ;;
	*) echo "usage: $0 [--check|--list] [--fuzz]" >&2; exit 2 ;;
	esac
done
case "$mode" in
--list) printf '%s\n' $PKGS; exit 0 ;;
--check) [ -z "$(missing)" ]; exit $? ;;
esac

need=$(missing | tr '\n' ' ')
if [ -z "$need" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "install-deps: need root or sudo to install: $need" >&2
	exit 1
fi
echo "install-deps: installing $need"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need
