"""Train a spiking network and a rate network on the same digits, then compare their hidden
layers stimulus by stimulus (CKA, RSA, Procrustes, with permutation p-values, bootstrap
intervals and the raw pixels as a baseline) - all on arrays, in one process.

    PYTHONPATH=build/release/python python3 examples/python/snn_vs_ann.py [--epochs 10] [--report DIR]
"""
import argparse
import json
import pathlib

import numpy as np

import myelin

here = pathlib.Path(__file__).resolve().parent
learning = here.parent / "learning"
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--stimuli", type=int, default=200, help="test digits compared")
parser.add_argument("--resamples", type=int, default=1000, help="permutations and bootstrap resamples")
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--report", help="write the HTML report into this folder")
args = parser.parse_args()

data = np.loadtxt(learning / "data/digits.csv", delimiter=",")
x, y = data[:, :-1], data[:, -1].astype(int)
x_train, y_train, x_test, y_test = x[:1437], y[:1437], x[1437:], y[1437:]

hidden = {}
for name, config in [("SNN", "digits_snn.json"), ("ANN", "digits_ann.json")]:
    model = myelin.Model(learning / config, threads=args.threads)
    history = model.fit(x_train, y_train, epochs=args.epochs, x_test=x_test, y_test=y_test)
    print(f"{name}: test accuracy {100 * history['test_accuracy'][-1]:.1f} % after {args.epochs} epochs")
    # The hidden layer per test digit: spikes per step (SNN) or activations (ANN), averaged over steps.
    hidden[name] = model.activity(x_test[: args.stimuli]).mean(axis=0)

report = myelin.compare_representations(
    hidden["SNN"], hidden["ANN"], ["linear_cka", "rsa", "procrustes"], permutations=args.resamples,
    bootstrap=args.resamples, input=x_test[: args.stimuli], conditions=[str(k) for k in y_test[: args.stimuli]],
    label_a="SNN hidden", label_b="ANN hidden", threads=args.threads)
print()
print(report.text)
if args.report:
    report.write(args.report, force=True)
    print(f"report: {args.report}/report.html")
