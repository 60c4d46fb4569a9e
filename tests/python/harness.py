"""harness.py - what the Python tests share: one "PASS name" or "FAIL name:
why" line per check (tests/run.sh counts them), skips with a reason, the
paths of the build and the data sets.

Run through tests/cli/test_python.sh, which sets PYTHONPATH=src/python and
FAIRTRAIN_LIB to the library of the build being tested."""
import os
import sys
import traceback

BUILD = os.environ.get("FAIRTRAIN_BUILD", "build")
DATA = os.path.abspath(os.environ.get("FAIRTRAIN_DATA", "datasets"))
FT = os.path.abspath(os.path.join(BUILD, "fairtrain"))
SANITIZE = BUILD.rstrip("/").endswith("san")
ADULT_NAMES = ["age", "workclass", "fnlwgt", "education", "education-num",
               "marital-status", "occupation", "relationship", "race", "sex",
               "capital-gain", "capital-loss", "hours-per-week", "native-country",
               "income"]
failed = 0


def check(name, fn, *args):
    """Run fn(*args): PASS when it returns, FAIL with the reason when it
    raises (the traceback's last lines follow, indented)."""
    global failed
    try:
        fn(*args)
    except Exception as e:  # report, do not stop the other checks
        failed += 1
        print("FAIL %s: %s: %s" % (name, type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
        for line in traceback.format_exc().splitlines()[-12:]:
            print("    " + line)
    else:
        print("PASS %s" % name)
    sys.stdout.flush()


def skip(name, why):
    print("SKIP %s: %s" % (name, why))
    sys.stdout.flush()


def have_adult():
    return os.path.exists(os.path.join(DATA, "adult", "adult.data"))


def adult_frames():
    """adult.data and adult.test as pandas reads them the way the command
    line does (no header, the names of adult.names, '?' missing, blanks
    after commas skipped, '>50K.' in adult.test read as '>50K'): X, y, sex
    of both parts, without fnlwgt."""
    import pandas as pd
    out = []
    for name, skip_rows in (("adult.data", 0), ("adult.test", 1)):
        df = pd.read_csv(os.path.join(DATA, "adult", name), header=None,
                         names=ADULT_NAMES, skiprows=skip_rows, skipinitialspace=True,
                         na_values=["?"], keep_default_na=False)
        y = df.pop("income").str.rstrip(".")
        sex = df.pop("sex")
        df = df.drop(columns=["fnlwgt"])
        out += [df, y, sex]
    return out


def done():
    sys.exit(1 if failed else 0)
