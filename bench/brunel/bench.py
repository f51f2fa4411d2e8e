#!/usr/bin/env python3
"""Benchmark: the Brunel network of examples/brunel/brunel.json in Myelin (1 thread,
2 threads, 2 MPI ranks x 1 thread) and, side by side in the same run, in Brian2 C++
standalone (bench/peers/).

Reports medians over the runs of: network build time, simulation time, real-time
factor, time in the spike exchange, spikes, synaptic events per second of simulation wall time, peak resident
memory and bytes per synapse.

Usage (from the repository root, after ./run.sh or a release build):
    scripts/install-deps.sh --bench      # Brian2 and SciPy from Debian
    /usr/bin/python3 bench/brunel/bench.py [--runs 5] [--peer-runs 3] [--no-peer]
"""
import argparse
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--peer-runs", type=int, default=3)
parser.add_argument("--no-peer", action="store_true")
parser.add_argument("--myelin", default=str(root / "build/release/apps/myelin"))
parser.add_argument("--config", default=str(root / "examples/brunel/brunel.json"))
args = parser.parse_args()

config = json.loads(pathlib.Path(args.config).read_text())
outdegree = {}  # mean number of targets of a neuron of each population
sizes = {p["name"]: p["n"] for p in config["populations"]}
for p in config["projections"]:
    outdegree[p["source"]] = outdegree.get(p["source"], 0) + sizes[p["target"]] * p["connection"]["indegree"] / sizes[p["source"]]


def run_myelin(threads, out, ranks=1):
    command = [args.myelin, "run", args.config, "--threads", str(threads), "--output", out, "--force", "--quiet"]
    env = dict(os.environ)
    if ranks > 1:
        command = ["mpirun", "--oversubscribe", "-n", str(ranks)] + command
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_btl_vader_single_copy_mechanism="none")
    text = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    net = re.search(r"(\d+) synapses \(([\d.]+) bytes per synapse\)", text)
    times = re.search(r"build ([\d.]+) s, simulation of ([\d.]+) ms ([\d.]+) s .*spike exchange ([\d.]+) s\), "
                      r"peak memory (\d+) MB", text)
    spikes = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s+\d+\s+(\d+)\s+[\d.]+", text, re.M)}
    sim_s = float(times.group(3))
    events = sum(n * outdegree.get(pop, 0) for pop, n in spikes.items())
    return {"build_s": float(times.group(1)), "sim_s": sim_s, "rtf": sim_s / (float(times.group(2)) * 1e-3),
            "spikes": sum(spikes.values()), "events_per_s": events / sim_s, "exchange_s": float(times.group(4)), "peak_MB": float(times.group(5)),
            "bytes_per_synapse": float(net.group(2)), "synapses": int(net.group(1))}


def median(rows, key):
    return statistics.median(r[key] for r in rows)


results = {}
with tempfile.TemporaryDirectory() as tmp:
    for ranks, threads in ((1, 1), (1, 2), (2, 1)):
        rows = [run_myelin(threads, f"{tmp}/out", ranks) for _ in range(args.runs)]
        name = f"{ranks} ranks x {threads} thread" if ranks > 1 else f"{threads} thread{'s' if threads > 1 else ''}"
        results[f"myelin {name}"] = rows
    if not args.no_peer:
        rows = []
        for _ in range(args.peer_runs):
            proc = subprocess.run(["/usr/bin/python3", str(root / "bench/peers/brunel_brian2.py"), "--threads", "2",
                                   "--build-dir", f"{tmp}/brian2"], check=True, capture_output=True, text=True)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            rss = re.search(r"peak_rss_kB (\d+)", proc.stdout + proc.stderr)
            events = r["spikes"] * 1250.0
            rows.append({"build_s": float("nan"), "sim_s": r["run_seconds"], "rtf": r["run_seconds"],
                         "exchange_s": float("nan"),
                         "spikes": r["spikes"], "events_per_s": events / r["run_seconds"],
                         "peak_MB": int(rss.group(1)) / 1024.0 if rss else float("nan"),
                         "bytes_per_synapse": float("nan"), "synapses": r["synapses"]})
        results["brian2 standalone 2 threads"] = rows

print(f"Brunel network ({args.config}), medians of {args.runs} runs (Brian2: {args.peer_runs}); "
      f"{platform.processor() or platform.machine()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores\n")
print("| run | build (s) | simulation (s) | real-time factor | spike exchange (s) | spikes | synaptic events/s | "
      "peak RSS (MB, per rank) | bytes/synapse |")
print("|---|---|---|---|---|---|---|---|---|")
for name, rows in results.items():
    print(f"| {name} | {median(rows, 'build_s'):.2f} | {median(rows, 'sim_s'):.2f} | {median(rows, 'rtf'):.2f} | "
          f"{median(rows, 'exchange_s'):.2f} | {median(rows, 'spikes'):.0f} | {median(rows, 'events_per_s'):.3g} | {median(rows, 'peak_MB'):.0f} | "
          f"{median(rows, 'bytes_per_synapse'):.2f} |")
print("\nall runs (simulation seconds):")
for name, rows in results.items():
    print(f"  {name}: " + ", ".join(f"{r['sim_s']:.2f}" for r in rows))
