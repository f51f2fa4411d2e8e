#!/usr/bin/env python3
"""MNIST with convolutions: the convolutional SNN of examples/learning/mnist_conv_snn.json
(conv 16 5x5 - LIF - avg pool - conv 32 5x5 - LIF - avg pool - dense 10 - LI readout,
T = 25) and its CNN twin (mnist_cnn.json: ReLU for LIF, no time) in `myelin train`
against the same networks and training in PyTorch on the CPU (bench/peers/torch_deep.py).

1. Accuracy (--accuracy snn,cnn,alif_rows; alif_rows: mnist_rows_alif.json, recurrent ALIF
   on MNIST row by row): both trained for the config's epochs with seeds 1, 2, 3
   (--threads, default 2; PyTorch in float32); the test accuracy after the last epoch and the mean.
2. Speed and memory: one epoch over the first --limit training images (default 2,000) at
   1 and 2 threads, Myelin (float64, and float32 products and state) against PyTorch in
   float64 and float32, interleaved,
   --runs times, medians; and each process's peak resident memory.

Usage (after a release build and scripts/fetch-mnist.sh):
    /usr/bin/python3 bench/learning/mnist_conv.py [--runs 3] [--limit 2000] [--accuracy snn,cnn] [--skip-float64]
"""
import argparse
import csv
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--limit", type=int, default=2000)
parser.add_argument("--accuracy", default="", help="comma-separated: snn, cnn, alif_rows (empty: speed only)")
parser.add_argument("--threads", type=int, default=2, help="threads of the accuracy runs (training is the same for any)")
parser.add_argument("--matmul", choices=["float64", "float32"], default="float64",
                    help="Myelin's network.matmul_precision in the accuracy runs")
parser.add_argument("--state", choices=["float64", "float32"], default="float64",
                    help="Myelin's network.state_precision in the accuracy runs")
parser.add_argument("--skip-speed", action="store_true")
parser.add_argument("--skip-float64", action="store_true",
                    help="speed: only Myelin in float32 (products and state) against PyTorch float32 (PyTorch's float64 "
                         "conv SNN epoch takes ~40 s)")
parser.add_argument("--myelin", default=str(root / "build/release/apps/myelin"))
args = parser.parse_args()
configs = {"snn": root / "examples/learning/mnist_conv_snn.json", "cnn": root / "examples/learning/mnist_cnn.json",
           "alif_rows": root / "examples/learning/mnist_rows_alif.json"}
if not (root / "data/mnist/mnist_train.csv").exists():
    sys.exit("no data/mnist/mnist_train.csv: run scripts/fetch-mnist.sh first")


def run(command):
    """Runs a command; returns its stdout and its peak resident memory in MB."""
    p = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"{' '.join(command)} failed")
    return out, usage.ru_maxrss / 1024


def myelin(model, threads, epochs, seed, out, limit=0, matmul="float64", state="float64"):
    config = configs[model]
    if limit or matmul != "float64" or state != "float64":
        c = json.loads(config.read_text())
        c["network"]["matmul_precision"] = matmul
        c["network"]["state_precision"] = state
        for part in ("train", "test"):
            c["data"][part] = str(root / f"data/mnist/mnist_{part}.csv")
        if limit:  # the same config on the first `limit` training images, without a test set
            c["data"]["train"] = {"file": c["data"]["train"], "rows": [0, limit]}
            del c["data"]["test"]
        config = pathlib.Path(out + ".json")
        config.write_text(json.dumps(c))
    _, mb = run([args.myelin, "train", str(config), "--threads", str(threads), "--epochs", str(epochs), "--seed",
                 str(seed), "--output", out, "--force", "--quiet"])
    with open(pathlib.Path(out) / "history.csv") as f:
        rows = list(csv.DictReader(f))
    return [float(r["seconds"]) for r in rows], float(rows[-1]["test_accuracy"]), mb


