# discfs - top-level Makefile (non-recursive).
#
#   make            library (static + shared) and programs
#   make check      every test: unit, unit under ASan+UBSan, shell, VM lane
#   make demo       the main job on an emulated drive
#   make bench      benchmarks (ratios, never pass/fail on time)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       install the Debian packages (idempotent)
#
# Sources are found by wildcard: a new .c file in a library directory joins
# libdiscfs, a new tests/unit/test_*.c becomes a test program.

CC      ?= cc
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
BUILD   ?= build
SAN     ?=
VERSION := 0.1.0
SOVER   := 0

PKG_CFLAGS := $(shell pkg-config --cflags fuse3 liburing 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs liburing 2>/dev/null) -lsgutils2 -lpthread
FUSE_LIBS  := $(shell pkg-config --libs fuse3 2>/dev/null)
CMOCKA_LIBS:= $(shell pkg-config --libs cmocka 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wvla
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
	      -I. -Iinclude $(PKG_CFLAGS) -fPIC -MMD -MP
ifeq ($(FUZZ),1)
ALL_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
endif
ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all
LDSAN   := -fsanitize=address,undefined
endif

LIB_DIRS := util mmc mmc/emu uring udf lib
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)

DISCCTL_SRCS := $(wildcard tools/discctl/*.c)
DISCEMU_SRCS := $(wildcard tools/discemu/*.c)
DISCFS_SRCS  := $(wildcard fused/*.c)
TOOLS_COMMON := $(wildcard tools/common/*.c)

PROGS := $(BUILD)/discctl
ifneq ($(DISCEMU_SRCS),)
PROGS += $(BUILD)/discemu
endif
ifneq ($(DISCFS_SRCS),)
PROGS += $(BUILD)/discfs
endif

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(wildcard tests/unit/support/*.c)

.PHONY: all lib progs unit check check-unit check-san check-sh check-vm \
	demo bench install uninstall deps deps-check clean fuzz fuzz-build check-fuzz faults

all: lib progs

lib: $(BUILD)/libdiscfs.a $(BUILD)/libdiscfs.so
progs: $(PROGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libdiscfs.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libdiscfs.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libdiscfs.so.$(SOVER) $(LDSAN) -o $@ $^ $(PKG_LIBS)

$(BUILD)/discctl: $(DISCCTL_SRCS:%.c=$(BUILD)/obj/%.o) $(TOOLS_COMMON:%.c=$(BUILD)/obj/%.o) $(BUILD)/libdiscfs.a
	$(CC) $(LDSAN) -o $@ $(filter %.o,$^) $(BUILD)/libdiscfs.a $(PKG_LIBS)

$(BUILD)/discemu: $(DISCEMU_SRCS:%.c=$(BUILD)/obj/%.o) $(TOOLS_COMMON:%.c=$(BUILD)/obj/%.o) $(BUILD)/libdiscfs.a
	$(CC) $(LDSAN) -o $@ $(filter %.o,$^) $(BUILD)/libdiscfs.a $(PKG_LIBS)

$(BUILD)/discfs: $(DISCFS_SRCS:%.c=$(BUILD)/obj/%.o) $(TOOLS_COMMON:%.c=$(BUILD)/obj/%.o) $(BUILD)/libdiscfs.a
	$(CC) $(LDSAN) -o $@ $(filter %.o,$^) $(BUILD)/libdiscfs.a $(FUSE_LIBS) $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o) $(BUILD)/libdiscfs.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDSAN) -Itests/unit -o $@ $< $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o) \
		$(BUILD)/libdiscfs.a $(CMOCKA_LIBS) $(PKG_LIBS)

unit: $(UNIT_BINS)

# Fuzz harnesses: tests/fuzz/fuzz_NAME.c (LLVMFuzzerTestOneInput), seeds in
# tests/fuzz/corpus/NAME/.  Built with clang into build/fuzz.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60
CHECK_FUZZ_SECONDS ?= 15
# The staging store lives in fused/ (not in libdiscfs): its objects, built
# with the fuzz flags, go into an archive of their own.
FUZZ_FUSED_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard fused/staging*.c fused/crc32c.c))

$(BUILD)/libfused-fuzz.a: $(FUZZ_FUSED_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(BUILD)/libdiscfs.a \
		$(BUILD)/libfused-fuzz.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(BUILD)/libfused-fuzz.a $(BUILD)/libdiscfs.a $(FUSE_LIBS) $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz:
	$(MAKE) CC=clang FUZZ=1 BUILD=build/fuzz fuzz-build
	sh tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

# Every harness briefly, with ASan and UBSan (part of make check).
check-fuzz:
	$(MAKE) CC=clang FUZZ=1 BUILD=build/fuzz fuzz-build
	sh tests/fuzz/run.sh build/fuzz $(CHECK_FUZZ_SECONDS)

# ---------------------------------------------------------------- tests
deps-check:
	@sh scripts/deps.sh --check >/dev/null 2>&1 || sh scripts/deps.sh

deps:
	sh scripts/deps.sh

JOBS ?= $(shell nproc 2>/dev/null || echo 2)

check: deps-check
	$(MAKE) -j$(JOBS) all unit
	$(MAKE) -j$(JOBS) SAN=1 BUILD=build/san unit
	sh tests/run.sh --build $(BUILD) --san-build build/san
	sh tests/faults/matrix.sh $(BUILD)
	$(MAKE) check-fuzz

check-unit: all unit
	sh tests/run.sh --build $(BUILD) --only unit

check-san:
	$(MAKE) SAN=1 BUILD=build/san unit
	sh tests/run.sh --build build/san --only unit

check-sh: all
	sh tests/run.sh --build $(BUILD) --only sh

check-vm: all
	sh tests/run.sh --build $(BUILD) --only vm

demo: deps-check all
	sh scripts/demo.sh $(BUILD)

bench: deps-check all
	sh scripts/bench.sh $(BUILD)

# The fault matrix (tests/faults/matrix.sh): media x operation x fault on
# the emulated drive; the table goes to $(BUILD)/faults/matrix.txt.
faults: deps-check all
	sh tests/faults/matrix.sh $(BUILD)

# The same matrix with ASan+LSan+UBSan programs (a build of their own):
# memory leaked or misused on an error path fails the cell that hit it.
.PHONY: faults faults-leak
faults-leak: deps-check
	$(MAKE) -j$(JOBS) SAN=1 BUILD=build/faults-san all
	FX_TIMEOUT=120 sh tests/faults/matrix.sh build/faults-san

# ---------------------------------------------------------------- install
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(BUILD)/libdiscfs.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/libdiscfs.so $(DESTDIR)$(LIBDIR)/libdiscfs.so.$(VERSION)
	ln -sf libdiscfs.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libdiscfs.so.$(SOVER)
	ln -sf libdiscfs.so.$(SOVER) $(DESTDIR)$(LIBDIR)/libdiscfs.so
	install -m 644 include/discfs.h $(DESTDIR)$(INCDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    discfs.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/discfs.pc
	for m in man/*.1; do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in man/*.3; do [ -e "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man3/ || true; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGS)))
	rm -f $(DESTDIR)$(LIBDIR)/libdiscfs.* $(DESTDIR)$(LIBDIR)/pkgconfig/discfs.pc
	rm -f $(DESTDIR)$(INCDIR)/discfs.h
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard man/*.1)))

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
