#!/bin/bash
# shellcheck disable=SC2154 # out, err and rc are set by sv (lib.sh)
# The example Ansible playbook (examples/ansible), run by Debian's
# ansible-core against the emulated host itself (connection: local):
# a change is reported "changed" and done; the same play again changes
# nothing; a configuration svff refuses is never installed and the play
# fails with svff's message; a host that diverged from the file fails
# the apply task with svff's message.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../lib.sh"

command -v ansible-playbook >/dev/null || fail "no ansible-playbook (ansible-core, tests/deps.sh)"
book=$(cd "$(dirname "$0")/../../../examples/ansible" && pwd)/svff.yml
mkdir -p /etc/svff
conf=/etc/svff/svff.xml
inv=/run/e2e-ansible.ini
printf 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n' >"$inv"
define_vm a1
define_vm a2

# play PFS_JSON: runs the playbook with svff_pfs; sets prc, and ptasks
# ("TASK=ok|changed|skipped|failed", with the failure's message and
# stderr) from ansible's default output (ansible-core has no json
# callback).
play() {
	local o=/run/e2e-ansible.out t0=$SECONDS
	prc=0
	printf '{"svff_pfs": %s, "svff_bin": "%s", "svff_hosts": "localhost", "ansible_become": false}' \
		"$1" "$SVFF" >/run/e2e-ansible-vars.json
	ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0 \
		ANSIBLE_PIPELINING=1 \
		ansible-playbook -i "$inv" -e @/run/e2e-ansible-vars.json "$book" >"$o" 2>&1 || prc=$?
	ptasks=$(python3 -c '
import json, re, sys
task = None
for line in open(sys.argv[1]):
    m = re.match(r"TASK \[(.*)\] \**$", line.strip())
    if m:
        task = m.group(1)
        continue
    m = re.match(r"(ok|changed|skipping|fatal): \[localhost\](: FAILED! => )?(.*)", line.strip())
    if not (task and m):
        continue
    how = {"skipping": "skipped", "fatal": "failed"}.get(m.group(1), m.group(1))
    why = ""
    if how == "failed":
        r = json.loads(m.group(3))
        why = " %s %s" % (r.get("msg", ""), r.get("stderr", ""))
    print("%s=%s%s" % (task, how, why))
    task = None
' "$o") || fail "cannot read ansible-playbook's output: $(cat "$o")"
	printf '%s\n' "$ptasks" | sed 's/^/  task: /'
	echo "  (the play took $((SECONDS - t0)) s)"
}
pfs() { # VFS CLAIM_VF
	printf '[{"addr": "%s", "vfs": %s, "queues": 3, "claims": [{"vm": "a1", "vf": %s}]}]' "$PF" "$1" "$2"
}

# a change: 3 VFs, 3 queues each, vf1 in a1's persistent configuration
play "$(pfs 3 1)"
expect_eq "$prc" 0 "the first play's exit status"
expect_contains "$ptasks" "Write svff's configuration=changed" "the first play"
expect_contains "$ptasks" "Apply it=changed" "the first play"
expect_eq "$(numvfs "$PF")" 3 "VFs after the first play"
expect_eq "$(claims)" "1:a1:attached" "claims after the first play"
grep -q '<claim vm="a1" vf="1"/>' "$conf" || fail "the templated file: $(cat "$conf")"

# the same play: nothing changed, and the play says so
before=$(snapshot)
play "$(pfs 3 1)"
expect_eq "$prc" 0 "the second play's exit status"
expect_contains "$ptasks" "Write svff's configuration=ok" "the second play"
expect_contains "$ptasks" "Apply it=ok" "the second play"
expect_eq "$(snapshot)" "$before" "host, VMs and state after the second play"

# a file svff refuses (vf9 of 3): not installed, the play fails with
# svff's message, nothing changes
before=$(snapshot)
old=$(cat "$conf")
play "$(pfs 3 9)"
[ "$prc" != 0 ] || fail "a play with a refused file succeeded: $ptasks"
expect_contains "$ptasks" "Write svff's configuration=failed" "a refused file"
expect_contains "$ptasks" "failed to validate" "a refused file"
expect_contains "$ptasks" "vf9" "svff's message in the play's output"
expect_eq "$(cat "$conf")" "$old" "the installed file after a refusal"
expect_eq "$(snapshot)" "$before" "host, VMs and state after a refused file"

# the host diverged (vf1 moved to a2 by hand): the file is unchanged, so
# apply is what refuses, and the play fails with its message
sv -d "$PF" detach a1 vf1
expect_rc 0
sv -d "$PF" attach a2 vf1
expect_rc 0
before=$(snapshot)
play "$(pfs 3 1)"
[ "$prc" != 0 ] || fail "a play against a diverged host succeeded: $ptasks"
expect_contains "$ptasks" "Apply it=ok" "the apply task of a diverged host"
expect_contains "$ptasks" "Fail with svff's message=failed svff apply: $conf:" "the failure"
expect_contains "$ptasks" "vf1 is held by VM 'a2', the file gives it to 'a1'" "the failure"
expect_eq "$(snapshot)" "$before" "host, VMs and state after the failed apply"
echo "== ansible: changed, then ok, then two failures with svff's message"
