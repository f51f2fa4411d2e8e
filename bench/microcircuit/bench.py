#!/usr/bin/env python3
"""Benchmark: the full-scale Potjans & Diesmann (2014) microcircuit of
examples/microcircuit/ (77,169 neurons, 3.0e8 synapses, 1.5 s of biological time) with
2 threads in one process and with 2 MPI ranks x 1 thread (all-gather and targeted spike
exchange).

Reports medians over the runs of: build time, simulation time, real-time factor, time in
the spike exchange, synaptic events per second of wall time, peak resident memory (per
rank) and bytes per synapse, both of the synapse store alone and of the whole peak
memory of all ranks.

Usage (from the repository root, after ./run.sh or a release build; ~75 s a run):
    /usr/bin/python3 bench/microcircuit/bench.py [--runs 3] [--config ...]
"""
import argparse
import json
import pathlib
import platform
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from common import mean_outdegree, print_medians, run_myelin  # noqa: E402

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--myelin", default=str(root / "build/release/apps/myelin"))
parser.add_argument("--config", default=str(root / "examples/microcircuit/microcircuit.json"))
parser.add_argument("--partitions", default="1x2,2x1,2x1t",
                    help="ranks x threads, comma-separated; a trailing t: targeted spike exchange")
parser.add_argument("--extra", default="", help="further `myelin run` arguments")
args = parser.parse_args()

config = json.loads(pathlib.Path(args.config).read_text())
outdegree = mean_outdegree(config)

results = {}
with tempfile.TemporaryDirectory() as tmp:
    for partition in args.partitions.split(","):
        targeted = partition.endswith("t")
        ranks, threads = (int(x) for x in partition.rstrip("t").split("x"))
        extra = args.extra.split() + (["--exchange", "targeted"] if targeted else [])
        rows = [run_myelin(args.myelin, args.config, outdegree, threads, f"{tmp}/out", ranks, extra)
                for _ in range(args.runs)]
        name = f"{ranks} rank{'s' if ranks > 1 else ''} x {threads} thread{'s' if threads > 1 else ''}"
        if ranks > 1:
            name += ", targeted" if targeted else ", allgather"
        results[name] = rows


cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
print(f"{args.config}, medians of {args.runs} runs; {platform.processor() or platform.machine()}, {cores} cores\n")
print_medians(results, [("build (s)", "build_s", ".1f"), ("simulation (s)", "sim_s", ".1f"),
                        ("real-time factor", "rtf", ".1f"), ("spike exchange (s)", "exchange_s", ".2f"),
                        ("synaptic events/s", "events_per_s", ".3g"), ("peak RSS (MB, per rank)", "peak_MB", ".0f"),
                        ("peak bytes/synapse (all ranks)", "peak_bytes_per_synapse", ".1f"),
                        ("synapse store bytes/synapse", "bytes_per_synapse", ".2f")])
print("\nall runs (build s / simulation s):")
for name, rows in results.items():
    print(f"  {name}: " + ", ".join(f"{r['build_s']:.1f}/{r['sim_s']:.1f}" for r in rows))
