#!/usr/bin/python3
"""diffprivlib's LogisticRegression on the data fairtrain's dp-logreg sees,
from a numpy port of its published algorithm (IBM differential-privacy-
library 0.6.6: models/logistic_regression.py, mechanisms/vector.py; the
port is scripts/fixtures/make_dp_logreg_fixture.py, checked against
fairtrain where the two algorithms coincide).

Usage: diffprivlib_port.py TRAIN.svm TEST.svm ADULT_TEST SEEDS OUT.tsv

TRAIN.svm and TEST.svm are `fairtrain export --part train|test` of the
experiment's data (the same encoder); ADULT_TEST is adult.test, read only
for the sex of each test row (rows with a missing value dropped, as the
encoder does; the labels are checked against TEST.svm).  Settings as the
experiment: data_norm = 4, C = 1, fit_intercept = True (diffprivlib's
default: its intercept is unpenalised and its calibration uses c q with
q = sqrt(4^2 + 1), where fairtrain's uses c q^2; see README.md).  Noise
from numpy's default_rng(seed).  Writes one line per run: method, epsilon,
seed, test accuracy, test demographic-parity difference.
"""
import os
import sys

import numpy as np
from scipy import optimize
from scipy.special import expit
from sklearn.datasets import load_svmlight_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts", "fixtures"))
import make_dp_logreg_fixture as port  # noqa: E402

DATA_NORM = 4.0
C = 1.0


def loss_grad(w, X, y, n, C, b, delta):
    """diffprivlib's noisy objective with fit_intercept: w = (coef, b0);
    LinearModelLoss penalises only coef; the Vector noise and delta touch
    every coordinate."""
    coef, b0 = w[:-1], w[-1]
    z = X @ coef + b0
    loss = np.logaddexp(0, z) - y * z
    p = expit(z)
    f = loss.sum() / n + 0.5 / (n * C) * coef @ coef + b @ w / n + 0.5 * delta * w @ w
    r = (p - y) / n
    g = np.concatenate([X.T @ r + coef / (n * C), [r.sum()]]) + b / n + delta * w
    return f, g


def sex_of_test(path):
    sex, lab = [], []
    with open(path) as f:
        next(f)
        for line in f:
            cells = [c.strip() for c in line.strip().split(",")]
            if len(cells) != 15:
                continue
            if any(c == "?" or c == "" for i, c in enumerate(cells) if i != 2):
                continue
            sex.append(cells[9])
            lab.append(1 if cells[14].rstrip(".") == ">50K" else 0)
    return np.array(sex), np.array(lab)


def main(argv):
    tr, te, adult_test, seeds, out = argv[1], argv[2], argv[3], int(argv[4]), argv[5]
    X, y = load_svmlight_file(tr, n_features=101)
    Xt, yt = load_svmlight_file(te, n_features=101)
    X, Xt = X.toarray(), Xt.toarray()
    y, yt = (y > 0).astype(float), (yt > 0).astype(float)
    sex, lab = sex_of_test(adult_test)
    assert len(sex) == len(yt) and (lab == yt).all(), (len(sex), len(yt))
    # diffprivlib's _clip_to_norm
    norms = np.linalg.norm(X, axis=1)
    X = X / np.maximum(norms / DATA_NORM, 1.0)[:, None]
    n, d = X.shape
    q = np.sqrt(DATA_NORM ** 2 + 1)        # data_norm grows with the intercept
    with open(out, "w") as f:
        for eps in (0.1, 0.5, 1, 2, 5, 10):
            eps_p, delta, scale = port.vector_calibration(eps, q, 1.0 / C, n)
            for seed in range(1, seeds + 1):
                rng = np.random.default_rng(seed)
                u = rng.standard_normal((d + 1, 4)).sum(axis=1) / 2
                b = u / np.linalg.norm(u) * rng.gamma((d + 1) / 4, scale, 4).sum()
                w, _, info = optimize.fmin_l_bfgs_b(loss_grad, np.zeros(d + 1),
                                                    args=(X, y, n, C, b, delta),
                                                    factr=64, pgtol=1e-4, maxiter=100)
                pred = (Xt @ w[:-1] + w[-1] >= 0).astype(float)
                acc = (pred == yt).mean()
                sr = [pred[sex == s].mean() for s in ("Female", "Male")]
                f.write("diffprivlib-port\t%g\t%d\t%.6f\t%.6f\n"
                        % (eps, seed, acc, abs(sr[0] - sr[1])))


if __name__ == "__main__":
    main(sys.argv)
