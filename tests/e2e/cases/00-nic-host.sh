#!/bin/bash
# e2e-topology: --nic igb --pfs 1 --maxvfs 4 --plain 0
# The emulated host's SR-IOV NIC, without svff: an igb PF (QEMU's 82576),
# two VFs, their MAC, VLAN, spoof checking and trust set on the PF's
# netdev through netlink (ip link) and read back, a VF on vfio-pci, and a
# nested guest that drives it with igbvf and has the MAC the PF gave it.
# What igb refuses is checked too, so that cases built on this host know.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

[ -n "$NIC_PF" ] || fail "no SR-IOV NIC PF (boot --nic igb)"
d=/sys/bus/pci/devices/$NIC_PF
expect_eq "$(cat "$d/vendor"):$(cat "$d/device")" 0x8086:0x10c9 "the NIC PF $NIC_PF (82576)"
[ -n "$(vf_driver "$NIC_PF")" ] || dmesg | grep -i -E 'igb|02:00' | tail -20
expect_eq "$(vf_driver "$NIC_PF")" igb "driver of $NIC_PF"
# QEMU's igb has 8 VFs; the igb driver offers 7 of them
expect_eq "$(cat "$d/sriov_totalvfs")" 7 "TotalVFs of $NIC_PF"
case " $SVFF_PFS " in *" $NIC_PF "*) ;; *) fail "$NIC_PF not in SVFF_PFS ($SVFF_PFS)" ;; esac
nd=$(netdev_of "$NIC_PF") || fail "$NIC_PF has no netdev"
echo "NIC PF $NIC_PF, netdev $nd; NVMe PFs and NIC: $SVFF_PFS"
# a VF driver learns its MAC from the PF through the mailbox, which
# answers only when the PF is up
ip link set "$nd" up || fail "ip link set $nd up"

# ip -j [-d] link show of the PF: "vf:mac:vlan:spoofchk:trust" words, and
# the rates of VF 1 (python3: one process for the whole JSON)
vfinfo() {
	ip -j -d link show "$nd" | python3 -c '
import json, sys
l = json.load(sys.stdin)[0]
print(" ".join("%d:%s:%s:%s:%s" % (v["vf"], v["address"], v["vlan_list"][0].get("vlan", 0),
      v["spoofchk"], v["trust"]) for v in l.get("vfinfo_list", [])))'
}

echo 0 >"$d/sriov_drivers_autoprobe"
t0=$EPOCHREALTIME
echo 2 >"$d/sriov_numvfs" || fail "writing 2 to sriov_numvfs of $NIC_PF"
echo "sriov_numvfs=2 took $(((${EPOCHREALTIME/./} - ${t0/./}) / 1000)) ms"
vf0=$(vf_addr "$NIC_PF" 0) || fail "virtfn0 missing"
vf1=$(vf_addr "$NIC_PF" 1) || fail "virtfn1 missing"
for v in "$vf0" "$vf1"; do
	expect_eq "$(cat "/sys/bus/pci/devices/$v/vendor"):$(cat "/sys/bus/pci/devices/$v/device")" \
		0x8086:0x10ca "VF $v (82576 VF)"
	[ -z "$(vf_driver "$v")" ] || fail "$v was probed by $(vf_driver "$v") with autoprobe off"
done
expect_eq "$(ip -j link show "$nd" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["vfinfo_list"]))')" \
	2 "VFs in vfinfo_list of $nd"
expect_eq "$(vfinfo)" "0:00:00:00:00:00:00:0:True:False 1:00:00:00:00:00:00:0:True:False" "VFs as created"

ip link set "$nd" vf 0 mac 52:54:00:12:34:56 vlan 10 spoofchk on trust on ||
	fail "ip link set $nd vf 0 mac 52:54:00:12:34:56 vlan 10 spoofchk on trust on"
ip link set "$nd" vf 1 mac 52:54:00:12:34:57 vlan 20 qos 3 spoofchk off ||
	fail "ip link set $nd vf 1 mac 52:54:00:12:34:57 vlan 20 qos 3 spoofchk off"
expect_eq "$(vfinfo)" "0:52:54:00:12:34:56:10:True:True 1:52:54:00:12:34:57:20:False:False" "VFs after ip link set"
ip -d link show "$nd"
# and back: trust off, VLAN 0 (none)
ip link set "$nd" vf 1 vlan 0 trust off spoofchk on || fail "ip link set $nd vf 1 vlan 0 trust off spoofchk on"
expect_eq "$(vfinfo)" "0:52:54:00:12:34:56:10:True:True 1:52:54:00:12:34:57:0:True:False" "VF 1 reset"

