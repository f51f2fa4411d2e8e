#!/usr/bin/env python3
"""MNIST (the 10,000 real digits of scripts/fetch-mnist.sh: 7,996 training, 2,004 test
images): the dense spiking network 784 -> 256 -> 10 of examples/learning/mnist_snn.json
(T = 25, Adam 1e-3 with a cosine schedule to 1e-4, batch 64, training images moved by
up to 2 pixels) in `myelin train` against the same network and training in PyTorch on
the CPU (bench/peers/torch_snn.py --task mnist --shift 2).

1. Accuracy: both trained for the config's epochs with seeds 1, 2, 3 (2 threads; PyTorch
   in float32, its usual type); the test accuracy after the last epoch and the mean.
2. Speed and memory: epoch times at 1 and 2 threads, Myelin (float64, and float32
   products and state) against PyTorch in float64 and float32, interleaved, `--runs` x `--epochs`, medians (evaluation not
   included); and each process's peak resident memory.

Usage (after a release build and scripts/fetch-mnist.sh):
    /usr/bin/python3 bench/learning/mnist.py [--runs 3] [--epochs 3] [--skip-accuracy]
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
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--skip-accuracy", action="store_true")
parser.add_argument("--matmul", choices=["float64", "float32"], default="float64",
                    help="Myelin's network.matmul_precision in the accuracy runs")
parser.add_argument("--state", choices=["float64", "float32"], default="float64",
                    help="Myelin's network.state_precision in the accuracy runs")
parser.add_argument("--myelin", default=str(root / "build/release/apps/myelin"))
args = parser.parse_args()
config = root / "examples/learning/mnist_snn.json"
if not (root / "data/mnist/mnist_train.csv").exists():
    sys.exit("no data/mnist/mnist_train.csv: run scripts/fetch-mnist.sh first")
training = json.loads(config.read_text())["training"]
config_epochs = training["epochs"]
shift = training.get("augment", {}).get("shift", 0)  # the peer moves its images as Myelin does


def run(command):
    """Runs a command; returns its stdout and its peak resident memory in MB."""
    p = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"{' '.join(command)} failed")
    return out, usage.ru_maxrss / 1024


def myelin(threads, epochs, seed, out, matmul="float64", state="float64"):
    path = config
    if matmul != "float64" or state != "float64":  # the config in float32, its data files by absolute path
        c = json.loads(config.read_text())
        c["network"]["matmul_precision"] = matmul
        c["network"]["state_precision"] = state
        for part in ("train", "test"):
            c["data"][part] = str((config.parent / c["data"][part]).resolve())
        path = pathlib.Path(out + ".json")
        path.write_text(json.dumps(c))
    _, mb = run([args.myelin, "train", str(path), "--threads", str(threads), "--epochs", str(epochs), "--seed",
                 str(seed), "--output", out, "--force", "--quiet"])
    with open(pathlib.Path(out) / "history.csv") as f:
        rows = list(csv.DictReader(f))
    return [float(r["seconds"]) for r in rows], float(rows[-1]["test_accuracy"]), mb


def torch(threads, epochs, seed, dtype):
    text, mb = run([sys.executable, str(root / "bench/peers/torch_snn.py"), "--task", "mnist", "--threads",
                    str(threads), "--epochs", str(epochs), "--seed", str(seed), "--dtype", dtype, "--shift", str(shift)])
    found = re.findall(r"epoch \d+ ([\d.]+) s test ([\d.]+)", text)
    return [float(s) for s, _ in found], float(found[-1][1]), mb


with tempfile.TemporaryDirectory() as tmp:
    if not args.skip_accuracy:
        print(f"Test accuracy after {config_epochs} epochs (2 threads; Myelin's products in {args.matmul}, its state in "
              f"{args.state})\n")
        print("| seed | Myelin | PyTorch float32 |")
        print("|---|---|---|")
        m_acc, t_acc = [], []
        for seed in (1, 2, 3):
            m_acc.append(myelin(2, config_epochs, seed, f"{tmp}/a", args.matmul, args.state)[1])
            t_acc.append(torch(2, config_epochs, seed, "float32")[1])
            print(f"| {seed} | {100 * m_acc[-1]:.2f} % | {100 * t_acc[-1]:.2f} % |", flush=True)
        print(f"| mean | {100 * statistics.mean(m_acc):.2f} % | {100 * statistics.mean(t_acc):.2f} % |\n")

    results = {}
    for _ in range(args.runs):
        for threads in (1, 2):
            for name, go in (("Myelin", lambda: myelin(threads, args.epochs, 1, f"{tmp}/m")),
                             ("Myelin f32", lambda: myelin(threads, args.epochs, 1, f"{tmp}/m", "float32", "float32")),
                             ("PyTorch float64", lambda: torch(threads, args.epochs, 1, "float64")),
                             ("PyTorch float32", lambda: torch(threads, args.epochs, 1, "float32"))):
                seconds, _, mb = go()
                entry = results.setdefault((name, threads), {"seconds": [], "mb": []})
                entry["seconds"] += seconds
                entry["mb"].append(mb)

print(f"Epoch time, 7,996 images, median over {args.runs} runs x {args.epochs} epochs; peak resident memory\n")
print("| threads | Myelin float64 (s) | Myelin float32 products and state (s) | PyTorch float64 (s) "
      "| PyTorch float32 (s) | Myelin / f64 | Myelin f32 / PyTorch f32 | peak MB: Myelin / f32 / PyTorch f64 / f32 |")
print("|---|---|---|---|---|---|---|---|")
names = ("Myelin", "Myelin f32", "PyTorch float64", "PyTorch float32")
for threads in (1, 2):
    m, m32, p64, p32 = (statistics.median(results[(n, threads)]["seconds"]) for n in names)
    mb = " / ".join(f"{max(results[(n, threads)]['mb']):.0f}" for n in names)
    print(f"| {threads} | {m:.2f} | {m32:.2f} | {p64:.2f} | {p32:.2f} | {m / p64:.2f} | {m32 / p32:.2f} | {mb} |")
print("\nall epoch times (s):")
for (name, threads), r in results.items():
    print(f"  {name}, {threads} thread(s): " + ", ".join(f"{s:.2f}" for s in r["seconds"]))
