"""scikit-learn estimators over the library's verbs: FairClassifier (any
classification row of the registry) and FairRanker (any ranking row, with
an optional re-ranker).  fit is one ft_train on an in-memory table (the
unmitigated baseline beside the method, the before/after measurement, a
complete model file); predict, predict_proba, decision_function and rank
are ft_predict on the new rows.

Parameters follow scikit-learn's conventions: everything in __init__,
checked at fit; a method's own parameters (eps, constraint, eta, ...) are
keyword arguments named as in the registry and show in get_params, so
clone, GridSearchCV and set_params treat them like any other.  Fitted
attributes end with an underscore.  Works without scikit-learn installed
(a minimal get_params / set_params stands in for BaseEstimator).
"""
import ctypes
import numbers
import warnings

import numpy as np

from . import _lib, _registry, _table
from ._model import Model

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.exceptions import DataConversionWarning, NotFittedError
    HAVE_SKLEARN = True
except ImportError:
    HAVE_SKLEARN = False

    class NotFittedError(ValueError, AttributeError):
        pass

    class DataConversionWarning(UserWarning):
        pass

    class BaseEstimator:
        """get_params / set_params by the __init__ signature, as
        scikit-learn's."""

        @classmethod
        def _get_param_names(cls):
            import inspect
            sig = inspect.signature(cls.__init__)
            return sorted(p.name for p in sig.parameters.values()
                          if p.name != "self" and p.kind != p.VAR_KEYWORD)

        def get_params(self, deep=True):
            return {k: getattr(self, k) for k in self._get_param_names()}

        def set_params(self, **params):
            valid = self.get_params()
            for k, v in params.items():
                if k not in valid:
                    raise ValueError("Invalid parameter %r for estimator %s. Valid "
                                     "parameters are: %r." % (k, self, sorted(valid)))
                setattr(self, k, v)
            return self

        def __repr__(self):
            return "%s(%s)" % (type(self).__name__, ", ".join(
                "%s=%r" % kv for kv in self.get_params().items()))

    class ClassifierMixin:
        _estimator_type = "classifier"


class FairtrainWarning(UserWarning):
    """A warning of the library (unseen categories, imputed cells, ...)."""


def _seed(random_state):
    """The library's seed from a random_state: an int as it is, None the
    command line's default 1, a RandomState one draw from it."""
    if random_state is None:
        return 1
    if isinstance(random_state, numbers.Integral):
        if random_state < 0:
            raise ValueError("random_state must be >= 0, got %d" % random_state)
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2 ** 31 - 1))
    raise ValueError("random_state must be an int, None or a RandomState, got %r"
                     % (random_state,))


def _unique_name(name, taken):
    while name in taken:
        name += "_"
    return name


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, (str, numbers.Integral)):
        return [x]
    return list(x)


def _n_rows(X):
    if hasattr(X, "shape"):
        return X.shape[0]
    try:
        return len(X)
    except TypeError:
        return np.asarray(X).shape[0]


def _check_1d(name, v, n):
    """A 1-D array-like of n values (a column vector is raveled with a
    warning, as scikit-learn does)."""
    if _table.is_series(v):
        arr = v
    else:
        arr = np.asarray(v)
        if arr.ndim == 2 and arr.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected. "
                          "Please change the shape of y to (n_samples, ), for example "
                          "using ravel().", DataConversionWarning, stacklevel=3)
            arr = arr.ravel()
        if arr.ndim != 1:
            raise ValueError("%s should be a 1d array, got an array of shape %s instead."
                             % (name, arr.shape))
    if len(arr) != n:
        raise ValueError("Found input variables with inconsistent numbers of samples: "
                         "X has %d rows, %s has %d" % (n, name, len(arr)))
    return arr


_PARAM_NAMES = {}


