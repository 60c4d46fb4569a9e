# fairtrain - one Makefile, objects in build/, header dependencies by -MMD -MP.
#
#   make                 build/fairtrain, build/libfairtrain.so (with its soname
#                        links) and build/libfairtrain.a
#   make test            unit and CLI tests (fetches the data sets into datasets/
#                        first); last line "N passed, N failed"
#   make SANITIZE=1 test the same under ASan + UBSan (objects in build/san/)
#   make MPI=1           the distributed build: mpicc, Open MPI (objects and
#                        binaries in build/mpi/); `make test` builds and tests it
#                        too when mpicc and mpirun are installed
#   make demo            synthetic data -> compare -> summary (README quick start)
#   make bench           fairtrain against its peers (liblinear, numpy ports)
#   make deps            install missing Debian packages (scripts/install-deps.sh)
#   make fuzz            libFuzzer harnesses (clang, ASan + UBSan) in build/fuzz/,
#                        each run FUZZ_SECONDS (60) seconds (scripts/fuzz.sh)
#   make install PREFIX=/usr/local DESTDIR=   binary, libraries, header, fairtrain.pc,
#                        the Python package (PYDIR: where Debian's python3 looks)
#
# CFLAGS and LDFLAGS given on the command line replace only the optimisation
# and debugging flags (default -O2 -g): the flags the build needs (language
# level, warnings, include paths, OpenMP, -fPIC, hidden visibility) are in
# FT_CFLAGS and always used.

CC      ?= cc
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
# Debian's python3 reads /usr/lib/python3/dist-packages and
# /usr/local/lib/python3.X/dist-packages
PYTHON  ?= /usr/bin/python3
PYVER   := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYDIR   ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(or $(PYVER),3)/dist-packages)
PY_SRC  := $(sort $(wildcard src/python/fairtrain/*.py))
PKGS    := hdf5 openblas lapacke nettle
SANITIZE ?= 0
MPI     ?= 0
MPICC   ?= mpicc

VERSION   := 0.2.0
SOVERSION := 0

ifeq ($(SANITIZE),1)
BUILD   := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1 -g
else
BUILD   := build
SANFLAGS :=
OPT     := -O2 -g
endif

# The distributed build: the same sources through Open MPI's compiler
# wrapper, -DFT_MPI selecting the MPI half of src/core/dist.c, in its own
# object directory.
ifeq ($(MPI),1)
CC      := $(MPICC)
BUILD   := $(BUILD)/mpi
MPIFLAGS := -DFT_MPI
else
MPIFLAGS :=
endif
# `make test` runs the MPI tests when Open MPI is there (not under SANITIZE:
# Open MPI's own allocations would drown the sanitizer's report; not from
# the MPI build itself).
HAVE_MPI := $(if $(filter 00,$(SANITIZE)$(MPI)),$(shell command -v $(MPICC) >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1 && echo 1))

# pkg-config only when the packages are there, so that `make deps` works first.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= $(OPT)
# Library objects are position-independent (one set of objects for the
# shared and the static library) and hidden: only what include/fairtrain.h
# marks FT_API is exported from libfairtrain.so.  -fno-trapping-math
# (clang's default): nothing here reads the floating-point exception flags,
# and without it gcc will not turn a select on a floating-point comparison
# into a vector blend, so loops such as the logistic loss's exp and log1p
# (src/core/vmath.h) run one row at a time.  It changes no value: -std=c11
# keeps contraction off, and reassociation needs flags that are not here.
FT_CFLAGS := $(MPIFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Iinclude -Isrc $(PKG_CFLAGS) $(SANFLAGS) -fopenmp -MMD -MP \
             -fPIC -fvisibility=hidden -fno-trapping-math
FT_LDFLAGS := $(SANFLAGS) -fopenmp
LDLIBS  := $(PKG_LIBS) -lcsv -lm

LIB_SRC := $(sort $(filter-out src/cli/% src/python/%,$(wildcard src/*/*.c)))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

# Fuzz targets: tests/fuzz/fuzz_NAME.c, one line each.  `make fuzz` links
# them with libFuzzer; `make test` replays their corpus and regressions
# through the normal build as $(BUILD)/tests/test_fuzz_NAME (replay.c).
FUZZ_TARGETS += csv
FUZZ_TARGETS += letor
FUZZ_TARGETS += model
FUZZ_TARGETS += method
FUZZ_TARGETS += rank_method
FUZZ_TARGETS += filter
FUZZ_TARGETS += results
FUZZ_TARGETS += rerank
FUZZ_TARGETS += sweep
FUZZ_TARGETS += config
FUZZ_TARGETS += transform
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_DIR := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# clang cannot always honour "omp simd" at -O1; it says so per loop
FUZZ_WARN := -Wno-pass-failed
FUZZ_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_BIN := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
REPLAY_BIN := $(FUZZ_TARGETS:%=$(BUILD)/tests/test_fuzz_%)

