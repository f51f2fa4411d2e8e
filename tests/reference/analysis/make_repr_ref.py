#!/usr/bin/env python3
"""Reference values for analysis/representation.hpp, computed with numpy and scipy:
CKA with the conventions of Kornblith et al. (2019)'s reference code (Gram matrices;
biased centring H K H, or the unbiased HSIC estimator's centring for debiased CKA; RBF
kernel exp(-d^2 / (2 (f * median)^2)) with `median` the square root of the median of
all squared distances, diagonal included), RSA (RDMs of 1 - Pearson correlation or
Euclidean distance between stimuli, upper triangles compared by Spearman's rho with
average ranks for ties, values within 1e-12 of the largest magnitude counting as tied, or
Kendall's tau-a) and the orthogonal Procrustes distance
(centred, unit Frobenius norm, the narrower matrix padded with zero columns:
min over orthogonal R of ||X R - Y||_F, scipy.linalg.orthogonal_procrustes).
Writes tests/data/analysis/representation.json.

    /usr/bin/python3 tests/reference/analysis/make_repr_ref.py
"""
import json
import pathlib

import numpy as np
import scipy.linalg
import scipy.spatial.distance
import scipy.stats

root = pathlib.Path(__file__).resolve().parents[3]
rng = np.random.default_rng(3)


def gram_linear(x):
    return x @ x.T


def gram_rbf(x, fraction):
    dot = x @ x.T
    sq = np.diag(dot)
    d2 = -2 * dot + sq[:, None] + sq[None, :]
    return np.exp(-d2 / (2 * fraction ** 2 * np.median(d2)))


def center(g, unbiased):
    g = g.copy()
    if unbiased:
        n = g.shape[0]
        np.fill_diagonal(g, 0)
        means = np.sum(g, 0) / (n - 2)
        means -= np.sum(means) / (2 * (n - 1))
        g -= means[:, None]
        g -= means[None, :]
        np.fill_diagonal(g, 0)
    else:
        h = np.eye(g.shape[0]) - 1.0 / g.shape[0]
        g = h @ g @ h
    return g


def cka(gx, gy, debiased=False):
    cx, cy = center(gx, debiased), center(gy, debiased)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.sum(cx * cy) / (np.linalg.norm(cx) * np.linalg.norm(cy)))


def rdm(x, metric):
    return scipy.spatial.distance.pdist(x, "correlation" if metric == "correlation" else "euclidean")


def tied(v):
    """Entries equal in exact arithmetic differ in their last bits depending on the order
    of operations: rounded to 1e-12 of the largest magnitude, as Myelin ties them."""
    scale = np.max(np.abs(v))
    return np.round(v / scale, 12) * scale


def tau_a(a, b):
    n = len(a)
    s = 0.0
    for i in range(n):
        s += np.sum(np.sign(a[i] - a[i + 1:]) * np.sign(b[i] - b[i + 1:]))
    return float(s / (n * (n - 1) / 2))


def procrustes(x, y):
    x = x - x.mean(0); y = y - y.mean(0)
    x = x / np.linalg.norm(x); y = y / np.linalg.norm(y)
    w = max(x.shape[1], y.shape[1])
    x = np.pad(x, ((0, 0), (0, w - x.shape[1]))); y = np.pad(y, ((0, 0), (0, w - y.shape[1])))
    r, _ = scipy.linalg.orthogonal_procrustes(x, y)
    return float(np.linalg.norm(x @ r - y))


def case(x, y):
    out = {"x": x.tolist(), "y": y.tolist(),
           "cka_linear": cka(gram_linear(x), gram_linear(y)),
           "cka_linear_debiased": cka(gram_linear(x), gram_linear(y), True),
           "cka_rbf_0.5": cka(gram_rbf(x, 0.5), gram_rbf(y, 0.5)),
           "cka_rbf_1": cka(gram_rbf(x, 1.0), gram_rbf(y, 1.0)),
           "cka_rbf_1_debiased": cka(gram_rbf(x, 1.0), gram_rbf(y, 1.0), True)}
    for metric in ("correlation", "euclidean"):
        out[f"rdm_{metric}_x"] = rdm(x, metric).tolist()
        a, b = tied(rdm(x, metric)), tied(rdm(y, metric))
        out[f"rsa_{metric}_spearman"] = float(scipy.stats.spearmanr(a, b).statistic)
        out[f"rsa_{metric}_kendall_tau_a"] = tau_a(a, b)
    out["procrustes"] = procrustes(x, y)
    return out


x = rng.normal(size=(20, 8))
y = np.tanh(x[:, :5] @ rng.normal(size=(5, 5)) + 0.3 * rng.normal(size=(20, 5)))
# Integer features: many tied distances in the RDMs.
xi = rng.integers(0, 3, size=(12, 4)).astype(float) + np.arange(12)[:, None] % 2 * 0.0
yi = rng.integers(0, 3, size=(12, 3)).astype(float)
# Guard: no constant row (correlation distance needs a non-zero std per stimulus).
xi[:, 0] = np.arange(12) % 3
xi[:, 1] = (np.arange(12) + 1) % 3
yi[:, 0] = np.arange(12) % 2
yi[:, 1] = (np.arange(12) + 1) % 2
cases = {"random": case(x, y), "ties": case(xi, yi)}
# A constant representation: its centred Gram matrix is 0 (numerically ~1e-16, which makes
# the reference code's quotient meaningless), so CKA is undefined: null (NaN) by convention.
const = np.ones((10, 3))
cases["constant"] = {"x": const.tolist(), "y": rng.normal(size=(10, 4)).tolist(), "cka_linear": None}
out = root / "tests/data/analysis"
out.mkdir(parents=True, exist_ok=True)
(out / "representation.json").write_text(json.dumps(
    {"description": "written by tests/reference/analysis/make_repr_ref.py (numpy " + np.__version__ +
     ", scipy " + scipy.__version__ + ")", "cases": cases}, indent=None, default=lambda v: None))
for k, v in cases.items():
    print(k, {m: v[m] for m in v if not isinstance(v[m], list)})
