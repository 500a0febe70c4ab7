#!/bin/bash
# e2e-topology: --nic igb --pfs 1 --maxvfs 4 --plain 0
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# VF network settings on the igb PF (QEMU's 82576): refused input changes
# nothing; attach gives a running VM's VF a MAC, VLAN, spoof checking and
# trust through netlink, as `ip -j -d link show` and the nested guest's
# igbvf see them; reconf re-creates the VFs and gives them back; a
# setting changed by hand is a problem in list, and recover corrects it;
# a setting igb refuses fails attach with the driver's answer.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

[ -n "$NIC_PF" ] || fail "no SR-IOV NIC PF (boot --nic igb)"
nd=$(netdev_of "$NIC_PF") || fail "$NIC_PF has no netdev"
# igb answers its VFs' mailbox (where igbvf learns its MAC) only when up
ip link set "$nd" up || fail "ip link set $nd up"
MAC=52:54:00:12:34:56 MAC2=52:54:00:12:34:57

# VF N of the PF as "mac:vlan:spoofchk:trust", from ip -j -d link show
ipvf() { # N
	ip -j -d link show "$nd" | python3 -c '
import json, sys
for v in json.load(sys.stdin)[0].get("vfinfo_list", []):
    if v["vf"] == int(sys.argv[1]):
        print("%s:%s:%s:%s" % (v["address"], v["vlan_list"][0].get("vlan", 0), v["spoofchk"], v["trust"]))' "$1"
}
pcount() { grep -c '^PCI-END' "$E2E_RESULTS/vm-$1.console" 2>/dev/null || echo 0; }

sv -d "$NIC_PF" init 3
expect_rc 0
define_vm n1 --os
start_vm n1
define_vm n2   # stays shut off: its claim is in its configuration only

# refusals: exit status, message, nothing changed
refuse() { # STATUS NEEDLE ARGS...
	local st=$1 needle=$2 before
	shift 2
	before=$(snapshot; ip -j -d link show "$nd" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("vfinfo_list"))')
	sv "$@"
	expect_rc "$st"
	expect_contains "$err" "$needle" "svff $*"
	expect_eq "$(snapshot; ip -j -d link show "$nd" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("vfinfo_list"))')" \
		"$before" "host, VMs, state and VF settings after: svff $*"
}
refuse 2 "invalid MAC address '52:54:00:12:34'" -d "$NIC_PF" attach n1 vf0 --mac 52:54:00:12:34
refuse 2 "is a multicast or broadcast address" -d "$NIC_PF" attach n1 vf0 --mac 01:00:5e:00:00:01
refuse 2 "--vlan '4095' is out of range" -d "$NIC_PF" attach n1 vf0 --vlan 4095
refuse 2 "invalid --trust 'yes'" -d "$NIC_PF" attach n1 vf0 --trust yes
refuse 2 "--mac gives one VF its address" -d "$NIC_PF" attach n1 vf0 vf1 --mac "$MAC"
sv -d "$PF" init 1
expect_rc 0
refuse 1 "$PF (driver nvme) has no network interface" -d "$PF" attach n1 vf0 --vlan 10
# igb takes no minimum rate: attach fails with its answer, n1 gets nothing
sv -d "$NIC_PF" attach n1 vf2 --min-rate 10
expect_rc 1
expect_contains "$err" "refused rate for vf2" "a minimum rate on igb"
expect_eq "$(hostdevs n1)" "" "n1's VFs after a refused rate"
expect_eq "$(claims "$NIC_PF")" "" "claims after a refused rate"

# attach with settings: on the PF before the guest has the VF
wait_guest_up n1 400 || fail "the guest of n1 did not report within 400 s"
sv -v -d "$NIC_PF" attach n1 vf0 --mac "$MAC" --vlan 10 --spoofchk on --trust on
expect_rc 0
expect_contains "$out" "netlink: set vf0 of $nd: mac $MAC" "the step, under -v"
expect_eq "$(ipvf 0)" "$MAC:10:True:True" "vf0 in ip link after attach"
expect_eq "$(hostdevs n1)" "$(vf_addr "$NIC_PF" 0)" "n1's VFs"
sv -d "$NIC_PF" list -j
no_problem "after attach"
expect_eq "$(json '[(v["net"]["has"]["mac"], v["net"]["has"]["vlan"], v["net"]["gives"]) for v in d["pfs"][0]["vfs"] if v["vf"] == 0]')" \
	"[('$MAC', 10, {'mac': '$MAC', 'vlan': 10, 'spoofchk': True, 'trust': True})]" "list -j of vf0"
wait_guest_sees n1 "^net@.*=$MAC\$" 180 ||
	fail "the guest has no netdev with $MAC: $(guest_pci_devices n1)"
echo "== the guest's igbvf has $MAC"
# a second VF with settings, of a shut-off VM: reconf gives both back
# (through one read of the PF's link)
sv -d "$NIC_PF" attach n2 vf1 --mac "$MAC2" --vlan 20 --spoofchk on --trust on
expect_rc 0
expect_eq "$(ipvf 1)" "$MAC2:20:True:True" "vf1 in ip link after attach to the shut-off n2"

# reconf re-creates the VFs (their settings with them) and gives vf0's back
n=$(pcount n1)
sv -d "$NIC_PF" reconf 4
expect_rc 0
expect_eq "$(ipvf 0)" "$MAC:10:True:True" "vf0 in ip link after reconf"
expect_eq "$(ipvf 1)" "$MAC2:20:True:True" "vf1 in ip link after reconf"
expect_eq "$(hostdevs n1)" "$(vf_addr "$NIC_PF" 0)" "n1's VFs after reconf"
end=$(($(date +%s) + 180))
while [ "$(date +%s)" -lt "$end" ]; do
	[ "$(pcount n1)" -gt "$n" ] && guest_pci_devices n1 | grep -q "^net@.*=$MAC\$" && break
	sleep 1
done
[ "$(pcount n1)" -gt "$n" ] || fail "the guest reported no change through reconf"
guest_pci_devices n1 | grep -q "^net@.*=$MAC\$" ||
	fail "after reconf the guest has no netdev with $MAC: $(guest_pci_devices n1)"
echo "== after reconf, the guest's igbvf has $MAC again"

# a setting changed by hand: list names it, recover gives it back
ip link set "$nd" vf 0 vlan 0 || fail "ip link set $nd vf 0 vlan 0"
sv -d "$NIC_PF" list -j
expect_contains "$out" "network: has mac $MAC vlan 0 spoofchk on trust on; its claim gives mac $MAC vlan 10" "list after a hand change"
sv -d "$NIC_PF" recover
expect_rc 0
expect_contains "$out" "did not have the network settings of their claims" "recover"
expect_eq "$(ipvf 0)" "$MAC:10:True:True" "vf0 in ip link after recover"
sv -d "$NIC_PF" list -j
no_problem "after recover"

sv -d "$NIC_PF" detach n1
expect_rc 0
sv -d "$NIC_PF" detach n2
expect_rc 0
expect_eq "$(claims "$NIC_PF")" "" "claims after detach"
echo "== NIC VF settings: attach, reconf, recover on $NIC_PF ($nd)"
