#!/usr/bin/env python3
"""NWB 2.x fixtures for io/nwb.hpp and analysis/recording.hpp, written with h5py in the
layout PyNWB/HDMF produce (NWB core schema 2.x, hdmf-common DynamicTable), independently
of Myelin's writer:
- recording.nwb: a units table of 6 units (one silent) with the columns real files carry
  (location: variable-length text, quality: fixed-length text, firing_rate; ragged
  obs_intervals and electrodes; 3-D waveform_mean), spike_times_index as uint16;
  trials with start_time, stop_time, stimulus (text), contrast (numbers) and ragged tags;
  spikes Poisson with unit- and stimulus-dependent rates in [0.05, 0.25) s after onset.
- minimal.nwb: no id column, float32 spike_times, uint8 index, no intervals.
- version1.nwb: nwb_version 1.0.6 (to be refused); not_nwb.h5: HDF5 without nwb_version.
Writes tests/data/nwb/*.nwb and tests/data/nwb/expected.json: each unit's spike count,
first and last spike time, the trials' columns, and the condition x unit matrix of mean
counts in [0.05, 0.25) s after each trial's start (numpy).

    /usr/bin/python3 tests/reference/analysis/make_nwb_ref.py
"""
import json
import pathlib
import uuid

import h5py
import numpy as np

root = pathlib.Path(__file__).resolve().parents[3]
out = root / "tests/data/nwb"
rng = np.random.default_rng(31)
vlen = h5py.string_dtype("utf-8")


def typed(obj, kind, ns):
    obj.attrs["neurodata_type"] = kind
    obj.attrs["namespace"] = ns
    obj.attrs["object_id"] = str(uuid.uuid4())


def column(table, name, data, description, dtype=None):
    d = table.create_dataset(name, data=data, dtype=dtype)
    typed(d, "VectorData", "hdmf-common")
    d.attrs["description"] = description
    return d


def index(table, name, data, target, dtype):
    d = table.create_dataset(name, data=np.asarray(data, dtype=dtype))
    typed(d, "VectorIndex", "hdmf-common")
    d.attrs["description"] = f"Index for VectorData '{target}'"
    d.attrs["target"] = table[target].ref


def nwb_root(f, version="2.6.0"):
    typed(f, "NWBFile", "core")
    f.attrs["nwb_version"] = version
    f.create_dataset("file_create_date", data=["2024-01-01T00:00:00+00:00"], dtype=vlen)
    f["identifier"] = "fixture"
    f["session_description"] = "myelin NWB reader fixture"
    f["session_start_time"] = "2024-01-01T00:00:00+00:00"
    f["timestamps_reference_time"] = "2024-01-01T00:00:00+00:00"
    for g in ["acquisition", "analysis", "processing", "stimulus/presentation", "stimulus/templates", "general"]:
        f.require_group(g)


# Trials: 4 stimuli x 5 repetitions in shuffled order, 0.5 s apart.
stimuli = np.array(["grating", "dots", "face", "noise"])
order = rng.permutation(np.repeat(np.arange(4), 5))
starts = 0.2 + 0.5 * np.arange(len(order))
stops = starts + 0.3
contrast = np.round(rng.uniform(0.1, 1.0, size=len(order)), 2)
duration = float(stops[-1] + 0.2)

# Units: baseline rate and a response per stimulus (Hz), unit 3 silent.
n_units = 6
base = np.array([2.0, 5.0, 1.0, 0.0, 8.0, 3.0])
resp = rng.uniform(0.0, 40.0, size=(n_units, 4))
resp[3] = 0.0
trains = []
for u in range(n_units):
    t = list(rng.uniform(0, duration, size=rng.poisson(base[u] * duration)))
    for k, s in enumerate(order):
        n = rng.poisson(resp[u, s] * 0.2)
        t += list(starts[k] + 0.05 + 0.2 * rng.uniform(size=n))
    trains.append(np.array(sorted(t)))
# Stored unsorted within a unit for one unit, as some files do.
stored = [t.copy() for t in trains]
stored[1] = stored[1][::-1].copy()

