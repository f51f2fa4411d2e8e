#!/usr/bin/env python3
"""Reference for hh_cond_exp_traub (tests/validation/hh_cond_exp_traub.cpp).

Written from the equations of NEST's hh_cond_exp_traub (Brette et al. 2007's HH COBA
neuron, after Traub & Miles 1991), with the rate functions as plain quotients (not the
model's expm1 form) and NEST's initial state (gating variables at the rates' fixed point
evaluated with u = E_L). Two neurons, NEST's default parameters, 200 ms at h = 0.1 ms:
  driven:   I_e = 600 pA (repetitive firing), excitatory spikes of 40 nS at 10, 10.5 and
            11 ms and an inhibitory one of -60 nS at 120 ms (delay 1 ms);
  synaptic: I_e = 0, excitatory spikes of 80 nS at 20, 20.2, 20.4, 20.6 ms, 60.0 and 60.5
            ms, an inhibitory one of -30 nS at 100 ms: spikes from conductance input alone.
Each step is integrated with SciPy's DOP853 at rtol = atol = 1e-12 with the model's step
semantics: integrate over the step; a spike when V >= V_T + 30 mV and V fell over the
step, at most one per t_ref = 2 ms; then the conductance jumps of the spikes arriving at
the step's end (g_ex += w for w >= 0, g_in -= w for w < 0).

Writes reference.json next to this script:  /usr/bin/python3 tests/reference/hh_cond_exp_traub/reference.py
"""
import json
import math
import pathlib

import numpy as np
from scipy.integrate import solve_ivp

H, DELAY, T_STOP = 0.1, 1.0, 200.0
P = dict(g_Na=20000.0, g_K=6000.0, g_L=10.0, C_m=200.0, E_Na=50.0, E_K=-90.0, E_L=-60.0, V_T=-63.0, E_ex=0.0,
         E_in=-80.0, tau_syn_ex=5.0, tau_syn_in=10.0, t_ref=2.0)


def rates(u):
    return dict(am=0.32 * (13.0 - u) / (math.exp((13.0 - u) / 4.0) - 1.0),
                bm=0.28 * (u - 40.0) / (math.exp((u - 40.0) / 5.0) - 1.0),
                ah=0.128 * math.exp((17.0 - u) / 18.0),
                bh=4.0 / (1.0 + math.exp((40.0 - u) / 5.0)),
                an=0.032 * (15.0 - u) / (math.exp((15.0 - u) / 5.0) - 1.0),
                bn=0.5 * math.exp((10.0 - u) / 40.0))


def arrivals(times, weights):
    out = {}
    for t, w in zip(times, weights):
        k = round((t + DELAY) / H) - 1  # the update of step k ends at (k + 1) h
        out[k] = out.get(k, 0.0) + w
    return out


def neuron(I_e, ex_times, w_ex, in_times, w_in):
    def f(_, y):
        V, m, h, n, g_ex, g_in = y
        r = rates(V - P["V_T"])
        I = (P["g_Na"] * m ** 3 * h * (V - P["E_Na"]) + P["g_K"] * n ** 4 * (V - P["E_K"]) + P["g_L"] * (V - P["E_L"])
             + g_ex * (V - P["E_ex"]) + g_in * (V - P["E_in"]))
        return [(-I + I_e) / P["C_m"], r["am"] - (r["am"] + r["bm"]) * m, r["ah"] - (r["ah"] + r["bh"]) * h,
                r["an"] - (r["an"] + r["bn"]) * n, -g_ex / P["tau_syn_ex"], -g_in / P["tau_syn_in"]]

    r0 = rates(P["E_L"])
    y = np.array([P["E_L"], r0["am"] / (r0["am"] + r0["bm"]), r0["ah"] / (r0["ah"] + r0["bh"]),
                  r0["an"] / (r0["an"] + r0["bn"]), 0.0, 0.0])
    ex = arrivals(ex_times, [w_ex] * len(ex_times))
    inh = arrivals(in_times, [w_in] * len(in_times))
    spikes, refractory = [], 0
    trace = {"V_m": [y[0]], "Act_m": [y[1]], "Act_n": [y[3]], "g_ex": [0.0], "g_in": [0.0]}
    for k in range(round(T_STOP / H)):
        before = y[0]
        y = solve_ivp(f, (0.0, H), y, method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1].copy()
        if refractory > 0:
            refractory -= 1
        elif y[0] >= P["V_T"] + 30.0 and before > y[0]:
            refractory = round(P["t_ref"] / H)
            spikes.append(round((k + 1) * H, 10))
        y[4] += ex.get(k, 0.0)
        y[5] -= inh.get(k, 0.0)
        for key, i in (("V_m", 0), ("Act_m", 1), ("Act_n", 3), ("g_ex", 4), ("g_in", 5)):
            trace[key].append(y[i])
    return {"I_e": I_e, "ex_times_ms": ex_times, "w_ex_nS": w_ex, "in_times_ms": in_times, "w_in_nS": w_in,
            "spike_times_ms": spikes, **trace}


if __name__ == "__main__":
    out = {"h_ms": H, "delay_ms": DELAY, "t_stop_ms": T_STOP, "params": P,
           "driven": neuron(600.0, [10.0, 10.5, 11.0], 40.0, [120.0], -60.0),
           "synaptic": neuron(0.0, [20.0, 20.2, 20.4, 20.6, 60.0, 60.5], 80.0, [100.0], -30.0)}
    path = pathlib.Path(__file__).with_name("reference.json")
    path.write_text(json.dumps(out) + "\n")
    print(f"wrote {path}: driven spikes {out['driven']['spike_times_ms']}, synaptic {out['synaptic']['spike_times_ms']}")
