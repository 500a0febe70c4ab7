# libFuzzer targets for the parsers of untrusted input; see tests/fuzz/README.
# Included by the top Makefile; uses its CPPFLAGS, WARN, PKG_* and LIB_SRC.
#
#   make fuzz-check   build, then a bounded run of each target from a copy
#                     of its seed corpus (FUZZ_CHECK_TIME s each, ~30 s)
#   make fuzz         long runs (FUZZ_TIME s each, default 600)
#   make fuzz-build   the binaries only, in build/fuzz/
#
# FUZZ_TARGETS picks targets; FUZZ_ARGS adds libFuzzer flags. Crash
# reproducers go to build/fuzz/artifacts/<target>/.

FUZZ_CC ?= clang
FZ = build/fuzz
FUZZ_ALL = state args domxml
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_CHECK_TIME ?= 10
FUZZ_TIME ?= 600
FUZZ_ARGS ?=

FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = -std=gnu11 $(WARN) -g -O1 $(FUZZ_SAN) $(CPPFLAGS) $(PKG_CFLAGS) -MMD -MP
FUZZ_BIN = $(FUZZ_TARGETS:%=$(FZ)/fuzz_%)

.PHONY: fuzz fuzz-check fuzz-build

# lib/ instrumented for coverage; the targets themselves linked with libFuzzer's main.
$(FZ)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/libsvff.a: $(LIB_SRC:%.c=$(FZ)/%.o)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_ALL:%=$(FZ)/fuzz_%.o): $(FZ)/fuzz_%.o: tests/fuzz/fuzz_%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_ALL:%=$(FZ)/fuzz_%): $(FZ)/fuzz_%: $(FZ)/fuzz_%.o $(FZ)/libsvff.a
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(PKG_LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz-check: $(FUZZ_BIN)
	tests/fuzz/run $(FZ) $(FUZZ_CHECK_TIME) $(FUZZ_TARGETS) -- $(FUZZ_ARGS)

fuzz: $(FUZZ_BIN)
	tests/fuzz/run $(FZ) $(FUZZ_TIME) $(FUZZ_TARGETS) -- $(FUZZ_ARGS)
