#!/usr/bin/python3
"""Adult by sex from Python: the sweep of experiments/adult-sex/run.sh (the
standard split, rows with '?' dropped, fnlwgt dropped, sex not a feature,
C = 1), with a DataFrame and FairClassifier instead of the command line.
Prints the same table; the numbers are the CLI's, to the last digit.

    experiments/python-adult/run.py      (after make; FAIRTRAIN_DATA as for the tests)
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "src", "python"))
import pandas as pd  # noqa: E402

import fairtrain  # noqa: E402

A = os.path.join(os.environ.get("FAIRTRAIN_DATA", "datasets"), "adult")
NAMES = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
         "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
         "hours-per-week", "native-country", "income"]
SWEEP = [("logreg", {}), ("reweigh", {})] + \
    [("prejudice", {"eta": e}) for e in (1, 5, 25, 100)] + \
    [("cov-fair", {"c": c}) for c in (1, 0.1, 0.01, 0.001, 0)] + \
    [("cov-acc", {"gamma": g}) for g in (0.01, 0.05, 0.1)] + \
    [("reg-dp", {"lambda": v}) for v in (0.1, 1, 10)] + \
    [("reg-cov", {"lambda": v}) for v in (0.1, 1, 10)]


def read(name, skip):
    df = pd.read_csv(os.path.join(A, name), header=None, names=NAMES, skiprows=skip,
                     skipinitialspace=True, na_values=["?"], keep_default_na=False)
    return df.drop(columns=["fnlwgt", "income", "sex"]), df["income"].str.rstrip("."), df["sex"]


X, y, sex = read("adult.data", 0)
Xt, yt, sext = read("adult.test", 1)
print("| method | test accuracy | p%-rule | DP difference | FPR gap (F-M) | FNR gap (F-M) |")
print("|---|---:|---:|---:|---:|---:|")
t0 = time.time()
for method, params in SWEEP:
    clf = fairtrain.FairClassifier(method, missing="drop", privileged="Male", **params)
    clf.fit(X, y, sensitive_features=sex, eval_set=(Xt, yt, sext))
    t = clf.comparison_.query("model == 'mitigated' and split == 'test'")
    v = lambda metric, group="overall", conv="": t.query(  # noqa: E731
        "metric == @metric and group == @group and convention == @conv")["value"].iloc[0]
    label = method + "".join(":%s=%g" % kv for kv in params.items())
    print("| %-28s | %.4f | %5.1f%% | %.4f | %+.4f | %+.4f |" % (
        label, v("accuracy"), 100 * v("demographic_parity_ratio", "", "between_groups"),
        v("demographic_parity_difference", "", "between_groups"),
        v("fpr", "Female") - v("fpr", "Male"), v("fnr", "Female") - v("fnr", "Male")))
print("\n%d fits in %.1f s" % (len(SWEEP), time.time() - t0), file=sys.stderr)
