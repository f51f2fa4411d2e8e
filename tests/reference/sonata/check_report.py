#!/usr/bin/env python3
"""Reads a state report written by `myelin run` with h5py and checks the SONATA report
layout and its values: /report/<population>/data [time x node] with attribute units,
/report/<population>/mapping/{node_ids, index_pointers, element_ids, time}.

The config (tests/data/dc_report.json) injects I_e = 100 pA into iaf_psc_exp neurons that
never fire, so every column must follow E_L + I_e tau_m/C_m (1 - exp(-t/tau_m)).
Usage: check_report.py REPORT.h5
"""
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    pop = f["report/P"]
    data, mapping = pop["data"], pop["mapping"]
    assert data.attrs["units"] == "mV", data.attrs["units"]
    node_ids = mapping["node_ids"][()]
    assert list(node_ids) == [2, 0], node_ids
    assert list(mapping["index_pointers"][()]) == [0, 1, 2]
    start, stop, dt = mapping["time"][()]
    assert mapping["time"].attrs["units"] == "ms"
    assert data.shape == (round((stop - start) / dt), 2), (data.shape, start, stop, dt)
    t = start + dt * np.arange(data.shape[0])
    expected = -70.0 + 100.0 * 10.0 / 250.0 * (1.0 - np.exp(-t / 10.0))
    for column in range(2):
        assert np.allclose(data[:, column], expected, rtol=1e-9, atol=0), np.max(np.abs(data[:, column] - expected))
print(f"{sys.argv[1]}: SONATA report layout and values ok")
