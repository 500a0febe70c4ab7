# Shared by the end-to-end cases; sourced inside the emulated host.
# shellcheck shell=bash

# The SR-IOV PFs and the plain (no SR-IOV) NVMe of this boot, from sysfs.
SVFF_PFS=$(for d in /sys/bus/pci/devices/*; do
	[ -e "$d/sriov_totalvfs" ] && basename "$d"; done | sort | tr '\n' ' ')
SVFF_PLAIN=$(for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class")" = 0x010802 ] && [ ! -e "$d/sriov_totalvfs" ] && [ ! -e "$d/physfn" ] &&
		basename "$d"; done | head -1)
PF=${SVFF_PFS%% *}
export SVFF_PFS SVFF_PLAIN PF
export LIBVIRT_DEFAULT_URI=qemu:///system
# the kernels and initramfs images, cached outside the clone (tests/host/boot)
E2E_CACHE=$(cat /e2e/cache 2>/dev/null || echo /var/cache/svff-tests)

fail() {
	echo "FAIL: $*"
	exit 1
}

expect_eq() { # ACTUAL EXPECTED WHAT
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

expect_contains() { # HAYSTACK NEEDLE WHAT
	case $1 in *"$2"*) ;; *) fail "$3: '$2' not in: $1" ;; esac
}

# Run svff, keeping stdout in $out, stderr in $err and the status in $rc.
# The log line gives its wall time ($EPOCHREALTIME: no process start).
# Only builtins besides svff itself: under TCG every process start costs
# tens of milliseconds, and the suite runs svff about a thousand times.
sv() {
	local t0 ms tmp=/run/e2e-sv.$BASHPID   # this (sub)shell's own files
	rc=0
	t0=${EPOCHREALTIME/./}
	"$SVFF" "$@" >"$tmp.o" 2>"$tmp.e" || rc=$?
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	IFS= read -r -d '' out <"$tmp.o" || true
	IFS= read -r -d '' err <"$tmp.e" || true
	# as $(...) would: without the final newlines
	while [[ $out == *$'\n' ]]; do out=${out%$'\n'}; done
	while [[ $err == *$'\n' ]]; do err=${err%$'\n'}; done
	echo "\$ svff $* -> $rc ($ms ms)"
	[ -z "$out" ] || printf '  %s\n' "${out//$'\n'/$'\n'  }"
	[ -z "$err" ] || printf '  ! %s\n' "${err//$'\n'/$'\n'  ! }"
	return 0
}

expect_rc() { # STATUS (of the last sv)
	[ "$rc" = "$1" ] || fail "expected exit status $1, got $rc (stderr: $err)"
}

# A JSON value from $out: jq-less, through python3's json module.
json() { # EXPRESSION over the parsed document `d`
	printf '%s' "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

numvfs() { local v; read -r v <"/sys/bus/pci/devices/$1/sriov_numvfs"; echo "$v"; }
vf_addr() { local l; l=$(readlink "/sys/bus/pci/devices/$1/virtfn$2") && echo "${l##*/}"; }
# vf_map PF: VF_ADDR[index] and VF_OF[address] for every VF of PF, from
# one process (ls) rather than a readlink per VF.
declare -A VF_ADDR VF_OF
vf_map() {
	local line l
	VF_ADDR=() VF_OF=()
	while read -r line; do
		[[ $line == *" virtfn"*" -> "* ]] || continue
		l=${line##* virtfn}
		VF_ADDR[${l%% *}]=${l##*/}
		VF_OF[${l##*/}]=${l%% *}
	done <<<"$(ls -l "/sys/bus/pci/devices/$1/")"   # no /dev/fd in the host
}
vf_driver() { local l; l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) && echo "${l##*/}"; }

# Everything a case could have changed: a snapshot to compare. The NVMe
# secondary controllers (each VF's resources) as nvme-cli, not svff, sees
# them.
snapshot() {
	local c
	{
		for p in $SVFF_PFS; do
			echo "$p numvfs=$(numvfs "$p") autoprobe=$(cat "/sys/bus/pci/devices/$p/sriov_drivers_autoprobe")"
			for c in /sys/bus/pci/devices/"$p"/nvme/nvme*; do
				[ -e "$c" ] && nvme list-secondary "/dev/${c##*/}" -o json
			done
			for l in /sys/bus/pci/devices/"$p"/virtfn*; do
				[ -e "$l" ] && echo "  $(basename "$(readlink "$l")") $(vf_driver "$(basename "$(readlink "$l")")")"
			done
		done
		cat "$SVFF_STATE_DIR/state" 2>/dev/null
		for d in $(virsh list --all --name 2>/dev/null); do
			virsh dumpxml "$d" | grep -A3 '<hostdev' || true
		done
	} 2>/dev/null
}

# The primary NVMe controller of PF, which has no VFs, holds Q VQ and I VI
# flexible resources: given with nvme-cli and a function reset, as QEMU's
# documentation shows.
nvme_primary_holds() { # PF Q I
	local ctl cntlid
	ctl=$(ls "/sys/bus/pci/devices/$1/nvme")
	cntlid=$(nvme id-ctrl "/dev/$ctl" -o json | python3 -c 'import json, sys; print(json.load(sys.stdin)["cntlid"])')
	nvme virt-mgmt "/dev/$ctl" -c "$cntlid" -r 0 -a 1 -n "$2" >/dev/null &&
		nvme virt-mgmt "/dev/$ctl" -c "$cntlid" -r 1 -a 1 -n "$3" >/dev/null ||
		fail "nvme-cli: primary flexible allocation on $1"
	echo 1 >"/sys/bus/pci/devices/$1/reset"
	for _ in $(seq 60); do
		[ "$(cat "/sys/bus/pci/devices/$1/nvme/$ctl/state")" = live ] && return 0
		sleep 0.5
	done
	fail "the NVMe controller of $1 is not live after its reset"
}
# "VQ VI": the flexible resources the primary controller of PF holds.
nvme_primary_has() { # PF
	nvme primary-ctrl-caps "/dev/$(ls "/sys/bus/pci/devices/$1/nvme")" -o json |
		python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["vqrfap"], d["virfap"])'
}

start_libvirtd() {
	id libvirt-qemu >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin libvirt-qemu
	mkdir -p /etc/libvirt /var/log/libvirt/qemu /var/lib/libvirt/qemu /var/cache/libvirt /run/libvirt
	cat >/etc/libvirt/qemu.conf <<-'C'
	user = "root"
	group = "root"
	dynamic_ownership = 0
	security_driver = "none"
	cgroup_controllers = [ ]
	namespaces = [ ]
	stdio_handler = "file"
	C
	# A client that can run events but does not answer libvirtd's pings
	# is dropped; this drops it after about 6 s idle instead of 30, so
	# every case proves that svff's connections answer (lib/virt.c).
	cat >/etc/libvirt/libvirtd.conf <<-'C'
	keepalive_interval = 2
	keepalive_count = 2
	C
	/usr/sbin/libvirtd -d || return 1
	for _ in $(seq 150); do
		virsh version >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# Put the host back as it booted: no domains, no VFs, autoprobe on.
reset_host() {
	for d in $(virsh list --all --name 2>/dev/null); do
		virsh destroy "$d" >/dev/null 2>&1
		virsh undefine "$d" >/dev/null 2>&1
	done
	for p in $SVFF_PFS; do
		echo 0 >"/sys/bus/pci/devices/$p/sriov_numvfs"
		echo 1 >"/sys/bus/pci/devices/$p/sriov_drivers_autoprobe"
	done
}

# define_vm NAME [--os] [--ports N] [--emulator PATH] [--cmdline ARGS]: a
# q35 TCG domain with N free PCIe hot-plug slots (pcie-root-ports). --os
# boots the small guest kernel (tests/host/guest-kernel) with a tiny
# initramfs whose init prints the PCI devices it sees on the serial console
# ($E2E_RESULTS/vm-NAME.console) whenever they change; --cmdline adds to
# that kernel's command line (kernel options, and tests/host/guest-os-init's
# svff_reader= and svff_io_mib=). --emulator: the QEMU binary libvirt
# starts (default the system's; $SVFF_VFIO_QEMU is the one with the VFIO
# pause, qemu/README).
define_vm() {
	local name=$1 os='' ports=3 boot='' emulator=/usr/bin/qemu-system-x86_64 cmdline=''
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--os) os=1; shift ;;
		--ports) ports=$2; shift 2 ;;
		--emulator) emulator=$2; shift 2 ;;
		--cmdline) cmdline=" $2"; shift 2 ;;
		*) fail "define_vm: bad option $1" ;;
		esac
	done
	[ -n "$os" ] || [ -z "$cmdline" ] || fail "define_vm: --cmdline without --os"
	if [ -n "$os" ]; then
		boot="<kernel>$E2E_CACHE/guest-bzImage</kernel>
    <initrd>$E2E_CACHE/guest-initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet$cmdline</cmdline>"
	fi
	{
		cat <<-X
		<domain type='qemu'>
		  <name>$name</name>
		  <memory unit='MiB'>${E2E_VM_MEM:-256}</memory>
		  <vcpu>1</vcpu>
		  <os><type arch='x86_64' machine='q35'>hvm</type>$boot</os>
		  <features><acpi/></features>
		  <devices>
		    <emulator>$emulator</emulator>
		    <controller type='pci' model='pcie-root'/>
		X
		for _ in $(seq "$ports"); do echo "    <controller type='pci' model='pcie-root-port'/>"; done
		cat <<-X
		    <serial type='file'><source path='$E2E_RESULTS/vm-$name.console'/></serial>
		    <controller type='usb' model='none'/>
		    <memballoon model='none'/>
		  </devices>
		</domain>
		X
	} >"/run/e2e-$name.xml"
	virsh define "/run/e2e-$name.xml" >/dev/null || fail "cannot define VM $name"
}

