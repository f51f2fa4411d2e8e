#!/usr/bin/env python3
"""Config for a small version of the reward experiment of Izhikevich (2007, Cereb Cortex
17:2443, "Solving the distal reward problem through linkage of STDP and dopamine
signaling"): among many synapses with random pre/post activity, one synapse's
pre-before-post pairing is followed, 1 to 3 s later, by a dopamine reward. The eligibility
trace (tau_c = 1 s) bridges the delay: the rewarded synapse grows to Wmax while the others
do not, although other pairings fall between a pairing and its reward.

In the paper the rewarded pairing happens by chance in a recurrent network and the reward
is contingent on it; here the pairings are imposed at known times with spike_generators
(parrot neurons re-emit them), which gives the same statistics without a closed loop. A
control synapse gets as many imposed pairings at random times, not followed by reward.

  pre   50 parrot neurons, Poisson 1 Hz; pre 0 and pre 1 also fire at the pairings
  post  10 iaf_psc_delta neurons, Poisson 1 Hz input strong enough to make each a spike
  DA    1 parrot neuron that fires at each reward, 1 to 3 s after a rewarded pairing
  pre -> post all-to-all stdp_dopamine_synapse (NEST's defaults but Wmax = 4 mV), delay 1 ms
  rewarded synapse pre 0 -> post 0, control pre 1 -> post 1: post fires 4 ms after pre,
  so the pair reaches the synapse 5 ms apart (the delay is dendritic)

  make_config.py --out izhikevich2007.json
"""
import argparse
import json
import random

N_PRE, N_POST = 50, 10
PAIRINGS = 40
# Between rewarded pairings: rare next to tau_c, as in the paper. A pairing at a random
# time gets eligibility ~ tau_c / GAP of a rewarded one's at a reward.
GAP_MS = 40000.0


def config():
    rng = random.Random(2007)
    t_stop = 10000.0 + PAIRINGS * GAP_MS
    rewarded = [10000.0 + i * GAP_MS + round(rng.uniform(0.0, GAP_MS / 2)) for i in range(PAIRINGS)]
    rewards = [t + round(rng.uniform(1000.0, 3000.0)) for t in rewarded]
    control = sorted(round(rng.uniform(5000.0, t_stop - 5000.0)) for _ in range(PAIRINGS))

    def gen(name, times, population, neuron, weight):
        return {"name": name, "model": "spike_generator", "params": {"spike_times": times},
                "targets": [{"population": population, "neurons": [neuron]}], "weight": weight, "delay": 1.0}

    return {
        "description": "Small version of Izhikevich (2007): dopamine-modulated STDP solves the distal reward "
                       "problem. Written by examples/plasticity/dopamine/make_config.py.",
        "simulation": {"resolution": 1.0, "t_stop": t_stop, "seed": 7, "threads": 1},
        "populations": [
            {"name": "pre", "model": "parrot_neuron", "n": N_PRE},
            {"name": "post", "model": "iaf_psc_delta", "n": N_POST},
            {"name": "DA", "model": "parrot_neuron", "n": 1}],
        "projections": [
            {"source": "pre", "target": "post", "connection": {"rule": "all_to_all"},
             "weight": 1.0, "delay": 1.0,
             "synapse": {"model": "stdp_dopamine_synapse",
                         "params": {"A_plus": 1.0, "A_minus": 1.5, "tau_plus": 20.0, "tau_minus": 20.0,
                                    "tau_c": 1000.0, "tau_n": 200.0, "b": 0.0, "Wmin": 0.0, "Wmax": 4.0},
                         "modulator": {"source": "DA", "delay": 1.0}}}],
        "stimuli": [
            {"name": "pre_background", "model": "poisson_generator", "params": {"rate": 1.0},
             "targets": ["pre"], "weight": 1.0, "delay": 1.0},
            {"name": "post_background", "model": "poisson_generator", "params": {"rate": 1.0},
             "targets": ["post"], "weight": 100.0, "delay": 1.0},
            gen("rewarded_pre", rewarded, "pre", 0, 1.0),
            gen("rewarded_post", [t + 4.0 for t in rewarded], "post", 0, 100.0),
            gen("control_pre", control, "pre", 1, 1.0),
            gen("control_post", [t + 4.0 for t in control], "post", 1, 100.0),
            {"name": "reward", "model": "spike_generator", "params": {"spike_times": rewards},
             "targets": ["DA"], "weight": 1.0, "delay": 1.0}],
        "recorders": {"spikes": {"populations": ["pre", "post", "DA"]},
                      "weights": [{"name": "w", "projection": 0, "interval": 10000.0}]},
    }


parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--out", required=True)
args = parser.parse_args()
with open(args.out, "w") as f:
    json.dump(config(), f, indent=2)
    f.write("\n")
