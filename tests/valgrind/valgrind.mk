# make valgrind: the Check unit tests, and every svff run they start
# (SVFF_BIN), under valgrind's memcheck. No sanitizers: the test programs
# are built with the normal flags into build/vg/tests/ against the normal
# build/libsvff.a, and the svff they run is the normal ./svff. Fails on any
# memcheck error and on any definitely or indirectly lost block, in a test
# program or in svff. See tests/valgrind/run.
#
# Each svff run costs ~1.4 s of CPU under memcheck (60 shared libraries to
# load), so test_badinput (62 runs), test_cli (51) and test_json (36) are
# nearly all of the time: ~2.5 CPU-minutes, ~2.5 minutes on 2 cores (measured
# 2026-11-23, the other core busy). A quicker, partial run:
#   make valgrind VG_NATIVE_SVFF=test_badinput
VG = build/vg
VG_UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(VG)/tests/%)
# The longest first, so that the two at a time end together (test_orch
# alone is a third of the CPU time).
VG_FIRST = $(addprefix $(VG)/tests/,test_orch test_badinput test_cli test_json)
VG_ORDER = $(foreach t,$(VG_FIRST),$(filter $(t),$(VG_UNIT_BIN))) \
	$(filter-out $(VG_FIRST),$(VG_UNIT_BIN))

.PHONY: valgrind

$(VG)/tests/%: tests/unit/%.c $(UNIT_FIX) $(B)/libsvff.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(CHECK_CFLAGS) -o $@ $< $(UNIT_FIX) \
		$(B)/libsvff.a $(PKG_LIBS) $(CHECK_LIBS)

valgrind: $(VG_UNIT_BIN) svff
	tests/valgrind/run $(VG) $(CURDIR)/svff $(VG_ORDER)
