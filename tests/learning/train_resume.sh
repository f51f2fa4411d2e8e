#!/usr/bin/env bash
# myelin train saves a checkpoint after every epoch; interrupted (SIGINT) it stops after
# the current epoch with exit 130, and `--resume` continues to the very model of an
# uninterrupted training: parameters and history bit for bit (model files hold no wall
# times; history.csv does).
# Usage: train_resume.sh MYELIN PYTHON CONFIG (run in the config's folder)
set -euo pipefail
myelin=$1 python=$2 config=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
epochs=12
"$myelin" train "$config" --epochs $epochs --threads 2 --output "$out/full" --quiet
# Two trainings of one config and seed write the same bytes (on any thread count).
"$myelin" train "$config" --epochs 2 --threads 1 --output "$out/two1" --quiet
sleep 1.1  # HDF5's object times have a resolution of 1 s: they would differ
"$myelin" train "$config" --epochs 2 --threads 2 --output "$out/two2" --quiet
cmp "$out/two1/model.h5" "$out/two2/model.h5"

# Interrupted once an epoch has been reported.
"$myelin" train "$config" --epochs $epochs --output "$out/cut" >"$out/log" 2>"$out/err" &
pid=$!
for _ in $(seq 600); do grep -q "epoch   2/" "$out/log" 2>/dev/null && break; sleep 0.02; done
kill -INT $pid
rc=0; wait $pid || rc=$?
cat "$out/err"
[[ $rc == 130 ]] || { echo "exit $rc, expected 130"; cat "$out/log"; exit 1; }
grep -q "resume with: myelin train '$config' --resume --output '$out/cut' --epochs $epochs" "$out/err"
[[ -f $out/cut/checkpoint.h5 && ! -f $out/cut/model.h5 ]]

# Resumed on another thread count.
"$myelin" train "$config" --epochs $epochs --threads 1 --resume --output "$out/cut" >"$out/log2"
grep -q "resumed after epoch" "$out/log2"
$python - "$out/full/model.h5" "$out/cut/model.h5" <<'PY'
import sys, h5py
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
def walk(g, prefix=""):
    for k, v in g.items():
        if isinstance(v, h5py.Group): yield from walk(v, f"{prefix}/{k}")
        else: yield f"{prefix}/{k}", v
da, db = dict(walk(a)), dict(walk(b))
assert sorted(da) == sorted(db), (sorted(da), sorted(db))
for k in da:
    assert da[k][()].tobytes() == db[k][()].tobytes(), k
assert len(da["/history/loss"]) == 12
print("resumed training equals the uninterrupted one:", ", ".join(sorted(da)))
PY
# Nothing left to train, another config, no checkpoint: refused with exit 2.
refused() {
    if "$myelin" train "$@" --quiet 2>"$out/err3"; then rc=0; else rc=$?; fi
    [[ $rc == 2 ]] || { echo "exit $rc"; cat "$out/err3"; exit 1; }
}
refused "$config" --epochs $epochs --resume --output "$out/cut"
grep -q "has trained 12 epochs already" "$out/err3"
refused "$config" --epochs 20 --seed 99 --resume --output "$out/cut"
grep -q "trained with seed" "$out/err3"
refused "$config" --resume --output "$out/none"
grep -q "no such file" "$out/err3"
