#!/bin/sh
# summarize.sh REPORT.csv LABEL - one line of a sweep from a `train --report`
# CSV: test accuracy, p%-rule (selection-rate ratio), demographic-parity,
# FPR and FNR differences (between groups), baseline first.
awk -F, -v label="$2" '
	$3 == "test" && $4 == "overall" && $1 == "accuracy" { acc[$2] = $6 }
	$3 == "test" && $5 == "between_groups" && $1 == "demographic_parity_ratio" { pr[$2] = $6 }
	$3 == "test" && $5 == "between_groups" && $1 == "demographic_parity_difference" { dp[$2] = $6 }
	$3 == "test" && $4 != "overall" && $4 != "" && $1 == "fpr" { fpr[$2, ++nf[$2]] = $6 }
	$3 == "test" && $4 != "overall" && $4 != "" && $1 == "fnr" { fnr[$2, ++nn[$2]] = $6 }
	END {
		m = "mitigated"
		fg = fpr[m, 1] - fpr[m, 2]; ng = fnr[m, 1] - fnr[m, 2]
		printf "| %-28s | %.4f | %5.1f%% | %.4f | %+.4f | %+.4f |\n", label, acc[m], 100 * pr[m], dp[m], fg, ng
	}' "$1"
