#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# Many svff processes at once: waves of 20 (attach, detach, pause,
# unpause, list) on four VMs, started together: c1-c3 shut off (libvirt
# changes their configuration), c4 running (live hot-plug; it has no guest
# OS to answer an unplug, so it only receives: 50-reconf and 70-crash
# unplug from a Linux guest). Every process ends within its --wait (no
# deadlock), succeeds unless it lost a race for a VF (and then says so),
# no reader ever sees a half-done change, and after each wave the state
# file holds exactly the claims the wave made (no lost update) and
# libvirt agrees. Then a lock held on purpose: a waiter gives up after
# --wait and names the holder; list warns and shows the state.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

[ -n "${SVFF_HOOKS_BIN:-}" ] && [ -x "$SVFF_HOOKS_BIN" ] ||
	fail "SVFF_HOOKS_BIN (the build with -DSVFF_TEST_HOOKS, made by 'make e2e') is missing"

sv -d "$PF" init 8
expect_rc 0
for vm in c1 c2 c3; do define_vm "$vm"; done
define_vm c4 && start_vm c4

W=/run/e2e-wave
procs=0 races=0

# wave NAME: start every svff argument line of stdin at once, each with
# --wait 240 under a 300 s timeout. A line must exit 0, unless it starts
# with '?': it races for a VF and may lose (exit 1, "attached to VM").
wave() {
	local name=$1 i=0 n line a t0 r e
	rm -rf "$W" && mkdir -p "$W"
	t0=$(date +%s)
	while read -r line; do
		[ -n "$line" ] || continue
		printf '%s\n' "$line" >"$W/$i.cmd"
		(
			set -f
			a=${line#\?}
			r=0
			# shellcheck disable=SC2086 # a line is a list of arguments
			timeout 300 "$SVFF" -w 240 -d "$PF" $a </dev/null >"$W/$i.out" 2>"$W/$i.err" || r=$?
			echo "$r" >"$W/$i.rc"
		) &
		i=$((i + 1))
	done
	wait
	echo "== wave $name: $i processes in $(($(date +%s) - t0)) s"
	procs=$((procs + i))
	for ((n = 0; n < i; n++)); do
		line=$(cat "$W/$n.cmd") r=$(cat "$W/$n.rc") e=$(cat "$W/$n.err")
		case $e in *AddressSanitizer* | *"runtime error"* | *LeakSanitizer*)
			fail "wave $name: '$line': sanitizer report: $e" ;;
		esac
		[ "$r" != 124 ] || fail "wave $name: '$line' did not end within 300 s (deadlock?)"
		[ "$r" != 0 ] || continue
		if [ "${line:0:1}" = '?' ] && [ "$r" = 1 ]; then
			case $e in *"is attached to VM"*) races=$((races + 1)); continue ;; esac
		fi
		fail "wave $name: '$line' exited $r: $e"
	done
	# Every list ran under the lock: it must parse and show no problem.
	for ((n = 0; n < i; n++)); do
		grep -qx -- '-j list' "$W/$n.cmd" && echo "$W/$n.out"
	done | python3 -c '
import json, sys
for f in sys.stdin.read().split():
    d = json.load(open(f))
    p = d["pfs"][0]
    bad = [v["vf"] for v in p["vfs"] if v["problem"]]
    if p["problem"] or bad:
        sys.exit("%s: problem seen by a reader: %s %s" % (f, p["problem"], bad))
' || fail "wave $name: a concurrent list saw an inconsistent state"
}

# lists N: N lines of "-j list"
lists() { for _ in $(seq "$1"); do echo "-j list"; done; }

