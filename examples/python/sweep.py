"""Brunel's phase diagram, coarsely: a grid of relative inhibition g and external drive eta,
one network each, built step by step in one process, nothing written to files.

Brunel (2000), J Comput Neurosci 8:183, Fig. 2 and 8: with g < 4 excitation dominates and the
network fires regularly and synchronously (SR); with g > 4 it is asynchronous and irregular
(AI) at strong drive, and slow synchronous irregular (SI) at weak drive (eta < 1). The
network here is Brunel's model A with exponential current synapses (examples/brunel),
optionally scaled down by --scale in size and in-degree (the threshold rate nu_th follows
the in-degree; below ~0.5 the network is too weakly coupled to show the states). The last
column describes each network by two rough thresholds, not Brunel's theory: regular if the
mean CV of ISIs is below 0.5, synchronous if Golomb's chi (2 ms bins, 200 neurons) is
above 0.3. Short runs underestimate the CV of slowly firing neurons.

    PYTHONPATH=build/release/python python3 examples/python/sweep.py [--scale 0.1] [--ms 500]
"""
import argparse
import itertools

import numpy as np

import myelin

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--scale", type=float, default=1.0, help="of N = 12,500 and C_E = 1,000")
parser.add_argument("--ms", type=float, default=400.0)
parser.add_argument("--g", type=float, nargs="+", default=[3.0, 4.5, 6.0])
parser.add_argument("--eta", type=float, nargs="+", default=[0.9, 2.0, 4.0])
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()

N_E = int(10000 * args.scale)
N_I = N_E // 4
C_E = int(1000 * args.scale)
C_I = C_E // 4
neuron = {"E_L": 0.0, "C_m": 250.0, "tau_m": 20.0, "tau_syn_ex": 0.5, "tau_syn_in": 0.5, "t_ref": 2.0,
          "V_th": 20.0, "V_reset": 10.0}
J = 54.960220400134794  # pA: a PSP of 0.1 mV
nu_th = neuron["V_th"] * neuron["C_m"] / (J * C_E * neuron["tau_m"] * neuron["tau_syn_ex"]) * 1000.0  # Hz


def brunel(g, eta):
    net = myelin.Network(seed=1, threads=args.threads)
    net.population("E", "iaf_psc_exp", N_E, params=neuron)
    net.population("I", "iaf_psc_exp", N_I, params=neuron)
    for source, indegree, weight in [("E", C_E, J), ("I", C_I, -g * J)]:
        for target in ("E", "I"):
            net.connect(source, target, "fixed_indegree", indegree=indegree, weight=weight, delay=1.5)
    net.stimulus("poisson_generator", ["E", "I"], {"rate": eta * nu_th * C_E}, weight=J, delay=1.5)
    net.record_spikes(["E"])
    return net


def state(cv, chi):
    return ("synchronous" if chi > 0.3 else "asynchronous") + (", regular" if cv < 0.5 else ", irregular")


skip = 100.0  # ms of the start left out
print(f"N_E = {N_E}, C_E = {C_E}, nu_th = {nu_th:.2f} Hz, {args.ms:g} ms each (the first {skip:g} left out)\n")
print(f"{'g':>5} {'eta':>5} {'rate (Hz)':>10} {'CV':>6} {'chi':>6}  state")
for g, eta in itertools.product(args.g, args.eta):
    net = brunel(g, eta).run(args.ms)
    times, ids = net.spikes("E")
    stats = myelin.spike_stats(times, ids, N_E, skip, args.ms)
    trains = myelin.trains(times, ids, N_E)[:200]
    chi = myelin.synchrony(myelin.binned_counts(trains, skip, args.ms, 2.0))
    cv = stats["cv"] if np.isfinite(stats["cv"]) else 0.0
    print(f"{g:>5.1f} {eta:>5.1f} {stats['rate']:>10.2f} {cv:>6.2f} {chi:>6.2f}  {state(cv, chi)}")
