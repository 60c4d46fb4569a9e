#!/bin/sh
# install-deps.sh - install the Debian packages fairtrain needs that are
# missing, by purpose, saying what and why in one line first.
#
#   scripts/install-deps.sh [GROUP ...]          install what is missing
#   scripts/install-deps.sh --check [GROUP ...]  exit 0 when nothing is missing
#   scripts/install-deps.sh --list [GROUP ...]   print the packages
#
# Groups (default: build demo):
#   build  gcc make pkg-config libopenblas-dev liblapacke-dev libhdf5-dev
#          libcsv-dev nettle-dev
#   demo   gnuplot-nox (the plots of `fairtrain compare`)
#   test   hdf5-tools (h5dump, h5diff), python3-h5py (the model file read
#          without fairtrain), python3-numpy, python3-scipy (reference
#          values), python3-pandas, python3-sklearn (the Python package's
#          tests), and the demo group (the plots are tested)
#   bench  liblinear-tools (the peer), time (peak memory), python3-numpy
#   mpi    libopenmpi-dev openmpi-bin (make MPI=1)
#   fuzz   clang, libclang-rt-14-dev (libFuzzer, ASan, UBSan), libomp-14-dev
#          (OpenMP for clang): make fuzz only
# `make demo` installs build and demo, `make test` adds test, `make bench`
# bench.  Root installs directly, others through sudo.
set -eu

pkgs() {
	case "$1" in
	build) echo "gcc make pkg-config libopenblas-dev liblapacke-dev libhdf5-dev libcsv-dev nettle-dev" ;;
	demo) echo "gnuplot-nox" ;;
	test) echo "gnuplot-nox hdf5-tools python3-h5py python3-numpy python3-scipy python3-pandas python3-sklearn" ;;
	bench) echo "liblinear-tools time python3-numpy" ;;
	mpi) echo "libopenmpi-dev openmpi-bin" ;;
	fuzz) echo "clang libclang-rt-14-dev libomp-14-dev" ;;
	*) echo "install-deps: unknown group '$1' (build, demo, test, bench, mpi, fuzz)" >&2; return 2 ;;
	esac
}

mode=install
case "${1:-}" in
--check) mode=check; shift ;;
--list) mode=list; shift ;;
-h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
[ $# -gt 0 ] || set -- build demo
groups="$*"
PKGS=
for g in "$@"; do
	p=$(pkgs "$g") || exit 2
	PKGS="$PKGS $p"
done

missing() {
	for p in $PKGS; do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$s" in
		*"install ok installed"*) ;;
		*) printf '%s\n' "$p" ;;
		esac
	done | sort -u
}

case $mode in
list) printf '%s\n' $PKGS | sort -u; exit 0 ;;
check) [ -z "$(missing)" ]; exit $? ;;
esac

need=$(missing | tr '\n' ' ')
if [ -z "$need" ]; then
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
echo "install-deps: installing for $groups (Debian packages): $need"
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
echo "install-deps: done"
