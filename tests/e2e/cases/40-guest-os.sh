#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# A VM whose guest runs Linux sees the VF appear on attach and vanish on
# detach, as its own PCI report says, not only libvirt.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

sv -d "$PF" init 2
expect_rc 0
define_vm os1 --os && start_vm os1
t0=$(date +%s)
wait_guest_up os1 400 || fail "the guest of os1 did not report within 400 s"
echo "guest up after $(($(date +%s) - t0)) s"
guest_pci_devices os1 | grep -q '^0x1b36:0x0010@' && fail "the guest sees an NVMe before attach"

sv attach os1 vf1
expect_rc 0
t0=$(date +%s)
wait_guest_sees os1 '^0x1b36:0x0010@' 120 || fail "the guest did not see vf1 within 120 s"
echo "guest saw the VF after $(($(date +%s) - t0)) s: $(guest_pci_devices os1 | grep 0x0010@)"

t0=$(date +%s)
sv -t 120 detach os1
expect_rc 0
echo "detach took $(($(date +%s) - t0)) s"
wait_guest_gone os1 '^0x1b36:0x0010@' 30 || fail "the guest still sees the VF after detach"
sv list -j
expect_eq "$(json '[v["state"] for v in d["pfs"][0]["vfs"]]')" "['detached', 'detached']" "states"
expect_eq "$(vf_driver "$(vf_addr "$PF" 1)")" vfio-pci "vf1 back on the host, on vfio-pci"
