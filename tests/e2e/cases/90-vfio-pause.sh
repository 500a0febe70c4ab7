#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# The VFIO pause (qemu/README): VMs whose <emulator> is the patched QEMU
# ($SVFF_VFIO_QEMU, qemu/build) keep their VF's PCI device while svff
# re-creates the VFs under them; a VM on stock QEMU still gets hot-unplug.
#  - one reconf of three VMs holding VFs of one PF: rel1 (patched, Linux
#    guest) and bare1 (patched, no OS: it could not answer a hot-unplug)
#    go through the release, hot1 (stock, Linux guest) through hot-unplug,
#    as reconf -j says per VF. Both guests read back the data they wrote;
#    hot1's guest saw its device removed and added (a new sysfs inode),
#    rel1's did not (same inode): told of the reset by PCIe AER (patch
#    0004, x-vfio-notify), its nvme driver recovered the controller at
#    once, without an I/O timeout, and is live again. rel1's first read
#    after the re-acquire (begun after its driver noticed the reset) gives
#    its data back within 10 s of it; that time and each guest's stall
#    (from the start of reconf to its data read back) are printed:
#    "stall: release N s, hot-unplug M s". bare1 runs on its new VF (QEMU's
#    own x-query-vfio says which host device it holds).
#  - reprogram --remove under the same three VMs, its command a script
#    of the case's: each VF paused by the mechanism its VM's QEMU offers,
#    as reprogram -j says. While the script runs, the PF and its VFs are
#    off the bus, rel1 and bare1 suspended and hot1 without a hostdev; it
#    runs once, with SVFF_PF, SVFF_VFS and SVFF_OP. The PF comes back as a
#    new device (new sysfs directories for it and its NVMe controller),
#    nvme bound, the same TotalVFs; each VM holds its VF again at the same
#    guest address (live XML, list -j, x-query-vfio) and both guests read
#    their data back, rel1's through its AER recovery. Printed:
#    the command's time, svff's downtime per VM, each guest's stall.
#  - svff pause -> reconf -> unpause by hand: rel1 and bare1 suspended
#    (virsh domstate paused), their hostdevs still in libvirt's live XML,
#    list says "released", a second pause changes nothing, detach is
#    refused, recover finds nothing to mend; unpause re-acquires and
#    resumes them; rel1's guest again keeps its device and reads its data
#    back.
#  - pause --mechanism release of the stock VM is refused, changing nothing.
#  - reprogram under bare1 alone, holding two VFs: without --remove (the
#    command sees the PF with sriov_numvfs 0 and no VF); a command that
#    fails and one past --command-timeout (exit 1, the old VFs given back; the late one
#    and its child gone); one not found (exit 2, list -j, numvfs and the
#    state file unchanged); a PF that comes back without its driver (the
#    command unloads nvme): exit 4, the record and the paused claims stay,
#    pause and reconf are refused; with nvme back, recover finishes
#    without running the command again, and a second recover does
#    nothing. Then reprogram --remove is killed (hooks build) right after
#    each of its steps "release", "set numvfs 0", "remove pf" and "run
#    command" (recover goes back, the command never run, the PF found
#    again where it was off the bus) and "rescan", "set numvfs 3" and
#    "re-acquire" (recover finishes, without running the command again).
#    After each, bare1 holds its VFs at its guest addresses and its QEMU
#    holds them (x-query-vfio).
# The guests keep nvme's default timeouts (30 s). rel1's reader reads
# every 0.1 s all through its three pauses: every read must give its data
# back, its driver must recover the controller once per pause, told by
# AER, and never time out (the nested guests' kernel carries the fix of
# Linux 6.1's reset path with QEMU's shadow doorbells, qemu/README).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

Q=${SVFF_VFIO_QEMU:-}
[ -n "$Q" ] || fail "SVFF_VFIO_QEMU is empty: make e2e passes the patched QEMU of qemu/build"
[ -x "$Q" ] || fail "SVFF_VFIO_QEMU '$Q' is not an executable"
[ -x "${SVFF_HOOKS_BIN:-}" ] ||
	fail "SVFF_HOOKS_BIN (the build with -DSVFF_TEST_HOOKS, made by 'make e2e') is missing: reprogram is killed once"
NV='^0x1b36:0x0010@'
# rel1's driver noticed its device's reset: told by AER ("frozen state
# error detected") or, were it not told, by an I/O timeout (a failure)
NOTICED='nvme.*(frozen state error detected|timeout)'