LIB := $(BUILD)/libfairtrain.a
SONAME := libfairtrain.so.$(SOVERSION)
SHLIB := $(BUILD)/libfairtrain.so.$(VERSION)
BIN := $(BUILD)/fairtrain

.PHONY: all test demo bench deps install uninstall clean check-deps tests-bin bench-bin datasets fuzz fuzz-bin
all: $(BIN) $(LIB) $(SHLIB)

$(BUILD)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(FT_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# -z defs: every symbol the library uses must come from a library it names.
$(SHLIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,-z,defs $(FT_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
	ln -sf libfairtrain.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libfairtrain.so

# The command is a front end of the shared library: it sees only the public
# API (a call to anything else fails to link).  $ORIGIN finds the library
# beside it in build/ and in PREFIX/lib once installed.
$(BIN): $(CLI_OBJ) $(SHLIB)
	$(CC) $(FT_LDFLAGS) $(LDFLAGS) -Wl,-rpath,'$$ORIGIN:$$ORIGIN/../lib' -o $@ $(CLI_OBJ) \
		-L$(BUILD) -l:$(SONAME) -lm

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(FT_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Itests/unit $(FT_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/test_fuzz_%: tests/fuzz/replay.c tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(FT_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Itests/fuzz -DFUZZ_NAME='"$*"' -DFUZZ_HARNESS='"fuzz_$*.c"' \
		$(FT_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(FUZZ_DIR)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FT_CFLAGS) $(FUZZ_SAN) $(FUZZ_WARN) -fsanitize=fuzzer-no-link -O1 -g -c $< -o $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FT_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -O1 -g -Itests/fuzz -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(FT_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(FT_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Install what is missing first, then build (a sub-make re-reads pkg-config):
# the demo needs the build and gnuplot, the tests more (scripts/install-deps.sh).
deps_for = @scripts/install-deps.sh --check $(1) >/dev/null 2>&1 || scripts/install-deps.sh $(1)

check-deps:
	$(call deps_for,build demo)

deps:
	scripts/install-deps.sh build demo test bench

# The real data sets go to datasets/ (scripts/fetch-datasets.sh: from a
# mirror beside the clone, else downloaded), unless $FAIRTRAIN_DATA points
# elsewhere; without them the real-data tests are skipped and say so.
datasets:
	@[ -n "$${FAIRTRAIN_DATA:-}" ] || scripts/fetch-datasets.sh --quiet || \
		echo "datasets: not fetched; the real-data tests will be skipped"

# With mpicc and mpirun installed (scripts/install-deps.sh mpi) the
# distributed build is made and tested too.
test:
	$(call deps_for,build test)
	@$(MAKE) --no-print-directory all tests-bin datasets
	@$(if $(HAVE_MPI),$(MAKE) --no-print-directory MPI=1 all,:)
	@FAIRTRAIN_BUILD=$(BUILD) $(if $(HAVE_MPI),FAIRTRAIN_MPI_BUILD=$(BUILD)/mpi) tests/run.sh

tests-bin: $(TEST_BIN) $(REPLAY_BIN)

# clang and its fuzzer runtime are installed only for this target.
fuzz:
	$(call deps_for,build fuzz)
	@$(MAKE) --no-print-directory fuzz-bin
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-bin: $(FUZZ_BIN)
.SECONDARY: $(FUZZ_OBJ)

bench-bin: $(BENCH_BIN)

demo: check-deps
	@$(MAKE) --no-print-directory all
	@FAIRTRAIN_BUILD=$(BUILD) scripts/demo.sh

bench:
	$(call deps_for,build test bench)
	@$(MAKE) --no-print-directory all bench-bin datasets
	@$(if $(HAVE_MPI),$(MAKE) --no-print-directory MPI=1 all,:)
	@FAIRTRAIN_BUILD=$(BUILD) scripts/bench.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/fairtrain
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libfairtrain.so.$(VERSION)
	ln -sf libfairtrain.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libfairtrain.so
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libfairtrain.a
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
	    -e 's|@VERSION@|$(VERSION)|' scripts/fairtrain.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/fairtrain.pc
	install -m 644 include/fairtrain.h $(DESTDIR)$(PREFIX)/include/fairtrain.h
	install -d $(DESTDIR)$(PYDIR)/fairtrain
	install -m 644 $(PY_SRC) $(DESTDIR)$(PYDIR)/fairtrain/
	printf '"""Written by make install: where the library is."""\nLIBDIR = %s\n' \
	    "'$(LIBDIR)'" >$(DESTDIR)$(PYDIR)/fairtrain/_config.py

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/fairtrain $(DESTDIR)$(LIBDIR)/libfairtrain.a \
	      $(DESTDIR)$(LIBDIR)/libfairtrain.so $(DESTDIR)$(LIBDIR)/$(SONAME) \
	      $(DESTDIR)$(LIBDIR)/libfairtrain.so.$(VERSION) \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/fairtrain.pc $(DESTDIR)$(PREFIX)/include/fairtrain.h
	rm -rf $(DESTDIR)$(PYDIR)/fairtrain

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
