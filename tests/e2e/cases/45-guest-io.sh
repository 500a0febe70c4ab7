#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# A guest really uses its VF: svff gives the NVMe VF's secondary controller
# its queues and vector and brings it online, so the guest's nvme driver
# brings the controller to "live", sees the namespace and writes 1 MiB of
# data (its own report, with the checksum). After pause, reconf and
# unpause the guest has a new controller on the re-created VF, live again,
# and reads the same checksum back. Resources are shown by list -j and
# 'svff resources', kept through reconf, returned to the pool by deinit.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

NV='^0x1b36:0x0010@'
guest_line() { guest_pci_devices "$1" | grep "$2" | tail -1; }

sv -d "$PF" init 2
expect_rc 0
sv list -j
expect_eq "$(json '[(v["resources"]["has"], v["resources"]["live"]) for v in d["pfs"][0]["vfs"]]')" \
	"[({'queues': 2, 'vectors': 1}, True), ({'queues': 2, 'vectors': 1}, True)]" \
	"NVMe VFs get working defaults: 2 VQ, 1 VI, online"
expect_eq "$(json 'd["pfs"][0]["resources"]["backend"]')" nvme "the backend of an nvme PF"
free0=$(json 'd["pfs"][0]["resources"]["free"]["queues"]')
total=$(json 'd["pfs"][0]["resources"]["total"]["queues"]')
expect_eq "$free0" "$((total - 4))" "the pool lost what the two VFs got"
# the device agrees (nvme-cli, not svff): secondary controllers 1 and 2
# online with 2 VQ and 1 VI, the third offline with none
ctl=$(ls "/sys/bus/pci/devices/$PF/nvme")
sec=$(nvme list-secondary "/dev/$ctl" -o json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([(e["secondary-controller-identifier"], e["secondary-controller-state"] & 1, e["num-virtual-queues"], e["num-virtual-interrupts"]) for e in d["secondary-controllers"][:3]])' 2>&1)
expect_eq "$sec" "[(1, 1, 2, 1), (2, 1, 2, 1), (3, 0, 0, 0)]" "the secondary controllers, as nvme-cli reads them"

# refused, changing nothing: more than the pool of PF2 (8 VFs: 16 VQ, 8
# VI), below the device's minimum, above its per-VF maximum, a VF that
# does not exist
PF2=$(echo "$SVFF_PFS" | cut -d' ' -f2)
before=$(snapshot)
sv -d "$PF2" init 8 --queues 3
expect_rc 1
expect_contains "$err" "--queues 3 for 8 VF(s) needs 24 queues in all; the pool of $PF2 has 16" "init above the pool"
sv resources vf0 --queues 1
expect_rc 2
expect_contains "$err" "--queues 1 is below the minimum of 2 for a VF of $PF (nvme)" "below the minimum"
sv resources vf0 --vectors 3
expect_rc 2
expect_contains "$err" "--vectors 3 is above the most one VF of $PF can have: 2 vectors" "above the maximum"
sv resources vf5 --queues 2
expect_rc 1
expect_contains "$err" "no VF 'vf5' on $PF (it has 2 VFs)" "a VF that does not exist"
expect_eq "$(snapshot)" "$before" "host, device, VMs and state after the refusals"

# PF2's primary controller holds flexible resources (given to it with
# nvme-cli and a function reset, as QEMU's documentation shows): the pool
# has 12 of 16 queues, yet init 8 is not refused, since its first step
# makes the primary give them back (Primary Flexible Allocation 0, then a
# function reset of the PF), before any VF exists
nvme_primary_holds "$PF2" 4 2
expect_eq "$(nvme_primary_has "$PF2")" "4 2" "what PF2's primary controller holds before init"
sv -d "$PF2" -v init 8
expect_rc 0
expect_contains "$out" "write '1' to /sys/bus/pci/devices/$PF2/reset" "init resets the PF"
expect_eq "$(nvme_primary_has "$PF2")" "0 0" "what PF2's primary controller holds after init"
sv -d "$PF2" list -j
no_problem "PF2 after init"
expect_eq "$(json '[d["pfs"][0]["resources"]["free"], sorted(set(v["resources"]["live"] for v in d["pfs"][0]["vfs"]))]')" \
	"[{'queues': 0, 'vectors': 0}, [True]]" "PF2's pool after init 8"
sv -d "$PF2" deinit
expect_rc 0

define_vm io1 --os && start_vm io1
wait_guest_up io1 400 || fail "the guest of io1 did not report within 400 s"
sv attach io1 vf1
expect_rc 0
wait_guest_sees io1 '^io@.*=wrote:' 180 ||
	fail "the guest did not write to its VF's namespace: $(guest_pci_devices io1 | grep -v '^id@' | tr '\n' ' ')"
live=$(guest_line io1 '^nvme@')
expect_contains "$live" "=live" "the guest's nvme controller"
wrote=$(guest_line io1 '^io@.*=wrote:')
md5=${wrote##*:}
echo "guest: $live; $wrote"
g=$(guest_pci_devices io1 | grep "$NV")
id0=$(guest_dev_id io1 "${g##*@}")

# resources of a VF a running guest holds are not changed under it
before=$(snapshot)
sv resources vf1 --queues 3
expect_rc 1
expect_contains "$err" "vf1 is attached to VM 'io1'" "resources of an attached VF"
expect_eq "$(snapshot)" "$before" "host, VMs and state after the refusal"

# pause, then reconf to 3 VFs: vf1 is re-created, and gets its resources
# back before it goes back to the guest
sv -t 120 pause io1
expect_rc 0
wait_guest_gone io1 "$NV" 60 || fail "io1's guest still sees the VF after pause"
sv resources vf1 --queues 3 --vectors 2
expect_rc 0
sv -t 120 reconf 3
expect_rc 0
sv list -j
expect_eq "$(json '[(v["vf"], v["resources"]["has"], v["resources"]["live"], v["problem"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(0, {'queues': 2, 'vectors': 1}, True, None), (1, {'queues': 3, 'vectors': 2}, True, None), (2, {'queues': 2, 'vectors': 1}, True, None)]" \
	"resources after reconf: the recorded ones back"
sv -t 120 unpause io1
expect_rc 0
wait_guest_back io1 "$g" "$id0" 120 || fail "the guest did not get its VF back as a new device"
wait_guest_sees io1 '^io@.*=read:' 180 ||
	fail "the guest did not read its namespace again: $(guest_pci_devices io1 | grep -v '^id@' | tr '\n' ' ')"
read_back=$(guest_line io1 '^io@.*=read:')
expect_contains "$(guest_line io1 '^nvme@')" "=live" "the guest's controller after unpause"
expect_eq "${read_back##*:}" "$md5" "the checksum the guest reads back after pause, reconf, unpause"
echo "guest after unpause: $(guest_line io1 '^nvme@'); $read_back"

# VFs re-created behind svff's back come up offline with no resources:
# list names it, recover gives them their recorded resources again
sv -t 120 detach io1
expect_rc 0
virsh destroy io1 >/dev/null
echo 0 >"/sys/bus/pci/devices/$PF/sriov_numvfs"
echo 3 >"/sys/bus/pci/devices/$PF/sriov_numvfs"
sv list -j
expect_eq "$(json '[v["resources"]["live"] for v in d["pfs"][0]["vfs"]]')" "[False, False, False]" \
	"secondary controllers after the VFs were re-created by hand"
sv recover
expect_rc 0
expect_contains "$out" "did not have the resources recorded for them" "recover"
sv list -j
no_problem "after recover"
expect_eq "$(json '[(v["resources"]["has"]["queues"], v["resources"]["live"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(2, True), (3, True), (2, True)]" "resources after recover"
sv resources -j
expect_eq "$(json '[v["resources"]["gives"]["queues"] for v in d["vfs"]]')" "[2, 3, 2]" "resources -j"

# deinit returns everything to the pool
sv deinit
expect_rc 0
sv list -j
expect_eq "$(json 'd["pfs"][0]["resources"]["free"]')" "$(json 'd["pfs"][0]["resources"]["total"]')" \
	"the pool after deinit"
virsh undefine io1 >/dev/null