con_lines() { local n; n=$(wc -l <"$E2E_RESULTS/vm-$1.console") && echo "$n"; }
# con_scan VM N PROG [-v VAR=VALUE...]: the awk program PROG over the
# lines after line N of VM's console; the first line it sets as hit is
# printed, nothing if none yet. Only whole lines: QEMU writes the guest's
# serial port to the file as the guest sends it, so the last line may be
# one the guest is still amid (a probe cut amid its checksum failed
# runs). The file is read once (a builtin), and what was read is both
# judged and searched: read twice, it grew between.
con_scan() {
	local data cut=0 vm=$1 n=$2 prog=$3
	shift 3
	IFS= read -r -d '' data <"$E2E_RESULTS/vm-$vm.console" || true
	[[ -z $data || $data == *$'\n' ]] || cut=1   # the guest is amid its last line
	printf '%s' "$data" | awk -v n="$n" -v cut="$cut" "$@" '
	    hit != "" { print hit; done = 1; exit }   # a line followed it: whole
	    { sub(/\r$/, "") }
	    NR <= n { next }
	    '"$prog"'
	    END { if (!done && hit != "" && !cut) print hit }'
}
# The first line after line N of VM's console matching PATTERN, after a
# line matching AFTER (default: any line).
con_first() { # VM N PATTERN [AFTER]
	con_scan "$1" "$2" '
	    after != "" && $0 ~ after { seen = 1 }
	    (after == "" || seen) && $0 ~ pat { hit = $0 }' -v pat="$3" -v after="${4:-}"
}
# VM's first read (probe line) after line N of its console that began
# after the first kernel line there matching PATTERN, by the guest's clock
# (the read's end less its time, against the kernel's stamp): a read done
# before a suspend can print its line after the resume, and after the
# kernel's.
first_read() { # VM N PATTERN
	con_scan "$1" "$2" '
	    at == "" && $0 ~ pat && match($0, /^\[ *[0-9]+\.[0-9]+\]/) {
	        at = substr($0, 2, RLENGTH - 2) + 0 }
	    at != "" && /^probe@[^ ]* took=[0-9]+ up=[0-9.]+$/ {
	        split($0, f, /[= ]/)   # probe@NAME MD5 took CS up UPTIME
	        if (f[6] - f[4] / 100 >= at) hit = $0 }' -v pat="$3"
}
qmp() { virsh qemu-monitor-command "$1" "$2" 2>&1; }
ms_since() { echo $(((${EPOCHREALTIME/./} - $1) / 1000)); }
# svff's downtime of rel1's VF in ms, from the -j document in $out
rel1_downtime_ms() {
	json '"%d" % (1000 * [r["downtime_s"] for r in d["restored"] if r["vm"] == "rel1"][0])'
}
# $E2E_RESULTS/guest-stall, a line each for reconf and reprogram: ms from
# the start to rel1's (released) and hot1's (hot-unplugged) data read back,
# and svff's downtime of rel1's VF; tests/bench/run makes them rows
secs() { printf '%d.%d' $(($1 / 1000)) $((($1 % 1000) / 100)); }
# x-query-vfio of VM: "host released" of each of its vfio-pci devices,
# sorted by host address, as QEMU itself (not svff or libvirt) sees them.
# Each device is one {...} of the answer, its members in any order.
qemu_holds() {
	qmp "$1" '{"execute":"x-query-vfio"}' | awk '{
	    n = split($0, o, /}/)
	    for (k = 1; k <= n; k++) {
	        if (!match(o[k], /"host": *"[^"]*"/)) continue
	        h = substr(o[k], RSTART, RLENGTH); sub(/^"host": *"/, "", h); sub(/"$/, "", h)
	        if (!match(o[k], /"released": *[a-z]+/)) continue
	        r = substr(o[k], RSTART, RLENGTH); sub(/^"released": */, "", r)
	        d[m++] = h " " r
	    } }
	    END { for (i = 1; i < m; i++)
	              for (j = i; j > 0 && d[j - 1] > d[j]; j--) { t = d[j]; d[j] = d[j - 1]; d[j - 1] = t }
	          for (i = 0; i < m; i++) printf "%s%s", i ? " " : "", d[i]
	          print "" }'
}
# x-query-vfio of VM: the id (libvirt's alias) of its device that holds,
# or released, host address HOST
qemu_alias() { # VM HOST
	qmp "$1" '{"execute":"x-query-vfio"}' | awk -v h="\"host\":\"$2\"" '{
	    n = split($0, o, /}/)
	    for (k = 1; k <= n; k++)
	        if (index(o[k], h) && match(o[k], /"id": *"[^"]*"/)) {
	            a = substr(o[k], RSTART, RLENGTH); sub(/^"id": *"/, "", a); sub(/"$/, "", a)
	            print a
	        } }'
}
# The VFs in each VM's live XML, as libvirt has them: "VM=HOST@GUEST"
# per hostdev, libvirt's hex without its 0x (one awk per VM)
held() { # VM...
	local vm
	for vm in "$@"; do
		virsh dumpxml "$vm" | awk -v vm="$vm" '
		    function addr(l,   a, k, v) {
		        a = ""
		        for (k = 1; k <= 4; k++) {
		            split("domain bus slot function", f, " ")
		            if (!match(l, f[k] "=.0x[0-9a-f]*")) return "?"
		            v = substr(l, RSTART + length(f[k]) + 4, RLENGTH - length(f[k]) - 4)
		            a = a (k == 1 ? "" : k == 4 ? "." : ":") v
		        }
		        return a
		    }
		    /<hostdev / { h = 1; src = ""; dst = ""; next }
		    h && /<source>/ { s = 1 }
		    h && /<\/source>/ { s = 0 }
		    h && /<address / { if (s) src = addr($0); else dst = addr($0) }
		    /<\/hostdev>/ { if (h) printf "%s=%s@%s ", vm, src, dst; h = 0 }'
	done
}
# The PF as sysfs has it: "DEV_INODE CTRL_INODE DRIVER TOTALVFS CTRL", the
# inodes those of the directories of its PCI device and of its NVMe
# controller (new when the device is new)
pf_now() {
	local drv tot c ino
	drv=$(readlink "/sys/bus/pci/devices/$PF/driver") || drv=none
	read -r tot <"/sys/bus/pci/devices/$PF/sriov_totalvfs"
	for c in "/sys/bus/pci/devices/$PF"/nvme/nvme*; do :; done
	ino=$(stat -L -c %i "/sys/bus/pci/devices/$PF" "$c")
	echo "${ino//$'\n'/ } ${drv##*/} $tot ${c##*/}"
}
T=/run/e2e-90   # reprogram's commands and what they leave
mkdir -p "$T"
export E2E_MARK=$T/mark
# Should the case stop while a reprogram left its PF off the bus or
# unbound, or nvme unloaded (below): the PF as it was
restore_bus() {
	local ko
	{
		[ ! -e "$T/nvme.ko" ] || { read -r ko <"$T/nvme.ko" && mv "$ko.off" "$ko"; }
		[ -e /sys/bus/pci/drivers/nvme ] || modprobe nvme
		[ -e "/sys/bus/pci/devices/$PF" ] || echo 1 >/sys/bus/pci/rescan
		[ -e "/sys/bus/pci/devices/$PF/driver" ] || echo "$PF" >/sys/bus/pci/drivers/nvme/bind
	} 2>/dev/null || true
}
trap restore_bus EXIT
# reprogram's COMMAND: one line of what it finds while it runs to
# $E2E_MARK (the PF and the VFs $E2E_VFS on the bus, sriov_numvfs); with
# "vms" also the VMs svff keeps suspended, whether hot1 has a hostdev and
# rel1's console's length (its VM suspended: what follows is after);
# with "nodriver" it unloads nvme and moves its module file aside (the
# host's /lib/modules is a tmpfs of its own), so that the PF comes back
# with no driver: a PCI rescan binds one whatever drivers_autoprobe says
# (pci_bus_add_device attaches it itself), and udev loads a missing
# driver for the device it finds
cat >"$T/cmd" <<'S'
#!/bin/bash
d=/sys/bus/pci/devices
on=
[ -e "$d/$SVFF_PF" ] && on=pf
for a in $E2E_VFS; do [ -e "$d/$a" ] && on="$on $a"; done
n=-
[ -e "$d/$SVFF_PF/sriov_numvfs" ] && read -r n <"$d/$SVFF_PF/sriov_numvfs"
more=
if [ "${1:-}" = vms ]; then
	read -r lines _ <<<"$(wc -l <"$E2E_RESULTS/vm-rel1.console")"
	more=" paused=$(echo $(virsh list --name --state-paused | sort)) hot1_hostdevs=$(virsh dumpxml hot1 | grep -c '<hostdev') rel1_lines=$lines"
