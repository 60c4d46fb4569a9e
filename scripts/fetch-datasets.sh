#!/bin/sh
# fetch-datasets.sh - get the public data sets the tests, experiments and
# benchmarks use into datasets/ (the one place they all read, unless
# $FAIRTRAIN_DATA says otherwise), and verify each file's SHA-256.
#
#   scripts/fetch-datasets.sh [--from DIR] [--to DIR] [--quiet]
#
#   --from DIR  copy from a local mirror laid out like datasets/
#               (adult/adult.data, ...) instead of downloading.  Without it
#               a mirror is looked for in $FAIRTRAIN_DATA_MIRROR and in
#               ../shared/datasets (beside the clone); files found there
#               with the right checksum are copied, the others downloaded
#   --to DIR    destination (default datasets/, which git ignores)
#   --quiet     print only what changed and errors
#
# A file whose checksum does not match is removed and the script fails: the
# experiments' numbers are only comparable on the exact published files.
# Sources, licences and columns: datasets/README.md.
set -eu

FROM=
TO=datasets
QUIET=0
while [ $# -gt 0 ]; do
	case "$1" in
	--from) FROM=$2; shift 2 ;;
	--to) TO=$2; shift 2 ;;
	--quiet) QUIET=1; shift ;;
	-h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "fetch-datasets: unknown option '$1'" >&2; exit 2 ;;
	esac
done

UCI=https://archive.ics.uci.edu/ml/machine-learning-databases
DELTR=https://raw.githubusercontent.com/MilkaLichtblau/DELTR-Experiments/master/data/LawStudents
# local path | sha256 | source URL
LIST="adult/adult.data|5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d|$UCI/adult/adult.data
adult/adult.test|a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05|$UCI/adult/adult.test
adult/adult.names|c248284c0b5de30c9e1958d6cdd168a34a654758b620e68f46aefa83fc0a576a|$UCI/adult/adult.names
german/german.data|b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871|$UCI/statlog/german/german.data
compas/compas-scores-two-years.csv|c451db85908b2f7fef1d83203bedf6b71ecda0d5af468d82ae62178f91d0cc7d|https://raw.githubusercontent.com/propublica/compas-analysis/master/compas-scores-two-years.csv
lawschool/law_data.csv|778f7e055d7be170197b73c98d6ce7f18b4f38d5ca1093c6af10bb9fcd75181d|https://raw.githubusercontent.com/mkusner/counterfactual-fairness/master/law_data.csv
deltr-lsat/gender/train.txt|d0b2579339f9194c29c3d56e6fda805da51f5f19b295158ecfe93453aaa16fc4|$DELTR/gender/LawStudents_Gender_train.txt
deltr-lsat/gender/test.txt|900561558abc29922e5482fbdd5efd3da228eaa2ed690052301fa3abeedb5271|$DELTR/gender/LawStudents_Gender_test.txt
deltr-lsat/race/train.txt|436c4761370799b9e1ed3eb2fece97349531723d3b723401af6761bc74096252|$DELTR/race_black/LawStudents_Race_train.txt
deltr-lsat/race/test.txt|63cc8667e971c8a3203b46c36fb6a1d21bca922febc1b17d4bf8eb22759c0d2f|$DELTR/race_black/LawStudents_Race_test.txt"

fetch() {  # url dest
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL --retry 2 -o "$2" "$1"
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$2" "$1"
	else
		echo "fetch-datasets: need curl or wget to download (or use --from DIR)" >&2
		return 1
	fi
}

# a mirror beside the clone, when none was given
MIRROR=
if [ -z "$FROM" ]; then
	for m in "${FAIRTRAIN_DATA_MIRROR:-}" ../shared/datasets; do
		[ -n "$m" ] && [ -d "$m" ] && [ "$(cd "$m" && pwd)" != "$(mkdir -p "$TO" && cd "$TO" && pwd)" ] &&
			{ MIRROR=$m; break; }
	done
fi

echo "$LIST" | while IFS='|' read -r rel sum url; do
	dest="$TO/$rel"
	mkdir -p "$(dirname "$dest")"
	if [ -f "$dest" ] && [ "$(sha256sum "$dest" | cut -c1-64)" = "$sum" ]; then
		[ "$QUIET" = 1 ] || echo "ok        $dest"
		continue
	fi
	tmp="$dest.part"
	if [ -n "$FROM" ]; then
		cp "$FROM/$rel" "$tmp" || { echo "fetch-datasets: $FROM/$rel: cannot copy" >&2; exit 1; }
	elif [ -n "$MIRROR" ] && [ -f "$MIRROR/$rel" ] &&
	     [ "$(sha256sum "$MIRROR/$rel" | cut -c1-64)" = "$sum" ]; then
		cp "$MIRROR/$rel" "$tmp" || { echo "fetch-datasets: $MIRROR/$rel: cannot copy" >&2; exit 1; }
	else
		fetch "$url" "$tmp" || { rm -f "$tmp"; echo "fetch-datasets: $url: download failed" >&2; exit 1; }
	fi
	got=$(sha256sum "$tmp" | cut -c1-64)
	if [ "$got" != "$sum" ]; then
		rm -f "$tmp"
		echo "fetch-datasets: $rel: sha256 $got, expected $sum" >&2
		exit 1
	fi
	mv "$tmp" "$dest"
	echo "fetched   $dest${MIRROR:+ (from $MIRROR)}"
done
