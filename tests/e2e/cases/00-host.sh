#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# The emulated host itself: vIOMMU, SR-IOV PFs, VFs bound to vfio-pci by
# hand through the kernel's own interface. If this fails, nothing else
# on this host means anything.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

[ "$(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | wc -l)" -gt 0 ] ||
	fail "no IOMMU groups: the vIOMMU is off"
read -r -a pfs <<<"$SVFF_PFS"
expect_eq "${#pfs[@]}" 2 "SR-IOV PFs found"
expect_eq "$(cat "/sys/bus/pci/devices/${pfs[0]}/sriov_totalvfs")" 127 "TotalVFs of ${pfs[0]}"
expect_eq "$(cat "/sys/bus/pci/devices/${pfs[1]}/sriov_totalvfs")" 8 "TotalVFs of ${pfs[1]}"
[ -n "$SVFF_PLAIN" ] || fail "no NVMe without SR-IOV found"

d=/sys/bus/pci/devices/$PF
echo 0 >"$d/sriov_drivers_autoprobe"
echo 4 >"$d/sriov_numvfs"
for i in 0 1 2 3; do
	[ -L "$d/virtfn$i" ] || fail "virtfn$i missing after writing 4 to sriov_numvfs"
	vf=$(vf_addr "$PF" $i)
	[ -z "$(vf_driver "$vf")" ] || fail "$vf was probed by $(vf_driver "$vf") with autoprobe off"
	echo vfio-pci >"/sys/bus/pci/devices/$vf/driver_override"
	echo "$vf" >/sys/bus/pci/drivers_probe
	expect_eq "$(vf_driver "$vf")" vfio-pci "driver of $vf"
	group=$(basename "$(readlink "/sys/bus/pci/devices/$vf/iommu_group")")
	[ -c "/dev/vfio/$group" ] || fail "/dev/vfio/$group missing for $vf"
done
echo 0 >"$d/sriov_numvfs"
[ ! -e "$d/virtfn0" ] || fail "virtfn0 still there after writing 0"
echo "host OK: PFs $SVFF_PFS, plain $SVFF_PLAIN"
