#!/bin/bash
# scratch: default q35 (ACPI hot-plug of root ports) + svff unpause telling
# the guest through the patched QEMU's x-vfio-notify
. "$(dirname "$0")/../lib.sh"
Q=$SVFF_VFIO_QEMU
sv -d "$PF" init 3
define_vm rel1 --os --emulator "$Q" --cmdline "svff_reader=0.1 loglevel=7"
start_vm rel1
wait_guest_up rel1 400 || fail "no boot"
sv attach rel1 vf0
wait_guest_sees rel1 '^io@.*=wrote:' 180 || fail "no write"
sleep 5
hmp() { virsh qemu-monitor-command --hmp rel1 "$1" 2>&1; }
echo "LNKSTA of 00:01.0 before:"; hmp "xp /1xw 0xb0008064"
n=$(wc -l <"$E2E_RESULTS/vm-rel1.console")
for i in 1 2; do
	sv -v -t 120 pause rel1
	sv -v -j -t 120 unpause rel1
	echo "unpause $i: rc=$rc"
	sleep 15
done
echo "LNKSTA of 00:01.0 after:"; hmp "xp /1xw 0xb0008064"
awk -v n="$n" 'NR > n' "$E2E_RESULTS/vm-rel1.console" | tr -d '\r' | grep -v "^PCI-\|^0x\|^id@" | grep -v "^probe" | head -40
echo "probes after: $(awk -v n="$n" 'NR > n' "$E2E_RESULTS/vm-rel1.console" | grep -c '^probe@')"
awk -v n="$n" 'NR > n' "$E2E_RESULTS/vm-rel1.console" | tr -d '\r' | grep '^probe@' | awk '{print $2, $3}' | sort -t= -k2 -n | tail -5
