"""bernoulli_synapse (models/include/myelin/models/bernoulli_synapse.hpp): each spike passes
with probability p_transmit, independently per spike and synapse, and the draws do not
depend on threads, ranks or the order of multapses.

The count of transmitted spikes is read off a membrane that only integrates: iaf_psc_delta
with tau_m = 1e12 ms and an unreachable threshold jumps by the weight (1 mV) per spike that
passes, so V_m - E_L is the count (the leak over 200 ms changes it by 2e-10 of itself).
"""
import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import myelin

N_SOURCES, N_TARGETS, RATE, T = 50, 40, 100.0, 200.0


def config_of(p, threads=1, multapses=False):
    sources = list(range(N_SOURCES)) * N_TARGETS
    targets = [t for t in range(N_TARGETS) for _ in range(N_SOURCES)]
    if multapses:  # every pair twice: the two synapses must draw independently
        sources, targets = sources * 2, targets * 2
    config = {
        "simulation": {"resolution": 0.1, "seed": 5, "threads": threads},
        "populations": [
            {"name": "S", "model": "spike_source_poisson", "n": N_SOURCES, "params": {"rate": RATE}},
            {"name": "T", "model": "iaf_psc_delta", "n": N_TARGETS,
             "params": {"tau_m": 1e12, "V_th": 1e9, "E_L": 0.0, "V_reset": 0.0}}],
        "projections": [{"source": "S", "target": "T",
                         "connection": {"rule": "explicit", "sources": sources, "targets": targets},
                         "weight": 1.0, "delay": 0.1,
                         "synapse": {"model": "bernoulli_synapse", "params": {"p_transmit": p}}}],
        "recorders": {"spikes": {"populations": ["S"]},
                      "state": [{"name": "v", "population": "T", "neurons": list(range(N_TARGETS)),
                                 "variables": ["V_m"], "interval": T}]},
    }
    return config


def network(p, threads=1, multapses=False):
    net = myelin.Network(config_of(p, threads, multapses))
    net.run(T + 0.2)  # the last spikes arrive one delay after T
    spikes = len(net.spikes("S")[0])
    counts = net.trace("v")["V_m"][-1]
    return spikes, counts


def test_transmits_the_fraction_p_within_five_sigma():
    for p in (0.1, 0.5, 0.9):
        spikes, counts = network(p)
        arrivals = spikes * N_TARGETS
        transmitted = np.rint(counts).sum()
        assert np.all(np.abs(counts - np.rint(counts)) < 1e-6)
        sigma = np.sqrt(arrivals * p * (1 - p))
        assert abs(transmitted - p * arrivals) < 5 * sigma, (p, transmitted, arrivals)


def test_p_one_transmits_all_and_p_zero_none():
    spikes, counts = network(1.0)
    assert np.all(np.rint(counts) == np.rint(counts)[0]) and np.rint(counts).sum() == spikes * N_TARGETS
    assert np.all(network(0.0)[1] == 0.0)


def test_draws_are_independent_of_threads_and_of_each_other():
    one = network(0.5, threads=1)
    np.testing.assert_array_equal(one[1], network(0.5, threads=3)[1])
    # a multapse draws again: the counts differ from twice the single synapse's, and their
    # total is again within five sigma of p times the arrivals
    spikes, double = network(0.5, multapses=True)
    assert not np.array_equal(double, 2 * one[1])
    arrivals = 2 * spikes * N_TARGETS
    assert abs(np.rint(double).sum() - 0.5 * arrivals) < 5 * np.sqrt(arrivals * 0.25)


def test_bad_probability_is_named():
    with pytest.raises(ValueError, match=r"synapse.*p_transmit.*1\.5"):
        network(1.5)


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="no mpirun")
def test_two_ranks_draw_as_one(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(config_of(0.5, threads=2)))
    script = tmp_path / "ranks.py"
    script.write_text(textwrap.dedent(f"""
        import json, numpy as np, myelin
        net = myelin.Network(json.load(open({str(tmp_path / "config.json")!r})))
        net.run({T + 0.2})
        if myelin.rank() == 0:
            np.save({str(tmp_path / "v.npy")!r}, net.trace("v")["V_m"][-1])
    """))
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    done = subprocess.run(["mpirun", "-n", "2", sys.executable, str(script)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "v.npy"), network(0.5)[1])