fi
if [ "${1:-}" = nodriver ]; then
	ko=$(modinfo -n nvme) && rmmod nvme && mv "$ko" "$ko.off" && echo "$ko" >"${E2E_MARK%/*}/nvme.ko" || exit 3
fi
echo "PF=$SVFF_PF VFS=$SVFF_VFS OP=$SVFF_OP on_bus=${on:-none} numvfs=$n$more" >>"$E2E_MARK"
S
# and one that outlives svff's bound, with a child of its own
cat >"$T/sleeper" <<'S'
#!/bin/bash
sleep 60 &
echo "$$ $!" >"$E2E_MARK.pids"
wait
S
chmod +x "$T/cmd" "$T/sleeper"

# svff -v ARGS in the background, each line of its standard error stamped
# with the host's time (µs) as it comes: when svff began to re-acquire a
# VM's VF is known to the guest's reads. No process substitution: the host
# has no /dev/fd.
st_start() {
	ST_ARGS="$*"
	: >"$T/st.e"
	ST_T0=${EPOCHREALTIME/./}
	{ "$SVFF" -v "$@" 2>&1 >"$T/st.o"; echo "rc=$?"; } |
		while IFS= read -r l; do echo "${EPOCHREALTIME/./} $l"; done >"$T/st.e" &
	ST_PID=$!
}
st_wait() { # as sv: rc, out and err (without the stamps, -v's saves left out)
	wait "$ST_PID" || true
	IFS= read -r -d '' out <"$T/st.o" || true
	while [[ $out == *$'\n' ]]; do out=${out%$'\n'}; done
	rc=$(sed -n 's/^[0-9]* rc=//p' "$T/st.e")
	err=$(sed '/^[0-9]* rc=[0-9]*$/d; /+ save state to/d; s/^[0-9]* //' "$T/st.e")
	echo "\$ svff -v $ST_ARGS -> $rc"
	[ -z "$out" ] || printf '  %s\n' "${out//$'\n'/$'\n'  }"
	# its steps, each at its time (ms) since svff started
	awk -v t0="$ST_T0" '!/ rc=[0-9]+$/ && !/\+ save state to/ {
	     at = $1; sub(/^[0-9]+ /, ""); printf "  ! %6d ms %s\n", (at - t0) / 1000, $0 }' "$T/st.e"
}
# when svff began to re-acquire VM's VF (host µs), from st_start's stamps
reacq_at() { # VM
	awk -v w="of VM '$1' at" '/qemu: x-vfio-resume/ && index($0, w) { print $1; exit }' "$T/st.e"
}
# While svff runs (st_start), and then for up to 300 s: rel1's first read
# begun after its driver noticed the reset, after console line N (pr, and t_rel the
# host time it was seen, µs), and with H hot1's first read of its data
# after line H (ph, t_hot). Polled every 0.1 s once svff has begun to
# re-acquire (builtins until then: forks are dear under TCG).
wait_reads() { # N [H]
	local data='' end=$((SECONDS + 300))
	t_rel='' t_hot='' pr='' ph=''
	[ -n "${2:-}" ] || t_hot=none
	while kill -0 "$ST_PID" 2>/dev/null; do
		IFS= read -r -d '' data <"$T/st.e" || true
		[[ $data == *"x-vfio-resume"*"of VM 'rel1'"* ]] && break
		sleep 0.1
	done
	while [ "$SECONDS" -lt "$end" ] && { [ -z "$t_rel" ] || [ -z "$t_hot" ]; }; do
		if [ -z "$t_rel" ]; then
			pr=$(first_read rel1 "$1" "$NOTICED")
			[ -z "$pr" ] || t_rel=${EPOCHREALTIME/./}
		fi
		if [ -z "$t_hot" ]; then
			ph=$(con_first hot1 "$2" '^io@.*=read:')
			[ -z "$ph" ] || t_hot=${EPOCHREALTIME/./}
		fi
		if [ -z "$t_rel" ] || [ -z "$t_hot" ]; then sleep 0.1; fi
	done
}
# rel1's guest after WHAT (its console after line N): told, it recovered
# by AER without an I/O timeout, its first read (pr, seen at t_rel) gave
# its data back within 10 s of svff's re-acquire (a third of nvme's I/O
# timeout: told, not timed out; 2.6 to 3.2 s on this host, README), its
# device is the same (sysfs inode) and its controller live
told_ok() { # WHAT N
	local t_acq ms
	[ -n "$t_rel" ] || fail "rel1's guest read nothing back within 300 s of $1"
	t_acq=$(reacq_at rel1)
	[ -n "$t_acq" ] || fail "$1: svff did not re-acquire rel1's VF: $(cat "$T/st.e")"
	ms=$(((t_rel - t_acq) / 1000))
	echo "rel1's first read after $1: $(secs "$ms") s after svff began to re-acquire its VF (seen within 0.1 s): $pr"
	expect_contains "$pr" "=$md5r " "rel1's first read after $1"
	[ -z "$(con_first rel1 "$2" 'nvme.*timeout')" ] ||
		fail "rel1's guest timed out an I/O after $1 (not told?): $(con_first rel1 "$2" 'nvme.*timeout')"
	[ "$ms" -le 10000 ] ||
		fail "rel1's first read after $1 came $(secs "$ms") s after the re-acquire (at most 10 s: a third of nvme's I/O timeout)"
	for _ in $(seq 30); do
		[ -n "$(con_first rel1 "$2" 'AER: device recovery successful')" ] && break
		sleep 1
	done
	[ -n "$(con_first rel1 "$2" 'AER: device recovery successful')" ] ||
		fail "rel1's guest did not report its AER recovery after $1"
	expect_eq "$(guest_dev_id rel1 "${gr##*@}")" "$idr" "rel1's guest's device (sysfs inode) after $1: never removed"
	wait_guest_sees rel1 "^nvme@${gr##*@}=live" 60 ||
		fail "rel1's guest's controller is not live after $1: $(guest_pci_devices rel1 | grep '^nvme@')"
}

sv -d "$PF" init 3
expect_rc 0
define_vm rel1 --os --emulator "$Q" \
	--cmdline "svff_reader=0.1 loglevel=7"   # 7: the AER recovery's info lines too
define_vm hot1 --os --cmdline "svff_io_mib=1"   # its data beside rel1's on the shared namespace
define_vm bare1 --emulator "$Q"
start_vm rel1
start_vm hot1
start_vm bare1
t=$(date +%s)
wait_guest_up rel1 400 || fail "the guest of rel1 did not report within 400 s"
wait_guest_up hot1 400 || fail "the guest of hot1 did not report within 400 s"
echo "both guests up after $(($(date +%s) - t)) s"
sv attach rel1 vf0
expect_rc 0
sv attach hot1 vf1
expect_rc 0
sv attach bare1 vf2
expect_rc 0
vf_map "$PF"
echo "bare1's x-query-vfio: $(qmp bare1 '{"execute":"x-query-vfio"}')"
expect_eq "$(qemu_holds bare1)" "${VF_ADDR[2]} false" "bare1's QEMU holds vf2 (x-query-vfio)"
wait_guest_sees rel1 '^io@.*=wrote:' 180 || fail "rel1's guest did not write: $(guest_pci_devices rel1 | tr '\n' ' ')"
wait_guest_sees hot1 '^io@.*=wrote:' 180 || fail "hot1's guest did not write: $(guest_pci_devices hot1 | tr '\n' ' ')"
md5r=$(guest_pci_devices rel1 | sed -n 's/^io@.*=wrote://p')
md5h=$(guest_pci_devices hot1 | sed -n 's/^io@.*=wrote://p')
[ "$md5r" != "$md5h" ] || fail "both guests wrote the same data ($md5r)"
gr=$(guest_pci_devices rel1 | grep "$NV") gh=$(guest_pci_devices hot1 | grep "$NV")
idr=$(guest_dev_id rel1 "${gr##*@}") idh=$(guest_dev_id hot1 "${gh##*@}")
# rel1's reader reads its data back before anything happens
for _ in $(seq 30); do
	probe=$(con_first rel1 0 '^probe@')
	[ -n "$probe" ] && break
	sleep 1
done
expect_contains "$probe" "=$md5r " "rel1's reader before the pause"
echo "rel1: $gr (sysfs inode $idr) wrote $md5r; $probe"
echo "hot1: $gh (sysfs inode $idh) wrote $md5h"

# the stock VM cannot be released: refused, nothing changes
before=$(snapshot)
sv pause -m release hot1
expect_rc 1
expect_contains "$err" "the QEMU of VM 'hot1' has no VFIO pause" "pause --mechanism release of a stock-QEMU VM"
expect_eq "$(snapshot)" "$before" "host, VMs and state after the refused release"

# a dry run does not ask QEMU (a monitor command taints the VM): auto
# plans the hot-unplug and says so; --mechanism release plans the release
sv -n pause bare1
expect_rc 0
expect_contains "$out" "would: qemu: query-commands of VM 'bare1' (not sent in a dry run: it taints the VM); vf2 planned as a hot-unplug" "pause -n: auto"
expect_contains "$out" "would: libvirt: detach ${VF_ADDR[2]}" "pause -n: auto's plan"
sv -n pause -m release bare1
expect_rc 0
expect_contains "$out" "would: libvirt: suspend VM 'bare1'" "pause -n -m release: the suspend"
expect_contains "$out" "would: qemu: x-vfio-pause" "pause -n -m release: the release"
expect_eq "$(snapshot) $(virsh domstate bare1)" "$before running" "host, VMs and state after the dry runs"

# one reconf, three VMs: the release for the patched ones, hot-unplug for
# the stock one; then each guest's stall until its data is read back
nr=$(con_lines rel1) nh=$(con_lines hot1)
n_io=$nr   # rel1's reads from here on: through three pauses (below)
t0=${EPOCHREALTIME/./}
st_start -t 300 reconf 4 -j
wait_reads "$nr" "$nh"
st_wait
expect_rc 0
expect_eq "$(json 'sorted((r["vm"], r["vf"], r["mechanism"], r["restored"], r["guest_told"]) for r in d["restored"])')" \
	"[('bare1', 2, 'release', True, True), ('hot1', 1, 'hot-unplug', True, False), ('rel1', 0, 'release', True, True)]" \
	"reconf -j: the mechanism per VM, and the released guests told"
echo "svff's downtimes: $(json '", ".join("%s %s %s s" % (r["vm"], r["mechanism"], r["downtime_s"]) for r in d["restored"])')"
d_rel=$(rel1_downtime_ms)
echo "rel1's guest after reconf:"
awk -v n="$nr" 'NR > n { sub(/\r$/, ""); if ($0 !~ /^(PCI-|0x|id@|io@|probe@)/) print "  " $0 }' \
	"$E2E_RESULTS/vm-rel1.console" | head -20
[ -n "$t_hot" ] || fail "hot1's guest read nothing back within 300 s"
told_ok reconf "$nr"
s_rel=$(((t_rel - t0) / 1000)) s_hot=$(((t_hot - t0) / 1000))
echo "stall: release $(secs "$s_rel") s, hot-unplug $(secs "$s_hot") s, $((s_rel * 100 / s_hot))% (from the start of reconf 3 -> 4 to each guest's data read back, seen within 0.1 s)"
echo "reconf $s_rel $s_hot $d_rel" >>"$E2E_RESULTS/guest-stall"
expect_eq "${ph##*:}" "$md5h" "hot1's read back after the hot-unplug"
expect_eq "$(guest_pci_devices rel1 | grep "$NV")" "$gr" "rel1's guest's NVMe device after reconf"
wait_guest_back hot1 "$gh" "$idh" 60 || fail "hot1's guest did not see its device removed and added back"
vf_map "$PF"
expect_eq "$(qemu_holds rel1)" "${VF_ADDR[0]} false" "rel1's QEMU holds the new vf0"
expect_eq "$(qemu_holds bare1)" "${VF_ADDR[2]} false" "bare1's QEMU holds the new vf2"
expect_eq "$(virsh domstate rel1) $(virsh domstate bare1)" "running running" "rel1 and bare1 after reconf"
sv list -j
no_problem "after reconf"
expect_eq "$(json '[(v["vf"], v["state"], v["vm"], v["pause_mechanism"], v["vm_suspended"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(0, 'attached', 'rel1', None, False), (1, 'attached', 'hot1', None, False), (2, 'attached', 'bare1', None, False), (3, 'detached', None, None, False)]" \
	"claims after reconf"

# reprogram --remove under the three VMs: each VF paused as its VM's
# QEMU allows, the PF off the bus while the command runs, found again as
# a new device, 4 VFs made again and given back at the same guest
# addresses; each guest's stall until its data is read back. It starts
# after one of rel1's reads (as the pause by hand below)
t_a=$SECONDS
n=$(con_lines rel1)
for _ in $(seq 60); do
	[ -n "$(con_first rel1 "$n" '^probe@')" ] && break
	sleep 0.5
done
vf_map "$PF"
export E2E_VFS="${VF_ADDR[*]}"
: >"$E2E_MARK"
held0=$(held bare1 hot1 rel1)
pf0=$(pf_now)
idh=$(guest_dev_id hot1 "${gh##*@}")
nr=$(con_lines rel1) nh=$(con_lines hot1)
t0=${EPOCHREALTIME/./}
st_start -j -t 300 reprogram --remove -- "$T/cmd" vms
wait_reads "$nr" "$nh"
st_wait
expect_rc 0
d_rel=$(rel1_downtime_ms)
t_rep=$(ms_since "$t0")
r=$(json '"%s\n%s" % ((d["pf"], d["remove"], d["from"], d["to"], d["reprogrammed"], d["displaced"],
	[d["command"][k] for k in ("ran", "status", "signal", "timed_out")],
	sorted((r["vm"], r["vf"], r["mechanism"], r["restored"], r["guest_told"]) for r in d["restored"]),
	" ".join("%s@%s" % (r["vm"], r["guest_addr"]) for r in sorted(d["restored"], key=lambda r: r["vm"]))),
	"command %.2f s; downtime: %s" % (d["command"]["seconds"],
	", ".join("%s %s %s s" % (r["vm"], r["mechanism"], r["downtime_s"]) for r in d["restored"])))')
