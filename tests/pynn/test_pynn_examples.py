"""PyNN's examples (PyNN 0.10.1, examples/, unchanged in examples/) run on pyNN.myelin, and
each gives the same spikes as the same network built natively with myelin.Network.

The native networks are written here by hand as a Myelin user would: the example's own
numbers (read from the script's globals after it ran) in Myelin's units (pA, pF, nS; NEST's
names), inhibitory conductances as negative weights. What PyNN drew with NumPy's generator
(connections, random initial membrane potentials, spike times, the neurons recorded) is
taken from the PyNN run; the Poisson sources and the noise current are drawn by the engine
on both sides (the same seed, the same populations in the same order).

Run by ctest (`myelin.pynn.test_pynn_examples`), or: PYTHONPATH=build/release/python python3 -m pytest
tests/pynn/test_pynn_examples.py; `python3 tests/pynn/test_pynn_examples.py` prints the rates as a
Markdown table (docs/pynn.md).
"""
import os
import runpy
import sys

import numpy as np
import pytest

pytest.importorskip("pyNN", reason="PyNN (Debian's python3-pynn) is not installed")
import myelin_pynn_hook  # noqa: F401,E402 (.pth files are read in site folders only)

import myelin  # noqa: E402
import pyNN.myelin as sim  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "examples")


def run_example(script, *args):
    """Runs examples/`script` unchanged as `python3 script myelin args`; returns its globals
    and what pyNN.myelin held at its end(): per population the recorded spikes and signals,
    initial membrane potentials and spike times; per projection its (pre, post) pairs and
    weights."""
    captured = {}
    original_end = sim.end

    def end(*a, **kw):
        state = sim.simulator.state
        captured["t"] = state.t
        captured["populations"] = {p.label: _snapshot(p) for p in state.populations}
        captured["projections"] = [_connections(prj) for prj in state.projections]
        return original_end(*a, **kw)

    path = os.path.join(EXAMPLES, script)
    argv = sys.argv
    sys.argv = [path, "myelin", *args]
    sim.end = end
    try:
        namespace = runpy.run_path(path, run_name="__main__")
    finally:
        sim.end = original_end
        sys.argv = argv
    return namespace, captured


def _snapshot(population):
    out = {"size": population.size, "spikes": {}, "signals": {}}
    recorded = population.recorder.recorded
    if recorded.get("spikes"):
        for train in population.get_data("spikes").segments[0].spiketrains:
            out["spikes"][population.id_to_index(int(train.annotations["channel_id"]))] = np.asarray(train.magnitude)
    signals = [v for v in recorded if v != "spikes" and recorded[v]]
    if signals:
        for signal in population.get_data(signals).segments[0].analogsignals:
            out["signals"][signal.name] = (np.asarray(signal.times.magnitude), signal.array_annotations["channel_index"],
                                           np.asarray(signal.magnitude))
    if "v" in population.initial_values:
        out["v0"] = np.broadcast_to(population.initial_values["v"].evaluate(simplify=False), (population.size,))
    if "spike_times" in population.celltype.get_parameter_names():
        out["spike_times"] = [np.asarray(s.value).tolist() for s in population.get("spike_times", simplify=False)]
    return out


def _connections(projection):
    pairs = np.array(projection.get(["weight"], format="list"), dtype=float).reshape(-1, 3)
    return {"pre": projection.pre.label, "post": projection.post.label, "sources": pairs[:, 0].astype(int),
            "targets": pairs[:, 1].astype(int), "weight": pairs[:, 2]}


def connect(net, prj, **keys):
    """A projection with the PyNN run's synapses (explicit)."""
    return net.connect(prj["pre"], prj["post"], "explicit", sources=prj["sources"], targets=prj["targets"], **keys)


def assert_same_spikes(pynn, net, label, size):
    """The neurons PyNN recorded spike at the same times natively."""
    times, ids = net.spikes(label)
    native = myelin.trains(times, ids, size)
    recorded = pynn["populations"][label]["spikes"]
    assert recorded, label
    for index, train in recorded.items():
        np.testing.assert_array_equal(train, native[index], err_msg=f"{label}[{index}]")
    return sum(len(t) for t in recorded.values()), len(recorded)


