#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# The declarative configuration and boot: what a file cannot mean is
# refused, naming the file and line, with nothing changed; apply converges
# the host to the file (-n prints the plan), a second run has nothing to
# do, save writes the state back as a file. Then a reboot, simulated:
# libvirtd stopped, /run/svff gone, the VFs gone, libvirtd started, and
# the boot unit's own command run: the VM that held a VF in its persistent
# configuration starts with it, at the same guest address, and its guest
# brings the VF's NVMe controller live (its resources were given again).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

PF2=$(echo "$SVFF_PFS" | cut -d' ' -f2)
mkdir -p /etc/svff
conf=/etc/svff/svff.xml

# refusals, each naming the file and the line
bad() { # WHAT STATUS NEEDLE: $conf holds the text
	local before
	before=$(snapshot)
	sv apply
	expect_rc "$2"
	expect_contains "$err" "$3" "$1"
	expect_eq "$(snapshot)" "$before" "host, VMs and state after: $1"
}
define_vm p1 --os
printf '<svff>\n  <pf addr="%s" vfs="3">\n    <claim vm="p1" vf="1"/>\n    <claim vm="p1" vf="1"/>\n  </pf>\n</svff>\n' "$PF" >"$conf"
bad "a VF claimed twice" 1 "$conf:4: vf1 of $PF is claimed twice (also by 'p1' at line 3)"
printf '<svff>\n  <pf addr="0000:09:00.0" vfs="2"/>\n</svff>\n' >"$conf"
bad "a PF that does not exist" 1 "$conf:2: no PCI device '0000:09:00.0'"
printf '<svff>\n  <pf addr="%s" vfs="9"/>\n</svff>\n' "$PF2" >"$conf"
bad "a count above TotalVFs" 1 "$conf:2: $PF2 offers at most 8 VFs, not 9"
printf '<svff>\n  <pf addr="%s" vfs="2">\n  </pf\n</svff>\n' "$PF" >"$conf"
bad "malformed XML" 1 "$conf:4: expected '>'"
printf '<svff>\n  <pf addr="%s" vfs="2" queues="2"/>\n</svff>\n' "$PF" >"$conf"
bad "an unknown attribute" 1 "$conf:2: <pf> has no attribute 'queues'"
printf '<svff>\n  <pf addr="%s" vfs="2">\n    <claim vm="nosuchvm" vf="0"/>\n  </pf>\n</svff>\n' "$PF" >"$conf"
bad "a VM that does not exist" 1 "$conf:3: "

# converge: 3 VFs with 3 queues each, vf1 with 2 vectors, vf1 in p1's
# persistent configuration
cat >"$conf" <<X
<svff>
  <pf addr="$PF" vfs="3">
    <resources queues="3"/>
    <vf index="1" vectors="2"/>
    <claim vm="p1" vf="1"/>
  </pf>
</svff>
X
before=$(snapshot)
sv -n apply
expect_rc 0
expect_contains "$out" "would: $PF: init 3" "apply -n: the plan"
expect_eq "$(snapshot)" "$before" "host, VMs and state after apply -n"
sv apply -j
expect_rc 0
expect_eq "$(json 'd["changed"]')" True "apply: changed"
sv list -j
no_problem "after apply"
expect_eq "$(json '[(v["vf"], v["state"], v["vm"], v["resources"]["has"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(0, 'detached', None, {'queues': 3, 'vectors': 1}), (1, 'attached', 'p1', {'queues': 3, 'vectors': 2}), (2, 'detached', None, {'queues': 3, 'vectors': 1})]" \
	"the host after apply"
ga=$(json 'd["pfs"][0]["vfs"][1]["guest_addr"]')
[ -n "$ga" ] && [ "$ga" != None ] || fail "no guest address for p1's VF"
virsh dumpxml --inactive p1 | grep -q "<hostdev" || fail "p1's persistent configuration has no hostdev"
sv apply -j
expect_rc 0
expect_eq "$(json 'd["changed"]')" False "a second apply"
sv apply
expect_contains "$out" "nothing to do" "a second apply"

# save gives back a file that apply finds nothing to do with
sv save /run/saved.xml
expect_rc 0
grep -q "<claim vm=\"p1\" vf=\"1\" guest=\"$ga\"/>" /run/saved.xml || fail "save: no claim of p1: $(cat /run/saved.xml)"
sv apply /run/saved.xml
expect_contains "$out" "nothing to do" "apply of what save wrote"

# the reboot: the daemon, the state and the VFs go; the unit's command
pkill -x libvirtd
for _ in $(seq 50); do pgrep -x libvirtd >/dev/null || break; sleep 0.2; done
rm -rf "$SVFF_STATE_DIR"
echo 0 >"/sys/bus/pci/devices/$PF/sriov_numvfs"
echo 1 >"/sys/bus/pci/devices/$PF/sriov_drivers_autoprobe"
start_libvirtd || fail "libvirtd did not start again"
virsh start p1 >/dev/null 2>&1 && fail "p1 started before its VF existed"
cmd=$(sed -n 's/^ExecStart=//p' systemd/svff-apply.service)
expect_eq "$cmd" "/usr/sbin/svff apply -q" "the unit's command"
read -r -a words <<<"${cmd#/usr/sbin/svff }"
sv "${words[@]}"
expect_rc 0
expect_eq "$out" "" "apply -q at boot prints nothing"
sv list -j
no_problem "after the boot's apply"
expect_eq "$(json '[(v["vf"], v["state"], v["vm"], v["guest_addr"]) for v in d["pfs"][0]["vfs"]]')" \
	"[(0, 'detached', None, None), (1, 'attached', 'p1', '$ga'), (2, 'detached', None, None)]" \
	"the claim after the boot's apply"
start_vm p1
wait_guest_up p1 400 || fail "p1's guest did not boot"
wait_guest_sees p1 "^0x1b36:0x0010@$ga" 120 || fail "p1's guest does not see its VF at $ga"
wait_guest_sees p1 '^nvme@.*=live' 120 || fail "p1's guest did not bring its VF's controller live"
echo "after the reboot p1's guest reports: $(guest_pci_devices p1 | grep -E '^(0x1b36|nvme)' | tr '\n' ' ')"
virsh destroy p1 >/dev/null
sv detach p1
expect_rc 0
sv deinit
expect_rc 0
virsh undefine p1 >/dev/null
rm -f "$conf"
