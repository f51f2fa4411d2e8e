"""pyNN.myelin beyond PyNN's scenarios: exact units, the same spikes as the native network,
the recorded current of every source, reset and changes between runs."""
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("pyNN", reason="PyNN (Debian's python3-pynn) is not installed")
import myelin_pynn_hook  # noqa: F401,E402 (.pth files are read in site folders only)

import myelin  # noqa: E402
import pyNN.myelin as sim  # noqa: E402

CELL_TYPES = [sim.IF_curr_exp, sim.IF_curr_alpha, sim.IF_curr_delta, sim.IF_cond_exp, sim.IF_cond_alpha,
              sim.EIF_cond_exp_isfa_ista, sim.EIF_cond_alpha_isfa_ista, sim.Izhikevich, sim.HH_cond_exp,
              sim.SpikeSourcePoisson, sim.SpikeSourceGamma, sim.SpikeSourcePoissonRefractory]


def stdp_onto_one_cell(n, rate):
    """n Poisson sources onto one driven cell through additive pair STDP, weights 0.5 of 1."""
    pre = sim.Population(n, sim.SpikeSourcePoisson(rate=rate))
    post = sim.Population(1, sim.IF_curr_exp(i_offset=0.5))
    stdp = sim.STDPMechanism(weight=0.5, timing_dependence=sim.SpikePairRule(A_plus=0.1, A_minus=0.12),
                             weight_dependence=sim.AdditiveWeightDependence(w_max=1.0))
    return sim.Projection(pre, post, sim.AllToAllConnector(), stdp)


@pytest.mark.parametrize("celltype", CELL_TYPES, ids=lambda c: c.__name__)
def test_get_after_set_returns_the_value_set(celltype):
    """No unit drift (PyNN #452): every parameter comes back as set, to 1e-12, also after a
    run (the values went to the engine in Myelin's units)."""
    sim.setup()
    rng = np.random.default_rng(1)
    defaults = celltype.default_parameters
    p = sim.Population(3, celltype())
    values = {}
    for name, default in defaults.items():
        if isinstance(default, int):
            values[name] = default + 1  # SpikeSourceGamma's alpha: a whole number
        elif isinstance(default, float) and name not in ("start", "duration"):
            values[name] = default * (1.0 + 0.1 * rng.random()) if default else 0.1 * rng.random()
    p.set(**values)
    for run in (False, True):
        if run:
            sim.run(1.0)
        for name, value in values.items():
            got = p.get(name)
            assert got == pytest.approx(value, rel=1e-12), name
    sim.end()


