"""Shared by the benchmark scripts: runs `myelin run` (optionally under mpirun) and
parses its summary."""
import os
import re
import statistics
import subprocess


def mean_outdegree(config):
    """Mean number of targets of a neuron, per source population (for synaptic events)."""
    sizes = {p["name"]: p["n"] for p in config["populations"]}
    out = {}
    for p in config["projections"]:
        c = p["connection"]
        if "indegree" in c:
            n = sizes[p["target"]] * c["indegree"]
        elif "N" in c:
            n = c["N"]
        elif "outdegree" in c:
            n = sizes[p["source"]] * c["outdegree"]
        else:
            raise ValueError(f"rule {c['rule']}: no fixed synapse number to count events with")
        out[p["source"]] = out.get(p["source"], 0.0) + n / sizes[p["source"]]
    return out


def run_myelin(myelin, config_path, outdegree, threads, out, ranks=1, extra=()):
    command = [myelin, "run", str(config_path), "--threads", str(threads), "--output", out, "--force", "--quiet",
               *extra]
    env = dict(os.environ)
    if ranks > 1:
        command = ["mpirun", "--oversubscribe", "-n", str(ranks)] + command
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_btl_vader_single_copy_mechanism="none")
    text = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    net = re.search(r"(\d+) synapses \(([\d.]+) bytes per synapse\)", text)
    times = re.search(r"build ([\d.]+) s, simulation of ([\d.]+) ms ([\d.]+) s .*spike exchange ([\d.]+) s\), "
                      r"peak memory (\d+) MB", text)
    spikes = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s+\d+\s+(\d+)\s+[\d.]+", text, re.M)}
    sim_s = float(times.group(3))
    events = sum(n * outdegree.get(pop, 0) for pop, n in spikes.items())
    synapses = int(net.group(1))
    peak_MB = float(times.group(5))
    return {"build_s": float(times.group(1)), "sim_s": sim_s, "rtf": sim_s / (float(times.group(2)) * 1e-3),
            "spikes": sum(spikes.values()), "spikes_by_population": spikes, "events_per_s": events / sim_s, "exchange_s": float(times.group(4)),
            "peak_MB": peak_MB, "peak_bytes_per_synapse": peak_MB * ranks * 1e6 / synapses,
            "bytes_per_synapse": float(net.group(2)), "synapses": synapses}


def print_medians(results, columns):
    """A Markdown table of medians: one row per run name, `columns` = [(header, key, format)]."""
    print("| run | " + " | ".join(h for h, _, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name, rows in results.items():
        cells = [format(statistics.median(r[key] for r in rows), f) for _, key, f in columns]
        print(f"| {name} | " + " | ".join(cells) + " |")