start_vm() { virsh start "$1" >/dev/null || fail "cannot start VM $1"; }

# The PCI devices the guest of VM NAME last reported (vendor:device@addr).
guest_pci_devices() {
	awk '{ sub(/\r$/, "") } /^PCI-BEGIN/ { buf = ""; inb = 1; next }
	     /^PCI-END/ { last = buf; inb = 0; next } inb { buf = buf $0 "\n" }
	     END { printf "%s", last }' "$E2E_RESULTS/vm-$1.console" 2>/dev/null
}

wait_guest_sees() { # NAME PATTERN TIMEOUT
	local end=$(($(date +%s) + $3))
	while [ "$(date +%s)" -lt "$end" ]; do
		guest_pci_devices "$1" | grep -q "$2" && return 0
		sleep 1
	done
	return 1
}

wait_guest_gone() { # NAME PATTERN TIMEOUT
	local end=$(($(date +%s) + $3))
	while [ "$(date +%s)" -lt "$end" ]; do
		guest_pci_devices "$1" | grep -q "$2" || return 0
		sleep 1
	done
	return 1
}

# The guest's identity of the device at guest address ADDR in its last
# report (the inode of its sysfs directory: new each time it is added).
guest_dev_id() { guest_pci_devices "$1" | sed -n "s/^id@$2=//p"; }

