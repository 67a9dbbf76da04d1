# vmstorm - top-level build. See README.md; `make help` lists the targets.
#
#   make                  build lib/libvmstorm.a, the programs, tests, fuzz replayers
#   make check            build and run the test suite (last line: "N passed, N failed")
#   make SANITIZE=address,undefined check     the same under ASan+UBSan
#   make fuzz             libFuzzer builds of tests/fuzz/fuzz-*.c (clang)
#   make demo             a 50-VM boot storm on the simulator -> demo/report.pdf
#   make valgrind         the tests with everything under valgrind memcheck (slow)
#   make install PREFIX=/usr DESTDIR=/tmp/pkg    programs, man pages, bash completion
#   make install-files    the same without building first

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR    ?=
PKG_CONFIG ?= pkg-config
CC         ?= cc
FUZZ_CC    ?= clang
AR         ?= ar
INSTALL    ?= install
PYTHON     ?= python3

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARNINGS := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings \
            -Wvla -Wformat=2 -fno-common -Wshadow -Wpointer-arith
ifdef CI
WARNINGS += -Werror
endif

OPT      ?= -O2 -g
CFLAGS   ?=
CPPFLAGS += -D_GNU_SOURCE -DVMSTORM_VERSION='"$(VERSION)"' -Ilib
ALL_CFLAGS = -std=gnu11 $(OPT) $(WARNINGS) $(CFLAGS) -MMD -MP
LDFLAGS  ?=

ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=$(SANITIZE)
endif

# External libraries, each found with pkg-config (libcsv has no .pc file).
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1))
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1))
CJSON_CFLAGS := $(call pc_cflags,libcjson)
CJSON_LIBS   := $(call pc_libs,libcjson)
CMOCKA_LIBS  := $(call pc_libs,cmocka)
YAML_CFLAGS  := $(call pc_cflags,yaml-0.1)
YAML_LIBS    := $(call pc_libs,yaml-0.1)
CURL_LIBS    := $(call pc_libs,libcurl)
ZLIB_LIBS    := $(call pc_libs,zlib)
# what every program and test links for lib/libvmstorm.a (zlib: gzip'd runs)
CORE_LIBS     = $(CJSON_LIBS) $(YAML_LIBS) $(ZLIB_LIBS)

B := build
.DEFAULT_GOAL := all
# programs of the default build go to bin/, those of another build dir to $(B)/bin
OUT_BIN := $(if $(filter build,$(B)),bin,$(B)/bin)

