"""The shared library through ctypes: finding it, the structs of
include/fairtrain.h that the package reads or fills, the prototypes of the
functions it calls, errors as exceptions, and the progress monitor.

Nothing here knows about numpy or scikit-learn.  Every struct mirrors the C
declaration field by field (tests/python/test_layout.py compiles a C program
that prints sizeof and offsetof of each one and compares them with ctypes).

ctypes.CDLL releases the GIL for the duration of every foreign call, so fits
and measurements in different Python threads run at the same time.
"""
import ctypes
import os
import signal
import sys
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char, c_char_p,
                    c_double, c_int, c_int32, c_long, c_size_t, c_ubyte, c_uint32,
                    c_uint64, c_void_p)

c_char_pp = POINTER(c_char_p)

# --------------------------------------------------------------- errors

FT_EINVAL, FT_ENOMEM, FT_EIO, FT_EPARSE = -1, -2, -3, -4
FT_EFORMAT, FT_ENUMERIC, FT_EDATA, FT_ECANCELED = -5, -6, -7, -8


class Error(Exception):
    """An error of the library: ``code`` is its negative FT_E* code and the
    message its one-line message."""

    code = 0


class InputError(Error, ValueError):
    """Bad data, parameters or options (FT_EINVAL, FT_EPARSE, FT_EDATA,
    FT_ENUMERIC)."""


class FileError(Error, OSError):
    """A file could not be read or written, or is not a model file the
    library reads (FT_EIO, FT_EFORMAT)."""


class Canceled(Error):
    """The progress callback asked to stop (FT_ECANCELED)."""


def raise_error(rc, err):
    """Raise the exception of return code rc with the message of err (a
    struct ft_error)."""
    msg = err.msg.decode("utf-8", "replace") or strerror(rc)
    if rc == FT_ENOMEM:
        raise MemoryError(msg)
    cls = {FT_EIO: FileError, FT_EFORMAT: FileError,
           FT_ECANCELED: Canceled}.get(rc, InputError)
    e = cls(msg)
    e.code = rc
    raise e


# --------------------------------------------------------------- structs

FT_ERROR_MAX = 512
FT_MAX_PARAMS = 12
FT_MAX_LIST = 64
FT_MAX_CUTOFFS = 16
FT_MAX_DIAG = 48
FT_DIAG_NAME = 64
FT_MISSING = 0xFFFFFFFF


class ft_error(Structure):
    _fields_ = [("code", c_int), ("msg", c_char * FT_ERROR_MAX)]


class ft_read_opts(Structure):
    _fields_ = [("delimiter", c_char), ("whitespace", c_int), ("header", c_int),
                ("skip_rows", c_size_t), ("names", c_char_pp), ("n_names", c_size_t),
                ("missing", c_char_pp), ("n_missing", c_size_t)]


class ft_values(Structure):
    _fields_ = [("n", c_size_t), ("str", c_char_pp), ("len", POINTER(c_size_t)),
                ("text", c_void_p)]


class ft_table(Structure):
    _fields_ = [("path", c_char_p), ("n_rows", c_size_t), ("n_cols", c_size_t),
                ("names", c_char_pp), ("cell", POINTER(c_uint32)),
                ("vals", POINTER(ft_values)), ("line", POINTER(c_size_t)),
                ("n_files", c_size_t), ("files", c_char_pp), ("file", POINTER(c_uint32)),
                ("num", POINTER(POINTER(c_double))), ("num_dec", POINTER(c_ubyte)),
                ("cell_slot", POINTER(c_uint32)), ("cell_stride", c_size_t)]


class ft_mem_column(Structure):
    _fields_ = [("name", c_char_p), ("kind", c_int), ("num", POINTER(c_double)),
                ("code", POINTER(c_int32)), ("cats", c_char_pp), ("n_cats", c_size_t),
                ("required", c_int)]


