#!/usr/bin/env python3
"""References for aeif_cond_exp and aeif_cond_alpha (tests/validation/aeif.cpp).

One neuron with NEST's default AdEx parameters (t_ref = 0), I_e = 900 pA, excitatory
input spikes of 10 nS and inhibitory ones of 30 nS (weight -30), delay 1 ms, 300 ms at
h = 0.1 ms. SciPy's DOP853 at rtol = atol = 1e-12 integrates the exact dynamics;
conductance jumps at the grid points where the inputs arrive. V_m, w, g_ex at every grid
point and the spike times.

Spikes: near V_peak = 0 mV the exponential term makes dV/dt ~1e10 mV/ms and DOP853 gives
up ("required step size is less than spacing between numbers"). So the upswing is found
as an event at V_event = -20 mV and the time left to V_peak is added in closed form,
with only the exponential term acting (the others are ~1e-8 of it there):
  t_rem = C_m/g_L e^(-(V_event - V_th)/Delta_T) (1 - e^(-(V_peak - V_event)/Delta_T)) = 2.3e-6 ms.
Then V = V_reset and w += b at t_event + t_rem; over t_rem the other variables are held
(their change is ~1e-5 relative for g_ex, less for the rest).

Writes reference.json next to this script:  /usr/bin/python3 tests/reference/aeif/reference.py
"""
import json
import math
import pathlib

import numpy as np
from scipy.integrate import solve_ivp

H, T_STOP, DELAY = 0.1, 300.0, 1.0
P = dict(C_m=281.0, V_reset=-60.0, E_L=-70.6, g_L=30.0, I_e=900.0, a=4.0, b=80.5, Delta_T=2.0, tau_w=144.0,
         V_th=-50.4, V_peak=0.0, E_ex=0.0, E_in=-85.0, tau_syn_ex=0.2, tau_syn_in=2.0)
EX_TIMES = [20.0, 20.3, 90.0, 150.0, 151.0, 220.0]
IN_TIMES = [50.0, 120.0, 121.0, 250.0]
W_EX, W_IN = 10.0, -30.0


def arrivals(times):
    out = {}
    for t in times:
        k = round((t + DELAY) / H) - 1
        out[k] = out.get(k, 0) + 1
    return out


def run(alpha):
    # y = (V, w, g_ex, [dg_ex,] g_in, [dg_in])
    def f(_, y):
        if alpha:
            V, w, g_ex, dg_ex, g_in, dg_in = y
        else:
            V, w, g_ex, g_in = y
        V = min(V, P["V_peak"])
        I_spike = P["g_L"] * P["Delta_T"] * math.exp((V - P["V_th"]) / P["Delta_T"])
        dV = (-P["g_L"] * (V - P["E_L"]) + I_spike - g_ex * (V - P["E_ex"]) - g_in * (V - P["E_in"]) - w + P["I_e"]) / P["C_m"]
        dw = (P["a"] * (V - P["E_L"]) - w) / P["tau_w"]
        if alpha:
            return [dV, dw, dg_ex - g_ex / P["tau_syn_ex"], -dg_ex / P["tau_syn_ex"],
                    dg_in - g_in / P["tau_syn_in"], -dg_in / P["tau_syn_in"]]
        return [dV, dw, -g_ex / P["tau_syn_ex"], -g_in / P["tau_syn_in"]]

    V_event = -20.0
    t_rem = P["C_m"] / P["g_L"] * math.exp(-(V_event - P["V_th"]) / P["Delta_T"]) * \
        -math.expm1(-(P["V_peak"] - V_event) / P["Delta_T"])

    def peak(_, y):
        return y[0] - V_event
    peak.terminal, peak.direction = True, 1

    y = np.zeros(6 if alpha else 4)
    y[0] = P["E_L"]
    i_gin = 4 if alpha else 3
    ex, inh = arrivals(EX_TIMES), arrivals(IN_TIMES)
    spikes, trace = [], {"V_m": [y[0]], "w": [0.0], "g_ex": [0.0]}
    for k in range(round(T_STOP / H)):
        t0, t1 = k * H, (k + 1) * H
        while True:
            sol = solve_ivp(f, (t0, t1), y, method="DOP853", rtol=1e-12, atol=1e-12, events=peak)
            y = sol.y[:, -1].copy()
            if sol.status == 1:  # on the way up, V_peak t_rem ahead
                t0 = sol.t_events[0][0] + t_rem
                spikes.append(t0)
                y[0] = P["V_reset"]
                y[1] += P["b"]
                if t0 >= t1:  # the peak falls in the next step: reset at its start
                    raise RuntimeError("peak beyond the step's end; not expected at these inputs")
                continue
            if sol.status != 0:
                raise RuntimeError(sol.message)
            break
        if alpha:
            y[3] += ex.get(k, 0) * W_EX * math.e / P["tau_syn_ex"]
            y[5] += inh.get(k, 0) * -W_IN * math.e / P["tau_syn_in"]
        else:
            y[2] += ex.get(k, 0) * W_EX
            y[i_gin] += inh.get(k, 0) * -W_IN
        trace["V_m"].append(y[0])
        trace["w"].append(y[1])
        trace["g_ex"].append(y[2])
    return {"spike_times_ms": spikes, **trace}


if __name__ == "__main__":
    out = {"h_ms": H, "t_stop_ms": T_STOP, "delay_ms": DELAY, "params": P, "ex_times_ms": EX_TIMES,
           "in_times_ms": IN_TIMES, "w_ex_nS": W_EX, "w_in_nS": W_IN,
           "aeif_cond_exp": run(False), "aeif_cond_alpha": run(True)}
    path = pathlib.Path(__file__).with_name("reference.json")
    path.write_text(json.dumps(out) + "\n")
    print(f"wrote {path}: spikes exp {len(out['aeif_cond_exp']['spike_times_ms'])}, "
          f"alpha {len(out['aeif_cond_alpha']['spike_times_ms'])}")