# The guest of VM NAME has the device LINE (vendor:device@addr) again, and
# as a new device, not the one it had as ID0: it saw it go and come back.
wait_guest_back() { # NAME LINE ID0 TIMEOUT
	local end=$(($(date +%s) + $4)) addr=${2##*@} id
	while [ "$(date +%s)" -lt "$end" ]; do
		if guest_pci_devices "$1" | grep -qx "$2"; then
			id=$(guest_dev_id "$1" "$addr")
			[ -n "$id" ] && [ "$id" != "$3" ] && return 0
		fi
		sleep 1
	done
	return 1
}

wait_guest_up() { # NAME TIMEOUT: the guest printed its first report
	local end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt "$end" ]; do
		grep -q '^PCI-END' "$E2E_RESULTS/vm-$1.console" 2>/dev/null && return 0
		sleep 1
	done
	return 1
}

# The host addresses of the PCI hostdevs in a VM's live XML (sed, not
# python: every process start counts under TCG inside TCG).
hostdevs() { # VM
	virsh dumpxml "$1" | sed -n '/<hostdev /,/<\/hostdev>/{/<source>/{n;p}}' |
		sed -n "s/.*domain='0x\([0-9a-f]*\)' bus='0x\([0-9a-f]*\)' slot='0x\([0-9a-f]*\)' function='0x\([0-9a-f]*\)'.*/\1:\2:\3.\4/p" |
		while IFS=':.' read -r d b sl f; do printf '%04x:%02x:%02x.%x\n' "0x$d" "0x$b" "0x$sl" "0x$f"; done
}

