"""test_runtime.py - the package behaves as a good extension:

  * two fits in two Python threads run at the same time (ctypes releases
    the GIL for the foreign call): each fit's progress events are stamped
    from inside the library, and each thread has events strictly inside the
    other's fit;
  * 1,000 fit / predict cycles (every tenth reading the before/after
    table) do not grow the resident memory by more than 4 MB (handles are
    freed when the Python objects go);
  * a Ctrl-C (SIGINT) during a long fit cancels it through the monitor: the
    library stops at its next check with FT_ECANCELED, fit raises
    KeyboardInterrupt, nothing is fitted, and the next fit works;
  * verbose=True prints the library's progress on stderr.
"""
import contextlib
import gc
import io
import os
import signal
import threading
import time

import numpy as np

from harness import SANITIZE, check, done, skip

import fairtrain
from fairtrain import _lib


def data(n, seed=0, p=8):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, p))
    s = np.where(rng.rand(n) < 0.4, "f", "m")
    y = (X[:, 0] + 0.5 * X[:, 1] + (s == "m") + rng.normal(size=n) > 0.7).astype(int)
    return X, y, s


class Stamped(_lib.Monitor):
    """A monitor that stamps every progress event with the time."""

    def _on_progress(self, ctx, stage, done_, total, what):
        self.stamps.append(time.monotonic())
        return super()._on_progress(ctx, stage, done_, total, what)


def fit_stamped(n, seed, out):
    X, y, s = data(n, seed)
    clf = fairtrain.FairClassifier("eg", constraint="dp", bootstrap=200, permutations=200)
    mon = Stamped()
    mon.stamps = []
    clf._monitor = lambda: mon
    t0 = time.monotonic()
    clf.fit(X, y, sensitive_features=s)
    out.append((t0, time.monotonic(), mon.stamps, clf))


def two_threads():
    n = 60000
    res = [[], []]
    th = [threading.Thread(target=fit_stamped, args=(n, k, res[k])) for k in range(2)]
    t0 = time.monotonic()
    for t in th:
        t.start()
    for t in th:
        t.join()
    wall = time.monotonic() - t0
    (a0, a1, sa, ca), (b0, b1, sb, cb) = res[0][0], res[1][0]
    # events of one thread strictly between the first and last event of
    # the other's fit: both were inside the library at the same time
    a_in_b = [t for t in sa if sb[0] < t < sb[-1]]
    b_in_a = [t for t in sb if sa[0] < t < sa[-1]]
    assert a_in_b and b_in_a, "no overlap: A %s, B %s" % (sa, sb)
    # and each thread's model is its own (the fits did not mix)
    X, y, s = data(n, 0)
    ref = fairtrain.FairClassifier("eg", constraint="dp").fit(X, y, sensitive_features=s)
    assert np.array_equal(ref.coef_, ca.coef_), "thread A's model differs from a lone fit"
    print("# two fits of eg on %d rows: %.2f s and %.2f s, together %.2f s wall; "
          "%d / %d progress events inside the other's fit"
          % (n, a1 - a0, b1 - b0, wall, len(a_in_b), len(b_in_a)))


def rss_kb():
    with open("/proc/self/statm") as fp:
        return int(fp.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def cycles():
    X, y, s = data(300, 3, p=4)
    Xp = X[:50]

    def one(i):
        clf = fairtrain.FairClassifier("reweigh").fit(X, y, sensitive_features=s)
        clf.predict_proba(Xp)
        if i % 10 == 0:
            _ = clf.comparison_
    # one thread: on 300 rows the OpenMP regions' start-up is most of a fit
    threads = fairtrain.get_threads()
    fairtrain.set_threads(1)
    try:
        for i in range(100):
            one(i)
        gc.collect()
        before = rss_kb()
        t0 = time.monotonic()
        for i in range(1000):
            one(i)
        gc.collect()
        after = rss_kb()
    finally:
        fairtrain.set_threads(threads)
    print("# 1000 fit/predict cycles in %.1f s: resident %d KB -> %d KB (%+d KB)"
          % (time.monotonic() - t0, before, after, after - before))
    assert after - before < 4096, "resident memory grew by %d KB" % (after - before)


def interrupt():
    X, y, s = data(100000, 7)
    clf = fairtrain.FairClassifier("eg", constraint="dp", bootstrap=2000, permutations=2000)
    mon = _lib.Monitor()
    clf._monitor = lambda: mon
    fired = []

    def ctrl_c():
        # as a user's Ctrl-C: SIGINT to the process once the fit is inside
        # the library (its first "fit" event has been seen); a fit that never
        # reports one fails the test instead of hanging it
        deadline = time.monotonic() + 120
        while not any(e[0] == "fit" for e in mon.events):
            if time.monotonic() > deadline:
                return
            time.sleep(0.001)
        fired.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)
    t = threading.Thread(target=ctrl_c)
    t.start()
    t0 = time.monotonic()
    try:
        clf.fit(X, y, sensitive_features=s)
    except KeyboardInterrupt:
        pass
    else:
        t.join()
        raise AssertionError("fit finished: events %s" % mon.events)
    finally:
        t.join()
    assert fired, "the fit reported no 'fit' stage in 120 s: events %s" % mon.events
    took = time.monotonic() - t0
    stages = [e[0] for e in mon.events]
    assert mon.interrupted, "the monitor did not see the interrupt"
    assert not hasattr(clf, "model_"), "a model was left behind"
    # it stopped at the next check after the signal: not every stage ran
    full = fairtrain.FairClassifier("eg", constraint="dp")
    m2 = _lib.Monitor()
    full._monitor = lambda: m2
    full.fit(X[:2000], y[:2000], sensitive_features=s[:2000])
    assert len(stages) < len(m2.events), "all stages ran: %s" % stages
    print("# SIGINT %.2f s into the fit; canceled at the next check (stages seen: %s), "
          "fit returned after %.2f s; the next fit works"
          % (fired[0] - t0, ", ".join(stages), took))


def verbose():
    X, y, s = data(500, 1)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        fairtrain.FairClassifier("eg", verbose=True).fit(X, y, sensitive_features=s)
    lines = err.getvalue().splitlines()
    assert "fairtrain: fit 0/2 logreg" in lines and "fairtrain: fit 1/2 eg" in lines, lines
    assert any(l.startswith("fairtrain: measure") for l in lines), lines


check("python_threads_overlap", two_threads)
if SANITIZE:
    skip("python_memory_1000_cycles", "resident memory means nothing under ASan "
         "(freed memory is quarantined)")
else:
    check("python_memory_1000_cycles", cycles)
check("python_interrupt_cancels_fit", interrupt)
check("python_verbose_progress", verbose)
done()
