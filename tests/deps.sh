#!/bin/sh
# Install every build and test dependency from Debian's packages; does
# nothing when they are all present. Needs root (or sudo) when it installs.
# qemu/build's own list (the patched QEMU of the end-to-end suite) is
# installed here too, so that a package that cannot be had stops
# `make check` at its start, named, and not at the suite.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkgs="build-essential pkg-config libvirt-dev libpci-dev libnl-3-dev
libnl-route-3-dev libxml2-dev libjson-c-dev check libsubunit-dev clang
qemu-system-x86 busybox-static cpio kmod udev pciutils zstd xz-utils
libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients valgrind python3
libclang-rt-14-dev bc bison flex libelf-dev patch time libnvme-dev nvme-cli
debhelper dpkg-dev lintian man-db ansible-core
$("$here/../qemu/build" --deps)"
absent() {
	for p in $pkgs; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed ||
			printf ' %s' "$p"
	done
}
missing=$(absent)
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null || :
missing=$(absent)
[ -z "$missing" ] || { echo "deps: cannot install:$missing" >&2; exit 1; }
