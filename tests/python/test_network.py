"""myelin.Network against the program: the same spikes, traces and weights, bit for bit."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import h5py
import numpy as np
import pytest

import myelin


def file_spikes(path):
    with h5py.File(path, "r") as f:
        return {name: (g["timestamps"][()], g["node_ids"][()]) for name, g in f["spikes"].items()}


def test_runs_in_pieces_give_the_programs_spikes(tmp_path, source_dir, myelin_cli):
    config = source_dir / "examples/brunel/brunel_small.json"
    myelin_cli("run", config, "--t-stop", 300, "--output", tmp_path / "cli", "--quiet")
    expected = file_spikes(tmp_path / "cli/spikes.h5")
    for threads, pieces in [(2, [300.0]), (1, [0.7, 99.3, 123.4, 76.6])]:  # pieces off the 1.5 ms windows
        net = myelin.Network(config, threads=threads)
        for ms in pieces:
            net.run(ms)
        assert net.t == pytest.approx(300.0)
        assert net.recorded_populations == ["E", "I"]
        for name, (t, i) in expected.items():
            times, ids = net.spikes(name)
            assert np.array_equal(times, t) and np.array_equal(ids, i), (threads, pieces, name)


def test_a_dict_and_a_network_built_step_by_step_equal_the_file(source_dir):
    config = json.loads((source_dir / "examples/brunel/brunel_small.json").read_text())
    from_file = myelin.Network(source_dir / "examples/brunel/brunel_small.json").run(50.0)
    from_dict = myelin.Network(config).run(50.0)
    stepwise = myelin.Network()
    stepwise.simulation(**config["simulation"])
    for p in config["populations"]:
        stepwise.population(p["name"], p["model"], p["n"], params=p.get("params"), initial=p.get("initial"))
    for p in config["projections"]:
        c = dict(p["connection"])
        stepwise.connect(p["source"], p["target"], c.pop("rule"), weight=p["weight"], delay=p["delay"], **c)
    for s in config["stimuli"]:
        stepwise.stimulus(s["model"], s["targets"], s.get("params"), weight=s.get("weight"), delay=s.get("delay"))
    stepwise.record("E")
    stepwise.record("I")
    assert stepwise.record("E", "V_m", neurons=[3, 1], interval=5.0) == "E_V_m"
    stepwise.run(50.0)
    assert stepwise.trace("E_V_m")["V_m"].shape == (11, 2)  # at 0, 5, ..., 50 ms
    for name in ["E", "I"]:
        t, i = from_file.spikes(name)
        for other in (from_dict, stepwise):
            t2, i2 = other.spikes(name)
            assert len(t) > 100 and np.array_equal(t, t2) and np.array_equal(i, i2)


def test_spike_arrays_are_read_only_views_that_later_runs_leave_alone(source_dir):
    net = myelin.Network(source_dir / "examples/brunel/brunel_small.json").run(20.0)
    t1, i1 = net.spikes("E")
    again, _ = net.spikes("E")
    assert np.shares_memory(t1, again)  # no copy
    assert not t1.flags.writeable and not i1.flags.writeable
    kept = t1.copy()
    net.run(20.0)
    assert np.array_equal(t1, kept)  # the view did not change under its holder
    t2, _ = net.spikes("E")
    assert len(t2) > len(t1) and np.array_equal(t2[: len(t1)], t1)
    with pytest.raises(ValueError, match="no recorded population 'X'; recorded: E, I"):
        net.spikes("X")


def test_the_programs_state_report_and_weight_files(tmp_path, source_dir, myelin_cli):
    config = source_dir / "tests/data/dc_report.json"
    myelin_cli("run", config, "--output", tmp_path / "dc", "--quiet")
    net = myelin.Network(config).run(12.3).run(17.7)
    trace = net.trace("vm")
    with h5py.File(tmp_path / "dc/vm.V_m.h5", "r") as f:
        data = f["report/P/data"][()]
        t0, t1, dt = f["report/P/mapping/time"][()]
    assert trace["V_m"].shape == data.shape == (len(trace["times"]), 2)
    assert np.array_equal(trace["V_m"], data)
    assert list(trace["neurons"]) == [2, 0] and trace["units"]["V_m"] == "mV" and trace["population"] == "P"
    assert np.allclose(trace["times"], t0 + dt * np.arange(len(data)))
    with pytest.raises(ValueError, match="^trace: no state recorder 'vn'; the network has: vm$"):
        net.trace("vn")
    with pytest.raises(ValueError, match="^weights: no weight recorder 'w'; the network has: none$"):
        net.weights("w")

    plastic = source_dir / "tests/data/plastic.json"
    myelin_cli("run", plastic, "--output", tmp_path / "plastic", "--quiet")
    net = myelin.Network(plastic)
    for ms in (33.3, 66.7, 100.0):
        net.run(ms)
    for name, (t, i) in file_spikes(tmp_path / "plastic/spikes.h5").items():
        t2, i2 = net.spikes(name)
        assert np.array_equal(t, t2) and np.array_equal(i, i2)
    recorders = json.loads(plastic.read_text())["recorders"]["weights"]
    assert recorders
    for r in recorders:
        w = net.weights(r["name"])
        with h5py.File(tmp_path / f"plastic/{r['name']}.weights.h5", "r") as f:
            g = f["weights"]
            assert np.array_equal(w["source"], g["source"][()]) and np.array_equal(w["target"], g["target"][()])
            if "snapshots" in g:
                assert np.array_equal(w["times"], g["snapshots/time"][()])
                assert np.array_equal(w["weights"], g["snapshots/data"][()])
            else:
                assert len(w["times"]) == 0
            if "events" in g:
                assert np.array_equal(w["event_times"], g["events/time"][()])
                assert np.array_equal(w["event_weights"], g["events/weight"][()])


def test_stimulus_parameters_change_between_runs():
    def network(device, params):
        net = myelin.Network(seed=7)
        net.simulation(resolution=0.1)
        net.population("P", "iaf_psc_exp", 2, params={"V_th": 1e9})
        net.stimulus(device, "P", params, name="drive")
        net.record_state("vm", "P", "V_m")
        return net

    switched = network("dc_generator", {"amplitude": 100.0})
    switched.run(50.0)
    switched.set_stimulus("drive", amplitude=-40.0)
    switched.run(50.0)
    stepped = network("step_current_generator", {"amplitude_times": [0.0, 50.0], "amplitude_values": [100.0, -40.0]})
    stepped.run(100.0)
    assert np.array_equal(switched.trace("vm")["V_m"], stepped.trace("vm")["V_m"])

    with pytest.raises(ValueError, match=r"<dict>: stimuli\[0\]\.params\.rate: rate = -5 Hz"):
        net = myelin.Network()
        net.population("P", "iaf_psc_exp", 1)
        net.stimulus("poisson_generator", "P", {"rate": 100.0}, weight=10.0)
        net.run(1.0)
        net.set_stimulus(0, rate=-5.0)
    with pytest.raises(ValueError, match="no stimulus 'nope'"):
        net.set_stimulus("nope", rate=1.0)


def test_errors_carry_the_programs_messages(tmp_path, source_dir, myelin_cli):
    config = json.loads((source_dir / "examples/brunel/brunel_small.json").read_text())
    config["populations"][0]["params"]["tau_m"] = -1.0
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    cli = myelin_cli("run", path, "--output", tmp_path / "out", check=False)
    assert cli.returncode == 2
    with pytest.raises(ValueError) as error:
        myelin.Network(path).build()
    assert str(error.value) in cli.stderr
    with pytest.raises(ValueError, match=r"^<dict>: populations\[0\]\.params\.tau_m: tau_m = -1 ms"):
        myelin.Network(config).build()
    with pytest.raises(FileNotFoundError, match="nowhere.json"):
        myelin.Network(tmp_path / "nowhere.json").build()
    with pytest.raises(ValueError, match="at least one step"):
        myelin.Network(source_dir / "examples/brunel/brunel_small.json").run(0.01)
    built = myelin.Network(source_dir / "examples/brunel/brunel_small.json").build()
    with pytest.raises(RuntimeError, match="structure is fixed"):
        built.population("X", "iaf_psc_exp", 1)


def test_checkpoint_and_resume_continue_the_run(tmp_path, source_dir, myelin_cli):
    config = source_dir / "examples/brunel/brunel_small.json"
    whole = myelin.Network(config).run(200.0)
    net = myelin.Network(config).run(120.0).checkpoint(tmp_path / "state.h5")
    resumed = myelin.Network.resume(tmp_path / "state.h5", threads=1)
    assert resumed.t == 120.0
    resumed.run(80.0)
    t, i = whole.spikes("E")
    later = t > 120.0
    t2, i2 = resumed.spikes("E")
    assert np.array_equal(t[later], t2) and np.array_equal(i[later], i2)
    # The program resumes it too.
    myelin_cli("resume", tmp_path / "state.h5", "--t-stop", 200, "--output", tmp_path / "resumed", "--quiet")
    t3, i3 = file_spikes(tmp_path / "resumed/spikes.h5")["E"]
    assert np.array_equal(t3, t2) and np.array_equal(i3, i2)
    # Written as an index and a file per rank (one part here), it resumes alike.
    net.checkpoint(tmp_path / "index.h5", files="per-rank")
    assert len(list((tmp_path / "index.h5.parts").glob("*-0.h5"))) == 1
    t4, i4 = myelin.Network.resume(tmp_path / "index.h5", threads=2).run(80.0).spikes("E")
    assert np.array_equal(t4, t2) and np.array_equal(i4, i2)
    with pytest.raises(ValueError, match="files='two'"):
        net.checkpoint(tmp_path / "x.h5", files="two")


def test_runs_release_the_gil(source_dir):
    net = myelin.Network(source_dir / "examples/brunel/brunel_small.json").build()
    ticks = 0
    worker = threading.Thread(target=net.run, args=(20000.0,))  # ~1.5 s on one core
    worker.start()
    time.sleep(0.05)
    assert worker.is_alive()
    with pytest.raises(RuntimeError, match="running in another thread"):
        net.run(1.0)
    with pytest.raises(RuntimeError, match="running in another thread"):
        net.spikes("E")
    while worker.is_alive():
        ticks += 1
        time.sleep(0.001)
    worker.join()
    assert net.t == 20000.0 and ticks > 10


def test_ctrl_c_stops_a_run_whole(tmp_path, source_dir):
    script = tmp_path / "long.py"
    script.write_text(textwrap.dedent(f"""
        import myelin
        net = myelin.Network({str(source_dir / "examples/brunel/brunel_small.json")!r})
        net.build()
        print("built", flush=True)
        try:
            net.run(1e6)
        except KeyboardInterrupt as e:
            print("stopped", net.t, e, flush=True)
        t = net.t
        net.run(10.0)
        assert net.t == t + 10.0
        print("went on", flush=True)
        net.run(1e6)
    """))
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=os.environ)
    assert p.stdout.readline() == "built\n"
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    line = p.stdout.readline()
    assert line.startswith("stopped ") and "run interrupted at" in line
    assert 0 < float(line.split()[1]) < 1e6
    assert p.stdout.readline() == "went on\n"
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)  # uncaught: Python ends with KeyboardInterrupt
    out, err = p.communicate(timeout=60)
    assert "KeyboardInterrupt" in err and p.returncode != 0


def test_a_sweep_does_not_leak(tmp_path, source_dir):
    # In a process of its own, with AddressSanitizer's quarantine off where the module carries
    # it (the quarantine keeps freed memory on purpose, and grows with any run).
    script = tmp_path / "sweep.py"
    script.write_text(textwrap.dedent(f"""
        import copy, json, os
        import myelin

        def rss_MB():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

        config = json.loads(open({str(source_dir / "examples/brunel/brunel_small.json")!r}).read())
        sizes = []
        for k in range(20):
            c = copy.deepcopy(config)
            c["simulation"]["seed"] = k
            net = myelin.Network(c).run(100.0)
            assert len(net.spikes("E")[0]) > 0
            del net
            sizes.append(rss_MB())
        print(" ".join(f"{{s:.1f}}" for s in sizes))
    """))
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    sizes = [float(s) for s in done.stdout.split()]
    # One network of 1250 neurons and 156k synapses takes ~5 MB: twenty that leaked would add 100.
    assert len(sizes) == 20 and sizes[-1] - sizes[1] < 5.0, sizes


def test_a_sonata_circuit_runs_as_in_the_program(tmp_path, source_dir, myelin_cli):
    config = source_dir / "tests/data/sonata_circuit/simulation_config.json"
    myelin_cli("run", config, "--output", tmp_path / "cli", "--quiet")
    expected = file_spikes(tmp_path / "cli/spikes.h5")
    net = myelin.Network(config)
    net.run(net.config["simulation"]["t_stop"])
    assert sorted(net.recorded_populations) == sorted(expected)
    for name, (t, i) in expected.items():
        t2, i2 = net.spikes(name)
        assert len(t) > 0 and np.array_equal(t, t2) and np.array_equal(i, i2), name


def test_every_public_name_is_documented():
    for name in myelin.__all__:
        thing = getattr(myelin, name)
        assert thing.__doc__ and len(thing.__doc__) > 20, name
    for cls in (myelin.Network, myelin.Model):
        for name, member in vars(cls).items():
            if not name.startswith("_"):
                assert member.__doc__, f"{cls.__name__}.{name}"
    assert "rbf_cka(a: numpy.ndarray" in myelin.rbf_cka.__doc__  # typed signatures in help()


def test_reset_repeats_the_first_run_and_keeps_what_was_set(source_dir):
    config = json.loads((source_dir / "examples/brunel/brunel_small.json").read_text())
    config["recorders"] = {"state": [{"name": "vm", "population": "E", "neurons": [0, 7], "variables": ["V_m"],
                                      "interval": 1.0}]}
    net = myelin.Network(config, threads=2)
    net.run(60.0)
    first = {name: [a.copy() for a in net.spikes(name)] for name in ("E", "I")}
    first_vm = net.trace("vm")["V_m"].copy()
    for cycle in range(2):
        net.reset()
        assert net.t == 0.0
        assert len(net.spikes("E")[0]) == 0 and net.trace("vm")["V_m"].shape == (0, 2)
        net.run(25.0)
        net.run(35.0)  # in other pieces: the same run
        for name in ("E", "I"):
            t, i = net.spikes(name)
            assert len(t) > 100 and np.array_equal(t, first[name][0]) and np.array_equal(i, first[name][1])
        assert np.array_equal(net.trace("vm")["V_m"], first_vm)

    # Parameters set before reset() stay: the run after it is that of a network built with them.
    net.set_stimulus(0, rate=0.8 * config["stimuli"][0]["params"]["rate"])
    net.reset()
    net.run(60.0)
    changed = json.loads(json.dumps(config))
    changed["stimuli"][0]["params"]["rate"] *= 0.8
    fresh = myelin.Network(changed, threads=1).run(60.0)
    t, i = net.spikes("E")
    assert len(t) < len(first["E"][0])
    assert np.array_equal(t, fresh.spikes("E")[0]) and np.array_equal(i, fresh.spikes("E")[1])
    assert net.min_delay == 1.5


def test_reset_restores_plastic_weights():
    net = myelin.Network(seed=3)
    net.simulation(resolution=0.1)
    net.population("pre", "parrot_neuron", 20)
    net.population("post", "iaf_psc_exp", 5, params={"I_e": 300.0})
    net.stimulus("poisson_generator", "pre", {"rate": 80.0}, weight=1.0, delay=0.1)
    stdp = net.connect("pre", "post", weight=30.0, delay=1.0,
                       synapse={"model": "stdp_synapse", "params": {"lambda": 0.05}})
    net.record_weights("w", stdp, interval=50.0)
    net.run(200.0)
    learned = net.synapses(stdp)["weight"].copy()
    assert not np.allclose(learned, 30.0)  # the weights moved
    net.reset()
    assert np.all(net.synapses(stdp)["weight"] == 30.0)
    assert net.weights("w")["weights"].shape[0] == 0
    net.run(200.0)
    assert np.array_equal(net.synapses(stdp)["weight"], learned)


def test_parameters_per_neuron_get_and_set_before_and_between_runs():
    def network(I_e, drive_from=None):
        net = myelin.Network(seed=4)
        net.simulation(resolution=0.1)
        net.population("P", "iaf_psc_exp", 6, params={"I_e": I_e, "tau_m": [10.0, 10.0, 12.0, 12.0, 20.0, 20.0]})
        if drive_from is not None:
            net.stimulus("dc_generator", {"population": "P", "neurons": [1, 3]}, {"amplitude": 420.0, "start": drive_from})
        net.record_state("vm", "P", "V_m")
        return net

    # Set before the build: the network of a config with those values.
    before = network(0.0).set_params("P", [1, 3], I_e=420.0)
    assert before.config["populations"][0]["params"]["I_e"] == [0.0, 420.0, 0.0, 420.0, 0.0, 0.0]
    assert np.array_equal(before.get_params("P", "I_e"), [0.0, 420.0, 0.0, 420.0, 0.0, 0.0])
    before.run(100.0)
    assert np.array_equal(before.trace("vm")["V_m"], network([0.0, 420.0, 0.0, 420.0, 0.0, 0.0]).run(100.0).trace("vm")["V_m"])

    # Set between runs: from the next step on, the neurons keeping their state. The same
    # current from a dc_generator switched on at 50 ms gives the same membranes.
    switched = network(0.0).run(50.0).set_params("P", [1, 3], I_e=420.0).run(50.0)
    driven = network(0.0, drive_from=50.0).run(100.0)
    a, b = switched.trace("vm")["V_m"], driven.trace("vm")["V_m"]
    assert np.allclose(a, b, rtol=1e-12, atol=1e-12)
    assert np.array_equal(a[:501, 1], a[:501, 0]) and a[600, 1] > a[600, 0] + 5.0  # neurons 0, 1 share tau_m
    assert np.array_equal(switched.get_params("P", "tau_m"), [10.0, 10.0, 12.0, 12.0, 20.0, 20.0])
    # reset() keeps the values set: the run is that of a network built with them.
    switched.reset().run(100.0)
    assert np.array_equal(switched.trace("vm")["V_m"], before.trace("vm")["V_m"])

    # Initial values listed per neuron.
    start = myelin.Network()
    start.population("P", "iaf_psc_exp", 3, initial={"V_m": [-70.0, -65.0, -60.5]})
    start.record_state("vm", "P", "V_m")
    assert np.array_equal(start.run(1.0).trace("vm")["V_m"][0], [-70.0, -65.0, -60.5])
    with pytest.raises(ValueError, match=r"populations\[0\]\.initial\.V_m: V_m: 2 values for 3 neurons"):
        bad = myelin.Network()
        bad.population("P", "iaf_psc_exp", 3, initial={"V_m": [-70.0, -65.0]})
        bad.run(1.0)

    drawn = myelin.Network(seed=8)
    drawn.population("P", "iaf_psc_exp", 50, params={"V_th": {"distribution": "uniform", "low": -56.0, "high": -50.0}})
    values = drawn.get_params("P", "V_th")
    assert values.shape == (50,) and len(set(values)) == 50 and np.all((values >= -56.0) & (values < -50.0))
    assert np.array_equal(drawn.build().get_params("P", "V_th"), values)  # the built network's are the same
    with pytest.raises(ValueError, match=r"<dict>: populations\[0\]\.params\.tau_m\[2\]: tau_m = -1 ms; must be > 0"):
        drawn.set_params("P", tau_m=[10.0, 10.0, -1.0] + [10.0] * 47)
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        drawn.set_params("P", V_th=float("nan"))
    assert np.array_equal(drawn.get_params("P", "V_th"), values)  # refused values change nothing
    with pytest.raises(ValueError, match="no population 'Q'; the network has: P"):
        drawn.set_params("Q", V_th=-50.0)
    with pytest.raises(ValueError, match="unknown parameter 'V_thresh' of model iaf_psc_exp"):
        drawn.get_params("P", "V_thresh")


def test_synapses_info_and_models(source_dir):
    net = myelin.Network(source_dir / "examples/brunel/brunel_small.json", threads=2).build()
    info = net.info
    assert info["neurons"] == 1250 and info["threads"] == 2 and info["ranks"] == 1 and info["min_delay"] == 1.5
    ee = net.synapses(0)  # E -> E, fixed in-degree 100
    assert len(ee["source"]) == 1000 * 100
    assert np.all(np.bincount(ee["target"].astype(np.int64), minlength=1000) == 100)
    assert np.allclose(ee["weight"], 54.960220400134794, rtol=1e-7, atol=0) and np.all(ee["delay"] == 1.5)
    assert sum(len(net.synapses(p)["source"]) for p in range(4)) == info["synapses"]
    with pytest.raises(ValueError, match="projection 4; the network has 4"):
        net.synapses(4)
    assert "iaf_psc_exp" in myelin.model_names("neuron") and "poisson_generator" in myelin.model_names("stimulus")
    with pytest.raises(ValueError, match="must be neuron, stimulus or synapse"):
        myelin.model_names("device")


def test_injected_current_is_what_the_neurons_got():
    """Network.injected_current: the engine's device run again over each stretch between
    set_stimulus calls; fed through the exact propagator of a passive membrane it gives
    the recorded membrane potential of each target (noise: each target its own draw)."""
    net = myelin.Network(seed=4)
    net.simulation(resolution=0.1)
    net.population("P", "iaf_psc_exp", 3, params={"V_th": 1e9, "tau_m": 10.0, "C_m": 250.0, "E_L": 0.0})
    net.stimulus("noise_generator", "P", {"mean": 100.0, "std": 200.0, "dt": 0.3, "start": 2.0}, name="noise")
    net.stimulus("dc_generator", {"population": "P", "neurons": [1]}, {"amplitude": 50.0, "start": 1.0}, name="dc")
    net.record("P", "V_m", interval=0.1, name="v")
    net.run(10.0)
    net.set_stimulus("dc", amplitude=-80.0)
    net.set_stimulus("noise", std=50.0)
    net.run(10.0)
    noise, dc = net.injected_current("noise"), net.injected_current("dc")
    assert noise["current"].shape == (201, 3) and dc["current"].shape == (201, 1)
    assert list(dc["neurons"]) == [1] and dc["population"] == ["P"]
    np.testing.assert_allclose(noise["times"], np.arange(201) * 0.1)
    assert np.all(dc["current"][:10] == 0) and dc["current"][10, 0] == 50.0 and dc["current"][100, 0] == -80.0
    assert np.all(noise["current"][:20] == 0) and len(set(noise["current"][20])) == 3
    assert np.std(noise["current"][20:100:3]) > 2 * np.std(noise["current"][100::3])  # std 200 pA, then 50
    current = noise["current"].copy()
    current[:, 1] += dc["current"][:, 0]
    v = net.trace("v")["V_m"]
    p22 = np.exp(-0.1 / 10.0)
    p20 = 10.0 / 250.0 * (1.0 - p22)
    np.testing.assert_allclose(v[1:], v[:-1] * p22 + current[:-1] * p20, rtol=0, atol=1e-10)


def test_explicit_projections_from_numpy_arrays(tmp_path):
    """Long lists of an explicit projection reach the engine beside the JSON (as arrays):
    the same network as with the lists written out, checkpoints included (their config has
    the lists written out, so `myelin resume` and Network.resume read them)."""
    rng = np.random.default_rng(2)
    sources, targets = rng.integers(0, 200, 5000), rng.integers(0, 100, 5000)
    weights, delays = rng.uniform(0.0, 60.0, 5000), np.round(rng.uniform(0.5, 3.0, 5000), 1)

    def build(as_arrays):
        net = myelin.Network(seed=3)
        net.population("S", "spike_source_poisson", 200, params={"rate": 20.0})
        net.population("T", "iaf_psc_exp", 100, params={"I_e": 300.0})
        convert = (lambda a: a) if as_arrays else (lambda a: a.tolist())
        net.connect("S", "T", "explicit", sources=convert(sources), targets=convert(targets), weight=convert(weights),
                    delay=convert(delays))
        return net

    listed, arrays = build(False), build(True)
    assert isinstance(arrays.config["projections"][0]["weight"], list)  # connect() keeps JSON's types
    arrays._config["projections"][0]["weight"] = weights  # as pyNN.myelin gives them
    arrays._config["projections"][0]["connection"]["sources"] = sources
    listed.run(100.0)
    arrays.run(50.0)
    arrays.checkpoint(tmp_path / "half.h5")
    arrays.run(50.0)
    for net, start in ((arrays, 0.0), (myelin.Network.resume(tmp_path / "half.h5").run(50.0), 50.0)):
        t, i = net.spikes("T")
        t0, i0 = listed.spikes("T")
        keep = t0 > start + 1e-9
        np.testing.assert_array_equal(t, t0[keep])
        np.testing.assert_array_equal(i, i0[keep])
    s = arrays.synapses(0)
    order = np.lexsort((sources, targets))
    np.testing.assert_allclose(s["weight"], weights[order].astype(np.float32), rtol=0)
    bad = build(True)
    bad._config["projections"][0]["connection"]["targets"] = np.append(targets[:-1], 100.0)
    with pytest.raises(ValueError, match=r"projections\[0\].*targets.*100"):
        bad.run(1.0)


def test_set_weights_of_an_explicit_projection(tmp_path):
    """Weights changed between runs act from the next delivery on; the config records them, so a
    checkpoint taken then resumes with them and reset() starts with them."""
    rng = np.random.default_rng(5)
    sources, targets = rng.integers(0, 100, 2000), rng.integers(0, 50, 2000)
    w0, w1 = rng.uniform(0.0, 80.0, 2000), rng.uniform(0.0, 160.0, 2000)

    def build(weight):
        net = myelin.Network(seed=9)
        net.population("S", "spike_source_poisson", 100, params={"rate": 30.0})
        net.population("T", "iaf_psc_exp", 50, params={"I_e": 200.0})
        net.connect("S", "T", "explicit", sources=sources, targets=targets, weight=weight, delay=1.0)
        return net

    net = build(w0).run(50.0)
    before = len(net.spikes("T")[0])
    net.set_weights(0, w1)
    net.checkpoint(tmp_path / "changed.h5")
    net.run(50.0)
    t, i = net.spikes("T")
    resumed = myelin.Network.resume(tmp_path / "changed.h5").run(50.0)
    np.testing.assert_array_equal(resumed.spikes("T")[0], t[before:])
    np.testing.assert_array_equal(resumed.spikes("T")[1], i[before:])
    # the first 50 ms as with w0, the rest differs from a run that kept w0
    kept = build(w0).run(100.0).spikes("T")[0]
    np.testing.assert_array_equal(kept[:before], t[:before])
    assert len(t) > len(kept)
    net.reset().run(100.0)
    np.testing.assert_array_equal(net.spikes("T")[0], build(w1).run(100.0).spikes("T")[0])
    np.testing.assert_allclose(net.synapses(0)["weight"], w1[np.lexsort((sources, targets))].astype(np.float32))


def test_set_weights_and_delays_of_synapses_a_rule_drew():
    """A rule's synapses (multapses included) take new weights and delays in the order
    synapses(gather=True) lists them; the projection is explicit from then on, so reset()
    runs the network with them, as one built from the list; 1 and 3 threads alike."""
    def build(threads):
        net = myelin.Network(seed=4, threads=threads)
        net.population("S", "spike_source_poisson", 80, params={"rate": 40.0})
        net.population("T", "iaf_psc_exp", 30, params={"I_e": 300.0})
        net.connect("S", "T", "fixed_indegree", indegree=30, allow_multapses=True,
                    weight={"distribution": "uniform", "low": 10.0, "high": 60.0},
                    delay={"distribution": "uniform", "low": 1.0, "high": 3.0})
        net.record("T")
        return net

    results = []
    for threads in (1, 3):
        net = build(threads).run(50.0)
        listed = net.synapses(0, gather=True)
        pairs = list(zip(listed["source"], listed["target"]))
        assert len(pairs) > len(set(pairs))  # multapses
        weights = np.linspace(0.0, 120.0, len(pairs))
        delays = np.where(np.arange(len(pairs)) % 2 == 0, 1.0, 3.0)
        with pytest.raises(ValueError, match="takes delays from 1 to 3 ms"):
            net.set_delays(0, 0.5)
        assert net.config["projections"][0]["connection"]["rule"] == "fixed_indegree"  # refused: nothing changed
        net.set_weights(0, weights).set_delays(0, delays)
        assert net.config["projections"][0]["connection"]["rule"] == "explicit"
        after = net.synapses(0)
        np.testing.assert_array_equal(after["source"], listed["source"])
        np.testing.assert_allclose(after["weight"], weights.astype(np.float32))
        np.testing.assert_allclose(after["delay"], delays)
        net.run(50.0)
        net.reset().run(100.0)
        explicit = myelin.Network(seed=4, threads=threads)
        explicit.population("S", "spike_source_poisson", 80, params={"rate": 40.0})
        explicit.population("T", "iaf_psc_exp", 30, params={"I_e": 300.0})
        explicit.connect("S", "T", "explicit", sources=listed["source"], targets=listed["target"], weight=weights,
                         delay=delays)
        explicit.record("T")
        np.testing.assert_array_equal(net.spikes("T")[0], explicit.run(100.0).spikes("T")[0])
        results.append(net.spikes("T"))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_set_delays_of_an_explicit_projection(tmp_path):
    """Delays changed between runs act on spikes sent from then on; a spike on its way arrives
    as sent; delays outside the built network's range are refused; checkpoints and reset()
    keep the new ones; 1 and 3 threads alike."""
    def build(delays, threads):
        net = myelin.Network(seed=1, threads=threads)
        net.population("S", "spike_source_array", 3, params={"spike_times": [[5.0, 30.0], [6.0, 31.0], [19.5, 40.0]]})
        net.population("T", "iaf_psc_delta", 2, params={"tau_m": 1e9, "V_th": 1e6, "E_L": 0.0, "V_reset": 0.0},
                       initial={"V_m": 0.0})
        # distinct weights tell the arrivals apart: S0 -> T0 1 mV, S1 -> T0 10 mV, S2 -> T1 100 mV
        net.connect("S", "T", "explicit", sources=[0, 1, 2], targets=[0, 0, 1], weight=[1.0, 10.0, 100.0],
                    delay=delays)
        net.record("T", "V_m", name="v")
        return net

    def arrivals(net):
        trace = net.trace("v")
        jumps = []
        for column in range(2):
            v = trace["V_m"][:, column]
            steps = np.flatnonzero(np.diff(v) > 0.5) + 1
            jumps += [(round(float(trace["times"][k]), 6), round(float(v[k] - v[k - 1]))) for k in steps]
        return sorted(jumps)

    for threads in (1, 3):
        net = build([1.0, 3.0, 2.0], threads).run(20.0)
        net.set_delays(0, [3.0, 1.0, 2.5])
        net.checkpoint(tmp_path / f"changed{threads}.h5")
        net.run(30.0)
        got = arrivals(net)
        first = got[0][0] - 5.0 - 1.0  # the model's offset between arrival and the recorded jump
        assert got == [(6.0 + first, 1), (9.0 + first, 10), (21.5 + first, 100),  # the last one on its way at 20 ms
                       (32.0 + first, 10), (33.0 + first, 1), (42.5 + first, 100)]
        resumed = myelin.Network.resume(tmp_path / f"changed{threads}.h5").run(30.0)
        np.testing.assert_array_equal(resumed.trace("v")["V_m"], net.trace("v")["V_m"][-resumed.trace("v")["V_m"].shape[0]:])
        net.reset().run(50.0)
        assert arrivals(net) == arrivals(build([3.0, 1.0, 2.5], threads).run(50.0))
        with pytest.raises(ValueError, match=r"0.5 ms; a built network takes delays from 1 to 3 ms"):
            net.set_delays(0, [0.5, 1.0, 2.0])
        with pytest.raises(ValueError, match="from 1 to 3 ms"):
            net.set_delays(0, 3.5)


def test_set_synapse_params_between_runs():
    """A synapse model's parameters set between runs act from the next spike on, the synapses
    keeping their state: a depressing synapse's jumps follow the new U; STDP with lambda = 0
    keeps the learnt weights to the bit and a lower Wmax bounds them; trace time constants
    and static projections are refused by name."""
    net = myelin.Network(seed=1)
    net.population("S", "spike_source_array", 1, params={"spike_times": [10.0, 60.0, 110.0, 160.0]})
    net.population("T", "iaf_psc_delta", 1, params={"tau_m": 1e9, "V_th": 1e6, "E_L": 0.0, "V_reset": 0.0},
                   initial={"V_m": 0.0})
    # tau_rec << the interval: the resources are back (to 1e-7) at every spike, so a jump is weight * U
    net.connect("S", "T", "one_to_one", weight=10.0, delay=1.0,
                synapse={"model": "tsodyks_synapse", "params": {"U": 0.5, "tau_rec": 0.1, "tau_psc": 3.0}})
    net.record("T", "V_m", name="v")
    net.run(100.0)
    net.set_synapse_params(0, U=0.2)
    net.run(100.0)
    v = net.trace("v")["V_m"][:, 0]
    jumps = np.diff(v)[np.diff(v) > 1e-3]
    np.testing.assert_allclose(jumps, [5.0, 5.0, 2.0, 2.0], rtol=1e-6)
    assert net.config["projections"][0]["synapse"]["params"]["U"] == 0.2
    with pytest.raises(ValueError, match="U"):
        net.set_synapse_params(0, U=1.5)

    def plastic():
        net = myelin.Network(seed=3)
        net.population("pre", "spike_source_poisson", 20, params={"rate": 50.0})
        net.population("post", "iaf_psc_exp", 5, params={"I_e": 400.0})
        net.connect("pre", "post", "all_to_all", weight=50.0, delay=1.0,
                    synapse={"model": "stdp_synapse", "params": {"lambda": 0.05, "Wmax": 100.0, "tau_plus": 20.0}})
        net.record("post")
        return net

    net = plastic().run(300.0)
    learnt = np.asarray(net.synapses(0)["weight"])
    assert np.ptp(learnt) > 1.0
    spikes = len(net.spikes("post")[0])
    net.set_synapse_params(0, **{"lambda": 0.0})
    net.run(300.0)
    np.testing.assert_array_equal(net.synapses(0)["weight"], learnt)  # no learning, every weight as learnt
    assert len(net.spikes("post")[0]) > spikes  # while the synapses still transmit
    # (the config stays one that builds: its initial weight, 50, must lie within [0, Wmax])
    assert learnt.max() > 51.0
    bound = 51.0
    net.set_synapse_params(0, **{"lambda": 0.05, "Wmax": bound})
    net.run(300.0)
    assert np.asarray(net.synapses(0)["weight"]).max() <= bound
    with pytest.raises(ValueError, match="time constants cannot change"):
        net.set_synapse_params(0, tau_plus=30.0)
    static = myelin.Network({"populations": [{"name": "A", "model": "iaf_psc_exp", "n": 2}],
                             "projections": [{"source": "A", "target": "A", "connection": {"rule": "all_to_all"},
                                              "weight": 1.0, "delay": 1.0}]})
    with pytest.raises(ValueError, match="static synapses"):
        static.set_synapse_params(0, U=0.1)


def test_set_state_between_runs():
    """State variables set between runs act from the next step: a passive membrane relaxes
    from the new value exactly; other neurons are untouched; 1 and 3 threads alike."""
    for threads in (1, 3):
        net = myelin.Network(seed=1, threads=threads)
        net.population("A", "iaf_psc_exp", 5, params={"tau_m": 10.0, "E_L": -70.0, "V_th": -40.0})
        net.record("A", "V_m", interval=0.1, name="v")
        net.run(2.0)
        net.set_state("A", V_m=-60.0)
        net.set_state("A", [3], V_m=-45.0)
        np.testing.assert_array_equal(net.state("A", "V_m"), [-60.0, -60.0, -60.0, -45.0, -60.0])
        net.run(1.0)
        v = net.trace("v")["V_m"]
        decay = np.exp(-0.1 / 10.0)
        np.testing.assert_allclose(v[21], -70.0 + np.array([10, 10, 10, 25, 10]) * decay, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="no state variable 'W'.*V_m, I_syn_ex, I_syn_in"):
        net.set_state("A", W=1.0)
