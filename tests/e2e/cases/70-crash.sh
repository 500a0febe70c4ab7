#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# e2e-timeout: 2400
# Crash at every step: each multi-step verb is killed (SIGKILL, by the
# test-only hook of the hooks build) right after each step it records, in
# turn. After each kill another verb must refuse and point at recover;
# recover must leave host, libvirt and state consistent with every VM's
# claim kept; a second recover must change nothing.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

[ -n "${SVFF_HOOKS_BIN:-}" ] && [ -x "$SVFF_HOOKS_BIN" ] ||
	fail "SVFF_HOOKS_BIN (the build with -DSVFF_TEST_HOOKS, made by 'make e2e') is missing"
SVFF=$SVFF_HOOKS_BIN
PF2=$(echo "$SVFF_PFS" | cut -d' ' -f2)
[ -n "$PF2" ] && [ "$PF2" != "$PF" ] || fail "two SR-IOV PFs needed, got '$SVFF_PFS'"

# The state file, sysfs and libvirt agree for PF1, and g1 and off1 still
# hold a claim each (attached or paused).
consistent() { # WHAT [PF]
	local c w vf vm st addr held
	if [ -n "${2:-}" ] && [ "$2" != "$PF" ]; then
		sv -d "$2" list -j
		no_problem "$1: list of $2"
	fi
	sv -d "$PF" list -j
	no_problem "$1: list"
	c=$(claims)
	for vm in g1 off1; do
		case " $c " in *":$vm:"*) ;; *) fail "$1: VM $vm lost its claim ($c)" ;; esac
	done
	held=" $(hostdevs g1 | tr '\n' ' ')"
	vf_map "$PF"
	for w in $c; do
		IFS=: read -r vf vm st <<<"$w"
		addr=${VF_ADDR[$vf]:-}
		if [ "$vm" = g1 ]; then
			if [ "$st" = attached ]; then
				case $held in *" $addr "*) ;; *) fail "$1: vf$vf claimed attached but not in g1" ;; esac
			else
				case $held in *" $addr "*) fail "$1: vf$vf claimed $st but in g1" ;; esac
			fi
		fi
	done
	for a in $held; do
		vf=${VF_OF[$a]:-}
		case " $c " in *" $vf:g1:attached "*) ;; *) fail "$1: g1 holds $a (vf$vf) without an attached claim ($c)" ;; esac
	done
}

# Back to the baseline: 4 VFs on PF1, g1 holds vf0 only, off1 vf3 only,
# both attached; PF2 as given.
baseline() {
	local w vf vm st
	for w in $(claims); do
		IFS=: read -r vf vm st <<<"$w"
		if [ "$w" = "0:g1:paused" ] || [ "$w" = "3:off1:paused" ]; then
			sv -d "$PF" unpause "vf$vf"; expect_rc 0
		elif [ "$w" != "0:g1:attached" ] && [ "$w" != "3:off1:attached" ]; then
			sv -d "$PF" -t 120 detach "vf$vf"; expect_rc 0
		fi
	done
	[ "$(numvfs "$PF")" = 4 ] || { sv -d "$PF" -t 120 reconf 4; expect_rc 0; }
	expect_eq "$(claims)" "0:g1:attached 3:off1:attached" "baseline"
}

SWEEP_VM=g1

sv -d "$PF" init 4
expect_rc 0
define_vm g1 --os && start_vm g1
define_vm off1

nothing() { :; }
pf2_clean() { [ "$(numvfs "$PF2")" = 0 ] || { sv -d "$PF2" deinit; expect_rc 0; }; }
# init on a PF whose primary NVMe controller holds flexible resources: its
# first step gives them to the pool
pf2_held() { pf2_clean; nvme_primary_holds "$PF2" 2 1; }
pf2_init() { [ "$(numvfs "$PF2")" = 4 ] || { sv -d "$PF2" init 4; expect_rc 0; }; }
held3() { sv -d "$PF" attach g1 vf1 vf2; expect_rc 0; }
res_base() { baseline; sv -d "$PF" resources vf1 vf2 --queues 2; expect_rc 0; }
# PF2 and PF1 agree with sysfs and libvirt (while g1 boots: no claims yet)
pf2_consistent() { # WHAT PF
	sv -d "$2" list -j
	no_problem "$1: list of $2"
	sv -d "$PF" list -j
	no_problem "$1: list"
}

