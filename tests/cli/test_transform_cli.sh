# The feature transforms as methods (dir, corr-remove, lfr, optim-pre; issue
# 17) from the CLI on the three classification data sets: each trains,
# saves the transform in /model/transform (format_version 5), reloads, and
# predicts what train measured (predict's P(yhat = 1) per group equals the
# model file's test selection rates: the transform is applied to raw rows
# the same way), twice alike; then the errors: a missing sensitive column
# at prediction, bad parameters, and damaged transform tables in a file
# whose checksum was made again (a foreign writer's file).
. tests/cli/lib.sh

Q="--quiet --bootstrap 0 --permutations 0"
PRE="dir dir:repair_level=0.5 corr-remove corr-remove:alpha=0.5 lfr:restarts=1,max_iter=100 optim-pre:col1=1,col2=2"

if ! have_data; then
	skip transform_real "no data in $DATA (scripts/fetch-datasets.sh gets it)"
else
	cls_data_prep
	run_set adult "$CD_ADULT" "$CD_ADULT_TEST" sex $PRE
	run_set german "$CD_GERMAN --privileged A93" "$CD_GERMAN_TEST" personal $PRE
	run_set compas "$CD_COMPAS" "$CD_COMPAS_TEST" race $PRE
fi

"$FT" synth --rows 1500 --seed 3 --out "$TMP/h.csv" >/dev/null
S="--target hired --positive yes --sensitive gender --privileged male --split 0.3 --seed 2"
cut -d, -f2- "$TMP/h.csv" >"$TMP/nog.csv"
for spec in dir corr-remove lfr:max_iter=50 optim-pre:epsilon=0.2,d1=0.3,d2=0.2; do
	m=${spec%%:*}
	"$FT" train $Q --data "$TMP/h.csv" $S --method "$spec" --out "$TMP/$m.h5" 2>"$TMP/err" ||
		fail "train_synth_$m" "$(head -1 "$TMP/err")"
done
# the groups' transforms need the group; LFR's does not
for m in dir corr-remove optim-pre; do
	expect_error "err_${m}_needs_sensitive" 1 "nog.csv: this model \($m\) transforms each row's features by its group: the data needs the sensitive column gender" "$TMP/p.csv" -- \
		"$FT" predict --model "$TMP/$m.h5" --data "$TMP/nog.csv" --out "$TMP/p.csv"
done
check predict_lfr_without_group "$FT" predict --model "$TMP/lfr.h5" --data "$TMP/nog.csv" --out "$TMP/p.csv"
# inspect names the transform's outputs
"$FT" inspect "$TMP/optim-pre.h5" >"$TMP/insp" 2>&1
if grep -Eq '^  (age<|age\[|age>=)' "$TMP/insp"; then pass inspect_optim_pre_names; else fail inspect_optim_pre_names "$(tail -3 "$TMP/insp")"; fi

# bad parameters: one line each
expect_error err_dir_level 2 "repair_level" "$TMP/b.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" $S --method dir:repair_level=1.5 --out "$TMP/b.h5"
expect_error err_corr_alpha 2 "alpha" "$TMP/b.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" $S --method corr-remove:alpha=-1 --out "$TMP/b.h5"
expect_error err_lfr_privileged 1 "lfr: needs a privileged group" "$TMP/b.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" --target hired --positive yes --sensitive gender --method lfr --out "$TMP/b.h5"
expect_error err_optim_col 1 "optim-pre: col1=99, and the data has 7 feature columns \(4 numeric, then 3 categorical\)" "$TMP/b.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" $S --method optim-pre:col1=99 --out "$TMP/b.h5"
expect_error err_optim_twice 1 "optim-pre: column 2 is given twice" "$TMP/b.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" $S --method optim-pre:col1=2,col2=2 --out "$TMP/b.h5"
expect_error err_optim_infeasible 1 "optim-pre: the parity and distortion bounds cannot all be met .*raise epsilon" "$TMP/b.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" $S --method optim-pre:col1=1,col2=2,epsilon=0,d1=0,d2=0 --out "$TMP/b.h5"

# damaged tables, sealed again: refused with one line naming the part
damage() {
	_name=$1 _src=$2 _re=$3 _code=$4
	cp "$TMP/$_src.h5" "$TMP/d.h5"
	$PY - "$TMP/d.h5" "$_code" <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r+")
t = f["model/transform"]
exec(sys.argv[2])
f.close()
PYEOF
	reseal "$TMP/d.h5"
	expect_error "$_name" 1 "$_re" "$TMP/pd.csv" -- \
		"$FT" predict --model "$TMP/d.h5" --data "$TMP/h.csv" --out "$TMP/pd.csv"
}
damage bad_dir_val_off dir "d.h5: corrupt model file: .*transform/val_off\[0\] is -3, outside" \
	'v = t["val_off"][()]; v[0] = -3; del t["val_off"]; t["val_off"] = v'
damage bad_dir_offsets dir "d.h5: corrupt model file: .*(offsets of feature|inconsistent sizes|has [0-9]+ values, expected)" \
	'v = t["val_off"][()]; v[1], v[2] = v[2], v[1]; del t["val_off"]; t["val_off"] = v'
damage bad_dir_level dir "d.h5: corrupt model file: .*repair_level 3 is outside \[0, 1\]" \
	't.attrs["repair_level"] = 3.0'
damage bad_corr_nan corr-remove "d.h5: corrupt model file: .*(not finite|group_mean)" \
	'v = t["group_mean_defined"][()]; v[1] = 0; del t["group_mean_defined"]; t["group_mean_defined"] = v; g = t["group_mean"][()]; g[1] = 0; del t["group_mean"]; t["group_mean"] = g'
damage bad_lfr_shape lfr "d.h5: corrupt model file: .*prototypes is 2 x" \
	'v = t["prototypes"][()][:2]; del t["prototypes"]; t["prototypes"] = v'
damage bad_lfr_w lfr "d.h5: corrupt model file: .*w\[0\] = 2 is outside \[0, 1\]" \
	'v = t["w"][()]; v[0] = 2; del t["w"]; t["w"] = v'
damage bad_optim_map optim-pre "d.h5: corrupt model file: .*mapping row 0 sums to" \
	'v = t["map"][()]; v[0] += 0.5; del t["map"]; t["map"] = v'
damage bad_optim_cut_off optim-pre "d.h5: corrupt model file: .*cut_off" \
	'v = t["cut_off"][()]; v[0] = 1; del t["cut_off"]; t["cut_off"] = v'
damage bad_transform_kind dir "d.h5: corrupt model file: .*kind" \
	't.attrs["kind"] = "zca"'
damage bad_transform_inputs corr-remove "d.h5: corrupt model file: .*reads [0-9]+ features" \
	't.attrs["n_inputs"] = np.uint64(3)'
damage bad_transform_names dir "d.h5: corrupt model file: .*feature_names has [0-9]+ names, the transform writes" \
	'del f["model/feature_names"]; f["model/feature_names"] = np.array([b"a", b"b"])'
