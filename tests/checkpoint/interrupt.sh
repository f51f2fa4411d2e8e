#!/usr/bin/env bash
# SIGINT (and SIGTERM) end a run at the next window: exit code 130, the spikes so far
# written and marked incomplete, a checkpoint where it stopped, and the resume command
# printed; resumed from there, the run equals one never interrupted.
# Usage: interrupt.sh MYELIN PYTHON CONFIG
set -uo pipefail
myelin=$1 python=$2 config=$3
same="$python $(cd "$(dirname "$0")/../reference/sonata" && pwd)/same_output.py"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAILED: $*"; exit 1; }

# SIGINT, SIGTERM, and SIGINT while checkpoints are written every 3 ms (most of the wall
# time then goes to writing them, so the signal mostly comes in the middle of one).
for case in INT:1000000 TERM:1000000 INT:3; do
    signal=${case%%:*} every=${case#*:}
    rm -rf "$out/a" "$out/a2" "$out/full"
    # Long enough (about 60 s) that the signal always comes first.
    "$myelin" run "$config" --threads 1 --t-stop 1000000 --checkpoint-every "$every" --output "$out/a" --quiet \
        >"$out/stdout" 2>"$out/stderr" &
    pid=$!
    sleep 1
    kill -s "$signal" "$pid"
    wait "$pid"; rc=$?
    [ $rc -eq 130 ] || fail "SIG$signal: exit $rc, expected 130: $(cat "$out/stderr")"
    grep -q "interrupted (SIG$signal) at" "$out/stderr" || fail "SIG$signal: no message: $(cat "$out/stderr")"
    grep -q "resume with: myelin resume '$out/a/checkpoint.h5' --t-stop 1000000" "$out/stderr" \
        || fail "SIG$signal: no resume command: $(cat "$out/stderr")"
    [ -f "$out/a/checkpoint.h5" ] || fail "SIG$signal: no checkpoint"
    ls -A "$out" | grep -q partial && fail "SIG$signal: staging folder left"
    ls -A "$out/a" | grep -q partial && fail "SIG$signal: staging folder left inside"
    # Where it stopped, from the spike file; then 200 ms more, against a run to that end.
    stop=$($python -c "
import h5py, sys
a = h5py.File(sys.argv[1])['spikes'].attrs
assert a['incomplete'].startswith('interrupted (SIG$signal) at'), a['incomplete']
print(repr(float(a['t_stop']) + 200.0))" "$out/a/spikes.h5") || fail "SIG$signal: spike file not marked"
    "$myelin" resume "$out/a/checkpoint.h5" --t-stop "$stop" --output "$out/a2" --quiet >/dev/null || fail "resume"
    "$myelin" run "$config" --threads 2 --t-stop "$stop" --output "$out/full" --quiet >/dev/null || fail "full run"
    $same "$out/full" "$out/a2" || fail "SIG$signal: resumed run differs from the whole run to $stop ms"
done
echo "interrupted runs stop cleanly and resume to the same spikes"
