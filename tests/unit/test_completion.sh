#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion (completion/svff), driven as bash drives it: COMP_LINE
# and COMP_POINT set, _svff called, COMPREPLY read. PFs and VFs come from a
# fake sysfs tree made here, VMs from a stand-in virsh on PATH. Then the
# completion is held to the program: every command and option that
# 'svff --help' and 'svff help VERB' list is offered, and every verb it
# offers is one svff knows. Run by 'make unit' with SVFF_BIN set.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${SVFF_BIN:?SVFF_BIN is not set: run through 'make unit'}"
pass=0 fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# A fake sysfs: two SR-IOV PFs (4 and 2 VFs), a device without SR-IOV.
dev=$t/sys/bus/pci/devices
mkdir -p "$dev"
mkpf() { # addr totalvfs numvfs
	local i vf
	mkdir -p "$dev/$1"
	echo "$2" >"$dev/$1/sriov_totalvfs"
	for ((i = 0; i < $3; i++)); do
		vf=${1%.0}.$((i + 1))
		mkdir -p "$dev/$vf"
		ln -s "../$vf" "$dev/$1/virtfn$i"
	done
}
mkpf 0000:01:00.0 127 4
mkpf 0000:3b:00.0 8 2
mkdir -p "$dev/0000:03:00.0"
export SVFF_SYSFS_ROOT=$t/sys

# A stand-in virsh: its arguments to a file, the VMs on stdout; fails
# (like a virsh that cannot connect) when $t/virsh-fails exists.
mkdir "$t/bin"
cat >"$t/bin/virsh" <<EOF
#!/bin/sh
echo "\$*" >>"$t/virsh-args"
if [ -e "$t/virsh-fails" ]; then echo "error: failed to connect" >&2; exit 1; fi
printf 'vm1\nvm2\nweb-frontend\n\n'
EOF
chmod +x "$t/bin/virsh"
PATH=$t/bin:$PATH
unset SVFF_CONNECT

# shellcheck source=completion/svff
. "$top/completion/svff"
[[ $(complete -p svff) == "complete -F _svff svff" ]] && ok || bad "complete -p svff: $(complete -p svff 2>&1)"

