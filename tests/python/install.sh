#!/usr/bin/env bash
# The documented install (docs/python.md): the python component into a prefix, whose user
# site-packages then imports the module alone (no PYTHONPATH) and runs a network.
#   install.sh BUILD_DIR PYTHON
set -euo pipefail
build=$1 python=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cmake --install "$build" --component python --prefix "$d" >/dev/null
cd "$d"
env -u PYTHONPATH PYTHONUSERBASE="$d" "$python" - "$d" <<'PY'
import sys
import myelin
assert myelin.__file__.startswith(sys.argv[1]), myelin.__file__
net = myelin.Network({"populations": [{"name": "P", "model": "iaf_psc_exp", "n": 2, "params": {"I_e": 500.0}}]})
net.run(50.0)
assert len(net.spikes("P")[0]) > 0
print("imported", myelin.__file__)
try:
    import pyNN
except ImportError:
    sys.exit(0)  # without Debian's python3-pynn there is no pyNN.myelin to import
import pyNN.myelin as sim  # found through myelin-pynn.pth in the prefix's site-packages
sim.setup()
p = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
p.record("spikes")
sim.run(50.0)
assert sum(p.get_spike_counts().values()) > 0
print("imported", sim.__file__)
PY