# PF2 carries no claims: init and deinit, while g1's guest boots; PF1
# the verbs with VMs, and resources (its steps: the record, then the
# device).
crash_sweep init "$PF2" pf2_held pf2_clean pf2_consistent init 2
crash_sweep deinit "$PF2" pf2_init pf2_clean pf2_consistent deinit
wait_guest_up g1 400 || fail "g1's guest did not boot"
sv -d "$PF" attach g1 vf0
expect_rc 0
sv -d "$PF" attach off1 vf3
expect_rc 0
baseline
consistent "g1 and off1 attached"
crash_sweep attach "$PF" baseline baseline consistent attach g1 vf1 vf2
crash_sweep detach "$PF" held3 baseline consistent detach g1 vf1 vf2
# reconf at the steps where the host changes: a guest asked to let go,
# the pause recorded, the count, the binding, the hot-plug. Its other
# steps (the record's first lines, "resources", "unpause", "record
# unpause") change nothing on the host that these do not; the unit tests
# (test_orch) kill it at each save, and pause and unpause apart, and
# 75-vfio-crash kills it at the release's steps.
crash_steps reconf "$PF" baseline consistent "unplug record_pause set_numvfs_6 bind hot-plug" \
	reconf 6
baseline
crash_sweep resources "$PF" res_base res_base consistent resources vf1 vf2 --queues 3
consistent "after the sweeps"
echo "crash sweep: killed at $SWEEP_KILLED steps, $SWEEP_RECOVERED recoveries consistent"
expect_eq "$SWEEP_RECOVERED" "$SWEEP_KILLED" "recoveries"

# Signals (svff(8), SIGNALS): SIG to `svff ARGS` while it stalls right
# after recording the step named (the hooks build's SVFF_TEST_STALL_AT),
# TIMES times. Sets rc and err as sv does.
signal_at() { # VERB STEP SIG TIMES ARGS...
	SIG=$3 TIMES=$4
	fault_during "$1" "$2" 60 send_signal -d "$PF" -t 120 "${@:5}"
	err=$said
}
send_signal() {
	local i
	for ((i = 0; i < TIMES; i++)); do
		kill "-$SIG" "$BG_PID"
		sleep 0.2
	done
}

# One signal: stopped at the next step boundary, exit 1 saying so, no
# record left (the next verb is not sent to recover), and the host as
# the message says.
signalled() { # WHAT COUNT CLAIMS
	expect_rc 1
	expect_contains "$err" "interrupted by a signal" "$1"
	grep -q '"op": null' "$SVFF_STATE_DIR/state" || fail "$1: a record was left: $(cat "$SVFF_STATE_DIR/state")"
	consistent "$1"
	expect_eq "$(numvfs "$PF")" "$2" "$1: the VF count"
	expect_eq "$(claims)" "$3" "$1: the claims"
	SIGNALS=$((SIGNALS + 1))
}
SIGNALS=0
baseline
signal_at reconf unplug TERM 1 reconf 6
expect_contains "$err" "what 'reconf' had done is undone" "SIGTERM during reconf's pause"
signalled "SIGTERM during reconf's pause" 4 "0:g1:attached 3:off1:attached"
baseline
signal_at reconf "set numvfs 0" TERM 1 reconf 6
expect_contains "$err" "'reconf' was finished" "SIGTERM during reconf's count"
signalled "SIGTERM during reconf's count" 6 "0:g1:attached 3:off1:attached"
baseline
signal_at pause unplug INT 1 pause g1 off1
expect_contains "$err" "what 'pause' had done is undone" "SIGINT during pause"
signalled "SIGINT during pause" 4 "0:g1:attached 3:off1:attached"
baseline
# A second signal is the hard way out: the record stays for recover.
signal_at reconf unplug TERM 2 reconf 6
expect_rc 143
crash_recovered reconf "unplug (two SIGTERMs)" "$PF" consistent
baseline
consistent "at the end"
echo "signals: $SIGNALS stopped at a step boundary with no recover needed, one hard stop recovered"
