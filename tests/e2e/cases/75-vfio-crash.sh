#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# Crash at every step of the release (svff(8), PAUSE MECHANISMS): pause,
# unpause and reconf of a VM with no OS on the patched QEMU
# ($SVFF_VFIO_QEMU) are killed (SIGKILL, the hooks build) right after each
# step the release adds (suspend, release, re-acquire, tell guest, resume, and the
# records around them), in turn; reconf only where its record differs
# (release and re-acquire, and two of its own steps): 70-crash kills the
# other steps. After each kill another verb refuses and points at
# recover; recover leaves the claim as the VM's QEMU has it (x-query-vfio):
# released, with the VM paused and the claim paused by release, or held,
# with the VM running and the claim attached; never a VM suspended
# without a claim that says so. A second recover changes nothing.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

[ -n "${SVFF_HOOKS_BIN:-}" ] && [ -x "$SVFF_HOOKS_BIN" ] ||
	fail "SVFF_HOOKS_BIN (the build with -DSVFF_TEST_HOOKS, made by 'make e2e') is missing"
Q=${SVFF_VFIO_QEMU:-}
[ -n "$Q" ] && [ -x "$Q" ] || fail "SVFF_VFIO_QEMU '$Q' is not the patched QEMU (make e2e passes it)"
SVFF=$SVFF_HOOKS_BIN

# "released" from x-query-vfio of the VM's one vfio-pci device
qemu_released() {
	virsh qemu-monitor-command r1 '{"execute":"x-query-vfio"}' 2>&1 |
		sed -n 's/.*"released": *\([a-z]*\).*/\1/p'
}

# The claim, libvirt and QEMU agree: vf0 attached and r1 running with its
# device held, or vf0 paused by release and r1 paused with it released.
# Sets CST to vf0's state.
consistent() { # WHAT
	local st mech susp dom rel
	sv -d "$PF" list -j
	no_problem "$1: list"
	# one python for the three (a process start is dear under TCG)
	read -r st mech susp <<<"$(json '" ".join(str(v[k]) for v in d["pfs"][0]["vfs"] if v["vf"] == 0 for k in ("state", "pause_mechanism", "vm_suspended"))')"
	dom=$(virsh domstate r1 2>&1)
	rel=$(qemu_released)
	case "$st/$mech/$susp/$dom/$rel" in
	"attached/None/False/running/false" | "paused/release/True/paused/true") ;;
	*) fail "$1: claim $st ($mech, suspended $susp), r1 $dom, QEMU released '$rel'" ;;
	esac
	CST=$st
}

baseline() {
	[ "$(numvfs "$PF")" = 3 ] || { sv -d "$PF" reconf 3; expect_rc 0; }
	consistent baseline
	[ "$CST" = attached ] && return
	sv -d "$PF" unpause r1
	expect_rc 0
	consistent baseline
	expect_eq "$CST" attached "baseline: vf0 in r1, r1 running"
}
released() {
	baseline
	sv -d "$PF" pause r1
	expect_rc 0
	consistent released
	expect_eq "$CST" paused "released: vf0 paused"
}

SWEEP_VM=r1
# recover finishes a reconf: what it paused is given back
reconf_done() { consistent "$1"; expect_eq "$CST" attached "$1: vf0 after recover"; }

sv -d "$PF" init 3
expect_rc 0
define_vm r1 --emulator "$Q" && start_vm r1
sv -d "$PF" attach r1 vf0
expect_rc 0
sv -d "$PF" pause -j r1
expect_rc 0
expect_eq "$(json '[(p["mechanism"], p["vm_suspended"]) for p in d["paused"]]')" "[('release', True)]" \
	"pause of r1 (no OS, patched QEMU)"
baseline

# each step the release adds; for reconf, whose record recover finishes
# (pause's and unpause's it undoes or completes), the release and the
# re-acquire, and one of the count's steps and one of the binding's,
# under the VM it suspended
crash_steps pause "$PF" baseline consistent "suspend release record_pause" pause r1
crash_steps unpause "$PF" released consistent "re-acquire tell_guest resume hot-plug record_unpause" unpause r1
crash_steps reconf "$PF" baseline reconf_done "release set_numvfs_0 bind re-acquire" reconf 2
# and each, not killed, runs to the end with the release
baseline
sv -d "$PF" reconf 2 -j
expect_rc 0
expect_eq "$(json '[(r["vf"], r["mechanism"], r["restored"]) for r in d["restored"]]')" \
	"[(0, 'release', True)]" "reconf -j of r1's VF"
consistent "after reconf 2"
expect_eq "$(numvfs "$PF") $CST" "2 attached" "reconf 2 ran to the end"
echo "release crash sweep: killed at $SWEEP_KILLED steps, $SWEEP_RECOVERED recoveries consistent"
expect_eq "$SWEEP_RECOVERED" "$SWEEP_KILLED" "recoveries"
expect_eq "$SWEEP_KILLED" 12 "steps killed"
# r1 has no OS to answer a hot-unplug: shut off, its live claim just goes
virsh destroy r1 >/dev/null
sv -d "$PF" detach r1
expect_rc 0
virsh undefine r1 >/dev/null
sv -d "$PF" deinit
expect_rc 0
