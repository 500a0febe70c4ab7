#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# The rest of the host failing while svff works (svff(8), DIAGNOSTICS),
# under f1 (no OS, on the patched QEMU: its VF is released, no guest
# needed) holding vf0 and the shut-off off1 holding vf3:
#  - another tool makes VFs between reconf's two writes to sriov_numvfs:
#    the kernel answers EBUSY, reconf goes back to 4 VFs, exit 1;
#  - the PF's driver unbound there: the write and the way back both fail
#    (no driver), the record stays, exit 4; with the driver bound again,
#    recover finishes the reconf;
#  - libvirtd killed while reconf gives f1 its VF back: the VF stays
#    paused; with libvirtd started again, recover gives it back;
#  - /run/svff on a tmpfs: read-only, list still shows the state and
#    reconf is refused, nothing changed; full, reconf refused before the
#    device is touched, the state file byte-identical; filled during a
#    reconf: it stops, and once there is room recover mends;
#  - f1's QEMU killed while its VF is released: unpause finds f1 shut
#    off (its claim was live only: refused, kept paused); f1 started
#    again takes it by unpause;
#  - SIGINT to pause after its release (undone), SIGTERM to unpause
#    after its re-acquire (finished): exit 1, no record; SIGTERM by
#    time into reconfs: never a record left.
# After each: list shows no disagreement, no record is left, f1 holds
# vf0 (x-query-vfio: not released) and off1 keeps vf3: no claim lost.
# (A VF cannot be removed by hand: the kernel gives VFs no 'remove'.)
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

[ -n "${SVFF_HOOKS_BIN:-}" ] && [ -x "$SVFF_HOOKS_BIN" ] ||
	fail "SVFF_HOOKS_BIN (the build with -DSVFF_TEST_HOOKS, made by 'make e2e') is missing"
Q=${SVFF_VFIO_QEMU:-}
[ -n "$Q" ] && [ -x "$Q" ] || fail "SVFF_VFIO_QEMU '$Q' is not the patched QEMU (make e2e passes it)"
FAULTS=0

released_of_f1() {
	virsh qemu-monitor-command f1 '{"execute":"x-query-vfio"}' 2>&1 |
		sed -n 's/.*"released": *\([a-z]*\).*/\1/p'
}

# The baseline holds: COUNT VFs, all on the bus, no record, f1 running
# and holding vf0, off1's claim on vf3 in its configuration.
holds() { # WHAT COUNT
	sv -d "$PF" list -j
	no_problem "$1"
	grep -q '"op": null' "$SVFF_STATE_DIR/state" || fail "$1: a record was left"
	expect_eq "$(numvfs "$PF") $(ls -d "/sys/bus/pci/devices/$PF"/virtfn* | wc -l)" "$2 $2" \
		"$1: sriov_numvfs and the VFs on the bus"
	expect_eq "$(claims)" "0:f1:attached 3:off1:attached" "$1: claims"
	expect_eq "$(hostdevs f1) $(virsh domstate f1) $(released_of_f1)" \
		"$(vf_addr "$PF" 0) running false" "$1: f1"
	expect_eq "$(hostdevs off1)" "$(vf_addr "$PF" 3)" "$1: off1's configuration"
	FAULTS=$((FAULTS + 1))
}

# `svff ARGS` (the hooks build) stalled S s right after it records STEP,
# and FAULT (a function) in the stall; sets rc and said (bg_wait).
stalled() { # STEP S FAULT VERB ARGS...
	BG_SVFF=$SVFF_HOOKS_BIN fault_during "$4" "$1" "$2" "$3" -d "$PF" -t 60 "${@:4}"
}

sv -d "$PF" init 4
expect_rc 0
define_vm f1 --emulator "$Q" && start_vm f1
define_vm off1
sv -d "$PF" attach f1 vf0
expect_rc 0
sv -d "$PF" attach off1 vf3
expect_rc 0
holds "the baseline" 4

