#!/usr/bin/env python3
"""Benchmark: one training epoch of the digits spiking network (examples/learning/digits_snn.json:
64 -> 128 -> 10, T = 50, batch 64, Adam) in Myelin against the same model in PyTorch on
the CPU (bench/peers/torch_snn.py, float64 as Myelin, and float32), with 1 and 2
threads, interleaved. Epoch times exclude evaluation; medians over all epochs of all runs.

Usage (after a release build):  /usr/bin/python3 bench/learning/bench.py [--runs 3] [--epochs 5]
"""
import argparse
import csv
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--myelin", default=str(root / "build/release/apps/myelin"))
args = parser.parse_args()
config = root / "examples/learning/digits_snn.json"


def myelin_epochs(threads, out):
    subprocess.run([args.myelin, "train", str(config), "--threads", str(threads), "--epochs", str(args.epochs),
                    "--output", out, "--force", "--quiet"], check=True)
    with open(pathlib.Path(out) / "history.csv") as f:
        rows = list(csv.DictReader(f))
    return [float(r["seconds"]) for r in rows], float(rows[-1]["test_accuracy"])


def torch_epochs(threads, dtype):
    text = subprocess.run([sys.executable, str(root / "bench/peers/torch_snn.py"), "--threads", str(threads),
                           "--epochs", str(args.epochs), "--dtype", dtype], check=True, capture_output=True,
                          text=True).stdout
    found = re.findall(r"epoch \d+ ([\d.]+) s test ([\d.]+)", text)
    return [float(s) for s, _ in found], float(found[-1][1])


results = {}
with tempfile.TemporaryDirectory() as tmp:
    for _ in range(args.runs):
        for threads in (1, 2):
            for name, run in (("Myelin (float64)", lambda: myelin_epochs(threads, f"{tmp}/m")),
                              ("PyTorch float64", lambda: torch_epochs(threads, "float64")),
                              ("PyTorch float32", lambda: torch_epochs(threads, "float32"))):
                seconds, accuracy = run()
                entry = results.setdefault((name, threads), {"seconds": [], "accuracy": []})
                entry["seconds"] += seconds
                entry["accuracy"].append(accuracy)

print(f"Digits SNN 64-128-10, T = 50, batch 64, 1437 samples per epoch; median epoch time over "
      f"{args.runs} runs x {args.epochs} epochs\n")
print("| threads | Myelin (s) | PyTorch float64 (s) | PyTorch float32 (s) | Myelin / PyTorch f64 | Myelin / PyTorch f32 |")
print("|---|---|---|---|---|---|")
for threads in (1, 2):
    m = statistics.median(results[("Myelin (float64)", threads)]["seconds"])
    p64 = statistics.median(results[("PyTorch float64", threads)]["seconds"])
    p32 = statistics.median(results[("PyTorch float32", threads)]["seconds"])
    print(f"| {threads} | {m:.3f} | {p64:.3f} | {p32:.3f} | {m / p64:.2f} | {m / p32:.2f} |")
print("\nall epoch times (s):")
for (name, threads), r in results.items():
    print(f"  {name}, {threads} thread(s): " + ", ".join(f"{s:.3f}" for s in r["seconds"]) +
          f"; test accuracy after {args.epochs} epochs: " + ", ".join(f"{a:.4f}" for a in r["accuracy"]))
