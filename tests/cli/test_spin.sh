# How idle OpenMP threads wait (issue 14 item 3): the program sets
# GOMP_SPINCOUNT=10000 and runs itself again unless the user chose
# OMP_WAIT_POLICY or GOMP_SPINCOUNT; --version says which policy is in
# force.  (The speed on an idle and a busy machine is in make bench.)
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
# the same model whichever way threads wait
"$FT" synth --rows 3000 --seed 4 --out "$TMP/s.csv" >/dev/null
for how in "GOMP_SPINCOUNT=0" "OMP_WAIT_POLICY=active" "X=1"; do
	env -u GOMP_SPINCOUNT -u OMP_WAIT_POLICY $how "$FT" train --quiet --data "$TMP/s.csv" \
		--target hired --positive yes --sensitive gender --method eg:dp --bootstrap 0 \
		--permutations 0 --out "$TMP/m.h5" && "$FT" predict --quiet --model "$TMP/m.h5" \
		--data "$TMP/s.csv" --out "$TMP/p.$how.csv" || fail "spin_same_model" "$how failed"
done
cmp -s "$TMP/p.GOMP_SPINCOUNT=0.csv" "$TMP/p.X=1.csv" && cmp -s "$TMP/p.OMP_WAIT_POLICY=active.csv" "$TMP/p.X=1.csv" &&
	pass spin_same_model || fail spin_same_model "predictions differ"
