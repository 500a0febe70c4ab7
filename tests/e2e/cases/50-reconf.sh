#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# attach, pause, reconf, unpause and detach with two VMs whose guests run
# Linux: each guest sees its VF appear on attach, again at the same PCI
# address after reconf and unpause, and vanish on detach (its own report,
# not libvirt's); reconf below a claimed VF is refused, and --force keeps
# the claim paused.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

NV='^0x1b36:0x0010@'
guest_vf() { guest_pci_devices "$1" | grep "$NV"; }
id_of() { guest_dev_id "$1" "${2##*@}"; }

sv -d "$PF" init 2
expect_rc 0
define_vm os1 --os && start_vm os1
define_vm os2 --os && start_vm os2
t0=$(date +%s)
wait_guest_up os1 500 || fail "the guest of os1 did not report within 500 s"
wait_guest_up os2 500 || fail "the guest of os2 did not report within 500 s"
echo "both guests up after $(($(date +%s) - t0)) s"
guest_vf os1 && fail "os1's guest sees an NVMe before attach"

sv attach os1 vf0
expect_rc 0
sv attach os2 vf1
expect_rc 0
wait_guest_sees os1 "$NV" 120 || fail "os1's guest did not see vf0"
wait_guest_sees os2 "$NV" 120 || fail "os2's guest did not see vf1"
g1=$(guest_vf os1) g2=$(guest_vf os2)
echo "guests see: os1 $g1, os2 $g2"
sv list -j
ga1=$(json 'd["pfs"][0]["vfs"][0]["guest_addr"]')
expect_eq "$(json '[(v["state"], v["vm"]) for v in d["pfs"][0]["vfs"]]')" \
	"[('attached', 'os1'), ('attached', 'os2')]" "claims after attach"

# pause: the host lets go, the VM keeps its claim and guest address
sv pause os1 -j
expect_rc 0
expect_eq "$(json '[(p["vf"], p["changed"], p["mechanism"], p["qemu_asked"], p["qemu_vfio_pause"]) for p in d["paused"]]')" \
	"[(0, True, 'hot-unplug', True, None)]" "pause of os1 (stock QEMU: no VFIO pause command)"
wait_guest_gone os1 "$NV" 60 || fail "os1's guest still sees vf0 after pause"
virsh dumpxml os1 | grep -q '<hostdev' && fail "os1 still has a hostdev after pause"
sv list os1 -j
expect_eq "$(json '[(v["state"], v["guest_addr"]) for v in d["pfs"][0]["vfs"]]')" \
	"[('paused', '$ga1')]" "os1's claim while paused"
sv pause vf0
expect_rc 0
expect_contains "$out" "is paused already" "pause twice"

# a dry run of reconf changes nothing
before=$(snapshot)
sv -n reconf 4
expect_rc 0
expect_contains "$out" "would: libvirt: detach $(vf_addr "$PF" 1)" "dry run names the unplug"
expect_contains "$out" "would: write '4' to /sys/bus/pci/devices/$PF/sriov_numvfs" "dry run names the write"
expect_eq "$(snapshot)" "$before" "host, VMs and state after reconf -n"

# reconf to more VFs: os2's VF goes and comes back; os1 stays paused
n2=$(id_of os2 "$g2")
[ -n "$n2" ] || fail "no id for $g2 in os2's report"
t0=$(date +%s)
sv -t 120 reconf 4
expect_rc 0
echo "reconf took $(($(date +%s) - t0)) s"
expect_contains "$out" "2 -> 4 VFs" "reconf report"
expect_contains "$out" "vf1 back in VM 'os2'" "os2's downtime reported"
expect_eq "$(numvfs "$PF")" 4 "numvfs after reconf"
for i in 0 1 2 3; do expect_eq "$(vf_driver "$(vf_addr "$PF" $i)")" vfio-pci "vf$i driver"; done
wait_guest_back os2 "$g2" "$n2" 60 || fail "os2's guest did not see vf1 go and come back at $g2"
sv list -j
expect_eq "$(json '[(v["vf"], v["state"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(0, 'paused'), (1, 'attached'), (2, 'detached'), (3, 'detached')]" "states after reconf"

sv unpause os1 -j
expect_rc 0
expect_eq "$(json '[(p["vf"], p["guest_addr"], p["changed"]) for p in d["unpaused"]]')" \
	"[(0, '$ga1', True)]" "unpause at the recorded guest address"
wait_guest_sees os1 "$NV" 60 || fail "os1's guest did not see vf0 after unpause"
expect_eq "$(guest_vf os1)" "$g1" "os1's guest sees vf0 at the same address"
virsh dumpxml os1 | grep -q "<address domain='0x0000' bus='0x$(echo "$ga1" | cut -c6-7)'" ||
	fail "os1's live XML does not have vf0 at $ga1"

sv reconf 4
expect_rc 0
expect_contains "$out" "nothing to do" "reconf to the same count"

# below a claimed VF: refused, nothing changes; --force keeps the claim paused
before=$(snapshot)
sv reconf 1
expect_rc 1
expect_contains "$err" "would remove VFs that VMs hold: vf1 (os2, attached)" "reconf below a claim"
expect_eq "$(snapshot)" "$before" "host, VMs and state after the refused reconf"
sv reconf 0
expect_rc 2
sv reconf 200
expect_rc 2
expect_contains "$err" "out of range" "reconf above TotalVFs"
expect_eq "$(snapshot)" "$before" "host, VMs and state after bad counts"

n1=$(id_of os1 "$g1")
[ -n "$n1" ] || fail "no id for $g1 in os1's report"
sv -t 120 reconf 1 --force -j
expect_rc 0
expect_eq "$(json '(d["from"], d["to"], d["displaced"], [r["vf"] for r in d["restored"]])')" \
	"(4, 1, [1], [0])" "reconf --force report"
expect_eq "$(numvfs "$PF")" 1 "numvfs after reconf --force"
wait_guest_gone os2 "$NV" 60 || fail "os2's guest still sees a VF"
wait_guest_back os1 "$g1" "$n1" 60 || fail "os1's guest did not see vf0 go and come back at $g1"
sv list os2 -j
expect_eq "$(json 'd["pfs"][0]["vfs"][0]["state"]')" paused "os2's displaced claim"
sv unpause os2
expect_rc 1
expect_contains "$err" "has only 1 VFs now ('svff reconf 2' re-creates it" "unpause of a displaced VF"

sv -t 120 reconf 2
expect_rc 0
sv unpause os2
expect_rc 0
wait_guest_sees os2 "$NV" 60 || fail "os2's guest did not get vf1 back"
expect_eq "$(guest_vf os2)" "$g2" "os2's guest sees vf1 at the same address after re-creation"

sv -t 120 detach os1
expect_rc 0
sv -t 120 detach os2
expect_rc 0
wait_guest_gone os1 "$NV" 30 || fail "os1's guest still sees vf0 after detach"
wait_guest_gone os2 "$NV" 30 || fail "os2's guest still sees vf1 after detach"
for i in 0 1; do expect_eq "$(vf_driver "$(vf_addr "$PF" $i)")" vfio-pci "vf$i back on the host, on vfio-pci"; done
sv deinit
expect_rc 0
expect_eq "$(numvfs "$PF")" 0 "numvfs after deinit"
expect_eq "$(cat "/sys/bus/pci/devices/$PF/sriov_drivers_autoprobe")" 1 "autoprobe restored"