echo "reprogram --remove: ${r#*$'\n'}; all of it $(secs "$t_rep") s"
declare -A GA   # each VM's guest address of its VF, as libvirt had it
for w in $held0; do GA[${w%%=*}]=${w##*@}; done
expect_eq "${r%%$'\n'*}" "('$PF', True, 4, 4, True, [], [True, 0, None, False], [('bare1', 2, 'release', True, True), ('hot1', 1, 'hot-unplug', True, False), ('rel1', 0, 'release', True, True)], 'bare1@${GA[bare1]} hot1@${GA[hot1]} rel1@${GA[rel1]}')" \
	"reprogram --remove -j: the command, and the mechanism and guest address per VM"
# while the command ran: no PF, no VF, rel1 and bare1 suspended, hot1
# without its VF; it ran once, with svff's variables
mapfile -t m <"$E2E_MARK"
expect_eq "${#m[@]}" 1 "runs of the command"
[[ ${m[0]} =~ OP=([0-9a-f]{12})\ .*rel1_lines=([0-9]+)$ ]] || fail "the command's mark: ${m[0]}"
fence=${BASH_REMATCH[2]}
expect_eq "${m[0]/OP=* on_bus/OP on_bus}" \
	"PF=$PF VFS=4 OP on_bus=none numvfs=- paused=bare1 rel1 hot1_hostdevs=0 rel1_lines=$fence" \
	"what the command found while it ran"
# the PF came back as a new device: new sysfs directories, the same
# driver and VFs on offer
pf1=$(pf_now)
echo "PF before: $pf0; after: $pf1 (inodes of its device and controller, driver, TotalVFs, controller)"
read -r i0 c0 rest0 <<<"$pf0"
read -r i1 c1 rest1 <<<"$pf1"
if [ "$i0" = "$i1" ] || [ "$c0" = "$c1" ]; then fail "$PF is not a new device after its removal: $pf0, then $pf1"; fi
expect_eq "${rest1% *}" "${rest0% *}" "the PF's driver and TotalVFs after the rescan"
expect_eq "${rest1%% *}" nvme "the PF's driver"
vf_map "$PF"
expect_eq "$(numvfs "$PF") $(for i in 0 1 2 3; do vf_driver "${VF_ADDR[$i]}"; done | tr '\n' ' ')" \
	"4 vfio-pci vfio-pci vfio-pci vfio-pci " "VFs after reprogram"
expect_eq "$(held bare1 hot1 rel1)" "$held0" "the VMs' VFs at their guest addresses (live XML)"
expect_eq "$(qemu_holds rel1) $(qemu_holds bare1)" "${VF_ADDR[0]} false ${VF_ADDR[2]} false" \
	"rel1's and bare1's QEMU hold the new vf0 and vf2"
expect_eq "$(virsh domstate rel1) $(virsh domstate bare1)" "running running" "rel1 and bare1 after reprogram"
sv list -j
no_problem "after reprogram"
expect_eq "$(json '[(v["vf"], v["state"], v["vm"], v["guest_addr"], v["pause_mechanism"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(0, 'attached', 'rel1', '${GA[rel1]}', None), (1, 'attached', 'hot1', '${GA[hot1]}', None), (2, 'attached', 'bare1', '${GA[bare1]}', None), (3, 'detached', None, None, None)]" \
	"claims after reprogram"
# the guests: rel1's kept its device, hot1's saw it removed and added;
# both read their data back
[ -n "$t_hot" ] || fail "hot1's guest read nothing back within 300 s of reprogram"
told_ok "reprogram" "$fence"
echo "stall: release $(secs $(((t_rel - t0) / 1000))) s, hot-unplug $(secs $(((t_hot - t0) / 1000))) s (reprogram --remove itself: $(secs "$t_rep") s; from its start to each guest's data read back, seen within 0.1 s)"
echo "reprogram $(((t_rel - t0) / 1000)) $(((t_hot - t0) / 1000)) $d_rel" >>"$E2E_RESULTS/guest-stall"
expect_eq "${ph##*:}" "$md5h" "hot1's read back after reprogram"
wait_guest_back hot1 "$gh" "$idh" 60 || fail "hot1's guest did not see its device removed and added back by reprogram"
echo "reprogram --remove under three VMs, its checks included: $((SECONDS - t_a)) s"

# hot1 is done: its CPU back for the rest, its VF to bare1, which
# then has two to release and re-acquire (its VM suspended and resumed once)
sv -t 120 detach hot1
expect_rc 0
virsh destroy hot1 >/dev/null
sv attach bare1 vf1
expect_rc 0

# pause, reconf, unpause by hand. The pause follows one of rel1's reads,
# so that the suspend meets its guest between reads, not amid a reset
# (a reset cut by the swap of the device could leave the controller dead;
# that would be the guest's driver, not the release)
n=$(con_lines rel1)
for _ in $(seq 60); do
	[ -n "$(con_first rel1 "$n" '^probe@')" ] && break
	sleep 0.5
done
t0=${EPOCHREALTIME/./}
sv -t 120 pause rel1 bare1 -j
expect_rc 0
expect_eq "$(json '[(p["vm"], p["vf"], p["ok"], p["changed"], p["mechanism"], p["vm_suspended"], p["qemu_asked"], p["qemu_vfio_pause"]) for p in d["paused"]]')" \
	"[('rel1', 0, True, True, 'release', True, True, 'x-vfio-pause'), ('bare1', 1, True, True, 'release', True, True, 'x-vfio-pause'), ('bare1', 2, True, True, 'release', True, True, 'x-vfio-pause')]" \
	"pause -j of rel1 and bare1"
expect_eq "$(virsh domstate rel1) $(virsh domstate bare1)" "paused paused" "rel1 and bare1 after pause"
vf_map "$PF"
expect_eq "$(hostdevs rel1)" "${VF_ADDR[0]}" "rel1's live XML keeps its hostdev"
expect_eq "$(qemu_holds rel1)" "${VF_ADDR[0]} true" "rel1's QEMU released vf0"
expect_eq "$(qemu_holds bare1)" "${VF_ADDR[1]} true ${VF_ADDR[2]} true" "bare1's QEMU released vf1 and vf2"
sv list -j
no_problem "while released"
expect_eq "$(json '[(v["vf"], v["state"], v["pause_mechanism"], v["vm_suspended"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(0, 'paused', 'release', True), (1, 'paused', 'release', True), (2, 'paused', 'release', True), (3, 'detached', None, False)]" \
	"list -j while released"
expect_eq "$(claims "$PF")" "0:rel1:released 1:bare1:released 2:bare1:released" "list while released"
# while released: a second pause changes nothing, detach is refused (the
# suspended guest could not answer a hot-unplug)
before=$(snapshot)
sv pause rel1 -j
expect_rc 0
expect_eq "$(json '[(p["vf"], p["ok"], p["changed"], p["mechanism"]) for p in d["paused"]]')" "[(0, True, False, 'release')]" "pause of a released VF"
sv -t 30 detach rel1
expect_rc 1
expect_contains "$err" "vf0 is released by the QEMU of VM 'rel1', which svff keeps suspended" "detach while released"
expect_eq "$(snapshot)" "$before" "host, VMs and state after pause again and the refused detach"
expect_eq "$(virsh domstate rel1)" paused "rel1 after the refused detach"
sv -t 120 reconf 3 -j
expect_rc 0
expect_eq "$(json '(d["from"], d["to"], d["restored"])')" "(4, 3, [])" "reconf under released claims"
expect_eq "$(numvfs "$PF")" 3 "numvfs after reconf"
expect_eq "$(virsh domstate rel1) $(virsh domstate bare1)" "paused paused" "rel1 and bare1 after reconf"
expect_eq "$(claims "$PF")" "0:rel1:released 1:bare1:released 2:bare1:released" "list after reconf"
# recover finds the released claims as the VMs' QEMU has them: nothing to mend
sv recover
expect_rc 0
expect_eq "$(claims "$PF") $(virsh domstate rel1) $(virsh domstate bare1)" \
	"0:rel1:released 1:bare1:released 2:bare1:released paused paused" "claims and VMs after recover"
r=$(virsh resume rel1 2>&1) && fail "virsh resume of rel1 while its VF is released: $r"
expect_contains "$r" "re-acquire it before continuing" "virsh resume while released"
# a VF whose IOMMU group another process holds open cannot be re-acquired:
# QEMU refuses, unpause fails for it with QEMU's reason, and it stays
# released, its VM suspended; the other VF of that VM is re-acquired
vf_map "$PF"
grp=$(readlink "/sys/bus/pci/devices/${VF_ADDR[2]}/iommu_group")
exec 9<>"/dev/vfio/${grp##*/}" || fail "cannot hold /dev/vfio/${grp##*/} (vf2's group, released) open"
sv -t 120 unpause bare1 -j
exec 9<&-
expect_rc 1
expect_eq "$(json '[(p["vf"], p["ok"], p["changed"], p["mechanism"], p["vm_resumed"]) for p in d["unpaused"]]')" \
	"[(1, True, True, 'release', False), (2, False, False, 'release', False)]" "unpause -j of bare1, vf2's group held open"
expect_contains "$(json 'd["unpaused"][1]["error"]')" "the QEMU of VM 'bare1' refused x-vfio-resume: " "vf2's error"
expect_contains "$(json 'd["unpaused"][1]["error"]')" "/dev/vfio/${grp##*/}" "vf2's error: QEMU's reason"
expect_eq "$(qemu_holds bare1) $(virsh domstate bare1)" "${VF_ADDR[1]} false ${VF_ADDR[2]} true paused" \
	"bare1's QEMU and state after the refused re-acquire"
expect_eq "$(claims "$PF")" "0:rel1:released 1:bare1:attached 2:bare1:released" "claims after the refused re-acquire"
# an operator re-acquires vf2 by hand; unpause then finds QEMU refusing
# ("has not released"), asks x-query-vfio, and takes it as done
al=$(qemu_alias bare1 "${VF_ADDR[2]}")
r=$(qmp bare1 "{\"execute\":\"x-vfio-resume\",\"arguments\":{\"id\":\"$al\",\"host\":\"${VF_ADDR[2]}\"}}")
expect_contains "$r" '"return":{}' "x-vfio-resume of vf2 ($al) by hand"
n=$(con_lines rel1)   # the guest is stopped: what follows is after unpause
st_start -t 120 unpause rel1 bare1 -j
wait_reads "$n"
st_wait
expect_rc 0
expect_eq "$(json '[(p["vm"], p["vf"], p["ok"], p["changed"], p["mechanism"], p["vm_resumed"], p["guest_told"], p["guest_not_told"]) for p in d["unpaused"]]')" \
	"[('rel1', 0, True, True, 'release', True, True, None), ('bare1', 1, True, False, 'none', False, False, None), ('bare1', 2, True, True, 'release', True, True, None)]" \
	"unpause -j of rel1 and bare1: the guests told"
expect_eq "$(virsh domstate rel1) $(virsh domstate bare1)" "running running" "rel1 and bare1 after unpause"
vf_map "$PF"
expect_eq "$(qemu_holds rel1)" "${VF_ADDR[0]} false" "rel1's QEMU holds the new vf0"
expect_eq "$(qemu_holds bare1)" "${VF_ADDR[1]} false ${VF_ADDR[2]} false" "bare1's QEMU holds the new vf1 and vf2"
sv list -j
no_problem "after unpause"
expect_eq "$(json '[(v["vf"], v["state"], v["pause_mechanism"], v["vm_suspended"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(0, 'attached', None, False), (1, 'attached', None, False), (2, 'attached', None, False)]" \
	"list -j after unpause"
told_ok "pause, reconf, unpause" "$n"

# rel1's reader read all along, through the reconf, the reprogram and the
# pause, reconf and unpause by hand: every read gave its data back, its
# driver reset the controller once per pause, each time told by AER and
# never after an I/O timeout (the guest kernel's reset-path fix,
# tests/host/guest-kernel.patches: without it, every read after the first
# recovery timed out and reset it again)
# READS BAD GARBLED RESETS TOLD TIMEOUTS GAP AFTER: rel1's reads since
# line n_io, those not giving its data back, probe lines cut by a kernel
# message, controller resets, AER recoveries, I/O timeouts, the longest
# gap between reads (guest time), and the fewest reads between one reset
# and the next (or the end)
rel1_io() {
	awk -v n="$n_io" -v want="$md5r" '
	NR <= n { next }
	{ sub(/\r$/, "") }
	/nvme.*reset controller/ {
		if (resets && (min == "" || since < min)) min = since
		resets++; since = 0
	}
	/AER: device recovery successful/ { told++ }
	/nvme.*timeout/ { timeouts++ }
	/^probe@nvme[0-9]+n1=[0-9a-f]+ took=[0-9]+ up=[0-9.]+$/ {
		split($0, f, /[= ]/)
		reads++; since++
		if (f[2] != want) bad++
		up = f[6] + 0
		if (last != "" && up - last > gap) gap = up - last
		last = up
		next
	}
	/^probe@/ { garbled++ }   # a kernel message amid the line
	END {
		if (resets && (min == "" || since < min)) min = since
		printf "%d %d %d %d %d %d %.1f %d", reads, bad, garbled, resets, told, timeouts, gap, min
	}' "$E2E_RESULTS/vm-rel1.console"
}
for _ in $(seq 60); do   # three reads after the last reset
	read -r reads bad garbled resets told timeouts gap after <<<"$(rel1_io)"
	[ "$after" -lt 3 ] || break
	sleep 1
done
echo "rel1's reader (every 0.1 s) through three pauses: $reads reads, $bad errors, $garbled lines cut by a kernel message, $resets controller resets ($told told by AER, $timeouts I/O timeouts), at least $after reads after each, longest gap ${gap} s of guest time"
expect_eq "$bad" 0 "rel1's reads that did not give its data back"
expect_eq "$resets $told $timeouts" "3 3 0" "rel1's controller resets, AER recoveries and I/O timeouts through three pauses"
[ "$after" -ge 3 ] || fail "rel1's reader stalled after a reset: only $after reads until the next one"

# rel1's guest has shown what it had to: its CPU back for the rest
virsh destroy rel1 >/dev/null
sv -t 60 detach rel1
expect_rc 0

# reprogram under bare1, released (no guest to wait for): without
# --remove; a command that fails, one that outlives the bound, one not
# found; a PF that does not come back. After each, bare1 holds its two
# VFs again (vms_hold)
t_end=$SECONDS
vf_map "$PF"
export E2E_VFS="${VF_ADDR[*]}"
held0=$(held bare1)
vms_hold() { # WHAT
	expect_eq "$(numvfs "$PF") $(held bare1) $(virsh domstate bare1)" "3 $held0 running" \
		"$1: bare1's VFs at their guest addresses"
	expect_eq "$(claims)" "1:bare1:attached 2:bare1:attached" "$1: claims"
	vf_map "$PF"
	expect_eq "$(qemu_holds bare1)" "${VF_ADDR[1]} false ${VF_ADDR[2]} false" "$1: what bare1's QEMU holds"
}
: >"$E2E_MARK"
sv -t 60 reprogram -- "$T/cmd"
expect_rc 0
expect_contains "$out" "$PF: reprogrammed: 3 -> 3 VFs on vfio-pci" "reprogram without --remove"
mapfile -t m <"$E2E_MARK"
expect_eq "${#m[@]} ${m[0]/OP=* on_bus/OP on_bus}" "1 PF=$PF VFS=3 OP on_bus=pf numvfs=0" \
	"what the command found while it ran (without --remove)"
vms_hold "reprogram without --remove"

sv -j -t 60 reprogram -- false
expect_rc 1
expect_contains "$err" "exited 1: 3 VFs are back as before, and the VMs have theirs" "reprogram -- false"
expect_eq "$(json '(d["reprogrammed"], d["from"], d["to"], d["command"]["ran"], d["command"]["status"], sorted((r["vf"], r["restored"]) for r in d["restored"]))')" \
	"(False, 3, 3, True, 1, [(1, True), (2, True)])" "reprogram -j -- false"
vms_hold "a command that failed"

t0=${EPOCHREALTIME/./}
sv reprogram --command-timeout 3 -- "$T/sleeper"
expect_rc 1
echo "the command stopped at its bound: svff took $(secs "$(ms_since "$t0")") s"
expect_contains "$err" "command '$T/sleeper' timed out after 3 s (stopped by SIGTERM)" "reprogram of a command past its bound"
expect_contains "$err" "3 VFs are back as before" "reprogram of a command past its bound"
read -r p1 p2 <"$E2E_MARK.pids"
for p in "$p1" "$p2"; do
	st=$(cat "/proc/$p/stat" 2>/dev/null) || continue
	[[ $st == *") Z "* ]] || fail "the command's process $p outlived its bound: $st"
done
vms_hold "a command that timed out"

sv list -j
l0=$out
IFS= read -r -d '' s0 <"$SVFF_STATE_DIR/state" || true
sv -t 60 reprogram -- /nonexistent/tool
expect_rc 2
expect_contains "$err" "command '/nonexistent/tool' is not found" "reprogram of a command not found"
sv list -j
expect_eq "$out" "$l0" "list -j after a command not found"
IFS= read -r -d '' s1 <"$SVFF_STATE_DIR/state" || true
expect_eq "$(numvfs "$PF") $s1" "3 $s0" "numvfs and the state file after a command not found"

# the PF comes back without its driver (the command unloaded nvme): exit
# 4, the record and the paused claims stay, other verbs are refused; once
# the driver is back and has bound the PF, recover finishes without
# running the command again
: >"$E2E_MARK"
sv -t 3 reprogram --remove -- "$T/cmd" nodriver
expect_rc 4
expect_contains "$err" "$PF came back, but its driver 'nvme' did not bind within 3 s" "a PF that does not come back"
expect_contains "$err" "once the PF is back as it was, 'svff recover' finishes" "a PF that does not come back"
expect_eq "$([ -e "/sys/bus/pci/devices/$PF" ] && echo there) $(vf_driver "$PF")" "there " \
	"the PF on the bus, without a driver"
expect_eq "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); o = d["op"]
print((o["verb"], o.get("ran"), o["step_name"], o["removed"]["driver"], [(c["vf"], c["vm_name"], c["state"], c["op_paused"]) for c in d["pfs"][0]["claims"]]))' "$SVFF_STATE_DIR/state")" \
	"('reprogram', True, 'rescan', 'nvme', [(1, 'bare1', 'paused', True), (2, 'bare1', 'paused', True)])" \
	"the state file while the PF is unbound"
sv list -j
expect_rc 0
expect_contains "$out" "operation 'reprogram' interrupted" "list -j while the PF is unbound"
expect_eq "$(claims) $(virsh domstate bare1)" "1:bare1:released 2:bare1:released paused" \
	"claims and bare1 while the PF is unbound"
sv pause bare1
expect_rc 4
expect_contains "$err" "svff recover" "pause while the PF is unbound"
sv reconf 2
expect_rc 4
expect_contains "$err" "svff recover" "reconf while the PF is unbound"
read -r ko <"$T/nvme.ko"
mv "$ko.off" "$ko"
rm "$T/nvme.ko"
modprobe nvme
expect_eq "$(vf_driver "$PF")" nvme "the PF once nvme is loaded again"
sv -t 60 recover
expect_rc 0
sv recover
expect_rc 0
expect_contains "$out" "nothing to do" "a second recover"
mapfile -t m <"$E2E_MARK"
expect_eq "${#m[@]} ${m[0]/OP=* on_bus/OP on_bus}" "1 PF=$PF VFS=3 OP on_bus=none numvfs=-" \
	"the command of the reprogram recover finished: run once"
vms_hold "recover of a PF bound again"

# killed (SIGKILL, the hooks build) right after each step of its own
# is recorded, and at those it shares with reconf where the host
# changes. Before the command started (up to "run command", which is
# recorded before it starts), recover goes back: the command never runs,
# and a PF already off the bus is found again by a rescan. From "rescan"
# on (the command ran), recover goes on to the new count, and never runs
# the command again. (The unit tests kill every step on a fake sysfs
# tree, with both mechanisms; here each kill costs about 6 s.)
t_kills=$SECONDS
killed_ok() { # WHAT PF
	local pf1
	vms_hold "$1"
	mapfile -t m <"$E2E_MARK"
	expect_eq "${#m[@]}" "$want_runs" "$1: runs of the command"
	pf1=$(pf_now)
	read -r i0 _ d0 n0 _ <<<"$pf0"
	read -r i1 _ d1 n1 _ <<<"$pf1"
	if [ "$want_new" = new ]; then
		[ "$i0" != "$i1" ] || fail "$1: $PF is not a new device: $pf0, then $pf1"
	else
		expect_eq "$i1" "$i0" "$1: the PF never left the bus"
	fi
	expect_eq "$d1 $n1" "$d0 $n0" "$1: the PF's driver and TotalVFs"
}
clear_mark() { : >"$E2E_MARK"; pf0=$(pf_now); }
SVFF0=$SVFF SVFF=$SVFF_HOOKS_BIN SWEEP_VM=bare1
for k in release:0:same set_numvfs_0:0:same remove_pf:0:same run_command:0:new \
	rescan:1:new set_numvfs_3:1:new re-acquire:1:new; do
	IFS=: read -r step want_runs want_new <<<"$k"
	crash_steps reprogram "$PF" clear_mark killed_ok "$step" reprogram --remove -- "$T/cmd"
done
SVFF=$SVFF0
expect_eq "$SWEEP_RECOVERED/$SWEEP_KILLED" 7/7 "reprogram's kills recovered"
echo "reprogram under bare1: $((t_kills - t_end)) s; killed at 7 steps and recovered: $((SECONDS - t_kills)) s"

virsh destroy bare1 >/dev/null
