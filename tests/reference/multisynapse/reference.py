#!/usr/bin/env python3
"""References for the receptor-port models (tests/validation/multisynapse.cpp):
iaf_psc_exp_multisynapse, iaf_psc_alpha_multisynapse, iaf_cond_beta and
aeif_cond_beta_multisynapse.

One neuron per model, 200 ms at h = 0.1 ms, input spikes at each port (spike_generator,
delay 1 ms: a spike at t arrives at the end of step round((t + 1)/h) - 1). SciPy's DOP853
at rtol = atol = 1e-12 integrates each model's ODE over every step, and the discrete
rules are applied between steps as the models document (NEST's order): while refractory
V is held (current-based: not integrated; conductance-based: dV/dt = 0), then the
refractory count goes down or V >= V_th at the step's end is a spike (V = V_reset); then
the spikes arriving at the step's end are added. aeif_cond_beta_multisynapse resets at
V_peak inside the step: the upswing is found as an event at -20 mV and the time left to
V_peak added in closed form, as tests/reference/aeif/reference.py explains.

Writes reference.json next to this script:  /usr/bin/python3 tests/reference/multisynapse/reference.py
"""
import json
import math
import pathlib

import numpy as np
from scipy.integrate import solve_ivp

H, T_STOP, DELAY = 0.1, 200.0, 1.0
N_STEPS = round(T_STOP / H)


def arrivals(times):
    out = {}
    for t in times:
        k = round((t + DELAY) / H) - 1
        out[k] = out.get(k, 0) + 1
    return out


def integrate(f, y, events=None):
    sol = solve_ivp(f, (0.0, H), y, method="DOP853", rtol=1e-12, atol=1e-12, events=events)
    if sol.status == -1:
        raise RuntimeError(sol.message)
    return sol


def beta_normalization(tau_rise, tau_decay):
    if abs(tau_decay - tau_rise) <= 1e-12 * tau_decay:
        return math.e / tau_decay
    t_peak = tau_rise * tau_decay * math.log(tau_decay / tau_rise) / (tau_decay - tau_rise)
    return (1 / tau_rise - 1 / tau_decay) / (math.exp(-t_peak / tau_decay) - math.exp(-t_peak / tau_rise))


# Current-based: three ports, tau_syn 0.5, 2 and 10 ms (= tau_m: the singular case of
# the propagators), weights of both signs.
PSC = dict(E_L=-70.0, C_m=250.0, tau_m=10.0, t_ref=2.0, V_th=-55.0, V_reset=-70.0, I_e=360.0,
           tau_syn=[0.5, 2.0, 10.0])
PSC_INPUTS = [  # per port: weight (pA), spike times (ms)
    (800.0, [10.0, 10.5, 40.0, 41.0, 42.0, 120.0]),
    (-400.0, [30.0, 60.0, 61.0, 150.0]),
    (150.0, [80.0, 90.0, 95.0, 170.0]),
]


def run_psc(alpha):
    P, n = PSC, len(PSC["tau_syn"])
    taus = P["tau_syn"]

    # y = (V, I_1, ..., I_n[, dI_1, ..., dI_n])
    def f(_, y, frozen):
        I = y[1:1 + n]
        dV = 0.0 if frozen else -(y[0] - P["E_L"]) / P["tau_m"] + (sum(I) + P["I_e"]) / P["C_m"]
        if alpha:
            dI = y[1 + n:]
            return [dV, *[dI[q] - I[q] / taus[q] for q in range(n)], *[-dI[q] / taus[q] for q in range(n)]]
        return [dV, *[-I[q] / taus[q] for q in range(n)]]

    y = np.zeros(1 + (2 if alpha else 1) * n)
    y[0] = P["E_L"]
    arrive = [arrivals(times) for _, times in PSC_INPUTS]
    ref_steps, refractory = round(P["t_ref"] / H), 0
    spikes, trace = [], {"V_m": [y[0]], **{f"I_syn_{q + 1}": [0.0] for q in range(n)}}
    for k in range(N_STEPS):
        frozen = refractory > 0
        y = integrate(lambda t, x: f(t, x, frozen), y).y[:, -1].copy()
        if frozen:
            refractory -= 1
        for q, (w, _) in enumerate(PSC_INPUTS):
            if alpha:
                y[1 + n + q] += arrive[q].get(k, 0) * w * math.e / taus[q]
            else:
                y[1 + q] += arrive[q].get(k, 0) * w
        if y[0] >= P["V_th"]:
            spikes.append((k + 1) * H)
            y[0] = P["V_reset"]
            refractory = ref_steps
        trace["V_m"].append(y[0])
        for q in range(n):
            trace[f"I_syn_{q + 1}"].append(y[1 + q])
    return {"spike_times_ms": spikes, **trace}


