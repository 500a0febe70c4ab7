#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# e2e-topology: --pfs 2 --maxvfs 8,8
# Crash at every step of the release (svff(8), PAUSE MECHANISMS): pause,
# unpause and reconf of a VM with no OS on the patched QEMU
# ($SVFF_VFIO_QEMU) are killed (SIGKILL, the hooks build) right after each
# step they record, in turn. After each kill another verb refuses and
# points at recover; recover leaves the claim as the VM's QEMU has it
# (x-query-vfio): released, with the VM paused and the claim paused by
# release, or held, with the VM running and the claim attached; never a
# VM suspended without a claim that says so. A second recover changes
# nothing.
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
	st=$(json '[v["state"] for v in d["pfs"][0]["vfs"] if v["vf"] == 0][0]')
	mech=$(json '[v["pause_mechanism"] for v in d["pfs"][0]["vfs"] if v["vf"] == 0][0]')
	susp=$(json '[v["vm_suspended"] for v in d["pfs"][0]["vfs"] if v["vf"] == 0][0]')
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
	[ "$CST" = attached ] || { sv -d "$PF" unpause r1; expect_rc 0; }
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

killed=0 recovered=0
# sweep VERB SETUP ARGS...: kill VERB after step 0, 1, ... until it runs
# to the end
sweep() {
	local verb=$1 setup=$2 n=0
	shift 2
	while [ $n -lt 40 ]; do
		$setup
		export SVFF_TEST_KILL_AT=$verb:$n
		sv -d "$PF" -t 60 "$@"
		unset SVFF_TEST_KILL_AT
		if [ "$rc" != 137 ]; then
			expect_rc 0
			echo "== $verb: ran to the end when not killed at step $n (at ${SECONDS} s)"
			return
		fi
		killed=$((killed + 1))
		sv -d "$PF" attach r1
		expect_rc 4
		expect_contains "$err" "run 'svff recover'" "$verb killed at step $n: the next verb"
		sv -d "$PF" -t 60 recover
		expect_rc 0
		echo "   recover: $(echo "$out" | tr '\n' ' ' | cut -c1-400)"
		sv -d "$PF" recover
		expect_rc 0
		expect_contains "$out" "nothing to do" "$verb killed at step $n: a second recover"
		consistent "$verb killed at step $n"
		# recover finishes a reconf: what it paused is given back
		[ "$verb" != reconf ] || expect_eq "$CST" attached "reconf killed at step $n: vf0 after recover"
		echo "== $verb killed at step $n: recovered, vf0 $CST (at ${SECONDS} s)"
		recovered=$((recovered + 1))
		n=$((n + 1))
	done
	fail "$verb: still killed at step 40"
}

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

sweep pause baseline pause r1
sweep unpause released unpause r1
sweep reconf baseline reconf 2
expect_eq "$(numvfs "$PF")" 2 "reconf 2 ran to the end"
baseline
echo "release crash sweep: killed at $killed steps, $recovered recoveries consistent"
expect_eq "$recovered" "$killed" "recoveries"
[ "$killed" -ge 10 ] || fail "only $killed steps killed: the release's steps were not all reached"
# r1 has no OS to answer a hot-unplug: shut off, its live claim just goes
virsh destroy r1 >/dev/null
sv -d "$PF" detach r1
expect_rc 0
virsh undefine r1 >/dev/null
sv -d "$PF" deinit
expect_rc 0
