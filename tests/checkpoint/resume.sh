#!/usr/bin/env bash
# A run of 0 -> T equals, dataset for dataset and byte for byte, the same run stopped at a
# checkpoint and resumed to T: mid-window and at window boundaries, on other thread
# counts and (with RANKS given) on other rank counts.
# Usage: resume.sh MYELIN PYTHON CONFIG [RANKS]
set -euo pipefail
myelin=$1 python=$2 config=$3 ranks=${4:-}
same="$python $(cd "$(dirname "$0")/../reference/sonata" && pwd)/same_output.py"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() { "$myelin" "$@" --quiet >/dev/null; }

run run "$config" --threads 1 --output "$out/full"

if [[ -z $ranks ]]; then
    # Stopped inside a communication window (d_min 1 ms): undelivered spikes in the checkpoint.
    run run "$config" --threads 2 --t-stop 100.3 --checkpoint-every 100.3 --output "$out/a"
    run resume "$out/a/checkpoint.h5" --t-stop 200 --threads 3 --output "$out/a2"
    $same "$out/full" "$out/a2"
    # The checkpoint holds no spikes, only how far a/spikes.h5 was written; resume
    # continues that file. A folder moved with its checkpoint resumes from the file beside
    # it; with another run's file there, or none, resume refuses (exit 2, nothing written).
    mv "$out/a" "$out/moved"
    run resume "$out/moved/checkpoint.h5" --t-stop 200 --output "$out/a3"
    $same "$out/full" "$out/a3"
    refused() {
        if "$myelin" resume "$out/moved/checkpoint.h5" --t-stop 200 --output "$out/no" --quiet 2>"$out/err"; then rc=0; else rc=$?; fi
        [[ $rc == 2 && ! -e $out/no ]] && grep -q "$1" "$out/err" || { echo "resume: exit $rc"; cat "$out/err"; exit 1; }
    }
    # Another run's file: one spike time changed.
    cp "$out/a3/spikes.h5" "$out/moved/spikes.h5"
    $python -c "import h5py, sys
f = h5py.File(sys.argv[1], 'r+')
t = next(g['timestamps'] for g in f['spikes'].values() if len(g['timestamps']))
t[0] += 0.1" "$out/moved/spikes.h5"
    refused "checksums differ"
    rm "$out/moved/spikes.h5"
    refused "not there"
    # A run killed before its end leaves its staging folder, with the spikes flushed at
    # each checkpoint: resume finds them there.
    run run "$config" --threads 2 --t-stop 100.3 --checkpoint-every 100.3 --output "$out/k"
    mkdir "$out/k/.partial-1"
    mv "$out/k/spikes.h5" "$out/k/.partial-1/"
    run resume "$out/k/checkpoint.h5" --t-stop 200 --output "$out/k2"
    $same "$out/full" "$out/k2"
    # Several checkpoints on window boundaries; the last one is kept. Writing them changes nothing.
    run run "$config" --threads 1 --t-stop 150 --checkpoint-every 50 --output "$out/b"
    run resume "$out/b/checkpoint.h5" --t-stop 200 --threads 2 --checkpoint-every 25 --output "$out/b2"
    $same "$out/full" "$out/b2"
    # The checkpoint a resumed run wrote (at 200 ms) resumes as well, beyond the config's t_stop.
    run run "$config" --threads 1 --t-stop 250 --output "$out/full250"
    run resume "$out/b2/checkpoint.h5" --t-stop 250 --output "$out/b3"
    $same "$out/full250" "$out/b3"
    exit 0
fi

# Several ranks write a file each beside an index (the default there), or rank 0 one file
# (--checkpoint-files one): both resume on 3 ranks and on 1.
for files in per-rank one; do
    mpirun --oversubscribe -n "$ranks" "$myelin" run "$config" --threads 1 --t-stop 100.3 --checkpoint-every 100.3 \
        --checkpoint-files $files --output "$out/m" --force --quiet >/dev/null
    parts=$(find "$out/m" -name '*.h5' -path '*checkpoint.h5.parts*' | wc -l)
    [[ $files == one && $parts == 0 || $files == per-rank && $parts == "$ranks" ]] \
        || { echo "--checkpoint-files $files: $parts part files"; exit 1; }
    mpirun --oversubscribe -n 3 "$myelin" resume "$out/m/checkpoint.h5" --t-stop 200 --threads 1 --output "$out/m3" \
        --force --quiet >/dev/null
    $same "$out/full" "$out/m3"
    run resume "$out/m/checkpoint.h5" --t-stop 200 --threads 2 --output "$out/m1" --force
    $same "$out/full" "$out/m1"
done
# Per rank again, then a part lost: resume names it (exit 2, nothing written).
mpirun --oversubscribe -n "$ranks" "$myelin" run "$config" --threads 1 --t-stop 100.3 --checkpoint-every 100.3 \
    --output "$out/p" --quiet >/dev/null
rm "$(find "$out/p/checkpoint.h5.parts" -name '*-1.h5')"
if "$myelin" resume "$out/p/checkpoint.h5" --t-stop 200 --output "$out/p1" --quiet 2>"$out/err"; then rc=0; else rc=$?; fi
[[ $rc == 2 && ! -e $out/p1 ]] && grep -q "missing: part 1 of $ranks" "$out/err" || { echo "lost part: exit $rc"; cat "$out/err"; exit 1; }
