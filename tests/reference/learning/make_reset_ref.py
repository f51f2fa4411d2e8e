#!/usr/bin/env python3
"""Reference gradients of the LIF layer's reset options (reset to zero; reset term not
detached), of an absolute refractory period of 2 steps and of learnable decays (alpha, beta of the hidden layer and of the readout),
computed with PyTorch autograd in float64: the 64 -> 16 -> 10 network, weights
and batch of tests/data/grad_ref/ (the shared reference covers only subtraction with a
detached reset). Writes tests/data/grad_ref/reset_variants.json.

    /usr/bin/python3 tests/reference/learning/make_reset_ref.py
"""
import json
import math
import pathlib

import torch

root = pathlib.Path(__file__).resolve().parents[3]
ref = json.loads((root / "tests/data/grad_ref/grad_ref.json").read_text())
torch.set_default_dtype(torch.float64)
x = torch.tensor(ref["pixels"]) / 16.0
labels = torch.tensor(ref["labels"])
T, theta, slope = ref["T"], ref["theta"], ref["surrogate_slope"]
alpha, beta = ref["alpha"], ref["beta"]


class Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        ctx.save_for_backward(v)
        return (v > 0).to(v.dtype)

    @staticmethod
    def backward(ctx, g):
        (v,) = ctx.saved_tensors
        return g / (1.0 + slope * v.abs()) ** 2


def run(reset, detach, recurrent, learn_decays=False, refractory=0):
    a1 = torch.tensor(alpha, requires_grad=learn_decays); b1 = torch.tensor(beta, requires_grad=learn_decays)
    a2 = torch.tensor(alpha, requires_grad=learn_decays); b2 = torch.tensor(beta, requires_grad=learn_decays)
    W1 = torch.tensor(ref["W1"], requires_grad=True)
    W2 = torch.tensor(ref["W2"], requires_grad=True)
    Wr = torch.tensor(ref["Wrec"], requires_grad=True)
    B, H, K = x.shape[0], W1.shape[1], W2.shape[1]
    I1 = torch.zeros(B, H); V1 = torch.zeros(B, H); S1 = torch.zeros(B, H)
    I2 = torch.zeros(B, K); V2 = torch.zeros(B, K)
    total, v2s = 0, []
    left = torch.zeros(B, H)  # refractory steps left
    for _ in range(T):
        I1 = a1 * I1 + x @ W1 + (S1 @ Wr if recurrent else 0.0)
        U = b1 * V1 + I1
        R = S1.detach() if detach else S1
        V1 = U - theta * R if reset == "subtract" else U * (1.0 - R)
        S1 = Spike.apply(V1 - theta)
        if refractory:
            blocked = (left > 0).to(S1.dtype)
            left = torch.clamp(left - 1, min=0)
            S1 = S1 * (1 - blocked)  # the blocked spike's gradient is 0 too
            left = torch.where(S1.detach() > 0, torch.full_like(left, refractory), left)
        total += int(S1.sum().item())
        I2 = a2 * I2 + S1 @ W2
        V2 = b2 * V2 + I2
        v2s.append(V2)
    logits = torch.stack(v2s).mean(0)
    loss = torch.nn.functional.cross_entropy(logits, labels)
    loss.backward()
    out = {"reset": reset, "detach_reset": detach, "recurrent": recurrent, "loss": loss.item(),
           "spike_count_total": total, "dW1": W1.grad.tolist(), "dW2": W2.grad.tolist()}
    if recurrent:
        out["dWrec"] = Wr.grad.tolist()
    if refractory:
        out["refractory_steps"] = refractory
    if learn_decays:
        out["learn_decays"] = True
        out.update(dalpha1=a1.grad.item(), dbeta1=b1.grad.item(), dalpha2=a2.grad.item(), dbeta2=b2.grad.item())
    return out


variants = {
    "zero_detached": run("zero", True, False),
    "zero_attached": run("zero", False, True),
    "subtract_attached": run("subtract", False, True),
    "learn_decays": run("subtract", True, True, learn_decays=True),
    "refractory": run("subtract", True, True, refractory=2),
}
(root / "tests/data/grad_ref/reset_variants.json").write_text(json.dumps(
    {"description": "LIF reset options, mean readout, PyTorch " + torch.__version__ + " float64 autograd; "
     "written by tests/reference/learning/make_reset_ref.py", "variants": variants}, indent=None))
for k, v in variants.items():
    print(k, v["loss"], v["spike_count_total"])