# iaf_cond_beta: NEST's defaults but for the time constants (rise and decay differ).
COND = dict(V_th=-55.0, V_reset=-60.0, t_ref=2.0, g_L=16.6667, C_m=250.0, E_ex=0.0, E_in=-85.0, E_L=-70.0,
            tau_rise_ex=0.3, tau_decay_ex=3.0, tau_rise_in=1.0, tau_decay_in=8.0, I_e=250.0)
COND_EX = (6.0, [10.0, 10.2, 10.4, 50.0, 50.1, 90.0, 130.0, 131.0, 132.0])
COND_IN = (-10.0, [60.0, 61.0, 140.0, 141.0])


def run_cond_beta():
    P = COND
    N_ex, N_in = beta_normalization(P["tau_rise_ex"], P["tau_decay_ex"]), beta_normalization(P["tau_rise_in"], P["tau_decay_in"])

    # y = (V, g_ex, x_ex, g_in, x_in)
    def f(_, y, refractory):
        V = P["V_reset"] if refractory else min(y[0], P["V_th"])
        dV = 0.0 if refractory else (-P["g_L"] * (V - P["E_L"]) - y[1] * (V - P["E_ex"]) - y[3] * (V - P["E_in"]) +
                                     P["I_e"]) / P["C_m"]
        return [dV, y[2] - y[1] / P["tau_decay_ex"], -y[2] / P["tau_rise_ex"],
                y[4] - y[3] / P["tau_decay_in"], -y[4] / P["tau_rise_in"]]

    y = np.zeros(5)
    y[0] = P["E_L"]
    ex, inh = arrivals(COND_EX[1]), arrivals(COND_IN[1])
    ref_steps, refractory = round(P["t_ref"] / H), 0
    spikes, trace = [], {"V_m": [y[0]], "g_ex": [0.0], "g_in": [0.0]}
    for k in range(N_STEPS):
        is_ref = refractory > 0
        y = integrate(lambda t, x: f(t, x, is_ref), y).y[:, -1].copy()
        if is_ref:
            refractory -= 1
            y[0] = P["V_reset"]
        elif y[0] >= P["V_th"]:
            refractory = ref_steps
            y[0] = P["V_reset"]
            spikes.append((k + 1) * H)
        y[2] += ex.get(k, 0) * COND_EX[0] * N_ex
        y[4] += inh.get(k, 0) * -COND_IN[0] * N_in
        trace["V_m"].append(y[0])
        trace["g_ex"].append(y[1])
        trace["g_in"].append(y[3])
    return {"spike_times_ms": spikes, **trace}


# aeif_cond_beta_multisynapse: NEST's AdEx defaults, three ports (AMPA-, GABA_A- and
# NMDA-like, the last without a magnesium block), t_ref = 0.
AEIF = dict(C_m=281.0, V_reset=-60.0, E_L=-70.6, g_L=30.0, I_e=700.0, a=4.0, b=80.5, Delta_T=2.0, tau_w=144.0,
            V_th=-50.4, V_peak=0.0, E_rev=[0.0, -80.0, 0.0], tau_rise=[0.2, 0.5, 2.0], tau_decay=[2.0, 6.0, 40.0])
