#!/usr/bin/env bash
# The full-scale Potjans & Diesmann (2014) microcircuit against the published population
# rates (pd14_published.json, over [500, 1500) ms). About 80 s and 3.7 GB on 2 cores.
#   examples/compare/microcircuit/run.sh [OUT]       (default out/compare/microcircuit)
set -euo pipefail
cd "$(dirname "$0")/../../.."
myelin=${MYELIN:-build/release/apps/myelin}
out=${1:-out/compare/microcircuit}
"$myelin" run examples/microcircuit/microcircuit.json --output "$out/run" --force --quiet
"$myelin" compare "$out/run/spikes.h5" examples/compare/microcircuit/pd14_published.json --report "$out/report" --force
