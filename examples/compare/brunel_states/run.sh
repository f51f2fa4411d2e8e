#!/usr/bin/env bash
# The Brunel network in two of its states (Brunel 2000, Fig. 8): asynchronous irregular
# (examples/brunel/brunel.json: g = 5, eta = 2) and slow synchronous irregular
# (brunel_si.json: g = 4.5, eta = 0.9); compares the excitatory population's statistics
# after the first 200 ms. About 10 s on 2 cores.
#   examples/compare/brunel_states/run.sh [OUT]      (default out/compare/brunel_states)
set -euo pipefail
cd "$(dirname "$0")/../../.."
myelin=${MYELIN:-build/release/apps/myelin}
out=${1:-out/compare/brunel_states}
"$myelin" run examples/brunel/brunel.json --output "$out/ai" --force --quiet
"$myelin" run examples/compare/brunel_states/brunel_si.json --output "$out/si" --force --quiet
"$myelin" compare "$out/ai/spikes.h5" "$out/si/spikes.h5" --select-a E --select-b E --t-start 200 \
  --report "$out/report" --force
