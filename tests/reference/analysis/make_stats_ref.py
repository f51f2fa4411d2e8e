#!/usr/bin/env python3
"""Reference values for analysis/statistics.hpp from scipy:
- two-sample Kolmogorov-Smirnov test, two-sided: scipy.stats.ks_2samp(method="exact")
  for samples of several sizes (equal and unequal, tied values, identical samples,
  disjoint samples with a tiny p-value);
- Kolmogorov's limit distribution: scipy.stats.kstwobign.sf;
- numpy.quantile (linear) of a small sample; scipy.stats.norm.ppf and .cdf.
Writes tests/data/analysis/statistics.json.

    /usr/bin/python3 tests/reference/analysis/make_stats_ref.py
"""
import json
import pathlib

import numpy as np
import scipy.stats

root = pathlib.Path(__file__).resolve().parents[3]
rng = np.random.default_rng(23)

cases = []


def add(name, a, b):
    r = scipy.stats.ks_2samp(a, b, method="exact")
    cases.append({"name": name, "a": [float(v) for v in a], "b": [float(v) for v in b],
                  "statistic": float(r.statistic), "p_value": float(r.pvalue)})


add("normal 10 vs 15", rng.normal(size=10), rng.normal(0.5, 1.0, size=15))
add("normal 40 vs 40", rng.normal(size=40), rng.normal(0.3, 1.0, size=40))
add("exponential 120 vs 90", rng.exponential(1.0, size=120), rng.exponential(1.3, size=90))
add("gamma 300 vs 250, same", rng.gamma(2.0, size=300), rng.gamma(2.0, size=250))
add("rates with ties", rng.integers(0, 8, size=60) / 2.0, rng.integers(0, 9, size=45) / 2.0)
add("disjoint 30 vs 30", rng.uniform(0, 1, size=30), rng.uniform(2, 3, size=30))
same = rng.normal(size=25)
add("identical", same, same)
add("single values", [1.0], [2.0])

xs = [0.05, 0.3, 0.6, 0.9, 1.0, 1.2, 1.8, 2.5]
out = {
    "ks": cases,
    "kolmogorov_sf": {str(x): float(scipy.stats.kstwobign.sf(x)) for x in xs},
    "quantile_sample": [3.0, 1.0, 4.0, 1.5, 9.0, 2.6],
    "norm_ppf": {str(p): float(scipy.stats.norm.ppf(p)) for p in [0.0025, 0.05, 0.3, 0.5, 0.9, 0.995]},
    "norm_cdf": {str(z): float(scipy.stats.norm.cdf(z)) for z in [-3.1, -1.0, 0.0, 0.4, 2.2]},
    "quantiles": {str(q): float(np.quantile([3.0, 1.0, 4.0, 1.5, 9.0, 2.6], q)) for q in [0.0, 0.025, 0.5, 0.975, 1.0]},
}
path = root / "tests/data/analysis/statistics.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print("wrote", path)