FT_COL_NUMBERS, FT_COL_CODES = 0, 1
FT_MISSING_DROP, FT_MISSING_IMPUTE = 0, 1
FT_ROLE_FEATURE, FT_ROLE_TARGET, FT_ROLE_SENSITIVE, FT_ROLE_WEIGHT, FT_ROLE_DROP = range(5)
FT_APPLY_PREDICT, FT_APPLY_TRAIN = 0, 1


class ft_spec(Structure):
    _fields_ = [("target", c_char_p), ("positive", c_char_p), ("label_strip", c_char_p),
                ("sensitive", c_char_pp), ("n_sensitive", c_size_t),
                ("privileged", c_char_p), ("weight", c_char_p),
                ("drop", c_char_pp), ("n_drop", c_size_t),
                ("categorical", c_char_pp), ("n_categorical", c_size_t),
                ("numeric", c_char_pp), ("n_numeric", c_size_t),
                ("missing_policy", c_int), ("use_sensitive", c_int),
                ("query", c_char_p), ("numeric_target", c_int), ("raw_numeric", c_int)]


class ft_column(Structure):
    _fields_ = [("name", c_char_p), ("role", c_int), ("type", c_int),
                ("mean", c_double), ("sd", c_double), ("cats", c_char_pp),
                ("n_cats", c_size_t), ("impute_cat", c_long), ("offset", c_size_t)]


class ft_encoder(Structure):
    _fields_ = [("n_cols", c_size_t), ("cols", POINTER(ft_column)),
                ("n_features", c_size_t), ("feature_names", c_char_pp),
                ("n_num", c_size_t), ("n_cat", c_size_t),
                ("target", c_char_p), ("positive", c_char_p), ("label_strip", c_char_p),
                ("n_sensitive", c_size_t), ("sensitive", c_char_pp),
                ("n_groups", c_size_t), ("group_names", c_char_pp),
                ("privileged", c_char_p), ("weight", c_char_p),
                ("missing_policy", c_int), ("use_sensitive", c_int)]


class ft_dataset(Structure):
    _fields_ = [("n", c_size_t), ("p", c_size_t), ("n_num", c_size_t),
                ("num", POINTER(c_double)), ("n_cat", c_size_t), ("code", POINTER(c_int32)),
                ("y", POINTER(c_double)), ("w", POINTER(c_double)),
                ("group", POINTER(c_int32)), ("n_groups", c_size_t),
                ("line", POINTER(c_size_t)), ("row", POINTER(c_size_t))]


class ft_encode_stats(Structure):
    _fields_ = [("n_in", c_size_t), ("n_dropped", c_size_t), ("n_imputed", c_size_t),
                ("n_unseen", c_size_t), ("n_unseen_groups", c_size_t)]


class ft_solver_opts(Structure):
    _fields_ = [("solver", c_int), ("max_iter", c_int), ("tol", c_double),
                ("lbfgs_m", c_size_t), ("dense_max_dim", c_size_t)]


class ft_solver_result(Structure):
    _fields_ = [("solver", c_int), ("iterations", c_int), ("f", c_double),
                ("grad_norm", c_double), ("converged", c_int)]


class ft_linear_model(Structure):
    _fields_ = [("type", c_int), ("p", c_size_t), ("coef", POINTER(c_double)),
                ("intercept", c_double), ("n_groups", c_size_t),
                ("group_coef", POINTER(c_double)), ("group_intercept", POINTER(c_double))]


class ft_logreg_params(Structure):
    _fields_ = [("C", c_double), ("fit_intercept", c_int), ("solver", ft_solver_opts)]


class ft_value(Structure):
    _fields_ = [("value", c_double), ("why", c_char_p)]


class ft_mixture(Structure):
    _fields_ = [("k", c_size_t), ("weight", POINTER(c_double)),
                ("h", POINTER(POINTER(ft_linear_model)))]


class ft_thresholds(Structure):
    _fields_ = [("n_groups", c_size_t)] + [
        (f, POINTER(c_double)) for f in ("t0", "t1", "p", "q", "c")]