AEIF_INPUTS = [(12.0, [20.0, 20.3, 20.6, 100.0, 100.2, 160.0]), (20.0, [50.0, 51.0, 130.0]), (2.0, [70.0, 140.0])]


def run_aeif_beta():
    P, n = AEIF, len(AEIF["E_rev"])
    N = [beta_normalization(P["tau_rise"][q], P["tau_decay"][q]) for q in range(n)]

    def f(_, y):
        V = min(y[0], P["V_peak"])
        I_syn = sum(y[2 + 2 * q] * (V - P["E_rev"][q]) for q in range(n))
        I_spike = P["g_L"] * P["Delta_T"] * math.exp((V - P["V_th"]) / P["Delta_T"])
        dV = (-P["g_L"] * (V - P["E_L"]) + I_spike - I_syn - y[1] + P["I_e"]) / P["C_m"]
        dw = (P["a"] * (V - P["E_L"]) - y[1]) / P["tau_w"]
        out = [dV, dw]
        for q in range(n):
            out += [y[3 + 2 * q] - y[2 + 2 * q] / P["tau_decay"][q], -y[3 + 2 * q] / P["tau_rise"][q]]
        return out

    V_event = -20.0
    t_rem = P["C_m"] / P["g_L"] * math.exp(-(V_event - P["V_th"]) / P["Delta_T"]) * \
        -math.expm1(-(P["V_peak"] - V_event) / P["Delta_T"])

    def peak(_, y):
        return y[0] - V_event
    peak.terminal, peak.direction = True, 1

    y = np.zeros(2 + 2 * n)
    y[0] = P["E_L"]
    arrive = [arrivals(times) for _, times in AEIF_INPUTS]
    spikes, trace = [], {"V_m": [y[0]], "w": [0.0], **{f"g_{q + 1}": [0.0] for q in range(n)}}
    for k in range(N_STEPS):
        t0, t1 = k * H, (k + 1) * H
        while True:
            sol = solve_ivp(f, (t0, t1), y, method="DOP853", rtol=1e-12, atol=1e-12, events=peak)
            y = sol.y[:, -1].copy()
            if sol.status == 1:
                t0 = sol.t_events[0][0] + t_rem
                spikes.append(t0)
                y[0] = P["V_reset"]
                y[1] += P["b"]
                if t0 >= t1:
                    raise RuntimeError("peak beyond the step's end; not expected at these inputs")
                continue
            if sol.status != 0:
                raise RuntimeError(sol.message)
            break
        for q, (w, _) in enumerate(AEIF_INPUTS):
            y[3 + 2 * q] += arrive[q].get(k, 0) * w * N[q]
        trace["V_m"].append(y[0])
        trace["w"].append(y[1])
        for q in range(n):
            trace[f"g_{q + 1}"].append(y[2 + 2 * q])
    return {"spike_times_ms": spikes, **trace}


if __name__ == "__main__":
    out = {"h_ms": H, "t_stop_ms": T_STOP, "delay_ms": DELAY,
           "psc": {"params": PSC, "inputs": PSC_INPUTS,
                   "iaf_psc_exp_multisynapse": run_psc(False), "iaf_psc_alpha_multisynapse": run_psc(True)},
           "iaf_cond_beta": {"params": COND, "ex": COND_EX, "in": COND_IN, **run_cond_beta()},
           "aeif_cond_beta_multisynapse": {"params": AEIF, "inputs": AEIF_INPUTS, **run_aeif_beta()}}
    path = pathlib.Path(__file__).with_name("reference.json")
    path.write_text(json.dumps(out) + "\n")
    print(f"wrote {path}: spikes psc_exp {len(out['psc']['iaf_psc_exp_multisynapse']['spike_times_ms'])}, "
          f"psc_alpha {len(out['psc']['iaf_psc_alpha_multisynapse']['spike_times_ms'])}, "
          f"cond_beta {len(out['iaf_cond_beta']['spike_times_ms'])}, "
          f"aeif_beta {len(out['aeif_cond_beta_multisynapse']['spike_times_ms'])}")
