#!/usr/bin/env python3
"""Reads a spike file written by `myelin run` with h5py, an HDF5 reader independent of
Myelin's, and checks it against the SONATA spike-file layout:

  /spikes/<population>/timestamps   float64, attribute units = "ms"
  /spikes/<population>/node_ids     uint64
  /spikes/<population> attribute sorting: HDF5 enum {none: 0, by_id: 1, by_time: 2}

plus what Myelin promises on top: by_time order, ids below n_nodes, times in
(0, t_stop]. Usage: check_spikes.py SPIKES.h5 POPULATION:SIZE ...   Exit 0 when all hold.
"""
import sys

import h5py
import numpy as np

path, expected = sys.argv[1], dict(arg.split(":") for arg in sys.argv[2:])
with h5py.File(path, "r") as f:
    spikes = f["spikes"]
    assert set(spikes.keys()) == set(expected), (list(spikes.keys()), expected)
    t_stop = spikes.attrs["t_stop"]
    for name, size in expected.items():
        group = spikes[name]
        ts, ids = group["timestamps"], group["node_ids"]
        assert ts.dtype == np.float64, ts.dtype
        assert ids.dtype == np.uint64, ids.dtype
        assert ts.attrs["units"] == "ms", ts.attrs["units"]
        enum = h5py.check_enum_dtype(group.attrs.get_id("sorting").dtype)
        assert enum == {"none": 0, "by_id": 1, "by_time": 2}, enum
        assert group.attrs["sorting"] == 2
        assert group.attrs["n_nodes"] == int(size)
        t, i = ts[()], ids[()]
        assert len(t) == len(i) > 0
        assert np.all(np.diff(t) >= 0), "not sorted by time"
        assert np.all(i < int(size)) and np.all(t > 0) and np.all(t <= t_stop)
print(f"{path}: SONATA spike layout ok ({', '.join(expected)})")