class ft_frontier(Structure):
    _fields_ = [("k", c_size_t), ("n_lambda", c_size_t), ("lambda_", POINTER(c_double)),
                ("error", POINTER(c_double)), ("violation", POINTER(c_double)),
                ("h", POINTER(POINTER(ft_linear_model))), ("chosen", c_size_t)]


FT_PRED_LINEAR, FT_PRED_MIXTURE, FT_PRED_THRESHOLDS, FT_PRED_FRONTIER, FT_PRED_RANKER = range(5)


class ft_predictor(Structure):
    _fields_ = [("kind", c_int), ("linear", POINTER(ft_linear_model)),
                ("mixture", POINTER(ft_mixture)), ("thresholds", POINTER(ft_thresholds)),
                ("frontier", POINTER(ft_frontier)), ("rerank", c_char_p),
                ("transform", c_void_p), ("eopp", c_void_p)]


class ft_comparison_row(Structure):
    _fields_ = [("metric", c_char_p), ("model", c_char_p), ("split", c_char_p),
                ("group", c_char_p), ("convention", c_char_p), ("value", c_double),
                ("why", c_char_p), ("lo", c_double), ("hi", c_double), ("ci_why", c_char_p)]


class ft_comparison(Structure):
    _fields_ = [("n", c_size_t), ("rows", POINTER(ft_comparison_row)),
                ("n_bootstrap", c_size_t), ("level", c_double), ("seed", c_uint64),
                ("threshold", c_double), ("ref", POINTER(c_double)), ("n_ref", c_size_t),
                ("consistency_k", c_size_t)]


class ft_model_ranking(Structure):
    _fields_ = [("format", c_char_p), ("query", c_char_p), ("relevance", c_char_p),
                ("protected_group", c_char_p), ("colorblind", c_int),
                ("sensitive_feature", c_uint64), ("protected_value", c_double),
                ("group_values", c_int)]


class ft_model_file(Structure):
    _fields_ = [("format_version", c_int), ("fairtrain_version", c_char_p),
                ("created_utc", c_char_p), ("command_line", c_char_p),
                ("n_inputs", c_size_t), ("input_paths", c_char_pp),
                ("input_sha256", c_char_pp), ("read", ft_read_opts),
                ("enc", POINTER(ft_encoder)), ("model", POINTER(ft_predictor)),
                ("baseline", POINTER(ft_predictor)), ("comparison", POINTER(ft_comparison)),
                ("ranking", POINTER(ft_model_ranking)), ("method", c_char_p),
                ("n_params", c_size_t), ("param_names", c_char_pp),
                ("param_values", POINTER(c_double)), ("param_choices", c_char_pp),
                ("n_diag", c_size_t), ("diag_names", c_char_pp),
                ("diag_values", POINTER(c_double)), ("C", c_double),
                ("fit_intercept", c_int), ("solver_opts", ft_solver_opts),
                ("solver_result", ft_solver_result), ("n_train", c_size_t),
                ("n_test", c_size_t), ("n_dropped", c_size_t), ("seed", c_uint64),
                ("split", c_double), ("budget", c_void_p), ("dp", c_void_p),
                ("dp_split", c_char_p), ("private_run", c_int)]


class ft_param_def(Structure):
    _fields_ = [("name", c_char_p), ("def_", c_double), ("lo", c_double), ("hi", c_double),
                ("integer", c_int), ("help", c_char_p), ("choices", c_char_p),
                ("list", c_int)]


class ft_method(Structure):
    _fields_ = [("name", c_char_p), ("task", c_int), ("stage", c_int), ("help", c_char_p),
                ("n_params", c_size_t), ("params", POINTER(ft_param_def)),
                ("needs_groups", c_int), ("fit", c_void_p), ("rank_params", c_void_p),
                ("rerank", c_void_p), ("check", c_void_p)]


