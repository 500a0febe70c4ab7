#!/bin/bash
# svff beside the tools operators use today, in one run on the emulated
# host (tests/bench/run boots it). Each row times svff and its anchor on
# the same host, one after the other, and prints the ratio svff/anchor.
# Times are medians where a row repeats (REPS); the table also goes to
# /e2e/table.md.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=tests/bench/rows.sh
. "$(dirname "$0")/rows.sh"
set -u
export E2E_RESULTS=/e2e
export SVFF_STATE_DIR=/run/svff-bench
mkdir -p "$SVFF_STATE_DIR"
REPS=${BENCH_REPS:-5}
SIZES=${BENCH_SIZES:-32 127}
PFDIR=/sys/bus/pci/devices/$PF
table=/e2e/table.md

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
# ms CMD...: run it, print its wall time in ms; its output goes to the log
ms() {
	local t0
	t0=$(now_ms)
	"$@" >>/e2e/bench.log 2>&1 || echo "bench: '$*' failed" >&2
	echo $(($(now_ms) - t0))
}
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# med CMD...: median wall time of REPS runs
med() {
	local i t=()
	for ((i = 0; i < REPS; i++)); do t+=("$(ms "$@")"); done
	median "${t[@]}"
}
# peak RSS in KiB of one run (GNU time)
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
# make_vfs N: the count, with autoprobe off first (as svff does), so the
# VFs' native driver does not probe them before they are bound.
make_vfs() {
	echo 0 >"$PFDIR/sriov_drivers_autoprobe"
	echo "$1" >"$PFDIR/sriov_numvfs"
}
# The shell loop an operator writes: for each VF its address (readlink,
# basename) and the two writes that bind it.
shell_init() { # N
	local i vf
	make_vfs "$1"
	for ((i = 0; i < $1; i++)); do
		vf=$(basename "$(readlink "$PFDIR/virtfn$i")")
		echo vfio-pci >"/sys/bus/pci/devices/$vf/driver_override"
		echo "$vf" >/sys/bus/pci/drivers_probe
	done
}
# The same with what makes an NVMe VF usable: nvme-cli's three
# Virtualization Management commands per VF (assign VQ, assign VI,
# online), as QEMU's documentation shows them.
shell_init_nvme() { # N
	local i ctl vf
	ctl=/dev/$(ls "$PFDIR/nvme")
	make_vfs "$1"
	for ((i = 0; i < $1; i++)); do
		nvme virt-mgmt "$ctl" -c $((i + 1)) -r 0 -a 8 -n 2 >/dev/null &&
			nvme virt-mgmt "$ctl" -c $((i + 1)) -r 1 -a 8 -n 1 >/dev/null &&
			nvme virt-mgmt "$ctl" -c $((i + 1)) -a 9 >/dev/null || return 1
		vf=$(basename "$(readlink "$PFDIR/virtfn$i")")
		echo vfio-pci >"/sys/bus/pci/devices/$vf/driver_override"
		echo "$vf" >/sys/bus/pci/drivers_probe
	done
}
# The kernel's own cost: the same sysfs writes with no process started
# per VF (the addresses from one ls): what no tool can go below.
floor_init() { # N
	local i
	make_vfs "$1"
	vf_map "$PF"
	for ((i = 0; i < $1; i++)); do
		echo vfio-pci >"/sys/bus/pci/devices/${VF_ADDR[$i]}/driver_override"
		echo "${VF_ADDR[$i]}" >/sys/bus/pci/drivers_probe
	done
}
floor_deinit() { echo 0 >"$PFDIR/sriov_numvfs"; }
# What an operator types today: libvirt's node-device detach of each VF
# (it binds the VF to vfio-pci).
virsh_init() { # N
	local i vf
	make_vfs "$1"
	vf_map "$PF"
	for ((i = 0; i < $1; i++)); do
		vf=${VF_ADDR[$i]//[:.]/_}
		virsh nodedev-detach "pci_$vf" --driver vfio >/dev/null || return 1
	done
}
fresh() { reset_host; rm -f "$SVFF_STATE_DIR/state"; }

start_libvirtd || { echo "bench: libvirtd did not start" >&2; exit 1; }
: >"$table"
{
	echo "| work | svff | anchor | anchor time | ratio | goal |"
	echo "|---|---|---|---|---|---|"
} | tee -a "$table"

# Start-up: no sysfs, no libvirt.
row "start-up (\`--version\`, median of $REPS)" "$(med "$SVFF" --version)" \
	"\`virsh --version\`" "$(med virsh --version)" "<= 1.0"
echo "peak RSS: svff --version $(rss "$SVFF" --version) KiB, virsh --version $(rss virsh --version) KiB" |
	tee -a "$table"

for n in $SIZES; do
	fresh
	s=$(ms "$SVFF" -d "$PF" init "$n")
	[ "$(numvfs "$PF")" = "$n" ] || { echo "bench: svff init $n made $(numvfs "$PF") VFs" >&2; exit 1; }
	if [ "$n" = 127 ] || [ "$n" = "${SIZES##* }" ]; then
		row "\`list\` of $n VFs (median of $REPS)" "$(med "$SVFF" -d "$PF" list)" \
			"\`lspci -s\` of the PF" "$(med lspci -s "$PF")" "<= 1.5"
		row "\`list -j\` of $n VFs (median of $REPS)" "$(med "$SVFF" -d "$PF" list -j)" \
			"\`lspci -s\` of the PF" "$(med lspci -s "$PF")" "<= 1.5"
		echo "peak RSS: svff list $(rss "$SVFF" -d "$PF" list) KiB, list -j $(rss "$SVFF" -d "$PF" list -j) KiB, lspci -s $(rss lspci -s "$PF") KiB" |
			tee -a "$table"
	fi
	d=$(ms "$SVFF" -d "$PF" deinit)
	fresh
	l=$(ms shell_init "$n")
	fresh
	f=$(ms floor_init "$n")
	fd=$(ms floor_deinit)
	fresh
	# the floor's own work: the VFs bound, no resources given
	nr=$(ms "$SVFF" -d "$PF" init "$n" --no-resources)
	"$SVFF" -d "$PF" deinit >>/e2e/bench.log 2>&1
	fresh
	v=$(ms virsh_init "$n")
	fresh
	ln=$(ms shell_init_nvme "$n")
	row "\`init $n\`" "$s" "shell loop + nvme-cli (3 virt-mgmt per VF)" "$ln" "-"
	row "\`init $n\`" "$s" "shell loop (readlink + 2 writes per VF)" "$l" "<= 0.35"
	row "\`init $n\`" "$s" "kernel floor (the writes alone)" "$f" "-"
	row "\`init $n --no-resources\`" "$nr" "kernel floor (the writes alone)" "$f" "<= 1.3"
	row "\`init $n\`" "$s" "\`virsh nodedev-detach\` per VF" "$v" "<= 0.10"
	row "\`deinit\` of $n" "$d" "\`echo 0 > sriov_numvfs\`" "$fd" "-"
done

# What giving each VF its resources costs: init 64 with them (NVMe: 2 VQ,
# 1 VI, online) and without (--no-resources), in the same run.
fresh
r=$(ms "$SVFF" -d "$PF" init 64)
"$SVFF" -d "$PF" deinit >>/e2e/bench.log 2>&1
fresh
nr=$(ms "$SVFF" -d "$PF" init 64 --no-resources)
"$SVFF" -d "$PF" deinit >>/e2e/bench.log 2>&1
row "\`init 64\` (resources: 2 VQ, 1 VI per VF)" "$r" "\`init 64 --no-resources\`" "$nr" "-"

# Three VMs whose guests run Linux, one VF each.
fresh
for vm in b1 b2 b3; do define_vm "$vm" --os && start_vm "$vm"; done
for vm in b1 b2 b3; do wait_guest_up "$vm" 600 || { echo "bench: $vm did not boot" >&2; exit 1; }; done
"$SVFF" -d "$PF" init 4 >>/e2e/bench.log 2>&1

# attach and detach of one VF, against virsh with the same hostdev; virsh
# detach-device returns before the guest lets go, so its row waits for
# the live XML to lose the device, as svff does.
hostdev_xml() { # VF-ADDR
	local a=$1
	printf "<hostdev mode='subsystem' type='pci' managed='no'><source><address domain='0x%s' bus='0x%s' slot='0x%s' function='0x%s'/></source></hostdev>\n" \
		"${a:0:4}" "${a:5:2}" "${a:8:2}" "${a:11:1}"
}
virsh_detach_wait() { # VM FILE
	virsh detach-device "$1" "$2" --live >/dev/null || return 1
	while virsh dumpxml "$1" | grep -q '<hostdev'; do sleep 0.1; done
}
vf0=$(vf_addr "$PF" 0)
hostdev_xml "$vf0" >/run/bench-vf0.xml
a=() d=() va=() vd=()
for ((i = 0; i < REPS; i++)); do
	a+=("$(ms "$SVFF" -d "$PF" attach b1 vf0)")
	d+=("$(ms "$SVFF" -d "$PF" -t 120 detach b1 vf0)")
	va+=("$(ms virsh attach-device b1 /run/bench-vf0.xml --live)")
	vd+=("$(ms virsh_detach_wait b1 /run/bench-vf0.xml)")
done
row "\`attach\` (running guest, median of $REPS)" "$(median "${a[@]}")" "\`virsh attach-device\`" "$(median "${va[@]}")" "<= 1.1"
row "\`detach\` (guest acknowledges, median of $REPS)" "$(median "${d[@]}")" "\`virsh detach-device\` + wait" "$(median "${vd[@]}")" "<= 1.1"

# reconf 4 -> 6 under three guests holding a VF each: svff's worst
# per-VM downtime against a sequential script's (detach each and wait,
# the count through 0, bind, attach each).
for i in 1 2 3; do "$SVFF" -d "$PF" attach "b$i" "vf$((i - 1))" >>/e2e/bench.log 2>&1; done
# -v under -j sends each step to stderr as it happens (unbuffered): the
# timeline of the downtime, in ms from the start, goes to reconf-steps.log
t0=$(now_ms)
{ "$SVFF" -d "$PF" -v -j -t 120 reconf 6 2>&1 >/run/bench-reconf.json |
	while IFS= read -r l; do echo "$(($(now_ms) - t0)) $l"; done >/e2e/reconf-steps.log; }
out=$(cat /run/bench-reconf.json)
echo "$out" >>/e2e/bench.log
sw=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(int(1000*max(r["downtime_s"] for r in d["restored"])))')
for i in 1 2 3; do "$SVFF" -d "$PF" -t 120 detach "b$i" >>/e2e/bench.log 2>&1; done
"$SVFF" -d "$PF" deinit >>/e2e/bench.log 2>&1
fresh_vms_kept() { for p in $SVFF_PFS; do echo 0 >"/sys/bus/pci/devices/$p/sriov_numvfs"; done; }
fresh_vms_kept
floor_init 4
for i in 0 1 2; do
	hostdev_xml "$(vf_addr "$PF" $i)" >"/run/bench-h$i.xml"
	virsh attach-device "b$((i + 1))" "/run/bench-h$i.xml" --live >/dev/null
done
declare -A rel back
t0=$(now_ms)
for i in 0 1 2; do
	rel[$i]=$(now_ms)
	virsh_detach_wait "b$((i + 1))" "/run/bench-h$i.xml"
done
floor_deinit
floor_init 6
for i in 0 1 2; do
	hostdev_xml "$(vf_addr "$PF" $i)" >"/run/bench-h$i.xml"
	virsh attach-device "b$((i + 1))" "/run/bench-h$i.xml" --live >/dev/null
	back[$i]=$(now_ms)
done
total=$(($(now_ms) - t0))
vw=0
for i in 0 1 2; do
	dt=$((back[$i] - rel[$i]))
	[ "$dt" -gt "$vw" ] && vw=$dt
done
row "\`reconf 4 -> 6\`, 3 guests: worst VM downtime" "$sw" "sequential virsh + sysfs script" "$vw" "<= 0.4"
echo "script total: $total ms" | tee -a "$table"
echo "svff reconf, ms from its start:"
grep -E 'detach|numvfs|attach|back in' /e2e/reconf-steps.log

# The release (svff(8), PAUSE MECHANISMS): VMs on the QEMU with the VFIO
# pause. They run no OS: the release asks nothing of the guest (its VM
# is suspended), so their downtime is the host's alone, and it should
# not grow with the number of VMs (their QEMUs are asked at once).
# rel_reconf COUNT: svff reconf to COUNT; REL_MS is then the worst
# downtime of the VMs holding a VF, each of which must have been released.
rel_reconf() {
	local out
	out=$("$SVFF" -d "$PF" -j -t 120 reconf "$1" 2>>/e2e/bench.log) ||
		{ echo "bench: reconf $1 failed: $out" >&2; return 1; }
	echo "$out" >>/e2e/bench.log
	REL_MS=$(printf '%s' "$out" | python3 -c '
import json, sys
r = json.load(sys.stdin)["restored"]
bad = [x for x in r if x["mechanism"] != "release" or not x["restored"]]
if not r or bad:
    sys.exit("bench: not every VF was released and given back: %s" % r)
print(int(1000 * max(x["downtime_s"] for x in r)))') || return 1
}
# attach_first K: VMs r1..rK get vf0..vf(K-1)
attach_first() {
	local i
	for ((i = 1; i <= $1; i++)); do
		"$SVFF" -d "$PF" attach "r$i" "vf$((i - 1))" >>/e2e/bench.log 2>&1 ||
			{ echo "bench: attach r$i vf$((i - 1)) failed" >&2; return 1; }
	done
}
# free_first K: VMs r1..rK stopped, their claims dropped, and started
# again (with no guest to answer, a hot-unplug could not take a VF back)
free_first() {
	local i
	for ((i = 1; i <= $1; i++)); do
		virsh destroy "r$i" >/dev/null &&
			"$SVFF" -d "$PF" detach "r$i" >>/e2e/bench.log 2>&1 && start_vm "r$i" ||
			{ echo "bench: cannot free r$i" >&2; return 1; }
	done
}
fresh
for i in 1 2 3 4 5 6 7 8; do define_vm "r$i" --ports 1 --emulator "$SVFF_VFIO_QEMU" && start_vm "r$i"; done
"$SVFF" -d "$PF" init 4 >>/e2e/bench.log 2>&1
attach_first 3 && rel_reconf 6 || exit 1
row "\`reconf 4 -> 6\`, 3 VMs released: worst VM downtime" "$REL_MS" \
	"sequential virsh + sysfs script (hot-unplug)" "$vw" "<= 0.4"
free_first 3 || exit 1
# the same 8 -> 10 each time, so that only the number of VMs differs
"$SVFF" -d "$PF" reconf 8 >>/e2e/bench.log 2>&1
declare -A worst
for k in 1 4 8; do
	attach_first "$k" && rel_reconf 10 || exit 1
	worst[$k]=$REL_MS
	free_first "$k" || exit 1
	"$SVFF" -d "$PF" reconf 8 >>/e2e/bench.log 2>&1
done
for k in 4 8; do
	row "\`reconf 8 -> 10\`, $k VMs released: worst VM downtime" "${worst[$k]}" \
		"the same with 1 VM" "${worst[1]}" "<= 1.2"
done
