#!/usr/bin/env bash
# Installs what Myelin needs (Debian packages), builds it with its tests and runs them all.
#   ./test.sh          optimised build (the `release` preset)
#   ./test.sh --dev    debug build with assertions, AddressSanitizer, UBSan, warnings as errors (`dev`)
#   ./test.sh --clang  optimised build with clang, the portable path, warnings as errors (`clang`)
set -euo pipefail
cd "$(dirname "$0")"

preset=release
case "${1:-}" in
  --dev) preset=dev ;;
  --clang) preset=clang ;;
esac

if [[ $preset == clang ]]; then scripts/install-deps.sh --clang; else scripts/install-deps.sh; fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake --preset "$preset" -G Ninja "${launcher[@]}" >/dev/null
cmake --build --preset "$preset" --parallel "$(nproc)"
ctest --preset "$preset" --parallel "$(nproc)"
