"""test_sklearn.py - scikit-learn's check_estimator on FairClassifier for
every classification method of the registry (read from the library, so a
new row is checked without editing this file), then the estimators inside
Pipeline, cross_val_score and GridSearchCV, for the classifier and the
ranker.

The checks' data have no sensitive attribute, so the estimator gets one
from X: `sensitive=group_of`, a pseudo-random function of each row's
content (so a row keeps its group when rows are reordered or subset).

Checks not run, with the reason, are in SKIP (every method) and
SKIP_METHOD; REFUSED lists checks whose tiny data sets the method refuses
with its own one-line message (a group without positive or negative rows,
a weight column a private method does not take): those must raise
fairtrain.InputError with that message, which is tested.
"""
import hashlib
import re
import warnings

import numpy as np

from harness import check, done, skip

try:
    import sklearn   # noqa: F401
    HAVE = True
except ImportError:
    HAVE = False

import fairtrain
from fairtrain import _registry


def _text(v):
    try:
        return repr(float(v))
    except (TypeError, ValueError):
        return repr(v)


def group_of(X):
    """Two groups, True and False, from a hash of each row's values."""
    X = np.asarray(X, dtype=object)
    return np.array([hashlib.md5(",".join(_text(v) for v in row).encode()).digest()[0] % 2 == 0
                     for row in X])


TRAIN = ("check_classifiers_train", "check_classifiers_train(readonly_memmap=True)",
         "check_classifiers_train(readonly_memmap=True, X_dtype='float32')")

# Not run for any method.
SKIP = {
    "check_sample_weights_invariance(kind='zeros')":
        "rows of weight 0 still count in the encoder's statistics (numeric columns are "
        "standardized with the unweighted training mean and sd, as scikit-learn's "
        "StandardScaler without sample_weight, the command line's rule) and the L2 "
        "penalty is not invariant to that rescaling, so the fit moves slightly",
}
RANDOMIZED = ("predict is one seeded draw from the randomized classifier (as `fairtrain "
              "predict`), so it differs from argmax predict_proba by design, and the "
              "draw of a row is the i-th uniform of the seed's stream, so reordering "
              "or subsetting rows changes it")
RANDOMIZED_CHECKS = TRAIN + ("check_classifiers_classes", "check_methods_sample_order_invariance",
                             "check_methods_subset_invariance")
SEEDED = ("the private methods are checked with their parameter seed=1 (seed 0 draws "
          "the noise from getrandom, so no two fits agree); a method parameter given "
          "to __init__ is an attribute named by the registry, which this check flags")
SKIP_METHOD = {
    "eg": dict.fromkeys(RANDOMIZED_CHECKS, RANDOMIZED),
    "gerryfair": dict.fromkeys(RANDOMIZED_CHECKS, RANDOMIZED),
    "threshold": dict.fromkeys(RANDOMIZED_CHECKS, RANDOMIZED),
    "cal-eo": dict.fromkeys(RANDOMIZED_CHECKS, RANDOMIZED),
    "dp-eg": dict(dict.fromkeys(RANDOMIZED_CHECKS, RANDOMIZED),
                  check_no_attributes_set_in_init=SEEDED),
    "dp-threshold": dict(dict.fromkeys(RANDOMIZED_CHECKS, RANDOMIZED),
                         check_no_attributes_set_in_init=SEEDED),
    "dp-logreg": {"check_no_attributes_set_in_init": SEEDED},
    "dp-reweigh": {"check_no_attributes_set_in_init": SEEDED},
    "lfr": dict(dict.fromkeys(TRAIN,
        "the classifier reads 5 prototypes' reconstruction of each row, fitted for "
        "statistical parity (Az = 50): on the check's blobs its accuracy is below the "
        "check's 0.83 by design"),
        check_no_attributes_set_in_init="max_iter=200 keeps the checks fast; a method "
        "parameter given to __init__ is an attribute named by the registry"),
    "optim-pre": dict(dict.fromkeys(TRAIN,
        "the classifier reads only the discretized column (col1, 4 quantile levels), "
        "so on the check's blobs its accuracy is below the check's 0.83 by design"),
        check_no_attributes_set_in_init="the bounds are relaxed for the checks' tiny "
        "sets; a method parameter given to __init__ is an attribute named by the "
        "registry"),
    "cov-fair": dict.fromkeys(TRAIN,
        "the default c = 0 demands exactly zero decision-boundary covariance with the "
        "group; on the check's two-feature blobs (200 rows, covariance 0.22 unconstrained) "
        "that leaves one direction and accuracy 0.55, below the check's 0.83"),
    "mistreat": dict.fromkeys(TRAIN,
        "the default c = 0 on both the FPR and FNR covariances is the strictest setting; "
        "on the check's blobs it gives accuracy 0.75, below the check's 0.83"),
}
ONE_LABEL = r"has no (positive|negative) labels|no rows with label|has no (positive|negative) training rows"
WEIGHTS = r"weight column|outside \[0, 1\]"
GROUP_DATA = ("check_sample_weights_shape", "check_sample_weights_not_overwritten",
              "check_sample_weights_invariance(kind='ones')", "check_fit2d_1feature")
REFUSED = {
    "prejudice": dict.fromkeys(GROUP_DATA, ONE_LABEL),
    "reg-eo": dict.fromkeys(GROUP_DATA, ONE_LABEL),
    "reg-eop": {"check_fit2d_1feature": ONE_LABEL},
    "cal-eo": dict.fromkeys(GROUP_DATA, ONE_LABEL),
    "dp-logreg": dict.fromkeys(("check_sample_weights_list",
                                "check_sample_weights_not_overwritten"), WEIGHTS),
}
for _m in ("dp-reweigh", "dp-threshold", "dp-eg"):
    REFUSED[_m] = REFUSED["dp-logreg"]