# The claims are WANT, and each VM's XML holds exactly the VFs it has
# claimed: the running c4 those attached (paused ones were unplugged), a
# shut-off VM all (pausing one only marks its claim).
agree() { # WHAT WANT
	local c vm want got w vf v st
	c=$(claims)
	expect_eq "$c" "$2" "$1: claims"
	for vm in c1 c2 c3 c4; do
		want=$(for w in $c; do
			IFS=: read -r vf v st <<<"$w"
			[ "$v" = "$vm" ] && { [ "$st" = attached ] || [ "$vm" != c4 ]; } && vf_addr "$PF" "$vf"
		done | sort)
		got=$(hostdevs "$vm" | sort)
		expect_eq "$got" "$want" "$1: hostdevs of $vm"
	done
	sv -d "$PF" list -j
	no_problem "$1"
}

wave attach <<-EOF
	attach c1 vf0
	attach c1 vf1
	attach c2 vf2
	attach c2 vf3
	attach c3 vf4
	attach c3 vf5
	$(lists 14)
EOF
agree "after the attach wave" \
	"0:c1:attached 1:c1:attached 2:c2:attached 3:c2:attached 4:c3:attached 5:c3:attached"

wave mixed <<-EOF
	pause c1
	pause c2
	detach c3 vf4
	attach c4 vf6
	attach c4 vf7
	$(lists 15)
EOF
agree "after the mixed wave" \
	"0:c1:paused 1:c1:paused 2:c2:paused 3:c2:paused 5:c3:attached 6:c4:attached 7:c4:attached"

# c2 and c4 race for vf4 while c1 and c2 come back and c3 pauses.
wave race <<-EOF
	unpause c1
	unpause c2
	pause c3
	?attach c2 vf4
	?attach c4 vf4
	$(lists 15)
EOF
c=$(claims)
case " $c " in
*" 4:c2:attached "*) won=c2 ;;
*" 4:c4:attached "*) won=c4 ;;
*) fail "after the race wave: vf4 went to neither c2 nor c4: $c" ;;
esac
echo "== vf4 went to $won"
agree "after the race wave" "0:c1:attached 1:c1:attached 2:c2:attached 3:c2:attached \
4:$won:attached 5:c3:paused 6:c4:attached 7:c4:attached"

wave teardown <<-EOF
	detach c1
	detach c2
	detach c3
	$(lists 17)
EOF
left="6:c4:attached 7:c4:attached"
[ "$won" = c2 ] || left="4:c4:attached $left"
agree "after the teardown wave" "$left"
expect_eq "$races" 1 "lost races in the race wave"

# A lock held on purpose (the hooks build sleeps 12 s after its op
# begins: the waiter's 3 s and a list fit in it): a waiter gives up after --wait, names the holder, changes
# nothing; a patient one gets through once the holder is done.
hlog=$E2E_RESULTS/80-holder.log
SVFF_TEST_STALL_AT=attach:0:12 "$SVFF_HOOKS_BIN" -d "$PF" attach c1 vf0 vf1 >"$hlog" 2>&1 &
holder=$!
for _ in $(seq 120); do
	grep -q '"verb": *"attach"' "$SVFF_STATE_DIR/state" 2>/dev/null && break
	kill -0 "$holder" 2>/dev/null || fail "the holder ended before its op began: $(cat "$hlog")"
	sleep 0.5
done
grep -q '"verb": *"attach"' "$SVFF_STATE_DIR/state" ||
	fail "the holder did not begin its op within 60 s: $(cat "$SVFF_STATE_DIR/state")"
before=$(cat "$SVFF_STATE_DIR/state")
t0=$(date +%s%N)
sv -w 3 -d "$PF" detach c2
t=$((($(date +%s%N) - t0) / 1000000))
expect_rc 3
expect_contains "$err" "held by pid $holder (svff" "busy lock message"
expect_contains "$err" "for more than 3 s" "busy lock message"
expect_contains "$err" "raise --wait" "busy lock advice"
[ "$t" -ge 3000 ] && [ "$t" -lt 12000 ] || fail "--wait 3 gave up after $t ms"
expect_eq "$(cat "$SVFF_STATE_DIR/state")" "$before" "state after the busy refusal"
# list does not fail on a busy lock: it warns and shows the op under way
sv -w 0 -d "$PF" list -j
expect_rc 0
expect_contains "$err" "held by pid $holder (svff" "list on a busy lock"
expect_contains "$err" "listing the state as it stands" "list on a busy lock"
expect_contains "$out" "operation 'attach' in progress (pid $holder" "list on a busy lock"
sv -w 120 -d "$PF" list
expect_rc 0
expect_eq "$err" "" "list once the holder is done"
wait "$holder" || fail "the holder failed: $(cat "$hlog")"
agree "after the held lock" "0:c1:attached 1:c1:attached $left"
echo "== $procs svff processes in waves of 20, $races lost race, 0 lost updates; a busy lock named its holder after $t ms"

