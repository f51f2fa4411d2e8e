#!/usr/bin/env python3
"""Writes the Potjans & Diesmann (2014) cortical microcircuit as a Myelin config.

The published parameters are in data/params.json (from the PD14 reference implementation);
this script applies the published rules that turn them into a network:

- synapses per (target, source) population pair: K = log(1 - C) / log(1 - 1/(N_pre N_post)),
  drawn as fixed_total_number with autapses and multapses;
- PSC amplitude from the PSP amplitude through the iaf_psc_exp PSP kernel, normal weights
  with relative std 0.1, redrawn to keep their sign; inhibitory = g times excitatory;
  L4E -> L2/3E doubled;
- normal delays with relative std 0.5 (1.5 ms excitatory, 0.75 ms inhibitory), redrawn
  below the resolution;
- background: K_ext Poisson inputs of 8 Hz each (one generator per neuron at K_ext * 8 Hz),
  or the equivalent DC current (--background dc);
- scaled variants (--n-scaling, --k-scaling) keep each neuron's mean input: in-degrees
  scale with k, weights with 1/sqrt(k), and a DC current replaces the lost mean drive,
  computed from the full-scale mean rates (the NEST 3 reference run).

Only the Python standard library is used. Usage:
    make_config.py                                  # full scale -> microcircuit.json
    make_config.py --n-scaling 0.1 --k-scaling 0.1 --out small.json
"""
import argparse
import json
import math
import pathlib

HERE = pathlib.Path(__file__).resolve().parent


def psc_over_psp(C_m, tau_m, tau_syn):
    """PSC amplitude (pA) that gives a 1 mV PSP peak in iaf_psc_exp."""
    sub = 1.0 / (tau_syn - tau_m)
    pre = tau_m * tau_syn / C_m * sub
    frac = (tau_m / tau_syn) ** sub
    return 1.0 / (pre * (frac ** tau_m - frac ** tau_syn))


def synapse_count(C, n_pre, n_post):
    return math.log(1.0 - C) / math.log(1.0 - 1.0 / (n_pre * n_post))


