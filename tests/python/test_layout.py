"""test_layout.py - every struct the package mirrors with ctypes has the
size and field offsets of the C declaration in include/fairtrain.h: a C
program generated from the ctypes classes prints sizeof and offsetof, and
they must match (a field added in C without its Python twin fails here)."""
import ctypes
import os
import subprocess
import tempfile

from harness import check, done
from fairtrain import _lib


def c_name(field):
    # Python names that are C keywords or clash carry a trailing underscore
    return field[:-1] if field.endswith("_") else field


def layout():
    lines = ["#include <stddef.h>", "#include <stdio.h>", "#include \"fairtrain.h\"",
             "int main(void)", "{"]
    want = []
    for st in _lib.STRUCTS:
        name = st.__name__
        lines.append('\tprintf("%s %%zu\\n", sizeof(struct %s));' % (name, name))
        want.append("%s %d" % (name, ctypes.sizeof(st)))
        for f in st._fields_:
            fn = f[0]
            lines.append('\tprintf("%s.%s %%zu\\n", offsetof(struct %s, %s));'
                         % (name, fn, name, c_name(fn)))
            want.append("%s.%s %d" % (name, fn, getattr(st, fn).offset))
    lines += ["\treturn 0;", "}"]
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "layout.c"), os.path.join(d, "layout")
        with open(src, "w") as fp:
            fp.write("\n".join(lines) + "\n")
        subprocess.run(["cc", "-std=c11", "-Iinclude", src, "-o", exe], check=True,
                       capture_output=True)
        got = subprocess.run([exe], check=True, capture_output=True, text=True).stdout.split("\n")
    bad = [(w, g) for w, g in zip(want, got) if w != g]
    assert len(got) - 1 == len(want), "%d lines, want %d" % (len(got) - 1, len(want))
    assert not bad, "ctypes / C: " + "; ".join("%s / %s" % b for b in bad[:5])
    print("# %d structs, %d fields" % (len(_lib.STRUCTS), len(want) - len(_lib.STRUCTS)))


check("python_struct_layout", layout)
done()