# What TAB offers at the end of the line $1: the sorted COMPREPLY.
comp() {
	COMP_LINE=$1 COMP_POINT=${#1}
	read -r -a COMP_WORDS <<<"$1"
	COMP_CWORD=${#COMP_WORDS[@]}
	COMPREPLY=()
	_svff svff
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() { # line expected
	local got
	got=$(comp "$1" 2>"$t/stderr")
	if [[ $got == "$2" ]]; then ok; else bad "'$1<TAB>': got '$got', want '$2'"; fi
	if [[ -s $t/stderr ]]; then bad "'$1<TAB>' wrote to stderr: $(cat "$t/stderr")"; fi
}

# verbs
expect "svff " "apply attach deinit detach help init list pause reconf recover reprogram res resources save status unpause"
expect "svff re" "reconf recover reprogram res resources"
expect "svff -j l" "list"
expect "svff -d 3b:00.0 de" "deinit detach"
expect "svff help un" "unpause"
# options: global ones, and the verb's own after it
expect "svff --d" "--device --dry-run"
expect "svff init --" "--connect --device --driver --dry-run --help --json --no-resources --queues --quiet --timeout --vectors --verbose --version --wait"
expect "svff reconf -f" "-f"
expect "svff reconf --f" "--force"
expect "svff attach vm1 --c" "--config --connect"
expect "svff list --c" "--connect"
expect "svff init --driver " "vfio-pci"
expect "svff init --queues " ""
# PFs from sysfs, full addresses, what bash wants after a colon
expect "svff -d " "0000:01:00.0 0000:3b:00.0"
expect "svff --device 0000:3" "3b:00.0"
expect "svff -d 0000:3b:" "00.0"
expect "svff --device=0000:0" "01:00.0"
expect "svff --device=" "0000:01:00.0 0000:3b:00.0"
# VFs of the PF named, or of every PF
expect "svff -d 0000:01:00.0 resources " "vf0 vf1 vf2 vf3"
expect "svff -d 3b:00.0 resources " "vf0 vf1"
expect "svff resources vf" "vf0 vf1 vf2 vf3"
expect "svff --device=0000:3b:00.0 attach vm1 " "vf0 vf1"
expect "svff attach vm1 vf0 vf" "vf0 vf1 vf2 vf3"
expect "svff attach vm1 vf0 --trust " "off on"
expect "svff attach vm1 --vlan 10 --spoofchk off " "vf0 vf1 vf2 vf3"
expect "svff attach vm1 vf0 --mac " ""
# VMs from libvirt, first where a verb takes a VM
expect "svff attach " "vm1 vm2 web-frontend"
expect "svff attach w" "web-frontend"
expect "svff -d 3b:00.0 detach " "vf0 vf1 vm1 vm2 web-frontend"
expect "svff pause vm1 " "vf0 vf1 vf2 vf3"
expect "svff list v" "vf0 vf1 vf2 vf3 vm1 vm2"
expect "svff list vm1 " ""
# the URI of -c reaches virsh
: >"$t/virsh-args"
expect "svff -c qemu:///session attach " "vm1 vm2 web-frontend"
grep -qx -- '-c qemu:///session -q list --all --name' "$t/virsh-args" && ok ||
	bad "virsh ran with '$(cat "$t/virsh-args")', not with the URI of -c"
# a virsh that fails, or none at all: no VMs, nothing on stderr
touch "$t/virsh-fails"
expect "svff attach " ""
expect "svff -d 3b:00.0 detach " "vf0 vf1"
rm "$t/virsh-fails" "$t/bin/virsh"
expect "svff pause " "vf0 vf1 vf2 vf3"
# no arguments where the verb takes none; files for apply and save
expect "svff deinit " ""
expect "svff reconf " ""
mkdir "$t/cfg" && touch "$t/cfg/night.xml" "$t/cfg/day.xml"
expect "svff apply $t/cfg/n" "$t/cfg/night.xml"
expect "svff save $t/cfg/d" "$t/cfg/day.xml"
# reprogram: its options, '--' and nothing else before the command; after
# '--' a command name (a stand-in tool on PATH, a path to one), then files,
# with svff's own options (-d, --vfs) read as the command's there
cat >"$t/bin/fpgaprog-stand-in" <<<'#!/bin/sh'
chmod +x "$t/bin/fpgaprog-stand-in"
mkdir "$t/img" && touch "$t/img/new.bin" "$t/img/new.xclbin" "$t/img/old.bin"
expect "svff reprogram --r" "--remove"
expect "svff reprogram --remove --v" "--verbose --version --vfs"
expect "svff reprogram --vfs " ""
expect "svff reprogram --remove --n" "--new-ids"
expect "svff reprogram --c" "--command-timeout --connect"
expect "svff reprogram --command-timeout " ""
expect "svff reprogram --command-timeout 900 " "--"
expect "svff reprogram -f" "-f"
expect "svff reprogram " "--"
expect "svff -d 3b:00.0 reprogram --remove --vfs 4 " "--"
expect "svff reprogram -- fpgaprog-st" "fpgaprog-stand-in"
expect "svff -t 900 reprogram --remove -- fpgaprog-st" "fpgaprog-stand-in"
expect "svff reprogram -- $t/bin/fpgaprog-s" "$t/bin/fpgaprog-stand-in"
expect "svff reprogram -- fpgaprog-stand-in $t/img/new" "$t/img/new.bin $t/img/new.xclbin"
expect "svff reprogram -- fpgaprog-stand-in -d 0000:3b:00.0 -u $t/img/o" "$t/img/old.bin"
expect "svff reprogram -- fpgaprog-stand-in --image=$t/img/o" "$t/img/old.bin"
expect "svff reprogram --vfs 2 -- fpgaprog-stand-in --vfs $t/img/new.x" "$t/img/new.xclbin"
cd "$t/img" || exit 1
expect "svff reprogram -- fpgaprog-stand-in -d " "new.bin new.xclbin old.bin"
expect "svff reprogram -- sh -c " "new.bin new.xclbin old.bin"
cd "$top" || exit 1
expect "svff help rep" "reprogram"

# Held to the program: what --help and help VERB list is offered.
"$SVFF_BIN" --help >"$t/help" || bad "svff --help failed"
verbs=$(sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' "$t/help")
[[ $(wc -w <<<"$verbs") -ge 11 ]] && ok || bad "svff --help lists only '$verbs'"
gopts=$(grep -o -- '^  -[a-zA-Z], --[a-z-]*' "$t/help" | tr -d ',')
[[ $(wc -w <<<"$gopts") -ge 20 ]] && ok || bad "global options: only '$gopts'"
offered=" $(comp 'svff ') "
for o in $gopts; do
	[[ " $(comp "svff ${o:0:2}") " == *" $o "* ]] && ok || bad "global option '$o' is not completed"
done
for v in $verbs; do
	[[ $offered == *" $v "* ]] && ok || bad "verb '$v' is not completed"
	"$SVFF_BIN" help "$v" >"$t/vhelp" || bad "svff help $v failed"
	alias=$(sed -n 's/^Alias: //p' "$t/vhelp")
	[[ -z $alias || $offered == *" $alias "* ]] && ok || bad "alias '$alias' of '$v' is not completed"
	vopts=$(sed -n '/^Options:/,/^$/p' "$t/vhelp" | grep -o -- '-[a-z], --[a-z-]*\|--[a-z-]*' | tr -d ',')
	for name in $v $alias; do
		for o in $vopts; do
			[[ " $(comp "svff $name ${o:0:2}") " == *" $o "* ]] && ok ||
				bad "option '$o' of '$name' is not completed"
		done
	done
done
for v in $offered; do
	"$SVFF_BIN" help "$v" >/dev/null 2>&1 && ok || bad "completion offers '$v', which svff does not know"
done

echo "completion: $pass passed, $fail failed"
[[ $fail == 0 ]]