def assert_same_signal(pynn, net, label, name, recorder, factor=1.0):
    """A recorded signal (PyNN's units) equals the native trace (Myelin's units / factor) at the
    same times, to rounding."""
    times, channels, values = pynn["populations"][label]["signals"][name]
    trace = net.trace(recorder)
    variable = next(k for k in trace if k not in ("times", "neurons", "population", "units"))
    steps = np.rint(trace["times"] / net.config["simulation"]["resolution"]).astype(int)
    index = {s: k for k, s in enumerate(steps)}
    dt = net.config["simulation"]["resolution"]
    rows = [index[s] for s in np.rint(times / dt).astype(int)]
    columns = [list(trace["neurons"]).index(c) for c in channels]
    np.testing.assert_allclose(values, trace[variable][np.ix_(rows, columns)] / factor, rtol=1e-12, atol=1e-12,
                               err_msg=f"{label} {name}")


# The examples ---------------------------------------------------------------------------

def va_benchmark(benchmark):
    g, pynn = run_example("VAbenchmarks.py", benchmark)
    cell = g["cell_params"]
    params = {"C_m": 1000.0 * cell["cm"], "E_L": cell["v_rest"], "V_reset": cell["v_reset"],
              "V_th": cell["v_thresh"], "t_ref": cell["tau_refrac"], "tau_syn_ex": cell["tau_syn_E"],
              "tau_syn_in": cell["tau_syn_I"], "I_e": 0.0}
    if benchmark == "COBA":
        params.update(g_L=params["C_m"] / cell["tau_m"], E_ex=cell["e_rev_E"], E_in=cell["e_rev_I"])
        model, w_exc, w_inh = "iaf_cond_exp", 1000.0 * g["w_exc"], -1000.0 * g["w_inh"]  # nS; inhibition < 0
    else:
        params.update(tau_m=cell["tau_m"])
        model, w_exc, w_inh = "iaf_psc_exp", 1000.0 * g["w_exc"], 1000.0 * g["w_inh"]  # pA
    pops = pynn["populations"]
    exc, inh = "Excitatory_Cells", "Inhibitory_Cells"
    net = myelin.Network().simulation(resolution=g["dt"])
    net.population(exc, model, g["n_exc"], params, initial={"V_m": pops[exc]["v0"].tolist()})
    net.population(inh, model, g["n_inh"], params, initial={"V_m": pops[inh]["v0"].tolist()})
    if benchmark == "COBA":
        net.population("expoisson", "spike_source_poisson", 20, {"rate": g["rate"], "stop": g["stim_dur"]})
    weights = {exc: w_exc, inh: w_inh, "expoisson": 1000.0 * 0.1}  # ext_syn: 0.1 uS
    for prj in pynn["projections"]:
        # every delay is 0.2 ms: ext_syn's is PyNN's default, the min_delay given to setup()
        connect(net, prj, weight=weights[prj["pre"]], delay=g["delay"])
    net.record(exc)
    net.record(inh)
    v = net.record(exc, "V_m", neurons=[0, 1])
    net.run(g["tstop"])
    rows = [(f"VAbenchmarks {benchmark}", label, *assert_same_spikes(pynn, net, label, size), g["tstop"])
            for label, size in ((exc, g["n_exc"]), (inh, g["n_inh"]))]
    assert_same_signal(pynn, net, exc, "v", v)
    return rows


