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
# A failure on one rank in any phase (injected by the test hook core/fault.hpp) ends every
# rank within seconds with one message naming the rank, not a hang in a collective.
for phase in build run exchange checkpoint; do
    for exchange in allgather targeted; do
        start=$(date +%s)
        err=$(MYELIN_INJECT_FAILURE=$phase:1 timeout 60 mpirun --oversubscribe -n 3 "$myelin" run "$config" --t-stop 500 \
              --checkpoint-every 100 --exchange $exchange --output "$out/f_$phase" --quiet 2>&1 >/dev/null); rc=$?
        took=$(( $(date +%s) - start ))
        [ $rc -ne 124 ] || fail "$phase ($exchange): hung (killed after 60 s)"
        [ $rc -ne 0 ] || fail "$phase ($exchange): exit 0 despite the failure"
        [ $took -le 20 ] || fail "$phase ($exchange): took $took s to end"
        grep -q "myelin: failed on rank 1.*injected failure ($phase" <<<"$err" || fail "$phase ($exchange): no message: $err"
        rm -rf "$out/f_$phase"
    done
done
echo "failures end all ranks cleanly"