# A VM's QEMU dies during a reconf (svff(8), DIAGNOSTICS): c4 has no OS
# to answer the unplug, so reconf waits; c4's QEMU is killed there. The
# stop is seen at once, not waited out to -t and blamed on the guest, and
# the reconf goes on for c1 (shut off, its claims in its configuration).
# c4's claims were live only: they stay paused, no longer the reconf's;
# nothing is left for recover; c4 started again gets them by unpause.
c4=$(claims | tr ' ' '\n' | grep ':c4:' | paste -sd' ')
bg_svff unplug -d "$PF" -t 90 reconf 9
sleep 1   # c4's QEMU has been asked, and its guest (none) does not answer
t0=$(date +%s)
kill -9 "$(cat /run/libvirt/qemu/c4.pid)"
bg_wait
t=$(($(date +%s) - t0))
expect_eq "$rc" 0 "reconf whose VM's QEMU died"
[ "$t" -lt 20 ] || fail "reconf took $t s after c4's QEMU died (waited out?)"
expect_contains "$said" "VM 'c4' is shut off and its claim was live only" "reconf's line for c4's VFs"
expect_eq "$(virsh domstate c4)" "shut off" "c4 after its QEMU was killed"
expect_eq "$(numvfs "$PF")" 9 "numvfs after the reconf"
agree "after c4's QEMU died in a reconf" "0:c1:attached 1:c1:attached ${c4//attached/paused}"
sv -d "$PF" recover
expect_rc 0
expect_contains "$out" "nothing to do" "recover after c4's QEMU died"
start_vm c4
sv -d "$PF" unpause c4
expect_rc 0
agree "c4 started again and unpaused" "0:c1:attached 1:c1:attached $c4"
echo "== c4's QEMU killed during reconf: reconf went on in $t s, c4's claims kept"

# libvirtd killed during a reconf's unplug wait (svff(8), DIAGNOSTICS):
# the lost connection is seen at once and named, the record stays (exit
# 4: what the VMs hold is unknown); once libvirtd is started again,
# recover finds c4 still holding its VFs (it has no guest to let go), so
# it undoes the reconf (the count never changed) with every claim as the
# VMs hold it.
bg_svff unplug -d "$PF" -t 90 reconf 10
sleep 1
t0=$(date +%s)
pkill -9 -x libvirtd
bg_wait
t=$(($(date +%s) - t0))
expect_eq "$rc" 4 "reconf whose libvirtd was killed"
[ "$t" -lt 20 ] || fail "reconf took $t s after libvirtd was killed (waited out?)"
expect_contains "$said" "lost the connection to libvirt" "reconf's message"
expect_contains "$said" "svff recover" "reconf's message"
sv -d "$PF" list
expect_rc 0
expect_contains "$out" "operation 'reconf' interrupted" "list while libvirtd is down"
start_libvirtd || fail "libvirtd did not start again"
sv -d "$PF" -t 5 recover
expect_rc 0
expect_contains "$out" "reconf undone, 9 VFs kept: VM 'c4' did not release" "recover"
sv -d "$PF" recover
expect_rc 0
expect_contains "$out" "nothing to do" "a second recover after libvirtd came back"
agree "after libvirtd was killed in a reconf and recover" "0:c1:attached 1:c1:attached $c4"
echo "== libvirtd killed during reconf: seen in $t s (exit 4); recover with libvirtd back undid it, every claim kept"
