#!/usr/bin/env python3
"""Benchmark: the COBA network of examples/coba/coba.json in Myelin (2 threads) and,
side by side, in Brian2 C++ standalone (bench/peers/coba_brian2.py, 2 OpenMP threads).
Medians of build, simulation time, real-time factor, rates.

Usage (after a release build):  /usr/bin/python3 bench/coba/bench.py [--runs 5] [--peer-runs 3]
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from common import run_myelin  # noqa: E402

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--peer-runs", type=int, default=3)
parser.add_argument("--myelin", default=str(root / "build/release/apps/myelin"))
args = parser.parse_args()
config_path = root / "examples/coba/coba.json"
config = json.loads(config_path.read_text())

with tempfile.TemporaryDirectory() as tmp:
    mine = [run_myelin(args.myelin, config_path, {}, 2, f"{tmp}/out") for _ in range(args.runs)]
    peer = []
    for _ in range(args.peer_runs):
        out = subprocess.run(["/usr/bin/python3", str(root / "bench/peers/coba_brian2.py"), "--threads", "2",
                              "--build-dir", f"{tmp}/brian2"], check=True, capture_output=True, text=True).stdout
        peer.append(json.loads(out.strip().splitlines()[-1]))

sim = statistics.median(r["sim_s"] for r in mine)
brian = statistics.median(r["run_seconds"] for r in peer)
print(f"COBA ({config_path}), 1 s biological time, 2 threads; medians of {args.runs} (Brian2: {args.peer_runs}) runs\n")
print("| run | build (s) | simulation (s) | spikes |")
print("|---|---|---|---|")
print(f"| myelin | {statistics.median(r['build_s'] for r in mine):.2f} | {sim:.2f} | "
      f"{statistics.median(r['spikes'] for r in mine):.0f} |")
print(f"| brian2 standalone (exponential Euler) | n/a | {brian:.2f} | {statistics.median(r['spikes'] for r in peer):.0f} |")
print("\nall runs (simulation s): myelin " + ", ".join(f"{r['sim_s']:.2f}" for r in mine) +
      "; brian2 " + ", ".join(f"{r['run_seconds']:.2f}" for r in peer))