def test_the_same_spikes_as_the_native_network():
    """A PyNN network and the same network written as a Myelin config with NEST's units
    (the translation done here by hand) spike identically."""
    sim.setup(timestep=0.1, rng_seed=7)
    n_e, n_i = 40, 10
    e = sim.Population(n_e, sim.IF_cond_exp(tau_m=20.0, cm=0.2, v_thresh=-50.0, v_reset=-60.0, tau_refrac=5.0,
                                            tau_syn_E=5.0, tau_syn_I=10.0, i_offset=0.21))
    i = sim.Population(n_i, sim.IF_cond_exp(tau_m=20.0, cm=0.2, v_thresh=-50.0, v_reset=-60.0, tau_refrac=5.0,
                                            tau_syn_E=5.0, tau_syn_I=10.0, i_offset=0.21))
    e.initialize(v=np.linspace(-60.0, -51.0, n_e))
    i.initialize(v=-55.0)
    rng = sim.NumpyRNG(seed=3)
    ee = sim.Projection(e, e, sim.FixedProbabilityConnector(0.2, rng=rng), sim.StaticSynapse(weight=0.004, delay=1.5),
                        receptor_type="excitatory")
    ie = sim.Projection(i, e, sim.FixedProbabilityConnector(0.3, rng=rng), sim.StaticSynapse(weight=0.05, delay=0.8),
                        receptor_type="inhibitory")
    e.record("spikes")
    sim.run(300.0)
    pynn_spikes = e.get_data().segments[0].spiketrains
    sim.end()

    lif = {"tau_syn_ex": 5.0, "tau_syn_in": 10.0, "C_m": 200.0, "g_L": 10.0, "V_th": -50.0, "V_reset": -60.0,
           "t_ref": 5.0, "I_e": 210.0, "E_L": -65.0, "E_ex": 0.0, "E_in": -70.0}
    config = {
        "simulation": {"resolution": 0.1, "seed": 7},
        "populations": [{"name": "E", "model": "iaf_cond_exp", "n": n_e, "params": lif,
                         "initial": {"V_m": np.linspace(-60.0, -51.0, n_e).tolist()}},
                        {"name": "I", "model": "iaf_cond_exp", "n": n_i, "params": lif, "initial": {"V_m": -55.0}}],
        "projections": [
            {"source": "E", "target": "E", "connection": {"rule": "explicit", "sources": [c[0] for c in ee.get([], "list")],
                                                          "targets": [c[1] for c in ee.get([], "list")]},
             "weight": 4.0, "delay": 1.5},
            {"source": "I", "target": "E", "connection": {"rule": "explicit", "sources": [c[0] for c in ie.get([], "list")],
                                                          "targets": [c[1] for c in ie.get([], "list")]},
             "weight": -50.0, "delay": 0.8}],
        "recorders": {"spikes": {"populations": ["E"]}},
    }
    net = myelin.Network(config)
    net.run(300.0)
    times, ids = net.spikes("E")
    native = myelin.trains(times, ids, n_e)
    assert sum(len(t) for t in native) > 20
    for a, b in zip(pynn_spikes, native):
        np.testing.assert_array_equal(np.asarray(a.magnitude), b)


def test_recorded_current_is_what_the_neuron_got():
    """Each source's recorded current, fed through the exact propagator of the membrane,
    gives the recorded membrane potential (so a noise current is the engine's draw)."""
    sim.setup(timestep=0.1)
    params = {"tau_m": 10.0, "cm": 0.5, "v_rest": -70.0, "v_thresh": 100.0}
    cells = sim.Population(4, sim.IF_curr_exp(**params))
    sources = [sim.DCSource(amplitude=0.3, start=5.0, stop=30.0),
               sim.ACSource(amplitude=0.2, offset=0.1, frequency=50.0, phase=30.0, start=3.0, stop=35.0),
               sim.StepCurrentSource(times=[2.0, 10.04, 20.0], amplitudes=[0.1, -0.2, 0.4]),
               sim.NoisyCurrentSource(mean=0.2, stdev=0.3, dt=0.5, start=4.0, stop=33.0)]
    for k, source in enumerate(sources):
        cells[k:k + 1].inject(source)
        source.record()
    cells.record("v")
    sim.run(20.0)
    sources[0].amplitude = 0.6  # between runs: the current changes from t = 20 on
    sim.run(20.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    h = 0.1
    p22 = np.exp(-h / params["tau_m"])
    p20 = params["tau_m"] / (params["cm"] * 1000.0) * (1.0 - p22)
    for k, source in enumerate(sources):
        current = source.get_data().magnitude.ravel() * 1000.0  # pA
        assert current.size == v.shape[0] == 401
        predicted = -70.0 + (v[:-1, k] + 70.0) * p22 + current[:-1] * p20
        np.testing.assert_allclose(v[1:, k], predicted, rtol=0, atol=1e-9)
    dc = sources[0].get_data().magnitude.ravel()
    assert dc[49] == 0.0 and dc[50] == pytest.approx(0.3) and dc[200] == pytest.approx(0.6) and dc[300] == 0.0
    noise = sources[3].get_data().magnitude.ravel()
    assert np.all(noise[:40] == 0.0) and np.all(noise[330:] == 0.0)
    assert np.all(noise[40:45] == noise[40]) and noise[45] != noise[40]  # constant over each dt = 0.5 ms
    sim.end()


def test_reset_repeats_the_run_and_keeps_changes():
    sim.setup(timestep=0.1, rng_seed=11)
    src = sim.Population(20, sim.SpikeSourcePoisson(rate=80.0))
    cells = sim.Population(5, sim.IF_curr_exp())
    # drawn once, at initialize(): every build after reset() starts from the same values
    cells.initialize(v=sim.RandomDistribution("uniform", low=-70.0, high=-55.0, rng=sim.NumpyRNG(seed=2)))
    sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.4, delay=1.0))
    cells.record(["spikes", "v"])
    sim.run(100.0)
    sim.reset()
    sim.run(100.0)
    cells.set(tau_m=15.0)
    sim.run(50.0)  # on from 100 ms with the new tau_m, the state kept
    sim.reset()
    sim.run(150.0)  # tau_m = 15 from the start
    segments = cells.get_data().segments
    assert len(segments) == 3
    first, second = segments[0].analogsignals[0].magnitude, segments[1].analogsignals[0].magnitude
    np.testing.assert_array_equal(first, second[:1001])
    assert not np.array_equal(second[1001:1100], segments[2].analogsignals[0].magnitude[1001:1100])
    assert cells.get("tau_m") == 15.0
    sim.end()


