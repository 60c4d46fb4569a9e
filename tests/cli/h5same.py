#!/usr/bin/python3
"""Are two HDF5 files the same, dataset by dataset and attribute by
attribute, bit for bit?  (tests/cli/test_mpi.sh: a model file of a
distributed run against the single-process one.)

    h5same.py A.h5 B.h5 [--skip NAME]...

Every group, dataset and attribute of either file must be in both with the
same type, shape and bytes (numbers compared as their bytes, so -0.0 and
0.0 differ and NaN equals NaN; strings as Python strings).  --skip NAME
leaves out the objects whose path starts with NAME and the attributes
called NAME (provenance: the time a file was made, the command line, the
paths of the inputs).  Prints each difference; exit 0 when there is none,
1 otherwise.
"""
import sys

import h5py
import numpy as np


def norm(v):
    """A value as something == compares exactly: bytes for numbers,
    lists of str for strings."""
    a = np.asarray(v)
    if a.dtype.kind in "OSU":
        flat = [x.decode() if isinstance(x, bytes) else str(x) for x in a.ravel()]
        return ("str", a.shape, flat)
    return (a.dtype.str, a.shape, a.tobytes())


def contents(path, skip):
    out = {}

    def keep(name):
        return not any(name == s or name.startswith(s + "/") for s in skip)

    def visit(name, obj):
        if not keep(name):
            return
        if isinstance(obj, h5py.Dataset):
            out["D " + name] = norm(obj[()])
        else:
            out["G " + name] = None
        for k, v in obj.attrs.items():
            if k not in skip:
                out["A " + name + "@" + k] = norm(v)

    with h5py.File(path, "r") as f:
        for k, v in f.attrs.items():
            if k not in skip:
                out["A /@" + k] = norm(v)
        f.visititems(visit)
    return out


def main(argv):
    files, skip, i = [], [], 1
    while i < len(argv):
        if argv[i] == "--skip":
            skip.append(argv[i + 1].strip("/"))
            i += 2
        else:
            files.append(argv[i])
            i += 1
    if len(files) != 2:
        sys.exit(__doc__)
    a, b = contents(files[0], skip), contents(files[1], skip)
    bad = 0
    for k in sorted(set(a) | set(b)):
        if k not in a or k not in b:
            print("only in %s: %s" % (files[0] if k in a else files[1], k))
            bad += 1
        elif a[k] != b[k]:
            print("differs: %s" % k)
            bad += 1
    if not a:
        print("nothing compared")
        bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main(sys.argv)
