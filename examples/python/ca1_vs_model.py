"""Rat CA1 units recorded on a linear track, compared with a simulated network.

The recording (examples/python/data/nelpy_ca1, MIT licence, from the nelpy project): 31
units sorted from 13 tetrodes while a rat ran a linear track, ~33 minutes; spikes.mat
holds each unit's spike times in seconds (README.md there). This script reads it with
SciPy's MAT reader, writes it as an NWB units table through Myelin, reads that back, and
compares its statistics - rates, CV and LV of ISIs, spike-count correlations, synchrony,
Fano factors - with those of the excitatory neurons of a Brunel network (as many neurons
as units, the same duration, from the start of the session).

Running against rest: the position tracking is not part of the data shipped here, so the
epochs cannot be told apart from the animal's speed. The data's notes say the session is
running first, then rest; as a proxy, the first and the last --epoch minutes of the
session are compared with each other (labelled as such: a proxy, not a speed criterion).

    PYTHONPATH=build/release/python python3 examples/python/ca1_vs_model.py [--seconds 60] [--report DIR]

About 2 minutes on 2 cores for 60 s (the network has 12,500 neurons).
"""
import argparse
import pathlib
import tempfile

import numpy as np
import scipy.io

import myelin

here = pathlib.Path(__file__).resolve().parent
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--seconds", type=float, default=60.0, help="of the recording and of the simulation")
parser.add_argument("--config", default=here.parent / "compare/brunel_states/brunel_si.json",
                    help="the network simulated (default: Brunel's slow irregular state)")
parser.add_argument("--epoch", type=float, default=5.0, help="minutes at each end of the session (proxy epochs)")
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--report", help="write the HTML report into this folder")
args = parser.parse_args()


def units_of(mat):
    """Each unit's spike times (s) from MatClust's nested structs: tetrodes, then units."""
    units = []

    def walk(x):
        if isinstance(x, np.ndarray) and x.dtype.names and "time" in x.dtype.names:
            for unit in x.ravel():
                t = np.asarray(unit["time"], dtype=float).ravel()
                if t.size:
                    units.append(np.sort(t))
        elif isinstance(x, np.ndarray) and x.dtype == object:
            for y in x.ravel():
                walk(y)

    walk(mat["spikes"])
    return units


recorded = units_of(scipy.io.loadmat(here / "data/nelpy_ca1/linear-track/spikes.mat"))
start = min(u[0] for u in recorded)
window_ms = args.seconds * 1000.0
# Through NWB and back: ms from the first spike, one id per unit.
times = np.concatenate([(u - start) * 1000.0 for u in recorded])
ids = np.concatenate([np.full(len(u), k, dtype=np.uint64) for k, u in enumerate(recorded)])
order = np.argsort(times, kind="stable")
with tempfile.TemporaryDirectory() as folder:
    nwb = pathlib.Path(folder) / "ca1.nwb"
    myelin.write_nwb(nwb, {"CA1": {"times": times[order], "ids": ids[order], "n_nodes": len(recorded)}},
                     t_start=0.0, t_stop=float(times.max()), identifier="nelpy-ca1-linear-track",
                     description="rat CA1 units on a linear track (nelpy example data, MIT)")
    units = myelin.read_nwb(nwb)["units"]
session = [np.asarray(t) * 1000.0 for t in units["spike_times"]]  # s -> ms, from the first spike
end_ms = max(t[-1] for t in session if len(t))
ca1 = [t[t < window_ms] for t in session]
print(f"recording: {len(ca1)} units, {sum(map(len, ca1))} spikes in the first {args.seconds:g} s")

net = myelin.Network(args.config, threads=args.threads)
net.run(window_ms)
t, i = net.spikes("E")
model = myelin.trains(t, i, net.config["populations"][0]["n"])[: len(ca1)]
print(f"model: {len(model)} neurons of E, {sum(map(len, model))} spikes in {args.seconds:g} s")

report = myelin.compare_spike_trains(ca1, model, 0.0, window_ms, bin=50.0, label_a="CA1 (rat)", label_b="model E")
print()
print(report.text)
fano = {name: np.array([myelin.fano_factor(tr, 0.0, window_ms, 1000.0) for tr in trains if len(tr)])
        for name, trains in [("CA1", ca1), ("model", model)]}
for name, f in fano.items():
    print(f"Fano factor (1 s windows), {name}: median {np.nanmedian(f):.2f}, range {np.nanmin(f):.2f} to {np.nanmax(f):.2f}")

epoch_ms = args.epoch * 60e3
first = [t[t < epoch_ms] for t in session]
last = [t[t >= end_ms - epoch_ms] - (end_ms - epoch_ms) for t in session]
states = myelin.compare_spike_trains(first, last, 0.0, epoch_ms, bin=50.0,
                                     label_a=f"first {args.epoch:g} min (running, proxy)",
                                     label_b=f"last {args.epoch:g} min (rest, proxy)")
print()
print(states.text)
if args.report:
    data = [str(here / "data/nelpy_ca1/linear-track/spikes.mat")]
    report.write(args.report, force=True, inputs=data)
    states.write(pathlib.Path(args.report) / "running_vs_rest", force=True, inputs=data)
    print(f"reports: {args.report}/report.html, {args.report}/running_vs_rest/report.html")