# What igb refuses (Debian 12's 6.1): a minimum rate always (EINVAL), the
# link state (EOPNOTSUPP); a maximum rate only at a link speed of
# 1000 Mb/s, that is with the link up (QEMU's igb comes up at 1000)
for _ in $(seq 50); do
	[ "$(cat "/sys/class/net/$nd/operstate")" = up ] && break
	sleep 0.2
done
expect_eq "$(cat "/sys/class/net/$nd/operstate")" up "operstate of $nd"
ip link set "$nd" vf 1 min_tx_rate 10 2>/dev/null && fail "igb took a min_tx_rate"
ip link set "$nd" vf 1 state disable 2>/dev/null && fail "igb took a VF link state"
ip link set "$nd" vf 1 max_tx_rate 100 || fail "ip link set $nd vf 1 max_tx_rate 100 (link up at 1000 Mb/s)"
expect_eq "$(ip -j link show "$nd" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["vfinfo_list"][1]["rate"])')" \
	"{'max_tx': 100, 'min_tx': 0}" "rates of VF 1"
ip link set "$nd" vf 1 max_tx_rate 0 || fail "ip link set $nd vf 1 max_tx_rate 0"

# VF 1 on the host's own igbvf: it starts with the MAC set before (with
# autoprobe off, a VF binds only to the driver of its driver_override)
modprobe igbvf || fail "modprobe igbvf"
t0=$EPOCHREALTIME
echo igbvf >"/sys/bus/pci/devices/$vf1/driver_override"
echo "$vf1" >/sys/bus/pci/drivers_probe
expect_eq "$(vf_driver "$vf1")" igbvf "driver of $vf1"
echo "igbvf bound $vf1 in $(((${EPOCHREALTIME/./} - ${t0/./}) / 1000)) ms"
# through the PCI device, not the name: udev renames the netdev (eth1 to
# enp2s0v1) while we look
vmac=''
for _ in $(seq 50); do
	vmac=$(cat "/sys/bus/pci/devices/$vf1"/net/*/address 2>/dev/null) && [ -n "$vmac" ] && break
	sleep 0.1
done
expect_eq "$vmac" 52:54:00:12:34:57 "MAC of $vf1 ($(netdev_of "$vf1")) on the host"

# VF 0 to vfio-pci, by hand, as 00-host does for NVMe VFs; its settings,
# held by the PF, stay
echo vfio-pci >"/sys/bus/pci/devices/$vf0/driver_override"
echo "$vf0" >/sys/bus/pci/drivers_probe
expect_eq "$(vf_driver "$vf0")" vfio-pci "driver of $vf0"
group=$(basename "$(readlink "/sys/bus/pci/devices/$vf0/iommu_group")")
[ -c "/dev/vfio/$group" ] || fail "/dev/vfio/$group missing for $vf0"
expect_eq "$(vfinfo)" "0:52:54:00:12:34:56:10:True:True 1:52:54:00:12:34:57:0:True:False" "VFs with VF 0 on vfio-pci"

# a nested Linux guest given VF 0 (cold-plugged, libvirt unmanaged: it is
# on vfio-pci already) binds igbvf and gets the MAC from the PF
define_vm nic1 --os
IFS=':.' read -r _ b s f <<<"$vf0"
cat >/run/e2e-nic1-vf.xml <<X
<hostdev mode='subsystem' type='pci' managed='no'>
  <source><address domain='0x0000' bus='0x$b' slot='0x$s' function='0x$f'/></source>
</hostdev>
X
virsh attach-device nic1 /run/e2e-nic1-vf.xml --config >/dev/null || fail "virsh attach-device --config $vf0"
start_vm nic1
expect_eq "$(hostdevs nic1)" "$vf0" "hostdevs of nic1"
t0=$(date +%s)
wait_guest_up nic1 400 || fail "the guest of nic1 did not report within 400 s"
echo "guest up after $(($(date +%s) - t0)) s"
wait_guest_sees nic1 '^0x8086:0x10ca@' 60 || fail "the guest does not see the VF: $(guest_pci_devices nic1)"
wait_guest_sees nic1 '^net@.*=52:54:00:12:34:56$' 120 ||
	fail "the guest has no netdev with the MAC the PF gave VF 0: $(guest_pci_devices nic1)"
echo "guest after $(($(date +%s) - t0)) s:"
guest_pci_devices nic1 | grep -E '^(0x8086:0x10ca|net@)'
virsh destroy nic1 >/dev/null
echo 0 >"$d/sriov_numvfs"
[ ! -e "$d/virtfn0" ] || fail "virtfn0 still there after writing 0"
echo "NIC host OK: $NIC_PF ($nd), VFs $vf0 $vf1"