def brunel():
    g, pynn = run_example("brunel.py")
    cell = g["cell_params"]
    params = {"C_m": 1000.0 * cell["cm"], "tau_m": cell["tau_m"], "tau_syn_ex": cell["tau_syn_E"],
              "tau_syn_in": cell["tau_syn_I"], "t_ref": cell["tau_refrac"], "E_L": cell["v_rest"],
              "V_reset": cell["v_reset"], "V_th": cell["v_thresh"], "I_e": 0.0}
    pops = pynn["populations"]
    net = myelin.Network().simulation(resolution=g["dt"])
    for label, n in (("E_net", g["NE"]), ("I_net", g["NI"])):
        net.population(label, "iaf_psc_alpha", n, params, initial={"V_m": pops[label]["v0"].tolist()})
    net.population("expoisson", "spike_source_poisson", g["NE"], {"rate": g["p_rate"]})
    net.population("inpoisson", "spike_source_poisson", g["NI"], {"rate": g["p_rate"]})
    je, ji = 1000.0 * g["JE"], 1000.0 * g["JI"]  # pA
    for prj in pynn["projections"]:  # E->E, I->E, input->E, E->I, I->I, input->I
        external = prj["pre"].endswith("poisson")
        connect(net, prj, weight=je if prj["pre"] != "I_net" else ji, delay=g["dt"] if external else g["delay"])
    net.record("E_net")
    net.record("I_net")
    v = net.record("E_net", "V_m", neurons=[0, 1])
    net.run(g["simtime"])
    rows = [("brunel", label, *assert_same_spikes(pynn, net, label, n), g["simtime"])
            for label, n in (("E_net", g["NE"]), ("I_net", g["NI"]))]
    assert_same_signal(pynn, net, "E_net", "v", v)
    return rows


def small_network():
    g, pynn = run_example("small_network.py")
    cell = g["cell_params"]
    params = {"C_m": 1000.0 * cell["cm"], "g_L": 1000.0 * cell["cm"] / cell["tau_m"], "tau_syn_ex": cell["tau_syn_E"],
              "tau_syn_in": cell["tau_syn_I"], "E_ex": cell["e_rev_E"], "E_in": cell["e_rev_I"],
              "t_ref": cell["tau_refrac"], "E_L": cell["v_rest"], "V_reset": cell["v_reset"],
              "V_th": cell["v_thresh"], "I_e": 0.0}
    pops = pynn["populations"]
    source = next(label for label in pops if label != "cells")
    net = myelin.Network().simulation(resolution=g["dt"])
    net.population("cells", "iaf_cond_alpha", g["n"], params, initial={"V_m": pops["cells"]["v0"].tolist()})
    net.population(source, "spike_source_array", g["n"], {"spike_times": pops[source]["spike_times"]})
    connect(net, pynn["projections"][0], weight=1000.0 * g["w"], delay=g["syn_delay"])
    net.record("cells")
    net.record(source)
    v = net.record("cells", "V_m", neurons=[0, 1])
    gsyn = net.record("cells", "g_ex", neurons=[0, 1])
    net.run(g["simtime"])
    rows = [("small_network", "cells", *assert_same_spikes(pynn, net, "cells", g["n"]), g["simtime"])]
    assert_same_spikes(pynn, net, source, g["n"])
    assert_same_signal(pynn, net, "cells", "v", v)
    assert_same_signal(pynn, net, "cells", "gsyn_exc", gsyn, factor=1000.0)
    return rows


def simple_stdp():
    g, pynn = run_example("simple_STDP.py")
    cell = dict(sim.IF_cond_exp.default_parameters, **g["cell_parameters"])
    params = {"C_m": 1000.0 * cell["cm"], "g_L": 1000.0 * cell["cm"] / cell["tau_m"], "tau_syn_ex": cell["tau_syn_E"],
              "tau_syn_in": cell["tau_syn_I"], "E_ex": cell["e_rev_E"], "E_in": cell["e_rev_I"],
              "t_ref": cell["tau_refrac"], "E_L": cell["v_rest"], "V_reset": cell["v_reset"],
              "V_th": cell["v_thresh"], "I_e": 1000.0 * cell["i_offset"]}
    pops = pynn["populations"]
    net = myelin.Network().simulation(resolution=0.01)
    net.population("presynaptic", "spike_source_array", g["n"], {"spike_times": pops["presynaptic"]["spike_times"]})
    net.population("postsynaptic", "iaf_cond_exp", 1, params, initial={"V_m": cell["v_reset"]})
    net.population("driver", "spike_source_array", 1, {"spike_times": pops["driver"]["spike_times"]})
    # STDP: NEST's stdp_synapse; lambda = A_plus, alpha = A_minus / A_plus, weights in nS
    stdp = {"model": "stdp_synapse", "params": {"tau_plus": 20.0, "tau_minus": 20.0, "lambda": 0.01,
                                                "alpha": 0.012 / 0.01, "mu_plus": 0.0, "mu_minus": 0.0,
                                                "Wmax": 1000.0 * 0.0000001}}
    plastic = connect(net, pynn["projections"][0], weight=1000.0 * 0.00000005, delay=g["delay"], synapse=stdp)
    connect(net, pynn["projections"][1], weight=1000.0 * 10.0, delay=g["delay"])
    net.record("postsynaptic")
    net.run(g["t_stop"])
    rows = [("simple_STDP", "postsynaptic", *assert_same_spikes(pynn, net, "postsynaptic", 1), g["t_stop"])]
    synapses = net.synapses(plastic)
    order = np.lexsort((synapses["target"], synapses["source"]))
    learnt = pynn["projections"][0]
    np.testing.assert_allclose(learnt["weight"][np.lexsort((learnt["targets"], learnt["sources"]))],
                               np.asarray(synapses["weight"])[order] / 1000.0, rtol=1e-12)
    w0 = 0.00000005
    assert learnt["weight"].max() > 1.1 * w0 and learnt["weight"].min() < 0.9 * w0  # potentiated and depressed
    return rows


