"""Tables out: the library's before/after comparison (struct ft_comparison)
as a tidy pandas DataFrame, one row per metric x model x split x group x
convention, with its bootstrap interval; and the wide views people read.

Without pandas, a dict of equal-length lists (column -> values) stands in
for each DataFrame.
"""
import math

from . import _lib

try:
    import pandas as pd
except ImportError:
    pd = None

COMPARISON_COLUMNS = ["metric", "model", "split", "group", "convention", "value", "lo",
                      "hi", "undefined", "ci_undefined"]


def frame(data, columns):
    """A DataFrame of data (column -> list), or the dict itself without
    pandas."""
    if pd is None:
        return {c: list(data[c]) for c in columns}
    return pd.DataFrame({c: data[c] for c in columns}, columns=columns)


def comparison_frame(cp, extra=None):
    """The rows of a struct ft_comparison * (NULL: no rows).  Undefined
    values and intervals are NaN, with the library's reason in undefined /
    ci_undefined (None when defined).  extra: constant columns put first."""
    data = {c: [] for c in COMPARISON_COLUMNS}
    n = cp.contents.n if cp else 0
    rows = cp.contents.rows if cp else None
    for i in range(n):
        r = rows[i]
        why, ci_why = _lib.s(r.why), _lib.s(r.ci_why)
        data["metric"].append(_lib.s(r.metric))
        data["model"].append(_lib.s(r.model))
        data["split"].append(_lib.s(r.split))
        data["group"].append(_lib.s(r.group))
        data["convention"].append(_lib.s(r.convention))
        data["value"].append(math.nan if why else r.value)
        data["lo"].append(math.nan if ci_why else r.lo)
        data["hi"].append(math.nan if ci_why else r.hi)
        data["undefined"].append(why)
        data["ci_undefined"].append(ci_why)
    columns = list(COMPARISON_COLUMNS)
    for k, v in reversed(list((extra or {}).items())):
        data[k] = [v] * n
        columns.insert(0, k)
    return frame(data, columns)


def before_after(table, split="test", convention="between_groups", before="baseline",
                 after="mitigated"):
    """The compact before/after view of a tidy comparison: for one split,
    each overall metric and each fairness summary under one convention,
    with the value before (the baseline), after (the mitigated model), the
    change and the interval after.  Needs pandas."""
    if pd is None:
        raise ImportError("before_after needs pandas")
    t = table[(table["split"] == split) &
              (((table["group"] == "overall") & (table["convention"] == "")) |
               ((table["group"] == "") & (table["convention"] == convention)))]
    keys = ["metric", "group", "convention"]
    b = t[t["model"] == before].set_index(keys)
    a = t[t["model"] == after].set_index(keys)
    out = pd.DataFrame({"before": b["value"], "after": a["value"]})
    out["change"] = out["after"] - out["before"]
    out["after_lo"] = a["lo"]
    out["after_hi"] = a["hi"]
    order = list(dict.fromkeys(t["metric"]))
    out = out.reset_index().drop(columns=["group", "convention"])
    out["metric"] = pd.Categorical(out["metric"], categories=order, ordered=True)
    return out.sort_values("metric").reset_index(drop=True).astype({"metric": str})