class ft_method_spec(Structure):
    _fields_ = [("method", POINTER(ft_method)), ("params", c_double * FT_MAX_PARAMS),
                ("given", c_int * FT_MAX_PARAMS), ("n_list", c_size_t),
                ("list", c_double * FT_MAX_LIST), ("eopp", c_void_p)]


FT_TASK_CLASSIFY, FT_TASK_RANK = 0, 1
FT_STAGE_PRE, FT_STAGE_IN, FT_STAGE_POST, FT_STAGE_RERANK = range(4)

PROGRESS_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_size_t, c_size_t, c_char_p)
WARNING_FN = CFUNCTYPE(None, c_void_p, c_char_p)


class ft_monitor(Structure):
    _fields_ = [("progress", PROGRESS_FN), ("warning", WARNING_FN), ("ctx", c_void_p)]


class ft_data_opts(Structure):
    _fields_ = [("data", c_char_p), ("test", c_char_p), ("table", POINTER(ft_table)),
                ("test_table", POINTER(ft_table)), ("read", ft_read_opts),
                ("test_skip_rows", c_long), ("filter", c_void_p), ("n_filter", c_size_t),
                ("spec", ft_spec), ("split", c_double), ("seed", c_uint64),
                ("files", c_char_pp), ("n_files", c_size_t),
                ("allow_no_positive", c_int)]


class ft_measure_opts(Structure):
    _fields_ = [("threshold", c_double), ("n_bootstrap", c_size_t), ("level", c_double),
                ("n_perm", c_size_t), ("n_cutoffs", c_size_t),
                ("cutoffs", c_size_t * FT_MAX_CUTOFFS), ("ties", c_int), ("tie_seed", c_uint64),
                ("n_target", c_size_t), ("target", c_double * FT_MAX_LIST),
                ("dp_epsilon", c_double), ("dp_seed", c_uint64),
                ("consistency_k", c_size_t), ("ref", POINTER(c_double)), ("n_ref", c_size_t)]


class ft_rank_opts(Structure):
    _fields_ = [("letor", c_int), ("query", c_char_p), ("relevance", c_char_p),
                ("protected_group", c_char_p), ("sensitive_feature", c_size_t),
                ("colorblind", c_int), ("raw_numeric", c_int), ("rerank", c_char_p),
                ("group_values", c_int)]


class ft_train_opts(Structure):
    _fields_ = [("task", c_int), ("data", ft_data_opts), ("rank", ft_rank_opts),
                ("method", c_char_p), ("lr", ft_logreg_params),
                ("measure", ft_measure_opts), ("command_line", c_char_p),
                ("mon", POINTER(ft_monitor)), ("dp_total_epsilon", c_double),
                ("dp_total_delta", c_double), ("dp_row_norm", c_double),
                ("dp_bounds", c_void_p), ("n_dp_bounds", c_size_t),
                ("dp_encoder_epsilon", c_double)]


class ft_rank_result(Structure):
    _fields_ = [("res", ft_solver_result), ("n_diag", c_size_t),
                ("diag_name", (c_char * FT_DIAG_NAME) * FT_MAX_DIAG),
                ("diag", c_double * FT_MAX_DIAG)]


class ft_proxy(Structure):
    _fields_ = [("column", c_char_p), ("mi", c_double), ("nmi", c_double),
                ("auc", ft_value)]


class ft_explain(Structure):
    _fields_ = [("model", c_char_p), ("split", c_char_p), ("group_a", c_char_p),
                ("group_b", c_char_p), ("gap", c_double), ("n_contrib", c_size_t),
                ("contrib_names", c_char_pp), ("contrib", POINTER(c_double)),
                ("n_proxy", c_size_t), ("proxy", POINTER(ft_proxy))]


