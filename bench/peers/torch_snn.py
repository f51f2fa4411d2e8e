#!/usr/bin/env python3
"""Peer for bench/learning/bench.py: the spiking network of examples/learning/digits_snn.json
(64 -> 128 LIF -> 10 leaky-integrator readout, T = 50, mean-over-time logits,
cross-entropy, fast-sigmoid surrogate with slope 10, Adam lr 1e-3, batch 64) or, with
--task mnist, of examples/learning/mnist_snn.json (784 -> 256 -> 10, T = 25, weights
drawn with init_scale 1, Adam lr 1e-3 with a cosine schedule to 1e-4 over the epochs, on
data/mnist from scripts/fetch-mnist.sh) in PyTorch on the CPU, written as a PyTorch user
would (the snnTorch `Synaptic` update by hand, a custom autograd function for the
surrogate). The input current x W1 is computed once per batch, as Myelin does for
constant input. Prints the seconds of each epoch and the test accuracy.

Usage: /usr/bin/python3 bench/peers/torch_snn.py --threads 1 --epochs 5 [--dtype float32] [--task mnist]
"""
import argparse
import math
import pathlib
import time

import numpy as np
import torch

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--dtype", choices=["float32", "float64"], default="float64")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--task", choices=["digits", "mnist"], default="digits")
parser.add_argument("--shift", type=int, default=0,
                    help="mnist: move each training image by up to this many pixels each epoch "
                         "(torchvision's RandomCrop(28, padding=shift))")
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
dtype = getattr(torch, args.dtype)

if args.task == "digits":
    data = np.loadtxt(root / "examples/learning/data/digits.csv", delimiter=",")
    x_all = torch.tensor(data[:, :-1] / 16.0, dtype=dtype)
    y_all = torch.tensor(data[:, -1], dtype=torch.long)
    x_train, y_train, x_test, y_test = x_all[:1437], y_all[:1437], x_all[1437:], y_all[1437:]
    T, H, init_scale, schedule = 50, 128, 0.1, False
else:
    train = np.loadtxt(root / "data/mnist/mnist_train.csv", delimiter=",")
    test = np.loadtxt(root / "data/mnist/mnist_test.csv", delimiter=",")
    x_train, y_train = torch.tensor(train[:, :-1], dtype=dtype), torch.tensor(train[:, -1], dtype=torch.long)
    x_test, y_test = torch.tensor(test[:, :-1], dtype=dtype), torch.tensor(test[:, -1], dtype=torch.long)
    T, H, init_scale, schedule = 25, 256, 1.0, True
I, B = x_train.shape[1], 64
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


W1 = (torch.randn(I, H, dtype=dtype) * init_scale / math.sqrt(I)).requires_grad_()
W2 = (torch.randn(H, 10, dtype=dtype) * init_scale / math.sqrt(H)).requires_grad_()
opt = torch.optim.Adam([W1, W2], lr=1e-3)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs, eta_min=1e-4) if schedule else None


def forward(x):
    current = x @ W1
    n = x.shape[0]
    i1 = torch.zeros(n, H, dtype=dtype); v1 = torch.zeros(n, H, dtype=dtype); s1 = torch.zeros(n, H, dtype=dtype)
    i2 = torch.zeros(n, 10, dtype=dtype); v2 = torch.zeros(n, 10, dtype=dtype)
    total = torch.zeros(n, 10, dtype=dtype)
    for _ in range(T):
        i1 = alpha * i1 + current
        v1 = beta * v1 + i1 - theta * s1.detach()
        s1 = Spike.apply(v1 - theta)
        i2 = alpha * i2 + s1 @ W2
        v2 = beta * v2 + i2
        total = total + v2
    return total / T


def shifted(x):
    """Each 28 x 28 image moved by (dy, dx), each uniform in [-shift, shift], zeros moved in."""
    s = args.shift
    padded = torch.nn.functional.pad(x.view(-1, 28, 28), (s, s, s, s))
    offsets = torch.randint(0, 2 * s + 1, (x.shape[0], 2))
    return torch.stack([padded[k, dy:dy + 28, dx:dx + 28] for k, (dy, dx) in enumerate(offsets.tolist())]).view(-1, 784)


for epoch in range(args.epochs):
    start = time.perf_counter()
    order = torch.randperm(len(y_train))
    for b in range(0, len(order), B):
        idx = order[b:b + B]
        x = shifted(x_train[idx]) if args.shift else x_train[idx]
        loss = torch.nn.functional.cross_entropy(forward(x), y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - start
    if cosine:
        cosine.step()
    with torch.no_grad():
        accuracy = (forward(x_test).argmax(1) == y_test).double().mean().item()
    print(f"epoch {epoch + 1} {seconds:.4f} s test {accuracy:.4f}", flush=True)
