"""Arrays and DataFrames as struct ft_table, through ft_table_from_columns.

The library makes the table the CSV reader would make of the same values,
and its encoder does all the encoding (categories, standardization, missing
values, labels, groups).  What is decided here is only what a file cannot
say but an array can: a column's type from its dtype.

  numbers (int, uint, float dtypes; an object column whose every value is
      a real number)                   -> numeric (NaN is missing; +-inf is
                                          refused by the encoder)
  everything else: str, object, pandas category and string dtypes, bool
                                       -> categorical, the value's str();
                                          None, NaN, pd.NA missing

No data go through a temporary file.
"""
import ctypes
import math
import numbers

import numpy as np

from . import _lib

try:
    import pandas as pd
except ImportError:   # pandas is optional
    pd = None


def is_frame(X):
    return pd is not None and isinstance(X, pd.DataFrame)


def is_series(x):
    return pd is not None and isinstance(x, pd.Series)


class Column:
    """One column ready for the library: numbers (float64) or codes (int32)
    into the strings cats; kind 'numeric' or 'categorical'."""

    def __init__(self, name, kind, num=None, codes=None, cats=None, required=False):
        self.name = str(name)
        self.kind = kind
        self.num = num
        self.codes = codes
        self.cats = cats
        self.required = required


def _missing(v):
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return pd is not None and v is pd.NA or (pd is not None and v is pd.NaT)


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _factorize_values(values):
    """Codes (int32, -1 for missing) and the distinct values, in order of
    first appearance, by value."""
    if pd is not None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return np.ascontiguousarray(codes, dtype=np.int32), list(uniques)
    seen, uniq = {}, []
    codes = np.empty(len(values), dtype=np.int32)
    for i, v in enumerate(values):
        if _missing(v):
            codes[i] = -1
            continue
        k = seen.get(v)
        if k is None:
            k = seen[v] = len(uniq)
            uniq.append(v)
        codes[i] = k
    return codes, uniq


