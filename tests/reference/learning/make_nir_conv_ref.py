#!/usr/bin/env python3
"""A convolutional NIR graph written independently of Myelin (h5py, the layout of the NIR
reference implementation's serialization, version 1.0, snnTorch's conventions for
`Synaptic` neurons: tau = dt / (1 - decay), r = tau_mem / dt, w_in = tau_syn / dt), and
the spikes and readout potentials of that network on three inputs, computed here with
numpy (convolution and pooling written out as loops):

    Input [1, 6, 6] -> Conv2d 2 x 1 x 3 x 3 (bias, padding 1) -> CubaLIF [2, 6, 6]
    -> SumPool2d 2 -> Flatten -> Affine 3 x 18 (bias) -> CubaLIF 3 with a recurrent Linear
    -> Linear 2 x 3 -> CubaLI 2 -> Output

Each CubaLIF: I <- alpha I + input, V <- (beta V + I)(1 - S), S = V > theta (NIR's reset
to v_reset = 0). Writes tests/data/nir/conv.nir and conv.json.

    /usr/bin/python3 tests/reference/learning/make_nir_conv_ref.py
"""
import json
import pathlib

import h5py
import numpy as np

root = pathlib.Path(__file__).resolve().parents[3]
out = root / "tests/data/nir"
rng = np.random.default_rng(11)
T, dt, alpha, beta, theta = 25, 1e-4, 0.8, 0.9, 1.0
K = rng.normal(0.0, 0.6, (2, 1, 3, 3)).astype(np.float32)
cb = rng.normal(0.0, 0.1, 2).astype(np.float32)
W1 = rng.normal(0.0, 0.8, (3, 18)).astype(np.float32)
b1 = rng.normal(0.0, 0.1, 3).astype(np.float32)
Wr = rng.normal(0.0, 0.4, (3, 3)).astype(np.float32)
W2 = rng.normal(0.0, 0.5, (2, 3)).astype(np.float32)
x = rng.uniform(0.0, 1.5, (3, 1, 6, 6))
tau_syn, tau_mem = dt / (1 - alpha), dt / (1 - beta)


def cuba(g, shape, spiking):
    g["tau_syn"] = np.full(shape, tau_syn, dtype=np.float32)
    g["tau_mem"] = np.full(shape, tau_mem, dtype=np.float32)
    g["r"] = np.full(shape, tau_mem / dt, dtype=np.float32)
    g["v_leak"] = np.zeros(shape, dtype=np.float32)
    g["w_in"] = np.full(shape, tau_syn / dt, dtype=np.float32)
    if spiking:
        g["v_threshold"] = np.full(shape, theta, dtype=np.float32)
        g["v_reset"] = np.zeros(shape, dtype=np.float32)


