#!/usr/bin/env python3
"""References for iaf_cond_exp and iaf_cond_alpha (tests/validation/iaf_cond.cpp).

One neuron, default NEST parameters, I_e = 400 pA (it fires), excitatory input spikes of
4 nS and inhibitory ones of 15 nS (weight -15) with a delay of 1 ms, 80 ms at h = 0.1 ms.

1. SciPy: the model's step semantics (integrate a step with the conductances at its
   start; refractory count-down holding V at V_reset, else threshold check; then add
   the conductance jumps of the spikes arriving at the step's end) with solve_ivp's
   DOP853 at rtol = atol = 1e-12: V, g_ex, g_in at every grid point and the spike times.
2. Brian2 (runtime, numpy), an independent code: the same neuron with the threshold out
   of reach (no spikes), integrated with RK4 at dt = 1 µs, V sampled on the 0.1 ms grid.
   Synaptic jumps are applied at the end of a Brian2 step, so the delays are shortened by
   one dt to land at the same instants.

Writes iaf_cond_reference.json next to this script. Run with the Debian python3
(python3-scipy, python3-brian):  /usr/bin/python3 tests/reference/iaf_cond/reference.py
"""
import json
import math
import pathlib

import numpy as np
from scipy.integrate import solve_ivp

H, T_STOP, DELAY = 0.1, 80.0, 1.0
EX_TIMES = [5.0, 5.5, 12.0, 30.0, 30.2, 31.0, 55.0]
IN_TIMES = [20.0, 40.0, 41.0, 60.0]
W_EX, W_IN = 4.0, -15.0
P = dict(V_th=-55.0, V_reset=-60.0, t_ref=2.0, g_L=16.6667, C_m=250.0, E_ex=0.0, E_in=-85.0, E_L=-70.0,
         tau_syn_ex=0.2, tau_syn_in=2.0, I_e=400.0)


def arrivals(times):
    """Step index k (the update of step k ends at (k+1) h) at whose end each spike arrives."""
    out = {}
    for t in times:
        k = round((t + DELAY) / H) - 1
        out[k] = out.get(k, 0) + 1
    return out


def scipy_reference(model):
    alpha = model == "iaf_cond_alpha"
    n = 5 if alpha else 3
    y = np.zeros(n)
    y[0] = P["E_L"]

    def f(_, y):
        V = y[0]
        g_ex, g_in = (y[1], y[3]) if alpha else (y[1], y[2])
        dV = (-P["g_L"] * (V - P["E_L"]) - g_ex * (V - P["E_ex"]) - g_in * (V - P["E_in"]) + P["I_e"]) / P["C_m"]
        if alpha:
            return [dV, y[2] - y[1] / P["tau_syn_ex"], -y[2] / P["tau_syn_ex"],
                    y[4] - y[3] / P["tau_syn_in"], -y[4] / P["tau_syn_in"]]
        return [dV, -y[1] / P["tau_syn_ex"], -y[2] / P["tau_syn_in"]]

    ex, inh = arrivals(EX_TIMES), arrivals(IN_TIMES)
    t_ref_steps = round(P["t_ref"] / H)
    refractory, spikes = 0, []
    trace = {"V_m": [y[0]], "g_ex": [0.0], "g_in": [0.0]}
    for k in range(round(T_STOP / H)):
        y = solve_ivp(f, (0.0, H), y, method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1].copy()
        if refractory > 0:
            refractory -= 1
            y[0] = P["V_reset"]
        elif y[0] >= P["V_th"]:
            refractory = t_ref_steps
            y[0] = P["V_reset"]
            spikes.append(round((k + 1) * H, 10))
        if alpha:
            y[2] += ex.get(k, 0) * W_EX * math.e / P["tau_syn_ex"]
            y[4] += inh.get(k, 0) * -W_IN * math.e / P["tau_syn_in"]
        else:
            y[1] += ex.get(k, 0) * W_EX
            y[2] += inh.get(k, 0) * -W_IN
        trace["V_m"].append(y[0])
        trace["g_ex"].append(y[1])
        trace["g_in"].append(y[3] if alpha else y[2])
    return {"spike_times_ms": spikes, **trace}


def brian2_subthreshold(model):
    import brian2 as b2
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = 0.001 * b2.ms
    ms, mV, nS, pF, pA = b2.ms, b2.mV, b2.nS, b2.pF, b2.pA
    ns = dict(g_L=P["g_L"] * nS, C_m=P["C_m"] * pF, E_L=P["E_L"] * mV, E_ex=P["E_ex"] * mV, E_in=P["E_in"] * mV,
              tau_ex=P["tau_syn_ex"] * ms, tau_in=P["tau_syn_in"] * ms, I_e=P["I_e"] * pA)
    dv = "dv/dt = (-g_L*(v - E_L) - g_ex*(v - E_ex) - g_in*(v - E_in) + I_e) / C_m : volt\n"
    if model == "iaf_cond_alpha":
        eqs = dv + """dg_ex/dt = x_ex - g_ex/tau_ex : siemens
                      dx_ex/dt = -x_ex/tau_ex : siemens/second
                      dg_in/dt = x_in - g_in/tau_in : siemens
                      dx_in/dt = -x_in/tau_in : siemens/second"""
        on_ex, on_in = "x_ex += w_ex*exp(1)/tau_ex", "x_in += w_in*exp(1)/tau_in"
    else:
        eqs = dv + """dg_ex/dt = -g_ex/tau_ex : siemens
                      dg_in/dt = -g_in/tau_in : siemens"""
        on_ex, on_in = "g_ex += w_ex", "g_in += w_in"
    ns.update(w_ex=W_EX * nS, w_in=-W_IN * nS)
    neuron = b2.NeuronGroup(1, eqs, method="rk4", namespace=ns)
    neuron.v = P["E_L"] * mV
    src_ex = b2.SpikeGeneratorGroup(1, [0] * len(EX_TIMES), np.array(EX_TIMES) * ms)
    src_in = b2.SpikeGeneratorGroup(1, [0] * len(IN_TIMES), np.array(IN_TIMES) * ms)
    s_ex = b2.Synapses(src_ex, neuron, on_pre=on_ex, delay=(DELAY - 0.001) * ms, namespace=ns)
    s_in = b2.Synapses(src_in, neuron, on_pre=on_in, delay=(DELAY - 0.001) * ms, namespace=ns)
    s_ex.connect()
    s_in.connect()
    mon = b2.StateMonitor(neuron, "v", record=0, dt=H * ms)
    b2.run((T_STOP + H / 2) * ms)
    return {"V_m": [float(v) for v in mon.v[0] / mV][: round(T_STOP / H) + 1]}


if __name__ == "__main__":
    out = {"h_ms": H, "t_stop_ms": T_STOP, "delay_ms": DELAY, "ex_times_ms": EX_TIMES, "in_times_ms": IN_TIMES,
           "w_ex_nS": W_EX, "w_in_nS": W_IN, "params": P}
    for model in ("iaf_cond_exp", "iaf_cond_alpha"):
        out[model] = {"scipy": scipy_reference(model), "brian2_subthreshold": brian2_subthreshold(model)}
    path = pathlib.Path(__file__).with_name("iaf_cond_reference.json")
    path.write_text(json.dumps(out) + "\n")
    print(f"wrote {path}: spikes", {m: out[m]["scipy"]["spike_times_ms"] for m in ("iaf_cond_exp", "iaf_cond_alpha")})
