#!/usr/bin/env python3
"""Reference values for analysis/spike_measures.hpp from their definitions, in numpy/scipy:
- LV, local variation of ISIs (Shinomoto, Shima & Tanji 2003): 3/(n-1) sum ((I_i - I_(i+1)) / (I_i + I_(i+1)))^2;
- Fano factor of spike counts in consecutive windows: var (ddof 0) / mean;
- Wasserstein-1 distance between two samples: scipy.stats.wasserstein_distance;
- Victor-Purpura distance (1997) with cost q per ms of shift: dynamic programming;
- van Rossum distance (2001) with time constant tau: sqrt of the integral of the squared
  difference of the exponentially filtered trains divided by tau, in closed form:
  D^2 = (1/2) [sum_ij e^{-|a_i-a_j|/tau} + sum_ij e^{-|b_i-b_j|/tau} - 2 sum_ij e^{-|a_i-b_j|/tau}].
- pairwise Pearson correlations of binned counts (np.corrcoef) and population synchrony
  (Golomb 2007).
Writes tests/data/analysis/spike_measures.json.

    /usr/bin/python3 tests/reference/analysis/make_spike_ref.py
"""
import json
import pathlib

import numpy as np
import scipy.stats

root = pathlib.Path(__file__).resolve().parents[3]
rng = np.random.default_rng(11)


def lv(t):
    i = np.diff(t)
    return float(3.0 / (len(i) - 1) * np.sum(((i[:-1] - i[1:]) / (i[:-1] + i[1:])) ** 2))


def fano(t, t0, t1, w):
    edges = np.arange(t0, t1 + 1e-9, w)
    c = np.histogram(t, edges)[0]
    return float(np.var(c) / np.mean(c))


def vp(a, b, q):
    d = np.zeros((len(a) + 1, len(b) + 1))
    d[:, 0] = np.arange(len(a) + 1)
    d[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + q * abs(a[i - 1] - b[j - 1]))
    return float(d[-1, -1])


def vr(a, b, tau):
    k = lambda x, y: np.sum(np.exp(-np.abs(np.subtract.outer(x, y)) / tau)) if len(x) and len(y) else 0.0
    return float(np.sqrt(max(0.0, 0.5 * (k(a, a) + k(b, b) - 2 * k(a, b)))))


a = np.sort(rng.uniform(0, 1000, 40))
b = np.sort(np.concatenate([a[::2] + rng.normal(0, 3, 20), rng.uniform(0, 1000, 10)]))
gamma = np.cumsum(rng.gamma(4.0, 5.0, 200))  # regular: LV ~ 0.4
cases = {
    "a": a.tolist(), "b": b.tolist(), "gamma": gamma.tolist(),
    "lv_gamma": lv(gamma), "lv_a": lv(a),
    "fano_gamma_50": fano(gamma, 0.0, 4000.0, 50.0), "fano_a_100": fano(a, 0.0, 1000.0, 100.0),
    "wasserstein_ab": float(scipy.stats.wasserstein_distance(a, b)),
    "vp": {str(q): vp(a, b, q) for q in (0.0, 0.01, 0.1, 1.0, 10.0)},
    "vr": {str(tau): vr(a, b, tau) for tau in (1.0, 10.0, 100.0)},
    "vr_empty": vr(a, np.array([]), 10.0),
    "vp_single": vp(np.array([5.0]), np.array([7.5]), 0.5),
}
# Binned counts of 5 trains (the third silent), 20 ms bins over 1 s: pairwise Pearson
# correlations (NaN with the silent one) and Golomb's synchrony
# chi = sqrt(var_t(mean_i x_i) / mean_i var_t(x_i)) (population variances).
common = np.sort(rng.uniform(0, 1000, 30))
trains = [np.sort(np.concatenate([common[rng.random(30) < 0.6], rng.uniform(0, 1000, 15)])) for _ in range(5)]
trains[2] = np.array([])
counts = np.array([np.histogram(t, np.arange(0.0, 1000.0 + 1e-9, 20.0))[0] for t in trains], dtype=float)
with np.errstate(invalid="ignore", divide="ignore"):
    cc = np.corrcoef(counts)
iu = np.triu_indices(5, 1)
cases["trains"] = [t.tolist() for t in trains]
cases["correlations"] = [None if np.isnan(v) else float(v) for v in cc[iu]]
cases["synchrony"] = float(np.sqrt(np.var(counts.mean(0)) / np.mean(counts.var(1))))
out = root / "tests/data/analysis"
out.mkdir(parents=True, exist_ok=True)
(out / "spike_measures.json").write_text(json.dumps(cases))
print({k: v for k, v in cases.items() if not isinstance(v, list)})
