# fairtrain - one Makefile, objects in build/, header dependencies by -MMD -MP.
#
#   make                 build/fairtrain and build/libfairtrain.a
#   make test            unit and CLI tests; last line "N passed, N failed"
#   make SANITIZE=1 test the same under ASan + UBSan (objects in build/san/)
#   make demo            synthetic data -> train -> summary (README quick start)
#   make bench           fairtrain vs liblinear-train on Adult
#   make deps            install missing Debian packages (scripts/install-deps.sh)
#   make install PREFIX=/usr/local DESTDIR=

CC      ?= cc
PREFIX  ?= /usr/local
PKGS    := hdf5 openblas lapacke nettle
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
BUILD   := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1 -g
else
BUILD   := build
SANFLAGS :=
OPT     := -O2 -g
endif

# pkg-config only when the packages are there, so that `make deps` works first.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= $(OPT)
CFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Iinclude -Isrc $(PKG_CFLAGS) $(SANFLAGS) -fopenmp -MMD -MP
LDFLAGS += $(SANFLAGS) -fopenmp
LDLIBS  := $(PKG_LIBS) -lcsv -lm

LIB_SRC := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

LIB := $(BUILD)/libfairtrain.a
BIN := $(BUILD)/fairtrain

.PHONY: all test demo bench deps install uninstall clean check-deps tests-bin bench-bin
all: $(BIN) $(LIB)

$(BUILD)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Install what is missing first, then build (a sub-make re-reads pkg-config).
check-deps:
	@scripts/install-deps.sh --check >/dev/null 2>&1 || scripts/install-deps.sh

deps:
	scripts/install-deps.sh

test: check-deps
	@$(MAKE) --no-print-directory all tests-bin
	@FAIRTRAIN_BUILD=$(BUILD) tests/run.sh

tests-bin: $(TEST_BIN)

bench-bin: $(BENCH_BIN)

demo: check-deps
	@$(MAKE) --no-print-directory all
	@FAIRTRAIN_BUILD=$(BUILD) scripts/demo.sh

bench: check-deps
	@$(MAKE) --no-print-directory all bench-bin
	@FAIRTRAIN_BUILD=$(BUILD) scripts/bench.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/fairtrain
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libfairtrain.a
	install -m 644 include/fairtrain.h $(DESTDIR)$(PREFIX)/include/fairtrain.h

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/fairtrain $(DESTDIR)$(PREFIX)/lib/libfairtrain.a \
	      $(DESTDIR)$(PREFIX)/include/fairtrain.h

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
