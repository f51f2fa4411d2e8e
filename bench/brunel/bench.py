#!/usr/bin/env python3
"""Benchmark: the Brunel network of examples/brunel/brunel.json in Myelin (1 thread,
2 threads, 2 MPI ranks x 1 thread with either spike exchange) and, side by side in the same run, in Brian2 C++
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
import pathlib
import platform
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from common import mean_outdegree, print_medians, run_myelin  # noqa: E402

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--peer-runs", type=int, default=3)
parser.add_argument("--no-peer", action="store_true")
parser.add_argument("--myelin", default=str(root / "build/release/apps/myelin"))
parser.add_argument("--config", default=str(root / "examples/brunel/brunel.json"))
args = parser.parse_args()

config = json.loads(pathlib.Path(args.config).read_text())
outdegree = mean_outdegree(config)


def run(threads, out, ranks=1, exchange=""):
    return run_myelin(args.myelin, args.config, outdegree, threads, out, ranks,
                      ["--exchange", exchange] if exchange else [])


results = {}
with tempfile.TemporaryDirectory() as tmp:
    for ranks, threads, exchange in ((1, 1, ""), (1, 2, ""), (2, 1, "allgather"), (2, 1, "targeted")):
        rows = [run(threads, f"{tmp}/out", ranks, exchange) for _ in range(args.runs)]
        name = f"{ranks} ranks x {threads} thread, {exchange}" if ranks > 1 else f"{threads} thread{'s' if threads > 1 else ''}"
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
print_medians(results, [("build (s)", "build_s", ".2f"), ("simulation (s)", "sim_s", ".2f"),
                        ("real-time factor", "rtf", ".2f"), ("spike exchange (s)", "exchange_s", ".2f"),
                        ("spikes", "spikes", ".0f"), ("synaptic events/s", "events_per_s", ".3g"),
                        ("peak RSS (MB, per rank)", "peak_MB", ".0f"), ("bytes/synapse", "bytes_per_synapse", ".2f")])
print("\nall runs (simulation seconds):")
for name, rows in results.items():
    print(f"  {name}: " + ", ".join(f"{r['sim_s']:.2f}" for r in rows))