def test_spike_times_changed_between_runs():
    sim.setup(timestep=0.1)
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 2.0, 3.0], [5.0]]))
    src.record("spikes")
    sim.run(10.0)
    src[0:1].set(spike_times=[4.0, 12.0, 15.0])  # 4.0 is past: it does not fire
    src[1:2].set(spike_times=[11.0])
    sim.run(10.0)
    trains = src.get_data().segments[0].spiketrains
    np.testing.assert_allclose(trains[0].magnitude, [1.0, 2.0, 3.0, 12.0, 15.0])
    np.testing.assert_allclose(trains[1].magnitude, [5.0, 11.0])
    sim.end()


def test_changes_myelin_cannot_take_yet_are_refused_by_name():
    sim.setup()
    a = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(a, a, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(weight=0.1, delay=1.0, U=0.5))
    sim.run(5.0)
    with pytest.raises(NotImplementedError, match="after the network has run"):
        sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(NotImplementedError, match="U can change only to one value for all connections"):
        prj.set(U=sim.RandomDistribution("uniform", (0.1, 0.9), rng=sim.NumpyRNG(seed=1)))
    assert prj.get("U", format="list", with_address=False) == [0.5] * 4  # refused: nothing changed
    sim.reset()
    prj.set(U=sim.RandomDistribution("uniform", (0.1, 0.9), rng=sim.NumpyRNG(seed=1)))  # built again: any
    sim.run(5.0)
    assert len(set(prj.get("U", format="list", with_address=False))) == 4
    sim.end()


def test_synapse_parameters_set_between_runs():
    """Synapse parameters changed between runs act from the next spike on, the synapses
    keeping their state (NEST's SetStatus): a depressing synapse's PSCs follow the new U;
    STDP's A_plus = 0 is refused by name (Myelin's alpha = A_minus / A_plus) and changes
    nothing; amplitudes made negligible keep the learnt weights."""
    sim.setup(timestep=0.1)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 60.0, 110.0, 160.0]))
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=1e9, v_rest=0.0, v_reset=0.0, v_thresh=1000.0, tau_syn_E=3.0))
    cell.initialize(v=0.0)
    # tau_rec << the interval: resources are back (to 1e-7) at each spike, a jump is proportional to U
    prj = sim.Projection(source, cell, sim.OneToOneConnector(),
                         sim.TsodyksMarkramSynapse(weight=1.0, delay=1.0, U=0.5, tau_rec=0.1))
    cell.record("v")
    sim.run(100.0)
    prj.set(U=0.2)
    sim.run(100.0)
    v = np.asarray(cell.get_data().segments[0].analogsignals[0].magnitude)[:, 0]
    rises = [v[int(t / 0.1) + 400] - v[int(t / 0.1)] for t in (10.0, 60.0, 110.0, 160.0)]  # charge of each PSC
    np.testing.assert_allclose(np.array(rises[2:]) / rises[:2], [0.4, 0.4], rtol=1e-6)
    assert prj.get("U", format="list", with_address=False) == [0.2]
    sim.end()

    sim.setup(timestep=0.1)
    prj = stdp_onto_one_cell(5, 80.0)
    sim.run(300.0)
    learnt = prj.get("weight", format="list", with_address=False)
    assert len(set(learnt)) > 1
    with pytest.raises(NotImplementedError, match="A_plus = 0"):
        prj.set(A_plus=0.0)
    assert prj.get("A_plus", format="list", with_address=False) == [0.1] * 5
    prj.set(A_plus=1e-300, A_minus=1e-300)  # no visible learning from here on
    sim.run(300.0)
    np.testing.assert_allclose(prj.get("weight", format="list", with_address=False), learnt, rtol=1e-7)
    sim.end()


