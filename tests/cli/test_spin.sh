# How idle OpenMP threads wait (issue 14 item 3): the program sets
# GOMP_SPINCOUNT=10000 and runs itself again unless the user chose
# OMP_WAIT_POLICY or GOMP_SPINCOUNT; --version says which policy is in
# force.  (The speed on an idle and a busy machine is in make bench.)
# With glibc it also adds glibc.malloc.hugetlb=1 to GLIBC_TUNABLES unless
# the user's names that tunable (issue 20 item 6); --version's third line
# says what is in force.
. tests/cli/lib.sh

line2() { env "$@" "$FT" --version | sed -n 2p; }
l=$(line2 -u GOMP_SPINCOUNT -u OMP_WAIT_POLICY)
case $l in *"GOMP_SPINCOUNT=10000 (fairtrain's default)") pass spin_default ;;
	*) fail spin_default "$l" ;; esac
l=$(line2 -u GOMP_SPINCOUNT OMP_WAIT_POLICY=passive)
case $l in *"OMP_WAIT_POLICY=passive") pass spin_user_policy ;;
	*) fail spin_user_policy "$l" ;; esac
l=$(line2 -u OMP_WAIT_POLICY GOMP_SPINCOUNT=5 OMP_NUM_THREADS=1)
case $l in "OpenMP: 1 thread; idle threads wait with GOMP_SPINCOUNT=5") pass spin_user_count ;;
	*) fail spin_user_count "$l" ;; esac
line3() { env "$@" "$FT" --version | sed -n 3p; }
if [ -z "$(line3)" ]; then
	skip malloc_tunable "not glibc: no tunables"
else
	l=$(line3 -u GLIBC_TUNABLES)
	case $l in "malloc: GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (fairtrain's default)")
		pass malloc_default ;; *) fail malloc_default "$l" ;; esac
	l=$(line3 GLIBC_TUNABLES=glibc.malloc.perturb=0)
	case $l in "malloc: GLIBC_TUNABLES=glibc.malloc.perturb=0:glibc.malloc.hugetlb=1")
		pass malloc_appended ;; *) fail malloc_appended "$l" ;; esac
	l=$(line3 GLIBC_TUNABLES=glibc.malloc.hugetlb=0)
	case $l in "malloc: GLIBC_TUNABLES=glibc.malloc.hugetlb=0") pass malloc_user ;;
		*) fail malloc_user "$l" ;; esac
fi
# the same model whichever way threads wait and memory is had
"$FT" synth --rows 3000 --seed 4 --out "$TMP/s.csv" >/dev/null
for how in "GOMP_SPINCOUNT=0" "OMP_WAIT_POLICY=active" "GLIBC_TUNABLES=glibc.malloc.hugetlb=0" "X=1"; do
	env -u GOMP_SPINCOUNT -u OMP_WAIT_POLICY $how "$FT" train --quiet --data "$TMP/s.csv" \
		--target hired --positive yes --sensitive gender --method eg:dp --bootstrap 0 \
		--permutations 0 --out "$TMP/m.h5" && "$FT" predict --quiet --model "$TMP/m.h5" \
		--data "$TMP/s.csv" --out "$TMP/p.$how.csv" || fail "spin_same_model" "$how failed"
done
cmp -s "$TMP/p.GOMP_SPINCOUNT=0.csv" "$TMP/p.X=1.csv" && cmp -s "$TMP/p.OMP_WAIT_POLICY=active.csv" "$TMP/p.X=1.csv" &&
	cmp -s "$TMP/p.GLIBC_TUNABLES=glibc.malloc.hugetlb=0.csv" "$TMP/p.X=1.csv" &&
	pass spin_same_model || fail spin_same_model "predictions differ"
