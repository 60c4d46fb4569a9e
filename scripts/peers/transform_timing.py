#!/usr/bin/python3
"""Fit times of the feature transforms against the reference Python code,
for `make bench` (issue 17): on German credit (sex: A92/A95 female) and
Adult (sex), all rows without '?', the encoding of
scripts/fixtures/aif_common.py (fairtrain's own standardization).

The reference side times only the transform's fit, with the code the
fixtures check fairtrain against (scripts/fixtures/make_transform_fixture.py):
  dir          the port of BlackBoxAuditing's repair (AIF360's
               DisparateImpactRemover), repair_level 1, every feature;
  corr-remove  Fairlearn's CorrelationRemover.fit + transform (alpha 1);
  lfr          AIF360's LFR fit: scipy's L-BFGS-B with a finite-difference
               gradient (approx_grad, epsilon 1e-5), one start, k = 5,
               maxiter = maxfun = MAXFUN (German only: on Adult one start
               takes hours).
  eopp-rank    the numpy port of LiFT's EOppUtils (scripts/fixtures/
               make_eopp_fixture.py: eopp_maps, K = 1000) on the DELTR LSAT
               training split's listnet scores (positives: ZFYA > 0).
fairtrain's side is a whole FairClassifier.fit (FairRanker.fit for
eopp-rank: the ranker, its baseline, the map and the tables) through the
Python package
(the encoder, the baseline logistic fit, the transform, the logistic fit on
its output, the before/after table without bootstrap or permutations),
so the ratio flatters the reference.  Median of RUNS each.

    transform_timing.py DATA_DIR [RUNS]
"""
import os
import statistics
import sys
import time

import numpy as np
import scipy.optimize as optim

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "src", "python"))
import aif_common as ac  # noqa: E402
import make_eopp_fixture as me  # noqa: E402
import make_transform_fixture as mt  # noqa: E402

MAXFUN = 500
ADULT = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
         "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
         "hours-per-week", "native-country", "income"]


def median_time(fn, runs):
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def frames(data):
    import pandas as pd
    grows = ac.load_german(os.path.join(data, "german", "german.data"))
    gdf = pd.DataFrame(grows, columns=["c%d" % c for c in range(1, 22)])
    for c in ac.GERMAN_NUMERIC:
        gdf["c%d" % c] = gdf["c%d" % c].astype(float)
    gsex = np.where(gdf["c9"].isin(["A92", "A95"]), "female", "male")
    gy = (gdf["c21"] == "1").astype(int).values
    gX = gdf.drop(columns=["c9", "c21"])
    arows = ac.adult_rows(os.path.join(data, "adult"))
    adf = pd.DataFrame(arows, columns=ADULT)
    for c in ("age", "education-num", "capital-gain", "capital-loss", "hours-per-week"):
        adf[c] = adf[c].astype(float)
    asex = adf["sex"].values
    ay = (adf["income"] == ">50K").astype(int).values
    aX = adf.drop(columns=["sex", "income", "fnlwgt"])
    return (gX, gy, gsex, "male"), (aX, ay, asex, "Male"), grows, arows


def main(argv):
    if len(argv) not in (2, 3):
        raise SystemExit("usage: transform_timing.py DATA_DIR [RUNS]")
    runs = int(argv[2]) if len(argv) == 3 else 3
    import fairtrain
    gset, aset, grows, arows = frames(argv[1])
    GX, gy, gg, _, _ = ac.german_design(grows)
    AX, ay, ag, _, _ = ac.adult_design(arows)
    p = GX.shape[1]
    np.random.seed(1)
    x0 = np.random.uniform(size=5 + 5 * p)
    xu, xp = GX[gg == 0], GX[gg == 1]
    yu, yp = gy[gg == 0].astype(float), gy[gg == 1].astype(float)

    def lfr_ref():
        optim.fmin_l_bfgs_b(mt.lfr_objective, x0=x0, epsilon=1e-5,
                            args=(xu, xp, yu, yp, 5, 0.01, 1.0, 50.0),
                            bounds=[(0, 1)] * 5 + [(None, None)] * p * 5,
                            approx_grad=True, maxfun=MAXFUN, maxiter=MAXFUN, disp=0)
    ref = {
        ("german", "dir"): lambda: mt.bba_repair(GX, gg, 1.0),
        ("german", "corr-remove"): lambda: mt.fairlearn_corr(GX, gg, 1.0),
        ("german", "lfr"): lfr_ref,
        ("adult", "dir"): lambda: mt.bba_repair(AX, ag, 1.0),
        ("adult", "corr-remove"): lambda: mt.fairlearn_corr(AX, ag, 1.0),
    }
    specs = {"dir": {}, "corr-remove": {}, "lfr": {"restarts": 1, "max_iter": MAXFUN}}
    print("feature transforms against the reference Python code (median of %d; "
          "fairtrain: a whole FairClassifier.fit; reference: the transform's fit only)" % runs)
    print("%-7s %-12s %12s %12s %9s" % ("data", "method", "reference s", "fairtrain s",
                                        "ratio"))
    for name, (X, y, g, priv) in (("german", gset), ("adult", aset)):
        for m, kw in specs.items():
            if (name, m) not in ref:
                continue
            clf = fairtrain.FairClassifier(method=m, privileged=priv, bootstrap=0,
                                           permutations=0, **kw)
            tf = median_time(lambda: clf.fit(X, y, sensitive_features=g), runs)
            tr = median_time(ref[(name, m)], 1 if m == "lfr" else runs)
            print("%-7s %-12s %12.4f %12.4f %8.1fx" % (name, m, tr, tf, tr / tf))
    # eopp-rank on LSAT (gender)
    import pandas as pd
    lsat = os.path.join(argv[1], "deltr-lsat", "gender", "train.txt")
    if os.path.exists(lsat):
        X = pd.read_csv(lsat, names=["query", "protected", "LSAT", "UGPA", "ZFYA"])
        y = X.pop("ZFYA").values
        X["protected"] = X["protected"].astype(str)
        r = fairtrain.FairRanker("listnet", query="query", sensitive="protected",
                                 protected="1", rerank="eopp-rank:n_quantiles=1000")
        tf = median_time(lambda: r.fit(X, y), runs)
        s = r.predict(X)
        yy = (y > 0).astype(int)
        gg = (X["protected"] == "1").astype(int).values
        tr = median_time(lambda: me.eopp_maps(s, yy, gg, np.ones(len(s)), 1000), 1)
        print("%-7s %-12s %12.4f %12.4f %8.1fx" % ("lsat", "eopp-rank", tr, tf, tr / tf))


if __name__ == "__main__":
    main(sys.argv)