def build(p, n_scaling, k_scaling, background, t_stop, seed, threads, resolution):
    pops = p["populations"]
    n_full = p["full_num_neurons"]
    n = [int(round(x * n_scaling)) for x in n_full]
    nrn = p["neuron"]
    syn = p["synapse"]
    bg = p["background"]
    tau_syn = nrn["tau_syn_ms"]

    w_unit = psc_over_psp(nrn["C_m_pF"], nrn["tau_m_ms"], tau_syn)
    w_exc = syn["PSP_exc_mean_mV"] * w_unit
    npop = len(pops)
    inhibitory = [name.endswith("I") for name in pops]

    # mean weight[target][source], full-scale synapse numbers [target][source]
    w = [[w_exc * (syn["g"] if inhibitory[s] else 1.0) for s in range(npop)] for _ in range(npop)]
    w[pops.index("L23E")][pops.index("L4E")] *= syn["L4E_to_L23E_weight_factor"]
    K_full = [[synapse_count(p["conn_probs"][t][s], n_full[s], n_full[t]) for s in range(npop)]
              for t in range(npop)]

    # DC replacing the background (pA = Hz * pA * ms * 1e-3)
    dc = [0.0] * npop
    if background == "dc":
        dc = [1e-3 * tau_syn * bg["bg_rate_Hz"] * bg["K_ext"][t] * w_exc for t in range(npop)]
    w_ext = w_exc
    if k_scaling != 1.0:
        rates = p["mean_rates_Hz"]["nest3_reference_one_run"]
        for t in range(npop):
            recurrent = sum(w[t][s] * K_full[t][s] / n_full[t] * rates[s] for s in range(npop))
            dc[t] += 1e-3 * tau_syn * (1.0 - math.sqrt(k_scaling)) * recurrent
            if background == "poisson":
                dc[t] += 1e-3 * tau_syn * (1.0 - math.sqrt(k_scaling)) * w_exc * bg["K_ext"][t] * bg["bg_rate_Hz"]
        w = [[x / math.sqrt(k_scaling) for x in row] for row in w]
        w_ext = w_exc / math.sqrt(k_scaling)

    populations = []
    for i, name in enumerate(pops):
        populations.append({
            "name": name, "model": nrn["model"], "n": n[i],
            "params": {"E_L": nrn["E_L_mV"], "V_th": nrn["V_th_mV"], "V_reset": nrn["V_reset_mV"],
                       "C_m": nrn["C_m_pF"], "tau_m": nrn["tau_m_ms"], "t_ref": nrn["t_ref_ms"],
                       "tau_syn_ex": tau_syn, "tau_syn_in": tau_syn, "I_e": dc[i]},
            "initial": {"V_m": {"distribution": "normal",
                                "mean": p["initial_V"]["V0_mean_optimized_mV"][i],
                                "std": p["initial_V"]["V0_std_optimized_mV"][i]}},
        })

    projections = []
    for t in range(npop):
        for s in range(npop):
            count = int(round(K_full[t][s] * n_scaling * k_scaling))
            if count == 0:
                continue
            mean_w = w[t][s]
            weight = {"distribution": "normal", "mean": mean_w,
                      "std": abs(mean_w) * syn["weight_rel_std"]}
            weight["max" if inhibitory[s] else "min"] = 0.0
            d_mean = syn["delay_inh_mean_ms"] if inhibitory[s] else syn["delay_exc_mean_ms"]
            d_std = d_mean * syn["delay_rel_std"]
            # The config needs a finite upper end to size the ring buffers; 10 std above
            # the mean is never reached in 3e8 draws (P ~ 1e-23 per draw).
            delay = {"distribution": "normal", "mean": d_mean, "std": d_std,
                     "min": resolution, "max": d_mean + 10.0 * d_std}
            projections.append({
                "source": pops[s], "target": pops[t],
                "connection": {"rule": "fixed_total_number", "N": count,
                               "allow_autapses": True, "allow_multapses": True},
                "weight": weight, "delay": delay,
            })

    stimuli = []
    if background == "poisson":
        for t in range(npop):
            k_ext = int(round(bg["K_ext"][t] * k_scaling))
            stimuli.append({"name": "bg_" + pops[t], "model": "poisson_generator",
                            "params": {"rate": bg["bg_rate_Hz"] * k_ext},
                            "targets": [pops[t]], "weight": w_ext, "delay": bg["delay_ms"]})

    scale = "full scale" if (n_scaling, k_scaling) == (1.0, 1.0) else \
        f"scaled: N x {n_scaling:g}, K x {k_scaling:g} (weights / sqrt(K), DC compensation)"
    return {
        "description": f"Potjans & Diesmann (2014) cortical microcircuit, {scale}, {background} background. "
                       "Generated by examples/microcircuit/make_config.py.",
        "simulation": {"resolution": resolution, "t_stop": t_stop, "seed": seed, "threads": threads},
        "populations": populations,
        "projections": projections,
        "stimuli": stimuli,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--params", default=str(HERE / "data" / "params.json"))
    ap.add_argument("--n-scaling", type=float, default=1.0)
    ap.add_argument("--k-scaling", type=float, default=1.0)
    ap.add_argument("--background", choices=["poisson", "dc"], default="poisson")
    ap.add_argument("--t-stop", type=float, default=1500.0, help="ms (default 1500: 500 ms transient + 1 s)")
    ap.add_argument("--seed", type=int, default=55)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resolution", type=float, default=0.1)
    ap.add_argument("--out", default=str(HERE / "microcircuit.json"))
    a = ap.parse_args()
    for name in ("n_scaling", "k_scaling"):
        if not 0.0 < getattr(a, name) <= 1.0:
            ap.error(f"--{name.replace('_', '-')} must be in (0, 1]")
    with open(a.params) as f:
        params = json.load(f)
    cfg = build(params, a.n_scaling, a.k_scaling, a.background, a.t_stop, a.seed, a.threads, a.resolution)
    with open(a.out, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
