#!/usr/bin/env bash
# Failures under mpirun end every rank with one message and exit code 2, never a hang
# (ctest's timeout would catch one). Usage: failures.sh MYELIN CONFIG
set -uo pipefail
myelin=$1 config=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAILED: $*"; exit 1; }

# Bad input seen by every rank: one message (rank 0's), exit 2, no output.
printf '{"populations": [{"name": "P", "model": "iaf_psc_exp", "n": 4, "params": {"tau_m": -1}}]}' > "$out/bad.json"
err=$(mpirun --oversubscribe -n 3 "$myelin" run "$out/bad.json" --output "$out/o1" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "bad config: exit $rc, expected 2"
[ "$(grep -c 'tau_m = -1 ms; must be > 0' <<<"$err")" -eq 1 ] || fail "bad config: message not printed exactly once: $err"
[ ! -e "$out/o1" ] || fail "bad config: output left behind"

# A problem only rank 0 sees (the output folder exists): the other ranks must not wait.
mkdir "$out/exists"
err=$(mpirun --oversubscribe -n 2 "$myelin" run "$config" --output "$out/exists" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "existing output: exit $rc, expected 2"
grep -q 'already exists; use --force' <<<"$err" || fail "existing output: no message: $err"
echo "failures end all ranks cleanly"
