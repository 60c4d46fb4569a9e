"""test_errors.py - bad input from Python: each case raises the expected
exception class (ValueError for data and parameters, OSError for files,
TypeError for sparse input) with the expected one-line message, most of
them the library's own line; never a crash.  Afterwards the process still
fits and predicts (nothing was left half-built)."""
import os
import re
import tempfile

import numpy as np

from harness import check, done

import fairtrain

F, R = fairtrain.FairClassifier, fairtrain.FairRanker
rng = np.random.RandomState(0)
X = rng.normal(size=(200, 3))
S = np.where(rng.rand(200) < 0.5, "a", "b")
Y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
Q = np.repeat(np.arange(20), 10)
TMP = tempfile.mkdtemp()


def with_nan():
    Xn = X.copy()
    Xn[2, 1] = np.nan
    return Xn


def with_inf():
    Xi = X.copy()
    Xi[1, 2] = np.inf
    return Xi


def weights():
    w = np.ones(200)
    w[3] = -1
    return w


def frame():
    import pandas as pd
    return pd.DataFrame({"a": X[:, 0], "c": np.where(X[:, 1] > 0, "u", "v")})


def unseen():
    df = frame()
    clf = F().fit(df, Y)
    df.loc[3, "c"] = "w"
    clf.predict(df)


def foreign_file():
    path = os.path.join(TMP, "not_a_model.h5")
    with open(path, "w") as fp:
        fp.write("hello\n")
    fairtrain.load(path)


def duplicate_names():
    import pandas as pd
    F().fit(pd.DataFrame(X[:, :2], columns=["a", "a"]), Y)


def sparse():
    from scipy import sparse as sp
    F().fit(sp.csr_matrix(X), Y)