# 1. Another tool enables 2 VFs after reconf wrote 0 and before it
# writes 6: the kernel refuses 6 while VFs are enabled (EBUSY).
other_tool() { echo 2 >"/sys/bus/pci/devices/$PF/sriov_numvfs"; }
stalled "set numvfs 6" 5 other_tool reconf 6
expect_eq "$rc" 1 "reconf after another tool made VFs"
expect_contains "$said" "Device or resource busy" "reconf after another tool made VFs"
holds "after EBUSY from sriov_numvfs" 4

# 2. The PF's driver unbound there: sriov_numvfs refuses without a
# driver, so neither 6 nor the way back to 4 can be written.
unbind_pf() { echo "$PF" >/sys/bus/pci/drivers/nvme/unbind; }
stalled "set numvfs 6" 5 unbind_pf reconf 6
expect_eq "$rc" 4 "reconf with the PF's driver unbound"
expect_contains "$said" "svff recover" "reconf with the PF's driver unbound"
sv -d "$PF" pause f1
expect_rc 4
echo "$PF" >/sys/bus/pci/drivers/nvme/bind
sv -d "$PF" -t 60 recover
expect_rc 0
sv -d "$PF" recover
expect_rc 0
expect_contains "$out" "nothing to do" "a second recover after the PF's driver came back"
holds "after the PF's driver was unbound in a reconf, bound again and recover" 6
sv -d "$PF" reconf 4
expect_rc 0

# 3. libvirtd killed while reconf gives f1 its VF back (after the new
# count, at its re-acquire): nothing can be given back without it; the
# VF stays paused, and once libvirtd is started again recover gives it
# back (f1's QEMU ran on, suspended, its VF released).
kill_libvirtd() { pkill -9 -x libvirtd; }
stalled re-acquire 5 kill_libvirtd reconf 6
case $rc in 1 | 4) ;; *) fail "reconf with libvirtd killed at its re-acquire: exit $rc" ;; esac
expect_contains "$said" "svff recover" "reconf with libvirtd killed at its re-acquire"
start_libvirtd || fail "libvirtd did not start again"
sv -d "$PF" -t 60 recover
expect_rc 0
expect_contains "$out" "vf0 given back to VM 'f1'" "recover once libvirtd is back"
sv -d "$PF" recover
expect_rc 0
expect_contains "$out" "nothing to do" "a second recover once libvirtd is back"
holds "after libvirtd was killed at reconf's re-acquire, and recover" 6
sv -d "$PF" reconf 4
expect_rc 0

# 4. /run/svff on a 256 KiB tmpfs (the state copied in, and out again
# at the end), filled up: before an operation, and during one.
d=$SVFF_STATE_DIR
cp -a "$d" /run/e2e-state-copy
mount -t tmpfs -o size=256k,mode=0755 tmpfs "$d"
cp -a /run/e2e-state-copy/. "$d"/
fill() { # until no byte more fits (dd fails then: bash -e)
	dd if=/dev/zero of="$d/filler" bs=4k 2>/dev/null || true
	dd if=/dev/zero of="$d/filler" bs=1 oflag=append conv=notrunc 2>/dev/null || true
}
s0=$(cat "$d/state")
mount -o remount,ro "$d"
sv -d "$PF" list -j
expect_rc 0
no_problem "list on a read-only /run"
sv -d "$PF" reconf 6
expect_rc 1
expect_contains "$err" "Read-only file system" "reconf on a read-only /run"
expect_eq "$(numvfs "$PF") $(cat "$d/state")" "4 $s0" "numvfs and the state file after a refusal on a read-only /run"
mount -o remount,rw "$d"
fill
sv -d "$PF" reconf 6
expect_rc 1
expect_contains "$err" "No space left on device" "reconf on a full /run"
expect_eq "$(cat "$d/state")" "$s0" "the state file after a refusal on a full /run"
rm "$d/filler"
holds "after a reconf refused on a full /run" 4
stalled "set numvfs 0" 3 fill reconf 6
case $rc in 1 | 4) ;; *) fail "reconf on /run filled during it: exit $rc" ;; esac
expect_contains "$said" "No space left on device" "reconf on /run filled during it"
rm "$d/filler"
sv -d "$PF" -t 60 recover
expect_rc 0
sv -d "$PF" recover
expect_rc 0
expect_contains "$out" "nothing to do" "a second recover after /run had room again"
n=$(numvfs "$PF")
holds "after /run filled during a reconf, and recover" "$n"
[ "$n" = 4 ] || { sv -d "$PF" reconf 4; expect_rc 0; }
cp -a "$d"/. /run/e2e-state-copy/
umount "$d"
cp -a /run/e2e-state-copy/. "$d"/
rm -rf /run/e2e-state-copy

