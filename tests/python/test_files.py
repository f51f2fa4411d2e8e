"""SONATA spike files and NWB units tables to and from arrays."""
import h5py
import numpy as np
import pytest

import myelin


def test_sonata_spikes_round_trip_and_read_by_h5py(tmp_path):
    path = tmp_path / "spikes.h5"
    times = np.array([0.5, 1.0, 1.0, 7.25])
    ids = np.array([3, 0, 2, 3], dtype=np.uint64)
    myelin.write_spikes(path, {"E": {"times": times, "ids": ids, "n_nodes": 4}, "I": ([2.0], [0])},
                        t_start=0.0, t_stop=10.0)
    back = myelin.read_spikes(path)
    assert back["t_start"] == 0.0 and back["t_stop"] == 10.0 and back["incomplete"] is None
    e = back["populations"]["E"]
    assert np.array_equal(e["times"], times) and np.array_equal(e["ids"], ids)
    assert e["n_nodes"] == 4 and e["sorting"] == "by_time"
    assert back["populations"]["I"]["n_nodes"] is None
    with h5py.File(path, "r") as f:  # an independent reader sees the SONATA layout
        assert np.array_equal(f["spikes/E/timestamps"][()], times)
        assert f["spikes/E/timestamps"].attrs["units"] == "ms"
    with pytest.raises(FileExistsError, match="pass force=True"):
        myelin.write_spikes(path, {"E": ([1.0], [0])})
    myelin.write_spikes(path, {"E": ([1.0], [0])}, force=True)
    assert len(myelin.read_spikes(path)["populations"]["E"]["times"]) == 1
    with pytest.raises(ValueError, match="id 7; must be < n_nodes = 4"):
        myelin.write_spikes(tmp_path / "bad.h5", {"E": {"times": [1.0], "ids": [7], "n_nodes": 4}})
    assert not (tmp_path / "bad.h5").exists()
    with pytest.raises(FileNotFoundError):
        myelin.read_spikes(tmp_path / "none.h5")


def test_nwb_units_round_trip(tmp_path, source_dir):
    path = tmp_path / "units.nwb"
    myelin.write_nwb(path, {"E": {"times": [1.5, 2.5, 4.0], "ids": [1, 0, 1], "n_nodes": 2}}, t_start=0.0,
                     t_stop=5.0, identifier="test")
    f = myelin.read_nwb(path)
    assert f["identifier"] == "test" and f["nwb_version"].startswith("2.")
    units = f["units"]
    assert list(units["population"]) == ["E", "E"] and list(units["node_id"]) == [0, 1]
    assert [list(t) for t in units["spike_times"]] == [[0.0025], [0.0015, 0.004]]  # seconds
    assert list(f["epochs"]["start_time"]) == [0.0] and list(f["epochs"]["stop_time"]) == [0.005]
    # A file written by PyNWB (tests/data/nwb)
    written_by_pynwb = sorted((source_dir / "tests/data/nwb").glob("*.nwb"))
    assert written_by_pynwb
    other = myelin.read_nwb(written_by_pynwb[0])
    assert len(other["units"]["spike_times"]) == len(other["units"]["id"]) > 0
