"""pyNN.myelin against Myelin's own module on the same network (issue 26's targets):

  - build: the PyNN script's network creation (connectors in PyNN's Python, NumpyRNG) plus
    Myelin's build at the first run, against myelin.Network built from the same synapses
    as arrays (explicit) and from Myelin's own rule (pairwise_bernoulli, other synapses);
  - run: 1 s of simulation, PyNN against the native network of the same synapses (the
    spikes must be identical);
  - get_data() of ~400k spikes (10,000 Poisson sources at 40 Hz for 1 s);
  - resident memory over 20 setup / run / end cycles.

A COBA network after Vogels & Abbott (2005): 3,200 + 800 IF_cond_exp, p = 0.02, driven by
1,000 Poisson sources at 20 Hz (p = 0.02). Medians of interleaved repetitions.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/pynn/bench.py [--runs 5] [--threads 2]
"""
import argparse
import os
import site
import statistics
import time

import numpy as np

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--cycles", type=int, default=20)
args = parser.parse_args()

for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
    if entry and os.path.exists(os.path.join(entry, "myelin-pynn.pth")):
        site.addsitedir(entry)
import myelin  # noqa: E402
import pyNN.myelin as sim  # noqa: E402

N_E, N_I, N_EXT, P, T = 3200, 800, 1000, 0.02, 1000.0
CELL = dict(tau_m=20.0, cm=0.2, v_rest=-60.0, v_thresh=-50.0, v_reset=-60.0, tau_refrac=5.0, tau_syn_E=5.0,
            tau_syn_I=10.0, e_rev_E=0.0, e_rev_I=-80.0)
W_E, W_I, W_EXT, DELAY = 0.004, 0.051, 0.006, 0.2
NATIVE_CELL = {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0, "V_reset": -60.0, "t_ref": 5.0,
               "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "E_ex": 0.0, "E_in": -80.0, "I_e": 0.0}


def pynn_network(seed=1):
    sim.setup(timestep=0.1, threads=args.threads, rng_seed=seed)
    rng = sim.NumpyRNG(seed=seed)
    ext = sim.Population(N_EXT, sim.SpikeSourcePoisson(rate=20.0), label="ext")
    cells = sim.Population(N_E + N_I, sim.IF_cond_exp(**CELL), label="cells")
    cells.initialize(v=sim.RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng))
    e, i = cells[:N_E], cells[N_E:]
    prjs = [sim.Projection(ext, cells, sim.FixedProbabilityConnector(P, rng=rng),
                           sim.StaticSynapse(weight=W_EXT, delay=DELAY), receptor_type="excitatory"),
            sim.Projection(e, cells, sim.FixedProbabilityConnector(P, rng=rng),
                           sim.StaticSynapse(weight=W_E, delay=DELAY), receptor_type="excitatory"),
            sim.Projection(i, cells, sim.FixedProbabilityConnector(P, rng=rng),
                           sim.StaticSynapse(weight=W_I, delay=DELAY), receptor_type="inhibitory")]
    cells.record("spikes")
    return cells, prjs


def native_config(prjs, v0, explicit=True, seed=1):
    def projection(source, offset, prj, weight):
        if not explicit:
            return {"source": source, "target": "cells", "connection": {"rule": "pairwise_bernoulli", "p": P},
                    "weight": weight, "delay": DELAY}
        pre = prj._pre + offset
        return {"source": source, "target": "cells",
                "connection": {"rule": "explicit", "sources": pre, "targets": prj._post.copy()},
                "weight": weight, "delay": DELAY}
    # e and i are views of one population: Myelin's sources are "cells" from 0 and N_E
    return {
        "simulation": {"resolution": 0.1, "seed": seed, "threads": args.threads},
        "populations": [{"name": "ext", "model": "spike_source_poisson", "n": N_EXT, "params": {"rate": 20.0}},
                        {"name": "cells", "model": "iaf_cond_exp", "n": N_E + N_I, "params": NATIVE_CELL,
                         "initial": {"V_m": v0.tolist()}}],
        "projections": [projection("ext", 0, prjs[0], 1000 * W_EXT), projection("cells", 0, prjs[1], 1000 * W_E),
                        projection("cells", N_E, prjs[2], -1000 * W_I)],
        "recorders": {"spikes": {"populations": ["cells"]}},
    }


def median(values):
    return statistics.median(values)


times = {k: [] for k in ("pynn_build", "native_build_explicit", "native_build_rule", "pynn_run", "native_run")}
for _ in range(args.runs):
    start = time.perf_counter()
    cells, prjs = pynn_network()
    sim.run(0.0)  # Myelin's build happens at the first run
    times["pynn_build"].append(time.perf_counter() - start)
    start = time.perf_counter()
    sim.run(T)
    times["pynn_run"].append(time.perf_counter() - start)
    pynn_spikes = sum(cells.get_spike_counts().values())
    v0 = np.asarray(cells.initial_values["v"].evaluate(simplify=False), dtype=float)
    config = native_config(prjs, v0)
    sim.end()

    start = time.perf_counter()
    net = myelin.Network._adopt(config).build()
    times["native_build_explicit"].append(time.perf_counter() - start)
    start = time.perf_counter()
    net.run(T)
    times["native_run"].append(time.perf_counter() - start)
    native_spikes = len(net.spikes("cells")[0])
    assert native_spikes == pynn_spikes, (native_spikes, pynn_spikes)
    del net

    start = time.perf_counter()
    myelin.Network._adopt(native_config(prjs, v0, explicit=False)).build()
    times["native_build_rule"].append(time.perf_counter() - start)

synapses = sum(len(p) for p in prjs)
print(f"COBA, {N_E + N_I} neurons, {synapses} synapses, {args.threads} threads, {pynn_spikes} spikes in {T:g} ms; "
      f"medians of {args.runs}")
for key, values in times.items():
    print(f"  {key:24s} {median(values):7.3f} s   ({', '.join(f'{v:.3f}' for v in values)})")
print(f"  build: PyNN / native explicit {median(times['pynn_build']) / median(times['native_build_explicit']):.2f}, "
      f"PyNN / native rule {median(times['pynn_build']) / median(times['native_build_rule']):.2f}; "
      f"run: PyNN / native {median(times['pynn_run']) / median(times['native_run']):.3f}")

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
    cells, prjs = pynn_network()
    sim.run(100.0)
    cells.get_data()
    sim.end()
    rss.append(rss_mb())
print(f"RSS after each of {args.cycles} setup/run/end cycles (MB): {', '.join(f'{r:.0f}' for r in rss)}")
first = min(4, len(rss) - 1)
print(f"  growth from cycle {first + 1} to {args.cycles}: {rss[-1] - rss[first]:+.1f} MB")