# Claims on PF (default: the first PF) as "vf:vm:state" words, from
# list's table.
claims() { # [PF]
	sv -d "${1:-$PF}" list >/dev/null   # sv logs on stdout; only the words go out
	printf '%s\n' "$out" | awk '$1 ~ /^[0-9]+$/ && $5 != "detached" { printf "%s%s:%s:%s", sep, $1, $6, $5; sep = " " }'
}

# list -j (in $out) reports no problem for any PF or VF: every "problem"
# is null (grep, not python: a process start is dear under TCG).
no_problem() { # WHAT
	local all nul
	all=$(printf '%s\n' "$out" | grep -c '"problem":')
	nul=$(printf '%s\n' "$out" | grep -c '"problem": null')
	[ "$all" -gt 0 ] || fail "$1: no \"problem\" field in list -j"
	[ "$all" = "$nul" ] || fail "$1: list reports a problem: $(printf '%s\n' "$out" | grep '"problem":' | grep -v null)"
}

# The SR-IOV NIC PF of this boot (boot --nic igb: an Intel 82576, igb) as
# NIC_PF, empty without one: the first network controller (class 0x0200)
# with SR-IOV. It is in SVFF_PFS too. Builtins only.
NIC_PF=''
for _d in /sys/bus/pci/devices/*; do
	[ -e "$_d/sriov_totalvfs" ] || continue
	read -r _c <"$_d/class"
	[[ $_c == 0x0200* ]] && NIC_PF=${_d##*/} && break
done
unset _d _c
export NIC_PF
# The network interface of PCI function ADDR (a NIC PF or a VF on a host
# driver), or nothing.
netdev_of() { # ADDR
	local n
	for n in "/sys/bus/pci/devices/$1"/net/*; do
		[ -e "$n" ] && echo "${n##*/}" && return 0
	done
	return 1
}