class _Base(BaseEstimator):
    """What the two estimators share: registry parameters, the data
    tables, the monitor, the checks of X at predict time."""

    _task = None

    # ------------------------------------------------------- parameters

    @classmethod
    def _method_param_names(cls):
        """Every parameter name of the registry rows of the task, but the
        estimator's own (a method's C is the estimator's C)."""
        names = _PARAM_NAMES.get(cls)
        if names is None:
            stages = ("pre", "in", "post") if cls._task == "classify" else ("in",)
            own = set(cls._get_param_names())
            names = _PARAM_NAMES[cls] = [p for p in _registry.param_names(cls._task, stages)
                                         if p not in own]
        return names

    def get_params(self, deep=True):
        out = super().get_params(deep=deep)
        for k in self._method_param_names():
            if k in self.__dict__:
                out[k] = self.__dict__[k]
        return out

    def set_params(self, **params):
        names = set(self._method_param_names())
        rest = {}
        for k, v in params.items():
            if k in names:
                setattr(self, k, v)
            else:
                rest[k] = v
        return super().set_params(**rest) if rest else self

    def _set_method_params(self, params):
        """__init__'s keyword arguments: parameters of the task's registry
        rows, each an attribute of its registry name."""
        names = set(self._method_param_names())
        for k, v in params.items():
            if k not in names:
                raise TypeError("%s got an unexpected keyword argument '%s' (not a "
                                "parameter of any %s method)" % (
                                    type(self).__name__, k,
                                    "classification" if self._task == "classify" else "ranking"))
            setattr(self, k, v)

    def _method_spec(self):
        """The registry spec of the method with the parameters given (the
        library checks names, ranges and choices)."""
        values = {k: self.__dict__[k] for k in self._method_param_names()
                  if k in self.__dict__}
        if not isinstance(self.method, str):
            raise ValueError("method must be a method's name (fairtrain.methods()), got %r"
                             % (self.method,))
        text = _registry.check_spec(_registry.spec(self.method, values), self._task,
                                    "in" if self._task == "rank" else None)
        return text, _registry.BY_NAME[self.method]

    def _monitor(self):
        return _lib.Monitor(verbose=bool(self.verbose))

    def _warn(self, mon):
        for w in mon.warnings:
            warnings.warn(w, FairtrainWarning, stacklevel=3)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise NotFittedError("This %s instance is not fitted yet. Call 'fit' with "
                                 "appropriate arguments before using this estimator."
                                 % type(self).__name__)

    def _more_tags(self):
        return {"X_types": ["2darray", "string"], "binary_only": True,
                "requires_y": True}

    # ------------------------------------------------------------ data

    def _sensitive_in_X(self, X, names):
        """Names of the X columns named by the `sensitive` parameter (column
        names or positions), [] when it is None or a callable."""
        if self.sensitive is None or callable(self.sensitive):
            return []
        out = []
        for s in _as_list(self.sensitive):
            if isinstance(s, numbers.Integral) and not isinstance(s, bool):
                if not 0 <= s < len(names):
                    raise ValueError("sensitive: column %d is not a column of X (%d columns)"
                                     % (s, len(names)))
                out.append(names[s])
            elif str(s) in names:
                out.append(str(s))
            else:
                raise ValueError("sensitive: '%s' is not a column of X (columns: %s)"
                                 % (s, ", ".join(names[:20])))
        return out

    def _sensitive_columns(self, X, x_names, sensitive_features, model_names=None,
                           required=False):
        """Sensitive columns passed apart from X (sensitive_features, or the
        `sensitive` callable): Columns named by the Series / DataFrame, or
        by the model (model_names), or "sensitive", "sensitive_1", ..."""
        if sensitive_features is not None and self.sensitive is not None:
            raise ValueError("give the sensitive features either as the estimator's "
                             "`sensitive` parameter or to fit, not both")
        sf = sensitive_features
        if sf is None and callable(self.sensitive):
            sf = self.sensitive(X)
        if sf is None:
            return [], []
        n = _n_rows(X)
        if isinstance(sf, str) or (isinstance(sf, (list, tuple)) and sf and
                                   all(isinstance(v, str) for v in sf) and
                                   all(v in x_names for v in sf) and len(sf) != n):
            # names of X's columns
            return [], [v for v in _as_list(sf)]
        if _table.is_frame(sf):
            vals = [sf.iloc[:, j] for j in range(sf.shape[1])]
            names = [str(c) for c in sf.columns]
        else:
            if _table.is_series(sf):
                vals, names = [sf], [str(sf.name) if sf.name is not None else None]
            else:
                arr = np.asarray(sf, dtype=object) if not hasattr(sf, "dtype") else np.asarray(sf)
                if arr.ndim == 1:
                    vals, names = [arr], [None]
                elif arr.ndim == 2:
                    vals = [arr[:, j] for j in range(arr.shape[1])]
                    names = [None] * arr.shape[1]
                else:
                    raise ValueError("sensitive_features should be 1-D or 2-D, got shape %s"
                                     % (arr.shape,))
        if model_names is not None:
            if len(model_names) != len(vals):
                raise ValueError("the model has %d sensitive column%s (%s), got %d"
                                 % (len(model_names), "" if len(model_names) == 1 else "s",
                                    ", ".join(model_names), len(vals)))
            names = list(model_names)
        else:
            names = [nm if nm is not None else
                     ("sensitive" if len(vals) == 1 else "sensitive_%d" % j)
                     for j, nm in enumerate(names)]
        cols = []
        for nm, v in zip(names, vals):
            if nm in x_names:
                raise ValueError("sensitive feature '%s' is also a column of X: name X's "
                                 "column in the estimator's `sensitive` parameter to use "
                                 "it (use_sensitive=True keeps it a feature), or rename "
                                 "one of them" % nm)
            v = _check_1d("sensitive_features", v, n)
            cols.append(_table.column(nm, v, required=required, kind="categorical"))
        return cols, names

    def _x_columns(self, X, reset):
        """X's Columns and names; at fit (reset) record n_features_in_ and
        feature_names_in_, afterwards check X against them."""
        required = getattr(self, "missing", "error") == "error"
        if X is None:
            raise ValueError("X is None: expected a 2-D array or a DataFrame")
        if hasattr(X, "tocsr"):
            raise TypeError("sparse input is not supported: fairtrain encodes its own "
                            "one-hot features (pass X.toarray() or a DataFrame)")
        frame = _table.is_frame(X)
        if not frame:
            arr = np.asarray(X)
            if arr.ndim == 1 or arr.ndim == 0:
                _table.frame_columns(arr)   # the message for 1-D data
        n_feat = X.shape[1] if hasattr(X, "shape") and len(X.shape) == 2 else \
            np.asarray(X).shape[1]
        str_names = frame and all(isinstance(c, str) for c in X.columns)
        if reset:
            if n_feat == 0:
                raise ValueError("0 feature(s) (shape=(%d, 0)) while a minimum of 1 is "
                                 "required." % _n_rows(X))
            self.n_features_in_ = n_feat
            if str_names:
                self.feature_names_in_ = np.asarray(list(X.columns), dtype=object)
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            names = [str(c) for c in X.columns] if frame else None
            return _table.frame_columns(X, required, names)
        fitted_names = getattr(self, "feature_names_in_", None)
        by_name = getattr(self, "_by_name_", False)
        if by_name:
            # a model from a file reads a DataFrame's columns by name, as the
            # command line; an array's columns are its features in order
            if frame:
                return _table.frame_columns(X, required)
            if n_feat != self.n_features_in_:
                raise ValueError("X has %d features, but the model reads %d columns (%s)"
                                 % (n_feat, self.n_features_in_, ", ".join(fitted_names)))
            return _table.frame_columns(X, required, [str(c) for c in fitted_names])
        if fitted_names is not None and str_names:
            if list(X.columns) != list(fitted_names):
                raise ValueError("The feature names should match those that were passed "
                                 "during fit.\nFitted: %s\nGiven: %s"
                                 % (list(fitted_names), list(X.columns)))
        elif fitted_names is not None:
            warnings.warn("X does not have valid feature names, but %s was fitted with "
                          "feature names" % type(self).__name__, UserWarning, stacklevel=3)
        elif str_names:
            warnings.warn("X has feature names, but %s was fitted without feature names"
                          % type(self).__name__, UserWarning, stacklevel=3)
        if n_feat != self.n_features_in_:
            raise ValueError("X has %d features, but %s is expecting %d features as input."
                             % (n_feat, type(self).__name__, self.n_features_in_))
        names = [str(c) for c in fitted_names] if fitted_names is not None else \
            self._x_names_
        if frame:
            return [_table.column(nm, X.iloc[:, j], required) for j, nm in enumerate(names)]
        arr = np.asarray(X)
        return [_table.column(nm, arr[:, j], required) for j, nm in enumerate(names)]

    def _data_opts(self, d, table, spec_cols, test_table=None, use_sensitive=False):
        """Fill a struct ft_data_opts for the tables; spec_cols keeps the C
        strings alive."""
        d.table = table.ptr
        if test_table is not None:
            d.test_table = test_table.ptr
        d.split = 0.0
        d.seed = _seed(self.random_state)
        sp = d.spec
        missing = getattr(self, "missing", "drop")
        if missing not in ("error", "drop", "impute"):
            raise ValueError("missing must be 'error', 'drop' or 'impute', got %r" % (missing,))
        sp.missing_policy = _lib.FT_MISSING_IMPUTE if missing == "impute" else _lib.FT_MISSING_DROP
        sp.use_sensitive = 1 if use_sensitive else 0
        for field, items in spec_cols.items():
            cs = _lib.CStrings(items)
            setattr(sp, field, cs.ptr)
            setattr(sp, "n_" + field, cs.n)
            spec_cols[field] = cs

    def _train(self, opts, mon):
        """ft_train: the model file, taken out of the result."""
        r = ctypes.POINTER(_lib.ft_train_result)()
        mon.run(_lib.lib.ft_train, ctypes.byref(opts), ctypes.byref(r))
        try:
            # a copy of the pointer's value: a pointer read from a struct
            # field shares the field's memory
            mf = ctypes.POINTER(_lib.ft_model_file)(r.contents.mf.contents)
            r.contents.mf = ctypes.POINTER(_lib.ft_model_file)()
            return Model(mf)
        finally:
            _lib.lib.ft_train_result_free(r)

    # ---------------------------------------------------------- files

    def save(self, path):
        """Write the model file (the CLI's predict, eval and inspect read
        it)."""
        self._check_fitted()
        self.model_.save(path)
        return self

    @property
    def comparison_(self):
        """The before/after comparison of the fit: a tidy DataFrame, one row
        per metric x model x split x group x convention, with intervals."""
        self._check_fitted()
        return self.model_.comparison()

    @property
    def diagnostics_(self):
        self._check_fitted()
        return self.model_.diagnostics()

    def _set_model_attrs(self):
        m = self.model_
        coef, b = m.linear("model")
        self.encoded_feature_names_ = np.asarray(m.features, dtype=object)
        if coef is not None and coef.ndim == 2:
            self.group_coef_, self.group_intercept_ = coef, b
            lm = m.mf.model.contents.linear.contents
            coef = np.ctypeslib.as_array(lm.coef, shape=(lm.p,)).copy()
            b = lm.intercept
        self.coef_ = coef.reshape(1, -1)
        self.intercept_ = np.array([b])
        self.n_iter_ = np.array([m.solver_result()["iterations"]])


