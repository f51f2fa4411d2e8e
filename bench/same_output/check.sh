#!/usr/bin/env bash
# Proves that a change leaves every example's output unchanged: the spike files (and any
# state or weight reports) of the example configs, for 1 and 2 threads and 2 MPI ranks,
# must have byte-identical datasets (tests/reference/sonata/same_output.py).
#
#   bench/same_output/check.sh generate OLD_MYELIN DIR   # on the old commit's binary
#   bench/same_output/check.sh compare  NEW_MYELIN DIR   # on the new one
#
# `generate` also trains a small digits network (2 epochs) and exports it; `compare`
# exports the same model file again with the new binary, requires the same config text,
# and runs it. Takes ~5 minutes on 2 cores per binary. ONLY=brunel,coba runs those alone.
set -euo pipefail
mode=$1 myelin=$(realpath "$2") dir=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
same="$root/tests/reference/sonata/same_output.py"
python=${PYTHON:-/usr/bin/python3}  # Debian's, with h5py
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$dir"
dir=$(realpath "$dir")

# name | config | extra arguments
configs=(
  "brunel|examples/brunel/brunel.json|"
  "microcircuit|examples/microcircuit/microcircuit.json|--t-stop 300"
  "coba|examples/coba/coba.json|"
  "brunel_stdp|examples/plasticity/brunel_stdp.json|"
  "sonata|tests/data/sonata_circuit/circuit_config.json|"
  "digits|@DIGITS@|"
  # recorders: state traces; every kind of weight recorder; dopamine-modulated STDP
  "checkpoint_test|tests/data/checkpoint.json|"
  "plastic_test|tests/data/plastic.json|"
  "dopamine|examples/plasticity/dopamine/izhikevich2007.json|--t-stop 30000"
  "song2000|examples/plasticity/song2000/song2000_small.json|--t-stop 20000"
)
# ONLY=name1,name2 limits the run to those entries.
if [[ -n ${ONLY:-} ]]; then
  kept=()
  for entry in "${configs[@]}"; do [[ ",$ONLY," == *",${entry%%|*},"* ]] && kept+=("$entry"); done
  configs=("${kept[@]}")
fi

digits_net() {  # the exported digits network, written by the binary under test
  local out=$1
  if [[ $mode == generate ]]; then
    (cd "$root/examples/learning" &&
      "$myelin" train digits_snn.json --epochs 2 --output "$dir/digits_model" --force --quiet >/dev/null)
  fi
  "$myelin" export "$dir/digits_model/model.h5" --data "$root/examples/learning/data/digits.csv" --sample 1500 \
    --output "$out" --force >/dev/null
}

status=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${configs[@]}"; do
  IFS='|' read -r name config extra <<<"$entry"
  if [[ $config == @DIGITS@ ]]; then
    config="$work/digits_net.json"
    digits_net "$config"
    if [[ $mode == generate ]]; then cp "$config" "$dir/digits_net.json"
    elif ! cmp -s "$config" "$dir/digits_net.json"; then
      echo "digits: the exported config differs"; status=1
    fi
  else
    config="$root/$config"
  fi
  for partition in 1x1 1x2 2x1; do
    ranks=${partition%x*} threads=${partition#*x}
    target="$dir/$name/$partition"
    [[ $mode == compare ]] && target="$work/$name/$partition"
    launch=()
    ((ranks > 1)) && launch=(mpirun --oversubscribe -n "$ranks")
    # shellcheck disable=SC2086
    "${launch[@]}" "$myelin" run "$config" --threads "$threads" --output "$target" --force --quiet $extra >/dev/null
    if [[ $mode == compare ]]; then
      if ! "$python" "$same" "$dir/$name/$partition" "$target" >/dev/null; then
        echo "$name $partition: DIFFERS"; status=1
      else
        echo "$name $partition: identical"
      fi
    else
      echo "$name $partition: generated"
    fi
  done
done
exit $status
