#!/usr/bin/env python3
"""Reference spikes of an adaptive LIF layer (Bellec et al. 2018's ALIF in the discrete
update of docs/learning.md: I = alpha I + x, V = beta V + I - theta S, A = rho A + S,
S = (V - theta - adapt A > 0)), written independently in PyTorch (float64): the 16 hidden
neurons of tests/data/grad_ref/ driven by the constant current x W1 of its 8 digits
(x = pixels / 16), T = 60 steps of 1 ms, tau_syn 5 ms, tau_mem 10 ms, tau_adapt 20 ms,
adapt 0.5, feed-forward and with the recurrent weights Wrec. Writes
tests/data/grad_ref/alif_spikes.json: spikes[variant][b][t][j] (S at step t + 1).

    /usr/bin/python3 tests/reference/learning/make_alif_ref.py
"""
import json
import math
import pathlib

import torch

root = pathlib.Path(__file__).resolve().parents[3]
ref = json.loads((root / "tests/data/grad_ref/grad_ref.json").read_text())
torch.set_default_dtype(torch.float64)
x = torch.tensor(ref["pixels"]) / 16.0
W1, Wr = torch.tensor(ref["W1"]), torch.tensor(ref["Wrec"])
T, theta, tau_adapt, adapt = 60, 1.0, 20.0, 0.5
alpha, beta, rho = math.exp(-1 / 5), math.exp(-1 / 10), math.exp(-1 / tau_adapt)
out = {"T": T, "tau_syn": 5.0, "tau_mem": 10.0, "tau_adapt": tau_adapt, "adapt": adapt, "theta": theta,
       "torch": torch.__version__, "spikes": {}, "counts": {}, "closest": {}}
for variant, recurrent in (("ff", False), ("rec", True)):
    current = x @ W1
    I = torch.zeros_like(current); V = torch.zeros_like(current); A = torch.zeros_like(current)
    S = torch.zeros_like(current)
    steps, closest = [], float("inf")
    for _ in range(T):
        I = alpha * I + current + (S @ Wr if recurrent else 0.0)
        V = (beta * V + I) - theta * S
        A = rho * A + S
        margin = V - theta - adapt * A
        closest = min(closest, margin.abs().min().item())
        S = (margin > 0).to(V.dtype)
        steps.append(S.clone())
    spikes = torch.stack(steps, 1)  # batch x T x neurons
    out["spikes"][variant] = spikes.to(torch.int64).tolist()
    out["counts"][variant] = int(spikes.sum().item())
    out["closest"][variant] = closest
path = root / "tests/data/grad_ref/alif_spikes.json"
path.write_text(json.dumps(out) + "\n")
print(f"wrote {path}: spikes {out['counts']}, closest approach of V to the threshold {out['closest']}")
