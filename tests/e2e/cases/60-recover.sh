#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# recover: an interrupted reconf is finished and its VM gets its VF back;
# every other verb refuses meanwhile; hand-made changes in libvirt and
# sysfs are reconciled, each said; a second recover changes nothing.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

state=$SVFF_STATE_DIR/state
# edit the state file as a killed svff would have left it
edit_state() { # PYTHON over the parsed state `s`
	python3 -c "import json; s=json.load(open('$state')); $1; json.dump(s, open('$state.new','w'))" &&
		mv "$state.new" "$state"
}

sv -d "$PF" init 4
expect_rc 0
define_vm vm1 && start_vm vm1
define_vm vm2 && start_vm vm2
sv attach vm1 vf0
expect_rc 0
sv attach vm2 vf1
expect_rc 0

sv recover
expect_rc 0
expect_contains "$out" "nothing to do" "recover on a consistent host"

# hand-made changes: vf2 attached to vm2 with virsh, vf3 unbound, vm1 destroyed
cat >/run/e2e-hd.xml <<X
<hostdev mode='subsystem' type='pci' managed='no'><source>
<address domain='0x0000' bus='0x01' slot='0x00' function='0x$(vf_addr "$PF" 2 | cut -c12)'/>
</source></hostdev>
X
expect_eq "$(vf_addr "$PF" 2)" "0000:01:00.3" "vf2's address (the XML above assumes it)"
virsh attach-device vm2 /run/e2e-hd.xml --live >/dev/null || fail "virsh attach-device"
echo "$(vf_addr "$PF" 3)" >/sys/bus/pci/drivers/vfio-pci/unbind
virsh destroy vm1 >/dev/null
sv list -j
expect_eq "$(json 'd["pfs"][0]["vfs"][3]["problem"] is not None')" True "list flags vf3 off vfio-pci"

before=$(snapshot)
sv -n recover
expect_rc 0
expect_contains "$out" "would recover: vf2 is in VM 'vm2' with no claim" "dry run of recover"
expect_contains "$out" "would: write 'vfio-pci' to /sys/bus/pci/devices/$(vf_addr "$PF" 3)/driver_override" "dry run names the bind"
expect_eq "$(snapshot)" "$before" "recover -n changes nothing"
sv recover -j
expect_rc 0
fixes=$(json '"\n".join(d["corrections"])')
expect_contains "$fixes" "vf0 is no longer in VM 'vm1'" "hostdev gone with the VM's QEMU"
expect_contains "$fixes" "vf2 is in VM 'vm2' with no claim" "attach by hand adopted"
expect_contains "$fixes" "vf3 (0000:01:00.4) was bound to 'no driver': bound to vfio-pci" "vf3 rebound"
expect_eq "$(vf_driver "$(vf_addr "$PF" 3)")" vfio-pci "vf3 driver after recover"
sv list -j
expect_eq "$(json '[(v["vf"], v["state"], v["vm"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(0, 'paused', 'vm1'), (1, 'attached', 'vm2'), (2, 'attached', 'vm2'), (3, 'detached', None)]" \
	"claims after recover"
before=$(snapshot)
sv recover
expect_rc 0
expect_contains "$out" "nothing to do" "second recover"
expect_eq "$(snapshot)" "$before" "second recover changes nothing"

# vm1 undefined: its claim goes with it
virsh undefine vm1 >/dev/null
sv recover
expect_rc 0
expect_contains "$out" "vf0: VM 'vm1' no longer exists: claim dropped" "claim of a deleted VM"

# An interrupted reconf: vm2's VFs were paused by it, the count went to 0,
# and svff was killed before it set 4 again. (vm2 has no guest OS to answer
# a hot-unplug: a restart of its QEMU releases the VFs instead.)
virsh destroy vm2 >/dev/null && start_vm vm2
echo 0 >"/sys/bus/pci/devices/$PF/sriov_numvfs"
edit_state 's["op"]={"verb":"reconf","pf":"'"$PF"'","pid":1,"started":0,"count_from":4,"count_to":4,"step":3,"step_name":"set numvfs 4"}; [c.update(state="paused", op_paused=True) for c in s["pfs"][0]["claims"]]'
before=$(snapshot)
for args in "attach vm2 vf3" "detach vm2" "pause vm2" "unpause vm2" "reconf 2" "init 4" "deinit"; do
	# shellcheck disable=SC2086
	sv $args
	expect_rc 4
	expect_contains "$err" "operation 'reconf' on $PF was interrupted at step 3 (set numvfs 4): run 'svff recover'" "'$args' during an interrupted reconf"
done
expect_eq "$(snapshot)" "$before" "refusals change nothing"
sv list
expect_rc 0

sv recover
expect_rc 0
expect_contains "$out" "interrupted 'reconf'" "recover names the operation"
expect_contains "$out" "vf1 given back to VM 'vm2'" "vf1 back"
expect_contains "$out" "vf2 given back to VM 'vm2'" "vf2 back"
expect_eq "$(numvfs "$PF")" 4 "numvfs after recover"
for i in 0 1 2 3; do expect_eq "$(vf_driver "$(vf_addr "$PF" $i)")" vfio-pci "vf$i driver"; done
sv list vm2 -j
expect_eq "$(json '[(v["vf"], v["state"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(1, 'attached'), (2, 'attached')]" "vm2's claims after recover"
n=$(virsh dumpxml vm2 | grep -c '<hostdev')
expect_eq "$n" 2 "hostdevs in vm2's live XML"
sv recover
expect_rc 0
expect_contains "$out" "nothing to do" "recover after recover"
python3 -c "import json; assert 'op' not in json.load(open('$state')) or json.load(open('$state'))['op'] is None" ||
	fail "the operation record is still there"
