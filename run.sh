#!/usr/bin/env bash
# Installs what Myelin needs (Debian packages), builds it, and runs the default example:
# the Brunel (2000) balanced network, 12,500 neurons for 1 s of biological time.
# Extra arguments go to `myelin run` (for example --threads 1).
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake --preset release -G Ninja "${launcher[@]}" >/dev/null
cmake --build --preset release --target myelin --parallel "$(nproc)"
./build/release/apps/myelin run examples/brunel/brunel.json --output out/brunel --force "$@"