# 5. f1's QEMU killed while its VF is released (f1 suspended): unpause
# finds f1 shut off, and its claim was live only: refused, kept paused.
sv -d "$PF" pause f1
expect_rc 0
kill -9 "$(cat /run/libvirt/qemu/f1.pid)"
for _ in $(seq 50); do [ "$(virsh domstate f1)" = "shut off" ] && break; sleep 0.2; done
sv -d "$PF" unpause f1
expect_rc 1
expect_contains "$err" "VM 'f1' is shut off and its claim was live only" "unpause of a dead QEMU's VF"
sv -d "$PF" list -j
no_problem "after f1's QEMU died while released"
expect_eq "$(claims)" "0:f1:paused 3:off1:attached" "claims after f1's QEMU died"
start_vm f1
sv -d "$PF" unpause f1
expect_rc 0
holds "f1 started again and unpaused" 4
# 6. Signals (svff(8), SIGNALS) to pause and unpause of f1 by release:
# SIGINT while pause stalls after its release (undone: f1 gets its VF
# back), SIGTERM while unpause stalls after its re-acquire (past the
# point of no return: finished). Exit 1 each, saying which; no record.
sigint() { kill -INT "$BG_PID"; }
sigterm() { kill -TERM "$BG_PID"; }
stalled release 30 sigint pause f1
expect_eq "$rc" 1 "SIGINT to pause after its release"
expect_contains "$said" "what 'pause' had done is undone" "SIGINT to pause after its release"
holds "after SIGINT to pause" 4
sv -d "$PF" pause f1
expect_rc 0
stalled re-acquire 30 sigterm unpause f1
expect_eq "$rc" 1 "SIGTERM to unpause after its re-acquire"
expect_contains "$said" "'unpause' was finished" "SIGTERM to unpause after its re-acquire"
holds "after SIGTERM to unpause" 4
# 7. SIGTERM by time rather than at a named step: 0.5, 1.5 and 2.5 s
# into a reconf between 4 and 6 VFs. Whatever it was doing, it stops at
# the next step boundary (exit 1), or ends (0), or dies before its
# operation began (143): never a record left, the baseline whole.
for t in 0.5 1.5 2.5; do
	want=6
	[ "$(numvfs "$PF")" = 4 ] || want=4
	"$SVFF" -d "$PF" -t 60 reconf "$want" >/run/e2e-t.o 2>/run/e2e-t.e &
	p=$!
	sleep "$t"
	kill -TERM "$p" 2>/dev/null || true
	rc=0
	wait "$p" || rc=$?
	echo "\$ svff reconf $want <- SIGTERM after $t s -> $rc: $(cat /run/e2e-t.e)"
	case $rc in 0 | 1 | 143) ;; *) fail "reconf $want, SIGTERM after $t s: exit $rc" ;; esac
	holds "SIGTERM $t s into reconf $want" "$(numvfs "$PF")"
done
[ "$(numvfs "$PF")" = 4 ] || { sv -d "$PF" reconf 4; expect_rc 0; }
echo "== faults: $FAULTS checks of the baseline after EBUSY, an unbound PF driver, libvirtd killed in a give-back, a read-only /run, a full /run (before and during), a dead QEMU and five signals; no claim lost"

virsh destroy f1 >/dev/null
sv -d "$PF" detach f1
expect_rc 0
sv -d "$PF" detach off1
expect_rc 0
virsh undefine f1 >/dev/null
virsh undefine off1 >/dev/null
sv -d "$PF" deinit
expect_rc 0
