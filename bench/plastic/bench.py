#!/usr/bin/env python3
"""Benchmark: the Brunel network with static synapses (examples/brunel/brunel.json) against
the same network with stdp_synapse on E->E (examples/plasticity/brunel_stdp.json), 2
threads, 1 s. Medians of simulation time, the slowdown, memory per synapse, and the cost
per plastic synaptic event.

Usage (after a release build):  /usr/bin/python3 bench/plastic/bench.py [--runs 5]
"""
import argparse
import json
import pathlib
import statistics
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from common import mean_outdegree, run_myelin  # noqa: E402

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--myelin", default=str(root / "build/release/apps/myelin"))
args = parser.parse_args()
static_path = root / "examples/brunel/brunel.json"
plastic_path = root / "examples/plasticity/brunel_stdp.json"
plastic = json.loads(plastic_path.read_text())
outdegree = mean_outdegree(plastic)
sizes = {p["name"]: p["n"] for p in plastic["populations"]}
ee = plastic["projections"][0]
n_plastic = sizes["E"] * ee["connection"]["indegree"]

with tempfile.TemporaryDirectory() as tmp:
    runs = {"static": [], "stdp on E->E": []}
    for _ in range(args.runs):  # interleaved, so that machine noise hits both alike
        runs["static"].append(run_myelin(args.myelin, static_path, outdegree, 2, f"{tmp}/s"))
        runs["stdp on E->E"].append(run_myelin(args.myelin, plastic_path, outdegree, 2, f"{tmp}/p"))


def med(name, key):
    return statistics.median(r[key] for r in runs[name])


s, p = med("static", "sim_s"), med("stdp on E->E", "sim_s")
n = runs["static"][0]["synapses"]
extra_bytes = (med("stdp on E->E", "bytes_per_synapse") - med("static", "bytes_per_synapse")) * n / n_plastic
# Plastic events: E spikes x E->E outdegree (1000); the rest of the work is as in the static run.
e_spikes = statistics.median(r["spikes_by_population"]["E"] for r in runs["stdp on E->E"])
ns_per_event = p * 2 / (e_spikes * n_plastic / sizes["E"]) * 1e9
print(f"Brunel, 1 s, 2 threads; medians of {args.runs} interleaved runs\n")
print("| run | simulation (s) | spikes | bytes/synapse | peak MB |")
print("|---|---|---|---|---|")
for name in runs:
    print(f"| {name} | {med(name, 'sim_s'):.2f} | {med(name, 'spikes'):.0f} | {med(name, 'bytes_per_synapse'):.2f} | "
          f"{med(name, 'peak_MB'):.0f} |")
print(f"\nslowdown plastic / static: {p / s:.2f}x")
print(f"a plastic E->E synapse: {2 + extra_bytes:.2f} bytes (2-byte target + {extra_bytes:.2f} for its float weight, "
      f"the presynaptic traces per row and the postsynaptic histories)")
print(f"thread time per plastic synaptic event (all of the plastic run's time): {ns_per_event:.0f} ns")
print("\nall runs (simulation s): " + "; ".join(f"{k}: " + ", ".join(f"{r['sim_s']:.2f}" for r in v)
                                             for k, v in runs.items()))
