"""The library's one method registry (src/fair/methods.c) read through
ft_method_list: every method of either task with its stage, help and typed
parameters.  The estimators take any row by name; nothing here is a copy of
the table."""
import ctypes
import math

from . import _frames, _lib


class Param:
    """One parameter of a registry row."""

    def __init__(self, p):
        self.name = _lib.s(p.name)
        self.default = p.def_
        self.lo, self.hi = p.lo, p.hi
        self.integer = bool(p.integer)
        self.help = _lib.s(p.help)
        self.choices = _lib.s(p.choices).split("|") if p.choices else None
        self.list = bool(p.list)
        if self.choices:
            self.default = self.choices[int(self.default)]
        elif self.integer:
            self.default = int(self.default)

    def __repr__(self):
        return "Param(%r, default=%r)" % (self.name, self.default)


class Method:
    """One registry row: name, task ('classify' or 'rank'), stage ('pre',
    'in', 'post', 'rerank'), help, needs_groups, params (name -> Param)."""

    def __init__(self, m):
        self.name = _lib.s(m.name)
        self.task = _lib.s(_lib.lib.ft_task_name(m.task))
        self.stage = _lib.s(_lib.lib.ft_stage_name(m.stage))
        self.help = _lib.s(m.help)
        self.needs_groups = bool(m.needs_groups)
        self.params = {}
        for k in range(m.n_params):
            p = Param(m.params[k])
            self.params[p.name] = p

    def __repr__(self):
        return "Method(%r, task=%r, stage=%r)" % (self.name, self.task, self.stage)


def _read():
    n = ctypes.c_size_t()
    rows = _lib.lib.ft_method_list(ctypes.byref(n))
    return [Method(rows[i]) for i in range(n.value)]


METHODS = _read()
BY_NAME = {m.name: m for m in METHODS}


def find(name, task=None):
    m = BY_NAME.get(name)
    if m is None or (task is not None and m.task != task):
        known = ", ".join(x.name for x in METHODS if task is None or x.task == task)
        raise ValueError("unknown %smethod '%s' (known: %s)"
                         % ({"classify": "classification ", "rank": "ranking "}.get(task, ""),
                            name, known))
    return m


def param_names(task, stages=None):
    """Every parameter name of the rows of a task (and stages)."""
    out = []
    for m in METHODS:
        if m.task == task and (stages is None or m.stage in stages):
            for p in m.params:
                if p not in out:
                    out.append(p)
    return out


def _value_text(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (list, tuple)):
        return "/".join(_value_text(x) for x in v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return repr(v)
        return repr(v)
    if hasattr(v, "item"):           # numpy scalars
        return _value_text(v.item())
    return str(v)


def spec(name, values):
    """The registry spec text "name:k=v,k=v" of method name with the given
    parameter values (in registry order; the library checks them)."""
    parts = [name]
    for k, v in values.items():
        if v is None:
            continue
        parts.append("%s=%s" % (k, _value_text(v)))
    return parts[0] + (":" + ",".join(parts[1:]) if len(parts) > 1 else "")


STAGES = {"pre": _lib.FT_STAGE_PRE, "in": _lib.FT_STAGE_IN, "post": _lib.FT_STAGE_POST,
          "rerank": _lib.FT_STAGE_RERANK}


def check_spec(text, task, stage=None):
    """Parse a spec with the library (ft_method_spec_parse) as a row of task
    (and stage, when given): raises its one-line message; returns the
    canonical text."""
    s = _lib.ft_method_spec()
    _lib.call(_lib.lib.ft_method_spec_parse, _lib.enc(text),
              {"classify": _lib.FT_TASK_CLASSIFY, "rank": _lib.FT_TASK_RANK}[task],
              STAGES[stage] if stage else -1, ctypes.byref(s))
    buf = ctypes.create_string_buffer(1024)
    _lib.lib.ft_method_spec_format(ctypes.byref(s), buf, len(buf))
    return buf.value.decode()


def methods(task=None):
    """The registry as a table (a DataFrame with pandas): one row per
    method parameter (a method without parameters has one row with
    param None)."""
    data = {c: [] for c in ("method", "task", "stage", "needs_groups", "param", "default",
                            "lo", "hi", "choices", "help")}
    for m in METHODS:
        if task is not None and m.task != task:
            continue
        for p in list(m.params.values()) or [None]:
            data["method"].append(m.name)
            data["task"].append(m.task)
            data["stage"].append(m.stage)
            data["needs_groups"].append(m.needs_groups)
            data["param"].append(p.name if p else None)
            data["default"].append(p.default if p else None)
            data["lo"].append(p.lo if p else None)
            data["hi"].append(p.hi if p else None)
            data["choices"].append("|".join(p.choices) if p and p.choices else None)
            data["help"].append(p.help if p else m.help)
    return _frames.frame(data, list(data))