class ft_train_result(Structure):
    _fields_ = [("mf", POINTER(ft_model_file)), ("explain", POINTER(ft_explain)),
                ("n_rows_file", c_size_t), ("n_filtered", c_size_t),
                ("group_count", POINTER(c_size_t)), ("has_test", c_int),
                ("n_queries_train", c_size_t), ("n_queries_test", c_size_t),
                ("n_short_train", c_size_t), ("n_short_test", c_size_t),
                ("n_extra", c_size_t), ("fit", ft_rank_result),
                ("baseline_fit", ft_rank_result), ("same_fit", c_int)]


class ft_apply_opts(Structure):
    _fields_ = [("data", c_char_p), ("table", POINTER(ft_table)), ("read", ft_read_opts),
                ("read_set", ctypes.c_uint), ("filter", c_void_p), ("n_filter", c_size_t),
                ("rerank", c_char_p), ("deterministic", c_int), ("seed", c_uint64),
                ("measure", ft_measure_opts), ("allow_no_positive", c_int),
                ("keep", c_char_pp), ("n_keep", c_size_t), ("mon", POINTER(ft_monitor)),
                ("files", c_char_pp), ("n_files", c_size_t)]


class ft_predictions(Structure):
    _fields_ = [("task", c_int), ("n", c_size_t), ("line", POINTER(c_size_t)),
                ("score", POINTER(c_double)), ("p_positive", POINTER(c_double)),
                ("label", POINTER(c_int)), ("target", POINTER(c_double)),
                ("n_queries", c_size_t), ("qid", c_char_pp), ("qoff", POINTER(c_size_t)),
                ("order", POINTER(c_size_t)), ("k", POINTER(c_size_t)),
                ("group", POINTER(c_int32)), ("n_groups", c_size_t),
                ("group_names", c_char_pp), ("relevance", POINTER(c_double)),
                ("rerank", c_char_p), ("n_keep", c_size_t), ("keep_names", c_char_pp),
                ("keep_values", c_char_pp), ("n_imputed", c_size_t), ("n_unseen", c_size_t),
                ("n_short", c_size_t), ("n_extra", c_size_t), ("ties", c_int),
                ("n_tied", c_size_t), ("n_tie_sets", c_size_t)]


class ft_eval_result(Structure):
    _fields_ = [("cmp", POINTER(ft_comparison)), ("explain", POINTER(ft_explain)),
                ("n_read", c_size_t), ("n_measured", c_size_t), ("n_dropped", c_size_t),
                ("n_filtered", c_size_t), ("n_queries", c_size_t), ("n_short", c_size_t),
                ("n_extra", c_size_t), ("rerank", c_char_p), ("dp", c_void_p),
                ("budget", c_void_p)]


class ft_audit_opts(Structure):
    _fields_ = [("data", ft_data_opts), ("label", c_char_p), ("score", c_char_p),
                ("measure", ft_measure_opts), ("mon", POINTER(ft_monitor)),
                ("task", c_int), ("query", c_char_p), ("relevance", c_char_p),
                ("rank", c_char_p), ("protected_group", c_char_p)]


class ft_audit_result(Structure):
    _fields_ = [("cmp", POINTER(ft_comparison)), ("n_read", c_size_t),
                ("n_measured", c_size_t), ("n_dropped", c_size_t),
                ("n_filtered", c_size_t), ("n_groups", c_size_t),
                ("group_names", c_char_pp), ("n_queries", c_size_t), ("dp", c_void_p),
                ("budget", c_void_p)]


class ft_compare_opts(Structure):
    _fields_ = [("data", ft_data_opts), ("methods", c_char_p), ("folds", c_size_t),
                ("repeats", c_size_t), ("fairness", c_int), ("lr", ft_logreg_params),
                ("measure", ft_measure_opts), ("command_line", c_char_p),
                ("mon", POINTER(ft_monitor)), ("task", c_int), ("rank", ft_rank_opts)]


class ft_sweep_setting(Structure):
    _fields_ = [("spec", ft_method_spec), ("method", c_char_p), ("setting", c_char_p),
                ("label", c_char_p)]