with h5py.File(out / "conv.nir", "w") as f:
    f.create_dataset("version", data="1.0", dtype=h5py.string_dtype())
    node = f.create_group("node")
    node.create_dataset("type", data="NIRGraph", dtype=h5py.string_dtype())
    meta = node.create_group("metadata")
    meta["dt"] = np.float64(dt)
    nodes = node.create_group("nodes")
    kinds = [("input", "Input"), ("conv", "Conv2d"), ("lif1", "CubaLIF"), ("pool", "SumPool2d"),
             ("flat", "Flatten"), ("fc", "Affine"), ("lif2", "CubaLIF"), ("rec", "Linear"), ("fc2", "Linear"),
             ("li", "CubaLI"), ("output", "Output")]
    for name, typ in kinds:
        nodes.create_group(name).create_dataset("type", data=typ, dtype=h5py.string_dtype())
    nodes["input"]["shape"] = np.array([1, 6, 6])
    nodes["output"]["shape"] = np.array([2])
    c = nodes["conv"]
    c["weight"], c["bias"] = K, cb
    c["stride"], c["padding"], c["dilation"] = np.array([1, 1]), np.array([1, 1]), np.array([1, 1])
    c["groups"], c["input_shape"] = np.int64(1), np.array([6, 6])
    cuba(nodes["lif1"], (2, 6, 6), True)
    p = nodes["pool"]
    p["kernel_size"], p["stride"], p["padding"] = np.array([2, 2]), np.array([2, 2]), np.array([0, 0])
    fl = nodes["flat"]
    fl["start_dim"], fl["end_dim"] = np.int64(0), np.int64(-1)
    fl.create_group("input_type")["input"] = np.array([2, 3, 3])
    nodes["fc"]["weight"], nodes["fc"]["bias"] = W1, b1
    cuba(nodes["lif2"], (3,), True)
    nodes["rec"]["weight"] = Wr
    nodes["fc2"]["weight"] = W2
    cuba(nodes["li"], (2,), False)
    edges = [("input", "conv"), ("conv", "lif1"), ("lif1", "pool"), ("pool", "flat"), ("flat", "fc"), ("fc", "lif2"),
             ("lif2", "rec"), ("rec", "lif2"), ("lif2", "fc2"), ("fc2", "li"), ("li", "output")]
    node.create_dataset("edges", data=np.array(edges, dtype=object), dtype=h5py.string_dtype())

# float32 parameters as read back: the Euler coefficients recomputed from them.
a = 1 - dt / np.float64(np.float32(tau_syn))
b = 1 - dt / np.float64(np.float32(tau_mem))
cs = (dt / np.float64(np.float32(tau_syn))) * np.float64(np.float32(tau_syn / dt)) * \
     (dt / np.float64(np.float32(tau_mem))) * np.float64(np.float32(tau_mem / dt))
K64, W164, Wr64, W264 = (m.astype(np.float64) for m in (K, W1, Wr, W2))


def conv(img):  # 1 x 6 x 6 -> 2 x 6 x 6, padding 1, cross-correlation
    padded = np.zeros((1, 8, 8))
    padded[:, 1:7, 1:7] = img
    y = np.zeros((2, 6, 6))
    for o in range(2):
        for i in range(6):
            for j in range(6):
                y[o, i, j] = cb[o] + np.sum(K64[o, 0] * padded[0, i:i + 3, j:j + 3])
    return y


samples = []
for s in range(len(x)):
    current = conv(x[s])
    I1 = np.zeros((2, 6, 6)); V1 = np.zeros((2, 6, 6)); S1 = np.zeros((2, 6, 6))
    I2 = np.zeros(3); V2 = np.zeros(3); S2 = np.zeros(3)
    I3 = np.zeros(2); V3 = np.zeros(2)
    s1, s2, v3 = [], [], []
    for _ in range(T):
        I1 = a * I1 + cs * current
        V1 = (b * V1 + I1) * (1 - S1)
        S1 = (V1 > theta).astype(float)
        pooled = S1.reshape(2, 3, 2, 3, 2).sum(axis=(2, 4)).reshape(18)
        I2 = a * I2 + cs * (W164 @ pooled + b1 + Wr64 @ S2)
        V2 = (b * V2 + I2) * (1 - S2)
        S2 = (V2 > theta).astype(float)
        I3 = a * I3 + cs * (W264 @ S2)
        V3 = b * V3 + I3
        s1.append(S1.reshape(72).astype(int).tolist())
        s2.append(S2.astype(int).tolist())
        v3.append(V3.tolist())
    samples.append({"x": x[s].reshape(36).tolist(), "spikes1": s1, "spikes2": s2, "V": v3})
(out / "conv.json").write_text(json.dumps({"description": "written by tests/reference/learning/make_nir_conv_ref.py",
                                           "dt": dt, "T": T, "samples": samples}))
print("spikes per sample (layer 1, layer 2):",
      [(int(np.sum(q["spikes1"])), int(np.sum(q["spikes2"]))) for q in samples])
