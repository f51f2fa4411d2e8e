#!/usr/bin/env python3
"""References for hh_psc_alpha and izhikevich (tests/validation/hh_izhikevich.cpp).

hh_psc_alpha: one neuron, NEST's default parameters, I_e = 800 pA, excitatory input
spikes of 500 pA and an inhibitory one of -800 pA (delay 1 ms), 100 ms at h = 0.1 ms.
Integrated with SciPy's DOP853 at rtol = atol = 1e-12 step by step with the model's
semantics (spike when V >= 0 mV and falling over the step, t_ref = 2 ms; then the alpha
current jumps of the spikes arriving at the step's end).

izhikevich: NEST's consistent_integration Euler scheme, written out here, for a regular
spiking (a, b, c, d = 0.02, 0.2, -65, 8) and a fast spiking (0.1, 0.2, -65, 2) neuron
with I_e = 10, input jumps of +5 mV at 20 and 100 ms and -10 mV at 150 ms (delay 1 ms),
300 ms at h = 0.1 ms. The scheme is the model's definition (its parameter sets were
tuned with it), so this is a second implementation of the same arithmetic.

Writes reference.json next to this script:  /usr/bin/python3 tests/reference/hh_izhikevich/reference.py
"""
import json
import math
import pathlib

import numpy as np
from scipy.integrate import solve_ivp

H, DELAY = 0.1, 1.0


def arrivals(times, weights):
    out = {}
    for t, w in zip(times, weights):
        k = round((t + DELAY) / H) - 1  # the update of step k ends at (k + 1) h
        out[k] = out.get(k, 0.0) + w
    return out


def ratio(u):
    return 1.0 if u == 0.0 else u / -math.expm1(-u)


def hh():
    P = dict(t_ref=2.0, g_Na=12000.0, g_K=3600.0, g_L=30.0, C_m=100.0, E_Na=50.0, E_K=-77.0, E_L=-54.402,
             tau_ex=0.2, tau_in=2.0, I_e=800.0)
    am = lambda V: ratio((V + 40.0) / 10.0)
    bm = lambda V: 4.0 * math.exp(-(V + 65.0) / 18.0)
    ah = lambda V: 0.07 * math.exp(-(V + 65.0) / 20.0)
    bh = lambda V: 1.0 / (1.0 + math.exp(-(V + 35.0) / 10.0))
    an = lambda V: 0.1 * ratio((V + 55.0) / 10.0)
    bn = lambda V: 0.125 * math.exp(-(V + 65.0) / 80.0)

    def f(_, y):
        V, m, h, n, I_ex, dI_ex, I_in, dI_in = y
        I_Na = P["g_Na"] * m ** 3 * h * (V - P["E_Na"])
        I_K = P["g_K"] * n ** 4 * (V - P["E_K"])
        I_L = P["g_L"] * (V - P["E_L"])
        return [(-I_Na - I_K - I_L + I_ex + I_in + P["I_e"]) / P["C_m"],
                am(V) * (1 - m) - bm(V) * m, ah(V) * (1 - h) - bh(V) * h, an(V) * (1 - n) - bn(V) * n,
                dI_ex - I_ex / P["tau_ex"], -dI_ex / P["tau_ex"], dI_in - I_in / P["tau_in"], -dI_in / P["tau_in"]]

    V0 = -65.0
    y = np.array([V0, am(V0) / (am(V0) + bm(V0)), ah(V0) / (ah(V0) + bh(V0)), an(V0) / (an(V0) + bn(V0)),
                  0.0, 0.0, 0.0, 0.0])
    ex = arrivals([10.0, 30.5, 31.0], [500.0] * 3)
    inh = arrivals([50.0], [-800.0])
    spikes, refractory = [], 0
    trace = {"V_m": [y[0]], "Act_m": [y[1]], "I_syn_ex": [0.0]}
    for k in range(round(100.0 / H)):
        before = y[0]
        y = solve_ivp(f, (0.0, H), y, method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1].copy()
        if refractory > 0:
            refractory -= 1
        elif y[0] >= 0.0 and before > y[0]:
            refractory = round(P["t_ref"] / H)
            spikes.append(round((k + 1) * H, 10))
        y[5] += ex.get(k, 0.0) * math.e / P["tau_ex"]
        y[7] += inh.get(k, 0.0) * math.e / P["tau_in"]
        trace["V_m"].append(y[0])
        trace["Act_m"].append(y[1])
        trace["I_syn_ex"].append(y[4])
    return {"params": P, "ex_times_ms": [10.0, 30.5, 31.0], "w_ex_pA": 500.0, "in_times_ms": [50.0],
            "w_in_pA": -800.0, "t_stop_ms": 100.0, "spike_times_ms": spikes, **trace}


def izhikevich(a, b, c, d):
    I_e = 10.0
    inputs = arrivals([20.0, 100.0, 150.0], [5.0, 5.0, -10.0])
    V, U = c, b * c
    spikes, trace = [], {"V_m": [V], "U_m": [U]}
    for k in range(round(300.0 / H)):
        V_new = V + H * (0.04 * V * V + 5.0 * V + 140.0 - U + I_e + 0.0) + inputs.get(k, 0.0)
        U_new = U + H * a * (b * V - U)
        if V_new >= 30.0:
            V_new = c
            U_new += d
            spikes.append(round((k + 1) * H, 10))
        V, U = V_new, U_new
        trace["V_m"].append(V)
        trace["U_m"].append(U)
    return {"params": dict(a=a, b=b, c=c, d=d, I_e=I_e), "spike_times_ms": spikes, **trace}


if __name__ == "__main__":
    out = {"h_ms": H, "delay_ms": DELAY, "hh_psc_alpha": hh(),
           "izhikevich": {"regular_spiking": izhikevich(0.02, 0.2, -65.0, 8.0),
                          "fast_spiking": izhikevich(0.1, 0.2, -65.0, 2.0)},
           "izhikevich_inputs": {"times_ms": [20.0, 100.0, 150.0], "weights_mV": [5.0, 5.0, -10.0], "t_stop_ms": 300.0}}
    path = pathlib.Path(__file__).with_name("reference.json")
    path.write_text(json.dumps(out) + "\n")
    print(f"wrote {path}: hh spikes {out['hh_psc_alpha']['spike_times_ms']}, izhikevich RS "
          f"{len(out['izhikevich']['regular_spiking']['spike_times_ms'])} FS {len(out['izhikevich']['fast_spiking']['spike_times_ms'])}")