def test_delays_set_between_runs():
    """Delays changed between runs act on the spikes sent from then on, as NEST's SetStatus;
    a delay outside what the built network takes is refused with Myelin's reason."""
    sim.setup(timestep=0.1)
    sources = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0, 30.0]))
    cell = sim.Population(1, sim.IF_curr_delta(tau_m=1e6, v_rest=0.0, v_reset=0.0, v_thresh=1000.0))
    cell.initialize(v=0.0)
    prj = sim.Projection(sources, cell, sim.FromListConnector([(0, 0, 1.0, 1.0), (1, 0, 10.0, 3.0)],
                                                              column_names=["weight", "delay"]),
                         sim.StaticSynapse())
    cell.record("v")
    sim.run(20.0)
    prj.set(delay=2.0)
    assert prj.get("delay", format="list", with_address=False) == [2.0, 2.0]
    with pytest.raises(ValueError, match="a built network takes delays from 1 to 3 ms"):
        prj.set(delay=0.5)
    assert prj.get("delay", format="list", with_address=False) == [2.0, 2.0]  # refused: nothing changed
    sim.run(20.0)
    v = cell.get_data().segments[0].analogsignals[0]
    times = np.asarray(v.times.magnitude)
    jumps = np.flatnonzero(np.diff(np.asarray(v.magnitude)[:, 0]) > 0.5) + 1
    offset = times[jumps[0]] - 6.0  # where the model shows an arrival, against the spike time + delay
    np.testing.assert_allclose(times[jumps], np.array([6.0, 8.0, 32.0]) + offset)
    np.testing.assert_allclose(np.diff(np.asarray(v.magnitude)[:, 0])[jumps - 1], [1.0, 10.0, 11.0])
    sim.end()


def test_weights_set_between_runs():
    """PyNN's ticket 235 (test/system/test_brian2.py, written for each backend): weights
    changed between runs act from then on; plastic weights keep what STDP made of them."""
    sim.setup()
    p1 = sim.Population(9, sim.IF_curr_alpha(), structure=sim.space.Grid2D())
    p2 = sim.Population(9, sim.IF_curr_alpha(), structure=sim.space.Grid2D())
    p1.record("spikes")
    p2.record("spikes")
    prj = sim.Projection(p1, p2, sim.OneToOneConnector(), sim.StaticSynapse(weight=10.0), receptor_type="excitatory")
    sim.DCSource(amplitude=70).inject_into(p1[:])
    sim.run(50)
    first = p2.get_spike_counts()
    assert len(set(first.values())) == 1 and first[p2[0]] > 0
    new_weights = np.where(np.eye(9), 0, np.nan)
    new_weights[1, 1] = 20.0
    prj.set(weight=new_weights)
    assert np.array_equal(np.nan_to_num(prj.get("weight", format="array"), nan=-1), np.nan_to_num(new_weights, nan=-1))
    sim.run(50)
    second = p2.get_spike_counts()
    assert second[p2[1]] - first[p2[1]] >= first[p2[1]]  # weight 20 instead of 10
    # the others only finish what the synaptic current under way at 50 ms gives
    trains = p2.get_data().segments[0].spiketrains
    assert all(trains[i].magnitude.max() < 55.0 for i in range(9) if i != 1)
    sim.end()

    sim.setup()
    prj = stdp_onto_one_cell(3, 100.0)
    sim.run(200.0)
    learnt = np.array(prj.get("weight", format="list", with_address=False))
    assert np.all(learnt != 0.5)
    list(prj.connections)[0].weight = 0.25  # the others keep their learnt values
    now = np.array(prj.get("weight", format="list", with_address=False))
    assert now[0] == 0.25 and np.allclose(now[1:], learnt[1:], rtol=1e-7)
    sim.run(10.0)
    sim.end()