def torch(model, threads, epochs, seed, dtype, limit=0):
    shift = json.loads(configs[model].read_text())["training"].get("augment", {}).get("shift", 0)
    command = [sys.executable, str(root / "bench/peers/torch_deep.py"), "--model", model, "--threads", str(threads),
               "--epochs", str(epochs), "--seed", str(seed), "--dtype", dtype, "--shift", str(shift)]
    if limit:
        command += ["--limit", str(limit), "--no-test"]
    text, mb = run(command)
    found = re.findall(r"epoch \d+ ([\d.]+) s test ([\d.na]+)", text)
    return [float(s) for s, _ in found], float(found[-1][1]), mb


with tempfile.TemporaryDirectory() as tmp:
    for model in filter(None, args.accuracy.split(",")):
        epochs = json.loads(configs[model].read_text())["training"]["epochs"]
        print(f"{model}: test accuracy after {epochs} epochs ({args.threads} thread(s); Myelin's products in "
              f"{args.matmul}, its state in {args.state})\n")
        print("| seed | Myelin | PyTorch float32 |")
        print("|---|---|---|")
        m_acc, t_acc = [], []
        for seed in (1, 2, 3):
            m_acc.append(myelin(model, args.threads, epochs, seed, f"{tmp}/a", matmul=args.matmul, state=args.state)[1])
            t_acc.append(torch(model, args.threads, epochs, seed, "float32")[1])
            print(f"| {seed} | {100 * m_acc[-1]:.2f} % | {100 * t_acc[-1]:.2f} % |", flush=True)
        print(f"| mean | {100 * statistics.mean(m_acc):.2f} % | {100 * statistics.mean(t_acc):.2f} % |\n", flush=True)

    if args.skip_speed:
        sys.exit(0)
    results = {}
    for _ in range(args.runs):
        for model in ("snn", "cnn"):
            for threads in (1, 2):
                for name, go in (("Myelin", lambda: myelin(model, threads, 1, 1, f"{tmp}/m", args.limit)),
                                 ("Myelin f32", lambda: myelin(model, threads, 1, 1, f"{tmp}/m", args.limit, "float32",
                                                               "float32")),
                                 ("PyTorch float64", lambda: torch(model, threads, 1, 1, "float64", args.limit)),
                                 ("PyTorch float32", lambda: torch(model, threads, 1, 1, "float32", args.limit))):
                    if args.skip_float64 and name in ("Myelin", "PyTorch float64"):
                        continue
                    seconds, _, mb = go()
                    entry = results.setdefault((model, name, threads), {"seconds": [], "mb": []})
                    entry["seconds"] += seconds
                    entry["mb"].append(mb)

print(f"Seconds per epoch of {args.limit} training images, median of {args.runs} interleaved runs; "
      "peak resident memory\n")
print("| network | threads | Myelin float64 (s) | Myelin float32 products and state (s) | PyTorch float64 (s) "
      "| PyTorch float32 (s) | Myelin / f64 | Myelin f32 / PyTorch f32 "
      "| peak MB: Myelin / f32 / PyTorch f64 / f32 |")
print("|---|---|---|---|---|---|---|---|---|")
names = ("Myelin", "Myelin f32", "PyTorch float64", "PyTorch float32")
for model in ("snn", "cnn"):
    for threads in (1, 2):
        ran = [n for n in names if (model, n, threads) in results]
        t = {n: statistics.median(results[(model, n, threads)]["seconds"]) for n in ran}
        cell = lambda n: f"{t[n]:.2f}" if n in t else "-"
        ratio = f"{t['Myelin'] / t['PyTorch float64']:.2f}" if "Myelin" in t else "-"
        mb = " / ".join(f"{max(results[(model, n, threads)]['mb']):.0f}" if n in t else "-" for n in names)
        print(f"| {model} | {threads} | {cell('Myelin')} | {cell('Myelin f32')} | {cell('PyTorch float64')} "
              f"| {cell('PyTorch float32')} | {ratio} | {t['Myelin f32'] / t['PyTorch float32']:.2f} | {mb} |")
print("\nall epoch times (s):")
for (model, name, threads), r in results.items():
    print(f"  {model}, {name}, {threads} thread(s): " + ", ".join(f"{s:.2f}" for s in r["seconds"]))
