"""pyNN.myelin against Myelin's own module on the same network (issue 26's targets):

  - build: the PyNN script's network creation plus Myelin's build at the first run, with
    PyNN's connectors (NumpyRNG: drawn in PyNN's Python) against myelin.Network built from
    the same synapses as arrays, and with NativeRNG (Myelin's rules) against myelin.Network
    with the same rules;
  - run: 1 s of simulation, PyNN against the native network (the spikes must be identical);
  - get_data() of ~400k spikes (10,000 Poisson sources at 40 Hz for 1 s);
  - resident memory over 20 setup / run / end cycles.

A COBA network after Vogels & Abbott (2005): 3,200 + 800 IF_cond_exp, p = 0.02, driven by
1,000 Poisson sources at 20 Hz (p = 0.02), six projections. Medians of interleaved repetitions.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/pynn/bench.py [--runs 5] [--threads 2]
"""
import argparse
import os
import statistics
import time

import numpy as np

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--cycles", type=int, default=20)
args = parser.parse_args()

import myelin_pynn_hook  # noqa: F401,E402 (.pth files are read in site folders only)
import myelin  # noqa: E402
import pyNN.myelin as sim  # noqa: E402

N_E, N_I, N_EXT, P, T = 3200, 800, 1000, 0.02, 1000.0
CELL = dict(tau_m=20.0, cm=0.2, v_rest=-60.0, v_thresh=-50.0, v_reset=-60.0, tau_refrac=5.0, tau_syn_E=5.0,
            tau_syn_I=10.0, e_rev_E=0.0, e_rev_I=-80.0)
