#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# Discovery and 'svff list' on the real kernel: PFs with 0, a few and 127
# VFs, VFs bound by hand, a device without SR-IOV, a device that is not.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"
read -r -a pfs <<<"$SVFF_PFS"

sv list
expect_rc 0
expect_contains "$out" "PF ${pfs[0]}  1b36:0010  driver nvme  0 of 127 VFs" "text list"
expect_contains "$out" "PF ${pfs[1]}  1b36:0010  driver nvme  0 of 8 VFs" "text list"

sv list -j
expect_rc 0
expect_eq "$(json 'd["schema"]')" 1 "schema"
expect_eq "$(json '[p["pf"] for p in d["pfs"]]')" "['${pfs[0]}', '${pfs[1]}']" "PFs"
expect_eq "$(json '[p["totalvfs"] for p in d["pfs"]]')" "[127, 8]" "TotalVFs"
expect_eq "$(json 'd["pfs"][0]["vfs"]')" "[]" "VFs of an idle PF"

# A few VFs, two bound to vfio-pci by hand, one left unbound.
d=/sys/bus/pci/devices/$PF
echo 0 >"$d/sriov_drivers_autoprobe"
echo 3 >"$d/sriov_numvfs"
for i in 0 2; do
	vf=$(vf_addr "$PF" $i)
	echo vfio-pci >"/sys/bus/pci/devices/$vf/driver_override"
	echo "$vf" >/sys/bus/pci/drivers_probe
done
sv -d "$PF" list -j
expect_rc 0
expect_eq "$(json 'd["pfs"][0]["numvfs"]')" 3 "numvfs"
expect_eq "$(json '[v["addr"] for v in d["pfs"][0]["vfs"]]')" \
	"['$(vf_addr "$PF" 0)', '$(vf_addr "$PF" 1)', '$(vf_addr "$PF" 2)']" "VF addresses"
expect_eq "$(json '[v["driver"] for v in d["pfs"][0]["vfs"]]')" "['vfio-pci', None, 'vfio-pci']" "VF drivers"
g0=$(basename "$(readlink "/sys/bus/pci/devices/$(vf_addr "$PF" 0)/iommu_group")")
expect_eq "$(json 'd["pfs"][0]["vfs"][0]["iommu_group"]')" "$g0" "IOMMU group of vf0"
expect_eq "$(json 'd["pfs"][0]["vfs"][1]["state"]')" detached "state of vf1"
sv -d "${PF#0000:}" list vf2
expect_rc 0
expect_contains "$out" "$(vf_addr "$PF" 2)" "list vf2"
sv -d "$PF" list vf7
expect_rc 1
expect_contains "$err" "no VF 'vf7'" "missing VF"

# The most VFs the PF offers.
echo 0 >"$d/sriov_numvfs"
echo 127 >"$d/sriov_numvfs"
sv -d "$PF" list -j
expect_rc 0
expect_eq "$(json 'len(d["pfs"][0]["vfs"])')" 127 "VF rows at 127"
expect_eq "$(json 'd["pfs"][0]["vfs"][126]["addr"]')" "$(vf_addr "$PF" 126)" "address of vf126"
echo 0 >"$d/sriov_numvfs"

# Not SR-IOV, not there, not an address.
sv -d "$SVFF_PLAIN" list
expect_rc 1
expect_contains "$err" "'$SVFF_PLAIN' is not an SR-IOV physical function" "plain NVMe"
sv -d 0000:7e:00.0 list
expect_rc 1
expect_eq "$err" "svff: no PCI device '0000:7e:00.0'" "absent device"
sv -d 7e:00 list
expect_rc 2
# Two PFs and none managed: a changing verb must be told which.
sv init 2
expect_rc 2
expect_contains "$err" "several SR-IOV PFs found (${pfs[0]}, ${pfs[1]}): choose one with -d" "ambiguous PF"
[ ! -e "$SVFF_STATE_DIR/state" ] || fail "a refused command wrote the state file"
