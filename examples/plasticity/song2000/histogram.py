#!/usr/bin/env python3
"""Prints the weight histogram of each snapshot in a weight recorder file, in tenths of
Wmax (given), and the postsynaptic rate per snapshot interval.

  histogram.py OUTPUT_DIR WMAX
"""
import sys

import h5py
import numpy as np

out, w_max = sys.argv[1], float(sys.argv[2])
with h5py.File(f"{out}/w.weights.h5", "r") as f:
    times = f["weights/snapshots/time"][()]
    data = f["weights/snapshots/data"][()]
with h5py.File(f"{out}/spikes.h5", "r") as f:
    spikes = f["spikes/neuron/timestamps"][()]
print("time (s)  rate (Hz)  weights in tenths of Wmax, 0 ... 1")
for k, t in enumerate(times):
    counts, _ = np.histogram(data[k] / w_max, bins=10, range=(0.0, 1.0 + 1e-9))
    rate = 0.0 if k == 0 else np.sum((spikes > times[k - 1]) & (spikes <= t)) / ((t - times[k - 1]) * 1e-3)
    print(f"{t / 1000:8.0f}  {rate:9.1f}  " + " ".join(f"{c:4d}" for c in counts))