def current_injection():
    g, pynn = run_example("current_injection.py")
    cell = dict(sim.IF_curr_exp.default_parameters, v_thresh=-55.0, tau_refrac=5.0, tau_m=10.0)
    params = {"C_m": 1000.0 * cell["cm"], "tau_m": cell["tau_m"], "tau_syn_ex": cell["tau_syn_E"],
              "tau_syn_in": cell["tau_syn_I"], "t_ref": cell["tau_refrac"], "E_L": cell["v_rest"],
              "V_reset": cell["v_reset"], "V_th": cell["v_thresh"], "I_e": 0.0}
    label = next(iter(pynn["populations"]))
    net = myelin.Network().simulation(resolution=0.1)
    net.population(label, "iaf_psc_exp", 4, params, initial={"V_m": -65.0})

    def cell_k(k):
        return {"population": label, "neurons": [k]}

    net.stimulus("dc_generator", cell_k(0), {"amplitude": 500.0, "start": 50.0, "stop": 400.0})
    net.stimulus("step_current_generator", cell_k(1), {"amplitude_times": [50.0, 210.0, 250.0, 410.0],
                                                       "amplitude_values": [400.0, 600.0, -200.0, 200.0]})
    # PyNN's phase holds at start (50 ms = half a period of 10 Hz), NEST's at t = 0: 180 - 180 degrees
    net.stimulus("ac_generator", cell_k(2), {"amplitude": 200.0, "offset": 100.0, "frequency": 10.0, "phase": 0.0,
                                             "start": 50.0, "stop": 450.0})
    net.stimulus("noise_generator", cell_k(3), {"mean": 500.0, "std": 200.0, "dt": 1.0, "start": 50.0,
                                                "stop": 450.0})
    v = net.record(label, "V_m")
    net.run(500.0)
    assert_same_signal(pynn, net, label, "v", v)
    times, channels, values = pynn["populations"][label]["signals"]["v"]
    assert np.all(values.max(axis=0) > -63.0)  # every source moved its cell (rest: -65 mV)
    return []


CASES = {"VAbenchmarks_CUBA": lambda: va_benchmark("CUBA"), "VAbenchmarks_COBA": lambda: va_benchmark("COBA"),
         "brunel": brunel, "small_network": small_network, "simple_STDP": simple_stdp,
         "current_injection": current_injection}


@pytest.mark.parametrize("case", list(CASES))
def test_example_equals_native_network(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write under ./Results
    rows = CASES[case]()
    assert all(spikes > 0 for _, _, spikes, _, _ in rows)


if __name__ == "__main__":
    import tempfile
    os.chdir(tempfile.mkdtemp())
    print("| example | population | neurons recorded | rate (Hz), PyNN = native |")
    print("|---|---|---|---|")
    for case in CASES.values():
        for example, label, spikes, neurons, t in case():
            print(f"| {example} | {label} | {neurons} | {spikes / neurons / t * 1000.0:.2f} |")