W_E, W_I, W_EXT, DELAY = 0.004, 0.051, 0.006, 0.2
NATIVE_CELL = {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0, "V_reset": -60.0, "t_ref": 5.0,
               "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "E_ex": 0.0, "E_in": -80.0, "I_e": 0.0}
# (source, target, weight in PyNN's units, receptor), in the order both sides create them
PROJECTIONS = [("ext", "E", W_EXT, "excitatory"), ("ext", "I", W_EXT, "excitatory"),
               ("E", "E", W_E, "excitatory"), ("E", "I", W_E, "excitatory"),
               ("I", "E", W_I, "inhibitory"), ("I", "I", W_I, "inhibitory")]


def pynn_network(native, seed=1):
    """The network in PyNN: connectors drawn by PyNN (NumpyRNG) or by Myelin (NativeRNG)."""
    sim.setup(timestep=0.1, threads=args.threads, rng_seed=seed)
    rng = sim.NativeRNG() if native else sim.NumpyRNG(seed=seed)
    pops = {"ext": sim.Population(N_EXT, sim.SpikeSourcePoisson(rate=20.0), label="ext"),
            "E": sim.Population(N_E, sim.IF_cond_exp(**CELL), label="E"),
            "I": sim.Population(N_I, sim.IF_cond_exp(**CELL), label="I")}
    v0 = np.random.default_rng(seed).uniform(-60.0, -50.0, N_E + N_I)
    pops["E"].initialize(v=v0[:N_E])
    pops["I"].initialize(v=v0[N_E:])
    prjs = [sim.Projection(pops[a], pops[b], sim.FixedProbabilityConnector(P, rng=rng),
                           sim.StaticSynapse(weight=w, delay=DELAY), receptor_type=r) for a, b, w, r in PROJECTIONS]
    pops["E"].record("spikes")
    pops["I"].record("spikes")
    return pops, prjs, v0


def native_config(prjs, v0, seed=1):
    """The same network in Myelin's config: the synapses PyNN drew (explicit, from arrays), or
    Myelin's rule (prjs None: the synapses pyNN.myelin with NativeRNG gets)."""
    projections = []
    for k, (a, b, w, r) in enumerate(PROJECTIONS):
        weight = 1000.0 * w * (-1 if r == "inhibitory" else 1)
        if prjs is None:
            connection = {"rule": "pairwise_bernoulli", "p": P}
        else:
            connection = {"rule": "explicit", "sources": prjs[k]._pre.copy(), "targets": prjs[k]._post.copy()}
        projections.append({"source": a, "target": b, "connection": connection, "weight": weight, "delay": DELAY})
    return {
        "simulation": {"resolution": 0.1, "seed": seed, "threads": args.threads},
        "populations": [{"name": "ext", "model": "spike_source_poisson", "n": N_EXT, "params": {"rate": 20.0}},
                        {"name": "E", "model": "iaf_cond_exp", "n": N_E, "params": NATIVE_CELL,
                         "initial": {"V_m": v0[:N_E].tolist()}},
                        {"name": "I", "model": "iaf_cond_exp", "n": N_I, "params": NATIVE_CELL,
                         "initial": {"V_m": v0[N_E:].tolist()}}],
        "projections": projections,
        "recorders": {"spikes": {"populations": ["E", "I"]}},
    }


def median(values):
    return statistics.median(values)


def timed(f):
    start = time.perf_counter()
    out = f()
    return time.perf_counter() - start, out


times = {}
for _ in range(args.runs):
    for mode in ("numpy", "native"):
        build, (pops, prjs, v0) = timed(lambda: pynn_network(native=mode == "native"))
        build += timed(lambda: sim.run(0.0))[0]  # Myelin's build happens at the first run
        run = timed(lambda: sim.run(T))[0]
        pynn_spikes = sum(sum(p.get_spike_counts().values()) for p in (pops["E"], pops["I"]))
        synapses = sum(len(p) for p in prjs)
        config = native_config(prjs if mode == "numpy" else None, v0)
        sim.end()
        native_build, built = timed(lambda: myelin.Network._adopt(config).build())
        native_run = timed(lambda: built.run(T))[0]
        native_spikes = len(built.spikes("E")[0]) + len(built.spikes("I")[0])
        assert native_spikes == pynn_spikes, (mode, native_spikes, pynn_spikes)  # the same network
        for key, value in ((f"{mode}: PyNN build", build), (f"{mode}: native build", native_build),
                           (f"{mode}: PyNN run", run), (f"{mode}: native run", native_run)):
            times.setdefault(key, []).append(value)
        print(f"{mode}: {synapses} synapses, {pynn_spikes} spikes in {T:g} ms (identical)", flush=True)

print(f"COBA, {N_E + N_I} neurons, {args.threads} threads; medians of {args.runs}, interleaved")
for key, values in times.items():
    print(f"  {key:22s} {median(values):7.3f} s   ({', '.join(f'{v:.3f}' for v in values)})")
for mode in ("numpy", "native"):
    print(f"  {mode}: build PyNN / native {median(times[f'{mode}: PyNN build']) / median(times[f'{mode}: native build']):.2f}"
          f", run PyNN / native {median(times[f'{mode}: PyNN run']) / median(times[f'{mode}: native run']):.3f}")

# get_data of ~400k spikes
reads = []
for _ in range(args.runs):
    sim.setup(timestep=0.1, threads=args.threads)
    src = sim.Population(10000, sim.SpikeSourcePoisson(rate=40.0))
    src.record("spikes")
    sim.run(T)
    start = time.perf_counter()
    block = src.get_data("spikes")
    reads.append(time.perf_counter() - start)
    n = sum(len(t) for t in block.segments[0].spiketrains)
    sim.end()
print(f"get_data of {n} spikes: {median(reads):.3f} s ({', '.join(f'{v:.3f}' for v in reads)})")


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


rss = []
for _ in range(args.cycles):
    pops, prjs, _ = pynn_network(native=False)
    sim.run(100.0)
    pops["E"].get_data()
    sim.end()
    rss.append(rss_mb())
print(f"RSS after each of {args.cycles} setup/run/end cycles (MB): {', '.join(f'{r:.0f}' for r in rss)}")
first = min(4, len(rss) - 1)
print(f"  growth from cycle {first + 1} to {args.cycles}: {rss[-1] - rss[first]:+.1f} MB")