# --- rebuild everything when the compiler flags change (git's GIT-CFLAGS) ---
FLAGS_SIG := $(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(LDFLAGS)
$(B)/FLAGS: FORCE
	@mkdir -p $(B)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(FLAGS_SIG)' ]; then echo '$(FLAGS_SIG)' > $@; fi

# --- the core ---------------------------------------------------------------
LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
LIB     := lib/libvmstorm.a

# --- programs ------------------------------------------------------------------
# Each program folder X/ builds $(B)/X/libX.a from its modules (all .c but
# main.c) and bin/vmstorm-NAME from main.c once main.c exists. Unit tests
# named tests/unit/test_X_*.c link libX.a and X's libraries too.
PROG_DIRS := collector analyzer report sim
collector_NAME := vmstorm-collect
analyzer_NAME  := vmstorm-analyze
report_NAME    := vmstorm-report
sim_NAME       := vmstorm-sim
collector_PKGS := libcurl libcjson yaml-0.1
analyzer_PKGS  := libcjson
report_PKGS    := libcjson cairo fontconfig
report_EXTRA_LIBS := -lcsv
sim_PKGS       := libmicrohttpd gnutls libcjson yaml-0.1
analyzer_EXTRA_LIBS := -lcsv
collector_EXTRA_LIBS := -pthread
# the fio result simulated guests serve, embedded so the binary needs no data files
sim_EXTRA_OBJ := $(B)/gen/fio_sample.o

$(B)/gen/fio_sample.c: samples/fio/randrw-4k.json
	@mkdir -p $(dir $@)
	@{ echo '/* generated from $< */'; echo 'const char fio_sample_json[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0};'; } > $@

define program_rules
$(1)_SRC := $$(filter-out $(1)/main.c,$$(wildcard $(1)/*.c))
$(1)_A   := $$(B)/$(1)/lib$(1).a
$(1)_CFLAGS := $$(call pc_cflags,$$($(1)_PKGS))
$(1)_LIBS   := $$(call pc_libs,$$($(1)_PKGS)) $$($(1)_EXTRA_LIBS)
$$(B)/$(1)/%.o: $(1)/%.c $$(B)/FLAGS
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS) $$(ALL_CFLAGS) $$($(1)_CFLAGS) -I$(1) -c -o $$@ $$<
$$($(1)_A): $$($(1)_SRC:%.c=$$(B)/%.o) $$($(1)_EXTRA_OBJ)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
ifneq ($$(wildcard $(1)/main.c),)
PROGRAMS += $$(OUT_BIN)/$$($(1)_NAME)
$$(OUT_BIN)/$$($(1)_NAME): $$(B)/$(1)/main.o $$($(1)_A) $$(LIB)
	@mkdir -p $$(OUT_BIN)
	$$(CC) $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$($(1)_LIBS) $$(CORE_LIBS) -lm
endif
endef

PROGRAMS :=
$(foreach d,$(PROG_DIRS),$(eval $(call program_rules,$(d))))

# --- tests --------------------------------------------------------------------
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=bin/fuzz/%)

.SECONDARY:
.PHONY: all check install install-files uninstall clean demo bench valgrind fuzz lint help FORCE

all: $(LIB) $(PROGRAMS) $(UNIT_BIN) $(FUZZ_REPLAY)

help:
	@sed -n 's/^#   //p' Makefile

$(B)/%.o: %.c $(B)/FLAGS
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(CJSON_CFLAGS) $(YAML_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/tests/%: $(B)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(CORE_LIBS) $(CMOCKA_LIBS) -lm

# tests of a program's modules: tests/unit/test_sim_store.c links libsim.a
define program_test_rules
$$(B)/tests/test_$(1)_%: $$(B)/tests/unit/test_$(1)_%.o $$($(1)_A) $$(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$< $$($(1)_A) $$(LIB) $$($(1)_LIBS) $$(CORE_LIBS) $$(CURL_LIBS) $$(CMOCKA_LIBS) -lm
$$(B)/tests/unit/test_$(1)_%.o: tests/unit/test_$(1)_%.c $$(B)/FLAGS
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS) $$(ALL_CFLAGS) $$($(1)_CFLAGS) $$(CJSON_CFLAGS) -I$(1) -c -o $$@ $$<
endef
$(foreach d,$(PROG_DIRS),$(eval $(call program_test_rules,$(d))))

# Fuzz targets also build with the normal compiler, linked to a replay main()
# that runs them over files, so they never rot and their corpus is a test.
$(B)/fuzz/%: $(B)/tests/fuzz/%.o $(B)/tests/fuzz/replay.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/tests/fuzz/replay.o $(LIB) $(CORE_LIBS) -lm

$(B)/tests/fuzz/replay.o: tests/fuzz/replay.c $(B)/FLAGS
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# fuzz targets of a program's modules: tests/fuzz/fuzz-analyzer-fio.c links
# libanalyzer.a (replayer) or compiles analyzer/*.c (libFuzzer build)
define program_fuzz_rules
$$(B)/fuzz/fuzz-$(1)-%: $$(B)/tests/fuzz/fuzz-$(1)-%.o $$(B)/tests/fuzz/replay.o $$($(1)_A) $$(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$< $$(B)/tests/fuzz/replay.o $$($(1)_A) $$(LIB) $$($(1)_LIBS) $$(CORE_LIBS) -lm
$$(B)/tests/fuzz/fuzz-$(1)-%.o: tests/fuzz/fuzz-$(1)-%.c $$(B)/FLAGS
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS) $$(ALL_CFLAGS) $$($(1)_CFLAGS) $$(CJSON_CFLAGS) -I$(1) -c -o $$@ $$<
bin/fuzz/fuzz-$(1)-%: tests/fuzz/fuzz-$(1)-%.c $$($(1)_SRC) $$(LIB_SRC) $$(wildcard lib/*.h $(1)/*.h)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(CPPFLAGS) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    $$($(1)_CFLAGS) $$(CJSON_CFLAGS) -I$(1) -o $$@ $$< $$($(1)_SRC) $$(LIB_SRC) \
	    $$($(1)_LIBS) $$(CORE_LIBS) -lm
endef
$(foreach d,$(PROG_DIRS),$(eval $(call program_fuzz_rules,$(d))))

fuzz: $(FUZZ_BIN)

bin/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    $(CJSON_CFLAGS) -o $@ $< $(LIB_SRC) $(CORE_LIBS) -lm

check: all
	@PYTHON=$(PYTHON) B=$(B) BIN=$(OUT_BIN) bash tests/run.sh

demo: all
	@bash scripts/demo.sh

bench:
	@bash bench/run.sh

valgrind: all
	@B=$(B) bash scripts/valgrind-check.sh

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	    --inline-suppr --std=c11 -Ilib -D__GNUC__ $(LIB_SRC) \
	    $(wildcard collector/*.c analyzer/*.c report/*.c sim/*.c tests/*/*.c)
	clang-format --dry-run -Werror $(LIB_SRC) $(wildcard lib/*.h tests/unit/*.[ch] tests/fuzz/*.c \
	    collector/*.[ch] analyzer/*.[ch] report/*.[ch] sim/*.[ch])

# install: build, then install-files; install-files installs what is built
# (the tests use it to install without building). bash-completion loads a
# file named after the command: one script, under each program's name.
COMPLETION_NAMES := $(notdir $(PROGRAMS))
install: all
	@$(MAKE) --no-print-directory install-files

install-files:
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	$(if $(PROGRAMS),$(INSTALL) -m 755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/)
	$(if $(wildcard man/*.1),$(INSTALL) -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1/)
	$(foreach p,$(COMPLETION_NAMES),$(INSTALL) -m 644 completion/vmstorm.bash $(DESTDIR)$(BASHCOMPDIR)/$(p) &&) true

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGRAMS))) \
	    $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1)) \
	    $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(COMPLETION_NAMES))

clean:
	rm -rf $(B) bin $(LIB)

FORCE:

-include $(shell find $(B) -name '*.d' 2>/dev/null)
