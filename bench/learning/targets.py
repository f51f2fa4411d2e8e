#!/usr/bin/env python3
"""The accuracy targets on the digits: the spiking network (examples/learning/digits_snn.json)
and the ANN (digits_ann.json), 64 -> 128 -> 10, each trained with seeds 1, 2, 3 by
`myelin train`; prints the final test accuracy of each run and the epoch times.

Usage (after a release build):  /usr/bin/python3 bench/learning/targets.py [--threads 2]
"""
import argparse
import csv
import pathlib
import statistics
import subprocess
import tempfile

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--myelin", default=str(root / "build/release/apps/myelin"))
args = parser.parse_args()

print("| network | seed | test accuracy | best epoch's test accuracy | median epoch time (s) |")
print("|---|---|---|---|---|")
with tempfile.TemporaryDirectory() as tmp:
    for name in ("digits_snn", "digits_ann"):
        for seed in (1, 2, 3):
            out = f"{tmp}/{name}_{seed}"
            subprocess.run([args.myelin, "train", str(root / f"examples/learning/{name}.json"), "--seed", str(seed),
                            "--threads", str(args.threads), "--output", out, "--quiet"], check=True)
            with open(f"{out}/history.csv") as f:
                rows = list(csv.DictReader(f))
            final = float(rows[-1]["test_accuracy"])
            best = max(float(r["test_accuracy"]) for r in rows)
            seconds = statistics.median(float(r["seconds"]) for r in rows)
            print(f"| {name} | {seed} | {100 * final:.2f} % | {100 * best:.2f} % | {seconds:.3f} |", flush=True)
