#!/usr/bin/env python3
"""Peer for bench/learning/mnist_conv.py: the deep networks of examples/learning/
mnist_conv_snn.json, mnist_cnn.json and mnist_rows_alif.json in PyTorch on the CPU,
written as a PyTorch user would (nn.Conv2d, nn.Linear, F.avg_pool2d; the snnTorch
`Synaptic` update by hand with a custom autograd function for the fast-sigmoid surrogate):

    snn: conv 16 5x5 - LIF - avg pool 2 - conv 32 5x5 - LIF - avg pool 2 - flatten -
         dense 10 (no bias) - leaky-integrator readout, mean over T = 25 steps; the image
         is the input current at every step (the first convolution computed once)
    cnn: the same shapes with ReLU for the LIF layers and no time (dense 10 with bias)
    alif_rows: the image row by row (28 steps of 28 pixels) into dense 128 - recurrent
         ALIF (Bellec et al. 2018: tau_mem 20, tau_adapt 50, adapt 0.5, decays learned per
         neuron) - dense 10 (no bias) - LI readout (tau_mem 20), mean over the steps;
         gradients clipped to norm 1, lr 2e-3 (cosine to 1e-4)

Adam 1e-3 with a cosine schedule to 1e-4 over the epochs, batch 64, data/mnist from
scripts/fetch-mnist.sh, training images moved by up to --shift pixels. Prints the seconds
of each epoch and the test accuracy.

Usage: /usr/bin/python3 bench/peers/torch_deep.py --model snn|cnn|alif_rows --threads 2 --epochs 1 [--limit 1000]
"""
import argparse
import math
import pathlib
import time

import numpy as np
import torch
import torch.nn.functional as F

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--model", choices=["snn", "cnn", "alif_rows"], default="snn")
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--shift", type=int, default=0)
parser.add_argument("--limit", type=int, default=0, help="train on the first N images only (timing)")
parser.add_argument("--no-test", action="store_true", help="skip the test evaluation (timing)")
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
dtype = getattr(torch, args.dtype)
torch.set_default_dtype(dtype)

train = np.loadtxt(root / "data/mnist/mnist_train.csv", delimiter=",")
test = np.loadtxt(root / "data/mnist/mnist_test.csv", delimiter=",")
if args.limit:
    train = train[:args.limit]
x_train, y_train = torch.tensor(train[:, :-1], dtype=dtype), torch.tensor(train[:, -1], dtype=torch.long)
x_test, y_test = torch.tensor(test[:, :-1], dtype=dtype), torch.tensor(test[:, -1], dtype=torch.long)
T, B = 25, 64
alpha, beta, theta, slope = math.exp(-1 / 5), math.exp(-1 / 10), 1.0, 10.0


class Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        ctx.save_for_backward(v)
        return (v > 0).to(v.dtype)

    @staticmethod
    def backward(ctx, grad):
        (v,) = ctx.saved_tensors
        return grad / (1.0 + slope * v.abs()) ** 2


conv1, conv2 = torch.nn.Conv2d(1, 16, 5), torch.nn.Conv2d(16, 32, 5)
fc = torch.nn.Linear(512, 10, bias=args.model == "cnn")
params = list(conv1.parameters()) + list(conv2.parameters()) + list(fc.parameters())
decays = []
if args.model == "alif_rows":
    H = 128
    fc_in, fc_out = torch.nn.Linear(28, H), torch.nn.Linear(H, 10, bias=False)
    w_rec = torch.nn.Parameter(torch.empty(H, H).uniform_(-1 / math.sqrt(H), 1 / math.sqrt(H)))
    a_alif = torch.nn.Parameter(torch.full((H,), math.exp(-1 / 5)))
    b_alif = torch.nn.Parameter(torch.full((H,), math.exp(-1 / 20)))
    decays = [a_alif, b_alif]
    params = list(fc_in.parameters()) + [w_rec] + decays + list(fc_out.parameters())
    rho, adapt, beta_out = math.exp(-1 / 50), 0.5, math.exp(-1 / 20)
