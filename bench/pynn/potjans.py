"""PyNN's Potjans-Diesmann microcircuit (PyNN 0.10.1, examples/Potjans2014, unchanged in
Potjans2014/ but for the unused validation_microcircuit.py) on pyNN.myelin against the same network built natively with myelin.Network.

The example runs as its README says (`python microcircuit.py` with its parameter files),
with two overrides made here, not in its files:
  - the backend's name: `simulator = 'myelin'` (its parameter dictionaries are keyed by
    'nest'; Myelin gets the same entries) and N_scaling = K_scaling = --scaling (the
    example's default, the full 77,000 neurons at half the in-degree, draws ~150 M synapses
    one at a time in PyNN's Python: hours);
  - neo 0.11 (Debian 12) has no PyNNTextIO, which the example writes its output with (it
    fails on every backend there): a stand-in writes the spikes as text.
The native network is the example's network written with Myelin's rules and distributions
(fixed_total_number with autapses and multapses, clipped normal weights and delays, one
Poisson source per neuron, the example's scaled weights and DC compensation from its own
scaling.py), drawn by the engine with --seeds seeds; PyNN's connections come from NumPy's
generator, so the two are different draws of one network and agree in rate, not spike by
spike. Prints per population the PyNN rate, the native mean and standard deviation over
seeds, and their difference in standard deviations.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/pynn/potjans.py [--scaling 0.1] [--seeds 5] [--threads 2]
"""
import argparse
import os
import runpy
import statistics
import sys
import tempfile
import time

import numpy as np

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--scaling", type=float, default=0.1, help="N_scaling = K_scaling")
parser.add_argument("--seeds", type=int, default=5)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--independent-connectors", action="store_true",
                    help="give each of the example's connectors a seed of its own (it gives none: every one takes "
                         "PyNN's default NumpyRNG(seed=151985012), so all draw the same sequence of indices)")
args = parser.parse_args()

import myelin_pynn_hook  # noqa: F401,E402 (.pth files are read in site folders only)
import myelin  # noqa: E402
import neo.io  # noqa: E402

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Potjans2014")
sys.path.insert(0, EXAMPLE)
import network_params  # noqa: E402
import sim_params  # noqa: E402


class TextIO:
    """Stands in for neo.io.PyNNTextIO (gone from neo 0.11): spike times and ids as text."""

    def __init__(self, filename):
        self.filename = filename

    def write_segment(self, segment):
        with open(self.filename, "w") as f:
            for train in segment.spiketrains:
                for t in train.magnitude:
                    f.write(f"{t:g}\t{train.annotations.get('channel_id', '')}\n")


if not hasattr(neo.io, "PyNNTextIO"):
    neo.io.PyNNTextIO = TextIO

if args.independent_connectors:
    import itertools
    import pyNN.myelin  # noqa: F401 (pyNN.connectors imports from pyNN's other modules, in this order)
    from pyNN import connectors
    from pyNN.random import NumpyRNG
    seeds = itertools.count(151985012)
    default_rng = connectors._get_rng
    connectors._get_rng = lambda rng: default_rng(rng) if rng is not None else NumpyRNG(seed=next(seeds))

# The backend's name, the scale, threads; no raster plot (it needs the text files PyNN 0.9 wrote)
sim_params.simulator_params["myelin"] = dict(sim_params.simulator_params["nest"], threads=args.threads)
network_params.params_dict["myelin"] = dict(network_params.params_dict["nest"], N_scaling=args.scaling,
                                            K_scaling=args.scaling)
network_params.simulator = "myelin"
vars(network_params).update(network_params.params_dict["myelin"], create_raster_plot=False)
import network  # noqa: E402 (after the overrides: it star-imports network_params)
import scaling  # noqa: E402

P = network_params
T = sim_params.simulator_params["myelin"]["sim_duration"]
NAMES = [(layer, pop) for layer in sorted(P.layers, key=P.layers.get) for pop in sorted(P.pops, key=P.pops.get)]


