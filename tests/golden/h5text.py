#!/usr/bin/env python3
"""h5text.py FILE - every group, attribute and dataset of an HDF5 file as
text, for tests/golden/golden.sh: sorted by path, numbers with 17
significant digits, strings as they are.  Left out: what changes from run to
run (created_utc, command_line, fairtrain_version, wall times in seconds)."""
import sys
import h5py
import numpy as np

SKIP = {"created_utc", "command_line", "fairtrain_version", "seconds", "seconds_mean"}


def fmt(v):
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    if isinstance(v, str):
        return repr(v)
    a = np.asarray(v)
    if a.dtype.kind in "OSU":
        return "[" + ", ".join(fmt(x) for x in a.ravel()) + "]" + (
            " shape %s" % (a.shape,) if a.ndim > 1 else "")
    if a.dtype.kind == "f":
        s = ", ".join("%.17g" % x for x in a.ravel())
    else:
        s = ", ".join(str(x) for x in a.ravel())
    return ("[%s]" % s if a.ndim else s) + (" shape %s" % (a.shape,) if a.ndim > 1 else "") \
        + " " + a.dtype.str


def main():
    f = h5py.File(sys.argv[1], "r")
    out = []

    def attrs(path, obj):
        for k in sorted(obj.attrs):
            if k in SKIP:
                continue
            out.append("%s @%s = %s" % (path, k, fmt(obj.attrs[k])))

    attrs("/", f)

    def visit(name, obj):
        if name.split("/")[-1] in SKIP:
            return
        if isinstance(obj, h5py.Dataset):
            out.append("/%s = %s" % (name, fmt(obj[()])))
        else:
            out.append("/%s/" % name)
        attrs("/" + name, obj)

    f.visititems(visit)
    print("\n".join(sorted(out)))


main()
