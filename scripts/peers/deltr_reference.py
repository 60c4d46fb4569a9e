#!/usr/bin/python3
"""DELTR as its authors ran it, ported to numpy: the peer of fairtrain's
reference mode (src/fair/deltr.c, struct ft_rank_params.reference = 1).

Ported from MilkaLichtblau/DELTR-Experiments (Zehlike & Castillo, WWW 2020):

  deltr-src/trainNN.m         the training loop: omega -= e * sum(grad', 2)
  deltr-src/listnet_gradient.m the gradient f(i) = GAMMA * U(i) + L(i)' of the
                              query of document i, for every document i
  deltr-src/listwise_cost.m   the cost (only reported, never differentiated)
  deltr-src/topp.m, topp_prot.m top-one probabilities
  deltr-src/globals.m         (commit 7f5640bf) T = 3000, e = 1e-5,
                              PROT_COL = 1, PROT_ATTR = 1, INIT_VAR = 0.01
  listnet-src/train.m         colorblind runs: the protected column dropped
                              (FEAT_START = 3), the same ListNet gradient
  deltr-src/predict.m         z = X * omega, rows sorted by z descending
                              (sortrows(z, -3): stable)
  src/evaluation/evaluate.py  exposure of position r (0-based) = 1/log(r + 2),
                              mean per group per query, then mean over queries

The port keeps the Octave formulas term by term (tp1..tp4, u1..u3, l1..l3,
exp without a max shift); only the per-document repetition is written as
n_q times the query's gradient, which is what summing n_q identical rows
gives.  The one deliberate difference: Octave starts at rand(p,1) * 0.01
with no seed; here the start is 0 (or uniform noise with --init-var and a
seed), which moves the 3000-step LSAT weights by less than 1e-6.

Usage:
  deltr_reference.py DATA_DIR              train the four published models on
                                           DATA_DIR/{train,test}.txt, print
                                           weights and test exposure ratios
  deltr_reference.py DATA_DIR --time RUNS  median wall time of RUNS trainings
                                           (gamma = 2e5, 3000 iterations)
"""
import sys
import time

import numpy as np

T = 3000            # globals.m
E = 1e-5
PROT_COL = 0        # globals.m PROT_COL = 1, 1-based, of X
PROT_ATTR = 1

# the published runs (results/LawStudents/gender/*/model.m, commit 940736ee)
MODELS = [("colorblind", True, 0.0), ("gamma=0", False, 0.0),
          ("gamma=2e5", False, 2e5), ("gamma=1e6", False, 1e6)]


def load(path, colorblind):
    """data = load(file); list_id = col 1; X = cols FEAT_START..end-1; y = last."""
    data = np.loadtxt(path, delimiter=",", ndmin=2)
    list_id = data[:, 0]
    X = data[:, 2:-1] if colorblind else data[:, 1:-1]
    y = data[:, -1]
    prot = data[:, 1] == PROT_ATTR      # X(:, PROT_COL) == PROT_ATTR
    return list_id, X, y, prot


def topp(v):
    return np.exp(v) / np.sum(np.exp(v))


def topp_prot(u, v):
    return np.exp(u) / np.sum(np.exp(v))


def query_gradient(gamma, lx, ly, lz, pidx):
    """f(i) of listnet_gradient.m for the query of document i (p entries)."""
    # L = l1 + l2 * l3
    l1 = -(lx.T @ topp(ly))
    l2 = 1.0 / np.sum(np.exp(lz))
    l3 = lx.T @ np.exp(lz)
    L = l1 + l2 * l3
    if gamma == 0:
        return L          # GAMMA * U(i) is 0 (U is finite on these data)
    xp, zp = lx[pidx], lz[pidx]
    xn, zn = lx[~pidx], lz[~pidx]
    tp2 = np.sum(np.exp(lz))
    tp3 = np.sum(lx.T @ np.exp(lz))     # one scalar: sum over features too
    tp4 = np.sum(np.exp(lz)) ** 2

    def tp(t, u):   # sum((tp1(t, u) * tp2 - exp(u) * tp3)) / tp4
        tp1 = t * np.exp(u)[:, None]
        return np.sum(tp1 * tp2 - np.exp(u)[:, None] * tp3, axis=0) / tp4

    exposure_prot = np.sum(topp_prot(zp, lz)) / np.log(2)
    exposure_nprot = np.sum(topp_prot(zn, lz)) / np.log(2)
    e_p = exposure_prot / zp.size
    e_np = exposure_nprot / zn.size
    u1 = 2 * max(e_np - e_p, 0)
    u2 = (tp(xn, zn) / np.log(2)) / zn.size
    u3 = (tp(xp, zp) / np.log(2)) / zp.size
    U = u1 * (u2 - u3)
    return gamma * U + L


def train(gamma, list_id, X, y, prot, iterations=T, e=E, omega=None):
    """trainNN.m: full-batch gradient descent, each query's gradient once
    per document."""
    omega = np.zeros(X.shape[1]) if omega is None else omega.copy()
    queries = [np.flatnonzero(list_id == q) for q in np.unique(list_id)]
    for _ in range(iterations):
        z = X @ omega
        grad = np.zeros(X.shape[1])
        for idx in queries:
            f = query_gradient(gamma, X[idx], y[idx], z[idx], prot[idx])
            grad += idx.size * f        # sum over the query's documents
        omega = omega - e * grad
    return omega


def exposure_ratio(list_id, X, prot, omega):
    """predict.m + evaluate.py: stable descending sort per query, exposure
    1/log(r + 2) of 0-based position r, group means per query, means over
    queries, protected / non-protected."""
    z = X @ omega
    ep, en = [], []
    for q in np.unique(list_id):
        idx = np.flatnonzero(list_id == q)
        order = idx[np.argsort(-z[idx], kind="stable")]
        pos = np.arange(order.size)
        exp = 1.0 / np.log(pos + 2)
        pr = prot[order]
        if pr.any():
            ep.append(exp[pr].mean())
        if (~pr).any():
            en.append(exp[~pr].mean())
    return np.mean(ep) / np.mean(en)


def run_all(d):
    out = []
    for name, colorblind, gamma in MODELS:
        qid, X, y, prot = load(d + "/train.txt", colorblind)
        w = train(gamma, qid, X, y, prot)
        tq, tX, _, tprot = load(d + "/test.txt", colorblind)
        out.append((name, colorblind, gamma, w, exposure_ratio(tq, tX, tprot, w)))
    return out


def main(argv):
    if len(argv) == 2:
        for name, _, _, w, r in run_all(argv[1]):
            print(name, " ".join("%.9f" % v for v in w), "ratio %.6f" % r)
        return
    if len(argv) == 4 and argv[2] == "--time":
        qid, X, y, prot = load(argv[1] + "/train.txt", False)
        ts = []
        for _ in range(int(argv[3])):
            t0 = time.perf_counter()
            train(2e5, qid, X, y, prot)
            ts.append(time.perf_counter() - t0)
        print("deltr_reference.py gamma=2e5 %d iterations: median %.3f s over %d runs"
              % (T, float(np.median(ts)), len(ts)))
        return
    raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
