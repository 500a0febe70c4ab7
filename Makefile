# svff — build, test, install. See README.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/sbin
MANDIR = $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPDIR ?= $(PREFIX)/share/bash-completion/completions

CC ?= cc
# libvirt and libnvme are compiled against but not linked: lib/libvirt-dl.c
# and lib/nvme-dl.c load them when a verb first needs them, so that list,
# help and refused input do not pay for their ~60 libraries at every start.
DL_PKGS = libvirt libvirt-qemu libnvme
PKGS = libpci libnl-3.0 libnl-route-3.0 libxml-2.0 json-c
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(DL_PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl -pthread
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror=implicit-function-declaration -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -Ilib
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -MMD -MP

LIB_SRC = $(sort $(wildcard lib/*.c))
CMD_SRC = $(sort $(wildcard cmd/*.c))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))

# Normal build in build/, sanitizer build in build/asan/.
B = build
A = build/asan
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# ASan binds its interceptors when the process starts. libvirt's RPC calls
# the XDR functions of libtirpc, which ASan intercepts; loaded only later
# with libvirt (lib/libvirt-dl.c), their real targets would stay NULL. So
# the sanitizer builds load libtirpc at start.
SAN_LIBS = -Wl,--push-state,--no-as-needed $(shell pkg-config --libs libtirpc 2>/dev/null) -Wl,--pop-state

# A third build for the crash tests, with the test-only kill hook
# (SVFF_TEST_KILL_AT); never installed. No sanitizers: the sweep starts
# svff hundreds of times under TCG, and the other cases run ASan already.
H = build/hooks
HOOKS = -DSVFF_TEST_HOOKS

LIB_OBJ = $(LIB_SRC:%.c=$(B)/%.o)
CMD_OBJ = $(CMD_SRC:%.c=$(B)/%.o) $(B)/svff.o
ALIB_OBJ = $(LIB_SRC:%.c=$(A)/%.o)
ACMD_OBJ = $(CMD_SRC:%.c=$(A)/%.o) $(A)/svff.o
# the sanitizer builds' default options (tests/san_options.c says why)
SAN_OPT_OBJ = $(A)/tests/san_options.o
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(A)/tests/%)
# `make unit T=test_journal`: one test file (and not the completion test)
UNIT_RUN = $(if $(T),$(A)/tests/$(T),$(UNIT_BIN))

.PHONY: all check unit deb e2e demo bench deps install uninstall clean

all: svff

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(A)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

$(H)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(HOOKS) -c -o $@ $<

$(H)/svff: $(CMD_SRC:%.c=$(H)/%.o) $(H)/svff.o $(LIB_SRC:%.c=$(H)/%.o)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

# rm first: ar adds to an archive, and a renamed file's object would stay
$(B)/libsvff.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(A)/libsvff.a: $(ALIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

svff: $(CMD_OBJ) $(B)/libsvff.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# svff built with sanitizers: the unit tests exercise it as a program too.
$(A)/svff: $(ACMD_OBJ) $(A)/libsvff.a $(SAN_OPT_OBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) $(SAN_LIBS)

# what every unit test links: the fake sysfs tree, the fake libvirt
UNIT_FIX = tests/unit/fakesys.c tests/unit/fakevirt.c

$(A)/tests/%: tests/unit/%.c $(UNIT_FIX) $(A)/libsvff.a $(SAN_OPT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -Itests/unit $(CHECK_CFLAGS) -o $@ $< $(UNIT_FIX) \
		$(A)/libsvff.a $(SAN_OPT_OBJ) $(PKG_LIBS) $(SAN_LIBS) $(CHECK_LIBS)

# Unit tests (Check, ASan+UBSan), the same under valgrind, a bounded
# fuzzing run, then end-to-end on the emulated host. deps first, then a
# fresh make: pkg-config must run after the install.
check: deps
	$(MAKE) unit
	$(MAKE) deb
	$(MAKE) valgrind
	$(MAKE) fuzz-check
	$(MAKE) e2e

unit: $(UNIT_RUN) $(A)/svff
	@fail=0; for t in $(UNIT_RUN); do \
		SVFF_BIN=$(CURDIR)/$(A)/svff ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $$t || fail=1; \
	done; \
	[ -n "$(T)" ] || SVFF_BIN=$(CURDIR)/$(A)/svff tests/unit/test_completion.sh || fail=1; \
	exit $$fail

# The Debian package, built from a copy of the tree, lintian-clean at the
# error and warning levels, installed, run (--version) and purged.
deb:
	tests/deb/run

# The end-to-end suite runs the ASan+UBSan build of svff: a leak or a bad
# access fails the case that caused it. Its VMs on the QEMU with the VFIO
# pause (90-vfio-pause) run qemu/build's binary: built here the first
# time (about 2.5 minutes on a quiet 2-core machine), found in the cache
# after; a failed build fails.
VFIO_QEMU = q=$$(qemu/build) && q=$$(printf '%s\n' "$$q" | tail -1) && [ -x "$$q" ] || \
	{ echo "$@: qemu/build failed: no patched QEMU for the VFIO pause" >&2; exit 1; }; \
	echo "$@: SVFF_VFIO_QEMU=$$q"
e2e: $(A)/svff $(H)/svff
	@$(VFIO_QEMU); \
	SVFF_VFIO_QEMU=$$q SVFF_HOOKS_BIN=$(CURDIR)/$(H)/svff tests/e2e/run $(CURDIR)/$(A)/svff

demo: deps
	$(MAKE) svff
	tests/host/demo $(CURDIR)/svff

# svff beside the tools operators use today, on the emulated host; the
# plain build, as installed; its released VMs on qemu/build's QEMU.
bench: deps
	$(MAKE) svff $(H)/svff
	@$(VFIO_QEMU); SVFF_VFIO_QEMU=$$q SVFF_HOOKS_BIN=$(CURDIR)/$(H)/svff \
		tests/bench/run $(CURDIR)/svff

deps:
	@tests/deps.sh

# The unit runs the svff it is installed with.
install: svff
	install -D -m 0755 svff $(DESTDIR)$(BINDIR)/svff
	install -D -m 0644 man/svff.8 $(DESTDIR)$(MANDIR)/man8/svff.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/svff|$(BINDIR)/svff|' systemd/svff-apply.service \
		>$(DESTDIR)$(UNITDIR)/svff-apply.service
	install -D -m 0644 completion/svff $(DESTDIR)$(COMPDIR)/svff

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/svff $(DESTDIR)$(MANDIR)/man8/svff.8 \
		$(DESTDIR)$(UNITDIR)/svff-apply.service $(DESTDIR)$(COMPDIR)/svff

clean:
	rm -rf build svff

include tests/valgrind/valgrind.mk
include tests/fuzz/fuzz.mk
-include $(shell find build -name '*.d' 2>/dev/null)

# The QEMU with the VFIO pause (qemu/README): Debian's qemu with
# qemu/patches, built once into $(SVFF_TEST_CACHE)/qemu-vfio-<hash>/
# (default /var/cache/svff-tests); the last line printed is its path.
.PHONY: qemu
qemu:
	@qemu/build
