#!/usr/bin/env bash
# Installs what Myelin needs (Debian packages), builds it with its tests and runs them all.
#   ./test.sh          optimised build (the `release` preset)
#   ./test.sh --dev    debug build with assertions, AddressSanitizer and UBSan (`dev`)
set -euo pipefail
cd "$(dirname "$0")"

preset=release
if [[ "${1:-}" == "--dev" ]]; then preset=dev; fi

scripts/install-deps.sh
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake --preset "$preset" -G Ninja "${launcher[@]}" >/dev/null
cmake --build --preset "$preset" --parallel "$(nproc)"
ctest --preset "$preset" --parallel "$(nproc)"
