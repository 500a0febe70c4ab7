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
say "Create 4 VFs on $PF and bind them to vfio-pci"
run svff -n -d "$PF" init 4
run svff -d "$PF" init 4
run svff list
say "Two VMs: 'web' (no guest OS) and 'db' (a Linux guest that reports its PCI devices)"
start_libvirtd || { echo "libvirtd did not start"; exit 1; }
define_vm web && start_vm web
define_vm db --os && start_vm db
echo "waiting for db's guest to boot (TCG inside TCG: about a minute)"
wait_guest_up db 400 || { echo "db's guest did not boot"; exit 1; }
say "Give VFs to the VMs"
run svff attach web
run svff attach db vf2
wait_guest_sees db '^0x1b36:0x0010@' 120 && echo "db's guest sees: $(guest_pci_devices db | grep 0x0010@)"
run svff list
run svff list db -j
say "Take db's VF back (the guest answers the hot-unplug)"
run svff detach db
wait_guest_gone db '^0x1b36:0x0010@' 30 && echo "db's guest no longer sees the VF"
say "Errors are clear and change nothing"
run svff attach nosuchvm
run svff init 6
run svff attach db vf0
say "Done: deinit refuses while 'web' holds a VF, --force releases it"
run svff deinit
virsh destroy web >/dev/null
run svff deinit --force
run svff list
