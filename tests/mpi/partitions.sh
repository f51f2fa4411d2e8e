#!/usr/bin/env bash
# Runs CONFIG as 1 rank x 1 thread and as RANKS x THREADS and requires byte-identical
# output files (spikes, state reports, weights). Further arguments go to the partitioned run (e.g. --exchange targeted).
# Usage: partitions.sh MYELIN PYTHON CONFIG RANKS THREADS [ARGS...]
set -euo pipefail
myelin=$1 python=$2 config=$3 ranks=$4 threads=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$myelin" run "$config" --threads 1 --output "$out/1x1" --quiet >/dev/null
mpirun --oversubscribe -n "$ranks" "$myelin" run "$config" --threads "$threads" --output "$out/${ranks}x$threads" --quiet "$@" >/dev/null
"$python" "$here/../reference/sonata/same_output.py" "$out/1x1" "$out/${ranks}x$threads"