with h5py.File(out / "recording.nwb", "w") as f:
    nwb_root(f)
    units = f.create_group("units")
    typed(units, "Units", "core")
    units.attrs["description"] = "fixture units"
    units.attrs["colnames"] = ["spike_times", "obs_intervals", "electrodes", "location", "quality", "firing_rate",
                               "waveform_mean"]
    ids = np.array([10, 11, 12, 13, 14, 15], dtype=np.int64)
    d = units.create_dataset("id", data=ids)
    typed(d, "ElementIdentifiers", "hdmf-common")
    column(units, "spike_times", np.concatenate(stored), "the spike times for each unit in seconds")
    index(units, "spike_times_index", np.cumsum([len(t) for t in stored]), "spike_times", np.uint16)
    column(units, "obs_intervals", np.array([[0.0, duration]] * n_units), "observation intervals")
    index(units, "obs_intervals_index", np.arange(1, n_units + 1), "obs_intervals", np.uint8)
    column(units, "electrodes", np.arange(n_units), "electrode of each unit")
    index(units, "electrodes_index", np.arange(1, n_units + 1), "electrodes", np.uint8)
    column(units, "location", ["V1", "V1", "LGN", "LGN", "V1", "CA1"], "brain area", dtype=vlen)
    column(units, "quality", np.array([b"good", b"good", b"mua", b"noise", b"good", b"mua"], dtype="S5"), "sorting quality")
    column(units, "firing_rate", np.array([len(t) / duration for t in trains]), "mean rate (Hz)")
    column(units, "waveform_mean", rng.normal(size=(n_units, 20, 4)), "mean waveforms")

    trials = f.create_group("intervals/trials")
    typed(trials, "TimeIntervals", "core")
    trials.attrs["description"] = "stimulus presentations"
    trials.attrs["colnames"] = ["start_time", "stop_time", "stimulus", "contrast", "tags"]
    d = trials.create_dataset("id", data=np.arange(len(order), dtype=np.int64))
    typed(d, "ElementIdentifiers", "hdmf-common")
    column(trials, "start_time", starts, "start (s)")
    column(trials, "stop_time", stops, "stop (s)")
    column(trials, "stimulus", list(stimuli[order]), "stimulus shown", dtype=vlen)
    column(trials, "contrast", contrast, "contrast")
    column(trials, "tags", ["a", "b"] * len(order), "tags", dtype=vlen)
    index(trials, "tags_index", 2 * np.arange(1, len(order) + 1), "tags", np.uint8)

with h5py.File(out / "minimal.nwb", "w") as f:
    nwb_root(f, "2.2.5")
    units = f.create_group("units")
    typed(units, "Units", "core")
    column(units, "spike_times", np.array([0.5, 0.1, 0.9, 0.25], dtype=np.float32), "spike times")
    index(units, "spike_times_index", [1, 1, 4], "spike_times", np.uint8)

with h5py.File(out / "version1.nwb", "w") as f:
    f.attrs["nwb_version"] = "NWB-1.0.6"
    f.create_group("processing")
with h5py.File(out / "not_nwb.h5", "w") as f:
    f.create_dataset("data", data=np.arange(4))

# Condition x unit matrix: mean counts in [start + 0.05, start + 0.25), stimuli in text order.
names = sorted(stimuli)
matrix = []
for name in names:
    rows = [k for k in range(len(order)) if stimuli[order[k]] == name]
    matrix.append([float(np.mean([np.sum((t >= starts[k] + 0.05) & (t < starts[k] + 0.25)) for k in rows]))
                   for t in trains])
expected = {
    "ids": ids.tolist(),
    "counts": [len(t) for t in trains],
    "first": [float(t[0]) if len(t) else None for t in trains],
    "last": [float(t[-1]) if len(t) else None for t in trains],
    "location": ["V1", "V1", "LGN", "LGN", "V1", "CA1"],
    "quality": ["good", "good", "mua", "noise", "good", "mua"],
    "trial_start": starts.tolist(),
    "trial_stimulus": list(stimuli[order]),
    "trial_contrast": contrast.tolist(),
    "conditions": names,
    "condition_matrix": matrix,
}
(out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
print("wrote", out)
