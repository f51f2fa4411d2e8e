#!/usr/bin/env python3
"""The COBA network of examples/coba/coba.json in Brian2, C++ standalone mode.

Same neurons, connectivity rule (p = 0.02, drawn by Brian2), weights, delay, drive and
initial conditions as the config; Brian2 integrates with its default for this model in
its COBA example, exponential Euler at the same step (Myelin: Dormand-Prince with error
control). Prints one JSON line with the timings and rates.

Usage: /usr/bin/python3 bench/peers/coba_brian2.py [--threads N] [--build-dir DIR]
Needs Debian's python3-brian (scripts/install-deps.sh --bench).
"""
import argparse
import json
import pathlib
import time

import numpy as np
from brian2 import NeuronGroup, SpikeMonitor, Synapses, defaultclock, device, ms, mV, nS, pA, pF, prefs, run, set_device

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--build-dir", default="/tmp/myelin-bench-brian2-coba")
args = parser.parse_args()

config = json.loads((pathlib.Path(__file__).resolve().parents[2] / "examples/coba/coba.json").read_text())
pops = {p["name"]: p for p in config["populations"]}
par, init = pops["E"]["params"], pops["E"]["initial"]
NE, NI = pops["E"]["n"], pops["I"]["n"]
proj = {(p["source"], p["target"]): p for p in config["projections"]}
p_conn = proj[("E", "E")]["connection"]["p"]
w_ex, w_in = proj[("E", "E")]["weight"] * nS, -proj[("I", "E")]["weight"] * nS
delay = proj[("E", "E")]["delay"] * ms
t_stop = config["simulation"]["t_stop"] * ms

set_device("cpp_standalone", directory=args.build_dir, build_on_run=False)
prefs.devices.cpp_standalone.openmp_threads = args.threads
prefs.devices.cpp_standalone.run_cmd_unix = ["/usr/bin/time", "-f", "peak_rss_kB %M", "./main"]
defaultclock.dt = config["simulation"]["resolution"] * ms

ns = {"g_L": par["g_L"] * nS, "C_m": par["C_m"] * pF, "E_L": par["E_L"] * mV, "E_ex": par["E_ex"] * mV,
      "E_in": par["E_in"] * mV, "tau_ex": par["tau_syn_ex"] * ms, "tau_in": par["tau_syn_in"] * ms,
      "I_e": par["I_e"] * pA, "V_th": par["V_th"] * mV, "V_reset": par["V_reset"] * mV, "w_ex": w_ex, "w_in": w_in}
eqs = """
dv/dt = (-g_L*(v - E_L) - g_ex*(v - E_ex) - g_in*(v - E_in) + I_e)/C_m : volt (unless refractory)
dg_ex/dt = -g_ex/tau_ex : siemens
dg_in/dt = -g_in/tau_in : siemens
"""
N = NE + NI
neurons = NeuronGroup(N, eqs, threshold="v > V_th", reset="v = V_reset", refractory=par["t_ref"] * ms,
                      method="exponential_euler", namespace=ns)
v0, ge0, gi0 = init["V_m"], init["g_ex"], init["g_in"]
neurons.v = f"{v0['low']}*mV + rand()*{v0['high'] - v0['low']}*mV"
neurons.g_ex = f"({ge0['mean']} + randn()*{ge0['std']})*nS"
neurons.g_in = f"({gi0['mean']} + randn()*{gi0['std']})*nS"
exc = Synapses(neurons[:NE], neurons, on_pre="g_ex_post += w_ex", delay=delay, namespace=ns)
exc.connect(p=p_conn)
inh = Synapses(neurons[NE:], neurons, on_pre="g_in_post += w_in", delay=delay, namespace=ns)
inh.connect(p=p_conn)
spikes = SpikeMonitor(neurons)

run(t_stop)
start = time.time()
device.build(directory=args.build_dir, compile=True, run=True, debug=False)
wall = time.time() - start
i_all = np.asarray(spikes.i)
print(json.dumps({
    "simulator": "brian2-cpp-standalone",
    "threads": args.threads,
    "run_seconds": device._last_run_time,
    "build_compile_run_seconds": wall,
    "spikes": int(len(i_all)),
    "rate_E_Hz": float(np.sum(i_all < NE) / (NE * float(t_stop / ms) * 1e-3)),
    "rate_I_Hz": float(np.sum(i_all >= NE) / (NI * float(t_stop / ms) * 1e-3)),
}))