class FairClassifier(ClassifierMixin, _Base):
    """A fair binary classifier: the unmitigated weighted L2 logistic
    regression beside any classification method of the library's registry,
    by name, with its parameters as keyword arguments.

    FairClassifier(method="eg", constraint="dp", eps=0.01, C=1.0)

    Parameters
    ----------
    method : a classification row of fairtrain.methods() ("logreg", "reweigh",
        "prejudice", "eg", "grid", "threshold", ...).
    **params : the method's parameters by their registry names (a choice by
        its name: constraint="eo"); a method's own C is left at its default,
        which means the estimator's C.
    C : inverse L2 strength, as scikit-learn's LogisticRegression(C=C).
    sensitive : the sensitive attribute as X's column(s) (names or
        positions), or a callable X -> sensitive values; or pass
        sensitive_features to fit and predict instead.
    privileged : the privileged group's name (signed fairness summaries).
    positive : the favourable label (default: the larger of the classes).
    use_sensitive : keep sensitive columns of X as features too.
    categorical : X columns to treat as categories whatever their dtype.
    missing : "error" (NaN/None in a feature or label is an error), "drop"
        (rows dropped, as the command line) or "impute" (training mean /
        most frequent category; predict always imputes then).
    handle_unknown : "error" or "ignore" (a category unseen in training is
        encoded as all zeros, with a warning).
    solver, tol, fit_intercept : the logistic solver's options.
    bootstrap, permutations, level : the before/after measurement of fit
        (intervals and permutation tests; 0 = none, which keeps fits fast).
    random_state : seed of the bootstrap and of randomized predictions.
    deterministic : a randomized mixture predicts by its single best
        predictor.
    verbose : print the library's progress on stderr.
    """

    _task = "classify"

    def __init__(self, method="logreg", *, C=1.0, sensitive=None, privileged=None,
                 positive=None, use_sensitive=False, categorical=None, missing="error",
                 handle_unknown="error", solver="auto", tol=1e-8, fit_intercept=True,
                 bootstrap=0, permutations=0, level=0.95, random_state=1,
                 deterministic=False, verbose=False, **params):
        self.method = method
        self.C = C
        self.sensitive = sensitive
        self.privileged = privileged
        self.positive = positive
        self.use_sensitive = use_sensitive
        self.categorical = categorical
        self.missing = missing
        self.handle_unknown = handle_unknown
        self.solver = solver
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.bootstrap = bootstrap
        self.permutations = permutations
        self.level = level
        self.random_state = random_state
        self.deterministic = deterministic
        self.verbose = verbose
        self._set_method_params(params)

    # ------------------------------------------------------------ data

    def _labels(self, y, n, reset):
        """The target column (the labels' str(), as a CSV file has them); at
        fit also the classes and the favourable one."""
        y = _check_1d("y", y, n)
        arr = y.to_numpy() if _table.is_series(y) else np.asarray(y)
        if arr.dtype.kind == "f":
            ok = arr[~np.isnan(arr)]
            if np.any(np.isinf(ok)) or np.any(ok != np.round(ok)):
                raise ValueError("Unknown label type: 'continuous' (a classifier needs "
                                 "class labels; y has non-integer values)")
        codes, uniq = _table.factorize(arr)
        if reset:
            try:
                classes = sorted(uniq)
            except TypeError:
                raise ValueError("Unknown label type: y mixes types that do not compare "
                                 "(%s)" % ", ".join(sorted({type(v).__name__ for v in uniq})))
            if len(classes) > 2:
                raise ValueError("y has %d classes (%s); FairClassifier is a binary "
                                 "classifier" % (len(classes), ", ".join(map(str, classes[:5]))))
            self.classes_ = np.asarray(classes, dtype=arr.dtype if arr.dtype.kind != "U"
                                       else object)
            if self.positive is None:
                pos = classes[-1] if len(classes) else None
            else:
                match = [c for c in classes if c == self.positive or str(c) == str(self.positive)]
                if not match:
                    raise ValueError("positive label %r is not a class of y (classes: %s)"
                                     % (self.positive, ", ".join(map(str, classes))))
                pos = match[0]
            self._positive_ = pos
        return _table.Column(self._target_name_, "categorical", codes=codes,
                             cats=[str(u) for u in uniq], required=self.missing == "error")

    def _weights(self, sample_weight, n):
        if sample_weight is None:
            return None
        w = _check_1d("sample_weight", sample_weight, n)
        w = np.asarray(w, dtype=np.float64)
        return _table.Column(self._weight_name_, "numeric", num=np.ascontiguousarray(w),
                             required=self.missing == "error")

    def _tables(self, X, y, sensitive_features, sample_weight, reset):
        """The training (reset) or test table with the spec's lists."""
        xcols = self._x_columns(X, reset)
        x_names = [c.name for c in xcols]
        n = _n_rows(X)
        if reset:
            self._x_names_ = x_names
            taken = set(x_names)
            self._target_name_ = _unique_name(
                str(y.name) if _table.is_series(y) and y.name is not None else "y", taken)
            self._weight_name_ = _unique_name("sample_weight", taken | {self._target_name_})
        if y is None:
            raise ValueError("requires y to be passed, but the target y is None")
        ycol = self._labels(y, n, reset)
        in_x = self._sensitive_in_X(X, x_names)
        scols, snames = self._sensitive_columns(
            X, x_names, sensitive_features, None if reset else self._sensitive_apart_,
            required=self.missing == "error")
        if reset:
            self._sensitive_apart_ = [c.name for c in scols] or None
            self._sensitive_names_ = in_x + [nm for nm in snames if nm not in in_x]
        wcol = self._weights(sample_weight, n)
        cols = xcols + [ycol] + scols + ([wcol] if wcol is not None else [])
        return _table.Table("X" if reset else "X_test", cols, n), xcols

    def _spec_lists(self, xcols):
        numeric = [c.name for c in xcols if c.kind == "numeric"]
        cat = [c.name for c in xcols if c.kind == "categorical"]
        for c in _as_list(self.categorical):
            name = c if not isinstance(c, numbers.Integral) else self._x_names_[c]
            if str(name) not in self._x_names_:
                raise ValueError("categorical: '%s' is not a column of X" % name)
            if name in numeric:
                numeric.remove(name)
            cat.append(str(name))
        return {"numeric": numeric, "categorical": cat,
                "sensitive": list(self._sensitive_names_)}

    # ------------------------------------------------------------- fit

    def fit(self, X, y, *, sensitive_features=None, sample_weight=None, eval_set=None):
        """Fit the baseline and the method on all rows of X (and measure
        both, before and after, on them and on eval_set = (X_test, y_test[,
        sensitive_features_test[, sample_weight_test]]) when given)."""
        for k in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, k)
        spec, m = self._method_spec()
        if self.handle_unknown not in ("error", "ignore"):
            raise ValueError("handle_unknown must be 'error' or 'ignore', got %r"
                             % (self.handle_unknown,))
        table, xcols = self._tables(X, y, sensitive_features, sample_weight, reset=True)
        test = None
        if eval_set is not None:
            es = list(eval_set) + [None] * (4 - len(eval_set))
            test, _ = self._tables(es[0], es[1], es[2], es[3], reset=False)
        opts = _lib.ft_train_opts()
        _lib.lib.ft_train_opts_init(ctypes.byref(opts))
        lists = self._spec_lists(xcols)
        self._data_opts(opts.data, table, lists, test, self.use_sensitive)
        sp = opts.data.spec
        keep = [_lib.enc(self._target_name_), _lib.enc(self._positive_label()),
                _lib.enc(self.privileged), _lib.enc(spec)]
        sp.target, sp.positive, sp.privileged = keep[0], keep[1], keep[2]
        if sample_weight is not None:
            keep.append(_lib.enc(self._weight_name_))
            sp.weight = keep[-1]
        opts.method = keep[3]
        opts.lr.C = float(self.C)
        opts.lr.fit_intercept = 1 if self.fit_intercept else 0
        opts.lr.solver.solver = {"auto": 0, "newton": 1, "lbfgs": 2}.get(self.solver, -1)
        if opts.lr.solver.solver < 0:
            raise ValueError("solver must be 'auto', 'newton' or 'lbfgs', got %r"
                             % (self.solver,))
        opts.lr.solver.tol = float(self.tol)
        opts.measure.n_bootstrap = int(self.bootstrap)
        opts.measure.n_perm = int(self.permutations)
        opts.measure.level = float(self.level)
        mon = self._monitor()
        opts.mon = mon.ptr
        self.model_ = self._train(opts, mon)
        self._warn(mon)
        self._by_name_ = False
        self._set_model_attrs()
        return self

    def _positive_label(self):
        if getattr(self, "_by_name_", False):
            return self.model_.positive
        return None if self._positive_ is None else str(self._positive_)

    # --------------------------------------------------------- predict

    def _predict_table(self, X, sensitive_features):
        self._check_fitted()
        xcols = self._x_columns(X, reset=False)
        x_names = [c.name for c in xcols]
        apart = self._sensitive_apart_
        scols = []
        if sensitive_features is not None or callable(self.sensitive):
            if apart is None and not callable(self.sensitive):
                apart = [s for s in self.model_.sensitive if s not in x_names]
            scols, _ = self._sensitive_columns(X, x_names, sensitive_features, apart,
                                               required=self.missing == "error")
        return _table.Table("X", xcols + scols, _n_rows(X))

    def _predictions(self, X, sensitive_features):
        table = self._predict_table(X, sensitive_features)
        mon = self._monitor()
        out = self.model_.predict(table, seed=_seed(self.random_state),
                                  deterministic=self.deterministic and
                                  self.model_.kind == "mixture", mon=mon)
        if out["n_unseen"] and self.handle_unknown == "error":
            msg = [w for w in mon.warnings if "unseen" in w]
            raise ValueError((msg[0] if msg else "X: %d cells with a category unseen in "
                              "training" % out["n_unseen"]) +
                             " (handle_unknown='ignore' accepts them)")
        self._warn(mon)
        return out

    def _positive_index(self):
        k = [i for i, c in enumerate(self.classes_) if c == self._positive_]
        return k[0] if k else len(self.classes_) - 1

    def predict(self, X, *, sensitive_features=None):
        """The label of every row: the model's decision (a randomized
        classifier's draw with random_state, as `fairtrain predict`)."""
        out = self._predictions(X, sensitive_features)
        pos = self._positive_index()
        if len(self.classes_) == 1:
            return np.repeat(self.classes_, len(out["label"]))
        neg = 1 - pos
        return np.where(out["label"] == 1, self.classes_[pos], self.classes_[neg])

    def predict_proba(self, X, *, sensitive_features=None):
        """P(class) per row, classes in classes_ order: the model's score,
        or for a randomized classifier the probability of a positive
        decision (the CLI's p_positive)."""
        out = self._predictions(X, sensitive_features)
        q = out["p_positive"] if out["p_positive"] is not None else out["score"]
        proba = np.empty((len(q), len(self.classes_)))
        pos = self._positive_index()
        proba[:, pos] = q
        if len(self.classes_) == 2:
            proba[:, 1 - pos] = 1.0 - q
        return proba

    def decision_function(self, X, *, sensitive_features=None):
        """x.beta + b of a linear model (per group for per-group models);
        for a randomized classifier P(yhat = 1) - 0.5.  Positive means
        classes_[1], as in scikit-learn."""
        self._check_fitted()
        m = self.model_
        if m.randomized or m.kind not in ("linear", "frontier"):
            q = self._predictions(X, sensitive_features)
            q = q["p_positive"] if q["p_positive"] is not None else q["score"]
            d = q - 0.5
        else:
            table = self._predict_table(X, sensitive_features)
            if m.needs_groups:
                self._predictions(X, sensitive_features)   # the library's message
            d = m.decision(table)
        return d if self._positive_index() == len(self.classes_) - 1 else -d

    def score(self, X, y, sample_weight=None, *, sensitive_features=None):
        """Accuracy of predict (weighted by sample_weight)."""
        pred = self.predict(X, sensitive_features=sensitive_features)
        y = np.asarray(y)
        ok = (pred == y).astype(float)
        if sample_weight is None:
            return float(ok.mean())
        w = np.asarray(sample_weight, dtype=float)
        return float((ok * w).sum() / w.sum())

    def comparison(self, X, y, *, sensitive_features=None, sample_weight=None,
                   bootstrap=None, permutations=None):
        """The model and its baseline measured on new data (ft_eval): the
        tidy before/after comparison, split "eval"."""
        self._check_fitted()
        xcols = self._x_columns(X, reset=False)
        n = _n_rows(X)
        ycol = self._labels(y, n, reset=False)
        x_names = [c.name for c in xcols]
        apart = self._sensitive_apart_
        if apart is None and sensitive_features is not None:
            apart = [s for s in self.model_.sensitive if s not in x_names]
        scols, _ = self._sensitive_columns(X, x_names, sensitive_features, apart)
        wcol = self._weights(sample_weight, n)
        table = _table.Table("X", xcols + [ycol] + scols + ([wcol] if wcol else []), n)
        mon = self._monitor()
        df, _ = self.model_.evaluate(
            table, seed=_seed(self.random_state), mon=mon,
            bootstrap=self.bootstrap if bootstrap is None else bootstrap,
            permutations=self.permutations if permutations is None else permutations,
            level=self.level)
        self._warn(mon)
        return df


