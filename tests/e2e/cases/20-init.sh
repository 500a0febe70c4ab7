#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# init and deinit on the real kernel: VFs created and bound, idempotence,
# refusals that change nothing, autoprobe restored.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"
read -r -a pfs <<<"$SVFF_PFS"
PF2=${pfs[1]}

sv -d "$PF" init 4
expect_rc 0
expect_eq "$(numvfs "$PF")" 4 "numvfs after init 4"
for i in 0 1 2 3; do expect_eq "$(vf_driver "$(vf_addr "$PF" $i)")" vfio-pci "driver of vf$i"; done
expect_eq "$(cat "/sys/bus/pci/devices/$PF/sriov_drivers_autoprobe")" 0 "autoprobe after init"
sv list -j           # the managed PF is the default now
expect_eq "$(json '[p["pf"] for p in d["pfs"]]')" "['$PF']" "listed PFs"
expect_eq "$(json 'd["pfs"][0]["managed"]')" True "managed"
expect_eq "$(json 'd["pfs"][0]["configured_vfs"]')" 4 "configured VFs"

before=$(snapshot)
sv init 4
expect_rc 0
expect_contains "$out" "nothing to do" "init again"
expect_eq "$(snapshot)" "$before" "host and state after a repeated init"

sv init 6
expect_rc 1
expect_contains "$err" "use 'svff reconf 6'" "init with another count"
expect_eq "$(snapshot)" "$before" "host and state after a refused init"

for bad in 9 -1 x 99999999999; do
	sv -d "$PF2" init "$bad"
	[ "$rc" = 2 ] || fail "init $bad on $PF2: exit $rc, expected 2"
done
sv -d "$SVFF_PLAIN" init 2
expect_rc 1
expect_eq "$(snapshot)" "$before" "host and state after bad inits"

sv -n -d "$PF2" init 2
expect_rc 0
expect_contains "$out" "would: write '2' to /sys/bus/pci/devices/$PF2/sriov_numvfs" "dry run"
expect_contains "$out" "would: write '${PF2%.0}.1' to /sys/bus/pci/drivers_probe" "dry run bind of vf0"
expect_eq "$(snapshot)" "$before" "host and state after a dry run"

# A second managed PF: now -d is needed again.
sv -d "$PF2" init
expect_rc 0
expect_eq "$(numvfs "$PF2")" 8 "init without a count takes TotalVFs"
sv deinit
expect_rc 2
expect_contains "$err" "svff manages several PFs" "deinit without -d"

sv -d "$PF" deinit
expect_rc 0
expect_eq "$(numvfs "$PF")" 0 "numvfs after deinit"
expect_eq "$(cat "/sys/bus/pci/devices/$PF/sriov_drivers_autoprobe")" 1 "autoprobe restored"
sv -d "$PF" deinit
expect_rc 0
expect_contains "$out" "nothing to do" "deinit again"
sv -d "$PF2" deinit
expect_rc 0
python3 -c "import json; s=json.load(open('$SVFF_STATE_DIR/state')); assert s['pfs'] == [] and s['op'] is None, s" ||
	fail "state not empty after deinit: $(cat "$SVFF_STATE_DIR/state")"