CASES = [
    # name, call, exception class, message (regular expression, whole line)
    ("unknown_method", lambda: F("nope").fit(X, Y), fairtrain.InputError,
     r"unknown method 'nope' \(methods: logreg, reweigh, .*\)"),
    ("ranking_method_as_classifier", lambda: F("listnet").fit(X, Y), ValueError,
     r"'listnet' is a ranking method, not one of logreg, .*"),
    ("parameter_out_of_range", lambda: F("eg", eps=5).fit(X, Y, sensitive_features=S),
     ValueError, r"method eg: eps = 5 is outside \[1e-06, 1\]"),
    ("parameter_of_another_method",
     lambda: F("eg").set_params(eta=1).fit(X, Y, sensitive_features=S), ValueError,
     r"method eg has no parameter 'eta' \(constraint, eps, ratio, max_iter, eta0, nu, loss, "
     r"upper_bound\)"),
    ("bad_choice", lambda: F("eg", constraint="xx").fit(X, Y, sensitive_features=S),
     ValueError, r"method eg: constraint takes one of dp\|eo\|tpr\|fpr\|erp\|bgl, not 'xx'"),
    ("nan_in_numeric_feature", lambda: F().fit(with_nan(), Y), ValueError,
     r"X:3: column 'x1': missing value \(NaN\)"),
    ("inf_in_numeric_feature", lambda: F().fit(with_inf(), Y), ValueError,
     r"X:2: column 'x2': non-finite value 'inf'"),
    ("missing_category", lambda: F().fit(frame().assign(
        c=lambda d: d.c.where(d.index != 5, None)), Y), ValueError,
     r"X:6: column 'c': missing value"),
    ("unseen_category_at_predict", unseen, ValueError,
     r"X: 1 cell with a category unseen in training \(encoded as all zeros\) "
     r"\(handle_unknown='ignore' accepts them\)"),
    ("method_needs_groups", lambda: F("eg").fit(X, Y), ValueError,
     r"method eg needs a sensitive attribute"),
    ("one_group", lambda: F("eg").fit(X, Y, sensitive_features=np.repeat("a", 200)),
     ValueError, r"X: sensitive column 'sensitive' has only one value \('a'\) in the "
                 r"training rows"),
    ("sensitive_missing_at_predict",
     lambda: F("threshold").fit(X, Y, sensitive_features=S).predict(X), ValueError,
     r"X: this model \(threshold\) uses group-specific thresholds: the data needs the "
     r"sensitive column sensitive"),
    ("privileged_not_a_group", lambda: F(privileged="zed").fit(X, Y, sensitive_features=S),
     ValueError, r"X: privileged group 'zed' is not one of the groups: a, b"),
    ("one_class", lambda: F().fit(X, np.ones(200, dtype=int)), ValueError,
     r"X: column 'y' has only one class in the training rows \(all '1'\)"),
    ("three_classes", lambda: F().fit(X, np.arange(200) % 3), ValueError,
     r"y has 3 classes \(0, 1, 2\); FairClassifier is a binary classifier"),
    ("continuous_target", lambda: F().fit(X, X[:, 0]), ValueError,
     r"Unknown label type: 'continuous' .*"),
    ("negative_weight", lambda: F().fit(X, Y, sample_weight=weights()), ValueError,
     r"X:4: column 'sample_weight': negative weight '-1'"),
    ("one_dimensional_X", lambda: F().fit(X[:, 0], Y), ValueError,
     r"Expected 2D array, got 1D array instead\. Reshape your data .*"),
    ("inconsistent_lengths", lambda: F().fit(X, Y[:10]), ValueError,
     r"Found input variables with inconsistent numbers of samples: X has 200 rows, "
     r"y has 10"),
    ("wrong_number_of_features", lambda: F().fit(X, Y).predict(X[:, :2]), ValueError,
     r"X has 2 features, but FairClassifier is expecting 3 features as input\."),
    ("feature_names_differ",
     lambda: F().fit(frame(), Y).predict(frame().rename(columns={"a": "b"})), ValueError,
     r"The feature names should match those that were passed during fit\.(.|\n)*"),
    ("repeated_column_name", duplicate_names, ValueError, r"X: column name 'a' given twice"),
    ("sparse_input", sparse, TypeError, r"sparse input is not supported: .*"),
    ("bad_C", lambda: F(C=-1).fit(X, Y), ValueError, r"C must be a positive finite number"),
    ("load_missing_file", lambda: fairtrain.load(os.path.join(TMP, "none.h5")), OSError,
     r".*/none\.h5: cannot open: No such file or directory"),
    ("load_foreign_file", foreign_file, OSError, r".*/not_a_model\.h5: not an HDF5 file"),
    ("save_to_missing_directory", lambda: F().fit(X, Y).save("/nonexistent/dir/m.h5"),
     OSError, r"/nonexistent/dir/m\.h5: cannot create: No such file or directory"),
    ("ranker_without_queries", lambda: R().fit(X, Y), ValueError,
     r"a ranker needs the query of every row: pass qid, or name X's column in the "
     r"`query` parameter"),
    ("ranker_protected_not_a_group",
     lambda: R("deltr", protected="zz").fit(X, Y.astype(float), qid=Q, sensitive_features=S),
     ValueError, r"X: protected group 'zz' is not a group of the training data "
                 r"\(groups: a, b\)"),
    ("bad_reranker", lambda: R(rerank="fair:p=2", protected="a").fit(
        X, Y.astype(float), qid=Q, sensitive_features=S), ValueError,
     r"re-ranker fair: p = 2 is outside \[0, 1\]"),
]


def expect(call, cls, pattern):
    try:
        call()
    except cls as e:
        msg = str(e)
        assert re.fullmatch(pattern, msg), "message %r does not match /%s/" % (msg, pattern)
        assert "\n" not in msg or "feature names" in msg, "more than one line: %r" % msg
        return
    except Exception as e:
        raise AssertionError("raised %s: %s, expected %s" % (type(e).__name__, e, cls.__name__))
    raise AssertionError("no exception, expected %s" % cls.__name__)


def still_works():
    clf = F("eg").fit(X, Y, sensitive_features=S)
    p = clf.predict_proba(X, sensitive_features=S)
    assert p.shape == (200, 2) and np.allclose(p.sum(axis=1), 1)


import warnings  # noqa: E402
warnings.simplefilter("ignore", fairtrain.FairtrainWarning)
try:
    import pandas  # noqa: F401
    HAVE_PANDAS = True
except ImportError:
    HAVE_PANDAS = False
n = 0
for name, call, cls, pattern in CASES:
    if not HAVE_PANDAS and name in ("missing_category", "unseen_category_at_predict",
                                    "feature_names_differ", "repeated_column_name"):
        continue
    check("python_error[%s]" % name, expect, call, cls, pattern)
    n += 1
print("# %d bad-input cases" % n)
check("python_errors_then_fit", still_works)
done()
