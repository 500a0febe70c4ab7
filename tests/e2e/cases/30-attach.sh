#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# attach and detach with running and shut-off VMs (no guest OS), and every
# refusal leaving host, VMs and state file unchanged.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"
read -r -a pfs <<<"$SVFF_PFS"

sv -d "$PF" init 4
expect_rc 0
define_vm vm1 && start_vm vm1
define_vm vm2 && start_vm vm2
define_vm full --ports 1 && start_vm full    # its one port taken below
define_vm off                                # defined, shut off

sv attach vm1 vf0
expect_rc 0
sv attach vm2 -j                             # the lowest free VF
expect_rc 0
expect_eq "$(json '[a["vf"] for a in d["attached"]]')" "[1]" "VF chosen for vm2"
sv list -j
expect_eq "$(json '[(v["vf"], v["state"], v["vm"]) for v in d["pfs"][0]["vfs"]][:2]')" \
	"[(0, 'attached', 'vm1'), (1, 'attached', 'vm2')]" "claims"
g1=$(json 'd["pfs"][0]["vfs"][0]["guest_addr"]')
[ "$g1" != None ] || fail "no guest address recorded for vm1"
for pair in "vm1 0" "vm2 1"; do
	# shellcheck disable=SC2086 # two words
	set -- $pair
	src=$(vf_addr "$PF" "$2")
	bus=${src:5:2} slot=${src:8:2} fn=${src:11:1}
	virsh dumpxml "$1" | grep -q "<address domain='0x0000' bus='0x$bus' slot='0x$slot' function='0x$fn'/>" ||
		fail "vf$2 ($src) is not in the live XML of $1"
done
# the guest address svff recorded is the one in the live XML
gb=${g1:5:2}
virsh dumpxml vm1 | grep -q "<address type='pci' domain='0x0000' bus='0x$gb'" ||
	fail "guest address $g1 not in vm1's live XML"

sv attach vm1 vf0
expect_rc 0
expect_contains "$out" "attached to VM 'vm1' already" "attach again"

sv attach full vf3          # takes the only free slot of 'full'
expect_rc 0
before=$(snapshot)
for args in "nosuchvm vf2" "vm1 vf9" "vm2 vf0" "full vf2" "vm1 vf2 vf2"; do
	# shellcheck disable=SC2086
	sv attach $args
	[ "$rc" != 0 ] || fail "attach $args succeeded"
	expect_eq "$(snapshot)" "$before" "host, VMs and state after 'attach $args'"
done
sv attach nosuchvm vf2;  expect_eq "$err" "svff: no VM 'nosuchvm'" "unknown VM"
sv attach vm1 vf9;       expect_contains "$err" "no VF 'vf9'" "unknown VF"
sv attach vm2 vf0;       expect_contains "$err" "vf0 is attached to VM 'vm1'" "VF held elsewhere"
sv attach full vf2;      expect_contains "$err" "cannot attach '$(vf_addr "$PF" 2)' to VM 'full'" "no free slot"
expect_rc 1
sv -c 'qemu+unix:///system?socket=/nonexistent' attach vm1 vf2
expect_rc 1
expect_contains "$err" "cannot connect to libvirt" "libvirtd unreachable"
sv -d "${pfs[1]}" attach vm1
expect_rc 1
expect_contains "$err" "svff does not manage ${pfs[1]}: run 'svff init' first" "unmanaged PF"
sv deinit
expect_rc 1
expect_contains "$err" "VMs still hold VFs" "deinit with claims"
expect_eq "$(snapshot)" "$before" "after refused commands"

# A shut-off VM gets the persistent configuration only.
sv attach off vf2
expect_rc 0
virsh dumpxml --inactive off | grep -q "<hostdev" || fail "no hostdev in off's persistent XML"
sv detach off
expect_rc 0
virsh dumpxml --inactive off | grep -q "<hostdev" && fail "hostdev left in off's persistent XML"

# A guest with no OS never answers hot-unplug: bounded wait, claim kept.
sv -t 3 detach vm2
expect_rc 1
expect_contains "$err" "VM 'vm2' did not release" "detach from a deaf guest"
sv list vm2 -j
expect_eq "$(json 'd["pfs"][0]["vfs"][0]["state"]')" attached "vm2's claim after the failed detach"

# deinit --force on VMs whose guests do not answer fails and says so
sv -t 2 deinit --force
expect_rc 1
virsh destroy vm1 >/dev/null; virsh destroy vm2 >/dev/null; virsh destroy full >/dev/null
sv deinit --force       # the VMs are gone from the host: claims dropped
expect_rc 0
expect_eq "$(numvfs "$PF")" 0 "numvfs after deinit --force"
