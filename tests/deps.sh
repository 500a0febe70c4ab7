#!/bin/sh
# Install every build and test dependency from Debian's packages; does
# nothing when they are all present. Needs root (or sudo) when it installs.
set -eu
pkgs="build-essential pkg-config libvirt-dev libpci-dev libnl-3-dev
libnl-route-3-dev libxml2-dev libjson-c-dev check libsubunit-dev clang
qemu-system-x86 busybox-static cpio kmod udev pciutils zstd xz-utils
libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients valgrind python3
libclang-rt-14-dev bc bison flex libelf-dev time libnvme-dev nvme-cli
debhelper dpkg-dev lintian man-db ansible-core"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