class ft_sweep(Structure):
    _fields_ = [("n", c_size_t), ("s", POINTER(ft_sweep_setting))]


class ft_fit_output(Structure):
    _fields_ = [("pred", ft_predictor), ("res", ft_solver_result), ("n_diag", c_size_t),
                ("diag_name", (c_char * FT_DIAG_NAME) * FT_MAX_DIAG),
                ("diag", c_double * FT_MAX_DIAG), ("budget", c_void_p)]


class ft_compare_stat(Structure):
    _fields_ = [("mean", c_double), ("sd", c_double), ("n", c_size_t)]


class ft_compare_point(Structure):
    _fields_ = [("acc", ft_compare_stat), ("fair", ft_compare_stat),
                ("group", POINTER(ft_compare_stat)), ("pareto", c_int), ("best", c_int)]


class ft_compare_run(Structure):
    _fields_ = [("fo", ft_fit_output), ("fitted", c_int), ("cmp", POINTER(ft_comparison)),
                ("error", c_char_p), ("seconds", c_double), ("n_train", c_size_t),
                ("n_test", c_size_t)]


class ft_compare_fold(Structure):
    _fields_ = [("enc", POINTER(ft_encoder)), ("n_train", c_size_t), ("n_test", c_size_t),
                ("seconds", c_double)]


class ft_compare_result(Structure):
    _fields_ = [("sweep", POINTER(ft_sweep)), ("scheme", c_char_p), ("n_folds", c_size_t),
                ("folds", POINTER(ft_compare_fold)), ("runs", POINTER(ft_compare_run)),
                ("points", POINTER(ft_compare_point)), ("fairness", c_int),
                ("data", c_char_p), ("test", c_char_p), ("command_line", c_char_p),
                ("created_utc", c_char_p), ("seed", c_uint64), ("split", c_double),
                ("threshold", c_double), ("level", c_double), ("C", c_double),
                ("n_bootstrap", c_size_t), ("sha256", (c_char * 65) * 2),
                ("n_rows_file", c_size_t), ("n_filtered", c_size_t), ("n_failed", c_size_t),
                ("n_unseen", c_size_t), ("n_unseen_groups", c_size_t),
                ("t_total", c_double), ("t_prep", c_double), ("t_fit", c_double),
                ("t_measure", c_double), ("task", c_int), ("rank_k", c_size_t),
                ("protected_group", c_char_p), ("n_queries", c_size_t)]


# Every struct above, for the layout test.
STRUCTS = [v for k, v in sorted(globals().items())
           if k.startswith("ft_") and isinstance(v, type) and issubclass(v, Structure)]

# ------------------------------------------------------------ the library


def _candidates():
    env = os.environ.get("FAIRTRAIN_LIB")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        from . import _config   # written by `make install`
        yield os.path.join(_config.LIBDIR, "libfairtrain.so.0")
    except ImportError:
        pass
    # the build tree: src/python/fairtrain -> build/
    root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    yield os.path.join(root, "build", "libfairtrain.so.0")
    yield "libfairtrain.so.0"   # the dynamic loader's search path


def _load():
    # OpenMP's idle threads: the command line's default (src/cli/main.c),
    # 10,000 spins instead of libgomp's 300,000, which steal a busy
    # machine's cores.  libgomp reads it once, when it loads: it counts only
    # if nothing in this process loaded libgomp before (Debian's
    # scikit-learn does, so import fairtrain first, or set the variable
    # before Python starts); the user's choice wins.
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("fairtrain: libfairtrain.so not found (run `make`, or set "
                      "FAIRTRAIN_LIB to its path); tried: " + "; ".join(tried))


lib, LIB_PATH = _load()


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


E = POINTER(ft_error)
_proto("ft_version", c_char_p)
_proto("ft_strerror", c_char_p, c_int)
_proto("ft_set_threads", None, c_int)
_proto("ft_get_threads", c_int)
_proto("ft_read_opts_init", None, POINTER(ft_read_opts))
_proto("ft_table_from_columns", c_int, c_char_p, c_size_t, POINTER(ft_mem_column),
       c_size_t, POINTER(ft_read_opts), POINTER(POINTER(ft_table)), E)
