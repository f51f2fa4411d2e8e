#!/usr/bin/env python3
"""Configs for Song, Miller & Abbott (2000, Nat Neurosci 3:919): one conductance-based
integrate-and-fire neuron driven by many excitatory Poisson inputs through additive STDP
synapses and by inhibitory Poisson inputs through static ones. Additive STDP with
depression slightly stronger than potentiation (A-/A+ = 1.05) makes the weights compete
and split into a bimodal distribution, pushed against 0 and g_max.

Their neuron: tau_m 20 ms, V_rest -70 mV, V_th -54 mV, V_reset -60 mV, E_ex 0 mV,
E_in -70 mV, synaptic time constants 5 ms, g_max = 0.015 and g_in = 0.05 in units of the
leak conductance, tau_+ = tau_- = 20 ms, A+ = 0.005, A-/A+ = 1.05, 1000 excitatory and
200 inhibitory inputs. Here C_m = 200 pF and g_L = 10 nS give tau_m; inputs fire at
20 Hz (excitatory) and 10 Hz (inhibitory).

  make_config.py --out song2000.json                       the network of the paper
  make_config.py --small --out song2000_small.json         200 + 40 inputs, conductances x3,
                                                           A+ = 0.01, 100 s (the ctest)
"""
import argparse
import json


def config(n_ex, n_in, t_stop_ms, scale, a_plus, mu):
    g_L = 10.0
    g_max = 0.015 * g_L * scale
    g_in = 0.05 * g_L * scale
    return {
        "description": "Song, Miller & Abbott (2000): weights of additive STDP synapses split into a bimodal "
                       "distribution. Written by examples/plasticity/song2000/make_config.py.",
        "simulation": {"resolution": 0.1, "t_stop": t_stop_ms, "seed": 1, "threads": 1},
        "populations": [
            {"name": "inputs", "model": "parrot_neuron", "n": n_ex},
            {"name": "inhibitory", "model": "parrot_neuron", "n": n_in},
            {"name": "neuron", "model": "iaf_cond_exp", "n": 1,
             "params": {"C_m": 200.0, "g_L": g_L, "E_L": -70.0, "V_th": -54.0, "V_reset": -60.0, "t_ref": 1.0,
                        "E_ex": 0.0, "E_in": -70.0, "tau_syn_ex": 5.0, "tau_syn_in": 5.0}}],
        "projections": [
            {"source": "inputs", "target": "neuron", "connection": {"rule": "all_to_all"},
             "weight": {"distribution": "uniform", "low": 0.0, "high": g_max}, "delay": 0.1,
             "synapse": {"model": "stdp_synapse",
                         "params": {"tau_plus": 20.0, "tau_minus": 20.0, "lambda": a_plus, "alpha": 1.05,
                                    "mu_plus": mu, "mu_minus": mu, "Wmax": g_max}}},
            {"source": "inhibitory", "target": "neuron", "connection": {"rule": "all_to_all"},
             "weight": -g_in, "delay": 0.1}],
        "stimuli": [
            {"name": "excitatory_input", "model": "poisson_generator", "params": {"rate": 20.0},
             "targets": ["inputs"], "weight": 1.0, "delay": 0.1},
            {"name": "inhibitory_input", "model": "poisson_generator", "params": {"rate": 10.0},
             "targets": ["inhibitory"], "weight": 1.0, "delay": 0.1}],
        "recorders": {"spikes": {"populations": ["neuron"]},
                      "weights": [{"name": "w", "projection": 0, "interval": t_stop_ms / 10}]},
    }


parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--small", action="store_true")
parser.add_argument("--out", required=True)
args = parser.parse_args()
c = config(200, 40, 100000.0, 3.0, 0.01, 0.0) if args.small else config(1000, 200, 300000.0, 1.0, 0.005, 0.0)
with open(args.out, "w") as f:
    json.dump(c, f, indent=2)
    f.write("\n")