opt = torch.optim.Adam(params, lr=2e-3 if args.model == "alif_rows" else 1e-3)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs, eta_min=1e-4)


def forward_alif(x):
    rows = x.view(-1, 28, 28)
    n = rows.shape[0]
    i1 = torch.zeros(n, H); v1 = torch.zeros(n, H); s1 = torch.zeros(n, H); a1 = torch.zeros(n, H)
    i2 = torch.zeros(n, 10); v2 = torch.zeros(n, 10); total = torch.zeros(n, 10)
    for t in range(28):
        i1 = a_alif * i1 + fc_in(rows[:, t]) + s1 @ w_rec
        v1 = b_alif * v1 + i1 - theta * s1.detach()
        a1 = rho * a1 + s1
        s1 = Spike.apply(v1 - theta - adapt * a1)
        i2 = alpha * i2 + fc_out(s1)
        v2 = beta_out * v2 + i2
        total = total + v2
    return total / 28


def forward(x):
    if args.model == "alif_rows":
        return forward_alif(x)
    x = x.view(-1, 1, 28, 28)
    if args.model == "cnn":
        h = F.avg_pool2d(F.relu(conv1(x)), 2)
        h = F.avg_pool2d(F.relu(conv2(h)), 2)
        return fc(h.flatten(1))
    c1 = conv1(x)
    n = x.shape[0]
    i1 = torch.zeros_like(c1); v1 = torch.zeros_like(c1); s1 = torch.zeros_like(c1)
    i2 = v2 = s2 = None
    i3 = torch.zeros(n, 10); v3 = torch.zeros(n, 10); total = torch.zeros(n, 10)
    for _ in range(T):
        i1 = alpha * i1 + c1
        v1 = beta * v1 + i1 - theta * s1.detach()
        s1 = Spike.apply(v1 - theta)
        c2 = conv2(F.avg_pool2d(s1, 2))
        if i2 is None:
            i2 = torch.zeros_like(c2); v2 = torch.zeros_like(c2); s2 = torch.zeros_like(c2)
        i2 = alpha * i2 + c2
        v2 = beta * v2 + i2 - theta * s2.detach()
        s2 = Spike.apply(v2 - theta)
        i3 = alpha * i3 + fc(F.avg_pool2d(s2, 2).flatten(1))
        v3 = beta * v3 + i3
        total = total + v3
    return total / T


def shifted(x):
    """Each 28 x 28 image moved by (dy, dx), each uniform in [-shift, shift], zeros moved in."""
    s = args.shift
    padded = F.pad(x.view(-1, 28, 28), (s, s, s, s))
    offsets = torch.randint(0, 2 * s + 1, (x.shape[0], 2))
    return torch.stack([padded[k, dy:dy + 28, dx:dx + 28] for k, (dy, dx) in enumerate(offsets.tolist())]).view(-1, 784)


for epoch in range(args.epochs):
    start = time.perf_counter()
    order = torch.randperm(len(y_train))
    for b in range(0, len(order), B):
        idx = order[b:b + B]
        x = shifted(x_train[idx]) if args.shift else x_train[idx]
        loss = F.cross_entropy(forward(x), y_train[idx])
        opt.zero_grad()
        loss.backward()
        if args.model == "alif_rows":
            torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        with torch.no_grad():
            for d in decays:
                d.clamp_(1e-6, 1 - 1e-6)
    seconds = time.perf_counter() - start
    cosine.step()
    accuracy = float("nan")
    if not args.no_test:
        with torch.no_grad():
            accuracy = sum((forward(x_test[i:i + 500]).argmax(1) == y_test[i:i + 500]).sum().item()
                           for i in range(0, len(y_test), 500)) / len(y_test)
    print(f"epoch {epoch + 1} {seconds:.4f} s test {accuracy:.4f}", flush=True)
