#!/usr/bin/env bash
# Installs exactly the Debian packages Myelin needs to build and test. Idempotent:
# apt-get skips what is already there. Nothing is downloaded from anywhere but Debian.
# Usage: scripts/install-deps.sh [--bench | --clang]   (--bench adds Brian2 and PyTorch for
# bench/peers; --clang adds clang and its OpenMP runtime for the clang preset)
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libeigen3-dev libboost-dev libhdf5-dev
  libopenmpi-dev openmpi-bin
  catch2 nlohmann-json3-dev libcli11-dev libfmt-dev librandom123-dev
  python3 python3-numpy python3-h5py
  python3-dev pybind11-dev python3-pytest python3-scipy  # the Python module, its tests and examples
  python3-pynn  # PyNN 0.10.1 for pyNN.myelin (docs/pynn.md); it brings NEURON's Python module along
  python3-matplotlib  # PyNN's simple_STDP example (tests/pynn) imports pyNN.utility.plotting, which needs it
  chromium-headless-shell  # tests: the compare report is loaded in a headless browser
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(python3-brian python3-torch time)
fi
if [[ "${1:-}" == "--clang" ]]; then
  packages+=(clang libomp-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo_cmd=()
if ((EUID != 0)); then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
