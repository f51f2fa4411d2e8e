"""A run split by a checkpoint: run, save, restore in a new Network, run on - the spikes are
those of the run never split.

    PYTHONPATH=build/release/python python3 examples/python/checkpoint.py [--ms 1000] [--at 400]
"""
import argparse
import pathlib
import tempfile

import numpy as np

import myelin

here = pathlib.Path(__file__).resolve().parent
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--config", default=here.parent / "brunel/brunel_small.json")
parser.add_argument("--ms", type=float, default=1000.0)
parser.add_argument("--at", type=float, default=400.0)
args = parser.parse_args()

with tempfile.TemporaryDirectory() as folder:
    state = pathlib.Path(folder) / "state.h5"
    myelin.Network(args.config).run(args.at).checkpoint(state)
    resumed = myelin.Network.resume(state, threads=1)  # any thread count
    print(f"resumed at {resumed.t:g} ms from {state.name}")
    resumed.run(args.ms - args.at)

whole = myelin.Network(args.config).run(args.ms)
t, i = whole.spikes("E")
later = t > args.at
t2, i2 = resumed.spikes("E")
same = np.array_equal(t[later], t2) and np.array_equal(i[later], i2)
print(f"{len(t2)} spikes of E after {args.at:g} ms; the same as the run never split: {same}")
raise SystemExit(0 if same else 1)