def _by_identity(a):
    """The objects of the object array a numbered by identity: codes in
    order of first appearance and the index of each code's first row.
    pandas' CSV reader (and most builders of string columns) make one
    object per distinct value, so hashing the pointers (integers) and then
    only the few distinct objects by value is 4x faster than hashing every
    cell's string (Adult's 9 string columns: 7.4 -> 1.7 ms)."""
    n = len(a)
    ptr = np.ctypeslib.as_array(ctypes.cast(a.ctypes.data, ctypes.POINTER(ctypes.c_size_t)),
                                shape=(n,))
    if pd is not None:
        pc, pu = pd.factorize(ptr)
        first = np.empty(len(pu), dtype=np.intp)
        first[pc[::-1]] = np.arange(n - 1, -1, -1, dtype=np.intp)
        return pc, first
    _, first, inv = np.unique(ptr, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[inv], first[order]


def factorize(values):
    """Codes (int32, -1 for missing) and the distinct values, in order of
    first appearance.  An object array is numbered by identity first (equal
    objects are equal values), then its distinct objects by value, which
    gives the codes of a factorization by value."""
    if isinstance(values, np.ndarray) and values.dtype == object and \
            values.ndim == 1 and values.itemsize == ctypes.sizeof(ctypes.c_size_t):
        a = np.ascontiguousarray(values)
        pc, first = _by_identity(a)
        vc, uniq = _factorize_values(a[first])
        return np.ascontiguousarray(vc[pc], dtype=np.int32), uniq
    return _factorize_values(values)


def _factorize(values):
    """factorize with the str() of the distinct values."""
    codes, uniq = factorize(values)
    return codes, [str(u) for u in uniq]


def column(name, values, required=False, kind=None):
    """A Column of 1-D values (numpy array, pandas Series, list).  kind
    forces 'categorical' (labels, groups) instead of the dtype's."""
    if is_series(values):
        dtype = values.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            codes = np.asarray(values.cat.codes, dtype=np.int32)
            cats = [str(c) for c in values.cat.categories]
            return Column(name, "categorical", codes=codes, cats=cats, required=required)
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            arr = values.to_numpy(dtype=object)
            if kind == "categorical" or (len(arr) and not _is_number(arr[0]) and
                                         not _missing(arr[0])):
                # strings: no element-wise look at the values
                codes, cats = _factorize(arr)
                return Column(name, "categorical", codes=codes, cats=cats, required=required)
        else:
            arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise ValueError("column %s: expected 1-D values, got shape %s"
                             % (name, arr.shape))
    if arr.dtype.kind == "c":
        raise ValueError("Complex data not supported (column %s)" % name)
    if arr.dtype.kind in "iuf" and kind != "categorical":
        num = np.ascontiguousarray(arr, dtype=np.float64)
        return Column(name, "numeric", num=num, required=required)
    if arr.dtype.kind in "iuf":   # numbers as labels: their str(), as a CSV has them
        arr = arr.astype(object)
    if arr.dtype.kind == "O" and kind != "categorical" and len(arr) and \
            all(_is_number(v) or _missing(v) for v in arr) and \
            any(not _missing(v) for v in arr):
        num = np.array([np.nan if _missing(v) else float(v) for v in arr], dtype=np.float64)
        return Column(name, "numeric", num=num, required=required)
    if arr.dtype.kind not in "OUSb":
        arr = arr.astype(object)
    codes, cats = _factorize(arr)
    return Column(name, "categorical", codes=np.ascontiguousarray(codes), cats=cats,
                  required=required)


def frame_columns(X, required=False, names=None):
    """The columns of a 2-D X (DataFrame, array, list of rows): Columns in
    order, named by the DataFrame's columns, or names, or x0, x1, ..."""
    if hasattr(X, "tocsr") or hasattr(X, "toarray") and not is_frame(X):
        raise TypeError("sparse input is not supported: fairtrain encodes its own "
                        "one-hot features (pass X.toarray() or a DataFrame)")
    if is_frame(X):
        # items() yields the columns by position (also under a repeated
        # name) without the indexer's checks of X.iloc[:, j]
        return [column(str(c), s, required) for c, s in X.items()]
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError("Expected 2D array, got %s instead. Reshape your data either "
                         "using array.reshape(-1, 1) if your data has a single feature "
                         "or array.reshape(1, -1) if it contains a single sample."
                         % ("scalar array" if arr.ndim == 0 else "%dD array" % arr.ndim))
    if names is None:
        names = ["x%d" % j for j in range(arr.shape[1])]
    return [column(names[j], arr[:, j], required) for j in range(arr.shape[1])]


class Table:
    """A struct ft_table built from Columns (copied by the library), freed
    when this object is."""

    def __init__(self, name, columns, n_rows):
        mc = (_lib.ft_mem_column * max(1, len(columns)))()
        keep = []
        for j, c in enumerate(columns):
            m = mc[j]
            m.name = _lib.enc(c.name)
            m.required = 1 if c.required else 0
            if c.kind == "numeric":
                m.kind = _lib.FT_COL_NUMBERS
                m.num = c.num.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
            else:
                m.kind = _lib.FT_COL_CODES
                cs = _lib.CStrings(c.cats)
                keep.append(cs)
                m.code = c.codes.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))
                m.cats = cs.ptr
                m.n_cats = cs.n
        self.ptr = ctypes.POINTER(_lib.ft_table)()
        _lib.call(_lib.lib.ft_table_from_columns, _lib.enc(name), n_rows, mc, len(columns),
                  None, ctypes.byref(self.ptr))
        self.name = name
        self.n_rows = n_rows
        self.columns = [c.name for c in columns]

    def __del__(self):
        if getattr(self, "ptr", None):
            _lib.lib.ft_table_free(self.ptr)
            self.ptr = None
