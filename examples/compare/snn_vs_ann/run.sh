#!/usr/bin/env bash
# Trains the spiking network and the ANN of examples/learning on the digits (three seeds
# each) and compares their representations of the 360 test digits, hidden layer and
# readout, with the raw-input and across-seed baselines. About 2 minutes on 2 cores.
#   examples/compare/snn_vs_ann/run.sh [OUT]        (default out/compare/snn_vs_ann)
set -euo pipefail
cd "$(dirname "$0")/../../.."
myelin=${MYELIN:-build/release/apps/myelin}
out=${1:-out/compare/snn_vs_ann}
data=examples/learning/data/digits.csv
for seed in 1 2 3; do
  "$myelin" train examples/learning/digits_snn.json --seed "$seed" --output "$out/snn_$seed" --force --quiet
  "$myelin" train examples/learning/digits_ann.json --seed "$seed" --output "$out/ann_$seed" --force --quiet
done
for layer in hidden output; do
  echo "== $layer layer"
  "$myelin" compare "$out/snn_1/model.h5" "$out/ann_1/model.h5" --data "$data" --rows 1437 1797 --layer "$layer" \
    --input-baseline --replicas-a "$out/snn_2/model.h5" "$out/snn_3/model.h5" \
    --replicas-b "$out/ann_2/model.h5" "$out/ann_3/model.h5" --threads 2 --report "$out/$layer" --force
done