def test_native_rng_connects_with_myelins_rules():
    """With NativeRNG the engine draws connections, weights and delays (Myelin's rules and
    distributions): the counts the rules promise, weights inside their bounds with the
    right mean, the same synapses for any threads, listed by get() and kept by set()."""
    def build(threads):
        sim.setup(timestep=0.1, threads=threads, rng_seed=3)
        rng = sim.NativeRNG()
        a = sim.Population(200, sim.IF_cond_exp())
        b = sim.Population(100, sim.IF_cond_exp())
        w = sim.RandomDistribution("normal_clipped", mu=0.01, sigma=0.005, low=0.0, high=0.02, rng=rng)
        d = sim.RandomDistribution("uniform", low=0.5, high=2.0, rng=rng)
        projections = {
            "indegree": sim.Projection(a, b, sim.FixedNumberPreConnector(20, rng=rng),
                                       sim.StaticSynapse(weight=w, delay=d), receptor_type="inhibitory"),
            "bernoulli": sim.Projection(a, b, sim.FixedProbabilityConnector(0.1, rng=rng),
                                        sim.StaticSynapse(weight=0.004, delay=1.0)),
            "total": sim.Projection(a, a, sim.FixedTotalNumberConnector(3000, rng=rng),
                                    sim.StaticSynapse(weight=0.004, delay=1.0)),
        }
        return projections

    projections = build(1)
    assert len(projections["indegree"]) == 2000 and len(projections["total"]) == 3000
    n = len(projections["bernoulli"])
    assert abs(n - 2000) < 5 * np.sqrt(20000 * 0.1 * 0.9)
    pre, post, weight, delay = np.array(projections["indegree"].get(["weight", "delay"], format="list")).T
    assert np.all(np.bincount(post.astype(int), minlength=100) == 20)
    assert np.all((weight >= 0) & (weight <= 0.02)) and abs(weight.mean() - 0.01) < 0.001  # positive, as given
    assert np.all((delay >= 0.5) & (delay <= 2.0))
    listing = projections["indegree"].get(["weight", "delay"], format="list")
    assert build(3)["indegree"].get(["weight", "delay"], format="list") == listing
    sim.end()

    projections = build(1)
    projections["bernoulli"].set(weight=0.008)  # before the first run: it lists its synapses from now on
    assert projections["bernoulli"].get("weight", format="list", with_address=False) == [0.008] * n
    sim.run(10.0)
    assert len(projections["bernoulli"]) == n
    # after a run the rule's synapses, as listed, take new weights and delays and stay listed
    before = [c[:2] for c in projections["indegree"].get([], format="list")]
    projections["indegree"].set(weight=0.001)
    projections["total"].set(delay=1.5)
    assert projections["indegree"].get("weight", format="list", with_address=False) == [0.001] * 2000
    network = sim.simulator.state.network
    index = projections["indegree"]._myelin_indices[0]
    assert np.all(np.asarray(network.synapses(index)["weight"]) == np.float32(-1.0))  # inhibitory: -1 nS
    assert set(network.synapses(projections["total"]._myelin_indices[0])["delay"]) == {1.5}
    sim.run(10.0)
    sim.reset()  # built again with the same synapses, the weights and delays set
    sim.run(10.0)
    assert [c[:2] for c in projections["indegree"].get([], format="list")] == before
    assert projections["indegree"].get("weight", format="list", with_address=False) == [0.001] * 2000
    assert set(projections["total"].get("delay", format="list", with_address=False)) == {1.5}
    sim.end()

    # synapse parameters of a rule's synapses change after a run, to one value for all
    sim.setup(timestep=0.1, rng_seed=3)
    a = sim.Population(50, sim.SpikeSourcePoisson(rate=20.0))
    b = sim.Population(20, sim.IF_curr_exp())
    prj = sim.Projection(a, b, sim.FixedProbabilityConnector(0.3, rng=sim.NativeRNG()),
                         sim.TsodyksMarkramSynapse(weight=0.1, delay=1.0, U=0.5))
    sim.run(20.0)
    prj.set(U=0.25)
    assert set(prj.get("U", format="list", with_address=False)) == {0.25}
    assert sim.simulator.state.network.config["projections"][0]["synapse"]["params"]["U"] == 0.25
    sim.run(20.0)
    sim.end()


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="no mpirun")
def test_two_ranks_record_what_one_does(tmp_path):
    """Under mpirun every rank runs the script; the engine gathers to rank 0, whose get_data()
    is complete (PyNN's own gathering, which needs mpi4py, is not used); connections drawn by
    Myelin's rules and plastic weights read back whole on every rank."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import sys
        import myelin_pynn_hook  # noqa: F401,E402 (.pth files are read in site folders only)
        import numpy as np
        import pyNN.myelin as sim
        sim.setup(timestep=0.1, rng_seed=4)
        src = sim.Population(50, sim.SpikeSourcePoisson(rate=50.0))
        p = sim.Population(20, sim.IF_cond_exp())
        sim.Projection(src, p, sim.FixedProbabilityConnector(0.3, rng=sim.NumpyRNG(seed=2)),
                       sim.StaticSynapse(weight=0.01, delay=1.0))
        drawn = sim.Projection(src, p, sim.FixedProbabilityConnector(0.2, rng=sim.NativeRNG()),
                               sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.001, 0.01),
                                                                               rng=sim.NativeRNG()), delay=1.0),
                               receptor_type="excitatory")
        stdp = sim.STDPMechanism(weight=0.005, timing_dependence=sim.SpikePairRule(A_plus=0.1, A_minus=0.12),
                                 weight_dependence=sim.AdditiveWeightDependence(w_max=0.01))
        plastic = sim.Projection(src, p, sim.FixedProbabilityConnector(0.2, rng=sim.NumpyRNG(seed=3)), stdp)
        p.record(["spikes", "v"])
        sim.run(100.0)
        segment = p.get_data().segments[0]
        counts = [len(s) for s in segment.spiketrains]
        listed = np.array(drawn.get(["weight", "delay"], format="list"))
        learnt = np.array(plastic.get("weight", format="list"))
        assert len(drawn) == len(listed) > 0
        if sim.rank() == 0:
            np.savez(sys.argv[1], v=np.column_stack([segment.analogsignals[0].magnitude.T, np.array(counts)[:, None]]),
                     drawn=listed, learnt=learnt)
        else:
            assert sum(counts) == 0 and sim.num_processes() == 2
        sim.end()
    """))
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    for ranks, out in ((1, "one.npz"), (2, "two.npz")):
        done = subprocess.run(["mpirun", "-n", str(ranks), sys.executable, str(script), str(tmp_path / out)],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
    one, two = np.load(tmp_path / "one.npz"), np.load(tmp_path / "two.npz")
    assert one["v"][:, -1].sum() > 0
    assert len(set(one["learnt"][:, 2])) > 2  # learnt
    for key in ("v", "drawn", "learnt"):
        np.testing.assert_array_equal(one[key], two[key], err_msg=key)


def test_initialize_between_runs_sets_the_state_now():
    sim.setup(timestep=0.1)
    cells = sim.Population(3, sim.IF_curr_exp(tau_m=10.0, v_rest=-70.0, v_thresh=-40.0))
    cells.record("v")
    sim.run(5.0)
    cells.initialize(v=-60.0)
    cells[2:3].initialize(v=-50.0)
    sim.run(5.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    # from the new values on, each relaxes towards rest: v(t) = -70 + (v0 + 70) exp(-t / 10)
    decay = np.exp(-0.1 / 10.0)
    np.testing.assert_allclose(v[51], [-70 + 10 * decay, -70 + 10 * decay, -70 + 20 * decay], rtol=0, atol=1e-9)
    sim.reset()
    sim.run(1.0)  # reset() starts from the initial values set last
    np.testing.assert_allclose(cells.get_data().segments[1].analogsignals[0].magnitude[0], [-60.0, -60.0, -50.0])
    sim.end()


def test_setup_frees_the_last_session(tmp_path):
    """setup() frees the last session by reference counting alone (the cycle collector off):
    populations, views, assemblies, projections, current sources, recorders and the Network,
    so a script that loops over setup/run/end keeps a flat footprint (bench/pynn: RSS) without
    setup() paying for a collection of the whole interpreter. In a fresh interpreter (pytest's
    own bookkeeping may hold objects a while)."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import gc
        import weakref
        gc.disable()
        import myelin_pynn_hook  # noqa: F401,E402 (.pth files are read in site folders only)
        import pyNN.myelin as sim
        sim.setup()
        p = sim.Population(10, sim.IF_cond_exp(), label="a")
        q = sim.Population(5, sim.SpikeSourcePoisson(rate=10.0))
        v = p[2:5]
        both = p + q
        prj = sim.Projection(q, p, sim.FixedProbabilityConnector(0.5), sim.StaticSynapse(weight=0.01, delay=1.0))
        prj_view = sim.Projection(q, v, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0))
        source = sim.DCSource(amplitude=0.1)
        p[0:3].inject(source)
        p.record(["spikes", "v"])
        v.record("gsyn_exc")
        sim.run(10.0)
        p.get_data()
        sim.end()
        objects = dict(p=p, q=q, v=v, both=both, prj=prj, prj_view=prj_view, source=source, recorder=p.recorder,
                       network=sim.simulator.state.network)
        refs = {name: weakref.ref(o) for name, o in objects.items()}
        del p, q, v, both, prj, prj_view, source, objects
        sim.setup()
        alive = [name for name, ref in refs.items() if ref() is not None]
        assert not alive, alive
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_off_grid_spike_sources_record_the_times_listed():
    """spike_precision="off_grid": a SpikeSourceArray's spikes are recorded at the times listed
    (to the last bit), per neuron, also across runs and clear; they reach targets at the end
    of their step either way (the target's response is the same as on the grid)."""
    times = [[0.075, 3.3333, 7.0], [1.01, 1.02, 5.55], []]

    def run(precision):
        sim.setup(timestep=0.1, spike_precision=precision)
        sources = sim.Population(3, sim.SpikeSourceArray(spike_times=times))
        cell = sim.Population(1, sim.IF_curr_exp())
        sim.Projection(sources, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
        sources.record("spikes")
        cell.record("v")
        sim.run(4.0)
        first = [np.asarray(t.magnitude) for t in sources.get_data("spikes", clear=True).segments[0].spiketrains]
        sim.run(6.0)
        second = [np.asarray(t.magnitude) for t in sources.get_data("spikes").segments[0].spiketrains]
        v = np.asarray(cell.get_data("v").segments[0].analogsignals[0].magnitude)
        sim.end()
        return first, second, v

    first, second, v_off = run("off_grid")
    assert [t.tolist() for t in first] == [[0.075, 3.3333], [1.01], []]  # 1.02 falls in 1.01's step: one spike
    assert [t.tolist() for t in second] == [[7.0], [5.55], []]
    first, second, v_on = run("on_grid")
    np.testing.assert_allclose(first[0], [0.1, 3.4])
    np.testing.assert_array_equal(v_off, v_on)
    with pytest.raises(ValueError, match="spike_precision"):
        sim.setup(spike_precision="exact")
