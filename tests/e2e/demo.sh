#!/bin/bash
# The life cycle of svff on the emulated host, command by command.
# Runs inside the emulated host (tests/host/demo).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
set -u
mkdir -p /run/svff-demo
export SVFF_STATE_DIR=/run/svff-demo
say() { printf '\n### %s\n' "$*"; }
run() {
	printf '$ %s\n' "$*"
	"$@"
	local rc=$?
	[ $rc -eq 0 ] || echo "(exit status $rc)"
}
svff() { "$SVFF" "$@"; }

say "The host: SR-IOV PFs the kernel sees"
run lspci -nn -s "${PF#0000:}"
run svff list
say "Create 4 VFs on $PF, give each its NVMe queues and vector, bind them to vfio-pci"
run svff -n -d "$PF" init 4
run svff -d "$PF" init 4
run svff list
say "The resources: the PF's pool, and what each VF has (its secondary controller online)"
run svff resources
say "Two VMs, 'web' and 'db', each booting a small Linux guest that reports its PCI devices"
start_libvirtd || { echo "libvirtd did not start"; exit 1; }
define_vm web --os && start_vm web
define_vm db --os && start_vm db
echo "waiting for the guests to boot (TCG inside TCG: a minute or two)"
wait_guest_up web 500 && wait_guest_up db 500 || { echo "a guest did not boot"; exit 1; }
guest_vf() { guest_pci_devices "$1" | grep '^0x1b36:0x0010@'; }
# what the guest's nvme driver made of it, and its I/O on the namespace
guest_use() { guest_pci_devices "$1" | grep -E '^(nvme|io)@' | tr '\n' ' '; }

say "Give VFs to the VMs"
run svff attach web
run svff attach db vf2
wait_guest_sees db '^0x1b36:0x0010@' 120 && echo "db's guest sees: $(guest_vf db)"
wait_guest_sees db '=wrote:' 180 && echo "db's guest uses it: $(guest_use db)"
run svff list
run svff list db -j

say "Pause db: the host releases its VF, db keeps its claim and guest address"
run svff pause db
wait_guest_gone db '^0x1b36:0x0010@' 60 && echo "db's guest no longer sees the VF"
run svff list

say "Reconfigure to 6 VFs while the VMs keep their claims (web's VF goes and comes back)"
run svff -n reconf 6
run svff reconf 6
run svff list

say "Unpause db: its VF comes back at the same guest address"
run svff unpause db
wait_guest_sees db '^0x1b36:0x0010@' 60 && echo "db's guest sees: $(guest_vf db)"
wait_guest_sees db '=read:' 180 && echo "db's guest reads its data back on the re-created VF: $(guest_use db)"

say "recover reconciles the state file with sysfs and libvirt (here: nothing to correct)"
run svff recover

say "Errors are clear and change nothing"
run svff attach nosuchvm
run svff init 3
run svff attach db vf0
run svff reconf 2
run svff resources vf1 --queues 9
say "Take the VFs back, and remove them"
run svff detach db
run svff detach web
run svff deinit
run svff list