def pynn_rates():
    os.chdir(tempfile.mkdtemp())
    os.makedirs(sim_params.system_params["output_path"])
    start = time.perf_counter()
    namespace = runpy.run_path(os.path.join(EXAMPLE, "microcircuit.py"), run_name="__main__")
    seconds = time.perf_counter() - start
    pops = namespace["n"].pops
    return {f"{l}{p}": pops[l][p].mean_spike_count() * 1000.0 / T for l, p in NAMES}, seconds


def native_rates(seed):
    """The example's network, written as a Myelin user would from its parameter files."""
    s = args.scaling
    k_full = scaling.get_indegrees()
    w, w_ext, k_ext, dc = scaling.adjust_w_and_ext_to_K(k_full, s, network.create_weight_matrix(),
                                                         {l: {"E": 0.0, "I": 0.0} for l in P.layers})
    n = P.neuron_params
    net = myelin.Network().simulation(resolution=0.1, seed=seed, threads=args.threads)
    for layer, pop in NAMES:
        params = {"C_m": 1000.0 * n["cm"], "tau_m": n["tau_m"], "t_ref": n["tau_refrac"],
                  "tau_syn_ex": n["tau_syn_E"], "tau_syn_in": n["tau_syn_I"], "E_L": n["v_rest"],
                  "V_reset": n["v_reset"], "V_th": n["v_thresh"], "I_e": 1000.0 * dc[layer][pop]}
        net.population(layer + pop, "iaf_psc_exp", int(P.N_full[layer][pop] * s), params,
                       initial={"V_m": {"distribution": "normal", "mean": P.V0_mean, "std": P.V0_sd}})
    for layer, pop in NAMES:
        target = layer + pop
        size = int(P.N_full[layer][pop] * s)
        net.population(target + "_bg", "spike_source_poisson", size, {"rate": P.bg_rate * k_ext[layer][pop]})
        # PyNN's default delay: the minimum delay, here the resolution
        net.connect(target + "_bg", target, "one_to_one", weight=1000.0 * w_ext, delay=0.1)
        t = P.structure[layer][pop]
        for source_layer, source_pop in NAMES:
            source = P.structure[source_layer][source_pop]
            mean = 1000.0 * w[t][source]
            std = mean * P.w_rel_234 if (source_layer, source_pop, layer, pop) == ("L4", "E", "L23", "E") \
                else abs(mean * P.w_rel)
            weight = {"distribution": "normal", "mean": mean, "std": std}
            weight.update({"min": 0.0} if source_pop == "E" else {"max": 0.0})
            # PyNN's normal_clipped to [0.1, inf); Myelin's delays need an upper bound (the ring
            # buffers): 8 sd above the mean, which no draw reaches (p = 6e-16 per synapse)
            d, sd = P.d_mean[source_pop], P.d_sd[source_pop]
            delay = {"distribution": "normal", "mean": d, "std": sd, "min": 0.1, "max": d + 8.0 * sd}
            count = int(round(k_full[t][source] * s * size))
            if count:
                net.connect(source_layer + source_pop, target, "fixed_total_number", N=count, allow_autapses=True,
                            allow_multapses=True, weight=weight, delay=delay)
        net.record(target)
    net.run(T)
    return {f"{l}{p}": len(net.spikes(l + p)[0]) / int(P.N_full[l][p] * s) * 1000.0 / T for l, p in NAMES}


pynn, seconds = pynn_rates()
print(f"PyNN example on Myelin: {seconds:.0f} s (network creation and {T:g} ms)", flush=True)
native = [native_rates(seed) for seed in range(1, args.seeds + 1)]

print(f"\nPotjans-Diesmann, N_scaling = K_scaling = {args.scaling:g}, {T:g} ms, {args.threads} threads; "
      f"native: {args.seeds} seeds; PyNN's connectors: "
      f"{'a seed each' if args.independent_connectors else 'as the example (one seed for all)'}")
print("| population | PyNN example on Myelin (Hz) | native, mean +- sd over seeds (Hz) | difference / sd |")
print("|---|---|---|---|")
for name in pynn:
    values = [r[name] for r in native]
    mean, sd = statistics.mean(values), statistics.stdev(values)
    print(f"| {name} | {pynn[name]:.3f} | {mean:.3f} +- {sd:.3f} | {(pynn[name] - mean) / sd:+.1f} |")
