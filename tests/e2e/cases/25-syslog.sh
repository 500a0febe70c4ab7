#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# The system log, as a syslog daemon writes it: busybox's syslogd on
# /dev/log (the emulated host has none of its own). init, attach and
# detach: one line per change, daemon facility, with the verb, PF, VF, VM
# and the run's op id, then the end; a refusal at err; -n logs nothing;
# -q prints nothing and still logs.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

log=/run/e2e-syslog
[ ! -e /dev/log ] || fail "/dev/log exists already: another logger runs"
command -v busybox >/dev/null || fail "no busybox (busybox-static, tests/deps.sh)"
# the file first: busybox's syslogd makes it only at the first line
: >"$log"
busybox syslogd -n -O "$log" &
syslogd=$!
trap 'kill $syslogd 2>/dev/null; wait $syslogd 2>/dev/null || true; rm -f /dev/log' EXIT
for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
[ -S /dev/log ] || fail "busybox syslogd made no /dev/log"

# The svff lines logged since line $1 of the log (syslogd writes each
# datagram as it comes; svff has sent them all when it exits).
since() { tail -n +"$(($1 + 1))" "$log" | grep ' svff\[' || true; }
count() { wc -l <"$log"; }
# The op id of the lines in $1, in $op: the one id they all share.
op_of() {
	op=$(sed -n 's/.* op=\([0-9a-f]\{12\}\): .*/\1/p' <<<"$1" | sort -u)
	[ "$(wc -l <<<"$op")" = 1 ] && [ -n "$op" ] || fail "not one op id in: $1"
}

n=$(count)
sv -d "$PF" init 2
expect_rc 0
lines=$(since "$n")
op_of "$lines"
printf '%s\n' "$lines" | sed 's/^/  log: /'
vf1=$(vf_addr "$PF" 1)
expect_contains "$lines" "daemon.info svff[" "facility and priority"
expect_contains "$lines" "verb=init pf=$PF vf=- vm=- op=$op: write '2' to /sys/bus/pci/devices/$PF/sriov_numvfs" "the VF count"
expect_contains "$lines" "verb=init pf=$PF vf=vf1 vm=- op=$op: write 'vfio-pci' to /sys/bus/pci/devices/$vf1/driver_override" "vf1 bound"
changes=$(grep -c -v ": done: " <<<"$lines")
expect_eq "$(tail -1 <<<"$lines" | sed 's/.*svff\[[0-9]*\]: //')" \
	"verb=init pf=$PF vf=- vm=- op=$op: done: $changes changes" "the last line"
[ "$(grep -c 'save state' <<<"$lines")" = 0 ] || fail "state saves logged: $lines"

# A refusal: one line at err, with the message svff printed
n=$(count)
sv init 6
expect_rc 1
lines=$(since "$n")
printf '%s\n' "$lines" | sed 's/^/  log: /'
expect_eq "$(wc -l <<<"$lines")" 1 "lines of a refused init"
expect_contains "$lines" "daemon.err svff[" "priority of a failure"
expect_contains "$lines" "verb=init pf=$PF vf=- vm=- op=" "refusal's fields"
expect_contains "$lines" ": failed: ${err#svff: }" "refusal's message"
op1=$op
op_of "$lines"
[ "$op" != "$op1" ] || fail "two runs with one op id $op"

# attach to a shut-off VM (its persistent configuration): the VF and VM
define_vm logvm
n=$(count)
sv attach logvm vf1
expect_rc 0
lines=$(since "$n")
printf '%s\n' "$lines" | sed 's/^/  log: /'
op_of "$lines"
expect_contains "$lines" "verb=attach pf=$PF vf=vf1 vm=logvm op=$op: libvirt: attach $vf1 to VM 'logvm'" "attach's line"
expect_contains "$lines" "verb=attach pf=$PF vf=vf1 vm=logvm op=$op: done: 1 change" "attach's end"

# -n: the plan printed, nothing logged; a read changes nothing either
n=$(count)
sv -n detach logvm vf1
expect_rc 0
expect_contains "$out" "would: " "detach -n prints its plan"
sv list
sv -n reconf 4
expect_eq "$(since "$n")" "" "lines logged by -n and list"

# -q: nothing printed, the change logged all the same
sv -q detach logvm vf1
expect_rc 0
expect_eq "$out$err" "" "output of detach -q"
lines=$(since "$n")
printf '%s\n' "$lines" | sed 's/^/  log: /'
expect_contains "$lines" "verb=detach pf=$PF vf=vf1 vm=logvm op=" "detach -q logged"

sv -q -d "$PF" deinit
expect_rc 0
expect_eq "$out$err" "" "output of deinit -q"