def check_name(check):
    f = getattr(check, "func", check)
    kw = getattr(check, "keywords", None)
    if kw:
        return "%s(%s)" % (f.__name__, ", ".join("%s=%r" % kv for kv in kw.items()))
    return f.__name__


def estimator(method):
    kw = {}
    if method.startswith("dp-"):
        kw["seed"] = 1
    if method in ("cal-eo", "reject-option", "lfr"):
        kw["privileged"] = "True"
    if method == "lfr":
        kw["max_iter"] = 200
    if method == "optim-pre":
        # the checks' tiny sets cannot meet the default parity and
        # distortion bounds (the fit refuses them, tested in the CLI tests);
        # the checks are of the estimator, so the bounds are relaxed
        kw.update(epsilon=1.0, d1=1.0, d2=1.0, d3=1.0)
    return fairtrain.FairClassifier(method=method, sensitive=group_of, **kw)


def run_checks(method):
    from sklearn.utils.estimator_checks import check_estimator
    ran = refused = 0
    skipped = []
    bad = []
    for est, chk in check_estimator(estimator(method), generate_only=True):
        name = check_name(chk)
        why = SKIP.get(name) or SKIP_METHOD.get(method, {}).get(name)
        if why:
            skipped.append((name, why))
            continue
        want = REFUSED.get(method, {}).get(name)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                chk(est)
        except Exception as e:
            # the refusal itself, or a check's assertion quoting it
            if want and re.search(want, str(e)) and (
                    isinstance(e, fairtrain.InputError) or "Got X: " in str(e)):
                refused += 1
                continue
            bad.append("%s: %s %s" % (name, type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
            continue
        if want:
            bad.append("%s: expected the refusal /%s/, the check passed" % (name, want))
        ran += 1
    for name, why in skipped:
        print("#   skipped %s: %s" % (name, why))
    print("# check_estimator[%s]: %d checks passed, %d refused with the method's message, "
          "%d skipped" % (method, ran, refused, len(skipped)))
    assert not bad, "; ".join(bad[:4])
    assert ran >= 30, "only %d checks ran" % ran


def frame():
    import pandas as pd
    rng = np.random.RandomState(3)
    n = 600
    sex = np.where(rng.rand(n) < 0.45, "F", "M")
    x1 = rng.normal(size=n)
    job = rng.choice(["a", "b", "c"], size=n)
    y = (x1 + (sex == "M") * 0.8 + (job == "a") * 0.5 + rng.normal(size=n) > 0.6).astype(int)
    return pd.DataFrame({"x1": x1, "job": job, "sex": sex}), y


def pipeline_cv_grid():
    """Pipeline, cross_val_score and GridSearchCV with the sensitive column in
    X (so scoring needs nothing else), for a method whose predict reads the
    group (threshold) and one that does not (eg, reg-dp)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer
    X, y = frame()
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    pipe = Pipeline([("id", FunctionTransformer(lambda d: d.copy())),
                     ("clf", fairtrain.FairClassifier("threshold", sensitive="sex",
                                                      constraint="dp"))])
    s = cross_val_score(pipe, X, y, cv=cv)
    assert s.shape == (3,) and np.all((s > 0.55) & (s < 0.95)), s
    gs = GridSearchCV(fairtrain.FairClassifier("reg-dp", sensitive="sex"),
                      {"lambda": [0.1, 10.0], "C": [0.1, 1.0]}, cv=cv)
    gs.fit(X, y)
    assert set(gs.best_params_) == {"lambda", "C"}, gs.best_params_
    assert gs.best_estimator_.get_params()["lambda"] == gs.best_params_["lambda"]
    assert len(gs.cv_results_["mean_test_score"]) == 4
    # a fit parameter reaches the estimator through a pipeline, sliced per fold
    pipe2 = Pipeline([("pre", ColumnTransformer([("keep", "passthrough", ["x1", "job"])])),
                      ("clf", fairtrain.FairClassifier("eg", constraint="dp"))])
    Xa = X[["x1", "job"]]
    s2 = cross_val_score(pipe2, Xa, y, cv=cv, fit_params={"clf__sensitive_features": X["sex"].values})
    assert np.all(s2 > 0.55), s2


def ranker_sklearn():
    """FairRanker in GridSearchCV (query and group columns in X, queries kept
    whole by GroupKFold) and cross_val_score."""
    import pandas as pd
    from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
    rng = np.random.RandomState(5)
    rows = []
    for q in range(40):
        for i in range(10):
            g = int(rng.rand() < 0.4)
            x = rng.normal()
            rows.append((q, g, x, rng.normal(), x - 0.7 * g + 0.3 * rng.normal()))
    df = pd.DataFrame(rows, columns=["q", "g", "x", "noise", "rel"])
    y = df.pop("rel").values
    r = fairtrain.FairRanker("deltr", query="q", sensitive="g", protected="1", gamma=1.0)
    s = cross_val_score(r, df, y, groups=df["q"], cv=GroupKFold(4))
    assert s.shape == (4,) and np.all((s > 0) & (s <= 1)), s
    gs = GridSearchCV(r, {"gamma": [0.0, 100.0]}, cv=GroupKFold(3))
    gs.fit(df, y, groups=df["q"])
    assert gs.best_params_["gamma"] in (0.0, 100.0)


if not HAVE:
    skip("sklearn_checks", "python3-sklearn is not installed")
else:
    methods = [m.name for m in _registry.METHODS if m.task == "classify"]
    assert len(methods) >= 19, methods
    for m in methods:
        check("check_estimator[%s]" % m, run_checks, m)
    check("sklearn_pipeline_cv_gridsearch", pipeline_cv_grid)
    check("sklearn_ranker_gridsearch", ranker_sklearn)
done()
