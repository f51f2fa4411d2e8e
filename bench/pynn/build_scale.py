"""pyNN.myelin's build with NativeRNG against the native build of the same rule, for a
network with many synapses per neuron (PyNN's fixed cost per neuron matters less):
10,000 IF_cond_exp, FixedProbabilityConnector(0.05) onto themselves (~5 M synapses),
medians of interleaved runs.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/pynn/build_scale.py [--runs 3] [--threads 2]
"""
import argparse
import statistics
import time

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("-n", type=int, default=10000)
parser.add_argument("-p", type=float, default=0.05)
args = parser.parse_args()
import myelin_pynn_hook  # noqa: F401,E402 (.pth files are read in site folders only)
import myelin  # noqa: E402
import pyNN.myelin as sim  # noqa: E402


def pynn():
    start = time.perf_counter()
    sim.setup(timestep=0.1, threads=args.threads, rng_seed=1)
    cells = sim.Population(args.n, sim.IF_cond_exp())
    sim.Projection(cells, cells, sim.FixedProbabilityConnector(args.p, rng=sim.NativeRNG()),
                   sim.StaticSynapse(weight=0.004, delay=0.5))
    sim.run(0.0)  # Myelin's build
    elapsed = time.perf_counter() - start
    synapses = sim.simulator.state.network.info["synapses"]
    sim.end()
    return elapsed, synapses


def native():
    start = time.perf_counter()
    net = myelin.Network({
        "simulation": {"resolution": 0.1, "seed": 1, "threads": args.threads},
        "populations": [{"name": "p0", "model": "iaf_cond_exp", "n": args.n}],
        "projections": [{"source": "p0", "target": "p0", "connection": {"rule": "pairwise_bernoulli", "p": args.p},
                         "weight": 4.0, "delay": 0.5}],
        "recorders": {"spikes": False}}).build()
    return time.perf_counter() - start, net.info["synapses"]


times = {"pynn": [], "native": []}
for _ in range(args.runs):
    for name, build in (("pynn", pynn), ("native", native)):
        elapsed, synapses = build()
        times[name].append(elapsed)
a, b = statistics.median(times["pynn"]), statistics.median(times["native"])
print(f"{args.n} neurons, {synapses} synapses, {args.threads} threads, medians of {args.runs}: "
      f"PyNN with NativeRNG {a:.3f} s, native {b:.3f} s, ratio {a / b:.2f}")
