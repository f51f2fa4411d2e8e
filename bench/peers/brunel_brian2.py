#!/usr/bin/env python3
"""The Brunel network of examples/brunel/brunel.json in Brian2, C++ standalone mode.

Same neurons (LIF, exponential current synapses, exact integration), same connectivity
rule (fixed in-degree C_E = 1000, C_I = 250, multapses and autapses allowed), weights,
delay and external drive (PoissonInput: C_E trains at eta nu_th each; Brian2 draws their
summed count per step, as Myelin does). Prints one JSON line with the timings.

Usage: /usr/bin/python3 bench/peers/brunel_brian2.py [--threads N] [--build-dir DIR]
       [--config examples/brunel/brunel_small.json] [--t-stop MS]
(the binary's peak memory comes on stderr as "peak_rss_kB N", from GNU time)
Needs Debian's python3-brian (scripts/install-deps.sh --bench).
"""
import argparse
import json
import pathlib
import time

import numpy as np
from brian2 import (NeuronGroup, PoissonInput, SpikeMonitor, Synapses, defaultclock, device, ms, mV, pA, pF,
                    prefs, run, set_device, Hz)

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--build-dir", default="/tmp/myelin-bench-brian2")
parser.add_argument("--config", default="examples/brunel/brunel.json", help="a Brunel config of the same layout")
parser.add_argument("--t-stop", type=float, help="ms (default: the config's)")
args = parser.parse_args()

config = json.loads((pathlib.Path(__file__).resolve().parents[2] / args.config).read_text())
if args.t_stop:
    config["simulation"]["t_stop"] = args.t_stop
pops = {p["name"]: p for p in config["populations"]}
par = pops["E"]["params"]
NE, NI = pops["E"]["n"], pops["I"]["n"]
proj = {(p["source"], p["target"]): p for p in config["projections"]}
CE = proj[("E", "E")]["connection"]["indegree"]
CI = proj[("I", "E")]["connection"]["indegree"]
J_ex, J_in = proj[("E", "E")]["weight"] * pA, proj[("I", "E")]["weight"] * pA
delay = proj[("E", "E")]["delay"] * ms
rate_total = config["stimuli"][0]["params"]["rate"]
t_stop = config["simulation"]["t_stop"] * ms

set_device("cpp_standalone", directory=args.build_dir, build_on_run=False)
prefs.devices.cpp_standalone.openmp_threads = args.threads
# The simulation binary's peak memory, printed to stderr by GNU time.
prefs.devices.cpp_standalone.run_cmd_unix = ["/usr/bin/time", "-f", "peak_rss_kB %M", "./main"]
defaultclock.dt = config["simulation"]["resolution"] * ms

tau_m, C_m, tau_s = par["tau_m"] * ms, par["C_m"] * pF, par["tau_syn_ex"] * ms
eqs = """
dv/dt = (E_L - v)/tau_m + (I_ex + I_in)/C_m : volt (unless refractory)
dI_ex/dt = -I_ex/tau_s : amp
dI_in/dt = -I_in/tau_s : amp
"""
E_L = par["E_L"] * mV
N = NE + NI
neurons = NeuronGroup(N, eqs, threshold="v >= V_th", reset="v = V_reset", refractory=par["t_ref"] * ms,
                      method="exact", namespace={"E_L": E_L, "tau_m": tau_m, "C_m": C_m, "tau_s": tau_s,
                                                 "V_th": par["V_th"] * mV, "V_reset": par["V_reset"] * mV})
neurons.v = 0 * mV
rng = np.random.default_rng(12345)
exc = Synapses(neurons, neurons, on_pre="I_ex_post += J_ex", delay=delay, namespace={"J_ex": J_ex})
exc.connect(i=rng.integers(0, NE, size=N * CE), j=np.repeat(np.arange(N), CE))
inh = Synapses(neurons, neurons, on_pre="I_in_post += J_in", delay=delay, namespace={"J_in": J_in})
inh.connect(i=NE + rng.integers(0, NI, size=N * CI), j=np.repeat(np.arange(N), CI))
drive = PoissonInput(neurons, "I_ex", CE, rate_total / CE * Hz, weight=J_ex)  # named: run() collects objects by name
spikes = SpikeMonitor(neurons)

run(t_stop)
start = time.time()
device.build(directory=args.build_dir, compile=True, run=True, debug=False)
wall = time.time() - start
n_spikes = int(len(spikes.i))
# Mean CV of the ISIs of the excitatory neurons with >= 3 spikes in [200, 1000) ms (population std).
i_all, t_all = np.asarray(spikes.i), np.asarray(spikes.t / ms)
keep = (i_all < NE) & (t_all >= 200.0)
order = np.lexsort((t_all[keep], i_all[keep]))
i_sorted, t_sorted = i_all[keep][order], t_all[keep][order]
cvs = []
for train in np.split(t_sorted, np.flatnonzero(np.diff(i_sorted)) + 1):
    if len(train) >= 3:
        isi = np.diff(train)
        cvs.append(isi.std() / isi.mean())
print(json.dumps({
    "simulator": "brian2-cpp-standalone",
    "threads": args.threads,
    "run_seconds": device._last_run_time,  # the simulation loop, measured by Brian2
    "build_compile_run_seconds": wall,
    "spikes": n_spikes,
    "synapses": int(len(exc) + len(inh)),
    "rate_Hz": n_spikes / (N * float(t_stop / ms) * 1e-3),
    "mean_cv_isi_E": float(np.mean(cvs)) if cvs else None,
}))