# bg_svff STEP ARGS...: `svff ARGS` ($BG_SVFF, default $SVFF) started in
# the background, its output in /run/e2e-bg.{o,e}; returns once the state
# file's record names STEP (a fault is then sent at a known step). Sets
# BG_PID. bg_wait: its end; sets rc, and said (its stdout and stderr).
bg_svff() {
	local step=$1
	shift
	"${BG_SVFF:-$SVFF}" "$@" >/run/e2e-bg.o 2>/run/e2e-bg.e &
	BG_PID=$!
	for _ in $(seq 900); do
		grep -q "\"step_name\": \"$step\"" "$SVFF_STATE_DIR/state" 2>/dev/null && return 0
		kill -0 "$BG_PID" 2>/dev/null ||
			fail "svff $* ended before its step '$step': $(cat /run/e2e-bg.e)"
		sleep 0.1
	done
	fail "svff $* did not reach its step '$step' within 90 s"
}
bg_wait() {
	rc=0
	wait "$BG_PID" || rc=$?
	said=$(cat /run/e2e-bg.o /run/e2e-bg.e)
	printf '  | %s\n' "${said//$'\n'/$'\n'  | }"
}
# svff ARGS stalled right after recording step STEP of VERB, for S
# seconds (the hooks build's SVFF_TEST_STALL_AT), FAULT (a command: the
# host failing, a signal to $BG_PID) run while it waits there; then
# waited for: rc, and said (its output). 70-crash's signals and
# 72-faults' faults.
fault_during() { # VERB STEP S FAULT ARGS...
	local verb=$1 step=$2 secs=$3 fault=$4
	shift 4
	SVFF_TEST_STALL_AT="$verb:$step:$secs" bg_svff "$step" "$@"
	echo "\$ svff $* <- $fault at '$step'"
	$fault
	bg_wait
}

# After svff -d PF VERB was killed at step AT: the next verb (attach
# $SWEEP_VM) must refuse and point at recover, recover must succeed, a
# second recover change nothing, and `CHECK WHAT PF` hold.
crash_recovered() { # VERB AT PF CHECK
	SWEEP_KILLED=$((SWEEP_KILLED + 1))
	sv -d "$3" attach "$SWEEP_VM"
	expect_rc 4
	expect_contains "$err" "run 'svff recover'" "$1 killed at step $2: the next verb"
	sv -d "$3" -t 120 recover
	expect_rc 0
	local said=${out//$'\n'/ }   # builtins only: a process start is dear under TCG
	echo "   recover: ${said:0:300}"
	sv -d "$3" recover
	expect_rc 0
	expect_contains "$out" "nothing to do" "$1 killed at step $2: a second recover"
	$4 "$1 killed at step $2" "$3"
	SWEEP_RECOVERED=$((SWEEP_RECOVERED + 1))
	echo "== $1 killed at step $2: recovered, consistent (at ${SECONDS} s)"
}

# crash_sweep VERB PF SETUP RESET CHECK ARGS...: run `svff -d PF ARGS`
# (the hooks build: $SVFF is SVFF_HOOKS_BIN) killed right after step 0,
# 1, ... it records (SVFF_TEST_KILL_AT), SETUP before each run, until it
# runs to the end (then RESET); crash_recovered after each kill. Counts
# the kills and the recoveries in SWEEP_KILLED and SWEEP_RECOVERED.
SWEEP_KILLED=0 SWEEP_RECOVERED=0
crash_sweep() {
	local verb=$1 pf=$2 setup=$3 reset=$4 check=$5 n=0
	shift 5
	while [ $n -lt 40 ]; do
		$setup
		export SVFF_TEST_KILL_AT=$verb:$n
		sv -d "$pf" -t 120 "$@"
		unset SVFF_TEST_KILL_AT
		if [ "$rc" != 137 ]; then
			expect_rc 0
			echo "== $verb: ran to the end when not killed at step $n (at ${SECONDS} s)"
			$reset
			return
		fi
		crash_recovered "$verb" "$n" "$pf" "$check"
		$reset
		n=$((n + 1))
	done
	fail "$verb: still killed at step 40"
}

# crash_steps VERB PF SETUP CHECK "STEP..." ARGS...: the same, killed
# right after each step named (a name the journal gives the step, e.g.
# "re-acquire"), each of which the run must reach.
crash_steps() {
	local verb=$1 pf=$2 setup=$3 check=$4 steps=$5 step
	shift 5
	for step in $steps; do
		$setup
		export SVFF_TEST_KILL_AT=$verb:${step//_/ }
		sv -d "$pf" -t 120 "$@"
		unset SVFF_TEST_KILL_AT
		expect_rc 137 # killed: the step was reached
		crash_recovered "$verb" "${step//_/ }" "$pf" "$check"
	done
}
