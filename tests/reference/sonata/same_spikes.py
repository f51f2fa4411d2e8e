#!/usr/bin/env python3
"""Exit 0 if two SONATA spike files hold the same populations with byte-identical
timestamps and node_ids datasets (same dtype, same values, same order)."""
import sys

import h5py

with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    assert set(a["spikes"]) == set(b["spikes"]), (list(a["spikes"]), list(b["spikes"]))
    for pop in a["spikes"]:
        for name in ("timestamps", "node_ids"):
            x, y = a["spikes"][pop][name], b["spikes"][pop][name]
            assert x.dtype == y.dtype and x.shape == y.shape, (pop, name, x.dtype, y.dtype, x.shape, y.shape)
            assert x[()].tobytes() == y[()].tobytes(), f"{pop}/{name} differ"
print(f"{sys.argv[1]} and {sys.argv[2]}: identical spikes")