_proto("ft_table_free", None, POINTER(ft_table))
_proto("ft_table_read", c_int, c_char_p, POINTER(ft_read_opts), POINTER(POINTER(ft_table)), E)
_proto("ft_encoder_apply", c_int, POINTER(ft_encoder), POINTER(ft_table), c_int,
       POINTER(POINTER(ft_dataset)), POINTER(ft_encode_stats), E)
_proto("ft_dataset_free", None, POINTER(ft_dataset))
_proto("ft_method_list", POINTER(ft_method), POINTER(c_size_t))
_proto("ft_param_choice", c_char_p, POINTER(ft_param_def), c_double)
_proto("ft_method_spec_parse", c_int, c_char_p, c_int, c_int, POINTER(ft_method_spec), E)
_proto("ft_method_spec_format", c_int, POINTER(ft_method_spec), c_char_p, c_size_t)
_proto("ft_predictor_randomized", c_int, POINTER(ft_predictor))
_proto("ft_predictor_needs_groups", c_int, POINTER(ft_predictor))
_proto("ft_predictor_decision", c_int, POINTER(ft_predictor), POINTER(ft_dataset),
       POINTER(c_double), E)
_proto("ft_transform_output_names", c_char_pp, c_void_p, POINTER(c_size_t))
_proto("ft_predictor_kind_name", c_char_p, c_int)
_proto("ft_predictor_decide", c_int, POINTER(ft_predictor), POINTER(ft_dataset), c_double,
       c_int, POINTER(c_double), POINTER(c_double), E)
_proto("ft_linear_decision", None, POINTER(ft_linear_model), POINTER(ft_dataset),
       POINTER(c_double))
_proto("ft_model_file_free", None, POINTER(ft_model_file))
_proto("ft_model_save", c_int, c_char_p, POINTER(ft_model_file), E)
_proto("ft_model_load", c_int, c_char_p, POINTER(POINTER(ft_model_file)), E)
_proto("ft_train_opts_init", None, POINTER(ft_train_opts))
_proto("ft_train", c_int, POINTER(ft_train_opts), POINTER(POINTER(ft_train_result)), E)
_proto("ft_train_result_free", None, POINTER(ft_train_result))
_proto("ft_apply_opts_init", None, POINTER(ft_apply_opts))
_proto("ft_predict", c_int, POINTER(ft_model_file), POINTER(ft_apply_opts),
       POINTER(POINTER(ft_predictions)), E)
_proto("ft_predictions_free", None, POINTER(ft_predictions))
_proto("ft_eval", c_int, POINTER(ft_model_file), POINTER(ft_apply_opts),
       POINTER(POINTER(ft_eval_result)), E)
_proto("ft_eval_result_free", None, POINTER(ft_eval_result))
_proto("ft_audit_opts_init", None, POINTER(ft_audit_opts))
_proto("ft_audit", c_int, POINTER(ft_audit_opts), POINTER(POINTER(ft_audit_result)), E)
_proto("ft_audit_result_free", None, POINTER(ft_audit_result))
_proto("ft_compare_opts_init", None, POINTER(ft_compare_opts))
_proto("ft_compare", c_int, POINTER(ft_compare_opts), POINTER(POINTER(ft_compare_result)), E)
_proto("ft_compare_write", c_int, POINTER(ft_compare_result), c_char_p, c_int,
       POINTER(ft_monitor), POINTER(c_int), E)
_proto("ft_compare_result_free", None, POINTER(ft_compare_result))
_proto("ft_fairness_name", c_char_p, c_int)
_proto("ft_task_name", c_char_p, c_int)
_proto("ft_stage_name", c_char_p, c_int)


def strerror(rc):
    return lib.ft_strerror(rc).decode()


