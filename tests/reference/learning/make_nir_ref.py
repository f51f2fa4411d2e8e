#!/usr/bin/env python3
"""A NIR graph written independently of Myelin (h5py, the layout of the NIR reference
implementation's serialization, version 1.0) with snnTorch's export conventions for
`Synaptic` neurons (dt = 1e-4 s, tau = dt / (1 - decay), r = tau_mem / dt,
w_in = tau_syn / dt), and the hidden spikes and readout potentials of that network on
four inputs, computed here with numpy from the discrete update those conventions stand
for:
    I <- alpha I + W x + W_rec S,  V <- (beta V + I)(1 - S),  S = V > theta  (hidden)
    I <- alpha I + W2 S,             V <- beta V + I                           (readout)
NIR's reset to v_reset = 0 read as snnTorch's reset_mechanism "zero" (the membrane of the
step after a spike is zeroed). The readout is a CubaLI node; the hidden layer is
recurrent; the first Linear is an Affine with zero bias. Writes tests/data/nir/cuba_rec.nir and cuba_rec.json.

    /usr/bin/python3 tests/reference/learning/make_nir_ref.py
"""
import json
import pathlib

import h5py
import numpy as np

root = pathlib.Path(__file__).resolve().parents[3]
out = root / "tests/data/nir"
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(7)
n_in, n_hid, n_out, T = 6, 5, 3, 30
dt, alpha, beta, theta = 1e-4, 0.8, 0.9, 1.0
W1 = rng.normal(0.0, 1.0, (n_hid, n_in)).astype(np.float32)   # NIR layout: out x in
Wr = rng.normal(0.0, 0.3, (n_hid, n_hid)).astype(np.float32)
W2 = rng.normal(0.0, 0.5, (n_out, n_hid)).astype(np.float32)
x = rng.uniform(-1.0, 2.0, (4, n_in))

tau_syn, tau_mem = dt / (1 - alpha), dt / (1 - beta)


def cuba(g, n, spiking):
    g["tau_syn"] = np.full(n, tau_syn, dtype=np.float32)
    g["tau_mem"] = np.full(n, tau_mem, dtype=np.float32)
    g["r"] = np.full(n, tau_mem / dt, dtype=np.float32)
    g["v_leak"] = np.zeros(n, dtype=np.float32)
    g["w_in"] = np.full(n, tau_syn / dt, dtype=np.float32)
    if spiking:
        g["v_threshold"] = np.full(n, theta, dtype=np.float32)
        g["v_reset"] = np.zeros(n, dtype=np.float32)


with h5py.File(out / "cuba_rec.nir", "w") as f:
    f.create_dataset("version", data="1.0", dtype=h5py.string_dtype())
    node = f.create_group("node")
    node.create_dataset("type", data="NIRGraph", dtype=h5py.string_dtype())
    nodes = node.create_group("nodes")
    for name, typ in [("in", "Input"), ("affine", "Affine"), ("syn", "CubaLIF"), ("loop", "Linear"),
                      ("lin", "Linear"), ("readout", "CubaLI"), ("out", "Output")]:
        g = nodes.create_group(name)
        g.create_dataset("type", data=typ, dtype=h5py.string_dtype())
    nodes["in"]["shape"] = np.array([n_in])
    nodes["out"]["shape"] = np.array([n_out])
    nodes["affine"]["weight"] = W1
    nodes["affine"]["bias"] = np.zeros(n_hid, dtype=np.float32)
    nodes["loop"]["weight"] = Wr
    nodes["lin"]["weight"] = W2
    cuba(nodes["syn"], n_hid, True)
    cuba(nodes["readout"], n_out, False)
    edges = [("in", "affine"), ("affine", "syn"), ("syn", "loop"), ("loop", "syn"), ("syn", "lin"),
             ("lin", "readout"), ("readout", "out")]
    node.create_dataset("edges", data=np.array(edges, dtype=object), dtype=h5py.string_dtype())

# float32 parameters as read back: the Euler coefficients recomputed from them.
a = 1 - dt / np.float64(np.float32(tau_syn))
b = 1 - dt / np.float64(np.float32(tau_mem))
c = (dt / np.float64(np.float32(tau_syn))) * np.float64(np.float32(tau_syn / dt)) * \
    (dt / np.float64(np.float32(tau_mem))) * np.float64(np.float32(tau_mem / dt))
samples = []
for s in range(len(x)):
    I1 = np.zeros(n_hid); V1 = np.zeros(n_hid); S1 = np.zeros(n_hid)
    I2 = np.zeros(n_out); V2 = np.zeros(n_out)
    spikes, v2 = [], []
    for _ in range(T):
        I1 = a * I1 + c * (W1.astype(np.float64) @ x[s] + Wr.astype(np.float64) @ S1)
        V1 = (b * V1 + I1) * (1 - S1)
        S1 = (V1 > theta).astype(float)
        I2 = a * I2 + c * (W2.astype(np.float64) @ S1)
        V2 = b * V2 + I2
        spikes.append(S1.astype(int).tolist())
        v2.append(V2.tolist())
    samples.append({"x": x[s].tolist(), "spikes": spikes, "V2": v2})
(out / "cuba_rec.json").write_text(json.dumps({"description": "written by tests/reference/learning/make_nir_ref.py",
                                               "dt": dt, "T": T, "samples": samples}))
print("spikes per sample:", [int(np.sum(s["spikes"])) for s in samples])

# Two graphs that are not the shorthand: a Conv2d node off the chain (refused), and an
# Affine with a non-zero bias (read as a layer stack).
for name, change in [("conv", "conv"), ("bias", "bias")]:
    with h5py.File(out / "cuba_rec.nir", "r") as src, h5py.File(out / f"refuse_{name}.nir", "w") as f:
        src.copy("version", f)
        src.copy("node", f)
        nodes = f["node/nodes"]
        if change == "conv":
            g = nodes.create_group("conv")
            g.create_dataset("type", data="Conv2d", dtype=h5py.string_dtype())
            g["weight"] = np.ones((1, 1, 3, 3), dtype=np.float32)
        else:
            del nodes["affine"]["bias"]
            nodes["affine"]["bias"] = np.full(n_hid, 0.5, dtype=np.float32)