class FairRanker(_Base):
    """A fair linear ranker: any ranking method of the registry (listnet,
    ranknet, lambdaloss, deltr, pair-reg, pair-con) by name with its
    parameters as keyword arguments, the unmitigated ranker beside it, and
    an optional re-ranker applied after scoring (rerank="fair:p=0.5,
    alpha=0.1,k=100", a registry spec) and saved with the model.

    fit(X, y, *, qid, sensitive_features): y is the relevance; qid the
    query of each row (or name X's column in `query`).  predict gives each
    row's score; rank gives every query's ranking after the re-ranker.
    """

    _task = "rank"

    def __init__(self, method="listnet", *, rerank=None, query=None, sensitive=None,
                 protected=None, colorblind=False, standardize=True, missing="error",
                 random_state=1, verbose=False, **params):
        self.method = method
        self.rerank = rerank
        self.query = query
        self.sensitive = sensitive
        self.protected = protected
        self.colorblind = colorblind
        self.standardize = standardize
        self.missing = missing
        self.random_state = random_state
        self.verbose = verbose
        self._set_method_params(params)

    def _qid_column(self, X, x_names, qid, n, reset):
        if qid is not None and self.query is not None:
            raise ValueError("give the query ids either as the `query` parameter or as "
                             "qid, not both")
        if self.query is not None:
            q = self.query
            name = x_names[q] if isinstance(q, numbers.Integral) else str(q)
            if name not in x_names:
                raise ValueError("query: '%s' is not a column of X" % q)
            return None, name
        name = self._qid_name_ if not reset else _unique_name(
            str(qid.name) if _table.is_series(qid) and qid.name is not None else "qid",
            set(x_names))
        if qid is None and not reset and name in x_names:
            return None, name      # a loaded model's query column, in X by name
        if qid is None:
            if reset:
                raise ValueError("a ranker needs the query of every row: pass qid, or "
                                 "name X's column in the `query` parameter")
            qid = np.zeros(n, dtype=np.int64)   # scores do not depend on queries
        q = _check_1d("qid", qid, n)
        return _table.column(name, q, required=True, kind="categorical"), name

    def fit(self, X, y, *, qid=None, sensitive_features=None, eval_set=None):
        """Fit the ranker and its unmitigated baseline on every query of X
        (measured on eval_set = (X_test, y_test, qid_test[,
        sensitive_features_test]) too when given)."""
        for k in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, k)
        spec, m = self._method_spec()
        if self.rerank not in (None, "none"):
            _registry.check_spec(self.rerank, "rank", "rerank")
        table, xcols = self._rank_table(X, y, qid, sensitive_features, reset=True)
        test = None
        if eval_set is not None:
            es = list(eval_set) + [None] * (4 - len(eval_set))
            test, _ = self._rank_table(es[0], es[1], es[2], es[3], reset=False)
        opts = _lib.ft_train_opts()
        _lib.lib.ft_train_opts_init(ctypes.byref(opts))
        opts.task = _lib.FT_TASK_RANK
        lists = {"numeric": [c.name for c in xcols if c.kind == "numeric"],
                 "categorical": [c.name for c in xcols if c.kind == "categorical"],
                 "sensitive": list(self._sensitive_names_)}
        # a ranker's sensitive columns are features unless colorblind (the
        # command line's rule)
        self._data_opts(opts.data, table, lists, test, not self.colorblind)
        keep = [_lib.enc(spec), _lib.enc(self._qid_name_), _lib.enc(self._rel_name_),
                _lib.enc(self.protected), _lib.enc(self.rerank)]
        opts.method = keep[0]
        r = opts.rank
        r.query, r.relevance, r.protected_group, r.rerank = keep[1], keep[2], keep[3], keep[4]
        r.colorblind = 1 if self.colorblind else 0
        r.raw_numeric = 0 if self.standardize else 1
        if self._sensitive_names_ and self.protected is None:
            raise ValueError("a ranker with sensitive features needs the protected group's "
                             "name: FairRanker(protected=...)")
        mon = self._monitor()
        opts.mon = mon.ptr
        self.model_ = self._train(opts, mon)
        self._warn(mon)
        self._by_name_ = False
        self._set_model_attrs()
        self.intercept_ = np.array([0.0])
        return self

    def _rank_table(self, X, y, qid, sensitive_features, reset):
        xcols = self._x_columns(X, reset)
        x_names = [c.name for c in xcols]
        n = _n_rows(X)
        if reset:
            self._x_names_ = x_names
        qcol, qname = self._qid_column(X, x_names, qid, n, reset)
        if reset:
            self._qid_name_ = qname
            self._rel_name_ = _unique_name(
                str(y.name) if _table.is_series(y) and y.name is not None else "relevance",
                set(x_names) | {qname})
        cols = list(xcols) + ([qcol] if qcol is not None else [])
        if y is not None:
            yv = np.asarray(_check_1d("y", y, n), dtype=np.float64)
            cols.append(_table.Column(self._rel_name_, "numeric",
                                      num=np.ascontiguousarray(yv),
                                      required=self.missing == "error"))
        elif reset:
            raise ValueError("requires y to be passed, but the target y is None")
        in_x = self._sensitive_in_X(X, x_names)
        scols, snames = self._sensitive_columns(
            X, x_names, sensitive_features,
            None if reset else self._sensitive_apart_, required=True)
        if reset:
            self._sensitive_apart_ = [c.name for c in scols] or None
            self._sensitive_names_ = in_x + [s for s in snames if s not in in_x]
        return _table.Table("X" if reset else "X_test", cols + scols, n), xcols

    def _apply_table(self, X, qid, sensitive_features, y=None):
        self._check_fitted()
        xcols = self._x_columns(X, reset=False)
        x_names = [c.name for c in xcols]
        n = _n_rows(X)
        qcol, _ = self._qid_column(X, x_names, qid, n, reset=False)
        cols = xcols + ([qcol] if qcol is not None else [])
        if y is not None:
            yv = np.asarray(_check_1d("y", y, n), dtype=np.float64)
            cols.append(_table.Column(self._rel_name_, "numeric", num=np.ascontiguousarray(yv)))
        apart = self._sensitive_apart_
        if sensitive_features is not None or callable(self.sensitive):
            if apart is None and not callable(self.sensitive):
                apart = [s for s in self.model_.sensitive if s not in x_names]
            scols, _ = self._sensitive_columns(X, x_names, sensitive_features, apart,
                                               required=True)
            cols += scols
        return _table.Table("X", cols, n)

    def predict(self, X, *, qid=None, sensitive_features=None):
        """The score x.w of every row, in X's row order."""
        table = self._apply_table(X, qid, sensitive_features)
        mon = self._monitor()
        out = self.model_.predict(table, rerank="none", mon=mon)
        self._warn(mon)
        score = np.empty(len(out["score"]))
        score[out["line"] - 1] = out["score"]
        return score

    def rank(self, X, *, qid=None, sensitive_features=None, rerank=None):
        """Every query's ranking: a DataFrame (a dict without pandas) with
        query, rank (1-based; NaN past the re-ranker's k, where the rest
        follow by score), row (index into X), score and group, query by
        query in rank order.  rerank: None the saved re-ranker, "none" no
        re-ranking, or another registry spec."""
        table = self._apply_table(X, qid, sensitive_features)
        mon = self._monitor()
        out = self.model_.predict(table, rerank=rerank, mon=mon)
        self._warn(mon)
        data = {"query": [], "rank": [], "row": [], "score": [], "group": []}
        names = out["group_names"]
        for q, qname in enumerate(out["qid"]):
            lo, hi = out["qoff"][q], out["qoff"][q + 1]
            for r in range(hi - lo):
                i = out["order"][lo + r]
                data["query"].append(qname)
                data["rank"].append(r + 1 if r < out["k"][q] else np.nan)
                data["row"].append(int(out["line"][i]) - 1)
                data["score"].append(out["score"][i])
                g = out["group"][i] if out["group"] is not None else -1
                data["group"].append(names[g] if g >= 0 else None)
        from . import _frames
        return _frames.frame(data, list(data))

    def score(self, X, y, *, qid=None, sensitive_features=None):
        """Mean NDCG@10 over the queries (of the re-ranked order when the
        model has a re-ranker), as `fairtrain eval` measures it."""
        df = self.comparison(X, y, qid=qid, sensitive_features=sensitive_features)
        model = "reranked" if self.model_.mf.model.contents.rerank else "mitigated"
        rows = [v for v, m_, met, g in zip(df["value"], df["model"], df["metric"], df["group"])
                if m_ == model and met == "ndcg@10" and g == "overall"]
        return float(rows[0]) if rows else float("nan")

    def comparison(self, X, y, *, qid=None, sensitive_features=None, rerank=None):
        """The ranker, its baseline and the re-ranked order measured on new
        data (ft_eval): the tidy comparison, split "eval"."""
        table = self._apply_table(X, qid, sensitive_features, y=y)
        mon = self._monitor()
        df, _ = self.model_.evaluate(table, seed=_seed(self.random_state), rerank=rerank,
                                     mon=mon)
        self._warn(mon)
        return df


