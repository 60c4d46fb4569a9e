#!/usr/bin/python3
"""adult_anchor.py - the Python anchor of one `fairtrain train` run on UCI
Adult, as a whole script, for scripts/bench.sh's whole-process ratios
(issue 20 item 10).

    adult_anchor.py METHOD ADULT_DIR OUT_PREFIX [--fairlearn SRC]

METHOD is logreg, reweigh, eg or threshold.  What it does is what
`fairtrain train --bootstrap 0 --permutations 0` does with the same method
(scripts/bench.sh passes the same columns): read adult.data and adult.test,
drop rows with a missing cell ('?'), strip the '.' of the test labels,
drop fnlwgt, keep sex as the sensitive attribute and not a feature,
standardize the numeric columns and one-hot encode the categorical ones
(fitted on the training part), fit the unmitigated logistic regression
(scikit-learn, C = 1) and the method:

    logreg     the baseline itself
    reweigh    Kamiran & Calders weights w(g, y) = P(g) P(y) / P(g, y), then
               the weighted logistic regression
    eg         Fairlearn's ExponentiatedGradient(LogisticRegression,
               DemographicParity(), eps=0.01, max_iter=50)
    threshold  Fairlearn's ThresholdOptimizer(constraints=
               "demographic_parity", objective="accuracy_score") on the
               baseline's predict_proba

then measures baseline and mitigated model on both parts (per group and
overall: accuracy, selection rate, TPR, FPR, AUC; the demographic-parity
and equalized-odds differences) and writes OUT_PREFIX.pkl (the models and
the encoder) and OUT_PREFIX.json (the measurements).  eg and threshold need
Fairlearn 0.9's source tree (--fairlearn: the folder that holds the
fairlearn package); it runs on Debian's numpy, scipy, pandas and sklearn.
"""
import json
import pickle
import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

NAMES = ["age", "workclass", "fnlwgt", "education", "education-num",
         "marital-status", "occupation", "relationship", "race", "sex",
         "capital-gain", "capital-loss", "hours-per-week", "native-country",
         "income"]


def read(path, skip):
    df = pd.read_csv(path, names=NAMES, skiprows=skip, skipinitialspace=True,
                     na_values="?", keep_default_na=False)
    df = df.dropna()
    y = (df["income"].str.rstrip(".") == ">50K").astype(int).to_numpy()
    g = df["sex"].to_numpy()
    return df.drop(columns=["income", "sex", "fnlwgt"]), y, g


def encode_fit(X):
    num = [c for c in X.columns if X[c].dtype.kind in "if"]
    cat = [c for c in X.columns if c not in num]
    mu = X[num].mean()
    sd = X[num].std(ddof=0).replace(0, 1)
    cats = {c: sorted(X[c].unique()) for c in cat}
    return num, cat, mu, sd, cats


def encode(X, enc):
    num, cat, mu, sd, cats = enc
    parts = [((X[num] - mu) / sd).to_numpy()]
    for c in cat:
        codes = pd.Categorical(X[c], categories=cats[c]).codes
        oh = np.zeros((len(X), len(cats[c])))
        ok = codes >= 0
        oh[np.nonzero(ok)[0], codes[ok]] = 1
        parts.append(oh)
    return np.hstack(parts)


def measure(y, s, yhat, g):
    out = {}
    for name, m in [("overall", np.ones(len(y), bool))] + \
            [(v, g == v) for v in sorted(set(g))]:
        yy, ss, hh = y[m], s[m], yhat[m]
        out[name] = {
            "accuracy": float(np.mean(yy == hh)),
            "selection_rate": float(np.mean(hh)),
            "tpr": float(np.mean(hh[yy == 1])),
            "fpr": float(np.mean(hh[yy == 0])),
            "auc": float(roc_auc_score(yy, ss)),
        }
    groups = [k for k in out if k != "overall"]
    sel = [out[k]["selection_rate"] for k in groups]
    tpr = [out[k]["tpr"] for k in groups]
    fpr = [out[k]["fpr"] for k in groups]
    out["dp_difference"] = max(sel) - min(sel)
    out["eo_difference"] = max(max(tpr) - min(tpr), max(fpr) - min(fpr))
    return out


def main():
    args = sys.argv[1:]
    fl = None
    if "--fairlearn" in args:
        i = args.index("--fairlearn")
        fl = args[i + 1]
        del args[i:i + 2]
    if len(args) != 3 or args[0] not in ("logreg", "reweigh", "eg", "threshold"):
        sys.exit(__doc__)
    method, adir, out = args
    if method in ("eg", "threshold"):
        if not fl:
            sys.exit("adult_anchor.py: %s needs --fairlearn SRC" % method)
        sys.path.insert(0, fl)
    Xtr, ytr, gtr = read(adir + "/adult.data", 0)
    Xte, yte, gte = read(adir + "/adult.test", 1)
    enc = encode_fit(Xtr)
    Atr, Ate = encode(Xtr, enc), encode(Xte, enc)

    base = LogisticRegression(C=1.0, max_iter=1000).fit(Atr, ytr)
    if method == "logreg":
        model = base
    elif method == "reweigh":
        w = np.empty(len(ytr))
        for gv in set(gtr):
            for yv in (0, 1):
                m = (gtr == gv) & (ytr == yv)
                w[m] = np.mean(gtr == gv) * np.mean(ytr == yv) / np.mean(m)
        model = LogisticRegression(C=1.0, max_iter=1000).fit(Atr, ytr, sample_weight=w)
    elif method == "eg":
        from fairlearn.reductions import ExponentiatedGradient, DemographicParity
        model = ExponentiatedGradient(LogisticRegression(C=1.0, max_iter=1000),
                                      DemographicParity(), eps=0.01, max_iter=50)
        model.fit(Atr, ytr, sensitive_features=gtr)
    else:
        from fairlearn.postprocessing import ThresholdOptimizer
        model = ThresholdOptimizer(estimator=base, constraints="demographic_parity",
                                   objective="accuracy_score", prefit=True,
                                   predict_method="predict_proba")
        model.fit(Atr, ytr, sensitive_features=gtr)

    res = {}
    for split, A, y, g in (("train", Atr, ytr, gtr), ("test", Ate, yte, gte)):
        s = base.predict_proba(A)[:, 1]
        res["baseline/" + split] = measure(y, s, (s >= 0.5).astype(int), g)
        if method in ("logreg", "reweigh"):
            sm = model.predict_proba(A)[:, 1]
            yh = (sm >= 0.5).astype(int)
        elif method == "eg":
            sm = model._pmf_predict(A)[:, 1]
            yh = model.predict(A, random_state=1)
        else:
            yh = model.predict(A, sensitive_features=g, random_state=1)
            sm = s
        res["mitigated/" + split] = measure(y, sm, yh, g)
    with open(out + ".pkl", "wb") as f:
        pickle.dump({"encoder": enc, "baseline": base, "model": model}, f)
    with open(out + ".json", "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
