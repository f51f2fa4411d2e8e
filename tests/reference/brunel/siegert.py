#!/usr/bin/env python3
"""Mean-field rate of the Brunel (2000) model-A network of examples/brunel/brunel.json.

Independent of the C++ test (tests/validation/brunel.cpp), which computes the same
prediction with Boost.Math and checks it against siegert.json, written by this script.

Siegert formula (Brunel 2000, eq. 21) with the correction for synaptic filtering of
Fourcaud & Brunel (2002): thresholds shift by sigma * alpha/2 * sqrt(tau_s/tau_m),
alpha = sqrt(2) |zeta(1/2)|. Exponential synapses of amplitude J_ex (pA) deliver the
charge J_ex tau_s; the equivalent voltage jump of a delta synapse is J = J_ex tau_s / C_m.

  mu      = tau_m (J C_E (nu + nu_ext) - g J C_I nu)
  sigma^2 = tau_m (J^2 C_E (nu + nu_ext) + g^2 J^2 C_I nu)
  1/nu    = t_ref + tau_m sqrt(pi) int_{y_r}^{y_th} erfcx(-u) du

Run: /usr/bin/python3 tests/reference/brunel/siegert.py  (needs python3-scipy)
"""
import json
import math
import pathlib

from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import erfcx, zeta

here = pathlib.Path(__file__).resolve().parent
config = json.loads((here / "../../../examples/brunel/brunel.json").read_text())
pops = {p["name"]: p for p in config["populations"]}
par = pops["E"]["params"]
tau_m, tau_s, C_m = par["tau_m"], par["tau_syn_ex"], par["C_m"]
t_ref, V_th, V_r, E_L = par["t_ref"], par["V_th"], par["V_reset"], par["E_L"]
indeg = {(p["source"], p["target"]): p["connection"]["indegree"] for p in config["projections"]}
weight = {(p["source"], p["target"]): p["weight"] for p in config["projections"]}
C_E, C_I = indeg[("E", "E")], indeg[("I", "E")]
J_ex = weight[("E", "E")]
g = -weight[("I", "E")] / J_ex
bg = config["stimuli"][0]
nu_ext = bg["params"]["rate"] * 1e-3 / C_E  # per ms, per external source (C_E sources)
assert bg["weight"] == J_ex

J = J_ex * tau_s / C_m
alpha = math.sqrt(2.0) * abs(zeta(0.5))


def siegert(nu, corrected):
    mu = E_L + tau_m * (J * C_E * (nu + nu_ext) - g * J * C_I * nu)
    sigma = math.sqrt(tau_m * (J * J * C_E * (nu + nu_ext) + g * g * J * J * C_I * nu))
    shift = alpha / 2.0 * math.sqrt(tau_s / tau_m) if corrected else 0.0
    y_th = (V_th - mu) / sigma + shift
    y_r = (V_r - mu) / sigma + shift
    integral = quad(lambda u: erfcx(-u), y_r, y_th, epsabs=0, epsrel=1e-12, limit=200)[0]
    return 1.0 / (t_ref + tau_m * math.sqrt(math.pi) * integral)


out = {}
for corrected in (False, True):
    nu = brentq(lambda n: siegert(n, corrected) - n, 1e-6, 0.2, xtol=1e-15, rtol=1e-14)
    out["rate_Hz_fourcaud_brunel" if corrected else "rate_Hz_white_noise"] = nu * 1e3
(here / "siegert.json").write_text(json.dumps(out, indent=2) + "\n")
print(json.dumps(out, indent=2))