def load(path):
    """A fitted FairClassifier or FairRanker from a model file (written by
    `fairtrain train` or by .save): the method and its parameters as
    written.  It predicts as `fairtrain predict` does: a DataFrame's
    columns by name (an array's in the model's order), missing cells
    imputed, an unseen category all zeros with a warning
    (set_params(handle_unknown="error") refuses it).  A model file keeps
    only the favourable label, so a loaded classifier's classes_ are [0, 1],
    1 the favourable one, as the label column of `fairtrain predict`."""
    model = Model.load(path)
    params = model.params()
    if model.is_ranker:
        rk = model.mf.ranking.contents
        est = FairRanker(model.method, rerank=_lib.s(model.mf.model.contents.rerank) or None,
                         protected=_lib.s(rk.protected_group) or None,
                         colorblind=bool(rk.colorblind),
                         missing="impute" if model.enc.missing_policy else "drop")
        est._qid_name_ = _lib.s(rk.query)
        est._rel_name_ = _lib.s(rk.relevance)
    else:
        # missing cells as the model's policy has them (predict imputes)
        est = FairClassifier(model.method, C=model.mf.C, privileged=model.privileged,
                             positive=model.positive,
                             missing="impute" if model.enc.missing_policy else "drop",
                             handle_unknown="ignore")
        est._target_name_ = model.target
        est._weight_name_ = _lib.s(model.enc.weight) or "sample_weight"
        # a model file knows the favourable label only: 1 is it, 0 the rest,
        # as in the label column of `fairtrain predict`
        est.classes_ = np.array([0, 1])
        est._positive_ = 1
    names = set(est._method_param_names())
    for k, v in params.items():
        if k in names:
            setattr(est, k, v)
    est.model_ = model
    est._by_name_ = True
    e = model.enc
    feats = [_lib.s(e.cols[j].name) for j in range(e.n_cols)
             if e.cols[j].role == _lib.FT_ROLE_FEATURE or
             (e.cols[j].role == _lib.FT_ROLE_SENSITIVE and e.use_sensitive)]
    est.feature_names_in_ = np.asarray(feats, dtype=object)
    est.n_features_in_ = len(feats)
    est._x_names_ = feats
    est._sensitive_names_ = model.sensitive
    est._sensitive_apart_ = None
    est._set_model_attrs()
    return est