def call(fn, *args):
    """fn(*args, &err); raise on a negative return code."""
    err = ft_error()
    rc = fn(*args, byref(err))
    if rc:
        raise_error(rc, err)


def s(b):
    """bytes (or None) from C as str (or None)."""
    return None if b is None else b.decode("utf-8", "replace")


def strv(p, n):
    """n C strings as a list of str."""
    return [s(p[i]) for i in range(n)]


def enc(x):
    """str (or None) as bytes for C."""
    return None if x is None else str(x).encode("utf-8")


class CStrings:
    """An array of C strings kept alive with its Python bytes."""

    def __init__(self, items):
        self.items = [enc(x) for x in items]
        self.array = (c_char_p * max(1, len(self.items)))(*self.items)
        self.n = len(self.items)

    @property
    def ptr(self):
        return ctypes.cast(self.array, c_char_pp) if self.n else None


# ------------------------------------------------------------ the monitor

class Monitor:
    """A struct ft_monitor whose callbacks reach Python: progress lines to
    stderr when verbose, warnings collected (the caller turns them into
    Python warnings or errors), and a KeyboardInterrupt during a call turns
    into a cancel: the callback returns 1, the library stops at its next
    check with FT_ECANCELED, and the caller raises KeyboardInterrupt.

    The callbacks may run in any thread (ctypes takes the GIL for them);
    signals reach Python code only in the main thread, so a Ctrl-C cancels
    a call made from the main thread."""

    def __init__(self, verbose=False, progress=None):
        self.verbose = verbose
        self.user_progress = progress
        self.warnings = []
        self.interrupted = False
        self.error = None
        self.events = []
        self._lock = threading.Lock()
        self._progress = PROGRESS_FN(self._on_progress)
        self._warning = WARNING_FN(self._on_warning)
        self.struct = ft_monitor(self._progress, self._warning, None)

    def _on_progress(self, ctx, stage, done, total, what):
        try:
            stage, what = s(stage), s(what)
            with self._lock:
                self.events.append((stage, done, total, what))
            if self.verbose:
                sys.stderr.write("fairtrain: %s%s%s\n" % (
                    stage, " %d/%d" % (done, total) if total else "",
                    " " + what if what else ""))
            if self.user_progress is not None and self.user_progress(stage, done, total, what):
                return 1
            return 1 if self.interrupted else 0
        except KeyboardInterrupt:
            self.interrupted = True
            return 1
        except BaseException as e:   # never let an exception cross into C
            self.error = e
            return 1

    def _on_warning(self, ctx, msg):
        try:
            with self._lock:
                self.warnings.append(s(msg))
        except KeyboardInterrupt:
            self.interrupted = True

    @property
    def ptr(self):
        return ctypes.pointer(self.struct)

    def _sigint(self, signum, frame):
        # Python runs this in the main thread at its next bytecode: inside
        # the next progress callback, or after the call returns
        self.interrupted = True

    def run(self, fn, *args):
        """call(fn, *args) with this monitor.  In the main thread, while the
        call runs, SIGINT only sets a flag (Python's default handler would
        raise KeyboardInterrupt at whatever bytecode runs next, also at the
        first line of a callback, where ctypes would print and drop it);
        the next progress callback returns 1, the library stops with
        FT_ECANCELED, and KeyboardInterrupt is raised here.  A cancel by an
        exception in the progress callback raises that exception."""
        old = None
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            old = signal.signal(signal.SIGINT, self._sigint)
        try:
            call(fn, *args)
        except Canceled:
            if self.interrupted:
                raise KeyboardInterrupt("fairtrain: canceled") from None
            if self.error is not None:
                raise self.error
            raise
        finally:
            if old is not None:
                signal.signal(signal.SIGINT, old)
        if self.interrupted:
            # the signal came after the last check: the work is done, but
            # the user asked to stop
            raise KeyboardInterrupt("fairtrain: interrupted")
