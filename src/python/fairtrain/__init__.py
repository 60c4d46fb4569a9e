"""fairtrain from Python: fair linear models at C speed over
libfairtrain.so (ctypes; no compiler, no network).

    import fairtrain
    clf = fairtrain.FairClassifier(method="eg", constraint="dp", eps=0.01)
    clf.fit(X, y, sensitive_features=A)       # DataFrames or arrays
    clf.comparison_                           # before/after, tidy DataFrame
    fairtrain.before_after(clf.comparison_, split="train")
    clf.save("model.h5")                      # `fairtrain predict` reads it
    fairtrain.load("model.h5").predict_proba(X_new, sensitive_features=A_new)

FairClassifier and FairRanker are scikit-learn estimators (Pipeline,
cross_val_score, GridSearchCV); methods() lists the library's registry;
audit() and compare() are the audit and compare verbs.  Errors are
exceptions carrying the library's one-line message: ValueError for bad data
and parameters (fairtrain.InputError), OSError for files
(fairtrain.FileError).  The library is found next to the build tree's
build/ directory, where `make install` put it, or at $FAIRTRAIN_LIB.
"""
from . import _lib
from ._estimators import FairClassifier, FairRanker, FairtrainWarning, load
from ._frames import before_after
from ._lib import Canceled, Error, FileError, InputError
from ._registry import methods
from ._verbs import audit, compare

__all__ = ["FairClassifier", "FairRanker", "load", "methods", "audit", "compare",
           "before_after", "version", "set_threads", "get_threads", "Error", "InputError", "FileError",
           "Canceled", "FairtrainWarning"]

__version__ = _lib.lib.ft_version().decode()


def version():
    """The library's version ("0.2.0")."""
    return _lib.lib.ft_version().decode()


def set_threads(n):
    """Threads of the library's row sums and resamples (OpenMP) for calls
    from this thread; n <= 0 leaves the setting as it is.  Results are the
    same bits for any number."""
    _lib.lib.ft_set_threads(int(n))


def get_threads():
    """The number of threads the library's calls from this thread use."""
    return _lib.lib.ft_get_threads()
