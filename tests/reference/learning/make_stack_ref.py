#!/usr/bin/env python3
"""Reference of a deep spiking stack, written as a PyTorch user would (float64 autograd,
torch.nn.functional's conv2d and avg_pool2d), for the layer library of learning/:

    8x8 digit (pixels / 16, the same at every step)
    -> conv2d 4 channels 3x3, padding 1 (bias)  -> LIF
    -> avg_pool2d 2 -> flatten -> Linear 64 -> 16 (bias)
    -> ALIF, recurrent, decays learned per neuron (Bellec et al. 2018: a[t] = rho a[t-1]
       + S[t-1], threshold theta + b a[t], reset by subtracting theta, full BPTT)
    -> Linear 16 -> 10 (no bias) -> leaky-integrator readout, decays learned per layer,
       mean over the T = 20 steps -> cross-entropy

on the 8 samples of tests/data/grad_ref/grad_ref.json. Weights are drawn from
torch.Generator(1) and rounded to float32 (exact in both codes). Writes the weights, the
spike counts per step of both spiking layers, the loss and every gradient to
tests/data/grad_ref/stack_ref.json.

    /usr/bin/python3 tests/reference/learning/make_stack_ref.py
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

root = pathlib.Path(__file__).resolve().parents[3]
ref = json.loads((root / "tests/data/grad_ref/grad_ref.json").read_text())
torch.set_default_dtype(torch.float64)
x = (torch.tensor(ref["pixels"]) / 16.0).reshape(-1, 1, 8, 8)
labels = torch.tensor(ref["labels"])
T, theta, slope = 20, 1.0, 10.0
alpha, beta = math.exp(-1.0 / 5.0), math.exp(-1.0 / 10.0)
rho, b_adapt = math.exp(-1.0 / 20.0), 1.8

gen = torch.Generator().manual_seed(1)


def draw(*shape, scale):
    w = torch.randn(*shape, generator=gen, dtype=torch.float64) * scale
    return w.float().double().requires_grad_(True)


K1 = draw(4, 1, 3, 3, scale=1.0 / 3.0)
c1 = draw(4, scale=0.1)
W1 = draw(16, 64, scale=1.0 / 8.0)  # nn.Linear layout: out x in
b1 = draw(16, scale=0.1)
Wr = draw(16, 16, scale=0.2)  # S[t-1] @ Wr
W2 = draw(10, 16, scale=0.02)
a_alif = torch.full((16,), alpha, requires_grad=True)
b_alif = torch.full((16,), beta, requires_grad=True)
a_out = torch.tensor(alpha, requires_grad=True)
b_out = torch.tensor(beta, requires_grad=True)


class Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        ctx.save_for_backward(v)
        return (v > 0).to(v.dtype)

    @staticmethod
    def backward(ctx, g):
        (v,) = ctx.saved_tensors
        return g / (1.0 + slope * v.abs()) ** 2


B = x.shape[0]
current = F.conv2d(x, K1, c1, padding=1)  # B x 4 x 8 x 8, the same every step
I0 = torch.zeros_like(current); V0 = torch.zeros_like(current); S0 = torch.zeros_like(current)
I1 = torch.zeros(B, 16); V1 = torch.zeros(B, 16); S1 = torch.zeros(B, 16); A1 = torch.zeros(B, 16)
I2 = torch.zeros(B, 10); V2 = torch.zeros(B, 10)
counts0, counts1, total = [], [], 0
for _ in range(T):
    I0 = alpha * I0 + current
    V0 = beta * V0 + I0 - theta * S0.detach()
    S0 = Spike.apply(V0 - theta)
    pooled = F.avg_pool2d(S0, 2).flatten(1)  # B x 64, channel-major as Myelin's flatten
    I1 = a_alif * I1 + pooled @ W1.T + b1 + S1 @ Wr
    V1 = b_alif * V1 + I1 - theta * S1.detach()
    A1 = rho * A1 + S1
    S1 = Spike.apply(V1 - theta - b_adapt * A1)
    I2 = a_out * I2 + S1 @ W2.T
    V2 = b_out * V2 + I2
    total = total + V2
    counts0.append(int(S0.sum().item()))
    counts1.append(int(S1.sum().item()))
logits = total / T
loss = F.cross_entropy(logits, labels)
loss.backward()


def rows(t):
    t = t.detach()
    return t.tolist() if t.dim() > 0 else t.item()


out = {
    "description": "make_stack_ref.py: conv-LIF-avgpool-dense-ALIF(recurrent)-dense-LI readout, float64 autograd",
    "torch": torch.__version__, "T": T, "theta": theta, "surrogate_slope": slope, "tau_syn": 5.0, "tau_mem": 10.0,
    "tau_adapt": 20.0, "adapt": b_adapt,
    # Myelin's layouts: conv W is C_out x (C_in k k); dense W is in x out
    "K1": rows(K1.reshape(4, 9)), "c1": rows(c1), "W1": rows(W1.T), "b1": rows(b1), "Wrec": rows(Wr), "W2": rows(W2.T),
    "spikes_lif": counts0, "spikes_alif": counts1, "loss": loss.item(), "logits": rows(logits),
    "dK1": rows(K1.grad.reshape(4, 9)), "dc1": rows(c1.grad), "dW1": rows(W1.grad.T), "db1": rows(b1.grad),
    "dWrec": rows(Wr.grad), "dW2": rows(W2.grad.T), "dalpha_alif": rows(a_alif.grad), "dbeta_alif": rows(b_alif.grad),
    "dalpha_out": rows(a_out.grad), "dbeta_out": rows(b_out.grad),
}
path = root / "tests/data/grad_ref/stack_ref.json"
path.write_text(json.dumps(out) + "\n")
print(f"wrote {path}: LIF spikes {sum(counts0)} of {B * 256 * T}, ALIF spikes {sum(counts1)} of {B * 16 * T}, "
      f"loss {loss.item():.6f}")
